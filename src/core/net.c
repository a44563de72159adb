/*
 * net.c - net devices: a read that suspends until a frame arrives, and an
 * atomic write.
 *
 * A reader first asks Solo5 for a frame; when none waits it joins the
 * device's queue of readers and suspends. The loop learns from
 * solo5_yield() which devices have input and wakes all their readers, who
 * ask again: the first one gets the frame, the others queue again. Waking
 * every reader costs more than waking one, but cannot lose a wake-up when
 * the woken reader is cancelled before it runs.
 */
#include "internal.h"

/* How long a write keeps retrying a device that answers SOLO5_R_AGAIN
 * before it reports the device as failed: a device that takes no frame for
 * that long is stuck, and an endless retry would hang the unikernel. */
#define NET_WRITE_PATIENCE_NS 1000000000ull

int miou_net_acquire(const char *name, miou_net **net,
                     struct miou_net_info *info)
{
    struct miou__sched *s = &miou__the_sched;
    if (!s->active || !s->current)
        return MIOU_ENOTRUNNING;
    if (!name || !net)
        return MIOU_EINVAL;
    int err = 0;
    struct miou__device *d = miou__device_acquire(s, name, DEVICE_NET, &err);
    if (!d)
        return err;
    struct miou_net *n = (struct miou_net *)d;
    *net = n;
    if (info)
        *info = n->info;
    return 0;
}

/* 0 when (n) may be used by the calling task, else the error to return. */
static int net_check(const miou_net *n, const void *buf)
{
    /* The thread-local state is read directly, not through a pointer
     * parameter: gcc 12 with ASan and UBSan together took such a pointer
     * for NULL inside tasks (a false "member access within null
     * pointer"). */
    if (!miou__the_sched.active || !miou__the_sched.current)
        return MIOU_ENOTRUNNING;
    if (!n || !buf || n->dev.run != miou__the_sched.run_id)
        return MIOU_EINVAL;
    return 0;
}

long miou_net_read(miou_net *n, void *buf, size_t size)
{
    struct miou__sched *s = &miou__the_sched;
    int err = net_check(n, buf);
    if (err)
        return err;
    /* A shorter buffer would cut a frame silently on some backends. */
    if (size < n->info.mtu + MIOU_NET_HLEN)
        return MIOU_ENOBUFS;
    struct miou__task *self = s->current;
    for (;;) {
        if (self->cancelled)
            return MIOU_ECANCELED;
        size_t got = 0;
        solo5_result_t rc = solo5_net_read(n->dev.handle, buf, size, &got);
        if (rc == SOLO5_R_OK) {
            miou__poll_point(s);
            return (long)got;
        }
        if (rc != SOLO5_R_AGAIN)
            return MIOU_EIO;
        s->net_waiting |= (solo5_handle_set_t)1 << n->dev.handle;
        err = miou__wait(WAIT_NET, &n->readers, n);
        if (err)
            return err;
    }
}

int miou_net_write(miou_net *n, const void *buf, size_t size)
{
    int err = net_check(n, buf);
    if (err)
        return err;
    if (size > n->info.mtu + MIOU_NET_HLEN)
        return MIOU_EMSGSIZE;
    if (size < MIOU_NET_HLEN)
        return MIOU_EINVAL;
    uint64_t give_up = 0;
    for (;;) {
        solo5_result_t rc = solo5_net_write(n->dev.handle, buf, size);
        if (rc == SOLO5_R_OK)
            return 0;
        if (rc != SOLO5_R_AGAIN)
            return MIOU_EIO;
        /* The clock is read only once the device is found full. */
        uint64_t now = solo5_clock_monotonic();
        if (give_up == 0)
            give_up = now + NET_WRITE_PATIENCE_NS;
        else if (now >= give_up)
            return MIOU_EIO;
    }
}

void miou__net_ready(struct miou__sched *s, solo5_handle_set_t ready)
{
    while (ready) {
        unsigned h = (unsigned)__builtin_ctzll(ready);
        ready &= ready - 1;
        struct miou_net *n = miou__net_of(s, h);
        if (!n || !n->readers.head) {
            s->net_waiting &= ~((solo5_handle_set_t)1 << h);
            continue;
        }
        struct miou__task *t;
        while ((t = n->readers.head))
            miou__wake(t, 0);
    }
}
