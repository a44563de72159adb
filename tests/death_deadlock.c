/*
 * death_deadlock.c - a program that must die: a deadlock that cancelling
 * every task cannot break. The first task holds a mutex and cancels a
 * condition waiter, which must take that mutex again before it can end,
 * so the cancel waits forever. The runtime reports the deadlock, cancels
 * the tasks, finds them still stuck and aborts with a fatal message (exit
 * status 255) instead of hanging. scripts/test.sh checks both.
 */
#include <miou.h>

static miou_mutex m;
static miou_cond c;

static void *waiter(void *arg)
{
    (void)arg;
    if (miou_mutex_lock(&m) == 0) {
        miou_cond_wait(&c, &m);
        miou_mutex_unlock(&m);
    }
    return NULL;
}

static void *first(void *arg)
{
    struct miou_task_options opts = {.name = "stuck-waiter"};
    miou_task *t;
    (void)arg;
    if (miou_async_with(&t, &opts, waiter, NULL) != 0)
        return NULL;
    miou_yield();
    miou_mutex_lock(&m);
    miou_cancel(t);
    miou_mutex_unlock(&m);
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    miou_mutex_init(&m);
    miou_cond_init(&c);
    miou_run(NULL, first, NULL, NULL);
    /* Reaching this line is the failure. */
    solo5_console_write("death_deadlock: survived\n", 25);
    return 0;
}
