/*
 * test_tcpip.c - the TCP/IP layer (miou_tcpip.h) from inside one
 * unikernel: its tasks talk TCP and UDP to the interface's own addresses,
 * IPv4 and IPv6, which lwIP loops back, so no peer is needed. Run with the net
 * device "service" attached to anything (scripts/test.sh gives it a unix:
 * socket that nobody reads).
 *
 * Each case opens the stack in a run of its own and closes it, then
 * checks lwIP's counters: no connection, listener, socket, segment or
 * packet buffer may be left in use.
 */
#include <stdio.h>
#include <string.h>

#include <miou.h>
#include <miou_tcpip.h>

#include "lib/check.h"
#include "tcpip/port/chksum.h"

#define PORT 7
#define SECOND 1000000000ull
#define FOREVER MIOU_TCPIP_FOREVER

/* The interface's addresses: 10.0.0.2 and fd00::2. */
static const miou_ipaddr self4 = {MIOU_IP_V4, {10, 0, 0, 2}, 0};
static const miou_ipaddr self6 = {
    MIOU_IP_V6,
    {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
    0};
#define SELF (&self4)

static const struct miou_tcpip_config config = {
    .device = "service",
    .address = MIOU_IPV4(10, 0, 0, 2),
    .netmask = MIOU_IPV4(255, 255, 255, 0),
    .address6 = {MIOU_IP_V6,
                 {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
                 0}};

static uint64_t in(uint64_t ns)
{
    return miou_clock_monotonic() + ns;
}

/* Bytes that depend on their position and a seed. */
static void pattern(uint8_t *buf, size_t n, size_t from, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)((from + i) * 2654435761u >> 13 ^ seed);
}

/* Run (fn) as the first task with the stack open around it. */
struct with_stack {
    void (*fn)(miou_tcpip *s);
};

static void *stack_main(void *arg)
{
    struct with_stack *w = arg;
    miou_tcpip *s;
    if (!CHECK_RC(miou_tcpip_open(&config, &s), 0))
        return NULL;
    if (w->fn)
        w->fn(s);
    CHECK_RC(miou_tcpip_close(s), 0);
    return NULL;
}

/* Run (fn) as the first task; then check that lwIP holds nothing. */
static void run_and_check(miou_fn fn, void *arg)
{
    CHECK_RC(miou_run(NULL, fn, arg, NULL), 0);
    struct miou_tcpip_stats st;
    CHECK_RC(miou_tcpip_stats(NULL, &st), 0);
    CHECK_UEQ(st.tcp_pcbs, 0);
    CHECK_UEQ(st.tcp_listen_pcbs, 0);
    CHECK_UEQ(st.udp_pcbs, 0);
    CHECK_UEQ(st.segments, 0);
    CHECK_UEQ(st.pbufs, 0);
    /* A packet buffer of RAM left behind would show here. */
    CHECK_UEQ(st.heap_bytes, 0);
}

static void run_with_stack(void (*fn)(miou_tcpip *s))
{
    struct with_stack w = {fn};
    run_and_check(stack_main, &w);
}

/* ---- An echo server on the stack's own address ------------------------- */

struct server {
    miou_tcp_listener *l;
    uint64_t served;
};

static void *echo_conn(void *arg)
{
    miou_tcp *c = arg;
    uint8_t buf[4096];
    for (;;) {
        long n = miou_tcp_read(c, buf, sizeof buf, FOREVER);
        if (n <= 0)
            break;
        if (miou_tcp_write(c, buf, (size_t)n, FOREVER) != n)
            break;
    }
    miou_tcp_close(c);
    return NULL;
}

/* Accept (max) connections, serving each in a task of its own. */
static void *echo_server(void *arg)
{
    struct server *sv = arg;
    miou_task *conns[16];
    size_t n = 0;
    while (n < 16) {
        miou_tcp *c;
        if (miou_tcp_accept(sv->l, FOREVER, &c) != 0)
            break;
        if (miou_async(&conns[n], echo_conn, c) != 0) {
            miou_tcp_close(c);
            break;
        }
        n++;
        sv->served++;
    }
    miou_await_all(conns, n, NULL, NULL);
    return NULL;
}

struct transfer {
    miou_tcp *c;
    size_t bytes;
    unsigned seed;
    long result; /* bytes moved, or the error */
};

static void *send_all(void *arg)
{
    struct transfer *t = arg;
    uint8_t buf[3000];
    size_t done = 0;
    while (done < t->bytes) {
        size_t n = t->bytes - done < sizeof buf ? t->bytes - done : sizeof buf;
        pattern(buf, n, done, t->seed);
        long r = miou_tcp_write(t->c, buf, n, FOREVER);
        if (r < 0) {
            t->result = r;
            return NULL;
        }
        done += n;
    }
    t->result = (long)done;
    return NULL;
}

/* Read until EOF, comparing with the pattern; the count or the error. */
static void *receive_all(void *arg)
{
    struct transfer *t = arg;
    uint8_t buf[5000], want[5000];
    size_t done = 0;
    for (;;) {
        long r = miou_tcp_read(t->c, buf, sizeof buf, in(10 * SECOND));
        if (r < 0) {
            t->result = r;
            return NULL;
        }
        if (r == 0)
            break;
        pattern(want, (size_t)r, done, t->seed);
        if (memcmp(buf, want, (size_t)r) != 0) {
            check_note("byte %zu differs", done);
            t->result = MIOU_EIO;
            return NULL;
        }
        done += (size_t)r;
    }
    t->result = (long)done;
    return NULL;
}

static void echo_of_a_megabyte_to(miou_tcpip *s, const miou_ipaddr *to)
{
    struct server sv = {NULL, 0};
    miou_task *server, *sender, *receiver;
    if (!CHECK_RC(miou_tcp_listen(s, PORT, 8, &sv.l), 0))
        return;
    CHECK_RC(miou_async(&server, echo_server, &sv), 0);
    miou_tcp *c;
    if (CHECK_RC(miou_tcp_connect(s, to, PORT, in(5 * SECOND), &c), 0)) {
        struct transfer out = {c, 1 << 20, 7, 0}, back = {c, 1 << 20, 7, 0};
        CHECK_RC(miou_async(&sender, send_all, &out), 0);
        CHECK_RC(miou_async(&receiver, receive_all, &back), 0);
        CHECK_RC(miou_await(sender, NULL), 0);
        CHECK_EQ(out.result, 1 << 20);
        CHECK_RC(miou_tcp_shutdown(c), 0);
        CHECK_RC(miou_await(receiver, NULL), 0);
        CHECK_EQ(back.result, 1 << 20);
        miou_ipaddr addr;
        uint16_t port;
        CHECK_RC(miou_tcp_peer(c, &addr, &port), 0);
        CHECK(miou_ipaddr_equal(&addr, to));
        CHECK_UEQ(port, PORT);
        CHECK_RC(miou_tcp_local(c, &addr, &port), 0);
        CHECK(miou_ipaddr_equal(&addr, to));
        CHECK_UGE(port, 1024);
        CHECK_RC(miou_tcp_close(c), 0);
    }
    CHECK_RC(miou_tcp_listener_close(sv.l), 0);
    CHECK_RC(miou_await(server, NULL), 0);
    CHECK_UEQ(sv.served, 1);
}

static void echo_of_a_megabyte(miou_tcpip *s)
{
    echo_of_a_megabyte_to(s, &self4);
}

static void echo_of_a_megabyte_v6(miou_tcpip *s)
{
    echo_of_a_megabyte_to(s, &self6);
}

static void a_megabyte_echoes_back_intact(void)
{
    run_with_stack(echo_of_a_megabyte);
}

static void a_megabyte_echoes_back_intact_over_ipv6(void)
{
    run_with_stack(echo_of_a_megabyte_v6);
}

/* ---- Back-pressure --------------------------------------------------- */

static void writer_blocks_on_a_peer_that_does_not_read(miou_tcpip *s)
{
    miou_tcp_listener *l;
    miou_tcp *c, *peer;
    if (!CHECK_RC(miou_tcp_listen(s, PORT, 1, &l), 0))
        return;
    if (CHECK_RC(miou_tcp_connect(s, SELF, PORT, in(SECOND), &c), 0) &&
        CHECK_RC(miou_tcp_accept(l, in(SECOND), &peer), 0)) {
        /* The peer never reads: what the writer may queue is bounded by
         * its send buffer and the peer's window. */
        static uint8_t chunk[8192];
        size_t written = 0;
        long r = 0;
        while (written < (64u << 20)) {
            r = miou_tcp_write(c, chunk, sizeof chunk, in(MS(200)));
            if (r < 0)
                break;
            written += (size_t)r;
        }
        CHECK_RC((int)r, MIOU_ETIMEDOUT);
        CHECK_ULE(written, 2 * 65535 + sizeof chunk);
        CHECK_UGE(written, 32768);
        check_note("%zu bytes accepted before the writer was held", written);
        /* Reading opens the window: the writer goes on. */
        static uint8_t buf[65536];
        CHECK_GT(miou_tcp_read(peer, buf, sizeof buf, in(SECOND)), 0);
        CHECK_EQ(miou_tcp_write(c, chunk, 100, in(SECOND)), 100);
        CHECK_RC(miou_tcp_abort(peer), 0);
        CHECK_RC(miou_tcp_close(c), 0);
    }
    CHECK_RC(miou_tcp_listener_close(l), 0);
}

static void a_full_send_buffer_suspends_the_writer(void)
{
    run_with_stack(writer_blocks_on_a_peer_that_does_not_read);
}

/* ---- Errors -------------------------------------------------------------- */

static void errors_of_connect_listen_and_accept(miou_tcpip *s)
{
    miou_tcp *c;
    miou_tcp_listener *l, *l2;
    miou_tcpip *again;
    CHECK_RC(miou_tcp_connect(s, SELF, 9, in(SECOND), &c), MIOU_ECONNREFUSED);
    CHECK_RC(miou_tcp_connect(s, &self6, 9, in(SECOND), &c), MIOU_ECONNREFUSED);
    miou_ipaddr none = {0};
    CHECK_RC(miou_tcp_connect(s, &none, PORT, FOREVER, &c), MIOU_EINVAL);
    CHECK_RC(miou_tcp_connect(s, NULL, PORT, FOREVER, &c), MIOU_EINVAL);
    if (CHECK_RC(miou_tcp_listen(s, PORT, 4, &l), 0)) {
        CHECK_RC(miou_tcp_listen(s, PORT, 4, &l2), MIOU_EADDRINUSE);
        uint64_t t0 = miou_clock_monotonic();
        CHECK_RC(miou_tcp_accept(l, in(MS(50)), &c), MIOU_ETIMEDOUT);
        CHECK_UGE(miou_clock_monotonic() - t0, MS(50));
        CHECK_RC(miou_tcp_listener_close(l), 0);
    }
    CHECK_RC(miou_tcpip_open(&config, &again), MIOU_EBUSY);
    CHECK_RC(miou_tcp_listen(NULL, PORT, 4, &l), MIOU_EINVAL);
    CHECK_RC(miou_tcp_listen(s, PORT, 0, &l), MIOU_EINVAL);
    CHECK_RC(miou_tcp_connect(s, SELF, 0, FOREVER, &c), MIOU_EINVAL);
    CHECK_RC((int)miou_tcp_read(NULL, &c, 1, FOREVER), MIOU_EINVAL);
    uint32_t a = 0;
    CHECK_RC(miou_ipv4_parse("10.0.0.256", &a), MIOU_EINVAL);
    CHECK_RC(miou_ipv4_parse("10.0.0", &a), MIOU_EINVAL);
    CHECK_RC(miou_ipv4_parse("192.168.1.20", &a), 0);
    CHECK_UEQ(a, MIOU_IPV4(192, 168, 1, 20));
    char text[16];
    CHECK_STR_EQ(miou_ipv4_format(a, text), "192.168.1.20");
}

/* ---- Addresses as text ------------------------------------------------- */

/* (text) parses, and is written back as (canonical). */
static void round_trip(const char *text, const char *canonical)
{
    miou_ipaddr a;
    char out[MIOU_IPADDR_STRLEN];
    if (!CHECK_RC(miou_ipaddr_parse(text, &a), 0)) {
        check_note("'%s' was refused", text);
        return;
    }
    if (!CHECK_STR_EQ(miou_ipaddr_format(&a, out, sizeof out), canonical))
        check_note("'%s'", text);
}

static void addresses_are_read_and_written_as_the_rfcs_say(void)
{
    round_trip("10.0.0.2", "10.0.0.2");
    round_trip("fd00::2", "fd00::2");
    round_trip("FD00:0:0:0:0:0:0:2", "fd00::2");
    round_trip("::", "::");
    round_trip("::1", "::1");
    round_trip("1::", "1::");
    round_trip("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
    round_trip("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
    round_trip("2001:0db8:0000:0000:0000:ff00:0042:8329",
               "2001:db8::ff00:42:8329");
    round_trip("::ffff:10.0.0.2", "::ffff:10.0.0.2");
    round_trip("fe80::1%1", "fe80::1%1");
    round_trip("fe80::1%0", "fe80::1");
    round_trip("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
    round_trip("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8");
    static const char *const bad[] = {"",
                                      ":",
                                      ":::",
                                      "1:2",
                                      "1::2::3",
                                      "1:2:3:4:5:6:7:8:9",
                                      "12345::",
                                      "fe80::1%",
                                      "fe80::1%x",
                                      "fe80::1%4294967296",
                                      "::ffff:10.0.0",
                                      "1:2:3:4:5:6:7:8::",
                                      "g::1",
                                      "1:",
                                      ":1",
                                      "10.0.0.2%1",
                                      "1.2.3.4::",
                                      "::1.2.3.4.5",
                                      "1:2:3:4:5:6:7:1.2.3.4"};
    miou_ipaddr a = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (!CHECK_RC(miou_ipaddr_parse(bad[i], &a), MIOU_EINVAL))
            check_note("'%s' was taken", bad[i]);
    CHECK_UEQ(a.family, MIOU_IP_NONE); /* untouched */
    miou_ipaddr v4 = miou_ipaddr_v4(MIOU_IPV4(192, 168, 1, 20));
    CHECK_UEQ(miou_ipaddr_get_v4(&v4), MIOU_IPV4(192, 168, 1, 20));
    CHECK_UEQ(miou_ipaddr_get_v4(&self6), 0);
    CHECK(miou_ipaddr_equal(&self4, SELF));
    CHECK(!miou_ipaddr_equal(&self4, &self6));
    char small[4];
    CHECK_STR_EQ(miou_ipaddr_format(&self6, small, sizeof small), "");
    CHECK_STR_EQ(miou_ipaddr_format(&a, small, sizeof small), "");
    char out[MIOU_IPADDR_STRLEN];
    CHECK_STR_EQ(miou_ipaddr_format(&a, out, sizeof out), "none");
}

static void errors_come_as_codes(void)
{
    run_with_stack(errors_of_connect_listen_and_accept);
    struct miou_tcpip_config bad = config;
    bad.netmask = MIOU_IPV4(255, 0, 255, 0);
    miou_tcpip *s;
    CHECK_RC(miou_tcpip_open(&bad, &s), MIOU_EINVAL);
}

/* ---- Half-close and reset ---------------------------------------------- */

static void half_close_then_reset(miou_tcpip *s)
{
    miou_tcp_listener *l;
    miou_tcp *c, *peer;
    if (!CHECK_RC(miou_tcp_listen(s, PORT, 2, &l), 0))
        return;
    if (CHECK_RC(miou_tcp_connect(s, SELF, PORT, in(SECOND), &c), 0) &&
        CHECK_RC(miou_tcp_accept(l, in(SECOND), &peer), 0)) {
        char buf[64];
        CHECK_RC(miou_tcp_set_nodelay(c, 1), 0);
        CHECK_RC(miou_tcp_set_nodelay(c, 0), 0);
        CHECK_RC(miou_tcp_set_nodelay(NULL, 1), MIOU_EINVAL);
        CHECK_EQ(miou_tcp_write(c, "question", 8, in(SECOND)), 8);
        CHECK_RC(miou_tcp_shutdown(c), 0);
        CHECK_RC((int)miou_tcp_write(c, "more", 4, in(SECOND)), MIOU_EPIPE);
        /* The peer reads the bytes, then the end... */
        CHECK_EQ(miou_tcp_read(peer, buf, sizeof buf, in(SECOND)), 8);
        CHECK_EQ(miou_tcp_read(peer, buf, sizeof buf, in(SECOND)), 0);
        /* ...and may still answer on its own side. */
        CHECK_EQ(miou_tcp_write(peer, "answer", 6, in(SECOND)), 6);
        CHECK_EQ(miou_tcp_read(c, buf, sizeof buf, in(SECOND)), 6);
        CHECK(memcmp(buf, "answer", 6) == 0);
        /* A reset reaches the other side's next read. */
        CHECK_RC(miou_tcp_abort(peer), 0);
        CHECK_RC((int)miou_tcp_read(c, buf, sizeof buf, in(SECOND)),
                 MIOU_ECONNRESET);
        CHECK_RC(miou_tcp_close(c), 0);
    }
    CHECK_RC(miou_tcp_listener_close(l), 0);
}

static void half_close_and_reset_reach_the_peer(void)
{
    run_with_stack(half_close_then_reset);
}

/* ---- Cancellation ---------------------------------------------------------
 */

struct blocked {
    miou_tcp_listener *l;
    miou_tcp *c;
    int rc;
};

static void *block_in_accept(void *arg)
{
    struct blocked *b = arg;
    miou_tcp *c;
    b->rc = miou_tcp_accept(b->l, FOREVER, &c);
    return NULL;
}

static void *block_in_read(void *arg)
{
    struct blocked *b = arg;
    char buf[16];
    b->rc = (int)miou_tcp_read(b->c, buf, sizeof buf, FOREVER);
    return NULL;
}

static void *block_in_write(void *arg)
{
    struct blocked *b = arg;
    static uint8_t chunk[65536];
    long r;
    do
        r = miou_tcp_write(b->c, chunk, sizeof chunk, FOREVER);
    while (r > 0);
    b->rc = (int)r;
    return NULL;
}

static void cancel_blocked_calls(miou_tcpip *s)
{
    miou_tcp_listener *l;
    miou_tcp *c, *peer;
    miou_task *t[3];
    if (!CHECK_RC(miou_tcp_listen(s, PORT, 2, &l), 0))
        return;
    if (CHECK_RC(miou_tcp_connect(s, SELF, PORT, in(SECOND), &c), 0) &&
        CHECK_RC(miou_tcp_accept(l, in(SECOND), &peer), 0)) {
        /* On (c): nothing comes to read, and the peer never reads what
         * is written. */
        struct blocked a = {l, NULL, 1}, r = {NULL, c, 1}, w = {NULL, c, 1};
        CHECK_RC(miou_async(&t[0], block_in_accept, &a), 0);
        CHECK_RC(miou_async(&t[1], block_in_read, &r), 0);
        CHECK_RC(miou_async(&t[2], block_in_write, &w), 0);
        CHECK_RC(miou_sleep(MS(100)), 0); /* all three are stuck now */
        for (int i = 0; i < 3; i++)
            CHECK_RC(miou_cancel(t[i]), 0);
        CHECK_RC(a.rc, MIOU_ECANCELED);
        CHECK_RC(r.rc, MIOU_ECANCELED);
        CHECK_RC(w.rc, MIOU_ECANCELED);
        CHECK_RC(miou_tcp_close(peer), 0);
        CHECK_RC(miou_tcp_close(c), 0);
    }
    CHECK_RC(miou_tcp_listener_close(l), 0);
}

static void cancelled_accept_read_and_write_release_everything(void)
{
    run_with_stack(cancel_blocked_calls);
}

/* A connect cancelled while the peer is silent leaves nothing behind:
 * addresses on the link that nobody answers, so that ARP and neighbour
 * discovery never resolve them. */
static const miou_ipaddr nowhere4 = {MIOU_IP_V4, {10, 0, 0, 77}, 0};
static const miou_ipaddr nowhere6 = {
    MIOU_IP_V6,
    {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77},
    0};

struct connecting {
    miou_tcpip *s;
    const miou_ipaddr *to;
    int rc;
};

static void *connect_nowhere(void *arg)
{
    struct connecting *k = arg;
    miou_tcp *c;
    k->rc = miou_tcp_connect(k->s, k->to, PORT, FOREVER, &c);
    return NULL;
}

static void cancel_a_connect(miou_tcpip *s)
{
    for (int v6 = 0; v6 < 2; v6++) {
        const miou_ipaddr *to = v6 ? &nowhere6 : &nowhere4;
        struct connecting k = {s, to, 1};
        miou_task *t;
        miou_tcp *c;
        CHECK_RC(miou_async(&t, connect_nowhere, &k), 0);
        CHECK_RC(miou_sleep(MS(50)), 0);
        CHECK_RC(miou_cancel(t), 0);
        CHECK_RC(k.rc, MIOU_ECANCELED);
        CHECK_RC(miou_tcp_connect(s, to, PORT, in(MS(50)), &c), MIOU_ETIMEDOUT);
    }
}

static void a_cancelled_or_timed_out_connect_leaves_nothing(void)
{
    run_with_stack(cancel_a_connect);
}

/* Closing the stack under blocked tasks wakes them with an error. */
static void *read_until_error(void *arg)
{
    struct blocked *b = arg;
    char buf[16];
    b->rc = (int)miou_tcp_read(b->c, buf, sizeof buf, FOREVER);
    return NULL;
}

static void *stack_close_main(void *arg)
{
    (void)arg;
    miou_tcpip *s;
    miou_tcp_listener *l;
    miou_tcp *c, *peer;
    miou_task *t;
    if (!CHECK_RC(miou_tcpip_open(&config, &s), 0))
        return NULL;
    if (CHECK_RC(miou_tcp_listen(s, PORT, 2, &l), 0) &&
        CHECK_RC(miou_tcp_connect(s, SELF, PORT, in(SECOND), &c), 0) &&
        CHECK_RC(miou_tcp_accept(l, in(SECOND), &peer), 0)) {
        struct blocked b = {NULL, c, 1};
        CHECK_RC(miou_async(&t, read_until_error, &b), 0);
        CHECK_RC(miou_sleep(MS(20)), 0);
        CHECK_RC(miou_tcpip_close(s), 0);
        CHECK_RC(miou_await(t, NULL), 0);
        CHECK_RC(b.rc, MIOU_ECONNABORTED);
        /* The objects are still their owners', to close. */
        CHECK_RC((int)miou_tcp_write(peer, "x", 1, FOREVER), MIOU_ECONNABORTED);
        CHECK_RC(miou_tcp_close(c), 0);
        CHECK_RC(miou_tcp_close(peer), 0);
        CHECK_RC(miou_tcp_listener_close(l), 0);
    } else {
        miou_tcpip_close(s);
    }
    return NULL;
}

static void closing_the_stack_wakes_blocked_tasks(void)
{
    CHECK_RC(miou_run(NULL, stack_close_main, NULL, NULL), 0);
    struct miou_tcpip_stats st;
    CHECK_RC(miou_tcpip_stats(NULL, &st), 0);
    CHECK_UEQ(st.tcp_pcbs + st.tcp_listen_pcbs + st.pbufs + st.segments, 0);
    run_with_stack(NULL); /* and the heap is back to its timers */
}

/* ---- UDP ------------------------------------------------------------------
 */

static void udp_to_itself(miou_tcpip *s)
{
    miou_udp *a, *b;
    if (!CHECK_RC(miou_udp_bind(s, 5000, 4, &a), 0))
        return;
    if (CHECK_RC(miou_udp_bind(s, 5001, 0, &b), 0)) {
        CHECK_RC(miou_udp_bind(s, 5001, 0, &b), MIOU_EADDRINUSE);
        char buf[2000], big[1800];
        miou_ipaddr from;
        uint16_t port;
        pattern((uint8_t *)big, sizeof big, 0, 3);
        /* One socket takes both families. */
        for (int v6 = 0; v6 < 2; v6++) {
            const miou_ipaddr *to = v6 ? &self6 : &self4;
            CHECK_RC(miou_udp_send(a, to, 5001, big, sizeof big), 0);
            CHECK_EQ(
                miou_udp_recv(b, buf, sizeof buf, &from, &port, in(SECOND)),
                (long)sizeof big);
            CHECK(memcmp(buf, big, sizeof big) == 0);
            CHECK(miou_ipaddr_equal(&from, to));
            CHECK_UEQ(port, 5000);
        }
        /* A short buffer gets the start; the length is the datagram's. */
        CHECK_RC(miou_udp_send(b, SELF, 5000, big, 100), 0);
        CHECK_EQ(miou_udp_recv(a, buf, 10, NULL, NULL, in(SECOND)), 100);
        /* Beyond the queue's bound, datagrams are dropped. */
        for (int i = 0; i < 10; i++)
            CHECK_RC(miou_udp_send(b, SELF, 5000, &i, sizeof i), 0);
        int got = 0;
        while (miou_udp_recv(a, buf, sizeof buf, NULL, NULL, in(MS(20))) > 0)
            got++;
        CHECK_EQ(got, 4);
        CHECK_RC((int)miou_udp_recv(a, buf, sizeof buf, NULL, NULL, in(MS(10))),
                 MIOU_ETIMEDOUT);
        CHECK_RC(miou_udp_send(a, SELF, 5001, buf, 70000), MIOU_EMSGSIZE);
        CHECK_RC(miou_udp_send(a, NULL, 5001, buf, 1), MIOU_EINVAL);
        static char huge[65488];
        CHECK_RC(miou_udp_send(a, &self6, 5001, huge, sizeof huge),
                 MIOU_EMSGSIZE);
        CHECK_RC(miou_udp_send(a, &self6, 5001, huge, sizeof huge - 1), 0);
        CHECK_EQ(miou_udp_recv(b, huge, sizeof huge, NULL, NULL, in(SECOND)),
                 (long)sizeof huge - 1);
        CHECK_RC(miou_udp_close(b), 0);
    }
    CHECK_RC(miou_udp_close(a), 0);
}

static void udp_datagrams_go_and_come_back(void)
{
    run_with_stack(udp_to_itself);
}

/* ---- IPv6 addresses of the interface ----------------------------------- */

static void *link_local_main(void *arg)
{
    (void)arg;
    struct miou_tcpip_config c = {.device = "service", .ipv6 = 1};
    miou_tcpip *s;
    miou_ipaddr a[4];
    char text[MIOU_IPADDR_STRLEN];
    if (!CHECK_RC(miou_tcpip_open(&c, &s), 0))
        return NULL;
    /* Tentative first: duplicate address detection takes a second or
     * two, which nobody on this link answers. */
    CHECK_EQ(miou_tcpip_addresses(s, a, 4), 0);
    CHECK_RC(miou_tcpip_wait_address(s, in(5 * SECOND)), 0);
    if (CHECK_EQ(miou_tcpip_addresses(s, a, 4), 1)) {
        CHECK_UEQ(a[0].family, MIOU_IP_V6);
        CHECK_UEQ(a[0].bytes[0], 0xfe);
        CHECK_UEQ(a[0].bytes[1], 0x80);
        check_note("link-local address %s",
                   miou_ipaddr_format(&a[0], text, sizeof text));
        /* Its own link-local address answers. */
        miou_tcp_listener *l;
        miou_tcp *cl, *peer;
        if (CHECK_RC(miou_tcp_listen(s, PORT, 1, &l), 0)) {
            if (CHECK_RC(miou_tcp_connect(s, &a[0], PORT, in(SECOND), &cl),
                         0)) {
                CHECK_RC(miou_tcp_accept(l, in(SECOND), &peer), 0);
                CHECK_RC(miou_tcp_close(peer), 0);
                CHECK_RC(miou_tcp_close(cl), 0);
            }
            CHECK_RC(miou_tcp_listener_close(l), 0);
        }
    }
    /* No IPv4 here: nowhere to send from. */
    miou_tcp *c4;
    CHECK_RC(miou_tcp_connect(s, &nowhere4, PORT, in(SECOND), &c4),
             MIOU_EHOSTUNREACH);
    CHECK_RC(miou_tcpip_addresses(s, NULL, 1), MIOU_EINVAL);
    CHECK_RC(miou_tcpip_close(s), 0);
    return NULL;
}

static void a_link_local_address_comes_after_duplicate_detection(void)
{
    run_and_check(link_local_main, NULL);
    struct miou_tcpip_config bad = config;
    miou_tcpip *s;
    bad.address6 = self4;
    CHECK_RC(miou_tcpip_open(&bad, &s), MIOU_EINVAL);
}

static void *both_addresses_main(void *arg)
{
    (void)arg;
    miou_tcpip *s;
    miou_ipaddr a[4];
    if (!CHECK_RC(miou_tcpip_open(&config, &s), 0))
        return NULL;
    /* The static addresses at once; the link-local one, tentative, not
     * yet. */
    CHECK_RC(miou_tcpip_wait_address(s, in(SECOND)), 0);
    if (CHECK_EQ(miou_tcpip_addresses(s, a, 4), 2)) {
        CHECK(miou_ipaddr_equal(&a[0], &self4));
        CHECK(miou_ipaddr_equal(&a[1], &self6));
    }
    CHECK_EQ(miou_tcpip_addresses(s, a, 1), 2); /* how many there are */
    CHECK_RC(miou_tcpip_close(s), 0);
    return NULL;
}

static void static_addresses_of_both_families_are_there_at_once(void)
{
    run_and_check(both_addresses_main, NULL);
}

/* ---- Many connections: lwIP's table of them (src/tcpip/patches/) ----- */

/* Connections of a round: each is two lwIP pcbs (both ends are ours),
 * enough for the table of pcbs to double three times (from 256 buckets)
 * and, for those in TIME-WAIT, once more. */
#define MANY 600

struct pair {
    miou_tcp *client, *server;
    uint16_t port; /* the client's */
};

/* The (i)th of (n) in an order that is neither the order of creation nor
 * its reverse: pcbs leave the middle of lwIP's lists. */
static size_t scrambled(size_t i, size_t n)
{
    return (i * 7919u + 13) % n;
}

/* (n) connections to our own listener (l): each client connected, each
 * server end accepted and matched to its client by port. */
static int open_pairs(miou_tcpip *s, miou_tcp_listener *l, struct pair *p,
                      size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!CHECK_RC(
                miou_tcp_connect(s, SELF, PORT, in(5 * SECOND), &p[i].client),
                0))
            return 0;
        CHECK_RC(miou_tcp_local(p[i].client, NULL, &p[i].port), 0);
        p[i].server = NULL;
    }
    for (size_t k = 0; k < n; k++) {
        miou_tcp *c;
        uint16_t port;
        if (!CHECK_RC(miou_tcp_accept(l, in(5 * SECOND), &c), 0))
            return 0;
        CHECK_RC(miou_tcp_peer(c, NULL, &port), 0);
        size_t i = 0;
        while (i < n && p[i].port != port)
            i++;
        if (!CHECK_ULT(i, n) || !CHECK(p[i].server == NULL)) {
            miou_tcp_abort(c);
            return 0;
        }
        p[i].server = c;
    }
    return 1;
}

/* Each client, in a scrambled order, sends its own message; its server
 * end must read exactly that and send it back. */
static int exchange(struct pair *p, size_t n, unsigned round)
{
    for (size_t k = 0; k < n; k++) {
        size_t i = scrambled(k, n);
        char msg[32], got[32];
        int len = snprintf(msg, sizeof msg, "round %u pair %zu", round, i);
        if (!CHECK_EQ(
                miou_tcp_write(p[i].client, msg, (size_t)len, in(5 * SECOND)),
                len))
            return 0;
        long r = miou_tcp_read(p[i].server, got, sizeof got, in(5 * SECOND));
        if (!CHECK_EQ(r, len) || !CHECK(memcmp(got, msg, (size_t)len) == 0))
            return 0;
        CHECK_EQ(miou_tcp_write(p[i].server, got, (size_t)r, in(5 * SECOND)),
                 r);
        r = miou_tcp_read(p[i].client, got, sizeof got, in(5 * SECOND));
        if (!CHECK_EQ(r, len) || !CHECK(memcmp(got, msg, (size_t)len) == 0))
            return 0;
    }
    return 1;
}

/* Close every pair in a scrambled order, one end first, then the other
 * once it read the end: the end that closed first stays in TIME-WAIT. */
static void close_pairs(struct pair *p, size_t n)
{
    char byte;
    for (size_t k = 0; k < n; k++) {
        size_t i = scrambled(k, n);
        miou_tcp *first = k % 2 ? p[i].client : p[i].server;
        miou_tcp *second = k % 2 ? p[i].server : p[i].client;
        CHECK_RC(miou_tcp_close(first), 0);
        CHECK_EQ(miou_tcp_read(second, &byte, 1, in(5 * SECOND)), 0);
        CHECK_RC(miou_tcp_close(second), 0);
    }
}

static void many_connections(miou_tcpip *s)
{
    static struct pair p[MANY], q[MANY];
    miou_tcp_listener *l;
    struct miou_tcpip_stats st;
    if (!CHECK_RC(miou_tcp_listen(s, PORT, MANY, &l), 0))
        return;
    if (open_pairs(s, l, p, MANY) && exchange(p, MANY, 1) &&
        exchange(p, MANY, 2)) {
        close_pairs(p, MANY);
        /* One pcb in TIME-WAIT per pair; new connections beside them. */
        CHECK_RC(miou_tcpip_stats(s, &st), 0);
        CHECK_UEQ(st.tcp_pcbs, MANY);
        if (open_pairs(s, l, q, MANY) && exchange(q, MANY, 3)) {
            CHECK_RC(miou_tcpip_stats(s, &st), 0);
            CHECK_UEQ(st.tcp_pcbs, 3 * MANY);
            for (size_t k = 0; k < MANY; k++) {
                size_t i = scrambled(k, MANY);
                CHECK_RC(miou_tcp_abort(q[i].client), 0);
                CHECK_RC(miou_tcp_abort(q[i].server), 0);
            }
        }
    }
    CHECK_RC(miou_tcp_listener_close(l), 0);
    /* What is left is in TIME-WAIT: closing the stack frees it, and then
     * lwIP's heap (its table of pcbs included) must be empty. */
}

static void many_connections_find_their_own_bytes(void)
{
    run_with_stack(many_connections);
}

/* RFC 1071's sum as written: 16-bit words in memory order, an odd last
 * byte padded with zero, folded. */
static uint16_t chksum_reference(const unsigned char *p, size_t n)
{
    uint32_t sum = 0;
    uint16_t w;
    for (; n >= 2; p += 2, n -= 2) {
        memcpy(&w, p, 2);
        sum += w;
    }
    if (n) {
        w = 0;
        memcpy(&w, p, 1);
        sum += w;
    }
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return (uint16_t)sum;
}

static void checksum_is_rfc_1071s_sum(void)
{
    static unsigned char buf[65536 + 8];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    size_t i, off, n;
    for (i = 0; i < sizeof buf; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        buf[i] = (unsigned char)((x * 0x2545f4914f6cdd1dull) >> 56);
    }
    /* Every length up to 300 at every alignment: the tails, the words. */
    for (off = 0; off < 8; off++)
        for (n = 0; n <= 300; n++)
            if (!CHECK_UEQ(miou_tcpip__chksum(buf + off, (int)n),
                           chksum_reference(buf + off, n)))
                return;
    /* Sums that carry the most: all ones, all but a byte, up to 64 KiB. */
    memset(buf, 0xff, sizeof buf);
    buf[1001] = 0xfe;
    for (n = 1; n <= 65536; n = n * 3 + 1)
        for (off = 0; off < 2; off++)
            if (!CHECK_UEQ(miou_tcpip__chksum(buf + off, (int)n),
                           chksum_reference(buf + off, n)))
                return;
    CHECK_UEQ(miou_tcpip__chksum(buf, 65535), chksum_reference(buf, 65535));
    CHECK_UEQ(miou_tcpip__chksum(buf, 0), 0);
}

static const struct check_case cases[] = {
    {"a megabyte echoes back intact", a_megabyte_echoes_back_intact},
    {"a megabyte echoes back intact over IPv6",
     a_megabyte_echoes_back_intact_over_ipv6},
    {"addresses are read and written as RFC 4291 and RFC 5952 say",
     addresses_are_read_and_written_as_the_rfcs_say},
    {"a full send buffer suspends the writer until the peer reads",
     a_full_send_buffer_suspends_the_writer},
    {"errors come as codes (refused, in use, timed out, busy, invalid)",
     errors_come_as_codes},
    {"half-close and reset reach the peer",
     half_close_and_reset_reach_the_peer},
    {"cancelled accept, read and write release everything",
     cancelled_accept_read_and_write_release_everything},
    {"a cancelled or timed-out connect leaves nothing",
     a_cancelled_or_timed_out_connect_leaves_nothing},
    {"closing the stack wakes blocked tasks with MIOU_ECONNABORTED",
     closing_the_stack_wakes_blocked_tasks},
    {"UDP datagrams go and come back, bounded queue",
     udp_datagrams_go_and_come_back},
    {"static addresses of both families are there at once",
     static_addresses_of_both_families_are_there_at_once},
    {"a link-local address comes after duplicate address detection",
     a_link_local_address_comes_after_duplicate_detection},
    {"the checksum is RFC 1071's sum at every length, alignment and carry",
     checksum_is_rfc_1071s_sum},
    {"1,200 connections at once, closed in a scrambled order, each get "
     "their own bytes, beside 600 in TIME-WAIT",
     many_connections_find_their_own_bytes},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("tcpip", si, cases, CHECK_COUNT(cases));
}
