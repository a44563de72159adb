/*
 * demo - a unikernel doing several things at once, each as plain
 * sequential code in its own task:
 *
 *  - a reader answers ARP and ping for an IPv4 address on the net device
 *    "service" (examples/lib/netstack.c);
 *  - a hundred sleepers sleep random short times and count their wakeups
 *    and how late each came;
 *  - a disk worker writes blocks of the block device "storage", reads
 *    them back and compares, over and over, with scheduled I/O (the
 *    lowest priority: it runs when nothing else has to).
 *
 *   demo [ADDRESS] [--seconds=S] [--count=N] [--sleepers=N]
 *
 * (the table options[] below says what each means; --help prints it).
 *
 * At the end it cancels its tasks and prints what each did, and the
 * scheduler's counters. Exit status 0, or 1 when a device failed, a block
 * read back differed from what was written, or --count was not reached.
 *
 * WARNING: the disk worker overwrites the whole device. scripts/demo.sh
 * (make demo) runs it on a scratch image, pinged from a network namespace
 * or, without privileges, by examples/pinger.c over UNIX sockets.
 */
#include <string.h>

#include <miou.h>

#include "lib/args.h"
#include "lib/console.h"
#include "lib/netstack.h"

#define MS 1000000ull
#define SECOND 1000000000ull
#define MTU_MAX 9000
#define FRAME_MAX (MTU_MAX + MIOU_NET_HLEN)
#define MAX_SLEEPERS 10000
/* Sleepers print nothing: a small stack is enough. */
#define SLEEPER_STACK (8u * 1024u)
/* The disk worker moves up to 4 blocks per call, within this buffer. */
#define CHUNK_BLOCKS 4u
#define CHUNK_MAX (64u * 1024u)

struct options {
    uint32_t ip;
    uint64_t duration; /* ns */
    uint64_t count, sleepers;
};

/* The run's state, shared by its tasks (one CPU: no locking needed
 * between two suspension points). */
static struct {
    struct options opt;
    miou_net *net;
    struct miou_net_info net_info;
    struct responder r;
    miou_block *disk;
    struct miou_block_info disk_info;
    int done;  /* --count reached, or an error: tasks end */
    int error; /* the first error, a MIOU_E* code */
    uint64_t wakeups, late_max, late_sum;       /* sleepers; ns */
    uint64_t written, read, verified, differed; /* disk worker; blocks */
    miou_mutex mutex; /* with (stop): the main task waits for the end */
    miou_cond stop;
} demo = {.opt = {.ip = 0x0a000002 /* 10.0.0.2 */,
                  .duration = 5 * SECOND,
                  .sleepers = 100}};

static uint8_t rx[FRAME_MAX], tx[FRAME_MAX];
static uint8_t chunk_out[CHUNK_MAX], chunk_in[CHUNK_MAX];
static miou_task *sleepers[MAX_SLEEPERS];

/* The command line, read by args_read() (lib/args.h). */
static const struct arg options[] = {
    {"ADDRESS", "the address to answer for (10.0.0.2)", .ipv4 = &demo.opt.ip},
    {"--seconds", "how long to run (5)", .number = &demo.opt.duration,
     .decimals = 9, .max = UINT64_MAX / 2, .value = "S"},
    {"--count", "stop earlier, once N echo requests are answered",
     .number = &demo.opt.count, .max = UINT64_MAX},
    {"--sleepers", "how many sleeping tasks (100)",
     .number = &demo.opt.sleepers, .max = MAX_SLEEPERS},
    {0},
};

/* Stop the run on the first error: say it, keep it, wake the main task. */
static void stop_on_error(const char *what, int err)
{
    if (demo.error == 0) {
        fail(what, err);
        demo.error = err;
    }
    demo.done = 1;
    miou_cond_signal(&demo.stop);
}

/* The net task: answer ARP and echo requests until cancelled. */
static void *answer_pings(void *arg)
{
    size_t frame_size = demo.net_info.mtu + MIOU_NET_HLEN;

    (void)arg;
    while (!demo.done) {
        long n = miou_net_read(demo.net, rx, frame_size);
        size_t reply;
        int err;

        if (n == MIOU_ECANCELED)
            break;
        if (n < 0) {
            stop_on_error("cannot receive a frame", (int)n);
            break;
        }
        reply = answer_frame(&demo.r, rx, (size_t)n, tx, frame_size);
        if (reply == 0)
            continue;
        err = miou_net_write(demo.net, tx, reply);
        if (err < 0) {
            stop_on_error("cannot send a reply", err);
            break;
        }
        if (demo.opt.count > 0 && demo.r.echo >= demo.opt.count) {
            demo.done = 1;
            miou_cond_signal(&demo.stop);
        }
    }
    return NULL;
}

/* xorshift64: random enough for sleep times. (*s) must not be 0. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A sleeper: sleep 1 to 20 ms, count the wakeup and its lateness, again,
 * until cancelled. */
static void *sleeper(void *arg)
{
    uint64_t seed = 0x9e3779b97f4a7c15ull * ((uintptr_t)arg + 1);

    while (!demo.done) {
        uint64_t pause = (1 + next_random(&seed) % 20) * MS;
        uint64_t due = miou_clock_monotonic() + pause, late;

        if (miou_sleep_until(due) != 0)
            break;
        late = miou_clock_monotonic() - due;
        demo.wakeups++;
        demo.late_sum += late;
        demo.late_max = late > demo.late_max ? late : demo.late_max;
    }
    return NULL;
}

/* What the disk worker writes in block (index) on pass (pass): every
 * block and every pass differ. */
static void fill(uint8_t *p, size_t bs, uint64_t index, uint64_t pass)
{
    uint64_t s = (index + 1) * 0x9e3779b97f4a7c15ull ^ (pass + 1);
    size_t i;

    for (i = 0; i < bs; i += 8) {
        uint64_t v = next_random(&s);
        size_t j;

        for (j = 0; j < 8 && i + j < bs; j++)
            p[i + j] = (uint8_t)(v >> (8 * j));
    }
}

/* Write then read back (scheduled) (n) blocks from block (first) of pass
 * (pass), and compare. Returns 0 or a MIOU_E* code. */
static int disk_chunk(uint64_t first, size_t n, uint64_t pass)
{
    size_t bs = (size_t)demo.disk_info.block_size, i;
    int err;

    for (i = 0; i < n; i++)
        fill(chunk_out + i * bs, bs, first + i, pass);
    err = miou_block_write(demo.disk, first * bs, chunk_out, n * bs);
    if (err != 0)
        return err;
    demo.written += n;
    memset(chunk_in, 0, n * bs);
    err = miou_block_read(demo.disk, first * bs, chunk_in, n * bs);
    if (err != 0)
        return err;
    demo.read += n;
    for (i = 0; i < n; i++) {
        if (memcmp(chunk_in + i * bs, chunk_out + i * bs, bs) == 0)
            demo.verified++;
        else
            demo.differed++;
    }
    return 0;
}

/* The disk worker: chunks of blocks from the start of the device to its
 * end, then again (a new pass, new data), until cancelled. */
static void *disk_worker(void *arg)
{
    uint64_t blocks = demo.disk_info.capacity / demo.disk_info.block_size;
    uint64_t per_chunk = CHUNK_MAX / demo.disk_info.block_size;
    uint64_t first = 0, pass = 0;

    (void)arg;
    if (per_chunk > CHUNK_BLOCKS)
        per_chunk = CHUNK_BLOCKS;
    while (!demo.done) {
        uint64_t n = blocks - first < per_chunk ? blocks - first : per_chunk;
        int err = disk_chunk(first, (size_t)n, pass);

        if (err == MIOU_ECANCELED)
            break;
        if (err != 0) {
            stop_on_error("disk I/O failed", err);
            break;
        }
        first += n;
        if (first == blocks) {
            first = 0;
            pass++;
        }
    }
    return NULL;
}

static int acquire_devices(void)
{
    int err = miou_net_acquire("service", &demo.net, &demo.net_info);

    if (err != 0)
        return fail("cannot acquire net device 'service'", err);
    if (demo.net_info.mtu > MTU_MAX) {
        say("demo: MTU %zu is above the largest this example handles (%d)\n",
            demo.net_info.mtu, MTU_MAX);
        return 1;
    }
    err = miou_block_acquire("storage", &demo.disk, &demo.disk_info);
    if (err != 0)
        return fail("cannot acquire block device 'storage'", err);
    if (demo.disk_info.block_size == 0 ||
        demo.disk_info.block_size > CHUNK_MAX ||
        demo.disk_info.capacity < demo.disk_info.block_size) {
        say("demo: a block device of %llu bytes in blocks of %llu bytes is "
            "not one this example handles\n",
            (unsigned long long)demo.disk_info.capacity,
            (unsigned long long)demo.disk_info.block_size);
        return 1;
    }
    return 0;
}

/* Wait until the run is done (--count reached, an error) or its time is
 * up. */
static void wait_for_end(void)
{
    uint64_t deadline = miou_clock_monotonic() + demo.opt.duration;
    int err = 0;

    miou_mutex_lock(&demo.mutex);
    while (!demo.done && err == 0)
        err = miou_cond_wait_until(&demo.stop, &demo.mutex, deadline);
    miou_mutex_unlock(&demo.mutex);
    if (err != 0 && err != MIOU_ETIMEDOUT)
        stop_on_error("waiting for the end", err);
    demo.done = 1;
}

static void print_summary(uint64_t elapsed, const struct miou_stats *st)
{
    uint64_t mean = demo.wakeups ? demo.late_sum / demo.wakeups : 0;

    say("demo: ran %llu.%03llu s\n", (unsigned long long)(elapsed / SECOND),
        (unsigned long long)(elapsed % SECOND / MS));
    say("demo: net: answered %llu echo requests and %llu ARP requests "
        "(%llu frames ignored, %llu malformed)\n",
        (unsigned long long)demo.r.echo, (unsigned long long)demo.r.arp,
        (unsigned long long)demo.r.ignored,
        (unsigned long long)demo.r.malformed);
    say("demo: sleepers: %llu tasks woke up %llu times, late by %llu us on "
        "average, %llu us at most\n",
        (unsigned long long)demo.opt.sleepers, (unsigned long long)demo.wakeups,
        (unsigned long long)(mean / 1000),
        (unsigned long long)(demo.late_max / 1000));
    say("demo: disk: %llu blocks of %llu bytes written, %llu read, %llu "
        "verified, %llu differed\n",
        (unsigned long long)demo.written,
        (unsigned long long)demo.disk_info.block_size,
        (unsigned long long)demo.read, (unsigned long long)demo.verified,
        (unsigned long long)demo.differed);
    say("demo: scheduler: %llu task switches, %llu polls, %zu tasks live "
        "at the end\n",
        (unsigned long long)st->switches, (unsigned long long)st->polls,
        st->tasks);
}

/* Spawn the helpers, wait for the end, cancel them; returns the status. */
static int run_demo(void)
{
    struct miou_task_options small = {.stack_size = SLEEPER_STACK,
                                      .name = "sleeper"};
    struct miou_task_options net = {.name = "net"}, disk = {.name = "disk"};
    miou_task *net_task = NULL, *disk_task = NULL;
    struct miou_stats st;
    uint64_t start = miou_clock_monotonic();
    size_t n = 0;
    int err;

    err = miou_async_with(&net_task, &net, answer_pings, NULL);
    if (err == 0)
        err = miou_async_with(&disk_task, &disk, disk_worker, NULL);
    while (err == 0 && n < demo.opt.sleepers) {
        err = miou_async_with(&sleepers[n], &small, sleeper,
                              (void *)(uintptr_t)n);
        n += err == 0;
    }
    if (err != 0)
        stop_on_error("cannot spawn a task", err);
    else
        wait_for_end();
    miou_stats(&st);
    while (n > 0)
        miou_cancel(sleepers[--n]);
    if (disk_task != NULL)
        miou_cancel(disk_task);
    if (net_task != NULL)
        miou_cancel(net_task);
    print_summary(miou_clock_monotonic() - start, &st);
    if (demo.error != 0 || demo.differed != 0)
        return 1;
    if (demo.opt.count > 0 && demo.r.echo < demo.opt.count) {
        say("demo: stopped before answering %llu echo requests\n",
            (unsigned long long)demo.opt.count);
        return 1;
    }
    say("demo: ok\n");
    return 0;
}

static void *demo_main(void *arg)
{
    char ip[IPV4_STRLEN], mac[MAC_STRLEN];

    int *status = arg;
    miou_mutex_init(&demo.mutex);
    miou_cond_init(&demo.stop);
    *status = 1;
    if (acquire_devices() != 0)
        return NULL;
    responder_init(&demo.r, demo.net_info.mac, demo.opt.ip);
    say("demo: answering ping for %s at %s (MTU %zu); disk of %llu blocks "
        "of %llu bytes; %llu sleepers\n",
        ipv4_format(demo.opt.ip, ip), mac_format(demo.net_info.mac, mac),
        demo.net_info.mtu,
        (unsigned long long)(demo.disk_info.capacity /
                             demo.disk_info.block_size),
        (unsigned long long)demo.disk_info.block_size,
        (unsigned long long)demo.opt.sleepers);
    *status = run_demo();
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    return example_main(si, "demo", options, demo_main);
}
