/*
 * bench_mutex - mutex + condition ping-pong between two tasks: a turn
 * passes from one task to the other 2n times, each pass under the mutex
 * (wait on the condition until it is my turn, give the turn away, signal).
 * The figure is ns per handoff.
 *
 * Variants, each round running all of them one after the other:
 *   ours   miou_mutex_* and miou_cond_*
 *   yield  our plain yield ping-pong (what a handoff costs at least)
 *   bare   the bare switch ping-pong of bench_switch (baseline)
 *
 * Arguments (see common.h): n=1000000 rounds=5 only=VARIANT.
 */
#include "baselines.h"
#include "common.h"

#define BENCH "mutex"

struct game {
    miou_mutex mutex;
    miou_cond cond;
    int turn;
    unsigned long n;
};

struct player {
    struct game *g;
    int me;
};

static void *play(void *arg)
{
    const struct player *p = arg;
    struct game *g = p->g;
    BENCH_CHECK(miou_mutex_lock(&g->mutex) == 0);
    for (unsigned long i = 0; i < g->n; i++) {
        while (g->turn != p->me)
            BENCH_CHECK(miou_cond_wait(&g->cond, &g->mutex) == 0);
        g->turn = 1 - p->me;
        miou_cond_signal(&g->cond);
    }
    BENCH_CHECK(miou_mutex_unlock(&g->mutex) == 0);
    return NULL;
}

static void *yielder(void *arg)
{
    const struct game *g = arg;
    for (unsigned long i = 0; i < g->n; i++)
        BENCH_CHECK(miou_yield() == 0);
    return NULL;
}

struct ours {
    unsigned long n;
    int yield;
    uint64_t ns;
    uint64_t switches;
};

static void *game_main(void *arg)
{
    struct ours *o = arg;
    struct game g;
    struct player p[2] = {{&g, 0}, {&g, 1}};
    miou_task *t[2];
    struct miou_stats s0, s1;
    miou_mutex_init(&g.mutex);
    miou_cond_init(&g.cond);
    g.turn = 0;
    g.n = o->n;
    miou_stats(&s0);
    uint64_t t0 = bench_now();
    if (o->yield) {
        BENCH_CHECK(miou_async(&t[0], yielder, &g) == 0);
        BENCH_CHECK(miou_async(&t[1], yielder, &g) == 0);
    } else {
        BENCH_CHECK(miou_async(&t[0], play, &p[0]) == 0);
        BENCH_CHECK(miou_async(&t[1], play, &p[1]) == 0);
    }
    BENCH_CHECK(miou_await_all(t, 2, NULL, NULL) == 0);
    o->ns = bench_now() - t0;
    miou_stats(&s1);
    o->switches = s1.switches - s0.switches;
    return NULL;
}

static double run_ours(unsigned long n, int yield, uint64_t *switches)
{
    struct ours o = {n, yield, 0, 0};
    BENCH_CHECK(miou_run(NULL, game_main, &o, NULL) == 0);
    *switches = o.switches;
    return (double)o.ns / (2.0 * (double)n);
}

enum { OURS, YIELD, BARE, NVARIANTS };
static const char *const names[NVARIANTS] = {"ours", "yield", "bare"};

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline;
    bench_malloc_setup(cmd);
    unsigned long n = bench_arg_u64(cmd, "n", 1000000);
    unsigned rounds = bench_rounds(cmd);
    int have[NVARIANTS] = {1, 1, bench_have_bare()};
    double ns[NVARIANTS][BENCH_MAX_ROUNDS];
    uint64_t switches = 0, yswitches = 0;

    if (!have[BARE] && bench_want(cmd, "bare"))
        printf("# bare: " BENCH_NO_BASELINE "\n");
    printf("# mutex: 2 tasks x %lu handoffs, %u rounds, ns per handoff (per "
           "switch for yield and bare)\n",
           n, rounds);
    for (unsigned r = 0; r < rounds; r++) {
        printf("round %u:", r + 1);
        for (int v = 0; v < NVARIANTS; v++) {
            if (!have[v] || !bench_want(cmd, names[v]))
                continue;
            switch (v) {
            case OURS:
                ns[v][r] = run_ours(n, 0, &switches);
                break;
            case YIELD:
                ns[v][r] = run_ours(n, 1, &yswitches);
                break;
            case BARE: {
                uint64_t t0 = bench_now();
                BENCH_CHECK(bare_pingpong(n, 1) == 0);
                ns[v][r] = (double)(bench_now() - t0) / (2.0 * (double)n);
                break;
            }
            }
            printf(" %s %.2f", names[v], ns[v][r]);
        }
        printf("\n");
    }
    double med[NVARIANTS] = {0};
    for (int v = 0; v < NVARIANTS; v++)
        med[v] = bench_report_median(BENCH, cmd, names[v], have[v], ns[v],
                                     rounds, v == OURS ? "handoff" : "switch");
    if (bench_want(cmd, "ours"))
        printf("# ours: %.3f switches per handoff\n",
               (double)switches / (2.0 * (double)n));
    bench_report_ratio(BENCH, "ours_over_bare", med[OURS], med[BARE]);
    bench_report_ratio(BENCH, "ours_over_yield", med[OURS], med[YIELD]);
    return 0;
}
