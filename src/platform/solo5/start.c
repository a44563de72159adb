/*
 * start.c - the unikernel's start on a Solo5 tender.
 *
 * The application defines solo5_app_main(), as every Solo5 program does.
 * The library must see the start info first, to lay the C library's heap
 * over its region, so a unikernel is linked with
 * -Wl,--wrap=solo5_app_main (the Makefile and miou-solo5.pc do it): the
 * bindings' call then reaches __wrap_solo5_app_main() below, which calls
 * the application's through __real_solo5_app_main(). Solo5's bindings have
 * already taken the --solo5: words off the command line.
 *
 * The heap region of the start info is not all ours: Solo5 gives
 * [end of the program, end of memory), and the unikernel's one stack,
 * on which this very function runs, grows down from the end of memory
 * inside it. The heap therefore stops MIOU_SOLO5_STACK_RESERVE bytes
 * below the current stack pointer. (Laying the allocator's last block
 * over the stack crashes the unikernel on hvt at once, and on spt as soon
 * as the stack grows.) Tasks run on stacks from the heap; this stack
 * carries solo5_app_main(), the scheduler's loop and what they call.
 */
#include <stdint.h>

#include <solo5.h>

#include "libc/libc_init.h"

/* Bytes kept for the unikernel's own stack below the current frame. */
#define MIOU_SOLO5_STACK_RESERVE (512u * 1024u)

int __real_solo5_app_main(const struct solo5_start_info *si);
int __wrap_solo5_app_main(const struct solo5_start_info *si);

static void say(const char *s)
{
    size_t n = 0;

    while (s[n] != '\0')
        n++;
    solo5_console_write(s, n);
}

/* The part of (si)'s heap region below the stack and its reserve; 0 when
 * nothing is left. */
static size_t heap_below_stack(const struct solo5_start_info *si)
{
    uintptr_t start = si->heap_start, end = start + si->heap_size;
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

    if (sp > start && sp <= end) {
        if (sp - start <= MIOU_SOLO5_STACK_RESERVE)
            return 0;
        end = (sp - MIOU_SOLO5_STACK_RESERVE) & ~(uintptr_t)4095;
    }
    return end > start ? end - start : 0;
}

int __wrap_solo5_app_main(const struct solo5_start_info *si)
{
    size_t size = heap_below_stack(si);

    if (size == 0 || miou__libc_heap_init((void *)si->heap_start, size) != 0) {
        say("miou-solo5: the memory left below the stack is too small "
            "for the heap\n");
        return 1;
    }
    return __real_solo5_app_main(si);
}
