/*
 * console.c - the Solo5 console is the process's standard output.
 *
 * A program's printf() goes through glibc's stdout instead, which holds
 * what it is given (a line on a terminal or, as the tender sets it,
 * elsewhere too; a partial line always): stdout is flushed before each
 * console write, so that both come out in the order the program made
 * them, as on Solo5, where printf() writes to the console. The sim
 * platform does the same.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <solo5.h>

#include "hosted.h"

void hosted_write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t done = write(fd, buf, n);
        if (done < 0) {
            if (errno == EINTR)
                continue;
            /* The console is best-effort: a closed or full output must
             * not stop the unikernel. */
            return;
        }
        buf += done;
        n -= (size_t)done;
    }
}

void solo5_console_write(const char *buf, size_t size)
{
    fflush(stdout);
    hosted_write_all(STDOUT_FILENO, buf, size);
}
