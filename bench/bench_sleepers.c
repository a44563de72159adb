/*
 * bench_sleepers - n sleepers (4 KiB stacks) with deadlines uniformly
 * random within 1 s, and the cost of cancelling n sleepers.
 *
 * sleep: the first task spawns n children (miou_async_with, 4096-byte
 *   stacks); child i sleeps until (the time it first runs) + r_i, r_i
 *   uniform in [0, 1 s) from a fixed seed, then records how late it woke
 *   (wake time - deadline). The first task awaits them all
 *   (miou_await_all). Figures: wall time of the whole run (spawns
 *   included) beyond 1 s, divided by n; CPU time (user + system) of the
 *   run divided by n; lateness p50 and p99 over all sleepers, and over
 *   the sleepers whose deadline falls after the first pass (once every
 *   sleeper has run once: earlier deadlines wait behind that pass in the
 *   FIFO run queue); the time of the spawns and of that first pass per
 *   sleeper; peak RSS. Rounds reuse the memory that the previous round
 *   freed: the first round also pays for the first touch of every stack
 *   page (page faults), the others do not; each round's line shows both.
 * cancel: n children sleep 1 h; once all sleep, the first task cancels
 *   each, in spawn order (miou_cancel). Figures: ns per cancel, ns per
 *   spawned + slept + cancelled sleeper, malloc'd bytes per sleeper while
 *   all sleep (stack included), peak RSS.
 * os: the lateness floor of the platform, in the same process: one
 *   context waits for 1,000 sorted random deadlines within 250 ms with
 *   ppoll(), as the hosted solo5_yield() does; and the CPU time one such
 *   wait costs. On Solo5 it waits with solo5_yield() itself (under spt:
 *   timerfd_settime() and epoll_pwait()), and the CPU time is not
 *   available.
 *
 * On Solo5 the figures of CPU time and peak RSS are not reported (a
 * unikernel cannot read them: common.h, BENCH_HAVE_PROCESS).
 *
 * Arguments (see common.h): n=100000 rounds=5 only=sleep|cancel|os.
 */
#ifdef MIOU_PLATFORM_HOSTED
#include <poll.h>
#include <time.h>
#endif

#include "common.h"

#define BENCH "sleepers"
#define STACK 4096u
#define SECOND 1000000000ull

static uint64_t *delays;  /* r_i */
static uint64_t *starts;  /* when each sleeper first ran */
static int64_t *lateness; /* per sleeper */

static void *sleeper(void *arg)
{
    size_t i = (size_t)(uintptr_t)arg;
    uint64_t start = bench_now();
    uint64_t deadline = start + delays[i];
    starts[i] = start;
    BENCH_CHECK(miou_sleep_until(deadline) == 0);
    lateness[i] = (int64_t)(bench_now() - deadline);
    return NULL;
}

static void *long_sleeper(void *arg)
{
    /* Cancelled long before the hour is up. */
    BENCH_CHECK(miou_sleep(3600 * SECOND) == MIOU_ECANCELED);
    return arg;
}

struct run {
    unsigned long n;
    /* sleep */
    uint64_t t0, spawned, end, wall_ns, cpu_ns, sys_ns, polls;
    size_t malloc_bytes;
    /* cancel */
    uint64_t spawn_ns, cancel_ns;
};

static void *sleep_main(void *arg)
{
    struct run *o = arg;
    struct miou_task_options opts = {STACK, NULL};
    miou_task **ts = malloc(o->n * sizeof(*ts));
    BENCH_CHECK(ts != NULL);
    uint64_t sys0, sys1;
    struct miou_stats st0, st1;
    miou_stats(&st0);
    uint64_t c0 = bench_cpu_ns(&sys0);
    uint64_t t0 = bench_now();
    for (unsigned long i = 0; i < o->n; i++)
        BENCH_CHECK(
            miou_async_with(&ts[i], &opts, sleeper, (void *)(uintptr_t)i) == 0);
    o->t0 = t0;
    o->spawned = bench_now();
    BENCH_CHECK(miou_await_all(ts, o->n, NULL, NULL) == 0);
    o->end = bench_now();
    o->wall_ns = o->end - t0;
    o->cpu_ns = bench_cpu_ns(&sys1) - c0;
    o->sys_ns = sys1 - sys0;
    miou_stats(&st1);
    o->polls = st1.polls - st0.polls;
    free(ts);
    return NULL;
}

static void *cancel_main(void *arg)
{
    struct run *o = arg;
    struct miou_task_options opts = {STACK, NULL};
    miou_task **ts = malloc(o->n * sizeof(*ts));
    BENCH_CHECK(ts != NULL);
    size_t m0 = bench_malloc_used();
    uint64_t t0 = bench_now();
    for (unsigned long i = 0; i < o->n; i++)
        BENCH_CHECK(miou_async_with(&ts[i], &opts, long_sleeper, NULL) == 0);
    /* Every child runs to its sleep before we run again. */
    BENCH_CHECK(miou_yield() == 0);
    o->malloc_bytes = bench_malloc_used() - m0;
    struct miou_stats st;
    miou_stats(&st);
    BENCH_CHECK(st.sleepers == o->n);
    uint64_t t1 = bench_now();
    for (unsigned long i = 0; i < o->n; i++)
        BENCH_CHECK(miou_cancel(ts[i]) == 0);
    uint64_t t2 = bench_now();
    o->spawn_ns = t1 - t0;
    o->cancel_ns = t2 - t1;
    free(ts);
    return NULL;
}

/* The platform's own lateness: (m) sorted deadlines within (span) ns,
 * waited for one by one with ppoll() (Solo5: solo5_yield()); lateness
 * quantiles in (p50, p99). */
static void os_floor(size_t m, uint64_t span, int64_t *p50, int64_t *p99,
                     double *cpu_per_wait)
{
    size_t waits = 0;
    uint64_t *d = malloc(m * sizeof(*d));
    int64_t *late = malloc(m * sizeof(*late));
    BENCH_CHECK(d && late);
    uint64_t seed = 0x5eed0f;
    for (size_t i = 0; i < m; i++)
        d[i] = bench_rand(&seed) % span;
    qsort(d, m, sizeof(*d), bench_cmp_i64); /* values < 2^63 */
    uint64_t c0 = bench_cpu_ns(NULL);
    uint64_t t0 = bench_now();
    for (size_t i = 0; i < m; i++) {
        uint64_t deadline = t0 + d[i], now;
        while ((now = bench_now()) < deadline) {
#ifdef MIOU_PLATFORM_HOSTED
            uint64_t left = deadline - now;
            struct timespec ts = {(time_t)(left / SECOND),
                                  (long)(left % SECOND)};
            ppoll(NULL, 0, &ts, NULL);
#else
            solo5_handle_set_t ready;
            solo5_yield(deadline, &ready);
#endif
            waits++;
        }
        late[i] = (int64_t)(now - deadline);
    }
    *cpu_per_wait = (double)(bench_cpu_ns(NULL) - c0) / (double)waits;
    *p50 = bench_quantile(late, m, 0.50);
    *p99 = bench_quantile(late, m, 0.99);
    free(d);
    free(late);
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline;
    bench_malloc_setup(cmd);
    unsigned long n = bench_arg_u64(cmd, "n", 100000);
    unsigned rounds = bench_rounds(cmd);
    char key[64];

    delays = malloc(n * sizeof(*delays));
    lateness = malloc(n * sizeof(*lateness));
    starts = malloc(n * sizeof(*starts));
    BENCH_CHECK(delays && lateness && starts);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (unsigned long i = 0; i < n; i++)
        delays[i] = bench_rand(&seed) % SECOND;

    if (bench_want(cmd, "sleep")) {
        double over[BENCH_MAX_ROUNDS], cpu[BENCH_MAX_ROUNDS];
        double sys[BENCH_MAX_ROUNDS], polls[BENCH_MAX_ROUNDS];
        double drain[BENCH_MAX_ROUNDS];
        double p50[BENCH_MAX_ROUNDS], p99[BENCH_MAX_ROUNDS];
        double sp50[BENCH_MAX_ROUNDS], sp99[BENCH_MAX_ROUNDS];
        double spawn[BENCH_MAX_ROUNDS], pass[BENCH_MAX_ROUNDS];
        int64_t *steady = malloc(n * sizeof(*steady));
        BENCH_CHECK(steady != NULL);
        printf("# sleepers: %lu sleepers, %u-byte stacks, deadlines within "
               "1 s, %u rounds\n",
               n, STACK, rounds);
        for (unsigned r = 0; r < rounds; r++) {
            struct run o = {0};
            o.n = n;
            memset(lateness, 0, n * sizeof(*lateness));
            BENCH_CHECK(miou_run(NULL, sleep_main, &o, NULL) == 0);
            over[r] = ((double)o.wall_ns - (double)SECOND) / (double)n;
            cpu[r] = (double)o.cpu_ns / (double)n;
            sys[r] = (double)o.sys_ns / (double)n;
            polls[r] = (double)o.polls;
            /* The first pass: every sleeper has run once and armed its
             * timer. Sleepers whose deadline falls before its end wait
             * for it (the run queue is FIFO); the others measure the
             * wake-up path alone ("steady"). */
            uint64_t pass_end = 0;
            for (unsigned long i = 0; i < n; i++)
                if (starts[i] > pass_end)
                    pass_end = starts[i];
            size_t ns = 0;
            for (unsigned long i = 0; i < n; i++)
                if (starts[i] + delays[i] >= pass_end)
                    steady[ns++] = lateness[i];
            /* Sleepers still to wake at the end of the first pass (their
             * deadline was reached then or later, or they had not yet
             * been woken): when lateness is large the scheduler is
             * saturated and (end - pass_end) / their number is what one
             * wake-up costs. */
            size_t left = 0;
            for (unsigned long i = 0; i < n; i++)
                if (starts[i] + delays[i] + (uint64_t)lateness[i] >= pass_end)
                    left++;
            drain[r] = left ? (double)(o.end - pass_end) / (double)left : 0;
            spawn[r] = (double)(o.spawned - o.t0) / (double)n;
            pass[r] = (double)(pass_end - o.spawned) / (double)n;
            sp50[r] = (double)bench_quantile(steady, ns, 0.50);
            sp99[r] = (double)bench_quantile(steady, ns, 0.99);
            p99[r] = (double)bench_quantile(lateness, n, 0.99);
            p50[r] = (double)bench_quantile(lateness, n, 0.50);
            printf("round %u: wall %.3f s, %.0f ns per sleeper beyond 1 s "
                   "(spawn %.0f, first run %.0f)",
                   r + 1, (double)o.wall_ns / 1e9, over[r], spawn[r], pass[r]);
            if (BENCH_HAVE_PROCESS)
                printf(", cpu %.0f ns per sleeper (system %.0f)", cpu[r],
                       sys[r]);
            printf(", %.0f polls; lateness p50 %.1f us p99 %.1f "
                   "us; deadlines after the first pass (%zu sleepers) p50 "
                   "%.1f us p99 %.1f us; %zu woken after the first pass, "
                   "%.0f ns each\n",
                   polls[r], p50[r] / 1e3, p99[r] / 1e3, ns, sp50[r] / 1e3,
                   sp99[r] / 1e3, left, drain[r]);
        }
        snprintf(key, sizeof key, "n%lu_ns_beyond_1s_per_sleeper", n);
        bench_result(BENCH, key, bench_median(over, rounds), "ns");
        snprintf(key, sizeof key, "n%lu_spawn_ns_per_sleeper", n);
        bench_result(BENCH, key, bench_median(spawn, rounds), "ns");
        snprintf(key, sizeof key, "n%lu_first_run_ns_per_sleeper", n);
        bench_result(BENCH, key, bench_median(pass, rounds), "ns");
        if (BENCH_HAVE_PROCESS) {
            snprintf(key, sizeof key, "n%lu_cpu_ns_per_sleeper", n);
            bench_result(BENCH, key, bench_median(cpu, rounds), "ns");
            snprintf(key, sizeof key, "n%lu_sys_cpu_ns_per_sleeper", n);
            bench_result(BENCH, key, bench_median(sys, rounds), "ns");
        }
        snprintf(key, sizeof key, "n%lu_polls", n);
        bench_result(BENCH, key, bench_median(polls, rounds), "calls");
        snprintf(key, sizeof key, "n%lu_ns_per_wake_after_first_pass", n);
        bench_result(BENCH, key, bench_median(drain, rounds), "ns");
        snprintf(key, sizeof key, "n%lu_lateness_p50", n);
        bench_result(BENCH, key, bench_median(p50, rounds) / 1e3, "us");
        snprintf(key, sizeof key, "n%lu_lateness_p99", n);
        bench_result(BENCH, key, bench_median(p99, rounds) / 1e3, "us");
        snprintf(key, sizeof key, "n%lu_steady_lateness_p50", n);
        bench_result(BENCH, key, bench_median(sp50, rounds) / 1e3, "us");
        snprintf(key, sizeof key, "n%lu_steady_lateness_p99", n);
        bench_result(BENCH, key, bench_median(sp99, rounds) / 1e3, "us");
        free(steady);
        if (BENCH_HAVE_PROCESS) {
            snprintf(key, sizeof key, "n%lu_peak_rss", n);
            bench_result(BENCH, key, (double)bench_peak_rss() / 1048576.0,
                         "MiB");
        }
    }

    if (bench_want(cmd, "cancel")) {
        double cancel[BENCH_MAX_ROUNDS], whole[BENCH_MAX_ROUNDS];
        double mem[BENCH_MAX_ROUNDS];
        printf("# cancel: %lu sleepers of 1 h, cancelled in spawn order, "
               "%u rounds\n",
               n, rounds);
        for (unsigned r = 0; r < rounds; r++) {
            struct run o = {0};
            o.n = n;
            BENCH_CHECK(miou_run(NULL, cancel_main, &o, NULL) == 0);
            cancel[r] = (double)o.cancel_ns / (double)n;
            whole[r] = (double)(o.spawn_ns + o.cancel_ns) / (double)n;
            mem[r] = (double)o.malloc_bytes / (double)n;
            printf("round %u: %.1f ns per cancel, %.1f ns per spawned, "
                   "slept and cancelled sleeper, %.0f B malloc'd per "
                   "sleeper\n",
                   r + 1, cancel[r], whole[r], mem[r]);
        }
        snprintf(key, sizeof key, "n%lu_ns_per_cancel", n);
        bench_result(BENCH, key, bench_median(cancel, rounds), "ns");
        snprintf(key, sizeof key, "n%lu_ns_per_spawn_sleep_cancel", n);
        bench_result(BENCH, key, bench_median(whole, rounds), "ns");
        snprintf(key, sizeof key, "n%lu_malloc_per_sleeper", n);
        bench_result(BENCH, key, bench_median(mem, rounds), "B");
        if (BENCH_HAVE_PROCESS) {
            snprintf(key, sizeof key, "n%lu_peak_rss_after_cancel", n);
            bench_result(BENCH, key, (double)bench_peak_rss() / 1048576.0,
                         "MiB");
        }
    }

    if (bench_want(cmd, "os")) {
        int64_t p50, p99;
        double cpu;
        os_floor(1000, SECOND / 4, &p50, &p99, &cpu);
#if BENCH_HAVE_PROCESS
        printf("# os: ppoll lateness over 1000 sorted deadlines within "
               "250 ms: p50 %.1f us, p99 %.1f us; %.1f us of CPU per "
               "ppoll\n",
               (double)p50 / 1e3, (double)p99 / 1e3, cpu / 1e3);
        bench_result(BENCH, "os_cpu_per_ppoll", cpu / 1e3, "us");
#else
        printf("# os: solo5_yield lateness over 1000 sorted deadlines "
               "within 250 ms: p50 %.1f us, p99 %.1f us\n",
               (double)p50 / 1e3, (double)p99 / 1e3);
#endif
        bench_result(BENCH, "os_lateness_p50", (double)p50 / 1e3, "us");
        bench_result(BENCH, "os_lateness_p99", (double)p99 / 1e3, "us");
    }
    free(delays);
    free(lateness);
    free(starts);
    return 0;
}
