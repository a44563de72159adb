/*
 * args.h - the words of a unikernel's command line.
 *
 * A Solo5 unikernel receives its arguments as one string (the start
 * info's cmdline), words separated by spaces. These helpers walk it and
 * read the values of "--name=value" options, without the C library's
 * parsing functions (a unikernel's libc is small), and like netstack.c
 * they know nothing of miou.
 */
#ifndef EXAMPLES_ARGS_H
#define EXAMPLES_ARGS_H

#include <stddef.h>
#include <stdint.h>

/* A word of the command line: (len) bytes at (s), not NUL-terminated. */
struct word {
    const char *s;
    size_t len;
};

/* Store in (*w) the next word of (*cursor) and move (*cursor) past it.
 * Returns 1, or 0 when no word is left. Words starting with "--solo5:"
 * (the tender's console options, such as --solo5:quiet) are skipped. */
int word_next(const char **cursor, struct word *w);

/* Whether (w) is the word (s) exactly. */
int word_is(const struct word *w, const char *s);

/* When (w) is "NAME=VALUE" for the given (name) (written with its dashes,
 * "--count"), store VALUE in (*value) and return 1; else 0. */
int word_option(const struct word *w, const char *name, struct word *value);

/* Read (w) as a decimal number of at most (max) into (*out): digits only,
 * optionally followed by a '.' and up to (scale_digits) more digits that
 * count in units of 10^-scale_digits. So with scale_digits 3, "1.5" is
 * 1500 and "2" is 2000. Returns 0, or -1 for anything else (empty,
 * another character, too many decimals, above max). */
int word_number(const struct word *w, unsigned scale_digits, uint64_t max,
                uint64_t *out);

#endif
