/*
 * message.c - the tender's error messages: one line each, whatever the
 * command line held. A message echoes what the user gave (a path, a
 * device name, a fault specification), and an argument may hold a
 * newline or a terminal's escape sequence: printed raw, it would split
 * the message (scripts read exactly one line) or drive the terminal. So
 * control characters are written as C escapes (\n, \t, \x1b).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tender.h"

/* The longest escape of one byte: "\x1b". */
#define ESCAPE_MAX 4

/* Write (s) with its control characters escaped at (out), which has room
 * for ESCAPE_MAX bytes per byte of (s); returns the end. */
static char *escape(char *out, const char *s)
{
    static const char hex[] = "0123456789abcdef";

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c >= 0x20 && c != 0x7f) {
            *out++ = (char)c;
            continue;
        }
        *out++ = '\\';
        if (c == '\n') {
            *out++ = 'n';
        } else if (c == '\t') {
            *out++ = 't';
        } else if (c == '\r') {
            *out++ = 'r';
        } else {
            *out++ = 'x';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 0xf];
        }
    }
    return out;
}

void tender_verror(const char *prog, const char *fmt, va_list ap)
{
    char *msg = NULL, *line, *end;

    if (vasprintf(&msg, fmt, ap) < 0) {
        fprintf(stderr, "%s: out of memory for a message\n", prog);
        return;
    }
    /* The two strings escaped, ": " and '\n'. */
    line = malloc((strlen(prog) + strlen(msg)) * ESCAPE_MAX + 3);
    if (line == NULL) {
        fprintf(stderr, "%s: out of memory for a message\n", prog);
        free(msg);
        return;
    }
    end = escape(line, prog);
    *end++ = ':';
    *end++ = ' ';
    end = escape(end, msg);
    *end++ = '\n';
    /* One write, so that the line is not split among other output. */
    fwrite(line, 1, (size_t)(end - line), stderr);
    free(line);
    free(msg);
}

void tender_stderr_buffered(void)
{
    static char buf[BUFSIZ];
    setvbuf(stderr, buf, _IOLBF, sizeof buf);
}

void tender_error(const char *prog, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tender_verror(prog, fmt, ap);
    va_end(ap);
}
