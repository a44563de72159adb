/*
 * memory.c - the core's memory on the sim platform (platform/memory.h):
 * a miou_heap over the --mem region, as on the other platforms, so that
 * a program runs out of memory at the same point. The sim runs one
 * thread, so no lock.
 */
#include <string.h>

#include <miou_heap.h>

#include "platform/memory.h"
#include "sim.h"

static miou_heap *heap;

int sim_heap_open(void *mem, size_t size);
int sim_heap_open(void *mem, size_t size)
{
    heap = miou_heap_init(mem, size);
    return heap ? 0 : -1;
}

int miou_heap_platform_stats(struct miou_heap_stats *st)
{
    if (!heap) {
        memset(st, 0, sizeof *st);
        return -1;
    }
    miou_heap_stats(heap, st);
    return 0;
}

void *miou__mem_alloc(size_t size)
{
    return heap ? miou_heap_alloc(heap, size) : NULL;
}

void *miou__mem_realloc(void *p, size_t size)
{
    return heap ? miou_heap_realloc(heap, p, size) : NULL;
}

void miou__mem_free(void *p)
{
    if (p)
        miou_heap_free(heap, p);
}
