/*
 * tender.h - the tender's command line, shared by the platforms whose
 * unikernels are Linux processes playing Solo5's tender (hosted, sim):
 *
 *   PROG [TENDER OPTION]... [--] [UNIKERNEL ARGUMENT]...
 *
 * The grammar lives here once: where the tender's options stop, "--",
 * the "--name:DEVICE=VALUE" split, the unknown option, joining the
 * unikernel's arguments into its one command line, and the leading
 * --solo5: words that Solo5's bindings take off that line. A platform
 * brings its table of options (struct tender_option), their handlers and
 * its help text, and nothing of the grammar. The solo5 platform has a
 * real tender and never uses this.
 */
#ifndef MIOU_TENDER_H
#define MIOU_TENDER_H

#include <stdarg.h>
#include <stddef.h>

/* Heap size when --mem is not given, and the largest --mem accepted. */
#define TENDER_MEM_DEFAULT_MIB 512u
#define TENDER_MEM_MAX_MIB 65536u

/* Solo5's limit on a device's name (a manifest refuses longer ones). */
#define TENDER_NAME_MAX 67

/* Solo5's tenders' words for the disk images and sector sizes they refuse,
 * which the platforms' messages hold, so that a script written for Solo5
 * matches them: an image whose size is not a multiple of the sector size
 * (BLOCK_UNALIGNED "(N bytes)"), an empty one (BLOCK_EMPTY "(N bytes) in
 * size"), a sector size that is not a power of two of 512 or more. */
#define TENDER_BLOCK_UNALIGNED "Backing storage size must be block aligned"
#define TENDER_BLOCK_EMPTY "Backing storage must be at least 1 block"
#define TENDER_BLOCK_SECTOR                                                    \
    "Block size must be a multiple of 2 greater than or equal 512"
#define TENDER_BLOCK_OPEN "Could not open block device"

/* A handler's and tender_parse()'s result when the unikernel should run;
 * any other value is the exit status the process must end with at once
 * (the message already printed). */
#define TENDER_RUN (-1)

/* The platform's own messages, by level as on Solo5: chosen by the
 * leading --solo5:quiet/error/warn/info/debug words. */
enum tender_log_level {
    TENDER_LOG_ERROR,
    TENDER_LOG_WARN,
    TENDER_LOG_INFO,
    TENDER_LOG_DEBUG
};

/* How an option's value is spelt after its name. */
enum tender_form {
    TENDER_FLAG,   /* --name */
    TENDER_VALUE,  /* --name=VALUE */
    TENDER_DEVICE, /* --name:DEVICE=VALUE */
};

/* One argument, as the parser split it for a handler. */
struct tender_arg {
    const char *word;  /* the whole argument, for messages */
    const char *value; /* VALUE (never NULL but for a flag) */
    /* DEVICE for TENDER_DEVICE options, "" otherwise. */
    char device[TENDER_NAME_MAX + 1];
};

struct tender;

/* A row of a platform's table, which ends with a row of NULL name. */
struct tender_option {
    const char *name; /* "--mem" */
    enum tender_form form;
    /* What VALUE stands for, in messages ("MiB", "IFACE"). */
    const char *metavar;
    /* When the option may be given once (for a device option, once per
     * device), what the message says of a second one: "attached twice";
     * NULL when a later one adds to or replaces an earlier one. */
    const char *twice;
    /* TENDER_RUN to go on parsing, or the status to exit with after
     * printing why. */
    int (*handle)(struct tender *t, const struct tender_arg *a);
};

/* The tender: what the platform gives the parser, and what it finds. */
struct tender {
    /* Set by the platform before tender_parse(). */
    const char *prog;                    /* the first word of every message */
    const char *platform;                /* "hosted", "sim": for --version */
    const struct tender_option *options; /* ends with a NULL name */

    /* Set by tender_parse(). */
    size_t mem_mib;              /* --mem */
    enum tender_log_level level; /* the --solo5: words */
    int app_index; /* argv's index of the unikernel's first argument */
    char *cmdline; /* the unikernel's command line, for its start info */
};

/* The program's name for messages: (argv0)'s last component, (fallback)
 * when there is none. */
const char *tender_prog_name(const char *argv0, const char *fallback);

/* Read (argc) and (argv) as the tender's command line, calling the
 * handlers of (t)'s table, then build the unikernel's command line.
 * TENDER_RUN, or the status to exit with (0 after --help). Whatever it
 * returns, tender_done() frees what it kept. */
int tender_parse(struct tender *t, int argc, char **argv);
void tender_done(struct tender *t);

/* tender_parse()'s last step (cmdline.c): the unikernel's arguments
 * (argc, argv) joined by single spaces, its leading --solo5: words taken
 * off into t->level, into t->cmdline. TENDER_RUN, or 1 after printing
 * why. */
int tender_cmdline(struct tender *t, int argc, char *const *argv);

/* Handlers that mean the same on every platform, and what a second
 * --mem is called. */
#define TENDER_MEM_TWICE "heap size given twice"
int tender_opt_mem(struct tender *t, const struct tender_arg *a);
int tender_opt_version(struct tender *t, const struct tender_arg *a);

/* After printing --help or --version: 0, or 1 when standard output could
 * not be written (a help text lost is a failure a script should see).
 * The platforms print with fprintf(stdout, ...), never printf() or
 * puts(): a program written for Solo5 may define those of its own (to
 * its console), and they would then print the tender's texts. */
int tender_stdout_done(const struct tender *t);

/* Make standard error line-buffered, before the unikernel runs. The
 * platform writes its messages from inside Solo5 calls, on the calling
 * task's stack, and glibc formats for an unbuffered stream through an
 * 8 KiB buffer on the stack: a task with a small stack would overflow
 * (sim's --trace did, on the http example's 8 KiB connection stacks). */
void tender_stderr_buffered(void);

/* "PROG: " and the message (printf format) on standard error as ONE
 * line: control characters that the arguments hold (a newline in a
 * path given on the command line) are escaped as C does. */
void tender_error(const char *prog, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tender_verror(const char *prog, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
