/*
 * prop_sched.c - properties of the scheduler, each checked on a random
 * workload drawn from the seed (see prop.h):
 *
 *   sleep_order   sleepers wake in deadline order, never early nor late;
 *   cancel_reach  cancelling a task reaches every descendant and every
 *                 suspension point, and runs the cleanups;
 *   await_result  the awaits give only results of tasks that ended, once;
 *   tasks_once    every task spawned runs exactly once, except one
 *                 cancelled before it started, which never runs.
 *
 * Workloads are small (at most a few dozen tasks, sleeps of milliseconds
 * of virtual time) so that a thousand seeds of each take seconds.
 */
#include <string.h>

#include "prop.h"

PROP_PROGRAM("build/sim/tests/sim/prop_sched", "", NULL);

#define MS 1000000ull
/* A sleep that outlasts any workload: only cancellation ends it. */
#define FOREVER (1000000ull * MS)

/* ====================================================================== */
/* sleep_order                                                             */
/* ====================================================================== */

#define SO_TASKS 40
#define SO_ROUNDS 3
/* The virtual time one wait for events may take beyond its deadline: the
 * sim platform charges each solo5_yield() a microsecond; ten leave room. */
#define SO_POLL_NS 10000u

enum so_mode {
    SO_SLEEP, /* miou_sleep(duration) */
    SO_UNTIL, /* miou_sleep_until(now + duration) */
    SO_PAST,  /* miou_sleep_until(now - duration): a yield */
};

struct so_sleep {
    enum so_mode mode;
    uint64_t duration;
    uint64_t armed;    /* the clock when the task went to sleep */
    uint64_t deadline; /* the absolute deadline it asked for */
    uint64_t resumed;  /* the clock when it ran again */
    uint64_t order;    /* rank among all resumptions of the run */
    int status;
};

struct so_task {
    unsigned rounds;
    struct so_sleep s[SO_ROUNDS];
};

static struct {
    unsigned n;
    uint64_t order;
    int status; /* of the first task's await */
    struct so_task t[SO_TASKS];
} so;

static void so_sleep_once(struct so_sleep *s)
{
    s->armed = miou_clock_monotonic();
    switch (s->mode) {
    case SO_SLEEP:
        s->deadline = s->armed + s->duration;
        s->status = miou_sleep(s->duration);
        break;
    case SO_UNTIL:
        s->deadline = s->armed + s->duration;
        s->status = miou_sleep_until(s->deadline);
        break;
    case SO_PAST:
        s->deadline = s->armed > s->duration ? s->armed - s->duration : 0;
        s->status = miou_sleep_until(s->deadline);
        break;
    }
    /* Read at once: nothing runs between the resumption and this read. */
    s->resumed = miou_clock_monotonic();
    s->order = ++so.order;
}

static void *so_sleeper(void *arg)
{
    struct so_task *t = arg;
    for (unsigned r = 0; r < t->rounds; r++)
        so_sleep_once(&t->s[r]);
    return NULL;
}

static void *so_main(void *arg)
{
    (void)arg;
    miou_task *h[SO_TASKS];
    unsigned spawned = 0;
    for (; spawned < so.n; spawned++)
        if ((so.status = miou_async(&h[spawned], so_sleeper, &so.t[spawned])) !=
            0)
            break;
    int rc = miou_await_all(h, spawned, NULL, NULL);
    if (so.status == 0)
        so.status = rc;
    return NULL;
}

static void so_plan(void)
{
    memset(&so, 0, sizeof so);
    so.n = (unsigned)prop_between(5, SO_TASKS);
    for (unsigned i = 0; i < so.n; i++) {
        struct so_task *t = &so.t[i];
        t->rounds = (unsigned)prop_between(1, SO_ROUNDS);
        for (unsigned r = 0; r < t->rounds; r++) {
            struct so_sleep *s = &t->s[r];
            unsigned m = (unsigned)miou_sim_below(10);
            s->mode = m < 6 ? SO_SLEEP : m < 9 ? SO_UNTIL : SO_PAST;
            /* Whole milliseconds make equal deadlines common; a few
             * odd durations fall between them, and some reach past the
             * second that timer.c keeps in its wheel, close together. */
            unsigned kind = (unsigned)miou_sim_below(100);
            s->duration = kind < 75   ? miou_sim_below(11) * MS
                          : kind < 85 ? miou_sim_below(10 * MS)
                                      : 1100 * MS + miou_sim_below(20) * MS +
                                            miou_sim_below(2) * MS / 2;
        }
    }
}

/* Whether (s) really waited: its deadline was ahead when it was armed. */
static int so_waited(const struct so_sleep *s)
{
    return s->deadline > s->armed;
}

static int so_check_one(struct prop_ctx *ctx, unsigned i, unsigned r)
{
    const struct so_sleep *s = &so.t[i].s[r];
    if (s->status != 0)
        return prop_fail(ctx, "task %u, sleep %u returned %s", i, r,
                         miou_errname(s->status));
    if (s->resumed < s->deadline)
        return prop_fail(ctx,
                         "task %u, sleep %u woke early: at %llu ns, "
                         "deadline %llu ns",
                         i, r, (unsigned long long)s->resumed,
                         (unsigned long long)s->deadline);
    /* No task takes virtual time, but each wait for events takes a
     * little (as a system call would): a sleeper runs at its deadline, or
     * that little later when it fell due during the wait; a yield runs at
     * the time it yielded. More than that is a wake-up missed. */
    uint64_t due = so_waited(s) ? s->deadline : s->armed;
    if (s->resumed > due + (so_waited(s) ? SO_POLL_NS : 0))
        return prop_fail(ctx,
                         "task %u, sleep %u woke late: at %llu ns, due "
                         "at %llu ns",
                         i, r, (unsigned long long)s->resumed,
                         (unsigned long long)due);
    return 0;
}

/* Sleepers with deadlines a < b: a resumes first, unless both resumed at
 * the same instant (tasks due together run in the seed's order). */
static int so_check_pair(struct prop_ctx *ctx, const struct so_sleep *a,
                         const struct so_sleep *b)
{
    if (!so_waited(a) || !so_waited(b) || a->deadline >= b->deadline ||
        a->order < b->order)
        return 0;
    if (a->resumed == b->resumed && a->resumed >= b->deadline)
        return 0;
    return prop_fail(
        ctx,
        "deadline %llu ns resumed after deadline %llu ns "
        "(at %llu ns and %llu ns)",
        (unsigned long long)a->deadline, (unsigned long long)b->deadline,
        (unsigned long long)a->resumed, (unsigned long long)b->resumed);
}

static int so_check_pairs(struct prop_ctx *ctx, unsigned i, unsigned r)
{
    const struct so_sleep *a = &so.t[i].s[r];
    for (unsigned j = 0; j < so.n; j++)
        for (unsigned q = 0; q < so.t[j].rounds; q++)
            if (so_check_pair(ctx, a, &so.t[j].s[q]))
                return -1;
    return 0;
}

static int sleep_order(struct prop_ctx *ctx)
{
    so_plan();
    int rc = miou_run(NULL, so_main, NULL, NULL);
    if (rc != 0 || so.status != 0)
        return prop_fail(ctx, "miou_run: %s, await_all: %s", miou_errname(rc),
                         miou_errname(so.status));
    for (unsigned i = 0; i < so.n; i++)
        for (unsigned r = 0; r < so.t[i].rounds; r++)
            if (so_check_one(ctx, i, r) || so_check_pairs(ctx, i, r))
                return -1;
    return 0;
}

/* ====================================================================== */
/* cancel_reach                                                            */
/* ====================================================================== */

#define CR_NODES 40
#define CR_DEPTH 4
#define CR_KIDS 3

/* Where a task of the tree waits to be cancelled. The first CR_LEAF ones
 * need no child; the others wait on the task's children. */
enum cr_point {
    CR_SLEEP,
    CR_SLEEP_UNTIL,
    CR_MUTEX,      /* a mutex the first task holds */
    CR_COND,       /* a condition nobody signals */
    CR_COND_UNTIL, /* the same, with a far deadline */
    CR_YIELD,      /* yields and short sleeps, forever */
    CR_AWAIT,
    CR_AWAIT_ALL,
    CR_AWAIT_FIRST,
    CR_AWAIT_ONE,
    CR_ORPHANS, /* miou_orphans_wait() on its children */
    CR_POINTS
};
#define CR_LEAF (CR_YIELD + 1)

static const char *const cr_point_names[CR_POINTS] = {
    "sleep", "sleep_until", "mutex_lock",  "cond_wait", "cond_until",   "yield",
    "await", "await_all",   "await_first", "await_one", "orphans_wait",
};

/* How a canceller lets time pass before it cancels its first child. */
enum cr_delay { CR_NOW, CR_YIELDING, CR_SLEEPING };

struct cr_node {
    /* The plan. */
    int parent, depth;
    unsigned nkids;
    int kid[CR_KIDS];
    enum cr_point point;
    int canceller; /* cancels kid[0] before waiting (phase 1) */
    enum cr_delay delay_kind;
    uint64_t delay;
    int in_phase1; /* in the subtree the canceller cancels */
    /* What happened. */
    int spawned, started, returned, cleanups, popped_ran;
    int primary; /* status of the suspension point */
    int delay_status, cancel_status;
    uint64_t seen_seq; /* when the suspension point returned */
    uint64_t end_seq;  /* just before the function returned */
    uint64_t cleanup_seq[2];
    uint64_t cancel_start_seq, cancel_done_seq;
    const char *bad; /* the first call that did not do as expected */
    int bad_status;
    miou_task *h[CR_KIDS];
    int released[CR_KIDS];
    miou_orphans orphans;
};

static struct {
    unsigned n;
    struct cr_node node[CR_NODES];
    miou_mutex held;   /* held by the first task all along */
    miou_mutex cmutex; /* the condition's */
    miou_cond cond;
    uint64_t seq;
    int early; /* the first task cancels the tree at once */
    uint64_t main_delay;
    uint64_t main_cancel_seq;
    int main_status, main_sleep;
    size_t tasks_after, sleepers_after;
    int canceller; /* its index, or -1 */
} cr;

static void *cr_task(void *arg);

/* Record the first call of (n) that did not return what it should. */
static void cr_expect(struct cr_node *n, const char *call, int got, int want)
{
    if (got != want && !n->bad) {
        n->bad = call;
        n->bad_status = got;
    }
}

static void cr_cleanup_first(void *arg)
{
    struct cr_node *n = arg;
    n->cleanups++;
    n->cleanup_seq[0] = ++cr.seq;
}

static void cr_cleanup_second(void *arg)
{
    struct cr_node *n = arg;
    n->cleanups++;
    n->cleanup_seq[1] = ++cr.seq;
}

static void cr_cleanup_popped(void *arg)
{
    struct cr_node *n = arg;
    n->popped_ran++;
}

/* Two cleanups that must run in reverse order, and one removed without
 * running that must never run. */
static void cr_register_cleanups(struct cr_node *n)
{
    miou_cleanup *c;
    if (!miou_cleanup_push(cr_cleanup_first, n) ||
        !miou_cleanup_push(cr_cleanup_second, n) ||
        !(c = miou_cleanup_push(cr_cleanup_popped, n))) {
        cr_expect(n, "miou_cleanup_push", MIOU_ENOMEM, 0);
        return;
    }
    miou_cleanup_pop(c, 0);
}

static void cr_spawn_kids(struct cr_node *n)
{
    miou_orphans_init(&n->orphans);
    for (unsigned k = 0; k < n->nkids; k++) {
        struct cr_node *kid = &cr.node[n->kid[k]];
        int rc =
            n->point == CR_ORPHANS
                ? miou_async_orphan(&n->orphans, &n->h[k], NULL, cr_task, kid)
                : miou_async(&n->h[k], cr_task, kid);
        cr_expect(n, "miou_async", rc, 0);
        kid->spawned = rc == 0;
        n->released[k] = rc != 0;
    }
}

/* Phase 1: the canceller cancels its first child's subtree. */
static void cr_phase1(struct cr_node *n)
{
    if (n->delay_kind == CR_YIELDING)
        n->delay_status = miou_yield();
    else if (n->delay_kind == CR_SLEEPING)
        n->delay_status = miou_sleep(n->delay);
    n->cancel_start_seq = ++cr.seq;
    n->cancel_status = miou_cancel(n->h[0]);
    n->released[0] = 1;
    n->cancel_done_seq = ++cr.seq;
}

/* The handles of (n)'s children not yet released, their positions in
 * (pos); how many. */
static size_t cr_live(struct cr_node *n, miou_task **hs, unsigned *pos)
{
    size_t m = 0;
    for (unsigned k = 0; k < n->nkids; k++)
        if (!n->released[k]) {
            pos[m] = k;
            hs[m++] = n->h[k];
        }
    return m;
}

static int cr_wait_cond(struct cr_node *n, uint64_t deadline)
{
    cr_expect(n, "miou_mutex_lock (condition)", miou_mutex_lock(&cr.cmutex), 0);
    int rc = miou_cond_wait_until(&cr.cond, &cr.cmutex, deadline);
    /* Cancelled or not, the waiter holds the mutex again. */
    cr_expect(n, "miou_mutex_unlock after the wait",
              miou_mutex_unlock(&cr.cmutex), 0);
    return rc;
}

static int cr_wait_yielding(void)
{
    int rc;
    /* Sleeps between the yields let virtual time reach the cancel. */
    while ((rc = miou_yield()) == 0 && (rc = miou_sleep(MS / 10)) == 0)
        ;
    return rc;
}

/* Wait on the children, as (n)'s point says. */
static int cr_wait_children(struct cr_node *n)
{
    miou_task *hs[CR_KIDS];
    unsigned pos[CR_KIDS];
    int st[CR_KIDS];
    size_t idx = 0, m = cr_live(n, hs, pos);
    int rc;
    miou_task *done = NULL;
    switch (n->point) {
    case CR_AWAIT:
        rc = miou_await(hs[0], NULL);
        n->released[pos[0]] = 1;
        return rc;
    case CR_AWAIT_ALL:
        rc = miou_await_all(hs, m, NULL, st);
        for (size_t i = 0; i < m; i++) {
            cr_expect(n, "miou_await_all (a child's status)", st[i],
                      MIOU_ECANCELED);
            n->released[pos[i]] = 1;
        }
        return rc;
    case CR_AWAIT_FIRST:
        rc = miou_await_first(hs, m, &idx, NULL);
        for (size_t i = 0; i < m; i++)
            n->released[pos[i]] = 1;
        return rc;
    case CR_AWAIT_ONE:
        rc = miou_await_one(hs, m, &idx, NULL);
        if (idx < m)
            n->released[pos[idx]] = 1;
        return rc;
    default:
        rc = miou_orphans_wait(&n->orphans, &done);
        /* The children never end unless cancelled: nothing to take. */
        cr_expect(n, "miou_orphans_wait (a task)", done != NULL, 0);
        return rc;
    }
}

static int cr_suspend(struct cr_node *n)
{
    uint64_t far = miou_clock_monotonic() + FOREVER;
    switch (n->point) {
    case CR_SLEEP:
        return miou_sleep(FOREVER);
    case CR_SLEEP_UNTIL:
        return miou_sleep_until(far);
    case CR_MUTEX:
        return miou_mutex_lock(&cr.held);
    case CR_COND:
        return cr_wait_cond(n, UINT64_MAX);
    case CR_COND_UNTIL:
        return cr_wait_cond(n, far);
    case CR_YIELD:
        return cr_wait_yielding();
    default:
        return cr_wait_children(n);
    }
}

static void *cr_never(void *arg)
{
    return arg;
}

/* Once cancelled, every suspension point returns MIOU_ECANCELED at once,
 * and the children left are awaited (they end, being cancelled too). */
static void cr_probe(struct cr_node *n)
{
    miou_task *h = NULL;
    cr_expect(n, "miou_yield", miou_yield(), MIOU_ECANCELED);
    cr_expect(n, "miou_sleep", miou_sleep(MS), MIOU_ECANCELED);
    cr_expect(n, "miou_sleep_until",
              miou_sleep_until(miou_clock_monotonic() + MS), MIOU_ECANCELED);
    cr_expect(n, "miou_mutex_lock", miou_mutex_lock(&cr.held), MIOU_ECANCELED);
    cr_expect(n, "miou_async", miou_async(&h, cr_never, NULL), MIOU_ECANCELED);
    if (miou_mutex_trylock(&cr.cmutex) == 0) {
        cr_expect(n, "miou_cond_wait", miou_cond_wait(&cr.cond, &cr.cmutex),
                  MIOU_ECANCELED);
        miou_mutex_unlock(&cr.cmutex);
    }
    for (unsigned k = 0; k < n->nkids; k++)
        if (!n->released[k]) {
            cr_expect(n, "miou_await (a child left)", miou_await(n->h[k], NULL),
                      MIOU_ECANCELED);
            n->released[k] = 1;
        }
}

static void *cr_task(void *arg)
{
    struct cr_node *n = arg;
    n->started = 1;
    cr_register_cleanups(n);
    cr_spawn_kids(n);
    if (n->canceller)
        cr_phase1(n);
    n->primary = cr_suspend(n);
    n->seen_seq = ++cr.seq;
    cr_probe(n);
    n->end_seq = ++cr.seq;
    n->returned = 1;
    return NULL;
}

static void *cr_main(void *arg)
{
    (void)arg;
    miou_task *h;
    struct miou_stats st;
    miou_mutex_lock(&cr.held);
    cr.main_status = miou_async(&h, cr_task, &cr.node[0]);
    if (cr.main_status != 0)
        return NULL;
    cr.node[0].spawned = 1;
    if (!cr.early)
        cr.main_sleep = miou_sleep(cr.main_delay);
    cr.main_cancel_seq = ++cr.seq;
    cr.main_status = miou_cancel(h);
    miou_stats(&st);
    cr.tasks_after = st.tasks;
    cr.sleepers_after = st.sleepers;
    miou_mutex_unlock(&cr.held);
    return NULL;
}

/* The tree's shape: breadth first, up to the node count drawn. */
static void cr_plan_tree(void)
{
    unsigned target = (unsigned)prop_between(1, CR_NODES);
    cr.n = 1;
    cr.node[0].parent = -1;
    for (unsigned i = 0; i < cr.n; i++) {
        struct cr_node *n = &cr.node[i];
        if (n->depth >= CR_DEPTH)
            continue;
        unsigned k = (unsigned)miou_sim_below(CR_KIDS + 1);
        for (; k > 0 && cr.n < target; k--) {
            struct cr_node *kid = &cr.node[cr.n];
            kid->parent = (int)i;
            kid->depth = n->depth + 1;
            n->kid[n->nkids++] = (int)cr.n++;
        }
    }
}

static void cr_mark_phase1(int i)
{
    struct cr_node *n = &cr.node[i];
    n->in_phase1 = 1;
    for (unsigned k = 0; k < n->nkids; k++)
        cr_mark_phase1(n->kid[k]);
}

/* On half of the seeds, one task with children cancels its first child
 * (and so that child's subtree) before the first task cancels all. */
static void cr_plan_canceller(void)
{
    cr.canceller = -1;
    if (!prop_chance(50))
        return;
    int parents[CR_NODES];
    unsigned np = 0;
    for (unsigned i = 0; i < cr.n; i++)
        if (cr.node[i].nkids)
            parents[np++] = (int)i;
    if (np == 0)
        return;
    cr.canceller = parents[miou_sim_below(np)];
    struct cr_node *x = &cr.node[cr.canceller];
    x->canceller = 1;
    x->delay_kind = (enum cr_delay)miou_sim_below(3);
    /* Phase 1 ends before the first task cancels (6 ms at the soonest). */
    x->delay = prop_between(1, 5 * MS);
    cr_mark_phase1(x->kid[0]);
}

static void cr_plan(void)
{
    memset(&cr, 0, sizeof cr);
    miou_mutex_init(&cr.held);
    miou_mutex_init(&cr.cmutex);
    miou_cond_init(&cr.cond);
    cr_plan_tree();
    cr_plan_canceller();
    for (unsigned i = 0; i < cr.n; i++) {
        struct cr_node *n = &cr.node[i];
        unsigned waited = n->nkids - (n->canceller ? 1u : 0u);
        n->point = (enum cr_point)miou_sim_below(waited ? CR_POINTS : CR_LEAF);
    }
    cr.early = prop_chance(10);
    cr.main_delay = prop_between(6 * MS, 10 * MS);
}

/* A task of the tree that ran: it saw the cancel everywhere, at the
 * right time, and its cleanups ran once, in order, after it returned. */
static int cr_check_started(struct prop_ctx *ctx, unsigned i)
{
    const struct cr_node *n = &cr.node[i];
    const char *where = cr_point_names[n->point];
    if (!n->returned)
        return prop_fail(ctx, "task %u (%s) never returned", i, where);
    if (n->primary != MIOU_ECANCELED)
        return prop_fail(ctx, "task %u: %s returned %s, not MIOU_ECANCELED", i,
                         where, miou_errname(n->primary));
    if (n->bad)
        return prop_fail(ctx, "task %u (%s): %s returned %s", i, where, n->bad,
                         miou_errname(n->bad_status));
    if (n->cleanups != 2 || n->popped_ran)
        return prop_fail(ctx,
                         "task %u (%s): %d cleanup calls instead of 2, %d "
                         "of a removed one",
                         i, where, n->cleanups, n->popped_ran);
    if (!(n->end_seq < n->cleanup_seq[1] &&
          n->cleanup_seq[1] < n->cleanup_seq[0]))
        return prop_fail(ctx,
                         "task %u (%s): cleanups out of order or before "
                         "the task returned",
                         i, where);
    return 0;
}

/* The cancel reached (i) when it should: phase 1 for the canceller's
 * subtree (and it had ended when the cancel returned), else phase 2. */
static int cr_check_timing(struct prop_ctx *ctx, unsigned i)
{
    const struct cr_node *n = &cr.node[i];
    if (n->in_phase1) {
        const struct cr_node *x = &cr.node[cr.canceller];
        if (n->seen_seq < x->cancel_start_seq ||
            n->cleanup_seq[0] > x->cancel_done_seq)
            return prop_fail(ctx,
                             "task %u was not cancelled while task %d "
                             "cancelled its subtree",
                             i, cr.canceller);
        return 0;
    }
    if (n->seen_seq < cr.main_cancel_seq)
        return prop_fail(ctx,
                         "task %u (%s) saw a cancel before its ancestors "
                         "were cancelled",
                         i, cr_point_names[n->point]);
    return 0;
}

static int cr_check_node(struct prop_ctx *ctx, unsigned i)
{
    const struct cr_node *n = &cr.node[i];
    int parent_ran = n->parent < 0 || cr.node[n->parent].started;
    if (n->spawned != parent_ran)
        return prop_fail(ctx, "task %u: spawned %d, its parent ran %d", i,
                         n->spawned, parent_ran);
    if (n->spawned && !n->started && !n->in_phase1 && !cr.early)
        return prop_fail(ctx,
                         "task %u never ran, yet was not cancelled "
                         "before it could",
                         i);
    if (!n->started)
        return 0;
    if (n->canceller && (n->delay_status != 0 || n->cancel_status != 0))
        return prop_fail(ctx, "canceller %u: delay %s, miou_cancel %s", i,
                         miou_errname(n->delay_status),
                         miou_errname(n->cancel_status));
    if (cr_check_started(ctx, i))
        return -1;
    return cr_check_timing(ctx, i);
}

static int cancel_reach(struct prop_ctx *ctx)
{
    cr_plan();
    int rc = miou_run(NULL, cr_main, NULL, NULL);
    if (rc != 0 || cr.main_status != 0 || cr.main_sleep != 0)
        return prop_fail(ctx, "miou_run %s, miou_cancel %s, miou_sleep %s",
                         miou_errname(rc), miou_errname(cr.main_status),
                         miou_errname(cr.main_sleep));
    if (cr.tasks_after != 1 || cr.sleepers_after != 0)
        return prop_fail(ctx,
                         "after the cancel: %zu tasks (1 expected), %zu "
                         "sleepers",
                         cr.tasks_after, cr.sleepers_after);
    for (unsigned i = 0; i < cr.n; i++)
        if (cr_check_node(ctx, i))
            return -1;
    return 0;
}

/* ====================================================================== */
/* await_result                                                            */
/* ====================================================================== */

#define AR_TASKS 24
#define AR_SUBSET 5

enum ar_kind { AR_NOW, AR_SLEEP, AR_YIELD, AR_LONG, AR_KINDS };

enum ar_op {
    AR_SPAWN,
    AR_AWAIT,
    AR_AWAIT_ALL,
    AR_AWAIT_FIRST,
    AR_AWAIT_ONE,
    AR_CANCEL,
    AR_STALE,
    AR_OPS
};

struct ar_task {
    enum ar_kind kind;
    uint64_t duration;
    unsigned yields;
    int started, ended, saw_cancel;
    uint64_t end_seq;
    unsigned collected; /* results given by an await */
    unsigned dropped;   /* released without a result (cancel, loser) */
    int live;           /* its handle is not released */
};

/* The main task cancels the group: never, at once, or after a delay. */
enum ar_end { AR_AWAIT_GROUP, AR_CANCEL_NOW, AR_CANCEL_LATER };

static struct {
    struct prop_ctx *ctx;
    unsigned n, max;
    struct ar_task t[AR_TASKS];
    miou_task *h[AR_TASKS];
    uint64_t seq;
    enum ar_end end;
    uint64_t delay;
    int group_status, group_started, group_cancelled;
} ar;

static void *ar_child(void *arg)
{
    struct ar_task *t = arg;
    int rc = 0;
    t->started = 1;
    switch (t->kind) {
    case AR_NOW:
    case AR_KINDS:
        break;
    case AR_SLEEP:
        rc = miou_sleep(t->duration);
        break;
    case AR_YIELD:
        for (unsigned i = 0; i < t->yields && rc == 0; i++)
            rc = miou_yield();
        break;
    case AR_LONG:
        rc = miou_sleep(FOREVER / 1000);
        break;
    }
    t->saw_cancel = rc == MIOU_ECANCELED;
    t->end_seq = ++ar.seq;
    /* The flag goes up last: an await must never see the result first. */
    t->ended = 1;
    return t;
}

static void ar_spawn(void)
{
    if (ar.n >= ar.max)
        return;
    struct ar_task *t = &ar.t[ar.n];
    t->kind = (enum ar_kind)miou_sim_below(AR_KINDS);
    t->duration = miou_sim_below(5 * MS);
    t->yields = (unsigned)miou_sim_below(8);
    int rc = miou_async(&ar.h[ar.n], ar_child, t);
    if (rc == MIOU_ECANCELED && miou_cancelled())
        return; /* a cancelled group spawns nothing */
    if (rc != 0) {
        prop_fail(ar.ctx, "miou_async: %s", miou_errname(rc));
        return;
    }
    t->live = 1;
    ar.n++;
}

/* Check what an await gave for task (i), and count it. (cancelled) says
 * whether the group was cancelled when the task was collected: at the
 * return of an await of one task, but before the call for
 * miou_await_all(), which collects each task as it ends, so that a task
 * collected before the group was cancelled keeps its status 0. */
static void ar_verify(unsigned i, int status, void *result, int cancelled)
{
    struct ar_task *t = &ar.t[i];
    t->live = 0;
    if (++t->collected > 1)
        prop_fail(ar.ctx, "task %u: its result was given twice", i);
    if (status == 0) {
        if (result != t || !t->ended || t->saw_cancel || cancelled)
            prop_fail(ar.ctx,
                      "task %u: status 0 with result %p (its own %p), "
                      "ended %d, cancelled %d, group cancelled %d",
                      i, result, (void *)t, t->ended, t->saw_cancel, cancelled);
    } else if (status == MIOU_ECANCELED) {
        /* Only the group's cancellation cancels a task still awaited. */
        if (!miou_cancelled())
            prop_fail(ar.ctx, "task %u: MIOU_ECANCELED, group not cancelled",
                      i);
        else if (result ? result != t || !t->ended : t->started)
            prop_fail(ar.ctx,
                      "task %u: cancelled, result %p (its own %p), "
                      "started %d, ended %d",
                      i, result, (void *)t, t->started, t->ended);
    } else {
        prop_fail(ar.ctx, "task %u: await returned %s", i,
                  miou_errname(status));
    }
}

/* A random subset of the live tasks, in (pick); its size. */
static size_t ar_pick(unsigned *pick)
{
    unsigned live[AR_TASKS];
    size_t m = 0;
    for (unsigned i = 0; i < ar.n; i++)
        if (ar.t[i].live)
            live[m++] = i;
    if (m == 0)
        return 0;
    size_t k = (size_t)prop_between(1, m < AR_SUBSET ? m : AR_SUBSET);
    for (size_t j = 0; j < k; j++) {
        size_t r = j + (size_t)miou_sim_below(m - j);
        unsigned tmp = live[j];
        live[j] = live[r];
        live[r] = tmp;
        pick[j] = live[j];
    }
    return k;
}

static void ar_await_all(const unsigned *pick, size_t k)
{
    miou_task *hs[AR_SUBSET];
    void *results[AR_SUBSET];
    int st[AR_SUBSET];
    for (size_t j = 0; j < k; j++)
        hs[j] = ar.h[pick[j]];
    int before = miou_cancelled();
    int rc = miou_await_all(hs, k, results, st);
    int first = 0;
    for (size_t j = 0; j < k; j++) {
        ar_verify(pick[j], st[j], results[j], before);
        if (!first)
            first = st[j];
    }
    if (rc != first)
        prop_fail(ar.ctx, "miou_await_all returned %s, first status %s",
                  miou_errname(rc), miou_errname(first));
}

/* After miou_await_first() or miou_await_one() chose (win) among (pick):
 * no other task of the list had ended before it. */
static void ar_check_winner(const unsigned *pick, size_t k, unsigned win)
{
    for (size_t j = 0; j < k; j++) {
        const struct ar_task *o = &ar.t[pick[j]];
        if (pick[j] != win && o->ended && o->end_seq < ar.t[win].end_seq)
            prop_fail(ar.ctx,
                      "task %u was chosen, task %u had ended "
                      "before it",
                      win, pick[j]);
    }
}

static void ar_await_winner(const unsigned *pick, size_t k, int first)
{
    miou_task *hs[AR_SUBSET];
    size_t idx = k;
    void *result = NULL;
    for (size_t j = 0; j < k; j++)
        hs[j] = ar.h[pick[j]];
    int rc = first ? miou_await_first(hs, k, &idx, &result)
                   : miou_await_one(hs, k, &idx, &result);
    if (idx >= k) {
        prop_fail(ar.ctx, "miou_await_%s: %s, no index",
                  first ? "first" : "one", miou_errname(rc));
        return;
    }
    ar_check_winner(pick, k, pick[idx]);
    ar_verify(pick[idx], rc, result, miou_cancelled());
    for (size_t j = 0; first && j < k; j++) {
        struct ar_task *o = &ar.t[pick[j]];
        if (j == idx)
            continue;
        /* The losers were cancelled and have ended. */
        o->live = 0;
        o->dropped++;
        if (o->started && !o->ended)
            prop_fail(ar.ctx,
                      "task %u: released by miou_await_first "
                      "before it ended",
                      pick[j]);
    }
}

static void ar_cancel(unsigned i)
{
    struct ar_task *t = &ar.t[i];
    int rc = miou_cancel(ar.h[i]);
    t->live = 0;
    t->dropped++;
    if (rc != 0 && !(rc == MIOU_ECANCELED && miou_cancelled()))
        prop_fail(ar.ctx, "miou_cancel of task %u: %s", i, miou_errname(rc));
    if (t->started && !t->ended)
        prop_fail(ar.ctx, "task %u: miou_cancel returned before it ended", i);
}

/* A handle already released names no child: nothing happens. */
static void ar_stale(void)
{
    for (unsigned i = 0; i < ar.n; i++) {
        if (ar.t[i].live)
            continue;
        void *result = &ar;
        int rc = miou_await(ar.h[i], &result);
        int rc2 = miou_cancel(ar.h[i]);
        if (rc != MIOU_ENOTCHILD || rc2 != MIOU_ENOTCHILD || result != &ar)
            prop_fail(ar.ctx,
                      "a released handle (task %u): miou_await %s, "
                      "miou_cancel %s, result %s",
                      i, miou_errname(rc), miou_errname(rc2),
                      result == &ar ? "untouched" : "written");
        return;
    }
}

static void ar_step(void)
{
    unsigned pick[AR_SUBSET];
    enum ar_op op = (enum ar_op)miou_sim_below(AR_OPS);
    if (op == AR_SPAWN) {
        ar_spawn();
        return;
    }
    if (op == AR_STALE) {
        ar_stale();
        return;
    }
    size_t k = ar_pick(pick);
    if (k == 0)
        return;
    void *result = NULL;
    int rc;
    switch (op) {
    case AR_AWAIT:
        /* Two statements: the result is only there after the call. */
        rc = miou_await(ar.h[pick[0]], &result);
        ar_verify(pick[0], rc, result, miou_cancelled());
        break;
    case AR_AWAIT_ALL:
        ar_await_all(pick, k);
        break;
    case AR_AWAIT_FIRST:
    case AR_AWAIT_ONE:
        ar_await_winner(pick, k, op == AR_AWAIT_FIRST);
        break;
    default:
        ar_cancel(pick[0]);
        break;
    }
}

static int ar_any_live(void)
{
    for (unsigned i = 0; i < ar.n; i++)
        if (ar.t[i].live)
            return 1;
    return 0;
}

static void *ar_group(void *arg)
{
    (void)arg;
    ar.group_started = 1;
    for (unsigned k = (unsigned)prop_between(1, 8); k > 0; k--)
        ar_spawn();
    while (ar_any_live() && !prop_failed(ar.ctx))
        ar_step();
    ar.group_cancelled = miou_cancelled();
    return NULL;
}

static void *ar_main(void *arg)
{
    (void)arg;
    miou_task *g;
    ar.group_status = miou_async(&g, ar_group, NULL);
    if (ar.group_status != 0)
        return NULL;
    if (ar.end == AR_AWAIT_GROUP) {
        ar.group_status = miou_await(g, NULL);
        return NULL;
    }
    if (ar.end == AR_CANCEL_LATER)
        miou_sleep(ar.delay);
    ar.group_status = miou_cancel(g);
    return NULL;
}

/* Every task spawned was released exactly once, ran only to the end,
 * and did not run at all only when cancelled. */
static int ar_check_task(struct prop_ctx *ctx, unsigned i)
{
    const struct ar_task *t = &ar.t[i];
    if (t->collected + t->dropped != 1)
        return prop_fail(ctx, "task %u released %u times", i,
                         t->collected + t->dropped);
    if (t->started && !t->ended)
        return prop_fail(ctx, "task %u started and never ended", i);
    if (!t->started && !t->dropped && !ar.group_cancelled)
        return prop_fail(ctx, "task %u never ran, yet nobody cancelled it", i);
    return 0;
}

static int await_result(struct prop_ctx *ctx)
{
    memset(&ar, 0, sizeof ar);
    ar.ctx = ctx;
    ar.max = (unsigned)prop_between(3, AR_TASKS);
    /* A group cancelled before it ran checks little: keep it rare. */
    unsigned e = (unsigned)miou_sim_below(10);
    ar.end = e < 5 ? AR_AWAIT_GROUP : e < 9 ? AR_CANCEL_LATER : AR_CANCEL_NOW;
    ar.delay = miou_sim_below(6 * MS);
    int rc = miou_run(NULL, ar_main, NULL, NULL);
    if (prop_failed(ctx))
        return -1;
    if (rc != 0 || ar.group_status != 0)
        return prop_fail(ctx, "miou_run %s, the group's end %s",
                         miou_errname(rc), miou_errname(ar.group_status));
    if (!ar.group_started && ar.end != AR_CANCEL_NOW)
        return prop_fail(ctx, "the group never ran");
    for (unsigned i = 0; i < ar.n; i++)
        if (ar_check_task(ctx, i))
            return -1;
    return 0;
}

/* ====================================================================== */
/* tasks_once                                                              */
/* ====================================================================== */

#define TO_NODES 60
#define TO_KIDS 4

enum to_finish {
    TO_AWAIT,
    TO_AWAIT_ALL,
    TO_CANCEL,
    TO_FIRST,
    TO_ONE,
    TO_ORPHANS,
    TO_FINISHES
};

struct to_node {
    int parent;
    int spawned, refused; /* miou_async gave a task, or MIOU_ECANCELED */
    unsigned starts, ends;
    int doomed;    /* cancelled before it started: must never start */
    int cancelled; /* in a subtree that was cancelled */
    unsigned nkids;
    int kid[TO_KIDS];
    miou_task *h[TO_KIDS];
    int released[TO_KIDS];
    int orphan; /* its children go to an orphan set */
    miou_orphans orphans;
};

static struct {
    struct prop_ctx *ctx;
    unsigned n, max;
    struct to_node node[TO_NODES];
} to;

static void *to_task(void *arg);

/* Mark (i)'s subtree as cancelled, now: the tasks that have not started
 * will never start. */
static void to_mark(int i, int now)
{
    struct to_node *n = &to.node[i];
    n->cancelled = 1;
    if (now && n->starts == 0)
        n->doomed = 1;
    for (unsigned k = 0; k < n->nkids; k++)
        to_mark(n->kid[k], now);
}

/* Let time pass, or not, before the next spawn. */
static void to_pause(void)
{
    switch (miou_sim_below(3)) {
    case 0:
        break;
    case 1:
        miou_yield();
        break;
    default:
        miou_sleep(miou_sim_below(3 * MS));
        break;
    }
}

static void to_cancel(struct to_node *n, unsigned k)
{
    to_mark(n->kid[k], 1);
    int rc = miou_cancel(n->h[k]);
    n->released[k] = 1;
    if (rc != 0 && !(rc == MIOU_ECANCELED && miou_cancelled()))
        prop_fail(to.ctx, "miou_cancel: %s", miou_errname(rc));
}

static void to_spawn(struct to_node *n, int self)
{
    if (to.n >= to.max || n->nkids >= TO_KIDS)
        return;
    int id = (int)to.n++;
    struct to_node *c = &to.node[id];
    c->parent = self;
    miou_task *h;
    int rc = n->orphan ? miou_async_orphan(&n->orphans, &h, NULL, to_task, c)
                       : miou_async(&h, to_task, c);
    if (rc == MIOU_ECANCELED && miou_cancelled()) {
        c->refused = 1;
        return;
    }
    if (rc != 0) {
        prop_fail(to.ctx, "miou_async: %s", miou_errname(rc));
        return;
    }
    c->spawned = 1;
    unsigned k = n->nkids++;
    n->kid[k] = id;
    n->h[k] = h;
    /* Cancelled before it could run: it must never run. */
    if (prop_chance(15))
        to_cancel(n, k);
}

/* The children of (n) not yet released, as handles and positions. */
static size_t to_live(const struct to_node *n, miou_task **hs, unsigned *pos)
{
    size_t m = 0;
    for (unsigned k = 0; k < n->nkids; k++)
        if (!n->released[k]) {
            hs[m] = n->h[k];
            pos[m++] = k;
        }
    return m;
}

static void to_collect_orphan(struct to_node *n)
{
    miou_task *t = NULL;
    if (miou_orphans_wait(&n->orphans, &t) != 0)
        return; /* cancelled: the other ways finish the job */
    for (unsigned k = 0; k < n->nkids; k++)
        if (!n->released[k] && n->h[k] == t) {
            miou_await(t, NULL);
            n->released[k] = 1;
            return;
        }
    prop_fail(to.ctx, "miou_orphans_wait gave a task that is not a child");
}

static void to_finish_step(struct to_node *n)
{
    miou_task *hs[TO_KIDS];
    unsigned pos[TO_KIDS];
    size_t m = to_live(n, hs, pos), idx = m;
    enum to_finish f = (enum to_finish)miou_sim_below(TO_FINISHES);
    switch (f) {
    case TO_AWAIT:
        miou_await(hs[0], NULL);
        n->released[pos[0]] = 1;
        break;
    case TO_AWAIT_ALL:
        miou_await_all(hs, m, NULL, NULL);
        for (size_t j = 0; j < m; j++)
            n->released[pos[j]] = 1;
        break;
    case TO_CANCEL:
        to_pause();
        to_cancel(n, pos[0]);
        break;
    case TO_FIRST:
        miou_await_first(hs, m, &idx, NULL);
        for (size_t j = 0; j < m; j++) {
            if (j != idx)
                to_mark(n->kid[pos[j]], 0);
            n->released[pos[j]] = 1;
        }
        break;
    case TO_ONE:
        miou_await_one(hs, m, &idx, NULL);
        if (idx < m)
            n->released[pos[idx]] = 1;
        break;
    default:
        if (n->orphan)
            to_collect_orphan(n);
        break;
    }
}

static int to_has_live(const struct to_node *n)
{
    for (unsigned k = 0; k < n->nkids; k++)
        if (!n->released[k])
            return 1;
    return 0;
}

static void *to_task(void *arg)
{
    struct to_node *n = arg;
    int self = (int)(n - to.node);
    if (++n->starts > 1 || n->doomed)
        prop_fail(to.ctx,
                  "task %d started %u times (cancelled before it "
                  "started: %d)",
                  self, n->starts, n->doomed);
    n->orphan = prop_chance(25);
    miou_orphans_init(&n->orphans);
    for (unsigned k = (unsigned)miou_sim_below(TO_KIDS + 1); k > 0; k--) {
        to_pause();
        to_spawn(n, self);
    }
    while (to_has_live(n) && !prop_failed(to.ctx))
        to_finish_step(n);
    n->ends++;
    return n;
}

static int to_check_node(struct prop_ctx *ctx, unsigned i)
{
    const struct to_node *n = &to.node[i];
    if (n->refused && n->starts)
        return prop_fail(ctx, "task %u ran although miou_async refused it", i);
    if (n->refused)
        return 0;
    if (n->starts > 1 || n->ends != n->starts)
        return prop_fail(ctx, "task %u started %u times, ended %u times", i,
                         n->starts, n->ends);
    if (n->doomed && n->starts)
        return prop_fail(ctx,
                         "task %u ran after it was cancelled before "
                         "it started",
                         i);
    if (!n->starts && !n->cancelled)
        return prop_fail(ctx, "task %u was lost: never ran, never cancelled",
                         i);
    return 0;
}

static int tasks_once(struct prop_ctx *ctx)
{
    memset(&to, 0, sizeof to);
    to.ctx = ctx;
    to.max = (unsigned)prop_between(5, TO_NODES);
    to.n = 1;
    to.node[0].parent = -1;
    to.node[0].spawned = 1;
    void *result = NULL;
    int rc = miou_run(NULL, to_task, &to.node[0], &result);
    if (prop_failed(ctx))
        return -1;
    if (rc != 0 || result != &to.node[0])
        return prop_fail(ctx, "miou_run: %s, result %p", miou_errname(rc),
                         result);
    struct miou_stats st;
    miou_stats(&st);
    if (st.tasks || st.sleepers)
        return prop_fail(ctx, "after the run: %zu tasks, %zu sleepers",
                         st.tasks, st.sleepers);
    for (unsigned i = 0; i < to.n; i++)
        if (to_check_node(ctx, i))
            return -1;
    return 0;
}

const struct prop prop_table[] = {
    {"sleep_order", "sleepers wake in deadline order, never early",
     sleep_order},
    {"cancel_reach",
     "cancellation reaches every descendant and suspension point",
     cancel_reach},
    {"await_result", "awaits give only results of ended tasks, once",
     await_result},
    {"tasks_once", "every task runs exactly once unless cancelled first",
     tasks_once},
};
const size_t prop_count = sizeof prop_table / sizeof prop_table[0];
