/*
 * start.c - the unikernel's start on a Solo5 tender.
 *
 * The application defines solo5_app_main(), as every Solo5 program does.
 * The library must see the start info first, to lay the C library's heap
 * over its region, so a unikernel is linked with
 * -Wl,--wrap=solo5_app_main (the Makefile and miou-solo5-*.pc do it): the
 * bindings' call then reaches __wrap_solo5_app_main() below, which calls
 * the application's through __real_solo5_app_main(). Solo5's bindings have
 * already taken the --solo5: words off the command line.
 */
#include <solo5.h>

#include "libc/libc_init.h"

int __real_solo5_app_main(const struct solo5_start_info *si);
int __wrap_solo5_app_main(const struct solo5_start_info *si);

static void say(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    solo5_console_write(s, n);
}

int __wrap_solo5_app_main(const struct solo5_start_info *si)
{
    if (miou__libc_heap_init((void *)si->heap_start, si->heap_size) != 0) {
        say("miou-solo5: the heap region is too small for the allocator\n");
        return 1;
    }
    return __real_solo5_app_main(si);
}
