/*
 * args.c - the words of a unikernel's command line (args.h).
 */
#include <string.h>

#include "args.h"

static const char solo5_prefix[] = "--solo5:";

int word_next(const char **cursor, struct word *w)
{
    const char *p = *cursor;

    if (p == NULL)
        return 0;
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == '\0') {
            *cursor = p;
            return 0;
        }
        w->s = p;
        while (*p != ' ' && *p != '\0')
            p++;
        w->len = (size_t)(p - w->s);
        if (w->len < sizeof solo5_prefix - 1 ||
            memcmp(w->s, solo5_prefix, sizeof solo5_prefix - 1) != 0)
            break;
    }
    *cursor = p;
    return 1;
}

int word_is(const struct word *w, const char *s)
{
    size_t n = strlen(s);

    return w->len == n && memcmp(w->s, s, n) == 0;
}

int word_option(const struct word *w, const char *name, struct word *value)
{
    size_t n = strlen(name);

    if (w->len <= n || memcmp(w->s, name, n) != 0 || w->s[n] != '=')
        return 0;
    value->s = w->s + n + 1;
    value->len = w->len - n - 1;
    return 1;
}

/* Add the decimal digit (c) to (*v), refusing to go above (max). */
static int add_digit(uint64_t *v, char c, uint64_t max)
{
    uint64_t d = (uint64_t)(c - '0');

    if (d > max || *v > (max - d) / 10)
        return -1;
    *v = *v * 10 + d;
    return 0;
}

int word_number(const struct word *w, unsigned scale_digits, uint64_t max,
                uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    unsigned decimals = 0;
    int dot = 0, digits = 0;

    for (i = 0; i < w->len; i++) {
        char c = w->s[i];

        if (c == '.' && !dot && scale_digits > 0) {
            dot = 1;
        } else if (c >= '0' && c <= '9') {
            if (dot && ++decimals > scale_digits)
                return -1;
            if (add_digit(&v, c, max) != 0)
                return -1;
            digits++;
        } else {
            return -1;
        }
    }
    if (digits == 0)
        return -1;
    for (; decimals < scale_digits; decimals++)
        if (add_digit(&v, '0', max) != 0)
            return -1;
    *out = v;
    return 0;
}
