/*
 * common.h - what the benchmarks share: arguments, timing, medians,
 * memory probes and the RESULT lines that bench/run.sh collects.
 *
 * The benchmarks are unikernels (solo5_app_main), run hosted or under
 * Solo5 (see "Two builds" below); their arguments (si->cmdline) are
 * words "key=value":
 *
 *   rounds=R   rounds measured inside the process (default 5; the median
 *              is reported)
 *   only=NAME  run only the variant NAME (bench/run.sh uses it for the
 *              callgrind runs, which must do one thing N times)
 *   n=N        the size of the workload (each benchmark has its default)
 *
 * Output: a human-readable line per round, then one line per figure:
 *
 *   RESULT <bench> <key> <value> <unit>
 *
 * Every function is static inline so that a benchmark uses what it needs
 * without "unused function" warnings (the build has -Werror).
 *
 * Two builds: hosted (MIOU_PLATFORM_HOSTED, by mk/hosted.mk and
 * bench/run.sh), a Linux program with glibc; and Solo5
 * (MIOU_PLATFORM_SOLO5, by mk/solo5-bench.mk), a unikernel with the
 * project's freestanding C library only (src/libc): there the memory
 * probes of the process (resident memory, CPU time) answer -1 or 0, "not
 * available" (BENCH_HAVE_PROCESS is 0 and the benchmarks do not report
 * them), malloc's bytes in use come from the libc heap's own statistics
 * (miou_heap_stats), and glibc's tuning (mallopt, malloc_trim) has no
 * counterpart.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#if defined(MIOU_PLATFORM_HOSTED) == defined(MIOU_PLATFORM_SOLO5)
#error "build with -DMIOU_PLATFORM_HOSTED=1 or -DMIOU_PLATFORM_SOLO5=1"
#endif

#ifdef MIOU_PLATFORM_HOSTED
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef MIOU_PLATFORM_HOSTED
#include <sys/resource.h>
#include <unistd.h>
#endif

#include <miou.h>
#include <miou_heap.h>

/* 1 where the process's resident memory and CPU time can be read. */
#ifdef MIOU_PLATFORM_HOSTED
#define BENCH_HAVE_PROCESS 1
#else
#define BENCH_HAVE_PROCESS 0
#endif

#define BENCH_MAX_ROUNDS 32

/* The value of "key=" in (cmdline), or NULL. Values end at a space. */
static inline const char *bench_arg(const char *cmdline, const char *key)
{
    size_t klen = strlen(key);
    const char *p = cmdline;
    while (p && *p) {
        while (*p == ' ')
            p++;
        if (strncmp(p, key, klen) == 0 && p[klen] == '=')
            return p + klen + 1;
        p = strchr(p, ' ');
    }
    return NULL;
}

static inline uint64_t bench_arg_u64(const char *cmdline, const char *key,
                                     uint64_t dflt)
{
    const char *v = bench_arg(cmdline, key);
    return v ? strtoull(v, NULL, 0) : dflt;
}

/* 1 when variant (name) should run: no "only=", or "only=name". */
static inline int bench_want(const char *cmdline, const char *name)
{
    const char *v = bench_arg(cmdline, "only");
    if (!v)
        return 1;
    size_t n = strlen(name);
    return strncmp(v, name, n) == 0 && (v[n] == '\0' || v[n] == ' ');
}

static inline unsigned bench_rounds(const char *cmdline)
{
    uint64_t r = bench_arg_u64(cmdline, "rounds", 5);
    if (r < 1)
        r = 1;
    if (r > BENCH_MAX_ROUNDS)
        r = BENCH_MAX_ROUNDS;
    return (unsigned)r;
}

static inline uint64_t bench_now(void)
{
    return miou_clock_monotonic();
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of (n) values; sorts a copy. */
static inline double bench_median(const double *v, unsigned n)
{
    double tmp[BENCH_MAX_ROUNDS];
    if (n == 0)
        return 0;
    memcpy(tmp, v, n * sizeof(*v));
    qsort(tmp, n, sizeof(*tmp), bench_cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static inline int bench_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The (p)-quantile (0..1) of (n) values, sorting them in place. */
static inline int64_t bench_quantile(int64_t *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof(*v), bench_cmp_i64);
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

/* Resident memory of the process, in bytes (/proc/self/statm); -1 when
 * not available (Solo5). */
static inline long bench_rss(void)
{
#ifndef MIOU_PLATFORM_HOSTED
    return -1;
#else
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
#endif
}

/* Peak resident memory of the process so far, in bytes; -1 when not
 * available (Solo5). */
static inline long bench_peak_rss(void)
{
#ifndef MIOU_PLATFORM_HOSTED
    return -1;
#else
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss * 1024L;
#endif
}

/* CPU time of the process in nanoseconds: user + system, and system
 * alone in (*sys) when not NULL; 0 (and 0 in (*sys)) when not available
 * (Solo5). */
static inline uint64_t bench_cpu_ns(uint64_t *sys)
{
#ifndef MIOU_PLATFORM_HOSTED
    if (sys)
        *sys = 0;
    return 0;
#else
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    uint64_t s = (uint64_t)ru.ru_stime.tv_sec * 1000000000ull +
                 (uint64_t)ru.ru_stime.tv_usec * 1000ull;
    if (sys)
        *sys = s;
    return s + (uint64_t)ru.ru_utime.tv_sec * 1000000000ull +
           (uint64_t)ru.ru_utime.tv_usec * 1000ull;
#endif
}

/* Bytes handed out and not yet freed, headers included: the platform's
 * heap (include/miou_heap.h: the library's tasks and stacks, and on
 * Solo5 malloc's blocks), plus on hosted glibc's mallinfo2() for the
 * program's own malloc(). */
static inline size_t bench_malloc_used(void)
{
    struct miou_heap_stats st;
    size_t used = miou_heap_platform_stats(&st) == 0 ? st.used : 0;
#ifdef MIOU_PLATFORM_HOSTED
    struct mallinfo2 mi = mallinfo2();
    used += mi.uordblks + mi.hblkhd;
#endif
    return used;
}

/* Give malloc's free memory back to the system before a memory probe:
 * glibc's malloc_trim(0); nothing on Solo5 (the heap is the unikernel's
 * whole memory). */
static inline void bench_malloc_trim(void)
{
#ifdef MIOU_PLATFORM_HOSTED
    malloc_trim(0);
#endif
}

static inline void bench_result(const char *bench, const char *key,
                                double value, const char *unit)
{
    printf("RESULT %s %s %.6g %s\n", bench, key, value, unit);
    fflush(stdout);
}

/* The median of the (rounds) figures of variant (name), reported as
 * "<name>_ns_per_<unit>"; 0 (and nothing reported) when the variant is
 * not available or not wanted. */
static inline double bench_report_median(const char *bench, const char *cmdline,
                                         const char *name, int have,
                                         const double *ns, unsigned rounds,
                                         const char *unit)
{
    char key[64];
    double med;
    if (!have || !bench_want(cmdline, name))
        return 0;
    med = bench_median(ns, rounds);
    snprintf(key, sizeof key, "%s_ns_per_%s", name, unit);
    bench_result(bench, key, med, "ns");
    return med;
}

/* Report (a) / (b) as (key), when both were measured. */
static inline void bench_report_ratio(const char *bench, const char *key,
                                      double a, double b)
{
    if (a > 0 && b > 0)
        bench_result(bench, key, a / b, "x");
}

/* A small deterministic generator (xorshift64*), so that runs compare. */
static inline uint64_t bench_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Keep freed memory in the process: glibc's free() otherwise gives the
 * top of its heap back to the kernel (trimming), and every round of a
 * benchmark with many tasks would pay again for the page faults of
 * touching fresh stack pages (a few microseconds each on this VM), which
 * measures the kernel rather than the scheduler. With this setting the
 * first round of such a benchmark pays them (its line shows it) and the
 * next rounds reuse the memory; medians are of warm rounds. The memory
 * probes call malloc_trim() themselves. "trim=1" keeps glibc's default.
 * (Until commit f679b41 this setting also hid a crash of the library,
 * which freed the stack of a dying task while still running on it.) */
static inline void bench_malloc_setup(const char *cmdline)
{
#ifdef MIOU_PLATFORM_HOSTED
    if (bench_arg_u64(cmdline, "trim", 0) == 0)
        mallopt(M_TRIM_THRESHOLD, -1); /* never */
#else
    (void)cmdline; /* Solo5: the heap never gives memory back. */
#endif
}

/* Stop the benchmark with a message: a figure from a broken run is
 * worse than none. */
#define BENCH_CHECK(cond)                                                      \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
            exit(2);                                                           \
        }                                                                      \
    } while (0)

#endif
