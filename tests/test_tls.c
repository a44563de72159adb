/*
 * test_tls.c - the TLS layer (miou_tls.h) from inside one unikernel: a
 * server task and client tasks talk TLS over TCP to the interface's own
 * address (lwIP loops it back), with the TEST ONLY certificates of
 * tests/tls/test_certs.h. Each case runs with the stack open around it,
 * then checks that lwIP and mbedTLS hold nothing: no configuration, no
 * session, not one byte of mbedTLS's heap.
 */
#include <string.h>

#include <miou.h>
#include <miou_tcpip.h>
#include <miou_tls.h>

#include "lib/check.h"
#include "tls/test_certs.h"

/* Under valgrind, some fifty times slower, the concurrency case runs a
 * quarter of its connections: it is there for memory errors. */
#if defined(__has_include) && !defined(MIOU_PLATFORM_SOLO5)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#define SELF MIOU_IPV4(10, 0, 0, 2)
#define PORT 443
#define SECOND 1000000000ull
#define MSEC 1000000ull
#define FOREVER MIOU_TCPIP_FOREVER
/* How long a call of the server or the clients may take: far more than
 * they need, so that valgrind and qemu-user, some fifty times slower,
 * get there too; a hang is the runner's timeout to catch. */
#define PATIENCE (120 * SECOND)
/* Connections of the concurrency case, and bytes each echoes. */
#define MANY 200
#define ECHO_BYTES (64u * 1024u)

static const struct miou_tcpip_config ip = {.device = "service",
                                            .address = SELF,
                                            .netmask =
                                                MIOU_IPV4(255, 255, 255, 0)};

/* SELF as the address miou_tcp_connect() takes. */
static const miou_ipaddr self = {.family = MIOU_IP_V4, .bytes = {10, 0, 0, 2}};

static uint64_t in(uint64_t ns)
{
    return miou_clock_monotonic() + ns;
}

/* A server configuration of (cert) and (key), TLS up to (max). */
static miou_tls_config *server_config(const char *cert, const char *key,
                                      unsigned max)
{
    struct miou_tls_options o = {.role = MIOU_TLS_SERVER,
                                 .cert = cert,
                                 .cert_len = strlen(cert),
                                 .key = key,
                                 .key_len = strlen(key),
                                 .max_version = max,
                                 .flags = MIOU_TLS_TICKETS};
    miou_tls_config *c = NULL;
    CHECK_RC(miou_tls_config_new(&o, &c), 0);
    return c;
}

static miou_tls_config *client_config(const char *ca, unsigned flags)
{
    struct miou_tls_options o = {.role = MIOU_TLS_CLIENT,
                                 .ca = ca,
                                 .ca_len = strlen(ca),
                                 .flags = flags};
    miou_tls_config *c = NULL;
    CHECK_RC(miou_tls_config_new(&o, &c), 0);
    return c;
}

/* ---- Around each case ------------------------------------------------ */

static miou_tcpip *stack;

static void *stack_main(void *arg)
{
    void (*fn)(void) = (void (*)(void))arg;
    if (!CHECK_RC(miou_tcpip_open(&ip, &stack), 0))
        return NULL;
    fn();
    CHECK_RC(miou_tcpip_close(stack), 0);
    return NULL;
}

/* Run (fn) in a run with the stack open, then check that nothing is
 * left: lwIP's connections and buffers, mbedTLS's objects and heap. */
/* Whether the platform has a source of random bytes; without one, TLS
 * must refuse to start (MIOU_ENOENTROPY), which is checked, and the
 * case is skipped (a CPU without RDRAND/RDSEED under Solo5). */
static int have_entropy(void)
{
    unsigned char b[8];
    if (miou_random(b, sizeof b) == 0)
        return 1;
    struct miou_tls_options o = {.role = MIOU_TLS_CLIENT,
                                 .flags = MIOU_TLS_NO_VERIFY};
    miou_tls_config *c;
    CHECK_RC(miou_tls_config_new(&o, &c), MIOU_ENOENTROPY);
    check_skip("no usable source of random bytes here: TLS refuses to "
               "start (MIOU_ENOENTROPY), as it must");
    return 0;
}

static void run_with_stack(void (*fn)(void))
{
    if (!have_entropy())
        return;
    CHECK_RC(miou_run(NULL, stack_main, (void *)fn, NULL), 0);
    struct miou_tcpip_stats st;
    CHECK_RC(miou_tcpip_stats(NULL, &st), 0);
    CHECK_UEQ(st.tcp_pcbs, 0);
    CHECK_UEQ(st.pbufs, 0);
    CHECK_UEQ(st.heap_bytes, 0);
    struct miou_tls_stats ts;
    miou_tls_stats(&ts);
    CHECK_UEQ(ts.configs, 0);
    CHECK_UEQ(ts.sessions, 0);
    CHECK_UEQ(ts.heap_bytes, 0);
}

/* ---- A server: accept, handshake, echo ------------------------------- */

struct server {
    miou_tls_config *config;
    miou_tcp_listener *l;
    unsigned accepts; /* connections to take, each in a task */
    unsigned echoed;  /* connections echoed to the end */
    int last_rc;      /* the last handshake's result */
};

struct conn {
    struct server *sv;
    miou_tcp *tcp;
};

static void *serve(void *arg)
{
    struct conn *c = arg;
    miou_tls *t;
    int rc = miou_tls_server(c->sv->config, c->tcp, &t);
    if (rc == 0)
        rc = miou_tls_handshake(t, in(PATIENCE));
    c->sv->last_rc = rc;
    if (rc == 0) {
        unsigned char buf[4096];
        long n;
        while ((n = miou_tls_read(t, buf, sizeof buf, in(PATIENCE))) > 0)
            if (miou_tls_write(t, buf, (size_t)n, in(PATIENCE)) != n)
                break;
        if (n == 0) {
            c->sv->echoed++;
            miou_tls_shutdown(t, in(SECOND));
        }
    }
    if (t)
        miou_tls_close(t);
    return NULL;
}

static void *server_main(void *arg)
{
    struct server *sv = arg;
    miou_orphans set;
    struct conn conns[MANY];
    miou_orphans_init(&set);
    for (unsigned i = 0; i < sv->accepts; i++) {
        conns[i].sv = sv;
        if (miou_tcp_accept(sv->l, in(PATIENCE), &conns[i].tcp) != 0)
            break;
        struct miou_task_options o = {24 * 1024, "tls-serve"};
        if (miou_async_orphan(&set, NULL, &o, serve, &conns[i]) != 0)
            miou_tcp_abort(conns[i].tcp);
    }
    miou_task *t;
    while (miou_orphans_count(&set) > 0 && miou_orphans_wait(&set, &t) == 0)
        miou_await(t, NULL);
    return NULL;
}

/* Start a server of (config) for (accepts) connections. */
static miou_task *server_start(struct server *sv, miou_tls_config *config,
                               unsigned accepts)
{
    miou_task *t = NULL;
    memset(sv, 0, sizeof *sv);
    sv->config = config;
    sv->accepts = accepts;
    if (CHECK_RC(miou_tcp_listen(stack, PORT, MANY, &sv->l), 0))
        CHECK_RC(miou_async(&t, server_main, sv), 0);
    return t;
}

static void server_stop(struct server *sv, miou_task *t)
{
    if (t)
        CHECK_RC(miou_await(t, NULL), 0);
    miou_tcp_listener_close(sv->l);
}

/* A client session to the server, its handshake's result in (*rc). */
static miou_tls *client_open(miou_tls_config *config, const char *name, int *rc)
{
    miou_tcp *tcp;
    miou_tls *t = NULL;
    *rc = miou_tcp_connect(stack, &self, PORT, in(PATIENCE), &tcp);
    if (*rc == 0)
        *rc = miou_tls_client(config, tcp, name, &t);
    if (*rc == 0)
        *rc = miou_tls_handshake(t, in(PATIENCE));
    return t;
}

static void pattern(unsigned char *buf, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)(i * 2654435761u >> 13 ^ seed);
}

/* Echo ECHO_BYTES through (t), a writer task beside the reader; 1 when
 * every byte came back. */
struct echo {
    miou_tls *t;
    unsigned seed;
    int ok;
    int rc;   /* the handshake's result */
    long end; /* what the last read returned */
};

static void *echo_writer(void *arg)
{
    struct echo *e = arg;
    unsigned char chunk[8192];
    for (size_t off = 0; off < ECHO_BYTES; off += sizeof chunk) {
        pattern(chunk, sizeof chunk, e->seed + (unsigned)off);
        if (miou_tls_write(e->t, chunk, sizeof chunk, in(PATIENCE)) < 0)
            return NULL;
    }
    miou_tls_shutdown(e->t, in(SECOND));
    return NULL;
}

static void *echo_client(void *arg)
{
    struct echo *e = arg;
    unsigned char got[8192], want[8192];
    size_t have = 0, total = 0;
    miou_task *w;
    if (miou_async(&w, echo_writer, e) != 0)
        return NULL;
    for (;;) {
        long n =
            miou_tls_read(e->t, got + have, sizeof got - have, in(PATIENCE));
        if (n <= 0)
            break;
        have += (size_t)n;
        if (have == sizeof got) {
            pattern(want, sizeof want, e->seed + (unsigned)total);
            if (memcmp(got, want, sizeof got) != 0)
                break;
            total += have;
            have = 0;
        }
    }
    miou_await(w, NULL);
    e->ok = total == ECHO_BYTES;
    return NULL;
}

/* ---- The cases ------------------------------------------------------- */

static void handshake_and_echo(unsigned max, const char *version)
{
    miou_tls_config *sc = server_config(test_server_pem, test_server_key, max);
    miou_tls_config *cc = client_config(test_ca_pem, 0);
    struct server sv;
    miou_task *st = server_start(&sv, sc, 1);
    int rc;
    miou_tls *t = client_open(cc, "miou.test", &rc);
    if (CHECK_RC(rc, 0)) {
        CHECK_STR_EQ(miou_tls_version(t), version);
        struct echo e = {t, 7, 0, 0, 0};
        echo_client(&e);
        CHECK(e.ok);
    }
    if (t)
        miou_tls_close(t);
    server_stop(&sv, st);
    CHECK_UEQ(sv.echoed, 1);
    miou_tls_config_free(sc);
    miou_tls_config_free(cc);
}

static void tls13_handshake(void)
{
    handshake_and_echo(0, "TLSv1.3");
}

static void tls13_verifies_and_echoes(void)
{
    run_with_stack(tls13_handshake);
}

static void tls12_handshake(void)
{
    handshake_and_echo(MIOU_TLS_1_2, "TLSv1.2");
}

static void tls12_verifies_and_echoes(void)
{
    run_with_stack(tls12_handshake);
}

static miou_tls_config *many_cc;

static void *one_of_many(void *arg)
{
    struct echo *e = arg;
    int rc;
    e->t = client_open(many_cc, "miou.test", &rc);
    e->rc = rc;
    if (rc == 0)
        echo_client(e);
    if (e->t)
        miou_tls_close(e->t);
    return NULL;
}

static void many_at_once(void)
{
    miou_tls_config *sc = server_config(test_server_pem, test_server_key, 0);
    many_cc = client_config(test_ca_pem, 0);
    struct server sv;
    miou_task *st =
        server_start(&sv, sc, RUNNING_ON_VALGRIND ? MANY / 4 : MANY);
    static struct echo e[MANY];
    static miou_task *t[MANY];
    size_t n = 0, ok = 0, many = RUNNING_ON_VALGRIND ? MANY / 4 : MANY;
    for (; n < many; n++) {
        e[n] = (struct echo){NULL, (unsigned)n, 0, 0, 0};
        struct miou_task_options o = {24 * 1024, "tls-client"};
        if (!CHECK_RC(miou_async_with(&t[n], &o, one_of_many, &e[n]), 0))
            break;
    }
    CHECK_RC(miou_await_all(t, n, NULL, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        ok += e[i].ok;
        if (!e[i].ok && ok == i)
            check_note("connection %zu: handshake %s, last read %s", i,
                       miou_errname(e[i].rc), miou_errname((int)e[i].end));
    }
    CHECK_UEQ(ok, many);
    server_stop(&sv, st);
    CHECK_UEQ(sv.echoed, many);
    if (sv.echoed != many)
        check_note("the last server handshake: %s", miou_errname(sv.last_rc));
    miou_tls_config_free(sc);
    miou_tls_config_free(many_cc);
}

static void two_hundred_connections_each_echo_64_kib(void)
{
    run_with_stack(many_at_once);
}

/* A client refuses (cert) of a server, with (want). */
static void refused(const char *cert, const char *key, const char *ca,
                    const char *name, unsigned flags, int want)
{
    miou_tls_config *sc = server_config(cert, key, 0);
    miou_tls_config *cc = client_config(ca, flags);
    struct server sv;
    miou_task *st = server_start(&sv, sc, 1);
    int rc;
    miou_tls *t = client_open(cc, name, &rc);
    if (!CHECK_RC(rc, want))
        check_note("server %s, name %s",
                   cert == test_server_pem ? "good" : "bad", name);
    if (t)
        miou_tls_close(t);
    server_stop(&sv, st);
    miou_tls_config_free(sc);
    miou_tls_config_free(cc);
}

static void refusals(void)
{
    refused(test_server_pem, test_server_key, test_ca_pem, "wrong.test", 0,
            MIOU_EHOSTNAME);
    refused(test_other_pem, test_other_key, test_ca_pem, "miou.test", 0,
            MIOU_EUNTRUSTED);
    refused(test_expired_pem, test_expired_key, test_ca_pem, "miou.test", 0,
            MIOU_EEXPIRED);
    /* Explicit choices: no time check, or no verification at all. */
    refused(test_expired_pem, test_expired_key, test_ca_pem, "miou.test",
            MIOU_TLS_NO_TIME_CHECK, 0);
    refused(test_other_pem, test_other_key, test_ca_pem, "wrong.test",
            MIOU_TLS_NO_VERIFY, 0);
    refused(test_server_pem, test_server_key, test_ca_pem, "10.0.0.2", 0, 0);
}

static void a_client_refuses_each_bad_server_with_its_code(void)
{
    run_with_stack(refusals);
}

/* ALPN: the server's first protocol that the client offers. */
static void alpn(void)
{
    static const char *const server_protos[] = {"h2", "http/1.1", NULL};
    static const char *const client_protos[] = {"http/1.1", "x", NULL};
    struct miou_tls_options so = {.role = MIOU_TLS_SERVER,
                                  .cert = test_server_pem,
                                  .cert_len = strlen(test_server_pem),
                                  .key = test_server_key,
                                  .key_len = strlen(test_server_key),
                                  .alpn = server_protos};
    struct miou_tls_options co = {.role = MIOU_TLS_CLIENT,
                                  .ca = test_ca_pem,
                                  .ca_len = strlen(test_ca_pem),
                                  .alpn = client_protos};
    miou_tls_config *sc = NULL, *cc = NULL;
    CHECK_RC(miou_tls_config_new(&so, &sc), 0);
    CHECK_RC(miou_tls_config_new(&co, &cc), 0);
    struct server sv;
    miou_task *st = server_start(&sv, sc, 1);
    int rc;
    miou_tls *t = client_open(cc, "miou.test", &rc);
    if (CHECK_RC(rc, 0)) {
        CHECK_STR_EQ(miou_tls_alpn(t), "http/1.1");
        CHECK_RC(miou_tls_shutdown(t, in(SECOND)), 0);
    }
    if (t)
        miou_tls_close(t);
    server_stop(&sv, st);
    miou_tls_config_free(sc);
    miou_tls_config_free(cc);
}

static void alpn_agrees_on_the_servers_first_choice_the_client_offers(void)
{
    run_with_stack(alpn);
}

/* A client keeps the server's ticket and offers it on a new connection.
 * (That the server resumed from it, scripts/check_tls.sh sees through
 * openssl s_client; here, that the saved session goes back in and the
 * new connection works.) */
static void resumption(void)
{
    miou_tls_config *sc = server_config(test_server_pem, test_server_key, 0);
    miou_tls_config *cc = client_config(test_ca_pem, MIOU_TLS_TICKETS);
    struct server sv;
    miou_task *st = server_start(&sv, sc, 2);
    miou_tls_saved *saved = NULL;
    char buf[8];
    int rc;
    miou_tls *t = client_open(cc, "miou.test", &rc);
    if (CHECK_RC(rc, 0)) {
        /* The TLS 1.3 ticket comes after the handshake: read past it. */
        CHECK_RC((int)miou_tls_write(t, "ping", 4, in(SECOND)), 4);
        CHECK_RC((int)miou_tls_read(t, buf, sizeof buf, in(SECOND)), 4);
        CHECK_RC(miou_tls_session_get(t, &saved), 0);
        CHECK_RC(miou_tls_shutdown(t, in(SECOND)), 0);
    }
    if (t)
        miou_tls_close(t);
    miou_tcp *tcp;
    if (saved &&
        CHECK_RC(miou_tcp_connect(stack, &self, PORT, in(PATIENCE), &tcp), 0) &&
        CHECK_RC(miou_tls_client(cc, tcp, "miou.test", &t), 0)) {
        CHECK_RC(miou_tls_session_set(t, saved), 0);
        CHECK_RC(miou_tls_handshake(t, in(PATIENCE)), 0);
        CHECK_RC((int)miou_tls_write(t, "pong", 4, in(SECOND)), 4);
        CHECK_RC((int)miou_tls_read(t, buf, sizeof buf, in(SECOND)), 4);
        CHECK(memcmp(buf, "pong", 4) == 0);
        CHECK_RC(miou_tls_shutdown(t, in(SECOND)), 0);
        miou_tls_close(t);
    }
    miou_tls_saved_free(saved);
    server_stop(&sv, st);
    CHECK_UEQ(sv.echoed, 2);
    miou_tls_config_free(sc);
    miou_tls_config_free(cc);
}

static void a_client_saves_a_ticket_and_offers_it_again(void)
{
    run_with_stack(resumption);
}

/* ---- Cancellation ---------------------------------------------------- */

struct blocked {
    miou_tls *t;
    miou_tls_config *config;
    miou_tcp *tcp;
    int rc;
};

static void *handshake_blocked(void *arg)
{
    struct blocked *b = arg;
    b->rc = miou_tls_handshake(b->t, FOREVER);
    return NULL;
}

static void *read_blocked(void *arg)
{
    struct blocked *b = arg;
    char buf[64];
    b->rc = (int)miou_tls_read(b->t, buf, sizeof buf, FOREVER);
    return NULL;
}

static void *write_blocked(void *arg)
{
    struct blocked *b = arg;
    static unsigned char chunk[65536];
    long r;
    do
        r = miou_tls_write(b->t, chunk, sizeof chunk, FOREVER);
    while (r > 0);
    b->rc = (int)r;
    return NULL;
}

/* A TCP pair on the stack: (*c) connected, (*peer) accepted. */
static int tcp_pair(miou_tcp_listener *l, miou_tcp **c, miou_tcp **peer)
{
    return CHECK_RC(miou_tcp_connect(stack, &self, PORT, in(SECOND), c), 0) &&
           CHECK_RC(miou_tcp_accept(l, in(SECOND), peer), 0);
}

static void cancel_each(void)
{
    miou_tls_config *sc = server_config(test_server_pem, test_server_key, 0);
    miou_tls_config *cc = client_config(test_ca_pem, 0);
    miou_tcp_listener *l;
    miou_tcp *c, *p;
    miou_task *t;
    if (!CHECK_RC(miou_tcp_listen(stack, PORT, 4, &l), 0))
        return;
    /* A handshake whose peer is silent. */
    if (tcp_pair(l, &c, &p)) {
        struct blocked b = {NULL, NULL, NULL, 1};
        CHECK_RC(miou_tls_client(cc, c, "miou.test", &b.t), 0);
        CHECK_RC(miou_async(&t, handshake_blocked, &b), 0);
        CHECK_RC(miou_sleep(50 * MSEC), 0);
        CHECK_RC(miou_cancel(t), 0);
        CHECK_RC(b.rc, MIOU_ECANCELED);
        miou_tls_close(b.t);
        miou_tcp_close(p);
    }
    /* A read and a write of an established session whose peer neither
     * sends nor reads. */
    miou_task *acc = NULL;
    int rc;
    if (tcp_pair(l, &c, &p)) {
        miou_tls *srv;
        CHECK_RC(miou_tls_server(sc, p, &srv), 0);
        struct blocked hs = {srv, NULL, NULL, 1};
        CHECK_RC(miou_async(&acc, handshake_blocked, &hs), 0);
        struct blocked r = {NULL, NULL, NULL, 1}, w = {NULL, NULL, NULL, 1};
        CHECK_RC(miou_tls_client(cc, c, "miou.test", &r.t), 0);
        rc = miou_tls_handshake(r.t, in(PATIENCE));
        CHECK_RC(rc, 0);
        CHECK_RC(miou_await(acc, NULL), 0);
        CHECK_RC(hs.rc, 0);
        /* A read that times out leaves the session usable. */
        char buf[8];
        CHECK_RC((int)miou_tls_read(r.t, buf, sizeof buf, in(20 * MSEC)),
                 MIOU_ETIMEDOUT);
        CHECK_RC((int)miou_tls_write(srv, "hello", 5, in(SECOND)), 5);
        CHECK_RC((int)miou_tls_read(r.t, buf, sizeof buf, in(SECOND)), 5);
        w.t = r.t;
        miou_task *tr, *tw;
        CHECK_RC(miou_async(&tr, read_blocked, &r), 0);
        CHECK_RC(miou_async(&tw, write_blocked, &w), 0);
        CHECK_RC(miou_sleep(100 * MSEC), 0);
        CHECK_RC(miou_cancel(tr), 0);
        CHECK_RC(miou_cancel(tw), 0);
        CHECK_RC(r.rc, MIOU_ECANCELED);
        CHECK_RC(w.rc, MIOU_ECANCELED);
        miou_tls_abort(r.t);
        miou_tls_abort(srv);
    }
    miou_tcp_listener_close(l);
    miou_tls_config_free(sc);
    miou_tls_config_free(cc);
}

static void cancelled_handshake_read_and_write_release_everything(void)
{
    run_with_stack(cancel_each);
}

/* ---- Configurations and randomness ----------------------------------- */

static void configurations_refuse_bad_input(void)
{
    miou_tls_config *c;
    struct miou_tls_options o = {.role = MIOU_TLS_SERVER,
                                 .cert = "-----BEGIN CERTIFICATE-----\nAAAA\n"
                                         "-----END CERTIFICATE-----\n",
                                 .cert_len = 56,
                                 .key = test_server_key,
                                 .key_len = strlen(test_server_key)};
    CHECK_RC(miou_tls_config_new(&o, &c), MIOU_EBADCERT);
    /* A key that is not the certificate's. */
    o.cert = test_server_pem;
    o.cert_len = strlen(test_server_pem);
    o.key = test_other_key;
    o.key_len = strlen(test_other_key);
    CHECK_RC(miou_tls_config_new(&o, &c), MIOU_EBADCERT);
    o.key = NULL;
    CHECK_RC(miou_tls_config_new(&o, &c), MIOU_EINVAL);
    struct miou_tls_options cl = {.role = MIOU_TLS_CLIENT};
    CHECK_RC(miou_tls_config_new(&cl, &c), MIOU_EINVAL);
    cl.flags = MIOU_TLS_NO_VERIFY;
    cl.min_version = MIOU_TLS_1_3;
    cl.max_version = MIOU_TLS_1_2;
    CHECK_RC(miou_tls_config_new(&cl, &c), MIOU_EINVAL);
    cl.min_version = 0x0302; /* TLS 1.1 */
    cl.max_version = 0;
    CHECK_RC(miou_tls_config_new(&cl, &c), MIOU_EINVAL);
    CHECK_RC(miou_tls_config_new(NULL, &c), MIOU_EINVAL);
    struct miou_tls_stats st;
    miou_tls_stats(&st);
    CHECK_UEQ(st.configs, 0);
    CHECK_UEQ(st.heap_bytes, 0);
}

static void random_bytes_come_from_a_healthy_source(void)
{
    uint64_t a[4] = {0}, b[4] = {0};
    CHECK_RC(miou_random(a, sizeof a), 0);
    CHECK_RC(miou_random(b, sizeof b), 0);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(a[0] != 0 || a[1] != 0);
    unsigned char odd[13];
    CHECK_RC(miou_random(odd, sizeof odd), 0);
    CHECK_RC(miou_random(NULL, 0), 0);
    CHECK_RC(miou_random(NULL, 1), MIOU_EINVAL);
}

/* src/tls/x25519.c's check: HACL*'s X25519 public keys against
 * mbedTLS's. */
int miou_tls__x25519_check(unsigned n);

static void x25519_public_keys_from_hacl_are_mbedtls_own(void)
{
    struct miou_tls_options o = {.role = MIOU_TLS_CLIENT,
                                 .flags = MIOU_TLS_NO_VERIFY};
    miou_tls_config *c;
    if (!CHECK_RC(miou_tls_config_new(&o, &c), 0))
        return;
    CHECK_EQ(miou_tls__x25519_check(64), 0);
    miou_tls_config_free(c);
    struct miou_tls_stats st;
    miou_tls_stats(&st);
    CHECK_UEQ(st.heap_bytes, 0);
}

static const struct check_case cases[] = {
    {"TLS 1.3: the client verifies the server, and 64 KiB echo back intact",
     tls13_verifies_and_echoes},
    {"TLS 1.2: the same", tls12_verifies_and_echoes},
    {"200 connections at once each echo 64 KiB",
     two_hundred_connections_each_echo_64_kib},
    {"a client refuses a wrong name, an unknown CA and an expired "
     "certificate, each with its code",
     a_client_refuses_each_bad_server_with_its_code},
    {"ALPN agrees on the server's first choice that the client offers",
     alpn_agrees_on_the_servers_first_choice_the_client_offers},
    {"a client saves the server's ticket and offers it on a new connection",
     a_client_saves_a_ticket_and_offers_it_again},
    {"cancelled handshake, read and write release everything",
     cancelled_handshake_read_and_write_release_everything},
    {"configurations refuse bad certificates, keys and versions",
     configurations_refuse_bad_input},
    {"random bytes come from a healthy source",
     random_bytes_come_from_a_healthy_source},
    {"X25519 public keys from HACL* are mbedTLS's own",
     x25519_public_keys_from_hacl_are_mbedtls_own},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("tls", si, cases, CHECK_COUNT(cases));
}
