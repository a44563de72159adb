/*
 * Bytes in network order, and hex digits: the few lines that every parser
 * of frames, DNS messages and MAC addresses needs. Header-only, depending on
 * nothing but <stdint.h>, so that any layer (platforms, TCP/IP, the tests
 * and fuzzers) can take it.
 */
#ifndef MIOU_UTIL_BYTES_H
#define MIOU_UTIL_BYTES_H

#include <stdint.h>

/* The big-endian 16-bit value at (p). */
static inline uint16_t miou__get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* The big-endian 32-bit value at (p). */
static inline uint32_t miou__get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* Write (v) big-endian at (p). */
static inline void miou__put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Write (v) big-endian at (p). */
static inline void miou__put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The value of the hex digit (c), either case, or -1. */
static inline int miou__hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
