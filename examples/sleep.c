/*
 * sleep - a task that sleeps. It prints "Hello", sleeps one second,
 * prints "World" and sleeps one more second: while it sleeps, the
 * scheduler has nothing to run and waits in solo5_yield() until the
 * deadline, without spinning.
 *
 *   sleep [SECONDS]     sleep SECONDS (a whole number) instead of one
 *
 * Run it on the hosted platform (it takes two seconds), or on the sim
 * platform, where an hour passes in virtual time at once:
 *
 *   make && build/hosted/examples/sleep
 *   make PLATFORM=sim && build/sim/examples/sleep -- 3600
 */
#include <miou.h>

#define ONE_SECOND 1000000000ull /* miou_sleep() counts nanoseconds */

/* Console output without the C library, so that the program builds
 * unchanged for Solo5. */
static void print(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    solo5_console_write(s, n);
}

struct sleep_run {
    uint64_t ns; /* each sleep */
    int status;
};

/* The first task: it fills in (arg)'s status, for solo5_app_main(). */
static void *hello_world(void *arg)
{
    struct sleep_run *run = arg;

    print("Hello\n");
    run->status = miou_sleep(run->ns);
    if (run->status != 0)
        return NULL;
    print("World\n");
    run->status = miou_sleep(run->ns);
    return NULL;
}

/* The seconds of the command line ("" for one), at most a year; 0 when
 * it is not a whole number in that range. */
static uint64_t seconds_of(const char *s)
{
    uint64_t v = 0;

    if (*s == '\0')
        return 1;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9' || v > 366ull * 86400)
            return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    return v <= 366ull * 86400 ? v : 0;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    struct sleep_run run = {0, 0};
    uint64_t seconds = seconds_of(si->cmdline);
    int rc;

    if (seconds == 0) {
        print("usage: sleep [SECONDS], 1 to 31622400\n");
        return 2;
    }
    run.ns = seconds * ONE_SECOND;
    rc = miou_run(NULL, hello_world, &run, NULL);
    if (rc == 0)
        rc = run.status;
    if (rc != 0) {
        print("sleep: ");
        print(miou_strerror(rc));
        print("\n");
        return 1;
    }
    return 0;
}
