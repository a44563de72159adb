/*
 * test_stacks.c - how deep tasks' stacks go (miou_config.measure_stacks):
 * the use of a live task, the deepest use of a run, the report by task
 * name at the end of the run, a reused stack measured afresh, and the
 * refusal when the run does not measure.
 */
#include <string.h>

#include "lib/check.h"

/* Write (n) bytes of stack, one frame deep, so that the compiler keeps
 * them; returns something of them. The frame is (n) bytes, not a fixed
 * buffer's: compilers that probe big frames page by page (stack clash
 * protection, on by default for aarch64) write its whole extent. */
static __attribute__((noinline)) int dig(size_t n)
{
    volatile char *buf = __builtin_alloca(n);
    for (size_t i = 0; i < n; i++)
        buf[n - 1 - i] = (char)i;
    return buf[0];
}

/* How far below what it asked for a measure may be: the frames around
 * the buffer (instrumented ones are much bigger). */
#ifdef CHECK_ASAN
#define SLACK (16u * 1024u)
#else
#define SLACK 2048u
#endif

struct depth {
    size_t ask, used, size;
    int rc;
};

static void *digger(void *arg)
{
    struct depth *d = arg;
    dig(d->ask);
    d->rc = miou_task_stack_use(NULL, &d->used, &d->size);
    return NULL;
}

static void *measure_main(void *arg)
{
    struct depth *d = arg;
    struct miou_task_options opts = {32768, "digger"};
    miou_task *t;
    CHECK_RC(miou_async_with(&t, &opts, digger, d), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    return NULL;
}

static int run_measured(miou_fn fn, void *arg)
{
    struct miou_config cfg = {0};
    cfg.measure_stacks = 1;
    return miou_run(&cfg, fn, arg, NULL);
}

static void a_task_sees_how_deep_its_stack_went(void)
{
    struct depth d = {.ask = 6000, .rc = 1};
    int capturing = check_capture_begin() == 0;
    CHECK_RC(run_measured(measure_main, &d), 0);
    const char *out = capturing ? check_capture_end() : NULL;
    CHECK_RC(d.rc, 0);
    CHECK_UGE(d.used, d.ask);
    CHECK_ULE(d.used, d.ask + SLACK);
    CHECK_UGE(d.size, 32768);
    if (out) {
        CHECK_STR_HAS(out, "miou: stack use, deepest of each task name:");
        CHECK_STR_HAS(out, "- 'digger': ");
    }
    check_note("6,000 bytes asked, %zu measured of %zu", d.used, d.size);
}

/* ---- The deepest use of the run, in miou_stats(). */

static void *deep_then_stats_main(void *arg)
{
    size_t *max = arg;
    struct miou_task_options opts = {32768, "digger"};
    struct depth d = {.ask = 10000};
    miou_task *t;
    CHECK_RC(miou_async_with(&t, &opts, digger, &d), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    struct miou_stats st;
    miou_stats(&st);
    *max = st.stack_use_max;
    return NULL;
}

static void stats_give_the_deepest_use_of_the_run(void)
{
    size_t max = 0;
    int capturing = check_capture_begin() == 0;
    CHECK_RC(run_measured(deep_then_stats_main, &max), 0);
    if (capturing)
        check_capture_end();
    CHECK_UGE(max, 10000);
    CHECK_ULE(max, 10000 + SLACK);
}

/* ---- A stack from the pool is measured afresh: a shallow task after a
 * deep one on the same stack is seen shallow. */

static void *reuse_main(void *arg)
{
    struct depth *d = arg; /* d[0] deep, d[1] shallow */
    struct miou_task_options opts = {32768, "digger"};
    for (int i = 0; i < 2; i++) {
        miou_task *t;
        CHECK_RC(miou_async_with(&t, &opts, digger, &d[i]), 0);
        CHECK_RC(miou_await(t, NULL), 0);
    }
    return NULL;
}

static void a_reused_stack_is_measured_afresh(void)
{
    struct depth d[2] = {{.ask = 12000}, {.ask = 500}};
    int capturing = check_capture_begin() == 0;
    CHECK_RC(run_measured(reuse_main, d), 0);
    if (capturing)
        check_capture_end();
    CHECK_UGE(d[0].used, 12000);
    CHECK_UGE(d[1].used, 500);
#ifdef CHECK_ASAN
    /* An instrumented frame writes its whole extent (the sanitizer's
     * frame record sits at its bottom): both tasks reach the same depth. */
    CHECK_ULE(d[1].used, d[0].used);
#else
    CHECK_ULT(d[1].used, 500 + SLACK);
#endif
}

/* ---- Not measuring: refused, and nothing printed. */

static void *unmeasured_main(void *arg)
{
    int *rc = arg;
    size_t used = 1;
    *rc = miou_task_stack_use(NULL, &used, NULL);
    return NULL;
}

static void without_measure_stacks_the_call_is_enotsup(void)
{
    int rc = 0;
    CHECK_RUN(unmeasured_main, &rc, 0);
    CHECK_RC(rc, MIOU_ENOTSUP);
    size_t used;
    CHECK_RC(miou_task_stack_use(NULL, &used, NULL), MIOU_ENOTRUNNING);
}

static const struct check_case cases[] = {
    {"a task sees how deep its stack went, and the run reports it by name",
     a_task_sees_how_deep_its_stack_went},
    {"stats give the deepest stack use of the run",
     stats_give_the_deepest_use_of_the_run},
    {"a reused stack is measured afresh", a_reused_stack_is_measured_afresh},
    {"without measure_stacks the call is MIOU_ENOTSUP",
     without_measure_stacks_the_call_is_enotsup},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("stacks", si, cases, CHECK_COUNT(cases));
}
