/*
 * inttypes.h - printf format macros for the types of <stdint.h>, for the
 * freestanding C library of miou-solo5.
 *
 * Only the PRI macros: no SCN macros (there is no scanf) and none of
 * C99's functions (imaxabs, strtoimax, ...). The targets are LP64
 * (x86_64, aarch64): int64_t, intmax_t and intptr_t are long there.
 */
#ifndef MIOU_LIBC_INTTYPES_H
#define MIOU_LIBC_INTTYPES_H

#include <stdint.h>

#if !defined(__LP64__)
#error "inttypes.h: only LP64 targets are supported (x86_64, aarch64)"
#endif

#define PRId8 "d"
#define PRId16 "d"
#define PRId32 "d"
#define PRId64 "ld"
#define PRIdMAX "jd"
#define PRIdPTR "ld"

#define PRIi8 "i"
#define PRIi16 "i"
#define PRIi32 "i"
#define PRIi64 "li"
#define PRIiMAX "ji"
#define PRIiPTR "li"

#define PRIu8 "u"
#define PRIu16 "u"
#define PRIu32 "u"
#define PRIu64 "lu"
#define PRIuMAX "ju"
#define PRIuPTR "lu"

#define PRIx8 "x"
#define PRIx16 "x"
#define PRIx32 "x"
#define PRIx64 "lx"
#define PRIxMAX "jx"
#define PRIxPTR "lx"

#define PRIX8 "X"
#define PRIX16 "X"
#define PRIX32 "X"
#define PRIX64 "lX"
#define PRIXMAX "jX"
#define PRIXPTR "lX"

#define PRIo8 "o"
#define PRIo16 "o"
#define PRIo32 "o"
#define PRIo64 "lo"
#define PRIoMAX "jo"
#define PRIoPTR "lo"

#endif
