/*
 * malloc.c - malloc and friends over the unikernel's one heap.
 *
 * The allocator is the project's (include/miou_heap.h, src/alloc/): this
 * file only adds the C conventions on top of it (errno, calloc's
 * overflow check and zeroing, the alignment rules of aligned_alloc and
 * posix_memalign). The heap is set once by the platform code through
 * miou__libc_heap_init() (libc_init.h); there are no threads, so a plain
 * static pointer and no lock.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <miou_heap.h>
#include <solo5.h>

#include "libc_init.h"

static miou_heap *heap;

int miou__libc_heap_init(void *mem, size_t size)
{
    miou_heap *h;
    if (heap != NULL)
        return -1;
    h = miou_heap_init(mem, size);
    if (h == NULL)
        return -1;
    heap = h;
    return 0;
}

miou_heap *miou__libc_heap(void)
{
    return heap;
}

static void *nomem(void)
{
    errno = ENOMEM;
    return NULL;
}

void *malloc(size_t size)
{
    void *p;
    if (heap == NULL)
        return nomem();
    p = miou_heap_alloc(heap, size);
    return p ? p : nomem();
}

void *calloc(size_t n, size_t size)
{
    size_t total;
    void *p;
    if (__builtin_mul_overflow(n, size, &total))
        return nomem();
    /* The heap's region is not zeroed (and freed blocks are reused), so
     * clear. gcc may turn "malloc then memset 0" into a call to calloc;
     * -fno-builtin (mk/libc.mk) keeps it from doing so here. */
    p = malloc(total);
    if (p != NULL)
        memset(p, 0, total);
    return p;
}

void *realloc(void *p, size_t size)
{
    void *q;
    if (p == NULL)
        return malloc(size);
    if (heap == NULL)
        return nomem(); /* (p) cannot come from here */
    q = miou_heap_realloc(heap, p, size);
    /* Size 0 frees and gives NULL: that is not a failure. */
    if (q == NULL && size > 0)
        return nomem();
    return q;
}

void free(void *p)
{
    if (p == NULL)
        return;
    if (heap == NULL) {
        /* Nothing was ever allocated: (p) is foreign. Stop rather than
         * ignore it, as the heap does for foreign pointers. */
        static const char msg[] = "free(): pointer freed before the heap "
                                  "was set up\n";
        solo5_console_write(msg, sizeof msg - 1);
        solo5_abort();
    }
    miou_heap_free(heap, p);
}

static int power_of_two(size_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

void *aligned_alloc(size_t align, size_t size)
{
    void *p;
    if (!power_of_two(align)) {
        errno = EINVAL;
        return NULL;
    }
    if (heap == NULL)
        return nomem();
    p = miou_heap_aligned_alloc(heap, align, size);
    return p ? p : nomem();
}

/* POSIX: the error is the return value and errno is left alone. */
int posix_memalign(void **memptr, size_t align, size_t size)
{
    void *p;
    if (!power_of_two(align) || align % sizeof(void *) != 0)
        return EINVAL;
    if (heap == NULL)
        return ENOMEM;
    p = miou_heap_aligned_alloc(heap, align, size);
    if (p == NULL)
        return ENOMEM;
    *memptr = p;
    return 0;
}

size_t malloc_usable_size(void *p)
{
    if (p == NULL || heap == NULL)
        return 0;
    return miou_heap_usable_size(heap, p);
}
