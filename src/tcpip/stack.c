/*
 * stack.c - the stack over one net device: lwIP's interface (netif), the
 * input task that reads frames and hands them to lwIP, the timer task
 * that runs lwIP's timeouts when they are due, and the output of frames
 * through the atomic miou_net_write().
 *
 * The timer task sleeps until lwIP's next timeout. lwIP adds timeouts
 * from inside any call (a segment to retransmit, an ARP entry to age), so
 * after each call into lwIP miou_tcpip__leave() compares lwIP's next
 * timeout with the one the task sleeps until and wakes it when sooner:
 * nothing polls at a fixed period.
 */
#include <stdlib.h>
#include <string.h>

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/init.h"
#include "lwip/ip4_frag.h"
#include "lwip/ip4_addr.h"
#include "lwip/ip6_frag.h"
#include "lwip/mld6.h"
#include "lwip/nd6.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/priv/memp_priv.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include "filter.h"
#include "internal.h"
#include "miou_hooks.h"

#define MS 1000000ull

struct miou_tcpip *miou_tcpip__stack;

/* When lwIP's next timeout is due, in ns of the monotonic clock;
 * UINT64_MAX when it has none. */
static uint64_t next_timeout(void)
{
    u32_t ms = sys_timeouts_sleeptime();
    if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
        return UINT64_MAX;
    /* sys_timeouts_sleeptime() counts from sys_now(), whole ms. */
    return (miou_clock_recent() / MS + ms) * MS;
}

void miou_tcpip__leave(struct miou_tcpip *s)
{
    /* Packets the stack sent itself: delivered now, by the caller. */
    if (s->netif.loop_first)
        netif_poll(&s->netif);
    uint64_t when = next_timeout();
    if (when < s->timer_deadline) {
        s->timer_deadline = when;
        miou_cond_signal(&s->timer_wake);
    }
}

int miou_tcpip__wait(miou_mutex *lock, miou_cond *cond, uint64_t deadline)
{
    int rc = miou_mutex_lock(lock);
    if (rc != 0)
        return rc;
    rc = miou_cond_wait_until(cond, lock, deadline);
    miou_mutex_unlock(lock);
    return rc;
}

/* ---- Frames ----------------------------------------------------------- */

static err_t link_output(struct netif *netif, struct pbuf *p)
{
    struct miou_tcpip *s = netif->state;
    size_t max = s->info.mtu + MIOU_NET_HLEN;
    if (p->tot_len > max) {
        s->frames_dropped++;
        return ERR_IF;
    }
    u16_t n = pbuf_copy_partial(p, s->frame + max, p->tot_len, 0);
    if (miou_net_write(s->net, s->frame + max, n) != 0) {
        s->frames_dropped++;
        LINK_STATS_INC(link.drop);
        return ERR_IF;
    }
    s->frames_out++;
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

static void *input_main(void *arg)
{
    struct miou_tcpip *s = arg;
    size_t max = s->info.mtu + MIOU_NET_HLEN;
    for (;;) {
        long n = miou_net_read(s->net, s->frame, max);
        if (n == MIOU_ECANCELED)
            break;
        if (n <= 0)
            continue;
        if (!miou_tcpip__frame_admissible(s->frame, (size_t)n, &s->netif)) {
            s->frames_dropped++;
            continue;
        }
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_POOL);
        if (!p) {
            s->frames_dropped++;
            continue;
        }
        pbuf_take(p, s->frame, (u16_t)n);
        s->frames_in++;
        if (s->netif.input(p, &s->netif) != ERR_OK)
            pbuf_free(p);
        miou_tcpip__leave(s);
    }
    return NULL;
}

static void *timer_main(void *arg)
{
    struct miou_tcpip *s = arg;
    if (miou_mutex_lock(&s->lock) != 0)
        return NULL;
    for (;;) {
        sys_check_timeouts();
        if (s->netif.loop_first)
            netif_poll(&s->netif);
        s->timer_deadline = next_timeout();
        if (miou_cond_wait_until(&s->timer_wake, &s->lock, s->timer_deadline) ==
            MIOU_ECANCELED)
            break;
    }
    miou_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- The interface ------------------------------------------------------ */

/* Any change of the interface's addresses (DHCP bound one, an IPv6 one
 * left its tentative state, a router gave one): the waiters look again. */
static void addresses_changed(struct netif *netif, netif_nsc_reason_t reason,
                              const netif_ext_callback_args_t *args)
{
    (void)reason;
    (void)args;
    struct miou_tcpip *s = netif->state;
    if (s == miou_tcpip__stack) {
        s->address_changes_seen++;
        miou_cond_broadcast(&s->address_cond);
    }
}

/* Whether the interface has what its configuration asks for. */
static int addresses_ready(const struct miou_tcpip *s)
{
    const struct netif *n = &s->netif;
    if (!s->want_v4 && !s->want_v6)
        return 0;
    if (s->want_v4 && ip4_addr_isany_val(*netif_ip4_addr(n)))
        return 0;
    /* IPv6: the static address when there is one (usable at once), else
     * the link-local one. */
    return !s->want_v6 || ip6_addr_isvalid(netif_ip6_addr_state(
                              n, s->static6 >= 0 ? s->static6 : 0));
}

const struct ip6_addr *miou_tcpip__nd6_gateway(struct netif *netif,
                                               const struct ip6_addr *dest)
{
    struct miou_tcpip *s = netif->state;
    (void)dest;
    if (s != miou_tcpip__stack || !s->has_gateway6)
        return NULL;
    return &s->gateway6;
}

static err_t netif_setup(struct netif *netif)
{
    struct miou_tcpip *s = netif->state;
    netif->name[0] = 'm';
    netif->name[1] = 'i';
    netif->output = etharp_output;
    netif->output_ip6 = ethip6_output;
    netif->linkoutput = link_output;
    netif->mtu = (u16_t)s->info.mtu;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, s->info.mac, ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
                   NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP | NETIF_FLAG_MLD6;
    return ERR_OK;
}

/* A netmask is a run of ones then zeros. */
static int netmask_ok(uint32_t m)
{
    return (m | (m - 1)) == UINT32_MAX || m == 0;
}

static void set_ip4(ip4_addr_t *a, uint32_t host_order)
{
    ip4_addr_set_u32(a, lwip_htonl(host_order));
}

/* IPv6 on the interface, as (c) asks: a link-local address (duplicate
 * address detection first), SLAAC, the static address (at once), the
 * gateway. */
static int start_ipv6(struct miou_tcpip *s, const struct miou_tcpip_config *c)
{
    s->static6 = -1;
    if (!s->want_v6)
        return 0;
    netif_create_ip6_linklocal_address(&s->netif, 1);
    netif_set_ip6_autoconfig_enabled(&s->netif, 1);
    if (c->address6.family == MIOU_IP_V6) {
        ip_addr_t a;
        miou_tcpip__to_lwip(&c->address6, &a);
        if (netif_add_ip6_address(&s->netif, ip_2_ip6(&a), &s->static6) !=
            ERR_OK)
            return MIOU_ENOMEM;
        /* Chosen by whoever configured it: no duplicate address
         * detection, as Linux's "nodad"; it is used at once. */
        netif_ip6_addr_set_state(&s->netif, s->static6, IP6_ADDR_PREFERRED);
    }
    if (c->gateway6.family == MIOU_IP_V6) {
        ip_addr_t a;
        miou_tcpip__to_lwip(&c->gateway6, &a);
        ip6_addr_copy(s->gateway6, *ip_2_ip6(&a));
        s->has_gateway6 = 1;
    }
    return 0;
}

/* A configuration that makes sense: a device, a netmask that is a
 * prefix, IPv6 addresses that are IPv6 (a static one neither multicast
 * nor unspecified), DNS servers that are addresses or none. */
static int config_ok(const struct miou_tcpip_config *c)
{
    if (!c->device || (!c->dhcp && !netmask_ok(c->netmask)))
        return 0;
    if (c->address6.family != MIOU_IP_NONE &&
        (c->address6.family != MIOU_IP_V6 || c->address6.bytes[0] == 0xff ||
         c->address6.bytes[0] == 0))
        return 0;
    if (c->gateway6.family != MIOU_IP_NONE && c->gateway6.family != MIOU_IP_V6)
        return 0;
    for (int i = 0; i < MIOU_DNS_SERVERS; i++)
        if (c->dns[i].family != MIOU_IP_NONE &&
            c->dns[i].family != MIOU_IP_V4 && c->dns[i].family != MIOU_IP_V6)
            return 0;
    return 1;
}

static int start_tasks(struct miou_tcpip *s)
{
    struct miou_task_options opts = {0, "tcpip-input"};
    int rc = miou_async_with(&s->input_task, &opts, input_main, s);
    if (rc != 0)
        return rc;
    opts.name = "tcpip-timers";
    rc = miou_async_with(&s->timer_task, &opts, timer_main, s);
    if (rc != 0) {
        miou_cancel(s->input_task);
        s->input_task = NULL;
    }
    return rc;
}

int miou_tcpip_open(const struct miou_tcpip_config *c, miou_tcpip **stack)
{
    static int lwip_ready;
    if (!c || !stack || !config_ok(c))
        return MIOU_EINVAL;
    if (miou_tcpip__stack)
        return MIOU_EBUSY;
    struct miou_tcpip *s = calloc(1, sizeof(*s));
    if (!s)
        return MIOU_ENOMEM;
    int rc = miou_net_acquire(c->device, &s->net, &s->info);
    if (rc == 0 && !(s->frame = malloc(2 * (s->info.mtu + MIOU_NET_HLEN))))
        rc = MIOU_ENOMEM;
    if (rc != 0) {
        free(s);
        return rc;
    }
    miou_mutex_init(&s->lock);
    miou_cond_init(&s->timer_wake);
    miou_cond_init(&s->address_cond);
    s->timer_deadline = UINT64_MAX;
    /* lwIP's state lives as long as the process: initialised once. */
    if (!lwip_ready) {
        lwip_init();
        lwip_ready = 1;
    }
    ip4_addr_t addr, mask, gw;
    set_ip4(&addr, c->dhcp ? 0 : c->address);
    set_ip4(&mask, c->dhcp ? 0 : c->netmask);
    set_ip4(&gw, c->dhcp ? 0 : c->gateway);
    if (!netif_add(&s->netif, &addr, &mask, &gw, s, netif_setup,
                   ethernet_input)) {
        free(s->frame);
        free(s);
        return MIOU_ENOMEM;
    }
    memcpy(s->dns_conf, c->dns, sizeof s->dns_conf);
    s->want_v4 = c->dhcp || c->address != 0;
    s->want_v6 = c->ipv6 || c->address6.family == MIOU_IP_V6;
    netif_add_ext_callback(&s->address_changes, addresses_changed);
    netif_set_default(&s->netif);
    netif_set_up(&s->netif);
    miou_tcpip__stack = s;
    rc = start_ipv6(s, c);
    if (rc == 0)
        rc = start_tasks(s);
    if (rc == 0 && c->dhcp)
        rc = miou_tcpip__error(dhcp_start(&s->netif));
    if (rc != 0) {
        miou_tcpip_close(s);
        return rc;
    }
    miou_tcpip__leave(s);
    *stack = s;
    return 0;
}

/* Whether an address change came after the (seen)th. */
static int changed_since(const struct miou_tcpip *s, uint64_t seen)
{
    return s->address_changes_seen != seen;
}

static int ready(const struct miou_tcpip *s, uint64_t unused)
{
    (void)unused;
    return addresses_ready(s);
}

/* Wait for address changes until (done)(s, arg): 0, MIOU_ECONNABORTED
 * once the stack is closed, or the wait's error. The last waiter out of
 * a closed stack frees it. */
static int wait_addresses(struct miou_tcpip *s,
                          int (*done)(const struct miou_tcpip *, uint64_t),
                          uint64_t arg, uint64_t deadline)
{
    if (!s || s->closed)
        return MIOU_EINVAL;
    int rc = 0;
    s->users++;
    while (!s->closed && !done(s, arg))
        if ((rc = miou_tcpip__wait(&s->lock, &s->address_cond, deadline)))
            break;
    if (rc == 0 && s->closed)
        rc = MIOU_ECONNABORTED;
    if (--s->users == 0 && s->closed)
        free(s);
    return rc;
}

int miou_tcpip_wait_address(miou_tcpip *s, uint64_t deadline)
{
    return wait_addresses(s, ready, 0, deadline);
}

int miou_tcpip_wait_change(miou_tcpip *s, uint64_t deadline)
{
    return wait_addresses(s, changed_since, s ? s->address_changes_seen : 0,
                          deadline);
}

int miou_tcpip_address(const miou_tcpip *s, uint32_t *address,
                       uint32_t *netmask, uint32_t *gateway)
{
    if (!s)
        return MIOU_EINVAL;
    if (address)
        *address = lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(&s->netif)));
    if (netmask)
        *netmask = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(&s->netif)));
    if (gateway)
        *gateway = lwip_ntohl(ip4_addr_get_u32(netif_ip4_gw(&s->netif)));
    return 0;
}

int miou_tcpip_addresses(const miou_tcpip *s, miou_ipaddr *addrs, size_t max)
{
    size_t n = 0;
    if (!s || s->closed || (!addrs && max))
        return MIOU_EINVAL;
    if (!ip4_addr_isany_val(*netif_ip4_addr(&s->netif))) {
        if (n < max)
            miou_tcpip__from_lwip(&s->netif.ip_addr, &addrs[n]);
        n++;
    }
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
        if (!ip6_addr_isvalid(netif_ip6_addr_state(&s->netif, i)))
            continue;
        if (n < max)
            miou_tcpip__from_lwip(&s->netif.ip6_addr[i], &addrs[n]);
        n++;
    }
    return (int)n;
}

int miou_tcpip_close(miou_tcpip *s)
{
    if (!s || s != miou_tcpip__stack)
        return MIOU_EINVAL;
    s->closed = 1;
    int rc = 0;
    /* The tasks first: nothing may enter lwIP while it is taken apart. */
    if (s->input_task)
        rc = miou_cancel(s->input_task);
    if (s->timer_task) {
        int rc2 = miou_cancel(s->timer_task);
        rc = rc ? rc : rc2;
    }
    miou_tcpip__tcp_abort_all(s);
    miou_tcpip__udp_abort_all(s);
    miou_tcpip__dns_abort_all(s);
    /* Connections closed by their owners may still be finishing (FIN
     * exchanges, TIME-WAIT): with the interface gone they never would. */
    while (tcp_active_pcbs)
        tcp_abort(tcp_active_pcbs);
    while (tcp_tw_pcbs)
        tcp_abort(tcp_tw_pcbs);
    /* The resets those aborts sent to the stack's own address are still
     * in the loopback queue: deliver them (to nobody) so that they are
     * freed. */
    while (s->netif.loop_first)
        netif_poll(&s->netif);
    dhcp_stop(&s->netif);
    dhcp_cleanup(&s->netif);
    netif_remove_ext_callback(&s->address_changes);
    netif_set_down(&s->netif);
    netif_remove(&s->netif);
    /* Datagrams still being reassembled are freed only when their timer
     * runs out, and the timer task is gone: age them all out now. */
    for (unsigned i = 0; i <= IP_REASS_MAXAGE; i++)
        ip_reass_tmr();
    for (unsigned i = 0; i <= IPV6_REASS_MAXAGE; i++)
        ip6_reass_tmr();
    miou_tcpip__stack = NULL;
    free(s->frame);
    s->frame = NULL;
    /* Tasks waiting for an address free it when the last one leaves. */
    miou_cond_broadcast(&s->address_cond);
    if (s->users == 0)
        free(s);
    return rc == MIOU_ECANCELED ? rc : 0;
}

int miou_tcpip_stats(const miou_tcpip *s, struct miou_tcpip_stats *st)
{
    if (!st)
        return MIOU_EINVAL;
    memset(st, 0, sizeof(*st));
    st->tcp_pcbs = lwip_stats.memp[MEMP_TCP_PCB]->used;
    st->tcp_listen_pcbs = lwip_stats.memp[MEMP_TCP_PCB_LISTEN]->used;
    st->udp_pcbs = lwip_stats.memp[MEMP_UDP_PCB]->used;
    st->pbufs = lwip_stats.memp[MEMP_PBUF]->used +
                lwip_stats.memp[MEMP_PBUF_POOL]->used;
    st->segments = lwip_stats.memp[MEMP_TCP_SEG]->used;
    /* The heap in use but for lwIP's timers (always a few, some armed
     * for a while after the last connection): with MEMP_MEM_MALLOC each
     * timer is one heap block of this size. */
    const struct memp_desc *timer = memp_pools[MEMP_SYS_TIMEOUT];
    size_t per_timer = MEMP_SIZE + MEMP_ALIGN_SIZE(timer->size);
    st->heap_bytes = lwip_stats.mem.used -
                     lwip_stats.memp[MEMP_SYS_TIMEOUT]->used * per_timer;
    if (s) {
        st->frames_in = s->frames_in;
        st->frames_out = s->frames_out;
        st->frames_dropped = s->frames_dropped;
        st->timewait_ended = s->timewait_ended;
    }
    return 0;
}
