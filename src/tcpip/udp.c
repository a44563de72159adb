/*
 * udp.c - UDP sockets over lwIP's raw API: datagrams received are queued
 * (a bounded number; more are dropped, as a full socket buffer drops
 * them) until a task takes them; sending does not suspend.
 */
#include <stdlib.h>
#include <string.h>

#include "lwip/udp.h"

#include "internal.h"

#define UDP_QUEUE_DEFAULT 64
#define UDP_PAYLOAD_MAX 65507u /* 65,535 - IPv4 and UDP headers */
/* A packet buffer counts its bytes in 16 bits, the IPv6 header's among
 * them: 65,535 - 40 - 8 (IPv6 itself would carry 20 more). */
#define UDP6_PAYLOAD_MAX 65487u

struct dgram {
    struct dgram *next;
    struct pbuf *p;
    miou_ipaddr addr;
    uint16_t port;
};

struct miou_udp {
    struct tcpip_node node; /* first: in the stack's list */
    struct miou_tcpip *s;   /* NULL once the stack is closed */
    struct udp_pcb *pcb;
    struct dgram *head, *tail;
    unsigned queued, max;
    miou_mutex lock;
    miou_cond cond;
    int err;
    uint8_t closed;
    unsigned users;
    uint64_t dropped;
};

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
                    const ip_addr_t *addr, u16_t port)
{
    struct miou_udp *u = arg;
    (void)pcb;
    struct dgram *d = NULL;
    if (u->queued >= u->max || !(d = malloc(sizeof(*d)))) {
        u->dropped++;
        pbuf_free(p);
        return;
    }
    d->next = NULL;
    d->p = p;
    miou_tcpip__from_lwip(addr, &d->addr);
    d->port = port;
    if (u->tail)
        u->tail->next = d;
    else
        u->head = d;
    u->tail = d;
    u->queued++;
    miou_cond_broadcast(&u->cond);
}

static void drop_queue(struct miou_udp *u)
{
    while (u->head) {
        struct dgram *d = u->head;
        u->head = d->next;
        pbuf_free(d->p);
        free(d);
    }
    u->tail = NULL;
    u->queued = 0;
}

int miou_udp_bind(miou_tcpip *s, uint16_t port, unsigned queue, miou_udp **udp)
{
    if (!s || s->closed || !udp)
        return MIOU_EINVAL;
    struct miou_udp *u = calloc(1, sizeof(*u));
    /* Both families: datagrams of IPv4 and IPv6 alike. */
    struct udp_pcb *pcb = u ? udp_new_ip_type(IPADDR_TYPE_ANY) : NULL;
    if (!pcb) {
        free(u);
        return MIOU_ENOMEM;
    }
    err_t e = udp_bind(pcb, IP_ANY_TYPE, port);
    if (e != ERR_OK) {
        udp_remove(pcb);
        free(u);
        return e == ERR_USE ? MIOU_EADDRINUSE : miou_tcpip__error(e);
    }
    miou_mutex_init(&u->lock);
    miou_cond_init(&u->cond);
    u->s = s;
    u->pcb = pcb;
    u->max = queue ? queue : UDP_QUEUE_DEFAULT;
    udp_recv(pcb, on_recv, u);
    tcpip_list_add(&s->udps, &u->node);
    *udp = u;
    return 0;
}

int miou_udp_send(miou_udp *u, const miou_ipaddr *addr, uint16_t port,
                  const void *buf, size_t len)
{
    ip_addr_t ip;
    if (!u || u->closed || (!buf && len) || port == 0 ||
        miou_tcpip__to_lwip(addr, &ip) != 0)
        return MIOU_EINVAL;
    if (u->err)
        return u->err;
    if (len > (IP_IS_V6(&ip) ? UDP6_PAYLOAD_MAX : UDP_PAYLOAD_MAX))
        return MIOU_EMSGSIZE;
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
    if (!p)
        return MIOU_ENOMEM;
    if (len)
        pbuf_take(p, buf, (u16_t)len);
    err_t e = udp_sendto(u->pcb, p, &ip, port);
    pbuf_free(p);
    miou_tcpip__leave(u->s);
    return miou_tcpip__error(e);
}

long miou_udp_recv(miou_udp *u, void *buf, size_t len, miou_ipaddr *addr,
                   uint16_t *port, uint64_t deadline)
{
    if (!u || u->closed || (!buf && len))
        return MIOU_EINVAL;
    long r;
    u->users++;
    for (;;) {
        if (u->head) {
            struct dgram *d = u->head;
            u->head = d->next;
            if (!u->head)
                u->tail = NULL;
            u->queued--;
            u16_t n = (u16_t)(len < d->p->tot_len ? len : d->p->tot_len);
            pbuf_copy_partial(d->p, buf, n, 0);
            r = d->p->tot_len;
            if (addr)
                *addr = d->addr;
            if (port)
                *port = d->port;
            pbuf_free(d->p);
            free(d);
            break;
        }
        if (u->closed || u->err) {
            r = u->err ? u->err : MIOU_ECONNABORTED;
            break;
        }
        int rc = miou_tcpip__wait(&u->lock, &u->cond, deadline);
        if (rc) {
            r = rc;
            break;
        }
    }
    if (--u->users == 0 && u->closed)
        free(u);
    return r;
}

/* Let go of the pcb and the queue; the object stays. */
static void udp_stop(struct miou_udp *u, int err)
{
    if (u->pcb) {
        udp_remove(u->pcb);
        u->pcb = NULL;
    }
    drop_queue(u);
    if (!u->err)
        u->err = err;
    miou_cond_broadcast(&u->cond);
}

static void udp_unlink(struct miou_udp *u)
{
    if (u->s)
        tcpip_list_remove(&u->s->udps, &u->node);
}

int miou_udp_close(miou_udp *u)
{
    if (!u || u->closed)
        return MIOU_EINVAL;
    udp_stop(u, MIOU_ECONNABORTED);
    udp_unlink(u);
    u->closed = 1;
    if (u->users == 0)
        free(u);
    return 0;
}

void miou_tcpip__udp_abort_all(struct miou_tcpip *s)
{
    while (s->udps) {
        struct miou_udp *u = (struct miou_udp *)s->udps;
        udp_stop(u, MIOU_ECONNABORTED);
        udp_unlink(u);
        u->s = NULL;
    }
}
