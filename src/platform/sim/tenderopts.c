/*
 * tenderopts.c - the sim tender's options: its table for the shared
 * parser (src/platform/linux/tender_*.c), their handlers and the help text. The
 * hosted options that make sense here (a peer stands for a TAP interface,
 * a size or a file for a disk image), plus the seed, the trace and the
 * faults of links and disks; the values are read by options.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define SECTOR_MAX (1u << 20)

uint64_t sim_seed_option;
int sim_seed_given;

static int opt_help(struct tender *t, const struct tender_arg *a)
{
    (void)a;
    fprintf(stdout,
            "usage: %s [OPTION]... [--] [ARGUMENT]...\n"
            "Runs the unikernel on the deterministic sim platform.\n"
            "  --seed=N                  the seed (else $MIOU_SIM_SEED, else "
            "1)\n"
            "  --mem=MIB                 heap size (default %u)\n"
            "  --net:NAME=PEER[:ARG]     net device NAME talks to peer PEER\n"
            "  --net-faults:NAME=SPEC    delay=MIN..MAX,loss=P,dup=P,"
            "reorder=P\n"
            "  --block:NAME=SIZE|FILE    an in-memory disk (K, M, G "
            "suffixes)\n"
            "  --block-sector-size:NAME=N\n"
            "  --block-faults:NAME=SPEC  latency=MIN..MAX,error=P,crash=N\n"
            "  --trace                   print every event on standard "
            "error\n"
            "  --help, --version\n",
            t->prog, TENDER_MEM_DEFAULT_MIB);
    if (sim_ndevices) {
        fprintf(stdout, "Devices of the manifest:\n");
        for (size_t h = 1; h <= sim_ndevices; h++)
            fprintf(stdout, "  %s %s\n",
                    sim_devices[h].type == SIM_NET ? "net  " : "block",
                    sim_devices[h].name);
    }
    return tender_stdout_done(t);
}

static int opt_seed(struct tender *t, const struct tender_arg *a)
{
    char *end;

    errno = 0;
    sim_seed_option = strtoull(a->value, &end, 0);
    if (errno || end == a->value || *end) {
        tender_error(t->prog, "'%s': the seed is a number", a->word);
        return 1;
    }
    sim_seed_given = 1;
    return TENDER_RUN;
}

static int opt_trace(struct tender *t, const struct tender_arg *a)
{
    (void)t;
    (void)a;
    sim_trace_print = 1;
    return TENDER_RUN;
}

/* The device of (type) that (a) names; NULL after saying it has none. */
static struct sim_device *device_of(const struct tender *t,
                                    const struct tender_arg *a,
                                    enum sim_dev_type type)
{
    struct sim_device *d = sim_device_find(a->device);

    if (!d || d->type != type) {
        tender_error(t->prog,
                     "'%s': the manifest declares no %s device named '%s'",
                     a->word, type == SIM_NET ? "net" : "block", a->device);
        return NULL;
    }
    return d;
}

/* --net:NAME=PEER[:ARG] */
static int opt_net(struct tender *t, const struct tender_arg *a)
{
    struct sim_device *d = device_of(t, a, SIM_NET);
    const char *colon = strchr(a->value, ':');
    size_t n = colon ? (size_t)(colon - a->value) : strlen(a->value);
    char peer[64];

    if (!d)
        return 1;
    if (n == 0 || n >= sizeof peer) {
        tender_error(t->prog, "'%s': no peer named", a->word);
        return 1;
    }
    memcpy(peer, a->value, n);
    peer[n] = '\0';
    d->link.peer = sim_peer_find(peer);
    if (!d->link.peer) {
        tender_error(t->prog,
                     "'%s': unknown peer '%s' (the platform has silent; "
                     "the examples add pinger, responder and echo)",
                     a->word, peer);
        return 1;
    }
    free(d->link.peer_arg);
    d->link.peer_arg = colon ? strdup(colon + 1) : NULL;
    d->attach = a->value;
    return TENDER_RUN;
}

static int opt_net_faults(struct tender *t, const struct tender_arg *a)
{
    struct sim_device *d = device_of(t, a, SIM_NET);

    return d && sim_parse_link_faults(t->prog, a->value, &d->link.faults) == 0
               ? TENDER_RUN
               : 1;
}

/* --block:NAME=SIZE|FILE: which of the two is known when the disk is
 * loaded (block.c). */
static int opt_block(struct tender *t, const struct tender_arg *a)
{
    struct sim_device *d = device_of(t, a, SIM_BLOCK);

    if (!d)
        return 1;
    d->attach = a->value;
    return TENDER_RUN;
}

static int opt_sector_size(struct tender *t, const struct tender_arg *a)
{
    struct sim_device *d = device_of(t, a, SIM_BLOCK);
    uint64_t s;

    if (!d)
        return 1;
    if (sim_parse_size(a->value, &s) || s < 512 || s > SECTOR_MAX ||
        (s & (s - 1))) {
        tender_error(t->prog,
                     "'%s': a sector size is a power of two from 512 to %u",
                     a->word, SECTOR_MAX);
        return 1;
    }
    d->disk.sector_size = s;
    return TENDER_RUN;
}

static int opt_block_faults(struct tender *t, const struct tender_arg *a)
{
    struct sim_device *d = device_of(t, a, SIM_BLOCK);

    return d && sim_parse_block_faults(t->prog, a->value, &d->disk.faults) == 0
               ? TENDER_RUN
               : 1;
}

const struct tender_option sim_options[] = {
    {"--help", TENDER_FLAG, NULL, NULL, opt_help},
    {"--version", TENDER_FLAG, NULL, NULL, tender_opt_version},
    /* A later --seed replaces an earlier one, as before: a replay
     * command may be run with another seed added. */
    {"--seed", TENDER_VALUE, "N", NULL, opt_seed},
    {"--mem", TENDER_VALUE, "MiB", TENDER_MEM_TWICE, tender_opt_mem},
    {"--trace", TENDER_FLAG, NULL, NULL, opt_trace},
    {"--net", TENDER_DEVICE, "PEER", "attached twice", opt_net},
    /* Faults add up: --net-faults:a=loss=1% --net-faults:a=dup=1%. */
    {"--net-faults", TENDER_DEVICE, "SPEC", NULL, opt_net_faults},
    {"--block", TENDER_DEVICE, "SIZE|FILE", "attached twice", opt_block},
    {"--block-sector-size", TENDER_DEVICE, "N", "sector size given twice",
     opt_sector_size},
    {"--block-faults", TENDER_DEVICE, "SPEC", NULL, opt_block_faults},
    {NULL, TENDER_FLAG, NULL, NULL, NULL},
};
