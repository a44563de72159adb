/*
 * errno.c - the one errno of a unikernel.
 *
 * Solo5 gives a unikernel one CPU and no threads, so a plain int serves
 * the whole program; tasks of the scheduler switch only where they call
 * it, so a task reads errno right after the call that set it.
 */
#include <errno.h>

int errno;
