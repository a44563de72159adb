/*
 * test_random.c - random programs of tasks, many seeds: every task spawns,
 * awaits, cancels, yields, sleeps and takes a shared mutex in an order
 * drawn from the seed. Whatever the order, the run must end, every task
 * must end exactly once, every await must give the value its child
 * returned or say why not, and nothing may be left behind.
 *
 * A failing seed is named in the failure; the seeds are fixed so that a
 * failure replays. --scale=K runs fewer seeds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/check.h"

enum {
    SEEDS = 300,
    MAX_TASKS = 400,  /* per run */
    MAX_CHILDREN = 6, /* held at once by one task */
    STEPS = 12,       /* actions per task */
};

struct world {
    uint64_t rng;
    size_t spawned;   /* tasks created by the program */
    size_t started;   /* tasks whose function began */
    size_t finished;  /* tasks whose function returned */
    size_t bad_value; /* awaits that returned 0 with a wrong value */
    size_t bad_status;
    size_t unlocks_failed;
    miou_mutex mutex;
    miou_cond cond;
};

static struct world w;

static uint64_t next_random(void)
{
    return check_xorshift(&w.rng);
}

static unsigned pick(unsigned n)
{
    return (unsigned)(next_random() % n);
}

static const struct miou_task_options small = {
#if defined(CHECK_ASAN)
    .stack_size = 32768,
#else
    .stack_size = 8192,
#endif
};

static void *task(void *arg);

/* A child's value: its own number, so that the parent can tell it from
 * any other's. */
struct child {
    miou_task *handle;
    uintptr_t number;
};

static void drop(struct child *kids, int *n, int i)
{
    kids[i] = kids[--*n];
}

/* Await or cancel child (i) and check what comes back. */
static void settle(struct child *kids, int *n, int i, int by_cancel)
{
    void *value = NULL;
    int rc = by_cancel ? miou_cancel(kids[i].handle)
                       : miou_await(kids[i].handle, &value);
    if (rc == 0 && !by_cancel && (uintptr_t)value != kids[i].number)
        w.bad_value++;
    /* A child is awaited with 0, or it (or we) were cancelled; nothing
     * else is possible here: every child awaits its own children. */
    if (rc != 0 && rc != MIOU_ECANCELED)
        w.bad_status++;
    drop(kids, n, i);
}

static void *task(void *arg)
{
    uintptr_t me = (uintptr_t)arg;
    struct child kids[MAX_CHILDREN];
    int n = 0;
    w.started++;
    for (int step = 0; step < STEPS; step++) {
        switch (pick(8)) {
        case 0:
        case 1: /* spawn */
            if (n < MAX_CHILDREN && w.spawned < MAX_TASKS) {
                uintptr_t number = ++w.spawned;
                if (miou_async_with(&kids[n].handle, &small, task,
                                    (void *)number) == 0) {
                    kids[n].number = number;
                    n++;
                } else {
                    w.spawned--; /* cancelled: nothing was created */
                }
            }
            break;
        case 2: /* await one */
            if (n > 0)
                settle(kids, &n, (int)pick((unsigned)n), 0);
            break;
        case 3: /* cancel one */
            if (n > 0)
                settle(kids, &n, (int)pick((unsigned)n), 1);
            break;
        case 4:
            miou_yield();
            break;
        case 5:
            miou_sleep(pick(3) * 20000u); /* 0, 20 or 40 us */
            break;
        case 6: /* hold the shared mutex across a yield */
            if (miou_mutex_lock(&w.mutex) == 0) {
                miou_yield();
                if (miou_mutex_unlock(&w.mutex) != 0)
                    w.unlocks_failed++;
            }
            break;
        case 7: /* wake the condition's waiters, or wait a little on it */
            if (pick(2)) {
                miou_cond_broadcast(&w.cond);
            } else if (miou_mutex_lock(&w.mutex) == 0) {
                miou_cond_wait_until(&w.cond, &w.mutex,
                                     miou_clock_monotonic() + 30000u);
                if (miou_mutex_unlock(&w.mutex) != 0)
                    w.unlocks_failed++;
            }
            break;
        }
    }
    /* Await or cancel what is left, in a random mix. */
    while (n > 0)
        settle(kids, &n, (int)pick((unsigned)n), (int)pick(2));
    w.finished++;
    return (void *)me;
}

static void *random_main(void *arg)
{
    (void)arg;
    return task((void *)0);
}

static void random_programs_keep_every_rule(void)
{
    size_t seeds = check_scaled(SEEDS), tasks = 0, most = 0;
    for (size_t seed = 1; seed <= seeds; seed++) {
        memset(&w, 0, sizeof(w));
        w.rng = 0x9E3779B97F4A7C15ull * seed;
        miou_mutex_init(&w.mutex);
        miou_cond_init(&w.cond);
        void *result = NULL;
        int rc = miou_run(NULL, random_main, NULL, &result);
        int ok = CHECK_RC(rc, 0);
        ok &= CHECK_PTR_EQ(result, (void *)0);
        /* Every task began and returned exactly once: cancellation of a
         * task that never ran skips its function, so compare with what
         * began. */
        ok &= CHECK_UEQ(w.finished, w.started);
        ok &= CHECK(w.started <= w.spawned + 1);
        ok &= CHECK_UEQ(w.bad_value, 0);
        ok &= CHECK_UEQ(w.bad_status, 0);
        ok &= CHECK_UEQ(w.unlocks_failed, 0);
        ok &= CHECK(w.mutex.owner == NULL);
        tasks += w.started;
        if (w.started > most)
            most = w.started;
        if (!ok) {
            check_fail(__FILE__, __LINE__,
                       "the checks above failed at seed %zu; the seeds are "
                       "fixed, so running this case again replays it",
                       seed);
            return;
        }
    }
    check_note("%zu seeds, %zu tasks in all, up to %zu in one run", seeds,
               tasks, most);
    /* The programs must be big enough to mean something. */
    CHECK_UGT(tasks, seeds * 20);
}

static const struct check_case cases[] = {
    {"random programs of spawn, await, cancel, yield, sleep, mutex and "
     "condition keep every rule",
     random_programs_keep_every_rule},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("random", si, cases, CHECK_COUNT(cases));
}
