/*
 * bench_platform - what the platform's calls under the scheduler cost:
 * ns per call of the Solo5 interface itself, outside any miou_run(), so
 * that the scheduler's figures on each platform can be read against
 * them (bench/run.sh runs it hosted and under solo5-spt).
 *
 * Variants, each round running all of them one after the other:
 *   clock  solo5_clock_monotonic(): hosted, clock_gettime() through the
 *          vDSO; spt, a clock_gettime system call through the tender's
 *          seccomp filter
 *   wall   solo5_clock_wall(), the same for CLOCK_REALTIME
 *   poll   solo5_yield(0, &ready): the scheduler's poll between task
 *          switches (a deadline already past). Hosted without devices
 *          (this program has none), no system call at all; spt,
 *          timerfd_settime() of the tender's timer to a past time and
 *          epoll_pwait() for it, whatever the devices
 *
 * Arguments (see common.h): n=100000 rounds=5 only=VARIANT.
 */
#include "common.h"

#define BENCH "platform"

enum { CLOCK, WALL, POLL, NVARIANTS };
static const char *const names[NVARIANTS] = {"clock", "wall", "poll"};

/* Keeps the clock reads from being dropped. */
static volatile solo5_time_t sink;

static double run(int v, unsigned long n)
{
    solo5_time_t acc = 0;
    solo5_handle_set_t ready = 0;
    uint64_t t0 = bench_now();
    for (unsigned long i = 0; i < n; i++) {
        switch (v) {
        case CLOCK:
            acc += solo5_clock_monotonic();
            break;
        case WALL:
            acc += solo5_clock_wall();
            break;
        case POLL:
            solo5_yield(0, &ready);
            acc += ready;
            break;
        }
    }
    uint64_t ns = bench_now() - t0;
    sink = acc;
    return (double)ns / (double)n;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline;
    unsigned long n = bench_arg_u64(cmd, "n", 100000);
    unsigned rounds = bench_rounds(cmd);
    double ns[NVARIANTS][BENCH_MAX_ROUNDS];

    printf("# platform: %lu calls of each, %u rounds, ns per call\n", n,
           rounds);
    for (unsigned r = 0; r < rounds; r++) {
        printf("round %u:", r + 1);
        for (int v = 0; v < NVARIANTS; v++) {
            if (!bench_want(cmd, names[v]))
                continue;
            ns[v][r] = run(v, n);
            printf(" %s %.1f", names[v], ns[v][r]);
        }
        printf("\n");
    }
    for (int v = 0; v < NVARIANTS; v++)
        bench_report_median(BENCH, cmd, names[v], 1, ns[v], rounds, "call");
    return 0;
}
