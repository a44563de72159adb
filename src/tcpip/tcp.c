/*
 * tcp.c - TCP connections and listeners over lwIP's raw API.
 *
 * lwIP calls back from inside the stack's tasks: received data is queued
 * on the connection (and the window opened only as the owner reads it,
 * so a sender to a task that does not read is held back), sent data and
 * errors wake the waiters. Each object has its own lock and condition,
 * and counts the tasks inside its blocking calls: closing it while others
 * wait only marks it closed and wakes them, and the last one out frees it.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/tcp.h"

#include "internal.h"

struct miou_tcp {
    struct tcpip_node node; /* first: in the stack's list */
    struct miou_tcp *qnext; /* in a listener's accept queue */
    struct miou_tcpip *s;   /* NULL once the stack is closed */
    struct tcp_pcb *pcb;    /* NULL once lwIP let go of it */
    /* Received, not yet read: lwIP's chains, linked by hand. Their
     * tot_len fields are not kept up to date (a u16_t, which the queue
     * may outgrow: a peer that overruns lwIP's window can make lwIP
     * deliver more than 64 KiB), so only each pbuf's own len counts. */
    struct pbuf *rx, *rx_tail;
    miou_mutex lock;
    miou_cond cond; /* any change: data, room, state */
    int err;        /* sticky MIOU_E* from lwIP */
    uint8_t eof, shut_wr, connecting, connected, closed;
    unsigned users;
    miou_ipaddr peer_addr, local_addr;
    uint16_t peer_port, local_port;
};

struct miou_tcp_listener {
    struct tcpip_node node; /* first: in the stack's list */
    struct miou_tcpip *s;
    struct tcp_pcb *pcb;
    struct miou_tcp *head, *tail; /* accepted by lwIP, not by the owner */
    unsigned queued, backlog;
    miou_mutex lock;
    miou_cond cond;
    int err;
    uint8_t closed;
    unsigned users;
    uint16_t port;
};

/* ---- Lists and lifetimes ----------------------------------------------- */

static void conn_link(struct miou_tcpip *s, struct miou_tcp *c)
{
    c->s = s;
    tcpip_list_add(&s->conns, &c->node);
}

static void conn_unlink(struct miou_tcp *c)
{
    if (c->s)
        tcpip_list_remove(&c->s->conns, &c->node);
}

static void wake(struct miou_tcp *c)
{
    miou_cond_broadcast(&c->cond);
}

static void leave(struct miou_tcpip *s)
{
    if (s)
        miou_tcpip__leave(s);
}

/* A task leaves a blocking call on (c); the last one out of a closed
 * connection frees it. */
static void conn_release(struct miou_tcp *c)
{
    if (--c->users == 0 && c->closed)
        free(c);
}

/* ---- lwIP's callbacks -----------------------------------------------------
 */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct miou_tcp *c = arg;
    (void)pcb;
    if (!p) {
        c->eof = 1;
    } else if (err != ERR_OK) {
        pbuf_free(p);
        return ERR_OK;
    } else {
        struct pbuf *last = p;
        while (last->next)
            last = last->next;
        if (c->rx)
            c->rx_tail->next = p;
        else
            c->rx = p;
        c->rx_tail = last;
    }
    wake(c);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb;
    (void)len;
    wake(arg);
    return ERR_OK;
}

/* lwIP has freed the pcb (reset, abort, too many retransmissions). */
static void on_err(void *arg, err_t err)
{
    struct miou_tcp *c = arg;
    if (!c)
        return;
    c->pcb = NULL;
    if (c->connecting)
        c->err = err == ERR_RST    ? MIOU_ECONNREFUSED
                 : err == ERR_ABRT ? MIOU_ETIMEDOUT
                                   : miou_tcpip__error(err);
    else
        c->err = err == ERR_ABRT ? MIOU_ECONNABORTED : miou_tcpip__error(err);
    if (c->err == 0)
        c->err = MIOU_ECONNABORTED;
    wake(c);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct miou_tcp *c = arg;
    (void)pcb;
    if (err == ERR_OK)
        c->connected = 1;
    else
        c->err = miou_tcpip__error(err);
    wake(c);
    return ERR_OK;
}

static void attach(struct miou_tcp *c, struct tcp_pcb *pcb)
{
    c->pcb = pcb;
    miou_tcpip__from_lwip(&pcb->remote_ip, &c->peer_addr);
    miou_tcpip__from_lwip(&pcb->local_ip, &c->local_addr);
    c->peer_port = pcb->remote_port;
    c->local_port = pcb->local_port;
    tcp_arg(pcb, c);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
}

/* Let go of the pcb without a callback reaching (c) any more. */
static struct tcp_pcb *detach(struct miou_tcp *c)
{
    struct tcp_pcb *pcb = c->pcb;
    if (pcb) {
        tcp_arg(pcb, NULL);
        tcp_recv(pcb, NULL);
        tcp_sent(pcb, NULL);
        tcp_err(pcb, NULL);
        c->pcb = NULL;
    }
    return pcb;
}

void miou_tcpip__tcp_forget(miou_tcp *c)
{
    detach(c);
    wake(c);
}

static struct miou_tcp *conn_new(struct miou_tcpip *s, struct tcp_pcb *pcb)
{
    struct miou_tcp *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    miou_mutex_init(&c->lock);
    miou_cond_init(&c->cond);
    conn_link(s, c);
    attach(c, pcb);
    return c;
}

/* Reset the connection and drop what it holds; the object stays. */
static void conn_kill(struct miou_tcp *c, int err)
{
    struct tcp_pcb *pcb = detach(c);
    if (pcb)
        tcp_abort(pcb);
    if (c->rx) {
        pbuf_free(c->rx);
        c->rx = c->rx_tail = NULL;
    }
    if (!c->err)
        c->err = err;
    wake(c);
}

/* Free a connection nobody owns yet (in an accept queue). */
static void conn_discard(struct miou_tcp *c)
{
    conn_kill(c, MIOU_ECONNABORTED);
    conn_unlink(c);
    c->closed = 1;
    if (c->users == 0)
        free(c);
}

/* ---- Connections ----------------------------------------------------------
 */

int miou_tcp_connect(miou_tcpip *s, const miou_ipaddr *addr, uint16_t port,
                     uint64_t deadline, miou_tcp **conn)
{
    ip_addr_t ip;
    if (!s || s->closed || !conn || port == 0 ||
        miou_tcpip__to_lwip(addr, &ip) != 0)
        return MIOU_EINVAL;
    struct tcp_pcb *pcb = tcp_new_ip_type(IP_GET_TYPE(&ip));
    if (!pcb)
        return MIOU_ENOMEM;
    struct miou_tcp *c = conn_new(s, pcb);
    if (!c) {
        tcp_abort(pcb);
        return MIOU_ENOMEM;
    }
    c->connecting = 1;
    err_t e = tcp_connect(pcb, &ip, port, on_connected);
    int rc = miou_tcpip__error(e);
    leave(s);
    c->users++;
    while (rc == 0 && !c->connected && !c->err)
        rc = miou_tcpip__wait(&c->lock, &c->cond, deadline);
    c->users--;
    if (rc == 0 && c->connected && c->pcb) {
        c->connecting = 0;
        attach(c, c->pcb); /* the peer's address is known now */
        *conn = c;
        return 0;
    }
    if (rc == 0)
        rc = c->err;
    miou_tcp_abort(c);
    return rc;
}

/* Up to (len) bytes of the receive queue into (buf), freeing each pbuf
 * once emptied; returns how many. */
static size_t rx_take(struct miou_tcp *c, void *buf, size_t len)
{
    size_t done = 0;
    while (c->rx && done < len) {
        struct pbuf *q = c->rx;
        size_t n = len - done < q->len ? len - done : q->len;
        memcpy((char *)buf + done, q->payload, n);
        done += n;
        if (n < q->len) {
            pbuf_remove_header(q, (size_t)n);
            break;
        }
        c->rx = q->next;
        q->next = NULL;
        pbuf_free(q);
    }
    if (!c->rx)
        c->rx_tail = NULL;
    return done;
}

/* Tell lwIP that (n) bytes were read: the window opens by as much. */
static void window_open(struct tcp_pcb *pcb, size_t n)
{
    while (n > 0) {
        u16_t step = n > 0xffff ? 0xffff : (u16_t)n;
        tcp_recved(pcb, step);
        n -= step;
    }
}

long miou_tcp_read(miou_tcp *c, void *buf, size_t len, uint64_t deadline)
{
    if (!c || c->closed || (!buf && len))
        return MIOU_EINVAL;
    if (len == 0)
        return 0;
    if (len > LONG_MAX)
        len = LONG_MAX; /* what the return value can count */
    long r = 0;
    c->users++;
    for (;;) {
        if (c->rx) {
            size_t n = rx_take(c, buf, len);
            if (n == 0)
                continue; /* only empty pbufs: now gone */
            if (c->pcb) {
                window_open(c->pcb, n);
                leave(c->s);
            }
            r = (long)n;
            break;
        }
        if (c->err) {
            r = c->err;
            break;
        }
        if (c->eof) {
            r = 0;
            break;
        }
        if (c->closed) {
            r = MIOU_ECONNABORTED;
            break;
        }
        int rc = miou_tcpip__wait(&c->lock, &c->cond, deadline);
        if (rc) {
            r = rc;
            break;
        }
    }
    conn_release(c);
    return r;
}

/* Room for (want) more bytes in lwIP's send buffer, at most. */
static size_t send_room(const struct tcp_pcb *pcb, size_t want)
{
    size_t room = tcp_sndbuf(pcb);
    /* A segment per write at worst: keep below lwIP's queue bound. */
    if (tcp_sndqueuelen(pcb) + 2 >= TCP_SND_QUEUELEN)
        return 0;
    return want < room ? want : room;
}

long miou_tcp_write(miou_tcp *c, const void *buf, size_t len, uint64_t deadline)
{
    if (!c || c->closed || (!buf && len))
        return MIOU_EINVAL;
    size_t done = 0;
    long r = 0;
    c->users++;
    while (done < len) {
        if (c->err) {
            r = c->err;
            break;
        }
        if (c->closed) {
            r = MIOU_ECONNABORTED;
            break;
        }
        if (c->shut_wr) {
            r = MIOU_EPIPE;
            break;
        }
        if (!c->pcb) {
            r = MIOU_ENOTCONN;
            break;
        }
        size_t n = send_room(c->pcb, len - done);
        err_t e = ERR_MEM;
        if (n > 0) {
            u8_t more = done + n < len ? TCP_WRITE_FLAG_MORE : 0;
            e = tcp_write(c->pcb, (const char *)buf + done, (u16_t)n,
                          TCP_WRITE_FLAG_COPY | more);
        }
        if (e == ERR_OK) {
            done += n;
            continue;
        }
        if (e != ERR_MEM) {
            r = miou_tcpip__error(e);
            break;
        }
        /* Full: send what is queued and wait for acknowledgements. */
        tcp_output(c->pcb);
        leave(c->s);
        int rc = miou_tcpip__wait(&c->lock, &c->cond, deadline);
        if (rc) {
            r = rc;
            break;
        }
    }
    if (c->pcb && done > 0) {
        tcp_output(c->pcb);
        leave(c->s);
    }
    conn_release(c);
    return r ? r : (long)len;
}

/* 0 when (c) has a connection to act on, else why not: MIOU_EINVAL (no
 * object, or closed), its error (reset, aborted), or MIOU_ENOTCONN. */
static int connected_or_error(const miou_tcp *c)
{
    if (!c || c->closed)
        return MIOU_EINVAL;
    if (c->err)
        return c->err;
    if (!c->pcb)
        return MIOU_ENOTCONN;
    return 0;
}

int miou_tcp_set_nodelay(miou_tcp *c, int on)
{
    int rc = connected_or_error(c);
    if (rc)
        return rc;
    if (on)
        tcp_nagle_disable(c->pcb);
    else
        tcp_nagle_enable(c->pcb);
    return 0;
}

int miou_tcp_shutdown(miou_tcp *c)
{
    int rc = connected_or_error(c);
    if (rc)
        return rc;
    if (c->shut_wr)
        return 0;
    rc = miou_tcpip__error(tcp_shutdown(c->pcb, 0, 1));
    if (rc == 0)
        c->shut_wr = 1;
    leave(c->s);
    return rc;
}

/* Close or abort, then free once no task is inside a call on it. */
static int conn_end(struct miou_tcp *c, int abort)
{
    if (!c || c->closed)
        return MIOU_EINVAL;
    struct tcp_pcb *pcb = detach(c);
    int rc = 0;
    if (pcb && (abort || tcp_close(pcb) != ERR_OK))
        tcp_abort(pcb); /* close can only fail for want of memory */
    if (c->rx) {
        pbuf_free(c->rx);
        c->rx = c->rx_tail = NULL;
    }
    leave(c->s);
    conn_unlink(c);
    c->closed = 1;
    wake(c);
    if (c->users == 0)
        free(c);
    return rc;
}

int miou_tcp_close(miou_tcp *c)
{
    return conn_end(c, 0);
}

int miou_tcp_abort(miou_tcp *c)
{
    return conn_end(c, 1);
}

int miou_tcp_peer(const miou_tcp *c, miou_ipaddr *addr, uint16_t *port)
{
    if (!c || c->closed)
        return MIOU_EINVAL;
    if (addr)
        *addr = c->peer_addr;
    if (port)
        *port = c->peer_port;
    return 0;
}

int miou_tcp_local(const miou_tcp *c, miou_ipaddr *addr, uint16_t *port)
{
    if (!c || c->closed)
        return MIOU_EINVAL;
    if (addr)
        *addr = c->local_addr;
    if (port)
        *port = c->local_port;
    return 0;
}

/* ---- Listeners --------------------------------------------------------------
 */

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct miou_tcp_listener *l = arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    struct miou_tcp *c = NULL;
    if (l->queued >= l->backlog || !(c = conn_new(l->s, pcb))) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    if (l->tail)
        l->tail->qnext = c;
    else
        l->head = c;
    l->tail = c;
    l->queued++;
    miou_cond_broadcast(&l->cond);
    return ERR_OK;
}

int miou_tcp_listen(miou_tcpip *s, uint16_t port, unsigned backlog,
                    miou_tcp_listener **listener)
{
    if (!s || s->closed || !listener || backlog == 0)
        return MIOU_EINVAL;
    struct miou_tcp_listener *l = calloc(1, sizeof(*l));
    /* Both families: IPv4 and IPv6 connections alike. */
    struct tcp_pcb *pcb = l ? tcp_new_ip_type(IPADDR_TYPE_ANY) : NULL;
    if (!pcb) {
        free(l);
        return MIOU_ENOMEM;
    }
    ip_set_option(pcb, SOF_REUSEADDR);
    err_t e = tcp_bind(pcb, IP_ANY_TYPE, port);
    if (e != ERR_OK) {
        tcp_close(pcb);
        free(l);
        return e == ERR_USE ? MIOU_EADDRINUSE : miou_tcpip__error(e);
    }
    /* With SO_REUSEADDR the bind succeeds even where another listens:
     * the listen is what fails then. */
    struct tcp_pcb *lpcb = tcp_listen_with_backlog_and_err(pcb, 255, &e);
    if (!lpcb) {
        tcp_close(pcb);
        free(l);
        return e == ERR_USE ? MIOU_EADDRINUSE : miou_tcpip__error(e);
    }
    miou_mutex_init(&l->lock);
    miou_cond_init(&l->cond);
    l->s = s;
    l->pcb = lpcb;
    l->backlog = backlog;
    l->port = lpcb->local_port;
    tcp_arg(lpcb, l);
    tcp_accept(lpcb, on_accept);
    tcpip_list_add(&s->listeners, &l->node);
    *listener = l;
    return 0;
}

uint16_t miou_tcp_listener_port(const miou_tcp_listener *l)
{
    return l ? l->port : 0;
}

int miou_tcp_accept(miou_tcp_listener *l, uint64_t deadline, miou_tcp **conn)
{
    if (!l || l->closed || !conn)
        return MIOU_EINVAL;
    int rc = 0;
    l->users++;
    for (;;) {
        if (l->head) {
            struct miou_tcp *c = l->head;
            l->head = c->qnext;
            if (!l->head)
                l->tail = NULL;
            c->qnext = NULL;
            l->queued--;
            *conn = c;
            break;
        }
        if (l->closed || l->err) {
            rc = l->err ? l->err : MIOU_ECONNABORTED;
            break;
        }
        if ((rc = miou_tcpip__wait(&l->lock, &l->cond, deadline)))
            break;
    }
    if (--l->users == 0 && l->closed)
        free(l);
    return rc;
}

/* Stop listening and reset what waits in the queue; the object stays. */
static void listener_stop(struct miou_tcp_listener *l, int err)
{
    if (l->pcb) {
        tcp_arg(l->pcb, NULL);
        tcp_accept(l->pcb, NULL);
        tcp_close(l->pcb); /* never fails for a listening pcb */
        l->pcb = NULL;
    }
    while (l->head) {
        struct miou_tcp *c = l->head;
        l->head = c->qnext;
        conn_discard(c);
    }
    l->tail = NULL;
    l->queued = 0;
    if (!l->err)
        l->err = err;
    miou_cond_broadcast(&l->cond);
}

static void listener_unlink(struct miou_tcp_listener *l)
{
    if (l->s)
        tcpip_list_remove(&l->s->listeners, &l->node);
}

int miou_tcp_listener_close(miou_tcp_listener *l)
{
    if (!l || l->closed)
        return MIOU_EINVAL;
    listener_stop(l, MIOU_ECONNABORTED);
    leave(l->s);
    listener_unlink(l);
    l->closed = 1;
    if (l->users == 0)
        free(l);
    return 0;
}

void miou_tcpip__tcp_abort_all(struct miou_tcpip *s)
{
    while (s->listeners) {
        struct miou_tcp_listener *l = (struct miou_tcp_listener *)s->listeners;
        listener_stop(l, MIOU_ECONNABORTED);
        listener_unlink(l);
        l->s = NULL;
    }
    while (s->conns) {
        struct miou_tcp *c = (struct miou_tcp *)s->conns;
        conn_kill(c, MIOU_ECONNABORTED);
        conn_unlink(c);
        c->s = NULL;
    }
}
