/*
 * context.c - the first frame of a fresh task stack, per CPU. It must
 * match the frame that the CPU's assembly switch pops.
 */
#include <stdint.h>
#include <string.h>

#include "context.h"

void miou__ctx_start(void);

#if defined(__x86_64__)

/* MXCSR with all exceptions masked, round to nearest; x87 control word
 * with all exceptions masked, 64-bit precision, round to nearest: the
 * values a process starts with. */
#define X86_MXCSR_DEFAULT 0x1F80u
#define X86_FPUCW_DEFAULT 0x037Fu

void *miou__ctx_init(void *lo, size_t size, void (*entry)(void *), void *arg)
{
    uintptr_t top = ((uintptr_t)lo + size) & ~(uintptr_t)15;
    /* 8 words: control words, r15..rbp, return address. After the switch
     * pops them all, rsp = top, 16-byte aligned for miou__ctx_start's
     * call. */
    uint64_t *sp = (uint64_t *)(top - 8 * sizeof(uint64_t));
    memset(sp, 0, 8 * sizeof(uint64_t));
    sp[0] = X86_MXCSR_DEFAULT | ((uint64_t)X86_FPUCW_DEFAULT << 32);
    sp[3] = (uint64_t)(uintptr_t)entry;           /* r13 */
    sp[4] = (uint64_t)(uintptr_t)arg;             /* r12 */
    sp[7] = (uint64_t)(uintptr_t)miou__ctx_start; /* return address */
    return sp;
}

#elif defined(__aarch64__)

void *miou__ctx_init(void *lo, size_t size, void (*entry)(void *), void *arg)
{
    uintptr_t top = ((uintptr_t)lo + size) & ~(uintptr_t)15;
    uint64_t *sp = (uint64_t *)(top - 176);
    memset(sp, 0, 176);
    sp[0] = (uint64_t)(uintptr_t)arg;              /* x19 */
    sp[1] = (uint64_t)(uintptr_t)entry;            /* x20 */
    sp[11] = (uint64_t)(uintptr_t)miou__ctx_start; /* x30 */
    sp[20] = 0; /* FPCR: round to nearest, no flush-to-zero */
    return sp;
}

#else
#error Unsupported architecture
#endif
