/*
 * tcpip_args.h - the interface options that the TCP/IP examples (echo,
 * http, resolve) share: --prefix=BITS, --gateway=ADDRESS and --dhcp for
 * IPv4, --ipv6, --ipv6-address=ADDRESS and --ipv6-gateway=ADDRESS for
 * IPv6, read into a struct miou_tcpip_config by an example's table of
 * options (args.h):
 *
 *   static const struct arg options[] = {
 *       {"ADDRESS", "the interface's address", .ipv4 = &opt.ip.address},
 *       TCPIP_ARGS(opt.ip),
 *       ...
 */
#ifndef EXAMPLES_TCPIP_ARGS_H
#define EXAMPLES_TCPIP_ARGS_H

#include <string.h>

#include <miou_tcpip.h>

#include "args.h"
#include "console.h"

/* An address of either family (struct arg's parse): 0, or -1. */
static inline int tcpip_args_ipaddr(const char *s, size_t len, void *to)
{
    char text[MIOU_IPADDR_STRLEN];
    if (len >= sizeof text)
        return -1;
    memcpy(text, s, len);
    text[len] = '\0';
    return miou_ipaddr_parse(text, to) == 0 ? 0 : -1;
}

/* An IPv6 address (struct arg's parse): 0, or -1. */
static inline int tcpip_args_ipv6(const char *s, size_t len, void *to)
{
    miou_ipaddr a;
    if (tcpip_args_ipaddr(s, len, &a) != 0 || a.family != MIOU_IP_V6)
        return -1;
    *(miou_ipaddr *)to = a;
    return 0;
}

/* The entries of a table of options for the interface (ip), a struct
 * miou_tcpip_config. */
/* clang-format off */
#define TCPIP_ARGS(ip)                                                         \
    {"--prefix", "the netmask, as a prefix length (24)",                       \
     .netmask = &(ip).netmask},                                                \
    {"--gateway", "the router to other networks (none)",                       \
     .ipv4 = &(ip).gateway},                                                   \
    {"--dhcp", "ask a DHCP server for the address instead",                    \
     .flag = &(ip).dhcp},                                                      \
    {"--ipv6", "with IPv6: a link-local address, and addresses from routers",  \
     .flag = &(ip).ipv6},                                                      \
    {"--ipv6-address", "a static IPv6 address, its /64 on the link (none)",    \
     .parse = tcpip_args_ipv6, .to = &(ip).address6,                           \
     .accepts = "an IPv6 address"},                                            \
    {"--ipv6-gateway", "the IPv6 router to other networks (none)",             \
     .parse = tcpip_args_ipv6, .to = &(ip).gateway6,                           \
     .accepts = "an IPv6 address"}
/* clang-format on */

/* Write the interface's addresses into (buf) of (size) bytes, separated
 * by spaces ("10.0.0.2 fe80::... fd00::2"); "none" when it has none. */
static inline char *tcpip_args_addresses(const miou_tcpip *stack, char *buf,
                                         size_t size)
{
    miou_ipaddr a[8];
    int n = miou_tcpip_addresses(stack, a, 8);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && i < 8; i++) {
        char one[MIOU_IPADDR_STRLEN];
        size_t k = strlen(miou_ipaddr_format(&a[i], one, sizeof one));
        if (used + k + 2 > size)
            break;
        if (used)
            buf[used++] = ' ';
        memcpy(buf + used, one, k + 1);
        used += k;
    }
    if (used == 0 && size > 4)
        memcpy(buf, "none", 5);
    return buf;
}

/* A task: say "PROGRAM: address ADDRESS" for each address the interface
 * (arg, a miou_tcpip *) has or gains, as it gains it (the link-local one
 * after duplicate address detection, those from routers), until
 * cancelled. The first 16 are remembered; more are said once each time
 * the addresses change. */
static inline void *tcpip_args_watch(void *arg)
{
    miou_tcpip *stack = arg;
    miou_ipaddr known[16];
    size_t nknown = 0;
    do {
        miou_ipaddr now[16];
        int n = miou_tcpip_addresses(stack, now, 16);
        for (int i = 0; i < n && i < 16; i++) {
            size_t k = 0;
            while (k < nknown && !miou_ipaddr_equal(&known[k], &now[i]))
                k++;
            if (k < nknown)
                continue;
            char text[MIOU_IPADDR_STRLEN];
            say("%s: address %s\n", program_name,
                miou_ipaddr_format(&now[i], text, sizeof text));
            if (nknown < 16)
                known[nknown++] = now[i];
        }
    } while (miou_tcpip_wait_change(stack, MIOU_TCPIP_FOREVER) == 0);
    return NULL;
}

#endif
