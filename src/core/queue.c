/*
 * queue.c - FIFO of tasks linked through the tasks: the run queue and every
 * wait queue (mutex, condition, orphans' ended children). A task is in at
 * most one queue at a time and knows which, so leaving is O(1).
 */
#include "internal.h"

void miou__queue_push(struct miou__queue *q, struct miou_task *t)
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

struct miou_task *miou__queue_pop(struct miou__queue *q)
{
    struct miou_task *t = q->head;
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

void miou__queue_remove(struct miou_task *t)
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
