/*
 * bench_switch - yield ping-pong between two tasks: each of 2 tasks calls
 * miou_yield() n times (2n switches); the figure is ns per switch.
 *
 * Variants, each round running all of them one after the other:
 *   ours         miou_run with the default poll interval (every 64
 *                switches the scheduler reads the clock and polls)
 *   ours_nopoll  the same with a poll interval of 2^30: the switch alone
 *   bare         two contexts switching with bench/bare_switch_x86_64.S
 *                (control words saved and restored, plain ret): the
 *                baseline
 *   bare_nofpu   the same without the control words (for information)
 *   boost        Boost.Context jump_fcontext ping-pong
 *
 * Arguments (see common.h): n=1000000 rounds=5 only=VARIANT.
 */
#include "baselines.h"
#include "common.h"

#define BENCH "switch"

struct yield_arg {
    unsigned long n;
};

static void *yielder(void *arg)
{
    const struct yield_arg *a = arg;
    for (unsigned long i = 0; i < a->n; i++)
        BENCH_CHECK(miou_yield() == 0);
    return NULL;
}

struct ours {
    unsigned long n;
    uint64_t ns;
    struct miou_stats stats;
};

static void *pingpong_main(void *arg)
{
    struct ours *o = arg;
    struct yield_arg ya = {o->n};
    miou_task *t[2];
    struct miou_stats before;
    miou_stats(&before);
    uint64_t t0 = bench_now();
    BENCH_CHECK(miou_async(&t[0], yielder, &ya) == 0);
    BENCH_CHECK(miou_async(&t[1], yielder, &ya) == 0);
    BENCH_CHECK(miou_await_all(t, 2, NULL, NULL) == 0);
    o->ns = bench_now() - t0;
    miou_stats(&o->stats);
    o->stats.switches -= before.switches;
    o->stats.polls -= before.polls;
    return NULL;
}

/* ns per switch of one run of ours. */
static double run_ours(unsigned long n, unsigned poll_interval,
                       struct miou_stats *stats)
{
    struct miou_config cfg = {0};
    cfg.poll_interval = poll_interval;
    struct ours o = {n, 0, {0}};
    BENCH_CHECK(miou_run(&cfg, pingpong_main, &o, NULL) == 0);
    if (stats)
        *stats = o.stats;
    return (double)o.ns / (2.0 * (double)n);
}

static double run_bare(unsigned long n, int fpu)
{
    uint64_t t0 = bench_now();
    BENCH_CHECK(bare_pingpong(n, fpu) == 0);
    return (double)(bench_now() - t0) / (2.0 * (double)n);
}

static double run_boost(unsigned long n)
{
    uint64_t t0 = bench_now();
    bench_boost_pingpong(n);
    return (double)(bench_now() - t0) / (2.0 * (double)n);
}

enum { OURS, OURS_NOPOLL, BARE, BARE_NOFPU, BOOST, NVARIANTS };
static const char *const names[NVARIANTS] = {"ours", "ours_nopoll", "bare",
                                             "bare_nofpu", "boost"};

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline;
    bench_malloc_setup(cmd);
    unsigned long n = bench_arg_u64(cmd, "n", 1000000);
    unsigned rounds = bench_rounds(cmd);
    int have[NVARIANTS] = {1, 1, bench_have_bare(), bench_have_bare(),
                           bench_have_boost()};
    double ns[NVARIANTS][BENCH_MAX_ROUNDS];
    struct miou_stats st = {0};

    for (int v = 0; v < NVARIANTS; v++)
        if (!have[v] && bench_want(cmd, names[v]))
            printf("# %s: " BENCH_NO_BASELINE "\n", names[v]);
    printf("# switch: 2 tasks x %lu yields, %u rounds, ns per switch\n", n,
           rounds);
    for (unsigned r = 0; r < rounds; r++) {
        printf("round %u:", r + 1);
        for (int v = 0; v < NVARIANTS; v++) {
            if (!have[v] || !bench_want(cmd, names[v]))
                continue;
            switch (v) {
            case OURS:
                ns[v][r] = run_ours(n, 0, &st);
                break;
            case OURS_NOPOLL:
                ns[v][r] = run_ours(n, 1u << 30, NULL);
                break;
            case BARE:
                ns[v][r] = run_bare(n, 1);
                break;
            case BARE_NOFPU:
                ns[v][r] = run_bare(n, 0);
                break;
            case BOOST:
                ns[v][r] = run_boost(n);
                break;
            }
            printf(" %s %.2f", names[v], ns[v][r]);
        }
        printf("\n");
    }
    double med[NVARIANTS] = {0};
    for (int v = 0; v < NVARIANTS; v++)
        med[v] = bench_report_median(BENCH, cmd, names[v], have[v], ns[v],
                                     rounds, "switch");
    if (bench_want(cmd, "ours"))
        printf("# ours: %llu switches and %llu polls for %lu yields\n",
               (unsigned long long)st.switches, (unsigned long long)st.polls,
               2 * n);
    bench_report_ratio(BENCH, "ours_over_bare", med[OURS], med[BARE]);
    bench_report_ratio(BENCH, "ours_nopoll_over_bare", med[OURS_NOPOLL],
                       med[BARE]);
    bench_report_ratio(BENCH, "ours_over_boost", med[OURS], med[BOOST]);
    bench_report_ratio(BENCH, "boost_over_bare", med[BOOST], med[BARE]);
    return 0;
}
