/*
 * hello - the smallest miou program. The first task spawns a child that
 * prints "Hello World", then awaits it: a task must await (or cancel)
 * every child it spawns before it ends.
 *
 * Run it on the hosted platform:
 *
 *   make && build/hosted/examples/hello
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

static void *greet(void *arg)
{
    (void)arg;
    print("Hello World\n");
    return NULL;
}

/* The first task: (arg) receives its status, for solo5_app_main(). */
static void *hello(void *arg)
{
    int *status = arg;
    miou_task *child;

    *status = miou_async(&child, greet, NULL);
    if (*status == 0)
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
        print("hello: ");
        print(miou_strerror(rc));
        print("\n");
        return 1;
    }
    return 0;
}
