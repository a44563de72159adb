/*
 * test_stress.c - many tasks: 100,000 live at once, children nested 1,000
 * deep, a tree of 10,000 tasks blocked in every kind of suspension point
 * cancelled at once, 100,000 sleepers woken in deadline order.
 *
 * Sizes are divided by --scale=K (for slow runs such as valgrind). Tasks
 * here run on small stacks: they record what they see and the checks are
 * made by the first task, whose stack is big.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/check.h"

#if defined(CHECK_ASAN)
#define SMALL_STACK 16384 /* instrumented frames are bigger */
#else
#define SMALL_STACK 4096
#endif

static const struct miou_task_options small = {.stack_size = SMALL_STACK};

static uint64_t elapsed_ms(uint64_t since)
{
    return (miou_clock_monotonic() - since) / 1000000u;
}

/* ---- 100,000 live tasks. */

struct live {
    size_t n;
    size_t started;
    size_t seen_all; /* tasks that saw every other task started */
    size_t bad_yield;
};

static struct live live;

static void *live_task(void *arg)
{
    live.started++;
    if (miou_yield() != 0)
        live.bad_yield++;
    if (live.started == live.n)
        live.seen_all++;
    return arg;
}

static void *live_main(void *arg)
{
    miou_task **t;
    void **r;
    int *st;
    size_t i, n = live.n, bad = 0;
    uintptr_t sum = 0;
    uint64_t t0 = miou_clock_monotonic();
    (void)arg;
    t = calloc(n, sizeof *t);
    r = calloc(n, sizeof *r);
    st = calloc(n, sizeof *st);
    if (!CHECK(t && r && st))
        goto out;
    for (i = 0; i < n; i++)
        if (!CHECK_RC(miou_async_with(&t[i], &small, live_task,
                                      (void *)(uintptr_t)(i + 1)),
                      0)) {
            n = i;
            break;
        }
    CHECK_TASKS(n + 1);
    CHECK_RC(miou_yield(), 0);
    CHECK_UEQ(live.started, n);
    CHECK_TASKS(n + 1);
    CHECK_RC(miou_await_all(t, n, r, st), 0);
    for (i = 0; i < n; i++) {
        sum += (uintptr_t)r[i];
        bad += st[i] != 0;
    }
    CHECK_UEQ(sum, (uintptr_t)n * (n + 1) / 2);
    CHECK_UEQ(bad, 0);
    CHECK_UEQ(live.seen_all, n);
    CHECK_UEQ(live.bad_yield, 0);
    CHECK_TASKS(1);
    check_note("%zu live tasks: %llu ms", n,
               (unsigned long long)elapsed_ms(t0));
out:
    free(t);
    free(r);
    free(st);
    return NULL;
}

static void tasks_100000_live_at_once(void)
{
    memset(&live, 0, sizeof live);
    live.n = check_scaled(100000);
    CHECK_RUN(live_main, NULL, 0);
}

/* ---- Spawn and await in sequence: nothing accumulates. */

static void *seq_task(void *arg)
{
    return arg;
}

static void *sequence_main(void *arg)
{
    size_t i, n = check_scaled(100000), bad = 0, max_tasks = 0, max_pool = 0;
    struct miou_stats st;
    miou_task *t;
    void *r;
    (void)arg;
    for (i = 0; i < n; i++) {
        if (miou_async_with(&t, &small, seq_task, (void *)(uintptr_t)i) ||
            miou_await(t, &r) || r != (void *)(uintptr_t)i)
            bad++;
        miou_stats(&st);
        if (st.tasks > max_tasks)
            max_tasks = st.tasks;
        if (st.pooled_stacks > max_pool)
            max_pool = st.pooled_stacks;
    }
    CHECK_UEQ(bad, 0);
    CHECK_ULE(max_tasks, 2);
    CHECK_ULE(max_pool, 16);
    return NULL;
}

static void spawn_and_await_100000_tasks_in_sequence(void)
{
    CHECK_RUN(sequence_main, NULL, 0);
}

/* ---- 1,000 deep. */

struct deep {
    size_t depth_max;
    size_t leaf_reached;
    int leaf_rc;
    size_t ended;
    int sleep_at_leaf;
    size_t bad;
};

static struct deep deep;

static void *deep_task(void *arg)
{
    uintptr_t d = (uintptr_t)arg;
    miou_task *t;
    void *r = NULL;
    if (d == 0) {
        deep.leaf_reached = 1;
        if (deep.sleep_at_leaf)
            deep.leaf_rc = miou_sleep(MS(600000));
        deep.ended++;
        return (void *)(uintptr_t)1;
    }
    if (miou_async_with(&t, &small, deep_task, (void *)(d - 1)) != 0) {
        deep.bad++;
        return NULL;
    }
    if (deep.sleep_at_leaf) {
        if (miou_await(t, &r) != MIOU_ECANCELED)
            deep.bad++;
    } else if (miou_await(t, &r) != 0) {
        deep.bad++;
    }
    deep.ended++;
    return (void *)((uintptr_t)r + 1);
}

static void *deep_main(void *arg)
{
    size_t n = check_scaled(1000);
    miou_task *t;
    void *r = NULL;
    (void)arg;
    if (!CHECK_RC(
            miou_async_with(&t, &small, deep_task, (void *)(uintptr_t)(n - 1)),
            0))
        return NULL;
    if (deep.sleep_at_leaf) {
        while (!deep.leaf_reached)
            if (!CHECK_RC(miou_yield(), 0))
                break;
        CHECK_RC(miou_sleep(MS(1)), 0);
        CHECK_TASKS(n + 1);
        CHECK_RC(miou_cancel(t), 0);
        CHECK_RC(deep.leaf_rc, MIOU_ECANCELED);
    } else {
        CHECK_RC(miou_await(t, &r), 0);
        CHECK_UEQ((uintptr_t)r, n);
    }
    CHECK_UEQ(deep.ended, n);
    CHECK_UEQ(deep.bad, 0);
    CHECK_TASKS(1);
    return NULL;
}

static void children_nested_1000_deep_are_awaited(void)
{
    memset(&deep, 0, sizeof deep);
    CHECK_RUN(deep_main, NULL, 0);
}

static void children_nested_1000_deep_are_cancelled(void)
{
    memset(&deep, 0, sizeof deep);
    deep.sleep_at_leaf = 1;
    deep.leaf_rc = 1;
    CHECK_RUN(deep_main, NULL, 0);
}

/* ---- A tree of 10,000 blocked tasks, cancelled at once. */

enum kind {
    K_SLEEP,
    K_SLEEP_UNTIL,
    K_YIELD,
    K_AWAIT,
    K_LOCK,
    K_COND,
    K_COND_UNTIL,
    K_ORPHANS,
    K_COUNT
};

struct leaf {
    int rc;
    int extra; /* non-zero: a second check failed */
    int ended;
    miou_orphans o;
};

static struct {
    miou_mutex held; /* held by the first task throughout */
    miou_mutex cm;
    miou_cond c;
    struct leaf *leaves;
    size_t nleaves, fanout, blocked;
    size_t inner_bad, inner_ended;
} tree;

static void *sleep_forever(void *arg)
{
    int *rc = arg;
    int r = miou_sleep(MS(600000));
    if (rc)
        *rc = r;
    return NULL;
}

static void *leaf_task(void *arg)
{
    size_t i = (size_t)(uintptr_t)arg;
    struct leaf *l = &tree.leaves[i];
    miou_task *t = NULL;
    int child_rc = 1;

    tree.blocked++;
    switch ((enum kind)(i % K_COUNT)) {
    case K_SLEEP:
        l->rc = miou_sleep(MS(600000));
        break;
    case K_SLEEP_UNTIL:
        l->rc = miou_sleep_until(miou_clock_monotonic() + MS(600000));
        break;
    case K_YIELD:
        while ((l->rc = miou_yield()) == 0)
            ;
        break;
    case K_AWAIT:
        if (miou_async_with(&t, &small, sleep_forever, &child_rc) != 0) {
            l->extra = 1;
            break;
        }
        l->rc = miou_await(t, NULL);
        l->extra = child_rc != MIOU_ECANCELED;
        break;
    case K_LOCK:
        l->rc = miou_mutex_lock(&tree.held);
        break;
    case K_COND:
    case K_COND_UNTIL:
        if (miou_mutex_lock(&tree.cm) != 0) {
            l->extra = 1;
            break;
        }
        if (i % K_COUNT == K_COND)
            l->rc = miou_cond_wait(&tree.c, &tree.cm);
        else
            l->rc = miou_cond_wait_until(&tree.c, &tree.cm,
                                         miou_clock_monotonic() + MS(600000));
        l->extra = miou_mutex_unlock(&tree.cm) != 0;
        break;
    case K_ORPHANS:
        miou_orphans_init(&l->o);
        if (miou_async_orphan(&l->o, NULL, &small, sleep_forever, NULL)) {
            l->extra = 1;
            break;
        }
        l->rc = miou_orphans_wait(&l->o, &t);
        break;
    default:
        break;
    }
    l->ended = 1;
    return NULL;
}

static void *inner_task(void *arg)
{
    size_t first = (size_t)(uintptr_t)arg, i, n = 0;
    miou_task **t = calloc(tree.fanout, sizeof *t);
    if (!t) {
        tree.inner_bad++;
        return NULL;
    }
    for (i = 0; i < tree.fanout && first + i < tree.nleaves; i++)
        if (miou_async_with(&t[n], &small, leaf_task,
                            (void *)(uintptr_t)(first + i)) == 0)
            n++;
        else
            tree.inner_bad++;
    if (miou_await_all(t, n, NULL, NULL) != MIOU_ECANCELED)
        tree.inner_bad++;
    free(t);
    tree.inner_ended++;
    return NULL;
}

static void *tree_root(void *arg)
{
    size_t i, n = 0;
    miou_task **t = calloc(tree.nleaves / tree.fanout + 1, sizeof *t);
    (void)arg;
    if (!t) {
        tree.inner_bad++;
        return NULL;
    }
    for (i = 0; i < tree.nleaves; i += tree.fanout)
        if (miou_async(&t[n], inner_task, (void *)(uintptr_t)i) == 0)
            n++;
        else
            tree.inner_bad++;
    if (miou_await_all(t, n, NULL, NULL) != MIOU_ECANCELED)
        tree.inner_bad++;
    free(t);
    return NULL;
}

static void *tree_main(void *arg)
{
    miou_task *root;
    size_t i, per_kind_bad[K_COUNT] = {0}, not_ended = 0, extra = 0;
    uint64_t t0;
    (void)arg;
    CHECK_RC(miou_mutex_lock(&tree.held), 0);
    if (!CHECK_RC(miou_async(&root, tree_root, NULL), 0))
        return NULL;
    /* Let every leaf reach its suspension point, and the children of the
     * leaves that await one theirs: until every task that sleeps sleeps
     * (a sleep of a few milliseconds would not do: a woken sleeper runs
     * before the tasks not yet started). */
    size_t sleepers = 0;
    for (i = 0; i < tree.nleaves; i++)
        switch ((enum kind)(i % K_COUNT)) {
        case K_SLEEP:
        case K_SLEEP_UNTIL:
        case K_COND_UNTIL:
        case K_AWAIT:   /* its child sleeps */
        case K_ORPHANS: /* likewise */
            sleepers++;
            break;
        default:
            break;
        }
    struct miou_stats st;
    for (miou_stats(&st); tree.blocked < tree.nleaves || st.sleepers < sleepers;
         miou_stats(&st))
        if (!CHECK_RC(miou_yield(), 0))
            break;
    t0 = miou_clock_monotonic();
    CHECK_RC(miou_cancel(root), 0);
    check_note("cancelled a tree of %zu blocked tasks in %llu ms", tree.nleaves,
               (unsigned long long)elapsed_ms(t0));
    for (i = 0; i < tree.nleaves; i++) {
        struct leaf *l = &tree.leaves[i];
        if (!l->ended)
            not_ended++;
        if (l->rc != MIOU_ECANCELED)
            per_kind_bad[i % K_COUNT]++;
        if (l->extra)
            extra++;
    }
    CHECK_UEQ(not_ended, 0);
    CHECK_UEQ(extra, 0);
    for (i = 0; i < K_COUNT; i++)
        if (!CHECK_UEQ(per_kind_bad[i], 0))
            check_note("leaves of kind %zu not MIOU_ECANCELED", i);
    CHECK_UEQ(tree.inner_bad, 0);
    CHECK_UEQ(tree.inner_ended, (tree.nleaves + tree.fanout - 1) / tree.fanout);
    CHECK_TASKS(1);
    CHECK_RC(miou_mutex_unlock(&tree.held), 0);
    return NULL;
}

static void a_tree_of_10000_blocked_tasks_is_cancelled(void)
{
    size_t i;
    memset(&tree, 0, sizeof tree);
    miou_mutex_init(&tree.held);
    miou_mutex_init(&tree.cm);
    miou_cond_init(&tree.c);
    tree.nleaves = check_scaled(10000);
    tree.fanout = 100;
    tree.leaves = calloc(tree.nleaves, sizeof *tree.leaves);
    if (!CHECK_NOT_NULL(tree.leaves))
        return;
    for (i = 0; i < tree.nleaves; i++)
        tree.leaves[i].rc = 1;
    CHECK_RUN(tree_main, NULL, 0);
    free(tree.leaves);
}

/* ---- 100,000 sleepers. */

struct sleeper {
    uint64_t deadline;
    uint64_t slept_at; /* clock when it called sleep_until */
    uint64_t woke_at;
    size_t sleep_seq, wake_seq;
    int rc;
};

static struct {
    struct sleeper *s;
    size_t n, sleep_seq, wake_seq;
    uint64_t base;
} sl;

static void *sleeper_task(void *arg)
{
    struct sleeper *s = &sl.s[(size_t)(uintptr_t)arg];
    s->sleep_seq = sl.sleep_seq++;
    s->slept_at = miou_clock_monotonic();
    s->rc = miou_sleep_until(s->deadline);
    s->woke_at = miou_clock_monotonic();
    s->wake_seq = sl.wake_seq++;
    return NULL;
}

static void *sleepers_main(void *arg)
{
    size_t n = sl.n, i, future = 0, early = 0, disorder = 0, bad_rc = 0;
    size_t *by_wake = NULL;
    miou_task **t = calloc(n, sizeof *t);
    uint64_t t0 = miou_clock_monotonic(), spawn_ns, prev_d = 0;
    size_t prev_seq = 0;
    int have_prev = 0;
    struct miou_stats st;
    (void)arg;
    if (!CHECK_NOT_NULL(t))
        return NULL;
    for (i = 0; i < n; i++)
        if (!CHECK_RC(miou_async_with(&t[i], &small, sleeper_task,
                                      (void *)(uintptr_t)i),
                      0)) {
            n = i;
            break;
        }
    /* Deadlines far enough ahead that every sleeper is asleep before the
     * first one is due: a permutation, pairs of equal deadlines, 1 us
     * apart. Going to sleep costs more than a spawn (it reads the clock,
     * a system call under solo5-spt, and touches a fresh stack): ten
     * spawn times and a quarter of a second cover it. */
    spawn_ns = miou_clock_monotonic() - t0;
    sl.base = miou_clock_monotonic() + 10 * spawn_ns + MS(250);
    for (i = 0; i < n; i++)
        sl.s[i].deadline = sl.base + (uint64_t)(((i * 7919u) % n) / 2) * 1000u;
    CHECK_RC(miou_yield(), 0);
    miou_stats(&st);
    CHECK_UEQ(st.sleepers, n);
    CHECK_RC(miou_await_all(t, n, NULL, NULL), 0);
    check_note("%zu sleepers: %llu ms (deadlines over %llu ms)", n,
               (unsigned long long)elapsed_ms(t0),
               (unsigned long long)(n / 2 / 1000));
    by_wake = calloc(n, sizeof *by_wake);
    if (!CHECK_NOT_NULL(by_wake))
        goto out;
    for (i = 0; i < n; i++) {
        struct sleeper *s = &sl.s[i];
        bad_rc += s->rc != 0;
        early += s->woke_at < s->deadline;
        if (s->wake_seq < n)
            by_wake[s->wake_seq] = i;
    }
    /* In order of waking, the sleepers whose deadline was ahead when they
     * slept come by deadline, then by order of sleeping. */
    for (i = 0; i < n; i++) {
        struct sleeper *s = &sl.s[by_wake[i]];
        if (s->deadline <= s->slept_at)
            continue;
        future++;
        if (have_prev && (s->deadline < prev_d ||
                          (s->deadline == prev_d && s->sleep_seq < prev_seq)))
            disorder++;
        prev_d = s->deadline, prev_seq = s->sleep_seq, have_prev = 1;
    }
    CHECK_UEQ(bad_rc, 0);
    CHECK_UEQ(early, 0);
    CHECK_UEQ(disorder, 0);
    /* The order was really tested. */
    CHECK_UGE(future, n / 2);
out:
    free(by_wake);
    free(t);
    return NULL;
}

static void sleepers_100000_wake_in_deadline_order(void)
{
    memset(&sl, 0, sizeof sl);
    sl.n = check_scaled(100000);
    sl.s = calloc(sl.n, sizeof *sl.s);
    if (!CHECK_NOT_NULL(sl.s))
        return;
    CHECK_RUN(sleepers_main, NULL, 0);
    free(sl.s);
}

/* ---- Many cancellations of sleeping siblings. */

static void *cancel_many_main(void *arg)
{
    size_t n = check_scaled(30000), i, bad = 0;
    miou_task **t = calloc(n, sizeof *t);
    int *rc = calloc(n, sizeof *rc);
    uint64_t t0;
    (void)arg;
    if (!CHECK(t && rc))
        goto out;
    for (i = 0; i < n; i++) {
        rc[i] = 1;
        if (!CHECK_RC(miou_async_with(&t[i], &small, sleep_forever, &rc[i]),
                      0)) {
            n = i;
            break;
        }
    }
    CHECK_RC(miou_yield(), 0);
    t0 = miou_clock_monotonic();
    /* In spawn order, the worst order for a list of siblings. */
    for (i = 0; i < n; i++)
        if (miou_cancel(t[i]) != 0 || rc[i] != MIOU_ECANCELED)
            bad++;
    check_note("cancelled %zu sleeping siblings in %llu ms", n,
               (unsigned long long)elapsed_ms(t0));
    CHECK_UEQ(bad, 0);
    CHECK_TASKS(1);
out:
    free(t);
    free(rc);
    return NULL;
}

static void cancelling_30000_sleeping_siblings_one_by_one(void)
{
    CHECK_RUN(cancel_many_main, NULL, 0);
}

/* ---- 10,000 waiters on one mutex, on one condition. */

static struct {
    miou_mutex m;
    miou_cond c;
    size_t n, next, disorder, bad, waiting, go, woken;
} crowd;

static void *crowd_locker(void *arg)
{
    size_t i = (size_t)(uintptr_t)arg;
    if (miou_mutex_lock(&crowd.m) != 0) {
        crowd.bad++;
        return NULL;
    }
    if (i != crowd.next)
        crowd.disorder++;
    crowd.next = i + 1;
    if (miou_mutex_unlock(&crowd.m) != 0)
        crowd.bad++;
    return NULL;
}

static void *crowd_lock_main(void *arg)
{
    size_t i, n = crowd.n;
    miou_task **t = calloc(n, sizeof *t);
    (void)arg;
    if (!CHECK_NOT_NULL(t))
        return NULL;
    CHECK_RC(miou_mutex_lock(&crowd.m), 0);
    for (i = 0; i < n; i++)
        if (!CHECK_RC(miou_async_with(&t[i], &small, crowd_locker,
                                      (void *)(uintptr_t)i),
                      0)) {
            n = i;
            break;
        }
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_mutex_unlock(&crowd.m), 0);
    CHECK_RC(miou_await_all(t, n, NULL, NULL), 0);
    CHECK_UEQ(crowd.next, n);
    CHECK_UEQ(crowd.disorder, 0);
    CHECK_UEQ(crowd.bad, 0);
    free(t);
    return NULL;
}

static void waiters_10000_take_a_mutex_in_arrival_order(void)
{
    memset(&crowd, 0, sizeof crowd);
    miou_mutex_init(&crowd.m);
    crowd.n = check_scaled(10000);
    CHECK_RUN(crowd_lock_main, NULL, 0);
}

static void *crowd_waiter(void *arg)
{
    size_t i = (size_t)(uintptr_t)arg;
    if (miou_mutex_lock(&crowd.m) != 0) {
        crowd.bad++;
        return NULL;
    }
    crowd.waiting++;
    while (!crowd.go)
        if (miou_cond_wait(&crowd.c, &crowd.m) != 0) {
            crowd.bad++;
            break;
        }
    if (i != crowd.next)
        crowd.disorder++;
    crowd.next = i + 1;
    crowd.woken++;
    if (miou_mutex_unlock(&crowd.m) != 0)
        crowd.bad++;
    return NULL;
}

static void *crowd_cond_main(void *arg)
{
    size_t i, n = crowd.n;
    miou_task **t = calloc(n, sizeof *t);
    (void)arg;
    if (!CHECK_NOT_NULL(t))
        return NULL;
    for (i = 0; i < n; i++)
        if (!CHECK_RC(miou_async_with(&t[i], &small, crowd_waiter,
                                      (void *)(uintptr_t)i),
                      0)) {
            n = i;
            break;
        }
    CHECK_RC(miou_yield(), 0);
    CHECK_UEQ(crowd.waiting, n);
    CHECK_RC(miou_mutex_lock(&crowd.m), 0);
    crowd.go = 1;
    miou_cond_broadcast(&crowd.c);
    CHECK_RC(miou_mutex_unlock(&crowd.m), 0);
    CHECK_RC(miou_await_all(t, n, NULL, NULL), 0);
    CHECK_UEQ(crowd.woken, n);
    CHECK_UEQ(crowd.disorder, 0);
    CHECK_UEQ(crowd.bad, 0);
    free(t);
    return NULL;
}

static void a_broadcast_wakes_10000_waiters_in_order(void)
{
    memset(&crowd, 0, sizeof crowd);
    miou_mutex_init(&crowd.m);
    miou_cond_init(&crowd.c);
    crowd.n = check_scaled(10000);
    CHECK_RUN(crowd_cond_main, NULL, 0);
}

static const struct check_case cases[] = {
    {"100,000 tasks live at once", tasks_100000_live_at_once},
    {"100,000 tasks spawned and awaited in sequence leave nothing behind",
     spawn_and_await_100000_tasks_in_sequence},
    {"children nested 1,000 deep are awaited",
     children_nested_1000_deep_are_awaited},
    {"children nested 1,000 deep are cancelled from the top",
     children_nested_1000_deep_are_cancelled},
    {"a tree of 10,000 tasks blocked in every kind of suspension point is "
     "cancelled",
     a_tree_of_10000_blocked_tasks_is_cancelled},
    {"100,000 sleepers wake in deadline order, never early",
     sleepers_100000_wake_in_deadline_order},
    {"30,000 sleeping siblings are cancelled one by one",
     cancelling_30000_sleeping_siblings_one_by_one},
    {"10,000 waiters take a mutex in arrival order",
     waiters_10000_take_a_mutex_in_arrival_order},
    {"a broadcast wakes 10,000 condition waiters in order",
     a_broadcast_wakes_10000_waiters_in_order},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("stress", si, cases, CHECK_COUNT(cases));
}
