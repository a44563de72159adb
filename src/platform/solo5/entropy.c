/*
 * entropy.c - the Solo5 target's source of random bytes
 * (platform/entropy.h): Solo5 gives a unikernel no call for it (Solo5
 * issue #328), so it is the CPU's own instruction, used only once the
 * CPU says it has it. x86_64: RDSEED (CPUID leaf 7, EBX bit 18), a
 * conditioned seed straight from the hardware source, else RDRAND (leaf
 * 1, ECX bit 30), the output of the CPU's DRBG; either may answer "not
 * ready" (carry clear) for a while, and is retried a bounded number of
 * times. aarch64: RNDR (ID_AA64ISAR0_EL1.RNDR, bits 63:60, non-zero),
 * which sets Z when it failed. Without any, -1: the core's miou_random()
 * then answers MIOU_ENOENTROPY, and TLS refuses to start.
 */
#include "platform/entropy.h"

#define RETRIES 128

#if defined(__x86_64__)

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

static int rdseed(uint64_t *w)
{
    unsigned char ok;
    __asm__ volatile("rdseed %0; setc %1" : "=r"(*w), "=qm"(ok)::"cc");
    return ok;
}

static int rdrand(uint64_t *w)
{
    unsigned char ok;
    __asm__ volatile("rdrand %0; setc %1" : "=r"(*w), "=qm"(ok)::"cc");
    return ok;
}

/* 0: not looked yet; then 1 + the instruction chosen (or 1: none). */
static int chosen;
enum { NONE = 1, RDSEED, RDRAND };

int miou__platform_entropy(uint64_t *word)
{
    if (!chosen) {
        uint32_t r[4];
        cpuid(0, 0, r);
        uint32_t max = r[0];
        chosen = NONE;
        if (max >= 7) {
            cpuid(7, 0, r);
            if (r[1] & (1u << 18))
                chosen = RDSEED;
        }
        if (chosen == NONE && max >= 1) {
            cpuid(1, 0, r);
            if (r[2] & (1u << 30))
                chosen = RDRAND;
        }
    }
    for (int i = 0; i < RETRIES; i++) {
        if (chosen == RDSEED && rdseed(word))
            return 0;
        if (chosen == RDRAND && rdrand(word))
            return 0;
        if (chosen == NONE)
            return -1;
        __asm__ volatile("pause");
    }
    /* RDSEED may stay empty under load: RDRAND, when there, is the
     * CPU's DRBG reseeded from the same source. */
    if (chosen == RDSEED) {
        uint32_t r[4];
        cpuid(1, 0, r);
        if (r[2] & (1u << 30)) {
            for (int i = 0; i < RETRIES; i++)
                if (rdrand(word))
                    return 0;
        }
    }
    return -1;
}

#elif defined(__aarch64__)

int miou__platform_entropy(uint64_t *word)
{
    static int has; /* 0: not looked yet, 1: yes, -1: no */
    if (!has) {
        uint64_t isar0;
        __asm__ volatile("mrs %0, ID_AA64ISAR0_EL1" : "=r"(isar0));
        has = (isar0 >> 60) & 0xf ? 1 : -1;
    }
    if (has < 0)
        return -1;
    for (int i = 0; i < RETRIES; i++) {
        uint64_t v, nzcv;
        /* RNDR is s3_3_c2_c4_0: named so for assemblers without it. */
        __asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tmrs %1, nzcv"
                         : "=r"(v), "=r"(nzcv)::"cc");
        if (!(nzcv & (1ull << 30))) {
            *word = v;
            return 0;
        }
    }
    return -1;
}

#else
#error Unsupported architecture
#endif
