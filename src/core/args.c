/*
 * args.c - the unikernel's command line as argc/argv (miou_args_parse()).
 *
 * One allocation holds the pointer array and the words' copies, so that a
 * single free gives everything back and nothing leaks on an error path.
 */
#include <string.h>

#include "internal.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Count the words of (s) and the bytes of their text. */
static void measure(const char *s, size_t *words, size_t *bytes)
{
    *words = 0;
    *bytes = 0;
    while (*s != '\0') {
        while (is_blank(*s))
            s++;
        if (*s == '\0')
            break;
        (*words)++;
        while (*s != '\0' && !is_blank(*s)) {
            (*bytes)++;
            s++;
        }
        (*bytes)++; /* its terminating NUL */
    }
}

int miou_args_parse(const char *cmdline, struct miou_args *args)
{
    size_t words, bytes;
    char **argv;
    char *text;
    size_t i = 0;

    if (args == NULL)
        return MIOU_EINVAL;
    args->argc = 0;
    args->argv = NULL;
    if (cmdline == NULL)
        return MIOU_EINVAL;
    measure(cmdline, &words, &bytes);
    /* A command line has at most a few KiB: these cannot overflow, but an
     * int argc must hold the count. */
    if (words > (size_t)INT32_MAX)
        return MIOU_ENOMEM;
    argv = miou__mem_alloc((words + 1) * sizeof(char *) + bytes);
    if (argv == NULL)
        return MIOU_ENOMEM;
    text = (char *)(argv + words + 1);
    while (*cmdline != '\0') {
        size_t len;

        while (is_blank(*cmdline))
            cmdline++;
        if (*cmdline == '\0')
            break;
        for (len = 0; cmdline[len] != '\0' && !is_blank(cmdline[len]); len++)
            ;
        memcpy(text, cmdline, len);
        text[len] = '\0';
        argv[i++] = text;
        text += len + 1;
        cmdline += len;
    }
    argv[i] = NULL;
    args->argc = (int)i;
    args->argv = argv;
    return 0;
}

void miou_args_free(struct miou_args *args)
{
    if (args == NULL)
        return;
    miou__mem_free(args->argv);
    args->argc = 0;
    args->argv = NULL;
}
