/*
 * log.c - the core's diagnostics on the console: formatted by the C
 * library's vsnprintf() (glibc's on hosted and sim, the freestanding one
 * of src/libc on Solo5), written with solo5_console_write(), the only
 * output a unikernel has.
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

/* Longer messages are cut: they are one-line reports. */
#define LOG_LINE_MAX 512

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
    char buf[LOG_LINE_MAX];
    size_t len = 0;
    if (prefix)
        len = (size_t)snprintf(buf, sizeof(buf), "%s", prefix);
    int n = vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
    if (n > 0)
        len +=
            (size_t)n < sizeof(buf) - len ? (size_t)n : sizeof(buf) - len - 1;
    solo5_console_write(buf, len);
}

void miou__log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(NULL, fmt, ap);
    va_end(ap);
}

void miou__fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("miou: fatal: ", fmt, ap);
    va_end(ap);
    solo5_console_write("\n", 1);
    solo5_abort();
}

const char *miou__name(const struct miou__task *t, char *buf, size_t n)
{
    if (t->name)
        return t->name;
    snprintf(buf, n, "task-%llu", (unsigned long long)t->id);
    return buf;
}
