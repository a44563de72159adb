/*
 * test_netstack.c - the examples' shared code (examples/lib): the pure
 * functions of netstack.h (addresses, the Internet checksum, the ARP and
 * ping responder, the ping client's parsers) and the command-line words of
 * args.h.
 *
 * Nothing here runs miou: the frames are built in static buffers, handed
 * to the functions, and what comes back is checked byte by byte or parsed
 * back. The responder answers for ME_IP at `me`; requests come from
 * PEER_IP at `peer`.
 */
#include <stdio.h>
#include <string.h>

#include "../examples/lib/args.h"
#include "../examples/lib/netstack.h"
#include "lib/check.h"

/* ---- Addresses, buffers and frame offsets. */

static const uint8_t me[ETH_ALEN] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t peer[ETH_ALEN] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t stranger[ETH_ALEN] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x09};
static const uint8_t group[ETH_ALEN] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
static const uint8_t all[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
#define ME_IP 0x0a000002u   /* 10.0.0.2 */
#define PEER_IP 0x0a000001u /* 10.0.0.1 */
#define STRANGER_IP 0x0a000009u

#define ECHO_ID 0x1234
#define ECHO_SEQ 7

/* Where the fields are in a frame. */
enum {
    ETH_DST = 0,
    ETH_SRC = 6,
    ETH_TYPE = 12,
    ARP_HTYPE = ETH_HLEN,
    ARP_PTYPE = ETH_HLEN + 2,
    ARP_HLN = ETH_HLEN + 4, /* 6: bytes of a hardware address */
    ARP_PLN = ETH_HLEN + 5, /* 4: bytes of a protocol address */
    ARP_OP = ETH_HLEN + 6,
    ARP_SHA = ETH_HLEN + 8,
    ARP_SPA = ETH_HLEN + 14,
    ARP_THA = ETH_HLEN + 18,
    ARP_TPA = ETH_HLEN + 24,
    IP_VHL = ETH_HLEN,
    IP_TOTAL = ETH_HLEN + 2,
    IP_FRAG = ETH_HLEN + 6,
    IP_TTL = ETH_HLEN + 8,
    IP_PROTO = ETH_HLEN + 9,
    IP_SUM = ETH_HLEN + 10,
    IP_SRC = ETH_HLEN + 12,
    IP_DST = ETH_HLEN + 16,
    ICMP = ETH_HLEN + IPV4_HLEN, /* without IP options */
    ICMP_CODE = ICMP + 1,
    ICMP_SUM = ICMP + 2
};

/* The longest IPv4 packet in a frame, and room after it. */
#define IPV4_MAX 65535u
#define MAX_DATA (IPV4_MAX - IPV4_HLEN - ICMP_HLEN)
#define FRAME_MAX (ETH_HLEN + IPV4_MAX + 64)

static uint8_t frame[FRAME_MAX];
static uint8_t out[FRAME_MAX];
static uint8_t payload[MAX_DATA];

/* What `out` holds where nothing was written. */
#define FILL 0xa5

static void clear_out(void)
{
    memset(out, FILL, sizeof out);
}

/* The first byte of `out` from (from) on that is not FILL, or FRAME_MAX. */
static size_t first_written(size_t from)
{
    size_t i;
    for (i = from; i < sizeof out; i++)
        if (out[i] != FILL)
            return i;
    return sizeof out;
}


static int all_zero(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

/* The IPv4 header length of the frame (f). */
static size_t ip_hlen(const uint8_t *f)
{
    return (size_t)(f[IP_VHL] & 0x0f) * 4;
}

/* Recompute the checksum of the IPv4 header of (f), after an edit. */
static void fix_ip_sum(uint8_t *f)
{
    net_put16(f + IP_SUM, 0);
    net_put16(f + IP_SUM, inet_checksum(f + ETH_HLEN, ip_hlen(f)));
}

/* Recompute the ICMP checksum of (f), over what the total length says. */
static void fix_icmp_sum(uint8_t *f)
{
    uint8_t *icmp = f + ETH_HLEN + ip_hlen(f);
    size_t len = net_get16(f + IP_TOTAL) - ip_hlen(f);
    net_put16(icmp + 2, 0);
    net_put16(icmp + 2, inet_checksum(icmp, len));
}

/* ---- Frames to answer. */

/* The broadcast "who has (target)? tell PEER_IP at peer" into `frame`. */
static size_t arp_request(uint32_t target)
{
    return arp_request_build(frame, sizeof frame, peer, PEER_IP, target);
}

/* The echo request from PEER_IP at peer to (ip) at (mac) into `frame`,
 * with (data_len) bytes of `payload`. */
static size_t echo_request_to(const uint8_t mac[ETH_ALEN], uint32_t ip,
                              size_t data_len)
{
    struct echo e;
    size_t i;

    for (i = 0; i < data_len; i++)
        payload[i] = (uint8_t)(i * 7 + 1);
    memset(&e, 0, sizeof e);
    e.src = PEER_IP;
    e.dst = ip;
    e.id = ECHO_ID;
    e.seq = ECHO_SEQ;
    e.data = payload;
    e.data_len = data_len;
    return echo_request_build(frame, sizeof frame, peer, mac, &e);
}

static size_t echo_request(size_t data_len)
{
    return echo_request_to(me, ME_IP, data_len);
}

/* ---- Answering a frame with a fresh responder. */

enum counter { ARP, ECHO, IGNORED, MALFORMED };

/* answer_frame() on (in) with a fresh responder, checked to count the
 * frame in (expected) only, and to return 0 unless it answered. */
static size_t answer_as(const char *file, int line, const uint8_t *in,
                        size_t len, uint8_t *dst, size_t dst_size,
                        enum counter expected)
{
    static const char *const names[] = {"r.arp", "r.echo", "r.ignored",
                                        "r.malformed"};
    struct responder r;
    uint64_t seen[4];
    size_t n, i;

    responder_init(&r, me, ME_IP);
    n = answer_frame(&r, in, len, dst, dst_size);
    seen[ARP] = r.arp;
    seen[ECHO] = r.echo;
    seen[IGNORED] = r.ignored;
    seen[MALFORMED] = r.malformed;
    for (i = 0; i < 4; i++)
        check_uint(file, line, names[i], i == (size_t)expected ? "1" : "0",
                   seen[i], i == (size_t)expected, CHECK_OP_EQ);
    if (expected == IGNORED || expected == MALFORMED)
        check_uint(file, line, "answer_frame()", "0", n, 0, CHECK_OP_EQ);
    return n;
}

#define ANSWER(len, expected)                                                  \
    answer_as(__FILE__, __LINE__, frame, (len), out, sizeof out, (expected))
#define ANSWER_INTO(len, out_size, expected)                                   \
    answer_as(__FILE__, __LINE__, frame, (len), out, (out_size), (expected))

/* ---- ipv4_parse, ipv4_format, mac_format. */

/* ipv4_parse() of (s) checked to fail and leave its output alone. */
static void refuses(const char *file, int line, const char *s, size_t len)
{
    char expr[64];
    uint32_t addr = 0xdeadbeef;

    snprintf(expr, sizeof expr, "ipv4_parse(\"%.*s\", %zu)", (int)len, s, len);
    check_int(file, line, expr, "-1", ipv4_parse(s, len, &addr), -1,
              CHECK_OP_EQ);
    check_uint(file, line, "the address after a refusal", "0xdeadbeef", addr,
               0xdeadbeef, CHECK_OP_EQ);
}
#define REFUSES(s) refuses(__FILE__, __LINE__, (s), strlen(s))

static void ipv4_parse_reads_dotted_quads(void)
{
    uint32_t addr = 0;
    CHECK_EQ(ipv4_parse("10.0.0.2", 8, &addr), 0);
    CHECK_UEQ(addr, 0x0a000002);
    CHECK_EQ(ipv4_parse("0.0.0.0", 7, &addr), 0);
    CHECK_UEQ(addr, 0);
    CHECK_EQ(ipv4_parse("255.255.255.255", 15, &addr), 0);
    CHECK_UEQ(addr, 0xffffffff);
    CHECK_EQ(ipv4_parse("192.168.1.200", 13, &addr), 0);
    CHECK_UEQ(addr, 0xc0a801c8);
    CHECK_EQ(ipv4_parse("010.001.0.09", 12, &addr), 0);
    CHECK_UEQ(addr, 0x0a010009);
}

static void ipv4_parse_reads_exactly_len_bytes(void)
{
    uint32_t addr = 0;
    CHECK_EQ(ipv4_parse("10.0.0.2 and more", 8, &addr), 0);
    CHECK_UEQ(addr, 0x0a000002);
    CHECK_EQ(ipv4_parse("10.0.0.25", 8, &addr), 0);
    CHECK_UEQ(addr, 0x0a000002);
    refuses(__FILE__, __LINE__, "10.0.0.2", 7); /* "10.0.0." */
    refuses(__FILE__, __LINE__, "1.2.3.4\0", 8);
}

static void ipv4_parse_refuses_other_than_four_parts(void)
{
    REFUSES("");
    REFUSES("1");
    REFUSES("1.2.3");
    REFUSES("1.2.3.4.5");
    REFUSES("1.2.3.4.");
}

static void ipv4_parse_refuses_empty_parts(void)
{
    REFUSES(".");
    REFUSES("...");
    REFUSES("1..2.3");
    REFUSES(".1.2.3");
    REFUSES("1.2.3.");
}

static void ipv4_parse_refuses_parts_above_255(void)
{
    REFUSES("256.1.1.1");
    REFUSES("1.2.3.256");
    REFUSES("1.999.3.4");
}

static void ipv4_parse_refuses_more_than_three_digits(void)
{
    REFUSES("0001.2.3.4");
    REFUSES("1.2.3.0004");
    REFUSES("1234.1.1.1");
}

static void ipv4_parse_refuses_other_characters(void)
{
    REFUSES("a.b.c.d");
    REFUSES("1.2.3.4 ");
    REFUSES(" 1.2.3.4");
    REFUSES("+1.2.3.4");
    REFUSES("1.2.3.-4");
    REFUSES("0x1.2.3.4");
    REFUSES("1,2,3,4");
    REFUSES("1.2.3.4/24");
}

static void ipv4_parse_refuses_null_pointers(void)
{
    uint32_t addr = 0xdeadbeef;
    CHECK_EQ(ipv4_parse(NULL, 0, &addr), -1);
    CHECK_UEQ(addr, 0xdeadbeef);
    CHECK_EQ(ipv4_parse("10.0.0.2", 8, NULL), -1);
}

static void ipv4_format_writes_plain_decimals(void)
{
    char buf[IPV4_STRLEN];
    CHECK_STR_EQ(ipv4_format(0x0a000002, buf), "10.0.0.2");
    CHECK_STR_EQ(ipv4_format(0, buf), "0.0.0.0");
    CHECK_STR_EQ(ipv4_format(0x64006309, buf), "100.0.99.9");
    CHECK_STR_EQ(ipv4_format(0xffffff00, buf), "255.255.255.0");
    CHECK_PTR_EQ(ipv4_format(0x01020304, buf), buf);
}

static void ipv4_format_fits_the_longest_in_ipv4_strlen(void)
{
    char buf[IPV4_STRLEN + 4];
    memset(buf, 'x', sizeof buf);
    CHECK_STR_EQ(ipv4_format(0xffffffff, buf), "255.255.255.255");
    CHECK_EQ(buf[IPV4_STRLEN], 'x');
}

static void ipv4_format_and_ipv4_parse_round_trip(void)
{
    static const uint32_t addrs[] = {
        0, 1, 0x7f000001, 0x0a0b0c0d, 0x80000000, 0xc0a80164, 0xfffffffe};
    char buf[IPV4_STRLEN];
    uint32_t addr;
    size_t i;

    for (i = 0; i < CHECK_COUNT(addrs); i++) {
        ipv4_format(addrs[i], buf);
        addr = ~addrs[i];
        CHECK_EQ(ipv4_parse(buf, strlen(buf), &addr), 0);
        CHECK_UEQ(addr, addrs[i]);
    }
}

static void mac_format_writes_lower_case_hex_pairs(void)
{
    static const uint8_t mixed[ETH_ALEN] = {0x00, 0x0f, 0xa0, 0xbc, 0xde, 0xff};
    char buf[MAC_STRLEN + 4];

    memset(buf, 'x', sizeof buf);
    CHECK_STR_EQ(mac_format(me, buf), "52:54:00:12:34:56");
    CHECK_STR_EQ(mac_format(mixed, buf), "00:0f:a0:bc:de:ff");
    CHECK_PTR_EQ(mac_format(all, buf), buf);
    CHECK_STR_EQ(buf, "ff:ff:ff:ff:ff:ff");
    CHECK_EQ(buf[MAC_STRLEN], 'x');
}

/* ---- inet_checksum. */

static void inet_checksum_of_rfc_1071_example(void)
{
    /* RFC 1071, 3: the sum of 0001 f203 f4f5 f6f7 is ddf2 (with the
     * carries folded); the checksum is its complement. */
    static const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03,
                                    0xf4, 0xf5, 0xf6, 0xf7};
    CHECK_UEQ(inet_checksum(bytes, sizeof bytes), 0x220d);
    CHECK_UEQ(inet_checksum(bytes, sizeof bytes), (uint16_t)~0xddf2);
}

static void inet_checksum_pads_an_odd_length_with_a_zero(void)
{
    static const uint8_t odd[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6};
    static const uint8_t even[] = {0x00, 0x01, 0xf2, 0x03,
                                   0xf4, 0xf5, 0xf6, 0x00};
    static const uint8_t one = 0xab;
    CHECK_UEQ(inet_checksum(odd, sizeof odd), inet_checksum(even, sizeof even));
    CHECK_UEQ(inet_checksum(odd, sizeof odd), (uint16_t)~0xdcfb);
    CHECK_UEQ(inet_checksum(&one, 1), (uint16_t)~0xab00);
}

static void inet_checksum_of_nothing_is_ffff(void)
{
    static const uint8_t none[1] = {0x12};
    CHECK_UEQ(inet_checksum(none, 0), 0xffff);
}

static void inet_checksum_over_its_own_value_is_zero(void)
{
    uint8_t header[IPV4_HLEN] = {0x45, 0x00, 0x00, 0x54, 0xab, 0xcd, 0x40,
                                 0x00, 0x40, 0x01, 0x00, 0x00, 0x0a, 0x00,
                                 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02};
    net_put16(header + 10, inet_checksum(header, sizeof header));
    CHECK_UEQ(inet_checksum(header, sizeof header), 0);
    header[3] ^= 1;
    CHECK_UNE(inet_checksum(header, sizeof header), 0);
}

static void inet_checksum_folds_every_carry(void)
{
    /* ffff + ffff + 0001 = 1ffff: folded once it is 10000, folded again
     * 0001, whose complement is fffe (a single fold would end at 0000). */
    static const uint8_t bytes[] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x01};

    CHECK_UEQ(inet_checksum(bytes, sizeof bytes), 0xfffe);
    /* 32767 words ffff: any such sum folds to ffff. */
    memset(frame, 0xff, 65534);
    CHECK_UEQ(inet_checksum(frame, 65534), 0);
}

static void inet_sum_in_pieces_is_inet_checksum_of_the_whole(void)
{
    /* A 12-byte pseudo-header, then a segment of odd length. */
    static const uint8_t whole[] = {0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00,
                                    0x02, 0x00, 0x06, 0x00, 0x07, 0xff, 0xfe,
                                    0x12, 0x34, 0x56, 0x78, 0x9a};
    uint64_t sum =
        inet_sum(inet_sum(0, whole, 12), whole + 12, sizeof whole - 12);

    CHECK_UEQ(inet_fold(sum), inet_checksum(whole, sizeof whole));
    CHECK_UEQ(inet_fold(inet_sum(0, whole, 0)), 0xffff);
}

static void inet_checksum_does_not_need_alignment(void)
{
    static const uint8_t bytes[] = {0x99, 0x00, 0x01, 0xf2, 0x03,
                                    0xf4, 0xf5, 0xf6, 0xf7};
    CHECK_UEQ(inet_checksum(bytes + 1, 8), 0x220d);
}

/* ---- answer_frame: ARP. */

static void an_arp_request_for_us_gets_a_reply_arp_reply_parse_reads(void)
{
    uint8_t mac[ETH_ALEN] = {0};
    size_t n = arp_request(ME_IP), m;

    CHECK_UEQ(n, ETH_ZLEN);
    clear_out();
    m = ANSWER(n, ARP);
    CHECK_UEQ(m, ETH_ZLEN);
    CHECK_EQ(arp_reply_parse(out, m, peer, ME_IP, mac), 1);
    CHECK(memcmp(mac, me, ETH_ALEN) == 0);
}

static void the_arp_reply_goes_to_the_asker_and_is_padded_with_zeros(void)
{
    size_t m;

    arp_request(ME_IP);
    clear_out();
    m = ANSWER(ETH_ZLEN, ARP);
    if (!CHECK_UEQ(m, ETH_ZLEN))
        return;
    CHECK(memcmp(out + ETH_DST, peer, ETH_ALEN) == 0);
    CHECK(memcmp(out + ETH_SRC, me, ETH_ALEN) == 0);
    CHECK_UEQ(net_get16(out + ETH_TYPE), ETHERTYPE_ARP);
    CHECK_UEQ(net_get16(out + ARP_HTYPE), 1);
    CHECK_UEQ(net_get16(out + ARP_PTYPE), ETHERTYPE_IPV4);
    CHECK_UEQ(out[ARP_HLN], ETH_ALEN);
    CHECK_UEQ(out[ARP_PLN], 4);
    CHECK_UEQ(net_get16(out + ARP_OP), 2);
    CHECK(memcmp(out + ARP_SHA, me, ETH_ALEN) == 0);
    CHECK_UEQ(net_get32(out + ARP_SPA), ME_IP);
    CHECK(memcmp(out + ARP_THA, peer, ETH_ALEN) == 0);
    CHECK_UEQ(net_get32(out + ARP_TPA), PEER_IP);
    CHECK(all_zero(out + ARP_FRAME_LEN, ETH_ZLEN - ARP_FRAME_LEN));
    CHECK_UEQ(first_written(ETH_ZLEN), sizeof out);
}

static void an_arp_request_sent_to_our_mac_gets_a_reply(void)
{
    arp_request(ME_IP);
    memcpy(frame + ETH_DST, me, ETH_ALEN);
    CHECK_UEQ(ANSWER(ETH_ZLEN, ARP), ETH_ZLEN);
}

static void an_arp_request_without_padding_gets_a_reply(void)
{
    arp_request(ME_IP);
    CHECK_UEQ(ANSWER(ARP_FRAME_LEN, ARP), ETH_ZLEN);
}

static void an_arp_request_for_another_address_is_ignored(void)
{
    size_t n = arp_request(STRANGER_IP);
    clear_out();
    ANSWER(n, IGNORED);
    CHECK_UEQ(first_written(0), sizeof out);
}

static void an_arp_request_sent_to_another_mac_is_ignored(void)
{
    size_t n = arp_request(ME_IP);
    memcpy(frame + ETH_DST, stranger, ETH_ALEN);
    ANSWER(n, IGNORED);
    memcpy(frame + ETH_DST, group, ETH_ALEN);
    ANSWER(n, IGNORED);
}

static void an_arp_reply_is_not_answered(void)
{
    size_t n = arp_request(ME_IP);
    net_put16(frame + ARP_OP, 2);
    ANSWER(n, IGNORED);
    net_put16(frame + ARP_OP, 3);
    ANSWER(n, IGNORED);
}

static void arp_for_other_hardware_or_protocols_is_ignored(void)
{
    size_t n = arp_request(ME_IP);
    net_put16(frame + ARP_HTYPE, 6); /* IEEE 802 */
    ANSWER(n, IGNORED);
    arp_request(ME_IP);
    net_put16(frame + ARP_PTYPE, 0x86dd);
    ANSWER(n, IGNORED);
}

static void a_truncated_arp_request_is_malformed(void)
{
    size_t len;
    arp_request(ME_IP);
    for (len = ETH_HLEN; len < ARP_FRAME_LEN; len++)
        ANSWER(len, MALFORMED);
}

static void arp_with_wrong_address_lengths_is_malformed(void)
{
    size_t n = arp_request(ME_IP);
    frame[ARP_HLN] = 8;
    ANSWER(n, MALFORMED);
    arp_request(ME_IP);
    frame[ARP_PLN] = 16;
    ANSWER(n, MALFORMED);
}

static void no_arp_reply_goes_to_a_group_mac(void)
{
    size_t n = arp_request(ME_IP);
    /* The sender's hardware address, where the reply would go. */
    memcpy(frame + ARP_SHA, group, ETH_ALEN);
    ANSWER(n, IGNORED);
    memcpy(frame + ARP_SHA, all, ETH_ALEN);
    ANSWER(n, IGNORED);
    /* The Ethernet source. */
    arp_request(ME_IP);
    memcpy(frame + ETH_SRC, group, ETH_ALEN);
    ANSWER(n, IGNORED);
}

static void an_arp_reply_is_not_padded_when_out_has_no_room(void)
{
    arp_request(ME_IP);
    clear_out();
    CHECK_UEQ(ANSWER_INTO(ETH_ZLEN, ETH_ZLEN - 1, ARP), ARP_FRAME_LEN);
    CHECK_UEQ(first_written(ARP_FRAME_LEN), sizeof out);
    clear_out();
    CHECK_UEQ(ANSWER_INTO(ETH_ZLEN, ARP_FRAME_LEN, ARP), ARP_FRAME_LEN);
    CHECK_UEQ(first_written(ARP_FRAME_LEN), sizeof out);
}

static void an_arp_reply_that_does_not_fit_is_not_written(void)
{
    size_t size;
    arp_request(ME_IP);
    for (size = 0; size < ARP_FRAME_LEN; size++) {
        clear_out();
        ANSWER_INTO(ETH_ZLEN, size, IGNORED);
        if (!CHECK_UEQ(first_written(size), sizeof out))
            check_note("out_size %zu", size);
    }
}

/* ---- arp_request_build and arp_reply_parse. */

static void arp_request_build_asks_everyone(void)
{
    size_t n;

    memset(frame, FILL, sizeof frame);
    n = arp_request(ME_IP);
    CHECK_UEQ(n, ETH_ZLEN);
    CHECK(memcmp(frame + ETH_DST, all, ETH_ALEN) == 0);
    CHECK(memcmp(frame + ETH_SRC, peer, ETH_ALEN) == 0);
    CHECK_UEQ(net_get16(frame + ETH_TYPE), ETHERTYPE_ARP);
    CHECK_UEQ(net_get16(frame + ARP_OP), 1);
    CHECK(memcmp(frame + ARP_SHA, peer, ETH_ALEN) == 0);
    CHECK_UEQ(net_get32(frame + ARP_SPA), PEER_IP);
    CHECK(all_zero(frame + ARP_THA, ETH_ALEN));
    CHECK_UEQ(net_get32(frame + ARP_TPA), ME_IP);
    CHECK(all_zero(frame + ARP_FRAME_LEN, ETH_ZLEN - ARP_FRAME_LEN));
    CHECK_EQ(frame[ETH_ZLEN], FILL);
}

static void arp_request_build_needs_room_for_60_bytes(void)
{
    memset(out, FILL, sizeof out);
    CHECK_UEQ(arp_request_build(out, ETH_ZLEN - 1, peer, PEER_IP, ME_IP), 0);
    CHECK_UEQ(first_written(0), sizeof out);
    CHECK_UEQ(arp_request_build(NULL, 100, peer, PEER_IP, ME_IP), 0);
}

/* The ARP reply of `me` to `peer`, built by the responder, into `frame`. */
static size_t arp_reply(void)
{
    struct responder r;
    uint8_t request[ETH_ZLEN];
    responder_init(&r, me, ME_IP);
    arp_request_build(request, sizeof request, peer, PEER_IP, ME_IP);
    return answer_frame(&r, request, sizeof request, frame, sizeof frame);
}

static void arp_reply_parse_refuses_a_reply_from_another_address(void)
{
    uint8_t mac[ETH_ALEN] = {0};
    size_t n = arp_reply();
    CHECK_EQ(arp_reply_parse(frame, n, peer, STRANGER_IP, mac), 0);
    CHECK(all_zero(mac, ETH_ALEN));
}

static void arp_reply_parse_takes_a_broadcast_reply(void)
{
    uint8_t mac[ETH_ALEN] = {0};
    size_t n = arp_reply();
    memcpy(frame + ETH_DST, all, ETH_ALEN);
    CHECK_EQ(arp_reply_parse(frame, n, peer, ME_IP, mac), 1);
    CHECK(memcmp(mac, me, ETH_ALEN) == 0);
}

static void arp_reply_parse_refuses_a_reply_to_another_mac(void)
{
    uint8_t mac[ETH_ALEN] = {0};
    size_t n = arp_reply();
    CHECK_EQ(arp_reply_parse(frame, n, stranger, ME_IP, mac), 0);
    memcpy(frame + ETH_DST, group, ETH_ALEN);
    CHECK_EQ(arp_reply_parse(frame, n, peer, ME_IP, mac), 0);
}

static void arp_reply_parse_refuses_a_request(void)
{
    uint8_t mac[ETH_ALEN] = {0};
    size_t n = arp_request_build(frame, sizeof frame, me, ME_IP, PEER_IP);
    CHECK_EQ(arp_reply_parse(frame, n, peer, ME_IP, mac), 0);
}

static void arp_reply_parse_refuses_a_group_sender(void)
{
    uint8_t mac[ETH_ALEN] = {0};
    size_t n = arp_reply();
    memcpy(frame + ARP_SHA, group, ETH_ALEN);
    CHECK_EQ(arp_reply_parse(frame, n, peer, ME_IP, mac), 0);
}

static void arp_reply_parse_refuses_a_truncated_or_foreign_frame(void)
{
    uint8_t mac[ETH_ALEN] = {0};
    size_t len, n = arp_reply();
    for (len = 0; len < ARP_FRAME_LEN; len++)
        if (!CHECK_EQ(arp_reply_parse(frame, len, peer, ME_IP, mac), 0))
            check_note("length %zu", len);
    CHECK_EQ(arp_reply_parse(NULL, n, peer, ME_IP, mac), 0);
    net_put16(frame + ETH_TYPE, ETHERTYPE_IPV4);
    CHECK_EQ(arp_reply_parse(frame, n, peer, ME_IP, mac), 0);
    arp_reply();
    frame[ARP_HLN] = 8;
    CHECK_EQ(arp_reply_parse(frame, n, peer, ME_IP, mac), 0);
    CHECK(all_zero(mac, ETH_ALEN));
}

/* ---- answer_frame: ICMP echo. */

static void an_echo_request_gets_a_reply_with_the_same_id_seq_and_data(void)
{
    struct echo e;
    size_t n = echo_request(56), m;

    CHECK_UEQ(n, ECHO_FRAME_LEN(56));
    m = ANSWER(n, ECHO);
    CHECK_UEQ(m, ECHO_FRAME_LEN(56));
    memset(&e, 0, sizeof e);
    if (!CHECK_EQ(echo_reply_parse(out, m, peer, PEER_IP, &e), 1))
        return;
    CHECK_UEQ(e.src, ME_IP);
    CHECK_UEQ(e.dst, PEER_IP);
    CHECK_UEQ(e.id, ECHO_ID);
    CHECK_UEQ(e.seq, ECHO_SEQ);
    CHECK_UEQ(e.data_len, 56);
    CHECK_PTR_EQ(e.data, out + ECHO_FRAME_LEN(0));
    CHECK(memcmp(e.data, frame + ECHO_FRAME_LEN(0), 56) == 0);
}

static void the_echo_reply_goes_back_to_the_asker_with_ttl_64(void)
{
    size_t n = echo_request(56), m;
    frame[IP_TTL] = 3;
    fix_ip_sum(frame);
    clear_out();
    m = ANSWER(n, ECHO);
    if (!CHECK_UEQ(m, n))
        return;
    CHECK(memcmp(out + ETH_DST, peer, ETH_ALEN) == 0);
    CHECK(memcmp(out + ETH_SRC, me, ETH_ALEN) == 0);
    CHECK_UEQ(net_get16(out + ETH_TYPE), ETHERTYPE_IPV4);
    CHECK_UEQ(out[IP_VHL], 0x45);
    CHECK_UEQ(net_get16(out + IP_TOTAL), n - ETH_HLEN);
    CHECK_UEQ(net_get16(out + IP_FRAG), 0);
    CHECK_UEQ(out[IP_TTL], 64);
    CHECK_UEQ(out[IP_PROTO], 1);
    CHECK_UEQ(net_get32(out + IP_SRC), ME_IP);
    CHECK_UEQ(net_get32(out + IP_DST), PEER_IP);
    CHECK_UEQ(inet_checksum(out + ETH_HLEN, IPV4_HLEN), 0);
    CHECK_UEQ(out[ICMP], 0);
    CHECK_UEQ(out[ICMP_CODE], 0);
    CHECK_UEQ(inet_checksum(out + ICMP, n - ICMP), 0);
    CHECK_UEQ(first_written(n), sizeof out);
}

static void an_echo_request_with_a_bad_ip_checksum_is_malformed(void)
{
    size_t n = echo_request(56);
    frame[IP_SUM + 1] ^= 0x01;
    ANSWER(n, MALFORMED);
    /* A changed field under an unchanged checksum. */
    echo_request(56);
    frame[IP_TTL] ^= 0x10;
    ANSWER(n, MALFORMED);
}

static void an_echo_request_with_a_bad_icmp_checksum_is_malformed(void)
{
    size_t n = echo_request(56);
    frame[ICMP_SUM] ^= 0x80;
    ANSWER(n, MALFORMED);
    /* A changed byte of data, the last one: odd lengths count. */
    n = echo_request(55);
    frame[n - 1] ^= 0x01;
    ANSWER(n, MALFORMED);
}

static void padding_after_the_ip_packet_is_not_echoed(void)
{
    struct echo e;
    size_t n = echo_request(56), m;

    memset(frame + n, 0xee, 10);
    m = ANSWER(n + 10, ECHO);
    CHECK_UEQ(m, n);
    if (CHECK_EQ(echo_reply_parse(out, m, peer, PEER_IP, &e), 1))
        CHECK_UEQ(e.data_len, 56);
}

static void a_truncated_echo_request_is_malformed(void)
{
    size_t len, n = echo_request(56);
    int failed;
    for (len = ETH_HLEN; len < n; len++) {
        failed = check_failed();
        ANSWER(len, MALFORMED);
        if (!failed && check_failed())
            check_note("length %zu", len);
    }
}

static void a_frame_shorter_than_an_ethernet_header_is_malformed(void)
{
    struct responder r;
    size_t len;

    echo_request(0);
    for (len = 0; len < ETH_HLEN; len++)
        ANSWER(len, MALFORMED);
    responder_init(&r, me, ME_IP);
    CHECK_UEQ(answer_frame(&r, NULL, 100, out, sizeof out), 0);
    CHECK_UEQ(r.malformed, 1);
}

static void an_ip_header_length_below_20_is_malformed(void)
{
    size_t n = echo_request(56);
    /* 16 bytes, with both checksums right for that length: read as such,
     * the packet would be an ICMP message sent to another address. */
    frame[IP_VHL] = 0x44;
    fix_ip_sum(frame);
    fix_icmp_sum(frame);
    ANSWER(n, MALFORMED);
    frame[IP_VHL] = 0x40;
    fix_ip_sum(frame);
    ANSWER(n, MALFORMED);
}

static void an_ip_header_longer_than_the_frame_is_malformed(void)
{
    /* 15 words: 60 bytes of header, in a frame of 14 + 28. */
    size_t n = echo_request(0);
    frame[IP_VHL] = 0x4f;
    ANSWER(ECHO_FRAME_LEN(0), MALFORMED);
    ANSWER(n, MALFORMED);
}

static void an_ip_total_length_below_the_header_is_malformed(void)
{
    size_t n = echo_request(56);
    net_put16(frame + IP_TOTAL, IPV4_HLEN - 1);
    fix_ip_sum(frame);
    ANSWER(n, MALFORMED);
}

static void an_ip_version_other_than_4_is_malformed(void)
{
    size_t n = echo_request(56);
    frame[IP_VHL] = 0x65;
    fix_ip_sum(frame);
    ANSWER(n, MALFORMED);
}

static void an_icmp_message_shorter_than_8_bytes_is_malformed(void)
{
    size_t n = echo_request(0);
    net_put16(frame + IP_TOTAL, IPV4_HLEN + ICMP_HLEN - 1);
    fix_ip_sum(frame);
    fix_icmp_sum(frame);
    ANSWER(n, MALFORMED);
}

static void an_echo_request_to_another_address_is_ignored(void)
{
    size_t n = echo_request_to(me, STRANGER_IP, 56);
    clear_out();
    ANSWER(n, IGNORED);
    CHECK_UEQ(first_written(0), sizeof out);
}

static void an_echo_request_to_another_mac_is_ignored(void)
{
    size_t n = echo_request_to(stranger, ME_IP, 56);
    ANSWER(n, IGNORED);
    /* Not even broadcast: pings go to the MAC that ARP gave. */
    n = echo_request_to(all, ME_IP, 56);
    ANSWER(n, IGNORED);
}

static void no_echo_reply_goes_to_a_group_mac(void)
{
    size_t n = echo_request(56);
    memcpy(frame + ETH_SRC, group, ETH_ALEN);
    ANSWER(n, IGNORED);
    memcpy(frame + ETH_SRC, all, ETH_ALEN);
    ANSWER(n, IGNORED);
}

/* Insert four bytes of IP options (NOPs) between the IPv4 header and the
 * ICMP message of the frame of (n) bytes in `frame`; its new length. */
static size_t with_ip_options(size_t n)
{
    memmove(frame + ICMP + 4, frame + ICMP, n - ICMP);
    memset(frame + ICMP, 1, 4);
    frame[IP_VHL] = 0x46;
    net_put16(frame + IP_TOTAL, (uint16_t)(net_get16(frame + IP_TOTAL) + 4));
    fix_ip_sum(frame);
    return n + 4;
}

static void an_echo_request_with_ip_options_gets_a_reply_without_them(void)
{
    struct echo e;
    size_t n = with_ip_options(echo_request(10)), m;

    m = ANSWER(n, ECHO);
    CHECK_UEQ(m, ETH_ZLEN);
    CHECK_UEQ(out[IP_VHL], 0x45);
    CHECK_UEQ(net_get16(out + IP_TOTAL), IPV4_HLEN + ICMP_HLEN + 10);
    if (!CHECK_EQ(echo_reply_parse(out, m, peer, PEER_IP, &e), 1))
        return;
    CHECK_UEQ(e.id, ECHO_ID);
    CHECK_UEQ(e.seq, ECHO_SEQ);
    CHECK_UEQ(e.data_len, 10);
    CHECK(memcmp(e.data, frame + ICMP + 4 + ICMP_HLEN, 10) == 0);
}

static void ip_options_are_checked_by_the_header_checksum(void)
{
    size_t n = with_ip_options(echo_request(10));
    frame[ICMP + 3] = 0; /* the last NOP becomes "end of options" */
    ANSWER(n, MALFORMED);
}

static void fragments_are_ignored(void)
{
    size_t n = echo_request(56);
    net_put16(frame + IP_FRAG, 0x2000); /* more fragments */
    fix_ip_sum(frame);
    ANSWER(n, IGNORED);
    net_put16(frame + IP_FRAG, 0x0001); /* the last one, at offset 8 */
    fix_ip_sum(frame);
    ANSWER(n, IGNORED);
    net_put16(frame + IP_FRAG, 0x4000); /* "don't fragment" alone is fine */
    fix_ip_sum(frame);
    ANSWER(n, ECHO);
}

static void other_icmp_messages_are_ignored(void)
{
    size_t n = echo_request(56);
    frame[ICMP] = 0; /* an echo reply */
    fix_icmp_sum(frame);
    ANSWER(n, IGNORED);
    frame[ICMP] = 13; /* a timestamp request */
    fix_icmp_sum(frame);
    ANSWER(n, IGNORED);
    frame[ICMP] = 8;
    frame[ICMP_CODE] = 1; /* an echo request has code 0 */
    fix_icmp_sum(frame);
    ANSWER(n, IGNORED);
}

static void other_ip_protocols_are_ignored(void)
{
    size_t n = echo_request(56);
    frame[IP_PROTO] = 17; /* UDP */
    fix_ip_sum(frame);
    ANSWER(n, IGNORED);
}

static void other_ethertypes_are_ignored(void)
{
    size_t n = echo_request(56);
    net_put16(frame + ETH_TYPE, 0x86dd); /* IPv6 */
    ANSWER(n, IGNORED);
    net_put16(frame + ETH_TYPE, 0x8100); /* a VLAN tag */
    ANSWER(n, IGNORED);
}

static void a_short_echo_reply_is_padded_to_60_bytes_with_zeros(void)
{
    struct echo e;
    size_t n = echo_request(0), m;

    CHECK_UEQ(n, ETH_ZLEN);
    clear_out();
    m = ANSWER(n, ECHO);
    CHECK_UEQ(m, ETH_ZLEN);
    CHECK(all_zero(out + ECHO_FRAME_LEN(0), ETH_ZLEN - ECHO_FRAME_LEN(0)));
    CHECK_UEQ(first_written(ETH_ZLEN), sizeof out);
    if (CHECK_EQ(echo_reply_parse(out, m, peer, PEER_IP, &e), 1))
        CHECK_UEQ(e.data_len, 0);
}

static void an_echo_reply_is_not_padded_when_out_has_no_room(void)
{
    size_t n = echo_request(4);
    clear_out();
    CHECK_UEQ(ANSWER_INTO(n, ETH_ZLEN - 1, ECHO), ECHO_FRAME_LEN(4));
    CHECK_UEQ(first_written(ECHO_FRAME_LEN(4)), sizeof out);
}

static void an_echo_reply_that_does_not_fit_is_not_written(void)
{
    size_t n = echo_request(56), size;
    static const size_t sizes[] = {0, 1, ETH_HLEN, ETH_ZLEN,
                                   ECHO_FRAME_LEN(56) - 1};
    for (size = 0; size < CHECK_COUNT(sizes); size++) {
        clear_out();
        ANSWER_INTO(n, sizes[size], IGNORED);
        if (!CHECK_UEQ(first_written(sizes[size]), sizeof out))
            check_note("out_size %zu", sizes[size]);
    }
    CHECK_UEQ(ANSWER_INTO(n, ECHO_FRAME_LEN(56), ECHO), ECHO_FRAME_LEN(56));
}

static void a_null_out_gets_no_answer(void)
{
    struct responder r;
    size_t n = echo_request(56);
    responder_init(&r, me, ME_IP);
    CHECK_UEQ(answer_frame(&r, frame, n, NULL, 1000), 0);
    CHECK_UEQ(r.ignored, 1);
}

static void the_longest_echo_request_gets_a_reply(void)
{
    struct echo e;
    size_t n = echo_request(MAX_DATA), m;

    CHECK_UEQ(n, ETH_HLEN + IPV4_MAX);
    m = ANSWER(n, ECHO);
    CHECK_UEQ(m, n);
    if (CHECK_EQ(echo_reply_parse(out, m, peer, PEER_IP, &e), 1)) {
        CHECK_UEQ(e.data_len, MAX_DATA);
        CHECK(memcmp(e.data, payload, MAX_DATA) == 0);
    }
}

/* ---- echo_request_build and echo_reply_parse. */

static void echo_request_build_uses_ttl_64_unless_told(void)
{
    struct echo e;
    memset(&e, 0, sizeof e);
    e.src = PEER_IP;
    e.dst = ME_IP;
    CHECK_UEQ(echo_request_build(frame, sizeof frame, peer, me, &e), ETH_ZLEN);
    CHECK_UEQ(frame[IP_TTL], 64);
    e.ttl = 5;
    echo_request_build(frame, sizeof frame, peer, me, &e);
    CHECK_UEQ(frame[IP_TTL], 5);
    CHECK_UEQ(inet_checksum(frame + ETH_HLEN, IPV4_HLEN), 0);
}

static void echo_request_build_refuses_what_does_not_fit(void)
{
    struct echo e;
    memset(&e, 0, sizeof e);
    e.data = payload;
    e.data_len = 56;
    clear_out();
    CHECK_UEQ(echo_request_build(out, ECHO_FRAME_LEN(56) - 1, peer, me, &e), 0);
    CHECK_UEQ(first_written(0), sizeof out);
    CHECK_UEQ(echo_request_build(NULL, 1000, peer, me, &e), 0);
    e.data_len = MAX_DATA + 1; /* more than an IPv4 packet carries */
    CHECK_UEQ(echo_request_build(frame, sizeof frame, peer, me, &e), 0);
    e.data = NULL;
    e.data_len = 1;
    CHECK_UEQ(echo_request_build(frame, sizeof frame, peer, me, &e), 0);
}

/* The echo reply of `me` to the request of 56 bytes from `peer`, built by
 * the responder, into `frame`. */
static size_t echo_reply(void)
{
    struct responder r;
    size_t n = echo_request(56);
    memcpy(out, frame, n);
    responder_init(&r, me, ME_IP);
    return answer_frame(&r, out, n, frame, sizeof frame);
}

static void echo_reply_parse_refuses_a_request(void)
{
    struct echo e;
    size_t n = echo_request(56);
    CHECK_EQ(echo_reply_parse(frame, n, me, ME_IP, &e), 0);
}

static void echo_reply_parse_refuses_a_reply_to_someone_else(void)
{
    struct echo e;
    size_t n = echo_reply();
    CHECK_EQ(echo_reply_parse(frame, n, peer, PEER_IP, &e), 1);
    CHECK_EQ(echo_reply_parse(frame, n, stranger, PEER_IP, &e), 0);
    CHECK_EQ(echo_reply_parse(frame, n, peer, STRANGER_IP, &e), 0);
}

static void echo_reply_parse_refuses_bad_checksums(void)
{
    struct echo e;
    size_t n = echo_reply();
    frame[IP_SUM] ^= 0x40;
    CHECK_EQ(echo_reply_parse(frame, n, peer, PEER_IP, &e), 0);
    n = echo_reply();
    frame[n - 1] ^= 0x40;
    CHECK_EQ(echo_reply_parse(frame, n, peer, PEER_IP, &e), 0);
}

static void echo_reply_parse_refuses_a_truncated_or_foreign_frame(void)
{
    struct echo e;
    size_t len, n = echo_reply();
    for (len = 0; len < n; len++)
        if (!CHECK_EQ(echo_reply_parse(frame, len, peer, PEER_IP, &e), 0))
            check_note("length %zu", len);
    CHECK_EQ(echo_reply_parse(NULL, n, peer, PEER_IP, &e), 0);
    net_put16(frame + ETH_TYPE, ETHERTYPE_ARP);
    CHECK_EQ(echo_reply_parse(frame, n, peer, PEER_IP, &e), 0);
    n = echo_reply();
    net_put16(frame + IP_FRAG, 0x2000);
    fix_ip_sum(frame);
    CHECK_EQ(echo_reply_parse(frame, n, peer, PEER_IP, &e), 0);
}

static void echo_reply_parse_reports_the_ttl(void)
{
    struct echo e;
    size_t n = echo_reply();
    frame[IP_TTL] = 17;
    fix_ip_sum(frame);
    if (CHECK_EQ(echo_reply_parse(frame, n, peer, PEER_IP, &e), 1))
        CHECK_UEQ(e.ttl, 17);
}

/* ---- The counters of struct responder. */

static void responder_init_sets_the_address_and_zeroes_the_counts(void)
{
    struct responder r;
    memset(&r, 0xff, sizeof r);
    responder_init(&r, me, ME_IP);
    CHECK(memcmp(r.mac, me, ETH_ALEN) == 0);
    CHECK_UEQ(r.ip, ME_IP);
    CHECK_UEQ(r.arp, 0);
    CHECK_UEQ(r.echo, 0);
    CHECK_UEQ(r.ignored, 0);
    CHECK_UEQ(r.malformed, 0);
}

/* Frames of every kind, for the counters. */
enum kind { ARP_FOR_US, ARP_FOR_ANOTHER, PING, BROKEN_PING, RUNT, IPV6 };

/* A frame of (kind) into `frame`; its length. */
static size_t frame_of(enum kind kind)
{
    size_t n;
    switch (kind) {
    case ARP_FOR_US:
        return arp_request(ME_IP);
    case ARP_FOR_ANOTHER:
        return arp_request(STRANGER_IP);
    case PING:
        return echo_request(56);
    case BROKEN_PING:
        n = echo_request(56);
        frame[ICMP_SUM] ^= 1;
        return n;
    case RUNT:
        echo_request(56);
        return ETH_HLEN - 1;
    case IPV6:
        n = echo_request(56);
        net_put16(frame + ETH_TYPE, 0x86dd);
        return n;
    }
    return 0;
}

static void each_frame_moves_exactly_one_counter(void)
{
    /* A day in the life of a responder: what comes in, what it counts. */
    static const struct {
        enum kind kind;
        enum counter counted;
    } day[] = {
        {ARP_FOR_US, ARP},        {PING, ECHO},      {ARP_FOR_ANOTHER, IGNORED},
        {BROKEN_PING, MALFORMED}, {PING, ECHO},      {RUNT, MALFORMED},
        {IPV6, IGNORED},          {ARP_FOR_US, ARP},
    };
    struct responder r;
    uint64_t before[4], after[4];
    size_t i, j, n;

    responder_init(&r, me, ME_IP);
    for (i = 0; i < CHECK_COUNT(day); i++) {
        n = frame_of(day[i].kind);
        before[ARP] = r.arp;
        before[ECHO] = r.echo;
        before[IGNORED] = r.ignored;
        before[MALFORMED] = r.malformed;
        answer_frame(&r, frame, n, out, sizeof out);
        after[ARP] = r.arp;
        after[ECHO] = r.echo;
        after[IGNORED] = r.ignored;
        after[MALFORMED] = r.malformed;
        for (j = 0; j < 4; j++)
            if (!CHECK_UEQ(after[j] - before[j], j == (size_t)day[i].counted))
                check_note("frame %zu of the day, counter %zu", i, j);
    }
    CHECK_UEQ(r.arp, 2);
    CHECK_UEQ(r.echo, 2);
    CHECK_UEQ(r.ignored, 2);
    CHECK_UEQ(r.malformed, 2);
}

/* ---- args.h: word_next, word_is, word_option, word_number. */

/* The next word of (*cursor), NUL-terminated into a static buffer, or
 * NULL when none is left. */
static const char *next(const char **cursor)
{
    static char text[64];
    struct word w;
    if (!word_next(cursor, &w))
        return NULL;
    snprintf(text, sizeof text, "%.*s", (int)w.len, w.s);
    return text;
}

static void word_next_splits_on_runs_of_spaces(void)
{
    const char *cursor = "  10.0.0.2 --count=5   x  ";
    CHECK_STR_EQ(next(&cursor), "10.0.0.2");
    CHECK_STR_EQ(next(&cursor), "--count=5");
    CHECK_STR_EQ(next(&cursor), "x");
    CHECK_NULL(next(&cursor));
    CHECK_NULL(next(&cursor));
    CHECK_EQ(*cursor, '\0');
}

static void word_next_skips_the_tenders_solo5_words(void)
{
    const char *cursor = "--solo5:quiet a --solo5: --solo5 --solo5:debug";
    CHECK_STR_EQ(next(&cursor), "a");
    CHECK_STR_EQ(next(&cursor), "--solo5");
    CHECK_NULL(next(&cursor));
}

static void word_next_finds_nothing_in_empty_lines(void)
{
    const char *empty = "", *blank = "    ", *none = NULL;
    const char *only = "--solo5:quiet";
    CHECK_NULL(next(&empty));
    CHECK_NULL(next(&blank));
    CHECK_NULL(next(&none));
    CHECK_NULL(next(&only));
}

static void word_is_compares_whole_words(void)
{
    struct word w = {"count=5", 5}; /* "count" */
    CHECK(word_is(&w, "count"));
    CHECK(!word_is(&w, "coun"));
    CHECK(!word_is(&w, "count="));
    CHECK(!word_is(&w, "Count"));
    CHECK(!word_is(&w, ""));
}

static void word_option_reads_the_value_after_the_equals_sign(void)
{
    struct word w = {"--count=5", 9}, v = {NULL, 0};
    if (CHECK(word_option(&w, "--count", &v)))
        CHECK(v.len == 1 && v.s == w.s + 8);
    w.s = "--count=";
    w.len = 8;
    if (CHECK(word_option(&w, "--count", &v)))
        CHECK_UEQ(v.len, 0);
    w.s = "--c=a=b";
    w.len = 7;
    if (CHECK(word_option(&w, "--c", &v)))
        CHECK(v.len == 3 && memcmp(v.s, "a=b", 3) == 0);
}

static void word_option_refuses_other_names(void)
{
    static const char *const words[] = {"--count", "--counter=5", "--coun=5",
                                        "count=5", "--count5",    "-count=5"};
    struct word w, v = {NULL, 0};
    size_t i;
    for (i = 0; i < CHECK_COUNT(words); i++) {
        w.s = words[i];
        w.len = strlen(words[i]);
        if (!CHECK(!word_option(&w, "--count", &v)))
            check_note("word \"%s\"", words[i]);
    }
    CHECK_NULL(v.s);
    /* The name ends inside the word's bytes, not at the string's NUL. */
    w.s = "--count=5";
    w.len = 7;
    CHECK(!word_option(&w, "--count", &v));
}

/* word_number() of (s) with (scale, max), checked to give (expected), or
 * to fail and leave its output alone when (ok) is 0. */
static void number_is(const char *file, int line, const char *s, unsigned scale,
                      uint64_t max, int ok, uint64_t expected)
{
    char expr[96];
    struct word w = {s, strlen(s)};
    uint64_t v = 0xabcdef;
    int rc = word_number(&w, scale, max, &v);

    snprintf(expr, sizeof expr, "word_number(\"%s\", %u, %ju)", s, scale,
             (uintmax_t)max);
    check_int(file, line, expr, ok ? "0" : "-1", rc, ok ? 0 : -1, CHECK_OP_EQ);
    check_uint(file, line, "its value", ok ? "the expected" : "untouched", v,
               ok ? expected : 0xabcdef, CHECK_OP_EQ);
}
#define NUMBER(s, scale, max, expected)                                        \
    number_is(__FILE__, __LINE__, (s), (scale), (max), 1, (expected))
#define NOT_NUMBER(s, scale, max)                                              \
    number_is(__FILE__, __LINE__, (s), (scale), (max), 0, 0)

static void word_number_reads_decimal_integers(void)
{
    NUMBER("0", 0, 100, 0);
    NUMBER("5", 0, 100, 5);
    NUMBER("42", 0, 100, 42);
    NUMBER("007", 0, 100, 7);
    NUMBER("100", 0, 100, 100);
}

static void word_number_counts_decimals_in_units_of_the_scale(void)
{
    NUMBER("1.5", 3, 100000, 1500);
    NUMBER("2", 3, 100000, 2000);
    NUMBER("0.001", 3, 100000, 1);
    NUMBER("0.25", 9, UINT64_MAX, 250000000);
    NUMBER("1.5", 9, UINT64_MAX, 1500000000);
    NUMBER("3.000", 3, 100000, 3000);
}

static void word_number_refuses_more_decimals_than_the_scale(void)
{
    NOT_NUMBER("1.2345", 3, 100000);
    NOT_NUMBER("0.0001", 3, 100000);
    NOT_NUMBER("1.5", 0, 100000);
    NOT_NUMBER("1.", 0, 100000);
}

static void word_number_refuses_values_above_max(void)
{
    NOT_NUMBER("17", 0, 16);
    NUMBER("16", 0, 16, 16);
    NOT_NUMBER("5", 0, 0);
    NUMBER("0", 0, 0, 0);
    NOT_NUMBER("1000", 0, 999);
    /* Through the decimals, and through the zeros the scale adds. */
    NOT_NUMBER("1.5", 3, 1499);
    NUMBER("1.5", 3, 1500, 1500);
    NOT_NUMBER("2", 3, 1999);
    NOT_NUMBER("0.002", 3, 1);
}

static void word_number_reads_up_to_uint64_max_without_overflow(void)
{
    NUMBER("18446744073709551615", 0, UINT64_MAX, UINT64_MAX);
    NOT_NUMBER("18446744073709551616", 0, UINT64_MAX);
    NOT_NUMBER("18446744073709551620", 0, UINT64_MAX);
    NOT_NUMBER("99999999999999999999", 0, UINT64_MAX);
    NOT_NUMBER("184467440737095516150", 0, UINT64_MAX);
    NUMBER("00000000000000000000000000018446744073709551615", 0, UINT64_MAX,
           UINT64_MAX);
    NUMBER("18446744073.709551615", 9, UINT64_MAX, UINT64_MAX);
    NOT_NUMBER("18446744073.709551616", 9, UINT64_MAX);
    NOT_NUMBER("18446744074", 9, UINT64_MAX);
}

static void word_number_refuses_anything_but_digits_and_one_dot(void)
{
    static const char *const words[] = {"",    ".",    "-1",    "+1",
                                        " 1",  "1 ",   "1.2.3", "1..2",
                                        "1e3", "0x10", "1,5",   "one"};
    size_t i;
    for (i = 0; i < CHECK_COUNT(words); i++)
        number_is(__FILE__, __LINE__, words[i], 3, UINT64_MAX, 0, 0);
}

static void word_number_reads_only_the_words_bytes(void)
{
    struct word w = {"123456", 3};
    uint64_t v = 0;
    CHECK_EQ(word_number(&w, 0, 1000, &v), 0);
    CHECK_UEQ(v, 123);
}

/* ---- args.h: args_parse, a command line read by a table. */

/* The places of the test table, and the table. */
static struct {
    uint32_t addr, peer, netmask;
    uint64_t count, seconds;
    int flag;
} got;

static const struct arg table[] = {
    {"PEER", "whom to talk to", .ipv4 = &got.peer, .required = 1},
    {"ADDRESS", "our address (10.0.0.2)", .ipv4 = &got.addr},
    {"--count", "how many (3)", .number = &got.count, .min = 1, .max = 16},
    {"--seconds", "how long (never)", .number = &got.seconds, .decimals = 3,
     .min = 1, .max = UINT64_MAX, .value = "S"},
    {"--prefix", "the netmask's length (24)", .netmask = &got.netmask},
    {"--flag", "a flag", .flag = &got.flag},
    {0},
};

/* args_parse() of (cmdline) by the test table, into (text), from the
 * table's defaults. */
static int parse(const char *cmdline, char *text)
{
    got.addr = ME_IP;
    got.peer = 0;
    got.netmask = 0xffffff00u;
    got.count = 3;
    got.seconds = 0;
    got.flag = 0;
    return args_parse(cmdline, "prog", table, text, ARGS_TEXT_MAX);
}

static void args_parse_stores_each_word_where_its_entry_says(void)
{
    char text[ARGS_TEXT_MAX];
    CHECK_EQ(parse("--solo5:quiet 10.0.0.1 --count=16 --seconds=1.5 "
                   "--prefix=16 --flag 10.0.0.9",
                   text),
             ARGS_RUN);
    CHECK_STR_EQ(text, "");
    CHECK_UEQ(got.peer, PEER_IP);
    CHECK_UEQ(got.addr, STRANGER_IP);
    CHECK_UEQ(got.count, 16);
    CHECK_UEQ(got.seconds, 1500);
    CHECK_UEQ(got.netmask, 0xffff0000u);
    CHECK_EQ(got.flag, 1);
    CHECK_STR_EQ(program_name, "prog");
}

static void args_parse_leaves_the_defaults_of_what_is_not_given(void)
{
    char text[ARGS_TEXT_MAX];
    CHECK_EQ(parse("10.0.0.1 --prefix=0", text), ARGS_RUN);
    CHECK_UEQ(got.addr, ME_IP);
    CHECK_UEQ(got.count, 3);
    CHECK_UEQ(got.netmask, 0);
    CHECK_EQ(got.flag, 0);
}

/* args_parse() of (cmdline) refuses it with the line (line). */
static void refused_with(const char *file, int line, const char *cmdline,
                         const char *expected)
{
    char text[ARGS_TEXT_MAX];
    int rc = parse(cmdline, text);
    if (!check_true(file, line, "args_parse() refuses", rc == ARGS_BAD) ||
        !check_str(file, line, "text", "expected", text, expected, 0))
        check_note("command line \"%s\"", cmdline);
}
#define REFUSED(cmdline, line) refused_with(__FILE__, __LINE__, cmdline, line)

static void args_parse_refuses_a_bad_word_in_one_line_naming_it(void)
{
    REFUSED("10.0.0.1 --cuont=2",
            "prog: bad argument '--cuont=2': unknown option "
            "(--help lists the options)\n");
    REFUSED("10.0.0.1 10.0.0.2 10.0.0.3",
            "prog: bad argument '10.0.0.3': one word too many "
            "(--help lists the options)\n");
    REFUSED("10.0.0.1 --flag=1", "prog: bad argument '--flag=1': --flag "
                                 "takes no value\n");
    REFUSED("10.0.0.300", "prog: bad argument '10.0.0.300': PEER is an IPv4 "
                          "address (a.b.c.d)\n");
    REFUSED("", "prog: whom to talk to is missing (PEER; --help lists the "
                "options)\n");
}

static void args_parse_refuses_values_out_of_range_naming_the_range(void)
{
    REFUSED("10.0.0.1 --count=17", "prog: bad argument '--count=17': --count "
                                   "is a whole number from 1 to 16\n");
    REFUSED("10.0.0.1 --count=0", "prog: bad argument '--count=0': --count "
                                  "is a whole number from 1 to 16\n");
    REFUSED("10.0.0.1 --count", "prog: bad argument '--count': --count is "
                                "a whole number from 1 to 16\n");
    REFUSED("10.0.0.1 --seconds=0",
            "prog: bad argument '--seconds=0': --seconds is a number with "
            "up to 3 decimals, above 0\n");
    REFUSED("10.0.0.1 --seconds=0.0001",
            "prog: bad argument '--seconds=0.0001': --seconds is a number "
            "with up to 3 decimals, above 0\n");
    REFUSED("10.0.0.1 --prefix=33", "prog: bad argument '--prefix=33': "
                                    "--prefix is a prefix length from 0 to "
                                    "32\n");
}

static void args_parse_takes_measure_stacks_anywhere(void)
{
    char text[ARGS_TEXT_MAX];
    CHECK_EQ(parse("10.0.0.1", text), ARGS_RUN);
    CHECK_EQ(args_measure_stacks, 0);
    CHECK_EQ(parse("--measure-stacks 10.0.0.1 --count=2", text), ARGS_RUN);
    CHECK_EQ(args_measure_stacks, 1);
    CHECK_STR_EQ(text, "");
    /* Read anew each time. */
    CHECK_EQ(parse("10.0.0.1", text), ARGS_RUN);
    CHECK_EQ(args_measure_stacks, 0);
}

static void args_parse_answers_help_with_the_table(void)
{
    char text[ARGS_TEXT_MAX];
    CHECK_EQ(parse("--count=99 --help", text), ARGS_HELP);
    CHECK_STR_EQ(text, "usage: prog PEER [ADDRESS] [--count=N] [--seconds=S] "
                       "[--prefix=BITS] [--flag]\n"
                       "  PEER       whom to talk to\n"
                       "  ADDRESS    our address (10.0.0.2)\n"
                       "  --count    how many (3)\n"
                       "  --seconds  how long (never)\n"
                       "  --prefix   the netmask's length (24)\n"
                       "  --flag     a flag\n"
                       "Every example also takes --measure-stacks: at the "
                       "end, how deep each task's stack went.\n");
}

static void args_parse_cuts_what_does_not_fit(void)
{
    char text[32];
    size_t i;
    memset(text, 'X', sizeof text);
    got.peer = 0;
    CHECK_EQ(args_parse("--nope", "prog", table, text, 16), ARGS_BAD);
    CHECK_STR_EQ(text, "prog: bad argum");
    for (i = 16; i < sizeof text; i++)
        if (!CHECK_EQ(text[i], 'X'))
            check_note("byte %zu, past the 16 given", i);
}

static const struct check_case cases[] = {
    {"ipv4_parse reads dotted quads in host order",
     ipv4_parse_reads_dotted_quads},
    {"ipv4_parse reads exactly len bytes", ipv4_parse_reads_exactly_len_bytes},
    {"ipv4_parse refuses other than four parts, leaving the address alone",
     ipv4_parse_refuses_other_than_four_parts},
    {"ipv4_parse refuses empty parts", ipv4_parse_refuses_empty_parts},
    {"ipv4_parse refuses parts above 255", ipv4_parse_refuses_parts_above_255},
    {"ipv4_parse refuses parts of more than three digits",
     ipv4_parse_refuses_more_than_three_digits},
    {"ipv4_parse refuses signs, spaces and other characters",
     ipv4_parse_refuses_other_characters},
    {"ipv4_parse refuses NULL pointers", ipv4_parse_refuses_null_pointers},
    {"ipv4_format writes plain decimals", ipv4_format_writes_plain_decimals},
    {"ipv4_format fits the longest address in IPV4_STRLEN bytes",
     ipv4_format_fits_the_longest_in_ipv4_strlen},
    {"ipv4_format and ipv4_parse round-trip",
     ipv4_format_and_ipv4_parse_round_trip},
    {"mac_format writes lower-case hex pairs in MAC_STRLEN bytes",
     mac_format_writes_lower_case_hex_pairs},
    {"inet_checksum of RFC 1071's example is the complement of ddf2",
     inet_checksum_of_rfc_1071_example},
    {"inet_checksum pads an odd length with a zero byte",
     inet_checksum_pads_an_odd_length_with_a_zero},
    {"inet_checksum of nothing is ffff", inet_checksum_of_nothing_is_ffff},
    {"inet_checksum over data holding its checksum is zero",
     inet_checksum_over_its_own_value_is_zero},
    {"inet_checksum folds every carry", inet_checksum_folds_every_carry},
    {"inet_sum in pieces, then inet_fold, is inet_checksum of the whole",
     inet_sum_in_pieces_is_inet_checksum_of_the_whole},
    {"inet_checksum does not need aligned data",
     inet_checksum_does_not_need_alignment},
    {"an ARP request for us gets a reply that arp_reply_parse reads back",
     an_arp_request_for_us_gets_a_reply_arp_reply_parse_reads},
    {"the ARP reply goes to the asker and is padded with zeros",
     the_arp_reply_goes_to_the_asker_and_is_padded_with_zeros},
    {"an ARP request sent to our MAC gets a reply",
     an_arp_request_sent_to_our_mac_gets_a_reply},
    {"an ARP request without padding gets a reply",
     an_arp_request_without_padding_gets_a_reply},
    {"an ARP request for another address is ignored",
     an_arp_request_for_another_address_is_ignored},
    {"an ARP request sent to another MAC is ignored",
     an_arp_request_sent_to_another_mac_is_ignored},
    {"an ARP reply is not answered", an_arp_reply_is_not_answered},
    {"ARP for other hardware or protocols is ignored",
     arp_for_other_hardware_or_protocols_is_ignored},
    {"a truncated ARP request is malformed",
     a_truncated_arp_request_is_malformed},
    {"ARP with wrong address lengths is malformed",
     arp_with_wrong_address_lengths_is_malformed},
    {"no ARP reply goes to a group MAC", no_arp_reply_goes_to_a_group_mac},
    {"an ARP reply is not padded when out has no room for 60 bytes",
     an_arp_reply_is_not_padded_when_out_has_no_room},
    {"an ARP reply that does not fit in out is not written",
     an_arp_reply_that_does_not_fit_is_not_written},
    {"arp_request_build asks everyone who has the address",
     arp_request_build_asks_everyone},
    {"arp_request_build needs room for 60 bytes",
     arp_request_build_needs_room_for_60_bytes},
    {"arp_reply_parse refuses a reply from another address",
     arp_reply_parse_refuses_a_reply_from_another_address},
    {"arp_reply_parse takes a broadcast reply",
     arp_reply_parse_takes_a_broadcast_reply},
    {"arp_reply_parse refuses a reply to another MAC",
     arp_reply_parse_refuses_a_reply_to_another_mac},
    {"arp_reply_parse refuses a request", arp_reply_parse_refuses_a_request},
    {"arp_reply_parse refuses a group sender",
     arp_reply_parse_refuses_a_group_sender},
    {"arp_reply_parse refuses a truncated or foreign frame",
     arp_reply_parse_refuses_a_truncated_or_foreign_frame},
    {"an echo request gets a reply with the same id, seq and data",
     an_echo_request_gets_a_reply_with_the_same_id_seq_and_data},
    {"the echo reply goes back to the asker with TTL 64",
     the_echo_reply_goes_back_to_the_asker_with_ttl_64},
    {"an echo request with a bad IP checksum is malformed",
     an_echo_request_with_a_bad_ip_checksum_is_malformed},
    {"an echo request with a bad ICMP checksum is malformed",
     an_echo_request_with_a_bad_icmp_checksum_is_malformed},
    {"padding after the IP packet is accepted and not echoed",
     padding_after_the_ip_packet_is_not_echoed},
    {"a truncated echo request is malformed",
     a_truncated_echo_request_is_malformed},
    {"a frame shorter than an Ethernet header is malformed",
     a_frame_shorter_than_an_ethernet_header_is_malformed},
    {"an IP header length below 20 bytes is malformed",
     an_ip_header_length_below_20_is_malformed},
    {"an IP header longer than the frame is malformed",
     an_ip_header_longer_than_the_frame_is_malformed},
    {"an IP total length below the header length is malformed",
     an_ip_total_length_below_the_header_is_malformed},
    {"an IP version other than 4 is malformed",
     an_ip_version_other_than_4_is_malformed},
    {"an ICMP message shorter than 8 bytes is malformed",
     an_icmp_message_shorter_than_8_bytes_is_malformed},
    {"an echo request to another address is ignored",
     an_echo_request_to_another_address_is_ignored},
    {"an echo request to another MAC, even broadcast, is ignored",
     an_echo_request_to_another_mac_is_ignored},
    {"no echo reply goes to a group MAC", no_echo_reply_goes_to_a_group_mac},
    {"an echo request with IP options gets a reply without them",
     an_echo_request_with_ip_options_gets_a_reply_without_them},
    {"IP options are covered by the header checksum",
     ip_options_are_checked_by_the_header_checksum},
    {"fragments are ignored", fragments_are_ignored},
    {"other ICMP messages are ignored", other_icmp_messages_are_ignored},
    {"other IP protocols are ignored", other_ip_protocols_are_ignored},
    {"other EtherTypes are ignored", other_ethertypes_are_ignored},
    {"a short echo reply is padded to 60 bytes with zeros",
     a_short_echo_reply_is_padded_to_60_bytes_with_zeros},
    {"an echo reply is not padded when out has no room for 60 bytes",
     an_echo_reply_is_not_padded_when_out_has_no_room},
    {"an echo reply that does not fit in out is not written",
     an_echo_reply_that_does_not_fit_is_not_written},
    {"a NULL out gets no answer", a_null_out_gets_no_answer},
    {"the longest echo request gets a reply",
     the_longest_echo_request_gets_a_reply},
    {"echo_request_build uses TTL 64 unless told",
     echo_request_build_uses_ttl_64_unless_told},
    {"echo_request_build refuses what does not fit",
     echo_request_build_refuses_what_does_not_fit},
    {"echo_reply_parse refuses a request", echo_reply_parse_refuses_a_request},
    {"echo_reply_parse refuses a reply to someone else",
     echo_reply_parse_refuses_a_reply_to_someone_else},
    {"echo_reply_parse refuses bad checksums",
     echo_reply_parse_refuses_bad_checksums},
    {"echo_reply_parse refuses a truncated or foreign frame",
     echo_reply_parse_refuses_a_truncated_or_foreign_frame},
    {"echo_reply_parse reports the TTL", echo_reply_parse_reports_the_ttl},
    {"responder_init sets the address and zeroes the counts",
     responder_init_sets_the_address_and_zeroes_the_counts},
    {"each frame moves exactly one counter",
     each_frame_moves_exactly_one_counter},
    {"word_next splits on runs of spaces", word_next_splits_on_runs_of_spaces},
    {"word_next skips the tender's --solo5: words",
     word_next_skips_the_tenders_solo5_words},
    {"word_next finds nothing in empty lines",
     word_next_finds_nothing_in_empty_lines},
    {"word_is compares whole words", word_is_compares_whole_words},
    {"word_option reads the value after the equals sign",
     word_option_reads_the_value_after_the_equals_sign},
    {"word_option refuses other names", word_option_refuses_other_names},
    {"word_number reads decimal integers", word_number_reads_decimal_integers},
    {"word_number counts decimals in units of the scale",
     word_number_counts_decimals_in_units_of_the_scale},
    {"word_number refuses more decimals than the scale",
     word_number_refuses_more_decimals_than_the_scale},
    {"word_number refuses values above max",
     word_number_refuses_values_above_max},
    {"word_number reads up to UINT64_MAX without overflow",
     word_number_reads_up_to_uint64_max_without_overflow},
    {"word_number refuses anything but digits and one dot",
     word_number_refuses_anything_but_digits_and_one_dot},
    {"word_number reads only the word's bytes",
     word_number_reads_only_the_words_bytes},
    {"args_parse stores each word where its entry says",
     args_parse_stores_each_word_where_its_entry_says},
    {"args_parse leaves the defaults of what is not given",
     args_parse_leaves_the_defaults_of_what_is_not_given},
    {"args_parse refuses a bad word in one line naming it",
     args_parse_refuses_a_bad_word_in_one_line_naming_it},
    {"args_parse refuses values out of range, naming the range",
     args_parse_refuses_values_out_of_range_naming_the_range},
    {"args_parse takes --measure-stacks anywhere, for every program",
     args_parse_takes_measure_stacks_anywhere},
    {"args_parse answers --help with the table",
     args_parse_answers_help_with_the_table},
    {"args_parse cuts what does not fit in its text, never writing past it",
     args_parse_cuts_what_does_not_fit},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("netstack", si, cases, CHECK_COUNT(cases));
}
