/*
 * test_await.c - the await variants over lists: miou_await_all(),
 * miou_await_first() and miou_await_one(), their results, statuses and
 * list checks.
 */
#include "lib/check.h"

static int token;

/* A child that sleeps (arg) milliseconds, logs its number and returns it;
 * the number is (arg) too. Its sleep status goes to rcs[arg]. */
static int rcs[1000];
static int ended[1000];

static void *nap(void *arg)
{
    int ms = (int)(intptr_t)arg;
    rcs[ms] = ms ? miou_sleep(MS(ms)) : 0;
    ended[ms] = 1;
    return arg;
}

static void reset(void)
{
    size_t i;
    for (i = 0; i < 1000; i++)
        rcs[i] = 1, ended[i] = 0;
}

static void *return_arg(void *arg)
{
    return arg;
}

static void *leave_child(void *arg)
{
    miou_task *t;
    CHECK_RC(miou_async(&t, nap, arg), 0);
    return arg;
}

/* ---- await_all */

static void *all_main(void *arg)
{
    miou_task *t[4];
    void *r[4] = {0};
    int st[4] = {1, 1, 1, 1};
    (void)arg;
    CHECK_RC(miou_async(&t[0], nap, (void *)(intptr_t)30), 0);
    CHECK_RC(miou_async(&t[1], nap, (void *)(intptr_t)10), 0);
    CHECK_RC(miou_async(&t[2], nap, (void *)(intptr_t)0), 0);
    CHECK_RC(miou_async(&t[3], nap, (void *)(intptr_t)20), 0);
    CHECK_RC(miou_await_all(t, 4, r, st), 0);
    CHECK_EQ((intptr_t)r[0], 30);
    CHECK_EQ((intptr_t)r[1], 10);
    CHECK_EQ((intptr_t)r[2], 0);
    CHECK_EQ((intptr_t)r[3], 20);
    CHECK_RC(st[0], 0);
    CHECK_RC(st[1], 0);
    CHECK_RC(st[2], 0);
    CHECK_RC(st[3], 0);
    CHECK_EQ(ended[30] && ended[10] && ended[20], 1);
    CHECK_TASKS(1);
    return NULL;
}

static void await_all_gives_every_result_in_list_order(void)
{
    reset();
    CHECK_RUN(all_main, NULL, 0);
}

static void *all_nulls_main(void *arg)
{
    miou_task *t[3];
    int i;
    (void)arg;
    for (i = 0; i < 3; i++)
        CHECK_RC(miou_async(&t[i], return_arg, &token), 0);
    CHECK_RC(miou_await_all(t, 3, NULL, NULL), 0);
    CHECK_TASKS(1);
    return NULL;
}

static void await_all_accepts_null_outputs(void)
{
    CHECK_RUN(all_nulls_main, NULL, 0);
}

static void *all_empty_main(void *arg)
{
    miou_task *t[1] = {NULL};
    (void)arg;
    /* Every status of an empty list is 0. */
    CHECK_RC(miou_await_all(t, 0, NULL, NULL), 0);
    CHECK_RC(miou_await_all(NULL, 0, NULL, NULL), 0);
    return NULL;
}

static void await_all_of_an_empty_list_is_0(void)
{
    CHECK_RUN(all_empty_main, NULL, 0);
}

static void *all_status_main(void *arg)
{
    miou_task *t[3];
    void *r[3] = {0};
    int st[3] = {1, 1, 1};
    struct miou_task_options opts = {.name = "leaves-a-child"};
    (void)arg;
    CHECK_RC(miou_async(&t[0], return_arg, &token), 0);
    CHECK_RC(miou_async_with(&t[1], &opts, leave_child, (void *)(intptr_t)100),
             0);
    CHECK_RC(miou_async(&t[2], return_arg, &token), 0);
    CHECK_RC(miou_await_all(t, 3, r, st), MIOU_ECHILDREN);
    CHECK_RC(st[0], 0);
    CHECK_RC(st[1], MIOU_ECHILDREN);
    CHECK_RC(st[2], 0);
    CHECK_EQ((intptr_t)r[1], 100);
    CHECK_PTR_EQ(r[2], &token);
    /* The grandchild was cancelled, before or after it started. */
    CHECK(rcs[100] == 1 || rcs[100] == MIOU_ECANCELED);
    CHECK_TASKS(1);
    return NULL;
}

static void await_all_returns_the_first_failed_status(void)
{
    int captured = check_capture_begin() == 0;
    reset();
    CHECK_RUN(all_status_main, NULL, 0);
    if (captured)
        check_capture_end();
}

struct other {
    miou_task *t;
    int rc_all, rc_first, rc_one;
};

static void *try_foreign(void *arg)
{
    struct other *o = arg;
    o->rc_all = miou_await_all(&o->t, 1, NULL, NULL);
    o->rc_first = miou_await_first(&o->t, 1, NULL, NULL);
    o->rc_one = miou_await_one(&o->t, 1, NULL, NULL);
    return NULL;
}

static void *list_checks_main(void *arg)
{
    miou_task *t[3], *bad[3], *f;
    struct other o = {0};
    int st[3] = {7, 7, 7};
    void *r[3] = {0};
    size_t idx = 99;
    (void)arg;
    CHECK_RC(miou_async(&t[0], nap, (void *)(intptr_t)5), 0);
    CHECK_RC(miou_async(&t[1], nap, (void *)(intptr_t)6), 0);
    CHECK_RC(miou_async(&t[2], nap, (void *)(intptr_t)7), 0);

    /* Listed twice. */
    bad[0] = t[0], bad[1] = t[1], bad[2] = t[0];
    CHECK_RC(miou_await_all(bad, 3, r, st), MIOU_EINVAL);
    CHECK_RC(miou_await_first(bad, 3, &idx, r), MIOU_EINVAL);
    CHECK_RC(miou_await_one(bad, 3, &idx, r), MIOU_EINVAL);
    /* A NULL entry, a NULL list. */
    bad[2] = NULL;
    CHECK_RC(miou_await_all(bad, 3, r, st), MIOU_EINVAL);
    CHECK_RC(miou_await_first(bad, 3, &idx, r), MIOU_EINVAL);
    CHECK_RC(miou_await_one(bad, 3, &idx, r), MIOU_EINVAL);
    CHECK_RC(miou_await_all(NULL, 2, r, st), MIOU_EINVAL);
    CHECK_RC(miou_await_first(NULL, 2, &idx, r), MIOU_EINVAL);
    CHECK_RC(miou_await_one(NULL, 2, &idx, r), MIOU_EINVAL);
    /* Empty lists: nothing could ever end first. */
    CHECK_RC(miou_await_first(t, 0, &idx, r), MIOU_EINVAL);
    CHECK_RC(miou_await_one(t, 0, &idx, r), MIOU_EINVAL);
    /* Not a child: itself, or a child of another task. */
    bad[2] = miou_self();
    CHECK_RC(miou_await_all(bad, 3, r, st), MIOU_ENOTCHILD);
    CHECK_RC(miou_await_first(bad, 3, &idx, r), MIOU_ENOTCHILD);
    CHECK_RC(miou_await_one(bad, 3, &idx, r), MIOU_ENOTCHILD);
    o.t = t[2];
    CHECK_RC(miou_async(&f, try_foreign, &o), 0);
    CHECK_RC(miou_await(f, NULL), 0);
    CHECK_RC(o.rc_all, MIOU_ENOTCHILD);
    CHECK_RC(o.rc_first, MIOU_ENOTCHILD);
    CHECK_RC(o.rc_one, MIOU_ENOTCHILD);
    /* Nothing was awaited, cancelled or released. */
    CHECK_EQ(idx, 99);
    CHECK_TASKS(4);
    CHECK_RC(miou_await_all(t, 3, r, st), 0);
    CHECK_RC(rcs[5], 0);
    CHECK_RC(rcs[6], 0);
    CHECK_RC(rcs[7], 0);
    CHECK_EQ((intptr_t)r[2], 7);
    return NULL;
}

static void bad_lists_are_refused_before_anything_happens(void)
{
    reset();
    CHECK_RUN(list_checks_main, NULL, 0);
}

/* ---- await_first */

static void *first_main(void *arg)
{
    miou_task *t[3];
    size_t idx = 99;
    void *r = NULL;
    uint64_t t0 = miou_clock_monotonic();
    (void)arg;
    CHECK_RC(miou_async(&t[0], nap, (void *)(intptr_t)500), 0);
    CHECK_RC(miou_async(&t[1], nap, (void *)(intptr_t)10), 0);
    CHECK_RC(miou_async(&t[2], nap, (void *)(intptr_t)600), 0);
    CHECK_RC(miou_await_first(t, 3, &idx, &r), 0);
    CHECK_UEQ(idx, 1);
    CHECK_EQ((intptr_t)r, 10);
    /* The others were cancelled, and had ended when it returned. */
    CHECK_RC(rcs[500], MIOU_ECANCELED);
    CHECK_RC(rcs[600], MIOU_ECANCELED);
    CHECK_EQ(ended[500] && ended[600], 1);
    CHECK_ULT(miou_clock_monotonic() - t0, MS(400));
    CHECK_TASKS(1);
    /* Released: */
    CHECK_RC(miou_await(t[0], NULL), MIOU_ENOTCHILD);
    CHECK_RC(miou_await(t[1], NULL), MIOU_ENOTCHILD);
    return NULL;
}

static void await_first_gives_the_first_and_cancels_the_others(void)
{
    reset();
    CHECK_RUN(first_main, NULL, 0);
}

static void *yield_then_return(void *arg)
{
    int i, n = (int)(intptr_t)arg;
    for (i = 0; i < n; i++)
        CHECK_RC(miou_yield(), 0);
    return arg;
}

static void *first_already_ended_main(void *arg)
{
    miou_task *t[3];
    size_t idx = 99;
    void *r = NULL;
    int i;
    (void)arg;
    CHECK_RC(miou_async(&t[0], yield_then_return, (void *)(intptr_t)3), 0);
    CHECK_RC(miou_async(&t[1], yield_then_return, (void *)(intptr_t)2), 0);
    CHECK_RC(miou_async(&t[2], yield_then_return, (void *)(intptr_t)1), 0);
    for (i = 0; i < 6; i++)
        CHECK_RC(miou_yield(), 0);
    /* All have ended; t[2] ended first. */
    CHECK_RC(miou_await_first(t, 3, &idx, &r), 0);
    CHECK_UEQ(idx, 2);
    CHECK_EQ((intptr_t)r, 1);
    CHECK_TASKS(1);
    return NULL;
}

static void await_first_among_ended_children_takes_the_first_to_end(void)
{
    CHECK_RUN(first_already_ended_main, NULL, 0);
}

static void *first_nulls_main(void *arg)
{
    miou_task *t;
    (void)arg;
    CHECK_RC(miou_async(&t, return_arg, &token), 0);
    CHECK_RC(miou_await_first(&t, 1, NULL, NULL), 0);
    CHECK_TASKS(1);
    return NULL;
}

static void await_first_accepts_null_outputs(void)
{
    CHECK_RUN(first_nulls_main, NULL, 0);
}

static void *first_status_main(void *arg)
{
    miou_task *t[2];
    size_t idx = 99;
    void *r = NULL;
    (void)arg;
    CHECK_RC(miou_async(&t[0], nap, (void *)(intptr_t)300), 0);
    CHECK_RC(miou_async(&t[1], leave_child, (void *)(intptr_t)301), 0);
    CHECK_RC(miou_await_first(t, 2, &idx, &r), MIOU_ECHILDREN);
    CHECK_UEQ(idx, 1);
    CHECK_EQ((intptr_t)r, 301);
    CHECK_RC(rcs[300], MIOU_ECANCELED);
    CHECK(rcs[301] == 1 || rcs[301] == MIOU_ECANCELED);
    return NULL;
}

static void await_first_returns_the_status_of_the_first(void)
{
    int captured = check_capture_begin() == 0;
    reset();
    CHECK_RUN(first_status_main, NULL, 0);
    if (captured)
        check_capture_end();
}

/* ---- await_one */

static void *one_main(void *arg)
{
    miou_task *t[3], *rest[2];
    size_t idx = 99;
    void *r = NULL;
    void *rr[2] = {0};
    (void)arg;
    CHECK_RC(miou_async(&t[0], nap, (void *)(intptr_t)40), 0);
    CHECK_RC(miou_async(&t[1], nap, (void *)(intptr_t)10), 0);
    CHECK_RC(miou_async(&t[2], nap, (void *)(intptr_t)30), 0);
    CHECK_RC(miou_await_one(t, 3, &idx, &r), 0);
    CHECK_UEQ(idx, 1);
    CHECK_EQ((intptr_t)r, 10);
    /* The others go on, still children. */
    CHECK_TASKS(3);
    CHECK_EQ(ended[40] || ended[30], 0);
    CHECK_RC(miou_await(t[1], NULL), MIOU_ENOTCHILD);
    rest[0] = t[0], rest[1] = t[2];
    CHECK_RC(miou_await_one(rest, 2, &idx, &r), 0);
    CHECK_UEQ(idx, 1);
    CHECK_EQ((intptr_t)r, 30);
    CHECK_RC(miou_await_all(rest, 1, rr, NULL), 0);
    CHECK_EQ((intptr_t)rr[0], 40);
    CHECK_RC(rcs[40], 0);
    CHECK_RC(rcs[30], 0);
    CHECK_TASKS(1);
    return NULL;
}

static void await_one_releases_one_and_leaves_the_others_running(void)
{
    reset();
    CHECK_RUN(one_main, NULL, 0);
}

static void *one_ended_main(void *arg)
{
    miou_task *t[2];
    size_t idx = 99;
    void *r = NULL;
    (void)arg;
    CHECK_RC(miou_async(&t[0], nap, (void *)(intptr_t)50), 0);
    CHECK_RC(miou_async(&t[1], return_arg, &token), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_await_one(t, 2, &idx, &r), 0);
    CHECK_UEQ(idx, 1);
    CHECK_PTR_EQ(r, &token);
    CHECK_RC(miou_await_one(t, 1, NULL, NULL), 0);
    CHECK_RC(rcs[50], 0);
    return NULL;
}

static void await_one_takes_an_ended_child_at_once(void)
{
    reset();
    CHECK_RUN(one_ended_main, NULL, 0);
}

/* ---- The caller cancelled while it awaits. */

struct waiter {
    int kind; /* 0 all, 1 first, 2 one */
    int rc;
    int st[2];
    void *r[2];
    int ended;
};

static void *await_kind(void *arg)
{
    struct waiter *w = arg;
    miou_task *t[2];
    size_t idx;
    CHECK_RC(miou_async(&t[0], nap, (void *)(intptr_t)900), 0);
    CHECK_RC(miou_async(&t[1], nap, (void *)(intptr_t)901), 0);
    switch (w->kind) {
    case 0:
        w->rc = miou_await_all(t, 2, w->r, w->st);
        break;
    case 1:
        w->rc = miou_await_first(t, 2, &idx, w->r);
        break;
    default:
        w->rc = miou_await_one(t, 2, &idx, w->r);
        /* The other is still a child: awaiting it waits for it. */
        miou_await(t[idx == 0 ? 1 : 0], NULL);
        break;
    }
    w->ended = 1;
    return NULL;
}

static void *cancel_awaiter_main(void *arg)
{
    struct waiter *w = arg;
    miou_task *t;
    CHECK_RC(miou_async(&t, await_kind, w), 0);
    CHECK_RC(miou_sleep(MS(5)), 0);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_EQ(w->ended, 1);
    CHECK_TASKS(1);
    return NULL;
}

static void a_cancelled_await_all_waits_and_is_ecanceled(void)
{
    struct waiter w = {.kind = 0, .rc = 1, .st = {1, 1}};
    reset();
    CHECK_RUN(cancel_awaiter_main, &w, 0);
    CHECK_RC(w.rc, MIOU_ECANCELED);
    CHECK_RC(w.st[0], MIOU_ECANCELED);
    CHECK_RC(w.st[1], MIOU_ECANCELED);
    CHECK_EQ((intptr_t)w.r[0], 900);
    CHECK_EQ((intptr_t)w.r[1], 901);
    CHECK_RC(rcs[900], MIOU_ECANCELED);
    CHECK_RC(rcs[901], MIOU_ECANCELED);
}

static void a_cancelled_await_first_waits_and_is_ecanceled(void)
{
    struct waiter w = {.kind = 1, .rc = 1};
    reset();
    CHECK_RUN(cancel_awaiter_main, &w, 0);
    CHECK_RC(w.rc, MIOU_ECANCELED);
    CHECK_RC(rcs[900], MIOU_ECANCELED);
    CHECK_RC(rcs[901], MIOU_ECANCELED);
    CHECK_EQ(ended[900] && ended[901], 1);
}

static void a_cancelled_await_one_waits_and_is_ecanceled(void)
{
    struct waiter w = {.kind = 2, .rc = 1};
    reset();
    CHECK_RUN(cancel_awaiter_main, &w, 0);
    CHECK_RC(w.rc, MIOU_ECANCELED);
    CHECK_RC(rcs[900], MIOU_ECANCELED);
    CHECK_RC(rcs[901], MIOU_ECANCELED);
    CHECK_EQ(ended[900] && ended[901], 1);
}

/* ---- A cancelled task's awaits are MIOU_ECANCELED, whatever the
 * child's own status. */

static void *await_after_cancel(void *arg)
{
    int *rc = arg;
    miou_task *t;
    /* The child returns at once, leaving a child of its own: it ends with
     * MIOU_ECHILDREN while this task sleeps. */
    CHECK_RC(miou_async(&t, leave_child, (void *)(intptr_t)902), 0);
    CHECK_RC(miou_sleep(MS(3600000)), MIOU_ECANCELED);
    *rc = miou_await(t, NULL);
    return NULL;
}

static void *cancel_after_child_ended_main(void *arg)
{
    miou_task *t;
    CHECK_RC(miou_async(&t, await_after_cancel, arg), 0);
    CHECK_RC(miou_sleep(MS(5)), 0);
    CHECK_RC(miou_cancel(t), 0);
    return NULL;
}

static void a_cancelled_await_of_a_child_that_left_children_is_ecanceled(void)
{
    int rc = 1;
    reset();
    CHECK_RUN(cancel_after_child_ended_main, &rc, 0);
    CHECK_RC(rc, MIOU_ECANCELED);
    /* The grandchild was cancelled before it ever ran. */
    CHECK_EQ(ended[902], 0);
}

static const struct check_case cases[] = {
    {"await_all gives every result and status in list order",
     await_all_gives_every_result_in_list_order},
    {"await_all accepts NULL outputs", await_all_accepts_null_outputs},
    {"await_all of an empty list is 0", await_all_of_an_empty_list_is_0},
    {"await_all returns the first failed status in list order",
     await_all_returns_the_first_failed_status},
    {"lists with duplicates, NULLs or non-children are refused before "
     "anything happens",
     bad_lists_are_refused_before_anything_happens},
    {"await_first gives the first to end and cancels the others",
     await_first_gives_the_first_and_cancels_the_others},
    {"await_first among ended children takes the first that ended",
     await_first_among_ended_children_takes_the_first_to_end},
    {"await_first accepts NULL outputs", await_first_accepts_null_outputs},
    {"await_first returns the status of the first to end",
     await_first_returns_the_status_of_the_first},
    {"await_one releases one child and the others keep running",
     await_one_releases_one_and_leaves_the_others_running},
    {"await_one takes an ended child at once",
     await_one_takes_an_ended_child_at_once},
    {"await_all in a cancelled task waits for the children and is "
     "MIOU_ECANCELED",
     a_cancelled_await_all_waits_and_is_ecanceled},
    {"await_first in a cancelled task waits for the children and is "
     "MIOU_ECANCELED",
     a_cancelled_await_first_waits_and_is_ecanceled},
    {"await_one in a cancelled task waits and is MIOU_ECANCELED",
     a_cancelled_await_one_waits_and_is_ecanceled},
    {"await in a cancelled task is MIOU_ECANCELED even when the child "
     "ended with live children",
     a_cancelled_await_of_a_child_that_left_children_is_ecanceled},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("await", si, cases, CHECK_COUNT(cases));
}
