/*
 * console.c - the console and the ends of a run: the console is standard
 * output (recorded in the trace, so that a run that prints differently has
 * another digest); solo5_exit() and solo5_abort() end the run through the
 * report of tender.c.
 */
#include <stdio.h>
#include <unistd.h>

#include "sim.h"

void solo5_console_write(const char *buf, size_t size)
{
    sim_trace(EV_CONSOLE, size, 0, 0, buf, size);
    fflush(stdout); /* keep the order of printf() and the console */
    while (size > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, size);
        if (n <= 0)
            return; /* best effort, as on a tender */
        buf += n;
        size -= (size_t)n;
    }
}

void solo5_exit(int status)
{
    sim_exit(status, NULL);
}

void solo5_abort(void)
{
    fprintf(stderr, "Solo5: solo5_abort() called\n");
    /* The status a Solo5 tender gives an aborted unikernel. */
    sim_exit(255, "solo5_abort()");
}
