/*
 * fuzz_netstack.h - what the fuzz target and its seeds agree on: the
 * responder's addresses and the meaning of an input's first byte.
 */
#ifndef FUZZ_NETSTACK_H
#define FUZZ_NETSTACK_H

#include <stdint.h>

/* The responder answers for FUZZ_IP at fuzz_mac; seeds come from
 * FUZZ_PEER_IP at fuzz_peer_mac. */
#define FUZZ_IP 0x0a000002u      /* 10.0.0.2 */
#define FUZZ_PEER_IP 0x0a000001u /* 10.0.0.1 */
static const uint8_t fuzz_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t fuzz_peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

/* An input is a control byte, then a frame. The control byte's bits: */
#define FUZZ_FIX_IP 0x01   /* recompute the IPv4 header checksum */
#define FUZZ_FIX_ICMP 0x02 /* recompute the ICMP checksum */
/* The other six bits, k (0-63), size the out buffer of a second answer to
 * the same frame: for k below 32, k + 1 bytes less than the first answer;
 * else (k - 32)/32 of it. */
#define FUZZ_SIZE_SHIFT 2

#endif
