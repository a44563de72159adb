/*
 * dns.c - the resolver: miou_dns_resolve() over UDP, its cache, and the
 * DNS servers of the DHCP lease.
 *
 * Why our own and not lwIP's dns.c: lwIP keeps one address per name and
 * asks A then AAAA one after the other, runs its own retries on its own
 * timer with no per-caller deadline and no way to cancel a request (its
 * callback would come later into a freed caller), and parses inside
 * static functions that a fuzzer cannot reach alone. Here every call has
 * its own queries, on the caller's stack: a UDP pcb bound to a random
 * port, the A and AAAA queries with random IDs, sent again by the caller
 * itself until its deadline; lwIP's receive callback only checks and
 * parses an answer (dns_msg.c) and wakes the caller. A cancelled or
 * timed-out call removes its pcb and leaves nothing.
 *
 * lwIP's DHCP client gives the lease's servers through dns_setserver()
 * (LWIP_DNS is on in lwipopts.h for that alone; lwIP's dns.c is not
 * built, and its dns_init() and dns_tmr() are empty here).
 */
#include <stdlib.h>
#include <string.h>

#include "lwip/dns.h"
#include "lwip/udp.h"

#include "dns_msg.h"
#include "internal.h"

#define MS 1000000ull
#define SECOND 1000000000ull
/* Addresses kept per family and per call, and per cache entry. */
#define LOOKUP_ADDRS 16
#define CACHE_ENTRIES 64
#define CACHE_ADDRS 8
/* The first wait for an answer; it doubles each time every server has
 * been asked, up to the last. */
#define RETRY_FIRST SECOND
#define RETRY_MAX (4 * SECOND)
/* Ports the queries come from, drawn at random. */
#define PORT_FIRST 49152u
#define PORT_SPAN 16384u

/* ---- The servers ------------------------------------------------------ */

void dns_init(void)
{
}

void dns_tmr(void)
{
}

void dns_setserver(u8_t numdns, const ip_addr_t *server)
{
    struct miou_tcpip *s = miou_tcpip__stack;
    if (!s || numdns >= MIOU_DNS_SERVERS)
        return;
    if (server && !ip_addr_isany(server))
        miou_tcpip__from_lwip(server, &s->dns_lease[numdns]);
    else
        memset(&s->dns_lease[numdns], 0, sizeof s->dns_lease[numdns]);
}

/* The servers to ask: those configured, else the lease's. Returns how
 * many were written into (out). */
static unsigned servers_of(const struct miou_tcpip *s, ip_addr_t *out)
{
    const miou_ipaddr *list = s->dns_conf;
    unsigned n = 0;
    if (list[0].family == MIOU_IP_NONE)
        list = s->dns_lease;
    for (unsigned i = 0; i < MIOU_DNS_SERVERS; i++)
        if (list[i].family != MIOU_IP_NONE &&
            miou_tcpip__to_lwip(&list[i], &out[n]) == 0)
            n++;
    return n;
}

/* ---- The cache ------------------------------------------------------------
 */

struct cache_entry {
    uint64_t expires; /* monotonic ns; 0: free */
    uint64_t used;    /* last use, for replacing the oldest */
    uint16_t type;
    uint8_t count;
    char name[DNS_NAME_MAX + 1]; /* lower case, no trailing dot */
    miou_ipaddr addrs[CACHE_ADDRS];
};

struct miou_dns_cache {
    struct cache_entry e[CACHE_ENTRIES];
    uint64_t clock; /* uses, counted */
};

static struct cache_entry *cache_find(struct miou_tcpip *s, const char *name,
                                      uint16_t type, uint64_t now)
{
    if (!s->dns_cache)
        return NULL;
    for (unsigned i = 0; i < CACHE_ENTRIES; i++) {
        struct cache_entry *e = &s->dns_cache->e[i];
        if (e->expires > now && e->type == type && strcmp(e->name, name) == 0) {
            e->used = ++s->dns_cache->clock;
            return e;
        }
    }
    return NULL;
}

/* Keep (n) addresses of (name) and (type) for (ttl) seconds, in a free
 * or expired entry, else in place of the least recently used one. */
static void cache_put(struct miou_tcpip *s, const char *name, uint16_t type,
                      const miou_ipaddr *addrs, unsigned n, uint32_t ttl,
                      uint64_t now)
{
    if (ttl == 0 || n == 0)
        return;
    if (!s->dns_cache && !(s->dns_cache = calloc(1, sizeof *s->dns_cache)))
        return; /* no memory: no cache, the answers stand */
    struct cache_entry *victim = &s->dns_cache->e[0];
    for (unsigned i = 0; i < CACHE_ENTRIES; i++) {
        struct cache_entry *e = &s->dns_cache->e[i];
        if (e->expires <= now || (e->type == type && !strcmp(e->name, name))) {
            victim = e;
            break;
        }
        if (e->used < victim->used)
            victim = e;
    }
    victim->expires = now + (uint64_t)ttl * SECOND;
    victim->used = ++s->dns_cache->clock;
    victim->type = type;
    victim->count = (uint8_t)(n < CACHE_ADDRS ? n : CACHE_ADDRS);
    strcpy(victim->name, name);
    memcpy(victim->addrs, addrs, victim->count * sizeof *addrs);
}

void miou_dns_flush(miou_tcpip *s)
{
    if (s && s->dns_cache)
        memset(s->dns_cache, 0, sizeof *s->dns_cache);
}

/* ---- One call's queries ------------------------------------------------ */

enum { PENDING, ANSWERED, FAILED };

struct query {
    uint16_t type, id;
    int state;
    enum dns_result result;
    unsigned tries;     /* sends so far */
    unsigned asked;     /* servers sent to, a bit each */
    unsigned failed;    /* servers that answered SERVFAIL, a bit each */
    uint64_t next_send; /* when to send again */
    uint64_t done_at;   /* when it was answered */
    int cached;         /* answered from the cache */
    unsigned count;     /* addresses in (addrs) */
    uint32_t ttl;
    miou_ipaddr addrs[LOOKUP_ADDRS];
};

struct lookup {
    struct tcpip_node node; /* first: in the stack's list */
    struct miou_tcpip *s;
    struct udp_pcb *pcb; /* NULL once the stack is closed */
    const char *name;    /* lower case, no trailing dot */
    struct query q[2];
    unsigned nq;
    ip_addr_t servers[MIOU_DNS_SERVERS];
    unsigned nservers;
    miou_mutex lock;
    miou_cond cond;
};

/* Whether (addr) is the server (i) of (lk). */
static int server_is(const struct lookup *lk, unsigned i, const ip_addr_t *addr)
{
    miou_ipaddr a, b;
    miou_tcpip__from_lwip(&lk->servers[i], &a);
    miou_tcpip__from_lwip(addr, &b);
    return miou_ipaddr_equal(&a, &b);
}

/* lwIP's receive callback: an answer, checked, wakes its caller. */
static void on_answer(void *arg, struct udp_pcb *pcb, struct pbuf *p,
                      const ip_addr_t *addr, u16_t port)
{
    struct lookup *lk = arg;
    uint8_t msg[DNS_ANSWER_MAX], raw[LOOKUP_ADDRS][16];
    (void)pcb;
    u16_t n = p->tot_len;
    if (port != DNS_PORT || n < 2 || n > sizeof msg) {
        pbuf_free(p);
        return;
    }
    pbuf_copy_partial(p, msg, n, 0);
    pbuf_free(p);
    uint16_t id = (uint16_t)(msg[0] << 8 | msg[1]);
    for (unsigned i = 0; i < lk->nq; i++) {
        struct query *q = &lk->q[i];
        struct dns_answer a;
        unsigned from = 0;
        while (from < lk->nservers && !server_is(lk, from, addr))
            from++;
        /* Ours: pending, its ID, from a server it asked, well formed. */
        if (q->state != PENDING || q->id != id || from == lk->nservers ||
            !(q->asked & 1u << from) ||
            dns_answer_parse(msg, n, id, lk->name, q->type, raw, LOOKUP_ADDRS,
                             &a) != 0)
            continue;
        if (a.result == DNS_SERVFAIL) {
            q->failed |= 1u << from;
            if (q->failed == (1u << lk->nservers) - 1)
                q->state = FAILED;
            else
                q->next_send = 0; /* the next server, at once */
        } else {
            q->state = ANSWERED;
            q->result = a.result;
            q->ttl = a.ttl;
            q->done_at = miou_clock_monotonic();
            for (q->count = 0; q->count < a.count; q->count++) {
                miou_ipaddr *m = &q->addrs[q->count];
                memset(m, 0, sizeof *m);
                m->family = q->type == DNS_TYPE_A ? MIOU_IP_V4 : MIOU_IP_V6;
                memcpy(m->bytes, raw[q->count], sizeof m->bytes);
            }
        }
        miou_cond_broadcast(&lk->cond);
        return;
    }
}

static uint16_t random16(void)
{
    return (uint16_t)(miou_tcpip__random() >> 8);
}

/* A UDP pcb on a random port for (lk)'s queries: 0, or MIOU_ENOMEM. */
static int open_pcb(struct lookup *lk)
{
    lk->pcb = udp_new_ip_type(IPADDR_TYPE_ANY);
    if (!lk->pcb)
        return MIOU_ENOMEM;
    err_t e = ERR_USE;
    for (int i = 0; i < 8 && e == ERR_USE; i++)
        e = udp_bind(lk->pcb, IP_ANY_TYPE,
                     (u16_t)(PORT_FIRST + random16() % PORT_SPAN));
    if (e != ERR_OK && udp_bind(lk->pcb, IP_ANY_TYPE, 0) != ERR_OK) {
        udp_remove(lk->pcb);
        lk->pcb = NULL;
        return MIOU_ENOMEM;
    }
    udp_recv(lk->pcb, on_answer, lk);
    return 0;
}

/* Send (q) to its next server, and say when to send it again. */
static void send_query(struct lookup *lk, struct query *q, uint64_t now)
{
    uint8_t buf[DNS_QUERY_MAX];
    unsigned server = q->tries % lk->nservers;
    /* Skip the servers that failed; one is left, or (q) would be done. */
    while (q->failed & 1u << server)
        server = (server + 1) % lk->nservers;
    unsigned round = q->tries / lk->nservers;
    uint64_t wait = round >= 2 ? RETRY_MAX : RETRY_FIRST << round;
    q->tries++;
    q->next_send = now + wait;
    size_t n = dns_query_build(buf, sizeof buf, q->id, lk->name, q->type);
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_RAM);
    if (!p)
        return; /* tried again at next_send */
    pbuf_take(p, buf, (u16_t)n);
    err_t e = udp_sendto(lk->pcb, p, &lk->servers[server], DNS_PORT);
    pbuf_free(p);
    miou_tcpip__leave(lk->s);
    q->asked |= 1u << server;
    if (e == ERR_RTE) {
        /* No route, or no address of that family: it cannot answer. */
        q->failed |= 1u << server;
        if (q->failed == (1u << lk->nservers) - 1)
            q->state = FAILED;
        else
            q->next_send = now;
    }
}

/* Whether the call is over: every query done, or (delay) passed since a
 * query answered with addresses while another still waits. */
static int lookup_over(const struct lookup *lk, uint64_t now, uint64_t delay,
                       uint64_t *wake)
{
    int pending = 0;
    uint64_t first = UINT64_MAX;
    for (unsigned i = 0; i < lk->nq; i++) {
        const struct query *q = &lk->q[i];
        if (q->state == PENDING) {
            pending = 1;
            if (q->next_send < *wake)
                *wake = q->next_send;
        } else if (q->state == ANSWERED && q->count > 0 && q->done_at < first) {
            first = q->done_at;
        }
    }
    if (!pending)
        return 1;
    if (first == UINT64_MAX || delay == UINT64_MAX)
        return 0;
    if (now >= first + delay)
        return 1;
    if (first + delay < *wake)
        *wake = first + delay;
    return 0;
}

/* Send, and wait for the answers: 0 when the call is over, else
 * MIOU_ETIMEDOUT, MIOU_ECANCELED or MIOU_ECONNABORTED. */
static int run_queries(struct lookup *lk, uint64_t deadline, uint64_t delay)
{
    for (;;) {
        uint64_t now = miou_clock_monotonic(), wake = deadline;
        if (!lk->pcb)
            return MIOU_ECONNABORTED; /* the stack was closed */
        for (unsigned i = 0; i < lk->nq; i++)
            if (lk->q[i].state == PENDING && lk->q[i].next_send <= now)
                send_query(lk, &lk->q[i], now);
        if (lookup_over(lk, now, delay, &wake))
            return 0;
        if (now >= deadline)
            return MIOU_ETIMEDOUT;
        int rc = miou_tcpip__wait(&lk->lock, &lk->cond, wake);
        if (rc != 0 && rc != MIOU_ETIMEDOUT)
            return rc;
    }
}

/* What the queries found: the addresses, IPv6 first, into (addrs); the
 * count, or the error that explains none. (rc) is the wait's: a cancelled
 * call, or one whose stack was closed, returns it whatever was found. */
static int gather(struct lookup *lk, miou_ipaddr *addrs, size_t max, int rc)
{
    size_t n = 0;
    if (rc == MIOU_ECANCELED || rc == MIOU_ECONNABORTED)
        return rc;
    int failed = 0, unknown = 0;
    for (unsigned pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < lk->nq; i++) {
            struct query *q = &lk->q[i];
            if ((q->type == DNS_TYPE_AAAA) != (pass == 0))
                continue;
            for (unsigned k = 0; k < q->count && n < max; k++)
                addrs[n++] = q->addrs[k];
            failed |= q->state == FAILED;
            unknown |= q->state == PENDING;
        }
    if (n > 0)
        return (int)n;
    if (rc != 0)
        return rc;
    return unknown ? MIOU_ETIMEDOUT : failed ? MIOU_EDNSFAIL : MIOU_ENOTFOUND;
}

/* (name) lower-cased, without its trailing dot, into (out): 0, or
 * MIOU_EINVAL when it is not a name. */
static int normalise(const char *name, char *out)
{
    size_t n = dns_name_ok(name);
    if (!n)
        return MIOU_EINVAL;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a'
                                                         : name[i]);
    out[n] = '\0';
    return 0;
}

/* (name) as an address, when it is one of the types asked: 1, 0 (not an
 * address), or MIOU_ENOTFOUND (an address of another family). */
static int numeric(const char *name, unsigned types, miou_ipaddr *out)
{
    miou_ipaddr a;
    if (miou_ipaddr_parse(name, &a) != 0)
        return 0;
    if (!(types & (a.family == MIOU_IP_V4 ? MIOU_DNS_A : MIOU_DNS_AAAA)))
        return MIOU_ENOTFOUND;
    *out = a;
    return 1;
}

int miou_tcpip__dns_lookup(miou_tcpip *s, const char *name, unsigned types,
                           miou_ipaddr *addrs, size_t max, uint64_t deadline,
                           uint64_t delay)
{
    static const uint16_t order[2] = {DNS_TYPE_AAAA, DNS_TYPE_A};
    char norm[DNS_NAME_MAX + 1];
    struct lookup lk;
    if (!s || s->closed || !name || !addrs || max == 0 || types == 0 ||
        (types & ~(MIOU_DNS_A | MIOU_DNS_AAAA)))
        return MIOU_EINVAL;
    int rc = numeric(name, types, addrs);
    if (rc != 0)
        return rc;
    if ((rc = normalise(name, norm)) != 0)
        return rc;
    if (miou_cancelled())
        return MIOU_ECANCELED;
    memset(&lk, 0, sizeof lk);
    lk.s = s;
    lk.name = norm;
    uint64_t now = miou_clock_monotonic();
    for (unsigned i = 0; i < 2; i++) {
        unsigned bit = order[i] == DNS_TYPE_A ? MIOU_DNS_A : MIOU_DNS_AAAA;
        if (!(types & bit))
            continue;
        struct query *q = &lk.q[lk.nq++];
        q->type = order[i];
        struct cache_entry *e = cache_find(s, norm, q->type, now);
        if (e) {
            q->state = ANSWERED;
            q->cached = 1;
            q->result = DNS_ADDRESSES;
            q->count = e->count;
            q->done_at = now;
            memcpy(q->addrs, e->addrs, e->count * sizeof *e->addrs);
        } else {
            q->id = random16();
        }
    }
    uint64_t unused = UINT64_MAX;
    if (lookup_over(&lk, now, UINT64_MAX, &unused))
        return gather(&lk, addrs, max, 0); /* all from the cache */
    if ((lk.nservers = servers_of(s, lk.servers)) == 0)
        return MIOU_ENOSERVER;
    miou_mutex_init(&lk.lock);
    miou_cond_init(&lk.cond);
    if ((rc = open_pcb(&lk)) != 0)
        return rc;
    tcpip_list_add(&s->lookups, &lk.node);
    s->users++;
    rc = run_queries(&lk, deadline, delay);
    if (lk.pcb) {
        udp_remove(lk.pcb);
        tcpip_list_remove(&s->lookups, &lk.node);
    }
    now = miou_clock_monotonic();
    /* Kept, unless the stack was closed meanwhile (its cache is gone). */
    for (unsigned i = 0; i < lk.nq && !s->closed; i++)
        if (lk.q[i].state == ANSWERED && !lk.q[i].cached)
            cache_put(s, norm, lk.q[i].type, lk.q[i].addrs, lk.q[i].count,
                      lk.q[i].ttl, now);
    rc = gather(&lk, addrs, max, rc == MIOU_ETIMEDOUT ? 0 : rc);
    if (--s->users == 0 && s->closed)
        free(s);
    return rc;
}

int miou_dns_resolve(miou_tcpip *s, const char *name, unsigned types,
                     miou_ipaddr *addrs, size_t max, uint64_t deadline)
{
    return miou_tcpip__dns_lookup(s, name, types, addrs, max, deadline,
                                  UINT64_MAX);
}

void miou_tcpip__dns_abort_all(struct miou_tcpip *s)
{
    while (s->lookups) {
        struct lookup *lk = (struct lookup *)s->lookups;
        udp_remove(lk->pcb);
        lk->pcb = NULL;
        tcpip_list_remove(&s->lookups, &lk->node);
        miou_cond_broadcast(&lk->cond);
    }
    free(s->dns_cache);
    s->dns_cache = NULL;
}
