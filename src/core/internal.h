/*
 * internal.h - the scheduler core's private structures.
 *
 * The core reaches the outside world only through the Solo5 calls
 * (solo5.h) and the allocator (malloc/free); it has no platform #ifdef.
 * One run exists at a time in a process, as in a unikernel: its state is
 * one struct miou__sched, miou__the_sched, which every function reaches
 * the same way (&miou__the_sched; its member active says whether a run is
 * in progress, current which task runs). It is a static object rather
 * than an allocated one so that reaching it costs no load: every switch
 * starts by reading it. The core is compiled once for every platform of
 * an architecture: what differs (the order of woken tasks under sim) is
 * asked of the platform through platform/schedule.h.
 */
#ifndef MIOU_CORE_INTERNAL_H
#define MIOU_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <miou.h>

#include "platform/memory.h"
#include "platform/schedule.h"

#if defined(__GNUC__)
#define miou__likely(x) __builtin_expect(!!(x), 1)
#define miou__unlikely(x) __builtin_expect(!!(x), 0)
#define MIOU__NORETURN __attribute__((noreturn))
#define MIOU__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define miou__likely(x) (x)
#define miou__unlikely(x) (x)
#define MIOU__NORETURN
#define MIOU__PRINTF(a, b)
#endif

/* AddressSanitizer builds annotate stack switches and give stacks room
 * for its bigger frames. */
#if defined(__SANITIZE_ADDRESS__)
#define MIOU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MIOU_ASAN 1
#endif
#endif

/* A task's life: queued or running, suspended, ended (its handle still
 * held by its parent), released (the struct is back in the free list). */
enum task_state {
    TASK_RUNNABLE,
    TASK_WAITING,
    TASK_DONE,
    TASK_FREE,
};

/* What a suspended task waits for. The first group can be interrupted by
 * cancellation; the second cannot, because it waits for tasks that are
 * themselves cancelled and will end promptly. */
enum task_wait {
    WAIT_NONE,
    WAIT_SLEEP,    /* a deadline */
    WAIT_MUTEX,    /* a mutex held by another task */
    WAIT_COND,     /* a condition variable, maybe with a deadline */
    WAIT_ORPHANS,  /* a child of an orphan set to end */
    WAIT_NET,      /* input on a net device */
    WAIT_BLOCK,    /* a scheduled block operation to be performed */
    WAIT_AWAIT,    /* a watched child to end */
    WAIT_CHILDREN, /* all children to end, as the task itself ends */
    WAIT_RELOCK,   /* the mutex of a condition, after the wait */
    WAIT_YIELD,    /* not a wait: runnable again after a yield, which a
                      cancellation makes return MIOU_ECANCELED */
    WAIT_DUE,      /* not a wait: woken by its deadline, in the front part
                      of the run queue (sched.c) */
    MIOU__WAIT_KINDS
};

#define WAIT_INTERRUPTIBLE(w) ((w) >= WAIT_SLEEP && (w) <= WAIT_BLOCK)

/* An entry of the sleepers' heap. The deadline is kept in the heap
 * itself: sifting compares deadlines at every level, and reading them
 * from the tasks would miss the cache at every level (measured: 2.1 against
 * 1.2 us per sleeper with a million sleepers). */
struct miou__heap_node {
    uint64_t deadline;
    uint32_t slot; /* the task's, in the task table */
    uint32_t seq;  /* its arming number: the node is stale when the task's
                      timer is disarmed or armed again (timer.c) */
};

/* A 4-ary min-heap of nodes, ordered by deadline then arming number. */
struct miou__heap {
    struct miou__heap_node *node;
    void *raw; /* the allocation (node is aligned inside it) */
    size_t n, cap;
};

/* The nodes of one slot of the wheel, in no order. */
struct miou__bucket {
    struct miou__heap_node *node;
    uint32_t n, cap;
};

/* The sleepers: a small heap of those due soon, a wheel of slots of about
 * a millisecond for the next second, a heap for the rest (timer.c says
 * why). */
#define MIOU__WHEEL_SLOTS 1024u
struct miou__timers {
    struct miou__heap near; /* nodes of slot <= base */
    struct miou__heap far;  /* nodes armed beyond the wheel, of any slot */
    struct miou__bucket wheel[MIOU__WHEEL_SLOTS]; /* slot s at s % SLOTS */
    uint64_t occupied[MIOU__WHEEL_SLOTS / 64];    /* non-empty buckets */
    uint64_t base; /* the wheel holds slots base + 1 .. base + SLOTS - 1 */
};

/* A task's part of the sleepers' heap. */
struct miou__timer {
    /* Order of arming: equal deadlines wake in this order. Once the task
     * has ended (no timer then), the order of ending, which
     * miou_await_first() and miou_await_one() go by. */
    uint64_t seq;
};

#define MIOU__CANARY 0x6d696f7521c0ffeeull
#define MIOU__CANARY_WORDS 2

/* A task's stack: one allocation holding, from low to high addresses, the
 * canary words, the usable stack, and this header. The header sits above
 * the stack, out of the way of an overflow, which runs downwards into the
 * canary: the bookkeeping needed to report it and to free the stack
 * survives however far the overflow went. */
struct miou__stack {
    struct miou__stack *next; /* in the pool */
    size_t size;              /* usable bytes, a multiple of 16 */
    unsigned valgrind_id;
    uint32_t dirty; /* measure_stacks: bytes from the top to paint again */
};
/* Bytes of the canary: two words keep the stack 16-byte aligned. */
#define MIOU__CANARY_BYTES (MIOU__CANARY_WORDS * 8)

/* The lowest address of the usable stack. */
static inline void *miou__stack_lo(const struct miou__stack *st)
{
    return (char *)st - st->size;
}

/* The canary words, just below the usable stack; the last one is nearest
 * to it. */
static inline uint64_t *miou__stack_canary(const struct miou__stack *st)
{
    return (uint64_t *)miou__stack_lo(st) - MIOU__CANARY_WORDS;
}

struct miou_cleanup {
    struct miou_cleanup *next, *prev;
    struct miou__task *owner;
    void (*fn)(void *);
    void *arg;
};

struct miou_hook {
    struct miou_hook *next, *prev;
    void (*fn)(void *);
    void *arg;
};

struct miou__task {
    void *sp;                  /* saved stack pointer while not running */
    struct miou__stack *stack; /* NULL once the task has ended */
    struct miou__task *qnext, *qprev; /* in the run queue or a wait queue */
    struct miou__queue *queue;        /* which queue, NULL when in none */
    struct miou__task *parent;
    struct miou__task *first_child, *sib_next, *sib_prev;
    /* What the task runs, until it starts; then what it returned. */
    union {
        miou_fn fn;
        void *result;
    };
    /* Its argument, until it starts; then its cleanups, newest first. */
    union {
        void *arg;
        struct miou_cleanup *cleanups;
    };
    const char *name;              /* NULL: "task-<id>" */
    miou_orphans *orphans;         /* the set it was spawned into */
    const void *wait_on;           /* the object waited on, for miou_dump() */
    struct miou__timer timer;
    uint64_t id;
    uint32_t slot;      /* position in the slab table */
    uint32_t gen;       /* generation, bumped at each release */
    uint32_t nchildren; /* children not yet released */
    uint32_t nlive;     /* children not yet ended */
    int status;         /* final status, once ended */
    int wake;           /* what the suspended call returns */
    uint8_t state;      /* enum task_state */
    uint8_t wait;       /* enum task_wait */
    uint8_t cancelled;
    uint8_t watched; /* its parent waits for it to end */
    uint8_t mark;    /* scratch: duplicate check of lists */
    uint8_t timer_armed; /* it has a live node in the heap (timer.c) */
};

/* Tasks are allocated in slabs, found by slot number through a table, and
 * recycled through a free list, oldest first. A handle (miou_task *) holds
 * a slot and the generation the task had when it was spawned; releasing a
 * task bumps its generation, so that old handles no longer match. */
#define TASK_SLAB 64
struct task_slab {
    struct miou__task tasks[TASK_SLAB];
};

#define STACK_CLASSES 4
#define STACK_POOL_MAX 256 /* stacks kept per size class */

/* Task names the stack report keeps apart (stackuse.c). */
#define MIOU__STACK_USES 32

struct stack_class {
    size_t size;
    size_t count;
    struct miou__stack *head;
};

struct miou__sched {
    struct miou__task *current; /* the running task; NULL in the loop */
    int active;                 /* inside miou_run() */
    void *sp;                   /* the scheduler loop's saved stack */
    struct miou__queue runq;
    struct miou__timers timers;   /* the sleepers (timer.c) */
    size_t nsleepers, nstale;     /* live nodes (armed timers), stale ones */
    uint64_t timer_seq;
    unsigned steps; /* switches since the last poll */
    unsigned poll_interval;
    size_t stack_size;
    struct miou__task *root;
    size_t ntasks;             /* spawned, not yet released */
    size_t net_readers;        /* tasks in WAIT_NET */
    /* The net devices whose readers may be waiting (bits by handle,
     * cleared lazily), and the polls since solo5_yield() was last asked
     * which have input (sched.c). */
    solo5_handle_set_t net_waiting;
    unsigned polls_unasked;
    struct miou__queue blockq; /* tasks in WAIT_BLOCK, oldest first */
    size_t block_waiters;      /* tasks in blockq */
    unsigned block_aging;      /* polls since a block last moved while
                                  tasks stayed runnable */
    uint32_t run_id;           /* this run's number, for device handles */
    uint64_t next_id;
    uint64_t switches, polls;
    /* The clock's last reading since the loop last ran (now_fresh), for
     * miou_clock_recent(): under solo5-spt a read is a system call. */
    uint64_t now;
    int now_fresh;
    /* Released tasks, reused oldest first so that a stale handle stays
     * recognisable (MIOU_ENOTCHILD) for as long as possible. */
    struct miou__queue free_tasks;
    struct task_slab **slabs; /* by slot / TASK_SLAB */
    size_t nslabs, slabs_cap;
    struct stack_class pool[STACK_CLASSES];
    struct stack_class *hot_class; /* the one used last (stack.c) */
    /* The stack of the task that ended last: it was still running on it,
     * so it is released only once some other context runs. */
    struct miou__stack *dead_stack;
    uint64_t end_seq;
    struct miou_hook *hooks;
    int running_hooks;
    int hooks_dirty;
    int deadlocks;
    /* AddressSanitizer's view of the loop's stack, learnt at first
     * switch. */
    const void *asan_bottom;
    size_t asan_size;
    /* Where the platform chooses the order of woken tasks
     * (miou__platform_choose): by kind of wait, the task woken last from
     * it, which a later one from the same kind must not pass while it is
     * still queued (sched.c). */
    struct miou__task *woken_last[MIOU__WAIT_KINDS];
    /* measure_stacks (stackuse.c): the deepest use of any task, and of
     * each task name. */
    int measure_stacks;
    size_t stack_use_max;
    struct miou__stack_use {
        const char *name;
        size_t used, size;
        uint64_t tasks;
    } stack_uses[MIOU__STACK_USES];
    unsigned nstack_uses;
    /* The last task put in the run queue's front part of due tasks, and
     * how many more timers may expire before the next poll (sched.c). */
    struct miou__task *due_last;
    unsigned due_budget;
    /* The task whose stack overflowed, reported from the loop's stack. */
    const struct miou__task *overflowed;
};

extern struct miou__sched miou__the_sched;

/* Read the monotonic clock, keeping the reading for miou_clock_recent().
 * Every read of the core goes through it, so that a task that waits for
 * a time taken from miou_clock_recent() sees that time move on. */
static inline uint64_t miou__clock_read(struct miou__sched *s)
{
    s->now = solo5_clock_monotonic();
    s->now_fresh = 1;
    return s->now;
}

/* Queues (inline: they are on the path of every switch) --------------- */
static inline void miou__queue_push(struct miou__queue *q, struct miou__task *t)
{
    t->qnext = NULL;
    t->qprev = q->tail;
    if (q->tail)
        q->tail->qnext = t;
    else
        q->head = t;
    q->tail = t;
    t->queue = q;
}

static inline struct miou__task *miou__queue_pop(struct miou__queue *q)
{
    struct miou__task *t = q->head;
    if (t) {
        q->head = t->qnext;
        if (q->head)
            q->head->qprev = NULL;
        else
            q->tail = NULL;
        t->queue = NULL;
    }
    return t;
}

/* Leave whichever queue (t) is in; nothing when in none. */
static inline void miou__queue_remove(struct miou__task *t)
{
    struct miou__queue *q = t->queue;
    if (!q)
        return;
    if (t->qprev)
        t->qprev->qnext = t->qnext;
    else
        q->head = t->qnext;
    if (t->qnext)
        t->qnext->qprev = t->qprev;
    else
        q->tail = t->qprev;
    t->queue = NULL;
}

/* The run queue: tasks leave it only from its head (a runnable task is
 * never taken out by anything else), so it is singly linked, which keeps
 * the yield path short. Its tasks have queue == NULL. */
static inline void miou__runq_push(struct miou__queue *q, struct miou__task *t)
{
    t->qnext = NULL;
    if (q->tail)
        q->tail->qnext = t;
    else
        q->head = t;
    q->tail = t;
}

static inline struct miou__task *miou__runq_pop(struct miou__queue *q)
{
    struct miou__task *t = q->head;
    if (t) {
        q->head = t->qnext;
        if (!q->head)
            q->tail = NULL;
    }
    return t;
}

/* Devices ------------------------------------------------------------- */

/* Solo5 numbers devices below 64 (a handle set is a 64-bit mask), so the
 * devices acquired by this thread's runs are kept in a table indexed by
 * handle. An entry outlives the run that acquired it, because Solo5 has no
 * release: a later run finds the handle there instead of acquiring again. */
#define MIOU__DEVICES 64
#define MIOU__DEVICE_NAME 68 /* bytes, with the terminator, as Solo5 */

enum device_type { DEVICE_NONE, DEVICE_NET, DEVICE_BLOCK };

struct miou__device {
    char name[MIOU__DEVICE_NAME];
    uint8_t type; /* enum device_type */
    uint32_t run; /* run_id of the run holding it; 0 for none */
    solo5_handle_t handle;
};

struct miou_net {
    struct miou__device dev;
    struct miou_net_info info;
    struct miou__queue readers; /* tasks in WAIT_NET on it */
};

struct miou_block {
    struct miou__device dev;
    struct miou_block_info info;
};

/* device.c */
/* The entry of the device of (type) named (name), now held by this run;
 * NULL with a MIOU_E* code in (*err) when it cannot be. */
struct miou__device *miou__device_acquire(struct miou__sched *s,
                                          const char *name,
                                          enum device_type type, int *err);
/* The net device of (handle), NULL when this run holds none there. */
struct miou_net *miou__net_of(const struct miou__sched *s, uint64_t handle);

/* net.c: wake the readers of the devices in (ready). */
void miou__net_ready(struct miou__sched *s, solo5_handle_set_t ready);

/* block.c: perform one block of the oldest scheduled operation. */
void miou__block_step(struct miou__sched *s);
/* The name of the device of a scheduled operation (a task's wait_on in
 * WAIT_BLOCK), for miou_dump(). */
const char *miou__block_request_device(const void *request);

/* timer.c -------------------------------------------------------------- */
int miou__timer_arm(struct miou__sched *s, struct miou__task *t,
                    uint64_t deadline);
void miou__timer_disarm(struct miou__sched *s, struct miou__task *t);
/* Wake every sleeper whose deadline is at or before (now), at most
 * s->due_budget of them (the others stay due, for the next poll). */
void miou__timer_expire(struct miou__sched *s, uint64_t now);
/* The earliest deadline, or UINT64_MAX when nobody sleeps. */
uint64_t miou__timer_next(struct miou__sched *s);
/* (t)'s deadline, UINT64_MAX when it has none; O(n), for miou_dump(). */
uint64_t miou__timer_deadline(const struct miou__sched *s,
                              const struct miou__task *t);
void miou__timer_free_all(struct miou__sched *s);
/* The bytes of the heap the timers hold (miou_stats()). */
size_t miou__timer_bytes(const struct miou__sched *s);

/* stack.c -------------------------------------------------------------- */
/* The bytes of the heap the pooled stacks hold, with the last ended task's
 * stack, released at the next switch (miou_stats()). */
size_t miou__stack_kept_bytes(const struct miou__sched *s);
struct miou__stack *miou__stack_get(struct miou__sched *s, size_t size);
void miou__stack_put(struct miou__sched *s, struct miou__stack *st);
/* Release the stack of the task that ended last, if any. */
static inline void miou__stack_flush_dead(struct miou__sched *s)
{
    if (s->dead_stack) {
        miou__stack_put(s, s->dead_stack);
        s->dead_stack = NULL;
    }
}
void miou__stack_free_all(struct miou__sched *s);
/* (t), the running task, has damaged its canary: switch to the loop's
 * stack, which reports it (sched.c). */
MIOU__NORETURN void miou__stack_overflow(const struct miou__task *t);
/* Abort with a message naming (t), from the loop's stack (stack.c). */
MIOU__NORETURN void miou__stack_overflow_report(const struct miou__task *t);
/* stackuse.c: measure_stacks. Paint the top (bytes) of (st) (all of it
 * for SIZE_MAX); how many bytes from the top no longer hold the paint;
 * record the use of (t), which is ending, on its own stack; print the
 * report of the run. */
void miou__stack_paint(struct miou__stack *st, size_t bytes);
size_t miou__stack_used(const struct miou__stack *st);
void miou__stack_measure_end(struct miou__sched *s, struct miou__task *t);
void miou__stack_report(const struct miou__sched *s);
/* Check every canary word of (t)'s stack. */
void miou__stack_check_all(const struct miou__task *t);
/* The check made at every switch: the canary word nearest the stack, the
 * first that an overflow damages. */
static inline void miou__stack_check(const struct miou__task *t)
{
    if (miou__unlikely(miou__stack_canary(t->stack)[MIOU__CANARY_WORDS - 1] !=
                       MIOU__CANARY))
        miou__stack_overflow(t);
}

/* sched.c -------------------------------------------------------------- */
/* Let the loop poll for events if the poll interval has run out: the
 * running task goes to the back of the run queue. For calls that succeed
 * without suspending (a net read that finds a frame), so that they cannot
 * starve the other tasks. */
void miou__poll_point(struct miou__sched *s);
/* Put a suspended task back on the run queue; its call returns (status). */
void miou__wake(struct miou__task *t, int status);
/* The same for a task whose deadline has come: it runs before the tasks
 * already runnable. */
void miou__wake_due(struct miou__task *t, int status);
/* Suspend the calling task, which must already be recorded wherever it
 * waits (or on the run queue); returns the status it is woken with. */
int miou__suspend(void);
/* Suspend the calling task in (wait) on (q) (may be NULL). */
int miou__wait(enum task_wait wait, struct miou__queue *q, const void *on);
/* The function every task's stack starts in. */
void miou__task_entry_point(void *task);
/* End the calling task for good; never returns. */
MIOU__NORETURN void miou__exit_task(void);

/* task.c --------------------------------------------------------------- */
void miou__cancel_tree(struct miou__task *t);
struct miou__task *miou__task_new(struct miou__sched *s,
                                  struct miou__task *parent,
                                  const struct miou_task_options *opts,
                                  miou_fn fn, void *arg, int *err);
void miou__task_free_all(struct miou__sched *s);
/* The bytes of the heap the task records and their table hold, live and
 * kept for reuse (miou_stats()). */
size_t miou__task_kept_bytes(const struct miou__sched *s);
/* The handle of (t): its generation and its slot + 1 (so that no handle
 * is NULL) packed into a pointer-sized value. */
static inline miou_task *miou__handle(const struct miou__task *t)
{
    uint64_t v = ((uint64_t)t->gen << 32) | ((uint64_t)t->slot + 1);
    return (miou_task *)(uintptr_t)v;
}

/* The task a handle names; NULL when it names no live task of this run
 * (released, never valid, or NULL). */
static inline struct miou__task *miou__task_of(const miou_task *handle)
{
    const struct miou__sched *s = &miou__the_sched;
    uint64_t v = (uint64_t)(uintptr_t)handle;
    uint32_t slot = (uint32_t)v - 1; /* wraps for a NULL handle */
    if (!s->active || slot / TASK_SLAB >= s->nslabs)
        return NULL;
    struct miou__task *t = &s->slabs[slot / TASK_SLAB]->tasks[slot % TASK_SLAB];
    if (t->state == TASK_FREE || t->gen != (uint32_t)(v >> 32))
        return NULL;
    return t;
}
/* The bookkeeping of a task whose function has returned (children, cleanups,
 * its parent), then miou__exit_task(). */
MIOU__NORETURN void miou__task_end(struct miou__task *t);

/* hook.c --------------------------------------------------------------- */
void miou__hooks_run(struct miou__sched *s);
void miou__hooks_free_all(struct miou__sched *s);

/* log.c ---------------------------------------------------------------- */
/* printf-like output to the console (the C library's vsnprintf; lines
 * longer than 511 bytes are cut). */
void miou__log(const char *fmt, ...) MIOU__PRINTF(1, 2);
MIOU__NORETURN void miou__fatal(const char *fmt, ...) MIOU__PRINTF(1, 2);
/* The name of (t) in a buffer of the caller's. */
const char *miou__name(const struct miou__task *t, char *buf, size_t n);

#endif
