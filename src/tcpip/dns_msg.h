/*
 * dns_msg.h - DNS messages (RFC 1035) as the resolver needs them: a
 * query for one name and one type, and the parse of its answer.
 *
 * Pure code: no lwIP, no miou, no allocation, every loop bounded by the
 * message's length or a constant, so that tests/fuzz/fuzz_dns.c runs it
 * alone on any bytes. An answer is taken only when everything it holds
 * checks: the header (a response, a standard query, the ID), the
 * question (our name, case aside, our type, class IN), and every record
 * up to the ones we use (names whose labels and compression pointers
 * stay inside the message, each pointer going back to an earlier byte,
 * at most 255 bytes of name, rdata inside the message, an A record of
 * 4 bytes, an AAAA of 16). CNAME chains are followed, at most
 * DNS_CNAME_MAX deep. Anything else is dropped whole: a malformed or
 * hostile message is never half used.
 */
#ifndef MIOU_TCPIP_DNS_MSG_H
#define MIOU_TCPIP_DNS_MSG_H

#include <stddef.h>
#include <stdint.h>

#define DNS_PORT 53
#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA 28
#define DNS_CLASS_IN 1
/* A name as text, its trailing dot left out: at most 253 characters. */
#define DNS_NAME_MAX 253
/* A query: the header, the name (at most 255 bytes on the wire), type
 * and class. */
#define DNS_QUERY_MAX (12 + 255 + 4)
/* The longest answer taken (without EDNS a server sends at most 512
 * bytes over UDP; some send more). */
#define DNS_ANSWER_MAX 1500
/* CNAMEs followed from the name asked, at most. */
#define DNS_CNAME_MAX 8
/* TTLs are capped at a day, and one with its top bit set counts as 0
 * (RFC 2181 8). */
#define DNS_TTL_MAX 86400u

/* What an answer said. */
enum dns_result {
    DNS_ADDRESSES, /* RCODE 0: (count) addresses, possibly 0 (no data) */
    DNS_NXDOMAIN,  /* RCODE 3: the name does not exist */
    DNS_SERVFAIL,  /* any other RCODE: the server failed or refused */
};

struct dns_answer {
    enum dns_result result;
    int truncated;   /* TC: the server had more than it sent */
    unsigned count;  /* addresses of the type asked, in (addrs) */
    unsigned found;  /* how many the answer held (count at most max) */
    uint32_t ttl;    /* seconds: the least TTL of the records used */
    unsigned cnames; /* CNAMEs followed */
};

/* Whether (name) is one we can ask for: labels of 1 to 63 bytes separated
 * by dots, at most DNS_NAME_MAX bytes without one trailing dot (which is
 * allowed), no empty label. Returns its length without the trailing dot,
 * or 0 when it is not a name. */
size_t dns_name_ok(const char *name);

/* Write into (buf) of (size) bytes the query (id) for (name) (checked by
 * dns_name_ok()) of type (qtype), recursion desired. Returns its length,
 * or 0 when (name) is not a name or (buf) too small. */
size_t dns_query_build(uint8_t *buf, size_t size, uint16_t id, const char *name,
                       uint16_t qtype);

/* Parse (msg), (len) bytes, as the answer to query (id) for (name) of
 * type (qtype): 0 with (*out) filled and at most (max) addresses of the
 * type (4 bytes for A, 16 for AAAA, each in a 16-byte slot of (addrs))
 * in the answer's order, or -1 when the message is not that answer or
 * is malformed (then (*out) and (addrs) say nothing). */
int dns_answer_parse(const uint8_t *msg, size_t len, uint16_t id,
                     const char *name, uint16_t qtype, uint8_t (*addrs)[16],
                     size_t max, struct dns_answer *out);

#endif
