/*
 * fuzz_frames.c - a libFuzzer target over lwIP's frame input path, built
 * with our options (src/tcpip/port/lwipopts.h): whatever frames arrive,
 * lwIP drops what is malformed and answers the rest, never crashing
 * (AddressSanitizer, UBSan, and lwIP's assertions when they are on),
 * never hanging, and never keeping memory once every connection is
 * gone.
 *
 * lwIP runs as in src/tcpip/stack.c, without the scheduler: one Ethernet
 * interface, 02:00:00:00:00:02 with 10.0.0.2/24 (gateway 10.0.0.1), up
 * with its link up, whose frames in come from a PBUF_POOL pbuf handed to
 * netif->input (ethernet_input), and whose frames out are checked and
 * dropped; a TCP echo server on port 7 (the raw API: tcp_recv ->
 * tcp_write back, tcp_recved, tcp_close on the peer's FIN, or after
 * echoing data that starts with 'q'; keepalive probes after 5 s of
 * silence); a UDP echo on port 7. The clock is fake: it moves 10 ms
 * after each frame, then sys_check_timeouts() runs lwIP's timers; after
 * either, as stack.c does, netif_poll() delivers the packets lwIP sent
 * to its own address (LWIP_NETIF_LOOPBACK).
 *
 * An input is a control byte, then frames:
 *
 *   bit 0 (0x01)  fix each frame's IPv4 header checksum,
 *   bit 1 (0x02)  fix its ICMP, UDP or TCP checksum (not of fragments),
 *                 so that mutations reach past the checksum checks;
 *   bit 2 (0x04)  the rest is a sequence of frames, each after 2 bytes
 *                 (big endian): 5 bits of flags, 11 bits of length;
 *                 without it, the rest is one frame;
 *   bit 3 (0x08)  the interface starts without an address and runs
 *                 lwIP's DHCP client (dhcp_start) for this input.
 *
 * The flags of a frame in a sequence:
 *
 *   0x8000  answer lwIP's last segment: the TCP ack number becomes the
 *           end of the last segment lwIP sent; in a UDP datagram to port
 *           68 the DHCP xid becomes the one of lwIP's last DHCP message;
 *   0x4000  the TCP sequence number becomes the ack of lwIP's last
 *           segment;
 *   0x2000  1 s of timers before the frame (delayed ACKs, retransmits);
 *   0x1000  10 s of timers before it (reassembly, persist, keepalive);
 *   0x0800  a duplicate ACK: the TCP ack number becomes the start of the
 *           last segment with data lwIP sent (fast retransmit, window
 *           updates).
 *
 * lwIP's initial sequence numbers depend on its clock: the flags let
 * the fuzzer, and the seeds, go through handshakes and further states.
 * A frame of more than 1514 bytes (mtu + MIOU_NET_HLEN) is refused as
 * the device refuses it (miou_net_read: MIOU_ENOBUFS); one of 0 bytes
 * only lets time pass.
 *
 * Checked for every frame lwIP sends (each is a property of lwIP's
 * output, whatever came in): 14 to 1514 bytes in a consistent pbuf
 * chain, from our MAC, ARP (request or reply, Ethernet/IPv4) or IPv4;
 * an IPv4 packet fills the frame exactly, its header checksum holds,
 * from 10.0.0.2 (or from 127/8, see below; from any address under
 * DHCP), and unless it is a fragment its
 * ICMP, UDP or TCP checksum holds and its lengths are consistent.
 * After each input every connection is aborted, the reassembly queue
 * timed out and the ARP table emptied: then every memory pool and the
 * heap must be back to what they held after the set-up, and the
 * listener and the UDP pcb still in place. A broken property prints
 * which one and aborts, as lwIP's failed assertions do: libFuzzer saves
 * the input.
 *
 * The port's functions (sys_now, LWIP_RAND, the assertion handler) are
 * defined here, not taken from src/tcpip/port.c, which needs the
 * scheduler. At exit it prints on stderr what the run reached: lwIP's
 * counters, the callbacks that fired, the TCP and DHCP states seen.
 *
 * lwIP's assertions are as our options make them: off, for lwipopts.h
 * defines LWIP_NOASSERT (lwIP tests it with #ifdef: even 0 turns them
 * off). FUZZ_FRAMES_LWIP_ASSERTS=1 scripts/fuzz_frames.sh builds lwIP
 * with them on instead; then two known bugs of lwIP 2.1.3, whose
 * assertions a peer can fail but which are harmless without them, are
 * kept out of the way (FUZZ_FRAMES_KNOWN_BUGS=1 in the environment of
 * the run lets them through):
 *
 *  - "insane offset!" (tcp_in.c): a segment of length 1 (one byte, or
 *    SYN or FIN alone) at rcv_nxt + 2^31 passes tcp_receive()'s
 *    TCP_SEQ_BETWEEN(rcv_nxt, seqno + 1, seqno + tcplen - 1), a range
 *    that wraps; without assertions the offset is 0 and the segment is
 *    taken as the next in order. Whenever lwIP's assertions are on, the
 *    script builds it with LWIP_HOOK_TCP_INPACKET_PCB calling
 *    fuzz_frames_tcp_inpacket(), which drops such segments;
 *  - "persist ticking with empty send buffer" (tcp.c): the peer keeps
 *    its window at 0 but acknowledges the byte of lwIP's zero-window
 *    probe, which empties the unsent queue with the persist timer still
 *    on; without assertions tcp_zero_window_probe() finds nothing to
 *    send and the timer ticks until the window opens. Before lwIP's
 *    timers run, such a timer is stopped here.
 *
 * A weakness of the input path with our options is kept out of the way
 * too (FUZZ_FRAMES_KNOWN_BUGS=1 lets it through): lwIP takes from the
 * link packets from its own address, and to 127.0.0.1
 * (LWIP_NETIF_LOOPBACK with LWIP_SINGLE_NETIF accepts 127.0.0.1 on the
 * interface), and its answers to them loop back to itself. An echo
 * server then answers itself for ever inside one netif_poll(): one
 * spoofed datagram (from 10.0.0.2 port 7 to port 7) hangs the stack.
 * Here the echo servers ignore peers at our own address or in 127/8;
 * lwIP's own answers to such packets are still fuzzed, and its frames
 * out from 127/8 counted.
 *
 *   scripts/fuzz_frames.sh [SECONDS] [RUNS]   builds, seeds and runs it
 *   build/fuzz/fuzz_frames --seeds DIR        writes the seed inputs
 *   build/fuzz/fuzz_frames CRASH_FILE         replays one input
 *   FUZZ_FRAMES_TRACE=1 build/fuzz/fuzz_frames FILE   ... with each frame
 *   (build/fuzz/fuzz_frames_asserts: the same, lwIP's assertions on)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpip/filter.h"
#include "tcpip/internal.h"
#include "miou_hooks.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/ip4_frag.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/tcp.h"
#include "lwip/stats.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "netif/ethernet.h"
#include "util/bytes.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_frames.c:%d: property failed: %s\n",         \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* ---- The input's format ---------------------------------------------------
 */

#define CTL_FIX_IP 0x01u
#define CTL_FIX_L4 0x02u
#define CTL_SEQUENCE 0x04u
#define CTL_DHCP 0x08u

#define REC_PATCH_ACK 0x8000u
#define REC_PATCH_SEQ 0x4000u
#define REC_WAIT 0x2000u
#define REC_LONG_WAIT 0x1000u
#define REC_DUP_ACK 0x0800u
#define REC_LEN_MASK 0x07ffu

#define MTU 1500u
#define ETH_HLEN_ 14u
#define FRAME_MAX (MTU + ETH_HLEN_)
#define ETHTYPE_IPV4 0x0800u
#define ETHTYPE_ARP_ 0x0806u
#define PROTO_ICMP 1u
#define PROTO_TCP 6u
#define PROTO_UDP 17u

static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t broadcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
#define OUR_IP 0x0a000002u  /* 10.0.0.2 */
#define PEER_IP 0x0a000001u /* 10.0.0.1, also the gateway */
#define NETMASK 0xffffff00u

/* The Internet checksum's one's complement sum of (n) bytes, added to
 * (acc), not yet folded. */
static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
    for (; n > 1; p += 2, n -= 2)
        acc += miou__get16(p);
    if (n)
        acc += (uint32_t)p[0] << 8;
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffffu) + (acc >> 16);
    return (uint16_t)acc;
}

/* The sum of the TCP/UDP pseudo header of (ip) for (len) bytes. */
static uint32_t pseudo_sum(const uint8_t *ip, unsigned proto, size_t len)
{
    uint32_t acc = sum16(0, ip + 12, 8);
    return acc + proto + (uint32_t)len;
}

/* An IPv4 packet in a frame, as far as its header says. */
struct ipv4 {
    uint8_t *ip;  /* its header */
    size_t ihl;   /* header bytes */
    size_t total; /* its total length field */
    unsigned proto;
    int fragment; /* MF set or an offset: no transport header to check */
    uint8_t *l4;  /* the payload, when the frame holds all of it */
    size_t l4len;
};

/* Find the IPv4 packet of frame (f) of (n) bytes; 0 when it is not one
 * whose header lies inside the frame. */
static int ipv4_view(uint8_t *f, size_t n, struct ipv4 *v)
{
    if (n < ETH_HLEN_ + 20 || miou__get16(f + 12) != ETHTYPE_IPV4)
        return 0;
    v->ip = f + ETH_HLEN_;
    v->ihl = (size_t)(v->ip[0] & 0x0f) * 4;
    if ((v->ip[0] >> 4) != 4 || v->ihl < 20 || ETH_HLEN_ + v->ihl > n)
        return 0;
    v->total = miou__get16(v->ip + 2);
    v->proto = v->ip[9];
    v->fragment = (miou__get16(v->ip + 6) & 0x3fffu) != 0;
    v->l4 = NULL;
    v->l4len = 0;
    if (v->total >= v->ihl && ETH_HLEN_ + v->total <= n) {
        v->l4 = v->ip + v->ihl;
        v->l4len = v->total - v->ihl;
    }
    return 1;
}

/* The transport checksum's field in (v), or -1 when it has none here. */
static int l4_checksum_offset(const struct ipv4 *v)
{
    if (!v->l4 || v->fragment)
        return -1;
    if (v->proto == PROTO_TCP && v->l4len >= 20)
        return 16;
    if (v->proto == PROTO_UDP && v->l4len >= 8)
        return 6;
    if (v->proto == PROTO_ICMP && v->l4len >= 4)
        return 2;
    return -1;
}

/* The transport checksum of (v) computed over its payload (field
 * included): 0xffff when it holds. */
static uint16_t l4_sum(const struct ipv4 *v)
{
    uint32_t acc =
        v->proto == PROTO_ICMP ? 0 : pseudo_sum(v->ip, v->proto, v->l4len);
    return fold(sum16(acc, v->l4, v->l4len));
}

/* What lwIP last sent, for the patches of REC_PATCH_*. */
struct last_out {
    uint32_t tcp_next; /* sequence number after its last segment */
    uint32_t tcp_data; /* start of its last segment with data */
    uint32_t tcp_ack;  /* ack of its last segment */
    uint32_t dhcp_xid; /* xid of its last DHCP message */
};

/* Apply the record's patches to frame (f), then the checksum fixes the
 * control byte asks for. */
static void prepare(uint8_t *f, size_t n, unsigned control, unsigned flags,
                    const struct last_out *last)
{
    struct ipv4 v;
    if (!ipv4_view(f, n, &v))
        return;
    if (v.l4 && !v.fragment && v.proto == PROTO_TCP && v.l4len >= 20) {
        if (flags & REC_PATCH_ACK)
            miou__put32(v.l4 + 8, last->tcp_next);
        if (flags & REC_DUP_ACK)
            miou__put32(v.l4 + 8, last->tcp_data);
        if (flags & REC_PATCH_SEQ)
            miou__put32(v.l4 + 4, last->tcp_ack);
    }
    if (v.l4 && !v.fragment && v.proto == PROTO_UDP && v.l4len >= 16 &&
        miou__get16(v.l4 + 2) == 68 && (flags & REC_PATCH_ACK))
        miou__put32(v.l4 + 8 + 4, last->dhcp_xid);
    int at = l4_checksum_offset(&v);
    if ((control & CTL_FIX_L4) && at >= 0) {
        miou__put16(v.l4 + at, 0);
        uint16_t c = (uint16_t)~l4_sum(&v);
        /* UDP sends a computed 0 as 0xffff (0 means none). */
        if (c == 0 && v.proto == PROTO_UDP)
            c = 0xffff;
        miou__put16(v.l4 + at, c);
    }
    if (control & CTL_FIX_IP) {
        miou__put16(v.ip + 10, 0);
        miou__put16(v.ip + 10, (uint16_t)~fold(sum16(0, v.ip, v.ihl)));
    }
}

/* ---- The seeds (--seeds DIR) ----------------------------------------------
 */

/* One input being written: the control byte, then frames. */
struct input {
    uint8_t b[4096];
    size_t n;
};

static const char *seed_dir;
static int seed_failures;
static const struct last_out no_patch;

static void input_start(struct input *in, unsigned control)
{
    in->b[0] = (uint8_t)control;
    in->n = 1;
}

/* Add frame (f) of (n) bytes, its checksums computed (the fuzzer may
 * then run the input without the fixes and still reach as far). */
static void input_frame(struct input *in, unsigned flags, uint8_t *f, size_t n)
{
    prepare(f, n, CTL_FIX_IP | CTL_FIX_L4, 0, &no_patch);
    if (in->b[0] & CTL_SEQUENCE) {
        if (in->n + 2 + n > sizeof in->b) {
            fprintf(stderr, "fuzz_frames: a seed is too long\n");
            seed_failures++;
            return;
        }
        miou__put16(in->b + in->n, (uint16_t)(flags | n));
        in->n += 2;
    } else if (in->n + n > sizeof in->b) {
        seed_failures++;
        return;
    }
    memcpy(in->b + in->n, f, n);
    in->n += n;
}

/* A record that only lets time pass. */
static void input_wait(struct input *in, unsigned flags)
{
    miou__put16(in->b + in->n, (uint16_t)flags);
    in->n += 2;
}

static void input_write(const struct input *in, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", seed_dir, name);
    FILE *out = fopen(path, "wb");
    if (!out || fwrite(in->b, 1, in->n, out) != in->n || fclose(out) != 0) {
        perror(path);
        seed_failures++;
    }
}

static size_t eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, peer_mac, 6);
    miou__put16(f + 12, type);
    return ETH_HLEN_;
}

static size_t arp(uint8_t *f, uint16_t op, const uint8_t *dst, uint32_t spa,
                  const uint8_t *tha, uint32_t tpa)
{
    size_t n = eth(f, dst, ETHTYPE_ARP_);
    miou__put16(f + n, 1);
    miou__put16(f + n + 2, ETHTYPE_IPV4);
    f[n + 4] = 6;
    f[n + 5] = 4;
    miou__put16(f + n + 6, op);
    memcpy(f + n + 8, peer_mac, 6);
    miou__put32(f + n + 14, spa);
    memcpy(f + n + 18, tha, 6);
    miou__put32(f + n + 24, tpa);
    return n + 28;
}

/* An IPv4 packet with (optlen) bytes of (opts) in its header; (frag) is
 * the flags and offset field. */
static size_t ipv4_packet(uint8_t *f, const uint8_t *dst_mac, uint32_t src,
                          uint32_t dst, unsigned proto, uint16_t id,
                          uint16_t frag, const uint8_t *opts, size_t optlen,
                          const uint8_t *payload, size_t n)
{
    size_t at = eth(f, dst_mac, ETHTYPE_IPV4);
    uint8_t *ip = f + at;
    size_t ihl = 20 + optlen;
    memset(ip, 0, 20);
    ip[0] = (uint8_t)(0x40 | ihl / 4);
    miou__put16(ip + 2, (uint16_t)(ihl + n));
    miou__put16(ip + 4, id);
    miou__put16(ip + 6, frag);
    ip[8] = 64;
    ip[9] = (uint8_t)proto;
    miou__put32(ip + 12, src);
    miou__put32(ip + 16, dst);
    if (optlen)
        memcpy(ip + 20, opts, optlen);
    memcpy(ip + ihl, payload, n);
    return at + ihl + n;
}

static size_t ipv4(uint8_t *f, uint32_t dst, unsigned proto,
                   const uint8_t *payload, size_t n)
{
    static uint16_t id = 1;
    return ipv4_packet(f, our_mac, PEER_IP, dst, proto, id++, 0x4000, NULL, 0,
                       payload, n);
}

static size_t icmp_echo(uint8_t *m, uint16_t seq, size_t datalen)
{
    m[0] = 8;
    m[1] = 0;
    miou__put16(m + 2, 0);
    miou__put16(m + 4, 0x1234);
    miou__put16(m + 6, seq);
    for (size_t i = 0; i < datalen; i++)
        m[8 + i] = (uint8_t)('a' + i % 26);
    return 8 + datalen;
}

static size_t udp(uint8_t *d, uint16_t sport, uint16_t dport, const void *data,
                  size_t n)
{
    miou__put16(d, sport);
    miou__put16(d + 2, dport);
    miou__put16(d + 4, (uint16_t)(8 + n));
    miou__put16(d + 6, 0);
    memcpy(d + 8, data, n);
    return 8 + n;
}

#define TH_FIN 0x01u
#define TH_SYN 0x02u
#define TH_RST 0x04u
#define TH_PSH 0x08u
#define TH_ACK 0x10u
#define TH_URG 0x20u

#define CLIENT_ISN 1000u
#define CLIENT_PORT 40000u

static size_t tcp(uint8_t *s, uint16_t dport, uint32_t seq, uint32_t ack,
                  unsigned flags, uint16_t window, const uint8_t *opts,
                  size_t optlen, const void *data, size_t n)
{
    size_t hlen = 20 + optlen;
    miou__put16(s, CLIENT_PORT);
    miou__put16(s + 2, dport);
    miou__put32(s + 4, seq);
    miou__put32(s + 8, ack);
    s[12] = (uint8_t)(hlen / 4 << 4);
    s[13] = (uint8_t)flags;
    miou__put16(s + 14, window);
    miou__put16(s + 16, 0);
    miou__put16(s + 18, (flags & TH_URG) ? 1 : 0);
    if (optlen)
        memcpy(s + 20, opts, optlen);
    memcpy(s + hlen, data, n);
    return hlen + n;
}

/* A TCP segment from the peer to 10.0.0.2 as a frame. */
static size_t tcp_frame(uint8_t *f, uint16_t dport, uint32_t seq,
                        unsigned flags, uint16_t window, const void *data,
                        size_t n)
{
    uint8_t seg[FRAME_MAX];
    static const uint8_t syn_opts[] = {
        2, 4,  0x05, 0xb4,                   /* MSS 1460 */
        4, 2,                                /* SACK permitted */
        8, 10, 0,    0,    0, 1, 0, 0, 0, 0, /* timestamps */
        1, 3,  3,    7,                      /* NOP, window scale 7 */
    };
    size_t len = (flags & TH_SYN)
                     ? tcp(seg, dport, seq, 0, flags, window, syn_opts,
                           sizeof syn_opts, data, n)
                     : tcp(seg, dport, seq, 0, flags, window, NULL, 0, data, n);
    return ipv4(f, OUR_IP, PROTO_TCP, seg, len);
}

/* A DHCP reply from 10.0.0.1 of (type), offering 10.0.0.50 for (lease)
 * seconds, to renew after (t1), to rebind after (t2). */
static size_t dhcp_reply(uint8_t *f, unsigned type, uint32_t lease, uint32_t t1,
                         uint32_t t2)
{
    uint8_t b[300], d[8 + sizeof b];
    memset(b, 0, sizeof b);
    b[0] = 2; /* BOOTREPLY */
    b[1] = 1;
    b[2] = 6;
    miou__put32(b + 4, 0); /* xid: patched */
    miou__put32(b + 16, 0x0a000032u);
    miou__put32(b + 20, PEER_IP);
    memcpy(b + 28, our_mac, 6);
    uint8_t *o = b + 236;
    miou__put32(o, 0x63825363u);
    o += 4;
    const uint8_t opts[] = {
        53,  1,   (uint8_t)type,
        54,  4,   10,
        0,   0,   1,
        51,  4,   0,
        0,   0,   0,
        58,  4,   0,
        0,   0,   0,
        59,  4,   0,
        0,   0,   0,
        1,   4,   255,
        255, 255, 0,
        3,   4,   10,
        0,   0,   1,
        6,   4,   10,
        0,   0,   1,
        255,
    };
    memcpy(o, opts, sizeof opts);
    miou__put32(o + 11, lease);
    miou__put32(o + 17, t1);
    miou__put32(o + 23, t2);
    size_t len = udp(d, 67, 68, b, sizeof b);
    static uint16_t id = 100;
    return ipv4_packet(f, broadcast_mac, PEER_IP, 0xffffffffu, PROTO_UDP, id++,
                       0, NULL, 0, d, len);
}

static int write_seeds(const char *dir)
{
    struct input in;
    /* a frame; a payload; a whole packet, before it is fragmented */
    uint8_t f[FRAME_MAX], m[4096], big[4096];
    static const uint8_t zero_mac[6];
    seed_dir = dir;

    /* One frame each, checksums fixed, then a few exact ones. */
    input_start(&in, CTL_FIX_IP | CTL_FIX_L4);
    input_frame(&in, 0, f, arp(f, 1, broadcast_mac, PEER_IP, zero_mac, OUR_IP));
    input_write(&in, "arp-request");
    input_start(&in, 0);
    input_frame(&in, 0, f, arp(f, 2, our_mac, PEER_IP, our_mac, OUR_IP));
    input_write(&in, "arp-reply");
    input_start(&in, 0);
    input_frame(&in, 0, f, ipv4(f, OUR_IP, PROTO_ICMP, m, icmp_echo(m, 1, 56)));
    input_write(&in, "icmp-echo");
    input_start(&in, CTL_FIX_IP | CTL_FIX_L4);
    input_frame(&in, 0, f, ipv4(f, OUR_IP, PROTO_ICMP, m, icmp_echo(m, 2, 0)));
    input_write(&in, "icmp-echo-fixed");
    input_start(&in, CTL_FIX_IP | CTL_FIX_L4);
    input_frame(&in, 0, f,
                ipv4(f, OUR_IP, PROTO_UDP, m, udp(m, 5000, 7, "hello", 5)));
    input_write(&in, "udp-echo");
    input_start(&in, CTL_FIX_IP | CTL_FIX_L4);
    input_frame(&in, 0, f,
                ipv4(f, OUR_IP, PROTO_UDP, m, udp(m, 5000, 9, "closed", 6)));
    input_write(&in, "udp-closed-port");
    input_start(&in, CTL_FIX_IP | CTL_FIX_L4);
    input_frame(&in, 0, f,
                ipv4(f, 0x0a0000ffu, PROTO_UDP, m, udp(m, 5000, 7, "all", 3)));
    input_write(&in, "udp-broadcast");
    input_start(&in, CTL_FIX_IP | CTL_FIX_L4);
    input_frame(&in, 0, f, tcp_frame(f, 7, CLIENT_ISN, TH_SYN, 65535, "", 0));
    input_write(&in, "tcp-syn");
    input_start(&in, CTL_FIX_IP | CTL_FIX_L4);
    input_frame(&in, 0, f, tcp_frame(f, 9, CLIENT_ISN, TH_SYN, 65535, "", 0));
    input_write(&in, "tcp-syn-closed-port");
    {
        static const uint8_t opts[] = {0x94, 4, 0, 0}; /* router alert */
        input_start(&in, CTL_FIX_IP | CTL_FIX_L4);
        input_frame(&in, 0, f,
                    ipv4_packet(f, our_mac, PEER_IP, OUR_IP, PROTO_ICMP, 7, 0,
                                opts, sizeof opts, m, icmp_echo(m, 3, 8)));
        input_write(&in, "ip-options");
    }

    /* Sequences: ARP first, so that lwIP answers at once. */
    size_t arp_len = arp(f, 1, broadcast_mac, PEER_IP, zero_mac, OUR_IP);
    uint8_t arp_req[64];
    memcpy(arp_req, f, arp_len);
    const unsigned seq = CTL_SEQUENCE | CTL_FIX_IP | CTL_FIX_L4;
#define ARP_FIRST() input_frame(&in, 0, memcpy(f, arp_req, arp_len), arp_len)

    input_start(&in, seq);
    ARP_FIRST();
    input_frame(&in, 0, f, ipv4(f, OUR_IP, PROTO_ICMP, m, icmp_echo(m, 4, 32)));
    input_frame(&in, 0, f,
                ipv4(f, OUR_IP, PROTO_UDP, m, udp(m, 5000, 7, "again", 5)));
    input_write(&in, "seq-arp-icmp-udp");

    /* A whole echo session: handshake, data, its echo acked, FIN from
     * the peer, lwIP's FIN acked. */
    input_start(&in, seq);
    ARP_FIRST();
    input_frame(&in, 0, f, tcp_frame(f, 7, CLIENT_ISN, TH_SYN, 65535, "", 0));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 1, TH_ACK, 65535, "", 0));
    input_frame(
        &in, REC_PATCH_ACK, f,
        tcp_frame(f, 7, CLIENT_ISN + 1, TH_ACK | TH_PSH, 65535, "hello\n", 6));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 7, TH_ACK, 65535, "", 0));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 7, TH_ACK | TH_FIN, 65535, "", 0));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 8, TH_ACK, 65535, "", 0));
    input_write(&in, "seq-tcp-echo-session");

    /* Out of order, then time for the delayed ACK, then a reset. */
    input_start(&in, seq);
    ARP_FIRST();
    input_frame(&in, 0, f, tcp_frame(f, 7, CLIENT_ISN, TH_SYN, 65535, "", 0));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 1, TH_ACK, 65535, "", 0));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 5, TH_ACK, 65535, "efgh", 4));
    input_frame(
        &in, REC_PATCH_ACK, f,
        tcp_frame(f, 7, CLIENT_ISN + 9, TH_ACK | TH_URG, 65535, "ijkl", 4));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 1, TH_ACK, 65535, "abcd", 4));
    input_wait(&in, REC_WAIT);
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 13, TH_RST | TH_ACK, 0, "", 0));
    input_write(&in, "seq-tcp-out-of-order-reset");

    /* No ARP first: the SYN-ACK waits for the peer's address. Then
     * data into a zero window, and time for retransmissions. */
    input_start(&in, seq);
    input_frame(&in, 0, f, tcp_frame(f, 7, CLIENT_ISN, TH_SYN, 65535, "", 0));
    input_frame(&in, 0, f, arp(f, 2, our_mac, PEER_IP, our_mac, OUR_IP));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 1, TH_ACK, 0, "data", 4));
    input_wait(&in, REC_WAIT);
    input_wait(&in, REC_LONG_WAIT);
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 5, TH_ACK, 4096, "", 0));
    input_wait(&in, REC_LONG_WAIT);
    input_wait(&in, REC_LONG_WAIT);
    input_write(&in, "seq-tcp-arp-later-zero-window");

    /* The server closes first ('q'): FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT;
     * then the same with both FINs crossing (CLOSING). */
    input_start(&in, seq);
    ARP_FIRST();
    input_frame(&in, 0, f, tcp_frame(f, 7, CLIENT_ISN, TH_SYN, 65535, "", 0));
    input_frame(
        &in, REC_PATCH_ACK, f,
        tcp_frame(f, 7, CLIENT_ISN + 1, TH_ACK | TH_PSH, 65535, "quit", 4));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 5, TH_ACK, 65535, "", 0));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 5, TH_ACK | TH_FIN, 65535, "", 0));
    input_wait(&in, REC_LONG_WAIT);
    input_write(&in, "seq-tcp-server-closes");

    input_start(&in, seq);
    ARP_FIRST();
    input_frame(&in, 0, f, tcp_frame(f, 7, CLIENT_ISN, TH_SYN, 65535, "", 0));
    input_frame(
        &in, REC_PATCH_ACK, f,
        tcp_frame(f, 7, CLIENT_ISN + 1, TH_ACK | TH_PSH, 65535, "q", 1));
    input_frame(&in, 0, f,
                tcp_frame(f, 7, CLIENT_ISN + 2, TH_ACK | TH_FIN, 65535, "", 0));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 3, TH_ACK, 65535, "", 0));
    input_write(&in, "seq-tcp-simultaneous-close");

    /* Frames lwIP answers to itself (LWIP_NETIF_LOOPBACK): from our own
     * address, to 127.0.0.1. */
    input_start(&in, seq);
    ARP_FIRST();
    input_frame(&in, 0, f,
                ipv4_packet(f, our_mac, OUR_IP, OUR_IP, PROTO_UDP, 5, 0, NULL,
                            0, m, udp(m, 7, 7, "self", 4)));
    input_frame(&in, 0, f,
                ipv4_packet(f, our_mac, OUR_IP, OUR_IP, PROTO_ICMP, 6, 0, NULL,
                            0, m, icmp_echo(m, 7, 4)));
    {
        uint8_t seg[64];
        size_t len = tcp(seg, 7, CLIENT_ISN, 0, TH_SYN, 65535, NULL, 0, "", 0);
        miou__put16(seg, 7); /* from port 7 too: a connection to itself */
        input_frame(&in, 0, f,
                    ipv4_packet(f, our_mac, OUR_IP, OUR_IP, PROTO_TCP, 8, 0,
                                NULL, 0, seg, len));
    }
    input_frame(&in, 0, f,
                ipv4(f, 0x7f000001u, PROTO_ICMP, m, icmp_echo(m, 8, 4)));
    input_frame(&in, 0, f,
                ipv4(f, 0x7f000001u, PROTO_TCP, m,
                     tcp(m, 7, CLIENT_ISN, 0, TH_SYN, 65535, NULL, 0, "", 0)));
    input_write(&in, "seq-loopback");

    /* Data echoed, then three duplicate ACKs: a fast retransmit. */
    input_start(&in, seq);
    ARP_FIRST();
    input_frame(&in, 0, f, tcp_frame(f, 7, CLIENT_ISN, TH_SYN, 65535, "", 0));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 1, TH_ACK, 65535, "", 0));
    input_frame(
        &in, REC_PATCH_ACK, f,
        tcp_frame(f, 7, CLIENT_ISN + 1, TH_ACK | TH_PSH, 65535, "hello", 5));
    for (int i = 0; i < 4; i++)
        input_frame(&in, REC_DUP_ACK, f,
                    tcp_frame(f, 7, CLIENT_ISN + 6, TH_ACK, 65535, "", 0));
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 6, TH_ACK, 65535, "", 0));
    input_write(&in, "seq-tcp-fast-retransmit");

    /* A zero window, then one of 3 bytes for 8 of data: the persist
     * timer splits the segment. */
    input_start(&in, seq);
    ARP_FIRST();
    input_frame(&in, 0, f, tcp_frame(f, 7, CLIENT_ISN, TH_SYN, 65535, "", 0));
    input_frame(
        &in, REC_PATCH_ACK, f,
        tcp_frame(f, 7, CLIENT_ISN + 1, TH_ACK | TH_PSH, 0, "datadata", 8));
    input_wait(&in, REC_WAIT);
    input_frame(&in, REC_DUP_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 9, TH_ACK, 3, "", 0));
    input_wait(&in, REC_WAIT);
    input_wait(&in, REC_LONG_WAIT);
    input_frame(&in, REC_PATCH_ACK, f,
                tcp_frame(f, 7, CLIENT_ISN + 9, TH_ACK, 65535, "", 0));
    input_wait(&in, REC_LONG_WAIT);
    input_write(&in, "seq-tcp-small-window");

    /* A SYN then a reset; a SYN then a second SYN. */
    input_start(&in, seq);
    ARP_FIRST();
    input_frame(&in, 0, f, tcp_frame(f, 7, CLIENT_ISN, TH_SYN, 65535, "", 0));
    input_frame(&in, 0, f, tcp_frame(f, 7, CLIENT_ISN + 1, TH_RST, 0, "", 0));
    input_frame(&in, 0, f, tcp_frame(f, 7, CLIENT_ISN, TH_SYN, 65535, "", 0));
    input_frame(&in, 0, f,
                tcp_frame(f, 7, CLIENT_ISN + 9, TH_SYN, 65535, "", 0));
    input_write(&in, "seq-tcp-syn-reset");

    /* An echo request in two fragments: reassembled, its reply (over
     * the MTU) fragmented. Then a lone first fragment, timed out. */
    {
        size_t len = icmp_echo(m, 5, 2000);
        prepare(big,
                ipv4_packet(big, our_mac, PEER_IP, OUR_IP, PROTO_ICMP, 77, 0,
                            NULL, 0, m, len),
                CTL_FIX_L4, 0, &no_patch);
        memcpy(m, big + ETH_HLEN_ + 20, len); /* its checksum now set */
        uint8_t g[FRAME_MAX];
        input_start(&in, seq);
        ARP_FIRST();
        input_frame(&in, 0, g,
                    ipv4_packet(g, our_mac, PEER_IP, OUR_IP, PROTO_ICMP, 77,
                                0x2000, NULL, 0, m, 1480));
        input_frame(&in, 0, g,
                    ipv4_packet(g, our_mac, PEER_IP, OUR_IP, PROTO_ICMP, 77,
                                1480 / 8, NULL, 0, m + 1480, len - 1480));
        input_write(&in, "seq-ip-fragments");

        input_start(&in, seq);
        ARP_FIRST();
        input_frame(&in, 0, g,
                    ipv4_packet(g, our_mac, PEER_IP, OUR_IP, PROTO_ICMP, 78,
                                0x2000, NULL, 0, m, 1480));
        input_wait(&in, REC_LONG_WAIT);
        input_wait(&in, REC_LONG_WAIT);
        input_write(&in, "seq-ip-fragment-timeout");
    }
    /* First fragments of 60 datagrams, waiting together, timed out.
     * (More than IP_REASS_MAX_PBUFS, 128 with our options, would not fit
     * in -max_len=4096 bytes.) */
    input_start(&in, seq);
    ARP_FIRST();
    memset(m, 'x', 8);
    for (uint16_t id = 200; id < 260; id++)
        input_frame(&in, 0, f,
                    ipv4_packet(f, our_mac, PEER_IP, OUR_IP, PROTO_UDP, id,
                                0x2000, NULL, 0, m, 8));
    input_wait(&in, REC_LONG_WAIT);
    input_wait(&in, REC_LONG_WAIT);
    input_write(&in, "seq-ip-reassembly-many");

    /* A UDP datagram in three fragments, the last first. */
    {
        uint8_t data[3000];
        for (size_t i = 0; i < sizeof data; i++)
            data[i] = (uint8_t)i;
        size_t len = udp(m, 5000, 7, data, 2500);
        prepare(big,
                ipv4_packet(big, our_mac, PEER_IP, OUR_IP, PROTO_UDP, 99, 0,
                            NULL, 0, m, len),
                CTL_FIX_L4, 0, &no_patch);
        memcpy(m, big + ETH_HLEN_ + 20, len);
        uint8_t g[FRAME_MAX];
        input_start(&in, seq);
        ARP_FIRST();
        input_frame(&in, 0, g,
                    ipv4_packet(g, our_mac, PEER_IP, OUR_IP, PROTO_UDP, 99,
                                2000 / 8, NULL, 0, m + 2000, len - 2000));
        input_frame(&in, 0, g,
                    ipv4_packet(g, our_mac, PEER_IP, OUR_IP, PROTO_UDP, 99,
                                0x2000, NULL, 0, m, 1000));
        input_frame(&in, 0, g,
                    ipv4_packet(g, our_mac, PEER_IP, OUR_IP, PROTO_UDP, 99,
                                0x2000 | 1000 / 8, NULL, 0, m + 1000, 1000));
        input_write(&in, "seq-udp-fragments");
    }

    /* DHCP: an offer, the ack, the address check, then an echo request
     * to the address; and an offer then a NAK. */
    input_start(&in, seq | CTL_DHCP);
    input_frame(&in, REC_PATCH_ACK, f, dhcp_reply(f, 2, 3600, 1800, 3150));
    input_frame(&in, REC_PATCH_ACK, f, dhcp_reply(f, 5, 3600, 1800, 3150));
    input_wait(&in, REC_WAIT);
    input_wait(&in, REC_WAIT);
    input_frame(&in, 0, f,
                arp(f, 1, broadcast_mac, PEER_IP, zero_mac, 0x0a000032u));
    input_frame(&in, 0, f,
                ipv4(f, 0x0a000032u, PROTO_ICMP, m, icmp_echo(m, 6, 16)));
    input_write(&in, "seq-dhcp-bound");

    input_start(&in, seq | CTL_DHCP);
    input_frame(&in, REC_PATCH_ACK, f, dhcp_reply(f, 2, 3600, 1800, 3150));
    input_frame(&in, REC_PATCH_ACK, f, dhcp_reply(f, 6, 0, 0, 0));
    input_wait(&in, REC_LONG_WAIT);
    input_write(&in, "seq-dhcp-nak");

    /* A short lease: bound, renewing after 60 s (lwIP's coarse timer
     * counts minutes), rebinding after 120 s, renewed by an ack. */
    input_start(&in, seq | CTL_DHCP);
    input_frame(&in, REC_PATCH_ACK, f, dhcp_reply(f, 2, 240, 60, 120));
    input_frame(&in, REC_PATCH_ACK, f, dhcp_reply(f, 5, 240, 60, 120));
    input_wait(&in, REC_WAIT);
    input_wait(&in, REC_WAIT);
    for (int i = 0; i < 7; i++)
        input_wait(&in, REC_LONG_WAIT);
    input_frame(&in, 0, f, arp(f, 2, our_mac, PEER_IP, our_mac, 0x0a000032u));
    for (int i = 0; i < 6; i++)
        input_wait(&in, REC_LONG_WAIT);
    input_frame(&in, REC_PATCH_ACK, f, dhcp_reply(f, 5, 240, 60, 120));
    input_write(&in, "seq-dhcp-renew");
#undef ARP_FIRST
    return seed_failures ? 1 : 0;
}

/* ---- lwIP's port ----------------------------------------------------------
 */

static u32_t now_ms = 1000;
static uint64_t random_state;

u32_t sys_now(void)
{
    return now_ms;
}

void miou_tcpip__assert(const char *what, const char *file, int line)
{
    fprintf(stderr, "lwIP assertion failed: %s (%s:%d)\n", what, file, line);
    abort();
}

/* xorshift64*, from the same seed at each input: lwIP's random numbers
 * (its first port, DHCP's xid) do not depend on the inputs before. */
uint32_t miou_tcpip__random(void)
{
    random_state ^= random_state >> 12;
    random_state ^= random_state << 25;
    random_state ^= random_state >> 27;
    return (uint32_t)((random_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* What the hooks of our options (lwipopts.h, src/tcpip/timewait.c)
 * reach in our layer: the harness puts no argument on its pcbs, so no
 * connection of a task is ever forgotten, and has no IPv6 gateway. */
void miou_tcpip__tcp_forget(miou_tcp *conn)
{
    (void)conn;
}

const struct ip6_addr *miou_tcpip__nd6_gateway(struct netif *netif,
                                               const struct ip6_addr *dest)
{
    (void)netif;
    (void)dest;
    return NULL;
}

/* What LWIP_DNS (on for the DHCP client, lwipopts.h) asks of the
 * resolver, src/tcpip/dns.c's in the library: the lease's servers are
 * dropped here. */
void dns_init(void)
{
}

void dns_tmr(void)
{
}

void dns_setserver(u8_t numdns, const ip_addr_t *server)
{
    (void)numdns;
    (void)server;
}

/* Whether lwIP was built with its assertions on. */
#ifdef LWIP_NOASSERT
#define LWIP_ASSERTS_ON 0
#else
#define LWIP_ASSERTS_ON 1
#endif

static int known_bugs; /* FUZZ_FRAMES_KNOWN_BUGS: no workaround */
static unsigned long known_bug_drops, known_bug_persists;

/* lwIP's hook before a segment goes to its connection's pcb, when the
 * script builds lwIP with its assertions on: drop the segments of the
 * "insane offset!" bug (see the top of this file); ERR_OK lets the
 * others through. Called for listening pcbs too (a smaller struct). */
int fuzz_frames_tcp_inpacket(const struct tcp_pcb *pcb,
                             const struct tcp_hdr *hdr, const struct pbuf *p);


int fuzz_frames_tcp_inpacket(const struct tcp_pcb *pcb,
                             const struct tcp_hdr *hdr, const struct pbuf *p)
{
    /* tcp_input() has turned the header's fields to host order. */
    unsigned syn_fin = (TCPH_FLAGS(hdr) & (TCP_SYN | TCP_FIN)) != 0;
    if (known_bugs || pcb->state == LISTEN || p->tot_len + syn_fin != 1 ||
        pcb->rcv_nxt - hdr->seqno != 0x80000000u)
        return ERR_OK;
    known_bug_drops++;
    return ERR_ABRT;
}

/* ---- What the run reached ------------------------------------------------ */

static struct {
    unsigned long inputs, sequences, dhcp_inputs;
    unsigned long frames_in, frames_refused;
    unsigned long accepts, tcp_recvs, tcp_bytes_echoed, fins, tcp_errors;
    unsigned long udp_echoes, address_changes, active_closes;
    unsigned long out_arp, out_icmp, out_udp, out_dhcp, out_tcp;
    unsigned long out_tcp_synack, out_tcp_data, out_tcp_fin, out_tcp_rst;
    unsigned long out_fragments, out_from_loopback, self_ignored;
    unsigned tcp_states, dhcp_states; /* bit per state seen */
} seen;

static int tracing;
static struct netif nif;
static struct tcp_pcb *listener;
static struct udp_pcb *udp_echo_pcb;
static struct last_out last;
static int in_dhcp_input;
static mem_size_t heap_baseline;
static mem_size_t pool_baseline[MEMP_MAX];

static const char *const pool_names[MEMP_MAX] = {
#define LWIP_MEMPOOL(name, num, size, desc) #name,
#include "lwip/priv/memp_std.h"
};

static const char *const tcp_state_names[] = {
    "CLOSED",      "LISTEN",     "SYN_SENT",   "SYN_RCVD",
    "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
    "CLOSING",     "LAST_ACK",   "TIME_WAIT",
};

static const char *const dhcp_state_names[] = {
    "OFF",      "REQUESTING", "INIT",        "REBOOTING", "REBINDING",
    "RENEWING", "SELECTING",  "INFORMING",   "CHECKING",  "PERMANENT",
    "BOUND",    "RELEASING",  "BACKING_OFF",
};

static void print_states(const char *what, unsigned bits,
                         const char *const *names, size_t count)
{
    fprintf(stderr, "fuzz_frames: %s states reached:", what);
    for (size_t i = 0; i < count; i++)
        if (bits & 1u << i)
            fprintf(stderr, " %s", names[i]);
    fprintf(stderr, "\n");
}

/* lwIP's protocol counters are 16 bits: what each input added is
 * summed here. */
enum { P_LINK, P_ARP, P_IP, P_IP_FRAG, P_ICMP, P_UDP, P_TCP, P_COUNT };
#define COUNTERS (sizeof(struct stats_proto) / sizeof(STAT_COUNTER))
static struct stats_proto proto_before[P_COUNT];
static unsigned long proto_total[P_COUNT][COUNTERS];

static struct stats_proto *proto_stats(int i)
{
    switch (i) {
    case P_LINK:
        return &lwip_stats.link;
    case P_ARP:
        return &lwip_stats.etharp;
    case P_IP:
        return &lwip_stats.ip;
    case P_IP_FRAG:
        return &lwip_stats.ip_frag;
    case P_ICMP:
        return &lwip_stats.icmp;
    case P_UDP:
        return &lwip_stats.udp;
    default:
        return &lwip_stats.tcp;
    }
}

static void count_protocols(void)
{
    for (int i = 0; i < P_COUNT; i++) {
        STAT_COUNTER now[COUNTERS], before[COUNTERS];
        memcpy(now, proto_stats(i), sizeof now);
        memcpy(before, &proto_before[i], sizeof before);
        for (size_t c = 0; c < COUNTERS; c++)
            proto_total[i][c] += (STAT_COUNTER)(now[c] - before[c]);
        memcpy(&proto_before[i], now, sizeof now);
    }
}

static void print_proto(const char *name, int i)
{
#define TOTAL(field)                                                           \
    proto_total[i][offsetof(struct stats_proto, field) / sizeof(STAT_COUNTER)]
    fprintf(stderr,
            " %s %lu in (%lu dropped: chkerr %lu, lenerr %lu, proterr %lu, "
            "opterr %lu, err %lu), %lu out;",
            name, TOTAL(recv), TOTAL(drop), TOTAL(chkerr), TOTAL(lenerr),
            TOTAL(proterr), TOTAL(opterr), TOTAL(err), TOTAL(xmit));
#undef TOTAL
}

static void print_summary(void)
{
    fprintf(stderr,
            "fuzz_frames: %lu inputs (%lu sequences, %lu under DHCP), %lu "
            "frames in, %lu refused as too long\n",
            seen.inputs, seen.sequences, seen.dhcp_inputs, seen.frames_in,
            seen.frames_refused);
    fprintf(stderr, "fuzz_frames: lwIP's counters:");
    print_proto("link", P_LINK);
    print_proto("arp", P_ARP);
    print_proto("ip", P_IP);
    print_proto("ip_frag", P_IP_FRAG);
    print_proto("icmp", P_ICMP);
    print_proto("udp", P_UDP);
    print_proto("tcp", P_TCP);
    fprintf(stderr, "\n");
    fprintf(stderr,
            "fuzz_frames: callbacks: %lu accepts, %lu TCP receives (%lu "
            "bytes echoed), %lu FINs closed, %lu closes on 'q', %lu TCP "
            "errors, %lu UDP echoes, %lu address changes\n",
            seen.accepts, seen.tcp_recvs, seen.tcp_bytes_echoed, seen.fins,
            seen.active_closes, seen.tcp_errors, seen.udp_echoes,
            seen.address_changes);
    fprintf(stderr,
            "fuzz_frames: frames out: %lu ARP, %lu ICMP, %lu UDP (%lu DHCP), "
            "%lu TCP (%lu SYN-ACK, %lu with data, %lu FIN, %lu RST), %lu "
            "IP fragments\n",
            seen.out_arp, seen.out_icmp, seen.out_udp, seen.out_dhcp,
            seen.out_tcp, seen.out_tcp_synack, seen.out_tcp_data,
            seen.out_tcp_fin, seen.out_tcp_rst, seen.out_fragments);
    fprintf(stderr,
            "fuzz_frames: %lu frames sent onto the link from 127/8; %lu "
            "datagrams and connections from ourselves ignored by the echo "
            "servers\n",
            seen.out_from_loopback, seen.self_ignored);
    if (LWIP_ASSERTS_ON)
        fprintf(stderr,
                "fuzz_frames: lwIP's assertions on; its known bugs: %lu "
                "segments dropped (length 1 at rcv_nxt + 2^31), %lu "
                "persist timers stopped (empty send buffer)%s\n",
                known_bug_drops, known_bug_persists,
                known_bugs ? ", none: FUZZ_FRAMES_KNOWN_BUGS is set" : "");
    else
        fprintf(stderr, "fuzz_frames: lwIP's assertions off (lwipopts.h "
                        "defines LWIP_NOASSERT)\n");
    print_states("TCP", seen.tcp_states, tcp_state_names,
                 sizeof tcp_state_names / sizeof *tcp_state_names);
    print_states("DHCP", seen.dhcp_states, dhcp_state_names,
                 sizeof dhcp_state_names / sizeof *dhcp_state_names);
}

/* ---- The interface: frames out ------------------------------------------ */

/* Check one frame lwIP sends, note what it says for the patches. */
static void check_output(uint8_t *f, size_t n)
{
    REQUIRE(memcmp(f + 6, our_mac, 6) == 0);
    uint16_t type = miou__get16(f + 12);
    REQUIRE(type == ETHTYPE_ARP_ || type == ETHTYPE_IPV4);
    if (type == ETHTYPE_ARP_) {
        REQUIRE(n >= ETH_HLEN_ + 28);
        const uint8_t *a = f + ETH_HLEN_;
        REQUIRE(miou__get16(a) == 1 && miou__get16(a + 2) == ETHTYPE_IPV4);
        REQUIRE(a[4] == 6 && a[5] == 4);
        REQUIRE(miou__get16(a + 6) == 1 || miou__get16(a + 6) == 2);
        REQUIRE(memcmp(a + 8, our_mac, 6) == 0);
        seen.out_arp++;
        return;
    }
    struct ipv4 v;
    REQUIRE(ipv4_view(f, n, &v));
    REQUIRE(ETH_HLEN_ + v.total == n && v.l4 != NULL);
    REQUIRE(fold(sum16(0, v.ip, v.ihl)) == 0xffff);
    uint32_t src = miou__get32(v.ip + 12);
    if (src >> 24 == 127)
        seen.out_from_loopback++; /* answers to frames to 127.0.0.1 */
    else if (!in_dhcp_input)
        REQUIRE(src == OUR_IP);
    if (v.fragment) {
        seen.out_fragments++;
        if ((miou__get16(v.ip + 6) & 0x1fffu) != 0)
            return; /* no transport header in this one */
    }
    if (v.proto == PROTO_ICMP) {
        REQUIRE(v.l4len >= 8);
        if (!v.fragment)
            REQUIRE(l4_sum(&v) == 0xffff);
        seen.out_icmp++;
    } else if (v.proto == PROTO_UDP) {
        REQUIRE(v.l4len >= 8);
        if (!v.fragment) {
            REQUIRE(miou__get16(v.l4 + 4) == v.l4len);
            REQUIRE(miou__get16(v.l4 + 6) == 0 || l4_sum(&v) == 0xffff);
        }
        seen.out_udp++;
        if (miou__get16(v.l4) == 68 && miou__get16(v.l4 + 2) == 67 &&
            v.l4len >= 16) {
            seen.out_dhcp++;
            last.dhcp_xid = miou__get32(v.l4 + 8 + 4);
        }
    } else {
        REQUIRE(v.proto == PROTO_TCP && !v.fragment);
        REQUIRE(v.l4len >= 20);
        size_t hlen = (size_t)(v.l4[12] >> 4) * 4;
        REQUIRE(hlen >= 20 && hlen <= v.l4len);
        REQUIRE(l4_sum(&v) == 0xffff);
        unsigned flags = v.l4[13];
        size_t data = v.l4len - hlen;
        seen.out_tcp++;
        seen.out_tcp_synack += (flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK);
        seen.out_tcp_data += data > 0;
        seen.out_tcp_fin += (flags & TH_FIN) != 0;
        seen.out_tcp_rst += (flags & TH_RST) != 0;
        if (data > 0)
            last.tcp_data = miou__get32(v.l4 + 4);
        last.tcp_next = miou__get32(v.l4 + 4) + (uint32_t)data +
                        ((flags & TH_SYN) != 0) + ((flags & TH_FIN) != 0);
        if (flags & TH_ACK)
            last.tcp_ack = miou__get32(v.l4 + 8);
    }
}

static void trace_frame(const char *dir, const uint8_t *f, size_t n)
{
    fprintf(stderr, "fuzz_frames: %s %zu bytes:", dir, n);
    for (size_t i = 0; i < n && i < 64; i++)
        fprintf(stderr, " %02x", f[i]);
    fprintf(stderr, n > 64 ? " ...\n" : "\n");
}

static err_t link_output(struct netif *netif, struct pbuf *p)
{
    static uint8_t f[FRAME_MAX];
    (void)netif;
    REQUIRE(p->tot_len >= ETH_HLEN_ && p->tot_len <= FRAME_MAX);
    size_t total = 0;
    for (const struct pbuf *q = p; q; q = q->next) {
        total += q->len;
        REQUIRE(q->next != NULL || q->tot_len == q->len);
    }
    REQUIRE(total == p->tot_len);
    REQUIRE(pbuf_copy_partial(p, f, p->tot_len, 0) == p->tot_len);
    if (tracing)
        trace_frame("out", f, p->tot_len);
    check_output(f, p->tot_len);
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

static err_t netif_setup(struct netif *netif)
{
    netif->name[0] = 'f';
    netif->name[1] = 'z';
    netif->output = etharp_output;
    netif->linkoutput = link_output;
    netif->mtu = MTU;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, our_mac, ETH_HWADDR_LEN);
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
                   NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

static void status_changed(struct netif *netif)
{
    (void)netif;
    seen.address_changes++;
}

/* ---- The echo servers ------------------------------------------------------
 */

static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
                       err_t err)
{
    (void)arg;
    if (!p) {
        seen.fins++;
        if (tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        return ERR_OK;
    }
    if (err != ERR_OK) {
        pbuf_free(p);
        return err;
    }
    seen.tcp_recvs++;
    /* Data starting with 'q': echoed, then closed from this side. */
    int quit = p->len > 0 && ((const uint8_t *)p->payload)[0] == 'q';
    for (struct pbuf *q = p; q; q = q->next) {
        u16_t n = LWIP_MIN(q->len, tcp_sndbuf(pcb));
        if (n == 0 ||
            tcp_write(pcb, q->payload, n, TCP_WRITE_FLAG_COPY) != ERR_OK)
            break; /* what does not fit is not echoed */
        seen.tcp_bytes_echoed += n;
    }
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    if (quit) {
        seen.active_closes++;
        if (tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        return ERR_OK;
    }
    tcp_output(pcb);
    return ERR_OK;
}

static void echo_error(void *arg, err_t err)
{
    (void)arg;
    (void)err;
    seen.tcp_errors++;
}

/* A peer at our own address or in 127/8: answering it loops back. */
static int is_self(const ip_addr_t *addr)
{
    uint32_t a = lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr)));
    return !known_bugs &&
           (a >> 24 == 127 ||
            a == lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(&nif))));
}

static err_t echo_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    if (is_self(&pcb->remote_ip)) {
        seen.self_ignored++;
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    seen.accepts++;
    /* Keepalive probes after 5 s of silence, every second, 3 of them. */
    ip_set_option(pcb, SOF_KEEPALIVE);
    pcb->keep_idle = 5000;
    pcb->keep_intvl = 1000;
    pcb->keep_cnt = 3;
    tcp_recv(pcb, echo_recv);
    tcp_err(pcb, echo_error);
    return ERR_OK;
}

static void udp_echo(void *arg, struct udp_pcb *pcb, struct pbuf *p,
                     const ip_addr_t *addr, u16_t port)
{
    (void)arg;
    if (is_self(addr)) {
        seen.self_ignored++;
        pbuf_free(p);
        return;
    }
    seen.udp_echoes++;
    udp_sendto(pcb, p, addr, port);
    pbuf_free(p);
}

/* ---- Set-up, time, frames in ------------------------------------------ */

static void set_static_address(void)
{
    ip4_addr_t addr, mask, gw;
    ip4_addr_set_u32(&addr, lwip_htonl(OUR_IP));
    ip4_addr_set_u32(&mask, lwip_htonl(NETMASK));
    ip4_addr_set_u32(&gw, lwip_htonl(PEER_IP));
    netif_set_addr(&nif, &addr, &mask, &gw);
}

static void setup(void)
{
    ip4_addr_t addr, mask, gw;
    lwip_init();
    ip4_addr_set_u32(&addr, lwip_htonl(OUR_IP));
    ip4_addr_set_u32(&mask, lwip_htonl(NETMASK));
    ip4_addr_set_u32(&gw, lwip_htonl(PEER_IP));
    REQUIRE(netif_add(&nif, &addr, &mask, &gw, NULL, netif_setup,
                      ethernet_input) != NULL);
    netif_set_status_callback(&nif, status_changed);
    netif_set_default(&nif);
    netif_set_up(&nif);
    netif_set_link_up(&nif);

    struct tcp_pcb *pcb = tcp_new();
    REQUIRE(pcb != NULL && tcp_bind(pcb, IP_ADDR_ANY, 7) == ERR_OK);
    listener = tcp_listen(pcb);
    REQUIRE(listener != NULL);
    tcp_accept(listener, echo_accept);
    udp_echo_pcb = udp_new();
    REQUIRE(udp_echo_pcb != NULL &&
            udp_bind(udp_echo_pcb, IP_ADDR_ANY, 7) == ERR_OK);
    udp_recv(udp_echo_pcb, udp_echo, NULL);

    /* What stays: the listener, the UDP pcb, lwIP's timers. */
    sys_check_timeouts();
    etharp_cleanup_netif(&nif);
    count_protocols();
    memset(proto_total, 0, sizeof proto_total);
    heap_baseline = lwip_stats.mem.used;
    for (int i = 0; i < MEMP_MAX; i++)
        pool_baseline[i] = lwip_stats.memp[i]->used;
}

/* Note the states lwIP's TCP connections and DHCP client are in. */
static void note_states(void)
{
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next)
        seen.tcp_states |= 1u << p->state;
    if (tcp_tw_pcbs)
        seen.tcp_states |= 1u << TIME_WAIT;
    struct dhcp *d = netif_dhcp_data(&nif);
    if (d)
        seen.dhcp_states |= 1u << d->state;
}

/* The "persist ticking with empty send buffer" bug (see the top of this
 * file): stop such a timer before tcp_slowtmr() asserts on it. */
static void stop_empty_persist(void)
{
    for (struct tcp_pcb *p = tcp_active_pcbs; p; p = p->next) {
        if (p->persist_backoff > 0 && p->unsent == NULL) {
            p->persist_backoff = 0;
            p->persist_cnt = 0;
            p->persist_probe = 0;
            known_bug_persists++;
        }
    }
}

/* Let (ms) pass in steps of at most (step) ms, lwIP's timers running. */
static void advance(u32_t ms, u32_t step)
{
    while (ms > 0) {
        u32_t d = ms < step ? ms : step;
        now_ms += d;
        ms -= d;
        if (LWIP_ASSERTS_ON && !known_bugs)
            stop_empty_persist();
        sys_check_timeouts();
        if (nif.loop_first)
            netif_poll(&nif);
    }
}

static void feed(const uint8_t *data, size_t n, unsigned control,
                 unsigned flags)
{
    static uint8_t frame[FRAME_MAX];
    if (flags & REC_WAIT)
        advance(1000, 250);
    if (flags & REC_LONG_WAIT)
        advance(10000, 250);
    if (n > FRAME_MAX) {
        seen.frames_refused++;
        return;
    }
    if (n > 0) {
        memcpy(frame, data, n);
        prepare(frame, n, control, flags, &last);
        if (tracing)
            trace_frame("in", frame, n);
        /* The stack's own filter (src/tcpip/stack.c runs it on every
         * frame): spoofed frames from our address or 127/8 never reach
         * lwIP there either. */
        if (!known_bugs && !miou_tcpip__frame_admissible(frame, n, &nif)) {
            seen.frames_refused++;
            advance(10, 10);
            return;
        }
        struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_POOL);
        REQUIRE(p != NULL);
        REQUIRE(pbuf_take(p, frame, (u16_t)n) == ERR_OK);
        seen.frames_in++;
        if (nif.input(p, &nif) != ERR_OK)
            pbuf_free(p);
        if (nif.loop_first)
            netif_poll(&nif);
    }
    advance(10, 10);
    note_states();
}

static void begin_input(unsigned control)
{
    random_state = 0x9e3779b97f4a7c15ull;
    memset(&last, 0, sizeof last);
    seen.inputs++;
    if (control & CTL_SEQUENCE)
        seen.sequences++;
    if (control & CTL_DHCP) {
        seen.dhcp_inputs++;
        in_dhcp_input = 1;
        netif_set_addr(&nif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4);
        REQUIRE(dhcp_start(&nif) == ERR_OK);
        note_states();
    }
}

/* Close everything the input opened, then check that lwIP holds what it
 * held after the set-up, no more. */
static void end_input(unsigned control)
{
    if (control & CTL_DHCP) {
        dhcp_release_and_stop(&nif);
        dhcp_cleanup(&nif);
        set_static_address();
        in_dhcp_input = 0;
    }
    while (tcp_active_pcbs)
        tcp_abort(tcp_active_pcbs);
    while (tcp_tw_pcbs)
        tcp_abort(tcp_tw_pcbs);
    /* The resets sent to ourselves are delivered (to nobody). */
    if (nif.loop_first)
        netif_poll(&nif);
    /* Fragments waiting for the rest time out. */
    if (lwip_stats.memp[MEMP_REASSDATA]->used > 0)
        advance((IP_REASS_MAXAGE + 2) * IP_TMR_INTERVAL, IP_TMR_INTERVAL);
    /* lwIP's TCP timer stops when it finds no connection left. */
    advance(2 * TCP_TMR_INTERVAL, TCP_TMR_INTERVAL);
    etharp_cleanup_netif(&nif);

    count_protocols();
    REQUIRE(tcp_active_pcbs == NULL && tcp_tw_pcbs == NULL);
    REQUIRE(nif.loop_first == NULL);
    REQUIRE(tcp_listen_pcbs.listen_pcbs == (struct tcp_pcb_listen *)listener);
    REQUIRE(listener->state == LISTEN && listener->local_port == 7);
    REQUIRE(udp_pcbs == udp_echo_pcb && udp_echo_pcb->next == NULL &&
            udp_echo_pcb->local_port == 7);
    REQUIRE(netif_is_up(&nif) && netif_is_link_up(&nif));
    REQUIRE(ip4_addr_get_u32(netif_ip4_addr(&nif)) == lwip_htonl(OUR_IP));
    for (int i = 0; i < MEMP_MAX; i++) {
        if (lwip_stats.memp[i]->used != pool_baseline[i]) {
            fprintf(stderr,
                    "fuzz_frames.c: property failed: pool %s holds %lu "
                    "elements after the input, %lu before\n",
                    pool_names[i], (unsigned long)lwip_stats.memp[i]->used,
                    (unsigned long)pool_baseline[i]);
            abort();
        }
    }
    if (lwip_stats.mem.used != heap_baseline) {
        fprintf(stderr,
                "fuzz_frames.c: property failed: lwIP's heap holds %lu bytes "
                "after the input, %lu before\n",
                (unsigned long)lwip_stats.mem.used,
                (unsigned long)heap_baseline);
        abort();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (*argc == 3 && strcmp((*argv)[1], "--seeds") == 0)
        exit(write_seeds((*argv)[2]));
    tracing = getenv("FUZZ_FRAMES_TRACE") != NULL;
    known_bugs = getenv("FUZZ_FRAMES_KNOWN_BUGS") != NULL;
    setup();
    atexit(print_summary);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned control = data[0];
    begin_input(control);
    if (control & CTL_SEQUENCE) {
        size_t i = 1;
        while (i + 2 <= size) {
            unsigned word = miou__get16(data + i);
            i += 2;
            size_t n = word & REC_LEN_MASK;
            if (n > size - i)
                n = size - i;
            feed(data + i, n, control, word & ~REC_LEN_MASK);
            i += n;
        }
    } else {
        feed(data + 1, size - 1, control, 0);
    }
    end_input(control);
    return 0;
}
