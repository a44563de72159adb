/*
 * chksum.h - the Internet checksum for lwIP (LWIP_CHKSUM, lwipopts.h),
 * inline so that every build of lwIP with our options has it, the
 * fuzzing one (scripts/fuzz_frames.sh) included, and tests/test_tcpip.c
 * checks it against the plain definition.
 */
#ifndef MIOU_TCPIP_CHKSUM_H
#define MIOU_TCPIP_CHKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Add (w) to (*sum) with the carry out of the top bit added back: the
 * ones' complement addition of 64-bit words (an add and an adc). */
static inline void miou_tcpip__add_carry(uint64_t *sum, uint64_t w)
{
    *sum += w;
    *sum += *sum < w;
}

/* The Internet checksum's sum (RFC 1071) of (len) bytes at (data), as
 * lwIP's LWIP_CHKSUM: the ones' complement sum of the data read as 16-bit
 * words in memory order, folded to 16 bits, not inverted. The sum does
 * not depend on the width of the words added (2^16 is 1 modulo 2^16 - 1),
 * so it adds 64-bit words, two at a time, then folds: 3.5 instructions
 * per 8 bytes as gcc emits it, where lwIP's own routines take 7
 * (algorithm 3) or about 16 (algorithm 2, its default). Unaligned (data)
 * is fine: memcpy() reads it. */
static inline uint16_t miou_tcpip__chksum(const void *data, int len)
{
    const unsigned char *p = data;
    size_t n = len > 0 ? (size_t)len : 0;
    uint64_t a = 0, b = 0, w, v;
    for (; n >= 16; p += 16, n -= 16) {
        memcpy(&w, p, 8);
        memcpy(&v, p + 8, 8);
        miou_tcpip__add_carry(&a, w);
        miou_tcpip__add_carry(&b, v);
    }
    if (n >= 8) {
        memcpy(&w, p, 8);
        miou_tcpip__add_carry(&a, w);
        p += 8;
        n -= 8;
    }
    /* The tail as a word padded with zeroes, its bytes in memory order. */
    unsigned char tail[8] = {0};
    for (size_t i = 0; i < n; i++)
        tail[i] = p[i];
    memcpy(&w, tail, 8);
    miou_tcpip__add_carry(&b, w);
    miou_tcpip__add_carry(&a, b);
    a = (a & 0xffffffffu) + (a >> 32);
    a = (a & 0xffffffffu) + (a >> 32);
    a = (a & 0xffffu) + (a >> 16);
    a = (a & 0xffffu) + (a >> 16);
    return (uint16_t)a;
}

#endif
