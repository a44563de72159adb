/*
 * test_sync.c - miou_mutex and miou_cond: locking, errors, FIFO handoff,
 * cancelled waiters, signal and broadcast, deadlines.
 */
#include "lib/check.h"

struct shared {
    miou_mutex m;
    miou_cond c;
    int value;
    int ready;
    int rc[8];
    int held[8];
};

static void shared_init(struct shared *s)
{
    size_t i;
    miou_mutex_init(&s->m);
    miou_cond_init(&s->c);
    s->value = s->ready = 0;
    for (i = 0; i < 8; i++)
        s->rc[i] = 1, s->held[i] = 0;
}

struct arg {
    struct shared *s;
    int i;
};

/* Spawn (n) tasks running (fn), the i-th with (a[i]) = {s, i}. */
static void spawn_numbered(struct shared *s, struct arg *a, miou_task **t,
                           int n, miou_fn fn)
{
    for (int i = 0; i < n; i++) {
        a[i].s = s, a[i].i = i;
        CHECK_RC(miou_async(&t[i], fn, &a[i]), 0);
    }
}

/* ---- Mutex. */

static void *basic_main(void *arg)
{
    struct shared *s = arg;
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    CHECK_RC(miou_mutex_lock(&s->m), MIOU_EDEADLK);
    CHECK_RC(miou_mutex_trylock(&s->m), MIOU_EBUSY);
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    CHECK_RC(miou_mutex_unlock(&s->m), MIOU_EPERM);
    CHECK_RC(miou_mutex_trylock(&s->m), 0);
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    CHECK_RC(miou_mutex_lock(NULL), MIOU_EINVAL);
    return NULL;
}

static void lock_trylock_unlock_and_their_errors(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(basic_main, &s, 0);
}

static void *try_other(void *arg)
{
    struct shared *s = arg;
    s->rc[0] = miou_mutex_trylock(&s->m);
    s->rc[1] = miou_mutex_unlock(&s->m);
    return NULL;
}

static void *other_holds_main(void *arg)
{
    struct shared *s = arg;
    miou_task *t;
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    CHECK_RC(miou_async(&t, try_other, s), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    CHECK_RC(s->rc[0], MIOU_EBUSY);
    CHECK_RC(s->rc[1], MIOU_EPERM);
    /* Still ours. */
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    return NULL;
}

static void another_tasks_mutex_is_ebusy_and_eperm(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(other_holds_main, &s, 0);
}

static void *locker(void *arg)
{
    struct arg *a = arg;
    struct shared *s = a->s;
    check_log("want%d", a->i);
    s->rc[a->i] = miou_mutex_lock(&s->m);
    check_log("got%d", a->i);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    return NULL;
}

static void *fifo_main(void *arg)
{
    struct shared *s = arg;
    struct arg a[4];
    miou_task *t[4];
    int i;
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    spawn_numbered(s, a, t, 4, locker);
    CHECK_RC(miou_yield(), 0);
    check_log("unlock");
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    /* Handed to the oldest waiter: not free for anyone else. */
    CHECK_RC(miou_mutex_trylock(&s->m), MIOU_EBUSY);
    CHECK_RC(miou_await_all(t, 4, NULL, NULL), 0);
    CHECK_STR_EQ(check_log_text(),
                 "want0 want1 want2 want3 unlock got0 got1 got2 got3");
    for (i = 0; i < 4; i++)
        CHECK_RC(s->rc[i], 0);
    return NULL;
}

static void the_mutex_passes_to_waiters_in_arrival_order(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(fifo_main, &s, 0);
}

static void *lock_and_record(void *arg)
{
    struct arg *a = arg;
    struct shared *s = a->s;
    s->rc[a->i] = miou_mutex_lock(&s->m);
    if (s->rc[a->i] == 0) {
        s->held[a->i] = 1;
        check_log("got%d", a->i);
        CHECK_RC(miou_mutex_unlock(&s->m), 0);
    } else {
        /* Not held. */
        s->held[a->i] = miou_mutex_unlock(&s->m) != MIOU_EPERM;
    }
    return NULL;
}

static void *cancelled_waiter_main(void *arg)
{
    struct shared *s = arg;
    struct arg a[3];
    miou_task *t[3];
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    spawn_numbered(s, a, t, 3, lock_and_record);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_cancel(t[1]), 0);
    CHECK_RC(s->rc[1], MIOU_ECANCELED);
    CHECK_EQ(s->held[1], 0);
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    CHECK_RC(miou_await(t[0], NULL), 0);
    CHECK_RC(miou_await(t[2], NULL), 0);
    CHECK_STR_EQ(check_log_text(), "got0 got2");
    CHECK_RC(miou_mutex_trylock(&s->m), 0);
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    return NULL;
}

static void a_cancelled_lock_waiter_leaves_the_queue(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(cancelled_waiter_main, &s, 0);
}

static void *counter(void *arg)
{
    struct shared *s = arg;
    int i, v;
    for (i = 0; i < 100; i++) {
        if (!CHECK_RC(miou_mutex_lock(&s->m), 0))
            break;
        v = s->value;
        CHECK_RC(miou_yield(), 0);
        s->value = v + 1;
        CHECK_RC(miou_mutex_unlock(&s->m), 0);
    }
    return NULL;
}

static void *exclusion_main(void *arg)
{
    struct shared *s = arg;
    miou_task *t[5];
    int i;
    for (i = 0; i < 5; i++)
        CHECK_RC(miou_async(&t[i], counter, s), 0);
    CHECK_RC(miou_await_all(t, 5, NULL, NULL), 0);
    CHECK_EQ(s->value, 500);
    return NULL;
}

static void the_mutex_excludes_across_yields(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(exclusion_main, &s, 0);
}

/* ---- Condition. */

static void *cond_waiter(void *arg)
{
    struct arg *a = arg;
    struct shared *s = a->s;
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    check_log("wait%d", a->i);
    s->rc[a->i] = miou_cond_wait(&s->c, &s->m);
    check_log("woke%d", a->i);
    s->held[a->i] = miou_mutex_unlock(&s->m) == 0;
    return NULL;
}

static void *signal_main(void *arg)
{
    struct shared *s = arg;
    struct arg a[3];
    miou_task *t[3];
    int i;
    spawn_numbered(s, a, t, 3, cond_waiter);
    CHECK_RC(miou_yield(), 0);
    /* The waiters released the mutex. */
    CHECK_RC(miou_mutex_trylock(&s->m), 0);
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    for (i = 0; i < 3; i++) {
        check_log("signal");
        miou_cond_signal(&s->c);
        CHECK_RC(miou_yield(), 0);
    }
    CHECK_RC(miou_await_all(t, 3, NULL, NULL), 0);
    CHECK_STR_EQ(check_log_text(), "wait0 wait1 wait2 signal woke0 signal "
                                   "woke1 signal woke2");
    for (i = 0; i < 3; i++) {
        CHECK_RC(s->rc[i], 0);
        CHECK_EQ(s->held[i], 1);
    }
    return NULL;
}

static void signal_wakes_the_oldest_waiter(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(signal_main, &s, 0);
}

static void *broadcast_main(void *arg)
{
    struct shared *s = arg;
    struct arg a[4];
    miou_task *t[4];
    int i;
    spawn_numbered(s, a, t, 4, cond_waiter);
    CHECK_RC(miou_yield(), 0);
    check_log("broadcast");
    miou_cond_broadcast(&s->c);
    CHECK_RC(miou_await_all(t, 4, NULL, NULL), 0);
    CHECK_STR_EQ(check_log_text(), "wait0 wait1 wait2 wait3 broadcast "
                                   "woke0 woke1 woke2 woke3");
    for (i = 0; i < 4; i++) {
        CHECK_RC(s->rc[i], 0);
        CHECK_EQ(s->held[i], 1);
    }
    return NULL;
}

static void broadcast_wakes_every_waiter_in_order(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(broadcast_main, &s, 0);
}

static void *relock_main(void *arg)
{
    struct shared *s = arg;
    struct arg a = {s, 0};
    miou_task *t;
    CHECK_RC(miou_async(&t, cond_waiter, &a), 0);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    miou_cond_signal(&s->c);
    /* The waiter cannot return while the signaller holds the mutex. */
    CHECK_RC(miou_sleep(MS(5)), 0);
    CHECK_RC(miou_yield(), 0);
    check_log("unlock");
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    CHECK_STR_EQ(check_log_text(), "wait0 unlock woke0");
    CHECK_EQ(s->held[0], 1);
    return NULL;
}

static void a_woken_waiter_returns_only_once_it_holds_the_mutex(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(relock_main, &s, 0);
}

static void *no_waiter_main(void *arg)
{
    struct shared *s = arg;
    uint64_t t0;
    miou_cond_signal(&s->c);
    miou_cond_broadcast(&s->c);
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    t0 = miou_clock_monotonic();
    /* The earlier signals were not kept for this waiter. */
    CHECK_RC(miou_cond_wait_until(&s->c, &s->m, t0 + MS(10)), MIOU_ETIMEDOUT);
    CHECK_UGE(miou_clock_monotonic(), t0 + MS(10));
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    return NULL;
}

static void a_signal_without_waiters_is_lost(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(no_waiter_main, &s, 0);
}

static void *timeout_main(void *arg)
{
    struct shared *s = arg;
    uint64_t d, now;
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    d = miou_clock_monotonic() + MS(15);
    CHECK_RC(miou_cond_wait_until(&s->c, &s->m, d), MIOU_ETIMEDOUT);
    now = miou_clock_monotonic();
    /* Never early. */
    CHECK_UGE(now, d);
    /* Held again. */
    CHECK_RC(miou_mutex_trylock(&s->m), MIOU_EBUSY);
    CHECK_RC(miou_mutex_lock(&s->m), MIOU_EDEADLK);
    /* A deadline already past times out at once, holding the mutex. */
    CHECK_RC(miou_cond_wait_until(&s->c, &s->m, 0), MIOU_ETIMEDOUT);
    CHECK_RC(miou_cond_wait_until(&s->c, &s->m, miou_clock_monotonic()),
             MIOU_ETIMEDOUT);
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    return NULL;
}

static void wait_until_times_out_at_the_deadline_holding_the_mutex(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(timeout_main, &s, 0);
}

static void *signal_soon(void *arg)
{
    struct shared *s = arg;
    CHECK_RC(miou_sleep(MS(5)), 0);
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    s->ready = 1;
    miou_cond_signal(&s->c);
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    return NULL;
}

static void *before_deadline_main(void *arg)
{
    struct shared *s = arg;
    miou_task *t;
    uint64_t t0 = miou_clock_monotonic();
    CHECK_RC(miou_async(&t, signal_soon, s), 0);
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    CHECK_RC(miou_cond_wait_until(&s->c, &s->m, t0 + MS(10000)), 0);
    CHECK_EQ(s->ready, 1);
    CHECK_ULT(miou_clock_monotonic() - t0, MS(5000));
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    return NULL;
}

static void wait_until_signalled_before_the_deadline_is_0(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(before_deadline_main, &s, 0);
}

static void *eperm_other(void *arg)
{
    struct shared *s = arg;
    s->rc[0] = miou_cond_wait(&s->c, &s->m);
    s->rc[1] = miou_cond_wait_until(&s->c, &s->m, UINT64_MAX);
    return NULL;
}

static void *eperm_main(void *arg)
{
    struct shared *s = arg;
    miou_task *t;
    /* Not held at all. */
    CHECK_RC(miou_cond_wait(&s->c, &s->m), MIOU_EPERM);
    CHECK_RC(miou_cond_wait_until(&s->c, &s->m, UINT64_MAX), MIOU_EPERM);
    /* Held by another task. */
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    CHECK_RC(miou_async(&t, eperm_other, s), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    CHECK_RC(s->rc[0], MIOU_EPERM);
    CHECK_RC(s->rc[1], MIOU_EPERM);
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
    return NULL;
}

static void waiting_without_holding_the_mutex_is_eperm(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(eperm_main, &s, 0);
}

static void *cancelled_cond_main(void *arg)
{
    struct shared *s = arg;
    struct arg a[3];
    miou_task *t[3];
    spawn_numbered(s, a, t, 3, cond_waiter);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_cancel(t[0]), 0);
    CHECK_RC(s->rc[0], MIOU_ECANCELED);
    CHECK_EQ(s->held[0], 1);
    /* The signal goes to the next waiter, not to the cancelled one. */
    miou_cond_signal(&s->c);
    CHECK_RC(miou_await(t[1], NULL), 0);
    CHECK_RC(s->rc[1], 0);
    miou_cond_signal(&s->c);
    CHECK_RC(miou_await(t[2], NULL), 0);
    CHECK_RC(s->rc[2], 0);
    return NULL;
}

static void a_cancelled_cond_waiter_holds_the_mutex_and_leaves_the_queue(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(cancelled_cond_main, &s, 0);
}

/* One side of the ping-pong: waits for the shared value to have its
 * (parity), then bumps it, 1000 times. */
static void play(struct shared *s, int parity)
{
    int i;
    CHECK_RC(miou_mutex_lock(&s->m), 0);
    for (i = 0; i < 1000; i++) {
        while (s->value % 2 != parity)
            if (!CHECK_RC(miou_cond_wait(&s->c, &s->m), 0))
                goto out;
        s->value++;
        miou_cond_broadcast(&s->c);
    }
out:
    CHECK_RC(miou_mutex_unlock(&s->m), 0);
}

static void *ping(void *arg)
{
    play(arg, 0);
    return NULL;
}

static void *pong(void *arg)
{
    play(arg, 1);
    return NULL;
}

static void *ping_pong_main(void *arg)
{
    struct shared *s = arg;
    miou_task *t[2];
    CHECK_RC(miou_async(&t[0], ping, s), 0);
    CHECK_RC(miou_async(&t[1], pong, s), 0);
    CHECK_RC(miou_await_all(t, 2, NULL, NULL), 0);
    CHECK_EQ(s->value, 2000);
    return NULL;
}

static void a_ping_pong_of_two_tasks_completes(void)
{
    struct shared s;
    shared_init(&s);
    CHECK_RUN(ping_pong_main, &s, 0);
}

static const struct check_case cases[] = {
    {"lock, trylock, unlock and their errors (EDEADLK, EBUSY, EPERM, "
     "EINVAL)",
     lock_trylock_unlock_and_their_errors},
    {"another task's mutex is MIOU_EBUSY to trylock and MIOU_EPERM to "
     "unlock",
     another_tasks_mutex_is_ebusy_and_eperm},
    {"the mutex passes to waiters in arrival order",
     the_mutex_passes_to_waiters_in_arrival_order},
    {"a cancelled lock waiter is MIOU_ECANCELED and leaves the queue",
     a_cancelled_lock_waiter_leaves_the_queue},
    {"the mutex excludes across yields", the_mutex_excludes_across_yields},
    {"signal wakes the oldest waiter", signal_wakes_the_oldest_waiter},
    {"broadcast wakes every waiter in order",
     broadcast_wakes_every_waiter_in_order},
    {"a woken waiter returns only once it holds the mutex",
     a_woken_waiter_returns_only_once_it_holds_the_mutex},
    {"a signal without waiters is lost", a_signal_without_waiters_is_lost},
    {"wait_until times out at the deadline, never early, holding the mutex",
     wait_until_times_out_at_the_deadline_holding_the_mutex},
    {"wait_until signalled before the deadline is 0",
     wait_until_signalled_before_the_deadline_is_0},
    {"waiting without holding the mutex is MIOU_EPERM",
     waiting_without_holding_the_mutex_is_eperm},
    {"a cancelled condition waiter holds the mutex and leaves the queue",
     a_cancelled_cond_waiter_holds_the_mutex_and_leaves_the_queue},
    {"a ping-pong of two tasks on a condition completes",
     a_ping_pong_of_two_tasks_completes},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("sync", si, cases, CHECK_COUNT(cases));
}
