/*
 * args.h - the words of a unikernel's command line.
 *
 * A Solo5 unikernel receives its arguments as one string (the start
 * info's cmdline), words separated by spaces. These helpers walk it and
 * read the values of "--name=value" options, without the C library's
 * parsing functions (a unikernel's libc is small), and like netstack.c
 * they know nothing of miou.
 *
 * An example declares its options in a table (struct arg) and reads its
 * whole command line with one call, args_parse() (args_read() in
 * console.h prints what it says); the word_*() functions are the pieces
 * it is made of, for programs with other needs.
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

/* ---- A whole command line, read by a table ----------------------------- */

/*
 * One thing a command line may hold. (name) is an option written with
 * its dashes ("--count"), given as "--count=VALUE", or alone when it is
 * a flag; or, without dashes ("ADDRESS"), a word given on its own: such
 * words fill the table's entries without dashes in the table's order.
 * Exactly one of (number), (ipv4), (netmask), (flag), (parse) is set: where the
 * value goes, which also says how it is read. A table ends with an entry
 * whose name is NULL. Defaults are what the places hold beforehand.
 * (parse) reads a value of another kind, one the program knows (an
 * address of the TCP/IP stack): it stores the (len) bytes at (s) into
 * (to) and returns 0, or -1 for a value it does not accept, which
 * (accepts) describes.
 */
struct arg {
    const char *name;
    const char *help;  /* one line for --help: what it is, its default */
    uint64_t *number;  /* a decimal number from (min) to (max), counted */
    unsigned decimals; /* in units of 10^-decimals (word_number()) */
    uint64_t min, max; /* in those units; a max from ARGS_HUGE is no limit */
    uint32_t *ipv4;    /* an IPv4 address, a.b.c.d */
    uint32_t *netmask; /* a prefix length, 0 to 32, stored as a netmask */
    int *flag;         /* set to 1 by the option alone */
    struct word *text; /* any non-empty word, as given (it points into
                          the command line, which stays) */
    int (*parse)(const char *s, size_t len, void *to);
    void *to;
    const char *accepts; /* "an IPv6 address", for a refusal */
    const char *value;   /* the value's name in the usage line (N, ADDRESS
                            or BITS when NULL) */
    int required;        /* a word without dashes that must be given */
};

/* A max from here on is said as no limit in messages. */
#define ARGS_HUGE (UINT64_MAX / 8)

/* What args_parse() found: run the program, or end it at once. */
enum { ARGS_RUN = 0, ARGS_HELP = 1, ARGS_BAD = -1 };

/* Room for what args_parse() may write: the usage and help lines. */
#define ARGS_TEXT_MAX 2048

/* The program's name, that its messages start with ("ping: ..."): the
 * one args_parse() was given last ("unikernel" before). */
extern const char *program_name;

/* Whether the last command line args_parse() read held --measure-stacks,
 * which every program takes (examples/lib/console.h's example_main()
 * turns it into miou_config.measure_stacks). */
extern int args_measure_stacks;

/* Read the words of (cmdline) into the places that (table) names, for
 * the program (program). Returns ARGS_RUN, with (text) empty; ARGS_HELP
 * when a word is "--help", with (text) holding the usage line and a line
 * per entry, and nothing stored; or ARGS_BAD, with (text) holding one line that
 * names the bad word (an unknown option, a value out of its range, one word too
 * many, a required word missing) and what is accepted. (text) holds (size)
 * bytes, ARGS_TEXT_MAX is enough. The values of the words before a bad
 * one may have been stored. */
int args_parse(const char *cmdline, const char *program,
               const struct arg *table, char *text, size_t size);

#endif
