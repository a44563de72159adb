/*
 * prop_broken.c - a property that does not hold, on purpose: the runner's
 * self-test (scripts/check_sim.sh) checks that the runner catches it,
 * names a seed, and that the seed replays the failure. Not part of the
 * normal suite.
 *
 * lost_update: a few tasks sleep seeded durations, several often until
 * the same deadline, then add one to a shared counter. All but one do it
 * at once; the slow one reads the counter, yields, and writes back what
 * it read plus one - a lost update whenever a task due at the same
 * instant runs during that yield. The deadlines are drawn from the seed,
 * so only some seeds (about a third) lose an update: the bug hides on
 * most runs, as such bugs do, and the seeds find it.
 */
#include "prop.h"

PROP_PROGRAM("build/sim/tests/sim/prop_broken", "", NULL);

#define MS 1000000ull
#define LU_TASKS 3

static struct {
    unsigned n;
    uint64_t counter;
    uint64_t deadline[LU_TASKS];
} lu;

static void *lu_fast(void *arg)
{
    uint64_t *deadline = arg;
    miou_sleep_until(*deadline);
    lu.counter++;
    return NULL;
}

static void *lu_slow(void *arg)
{
    uint64_t *deadline = arg;
    miou_sleep_until(*deadline);
    uint64_t seen = lu.counter;
    miou_yield(); /* the window in which an update is lost */
    lu.counter = seen + 1;
    return NULL;
}

static void *lu_main(void *arg)
{
    (void)arg;
    miou_task *h[LU_TASKS];
    unsigned spawned = 0;
    for (; spawned < lu.n; spawned++)
        if (miou_async(&h[spawned], spawned ? lu_fast : lu_slow,
                       &lu.deadline[spawned]) != 0)
            break;
    miou_await_all(h, spawned, NULL, NULL);
    return NULL;
}

static int lost_update(struct prop_ctx *ctx)
{
    lu.n = (unsigned)prop_between(2, LU_TASKS);
    lu.counter = 0;
    /* Four possible deadlines: tasks often share one. */
    for (unsigned i = 0; i < lu.n; i++)
        lu.deadline[i] = prop_between(1, 4) * MS;
    int rc = miou_run(NULL, lu_main, NULL, NULL);
    if (rc != 0)
        return prop_fail(ctx, "miou_run: %s", miou_errname(rc));
    if (lu.counter != lu.n)
        return prop_fail(ctx, "%u tasks added one each, the counter is %llu",
                         lu.n, (unsigned long long)lu.counter);
    return 0;
}

const struct prop prop_table[] = {
    {"lost_update", "every task's update to a shared counter is kept",
     lost_update},
};
const size_t prop_count = sizeof prop_table / sizeof prop_table[0];
