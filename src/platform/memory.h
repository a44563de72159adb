/*
 * memory.h - memory, the one service a platform gives the scheduler core
 * besides the Solo5 calls.
 *
 * A Solo5 unikernel has one heap region (the start info's); every
 * platform serves the core's allocations (task slabs, stacks, timers,
 * hooks) from a miou_heap (include/miou_heap.h) over that region, so
 * that a program runs out of memory at the same point everywhere:
 *   solo5   malloc() of the freestanding C library, over the region;
 *   hosted  a heap over the --mem region, shared by the process's
 *           threads under a lock (the host's malloc stays the host's).
 * Outside solo5_app_main() there is no region: these return NULL.
 */
#ifndef MIOU_PLATFORM_MEMORY_H
#define MIOU_PLATFORM_MEMORY_H

#include <stddef.h>

/* As malloc(), realloc() and free(). */
void *miou__mem_alloc(size_t size);
void *miou__mem_realloc(void *p, size_t size);
void miou__mem_free(void *p);

#endif
