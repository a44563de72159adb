/*
 * death_exit.c - how a unikernel ends, on every platform as under a Solo5
 * tender: its argument chooses the way, and tests/death_exit.run says the
 * status and the output each must give.
 *
 *   exit N     solo5_exit(N)
 *   return N   return N from solo5_app_main()
 *   abort      solo5_abort(): SOLO5_EXIT_ABORT
 *   smash      a buffer overflow that the stack protector catches: Solo5's
 *              message and SOLO5_EXIT_ABORT (the build gives
 *              -fstack-protector-strong, as Solo5's toolchain does)
 *
 * Each first says what it is about to do on the console, which must come
 * out whole before the end.
 */
#include <string.h>

#include <solo5.h>

static void say(const char *s)
{
    solo5_console_write(s, strlen(s));
}

/* The status in (word), a number from 0 to 255. */
static int status_of(const char *word)
{
    int n = 0;

    for (; *word >= '0' && *word <= '9'; word++)
        n = n * 10 + (*word - '0');
    return n & 0xff;
}

/* Writes (n) bytes into a buffer of 16: past its end, over the canary. */
static void __attribute__((noinline)) smash(size_t n)
{
    char buffer[16];
    volatile size_t len = n;

    for (size_t i = 0; i < len; i++)
        ((volatile char *)buffer)[i] = 'x';
    solo5_console_write(buffer, 1);
    say("\n");
}

int solo5_app_main(const struct solo5_start_info *si)
{
    const char *cmd = si->cmdline, *arg = strchr(cmd, ' ');
    int status = arg ? status_of(arg + 1) : 0;

    if (strncmp(cmd, "exit", 4) == 0) {
        say("death_exit: calling solo5_exit\n");
        solo5_exit(status);
    }
    if (strncmp(cmd, "return", 6) == 0) {
        say("death_exit: returning from solo5_app_main\n");
        return status;
    }
    if (strcmp(cmd, "abort") == 0) {
        say("death_exit: calling solo5_abort\n");
        solo5_abort();
    }
    if (strcmp(cmd, "smash") == 0) {
        say("death_exit: smashing the stack\n");
        smash(64);
        say("death_exit: the stack protector missed it\n");
        return 3;
    }
    say("death_exit: unknown way to end (exit N, return N, abort, smash)\n");
    return 2;
}
