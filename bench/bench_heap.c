/*
 * bench_heap - the heap allocator (include/miou_heap.h) against the
 * host's malloc (glibc), in the same process, on the same sequences.
 *
 * Workloads, each round running every variant one after the other:
 *   pair   n x (allocate 64 bytes, write a byte, free): ns per pair. A
 *          fresh miou heap splits its one free block and merges it back
 *          each time; glibc serves it from its thread cache.
 *   mixed  n operations of the long workload of tests/test_heap.c: sizes
 *          16-256 B (90%), 1-64 KiB (9.9%), 1 MiB (0.1%), one byte
 *          written to each block, frees in random order, the live bytes
 *          kept around half of the heap's capacity (the same byte count
 *          drives glibc): ns per operation, allocation or free.
 * Variants: miou_pair, glibc_pair, miou_mixed, glibc_mixed.
 *
 * The miou heap lies over a region of mem=MiB (64) from the host's
 * malloc, touched once before the rounds so that no round pays its page
 * faults; glibc keeps what it frees (bench_malloc_setup). The random
 * sequence is the same for both (xorshift64* with a fixed seed).
 *
 * Arguments (see common.h): n=1000000 rounds=5 mem=64 only=VARIANT.
 */
#include <miou_heap.h>

#include "common.h"

#define BENCH "heap"

#define LIVE_MAX (1u << 20)

struct live {
    unsigned char *p;
    size_t n;
};

static struct live *live;
static miou_heap *heap;

/* The two allocators behind one shape; the calls are direct once the
 * compiler specialises the loops for each (both are static). */
static void *miou_alloc(size_t n)
{
    return miou_heap_alloc(heap, n);
}

static void miou_free(void *p)
{
    miou_heap_free(heap, p);
}

static void *glibc_alloc(size_t n)
{
    return malloc(n);
}

static void glibc_free(void *p)
{
    free(p);
}

typedef void *(*alloc_fn)(size_t);
typedef void (*free_fn)(void *);

static double run_pair(alloc_fn a, free_fn f, unsigned long n)
{
    uint64_t t0 = bench_now();
    for (unsigned long i = 0; i < n; i++) {
        volatile unsigned char *p = a(64);
        p[0] = 1;
        f((void *)p);
    }
    return (double)(bench_now() - t0) / (double)n;
}

static size_t mixed_size(uint64_t *s)
{
    uint64_t r = bench_rand(s) % 1000;
    if (r < 900)
        return 16 + bench_rand(s) % 241;
    if (r < 999)
        return 1024 + bench_rand(s) % (63 * 1024 + 1);
    return 1 << 20;
}

static double run_mixed(alloc_fn a, free_fn f, unsigned long n, size_t target)
{
    uint64_t s = 0x9E3779B97F4A7C15ull;
    size_t nlive = 0, bytes = 0;
    uint64_t t0 = bench_now(), ns;
    for (unsigned long i = 0; i < n; i++) {
        if (nlive == 0 ||
            (bytes < target && nlive < LIVE_MAX && bench_rand(&s) % 10 < 6)) {
            size_t size = mixed_size(&s);
            unsigned char *p = a(size);
            BENCH_CHECK(p != NULL);
            p[0] = 1;
            live[nlive].p = p;
            live[nlive++].n = size;
            bytes += size;
        } else {
            size_t j = bench_rand(&s) % nlive;
            f(live[j].p);
            bytes -= live[j].n;
            live[j] = live[--nlive];
        }
    }
    ns = bench_now() - t0;
    while (nlive)
        f(live[--nlive].p);
    return (double)ns / (double)n;
}

enum { MIOU_PAIR, GLIBC_PAIR, MIOU_MIXED, GLIBC_MIXED, NVARIANTS };
static const char *const names[NVARIANTS] = {"miou_pair", "glibc_pair",
                                             "miou_mixed", "glibc_mixed"};

static double run_variant(int v, unsigned long n, size_t target)
{
    switch (v) {
    case MIOU_PAIR:
        return run_pair(miou_alloc, miou_free, n);
    case GLIBC_PAIR:
        return run_pair(glibc_alloc, glibc_free, n);
    case MIOU_MIXED:
        return run_mixed(miou_alloc, miou_free, n, target);
    default:
        return run_mixed(glibc_alloc, glibc_free, n, target);
    }
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline;
    bench_malloc_setup(cmd);
    unsigned long n = bench_arg_u64(cmd, "n", 1000000);
    unsigned rounds = bench_rounds(cmd);
    size_t mem = (size_t)bench_arg_u64(cmd, "mem", 64) << 20;
    double ns[NVARIANTS][BENCH_MAX_ROUNDS], med[NVARIANTS];
    struct miou_heap_stats st;

    void *region = aligned_alloc(4096, mem);
    live = malloc(LIVE_MAX * sizeof *live);
    BENCH_CHECK(region != NULL && live != NULL);
    memset(region, 0, mem); /* fault the pages in before timing */
    heap = miou_heap_init(region, mem);
    BENCH_CHECK(heap != NULL);
    miou_heap_stats(heap, &st);

    printf("# heap: %lu x (64-byte alloc + free) and %lu mixed operations "
           "around %zu MiB live, %u rounds, ns per pair / per operation\n",
           n, n, st.capacity / 2 >> 20, rounds);
    for (unsigned r = 0; r < rounds; r++) {
        printf("round %u:", r + 1);
        for (int v = 0; v < NVARIANTS; v++) {
            if (!bench_want(cmd, names[v]))
                continue;
            ns[v][r] = run_variant(v, n, st.capacity / 2);
            printf(" %s %.2f", names[v], ns[v][r]);
            fflush(stdout);
        }
        printf("\n");
    }
    BENCH_CHECK(miou_heap_check(heap) == 0);
    miou_heap_stats(heap, &st);
    BENCH_CHECK(st.blocks_used == 0 && st.blocks_free == 1);

    for (int v = 0; v < NVARIANTS; v++)
        med[v] = bench_report_median(BENCH, cmd, names[v], 1, ns[v], rounds,
                                     v < MIOU_MIXED ? "pair" : "op");
    bench_report_ratio(BENCH, "miou_pair_over_glibc", med[MIOU_PAIR],
                       med[GLIBC_PAIR]);
    bench_report_ratio(BENCH, "miou_mixed_over_glibc", med[MIOU_MIXED],
                       med[GLIBC_MIXED]);
    free(live);
    free(region);
    return 0;
}
