/*
 * sim_tcp.c - the TCP client of the sim peers (sim_tcp.h).
 *
 * Sequence numbers are compared modulo 2^32 (seq_lt and friends), as the
 * stream may start anywhere: the initial sequence number is drawn from
 * the run's seeded stream, like every other choice of a sim run.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_tcp.h"

#define MS 1000000ull
#define TCP_HLEN 20
#define IPPROTO_TCP_ 6
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* The segment size we announce and the window we advertise: one
 * Ethernet MTU's worth, and the largest window without scaling. */
#define OUR_MSS 1460
#define OUR_WINDOW 65535u
/* The unikernel's MSS when its SYN-ACK names none (RFC 9293). */
#define DEFAULT_MSS 536
/* Retransmission: the sim links' delays are micro- to milliseconds, so a
 * fixed first timeout well above them, doubled on each expiry up to a
 * cap, is enough; a connection gives up after MAX_TIMEOUTS expiries in a
 * row without progress. */
#define RTO_FIRST (200 * MS)
#define RTO_MAX (3000 * MS)
#define MAX_TIMEOUTS 20
/* A refused connection is tried again after RETRY_GAP, for RETRY_FOR. */
#define RETRY_GAP (50 * MS)
#define RETRY_FOR (10000 * MS)
/* Out-of-order segments kept, at most (each at most one MSS). */
#define OOO_MAX 64
/* Local ports: one per attempt, so that an answer to an old attempt
 * never matches a new one. */
#define FIRST_PORT 40000

enum state { SYN_SENT, ESTABLISHED, DONE, FAILED };

struct ooo_segment {
    uint32_t seq;
    uint32_t len;
    uint8_t *data;
};

struct simtcp {
    struct simtcp_host *host;
    struct simtcp *next;
    void *cookie;
    enum state state;
    const char *failure;
    uint16_t local_port, remote_port;
    uint64_t retry_until; /* refused attempts are retried until then */
    int retry;            /* refused: the timer starts a new attempt */
    uint16_t fixed_port;  /* the local port of every attempt, or 0 */
    uint64_t started_ns;  /* when the first SYN went */

    /* Sending. The queue holds the bytes from snd_una on, (queue_len) of
     * them from offset (queue_head): an ACK moves the head rather than
     * the bytes, which move down only when a write needs the room.
     * fin_seq is the sequence number of our FIN once shutdown is asked. */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, wl1, wl2;
    uint32_t mss;
    uint8_t *queue;
    size_t queue_head, queue_len, queue_size;
    int shutdown;
    uint32_t fin_seq;
    int fin_acked;
    unsigned dupacks;

    /* Receiving. */
    uint32_t irs, rcv_nxt;
    int fin_received;
    int fin_ahead;       /* a FIN came ahead of bytes still missing */
    uint32_t fin_seq_in; /* its sequence number */
    struct ooo_segment ooo[OOO_MAX];
    unsigned nooo;

    /* The timer: retransmission, window probe or connection retry. */
    uint64_t timer_at; /* 0: none */
    uint64_t rto;
    unsigned timeouts; /* expiries in a row */

    struct simtcp_counts counts;
};

struct simtcp_host {
    struct miou_sim_link *link;
    uint8_t mac[ETH_ALEN];
    uint32_t ip, target;
    int v6; /* IPv6 (simtcp_host_ipv6()): ip6 and target6 instead */
    uint8_t ip6[16], target6[16];
    const struct simtcp_ops *ops;
    void *app;
    struct responder self; /* ARP and ping for our address */
    struct simtcp *conns;
    uint16_t next_port;
    uint16_t ip_id;
    uint64_t errors;
    int overrun;  /* simtcp_host_overrun() */
    uint8_t *out; /* one frame being built */
};

#define IPV6_HLEN 40
#define ETHERTYPE_IPV6 0x86dd
#define IPPROTO_ICMPV6_ 58
/* Our segment size over IPv6: the MTU less 40 bytes of IPv6 header. */
#define OUR_MSS6 1440
#define OUT_SIZE (ETH_HLEN + IPV6_HLEN + TCP_HLEN + 4 + OUR_MSS + ETH_ZLEN)

/* ---- Sequence numbers -----------------------------------------------------
 */

static int seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}
static int seq_leq(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}
static int seq_gt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

/* ---- Checksums ------------------------------------------------------------
 */

/* The TCP checksum over the pseudo-header and the (len) bytes of segment
 * (tcp), its checksum field as it is. */
static uint16_t tcp_checksum(uint32_t src, uint32_t dst, const uint8_t *tcp,
                             size_t len)
{
    uint8_t pseudo[12];

    net_put32(pseudo, src);
    net_put32(pseudo + 4, dst);
    pseudo[8] = 0;
    pseudo[9] = IPPROTO_TCP_;
    net_put16(pseudo + 10, (uint16_t)len);
    return inet_fold(inet_sum(inet_sum(0, pseudo, sizeof pseudo), tcp, len));
}

/* The same over IPv6's pseudo-header (RFC 8200 8.1), for (proto). */
static uint16_t checksum6(const uint8_t *src, const uint8_t *dst, uint8_t proto,
                          const uint8_t *data, size_t len)
{
    uint8_t pseudo[40] = {0};

    memcpy(pseudo, src, 16);
    memcpy(pseudo + 16, dst, 16);
    net_put32(pseudo + 32, (uint32_t)len);
    pseudo[39] = proto;
    return inet_fold(inet_sum(inet_sum(0, pseudo, sizeof pseudo), data, len));
}

/* An IPv6 header at (ip): (payload) bytes of (proto), (hops) left, from
 * (src) to (dst). */
static void ipv6_header(uint8_t *ip, uint8_t proto, uint8_t hops,
                        size_t payload, const uint8_t *src, const uint8_t *dst)
{
    ip[0] = 0x60;
    ip[1] = ip[2] = ip[3] = 0;
    net_put16(ip + 4, (uint16_t)payload);
    ip[6] = proto;
    ip[7] = hops;
    memcpy(ip + 8, src, 16);
    memcpy(ip + 24, dst, 16);
}

/* The IP header of a packet of (payload) bytes of (proto) from us to the
 * unikernel at (ip); returns its length. */
static size_t ip_header(struct simtcp_host *h, uint8_t *ip, uint8_t proto,
                        size_t payload)
{
    if (h->v6) {
        ipv6_header(ip, proto, 64, payload, h->ip6, h->target6);
        return IPV6_HLEN;
    }
    ip[0] = 0x45;
    ip[1] = 0;
    net_put16(ip + 2, (uint16_t)(IPV4_HLEN + payload));
    net_put16(ip + 4, h->ip_id++);
    net_put16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = 64;
    ip[9] = proto;
    net_put16(ip + 10, 0);
    net_put32(ip + 12, h->ip);
    net_put32(ip + 16, h->target);
    net_put16(ip + 10, inet_checksum(ip, IPV4_HLEN));
    return IPV4_HLEN;
}

/* The TCP checksum of a segment between us and the unikernel, (from_us)
 * or from it. */
static uint16_t segment_checksum(const struct simtcp_host *h, int from_us,
                                 const uint8_t *tcp, size_t len)
{
    if (h->v6)
        return checksum6(from_us ? h->ip6 : h->target6,
                         from_us ? h->target6 : h->ip6, IPPROTO_TCP_, tcp, len);
    return from_us ? tcp_checksum(h->ip, h->target, tcp, len)
                   : tcp_checksum(h->target, h->ip, tcp, len);
}

/* ---- Output ---------------------------------------------------------------
 */

/* Send one segment of (c): (flags), sequence number (seq), (len) bytes of
 * (data), with our MSS option on a SYN. */
static void send_segment(struct simtcp *c, uint8_t flags, uint32_t seq,
                         const uint8_t *data, size_t len)
{
    struct simtcp_host *h = c->host;
    uint8_t *f = h->out, *ip = f + ETH_HLEN;
    size_t opt = flags & TCP_SYN ? 4 : 0;
    size_t tcp_len = TCP_HLEN + opt + len;

    memcpy(f, miou_sim_link_mac(h->link), ETH_ALEN);
    memcpy(f + ETH_ALEN, h->mac, ETH_ALEN);
    net_put16(f + 12, h->v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
    uint8_t *tcp = ip + ip_header(h, ip, IPPROTO_TCP_, tcp_len);
    size_t frame = (size_t)(tcp - f) + tcp_len;

    net_put16(tcp, c->local_port);
    net_put16(tcp + 2, c->remote_port);
    net_put32(tcp + 4, seq);
    net_put32(tcp + 8, flags & TCP_ACK ? c->rcv_nxt : 0);
    tcp[12] = (uint8_t)((TCP_HLEN + opt) / 4 << 4);
    tcp[13] = flags;
    net_put16(tcp + 14, OUR_WINDOW);
    net_put16(tcp + 16, 0);
    net_put16(tcp + 18, 0);
    if (opt) {
        tcp[20] = 2; /* MSS */
        tcp[21] = 4;
        net_put16(tcp + 22, h->v6 ? OUR_MSS6 : OUR_MSS);
    }
    if (len > 0)
        memcpy(tcp + TCP_HLEN + opt, data, len);
    net_put16(tcp + 16, segment_checksum(h, 1, tcp, tcp_len));

    if (frame < ETH_ZLEN) {
        memset(f + frame, 0, ETH_ZLEN - frame);
        frame = ETH_ZLEN;
    }
    miou_sim_link_send(h->link, f, frame);
    c->counts.segments_out++;
}

static void send_ack(struct simtcp *c)
{
    send_segment(c, TCP_ACK, c->snd_nxt, NULL, 0);
}

/* ---- Timer ----------------------------------------------------------------
 */

/* Ask the link for a wakeup at the earliest timer of any connection. */
static void host_arm(struct simtcp_host *h)
{
    uint64_t at = 0;
    struct simtcp *c;

    for (c = h->conns; c != NULL; c = c->next)
        if (c->timer_at != 0 && (at == 0 || c->timer_at < at))
            at = c->timer_at;
    if (at != 0)
        miou_sim_link_wakeup(h->link, at);
}

static void timer_start(struct simtcp *c)
{
    c->timer_at = miou_sim_now() + c->rto;
}

static void fail(struct simtcp *c, const char *why)
{
    c->state = FAILED;
    c->failure = why;
    c->timer_at = 0;
}

/* ---- Connecting -----------------------------------------------------------
 */

/* A new attempt: a fresh port and initial sequence number, then the SYN. */
static void attempt(struct simtcp *c)
{
    struct simtcp_host *h = c->host;

    if (c->fixed_port) {
        c->local_port = c->fixed_port;
    } else {
        c->local_port = h->next_port++;
        if (h->next_port < FIRST_PORT)
            h->next_port = FIRST_PORT;
    }
    c->iss = (uint32_t)miou_sim_random();
    c->snd_una = c->snd_nxt = c->snd_max = c->iss;
    c->state = SYN_SENT;
    c->rto = RTO_FIRST;
    c->timeouts = 0;
    send_segment(c, TCP_SYN, c->iss, NULL, 0);
    c->snd_nxt = c->snd_max = c->iss + 1;
    timer_start(c);
}

/* The unikernel's SYN-ACK: read its MSS option, if any. */
static uint32_t parse_mss(const uint8_t *tcp, size_t hlen)
{
    size_t i = TCP_HLEN;

    while (i < hlen) {
        uint8_t kind = tcp[i];

        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= hlen || tcp[i + 1] < 2 || i + tcp[i + 1] > hlen)
            break;
        if (kind == 2 && tcp[i + 1] == 4) {
            uint32_t mss = net_get16(tcp + i + 2);
            return mss == 0 ? DEFAULT_MSS : mss > OUR_MSS ? OUR_MSS : mss;
        }
        i += tcp[i + 1];
    }
    return DEFAULT_MSS;
}

/* ---- Sending --------------------------------------------------------------
 */

/* Bytes of the queue from sequence number (seq) on. */
static const uint8_t *queue_at(const struct simtcp *c, uint32_t seq)
{
    return c->queue + c->queue_head + (seq - c->snd_una);
}

/* Data bytes queued beyond (seq). */
static size_t unsent_from(const struct simtcp *c, uint32_t seq)
{
    size_t off = seq - c->snd_una;

    return off < c->queue_len ? c->queue_len - off : 0;
}

/* Send the segment at snd_nxt: up to (limit) data bytes, or our FIN when
 * the data is all sent. Returns whether it sent anything. */
static int send_next(struct simtcp *c, size_t limit)
{
    size_t n = unsent_from(c, c->snd_nxt);

    if (n > c->mss)
        n = c->mss;
    if (n > limit)
        n = limit;
    if (n > 0) {
        int last = unsent_from(c, c->snd_nxt) == n;

        if (seq_lt(c->snd_nxt, c->snd_max))
            c->counts.retransmits++;
        send_segment(c, TCP_ACK | (last ? TCP_PSH : 0), c->snd_nxt,
                     queue_at(c, c->snd_nxt), n);
        c->snd_nxt += (uint32_t)n;
    } else if (c->shutdown && c->snd_nxt == c->fin_seq &&
               unsent_from(c, c->snd_nxt) == 0) {
        if (seq_lt(c->snd_nxt, c->snd_max))
            c->counts.retransmits++;
        send_segment(c, TCP_ACK | TCP_FIN, c->snd_nxt, NULL, 0);
        c->snd_nxt++;
    } else {
        return 0;
    }
    if (seq_gt(c->snd_nxt, c->snd_max))
        c->snd_max = c->snd_nxt;
    if (c->timer_at == 0)
        timer_start(c);
    return 1;
}

/* Send what the unikernel's window allows. A closed window with data
 * waiting keeps the timer running: its expiry sends a probe. */
static void try_send(struct simtcp *c)
{
    for (;;) {
        /* The window's right edge counts from the ACK that announced it
         * (wl2), which may be older than snd_una: an ACK that moves
         * snd_una without a newer window (a retransmission of the
         * unikernel's carries an old sequence number) does not move the
         * edge. A host that overruns counts from snd_una instead. */
        uint32_t edge = (c->host->overrun ? c->snd_una : c->wl2) + c->snd_wnd;
        size_t room = seq_gt(edge, c->snd_nxt) ? edge - c->snd_nxt : 0;

        if (room == 0 && unsent_from(c, c->snd_nxt) > 0) {
            if (c->timer_at == 0)
                timer_start(c);
            return;
        }
        if (!send_next(c, room))
            return;
    }
}

/* ---- Receiving ------------------------------------------------------------
 */

static void deliver(struct simtcp *c, const uint8_t *data, size_t len)
{
    struct simtcp_host *h = c->host;

    c->rcv_nxt += (uint32_t)len;
    if (h->ops->received != NULL && len > 0)
        h->ops->received(h->app, c, data, len);
}

/* Keep a segment that came ahead of rcv_nxt, unless one with the same
 * start is kept already or the store is full (it will come again). */
static void ooo_keep(struct simtcp *c, uint32_t seq, const uint8_t *data,
                     size_t len)
{
    struct ooo_segment *s;
    unsigned i;

    for (i = 0; i < c->nooo; i++)
        if (c->ooo[i].seq == seq && c->ooo[i].len >= len)
            return;
    if (c->nooo == OOO_MAX)
        return;
    s = &c->ooo[c->nooo];
    s->data = malloc(len);
    if (s->data == NULL)
        return;
    memcpy(s->data, data, len);
    s->seq = seq;
    s->len = (uint32_t)len;
    c->nooo++;
}

/* Deliver the kept segments that now continue the stream, and drop those
 * wholly received. */
static void ooo_drain(struct simtcp *c)
{
    int progress = 1;

    while (progress) {
        unsigned i;

        progress = 0;
        for (i = 0; i < c->nooo; i++) {
            struct ooo_segment *s = &c->ooo[i];
            uint32_t end = s->seq + s->len;

            if (seq_leq(end, c->rcv_nxt)) {
                /* Already had. */
            } else if (seq_leq(s->seq, c->rcv_nxt)) {
                uint32_t skip = c->rcv_nxt - s->seq;

                deliver(c, s->data + skip, s->len - skip);
            } else {
                continue;
            }
            free(s->data);
            *s = c->ooo[--c->nooo];
            progress = 1;
            break;
        }
    }
}

/* The acknowledgement field of a segment in a synchronized state. */
static void on_ack(struct simtcp *c, uint32_t ack, uint32_t seq, uint32_t wnd,
                   size_t len, int fin)
{
    struct simtcp_host *h = c->host;

    if (seq_gt(ack, c->snd_max))
        return; /* acknowledges what we never sent: ignore */
    if (seq_gt(ack, c->snd_una)) {
        uint32_t data_end = c->snd_una + (uint32_t)c->queue_len;
        uint32_t acked_to = seq_gt(ack, data_end) ? data_end : ack;
        size_t acked = acked_to - c->snd_una;

        c->queue_head = c->queue_len == acked ? 0 : c->queue_head + acked;
        c->queue_len -= acked;
        c->snd_una = ack;
        if (seq_lt(c->snd_nxt, c->snd_una))
            c->snd_nxt = c->snd_una;
        if (c->shutdown && seq_gt(ack, c->fin_seq))
            c->fin_acked = 1;
        c->dupacks = 0;
        c->timeouts = 0;
        c->rto = RTO_FIRST;
        c->timer_at = 0;
        if (c->snd_una != c->snd_max)
            timer_start(c);
        if (h->ops->sent != NULL)
            h->ops->sent(h->app, c);
    } else if (ack == c->snd_una && len == 0 && !fin &&
               c->snd_una != c->snd_max && wnd == c->snd_wnd) {
        /* Three duplicate ACKs: the segment at snd_una is lost. */
        if (++c->dupacks == 3) {
            uint32_t nxt = c->snd_nxt;

            c->snd_nxt = c->snd_una;
            send_next(c, c->mss);
            c->snd_nxt = nxt;
        }
    }
    /* The window, from the most recent segment (RFC 9293's SND.WL1/WL2):
     * an old segment, reordered, must not shrink it back. */
    if (seq_gt(seq, c->wl1) || (seq == c->wl1 && seq_leq(c->wl2, ack))) {
        c->snd_wnd = wnd;
        c->wl1 = seq;
        c->wl2 = ack;
    }
}

static void on_segment(struct simtcp *c, const uint8_t *tcp, size_t hlen,
                       const uint8_t *data, size_t len)
{
    struct simtcp_host *h = c->host;
    uint32_t seq = net_get32(tcp + 4), ack = net_get32(tcp + 8);
    uint8_t flags = tcp[13];
    uint32_t wnd = net_get16(tcp + 14);

    c->counts.segments_in++;
    if (c->state == SYN_SENT) {
        if ((flags & TCP_RST) && (flags & TCP_ACK) && ack == c->iss + 1) {
            /* Nobody listens yet: try again a little later. */
            c->counts.refused++;
            if (miou_sim_now() >= c->retry_until) {
                fail(c, "connection refused");
            } else {
                c->retry = 1;
                c->timer_at = miou_sim_now() + RETRY_GAP;
            }
            return;
        }
        if ((flags & TCP_ACK) && !(flags & TCP_RST) && ack != c->iss + 1) {
            /* An ACK for another connection on this port pair (the
             * server's TIME-WAIT of an earlier one): RFC 9293 3.10.7.3,
             * a reset <SEQ=SEG.ACK>, as Linux sends; the SYN goes again
             * at its timer. */
            send_segment(c, TCP_RST, ack, NULL, 0);
            return;
        }
        if ((flags & (TCP_SYN | TCP_ACK)) != (TCP_SYN | TCP_ACK) ||
            (flags & TCP_RST) || ack != c->iss + 1)
            return;
        c->irs = seq;
        c->rcv_nxt = seq + 1;
        c->snd_una = ack;
        c->snd_wnd = wnd;
        c->wl1 = seq;
        c->wl2 = ack;
        c->mss = parse_mss(tcp, hlen);
        c->state = ESTABLISHED;
        c->counts.connected_ns = miou_sim_now() - c->started_ns;
        c->timer_at = 0;
        c->rto = RTO_FIRST;
        c->timeouts = 0;
        send_ack(c);
        if (h->ops->connected != NULL)
            h->ops->connected(h->app, c);
        try_send(c);
        return;
    }
    if (c->state == FAILED)
        return;
    if ((flags & TCP_RST) && c->state == DONE)
        return; /* lwIP's answer to a duplicate of our last ACK, which
                   came after it freed the connection */
    if (flags & TCP_RST) {
        /* A reset for this connection (its sequence number in our window:
         * a stray one from a duplicate is not). */
        if (seq_leq(c->rcv_nxt, seq) && seq_lt(seq, c->rcv_nxt + OUR_WINDOW))
            fail(c, "reset by the unikernel");
        return;
    }
    if (flags & TCP_SYN) {
        /* Our handshake ACK was lost: the SYN-ACK came again. */
        if (seq == c->irs)
            send_ack(c);
        return;
    }
    if (!(flags & TCP_ACK))
        return;
    on_ack(c, ack, seq, wnd, len, flags & TCP_FIN);

    if (len > 0 || (flags & TCP_FIN)) {
        uint32_t end = seq + (uint32_t)len;

        if (len > 0) {
            if (seq == c->rcv_nxt) {
                deliver(c, data, len);
                ooo_drain(c);
            } else if (seq_lt(seq, c->rcv_nxt) && seq_gt(end, c->rcv_nxt)) {
                uint32_t skip = c->rcv_nxt - seq;

                deliver(c, data + skip, len - skip);
                ooo_drain(c);
            } else if (seq_gt(seq, c->rcv_nxt)) {
                c->counts.out_of_order++;
                if (seq_lt(seq, c->rcv_nxt + OUR_WINDOW))
                    ooo_keep(c, seq, data, len);
            } else {
                c->counts.duplicates++;
            }
        }
        /* A FIN ahead of missing bytes is kept, as the bytes are, to be
         * taken once they have come. */
        if ((flags & TCP_FIN) && seq_gt(end, c->rcv_nxt) &&
            seq_lt(end, c->rcv_nxt + OUR_WINDOW)) {
            c->fin_ahead = 1;
            c->fin_seq_in = end;
        }
        if (c->fin_ahead && c->fin_seq_in == c->rcv_nxt)
            flags |= TCP_FIN, end = c->rcv_nxt;
        if ((flags & TCP_FIN) && end == c->rcv_nxt && !c->fin_received) {
            c->fin_received = 1;
            c->rcv_nxt++;
            if (h->ops->eof != NULL)
                h->ops->eof(h->app, c);
        }
        /* Every segment with data or a FIN gets its ACK at once, the
         * duplicate ACK of an out-of-order one included. */
        send_ack(c);
    }
    if (c->state == DONE)
        return; /* a FIN sent again: acknowledged above */
    if (c->fin_received && c->fin_acked && c->queue_len == 0) {
        /* Finished; stays to acknowledge a FIN sent again. */
        c->state = DONE;
        c->counts.finished_ns = miou_sim_now();
        c->timer_at = 0;
        if (h->ops->finished != NULL)
            h->ops->finished(h->app, c);
        return;
    }
    try_send(c);
}

/* ---- The timer's expiry ---------------------------------------------------
 */

static void on_timer(struct simtcp *c)
{
    c->timer_at = 0;
    if (c->state == SYN_SENT) {
        if (c->retry) {
            c->retry = 0;
            attempt(c);
            return;
        }
        if (++c->timeouts > MAX_TIMEOUTS) {
            fail(c, "no answer to SYN");
            return;
        }
        c->counts.timeouts++;
        c->counts.retransmits++;
        send_segment(c, TCP_SYN, c->iss, NULL, 0);
        c->rto = c->rto * 2 > RTO_MAX ? RTO_MAX : c->rto * 2;
        timer_start(c);
        return;
    }
    if (c->state != ESTABLISHED)
        return;
    if (++c->timeouts > MAX_TIMEOUTS) {
        fail(c, "no acknowledgement after 20 retransmissions");
        return;
    }
    c->counts.timeouts++;
    c->rto = c->rto * 2 > RTO_MAX ? RTO_MAX : c->rto * 2;
    /* Go back to the first byte not acknowledged. When the window is
     * closed, this sends one segment anyway: the probe that learns when
     * it opens. */
    c->snd_nxt = c->snd_una;
    c->dupacks = 0;
    if (!send_next(c, c->snd_wnd > 0 ? c->mss : 1))
        return;
    try_send(c);
}

/* ---- The host -------------------------------------------------------------
 */

struct simtcp_host *simtcp_host_open(struct miou_sim_link *link,
                                     const uint8_t mac[ETH_ALEN], uint32_t ip,
                                     uint32_t target,
                                     const struct simtcp_ops *ops, void *app)
{
    struct simtcp_host *h = calloc(1, sizeof *h);

    if (h == NULL)
        return NULL;
    h->out = malloc(OUT_SIZE);
    if (h->out == NULL) {
        free(h);
        return NULL;
    }
    h->link = link;
    memcpy(h->mac, mac, ETH_ALEN);
    h->ip = ip;
    h->target = target;
    h->ops = ops;
    h->app = app;
    h->next_port = FIRST_PORT;
    responder_init(&h->self, mac, ip);
    return h;
}

void simtcp_host_close(struct simtcp_host *h)
{
    struct simtcp *c, *next;
    unsigned i;

    if (h == NULL)
        return;
    for (c = h->conns; c != NULL; c = next) {
        next = c->next;
        for (i = 0; i < c->nooo; i++)
            free(c->ooo[i].data);
        free(c->queue);
        free(c);
    }
    free(h->out);
    free(h);
}

void simtcp_host_overrun(struct simtcp_host *h, int on)
{
    h->overrun = on;
}

void simtcp_host_ipv6(struct simtcp_host *h, const uint8_t ip[16],
                      const uint8_t target[16])
{
    h->v6 = 1;
    memcpy(h->ip6, ip, 16);
    memcpy(h->target6, target, 16);
}

uint64_t simtcp_host_errors(const struct simtcp_host *h)
{
    return h->errors;
}

/* A TCP segment (tcp) of (tcp_len) bytes from the unikernel, its IP
 * header checked: to its connection. */
static void tcp_in(struct simtcp_host *h, const uint8_t *tcp, size_t tcp_len)
{
    struct simtcp *c;
    uint16_t sport, dport;
    size_t hlen;

    if (tcp_len < TCP_HLEN) {
        h->errors++;
        return;
    }
    hlen = (size_t)(tcp[12] >> 4) * 4;
    if (hlen < TCP_HLEN || hlen > tcp_len ||
        segment_checksum(h, 0, tcp, tcp_len) != 0) {
        h->errors++;
        return;
    }
    sport = net_get16(tcp);
    dport = net_get16(tcp + 2);
    /* The connection of the port pair still under way, else one that is
     * over (a client bound to a port has had several on it). */
    struct simtcp *over = NULL;
    for (c = h->conns; c != NULL; c = c->next) {
        if (c->local_port != dport || c->remote_port != sport)
            continue;
        if (c->state != DONE && c->state != FAILED)
            break;
        over = c;
    }
    if (c == NULL)
        c = over;
    if (c == NULL) {
        /* A late answer to an attempt that was refused and replaced is
         * expected; anything else is not. */
        if (!(tcp[13] & TCP_RST))
            h->errors += dport >= h->next_port || dport < FIRST_PORT;
        return;
    }
    on_segment(c, tcp, hlen, tcp + hlen, tcp_len - hlen);
    host_arm(h);
}

/* A neighbour solicitation for our IPv6 address: the advertisement that
 * answers it (RFC 4861 4.4), solicited, with our MAC. */
static void advertise(struct simtcp_host *h, const uint8_t *frame,
                      const uint8_t *ip)
{
    uint8_t *f = h->out, *out = f + ETH_HLEN, *na = out + IPV6_HLEN;
    const size_t len = 32; /* the message and its link-layer option */

    memcpy(f, frame + ETH_ALEN, ETH_ALEN);
    memcpy(f + ETH_ALEN, h->mac, ETH_ALEN);
    net_put16(f + 12, ETHERTYPE_IPV6);
    ipv6_header(out, IPPROTO_ICMPV6_, 255, len, h->ip6,
                ip + 8); /* to the asker */
    memset(na, 0, len);
    na[0] = 136;
    na[4] = 0x60; /* solicited, override */
    memcpy(na + 8, h->ip6, 16);
    na[24] = 2; /* the target's link-layer address */
    na[25] = 1;
    memcpy(na + 26, h->mac, ETH_ALEN);
    net_put16(na + 2, checksum6(out + 8, out + 24, IPPROTO_ICMPV6_, na, len));
    miou_sim_link_send(h->link, f, ETH_HLEN + IPV6_HLEN + len);
}

/* An IPv6 frame: neighbour solicitations for us answered, our TCP
 * segments taken; the rest (router and duplicate address solicitations,
 * MLD reports, another host's traffic) is none of ours. */
static void receive6(struct simtcp_host *h, const uint8_t *frame, size_t len)
{
    static const uint8_t unspecified[16];
    const uint8_t *ip = frame + ETH_HLEN, *l4 = ip + IPV6_HLEN;
    size_t plen;

    if (len < ETH_HLEN + IPV6_HLEN || (ip[0] >> 4) != 6 ||
        (plen = net_get16(ip + 4)) > len - ETH_HLEN - IPV6_HLEN) {
        h->errors++;
        return;
    }
    if (ip[6] == IPPROTO_ICMPV6_ && plen >= 24 && l4[0] == 135 &&
        memcmp(l4 + 8, h->ip6, 16) == 0 &&
        memcmp(ip + 8, unspecified, 16) != 0) {
        if (checksum6(ip + 8, ip + 24, IPPROTO_ICMPV6_, l4, plen) != 0)
            h->errors++;
        else
            advertise(h, frame, ip);
        return;
    }
    if (ip[6] != IPPROTO_TCP_ || memcmp(ip + 24, h->ip6, 16) != 0 ||
        memcmp(frame, h->mac, ETH_ALEN) != 0)
        return;
    if (memcmp(ip + 8, h->target6, 16) != 0) {
        h->errors++; /* a stranger */
        return;
    }
    tcp_in(h, l4, plen);
}

void simtcp_host_receive(struct simtcp_host *h, const uint8_t *frame,
                         size_t len)
{
    const uint8_t *ip;
    size_t ihl, total;
    size_t n;

    if (h->v6) {
        if (len >= ETH_HLEN && net_get16(frame + 12) == ETHERTYPE_IPV6)
            receive6(h, frame, len);
        return;
    }
    /* ARP and ping for us first: the unikernel resolves us before its
     * first segment. */
    n = answer_frame(&h->self, frame, len, h->out, OUT_SIZE);
    if (n > 0) {
        miou_sim_link_send(h->link, h->out, n);
        return;
    }
    if (len < ETH_HLEN + IPV4_HLEN || net_get16(frame + 12) != ETHERTYPE_IPV4)
        return; /* ARP traffic not for us, and the like */
    if (memcmp(frame, h->mac, ETH_ALEN) != 0)
        return; /* broadcast, or for another host */
    ip = frame + ETH_HLEN;
    ihl = (size_t)(ip[0] & 0x0f) * 4;
    total = net_get16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < IPV4_HLEN || total < ihl ||
        total > len - ETH_HLEN || inet_checksum(ip, ihl) != 0) {
        h->errors++;
        return;
    }
    if (ip[9] != IPPROTO_TCP_ || net_get32(ip + 16) != h->ip)
        return; /* ping for us was answered above; the rest is not ours */
    if (net_get32(ip + 12) != h->target || (net_get16(ip + 6) & 0x3fff)) {
        h->errors++; /* a stranger, or a fragment: lwIP never fragments
                        a segment of at most the MSS we announced */
        return;
    }
    tcp_in(h, ip + ihl, total - ihl);
}

void simtcp_host_wakeup(struct simtcp_host *h)
{
    uint64_t now = miou_sim_now();
    struct simtcp *c;

    for (c = h->conns; c != NULL; c = c->next)
        if (c->timer_at != 0 && c->timer_at <= now)
            on_timer(c);
    host_arm(h);
}

/* ---- Connections ----------------------------------------------------------
 */

struct simtcp *simtcp_connect(struct simtcp_host *h, uint16_t port,
                              void *cookie)
{
    return simtcp_connect_from(h, 0, port, cookie);
}

struct simtcp *simtcp_connect_from(struct simtcp_host *h, uint16_t local_port,
                                   uint16_t port, void *cookie)
{
    struct simtcp *c = calloc(1, sizeof *c);
    struct simtcp **tail;

    if (c == NULL)
        return NULL;
    c->host = h;
    c->cookie = cookie;
    c->remote_port = port;
    c->mss = DEFAULT_MSS;
    c->retry_until = miou_sim_now() + RETRY_FOR;
    c->fixed_port = local_port;
    c->started_ns = miou_sim_now();
    /* At the end of the list, so that connections are served in the
     * order they were made: the run depends on nothing else. */
    for (tail = &h->conns; *tail != NULL; tail = &(*tail)->next)
        ;
    *tail = c;
    attempt(c);
    host_arm(h);
    return c;
}

void *simtcp_cookie(const struct simtcp *c)
{
    return c->cookie;
}

int simtcp_write(struct simtcp *c, const void *data, size_t len)
{
    if (c->shutdown)
        return -1;
    if (c->queue_head + c->queue_len + len > c->queue_size &&
        c->queue_head > 0) {
        memmove(c->queue, c->queue + c->queue_head, c->queue_len);
        c->queue_head = 0;
    }
    if (c->queue_len + len > c->queue_size) {
        size_t size = c->queue_size ? c->queue_size : 65536;
        uint8_t *q;

        while (size < c->queue_len + len)
            size *= 2;
        q = realloc(c->queue, size);
        if (q == NULL)
            return -1;
        c->queue = q;
        c->queue_size = size;
    }
    memcpy(c->queue + c->queue_head + c->queue_len, data, len);
    c->queue_len += len;
    if (c->state == ESTABLISHED) {
        try_send(c);
        host_arm(c->host);
    }
    return 0;
}

size_t simtcp_queued(const struct simtcp *c)
{
    return c->queue_len;
}

void simtcp_shutdown(struct simtcp *c)
{
    if (c->shutdown)
        return;
    c->shutdown = 1;
    c->fin_seq = c->snd_una + (uint32_t)c->queue_len;
    if (c->state == ESTABLISHED) {
        try_send(c);
        host_arm(c->host);
    }
}

int simtcp_finished(const struct simtcp *c)
{
    return c->state == DONE;
}

const char *simtcp_failure(const struct simtcp *c)
{
    return c->state == FAILED ? c->failure : NULL;
}

const struct simtcp_counts *simtcp_counts(const struct simtcp *c)
{
    return &c->counts;
}
