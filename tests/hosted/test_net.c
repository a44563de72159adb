/*
 * test_net.c - net devices through miou: reads that suspend, atomic writes,
 * several readers, cancelled readers, errors, and fairness between readers
 * and busy tasks.
 *
 * Hosted only: it runs with the net device "service" attached to the
 * unprivileged backend (frames as datagrams on UNIX sockets) and plays the
 * other end of the cable itself, from inside its tasks, with a socket of
 * its own:
 *
 *   test_net --net:service=unix:DIR/svc,DIR/peer -- --local=DIR/svc \
 *            --peer=DIR/peer
 *
 * The peer socket is non-blocking, so the tasks that use it never stop the
 * scheduler.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../lib/check.h"

#define FRAME_MAX 9216

/* ---- The other end of the cable. */

static int peer_fd = -1;
static struct sockaddr_un unikernel_addr;
/* Where the peer socket is bound, to remove it at the end. */
static char peer_path[sizeof(unikernel_addr.sun_path)];

/* Open the peer socket once; 0 when ready, else the case is skipped. */
static int peer_open(void)
{
    char peer[sizeof(unikernel_addr.sun_path) + 1] = "";
    char local[sizeof(unikernel_addr.sun_path) + 1] = "";
    const char *v;
    struct sockaddr_un me;
    if (peer_fd >= 0)
        return 0;
    if ((v = check_option("peer")))
        snprintf(peer, sizeof peer, "%s", v);
    if ((v = check_option("local")))
        snprintf(local, sizeof local, "%s", v);
    if (!peer[0] || !local[0]) {
        check_skip("needs --peer=PATH --local=PATH and the unix backend");
        return -1;
    }
    memset(&me, 0, sizeof me);
    me.sun_family = AF_UNIX;
    memset(&unikernel_addr, 0, sizeof unikernel_addr);
    unikernel_addr.sun_family = AF_UNIX;
    if (!CHECK_ULT(strlen(peer), sizeof me.sun_path) ||
        !CHECK_ULT(strlen(local), sizeof unikernel_addr.sun_path))
        return -1;
    strcpy(me.sun_path, peer);
    strcpy(peer_path, peer);
    strcpy(unikernel_addr.sun_path, local);
    peer_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (!CHECK_GE(peer_fd, 0))
        return -1;
    unlink(peer);
    /* Connected both ways, as the backend connects to its peer (which is
     * why this socket stays bound at PEER): datagrams
     * between mutual peers are not held to the receive queue's limit of
     * a few datagrams (net.unix.max_dgram_qlen). */
    int big = 1 << 20;
    setsockopt(peer_fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    if (!CHECK_EQ(bind(peer_fd, (struct sockaddr *)&me, sizeof me), 0) ||
        !CHECK_EQ(connect(peer_fd, (struct sockaddr *)&unikernel_addr,
                          sizeof unikernel_addr),
                  0)) {
        close(peer_fd);
        peer_fd = -1;
        return -1;
    }
    return 0;
}

static void peer_send(const uint8_t *frame, size_t n)
{
    CHECK_EQ(send(peer_fd, frame, n, 0), (ssize_t)n);
}

/* A frame the unikernel sent, or -1 when none came within about (ms). */
static ssize_t peer_recv(uint8_t *buf, size_t size, unsigned ms)
{
    for (unsigned i = 0; i <= ms; i++) {
        ssize_t n = recv(peer_fd, buf, size, 0);
        if (n >= 0 || errno != EAGAIN)
            return n;
        if (i < ms)
            miou_sleep(MS(1));
    }
    return -1;
}

/* Throw away whatever earlier cases left on either side. */
static void peer_drain(void)
{
    uint8_t buf[FRAME_MAX];
    while (recv(peer_fd, buf, sizeof buf, 0) >= 0)
        ;
}

/* A frame of (n) bytes numbered (seq). */
static void make_frame(uint8_t *f, size_t n, unsigned seq)
{
    memset(f, 0xff, 6);                           /* to: broadcast */
    memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6); /* from */
    f[12] = 0x88, f[13] = 0xb5;                   /* local experimental */
    for (size_t i = 14; i < n; i++)
        f[i] = (uint8_t)(seq + i);
    if (n >= 18)
        memcpy(f + 14, &seq, sizeof seq);
}

static unsigned frame_seq(const uint8_t *f)
{
    unsigned seq;
    memcpy(&seq, f + 14, sizeof seq);
    return seq;
}

struct dev {
    miou_net *n;
    struct miou_net_info info;
};

/* Read and drop the frames the unikernel has waiting, without suspending
 * for long: a reader that is cancelled after 20 ms. */
static void *drain_reader(void *arg)
{
    struct dev *d = arg;
    uint8_t buf[FRAME_MAX];
    while (miou_net_read(d->n, buf, sizeof buf) >= 0)
        ;
    return NULL;
}

static void unikernel_drain(struct dev *d)
{
    miou_task *t;
    if (!CHECK_RC(miou_async(&t, drain_reader, d), 0))
        return;
    miou_sleep(MS(20));
    miou_cancel(t);
}

/* Acquire "service" with both ends of the cable empty, whatever earlier
 * cases left behind. */
static int acquire(struct dev *d)
{
    if (peer_open())
        return -1;
    if (!CHECK_RC(miou_net_acquire("service", &d->n, &d->info), 0))
        return -1;
    peer_drain();
    unikernel_drain(d);
    return 0;
}

/* ---- Acquiring. */

static void *acquire_main(void *arg)
{
    struct dev d;
    miou_net *again;
    miou_block *blk;
    (void)arg;
    if (acquire(&d))
        return NULL;
    CHECK_UEQ(d.info.mtu, 1500);
    /* A made-up address is unicast and locally administered. */
    CHECK_UEQ(d.info.mac[0] & 1, 0);
    CHECK_UEQ(d.info.mac[0] & 2, 2);
    CHECK_RC(miou_net_acquire("service", &again, NULL), MIOU_EBUSY);
    CHECK_RC(miou_net_acquire("nosuchnet", &again, NULL), MIOU_ENODEV);
    CHECK_RC(miou_block_acquire("service", &blk, NULL), MIOU_ENODEV);
    CHECK_RC(miou_net_acquire(NULL, &again, NULL), MIOU_EINVAL);
    return NULL;
}

static void acquire_gives_mac_and_mtu_once_per_run(void)
{
    CHECK_RUN(acquire_main, NULL, 0);
    if (peer_fd >= 0)
        CHECK_RUN(acquire_main, NULL, 0);
}

/* ---- Reading and writing. */

struct reader {
    struct dev *d;
    long rc;
    uint8_t buf[FRAME_MAX];
};

static void *reader(void *arg)
{
    struct reader *r = arg;
    r->rc = miou_net_read(r->d->n, r->buf, sizeof r->buf);
    return NULL;
}

static void *read_suspends_main(void *arg)
{
    struct dev d;
    struct reader r = {&d, 1, {0}};
    struct miou_stats st;
    uint8_t frame[100];
    miou_task *t;
    (void)arg;
    if (acquire(&d))
        return NULL;
    CHECK_RC(miou_async(&t, reader, &r), 0);
    for (int i = 0; i < 10; i++)
        miou_yield();
    miou_stats(&st);
    CHECK_UEQ(st.net_readers, 1);
    CHECK_EQ(r.rc, 1); /* still waiting */
    /* The dump names the device the reader waits on. */
    if (check_capture_begin() == 0) {
        miou_dump();
        const char *dump = check_capture_end();
        if (dump)
            CHECK_STR_HAS(dump, "waiting on net input of 'service'");
    }
    make_frame(frame, sizeof frame, 42);
    peer_send(frame, sizeof frame);
    CHECK_RC(miou_await(t, NULL), 0);
    CHECK_EQ(r.rc, (long)sizeof frame);
    CHECK(memcmp(r.buf, frame, sizeof frame) == 0);
    miou_stats(&st);
    CHECK_UEQ(st.net_readers, 0);
    return NULL;
}

static void a_read_suspends_until_a_frame_arrives(void)
{
    CHECK_RUN(read_suspends_main, NULL, 0);
}

static void *write_main(void *arg)
{
    struct dev d;
    uint8_t frame[FRAME_MAX], got[FRAME_MAX];
    (void)arg;
    if (acquire(&d))
        return NULL;
    size_t sizes[] = {14, 60, 1514};
    for (size_t i = 0; i < CHECK_COUNT(sizes); i++) {
        make_frame(frame, sizes[i], (unsigned)i);
        CHECK_RC(miou_net_write(d.n, frame, sizes[i]), 0);
        ssize_t n = peer_recv(got, sizeof got, 1000);
        if (CHECK_EQ(n, (ssize_t)sizes[i]))
            CHECK(memcmp(got, frame, sizes[i]) == 0);
    }
    return NULL;
}

static void written_frames_reach_the_other_end_whole(void)
{
    CHECK_RUN(write_main, NULL, 0);
}

static void *errors_main(void *arg)
{
    struct dev d;
    uint8_t frame[FRAME_MAX], got[FRAME_MAX];
    (void)arg;
    if (acquire(&d))
        return NULL;
    size_t max = d.info.mtu + MIOU_NET_HLEN;
    make_frame(frame, max + 1, 1);
    CHECK_RC(miou_net_write(d.n, frame, max + 1), MIOU_EMSGSIZE);
    CHECK_RC(miou_net_write(d.n, frame, MIOU_NET_HLEN - 1), MIOU_EINVAL);
    CHECK_RC(miou_net_write(d.n, frame, 0), MIOU_EINVAL);
    CHECK_RC(miou_net_write(d.n, NULL, 60), MIOU_EINVAL);
    CHECK_RC(miou_net_write(NULL, frame, 60), MIOU_EINVAL);
    CHECK_EQ(miou_net_read(d.n, got, max - 1), MIOU_ENOBUFS);
    CHECK_EQ(miou_net_read(d.n, NULL, max), MIOU_EINVAL);
    CHECK_EQ(miou_net_read(NULL, got, max), MIOU_EINVAL);
    /* Nothing went out. */
    CHECK_EQ(peer_recv(got, sizeof got, 20), -1);
    /* The largest frame does. */
    CHECK_RC(miou_net_write(d.n, frame, max), 0);
    CHECK_EQ(peer_recv(got, sizeof got, 1000), (ssize_t)max);
    return NULL;
}

static void bad_frames_and_buffers_are_refused_and_send_nothing(void)
{
    CHECK_RUN(errors_main, NULL, 0);
}

static void *oversized_main(void *arg)
{
    struct dev d;
    uint8_t frame[FRAME_MAX];
    struct reader r = {&d, 1, {0}};
    miou_task *t;
    (void)arg;
    if (acquire(&d))
        return NULL;
    /* A frame the device cannot carry is dropped, not cut; the next one
     * arrives whole. */
    make_frame(frame, d.info.mtu + MIOU_NET_HLEN + 100, 1);
    peer_send(frame, d.info.mtu + MIOU_NET_HLEN + 100);
    make_frame(frame, 64, 2);
    peer_send(frame, 64);
    CHECK_RC(miou_async(&t, reader, &r), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    if (CHECK_EQ(r.rc, 64))
        CHECK_UEQ(frame_seq(r.buf), 2);
    return NULL;
}

static void an_oversized_incoming_frame_is_dropped_not_cut(void)
{
    CHECK_RUN(oversized_main, NULL, 0);
}

#define NREADERS 4

static void *many_readers_main(void *arg)
{
    struct dev d;
    static struct reader r[NREADERS];
    miou_task *t[NREADERS];
    uint8_t frame[80];
    int seen[NREADERS] = {0};
    (void)arg;
    if (acquire(&d))
        return NULL;
    for (int i = 0; i < NREADERS; i++) {
        r[i].d = &d, r[i].rc = 1;
        CHECK_RC(miou_async(&t[i], reader, &r[i]), 0);
    }
    miou_yield();
    for (unsigned i = 0; i < NREADERS; i++) {
        make_frame(frame, sizeof frame, i);
        peer_send(frame, sizeof frame);
    }
    CHECK_RC(miou_await_all(t, NREADERS, NULL, NULL), 0);
    for (int i = 0; i < NREADERS; i++) {
        if (!CHECK_EQ(r[i].rc, (long)sizeof frame))
            continue;
        unsigned seq = frame_seq(r[i].buf);
        if (CHECK_ULT(seq, NREADERS))
            seen[seq]++;
    }
    for (int i = 0; i < NREADERS; i++)
        CHECK_EQ(seen[i], 1);
    return NULL;
}

static void several_readers_of_one_device_each_get_one_frame(void)
{
    CHECK_RUN(many_readers_main, NULL, 0);
}

static void *cancel_reader_main(void *arg)
{
    struct dev d;
    struct reader r = {&d, 1, {0}}, r2 = {&d, 1, {0}};
    struct miou_stats st;
    uint8_t frame[70];
    miou_task *t;
    (void)arg;
    if (acquire(&d))
        return NULL;
    CHECK_RC(miou_async(&t, reader, &r), 0);
    miou_yield();
    CHECK_RC(miou_cancel(t), 0);
    CHECK_EQ(r.rc, MIOU_ECANCELED);
    miou_stats(&st);
    CHECK_UEQ(st.net_readers, 0);
    /* The next frame is not lost to the cancelled reader. */
    make_frame(frame, sizeof frame, 9);
    peer_send(frame, sizeof frame);
    CHECK_RC(miou_async(&t, reader, &r2), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    if (CHECK_EQ(r2.rc, (long)sizeof frame))
        CHECK_UEQ(frame_seq(r2.buf), 9);
    return NULL;
}

static void a_cancelled_reader_leaves_and_loses_no_frame(void)
{
    CHECK_RUN(cancel_reader_main, NULL, 0);
}

static miou_net *kept;

static void *keep_main(void *arg)
{
    struct dev d;
    (void)arg;
    if (acquire(&d) == 0)
        kept = d.n;
    return NULL;
}

static void *use_kept_main(void *arg)
{
    uint8_t frame[FRAME_MAX];
    (void)arg;
    make_frame(frame, 60, 0);
    CHECK_RC(miou_net_write(kept, frame, 60), MIOU_EINVAL);
    CHECK_EQ(miou_net_read(kept, frame, sizeof frame), MIOU_EINVAL);
    return NULL;
}

static void a_handle_from_an_earlier_run_is_einval(void)
{
    CHECK_RUN(keep_main, NULL, 0);
    if (kept)
        CHECK_RUN(use_kept_main, NULL, 0);
}

/* ---- Fairness. */

struct fair {
    struct dev *d;
    struct reader r;
    unsigned long spins, spins_at_frame;
    int stop;
};

static void *fair_reader(void *arg)
{
    struct fair *f = arg;
    f->r.rc = miou_net_read(f->d->n, f->r.buf, sizeof f->r.buf);
    f->spins_at_frame = f->spins;
    f->stop = 1;
    return NULL;
}

static void *spinner(void *arg)
{
    struct fair *f = arg;
    /* Never sleeps: only yields. */
    while (!f->stop && f->spins < 10000000)
        f->spins++, miou_yield();
    return NULL;
}

static void *busy_main(void *arg)
{
    struct fair *f = arg;
    struct dev d;
    uint8_t frame[64];
    miou_task *t[2];
    if (acquire(&d))
        return NULL;
    f->d = &d;
    CHECK_RC(miou_async(&t[0], fair_reader, f), 0);
    CHECK_RC(miou_async(&t[1], spinner, f), 0);
    miou_yield(); /* the reader waits; the spinner spins */
    make_frame(frame, sizeof frame, 5);
    peer_send(frame, sizeof frame);
    CHECK_RC(miou_await_all(t, 2, NULL, NULL), 0);
    CHECK_EQ(f->r.rc, (long)sizeof frame);
    return NULL;
}

static void a_task_that_only_yields_cannot_keep_input_waiting(void)
{
    static struct fair f;
    memset(&f, 0, sizeof f);
    CHECK_RUN(busy_main, &f, 0);
    /* Input is looked at every MIOU_POLL_INTERVAL_DEFAULT switches. */
    CHECK_ULE(f.spins_at_frame, 4 * MIOU_POLL_INTERVAL_DEFAULT);
}

/* Frames queued at once: what the socket buffers hold without privileges. */
#define FLOOD 150

struct flood {
    struct dev *d;
    unsigned got, other_at_end;
    unsigned long other;
};

static void *flood_reader(void *arg)
{
    struct flood *f = arg;
    uint8_t buf[FRAME_MAX];
    while (f->got < FLOOD && miou_net_read(f->d->n, buf, sizeof buf) > 0)
        f->got++;
    f->other_at_end = (unsigned)f->other;
    return NULL;
}

static void *counter(void *arg)
{
    struct flood *f = arg;
    /* Counted before the yield: a turn is the counter getting to run. */
    while (f->got < FLOOD) {
        f->other++;
        if (miou_yield() != 0)
            break;
    }
    return NULL;
}

static void *flood_main(void *arg)
{
    struct flood *f = arg;
    struct dev d;
    uint8_t frame[60];
    miou_task *t[2];
    if (acquire(&d))
        return NULL;
    f->d = &d;
    /* FLOOD frames wait before the reader starts: it never has to suspend. */
    for (unsigned i = 0; i < FLOOD; i++) {
        make_frame(frame, sizeof frame, i);
        peer_send(frame, sizeof frame);
    }
    CHECK_RC(miou_async(&t[0], flood_reader, f), 0);
    CHECK_RC(miou_async(&t[1], counter, f), 0);
    CHECK_RC(miou_await_all(t, 2, NULL, NULL), 0);
    return NULL;
}

static void a_reader_that_always_finds_frames_still_lets_others_run(void)
{
    static struct flood f;
    memset(&f, 0, sizeof f);
    CHECK_RUN(flood_main, &f, 0);
    CHECK_UEQ(f.got, FLOOD);
    /* Once every poll interval at least. */
    CHECK_UGE(f.other_at_end, FLOOD / MIOU_POLL_INTERVAL_DEFAULT);
}

static void *cancelled_read_main(void *arg)
{
    struct dev d;
    struct reader r = {&d, 1, {0}};
    uint8_t frame[64];
    miou_task *t;
    (void)arg;
    if (acquire(&d))
        return NULL;
    make_frame(frame, sizeof frame, 3);
    peer_send(frame, sizeof frame);
    CHECK_RC(miou_async(&t, reader, &r), 0);
    /* Cancelled before it runs: it does not run at all. */
    CHECK_RC(miou_cancel(t), 0);
    CHECK_EQ(r.rc, 1);
    /* The frame is still there for the next reader. */
    CHECK_RC(miou_async(&t, reader, &r), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    CHECK_EQ(r.rc, (long)sizeof frame);
    return NULL;
}

static void a_reader_cancelled_before_it_runs_takes_no_frame(void)
{
    CHECK_RUN(cancelled_read_main, NULL, 0);
}

static void calls_outside_a_run_are_enotrunning(void)
{
    uint8_t buf[64];
    miou_net *n;
    CHECK_RC(miou_net_acquire("service", &n, NULL), MIOU_ENOTRUNNING);
    CHECK_EQ(miou_net_read(NULL, buf, sizeof buf), MIOU_ENOTRUNNING);
    CHECK_RC(miou_net_write(NULL, buf, sizeof buf), MIOU_ENOTRUNNING);
}

/* ---- A peer that stops reading. */

static void *stuck_peer_main(void *arg)
{
    struct dev d;
    uint8_t frame[1514];
    int rc = 0;
    unsigned sent = 0;
    (void)arg;
    if (acquire(&d))
        return NULL;
    make_frame(frame, sizeof frame, 1);
    /* The peer reads nothing: its queue fills, the platform answers
     * SOLO5_R_AGAIN, miou_net_write() retries for about a second, then
     * gives up. Bounded: a queue holds some hundreds of frames. */
    uint64_t t0 = 0;
    while (sent < 100000) {
        t0 = miou_clock_monotonic();
        rc = miou_net_write(d.n, frame, sizeof frame);
        if (rc != 0)
            break;
        sent++;
    }
    uint64_t took = miou_clock_monotonic() - t0;
    CHECK_RC(rc, MIOU_EIO);
    CHECK_UGT(sent, 0);
    CHECK_UGE(took, MS(900));
    CHECK_ULT(took, MS(5000));
    /* Once the peer reads again, the device works. */
    peer_drain();
    CHECK_RC(miou_net_write(d.n, frame, sizeof frame), 0);
    peer_drain();
    return NULL;
}

static void a_write_to_a_peer_that_never_reads_ends_in_eio(void)
{
    CHECK_RUN(stuck_peer_main, NULL, 0);
}

static const struct check_case cases[] = {
    {"acquire gives MAC and MTU, once per run",
     acquire_gives_mac_and_mtu_once_per_run},
    {"a read suspends until a frame arrives",
     a_read_suspends_until_a_frame_arrives},
    {"written frames reach the other end whole",
     written_frames_reach_the_other_end_whole},
    {"bad frames and buffers are refused and send nothing",
     bad_frames_and_buffers_are_refused_and_send_nothing},
    {"an oversized incoming frame is dropped, not cut",
     an_oversized_incoming_frame_is_dropped_not_cut},
    {"several readers of one device each get one frame",
     several_readers_of_one_device_each_get_one_frame},
    {"a cancelled reader leaves the queue and loses no frame",
     a_cancelled_reader_leaves_and_loses_no_frame},
    {"a reader cancelled before it runs takes no frame",
     a_reader_cancelled_before_it_runs_takes_no_frame},
    {"a handle from an earlier run is MIOU_EINVAL",
     a_handle_from_an_earlier_run_is_einval},
    {"a task that only yields cannot keep input waiting",
     a_task_that_only_yields_cannot_keep_input_waiting},
    {"a reader that always finds frames still lets others run",
     a_reader_that_always_finds_frames_still_lets_others_run},
    {"a write to a peer that never reads ends in MIOU_EIO, and the device "
     "works once it reads",
     a_write_to_a_peer_that_never_reads_ends_in_eio},
    {"calls outside a run are MIOU_ENOTRUNNING",
     calls_outside_a_run_are_enotrunning},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    int rc = check_main("net", si, cases, CHECK_COUNT(cases));
    if (peer_fd >= 0) {
        close(peer_fd);
        unlink(peer_path);
    }
    return rc;
}
