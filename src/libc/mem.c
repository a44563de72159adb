/*
 * mem.c - memcpy, memmove, memset, memcmp and memchr.
 *
 * The sizes that matter in a unikernel are Ethernet frames (64..1514
 * bytes) and disk sectors (512..4096). The copies move 16 bytes per load
 * and store (SSE on x86_64, NEON on aarch64, two 8-byte words where the
 * target is built without vector registers), unaligned, with no byte
 * loop at either end: a copy of n bytes is covered by blocks whose first
 * and last overlap the rest (bytes 0..15 and n-16..n-1 for 16 <= n <=
 * 32). From 1 KiB on, x86_64 copies with "rep movsb". Every access stays
 * inside the buffers, so AddressSanitizer and valgrind have nothing to
 * say about them.
 *
 * These functions must not call themselves through the compiler: gcc
 * recognises a copy or fill loop and replaces it by a call to memcpy or
 * memset, which here would be infinite recursion. mk/libc.mk compiles
 * the library with -fno-builtin -fno-tree-loop-distribute-patterns; the
 * NO_LIBCALL attribute below says the same for gcc in the source, so the
 * file stays correct when built by other rules.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALL
#endif

/* Unaligned access types: aligned(1) allows any address, may_alias any
 * object type behind it. */
typedef uint64_t u64u __attribute__((may_alias, aligned(1)));
typedef uint32_t u32u __attribute__((may_alias, aligned(1)));

#if defined(__SSE2__) || defined(__ARM_NEON)
/* A 16-byte block in one vector register (movdqu, ldr q). */
typedef uint64_t v16 __attribute__((vector_size(16)));
typedef uint64_t v16u __attribute__((vector_size(16), may_alias, aligned(1)));

static inline v16 ld16(const unsigned char *p)
{
    return *(const v16u *)p;
}

static inline void st16(unsigned char *p, v16 v)
{
    *(v16u *)p = v;
}
#else
/* Generic C, for targets built without vector registers (aarch64 with
 * -mgeneral-regs-only, x86_64 with -mno-sse): two 8-byte words. */
typedef struct {
    uint64_t lo, hi;
} v16;

static inline v16 ld16(const unsigned char *p)
{
    v16 v = {*(const u64u *)p, *(const u64u *)(p + 8)};
    return v;
}

static inline void st16(unsigned char *p, v16 v)
{
    *(u64u *)p = v.lo;
    *(u64u *)(p + 8) = v.hi;
}
#endif

/* Copy (n) <= 64 bytes. Every load happens before the first store, so
 * the buffers may overlap in either direction. */
static inline void copy_upto64(unsigned char *d, const unsigned char *s,
                               size_t n)
{
    if (n > 32) {
        v16 a = ld16(s), b = ld16(s + 16);
        v16 c = ld16(s + n - 32), e = ld16(s + n - 16);
        st16(d, a);
        st16(d + 16, b);
        st16(d + n - 32, c);
        st16(d + n - 16, e);
    } else if (n >= 16) {
        v16 a = ld16(s), b = ld16(s + n - 16);
        st16(d, a);
        st16(d + n - 16, b);
    } else if (n >= 8) {
        uint64_t a = *(const u64u *)s, b = *(const u64u *)(s + n - 8);
        *(u64u *)d = a;
        *(u64u *)(d + n - 8) = b;
    } else if (n >= 4) {
        uint32_t a = *(const u32u *)s, b = *(const u32u *)(s + n - 4);
        *(u32u *)d = a;
        *(u32u *)(d + n - 4) = b;
    } else if (n > 0) {
        /* 1..3 bytes: positions 0, n/2 and n-1 cover them all. */
        unsigned char a = s[0], b = s[n / 2], c = s[n - 1];
        d[0] = a;
        d[n / 2] = b;
        d[n - 1] = c;
    }
}

/* Copy 64 < (n) <= 128 bytes: the first 64 and the last 64, all loaded
 * before the first store, so again the buffers may overlap. No loop: a
 * minimal frame (60..128 bytes) is copied straight. */
static inline void copy_upto128(unsigned char *d, const unsigned char *s,
                                size_t n)
{
    v16 a0 = ld16(s), a1 = ld16(s + 16), a2 = ld16(s + 32), a3 = ld16(s + 48);
    v16 b0 = ld16(s + n - 64), b1 = ld16(s + n - 48);
    v16 b2 = ld16(s + n - 32), b3 = ld16(s + n - 16);
    st16(d, a0);
    st16(d + 16, a1);
    st16(d + 32, a2);
    st16(d + 48, a3);
    st16(d + n - 64, b0);
    st16(d + n - 48, b1);
    st16(d + n - 32, b2);
    st16(d + n - 16, b3);
}

/* Copy (n) > 64 bytes front to back, 64 per round. The last 64 bytes are
 * loaded first and stored last, so the rounds need not stop exactly at
 * the end. Safe when (d) <= (s) or the buffers do not overlap: each round
 * loads bytes that no earlier round has stored over. */
static NO_LIBCALL void copy_forward(unsigned char *d, const unsigned char *s,
                                    size_t n)
{
    v16 t0 = ld16(s + n - 64), t1 = ld16(s + n - 48);
    v16 t2 = ld16(s + n - 32), t3 = ld16(s + n - 16);
    size_t k;
    for (k = 0; n - k > 64; k += 64) {
        v16 a = ld16(s + k), b = ld16(s + k + 16);
        v16 c = ld16(s + k + 32), e = ld16(s + k + 48);
        st16(d + k, a);
        st16(d + k + 16, b);
        st16(d + k + 32, c);
        st16(d + k + 48, e);
    }
    st16(d + n - 64, t0);
    st16(d + n - 48, t1);
    st16(d + n - 32, t2);
    st16(d + n - 16, t3);
}

/* The mirror of copy_forward, for (d) > (s) with overlap: back to front,
 * the first 64 bytes loaded first and stored last. */
static NO_LIBCALL void copy_backward(unsigned char *d, const unsigned char *s,
                                     size_t n)
{
    v16 h0 = ld16(s), h1 = ld16(s + 16), h2 = ld16(s + 32), h3 = ld16(s + 48);
    size_t e;
    for (e = n; e > 64; e -= 64) {
        v16 a = ld16(s + e - 64), b = ld16(s + e - 48);
        v16 c = ld16(s + e - 32), f = ld16(s + e - 16);
        st16(d + e - 64, a);
        st16(d + e - 48, b);
        st16(d + e - 32, c);
        st16(d + e - 16, f);
    }
    st16(d, h0);
    st16(d + 16, h1);
    st16(d + 32, h2);
    st16(d + 48, h3);
}

/* From this size on, x86_64's "rep movsb" beats the 16-byte loop on CPUs
 * with fast string moves (the ERMS/FSRM cpuid flags): it moves 32 or 64
 * bytes per step inside, where the loop is bound by one 16-byte store per
 * cycle (AVX is not assumed). Below it, its start-up cost dominates: on
 * the test machine (AMD EPYC) the two cross near 768 bytes, and at 4096
 * rep movsb takes 41 ns where the loop takes 69. bench/bench_memcpy.c
 * measures the result against glibc. */
#define REP_MOVSB_MIN 1024

/* Copy (n) > 128 bytes between buffers that do not overlap. */
static inline void copy_large(unsigned char *d, const unsigned char *s,
                              size_t n)
{
#if defined(__x86_64__)
    if (n >= REP_MOVSB_MIN) {
        __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
        return;
    }
#endif
    copy_forward(d, s, n);
}

NO_LIBCALL void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    if (n <= 64)
        copy_upto64(dst, src, n);
    else if (n <= 128)
        copy_upto128(dst, src, n);
    else
        copy_large(dst, src, n);
    return dst;
}

NO_LIBCALL void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    /* The unsigned difference d - s is >= n exactly when (d) does not
     * start inside (s)'s bytes: then front to back is safe. */
    uintptr_t ahead = (uintptr_t)d - (uintptr_t)s;
    if (n <= 64)
        copy_upto64(d, s, n);
    else if (n <= 128)
        copy_upto128(d, s, n);
    else if (ahead >= n && (uintptr_t)s - (uintptr_t)d >= n)
        copy_large(d, s, n); /* no overlap at all */
    else if (ahead >= n)
        copy_forward(d, s, n);
    else
        copy_backward(d, s, n);
    return dst;
}

NO_LIBCALL void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    uint64_t w = 0x0101010101010101ull * (unsigned char)c;
    v16 v = {w, w};
    size_t k;
    if (n > 64) {
        for (k = 0; n - k > 64; k += 64) {
            st16(d + k, v);
            st16(d + k + 16, v);
            st16(d + k + 32, v);
            st16(d + k + 48, v);
        }
        st16(d + n - 64, v);
        st16(d + n - 48, v);
        st16(d + n - 32, v);
        st16(d + n - 16, v);
    } else if (n > 32) {
        st16(d, v);
        st16(d + 16, v);
        st16(d + n - 32, v);
        st16(d + n - 16, v);
    } else if (n >= 16) {
        st16(d, v);
        st16(d + n - 16, v);
    } else if (n >= 8) {
        *(u64u *)d = w;
        *(u64u *)(d + n - 8) = w;
    } else if (n >= 4) {
        *(u32u *)d = (uint32_t)w;
        *(u32u *)(d + n - 4) = (uint32_t)w;
    } else if (n > 0) {
        d[0] = (unsigned char)c;
        d[n / 2] = (unsigned char)c;
        d[n - 1] = (unsigned char)c;
    }
    return dst;
}

/* Eight bytes at a time while they are equal; the bytes are then
 * compared one by one from the first word that differs, as unsigned char
 * as the standard asks. */
NO_LIBCALL int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;
    while (n >= 8 && *(const u64u *)p == *(const u64u *)q) {
        p += 8;
        q += 8;
        n -= 8;
    }
    for (; n > 0; n--, p++, q++)
        if (*p != *q)
            return *p < *q ? -1 : 1;
    return 0;
}

NO_LIBCALL void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (; n > 0; n--, p++)
        if (*p == (unsigned char)c)
            return (void *)p;
    return NULL;
}
