/*
 * own_libc.c - a unikernel that defines memset(), memcpy(), printf() and
 * puts() of its own, as freestanding programs written for Solo5 do.
 * scripts/check_own_unikernel.sh builds it at -O2 with the installed
 * build (PREFIX/share/miou-solo5/unikernel.mk) for hosted, sim and
 * solo5-spt, and runs it: gcc must not have turned the loops below into
 * calls to the functions they are in (the flags of miou-PLATFORM.pc), and
 * the platform and the scheduler, which now call these functions, must
 * work on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <miou.h>

static unsigned long sets, copies;

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    sets++;
    while (n-- > 0)
        *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    copies++;
    while (n-- > 0)
        *d++ = *s++;
    return dst;
}

static void put(const char *s, size_t n)
{
    solo5_console_write(s, n);
}

int puts(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    put(s, n);
    put("\n", 1);
    return 1;
}

/* %s, %lu and %% only: what this program prints. */
int printf(const char *restrict fmt, ...)
{
    char digits[24];
    va_list ap;

    va_start(ap, fmt);
    for (; *fmt != '\0'; fmt++) {
        if (*fmt != '%') {
            put(fmt, 1);
            continue;
        }
        fmt++;
        if (*fmt == 's') {
            const char *s = va_arg(ap, const char *);
            size_t n = 0;

            while (s[n] != '\0')
                n++;
            put(s, n);
        } else if (*fmt == 'l' && fmt[1] == 'u') {
            unsigned long v = va_arg(ap, unsigned long);
            size_t i = sizeof digits;

            fmt++;
            do
                digits[--i] = (char)('0' + v % 10);
            while ((v /= 10) != 0);
            put(digits + i, sizeof digits - i);
        } else {
            put("%", 1);
        }
    }
    va_end(ap);
    return 0;
}

static void *worker(void *arg)
{
    miou_yield();
    return arg;
}

/* Ten tasks, whose stacks and bookkeeping the scheduler clears and
 * copies with this program's functions. */
static void *first(void *arg)
{
    miou_task *tasks[10];
    size_t i;

    for (i = 0; i < 10; i++)
        if (miou_async(&tasks[i], worker, arg) != 0)
            return NULL;
    for (i = 0; i < 10; i++)
        if (miou_await(tasks[i], NULL) != 0)
            return NULL;
    return arg;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    static unsigned char a[4096], b[4096];
    void *result = NULL;
    size_t i;

    memset(a, 0x5a, sizeof a);
    memcpy(b, a, sizeof b);
    for (i = 0; i < sizeof b; i++)
        if (b[i] != 0x5a) {
            puts("own_libc: memcpy copied the wrong bytes");
            return 1;
        }
    if (miou_run(NULL, first, (void *)si, &result) != 0 || result != si) {
        puts("own_libc: the run failed");
        return 1;
    }
    printf("own_libc: %s, memset and memcpy called %s\n", "ten tasks ran",
           sets > 1 && copies > 0 ? "here" : "elsewhere");
    puts("own_libc: done");
    return 0;
}
