/*
 * debug.c - "what is every task doing?" from outside: SIGUSR1 asks the
 * program to print its live tasks (miou_dump()).
 *
 * A signal handler may not walk the scheduler's structures, so it only
 * raises a flag; the dump happens at the next solo5_yield(), which the
 * scheduler calls at a bounded interval even when tasks stay busy, and
 * whose waits the signal interrupts. miou_dump() is referenced weakly: a
 * Solo5 program that does not use the scheduler links without it.
 */
#include <signal.h>
#include <string.h>

#include "hosted.h"

void miou_dump(void) __attribute__((weak));

static volatile sig_atomic_t dump_requested;

static void on_sigusr1(int sig)
{
    (void)sig;
    dump_requested = 1;
}

void hosted_debug_init(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigusr1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
}

void hosted_debug_poll(void)
{
    if (dump_requested) {
        dump_requested = 0;
        if (miou_dump)
            miou_dump();
    }
}
