/*
 * kernel/arch/x86_64/gdt.c - the GDT and the TSS.
 *
 * KPIO runs everything in ring 0, so the GDT holds just kernel code and data
 * and the TSS. The TSS matters for its interrupt stack table: the double
 * fault, NMI and machine check handlers run on stacks of their own, so a
 * kernel stack overflow (which faults on the guard page and cannot push an
 * exception frame there) still reaches a handler that can report it.
 */
#include "kernel/arch/x86_64/gdt.h"

#include <stdint.h>

#include "base/mem.h"

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

#define IST_STACK_SIZE 16384

static uint64_t gdt[7];
static struct tss tss;
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

struct gdt_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

void gdt_init(void)
{
    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffffull; /* GDT_KERNEL_CODE: 64-bit, DPL 0 */
    gdt[2] = 0x00cf92000000ffffull; /* GDT_KERNEL_DATA */
    gdt[3] = 0x00cffa000000ffffull; /* unused: ring 3 code (32) */
    gdt[4] = 0x00aff2000000ffffull; /* unused: ring 3 data */

    memset(&tss, 0, sizeof tss);
    for (int i = 0; i < 3; i++)
        tss.ist[i] = (uint64_t)(uintptr_t)(ist_stacks[i] + IST_STACK_SIZE);
    tss.iomap_base = sizeof tss;
    uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof tss - 1;
    gdt[5] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 |
             ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
    gdt[6] = base >> 32;

    struct gdt_ptr ptr = {sizeof gdt - 1, (uint64_t)(uintptr_t)gdt};
    __asm__ volatile("lgdt %0\n"
                     "pushq %1\n"
                     "leaq 1f(%%rip), %%rax\n"
                     "pushq %%rax\n"
                     "lretq\n"
                     "1:\n"
                     "movw %w2, %%ds\n"
                     "movw %w2, %%es\n"
                     "movw %w2, %%ss\n"
                     "ltr %w3\n"
                     :
                     : "m"(ptr), "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(GDT_TSS)
                     : "rax", "memory");
}

int gdt_ist_contains(uint64_t addr)
{
    uint64_t lo = (uint64_t)(uintptr_t)ist_stacks, hi = lo + sizeof ist_stacks;
    return addr >= lo && addr < hi;
}
