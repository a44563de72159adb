/*
 * fuzz_netstack.c - a libFuzzer target over examples/lib/netstack.c:
 * answer_frame(), arp_reply_parse(), echo_reply_parse() and ipv4_parse()
 * on any bytes, checking properties that must hold for every input:
 *
 *  - answer_frame() never writes past out_size (out is allocated with
 *    exactly that size, so AddressSanitizer sees any byte beyond), never
 *    returns more than out_size, and counts the frame in exactly one of
 *    the responder's counters; it returns a length iff it counted an
 *    answer;
 *  - it answers exactly the frames that a model written here from
 *    netstack.h says need an answer (ignored or malformed, the unit tests
 *    tell apart);
 *  - a reply comes from our MAC, never goes to a group MAC, and parses
 *    back: arp_reply_parse() finds our MAC in an ARP reply,
 *    echo_reply_parse() finds the request's id, seq and data in an echo
 *    reply;
 *  - with a smaller out, the answer is the same bytes (unpadded) or none,
 *    the frame then counted as ignored;
 *  - what arp_reply_parse() and echo_reply_parse() accept lies inside the
 *    frame, and is not something answer_frame() answers;
 *  - ipv4_parse() accepts what a model says is a dotted quad, with its
 *    value, which comes back the same from ipv4_format(); a refusal
 *    leaves the output alone.
 *
 * A broken property prints which one and aborts: libFuzzer saves the
 * input. The first byte of an input steers the target (fuzz_netstack.h):
 * it can make the target fix the checksums, which lets the fuzzer reach
 * past them. Build and run (scripts/test.sh does, bounded):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined tests/fuzz/fuzz_netstack.c \
 *       examples/lib/netstack.c -o build/fuzz/fuzz_netstack
 *   build/fuzz/fuzz_netstack CORPUS_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../examples/lib/netstack.h"
#include "fuzz_netstack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_netstack.c:%d: property failed: %s\n",       \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* Offsets in a frame. */
#define ETH_SRC 6
#define ETH_TYPE 12
#define ARP_HTYPE ETH_HLEN
#define ARP_PTYPE (ETH_HLEN + 2)
#define ARP_HLN (ETH_HLEN + 4)
#define ARP_PLN (ETH_HLEN + 5)
#define ARP_OP (ETH_HLEN + 6)
#define ARP_SHA (ETH_HLEN + 8)
#define ARP_TPA (ETH_HLEN + 24)
#define IP_VHL ETH_HLEN
#define IP_TOTAL (ETH_HLEN + 2)
#define IP_FRAG (ETH_HLEN + 6)
#define IP_PROTO (ETH_HLEN + 9)
#define IP_SUM (ETH_HLEN + 10)
#define IP_SRC (ETH_HLEN + 12)
#define IP_DST (ETH_HLEN + 16)

static const uint8_t broadcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};


/* The IPv4 header length of (f), or 0 when (f) is too short to hold it. */
static size_t ip_hlen(const uint8_t *f, size_t len)
{
    size_t hlen;
    if (len < ETH_HLEN + 1)
        return 0;
    hlen = (size_t)(f[ETH_HLEN] & 0x0f) * 4;
    return ETH_HLEN + hlen <= len ? hlen : 0;
}

/* The ICMP message of (f) as its total length says, or NULL when the
 * lengths do not fit in the frame (*icmp_len is then unset). */
static uint8_t *icmp_of(uint8_t *f, size_t len, size_t *icmp_len)
{
    size_t hlen = ip_hlen(f, len), total;
    if (hlen < IPV4_HLEN)
        return NULL;
    total = net_get16(f + IP_TOTAL);
    if (total < hlen + 4 || ETH_HLEN + total > len)
        return NULL;
    *icmp_len = total - hlen;
    return f + ETH_HLEN + hlen;
}

/* Make the checksums the control byte asks for right, where the lengths
 * allow it. */
static void fix_checksums(uint8_t *f, size_t len, uint8_t control)
{
    size_t hlen = ip_hlen(f, len), icmp_len;
    uint8_t *icmp;

    if ((control & FUZZ_FIX_ICMP) && (icmp = icmp_of(f, len, &icmp_len))) {
        net_put16(icmp + 2, 0);
        net_put16(icmp + 2, inet_checksum(icmp, icmp_len));
    }
    if ((control & FUZZ_FIX_IP) && hlen >= 12) {
        net_put16(f + IP_SUM, 0);
        net_put16(f + IP_SUM, inet_checksum(f + ETH_HLEN, hlen));
    }
}

/* ---- Models: what netstack.h promises, written independently. */

/* Whether (len) bytes at (p) hold a correct Internet checksum: their
 * 16-bit words (the last one padded with a zero) add up to ffff in one's
 * complement arithmetic. */
static int checksum_holds(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    size_t i;
    for (i = 0; i < len; i++) {
        sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
        if (sum > 0xffff)
            sum -= 0xffff; /* the end-around carry */
    }
    return sum == 0xffff;
}

enum answer { NO_ANSWER, ARP_REPLY, ECHO_REPLY };

/* What the responder at fuzz_mac, FUZZ_IP must answer to the frame (f) of
 * (len) bytes, given room for the reply. */
static enum answer model_answer(const uint8_t *f, size_t len)
{
    size_t hlen, total;

    if (len < ETH_HLEN)
        return NO_ANSWER;
    if (net_get16(f + ETH_TYPE) == ETHERTYPE_ARP) {
        /* A request for our address, about Ethernet and IPv4, sent to us
         * or to all, from a unicast address. */
        if (len < ARP_FRAME_LEN)
            return NO_ANSWER;
        if (memcmp(f, fuzz_mac, ETH_ALEN) != 0 &&
            memcmp(f, broadcast, ETH_ALEN) != 0)
            return NO_ANSWER;
        if (net_get16(f + ARP_HTYPE) != 1 ||
            net_get16(f + ARP_PTYPE) != 0x0800 || f[ARP_HLN] != 6 ||
            f[ARP_PLN] != 4 || net_get16(f + ARP_OP) != 1 ||
            net_get32(f + ARP_TPA) != FUZZ_IP)
            return NO_ANSWER;
        if ((f[ARP_SHA] & 1) || (f[ETH_SRC] & 1))
            return NO_ANSWER;
        return ARP_REPLY;
    }
    if (net_get16(f + ETH_TYPE) != ETHERTYPE_IPV4)
        return NO_ANSWER;
    /* An unfragmented IPv4 packet, within the frame, to our MAC and
     * address, from a unicast MAC, with correct checksums, carrying an
     * ICMP echo request. */
    if (len < ETH_HLEN + IPV4_HLEN || memcmp(f, fuzz_mac, ETH_ALEN) != 0 ||
        (f[ETH_SRC] & 1))
        return NO_ANSWER;
    hlen = (size_t)(f[IP_VHL] & 0x0f) * 4;
    total = net_get16(f + IP_TOTAL);
    if (f[IP_VHL] >> 4 != 4 || hlen < IPV4_HLEN || total < hlen + ICMP_HLEN ||
        ETH_HLEN + total > len)
        return NO_ANSWER;
    if (!checksum_holds(f + ETH_HLEN, hlen) ||
        (net_get16(f + IP_FRAG) & 0x3fff) != 0 || f[IP_PROTO] != 1 ||
        net_get32(f + IP_DST) != FUZZ_IP)
        return NO_ANSWER;
    if (!checksum_holds(f + ETH_HLEN + hlen, total - hlen) ||
        f[ETH_HLEN + hlen] != 8 || f[ETH_HLEN + hlen + 1] != 0)
        return NO_ANSWER;
    return ECHO_REPLY;
}

/* Whether (len) bytes at (s) are a dotted quad: four parts of one to three
 * decimal digits, each at most 255, between three dots; its value. */
static int model_ipv4(const uint8_t *s, size_t len, uint32_t *addr)
{
    uint32_t result = 0, part;
    size_t i = 0, start, k;

    for (k = 0; k < 4; k++) {
        start = i;
        part = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 4)
            part = part * 10 + (uint32_t)(s[i++] - '0');
        if (i == start || i - start > 3 || part > 255)
            return 0;
        result = result << 8 | part;
        if (k < 3) {
            if (i == len || s[i] != '.')
                return 0;
            i++;
        }
    }
    if (i != len)
        return 0;
    *addr = result;
    return 1;
}

/* ---- The properties. */

/* A fresh responder has counted one frame, in one counter. */
static void check_one_counter(const struct responder *r)
{
    REQUIRE(r->arp + r->echo + r->ignored + r->malformed == 1);
}

/* The reply (out, m) to the frame (in, len) parses back. */
static void check_reply(const struct responder *r, const uint8_t *in,
                        size_t len, const uint8_t *out, size_t m)
{
    uint8_t mac[ETH_ALEN];
    struct echo e;
    const uint8_t *icmp;
    size_t icmp_len = 0;

    REQUIRE(m >= ETH_HLEN);
    REQUIRE((out[0] & 1) == 0); /* never to a group MAC */
    REQUIRE(memcmp(out + ETH_SRC, fuzz_mac, ETH_ALEN) == 0);
    REQUIRE(m <= (len > ETH_ZLEN ? len : ETH_ZLEN));
    if (r->arp) {
        REQUIRE(len >= ARP_FRAME_LEN);
        REQUIRE(memcmp(out, in + ARP_SHA, ETH_ALEN) == 0);
        REQUIRE(arp_reply_parse(out, m, in + ARP_SHA, FUZZ_IP, mac) == 1);
        REQUIRE(memcmp(mac, fuzz_mac, ETH_ALEN) == 0);
        return;
    }
    REQUIRE(r->echo == 1);
    REQUIRE(memcmp(out, in + ETH_SRC, ETH_ALEN) == 0);
    icmp = icmp_of((uint8_t *)in, len, &icmp_len);
    REQUIRE(icmp != NULL && icmp_len >= ICMP_HLEN);
    REQUIRE(echo_reply_parse(out, m, in + ETH_SRC, net_get32(in + IP_SRC),
                             &e) == 1);
    REQUIRE(e.src == FUZZ_IP);
    REQUIRE(e.dst == net_get32(in + IP_SRC));
    REQUIRE(e.ttl == 64);
    REQUIRE(e.id == net_get16(icmp + 4));
    REQUIRE(e.seq == net_get16(icmp + 6));
    REQUIRE(e.data_len == icmp_len - ICMP_HLEN);
    REQUIRE(memcmp(e.data, icmp + ICMP_HLEN, e.data_len) == 0);
}

/* answer_frame() into an out of (out_size) bytes, allocated to the byte. */
static uint8_t *answer(struct responder *r, const uint8_t *in, size_t len,
                       size_t out_size, size_t *m)
{
    uint8_t *out = malloc(out_size ? out_size : 1);
    REQUIRE(out != NULL);
    responder_init(r, fuzz_mac, FUZZ_IP);
    *m = answer_frame(r, in, len, out_size ? out : NULL, out_size);
    REQUIRE(*m <= out_size);
    check_one_counter(r);
    REQUIRE((*m > 0) == (r->arp + r->echo == 1));
    return out;
}

static void fuzz_answer(const uint8_t *in, size_t len, unsigned k)
{
    struct responder r, r2;
    size_t size = len > ETH_ZLEN ? len : ETH_ZLEN, m, m2, small;
    uint8_t *out, *out2;
    enum answer expected = model_answer(in, len);

    /* Room for any reply: it is never longer than the request, padded. */
    out = answer(&r, in, len, size, &m);
    REQUIRE(r.arp == (expected == ARP_REPLY));
    REQUIRE(r.echo == (expected == ECHO_REPLY));
    if (m > 0) {
        REQUIRE(m >= ETH_ZLEN); /* padded: there was room */
        check_reply(&r, in, len, out, m);
    }
    /* Again into less room: just below the reply's length (k below 32:
     * 1 to 32 bytes less), or a fraction of it. */
    if (k < 32)
        small = m > k ? m - 1 - k : 0;
    else
        small = (m > 0 ? m : size) * (k - 32) / 32;
    out2 = answer(&r2, in, len, small, &m2);
    if (m == 0) {
        REQUIRE(m2 == 0);
        REQUIRE(r2.ignored == r.ignored && r2.malformed == r.malformed);
    } else if (m2 == 0) {
        REQUIRE(r2.ignored == 1);
    } else {
        REQUIRE(r2.arp == r.arp && r2.echo == r.echo);
        REQUIRE(m2 == m || (m == ETH_ZLEN && small < ETH_ZLEN));
        REQUIRE(memcmp(out2, out, m2) == 0);
    }
    free(out2);
    free(out);
}

static void fuzz_parsers(const uint8_t *in, size_t len)
{
    struct responder r;
    uint8_t mac[ETH_ALEN], reply[ETH_ZLEN];
    struct echo e;

    if (len >= ARP_SHA + 10 &&
        arp_reply_parse(in, len, fuzz_mac, net_get32(in + ARP_SHA + 6), mac)) {
        REQUIRE(len >= ARP_FRAME_LEN);
        REQUIRE(net_get16(in + ETH_TYPE) == ETHERTYPE_ARP);
        REQUIRE(memcmp(mac, in + ARP_SHA, ETH_ALEN) == 0);
        REQUIRE((mac[0] & 1) == 0);
        responder_init(&r, fuzz_mac, FUZZ_IP);
        answer_frame(&r, in, len, reply, sizeof reply);
        REQUIRE(r.arp == 0); /* a reply is not a request */
    }
    if (echo_reply_parse(in, len, fuzz_mac, FUZZ_IP, &e)) {
        REQUIRE(net_get16(in + ETH_TYPE) == ETHERTYPE_IPV4);
        REQUIRE(e.dst == FUZZ_IP);
        REQUIRE(e.data >= in + ETH_HLEN + IPV4_HLEN + ICMP_HLEN);
        REQUIRE(e.data_len <= len - (size_t)(e.data - in));
        responder_init(&r, fuzz_mac, FUZZ_IP);
        answer_frame(&r, in, len, reply, sizeof reply);
        REQUIRE(r.echo == 0); /* a reply is not a request */
    }
}

static void fuzz_ipv4_parse(const uint8_t *in, size_t len)
{
    uint32_t addr = 0x5a5a5a5a, again = 0, model = 0;
    char text[IPV4_STRLEN + 1];
    int valid = model_ipv4(in, len, &model);

    if (ipv4_parse((const char *)in, len, &addr) != 0) {
        REQUIRE(!valid);
        REQUIRE(addr == 0x5a5a5a5a);
        return;
    }
    REQUIRE(valid && addr == model);
    REQUIRE(len >= 7 && len <= 15);
    text[IPV4_STRLEN] = 'x';
    ipv4_format(addr, text);
    REQUIRE(text[IPV4_STRLEN] == 'x');
    REQUIRE(strlen(text) <= len);
    REQUIRE(ipv4_parse(text, strlen(text), &again) == 0 && again == addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *frame, *copy;
    size_t len;
    uint8_t control;

    if (size == 0)
        return 0;
    control = data[0];
    len = size - 1;
    /* The frame, in an allocation of its exact size. */
    frame = malloc(len ? len : 1);
    copy = malloc(len ? len : 1);
    REQUIRE(frame != NULL && copy != NULL);
    memcpy(frame, data + 1, len);
    fix_checksums(frame, len, control);
    memcpy(copy, frame, len);

    fuzz_answer(frame, len, control >> FUZZ_SIZE_SHIFT);
    fuzz_parsers(frame, len);
    fuzz_ipv4_parse(frame, len);
    REQUIRE(memcmp(frame, copy, len) == 0); /* the input is left alone */

    free(copy);
    free(frame);
    return 0;
}
