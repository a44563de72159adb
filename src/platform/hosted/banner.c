/*
 * banner.c - the platform's own messages, and the leading --solo5:LEVEL
 * words of the unikernel's command line that choose which are printed.
 *
 * As under a Solo5 tender: the words --solo5:quiet (or --solo5:error),
 * --solo5:warn, --solo5:info and --solo5:debug at the start of the command
 * line set the level and are taken out of what the unikernel receives;
 * the default level (info) prints a banner at start and the exit status at
 * the end, quiet prints errors only. Unlike Solo5, the messages go to
 * standard error, so that standard output carries exactly the unikernel's
 * console.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hosted.h"

static enum hosted_log_level level = HOSTED_LOG_INFO;

static const struct {
    const char *word;
    enum hosted_log_level level;
} level_words[] = {
    {"--solo5:quiet", HOSTED_LOG_ERROR}, {"--solo5:error", HOSTED_LOG_ERROR},
    {"--solo5:warn", HOSTED_LOG_WARN},   {"--solo5:info", HOSTED_LOG_INFO},
    {"--solo5:debug", HOSTED_LOG_DEBUG},
};

/* The level named by the word of (len) bytes at (p), or -1. */
static int level_of(const char *p, size_t len)
{
    for (size_t i = 0; i < sizeof level_words / sizeof level_words[0]; i++)
        if (strlen(level_words[i].word) == len &&
            memcmp(level_words[i].word, p, len) == 0)
            return (int)level_words[i].level;
    return -1;
}

const char *hosted_log_options(const char *cmdline)
{
    const char *p = cmdline;

    level = HOSTED_LOG_INFO;
    for (;;) {
        size_t len;
        int l;

        while (*p == ' ' || *p == '\t')
            p++;
        len = strcspn(p, " \t");
        if (len == 0 || (l = level_of(p, len)) < 0)
            return p;
        level = (enum hosted_log_level)l;
        p += len;
    }
}

void hosted_log(enum hosted_log_level at, const char *fmt, ...)
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
