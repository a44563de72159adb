/*
 * timer.c - the sleepers: a binary min-heap of (deadline, task) ordered by
 * deadline, then by arming order, each task knowing its position. Arming,
 * disarming (on cancellation or a signal) and expiring one sleeper are
 * O(log n); no path walks all sleepers.
 */

#include "internal.h"

static int before(const struct miou__heap_node *a,
                  const struct miou__heap_node *b)
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    /* Equal deadlines are rare: only then are the tasks read. */
    return a->task->timer.seq < b->task->timer.seq;
}

static void place(struct miou__heap_node *heap, size_t i,
                  struct miou__heap_node node)
{
    heap[i] = node;
    node.task->timer.index = i;
}

static void sift_up(struct miou__heap_node *heap, size_t i)
{
    struct miou__heap_node node = heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&node, &heap[parent]))
            break;
        place(heap, i, heap[parent]);
        i = parent;
    }
    place(heap, i, node);
}

static void sift_down(struct miou__heap_node *heap, size_t n, size_t i)
{
    struct miou__heap_node node = heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && before(&heap[c + 1], &heap[c]))
            c++;
        if (!before(&heap[c], &node))
            break;
        place(heap, i, heap[c]);
        i = c;
    }
    place(heap, i, node);
}

int miou__timer_arm(struct miou__sched *s, struct miou__task *t,
                    uint64_t deadline)
{
    if (s->nheap == s->heap_cap) {
        size_t cap = s->heap_cap ? s->heap_cap * 2 : 64;
        struct miou__heap_node *h =
            miou__mem_realloc(s->heap, cap * sizeof(*h));
        if (!h)
            return MIOU_ENOMEM;
        s->heap = h;
        s->heap_cap = cap;
    }
    t->timer.seq = s->timer_seq++;
    s->heap[s->nheap].deadline = deadline;
    s->heap[s->nheap].task = t;
    sift_up(s->heap, s->nheap++);
    return 0;
}

void miou__timer_disarm(struct miou__sched *s, struct miou__task *t)
{
    size_t i = t->timer.index;
    if (i == TIMER_DISARMED)
        return;
    t->timer.index = TIMER_DISARMED;
    struct miou__heap_node last = s->heap[--s->nheap];
    if (last.task == t)
        return;
    place(s->heap, i, last);
    if (i > 0 && before(&last, &s->heap[(i - 1) / 2]))
        sift_up(s->heap, i);
    else
        sift_down(s->heap, s->nheap, i);
}

void miou__timer_expire(struct miou__sched *s, uint64_t now)
{
    while (s->nheap > 0 && s->heap[0].deadline <= now) {
        struct miou__task *t = s->heap[0].task;
        /* A condition waiter whose deadline passes times out; a sleeper
         * simply wakes. miou__wake() disarms the timer. */
        miou__wake(t, t->wait == WAIT_COND ? MIOU_ETIMEDOUT : 0);
    }
}

uint64_t miou__timer_next(const struct miou__sched *s)
{
    return s->nheap ? s->heap[0].deadline : UINT64_MAX;
}
