/*
 * sync.c - mutex and condition variable that suspend tasks, not the CPU.
 *
 * Unlocking hands the mutex directly to the oldest waiter, so waiters are
 * served in arrival order and a task that unlocks and relocks at once
 * cannot overtake them.
 */
#include "internal.h"

void miou_mutex_init(miou_mutex *m)
{
    m->owner = NULL;
    m->waiters.head = m->waiters.tail = NULL;
}

int miou_mutex_lock(miou_mutex *m)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self)
        return MIOU_ENOTRUNNING;
    if (!m)
        return MIOU_EINVAL;
    if (!m->owner) {
        m->owner = self;
        return 0;
    }
    if (m->owner == self)
        return MIOU_EDEADLK;
    if (self->cancelled)
        return MIOU_ECANCELED;
    /* On 0 the unlocker has made us the owner; a cancellation removed us
     * from the waiters instead. */
    return miou__wait(WAIT_MUTEX, &m->waiters, m);
}

int miou_mutex_trylock(miou_mutex *m)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self)
        return MIOU_ENOTRUNNING;
    if (!m)
        return MIOU_EINVAL;
    if (m->owner)
        return MIOU_EBUSY;
    m->owner = self;
    return 0;
}

int miou_mutex_unlock(miou_mutex *m)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self)
        return MIOU_ENOTRUNNING;
    if (!m)
        return MIOU_EINVAL;
    if (m->owner != self)
        return MIOU_EPERM;
    struct miou__task *next = miou__queue_pop(&m->waiters);
    m->owner = next;
    if (next)
        miou__wake(next, 0);
    return 0;
}

/* Take (m) back after a condition wait, cancelled or not: the caller must
 * hold the mutex again when miou_cond_wait() returns. */
static void relock(miou_mutex *m, struct miou__task *self)
{
    if (!m->owner) {
        m->owner = self;
        return;
    }
    miou__wait(WAIT_RELOCK, &m->waiters, m);
}

void miou_cond_init(miou_cond *c)
{
    c->waiters.head = c->waiters.tail = NULL;
}

int miou_cond_wait_until(miou_cond *c, miou_mutex *m, uint64_t deadline)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self)
        return MIOU_ENOTRUNNING;
    if (!c || !m)
        return MIOU_EINVAL;
    if (m->owner != self)
        return MIOU_EPERM;
    if (self->cancelled)
        return MIOU_ECANCELED;
    if (deadline != UINT64_MAX) {
        if (deadline <= miou__clock_read(&miou__the_sched))
            return MIOU_ETIMEDOUT;
        int err = miou__timer_arm(&miou__the_sched, self, deadline);
        if (err)
            return err;
    }
    miou_mutex_unlock(m);
    int status = miou__wait(WAIT_COND, &c->waiters, c);
    relock(m, self);
    return status;
}

int miou_cond_wait(miou_cond *c, miou_mutex *m)
{
    return miou_cond_wait_until(c, m, UINT64_MAX);
}

void miou_cond_signal(miou_cond *c)
{
    if (!c || !miou__the_sched.active)
        return;
    struct miou__task *t = c->waiters.head;
    if (t)
        miou__wake(t, 0);
}

void miou_cond_broadcast(miou_cond *c)
{
    if (!c || !miou__the_sched.active)
        return;
    while (c->waiters.head)
        miou__wake(c->waiters.head, 0);
}
