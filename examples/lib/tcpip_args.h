/*
 * tcpip_args.h - the interface options that the TCP/IP examples (echo,
 * http) share: --prefix=BITS, --gateway=ADDRESS and --dhcp, read into a
 * struct miou_tcpip_config. Only the header of miou_tcpip.h is used: the
 * examples that do not link the stack link this file too.
 */
#ifndef EXAMPLES_TCPIP_ARGS_H
#define EXAMPLES_TCPIP_ARGS_H

#include <stdint.h>

#include <miou_tcpip.h>

#include "args.h"

/* The examples' interface: device "service", (address), netmask /24, no
 * gateway, no DHCP. */
void tcpip_args_default(struct miou_tcpip_config *ip, uint32_t address);

/* When (w) is one of the interface's options, set it in (ip), store in
 * (*ok) whether its value was good (a prefix of 0 to 32 bits, an IPv4
 * address) and return 1; else return 0 and leave both alone. */
int tcpip_args_option(const struct word *w, struct miou_tcpip_config *ip,
                      int *ok);

#endif
