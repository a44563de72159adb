/*
 * exit.c - ending the unikernel ends the process.
 */
#include <stdlib.h>

#include <solo5.h>

#include "hosted.h"

/* exit(), not _exit(): atexit handlers, stdio flushing and the sanitizers'
 * leak check must still run, as they would after a return from main(). */
void solo5_exit(int status)
{
    hosted_log(TENDER_LOG_INFO, "miou-solo5: solo5_exit(%d) called\n", status);
    exit(status);
}

/* As Solo5's: the message is the platform's (info level: --solo5:quiet
 * hides it), the status is SOLO5_EXIT_ABORT. */
void solo5_abort(void)
{
    hosted_log(TENDER_LOG_INFO, "Solo5: solo5_abort() called\n");
    exit(SOLO5_EXIT_ABORT);
}
