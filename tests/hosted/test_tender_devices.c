/*
 * test_tender_devices.c - the devices of the hosted platform, through the
 * raw Solo5 calls: acquire, block read/write, net read/write, and
 * solo5_yield() waking on input. Hosted only.
 *
 * Its manifest declares NET_BASIC service, NET_BASIC backup and
 * BLOCK_BASIC storage. Run without arguments (as scripts/test.sh runs
 * every test), it sets itself up: in a temporary folder, a disk image and
 * the sockets of the unix backend, then it runs the tender twice through
 * miou_hosted_main(), the second time with 4096-byte sectors and backup on
 * one end of a socket pair (--net:backup=@NN). Run with arguments, it is
 * an ordinary hosted unikernel, for scripts/check_tender.sh (start-up
 * errors, a TAP interface in a network namespace):
 *
 *   test_tender_devices --net:service=unix:DIR/service.sock,DIR/service.peer
 *       --net:backup=... --block:storage=IMAGE -- --dir=DIR
 *       --peer-service=unix [--peer-backup=unix|fd:N] [--sector=4096]
 *       [--mtu=1400] [--mac=HWADDR] [--arp=yes] [--topic=NAME]
 *
 * --peer-NAME tells how the test reaches the other end of net device NAME:
 * "unix", its own socket bound at DIR/NAME.peer sending to DIR/NAME.sock;
 * "fd:N", the other end of a socket pair. A device without one (a TAP) is
 * only checked for what needs no other end. --sector, --mtu and --mac are
 * the block size, service's MTU and service's MAC address to expect;
 * --arp=yes expects ARP requests on service (a TAP whose kernel side looks
 * for a neighbour).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <miou_hosted.h>

#include "../lib/check.h"

#define FRAME_MAX 9216

/* ---- The devices, acquired once per run of the tender. */

struct net_dev {
    const char *name;
    solo5_handle_t h;
    struct solo5_net_info info;
    solo5_result_t rc;
};

static struct net_dev nets[2];
static solo5_handle_t storage;
static struct solo5_block_info binfo;
static solo5_result_t storage_rc;
static int acquired;

static void reset_devices(void)
{
    memset(nets, 0, sizeof nets);
    nets[0].name = "service";
    nets[1].name = "backup";
    acquired = 0;
}

/* 1 when every device is acquired (on the first call of the run). */
static int devices_ready(void)
{
    size_t i;
    int ok = 1;

    if (!acquired) {
        acquired = 1;
        for (i = 0; i < CHECK_COUNT(nets); i++)
            nets[i].rc =
                solo5_net_acquire(nets[i].name, &nets[i].h, &nets[i].info);
        storage_rc = solo5_block_acquire("storage", &storage, &binfo);
    }
    for (i = 0; i < CHECK_COUNT(nets); i++)
        ok &= CHECK_EQ(nets[i].rc, SOLO5_R_OK);
    ok &= CHECK_EQ(storage_rc, SOLO5_R_OK);
    return ok;
}

static unsigned long option_number(const char *name, unsigned long dflt)
{
    const char *v = check_option(name);

    return v != NULL ? strtoul(v, NULL, 10) : dflt;
}

/* ---- The other end of a net device's cable. */

struct peer {
    int fd;
    int owned;             /* a socket of ours, bound at (path) */
    struct sockaddr_un to; /* the device's socket, when owned */
    struct sockaddr_un path;
};

static int set_path(struct sockaddr_un *a, const char *dir, const char *name,
                    const char *ext)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    return CHECK_LT(
        snprintf(a->sun_path, sizeof a->sun_path, "%s/%s.%s", dir, name, ext),
        (int)sizeof a->sun_path);
}

static int bind_peer(struct peer *p)
{
    p->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (!CHECK_GE(p->fd, 0))
        return -1;
    unlink(p->path.sun_path);
    if (!CHECK_EQ(bind(p->fd, (struct sockaddr *)&p->path, sizeof p->path),
                  0)) {
        close(p->fd);
        return -1;
    }
    p->owned = 1;
    return 0;
}

/* Open the other end of (d): 0, or -1 when this run gives it none. */
static int peer_open(const struct net_dev *d, struct peer *p)
{
    char key[32], how[64];
    const char *v, *dir;

    memset(p, 0, sizeof *p);
    p->fd = -1;
    snprintf(key, sizeof key, "peer-%s", d->name);
    v = check_option(key);
    if (v == NULL)
        return -1;
    snprintf(how, sizeof how, "%s", v);
    if (strncmp(how, "fd:", 3) == 0) {
        p->fd = atoi(how + 3);
        return 0;
    }
    dir = check_option("dir");
    if (!CHECK_STR_EQ(how, "unix") || !CHECK_NOT_NULL(dir))
        return -1;
    if (!set_path(&p->to, dir, d->name, "sock") ||
        !set_path(&p->path, dir, d->name, "peer"))
        return -1;
    return bind_peer(p);
}

static void peer_close(struct peer *p)
{
    if (p->owned) {
        close(p->fd);
        unlink(p->path.sun_path);
        p->owned = 0;
    }
}

static int peer_send(const struct peer *p, const void *buf, size_t n)
{
    ssize_t sent = p->owned
                       ? sendto(p->fd, buf, n, 0,
                                (const struct sockaddr *)&p->to, sizeof p->to)
                       : send(p->fd, buf, n, 0);
    return CHECK_EQ(sent, (ssize_t)n);
}

/* A datagram that came to the peer within (ms), or -1. */
static ssize_t peer_recv(const struct peer *p, void *buf, size_t size, int ms)
{
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};

    if (poll(&pfd, 1, ms) <= 0)
        return -1;
    return recv(p->fd, buf, size, MSG_DONTWAIT);
}

static void peer_drain(const struct peer *p)
{
    uint8_t buf[FRAME_MAX];

    while (recv(p->fd, buf, sizeof buf, MSG_DONTWAIT) >= 0)
        ;
}

/* The other ends, opened at their first use in a run of the tender and
 * kept for the whole run, as a peer program would be. */
static struct peer peers[2];
static int peer_state[2]; /* 0 not yet opened, 1 open, -1 none */

static void close_peers(void)
{
    size_t i;

    for (i = 0; i < CHECK_COUNT(peers); i++)
        if (peer_state[i] == 1)
            peer_close(&peers[i]);
    memset(peer_state, 0, sizeof peer_state);
}

/* Run (fn) on every net device that has another end; skip the case when
 * none has. */
static void each_peer(void (*fn)(const struct net_dev *d, struct peer *p))
{
    size_t i, tested = 0;

    if (!devices_ready())
        return;
    for (i = 0; i < CHECK_COUNT(nets); i++) {
        if (peer_state[i] == 0)
            peer_state[i] = peer_open(&nets[i], &peers[i]) == 0 ? 1 : -1;
        if (peer_state[i] != 1)
            continue;
        peer_drain(&peers[i]);
        fn(&nets[i], &peers[i]);
        tested++;
    }
    if (tested == 0)
        check_skip("no net device has another end (--peer-NAME=...)");
}

static void fill(uint8_t *buf, size_t n, unsigned seed)
{
    size_t i;

    for (i = 0; i < n; i++)
        buf[i] = (uint8_t)(seed * 31 + i * 7);
}

/* ---- Cases. */

static void handles_are_refused_before_acquire(void)
{
    uint8_t buf[4096];
    size_t n;
    solo5_handle_set_t ready = 1;

    if (acquired) {
        check_skip("an earlier case acquired the devices");
        return;
    }
    /* Handles are manifest entries counted from 1, as on Solo5. */
    CHECK_EQ(solo5_net_read(1, buf, sizeof buf, &n), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_net_write(2, buf, 60), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_block_read(3, 0, buf, 512), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_block_write(3, 0, buf, 512), SOLO5_R_EINVAL);
    solo5_yield(0, &ready);
    CHECK_UEQ(ready, 0);
}

static void each_device_is_acquired_once(void)
{
    solo5_handle_t h;
    struct solo5_net_info ni;
    struct solo5_block_info bi;
    size_t i;

    if (!devices_ready())
        return;
    for (i = 0; i < CHECK_COUNT(nets); i++)
        CHECK_EQ(solo5_net_acquire(nets[i].name, &h, &ni), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_block_acquire("storage", &h, &bi), SOLO5_R_EINVAL);
}

static void handles_follow_the_manifest_and_fit_the_ready_set(void)
{
    if (!devices_ready())
        return;
    CHECK_UEQ(nets[0].h, 1);
    CHECK_UEQ(nets[1].h, 2);
    CHECK_UEQ(storage, 3);
    CHECK_ULT(nets[0].h, 64);
    CHECK_ULT(nets[1].h, 64);
    CHECK_ULT(storage, 64);
}

static void undeclared_names_and_other_types_are_refused(void)
{
    solo5_handle_t h = 99;
    struct solo5_net_info ni;
    struct solo5_block_info bi;

    CHECK_EQ(solo5_net_acquire("nosuch", &h, &ni), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_net_acquire("storage", &h, &ni), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_net_acquire("", &h, &ni), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_net_acquire(NULL, &h, &ni), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_block_acquire("nosuch", &h, &bi), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_block_acquire("service", &h, &bi), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_block_acquire(NULL, &h, &bi), SOLO5_R_EINVAL);
    CHECK_UEQ(h, 99);
}

static void net_info_has_a_unicast_local_mac_and_the_mtu(void)
{
    size_t i;

    if (!devices_ready())
        return;
    for (i = 0; i < CHECK_COUNT(nets); i++) {
        const uint8_t *mac = nets[i].info.mac_address;

        /* Made up by the tender: locally administered, not multicast. */
        CHECK_EQ(mac[0] & 1, 0);
        CHECK_EQ(mac[0] & 2, 2);
    }
    CHECK(memcmp(nets[0].info.mac_address, nets[1].info.mac_address,
                 SOLO5_NET_ALEN) != 0);
    /* --net-mac:service=, given to the tender, comes back. */
    if (check_option("mac") != NULL) {
        unsigned m[SOLO5_NET_ALEN];

        if (CHECK_EQ(sscanf(check_option("mac"), "%x:%x:%x:%x:%x:%x", &m[0],
                            &m[1], &m[2], &m[3], &m[4], &m[5]),
                     SOLO5_NET_ALEN))
            for (i = 0; i < SOLO5_NET_ALEN; i++)
                CHECK_UEQ(nets[0].info.mac_address[i], m[i]);
    }
    CHECK_UEQ(nets[0].info.mtu, option_number("mtu", 1500));
    CHECK_UEQ(nets[1].info.mtu, 1500);
}

static void block_info_has_the_sector_size_and_a_whole_capacity(void)
{
    if (!devices_ready())
        return;
    CHECK_UEQ(binfo.block_size, option_number("sector", 512));
    if (!CHECK_UGT(binfo.block_size, 0))
        return;
    CHECK_UGE(binfo.capacity, binfo.block_size);
    CHECK_UEQ(binfo.capacity % binfo.block_size, 0);
}

static void a_block_written_is_read_back(void)
{
    static uint8_t w[1 << 16], r[1 << 16], before[1 << 16];
    uint64_t bs, offs[3];
    size_t i;

    if (!devices_ready() || !CHECK_ULE(binfo.block_size, sizeof w))
        return;
    bs = binfo.block_size;
    offs[0] = 0;
    offs[1] = binfo.capacity - bs;
    offs[2] = (binfo.capacity / bs / 2) * bs;
    /* The second block, to see that a write stays inside its own. */
    CHECK_EQ(solo5_block_read(storage, bs, before, bs), SOLO5_R_OK);
    for (i = 0; i < 3; i++) {
        if (offs[i] == bs)
            continue;
        fill(w, bs, (unsigned)i + 1);
        memset(r, 0, bs);
        CHECK_EQ(solo5_block_write(storage, offs[i], w, bs), SOLO5_R_OK);
        CHECK_EQ(solo5_block_read(storage, offs[i], r, bs), SOLO5_R_OK);
        CHECK(memcmp(w, r, bs) == 0);
    }
    CHECK_EQ(solo5_block_read(storage, bs, r, bs), SOLO5_R_OK);
    CHECK(memcmp(before, r, bs) == 0);
}

/* A block read, or a write when (writing). */
static solo5_result_t block_io(int writing, solo5_handle_t h, uint64_t off,
                               uint8_t *buf, size_t size)
{
    return writing ? solo5_block_write(h, off, buf, size)
                   : solo5_block_read(h, off, buf, size);
}

static void block_calls_outside_the_rules_are_refused(void)
{
    static uint8_t buf[1 << 17];
    uint64_t bs, cap;
    int w;

    if (!devices_ready() || !CHECK_ULE(2 * binfo.block_size, sizeof buf))
        return;
    bs = binfo.block_size;
    cap = binfo.capacity;
    for (w = 0; w < 2; w++) {
        CHECK_EQ(block_io(w, storage, 0, buf, bs - 1), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, storage, 0, buf, bs + 1), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, storage, 0, buf, 2 * bs), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, storage, 0, buf, 0), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, storage, 1, buf, bs), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, storage, bs / 2, buf, bs), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, storage, cap, buf, bs), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, storage, cap - bs + 1, buf, bs), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, storage, UINT64_MAX / bs * bs, buf, bs),
                 SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, storage, 0, NULL, bs), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, nets[0].h, 0, buf, bs), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, 0, 0, buf, bs), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, 64, 0, buf, bs), SOLO5_R_EINVAL);
        CHECK_EQ(block_io(w, UINT64_MAX, 0, buf, bs), SOLO5_R_EINVAL);
    }
}

static void net_writes_outside_the_rules_are_refused(void)
{
    static uint8_t buf[FRAME_MAX];
    size_t i;

    if (!devices_ready())
        return;
    for (i = 0; i < CHECK_COUNT(nets); i++) {
        solo5_handle_t h = nets[i].h;
        size_t max = nets[i].info.mtu + SOLO5_NET_HLEN;

        CHECK_EQ(solo5_net_write(h, buf, 0), SOLO5_R_EINVAL);
        CHECK_EQ(solo5_net_write(h, buf, max + 1), SOLO5_R_EINVAL);
        CHECK_EQ(solo5_net_write(h, NULL, 60), SOLO5_R_EINVAL);
    }
    CHECK_EQ(solo5_net_write(storage, buf, 60), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_net_write(0, buf, 60), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_net_write(64, buf, 60), SOLO5_R_EINVAL);
}

static void net_read_with_nothing_waiting_says_again(void)
{
    static uint8_t buf[FRAME_MAX];
    size_t i, n = 12345;

    if (!devices_ready())
        return;
    for (i = 0; i < CHECK_COUNT(nets); i++) {
        solo5_handle_t h = nets[i].h;

        CHECK_EQ(solo5_net_read(h, buf, sizeof buf, &n), SOLO5_R_AGAIN);
        CHECK_EQ(solo5_net_read(h, NULL, sizeof buf, &n), SOLO5_R_EINVAL);
        CHECK_EQ(solo5_net_read(h, buf, sizeof buf, NULL), SOLO5_R_EINVAL);
    }
    CHECK_EQ(solo5_net_read(storage, buf, sizeof buf, &n), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_net_read(0, buf, sizeof buf, &n), SOLO5_R_EINVAL);
    CHECK_EQ(solo5_net_read(64, buf, sizeof buf, &n), SOLO5_R_EINVAL);
    CHECK_UEQ(n, 12345);
}

static void yield_without_input_returns_at_the_deadline(void)
{
    solo5_handle_set_t ready = 1;
    solo5_time_t t0, t1;

    if (!devices_ready())
        return;
    t0 = solo5_clock_monotonic();
    solo5_yield(t0 + MS(30), &ready);
    t1 = solo5_clock_monotonic();
    CHECK_UEQ(ready, 0);
    CHECK_UGE(t1 - t0, MS(30));
    CHECK_ULT(t1 - t0, MS(1000));
    /* Past deadlines only poll. */
    ready = 1;
    t0 = solo5_clock_monotonic();
    solo5_yield(0, &ready);
    solo5_yield(t0 - 1, NULL);
    solo5_yield(t0, &ready);
    CHECK_UEQ(ready, 0);
    CHECK_ULT(solo5_clock_monotonic() - t0, MS(100));
}

static void frame_wakes_yield(const struct net_dev *d, struct peer *p)
{
    uint8_t out[60], in[FRAME_MAX];
    solo5_handle_set_t ready = 0;
    solo5_time_t t0 = solo5_clock_monotonic();
    size_t n = 0;

    fill(out, sizeof out, (unsigned)d->h);
    if (!peer_send(p, out, sizeof out))
        return;
    solo5_yield(t0 + MS(5000), &ready);
    CHECK_UEQ(ready, (solo5_handle_set_t)1 << d->h);
    CHECK_ULT(solo5_clock_monotonic() - t0, MS(4000));
    CHECK_EQ(solo5_net_read(d->h, in, d->info.mtu + SOLO5_NET_HLEN, &n),
             SOLO5_R_OK);
    CHECK_UEQ(n, sizeof out);
    CHECK(memcmp(in, out, sizeof out) == 0);
    CHECK_EQ(solo5_net_read(d->h, in, sizeof in, &n), SOLO5_R_AGAIN);
}

static void a_frame_wakes_yield_with_its_handle_and_is_read_whole(void)
{
    each_peer(frame_wakes_yield);
}

static void oversized_dropped(const struct net_dev *d, struct peer *p)
{
    static uint8_t big[FRAME_MAX], out[60], in[FRAME_MAX];
    size_t max = d->info.mtu + SOLO5_NET_HLEN, n = 0;

    fill(out, sizeof out, 7);
    if (!peer_send(p, big, max + 100) || !peer_send(p, out, sizeof out))
        return;
    CHECK_EQ(solo5_net_read(d->h, in, max, &n), SOLO5_R_OK);
    CHECK_UEQ(n, sizeof out);
    CHECK(memcmp(in, out, sizeof out) == 0);
    /* Into a buffer too short: dropped, never handed over cut. */
    if (!peer_send(p, out, sizeof out))
        return;
    CHECK_EQ(solo5_net_read(d->h, in, 30, &n), SOLO5_R_AGAIN);
    CHECK_EQ(solo5_net_read(d->h, in, max, &n), SOLO5_R_AGAIN);
}

static void a_frame_longer_than_the_buffer_is_dropped_not_cut(void)
{
    each_peer(oversized_dropped);
}

static void frames_written(const struct net_dev *d, struct peer *p)
{
    static uint8_t out[FRAME_MAX], in[FRAME_MAX];
    size_t max = d->info.mtu + SOLO5_NET_HLEN;

    fill(out, max, 3);
    CHECK_EQ(solo5_net_write(d->h, out, 60), SOLO5_R_OK);
    CHECK_EQ(peer_recv(p, in, sizeof in, 1000), 60);
    CHECK(memcmp(in, out, 60) == 0);
    CHECK_EQ(solo5_net_write(d->h, out, max), SOLO5_R_OK);
    CHECK_EQ(peer_recv(p, in, sizeof in, 1000), (ssize_t)max);
    CHECK(memcmp(in, out, max) == 0);
}

static void frames_written_reach_the_peer_whole(void)
{
    each_peer(frames_written);
}

static void peer_restarts(const struct net_dev *d, struct peer *p)
{
    static uint8_t out[60], in[FRAME_MAX];
    solo5_handle_set_t ready = 0;
    size_t n = 0;

    if (!p->owned)
        return;
    /* Nobody at PEER: lost, as on a cable with nothing plugged in. */
    peer_close(p);
    CHECK_EQ(solo5_net_write(d->h, out, sizeof out), SOLO5_R_OK);
    /* A new socket at PEER gets the next frames... */
    if (bind_peer(p) != 0)
        return;
    CHECK_EQ(solo5_net_write(d->h, out, sizeof out), SOLO5_R_OK);
    CHECK_EQ(peer_recv(p, in, sizeof in, 1000), (ssize_t)sizeof out);
    /* ...and, once the device has waited, its own frames come in, even
     * if the device sent nothing to it. */
    peer_close(p);
    if (bind_peer(p) != 0)
        return;
    solo5_yield(solo5_clock_monotonic() + MS(10), &ready);
    CHECK_UEQ(ready, 0);
    fill(out, sizeof out, 9);
    if (!peer_send(p, out, sizeof out))
        return;
    solo5_yield(solo5_clock_monotonic() + MS(2000), &ready);
    CHECK_UEQ(ready, (solo5_handle_set_t)1 << d->h);
    CHECK_EQ(solo5_net_read(d->h, in, sizeof in, &n), SOLO5_R_OK);
    CHECK_UEQ(n, sizeof out);
}

static void a_peer_that_restarts_is_reached_again(void)
{
    each_peer(peer_restarts);
}

static void full_peer(const struct net_dev *d, struct peer *p)
{
    static uint8_t out[FRAME_MAX];
    size_t max = d->info.mtu + SOLO5_NET_HLEN;
    solo5_result_t rc = SOLO5_R_OK;
    solo5_time_t t0 = 0;
    int i;

    /* The peer does not read: its queue fills. */
    for (i = 0; i < 100000 && rc == SOLO5_R_OK; i++) {
        t0 = solo5_clock_monotonic();
        rc = solo5_net_write(d->h, out, max);
    }
    if (!CHECK_EQ(rc, SOLO5_R_AGAIN))
        return;
    /* It waited a little for room, then gave the caller back control. */
    CHECK_UGE(solo5_clock_monotonic() - t0, MS(50));
    CHECK_ULT(solo5_clock_monotonic() - t0, MS(2000));
    peer_drain(p);
    CHECK_EQ(solo5_net_write(d->h, out, max), SOLO5_R_OK);
}

static void writes_to_a_full_peer_wait_a_little_then_say_again(void)
{
    each_peer(full_peer);
}

/* Wait up to (ms) for input on service; 1 when there is some. */
static int service_ready_within(unsigned ms)
{
    solo5_time_t give_up = solo5_clock_monotonic() + MS(ms);
    solo5_handle_set_t ready = 0;

    while (!(ready & ((solo5_handle_set_t)1 << nets[0].h)) &&
           solo5_clock_monotonic() < give_up)
        solo5_yield(give_up, &ready);
    return (ready & ((solo5_handle_set_t)1 << nets[0].h)) != 0;
}

static void a_tap_hands_over_the_kernels_arp_requests(void)
{
    static uint8_t in[FRAME_MAX];
    size_t n = 0;

    if (!devices_ready())
        return;
    /* A request into a buffer too short: dropped, not handed over cut. */
    if (!CHECK(service_ready_within(5000)))
        return;
    CHECK_EQ(solo5_net_read(nets[0].h, in, 20, &n), SOLO5_R_AGAIN);
    /* The kernel asks again. */
    if (!CHECK(service_ready_within(5000)) ||
        !CHECK_EQ(solo5_net_read(nets[0].h, in, sizeof in, &n), SOLO5_R_OK))
        return;
    CHECK_UGE(n, 42);
    CHECK_EQ(in[12], 0x08);
    CHECK_EQ(in[13], 0x06);
}

static const struct check_case cases[] = {
    {"handles are refused before their device is acquired",
     handles_are_refused_before_acquire},
    {"each device is acquired once, a second acquire fails",
     each_device_is_acquired_once},
    {"handles are the manifest's entries from 1, below 64",
     handles_follow_the_manifest_and_fit_the_ready_set},
    {"undeclared names, NULL and names of the other type are refused",
     undeclared_names_and_other_types_are_refused},
    {"net info: made-up MACs are unicast, local and distinct; the MTU",
     net_info_has_a_unicast_local_mac_and_the_mtu},
    {"block info: the sector size, a capacity of whole sectors",
     block_info_has_the_sector_size_and_a_whole_capacity},
    {"a block written at the start, middle and end is read back",
     a_block_written_is_read_back},
    {"block calls of a wrong size, offset or handle are EINVAL",
     block_calls_outside_the_rules_are_refused},
    {"net writes empty, oversized or to a wrong handle are EINVAL",
     net_writes_outside_the_rules_are_refused},
    {"net read with nothing waiting is AGAIN; bad arguments EINVAL",
     net_read_with_nothing_waiting_says_again},
    {"yield without input returns at its deadline, empty",
     yield_without_input_returns_at_the_deadline},
    {"a frame wakes yield with its handle and is read whole",
     a_frame_wakes_yield_with_its_handle_and_is_read_whole},
    {"a frame longer than the buffer is dropped, not cut",
     a_frame_longer_than_the_buffer_is_dropped_not_cut},
    {"frames written reach the peer whole",
     frames_written_reach_the_peer_whole},
    {"frames are lost with nobody at the peer, a restarted peer is reached",
     a_peer_that_restarts_is_reached_again},
    {"writes to a full peer wait a little, then say AGAIN",
     writes_to_a_full_peer_wait_a_little_then_say_again},
    /* Last: only with --arp=yes. */
    {"a TAP hands over the kernel's ARP requests",
     a_tap_hands_over_the_kernels_arp_requests},
};

/* The value of --topic= in (cmdline), into (buf); the default without. */
static const char *topic_of(const char *cmdline, char *buf, size_t size)
{
    const char *p = cmdline != NULL ? strstr(cmdline, "--topic=") : NULL;

    if (p == NULL)
        return "tender_devices";
    p += 8;
    snprintf(buf, size, "%.*s", (int)strcspn(p, " "), p);
    return buf;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    char topic[64];
    int rc;

    reset_devices();
    /* The ARP case needs traffic that only a TAP test makes. */
    rc = check_main(topic_of(si->cmdline, topic, sizeof topic), si, cases,
                    CHECK_COUNT(cases) -
                        (strstr(si->cmdline, "--arp=yes") == NULL));
    close_peers();
    return rc;
}

/* ---- Without arguments: set up the devices, run the tender. */

static char dir[64];

static void path_in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

/* One run of the tender with (extra) options; its exit status. */
static int run_tender(const char *prog, const char *const *extra, size_t n)
{
    char *argv[24];
    int argc = 0;
    size_t i;

    argv[argc++] = (char *)prog;
    for (i = 0; i < n && argc < 23; i++)
        argv[argc++] = (char *)extra[i];
    argv[argc] = NULL;
    return miou_hosted_main(argc, argv);
}

/* The tender removed what it set up: its socket files, the descriptor it
 * was given. One result line of the suite's format. */
static int check_released(const char *topic, int fd)
{
    char path[128];
    struct stat st;
    int ok;

    path_in_dir(path, sizeof path, "service.sock");
    ok = lstat(path, &st) != 0 && errno == ENOENT;
    path_in_dir(path, sizeof path, "backup.sock");
    ok &= lstat(path, &st) != 0 && errno == ENOENT;
    ok &= fd < 0 || fcntl(fd, F_GETFD) < 0;
    printf("%s - %s: miou_hosted_main() removes its sockets and closes its "
           "descriptors\n",
           ok ? "ok" : "not ok", topic);
    fflush(stdout);
    return ok ? 0 : 1;
}

static int make_image(const char *path, off_t size)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0 || ftruncate(fd, size) != 0) {
        perror(path);
        return -1;
    }
    close(fd);
    return 0;
}

/* Remove the folder and what the runs left in it. */
static void remove_dir(void)
{
    static const char *const files[] = {"disk.img", "service.peer",
                                        "backup.peer"};
    char path[128];
    size_t i;

    for (i = 0; i < CHECK_COUNT(files); i++) {
        path_in_dir(path, sizeof path, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static int self_setup(const char *prog)
{
    char image[128], svc[256], bak[256], disk[160], dirarg[80], fdarg[32];
    int sv[2], rc = 0;

    snprintf(dir, sizeof dir, "/tmp/miou-devices-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    path_in_dir(image, sizeof image, "disk.img");
    if (make_image(image, 256 * 1024) != 0 ||
        socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0) {
        perror("setting up");
        remove_dir();
        return 1;
    }
    snprintf(svc, sizeof svc,
             "--net:service=unix:%s/service.sock,%s/service.peer", dir, dir);
    snprintf(bak, sizeof bak, "--net:backup=unix:%s/backup.sock,%s/backup.peer",
             dir, dir);
    snprintf(disk, sizeof disk, "--block:storage=%s", image);
    snprintf(dirarg, sizeof dirarg, "--dir=%s", dir);
    {
        const char *const run1[] = {svc,
                                    bak,
                                    disk,
                                    "--",
                                    dirarg,
                                    "--peer-service=unix",
                                    "--peer-backup=unix"};

        rc |= run_tender(prog, run1, CHECK_COUNT(run1)) != 0;
        rc |= check_released("tender_devices", -1);
    }
    /* Again in the same process, with other sectors and backup on one end
     * of a socket pair, which the tender takes over. */
    snprintf(bak, sizeof bak, "--net:backup=@%d", sv[0]);
    snprintf(fdarg, sizeof fdarg, "--peer-backup=fd:%d", sv[1]);
    {
        const char *const run2[] = {svc,
                                    bak,
                                    disk,
                                    "--block-sector-size:storage=4096",
                                    "--",
                                    dirarg,
                                    "--peer-service=unix",
                                    fdarg,
                                    "--sector=4096",
                                    "--topic=tender_devices_4096"};

        rc |= run_tender(prog, run2, CHECK_COUNT(run2)) != 0;
        rc |= check_released("tender_devices_4096", sv[0]);
    }
    close(sv[1]);
    remove_dir();
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return miou_hosted_main(argc, argv);
    return self_setup(argc > 0 ? argv[0] : "test_tender_devices");
}
