/*
 * exit.c - ending the unikernel ends the process.
 */
#include <stdlib.h>
#include <unistd.h>

#include <solo5.h>

#include "hosted.h"

/* exit(), not _exit(): atexit handlers, stdio flushing and the sanitizers'
 * leak check must still run, as they would after a return from main(). */
void solo5_exit(int status)
{
    hosted_log(TENDER_LOG_INFO, "miou-solo5: solo5_exit(%d) called\n", status);
    exit(status);
}

void solo5_abort(void)
{
    static const char msg[] = "Solo5: solo5_abort() called\n";

    hosted_write_all(STDERR_FILENO, msg, sizeof msg - 1);
    /* The status a Solo5 tender gives an aborted unikernel. */
    exit(255);
}
