/*
 * timewait.c - a client may come back on the port pair of a connection
 * that we closed first and that still sits in TIME-WAIT.
 *
 * lwIP keeps such a connection for 2 MSL (two minutes) and, following
 * RFC 1337, answers a new SYN for the same port pair with a bare ACK
 * (when the SYN lies outside the old window; a reset when inside) and
 * ignores any reset: a Linux client answers the ACK with a reset and
 * tries its SYN again, until its connect times out. A client that waits
 * for the server to close, and reuses ports, met this on about 2% of its
 * connections. Two rules, checked on each packet before lwIP reads it
 * (lwIP's input hooks; no change to its code):
 *
 *  - a SYN (no ACK, no data) whose sequence number lies beyond every
 *    byte of the old connection (RFC 1122 4.2.2.13, RFC 6191 without
 *    timestamps) ends the TIME-WAIT at once: lwIP then hands the SYN to
 *    the listener, and the client is in without a retry;
 *  - a reset whose sequence number is exactly the next one expected
 *    (RFC 5961's acceptable reset: a client's answer to the ACK, which
 *    a blind attacker would have to guess) ends it too, as Linux does by
 *    default; the client's next SYN then finds the listener.
 *
 * A segment whose checksum is wrong changes nothing.
 */
#include <string.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"

#include "internal.h"
#include "miou_hooks.h"
#include "util/bytes.h"

#define TCP_HLEN_MIN 20
#define TCP_HLEN_MAX 60
#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_ACK 0x10

#ifndef LWIP_TCP_PCB_HASH
/* Whether (ip), a pcb's address, is the (len) bytes at (raw). */
static int same_addr(const ip_addr_t *ip, const uint8_t *raw, size_t len)
{
#if LWIP_IPV6
    if (IP_IS_V6(ip))
        return len == 16 && memcmp(ip_2_ip6(ip)->addr, raw, 16) == 0;
#endif
    if (len != 4)
        return 0;
    uint32_t a = ip4_addr_get_u32(ip_2_ip4(ip));
    return memcmp(&a, raw, 4) == 0;
}
#endif

#ifdef LWIP_TCP_PCB_HASH
/* The (len) bytes at (raw), an IPv4 or IPv6 address, as lwIP's. */
static void raw_addr(const uint8_t *raw, size_t len, ip_addr_t *ip)
{
#if LWIP_IPV6
    if (len == 16) {
        ip_addr_set_zero_ip6(ip);
        memcpy(ip_2_ip6(ip)->addr, raw, 16);
        return;
    }
#endif
    (void)len;
    ip_addr_set_zero_ip4(ip);
    memcpy(&ip_2_ip4(ip)->addr, raw, 4);
}
#endif

/* The connection in TIME-WAIT from (src):(sport) to (dst):(dport),
 * addresses of (alen) bytes, received on (inp), or NULL. Our patch to
 * lwIP (src/tcpip/patches/) has a table of them; without it (another
 * version), a walk of lwIP's list. */
static struct tcp_pcb *timewait_pcb(struct netif *inp, const uint8_t *src,
                                    const uint8_t *dst, size_t alen,
                                    uint16_t sport, uint16_t dport)
{
#ifdef LWIP_TCP_PCB_HASH
    ip_addr_t from, to;
    raw_addr(src, alen, &from);
    raw_addr(dst, alen, &to);
    struct tcp_pcb *pcb = tcp_pcb_lookup(
        &from, sport, &to, dport, inp ? netif_get_index(inp) : NETIF_NO_INDEX);
    return pcb && pcb->state == TIME_WAIT ? pcb : NULL;
#else
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next)
        if (pcb->local_port == dport && pcb->remote_port == sport &&
            same_addr(&pcb->remote_ip, src, alen) &&
            same_addr(&pcb->local_ip, dst, alen))
            return pcb;
    return NULL;
#endif
}

/* The segment at (tcp), without data, from (src) to (dst), addresses of
 * (alen) bytes, its checksum checked: end the TIME-WAIT it is for, if it
 * is a new SYN or an exact reset. */
static void check_segment(struct netif *inp, const uint8_t *src,
                          const uint8_t *dst, size_t alen, const uint8_t *tcp)
{
    uint8_t flags = tcp[13];
    uint16_t sport = miou__get16(tcp), dport = miou__get16(tcp + 2);
    uint32_t seq = miou__get32(tcp + 4);
    int syn = (flags & (F_SYN | F_ACK | F_RST | F_FIN)) == F_SYN;
    int rst = (flags & (F_SYN | F_RST)) == F_RST;
    if (!syn && !rst)
        return;
    struct tcp_pcb *pcb = timewait_pcb(inp, src, dst, alen, sport, dport);
    if (pcb && ((syn && TCP_SEQ_GEQ(seq, pcb->rcv_nxt)) ||
                (rst && seq == pcb->rcv_nxt))) {
        /* A task may still hold the connection, read to its end: it
         * lets go of the pcb, which is then freed, nothing sent. */
        if (pcb->callback_arg)
            miou_tcpip__tcp_forget(pcb->callback_arg);
        tcp_abort(pcb);
        struct miou_tcpip *s = inp ? inp->state : NULL;
        if (s)
            s->timewait_ended++;
    }
}

/* Whether the (hlen) bytes of the segment at (tcp) and its pseudo-header
 * (plen bytes) sum to the Internet checksum's all ones. */
static int checksum_ok(const uint8_t *pseudo, size_t plen, const uint8_t *tcp,
                       size_t hlen)
{
    uint8_t all[40 + TCP_HLEN_MAX];
    memcpy(all, pseudo, plen);
    memcpy(all + plen, tcp, hlen);
    return miou_tcpip__chksum(all, (int)(plen + hlen)) == 0xffff;
}

/* The TCP header at (tcp), (avail) bytes of it copied, in a packet whose
 * TCP part is (tcplen) bytes: its header length, or 0 unless it is a
 * segment without data whose header is all there. */
static size_t bare_segment(const uint8_t *tcp, size_t avail, size_t tcplen)
{
    if (avail < TCP_HLEN_MIN)
        return 0;
    size_t hlen = (size_t)(tcp[12] >> 4) * 4;
    if (hlen < TCP_HLEN_MIN || hlen > avail || hlen != tcplen)
        return 0;
    return hlen;
}

int miou_tcpip__ip4_input_hook(struct pbuf *p, struct netif *inp)
{
    uint8_t b[60 + TCP_HLEN_MAX], pseudo[12];
    if (!tcp_tw_pcbs)
        return 0;
    size_t n = pbuf_copy_partial(p, b, sizeof b, 0);
    if (n < 20 || b[0] >> 4 != 4 || b[9] != IP_PROTO_TCP ||
        (miou__get16(b + 6) & 0x3fff)) /* fragments: not a bare segment */
        return 0;
    size_t ihl = (size_t)(b[0] & 15) * 4, total = miou__get16(b + 2);
    if (ihl < 20 || total < ihl || total > p->tot_len || ihl > n)
        return 0;
    size_t hlen = bare_segment(b + ihl, n - ihl, total - ihl);
    if (!hlen)
        return 0;
    memcpy(pseudo, b + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = IP_PROTO_TCP;
    pseudo[10] = (uint8_t)(hlen >> 8);
    pseudo[11] = (uint8_t)hlen;
    if (checksum_ok(pseudo, sizeof pseudo, b + ihl, hlen))
        check_segment(inp, b + 12, b + 16, 4, b + ihl);
    return 0;
}

int miou_tcpip__ip6_input_hook(struct pbuf *p, struct netif *inp)
{
    uint8_t b[40 + TCP_HLEN_MAX], pseudo[40];
    if (!tcp_tw_pcbs)
        return 0;
    size_t n = pbuf_copy_partial(p, b, sizeof b, 0);
    /* Only a TCP header right after the fixed one: a SYN carries no
     * extension header. */
    if (n < 40 || b[0] >> 4 != 6 || b[6] != IP_PROTO_TCP)
        return 0;
    size_t plen = miou__get16(b + 4);
    if (40 + plen > p->tot_len)
        return 0;
    size_t hlen = bare_segment(b + 40, n - 40, plen);
    if (!hlen)
        return 0;
    memcpy(pseudo, b + 8, 32);
    memset(pseudo + 32, 0, 8);
    pseudo[34] = (uint8_t)(hlen >> 8);
    pseudo[35] = (uint8_t)hlen;
    pseudo[39] = IP_PROTO_TCP;
    if (checksum_ok(pseudo, sizeof pseudo, b + 40, hlen))
        check_segment(inp, b + 8, b + 24, 16, b + 40);
    return 0;
}
