/*
 * sock.c - frames over connected datagram sockets, one frame per datagram:
 * the unix backend (--net:NAME=unix:LOCAL,PEER) and the sockets handed
 * over as --net:NAME=@NN.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include "hosted.h"

/* How long a send waits for room at the receiver before it gives up and
 * lets the caller retry, and the pauses between its attempts when it
 * cannot poll for room. */
#define SEND_WAIT_NS 100000000ll
#define PAUSE_MIN_NS 50000l
#define PAUSE_MAX_NS 5000000l

/* Frames dropped in one read before the caller is told to come back. */
#define READ_DROPS_MAX 16

solo5_result_t hosted_sock_read(struct hosted_device *d, uint8_t *buf,
                                size_t size, size_t *read_size)
{
    int drops = 0;

    while (drops < READ_DROPS_MAX) {
        /* MSG_TRUNC: the datagram's real length, so that a frame longer
         * than the buffer is seen, and dropped rather than handed over
         * cut. */
        ssize_t n = recv(d->fd, buf, size, MSG_DONTWAIT | MSG_TRUNC);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return SOLO5_R_AGAIN;
            /* A connected socket reports here that an earlier datagram
             * found nobody: that is no reason to fail this read. */
            if (errno == ECONNREFUSED || errno == ECONNRESET) {
                drops++;
                continue;
            }
            return SOLO5_R_EUNSPEC;
        }
        /* An empty datagram is no Ethernet frame, and the device promised
         * frames of at most mtu + 14 bytes: the other end is a program,
         * which may send anything. */
        if (n == 0 || (size_t)n > size || (size_t)n > d->mtu + SOLO5_NET_HLEN) {
            drops++;
            continue;
        }
        *read_size = (size_t)n;
        return SOLO5_R_OK;
    }
    return SOLO5_R_AGAIN;
}

/* Wait a little for room to send on (fd), before (give_up). On a
 * connected datagram socket poll() waits for room in our own buffer and
 * in the receiver's queue. Should it say "writable" and the send still
 * find no room, sleep a little longer each time before the next try
 * instead: the caller waits without spinning either way. */
static void wait_room(int fd, solo5_time_t give_up, int *polled, long *pause_ns)
{
    solo5_time_t now = solo5_clock_monotonic();
    solo5_time_t left = give_up > now ? give_up - now : 0;

    if (!*polled) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};

        *polled = 1;
        poll(&p, 1, (int)((left + 999999) / 1000000));
        return;
    }
    *polled = 0;
    nanosleep(
        &(struct timespec){
            0, (long)(left < (solo5_time_t)*pause_ns ? (long)left : *pause_ns)},
        NULL);
    if (*pause_ns < PAUSE_MAX_NS)
        *pause_ns *= 2;
}

enum hosted_send hosted_sock_send(int fd, const uint8_t *buf, size_t size)
{
    solo5_time_t give_up = 0;
    long pause_ns = PAUSE_MIN_NS;
    int polled = 0;

    for (;;) {
        ssize_t n = send(fd, buf, size, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n >= 0)
            return (size_t)n == size ? HOSTED_SENT : HOSTED_FAILED;
        switch (errno) {
        case EINTR:
            continue;
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
        case ENOBUFS:
            /* The receiver is full. Wait for it a while, so that the
             * caller's retries do not spin, but not for long: it may be
             * stuck for good, and the caller decides when to give up. */
            if (give_up == 0)
                give_up = solo5_clock_monotonic() + SEND_WAIT_NS;
            else if (solo5_clock_monotonic() >= give_up)
                return HOSTED_FULL;
            wait_room(fd, give_up, &polled, &pause_ns);
            continue;
        /* Nobody at the other end: a peer that closed, or that takes
         * frames only from another socket. */
        case ECONNREFUSED:
        case ECONNRESET:
        case EPERM:
        case ENOTCONN:
        case EPIPE:
            return HOSTED_GONE;
        default:
            return HOSTED_FAILED;
        }
    }
}
