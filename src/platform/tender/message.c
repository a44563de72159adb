/*
 * message.c - the tender's error messages: "PROG: MESSAGE", one line on
 * standard error, written at once.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tender.h"

void tender_verror(const char *prog, const char *fmt, va_list ap)
{
    char *msg = NULL;

    if (vasprintf(&msg, fmt, ap) < 0) {
        fprintf(stderr, "%s: out of memory for a message\n", prog);
        return;
    }
    /* One call, so that the line is not split among other output. */
    fprintf(stderr, "%s: %s\n", prog, msg);
    free(msg);
}

void tender_error(const char *prog, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tender_verror(prog, fmt, ap);
    va_end(ap);
}
