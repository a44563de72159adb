/*
 * session.c - TLS sessions over miou_tcp connections.
 *
 * mbedTLS moves bytes through two callbacks, which here call
 * miou_tcp_read() and miou_tcp_write() with the deadline of the call in
 * progress (s->deadline): they suspend the calling task, so mbedTLS
 * never sees "would block" but from a read whose deadline passed or
 * whose task was cancelled, where MBEDTLS_ERR_SSL_WANT_READ keeps the
 * record read so far for the next call. What the callbacks met is kept
 * in s->io_err, which takes precedence over mbedTLS's own error.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Not in our configuration (no MBEDTLS_NET_C): the codes a transport
 * answers with, as mbedTLS's own sockets do. */
#define NET_RECV_FAILED -0x004C
#define NET_SEND_FAILED -0x004E

static int on_send(void *ctx, const unsigned char *buf, size_t len)
{
    miou_tls *s = ctx;
    long n = miou_tcp_write(s->tcp, buf, len, s->deadline);
    if (n >= 0)
        return (int)len;
    s->io_err = (int)n;
    return NET_SEND_FAILED;
}

static int on_recv(void *ctx, unsigned char *buf, size_t len)
{
    miou_tls *s = ctx;
    long n = miou_tcp_read(s->tcp, buf, len, s->deadline);
    if (n >= 0)
        return (int)n; /* 0: the peer closed the connection */
    s->io_err = (int)n;
    return n == MIOU_ETIMEDOUT || n == MIOU_ECANCELED
               ? MBEDTLS_ERR_SSL_WANT_READ
               : NET_RECV_FAILED;
}

/* The MIOU_E* code of mbedTLS's (ret), and the session marked broken
 * unless (resumable) and the failure was a read's deadline or
 * cancellation. */
static int failed(miou_tls *s, int ret, int resumable)
{
    int rc = s->io_err ? s->io_err : miou_tls__error(ret, &s->ssl);
    if (!resumable || ret != MBEDTLS_ERR_SSL_WANT_READ)
        s->broken = rc;
    return rc;
}

/* Before each call into mbedTLS: 0, or why the session cannot go on. */
static int enter(miou_tls *s, uint64_t deadline)
{
    if (miou_cancelled())
        return MIOU_ECANCELED;
    if (s->broken)
        return s->broken;
    s->deadline = deadline;
    s->io_err = 0;
    return 0;
}

static int session_new(miou_tls_config *c, miou_tcp *tcp, miou_tls **out)
{
    miou_tls *s = calloc(1, sizeof *s);
    if (!s) {
        miou_tcp_close(tcp);
        return MIOU_ENOMEM;
    }
    mbedtls_ssl_init(&s->ssl);
    s->tcp = tcp;
    s->config = c;
    c->refs++;
    miou_tls__sessions++;
    int rc = mbedtls_ssl_setup(&s->ssl, &c->conf);
    if (rc != 0) {
        miou_tls_close(s);
        return miou_tls__error(rc, NULL);
    }
    mbedtls_ssl_set_bio(&s->ssl, s, on_send, on_recv, NULL);
    *out = s;
    return 0;
}

int miou_tls_server(miou_tls_config *c, miou_tcp *tcp, miou_tls **out)
{
    if (!c || !tcp || !out)
        return MIOU_EINVAL;
    if (c->role != MIOU_TLS_SERVER) {
        miou_tcp_close(tcp);
        return MIOU_EINVAL;
    }
    return session_new(c, tcp, out);
}

int miou_tls_client(miou_tls_config *c, miou_tcp *tcp, const char *hostname,
                    miou_tls **out)
{
    if (!c || !tcp || !out)
        return MIOU_EINVAL;
    if (c->role != MIOU_TLS_CLIENT ||
        (!hostname && !(c->flags & MIOU_TLS_NO_VERIFY))) {
        miou_tcp_close(tcp);
        return MIOU_EINVAL;
    }
    int rc = session_new(c, tcp, out);
    if (rc == 0 && hostname &&
        (rc = mbedtls_ssl_set_hostname(&(*out)->ssl, hostname)) != 0) {
        miou_tls_close(*out);
        return miou_tls__error(rc, NULL);
    }
    return rc;
}

int miou_tls_handshake(miou_tls *s, uint64_t deadline)
{
    if (!s)
        return MIOU_EINVAL;
    if (s->handshaken)
        return 0;
    int rc = enter(s, deadline);
    if (rc)
        return rc;
    int ret = mbedtls_ssl_handshake(&s->ssl);
    if (ret != 0)
        return failed(s, ret, 0);
    s->handshaken = 1;
    miou_tls__handshakes++;
    return 0;
}

long miou_tls_read(miou_tls *s, void *buf, size_t len, uint64_t deadline)
{
    if (!s || (!buf && len))
        return MIOU_EINVAL;
    int rc = miou_tls_handshake(s, deadline);
    if (rc)
        return rc;
    if (s->eof)
        return 0;
    if ((rc = enter(s, deadline)) != 0)
        return rc;
    if (len > INT_MAX)
        len = INT_MAX;
    for (;;) {
        int ret = mbedtls_ssl_read(&s->ssl, buf, len);
        if (ret >= 0)
            return ret;
        switch (ret) {
        case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
            s->eof = 1;
            return 0;
        /* TLS 1.3 messages after the handshake: dealt with, read on. */
        case MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET:
        case MBEDTLS_ERR_SSL_WANT_WRITE:
            continue;
        case MBEDTLS_ERR_SSL_WANT_READ:
            if (!s->io_err)
                continue; /* a record that carried no data */
            return failed(s, ret, 1);
        default:
            return failed(s, ret, 0);
        }
    }
}

long miou_tls_write(miou_tls *s, const void *buf, size_t len, uint64_t deadline)
{
    if (!s || (!buf && len))
        return MIOU_EINVAL;
    int rc = miou_tls_handshake(s, deadline);
    if (rc)
        return rc;
    if (s->shut)
        return MIOU_EPIPE;
    if ((rc = enter(s, deadline)) != 0)
        return rc;
    if (len > LONG_MAX)
        len = LONG_MAX;
    size_t done = 0;
    while (done < len) {
        /* A record at most per call: mbedTLS cuts there. */
        int ret = mbedtls_ssl_write(&s->ssl, (const unsigned char *)buf + done,
                                    len - done);
        if (ret < 0)
            return failed(s, ret, 0);
        done += (size_t)ret;
    }
    return (long)len;
}

int miou_tls_shutdown(miou_tls *s, uint64_t deadline)
{
    if (!s)
        return MIOU_EINVAL;
    if (s->shut)
        return 0;
    int rc = enter(s, deadline);
    if (rc)
        return rc;
    s->shut = 1;
    int ret = mbedtls_ssl_close_notify(&s->ssl);
    if (ret < 0)
        return failed(s, ret, 0);
    return miou_tcp_shutdown(s->tcp);
}

static int session_end(miou_tls *s, int (*end)(miou_tcp *))
{
    if (!s)
        return MIOU_EINVAL;
    int rc = end(s->tcp);
    mbedtls_ssl_free(&s->ssl);
    miou_tls__config_put(s->config);
    miou_tls__sessions--;
    free(s);
    return rc;
}

int miou_tls_close(miou_tls *s)
{
    return session_end(s, miou_tcp_close);
}

int miou_tls_abort(miou_tls *s)
{
    return session_end(s, miou_tcp_abort);
}

miou_tcp *miou_tls_tcp(const miou_tls *s)
{
    return s ? s->tcp : NULL;
}

const char *miou_tls_version(const miou_tls *s)
{
    return s && s->handshaken ? mbedtls_ssl_get_version(&s->ssl) : NULL;
}

const char *miou_tls_cipher(const miou_tls *s)
{
    return s && s->handshaken ? mbedtls_ssl_get_ciphersuite(&s->ssl) : NULL;
}

const char *miou_tls_alpn(const miou_tls *s)
{
    return s && s->handshaken ? mbedtls_ssl_get_alpn_protocol(&s->ssl) : NULL;
}

int miou_tls_session_get(miou_tls *s, miou_tls_saved **saved)
{
    if (!s || !saved || !s->handshaken)
        return MIOU_EINVAL;
    miou_tls_saved *v = calloc(1, sizeof *v);
    if (!v)
        return MIOU_ENOMEM;
    mbedtls_ssl_session_init(&v->session);
    int ret = mbedtls_ssl_get_session(&s->ssl, &v->session);
    if (ret != 0) {
        miou_tls_saved_free(v);
        return ret == MBEDTLS_ERR_SSL_ALLOC_FAILED ? MIOU_ENOMEM : MIOU_EINVAL;
    }
    *saved = v;
    return 0;
}

int miou_tls_session_set(miou_tls *s, const miou_tls_saved *saved)
{
    if (!s || !saved || s->handshaken)
        return MIOU_EINVAL;
    int ret = mbedtls_ssl_set_session(&s->ssl, &saved->session);
    return ret == 0 ? 0 : miou_tls__error(ret, NULL);
}

void miou_tls_saved_free(miou_tls_saved *saved)
{
    if (!saved)
        return;
    mbedtls_ssl_session_free(&saved->session);
    free(saved);
}
