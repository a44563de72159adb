/*
 * tcpip_args.h - the interface options that the TCP/IP examples (echo,
 * http) share: --prefix=BITS, --gateway=ADDRESS and --dhcp, read into a
 * struct miou_tcpip_config by an example's table of options (args.h):
 *
 *   static const struct arg options[] = {
 *       {"ADDRESS", "the interface's address", .ipv4 = &opt.ip.address},
 *       TCPIP_ARGS(opt.ip),
 *       ...
 */
#ifndef EXAMPLES_TCPIP_ARGS_H
#define EXAMPLES_TCPIP_ARGS_H

#include <miou_tcpip.h>

#include "args.h"

/* The entries of a table of options for the interface (ip), a struct
 * miou_tcpip_config. */
/* clang-format off */
#define TCPIP_ARGS(ip)                                                         \
    {"--prefix", "the netmask, as a prefix length (24)",                       \
     .netmask = &(ip).netmask},                                                \
    {"--gateway", "the router to other networks (none)",                       \
     .ipv4 = &(ip).gateway},                                                   \
    {"--dhcp", "ask a DHCP server for the address instead",                    \
     .flag = &(ip).dhcp}
/* clang-format on */

#endif
