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

static const struct check_case cases[] = {
    {"spawning until the heap is full gives MIOU_ENOMEM, and a second run "
     "fits as many",
     spawning_until_the_heap_is_full_gives_enomem},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("memory", si, cases, CHECK_COUNT(cases));
}
