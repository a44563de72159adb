/*
 * Context switch for aarch64 (AAPCS64).
 *
 * Frame saved on the stack of the context that leaves (176 bytes):
 *   0   x19..x28          80 bytes
 *   80  x29 (fp), x30 (lr)
 *   96  d8..d15           64 bytes (the callee-saved low halves of v8-v15)
 *   160 FPCR (rounding mode, flush-to-zero), 8 bytes unused
 * FPCR is written only when it differs, as writing it may be slow.
 *
 * int miou__ctx_switch(void **save_sp, void *load_sp, int value):
 * (value) becomes the return value seen by the resumed context.
 */
    .text
    .globl miou__ctx_switch
    .type miou__ctx_switch, %function
    .p2align 4
miou__ctx_switch:
    sub sp, sp, #176
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mrs x9, fpcr
    str x9, [sp, #160]
    mov x10, sp
    str x10, [x0]
    mov sp, x1
    ldr x10, [sp, #160]
    cmp x9, x10
    b.eq 1f
    msr fpcr, x10
1:  ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    ldp d8, d9, [sp, #96]
    ldp d10, d11, [sp, #112]
    ldp d12, d13, [sp, #128]
    ldp d14, d15, [sp, #144]
    add sp, sp, #176
    mov w0, w2
    ret
    .size miou__ctx_switch, .-miou__ctx_switch

/* First code run on a fresh stack: x19 holds the argument, x20 the entry
 * function. */
    .globl miou__ctx_start
    .type miou__ctx_start, %function
    .p2align 4
miou__ctx_start:
    mov x29, #0
    mov x0, x19
    blr x20
    brk #0
    .size miou__ctx_start, .-miou__ctx_start

    .section .note.GNU-stack,"",%progbits
