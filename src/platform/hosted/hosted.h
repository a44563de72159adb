/*
 * hosted.h - what the files of the hosted platform share.
 *
 * The hosted platform is an ordinary Linux process that plays the tender's
 * role: main() reads the tender's options, maps the heap and calls
 * solo5_app_main(); the other files implement the Solo5 calls with the C
 * library. Nothing outside src/platform/hosted/ may include this header.
 */
#ifndef MIOU_HOSTED_H
#define MIOU_HOSTED_H

#include <stddef.h>

/* Heap size when --mem is not given, and the largest --mem accepted. */
#define HOSTED_MEM_DEFAULT_MIB 512u
#define HOSTED_MEM_MAX_MIB 65536u

/* What the tender's options asked for. */
struct hosted_tender {
    const char *prog; /* program name, first word of every message */
    size_t mem_mib;   /* heap size in MiB */
    int app_argc;     /* the unikernel's own arguments */
    char **app_argv;
};

/* hosted_parse_args() result when the unikernel should run; any other
 * value is the exit status the process must end with at once. */
#define HOSTED_RUN (-1)

/* Fill (t) from the command line. Messages (help, version, errors) are
 * printed here, so the caller only has to exit with the result. */
int hosted_parse_args(int argc, char **argv, struct hosted_tender *t);

/* Write the (n) bytes of (buf) to (fd), going on after interruptions and
 * short writes; gives up silently on any other error. */
void hosted_write_all(int fd, const char *buf, size_t n);

/* SIGUSR1 prints the live tasks: install the handler (debug.c)... */
void hosted_debug_init(void);
/* ...and print them if asked, from solo5_yield(). */
void hosted_debug_poll(void);

#endif
