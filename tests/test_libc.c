/*
 * test_libc.c - the freestanding C library of the Solo5 target
 * (src/libc/): formats, mem* and str* functions, number parsing, qsort,
 * the character classes, malloc over the heap, and the ways a program
 * ends.
 *
 * The functions are called as LIBC(name) (tests/libc_names.h): in the
 * hosted build they are the renamed copy of the library linked beside
 * glibc (miou_libc_memcpy, ...), on Solo5 the C library itself. Every
 * expected value is a literal or comes from a reference loop written
 * here, never from glibc, so the same checks hold on Solo5. The cases
 * that need a fresh process (malloc before the heap exists; abort, exit
 * and assert, run in a child through fork()) run in the hosted build
 * only and are skipped elsewhere.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/check.h"
#include "libc/libc_init.h"
#include "lib/libc_names.h"

/* A hosted build without mk/libc.mk's flags would test glibc, and not
 * link: it only reports that (see the end of the file). */
#if defined(MIOU_PLATFORM_HOSTED) && !defined(MIOU_LIBC_TEST_PREFIX)
#define LIBC_TEST_UNBUILT 1
#else
#define LIBC_TEST_UNBUILT 0
#endif

#if !LIBC_TEST_UNBUILT

#ifdef MIOU_LIBC_TEST_PREFIX
#include <sys/wait.h>
#include <unistd.h>
/* The library's assert.h, with its failure function renamed as the
 * library's objects name it. */
#define LIBC_ASSERT_H "../src/libc/include/assert.h"
#define __miou_libc_assert_fail miou_libc___miou_libc_assert_fail
#else
#define LIBC_ASSERT_H <assert.h>
#endif

/* The reference loops below must stay loops: gcc would otherwise call
 * memcpy or memset for them, which on Solo5 is the function under test. */
#if defined(__GNUC__) && !defined(__clang__)
#define REF_LOOP __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define REF_LOOP
#endif

#if !defined(__LP64__)
#error "test_libc.c expects an LP64 target (long is 64 bits)"
#endif

/* A small deterministic generator (xorshift64*). */
static uint64_t rand_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    return check_xorshift(&rand_state);
}

/* ---- The heap. */

/* The region malloc serves in the hosted build (on Solo5 the platform
 * has set the start info's region before solo5_app_main()). */
static _Alignas(64) unsigned char heap_region[4u << 20];

/* Set the heap when no case has yet; 1 when there is one. */
static int have_heap(void)
{
    if (miou__libc_heap() == NULL)
        CHECK_EQ(miou__libc_heap_init(heap_region, sizeof heap_region), 0);
    return CHECK_NOT_NULL(miou__libc_heap());
}

/* Must run before any case that allocates: the heap is set once per
 * process. */
static void malloc_fails_with_enomem_before_the_heap_is_set(void)
{
#ifdef MIOU_LIBC_TEST_PREFIX
    void *p = &p;
    if (miou__libc_heap() != NULL) {
        check_skip("the heap was set by an earlier case");
        return;
    }
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(malloc)(16));
    CHECK_EQ(LIBC(errno), ENOMEM);
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(calloc)(1, 16));
    CHECK_EQ(LIBC(errno), ENOMEM);
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(realloc)(NULL, 16));
    CHECK_EQ(LIBC(errno), ENOMEM);
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(aligned_alloc)(64, 16));
    CHECK_EQ(LIBC(errno), ENOMEM);
    CHECK_EQ(LIBC(posix_memalign)(&p, 64, 16), ENOMEM);
    CHECK_PTR_EQ(p, &p);
    CHECK_UEQ(LIBC(malloc_usable_size)(NULL), 0);
    LIBC(free)(NULL);
#else
    check_skip("the platform sets the heap before solo5_app_main()");
#endif
}

static void the_heap_refuses_a_null_or_tiny_region_and_a_second_one(void)
{
    int set_before = miou__libc_heap() != NULL;
    CHECK_EQ(miou__libc_heap_init(NULL, sizeof heap_region), -1);
    CHECK_EQ(miou__libc_heap_init(heap_region, 16), -1);
    CHECK_EQ(miou__libc_heap_init(heap_region, sizeof heap_region),
             set_before ? -1 : 0);
    CHECK_NOT_NULL(miou__libc_heap());
    CHECK_EQ(miou__libc_heap_init(heap_region, sizeof heap_region), -1);
}

/* A byte of the pattern of block (k) at (i), so that blocks differ. */
static unsigned char block_byte(size_t k, size_t i)
{
    return (unsigned char)(k * 131u + i * 7u + 3u);
}

#define NBLOCKS 200

static void malloc_gives_aligned_blocks_that_keep_their_bytes(void)
{
    unsigned char *blocks[NBLOCKS] = {0};
    size_t sizes[NBLOCKS] = {0};
    size_t round, k, i;
    if (!have_heap())
        return;
    for (round = 0; round < 4000; round++) {
        k = rnd() % NBLOCKS;
        if (blocks[k] != NULL) {
            for (i = 0; i < sizes[k]; i++)
                if (blocks[k][i] != block_byte(k, i)) {
                    check_fail(__FILE__, __LINE__,
                               "block %zu of %zu bytes: byte %zu changed", k,
                               sizes[k], i);
                    return;
                }
            LIBC(free)(blocks[k]);
            blocks[k] = NULL;
            continue;
        }
        sizes[k] = rnd() % 3 == 0 ? rnd() % 16 : rnd() % 6000;
        blocks[k] = LIBC(malloc)(sizes[k]);
        if (!CHECK_NOT_NULL(blocks[k]))
            return;
        CHECK_UEQ((uintptr_t)blocks[k] % 16, 0);
        CHECK_UGE(LIBC(malloc_usable_size)(blocks[k]), sizes[k]);
        for (i = 0; i < sizes[k]; i++)
            blocks[k][i] = block_byte(k, i);
    }
    for (k = 0; k < NBLOCKS; k++)
        LIBC(free)(blocks[k]);
    CHECK_EQ(miou_heap_check(miou__libc_heap()), 0);
}

static void malloc_of_more_than_the_heap_fails_with_enomem(void)
{
    void *p;
    if (!have_heap())
        return;
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(malloc)(SIZE_MAX));
    CHECK_EQ(LIBC(errno), ENOMEM);
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(malloc)(SIZE_MAX / 2));
    CHECK_EQ(LIBC(errno), ENOMEM);
    /* ... and the heap still serves. */
    p = LIBC(malloc)(100);
    CHECK_NOT_NULL(p);
    LIBC(free)(p);
    CHECK_UEQ(LIBC(malloc_usable_size)(NULL), 0);
    LIBC(free)(NULL);
}

static void calloc_zeroes_and_refuses_an_overflowing_product(void)
{
    unsigned char *p;
    size_t i, nonzero = 0;
    if (!have_heap())
        return;
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(calloc)(SIZE_MAX / 2 + 1, 2));
    CHECK_EQ(LIBC(errno), ENOMEM);
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(calloc)((size_t)1 << 33, (size_t)1 << 33));
    CHECK_EQ(LIBC(errno), ENOMEM);
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(calloc)(3, SIZE_MAX / 2));
    CHECK_EQ(LIBC(errno), ENOMEM);
    /* Dirty a block, free it: calloc of the same size likely gets it
     * back, and must clear it. */
    p = LIBC(malloc)(3000);
    if (!CHECK_NOT_NULL(p))
        return;
    for (i = 0; i < 3000; i++)
        p[i] = 0xA5;
    LIBC(free)(p);
    p = LIBC(calloc)(1000, 3);
    if (!CHECK_NOT_NULL(p))
        return;
    for (i = 0; i < 3000; i++)
        nonzero += p[i] != 0;
    CHECK_UEQ(nonzero, 0);
    LIBC(free)(p);
}

static void realloc_keeps_the_bytes_and_fails_without_losing_the_block(void)
{
    unsigned char *p, *q;
    size_t i, bad = 0;
    if (!have_heap())
        return;
    p = LIBC(realloc)(NULL, 10);
    if (!CHECK_NOT_NULL(p))
        return;
    for (i = 0; i < 10; i++)
        p[i] = (unsigned char)(i + 1);
    q = LIBC(realloc)(p, 5000);
    if (!CHECK_NOT_NULL(q))
        return;
    for (i = 0; i < 10; i++)
        bad += q[i] != i + 1;
    for (i = 10; i < 5000; i++)
        q[i] = (unsigned char)i;
    p = LIBC(realloc)(q, 20);
    if (!CHECK_NOT_NULL(p))
        return;
    for (i = 10; i < 20; i++)
        bad += p[i] != (unsigned char)i;
    CHECK_UEQ(bad, 0);
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(realloc)(p, SIZE_MAX / 2));
    CHECK_EQ(LIBC(errno), ENOMEM);
    for (i = 0; i < 10; i++)
        bad += p[i] != i + 1;
    CHECK_UEQ(bad, 0);
    /* Size 0 frees, and is not a failure. */
    {
        struct miou_heap_stats before, after;
        miou_heap_stats(miou__libc_heap(), &before);
        LIBC(errno) = 0;
        CHECK_NULL(LIBC(realloc)(p, 0));
        CHECK_EQ(LIBC(errno), 0);
        miou_heap_stats(miou__libc_heap(), &after);
        CHECK_UEQ(after.blocks_used + 1, before.blocks_used);
    }
    CHECK_EQ(miou_heap_check(miou__libc_heap()), 0);
}

static void aligned_allocations_align_and_refuse_bad_alignments(void)
{
    static const size_t bad[] = {0, 3, 4, 12, 24, 48, 100, SIZE_MAX};
    static const size_t good[] = {8, 16, 32, 64, 256, 4096};
    void *p;
    size_t i;
    if (!have_heap())
        return;
    for (i = 0; i < CHECK_COUNT(bad); i++) {
        p = &p;
        LIBC(errno) = 1234;
        if (!CHECK_EQ(LIBC(posix_memalign)(&p, bad[i], 16), EINVAL))
            check_note("posix_memalign(alignment %zu)", bad[i]);
        CHECK_PTR_EQ(p, &p);         /* untouched on failure */
        CHECK_EQ(LIBC(errno), 1234); /* and errno too */
    }
    for (i = 0; i < CHECK_COUNT(good); i++) {
        p = NULL;
        if (!CHECK_EQ(LIBC(posix_memalign)(&p, good[i], 100), 0) ||
            !CHECK_NOT_NULL(p))
            continue;
        CHECK_UEQ((uintptr_t)p % good[i], 0);
        LIBC(free)(p);
        p = LIBC(aligned_alloc)(good[i], 3 * good[i]);
        if (!CHECK_NOT_NULL(p))
            continue;
        CHECK_UEQ((uintptr_t)p % good[i], 0);
        LIBC(free)(p);
    }
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(aligned_alloc)(3, 16));
    CHECK_EQ(LIBC(errno), EINVAL);
    LIBC(errno) = 0;
    CHECK_NULL(LIBC(aligned_alloc)(0, 16));
    CHECK_EQ(LIBC(errno), EINVAL);
    /* C17's aligned_alloc takes alignments below sizeof(void *). */
    p = LIBC(aligned_alloc)(4, 10);
    CHECK_NOT_NULL(p);
    LIBC(free)(p);
    CHECK_EQ(miou_heap_check(miou__libc_heap()), 0);
}

/* ---- Formats. */

#define FMT_BUF 700

/* vsnprintf(fmt, ap) must give (expect) and its length, into a buffer of
 * every size from 0 to the length + 1: the first size - 1 bytes, a NUL,
 * nothing written past the size, the full length returned. */
static int check_vfmt(const char *file, int line, const char *expect,
                      const char *fmt, va_list ap)
{
    char buf[FMT_BUF + 16];
    size_t len = strlen(expect), n, i;
    va_list aq;
    int rc;

    memset(buf, '~', sizeof buf);
    va_copy(aq, ap);
    rc = LIBC(vsnprintf)(buf, FMT_BUF, fmt, aq);
    va_end(aq);
    if (rc != (int)len || strcmp(buf, expect) != 0) {
        check_fail(file, line,
                   "format \"%s\": got %d \"%s\", expected %zu "
                   "\"%s\"",
                   fmt, rc, buf, len, expect);
        return 0;
    }
    va_copy(aq, ap);
    rc = LIBC(vsnprintf)(NULL, 0, fmt, aq);
    va_end(aq);
    if (rc != (int)len) {
        check_fail(file, line,
                   "format \"%s\" into NULL, 0: got %d, "
                   "expected %zu",
                   fmt, rc, len);
        return 0;
    }
    for (n = 0; n <= len + 1; n++) {
        memset(buf, '~', sizeof buf);
        va_copy(aq, ap);
        rc = LIBC(vsnprintf)(buf, n, fmt, aq);
        va_end(aq);
        int ok = rc == (int)len;
        if (n > 0)
            ok = ok && memcmp(buf, expect, n - 1) == 0 && buf[n - 1] == '\0';
        for (i = n; i < n + 16; i++)
            ok = ok && buf[i] == '~';
        if (!ok) {
            check_fail(file, line,
                       "format \"%s\" into %zu bytes: got %d "
                       "\"%.*s\", expected %zu \"%.*s\"",
                       fmt, n, rc, (int)n, buf, len, n > 0 ? (int)n - 1 : 0,
                       expect);
            return 0;
        }
    }
    return 1;
}

static int check_fmt(const char *file, int line, const char *expect,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int check_fmt(const char *file, int line, const char *expect,
                     const char *fmt, ...)
{
    va_list ap;
    int ok;
    va_start(ap, fmt);
    ok = check_vfmt(file, line, expect, fmt, ap);
    va_end(ap);
    return ok;
}

/* The same without the compiler's format checks (the volatile hides the
 * literal from them): for formats that are odd or wrong on purpose. */
static int check_raw(const char *file, int line, const char *expect,
                     const char *fmt, ...)
{
    const char *volatile hidden = fmt;
    va_list ap;
    int ok;
    va_start(ap, fmt);
    ok = check_vfmt(file, line, expect, hidden, ap);
    va_end(ap);
    return ok;
}

/* T(expected output, format, arguments...) */
#define T(...) check_fmt(__FILE__, __LINE__, __VA_ARGS__)
#define RAW(...) check_raw(__FILE__, __LINE__, __VA_ARGS__)

static void snprintf_formats_integers(void)
{
    T("hello", "hello");
    T("0", "%d", 0);
    T("42 -42", "%d %i", 42, -42);
    T("2147483647", "%d", INT_MAX);
    T("-2147483648", "%d", INT_MIN);
    T("4294967295", "%u", UINT_MAX);
    T("-9223372036854775808", "%ld", LONG_MIN);
    T("9223372036854775807", "%ld", LONG_MAX);
    T("-9223372036854775808", "%lld", LLONG_MIN);
    T("18446744073709551615", "%lu", ULONG_MAX);
    T("18446744073709551615", "%llu", ULLONG_MAX);
    T("18446744073709551615", "%" PRIu64, UINT64_MAX);
    T("-9223372036854775808", "%" PRId64, INT64_MIN);
    T("ffffffffffffffff", "%" PRIx64, UINT64_MAX);
    T("FF 377 -128 255", "%" PRIX8 " %" PRIo8 " %" PRId8 " %" PRIu8,
      (uint8_t)255, (uint8_t)255, (int8_t)-128, (uint8_t)255);
    T("-9223372036854775808", "%jd", INTMAX_MIN);
    T("18446744073709551615", "%ju", UINTMAX_MAX);
    T("18446744073709551615", "%zu", SIZE_MAX);
    T("-5", "%zd", (ptrdiff_t)-5);
    T("-7 7", "%td %tu", (ptrdiff_t)-7, (size_t)7);
    T("-128 200 -32768 65535", "%hhd %hhu %hd %hu", (signed char)-128,
      (unsigned char)200, (short)-32768, (unsigned short)65535);
    /* hh and h convert the promoted int back to their type. */
    RAW("-1 7 ff", "%hhd %hhu %hhx", 255, 256 + 7, 0x1ff);
    RAW("-1 5", "%hd %hu", 65535, 65536 + 5);
    T("ff FF 0xff 0XFF 0", "%x %X %#x %#X %#x", 255, 255, 255, 255, 0);
    T("10 010 0 010 0 00010", "%o %#o %#o %#.3o %#.0o %#.5o", 8, 8, 0, 8, 0, 8);
    T("deadbeef", "%lx", 0xdeadbeefUL);
}

static void snprintf_honours_flags_width_and_precision(void)
{
    T("   42|42   |00042|-0042", "%5d|%-5d|%05d|%05d", 42, 42, 42, -42);
    T("+42| 42|   42", "%+d|% d|% 5d", 42, 42, 42);
    RAW("+42", "%+ d", 42); /* '+' wins over ' ' */
    T("+42  |-42", "%-+5d|%+d", 42, -42);
    T("007|-007|    -007|007     |", "%.3d|%.3d|%8.3d|%-8.3d|", 7, -7, -7, 7);
    RAW("     007", "%08.3d", 7); /* '0' is ignored with a precision */
    T("|     |+", "%.0d|%5.0d|%+.0d", 0, 0, 0);
    T("    0xff|0x0000ff|0xff    |0x00ff", "%#8x|%#08x|%-#8x|%#.4x", 255, 255,
      255, 255);
    T("-0000000000000000000000000000042", "%032d", -42);
    T("4294967295      |", "%-16u|", UINT_MAX);
    T("18446744073709551615", "%1llu", ULLONG_MAX);
}

static void snprintf_takes_width_and_precision_from_star(void)
{
    T("   42", "%*d", 5, 42);
    T("42   |", "%-*d|", 5, 42);
    T("42   |", "%*d|", -5, 42); /* a negative width is '-' */
    T("0042", "%.*d", 4, 42);
    T("42", "%.*d", -1, 42); /* a negative precision is none */
    T("   005", "%*.*d", 6, 3, 5);
    T("ab    |", "%*.*s|", -6, 2, "abc");
    T("  x|", "%*c|", 3, 'x');
}

static void snprintf_formats_chars_strings_pointers_and_percent(void)
{
    const char *volatile null_str = NULL;
    const char unterminated[3] = {'x', 'y', 'z'};
    char buf[8];

    T("A|  z|z  |", "%c|%3c|%-3c|", 'A', 'z', 'z');
    T("abc|  abc|abc  |", "%s|%5s|%-5s|", "abc", "abc", "abc");
    T("ab||abc", "%.2s|%.0s|%.5s", "abc", "abc", "abc");
    T("(null)", "%s", null_str);
    /* With a precision, no byte past it is read. */
    T("xyz", "%.3s", unterminated);
    T("0x1234 (nil)", "%p %p", (void *)0x1234, (void *)NULL);
    T("     0xabc|0xabc     |", "%10p|%-10p|", (void *)0xabc, (void *)0xabc);
    T("0xffffffffffffffff", "%p", (void *)UINTPTR_MAX);
    T("%|100% sure|5%", "%%|100%% sure|%d%%", 5);
    T("a=-1, b=2", "%s=%d, %s=%u", "a", -1, "b", 2u);
    /* A NUL from %c is output and counted. */
    memset(buf, '~', sizeof buf);
    CHECK_EQ(LIBC(snprintf)(buf, sizeof buf, "a%cb", 0), 3);
    CHECK(buf[0] == 'a' && buf[1] == '\0' && buf[2] == 'b' && buf[3] == '\0');
}

/* inf and nan without <math.h>, which the Solo5 build does not have. */
#define F_INF __builtin_inf()
#define F_NAN __builtin_nan("")

/* The expected strings are glibc's (2.36) output for the same calls. */
static void snprintf_formats_floating_point_in_styles_f_e_and_g(void)
{
    T("2.50", "%.2f", 2.5);
    T("5.000", "%.3f", 5.0);
    T("0.100000", "%f", 0.1);
    T("1000000000000000.000000", "%f", 1e15);
    T("123456.789000", "%f", 123456.789);
    T("-0.000000", "%f", -0.0);
    T("100000000000000000000.000000", "%f", 1e20);
    T("0.000|0|1.", "%.3f|%.0f|%#.0f", 1e-10, 1e-10, 1.0);
    T("0.000000e+00", "%e", 0.0);
    T("1.000000e-300", "%e", 1e-300);
    T("1.797693e+308", "%e", 1.7976931348623157e308);
    T("-4.940656E-324", "%E", -5e-324);
    T("1e+04|1.e+04", "%.0e|%#.0e", 12345.0, 12345.0);
    T("100000", "%g", 100000.0);
    T("1e+06", "%g", 1000000.0);
    T("1e-05", "%g", 1e-5);
    T("0.0001", "%g", 0.0001);
    T("123.456", "%g", 123.456);
    T("7.11", "%.6g", 7.11);
    T("1.00000", "%#g", 1.0);
    T("0.00000|12.0", "%#g|%#.3g", 0.0, 12.0);
    T("0|1E-10", "%g|%G", 0.0, 1e-10);
    T("1e+15|1e+16|1.23457e+08", "%g|%g|%g", 1e15, 1e16, 123456789.0);
    T("0.3", "%.15g", 0.3);
    T("0x1p+0|-0X1.8P+1|0x2.0p+0|0x0p+0", "%a|%A|%.1a|%a", 1.0, -3.0, 1.96875,
      0.0);
    /* L: a long double, printed as the nearest double. */
    T("2.500000", "%Lf", (long double)2.5);
    T("1.000e-01|1e-20", "%.3Le|%Lg", (long double)0.1, (long double)1e-20);
    T("1.500000 7 x", "%f %d %s", 1.5, 7, "x");
}

static void snprintf_rounds_floating_point_to_nearest_ties_to_even(void)
{
    /* 0.5, 1.5, 2.5 are exact: ties go to the even digit. */
    T("0 2 2", "%.0f %.0f %.0f", 0.5, 1.5, 2.5);
    T("-0 4 1", "%.0f %.0f %.0f", -0.5, 3.5, 0.51);
    /* 0.25 is exact; 0.35 and 0.05 are a little below their text. */
    T("0.2 0.3 0.1", "%.1f %.1f %.1f", 0.25, 0.35, 0.05);
    T("1000.000", "%.3f", 999.9995);
    T("9.99", "%.2f", 9.995);
    T("1e+01|0.9|1e+03", "%.0g|%.1g|%.3g", 9.5, 0.95, 999.5);
    T("0.10000000000000001", "%.17g", 0.1);
    T("0.33333333333333331", "%.17g", 1.0 / 3);
    T("123456789.123456791", "%.9f", 123456789.123456789);
    T("2.22507385850720138e-308", "%.17e", 2.2250738585072014e-308);
}

static void snprintf_pads_and_signs_floating_point_inf_and_nan(void)
{
    T("     3.142", "%10.3f", 3.14159);
    T("1.23e+03  |", "%-10.2e|", 1234.5);
    T("+1.000000", "%+f", 1.0);
    T(" 1.000000", "% f", 1.0);
    T("-1.2|-1.2", "%+.1f|% .1f", -1.25, -1.25);
    T("0000003.14|-000003.14", "%010.2f|%+010.2f", 3.14159, -3.14159);
    RAW("3.14      |", "%-010.2f|", 3.14159); /* '-' wins over '0' */
    T("    3.14|3.1e+01     |", "%*.*f|%-*.*e|", 8, 2, 3.14159, 12, 1, 31.4);
    /* The '0' flag pads inf and nan with spaces. */
    T("  inf|-inf |  inf|+inf", "%5f|%-5f|%05f|%+f", F_INF, -F_INF, F_INF,
      F_INF);
    T("INF|-INF|NAN| nan", "%F|%E|%G|% f", F_INF, -F_INF, F_NAN, F_NAN);
    T("   nan|NAN   |-nan", "%6f|%-6F|%g", F_NAN, F_NAN, -F_NAN);
}

static void snprintf_prints_every_digit_of_a_double(void)
{
    static char buf[1200];
    int n;

    T("0.100000000000000005551115123125782702118158340454101562500000", "%.60f",
      0.1);
    T("17976931348623157081452742373170435679807056752584499659891747680315"
      "72607800285387605895586327668781715404589535143824642343213268894641"
      "82768467546703537516986049910576551282076245490090389328944075868508"
      "45513394230458323690322294816580855933212334827479782620414472316873"
      "8177180919299881250404026184124858368",
      "%.0f", 1.7976931348623157e308);
    /* The least subnormal, 2^-1074: 1074 decimals, the last 751 of them
     * significant. Longer than check_fmt's buffer. */
    n = LIBC(snprintf)(buf, sizeof buf, "%.1074f", 4.9406564584124654e-324);
    CHECK_EQ(n, 1076);
    CHECK_EQ(strspn(buf, "0."), (size_t)325);
    CHECK_STR_EQ(buf + n - 60, "7026370902792427675445652290875386825064197"
                               "18265533447265625");
}

static void snprintf_copies_unsupported_conversions_as_written(void)
{
    int untouched = 42;
    RAW("%y|5", "%y|%d", 5);
    RAW("%lc|5", "%lc|%d", 65, 5);
    RAW("%ls|5", "%ls|%d", (void *)NULL, 5);
    RAW("%n|5", "%n|%d", &untouched, 5);
    CHECK_EQ(untouched, 42);
    RAW("abc%", "abc%");
    RAW("%-5", "%-5");
    RAW("%1$d", "%1$d", 5);
}

static void snprintf_output_past_int_max_fails_with_eoverflow(void)
{
    char buf[8];
    const char *volatile fmt = "%2147483648d";
    memset(buf, '~', sizeof buf);
    LIBC(errno) = 0;
    CHECK_EQ(LIBC(snprintf)(buf, sizeof buf, fmt, 1), -1);
    CHECK_EQ(LIBC(errno), EOVERFLOW);
    CHECK_EQ(buf[0], '\0');
    fmt = "%.2147483648d";
    LIBC(errno) = 0;
    CHECK_EQ(LIBC(snprintf)(buf, sizeof buf, fmt, 1), -1);
    CHECK_EQ(LIBC(errno), EOVERFLOW);
    /* INT_MAX bytes still fit in the return value... */
    LIBC(errno) = 0;
    fmt = "%*d";
    CHECK_EQ(LIBC(snprintf)(buf, sizeof buf, fmt, INT_MAX, 1), INT_MAX);
    CHECK_EQ(LIBC(errno), 0);
    CHECK_STR_EQ(buf, "       ");
    /* ... one more does not. */
    CHECK_EQ(LIBC(snprintf)(buf, sizeof buf, fmt, INT_MIN, 1), -1);
    CHECK_EQ(LIBC(errno), EOVERFLOW);
    fmt = "%*d%d";
    LIBC(errno) = 0;
    CHECK_EQ(LIBC(snprintf)(buf, sizeof buf, fmt, INT_MAX, 1, 2), -1);
    CHECK_EQ(LIBC(errno), EOVERFLOW);
}

static void snprintf_fills_long_fields_exactly(void)
{
    char buf[700];
    size_t i, bad = 0;
    CHECK_EQ(LIBC(snprintf)(buf, sizeof buf, "%600d|", 1), 601);
    for (i = 0; i < 599; i++)
        bad += buf[i] != ' ';
    CHECK_UEQ(bad, 0);
    CHECK_STR_EQ(buf + 599, "1|");
    CHECK_EQ(LIBC(snprintf)(buf, sizeof buf, "%-.600d", 1), 600);
    CHECK_EQ(buf[0], '0');
    CHECK_EQ(buf[599], '1');
}

static int call_vprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int call_vprintf(const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = LIBC(vprintf)(fmt, ap);
    va_end(ap);
    return rc;
}

static void printf_and_puts_write_to_the_console(void)
{
    char expect[700];
    const char *out;
    int captured = check_capture_begin() == 0;
    CHECK_EQ(LIBC(printf)("x=%d\n", 5), 4);
    CHECK_GE(LIBC(puts)("line"), 0);
    CHECK_GE(LIBC(fputs)("a", LIBC(stdout)), 0);
    CHECK_EQ(LIBC(fputc)('b', LIBC(stderr)), 'b');
    CHECK_EQ(LIBC(putchar)('c'), 'c');
    CHECK_EQ(LIBC(fprintf)(LIBC(stderr), "%s", "d"), 1);
    CHECK_EQ(call_vprintf("%c%c", 'e', 'f'), 2);
    CHECK_UEQ(LIBC(fwrite)("gh!", 1, 2, LIBC(stdout)), 2);
    CHECK_UEQ(LIBC(fwrite)("ij", 2, 1, LIBC(stdout)), 1);
    CHECK_EQ(LIBC(putchar)(0x100 + 'k'), 'k');
    CHECK_EQ(LIBC(fflush)(LIBC(stdout)), 0);
    /* More than the 256-byte buffer of a printf call. */
    CHECK_EQ(LIBC(printf)("|%600d|", 7), 602);
    if (!captured) {
        LIBC(putchar)('\n');
        check_note("console capture not supported here: texts not checked");
        return;
    }
    out = check_capture_end();
    snprintf(expect, sizeof expect, "x=5\nline\nabcdefghijk|%600d|", 7);
    CHECK_STR_EQ(out, expect);
}

/* ---- mem*: every size and alignment against reference loops. */

#define MEM_MAX 300
#define MEM_PAD 80 /* bytes around the copy, checked untouched */
#define MEM_SIZE (MEM_PAD + 16 + MEM_MAX + MEM_PAD)

static _Alignas(64) unsigned char mem_src[MEM_SIZE], mem_dst[MEM_SIZE],
    mem_ref[MEM_SIZE];

static REF_LOOP void fill(unsigned char *p, size_t n, unsigned seed)
{
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 29u + seed * 13u + 1u);
}

static REF_LOOP void ref_copy(unsigned char *d, const unsigned char *s,
                              size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        d[i] = s[i];
}

/* The index of the first byte where (a) and (b) differ, or (n). */
static size_t first_diff(const unsigned char *a, const unsigned char *b,
                         size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (a[i] != b[i])
            return i;
    return n;
}

/* memcpy, or memmove when (move), of (n) bytes from mem_src + (sa) to
 * mem_dst + (da), both past MEM_PAD; 1 when the bytes are right. */
static int check_copy(int move, size_t n, size_t sa, size_t da)
{
    unsigned char *d = mem_dst + MEM_PAD + da;
    const unsigned char *s = mem_src + MEM_PAD + sa;
    void *r;
    size_t at;

    fill(mem_src, MEM_SIZE, (unsigned)n);
    fill(mem_dst, MEM_SIZE, (unsigned)n + 77u);
    ref_copy(mem_ref, mem_dst, MEM_SIZE);
    ref_copy(mem_ref + MEM_PAD + da, s, n);
    r = move ? LIBC(memmove)(d, s, n) : LIBC(memcpy)(d, s, n);
    at = first_diff(mem_dst, mem_ref, MEM_SIZE);
    if (r != d || at < MEM_SIZE) {
        check_fail(__FILE__, __LINE__,
                   "%s(dst + %zu, src + %zu, %zu): %s byte %ld of dst is "
                   "%#x, expected %#x",
                   move ? "memmove" : "memcpy", da, sa, n,
                   r != d ? "wrong return value;" : "",
                   (long)at - (long)(MEM_PAD + da),
                   at < MEM_SIZE ? mem_dst[at] : 0,
                   at < MEM_SIZE ? mem_ref[at] : 0);
        return 0;
    }
    fill(mem_ref, MEM_SIZE, (unsigned)n);
    if (!CHECK_UEQ(first_diff(mem_src, mem_ref, MEM_SIZE), MEM_SIZE))
        return 0; /* the source was written */
    return 1;
}

static void memcpy_copies_every_size_at_every_alignment(void)
{
    size_t n, sa, da;
    for (n = 0; n <= MEM_MAX; n++)
        for (sa = 0; sa < 16; sa++)
            for (da = 0; da < 16; da++)
                if (!check_copy(0, n, sa, da))
                    return;
}

static void memmove_copies_every_size_at_every_alignment(void)
{
    size_t n, sa, da;
    for (n = 0; n <= MEM_MAX; n++)
        for (sa = 0; sa < 16; sa++)
            for (da = 0; da < 16; da++)
                if (!check_copy(1, n, sa, da))
                    return;
}

/* The source sits at OVL_BASE + alignment; the destination up to
 * MEM_MAX - 1 bytes before or after it. */
#define OVL_BASE (MEM_MAX + 32)
#define OVL_SIZE (OVL_BASE + 16 + MEM_MAX + OVL_BASE)
static _Alignas(64) unsigned char ovl_buf[OVL_SIZE], ovl_ref[OVL_SIZE],
    ovl_tmp[OVL_SIZE];

/* memmove within one buffer, (dst) = (src) + (delta). */
static int check_overlap(size_t n, size_t sa, long delta)
{
    size_t s = OVL_BASE + sa, d = (size_t)((long)s + delta), at;
    void *r;
    fill(ovl_buf, OVL_SIZE, (unsigned)(n + sa));
    ref_copy(ovl_ref, ovl_buf, OVL_SIZE);
    ref_copy(ovl_tmp, ovl_buf + s, n);
    ref_copy(ovl_ref + d, ovl_tmp, n);
    r = LIBC(memmove)(ovl_buf + d, ovl_buf + s, n);
    at = first_diff(ovl_buf, ovl_ref, OVL_SIZE);
    if (r != ovl_buf + d || at < OVL_SIZE) {
        check_fail(__FILE__, __LINE__,
                   "memmove(src + %ld, src, %zu), src at alignment %zu: "
                   "%s byte %ld of dst is %#x, expected %#x",
                   delta, n, sa, r != ovl_buf + d ? "wrong return value;" : "",
                   (long)at - (long)d, at < OVL_SIZE ? ovl_buf[at] : 0,
                   at < OVL_SIZE ? ovl_ref[at] : 0);
        return 0;
    }
    return 1;
}

/* Frames and sectors: sizes past MEM_MAX, where the copies take their
 * other paths (rep movsb from 1 KiB on x86_64). */
#define BIG_MAX 9000
static _Alignas(64) unsigned char big_src[BIG_MAX + 32], big_dst[BIG_MAX + 64],
    big_ref[BIG_MAX + 64];

static void mem_functions_copy_frame_and_sector_sizes(void)
{
    static const size_t sizes[] = {301,  511,  512,  513,  1023, 1024,
                                   1025, 1500, 1514, 1518, 2047, 2048,
                                   4095, 4096, 4097, 8191, 8192, BIG_MAX};
    size_t i, sa, da, op, at;
    for (i = 0; i < CHECK_COUNT(sizes); i++)
        for (sa = 0; sa < 16; sa++)
            for (da = 0; da < 16; da++)
                for (op = 0; op < 3; op++) {
                    size_t n = sizes[i];
                    unsigned char *d = big_dst + 16 + da;
                    void *r = NULL;
                    fill(big_src, sizeof big_src, (unsigned)(n + sa));
                    fill(big_dst, sizeof big_dst, (unsigned)(n + da + 50));
                    ref_copy(big_ref, big_dst, sizeof big_dst);
                    if (op < 2)
                        ref_copy(big_ref + 16 + da, big_src + sa, n);
                    else
                        for (at = 0; at < n; at++)
                            big_ref[16 + da + at] = 0xc3;
                    switch (op) {
                    case 0:
                        r = LIBC(memcpy)(d, big_src + sa, n);
                        break;
                    case 1:
                        r = LIBC(memmove)(d, big_src + sa, n);
                        break;
                    case 2:
                        r = LIBC(memset)(d, 0xc3, n);
                        break;
                    }
                    at = first_diff(big_dst, big_ref, sizeof big_dst);
                    if (r != d || at < sizeof big_dst) {
                        check_fail(__FILE__, __LINE__,
                                   "%s(dst + %zu, src + %zu, %zu): %s byte "
                                   "%ld of dst is wrong",
                                   op == 0   ? "memcpy"
                                   : op == 1 ? "memmove"
                                             : "memset",
                                   da, sa, n,
                                   r != d ? "wrong return value;" : "",
                                   (long)at - (long)(16 + da));
                        return;
                    }
                }
}

/* memmove within one buffer, dst = src + (delta), |delta| <= n + 1. */
static _Alignas(64) unsigned char bigo_buf[3 * BIG_MAX + 64],
    bigo_ref[3 * BIG_MAX + 64];

static void memmove_handles_overlap_of_frame_and_sector_sizes(void)
{
    static const size_t sizes[] = {129, 513, 1023, 1024, 1514, 4096, BIG_MAX};
    size_t i, sa, k, at;
    for (i = 0; i < CHECK_COUNT(sizes); i++)
        for (sa = 0; sa < 16; sa++) {
            size_t n = sizes[i];
            long deltas[] = {1,           15,          16,      64,         65,
                             (long)n / 2, (long)n - 1, (long)n, (long)n + 1};
            for (k = 0; k < 2 * CHECK_COUNT(deltas); k++) {
                long delta = k % 2 ? -deltas[k / 2] : deltas[k / 2];
                size_t s = BIG_MAX + 16 + sa, d = (size_t)((long)s + delta);
                void *r;
                fill(bigo_buf, sizeof bigo_buf, (unsigned)(n + k));
                ref_copy(bigo_ref, bigo_buf, sizeof bigo_buf);
                ref_copy(big_ref, bigo_buf + s, n);
                ref_copy(bigo_ref + d, big_ref, n);
                r = LIBC(memmove)(bigo_buf + d, bigo_buf + s, n);
                at = first_diff(bigo_buf, bigo_ref, sizeof bigo_buf);
                if (r != bigo_buf + d || at < sizeof bigo_buf) {
                    check_fail(__FILE__, __LINE__,
                               "memmove(src + %ld, src, %zu), src at "
                               "alignment %zu: %s byte %ld of dst is wrong",
                               delta, n, sa,
                               r != bigo_buf + d ? "wrong return value;" : "",
                               (long)at - (long)d);
                    return;
                }
            }
        }
}

static void memmove_handles_overlap_in_both_directions(void)
{
    static const long deltas[] = {1,  2,  3,  7,  8,  9,  15,  16,  17, 31,
                                  32, 33, 47, 63, 64, 65, 127, 128, 129};
    size_t n, sa, i;
    for (n = 0; n <= MEM_MAX; n++)
        for (sa = 0; sa < 16; sa++) {
            if (!check_overlap(n, sa, 0))
                return;
            for (i = 0; i < CHECK_COUNT(deltas); i++)
                if (!check_overlap(n, sa, deltas[i]) ||
                    !check_overlap(n, sa, -deltas[i]))
                    return;
            /* Overlaps by all but one byte, and by half. */
            if (n > 1 && (!check_overlap(n, sa, (long)n - 1) ||
                          !check_overlap(n, sa, 1 - (long)n) ||
                          !check_overlap(n, sa, (long)n / 2) ||
                          !check_overlap(n, sa, -(long)n / 2)))
                return;
        }
}

static void memset_fills_every_size_at_every_alignment(void)
{
    static const int values[] = {0, 0xff, 0x5a, 0x180, -1};
    size_t n, da, v, i, at;
    for (n = 0; n <= MEM_MAX; n++)
        for (da = 0; da < 16; da++)
            for (v = 0; v < CHECK_COUNT(values); v++) {
                unsigned char *d = mem_dst + MEM_PAD + da;
                void *r;
                fill(mem_dst, MEM_SIZE, (unsigned)(n + v));
                ref_copy(mem_ref, mem_dst, MEM_SIZE);
                for (i = 0; i < n; i++)
                    mem_ref[MEM_PAD + da + i] = (unsigned char)values[v];
                r = LIBC(memset)(d, values[v], n);
                at = first_diff(mem_dst, mem_ref, MEM_SIZE);
                if (r != d || at < MEM_SIZE) {
                    check_fail(__FILE__, __LINE__,
                               "memset(dst + %zu, %#x, %zu): %s byte %ld is "
                               "%#x",
                               da, (unsigned)values[v], n,
                               r != d ? "wrong return value;" : "",
                               (long)at - (long)(MEM_PAD + da),
                               at < MEM_SIZE ? mem_dst[at] : 0);
                    return;
                }
            }
}

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

/* memcmp of (n) bytes at alignments (a) and (b), first differing at (p)
 * (none when p >= n). */
static int check_cmp(size_t n, size_t a, size_t b, size_t p)
{
    unsigned char *x = mem_src + MEM_PAD + a, *y = mem_dst + MEM_PAD + b;
    int want = 0, got, got2;
    fill(x, n + 1, 5);
    fill(y, n + 1, 5);
    x[n] = 1; /* the bytes past (n) differ and must not count */
    y[n] = 2;
    if (p < n) {
        /* 0x80 > 0x7f: bytes compare as unsigned char. The next byte
         * differs the other way and must not count either. */
        x[p] = 0x80;
        y[p] = 0x7f;
        if (p + 1 < n) {
            x[p + 1] = 0x00;
            y[p + 1] = 0xff;
        }
        want = 1;
    }
    got = sign(LIBC(memcmp)(x, y, n));
    got2 = sign(LIBC(memcmp)(y, x, n));
    if (got != want || got2 != -want) {
        check_fail(__FILE__, __LINE__,
                   "memcmp of %zu bytes at alignments %zu and %zu, first "
                   "difference at %zu: signs %d and %d, expected %d and %d",
                   n, a, b, p, got, got2, want, -want);
        return 0;
    }
    return 1;
}

static void memcmp_finds_the_first_difference_as_unsigned_bytes(void)
{
    size_t n, k, p;
    for (n = 0; n <= MEM_MAX; n++)
        for (k = 0; k < 16; k++) {
            size_t a = k, b = (k * 5 + 3) % 16;
            if (!check_cmp(n, a, b, n))
                return;
            if (k == 0) {
                for (p = 0; p < n; p++)
                    if (!check_cmp(n, a, b, p))
                        return;
            } else if (n > 0 &&
                       (!check_cmp(n, a, b, 0) || !check_cmp(n, a, b, n / 2) ||
                        !check_cmp(n, a, b, n - 1))) {
                return;
            }
        }
}

static void memchr_finds_the_first_match_within_n(void)
{
    unsigned char buf[80];
    size_t n, p, i;
    for (n = 0; n <= 64; n++)
        for (p = 0; p <= n; p++) {
            fill(buf, sizeof buf, 3);
            for (i = 0; i <= n; i++)
                buf[i] = 0;
            if (p < n)
                buf[p] = 0xff;
            buf[n] = 0xff; /* past the end: not to be found */
            CHECK_PTR_EQ(LIBC(memchr)(buf, 0x1ff, n), p < n ? buf + p : NULL);
            if (check_failed()) {
                check_note("memchr(n = %zu), 0xff at %zu", n, p);
                return;
            }
        }
    const char *t = "abcabc";
    CHECK_PTR_EQ(LIBC(memchr)(t, 'c', 6), t + 2);
    CHECK_PTR_EQ(LIBC(memchr)(t, 'c', 2), NULL);
}

/* Buffers of exactly the size used, from the allocator that
 * AddressSanitizer and valgrind watch (glibc's when hosted): an access
 * one byte out is reported. */
static void mem_functions_stay_inside_exact_size_buffers(void)
{
    size_t n;
    for (n = 0; n <= 300; n++) {
        unsigned char *a = malloc(n ? n : 1), *b = malloc(n ? n : 1);
        if (!CHECK_NOT_NULL(a) || !CHECK_NOT_NULL(b)) {
            free(a);
            free(b);
            return;
        }
        fill(a, n, 1);
        LIBC(memset)(b, 0x33, n);
        LIBC(memcpy)(b, a, n);
        CHECK_EQ(LIBC(memcmp)(a, b, n), 0);
        if (n > 1) {
            LIBC(memmove)(b + 1, b, n - 1);
            LIBC(memmove)(b, b + 1, n - 1);
        }
        CHECK_NULL(LIBC(memchr)(b, 0x100, 0));
        free(a);
        free(b);
        if (check_failed())
            return;
    }
}

/* ---- str*. */

static void string_functions_follow_the_standard(void)
{
    const char *s = "hello";
    const char unterminated[4] = {'a', 'b', 'c', 'd'};
    char buf[32];

    CHECK_UEQ(LIBC(strlen)(""), 0);
    CHECK_UEQ(LIBC(strlen)("abc"), 3);
    CHECK_UEQ(LIBC(strnlen)("abc", 2), 2);
    CHECK_UEQ(LIBC(strnlen)("abc", 10), 3);
    CHECK_UEQ(LIBC(strnlen)(unterminated, 4), 4);

    CHECK_EQ(LIBC(strcmp)("", ""), 0);
    CHECK_EQ(LIBC(strcmp)("abc", "abc"), 0);
    CHECK_LT(LIBC(strcmp)("abc", "abd"), 0);
    CHECK_GT(LIBC(strcmp)("abd", "abc"), 0);
    CHECK_LT(LIBC(strcmp)("ab", "abc"), 0);
    CHECK_GT(LIBC(strcmp)("abc", "ab"), 0);
    CHECK_GT(LIBC(strcmp)("\x80", "\x7f"), 0); /* unsigned char */
    CHECK_EQ(LIBC(strncmp)("abcd", "abce", 3), 0);
    CHECK_LT(LIBC(strncmp)("abcd", "abce", 4), 0);
    CHECK_EQ(LIBC(strncmp)("x", "y", 0), 0);
    CHECK_LT(LIBC(strncmp)("ab", "abc", 3), 0);
    CHECK_EQ(LIBC(strncmp)("ab\0x", "ab\0y", 4), 0); /* stops at the NUL */
    CHECK_GT(LIBC(strncmp)("\xff", "\x01", 1), 0);

    CHECK_PTR_EQ(LIBC(strchr)(s, 'l'), s + 2);
    CHECK_PTR_EQ(LIBC(strchr)(s, '\0'), s + 5);
    CHECK_NULL(LIBC(strchr)(s, 'z'));
    CHECK_PTR_EQ(LIBC(strchr)(s, 0x100 + 'e'), s + 1); /* (char)c */
    CHECK_PTR_EQ(LIBC(strrchr)(s, 'l'), s + 3);
    CHECK_PTR_EQ(LIBC(strrchr)(s, '\0'), s + 5);
    CHECK_PTR_EQ(LIBC(strrchr)(s, 'h'), s);
    CHECK_NULL(LIBC(strrchr)(s, 'z'));

    memset(buf, '~', sizeof buf);
    CHECK_PTR_EQ(LIBC(strcpy)(buf, "abc"), buf);
    CHECK(memcmp(buf, "abc\0~", 5) == 0);
    memset(buf, '~', sizeof buf);
    CHECK_PTR_EQ(LIBC(strncpy)(buf, "ab", 5), buf);
    CHECK(memcmp(buf, "ab\0\0\0~", 6) == 0); /* padded with NULs */
    memset(buf, '~', sizeof buf);
    LIBC(strncpy)(buf, "abcdef", 3);
    CHECK(memcmp(buf, "abc~", 4) == 0); /* and no NUL when it is full */
    LIBC(strcpy)(buf, "foo");
    CHECK_PTR_EQ(LIBC(strcat)(buf, "bar"), buf);
    CHECK_STR_EQ(buf, "foobar");
    LIBC(strcat)(buf, "");
    CHECK_STR_EQ(buf, "foobar");

    s = "hello world";
    CHECK_PTR_EQ(LIBC(strstr)(s, "world"), s + 6);
    CHECK_PTR_EQ(LIBC(strstr)(s, "o"), s + 4);
    CHECK_PTR_EQ(LIBC(strstr)(s, ""), s);
    CHECK_NULL(LIBC(strstr)(s, "worlds"));
    CHECK_NULL(LIBC(strstr)("", "a"));
    s = "aaab";
    CHECK_PTR_EQ(LIBC(strstr)(s, "aab"), s + 1);

    CHECK_UEQ(LIBC(strspn)("abcde", "cba"), 3);
    CHECK_UEQ(LIBC(strspn)("xyz", "abc"), 0);
    CHECK_UEQ(LIBC(strspn)("abc", ""), 0);
    CHECK_UEQ(LIBC(strspn)("\xff\xfe\x01", "\xfe\xff"), 2);
    CHECK_UEQ(LIBC(strcspn)("abcde", "xd"), 3);
    CHECK_UEQ(LIBC(strcspn)("abc", ""), 3);
    CHECK_UEQ(LIBC(strcspn)("\xff\x80"
                            "a",
                            "a"),
              2);
}

static void strerror_has_linux_texts_and_numbers(void)
{
    CHECK_STR_EQ(LIBC(strerror)(0), "Success");
    CHECK_STR_EQ(LIBC(strerror)(12), "Cannot allocate memory");
    CHECK_STR_EQ(LIBC(strerror)(22), "Invalid argument");
    CHECK_STR_EQ(LIBC(strerror)(33), "Numerical argument out of domain");
    CHECK_STR_EQ(LIBC(strerror)(34), "Numerical result out of range");
    CHECK_STR_EQ(LIBC(strerror)(75), "Value too large for defined data type");
    CHECK_STR_EQ(LIBC(strerror)(110), "Connection timed out");
    CHECK_STR_EQ(LIBC(strerror)(-1), "Unknown error");
    CHECK_STR_EQ(LIBC(strerror)(9999), "Unknown error");
    CHECK_EQ(ENOMEM, 12);
    CHECK_EQ(EINVAL, 22);
    CHECK_EQ(EDOM, 33);
    CHECK_EQ(ERANGE, 34);
    CHECK_EQ(EOVERFLOW, 75);
    CHECK_EQ(EAGAIN, 11);
    CHECK_EQ(ETIMEDOUT, 110);
}

/* ---- Numbers. */

#define NOCHANGE 12345 /* errno before each call: left alone on success */

struct signed_row {
    const char *text;
    int base;
    long long value;
    size_t end; /* offset of *endptr */
    int err;    /* errno after, NOCHANGE when untouched */
};

static const struct signed_row signed_rows[] = {
    {"0", 10, 0, 1, NOCHANGE},
    {"123", 10, 123, 3, NOCHANGE},
    {"  \t\n-42xyz", 10, -42, 7, NOCHANGE},
    {"+17", 10, 17, 3, NOCHANGE},
    {"-0", 10, 0, 2, NOCHANGE},
    {"0x1A", 0, 26, 4, NOCHANGE},
    {"0X1a", 16, 26, 4, NOCHANGE},
    {"-0x10", 0, -16, 5, NOCHANGE},
    {"0x", 16, 0, 1, NOCHANGE}, /* the 0, then "x" is text */
    {"0xg", 0, 0, 1, NOCHANGE},
    {"017", 0, 15, 3, NOCHANGE}, /* octal */
    {"08", 0, 0, 1, NOCHANGE},
    {"z", 36, 35, 1, NOCHANGE},
    {"Zz", 36, 1295, 2, NOCHANGE},
    {"1010", 2, 10, 4, NOCHANGE},
    {"12", 2, 1, 1, NOCHANGE},
    {"777", 8, 511, 3, NOCHANGE},
    {"12abc", 10, 12, 2, NOCHANGE},
    {"12abc", 16, 0x12abc, 5, NOCHANGE},
    {"9223372036854775807", 10, LLONG_MAX, 19, NOCHANGE},
    {"9223372036854775808", 10, LLONG_MAX, 19, ERANGE},
    {"-9223372036854775808", 10, LLONG_MIN, 20, NOCHANGE},
    {"-9223372036854775809", 10, LLONG_MIN, 20, ERANGE},
    {"99999999999999999999999999x", 10, LLONG_MAX, 26, ERANGE},
    {"-99999999999999999999999999", 10, LLONG_MIN, 27, ERANGE},
    {"0x7fffffffffffffff", 16, LLONG_MAX, 18, NOCHANGE},
    {"0x8000000000000000", 16, LLONG_MAX, 18, ERANGE},
    {"-0x8000000000000000", 0, LLONG_MIN, 19, NOCHANGE},
    {"", 10, 0, 0, NOCHANGE}, /* no digits: endptr is the text */
    {"   ", 10, 0, 0, NOCHANGE},
    {"-", 10, 0, 0, NOCHANGE},
    {"+ 1", 10, 0, 0, NOCHANGE},
    {"1", 1, 0, 0, EINVAL},
    {"1", 37, 0, 0, EINVAL},
    {"1", -1, 0, 0, EINVAL},
};

struct unsigned_row {
    const char *text;
    int base;
    unsigned long long value;
    size_t end;
    int err;
};

static const struct unsigned_row unsigned_rows[] = {
    {"42", 10, 42, 2, NOCHANGE},
    {" 42", 0, 42, 3, NOCHANGE},
    {"18446744073709551615", 10, ULLONG_MAX, 20, NOCHANGE},
    {"18446744073709551616", 10, ULLONG_MAX, 20, ERANGE},
    {"-1", 10, ULLONG_MAX, 2, NOCHANGE}, /* negated as C does */
    {"-18446744073709551615", 10, 1, 21, NOCHANGE},
    {"-18446744073709551616", 10, ULLONG_MAX, 21, ERANGE},
    {"0xffffffffffffffff", 0, ULLONG_MAX, 18, NOCHANGE},
    {"0x10000000000000000", 0, ULLONG_MAX, 19, ERANGE},
    {"1111111111111111111111111111111111111111111111111111111111111111", 2,
     ULLONG_MAX, 64, NOCHANGE},
    {"11111111111111111111111111111111111111111111111111111111111111111", 2,
     ULLONG_MAX, 65, ERANGE},
    {"3w5e11264sgsf", 36, ULLONG_MAX, 13, NOCHANGE},
    {"3w5e11264sgsg", 36, ULLONG_MAX, 13, ERANGE},
    {"1777777777777777777777", 8, ULLONG_MAX, 22, NOCHANGE},
    {"0777", 0, 511, 4, NOCHANGE},
    {"x", 16, 0, 0, NOCHANGE},
    {"5", 99, 0, 0, EINVAL},
};

static void strtol_and_strtoll_parse_saturate_and_set_endptr(void)
{
    size_t i;
    for (i = 0; i < CHECK_COUNT(signed_rows); i++) {
        const struct signed_row *r = &signed_rows[i];
        char *end = NULL;
        long v;
        long long vv;
        LIBC(errno) = NOCHANGE;
        v = LIBC(strtol)(r->text, &end, r->base);
        if (!CHECK_EQ(v, r->value) || !CHECK_PTR_EQ(end, r->text + r->end) ||
            !CHECK_EQ(LIBC(errno), r->err))
            check_note("strtol(\"%s\", base %d)", r->text, r->base);
        end = NULL;
        LIBC(errno) = NOCHANGE;
        vv = LIBC(strtoll)(r->text, &end, r->base);
        if (!CHECK_EQ(vv, r->value) || !CHECK_PTR_EQ(end, r->text + r->end) ||
            !CHECK_EQ(LIBC(errno), r->err))
            check_note("strtoll(\"%s\", base %d)", r->text, r->base);
        /* A NULL endptr is allowed. */
        CHECK_EQ(LIBC(strtoll)(r->text, NULL, r->base), r->value);
    }
}

static void strtoul_and_strtoull_parse_saturate_and_set_endptr(void)
{
    size_t i;
    for (i = 0; i < CHECK_COUNT(unsigned_rows); i++) {
        const struct unsigned_row *r = &unsigned_rows[i];
        char *end = NULL;
        unsigned long v;
        unsigned long long vv;
        LIBC(errno) = NOCHANGE;
        v = LIBC(strtoul)(r->text, &end, r->base);
        if (!CHECK_UEQ(v, r->value) || !CHECK_PTR_EQ(end, r->text + r->end) ||
            !CHECK_EQ(LIBC(errno), r->err))
            check_note("strtoul(\"%s\", base %d)", r->text, r->base);
        end = NULL;
        LIBC(errno) = NOCHANGE;
        vv = LIBC(strtoull)(r->text, &end, r->base);
        if (!CHECK_UEQ(vv, r->value) || !CHECK_PTR_EQ(end, r->text + r->end) ||
            !CHECK_EQ(LIBC(errno), r->err))
            check_note("strtoull(\"%s\", base %d)", r->text, r->base);
    }
    /* Every base, on a number written in it: 35 in base b is "1" "b-?" */
    for (i = 2; i <= 36; i++) {
        char text[3] = {'1', (char)(i - 1 < 10 ? '0' + i - 1 : 'a' + i - 11),
                        0};
        if (!CHECK_UEQ(LIBC(strtoull)(text, NULL, (int)i), 2 * i - 1))
            check_note("strtoull(\"%s\", base %zu)", text, i);
    }
}

static void atoi_and_abs(void)
{
    CHECK_EQ(LIBC(atoi)("  -123abc"), -123);
    CHECK_EQ(LIBC(atoi)("2147483647"), INT_MAX);
    CHECK_EQ(LIBC(atoi)("-2147483648"), INT_MIN);
    CHECK_EQ(LIBC(atoi)("x"), 0);
    CHECK_EQ(LIBC(abs)(-5), 5);
    CHECK_EQ(LIBC(abs)(5), 5);
    CHECK_EQ(LIBC(abs)(INT_MIN + 1), INT_MAX);
    CHECK_EQ(LIBC(labs)(LONG_MIN + 1), LONG_MAX);
    CHECK_EQ(LIBC(llabs)(-LLONG_MAX), LLONG_MAX);
    CHECK_EQ(LIBC(llabs)(0), 0);
}

/* ---- qsort. */

static unsigned long compares;

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    compares++;
    return (x > y) - (x < y);
}

/* Records of 3 and 24 bytes: sizes that are not words, and words. */
struct rec3 {
    unsigned char key, lo, hi;
};

static int cmp_rec3(const void *a, const void *b)
{
    const struct rec3 *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

struct rec24 {
    uint64_t key;
    uint64_t index; /* where it was: a permutation after the sort */
    uint64_t check; /* key ^ index ^ magic: the record moved whole */
};

#define REC_MAGIC 0x5eed5eed5eed5eedull

static int cmp_rec24(const void *a, const void *b)
{
    const struct rec24 *x = a, *y = b;
    return (x->key > y->key) - (x->key < y->key);
}

static unsigned log2_ceil(size_t n)
{
    unsigned l = 0;
    while (((size_t)1 << l) < n)
        l++;
    return l;
}

static void qsort_sorts_random_arrays_in_n_log_n(void)
{
    static const size_t sizes[] = {0, 1,  2,  3,   4,   5,    7,
                                   8, 16, 31, 100, 257, 1000, 4099};
    static int a[4099];
    static unsigned counts[100];
    size_t s, i, kind;
    for (s = 0; s < CHECK_COUNT(sizes); s++)
        for (kind = 0; kind < 4; kind++) {
            size_t n = sizes[s];
            unsigned long bound;
            memset(counts, 0, sizeof counts);
            for (i = 0; i < n; i++) {
                /* random with duplicates, sorted, reversed, all equal */
                a[i] = kind == 0   ? (int)(rnd() % 100)
                       : kind == 1 ? (int)(i * 100 / (n + 1))
                       : kind == 2 ? (int)(99 - i * 100 / (n + 1))
                                   : 42;
                counts[a[i]]++;
            }
            compares = 0;
            LIBC(qsort)(a, n, sizeof a[0], cmp_int);
            for (i = 0; i + 1 < n; i++)
                if (a[i] > a[i + 1])
                    break;
            if (!CHECK_UGE(i + 1, n)) {
                check_note("qsort of %zu ints (kind %zu): a[%zu] = %d > "
                           "a[%zu] = %d",
                           n, kind, i, a[i], i + 1, a[i + 1]);
                return;
            }
            for (i = 0; i < n; i++)
                counts[a[i]]--;
            for (i = 0; i < 100; i++)
                if (!CHECK_UEQ(counts[i], 0)) {
                    check_note("qsort of %zu ints lost or made a %zu", n, i);
                    return;
                }
            /* Heapsort makes at most about 2 n log2 n comparisons. */
            bound = 3 * (unsigned long)n * (log2_ceil(n) + 1) + 3;
            if (!CHECK_ULE(compares, bound))
                check_note("qsort of %zu ints (kind %zu)", n, kind);
        }
}

static void qsort_moves_records_of_any_size_whole(void)
{
    static struct rec3 r3[1000];
    static struct rec24 r24[1000];
    static unsigned char seen[1000];
    size_t i, n = 1000, bad = 0;
    for (i = 0; i < n; i++) {
        r3[i].key = (unsigned char)rnd();
        r3[i].lo = (unsigned char)i;
        r3[i].hi = (unsigned char)(i >> 8);
        r24[i].key = rnd() % 500;
        r24[i].index = i;
        r24[i].check = r24[i].key ^ i ^ REC_MAGIC;
    }
    LIBC(qsort)(r3, n, sizeof r3[0], cmp_rec3);
    LIBC(qsort)(r24, n, sizeof r24[0], cmp_rec24);
    memset(seen, 0, sizeof seen);
    for (i = 0; i < n; i++) {
        size_t at = r3[i].lo | (size_t)r3[i].hi << 8;
        bad += at >= n || seen[at]++;
        bad += i > 0 && r3[i - 1].key > r3[i].key;
    }
    CHECK_UEQ(bad, 0);
    memset(seen, 0, sizeof seen);
    for (i = 0; i < n; i++) {
        bad += r24[i].index >= n || seen[r24[i].index]++;
        bad += r24[i].check != (r24[i].key ^ r24[i].index ^ REC_MAGIC);
        bad += i > 0 && r24[i - 1].key > r24[i].key;
    }
    CHECK_UEQ(bad, 0);
}

/* ---- ctype, against the ASCII table written out. */

static void character_classes_are_ascii(void)
{
    int c;
    for (c = -1; c < 256; c++) {
        int digit = c >= '0' && c <= '9';
        int upper = c >= 'A' && c <= 'Z';
        int lower = c >= 'a' && c <= 'z';
        int alpha = upper || lower;
        int xdigit = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        int space = c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
                    c == '\f' || c == '\r';
        int cntrl = (c >= 0 && c <= 31) || c == 127;
        int print = c >= 32 && c <= 126;
        int punct = print && c != ' ' && !alpha && !digit;
        int ok = !!LIBC(isdigit)(c) == digit && !!LIBC(isupper)(c) == upper &&
                 !!LIBC(islower)(c) == lower && !!LIBC(isalpha)(c) == alpha &&
                 !!LIBC(isalnum)(c) == (alpha || digit) &&
                 !!LIBC(isxdigit)(c) == xdigit && !!LIBC(isspace)(c) == space &&
                 !!LIBC(iscntrl)(c) == cntrl && !!LIBC(isprint)(c) == print &&
                 !!LIBC(ispunct)(c) == punct &&
                 LIBC(toupper)(c) == (lower ? c - 32 : c) &&
                 LIBC(tolower)(c) == (upper ? c + 32 : c);
        if (!CHECK(ok)) {
            check_note("character %d", c);
            return;
        }
    }
}

/* ---- assert. */

#include LIBC_ASSERT_H

static int assert_passes(void)
{
    int evaluated = 0;
    assert(++evaluated == 1);
    return evaluated;
}

#define NDEBUG
#include LIBC_ASSERT_H

static int assert_off(void)
{
    int evaluated = 0;
    assert(++evaluated == 100);
    return evaluated;
}

#undef NDEBUG
#include LIBC_ASSERT_H

static void assert_holds_quietly_and_ndebug_turns_it_off(void)
{
    CHECK_EQ(assert_passes(), 1);
    CHECK_EQ(assert_off(), 0); /* not evaluated */
}

/* ---- The ends of a program, in a child process. */

#ifdef MIOU_LIBC_TEST_PREFIX
static void child_assert(void)
{
    assert(1 + 1 == 3);
}
static const int assert_line = __LINE__ - 2;

static void child_abort(void)
{
    LIBC(abort)();
}

static void child_exit(void)
{
    LIBC(exit)(7);
}

/* Run (fn) in a child whose console (stdout and stderr) goes into
 * (out); its wait status, or -1. */
static int run_child(void (*fn)(void), char *out, size_t size)
{
    int fds[2], status;
    size_t len = 0;
    pid_t pid;
    fflush(NULL);
    if (pipe(fds) != 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        fn();
        _exit(100); /* fn returned: a failure the caller sees */
    }
    close(fds[1]);
    for (;;) {
        ssize_t n = read(fds[0], out + len, size - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    out[len] = '\0';
    close(fds[0]);
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}
#endif

static void abort_exit_and_a_failed_assert_stop_with_their_message(void)
{
#ifdef MIOU_LIBC_TEST_PREFIX
    char out[1024], expect[256];
    int st;

    st = run_child(child_abort, out, sizeof out);
    if (CHECK(st != -1 && WIFEXITED(st)))
        CHECK_EQ(WEXITSTATUS(st), 255); /* a Solo5 abort's status */
    /* The library's line first (the platform's own may follow). */
    CHECK_EQ(strncmp(out, "abort() called\n", 15), 0);

    st = run_child(child_exit, out, sizeof out);
    if (CHECK(st != -1 && WIFEXITED(st)))
        CHECK_EQ(WEXITSTATUS(st), 7);

    st = run_child(child_assert, out, sizeof out);
    if (CHECK(st != -1 && WIFEXITED(st)))
        CHECK_EQ(WEXITSTATUS(st), 255);
    snprintf(expect, sizeof expect,
             "Assertion failed: 1 + 1 == 3, file %s, line %d, function "
             "child_assert\n",
             __FILE__, assert_line);
    CHECK_STR_HAS(out, expect);
#else
    check_skip("needs fork(): hosted build only");
#endif
}

static const struct check_case cases[] = {
    /* First: nothing may allocate before it. */
    {"malloc fails with ENOMEM before the heap is set",
     malloc_fails_with_enomem_before_the_heap_is_set},
    {"the heap refuses a NULL or tiny region and a second one",
     the_heap_refuses_a_null_or_tiny_region_and_a_second_one},
    {"malloc gives aligned blocks that keep their bytes",
     malloc_gives_aligned_blocks_that_keep_their_bytes},
    {"malloc of more than the heap fails with ENOMEM",
     malloc_of_more_than_the_heap_fails_with_enomem},
    {"calloc zeroes and refuses an overflowing product",
     calloc_zeroes_and_refuses_an_overflowing_product},
    {"realloc keeps the bytes and fails without losing the block",
     realloc_keeps_the_bytes_and_fails_without_losing_the_block},
    {"aligned allocations align and refuse bad alignments",
     aligned_allocations_align_and_refuse_bad_alignments},
    {"snprintf formats integers of every length", snprintf_formats_integers},
    {"snprintf honours flags, width and precision",
     snprintf_honours_flags_width_and_precision},
    {"snprintf takes width and precision from '*'",
     snprintf_takes_width_and_precision_from_star},
    {"snprintf formats chars, strings, pointers and percent",
     snprintf_formats_chars_strings_pointers_and_percent},
    {"snprintf formats floating point in styles f, e and g",
     snprintf_formats_floating_point_in_styles_f_e_and_g},
    {"snprintf rounds floating point to nearest, ties to even",
     snprintf_rounds_floating_point_to_nearest_ties_to_even},
    {"snprintf pads and signs floating point, inf and nan",
     snprintf_pads_and_signs_floating_point_inf_and_nan},
    {"snprintf prints every digit of a double",
     snprintf_prints_every_digit_of_a_double},
    {"snprintf copies unsupported conversions as written",
     snprintf_copies_unsupported_conversions_as_written},
    {"snprintf output past INT_MAX fails with EOVERFLOW",
     snprintf_output_past_int_max_fails_with_eoverflow},
    {"snprintf fills long fields exactly", snprintf_fills_long_fields_exactly},
    {"printf, puts and friends write to the console",
     printf_and_puts_write_to_the_console},
    {"memcpy copies every size at every alignment",
     memcpy_copies_every_size_at_every_alignment},
    {"memmove copies every size at every alignment",
     memmove_copies_every_size_at_every_alignment},
    {"memmove handles overlap in both directions",
     memmove_handles_overlap_in_both_directions},
    {"mem functions copy frame and sector sizes",
     mem_functions_copy_frame_and_sector_sizes},
    {"memmove handles overlap of frame and sector sizes",
     memmove_handles_overlap_of_frame_and_sector_sizes},
    {"memset fills every size at every alignment",
     memset_fills_every_size_at_every_alignment},
    {"memcmp finds the first difference as unsigned bytes",
     memcmp_finds_the_first_difference_as_unsigned_bytes},
    {"memchr finds the first match within n",
     memchr_finds_the_first_match_within_n},
    {"mem functions stay inside exact-size buffers",
     mem_functions_stay_inside_exact_size_buffers},
    {"string functions follow the standard",
     string_functions_follow_the_standard},
    {"strerror has Linux's texts and numbers",
     strerror_has_linux_texts_and_numbers},
    {"strtol and strtoll parse, saturate and set endptr",
     strtol_and_strtoll_parse_saturate_and_set_endptr},
    {"strtoul and strtoull parse, saturate and set endptr",
     strtoul_and_strtoull_parse_saturate_and_set_endptr},
    {"atoi and abs", atoi_and_abs},
    {"qsort sorts random arrays in n log n comparisons",
     qsort_sorts_random_arrays_in_n_log_n},
    {"qsort moves records of any size whole",
     qsort_moves_records_of_any_size_whole},
    {"character classes are ASCII's", character_classes_are_ascii},
    {"assert holds quietly and NDEBUG turns it off",
     assert_holds_quietly_and_ndebug_turns_it_off},
    {"abort, exit and a failed assert stop with their message",
     abort_exit_and_a_failed_assert_stop_with_their_message},
};

#else /* LIBC_TEST_UNBUILT */

static void the_library_is_not_linked_in(void)
{
    check_skip("tests/test_libc.c was built without mk/libc.mk (which "
               "links the renamed library and defines "
               "MIOU_LIBC_TEST_PREFIX): it would test glibc");
}

static const struct check_case cases[] = {
    {"the renamed library is linked in", the_library_is_not_linked_in},
};

#endif

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("libc", si, cases, CHECK_COUNT(cases));
}
