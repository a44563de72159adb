/*
 * sched.c - the run loop, switching between tasks, suspending and waking.
 *
 * Tasks switch directly to one another: a task that suspends pops the next
 * runnable task and jumps to it, without passing through the loop. The
 * loop (running on the stack of miou_run()'s caller) takes over only when
 * no task is runnable, or every poll_interval switches, to read the clock,
 * wake expired sleepers, ask the platform for external events through
 * solo5_yield() and run the hooks. That bounds how long runnable tasks can
 * keep the network waiting, while keeping the common switch short.
 */
#include <limits.h>
#include <string.h>

#include "arch/context.h"
#include "internal.h"

#ifdef MIOU_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

struct miou__sched miou__the_sched;

/* Miou's rules leave free the order in which tasks woken by events run,
 * except where the library keeps one: sleepers run in deadline order,
 * waiters of a mutex or condition in arrival order. Where the platform
 * chooses (platform/schedule.h: the sim platform, from its seed), a woken
 * task joins the run queue at a position drawn among the SEEDED_POSITIONS
 * following the last task woken from the same ordered kind of wait that
 * is still queued (for the other kinds - net readers, awaits, block
 * requests - and when there is none, the head), so that it may pass tasks
 * spawned, yielding or woken by other events. Elsewhere it joins the
 * tail. */
#define SEEDED_POSITIONS 8u

static int wait_is_ordered(enum task_wait kind)
{
    return kind == WAIT_SLEEP || kind == WAIT_MUTEX || kind == WAIT_COND ||
           kind == WAIT_RELOCK;
}

/* Whether (t) is still in the run queue: a runnable task is either there
 * or running. Asked here rather than recorded at every switch, so that
 * the switch path stays the same whether the platform chooses or not. */
static int still_queued(const struct miou__sched *s,
                        const struct miou__task *t)
{
    return t && t->state == TASK_RUNNABLE && t != s->current;
}

static void runq_push_chosen(struct miou__sched *s, struct miou__task *t,
                             enum task_wait kind)
{
    struct miou__queue *q = &s->runq;
    /* Insert behind it. */
    struct miou__task *after = NULL;
    if (wait_is_ordered(kind) && s->woken_last[kind] != t &&
        still_queued(s, s->woken_last[kind]))
        after = s->woken_last[kind];
    struct miou__task *u = after ? after->qnext : q->head;
    unsigned len = 0;
    for (; u && len < SEEDED_POSITIONS; u = u->qnext)
        len++;
    unsigned pass = miou__platform_choose(len + 1); /* tasks to pass */
    s->woken_last[kind] = t;
    if (!after && pass == 0) {
        t->qnext = q->head;
        q->head = t;
        if (!q->tail)
            q->tail = t;
        return;
    }
    struct miou__task *before = after ? after : q->head;
    if (!after)
        pass--;
    while (pass--)
        before = before->qnext;
    t->qnext = before->qnext;
    before->qnext = t;
    if (q->tail == before)
        q->tail = t;
}

/* Switch from the running context, whose stack pointer is saved in
 * (*save), to (to), a task or the loop (to == NULL). (dying) says the
 * running context will never be resumed. The suspended call of (to)
 * returns to->wake; this returns what the context that resumes us passes.
 */
static inline int switch_to(void **save, struct miou__task *to, int dying)
{
    struct miou__sched *s = &miou__the_sched; /* a run is active */
    void *sp = to ? to->sp : s->sp;
    int value = to ? to->wake : 0;
    s->current = to;
    s->switches++;
#ifdef MIOU_ASAN
    void *fake = NULL;
    const void *bottom = to ? miou__stack_lo(to->stack) : s->asan_bottom;
    size_t size = to ? to->stack->size : s->asan_size;
    __sanitizer_start_switch_fiber(dying ? NULL : &fake, bottom, size);
    value = miou__ctx_switch(save, sp, value);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
    return value;
#else
    (void)dying;
    return miou__ctx_switch(save, sp, value);
#endif
}

/* First code of every task, on its own stack. */
void miou__task_entry_point(void *task)
{
    struct miou__task *t = task;
#ifdef MIOU_ASAN
    const void *bottom;
    size_t size;
    __sanitizer_finish_switch_fiber(NULL, &bottom, &size);
    /* The first task is always started by the loop: learn its stack. */
    if (!miou__the_sched.asan_bottom) {
        miou__the_sched.asan_bottom = bottom;
        miou__the_sched.asan_size = size;
    }
#endif
    /* fn and arg share their room with result and cleanups (internal.h):
     * read them before either is written. A task cancelled before it ever
     * ran does not run at all. */
    miou_fn fn = t->fn;
    void *arg = t->arg;
    t->cleanups = NULL;
    void *result = NULL;
    if (!t->cancelled)
        result = fn(arg);
    t->result = result;
    miou__task_end(t);
}

/* Take (t) out of whatever it waits for, runnable with (status) for its
 * suspended call; the kind of wait it was in. */
static enum task_wait unwait(struct miou__sched *s, struct miou__task *t,
                             int status)
{
    miou__queue_remove(t);
    miou__timer_disarm(s, t);
    if (t->wait == WAIT_NET)
        s->net_readers--;
    else if (t->wait == WAIT_BLOCK)
        s->block_waiters--;
    enum task_wait kind = (enum task_wait)t->wait;
    t->wake = status;
    t->wait = WAIT_NONE;
    t->wait_on = NULL;
    t->state = TASK_RUNNABLE;
    return kind;
}

void miou__wake(struct miou__task *t, int status)
{
    struct miou__sched *s = &miou__the_sched;
    enum task_wait kind = unwait(s, t, status);
    if (miou__unlikely(miou__platform_choose != NULL))
        runq_push_chosen(s, t, kind);
    else
        miou__runq_push(&s->runq, t);
}

/* Whether (t) is still in the run queue's front part of due tasks: it was
 * put there (WAIT_DUE) and has not run since (running, it would be
 * current; after running, its wait would have changed). */
static int still_due(const struct miou__sched *s, const struct miou__task *t)
{
    return t && t->wait == WAIT_DUE && still_queued(s, t);
}

/* Tasks whose deadline has come run before the tasks already runnable: a
 * sleeper must not wait behind a million tasks spawned and not yet
 * started. Each goes right behind the last due task that still waits to
 * run, so that they run in deadline order, or at the head when there is
 * none. So that a flood of timers cannot keep the other tasks from
 * running, a poll expires at most half a poll interval's worth of them
 * while other tasks are runnable (due_budget, poll_events()); the others
 * stay in the heap, due, first in line for the next poll. */
void miou__wake_due(struct miou__task *t, int status)
{
    struct miou__sched *s = &miou__the_sched;
    enum task_wait kind = unwait(s, t, status);
    if (miou__unlikely(miou__platform_choose != NULL)) {
        runq_push_chosen(s, t, kind);
        return;
    }
    struct miou__queue *q = &s->runq;
    /* The last due task may be (t) itself, woken again since. */
    struct miou__task *after = s->due_last;
    if (after == t || !still_due(s, after))
        after = NULL;
    t->wait = WAIT_DUE;
    s->due_last = t;
    if (after) {
        t->qnext = after->qnext;
        after->qnext = t;
        if (q->tail == after)
            q->tail = t;
    } else {
        t->qnext = q->head;
        q->head = t;
        if (!q->tail)
            q->tail = t;
    }
}

int miou__suspend(void)
{
    struct miou__sched *s = &miou__the_sched;
    struct miou__task *self = s->current;
    struct miou__task *next;
    if (++s->steps < s->poll_interval && (next = miou__runq_pop(&s->runq))) {
        if (next == self)
            return self->wake;
        miou__stack_check(self);
        return switch_to(&self->sp, next, 0);
    }
    miou__stack_check(self);
    return switch_to(&self->sp, NULL, 0);
}

int miou__wait(enum task_wait wait, struct miou__queue *q, const void *on)
{
    struct miou__task *self = miou__the_sched.current;
    self->state = TASK_WAITING;
    self->wait = (uint8_t)wait;
    self->wait_on = on;
    self->wake = 0;
    if (q)
        miou__queue_push(q, self);
    if (wait == WAIT_NET)
        miou__the_sched.net_readers++;
    else if (wait == WAIT_BLOCK)
        miou__the_sched.block_waiters++;
    return miou__suspend();
}

void miou__exit_task(void)
{
    struct miou__sched *s = &miou__the_sched;
    struct miou__task *self = s->current;
    struct miou__stack *st = self->stack;
    void *dead_sp;
    miou__stack_check_all(self);
    if (miou__unlikely(s->measure_stacks))
        miou__stack_measure_end(s, self);
    /* We are still running on our stack: it cannot be freed now (the pool
     * may be full), only handed over to be released once we are gone. The
     * previous dead stack is no longer in use. */
    self->stack = NULL;
    miou__stack_flush_dead(s);
    s->dead_stack = st;
    struct miou__task *next = NULL;
    if (self != s->root && ++s->steps < s->poll_interval)
        next = miou__runq_pop(&s->runq);
    switch_to(&dead_sp, next, 1);
    __builtin_unreachable();
}

/* The running task's stack has no room left to format a report (glibc's
 * vsnprintf alone takes more than a KiB): the loop, resumed on its own
 * stack, makes it. */
void miou__stack_overflow(const struct miou__task *t)
{
    void *dead_sp;
    miou__the_sched.overflowed = t;
    switch_to(&dead_sp, NULL, 1);
    __builtin_unreachable();
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */
/* ------------------------------------------------------------------ */

static void report_deadlock(struct miou__sched *s)
{
    miou__log("miou: deadlock: every task is blocked and nothing can wake "
              "one; cancelling them all\n");
    miou_dump();
    s->deadlocks++;
    miou__cancel_tree(s->root);
}

/* How often a poll that may not wait asks solo5_yield() which net devices
 * have input, rather than letting their readers try again (poll_events()). */
#define NET_ASK_EVERY 8u

/* Wake the expired sleepers and ask the platform for events: only a poll
 * when tasks are runnable or block operations wait, else a wait until the
 * next deadline or net input. */
static void poll_events(struct miou__sched *s)
{
    /* With other tasks runnable, half a poll interval of due timers at
     * most (miou__wake_due()); without, every due one. */
    s->due_budget = s->runq.head ? s->poll_interval / 2 : UINT_MAX;
    /* The clock is read only for sleepers: under solo5-spt a read is a
     * system call (about 300 ns). */
    uint64_t now = s->nsleepers ? miou__clock_read(s) : 0;
    if (s->nsleepers)
        miou__timer_expire(s, now);
    uint64_t deadline = 0;
    if (!s->runq.head && !s->blockq.head) {
        deadline = miou__timer_next(s);
        if (s->nsleepers == 0 && s->net_readers == 0) {
            report_deadlock(s);
            if (s->runq.head)
                return;
            /* Cancellation woke nobody: the blocked tasks wait only on each
             * other in ways that cancellation cannot break. */
            miou__fatal("deadlock that cancellation cannot break");
        }
    }
    /* Lowest priority, but not starved: while tasks stay runnable, the
     * oldest scheduled operation moves one block every MIOU_BLOCK_AGING
     * polls. */
    if (s->blockq.head && s->runq.head) {
        if (++s->block_aging >= MIOU_BLOCK_AGING) {
            s->block_aging = 0;
            miou__block_step(s);
        }
    } else {
        s->block_aging = 0;
    }
    solo5_handle_set_t ready = 0;
    /* A poll that may not wait (deadline 0) only asks which net devices
     * have input, which matters only to a task waiting in miou_net_read()
     * (a frame nobody waits for stays in the device). Without such a task
     * the call is skipped: under solo5-spt it arms a timer and waits on
     * epoll, about 16 us, which would cost every switch 250 ns at the
     * default poll interval. With readers, it is asked one poll in
     * NET_ASK_EVERY only; at the others the readers simply try their read
     * again, which answers the same question for a system call of about
     * 0.5 us under spt (a busy http server under spt spent 3.4 of its 41
     * us per request arming timers). The poll still counts and runs the
     * hooks. */
    if (deadline != 0) {
        solo5_yield(deadline, &ready);
        s->polls_unasked = 0;
    } else if (s->net_readers != 0) {
        if (++s->polls_unasked >= NET_ASK_EVERY) {
            solo5_yield(0, &ready);
            s->polls_unasked = 0;
        } else {
            ready = s->net_waiting;
        }
    }
    if (deadline != 0)
        s->now_fresh = 0; /* we may have waited */
    s->polls++;
    if (ready)
        miou__net_ready(s, ready);
    if (s->hooks)
        miou__hooks_run(s);
    /* Only a wait lets time pass worth a second look at the sleepers: a
     * poll (deadline 0) saves a clock read, which costs a system call on
     * Solo5's tenders. */
    if (deadline > now && s->nsleepers)
        miou__timer_expire(s, miou__clock_read(s));
}

/* Whether the earliest sleeper is due by the clock's last reading: a
 * reading per block moved cost a system call per block under solo5-spt
 * (2,048 clock reads for 1 MiB in 512-byte blocks). A stale reading can
 * only make a sleeper late, never early, and by at most a poll interval:
 * the poll that ends the run of block moves reads the clock. */
static int sleeper_due(struct miou__sched *s)
{
    return s->nsleepers && miou__timer_next(s) <= s->now;
}

/* Scheduled block operations have the lowest priority: a block moves only
 * when no task is runnable, and the moves stop for a poll (net input,
 * sleepers, hooks) once the poll interval has run out or a sleeper is due.
 * The interval counts block moves and task switches alike, so a task
 * waiting for block after block still lets the loop poll regularly. */
static void loop(struct miou__sched *s)
{
    while (s->root->state != TASK_DONE) {
        /* Tasks ran since the clock was last read: miou_clock_recent()
         * reads it again, once, for the next of them that asks. */
        s->now_fresh = 0;
        if (!s->runq.head && s->blockq.head && s->steps < s->poll_interval &&
            !sleeper_due(s)) {
            s->steps++;
            miou__block_step(s);
        } else {
            poll_events(s);
            s->steps = 0;
        }
        struct miou__task *next = miou__runq_pop(&s->runq);
        if (next) {
            switch_to(&s->sp, next, 0);
            if (miou__unlikely(s->overflowed != NULL))
                miou__stack_overflow_report(s->overflowed);
        }
    }
}

static void release_all(struct miou__sched *s)
{
    if (s->measure_stacks)
        miou__stack_report(s);
    miou__stack_flush_dead(s);
    miou__hooks_free_all(s);
    miou__task_free_all(s);
    miou__stack_free_all(s);
    miou__timer_free_all(s);
}

/* Claimed by the run in progress. A unikernel has one thread; a hosted
 * process may have more, and the claim is atomic so that a second thread's
 * miou_run() is refused (MIOU_EBUSY) instead of sharing the scheduler. */
static int run_claimed;

static int run_claim(void)
{
    return __atomic_exchange_n(&run_claimed, 1, __ATOMIC_ACQUIRE) == 0;
}

static void run_unclaim(void)
{
    __atomic_store_n(&run_claimed, 0, __ATOMIC_RELEASE);
}

static int run(const struct miou_config *cfg, miou_fn fn, void *arg,
               void **result);

int miou_run(const struct miou_config *cfg, miou_fn fn, void *arg,
             void **result)
{
    if (!run_claim())
        return MIOU_EBUSY;
    int status = run(cfg, fn, arg, result);
    run_unclaim();
    return status;
}

static int run(const struct miou_config *cfg, miou_fn fn, void *arg,
               void **result)
{
    if (!fn)
        return MIOU_EINVAL;
    struct miou_config c = {0};
    if (cfg)
        c = *cfg;
    if (c.stack_size == 0)
        c.stack_size = MIOU_STACK_DEFAULT;
    if (c.stack_size < MIOU_STACK_MIN)
        return MIOU_EINVAL;
    if (c.poll_interval == 0)
        c.poll_interval = MIOU_POLL_INTERVAL_DEFAULT;

    /* Numbers runs, so that a task or device handle kept from an earlier
     * run is recognised. */
    static uint32_t runs;
    struct miou__sched *s = &miou__the_sched;
    memset(s, 0, sizeof(*s));
    s->run_id = ++runs ? runs : ++runs; /* 0 means "no run" */
    s->stack_size = (c.stack_size + 15) & ~(size_t)15;
    s->poll_interval = c.poll_interval;
    s->measure_stacks = c.measure_stacks != 0;
    s->next_id = 1;
    s->active = 1;

    int err = 0;
    struct miou_task_options opts = {0, c.name ? c.name : "main"};
    s->root = miou__task_new(s, NULL, &opts, fn, arg, &err);
    if (!s->root) {
        release_all(s);
        s->active = 0;
        return err;
    }
    loop(s);

    struct miou__task *root = s->root;
    int status = root->status;
    if (result)
        *result = root->result;
    if (s->deadlocks)
        status = MIOU_EDEADLK;
    root->state = TASK_FREE;
    s->ntasks--;
    release_all(s);
    s->active = 0;
    return status;
}

/* ------------------------------------------------------------------ */
/* Suspension points that need only the loop                           */
/* ------------------------------------------------------------------ */

int miou_yield(void)
{
    struct miou__sched *s = &miou__the_sched;
    struct miou__task *self = s->current;
    if (!self)
        return MIOU_ENOTRUNNING;
    if (self->cancelled)
        return MIOU_ECANCELED;
    self->wake = 0;
    self->wait = WAIT_YIELD;
    struct miou__task *next = s->runq.head;
    unsigned steps = ++s->steps;
    if (next && steps < s->poll_interval) {
        /* The fast path: rotate the run queue (next leaves its head, we
         * join its tail) and switch by a tail call, so that the other
         * task's suspended call returns straight to its caller and no
         * return instruction is mispredicted on the way. */
        struct miou__task *after = next->qnext;
        self->qnext = NULL;
        if (after)
            s->runq.tail->qnext = self;
        s->runq.head = after ? after : self;
        s->runq.tail = self;
        miou__stack_check(self);
        return switch_to(&self->sp, next, 0);
    }
    if (!next && steps < s->poll_interval)
        return 0; /* alone: nothing to switch to until the next poll */
    miou__runq_push(&s->runq, self);
    miou__stack_check(self);
    return switch_to(&self->sp, NULL, 0);
}

void miou__poll_point(struct miou__sched *s)
{
    struct miou__task *self = s->current;
    if (++s->steps < s->poll_interval)
        return;
    /* Its status is dropped: the caller has already done its work, and a
     * cancellation will be seen at its next suspension point. */
    self->wake = 0;
    self->wait = WAIT_YIELD;
    miou__runq_push(&s->runq, self);
    miou__stack_check(self);
    switch_to(&self->sp, NULL, 0);
    self->wait = WAIT_NONE;
}

int miou_sleep_until(uint64_t deadline)
{
    struct miou__task *self = miou__the_sched.current;
    if (!self)
        return MIOU_ENOTRUNNING;
    if (self->cancelled)
        return MIOU_ECANCELED;
    if (deadline <= miou__clock_read(&miou__the_sched))
        return miou_yield();
    int err = miou__timer_arm(&miou__the_sched, self, deadline);
    if (err)
        return err;
    return miou__wait(WAIT_SLEEP, NULL, NULL);
}

int miou_sleep(uint64_t ns)
{
    uint64_t now = miou_clock_monotonic();
    /* Clamp rather than wrap: a huge duration sleeps "forever". */
    uint64_t deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
    return miou_sleep_until(deadline);
}

uint64_t miou_clock_monotonic(void)
{
    struct miou__sched *s = &miou__the_sched;
    return s->active ? miou__clock_read(s) : solo5_clock_monotonic();
}

uint64_t miou_clock_recent(void)
{
    struct miou__sched *s = &miou__the_sched;
    if (!s->active)
        return solo5_clock_monotonic();
    return s->now_fresh ? s->now : miou__clock_read(s);
}

uint64_t miou_clock_wall(void)
{
    return solo5_clock_wall();
}
