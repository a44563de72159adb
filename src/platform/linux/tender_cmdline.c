/*
 * cmdline.c - the unikernel's command line, as a Solo5 tender and its
 * bindings hand it over: the arguments after the tender's options joined
 * by single spaces (so that an argument holding a space arrives as two
 * words, as under Solo5), then the leading --solo5:quiet (or
 * --solo5:error), --solo5:warn, --solo5:info and --solo5:debug words
 * taken off: they set the level of the platform's own messages, the last
 * one winning, and the unikernel never sees them. Any other leading
 * --solo5: word is refused: left on the line it would hide the level
 * words after it, and a misspelt --solo5:quite would pass unnoticed. A
 * --solo5: word after any other word is the unikernel's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tender.h"

static const struct {
    const char *word;
    enum tender_log_level level;
} level_words[] = {
    {"--solo5:quiet", TENDER_LOG_ERROR}, {"--solo5:error", TENDER_LOG_ERROR},
    {"--solo5:warn", TENDER_LOG_WARN},   {"--solo5:info", TENDER_LOG_INFO},
    {"--solo5:debug", TENDER_LOG_DEBUG},
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

/* Words are split as the bindings split them: at spaces and tabs. */
#define BLANKS " \t"

/* The rest of (cmdline) after its leading --solo5: words, their level
 * in t->level; NULL after printing that one of them is unknown. */
static const char *take_level_words(struct tender *t, const char *cmdline)
{
    const char *p = cmdline;

    for (;;) {
        size_t len;
        int l;

        p += strspn(p, BLANKS);
        len = strcspn(p, BLANKS);
        if (len < 8 || strncmp(p, "--solo5:", 8) != 0)
            return p;
        l = level_of(p, len);
        if (l < 0) {
            tender_error(t->prog,
                         "unknown option '%.*s' (--solo5:quiet, :error, "
                         ":warn, :info or :debug)",
                         (int)len, p);
            return NULL;
        }
        t->level = (enum tender_log_level)l;
        p += len;
    }
}

/* (argv) joined by single spaces ("" for none), in memory the caller
 * frees; NULL when out of memory. */
static char *join(int argc, char *const *argv)
{
    size_t size = 1;
    char *s, *p;

    for (int i = 0; i < argc; i++)
        size += strlen(argv[i]) + 1;
    s = malloc(size);
    if (s == NULL)
        return NULL;
    p = s;
    for (int i = 0; i < argc; i++) {
        size_t len = strlen(argv[i]);

        if (i > 0)
            *p++ = ' ';
        memcpy(p, argv[i], len);
        p += len;
    }
    *p = '\0';
    return s;
}

int tender_cmdline(struct tender *t, int argc, char *const *argv)
{
    const char *rest;

    t->cmdline = join(argc, argv);
    if (t->cmdline == NULL) {
        tender_error(t->prog, "out of memory for the command line");
        return 1;
    }
    t->level = TENDER_LOG_INFO;
    rest = take_level_words(t, t->cmdline);
    if (rest == NULL)
        return 1;
    /* In place: t->cmdline stays the one block to free. */
    memmove(t->cmdline, rest, strlen(rest) + 1);
    return TENDER_RUN;
}
