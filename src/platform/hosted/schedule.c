/*
 * schedule.c - this platform leaves the order of woken tasks to the core
 * (platform/schedule.h): they join the tail of the run queue.
 */
#include <stddef.h>

#include "platform/schedule.h"

unsigned (*const miou__platform_choose)(unsigned n) = NULL;
