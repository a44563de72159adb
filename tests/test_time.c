/*
 * test_time.c - clocks, miou_sleep() and miou_sleep_until(): zero and past
 * deadlines, never waking early, wake order, huge deadlines, sleepers
 * woken while other tasks keep the CPU busy, miou_clock_recent().
 */
#include "lib/check.h"

static void *flag_set(void *arg)
{
    *(int *)arg = 1;
    return NULL;
}

static void *clocks_main(void *arg)
{
    uint64_t a, b, w;
    int i;
    (void)arg;
    a = miou_clock_monotonic();
    for (i = 0; i < 1000; i++) {
        b = miou_clock_monotonic();
        if (!CHECK_UGE(b, a))
            break;
        a = b;
    }
    w = miou_clock_wall();
    CHECK_UGT(w, UINT64_C(1577836800) * 1000000000u);
    a = miou_clock_monotonic();
    CHECK_RC(miou_sleep(MS(10)), 0);
    b = miou_clock_monotonic();
    CHECK_UGE(b - a, MS(10));
    /* The wall clock advances too, though maybe by whole seconds (Solo5's
     * virtio target reads the RTC when the machine has no paravirtual
     * clock): sleep in steps until it moves, 2 s at most, and it must
     * have moved by about what the monotonic clock did. */
    uint64_t w2 = miou_clock_wall();
    for (i = 0; i < 200 && w2 == w; i++) {
        CHECK_RC(miou_sleep(MS(10)), 0);
        w2 = miou_clock_wall();
    }
    b = miou_clock_monotonic();
    CHECK_UGT(w2, w);
    CHECK_ULE(w2 - w, b - a + UINT64_C(1000000000));
    return NULL;
}

static void clocks_are_monotonic_and_advance(void)
{
    CHECK_RUN(clocks_main, NULL, 0);
}

/* A zero or past deadline is a yield: it returns at once, after letting
 * the other runnable tasks run. */
static void *zero_main(void *arg)
{
    miou_task *t;
    int ran;
    uint64_t t0 = miou_clock_monotonic();
    (void)arg;

    ran = 0;
    CHECK_RC(miou_async(&t, flag_set, &ran), 0);
    CHECK_RC(miou_sleep(0), 0);
    CHECK_EQ(ran, 1);
    CHECK_RC(miou_await(t, NULL), 0);

    ran = 0;
    CHECK_RC(miou_async(&t, flag_set, &ran), 0);
    CHECK_RC(miou_sleep_until(miou_clock_monotonic()), 0);
    CHECK_EQ(ran, 1);
    CHECK_RC(miou_await(t, NULL), 0);

    ran = 0;
    CHECK_RC(miou_async(&t, flag_set, &ran), 0);
    CHECK_RC(miou_sleep_until(0), 0);
    CHECK_EQ(ran, 1);
    CHECK_RC(miou_await(t, NULL), 0);

    ran = 0;
    CHECK_RC(miou_async(&t, flag_set, &ran), 0);
    /* A second ago, or the clock's first nanosecond: the monotonic clock
     * of a virtual machine starts near 0 at boot. */
    uint64_t now = miou_clock_monotonic();
    CHECK_RC(miou_sleep_until(now > MS(1000) ? now - MS(1000) : 1), 0);
    CHECK_EQ(ran, 1);
    CHECK_RC(miou_await(t, NULL), 0);

    CHECK_RC(miou_sleep(1), 0);
    CHECK_ULT(miou_clock_monotonic() - t0, MS(1000));
    return NULL;
}

static void sleep_0_and_past_deadlines_yield_and_do_not_hang(void)
{
    CHECK_RUN(zero_main, NULL, 0);
}

static void *alone_main(void *arg)
{
    int i;
    uint64_t t0 = miou_clock_monotonic();
    (void)arg;
    /* With no other task: nothing to wait for, nothing may hang. */
    for (i = 0; i < 100; i++) {
        CHECK_RC(miou_sleep(0), 0);
        CHECK_RC(miou_sleep_until(miou_clock_monotonic()), 0);
        CHECK_RC(miou_sleep_until(0), 0);
    }
    CHECK_ULT(miou_clock_monotonic() - t0, MS(1000));
    return NULL;
}

static void sleep_0_of_a_lone_task_does_not_hang(void)
{
    CHECK_RUN(alone_main, NULL, 0);
}

static void *never_early_main(void *arg)
{
    static const uint64_t ns[] = {1, 1000, 100000, MS(1), MS(3), MS(12)};
    size_t i;
    uint64_t a, d;
    (void)arg;
    for (i = 0; i < CHECK_COUNT(ns); i++) {
        a = miou_clock_monotonic();
        CHECK_RC(miou_sleep(ns[i]), 0);
        CHECK_UGE(miou_clock_monotonic() - a, ns[i]);
        d = miou_clock_monotonic() + ns[i];
        CHECK_RC(miou_sleep_until(d), 0);
        CHECK_UGE(miou_clock_monotonic(), d);
    }
    return NULL;
}

static void sleepers_never_wake_early(void)
{
    CHECK_RUN(never_early_main, NULL, 0);
}

struct sleeper {
    uint64_t deadline;
    int id;
    int rc;
    uint64_t woke;
};

static void *sleep_and_log(void *arg)
{
    struct sleeper *s = arg;
    s->rc = miou_sleep_until(s->deadline);
    s->woke = miou_clock_monotonic();
    check_log("%d", s->id);
    return NULL;
}

static void *order_main(void *arg)
{
    static const int ms[] = {25, 5, 40, 15, 30, 10, 35, 20};
    struct sleeper s[8];
    miou_task *t[8];
    uint64_t base = miou_clock_monotonic();
    size_t i;
    struct miou_stats st;
    (void)arg;
    for (i = 0; i < 8; i++) {
        s[i].deadline = base + MS(ms[i]);
        s[i].id = ms[i];
        CHECK_RC(miou_async(&t[i], sleep_and_log, &s[i]), 0);
    }
    CHECK_RC(miou_yield(), 0);
    miou_stats(&st);
    CHECK_UEQ(st.sleepers, 8);
    CHECK_RC(miou_await_all(t, 8, NULL, NULL), 0);
    CHECK_STR_EQ(check_log_text(), "5 10 15 20 25 30 35 40");
    for (i = 0; i < 8; i++) {
        CHECK_RC(s[i].rc, 0);
        CHECK_UGE(s[i].woke, s[i].deadline);
    }
    miou_stats(&st);
    CHECK_UEQ(st.sleepers, 0);
    return NULL;
}

static void sleepers_wake_in_deadline_order(void)
{
    CHECK_RUN(order_main, NULL, 0);
}

static void *equal_main(void *arg)
{
    struct sleeper s[6];
    miou_task *t[6];
    uint64_t d = miou_clock_monotonic() + MS(10);
    int i;
    (void)arg;
    for (i = 0; i < 6; i++) {
        s[i].deadline = d;
        s[i].id = i;
        CHECK_RC(miou_async(&t[i], sleep_and_log, &s[i]), 0);
    }
    CHECK_RC(miou_await_all(t, 6, NULL, NULL), 0);
    CHECK_STR_EQ(check_log_text(), "0 1 2 3 4 5");
    for (i = 0; i < 6; i++)
        CHECK_RC(s[i].rc, 0);
    return NULL;
}

static void equal_deadlines_wake_in_the_order_of_sleeping(void)
{
    CHECK_RUN(equal_main, NULL, 0);
}

struct huge {
    int rc;
    uint64_t v; /* a duration or a deadline */
};

static void *sleep_rc(void *arg)
{
    struct huge *h = arg;
    h->rc = miou_sleep(h->v);
    return NULL;
}

static void *until_rc(void *arg)
{
    struct huge *h = arg;
    h->rc = miou_sleep_until(h->v);
    return NULL;
}

static void *huge_main(void *arg)
{
    struct huge h[4] = {{1, UINT64_MAX},
                        {1, UINT64_MAX},
                        {1, UINT64_MAX - 1},
                        {1, UINT64_MAX / 2}};
    miou_task *t[4];
    int i;
    (void)arg;
    CHECK_RC(miou_async(&t[0], sleep_rc, &h[0]), 0);
    CHECK_RC(miou_async(&t[1], until_rc, &h[1]), 0);
    CHECK_RC(miou_async(&t[2], sleep_rc, &h[2]), 0);
    CHECK_RC(miou_async(&t[3], sleep_rc, &h[3]), 0);
    for (i = 0; i < 3; i++)
        CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_sleep(MS(20)), 0);
    /* Nobody woke: an overflowing deadline must not wrap to the past. */
    for (i = 0; i < 4; i++)
        if (!CHECK_EQ(h[i].rc, 1))
            check_note("sleeper %d woke", i);
    for (i = 0; i < 4; i++) {
        CHECK_RC(miou_cancel(t[i]), 0);
        CHECK_RC(h[i].rc, MIOU_ECANCELED);
    }
    return NULL;
}

static void huge_durations_and_deadlines_do_not_overflow(void)
{
    CHECK_RUN(huge_main, NULL, 0);
}

struct busy {
    int woke;
    uint64_t woke_at, deadline;
    long spins;
};

static void *short_sleeper(void *arg)
{
    struct busy *b = arg;
    CHECK_RC(miou_sleep_until(b->deadline), 0);
    b->woke_at = miou_clock_monotonic();
    b->woke = 1;
    return NULL;
}

static void *spinner(void *arg)
{
    struct busy *b = arg;
    uint64_t limit = miou_clock_monotonic() + MS(3000);
    while (!b->woke && miou_clock_monotonic() < limit) {
        b->spins++;
        if (!CHECK_RC(miou_yield(), 0))
            break;
    }
    return NULL;
}

static void *busy_main(void *arg)
{
    struct busy *b = arg;
    miou_task *t[3];
    b->deadline = miou_clock_monotonic() + MS(5);
    CHECK_RC(miou_async(&t[0], short_sleeper, b), 0);
    CHECK_RC(miou_async(&t[1], spinner, b), 0);
    CHECK_RC(miou_async(&t[2], spinner, b), 0);
    CHECK_RC(miou_await_all(t, 3, NULL, NULL), 0);
    return NULL;
}

static void a_sleeper_wakes_while_other_tasks_keep_yielding(void)
{
    struct busy b = {0};
    CHECK_RUN(busy_main, &b, 0);
    CHECK_EQ(b.woke, 1);
    CHECK_UGE(b.woke_at, b.deadline);
    /* Woken within a few polls of its deadline, not after seconds. */
    CHECK_ULT(b.woke_at - b.deadline, MS(1000));
}

static void *sleepers_count_main(void *arg)
{
    miou_task *t[3];
    struct sleeper s[3];
    struct miou_stats st;
    int i;
    uint64_t now = miou_clock_monotonic();
    (void)arg;
    for (i = 0; i < 3; i++) {
        s[i].deadline = now + MS(10 * (i + 1));
        s[i].id = i;
        CHECK_RC(miou_async(&t[i], sleep_and_log, &s[i]), 0);
    }
    miou_stats(&st);
    CHECK_UEQ(st.sleepers, 0);
    CHECK_RC(miou_yield(), 0);
    miou_stats(&st);
    CHECK_UEQ(st.sleepers, 3);
    CHECK_RC(miou_cancel(t[2]), 0);
    CHECK_RC(s[2].rc, MIOU_ECANCELED);
    miou_stats(&st);
    CHECK_UEQ(st.sleepers, 2);
    CHECK_RC(miou_await_all(t, 2, NULL, NULL), 0);
    miou_stats(&st);
    CHECK_UEQ(st.sleepers, 0);
    return NULL;
}

static void stats_count_the_sleepers(void)
{
    CHECK_RUN(sleepers_count_main, NULL, 0);
}

static void *sleep_then_yield_main(void *arg)
{
    uint64_t t0 = miou_clock_monotonic();
    int i;
    (void)arg;
    /* Many short sleeps in a row: each at least its length. */
    for (i = 0; i < 50; i++)
        CHECK_RC(miou_sleep(100000), 0);
    CHECK_UGE(miou_clock_monotonic() - t0, 50 * (uint64_t)100000);
    return NULL;
}

static void short_sleeps_add_up(void)
{
    CHECK_RUN(sleep_then_yield_main, NULL, 0);
}

static void *recent_main(void *arg)
{
    uint64_t a, r, prev, deadline;
    int i;
    (void)arg;
    /* Never ahead of the clock. */
    a = miou_clock_monotonic();
    r = miou_clock_recent();
    CHECK_UGE(r, a);
    CHECK_ULE(r, miou_clock_monotonic());
    /* A sleeper wakes on a reading at or past its deadline: it sees it. */
    deadline = miou_clock_monotonic() + MS(2);
    CHECK_RC(miou_sleep_until(deadline), 0);
    CHECK_UGE(miou_clock_recent(), deadline);
    /* Yields let it move on, never back: a wait on it ends. */
    prev = miou_clock_recent();
    deadline = prev + MS(2);
    for (i = 0; i < 10000000 && (r = miou_clock_recent()) < deadline; i++) {
        if (!CHECK_UGE(r, prev))
            break;
        prev = r;
        CHECK_RC(miou_yield(), 0);
    }
    CHECK_UGE(miou_clock_recent(), deadline);
    return NULL;
}

static void recent_clock_is_never_ahead_and_moves_on(void)
{
    uint64_t a = miou_clock_monotonic();
    /* Outside a run, the clock itself. */
    CHECK_UGE(miou_clock_recent(), a);
    CHECK_RUN(recent_main, NULL, 0);
}

/* ---- A due sleeper does not wait behind tasks not yet started. */

#define CROWD 10000
static unsigned crowd_ran;      /* crowd tasks that have run */
static unsigned ran_before_due; /* of them, before the sleeper woke */

static void *crowd_member(void *arg)
{
    crowd_ran++;
    return arg;
}

static void *due_sleeper(void *arg)
{
    (void)arg;
    CHECK_RC(miou_sleep(1), 0);
    ran_before_due = crowd_ran;
    return NULL;
}

static void *crowd_main(void *arg)
{
    static miou_task *crowd[CROWD];
    struct miou_task_options small = {MIOU_STACK_MIN, NULL};
    miou_task *s;
    (void)arg;
    crowd_ran = 0;
    ran_before_due = CROWD + 1;
    CHECK_RC(miou_async(&s, due_sleeper, NULL), 0);
    CHECK_RC(miou_yield(), 0); /* the sleeper starts its 1 ns sleep */
    for (unsigned i = 0; i < CROWD; i++)
        if (!CHECK_RC(miou_async_with(&crowd[i], &small, crowd_member, NULL),
                      0))
            return NULL;
    CHECK_RC(miou_await(s, NULL), 0);
    CHECK_RC(miou_await_all(crowd, CROWD, NULL, NULL), 0);
    return NULL;
}

static void a_due_sleeper_runs_before_tasks_not_yet_started(void)
{
#ifdef MIOU_PLATFORM_SIM
    check_skip("virtual time stands still while tasks are runnable: no "
               "deadline passes among them");
#endif
    CHECK_RUN(crowd_main, NULL, 0);
    /* Its deadline has passed by the first poll: at most a few poll
     * intervals of the crowd run first, not all 10,000. */
#ifndef MIOU_PLATFORM_SIM
    CHECK_ULE(ran_before_due, 4 * MIOU_POLL_INTERVAL_DEFAULT);
#endif
    check_note("%u of %u tasks not yet started ran before the due sleeper",
               ran_before_due, CROWD);
}

/* timer.c keeps about the next second of sleepers in a wheel of 1 ms
 * slots and later ones in a heap. A crowd spread across both, with equal
 * deadlines, wakes in deadline order, then in the order of sleeping; the
 * later ones are cancelled, enough of them to make the timers rebuild
 * their places without the stale nodes. */
#define SPREAD_NEAR 150
#define SPREAD_FAR 250
#define SPREAD (SPREAD_NEAR + SPREAD_FAR)

struct spread {
    uint64_t deadline;
    uint64_t armed; /* the clock when it went to sleep */
    uint64_t woke;
    unsigned rank; /* order of waking */
    int rc;
};
static struct spread spread[SPREAD];
static unsigned spread_woken;

static void *spread_sleeper(void *arg)
{
    struct spread *s = arg;
    s->armed = miou_clock_monotonic();
    s->rc = miou_sleep_until(s->deadline);
    s->woke = miou_clock_monotonic();
    s->rank = spread_woken++;
    return NULL;
}

static void *spread_main(void *arg)
{
    static miou_task *t[SPREAD];
    uint32_t x = 12345;
    struct miou_stats st;
    (void)arg;
    spread_woken = 0;
    for (unsigned i = 0; i < SPREAD; i++)
        CHECK_RC(miou_async(&t[i], spread_sleeper, &spread[i]), 0);
    /* The deadlines are set once all are spawned, before any runs. */
    uint64_t base = miou_clock_monotonic();
    for (unsigned i = 0; i < SPREAD; i++) {
        x = x * 1103515245u + 12345u;
        /* Near ones in 500 us steps over 150 ms: equal deadlines are
         * common. Far ones from 1.5 s to 3 s, past the wheel. */
        spread[i].deadline = i < SPREAD_NEAR
                                 ? base + MS(20) + (x >> 8) % 300 * MS(1) / 2
                                 : base + MS(1500) + (x >> 8) % MS(1500);
    }
    CHECK_RC(miou_yield(), 0);
    /* Every far one sleeps (a slow run, under valgrind, may have woken
     * near ones already). */
    miou_stats(&st);
    CHECK_UGE(st.sleepers, SPREAD_FAR);
    for (unsigned i = SPREAD_NEAR; i < SPREAD; i++)
        CHECK_RC(miou_cancel(t[i]), 0);
    miou_stats(&st);
    CHECK_ULE(st.sleepers, SPREAD_NEAR);
    CHECK_RC(miou_await_all(t, SPREAD_NEAR, NULL, NULL), 0);
    for (unsigned i = 0; i < SPREAD_NEAR; i++) {
        CHECK_RC(spread[i].rc, 0);
        CHECK_UGE(spread[i].woke, spread[i].deadline);
        /* Among those that really waited (a slow run, under valgrind,
         * may start one after its deadline: it only yields). */
        for (unsigned j = 0; j < SPREAD_NEAR; j++) {
            const struct spread *a = &spread[i], *b = &spread[j];
            if (a->armed >= a->deadline || b->armed >= b->deadline)
                continue;
            if (a->deadline < b->deadline ||
                (a->deadline == b->deadline && i < j))
                CHECK_ULT(a->rank, b->rank);
        }
    }
    for (unsigned i = SPREAD_NEAR; i < SPREAD; i++)
        CHECK_RC(spread[i].rc, MIOU_ECANCELED);
    miou_stats(&st);
    CHECK_UEQ(st.sleepers, 0);
    return NULL;
}

static void sleepers_across_the_wheel_wake_in_order(void)
{
    CHECK_RUN(spread_main, NULL, 0);
}

static const struct check_case cases[] = {
    {"clocks are monotonic and advance with sleep",
     clocks_are_monotonic_and_advance},
    {"sleep(0), sleep_until(now) and sleep_until(past) yield and do not hang",
     sleep_0_and_past_deadlines_yield_and_do_not_hang},
    {"sleep(0) of a lone task does not hang",
     sleep_0_of_a_lone_task_does_not_hang},
    {"sleepers never wake early", sleepers_never_wake_early},
    {"sleepers wake in deadline order", sleepers_wake_in_deadline_order},
    {"equal deadlines wake in the order of sleeping",
     equal_deadlines_wake_in_the_order_of_sleeping},
    {"huge durations and deadlines do not overflow into the past",
     huge_durations_and_deadlines_do_not_overflow},
    {"a sleeper wakes while other tasks keep yielding",
     a_sleeper_wakes_while_other_tasks_keep_yielding},
    {"stats count the sleepers", stats_count_the_sleepers},
    {"a due sleeper runs before tasks spawned and not yet started",
     a_due_sleeper_runs_before_tasks_not_yet_started},
    {"short sleeps add up", short_sleeps_add_up},
    {"sleepers within the next second and beyond it, some cancelled, wake "
     "in order",
     sleepers_across_the_wheel_wake_in_order},
    {"miou_clock_recent() is never ahead of the clock, sees a sleeper's "
     "deadline passed, and moves on with yields",
     recent_clock_is_never_ahead_and_moves_on},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("time", si, cases, CHECK_COUNT(cases));
}
