/*
 * filter.h - frames the stack drops before lwIP sees them.
 *
 * With loopback on (lwipopts.h), lwIP would take a frame from the wire
 * that claims to come from the interface's own address, or from or to
 * 127/8, and its answers would loop back to itself: one spoofed datagram
 * to an echo service made it answer itself for ever inside one
 * netif_poll() (found by tests/fuzz/fuzz_frames.c), and services bound
 * to 127.0.0.1 were reachable from outside. No real peer sends these.
 * Inline and in a header of its own so that the fuzz target runs the
 * same check.
 */
#ifndef MIOU_TCPIP_FILTER_H
#define MIOU_TCPIP_FILTER_H

#include <stddef.h>
#include <stdint.h>

#define FILTER_ETH_HLEN 14
#define FILTER_IPV4_MIN 20

/* Whether the frame of (len) bytes may go to lwIP, (own) being the
 * interface's address in host byte order (0: none yet). */
static inline int miou_tcpip__frame_admissible(const uint8_t *f, size_t len,
                                               uint32_t own)
{
    if (len < FILTER_ETH_HLEN + FILTER_IPV4_MIN || f[12] != 0x08 ||
        f[13] != 0x00)
        return 1; /* not IPv4 (ARP, ...), or lwIP drops it as too short */
    const uint8_t *ip = f + FILTER_ETH_HLEN;
    uint32_t src = (uint32_t)ip[12] << 24 | (uint32_t)ip[13] << 16 |
                   (uint32_t)ip[14] << 8 | ip[15];
    uint32_t dst = (uint32_t)ip[16] << 24 | (uint32_t)ip[17] << 16 |
                   (uint32_t)ip[18] << 8 | ip[19];
    if ((src >> 24) == 127 || (dst >> 24) == 127)
        return 0;
    return own == 0 || src != own;
}

#endif
