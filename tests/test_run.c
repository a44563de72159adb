/*
 * test_run.c - miou_run(): its arguments, its errors, its configuration,
 * the calls made outside a run, and deadlock detection.
 */
#include <string.h>

#include "lib/check.h"

/* Room that looks like a task or a mutex but belongs to no run: what a
 * caller outside a run could only ever pass. */
static _Alignas(16) unsigned char fake[1024];
#define FAKE_TASK ((miou_task *)(void *)fake)

static int token;

/* ---- Arguments and results. */

static void *return_token(void *arg)
{
    CHECK_PTR_EQ(arg, &token);
    return &token;
}

static void runs_the_first_task_and_gives_its_result(void)
{
    void *result = NULL;
    CHECK_RC(miou_run(NULL, return_token, &token, &result), 0);
    CHECK_PTR_EQ(result, &token);
}

static void accepts_a_null_result_pointer(void)
{
    CHECK_RC(miou_run(NULL, return_token, &token, NULL), 0);
}

static void null_function_is_einval(void)
{
    void *result = &token;
    CHECK_RC(miou_run(NULL, NULL, NULL, &result), MIOU_EINVAL);
}

static void small_stack_is_einval(void)
{
    struct miou_config cfg = {0};
    cfg.stack_size = MIOU_STACK_MIN - 1;
    CHECK_RC(miou_run(&cfg, return_token, &token, NULL), MIOU_EINVAL);
    cfg.stack_size = 1;
    CHECK_RC(miou_run(&cfg, return_token, &token, NULL), MIOU_EINVAL);
}

static void minimum_stack_is_accepted(void)
{
    struct miou_config cfg = {0};
    void *result = NULL;
    cfg.stack_size = MIOU_STACK_MIN;
    CHECK_RC(miou_run(&cfg, return_token, &token, &result), 0);
    CHECK_PTR_EQ(result, &token);
}

static void *check_name_main(void *arg)
{
    CHECK_STR_EQ(check_task_name(NULL), (const char *)arg);
    CHECK_STR_EQ(check_task_name(miou_self()), (const char *)arg);
    return NULL;
}

static void first_task_is_named_main_by_default(void)
{
    struct miou_config cfg = {0};
    CHECK_RUN(check_name_main, "main", 0);
    CHECK_RC(miou_run(&cfg, check_name_main, "main", NULL), 0);
}

static void first_task_takes_the_configured_name(void)
{
    struct miou_config cfg = {0};
    cfg.name = "the-first-one";
    CHECK_RC(miou_run(&cfg, check_name_main, "the-first-one", NULL), 0);
}

/* The configured stack size serves the first task and every task spawned
 * without one: 128 KiB of locals fit in a 256 KiB stack. */
static void __attribute__((noinline)) use_stack(size_t n)
{
    volatile char big[128 * 1024];
    memset((char *)big, 7, n);
    CHECK_EQ(big[n - 1], 7);
}

static void *big_child(void *arg)
{
    use_stack(120 * 1024);
    return arg;
}

static void *big_main(void *arg)
{
    miou_task *t;
    void *r = NULL;
    (void)arg;
    use_stack(120 * 1024);
    if (CHECK_RC(miou_async(&t, big_child, &token), 0)) {
        CHECK_RC(miou_await(t, &r), 0);
        CHECK_PTR_EQ(r, &token);
    }
    return NULL;
}

static void configured_stack_size_is_used(void)
{
    struct miou_config cfg = {0};
    cfg.stack_size = 256 * 1024;
    CHECK_RC(miou_run(&cfg, big_main, NULL, NULL), 0);
}

static void *count_one_task(void *arg)
{
    (void)arg;
    CHECK_TASKS(1);
    return NULL;
}

static void first_task_counts_as_one_task(void)
{
    CHECK_RUN(count_one_task, NULL, 0);
}

/* A stack no memory can hold. */
#define HUGE_STACK ((size_t)1 << 46)

static void huge_first_stack_is_enomem(void)
{
    struct miou_config cfg = {0};
    void *result = &token;
    cfg.stack_size = HUGE_STACK;
    CHECK_RC(miou_run(&cfg, return_token, &token, &result), MIOU_ENOMEM);
}

/* ---- Runs do not nest; they follow one another. */

static void *nested_main(void *arg)
{
    void *result = &token;
    (void)arg;
    CHECK_RC(miou_run(NULL, return_token, &token, &result), MIOU_EBUSY);
    CHECK_RC(miou_yield(), 0);
    CHECK_TASKS(1);
    return &token;
}

static void nested_run_is_ebusy(void)
{
    void *result = NULL;
    CHECK_RC(miou_run(NULL, nested_main, NULL, &result), 0);
    CHECK_PTR_EQ(result, &token);
}

static void *count_runs(void *arg)
{
    miou_task *t;
    ++*(int *)arg;
    if (CHECK_RC(miou_async(&t, return_token, &token), 0))
        CHECK_RC(miou_await(t, NULL), 0);
    return NULL;
}

static void runs_follow_one_another(void)
{
    int i, n = 0;
    for (i = 0; i < 5; i++)
        CHECK_RUN(count_runs, &n, 0);
    CHECK_EQ(n, 5);
}

/* ---- Outside a run. */

static void stats_are_zero_before_a_run(void)
{
    struct miou_stats st;
    memset(&st, 0xFF, sizeof st);
    miou_stats(&st);
    CHECK_UEQ(st.tasks, 0);
    CHECK_UEQ(st.sleepers, 0);
    CHECK_UEQ(st.pooled_stacks, 0);
    CHECK_UEQ(st.task_bytes, 0);
    CHECK_UEQ(st.switches, 0);
    CHECK_UEQ(st.polls, 0);
}

static void *dummy(void *arg)
{
    return arg;
}

static void task_calls_outside_a_run_are_enotrunning(void)
{
    miou_task *t = NULL, *list[1] = {FAKE_TASK};
    struct miou_task_options opts = {0};
    miou_mutex m;
    miou_cond c;
    miou_orphans o;
    size_t index;
    void *r;
    int st[2];

    miou_mutex_init(&m);
    miou_cond_init(&c);
    miou_orphans_init(&o);
    CHECK_RC(miou_async(&t, dummy, NULL), MIOU_ENOTRUNNING);
    CHECK_NULL(t);
    CHECK_RC(miou_async_with(&t, &opts, dummy, NULL), MIOU_ENOTRUNNING);
    CHECK_RC(miou_async_with(&t, NULL, dummy, NULL), MIOU_ENOTRUNNING);
    CHECK_RC(miou_await(FAKE_TASK, &r), MIOU_ENOTRUNNING);
    CHECK_RC(miou_await_all(list, 1, &r, st), MIOU_ENOTRUNNING);
    CHECK_RC(miou_await_first(list, 1, &index, &r), MIOU_ENOTRUNNING);
    CHECK_RC(miou_await_one(list, 1, &index, &r), MIOU_ENOTRUNNING);
    CHECK_RC(miou_cancel(FAKE_TASK), MIOU_ENOTRUNNING);
    CHECK_RC(miou_yield(), MIOU_ENOTRUNNING);
    CHECK_RC(miou_sleep(0), MIOU_ENOTRUNNING);
    CHECK_RC(miou_sleep(MS(1)), MIOU_ENOTRUNNING);
    CHECK_RC(miou_sleep_until(0), MIOU_ENOTRUNNING);
    CHECK_RC(miou_sleep_until(miou_clock_monotonic() + MS(1)),
             MIOU_ENOTRUNNING);
    CHECK_RC(miou_async_orphan(&o, &t, NULL, dummy, NULL), MIOU_ENOTRUNNING);
    CHECK_RC(miou_orphans_wait(&o, &t), MIOU_ENOTRUNNING);
    CHECK_NULL(miou_orphans_take(&o));
    CHECK_UEQ(miou_orphans_count(&o), 0);
    CHECK_RC(miou_mutex_lock(&m), MIOU_ENOTRUNNING);
    CHECK_RC(miou_cond_wait(&c, &m), MIOU_ENOTRUNNING);
    CHECK_RC(miou_cond_wait_until(&c, &m, 0), MIOU_ENOTRUNNING);
}

static void mutex_trylock_unlock_outside_a_run_are_enotrunning(void)
{
    miou_mutex m;
    miou_mutex_init(&m);
    CHECK_RC(miou_mutex_trylock(&m), MIOU_ENOTRUNNING);
    CHECK_RC(miou_mutex_unlock(&m), MIOU_ENOTRUNNING);
}

static void hook_fn(void *arg)
{
    ++*(int *)arg;
}

static void cleanup_fn(void *arg)
{
    ++*(int *)arg;
}

static void other_calls_outside_a_run_are_harmless(void)
{
    miou_hook *h = NULL;
    miou_cond c;
    int n = 0;
    const char *name;

    CHECK_RC(miou_hook_add(&h, hook_fn, &n), MIOU_ENOTRUNNING);
    miou_hook_remove(NULL);
    CHECK_NULL(miou_cleanup_push(cleanup_fn, &n));
    CHECK_NULL(miou_self());
    CHECK_EQ(miou_cancelled(), 0);
    name = check_task_name(NULL);
    CHECK_STR_EQ(name, "?");
    miou_cond_init(&c);
    miou_cond_signal(&c);
    miou_cond_broadcast(&c);
    if (check_capture_begin() == 0) {
        const char *out;
        miou_dump();
        out = check_capture_end();
        CHECK_NOT_NULL(out);
    } else {
        miou_dump();
    }
    CHECK_EQ(n, 0);
}

static void clocks_work_outside_a_run(void)
{
    uint64_t a = miou_clock_monotonic(), b = miou_clock_monotonic();
    uint64_t w = miou_clock_wall();
    CHECK_UGE(b, a);
    CHECK_UEQ(miou_clock_monotonic() >= b, 1);
    /* Between 2020-01-01 and 2100-01-01. */
    CHECK_UGT(w, UINT64_C(1577836800) * 1000000000u);
    CHECK_ULT(w, UINT64_C(4102444800) * 1000000000u);
}

/* ---- Live children at the end of the first task. */

static void *sleep_long(void *arg)
{
    int rc = miou_sleep(MS(60000));
    if (arg)
        *(int *)arg = rc;
    return NULL;
}

static void *leave_a_child(void *arg)
{
    miou_task *t;
    CHECK_RC(miou_async(&t, sleep_long, arg), 0);
    CHECK_RC(miou_yield(), 0);
    return &token;
}

static void first_task_with_live_children_is_echildren(void)
{
    struct miou_config cfg = {0};
    void *result = NULL;
    int child_rc = 1;
    const char *out;
    int captured = check_capture_begin() == 0;

    cfg.name = "careless-first-task";
    CHECK_RC(miou_run(&cfg, leave_a_child, &child_rc, &result), MIOU_ECHILDREN);
    out = captured ? check_capture_end() : NULL;
    CHECK_PTR_EQ(result, &token);
    CHECK_RC(child_rc, MIOU_ECANCELED);
    if (out)
        CHECK_STR_HAS(out, "careless-first-task");
}

/* ---- Deadlocks. */

struct dl {
    miou_orphans o; /* outlives the first task */
    miou_mutex m;
    miou_cond c;
    int child_rc, main_rc, ended;
};

static void *lock_it(void *arg)
{
    struct dl *d = arg;
    d->child_rc = miou_mutex_lock(&d->m);
    if (d->child_rc == 0)
        miou_mutex_unlock(&d->m);
    d->ended = 1;
    return NULL;
}

static void *await_blocked_child(void *arg)
{
    struct dl *d = arg;
    miou_task *t;
    CHECK_RC(miou_mutex_lock(&d->m), 0);
    if (CHECK_RC(miou_async(&t, lock_it, d), 0))
        d->main_rc = miou_await(t, NULL);
    CHECK_RC(miou_mutex_unlock(&d->m), 0);
    return &token;
}

static void deadlock_on_a_mutex_is_edeadlk(void)
{
    struct dl d = {.child_rc = 1, .main_rc = 1};
    void *result = NULL;
    const char *out;
    int captured = check_capture_begin() == 0;
    miou_mutex_init(&d.m);
    CHECK_RC(miou_run(NULL, await_blocked_child, &d, &result), MIOU_EDEADLK);
    out = captured ? check_capture_end() : NULL;
    CHECK_RC(d.child_rc, MIOU_ECANCELED);
    CHECK_RC(d.main_rc, MIOU_ECANCELED);
    CHECK_EQ(d.ended, 1);
    CHECK_PTR_EQ(result, &token);
    /* The report names the live tasks. */
    if (out)
        CHECK_STR_HAS(out, "main");
}

static void *wait_forever(void *arg)
{
    struct dl *d = arg;
    CHECK_RC(miou_mutex_lock(&d->m), 0);
    d->main_rc = miou_cond_wait(&d->c, &d->m);
    /* Cancelled or not, the waiter holds the mutex again. */
    CHECK_RC(miou_mutex_unlock(&d->m), 0);
    return NULL;
}

static void deadlock_on_a_condition_is_edeadlk(void)
{
    struct dl d = {.main_rc = 1};
    int captured = check_capture_begin() == 0;
    miou_mutex_init(&d.m);
    miou_cond_init(&d.c);
    CHECK_RUN(wait_forever, &d, MIOU_EDEADLK);
    if (captured)
        check_capture_end();
    CHECK_RC(d.main_rc, MIOU_ECANCELED);
}

static void *cond_child(void *arg)
{
    struct dl *d = arg;
    CHECK_RC(miou_mutex_lock(&d->m), 0);
    d->child_rc = miou_cond_wait(&d->c, &d->m);
    CHECK_RC(miou_mutex_unlock(&d->m), 0);
    return NULL;
}

static void *orphans_of_blocked(void *arg)
{
    struct dl *d = arg;
    miou_orphans *o = &d->o;
    miou_task *t = NULL;
    int i;
    miou_orphans_init(o);
    for (i = 0; i < 3; i++)
        CHECK_RC(miou_async_orphan(o, NULL, NULL, cond_child, d), 0);
    d->main_rc = miou_orphans_wait(o, &t);
    /* Collect what the cancellation ended. */
    while (miou_orphans_count(o) > 0) {
        t = miou_orphans_take(o);
        if (t)
            CHECK_RC(miou_await(t, NULL), MIOU_ECANCELED);
        else if (miou_orphans_wait(o, &t) == 0)
            CHECK_RC(miou_await(t, NULL), MIOU_ECANCELED);
        else
            break;
    }
    return NULL;
}

static void deadlock_in_orphans_wait_is_edeadlk(void)
{
    struct dl d = {.main_rc = 1, .child_rc = 1};
    int captured = check_capture_begin() == 0;
    miou_mutex_init(&d.m);
    miou_cond_init(&d.c);
    CHECK_RUN(orphans_of_blocked, &d, MIOU_EDEADLK);
    if (captured)
        check_capture_end();
    CHECK_RC(d.main_rc, MIOU_ECANCELED);
    CHECK_RC(d.child_rc, MIOU_ECANCELED);
}

static void *signal_later(void *arg)
{
    struct dl *d = arg;
    CHECK_RC(miou_sleep(MS(20)), 0);
    CHECK_RC(miou_mutex_lock(&d->m), 0);
    d->ended = 1;
    miou_cond_signal(&d->c);
    CHECK_RC(miou_mutex_unlock(&d->m), 0);
    return NULL;
}

static void *wait_for_sleeper(void *arg)
{
    struct dl *d = arg;
    miou_task *t;
    if (!CHECK_RC(miou_async(&t, signal_later, d), 0))
        return NULL;
    CHECK_RC(miou_mutex_lock(&d->m), 0);
    while (!d->ended)
        if (!CHECK_RC(miou_cond_wait(&d->c, &d->m), 0))
            break;
    CHECK_RC(miou_mutex_unlock(&d->m), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    return NULL;
}

static void no_deadlock_while_a_task_sleeps(void)
{
    struct dl d = {0};
    miou_mutex_init(&d.m);
    miou_cond_init(&d.c);
    CHECK_RUN(wait_for_sleeper, &d, 0);
    CHECK_EQ(d.ended, 1);
}

static void *wait_with_deadline(void *arg)
{
    struct dl *d = arg;
    CHECK_RC(miou_mutex_lock(&d->m), 0);
    CHECK_RC(
        miou_cond_wait_until(&d->c, &d->m, miou_clock_monotonic() + MS(10)),
        MIOU_ETIMEDOUT);
    CHECK_RC(miou_mutex_unlock(&d->m), 0);
    return NULL;
}

static void no_deadlock_while_a_waiter_has_a_deadline(void)
{
    struct dl d = {0};
    miou_mutex_init(&d.m);
    miou_cond_init(&d.c);
    CHECK_RUN(wait_with_deadline, &d, 0);
}

static void *deadlock_then_more(void *arg)
{
    struct dl *d = arg;
    int rc;
    (void)rc;
    CHECK_RC(miou_mutex_lock(&d->m), 0);
    d->main_rc = miou_cond_wait(&d->c, &d->m);
    CHECK_RC(miou_mutex_unlock(&d->m), 0);
    /* Cancelled now: every suspension point answers at once. */
    CHECK_EQ(miou_cancelled(), 1);
    CHECK_RC(miou_yield(), MIOU_ECANCELED);
    CHECK_RC(miou_sleep(MS(1)), MIOU_ECANCELED);
    return NULL;
}

static void after_a_deadlock_the_first_task_is_cancelled(void)
{
    struct dl d = {.main_rc = 1};
    int captured = check_capture_begin() == 0;
    miou_mutex_init(&d.m);
    miou_cond_init(&d.c);
    CHECK_RUN(deadlock_then_more, &d, MIOU_EDEADLK);
    if (captured)
        check_capture_end();
    CHECK_RC(d.main_rc, MIOU_ECANCELED);
}

/* ---- Introspection. */

struct dumped {
    miou_mutex m;
    miou_cond c;
};

static void *dump_sleeper(void *arg)
{
    (void)arg;
    miou_sleep(MS(600000));
    return NULL;
}

static void *dump_waiter(void *arg)
{
    struct dumped *d = arg;
    if (miou_mutex_lock(&d->m) == 0) {
        miou_cond_wait(&d->c, &d->m);
        miou_mutex_unlock(&d->m);
    }
    return NULL;
}

static void *dump_parent(void *arg)
{
    struct miou_task_options opts = {.name = "dump-grandchild"};
    miou_task *t;
    (void)arg;
    if (miou_async_with(&t, &opts, dump_sleeper, NULL) == 0)
        miou_await(t, NULL);
    return NULL;
}

static void *dump_main(void *arg)
{
    struct dumped *d = arg;
    struct miou_task_options o1 = {.name = "dump-sleeper"},
                             o2 = {.name = "dump-waiter"},
                             o3 = {.name = "dump-parent"};
    miou_task *t[3];
    const char *out;
    int captured;
    CHECK_RC(miou_async_with(&t[0], &o1, dump_sleeper, d), 0);
    CHECK_RC(miou_async_with(&t[1], &o2, dump_waiter, d), 0);
    CHECK_RC(miou_async_with(&t[2], &o3, dump_parent, d), 0);
    CHECK_RC(miou_sleep(MS(1)), 0);
    captured = check_capture_begin() == 0;
    miou_dump();
    out = captured ? check_capture_end() : NULL;
    if (out) {
        CHECK_STR_HAS(out, "dump-sleeper");
        CHECK_STR_HAS(out, "dump-waiter");
        CHECK_STR_HAS(out, "dump-parent");
        CHECK_STR_HAS(out, "dump-grandchild");
        CHECK_STR_HAS(out, "main");
    } else {
        check_skip("console capture is not supported here");
    }
    CHECK_RC(miou_cancel(t[0]), 0);
    CHECK_RC(miou_cancel(t[1]), 0);
    CHECK_RC(miou_cancel(t[2]), 0);
    return NULL;
}

static void dump_lists_every_live_task(void)
{
    struct dumped d;
    miou_mutex_init(&d.m);
    miou_cond_init(&d.c);
    CHECK_RUN(dump_main, &d, 0);
}

static void *switches_main(void *arg)
{
    struct miou_stats a, b;
    miou_task *t;
    (void)arg;
    miou_stats(&a);
    CHECK_UGT(a.task_bytes, 0);
    CHECK_RC(miou_async(&t, return_token, &token), 0);
    CHECK_RC(miou_yield(), 0);
    miou_stats(&b);
    /* To the child and back at least. */
    CHECK_UGE(b.switches, a.switches + 2);
    CHECK_RC(miou_await(t, NULL), 0);
    /* A lone task's yield returns at once, and still counts. */
    miou_stats(&a);
    CHECK_RC(miou_yield(), 0);
    miou_stats(&b);
    CHECK_UGE(b.switches, a.switches);
    return NULL;
}

static void stats_count_switches(void)
{
    CHECK_RUN(switches_main, NULL, 0);
}

/* ---- The poll interval. */

static void *yield_n(void *arg)
{
    int i, n = (int)(intptr_t)arg;
    for (i = 0; i < n; i++)
        if (!CHECK_RC(miou_yield(), 0))
            break;
    return NULL;
}

static struct miou_stats poll_stats;

static void *two_yielders(void *arg)
{
    miou_task *t[2];
    (void)arg;
    CHECK_RC(miou_async(&t[0], yield_n, (void *)(intptr_t)1000), 0);
    CHECK_RC(miou_async(&t[1], yield_n, (void *)(intptr_t)1000), 0);
    CHECK_RC(miou_await_all(t, 2, NULL, NULL), 0);
    miou_stats(&poll_stats);
    return NULL;
}

static void check_polls(unsigned interval)
{
    CHECK_UGE(poll_stats.switches, 2000);
    /* At most (interval) switches between two polls; allow twice that. */
    CHECK_UGE(poll_stats.polls, poll_stats.switches / (2u * interval));
}

static void poll_interval_bounds_switches_between_polls(void)
{
    struct miou_config cfg = {0};
    cfg.poll_interval = 8;
    CHECK_RC(miou_run(&cfg, two_yielders, NULL, NULL), 0);
    check_polls(8);
    cfg.poll_interval = 1;
    CHECK_RC(miou_run(&cfg, two_yielders, NULL, NULL), 0);
    check_polls(1);
}

static void default_poll_interval_is_used(void)
{
    CHECK_RUN(two_yielders, NULL, 0);
    check_polls(MIOU_POLL_INTERVAL_DEFAULT);
}

static const struct check_case cases[] = {
    {"miou_run runs the first task and gives its result",
     runs_the_first_task_and_gives_its_result},
    {"miou_run accepts a NULL result pointer", accepts_a_null_result_pointer},
    {"miou_run with a NULL function is MIOU_EINVAL", null_function_is_einval},
    {"miou_run with a stack below MIOU_STACK_MIN is MIOU_EINVAL",
     small_stack_is_einval},
    {"miou_run with a first stack no memory can hold is MIOU_ENOMEM",
     huge_first_stack_is_enomem},
    {"miou_run accepts a stack of MIOU_STACK_MIN bytes",
     minimum_stack_is_accepted},
    {"the first task is named main by default",
     first_task_is_named_main_by_default},
    {"the first task takes the configured name",
     first_task_takes_the_configured_name},
    {"the configured stack size serves the first task and its children",
     configured_stack_size_is_used},
    {"the first task counts as one task", first_task_counts_as_one_task},
    {"miou_run inside a run is MIOU_EBUSY and the outer run goes on",
     nested_run_is_ebusy},
    {"runs follow one another", runs_follow_one_another},
    {"miou_stats is all zero before any run", stats_are_zero_before_a_run},
    {"calls that need a task are MIOU_ENOTRUNNING outside a run",
     task_calls_outside_a_run_are_enotrunning},
    {"mutex trylock and unlock are MIOU_ENOTRUNNING outside a run",
     mutex_trylock_unlock_outside_a_run_are_enotrunning},
    {"other calls outside a run are harmless",
     other_calls_outside_a_run_are_harmless},
    {"the clocks work outside a run", clocks_work_outside_a_run},
    {"a first task ending with live children is MIOU_ECHILDREN, named on "
     "the console",
     first_task_with_live_children_is_echildren},
    {"a deadlock on a mutex makes miou_run return MIOU_EDEADLK",
     deadlock_on_a_mutex_is_edeadlk},
    {"a deadlock on a condition makes miou_run return MIOU_EDEADLK",
     deadlock_on_a_condition_is_edeadlk},
    {"a deadlock in orphans_wait makes miou_run return MIOU_EDEADLK",
     deadlock_in_orphans_wait_is_edeadlk},
    {"after a deadlock the first task is cancelled",
     after_a_deadlock_the_first_task_is_cancelled},
    {"no deadlock is reported while a task sleeps",
     no_deadlock_while_a_task_sleeps},
    {"no deadlock is reported while a waiter has a deadline",
     no_deadlock_while_a_waiter_has_a_deadline},
    {"miou_dump lists every live task by name", dump_lists_every_live_task},
    {"stats count switches and give the size of a task", stats_count_switches},
    {"the configured poll interval bounds the switches between polls",
     poll_interval_bounds_switches_between_polls},
    {"the default poll interval bounds the switches between polls",
     default_poll_interval_is_used},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("run", si, cases, CHECK_COUNT(cases));
}
