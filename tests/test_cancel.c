/*
 * test_cancel.c - miou_cancel(), cancellation reaching every kind of
 * suspension point, what a cancelled task may still do, the interleavings
 * of cancellation with awaits and other cancellations, and cleanups.
 */
#include "lib/check.h"

static int token;

/* ---- Blocking in every kind of suspension point. */

enum kind {
    K_SLEEP,
    K_SLEEP_UNTIL,
    K_YIELD,
    K_AWAIT,
    K_AWAIT_ALL,
    K_AWAIT_FIRST,
    K_AWAIT_ONE,
    K_CANCEL_OTHER, /* unused as a kind to block in: see interleavings */
    K_LOCK,
    K_COND,
    K_COND_UNTIL,
    K_ORPHANS,
    K_COUNT
};

struct world {
    miou_mutex held; /* locked by the test's main task throughout */
    miou_mutex cm;   /* the mutex of the condition */
    miou_cond c;
};

struct blocker {
    struct world *w;
    enum kind kind;
    int rc;    /* what the suspension point returned */
    int extra; /* a second check, 0 when fine */
    int ended;
    int started;
    miou_orphans o; /* outlives the task, which ends with it not empty */
};

static void *sleep_forever(void *arg)
{
    int rc = miou_sleep(MS(600000));
    if (arg)
        *(int *)arg = rc;
    return arg;
}

static void *block(void *arg)
{
    struct blocker *b = arg;
    struct world *w = b->w;
    miou_task *t[2] = {0};
    size_t idx = 0;
    int child_rc[2] = {1, 1};

    b->started = 1;
    switch (b->kind) {
    case K_SLEEP:
        b->rc = miou_sleep(MS(600000));
        break;
    case K_SLEEP_UNTIL:
        b->rc = miou_sleep_until(miou_clock_monotonic() + MS(600000));
        break;
    case K_YIELD:
        while ((b->rc = miou_yield()) == 0)
            ;
        break;
    case K_AWAIT:
        miou_async(&t[0], sleep_forever, &child_rc[0]);
        b->rc = miou_await(t[0], NULL);
        b->extra = child_rc[0] != MIOU_ECANCELED;
        break;
    case K_AWAIT_ALL:
    case K_AWAIT_FIRST:
    case K_AWAIT_ONE:
        miou_async(&t[0], sleep_forever, &child_rc[0]);
        miou_async(&t[1], sleep_forever, &child_rc[1]);
        if (b->kind == K_AWAIT_ALL) {
            b->rc = miou_await_all(t, 2, NULL, NULL);
        } else if (b->kind == K_AWAIT_FIRST) {
            b->rc = miou_await_first(t, 2, &idx, NULL);
        } else {
            b->rc = miou_await_one(t, 2, &idx, NULL);
            miou_await(t[1 - idx], NULL);
        }
        b->extra =
            child_rc[0] != MIOU_ECANCELED || child_rc[1] != MIOU_ECANCELED;
        break;
    case K_LOCK:
        b->rc = miou_mutex_lock(&w->held);
        if (b->rc == 0)
            miou_mutex_unlock(&w->held);
        break;
    case K_COND:
    case K_COND_UNTIL:
        miou_mutex_lock(&w->cm);
        if (b->kind == K_COND)
            b->rc = miou_cond_wait(&w->c, &w->cm);
        else
            b->rc = miou_cond_wait_until(&w->c, &w->cm,
                                         miou_clock_monotonic() + MS(600000));
        /* The waiter holds the mutex again. */
        b->extra = miou_mutex_unlock(&w->cm) != 0;
        break;
    case K_ORPHANS:
        miou_orphans_init(&b->o);
        miou_async_orphan(&b->o, NULL, NULL, sleep_forever, NULL);
        miou_async_orphan(&b->o, NULL, NULL, sleep_forever, NULL);
        b->rc = miou_orphans_wait(&b->o, &t[0]);
        /* The children are cancelled with their parent; it ends with them
         * in the set and the runtime collects them. */
        break;
    default:
        break;
    }
    b->ended = 1;
    return NULL;
}

static const char *kind_name[K_COUNT] = {
    "sleep",      "sleep_until", "yield",           "await",
    "await_all",  "await_first", "await_one",       "-",
    "mutex_lock", "cond_wait",   "cond_wait_until", "orphans_wait"};

static void world_init(struct world *w)
{
    miou_mutex_init(&w->held);
    miou_mutex_init(&w->cm);
    miou_cond_init(&w->c);
}

static void *cancel_blocked_main(void *arg)
{
    struct blocker *b = arg;
    miou_task *t;
    int i;
    CHECK_RC(miou_mutex_lock(&b->w->held), 0);
    if (!CHECK_RC(miou_async(&t, block, b), 0))
        return NULL;
    /* Let it reach its suspension point (and its children theirs). */
    for (i = 0; i < 5; i++)
        CHECK_RC(miou_yield(), 0);
    CHECK_EQ(b->started, 1);
    CHECK_EQ(b->ended, 0);
    CHECK_RC(miou_cancel(t), 0);
    /* It had ended, with its descendants, when cancel returned. */
    CHECK_EQ(b->ended, 1);
    CHECK_TASKS(1);
    CHECK_RC(miou_mutex_unlock(&b->w->held), 0);
    return NULL;
}

static void cancel_reaches(enum kind k)
{
    struct world w;
    struct blocker b = {.w = &w, .kind = k, .rc = 1};
    uint64_t t0 = miou_clock_monotonic();
    world_init(&w);
    CHECK_RUN(cancel_blocked_main, &b, 0);
    if (!CHECK_RC(b.rc, MIOU_ECANCELED))
        check_note("in %s", kind_name[k]);
    CHECK_EQ(b.extra, 0);
    /* Promptly, not at the end of a sleep. */
    CHECK_ULT(miou_clock_monotonic() - t0, MS(5000));
}

static void reaches_sleep(void)
{
    cancel_reaches(K_SLEEP);
}
static void reaches_sleep_until(void)
{
    cancel_reaches(K_SLEEP_UNTIL);
}
static void reaches_yield(void)
{
    cancel_reaches(K_YIELD);
}
static void reaches_await(void)
{
    cancel_reaches(K_AWAIT);
}
static void reaches_await_all(void)
{
    cancel_reaches(K_AWAIT_ALL);
}
static void reaches_await_first(void)
{
    cancel_reaches(K_AWAIT_FIRST);
}
static void reaches_await_one(void)
{
    cancel_reaches(K_AWAIT_ONE);
}
static void reaches_lock(void)
{
    cancel_reaches(K_LOCK);
}
static void reaches_cond(void)
{
    cancel_reaches(K_COND);
}
static void reaches_cond_until(void)
{
    cancel_reaches(K_COND_UNTIL);
}
static void reaches_orphans(void)
{
    cancel_reaches(K_ORPHANS);
}

/* ---- What a cancelled task may still do. */

struct after {
    struct world *w;
    int rc_yield, rc_sleep0, rc_sleep, rc_until, rc_lock, rc_cond, cond_held,
        rc_orphans, rc_async, rc_async_orphan, cancelled_before,
        cancelled_after, rc_trylock, rc_cancel_child, child_rc;
    size_t tasks_before, tasks_after;
    uint64_t switches_before, switches_after;
    int done;
};

static void *after_cancel(void *arg)
{
    struct after *a = arg;
    struct world *w = a->w;
    struct miou_stats st;
    miou_orphans o;
    miou_task *t = NULL, *child;

    CHECK_RC(miou_async(&child, sleep_forever, &a->child_rc), 0);
    a->cancelled_before = miou_cancelled();
    CHECK_RC(miou_sleep(MS(600000)), MIOU_ECANCELED);
    a->cancelled_after = miou_cancelled();
    miou_orphans_init(&o);
    miou_stats(&st);
    a->tasks_before = st.tasks;
    a->switches_before = st.switches;
    /* None of these suspends. */
    a->rc_yield = miou_yield();
    a->rc_sleep0 = miou_sleep(0);
    a->rc_sleep = miou_sleep(MS(1));
    a->rc_until = miou_sleep_until(0);
    a->rc_lock = miou_mutex_lock(&w->held);
    a->rc_trylock = miou_mutex_trylock(&w->held);
    CHECK_RC(miou_mutex_trylock(&w->cm), 0);
    a->rc_cond = miou_cond_wait_until(&w->c, &w->cm, UINT64_MAX);
    a->cond_held = miou_mutex_unlock(&w->cm) == 0;
    a->rc_async = miou_async(&t, sleep_forever, NULL);
    a->rc_async_orphan = miou_async_orphan(&o, &t, NULL, sleep_forever, NULL);
    miou_stats(&st);
    a->tasks_after = st.tasks;
    a->switches_after = st.switches;
    /* Cancelling its own (already cancelled) child still waits for it. */
    a->rc_cancel_child = miou_cancel(child);
    a->done = 1;
    return NULL;
}

static void *cancelled_task_main(void *arg)
{
    struct after *a = arg;
    miou_task *t;
    CHECK_RC(miou_mutex_lock(&a->w->held), 0);
    CHECK_RC(miou_async(&t, after_cancel, a), 0);
    /* Both the task and its child are asleep. */
    CHECK_RC(miou_sleep(MS(1)), 0);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_EQ(a->done, 1);
    CHECK_RC(miou_mutex_unlock(&a->w->held), 0);
    return NULL;
}

static void a_cancelled_task_gets_ecanceled_without_suspending(void)
{
    struct world w;
    struct after a = {.w = &w};
    world_init(&w);
    CHECK_RUN(cancelled_task_main, &a, 0);
    CHECK_EQ(a.cancelled_before, 0);
    CHECK_EQ(a.cancelled_after, 1);
    CHECK_RC(a.rc_yield, MIOU_ECANCELED);
    CHECK_RC(a.rc_sleep0, MIOU_ECANCELED);
    CHECK_RC(a.rc_sleep, MIOU_ECANCELED);
    CHECK_RC(a.rc_until, MIOU_ECANCELED);
    CHECK_RC(a.rc_lock, MIOU_ECANCELED);
    CHECK_RC(a.rc_trylock, MIOU_EBUSY);
    CHECK_RC(a.rc_cond, MIOU_ECANCELED);
    CHECK_EQ(a.cond_held, 1);
    CHECK_UEQ(a.switches_after, a.switches_before);
    CHECK_RC(a.child_rc, MIOU_ECANCELED);
    CHECK(a.rc_cancel_child == 0 || a.rc_cancel_child == MIOU_ECANCELED);
}

static void a_cancelled_task_cannot_spawn(void)
{
    struct world w;
    struct after a = {.w = &w};
    world_init(&w);
    CHECK_RUN(cancelled_task_main, &a, 0);
    CHECK_RC(a.rc_async, MIOU_ECANCELED);
    CHECK_RC(a.rc_async_orphan, MIOU_ECANCELED);
    CHECK_UEQ(a.tasks_after, a.tasks_before);
}

/* ---- Cancelling a child in each of its states. */

static void *set_flag(void *arg)
{
    *(int *)arg = 1;
    return arg;
}

static void *never_ran_main(void *arg)
{
    miou_task *t;
    int ran = 0;
    (void)arg;
    CHECK_RC(miou_async(&t, set_flag, &ran), 0);
    CHECK_TASKS(2);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_TASKS(1);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_sleep(MS(2)), 0);
    CHECK_EQ(ran, 0);
    return NULL;
}

static void cancelling_a_child_that_never_ran(void)
{
    CHECK_RUN(never_ran_main, NULL, 0);
}

static void *yield_log(void *arg)
{
    int rc;
    (void)arg;
    check_log("child-start");
    rc = miou_yield();
    check_log("child-yield=%s", miou_errname(rc));
    return NULL;
}

static void *runnable_main(void *arg)
{
    miou_task *t;
    (void)arg;
    CHECK_RC(miou_async(&t, yield_log, NULL), 0);
    CHECK_RC(miou_yield(), 0);
    /* The child yielded: it is runnable, not running. */
    check_log("cancel");
    CHECK_RC(miou_cancel(t), 0);
    check_log("cancelled");
    CHECK_STR_EQ(check_log_text(),
                 "child-start cancel child-yield=MIOU_ECANCELED cancelled");
    return NULL;
}

static void cancelling_a_runnable_child(void)
{
    CHECK_RUN(runnable_main, NULL, 0);
}

static void *ended_main(void *arg)
{
    miou_task *t;
    int ran = 0;
    (void)arg;
    CHECK_RC(miou_async(&t, set_flag, &ran), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_EQ(ran, 1);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_TASKS(1);
    CHECK_RC(miou_await(t, NULL), MIOU_ENOTCHILD);
    return NULL;
}

static void cancelling_an_ended_child_releases_it(void)
{
    CHECK_RUN(ended_main, NULL, 0);
}

struct tree {
    int depth;
    int *ended;   /* count of ended nodes */
    int *cancels; /* count of ECANCELED seen at the leaves */
};

static void *tree_node(void *arg)
{
    struct tree *tr = arg;
    struct tree sub = *tr;
    miou_task *t[3];
    int i, n = 0;
    if (tr->depth == 0) {
        if (miou_sleep(MS(600000)) == MIOU_ECANCELED)
            ++*tr->cancels;
    } else {
        sub.depth = tr->depth - 1;
        for (i = 0; i < 3; i++)
            if (miou_async(&t[i], tree_node, &sub) == 0)
                n++;
        miou_await_all(t, (size_t)n, NULL, NULL);
    }
    ++*tr->ended;
    return NULL;
}

static void *tree_main(void *arg)
{
    int ended = 0, cancels = 0;
    struct tree tr = {.depth = 4, .ended = &ended, .cancels = &cancels};
    miou_task *t;
    (void)arg;
    CHECK_RC(miou_async(&t, tree_node, &tr), 0);
    /* Until every leaf sleeps: a sleep of a few milliseconds would not
     * do, a woken sleeper runs before the tasks not yet started. */
    struct miou_stats st;
    for (miou_stats(&st); st.sleepers < 81; miou_stats(&st))
        if (!CHECK_RC(miou_yield(), 0))
            return NULL;
    CHECK_TASKS(1 + 1 + 3 + 9 + 27 + 81);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_EQ(ended, 1 + 3 + 9 + 27 + 81);
    CHECK_EQ(cancels, 81);
    CHECK_TASKS(1);
    return NULL;
}

static void cancel_returns_once_every_descendant_has_ended(void)
{
    CHECK_RUN(tree_main, NULL, 0);
}

/* ---- Interleavings with the parent's awaits. */

struct chain {
    int child_rc; /* the grandchild's sleep */
    int await_rc; /* the middle task's await */
    void *await_res;
    int child_ran;
    int child_ended;
    int mode; /* 0 sleeping child, 1 child that never ran,
                 2 child already ended */
    int middle_ended;
};

static void *grandchild(void *arg)
{
    struct chain *c = arg;
    c->child_ran = 1;
    if (c->mode == 0)
        c->child_rc = miou_sleep(MS(600000));
    c->child_ended = 1;
    return &token;
}

static void *middle(void *arg)
{
    struct chain *c = arg;
    miou_task *t;
    if (!CHECK_RC(miou_async(&t, grandchild, c), 0))
        return NULL;
    if (c->mode == 2) {
        CHECK_RC(miou_yield(), 0);
        CHECK_EQ(c->child_ended, 1);
        /* Suspended elsewhere when the cancel comes. */
        CHECK_RC(miou_sleep(MS(600000)), MIOU_ECANCELED);
    }
    c->await_rc = miou_await(t, &c->await_res);
    c->middle_ended = 1;
    return NULL;
}

static void *chain_main(void *arg)
{
    struct chain *c = arg;
    miou_task *t;
    if (!CHECK_RC(miou_async(&t, middle, c), 0))
        return NULL;
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_EQ(c->middle_ended, 1);
    CHECK_TASKS(1);
    return NULL;
}

static void *never_ran_chain_main(void *arg)
{
    struct chain *c = arg;
    miou_task *t;
    if (!CHECK_RC(miou_async(&t, middle, c), 0))
        return NULL;
    /* One yield: the middle task spawns the grandchild and awaits it;
     * this task runs again before the grandchild. */
    CHECK_RC(miou_yield(), 0);
    CHECK_EQ(c->child_ran, 0);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_EQ(c->middle_ended, 1);
    CHECK_TASKS(1);
    return NULL;
}

static void cancel_while_the_parent_awaits_a_sleeping_child(void)
{
    struct chain c = {.mode = 0, .child_rc = 1, .await_rc = 1};
    CHECK_RUN(chain_main, &c, 0);
    CHECK_RC(c.child_rc, MIOU_ECANCELED);
    CHECK_RC(c.await_rc, MIOU_ECANCELED);
    /* The value is given whatever the status, so that it can be freed. */
    CHECK_PTR_EQ(c.await_res, &token);
}

static void cancel_while_the_parent_awaits_a_child_that_never_ran(void)
{
    struct chain c = {.mode = 1, .await_rc = 1, .await_res = &c};
    CHECK_RUN(never_ran_chain_main, &c, 0);
    CHECK_EQ(c.child_ran, 0);
    CHECK_RC(c.await_rc, MIOU_ECANCELED);
    CHECK_NULL(c.await_res);
}

static void an_await_after_the_cancel_gets_the_ended_childs_value(void)
{
    struct chain c = {.mode = 2, .await_rc = 1};
    CHECK_RUN(chain_main, &c, 0);
    CHECK_EQ(c.child_ended, 1);
    CHECK_RC(c.await_rc, MIOU_ECANCELED);
    CHECK_PTR_EQ(c.await_res, &token);
}

/* The middle task is cancelling its own child, which cannot end yet
 * (a cancelled condition waiter re-taking a mutex that a sibling holds),
 * when its parent cancels it. */
struct nested {
    struct world w;
    int gc_rc, gc_held, middle_rc, holder_done;
    int middle_ended;
};

static void *cond_waiter(void *arg)
{
    struct nested *n = arg;
    CHECK_RC(miou_mutex_lock(&n->w.cm), 0);
    n->gc_rc = miou_cond_wait(&n->w.c, &n->w.cm);
    n->gc_held = miou_mutex_unlock(&n->w.cm) == 0;
    return NULL;
}

static void *canceller(void *arg)
{
    struct nested *n = arg;
    miou_task *t;
    CHECK_RC(miou_async(&t, cond_waiter, n), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_yield(), 0);
    n->middle_rc = miou_cancel(t);
    n->middle_ended = 1;
    return NULL;
}

static void *holder(void *arg)
{
    struct nested *n = arg;
    CHECK_RC(miou_mutex_lock(&n->w.cm), 0);
    CHECK_RC(miou_sleep(MS(30)), 0);
    n->holder_done = 1;
    CHECK_RC(miou_mutex_unlock(&n->w.cm), 0);
    return NULL;
}

static void *nested_main(void *arg)
{
    struct nested *n = arg;
    miou_task *c, *h;
    /* The waiter waits on the condition before the holder takes the
     * mutex, and the holder holds it before the canceller cancels. */
    CHECK_RC(miou_async(&c, canceller, n), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_async(&h, holder, n), 0);
    CHECK_RC(miou_sleep(MS(5)), 0);
    CHECK_EQ(n->middle_ended, 0);
    CHECK_RC(miou_cancel(c), 0);
    CHECK_EQ(n->middle_ended, 1);
    /* The grandchild could only end once the holder let go. */
    CHECK_EQ(n->holder_done, 1);
    CHECK_RC(miou_await(h, NULL), 0);
    return NULL;
}

static void cancel_of_a_task_that_is_itself_cancelling(void)
{
    struct nested n = {.gc_rc = 1, .middle_rc = 1};
    world_init(&n.w);
    CHECK_RUN(nested_main, &n, 0);
    CHECK_RC(n.gc_rc, MIOU_ECANCELED);
    CHECK_EQ(n.gc_held, 1);
    CHECK_RC(n.middle_rc, MIOU_ECANCELED);
}

/* A condition waiter that was signalled, and is runnable, is cancelled
 * before it runs: either outcome is fine, but it holds the mutex. */
struct signalled {
    struct world w;
    int rc, held, ended;
};

static void *signalled_waiter(void *arg)
{
    struct signalled *s = arg;
    CHECK_RC(miou_mutex_lock(&s->w.cm), 0);
    s->rc = miou_cond_wait(&s->w.c, &s->w.cm);
    s->held = miou_mutex_unlock(&s->w.cm) == 0;
    s->ended = 1;
    return NULL;
}

static void *signalled_main(void *arg)
{
    struct signalled *s = arg;
    miou_task *t;
    CHECK_RC(miou_async(&t, signalled_waiter, s), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_mutex_lock(&s->w.cm), 0);
    miou_cond_signal(&s->w.c);
    CHECK_RC(miou_mutex_unlock(&s->w.cm), 0);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_EQ(s->ended, 1);
    CHECK_RC(miou_mutex_trylock(&s->w.cm), 0);
    CHECK_RC(miou_mutex_unlock(&s->w.cm), 0);
    return NULL;
}

static void cancel_of_a_signalled_waiter_before_it_runs(void)
{
    struct signalled s = {.rc = 1};
    world_init(&s.w);
    CHECK_RUN(signalled_main, &s, 0);
    CHECK(s.rc == 0 || s.rc == MIOU_ECANCELED);
    CHECK_EQ(s.held, 1);
}

/* A mutex handed to a waiter that is cancelled before it runs. */
static void *lock_log(void *arg)
{
    struct signalled *s = arg;
    s->rc = miou_mutex_lock(&s->w.held);
    if (s->rc == 0)
        s->held = miou_mutex_unlock(&s->w.held) == 0;
    s->ended = 1;
    return NULL;
}

static void *handoff_main(void *arg)
{
    struct signalled *s = arg;
    miou_task *t;
    CHECK_RC(miou_mutex_lock(&s->w.held), 0);
    CHECK_RC(miou_async(&t, lock_log, s), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_mutex_unlock(&s->w.held), 0);
    CHECK_RC(miou_cancel(t), 0);
    CHECK_EQ(s->ended, 1);
    /* Whatever the waiter got, the mutex is free now. */
    CHECK_RC(miou_mutex_trylock(&s->w.held), 0);
    CHECK_RC(miou_mutex_unlock(&s->w.held), 0);
    return NULL;
}

static void cancel_of_a_waiter_the_mutex_was_handed_to(void)
{
    struct signalled s = {.rc = 1};
    world_init(&s.w);
    CHECK_RUN(handoff_main, &s, 0);
    CHECK(s.rc == MIOU_ECANCELED || (s.rc == 0 && s.held == 1));
}

/* Siblings race to end: one ends normally at the same deadline at which
 * the parent cancels another. */
static void *sleep_until_arg(void *arg)
{
    return (void *)(intptr_t)miou_sleep_until(*(uint64_t *)arg);
}

static void *same_deadline_main(void *arg)
{
    uint64_t d = miou_clock_monotonic() + MS(10);
    miou_task *a, *b;
    void *r = NULL;
    (void)arg;
    CHECK_RC(miou_async(&a, sleep_until_arg, &d), 0);
    CHECK_RC(miou_async(&b, sleep_until_arg, &d), 0);
    CHECK_RC(miou_sleep_until(d), 0);
    /* Both sleepers may be runnable now. */
    CHECK_RC(miou_cancel(a), 0);
    CHECK_RC(miou_await(b, &r), 0);
    CHECK_EQ((intptr_t)r, 0);
    return NULL;
}

static void cancel_of_a_sleeper_whose_deadline_has_just_passed(void)
{
    CHECK_RUN(same_deadline_main, NULL, 0);
}

/* ---- Cleanups. */

struct cl {
    int stage; /* 0 registered, 1 function returned */
    miou_task *self;
    int after_return;
    int in_self;
};

static struct cl cl_state;

static void cleanup_log(void *arg)
{
    check_log("cleanup-%s", (const char *)arg);
    if (cl_state.stage == 1)
        cl_state.after_return++;
    if (miou_self() == cl_state.self)
        cl_state.in_self++;
}

static void *with_cleanups(void *arg)
{
    int cancel_me = arg != NULL;
    cl_state.self = miou_self();
    CHECK_NOT_NULL(miou_cleanup_push(cleanup_log, "1"));
    CHECK_NOT_NULL(miou_cleanup_push(cleanup_log, "2"));
    CHECK_NOT_NULL(miou_cleanup_push(cleanup_log, "3"));
    if (cancel_me)
        CHECK_RC(miou_sleep(MS(600000)), MIOU_ECANCELED);
    check_log("return");
    cl_state.stage = 1;
    return NULL;
}

static void *cleanups_main(void *arg)
{
    miou_task *t;
    if (!CHECK_RC(miou_async(&t, with_cleanups, arg), 0))
        return NULL;
    if (arg) {
        CHECK_RC(miou_yield(), 0);
        CHECK_RC(miou_cancel(t), 0);
    } else {
        CHECK_RC(miou_await(t, NULL), 0);
    }
    return NULL;
}

static void cleanups_run_lifo_after_return_on_cancellation(void)
{
    cl_state = (struct cl){0};
    CHECK_RUN(cleanups_main, &token, 0);
    CHECK_STR_EQ(check_log_text(), "return cleanup-3 cleanup-2 cleanup-1");
    CHECK_EQ(cl_state.after_return, 3);
    CHECK_EQ(cl_state.in_self, 3);
}

static void cleanups_do_not_run_on_a_normal_end(void)
{
    cl_state = (struct cl){0};
    CHECK_RUN(cleanups_main, NULL, 0);
    CHECK_STR_EQ(check_log_text(), "return");
}

static void *pop_cleanups(void *arg)
{
    miou_cleanup *a, *b, *c;
    (void)arg;
    a = miou_cleanup_push(cleanup_log, "a");
    b = miou_cleanup_push(cleanup_log, "b");
    c = miou_cleanup_push(cleanup_log, "c");
    CHECK(a && b && c);
    miou_cleanup_pop(b, 1); /* runs now */
    check_log("popped-b");
    miou_cleanup_pop(c, 0); /* never runs */
    check_log("popped-c");
    CHECK_RC(miou_sleep(MS(600000)), MIOU_ECANCELED);
    check_log("return");
    return NULL;
}

static void *pop_main(void *arg)
{
    miou_task *t;
    (void)arg;
    CHECK_RC(miou_async(&t, pop_cleanups, NULL), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_cancel(t), 0);
    return NULL;
}

static void cleanup_pop_runs_it_or_not_and_removes_it(void)
{
    cl_state = (struct cl){0};
    CHECK_RUN(pop_main, NULL, 0);
    CHECK_STR_EQ(check_log_text(),
                 "cleanup-b popped-b popped-c return cleanup-a");
}

static void *pop_all_then_cancelled(void *arg)
{
    miou_cleanup *a = miou_cleanup_push(cleanup_log, "x");
    (void)arg;
    CHECK_NOT_NULL(a);
    CHECK_NULL(miou_cleanup_push(NULL, NULL));
    CHECK_RC(miou_sleep(MS(600000)), MIOU_ECANCELED);
    /* Cancelled, it frees its resource itself: nothing left to run. */
    miou_cleanup_pop(a, 0);
    return NULL;
}

static void *pop_all_main(void *arg)
{
    miou_task *t;
    (void)arg;
    CHECK_RC(miou_async(&t, pop_all_then_cancelled, NULL), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_cancel(t), 0);
    return NULL;
}

static void a_popped_cleanup_does_not_run_at_cancellation(void)
{
    CHECK_RUN(pop_all_main, NULL, 0);
    CHECK_STR_EQ(check_log_text(), "");
}

static void *leaf_with_cleanup(void *arg)
{
    CHECK_NOT_NULL(miou_cleanup_push(cleanup_log, arg));
    miou_sleep(MS(600000));
    return NULL;
}

static void *parent_forgets(void *arg)
{
    miou_task *t;
    (void)arg;
    CHECK_RC(miou_async(&t, leaf_with_cleanup, "leaf"), 0);
    CHECK_RC(miou_yield(), 0);
    return NULL;
}

static void *first_loses(void *arg)
{
    miou_task *t[2];
    (void)arg;
    CHECK_RC(miou_async(&t[0], leaf_with_cleanup, "loser"), 0);
    CHECK_RC(miou_async(&t[1], sleep_forever, NULL), 0);
    miou_task *winner;
    CHECK_RC(miou_async(&winner, set_flag, &token), 0);
    {
        miou_task *l[3] = {t[0], t[1], winner};
        size_t idx = 9;
        CHECK_RC(miou_await_first(l, 3, &idx, NULL), 0);
        CHECK_UEQ(idx, 2);
    }
    return NULL;
}

static void *runtime_cancels_main(void *arg)
{
    miou_task *t;
    (void)arg;
    CHECK_RC(miou_async(&t, parent_forgets, NULL), 0);
    CHECK_RC(miou_await(t, NULL), MIOU_ECHILDREN);
    CHECK_RC(miou_async(&t, first_loses, NULL), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    return NULL;
}

static void cleanups_run_when_the_runtime_cancels(void)
{
    int captured = check_capture_begin() == 0;
    cl_state = (struct cl){0};
    CHECK_RUN(runtime_cancels_main, NULL, 0);
    if (captured)
        check_capture_end();
    CHECK_STR_EQ(check_log_text(), "cleanup-leaf cleanup-loser");
}

static void *deadlock_with_cleanup(void *arg)
{
    miou_mutex m;
    miou_cond c;
    (void)arg;
    miou_mutex_init(&m);
    miou_cond_init(&c);
    CHECK_NOT_NULL(miou_cleanup_push(cleanup_log, "first"));
    CHECK_RC(miou_mutex_lock(&m), 0);
    CHECK_RC(miou_cond_wait(&c, &m), MIOU_ECANCELED);
    CHECK_RC(miou_mutex_unlock(&m), 0);
    return NULL;
}

static void cleanups_of_the_first_task_run_after_a_deadlock(void)
{
    int captured = check_capture_begin() == 0;
    CHECK_RUN(deadlock_with_cleanup, NULL, MIOU_EDEADLK);
    if (captured)
        check_capture_end();
    CHECK_STR_EQ(check_log_text(), "cleanup-first");
}

static const struct check_case cases[] = {
    {"cancellation reaches a task in sleep", reaches_sleep},
    {"cancellation reaches a task in sleep_until", reaches_sleep_until},
    {"cancellation reaches a task in yield", reaches_yield},
    {"cancellation reaches a task in await", reaches_await},
    {"cancellation reaches a task in await_all", reaches_await_all},
    {"cancellation reaches a task in await_first", reaches_await_first},
    {"cancellation reaches a task in await_one", reaches_await_one},
    {"cancellation reaches a task in mutex_lock", reaches_lock},
    {"cancellation reaches a task in cond_wait, which re-holds the mutex",
     reaches_cond},
    {"cancellation reaches a task in cond_wait_until, which re-holds the "
     "mutex",
     reaches_cond_until},
    {"cancellation reaches a task in orphans_wait", reaches_orphans},
    {"a cancelled task gets MIOU_ECANCELED at every suspension point without "
     "suspending",
     a_cancelled_task_gets_ecanceled_without_suspending},
    {"a cancelled task cannot spawn (MIOU_ECANCELED)",
     a_cancelled_task_cannot_spawn},
    {"cancelling a child that never ran: it never runs",
     cancelling_a_child_that_never_ran},
    {"cancelling a runnable child: its yield is MIOU_ECANCELED",
     cancelling_a_runnable_child},
    {"cancelling an ended child releases it",
     cancelling_an_ended_child_releases_it},
    {"cancel returns once every descendant has ended",
     cancel_returns_once_every_descendant_has_ended},
    {"cancel while the parent awaits a sleeping child",
     cancel_while_the_parent_awaits_a_sleeping_child},
    {"cancel while the parent awaits a child that never ran",
     cancel_while_the_parent_awaits_a_child_that_never_ran},
    {"an await in a cancelled task gets the ended child's value and "
     "MIOU_ECANCELED",
     an_await_after_the_cancel_gets_the_ended_childs_value},
    {"cancel of a task that is itself cancelling a child",
     cancel_of_a_task_that_is_itself_cancelling},
    {"cancel of a signalled condition waiter before it runs",
     cancel_of_a_signalled_waiter_before_it_runs},
    {"cancel of a waiter the mutex was just handed to",
     cancel_of_a_waiter_the_mutex_was_handed_to},
    {"cancel of a sleeper whose deadline has just passed",
     cancel_of_a_sleeper_whose_deadline_has_just_passed},
    {"cleanups run in reverse order, in the task, after it returned, on "
     "cancellation",
     cleanups_run_lifo_after_return_on_cancellation},
    {"cleanups do not run when the task ends normally",
     cleanups_do_not_run_on_a_normal_end},
    {"cleanup_pop runs the cleanup (run=1) or not (run=0) and removes it",
     cleanup_pop_runs_it_or_not_and_removes_it},
    {"a popped cleanup does not run at cancellation",
     a_popped_cleanup_does_not_run_at_cancellation},
    {"cleanups run when the runtime cancels (MIOU_ECHILDREN, await_first)",
     cleanups_run_when_the_runtime_cancels},
    {"cleanups of the first task run after a deadlock",
     cleanups_of_the_first_task_run_after_a_deadlock},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("cancel", si, cases, CHECK_COUNT(cases));
}
