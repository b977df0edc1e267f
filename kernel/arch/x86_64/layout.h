/*
 * kernel/arch/x86_64/layout.h - the kernel's virtual address layout.
 * Shared by assembly and C.
 *
 *   0xffff800000000000  direct map of all physical memory (PML4[256])
 *   0xffffc00000000000  kernel virtual area: thread stacks with guard pages
 *                       and large heap blocks (vmalloc-style)
 *   0xffffffff80000000  the kernel image (linked here, -mcmodel=kernel)
 */
#ifndef ARCH_LAYOUT_H
#define ARCH_LAYOUT_H

#define KERNEL_VMA        0xffffffff80000000
#define DIRECT_MAP_BASE   0xffff800000000000
#define PML4_INDEX_DIRECT 256
#define KVA_BASE          0xffffc00000000000
#define KVA_SIZE          0x0000004000000000 /* 256 GiB */

#endif
