/*
 * internal.h - what the files of the TLS layer share (src/tls/).
 *
 * The layer sits above the TCP/IP layer's public API (miou_tcpip.h) and
 * the core's (miou.h): it uses connections, clocks and miou_random(),
 * never their insides. mbedTLS runs in the thread of miou_run(), called
 * only from tasks; its global state (the DRBG and PSA's key store) lives
 * while a configuration does (random.c).
 */
#ifndef MIOU_TLS_INTERNAL_H
#define MIOU_TLS_INTERNAL_H

#include <miou.h>
#include <miou_tcpip.h>
#include <miou_tls.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/pk.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_ticket.h"
#include "mbedtls/x509_crt.h"

struct miou_tls_config {
    mbedtls_ssl_config conf;
    mbedtls_x509_crt cert, ca;
    mbedtls_pk_context key;
    mbedtls_ssl_ticket_context ticket;
    enum miou_tls_role role;
    unsigned flags;
    unsigned refs; /* the owner's, and one per session */
    int has_ticket;
};

struct miou_tls {
    mbedtls_ssl_context ssl;
    miou_tls_config *config;
    miou_tcp *tcp;
    /* Records mbedTLS wrote and the connection has not taken yet (NULL
     * when none: an idle session holds no buffer). */
    unsigned char *tx;
    size_t tx_len, tx_cap;
    /* A byte read while waiting for the connection to have input, which
     * mbedTLS gets first. */
    unsigned char pending;
    uint8_t has_pending;
    /* One task at a time waits for input (rlock) or writes the records
     * out (wlock); calls into mbedTLS never suspend, so they need none. */
    miou_mutex rlock, wlock;
    int io_err; /* what the callbacks met (MIOU_E*), or 0 */
    int broken; /* sticky: the session can only be closed */
    uint8_t shut, handshaken, eof;
};

struct miou_tls_saved {
    mbedtls_ssl_session session;
};

/* random.c: the process's DRBG, seeded on the first acquire: 0 or
 * MIOU_ENOENTROPY. Every configuration holds it. */
int miou_tls__random_acquire(void);
void miou_tls__random_release(void);
int miou_tls__random(void *ctx, unsigned char *out, size_t len);

/* platform.c: mbedTLS's memory and time. */
void miou_tls__platform_init(void);
extern uint64_t miou_tls__heap_bytes, miou_tls__heap_peak;

/* error.c: an mbedTLS error as a MIOU_E* code; (ssl) may be NULL (then
 * a verification failure is MIOU_EPEERCERT). */
int miou_tls__error(int ret, const mbedtls_ssl_context *ssl);

/* config.c: drop a reference to (c), freeing it with the last. */
void miou_tls__config_put(miou_tls_config *c);

/* x25519.c: 1 to send X25519 public keys to mbedTLS's own ladder (the
 * tests compare both). */
extern int miou_tls__x25519_generic;

/* Counters of miou_tls_stats(). */
extern uint32_t miou_tls__configs, miou_tls__sessions;
extern uint64_t miou_tls__handshakes;

#endif
