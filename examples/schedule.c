/*
 * schedule - when does a child run? Not at miou_async(): the child is
 * queued and the parent goes on running until it suspends (here, in
 * miou_await()). So the parent's "Hello" always comes before the child's
 * "World", and the output is exactly "Hello\nWorld\n".
 *
 * Run it on the hosted platform:
 *
 *   make && build/hosted/examples/schedule
 */
#include <miou.h>

/* Console output without the C library, so that the program builds
 * unchanged for Solo5. */
static void print(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    solo5_console_write(s, n);
}

static void *world(void *arg)
{
    (void)arg;
    print("World\n");
    return NULL;
}

/* The first task: (arg) receives its status, for solo5_app_main(). */
static void *hello(void *arg)
{
    int *status = arg;
    miou_task *child;

    *status = miou_async(&child, world, NULL);
    if (*status != 0)
        return NULL;
    print("Hello\n");
    *status = miou_await(child, NULL);
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    int status = 0;
    int rc;

    (void)si;
    rc = miou_run(NULL, hello, &status, NULL);
    if (rc == 0)
        rc = status;
    if (rc != 0) {
        print("schedule: ");
        print(miou_strerror(rc));
        print("\n");
        return 1;
    }
    return 0;
}
