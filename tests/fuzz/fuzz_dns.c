/*
 * fuzz_dns.c - a libFuzzer target over the resolver's message code
 * (src/tcpip/dns_msg.c): dns_answer_parse() on any bytes, as the answer
 * to a query for www.example.test, and dns_name_ok() / dns_query_build()
 * on any text. Properties that must hold for every input:
 *
 *  - the parse never reads outside the message (AddressSanitizer sees
 *    it: the message is a buffer of exactly its length) nor writes more
 *    than (max) addresses (likewise), and ends (a pointer loop would hang:
 *    -timeout catches it);
 *  - it returns 0 or -1; with 0, the result is one of the three, count is
 *    at most max and at most found, no addresses but with RCODE 0, the
 *    TTL at most a day, the CNAMEs followed at most DNS_CNAME_MAX, and an
 *    A address leaves its slot's 12 last bytes 0;
 *  - it is a function: the same bytes parse the same way twice;
 *  - a name dns_name_ok() takes gives a query whose question, turned
 *    into an answer (QR set, no records), parses back as "no data";
 *    a query itself (QR clear) is never taken as an answer.
 *
 * The first byte of an input steers: bit 0 the type asked (A or AAAA),
 * bits 1-3 how many addresses the caller has room for (0 to 7); the rest
 * is the message. With --seeds DIR it writes its seed inputs (answers of
 * each kind: addresses of both types, a CNAME chain with compression,
 * NXDOMAIN, SERVFAIL, truncated) and exits. Build and run
 * (scripts/check_fuzz.sh does, bounded):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       tests/fuzz/fuzz_dns.c src/tcpip/dns_msg.c -o build/fuzz/fuzz_dns
 *   build/fuzz/fuzz_dns --seeds DIR && build/fuzz/fuzz_dns DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpip/dns_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define REQUIRE(cond)                                                          \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz_dns.c:%d: property failed: %s\n", __LINE__,  \
                    #cond);                                                    \
            abort();                                                           \
        }                                                                      \
    } while (0)

#define NAME "www.example.test"
#define ID 0x1234

static void check_answer(const uint8_t *msg, size_t len, uint16_t qtype,
                         size_t max)
{
    /* Exactly (max) slots, so that one more write is seen. */
    uint8_t(*addrs)[16] = max ? malloc(max * 16) : NULL;
    struct dns_answer a, b;
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, msg, len);
    int rc = dns_answer_parse(copy, len, ID, NAME, qtype, addrs, max, &a);
    REQUIRE(rc == 0 || rc == -1);
    if (rc == 0) {
        REQUIRE(a.result == DNS_ADDRESSES || a.result == DNS_NXDOMAIN ||
                a.result == DNS_SERVFAIL);
        REQUIRE(a.count <= max && a.count <= a.found);
        REQUIRE(a.result == DNS_ADDRESSES || a.found == 0);
        REQUIRE(a.ttl <= DNS_TTL_MAX && a.cnames <= DNS_CNAME_MAX);
        REQUIRE(a.found > 0 || a.ttl == 0);
        for (unsigned i = 0; i < a.count && qtype == DNS_TYPE_A; i++)
            for (int k = 4; k < 16; k++)
                REQUIRE(addrs[i][k] == 0);
    }
    REQUIRE(dns_answer_parse(copy, len, ID, NAME, qtype, NULL, 0, &b) == rc);
    REQUIRE(rc != 0 || (b.result == a.result && b.found == a.found &&
                        b.ttl == a.ttl && b.count == 0));
    free(copy);
    free(addrs);
}

/* The input as a name: taken names make a query whose answer parses. */
static void check_name(const uint8_t *data, size_t size)
{
    char name[300];
    uint8_t q[DNS_QUERY_MAX];
    struct dns_answer a;
    if (size >= sizeof name)
        size = sizeof name - 1;
    memcpy(name, data, size);
    name[size] = '\0';
    size_t ok = dns_name_ok(name);
    size_t n = dns_query_build(q, sizeof q, ID, name, DNS_TYPE_AAAA);
    REQUIRE((ok != 0) == (n != 0) && ok <= DNS_NAME_MAX && n <= sizeof q);
    if (!n)
        return;
    REQUIRE(dns_answer_parse(q, n, ID, name, DNS_TYPE_AAAA, NULL, 0, &a) == -1);
    q[2] |= 0x80; /* the question, as an answer with no record */
    REQUIRE(dns_answer_parse(q, n, ID, name, DNS_TYPE_AAAA, NULL, 0, &a) == 0);
    REQUIRE(a.result == DNS_ADDRESSES && a.found == 0 && a.ttl == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint16_t qtype = data[0] & 1 ? DNS_TYPE_AAAA : DNS_TYPE_A;
    size_t max = (size_t)(data[0] >> 1 & 7);
    check_answer(data + 1, size - 1, qtype, max);
    check_name(data + 1, size - 1);
    return 0;
}

/* ---- The seeds ------------------------------------------------------------
 */

static const char *dir;
static int failures;

static void seed(const char *name, uint8_t control, const uint8_t *m, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fputc(control, f) == EOF || fwrite(m, 1, n, f) != n ||
        fclose(f) != 0) {
        perror(path);
        failures++;
    }
}

static size_t put16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return 2;
}

/* A record at (p): owner (a pointer to (owner)), (type), TTL, data. */
static size_t rr(uint8_t *p, unsigned owner, unsigned type, const void *data,
                 size_t len)
{
    size_t n = put16(p, 0xc000 | owner);
    n += put16(p + n, type);
    n += put16(p + n, DNS_CLASS_IN);
    n += put16(p + n, 0);
    n += put16(p + n, 300);
    n += put16(p + n, (unsigned)len);
    memcpy(p + n, data, len);
    return n + len;
}

/* The query for NAME of (qtype) made an answer with (rcode) and (count)
 * records to come; returns the length so far. */
static size_t answer_head(uint8_t *m, unsigned qtype, unsigned rcode,
                          unsigned count, int truncated)
{
    size_t n = dns_query_build(m, 512, ID, NAME, (uint16_t)qtype);
    m[2] = (uint8_t)(0x81 | (truncated ? 0x02 : 0));
    m[3] = (uint8_t)(0x80 | rcode);
    put16(m + 6, count);
    return n;
}

static int write_seeds(const char *d)
{
    static const uint8_t a1[4] = {10, 0, 0, 1}, a2[4] = {10, 0, 0, 2};
    static const uint8_t six[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0,
                                    0,    0, 0, 0, 0, 0, 0, 1};
    uint8_t m[512];
    size_t n;
    dir = d;
    n = answer_head(m, DNS_TYPE_A, 0, 2, 0);
    n += rr(m + n, 12, DNS_TYPE_A, a1, 4);
    n += rr(m + n, 12, DNS_TYPE_A, a2, 4);
    seed("a-two", 7 << 1, m, n);
    n = answer_head(m, DNS_TYPE_AAAA, 0, 1, 0);
    n += rr(m + n, 12, DNS_TYPE_AAAA, six, 16);
    seed("aaaa-one", 1 | 7 << 1, m, n);
    /* alias: www.example.test is a CNAME for mail.example.test (its
     * "example.test" a pointer into the question), which has an A. */
    n = answer_head(m, DNS_TYPE_A, 0, 2, 0);
    size_t target = n + 12;
    uint8_t cname[7] = {4, 'm', 'a', 'i', 'l', 0xc0, 16};
    n += rr(m + n, 12, DNS_TYPE_CNAME, cname, sizeof cname);
    n += rr(m + n, (unsigned)target, DNS_TYPE_A, a1, 4);
    seed("cname", 3 << 1, m, n);
    n = answer_head(m, DNS_TYPE_A, 3, 0, 0);
    seed("nxdomain", 2, m, n);
    n = answer_head(m, DNS_TYPE_AAAA, 2, 0, 0);
    seed("servfail", 3, m, n);
    n = answer_head(m, DNS_TYPE_A, 0, 1, 1);
    n += rr(m + n, 12, DNS_TYPE_A, a1, 4);
    seed("truncated", 2, m, n);
    /* A record of another class and another type, then ours. */
    n = answer_head(m, DNS_TYPE_AAAA, 0, 2, 0);
    n += rr(m + n, 12, 16, "\x05hello", 6);
    n += rr(m + n, 12, DNS_TYPE_AAAA, six, 16);
    seed("txt-then-aaaa", 1 | 2 << 1, m, n);
    /* A name as input: the rest of a seed is one. */
    seed("name", 0, (const uint8_t *)"Www.Example.Test.", 17);
    return failures ? 1 : 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    if (*argc == 3 && strcmp((*argv)[1], "--seeds") == 0)
        exit(write_seeds((*argv)[2]));
    return 0;
}
