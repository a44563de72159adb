/*
 * internal.h - what the files of the TCP/IP layer share (src/tcpip/).
 *
 * The layer sits above the public API (miou.h): it uses tasks, mutexes,
 * conditions, sleep and the net device calls, never the core's insides.
 * lwIP runs without threads: every call into it is made by a task that
 * does not suspend until it is out again, so lwIP never sees two callers
 * at once. lwIP calls back (frames in, connections, data, errors) from
 * inside those calls; the callbacks only queue and signal conditions,
 * which do not suspend. After each call into lwIP, tcpip_leave() wakes
 * the timer task if lwIP now wants a timeout sooner than it sleeps.
 */
#ifndef MIOU_TCPIP_INTERNAL_H
#define MIOU_TCPIP_INTERNAL_H

#include <miou.h>
#include <miou_tcpip.h>

#include "lwip/err.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"

/* What is open on a stack (connections, listeners, UDP sockets), linked
 * through a node that is each object's first member, so that
 * miou_tcpip_close() can abort it all. */
struct tcpip_node {
    struct tcpip_node *next, *prev;
};

static inline void tcpip_list_add(struct tcpip_node **head,
                                  struct tcpip_node *n)
{
    n->prev = NULL;
    n->next = *head;
    if (*head)
        (*head)->prev = n;
    *head = n;
}

static inline void tcpip_list_remove(struct tcpip_node **head,
                                     struct tcpip_node *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        *head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    n->next = n->prev = NULL;
}

struct miou_tcpip {
    struct netif netif;
    netif_ext_callback_t address_changes; /* wakes address_cond */
    uint8_t want_v4, want_v6; /* what miou_tcpip_wait_address() waits for */
    s8_t static6;             /* the static IPv6 address's index, or -1 */
    uint8_t has_gateway6;
    ip6_addr_t gateway6;
    miou_net *net;
    struct miou_net_info info;
    uint8_t *frame; /* one frame's buffer, for input and output */
    miou_task *input_task, *timer_task;
    /* Every wait of the layer holds this mutex; cooperative tasks never
     * contend for it, but miou_cond_wait() wants one. */
    miou_mutex lock;
    miou_cond timer_wake;    /* the timer task sleeps on it */
    uint64_t timer_deadline; /* when the timer task will wake */
    miou_cond address_cond;  /* an address came, changed or went */
    uint64_t address_changes_seen; /* how many times */
    int closed;
    unsigned users; /* tasks in miou_tcpip_wait_address() */
    /* What is open, for miou_tcpip_close() to abort. */
    struct tcpip_node *conns, *listeners, *udps, *lookups;
    /* DNS (dns.c): the servers configured, those of the DHCP lease, the
     * answers kept (allocated at the first one). */
    miou_ipaddr dns_conf[MIOU_DNS_SERVERS], dns_lease[MIOU_DNS_SERVERS];
    struct miou_dns_cache *dns_cache;
    uint64_t frames_in, frames_out, frames_dropped;
    uint64_t timewait_ended; /* connections in TIME-WAIT a client reused */
};

/* The open stack, or NULL: lwIP's state is the process's. */
extern struct miou_tcpip *miou_tcpip__stack;

/* After a call into lwIP: wake the timer task when lwIP wants it sooner. */
void miou_tcpip__leave(struct miou_tcpip *s);

/* A lwIP error as a MIOU_E* code. */
int miou_tcpip__error(err_t err);

/* (a) as lwIP's address (an IPv4-mapped IPv6 address as IPv4): 0, or
 * MIOU_EINVAL for no address. */
int miou_tcpip__to_lwip(const miou_ipaddr *a, ip_addr_t *ip);
/* lwIP's address (ip) as ours. */
void miou_tcpip__from_lwip(const ip_addr_t *ip, miou_ipaddr *a);

/* Wait on (cond) under (lock) until (deadline): 0 when signalled (the
 * caller checks its condition again), MIOU_ETIMEDOUT, MIOU_ECANCELED.
 * Each object has its own lock and condition, and counts the tasks
 * inside its blocking calls ("users"): closing it while they wait only
 * marks it, and the last one out frees it, so that no waiter wakes up
 * to memory already freed. */
int miou_tcpip__wait(miou_mutex *lock, miou_cond *cond, uint64_t deadline);

/* Called by miou_tcpip_close(): abort every TCP and UDP object still
 * open (tcp.c, udp.c), leaving their owners only the freeing. */
void miou_tcpip__tcp_abort_all(struct miou_tcpip *s);
void miou_tcpip__udp_abort_all(struct miou_tcpip *s);
/* Likewise the resolutions under way (their callers get
 * MIOU_ECONNABORTED), and the DNS cache is freed (dns.c). */
void miou_tcpip__dns_abort_all(struct miou_tcpip *s);

/* miou_dns_resolve(), which returns once (delay) has passed since one
 * type was answered with addresses while the other still waits (RFC
 * 8305's resolution delay; UINT64_MAX: wait for both). */
int miou_tcpip__dns_lookup(miou_tcpip *s, const char *name, unsigned types,
                           miou_ipaddr *addrs, size_t max, uint64_t deadline,
                           uint64_t delay);

/* The connection (conn), in TIME-WAIT, lets go of its pcb, which lwIP is
 * about to free: its task reads what is left, then the end, as before
 * (tcp.c; src/tcpip/timewait.c calls it). */
void miou_tcpip__tcp_forget(miou_tcp *conn);

#endif
