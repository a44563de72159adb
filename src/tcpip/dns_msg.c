/*
 * dns_msg.c - DNS queries and the parse of their answers (dns_msg.h).
 *
 * Names are compared in wire form, labels lower-cased: a length byte,
 * then the label's bytes, ending with a zero byte, 255 bytes at most.
 * Compression pointers must point back, before the part of the name
 * being read: each jump lands earlier than the one before, so that no
 * name can loop, and a name is never longer than 255 bytes, however
 * many pointers it takes.
 */
#include <string.h>

#include "dns_msg.h"
#include "util/bytes.h"

#define HEADER 12
#define NAME_WIRE_MAX 255
/* Records that fit in an answer: each takes at least 11 bytes. */
#define RECORDS_MAX ((DNS_ANSWER_MAX - HEADER) / 11 + 1)

static uint8_t lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

size_t dns_name_ok(const char *name)
{
    size_t len, label = 0;
    if (!name)
        return 0;
    len = strlen(name);
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (len == 0 || len > DNS_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (name[i] != '.') {
            if (++label > 63)
                return 0;
        } else if (label == 0) {
            return 0; /* an empty label */
        } else {
            label = 0;
        }
    }
    return label ? len : 0;
}

/* (name)'s wire form, lower-cased, into (out) (NAME_WIRE_MAX bytes);
 * returns its length, or 0. */
static size_t name_to_wire(const char *name, uint8_t *out)
{
    size_t len = dns_name_ok(name), n = 0, start = 0;
    if (!len)
        return 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && name[i] != '.')
            continue;
        out[n++] = (uint8_t)(i - start);
        for (size_t j = start; j < i; j++)
            out[n++] = lower((uint8_t)name[j]);
        start = i + 1;
    }
    out[n++] = 0;
    return n;
}

size_t dns_query_build(uint8_t *buf, size_t size, uint16_t id, const char *name,
                       uint16_t qtype)
{
    uint8_t wire[NAME_WIRE_MAX];
    size_t n = name_to_wire(name, wire);
    if (!n || size < HEADER + n + 4)
        return 0;
    memset(buf, 0, HEADER);
    miou__put16(buf, id);
    buf[2] = 0x01; /* RD: recursion desired */
    miou__put16(buf + 4, 1);
    /* The wire form lower-cased is still the name: DNS compares names
     * without case (RFC 4343). */
    memcpy(buf + HEADER, wire, n);
    miou__put16(buf + HEADER + n, qtype);
    miou__put16(buf + HEADER + n + 2, DNS_CLASS_IN);
    return HEADER + n + 4;
}

/* Read the name at (pos) of (msg) into (out), wire form lower-cased;
 * (*next) is where the record goes on after it. Returns the name's
 * length, or 0 when it is malformed: out of the message, a label type
 * other than 0 (a label) or 3 (a pointer), a pointer that does not go
 * back before the part being read, more than 255 bytes. */
static size_t read_name(const uint8_t *msg, size_t len, size_t pos,
                        uint8_t *out, size_t *next)
{
    size_t p = pos, n = 0, segment = pos;
    int jumped = 0;
    for (;;) {
        if (p >= len)
            return 0;
        uint8_t c = msg[p];
        if (c == 0) {
            out[n++] = 0;
            if (!jumped)
                *next = p + 1;
            return n;
        }
        if ((c & 0xc0) == 0xc0) {
            if (p + 1 >= len)
                return 0;
            size_t target = (size_t)(c & 0x3f) << 8 | msg[p + 1];
            if (target >= segment)
                return 0; /* not back before this part: could loop */
            if (!jumped)
                *next = p + 2;
            jumped = 1;
            p = segment = target;
            continue;
        }
        if (c & 0xc0)
            return 0; /* 0x40, 0x80: not labels we know */
        /* The label, and still room for the final zero. */
        if (p + 1 + c > len || n + 1 + c + 1 > NAME_WIRE_MAX)
            return 0;
        out[n++] = c;
        for (size_t i = 0; i < c; i++)
            out[n++] = lower(msg[p + 1 + i]);
        p += 1 + (size_t)c;
    }
}

/* A record of the answer section, as read once. */
struct record {
    size_t owner;   /* offset of its owner name */
    size_t rdata;   /* offset of its data */
    uint16_t rdlen; /* bytes of its data */
    uint16_t type;  /* of class IN; 0 for another class */
    uint32_t ttl;   /* capped */
};

/* Whether the owner of (r) is the wire name (name) of (nlen) bytes. */
static int owned_by(const uint8_t *msg, size_t len, const struct record *r,
                    const uint8_t *name, size_t nlen)
{
    uint8_t owner[NAME_WIRE_MAX];
    size_t next;
    size_t n = read_name(msg, len, r->owner, owner, &next);
    return n == nlen && memcmp(owner, name, n) == 0;
}

/* Read the (count) records from (*pos) into (rec) (room for RECORDS_MAX):
 * 0, or -1 when one is malformed or they do not fit. */
static int read_records(const uint8_t *msg, size_t len, size_t *pos,
                        unsigned count, struct record *rec)
{
    uint8_t name[NAME_WIRE_MAX];
    if (count > RECORDS_MAX)
        return -1; /* more than the message can hold */
    for (unsigned i = 0; i < count; i++) {
        size_t next;
        rec[i].owner = *pos;
        if (!read_name(msg, len, *pos, name, &next) || next + 10 > len)
            return -1;
        uint16_t type = miou__get16(msg + next),
                 class = miou__get16(msg + next + 2);
        uint32_t ttl = miou__get32(msg + next + 4);
        rec[i].rdlen = miou__get16(msg + next + 8);
        rec[i].rdata = next + 10;
        if (rec[i].rdata + rec[i].rdlen > len)
            return -1; /* data past the end */
        rec[i].type = class == DNS_CLASS_IN ? type : 0;
        rec[i].ttl = ttl > 0x7fffffffu   ? 0
                     : ttl > DNS_TTL_MAX ? DNS_TTL_MAX
                                         : ttl;
        *pos = rec[i].rdata + rec[i].rdlen;
    }
    return 0;
}

/* Follow the CNAMEs from the wire name (name) of (*nlen) bytes, which
 * becomes the last name of the chain; (*ttl) the least TTL on the way.
 * Returns how many were followed, or -1 for a malformed target or a
 * chain longer than DNS_CNAME_MAX. */
static int follow_cnames(const uint8_t *msg, size_t len,
                         const struct record *rec, unsigned count,
                         uint8_t *name, size_t *nlen, uint32_t *ttl)
{
    for (int hops = 0;; hops++) {
        unsigned i;
        for (i = 0; i < count; i++)
            if (rec[i].type == DNS_TYPE_CNAME &&
                owned_by(msg, len, &rec[i], name, *nlen))
                break;
        if (i == count)
            return hops;
        if (hops == DNS_CNAME_MAX)
            return -1;
        uint8_t target[NAME_WIRE_MAX];
        size_t next;
        size_t n = read_name(msg, len, rec[i].rdata, target, &next);
        if (!n || next > rec[i].rdata + rec[i].rdlen)
            return -1; /* the name runs past its record */
        memcpy(name, target, n);
        *nlen = n;
        if (rec[i].ttl < *ttl)
            *ttl = rec[i].ttl;
    }
}

int dns_answer_parse(const uint8_t *msg, size_t len, uint16_t id,
                     const char *name, uint16_t qtype, uint8_t (*addrs)[16],
                     size_t max, struct dns_answer *out)
{
    uint8_t want[NAME_WIRE_MAX], got[NAME_WIRE_MAX];
    struct record rec[RECORDS_MAX];
    size_t wlen = name_to_wire(name, want), pos;
    size_t alen = qtype == DNS_TYPE_A ? 4 : qtype == DNS_TYPE_AAAA ? 16 : 0;
    struct dns_answer a = {0};
    if (!msg || !out || !wlen || !alen || len < HEADER ||
        len > DNS_ANSWER_MAX || miou__get16(msg) != id)
        return -1;
    uint16_t flags = miou__get16(msg + 2);
    if (!(flags & 0x8000) || (flags >> 11 & 15) != 0 ||
        miou__get16(msg + 4) != 1)
        return -1; /* not a response to a standard query of one question */
    /* The question: ours. */
    if (read_name(msg, len, HEADER, got, &pos) != wlen ||
        memcmp(got, want, wlen) != 0 || pos + 4 > len ||
        miou__get16(msg + pos) != qtype ||
        miou__get16(msg + pos + 2) != DNS_CLASS_IN)
        return -1;
    pos += 4;
    a.truncated = (flags & 0x0200) != 0;
    a.ttl = DNS_TTL_MAX;
    switch (flags & 15) {
    case 0:
        a.result = DNS_ADDRESSES;
        break;
    case 3:
        a.result = DNS_NXDOMAIN;
        a.ttl = 0;
        *out = a;
        return 0;
    default:
        a.result = DNS_SERVFAIL;
        a.ttl = 0;
        *out = a;
        return 0;
    }
    unsigned count = miou__get16(msg + 6);
    if (read_records(msg, len, &pos, count, rec) != 0)
        return -1;
    int cnames = follow_cnames(msg, len, rec, count, want, &wlen, &a.ttl);
    if (cnames < 0)
        return -1;
    a.cnames = (unsigned)cnames;
    for (unsigned i = 0; i < count; i++) {
        if (rec[i].type != qtype || !owned_by(msg, len, &rec[i], want, wlen))
            continue;
        if (rec[i].rdlen != alen)
            return -1; /* an A record is 4 bytes, an AAAA 16 */
        if (a.count < max && addrs) {
            memset(addrs[a.count], 0, 16);
            memcpy(addrs[a.count], msg + rec[i].rdata, alen);
            a.count++;
        }
        a.found++;
        if (rec[i].ttl < a.ttl)
            a.ttl = rec[i].ttl;
    }
    if (a.found == 0)
        a.ttl = 0; /* no data: nothing to keep */
    *out = a;
    return 0;
}
