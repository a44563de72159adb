/*
 * test_orphans.c - orphan sets: miou_orphans_init(), miou_async_orphan(),
 * miou_orphans_take(), miou_orphans_wait(), miou_orphans_count().
 */
#include "lib/check.h"

static void *nap(void *arg)
{
    int ms = (int)(intptr_t)arg;
    if (ms)
        CHECK_RC(miou_sleep(MS(ms)), 0);
    return arg;
}

static void *return_arg(void *arg)
{
    return arg;
}

static void *empty_main(void *arg)
{
    miou_orphans o;
    miou_task *t = (miou_task *)&o;
    (void)arg;
    miou_orphans_init(&o);
    CHECK_UEQ(miou_orphans_count(&o), 0);
    CHECK_NULL(miou_orphans_take(&o));
    CHECK_RC(miou_orphans_wait(&o, &t), MIOU_EINVAL);
    return NULL;
}

static void an_empty_set_has_nothing_and_wait_is_einval(void)
{
    CHECK_RUN(empty_main, NULL, 0);
}

static void *take_main(void *arg)
{
    miou_orphans o;
    miou_task *a = NULL, *t;
    void *r = NULL;
    uint64_t sw;
    struct miou_stats st;
    (void)arg;
    miou_orphans_init(&o);
    CHECK_RC(miou_async_orphan(&o, &a, NULL, return_arg, (void *)"a"), 0);
    CHECK_NOT_NULL(a);
    CHECK_RC(miou_async_orphan(&o, NULL, NULL, nap, (void *)(intptr_t)20), 0);
    CHECK_UEQ(miou_orphans_count(&o), 2);
    CHECK_TASKS(3);
    /* Nothing has ended yet. */
    CHECK_NULL(miou_orphans_take(&o));
    CHECK_RC(miou_yield(), 0);
    t = miou_orphans_take(&o);
    CHECK_PTR_EQ(t, a);
    CHECK_UEQ(miou_orphans_count(&o), 1);
    CHECK_NULL(miou_orphans_take(&o));
    if (t) {
        /* Awaiting a taken task does not suspend. */
        miou_stats(&st);
        sw = st.switches;
        CHECK_RC(miou_await(t, &r), 0);
        miou_stats(&st);
        CHECK_UEQ(st.switches, sw);
        CHECK_STR_EQ((const char *)r, "a");
    }
    t = NULL;
    CHECK_RC(miou_orphans_wait(&o, &t), 0);
    CHECK_UEQ(miou_orphans_count(&o), 0);
    if (CHECK_NOT_NULL(t)) {
        CHECK_RC(miou_await(t, &r), 0);
        CHECK_EQ((intptr_t)r, 20);
    }
    CHECK_TASKS(1);
    CHECK_RC(miou_orphans_wait(&o, &t), MIOU_EINVAL);
    return NULL;
}

static void take_gives_ended_children_and_wait_waits_for_one(void)
{
    CHECK_RUN(take_main, NULL, 0);
}

static void *order_main(void *arg)
{
    static const int ms[] = {30, 10, 20, 0};
    miou_orphans o;
    miou_task *t;
    void *r;
    size_t i;
    (void)arg;
    miou_orphans_init(&o);
    for (i = 0; i < 4; i++)
        CHECK_RC(
            miou_async_orphan(&o, NULL, NULL, nap, (void *)(intptr_t)ms[i]), 0);
    while (miou_orphans_count(&o) > 0) {
        t = NULL;
        if (!CHECK_RC(miou_orphans_wait(&o, &t), 0))
            break;
        r = NULL;
        CHECK_RC(miou_await(t, &r), 0);
        check_log("%d", (int)(intptr_t)r);
    }
    CHECK_STR_EQ(check_log_text(), "0 10 20 30");
    return NULL;
}

static void children_are_collected_in_the_order_they_ended(void)
{
    CHECK_RUN(order_main, NULL, 0);
}

static void *many_main(void *arg)
{
    enum { N = 500 };
    miou_orphans o;
    miou_task *t;
    int i, n = 0;
    intptr_t sum = 0;
    void *r;
    (void)arg;
    miou_orphans_init(&o);
    for (i = 1; i <= N; i++) {
        CHECK_RC(
            miou_async_orphan(&o, NULL, NULL, return_arg, (void *)(intptr_t)i),
            0);
        /* Collect as we go, as a server does. */
        while ((t = miou_orphans_take(&o)) != NULL) {
            CHECK_RC(miou_await(t, &r), 0);
            sum += (intptr_t)r;
            n++;
        }
        if (i % 7 == 0)
            CHECK_RC(miou_yield(), 0);
    }
    while (miou_orphans_count(&o) > 0) {
        if (!CHECK_RC(miou_orphans_wait(&o, &t), 0))
            break;
        CHECK_RC(miou_await(t, &r), 0);
        sum += (intptr_t)r;
        n++;
    }
    CHECK_EQ(n, N);
    CHECK_EQ(sum, (intptr_t)N * (N + 1) / 2);
    CHECK_TASKS(1);
    return NULL;
}

static void a_server_loop_collects_every_child(void)
{
    CHECK_RUN(many_main, NULL, 0);
}

struct foreign {
    miou_orphans *o;
    int rc_spawn, rc_wait;
    miou_task *taken;
    size_t count;
};

static void *use_foreign_set(void *arg)
{
    struct foreign *f = arg;
    miou_task *t = NULL;
    f->rc_spawn = miou_async_orphan(f->o, &t, NULL, return_arg, NULL);
    f->rc_wait = miou_orphans_wait(f->o, &t);
    f->taken = miou_orphans_take(f->o);
    f->count = miou_orphans_count(f->o);
    return NULL;
}

static void *foreign_main(void *arg)
{
    miou_orphans o;
    struct foreign f = {.o = &o,
                        .rc_spawn = 1,
                        .rc_wait = 1,
                        .taken = (miou_task *)&f};
    miou_task *t, *u;
    (void)arg;
    miou_orphans_init(&o);
    CHECK_RC(miou_async_orphan(&o, &t, NULL, return_arg, NULL), 0);
    CHECK_RC(miou_async(&u, use_foreign_set, &f), 0);
    CHECK_RC(miou_await(u, NULL), 0);
    CHECK_RC(f.rc_spawn, MIOU_ENOTCHILD);
    CHECK_RC(f.rc_wait, MIOU_ENOTCHILD);
    CHECK_NULL(f.taken);
    CHECK_UEQ(f.count, 1);
    /* The owner's child is still there. */
    CHECK_UEQ(miou_orphans_count(&o), 1);
    CHECK_RC(miou_orphans_wait(&o, &t), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    CHECK_TASKS(1);
    return NULL;
}

static void another_tasks_set_is_enotchild(void)
{
    CHECK_RUN(foreign_main, NULL, 0);
}

static void *args_main(void *arg)
{
    miou_orphans o;
    miou_task *t;
    struct miou_task_options opts = {.stack_size = MIOU_STACK_MIN - 1};
    (void)arg;
    miou_orphans_init(&o);
    CHECK_RC(miou_async_orphan(NULL, &t, NULL, return_arg, NULL), MIOU_EINVAL);
    CHECK_RC(miou_async_orphan(&o, &t, NULL, NULL, NULL), MIOU_EINVAL);
    CHECK_RC(miou_async_orphan(&o, &t, &opts, return_arg, NULL), MIOU_EINVAL);
    CHECK_UEQ(miou_orphans_count(&o), 0);
    CHECK_TASKS(1);
    opts.stack_size = MIOU_STACK_MIN;
    opts.name = "orphan";
    CHECK_RC(miou_async_orphan(&o, &t, &opts, return_arg, NULL), 0);
    CHECK_STR_EQ(check_task_name(t), "orphan");
    CHECK_RC(miou_orphans_wait(&o, &t), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    return NULL;
}

static void async_orphan_checks_its_arguments_and_takes_options(void)
{
    CHECK_RUN(args_main, NULL, 0);
}

static void *leave_child(void *arg)
{
    miou_task *t;
    CHECK_RC(miou_async(&t, nap, (void *)(intptr_t)50), 0);
    return arg;
}

static void *status_main(void *arg)
{
    miou_orphans o;
    miou_task *t;
    void *r = NULL;
    (void)arg;
    miou_orphans_init(&o);
    CHECK_RC(miou_async_orphan(&o, NULL, NULL, leave_child, &o), 0);
    CHECK_RC(miou_orphans_wait(&o, &t), 0);
    CHECK_RC(miou_await(t, &r), MIOU_ECHILDREN);
    CHECK_PTR_EQ(r, &o);
    return NULL;
}

static void an_orphan_keeps_its_status(void)
{
    int captured = check_capture_begin() == 0;
    CHECK_RUN(status_main, NULL, 0);
    if (captured)
        check_capture_end();
}

static miou_orphans kept;

static void *sleep_any(void *arg)
{
    miou_sleep(MS((intptr_t)arg));
    return NULL;
}

static void *forget_orphans(void *arg)
{
    (void)arg;
    miou_orphans_init(&kept);
    CHECK_RC(
        miou_async_orphan(&kept, NULL, NULL, sleep_any, (void *)(intptr_t)0),
        0);
    CHECK_RC(
        miou_async_orphan(&kept, NULL, NULL, sleep_any, (void *)(intptr_t)50),
        0);
    CHECK_RC(miou_yield(), 0);
    return NULL;
}

static void *forget_orphans_main(void *arg)
{
    struct miou_task_options opts = {.name = "orphan-forgetter"};
    miou_task *t;
    (void)arg;
    CHECK_RC(miou_async_with(&t, &opts, forget_orphans, NULL), 0);
    CHECK_RC(miou_await(t, NULL), MIOU_ECHILDREN);
    CHECK_TASKS(1);
    return NULL;
}

static void a_task_ending_with_uncollected_orphans_is_echildren(void)
{
    int captured = check_capture_begin() == 0;
    const char *out;
    CHECK_RUN(forget_orphans_main, NULL, 0);
    out = captured ? check_capture_end() : NULL;
    if (out)
        CHECK_STR_HAS(out, "orphan-forgetter");
}

static void *cancel_orphans(void *arg)
{
    miou_task *t = NULL;
    (void)arg;
    miou_orphans_init(&kept);
    CHECK_RC(miou_async_orphan(&kept, NULL, NULL, nap, (void *)(intptr_t)0), 0);
    CHECK_RC(miou_orphans_wait(&kept, &t), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    /* Same set, reused. */
    CHECK_UEQ(miou_orphans_count(&kept), 0);
    CHECK_RC(miou_async_orphan(&kept, NULL, NULL, nap, (void *)(intptr_t)1), 0);
    CHECK_RC(miou_orphans_wait(&kept, &t), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    return NULL;
}

static void *reuse_main(void *arg)
{
    miou_task *t;
    (void)arg;
    CHECK_RC(miou_async(&t, cancel_orphans, NULL), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    return NULL;
}

static void a_set_can_be_emptied_and_reused(void)
{
    CHECK_RUN(reuse_main, NULL, 0);
}

static void *handles_main(void *arg)
{
    miou_orphans o;
    miou_task *a, *b, *c, *t = NULL;
    void *r = NULL;
    (void)arg;
    miou_orphans_init(&o);
    CHECK_RC(
        miou_async_orphan(&o, &a, NULL, sleep_any, (void *)(intptr_t)600000),
        0);
    CHECK_RC(miou_async_orphan(&o, &b, NULL, nap, (void *)(intptr_t)2), 0);
    CHECK_RC(miou_async_orphan(&o, &c, NULL, return_arg, &o), 0);
    CHECK_UEQ(miou_orphans_count(&o), 3);
    /* A child of a set is still a child: its handle may be cancelled or
     * awaited, and it leaves the set. */
    CHECK_RC(miou_cancel(a), 0);
    CHECK_UEQ(miou_orphans_count(&o), 2);
    CHECK_RC(miou_await(b, &r), 0);
    CHECK_EQ((intptr_t)r, 2);
    CHECK_UEQ(miou_orphans_count(&o), 1);
    CHECK_RC(miou_orphans_wait(&o, &t), 0);
    CHECK_PTR_EQ(t, c);
    CHECK_RC(miou_await(t, &r), 0);
    CHECK_PTR_EQ(r, &o);
    CHECK_UEQ(miou_orphans_count(&o), 0);
    CHECK_NULL(miou_orphans_take(&o));
    CHECK_TASKS(1);
    return NULL;
}

static void a_child_of_a_set_awaited_or_cancelled_by_handle_leaves_it(void)
{
    CHECK_RUN(handles_main, NULL, 0);
}

/* A server whose set lives in its own frame, as a server loop's would,
 * is cancelled with one child ended (in the set's queue) and one still
 * sleeping: when its function returns the frame is gone, and ending the
 * task must not write to the set any more (AddressSanitizer saw the
 * writes before the fix; without it they corrupted the stack). */
static void *local_set_server(void *arg)
{
    miou_orphans local;
    int *rc = arg;
    miou_orphans_init(&local);
    CHECK_RC(
        miou_async_orphan(&local, NULL, NULL, sleep_any, (void *)(intptr_t)0),
        0);
    CHECK_RC(miou_async_orphan(&local, NULL, NULL, sleep_any,
                               (void *)(intptr_t)1000),
             0);
    *rc = miou_sleep(MS(1000)); /* cancelled meanwhile */
    return NULL;
}

static void *local_set_main(void *arg)
{
    miou_task *t;
    int rc = 0;
    (void)arg;
    CHECK_RC(miou_async(&t, local_set_server, &rc), 0);
    CHECK_RC(miou_sleep(MS(10)), 0); /* the first child has ended */
    CHECK_RC(miou_cancel(t), 0);
    CHECK_RC(rc, MIOU_ECANCELED);
    CHECK_TASKS(1);
    return NULL;
}

static void a_cancelled_task_may_leave_a_set_in_its_frame(void)
{
    CHECK_RUN(local_set_main, NULL, 0);
}

static void *reap_main(void *arg)
{
    miou_orphans set;
    miou_task *last;
    (void)arg;
    miou_orphans_init(&set);
    CHECK_UEQ(miou_orphans_reap(&set), 0); /* empty: nothing, no wait */
    for (intptr_t i = 0; i < 3; i++)
        CHECK_RC(miou_async_orphan(&set, NULL, NULL, sleep_any,
                                   (void *)(intptr_t)(i == 2 ? 50 : 0)),
                 0);
    CHECK_RC(miou_sleep(MS(10)), 0); /* two have ended */
    uint64_t before = miou_clock_monotonic();
    CHECK_UEQ(miou_orphans_reap(&set), 2);
    CHECK_ULT(miou_clock_monotonic() - before, MS(40)); /* did not wait */
    CHECK_UEQ(miou_orphans_count(&set), 1);
    CHECK_UEQ(miou_orphans_reap(&set), 0);
    CHECK_RC(miou_orphans_wait(&set, &last), 0);
    CHECK_RC(miou_await(last, NULL), 0);
    CHECK_TASKS(1);
    return NULL;
}

static void reap_awaits_the_ended_children_without_waiting(void)
{
    CHECK_RUN(reap_main, NULL, 0);
}

static const struct check_case cases[] = {
    {"reap awaits the children that ended, without waiting for the others",
     reap_awaits_the_ended_children_without_waiting},
    {"a cancelled task may end with live orphans in a set of its frame",
     a_cancelled_task_may_leave_a_set_in_its_frame},
    {"an empty set has nothing to take and orphans_wait is MIOU_EINVAL",
     an_empty_set_has_nothing_and_wait_is_einval},
    {"take gives ended children, wait waits for one, the await does not "
     "suspend",
     take_gives_ended_children_and_wait_waits_for_one},
    {"children are collected in the order they ended",
     children_are_collected_in_the_order_they_ended},
    {"a server loop collects every child", a_server_loop_collects_every_child},
    {"another task's set is MIOU_ENOTCHILD", another_tasks_set_is_enotchild},
    {"async_orphan checks its arguments and takes options",
     async_orphan_checks_its_arguments_and_takes_options},
    {"an orphan keeps its status for the await", an_orphan_keeps_its_status},
    {"a task ending with uncollected orphans is MIOU_ECHILDREN, named",
     a_task_ending_with_uncollected_orphans_is_echildren},
    {"a set can be emptied and reused", a_set_can_be_emptied_and_reused},
    {"a child of a set awaited or cancelled by its handle leaves the set",
     a_child_of_a_set_awaited_or_cancelled_by_handle_leaves_it},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("orphans", si, cases, CHECK_COUNT(cases));
}
