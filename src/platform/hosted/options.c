/*
 * options.c - the hosted tender's options: its table for the shared
 * parser (src/platform/linux/tender_*.c), and its help text. The device options'
 * handlers are in devopts.c.
 */
#include <stdio.h>

#include "hosted.h"

static int opt_help(struct tender *t, const struct tender_arg *a)
{
    (void)a;
    fprintf(stdout,
            "Usage: %s [TENDER OPTION]... [--] [ARGUMENT]...\n"
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
            "taken off the command line; any other leading --solo5: word "
            "is refused.\n"
            "\n",
            t->prog, TENDER_MEM_MAX_MIB, TENDER_MEM_DEFAULT_MIB,
            HOSTED_SECTOR_DEFAULT, HOSTED_SECTOR_MAX, HOSTED_SECTOR_DEFAULT);
    hosted_devices_help();
    return tender_stdout_done(t);
}

const struct tender_option hosted_options[] = {
    {"--help", TENDER_FLAG, NULL, NULL, opt_help},
    {"--version", TENDER_FLAG, NULL, NULL, tender_opt_version},
    {"--mem", TENDER_VALUE, "MiB", TENDER_MEM_TWICE, tender_opt_mem},
    {"--net", TENDER_DEVICE, "IFACE", "attached twice", hosted_opt_net},
    {"--net-mac", TENDER_DEVICE, "HWADDR", "MAC address given twice",
     hosted_opt_net_mac},
    {"--block", TENDER_DEVICE, "PATH", "attached twice", hosted_opt_block},
    {"--block-sector-size", TENDER_DEVICE, "N", "sector size given twice",
     hosted_opt_sector_size},
    {NULL, TENDER_FLAG, NULL, NULL, NULL},
};
