/*
 * tender.c - the tender's body, miou_hosted_main(): it gives the unikernel
 * what a Solo5 tender gives it (its devices, one heap region and its
 * command line), runs solo5_app_main() and returns its result. Everything
 * it set up is undone before it returns, so that a test program may call
 * it more than once.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <miou_hosted.h>
#include <solo5.h>

#include "hosted.h"

#ifndef MIOU_VERSION
#define MIOU_VERSION "0.1.0"
#endif

#define MIB_SHIFT 20

/* Static, so that the leak checker sees the command line as reachable
 * when the unikernel ends through solo5_exit() instead of returning. */
static struct tender tender;

/* Reserve the heap; MAP_NORESERVE so that a large --mem costs nothing
 * until the unikernel touches it, as on a tender. NULL on failure, after
 * saying why. */
static void *map_heap(const struct tender *t, size_t *size)
{
    void *heap;

    if (t->mem_mib > SIZE_MAX >> MIB_SHIFT) {
        fprintf(stderr, "%s: a heap of %zu MiB does not fit this host\n",
                t->prog, t->mem_mib);
        return NULL;
    }
    *size = t->mem_mib << MIB_SHIFT;
    heap = mmap(NULL, *size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (heap == MAP_FAILED) {
        fprintf(stderr, "%s: cannot map a heap of %zu MiB: %s\n", t->prog,
                t->mem_mib, strerror(errno));
        return NULL;
    }
    /* Huge pages where the kernel gives them on request: a unikernel's
     * stacks are many and its tasks switch among them, and with 4 KiB
     * pages each switch to a cold stack misses the TLB too (a million
     * sleepers: about 15% of a wake-up). Advice only: a kernel without
     * transparent huge pages ignores it. */
    madvise(heap, *size, MADV_HUGEPAGE);
    return heap;
}

/* The banner (--solo5:info, the default): what the tender gives the
 * unikernel. */
static void banner(const struct tender *t, const void *heap, size_t heap_size)
{
    hosted_log(TENDER_LOG_INFO,
               "miou-solo5 %s: hosted platform, heap %zu MiB at %p\n",
               MIOU_VERSION, heap_size >> MIB_SHIFT, heap);
    for (size_t i = 1; i <= hosted_ndevices; i++) {
        const struct hosted_device *d = &hosted_devices[i];

        hosted_log(TENDER_LOG_INFO, "miou-solo5: %s device '%s' on %s\n",
                   d->type == HOSTED_NET ? "net" : "block", d->name, d->attach);
    }
    (void)t;
}

/* Run the unikernel once its devices are attached. */
static int run(const struct tender *t)
{
    struct solo5_start_info si;
    size_t heap_size;
    void *heap;
    int rc;

    heap = map_heap(t, &heap_size);
    if (heap == NULL)
        return 1;
    if (hosted_heap_open(heap, heap_size) != 0) {
        fprintf(stderr, "%s: a heap of %zu MiB is too small\n", t->prog,
                t->mem_mib);
        munmap(heap, heap_size);
        return 1;
    }
    si.cmdline = t->cmdline;
    si.heap_start = (uintptr_t)heap;
    si.heap_size = heap_size;
    tender_stderr_buffered();
    /* A line of the program's printf() leaves at its newline, even into a
     * pipe or a file (glibc would hold 4 KiB there): a unikernel's console
     * output is its log, and Solo5's console holds nothing back. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    banner(t, heap, heap_size);
    hosted_debug_init();
    rc = solo5_app_main(&si);
    fflush(stdout); /* what the program printed comes before our last line */
    hosted_log(TENDER_LOG_INFO, "miou-solo5: solo5_app_main() returned %d\n",
               rc);
    hosted_heap_close();
    munmap(heap, heap_size);
    return rc;
}

int miou_hosted_main(int argc, char **argv)
{
    struct tender *t = &tender;
    int rc;

    t->prog = tender_prog_name(argc > 0 ? argv[0] : NULL, "miou-hosted");
    t->platform = "hosted";
    t->options = hosted_options;
    rc = hosted_manifest_load(t->prog);
    if (rc == 0) {
        rc = tender_parse(t, argc, argv);
        /* Devices are opened before the unikernel starts: a device that
         * cannot be used stops it here, not at its first acquire. */
        if (rc == TENDER_RUN) {
            hosted_log_set_level(t->level);
            rc = hosted_devices_attach(t->prog);
            if (rc == 0)
                rc = run(t);
        }
    }
    tender_done(t);
    hosted_devices_release();
    return rc;
}
