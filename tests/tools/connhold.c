/*
 * connhold - a plain Linux client (no miou) that holds many keep-alive
 * HTTP/1.1 connections to one server at once and keeps them busy at a
 * low rate: scripts/check_conns.sh and bench/conns.sh run it inside
 * their network namespace against examples/http.c (and nginx).
 *
 *   connhold ADDR PORT N [--sources=A,B,...] [--first-port=P]
 *            [--interval=S] [--hold=S] [--idle=S] [--path=PATH]
 *            [--parallel=M] [--timeout=S]
 *
 * 1. One GET PATH on a connection of its own: its response (status line,
 *    headers, body, found by Content-Length) is the reference.
 * 2. N connections, at most M (--parallel, 200) connecting at a time,
 *    from the addresses of --sources in turn, each from a local port of
 *    its own (P, 10000, onwards: connection i from address i % K, port
 *    P + i / K), so that N may exceed the ports of one address. A
 *    connection refused or reset while connecting is tried again, up to
 *    5 times.
 * 3. Each connection sends "GET PATH HTTP/1.1" every S seconds
 *    (--interval, 5), the first S seconds after it connected, so that
 *    the requests spread over the interval; each response must be the
 *    reference byte for byte, but for the Date header's value (the same
 *    length, another second), and come within 10 s. A connection whose
 *    turn comes while it still waits counts as late, and waits for its
 *    next turn.
 * 4. Once all N are connected, --hold seconds (2 intervals) of those
 *    requests, counted: the request rate is the responses of that window
 *    over its length.
 * 5. Then no more requests: once every response is in, the line
 *    "connhold: idle: N connections open" (flushed), and --idle seconds
 *    (3) with all N open and silent, for the caller to measure the
 *    server, or less: SIGUSR1 ends them; a connection the server closes
 *    then fails the run.
 * 6. Each connection shuts its side down (at most 5 x M at a time) and
 *    must then see the server close its own, not reset it; then closed.
 *    The result line.
 *
 * Progress lines start with "connhold: "; the last line is the result,
 * "connhold: N connections held, R responses byte for byte (X/s over the
 * hold), ..." and exit status 0, or "connhold: FAILED: WHY" and 1; a bad
 * command line exits 2. --timeout (600 s) bounds the whole run. The
 * caller raises RLIMIT_NOFILE (ulimit -n) above N; connhold raises its
 * soft limit to its hard one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOURCES 64
#define CONNECT_TRIES 5
#define RESPONSE_TIMEOUT 10.0
#define REF_MAX 65536

enum state { NEW, CONNECTING, IDLE, WAITING, DONE };

/* A connection: 32 bytes, so that a million fit in 32 MB. */
struct conn {
    int fd;
    uint32_t got;  /* bytes of the current response received */
    double due;    /* when its next request is due (monotonic s) */
    double sent;   /* when its last request left */
    uint8_t state; /* enum state */
    uint8_t tries; /* connects tried */
};

static struct {
    struct sockaddr_storage server;
    socklen_t server_len;
    struct sockaddr_storage sources[MAX_SOURCES];
    unsigned nsources;
    unsigned first_port;
    unsigned long n;
    double interval, hold, idle, timeout;
    unsigned parallel;
    const char *path;
    char request[512];
    size_t request_len;
    unsigned char ref[REF_MAX]; /* the reference response */
    size_t ref_len;
    size_t date_at, date_len; /* the Date header's value in ref */
    double deadline;
    int ep;
    struct conn *conns;
    /* Connections in the order their requests fall due: each is queued
     * again an interval later, so the queue stays sorted. */
    uint32_t *queue;
    unsigned long qhead, qlen;
    /* Counters. */
    unsigned long connected, connecting, next_new, retries, late;
    unsigned long responses, window_responses, waiting;
    double max_latency, sum_latency;
} g = {.first_port = 10000,
       .interval = 5,
       .hold = -1,
       .idle = 3,
       .timeout = 600,
       .parallel = 200,
       .path = "/"};

static volatile sig_atomic_t released; /* SIGUSR1: the idle time is over */

static void on_usr1(int sig)
{
    (void)sig;
    released = 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((format(printf, 1, 2), noreturn)) static void
failed(const char *fmt, ...)
{
    va_list ap;
    printf("connhold: FAILED: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    exit(1);
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    va_list ap;
    printf("connhold: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static void usage(const char *why)
{
    fprintf(stderr,
            "connhold: %s\nusage: connhold ADDR PORT N [--sources=A,B,...] "
            "[--first-port=P] [--interval=S] [--hold=S] [--idle=S] "
            "[--path=PATH] [--parallel=M] [--timeout=S]\n",
            why);
    exit(2);
}

/* ---- Addresses and options ----------------------------------------------- */

static int parse_addr(const char *s, unsigned port, struct sockaddr_storage *ss,
                      socklen_t *len)
{
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof *a4;
        return 0;
    }
    if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof *a6;
        return 0;
    }
    return -1;
}

static double number(const char *s, const char *what, double min, double max)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || v < min || v > max) {
        char why[128];
        snprintf(why, sizeof why, "bad %s '%s'", what, s);
        usage(why);
    }
    return v;
}

static void parse_sources(char *list)
{
    socklen_t len;
    for (char *a = strtok(list, ","); a; a = strtok(NULL, ",")) {
        if (g.nsources == MAX_SOURCES)
            usage("too many --sources");
        if (parse_addr(a, 0, &g.sources[g.nsources], &len) != 0 ||
            g.sources[g.nsources].ss_family != g.server.ss_family)
            usage("a --sources address is not of the server's family");
        g.nsources++;
    }
}

static void parse_args(int argc, char **argv)
{
    const char *pos[3];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            if (npos == 3)
                usage("too many arguments");
            pos[npos++] = a;
        } else if (!strncmp(a, "--sources=", 10)) {
            if (npos < 1)
                usage("--sources comes after ADDR");
        } else if (!strncmp(a, "--first-port=", 13)) {
            g.first_port = (unsigned)number(a + 13, "port", 1, 65535);
        } else if (!strncmp(a, "--interval=", 11)) {
            g.interval = number(a + 11, "interval", 0.01, 3600);
        } else if (!strncmp(a, "--hold=", 7)) {
            g.hold = number(a + 7, "hold", 0, 86400);
        } else if (!strncmp(a, "--idle=", 7)) {
            g.idle = number(a + 7, "idle", 0, 86400);
        } else if (!strncmp(a, "--path=", 7)) {
            g.path = a + 7;
        } else if (!strncmp(a, "--parallel=", 11)) {
            g.parallel = (unsigned)number(a + 11, "parallel", 1, 100000);
        } else if (!strncmp(a, "--timeout=", 10)) {
            g.timeout = number(a + 10, "timeout", 1, 86400);
        } else {
            usage("unknown option");
        }
    }
    if (npos != 3)
        usage("ADDR PORT N are needed");
    unsigned port = (unsigned)number(pos[1], "port", 1, 65535);
    if (parse_addr(pos[0], port, &g.server, &g.server_len) != 0)
        usage("ADDR is not an IPv4 or IPv6 address");
    g.n = (unsigned long)number(pos[2], "N", 1, 10000000);
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "--sources=", 10))
            parse_sources(argv[i] + 10);
    if (g.nsources && g.first_port + (g.n - 1) / g.nsources > 65535)
        usage("N / (number of sources) ports from --first-port pass 65535");
    if (g.hold < 0)
        g.hold = 2 * g.interval;
    int n = snprintf(g.request, sizeof g.request,
                     "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", g.path, pos[0]);
    if (n < 0 || (size_t)n >= sizeof g.request)
        usage("--path too long");
    g.request_len = (size_t)n;
}

/* ---- The reference response ---------------------------------------------- */

/* Where the value of the header (name) starts in the (head_len) bytes of
 * the reference's head, and its length in (*len); 0 when absent. */
static size_t header_value(const char *name, size_t head_len, size_t *len)
{
    size_t nl = strlen(name);
    for (size_t i = 2; i + nl + 1 < head_len; i++) {
        if (g.ref[i - 1] != '\n' || strncasecmp((char *)g.ref + i, name, nl) ||
            g.ref[i + nl] != ':')
            continue;
        size_t v = i + nl + 1;
        while (v < head_len && g.ref[v] == ' ')
            v++;
        size_t e = v;
        while (e < head_len && g.ref[e] != '\r' && g.ref[e] != '\n')
            e++;
        *len = e - v;
        return v;
    }
    return 0;
}

/* A blocking connection to the server, for the reference. */
static int connect_blocking(void)
{
    int fd = socket(g.server.ss_family, SOCK_STREAM, 0);
    struct timeval tv = {10, 0};
    if (fd < 0)
        failed("socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&g.server, g.server_len) != 0)
        failed("connect for the reference response: %s", strerror(errno));
    return fd;
}

/* Step 1: GET PATH once, its whole response into g.ref. */
static void fetch_reference(void)
{
    int fd = connect_blocking();
    if (write(fd, g.request, g.request_len) != (ssize_t)g.request_len)
        failed("the reference request: %s", strerror(errno));
    size_t head = 0, total = 0;
    while (total == 0 || g.ref_len < total) {
        ssize_t r = read(fd, g.ref + g.ref_len, sizeof g.ref - g.ref_len);
        if (r <= 0)
            failed("the reference response: %s after %zu bytes",
                   r == 0 ? "end of stream" : strerror(errno), g.ref_len);
        g.ref_len += (size_t)r;
        if (head == 0) {
            unsigned char *e = memmem(g.ref, g.ref_len, "\r\n\r\n", 4);
            if (!e) {
                if (g.ref_len == sizeof g.ref)
                    failed("the reference response's head is too long");
                continue;
            }
            head = (size_t)(e - g.ref) + 4;
            size_t vlen, v = header_value("Content-Length", head, &vlen);
            if (!v)
                failed("the reference response has no Content-Length");
            total = head + strtoul((char *)g.ref + v, NULL, 10);
            if (total > sizeof g.ref)
                failed("the reference response is above %d bytes", REF_MAX);
        }
    }
    if (g.ref_len != total)
        failed("the reference response has %zu bytes more than announced",
               g.ref_len - total);
    if (memcmp(g.ref, "HTTP/1.1 200 ", 13) != 0)
        failed("the reference response is not 200: %.40s", g.ref);
    g.date_at = header_value("Date", head, &g.date_len);
    close(fd);
    say("reference: GET %s is %zu bytes (head %zu), Date at %zu", g.path,
        g.ref_len, head, g.date_at);
}

/* ---- Connections -----------------------------------------------------------
 */

static void ep_ctl(int op, int fd, uint32_t events, unsigned long i)
{
    struct epoll_event ev = {.events = events, .data.u64 = i};
    if (epoll_ctl(g.ep, op, fd, &ev) != 0)
        failed("epoll_ctl: %s", strerror(errno));
}

/* Start connection (i): a socket bound to its source address and port,
 * connecting. */
static void conn_start(unsigned long i)
{
    struct conn *c = &g.conns[i];
    int fd = socket(g.server.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        failed("socket for connection %lu: %s (ulimit -n?)", i,
               strerror(errno));
    if (g.nsources) {
        struct sockaddr_storage a = g.sources[i % g.nsources];
        uint16_t port = htons((uint16_t)(g.first_port + i / g.nsources));
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (a.ss_family == AF_INET)
            ((struct sockaddr_in *)&a)->sin_port = port;
        else
            ((struct sockaddr_in6 *)&a)->sin6_port = port;
        socklen_t len = a.ss_family == AF_INET ? sizeof(struct sockaddr_in)
                                               : sizeof(struct sockaddr_in6);
        if (bind(fd, (struct sockaddr *)&a, len) != 0)
            failed("bind of connection %lu (port %u): %s", i,
                   (unsigned)ntohs(port), strerror(errno));
    }
    if (connect(fd, (struct sockaddr *)&g.server, g.server_len) != 0 &&
        errno != EINPROGRESS)
        failed("connect %lu: %s", i, strerror(errno));
    c->fd = fd;
    c->state = CONNECTING;
    c->tries++;
    g.connecting++;
    ep_ctl(EPOLL_CTL_ADD, fd, EPOLLOUT, i);
}

/* Connection (i)'s next request is due at (when), which is never before
 * the last one queued: the queue stays in order. */
static void queue_push(unsigned long i, double when)
{
    g.conns[i].due = when;
    g.queue[(g.qhead + g.qlen) % g.n] = (uint32_t)i;
    g.qlen++;
}

/* Connection (i) answered its connect. */
static void conn_connected(unsigned long i, double t)
{
    struct conn *c = &g.conns[i];
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    g.connecting--;
    if (err) {
        close(c->fd);
        c->fd = -1;
        if ((err == ECONNREFUSED || err == ECONNRESET || err == ETIMEDOUT) &&
            c->tries < CONNECT_TRIES) {
            g.retries++;
            conn_start(i);
            return;
        }
        failed("connection %lu: %s (try %u)", i, strerror(err), c->tries);
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ep_ctl(EPOLL_CTL_MOD, c->fd, EPOLLIN | EPOLLRDHUP, i);
    c->state = IDLE;
    g.connected++;
    queue_push(i, t + g.interval);
}

static void conn_send(unsigned long i, double t)
{
    struct conn *c = &g.conns[i];
    ssize_t w = send(c->fd, g.request, g.request_len, MSG_NOSIGNAL);
    if (w != (ssize_t)g.request_len)
        failed("send on connection %lu: %s", i,
               w < 0 ? strerror(errno) : "short");
    c->state = WAITING;
    c->got = 0;
    c->sent = t;
    g.waiting++;
}

/* Bytes (buf, n) of connection (i)'s current response, checked against
 * the reference. */
static void conn_check(unsigned long i, const unsigned char *buf, size_t n,
                       double t, double window_start)
{
    struct conn *c = &g.conns[i];
    if (c->state != WAITING || c->got + n > g.ref_len)
        failed("connection %lu: %zu bytes that no request asked for", i, n);
    for (size_t k = 0; k < n; k++) {
        size_t at = c->got + k;
        int in_date =
            g.date_at && at >= g.date_at && at < g.date_at + g.date_len;
        if (buf[k] != g.ref[at] && !in_date)
            failed("connection %lu: byte %zu of a response is 0x%02x, the "
                   "reference's 0x%02x",
                   i, at, buf[k], g.ref[at]);
    }
    c->got += (uint32_t)n;
    if (c->got < g.ref_len)
        return;
    double lat = t - c->sent;
    if (lat > g.max_latency)
        g.max_latency = lat;
    g.sum_latency += lat;
    g.responses++;
    if (window_start > 0 && t >= window_start)
        g.window_responses++;
    g.waiting--;
    c->state = IDLE;
}

/* Read what connection (i) has; an end or an error fails the run. */
static void conn_input(unsigned long i, uint32_t events, double t,
                       double window_start)
{
    static unsigned char buf[REF_MAX];
    struct conn *c = &g.conns[i];
    for (;;) {
        ssize_t r = recv(c->fd, buf, sizeof buf, 0);
        if (r > 0) {
            conn_check(i, buf, (size_t)r, t, window_start);
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        failed("connection %lu closed by the server (%s) after %lu responses "
               "in all",
               i, r == 0 ? "end of stream" : strerror(errno), g.responses);
    }
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        failed("connection %lu: the server closed it", i);
}

/* Send the requests due by (t), in the queue's order; each connection
 * is queued again for (t) + interval. A connection still waiting for
 * its last response is late (and fails the run once it waited
 * RESPONSE_TIMEOUT). */
static void send_due(double t)
{
    while (g.qlen && g.conns[g.queue[g.qhead]].due <= t) {
        unsigned long i = g.queue[g.qhead];
        struct conn *c = &g.conns[i];
        g.qhead = (g.qhead + 1) % g.n;
        g.qlen--;
        if (c->state == WAITING) {
            if (t - c->sent > RESPONSE_TIMEOUT)
                failed("connection %lu: no whole response within %.0f s "
                       "(%u of %zu bytes)",
                       i, RESPONSE_TIMEOUT, c->got, g.ref_len);
            g.late++;
        } else {
            conn_send(i, t);
        }
        queue_push(i, t + g.interval);
    }
}

/* The connections with an event, then the requests due. (window_start):
 * when the counted window began (0: not yet). */
static void turn(int timeout_ms, double window_start, int sending)
{
    static struct epoll_event evs[1024];
    int n = epoll_wait(g.ep, evs, 1024, timeout_ms);
    if (n < 0 && errno != EINTR)
        failed("epoll_wait: %s", strerror(errno));
    double t = now();
    for (int k = 0; k < n; k++) {
        unsigned long i = (unsigned long)evs[k].data.u64;
        if (g.conns[i].state == CONNECTING)
            conn_connected(i, t);
        else
            conn_input(i, evs[k].events, t, window_start);
    }
    if (sending)
        send_due(t);
    if (t > g.deadline)
        failed("not done within --timeout=%.0f s: %lu of %lu connected, %lu "
               "responses, %lu waiting",
               g.timeout, g.connected, g.n, g.responses, g.waiting);
}

/* Milliseconds until the queue's head is due (at most 100). */
static int until_due(void)
{
    if (!g.qlen)
        return 100;
    double ms = (g.conns[g.queue[g.qhead]].due - now()) * 1000;
    return ms <= 0 ? 0 : ms > 100 ? 100 : (int)ms + 1;
}

/* Step 6: each connection ends its side (shutdown()), at most 5 x
 * --parallel waiting at a time, and is closed once the server has ended
 * its side too: every connection must be closed by the server after its
 * client, none reset, none left open (and no socket of ours is orphaned,
 * to be reset by the kernel where the server might never hear it). */
static void close_all(void)
{
    static struct epoll_event evs[1024];
    static unsigned char buf[4096];
    unsigned long next = 0, waiting = 0, closed = 0;
    while (closed < g.n) {
        while (next < g.n && waiting < 5ul * g.parallel) {
            if (shutdown(g.conns[next].fd, SHUT_WR) != 0)
                failed("shutdown of connection %lu: %s", next, strerror(errno));
            g.conns[next++].state = DONE;
            waiting++;
        }
        int n = epoll_wait(g.ep, evs, 1024, 100);
        if (n < 0 && errno != EINTR)
            failed("epoll_wait: %s", strerror(errno));
        for (int k = 0; k < n; k++) {
            unsigned long i = (unsigned long)evs[k].data.u64;
            struct conn *c = &g.conns[i];
            if (c->state != DONE)
                failed("connection %lu: the server closed it (or sent "
                       "bytes) before its client did",
                       i);
            ssize_t r = recv(c->fd, buf, sizeof buf, 0);
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                continue;
            if (r != 0)
                failed("connection %lu, closing: %s", i,
                       r > 0 ? "bytes after the last response"
                             : strerror(errno));
            close(c->fd);
            c->fd = -1;
            waiting--;
            closed++;
        }
        if (now() > g.deadline)
            failed("%lu connections not closed by the server within "
                   "--timeout=%.0f s",
                   g.n - closed, g.timeout);
    }
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < g.n + 16)
        failed("RLIMIT_NOFILE is %llu, below %lu connections (ulimit -n)",
               (unsigned long long)rl.rlim_cur, g.n + 16);
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    raise_nofile();
    signal(SIGUSR1, on_usr1);
    double t0 = now();
    g.deadline = t0 + g.timeout;
    fetch_reference();
    g.conns = calloc(g.n, sizeof *g.conns);
    g.queue = calloc(g.n, sizeof *g.queue);
    g.ep = epoll_create1(0);
    if (!g.conns || !g.queue || g.ep < 0)
        failed("no memory for %lu connections", g.n);

    /* Connect all, the first ones already sending. */
    double last = t0;
    while (g.connected < g.n) {
        while (g.next_new < g.n && g.connecting < g.parallel)
            conn_start(g.next_new++);
        turn(until_due(), 0, 1);
        if (now() - last >= 5) {
            last = now();
            say("%lu connected, %lu responses so far", g.connected,
                g.responses);
        }
    }
    double t1 = now();
    say("%lu connections in %.1f s (%lu connects tried again), %lu "
        "responses so far",
        g.n, t1 - t0, g.retries, g.responses);

    /* The counted window. */
    while (now() < t1 + g.hold)
        turn(until_due(), t1, 1);
    double t2 = now();
    unsigned long counted = g.window_responses;

    /* Quiet: the last responses in, then idle. */
    while (g.waiting > 0) {
        turn(100, 0, 0);
        if (now() - t2 > RESPONSE_TIMEOUT)
            failed("%lu responses missing %.0f s after the last request",
                   g.waiting, RESPONSE_TIMEOUT);
    }
    say("idle: %lu connections open", g.n);
    double t3 = now();
    while (now() < t3 + g.idle && !released)
        turn(100, 0, 0);

    double t4 = now();
    close_all();
    printf("connhold: %lu connections held, %lu responses byte for byte "
           "(%.0f/s over the %.1f s hold), latency mean %.1f ms, max %.1f "
           "ms; %lu late, %lu connects tried again; connected in %.1f s, "
           "closed in %.1f s\n",
           g.n, g.responses, counted / (t2 - t1), t2 - t1,
           g.responses ? 1000 * g.sum_latency / g.responses : 0.0,
           1000 * g.max_latency, g.late, g.retries, t1 - t0, now() - t4);
    return 0;
}
