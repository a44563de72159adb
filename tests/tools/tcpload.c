/*
 * tcpload - a plain Linux client (no miou) that loads a TCP and UDP echo
 * server such as examples/echo.c and checks every byte that comes back;
 * scripts/check_tcpip.sh runs it inside its network namespace. Built by
 * make as build/hosted/tests/host/tcpload (mk/hosted.mk, -lpthread).
 *
 *   tcpload concurrent ADDR PORT N BYTES  N connections at once, BYTES each
 *   tcpload bulk ADDR PORT BYTES          one connection, sending and
 *                                         reading at once; throughput
 *   tcpload reset ADDR PORT               connections reset (RST) in the
 *                                         middle of a transfer, then a
 *                                         new one must still be echoed
 *   tcpload halfclose ADDR PORT BYTES     send, shutdown(SHUT_WR), then
 *                                         everything back and EOF
 *   tcpload udp ADDR PORT COUNT [MAX]     COUNT datagrams of 1..MAX bytes
 *                                         (1472 by default; up to 65507)
 *                                         bytes, each echoed within 1 s
 *                                         (3 retries on loss)
 *   tcpload closefirst ADDR PORT N [PORTS]
 *                                         against an HTTP server (such as
 *                                         examples/http.c): N connections
 *                                         one after the other, each asking
 *                                         GET / with "Connection: close"
 *                                         and waiting for the server to
 *                                         close first; from the ports
 *                                         Linux chooses, or with PORTS,
 *                                         from local ports 41000 to
 *                                         41000 + PORTS - 1 in turn, so
 *                                         that each new connection meets
 *                                         the server's TIME-WAIT of an
 *                                         earlier one. Each must connect
 *                                         and be served within 2 s.
 *
 *   tcpload serve ADDR PORT N             the other way round: a server
 *                                         listening on ADDR (:: for both
 *                                         families), that tells each of N
 *                                         connections which family it came
 *                                         by ("hello over IPv6") and closes
 *
 * ADDR is IPv4 or IPv6 (a link-local one with its %INTERFACE). Option
 * (anywhere): --timeout=S, the limit for the whole mode (120 s).
 *
 * Each mode prints one line on standard output, "MODE: WHAT WAS CHECKED"
 * and exits 0, or "MODE: FAILED: WHY" and exits 1; a bad command line
 * exits 2 with the usage on standard error.
 *
 * The data sent are pseudo-random and differ per connection (and per
 * datagram), and any byte of them can be computed from its offset alone
 * (pattern()): the checks compare what comes back with what was sent
 * without keeping a copy, and a partial send() needs no buffer of its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536

static const char *mode = "tcpload";
static struct sockaddr_storage server;
static socklen_t server_len;
static double timeout_s = 120;
static double deadline; /* monotonic seconds: the mode's end */

/* ---- Results ------------------------------------------------------------ */

/* The one result line of a failure, and exit status 1. */
__attribute__((format(printf, 1, 2), noreturn)) static void
failed(const char *fmt, ...)
{
    va_list ap;
    printf("%s: FAILED: ", mode);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    exit(1);
}

/* The one result line of a success, and exit status 0. */
__attribute__((format(printf, 1, 2), noreturn)) static void
passed(const char *fmt, ...)
{
    va_list ap;
    printf("%s: ", mode);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    exit(0);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds left before the deadline, for poll() and epoll_wait(), at
 * most (cap) ms (negative cap: no cap); 0 once it has passed. */
static int left_ms(int cap)
{
    double ms = (deadline - now()) * 1000;
    if (ms <= 0)
        return 0;
    if (cap >= 0 && ms > cap)
        return cap;
    return (int)ms + 1;
}

/* ---- The data ---------------------------------------------------------------
 */

/* splitmix64's finaliser: consecutive inputs give unrelated outputs. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The (len) bytes at offset (off) of the stream of (seed): byte i is
 * byte (i % 8) of mix(seed + i / 8 * golden ratio), so that any range can
 * be made again from its offset. */
static void pattern(uint64_t seed, uint64_t off, unsigned char *buf, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint64_t pos = off + i;
        uint64_t w = mix(seed + (pos >> 3) * 0x9e3779b97f4a7c15ull);
        for (unsigned b = (unsigned)(pos & 7); b < 8 && i < len; b++, i++)
            buf[i] = (unsigned char)(w >> (8 * b));
    }
}

/* Whether (buf) holds the (len) bytes at (off) of (seed)'s stream; when
 * not, (*where) is the stream offset of the first wrong byte. */
static int pattern_matches(uint64_t seed, uint64_t off,
                           const unsigned char *buf, size_t len,
                           uint64_t *where)
{
    unsigned char want[4096];
    for (size_t done = 0; done < len;) {
        size_t n = len - done < sizeof want ? len - done : sizeof want;
        pattern(seed, off + done, want, n);
        if (memcmp(want, buf + done, n) != 0) {
            size_t i = 0;
            while (want[i] == buf[done + i])
                i++;
            *where = off + done + i;
            return 0;
        }
        done += n;
    }
    return 1;
}

/* FNV-1a, 64 bits, continued from (h) (start with FNV_START). */
#define FNV_START 0xcbf29ce484222325ull
static uint64_t fnv1a(uint64_t h, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* A seed of its own for each connection or datagram of each mode, so
 * that bytes of one stream delivered to another cannot look right. */
static uint64_t seed_of(uint64_t salt, uint64_t index)
{
    return mix(mix(salt) ^ (index + 1));
}

/* ---- Sockets ------------------------------------------------------------ */

static void set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        failed("fcntl: %s", strerror(errno));
}

/* A non-blocking TCP socket, its connection started (EINPROGRESS). */
static int tcp_start(void)
{
    int fd = socket(server.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        failed("socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *)&server, server_len) != 0 &&
        errno != EINPROGRESS)
        failed("connect: %s", strerror(errno));
    return fd;
}

/* A connected non-blocking TCP socket, within the deadline. */
static int tcp_connect(void)
{
    int fd = tcp_start();
    struct pollfd p = {fd, POLLOUT, 0};
    int rc = poll(&p, 1, left_ms(-1));
    if (rc < 0)
        failed("poll: %s", strerror(errno));
    if (rc == 0)
        failed("connect: no answer within %.0f s", timeout_s);
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err)
        failed("connect: %s", strerror(err));
    return fd;
}

/* Wait until (fd) has one of (events), within the deadline; fails the
 * mode with (what) when it passes. */
static void wait_for(int fd, short events, const char *what)
{
    struct pollfd p = {fd, events, 0};
    for (;;) {
        int rc = poll(&p, 1, left_ms(-1));
        if (rc > 0)
            return;
        if (rc == 0)
            failed("%s: nothing within %.0f s", what, timeout_s);
        if (errno != EINTR)
            failed("poll: %s", strerror(errno));
    }
}

/* Send (bytes) of (seed)'s stream on (fd) while reading their echo back
 * (a server that echoes as it reads needs both at once), checking every
 * byte; with (halfclose), shutdown(SHUT_WR) once all is sent and insist
 * on EOF after the last byte. Fails the mode with (what) and the reason. */
static void echo_once(int fd, uint64_t seed, uint64_t bytes, int halfclose,
                      const char *what)
{
    static unsigned char buf[CHUNK];
    uint64_t sent = 0, got = 0, where;
    int shut = 0;
    if (bytes == 0 && halfclose) {
        shutdown(fd, SHUT_WR);
        shut = 1;
    }
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (sent < bytes)
            p.events |= POLLOUT;
        int rc = poll(&p, 1, left_ms(-1));
        if (rc == 0)
            failed("%s: stalled: %llu of %llu bytes sent, %llu received "
                   "after %.0f s",
                   what, (unsigned long long)sent, (unsigned long long)bytes,
                   (unsigned long long)got, timeout_s);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            failed("poll: %s", strerror(errno));
        }
        if ((p.revents & POLLOUT) && sent < bytes) {
            size_t n = bytes - sent < CHUNK ? (size_t)(bytes - sent) : CHUNK;
            pattern(seed, sent, buf, n);
            ssize_t k = send(fd, buf, n, MSG_NOSIGNAL);
            if (k < 0 && errno != EAGAIN)
                failed("%s: send after %llu bytes: %s", what,
                       (unsigned long long)sent, strerror(errno));
            if (k > 0)
                sent += (uint64_t)k;
            if (sent == bytes && halfclose && !shut) {
                shutdown(fd, SHUT_WR);
                shut = 1;
            }
        }
        if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
            ssize_t k = recv(fd, buf, sizeof buf, 0);
            if (k < 0 && errno != EAGAIN)
                failed("%s: %s after %llu of %llu bytes came back (%llu "
                       "sent)",
                       what, strerror(errno), (unsigned long long)got,
                       (unsigned long long)bytes, (unsigned long long)sent);
            if (k == 0) {
                if (got == bytes && halfclose)
                    return;
                failed("%s: EOF after %llu of %llu bytes came back (%llu "
                       "sent)",
                       what, (unsigned long long)got, (unsigned long long)bytes,
                       (unsigned long long)sent);
            }
            if (k > 0) {
                if (got + (uint64_t)k > bytes)
                    failed("%s: %llu bytes came back, more than the %llu "
                           "sent",
                           what, (unsigned long long)(got + (uint64_t)k),
                           (unsigned long long)bytes);
                if (!pattern_matches(seed, got, buf, (size_t)k, &where))
                    failed("%s: byte %llu came back wrong", what,
                           (unsigned long long)where);
                got += (uint64_t)k;
                if (got == bytes && !halfclose)
                    return;
            }
        }
    }
}

/* ---- concurrent -------------------------------------------------------------
 */

struct conn {
    int fd;
    uint64_t seed, sent, got;
    int connected, done;
};

/* Room for (n) connections and a few more descriptors: the soft limit
 * raised to the hard one, and the hard one too when allowed (root). */
static void raise_nofile(unsigned long n)
{
    struct rlimit r;
    rlim_t want = (rlim_t)n + 64;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0)
        failed("getrlimit: %s", strerror(errno));
    if (r.rlim_cur >= want)
        return;
    r.rlim_cur = want;
    if (r.rlim_max != RLIM_INFINITY && r.rlim_max < want)
        r.rlim_max = want;
    if (setrlimit(RLIMIT_NOFILE, &r) != 0)
        failed("cannot allow %llu open files (RLIMIT_NOFILE): %s",
               (unsigned long long)want, strerror(errno));
}

/* Why connection (c) failed, once; the first reason is kept for the
 * result line, the others only counted. */
static unsigned nfailed;
static char first_failure[256];

static void conn_fail(struct conn *c, unsigned i, uint64_t bytes,
                      const char *why)
{
    if (nfailed++ == 0)
        snprintf(first_failure, sizeof first_failure,
                 "connection %u: %s (%llu of %llu bytes sent, %llu came "
                 "back)",
                 i, why, (unsigned long long)c->sent, (unsigned long long)bytes,
                 (unsigned long long)c->got);
    close(c->fd);
    c->done = 1;
}

static void mode_concurrent(unsigned n, uint64_t bytes)
{
    static unsigned char buf[CHUNK];
    raise_nofile(n);
    struct conn *conns = calloc(n, sizeof *conns);
    int ep = epoll_create1(0);
    if (!conns || ep < 0)
        failed("%s", strerror(errno));
    double start = now();
    /* Every connection started before any is served: the server sees
     * them all at once, as many clients arriving together. */
    for (unsigned i = 0; i < n; i++) {
        conns[i].fd = tcp_start();
        conns[i].seed = seed_of(1, i);
        struct epoll_event ev = {EPOLLIN | EPOLLOUT, {.u32 = i}};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev) != 0)
            failed("epoll_ctl: %s", strerror(errno));
    }
    unsigned done = 0;
    struct epoll_event evs[256];
    while (done < n) {
        int k = epoll_wait(ep, evs, 256, left_ms(-1));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            failed("epoll_wait: %s", strerror(errno));
        if (k == 0) {
            unsigned i = 0, connected = 0;
            for (unsigned j = 0; j < n; j++)
                connected += conns[j].connected;
            while (conns[i].done)
                i++;
            failed("%u of %u connections not done after %.0f s (%u ever "
                   "connected); connection %u: %llu bytes sent, %llu came "
                   "back%s%s",
                   n - done, n, timeout_s, connected, i,
                   (unsigned long long)conns[i].sent,
                   (unsigned long long)conns[i].got,
                   nfailed ? "; first failure: " : "", first_failure);
        }
        for (int e = 0; e < k; e++) {
            unsigned i = evs[e].data.u32;
            struct conn *c = &conns[i];
            if (c->done)
                continue;
            if (evs[e].events & EPOLLERR) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                conn_fail(c, i, bytes, err ? strerror(err) : "socket error");
                done++;
                continue;
            }
            if (evs[e].events & (EPOLLOUT | EPOLLIN))
                c->connected = 1;
            while ((evs[e].events & EPOLLOUT) && c->sent < bytes) {
                size_t m =
                    bytes - c->sent < CHUNK ? (size_t)(bytes - c->sent) : CHUNK;
                pattern(c->seed, c->sent, buf, m);
                ssize_t w = send(c->fd, buf, m, MSG_NOSIGNAL);
                if (w < 0) {
                    if (errno != EAGAIN)
                        conn_fail(c, i, bytes, strerror(errno));
                    break;
                }
                c->sent += (uint64_t)w;
                if (c->sent == bytes) {
                    /* All sent: only the echo is still awaited. */
                    struct epoll_event ev = {EPOLLIN, {.u32 = i}};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                }
            }
            while (!c->done && (evs[e].events & (EPOLLIN | EPOLLHUP))) {
                ssize_t r = recv(c->fd, buf, sizeof buf, 0);
                uint64_t where;
                char why[96];
                if (r < 0) {
                    if (errno != EAGAIN)
                        conn_fail(c, i, bytes, strerror(errno));
                    break;
                }
                if (r == 0) {
                    conn_fail(c, i, bytes, "EOF before the whole echo");
                } else if (c->got + (uint64_t)r > bytes) {
                    conn_fail(c, i, bytes, "more bytes came back than sent");
                } else if (!pattern_matches(c->seed, c->got, buf, (size_t)r,
                                            &where)) {
                    snprintf(why, sizeof why, "byte %llu came back wrong",
                             (unsigned long long)where);
                    conn_fail(c, i, bytes, why);
                } else if ((c->got += (uint64_t)r) == bytes) {
                    /* Everything read, so this close is a FIN, not a
                     * reset: the server sees EOF and closes its side. */
                    close(c->fd);
                    c->done = 1;
                }
            }
            done += c->done;
        }
    }
    double t = now() - start;
    if (nfailed)
        failed("%u of %u connections failed; first: %s", nfailed, n,
               first_failure);
    passed("%u connections x %llu bytes echoed intact in %.2f s (%.1f MB/s "
           "each way)",
           n, (unsigned long long)bytes, t,
           (double)n * (double)bytes / t / 1e6);
}

/* ---- bulk
 * -------------------------------------------------------------------- */

/* The bulk mode's two sides: the sender thread and the main thread's
 * reader, each with its own checksum and end time. */
static struct {
    int fd;
    uint64_t bytes, seed;
    uint64_t sent, sum_sent;
    double t_sent;
    atomic_int stop; /* the reader failed: the sender gives up */
    char error[160]; /* the sender's failure */
} bulk;

static void *bulk_sender(void *arg)
{
    static unsigned char buf[CHUNK];
    (void)arg;
    uint64_t h = FNV_START;
    while (bulk.sent < bulk.bytes && !atomic_load(&bulk.stop)) {
        struct pollfd p = {bulk.fd, POLLOUT, 0};
        int rc = poll(&p, 1, left_ms(200));
        if (rc < 0 && errno != EINTR) {
            snprintf(bulk.error, sizeof bulk.error, "poll: %s",
                     strerror(errno));
            break;
        }
        if (rc == 0 && left_ms(-1) == 0) {
            snprintf(bulk.error, sizeof bulk.error,
                     "sending stalled after %llu bytes",
                     (unsigned long long)bulk.sent);
            break;
        }
        if (rc <= 0)
            continue;
        size_t n = bulk.bytes - bulk.sent < CHUNK
                       ? (size_t)(bulk.bytes - bulk.sent)
                       : CHUNK;
        pattern(bulk.seed, bulk.sent, buf, n);
        ssize_t k = send(bulk.fd, buf, n, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            snprintf(bulk.error, sizeof bulk.error, "send after %llu bytes: %s",
                     (unsigned long long)bulk.sent, strerror(errno));
            break;
        }
        h = fnv1a(h, buf, (size_t)k);
        bulk.sent += (uint64_t)k;
    }
    bulk.sum_sent = h;
    bulk.t_sent = now();
    return NULL;
}

static void mode_bulk(uint64_t bytes)
{
    static unsigned char buf[CHUNK];
    pthread_t sender;
    uint64_t got = 0, h = FNV_START, where = 0;
    int wrong = 0;
    char why[200] = "";
    bulk.bytes = bytes;
    bulk.seed = seed_of(2, 0);
    bulk.fd = tcp_connect();
    double start = now();
    if (pthread_create(&sender, NULL, bulk_sender, NULL) != 0)
        failed("pthread_create failed");
    while (got < bytes) {
        struct pollfd p = {bulk.fd, POLLIN, 0};
        int rc = poll(&p, 1, left_ms(-1));
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0) {
            snprintf(why, sizeof why,
                     "%llu of %llu bytes came back within "
                     "%.0f s",
                     (unsigned long long)got, (unsigned long long)bytes,
                     timeout_s);
            break;
        }
        ssize_t k = recv(bulk.fd, buf, sizeof buf, 0);
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (k <= 0) {
            snprintf(why, sizeof why, "%s after %llu of %llu bytes came back",
                     k ? strerror(errno) : "EOF", (unsigned long long)got,
                     (unsigned long long)bytes);
            break;
        }
        if (got + (uint64_t)k > bytes) {
            snprintf(why, sizeof why,
                     "more than the %llu bytes sent came "
                     "back",
                     (unsigned long long)bytes);
            break;
        }
        /* The checksum says whether the whole came back; the comparison
         * says where it first went wrong. */
        if (!wrong && !pattern_matches(bulk.seed, got, buf, (size_t)k, &where))
            wrong = 1;
        h = fnv1a(h, buf, (size_t)k);
        got += (uint64_t)k;
    }
    double t_got = now();
    if (why[0])
        atomic_store(&bulk.stop, 1);
    pthread_join(sender, NULL);
    close(bulk.fd);
    if (bulk.error[0])
        failed("%s", bulk.error);
    if (why[0])
        failed("%s (%llu sent)", why, (unsigned long long)bulk.sent);
    if (h != bulk.sum_sent || wrong)
        failed("%llu bytes came back but not the ones sent: FNV-1a 64 "
               "%016llx, sent %016llx; first wrong byte at %llu",
               (unsigned long long)got, (unsigned long long)h,
               (unsigned long long)bulk.sum_sent, (unsigned long long)where);
    double ts = bulk.t_sent - start, tr = t_got - start;
    passed("%llu bytes echoed intact (FNV-1a 64 %016llx both ways) in "
           "%.2f s: sent at %.1f MB/s, received at %.1f MB/s",
           (unsigned long long)bytes, (unsigned long long)h, tr,
           (double)bytes / ts / 1e6, (double)bytes / tr / 1e6);
}

/* ---- reset
 * -------------------------------------------------------------------- */

/* Send what (fd) takes without blocking, at most (max) bytes from (off)
 * of (seed)'s stream; returns how many. */
static uint64_t send_what_fits(int fd, uint64_t seed, uint64_t off,
                               uint64_t max)
{
    static unsigned char buf[CHUNK];
    uint64_t sent = 0;
    while (sent < max) {
        size_t n = max - sent < CHUNK ? (size_t)(max - sent) : CHUNK;
        pattern(seed, off + sent, buf, n);
        ssize_t k = send(fd, buf, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EAGAIN)
            break;
        if (k < 0)
            failed("send: %s", strerror(errno));
        sent += (uint64_t)k;
    }
    return sent;
}

static void mode_reset(void)
{
    /* From a few bytes to far more than the server's window and send
     * buffer, so that some resets find it blocked in a write (the echo
     * of data this side does not read) and others in a read. */
    static const uint64_t amounts[] = {1,      100,     1460,   4096,
                                       16384,  65536,   131072, 262144,
                                       524288, 1048576, 4194304};
    const unsigned rounds = sizeof amounts / sizeof amounts[0];
    uint64_t in_flight_max = 0;
    for (unsigned r = 0; r < rounds; r++) {
        char what[64];
        unsigned char buf[512];
        uint64_t where, seed = seed_of(3, r);
        snprintf(what, sizeof what, "connection %u to reset", r);
        int fd = tcp_connect();
        uint64_t sent = send_what_fits(fd, seed, 0, amounts[r]);
        /* Read a little of the echo, and check it. */
        wait_for(fd, POLLIN, what);
        ssize_t k = recv(fd, buf, sizeof buf < sent ? sizeof buf : sent, 0);
        if (k <= 0)
            failed("%s: %s before any echo", what, k ? strerror(errno) : "EOF");
        if (!pattern_matches(seed, 0, buf, (size_t)k, &where))
            failed("%s: byte %llu came back wrong", what,
                   (unsigned long long)where);
        /* More on its way as the reset leaves. */
        sent += send_what_fits(fd, seed, sent, amounts[r]);
        if (sent - (uint64_t)k > in_flight_max)
            in_flight_max = sent - (uint64_t)k;
        struct linger lg = {1, 0};
        if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0)
            failed("SO_LINGER: %s", strerror(errno));
        close(fd); /* SO_LINGER {1, 0}: RST, not FIN */
    }
    /* The server must still serve, as before. */
    int fd = tcp_connect();
    echo_once(fd, seed_of(3, 1000), 262144, 0,
              "a new connection after the resets");
    close(fd);
    passed("%u connections reset mid-transfer (up to %llu bytes unread), "
           "then a new connection echoed 262144 bytes intact",
           rounds, (unsigned long long)in_flight_max);
}

/* ---- halfclose
 * ---------------------------------------------------------------- */

static void mode_halfclose(uint64_t bytes)
{
    double start = now();
    int fd = tcp_connect();
    echo_once(fd, seed_of(4, 0), bytes, 1, "half-closed connection");
    close(fd);
    passed("%llu bytes sent then shutdown(SHUT_WR): all %llu came back "
           "intact, then EOF, in %.2f s",
           (unsigned long long)bytes, (unsigned long long)bytes, now() - start);
}

/* ---- udp
 * ---------------------------------------------------------------------- */

/* The size of datagram (i): first the edges (1, powers of two and their
 * neighbours, the largest that fits a 1500-byte MTU unfragmented), then
 * pseudo-random sizes from 1 to 1472. */
#define UDP_MAX 65507 /* 65,535 - IPv4 and UDP headers */

/* The largest datagram of the udp mode (its MAX argument, 1472 by
 * default): above 1472 bytes the datagrams are fragmented on the way and
 * reassembled by the unikernel, and fragmented again on the way back. */
static size_t udp_max = 1472;

static size_t dgram_size(unsigned i)
{
    static const size_t edges[] = {1,    2,    3,     7,     8,     9,
                                   63,   64,   65,    511,   512,   513,
                                   1023, 1024, 1025,  1400,  1471,  1472,
                                   1473, 2944, 14792, 14793, 30000, 65507};
    size_t n = sizeof edges / sizeof edges[0];
    /* The edges up to the largest allowed, then random sizes. */
    for (size_t e = 0, k = 0; e < n; e++)
        if (edges[e] <= udp_max && k++ == i)
            return edges[e];
    return 1 + (size_t)(mix(seed_of(5, i)) % udp_max);
}

static void mode_udp(unsigned count)
{
    static unsigned char out[UDP_MAX], prev[UDP_MAX], in[UDP_MAX + 1];
    size_t prev_len = 0;
    unsigned resent = 0;
    double rtt_sum = 0, rtt_max = 0;
    int fd = socket(server.ss_family, SOCK_DGRAM, 0);
    if (fd < 0)
        failed("socket: %s", strerror(errno));
    /* Connected: only the server's datagrams arrive, and an ICMP
     * unreachable shows as ECONNREFUSED. */
    if (connect(fd, (struct sockaddr *)&server, server_len) != 0)
        failed("connect: %s", strerror(errno));
    set_nonblocking(fd);
    for (unsigned i = 0; i < count; i++) {
        size_t len = dgram_size(i);
        pattern(seed_of(6, i), 0, out, len);
        int answered = 0;
        for (unsigned attempt = 0; attempt < 4 && !answered; attempt++) {
            if (left_ms(-1) == 0)
                failed("datagram %u: not done within %.0f s", i, timeout_s);
            if (attempt)
                resent++;
            double sent_at = now();
            if (send(fd, out, len, 0) != (ssize_t)len)
                failed("datagram %u (%zu bytes): send: %s", i, len,
                       strerror(errno));
            while (!answered) {
                int ms = (int)((sent_at + 1 - now()) * 1000);
                struct pollfd p = {fd, POLLIN, 0};
                if (ms <= 0 || poll(&p, 1, ms) == 0)
                    break; /* lost: send it again */
                ssize_t k = recv(fd, in, sizeof in, 0);
                if (k < 0 && (errno == EAGAIN || errno == EINTR))
                    continue;
                if (k < 0)
                    failed("datagram %u (%zu bytes): recv: %s", i, len,
                           strerror(errno));
                if ((size_t)k == len && memcmp(in, out, len) == 0) {
                    double rtt = now() - sent_at;
                    rtt_sum += rtt;
                    if (rtt > rtt_max)
                        rtt_max = rtt;
                    answered = 1;
                } else if (!((size_t)k == prev_len &&
                             memcmp(in, prev, prev_len) == 0)) {
                    /* A late second echo of the datagram before, resent,
                     * is expected; anything else is wrong. */
                    failed("datagram %u (%zu bytes): a datagram of %zd "
                           "bytes came back that was not sent",
                           i, len, k);
                }
            }
        }
        if (!answered)
            failed("datagram %u (%zu bytes): no echo, sent 4 times 1 s "
                   "apart",
                   i, len);
        memcpy(prev, out, len);
        prev_len = len;
    }
    close(fd);
    passed("%u datagrams of 1 to %zu bytes echoed intact, %u resent; "
           "round trip %.0f us on average, %.0f us at most",
           count, udp_max, resent, rtt_sum / count * 1e6, rtt_max * 1e6);
}

/* ---- closefirst: the server closes first, the port comes again ---------- */

/* One connection of closefirst, from local port (local) (0: Linux's
 * choice): connected, served (a 200 answer then the server's FIN) within
 * 2 s, or the mode fails; returns how long the connect took, in s. */
static double closefirst_once(unsigned i, uint16_t local)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: tcpload\r\n"
                              "Connection: close\r\n\r\n";
    char buf[4096];
    size_t got = 0;
    int fd = socket(server.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
    if (fd < 0)
        failed("socket: %s", strerror(errno));
    if (local) {
        struct sockaddr_storage me = {0};
        me.ss_family = server.ss_family;
        if (me.ss_family == AF_INET)
            ((struct sockaddr_in *)&me)->sin_port = htons(local);
        else
            ((struct sockaddr_in6 *)&me)->sin6_port = htons(local);
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&me, server_len) != 0)
            failed("connection %u: bind to port %u: %s", i + 1, local,
                   strerror(errno));
    }
    double t0 = now(), limit = t0 + 2;
    if (connect(fd, (struct sockaddr *)&server, server_len) != 0 &&
        errno != EINPROGRESS)
        failed("connection %u: connect: %s", i + 1, strerror(errno));
    struct pollfd p = {fd, POLLOUT, 0};
    int rc = poll(&p, 1, (int)((limit - now()) * 1000) + 1);
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (rc <= 0 || err)
        failed("connection %u (local port %u): connect: %s after %.0f ms",
               i + 1, local, rc <= 0 ? "no answer" : strerror(err),
               (now() - t0) * 1000);
    double took = now() - t0;
    if (send(fd, req, sizeof req - 1, 0) != (ssize_t)(sizeof req - 1))
        failed("connection %u: send: %s", i + 1, strerror(errno));
    char head[16] = "";
    for (;;) {
        p.events = POLLIN;
        if (poll(&p, 1, (int)((limit - now()) * 1000) + 1) <= 0)
            failed("connection %u: the server did not close within 2 s "
                   "(%zu bytes read)",
                   i + 1, got);
        ssize_t k = recv(fd, buf, sizeof buf, 0);
        if (k < 0 && errno == EAGAIN)
            continue;
        if (k < 0)
            failed("connection %u: recv: %s", i + 1, strerror(errno));
        if (k == 0)
            break;
        /* The status line's start, for the check below. */
        for (ssize_t j = 0; j < k && got + (size_t)j < sizeof head - 1; j++)
            head[got + (size_t)j] = buf[j];
        got += (size_t)k;
    }
    if (strncmp(head, "HTTP/1.1 200 ", 13) != 0)
        failed("connection %u: not a 200 answer ('%.12s', %zu bytes)", i + 1,
               head, got);
    close(fd);
    return took;
}

static void mode_closefirst(unsigned n, unsigned ports)
{
    double worst = 0, sum = 0;
    for (unsigned i = 0; i < n; i++) {
        if (left_ms(-1) == 0)
            failed("%u of %u connections made within %.0f s", i, n, timeout_s);
        double t =
            closefirst_once(i, ports ? (uint16_t)(41000 + i % ports) : 0);
        sum += t;
        if (t > worst)
            worst = t;
    }
    passed("%u connections, each closed by the server first and served%s; "
           "connect %.2f ms on average, %.1f ms at most",
           n, ports ? ", from the same few ports in turn" : "", sum / n * 1000,
           worst * 1000);
}

/* ---- serve: a server that says which family a client came by -------- */

static void mode_serve(unsigned n)
{
    int fd = socket(server.ss_family, SOCK_STREAM, 0), one = 1, zero = 0;
    unsigned v4 = 0, v6 = 0;
    if (fd < 0)
        failed("socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (server.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (bind(fd, (struct sockaddr *)&server, server_len) != 0 ||
        listen(fd, 64) != 0)
        failed("bind/listen: %s", strerror(errno));
    /* Ready: the script starts its clients once it sees this. */
    printf("serve: listening\n");
    fflush(stdout);
    for (unsigned i = 0; i < n; i++) {
        wait_for(fd, POLLIN, "accept");
        struct sockaddr_storage peer;
        socklen_t len = sizeof peer;
        int c = accept(fd, (struct sockaddr *)&peer, &len);
        if (c < 0)
            failed("accept: %s", strerror(errno));
        const struct sockaddr_in6 *p6 = (const struct sockaddr_in6 *)&peer;
        int mapped =
            peer.ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&p6->sin6_addr);
        int six = peer.ss_family == AF_INET6 && !mapped;
        const char *msg = six ? "hello over IPv6\n" : "hello over IPv4\n";
        if (send(c, msg, strlen(msg), 0) < 0)
            failed("send: %s", strerror(errno));
        six ? v6++ : v4++;
        close(c);
    }
    close(fd);
    passed("%u connections served, %u over IPv6 and %u over IPv4", n, v6, v4);
}

/* ---- The command line
 * ----------------------------------------------------------- */

__attribute__((noreturn)) static void usage(const char *why)
{
    fprintf(stderr,
            "tcpload: %s\n"
            "usage: tcpload concurrent ADDR PORT N BYTES\n"
            "       tcpload bulk ADDR PORT BYTES\n"
            "       tcpload reset ADDR PORT\n"
            "       tcpload halfclose ADDR PORT BYTES\n"
            "       tcpload udp ADDR PORT COUNT [MAX]\n"
            "       tcpload closefirst ADDR PORT N [PORTS]\n"
            "       tcpload serve ADDR PORT N\n"
            "option: --timeout=S (default 120)\n",
            why);
    exit(2);
}

/* The server's address: IPv4, or IPv6 with an optional %INTERFACE. */
static void server_address(const char *text, uint16_t port)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)&server;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&server;
    char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
    memset(&server, 0, sizeof server);
    if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        server_len = sizeof *v4;
        return;
    }
    snprintf(host, sizeof host, "%s", text);
    char *zone = strchr(host, '%');
    if (zone)
        *zone++ = '\0';
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) != 1 ||
        (zone && !(v6->sin6_scope_id = if_nametoindex(zone))))
        usage("bad address");
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    server_len = sizeof *v6;
}

/* A whole number from (min) to (max), or the usage. */
static uint64_t number(const char *s, uint64_t min, uint64_t max,
                       const char *name)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
        char why[128];
        snprintf(why, sizeof why, "bad %s '%s'", name, s);
        usage(why);
    }
    return v;
}

int main(int argc, char **argv)
{
    const char *pos[6];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--timeout=", 10) == 0) {
            char *end;
            timeout_s = strtod(argv[i] + 10, &end);
            if (*end || end == argv[i] + 10 || !(timeout_s > 0))
                usage("bad --timeout");
        } else if (npos < 6) {
            pos[npos++] = argv[i];
        } else {
            usage("too many arguments");
        }
    }
    if (npos < 3)
        usage("a mode, an address and a port are needed");
    mode = pos[0];
    static const char *const modes[] = {"concurrent", "bulk",       "reset",
                                        "halfclose",  "udp",        "closefirst",
                                        "serve"};
    int known = 0;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        known |= strcmp(mode, modes[i]) == 0;
    if (!known)
        usage("unknown mode");
    server_address(pos[1], (uint16_t)number(pos[2], 1, 65535, "port"));
    signal(SIGPIPE, SIG_IGN);
    deadline = now() + timeout_s;
    if (strcmp(mode, "concurrent") == 0 && npos == 5)
        mode_concurrent((unsigned)number(pos[3], 1, 1000000, "N"),
                        number(pos[4], 1, UINT64_MAX / 2, "BYTES"));
    else if (strcmp(mode, "bulk") == 0 && npos == 4)
        mode_bulk(number(pos[3], 1, UINT64_MAX / 2, "BYTES"));
    else if (strcmp(mode, "reset") == 0 && npos == 3)
        mode_reset();
    else if (strcmp(mode, "halfclose") == 0 && npos == 4)
        mode_halfclose(number(pos[3], 0, UINT64_MAX / 2, "BYTES"));
    else if (strcmp(mode, "udp") == 0 && (npos == 4 || npos == 5)) {
        if (npos == 5)
            udp_max = (size_t)number(pos[4], 1, UDP_MAX, "MAX");
        mode_udp((unsigned)number(pos[3], 1, 1000000, "COUNT"));
    } else if (strcmp(mode, "serve") == 0 && npos == 4)
        mode_serve((unsigned)number(pos[3], 1, 1000000, "N"));
    else if (strcmp(mode, "closefirst") == 0 && (npos == 4 || npos == 5))
        mode_closefirst((unsigned)number(pos[3], 1, 1000000, "N"),
                        npos == 5 ? (unsigned)number(pos[4], 1, 1000, "PORTS")
                                  : 0);
    else
        usage("wrong number of arguments for this mode");
    return 0;
}
