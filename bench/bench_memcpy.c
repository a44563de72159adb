/*
 * bench_memcpy - the memcpy of the freestanding C library (src/libc/mem.c,
 * the renamed hosted copy miou_libc_memcpy) against glibc's memcpy, in
 * the same run: ns per copy of 64, 128, 512, 1514 and 4096 bytes, the
 * sizes of Ethernet frames and disk sectors.
 *
 * Method: for each size, n copies from one buffer to another, called
 * through a volatile function pointer (so that the compiler can neither
 * inline glibc's nor drop a call; both pay the same indirect call). The
 * buffers are 64-byte aligned ("aligned") or at offsets 1 and 3
 * ("unaligned", keys with a "u" after the size); both fit in the L1
 * cache, so this is the hot-cache cost of the copy itself, not of memory
 * bandwidth. Each round measures every size and variant once; the
 * figures are medians of the rounds.
 *
 * Hosted only: glibc must be there to compare with. mk/libc.mk links the
 * renamed library (the objects in $(BUILD)/obj/libc-test/) in; the
 * reference to it is weak, so that a link without them (bench/run.sh's
 * own, until it adds them) still runs, with glibc only and a note.
 *
 * Arguments (see common.h): n=200000 rounds=5 only=ours|glibc.
 */
#define MIOU_LIBC_TEST_PREFIX 1

#include "../tests/lib/libc_names.h"
#include "common.h"

#define BENCH "memcpy"

typedef void *(*copy_fn)(void *, const void *, size_t);

enum { OURS, GLIBC, NVARIANTS };
static const char *const names[NVARIANTS] = {"ours", "glibc"};
/* Weak: NULL when the renamed library is not linked in. An archive
 * member is not pulled in for a weak reference: link the objects. */
extern __typeof__(miou_libc_memcpy) miou_libc_memcpy __attribute__((weak));
static copy_fn volatile copies[NVARIANTS] = {miou_libc_memcpy, memcpy};

static const size_t sizes[] = {64, 128, 512, 1514, 4096};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static _Alignas(64) unsigned char src_buf[4096 + 64], dst_buf[4096 + 64];

/* ns per copy of (size) bytes, (n) copies. */
static double run(copy_fn f, size_t size, int unaligned, unsigned long n)
{
    unsigned char *d = dst_buf + (unaligned ? 3 : 0);
    const unsigned char *s = src_buf + (unaligned ? 1 : 0);
    uint64_t t0 = bench_now();
    for (unsigned long i = 0; i < n; i++)
        f(d, s, size);
    return (double)(bench_now() - t0) / (double)n;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline;
    unsigned long n = bench_arg_u64(cmd, "n", 200000);
    unsigned rounds = bench_rounds(cmd);
    static double ns[2][NSIZES][NVARIANTS][BENCH_MAX_ROUNDS];
    int have[NVARIANTS] = {copies[OURS] != NULL, 1};

    if (!have[OURS] && bench_want(cmd, "ours"))
        printf("# ours: the renamed C library is not linked in (link "
               "$(BUILD)/obj/libc-test/*.o, see mk/libc.mk)\n");
    for (size_t i = 0; i < sizeof src_buf; i++)
        src_buf[i] = (unsigned char)(i * 7 + 1);
    /* The copies must be right before they are timed. */
    for (int v = 0; v < NVARIANTS; v++)
        for (size_t z = 0; z < NSIZES && have[v]; z++) {
            memset(dst_buf, 0, sizeof dst_buf);
            copies[v](dst_buf + 3, src_buf + 1, sizes[z]);
            BENCH_CHECK(memcmp(dst_buf + 3, src_buf + 1, sizes[z]) == 0);
        }

    printf("# memcpy: %lu copies per size, %u rounds, ns per copy "
           "(aligned / src+1 dst+3), buffers in L1\n",
           n, rounds);
    for (unsigned r = 0; r < rounds; r++) {
        printf("round %u:", r + 1);
        for (size_t z = 0; z < NSIZES; z++) {
            printf(" %zu", sizes[z]);
            for (int v = 0; v < NVARIANTS; v++) {
                if (!have[v] || !bench_want(cmd, names[v]))
                    continue;
                ns[0][z][v][r] = run(copies[v], sizes[z], 0, n);
                ns[1][z][v][r] = run(copies[v], sizes[z], 1, n);
                printf(" %s %.2f/%.2f", names[v], ns[0][z][v][r],
                       ns[1][z][v][r]);
            }
        }
        printf("\n");
    }
    for (size_t z = 0; z < NSIZES; z++)
        for (int u = 0; u < 2; u++) {
            double med[NVARIANTS] = {0};
            char key[48];
            for (int v = 0; v < NVARIANTS; v++) {
                if (!have[v] || !bench_want(cmd, names[v]))
                    continue;
                med[v] = bench_median(ns[u][z][v], rounds);
                snprintf(key, sizeof key, "%s_%zu%s_ns_per_copy", names[v],
                         sizes[z], u ? "u" : "");
                bench_result(BENCH, key, med[v], "ns");
            }
            snprintf(key, sizeof key, "ours_over_glibc_%zu%s", sizes[z],
                     u ? "u" : "");
            bench_report_ratio(BENCH, key, med[OURS], med[GLIBC]);
        }
    return 0;
}
