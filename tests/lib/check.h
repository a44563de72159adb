/*
 * check.h - a tiny test framework for miou unikernels.
 *
 * A test program tests/test_<topic>.c defines solo5_app_main(), which hands
 * a table of cases to check_main(). Each case is a function named by a
 * sentence; it runs its own miou_run() and checks what happened. After each
 * case the framework checks that the run left nothing behind (miou_stats()
 * is all zero outside a run).
 *
 * A failed check records file:line, both expressions and both values, and
 * fails the current case; the case goes on (a check is an expression that
 * is 1 when it held, so `if (!CHECK(...)) return NULL;` stops early where
 * going on would crash). One line per case:
 *
 *   ok - <topic>: <sentence>
 *   not ok - <topic>: <sentence>: <file:line> <details>
 *   skip - <topic>: <sentence>: SKIPPED <reason>
 *
 * The unikernel's arguments (si->cmdline): words not starting with "--"
 * form a filter, a substring of "<topic>: <sentence>"; --scale=K divides
 * the sizes of big tests (check_scaled(); by default 10 under valgrind, 20
 * under AddressSanitizer, else 1); --list prints the case names.
 * The exit status is 0 iff no case failed.
 */
#ifndef CHECK_H_INCLUDED
#define CHECK_H_INCLUDED

/* AddressSanitizer builds, with gcc (__SANITIZE_ADDRESS__) or clang
 * (__has_feature). */
#if defined(__SANITIZE_ADDRESS__)
#define CHECK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHECK_ASAN 1
#endif
#endif

#include <stddef.h>
#include <stdint.h>

#include <miou.h>

struct check_case {
    const char *name; /* a sentence */
    void (*fn)(void);
};

#define CHECK_COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* Run the cases of (topic) selected by (si)'s command line; the exit
 * status for solo5_app_main(). */
int check_main(const char *topic, const struct solo5_start_info *si,
               const struct check_case *cases, size_t n);

/* (n) divided by the --scale divisor, at least 1. */
size_t check_scaled(size_t n);

/* The value of the unikernel argument "--(name)=VALUE", or NULL when it is
 * absent. Valid until check_main() returns. */
const char *check_option(const char *name);

/* Mark the current case as skipped with (reason) (printf format). Failed
 * checks still make it fail. */
void check_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fail the current case with a message (printf format). */
void check_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A line of diagnostics ("# ...") on the console, for humans. */
void check_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 once a check of the current case has failed. */
int check_failed(void);

/* ---- Assertions: each is 1 when it held, 0 (and a failure) when not. */

enum check_op {
    CHECK_OP_EQ,
    CHECK_OP_NE,
    CHECK_OP_LT,
    CHECK_OP_LE,
    CHECK_OP_GT,
    CHECK_OP_GE
};

int check_true(const char *file, int line, const char *expr, int value);
int check_int(const char *file, int line, const char *ea, const char *eb,
              intmax_t a, intmax_t b, enum check_op op);
int check_uint(const char *file, int line, const char *ea, const char *eb,
               uintmax_t a, uintmax_t b, enum check_op op);
int check_rc(const char *file, int line, const char *ea, const char *eb, int a,
             int b);
int check_ptr(const char *file, int line, const char *ea, const char *eb,
              const void *a, const void *b, int equal);
int check_str(const char *file, int line, const char *ea, const char *eb,
              const char *a, const char *b, int contains);

#define CHECK(cond) check_true(__FILE__, __LINE__, #cond, (cond) != 0)

/* Signed integers (int, long, ssize, and status codes as numbers). */
#define CHECK_EQ(a, b) CHECK__I(a, b, CHECK_OP_EQ)
#define CHECK_NE(a, b) CHECK__I(a, b, CHECK_OP_NE)
#define CHECK_LT(a, b) CHECK__I(a, b, CHECK_OP_LT)
#define CHECK_LE(a, b) CHECK__I(a, b, CHECK_OP_LE)
#define CHECK_GT(a, b) CHECK__I(a, b, CHECK_OP_GT)
#define CHECK_GE(a, b) CHECK__I(a, b, CHECK_OP_GE)
#define CHECK__I(a, b, op)                                                     \
    check_int(__FILE__, __LINE__, #a, #b, (intmax_t)(a), (intmax_t)(b), op)

/* Unsigned integers (sizes, clock readings). */
#define CHECK_UEQ(a, b) CHECK__U(a, b, CHECK_OP_EQ)
#define CHECK_UNE(a, b) CHECK__U(a, b, CHECK_OP_NE)
#define CHECK_ULT(a, b) CHECK__U(a, b, CHECK_OP_LT)
#define CHECK_ULE(a, b) CHECK__U(a, b, CHECK_OP_LE)
#define CHECK_UGT(a, b) CHECK__U(a, b, CHECK_OP_GT)
#define CHECK_UGE(a, b) CHECK__U(a, b, CHECK_OP_GE)
#define CHECK__U(a, b, op)                                                     \
    check_uint(__FILE__, __LINE__, #a, #b, (uintmax_t)(a), (uintmax_t)(b), op)

/* Status codes of the API: values are printed with their names. */
#define CHECK_RC(a, b) check_rc(__FILE__, __LINE__, #a, #b, (a), (b))

#define CHECK_PTR_EQ(a, b)                                                     \
    check_ptr(__FILE__, __LINE__, #a, #b, (const void *)(a),                   \
              (const void *)(b), 1)
#define CHECK_PTR_NE(a, b)                                                     \
    check_ptr(__FILE__, __LINE__, #a, #b, (const void *)(a),                   \
              (const void *)(b), 0)
#define CHECK_NULL(a) CHECK_PTR_EQ(a, NULL)
#define CHECK_NOT_NULL(a) CHECK_PTR_NE(a, NULL)

#define CHECK_STR_EQ(a, b) check_str(__FILE__, __LINE__, #a, #b, (a), (b), 0)
/* (a) contains (b). */
#define CHECK_STR_HAS(a, b) check_str(__FILE__, __LINE__, #a, #b, (a), (b), 1)

/* ---- Helpers for the cases. */

/* miou_run(NULL, fn, arg, NULL) checked to return (expected). */
#define CHECK_RUN(fn, arg, expected)                                           \
    CHECK_RC(miou_run(NULL, (fn), (arg), NULL), (expected))

/* The number of live tasks of the current run. */
size_t check_tasks(void);
#define CHECK_TASKS(n) CHECK_UEQ(check_tasks(), (n))

/* An event log for checking orders: tokens appended with a space between
 * them; cleared before each case. */
void check_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *check_log_text(void);
void check_log_clear(void);

/* Console capture, where the platform allows it (hosted Linux): the
 * console output between begin and end is collected instead of shown.
 * check_capture_end() returns the text (valid until the next capture), or
 * NULL when capture is not supported. */
int check_capture_begin(void);
const char *check_capture_end(void);

/* miou_task_name() into one of 16 rotating buffers of the framework. */
const char *check_task_name(const miou_task *task);

/* The next number of the deterministic generator whose state is (*state)
 * (xorshift64*: small, fast, the same sequence on every platform; the
 * state must not be 0). */
uint64_t check_xorshift(uint64_t *state);

/* Milliseconds, in nanoseconds. */
#define MS(n) ((uint64_t)(n)*1000000u)

#endif
