/*
 * filter.h - frames the stack drops before lwIP sees them.
 *
 * With loopback on (lwipopts.h), lwIP would take a frame from the wire
 * that claims to come from one of the interface's own addresses, or from
 * or to the loopback ones (127/8, ::1), and its answers would loop back
 * to itself: one spoofed datagram to an echo service made it answer
 * itself for ever inside one netif_poll() (found by
 * tests/fuzz/fuzz_frames.c), and services bound to 127.0.0.1 were
 * reachable from outside. No real peer sends these. Inline and in a header of
 * its own so that the fuzz target runs the same check.
 */
#ifndef MIOU_TCPIP_FILTER_H
#define MIOU_TCPIP_FILTER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lwip/netif.h"

#define FILTER_ETH_HLEN 14
#define FILTER_IPV4_MIN 20
#define FILTER_IPV6_HLEN 40

/* Whether (a), 16 bytes, is ::1 or an IPv4-mapped 127/8 address. */
static inline int miou_tcpip__v6_loopback(const uint8_t *a)
{
    static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a, one, 16) == 0 ||
           (memcmp(a, mapped, 12) == 0 && a[12] == 127);
}

/* Whether (a), 16 bytes, is one of (netif)'s usable IPv6 addresses: not
 * a tentative one, whose owner, if another host has it, must be heard
 * (its advertisement comes from that address). */
static inline int miou_tcpip__v6_ours(const struct netif *netif,
                                      const uint8_t *a)
{
    for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
        if (ip6_addr_isvalid(netif_ip6_addr_state(netif, i)) &&
            memcmp(netif_ip6_addr(netif, i)->addr, a, 16) == 0)
            return 1;
    return 0;
}

/* Whether the frame of (len) bytes may go to lwIP on (netif). */
static inline int miou_tcpip__frame_admissible(const uint8_t *f, size_t len,
                                               const struct netif *netif)
{
    if (len >= FILTER_ETH_HLEN + FILTER_IPV6_HLEN && f[12] == 0x86 &&
        f[13] == 0xdd) {
        const uint8_t *src = f + FILTER_ETH_HLEN + 8, *dst = src + 16;
        return !miou_tcpip__v6_loopback(src) && !miou_tcpip__v6_loopback(dst) &&
               !miou_tcpip__v6_ours(netif, src);
    }
    if (len < FILTER_ETH_HLEN + FILTER_IPV4_MIN || f[12] != 0x08 ||
        f[13] != 0x00)
        return 1; /* not IP (ARP, ...), or lwIP drops it as too short */
    const uint8_t *ip = f + FILTER_ETH_HLEN;
    uint32_t own = ip4_addr_get_u32(netif_ip4_addr(netif));
    if (ip[12] == 127 || ip[16] == 127)
        return 0;
    return own == 0 || memcmp(ip + 12, &own, 4) != 0;
}

#endif
