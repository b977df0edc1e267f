/*
 * kernel/sched/switch.S - context_switch(uint64_t *save_rsp, uint64_t rsp)
 *
 * Saves the callee-saved registers and RFLAGS of the current thread on its
 * stack, stores the stack pointer in *save_rsp, loads the next thread's
 * and restores its registers. FPU state is handled by the caller.
 * A new thread's stack is prepared by thread_create to "return" into
 * thread_start.
 */
    .text
    .globl context_switch
context_switch:
    pushfq
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
    popfq
    ret
