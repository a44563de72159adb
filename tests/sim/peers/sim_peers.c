/*
 * sim_peers.c - the hosts the examples and tests meet on their net links under
 * the sim platform (include/miou_sim.h): C peers, running in virtual time at
 * the far end of a link, built on the same protocol code as the examples
 * (netstack.c), so that `--net:service=PEER[:ARG]` gives each example
 * someone to talk to without a TAP interface or a second process.
 *
 *   pinger[:COUNT[,ADDR]]  a host pinging the unikernel at ADDR (10.0.0.2,
 *                          what examples/ping.c answers for by default)
 *                          COUNT times (10), from an address of the same
 *                          /24, one request at a time, each resent up to
 *                          5 times; its verdict is good when every request
 *                          got its reply and no reply was wrong
 *   responder[:ADDR]       a host answering ARP and ping for ADDR
 *                          (10.0.0.2, what examples/pinger.c pings by
 *                          default); no expectation
 *   echo                   sends every frame back, MACs swapped
 *
 * Under link faults the pinger resends what seems lost, and the link may
 * duplicate requests: examples/ping.c answers each copy and counts it, so
 * its --count is reached before the pinger is done. Run it with
 * --seconds instead, long enough for the pinger to finish.
 *
 * The peers are registered by a constructor: the objects of tests/sim/peers
 * are linked into every program of the sim build, and the platform parses
 * --net:NAME=PEER before main code runs, so the names must be known from
 * start-up on.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <miou_sim.h>

#include "../../../examples/lib/netstack.h"
#include "sim_peers.h"

#define MS 1000000ull

/* The unikernel's address in the examples (ping.c, pinger.c, demo.c). */
#define DEFAULT_UNIKERNEL_IP 0x0a000002u /* 10.0.0.2 */

/* Locally administered unicast MACs (bit 1 of the first byte set, bit 0
 * clear), so that they can never clash with a real card's; one per peer
 * kind, to tell them apart in a trace. Their second to fifth bytes
 * ("peer") differ from those the platform gives the unikernel's devices
 * (02:53:49:4d:00:NN), so that a peer never shares the unikernel's MAC:
 * a frame from a host with our own address is one to be suspicious of. */
static const uint8_t pinger_mac[ETH_ALEN] = {0x02, 0x70, 0x65,
                                             0x65, 0x72, 0x01};
static const uint8_t responder_mac[ETH_ALEN] = {0x02, 0x70, 0x65,
                                                0x65, 0x72, 0x02};

/* ---- Shared helpers ------------------------------------------------------ */

/* A buffer that grows to the largest frame seen: the peers do not know
 * the link's MTU, and frames are at most a few kilobytes. */
struct buffer {
    uint8_t *data;
    size_t size;
};

/* Make (b) hold at least (n) bytes; 0, or -1 when out of memory. */
static int buffer_reserve(struct buffer *b, size_t n)
{
    uint8_t *p;

    if (n <= b->size)
        return 0;
    p = realloc(b->data, n);
    if (p == NULL)
        return -1;
    b->data = p;
    b->size = n;
    return 0;
}

/* Parse exactly (len) bytes of (s) as a decimal number in [1, max]:
 * 0, or -1 (no sign, no space, no empty string). */
static int parse_count(const char *s, size_t len, unsigned long max,
                       unsigned long *out)
{
    unsigned long v = 0;
    size_t i;

    if (len == 0)
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
        if (v > max)
            return -1;
    }
    if (v == 0)
        return -1;
    *out = v;
    return 0;
}

/* ---- pinger -------------------------------------------------------------- */

/* Echo requests are resent after RETRY_AFTER without a reply, TRIES times
 * at most; the next one leaves PING_GAP after a reply. The ARP request
 * follows the same rule. */
#define RETRY_AFTER (100 * MS)
#define TRIES 5
#define PING_GAP (1 * MS)
#define PING_DEFAULT_COUNT 10
/* Sequence numbers are 16 bits and start at 1: past 65535, two requests
 * would share one and their replies could not be told apart. */
#define PING_MAX_COUNT 65535ul
/* The payload: 56 bytes make a 64-byte ICMP message, as ping(8) sends. */
#define PING_DATA_LEN 56
/* Fixed, so that a run depends on the seed alone. */
#define PING_ID 0x5349
/* How many missing sequence numbers close() names before "...". */
#define MISSING_SHOWN 8

enum pinger_phase {
    PINGER_ARP,  /* resolving the unikernel's MAC */
    PINGER_ECHO, /* sending echo requests */
    PINGER_DONE  /* every request answered or given up on */
};

struct pinger {
    struct miou_sim_link *link;
    uint32_t ip, target; /* ours and the unikernel's */
    unsigned long count; /* echo requests to send */
    enum pinger_phase phase;
    uint8_t target_mac[ETH_ALEN]; /* once resolved */
    unsigned long seq;            /* the request in flight, 1..count */
    unsigned tries;               /* times it was sent */
    unsigned long sent_max;       /* the highest sequence number sent */
    int resolved;                 /* the ARP reply came */
    unsigned long replies;        /* distinct sequence numbers answered */
    uint8_t *answered;            /* [1..count]: its reply came */
    /* What went wrong, for close()'s verdict. */
    unsigned long gave_up;    /* requests sent TRIES times, unanswered */
    unsigned long duplicates; /* replies to a request already answered
                                 (expected with dup faults: ignored) */
    unsigned long wrong_data; /* replies whose payload was not ours */
    unsigned long unsent;     /* replies to a request never sent */
    unsigned long wrong_mac;  /* ARP replies not giving the link's MAC */
    /* Answers ARP and ping for our own address, as a real host would, in
     * case the unikernel resolves us before replying. */
    struct responder self;
    struct buffer out;
};

/* The payload of request (seq): distinct for every sequence number, so
 * that a reply carrying another request's data is caught. */
static void ping_payload(unsigned long seq, uint8_t data[PING_DATA_LEN])
{
    size_t i;

    net_put16(data, (uint16_t)seq);
    for (i = 2; i < PING_DATA_LEN; i++)
        data[i] = (uint8_t)(seq * 7 + i * 13);
}

static void pinger_send_arp(struct pinger *p)
{
    size_t n;

    if (buffer_reserve(&p->out, ETH_ZLEN) != 0)
        return; /* out of memory: the retry will try again */
    n = arp_request_build(p->out.data, p->out.size, pinger_mac, p->ip,
                          p->target);
    if (n > 0)
        miou_sim_link_send(p->link, p->out.data, n);
}

static void pinger_send_echo(struct pinger *p)
{
    uint8_t data[PING_DATA_LEN];
    struct echo e = {.src = p->ip,
                     .dst = p->target,
                     .id = PING_ID,
                     .seq = (uint16_t)p->seq,
                     .data = data,
                     .data_len = PING_DATA_LEN};
    size_t n;

    ping_payload(p->seq, data);
    if (buffer_reserve(&p->out, ECHO_FRAME_LEN(PING_DATA_LEN)) != 0)
        return;
    n = echo_request_build(p->out.data, p->out.size, pinger_mac, p->target_mac,
                           &e);
    if (n > 0 && miou_sim_link_send(p->link, p->out.data, n) == 0 &&
        p->seq > p->sent_max)
        p->sent_max = p->seq;
}

/* Make the request after (p->seq) the one in flight, or finish when it
 * was the last. The caller schedules its sending. */
static void pinger_advance(struct pinger *p)
{
    if (p->seq >= p->count) {
        /* No wakeup to cancel: a pending one finds the phase done. */
        p->phase = PINGER_DONE;
        return;
    }
    p->seq++;
    p->tries = 0;
}

static void *pinger_open(struct miou_sim_link *link, const char *arg)
{
    unsigned long count = PING_DEFAULT_COUNT;
    uint32_t target = DEFAULT_UNIKERNEL_IP;
    struct pinger *p;

    if (arg != NULL) {
        const char *comma = strchr(arg, ',');
        size_t len = comma != NULL ? (size_t)(comma - arg) : strlen(arg);

        if (parse_count(arg, len, PING_MAX_COUNT, &count) != 0 ||
            (comma != NULL &&
             ipv4_parse(comma + 1, strlen(comma + 1), &target) != 0)) {
            fprintf(stderr,
                    "sim: peer pinger on %s: bad argument '%s' (COUNT "
                    "1..%lu or COUNT,ADDRESS)\n",
                    miou_sim_link_name(link), arg, PING_MAX_COUNT);
            return NULL;
        }
    }
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->answered = calloc(count + 1, 1);
    if (p->answered == NULL) {
        free(p);
        return NULL;
    }
    p->link = link;
    p->target = target;
    /* Our address: another host of the target's /24, .1 unless that is
     * the target itself. */
    p->ip = (target & ~0xffu) | ((target & 0xffu) == 1 ? 2u : 1u);
    p->count = count;
    p->phase = PINGER_ARP;
    responder_init(&p->self, pinger_mac, p->ip);
    miou_sim_link_wakeup(link, miou_sim_now());
    return p;
}

static void pinger_wakeup(void *state)
{
    struct pinger *p = state;

    switch (p->phase) {
    case PINGER_ARP:
        if (p->tries == TRIES) {
            /* No MAC, no pings: close() reports every one missing. */
            p->phase = PINGER_DONE;
            return;
        }
        p->tries++;
        pinger_send_arp(p);
        miou_sim_link_wakeup(p->link, miou_sim_now() + RETRY_AFTER);
        break;
    case PINGER_ECHO:
        /* The gap after the reply is over: on to the next one. */
        if (p->answered[p->seq])
            pinger_advance(p);
        else if (p->tries == TRIES) {
            /* Give up on this one; a late reply still counts (see
             * pinger_echo_reply), but the others should not wait. */
            p->gave_up++;
            pinger_advance(p);
            if (p->phase == PINGER_ECHO)
                miou_sim_link_wakeup(p->link, miou_sim_now() + PING_GAP);
            return;
        }
        if (p->phase != PINGER_ECHO)
            return;
        p->tries++;
        pinger_send_echo(p);
        miou_sim_link_wakeup(p->link, miou_sim_now() + RETRY_AFTER);
        break;
    case PINGER_DONE:
        break;
    }
}

static void pinger_echo_reply(struct pinger *p, const struct echo *e)
{
    uint8_t data[PING_DATA_LEN];

    /* Another conversation, not ours to judge. */
    if (e->src != p->target || e->id != PING_ID)
        return;
    /* Replies are accepted for any request sent so far, not only the one
     * in flight: with long delays, a reply may come after its request was
     * given up on, and it still shows the unikernel answered. */
    if (e->seq == 0 || e->seq > p->sent_max) {
        p->unsent++;
        return;
    }
    ping_payload(e->seq, data);
    if (e->data_len != PING_DATA_LEN ||
        memcmp(e->data, data, PING_DATA_LEN) != 0) {
        p->wrong_data++;
        return;
    }
    if (p->answered[e->seq]) {
        p->duplicates++;
        return;
    }
    p->answered[e->seq] = 1;
    p->replies++;
    if (p->phase == PINGER_ECHO && e->seq == p->seq) {
        if (p->seq == p->count)
            p->phase = PINGER_DONE;
        else /* replaces the retry timer: the next leaves after the gap */
            miou_sim_link_wakeup(p->link, miou_sim_now() + PING_GAP);
    }
}

static void pinger_receive(void *state, const uint8_t *frame, size_t len)
{
    struct pinger *p = state;
    uint8_t mac[ETH_ALEN];
    struct echo e;
    size_t n;

    /* The unikernel asking for us, or pinging us. */
    if (buffer_reserve(&p->out, len > ETH_ZLEN ? len : ETH_ZLEN) == 0) {
        n = answer_frame(&p->self, frame, len, p->out.data, p->out.size);
        if (n > 0) {
            miou_sim_link_send(p->link, p->out.data, n);
            return;
        }
    }
    if (arp_reply_parse(frame, len, pinger_mac, p->target, mac)) {
        /* The unikernel must answer with the MAC of its device. */
        if (memcmp(mac, miou_sim_link_mac(p->link), ETH_ALEN) != 0) {
            p->wrong_mac++;
            return;
        }
        /* A duplicate, or the answer to a resent request. One that comes
         * after the ARP requests were given up on still starts the pings:
         * the link's delay may exceed our patience. */
        if (p->resolved)
            return;
        memcpy(p->target_mac, mac, ETH_ALEN);
        p->resolved = 1;
        p->phase = PINGER_ECHO;
        p->seq = 1;
        p->tries = 0;
        miou_sim_link_wakeup(p->link, miou_sim_now() + PING_GAP);
        return;
    }
    if (echo_reply_parse(frame, len, pinger_mac, p->ip, &e))
        pinger_echo_reply(p, &e);
}

/* Print the missing sequence numbers: the first MISSING_SHOWN of them. */
static void print_missing(const struct pinger *p)
{
    unsigned long seq, shown = 0;

    for (seq = 1; seq <= p->count; seq++) {
        if (p->answered[seq])
            continue;
        if (shown == MISSING_SHOWN) {
            fprintf(stderr, " ...");
            break;
        }
        fprintf(stderr, " %lu", seq);
        shown++;
    }
}

static int pinger_close(void *state)
{
    struct pinger *p = state;
    char ip[IPV4_STRLEN];
    int ok;

    /* Duplicates are the link's doing (dup faults), not the unikernel's;
     * replies that are wrong are the unikernel's. */
    ok = p->replies == p->count && p->wrong_data == 0 && p->unsent == 0 &&
         p->wrong_mac == 0;
    if (!ok) {
        fprintf(stderr,
                "sim: peer pinger on %s: ", miou_sim_link_name(p->link));
        if (!p->resolved)
            fprintf(stderr, "no ARP reply from %s; ",
                    ipv4_format(p->target, ip));
        fprintf(stderr, "%lu of %lu echo replies from %s", p->replies, p->count,
                ipv4_format(p->target, ip));
        if (p->replies < p->count) {
            fprintf(stderr, ", missing icmp_seq");
            print_missing(p);
        }
        if (p->gave_up > 0)
            fprintf(stderr, "; %lu requests unanswered after %d tries",
                    p->gave_up, TRIES);
        if (p->wrong_data > 0)
            fprintf(stderr, "; %lu replies with wrong data", p->wrong_data);
        if (p->unsent > 0)
            fprintf(stderr, "; %lu replies to requests never sent", p->unsent);
        if (p->wrong_mac > 0)
            fprintf(stderr, "; %lu ARP replies not giving the device's MAC",
                    p->wrong_mac);
        fprintf(stderr, "\n");
    }
    free(p->out.data);
    free(p->answered);
    free(p);
    return ok ? 0 : -1;
}

static const struct miou_sim_peer pinger_peer = {
    .name = "pinger",
    .open = pinger_open,
    .receive = pinger_receive,
    .wakeup = pinger_wakeup,
    .close = pinger_close,
};

/* ---- responder ----------------------------------------------------------- */

struct responder_peer {
    struct miou_sim_link *link;
    struct responder r; /* counts what it answered, ignored, rejected */
    struct buffer out;
};

static void *responder_open(struct miou_sim_link *link, const char *arg)
{
    uint32_t ip = DEFAULT_UNIKERNEL_IP;
    struct responder_peer *p;

    if (arg != NULL && ipv4_parse(arg, strlen(arg), &ip) != 0) {
        fprintf(stderr,
                "sim: peer responder on %s: bad argument '%s' (an IPv4 "
                "address)\n",
                miou_sim_link_name(link), arg);
        return NULL;
    }
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->link = link;
    responder_init(&p->r, responder_mac, ip);
    return p;
}

static void responder_receive(void *state, const uint8_t *frame, size_t len)
{
    struct responder_peer *p = state;
    size_t n;

    /* A reply is never longer than its request, or than ETH_ZLEN when
     * padded. */
    if (buffer_reserve(&p->out, len > ETH_ZLEN ? len : ETH_ZLEN) != 0)
        return;
    n = answer_frame(&p->r, frame, len, p->out.data, p->out.size);
    if (n > 0)
        miou_sim_link_send(p->link, p->out.data, n);
}

/* Never asks for one; a peer must have the callback all the same. */
static void responder_wakeup(void *state)
{
    (void)state;
}

static int responder_close(void *state)
{
    struct responder_peer *p = state;

    free(p->out.data);
    free(p);
    return 0;
}

static const struct miou_sim_peer responder_peer = {
    .name = "responder",
    .open = responder_open,
    .receive = responder_receive,
    .wakeup = responder_wakeup,
    .close = responder_close,
};

/* ---- echo ---------------------------------------------------------------- */

struct echo_peer {
    struct miou_sim_link *link;
    uint64_t echoed, too_short;
    struct buffer out;
};

static void *echo_open(struct miou_sim_link *link, const char *arg)
{
    struct echo_peer *p;

    if (arg != NULL) {
        fprintf(stderr, "sim: peer echo on %s: takes no argument ('%s')\n",
                miou_sim_link_name(link), arg);
        return NULL;
    }
    p = calloc(1, sizeof *p);
    if (p != NULL)
        p->link = link;
    return p;
}

static void echo_receive(void *state, const uint8_t *frame, size_t len)
{
    struct echo_peer *p = state;

    /* Without both addresses there is nothing to swap. */
    if (len < 2 * ETH_ALEN) {
        p->too_short++;
        return;
    }
    if (buffer_reserve(&p->out, len) != 0)
        return;
    memcpy(p->out.data, frame + ETH_ALEN, ETH_ALEN);
    memcpy(p->out.data + ETH_ALEN, frame, ETH_ALEN);
    memcpy(p->out.data + 2 * ETH_ALEN, frame + 2 * ETH_ALEN,
           len - 2 * ETH_ALEN);
    if (miou_sim_link_send(p->link, p->out.data, len) == 0)
        p->echoed++;
}

static void echo_wakeup(void *state)
{
    (void)state;
}

static int echo_close(void *state)
{
    struct echo_peer *p = state;

    free(p->out.data);
    free(p);
    return 0;
}

static const struct miou_sim_peer echo_peer = {
    .name = "echo",
    .open = echo_open,
    .receive = echo_receive,
    .wakeup = echo_wakeup,
    .close = echo_close,
};

/* ---- Registration -------------------------------------------------------- */

void sim_peers_register(const struct miou_sim_peer *const *peers, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (miou_sim_peer_register(peers[i]) != 0)
            fprintf(stderr, "sim: cannot register peer %s\n", peers[i]->name);
}

/* Before main(): see sim_peers_register(). */
__attribute__((constructor)) static void sim_peers_register_ours(void)
{
    static const struct miou_sim_peer *const peers[] = {
        &pinger_peer, &responder_peer, &echo_peer};

    sim_peers_register(peers, sizeof peers / sizeof peers[0]);
}
