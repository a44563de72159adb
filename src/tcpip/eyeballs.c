/*
 * eyeballs.c - miou_tcp_connect_name(): RFC 8305's Happy Eyeballs.
 *
 * The name's AAAA and A records are asked at once; once one family has
 * answered with addresses, the other gets RESOLUTION_DELAY more. The
 * addresses are tried IPv6 first, the two families taking turns (a family
 * the interface has no address of goes last: it could only fail). Each
 * attempt is a child task doing miou_tcp_connect(); a new one starts
 * ATTEMPT_DELAY after the last while none has connected, or at once when
 * one fails. The first to connect wins; the others are cancelled (their
 * connects abort and free what they made), and one that connected too
 * is closed by a reset. Everything lives on the caller's stack and in
 * its children, all awaited before it returns.
 */
#include <string.h>

#include "internal.h"

#define MS 1000000ull
#define RESOLUTION_DELAY (50 * MS)
#define ATTEMPT_DELAY (250 * MS)
/* Addresses tried, at most. */
#define CANDIDATES 16
#define ATTEMPT_STACK (32u * 1024u)

struct race {
    miou_tcpip *s;
    uint16_t port;
    uint64_t deadline;
    miou_mutex lock;
    miou_cond cond;  /* an attempt ended */
    unsigned failed; /* attempts that ended without a connection */
};

struct attempt {
    struct race *race;
    miou_ipaddr addr;
    miou_task *task;
    miou_tcp *conn;
    int rc; /* 1 while it runs */
};

static void *attempt_main(void *arg)
{
    struct attempt *a = arg;
    a->rc = miou_tcp_connect(a->race->s, &a->addr, a->race->port,
                             a->race->deadline, &a->conn);
    if (a->rc != 0)
        a->race->failed++;
    miou_cond_broadcast(&a->race->cond);
    return NULL;
}

/* Whether the interface has an address of (a)'s family. */
static int can_reach(const miou_ipaddr *a, const miou_ipaddr *own, int nown)
{
    for (int i = 0; i < nown; i++)
        if (own[i].family == a->family)
            return 1;
    return 0;
}

/* RFC 8305 4: (in), IPv6 first, as (out), the families taking turns,
 * those the interface cannot send from last. */
static size_t order(const miou_tcpip *s, const miou_ipaddr *in, size_t n,
                    miou_ipaddr *out)
{
    miou_ipaddr own[8];
    int nown = miou_tcpip_addresses(s, own, 8);
    size_t k = 0, next[2] = {0, 0};
    if (nown > 8)
        nown = 8;
    for (int reachable = 1; reachable >= 0; reachable--) {
        int turn = 0; /* 0: IPv6, 1: IPv4 */
        for (;;) {
            size_t *i = &next[turn];
            while (*i < n &&
                   (in[*i].family != (turn ? MIOU_IP_V4 : MIOU_IP_V6) ||
                    can_reach(&in[*i], own, nown) != reachable))
                (*i)++;
            if (*i < n) {
                out[k++] = in[(*i)++];
            } else if (next[!turn] >= n) {
                break;
            }
            turn = !turn;
        }
        next[0] = next[1] = 0;
    }
    return k;
}

/* Start the attempt (a) on (addr): 0, or the spawn's error. */
static int start(struct race *r, struct attempt *a, const miou_ipaddr *addr)
{
    struct miou_task_options opts = {ATTEMPT_STACK, "tcp-connect-name"};
    a->race = r;
    a->addr = *addr;
    a->conn = NULL;
    a->rc = 1;
    return miou_async_with(&a->task, &opts, attempt_main, a);
}

/* Run the attempts until one connects: its index, or -1 with (*err) the
 * reason none did. */
static int race_run(struct race *r, struct attempt *at, unsigned *started,
                    const miou_ipaddr *cand, size_t n, int *err)
{
    uint64_t next_start = 0;
    unsigned failed_at_start = 0;
    for (;;) {
        for (unsigned i = 0; i < *started; i++)
            if (at[i].rc == 0)
                return (int)i;
        uint64_t now = miou_clock_monotonic();
        if (*started < n &&
            (now >= next_start || r->failed > failed_at_start)) {
            int rc = start(r, &at[*started], &cand[*started]);
            if (rc != 0) {
                *err = rc;
                return -1;
            }
            (*started)++;
            failed_at_start = r->failed;
            next_start = now + ATTEMPT_DELAY;
            continue;
        }
        if (r->failed == n) {
            /* All failed: the last one says why. */
            *err = at[n - 1].rc;
            return -1;
        }
        if (now >= r->deadline) {
            *err = MIOU_ETIMEDOUT;
            return -1;
        }
        uint64_t wake =
            *started < n && next_start < r->deadline ? next_start : r->deadline;
        int rc = miou_tcpip__wait(&r->lock, &r->cond, wake);
        if (rc != 0 && rc != MIOU_ETIMEDOUT) {
            *err = rc;
            return -1;
        }
    }
}

int miou_tcp_connect_name(miou_tcpip *s, const char *name, uint16_t port,
                          uint64_t deadline, miou_tcp **conn)
{
    miou_ipaddr found[CANDIDATES], cand[CANDIDATES];
    struct attempt at[CANDIDATES];
    struct race r;
    unsigned started = 0;
    int err = 0;
    if (!s || !conn || port == 0)
        return MIOU_EINVAL;
    int n = miou_tcpip__dns_lookup(s, name, MIOU_DNS_A | MIOU_DNS_AAAA, found,
                                   CANDIDATES, deadline, RESOLUTION_DELAY);
    if (n < 0)
        return n;
    memset(&r, 0, sizeof r);
    r.s = s;
    r.port = port;
    r.deadline = deadline;
    miou_mutex_init(&r.lock);
    miou_cond_init(&r.cond);
    size_t k = order(s, found, (size_t)n, cand);
    int winner = race_run(&r, at, &started, cand, k, &err);
    /* The others: cancelled (an ended one is just released); one that
     * connected all the same is reset. */
    for (unsigned i = 0; i < started; i++) {
        miou_cancel(at[i].task);
        if ((int)i != winner && at[i].rc == 0)
            miou_tcp_abort(at[i].conn);
    }
    if (winner < 0)
        return miou_cancelled() ? MIOU_ECANCELED : err;
    *conn = at[winner].conn;
    return 0;
}
