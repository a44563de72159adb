/*
 * console.h - the examples' messages on the unikernel's console: say()
 * formats a line, fail() reports an error, args_read() reads the
 * command line by a table of options (args.h) and says what is wrong
 * with it.
 *
 * Header-only, so that the .c files of examples/lib stay free of any
 * platform call (a benchmark baseline links them without Solo5's). Lines
 * longer than CONSOLE_LINE_MAX bytes are cut.
 */
#ifndef EXAMPLES_CONSOLE_H
#define EXAMPLES_CONSOLE_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <miou.h>
#include <solo5.h>

#include "args.h"

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

/* Say "PROGRAM: (what): the text of (err) (its name)", PROGRAM being the
 * name given to args_read(), and return 1, the exit status of a program
 * that failed: `return fail("cannot start the stack", err);`. */
static inline int fail(const char *what, int err)
{
    say("%s: %s: %s (%s)\n", program_name, what, miou_strerror(err),
        miou_errname(err));
    return 1;
}

/* Read the command line (cmdline) of (program) by (table) and print what
 * args_parse() says: the line refusing a bad word, or the help that the
 * word --help asks for. Returns ARGS_RUN, ARGS_HELP or ARGS_BAD. */
static inline int args_read(const char *cmdline, const char *program,
                            const struct arg *table)
{
    char text[ARGS_TEXT_MAX];
    int rc = args_parse(cmdline, program, table, text, sizeof text);

    solo5_console_write(text, strlen(text));
    return rc;
}

/* An example's whole solo5_app_main(): read its options by (table) (exit
 * status 2 for a bad one, 0 after --help; --measure-stacks measures how
 * deep each task's stack goes), run (main) as the first task
 * with a pointer to the exit status (0 until it sets one), and exit with
 * it; 1 when the run could not even start. */
static inline int example_main(const struct solo5_start_info *si,
                               const char *program, const struct arg *table,
                               miou_fn main)
{
    struct miou_config cfg = {0};
    int status = 0;
    int rc = args_read(si->cmdline, program, table);

    if (rc != ARGS_RUN)
        return rc == ARGS_HELP ? 0 : 2;
    cfg.measure_stacks = args_measure_stacks;
    rc = miou_run(&cfg, main, &status, NULL);
    if (rc != 0)
        return fail("cannot run", rc);
    return status;
}

#endif
