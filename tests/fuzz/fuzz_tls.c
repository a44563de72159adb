/*
 * fuzz_tls.c - a libFuzzer target over the TLS record input path: a
 * server session of mbedTLS with our configuration
 * (src/tls/port/miou_mbedtls_config.h) and the TEST ONLY certificate of
 * tests/tls/test_certs.h, whose every incoming byte is the input: record
 * headers, handshake messages (ClientHello and what follows), alerts,
 * and, once a handshake completes, encrypted application records. What
 * it sends is dropped. Nothing may crash, hang or leak (LeakSanitizer,
 * which libFuzzer runs when an input's mallocs and frees do not match;
 * PSA's key store, which grows once and stays, is reachable).
 *
 * Randomness is a fixed stream, restarted for each input, so that an
 * input replays. The seeds (--seeds DIR) are whole client sides of real
 * conversations (TLS 1.3 and TLS 1.2, a request after the handshake):
 * a client process talks to this same server code over a socket pair and
 * records what it sends; since the server draws the same random bytes
 * when fed those bytes again, they complete the handshake under the
 * fuzzer too, and mutations reach the decryption of records.
 *
 *   scripts/fuzz_tls.sh [SECONDS] [RUNS]   builds, seeds and runs it
 *   build/fuzz/fuzz_tls --seeds DIR        writes the seeds
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mbedtls/ssl.h"
#include "psa/crypto.h"

#include "../tls/test_certs.h"
#include "tls/internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- What the TLS layer's platform.c wants, and randomness ---------- */

uint64_t miou_clock_wall(void)
{
    return 1767225600ull * 1000000000ull; /* 2026-01-01 */
}

static uint64_t rng_state;

static int rng(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    while (len > 0) {
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        size_t n = len < 8 ? len : 8;
        memcpy(out, &z, n);
        out += n;
        len -= n;
    }
    return 0;
}

psa_status_t
mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *ctx,
                                uint8_t *out, size_t size, size_t *len)
{
    (void)ctx;
    rng(NULL, out, size);
    *len = size;
    return PSA_SUCCESS;
}

/* ---- The server ----------------------------------------------------- */

static mbedtls_ssl_config server_conf;
static mbedtls_x509_crt cert;
static mbedtls_pk_context key;

/* Where the server's bytes come from: the input, or a socket. */
struct feed {
    const uint8_t *p;
    size_t n;
    int fd; /* -1: the input */
};

static int feed_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct feed *f = ctx;
    if (f->fd >= 0) {
        ssize_t r = read(f->fd, buf, len);
        return r < 0 ? MBEDTLS_ERR_SSL_INTERNAL_ERROR : (int)r;
    }
    if (len > f->n)
        len = f->n;
    memcpy(buf, f->p, len);
    f->p += len;
    f->n -= len;
    return (int)len; /* 0 at the end: the peer closed */
}

static int feed_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct feed *f = ctx;
    if (f->fd >= 0 && write(f->fd, buf, len) != (ssize_t)len)
        return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    return (int)len;
}

/* Inputs that completed a handshake, and records they carried: said at
 * exit with FUZZ_TLS_VERBOSE=1, to see what the corpus reaches. */
static unsigned long handshakes, records;

static void say_counts(void)
{
    fprintf(stderr, "fuzz_tls: %lu handshakes completed, %lu records read\n",
            handshakes, records);
}

/* One server conversation: a handshake, then records read and answered
 * until the feed ends or fails. */
static void serve(struct feed *f)
{
    mbedtls_ssl_context ssl;
    mbedtls_ssl_init(&ssl);
    rng_state = 42;
    if (mbedtls_ssl_setup(&ssl, &server_conf) == 0) {
        mbedtls_ssl_set_bio(&ssl, f, feed_send, feed_recv, NULL);
        if (mbedtls_ssl_handshake(&ssl) == 0) {
            unsigned char buf[4096];
            int n;
            handshakes++;
            while ((n = mbedtls_ssl_read(&ssl, buf, sizeof buf)) > 0 ||
                   n == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) {
                records++;
                if (n > 0 && mbedtls_ssl_write(&ssl, buf, (size_t)n) < 0)
                    break;
            }
        }
    }
    mbedtls_ssl_free(&ssl);
}

static int setup_server(void)
{
    miou_tls__platform_init();
    if (psa_crypto_init() != PSA_SUCCESS)
        return -1;
    mbedtls_ssl_config_init(&server_conf);
    mbedtls_x509_crt_init(&cert);
    mbedtls_pk_init(&key);
    if (mbedtls_x509_crt_parse(&cert, (const unsigned char *)test_server_pem,
                               sizeof test_server_pem) != 0 ||
        mbedtls_pk_parse_key(&key, (const unsigned char *)test_server_key,
                             sizeof test_server_key, NULL, 0, rng, NULL) != 0 ||
        mbedtls_ssl_config_defaults(&server_conf, MBEDTLS_SSL_IS_SERVER,
                                    MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0 ||
        mbedtls_ssl_conf_own_cert(&server_conf, &cert, &key) != 0)
        return -1;
    mbedtls_ssl_conf_rng(&server_conf, rng, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct feed f = {data, size, -1};
    serve(&f);
    return 0;
}

/* ---- The seeds ------------------------------------------------------ */

struct recorder {
    int fd;
    unsigned char *sent;
    size_t len, cap;
};

static int rec_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct recorder *r = ctx;
    if (r->len + len > r->cap) {
        r->cap = (r->len + len) * 2;
        if (!(r->sent = realloc(r->sent, r->cap)))
            return MBEDTLS_ERR_SSL_ALLOC_FAILED;
    }
    memcpy(r->sent + r->len, buf, len);
    r->len += len;
    return write(r->fd, buf, len) == (ssize_t)len
               ? (int)len
               : MBEDTLS_ERR_SSL_INTERNAL_ERROR;
}

static int rec_recv(void *ctx, unsigned char *buf, size_t len)
{
    ssize_t n = read(((struct recorder *)ctx)->fd, buf, len);
    return n < 0 ? MBEDTLS_ERR_SSL_INTERNAL_ERROR : (int)n;
}

/* The client's side of a conversation with (version) at most, into
 * (path): run in a child process, over (fd). */
static int client(int fd, mbedtls_ssl_protocol_version version,
                  const char *path)
{
    static const char request[] = "GET / HTTP/1.1\r\nHost: miou.test\r\n\r\n";
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    struct recorder r = {fd, NULL, 0, 0};
    unsigned char buf[1024];
    rng_state = 7;
    mbedtls_ssl_config_init(&conf);
    mbedtls_ssl_init(&ssl);
    if (mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT,
                                    MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        return 1;
    mbedtls_ssl_conf_rng(&conf, rng, NULL);
    mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_NONE);
    mbedtls_ssl_conf_max_tls_version(&conf, version);
    if (mbedtls_ssl_setup(&ssl, &conf) != 0)
        return 1;
    mbedtls_ssl_set_bio(&ssl, &r, rec_send, rec_recv, NULL);
    if (mbedtls_ssl_handshake(&ssl) != 0 ||
        mbedtls_ssl_write(&ssl, (const unsigned char *)request,
                          sizeof request - 1) < 0 ||
        mbedtls_ssl_read(&ssl, buf, sizeof buf) <= 0)
        return 1;
    mbedtls_ssl_close_notify(&ssl);
    FILE *out = fopen(path, "wb");
    if (!out || fwrite(r.sent, 1, r.len, out) != r.len || fclose(out) != 0)
        return 1;
    return 0;
}

static int write_seed(const char *dir, const char *name,
                      mbedtls_ssl_protocol_version version)
{
    char path[4096];
    int sv[2], status;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        _exit(client(sv[1], version, path));
    }
    close(sv[1]);
    struct feed f = {NULL, 0, sv[0]};
    serve(&f);
    close(sv[0]);
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "fuzz_tls: the %s client failed\n", name);
        return -1;
    }
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (setup_server() != 0) {
        fprintf(stderr, "fuzz_tls: cannot set the server up\n");
        exit(1);
    }
    const char *verbose = getenv("FUZZ_TLS_VERBOSE");
    if (verbose && strcmp(verbose, "1") == 0)
        atexit(say_counts);
    if (*argc == 3 && strcmp((*argv)[1], "--seeds") == 0)
        exit(write_seed((*argv)[2], "tls13", MBEDTLS_SSL_VERSION_TLS1_3) ||
             write_seed((*argv)[2], "tls12", MBEDTLS_SSL_VERSION_TLS1_2));
    return 0;
}
