/*
 * pinger - the client side of examples/ping.c: a unikernel that pings an
 * IPv4 address on its net device "service", like ping(8).
 *
 *   pinger [TARGET] [--from=ADDRESS] [--count=N] [--interval=MS]
 *          [--timeout=MS]
 *
 * (the table options[] below says what each means; --help prints it).
 *
 * It first finds the target's MAC address with ARP (retrying for a few
 * seconds, so that the target may start after it), then sends one echo
 * request at a time and waits for its reply: a reader task and a timer
 * task race, and miou_await_first() cancels the loser. It answers ARP
 * requests for its own address meanwhile. Exit status 0 iff every
 * request was answered.
 *
 * Without privileges, two hosted unikernels exchange frames over UNIX
 * sockets, each naming the other's socket as its peer:
 *
 *   build/hosted/examples/ping --net:service=unix:/tmp/a,/tmp/b \
 *       -- --count=5 &
 *   build/hosted/examples/pinger --net:service=unix:/tmp/b,/tmp/a \
 *       -- --count=5
 */
#include <string.h>

#include <miou.h>

#include "lib/args.h"
#include "lib/console.h"
#include "lib/netstack.h"

#define MS 1000000ull
#define MTU_MAX 9000
#define FRAME_MAX (MTU_MAX + MIOU_NET_HLEN)
/* ICMP payload: our send time, then a pattern; 56 bytes make the ICMP
 * message 64 bytes, as ping(8) sends. */
#define DATA_LEN 56
/* ARP: a request every ARP_INTERVAL, ARP_TRIES times at most. */
#define ARP_TRIES 50
#define ARP_INTERVAL (100 * MS)
#define MAX_COUNT 1000000

struct options {
    uint32_t target, from;
    uint64_t count;
    uint64_t interval, timeout; /* ns */
};

/* What the reader task waits for, and what it found. */
struct wait {
    int arp;       /* 1: an ARP reply from the target; 0: an echo */
    uint16_t seq;  /* the echo reply awaited */
    int error;     /* a MIOU_E* code when the device failed */
    int found;     /* 1 when the reply came */
    uint64_t when; /* and the monotonic time it came */
};

static struct {
    struct options opt;
    miou_net *net;
    struct miou_net_info info;
    struct responder r; /* answers ARP requests for our own address */
    uint8_t target_mac[ETH_ALEN];
    uint16_t id;
    uint8_t data[DATA_LEN]; /* the payload of the request in flight */
    uint64_t late, corrupt; /* replies too late, replies with other data */
} pinger = {.opt = {.target = 0x0a000002, /* 10.0.0.2 */
                    .from = 0x0a000001,   /* 10.0.0.1 */
                    .count = 10,
                    .interval = 10 * MS,
                    .timeout = 1000 * MS}};

static uint8_t rx[FRAME_MAX], tx[FRAME_MAX];

/* The command line, read by args_read() (lib/args.h). Times are typed in
 * milliseconds, with decimals down to the nanosecond. */
static const struct arg options[] = {
    {"TARGET", "the address to ping (10.0.0.2)", .ipv4 = &pinger.opt.target},
    {"--from", "our own address (10.0.0.1)", .ipv4 = &pinger.opt.from},
    {"--count", "echo requests to send (10)", .number = &pinger.opt.count,
     .min = 1, .max = MAX_COUNT},
    {"--interval", "milliseconds between requests (10); 0: each at once",
     .number = &pinger.opt.interval, .decimals = 6, .max = 3600000 * MS,
     .value = "MS"},
    {"--timeout", "milliseconds to wait for each reply (1000)",
     .number = &pinger.opt.timeout, .decimals = 6, .min = 1,
     .max = 3600000 * MS, .value = "MS"},
    {0},
};

static void put64(uint8_t *p, uint64_t v)
{
    int i;

    for (i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* Whether the frame (in) of (n) bytes is what (w) waits for. ARP
 * requests for our address are answered on the way. */
static int is_awaited(struct wait *w, const uint8_t *in, size_t n)
{
    struct echo e;
    size_t reply = answer_frame(&pinger.r, in, n, tx, sizeof tx);

    if (reply > 0 && miou_net_write(pinger.net, tx, reply) != 0)
        say("pinger: cannot answer an ARP request\n");
    if (w->arp)
        return arp_reply_parse(in, n, pinger.info.mac, pinger.opt.target,
                               pinger.target_mac);
    if (!echo_reply_parse(in, n, pinger.info.mac, pinger.opt.from, &e) ||
        e.src != pinger.opt.target || e.id != pinger.id)
        return 0;
    if (e.seq != w->seq) {
        pinger.late++;
        return 0;
    }
    if (e.data_len != DATA_LEN || memcmp(e.data, pinger.data, DATA_LEN) != 0) {
        pinger.corrupt++;
        return 0;
    }
    return 1;
}

/* The reader task: receive frames until the one (arg) waits for comes.
 * Ends when cancelled (the timer won). */
static void *read_reply(void *arg)
{
    struct wait *w = arg;

    for (;;) {
        long n = miou_net_read(pinger.net, rx, pinger.info.mtu + MIOU_NET_HLEN);

        if (n < 0) {
            if (n != MIOU_ECANCELED)
                w->error = (int)n;
            return NULL;
        }
        if (is_awaited(w, rx, (size_t)n)) {
            w->when = miou_clock_monotonic();
            w->found = 1;
            return NULL;
        }
    }
}

/* The timer task: sleep for the time given in (arg). */
static void *timer(void *arg)
{
    miou_sleep(*(const uint64_t *)arg);
    return NULL;
}

/* Wait up to (timeout) ns for what (w) describes: the reader and the timer
 * race, and the first to end cancels the other. Returns 1 when it came, 0
 * on timeout, or a MIOU_E* code. */
static int wait_reply(struct wait *w, uint64_t timeout)
{
    miou_task *tasks[2];
    int err;

    w->found = 0;
    w->error = 0;
    err = miou_async(&tasks[0], read_reply, w);
    if (err != 0)
        return err;
    err = miou_async(&tasks[1], timer, &timeout);
    if (err != 0) {
        miou_cancel(tasks[0]);
        return err;
    }
    err = miou_await_first(tasks, 2, NULL, NULL);
    if (err != 0)
        return err;
    return w->error != 0 ? w->error : w->found;
}

/* Find the target's MAC address. Write errors are retried too: over UNIX
 * sockets, the peer's socket does not exist until the peer has started. */
static int resolve(void)
{
    struct wait w = {.arp = 1};
    int i, rc = 0;

    for (i = 0; i < ARP_TRIES; i++) {
        size_t n = arp_request_build(tx, sizeof tx, pinger.info.mac,
                                     pinger.opt.from, pinger.opt.target);
        rc = miou_net_write(pinger.net, tx, n);
        if (rc != 0) {
            miou_sleep(ARP_INTERVAL);
            continue;
        }
        rc = wait_reply(&w, ARP_INTERVAL);
        if (rc != 0)
            return rc < 0 ? rc : 0;
    }
    return rc < 0 ? rc : MIOU_ETIMEDOUT;
}

/* Send echo request number (seq) and wait for its reply; (*rtt) receives
 * the round-trip time in ns. Returns 1 (answered), 0 (timed out) or a
 * MIOU_E* code. */
static int ping_once(uint16_t seq, uint64_t *rtt)
{
    struct echo e = {.src = pinger.opt.from,
                     .dst = pinger.opt.target,
                     .id = pinger.id,
                     .seq = seq,
                     .data = pinger.data,
                     .data_len = DATA_LEN};
    struct wait w = {.seq = seq};
    uint64_t sent;
    size_t i, n;
    int rc;

    sent = miou_clock_monotonic();
    put64(pinger.data, sent);
    for (i = 8; i < DATA_LEN; i++)
        pinger.data[i] = (uint8_t)(i + seq);
    n = echo_request_build(tx, sizeof tx, pinger.info.mac, pinger.target_mac,
                           &e);
    rc = miou_net_write(pinger.net, tx, n);
    if (rc != 0)
        return rc;
    rc = wait_reply(&w, pinger.opt.timeout);
    if (rc == 1)
        *rtt = w.when - sent;
    return rc;
}

/* Write (ns) as milliseconds with 3 decimals into (buf) of 32 bytes
 * (integers only: exact, and no floating point in the unikernel). */
static const char *ms(uint64_t ns, char *buf)
{
    uint64_t us = (ns + 500) / 1000;

    snprintf(buf, 32, "%llu.%03llu", (unsigned long long)(us / 1000),
             (unsigned long long)(us % 1000));
    return buf;
}

struct tally {
    uint64_t sent, received;
    uint64_t min, max, sum; /* round-trip times, ns */
};

static void print_summary(const struct tally *t)
{
    char ip[IPV4_STRLEN], a[32], b[32], c[32];
    uint64_t loss = (t->sent - t->received) * 100 / t->sent;

    say("--- %s ping statistics ---\n", ipv4_format(pinger.opt.target, ip));
    say("%llu packets transmitted, %llu received, %llu%% packet loss\n",
        (unsigned long long)t->sent, (unsigned long long)t->received,
        (unsigned long long)loss);
    if (t->received > 0)
        say("rtt min/avg/max = %s/%s/%s ms\n", ms(t->min, a),
            ms(t->sum / t->received, b), ms(t->max, c));
    if (pinger.late > 0 || pinger.corrupt > 0)
        say("%llu late replies, %llu replies with other data\n",
            (unsigned long long)pinger.late,
            (unsigned long long)pinger.corrupt);
}

/* Ping opt.count times; returns 0 when every request was answered. */
static int run_pings(void)
{
    struct tally t = {.min = UINT64_MAX};
    char ip[IPV4_STRLEN], rtt_ms[32];
    uint64_t start = miou_clock_monotonic(), rtt = 0;
    int rc = 0;

    while (t.sent < pinger.opt.count) {
        uint16_t seq = (uint16_t)(t.sent + 1);

        rc = ping_once(seq, &rtt);
        if (rc < 0)
            break;
        t.sent++;
        if (rc == 1) {
            t.received++;
            t.sum += rtt;
            t.min = rtt < t.min ? rtt : t.min;
            t.max = rtt > t.max ? rtt : t.max;
            say("%d bytes from %s: icmp_seq=%u time=%s ms\n",
                ICMP_HLEN + DATA_LEN, ipv4_format(pinger.opt.target, ip),
                (unsigned)seq, ms(rtt, rtt_ms));
        } else {
            say("no reply from %s: icmp_seq=%u\n",
                ipv4_format(pinger.opt.target, ip), (unsigned)seq);
        }
        if (pinger.opt.interval > 0 && t.sent < pinger.opt.count &&
            miou_sleep_until(start + t.sent * pinger.opt.interval) != 0)
            break;
    }
    if (rc < 0)
        fail("cannot ping", rc);
    if (t.sent > 0)
        print_summary(&t);
    return rc >= 0 && t.received == pinger.opt.count ? 0 : 1;
}

static int pinger_run(void)
{
    char ip[IPV4_STRLEN], from[IPV4_STRLEN], mac[MAC_STRLEN];
    int err;

    err = miou_net_acquire("service", &pinger.net, &pinger.info);
    if (err != 0)
        return fail("cannot acquire net device 'service'", err);
    if (pinger.info.mtu > MTU_MAX ||
        pinger.info.mtu < ECHO_FRAME_LEN(DATA_LEN) - ETH_HLEN) {
        say("pinger: MTU %zu is outside what this example handles\n",
            pinger.info.mtu);
        return 1;
    }
    responder_init(&pinger.r, pinger.info.mac, pinger.opt.from);
    pinger.id = (uint16_t)(miou_clock_wall() / 1000);
    say("PING %s from %s (%s): %d data bytes\n",
        ipv4_format(pinger.opt.target, ip), ipv4_format(pinger.opt.from, from),
        mac_format(pinger.info.mac, mac), DATA_LEN);
    err = resolve();
    if (err != 0) {
        say("pinger: no ARP reply from %s: %s\n", ip, miou_strerror(err));
        return 1;
    }
    say("pinger: %s is at %s\n", ip, mac_format(pinger.target_mac, mac));
    return run_pings();
}

static void *pinger_main(void *arg)
{
    int *status = arg;
    *status = pinger_run();
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    return example_main(si, "pinger", options, pinger_main);
}
