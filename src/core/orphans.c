/*
 * orphans.c - sets of children collected when they have ended. The set's
 * ended children are linked through their queue links (an ended task is
 * in no other queue), so collecting one is O(1).
 */
#include "internal.h"

void miou_orphans_init(miou_orphans *o)
{
    o->owner = NULL;
    o->done.head = o->done.tail = NULL;
    o->count = 0;
}

int miou_async_orphan(miou_orphans *o, miou_task **task,
                      const struct miou_task_options *opts, miou_fn fn,
                      void *arg)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self)
        return MIOU_ENOTRUNNING;
    if (!o)
        return MIOU_EINVAL;
    if (o->owner && o->owner != self)
        return MIOU_ENOTCHILD;
    miou_task *h;
    int err = miou_async_with(&h, opts, fn, arg);
    if (err)
        return err;
    o->owner = self;
    o->count++;
    miou__task_of(h)->orphans = o;
    if (task)
        *task = h;
    return 0;
}

miou_task *miou_orphans_take(miou_orphans *o)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self || !o || o->owner != self)
        return NULL;
    struct miou__task *t = miou__queue_pop(&o->done);
    if (!t)
        return NULL;
    t->orphans = NULL;
    o->count--;
    return miou__handle(t);
}

int miou_orphans_wait(miou_orphans *o, miou_task **task)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self)
        return MIOU_ENOTRUNNING;
    if (!o || !task)
        return MIOU_EINVAL;
    if (o->owner && o->owner != self)
        return MIOU_ENOTCHILD;
    if (o->count == 0)
        return MIOU_EINVAL;
    while (!o->done.head) {
        if (self->cancelled)
            return MIOU_ECANCELED;
        int err = miou__wait(WAIT_ORPHANS, NULL, o);
        if (err)
            return err;
    }
    *task = miou_orphans_take(o);
    return 0;
}

size_t miou_orphans_count(const miou_orphans *o)
{
    return o ? o->count : 0;
}

size_t miou_orphans_reap(miou_orphans *o)
{
    size_t n = 0;
    miou_task *t;
    /* An ended child's await does not suspend. */
    while ((t = miou_orphans_take(o))) {
        miou_await(t, NULL);
        n++;
    }
    return n;
}
