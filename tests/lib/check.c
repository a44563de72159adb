/*
 * check.c - the test runner and the assertions of check.h.
 *
 * Output goes through solo5_console_write(), as every message of a
 * unikernel does, so that it keeps its order with the library's own
 * console lines on every platform.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define CHECK_VALGRIND 1
#endif
#endif

/* What the current case has seen. */
static struct {
    const char *topic;
    const char *name;
    int failures;     /* failed checks */
    char first[1024]; /* "file:line details" of the first failure */
    char more[2048];  /* the next few, for the "#" lines */
    int skipped;      /* check_skip() was called */
    char skip_reason[256];
} cur;

static unsigned long scale = 1;

/* The --scale divisor when none is given: big tests run at a tenth of
 * their size under valgrind, a twentieth under AddressSanitizer (whose
 * 32 KiB more per stack would not let 10,000 tasks fit the default
 * heap), in full elsewhere. */
static unsigned long default_scale(void)
{
#ifdef CHECK_ASAN
    return 20;
#else
#ifdef CHECK_VALGRIND
    if (RUNNING_ON_VALGRIND)
        return 10;
#endif
    return 1;
#endif
}

static char log_buf[16384];
static size_t log_len;

static void out(const char *s)
{
    solo5_console_write(s, strlen(s));
}

static void outf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void outf(const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    out(buf);
}

/* Append to a fixed buffer, truncating. */
static void append(char *buf, size_t size, const char *fmt, va_list ap)
{
    size_t len = strlen(buf);
    if (len + 1 < size)
        vsnprintf(buf + len, size - len, fmt, ap);
}

static void record(const char *file, int line, const char *fmt, va_list ap)
{
    char msg[1024];
    const char *base = strrchr(file, '/');
    int n = snprintf(msg, sizeof msg, "%s:%d ", base ? base + 1 : file, line);
    if (n > 0 && (size_t)n < sizeof msg)
        vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    cur.failures++;
    if (cur.failures == 1) {
        snprintf(cur.first, sizeof cur.first, "%s", msg);
    } else if (cur.failures <= 8) {
        size_t len = strlen(cur.more);
        if (len + 1 < sizeof cur.more)
            snprintf(cur.more + len, sizeof cur.more - len, "#   also: %s\n",
                     msg);
    }
}

void check_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(file, line, fmt, ap);
    va_end(ap);
}

static void failf(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void failf(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    record(file, line, fmt, ap);
    va_end(ap);
}

void check_skip(const char *fmt, ...)
{
    va_list ap;
    cur.skipped = 1;
    cur.skip_reason[0] = '\0';
    va_start(ap, fmt);
    append(cur.skip_reason, sizeof cur.skip_reason, fmt, ap);
    va_end(ap);
}

void check_note(const char *fmt, ...)
{
    char buf[1024] = "# ";
    va_list ap;
    va_start(ap, fmt);
    append(buf, sizeof buf - 1, fmt, ap);
    va_end(ap);
    strcat(buf, "\n");
    out(buf);
}

int check_failed(void)
{
    return cur.failures > 0;
}

static const char *op_text(enum check_op op)
{
    static const char *const text[] = {"==", "!=", "<", "<=", ">", ">="};
    return text[op];
}

static int holds(int cmp, enum check_op op)
{
    switch (op) {
    case CHECK_OP_EQ:
        return cmp == 0;
    case CHECK_OP_NE:
        return cmp != 0;
    case CHECK_OP_LT:
        return cmp < 0;
    case CHECK_OP_LE:
        return cmp <= 0;
    case CHECK_OP_GT:
        return cmp > 0;
    case CHECK_OP_GE:
        return cmp >= 0;
    }
    return 0;
}

int check_true(const char *file, int line, const char *expr, int value)
{
    if (value)
        return 1;
    failf(file, line, "CHECK(%s) failed", expr);
    return 0;
}

int check_int(const char *file, int line, const char *ea, const char *eb,
              intmax_t a, intmax_t b, enum check_op op)
{
    if (holds(a < b ? -1 : a > b, op))
        return 1;
    failf(file, line, "expected %s %s %s, got %jd and %jd", ea, op_text(op), eb,
          a, b);
    return 0;
}

int check_uint(const char *file, int line, const char *ea, const char *eb,
               uintmax_t a, uintmax_t b, enum check_op op)
{
    if (holds(a < b ? -1 : a > b, op))
        return 1;
    failf(file, line, "expected %s %s %s, got %ju and %ju", ea, op_text(op), eb,
          a, b);
    return 0;
}

int check_rc(const char *file, int line, const char *ea, const char *eb, int a,
             int b)
{
    if (a == b)
        return 1;
    failf(file, line, "expected %s == %s, got %d (%s) and %d (%s)", ea, eb, a,
          a < 0 ? miou_errname(a) : "success", b,
          b < 0 ? miou_errname(b) : "success");
    return 0;
}

int check_ptr(const char *file, int line, const char *ea, const char *eb,
              const void *a, const void *b, int equal)
{
    if ((a == b) == (equal != 0))
        return 1;
    failf(file, line, "expected %s %s %s, got %p and %p", ea,
          equal ? "==" : "!=", eb, a, b);
    return 0;
}

int check_str(const char *file, int line, const char *ea, const char *eb,
              const char *a, const char *b, int contains)
{
    int ok;
    if (a == NULL || b == NULL)
        ok = 0;
    else if (contains)
        ok = strstr(a, b) != NULL;
    else
        ok = strcmp(a, b) == 0;
    if (ok)
        return 1;
    failf(file, line, "expected %s %s %s, got \"%s\" and \"%s\"", ea,
          contains ? "to contain" : "==", eb, a ? a : "(null)",
          b ? b : "(null)");
    return 0;
}

size_t check_tasks(void)
{
    struct miou_stats st;
    miou_stats(&st);
    return st.tasks;
}

const char *check_task_name(const miou_task *task)
{
    static char bufs[16][32];
    static unsigned next;
    char *buf = bufs[next++ % 16];
    return miou_task_name(task, buf, sizeof bufs[0]);
}

size_t check_scaled(size_t n)
{
    size_t k = n / scale;
    return k ? k : 1;
}

void check_log(const char *fmt, ...)
{
    va_list ap;
    if (log_len > 0 && log_len + 1 < sizeof log_buf)
        log_buf[log_len++] = ' ';
    log_buf[log_len] = '\0';
    va_start(ap, fmt);
    append(log_buf, sizeof log_buf, fmt, ap);
    va_end(ap);
    log_len = strlen(log_buf);
}

const char *check_log_text(void)
{
    return log_buf;
}

void check_log_clear(void)
{
    log_len = 0;
    log_buf[0] = '\0';
}

/* ---- Console capture. On hosted Linux and under sim the console is the
 * process's standard output: it is pointed at a temporary file for the
 * time of the capture. Standard error is left alone, so that a
 * sanitizer's report of a crash during a capture is still seen. */

#if defined(MIOU_PLATFORM_HOSTED) || defined(MIOU_PLATFORM_SIM)
#include <unistd.h>

static int saved_fd = -1;
static FILE *capture_file;
static char *capture_text;

int check_capture_begin(void)
{
    fflush(NULL);
    capture_file = tmpfile();
    if (capture_file == NULL)
        return -1;
    saved_fd = dup(1);
    if (saved_fd < 0) {
        fclose(capture_file);
        capture_file = NULL;
        return -1;
    }
    dup2(fileno(capture_file), 1);
    return 0;
}

const char *check_capture_end(void)
{
    long size;
    if (capture_file == NULL)
        return NULL;
    fflush(NULL);
    dup2(saved_fd, 1);
    close(saved_fd);
    saved_fd = -1;
    free(capture_text);
    capture_text = NULL;
    size = ftell(capture_file);
    if (size < 0)
        size = 0;
    capture_text = malloc((size_t)size + 1);
    if (capture_text != NULL) {
        rewind(capture_file);
        size = (long)fread(capture_text, 1, (size_t)size, capture_file);
        capture_text[size] = '\0';
    }
    fclose(capture_file);
    capture_file = NULL;
    return capture_text;
}
#else
int check_capture_begin(void)
{
    return -1;
}

const char *check_capture_end(void)
{
    return NULL;
}
#endif

/* Tests ask for more memory than exists, to see MIOU_ENOMEM: under
 * AddressSanitizer malloc() must then return NULL, not abort. */
#if defined(CHECK_ASAN)
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}
#endif

uint64_t check_xorshift(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* ---- The runner. */

static int leftovers(void)
{
    struct miou_stats st;
    memset(&st, 0xA5, sizeof st);
    miou_stats(&st);
    /* task_bytes is a size, not a leftover: checked by test_run. */
    if (st.tasks || st.sleepers || st.pooled_stacks || st.switches ||
        st.polls) {
        failf(__FILE__, __LINE__,
              "miou_stats() after the run is not all zero: tasks=%zu "
              "sleepers=%zu pooled_stacks=%zu switches=%llu polls=%llu",
              st.tasks, st.sleepers, st.pooled_stacks,
              (unsigned long long)st.switches, (unsigned long long)st.polls);
        return 1;
    }
    return 0;
}

/* The unikernel's arguments (miou_args_parse(), as every platform splits
 * them), kept for check_option() until check_main() returns. */
static struct miou_args args;

const char *check_option(const char *name)
{
    size_t nlen = strlen(name);
    for (int i = 0; i < args.argc; i++) {
        const char *w = args.argv[i];
        if (strncmp(w, "--", 2) == 0 && strncmp(w + 2, name, nlen) == 0 &&
            w[nlen + 2] == '=')
            return w + nlen + 3;
    }
    return NULL;
}

/* Read the options of (args) and join the other words by single spaces
 * into (filter). Returns 1 when --list was given. */
static int parse_args(char *filter, size_t size)
{
    int list = 0;
    filter[0] = '\0';
    scale = default_scale();
    for (int i = 0; i < args.argc; i++) {
        const char *w = args.argv[i];
        size_t len = strlen(w);
        if (strncmp(w, "--scale=", 8) == 0 && len > 8) {
            /* Digits by hand: the freestanding libc of Solo5 is small. */
            unsigned long k = 0;
            for (const char *d = w + 8; *d >= '0' && *d <= '9'; d++)
                k = k * 10 + (unsigned long)(*d - '0');
            scale = k ? k : 1;
        } else if (strcmp(w, "--list") == 0) {
            list = 1;
        } else if (strncmp(w, "--", 2) == 0) {
            /* --solo5:quiet and other options: not ours */
        } else {
            size_t used = strlen(filter);
            if (used && used + 1 < size)
                filter[used++] = ' ';
            if (used + len < size) {
                memcpy(filter + used, w, len);
                filter[used + len] = '\0';
            }
        }
    }
    return list;
}

int check_main(const char *topic, const struct solo5_start_info *si,
               const struct check_case *cases, size_t n)
{
    char filter[512], full[512];
    int rc = miou_args_parse(si && si->cmdline ? si->cmdline : "", &args);
    if (rc != 0) {
        outf("check: cannot read the command line: %s\n", miou_strerror(rc));
        return 1;
    }
    int list = parse_args(filter, sizeof filter);
    size_t i, passed = 0, failed = 0, skipped = 0;

    for (i = 0; i < n; i++) {
        snprintf(full, sizeof full, "%s: %s", topic, cases[i].name);
        if (filter[0] && strstr(full, filter) == NULL)
            continue;
        if (list) {
            outf("%s\n", full);
            continue;
        }
        memset(&cur, 0, sizeof cur);
        cur.topic = topic;
        cur.name = cases[i].name;
        check_log_clear();
        cases[i].fn();
        leftovers();
        if (cur.failures) {
            outf("not ok - %s: %s%s%s\n", full, cur.first,
                 cur.failures > 8 ? " (and more failures)" : "",
                 cur.failures > 1 ? " (see below)" : "");
            out(cur.more);
            failed++;
        } else if (cur.skipped) {
            outf("skip - %s: SKIPPED %s\n", full, cur.skip_reason);
            skipped++;
        } else {
            outf("ok - %s\n", full);
            passed++;
        }
    }
    if (!list)
        outf("# %s: %zu passed, %zu failed, %zu skipped\n", topic, passed,
             failed, skipped);
    miou_args_free(&args);
    return failed ? 1 : 0;
}
