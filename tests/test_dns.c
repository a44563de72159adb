/*
 * test_dns.c - the resolver (miou_dns_resolve()) and connections by name
 * (miou_tcp_connect_name()) from inside one unikernel: a task of the test
 * is the DNS server, on port 53 of the interface's own addresses
 * (10.0.0.2 and fd00::2, which lwIP loops back), and answers by the
 * name's first label (see serve_query()), counting what it is asked.
 * The resolver is given both addresses as its servers, IPv4 first.
 *
 * Each case opens the stack in a run of its own and closes it, then
 * checks that lwIP holds nothing.
 */
#include <string.h>

#include <miou.h>
#include <miou_tcpip.h>

#include "lib/check.h"
#include "util/bytes.h"

#define SECOND 1000000000ull
#define FOREVER MIOU_TCPIP_FOREVER
#define PORT 7

static const miou_ipaddr self4 = {MIOU_IP_V4, {10, 0, 0, 2}, 0};
static const miou_ipaddr self6 = {
    MIOU_IP_V6,
    {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
    0};
/* An address on the link that nobody has: connections to it hang. */
static const uint8_t silent6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0,
                                    0,    0, 0, 0, 0, 0, 0, 0x77};

static struct miou_tcpip_config config = {
    .device = "service",
    .address = MIOU_IPV4(10, 0, 0, 2),
    .netmask = MIOU_IPV4(255, 255, 255, 0),
    .address6 = {MIOU_IP_V6,
                 {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
                 0},
    .dns = {
        {MIOU_IP_V4, {10, 0, 0, 2}, 0},
        {MIOU_IP_V6, {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, 0}}};

static uint64_t in(uint64_t ns)
{
    return miou_clock_monotonic() + ns;
}

/* ---- The DNS server ------------------------------------------------------
 */

struct server {
    miou_udp *udp;
    unsigned queries; /* asked, all names together */
};

/* An answer record for the question's name (a pointer to offset 12). */
static size_t record(uint8_t *p, unsigned type, unsigned ttl,
                     const uint8_t *data, size_t len)
{
    miou__put16(p, 0xc00c);
    miou__put16(p + 2, type);
    miou__put16(p + 4, 1);
    miou__put16(p + 6, ttl >> 16);
    miou__put16(p + 8, ttl & 0xffff);
    miou__put16(p + 10, (unsigned)len);
    memcpy(p + 12, data, len);
    return 12 + len;
}

/* The answer to the query (q) of (qlen) bytes into (out), by the first
 * label of its name:
 *   www     A 10.0.0.2 and AAAA fd00::2, TTL 60
 *   alias   a CNAME for www.test, then www.test's addresses
 *   v4only  A 10.0.0.2; no AAAA
 *   zero    A 10.0.0.2 with TTL 0: not to be kept
 *   short   A 10.0.0.2 with TTL 1
 *   nx      NXDOMAIN
 *   fail    SERVFAIL asked over IPv4, www's answer over IPv6
 *   junk    three wrong answers first (another ID, a pointer loop, a
 *           record cut short), then www's
 *   slow    no answer
 *   eyes    AAAA fd00::77, which nobody has, and A 10.0.0.2
 * Returns how many answers to send into (out) ((n) of them, each
 * (lens[i]) bytes), or 0 for none. */
static int serve_query(const uint8_t *q, size_t qlen, int over_v6,
                       uint8_t out[4][512], size_t lens[4])
{
    static const uint8_t a[4] = {10, 0, 0, 2};
    size_t qend = 12;
    while (qend < qlen && q[qend])
        qend += 1 + q[qend];
    qend += 5; /* the zero, type and class */
    if (qlen < 13 || qend > qlen || qend > 300)
        return 0;
    const uint8_t *label = q + 13;
    size_t llen = q[12];
    unsigned qtype = (unsigned)(q[qend - 4] << 8 | q[qend - 3]);
    int n = 0;
#define IS(word) (llen == sizeof word - 1 && memcmp(label, word, llen) == 0)
    if (IS("slow"))
        return 0;
    if (IS("junk")) {
        /* Each a whole answer, then spoilt. */
        for (; n < 3; n++) {
            memcpy(out[n], q, qend);
            out[n][2] = 0x81;
            out[n][3] = 0x80;
            miou__put16(out[n] + 6, 1);
            lens[n] = qend + record(out[n] + qend, qtype, 60, self6.bytes,
                                    qtype == 1 ? 4 : 16);
        }
        out[0][1] ^= 1; /* another ID */
        miou__put16(out[1] + qend,
                    0xc000 | (unsigned)qend); /* points at itself */
        lens[2] -= 3;                         /* cut short */
        label = (const uint8_t *)"www";
        llen = 3;
    }
    uint8_t *r = out[n];
    memcpy(r, q, qend);
    r[2] = 0x81; /* QR, RD */
    r[3] = 0x80; /* RA */
    size_t len = qend;
    unsigned count = 0;
    if (IS("nx")) {
        r[3] |= 3;
    } else if (IS("fail") && !over_v6) {
        r[3] |= 2;
    } else {
        int alias = IS("alias");
        int eyes = IS("eyes");
        if (alias) {
            /* www.test, its end a pointer to the question's "test". */
            uint8_t target[6] = {3, 'w', 'w', 'w', 0xc0, 18};
            len += record(r + len, 5, 300, target, sizeof target);
            count++;
        }
        /* The addresses' owner: the question, or www.test after it. */
        size_t owner = alias ? qend + 12 : 12;
        size_t before = len;
        if (qtype == 1 && IS("short"))
            len += record(r + len, 1, 1, a, 4);
        else if (qtype == 1 && !IS("zero"))
            len += record(r + len, 1, 60, a, 4);
        else if (qtype == 1)
            len += record(r + len, 1, 0, a, 4);
        else if (qtype == 28 && !IS("v4only") && !IS("zero"))
            len += record(r + len, 28, 60, eyes ? silent6 : self6.bytes, 16);
        if (len > before) {
            miou__put16(r + before, 0xc000 | (unsigned)owner);
            count++;
        }
    }
    miou__put16(r + 6, count);
    lens[n] = len;
    return n + 1;
#undef IS
}

static void *dns_server(void *arg)
{
    struct server *sv = arg;
    uint8_t q[512], out[4][512];
    size_t lens[4];
    for (;;) {
        miou_ipaddr from;
        uint16_t port;
        long n = miou_udp_recv(sv->udp, q, sizeof q, &from, &port, FOREVER);
        if (n < 0)
            break;
        sv->queries++;
        int k = serve_query(q, (size_t)n, from.family == MIOU_IP_V6, out, lens);
        for (int i = 0; i < k; i++)
            miou_udp_send(sv->udp, &from, port, out[i], lens[i]);
    }
    return NULL;
}

/* ---- Running a case -------------------------------------------------------
 */

struct with_dns {
    void (*fn)(miou_tcpip *s, struct server *sv);
    const struct miou_tcpip_config *config;
};

static void *dns_main(void *arg)
{
    struct with_dns *w = arg;
    struct server sv = {NULL, 0};
    miou_tcpip *s;
    miou_task *t = NULL;
    if (!CHECK_RC(miou_tcpip_open(w->config, &s), 0))
        return NULL;
    if (CHECK_RC(miou_udp_bind(s, 53, 0, &sv.udp), 0) &&
        CHECK_RC(miou_async(&t, dns_server, &sv), 0))
        w->fn(s, &sv);
    if (t)
        CHECK_RC(miou_cancel(t), 0);
    if (sv.udp)
        CHECK_RC(miou_udp_close(sv.udp), 0);
    CHECK_RC(miou_tcpip_close(s), 0);
    return NULL;
}

static void run_with(void (*fn)(miou_tcpip *s, struct server *sv),
                     const struct miou_tcpip_config *c)
{
    struct with_dns w = {fn, c};
    CHECK_RC(miou_run(NULL, dns_main, &w, NULL), 0);
    struct miou_tcpip_stats st;
    CHECK_RC(miou_tcpip_stats(NULL, &st), 0);
    CHECK_UEQ(st.tcp_pcbs + st.tcp_listen_pcbs + st.udp_pcbs, 0);
    CHECK_UEQ(st.pbufs + st.segments, 0);
    CHECK_UEQ(st.heap_bytes, 0);
}

static void run(void (*fn)(miou_tcpip *s, struct server *sv))
{
    run_with(fn, &config);
}

#define BOTH (MIOU_DNS_A | MIOU_DNS_AAAA)

/* ---- Names and addresses -------------------------------------------------
 */

static void both_families_then_the_cache(miou_tcpip *s, struct server *sv)
{
    miou_ipaddr a[4];
    if (CHECK_EQ(miou_dns_resolve(s, "www.test", BOTH, a, 4, in(SECOND)), 2)) {
        CHECK(miou_ipaddr_equal(&a[0], &self6));
        CHECK(miou_ipaddr_equal(&a[1], &self4));
    }
    CHECK_UEQ(sv->queries, 2);
    /* Again, in another case: from the cache, nothing asked. */
    CHECK_EQ(miou_dns_resolve(s, "WWW.Test.", BOTH, a, 4, in(SECOND)), 2);
    CHECK_EQ(miou_dns_resolve(s, "www.test", MIOU_DNS_A, a, 4, in(SECOND)), 1);
    CHECK(miou_ipaddr_equal(&a[0], &self4));
    CHECK_EQ(miou_dns_resolve(s, "www.test", BOTH, a, 1, in(SECOND)), 1);
    CHECK(miou_ipaddr_equal(&a[0], &self6));
    CHECK_UEQ(sv->queries, 2);
    /* Flushed: asked again. A TTL of 0 is never kept. */
    miou_dns_flush(s);
    CHECK_EQ(miou_dns_resolve(s, "www.test", BOTH, a, 4, in(SECOND)), 2);
    CHECK_UEQ(sv->queries, 4);
    CHECK_EQ(miou_dns_resolve(s, "zero.test", MIOU_DNS_A, a, 4, in(SECOND)), 1);
    CHECK_EQ(miou_dns_resolve(s, "zero.test", MIOU_DNS_A, a, 4, in(SECOND)), 1);
    CHECK_UEQ(sv->queries, 6);
    /* Kept for its TTL, 1 s, not longer. */
    CHECK_EQ(miou_dns_resolve(s, "short.test", MIOU_DNS_A, a, 4, in(SECOND)),
             1);
    CHECK_EQ(miou_dns_resolve(s, "short.test", MIOU_DNS_A, a, 4, in(SECOND)),
             1);
    CHECK_UEQ(sv->queries, 7);
    CHECK_RC(miou_sleep(MS(1100)), 0);
    CHECK_EQ(miou_dns_resolve(s, "short.test", MIOU_DNS_A, a, 4, in(SECOND)),
             1);
    CHECK_UEQ(sv->queries, 8);
}

static void names_resolve_ipv6_first_then_from_the_cache(void)
{
    run(both_families_then_the_cache);
}

static void answers_of_every_kind(miou_tcpip *s, struct server *sv)
{
    miou_ipaddr a[4];
    (void)sv;
    if (CHECK_EQ(miou_dns_resolve(s, "alias.test", BOTH, a, 4, in(SECOND)),
                 2)) {
        CHECK(miou_ipaddr_equal(&a[0], &self6));
        CHECK(miou_ipaddr_equal(&a[1], &self4));
    }
    CHECK_EQ(miou_dns_resolve(s, "v4only.test", BOTH, a, 4, in(SECOND)), 1);
    CHECK_RC(
        miou_dns_resolve(s, "v4only.test", MIOU_DNS_AAAA, a, 4, in(SECOND)),
        MIOU_ENOTFOUND);
    CHECK_RC(miou_dns_resolve(s, "nx.test", BOTH, a, 4, in(SECOND)),
             MIOU_ENOTFOUND);
    /* An address is itself, of the family asked. */
    CHECK_EQ(miou_dns_resolve(s, "fd00::9", BOTH, a, 4, FOREVER), 1);
    CHECK_UEQ(a[0].family, MIOU_IP_V6);
    CHECK_RC(miou_dns_resolve(s, "10.0.0.9", MIOU_DNS_AAAA, a, 4, FOREVER),
             MIOU_ENOTFOUND);
    /* Not names, or nothing to ask. */
    static char long_label[80], long_name[260];
    memset(long_label, 'a', 64);
    for (size_t i = 0; i < 255; i++) /* 128 labels: 255 bytes */
        long_name[i] = i % 2 ? '.' : 'b';
    static const char *const bad[] = {"", ".", "a..b", ".a", "a.b..", NULL};
    for (int i = 0; bad[i]; i++)
        CHECK_RC(miou_dns_resolve(s, bad[i], BOTH, a, 4, FOREVER), MIOU_EINVAL);
    CHECK_RC(miou_dns_resolve(s, long_label, BOTH, a, 4, FOREVER), MIOU_EINVAL);
    CHECK_RC(miou_dns_resolve(s, long_name, BOTH, a, 4, FOREVER), MIOU_EINVAL);
    CHECK_RC(miou_dns_resolve(s, "www.test", 0, a, 4, FOREVER), MIOU_EINVAL);
    CHECK_RC(miou_dns_resolve(s, "www.test", 4, a, 4, FOREVER), MIOU_EINVAL);
    CHECK_RC(miou_dns_resolve(s, "www.test", BOTH, a, 0, FOREVER), MIOU_EINVAL);
    CHECK_RC(miou_dns_resolve(NULL, "www.test", BOTH, a, 4, FOREVER),
             MIOU_EINVAL);
}

static void cnames_no_data_no_domain_numbers_and_bad_names(void)
{
    run(answers_of_every_kind);
}

static void failures_and_junk(miou_tcpip *s, struct server *sv)
{
    miou_ipaddr a[4];
    (void)sv;
    /* SERVFAIL over IPv4: the IPv6 server answers. */
    CHECK_EQ(miou_dns_resolve(s, "fail.test", BOTH, a, 4, in(5 * SECOND)), 2);
    /* Three bad answers are dropped, the fourth taken. */
    CHECK_EQ(miou_dns_resolve(s, "junk.test", MIOU_DNS_A, a, 4, in(SECOND)), 1);
    CHECK(miou_ipaddr_equal(&a[0], &self4));
}

static void a_failing_server_is_passed_over_and_junk_is_dropped(void)
{
    run(failures_and_junk);
}

static void only_the_failing_server(miou_tcpip *s, struct server *sv)
{
    miou_ipaddr a[4];
    (void)sv;
    CHECK_RC(miou_dns_resolve(s, "fail.test", BOTH, a, 4, in(5 * SECOND)),
             MIOU_EDNSFAIL);
}

static void no_server(miou_tcpip *s, struct server *sv)
{
    miou_ipaddr a[4];
    (void)sv;
    CHECK_RC(miou_dns_resolve(s, "www.test", BOTH, a, 4, in(SECOND)),
             MIOU_ENOSERVER);
    CHECK_EQ(miou_dns_resolve(s, "10.0.0.9", BOTH, a, 4, in(SECOND)), 1);
}

static void every_server_failing_or_none(void)
{
    struct miou_tcpip_config one = config, none = config;
    memset(&one.dns[1], 0, sizeof one.dns[1]);
    memset(none.dns, 0, sizeof none.dns);
    run_with(only_the_failing_server, &one);
    run_with(no_server, &none);
}

/* ---- Deadlines, cancellation, many at once ------------------------------ */

struct resolving {
    miou_tcpip *s;
    const char *name;
    int rc;
};

static void *resolve_task(void *arg)
{
    struct resolving *r = arg;
    miou_ipaddr a[4];
    r->rc = miou_dns_resolve(r->s, r->name, BOTH, a, 4, FOREVER);
    return NULL;
}

static void silence(miou_tcpip *s, struct server *sv)
{
    miou_ipaddr a[4];
    uint64_t t0 = miou_clock_monotonic();
    CHECK_RC(miou_dns_resolve(s, "slow.test", BOTH, a, 4, in(MS(1500))),
             MIOU_ETIMEDOUT);
    CHECK_UGE(miou_clock_monotonic() - t0, MS(1500));
    /* Each query sent to the first server, then after 1 s to the
     * second. */
    CHECK_UEQ(sv->queries, 4);
    struct resolving r = {s, "slow.test", 1};
    miou_task *t;
    CHECK_RC(miou_async(&t, resolve_task, &r), 0);
    CHECK_RC(miou_sleep(MS(100)), 0);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_RC(r.rc, MIOU_ECANCELED);
}

static void a_deadline_or_a_cancel_ends_a_resolution_leaving_nothing(void)
{
    run(silence);
}

static void many(miou_tcpip *s, struct server *sv)
{
    static const char *const names[8] = {
        "www.test",  "alias.test", "v4only.test", "nx.test",
        "fail.test", "junk.test",  "www.other",   "eyes.test"};
    static const int want[8] = {2, 2, 1, MIOU_ENOTFOUND, 2, 2, 2, 2};
    struct resolving r[8];
    miou_task *t[8];
    (void)sv;
    for (int i = 0; i < 8; i++) {
        r[i] = (struct resolving){s, names[i], 1};
        CHECK_RC(miou_async(&t[i], resolve_task, &r[i]), 0);
    }
    CHECK_RC(miou_await_all(t, 8, NULL, NULL), 0);
    for (int i = 0; i < 8; i++)
        if (!CHECK_EQ(r[i].rc, want[i]))
            check_note("%s", names[i]);
}

static void eight_tasks_resolve_at_once(void)
{
    run(many);
}

/* A task's stack close under a resolution: MIOU_ECONNABORTED. */
static void *closing_main(void *arg)
{
    (void)arg;
    miou_tcpip *s;
    miou_task *t;
    if (!CHECK_RC(miou_tcpip_open(&config, &s), 0))
        return NULL;
    struct resolving r = {s, "slow.test", 1}; /* nobody serves */
    CHECK_RC(miou_async(&t, resolve_task, &r), 0);
    CHECK_RC(miou_sleep(MS(50)), 0);
    CHECK_RC(miou_tcpip_close(s), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    CHECK_RC(r.rc, MIOU_ECONNABORTED);
    return NULL;
}

static void closing_the_stack_ends_resolutions(void)
{
    CHECK_RC(miou_run(NULL, closing_main, NULL, NULL), 0);
    struct miou_tcpip_stats st;
    CHECK_RC(miou_tcpip_stats(NULL, &st), 0);
    CHECK_UEQ(st.udp_pcbs + st.pbufs + st.heap_bytes, 0);
}

/* ---- Connections by name --------------------------------------------------
 */

static void *accept_two(void *arg)
{
    miou_tcp_listener *l = arg;
    for (int i = 0; i < 2; i++) {
        miou_tcp *c;
        if (miou_tcp_accept(l, in(5 * SECOND), &c) != 0)
            break;
        miou_tcp_close(c);
    }
    return NULL;
}

static void happy_eyeballs(miou_tcpip *s, struct server *sv)
{
    miou_tcp_listener *l;
    miou_tcp *c;
    miou_task *t;
    miou_ipaddr peer;
    (void)sv;
    if (!CHECK_RC(miou_tcp_listen(s, PORT, 4, &l), 0))
        return;
    CHECK_RC(miou_async(&t, accept_two, l), 0);
    /* Both answer: IPv6. */
    if (CHECK_RC(miou_tcp_connect_name(s, "www.test", PORT, in(SECOND), &c),
                 0)) {
        CHECK_RC(miou_tcp_peer(c, &peer, NULL), 0);
        CHECK(miou_ipaddr_equal(&peer, &self6));
        CHECK_RC(miou_tcp_close(c), 0);
    }
    /* The IPv6 address is silent: IPv4 after 250 ms. */
    uint64_t t0 = miou_clock_monotonic();
    if (CHECK_RC(
            miou_tcp_connect_name(s, "eyes.test", PORT, in(5 * SECOND), &c),
            0)) {
        uint64_t took = miou_clock_monotonic() - t0;
        CHECK_RC(miou_tcp_peer(c, &peer, NULL), 0);
        CHECK(miou_ipaddr_equal(&peer, &self4));
        CHECK_UGE(took, MS(250));
        CHECK_ULT(took, MS(1000));
        check_note("over IPv4 after %llu ms",
                   (unsigned long long)(took / MS(1)));
        CHECK_RC(miou_tcp_close(c), 0);
    }
    CHECK_RC(miou_await(t, NULL), 0);
    /* Refused everywhere: the last attempt's error. */
    CHECK_RC(miou_tcp_connect_name(s, "www.test", 9, in(SECOND), &c),
             MIOU_ECONNREFUSED);
    CHECK_RC(miou_tcp_connect_name(s, "nx.test", PORT, in(SECOND), &c),
             MIOU_ENOTFOUND);
    CHECK_RC(miou_tcp_listener_close(l), 0);
}

static void connections_by_name_follow_happy_eyeballs(void)
{
    run(happy_eyeballs);
}

static void *connect_silent(void *arg)
{
    struct resolving *r = arg;
    miou_tcp *c;
    r->rc = miou_tcp_connect_name(r->s, r->name, PORT, FOREVER, &c);
    return NULL;
}

static void cancel_by_name(miou_tcpip *s, struct server *sv)
{
    (void)sv;
    /* Cancelled while it resolves (nobody answers slow.test). */
    struct resolving r = {s, "slow.test", 1};
    miou_task *t;
    CHECK_RC(miou_async(&t, connect_silent, &r), 0);
    CHECK_RC(miou_sleep(MS(100)), 0);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_RC(r.rc, MIOU_ECANCELED);
    miou_ipaddr a[2];
    CHECK_EQ(miou_dns_resolve(s, "eyes.test", MIOU_DNS_AAAA, a, 2, in(SECOND)),
             1);
    /* While it tries the silent IPv6 address: the deadline, or a cancel
     * (nobody listens on 10.0.0.2 either: it would be refused). */
    r = (struct resolving){s, "eyes.test", 1};
    miou_tcp *c;
    CHECK_RC(miou_tcp_connect_name(s, "eyes.test", PORT, in(MS(100)), &c),
             MIOU_ETIMEDOUT);
    CHECK_RC(miou_async(&t, connect_silent, &r), 0);
    CHECK_RC(miou_sleep(MS(100)), 0);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_RC(r.rc, MIOU_ECANCELED);
}

static void a_cancelled_or_timed_out_connection_by_name_leaves_nothing(void)
{
    run(cancel_by_name);
}

static const struct check_case cases[] = {
    {"names resolve to A and AAAA, IPv6 first, then from the cache, in TTL",
     names_resolve_ipv6_first_then_from_the_cache},
    {"CNAMEs, no data, no such name, addresses and bad names",
     cnames_no_data_no_domain_numbers_and_bad_names},
    {"a failing server is passed over, and junk answers are dropped",
     a_failing_server_is_passed_over_and_junk_is_dropped},
    {"every server failing is MIOU_EDNSFAIL, none is MIOU_ENOSERVER",
     every_server_failing_or_none},
    {"a deadline or a cancel ends a resolution, leaving nothing",
     a_deadline_or_a_cancel_ends_a_resolution_leaving_nothing},
    {"eight tasks resolve at once", eight_tasks_resolve_at_once},
    {"closing the stack ends resolutions with MIOU_ECONNABORTED",
     closing_the_stack_ends_resolutions},
    {"connections by name follow Happy Eyeballs",
     connections_by_name_follow_happy_eyeballs},
    {"a cancelled or timed-out connection by name leaves nothing",
     a_cancelled_or_timed_out_connection_by_name_leaves_nothing},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("dns", si, cases, CHECK_COUNT(cases));
}
