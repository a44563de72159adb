/*
 * death_heap_double_free.c - a program that must die: it frees a heap
 * block twice. The heap finds the block's header already marked free
 * and stops the program with "miou heap: fatal: free of a block already
 * freed (0x...)" through solo5_abort() (exit status 255), rather than
 * corrupting its free lists (death_heap_double_free.run).
 *
 * The block is freed between two blocks in use, so that it merges with
 * neither and its header is the one the second free reads; the case of a
 * block merged into a free neighbour reads a stale header, which also
 * keeps its free bit.
 */
#include <miou_heap.h>
#include <solo5.h>

static unsigned char region[64 * 1024] __attribute__((aligned(16)));

int solo5_app_main(const struct solo5_start_info *si)
{
    miou_heap *h = miou_heap_init(region, sizeof region);
    void *a, *b, *c;
    (void)si;
    if (!h)
        return 1;
    a = miou_heap_alloc(h, 100);
    b = miou_heap_alloc(h, 100);
    c = miou_heap_alloc(h, 100);
    miou_heap_free(h, b);
    miou_heap_free(h, b);
    /* Reaching this line is the failure. */
    solo5_console_write("death_heap_double_free: survived\n", 33);
    miou_heap_free(h, a);
    miou_heap_free(h, c);
    return 0;
}
