/*
 * tap.c - net devices backed by a TAP interface (--net:NAME=IFACE, and the
 * TAP descriptors of --net:NAME=@NN): one read() or write() moves one
 * Ethernet frame, without any header of the kernel's (IFF_NO_PI).
 *
 * The interface must already exist and be up: TUNSETIFF would create a
 * missing one silently, owned by this process and gone when it ends, which
 * is never what a user who mistyped a name wants.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "hosted.h"

/* The largest frame a TAP interface can hand over (its MTU is at most
 * 65535) plus slack: the spill-over of reads into short buffers. */
#define TAP_FRAME_MAX 65560

/* Fill (ifr) by the SIOCGIF* (request) about interface (name); 0, or 1
 * after printing why not. */
static int ask_interface(const char *prog, const struct hosted_device *d,
                         const char *name, struct ifreq *ifr,
                         unsigned long request)
{
    /* Any socket reaches the interface ioctls; a local one needs no
     * network protocol. */
    int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (s < 0) {
        hosted_device_error(prog, d, "cannot make a socket: %s",
                            strerror(errno));
        return 1;
    }
    memset(ifr, 0, sizeof *ifr);
    strcpy(ifr->ifr_name, name); /* its length was checked */
    if (ioctl(s, request, ifr) < 0) {
        hosted_device_error(prog, d, "cannot query interface '%s': %s", name,
                            strerror(errno));
        close(s);
        return 1;
    }
    close(s);
    return 0;
}

/* The interface exists and is up: 0, or 1 after printing why not. */
static int check_interface(const char *prog, const struct hosted_device *d)
{
    struct ifreq ifr;

    if (strlen(d->attach) >= IFNAMSIZ) {
        hosted_device_error(prog, d,
                            "interface name '%s' is too long (at most %d "
                            "characters)",
                            d->attach, IFNAMSIZ - 1);
        return 1;
    }
    if (if_nametoindex(d->attach) == 0) {
        hosted_device_error(prog, d,
                            "no network interface '%s' (create it first: "
                            "ip tuntap add %s mode tap)",
                            d->attach, d->attach);
        return 1;
    }
    if (ask_interface(prog, d, d->attach, &ifr, SIOCGIFFLAGS) != 0)
        return 1;
    if (!(ifr.ifr_flags & IFF_UP)) {
        hosted_device_error(prog, d,
                            "interface '%s' is down (ip link set %s up)",
                            d->attach, d->attach);
        return 1;
    }
    return 0;
}

/* Why TUNSETIFF refused the interface, in the user's terms. */
static const char *tunsetiff_why(int err)
{
    switch (err) {
    case EINVAL:
        return "not a TAP interface";
    case EBUSY:
        return "busy (another program has it open)";
    case EPERM:
        return "permission denied (is it owned by another user?)";
    default:
        return strerror(err);
    }
}

int hosted_tap_attach(const char *prog, struct hosted_device *d)
{
    struct ifreq ifr;
    int fd;

    if (check_interface(prog, d) != 0)
        return 1;
    fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        hosted_device_error(prog, d, "cannot open /dev/net/tun: %s",
                            strerror(errno));
        return 1;
    }
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    strcpy(ifr.ifr_name, d->attach);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        hosted_device_error(prog, d, "cannot attach interface '%s': %s",
                            d->attach, tunsetiff_why(errno));
        close(fd);
        return 1;
    }
    d->fd = fd;
    d->kind = HOSTED_NET_TAP;
    if (ask_interface(prog, d, d->attach, &ifr, SIOCGIFMTU) != 0)
        return 1;
    d->mtu = (size_t)ifr.ifr_mtu;
    return 0;
}

int hosted_tapfd_attach(const char *prog, struct hosted_device *d, int fd)
{
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    if (ioctl(fd, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_TAP)) {
        hosted_device_error(prog, d,
                            "file descriptor %d is neither a TAP descriptor "
                            "nor a datagram socket",
                            fd);
        return 1;
    }
    /* Without IFF_NO_PI each frame would come after a header of the
     * kernel's, which a unikernel does not expect. */
    if (!(ifr.ifr_flags & IFF_NO_PI)) {
        hosted_device_error(
            prog, d, "TAP descriptor %d was opened without IFF_NO_PI", fd);
        return 1;
    }
    /* The interface's own MTU rather than a guess: a larger one would make
     * frames that a reader's buffer does not hold. */
    ifr.ifr_name[IFNAMSIZ - 1] = '\0';
    if (ask_interface(prog, d, ifr.ifr_name, &ifr, SIOCGIFMTU) != 0)
        return 1;
    d->fd = fd;
    d->kind = HOSTED_NET_TAPFD;
    d->mtu = (size_t)ifr.ifr_mtu;
    return 0;
}

solo5_result_t hosted_tap_read(struct hosted_device *d, uint8_t *buf,
                               size_t size, size_t *read_size)
{
    /* A TAP read cuts a frame longer than the buffer without saying so:
     * what does not fit goes to (spill), so that a frame that did not fit
     * is seen, and dropped rather than handed over cut. Its contents are
     * never read, so threads may share it. */
    static uint8_t spill[TAP_FRAME_MAX];
    struct iovec iov[2] = {{buf, size}, {spill, sizeof spill}};
    int tries;

    /* A few oversized frames in a row are dropped; more are left for the
     * next call, so that a flood cannot hold the caller here. */
    for (tries = 0; tries < 16; tries++) {
        ssize_t n = readv(d->fd, iov, 2);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN ? SOLO5_R_AGAIN : SOLO5_R_EUNSPEC;
        }
        if ((size_t)n <= size) {
            *read_size = (size_t)n;
            return SOLO5_R_OK;
        }
    }
    return SOLO5_R_AGAIN;
}

solo5_result_t hosted_tap_write(struct hosted_device *d, const uint8_t *buf,
                                size_t size)
{
    for (;;) {
        ssize_t n = write(d->fd, buf, size);

        if (n >= 0)
            /* A TAP takes a frame whole or not at all; anything else is
             * a device gone wrong. */
            return (size_t)n == size ? SOLO5_R_OK : SOLO5_R_EUNSPEC;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == ENOBUFS)
            return SOLO5_R_AGAIN;
        return SOLO5_R_EUNSPEC;
    }
}
