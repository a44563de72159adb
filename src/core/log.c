/*
 * log.c - formatted console output for the core's diagnostics. The core
 * cannot count on a libc (a Solo5 unikernel has none), so it formats the
 * few conversions it uses itself and writes through solo5_console_write().
 */
#include <stdarg.h>

#include "internal.h"

struct out {
    char buf[512];
    size_t len;
};

static void put(struct out *o, char c)
{
    if (o->len == sizeof(o->buf)) {
        solo5_console_write(o->buf, o->len);
        o->len = 0;
    }
    o->buf[o->len++] = c;
}

static void put_str(struct out *o, const char *str)
{
    if (!str)
        str = "(null)";
    while (*str)
        put(o, *str++);
}

static void put_num(struct out *o, unsigned long long v, unsigned base,
                    int negative)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (negative)
        put(o, '-');
    while (n)
        put(o, digits[--n]);
}

static void format(struct out *o, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(o, *fmt);
            continue;
        }
        int longs = 0, size = 0;
        fmt++;
        while (*fmt == 'l') {
            longs++;
            fmt++;
        }
        if (*fmt == 'z') {
            size = 1;
            fmt++;
        }
        switch (*fmt) {
        case 's':
            put_str(o, va_arg(ap, const char *));
            break;
        case 'c':
            put(o, (char)va_arg(ap, int));
            break;
        case 'd': {
            long long v = longs == 2 ? va_arg(ap, long long)
                          : longs    ? va_arg(ap, long)
                                     : va_arg(ap, int);
            unsigned long long u =
                v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            put_num(o, u, 10, v < 0);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = size         ? va_arg(ap, size_t)
                                   : longs == 2 ? va_arg(ap, unsigned long long)
                                   : longs      ? va_arg(ap, unsigned long)
                                                : va_arg(ap, unsigned);
            put_num(o, v, *fmt == 'x' ? 16 : 10, 0);
            break;
        }
        case 'p':
            put_str(o, "0x");
            put_num(o, (uintptr_t)va_arg(ap, void *), 16, 0);
            break;
        case '%':
            put(o, '%');
            break;
        default: /* unknown conversion: show it rather than guess */
            put(o, '%');
            if (*fmt)
                put(o, *fmt);
            else
                fmt--;
            break;
        }
    }
}

void miou__log(const char *fmt, ...)
{
    struct out o;
    o.len = 0;
    va_list ap;
    va_start(ap, fmt);
    format(&o, fmt, ap);
    va_end(ap);
    if (o.len)
        solo5_console_write(o.buf, o.len);
}

void miou__fatal(const char *fmt, ...)
{
    struct out o;
    o.len = 0;
    put_str(&o, "miou: fatal: ");
    va_list ap;
    va_start(ap, fmt);
    format(&o, fmt, ap);
    va_end(ap);
    put(&o, '\n');
    solo5_console_write(o.buf, o.len);
    solo5_abort();
}

const char *miou__name(const struct miou__task *t, char *buf, size_t n)
{
    if (t->name)
        return t->name;
    /* "task-<id>" without snprintf */
    const char prefix[] = "task-";
    char digits[24];
    int nd = 0;
    uint64_t id = t->id;
    do {
        digits[nd++] = (char)('0' + id % 10);
        id /= 10;
    } while (id);
    size_t len = 0;
    for (size_t i = 0; prefix[i] && len + 1 < n; i++)
        buf[len++] = prefix[i];
    while (nd && len + 1 < n)
        buf[len++] = digits[--nd];
    buf[len] = '\0';
    return buf;
}
