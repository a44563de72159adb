/*
 * schedule.h - the scheduling choice a platform may make for the core.
 *
 * Built with MIOU_SEEDED_SCHEDULE (the sim platform's build), the core
 * asks the platform where a task woken by an event joins the run queue,
 * which Miou's rules leave free; the sim platform draws the answer from
 * its seed and records it in its trace. Other builds never ask.
 */
#ifndef MIOU_PLATFORM_SCHEDULE_H
#define MIOU_PLATFORM_SCHEDULE_H

#ifdef MIOU_SEEDED_SCHEDULE
/* A number in [0, n), n >= 1. */
unsigned miou__platform_choose(unsigned n);
#endif

#endif
