/*
 * miou_heap.h - the allocator of miou-solo5: a heap laid over one region
 * of memory, such as the heap region of a Solo5 start info.
 *
 * Every platform uses it. On Solo5 it is malloc() (the freestanding C
 * library serves malloc, free, ... from the start info's region). On the
 * hosted platform the library's own allocations (tasks, stacks, timers)
 * come from a heap over the --mem region, so that a unikernel runs out of
 * memory at the same point on both.
 *
 * Design: two-level segregated fit. Free blocks sit in lists by size
 * class (a power of two split into 32 linear steps); two bitmaps find the
 * smallest non-empty class that fits in O(1), and freed blocks merge with
 * their free neighbours at once. So:
 *   - alloc, free, and realloc in place are O(1); aligned allocation is
 *     O(1); realloc that moves costs the copy;
 *   - the block a request gets is cut to its size (rounded up to 16
 *     bytes; a rest under 32 bytes stays with it), the rest going back as
 *     a free block; the search rounds the request up to the next class,
 *     so a request can be refused while a free block at most 1/32 (about
 *     3%) larger than it exists;
 *   - no two free blocks are ever adjacent: free memory is never split
 *     where it need not be.
 * Each block costs 16 bytes of header; every pointer returned is aligned
 * to 16 bytes (max_align_t on x86_64 and aarch64).
 *
 * Sanitizers: built with AddressSanitizer, the heap opens to the caller
 * exactly the bytes asked for, and poisons the rest of the region
 * (headers, free blocks, the heap's own bookkeeping). On the hosted
 * platform under valgrind, every block handed out is a malloc-like block
 * for memcheck (leaks and uses after free are reported), of its usable
 * size. NOTE: so under ASan, a caller may use only what it asked for,
 * not miou_heap_usable_size(); and under valgrind, blocks of a heap that
 * is abandoned (or laid again) while still allocated stay allocated to
 * memcheck.
 *
 * A heap is not thread-safe: callers that share one between threads hold
 * a lock around each call (the hosted platform does).
 */
#ifndef MIOU_HEAP_H_INCLUDED
#define MIOU_HEAP_H_INCLUDED

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct miou_heap miou_heap;

/* Alignment of every pointer the heap returns. */
#define MIOU_HEAP_ALIGN 16u

/* Lay a heap over the (size) bytes at (mem); the heap's own bookkeeping
 * lives at the start of the region, and grows with the log of its size
 * (2.5 KiB for 64 KiB, 4 KiB for a few MiB, 10 KiB at most on 64-bit
 * targets). Returns the heap, or NULL when (mem) is NULL or the region is
 * too small to hold its bookkeeping and one block (under 1 KiB). Bytes
 * beyond the largest block size the heap can describe (2^47 on 64-bit
 * targets) are left unused. Laying a heap over memory forgets whatever
 * heap was there. */
miou_heap *miou_heap_init(void *mem, size_t size);

/* A block of at least (size) bytes aligned to MIOU_HEAP_ALIGN, or NULL
 * when no free block is large enough (the heap is unchanged then). A
 * (size) of 0 gives a distinct minimal block, as malloc(0) may. */
void *miou_heap_alloc(miou_heap *h, size_t size);

/* A block of at least (size) bytes aligned to (align), which must be a
 * power of two (any power below MIOU_HEAP_ALIGN gives MIOU_HEAP_ALIGN).
 * NULL when (align) is not a power of two or no block fits. */
void *miou_heap_aligned_alloc(miou_heap *h, size_t align, size_t size);

/* Resize the block at (p) to (size) bytes, in place when its neighbour
 * allows, else by moving it; the first min(old, size) bytes are kept.
 * (p) NULL is miou_heap_alloc(h, size). On failure returns NULL and (p) is
 * unchanged and still allocated. (size) 0 with (p) not NULL frees (p) and
 * returns NULL. A (p) that is not an allocated block stops the program as
 * miou_heap_free() does. */
void *miou_heap_realloc(miou_heap *h, void *p, size_t size);

/* Give back the block at (p); NULL is ignored. (p) must come from this
 * heap and not have been freed: a double free or a foreign pointer is
 * detected where the block's header allows and stops the program with a
 * message (through the platform's abort), rather than corrupting the
 * heap. */
void miou_heap_free(miou_heap *h, void *p);

/* The bytes usable at (p), at least what was asked for (less than 48
 * more). A (p) that is not an allocated block stops the program as
 * miou_heap_free() does. */
size_t miou_heap_usable_size(const miou_heap *h, const void *p);

struct miou_heap_stats {
    size_t capacity;     /* bytes managed (blocks and their headers) */
    size_t used;         /* bytes in allocated blocks, headers included */
    size_t free;         /* bytes in free blocks, headers included */
    size_t largest_free; /* payload bytes of the largest free block */
    size_t blocks_used;  /* allocated blocks */
    size_t blocks_free;  /* free blocks */
};

/* Fill (st). O(1) except largest_free, which reads the highest non-empty
 * size class (at most one list). */
void miou_heap_stats(const miou_heap *h, struct miou_heap_stats *st);

/* Fill (st) with the statistics of the heap the library allocates from
 * on this platform: under Solo5, malloc()'s, over the start info's region;
 * on hosted, the one over the --mem region (the library's own tasks,
 * stacks and timers; the program's malloc() is the host's). Returns 0, or
 * -1 with (st) zeroed outside solo5_app_main(). */
int miou_heap_platform_stats(struct miou_heap_stats *st);

/* Walk every block and every free list and check the heap's invariants
 * (sizes add up, no two free blocks adjacent, lists and bitmaps agree).
 * Returns 0 when the heap is sound, -1 otherwise. O(blocks): for tests and
 * debugging. */
int miou_heap_check(const miou_heap *h);

#ifdef __cplusplus
}
#endif

#endif
