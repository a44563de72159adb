/*
 * sleep - a task that sleeps. It prints "Hello", sleeps one second,
 * prints "World" and sleeps one more second: while it sleeps, the
 * scheduler has nothing to run and waits in solo5_yield() until the
 * deadline, without spinning.
 *
 * Run it on the hosted platform (it takes two seconds):
 *
 *   make && build/hosted/examples/sleep
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

/* The first task: (arg) receives its status, for solo5_app_main(). */
static void *hello_world(void *arg)
{
    int *status = arg;

    print("Hello\n");
    *status = miou_sleep(ONE_SECOND);
    if (*status != 0)
        return NULL;
    print("World\n");
    *status = miou_sleep(ONE_SECOND);
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    int status = 0;
    int rc;

    (void)si;
    rc = miou_run(NULL, hello_world, &status, NULL);
    if (rc == 0)
        rc = status;
    if (rc != 0) {
        print("sleep: ");
        print(miou_strerror(rc));
        print("\n");
        return 1;
    }
    return 0;
}
