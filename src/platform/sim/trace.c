/*
 * trace.c - the run's trace: every call the unikernel makes and every
 * choice the simulation draws, folded into a 64-bit digest as it happens
 * (nothing is kept, so a long run costs no memory). Each event is
 * encoded as little-endian numbers whatever the host, and nothing that
 * depends on the host (an address, a file name, the real time) enters
 * it, so that the digest is the same on every machine.
 */
#include <stdio.h>

#include "sim.h"

/* FNV-1a over the event's bytes, then a final mix when read, so that
 * runs that differ late still differ in every bit of the digest. */
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

static uint64_t digest = FNV_OFFSET;
static uint64_t events;
int sim_trace_print;

static const char *const names[] = {
    [EV_CLOCK_MONO] = "clock-monotonic",
    [EV_CLOCK_WALL] = "clock-wall",
    [EV_YIELD] = "yield",
    [EV_NET_READ] = "net-read",
    [EV_NET_WRITE] = "net-write",
    [EV_BLOCK_READ] = "block-read",
    [EV_BLOCK_WRITE] = "block-write",
    [EV_CONSOLE] = "console",
    [EV_CHOICE] = "choice",
    [EV_LINK_DROP] = "link-drop",
    [EV_LINK_DUP] = "link-duplicate",
    [EV_LINK_ARRIVE] = "link-arrive",
    [EV_PEER_SEND] = "peer-send",
    [EV_PEER_RECEIVE] = "peer-receive",
    [EV_PEER_WAKEUP] = "peer-wakeup",
    [EV_ACQUIRE] = "acquire",
    [EV_EXIT] = "exit",
    [EV_USER] = "user",
    [EV_CRASH] = "crash",
};

static void mix_byte(uint8_t b)
{
    digest = (digest ^ b) * FNV_PRIME;
}

static void mix_u64(uint64_t v)
{
    for (int i = 0; i < 8; i++)
        mix_byte((uint8_t)(v >> (8 * i)));
}

static uint64_t bytes_digest(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

void sim_trace_reset(void)
{
    digest = FNV_OFFSET;
    events = 0;
}

void sim_trace(enum sim_event kind, uint64_t a, uint64_t b, uint64_t c,
               const void *data, size_t len)
{
    uint64_t d = data ? bytes_digest(data, len) : 0;
    events++;
    mix_byte((uint8_t)kind);
    mix_u64(sim_now);
    mix_u64(a);
    mix_u64(b);
    mix_u64(c);
    mix_u64(d);
    if (sim_trace_print)
        fprintf(stderr, "sim: trace %llu t=%llu %s %llu %llu %llu %016llx\n",
                (unsigned long long)events, (unsigned long long)sim_now,
                names[kind], (unsigned long long)a, (unsigned long long)b,
                (unsigned long long)c, (unsigned long long)d);
}

void miou_sim_trace(const char *what, uint64_t value)
{
    sim_trace(EV_USER, value, 0, 0, what, what ? __builtin_strlen(what) : 0);
}

uint64_t miou_sim_digest(void)
{
    /* The murmur3 finaliser: every input bit reaches every output bit. */
    uint64_t h = digest ^ events;
    h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdull;
    h = (h ^ (h >> 33)) * 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

uint64_t miou_sim_events(void)
{
    return events;
}
