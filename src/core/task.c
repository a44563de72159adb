/*
 * task.c - the life of a task under Miou's rules: spawn, end, await,
 * cancel, and the cleanups of cancelled tasks.
 *
 * Parents own their children: a child is linked into its parent's list of
 * children until the parent awaits or cancels it ("releases" it). A task
 * that ends with children still linked breaks the rules: it is reported,
 * the children are cancelled and awaited for it, and it ends with
 * MIOU_ECHILDREN. A cancelled task never spawns, so the subtree of a
 * cancelled task is cancelled as a whole.
 */
#include <string.h>

#include "arch/context.h"
#include "internal.h"

_Static_assert(sizeof(miou_task *) == 8,
               "a handle packs a slot and a generation into a pointer");

static struct miou__task *task_alloc(struct miou__sched *s)
{
    if (!s->free_tasks.head) {
        if (s->nslabs == s->slabs_cap) {
            size_t cap = s->slabs_cap ? 2 * s->slabs_cap : 16;
            struct task_slab **table =
                miou__mem_realloc(s->slabs, cap * sizeof(*table));
            if (!table)
                return NULL;
            s->slabs = table;
            s->slabs_cap = cap;
        }
        if (s->nslabs >= UINT32_MAX / TASK_SLAB)
            return NULL;
        struct task_slab *slab = miou__mem_alloc(sizeof(*slab));
        if (!slab)
            return NULL;
        for (size_t i = 0; i < TASK_SLAB; i++) {
            struct miou__task *t = &slab->tasks[i];
            t->state = TASK_FREE;
            t->parent = NULL;
            t->slot = (uint32_t)(s->nslabs * TASK_SLAB + i);
            /* Generations start at the run's number, so that a handle
             * kept from an earlier run does not name a task of this one. */
            t->gen = s->run_id << 20;
            miou__queue_push(&s->free_tasks, t);
        }
        s->slabs[s->nslabs++] = slab;
    }
    return miou__queue_pop(&s->free_tasks);
}

size_t miou__task_kept_bytes(const struct miou__sched *s)
{
    return s->nslabs * sizeof(struct task_slab) +
           s->slabs_cap * sizeof(struct task_slab *);
}

void miou__task_free_all(struct miou__sched *s)
{
    for (size_t i = 0; i < s->nslabs; i++)
        miou__mem_free(s->slabs[i]);
    miou__mem_free(s->slabs);
    s->slabs = NULL;
    s->nslabs = s->slabs_cap = 0;
    s->free_tasks.head = s->free_tasks.tail = NULL;
}

struct miou__task *miou__task_new(struct miou__sched *s,
                                  struct miou__task *parent,
                                  const struct miou_task_options *opts,
                                  miou_fn fn, void *arg, int *err)
{
    size_t size = opts && opts->stack_size ? opts->stack_size : s->stack_size;
    if (size < MIOU_STACK_MIN || size > SIZE_MAX / 2) {
        *err = MIOU_EINVAL;
        return NULL;
    }
    size = (size + 15) & ~(size_t)15;
    miou__stack_flush_dead(s); /* so that its stack is reused at once */
    struct miou__task *t = task_alloc(s);
    if (!t) {
        *err = MIOU_ENOMEM;
        return NULL;
    }
    struct miou__stack *st = miou__stack_get(s, size);
    if (!st) {
        miou__queue_push(&s->free_tasks, t);
        *err = MIOU_ENOMEM;
        return NULL;
    }
    /* Every field but slot and gen (the task table's), written once: a
     * memset of the whole record and then the fields cost a spawn twice
     * the stores. */
    t->stack = st;
    t->sp =
        miou__ctx_init(miou__stack_lo(st), st->size, miou__task_entry_point, t);
    t->queue = NULL;
    t->first_child = t->sib_next = t->sib_prev = NULL;
    t->fn = fn;
    t->arg = arg;
    t->name = opts ? opts->name : NULL;
    t->orphans = NULL;
    t->wait_on = NULL;
    t->timer.seq = 0;
    t->id = s->next_id++;
    t->nchildren = t->nlive = 0;
    t->status = t->wake = 0;
    t->wait = WAIT_NONE;
    t->cancelled = t->watched = t->mark = t->timer_armed = 0;
    t->parent = parent;
    if (parent) {
        t->sib_next = parent->first_child;
        if (parent->first_child)
            parent->first_child->sib_prev = t;
        parent->first_child = t;
        parent->nchildren++;
        parent->nlive++;
    }
    t->state = TASK_RUNNABLE;
    miou__runq_push(&s->runq, t);
    s->ntasks++;
    return t;
}

int miou_async_with(miou_task **task, const struct miou_task_options *opts,
                    miou_fn fn, void *arg)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self)
        return MIOU_ENOTRUNNING;
    if (!task || !fn)
        return MIOU_EINVAL;
    if (self->cancelled)
        return MIOU_ECANCELED;
    int err = 0;
    struct miou__task *t =
        miou__task_new(&miou__the_sched, self, opts, fn, arg, &err);
    if (!t)
        return err;
    *task = miou__handle(t);
    return 0;
}

int miou_async(miou_task **task, miou_fn fn, void *arg)
{
    return miou_async_with(task, NULL, fn, arg);
}

/* Unlink an ended child from its parent (and its orphan set) and recycle
 * its struct. */
static void release(struct miou__task *t)
{
    struct miou__sched *s = &miou__the_sched;
    struct miou__task *p = t->parent;
    if (t->sib_prev)
        t->sib_prev->sib_next = t->sib_next;
    else
        p->first_child = t->sib_next;
    if (t->sib_next)
        t->sib_next->sib_prev = t->sib_prev;
    p->nchildren--;
    if (t->orphans) {
        miou__queue_remove(t);
        t->orphans->count--;
    }
    t->state = TASK_FREE;
    t->parent = NULL;
    t->gen++; /* old handles no longer match */
    miou__queue_push(&s->free_tasks, t);
    s->ntasks--;
}

static void cancel_one(struct miou__task *t)
{
    t->cancelled = 1;
    if (t->state == TASK_WAITING && WAIT_INTERRUPTIBLE(t->wait))
        miou__wake(t, MIOU_ECANCELED);
    else if (t->state == TASK_RUNNABLE && t->wait == WAIT_YIELD)
        t->wake = MIOU_ECANCELED;
}

void miou__cancel_tree(struct miou__task *root)
{
    if (root->state == TASK_DONE || root->cancelled)
        return;
    /* Pre-order walk without recursion (trees may be deep), skipping the
     * subtrees that are already cancelled or ended. */
    struct miou__task *t = root;
    cancel_one(t);
    for (;;) {
        struct miou__task *c = t->first_child;
        while (c && (c->cancelled || c->state == TASK_DONE))
            c = c->sib_next;
        if (c) {
            cancel_one(c);
            t = c;
            continue;
        }
        /* Climb until a sibling remains to be visited. */
        for (;;) {
            if (t == root)
                return;
            struct miou__task *sib = t->sib_next;
            while (sib && (sib->cancelled || sib->state == TASK_DONE))
                sib = sib->sib_next;
            if (sib) {
                cancel_one(sib);
                t = sib;
                break;
            }
            t = t->parent;
        }
    }
}

/* (t)'s function has returned: the orphan sets it spawned into lived in
 * its frame (or may have), which is gone. Its children forget them, so
 * that nothing is ever written there again; they are cancelled and
 * collected below like any other child. */
static void forget_orphan_sets(struct miou__task *t)
{
    for (struct miou__task *c = t->first_child; c; c = c->sib_next) {
        if (!c->orphans)
            continue;
        c->orphans = NULL;
        if (c->state == TASK_DONE) {
            /* In the set's queue of ended children: out of it without
             * touching the set (its neighbours are being detached too). */
            c->queue = NULL;
            c->qnext = c->qprev = NULL;
        }
    }
}

void miou__task_end(struct miou__task *t)
{
    int status = 0;
    if (t->nchildren) {
        forget_orphan_sets(t);
        if (!t->cancelled) {
            char buf[24];
            miou__log("miou: task '%s' ended with %u children it did not "
                      "await; cancelling them\n",
                      miou__name(t, buf, sizeof(buf)), t->nchildren);
            status = MIOU_ECHILDREN;
        }
        for (struct miou__task *c = t->first_child; c; c = c->sib_next)
            miou__cancel_tree(c);
        while (t->nlive)
            miou__wait(WAIT_CHILDREN, NULL, NULL);
        while (t->first_child)
            release(t->first_child);
    }
    if (t->cancelled && status == 0)
        status = MIOU_ECANCELED;
    while (t->cleanups) {
        struct miou_cleanup *c = t->cleanups;
        t->cleanups = c->next;
        if (t->cancelled)
            c->fn(c->arg);
        miou__mem_free(c);
    }
    t->status = status;
    t->state = TASK_DONE;
    t->timer.seq = miou__the_sched.end_seq++;
    struct miou__task *p = t->parent;
    if (p) {
        p->nlive--;
        if (t->orphans) {
            miou__queue_push(&t->orphans->done, t);
            if (p->state == TASK_WAITING && p->wait == WAIT_ORPHANS &&
                p->wait_on == t->orphans)
                miou__wake(p, 0);
        }
        if (p->state == TASK_WAITING &&
            ((p->wait == WAIT_AWAIT && t->watched) ||
             (p->wait == WAIT_CHILDREN && p->nlive == 0)))
            miou__wake(p, 0);
    }
    miou__exit_task();
}

/* ------------------------------------------------------------------ */
/* Await and cancel                                                    */
/* ------------------------------------------------------------------ */

/* The child named by (h), in (*t), after checking it is one of (self)'s. */
static int check_child(const struct miou__task *self, const miou_task *h,
                       struct miou__task **t)
{
    if (!h)
        return MIOU_EINVAL;
    *t = miou__task_of(h);
    if (!*t || (*t)->parent != self)
        return MIOU_ENOTCHILD;
    return 0;
}

/* A handle already checked by check_child(). */
static struct miou__task *child(const miou_task *h)
{
    return miou__task_of(h);
}

/* Check a list of children: each a child of (self), none twice. An empty
 * list is accepted: callers that need one task check (n) themselves. */
static int check_children(const struct miou__task *self, miou_task *const *ts,
                          size_t n)
{
    if (n && !ts)
        return MIOU_EINVAL;
    int err = 0;
    size_t i;
    struct miou__task *t;
    for (i = 0; i < n && !err; i++) {
        err = check_child(self, ts[i], &t);
        if (!err && t->mark)
            err = MIOU_EINVAL;
        if (!err)
            t->mark = 1;
    }
    /* Clear the marks set so far (i is one past the last examined). */
    for (size_t j = 0; j < i; j++)
        if (check_child(self, ts[j], &t) == 0)
            t->mark = 0;
    return err;
}

static void wait_done(struct miou__task *t)
{
    while (t->state != TASK_DONE) {
        t->watched = 1;
        miou__wait(WAIT_AWAIT, NULL, t);
    }
    t->watched = 0;
}

static int collect(struct miou__task *self, struct miou__task *t, void **result)
{
    int status = t->status;
    if (result)
        *result = t->result;
    release(t);
    /* A cancelled task's awaits are MIOU_ECANCELED (miou.h), whatever the
     * child's own status: MIOU_ECHILDREN included. */
    if (self->cancelled)
        status = MIOU_ECANCELED;
    return status;
}

/* The calling task in (*self) and its child named by (h) in (*t); 0, or
 * the error to return. */
static int caller_and_child(const miou_task *h, struct miou__task **self,
                            struct miou__task **t)
{
    *self = miou__the_sched.current;
    if (!*self)
        return MIOU_ENOTRUNNING;
    return check_child(*self, h, t);
}

int miou_await(miou_task *h, void **result)
{
    struct miou__task *self, *t;
    int err = caller_and_child(h, &self, &t);
    if (err)
        return err;
    wait_done(t);
    return collect(self, t, result);
}

int miou_await_all(miou_task *const *ts, size_t n, void **results,
                   int *statuses)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self)
        return MIOU_ENOTRUNNING;
    int err = check_children(self, ts, n);
    if (err)
        return err;
    int first = 0;
    for (size_t i = 0; i < n; i++) {
        struct miou__task *t = child(ts[i]);
        wait_done(t);
        int status = collect(self, t, results ? &results[i] : NULL);
        if (statuses)
            statuses[i] = status;
        if (!first)
            first = status;
    }
    return first;
}

/* Wait until one of (ts) has ended; the position of the one that ended
 * first. */
static size_t wait_any(miou_task *const *ts, size_t n)
{
    for (;;) {
        size_t first = n;
        uint64_t first_seq = 0;
        for (size_t i = 0; i < n; i++) {
            struct miou__task *t = child(ts[i]);
            if (t->state == TASK_DONE &&
                (first == n || t->timer.seq < first_seq)) {
                first = i;
                first_seq = t->timer.seq;
            }
        }
        if (first < n) {
            for (size_t j = 0; j < n; j++)
                child(ts[j])->watched = 0;
            return first;
        }
        for (size_t i = 0; i < n; i++)
            child(ts[i])->watched = 1;
        miou__wait(WAIT_AWAIT, NULL, child(ts[0]));
    }
}

/* The common part of miou_await_first() and miou_await_one(): wait for one
 * of (ts) to end, then, when (cancel_others), cancel and release the rest;
 * the one that ended is collected. */
static int await_winner(miou_task *const *ts, size_t n, size_t *index,
                        void **result, int cancel_others)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self)
        return MIOU_ENOTRUNNING;
    if (n == 0)
        return MIOU_EINVAL;
    int err = check_children(self, ts, n);
    if (err)
        return err;
    size_t first = wait_any(ts, n);
    if (cancel_others) {
        for (size_t i = 0; i < n; i++)
            if (i != first)
                miou__cancel_tree(child(ts[i]));
        for (size_t i = 0; i < n; i++)
            if (i != first) {
                struct miou__task *t = child(ts[i]);
                wait_done(t);
                release(t);
            }
    }
    if (index)
        *index = first;
    return collect(self, child(ts[first]), result);
}

int miou_await_first(miou_task *const *ts, size_t n, size_t *index,
                     void **result)
{
    return await_winner(ts, n, index, result, 1);
}

int miou_await_one(miou_task *const *ts, size_t n, size_t *index, void **result)
{
    return await_winner(ts, n, index, result, 0);
}

int miou_cancel(miou_task *h)
{
    struct miou__task *self, *t;
    int err = caller_and_child(h, &self, &t);
    if (err)
        return err;
    miou__cancel_tree(t);
    wait_done(t);
    release(t);
    return self->cancelled ? MIOU_ECANCELED : 0;
}

/* ------------------------------------------------------------------ */
/* Cleanups and small queries                                          */
/* ------------------------------------------------------------------ */

miou_cleanup *miou_cleanup_push(void (*fn)(void *), void *arg)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self || !fn)
        return NULL;
    struct miou_cleanup *c = miou__mem_alloc(sizeof(*c));
    if (!c)
        return NULL;
    c->fn = fn;
    c->arg = arg;
    c->owner = self;
    c->prev = NULL;
    c->next = self->cleanups;
    if (self->cleanups)
        self->cleanups->prev = c;
    self->cleanups = c;
    return c;
}

void miou_cleanup_pop(miou_cleanup *c, int run)
{
    struct miou__task *self = miou__the_sched.current;
    /* Another task's registration is not ours to remove. */
    if (!self || !c || c->owner != self)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        self->cleanups = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (run)
        c->fn(c->arg);
    miou__mem_free(c);
}

miou_task *miou_self(void)
{
    struct miou__task *self = miou__the_sched.current;
    return self ? miou__handle(self) : NULL;
}

const char *miou_task_name(const miou_task *h, char *buf, size_t size)
{
    const struct miou__task *t = h ? miou__task_of(h) : miou__the_sched.current;
    if (!t)
        return "?";
    if (!t->name && (!buf || size == 0))
        return "?";
    return miou__name(t, buf, size);
}

int miou_cancelled(void)
{
    struct miou__task *self = miou__the_sched.current;
    return self ? self->cancelled : 0;
}
