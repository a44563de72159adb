/*
 * test_memory.c - running out of memory: the library's allocations come
 * from the unikernel's heap region (include/miou_heap.h) on every
 * platform, so spawning tasks until the heap is full ends in MIOU_ENOMEM,
 * never a crash, at the same count on hosted and under Solo5 for the same
 * --mem; and everything comes back: a second run fits exactly as many.
 *
 * It prints "# N tasks with 64 KiB stacks fit" for scripts/check_solo5.sh,
 * which compares N between platforms.
 */
#include <string.h>

#include <miou_heap.h>

#include "lib/check.h"

/* More tasks than any --mem this suite uses can hold (64 KiB stacks:
 * 8,192 fill 512 MiB). */
#define MAX_TASKS 65536

static miou_task *tasks[MAX_TASKS];

static void *wait_for_cancel(void *arg)
{
    (void)arg;
    miou_sleep(3600ull * 1000000000ull);
    return NULL;
}

struct fill {
    size_t fitted;
    int last_rc;
    int cancel_failures;
    int spawn_after;
};

static void *fill_main(void *arg)
{
    struct fill *f = arg;
    struct miou_task_options opts = {.stack_size = 64 * 1024, .name = "filler"};
    size_t n = 0;
    int rc = 0;

    while (n < MAX_TASKS &&
           (rc = miou_async_with(&tasks[n], &opts, wait_for_cancel, NULL)) == 0)
        n++;
    f->fitted = n;
    f->last_rc = rc;
    /* Let them all go to sleep, then give everything back. */
    miou_yield();
    for (size_t i = 0; i < n; i++)
        if (miou_cancel(tasks[i]) != 0)
            f->cancel_failures++;
    /* The memory is there again. */
    miou_task *t;
    f->spawn_after = miou_async_with(&t, &opts, wait_for_cancel, NULL);
    if (f->spawn_after == 0)
        miou_cancel(t);
    return NULL;
}

static void spawning_until_the_heap_is_full_gives_enomem(void)
{
    struct fill a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    CHECK_RUN(fill_main, &a, 0);
    CHECK_RC(a.last_rc, MIOU_ENOMEM);
    CHECK_UGT(a.fitted, 0);
    CHECK_EQ(a.cancel_failures, 0);
    CHECK_RC(a.spawn_after, 0);
    check_note("%zu tasks with 64 KiB stacks fit", a.fitted);
    /* Nothing was lost: the next run fits as many. */
    CHECK_RUN(fill_main, &b, 0);
    CHECK_RC(b.last_rc, MIOU_ENOMEM);
    CHECK_UEQ(b.fitted, a.fitted);
}

/* What the scheduler keeps once tasks are gone (records for reuse,
 * pooled stacks, the sleepers' arrays) is miou_stats()'s sched_bytes: the
 * heap grows by that and by the heap's headers, never by more. Three
 * waves of 1,000 tasks (under ASan a stack takes 40 KiB: one wave fits in
 * this test's 64 MiB). */
#define KEPT_WAVE 1000
#define KEPT_WAVES 3
/* The heap's header and rounding: under 32 bytes a block. The blocks
 * kept: a slab per 64 records and their table, the pooled stacks, the
 * timers' arrays (two heaps, a bucket per slot of about 1 ms slept). */
#define KEPT_BLOCKS (KEPT_WAVE / 64 + 1 + 256 + 2 + 16)

struct kept {
    size_t heap_grown;  /* heap bytes in use, after - before */
    size_t sched_grown; /* sched_bytes, after - before */
    size_t kept_records;
    int rc;
};

static void *nap(void *arg)
{
    miou_sleep((uint64_t)(uintptr_t)arg * 100000u);
    return NULL;
}

static void *kept_main(void *arg)
{
    struct kept *k = arg;
    struct miou_task_options opts = {.stack_size = 8 * 1024};
    struct miou_heap_stats h0, h1;
    struct miou_stats s0, s1;
    miou_heap_platform_stats(&h0);
    miou_stats(&s0);
    for (int wave = 0; wave < KEPT_WAVES && k->rc == 0; wave++) {
        size_t n = 0;
        while (n < KEPT_WAVE &&
               (k->rc = miou_async_with(&tasks[n], &opts, nap,
                                        (void *)(uintptr_t)(n % 10))) == 0)
            n++;
        int rc = miou_await_all(tasks, n, NULL, NULL);
        if (k->rc == 0)
            k->rc = rc;
    }
    miou_heap_platform_stats(&h1);
    miou_stats(&s1);
    k->heap_grown = h1.used - h0.used;
    k->sched_grown = s1.sched_bytes - s0.sched_bytes;
    k->kept_records = KEPT_WAVE * s1.task_bytes;
    return NULL;
}

static void the_heap_grows_by_what_the_scheduler_says_it_keeps(void)
{
    struct kept k;
    memset(&k, 0, sizeof k);
    CHECK_RUN(kept_main, &k, 0);
    CHECK_RC(k.rc, 0);
    /* The records of a wave's 1,000 tasks are kept, and counted. */
    CHECK_UGE(k.sched_grown, k.kept_records);
    CHECK_UGE(k.heap_grown, k.sched_grown);
    CHECK_ULE(k.heap_grown - k.sched_grown, 32 * KEPT_BLOCKS);
    check_note("the heap grew by %zu bytes, the scheduler keeps %zu of them",
               k.heap_grown, k.sched_grown);
}

static const struct check_case cases[] = {
    {"spawning until the heap is full gives MIOU_ENOMEM, and a second run "
     "fits as many",
     spawning_until_the_heap_is_full_gives_enomem},
    {"the heap grows by what miou_stats() says the scheduler keeps, once "
     "its tasks have ended",
     the_heap_grows_by_what_the_scheduler_says_it_keeps},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("memory", si, cases, CHECK_COUNT(cases));
}
