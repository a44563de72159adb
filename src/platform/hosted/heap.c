/*
 * heap.c - the core's memory on the hosted platform (platform/memory.h):
 * a miou_heap over the --mem region that the tender maps, so that the
 * library's allocations fail at the same point as under a Solo5 tender.
 *
 * The process's threads may each run a scheduler (miou_run() is per
 * thread on hosted), and they share the one region as a unikernel's
 * tasks share theirs, so every call holds a mutex. The host's malloc()
 * stays the host's: glibc, the sanitizers and valgrind rely on it.
 */
#include <pthread.h>
#include <string.h>

#include <miou_heap.h>

#include "hosted.h"
#include "platform/memory.h"

static pthread_mutex_t heap_lock = PTHREAD_MUTEX_INITIALIZER;
static miou_heap *heap;

int hosted_heap_open(void *mem, size_t size)
{
    miou_heap *h = miou_heap_init(mem, size);

    if (h == NULL)
        return -1;
    pthread_mutex_lock(&heap_lock);
    heap = h;
    pthread_mutex_unlock(&heap_lock);
    return 0;
}

void hosted_heap_close(void)
{
    pthread_mutex_lock(&heap_lock);
    heap = NULL;
    pthread_mutex_unlock(&heap_lock);
}

int miou_heap_platform_stats(struct miou_heap_stats *st)
{
    int rc = -1;

    pthread_mutex_lock(&heap_lock);
    if (heap != NULL) {
        miou_heap_stats(heap, st);
        rc = 0;
    }
    pthread_mutex_unlock(&heap_lock);
    if (rc != 0)
        memset(st, 0, sizeof *st);
    return rc;
}

void *miou__mem_alloc(size_t size)
{
    void *p = NULL;

    pthread_mutex_lock(&heap_lock);
    if (heap != NULL)
        p = miou_heap_alloc(heap, size);
    pthread_mutex_unlock(&heap_lock);
    return p;
}

void *miou__mem_realloc(void *p, size_t size)
{
    void *q = NULL;

    pthread_mutex_lock(&heap_lock);
    if (heap != NULL)
        q = miou_heap_realloc(heap, p, size);
    pthread_mutex_unlock(&heap_lock);
    return q;
}

void miou__mem_free(void *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&heap_lock);
    miou_heap_free(heap, p);
    pthread_mutex_unlock(&heap_lock);
}
