/*
 * addr.c - IPv4 addresses as text, and lwIP's errors as the library's
 * codes.
 */
#include <miou_tcpip.h>

#include "internal.h"

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
