/*
 * port.c - what lwIP asks of its port without threads (NO_SYS): the time
 * in milliseconds, random numbers, and what to do when its assertions
 * fail.
 */
#include <stdio.h>

#include <miou.h>

#include "lwip/arch.h"
#include "lwip/sys.h"

u32_t sys_now(void)
{
    return (u32_t)(miou_clock_recent() / 1000000u);
}

void miou_tcpip__assert(const char *what, const char *file, int line)
{
    printf("lwIP assertion failed: %s (%s:%d)\n", what, file, line);
    solo5_abort();
}

/* xorshift64*, seeded at the first draw from the wall clock: distinct
 * runs draw distinct sequence numbers and ports, and under the sim
 * platform, whose clock is the seed's, the same ones for the same seed. */
static uint64_t random_state;

uint32_t miou_tcpip__random(void)
{
    if (random_state == 0)
        random_state = (miou_clock_wall() ^ 0x9e3779b97f4a7c15ull) | 1;
    random_state ^= random_state >> 12;
    random_state ^= random_state << 25;
    random_state ^= random_state >> 27;
    return (uint32_t)((random_state * 0x2545f4914f6cdd1dull) >> 32);
}
