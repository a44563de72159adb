/*
 * session.c - TLS sessions over miou_tcp connections.
 *
 * mbedTLS never suspends here: its callbacks only move bytes that are
 * there. The send callback appends each record to the session's buffer
 * (s->tx), which the calling task then writes to the connection, outside
 * mbedTLS, with the call's deadline (back-pressure: it suspends while
 * the connection's send buffer is full). The receive callback takes what
 * the connection already holds, or answers MBEDTLS_ERR_SSL_WANT_READ;
 * the calling task then waits, outside mbedTLS, until the connection has
 * input (a read of one byte, given to mbedTLS first), and calls mbedTLS
 * again. So one task may read while another writes the same session (an
 * echo, a proxy): mbedTLS's context is only ever used by one call at a
 * time, as it must be, and a task suspended on the connection holds
 * nothing of it. A read whose deadline passes, or whose task is
 * cancelled, leaves mbedTLS as it was: the session stays usable. An idle
 * session holds no buffer beyond mbedTLS's own.
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
    if (s->tx_len + len > s->tx_cap) {
        size_t cap = s->tx_len + len;
        cap = cap < 4096 ? 4096 : cap + cap / 2;
        unsigned char *p = realloc(s->tx, cap);
        if (!p) {
            s->io_err = MIOU_ENOMEM;
            return NET_SEND_FAILED;
        }
        s->tx = p;
        s->tx_cap = cap;
    }
    memcpy(s->tx + s->tx_len, buf, len);
    s->tx_len += len;
    return (int)len;
}

static int on_recv(void *ctx, unsigned char *buf, size_t len)
{
    miou_tls *s = ctx;
    size_t got = 0;
    if (len == 0)
        return 0;
    if (s->has_pending) {
        buf[0] = s->pending;
        s->has_pending = 0;
        got = 1;
        if (len == 1)
            return 1;
    }
    /* A deadline already past: what is there, without waiting. */
    long n = miou_tcp_read(s->tcp, buf + got, len - got, 0);
    if (n > 0)
        return (int)(got + (size_t)n);
    if (got)
        return (int)got;
    if (n == 0)
        return 0; /* the peer closed the connection */
    if (n == MIOU_ETIMEDOUT || n == MIOU_ECANCELED)
        return MBEDTLS_ERR_SSL_WANT_READ;
    s->io_err = (int)n;
    return NET_RECV_FAILED;
}

/* Write out the records mbedTLS made, by (deadline), in their order
 * whichever task made them: 0, or the error (the session is then
 * broken: part of a record may have gone). */
static int flush(miou_tls *s, uint64_t deadline)
{
    if (s->tx_len == 0)
        return 0;
    int rc = miou_mutex_lock(&s->wlock);
    if (rc)
        return rc;
    /* Another task may add records while this one is suspended: they
     * go into a new buffer, written by this loop next. */
    while (rc == 0 && s->tx_len > 0) {
        unsigned char *buf = s->tx;
        size_t len = s->tx_len;
        s->tx = NULL;
        s->tx_len = s->tx_cap = 0;
        long n = miou_tcp_write(s->tcp, buf, len, deadline);
        free(buf);
        if (n < 0)
            rc = (int)n;
    }
    miou_mutex_unlock(&s->wlock);
    if (rc && !s->broken)
        s->broken = rc;
    return rc;
}

/* Wait, by (deadline), until the connection has input for mbedTLS (a
 * byte kept for it) or has ended: 0, or MIOU_ETIMEDOUT, MIOU_ECANCELED
 * (mbedTLS is left as it was), or the connection's error. */
static int wait_input(miou_tls *s, uint64_t deadline)
{
    int rc = miou_mutex_lock(&s->rlock);
    if (rc)
        return rc;
    if (!s->has_pending) {
        long n = miou_tcp_read(s->tcp, &s->pending, 1, deadline);
        if (n == 1)
            s->has_pending = 1;
        else if (n < 0)
            rc = (int)n;
        /* n == 0: the end, which mbedTLS will read for itself. */
    }
    miou_mutex_unlock(&s->rlock);
    return rc;
}

/* The MIOU_E* code of mbedTLS's (ret); the session is then broken. */
static int failed(miou_tls *s, int ret)
{
    int rc = s->io_err ? s->io_err : miou_tls__error(ret, &s->ssl);
    if (!s->broken)
        s->broken = rc;
    return rc;
}

/* Before a call: 0, or why the session cannot go on. */
static int usable(const miou_tls *s)
{
    if (miou_cancelled())
        return MIOU_ECANCELED;
    return s->broken;
}

static int session_new(miou_tls_config *c, miou_tcp *tcp, miou_tls **out)
{
    miou_tls *s = calloc(1, sizeof *s);
    if (!s) {
        miou_tcp_close(tcp);
        return MIOU_ENOMEM;
    }
    mbedtls_ssl_init(&s->ssl);
    miou_mutex_init(&s->rlock);
    miou_mutex_init(&s->wlock);
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
    for (;;) {
        if (s->handshaken)
            return 0;
        int rc = usable(s);
        if (rc)
            return rc;
        s->io_err = 0;
        int ret = mbedtls_ssl_handshake(&s->ssl);
        if ((rc = flush(s, deadline)) != 0)
            return rc;
        if (ret == 0) {
            s->handshaken = 1;
            miou_tls__handshakes++;
            return 0;
        }
        if (ret != MBEDTLS_ERR_SSL_WANT_READ)
            return failed(s, ret);
        /* A handshake cut short is not resumed: its peer would not wait. */
        if ((rc = wait_input(s, deadline)) != 0)
            return s->broken = rc;
    }
}

long miou_tls_read(miou_tls *s, void *buf, size_t len, uint64_t deadline)
{
    if (!s || (!buf && len))
        return MIOU_EINVAL;
    int rc = miou_tls_handshake(s, deadline);
    if (rc)
        return rc;
    if (len > INT_MAX)
        len = INT_MAX;
    for (;;) {
        if (s->eof)
            return 0;
        if ((rc = usable(s)) != 0)
            return rc;
        s->io_err = 0;
        int ret = mbedtls_ssl_read(&s->ssl, buf, len);
        /* Reading may have answered something (an alert). */
        if ((rc = flush(s, deadline)) != 0)
            return rc;
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
            if ((rc = wait_input(s, deadline)) != 0)
                return rc; /* the session stays usable */
            continue;
        default:
            return failed(s, ret);
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
    if (len > LONG_MAX)
        len = LONG_MAX;
    size_t done = 0;
    while (done < len) {
        if ((rc = usable(s)) != 0)
            return rc;
        s->io_err = 0;
        /* A record at most per call: mbedTLS cuts there. */
        int ret = mbedtls_ssl_write(&s->ssl, (const unsigned char *)buf + done,
                                    len - done);
        if (ret < 0)
            return failed(s, ret);
        done += (size_t)ret;
        /* Each record out before the next is made: a slow peer holds
         * the writer back, not the heap. */
        if ((rc = flush(s, deadline)) != 0)
            return rc;
    }
    return (long)len;
}

int miou_tls_shutdown(miou_tls *s, uint64_t deadline)
{
    if (!s)
        return MIOU_EINVAL;
    if (s->shut)
        return 0;
    int rc = usable(s);
    if (rc)
        return rc;
    s->shut = 1;
    s->io_err = 0;
    int ret = mbedtls_ssl_close_notify(&s->ssl);
    if ((rc = flush(s, deadline)) != 0)
        return rc;
    if (ret < 0)
        return failed(s, ret);
    return miou_tcp_shutdown(s->tcp);
}

static int session_end(miou_tls *s, int (*end)(miou_tcp *))
{
    if (!s)
        return MIOU_EINVAL;
    int rc = end(s->tcp);
    mbedtls_ssl_free(&s->ssl);
    free(s->tx);
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
