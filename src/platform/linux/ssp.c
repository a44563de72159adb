/*
 * ssp.c - the end of a program whose stack protector found its canary
 * overwritten, on the platforms whose unikernels are Linux processes
 * (hosted, sim): as under a Solo5 tender, one line saying so and the
 * platform's abort, status SOLO5_EXIT_ABORT, instead of the host C
 * library's message and SIGABRT.
 *
 * The compiler calls __stack_chk_fail() from the program's code (compiled
 * with -fstack-protector-strong, which miou-hosted.pc and miou-sim.pc give
 * as Solo5's toolchain does). Defined in the program, this one takes the
 * place of the C library's; alone in its file, so that only programs that
 * call it link it. It writes with write(2) and nothing else before the
 * abort: the stack is not to be trusted.
 */
#include <unistd.h>

#include <solo5.h>

void __stack_chk_fail(void) __attribute__((noreturn));

void __stack_chk_fail(void)
{
    static const char msg[] = "Solo5: ABORT: Stack corruption detected\n";

    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    solo5_abort();
}
