/*
 * heap.c - the core's memory on the hosted platform (platform/memory.h):
 * a miou_heap over the --mem region that the tender maps, so that the
 * library's allocations fail at the same point as under a Solo5 tender.
 *
 * A process runs one miou_run() at a time, as a unikernel does (the core
 * refuses a second one, from any thread), so the heap takes no lock. The
 * host's malloc() stays the host's: glibc, the sanitizers and valgrind
 * rely on it.
 */
#include <string.h>

#include <miou_heap.h>

#include "hosted.h"
#include "platform/memory.h"

static miou_heap *heap;

int hosted_heap_open(void *mem, size_t size)
{
    miou_heap *h = miou_heap_init(mem, size);

    if (h == NULL)
        return -1;
    heap = h;
    return 0;
}

void hosted_heap_close(void)
{
    heap = NULL;
}

int miou_heap_platform_stats(struct miou_heap_stats *st)
{
    if (heap == NULL) {
        memset(st, 0, sizeof *st);
        return -1;
    }
    miou_heap_stats(heap, st);
    return 0;
}

void *miou__mem_alloc(size_t size)
{
    return heap != NULL ? miou_heap_alloc(heap, size) : NULL;
}

void *miou__mem_realloc(void *p, size_t size)
{
    return heap != NULL ? miou_heap_realloc(heap, p, size) : NULL;
}

void miou__mem_free(void *p)
{
    if (p != NULL)
        miou_heap_free(heap, p);
}
