/*
 * sim_tcp_peers.c - the TCP clients the examples meet under the sim
 * platform, over sim_tcp.c:
 *
 *   echo-client:BYTES[,CONNS[,PORT[,ADDR]]]
 *       opens CONNS connections (1) to the echo service at ADDR:PORT
 *       (10.0.0.2:7, examples/echo.c's defaults; ADDR "ipv6": over IPv6,
 *       from fd00::1 to fd00::2, echo's --ipv6-address), sends BYTES bytes on
 *       each (a pseudo-random stream of its own, drawn from the seed),
 *       then closes its side; its verdict is good when every connection
 *       got all its bytes back, identical, and then the service's FIN.
 *       With ",overrun" at the end, it sends past the service's window
 *       as some stacks do (sim_tcp.h, simtcp_host_overrun()).
 *   http-client:PATH[,COUNT[,FILE]]
 *       asks GET PATH COUNT times (1), one request after the other on one
 *       keep-alive connection to 10.0.0.2:80 (examples/http.c), then
 *       closes; its verdict is good when every response is a 200 with a
 *       Content-Length body, equal to FILE's bytes when FILE is given,
 *       and the server then closes too.
 *
 *   closefirst-client:COUNT[,PORTS]
 *       COUNT connections (at most 10,000) one after the other to
 *       10.0.0.2:80 (examples/http.c with --linger=0), each asking GET /
 *       with "Connection: close" and waiting for the server to close
 *       first, from local ports 41000 to 41000 + PORTS - 1 (4) in turn:
 *       each connection after the first PORTS meets the server's
 *       TIME-WAIT of an earlier one. Its verdict is good when every one
 *       connected, got a 200 and the server's FIN, each handshake within
 *       5 s.
 *
 * They print one line on standard error at the end: what they moved, or
 * what went wrong. BYTES, and the other counts, are decimal, with an
 * optional K, M or G (binary multiples).
 *
 * Registered by a constructor, as sim_peers.c explains.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <miou_sim.h>

#include "../../../examples/lib/netstack.h"
#include "sim_peers.h"
#include "sim_tcp.h"

#define DEFAULT_UNIKERNEL_IP 0x0a000002u /* 10.0.0.2 */
#define CLIENT_IP 0x0a000001u            /* 10.0.0.1 */
/* Over IPv6: fd00::1 to fd00::2. */
static const uint8_t client_ip6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0,
                                       0,    0, 0, 0, 0, 0, 0, 1};
static const uint8_t unikernel_ip6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0,
                                          0,    0, 0, 0, 0, 0, 0, 2};
/* Locally administered, distinct from sim_peers.c's (see there). */
static const uint8_t client_mac[ETH_ALEN] = {0x02, 0x70, 0x65,
                                             0x65, 0x72, 0x03};

/* ---- Arguments ------------------------------------------------------------
 */

/* Parse (len) bytes of (s) as a decimal count in [1, max], with an
 * optional K, M or G: 0, or -1. */
static int parse_size(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0, unit = 1;
    size_t i;

    if (len > 0 &&
        (s[len - 1] == 'K' || s[len - 1] == 'M' || s[len - 1] == 'G')) {
        unit = s[len - 1] == 'K'   ? 1u << 10
               : s[len - 1] == 'M' ? 1u << 20
                                   : 1u << 30;
        len--;
    }
    if (len == 0)
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9' || v > max)
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v == 0 || v > max / unit)
        return -1;
    *out = v * unit;
    return 0;
}

/* Split (arg) at its commas into at most (max) fields; returns how many,
 * or -1 when there are more. */
static int split(const char *arg, const char **field, size_t *len, int max)
{
    int n = 0;

    for (;;) {
        const char *comma = strchr(arg, ',');
        size_t l = comma ? (size_t)(comma - arg) : strlen(arg);

        if (n == max)
            return -1;
        field[n] = arg;
        len[n++] = l;
        if (comma == NULL)
            return n;
        arg = comma + 1;
    }
}

/* ---- echo-client ----------------------------------------------------------
 */

/* The send queue of a connection is refilled up to QUEUE_MAX, CHUNK bytes
 * at a time. */
#define QUEUE_MAX (256u * 1024u)
#define CHUNK (16u * 1024u)
#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull
/* Connections at most: the unikernel's lwIP has 4,096 PCBs. */
#define MAX_CONNS 1000
#define MAX_BYTES (1ull << 40)

struct echo_conn {
    struct simtcp *tcp;
    uint64_t key; /* its stream: byte i is stream_byte(key, i) */
    uint64_t sent, received;
    uint64_t fnv;            /* of what came back */
    uint64_t first_mismatch; /* offset, when mismatched */
    int mismatched, eof;
};

struct echo_client {
    struct miou_sim_link *link;
    struct simtcp_host *host;
    uint64_t bytes;
    unsigned nconns;
    uint16_t port;
    uint32_t target;
    struct echo_conn *conns;
    uint8_t expect[CHUNK];
};

static uint64_t splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Bytes [off, off + len) of the stream (key). */
static void stream_bytes(uint64_t key, uint64_t off, uint8_t *out, size_t len)
{
    size_t i = 0;

    while (i < len) {
        uint64_t word = splitmix(key ^ ((off + i) / 8));
        unsigned b = (unsigned)((off + i) % 8);

        for (; b < 8 && i < len; b++, i++)
            out[i] = (uint8_t)(word >> (8 * b));
    }
}

static void echo_fill(struct echo_client *e, struct echo_conn *k)
{
    uint8_t chunk[CHUNK];

    while (k->sent < e->bytes && simtcp_queued(k->tcp) < QUEUE_MAX) {
        size_t n =
            e->bytes - k->sent < CHUNK ? (size_t)(e->bytes - k->sent) : CHUNK;

        stream_bytes(k->key, k->sent, chunk, n);
        if (simtcp_write(k->tcp, chunk, n) != 0)
            return; /* out of memory: the verdict will say what is missing */
        k->sent += n;
    }
    if (k->sent == e->bytes)
        simtcp_shutdown(k->tcp);
}

static void echo_connected(void *app, struct simtcp *c)
{
    echo_fill(app, simtcp_cookie(c));
}

static void echo_sent(void *app, struct simtcp *c)
{
    echo_fill(app, simtcp_cookie(c));
}

static void echo_received(void *app, struct simtcp *c, const uint8_t *data,
                          size_t len)
{
    struct echo_client *e = app;
    struct echo_conn *k = simtcp_cookie(c);
    size_t i;

    for (i = 0; i < len; i++)
        k->fnv = (k->fnv ^ data[i]) * FNV_PRIME;
    while (len > 0 && !k->mismatched) {
        size_t n = len < CHUNK ? len : CHUNK;
        size_t j;

        if (k->received + n > e->bytes) {
            k->mismatched = 1; /* more than was sent */
            k->first_mismatch = e->bytes;
            break;
        }
        stream_bytes(k->key, k->received, e->expect, n);
        if (memcmp(e->expect, data, n) != 0) {
            for (j = 0; e->expect[j] == data[j]; j++)
                ;
            k->mismatched = 1;
            k->first_mismatch = k->received + j;
        }
        k->received += n;
        data += n;
        len -= n;
    }
    if (k->mismatched)
        k->received += len;
}

static void echo_eof(void *app, struct simtcp *c)
{
    (void)app;
    ((struct echo_conn *)simtcp_cookie(c))->eof = 1;
}

static const struct simtcp_ops echo_ops = {
    .connected = echo_connected,
    .received = echo_received,
    .sent = echo_sent,
    .eof = echo_eof,
};

static void *echo_client_open(struct miou_sim_link *link, const char *arg)
{
    const char *field[5];
    size_t len[5];
    uint64_t bytes = 0, conns = 1, port = 7;
    uint32_t target = DEFAULT_UNIKERNEL_IP;
    int v6 = 0;
    struct echo_client *e;
    int n = arg ? split(arg, field, len, 5) : 0;
    int overrun =
        n > 1 && len[n - 1] == 7 && memcmp(field[n - 1], "overrun", 7) == 0;
    unsigned i;

    n -= overrun;
    if (n > 4)
        n = -1;

    if (n < 1 || parse_size(field[0], len[0], MAX_BYTES, &bytes) ||
        (n > 1 && parse_size(field[1], len[1], MAX_CONNS, &conns)) ||
        (n > 2 && parse_size(field[2], len[2], 65535, &port)) ||
        (n > 3 && !(v6 = len[3] == 4 && memcmp(field[3], "ipv6", 4) == 0) &&
         ipv4_parse(field[3], len[3], &target))) {
        fprintf(stderr,
                "sim: peer echo-client on %s: bad argument '%s' "
                "(BYTES[,CONNS[,PORT[,ADDR]]][,overrun]: BYTES up to 1T, "
                "CONNS up to %d, PORT up to 65535, ADDR an IPv4 address or "
                "ipv6)\n",
                miou_sim_link_name(link), arg ? arg : "", MAX_CONNS);
        return NULL;
    }
    e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    e->bytes = bytes;
    e->link = link;
    e->nconns = (unsigned)conns;
    e->port = (uint16_t)port;
    e->target = target;
    e->conns = calloc(e->nconns, sizeof *e->conns);
    e->host =
        simtcp_host_open(link, client_mac, CLIENT_IP, target, &echo_ops, e);
    if (e->conns == NULL || e->host == NULL)
        goto fail;
    simtcp_host_overrun(e->host, overrun);
    if (v6)
        simtcp_host_ipv6(e->host, client_ip6, unikernel_ip6);
    for (i = 0; i < e->nconns; i++) {
        struct echo_conn *k = &e->conns[i];

        k->key = miou_sim_random();
        k->fnv = FNV_OFFSET;
        k->tcp = simtcp_connect(e->host, e->port, k);
        if (k->tcp == NULL)
            goto fail;
    }
    return e;
fail:
    simtcp_host_close(e->host);
    free(e->conns);
    free(e);
    return NULL;
}

static void echo_client_receive(void *state, const uint8_t *frame, size_t len)
{
    simtcp_host_receive(((struct echo_client *)state)->host, frame, len);
}

static void echo_client_wakeup(void *state)
{
    simtcp_host_wakeup(((struct echo_client *)state)->host);
}

/* Add up the connections' counts. */
static void counts_add(struct simtcp_counts *sum, const struct simtcp *c)
{
    const struct simtcp_counts *k = simtcp_counts(c);

    sum->segments_out += k->segments_out;
    sum->segments_in += k->segments_in;
    sum->retransmits += k->retransmits;
    sum->timeouts += k->timeouts;
    sum->out_of_order += k->out_of_order;
    sum->duplicates += k->duplicates;
    sum->refused += k->refused;
    if (k->finished_ns > sum->finished_ns)
        sum->finished_ns = k->finished_ns;
}

static void print_counts(const struct simtcp_counts *s)
{
    if (s->finished_ns > 0)
        fprintf(stderr, "; done at %llu.%06llu s of virtual time",
                (unsigned long long)(s->finished_ns / 1000000000u),
                (unsigned long long)(s->finished_ns / 1000u % 1000000u));
    fprintf(
        stderr,
        "; segments %llu out, %llu in; %llu sent again (%llu timeouts), "
        "%llu out of order, %llu duplicates received",
        (unsigned long long)s->segments_out, (unsigned long long)s->segments_in,
        (unsigned long long)s->retransmits, (unsigned long long)s->timeouts,
        (unsigned long long)s->out_of_order, (unsigned long long)s->duplicates);
}

/* How many failing connections the verdict names, at most. */
#define FAILURES_SHOWN 4

static int echo_client_close(void *state)
{
    struct echo_client *e = state;
    struct simtcp_counts sum = {0};
    uint64_t fnv = FNV_OFFSET;
    unsigned i, bad = 0;
    const char *name = miou_sim_link_name(e->link);

    for (i = 0; i < e->nconns; i++) {
        struct echo_conn *k = &e->conns[i];
        const char *why = simtcp_failure(k->tcp);

        counts_add(&sum, k->tcp);
        fnv = (fnv ^ k->fnv) * FNV_PRIME;
        if (!k->mismatched && k->received == e->bytes && k->eof &&
            simtcp_finished(k->tcp))
            continue;
        if (bad++ >= FAILURES_SHOWN)
            continue;
        fprintf(stderr, "sim: peer echo-client on %s: connection %u: ", name,
                i + 1);
        if (k->mismatched)
            fprintf(stderr,
                    "the echo differs from what was sent at byte "
                    "%llu; ",
                    (unsigned long long)k->first_mismatch);
        fprintf(stderr, "%llu of %llu bytes sent, %llu echoed, %s",
                (unsigned long long)k->sent, (unsigned long long)e->bytes,
                (unsigned long long)k->received,
                k->eof ? "closed by the unikernel"
                       : "not closed by the unikernel");
        fprintf(stderr, "%s%s\n", why ? "; " : "", why ? why : "");
    }
    if (simtcp_host_errors(e->host) > 0) {
        fprintf(stderr,
                "sim: peer echo-client on %s: %llu frames from the "
                "unikernel were malformed or unexpected\n",
                name, (unsigned long long)simtcp_host_errors(e->host));
        bad++;
    }
    fprintf(stderr,
            "sim: peer echo-client on %s: %u of %u connections "
            "echoed %llu bytes each way identically (fnv1a "
            "%016llx)",
            name, e->nconns - (bad > e->nconns ? e->nconns : bad), e->nconns,
            (unsigned long long)e->bytes, (unsigned long long)fnv);
    print_counts(&sum);
    fprintf(stderr, "\n");
    simtcp_host_close(e->host);
    free(e->conns);
    free(e);
    return bad == 0 ? 0 : -1;
}

static const struct miou_sim_peer echo_client_peer = {
    .name = "echo-client",
    .open = echo_client_open,
    .receive = echo_client_receive,
    .wakeup = echo_client_wakeup,
    .close = echo_client_close,
};

/* ---- http-client -------------------------------------------------------- */

#define HTTP_PORT 80
#define HEAD_MAX 8192
#define MAX_REQUESTS 100000
#define PATH_LEN_MAX 255
#define FILE_MAX (1ull << 30)

struct http_client {
    struct miou_sim_link *link;
    struct simtcp_host *host;
    struct simtcp *tcp;
    char path[PATH_LEN_MAX + 1];
    uint64_t count;
    uint8_t *file; /* the expected body, when a file is given */
    size_t file_len;
    /* The response being read. */
    char head[HEAD_MAX];
    size_t head_len;
    int in_body, status_ok, body_bad;
    uint64_t body_len, body_got;
    /* What happened. */
    uint64_t sent, responses, ok, body_bytes, extra;
    int eof, broken;
    char problem[200]; /* the first thing that went wrong */
};

static void http_problem(struct http_client *h, const char *what)
{
    if (h->problem[0] == '\0')
        snprintf(h->problem, sizeof h->problem, "response %llu: %s",
                 (unsigned long long)h->responses + 1, what);
}

static void http_request(struct http_client *h)
{
    char req[PATH_LEN_MAX + 64];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 10.0.0.2\r\n\r\n", h->path);

    if (simtcp_write(h->tcp, req, (size_t)n) == 0)
        h->sent++;
}

/* The value of header (name) in the head (its name in any case), or
 * NULL. */
static const char *header(const char *head, const char *name)
{
    size_t n = strlen(name);
    const char *line = strstr(head, "\r\n");

    while (line != NULL && line[2] != '\r') {
        line += 2;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            line += n + 1;
            while (*line == ' ')
                line++;
            return line;
        }
        line = strstr(line, "\r\n");
    }
    return NULL;
}

/* The head is complete (NUL-terminated in h->head). */
static void http_head(struct http_client *h)
{
    const char *cl = header(h->head, "Content-Length");
    char what[96];

    h->status_ok = strncmp(h->head, "HTTP/1.1 200 ", 13) == 0;
    if (!h->status_ok)
        http_problem(h, "the status is not 200");
    if (cl == NULL || *cl < '0' || *cl > '9') {
        http_problem(h, "no Content-Length");
        h->broken = 1;
        simtcp_shutdown(h->tcp);
        return;
    }
    h->body_len = strtoull(cl, NULL, 10);
    h->body_got = 0;
    h->body_bad = 0;
    h->in_body = 1;
    if (h->file != NULL && h->body_len != h->file_len) {
        snprintf(what, sizeof what,
                 "Content-Length %llu, the file has %zu "
                 "bytes",
                 (unsigned long long)h->body_len, h->file_len);
        http_problem(h, what);
        h->body_bad = 1;
    }
}

static void http_body(struct http_client *h, const uint8_t *data, size_t len)
{
    /* Not body_bad: body_len is file_len, so the bytes are in the file. */
    if (h->file != NULL && !h->body_bad &&
        memcmp(h->file + h->body_got, data, len) != 0) {
        http_problem(h, "the body differs from the file");
        h->body_bad = 1;
    }
    h->body_got += len;
    h->body_bytes += len;
}

/* The response is complete: ask the next one, or close. */
static void http_response_done(struct http_client *h)
{
    h->responses++;
    if (h->status_ok && !h->body_bad)
        h->ok++;
    h->in_body = 0;
    h->head_len = 0;
    if (h->sent < h->count)
        http_request(h);
    else
        simtcp_shutdown(h->tcp);
}

static void http_received(void *app, struct simtcp *c, const uint8_t *data,
                          size_t len)
{
    struct http_client *h = app;

    (void)c;
    while (len > 0) {
        if (h->broken || (!h->in_body && h->responses == h->sent)) {
            if (!h->broken)
                http_problem(h, "bytes came that nothing asked for");
            h->extra += len;
            return;
        }
        if (!h->in_body) {
            if (h->head_len == HEAD_MAX - 1) {
                http_problem(h, "a head above 8 KiB");
                h->broken = 1;
                simtcp_shutdown(h->tcp);
                continue;
            }
            h->head[h->head_len++] = (char)*data++;
            len--;
            h->head[h->head_len] = '\0';
            if (h->head_len < 4 ||
                memcmp(h->head + h->head_len - 4, "\r\n\r\n", 4) != 0)
                continue;
            http_head(h);
            if (h->broken)
                continue;
        }
        if (h->body_got < h->body_len) {
            size_t n = h->body_len - h->body_got < len
                           ? (size_t)(h->body_len - h->body_got)
                           : len;

            http_body(h, data, n);
            data += n;
            len -= n;
        }
        if (h->body_got == h->body_len)
            http_response_done(h);
    }
}

static void http_connected(void *app, struct simtcp *c)
{
    (void)c;
    http_request(app);
}

static void http_eof(void *app, struct simtcp *c)
{
    struct http_client *h = app;

    (void)c;
    h->eof = 1;
    if (h->responses < h->count)
        http_problem(h, "the server closed the connection first");
}

static const struct simtcp_ops http_ops = {
    .connected = http_connected,
    .received = http_received,
    .eof = http_eof,
};

/* Read all of (name) into h->file: 0, or -1 after saying why. */
static int http_load(struct http_client *h, const char *name, size_t len)
{
    char path[4096];
    FILE *f;
    long size;

    if (len >= sizeof path)
        return -1;
    memcpy(path, name, len);
    path[len] = '\0';
    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
        (uint64_t)size > FILE_MAX || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "sim: peer http-client on %s: cannot read '%s'\n",
                miou_sim_link_name(h->link), path);
        if (f != NULL)
            fclose(f);
        return -1;
    }
    h->file_len = (size_t)size;
    h->file = malloc(h->file_len ? h->file_len : 1);
    if (h->file == NULL || fread(h->file, 1, h->file_len, f) != h->file_len) {
        fprintf(stderr, "sim: peer http-client on %s: cannot read '%s'\n",
                miou_sim_link_name(h->link), path);
        fclose(f);
        return -1;
    }
    fclose(f);
    return 0;
}

static void http_client_free(struct http_client *h)
{
    simtcp_host_close(h->host);
    free(h->file);
    free(h);
}

static void *http_client_open(struct miou_sim_link *link, const char *arg)
{
    const char *field[3];
    size_t len[3];
    struct http_client *h;
    int n = arg ? split(arg, field, len, 3) : 0;

    if (n < 1 || len[0] == 0 || len[0] > PATH_LEN_MAX || field[0][0] != '/' ||
        memchr(field[0], ' ', len[0]) != NULL || (n > 2 && len[2] == 0)) {
        fprintf(stderr,
                "sim: peer http-client on %s: bad argument '%s' "
                "(PATH[,COUNT[,FILE]]: PATH from '/', without spaces, up to "
                "%d bytes)\n",
                miou_sim_link_name(link), arg ? arg : "", PATH_LEN_MAX);
        return NULL;
    }
    h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->link = link;
    h->count = 1;
    memcpy(h->path, field[0], len[0]);
    if (n > 1 && parse_size(field[1], len[1], MAX_REQUESTS, &h->count)) {
        fprintf(stderr,
                "sim: peer http-client on %s: bad count '%.*s' "
                "(1 to %d)\n",
                miou_sim_link_name(link), (int)len[1], field[1], MAX_REQUESTS);
        http_client_free(h);
        return NULL;
    }
    if (n > 2 && http_load(h, field[2], len[2]) != 0) {
        http_client_free(h);
        return NULL;
    }
    h->host = simtcp_host_open(link, client_mac, CLIENT_IP,
                               DEFAULT_UNIKERNEL_IP, &http_ops, h);
    if (h->host == NULL ||
        (h->tcp = simtcp_connect(h->host, HTTP_PORT, h)) == NULL) {
        http_client_free(h);
        return NULL;
    }
    return h;
}

static void http_client_receive(void *state, const uint8_t *frame, size_t len)
{
    simtcp_host_receive(((struct http_client *)state)->host, frame, len);
}

static void http_client_wakeup(void *state)
{
    simtcp_host_wakeup(((struct http_client *)state)->host);
}

static int http_client_close(void *state)
{
    struct http_client *h = state;
    const char *name = miou_sim_link_name(h->link);
    const char *why = simtcp_failure(h->tcp);
    int good = h->ok == h->count && h->extra == 0 && h->eof &&
               simtcp_finished(h->tcp) && simtcp_host_errors(h->host) == 0;

    fprintf(stderr,
            "sim: peer http-client on %s: %llu of %llu responses "
            "to GET %s good, %llu body bytes%s",
            name, (unsigned long long)h->ok, (unsigned long long)h->count,
            h->path, (unsigned long long)h->body_bytes,
            h->file != NULL && h->ok > 0 ? ", each body equal to the file"
                                         : "");
    print_counts(simtcp_counts(h->tcp));
    fprintf(stderr, "\n");
    if (!good) {
        fprintf(stderr, "sim: peer http-client on %s: %s", name,
                h->problem[0] ? h->problem : "all responses good");
        if (why != NULL)
            fprintf(stderr, "; the connection: %s", why);
        else if (!h->eof)
            fprintf(stderr, "; the server did not close the connection");
        fprintf(stderr, "\n");
        if (simtcp_host_errors(h->host) > 0)
            fprintf(stderr,
                    "sim: peer http-client on %s: %llu frames from "
                    "the unikernel were malformed or unexpected\n",
                    name, (unsigned long long)simtcp_host_errors(h->host));
    }
    http_client_free(h);
    return good ? 0 : -1;
}

static const struct miou_sim_peer http_client_peer = {
    .name = "http-client",
    .open = http_client_open,
    .receive = http_client_receive,
    .wakeup = http_client_wakeup,
    .close = http_client_close,
};

/* ---- closefirst-client -------------------------------------------------- */

#define CLOSEFIRST_MAX 10000
#define CLOSEFIRST_PORT 41000
/* A handshake may take a few SYNs on a lossy link; through a TIME-WAIT
 * that does not give way, it would take minutes (lwIP keeps one for 2
 * MSL, 120 s), and this client gives up after 20 SYNs. */
#define CONNECT_MAX (5000 * 1000000ull) /* ns */

struct closefirst {
    struct miou_sim_link *link;
    struct simtcp_host *host;
    struct simtcp **conns;
    uint64_t count, ports, done, ok, slowest_ns, reconnects;
    char head[16]; /* the current response's first bytes */
    size_t head_len;
    const char *problem;
};

/* The next connection, from its port. */
static void closefirst_next(struct closefirst *k)
{
    uint16_t port = (uint16_t)(CLOSEFIRST_PORT + k->done % k->ports);
    k->head_len = 0;
    k->conns[k->done] = simtcp_connect_from(k->host, port, HTTP_PORT, k);
    if (k->conns[k->done] == NULL && !k->problem)
        k->problem = "out of memory";
}

static void closefirst_connected(void *app, struct simtcp *c)
{
    static const char req[] = "GET / HTTP/1.1\r\nHost: 10.0.0.2\r\n"
                              "Connection: close\r\n\r\n";
    (void)app;
    simtcp_write(c, req, sizeof req - 1);
}

static void closefirst_received(void *app, struct simtcp *c,
                                const uint8_t *data, size_t len)
{
    struct closefirst *k = app;
    (void)c;
    while (len-- > 0 && k->head_len < sizeof k->head)
        k->head[k->head_len++] = (char)*data++;
}

/* The server closed first, as asked: close our side. */
static void closefirst_eof(void *app, struct simtcp *c)
{
    (void)app;
    simtcp_shutdown(c);
}

static void closefirst_finished(void *app, struct simtcp *c)
{
    struct closefirst *k = app;
    const struct simtcp_counts *n = simtcp_counts(c);
    if (k->head_len >= 13 && memcmp(k->head, "HTTP/1.1 200 ", 13) == 0)
        k->ok++;
    else if (!k->problem)
        k->problem = "an answer that is not a 200";
    if (n->connected_ns > k->slowest_ns)
        k->slowest_ns = n->connected_ns;
    k->reconnects += n->retransmits > 0;
    if (++k->done < k->count)
        closefirst_next(k);
}

static const struct simtcp_ops closefirst_ops = {
    .connected = closefirst_connected,
    .received = closefirst_received,
    .eof = closefirst_eof,
    .finished = closefirst_finished,
};

static void *closefirst_open(struct miou_sim_link *link, const char *arg)
{
    const char *field[2];
    size_t len[2];
    uint64_t count = 0, ports = 4;
    int n = arg ? split(arg, field, len, 2) : 0;
    if (n < 1 || parse_size(field[0], len[0], CLOSEFIRST_MAX, &count) ||
        (n > 1 && parse_size(field[1], len[1], 1000, &ports))) {
        fprintf(stderr,
                "sim: peer closefirst-client on %s: bad argument '%s' "
                "(COUNT[,PORTS]: COUNT up to %d, PORTS up to 1000)\n",
                miou_sim_link_name(link), arg ? arg : "", CLOSEFIRST_MAX);
        return NULL;
    }
    struct closefirst *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NULL;
    k->link = link;
    k->count = count;
    k->ports = ports;
    k->conns = calloc(count, sizeof *k->conns);
    k->host = simtcp_host_open(link, client_mac, CLIENT_IP,
                               DEFAULT_UNIKERNEL_IP, &closefirst_ops, k);
    if (k->conns == NULL || k->host == NULL) {
        simtcp_host_close(k->host);
        free(k->conns);
        free(k);
        return NULL;
    }
    closefirst_next(k);
    return k;
}

static void closefirst_receive(void *state, const uint8_t *frame, size_t len)
{
    simtcp_host_receive(((struct closefirst *)state)->host, frame, len);
}

static void closefirst_wakeup(void *state)
{
    simtcp_host_wakeup(((struct closefirst *)state)->host);
}

static int closefirst_close(void *state)
{
    struct closefirst *k = state;
    const char *name = miou_sim_link_name(k->link);
    const char *why = k->done < k->count && k->conns[k->done]
                          ? simtcp_failure(k->conns[k->done])
                          : NULL;
    int good = k->ok == k->count && !k->problem &&
               k->slowest_ns <= CONNECT_MAX && simtcp_host_errors(k->host) == 0;
    fprintf(stderr,
            "sim: peer closefirst-client on %s: %llu of %llu connections "
            "served and closed by the server first, from %llu ports in "
            "turn; the slowest handshake %llu ms, %llu with a SYN sent "
            "again\n",
            name, (unsigned long long)k->ok, (unsigned long long)k->count,
            (unsigned long long)k->ports,
            (unsigned long long)(k->slowest_ns / 1000000),
            (unsigned long long)k->reconnects);
    if (!good)
        fprintf(stderr,
                "sim: peer closefirst-client on %s: %s %llu: %s%s%s; "
                "%llu frames malformed or unexpected\n",
                name, k->done < k->count ? "connection" : "after",
                (unsigned long long)k->done + (k->done < k->count),
                k->problem                    ? k->problem
                : k->slowest_ns > CONNECT_MAX ? "a handshake took over 5 s"
                                              : "not finished",
                why ? ": " : "", why ? why : "",
                (unsigned long long)simtcp_host_errors(k->host));
    simtcp_host_close(k->host);
    free(k->conns);
    free(k);
    return good ? 0 : -1;
}

static const struct miou_sim_peer closefirst_peer = {
    .name = "closefirst-client",
    .open = closefirst_open,
    .receive = closefirst_receive,
    .wakeup = closefirst_wakeup,
    .close = closefirst_close,
};

/* ---- Registration ---------------------------------------------------------
 */

__attribute__((constructor)) static void sim_tcp_peers_register(void)
{
    static const struct miou_sim_peer *const peers[] = {
        &echo_client_peer, &http_client_peer, &closefirst_peer};

    sim_peers_register(peers, sizeof peers / sizeof peers[0]);
}
