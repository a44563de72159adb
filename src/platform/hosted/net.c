/*
 * net.c - the Solo5 net calls of the hosted platform: argument checks,
 * then the backend of the device (tap.c, sock.c, unixnet.c).
 */
#include <string.h>

#include "hosted.h"

solo5_result_t solo5_net_acquire(const char *name, solo5_handle_t *handle,
                                 struct solo5_net_info *info)
{
    struct hosted_device *d = name ? hosted_device_find(name) : NULL;
    solo5_handle_t h;

    if (d == NULL || d->type != HOSTED_NET || d->fd < 0 || handle == NULL ||
        info == NULL)
        return SOLO5_R_EINVAL;
    /* As on Solo5, a device is acquired once. */
    if (__atomic_exchange_n(&d->acquired, 1, __ATOMIC_ACQ_REL))
        return SOLO5_R_EINVAL;
    h = (solo5_handle_t)(d - hosted_devices);
    /* A peer that came after start-up is looked for now, so that the
     * first frames it sends are not refused. */
    if (d->kind == HOSTED_NET_UNIX)
        hosted_unix_refresh(d);
    /* Ready for solo5_yield() from now on, without allocating there. */
    hosted_yield_watch(d->fd, h);
    memcpy(info->mac_address, d->mac, sizeof info->mac_address);
    info->mtu = d->mtu;
    *handle = h;
    return SOLO5_R_OK;
}

solo5_result_t solo5_net_read(solo5_handle_t handle, uint8_t *buf, size_t size,
                              size_t *read_size)
{
    struct hosted_device *d = hosted_device_of(handle, HOSTED_NET);

    if (d == NULL || buf == NULL || read_size == NULL)
        return SOLO5_R_EINVAL;
    if (d->kind == HOSTED_NET_TAP || d->kind == HOSTED_NET_TAPFD)
        return hosted_tap_read(d, buf, size, read_size);
    return hosted_sock_read(d, buf, size, read_size);
}

solo5_result_t solo5_net_write(solo5_handle_t handle, const uint8_t *buf,
                               size_t size)
{
    struct hosted_device *d = hosted_device_of(handle, HOSTED_NET);

    if (d == NULL || buf == NULL || size == 0 || size > d->mtu + SOLO5_NET_HLEN)
        return SOLO5_R_EINVAL;
    switch (d->kind) {
    case HOSTED_NET_TAP:
    case HOSTED_NET_TAPFD:
        return hosted_tap_write(d, buf, size);
    case HOSTED_NET_UNIX:
        return hosted_unix_write(d, buf, size);
    default:
        switch (hosted_sock_send(d->fd, buf, size)) {
        case HOSTED_SENT:
        case HOSTED_GONE: /* nobody at the other end: the frame is lost */
            return SOLO5_R_OK;
        case HOSTED_FULL:
            return SOLO5_R_AGAIN;
        default:
            return SOLO5_R_EUNSPEC;
        }
    }
}
