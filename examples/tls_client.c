/*
 * tls_client - fetch a path from an HTTPS server (miou_tls.h) and print
 * a digest of the body: connects to SERVER, verifies its certificate
 * chain against the CAs of the block device "tls" (PEM text, padded with
 * zero bytes to whole blocks) and its name (--name, else SERVER's
 * address), sends one GET, reads the response until the server closes,
 * and prints the version, the cipher suite, the status, the body's
 * length and its FNV-1a 64-bit digest. A refused server ends it with
 * the reason (an expired certificate, an unknown CA, a wrong name ...)
 * and exit status 1.
 *
 *   tls_client SERVER [ADDRESS] [--name=HOST] [--path=/] [--port=443]
 *              [--tls12] [--insecure] [--prefix=BITS] [--gateway=ADDRESS]
 *
 *   ip netns exec ns build/hosted/examples/tls_client \
 *       --net:service=tap0 --block:tls=ca.img -- 10.0.0.1 10.0.0.2 \
 *       --name=miou.test --path=/file
 */
#include <stdlib.h>
#include <string.h>

#include <miou.h>
#include <miou_tcpip.h>
#include <miou_tls.h>

#include "lib/args.h"
#include "lib/console.h"
#include "lib/tcpip_args.h"

#define SECOND 1000000000ull
#define CA_MAX (64u * 1024u)

static struct {
    struct miou_tcpip_config ip;
    uint32_t server;
    uint64_t port, seconds;
    struct word name, path;
    int tls12, insecure;
} opt = {.ip = {.device = "service",
                .address = MIOU_IPV4(10, 0, 0, 3),
                .netmask = MIOU_IPV4(255, 255, 255, 0)},
         .port = 443,
         .seconds = 30 * SECOND};

static const struct arg options[] = {
    {"SERVER", "the server's address", .ipv4 = &opt.server, .required = 1},
    {"ADDRESS", "our own address (10.0.0.3)", .ipv4 = &opt.ip.address},
    TCPIP_ARGS(opt.ip),
    {"--port", "the server's port (443)", .number = &opt.port, .min = 1,
     .max = 65535},
    {"--name", "the name its certificate must carry (SERVER's address)",
     .text = &opt.name, .value = "HOST"},
    {"--path", "what to fetch (/)", .text = &opt.path, .value = "PATH"},
    {"--tls12", "TLS 1.2 only (1.2 or 1.3 otherwise)", .flag = &opt.tls12},
    {"--insecure", "do not verify the server (no CA needed)",
     .flag = &opt.insecure},
    {"--seconds", "give up after S seconds (30)", .number = &opt.seconds,
     .decimals = 9, .min = 1, .max = UINT64_MAX / 4, .value = "S"},
    {0},
};

/* What a response is made of, as it comes. */
struct response {
    char head[8192];
    size_t head_len; /* bytes of head received */
    int in_body;
    int status;
    uint64_t body, digest; /* body bytes and their FNV-1a */
};

static void digest(struct response *r, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        r->digest = (r->digest ^ p[i]) * 0x100000001b3ull;
    r->body += n;
}

/* Take (n) more bytes of the response: the head first (its status),
 * then the body. */
static void take(struct response *r, const unsigned char *p, size_t n)
{
    if (r->in_body) {
        digest(r, p, n);
        return;
    }
    size_t room = sizeof r->head - 1 - r->head_len;
    size_t k = n < room ? n : room;
    memcpy(r->head + r->head_len, p, k);
    r->head_len += k;
    r->head[r->head_len] = '\0';
    char *end = strstr(r->head, "\r\n\r\n");
    if (!end)
        return;
    r->in_body = 1;
    r->status = atoi(r->head + 9); /* "HTTP/1.1 200" */
    size_t head = (size_t)(end + 4 - r->head);
    digest(r, (const unsigned char *)r->head + head, r->head_len - head);
    digest(r, p + k, n - k);
}

/* The CAs of the "tls" device, NUL-terminated, in (*pem). */
static int read_ca(char **pem)
{
    miou_block *dev;
    struct miou_block_info info;
    int rc = miou_block_acquire("tls", &dev, &info);
    if (rc != 0)
        return rc;
    if (info.capacity > CA_MAX)
        return MIOU_EINVAL;
    *pem = malloc((size_t)info.capacity + 1);
    if (!*pem)
        return MIOU_ENOMEM;
    rc = miou_block_atomic_read(dev, 0, *pem, (size_t)info.capacity);
    (*pem)[rc == 0 ? info.capacity : 0] = '\0';
    return rc;
}

static int fetch(miou_tcpip *stack, miou_tls_config *config, const char *name,
                 uint64_t deadline)
{
    miou_tcp *tcp;
    miou_tls *tls;
    miou_ipaddr server = miou_ipaddr_v4(opt.server);
    int rc =
        miou_tcp_connect(stack, &server, (uint16_t)opt.port, deadline, &tcp);
    if (rc != 0)
        return fail("cannot connect", rc);
    if ((rc = miou_tls_client(config, tcp, name, &tls)) != 0)
        return fail("cannot start TLS", rc);
    if ((rc = miou_tls_handshake(tls, deadline)) != 0) {
        miou_tls_abort(tls);
        return fail("handshake", rc);
    }
    static char request[1024];
    int n =
        snprintf(request, sizeof request,
                 "GET %.*s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
                 opt.path.len ? (int)opt.path.len : 1,
                 opt.path.len ? opt.path.s : "/", name);
    long w = miou_tls_write(tls, request, (size_t)n, deadline);
    static struct response r;
    static unsigned char buf[16384];
    r.digest = 0xcbf29ce484222325ull;
    long got = w < 0 ? w : 1;
    while (got > 0)
        if ((got = miou_tls_read(tls, buf, sizeof buf, deadline)) > 0)
            take(&r, buf, (size_t)got);
    say("tls_client: %s %s, status %d, %llu body bytes, digest %016llx%s\n",
        miou_tls_version(tls), miou_tls_cipher(tls), r.status,
        (unsigned long long)r.body, (unsigned long long)r.digest,
        got == 0 ? "" : " (closed without close_notify)");
    miou_tls_close(tls);
    return r.in_body ? 0
                     : fail("no response", got < 0 ? (int)got : MIOU_EPROTO);
}

static void *main_task(void *arg)
{
    int *status = arg;
    char *ca = NULL, name[256], a[16];
    uint64_t deadline = miou_clock_monotonic() + opt.seconds;
    int rc = opt.insecure ? 0 : read_ca(&ca);
    if (rc != 0) {
        *status = fail("cannot read the CAs of the block device 'tls'", rc);
        free(ca);
        return NULL;
    }
    if (opt.name.len)
        snprintf(name, sizeof name, "%.*s", (int)opt.name.len, opt.name.s);
    else
        snprintf(name, sizeof name, "%s", miou_ipv4_format(opt.server, a));
    struct miou_tls_options o = {
        .role = MIOU_TLS_CLIENT,
        .ca = ca,
        .ca_len = ca ? strlen(ca) + 1 : 0,
        .max_version = opt.tls12 ? MIOU_TLS_1_2 : 0,
        .flags = opt.insecure ? MIOU_TLS_NO_VERIFY : 0,
    };
    miou_tls_config *config;
    rc = miou_tls_config_new(&o, &config);
    free(ca);
    if (rc != 0) {
        *status = fail("cannot make the TLS configuration", rc);
        return NULL;
    }
    miou_tcpip *stack;
    if ((rc = miou_tcpip_open(&opt.ip, &stack)) != 0) {
        *status = fail("cannot start the stack", rc);
    } else {
        rc = miou_tcpip_wait_address(stack, deadline);
        *status =
            rc ? fail("no address", rc) : fetch(stack, config, name, deadline);
        miou_tcpip_close(stack);
    }
    miou_tls_config_free(config);
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    return example_main(si, "tls_client", options, main_task);
}
