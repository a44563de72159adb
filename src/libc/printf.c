/*
 * printf.c - the printf family and the console FILEs (stdout, stderr).
 *
 * One formatter, format(), writes into a "sink": either a caller's
 * buffer (snprintf: bytes past its end are counted, not stored) or a
 * 256-byte buffer on the stack that is written to the console each time
 * it fills and at the end (printf). Nothing stays buffered between calls,
 * so console output keeps its order with other solo5_console_write()
 * callers. What the formats do is in stdio.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <solo5.h>

/* A FILE is where its bytes go. Both write to the console: a unikernel
 * has no other output. */
struct miou_libc_file {
    void (*write)(const char *buf, size_t n);
};

static struct miou_libc_file console_out = {solo5_console_write};
static struct miou_libc_file console_err = {solo5_console_write};
FILE *const stdout = &console_out;
FILE *const stderr = &console_err;

/* ---- Sinks. */

#define CONSOLE_BUF 256

struct sink {
    char *buf;    /* where the bytes go */
    size_t cap;   /* bytes (buf) holds */
    size_t len;   /* bytes in (buf) */
    size_t total; /* bytes produced, stored or not: the return value */
    FILE *f;      /* NULL: a string, the bytes past (cap) are dropped;
                     else the file (buf) is flushed to when full */
};

static void sink_flush(struct sink *s)
{
    if (s->f && s->len > 0)
        s->f->write(s->buf, s->len);
    s->len = 0;
}

/* Room in (s) for at least one byte, or 0 when the bytes are to be
 * dropped (a full string). */
static size_t sink_room(struct sink *s)
{
    if (s->len == s->cap && s->f)
        sink_flush(s);
    return s->cap - s->len;
}

static void emit(struct sink *s, const char *p, size_t n)
{
    s->total += n;
    while (n > 0) {
        size_t k = sink_room(s);
        if (k == 0)
            return;
        if (k > n)
            k = n;
        memcpy(s->buf + s->len, p, k);
        s->len += k;
        p += k;
        n -= k;
    }
}

static void emit_fill(struct sink *s, char c, size_t n)
{
    s->total += n;
    while (n > 0) {
        size_t k = sink_room(s);
        if (k == 0)
            return;
        if (k > n)
            k = n;
        memset(s->buf + s->len, c, k);
        s->len += k;
        n -= k;
    }
}

/* ---- Conversion specifications. */

enum {
    F_MINUS = 1, /* left-justify */
    F_ZERO = 2,  /* pad numbers with zeros */
    F_PLUS = 4,  /* "+" before non-negative signed numbers */
    F_SPACE = 8, /* " " before them, unless F_PLUS */
    F_HASH = 16  /* alternative form: 0 for %o, 0x for %x */
};

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T,
              LEN_BIG_L };

struct spec {
    unsigned flags;
    size_t width; /* 0 when absent */
    int prec;     /* -1 when absent */
    enum length len;
};

/* (n) copies of the padding of a field of (len) bytes. */
static size_t pad_of(const struct spec *sp, size_t len)
{
    return sp->width > len ? sp->width - len : 0;
}

/* Text of (n) bytes in a field: spaces before, or after with '-'. */
static void emit_field(struct sink *s, const struct spec *sp, const char *p,
                       size_t n)
{
    size_t pad = pad_of(sp, n);
    if (!(sp->flags & F_MINUS))
        emit_fill(s, ' ', pad);
    emit(s, p, n);
    if (sp->flags & F_MINUS)
        emit_fill(s, ' ', pad);
}

/* An integer of magnitude (v) in (base), after (prefix) (a sign, "0x" or
 * ""). Layout: [spaces][prefix][zeros][digits][spaces]. */
static void emit_int(struct sink *s, const struct spec *sp, uintmax_t v,
                     const char *prefix, unsigned base, int upper)
{
    const char *xdigits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char digits[sizeof(uintmax_t) * CHAR_BIT / 3 + 1];
    size_t nd = 0, zeros = 0, plen = strlen(prefix), body, pad;
    size_t min_digits = sp->prec < 0 ? 1 : (size_t)sp->prec;

    while (v > 0) {
        digits[sizeof digits - ++nd] = xdigits[v % base];
        v /= base;
    }
    if (min_digits > nd)
        zeros = min_digits - nd;
    /* "%#o" makes the first digit a 0, adding one only when needed. */
    if ((sp->flags & F_HASH) && base == 8 && zeros == 0)
        zeros = 1;
    body = plen + zeros + nd;
    pad = pad_of(sp, body);
    /* '0' pads with zeros only when there is no precision and no '-'. */
    if ((sp->flags & F_ZERO) && !(sp->flags & F_MINUS) && sp->prec < 0) {
        zeros += pad;
        pad = 0;
    }
    if (!(sp->flags & F_MINUS))
        emit_fill(s, ' ', pad);
    emit(s, prefix, plen);
    emit_fill(s, '0', zeros);
    emit(s, digits + sizeof digits - nd, nd);
    if (sp->flags & F_MINUS)
        emit_fill(s, ' ', pad);
}

static intmax_t arg_signed(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_HH: return (signed char)va_arg(*ap, int);
    case LEN_H: return (short)va_arg(*ap, int);
    case LEN_L: return va_arg(*ap, long);
    case LEN_LL:
    case LEN_BIG_L: return va_arg(*ap, long long);
    /* The signed type of size_t is ptrdiff_t's size on every target. */
    case LEN_Z:
    case LEN_T: return va_arg(*ap, ptrdiff_t);
    case LEN_J: return va_arg(*ap, intmax_t);
    case LEN_NONE: break;
    }
    return va_arg(*ap, int);
}

static uintmax_t arg_unsigned(va_list *ap, enum length len)
{
    switch (len) {
    case LEN_HH: return (unsigned char)va_arg(*ap, unsigned);
    case LEN_H: return (unsigned short)va_arg(*ap, unsigned);
    case LEN_L: return va_arg(*ap, unsigned long);
    case LEN_LL:
    case LEN_BIG_L: return va_arg(*ap, unsigned long long);
    case LEN_Z:
    case LEN_T: return va_arg(*ap, size_t);
    case LEN_J: return va_arg(*ap, uintmax_t);
    case LEN_NONE: break;
    }
    return va_arg(*ap, unsigned);
}

/* A decimal number of the format at (*p), advancing it; -1 when it
 * exceeds INT_MAX. */
static int parse_num(const char **p)
{
    int n = 0;
    for (; **p >= '0' && **p <= '9'; (*p)++) {
        int d = **p - '0';
        if (n > (INT_MAX - d) / 10)
            return -1;
        n = n * 10 + d;
    }
    return n;
}

/* The specification after a '%' at (*p), advancing (*p) to its
 * conversion character. 0, or -1 when a width or precision exceeds
 * INT_MAX. */
static int parse_spec(const char **p, struct spec *sp, va_list *ap)
{
    const char *f = *p;
    int n;

    sp->flags = 0;
    sp->width = 0;
    sp->prec = -1;
    sp->len = LEN_NONE;
    for (;; f++) {
        if (*f == '-')
            sp->flags |= F_MINUS;
        else if (*f == '0')
            sp->flags |= F_ZERO;
        else if (*f == '+')
            sp->flags |= F_PLUS;
        else if (*f == ' ')
            sp->flags |= F_SPACE;
        else if (*f == '#')
            sp->flags |= F_HASH;
        else
            break;
    }
    if (*f == '*') {
        f++;
        n = va_arg(*ap, int);
        /* A negative width argument is '-' and its absolute value. */
        if (n < 0) {
            sp->flags |= F_MINUS;
            sp->width = n == INT_MIN ? (size_t)INT_MAX + 1 : (size_t)-n;
        } else {
            sp->width = (size_t)n;
        }
    } else {
        n = parse_num(&f);
        if (n < 0)
            return -1;
        sp->width = (size_t)n;
    }
    if (*f == '.') {
        f++;
        if (*f == '*') {
            f++;
            n = va_arg(*ap, int);
            /* A negative precision argument is no precision. */
            sp->prec = n < 0 ? -1 : n;
        } else {
            sp->prec = parse_num(&f);
            if (sp->prec < 0)
                return -1;
        }
    }
    switch (*f) {
    case 'h':
        f++;
        sp->len = LEN_H;
        if (*f == 'h') {
            f++;
            sp->len = LEN_HH;
        }
        break;
    case 'l':
        f++;
        sp->len = LEN_L;
        if (*f == 'l') {
            f++;
            sp->len = LEN_LL;
        }
        break;
    case 'z': f++; sp->len = LEN_Z; break;
    case 'j': f++; sp->len = LEN_J; break;
    case 't': f++; sp->len = LEN_T; break;
    case 'L': f++; sp->len = LEN_BIG_L; break;
    default: break;
    }
    *p = f;
    return 0;
}

/* Carry out the conversion (c) of (sp). 0, or -1 when (c) is not
 * supported (the caller copies the specification to the output). */
static int convert(struct sink *s, const struct spec *sp, char c,
                   va_list *ap)
{
    switch (c) {
    case 'd':
    case 'i': {
        intmax_t v = arg_signed(ap, sp->len);
        const char *sign = v < 0                  ? "-"
                           : sp->flags & F_PLUS  ? "+"
                           : sp->flags & F_SPACE ? " "
                                                 : "";
        /* The magnitude of INTMAX_MIN does not fit in intmax_t. */
        uintmax_t mag = v < 0 ? -(uintmax_t)v : (uintmax_t)v;
        emit_int(s, sp, mag, sign, 10, 0);
        return 0;
    }
    case 'u':
        emit_int(s, sp, arg_unsigned(ap, sp->len), "", 10, 0);
        return 0;
    case 'o':
        emit_int(s, sp, arg_unsigned(ap, sp->len), "", 8, 0);
        return 0;
    case 'x':
    case 'X': {
        uintmax_t v = arg_unsigned(ap, sp->len);
        const char *prefix = "";
        if ((sp->flags & F_HASH) && v != 0)
            prefix = c == 'x' ? "0x" : "0X";
        emit_int(s, sp, v, prefix, 16, c == 'X');
        return 0;
    }
    case 'p': {
        void *p = va_arg(*ap, void *);
        if (p == NULL)
            emit_field(s, sp, "(nil)", 5);
        else
            emit_int(s, sp, (uintptr_t)p, "0x", 16, 0);
        return 0;
    }
    case 'c': {
        char ch;
        if (sp->len == LEN_L) {
            (void)va_arg(*ap, unsigned); /* a wint_t: not supported */
            return -1;
        }
        ch = (char)va_arg(*ap, int);
        emit_field(s, sp, &ch, 1);
        return 0;
    }
    case 's': {
        const char *str = va_arg(*ap, const char *);
        if (sp->len == LEN_L)
            return -1; /* a wide string: not supported */
        if (str == NULL)
            str = "(null)";
        /* With a precision, read no byte past it: the array need not
         * be NUL-terminated. */
        emit_field(s, sp, str,
                   sp->prec < 0 ? strlen(str) : strnlen(str, (size_t)sp->prec));
        return 0;
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
    case 'a':
    case 'A':
        /* Take the argument so that the ones after it stay in place. */
        if (sp->len == LEN_BIG_L)
            (void)va_arg(*ap, long double);
        else
            (void)va_arg(*ap, double);
        emit_field(s, sp, "(no float)", 10);
        return 0;
    case 'n':
        (void)va_arg(*ap, void *); /* nothing is stored through it */
        return -1;
    case '%':
        emit(s, "%", 1);
        return 0;
    default:
        return -1;
    }
}

/* Format into (s); the count of bytes produced, or -1 (errno EOVERFLOW)
 * when it exceeds INT_MAX or a width or precision does. */
static int format(struct sink *s, const char *fmt, va_list ap0)
{
    va_list ap;
    int rc = 0;

    /* A copy, so that helpers can take it by address: a va_list
     * parameter is an array on some ABIs and its address has the wrong
     * type. */
    va_copy(ap, ap0);
    while (*fmt) {
        const char *start = fmt, *pct = fmt;
        struct spec sp;
        while (*pct && *pct != '%')
            pct++;
        emit(s, start, (size_t)(pct - start));
        if (*pct == '\0')
            break;
        fmt = pct + 1;
        if (parse_spec(&fmt, &sp, &ap) < 0) {
            rc = -1;
            break;
        }
        if (*fmt == '\0' || convert(s, &sp, *fmt, &ap) < 0) {
            /* Unsupported: show the specification as written. */
            if (*fmt != '\0')
                fmt++;
            emit(s, pct, (size_t)(fmt - pct));
            continue;
        }
        fmt++;
    }
    va_end(ap);
    if (rc < 0 || s->total > INT_MAX) {
        errno = EOVERFLOW;
        return -1;
    }
    return (int)s->total;
}

/* ---- The string functions. */

int vsnprintf(char *restrict buf, size_t n, const char *restrict fmt,
              va_list ap)
{
    struct sink s = {buf, n > 0 ? n - 1 : 0, 0, 0, NULL};
    int rc = format(&s, fmt, ap);
    if (n > 0)
        buf[s.len] = '\0';
    return rc;
}

int snprintf(char *restrict buf, size_t n, const char *restrict fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- The console functions. */

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
    char buf[CONSOLE_BUF];
    struct sink s = {buf, sizeof buf, 0, 0, f};
    int rc = format(&s, fmt, ap);
    sink_flush(&s);
    return rc;
}

int fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = vfprintf(f, fmt, ap);
    va_end(ap);
    return rc;
}

int vprintf(const char *restrict fmt, va_list ap)
{
    return vfprintf(stdout, fmt, ap);
}

int printf(const char *restrict fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = vfprintf(stdout, fmt, ap);
    va_end(ap);
    return rc;
}

/* (s) then (nl) newlines through a stack buffer, so that a short line
 * is one console write. A non-negative count, capped at INT_MAX. */
static int put_text(FILE *f, const char *str, int nl)
{
    char buf[CONSOLE_BUF];
    struct sink s = {buf, sizeof buf, 0, 0, f};
    emit(&s, str, strlen(str));
    emit_fill(&s, '\n', nl ? 1 : 0);
    sink_flush(&s);
    return s.total > INT_MAX ? INT_MAX : (int)s.total;
}

int puts(const char *s)
{
    return put_text(stdout, s, 1);
}

int fputs(const char *restrict s, FILE *restrict f)
{
    return put_text(f, s, 0);
}

int fputc(int c, FILE *f)
{
    char ch = (char)c;
    f->write(&ch, 1);
    return (unsigned char)c;
}

int putchar(int c)
{
    return fputc(c, stdout);
}

size_t fwrite(const void *restrict p, size_t size, size_t n,
              FILE *restrict f)
{
    if (size == 0 || n == 0)
        return 0;
    /* An object larger than SIZE_MAX cannot exist; refuse the product. */
    if (n > SIZE_MAX / size) {
        errno = EOVERFLOW;
        return 0;
    }
    f->write(p, size * n);
    return n;
}

int fflush(FILE *f)
{
    (void)f;
    return 0;
}
