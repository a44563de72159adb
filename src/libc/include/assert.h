/*
 * assert.h - assert() for the freestanding C library of miou-solo5.
 *
 * A failed assert(e) prints
 *   Assertion failed: e, file F, line L, function FN
 * on the console and stops the unikernel through solo5_abort(). With
 * NDEBUG defined where this header is included, assert(e) does nothing
 * and (e) is not evaluated. As the standard asks, this header may be
 * included again after changing NDEBUG: assert follows the last one.
 */
#undef assert

#ifdef NDEBUG
#define assert(e) ((void)0)
#else
#define assert(e)                                                              \
    ((e) ? (void)0 : __miou_libc_assert_fail(#e, __FILE__, __LINE__, __func__))
#endif

#ifndef MIOU_LIBC_ASSERT_H
#define MIOU_LIBC_ASSERT_H

#define static_assert _Static_assert

/* The failure path of assert(), in assert.c. */
_Noreturn void __miou_libc_assert_fail(const char *expr, const char *file,
                                       int line, const char *func);

#endif
