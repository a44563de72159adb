/*
 * bare_switch_x86_64.S - the baseline switch of the benchmarks: the least
 * a correct x86_64 switch between C contexts has to do, written plainly.
 *
 *   void bench_bare_switch(void **save, void *load);
 *
 * Saves the callee-saved registers (rbp, rbx, r12-r15) and the MXCSR and
 * x87 control words on the stack of the context that leaves, stores its
 * stack pointer in *save, loads (load) and restores the same from there,
 * unconditionally, then returns with a plain `ret` onto the other stack.
 * Frame, low to high: MXCSR (4 bytes), x87 control word (2 bytes), 2
 * unused bytes, r15, r14, r13, r12, rbx, rbp, return address.
 *
 * bench_bare_switch_nofpu is the same without the control words (for
 * information: what they cost). bench_bare_start is the first code of a
 * fresh context: it calls r13(r12) and must never see that call return.
 */
    .text

    .globl bench_bare_switch
    .type bench_bare_switch, @function
    .p2align 4
bench_bare_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size bench_bare_switch, .-bench_bare_switch

    .globl bench_bare_switch_nofpu
    .type bench_bare_switch_nofpu, @function
    .p2align 4
bench_bare_switch_nofpu:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size bench_bare_switch_nofpu, .-bench_bare_switch_nofpu

    .globl bench_bare_start
    .type bench_bare_start, @function
    .p2align 4
bench_bare_start:
    xorl %ebp, %ebp
    movq %r12, %rdi
    callq *%r13
    ud2
    .size bench_bare_start, .-bench_bare_start

    .section .note.GNU-stack,"",@progbits
