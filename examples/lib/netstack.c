/*
 * netstack.c - Ethernet, ARP, IPv4 and ICMP echo on buffers (netstack.h).
 *
 * Every read of a frame is preceded by a check that the bytes are there:
 * the frame's length bounds the Ethernet payload, the IPv4 total length
 * bounds the ICMP message (frames may carry padding after it), and the
 * header length bounds the options. Writes are checked against out_size
 * before the first byte is written.
 */
#include <string.h>

#include "netstack.h"

#define ARP_HTYPE_ETHERNET 1
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2
#define IPPROTO_ICMP 1
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define IPV4_MAX_TOTAL 65535u
#define IPV4_MF_AND_OFFSET 0x3fffu /* "more fragments" and the offset */
#define DEFAULT_TTL 64

static const uint8_t broadcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};


/* A group address (multicast or broadcast): never the source of a frame
 * we may answer. */
static int is_group(const uint8_t mac[ETH_ALEN])
{
    return mac[0] & 1;
}

/* Whether the destination (dst) of a frame is (mac) or broadcast. */
static int to_us_or_all(const uint8_t *dst, const uint8_t mac[ETH_ALEN])
{
    return memcmp(dst, mac, ETH_ALEN) == 0 ||
           memcmp(dst, broadcast, ETH_ALEN) == 0;
}

int ipv4_parse(const char *s, size_t len, uint32_t *addr)
{
    uint32_t result = 0, part = 0;
    size_t i, digits = 0, parts = 0;

    if (s == NULL || addr == NULL)
        return -1;
    for (i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            if (digits == 0 || parts == 4)
                return -1;
            result = result << 8 | part;
            parts++;
            part = 0;
            digits = 0;
        } else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
            part = part * 10 + (uint32_t)(s[i] - '0');
            digits++;
            if (part > 255)
                return -1;
        } else {
            return -1;
        }
    }
    if (parts != 4)
        return -1;
    *addr = result;
    return 0;
}

/* Write (v), at most 255, in decimal at (p); returns the end. */
static char *put_decimal(char *p, unsigned v)
{
    if (v >= 100)
        *p++ = (char)('0' + v / 100);
    if (v >= 10)
        *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

char *ipv4_format(uint32_t addr, char *buf)
{
    char *p = buf;
    int i;

    for (i = 3; i >= 0; i--) {
        p = put_decimal(p, (addr >> (8 * i)) & 0xff);
        if (i > 0)
            *p++ = '.';
    }
    *p = '\0';
    return buf;
}

char *mac_format(const uint8_t mac[ETH_ALEN], char *buf)
{
    static const char hex[] = "0123456789abcdef";
    int i;

    for (i = 0; i < ETH_ALEN; i++) {
        buf[3 * i] = hex[mac[i] >> 4];
        buf[3 * i + 1] = hex[mac[i] & 0xf];
        buf[3 * i + 2] = i + 1 < ETH_ALEN ? ':' : '\0';
    }
    return buf;
}

uint64_t inet_sum(uint64_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    size_t i;

    /* 64 bits cannot overflow: a frame would need 2^48 bytes. */
    for (i = 0; i + 1 < len; i += 2)
        sum += net_get16(p + i);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

uint16_t inet_fold(uint64_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint16_t inet_checksum(const void *data, size_t len)
{
    return inet_fold(inet_sum(0, data, len));
}

void responder_init(struct responder *r, const uint8_t mac[ETH_ALEN],
                    uint32_t ip)
{
    memset(r, 0, sizeof *r);
    memcpy(r->mac, mac, ETH_ALEN);
    r->ip = ip;
}

/* What a frame calls for. */
enum verdict {
    ANSWER_ARP,  /* an ARP reply was built */
    ANSWER_ECHO, /* an echo reply was built */
    IGNORE,      /* well-formed, nothing to answer */
    MALFORMED,   /* the frame breaks a length or checksum rule */
    WELL_FORMED  /* a check passed: the caller goes on */
};

/* Write the Ethernet header of a frame to (dst) from (src). */
static void eth_header(uint8_t *out, const uint8_t *dst, const uint8_t *src,
                       uint16_t type)
{
    memcpy(out, dst, ETH_ALEN);
    memcpy(out + ETH_ALEN, src, ETH_ALEN);
    net_put16(out + 2 * ETH_ALEN, type);
}

/* Pad the frame of (n) bytes at (out) with zeros to the shortest length
 * on the wire, when (out_size) has room. */
static size_t pad(uint8_t *out, size_t n, size_t out_size)
{
    if (n < ETH_ZLEN && out_size >= ETH_ZLEN) {
        memset(out + n, 0, ETH_ZLEN - n);
        n = ETH_ZLEN;
    }
    return n;
}

/* Write an ARP packet for IPv4 over Ethernet at (p). */
static void arp_packet(uint8_t *p, uint16_t op, const uint8_t *sha,
                       uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
    net_put16(p, ARP_HTYPE_ETHERNET);
    net_put16(p + 2, ETHERTYPE_IPV4);
    p[4] = ETH_ALEN;
    p[5] = 4;
    net_put16(p + 6, op);
    memcpy(p + 8, sha, ETH_ALEN);
    net_put32(p + 14, spa);
    memcpy(p + 18, tha, ETH_ALEN);
    net_put32(p + 24, tpa);
}

/* The ARP packet of the frame (in) of (len) bytes, or NULL when the frame
 * is not a well-formed ARP packet for IPv4 over Ethernet (*v says why). */
static const uint8_t *arp_view(const uint8_t *in, size_t len, enum verdict *v)
{
    const uint8_t *a = in + ETH_HLEN;

    if (len < ARP_FRAME_LEN) {
        *v = MALFORMED;
        return NULL;
    }
    /* Another hardware or protocol type is not ours to answer. */
    if (net_get16(a) != ARP_HTYPE_ETHERNET ||
        net_get16(a + 2) != ETHERTYPE_IPV4) {
        *v = IGNORE;
        return NULL;
    }
    if (a[4] != ETH_ALEN || a[5] != 4) {
        *v = MALFORMED;
        return NULL;
    }
    return a;
}

static enum verdict answer_arp(const struct responder *r, const uint8_t *in,
                               size_t len, uint8_t *out, size_t out_size,
                               size_t *n)
{
    enum verdict v = IGNORE;
    const uint8_t *a;

    if (!to_us_or_all(in, r->mac))
        return IGNORE;
    a = arp_view(in, len, &v);
    if (a == NULL)
        return v;
    if (net_get16(a + 6) != ARP_OP_REQUEST || net_get32(a + 24) != r->ip ||
        is_group(a + 8) || is_group(in + ETH_ALEN))
        return IGNORE;
    if (out_size < ARP_FRAME_LEN)
        return IGNORE;
    eth_header(out, a + 8, r->mac, ETHERTYPE_ARP);
    arp_packet(out + ETH_HLEN, ARP_OP_REPLY, r->mac, r->ip, a + 8,
               net_get32(a + 14));
    *n = pad(out, ARP_FRAME_LEN, out_size);
    return ANSWER_ARP;
}

/* The IPv4 packet of a frame, once checked. */
struct ipv4_view {
    const uint8_t *ip;      /* its header */
    const uint8_t *payload; /* what follows the header and options */
    size_t payload_len;     /* from the total length, without padding */
    uint32_t src, dst;
    uint8_t proto;
};

/* Check the IPv4 packet of the frame (in) of (len) bytes, whose type is
 * IPv4: version, header length, total length, header checksum. Fragments
 * are ignored: echo requests that need reassembly are not answered. */
static enum verdict ipv4_view(const uint8_t *in, size_t len,
                              struct ipv4_view *v)
{
    const uint8_t *ip = in + ETH_HLEN;
    size_t avail, hlen, total;

    if (len < ETH_HLEN + IPV4_HLEN)
        return MALFORMED;
    avail = len - ETH_HLEN;
    hlen = (size_t)(ip[0] & 0x0f) * 4;
    total = net_get16(ip + 2);
    if (ip[0] >> 4 != 4 || hlen < IPV4_HLEN || hlen > avail || total < hlen ||
        total > avail)
        return MALFORMED;
    if (inet_checksum(ip, hlen) != 0)
        return MALFORMED;
    if (net_get16(ip + 6) & IPV4_MF_AND_OFFSET)
        return IGNORE;
    v->ip = ip;
    v->payload = ip + hlen;
    v->payload_len = total - hlen;
    v->src = net_get32(ip + 12);
    v->dst = net_get32(ip + 16);
    v->proto = ip[9];
    return WELL_FORMED;
}

/* Check the ICMP message of (v): at least an echo header, a correct
 * checksum. */
static enum verdict icmp_check(const struct ipv4_view *v)
{
    if (v->payload_len < ICMP_HLEN)
        return MALFORMED;
    if (inet_checksum(v->payload, v->payload_len) != 0)
        return MALFORMED;
    return WELL_FORMED;
}

/* Write an IPv4 header without options at (p) and the ICMP echo message
 * (type, id, seq, data) after it, with both checksums. */
static void echo_packet(uint8_t *p, uint8_t tos, uint16_t ip_id, uint8_t ttl,
                        uint32_t src, uint32_t dst, uint8_t type, uint16_t id,
                        uint16_t seq, const uint8_t *data, size_t data_len)
{
    uint8_t *icmp = p + IPV4_HLEN;

    p[0] = 0x45;
    p[1] = tos;
    net_put16(p + 2, (uint16_t)(IPV4_HLEN + ICMP_HLEN + data_len));
    net_put16(p + 4, ip_id);
    net_put16(p + 6, 0);
    p[8] = ttl;
    p[9] = IPPROTO_ICMP;
    net_put16(p + 10, 0);
    net_put32(p + 12, src);
    net_put32(p + 16, dst);
    net_put16(p + 10, inet_checksum(p, IPV4_HLEN));
    icmp[0] = type;
    icmp[1] = 0;
    net_put16(icmp + 2, 0);
    net_put16(icmp + 4, id);
    net_put16(icmp + 6, seq);
    if (data_len > 0)
        memcpy(icmp + ICMP_HLEN, data, data_len);
    net_put16(icmp + 2, inet_checksum(icmp, ICMP_HLEN + data_len));
}

static enum verdict answer_ipv4(const struct responder *r, const uint8_t *in,
                                size_t len, uint8_t *out, size_t out_size,
                                size_t *n)
{
    struct ipv4_view v;
    enum verdict verdict;
    const uint8_t *icmp;
    size_t reply_len;

    if (memcmp(in, r->mac, ETH_ALEN) != 0)
        return IGNORE;
    verdict = ipv4_view(in, len, &v);
    if (verdict != WELL_FORMED)
        return verdict;
    if (v.dst != r->ip || v.proto != IPPROTO_ICMP)
        return IGNORE;
    verdict = icmp_check(&v);
    if (verdict != WELL_FORMED)
        return verdict;
    icmp = v.payload;
    if (icmp[0] != ICMP_ECHO_REQUEST || icmp[1] != 0 || is_group(in + ETH_ALEN))
        return IGNORE;
    /* The reply drops the request's IP options: it may be shorter. */
    reply_len = ETH_HLEN + IPV4_HLEN + v.payload_len;
    if (out_size < reply_len)
        return IGNORE;
    eth_header(out, in + ETH_ALEN, r->mac, ETHERTYPE_IPV4);
    echo_packet(out + ETH_HLEN, v.ip[1], net_get16(v.ip + 4), DEFAULT_TTL,
                r->ip, v.src, ICMP_ECHO_REPLY, net_get16(icmp + 4),
                net_get16(icmp + 6), icmp + ICMP_HLEN,
                v.payload_len - ICMP_HLEN);
    *n = pad(out, reply_len, out_size);
    return ANSWER_ECHO;
}

size_t answer_frame(struct responder *r, const uint8_t *in, size_t len,
                    uint8_t *out, size_t out_size)
{
    enum verdict v = MALFORMED;
    size_t n = 0;

    if (out == NULL)
        out_size = 0;
    if (in != NULL && len >= ETH_HLEN) {
        switch (net_get16(in + 2 * ETH_ALEN)) {
        case ETHERTYPE_ARP:
            v = answer_arp(r, in, len, out, out_size, &n);
            break;
        case ETHERTYPE_IPV4:
            v = answer_ipv4(r, in, len, out, out_size, &n);
            break;
        default:
            v = IGNORE;
        }
    }
    switch (v) {
    case ANSWER_ARP:
        r->arp++;
        return n;
    case ANSWER_ECHO:
        r->echo++;
        return n;
    case MALFORMED:
        r->malformed++;
        return 0;
    case IGNORE:
    case WELL_FORMED:
        break;
    }
    r->ignored++;
    return 0;
}

size_t arp_request_build(uint8_t *out, size_t out_size,
                         const uint8_t mac[ETH_ALEN], uint32_t ip,
                         uint32_t target_ip)
{
    static const uint8_t unknown[ETH_ALEN];

    if (out == NULL || out_size < ETH_ZLEN)
        return 0;
    eth_header(out, broadcast, mac, ETHERTYPE_ARP);
    arp_packet(out + ETH_HLEN, ARP_OP_REQUEST, mac, ip, unknown, target_ip);
    return pad(out, ARP_FRAME_LEN, out_size);
}

int arp_reply_parse(const uint8_t *in, size_t len, const uint8_t mac[ETH_ALEN],
                    uint32_t from_ip, uint8_t from_mac[ETH_ALEN])
{
    enum verdict v;
    const uint8_t *a;

    if (in == NULL || len < ETH_HLEN ||
        net_get16(in + 2 * ETH_ALEN) != ETHERTYPE_ARP)
        return 0;
    if (!to_us_or_all(in, mac))
        return 0;
    a = arp_view(in, len, &v);
    if (a == NULL || net_get16(a + 6) != ARP_OP_REPLY ||
        net_get32(a + 14) != from_ip || is_group(a + 8))
        return 0;
    memcpy(from_mac, a + 8, ETH_ALEN);
    return 1;
}

size_t echo_request_build(uint8_t *out, size_t out_size,
                          const uint8_t mac[ETH_ALEN],
                          const uint8_t dst_mac[ETH_ALEN], const struct echo *e)
{
    size_t n;

    if (out == NULL || e->data_len > IPV4_MAX_TOTAL - IPV4_HLEN - ICMP_HLEN ||
        (e->data == NULL && e->data_len > 0))
        return 0;
    n = ECHO_FRAME_LEN(e->data_len);
    if (out_size < n)
        return 0;
    eth_header(out, dst_mac, mac, ETHERTYPE_IPV4);
    echo_packet(out + ETH_HLEN, 0, e->seq, e->ttl ? e->ttl : DEFAULT_TTL,
                e->src, e->dst, ICMP_ECHO_REQUEST, e->id, e->seq, e->data,
                e->data_len);
    return pad(out, n, out_size);
}

int echo_reply_parse(const uint8_t *in, size_t len, const uint8_t mac[ETH_ALEN],
                     uint32_t ip, struct echo *e)
{
    struct ipv4_view v;
    const uint8_t *icmp;

    if (in == NULL || len < ETH_HLEN ||
        net_get16(in + 2 * ETH_ALEN) != ETHERTYPE_IPV4 ||
        memcmp(in, mac, ETH_ALEN) != 0)
        return 0;
    if (ipv4_view(in, len, &v) != WELL_FORMED || v.dst != ip ||
        v.proto != IPPROTO_ICMP || icmp_check(&v) != WELL_FORMED)
        return 0;
    icmp = v.payload;
    if (icmp[0] != ICMP_ECHO_REPLY || icmp[1] != 0)
        return 0;
    e->src = v.src;
    e->dst = v.dst;
    e->id = net_get16(icmp + 4);
    e->seq = net_get16(icmp + 6);
    e->ttl = v.ip[8];
    e->data = icmp + ICMP_HLEN;
    e->data_len = v.payload_len - ICMP_HLEN;
    return 1;
}
