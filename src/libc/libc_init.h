/*
 * libc_init.h - how the Solo5 platform code hands the heap region to the
 * freestanding C library (malloc.c). Not for applications.
 */
#ifndef MIOU_LIBC_INIT_H
#define MIOU_LIBC_INIT_H

#include <stddef.h>

#include <miou_heap.h>

/* Lay malloc's heap over the (size) bytes at (mem) (the start info's
 * heap region), once, before anything allocates. Returns 0, or -1 when
 * the region is unusable (NULL or too small for the heap's bookkeeping)
 * or a heap is already set: blocks of one heap must never reach the
 * free() of another. Until it succeeds, allocations fail with ENOMEM. */
int miou__libc_heap_init(void *mem, size_t size);

/* The heap that malloc serves, or NULL before miou__libc_heap_init():
 * for miou_heap_stats() (free memory) and miou_heap_check(). */
miou_heap *miou__libc_heap(void);

#endif
