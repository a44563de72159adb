/*
 * Context switch for x86_64 (System V ABI).
 *
 * Frame saved on the stack of the context that leaves, from low to high:
 *   0   MXCSR (4 bytes), x87 control word (2 bytes), 2 bytes unused
 *   8   r15, r14, r13, r12, rbx, rbp
 *   56  return address
 * The control words are saved and reloaded at every switch. Reloading
 * only when they differ was measured slower (7.6 against 6.6 ns per
 * yield): comparing must read back what stmxcsr has just stored, and that
 * load waits for the slow store, while an unconditional reload depends on
 * nothing.
 * The return goes through pop + jmp rather than ret: a ret onto another
 * stack is mispredicted by the return-stack buffer whenever the two
 * contexts were called from different places.
 *
 * int miou__ctx_switch(void **save_sp, void *load_sp, int value):
 * (value) becomes the return value seen by the resumed context.
 */
    .text
    .globl miou__ctx_switch
    .type miou__ctx_switch, @function
    .p2align 4
miou__ctx_switch:
    .cfi_startproc
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
    movl %edx, %eax
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    popq %rcx
    jmp *%rcx
    .cfi_endproc
    .size miou__ctx_switch, .-miou__ctx_switch

/* First code run on a fresh stack: r12 holds the argument, r13 the entry
 * function; rsp is 16-byte aligned here, as a call requires. */
    .globl miou__ctx_start
    .type miou__ctx_start, @function
    .p2align 4
miou__ctx_start:
    .cfi_startproc
    .cfi_undefined rip
    xorl %ebp, %ebp
    movq %r12, %rdi
    callq *%r13
    ud2
    .cfi_endproc
    .size miou__ctx_start, .-miou__ctx_start

    .section .note.GNU-stack,"",@progbits
