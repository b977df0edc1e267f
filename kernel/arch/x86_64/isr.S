/*
 * kernel/arch/x86_64/isr.S - entry stubs for all 256 interrupt vectors.
 *
 * Each stub pushes a dummy error code where the CPU does not push one, then
 * its vector number, and jumps to a common path that saves the general
 * registers into a struct trap_frame (trap.h) and calls trap_dispatch().
 * The frame also serves as a frame-pointer link so backtraces continue
 * through interrupts.
 */
    .text
    .code64

/* vectors where the CPU pushes an error code */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

.macro stubaddr v
    .quad isr_stub_\v
.endm

.macro stub v
    .balign 16
isr_stub_\v:
    .if HAS_ERR(\v) == 0
    pushq $0
    .endif
    pushq $\v
    jmp isr_common
.endm

    .balign 16
    .globl isr_stubs_start
isr_stubs_start:
.altmacro
.set i, 0
.rept 256
    stub %i
    .set i, i + 1
.endr

isr_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rdi
    /* a frame link: [rbp] = interrupted rbp, [rbp+8] = interrupted rip */
    pushq 17 * 8(%rsp)                  /* rip from the hardware frame */
    pushq 9 * 8(%rsp)                   /* rbp saved above (now 1 slot deeper) */
    movq %rsp, %rbp
    /* align the stack for C */
    movq %rsp, %rbx
    andq $-16, %rsp
    call trap_dispatch
    movq %rbx, %rsp
    addq $16, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp                      /* vector and error code */
    iretq

/* The table of stub addresses, for idt_init. */
    .section .rodata
    .balign 8
    .globl isr_stub_table
isr_stub_table:
.set i, 0
.rept 256
    stubaddr %i
    .set i, i + 1
.endr
