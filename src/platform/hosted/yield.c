/*
 * yield.c - the unikernel's only way to wait: until the monotonic clock
 * reaches a deadline or a net device has input.
 *
 * The wait is one ppoll() on the descriptors of the acquired net devices.
 * Their pollfd array is filled at acquire time, so that a yield allocates
 * nothing.
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

/* While a device uses the unix backend, the longest wait between two
 * looks at its peer's socket. */
#define UNIX_RECHECK_SEC 1

/* Largest value of the (signed) time_t, whatever its width, computed
 * without ever overflowing it. */
#define TIME_T_MAX                                                             \
    ((uint64_t)(((time_t)1 << (sizeof(time_t) * 8 - 2)) - 1) * 2 + 1)

/* The net devices a yield waits on. */
struct pollset {
    nfds_t n;
    struct pollfd fds[HOSTED_MAX_DEVICES];
    solo5_handle_t handles[HOSTED_MAX_DEVICES];
    /* 1 when an error on the descriptor stays until it is closed (a TAP
     * whose interface was deleted), 0 when reading clears it (sockets). */
    unsigned char errors_stay[HOSTED_MAX_DEVICES];
    int unix_devices; /* how many use the unix backend */
};

static struct pollset pollset;

void hosted_yield_watch(int fd, solo5_handle_t handle)
{
    struct pollset *p = &pollset;
    const struct hosted_device *d = &hosted_devices[handle];

    /* Each device is acquired once, so there is always room. */
    p->fds[p->n] = (struct pollfd){.fd = fd, .events = POLLIN};
    p->handles[p->n] = handle;
    p->errors_stay[p->n] =
        d->kind == HOSTED_NET_TAP || d->kind == HOSTED_NET_TAPFD;
    p->unix_devices += d->kind == HOSTED_NET_UNIX;
    p->n++;
}

void hosted_yield_forget_all(void)
{
    pollset.n = 0;
    pollset.unix_devices = 0;
}

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

/* The handles whose descriptors ppoll() marked. A hang-up, or an error
 * that reading cannot clear, is reported once (the reader then learns of
 * it) and the descriptor is no longer watched: else every later wait
 * would end at once. */
static solo5_handle_set_t ready_handles(struct pollset *p)
{
    solo5_handle_set_t ready = 0;
    nfds_t i;

    for (i = 0; i < p->n; i++) {
        short r = p->fds[i].revents;

        if (r == 0)
            continue;
        ready |= (solo5_handle_set_t)1 << p->handles[i];
        if (!(r & POLLIN) && ((r & (POLLHUP | POLLNVAL)) || p->errors_stay[i]))
            p->fds[i].fd = -1;
    }
    return ready;
}

/* Before a wait: the unix backend's peers may have changed (unixpeer.c),
 * and a wait must not keep a restarted peer refused for long. (timeout)
 * is the wait's; the one to use is returned. */
static const struct timespec *prepare_unix(struct pollset *p,
                                           const struct timespec *timeout,
                                           struct timespec *ts)
{
    nfds_t i;

    if (p->unix_devices == 0)
        return timeout;
    for (i = 0; i < p->n; i++) {
        struct hosted_device *d = &hosted_devices[p->handles[i]];

        if (d->kind == HOSTED_NET_UNIX)
            hosted_unix_refresh(d);
    }
    if (timeout == NULL || timeout->tv_sec >= UNIX_RECHECK_SEC) {
        ts->tv_sec = UNIX_RECHECK_SEC;
        ts->tv_nsec = 0;
        return ts;
    }
    return timeout;
}

/* Wait on the devices of (p) until (deadline) or input. */
static solo5_handle_set_t wait_input(struct pollset *p, solo5_time_t deadline)
{
    /* A deadline of 0, the scheduler's usual poll, is known to be past
     * without reading the clock. */
    solo5_time_t now = deadline == 0 ? 0 : solo5_clock_monotonic();

    for (;;) {
        struct timespec ts = {0, 0};
        int past = now >= deadline;
        const struct timespec *timeout =
            past ? &ts
                 : prepare_unix(p, timeout_until(deadline, now, &ts), &ts);
        int n = ppoll(p->fds, p->n, timeout, NULL);

        if (n > 0) {
            solo5_handle_set_t ready = ready_handles(p);

            if (ready != 0)
                return ready;
        } else if (n < 0) {
            if (errno != EINTR)
                wait_failed(errno);
            hosted_debug_poll();
        }
        if (past)
            return 0;
        /* Signals, timer rounding and the rechecks of the unix backend
         * end ppoll() early: only the clock says whether the deadline has
         * been reached. */
        now = solo5_clock_monotonic();
        if (now >= deadline)
            return 0;
    }
}

/* Sleep until (deadline), with no device to watch. */
static void wait_time(solo5_time_t deadline)
{
    solo5_time_t now;

    /* The scheduler polls with past deadlines between task switches: that
     * path must make no system call. */
    if (deadline == 0)
        return;
    now = solo5_clock_monotonic();
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

void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    struct pollset *p = &pollset;
    solo5_handle_set_t ready = 0;

    hosted_debug_poll();
    if (p->n == 0)
        wait_time(deadline);
    else
        ready = wait_input(p, deadline);
    if (ready_set != NULL)
        *ready_set = ready;
}
