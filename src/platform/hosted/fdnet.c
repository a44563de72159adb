/*
 * fdnet.c - net devices on a descriptor that the program's parent opened
 * for it (--net:NAME=@NN): a TAP descriptor, or one end of a datagram
 * socket pair where each datagram is a frame. The tender takes the
 * descriptor over and closes it when it ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "hosted.h"

/* The descriptor number of "@NN", or -1 when it is not one. */
static int parse_fd(const char *s)
{
    long n = 0;

    if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
        return -1;
    for (; *s != '\0'; s++) {
        n = n * 10 + (*s - '0');
        if (n > INT_MAX)
            return -1;
    }
    return (int)n;
}

/* 0 when no other device holds (fd): each device closes its own. */
static int check_unshared(const char *prog, const struct hosted_device *d,
                          int fd)
{
    size_t i;

    for (i = 1; i <= hosted_ndevices; i++) {
        const struct hosted_device *o = &hosted_devices[i];

        if (o != d && o->fd == fd) {
            hosted_device_error(prog, d,
                                "file descriptor %d is already device '%s'", fd,
                                o->name);
            return 1;
        }
    }
    return 0;
}

/* Take (fd) as a datagram socket or a TAP descriptor: 0, or 1 after
 * printing why it is neither. */
static int attach_kind(const char *prog, struct hosted_device *d, int fd)
{
    struct sockaddr_storage peer;
    socklen_t peer_len = sizeof peer;
    struct stat st;
    int type = 0;
    socklen_t len = sizeof type;

    if (fstat(fd, &st) != 0) {
        hosted_device_error(prog, d, "file descriptor %d: %s", fd,
                            strerror(errno));
        return 1;
    }
    /* Only datagrams keep frames apart; a stream would merge them. */
    if (S_ISSOCK(st.st_mode) &&
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
        type == SOCK_DGRAM) {
        /* Frames go to the socket's peer: it needs one. */
        if (getpeername(fd, (struct sockaddr *)&peer, &peer_len) != 0) {
            hosted_device_error(prog, d,
                                "file descriptor %d is a datagram socket "
                                "without a peer (connect it first)",
                                fd);
            return 1;
        }
        d->fd = fd;
        d->kind = HOSTED_NET_SOCKET;
        d->mtu = HOSTED_DEFAULT_MTU;
        return 0;
    }
    return hosted_tapfd_attach(prog, d, fd);
}

int hosted_fd_attach(const char *prog, struct hosted_device *d)
{
    int fd = parse_fd(d->attach + 1), flags;

    if (fd < 0) {
        hosted_device_error(prog, d, "invalid file descriptor '%s' (@NN)",
                            d->attach);
        return 1;
    }
    if (fcntl(fd, F_GETFD) < 0) {
        hosted_device_error(prog, d, "file descriptor %d is not open", fd);
        return 1;
    }
    if (check_unshared(prog, d, fd) != 0)
        return 1;
    if (attach_kind(prog, d, fd) != 0)
        return 1;
    /* solo5_net_read() must never block. */
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        hosted_device_error(prog, d,
                            "cannot make file descriptor %d non-blocking: %s",
                            fd, strerror(errno));
        return 1;
    }
    return 0;
}
