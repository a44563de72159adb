/*
 * test_tasks.c - spawning and awaiting one task: miou_async(),
 * miou_async_with(), miou_await(), miou_self(), miou_task_name(), the
 * order tasks run in, who may await whom, and tasks that end with live
 * children.
 */
#include <stdio.h>
#include <string.h>

#include "lib/check.h"

static int token, token2;

static void *return_arg(void *arg)
{
    return arg;
}

static void *set_flag(void *arg)
{
    *(int *)arg = 1;
    return arg;
}

/* ---- Spawning. */

static void *child_is_queued_main(void *arg)
{
    miou_task *t = NULL;
    int ran = 0;
    void *r = NULL;
    (void)arg;
    if (!CHECK_RC(miou_async(&t, set_flag, &ran), 0))
        return NULL;
    CHECK_NOT_NULL(t);
    CHECK_EQ(ran, 0);
    CHECK_TASKS(2);
    CHECK_RC(miou_await(t, &r), 0);
    CHECK_EQ(ran, 1);
    CHECK_PTR_EQ(r, &ran);
    CHECK_TASKS(1);
    return NULL;
}

static void child_is_queued_and_parent_goes_on(void)
{
    CHECK_RUN(child_is_queued_main, NULL, 0);
}

static void *child_runs_at_yield_main(void *arg)
{
    miou_task *t;
    int ran = 0;
    (void)arg;
    if (!CHECK_RC(miou_async(&t, set_flag, &ran), 0))
        return NULL;
    CHECK_RC(miou_yield(), 0);
    CHECK_EQ(ran, 1);
    /* The child has ended: the await does not change anything. */
    CHECK_RC(miou_await(t, NULL), 0);
    return NULL;
}

static void child_runs_when_the_parent_yields(void)
{
    CHECK_RUN(child_runs_at_yield_main, NULL, 0);
}

static void *async_errors_main(void *arg)
{
    miou_task *t = NULL;
    struct miou_task_options opts = {0};
    (void)arg;
    CHECK_RC(miou_async(NULL, return_arg, NULL), MIOU_EINVAL);
    CHECK_RC(miou_async(&t, NULL, NULL), MIOU_EINVAL);
    CHECK_RC(miou_async_with(NULL, NULL, return_arg, NULL), MIOU_EINVAL);
    CHECK_RC(miou_async_with(&t, NULL, NULL, NULL), MIOU_EINVAL);
    opts.stack_size = MIOU_STACK_MIN - 1;
    CHECK_RC(miou_async_with(&t, &opts, return_arg, NULL), MIOU_EINVAL);
    opts.stack_size = 1;
    CHECK_RC(miou_async_with(&t, &opts, return_arg, NULL), MIOU_EINVAL);
    /* No child was created. */
    CHECK_TASKS(1);
    CHECK_NULL(t);
    return NULL;
}

static void async_argument_errors_are_einval(void)
{
    CHECK_RUN(async_errors_main, NULL, 0);
}

static void *enomem_main(void *arg)
{
    miou_task *t = NULL;
    struct miou_task_options opts = {.stack_size = (size_t)1 << 46};
    miou_orphans o;
    (void)arg;
    miou_orphans_init(&o);
    CHECK_RC(miou_async_with(&t, &opts, return_arg, NULL), MIOU_ENOMEM);
    CHECK_NULL(t);
    CHECK_RC(miou_async_orphan(&o, &t, &opts, return_arg, NULL), MIOU_ENOMEM);
    CHECK_UEQ(miou_orphans_count(&o), 0);
    CHECK_TASKS(1);
    /* The run goes on. */
    CHECK_RC(miou_async(&t, return_arg, &token), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    return NULL;
}

static void a_stack_no_memory_can_hold_is_enomem(void)
{
    CHECK_RUN(enomem_main, NULL, 0);
}

static void *async_with_main(void *arg)
{
    miou_task *t[3];
    struct miou_task_options opts = {0};
    void *r[3] = {0};
    (void)arg;
    CHECK_RC(miou_async_with(&t[0], NULL, return_arg, &token), 0);
    opts.stack_size = MIOU_STACK_MIN;
    CHECK_RC(miou_async_with(&t[1], &opts, return_arg, &token2), 0);
    opts.stack_size = 1024 * 1024;
    opts.name = "big";
    CHECK_RC(miou_async_with(&t[2], &opts, return_arg, &token), 0);
    CHECK_STR_EQ(check_task_name(t[2]), "big");
    CHECK_TASKS(4);
    CHECK_RC(miou_await_all(t, 3, r, NULL), 0);
    CHECK_PTR_EQ(r[0], &token);
    CHECK_PTR_EQ(r[1], &token2);
    CHECK_PTR_EQ(r[2], &token);
    return NULL;
}

static void async_with_takes_null_options_min_and_big_stacks(void)
{
    CHECK_RUN(async_with_main, NULL, 0);
}

/* ---- Names and self. */

struct who {
    miou_task *self;
    char name[32];
    char name_via_self[32];
};

static void *record_who(void *arg)
{
    struct who *w = arg;
    w->self = miou_self();
    snprintf(w->name, sizeof w->name, "%s", check_task_name(NULL));
    snprintf(w->name_via_self, sizeof w->name_via_self, "%s",
             check_task_name(w->self));
    return NULL;
}

static int is_default_name(const char *s)
{
    size_t i;
    if (s == NULL || strncmp(s, "task-", 5) != 0 || s[5] == '\0')
        return 0;
    for (i = 5; s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static void *names_main(void *arg)
{
    miou_task *a, *b, *c;
    struct who wa = {0}, wb = {0}, wc = {0};
    struct miou_task_options opts = {0};
    (void)arg;
    opts.name = "worker";
    CHECK_RC(miou_async_with(&a, &opts, record_who, &wa), 0);
    CHECK_RC(miou_async(&b, record_who, &wb), 0);
    CHECK_RC(miou_async(&c, record_who, &wc), 0);
    CHECK_STR_EQ(check_task_name(a), "worker");
    /* A spawn name needs no buffer. */
    CHECK_STR_EQ(miou_task_name(a, NULL, 0), "worker");
    CHECK(is_default_name(check_task_name(b)));
    CHECK(is_default_name(check_task_name(c)));
    /* Different tasks, different numbers. */
    CHECK(strcmp(check_task_name(b), check_task_name(c)) != 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_PTR_EQ(wa.self, a);
    CHECK_PTR_EQ(wb.self, b);
    CHECK_PTR_EQ(wc.self, c);
    CHECK_STR_EQ(wa.name, "worker");
    CHECK_STR_EQ(wa.name_via_self, "worker");
    CHECK_STR_EQ(wb.name, check_task_name(b));
    CHECK_STR_EQ(wb.name_via_self, check_task_name(b));
    CHECK_STR_EQ(check_task_name(NULL), "main");
    CHECK_RC(miou_await(a, NULL), 0);
    CHECK_RC(miou_await(b, NULL), 0);
    CHECK_RC(miou_await(c, NULL), 0);
    return NULL;
}

static void tasks_have_their_name_or_a_numbered_one(void)
{
    CHECK_RUN(names_main, NULL, 0);
}

static void *self_main(void *arg)
{
    miou_task *me = miou_self();
    (void)arg;
    CHECK_NOT_NULL(me);
    CHECK_RC(miou_yield(), 0);
    CHECK_PTR_EQ(miou_self(), me);
    CHECK_RC(miou_sleep(MS(1)), 0);
    CHECK_PTR_EQ(miou_self(), me);
    return NULL;
}

static void self_is_stable_across_suspensions(void)
{
    CHECK_RUN(self_main, NULL, 0);
}

/* ---- Order. */

static void *log_name(void *arg)
{
    check_log("%s", (const char *)arg);
    return NULL;
}

static void *order_main(void *arg)
{
    static const char *names[] = {"a", "b", "c", "d", "e"};
    miou_task *t[5];
    size_t i;
    (void)arg;
    for (i = 0; i < 5; i++)
        CHECK_RC(miou_async(&t[i], log_name, (void *)names[i]), 0);
    check_log("parent");
    CHECK_RC(miou_await_all(t, 5, NULL, NULL), 0);
    CHECK_STR_EQ(check_log_text(), "parent a b c d e");
    return NULL;
}

static void children_first_run_in_spawn_order(void)
{
    CHECK_RUN(order_main, NULL, 0);
}

static void *round_task(void *arg)
{
    int i;
    for (i = 0; i < 3; i++) {
        check_log("%s%d", (const char *)arg, i);
        if (!CHECK_RC(miou_yield(), 0))
            break;
    }
    return NULL;
}

static void *round_robin_main(void *arg)
{
    miou_task *t[3];
    (void)arg;
    CHECK_RC(miou_async(&t[0], round_task, "a"), 0);
    CHECK_RC(miou_async(&t[1], round_task, "b"), 0);
    CHECK_RC(miou_async(&t[2], round_task, "c"), 0);
    CHECK_RC(miou_await_all(t, 3, NULL, NULL), 0);
    CHECK_STR_EQ(check_log_text(), "a0 b0 c0 a1 b1 c1 a2 b2 c2");
    return NULL;
}

static void yield_lets_every_other_runnable_task_run(void)
{
    CHECK_RUN(round_robin_main, NULL, 0);
}

/* ---- Who may await whom. */

struct family {
    miou_task *parent, *child, *grandchild, *sibling;
    int rc_grandchild, rc_sibling, rc_parent, rc_self;
    int go;
};

static void *grandchild_fn(void *arg)
{
    struct family *f = arg;
    /* Stay alive until the checks are done. */
    while (!f->go)
        if (miou_yield() != 0)
            break;
    return &token;
}

static void *child_with_grandchild(void *arg)
{
    struct family *f = arg;
    void *r = NULL;
    if (!CHECK_RC(miou_async(&f->grandchild, grandchild_fn, f), 0))
        return NULL;
    f->rc_self = miou_await(miou_self(), NULL);
    f->rc_parent = miou_await(f->parent, NULL);
    f->rc_sibling = miou_await(f->sibling, NULL);
    CHECK_RC(miou_await(f->grandchild, &r), 0);
    CHECK_PTR_EQ(r, &token);
    return NULL;
}

static void *sibling_fn(void *arg)
{
    struct family *f = arg;
    while (!f->go)
        if (miou_yield() != 0)
            break;
    return NULL;
}

static void *family_main(void *arg)
{
    struct family *f = arg;
    void *r = &token2;
    f->parent = miou_self();
    CHECK_RC(miou_async(&f->child, child_with_grandchild, f), 0);
    CHECK_RC(miou_async(&f->sibling, sibling_fn, f), 0);
    CHECK_RC(miou_yield(), 0);
    /* The child has spawned the grandchild and awaits it. */
    if (CHECK_NOT_NULL(f->grandchild)) {
        CHECK_RC(miou_await(f->grandchild, &r), MIOU_ENOTCHILD);
        CHECK_RC(miou_cancel(f->grandchild), MIOU_ENOTCHILD);
        CHECK_RC(miou_await_one(&f->grandchild, 1, NULL, NULL), MIOU_ENOTCHILD);
    }
    CHECK_RC(miou_await(miou_self(), NULL), MIOU_ENOTCHILD);
    CHECK_RC(miou_cancel(miou_self()), MIOU_ENOTCHILD);
    CHECK_RC(miou_await(NULL, NULL), MIOU_EINVAL);
    CHECK_RC(miou_cancel(NULL), MIOU_EINVAL);
    f->go = 1;
    CHECK_RC(miou_await(f->child, NULL), 0);
    CHECK_RC(miou_await(f->sibling, NULL), 0);
    return NULL;
}

static void awaiting_a_task_that_is_not_a_child_is_enotchild(void)
{
    struct family f = {0};
    CHECK_RUN(family_main, &f, 0);
    CHECK_RC(f.rc_self, MIOU_ENOTCHILD);
    CHECK_RC(f.rc_parent, MIOU_ENOTCHILD);
    CHECK_RC(f.rc_sibling, MIOU_ENOTCHILD);
}

static void *await_twice_main(void *arg)
{
    miou_task *t, *u;
    void *r = &token2;
    (void)arg;
    CHECK_RC(miou_async(&t, return_arg, &token), 0);
    CHECK_RC(miou_await(t, &r), 0);
    CHECK_PTR_EQ(r, &token);
    /* Released: nothing happens. */
    CHECK_RC(miou_await(t, NULL), MIOU_ENOTCHILD);
    CHECK_RC(miou_cancel(t), MIOU_ENOTCHILD);
    CHECK_RC(miou_await_all(&t, 1, NULL, NULL), MIOU_ENOTCHILD);
    CHECK_TASKS(1);
    /* Same after a cancel. */
    CHECK_RC(miou_async(&u, return_arg, &token), 0);
    CHECK_RC(miou_cancel(u), 0);
    CHECK_RC(miou_await(u, NULL), MIOU_ENOTCHILD);
    CHECK_RC(miou_cancel(u), MIOU_ENOTCHILD);
    CHECK_TASKS(1);
    return NULL;
}

static void awaiting_a_released_task_is_enotchild(void)
{
    CHECK_RUN(await_twice_main, NULL, 0);
}

/* Spawn and await one child at a time until the released child's slot is
 * used again; its old handle must still be refused, and must not reach the
 * new child that lives in the same slot. */
static void *reused_slot_main(void *arg)
{
    enum { ROUNDS = 1000 };
    miou_task *old, *young = NULL;
    int i;
    (void)arg;
    CHECK_RC(miou_async(&old, return_arg, &token), 0);
    CHECK_RC(miou_await(old, NULL), 0);
    for (i = 0; i < ROUNDS; i++) {
        CHECK_RC(miou_async(&young, return_arg, &token2), 0);
        /* The new child is alive: the stale handle must not name it. */
        CHECK_RC(miou_await(old, NULL), MIOU_ENOTCHILD);
        CHECK_RC(miou_cancel(old), MIOU_ENOTCHILD);
        CHECK_RC(miou_await(young, NULL), 0);
    }
    CHECK_TASKS(1);
    return NULL;
}

static void a_stale_handle_never_names_the_task_reusing_its_slot(void)
{
    CHECK_RUN(reused_slot_main, NULL, 0);
}

static void *await_many_main(void *arg)
{
    enum { N = 50 };
    miou_task *t[N];
    void *r;
    int i;
    (void)arg;
    for (i = 0; i < N; i++)
        CHECK_RC(miou_async(&t[i], return_arg, (void *)(intptr_t)(i + 1)), 0);
    CHECK_TASKS(N + 1);
    /* In reverse order, and not in order of ending. */
    for (i = N - 1; i >= 0; i--) {
        r = NULL;
        CHECK_RC(miou_await(t[i], &r), 0);
        CHECK_EQ((intptr_t)r, i + 1);
        CHECK_TASKS((size_t)i + 1);
    }
    return NULL;
}

static void children_can_be_awaited_in_any_order(void)
{
    CHECK_RUN(await_many_main, NULL, 0);
}

static void *await_null_result_main(void *arg)
{
    miou_task *t;
    (void)arg;
    CHECK_RC(miou_async(&t, return_arg, &token), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    return NULL;
}

static void await_accepts_a_null_result(void)
{
    CHECK_RUN(await_null_result_main, NULL, 0);
}

/* ---- Ending with live children. */

struct leak {
    int grandchild_rc;
    int grandchild_ended;
    int never_ran_called;
    size_t tasks_after;
};

static void *sleeper(void *arg)
{
    struct leak *l = arg;
    l->grandchild_rc = miou_sleep(MS(60000));
    l->grandchild_ended = 1;
    return NULL;
}

static void *never_runs(void *arg)
{
    ((struct leak *)arg)->never_ran_called = 1;
    return NULL;
}

static void *leaky_child(void *arg)
{
    miou_task *t, *u;
    CHECK_RC(miou_async(&t, sleeper, arg), 0);
    CHECK_RC(miou_yield(), 0);
    /* A second child that never gets to run. */
    CHECK_RC(miou_async(&u, never_runs, arg), 0);
    return &token;
}

static void *leaky_main(void *arg)
{
    struct leak *l = arg;
    struct miou_task_options opts = {0};
    miou_task *t;
    void *r = NULL;
    opts.name = "leaky-child";
    if (!CHECK_RC(miou_async_with(&t, &opts, leaky_child, l), 0))
        return NULL;
    CHECK_RC(miou_await(t, &r), MIOU_ECHILDREN);
    CHECK_PTR_EQ(r, &token);
    /* The children were cancelled and ended before the await returned. */
    CHECK_EQ(l->grandchild_ended, 1);
    l->tasks_after = check_tasks();
    return NULL;
}

static void ending_with_live_children_is_echildren(void)
{
    struct leak l = {.grandchild_rc = 1};
    int captured = check_capture_begin() == 0;
    const char *out;
    CHECK_RUN(leaky_main, &l, 0);
    out = captured ? check_capture_end() : NULL;
    CHECK_RC(l.grandchild_rc, MIOU_ECANCELED);
    CHECK_EQ(l.never_ran_called, 0);
    CHECK_UEQ(l.tasks_after, 1);
    if (out)
        CHECK_STR_HAS(out, "leaky-child");
    else
        check_note("console capture unsupported: message not checked");
}

static void *forget_finished_child(void *arg)
{
    miou_task *t;
    CHECK_RC(miou_async(&t, return_arg, arg), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_yield(), 0);
    /* The child has ended but was never awaited. */
    return NULL;
}

static void *forget_main(void *arg)
{
    struct miou_task_options opts = {0};
    miou_task *t;
    (void)arg;
    opts.name = "forgetful";
    CHECK_RC(miou_async_with(&t, &opts, forget_finished_child, NULL), 0);
    CHECK_RC(miou_await(t, NULL), MIOU_ECHILDREN);
    CHECK_TASKS(1);
    return NULL;
}

static void ending_with_an_ended_child_not_awaited_is_echildren(void)
{
    int captured = check_capture_begin() == 0;
    const char *out;
    CHECK_RUN(forget_main, NULL, 0);
    out = captured ? check_capture_end() : NULL;
    if (out)
        CHECK_STR_HAS(out, "forgetful");
}

static void *deep_leak(void *arg)
{
    int depth = (int)(intptr_t)arg;
    miou_task *t;
    if (depth > 0) {
        CHECK_RC(miou_async(&t, deep_leak, (void *)(intptr_t)(depth - 1)), 0);
        /* 0, or MIOU_ECANCELED once the parent has ended. */
        miou_yield();
    } else {
        CHECK_RC(miou_sleep(MS(60000)), MIOU_ECANCELED);
    }
    return NULL;
}

static void *deep_leak_main(void *arg)
{
    miou_task *t;
    (void)arg;
    CHECK_RC(miou_async(&t, deep_leak, (void *)(intptr_t)5), 0);
    CHECK_RC(miou_await(t, NULL), MIOU_ECHILDREN);
    CHECK_TASKS(1);
    return NULL;
}

static void echildren_cancels_the_whole_subtree(void)
{
    int captured = check_capture_begin() == 0;
    CHECK_RUN(deep_leak_main, NULL, 0);
    if (captured)
        check_capture_end();
}

static const struct check_case cases[] = {
    {"a spawned child is queued and the parent goes on",
     child_is_queued_and_parent_goes_on},
    {"a child runs when its parent yields", child_runs_when_the_parent_yields},
    {"async with bad arguments is MIOU_EINVAL and creates nothing",
     async_argument_errors_are_einval},
    {"a stack no memory can hold is MIOU_ENOMEM and creates nothing",
     a_stack_no_memory_can_hold_is_enomem},
    {"async_with takes NULL options, the minimum and big stacks",
     async_with_takes_null_options_min_and_big_stacks},
    {"tasks have their spawn name or task-N",
     tasks_have_their_name_or_a_numbered_one},
    {"miou_self is stable across suspensions",
     self_is_stable_across_suspensions},
    {"children first run in spawn order", children_first_run_in_spawn_order},
    {"yield lets every other runnable task run first",
     yield_lets_every_other_runnable_task_run},
    {"awaiting or cancelling a task that is not a child is MIOU_ENOTCHILD",
     awaiting_a_task_that_is_not_a_child_is_enotchild},
    {"awaiting or cancelling a released task is MIOU_ENOTCHILD",
     awaiting_a_released_task_is_enotchild},
    {"a stale handle never names the task reusing its slot",
     a_stale_handle_never_names_the_task_reusing_its_slot},
    {"children can be awaited in any order",
     children_can_be_awaited_in_any_order},
    {"await accepts a NULL result", await_accepts_a_null_result},
    {"a task ending with live children is MIOU_ECHILDREN, named on the "
     "console, children cancelled",
     ending_with_live_children_is_echildren},
    {"a task ending with an ended child not awaited is MIOU_ECHILDREN",
     ending_with_an_ended_child_not_awaited_is_echildren},
    {"MIOU_ECHILDREN cancels the whole subtree",
     echildren_cancels_the_whole_subtree},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("tasks", si, cases, CHECK_COUNT(cases));
}
