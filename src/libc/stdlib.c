/*
 * stdlib.c - number parsing (strto*, atoi), abs, qsort, abort and exit.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <solo5.h>

/* ---- strto*: one scanner, four range checks. */

/* The value of the digit (c) in any base up to 36, or 36 when it is
 * not a digit. */
static int digit_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 36;
}

/* What the text of a number says, before its type's limits apply. */
struct scanned {
    unsigned long long mag; /* the magnitude, ULLONG_MAX when (over) */
    int neg;                /* a '-' was read */
    int over;               /* the magnitude exceeds ULLONG_MAX */
};

/* Read a number from (nptr) as strtoull() does and set (*endptr). 0, or
 * -1 when (base) is not valid (errno EINVAL then). */
static int scan(const char *nptr, char **endptr, int base, struct scanned *out)
{
    const unsigned char *p = (const unsigned char *)nptr;
    const unsigned char *digits;
    unsigned long long mag = 0;
    int over = 0;

    out->mag = 0;
    out->neg = 0;
    out->over = 0;
    if (endptr)
        *endptr = (char *)nptr;
    if (base < 0 || base == 1 || base > 36) {
        errno = EINVAL;
        return -1;
    }
    while (isspace(*p))
        p++;
    if (*p == '-' || *p == '+')
        out->neg = *p++ == '-';
    /* "0x" counts as a prefix only when a hex digit follows: in "0xg"
     * the number is the 0 and the text goes on at "x". */
    if ((base == 0 || base == 16) && p[0] == '0' &&
        (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }
    digits = p;
    for (; digit_value(*p) < base; p++) {
        unsigned d = (unsigned)digit_value(*p);
        /* Keep reading digits after an overflow: (*endptr) must point
         * past all of them. */
        if (mag > (ULLONG_MAX - d) / (unsigned)base)
            over = 1;
        else
            mag = mag * (unsigned)base + d;
    }
    if (p == digits) /* no digits: nothing was converted */
        return 0;
    if (endptr)
        *endptr = (char *)p;
    out->mag = over ? ULLONG_MAX : mag;
    out->over = over;
    return 0;
}

/* A signed result within [-(max) - 1, (max)], saturated with ERANGE. */
static long long to_signed(const struct scanned *sc, unsigned long long max)
{
    if (sc->neg) {
        if (sc->over || sc->mag > max + 1) {
            errno = ERANGE;
            return -(long long)max - 1;
        }
        /* -(max + 1) cannot be written as a negation of a long long. */
        return sc->mag == max + 1 ? -(long long)max - 1 : -(long long)sc->mag;
    }
    if (sc->over || sc->mag > max) {
        errno = ERANGE;
        return (long long)max;
    }
    return (long long)sc->mag;
}

/* An unsigned result within [0, (max)]: a '-' negates it modulo
 * (max) + 1, as C's strtoul does; out of range saturates at (max). */
static unsigned long long to_unsigned(const struct scanned *sc,
                                      unsigned long long max)
{
    if (sc->over || sc->mag > max) {
        errno = ERANGE;
        return max;
    }
    return sc->neg ? (0 - sc->mag) & max : sc->mag;
}

long strtol(const char *restrict nptr, char **restrict endptr, int base)
{
    struct scanned sc;
    if (scan(nptr, endptr, base, &sc) < 0)
        return 0;
    return (long)to_signed(&sc, LONG_MAX);
}

long long strtoll(const char *restrict nptr, char **restrict endptr, int base)
{
    struct scanned sc;
    if (scan(nptr, endptr, base, &sc) < 0)
        return 0;
    return to_signed(&sc, LLONG_MAX);
}

unsigned long strtoul(const char *restrict nptr, char **restrict endptr,
                      int base)
{
    struct scanned sc;
    if (scan(nptr, endptr, base, &sc) < 0)
        return 0;
    return (unsigned long)to_unsigned(&sc, ULONG_MAX);
}

unsigned long long strtoull(const char *restrict nptr, char **restrict endptr,
                            int base)
{
    struct scanned sc;
    if (scan(nptr, endptr, base, &sc) < 0)
        return 0;
    return to_unsigned(&sc, ULLONG_MAX);
}

int atoi(const char *s)
{
    return (int)strtol(s, NULL, 10);
}

int abs(int x)
{
    return x < 0 ? -x : x;
}

long labs(long x)
{
    return x < 0 ? -x : x;
}

long long llabs(long long x)
{
    return x < 0 ? -x : x;
}

/* ---- qsort: heapsort over byte offsets. */

/* Any object may sit behind the words of an element. */
typedef uint64_t word_any __attribute__((may_alias));

/* Swap (size) bytes at (a) and (b), eight at a time when both are
 * aligned for it (arrays of pointers, longs, most structs). */
static void swap(unsigned char *a, unsigned char *b, size_t size)
{
    if (((uintptr_t)a | (uintptr_t)b | size) % sizeof(uint64_t) == 0) {
        word_any *p = (word_any *)(void *)a, *q = (word_any *)(void *)b;
        for (size /= sizeof(uint64_t); size > 0; size--, p++, q++) {
            uint64_t t = *p;
            *p = *q;
            *q = t;
        }
        return;
    }
    for (; size > 0; size--, a++, b++) {
        unsigned char t = *a;
        *a = *b;
        *b = t;
    }
}

/* Move the element at (root) down the max-heap of the first (n) elements
 * until both children are not greater. */
static void sift_down(unsigned char *base, size_t root, size_t n, size_t size,
                      int (*cmp)(const void *, const void *))
{
    for (;;) {
        size_t child = 2 * root + 1, big = root;
        if (child < n && cmp(base + child * size, base + big * size) > 0)
            big = child;
        if (child + 1 < n &&
            cmp(base + (child + 1) * size, base + big * size) > 0)
            big = child + 1;
        if (big == root)
            return;
        swap(base + root * size, base + big * size, size);
        root = big;
    }
}

/* Heapsort rather than quicksort: no worst case to fear from adversarial
 * input, no recursion on small task stacks, no allocation. */
void qsort(void *base, size_t n, size_t size,
           int (*cmp)(const void *, const void *))
{
    unsigned char *b = base;
    size_t i;
    if (n < 2 || size == 0)
        return;
    for (i = n / 2; i > 0; i--)
        sift_down(b, i - 1, n, size, cmp);
    for (i = n - 1; i > 0; i--) {
        swap(b, b + i * size, size);
        sift_down(b, 0, i, size, cmp);
    }
}

/* ---- Program end. */

_Noreturn void abort(void)
{
    static const char msg[] = "abort() called\n";
    solo5_console_write(msg, sizeof msg - 1);
    solo5_abort();
}

_Noreturn void exit(int status)
{
    solo5_exit(status);
}
