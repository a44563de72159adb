/*
 * console.c - the Solo5 console is the process's standard output.
 */
#include <errno.h>
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
    hosted_write_all(STDOUT_FILENO, buf, size);
}
