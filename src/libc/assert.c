/*
 * assert.c - the failure path of assert() (assert.h).
 */
#include <assert.h>
#include <stdio.h>

#include <solo5.h>

/* Stops the unikernel in every build: an assertion that failed means the
 * program's state is not what its code relies on. */
_Noreturn void __miou_libc_assert_fail(const char *expr, const char *file,
                                       int line, const char *func)
{
    fprintf(stderr, "Assertion failed: %s, file %s, line %d, function %s\n",
            expr, file, line, func);
    solo5_abort();
}
