/*
 * baseline_ping - the baseline of the ping benchmark: a plain Linux
 * program, without miou or Solo5, that answers ARP and ping (ICMP echo)
 * for one IPv4 address on a TAP interface, with the same responder as
 * examples/ping.c (examples/lib/netstack.c), so that only the I/O path
 * differs: here one poll() loop on the TAP descriptor, there tasks,
 * the scheduler and the hosted platform's solo5_yield().
 *
 *   baseline_ping --tap=IFACE [ADDRESS] [--count=N] [--seconds=S]
 *
 * IFACE      an existing TAP interface, opened here as a Solo5 tender
 *            does: /dev/net/tun, IFF_TAP | IFF_NO_PI, non-blocking
 * ADDRESS    the address to answer for (10.0.0.2)
 * --count    stop after answering N echo requests (no limit)
 * --seconds  stop after S seconds, decimals allowed (no limit)
 *
 * SIGINT and SIGTERM stop it too. It prints a start line once the device
 * is open and, at the end, what it answered (the same words as
 * examples/ping.c). Exit status: 0, or 1 on an error or when --count was
 * given and not reached.
 *
 * Each wake-up does what the library's reader does for a frame: read
 * until the device is empty (EAGAIN), answering every frame at once with
 * one write, then wait again.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../examples/lib/args.h"
#include "../examples/lib/netstack.h"

#define PROG "baseline_ping"
#define MTU_MAX 9000
#define FRAME_MAX (MTU_MAX + ETH_HLEN)
#define SECOND 1000000000ull

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * SECOND + (uint64_t)ts.tv_nsec;
}

struct options {
    char tap[IFNAMSIZ];
    uint32_t ip;
    uint64_t count;
    uint64_t duration; /* ns, 0 for no limit */
};

static int parse_options(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o);
    o->ip = 0x0a000002; /* 10.0.0.2 */
    for (int i = 1; i < argc; i++) {
        struct word w = {argv[i], strlen(argv[i])}, v;
        int ok;
        if (word_option(&w, "--tap", &v)) {
            ok = v.len > 0 && v.len < IFNAMSIZ;
            if (ok)
                memcpy(o->tap, v.s, v.len);
        } else if (word_option(&w, "--count", &v))
            ok = word_number(&v, 0, UINT64_MAX, &o->count) == 0;
        else if (word_option(&w, "--seconds", &v))
            ok = word_number(&v, 9, UINT64_MAX / 2, &o->duration) == 0;
        else
            ok = ipv4_parse(w.s, w.len, &o->ip) == 0;
        if (!ok) {
            fprintf(stderr,
                    PROG ": bad argument '%s'\nusage: " PROG
                         " --tap=IFACE [ADDRESS] [--count=N] [--seconds=S]\n",
                    argv[i]);
            return -1;
        }
    }
    if (o->tap[0] == '\0') {
        fprintf(stderr, PROG ": --tap=IFACE is required\n");
        return -1;
    }
    return 0;
}

/* Open the TAP interface (name) non-blocking, without packet information;
 * its MTU in (*mtu). The descriptor, or -1 after saying why. */
static int tap_open(const char *name, size_t *mtu)
{
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, PROG ": /dev/net/tun: %s\n", strerror(errno));
        return -1;
    }
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    memcpy(ifr.ifr_name, name, strlen(name) + 1);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        fprintf(stderr, PROG ": %s: TUNSETIFF: %s\n", name, strerror(errno));
        close(fd);
        return -1;
    }
    *mtu = 1500;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s >= 0) {
        memset(&ifr, 0, sizeof ifr);
        memcpy(ifr.ifr_name, name, strlen(name) + 1);
        if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
            *mtu = (size_t)ifr.ifr_mtu;
        close(s);
    }
    return fd;
}

/* Write one frame; a full device is retried, as miou_net_write() does.
 * 0, or -1 after saying why. */
static int send_frame(int fd, const uint8_t *buf, size_t len)
{
    for (;;) {
        ssize_t n = write(fd, buf, len);
        if (n == (ssize_t)len)
            return 0;
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        fprintf(stderr, PROG ": write: %s\n",
                n < 0 ? strerror(errno) : "short write");
        return -1;
    }
}

/* The poll() timeout until (deadline): -1 for none, else milliseconds,
 * rounded up so that the wait does not end just before it. */
static int timeout_ms(uint64_t deadline)
{
    if (deadline == UINT64_MAX)
        return -1;
    uint64_t now = now_ns();
    if (now >= deadline)
        return 0;
    uint64_t ms = (deadline - now + 999999) / 1000000;
    return ms > 1000 ? 1000 : (int)ms;
}

int main(int argc, char **argv)
{
    static uint8_t in[FRAME_MAX], out[FRAME_MAX];
    struct options o;
    struct responder r;
    struct sigaction sa;
    char ip[IPV4_STRLEN], macs[MAC_STRLEN];
    /* A locally administered unicast address, as a tender makes up. */
    const uint8_t mac[ETH_ALEN] = {0x02, 0x00, 0x0b, 0xa5, 0xe1, 0x01};
    size_t mtu;
    int err = 0;

    if (parse_options(argc, argv, &o) != 0)
        return 1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int fd = tap_open(o.tap, &mtu);
    if (fd < 0)
        return 1;
    if (mtu > MTU_MAX) {
        fprintf(stderr, PROG ": MTU %zu is above %d\n", mtu, MTU_MAX);
        return 1;
    }
    size_t frame_size = mtu + ETH_HLEN;
    responder_init(&r, mac, o.ip);
    printf(PROG ": answering for %s at %s, MTU %zu\n", ipv4_format(o.ip, ip),
           mac_format(mac, macs), mtu);
    fflush(stdout);

    uint64_t deadline = o.duration ? now_ns() + o.duration : UINT64_MAX;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    while (!stop && !err && (o.count == 0 || r.echo < o.count)) {
        int t = timeout_ms(deadline);
        if (t == 0)
            break;
        int n = poll(&pfd, 1, t);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
            err = 1;
        }
        if (n <= 0)
            continue;
        /* Everything that waits, then wait again. */
        while (!stop && (o.count == 0 || r.echo < o.count)) {
            ssize_t len = read(fd, in, frame_size);
            if (len < 0) {
                if (errno == EINTR)
                    continue;
                if (errno != EAGAIN) {
                    fprintf(stderr, PROG ": read: %s\n", strerror(errno));
                    err = 1;
                }
                break;
            }
            size_t reply = answer_frame(&r, in, (size_t)len, out, frame_size);
            if (reply > 0 && send_frame(fd, out, reply) != 0) {
                err = 1;
                break;
            }
        }
    }
    close(fd);
    printf(PROG ": answered %llu echo requests, %llu ARP requests, ignored "
                "%llu frames, %llu malformed\n",
           (unsigned long long)r.echo, (unsigned long long)r.arp,
           (unsigned long long)r.ignored, (unsigned long long)r.malformed);
    if (err)
        return 1;
    if (o.count > 0 && r.echo < o.count) {
        printf(PROG ": stopped before answering %llu echo requests\n",
               (unsigned long long)o.count);
        return 1;
    }
    return 0;
}
