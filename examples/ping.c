/*
 * ping - a unikernel that answers ARP and ping (ICMP echo) for one IPv4
 * address on its net device "service", while other tasks keep busy.
 *
 *   ping [ADDRESS] [--readers=N] [--tasks=N] [--count=N] [--seconds=S]
 *
 * (the table options[] below says what each means; --help prints it).
 * Readers share the device: each frame goes to one of them. Busy tasks
 * (--tasks) sleep a few milliseconds and yield, in a loop, to show that
 * pings are answered while tasks are busy.
 *
 * Without --count or --seconds it answers until it is killed. It prints a
 * start line and, at the end, what it answered. Its exit status is 0,
 * or 1 on an error, or when --count was given and not reached in time.
 *
 * Run it in a network namespace, with a TAP interface:
 *
 *   ip netns add ns && ip netns exec ns ip tuntap add dev tap0 mode tap
 *   ip netns exec ns ip addr add 10.0.0.1/24 dev tap0
 *   ip netns exec ns ip link set tap0 up
 *   ip netns exec ns build/hosted/examples/ping --net:service=tap0 \
 *       -- 10.0.0.2 --seconds=10 &
 *   ip netns exec ns ping -c 5 10.0.0.2
 *
 * or without privileges against examples/pinger.c, over UNIX sockets
 * (scripts/demo.sh does this with examples/demo.c).
 */
#include <miou.h>

#include "lib/args.h"
#include "lib/console.h"
#include "lib/netstack.h"

#define MS 1000000ull
#define SECOND 1000000000ull
#define MAX_READERS 16
#define MAX_TASKS 10000
/* The largest MTU handled: buffers are static (no allocator needed). */
#define MTU_MAX 9000
#define FRAME_MAX (MTU_MAX + MIOU_NET_HLEN)
/* Busy tasks print nothing: a small stack is enough. */
#define BUSY_STACK (8u * 1024u)

struct options {
    uint32_t ip;
    uint64_t readers, tasks, count;
    uint64_t duration; /* ns; 0 for no limit */
};

/* The run's state, shared by its tasks (one CPU: no locking needed
 * between two suspension points). */
static struct {
    struct options opt;
    miou_net *net;
    struct miou_net_info info;
    struct responder r;
    int done;         /* --count reached, or an error: tasks end */
    int error;        /* the first error, a MIOU_E* code */
    uint64_t rounds;  /* loops of the busy tasks */
    miou_mutex mutex; /* with (stop): the main task waits for the end */
    miou_cond stop;
} ping = {.opt = {.ip = 0x0a000002 /* 10.0.0.2 */, .readers = 1}};

static uint8_t rx[MAX_READERS][FRAME_MAX], tx[MAX_READERS][FRAME_MAX];
static miou_task *readers[MAX_READERS], *busy[MAX_TASKS];

/* The command line, read by args_read() (lib/args.h). */
static const struct arg options[] = {
    {"ADDRESS", "the address to answer for (10.0.0.2)", .ipv4 = &ping.opt.ip},
    {"--readers", "tasks reading the device at the same time (1)",
     .number = &ping.opt.readers, .min = 1, .max = MAX_READERS},
    {"--tasks", "busy tasks, sleeping and yielding in a loop (0)",
     .number = &ping.opt.tasks, .max = MAX_TASKS},
    {"--count", "stop after answering N echo requests (no limit)",
     .number = &ping.opt.count, .max = UINT64_MAX},
    {"--seconds", "stop after S seconds (no limit)",
     .number = &ping.opt.duration, .decimals = 9, .max = UINT64_MAX / 2,
     .value = "S"},
    {0},
};

/* Stop the run on the first error: say it, keep it, wake the main task. */
static void stop_on_error(const char *what, int err)
{
    if (ping.error == 0) {
        fail(what, err);
        ping.error = err;
    }
    ping.done = 1;
    miou_cond_signal(&ping.stop);
}

/* A reader: receive a frame, answer it if it calls for an answer. Ends
 * when cancelled or when the run is done. */
static void *reader(void *arg)
{
    uint8_t *in = rx[(uintptr_t)arg], *out = tx[(uintptr_t)arg];
    size_t frame_size = ping.info.mtu + MIOU_NET_HLEN;

    while (!ping.done) {
        long n = miou_net_read(ping.net, in, frame_size);
        size_t reply;
        int err;

        if (n == MIOU_ECANCELED)
            break;
        if (n < 0) {
            stop_on_error("cannot receive a frame", (int)n);
            break;
        }
        if (ping.done)
            break;
        reply = answer_frame(&ping.r, in, (size_t)n, out, frame_size);
        if (reply == 0)
            continue;
        err = miou_net_write(ping.net, out, reply);
        if (err < 0) {
            stop_on_error("cannot send a reply", err);
            break;
        }
        if (ping.opt.count > 0 && ping.r.echo >= ping.opt.count) {
            ping.done = 1;
            miou_cond_signal(&ping.stop);
        }
    }
    return NULL;
}

/* A busy task: sleep 1 to 4 ms, yield, again, until the run is done. */
static void *busy_loop(void *arg)
{
    uint64_t pause = (1 + (uintptr_t)arg % 4) * MS;

    while (!ping.done) {
        if (miou_sleep(pause) != 0 || miou_yield() != 0)
            break;
        ping.rounds++;
    }
    return NULL;
}

/* Spawn (n) tasks running (fn) with their index as argument into (tasks).
 * Returns 0, or an error after which the first *spawned of them exist. */
static int spawn(miou_task **tasks, uint64_t n, size_t *spawned,
                 const char *name, size_t stack_size, miou_fn fn)
{
    struct miou_task_options o = {.stack_size = stack_size, .name = name};
    int err;

    for (*spawned = 0; *spawned < n; (*spawned)++) {
        err = miou_async_with(&tasks[*spawned], &o, fn,
                              (void *)(uintptr_t)*spawned);
        if (err != 0)
            return err;
    }
    return 0;
}

static void cancel_all(miou_task **tasks, size_t n)
{
    while (n > 0)
        miou_cancel(tasks[--n]);
}

/* Wait until the run is done (a reader said so) or its time is up. */
static void wait_for_end(void)
{
    uint64_t deadline = UINT64_MAX;
    int err = 0;

    if (ping.opt.duration > 0)
        deadline = miou_clock_monotonic() + ping.opt.duration;
    miou_mutex_lock(&ping.mutex);
    while (!ping.done && err == 0)
        err = miou_cond_wait_until(&ping.stop, &ping.mutex, deadline);
    miou_mutex_unlock(&ping.mutex);
    if (err != 0 && err != MIOU_ETIMEDOUT)
        stop_on_error("waiting for the end", err);
    ping.done = 1;
}

static int serve(void)
{
    char ip[IPV4_STRLEN], mac[MAC_STRLEN];
    size_t n_readers = 0, n_busy = 0;
    int err;

    err = miou_net_acquire("service", &ping.net, &ping.info);
    if (err != 0)
        return fail("cannot acquire net device 'service'", err);
    if (ping.info.mtu > MTU_MAX) {
        say("ping: MTU %zu is above the largest this example handles (%d)\n",
            ping.info.mtu, MTU_MAX);
        return 1;
    }
    responder_init(&ping.r, ping.info.mac, ping.opt.ip);
    say("ping: answering for %s at %s, MTU %zu, with %llu reader(s) and "
        "%llu busy task(s)\n",
        ipv4_format(ping.opt.ip, ip), mac_format(ping.info.mac, mac),
        ping.info.mtu, (unsigned long long)ping.opt.readers,
        (unsigned long long)ping.opt.tasks);
    err = spawn(busy, ping.opt.tasks, &n_busy, "busy", BUSY_STACK, busy_loop);
    if (err == 0)
        err = spawn(readers, ping.opt.readers, &n_readers, "reader", 0, reader);
    if (err != 0)
        stop_on_error("cannot spawn a task", err);
    else
        wait_for_end();
    cancel_all(readers, n_readers);
    cancel_all(busy, n_busy);
    say("ping: answered %llu echo requests, %llu ARP requests, ignored %llu "
        "frames, %llu malformed; busy tasks looped %llu times\n",
        (unsigned long long)ping.r.echo, (unsigned long long)ping.r.arp,
        (unsigned long long)ping.r.ignored,
        (unsigned long long)ping.r.malformed, (unsigned long long)ping.rounds);
    if (ping.error != 0)
        return 1;
    if (ping.opt.count > 0 && ping.r.echo < ping.opt.count) {
        say("ping: stopped before answering %llu echo requests\n",
            (unsigned long long)ping.opt.count);
        return 1;
    }
    return 0;
}

/* The first task: sets the exit status. */
static void *ping_main(void *arg)
{
    int *status = arg;
    miou_mutex_init(&ping.mutex);
    miou_cond_init(&ping.stop);
    *status = serve();
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    return example_main(si, "ping", options, ping_main);
}
