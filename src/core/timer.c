/*
 * timer.c - the sleepers. Each armed timer is a node (deadline, task slot,
 * arming number) kept in one of three places:
 * - the wheel: a bucket per slot of 2^20 ns (about a millisecond) for the
 *   slots base + 1 .. base + 1,023, about the next second. Arming appends
 *   to a bucket, in O(1);
 * - the near heap, a 4-ary min-heap of the nodes of slot <= base. When the
 *   clock passes a slot, or the near heap runs dry, the buckets up to it
 *   are emptied into it and base moves on;
 * - the far heap, the same kind of heap, for the nodes armed beyond the
 *   wheel. As base moves on, those that the wheel comes to cover move
 *   into it.
 * A node expires from the near or the far heap, whichever top comes first:
 * every node due by the clock is in one of them. Sleepers wake in the order
 * of deadline, then of arming, exactly as from one heap (a run of the sim
 * platform depends on that order).
 *
 * Disarming (on cancellation or a signal) is O(1): the node stays, stale,
 * and is dropped when it reaches a top, or when stale nodes outnumber live
 * ones and every place is rebuilt without them (O(n), once per n disarms).
 * No path walks all sleepers.
 *
 * Why this shape, measured with a million sleepers (BENCHMARKS.md):
 * - one heap of a million nodes (16 MiB) missed the cache at each of its
 *   lower levels on every expiry, about 600 ns a sleeper. The near heap
 *   holds the sleepers of a slot or so, a few thousand nodes at a million
 *   sleepers a second, which stay in cache; the wheel's buckets are
 *   written at their end and read in order;
 * - nodes never point back into their tasks. A heap whose tasks record
 *   their position must write that position into the task of every node
 *   it moves, and each is a cache miss: three quarters of the time of an
 *   expiry went to those writes. Here a sift touches the heap alone;
 * - the node names its task by slot number (the task table's, as handles
 *   do) and its arming number, which tells a live node from a stale one,
 *   in 16 bytes: four nodes to a cache line;
 * - four children a node: half the levels of a binary heap, and the four
 *   children of a node share one line (the array starts 3 nodes past a
 *   line boundary, so that 4i + 1 begins one).
 *
 * Memory: the near heap keeps room for every node there is, 16 bytes a
 * sleeper, so that emptying buckets into it never allocates: a poll cannot
 * fail for want of memory. A node that finds no room in a bucket goes to
 * the far heap, and one that finds none to leave the far heap stays there;
 * either place is correct.
 */

#include <string.h>

#include "internal.h"

#define ARITY 4
#define LINE 64
/* Nodes before index 0 in the allocation: 4i + 1 lands on a line. */
#define SKEW (LINE / sizeof(struct miou__heap_node) - 1)
#define SLOT_SHIFT 20
#define SLOTS MIOU__WHEEL_SLOTS

_Static_assert(sizeof(struct miou__heap_node) * ARITY == LINE,
               "four heap nodes fill one cache line");
_Static_assert(SLOTS % 64 == 0, "the wheel's bitmap has whole words");

static uint64_t slot_of(uint64_t deadline)
{
    return deadline >> SLOT_SHIFT;
}

/* Arming numbers are compared by their difference: two live nodes are
 * never 2^31 armings apart while their deadlines are equal. */
static int before(const struct miou__heap_node *a,
                  const struct miou__heap_node *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return (int32_t)(a->seq - b->seq) < 0;
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

/* ------------------------------------------------------------------ */
/* The heaps                                                           */
/* ------------------------------------------------------------------ */

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

/* Room for (cap) nodes at least; MIOU_ENOMEM leaves (h) as it was. The
 * allocator aligns to 16 bytes only: the line is found by hand. */
static int heap_reserve(struct miou__heap *h, size_t cap)
{
    if (cap <= h->cap)
        return 0;
    size_t room = h->cap ? h->cap : 64;
    while (room < cap)
        room *= 2;
    size_t bytes = (room + SKEW) * sizeof(struct miou__heap_node) + LINE;
    char *raw = miou__mem_alloc(bytes);
    if (!raw)
        return MIOU_ENOMEM;
    uintptr_t line = ((uintptr_t)raw + LINE - 1) & ~(uintptr_t)(LINE - 1);
    struct miou__heap_node *node = (struct miou__heap_node *)line + SKEW;
    if (h->n)
        memcpy(node, h->node, h->n * sizeof(*node));
    miou__mem_free(h->raw);
    h->node = node;
    h->raw = raw;
    h->cap = room;
    return 0;
}

static int heap_push(struct miou__heap *h, struct miou__heap_node node)
{
    if (h->n == h->cap && heap_reserve(h, h->n + 1) != 0)
        return MIOU_ENOMEM;
    h->node[h->n] = node;
    sift_up(h->node, h->n++);
    return 0;
}

static void heap_pop(struct miou__heap *h)
{
    h->node[0] = h->node[--h->n];
    if (h->n)
        sift_down(h->node, h->n, 0);
}

/* Drop stale nodes from the top, so that it is live or (h) empty. */
static void heap_clean(struct miou__sched *s, struct miou__heap *h)
{
    while (h->n && !live_task(s, &h->node[0])) {
        heap_pop(h);
        s->nstale--;
    }
}

/* Rebuild (h) from its live nodes alone (Floyd's construction). */
static void heap_compact(const struct miou__sched *s, struct miou__heap *h)
{
    size_t n = 0;
    for (size_t i = 0; i < h->n; i++)
        if (live_task(s, &h->node[i]))
            h->node[n++] = h->node[i];
    h->n = n;
    for (size_t i = n / ARITY + 1; i-- > 0;)
        if (i < n)
            sift_down(h->node, n, i);
}

/* The heap whose top comes first, with stale tops dropped; NULL when both
 * are empty. */
static struct miou__heap *first_heap(struct miou__sched *s)
{
    struct miou__heap *near = &s->timers.near, *far = &s->timers.far;
    heap_clean(s, near);
    heap_clean(s, far);
    if (!near->n)
        return far->n ? far : NULL;
    if (!far->n)
        return near;
    return before(&far->node[0], &near->node[0]) ? far : near;
}

/* ------------------------------------------------------------------ */
/* The wheel                                                           */
/* ------------------------------------------------------------------ */

static void set_occupied(struct miou__timers *tm, size_t i, int on)
{
    uint64_t bit = 1ull << (i % 64);
    if (on)
        tm->occupied[i / 64] |= bit;
    else
        tm->occupied[i / 64] &= ~bit;
}

static int bucket_push(struct miou__timers *tm, uint64_t slot,
                       struct miou__heap_node node)
{
    size_t i = slot % SLOTS;
    struct miou__bucket *b = &tm->wheel[i];
    if (b->n == b->cap) {
        if (b->cap > UINT32_MAX / 2)
            return MIOU_ENOMEM;
        uint32_t cap = b->cap ? b->cap * 2 : 16;
        struct miou__heap_node *node_room =
            miou__mem_alloc(cap * sizeof(*node_room));
        if (!node_room)
            return MIOU_ENOMEM;
        if (b->n)
            memcpy(node_room, b->node, b->n * sizeof(*node_room));
        miou__mem_free(b->node);
        b->node = node_room;
        b->cap = cap;
    }
    b->node[b->n++] = node;
    set_occupied(tm, i, 1);
    return 0;
}

/* The first slot of (from, to] whose bucket holds nodes, 0 when none (a
 * slot of the wheel is above base, never 0); to - from < SLOTS. */
static uint64_t next_occupied(const struct miou__timers *tm, uint64_t from,
                              uint64_t to)
{
    uint64_t slot = from + 1;
    while (slot <= to) {
        size_t i = slot % SLOTS;
        uint64_t word = tm->occupied[i / 64] >> (i % 64);
        if (word) {
            slot += (uint64_t)__builtin_ctzll(word);
            return slot <= to ? slot : 0;
        }
        slot += 64 - i % 64;
    }
    return 0;
}

/* Empty bucket (i) into the near heap, which has room for every node. */
static void drain(struct miou__timers *tm, size_t i)
{
    struct miou__bucket *b = &tm->wheel[i];
    struct miou__heap *near = &tm->near;
    for (uint32_t k = 0; k < b->n; k++) {
        near->node[near->n] = b->node[k];
        sift_up(near->node, near->n++);
    }
    b->n = 0;
    set_occupied(tm, i, 0);
}

/* The far heap's nodes that the wheel now covers move into it, or into
 * the near heap; one that finds no room stays where it is. */
static void migrate(struct miou__sched *s)
{
    struct miou__timers *tm = &s->timers;
    for (;;) {
        heap_clean(s, &tm->far);
        if (!tm->far.n)
            return;
        struct miou__heap_node node = tm->far.node[0];
        uint64_t slot = slot_of(node.deadline);
        if (slot <= tm->base) {
            heap_pop(&tm->far);
            tm->near.node[tm->near.n] = node;
            sift_up(tm->near.node, tm->near.n++);
        } else if (slot - tm->base < SLOTS &&
                   bucket_push(tm, slot, node) == 0) {
            heap_pop(&tm->far);
        } else {
            return;
        }
    }
}

/* Move base on to (to), later than it: the buckets it passes go into the
 * near heap, the far heap's nodes that the wheel comes to cover into the
 * wheel. */
static void advance(struct miou__sched *s, uint64_t to)
{
    struct miou__timers *tm = &s->timers;
    uint64_t last = to - tm->base < SLOTS ? to : tm->base + SLOTS - 1;
    for (uint64_t slot = tm->base; (slot = next_occupied(tm, slot, last)) != 0;)
        drain(tm, slot % SLOTS);
    tm->base = to;
    migrate(s);
}

/* ------------------------------------------------------------------ */
/* Arming, disarming, expiring                                          */
/* ------------------------------------------------------------------ */

/* Rebuild every place from its live nodes alone. */
static void compact(struct miou__sched *s)
{
    struct miou__timers *tm = &s->timers;
    heap_compact(s, &tm->near);
    heap_compact(s, &tm->far);
    for (size_t i = 0; i < SLOTS; i++) {
        struct miou__bucket *b = &tm->wheel[i];
        uint32_t n = 0;
        for (uint32_t k = 0; k < b->n; k++)
            if (live_task(s, &b->node[k]))
                b->node[n++] = b->node[k];
        b->n = n;
        set_occupied(tm, i, n != 0);
    }
    s->nstale = 0;
}

int miou__timer_arm(struct miou__sched *s, struct miou__task *t,
                    uint64_t deadline)
{
    struct miou__timers *tm = &s->timers;
    size_t nodes = s->nsleepers + s->nstale;
    if (heap_reserve(&tm->near, nodes + 1) != 0)
        return MIOU_ENOMEM;
    /* With no node anywhere, the wheel may start anew from the clock's
     * last reading (taken to compute the deadline). */
    if (nodes == 0)
        tm->base = slot_of(s->now);
    struct miou__heap_node node = {
        .deadline = deadline,
        .slot = t->slot,
        .seq = (uint32_t)s->timer_seq,
    };
    uint64_t slot = slot_of(deadline);
    if (slot <= tm->base) {
        heap_push(&tm->near, node); /* cannot fail: room reserved */
    } else if (slot - tm->base >= SLOTS || bucket_push(tm, slot, node) != 0) {
        if (heap_push(&tm->far, node) != 0)
            return MIOU_ENOMEM;
    }
    t->timer.seq = s->timer_seq++;
    t->timer_armed = 1;
    s->nsleepers++;
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
    /* Every node due by (now) is then in the near or the far heap. */
    if (slot_of(now) > s->timers.base)
        advance(s, slot_of(now));
    for (;;) {
        struct miou__heap *h = first_heap(s);
        if (!h || h->node[0].deadline > now || s->due_budget == 0)
            return;
        s->due_budget--;
        struct miou__task *t = live_task(s, &h->node[0]);
        heap_pop(h);
        t->timer_armed = 0;
        s->nsleepers--;
        /* A condition waiter whose deadline passes times out; a sleeper
         * simply wakes. */
        miou__wake_due(t, t->wait == WAIT_COND ? MIOU_ETIMEDOUT : 0);
    }
}

uint64_t miou__timer_next(struct miou__sched *s)
{
    struct miou__timers *tm = &s->timers;
    /* The near heap's nodes come before the wheel's: when it is empty,
     * the wheel's first bucket is the place to look. */
    heap_clean(s, &tm->near);
    while (!tm->near.n) {
        uint64_t slot = next_occupied(tm, tm->base, tm->base + SLOTS - 1);
        if (!slot)
            break;
        advance(s, slot);
        heap_clean(s, &tm->near);
    }
    struct miou__heap *h = first_heap(s);
    return h ? h->node[0].deadline : UINT64_MAX;
}

static const struct miou__heap_node *find(const struct miou__sched *s,
                                          const struct miou__heap_node *node,
                                          size_t n, const struct miou__task *t)
{
    for (size_t i = 0; i < n; i++)
        if (live_task(s, &node[i]) == t)
            return &node[i];
    return NULL;
}

uint64_t miou__timer_deadline(const struct miou__sched *s,
                              const struct miou__task *t)
{
    if (!t->timer_armed)
        return UINT64_MAX;
    const struct miou__timers *tm = &s->timers;
    const struct miou__heap_node *node = find(s, tm->near.node, tm->near.n, t);
    if (!node)
        node = find(s, tm->far.node, tm->far.n, t);
    for (size_t i = 0; !node && i < SLOTS; i++)
        node = find(s, tm->wheel[i].node, tm->wheel[i].n, t);
    return node ? node->deadline : UINT64_MAX;
}

void miou__timer_free_all(struct miou__sched *s)
{
    struct miou__timers *tm = &s->timers;
    miou__mem_free(tm->near.raw);
    miou__mem_free(tm->far.raw);
    for (size_t i = 0; i < SLOTS; i++)
        miou__mem_free(tm->wheel[i].node);
    memset(tm, 0, sizeof(*tm));
    s->nsleepers = s->nstale = 0;
}

static size_t heap_bytes(const struct miou__heap *h)
{
    return h->raw ? (h->cap + SKEW) * sizeof(struct miou__heap_node) + LINE : 0;
}

size_t miou__timer_bytes(const struct miou__sched *s)
{
    const struct miou__timers *tm = &s->timers;
    size_t bytes = heap_bytes(&tm->near) + heap_bytes(&tm->far);
    for (size_t i = 0; i < SLOTS; i++)
        bytes += tm->wheel[i].cap * sizeof(struct miou__heap_node);
    return bytes;
}
