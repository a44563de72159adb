/*
 * death_stack_overflow.c - a program that must die: a task overflows its
 * 16 KiB stack. The runtime must notice (at the next switch, or when the
 * task ends), print a fatal message naming the task, and abort: exit
 * status 255. scripts/test.sh runs it and checks both.
 *
 * Its argument picks how the task leaves the CPU after the overflow:
 * "yield" (default), "sleep" or "return".
 */
#include <string.h>

#include <miou.h>

#define STACK 16384

static const char *mode = "yield";

/* Writes below the bottom of a 16 KiB stack: the canary area. */
static void __attribute__((noinline)) overflow(void)
{
    volatile char big[STACK + 256];
    memset((char *)big, 0x5A, sizeof big);
    __asm__ volatile("" : : "r"(big) : "memory");
}

static void *victim(void *arg)
{
    (void)arg;
    overflow();
    if (strcmp(mode, "return") == 0)
        return NULL;
    if (strcmp(mode, "sleep") == 0)
        miou_sleep(1000000);
    else
        miou_yield();
    return NULL;
}

static void *first(void *arg)
{
    struct miou_task_options opts = {.stack_size = STACK,
                                     .name = "overflowing-task"};
    miou_task *t;
    (void)arg;
    if (miou_async_with(&t, &opts, victim, NULL) != 0)
        return NULL;
    miou_await(t, NULL);
    return NULL;
}

int solo5_app_main(const struct solo5_start_info *si)
{
    static const char *const modes[] = {"yield", "sleep", "return"};
    size_t i;
    for (i = 0; i < 3; i++)
        if (si->cmdline && strstr(si->cmdline, modes[i]))
            mode = modes[i];
    miou_run(NULL, first, NULL, NULL);
    /* Reaching this line is the failure: the overflow went unnoticed. */
    solo5_console_write("death_stack_overflow: survived\n", 31);
    return 0;
}
