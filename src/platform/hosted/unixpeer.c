/*
 * unixpeer.c - the unix backend's end of the cable (unixnet.c sets the
 * socket up): frames go out to whatever socket is bound at PEER.
 *
 * The socket is connected to PEER whenever a socket is bound there. Linux
 * holds a datagram socket to a queue of a few datagrams
 * (net.unix.max_dgram_qlen, often 10) except from the socket it is
 * connected to, and lets a sender wait (poll) for room only at the socket
 * it is connected to: two ends connected to each other can have hundreds
 * of frames in flight, bounded by the socket buffers. The price: a
 * connected socket takes frames from its peer only, so a peer that
 * restarted (a new socket at PEER) would be refused until we connect to
 * it. So PEER is looked at again (hosted_unix_refresh()) when a frame
 * finds nobody there, and before every wait of solo5_yield(), which while
 * such a device exists waits at most a second at a time.
 */
#include <string.h>
#include <sys/socket.h>

#include "hosted.h"

/* Undo the connection: frames may then come from anyone again. */
static void disconnect(struct hosted_device *d)
{
    struct sockaddr sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_family = AF_UNSPEC;
    (void)connect(d->fd, &sa, sizeof sa);
    d->connected = 0;
}

void hosted_unix_refresh(struct hosted_device *d)
{
    /* Connect again even when connected: if the socket at PEER is another
     * one now, that is the only way to learn it; if it is the same, the
     * call changes nothing. */
    if (connect(d->fd, (const struct sockaddr *)&d->peer, d->peer_len) == 0) {
        d->connected = 1;
        return;
    }
    /* Nobody at PEER (ENOENT), a socket nobody reads (ECONNREFUSED), or
     * one that takes frames from another peer only (EPERM): frames may
     * come from anyone until a peer is found. */
    if (d->connected)
        disconnect(d);
}

solo5_result_t hosted_unix_write(struct hosted_device *d, const uint8_t *buf,
                                 size_t size)
{
    enum hosted_send r = HOSTED_GONE;

    if (!d->connected)
        hosted_unix_refresh(d);
    if (d->connected)
        r = hosted_sock_send(d->fd, buf, size);
    if (r == HOSTED_GONE && d->connected) {
        /* The peer went away (Linux then disconnects us) or refuses us:
         * perhaps a new one is there already. */
        disconnect(d);
        hosted_unix_refresh(d);
        if (d->connected)
            r = hosted_sock_send(d->fd, buf, size);
    }
    switch (r) {
    case HOSTED_SENT:
    case HOSTED_GONE:
        /* With nobody at PEER the frame is lost, as on a cable with
         * nothing plugged in at the other end: no error. */
        return SOLO5_R_OK;
    case HOSTED_FULL:
        return SOLO5_R_AGAIN;
    default:
        return SOLO5_R_EUNSPEC;
    }
}
