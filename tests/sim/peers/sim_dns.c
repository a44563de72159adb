/*
 * sim_dns.c - a DNS server for the sim platform's links (include/
 * miou_sim.h), which the resolver (src/tcpip/dns.c) meets under sim:
 *
 *   dns[:hostile]
 *       a server at 10.0.0.1, port 53, UDP over IPv4 (it answers ARP and
 *       ping for its address too), for the zone example.test:
 *         www.example.test    A 10.0.0.1 and AAAA fd00::1
 *         v4.example.test     A 10.0.0.1 (no AAAA)
 *         alias.example.test  CNAME www.example.test, with its records
 *         any other name in example.test: NXDOMAIN; other zones: REFUSED
 *       TTLs of 300 s. With "hostile", each answer comes after four that
 *       a resolver must drop: one with another ID, one whose record's name
 *       points at itself, one cut short inside a record, and one of
 *       random bytes (from the run's seed) after the right ID.
 *
 * It prints one line at the end, the queries it answered; its verdict is
 * good unless the unikernel sent it something malformed (a query that is
 * not one, a bad checksum). Registered by a constructor, as sim_peers.c
 * explains.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <miou_sim.h>

#include "../../../examples/lib/netstack.h"
#include "sim_peers.h"

#define SERVER_IP 0x0a000001u /* 10.0.0.1 */
#define UDP_HLEN 8
#define DNS_HLEN 12
#define IPPROTO_UDP_ 17
#define MSG_MAX 512
#define OUT_SIZE (ETH_HLEN + IPV4_HLEN + UDP_HLEN + MSG_MAX + ETH_ZLEN)

/* Locally administered, distinct from the other peers' (sim_peers.c). */
static const uint8_t dns_mac[ETH_ALEN] = {0x02, 0x70, 0x65, 0x65, 0x72, 0x04};

struct dns_server {
    struct miou_sim_link *link;
    struct responder self; /* ARP and ping for 10.0.0.1 */
    int hostile;
    uint64_t answered, malformed, hostile_sent;
    uint8_t out[OUT_SIZE];
};

/* ---- Answers --------------------------------------------------------------
 */

/* A record for the name at (owner) (a compression pointer). */
static size_t record(uint8_t *p, size_t owner, uint16_t type, const void *rd,
                     size_t len)
{
    net_put16(p, (uint16_t)(0xc000 | owner));
    net_put16(p + 2, type);
    net_put16(p + 4, 1);
    net_put32(p + 6, 300);
    net_put16(p + 10, (uint16_t)len);
    memcpy(p + 12, rd, len);
    return 12 + len;
}

/* Whether the query's name, (n) wire bytes at (q), is (label) then
 * example.test (any case). */
static int is_name(const uint8_t *q, size_t n, const char *label)
{
    static const char zone[] = "\7example\4test";
    size_t l = strlen(label);
    if (n != 1 + l + sizeof zone || q[0] != l)
        return 0;
    for (size_t i = 0; i < n - 1; i++) {
        uint8_t c = q[i], w = i == 0   ? (uint8_t)l
                              : i <= l ? (uint8_t)label[i - 1]
                                       : (uint8_t)zone[i - 1 - l];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c - 'A' + 'a');
        if (c != w)
            return 0;
    }
    return q[n - 1] == 0;
}

/* Whether the name is in example.test. */
static int in_zone(const uint8_t *q, size_t n)
{
    static const uint8_t zone[] = "\7example\4test";
    return n >= sizeof zone + 1 &&
           memcmp(q + n - sizeof zone, zone, sizeof zone) == 0;
}

/* The answer to the query (q), (len) bytes whose question ends at
 * (qend), its name (n) bytes, into (m); returns its length. */
static size_t answer(const uint8_t *q, size_t qend, size_t n, uint8_t *m)
{
    static const uint8_t a[4] = {10, 0, 0, 1};
    static const uint8_t six[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0,
                                    0,    0, 0, 0, 0, 0, 0, 1};
    const uint8_t *name = q + DNS_HLEN;
    uint16_t qtype = net_get16(q + qend - 4);
    size_t len = qend, owner = DNS_HLEN;
    unsigned count = 0, rcode = 0;
    memcpy(m, q, qend);
    m[2] = (uint8_t)(0x84 | (q[2] & 1)); /* QR, AA, RD as asked */
    if (!in_zone(name, n)) {
        rcode = 5; /* REFUSED */
    } else if (is_name(name, n, "alias")) {
        /* www, then the zone by a pointer into the question. */
        uint8_t target[6] = {3,   'w',  'w',
                             'w', 0xc0, (uint8_t)(DNS_HLEN + 1 + name[0])};
        len += record(m + len, owner, 5, target, sizeof target);
        owner = len - sizeof target;
        count++;
    } else if (!is_name(name, n, "www") && !is_name(name, n, "v4")) {
        rcode = 3; /* NXDOMAIN */
    }
    if (rcode == 0 && qtype == 1) {
        len += record(m + len, owner, 1, a, 4);
        count++;
    } else if (rcode == 0 && qtype == 28 && !is_name(name, n, "v4")) {
        len += record(m + len, owner, 28, six, 16);
        count++;
    }
    m[3] = (uint8_t)(0x80 | rcode);
    net_put16(m + 6, (uint16_t)count);
    net_put16(m + 8, 0);
    net_put16(m + 10, 0);
    return len;
}

/* ---- Frames ------------------------------------------------------------ */

/* Send (len) bytes of DNS message from port 53 to the unikernel at (mac),
 * (ip):(port). */
static void send_udp(struct dns_server *d, const uint8_t *mac, uint32_t ip,
                     uint16_t port, const uint8_t *msg, size_t len)
{
    uint8_t *f = d->out, *iph = f + ETH_HLEN, *udp = iph + IPV4_HLEN;
    uint8_t pseudo[12];
    size_t frame = ETH_HLEN + IPV4_HLEN + UDP_HLEN + len;
    memcpy(f, mac, ETH_ALEN);
    memcpy(f + ETH_ALEN, dns_mac, ETH_ALEN);
    net_put16(f + 12, ETHERTYPE_IPV4);
    memset(iph, 0, IPV4_HLEN);
    iph[0] = 0x45;
    net_put16(iph + 2, (uint16_t)(IPV4_HLEN + UDP_HLEN + len));
    iph[8] = 64;
    iph[9] = IPPROTO_UDP_;
    net_put32(iph + 12, SERVER_IP);
    net_put32(iph + 16, ip);
    net_put16(iph + 10, inet_checksum(iph, IPV4_HLEN));
    net_put16(udp, 53);
    net_put16(udp + 2, port);
    net_put16(udp + 4, (uint16_t)(UDP_HLEN + len));
    net_put16(udp + 6, 0);
    memcpy(udp + UDP_HLEN, msg, len);
    net_put32(pseudo, SERVER_IP);
    net_put32(pseudo + 4, ip);
    pseudo[8] = 0;
    pseudo[9] = IPPROTO_UDP_;
    net_put16(pseudo + 10, (uint16_t)(UDP_HLEN + len));
    uint16_t sum =
        inet_fold(inet_sum(inet_sum(0, pseudo, 12), udp, UDP_HLEN + len));
    net_put16(udp + 6, sum ? sum : 0xffff);
    if (frame < ETH_ZLEN) {
        memset(f + frame, 0, ETH_ZLEN - frame);
        frame = ETH_ZLEN;
    }
    miou_sim_link_send(d->link, f, frame);
}

/* Four answers to drop, then the right one (m, len), to the asker. */
static void send_hostile(struct dns_server *d, const uint8_t *mac, uint32_t ip,
                         uint16_t port, const uint8_t *m, size_t len,
                         size_t qend)
{
    uint8_t bad[MSG_MAX];
    memcpy(bad, m, len);
    bad[1] ^= 0x5a; /* another ID */
    send_udp(d, mac, ip, port, bad, len);
    memcpy(bad, m, len);
    if (len > qend + 1) {
        /* The first record's name points at itself. */
        net_put16(bad + qend, (uint16_t)(0xc000 | qend));
        send_udp(d, mac, ip, port, bad, len);
    }
    memcpy(bad, m, len);
    send_udp(d, mac, ip, port, bad, len > qend + 3 ? len - 3 : qend - 1);
    size_t junk = 2 + (size_t)(miou_sim_random() % (MSG_MAX - 2));
    for (size_t i = 2; i < junk; i++)
        bad[i] = (uint8_t)miou_sim_random();
    memcpy(bad, m, 2); /* the right ID */
    send_udp(d, mac, ip, port, bad, junk);
    d->hostile_sent += 4;
}

static void dns_receive(void *state, const uint8_t *frame, size_t len)
{
    struct dns_server *d = state;
    uint8_t m[MSG_MAX];
    size_t n = answer_frame(&d->self, frame, len, d->out, OUT_SIZE);
    if (n > 0) {
        miou_sim_link_send(d->link, d->out, n);
        return;
    }
    if (len < ETH_HLEN + IPV4_HLEN + UDP_HLEN ||
        net_get16(frame + 12) != ETHERTYPE_IPV4 ||
        memcmp(frame, dns_mac, ETH_ALEN) != 0)
        return; /* not for us */
    const uint8_t *ip = frame + ETH_HLEN;
    size_t ihl = (size_t)(ip[0] & 15) * 4, total = net_get16(ip + 2);
    if (ip[9] != IPPROTO_UDP_ || net_get32(ip + 16) != SERVER_IP)
        return;
    const uint8_t *udp = ip + ihl, *q = udp + UDP_HLEN;
    if (ihl < IPV4_HLEN || total > len - ETH_HLEN ||
        total < ihl + UDP_HLEN + DNS_HLEN || net_get16(udp + 2) != 53 ||
        net_get16(udp + 4) != total - ihl) {
        d->malformed++;
        return;
    }
    size_t qlen = total - ihl - UDP_HLEN, end = DNS_HLEN;
    /* A standard query of one question, its name plain labels. */
    while (end < qlen && q[end] && q[end] < 64)
        end += 1 + q[end];
    if ((q[2] & 0xf8) != 0 || net_get16(q + 4) != 1 || end >= qlen ||
        q[end] != 0 || end + 5 > qlen || end + 5 > 300) {
        d->malformed++;
        return;
    }
    size_t qend = end + 5;
    size_t alen = answer(q, qend, qend - 4 - DNS_HLEN, m);
    uint16_t port = net_get16(udp);
    if (d->hostile)
        send_hostile(d, frame + ETH_ALEN, net_get32(ip + 12), port, m, alen,
                     qend);
    send_udp(d, frame + ETH_ALEN, net_get32(ip + 12), port, m, alen);
    d->answered++;
}

static void *dns_open(struct miou_sim_link *link, const char *arg)
{
    if (arg && strcmp(arg, "hostile") != 0) {
        fprintf(stderr,
                "sim: peer dns on %s: bad argument '%s' (nothing, or "
                "hostile)\n",
                miou_sim_link_name(link), arg);
        return NULL;
    }
    struct dns_server *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    d->link = link;
    d->hostile = arg != NULL;
    responder_init(&d->self, dns_mac, SERVER_IP);
    return d;
}

static int dns_close(void *state)
{
    struct dns_server *d = state;
    fprintf(stderr,
            "sim: peer dns on %s: %llu queries answered, %llu hostile "
            "answers sent first, %llu malformed frames from the "
            "unikernel\n",
            miou_sim_link_name(d->link), (unsigned long long)d->answered,
            (unsigned long long)d->hostile_sent,
            (unsigned long long)(d->malformed + d->self.malformed));
    int bad = d->malformed + d->self.malformed > 0;
    free(d);
    return bad ? -1 : 0;
}

static const struct miou_sim_peer dns_peer = {
    .name = "dns",
    .open = dns_open,
    .receive = dns_receive,
    .close = dns_close,
};

__attribute__((constructor)) static void sim_dns_register(void)
{
    static const struct miou_sim_peer *const peers[] = {&dns_peer};

    sim_peers_register(peers, 1);
}
