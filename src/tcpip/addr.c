/*
 * addr.c - addresses of both families as text and as lwIP's, and lwIP's
 * errors as the library's codes.
 */
#include <stdio.h>
#include <string.h>

#include <miou_tcpip.h>

#include "internal.h"
#include "util/bytes.h"

int miou_ipv4_parse(const char *text, uint32_t *addr)
{
    uint32_t a = 0;
    if (!text || !addr)
        return MIOU_EINVAL;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        while (*text >= '0' && *text <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*text++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return MIOU_EINVAL;
        a = (a << 8) | v;
        if (part < 3 && *text++ != '.')
            return MIOU_EINVAL;
    }
    if (*text != '\0')
        return MIOU_EINVAL;
    *addr = a;
    return 0;
}

char *miou_ipv4_format(uint32_t addr, char *buf)
{
    char *p = buf;
    for (int shift = 24; shift >= 0; shift -= 8) {
        unsigned v = (addr >> shift) & 0xff;
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        if (shift)
            *p++ = '.';
    }
    *p = '\0';
    return buf;
}

int miou_tcpip__error(err_t err)
{
    switch (err) {
    case ERR_OK:
        return 0;
    case ERR_MEM:
    case ERR_BUF:
        return MIOU_ENOMEM;
    case ERR_TIMEOUT:
        return MIOU_ETIMEDOUT;
    case ERR_RTE:
        return MIOU_EHOSTUNREACH;
    case ERR_USE:
        return MIOU_EADDRINUSE;
    case ERR_ALREADY:
    case ERR_ISCONN:
    case ERR_INPROGRESS:
        return MIOU_EBUSY;
    case ERR_CONN:
        return MIOU_ENOTCONN;
    case ERR_ABRT:
        return MIOU_ECONNABORTED;
    case ERR_RST:
        return MIOU_ECONNRESET;
    case ERR_CLSD:
        return MIOU_ENOTCONN;
    case ERR_IF:
        return MIOU_EIO;
    default:
        return MIOU_EINVAL;
    }
}

/* ---- Addresses of both families ----------------------------------------- */

miou_ipaddr miou_ipaddr_v4(uint32_t a)
{
    miou_ipaddr r = {MIOU_IP_V4, {0}, 0};
    for (int i = 0; i < 4; i++)
        r.bytes[i] = (uint8_t)(a >> (24 - 8 * i));
    return r;
}

uint32_t miou_ipaddr_get_v4(const miou_ipaddr *a)
{
    if (!a || a->family != MIOU_IP_V4)
        return 0;
    return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
           (uint32_t)a->bytes[2] << 8 | a->bytes[3];
}

/* A dotted quad ending at (end), the last two groups of an IPv6 address
 * ("::ffff:10.0.0.2"). */
static int tail_v4(const char *s, const char *end, uint16_t *w)
{
    char quad[16];
    uint32_t a;
    if (end - s >= (long)sizeof quad)
        return -1;
    memcpy(quad, s, (size_t)(end - s));
    quad[end - s] = '\0';
    if (miou_ipv4_parse(quad, &a) != 0)
        return -1;
    w[0] = (uint16_t)(a >> 16);
    w[1] = (uint16_t)a;
    return 0;
}

/* "%N" (N decimal, at most 2^32 - 1), or nothing, up to the end. */
static int parse_zone(const char *p, uint32_t *zone)
{
    uint64_t z = 0;
    *zone = 0;
    if (*p == '\0')
        return 0;
    if (*p++ != '%' || *p == '\0')
        return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' ||
            (z = z * 10 + (uint64_t)(*p - '0')) > UINT32_MAX)
            return -1;
    }
    *zone = (uint32_t)z;
    return 0;
}

/* RFC 4291's text forms: groups of 1 to 4 hex digits, one "::" for a run
 * of zero groups, a dotted quad for the last two. */
static int parse_v6(const char *p, uint8_t out[16], uint32_t *zone)
{
    uint16_t w[8];
    int n = 0, gap = -1;
    if (p[0] == ':') {
        if (p[1] != ':')
            return -1;
        gap = 0;
        p += 2;
    }
    while (*p && *p != '%') {
        const char *start = p;
        unsigned v = 0;
        int d;
        while ((d = miou__hex_digit(*p)) >= 0 && p - start < 4) {
            v = v << 4 | (unsigned)d;
            p++;
        }
        if (*p == '.') { /* a dotted quad: the last two groups */
            const char *end = strchr(start, '%');
            if (!end)
                end = start + strlen(start);
            if (n > 6 || tail_v4(start, end, w + n) != 0)
                return -1;
            n += 2;
            p = end;
            break;
        }
        if (p == start || miou__hex_digit(*p) >= 0 || n == 8)
            return -1;
        w[n++] = (uint16_t)v;
        if (*p != ':')
            break;
        if (*++p == ':') {
            if (gap >= 0)
                return -1;
            gap = n;
            p++;
        } else if (*p == '\0' || *p == '%') {
            return -1; /* a single ':' at the end */
        }
    }
    if (parse_zone(p, zone) != 0 || (gap < 0 && n != 8) || (gap >= 0 && n > 7))
        return -1;
    int zeros = 8 - n;
    for (int i = 0, j = 0; i < 8; i++) {
        uint16_t v = (gap >= 0 && i >= gap && i < gap + zeros) ? 0 : w[j++];
        out[2 * i] = (uint8_t)(v >> 8);
        out[2 * i + 1] = (uint8_t)v;
    }
    return 0;
}

int miou_ipaddr_parse(const char *text, miou_ipaddr *addr)
{
    miou_ipaddr r = {0};
    uint32_t v4;
    if (!text || !addr)
        return MIOU_EINVAL;
    if (miou_ipv4_parse(text, &v4) == 0) {
        *addr = miou_ipaddr_v4(v4);
        return 0;
    }
    if (!strchr(text, ':') || parse_v6(text, r.bytes, &r.zone) != 0)
        return MIOU_EINVAL;
    r.family = MIOU_IP_V6;
    *addr = r;
    return 0;
}

/* Whether (a), IPv6, is ::ffff:a.b.c.d, IPv4 mapped (RFC 4291 2.5.5.2). */
static int v4_mapped(const uint8_t *b)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};
    return memcmp(b, prefix, 12) == 0;
}

char *miou_ipaddr_format(const miou_ipaddr *a, char *buf, size_t size)
{
    char t[MIOU_IPADDR_STRLEN], *p = t;
    static const char hex[] = "0123456789abcdef";
    if (!buf || size == 0)
        return buf;
    if (!a || (a->family != MIOU_IP_V4 && a->family != MIOU_IP_V6)) {
        strcpy(t, "none");
    } else if (a->family == MIOU_IP_V4) {
        miou_ipv4_format(miou_ipaddr_get_v4(a), t);
    } else {
        uint16_t w[8];
        int best = -1, best_len = 1, words = 8;
        for (int i = 0; i < 8; i++)
            w[i] = (uint16_t)(a->bytes[2 * i] << 8 | a->bytes[2 * i + 1]);
        if (v4_mapped(a->bytes))
            words = 6; /* "::ffff:" then the dotted quad */
        /* The longest run of two or more zero groups, the first of
         * equals (RFC 5952 4.2.3). */
        for (int i = 0; i < words;) {
            int j = i;
            while (j < words && w[j] == 0)
                j++;
            if (j - i > best_len) {
                best = i;
                best_len = j - i;
            }
            i = j > i ? j : i + 1;
        }
        for (int i = 0; i < words; i++) {
            if (i == best) {
                *p++ = ':';
                *p++ = ':';
                i += best_len - 1;
                continue;
            }
            if (i > 0 && i != best + best_len)
                *p++ = ':';
            int started = 0;
            for (int shift = 12; shift >= 0; shift -= 4) {
                unsigned d = (w[i] >> shift) & 15;
                if (d || started || shift == 0) {
                    *p++ = hex[d];
                    started = 1;
                }
            }
        }
        if (words == 6) {
            if (best + best_len != 6)
                *p++ = ':';
            p = p + strlen(miou_ipv4_format((uint32_t)a->bytes[12] << 24 |
                                                (uint32_t)a->bytes[13] << 16 |
                                                (uint32_t)a->bytes[14] << 8 |
                                                a->bytes[15],
                                            p));
        }
        *p = '\0';
        if (a->zone)
            snprintf(p, sizeof t - (size_t)(p - t), "%%%u", (unsigned)a->zone);
    }
    if (strlen(t) >= size) {
        buf[0] = '\0';
        return buf;
    }
    return strcpy(buf, t);
}

int miou_ipaddr_equal(const miou_ipaddr *a, const miou_ipaddr *b)
{
    if (!a || !b || a->family != b->family)
        return 0;
    return memcmp(a->bytes, b->bytes, a->family == MIOU_IP_V4 ? 4 : 16) == 0;
}

/* ---- To and from lwIP's addresses ---------------------------------------- */

int miou_tcpip__to_lwip(const miou_ipaddr *a, ip_addr_t *ip)
{
    if (!a)
        return MIOU_EINVAL;
    if (a->family == MIOU_IP_V4 ||
        (a->family == MIOU_IP_V6 && v4_mapped(a->bytes))) {
        const uint8_t *b = a->family == MIOU_IP_V4 ? a->bytes : a->bytes + 12;
        u32_t v;
        memcpy(&v, b, 4);
        ip_addr_set_ip4_u32_val(*ip, v);
        return 0;
    }
    if (a->family != MIOU_IP_V6)
        return MIOU_EINVAL;
    ip_addr_set_zero_ip6(ip);
    memcpy(ip_2_ip6(ip)->addr, a->bytes, 16);
    return 0;
}

void miou_tcpip__from_lwip(const ip_addr_t *ip, miou_ipaddr *a)
{
    memset(a, 0, sizeof *a);
    if (IP_IS_V6(ip)) {
        a->family = MIOU_IP_V6;
        memcpy(a->bytes, ip_2_ip6(ip)->addr, 16);
    } else {
        u32_t v = ip4_addr_get_u32(ip_2_ip4(ip));
        a->family = MIOU_IP_V4;
        memcpy(a->bytes, &v, 4);
    }
}
