/*
 * yield.c - the unikernel's only way to wait: until the monotonic clock
 * reaches a deadline (later also until a net device has input).
 *
 * The wait is a ppoll() with no descriptor yet, so that net devices can
 * add theirs without changing how time is handled.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <solo5.h>

#include "hosted.h"

#define NSEC_PER_SEC 1000000000ull

/* Largest value of the (signed) time_t, whatever its width, computed
 * without ever overflowing it. */
#define TIME_T_MAX                                                             \
    ((uint64_t)(((time_t)1 << (sizeof(time_t) * 8 - 2)) - 1) * 2 + 1)

/* The wait from (now) to (deadline), which must be later, as a ppoll()
 * timeout stored in (ts); NULL, an endless wait, when the deadline is
 * "never" or too far to fit a timespec. */
static const struct timespec *
timeout_until(solo5_time_t deadline, solo5_time_t now, struct timespec *ts)
{
    uint64_t left = deadline - now;
    uint64_t sec = left / NSEC_PER_SEC;

    if (deadline == UINT64_MAX || sec > TIME_T_MAX)
        return NULL;
    ts->tv_sec = (time_t)sec;
    ts->tv_nsec = (long)(left % NSEC_PER_SEC);
    return ts;
}

static void wait_failed(int err)
{
    static const char what[] = "Solo5: solo5_yield: ppoll: ";
    const char *why = strerror(err);

    hosted_write_all(STDERR_FILENO, what, sizeof what - 1);
    hosted_write_all(STDERR_FILENO, why, strlen(why));
    hosted_write_all(STDERR_FILENO, "\n", 1);
    solo5_abort();
}

void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    /* The scheduler polls with past deadlines between task switches: that
     * path must make no system call. A deadline of 0, its usual poll, does
     * not even need a clock read to be known as past. */
    if (ready_set != NULL)
        *ready_set = 0;
    hosted_debug_poll();
    if (deadline == 0)
        return;

    solo5_time_t now = solo5_clock_monotonic();
    /* Signals and timer rounding can end ppoll() early: only the clock
     * says whether the deadline has been reached. */
    while (now < deadline) {
        struct timespec ts;
        const struct timespec *timeout = timeout_until(deadline, now, &ts);

        if (ppoll(NULL, 0, timeout, NULL) < 0) {
            if (errno != EINTR)
                wait_failed(errno);
            hosted_debug_poll();
        }
        now = solo5_clock_monotonic();
    }
}
