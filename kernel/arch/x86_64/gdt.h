/*
 * kernel/arch/x86_64/gdt.h - segment selectors and the interrupt stacks.
 */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#include <stdint.h>

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS         0x28

/* Interrupt stack table slots (1-based as the IDT encodes them). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI           2
#define IST_MACHINE_CHECK 3

void gdt_init(void);
/* Non-zero when addr lies on one of the IST stacks. */
int gdt_ist_contains(uint64_t addr);

#endif
