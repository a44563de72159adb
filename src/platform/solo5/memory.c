/*
 * memory.c - the core's memory on Solo5 (platform/memory.h): the
 * freestanding C library's malloc(), over the start info's heap region.
 */
#include <stdlib.h>
#include <string.h>

#include <miou_heap.h>

#include "libc/libc_init.h"
#include "platform/memory.h"

int miou_heap_platform_stats(struct miou_heap_stats *st)
{
    const miou_heap *h = miou__libc_heap();

    if (h == NULL) {
        memset(st, 0, sizeof *st);
        return -1;
    }
    miou_heap_stats(h, st);
    return 0;
}

void *miou__mem_alloc(size_t size)
{
    return malloc(size);
}

void *miou__mem_realloc(void *p, size_t size)
{
    return realloc(p, size);
}

void miou__mem_free(void *p)
{
    free(p);
}
