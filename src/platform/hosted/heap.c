/*
 * heap.c - the core's memory on the hosted platform (platform/memory.h):
 * a miou_heap over the --mem region that the tender maps, so that the
 * library's allocations fail at the same point as under a Solo5 tender.
 *
 * The process's threads may each run a scheduler (miou_run() is per
 * thread on hosted), and they share the one region as a unikernel's
 * tasks share theirs, so every call holds a lock. It is a spin lock of
 * one word, taken inline: the heap's calls are short and the threads
 * rarely meet there, and a pthread mutex (a call through the PLT into
 * code that touches more cache lines) cost a task 35-80 ns more when
 * 100,000 of them were alive (docs/benchmarks-history.md, section 3). A
 * waiter yields its CPU between tries. The host's malloc() stays the
 * host's: glibc, the sanitizers and valgrind rely on it.
 */
#include <sched.h>
#include <string.h>

#include <miou_heap.h>

#include "hosted.h"
#include "platform/memory.h"

static int heap_busy; /* the lock: 1 while a thread is in the heap */
static miou_heap *heap;

static inline void heap_lock(void)
{
    while (__atomic_exchange_n(&heap_busy, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&heap_busy, __ATOMIC_RELAXED))
            sched_yield();
}

static inline void heap_unlock(void)
{
    __atomic_store_n(&heap_busy, 0, __ATOMIC_RELEASE);
}

int hosted_heap_open(void *mem, size_t size)
{
    miou_heap *h = miou_heap_init(mem, size);

    if (h == NULL)
        return -1;
    heap_lock();
    heap = h;
    heap_unlock();
    return 0;
}

void hosted_heap_close(void)
{
    heap_lock();
    heap = NULL;
    heap_unlock();
}

int miou_heap_platform_stats(struct miou_heap_stats *st)
{
    int rc = -1;

    heap_lock();
    if (heap != NULL) {
        miou_heap_stats(heap, st);
        rc = 0;
    }
    heap_unlock();
    if (rc != 0)
        memset(st, 0, sizeof *st);
    return rc;
}

void *miou__mem_alloc(size_t size)
{
    void *p = NULL;

    heap_lock();
    if (heap != NULL)
        p = miou_heap_alloc(heap, size);
    heap_unlock();
    return p;
}

void *miou__mem_realloc(void *p, size_t size)
{
    void *q = NULL;

    heap_lock();
    if (heap != NULL)
        q = miou_heap_realloc(heap, p, size);
    heap_unlock();
    return q;
}

void miou__mem_free(void *p)
{
    if (p == NULL)
        return;
    heap_lock();
    miou_heap_free(heap, p);
    heap_unlock();
}
