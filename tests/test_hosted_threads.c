/*
 * test_hosted_threads.c - on the hosted platform, threads run schedulers
 * of their own: two threads, each in its own miou_run() with tasks that
 * yield and sleep, neither disturbing the other. Hosted only: a unikernel
 * has no threads.
 */
#include <pthread.h>
#include <stdint.h>

#include "check.h"

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

static void two_threads_run_schedulers_of_their_own(void)
{
    struct run a = {0}, b = {0};
    pthread_t ta, tb;
    if (!CHECK_RC(pthread_create(&ta, NULL, thread_body, &a), 0))
        return;
    if (!CHECK_RC(pthread_create(&tb, NULL, thread_body, &b), 0)) {
        pthread_join(ta, NULL);
        return;
    }
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
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

static void *nested_thread_body(void *arg)
{
    int *rc = arg;
    /* This thread has no run of its own: nothing is running here. */
    *rc = miou_yield();
    return NULL;
}

static void *outer_main(void *arg)
{
    int *rcs = arg;
    pthread_t t;
    /* A run in another thread is independent of this one... */
    rcs[0] = -1;
    if (pthread_create(&t, NULL, nested_thread_body, &rcs[0]) == 0)
        pthread_join(t, NULL);
    /* ...while a run inside this thread's run is refused. */
    rcs[1] = miou_run(NULL, inner_main, NULL, NULL);
    return NULL;
}

static void a_thread_without_a_run_is_not_running(void)
{
    int rcs[2] = {0, 0};
    CHECK_RUN(outer_main, rcs, 0);
    CHECK_RC(rcs[0], MIOU_ENOTRUNNING);
    CHECK_RC(rcs[1], MIOU_EBUSY);
}

static const struct check_case cases[] = {
    {"two threads run schedulers of their own",
     two_threads_run_schedulers_of_their_own},
    {"a thread without a run of its own is not running, a nested run is "
     "refused",
     a_thread_without_a_run_is_not_running},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("hosted-threads", si, cases, CHECK_COUNT(cases));
}
