/*
 * net.c - simulated links: the Solo5 net calls on the unikernel's side,
 * the peer's calls (miou_sim_link_*) on the other, and between them a
 * wire with seeded faults. Each frame put on the wire, in either
 * direction, may be lost, duplicated or held back (reordered) and takes a
 * seeded delay, all drawn from the run's stream. The wire never refuses a
 * frame, so a write never returns SOLO5_R_AGAIN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* A reordered frame is held back by up to this many maximum delays. */
#define REORDER_SPAN 4u
/* The least hold-back, when the link itself has no delay. */
#define REORDER_MIN_NS 1000u

static struct sim_link *link_of(struct miou_sim_link *l)
{
    return (struct sim_link *)(void *)l;
}

static const struct sim_link *const_link_of(const struct miou_sim_link *l)
{
    return (const struct sim_link *)(const void *)l;
}

/* Put a copy of (data) on the wire towards (dir); the copies' fates are
 * drawn here, in a fixed order. */
static void transmit(struct sim_link *l, const void *data, size_t len,
                     enum sim_timed dir)
{
    uint64_t id = ++l->frames;
    int to_device = dir == TIMED_TO_DEVICE;
    if (sim_chance(l->faults.loss_ppm)) {
        sim_trace(EV_LINK_DROP, id, dir, len, NULL, 0);
        if (to_device)
            l->counts.lost++;
        return;
    }
    int copies = 1;
    if (sim_chance(l->faults.dup_ppm)) {
        copies = 2;
        sim_trace(EV_LINK_DUP, id, dir, len, NULL, 0);
        if (to_device)
            l->counts.duplicated++;
    }
    for (int i = 0; i < copies; i++) {
        uint64_t delay =
            sim_between(l->faults.delay_min_ns, l->faults.delay_max_ns);
        if (sim_chance(l->faults.reorder_ppm)) {
            uint64_t span = l->faults.delay_max_ns > REORDER_MIN_NS
                                ? l->faults.delay_max_ns
                                : REORDER_MIN_NS;
            delay += sim_between(1, REORDER_SPAN * span);
        }
        struct sim_frame *f = malloc(sizeof(*f) + len);
        if (!f)
            sim_exit(2, "out of host memory for a frame in transit");
        f->next = NULL;
        f->len = len;
        f->id = id;
        memcpy(f->data, data, len);
        if (sim_events_add(sim_now + delay, dir, l, f) != 0)
            sim_exit(2, "out of host memory for an event");
    }
}

void sim_link_to_device(struct sim_link *l, struct sim_frame *f)
{
    sim_trace(EV_LINK_ARRIVE, f->id, f->len, 0, NULL, 0);
    l->counts.delivered++;
    if (l->rx_tail)
        l->rx_tail->next = f;
    else
        l->rx_head = f;
    l->rx_tail = f;
}

void sim_link_to_peer(struct sim_link *l, struct sim_frame *f)
{
    sim_trace(EV_PEER_RECEIVE, f->id, f->len, 0, f->data, f->len);
    if (l->peer_open && l->peer->receive)
        l->peer->receive(l->peer_state, f->data, f->len);
    free(f);
}

void sim_link_wakeup_due(struct sim_link *l)
{
    l->wakeup_at = UINT64_MAX;
    sim_trace(EV_PEER_WAKEUP, 0, 0, 0, NULL, 0);
    if (l->peer_open && l->peer->wakeup)
        l->peer->wakeup(l->peer_state);
}

int sim_link_open_peer(const char *prog, struct sim_device *d)
{
    struct sim_link *l = &d->link;
    l->wakeup_at = UINT64_MAX;
    l->peer_state = NULL;
    if (l->peer->open) {
        l->peer_state =
            l->peer->open((struct miou_sim_link *)(void *)l, l->peer_arg);
        if (!l->peer_state) {
            tender_error(prog, "device '%s': peer %s cannot start%s%s", d->name,
                         l->peer->name, l->peer_arg ? " with " : "",
                         l->peer_arg ? l->peer_arg : "");
            return 1;
        }
    }
    l->peer_open = 1;
    return 0;
}

int sim_link_close_peer(struct sim_device *d)
{
    struct sim_link *l = &d->link;
    int verdict = 0;
    if (l->peer_open && l->peer->close)
        verdict = l->peer->close(l->peer_state);
    l->peer_open = 0;
    l->peer_state = NULL;
    return verdict;
}

void sim_link_clear(struct sim_link *l)
{
    while (l->rx_head) {
        struct sim_frame *f = l->rx_head;
        l->rx_head = f->next;
        free(f);
    }
    l->rx_tail = NULL;
    memset(&l->counts, 0, sizeof(l->counts));
    l->frames = 0;
    l->wakeup_gen++;
    l->wakeup_at = UINT64_MAX;
}

solo5_handle_set_t sim_net_ready(void)
{
    solo5_handle_set_t ready = 0;
    for (size_t h = 1; h <= sim_ndevices; h++) {
        const struct sim_device *d = &sim_devices[h];
        if (d->type == SIM_NET && d->acquired && d->link.rx_head)
            ready |= (solo5_handle_set_t)1 << h;
    }
    return ready;
}

/* ---- The unikernel's side -------------------------------------------- */

solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info)
{
    struct sim_device *d = name ? sim_device_find(name) : NULL;
    if (!d || d->type != SIM_NET || d->acquired || !handle || !info)
        return SOLO5_R_EINVAL;
    d->acquired = 1;
    *handle = (solo5_handle_t)(d - sim_devices);
    memcpy(info->mac_address, d->link.mac, SOLO5_NET_ALEN);
    info->mtu = d->link.mtu;
    return SOLO5_R_OK;
}

solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size)
{
    struct sim_device *d = sim_device_of(handle, SIM_NET);
    if (!d || !buf || !read_size || size < d->link.mtu + SIM_ETH_HEADER)
        return SOLO5_R_EINVAL;
    struct sim_link *l = &d->link;
    struct sim_frame *f = l->rx_head;
    if (!f) {
        sim_trace(EV_NET_READ, handle, 0, 0, NULL, 0);
        return SOLO5_R_AGAIN;
    }
    l->rx_head = f->next;
    if (!l->rx_head)
        l->rx_tail = NULL;
    memcpy(buf, f->data, f->len);
    *read_size = f->len;
    l->counts.read++;
    sim_trace(EV_NET_READ, handle, f->id, f->len, NULL, 0);
    free(f);
    return SOLO5_R_OK;
}

solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
                               size_t size)
{
    struct sim_device *d = sim_device_of(handle, SIM_NET);
    if (!d || !buf || size == 0 || size > d->link.mtu + SIM_ETH_HEADER)
        return SOLO5_R_EINVAL;
    sim_trace(EV_NET_WRITE, handle, size, 0, buf, size);
    transmit(&d->link, buf, size, TIMED_TO_PEER);
    return SOLO5_R_OK;
}

/* ---- The peer's side --------------------------------------------------- */

int miou_sim_link_send(struct miou_sim_link *link, const void *frame,
                       size_t len)
{
    struct sim_link *l = link_of(link);
    if (!l || !frame || len == 0 || len > l->mtu + SIM_ETH_HEADER)
        return -1;
    l->counts.sent++;
    sim_trace(EV_PEER_SEND, l->frames + 1, len, 0, frame, len);
    transmit(l, frame, len, TIMED_TO_DEVICE);
    return 0;
}

void miou_sim_link_wakeup(struct miou_sim_link *link, uint64_t at)
{
    struct sim_link *l = link_of(link);
    if (at < sim_now)
        at = sim_now;
    l->wakeup_gen++;
    l->wakeup_at = at;
    if (sim_events_add(at, TIMED_WAKEUP, l, NULL) != 0)
        sim_exit(2, "out of host memory for an event");
}

const uint8_t *miou_sim_link_mac(const struct miou_sim_link *link)
{
    return const_link_of(link)->mac;
}

const char *miou_sim_link_name(const struct miou_sim_link *link)
{
    /* The link is the device's member: find the device it belongs to. */
    const struct sim_link *l = const_link_of(link);
    for (size_t h = 1; h <= sim_ndevices; h++)
        if (&sim_devices[h].link == l)
            return sim_devices[h].name;
    return "?";
}

int miou_sim_net_faults(const char *name, const struct miou_sim_link_faults *f)
{
    struct sim_device *d = name ? sim_device_find(name) : NULL;
    if (!d || d->type != SIM_NET || !f || f->delay_min_ns > f->delay_max_ns ||
        f->loss_ppm > 1000000 || f->dup_ppm > 1000000 ||
        f->reorder_ppm > 1000000)
        return -1;
    d->link.faults = *f;
    return 0;
}

int miou_sim_net_counts(const char *name, struct miou_sim_link_counts *c)
{
    struct sim_device *d = name ? sim_device_find(name) : NULL;
    if (!d || d->type != SIM_NET || !c)
        return -1;
    *c = d->link.counts;
    return 0;
}
