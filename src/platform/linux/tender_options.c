/*
 * options.c - the handlers of the options that mean the same on every
 * platform that plays the tender: --mem (the size of the one heap region
 * of the start info) and --version.
 */
#include <stdio.h>
#include <string.h>

#include "tender.h"

#ifndef MIOU_VERSION
#define MIOU_VERSION "0.1.0"
#endif

int tender_stdout_done(const struct tender *t)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        tender_error(t->prog, "cannot write to standard output");
        return 1;
    }
    return 0;
}

int tender_opt_version(struct tender *t, const struct tender_arg *a)
{
    (void)a;
    fprintf(stdout, "%s (miou-solo5, %s platform) %s\n", t->prog, t->platform,
            MIOU_VERSION);
    return tender_stdout_done(t);
}

static int bad_mem(const struct tender *t, const char *value, const char *why)
{
    tender_error(t->prog, "invalid --mem value '%s': %s", value, why);
    return 1;
}

int tender_opt_mem(struct tender *t, const struct tender_arg *a)
{
    const char *value = a->value;
    size_t mib = 0;

    /* Digits only: strtoul() would take signs, spaces and hexadecimal. */
    if (*value == '\0' || strspn(value, "0123456789") != strlen(value))
        return bad_mem(t, value, "not a whole number of MiB");
    /* Saturate just above the maximum so that no length of digits can
     * overflow. */
    for (const char *p = value; *p != '\0' && mib <= TENDER_MEM_MAX_MIB; p++)
        mib = mib * 10 + (size_t)(*p - '0');
    if (mib == 0)
        return bad_mem(t, value, "the heap needs at least 1 MiB");
    if (mib > TENDER_MEM_MAX_MIB) {
        char why[64];

        snprintf(why, sizeof why, "the maximum is %u MiB", TENDER_MEM_MAX_MIB);
        return bad_mem(t, value, why);
    }
    t->mem_mib = mib;
    return TENDER_RUN;
}
