/*
 * schedule.h - the one scheduling choice the core leaves to a platform.
 *
 * Miou's rules leave free where a task woken by an event joins the run
 * queue (against the tasks already runnable). The core keeps its own
 * order (the tail) unless the platform gives a chooser here: the sim
 * platform does, drawing the answer from its seed and recording it in its
 * trace, so that many seeds run many interleavings and one seed replays
 * one. Each platform defines the pointer in its own folder, the way Redis
 * picks its event backend by the file it links, so the core is compiled
 * once for every platform: hosted and Solo5 define it NULL.
 */
#ifndef MIOU_PLATFORM_SCHEDULE_H
#define MIOU_PLATFORM_SCHEDULE_H

/* NULL, or a function giving a number in [0, n), n >= 1. */
extern unsigned (*const miou__platform_choose)(unsigned n);

#endif
