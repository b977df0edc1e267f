/*
 * kernel/arch/x86_64/trap.h - the register frame saved by isr.S and the
 * entry point that dispatches exceptions and interrupts.
 */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#include <stdint.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

void trap_dispatch(struct trap_frame *f);

/* Prints a frame-pointer backtrace starting at rbp, with symbol names. */
void backtrace_print(uint64_t rip, uint64_t rbp);

#endif
