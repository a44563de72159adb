/*
 * sim_tls_peer.c - the sim platform's HTTPS client, "https-client": a
 * host at 10.0.0.1 that connects to port 443 of the unikernel over the
 * simulated link (sim_tcp.h), speaks TLS with mbedTLS as its client
 * (verifying the server's chain against CAFILE and its name, miou.test),
 * sends GET PATH with "Connection: close", and checks that the body is
 * FILE byte for byte; at the end it prints the version, the suite, the
 * body's length and its FNV-1a digest, so that a run and its replay can
 * be compared.
 *
 *   --net:service=https-client:PATH,FILE,CAFILE
 *
 * Its randomness is the TLS layer's DRBG (src/tls/random.c), seeded from
 * the run's seed: the whole conversation replays. It gives back
 * everything it took from mbedTLS as soon as its transfer is over, so
 * that the unikernel's own count of mbedTLS's heap ends at zero. Linked
 * only into the sim programs that use TLS (mk/mbedtls.mk).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <miou_sim.h>

#include "../../../../examples/lib/netstack.h"
#include "../sim_peers.h"
#include "../sim_tcp.h"
#include "tls/internal.h"

#define PORT 443
#define SERVER_NAME "miou.test"
#define CLIENT_IP 0x0a000001u /* 10.0.0.1 */
#define SERVER_IP 0x0a000002u /* 10.0.0.2 */
#define HEAD_MAX 8192
#define FILE_MAX (64u << 20)
/* Locally administered, distinct from the other peers'. */
static const uint8_t client_mac[ETH_ALEN] = {0x02, 0x70, 0x65,
                                             0x65, 0x72, 0x07};

struct https_client {
    struct miou_sim_link *link;
    struct simtcp_host *host;
    struct simtcp *tcp;
    int live; /* mbedTLS's objects are set up */
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_ssl_context ssl;
    /* Bytes of the connection not yet given to mbedTLS. */
    uint8_t *rx;
    size_t rx_len, rx_off, rx_cap;
    int eof, handshaken, done;
    char path[256];
    uint8_t *file;
    size_t file_len;
    char head[HEAD_MAX];
    size_t head_len;
    int in_body;
    uint64_t body, digest;
    int body_differs;
    char version[16], suite[64];
    char problem[160];
};

static void problem(struct https_client *h, const char *what, int ret)
{
    if (h->problem[0] == '\0')
        snprintf(h->problem, sizeof h->problem, "%s (mbedTLS -0x%04x, %s)",
                 what, (unsigned)-ret,
                 miou_strerror(miou_tls__error(ret, &h->ssl)));
}

/* ---- mbedTLS's transport: the simulated TCP connection -------------- */

static int on_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct https_client *h = ctx;
    return simtcp_write(h->tcp, buf, len) == 0 ? (int)len
                                               : MBEDTLS_ERR_SSL_WANT_WRITE;
}

static int on_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct https_client *h = ctx;
    size_t left = h->rx_len - h->rx_off;
    if (left == 0)
        return h->eof ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
    if (len > left)
        len = left;
    memcpy(buf, h->rx + h->rx_off, len);
    h->rx_off += len;
    return (int)len;
}

/* ---- The response ---------------------------------------------------- */

static void body(struct https_client *h, const uint8_t *p, size_t n)
{
    if (!h->body_differs &&
        (h->body + n > h->file_len || memcmp(h->file + h->body, p, n) != 0))
        h->body_differs = 1;
    for (size_t i = 0; i < n; i++)
        h->digest = (h->digest ^ p[i]) * 0x100000001b3ull;
    h->body += n;
}

static void take(struct https_client *h, const uint8_t *p, size_t n)
{
    while (!h->in_body && n > 0 && h->head_len < HEAD_MAX - 1) {
        h->head[h->head_len++] = (char)*p++;
        n--;
        h->head[h->head_len] = '\0';
        if (h->head_len >= 4 &&
            memcmp(h->head + h->head_len - 4, "\r\n\r\n", 4) == 0) {
            h->in_body = 1;
            if (strncmp(h->head, "HTTP/1.1 200 ", 13) != 0)
                problem(h, "the status is not 200", 0);
        }
    }
    if (h->in_body)
        body(h, p, n);
}

/* The transfer is over (well or not): give mbedTLS's memory back. */
static void finish(struct https_client *h)
{
    if (!h->live)
        return;
    h->live = 0;
    h->done = 1;
    mbedtls_ssl_free(&h->ssl);
    mbedtls_ssl_config_free(&h->conf);
    mbedtls_x509_crt_free(&h->ca);
    miou_tls__random_release();
    simtcp_shutdown(h->tcp);
}

/* Move the conversation on as far as the bytes received allow. */
static void drive(struct https_client *h)
{
    if (!h->live)
        return;
    if (!h->handshaken) {
        int ret = mbedtls_ssl_handshake(&h->ssl);
        if (ret == MBEDTLS_ERR_SSL_WANT_READ ||
            ret == MBEDTLS_ERR_SSL_WANT_WRITE)
            return;
        if (ret != 0) {
            problem(h, "handshake", ret);
            finish(h);
            return;
        }
        h->handshaken = 1;
        snprintf(h->version, sizeof h->version, "%s",
                 mbedtls_ssl_get_version(&h->ssl));
        snprintf(h->suite, sizeof h->suite, "%s",
                 mbedtls_ssl_get_ciphersuite(&h->ssl));
        char req[400];
        int n = snprintf(req, sizeof req,
                         "GET %s HTTP/1.1\r\nHost: " SERVER_NAME
                         "\r\nConnection: close\r\n\r\n",
                         h->path);
        ret = mbedtls_ssl_write(&h->ssl, (const unsigned char *)req, (size_t)n);
        if (ret != n) {
            problem(h, "the request", ret);
            finish(h);
            return;
        }
    }
    for (;;) {
        static unsigned char buf[16384];
        int ret = mbedtls_ssl_read(&h->ssl, buf, sizeof buf);
        if (ret > 0) {
            take(h, buf, (size_t)ret);
            continue;
        }
        if (ret == MBEDTLS_ERR_SSL_WANT_READ ||
            ret == MBEDTLS_ERR_SSL_WANT_WRITE ||
            ret == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
            if (ret != MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
                return;
            continue;
        }
        if (ret != 0 && ret != MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
            problem(h, "reading the response", ret);
        finish(h);
        return;
    }
}

static void on_connected(void *app, struct simtcp *c)
{
    (void)c;
    drive(app);
}

static void on_received(void *app, struct simtcp *c, const uint8_t *data,
                        size_t len)
{
    struct https_client *h = app;
    (void)c;
    if (h->rx_off == h->rx_len)
        h->rx_off = h->rx_len = 0;
    if (h->rx_len + len > h->rx_cap) {
        size_t cap = (h->rx_len + len) * 2;
        uint8_t *p = realloc(h->rx, cap);
        if (!p) {
            problem(h, "out of memory", 0);
            finish(h);
            return;
        }
        h->rx = p;
        h->rx_cap = cap;
    }
    memcpy(h->rx + h->rx_len, data, len);
    h->rx_len += len;
    drive(h);
}

static void on_eof(void *app, struct simtcp *c)
{
    struct https_client *h = app;
    (void)c;
    h->eof = 1;
    drive(h);
}

static const struct simtcp_ops ops = {
    .connected = on_connected,
    .received = on_received,
    .eof = on_eof,
};

/* ---- The peer -------------------------------------------------------- */

/* (len) bytes of (name) into a new NUL-terminated buffer, its length in
 * (*size): NULL when it cannot be read. */
static uint8_t *slurp(const char *name, size_t len, size_t *size)
{
    char path[4096];
    if (len >= sizeof path)
        return NULL;
    memcpy(path, name, len);
    path[len] = '\0';
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
        (size_t)n <= FILE_MAX && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) &&
        fread(buf, 1, (size_t)n, f) == (size_t)n) {
        buf[n] = 0;
        *size = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    if (f)
        fclose(f);
    return buf;
}

static void client_free(struct https_client *h)
{
    finish(h);
    simtcp_host_close(h->host);
    free(h->rx);
    free(h->file);
    free(h);
}

/* mbedTLS's client: the CA's chain, the server's name, our transport. */
static int client_setup(struct https_client *h, const uint8_t *ca,
                        size_t ca_len)
{
    if (miou_tls__random_acquire() != 0)
        return -1;
    mbedtls_ssl_config_init(&h->conf);
    mbedtls_x509_crt_init(&h->ca);
    mbedtls_ssl_init(&h->ssl);
    h->live = 1;
    if (mbedtls_x509_crt_parse(&h->ca, ca, ca_len + 1) != 0 ||
        mbedtls_ssl_config_defaults(&h->conf, MBEDTLS_SSL_IS_CLIENT,
                                    MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        return -1;
    mbedtls_ssl_conf_rng(&h->conf, miou_tls__random, NULL);
    mbedtls_ssl_conf_authmode(&h->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&h->conf, &h->ca, NULL);
    if (mbedtls_ssl_setup(&h->ssl, &h->conf) != 0 ||
        mbedtls_ssl_set_hostname(&h->ssl, SERVER_NAME) != 0)
        return -1;
    mbedtls_ssl_set_bio(&h->ssl, h, on_send, on_recv, NULL);
    return 0;
}

static void *https_client_open(struct miou_sim_link *link, const char *arg)
{
    const char *c1 = arg ? strchr(arg, ',') : NULL;
    const char *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    if (!c2 || arg[0] != '/' || (size_t)(c1 - arg) >= 256) {
        fprintf(stderr,
                "sim: peer https-client on %s: bad argument '%s' "
                "(PATH,FILE,CAFILE)\n",
                miou_sim_link_name(link), arg ? arg : "");
        return NULL;
    }
    struct https_client *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->link = link;
    h->digest = 0xcbf29ce484222325ull;
    memcpy(h->path, arg, (size_t)(c1 - arg));
    size_t ca_len = 0;
    uint8_t *ca = slurp(c2 + 1, strlen(c2 + 1), &ca_len);
    h->file = slurp(c1 + 1, (size_t)(c2 - c1 - 1), &h->file_len);
    if (!ca || !h->file || client_setup(h, ca, ca_len) != 0) {
        fprintf(stderr,
                "sim: peer https-client on %s: cannot read FILE or "
                "CAFILE, or set mbedTLS up\n",
                miou_sim_link_name(link));
        free(ca);
        client_free(h);
        return NULL;
    }
    free(ca);
    h->host = simtcp_host_open(link, client_mac, CLIENT_IP, SERVER_IP, &ops, h);
    if (!h->host || !(h->tcp = simtcp_connect(h->host, PORT, h))) {
        client_free(h);
        return NULL;
    }
    return h;
}

static void https_client_receive(void *state, const uint8_t *frame, size_t len)
{
    simtcp_host_receive(((struct https_client *)state)->host, frame, len);
}

static void https_client_wakeup(void *state)
{
    simtcp_host_wakeup(((struct https_client *)state)->host);
}

static int https_client_close(void *state)
{
    struct https_client *h = state;
    int good = h->done && h->problem[0] == '\0' && !h->body_differs &&
               h->body == h->file_len;
    fprintf(stderr,
            "sim: peer https-client on %s: %s %s, GET %s: %llu body bytes%s, "
            "fnv1a %016llx\n",
            miou_sim_link_name(h->link), h->version[0] ? h->version : "-",
            h->suite[0] ? h->suite : "-", h->path, (unsigned long long)h->body,
            good ? ", equal to the file" : "", (unsigned long long)h->digest);
    if (!good)
        fprintf(stderr, "sim: peer https-client on %s: %s\n",
                miou_sim_link_name(h->link),
                h->problem[0]     ? h->problem
                : !h->done        ? "the transfer did not end"
                : h->body_differs ? "the body differs from the file"
                                  : "the body is shorter than the file");
    client_free(h);
    return good ? 0 : -1;
}

static const struct miou_sim_peer https_client_peer = {
    .name = "https-client",
    .open = https_client_open,
    .receive = https_client_receive,
    .wakeup = https_client_wakeup,
    .close = https_client_close,
};

__attribute__((constructor)) static void sim_tls_peer_register(void)
{
    static const struct miou_sim_peer *const peers[] = {&https_client_peer};
    sim_peers_register(peers, 1);
}
