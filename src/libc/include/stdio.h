/*
 * stdio.h - formatted output to the Solo5 console, for the freestanding C
 * library of miou-solo5.
 *
 * There are no files: stdout and stderr both write to the console through
 * solo5_console_write(). Nothing is buffered between calls, so output
 * keeps its order with other console writes (the library's own messages)
 * and fflush() has nothing to do. A printf() call formats into a buffer
 * on its stack (256 bytes) and writes it out each time it fills, so a
 * short line reaches the console in one write.
 *
 * Formats (printf.c): flags "-0+ #", width and precision (numbers or
 * '*'), length modifiers hh h l ll z j t L, conversions d i u o x X c s p
 * % and the floating-point f F e E g G a A. Doubles print exactly as
 * glibc prints them (correctly rounded, ties to even, every digit exact
 * at any precision; inf, nan, "-nan"), except that the FPU's rounding
 * mode is not consulted, and that %#g keeps its trailing zeros when
 * rounding carries into the exponent, as C requires ("%#.3g" of 999.5
 * is "1.00e+03"; glibc prints "1.e+03"). With L the long double is
 * converted to the nearest double first. %s of NULL prints "(null)", %p
 * of NULL prints "(nil)", as glibc does. %n, wide characters (%lc, %ls) and
 * positional arguments ("%1$d") are not supported: such a conversion is copied
 * to the output as it is written (%n, %lc and %ls still take their argument, so
 * that the next ones stay in place; %n stores nothing). The return values are
 * C99's: the number of bytes that would have been written without truncation,
 * or -1 (errno EOVERFLOW) when that exceeds INT_MAX.
 */
#ifndef MIOU_LIBC_STDIO_H
#define MIOU_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define EOF (-1)

typedef struct miou_libc_file FILE;

extern FILE *const stdout;
extern FILE *const stderr;

/* __printf__, not printf: the hosted test build renames printf. */
#define MIOU_LIBC_PRINTF(f, a) __attribute__((__format__(__printf__, f, a)))

int printf(const char *restrict fmt, ...) MIOU_LIBC_PRINTF(1, 2);
int fprintf(FILE *restrict f, const char *restrict fmt, ...)
    MIOU_LIBC_PRINTF(2, 3);
int vprintf(const char *restrict fmt, va_list ap) MIOU_LIBC_PRINTF(1, 0);
int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
    MIOU_LIBC_PRINTF(2, 0);
/* At most (n) - 1 bytes and a terminating NUL into (buf); nothing when
 * (n) is 0 ((buf) may then be NULL). */
int snprintf(char *restrict buf, size_t n, const char *restrict fmt, ...)
    MIOU_LIBC_PRINTF(3, 4);
int vsnprintf(char *restrict buf, size_t n, const char *restrict fmt,
              va_list ap) MIOU_LIBC_PRINTF(3, 0);

/* (s) and a newline, in one console write when they fit in 256 bytes. */
int puts(const char *s);
int fputs(const char *restrict s, FILE *restrict f);
int fputc(int c, FILE *f);
int putchar(int c);
/* (n) items of (size) bytes; returns (n). */
size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict f);
/* Nothing is buffered: returns 0. */
int fflush(FILE *f);

#endif
