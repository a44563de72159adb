/*
 * netstack.h - the little Ethernet, ARP, IPv4 and ICMP the examples need:
 * answering ARP and ping for one address, and sending pings.
 *
 * Pure functions on buffers: nothing here knows about miou, Solo5, the
 * clock or the console, so that a benchmark baseline (a plain Linux loop)
 * can share the exact same code as the unikernels. Every function that
 * takes a frame checks every length before reading, and never writes past
 * (out_size): any sequence of bytes is a valid input.
 *
 * IPv4 addresses are uint32_t in host order: 10.0.0.2 is 0x0a000002.
 * Multi-byte fields of frames are read and written byte by byte, so
 * buffers need no alignment.
 */
#ifndef EXAMPLES_NETSTACK_H
#define EXAMPLES_NETSTACK_H

#include <stddef.h>
#include <stdint.h>

#define ETH_ALEN 6  /* bytes of a MAC address */
#define ETH_HLEN 14 /* bytes of an Ethernet header */
#define ETH_ZLEN 60 /* shortest frame on the wire, without the FCS */
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ARP_LEN 28   /* an ARP packet for IPv4 over Ethernet */
#define IPV4_HLEN 20 /* an IPv4 header without options */
#define ICMP_HLEN 8  /* an ICMP echo header */
#define ARP_FRAME_LEN (ETH_HLEN + ARP_LEN)
/* Bytes of a frame carrying an ICMP echo with (data) bytes of payload. */
#define ECHO_FRAME_LEN(data) (ETH_HLEN + IPV4_HLEN + ICMP_HLEN + (data))

/* Fields in network byte order (big-endian), at any alignment. */
static inline uint16_t net_get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t net_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static inline void net_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void net_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Longest "a.b.c.d" and "aa:bb:cc:dd:ee:ff", with their NUL. */
#define IPV4_STRLEN 16
#define MAC_STRLEN 18

/* Parse a dotted quad "a.b.c.d" (each part 0-255, decimal, no leading
 * sign or space) of exactly (len) bytes of (s) into (*addr). Returns 0, or
 * -1 for anything else, leaving (*addr) untouched. */
int ipv4_parse(const char *s, size_t len, uint32_t *addr);

/* Write (addr) as "a.b.c.d" into (buf), at least IPV4_STRLEN bytes; returns
 * (buf). */
char *ipv4_format(uint32_t addr, char *buf);

/* Write (mac) as "aa:bb:cc:dd:ee:ff" into (buf), at least MAC_STRLEN bytes;
 * returns (buf). */
char *mac_format(const uint8_t mac[ETH_ALEN], char *buf);

/* The Internet checksum (RFC 1071) of (len) bytes at (data): the value to
 * store, big-endian, in a header's checksum field, computed with that
 * field zeroed. Over a whole header holding a correct checksum, it is 0. */
uint16_t inet_checksum(const void *data, size_t len);

/* The same in pieces, for a checksum over data that is not in one place
 * (a TCP segment and its pseudo-header): inet_sum() adds (len) bytes at
 * (data), as big-endian 16-bit words, to the running (sum) (start at 0;
 * every piece but the last must have an even length), and inet_fold()
 * turns the sum into the value to store. inet_checksum(d, n) is
 * inet_fold(inet_sum(0, d, n)). */
uint64_t inet_sum(uint64_t sum, const void *data, size_t len);
uint16_t inet_fold(uint64_t sum);

/* The address the responder answers for, and what it has seen. */
struct responder {
    uint8_t mac[ETH_ALEN]; /* our MAC: source of replies, dest of requests */
    uint32_t ip;           /* our IPv4 address */
    uint64_t arp;          /* ARP requests for our address, answered */
    uint64_t echo;         /* ICMP echo requests to our address, answered */
    uint64_t ignored;      /* well-formed frames that need no answer */
    uint64_t malformed;    /* truncated, bad lengths, bad checksums */
};

/* Prepare (r) to answer for (ip) at (mac), with counts at zero. */
void responder_init(struct responder *r, const uint8_t mac[ETH_ALEN],
                    uint32_t ip);

/* The reply to the frame of (len) bytes at (in), built into (out) of
 * (out_size) bytes: an ARP reply to an ARP request for r->ip, or an ICMP
 * echo reply to an echo request to r->ip (sent to r->mac). Returns the
 * reply's length (padded to ETH_ZLEN when (out) has room), or 0 when there
 * is nothing to send: the frame is for someone else, is not a request, is
 * a fragment (ignored: no reassembly), is malformed (lengths, IP header
 * length, checksums), or the reply does not fit in (out). Counts the frame in
 * exactly one of r's counters. (in) and (out) must not overlap. */
size_t answer_frame(struct responder *r, const uint8_t *in, size_t len,
                    uint8_t *out, size_t out_size);

/* Build into (out) the broadcast ARP request "who has (target_ip)? tell
 * (ip) at (mac)". Returns its length (ETH_ZLEN), or 0 when (out_size) is
 * too small. */
size_t arp_request_build(uint8_t *out, size_t out_size,
                         const uint8_t mac[ETH_ALEN], uint32_t ip,
                         uint32_t target_ip);

/* When the frame at (in) is an ARP reply from (from_ip), sent to (mac) or
 * broadcast, store the sender's MAC in (from_mac) and return 1; else 0. */
int arp_reply_parse(const uint8_t *in, size_t len, const uint8_t mac[ETH_ALEN],
                    uint32_t from_ip, uint8_t from_mac[ETH_ALEN]);

/* What an ICMP echo request or reply carries. */
struct echo {
    uint32_t src, dst;   /* IPv4 addresses */
    uint16_t id, seq;    /* identifier and sequence number */
    uint8_t ttl;         /* the IPv4 time to live */
    const uint8_t *data; /* payload, inside the frame parsed */
    size_t data_len;
};

/* Build into (out) the echo request (e->id, e->seq, e->data_len bytes at
 * e->data) from (mac, e->src) to (dst_mac, e->dst), with TTL e->ttl (64 if
 * 0). Returns the frame's length, or 0 when it does not fit in (out) or
 * the payload is longer than an IPv4 packet can carry. */
size_t echo_request_build(uint8_t *out, size_t out_size,
                          const uint8_t mac[ETH_ALEN],
                          const uint8_t dst_mac[ETH_ALEN],
                          const struct echo *e);

/* When the frame at (in) is a well-formed ICMP echo reply sent to (mac)
 * and (ip), fill (*e) (its data points into (in)) and return 1; else 0. */
int echo_reply_parse(const uint8_t *in, size_t len, const uint8_t mac[ETH_ALEN],
                     uint32_t ip, struct echo *e);

#endif
