/*
 * test_block.c - block devices through miou: atomic and scheduled reads and
 * writes, their errors, their priority and their cancellation.
 *
 * Run with the block device "storage" attached (see
 * test_block.manifest.json), of any sector size; scripts/test.sh runs it on
 * a 512-byte and on a 4096-byte image. With --image=PATH, the image behind
 * the device, the cases also read the file from the host side to check
 * what the device wrote (on the hosted platform: a unikernel has no file
 * system); under sim they read the in-memory disk itself.
 */
#include <stdlib.h>
#include <string.h>
#ifdef MIOU_PLATFORM_HOSTED
#include <fcntl.h>
#include <unistd.h>
#endif
#ifdef MIOU_PLATFORM_SIM
#include <miou_sim.h>
#endif

#include "lib/check.h"

#define MAX_BLOCK 8192 /* largest sector size these cases handle */

/* Fill (buf) with bytes that depend on (seed) and the position. */
static void pattern(uint8_t *buf, size_t n, unsigned seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
}

/* Compare (n) bytes of the image file at (offset) with (want), when the
 * image was named (under sim, of the in-memory disk); 1 when they match
 * or cannot be checked. */
static int image_holds(uint64_t offset, const uint8_t *want, size_t n)
{
#if defined(MIOU_PLATFORM_SIM)
    /* The sim platform's disk is in memory: look at it there. */
    const uint8_t *disk;
    uint64_t size;
    if (!CHECK_RC(miou_sim_block_image("storage", &disk, &size), 0) ||
        !CHECK_ULE(offset + n, size))
        return 0;
    return CHECK(memcmp(disk + offset, want, n) == 0);
#elif !defined(MIOU_PLATFORM_HOSTED)
    (void)offset;
    (void)want;
    (void)n;
    return 1;
#else
    const char *path = check_option("image");
    if (!path)
        return 1;
    int fd = open(path, O_RDONLY);
    if (!CHECK_GE(fd, 0))
        return 0;
    uint8_t *got = malloc(n);
    ssize_t r = pread(fd, got, n, (off_t)offset);
    close(fd);
    int same = CHECK_EQ(r, (ssize_t)n) && CHECK(memcmp(got, want, n) == 0);
    free(got);
    return same;
#endif
}

struct dev {
    miou_block *b;
    struct miou_block_info info;
    size_t bs;
};

/* Acquire "storage" into (d); 0 on success. */
static int acquire(struct dev *d)
{
    if (!CHECK_RC(miou_block_acquire("storage", &d->b, &d->info), 0))
        return -1;
    d->bs = (size_t)d->info.block_size;
    if (!CHECK_ULE(d->bs, MAX_BLOCK) || !CHECK_UGE(d->info.capacity, 8 * d->bs))
        return -1;
    return 0;
}

/* ---- Acquiring. */

static void *acquire_main(void *arg)
{
    struct dev d;
    miou_block *again;
    miou_net *net;
    (void)arg;
    if (acquire(&d))
        return NULL;
    CHECK_UEQ(d.info.capacity % d.info.block_size, 0);
    CHECK((d.info.block_size & (d.info.block_size - 1)) == 0);
    CHECK_UGE(d.info.block_size, 512);
    const char *want = check_option("sector");
    if (want)
        CHECK_UEQ(d.info.block_size, strtoull(want, NULL, 10));
    CHECK_RC(miou_block_acquire("storage", &again, NULL), MIOU_EBUSY);
    CHECK_RC(miou_block_acquire("nosuchdisk", &again, NULL), MIOU_ENODEV);
    CHECK_RC(miou_net_acquire("storage", &net, NULL), MIOU_ENODEV);
    CHECK_RC(miou_block_acquire(NULL, &again, NULL), MIOU_EINVAL);
    CHECK_RC(miou_block_acquire("storage", NULL, NULL), MIOU_EINVAL);
    return NULL;
}

static void acquire_gives_the_geometry_once_per_run(void)
{
    CHECK_RUN(acquire_main, NULL, 0);
    /* A later run acquires it again. */
    CHECK_RUN(acquire_main, NULL, 0);
}

static miou_block *kept;

static void *keep_main(void *arg)
{
    struct dev d;
    (void)arg;
    if (acquire(&d) == 0)
        kept = d.b;
    return NULL;
}

static void *use_kept_main(void *arg)
{
    uint8_t buf[MAX_BLOCK];
    struct dev d;
    (void)arg;
    CHECK_RC(miou_block_atomic_read(kept, 0, buf, 512), MIOU_EINVAL);
    CHECK_RC(miou_block_read(kept, 0, buf, 512), MIOU_EINVAL);
    /* The device itself is fine. */
    if (acquire(&d) == 0)
        CHECK_RC(miou_block_atomic_read(d.b, 0, buf, d.bs), 0);
    return NULL;
}

static void a_handle_from_an_earlier_run_is_einval(void)
{
    uint8_t buf[512];
    CHECK_RUN(keep_main, NULL, 0);
    CHECK_RUN(use_kept_main, NULL, 0);
    CHECK_RC(miou_block_atomic_read(kept, 0, buf, 512), MIOU_ENOTRUNNING);
}

/* ---- Moving data. */

struct roundtrip {
    int scheduled;
};

static void *roundtrip_main(void *arg)
{
    const struct roundtrip *how = arg;
    static uint8_t out[4 * MAX_BLOCK], in[4 * MAX_BLOCK];
    struct dev d;
    if (acquire(&d))
        return NULL;
    int (*wr)(miou_block *, uint64_t, const void *, size_t) =
        how->scheduled ? miou_block_write : miou_block_atomic_write;
    int (*rd)(miou_block *, uint64_t, void *, size_t) =
        how->scheduled ? miou_block_read : miou_block_atomic_read;
    /* One block at the start, one at the very end, three in the middle. */
    const uint64_t last = d.info.capacity - d.bs;
    const struct {
        uint64_t off;
        size_t n;
    } ops[] = {{0, 1}, {last, 1}, {2 * d.bs, 3}};
    for (size_t i = 0; i < CHECK_COUNT(ops); i++) {
        size_t n = ops[i].n * d.bs;
        pattern(out, n, (unsigned)(i + 7 * how->scheduled));
        memset(in, 0, n);
        CHECK_RC(wr(d.b, ops[i].off, out, n), 0);
        CHECK_RC(rd(d.b, ops[i].off, in, n), 0);
        CHECK(memcmp(in, out, n) == 0);
        image_holds(ops[i].off, out, n);
    }
    return NULL;
}

static void atomic_writes_read_back_and_reach_the_image(void)
{
    struct roundtrip how = {0};
    CHECK_RUN(roundtrip_main, &how, 0);
}

static void scheduled_writes_read_back_and_reach_the_image(void)
{
    struct roundtrip how = {1};
    CHECK_RUN(roundtrip_main, &how, 0);
}

/* ---- Bad arguments change nothing. */

static void *errors_main(void *arg)
{
    static uint8_t before[2 * MAX_BLOCK], junk[2 * MAX_BLOCK],
        after[2 * MAX_BLOCK];
    struct dev d;
    (void)arg;
    if (acquire(&d))
        return NULL;
    const uint64_t cap = d.info.capacity, bs = d.bs;
    pattern(before, 2 * bs, 99);
    pattern(junk, 2 * bs, 100);
    CHECK_RC(miou_block_atomic_write(d.b, bs, before, 2 * bs), 0);

    int (*writes[])(miou_block *, uint64_t, const void *,
                    size_t) = {miou_block_atomic_write, miou_block_write};
    for (size_t k = 0; k < 2; k++) {
        int (*wr)(miou_block *, uint64_t, const void *, size_t) = writes[k];
        CHECK_RC(wr(d.b, bs + 1, junk, bs), MIOU_EALIGN);
        CHECK_RC(wr(d.b, bs + 256, junk, bs), MIOU_EALIGN);
        CHECK_RC(wr(d.b, bs, junk, bs - 1), MIOU_EALIGN);
        CHECK_RC(wr(d.b, bs, junk, bs + bs / 2), MIOU_EALIGN);
        CHECK_RC(wr(d.b, bs, junk, 0), MIOU_EALIGN);
        CHECK_RC(wr(d.b, cap, junk, bs), MIOU_ERANGE);
        CHECK_RC(wr(d.b, cap - bs, junk, 2 * bs), MIOU_ERANGE);
        /* Offsets whose sum with the size would wrap around. */
        CHECK_RC(wr(d.b, UINT64_MAX - bs + 1, junk, 2 * bs), MIOU_ERANGE);
        CHECK_RC(wr(d.b, bs, NULL, bs), MIOU_EINVAL);
        CHECK_RC(wr(NULL, bs, junk, bs), MIOU_EINVAL);
    }
    CHECK_RC(miou_block_atomic_read(d.b, 1, after, bs), MIOU_EALIGN);
    CHECK_RC(miou_block_read(d.b, cap, after, bs), MIOU_ERANGE);
    CHECK_RC(miou_block_read(d.b, 0, NULL, bs), MIOU_EINVAL);

    CHECK_RC(miou_block_atomic_read(d.b, bs, after, 2 * bs), 0);
    CHECK(memcmp(after, before, 2 * bs) == 0);
    image_holds(bs, before, 2 * bs);
    return NULL;
}

static void bad_offsets_sizes_and_buffers_are_refused_and_change_nothing(void)
{
    CHECK_RUN(errors_main, NULL, 0);
}

static void calls_outside_a_run_are_enotrunning(void)
{
    uint8_t buf[512];
    miou_block *b;
    CHECK_RC(miou_block_acquire("storage", &b, NULL), MIOU_ENOTRUNNING);
    CHECK_RC(miou_block_read(NULL, 0, buf, 512), MIOU_ENOTRUNNING);
    CHECK_RC(miou_block_atomic_write(NULL, 0, buf, 512), MIOU_ENOTRUNNING);
}

/* ---- Scheduling. */

struct sched_ctx {
    struct dev d;
    int busy_done;
    int read_done_before_busy;
    uint8_t buf[MAX_BLOCK];
};

static void *scheduled_reader(void *arg)
{
    struct sched_ctx *c = arg;
    CHECK_RC(miou_block_read(c->d.b, 0, c->buf, c->d.bs), 0);
    c->read_done_before_busy = !c->busy_done;
    check_log("read");
    return NULL;
}

/* Yields for fewer polls than it takes a scheduled block to age into a
 * move (MIOU_BLOCK_AGING polls, one every MIOU_POLL_INTERVAL_DEFAULT
 * switches). */
static void *busy(void *arg)
{
    struct sched_ctx *c = arg;
    for (unsigned i = 0;
         i < MIOU_POLL_INTERVAL_DEFAULT * (MIOU_BLOCK_AGING - 2); i++)
        miou_yield();
    c->busy_done = 1;
    check_log("busy");
    return NULL;
}

static void *priority_main(void *arg)
{
    struct sched_ctx *c = arg;
    miou_task *t[2];
    if (acquire(&c->d))
        return NULL;
    CHECK_RC(miou_async(&t[0], scheduled_reader, c), 0);
    CHECK_RC(miou_async(&t[1], busy, c), 0);
    CHECK_RC(miou_await_all(t, 2, NULL, NULL), 0);
    return NULL;
}

static void a_scheduled_read_waits_while_tasks_are_runnable(void)
{
    static struct sched_ctx c;
    memset(&c, 0, sizeof c);
    CHECK_RUN(priority_main, &c, 0);
    CHECK_STR_EQ(check_log_text(), "busy read");
}

/* ---- Aging: a task that yields forever does not starve scheduled I/O. */

struct aging_ctx {
    struct dev d;
    int reads_done;      /* scheduled reads completed */
    int stop;            /* set by the reader once they are all done */
    unsigned long yields; /* the spinner's, until stopped */
    uint8_t buf[MAX_BLOCK];
};

#define AGING_READS 100
#define AGING_YIELDS_MAX 10000000ul /* the spinner gives up here */

static void *aging_reader(void *arg)
{
    struct aging_ctx *c = arg;
    for (int i = 0; i < AGING_READS; i++) {
        uint64_t off = (uint64_t)(i % 8) * c->d.bs;
        if (!CHECK_RC(miou_block_read(c->d.b, off, c->buf, c->d.bs), 0))
            break;
        c->reads_done++;
    }
    c->stop = 1;
    return NULL;
}

static void *spinner(void *arg)
{
    struct aging_ctx *c = arg;
    while (!c->stop && c->yields < AGING_YIELDS_MAX) {
        miou_yield();
        c->yields++;
    }
    return NULL;
}

static void *aging_main(void *arg)
{
    struct aging_ctx *c = arg;
    miou_task *t[2];
    if (acquire(&c->d))
        return NULL;
    CHECK_RC(miou_async(&t[0], spinner, c), 0);
    CHECK_RC(miou_async(&t[1], aging_reader, c), 0);
    CHECK_RC(miou_await_all(t, 2, NULL, NULL), 0);
    return NULL;
}

static void scheduled_reads_complete_while_a_task_yields_forever(void)
{
    static struct aging_ctx c;
    memset(&c, 0, sizeof c);
    CHECK_RUN(aging_main, &c, 0);
    CHECK_EQ(c.reads_done, AGING_READS);
    CHECK_EQ(c.stop, 1);
    /* Each read needs MIOU_BLOCK_AGING polls at most: about 256 yields. */
    CHECK_ULT(c.yields, (unsigned long)AGING_READS *
                            (MIOU_BLOCK_AGING + 1) *
                            MIOU_POLL_INTERVAL_DEFAULT);
    check_note("%d scheduled reads took %lu yields of a busy task",
               c.reads_done, c.yields);
}

struct fifo_arg {
    struct dev *d;
    int i;
};

static void *fifo_writer(void *arg)
{
    struct fifo_arg *a = arg;
    uint8_t buf[MAX_BLOCK];
    pattern(buf, a->d->bs, (unsigned)a->i);
    CHECK_RC(
        miou_block_write(a->d->b, (uint64_t)a->i * a->d->bs, buf, a->d->bs), 0);
    check_log("%d", a->i);
    return NULL;
}

static void *fifo_main(void *arg)
{
    struct dev d;
    struct fifo_arg a[6];
    miou_task *t[6];
    uint8_t want[MAX_BLOCK], got[MAX_BLOCK];
    (void)arg;
    if (acquire(&d))
        return NULL;
    for (int i = 0; i < 6; i++) {
        a[i].d = &d, a[i].i = i;
        CHECK_RC(miou_async(&t[i], fifo_writer, &a[i]), 0);
    }
    CHECK_RC(miou_await_all(t, 6, NULL, NULL), 0);
    for (int i = 0; i < 6; i++) {
        pattern(want, d.bs, (unsigned)i);
        CHECK_RC(miou_block_atomic_read(d.b, (uint64_t)i * d.bs, got, d.bs), 0);
        CHECK(memcmp(got, want, d.bs) == 0);
    }
    return NULL;
}

static void scheduled_operations_complete_in_arrival_order(void)
{
    CHECK_RUN(fifo_main, NULL, 0);
    CHECK_STR_EQ(check_log_text(), "0 1 2 3 4 5");
}

struct cancel_ctx {
    struct dev d;
    uint8_t buf[MAX_BLOCK];
    int rc;
};

static void *cancelled_reader(void *arg)
{
    struct cancel_ctx *c = arg;
    c->rc = miou_block_read(c->d.b, 0, c->buf, c->d.bs);
    return NULL;
}

static void *cancel_main(void *arg)
{
    struct cancel_ctx *c = arg;
    struct miou_stats st;
    miou_task *t;
    if (acquire(&c->d))
        return NULL;
    memset(c->buf, 0xAA, sizeof c->buf);
    CHECK_RC(miou_async(&t, cancelled_reader, c), 0);
    CHECK_RC(miou_yield(), 0); /* the reader queues its read */
    miou_stats(&st);
    CHECK_UEQ(st.block_waiters, 1);
    /* The dump names the device the request waits on. */
    if (check_capture_begin() == 0) {
        miou_dump();
        const char *dump = check_capture_end();
        if (dump)
            CHECK_STR_HAS(dump, "waiting on scheduled block I/O on 'storage'");
    }
    CHECK_RC(miou_cancel(t), 0);
    CHECK_RC(c->rc, MIOU_ECANCELED);
    miou_stats(&st);
    CHECK_UEQ(st.block_waiters, 0);
    /* The read never happened: the buffer is untouched. */
    for (size_t i = 0; i < c->d.bs; i++)
        if (!CHECK_UEQ(c->buf[i], 0xAA))
            break;
    return NULL;
}

static void a_cancelled_scheduled_read_leaves_the_queue_undone(void)
{
    static struct cancel_ctx c;
    CHECK_RUN(cancel_main, &c, 0);
}

static void *cancelled_task_calls(void *arg)
{
    struct cancel_ctx *c = arg;
    /* Wait to be cancelled, then try both kinds. */
    CHECK_RC(miou_sleep(MS(10000)), MIOU_ECANCELED);
    CHECK_RC(miou_block_read(c->d.b, 0, c->buf, c->d.bs), MIOU_ECANCELED);
    CHECK_RC(miou_block_atomic_read(c->d.b, 0, c->buf, c->d.bs), 0);
    c->rc = 2;
    return NULL;
}

static void *cancelled_calls_main(void *arg)
{
    struct cancel_ctx *c = arg;
    miou_task *t;
    if (acquire(&c->d))
        return NULL;
    CHECK_RC(miou_async(&t, cancelled_task_calls, c), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_EQ(c->rc, 2);
    return NULL;
}

static void a_cancelled_task_gets_ecanceled_but_may_still_use_atomic_calls(void)
{
    static struct cancel_ctx c;
    memset(&c, 0, sizeof c);
    CHECK_RUN(cancelled_calls_main, &c, 0);
}

struct interleave_ctx {
    struct dev d;
    int sleeper_awake;
    uint64_t reads_before_wake, reads;
    uint64_t late_ns;
};

static void *sleeper(void *arg)
{
    struct interleave_ctx *c = arg;
    uint64_t deadline = miou_clock_monotonic() + MS(5);
    CHECK_RC(miou_sleep_until(deadline), 0);
    c->late_ns = miou_clock_monotonic() - deadline;
    c->reads_before_wake = c->reads;
    c->sleeper_awake = 1;
    return NULL;
}

static void *reader_loop(void *arg)
{
    struct interleave_ctx *c = arg;
    uint8_t buf[MAX_BLOCK];
    uint64_t give_up = miou_clock_monotonic() + MS(5000);
    uint64_t blocks = c->d.info.capacity / c->d.bs;
    /* Keep the queue busy until the sleeper has woken, then a bit more. */
    for (uint64_t extra = 0; extra < 100 && miou_clock_monotonic() < give_up;
         c->reads++) {
        if (!CHECK_RC(miou_block_read(c->d.b, (c->reads % blocks) * c->d.bs,
                                      buf, c->d.bs),
                      0))
            break;
        extra += c->sleeper_awake;
    }
    return NULL;
}

static void *interleave_main(void *arg)
{
    struct interleave_ctx *c = arg;
    miou_task *t[2];
    if (acquire(&c->d))
        return NULL;
    CHECK_RC(miou_async(&t[0], sleeper, c), 0);
    CHECK_RC(miou_async(&t[1], reader_loop, c), 0);
    CHECK_RC(miou_await_all(t, 2, NULL, NULL), 0);
    return NULL;
}

static void sleepers_wake_on_time_while_scheduled_io_keeps_the_loop_busy(void)
{
    static struct interleave_ctx c;
    memset(&c, 0, sizeof c);
    CHECK_RUN(interleave_main, &c, 0);
    CHECK(c.sleeper_awake);
    CHECK_UGT(c.reads_before_wake, 0);
    CHECK_UGT(c.reads, c.reads_before_wake);
    /* Generous: the point is that it is not held until the queue drains
     * (which would take 5 s here). */
    CHECK_ULT(c.late_ns, MS(1000));
}

static const struct check_case cases[] = {
    {"acquire gives the geometry, once per run",
     acquire_gives_the_geometry_once_per_run},
    {"a handle from an earlier run is MIOU_EINVAL",
     a_handle_from_an_earlier_run_is_einval},
    {"atomic writes read back and reach the image",
     atomic_writes_read_back_and_reach_the_image},
    {"scheduled writes read back and reach the image",
     scheduled_writes_read_back_and_reach_the_image},
    {"bad offsets, sizes and buffers are refused and change nothing",
     bad_offsets_sizes_and_buffers_are_refused_and_change_nothing},
    {"calls outside a run are MIOU_ENOTRUNNING",
     calls_outside_a_run_are_enotrunning},
    {"a scheduled read waits while tasks are runnable",
     a_scheduled_read_waits_while_tasks_are_runnable},
    {"scheduled reads complete while a task yields forever",
     scheduled_reads_complete_while_a_task_yields_forever},
    {"scheduled operations complete in arrival order",
     scheduled_operations_complete_in_arrival_order},
    {"a cancelled scheduled read leaves the queue, undone",
     a_cancelled_scheduled_read_leaves_the_queue_undone},
    {"a cancelled task gets MIOU_ECANCELED but may still use atomic calls",
     a_cancelled_task_gets_ecanceled_but_may_still_use_atomic_calls},
    {"sleepers wake on time while scheduled I/O keeps the loop busy",
     sleepers_wake_on_time_while_scheduled_io_keeps_the_loop_busy},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("block", si, cases, CHECK_COUNT(cases));
}
