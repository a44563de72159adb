/*
 * options.c - the tender's command line:
 *
 *   PROG [TENDER OPTION]... [--] [UNIKERNEL ARGUMENT]...
 *
 * The executable is the unikernel itself, so the tender's options come
 * first and the first argument that is not one of them starts the
 * unikernel's own arguments. Those may begin with "--" too (Solo5's
 * --solo5:quiet), which is why an unknown "--" option before them is an
 * error rather than a guess.
 */
#include <stdio.h>
#include <string.h>

#include "hosted.h"

#ifndef MIOU_VERSION
#define MIOU_VERSION "0.1.0"
#endif

/* A tender option: (name), then (sep) between the name and its value:
 * '\0' for a flag, '=' for "--name=VALUE", ':' for a device's
 * "--name:DEVICE=VALUE". (handle) gets what follows (sep), or NULL when
 * the argument stops at the name, and returns HOSTED_RUN to go on
 * parsing or the status to exit with. */
struct tender_option {
    const char *name;
    char sep;
    int (*handle)(struct hosted_tender *t, const char *arg, const char *value);
};

static int finish_stdout(const struct hosted_tender *t)
{
    /* A help text that could not be written is a failure the caller of a
     * script should see. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write to standard output\n", t->prog);
        return 1;
    }
    return 0;
}

static int opt_help(struct hosted_tender *t, const char *arg, const char *value)
{
    (void)arg;
    (void)value;
    printf("Usage: %s [TENDER OPTION]... [--] [ARGUMENT]...\n"
           "Run this unikernel as a Linux process (miou-solo5 hosted "
           "platform).\n"
           "\n"
           "Tender options:\n"
           "  --mem=MiB                   heap size, 1 to %u (default %u)\n"
           "  --net:NAME=IFACE            attach TAP interface IFACE (it "
           "must exist and be\n"
           "                              up) as net device NAME\n"
           "  --net:NAME=@NN              attach the open descriptor NN: a "
           "TAP descriptor\n"
           "                              or a datagram socket\n"
           "  --net:NAME=unix:LOCAL,PEER  attach a local datagram socket "
           "bound at path\n"
           "                              LOCAL, sending to the socket at "
           "path PEER\n"
           "  --net-mac:NAME=HWADDR       MAC address xx:xx:xx:xx:xx:xx of "
           "net device NAME\n"
           "                              (default: made up, locally "
           "administered)\n"
           "  --block:NAME=PATH           attach disk image or block device "
           "PATH as block\n"
           "                              device NAME\n"
           "  --block-sector-size:NAME=N  sector size of block device NAME "
           "in bytes, a\n"
           "                              power of two from %u to %u "
           "(default %u)\n"
           "  --help                      print this help and exit\n"
           "  --version                   print the version and exit\n"
           "  --                          end of the tender options\n"
           "\n"
           "Every device that the unikernel's manifest declares must be "
           "attached; the\n"
           "unikernel does not start otherwise. The unix: backend needs no "
           "privilege and\n"
           "no interface: one frame per datagram; two unikernels are cabled "
           "together\n"
           "with unix:A,B and unix:B,A. Frames sent while nothing is bound "
           "at PEER are\n"
           "lost, as on a cable with nothing at its other end. LOCAL is "
           "removed at exit;\n"
           "a socket file left at LOCAL by a program that ended is "
           "replaced.\n"
           "\n"
           "The first argument that is not a tender option, or every "
           "argument after\n"
           "'--', starts the unikernel's own arguments, which it receives "
           "joined by\n"
           "single spaces as its command line. As under Solo5, leading "
           "--solo5:quiet,\n"
           "--solo5:error, --solo5:warn, --solo5:info (the default) or "
           "--solo5:debug set\n"
           "which of the platform's messages (on standard error) are "
           "printed, and are\n"
           "taken off the command line.\n"
           "\n",
           t->prog, HOSTED_MEM_MAX_MIB, HOSTED_MEM_DEFAULT_MIB,
           HOSTED_SECTOR_DEFAULT, HOSTED_SECTOR_MAX, HOSTED_SECTOR_DEFAULT);
    hosted_devices_help();
    return finish_stdout(t);
}

static int opt_version(struct hosted_tender *t, const char *arg,
                       const char *value)
{
    (void)arg;
    (void)value;
    printf("%s (miou-solo5, hosted platform) %s\n", t->prog, MIOU_VERSION);
    return finish_stdout(t);
}

static int bad_mem(const struct hosted_tender *t, const char *value,
                   const char *why)
{
    fprintf(stderr, "%s: invalid --mem value '%s': %s\n", t->prog, value, why);
    return 1;
}

static int opt_mem(struct hosted_tender *t, const char *arg, const char *value)
{
    size_t mib = 0;
    const char *p;

    (void)arg;
    if (value == NULL) {
        fprintf(stderr, "%s: option '--mem' needs a value: --mem=MiB\n",
                t->prog);
        return 1;
    }
    /* Digits only: strtoul() would take signs, spaces and hexadecimal. */
    if (*value == '\0' || strspn(value, "0123456789") != strlen(value))
        return bad_mem(t, value, "not a whole number of MiB");
    /* Saturate just above the maximum so that no length of digits can
     * overflow. */
    for (p = value; *p != '\0' && mib <= HOSTED_MEM_MAX_MIB; p++)
        mib = mib * 10 + (size_t)(*p - '0');
    if (mib == 0)
        return bad_mem(t, value, "the heap needs at least 1 MiB");
    if (mib > HOSTED_MEM_MAX_MIB) {
        char why[64];

        snprintf(why, sizeof why, "the maximum is %u MiB", HOSTED_MEM_MAX_MIB);
        return bad_mem(t, value, why);
    }
    t->mem_mib = mib;
    return HOSTED_RUN;
}

static const struct tender_option options[] = {
    {"--help", '\0', opt_help},
    {"--version", '\0', opt_version},
    {"--mem", '=', opt_mem},
    {"--net", ':', hosted_opt_net},
    {"--net-mac", ':', hosted_opt_net_mac},
    {"--block", ':', hosted_opt_block},
    {"--block-sector-size", ':', hosted_opt_sector_size},
};

/* The option that (arg) spells, storing its value in (*value); NULL when
 * (arg) is no tender option. */
static const struct tender_option *find_option(const char *arg,
                                               const char **value)
{
    size_t i;

    for (i = 0; i < sizeof options / sizeof options[0]; i++) {
        const struct tender_option *o = &options[i];
        size_t len = strlen(o->name);

        if (strncmp(arg, o->name, len) != 0)
            continue;
        if (arg[len] == '\0') {
            *value = NULL;
            return o;
        }
        if (o->sep != '\0' && arg[len] == o->sep) {
            *value = arg + len + 1;
            return o;
        }
    }
    return NULL;
}

const char *hosted_prog_name(const char *argv0)
{
    const char *slash;

    if (argv0 == NULL || *argv0 == '\0')
        return "miou-hosted";
    slash = strrchr(argv0, '/');
    return slash != NULL && slash[1] != '\0' ? slash + 1 : argv0;
}

/* Whether (arg) ends the tender's options and starts the unikernel's. */
static int starts_app_args(const char *arg)
{
    return strncmp(arg, "--", 2) != 0 || strncmp(arg, "--solo5:", 8) == 0;
}

int hosted_parse_args(int argc, char **argv, struct hosted_tender *t)
{
    int i = argc > 0 ? 1 : 0;

    t->prog = hosted_prog_name(argc > 0 ? argv[0] : NULL);
    t->mem_mib = HOSTED_MEM_DEFAULT_MIB;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        const struct tender_option *o;
        const char *value;
        int rc;

        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (starts_app_args(arg))
            break;
        o = find_option(arg, &value);
        if (o == NULL) {
            fprintf(stderr, "%s: unknown option '%s' (try --help)\n", t->prog,
                    arg);
            return 1;
        }
        rc = o->handle(t, arg, value);
        if (rc != HOSTED_RUN)
            return rc;
    }
    t->app_argc = argc - i;
    t->app_argv = argv + i;
    return HOSTED_RUN;
}
