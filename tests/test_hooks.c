/*
 * test_hooks.c - miou_hook_add() and miou_hook_remove(): hooks run after
 * each poll for external events, may remove themselves, and end with the
 * run.
 */
#include "lib/check.h"

struct counter {
    uint64_t calls;
    uint64_t polls_at_add;
    uint64_t remove_after; /* remove itself at this call, if non-zero */
    miou_hook *self;
};

static void count(void *arg)
{
    struct counter *c = arg;
    c->calls++;
    if (c->remove_after && c->calls == c->remove_after)
        miou_hook_remove(c->self);
}

static uint64_t polls(void)
{
    struct miou_stats st;
    miou_stats(&st);
    return st.polls;
}

static void *yield_n(void *arg)
{
    int i, n = (int)(intptr_t)arg;
    for (i = 0; i < n; i++)
        if (!CHECK_RC(miou_yield(), 0))
            break;
    return NULL;
}

static void *after_each_poll_main(void *arg)
{
    struct counter a = {0}, b = {0};
    miou_hook *ha, *hb;
    miou_task *t;
    (void)arg;
    a.polls_at_add = polls();
    CHECK_RC(miou_hook_add(&ha, count, &a), 0);
    CHECK_RC(miou_async(&t, yield_n, (void *)(intptr_t)200), 0);
    yield_n((void *)(intptr_t)100);
    b.polls_at_add = polls();
    CHECK_RC(miou_hook_add(&hb, count, &b), 0);
    CHECK_RC(miou_sleep(MS(5)), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    /* Every hook ran once per poll since it was added. */
    CHECK_UGT(polls() - a.polls_at_add, 0);
    CHECK_UEQ(a.calls, polls() - a.polls_at_add);
    CHECK_UEQ(b.calls, polls() - b.polls_at_add);
    miou_hook_remove(ha);
    miou_hook_remove(hb);
    CHECK_RC(miou_sleep(MS(2)), 0);
    CHECK_UEQ(a.calls + a.polls_at_add, b.calls + b.polls_at_add);
    return NULL;
}

static void hooks_run_once_after_each_poll(void)
{
    struct miou_config cfg = {.poll_interval = 4};
    CHECK_RC(miou_run(&cfg, after_each_poll_main, NULL, NULL), 0);
}

static void *removed_main(void *arg)
{
    struct counter a = {0};
    miou_hook *h;
    uint64_t calls;
    (void)arg;
    CHECK_RC(miou_hook_add(&h, count, &a), 0);
    CHECK_RC(miou_sleep(MS(2)), 0);
    CHECK_UGT(a.calls, 0);
    miou_hook_remove(h);
    calls = a.calls;
    CHECK_RC(miou_sleep(MS(2)), 0);
    yield_n((void *)(intptr_t)100);
    CHECK_UEQ(a.calls, calls);
    return NULL;
}

static void a_removed_hook_no_longer_runs(void)
{
    struct miou_config cfg = {.poll_interval = 4};
    CHECK_RC(miou_run(&cfg, removed_main, NULL, NULL), 0);
}

static void *self_remove_main(void *arg)
{
    struct counter a = {.remove_after = 3}, b = {0};
    miou_hook *hb;
    (void)arg;
    b.polls_at_add = polls();
    CHECK_RC(miou_hook_add(&hb, count, &b), 0);
    CHECK_RC(miou_hook_add(&a.self, count, &a), 0);
    yield_n((void *)(intptr_t)200);
    CHECK_RC(miou_sleep(MS(2)), 0);
    CHECK_UEQ(a.calls, 3);
    /* The other hook was not disturbed. */
    CHECK_UEQ(b.calls, polls() - b.polls_at_add);
    miou_hook_remove(hb);
    return NULL;
}

static void a_hook_may_remove_itself(void)
{
    struct miou_config cfg = {.poll_interval = 2};
    CHECK_RC(miou_run(&cfg, self_remove_main, NULL, NULL), 0);
}

static struct counter kept;

static void *add_and_leave(void *arg)
{
    miou_hook *h;
    (void)arg;
    CHECK_RC(miou_hook_add(&h, count, &kept), 0);
    CHECK_RC(miou_sleep(MS(1)), 0);
    return NULL;
}

static void *just_sleep(void *arg)
{
    (void)arg;
    CHECK_RC(miou_sleep(MS(2)), 0);
    yield_n((void *)(intptr_t)100);
    CHECK_UGT(polls(), 0);
    return NULL;
}

static void hooks_are_removed_at_the_end_of_the_run(void)
{
    uint64_t calls;
    kept = (struct counter){0};
    CHECK_RUN(add_and_leave, NULL, 0);
    CHECK_UGT(kept.calls, 0);
    calls = kept.calls;
    CHECK_RUN(just_sleep, NULL, 0);
    CHECK_UEQ(kept.calls, calls);
}

static void *errors_main(void *arg)
{
    miou_hook *h = NULL;
    struct counter a = {0};
    (void)arg;
    CHECK_RC(miou_hook_add(NULL, count, &a), MIOU_EINVAL);
    CHECK_RC(miou_hook_add(&h, NULL, &a), MIOU_EINVAL);
    miou_hook_remove(NULL);
    CHECK_RC(miou_hook_add(&h, count, NULL), 0);
    miou_hook_remove(h);
    return NULL;
}

static void hook_add_checks_its_arguments(void)
{
    CHECK_RUN(errors_main, NULL, 0);
}

static void *added_by_child(void *arg)
{
    miou_hook **h = arg;
    CHECK_RC(miou_hook_add(h, count, &kept), 0);
    return NULL;
}

static void *child_hook_main(void *arg)
{
    miou_task *t;
    miou_hook *h = NULL;
    (void)arg;
    CHECK_RC(miou_async(&t, added_by_child, &h), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    /* A hook outlives the task that added it. */
    CHECK_RC(miou_sleep(MS(2)), 0);
    CHECK_UGT(kept.calls, 0);
    miou_hook_remove(h);
    return NULL;
}

static void a_hook_outlives_the_task_that_added_it(void)
{
    kept = (struct counter){0};
    CHECK_RUN(child_hook_main, NULL, 0);
}

static const struct check_case cases[] = {
    {"hooks run once after each poll", hooks_run_once_after_each_poll},
    {"a removed hook no longer runs", a_removed_hook_no_longer_runs},
    {"a hook may remove itself", a_hook_may_remove_itself},
    {"hooks are removed at the end of the run",
     hooks_are_removed_at_the_end_of_the_run},
    {"hook_add checks its arguments", hook_add_checks_its_arguments},
    {"a hook outlives the task that added it",
     a_hook_outlives_the_task_that_added_it},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("hooks", si, cases, CHECK_COUNT(cases));
}
