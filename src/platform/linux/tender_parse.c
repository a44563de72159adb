/*
 * parse.c - the tender's options, read against the platform's table.
 *
 * The executable is the unikernel itself, so the tender's options come
 * first and the first argument that is not one of them starts the
 * unikernel's own arguments. Those may begin with "--" too (Solo5's
 * --solo5:quiet), which is why an unknown "--" option before them is an
 * error rather than a guess.
 */
#include <stdlib.h>
#include <string.h>

#include "tender.h"

/* The option of (t)'s table that (word) spells, with (*rest) set to what
 * follows its name (at '\0', '=' or ':'); NULL when (word) is none. */
static const struct tender_option *
find_option(const struct tender *t, const char *word, const char **rest)
{
    static const char sep[] =
        {[TENDER_FLAG] = '\0', [TENDER_VALUE] = '=', [TENDER_DEVICE] = ':'};

    for (const struct tender_option *o = t->options; o->name != NULL; o++) {
        size_t len = strlen(o->name);

        if (strncmp(word, o->name, len) != 0)
            continue;
        /* The name alone too: split() refuses it when a value is due. */
        if (word[len] == '\0' || word[len] == sep[o->form]) {
            *rest = word + len;
            return o;
        }
    }
    return NULL;
}

/* Split "--name:DEVICE=VALUE" ((rest) is ":DEVICE=VALUE", or "" when the
 * word stops at the name) into (a); 0, or 1 after printing why not. */
static int split_device(const struct tender *t, const struct tender_option *o,
                        const char *rest, struct tender_arg *a)
{
    const char *name = *rest == ':' ? rest + 1 : rest;
    size_t len = strcspn(name, "=");

    if (len == 0) {
        tender_error(t->prog, "option '%s' names no device (%s:NAME=%s)",
                     a->word, o->name, o->metavar);
        return 1;
    }
    if (name[len] != '=') {
        tender_error(t->prog, "device '%s': option '%s' needs a value (%s=%s)",
                     name, a->word, a->word, o->metavar);
        return 1;
    }
    if (len > TENDER_NAME_MAX) {
        tender_error(t->prog,
                     "device '%.*s': a name has at most %d characters "
                     "(option '%s')",
                     (int)len, name, TENDER_NAME_MAX, a->word);
        return 1;
    }
    memcpy(a->device, name, len);
    a->device[len] = '\0';
    a->value = name + len + 1;
    return 0;
}

/* Split (word) for (o)'s handler into (a); 0, or 1 after printing why
 * not. */
static int split(const struct tender *t, const struct tender_option *o,
                 const char *word, const char *rest, struct tender_arg *a)
{
    a->word = word;
    a->device[0] = '\0';
    a->value = NULL;
    switch (o->form) {
    case TENDER_FLAG:
        return 0;
    case TENDER_VALUE:
        if (*rest == '\0') {
            tender_error(t->prog, "option '%s' needs a value: %s=%s", o->name,
                         o->name, o->metavar);
            return 1;
        }
        a->value = rest + 1;
        return 0;
    case TENDER_DEVICE:
        return split_device(t, o, rest, a);
    }
    return 1;
}

/* An option of (o) among the (n) words of (argv) that (a) repeats (for a
 * device option, one that names the same device), or NULL. The words
 * were all read as options already: looking back at them needs no state
 * in the platform's table. */
static const char *earlier_word(const struct tender *t, char **argv, int n,
                                const struct tender_option *o,
                                const struct tender_arg *a)
{
    size_t len = strlen(a->device);

    for (int i = 0; i < n; i++) {
        const char *rest;

        if (find_option(t, argv[i], &rest) != o)
            continue;
        if (o->form != TENDER_DEVICE ||
            (strncmp(rest + 1, a->device, len) == 0 && rest[1 + len] == '='))
            return argv[i];
    }
    return NULL;
}

/* 0, or 1 after printing that (a) repeats an option given once. */
static int given_twice(const struct tender *t, char **argv, int n,
                       const struct tender_option *o,
                       const struct tender_arg *a)
{
    const char *earlier;

    if (o->twice == NULL || (earlier = earlier_word(t, argv, n, o, a)) == NULL)
        return 0;
    if (o->form == TENDER_DEVICE)
        tender_error(t->prog, "device '%s': %s ('%s' and '%s')", a->device,
                     o->twice, earlier, a->word);
    else
        tender_error(t->prog, "%s ('%s' and '%s')", o->twice, earlier, a->word);
    return 1;
}

/* Whether (word) ends the tender's options and starts the unikernel's. */
static int starts_app_args(const char *word)
{
    return strncmp(word, "--", 2) != 0 || strncmp(word, "--solo5:", 8) == 0;
}

int tender_parse(struct tender *t, int argc, char **argv)
{
    int i = argc > 0 ? 1 : 0;

    t->mem_mib = TENDER_MEM_DEFAULT_MIB;
    t->level = TENDER_LOG_INFO;
    t->cmdline = NULL;
    for (; i < argc; i++) {
        const struct tender_option *o;
        struct tender_arg a;
        const char *rest;
        int rc;

        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (starts_app_args(argv[i]))
            break;
        o = find_option(t, argv[i], &rest);
        if (o == NULL) {
            tender_error(t->prog, "unknown option '%s' (try --help)", argv[i]);
            return 1;
        }
        if (split(t, o, argv[i], rest, &a) != 0 ||
            given_twice(t, argv + 1, i - 1, o, &a) != 0)
            return 1;
        rc = o->handle(t, &a);
        if (rc != TENDER_RUN)
            return rc;
    }
    t->app_index = i;
    return tender_cmdline(t, argc - i, argv + i);
}

void tender_done(struct tender *t)
{
    free(t->cmdline);
    t->cmdline = NULL;
}

const char *tender_prog_name(const char *argv0, const char *fallback)
{
    const char *slash;

    if (argv0 == NULL || *argv0 == '\0')
        return fallback;
    slash = strrchr(argv0, '/');
    return slash != NULL && slash[1] != '\0' ? slash + 1 : argv0;
}
