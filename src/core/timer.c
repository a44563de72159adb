/*
 * timer.c - the sleepers: a 4-ary min-heap of (deadline, task, arming
 * number) ordered by deadline, then by arming order. Arming and expiring
 * are O(log n); disarming (on cancellation or a signal) is O(1): the node
 * stays in the heap, stale, and is dropped when it reaches the top, or
 * when stale nodes outnumber live ones and the heap is rebuilt without
 * them (O(n), once per n disarms). No path walks all sleepers.
 *
 * Why this shape, measured with a million sleepers (BENCHMARKS.md):
 * - nodes never point back into their tasks. A heap whose tasks record
 *   their position must write that position into the task of every node
 *   it moves, and each is a cache miss: three quarters of the time of an
 *   expiry went to those writes. Here a sift touches the heap alone;
 * - the node names its task by slot number (the task table's, as handles
 *   do) and its arming number, which tells a live node from a stale one,
 *   in 16 bytes: four nodes to a cache line;
 * - four children a node: half the levels of a binary heap, so half the
 *   cache misses below the cached top levels, and the four children of a
 *   node share one line (the array starts 3 nodes past a line boundary, so
 *   that 4i + 1 begins one).
 */

#include <string.h>

#include "internal.h"

#define ARITY 4
#define LINE 64
/* Nodes before index 0 in the allocation: 4i + 1 lands on a line. */
#define SKEW (LINE / sizeof(struct miou__heap_node) - 1)

_Static_assert(sizeof(struct miou__heap_node) * ARITY == LINE,
               "four heap nodes fill one cache line");

/* Arming numbers are compared by their difference: two live nodes are
 * never 2^31 armings apart while their deadlines are equal. */
static int before(const struct miou__heap_node *a,
                  const struct miou__heap_node *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return (int32_t)(a->seq - b->seq) < 0;
}

static void sift_up(struct miou__heap_node *heap, size_t i)
{
    struct miou__heap_node node = heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / ARITY;
        if (!before(&node, &heap[parent]))
            break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = node;
}

static void sift_down(struct miou__heap_node *heap, size_t n, size_t i)
{
    struct miou__heap_node node = heap[i];
    for (;;) {
        size_t first = ARITY * i + 1;
        if (first >= n)
            break;
        size_t last = first + ARITY < n ? first + ARITY : n;
        size_t c = first;
        for (size_t k = first + 1; k < last; k++)
            if (before(&heap[k], &heap[c]))
                c = k;
        if (!before(&heap[c], &node))
            break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = node;
}

/* The task a node names, when the node is live: that task is armed, with
 * the node's arming number. */
static struct miou__task *live_task(const struct miou__sched *s,
                                    const struct miou__heap_node *node)
{
    struct miou__task *t =
        &s->slabs[node->slot / TASK_SLAB]->tasks[node->slot % TASK_SLAB];
    return t->timer_armed && (uint32_t)t->timer.seq == node->seq ? t : NULL;
}

/* Remove the top node. */
static void pop(struct miou__sched *s)
{
    s->heap[0] = s->heap[--s->nheap];
    if (s->nheap)
        sift_down(s->heap, s->nheap, 0);
}

/* Drop stale nodes from the top, so that it is live or the heap empty. */
static void clean_top(struct miou__sched *s)
{
    while (s->nheap && !live_task(s, &s->heap[0])) {
        pop(s);
        s->nstale--;
    }
}

/* Rebuild the heap from its live nodes alone (Floyd's construction). */
static void compact(struct miou__sched *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nheap; i++)
        if (live_task(s, &s->heap[i]))
            s->heap[n++] = s->heap[i];
    s->nheap = n;
    s->nstale = 0;
    for (size_t i = n / ARITY + 1; i-- > 0;)
        if (i < n)
            sift_down(s->heap, n, i);
}

/* Room for (cap) nodes, (*raw) the allocation to free; NULL when out of
 * memory. The allocator aligns to 16 bytes only: the line is found by
 * hand. */
static struct miou__heap_node *heap_alloc(size_t cap, void **raw)
{
    size_t bytes = (cap + SKEW) * sizeof(struct miou__heap_node) + LINE;
    char *p = miou__mem_alloc(bytes);
    if (!p)
        return NULL;
    *raw = p;
    uintptr_t line = ((uintptr_t)p + LINE - 1) & ~(uintptr_t)(LINE - 1);
    return (struct miou__heap_node *)line + SKEW;
}

int miou__timer_arm(struct miou__sched *s, struct miou__task *t,
                    uint64_t deadline)
{
    if (s->nheap == s->heap_cap) {
        /* Stale nodes go first: they may make room enough (half). */
        if (s->nstale)
            compact(s);
        if (s->heap_cap == 0 || s->nheap * 2 > s->heap_cap) {
            size_t cap = s->heap_cap ? s->heap_cap * 2 : 64;
            void *raw;
            struct miou__heap_node *h = heap_alloc(cap, &raw);
            if (!h)
                return MIOU_ENOMEM;
            if (s->nheap)
                memcpy(h, s->heap, s->nheap * sizeof(*h));
            miou__mem_free(s->heap_raw);
            s->heap = h;
            s->heap_raw = raw;
            s->heap_cap = cap;
        }
    }
    t->timer.seq = s->timer_seq++;
    t->timer_armed = 1;
    s->nsleepers++;
    struct miou__heap_node *node = &s->heap[s->nheap];
    node->deadline = deadline;
    node->slot = t->slot;
    node->seq = (uint32_t)t->timer.seq;
    sift_up(s->heap, s->nheap++);
    return 0;
}

void miou__timer_disarm(struct miou__sched *s, struct miou__task *t)
{
    if (!t->timer_armed)
        return;
    t->timer_armed = 0;
    s->nsleepers--;
    s->nstale++;
    /* Stale nodes cost memory and the sifts' time: once they outnumber
     * the live ones, a rebuild (O(n)) drops them all. */
    if (s->nstale > s->nsleepers && s->nstale > 64)
        compact(s);
}

void miou__timer_expire(struct miou__sched *s, uint64_t now)
{
    for (;;) {
        clean_top(s);
        if (!s->nheap || s->heap[0].deadline > now || s->due_budget == 0)
            return;
        s->due_budget--;
        struct miou__task *t = live_task(s, &s->heap[0]);
        pop(s);
        t->timer_armed = 0;
        s->nsleepers--;
        /* A condition waiter whose deadline passes times out; a sleeper
         * simply wakes. */
        miou__wake_due(t, t->wait == WAIT_COND ? MIOU_ETIMEDOUT : 0);
    }
}

uint64_t miou__timer_next(struct miou__sched *s)
{
    clean_top(s);
    return s->nheap ? s->heap[0].deadline : UINT64_MAX;
}

uint64_t miou__timer_deadline(const struct miou__sched *s,
                              const struct miou__task *t)
{
    if (!t->timer_armed)
        return UINT64_MAX;
    for (size_t i = 0; i < s->nheap; i++)
        if (live_task(s, &s->heap[i]) == t)
            return s->heap[i].deadline;
    return UINT64_MAX;
}

void miou__timer_free_all(struct miou__sched *s)
{
    miou__mem_free(s->heap_raw);
    s->heap = NULL;
    s->heap_raw = NULL;
    s->nheap = s->heap_cap = s->nstale = s->nsleepers = 0;
}
