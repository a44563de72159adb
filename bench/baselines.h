/*
 * baselines.h - the C baselines that the benchmarks measure in the same
 * process as miou, so that ratios are free of the machine's drift:
 *
 *  - bare: a hand-written switch (bench/bare_switch_x86_64.S) saving the
 *    callee-saved registers and the MXCSR/x87 control words, restoring
 *    them unconditionally and returning with a plain `ret`; plus the same
 *    without the control words, for information;
 *  - boost: Boost.Context's jump_fcontext/make_fcontext, through the shim
 *    bench/boost_shim.cpp.
 *
 * Their symbols are weak: a benchmark built by the Makefile alone (make
 * benches) links without them and skips the baselines; bench/run.sh links
 * them in (x86_64 with g++ and libboost-context-dev). A Solo5 build
 * (MIOU_PLATFORM_SOLO5) has none: see below.
 */
#ifndef BENCH_BASELINES_H
#define BENCH_BASELINES_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#ifdef MIOU_PLATFORM_SOLO5
/* In a unikernel there are no baselines (no Boost, no C++; the bare
 * switch's object is not linked in), and a weak reference would stay in
 * the unikernel as an undefined symbol that Solo5's bindings lack
 * (scripts/check_solo5.sh): stand-ins instead, never called, since
 * bench_have_bare() and bench_have_boost() are 0. */
static inline void bench_bare_switch(void **save, void *load)
{
    (void)save;
    (void)load;
    abort();
}
static inline void bench_bare_switch_nofpu(void **save, void *load)
{
    (void)save;
    (void)load;
    abort();
}
static inline void bench_bare_start(void)
{
    abort();
}
static inline void bench_boost_pingpong(unsigned long n)
{
    (void)n;
    abort();
}
static inline void bench_boost_spawn(unsigned long n)
{
    (void)n;
    abort();
}
static inline int bench_boost_children(unsigned long n, size_t stack_size,
                                       void (*probe)(void *), void *arg)
{
    (void)n;
    (void)stack_size;
    (void)probe;
    (void)arg;
    abort();
}

/* Why a benchmark runs without its baselines. */
#define BENCH_NO_BASELINE "no baselines in a unikernel"

static inline int bench_have_bare(void)
{
    return 0;
}

static inline int bench_have_boost(void)
{
    return 0;
}
#else
/* bench/bare_switch_x86_64.S: save the running context on its stack, its
 * stack pointer in (*save), and resume the one saved at (load). */
extern void bench_bare_switch(void **save, void *load) __attribute__((weak));
extern void bench_bare_switch_nofpu(void **save, void *load)
    __attribute__((weak));
/* First code of a fresh bare context: calls r13(r12). */
extern void bench_bare_start(void) __attribute__((weak));

/* bench/boost_shim.cpp. */
/* (n) round trips between two contexts: 2n jump_fcontext. */
extern void bench_boost_pingpong(unsigned long n) __attribute__((weak));
/* (n) times: make_fcontext on one reused stack, jump in, jump back. */
extern void bench_boost_spawn(unsigned long n) __attribute__((weak));
/* (n) contexts on their own malloc'd stacks of (stack_size) bytes: create
 * all, run each until it jumps back once, call (probe)(arg) while all are
 * suspended, resume each to its end, free them. 0, or -1 out of memory. */
extern int bench_boost_children(unsigned long n, size_t stack_size,
                                void (*probe)(void *), void *arg)
    __attribute__((weak));

/* Why a benchmark runs without its baselines. */
#define BENCH_NO_BASELINE "baseline not linked in (build with bench/run.sh)"

static inline int bench_have_bare(void)
{
    return bench_bare_switch != NULL && bench_bare_switch_nofpu != NULL &&
           bench_bare_start != NULL;
}

static inline int bench_have_boost(void)
{
    return bench_boost_pingpong != NULL && bench_boost_spawn != NULL &&
           bench_boost_children != NULL;
}
#endif

#define BARE_MXCSR_DEFAULT 0x1F80u /* all exceptions masked, to nearest */
#define BARE_FPUCW_DEFAULT 0x037Fu

/* A first frame at the top of [lo, lo + size) that the switch (with or
 * without the control words, (fpu)) pops into bench_bare_start, which
 * calls (fn)(arg). Layout, low to high: [control words,] r15, r14, r13,
 * r12, rbx, rbp, return address. */
static inline void *bare_init(void *lo, size_t size, void (*fn)(void *),
                              void *arg, int fpu)
{
    uintptr_t top = ((uintptr_t)lo + size) & ~(uintptr_t)15;
    unsigned words = fpu ? 8 : 7;
    uint64_t *sp = (uint64_t *)(top - words * 8);
    uint64_t *regs = fpu ? sp + 1 : sp; /* r15 */
    for (unsigned i = 0; i < words; i++)
        sp[i] = 0;
    if (fpu)
        sp[0] = BARE_MXCSR_DEFAULT | ((uint64_t)BARE_FPUCW_DEFAULT << 32);
    regs[2] = (uint64_t)(uintptr_t)fn;               /* r13 */
    regs[3] = (uint64_t)(uintptr_t)arg;              /* r12 */
    regs[6] = (uint64_t)(uintptr_t)bench_bare_start; /* return address */
    return sp;
}

struct bare_side {
    void *sp;
    struct bare_side *other;
};

/* Both sides of a ping-pong run this same loop, so that every switch is
 * called from, and returns to, the same instruction, as two miou tasks
 * running the same function do. */
static __attribute__((noinline, unused)) void
bare_loop_fpu(struct bare_side *me, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        bench_bare_switch(&me->sp, me->other->sp);
}

static __attribute__((noinline, unused)) void
bare_loop_nofpu(struct bare_side *me, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        bench_bare_switch_nofpu(&me->sp, me->other->sp);
}

static inline void bare_entry_fpu(void *arg)
{
    bare_loop_fpu(arg, ULONG_MAX);
    abort();
}

static inline void bare_entry_nofpu(void *arg)
{
    bare_loop_nofpu(arg, ULONG_MAX);
    abort();
}

#define BARE_STACK (64u * 1024u)

/* (n) round trips, 2n switches. The second context is left suspended in
 * its loop and its stack freed. 0, or -1 out of memory. */
static inline int bare_pingpong(unsigned long n, int fpu)
{
    void *stack = malloc(BARE_STACK);
    if (!stack)
        return -1;
    struct bare_side a, b;
    a.other = &b;
    b.other = &a;
    b.sp = bare_init(stack, BARE_STACK, fpu ? bare_entry_fpu : bare_entry_nofpu,
                     &b, fpu);
    if (fpu)
        bare_loop_fpu(&a, n);
    else
        bare_loop_nofpu(&a, n);
    free(stack);
    return 0;
}

struct bare_spawn_ctx {
    void *main_sp;
    void *dead_sp;
    void (*volatile fn)(void); /* the task's work: nothing */
};

static inline void bare_nothing(void)
{
}

static inline void bare_spawn_entry(void *arg)
{
    struct bare_spawn_ctx *c = arg;
    c->fn();
    bench_bare_switch(&c->dead_sp, c->main_sp);
    abort();
}

/* (n) times: lay out a fresh context on one reused stack (a pool of one),
 * switch to it, let it run an empty function and switch back: create +
 * run + destroy with a pooled stack. */
static inline int bare_spawn(unsigned long n)
{
    void *stack = malloc(BARE_STACK);
    if (!stack)
        return -1;
    struct bare_spawn_ctx c;
    c.fn = bare_nothing;
    for (unsigned long i = 0; i < n; i++) {
        void *sp = bare_init(stack, BARE_STACK, bare_spawn_entry, &c, 1);
        bench_bare_switch(&c.main_sp, sp);
    }
    free(stack);
    return 0;
}

#endif
