/*
 * bench_spawn - spawn + await of an empty task, n times in sequence: ns
 * per pair. Stacks come from the scheduler's pool after the first pair.
 *
 * Variants, each round running all of them one after the other:
 *   ours   miou_async() + miou_await() of a task returning NULL, with the
 *          default stack size (64 KiB)
 *   bare   lay out a fresh context on one reused 64 KiB stack, switch to
 *          it, run an empty function, switch back (bare switch of
 *          bench/bare_switch_x86_64.S): create + run + destroy
 *   boost  the same with make_fcontext + 2 jump_fcontext
 *
 * Arguments (see common.h): n=1000000 rounds=5 only=VARIANT.
 */
#include "baselines.h"
#include "common.h"

#define BENCH "spawn"

static void *empty(void *arg)
{
    return arg;
}

struct ours {
    unsigned long n;
    uint64_t ns;
};

static void *spawn_main(void *arg)
{
    struct ours *o = arg;
    uint64_t t0 = bench_now();
    for (unsigned long i = 0; i < o->n; i++) {
        miou_task *t;
        BENCH_CHECK(miou_async(&t, empty, NULL) == 0);
        BENCH_CHECK(miou_await(t, NULL) == 0);
    }
    o->ns = bench_now() - t0;
    return NULL;
}

static double run_ours(unsigned long n)
{
    struct ours o = {n, 0};
    BENCH_CHECK(miou_run(NULL, spawn_main, &o, NULL) == 0);
    return (double)o.ns / (double)n;
}

static double run_bare(unsigned long n)
{
    uint64_t t0 = bench_now();
    BENCH_CHECK(bare_spawn(n) == 0);
    return (double)(bench_now() - t0) / (double)n;
}

static double run_boost(unsigned long n)
{
    uint64_t t0 = bench_now();
    bench_boost_spawn(n);
    return (double)(bench_now() - t0) / (double)n;
}

enum { OURS, BARE, BOOST, NVARIANTS };
static const char *const names[NVARIANTS] = {"ours", "bare", "boost"};

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline;
    bench_malloc_setup(cmd);
    unsigned long n = bench_arg_u64(cmd, "n", 1000000);
    unsigned rounds = bench_rounds(cmd);
    int have[NVARIANTS] = {1, bench_have_bare(), bench_have_boost()};
    double ns[NVARIANTS][BENCH_MAX_ROUNDS];

    for (int v = 0; v < NVARIANTS; v++)
        if (!have[v] && bench_want(cmd, names[v]))
            printf("# %s: " BENCH_NO_BASELINE "\n", names[v]);
    printf("# spawn: %lu x (spawn + await of an empty task), %u rounds, ns "
           "per pair\n",
           n, rounds);
    for (unsigned r = 0; r < rounds; r++) {
        printf("round %u:", r + 1);
        for (int v = 0; v < NVARIANTS; v++) {
            if (!have[v] || !bench_want(cmd, names[v]))
                continue;
            switch (v) {
            case OURS:
                ns[v][r] = run_ours(n);
                break;
            case BARE:
                ns[v][r] = run_bare(n);
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
                                     rounds, "pair");
    bench_report_ratio(BENCH, "ours_over_bare", med[OURS], med[BARE]);
    bench_report_ratio(BENCH, "ours_over_boost", med[OURS], med[BOOST]);
    return 0;
}
