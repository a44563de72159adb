/*
 * http - a small HTTP/1.1 server over the library's TCP/IP stack
 * (miou_tcpip.h). A task accepts connections and gives each one a task
 * of its own, which reads requests and answers them:
 *
 *   GET /       a small HTML page, built at start
 *   GET /file   the whole content of the block device "storage", read by
 *               scheduled block reads of 64 KiB and written to the
 *               connection as it goes (application/octet-stream)
 *   HEAD        of both: the same headers, no body
 *   otherwise   404 (unknown path), 405 (a method other than GET and
 *               HEAD), 400 (a malformed request, then the connection is
 *               closed), 431 (request line and headers above 8 KiB, then
 *               closed), 501 (a request body with Transfer-Encoding, then
 *               closed), 505 (not HTTP/1.x, then closed)
 *
 * Connections are persistent (HTTP/1.1 keep-alive): a connection serves
 * requests one after the other, pipelined ones included, until the
 * client closes it, asks "Connection: close" (or speaks HTTP/1.0 without
 * asking "Connection: keep-alive"), or stays idle for --idle seconds.
 *
 *   http [ADDRESS] [--prefix=BITS] [--gateway=ADDRESS] [--dhcp]
 *        [--port=N] [--seconds=S] [--idle=S]
 *
 * (the table options[] below says what each means; --help prints it).
 *
 * At the end it closes everything, prints what it served, and checks
 * that lwIP holds nothing any more (exit status 1 otherwise).
 *
 *   ip netns exec ns build/hosted/examples/http --net:service=tap0 \
 *       --block:storage=disk.img -- 10.0.0.2
 *   ip netns exec ns curl http://10.0.0.2/file -o copy.img
 *   solo5-spt --net:service=tap0 --block:storage=disk.img \
 *       build/spt/examples/http.spt 10.0.0.2
 */
#include <stdlib.h>
#include <string.h>

#include <miou.h>
#include <miou_heap.h>
#include <miou_tcpip.h>

#include "lib/args.h"
#include "lib/console.h"
#include "lib/netstack.h"
#include "lib/tcpip_args.h"

/* The transport of a connection: TCP here. examples/https.c is this
 * file behind TLS: it defines its own transport (the same names, over
 * miou_tls.h) and HTTP_TRANSPORT_TLS, then includes this file. */
#ifndef HTTP_TRANSPORT_TLS
#define NAME "http"
#define DEFAULT_PORT 80
typedef miou_tcp transport;

/* The connection, once accepted, ready for requests. */
static int transport_open(miou_tcp *tcp, uint64_t deadline, transport **t)
{
    (void)deadline;
    *t = tcp;
    return 0;
}

#define transport_read miou_tcp_read
#define transport_write miou_tcp_write
#define transport_close miou_tcp_close
#define transport_abort miou_tcp_abort
/* Close our sending side: nothing to say first over TCP. */
#define transport_shutdown(t, deadline) ((void)(deadline), 0)
/* Options of the transport's own: none over TCP. */
#define TRANSPORT_ARGS
/* Before serving: nothing to prepare. */
#define transport_setup(status) 0
#define transport_teardown()
/* What the transport holds at the end, appended to the last line:
 * nothing over TCP; 0 when it holds nothing. */
#define transport_report(buf, size) ((buf)[0] = '\0', (void)(size), 0)
#endif

#define SECOND 1000000000ull
/* Request line and headers of one request, at most. */
#define HEAD_MAX 8192
/* The room a connection has for them until a request needs more: an idle
 * connection holds this much, not HEAD_MAX (most requests fit). */
#define HEAD_SMALL 1024
/* Bytes of one scheduled block read of GET /file, at most. */
#define CHUNK_MAX (64u * 1024u)
#define SERVER "miou-solo5"
/* Room for a response's status line and headers. */
#define HEAD_ROOM 512
/* The stack of a connection's task: it uses about 2.7 KiB (the head
 * buffer is on the heap; --measure-stacks shows the figure). */
#define CONN_STACK 8192
#define HEAD_TOO_LARGE (HEAD_MAX + 1)

struct options {
    struct miou_tcpip_config ip;
    uint64_t port, duration, idle;
    uint64_t linger; /* see linger() */
    uint64_t stats;  /* every so often, a line of print_stats() (0: never) */
};

static struct {
    struct options opt;
    miou_tcpip *stack;
    miou_block *disk;
    struct miou_block_info disk_info;
    size_t chunk; /* bytes of one block read: a multiple of the block size */
    char page[1536];
    size_t page_len;
    uint64_t connections, requests, bytes;
    uint64_t open; /* connections being served now */
    /* The connections' tasks. Not on the acceptor's stack: cancelled,
     * the acceptor returns with its children still in the set, and the
     * runtime collects them after the function's frame is gone, through
     * the set (miou.h: the set must stay in place until then). */
    miou_orphans conns;
} http = {.opt = {.ip = {.device = "service",
                         .address = MIOU_IPV4(10, 0, 0, 2),
                         .netmask = MIOU_IPV4(255, 255, 255, 0)},
                  .port = DEFAULT_PORT,
                  .idle = 30 * SECOND,
                  .linger = 5 * SECOND}};

/* The command line, read by args_read() (lib/args.h). */
static const struct arg options[] = {
    {"ADDRESS", "the interface's address (10.0.0.2)",
     .ipv4 = &http.opt.ip.address},
    TCPIP_ARGS(http.opt.ip),
    {"--port", "the port to listen on (80; https: 443)",
     .number = &http.opt.port, .min = 1, .max = 65535},
    {"--seconds", "stop after S seconds (never)", .number = &http.opt.duration,
     .decimals = 9, .max = UINT64_MAX / 2, .value = "S"},
    {"--idle", "close a connection that sends nothing for S seconds (30)",
     .number = &http.opt.idle, .decimals = 9, .min = 1, .max = UINT64_MAX / 4,
     .value = "S"},
    {"--linger",
     "after a response with Connection: close, wait S seconds at most for "
     "the client to close first (5; 0: close at once)",
     .number = &http.opt.linger, .decimals = 9, .max = UINT64_MAX / 4,
     .value = "S"},
    {"--stats",
     "every S seconds, a line: connections open, requests, heap in use "
     "(never)",
     .number = &http.opt.stats, .decimals = 9, .max = UINT64_MAX / 4,
     .value = "S"},
    TRANSPORT_ARGS{0},
};

/* ---- Dates (the Date header, RFC 9110's IMF-fixdate) ---------------- */

static int leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* (secs) since the epoch as "Sun, 06 Nov 1994 08:49:37 GMT" into (buf)
 * (at least 30 bytes). Counting years then months from 1970 costs a few
 * dozen steps, and is plainly right. */
static void format_date(char *buf, size_t size, uint64_t secs)
{
    static const char *const wday[] = {"Thu", "Fri", "Sat", "Sun",
                                       "Mon", "Tue", "Wed"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31};
    uint64_t days = secs / 86400, rest = secs % 86400;
    const char *weekday = wday[days % 7]; /* 1970-01-01 was a Thursday */
    unsigned year = 1970, month = 0;
    while (days >= (uint64_t)(365 + leap(year)))
        days -= 365 + (unsigned)leap(year++);
    for (;;) {
        unsigned n = mdays[month] + (month == 1 && leap(year));
        if (days < n)
            break;
        days -= n;
        month++;
    }
    snprintf(buf, size, "%s, %02u %s %u %02u:%02u:%02u GMT", weekday,
             (unsigned)days + 1, mon[month], year, (unsigned)(rest / 3600),
             (unsigned)(rest / 60 % 60), (unsigned)(rest % 60));
}

/* The Date header of a response now. It names a second: it is read and
 * formatted again only once that second is over, as told by the clock
 * that the runtime has read already (miou_clock_recent()), which saves
 * each response a read of the wall clock (a system call under
 * solo5-spt) and the formatting. */
static const char *date_now(void)
{
    static char date[32];
    static uint64_t until; /* when (date) is over, on the monotonic clock */
    uint64_t now = miou_clock_recent();
    if (now >= until) {
        uint64_t wall = miou_clock_wall();
        format_date(date, sizeof date, wall / SECOND);
        until = now + (SECOND - wall % SECOND);
    }
    return date;
}

/* ---- Parsing a request ------------------------------------------------ */

struct request {
    int head;         /* HEAD: answer with headers only */
    int served;       /* GET or HEAD, the methods we serve */
    const char *path; /* the target's path, without the query */
    size_t path_len;
    unsigned minor;  /* HTTP/1.(minor) */
    int close;       /* "Connection: close" */
    int keep_alive;  /* "Connection: keep-alive" */
    unsigned hosts;  /* Host headers */
    int has_length;  /* a Content-Length header */
    uint64_t length; /* its value: body bytes to skip */
    int coded;       /* a Transfer-Encoding header */
};

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Whether the (len) bytes at (s) are (word), ignoring case. */
static int same(const char *s, size_t len, const char *word)
{
    size_t i;
    for (i = 0; i < len && word[i]; i++)
        if (lower((unsigned char)s[i]) != word[i])
            return 0;
    return i == len && word[i] == '\0';
}

/* A character of an HTTP token (method, header name: RFC 9110, 5.6.2). */
static int tchar(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The next line of [*p, end): (*s, *len) without its LF nor a CR just
 * before it. The caller knows that a LF ends the head. */
static void next_line(const char **p, const char *end, const char **s,
                      size_t *len)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        nl = end;
    *s = *p;
    *len = (size_t)(nl - *p);
    if (*len && (*s)[*len - 1] == '\r')
        (*len)--;
    *p = nl < end ? nl + 1 : end;
}

/* Split a Connection header's comma-separated options. */
static void connection_options(const char *v, size_t len, struct request *r)
{
    size_t i = 0;
    while (i < len) {
        size_t start, stop;
        while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        start = i;
        while (i < len && v[i] != ',')
            i++;
        stop = i;
        while (stop > start && (v[stop - 1] == ' ' || v[stop - 1] == '\t'))
            stop--;
        if (same(v + start, stop - start, "close"))
            r->close = 1;
        else if (same(v + start, stop - start, "keep-alive"))
            r->keep_alive = 1;
    }
}

/* One header line. Returns 0 or 400. */
static int header(const char *s, size_t len, struct request *r)
{
    const char *colon = memchr(s, ':', len);
    size_t i, name_len, vlen;
    const char *v;
    /* A name is a non-empty token: no space before the colon, no folded
     * continuation line (obsolete, and a way to smuggle requests). */
    if (!colon || colon == s)
        return 400;
    name_len = (size_t)(colon - s);
    for (i = 0; i < name_len; i++)
        if (!tchar((unsigned char)s[i]))
            return 400;
    v = colon + 1;
    vlen = len - name_len - 1;
    for (i = 0; i < vlen; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 400;
    }
    while (vlen && (*v == ' ' || *v == '\t'))
        v++, vlen--;
    while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        vlen--;
    if (same(s, name_len, "host"))
        r->hosts++;
    else if (same(s, name_len, "connection"))
        connection_options(v, vlen, r);
    else if (same(s, name_len, "transfer-encoding"))
        r->coded = 1;
    else if (same(s, name_len, "content-length")) {
        uint64_t n = 0;
        if (vlen == 0 || vlen > 18)
            return 400;
        for (i = 0; i < vlen; i++) {
            if (v[i] < '0' || v[i] > '9')
                return 400;
            n = n * 10 + (uint64_t)(v[i] - '0');
        }
        /* Two lengths that differ leave the body's end unknown. */
        if (r->has_length && r->length != n)
            return 400;
        r->has_length = 1;
        r->length = n;
    }
    return 0;
}

/* The request line: METHOD SP TARGET SP HTTP/1.x. Returns 0, 400, 505. */
static int request_line(const char *s, size_t len, struct request *r)
{
    const char *end = s + len, *sp1, *sp2, *t, *v, *q;
    size_t tlen, i;
    sp1 = memchr(s, ' ', len);
    if (!sp1 || sp1 == s)
        return 400;
    for (t = s; t < sp1; t++)
        if (!tchar((unsigned char)*t))
            return 400;
    r->head = sp1 - s == 4 && memcmp(s, "HEAD", 4) == 0;
    r->served = r->head || (sp1 - s == 3 && memcmp(s, "GET", 3) == 0);
    t = sp1 + 1;
    sp2 = memchr(t, ' ', (size_t)(end - t));
    if (!sp2 || sp2 == t)
        return 400;
    tlen = (size_t)(sp2 - t);
    for (i = 0; i < tlen; i++)
        if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
            return 400;
    v = sp2 + 1;
    if (end - v != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' ||
        v[5] > '9' || v[6] != '.' || v[7] < '0' || v[7] > '9')
        return 400;
    if (v[5] != '1')
        return 505;
    r->minor = (unsigned)(v[7] - '0');
    /* The absolute form (http://host/path), which a server must accept,
     * comes down to its path. */
    if (tlen > 7 && same(t, 7, "http://")) {
        const char *slash = memchr(t + 7, '/', tlen - 7);
        if (!slash) {
            t = "/";
            tlen = 1;
        } else {
            tlen -= (size_t)(slash - t);
            t = slash;
        }
    }
    r->path = t;
    q = memchr(t, '?', tlen);
    r->path_len = q ? (size_t)(q - t) : tlen;
    if (!(r->path_len == 1 && t[0] == '*') && t[0] != '/')
        return 400;
    return 0;
}

/* The head of (len) bytes at (s), which ends with an empty line. Returns
 * 0, or the status of the error to answer. */
static int parse_request(const char *s, size_t len, struct request *r)
{
    const char *p = s, *end = s + len, *line;
    size_t n;
    int status;
    memset(r, 0, sizeof *r);
    next_line(&p, end, &line, &n);
    if ((status = request_line(line, n, r)) != 0)
        return status;
    for (;;) {
        next_line(&p, end, &line, &n);
        if (n == 0)
            return 0;
        if ((status = header(line, n, r)) != 0)
            return status;
    }
}

/* ---- A connection ------------------------------------------------------ */

struct conn {
    transport *tcp;
    size_t len;     /* bytes of buf received, not yet used */
    size_t scanned; /* bytes of buf known to hold no head's end */
    int eof;        /* the client has closed its side */
    char *buf;      /* small, or HEAD_MAX bytes of the heap while a
                       request needs more (given back once used) */
    size_t size;    /* of buf */
    char small[HEAD_SMALL];
};

/* What serving a request leaves the connection to do. */
enum next { CLOSE = 0, KEEP = 1 };

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

/* Write (len) bytes, giving the client --idle seconds to make room.
 * (Idle times are counted from miou_clock_recent(): a few microseconds
 * early at worst, without a clock read per response.) */
static long send_all(struct conn *c, const void *buf, size_t len)
{
    long n =
        transport_write(c->tcp, buf, len, miou_clock_recent() + http.opt.idle);
    if (n > 0)
        http.bytes += (uint64_t)n;
    return n;
}

/* Text appended to a buffer, piece by piece: cheaper than glibc's
 * snprintf() by about 2,100 instructions per response, a quarter of the
 * cost of serving the page (callgrind). (cut) says a piece did not fit. */
struct text {
    char *p, *end;
    int cut;
};

static void put_n(struct text *t, const char *s, size_t n)
{
    if (n > (size_t)(t->end - t->p)) {
        n = (size_t)(t->end - t->p);
        t->cut = 1;
    }
    memcpy(t->p, s, n);
    t->p += n;
}

static void put(struct text *t, const char *s)
{
    put_n(t, s, strlen(s));
}

static void put_number(struct text *t, uint64_t v)
{
    char digits[20];
    size_t i = sizeof digits;
    do
        digits[--i] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    put_n(t, digits + i, sizeof digits - i);
}

/* The status line and headers into (out) of (size) bytes: their length,
 * or MIOU_EINVAL when they do not fit. (length) is the Content-Length. */
static int format_head(char *out, size_t size, int status, int keep,
                       unsigned minor, const char *type, uint64_t length)
{
    struct text t = {out, out + size, 0};
    put(&t, "HTTP/1.1 ");
    put_number(&t, (uint64_t)status);
    put(&t, " ");
    put(&t, reason(status));
    put(&t, "\r\nDate: ");
    put(&t, date_now());
    put(&t, "\r\nServer: " SERVER "\r\nContent-Type: ");
    put(&t, type);
    put(&t, "\r\nContent-Length: ");
    put_number(&t, length);
    put(&t, "\r\n");
    if (status == 405)
        put(&t, "Allow: GET, HEAD\r\n");
    if (!keep)
        put(&t, "Connection: close\r\n");
    else if (minor == 0)
        put(&t, "Connection: keep-alive\r\n");
    put(&t, "\r\n");
    if (t.cut)
        return MIOU_EINVAL;
    http.requests++;
    return (int)(t.p - out);
}

/* Send the status line and headers, then (body) unless (head). One write
 * for both, so that a small response leaves in one segment instead of
 * waiting behind the header's acknowledgement (Nagle's algorithm).
 * (length) is the Content-Length: body's, or the one that follows. */
static long respond(struct conn *c, int status, int head, int keep,
                    unsigned minor, const char *type, uint64_t length,
                    const char *body)
{
    char out[HEAD_ROOM + sizeof http.page];
    int n = format_head(out, HEAD_ROOM, status, keep, minor, type, length);
    if (n < 0)
        return n;
    if (body && !head) {
        if ((size_t)n + length > sizeof out)
            return MIOU_EINVAL;
        memcpy(out + n, body, (size_t)length);
        n += (int)length;
    }
    return send_all(c, out, (size_t)n);
}

/* A response whose body says its status. */
static long respond_error(struct conn *c, int status, int head, int keep,
                          unsigned minor)
{
    char body[64];
    int n = snprintf(body, sizeof body, "%d %s\n", status, reason(status));
    return respond(c, status, head, keep, minor, "text/plain", (uint64_t)n,
                   body);
}

/* GET /file: the block device, read in chunks (of (chunk) bytes) by
 * scheduled reads, so that other tasks run meanwhile and the disk has
 * the lowest priority, each chunk sent before the next is read: a
 * download takes one chunk of memory, and a client that reads slowly
 * holds back the reads, not the heap. (buf) holds HEAD_ROOM bytes and a
 * chunk: the headers leave with the first chunk, in one write. */
static long send_file(struct conn *c, const struct request *r, int keep,
                      char *buf)
{
    uint64_t capacity = http.disk_info.capacity;
    if (r->head || capacity == 0)
        return respond(c, 200, r->head, keep, r->minor,
                       "application/octet-stream", capacity, NULL);
    int head = format_head(buf, HEAD_ROOM, 200, keep, r->minor,
                           "application/octet-stream", capacity);
    if (head < 0)
        return head;
    long rc = 0;
    char *chunk = buf + head;
    for (uint64_t off = 0; rc >= 0 && off < capacity;) {
        size_t n =
            capacity - off < http.chunk ? (size_t)(capacity - off) : http.chunk;
        rc = miou_block_read(http.disk, off, chunk, n);
        if (rc == 0)
            rc = send_all(c, buf, (size_t)(chunk - buf) + n);
        off += n;
        chunk = buf;
    }
    /* A failed read cannot be told in the middle of a body whose length
     * was announced: the caller resets the connection, and the client
     * sees a truncated transfer instead of wrong data. */
    return rc < 0 ? rc : 0;
}

/* Where the head in c->buf ends (the byte after its empty line), or 0
 * when it is not all there yet. A bare LF ends a line too (RFC 9112,
 * 2.2). */
static size_t head_end(struct conn *c)
{
    for (size_t i = c->scanned; i + 1 < c->len; i++) {
        if (c->buf[i] != '\n')
            continue;
        size_t j = i + 1;
        if (c->buf[j] == '\r')
            j++;
        if (j < c->len && c->buf[j] == '\n')
            return j + 1;
    }
    /* An end ("\n\n" or "\n\r\n") can only start in the last two
     * bytes: a client sending a byte at a time costs no rescans. */
    c->scanned = c->len > 2 ? c->len - 2 : 0;
    return 0;
}

/* Drop the first (n) bytes of c->buf, keeping what follows: the next
 * pipelined request may be there already. A large buffer that is then
 * empty goes back to the heap. */
static void consume(struct conn *c, size_t n)
{
    memmove(c->buf, c->buf + n, c->len - n);
    c->len -= n;
    c->scanned = 0;
    if (c->len == 0 && c->buf != c->small) {
        free(c->buf);
        c->buf = c->small;
        c->size = sizeof c->small;
    }
}

/* Room for HEAD_MAX bytes in c->buf: 0, or MIOU_ENOMEM. */
static int grow(struct conn *c)
{
    char *big = malloc(HEAD_MAX);
    if (!big)
        return MIOU_ENOMEM;
    memcpy(big, c->buf, c->len);
    c->buf = big;
    c->size = HEAD_MAX;
    return 0;
}

/* Read until c->buf holds a whole head, by (deadline). Returns its
 * length; 0 when the client closed before a whole head came;
 * HEAD_TOO_LARGE when it does not fit in c->buf; or an error. */
static long read_head(struct conn *c, uint64_t deadline)
{
    for (;;) {
        /* Empty lines before a request are allowed (RFC 9112, 2.2). */
        size_t skip = 0;
        while (skip < c->len && (c->buf[skip] == '\r' || c->buf[skip] == '\n'))
            skip++;
        if (skip)
            consume(c, skip);
        size_t end = head_end(c);
        if (end)
            return (long)end;
        if (c->len == HEAD_MAX)
            return HEAD_TOO_LARGE;
        if (c->eof)
            return 0; /* a request cut short is dropped with the connection */
        if (c->len == c->size && grow(c) != 0)
            return MIOU_ENOMEM;
        long n =
            transport_read(c->tcp, c->buf + c->len, c->size - c->len, deadline);
        if (n < 0)
            return n;
        if (n == 0)
            c->eof = 1;
        c->len += (size_t)n;
    }
}

/* End a connection we chose to close after a response. Closing at once
 * would make us the side that sends the first FIN, whose connection then
 * waits in TIME_WAIT (two minutes in lwIP, a connection held all that
 * time); and closing with request bytes still unread would turn the
 * close into a reset that can destroy the response before the client
 * reads it. So wait for the client's close, which "Connection: close"
 * asks for, reading and dropping what it still sends, for --linger at
 * most; then close, gracefully either way. */
static void linger(struct conn *c)
{
    uint64_t deadline = miou_clock_monotonic() + http.opt.linger;
    long n = 0;
    if (http.opt.linger > 0)
        n = transport_shutdown(c->tcp, deadline) == 0 ? 1 : MIOU_ECANCELED;
    while (!c->eof && n > 0)
        n = transport_read(c->tcp, c->buf, c->size, deadline);
    if (n == MIOU_ECANCELED)
        transport_abort(c->tcp);
    else
        transport_close(c->tcp);
}

/* Answer one request whose head is the first (len) bytes of c->buf.
 * Returns KEEP to go on with the connection, CLOSE to close it after
 * the response (linger()), or an error to reset it. */
static int serve_one(struct conn *c, size_t len)
{
    struct request r;
    int status = parse_request(c->buf, len, &r);
    char *chunk = NULL;
    long rc;
    /* HTTP/1.1 wants one Host header, HTTP/1.0 at most one. */
    if (status == 0 && (r.hosts > 1 || (r.minor >= 1 && r.hosts == 0)))
        status = 400;
    /* We read no chunked body, so we could not find where it ends. */
    if (status == 0 && r.coded)
        status = 501;
    /* We use no request body. Skipping one would not do either: a client
     * that sent "Expect: 100-continue" may or may not send it after our
     * answer, so the next request's start is unknown. Close instead. */
    int keep = status == 0 && !r.close && (r.minor >= 1 || r.keep_alive) &&
               r.length == 0;
    int file = status == 0 && r.served && r.path_len == 5 &&
               memcmp(r.path, "/file", 5) == 0;
    if (file && !r.head && http.disk_info.capacity > 0 &&
        !(chunk = malloc(HEAD_ROOM + http.chunk))) {
        status = 503;
        keep = 0;
    }
    if (status != 0)
        rc = respond_error(c, status, r.head, 0, r.minor);
    else if (!r.served)
        rc = respond_error(c, 405, r.head, keep, r.minor);
    else if (file)
        rc = send_file(c, &r, keep, chunk);
    else if (r.path_len == 1 && r.path[0] == '/')
        rc = respond(c, 200, r.head, keep, r.minor, "text/html; charset=utf-8",
                     http.page_len, http.page);
    else
        rc = respond_error(c, 404, r.head, keep, r.minor);
    free(chunk);
    /* Only now: r points into the head, which the next pipelined
     * request would overwrite. */
    consume(c, len);
    if (rc < 0)
        return (int)rc;
    return keep ? KEEP : CLOSE;
}

static void conn_free(struct conn *c)
{
    if (c->buf != c->small)
        free(c->buf);
    free(c);
    http.open--;
}

/* One connection: requests until the client closes, asks to close, idles
 * for --idle, or breaks the protocol. */
static void *serve(void *arg)
{
    struct conn *c = malloc(sizeof *c);
    int rc = KEEP;
    if (!c) {
        miou_tcp_abort(arg);
        return NULL;
    }
    http.open++;
    c->buf = c->small;
    c->size = sizeof c->small;
    /* Responses leave whole at once: with Nagle's algorithm a response's
     * last short segment would wait for the client's delayed ACK of the
     * previous ones (44 ms per 4 KiB response,
     * docs/benchmarks-history.md section 9). */
    miou_tcp_set_nodelay(arg, 1);
    if (transport_open(arg, miou_clock_recent() + http.opt.idle, &c->tcp)) {
        conn_free(c);
        return NULL;
    }
    c->len = c->scanned = 0;
    c->eof = 0;
    while (rc == KEEP) {
        /* --idle counts from the end of the last response to the end of
         * the next head: a client sending it a byte at a time is idle. */
        long n = read_head(c, miou_clock_recent() + http.opt.idle);
        if (n == HEAD_TOO_LARGE) {
            int head = memcmp(c->buf, "HEAD ", 5) == 0;
            c->len = 0;
            long w = respond_error(c, 431, head, 0, 1);
            rc = w < 0 ? (int)w : CLOSE;
        } else if (n == 0) {
            /* The client closed first: ours is the passive close, which
             * leaves lwIP nothing to keep. */
            transport_close(c->tcp);
            conn_free(c);
            return NULL;
        } else if (n < 0) {
            rc = (int)n;
        } else {
            rc = serve_one(c, (size_t)n);
        }
    }
    if (rc == CLOSE)
        linger(c);
    else
        /* Cancelled (the server stops), idle, reset, or a response cut
         * short: a reset frees lwIP's connection at once, where a close
         * would keep it in TIME_WAIT for minutes (the choice of nginx's
         * reset_timedout_connection for idle ones). */
        transport_abort(c->tcp);
    conn_free(c);
    return NULL;
}

/* Accept connections, a task each, collected as they end. Cancelled, it
 * ends and the runtime cancels and collects the connections' tasks. */
static void *accept_loop(void *arg)
{
    miou_tcp_listener *l = arg;
    miou_orphans_init(&http.conns);
    for (;;) {
        miou_tcp *c;
        int rc = miou_tcp_accept(l, MIOU_TCPIP_FOREVER, &c);
        if (rc != 0) {
            if (rc != MIOU_ECANCELED)
                fail("accept", rc);
            break;
        }
        http.connections++;
        struct miou_task_options opts = {CONN_STACK, NAME "-conn"};
        if (miou_async_orphan(&http.conns, NULL, &opts, serve, c) != 0)
            miou_tcp_abort(c);
        miou_orphans_reap(&http.conns);
    }
    /* Not cancelled (the listener failed): the connections end on their
     * own, and Miou's rules want them awaited before we end. Cancelled,
     * the wait refuses and the runtime collects them. */
    miou_task *t;
    while (miou_orphans_count(&http.conns) > 0 &&
           miou_orphans_wait(&http.conns, &t) == 0)
        miou_await(t, NULL);
    return NULL;
}

/* The page of GET /, made once: it only says what serves it. */
static void build_page(void)
{
    char a[256];
    int n = snprintf(
        http.page, sizeof http.page,
        "<!DOCTYPE html>\n"
        "<html><head><meta charset=\"utf-8\"><title>miou-solo5</title>"
        "</head>\n<body>\n<h1>Hello from a miou-solo5 unikernel</h1>\n"
        "<p>This page comes from <code>examples/http.c</code>, an HTTP/1.1 "
        "server written with <b>miou-solo5</b>, the C library that runs a "
        "Solo5 unikernel as cooperative tasks under Miou's rules "
        "(structured concurrency), with lwIP as its TCP/IP stack: one task "
        "per connection.</p>\n"
        "<p>Its disk <code>storage</code> holds %llu bytes in blocks of "
        "%llu: <a href=\"/file\">/file</a> sends all of it.</p>\n"
        "<p>Addresses %s, port %u.</p>\n</body></html>\n",
        (unsigned long long)http.disk_info.capacity,
        (unsigned long long)http.disk_info.block_size,
        tcpip_args_addresses(http.stack, a, sizeof a), (unsigned)http.opt.port);
    http.page_len = n < 0                           ? 0
                    : (size_t)n >= sizeof http.page ? sizeof http.page - 1
                                                    : (size_t)n;
}

/* The line of --stats: connections open, requests served, the heap in
 * use (under Solo5 all of it: malloc() is the heap's; on hosted the
 * library's region, tasks and their stacks, while the program's malloc()
 * is the host's), what lwIP holds (its heap bytes: part of the heap under
 * Solo5, the host's malloc() on hosted), and what the scheduler keeps for
 * itself (miou_stats()). bench/conns.sh and scripts/check_conns.sh read
 * it. */
static void print_stats(void)
{
    struct miou_heap_stats h;
    struct miou_tcpip_stats t;
    struct miou_stats m;
    miou_heap_platform_stats(&h);
    miou_tcpip_stats(http.stack, &t);
    miou_stats(&m);
    say(NAME ": stats: %llu open, %llu connections, %llu requests; heap "
             "%llu bytes in use of %llu; lwIP %u connections, %u pbufs, "
             "%llu heap bytes; scheduler %llu bytes\n",
        (unsigned long long)http.open, (unsigned long long)http.connections,
        (unsigned long long)http.requests, (unsigned long long)h.used,
        (unsigned long long)h.capacity, (unsigned)t.tcp_pcbs, (unsigned)t.pbufs,
        (unsigned long long)t.heap_bytes, (unsigned long long)m.sched_bytes);
}

/* Serve for --seconds (forever without), with a line of --stats every
 * so often: 0, or the sleep's error (MIOU_ECANCELED). */
static int serve_for(void)
{
    uint64_t end = http.opt.duration
                       ? miou_clock_monotonic() + http.opt.duration
                       : UINT64_MAX;
    for (;;) {
        uint64_t now = miou_clock_monotonic();
        if (now >= end)
            return 0;
        uint64_t step = end - now;
        if (http.opt.stats && step > http.opt.stats)
            step = http.opt.stats;
        int rc = miou_sleep(step);
        if (rc != 0)
            return rc;
        if (http.opt.stats)
            print_stats();
    }
}

static void *main_task(void *arg)
{
    int *status = arg;
    miou_tcp_listener *l = NULL;
    miou_task *acceptor = NULL;
    char a[256];
    int rc = miou_block_acquire("storage", &http.disk, &http.disk_info);
    if (rc != 0) {
        *status = fail("cannot acquire the block device 'storage'", rc);
        return NULL;
    }
    /* The largest multiple of the block size up to CHUNK_MAX. */
    http.chunk = (size_t)(CHUNK_MAX / http.disk_info.block_size *
                          http.disk_info.block_size);
    if (http.chunk == 0)
        http.chunk = (size_t)http.disk_info.block_size;
    if ((rc = transport_setup(status)) != 0)
        return NULL;
    rc = miou_tcpip_open(&http.opt.ip, &http.stack);
    if (rc != 0) {
        transport_teardown();
        *status = fail("cannot start the stack", rc);
        return NULL;
    }
    rc = miou_tcpip_wait_address(http.stack, MIOU_TCPIP_FOREVER);
    build_page();
    if (rc == 0)
        rc = miou_tcp_listen(http.stack, (uint16_t)http.opt.port, 128, &l);
    if (rc == 0)
        rc = miou_async(&acceptor, accept_loop, l);
    if (rc == 0) {
        say(NAME ": serving port %u on %s, disk of %llu bytes\n",
            (unsigned)http.opt.port,
            tcpip_args_addresses(http.stack, a, sizeof a),
            (unsigned long long)http.disk_info.capacity);
        rc = serve_for();
    }
    if (rc != 0 && rc != MIOU_ECANCELED)
        fail("cannot serve", rc);
    /* Cancelling the acceptor cancels the connections' tasks, which
     * reset their connections. */
    if (acceptor)
        miou_cancel(acceptor);
    if (l)
        miou_tcp_listener_close(l);
    struct miou_tcpip_stats st;
    miou_tcpip_stats(http.stack, &st);
    uint64_t reused = st.timewait_ended;
    miou_tcpip_close(http.stack);
    miou_tcpip_stats(NULL, &st); /* lwIP's own counters, once closed */
    transport_teardown();
    char more[128];
    int left = transport_report(more, sizeof more);
    say(NAME ": %llu connections, %llu requests, %llu bytes sent, "
             "%llu in TIME-WAIT reused; lwIP holds %u connections, "
             "%u listeners, %u pbufs, %llu heap bytes%s\n",
        (unsigned long long)http.connections, (unsigned long long)http.requests,
        (unsigned long long)http.bytes, (unsigned long long)reused,
        (unsigned)st.tcp_pcbs, (unsigned)st.tcp_listen_pcbs, (unsigned)st.pbufs,
        (unsigned long long)st.heap_bytes, left >= 0 ? more : "");
    *status = (rc != 0 && rc != MIOU_ECANCELED) || st.tcp_pcbs != 0 ||
              st.tcp_listen_pcbs != 0 || st.pbufs != 0 || left != 0;
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    return example_main(si, NAME, options, main_task);
}
