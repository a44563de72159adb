/*
 * clock.c - Solo5's clocks are the host's, in nanoseconds.
 */
#include <time.h>

#include <solo5.h>

#define NSEC_PER_SEC 1000000000ull

static solo5_time_t clock_ns(clockid_t id)
{
    struct timespec ts;

    /* Cannot fail for these clocks on Linux; a unikernel without a clock
     * could not keep a single promise, so stop rather than guess. */
    if (clock_gettime(id, &ts) != 0)
        solo5_abort();
    /* Wall time before 1970 has no unsigned representation. */
    if (ts.tv_sec < 0)
        return 0;
    return (solo5_time_t)ts.tv_sec * NSEC_PER_SEC + (solo5_time_t)ts.tv_nsec;
}

solo5_time_t solo5_clock_monotonic(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

solo5_time_t solo5_clock_wall(void)
{
    return clock_ns(CLOCK_REALTIME);
}
