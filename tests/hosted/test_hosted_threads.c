/*
 * test_hosted_threads.c - a hosted process is one unikernel: it runs one
 * miou_run() at a time, whichever thread calls it. Runs in threads one
 * after another each complete; a second run while one is in progress is
 * refused with MIOU_EBUSY, from another thread as from a task. Hosted
 * only: a unikernel has no threads.
 */
#include <pthread.h>
#include <stdint.h>

#include "../lib/check.h"

enum { TASKS = 50, YIELDS = 200 };

struct run {
    int rc;
    uintptr_t sum;
    int foreign_handle_rc;
    miou_task *foreign; /* a handle of the other thread's run */
};

static void *worker(void *arg)
{
    uintptr_t i = (uintptr_t)arg;
    for (int k = 0; k < YIELDS; k++)
        if (miou_yield() != 0)
            return NULL;
    miou_sleep(1000000);
    return (void *)(i + 1);
}

static void *thread_main(void *arg)
{
    struct run *r = arg;
    miou_task *t[TASKS];
    void *res[TASKS];
    for (uintptr_t i = 0; i < TASKS; i++)
        if (miou_async(&t[i], worker, (void *)i) != 0)
            return NULL;
    if (miou_await_all(t, TASKS, res, NULL) != 0)
        return NULL;
    for (int i = 0; i < TASKS; i++)
        r->sum += (uintptr_t)res[i];
    return r;
}

static void *thread_body(void *arg)
{
    struct run *r = arg;
    void *out = NULL;
    r->rc = miou_run(NULL, thread_main, r, &out);
    if (out != r)
        r->rc = -1000;
    return NULL;
}

static void runs_in_threads_one_after_another_each_complete(void)
{
    struct run a = {0}, b = {0};
    pthread_t t;
    if (!CHECK_RC(pthread_create(&t, NULL, thread_body, &a), 0))
        return;
    pthread_join(t, NULL);
    if (!CHECK_RC(pthread_create(&t, NULL, thread_body, &b), 0))
        return;
    pthread_join(t, NULL);
    CHECK_RC(a.rc, 0);
    CHECK_RC(b.rc, 0);
    CHECK_UEQ(a.sum, (uintptr_t)TASKS * (TASKS + 1) / 2);
    CHECK_UEQ(b.sum, (uintptr_t)TASKS * (TASKS + 1) / 2);
}

static void *inner_main(void *arg)
{
    (void)arg;
    return NULL;
}

static void *other_thread_body(void *arg)
{
    int *rc = arg;
    *rc = miou_run(NULL, inner_main, NULL, NULL);
    return NULL;
}

static void *outer_main(void *arg)
{
    int *rcs = arg;
    pthread_t t;
    /* A run in another thread while this one is in progress... */
    rcs[0] = -1;
    if (pthread_create(&t, NULL, other_thread_body, &rcs[0]) == 0)
        pthread_join(t, NULL);
    /* ...and a run inside this one are refused. */
    rcs[1] = miou_run(NULL, inner_main, NULL, NULL);
    /* This run goes on. */
    rcs[2] = miou_yield();
    return NULL;
}

static void a_second_run_from_any_thread_is_refused(void)
{
    int rcs[3] = {0, 0, -1};
    CHECK_RUN(outer_main, rcs, 0);
    CHECK_RC(rcs[0], MIOU_EBUSY);
    CHECK_RC(rcs[1], MIOU_EBUSY);
    CHECK_RC(rcs[2], 0);
}

static const struct check_case cases[] = {
    {"runs in threads one after another each complete",
     runs_in_threads_one_after_another_each_complete},
    {"a second run while one is in progress is refused, from another "
     "thread as from a task",
     a_second_run_from_any_thread_is_refused},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("hosted-threads", si, cases, CHECK_COUNT(cases));
}
