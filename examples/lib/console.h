/*
 * console.h - formatted output on the unikernel's console.
 *
 * Header-only, so that the .c files of examples/lib stay free of any
 * platform call (a benchmark baseline links them without Solo5's). Lines
 * longer than CONSOLE_LINE_MAX bytes are cut.
 */
#ifndef EXAMPLES_CONSOLE_H
#define EXAMPLES_CONSOLE_H

#include <stdarg.h>
#include <stdio.h>

#include <solo5.h>

#define CONSOLE_LINE_MAX 512

static inline void say(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static inline void say(const char *fmt, ...)
{
    char line[CONSOLE_LINE_MAX];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    solo5_console_write(line, (size_t)n);
}

#endif
