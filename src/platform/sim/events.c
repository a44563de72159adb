/*
 * events.c - the timed events of the simulation in a binary min-heap:
 * frames in transit towards the device or the peer, and the peers'
 * wakeups. Events due at the same time run in the order they were
 * scheduled (a sequence number breaks ties), which the seed alone fixes.
 */
#include <stdlib.h>

#include "sim.h"

struct timed {
    uint64_t at, seq;
    enum sim_timed what;
    struct sim_link *link;
    struct sim_frame *frame; /* NULL for a wakeup */
    uint64_t gen;            /* a wakeup's generation */
};

static struct timed *heap;
static size_t count, cap;
static uint64_t next_seq;

static int before(const struct timed *a, const struct timed *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void swap(size_t i, size_t j)
{
    struct timed t = heap[i];
    heap[i] = heap[j];
    heap[j] = t;
}

static void sift_up(size_t i)
{
    while (i > 0 && before(&heap[i], &heap[(i - 1) / 2])) {
        swap(i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void sift_down(size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < count && before(&heap[l], &heap[m]))
            m = l;
        if (r < count && before(&heap[r], &heap[m]))
            m = r;
        if (m == i)
            return;
        swap(i, m);
        i = m;
    }
}

int sim_events_add(uint64_t at, enum sim_timed what, struct sim_link *link,
                   struct sim_frame *frame)
{
    if (count == cap) {
        size_t ncap = cap ? cap * 2 : 64;
        struct timed *n = realloc(heap, ncap * sizeof(*n));
        if (!n)
            return -1;
        heap = n;
        cap = ncap;
    }
    heap[count] =
        (struct timed){at, next_seq++, what, link, frame, link->wakeup_gen};
    sift_up(count++);
    return 0;
}

uint64_t sim_events_next(void)
{
    return count ? heap[0].at : UINT64_MAX;
}

void sim_events_run_due(void)
{
    while (count && heap[0].at <= sim_now) {
        struct timed t = heap[0];
        heap[0] = heap[--count];
        sift_down(0);
        switch (t.what) {
        case TIMED_TO_DEVICE:
            sim_link_to_device(t.link, t.frame);
            break;
        case TIMED_TO_PEER:
            sim_link_to_peer(t.link, t.frame);
            break;
        case TIMED_WAKEUP:
            /* A later miou_sim_link_wakeup() replaced this one. */
            if (t.gen == t.link->wakeup_gen)
                sim_link_wakeup_due(t.link);
            break;
        }
    }
}

void sim_events_flush_to_peers(void)
{
    while (count) {
        struct timed t = heap[0];
        heap[0] = heap[--count];
        sift_down(0);
        if (t.what == TIMED_TO_PEER) {
            sim_clock_advance_to(t.at);
            sim_link_to_peer(t.link, t.frame);
        } else {
            free(t.frame);
        }
    }
}

void sim_events_clear(void)
{
    for (size_t i = 0; i < count; i++)
        free(heap[i].frame);
    count = 0;
    next_seq = 0;
}
