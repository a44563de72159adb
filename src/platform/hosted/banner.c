/*
 * banner.c - the platform's own messages, printed by level as under a
 * Solo5 tender: the leading --solo5:LEVEL words of the unikernel's
 * command line choose it (src/platform/linux/tender_cmdline.c); the default
 * level (info) prints a banner at start and the exit status at the end,
 * quiet prints errors only. Unlike Solo5, the messages go to standard
 * error, so that standard output carries exactly the unikernel's console.
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "hosted.h"

static enum tender_log_level level = TENDER_LOG_INFO;

void hosted_log_set_level(enum tender_log_level at)
{
    level = at;
}

void hosted_log(enum tender_log_level at, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    if (at > level)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof buf)
        n = sizeof buf - 1;
    hosted_write_all(STDERR_FILENO, buf, (size_t)n);
}
