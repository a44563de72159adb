/*
 * args.c - the words of a unikernel's command line (args.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "netstack.h"

static const char solo5_prefix[] = "--solo5:";

const char *program_name = "unikernel";
int args_measure_stacks;

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

/* ---- args_parse() ------------------------------------------------------- */

/* Text appended to a buffer; what does not fit is cut. */
struct text {
    char *p;
    size_t left;
};

static void put(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->left == 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(t->p, t->left, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= t->left)
        n = (int)t->left - 1;
    t->p += n;
    t->left -= (size_t)n;
}

static int is_option(const struct arg *a)
{
    return a->name[0] == '-';
}

static const char *value_name(const struct arg *a)
{
    if (a->value != NULL)
        return a->value;
    return a->number ? "N" : a->netmask ? "BITS" : a->text ? "TEXT" : "ADDRESS";
}

/* (v) in units of 10^-decimals, as a decimal without trailing zeros. */
static void put_decimal(struct text *t, uint64_t v, unsigned decimals)
{
    uint64_t unit = 1;
    unsigned i, shown = decimals;

    for (i = 0; i < decimals; i++)
        unit *= 10;
    put(t, "%llu", (unsigned long long)(v / unit));
    v %= unit;
    if (v == 0)
        return;
    for (; v % 10 == 0; v /= 10)
        shown--;
    put(t, ".%0*llu", (int)shown, (unsigned long long)v);
}

/* What (a) accepts: "a whole number from 1 to 16", "a number with up to
 * 9 decimals, above 0". */
static void put_accepted(struct text *t, const struct arg *a)
{
    int bounded = a->max < ARGS_HUGE, limited = bounded || a->min > 0;

    if (a->flag || a->text) {
        put(t, a->flag ? "no value" : "a word");
        return;
    }
    if (a->parse) {
        put(t, "%s", a->accepts ? a->accepts : "another value");
        return;
    }
    if (a->netmask) {
        put(t, "a prefix length from 0 to 32");
        return;
    }
    if (a->ipv4) {
        put(t, "an IPv4 address (a.b.c.d)");
        return;
    }
    if (a->decimals)
        put(t, "a number with up to %u decimals%s", a->decimals,
            limited ? "," : "");
    else
        put(t, "a whole number");
    /* The least of a number with decimals reads better as "above 0". */
    if (a->decimals && a->min == 1) {
        put(t, bounded ? " above 0 and up to " : " above 0");
    } else if (limited) {
        put(t, " from ");
        put_decimal(t, a->min, a->decimals);
        put(t, bounded ? " to " : " on");
    }
    if (bounded)
        put_decimal(t, a->max, a->decimals);
}

/* "usage: PROGRAM SERVER [ADDRESS] [--count=N] [--dhcp]" and a newline. */
static void put_usage(struct text *t, const char *program,
                      const struct arg *table)
{
    const struct arg *a;

    put(t, "usage: %s", program);
    for (a = table; a->name != NULL; a++) {
        if (!is_option(a))
            put(t, a->required ? " %s" : " [%s]", a->name);
        else if (a->flag)
            put(t, " [%s]", a->name);
        else
            put(t, " [%s=%s]", a->name, value_name(a));
    }
    put(t, "\n");
}

/* The usage line, then a line per entry: its name and its help. */
static void put_help(struct text *t, const char *program,
                     const struct arg *table)
{
    const struct arg *a;
    int width = 0;

    put_usage(t, program, table);
    for (a = table; a->name != NULL; a++)
        if ((int)strlen(a->name) > width)
            width = (int)strlen(a->name);
    for (a = table; a->name != NULL; a++)
        put(t, "  %-*s  %s\n", width, a->name, a->help ? a->help : "");
    put(t, "Every example also takes --measure-stacks: at the end, how deep "
           "each task's stack went.\n");
}

/* Store the value (v) where (a) says; 0, or -1 when it is not one (a)
 * accepts. */
static int store(const struct arg *a, const struct word *v)
{
    uint64_t n;

    if (a->text) {
        *a->text = *v;
        return v->len ? 0 : -1;
    }
    if (a->ipv4)
        return ipv4_parse(v->s, v->len, a->ipv4);
    if (a->parse)
        return a->parse(v->s, v->len, a->to);
    if (a->netmask) {
        if (word_number(v, 0, 32, &n) != 0)
            return -1;
        *a->netmask = n ? ~(uint32_t)0 << (32 - n) : 0;
        return 0;
    }
    if (word_number(v, a->decimals, a->max, &n) != 0 || n < a->min)
        return -1;
    *a->number = n;
    return 0;
}

/* The option of (table) that the word (w) gives ("--name" or
 * "--name=..."), or NULL. */
static const struct arg *option_of(const struct arg *table,
                                   const struct word *w)
{
    const struct arg *a;

    for (a = table; a->name != NULL; a++) {
        size_t n = strlen(a->name);

        if (is_option(a) && w->len >= n && memcmp(w->s, a->name, n) == 0 &&
            (w->len == n || w->s[n] == '='))
            return a;
    }
    return NULL;
}

/* The entry without dashes after (last), or NULL. */
static const struct arg *next_word(const struct arg *table,
                                   const struct arg *last)
{
    const struct arg *a = last ? last + 1 : table;

    for (; a->name != NULL; a++)
        if (!is_option(a))
            return a;
    return NULL;
}

/* What read_word() found wrong with a word. */
enum { WORD_OK, WORD_UNKNOWN, WORD_TOO_MANY, WORD_BAD_VALUE };

/* Read the word (w) by (table); (*last) is the last entry without dashes
 * filled. Returns WORD_OK, or what is wrong, with the entry in (*bad)
 * for WORD_BAD_VALUE. */
static int read_word(const struct arg *table, const struct word *w,
                     const struct arg **last, const struct arg **bad)
{
    const struct arg *a;
    struct word v = *w;
    int ok;

    if (w->len > 1 && w->s[0] == '-' && w->s[1] == '-') {
        a = option_of(table, w);
        if (a == NULL)
            return WORD_UNKNOWN;
        if (a->flag) {
            ok = w->len == strlen(a->name);
            if (ok)
                *a->flag = 1;
        } else {
            ok = word_option(w, a->name, &v) && store(a, &v) == 0;
        }
    } else {
        a = next_word(table, *last);
        if (a == NULL)
            return WORD_TOO_MANY;
        *last = a;
        ok = store(a, &v) == 0;
    }
    *bad = a;
    return ok ? WORD_OK : WORD_BAD_VALUE;
}

/* The line that refuses the word (w), for the reason (why). */
static void put_refusal(struct text *t, const char *program,
                        const struct word *w, int why, const struct arg *a)
{
    put(t, "%s: bad argument '%.*s': ", program, (int)w->len, w->s);
    if (why == WORD_UNKNOWN) {
        put(t, "unknown option");
    } else if (why == WORD_TOO_MANY) {
        put(t, "one word too many");
    } else {
        put(t, a->flag ? "%s takes " : "%s is ", a->name);
        put_accepted(t, a);
    }
    put(t, why == WORD_BAD_VALUE ? "\n" : " (--help lists the options)\n");
}

int args_parse(const char *cmdline, const char *program,
               const struct arg *table, char *text, size_t size)
{
    struct text t = {text, size};
    const char *cursor = cmdline;
    const struct arg *last = NULL, *a = NULL;
    struct word w;
    int why;

    program_name = program;
    if (size > 0)
        text[0] = '\0';
    /* --help anywhere, even after a bad word, asks for help. */
    while (word_next(&cursor, &w))
        if (word_is(&w, "--help")) {
            put_help(&t, program, table);
            return ARGS_HELP;
        }
    cursor = cmdline;
    args_measure_stacks = 0;
    while (word_next(&cursor, &w)) {
        if (word_is(&w, "--measure-stacks")) {
            args_measure_stacks = 1;
            continue;
        }
        why = read_word(table, &w, &last, &a);
        if (why != WORD_OK) {
            put_refusal(&t, program, &w, why, a);
            return ARGS_BAD;
        }
    }
    for (a = next_word(table, last); a != NULL; a = next_word(table, a))
        if (a->required) {
            put(&t, "%s: %s is missing (%s; --help lists the options)\n",
                program, a->help ? a->help : a->name, a->name);
            return ARGS_BAD;
        }
    return ARGS_RUN;
}
