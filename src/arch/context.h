/*
 * context.h - the machine-level switch between task stacks.
 *
 * One implementation per CPU, in assembly (x86_64.S, aarch64.S), plus
 * context.c which lays out the first frame of a fresh stack. The switch
 * saves what the C calling convention asks a callee to preserve (callee-
 * saved registers) and the floating-point control state (rounding modes,
 * exception masks), so each task keeps its own.
 */
#ifndef MIOU_ARCH_CONTEXT_H
#define MIOU_ARCH_CONTEXT_H

#include <stddef.h>

/* Save the running context on its own stack, store its stack pointer in
 * (*save_sp), and resume the context whose stack pointer is (load_sp),
 * where the call that suspended it returns (value). It returns when some
 * other context switches back to (*save_sp), with the value that context
 * passes. */
int miou__ctx_switch(void **save_sp, void *load_sp, int value);

/* Lay out a first frame at the top of the stack [lo, lo + size) so that
 * switching to the returned stack pointer calls (entry)(arg) there, with
 * default floating-point control state. (entry) must never return. */
void *miou__ctx_init(void *lo, size_t size, void (*entry)(void *), void *arg);

#endif
