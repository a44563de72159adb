/*
 * arch/cc.h - lwIP's port to this library: the compiler and C library
 * facts lwIP asks for (lwip/arch.h includes this file). Written for
 * every platform: hosted and sim (glibc), Solo5 (the freestanding C
 * library of src/libc).
 */
#ifndef MIOU_LWIP_ARCH_CC_H
#define MIOU_LWIP_ARCH_CC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* gcc and clang say which; glibc's <endian.h> may have said it already
 * (with the same values lwIP uses: 1234 and 4321). */
#ifndef BYTE_ORDER
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BYTE_ORDER BIG_ENDIAN
#else
#define BYTE_ORDER LITTLE_ENDIAN
#endif
#endif

/* Byte swaps by the compiler's builtins, one instruction inlined, in
 * place of lwIP's functions (lwip/def.h), a call each, a dozen times per
 * segment. */
#if BYTE_ORDER == LITTLE_ENDIAN
#define lwip_htons(x) ((u16_t)__builtin_bswap16((uint16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((uint32_t)(x)))
#endif

/* Diagnostics go to the console; a failed assertion is a bug in lwIP or
 * in its use here: stop with its text (src/tcpip/port.c). */
#define LWIP_PLATFORM_DIAG(x)                                                  \
    do {                                                                       \
        printf x;                                                              \
    } while (0)
void miou_tcpip__assert(const char *what, const char *file, int line)
    __attribute__((noreturn));
#define LWIP_PLATFORM_ASSERT(x) miou_tcpip__assert((x), __FILE__, __LINE__)

/* Initial sequence numbers and ephemeral ports: a generator seeded from
 * the interface's MAC address and the wall clock (src/tcpip/port.c), so
 * that under the sim platform they come from the seed like the rest. */
uint32_t miou_tcpip__random(void);
#define LWIP_RAND() miou_tcpip__random()

#endif
