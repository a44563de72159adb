/*
 * test_machine.c - what the context switch must keep per task: callee-saved
 * registers (many live locals across yields), the floating-point control
 * state (rounding mode, x87 precision), and an aligned stack.
 */
#include <stdio.h>
#include <string.h>

#include "lib/check.h"

/* valgrind does not emulate the SSE rounding modes: the arithmetic is
 * checked only on the real CPU (the control state is checked anyway). */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define ON_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef ON_VALGRIND
#define ON_VALGRIND() 0
#endif

/* ---- Floating-point control state, read and written directly so that
 * the test needs no libm. */

#if defined(__x86_64__)
#define FP_SUPPORTED 1
enum { RND_NEAREST = 0, RND_DOWN = 1, RND_UP = 2, RND_ZERO = 3 };

static unsigned mxcsr_get(void)
{
    unsigned v;
    __asm__ volatile("stmxcsr %0" : "=m"(v));
    return v;
}

static void mxcsr_set(unsigned v)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(v));
}

static unsigned short x87_get(void)
{
    unsigned short v;
    __asm__ volatile("fnstcw %0" : "=m"(v));
    return v;
}

static void x87_set(unsigned short v)
{
    __asm__ volatile("fldcw %0" : : "m"(v));
}

static int rounding_get(void)
{
    return (int)((mxcsr_get() >> 13) & 3u);
}

static void rounding_set(int mode)
{
    unsigned short cw = x87_get();
    mxcsr_set((mxcsr_get() & ~0x6000u) | ((unsigned)mode << 13));
    x87_set((unsigned short)((cw & ~0x0C00u) | ((unsigned)mode << 10)));
}

/* Every control bit, without the sticky status flags. */
static uint64_t control_state(void)
{
    return ((uint64_t)(mxcsr_get() & ~0x3Fu) << 16) | x87_get();
}

/* Change the x87 precision control to 24 bits (a state the SSE code
 * never shows, but which the switch must still keep apart). */
static void precision_single(void)
{
    x87_set((unsigned short)(x87_get() & ~0x0300u));
}

#elif defined(__aarch64__)
#define FP_SUPPORTED 1
enum { RND_NEAREST = 0, RND_UP = 1, RND_DOWN = 2, RND_ZERO = 3 };

static uint64_t fpcr_get(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, fpcr" : "=r"(v));
    return v;
}

static void fpcr_set(uint64_t v)
{
    __asm__ volatile("msr fpcr, %0" : : "r"(v));
}

static int rounding_get(void)
{
    return (int)((fpcr_get() >> 22) & 3u);
}

static void rounding_set(int mode)
{
    fpcr_set((fpcr_get() & ~(UINT64_C(3) << 22)) | ((uint64_t)mode << 22));
}

static uint64_t control_state(void)
{
    return fpcr_get();
}

/* Flush-to-zero, another control bit the switch must keep apart. */
static void precision_single(void)
{
    fpcr_set(fpcr_get() | (UINT64_C(1) << 24));
}

#else
#define FP_SUPPORTED 0
enum { RND_NEAREST, RND_DOWN, RND_UP, RND_ZERO };
static int rounding_get(void)
{
    return 0;
}
static void rounding_set(int mode)
{
    (void)mode;
}
static uint64_t control_state(void)
{
    return 0;
}
static void precision_single(void)
{
}
#endif

static volatile double one = 1.0, three = 3.0;

/* 1/3 rounded by the current mode: the upward result is one ulp above the
 * nearest one. */
static double third(void)
{
    return one / three;
}

struct fp {
    double nearest;
    uint64_t default_state;
    int a_mode_after, b_mode, b_mode_after, child_mode;
    double a_third, b_third;
    uint64_t b_state;
};

static void *fp_a(void *arg)
{
    struct fp *f = arg;
    rounding_set(RND_UP);
    precision_single();
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_yield(), 0);
    f->a_mode_after = rounding_get();
    f->a_third = third();
    rounding_set(RND_NEAREST);
    return NULL;
}

static void *fp_b(void *arg)
{
    struct fp *f = arg;
    f->b_mode = rounding_get();
    f->b_state = control_state();
    f->b_third = third();
    rounding_set(RND_ZERO);
    CHECK_RC(miou_yield(), 0);
    CHECK_RC(miou_yield(), 0);
    f->b_mode_after = rounding_get();
    return NULL;
}

static void *fp_main(void *arg)
{
    struct fp *f = arg;
    miou_task *t[2];
    f->default_state = control_state();
    CHECK_RC(miou_async(&t[0], fp_a, f), 0);
    CHECK_RC(miou_async(&t[1], fp_b, f), 0);
    CHECK_RC(miou_await_all(t, 2, NULL, NULL), 0);
    /* This task's state was not touched by theirs. */
    CHECK_EQ(rounding_get(), RND_NEAREST);
    CHECK_UEQ(control_state(), f->default_state);
    return NULL;
}

static void the_rounding_mode_of_one_task_does_not_leak(void)
{
    struct fp f = {0};
    if (!FP_SUPPORTED) {
        check_skip("no floating-point control access on this CPU");
        return;
    }
    f.nearest = third();
    CHECK_RUN(fp_main, &f, 0);
    CHECK_EQ(f.a_mode_after, RND_UP);
    if (!ON_VALGRIND())
        CHECK(f.a_third > f.nearest);
    CHECK_EQ(f.b_mode, RND_NEAREST);
    CHECK_UEQ(f.b_state, f.default_state);
    CHECK(f.b_third == f.nearest);
    CHECK_EQ(f.b_mode_after, RND_ZERO);
    CHECK_EQ(rounding_get(), RND_NEAREST);
}

static void *fp_child(void *arg)
{
    struct fp *f = arg;
    f->child_mode = rounding_get();
    f->b_state = control_state();
    return NULL;
}

static void *fp_parent(void *arg)
{
    struct fp *f = arg;
    miou_task *t;
    f->default_state = control_state();
    rounding_set(RND_DOWN);
    CHECK_RC(miou_async(&t, fp_child, f), 0);
    CHECK_RC(miou_await(t, NULL), 0);
    CHECK_EQ(rounding_get(), RND_DOWN);
    rounding_set(RND_NEAREST);
    return NULL;
}

static void a_child_starts_with_the_default_control_state(void)
{
    struct fp f = {.child_mode = -1};
    if (!FP_SUPPORTED) {
        check_skip("no floating-point control access on this CPU");
        return;
    }
    CHECK_RUN(fp_parent, &f, 0);
    CHECK_EQ(f.child_mode, RND_NEAREST);
    CHECK_UEQ(f.b_state, f.default_state);
}

static void *fp_leave_up(void *arg)
{
    (void)arg;
    rounding_set(RND_UP);
    precision_single();
    CHECK_RC(miou_yield(), 0);
    return NULL;
}

static void the_caller_of_miou_run_keeps_its_control_state(void)
{
    uint64_t before = control_state();
    if (!FP_SUPPORTED) {
        check_skip("no floating-point control access on this CPU");
        return;
    }
    CHECK_RUN(fp_leave_up, NULL, 0);
    CHECK_EQ(rounding_get(), RND_NEAREST);
    CHECK_UEQ(control_state(), before);
    /* And a caller's own mode is its own too. */
    rounding_set(RND_DOWN);
    CHECK_RUN(fp_leave_up, NULL, 0);
    CHECK_EQ(rounding_get(), RND_DOWN);
    rounding_set(RND_NEAREST);
}

/* ---- Callee-saved registers: many values live across each yield. The
 * compiler keeps them in callee-saved registers (or spills them, which
 * the switch must not disturb either). */

static void __attribute__((noinline)) mix(uint64_t seed, uint64_t *out)
{
    uint64_t a = seed, b = seed * 3, c = seed * 5, d = seed * 7, e = seed * 11,
             f = seed * 13, g = seed * 17, h = seed * 19, i = seed * 23,
             j = seed * 29, k = seed * 31, l = seed * 37;
    double x = (double)seed, y = x * 0.5, z = x * 0.25, w = x * 0.125,
           u = x + 1, v = x + 2, p = x + 3, q = x + 4;
    int n;
    for (n = 0; n < 50; n++) {
        if (!CHECK_RC(miou_yield(), 0))
            break;
        a += 1, b += 2, c += 3, d += 4, e += 5, f += 6;
        g ^= a, h ^= b, i += c ^ d, j += e ^ f, k -= g, l -= h;
        x += 1.0, y += 2.0, z += 0.5, w += 0.25;
        u *= 1.0, v -= 1.0, p += x, q += y;
    }
    out[0] = a + b + c + d + e + f;
    out[1] = g ^ h ^ i ^ j ^ k ^ l;
    out[2] = (uint64_t)(x + y + z + w);
    out[3] = (uint64_t)(u + v + p + q);
}

/* The same computation without any yield, for the expected values. */
static void __attribute__((noinline)) mix_plain(uint64_t seed, uint64_t *out)
{
    volatile uint64_t a = seed, b = seed * 3, c = seed * 5, d = seed * 7,
                      e = seed * 11, f = seed * 13, g = seed * 17,
                      h = seed * 19, i = seed * 23, j = seed * 29,
                      k = seed * 31, l = seed * 37;
    volatile double x = (double)seed, y = x * 0.5, z = x * 0.25, w = x * 0.125,
                    u = x + 1, v = x + 2, p = x + 3, q = x + 4;
    int n;
    for (n = 0; n < 50; n++) {
        a += 1, b += 2, c += 3, d += 4, e += 5, f += 6;
        g ^= a, h ^= b, i += c ^ d, j += e ^ f, k -= g, l -= h;
        x += 1.0, y += 2.0, z += 0.5, w += 0.25;
        u *= 1.0, v -= 1.0, p += x, q += y;
    }
    out[0] = a + b + c + d + e + f;
    out[1] = g ^ h ^ i ^ j ^ k ^ l;
    out[2] = (uint64_t)(x + y + z + w);
    out[3] = (uint64_t)(u + v + p + q);
}

struct regs {
    uint64_t seed;
    uint64_t got[4], want[4];
};

static void *regs_task(void *arg)
{
    struct regs *r = arg;
    mix(r->seed, r->got);
    return NULL;
}

static void *regs_main(void *arg)
{
    struct regs *r = arg;
    miou_task *t[4];
    int i;
    for (i = 0; i < 4; i++)
        CHECK_RC(miou_async(&t[i], regs_task, &r[i]), 0);
    /* This task too, between the others. */
    mix(r[4].seed, r[4].got);
    CHECK_RC(miou_await_all(t, 4, NULL, NULL), 0);
    return NULL;
}

static void callee_saved_registers_survive_yields(void)
{
    struct regs r[5];
    int i, j;
    for (i = 0; i < 5; i++) {
        r[i].seed = 1000003u * (uint64_t)(i + 1);
        mix_plain(r[i].seed, r[i].want);
    }
    CHECK_RUN(regs_main, r, 0);
    for (i = 0; i < 5; i++)
        for (j = 0; j < 4; j++)
            if (!CHECK_UEQ(r[i].got[j], r[i].want[j]))
                check_note("task %d value %d", i, j);
}

/* ---- Stack alignment: the ABI's 16 bytes at every call, which library
 * code relies on (vector spills in printf of a double). */

static void *aligned_task(void *arg)
{
    _Alignas(16) char local[16];
    char buf[64];
    volatile double d = 2.5;
    (void)arg;
    memset(local, 0, sizeof local);
    CHECK_UEQ((uintptr_t)local % 16, 0);
#if defined(__GLIBC__)
    /* glibc's printf of a long double spills vectors to the stack. */
    snprintf(buf, sizeof buf, "%.2f %Lf", d, (long double)d);
    CHECK_STR_EQ(buf, "2.50 2.500000");
#else
    snprintf(buf, sizeof buf, "%.2f", d);
    CHECK_STR_EQ(buf, "2.50");
#endif
    CHECK_RC(miou_yield(), 0);
    snprintf(buf, sizeof buf, "%.3f", d * 2);
    CHECK_STR_EQ(buf, "5.000");
    return NULL;
}

static void *aligned_main(void *arg)
{
    miou_task *t[3];
    struct miou_task_options opts = {0};
    int i;
    (void)arg;
    aligned_task(NULL);
    for (i = 0; i < 3; i++) {
        /* Odd sizes must not misalign the stack. */
        opts.stack_size = 16384 + (size_t)i * 8 + 1;
        CHECK_RC(miou_async_with(&t[i], &opts, aligned_task, NULL), 0);
    }
    CHECK_RC(miou_await_all(t, 3, NULL, NULL), 0);
    return NULL;
}

static void task_stacks_are_aligned_for_the_abi(void)
{
    CHECK_RUN(aligned_main, NULL, 0);
}

static const struct check_case cases[] = {
    {"the rounding mode of one task does not leak into another",
     the_rounding_mode_of_one_task_does_not_leak},
    {"a child starts with the default floating-point control state",
     a_child_starts_with_the_default_control_state},
    {"the caller of miou_run keeps its floating-point control state",
     the_caller_of_miou_run_keeps_its_control_state},
    {"callee-saved registers survive yields (many live locals)",
     callee_saved_registers_survive_yields},
    {"task stacks are aligned for the ABI, whatever the stack size",
     task_stacks_are_aligned_for_the_abi},
};

int solo5_app_main(const struct solo5_start_info *si)
{
    return check_main("machine", si, cases, CHECK_COUNT(cases));
}
