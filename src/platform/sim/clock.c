/*
 * clock.c - the virtual clock. Time stands still while the unikernel
 * computes: it moves only when the unikernel waits in solo5_yield() (to
 * the next event or the deadline) or a block call takes its latency. A
 * program that spins on the clock without ever waiting would then spin
 * for ever, so after SPIN_READS reads at one instant each further read
 * lets 1 us pass.
 */
#include "sim.h"

#define SPIN_READS 100000u
#define SPIN_STEP_NS 1000u

uint64_t sim_now;
static unsigned reads_at_now;

void sim_clock_reset(void)
{
    sim_now = 0;
    reads_at_now = 0;
}

void sim_clock_advance_to(uint64_t t)
{
    if (t > sim_now) {
        sim_now = t;
        reads_at_now = 0;
    }
}

static void spin_check(void)
{
    if (++reads_at_now > SPIN_READS) {
        sim_now += SPIN_STEP_NS;
        sim_events_run_due();
    }
}

uint64_t miou_sim_now(void)
{
    return sim_now;
}

solo5_time_t solo5_clock_monotonic(void)
{
    spin_check();
    sim_trace(EV_CLOCK_MONO, sim_now, 0, 0, NULL, 0);
    return sim_now;
}

solo5_time_t solo5_clock_wall(void)
{
    spin_check();
    sim_trace(EV_CLOCK_WALL, sim_now, 0, 0, NULL, 0);
    return SIM_WALL_START + sim_now;
}
