/*
 * config.c - configurations: certificates, key, trusted CAs, versions,
 * ALPN and tickets, parsed once and shared by the sessions made from
 * them (each session holds a reference).
 */
#include <stdlib.h>
#include <string.h>

#include "mbedtls/x509.h"

#include "internal.h"

uint32_t miou_tls__configs, miou_tls__sessions;
uint64_t miou_tls__handshakes;

/* How long a ticket we issue stays good: a day, as nginx's. */
#define TICKET_LIFETIME 86400

/* mbedTLS parses PEM only from a buffer that ends with a NUL byte, which
 * the length counts: call (parse) on such a copy of (buf) when it is
 * PEM without one, else on (buf). */
static int parse_nul(const void *buf, size_t len,
                     int (*parse)(void *obj, const unsigned char *b, size_t n),
                     void *obj)
{
    const unsigned char *b = buf;
    if (len == 0 || b[0] == 0x30 || b[len - 1] == '\0')
        return parse(obj, b, len); /* DER (a SEQUENCE), or ends with NUL */
    unsigned char *copy = malloc(len + 1);
    if (!copy)
        return MBEDTLS_ERR_X509_ALLOC_FAILED;
    memcpy(copy, b, len);
    copy[len] = '\0';
    int rc = parse(obj, copy, len + 1);
    mbedtls_platform_zeroize(copy, len + 1); /* it may be a private key */
    free(copy);
    return rc;
}

static int parse_crt(void *obj, const unsigned char *b, size_t n)
{
    return mbedtls_x509_crt_parse(obj, b, n);
}

static int parse_key(void *obj, const unsigned char *b, size_t n)
{
    return mbedtls_pk_parse_key(obj, b, n, NULL, 0, miou_tls__random, NULL);
}

/* A server does not care for time (its own certificate is not checked);
 * with MIOU_TLS_NO_TIME_CHECK, a client forgives the dates. */
static int forgive_dates(void *ctx, mbedtls_x509_crt *crt, int depth,
                         uint32_t *flags)
{
    (void)ctx;
    (void)crt;
    (void)depth;
    *flags &=
        ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
    return 0;
}

static int check_options(const struct miou_tls_options *o)
{
    unsigned lo = o->min_version ? o->min_version : MIOU_TLS_1_2;
    unsigned hi = o->max_version ? o->max_version : MIOU_TLS_1_3;
    if (lo < MIOU_TLS_1_2 || hi > MIOU_TLS_1_3 || lo > hi)
        return MIOU_EINVAL;
    if (o->role != MIOU_TLS_SERVER && o->role != MIOU_TLS_CLIENT)
        return MIOU_EINVAL;
    if (o->role == MIOU_TLS_SERVER && (!o->cert || !o->key))
        return MIOU_EINVAL;
    if (o->role == MIOU_TLS_CLIENT && !o->ca &&
        !(o->flags & MIOU_TLS_NO_VERIFY))
        return MIOU_EINVAL;
    if (!o->cert != !o->key)
        return MIOU_EINVAL;
    return 0;
}

/* Certificates and key into (c): 0 or MIOU_EBADCERT, MIOU_ENOMEM. */
static int load(miou_tls_config *c, const struct miou_tls_options *o)
{
    int rc = 0;
    if (o->cert) {
        rc = parse_nul(o->cert, o->cert_len, parse_crt, &c->cert);
        if (rc == 0)
            rc = parse_nul(o->key, o->key_len, parse_key, &c->key);
        if (rc == 0)
            rc = mbedtls_pk_check_pair(&c->cert.pk, &c->key, miou_tls__random,
                                       NULL);
        if (rc == 0)
            rc = mbedtls_ssl_conf_own_cert(&c->conf, &c->cert, &c->key);
    }
    if (rc == 0 && o->ca) {
        rc = parse_nul(o->ca, o->ca_len, parse_crt, &c->ca);
        if (rc == 0)
            mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, NULL);
    }
    if (rc == MBEDTLS_ERR_X509_ALLOC_FAILED ||
        rc == MBEDTLS_ERR_PK_ALLOC_FAILED || rc == MBEDTLS_ERR_SSL_ALLOC_FAILED)
        return MIOU_ENOMEM;
    return rc ? MIOU_EBADCERT : 0;
}

static mbedtls_ssl_protocol_version version(unsigned v)
{
    return v == MIOU_TLS_1_3 ? MBEDTLS_SSL_VERSION_TLS1_3
                             : MBEDTLS_SSL_VERSION_TLS1_2;
}

/* The protocol's settings; 0 or an mbedTLS error. */
static int setup(miou_tls_config *c, const struct miou_tls_options *o)
{
    int server = o->role == MIOU_TLS_SERVER;
    int rc = mbedtls_ssl_config_defaults(
        &c->conf, server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
        MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc)
        return rc;
    mbedtls_ssl_conf_rng(&c->conf, miou_tls__random, NULL);
    mbedtls_ssl_conf_min_tls_version(
        &c->conf, version(o->min_version ? o->min_version : MIOU_TLS_1_2));
    mbedtls_ssl_conf_max_tls_version(
        &c->conf, version(o->max_version ? o->max_version : MIOU_TLS_1_3));
    mbedtls_ssl_conf_authmode(&c->conf,
                              server || (o->flags & MIOU_TLS_NO_VERIFY)
                                  ? MBEDTLS_SSL_VERIFY_NONE
                                  : MBEDTLS_SSL_VERIFY_REQUIRED);
    if (o->flags & MIOU_TLS_NO_TIME_CHECK)
        mbedtls_ssl_conf_verify(&c->conf, forgive_dates, NULL);
    if (o->alpn && (rc = mbedtls_ssl_conf_alpn_protocols(
                        &c->conf, (const char **)o->alpn)) != 0)
        return rc;
    int tickets = (o->flags & MIOU_TLS_TICKETS) != 0;
    if (!server) {
        mbedtls_ssl_conf_session_tickets(
            &c->conf, tickets ? MBEDTLS_SSL_SESSION_TICKETS_ENABLED
                              : MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
        return 0;
    }
    mbedtls_ssl_conf_new_session_tickets(&c->conf, tickets ? 1 : 0);
    if (!tickets)
        return 0;
    rc = mbedtls_ssl_ticket_setup(&c->ticket, miou_tls__random, NULL,
                                  MBEDTLS_CIPHER_AES_256_GCM, TICKET_LIFETIME);
    if (rc)
        return rc;
    c->has_ticket = 1;
    mbedtls_ssl_conf_session_tickets_cb(&c->conf, mbedtls_ssl_ticket_write,
                                        mbedtls_ssl_ticket_parse, &c->ticket);
    return 0;
}

static void config_destroy(miou_tls_config *c)
{
    if (c->has_ticket)
        mbedtls_ssl_ticket_free(&c->ticket);
    mbedtls_ssl_config_free(&c->conf);
    mbedtls_x509_crt_free(&c->cert);
    mbedtls_x509_crt_free(&c->ca);
    mbedtls_pk_free(&c->key);
    free(c);
    miou_tls__configs--;
    miou_tls__random_release();
}

int miou_tls_config_new(const struct miou_tls_options *o,
                        miou_tls_config **config)
{
    if (!o || !config)
        return MIOU_EINVAL;
    int rc = check_options(o);
    if (rc)
        return rc;
    if ((rc = miou_tls__random_acquire()) != 0)
        return rc;
    miou_tls_config *c = calloc(1, sizeof *c);
    if (!c) {
        miou_tls__random_release();
        return MIOU_ENOMEM;
    }
    miou_tls__configs++;
    c->role = o->role;
    c->flags = o->flags;
    c->refs = 1;
    mbedtls_ssl_config_init(&c->conf);
    mbedtls_x509_crt_init(&c->cert);
    mbedtls_x509_crt_init(&c->ca);
    mbedtls_pk_init(&c->key);
    mbedtls_ssl_ticket_init(&c->ticket);
    int err = setup(c, o);
    rc = err ? miou_tls__error(err, NULL) : load(c, o);
    if (rc) {
        config_destroy(c);
        return rc;
    }
    *config = c;
    return 0;
}

void miou_tls__config_put(miou_tls_config *c)
{
    if (c && --c->refs == 0)
        config_destroy(c);
}

void miou_tls_config_free(miou_tls_config *c)
{
    miou_tls__config_put(c);
}

void miou_tls_stats(struct miou_tls_stats *st)
{
    if (!st)
        return;
    st->configs = miou_tls__configs;
    st->sessions = miou_tls__sessions;
    st->heap_bytes = miou_tls__heap_bytes;
    st->heap_peak = miou_tls__heap_peak;
    st->handshakes = miou_tls__handshakes;
}
