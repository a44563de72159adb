/*
 * yield.c - solo5_yield(): where virtual time passes. The simulation
 * carries out the events due; if no device has input and the deadline
 * has not come, time jumps to the next event or to the deadline,
 * whichever is sooner, and so on. A program that sleeps an hour thus
 * finishes at once. Each call also takes SIM_YIELD_COST_NS, as a system
 * call would. Waiting for ever with nothing left to happen (no
 * event, no deadline) can never end: the run stops there as a failure.
 */
#include "sim.h"

void solo5_yield(solo5_time_t deadline, solo5_handle_set_t *ready_set)
{
    solo5_handle_set_t ready;
    sim_clock_advance_to(sim_now + SIM_YIELD_COST_NS);
    for (;;) {
        sim_events_run_due();
        ready = sim_net_ready();
        if (ready || sim_now >= deadline)
            break;
        uint64_t next = sim_events_next();
        if (next == UINT64_MAX && deadline == UINT64_MAX)
            sim_exit(2, "stuck: the unikernel waits for net input that no "
                        "peer will ever send, with no deadline");
        sim_clock_advance_to(next < deadline ? next : deadline);
    }
    sim_trace(EV_YIELD, deadline, ready, 0, NULL, 0);
    if (ready_set)
        *ready_set = ready;
}
