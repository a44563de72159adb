/*
 * bench_children - n children (16 KiB stacks) spawned, each yields once,
 * then all awaited: ns per child, and the memory a suspended task costs.
 *
 * Timed variants, each round running all of them one after the other:
 *   ours         miou_async_with() n times, then miou_await_all() (which
 *                awaits in spawn order, Miou's quadratic case)
 *   ours_newest  the same, awaited one by one newest first (miou_await)
 *   boost        n Boost.Context contexts on malloc'd 16 KiB stacks:
 *                created, run until they jump back once, resumed to their
 *                end, freed
 *
 * Then one memory pass per stack size (16 KiB, and 2 KiB = MIOU_STACK_MIN)
 * measuring, while all n tasks are suspended after their first yield:
 *   - malloc bytes in use per task (mallinfo2; on Solo5 the C library
 *     heap's statistics), and that minus the stack size: what a task
 *     costs beyond its stack (the stack's header and canary, the task
 *     struct in its slab, malloc's own overhead);
 *   - resident memory per task (/proc/self/statm), after malloc_trim()
 *     (hosted only: a unikernel has no such figure).
 * For ours, the handle array (8 B per task) is allocated inside the
 * measured window; for boost, its two arrays (16 B per context) are.
 *
 * Arguments (see common.h): n=100000 rounds=5 only=VARIANT.
 */
#include "baselines.h"
#include "common.h"

#define BENCH "children"
#define STACK (16u * 1024u)

static void *child(void *arg)
{
    BENCH_CHECK(miou_yield() == 0);
    return arg;
}

struct ours {
    unsigned long n;
    size_t stack;
    int newest_first;
    int probe; /* memory pass: measure while all are suspended */
    uint64_t ns;
    size_t malloc_bytes;
    long rss_bytes;
    size_t task_bytes; /* miou_stats(), read inside the run */
};

static void *children_main(void *arg)
{
    struct ours *o = arg;
    struct miou_task_options opts = {o->stack, NULL};
    size_t m0 = 0;
    long r0 = 0;
    if (o->probe) {
        bench_malloc_trim();
        m0 = bench_malloc_used();
        r0 = bench_rss();
    }
    uint64_t t0 = bench_now();
    miou_task **ts = malloc(o->n * sizeof(*ts));
    BENCH_CHECK(ts != NULL);
    for (unsigned long i = 0; i < o->n; i++)
        BENCH_CHECK(miou_async_with(&ts[i], &opts, child, NULL) == 0);
    if (o->probe) {
        /* Every child runs to its yield before we run again. */
        BENCH_CHECK(miou_yield() == 0);
        o->malloc_bytes = bench_malloc_used() - m0;
        o->rss_bytes = bench_rss() - r0;
        struct miou_stats st;
        miou_stats(&st);
        o->task_bytes = st.task_bytes;
    }
    if (o->newest_first) {
        for (unsigned long i = o->n; i-- > 0;)
            BENCH_CHECK(miou_await(ts[i], NULL) == 0);
    } else {
        BENCH_CHECK(miou_await_all(ts, o->n, NULL, NULL) == 0);
    }
    free(ts);
    o->ns = bench_now() - t0;
    return NULL;
}

static void run_ours(struct ours *o)
{
    BENCH_CHECK(miou_run(NULL, children_main, o, NULL) == 0);
}

struct boost_probe {
    size_t m0;
    long r0;
    size_t malloc_bytes;
    long rss_bytes;
};

static void boost_probe(void *arg)
{
    struct boost_probe *p = arg;
    p->malloc_bytes = bench_malloc_used() - p->m0;
    p->rss_bytes = bench_rss() - p->r0;
}

enum { OURS, OURS_NEWEST, BOOST, NVARIANTS };
static const char *const names[NVARIANTS] = {"ours", "ours_newest", "boost"};

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline;
    bench_malloc_setup(cmd);
    unsigned long n = bench_arg_u64(cmd, "n", 100000);
    unsigned rounds = bench_rounds(cmd);
    int have[NVARIANTS] = {1, 1, bench_have_boost()};
    double ns[NVARIANTS][BENCH_MAX_ROUNDS];

    if (!have[BOOST] && bench_want(cmd, "boost"))
        printf("# boost: " BENCH_NO_BASELINE "\n");
    printf("# children: %lu children with %u-byte stacks, each yields once, "
           "%u rounds, ns per child\n",
           n, STACK, rounds);
    for (unsigned r = 0; r < rounds; r++) {
        printf("round %u:", r + 1);
        for (int v = 0; v < NVARIANTS; v++) {
            if (!have[v] || !bench_want(cmd, names[v]))
                continue;
            if (v == BOOST) {
                uint64_t t0 = bench_now();
                BENCH_CHECK(bench_boost_children(n, STACK, NULL, NULL) == 0);
                ns[v][r] = (double)(bench_now() - t0) / (double)n;
            } else {
                struct ours o = {n, STACK, v == OURS_NEWEST, 0, 0, 0, 0, 0};
                run_ours(&o);
                ns[v][r] = (double)o.ns / (double)n;
            }
            printf(" %s %.1f", names[v], ns[v][r]);
        }
        printf("\n");
    }
    double med[NVARIANTS] = {0};
    for (int v = 0; v < NVARIANTS; v++)
        med[v] = bench_report_median(BENCH, cmd, names[v], have[v], ns[v],
                                     rounds, "child");
    bench_report_ratio(BENCH, "ours_over_boost", med[OURS], med[BOOST]);
    bench_report_ratio(BENCH, "ours_newest_over_boost", med[OURS_NEWEST],
                       med[BOOST]);

    if (bench_arg(cmd, "only"))
        return 0;
    static const size_t stacks[] = {STACK, MIOU_STACK_MIN};
    for (size_t i = 0; i < sizeof stacks / sizeof stacks[0]; i++) {
        size_t s = stacks[i];
        char key[64];
        struct ours o = {n, s, 0, 1, 0, 0, 0, 0};
        run_ours(&o);
        if (i == 0)
            bench_result(BENCH, "task_bytes", (double)o.task_bytes, "B");
        double per = (double)o.malloc_bytes / (double)n;
#if BENCH_HAVE_PROCESS
        printf("# ours, %zu-byte stacks: %.0f B malloc'd per task (%.0f "
               "beyond the stack), %.0f B resident per task\n",
               s, per, per - (double)s, (double)o.rss_bytes / (double)n);
#else
        printf("# ours, %zu-byte stacks: %.0f B malloc'd per task (%.0f "
               "beyond the stack)\n",
               s, per, per - (double)s);
#endif
        snprintf(key, sizeof key, "ours_stack%zu_malloc_per_task", s);
        bench_result(BENCH, key, per, "B");
        snprintf(key, sizeof key, "ours_stack%zu_beyond_stack", s);
        bench_result(BENCH, key, per - (double)s, "B");
        if (BENCH_HAVE_PROCESS) {
            snprintf(key, sizeof key, "ours_stack%zu_rss_per_task", s);
            bench_result(BENCH, key, (double)o.rss_bytes / (double)n, "B");
        }
        if (!have[BOOST])
            continue;
        struct boost_probe p = {0, 0, 0, 0};
        bench_malloc_trim();
        p.m0 = bench_malloc_used();
        p.r0 = bench_rss();
        BENCH_CHECK(bench_boost_children(n, s, boost_probe, &p) == 0);
        per = (double)p.malloc_bytes / (double)n;
        printf("# boost, %zu-byte stacks: %.0f B malloc'd per context (%.0f "
               "beyond the stack), %.0f B resident per context\n",
               s, per, per - (double)s, (double)p.rss_bytes / (double)n);
        snprintf(key, sizeof key, "boost_stack%zu_malloc_per_ctx", s);
        bench_result(BENCH, key, per, "B");
        snprintf(key, sizeof key, "boost_stack%zu_beyond_stack", s);
        bench_result(BENCH, key, per - (double)s, "B");
        snprintf(key, sizeof key, "boost_stack%zu_rss_per_ctx", s);
        bench_result(BENCH, key, (double)p.rss_bytes / (double)n, "B");
    }
    return 0;
}
