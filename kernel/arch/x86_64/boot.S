/*
 * kernel/arch/x86_64/boot.S - Multiboot2 header, PVH note and the 32-bit
 * entry.
 *
 * GRUB (BIOS or UEFI) enters _start in 32-bit protected mode with paging off,
 * EAX = Multiboot2 magic, EBX = physical address of the boot information.
 * QEMU's direct kernel boot (-kernel kpio.elf) finds the PVH note instead
 * and enters pvh_start the same way with EBX = physical address of the
 * hvm_start_info (Xen's arch-x86/hvm/start_info.h); pvh_start puts that
 * structure's magic in EAX and joins _start, and kmain tells the two apart.
 * We build boot page tables that map the first 4 GiB three ways:
 *   identity            (so this code keeps running when paging turns on),
 *   DIRECT_MAP_BASE+x   (the direct map, rebuilt for all RAM by vmm_init),
 *   KERNEL_VMA+x        (the kernel image, PML4[511] PDPT[510..511]),
 * enable PAE + long mode + NX, load a 64-bit GDT and jump to kmain high.
 */
#include "kernel/arch/x86_64/layout.h"

#define MB2_MAGIC 0xe85250d6
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PVH_START_MAGIC 0x336ec578      /* hvm_start_info.magic (boot/pvh.h) */
#define MB2_ARCH_I386 0
#define V2P(x) ((x) - KERNEL_VMA)

    .section .multiboot, "a"
    .balign 8
mb2_header:
    .long MB2_MAGIC
    .long MB2_ARCH_I386
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    /* information request: we need cmdline, mmap, ACPI RSDP */
    .balign 8
    .short 1, 0
    .long 4 * 2 + 8 + 4 * 4
    .long 1, 6, 14, 15
    .balign 8
    /* end tag */
    .short 0, 0
    .long 8
mb2_header_end:

    /* The PVH entry point (Xen's elfnote.h, XEN_ELFNOTE_PHYS32_ENTRY): QEMU
     * reads the descriptor as a 64-bit value in an ELF64 file. */
    .section .note.Xen, "a", @note
    .balign 4
    .long 2f - 1f                       /* name size */
    .long 4f - 3f                       /* descriptor size */
    .long XEN_ELFNOTE_PHYS32_ENTRY
1:  .asciz "Xen"
2:  .balign 4
3:  .quad pvh_start
4:  .balign 4

    .section .boot.text, "ax"
    .code32
    .globl pvh_start
pvh_start:
    movl $PVH_START_MAGIC, %eax
    jmp _start

    .globl _start
_start:
    cli
    cld
    movl %eax, %edi                     /* keep magic and info for kmain */
    movl %ebx, %esi
    movl $V2P(boot_stack_top), %esp

    /* Is this a CPU with long mode? (cpuid 0x80000001 EDX bit 29) */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    testl $(1 << 29), %edx
    jz no_long_mode

    /* PD entries: 2 MiB pages covering 0..4 GiB, present|writable|huge */
    movl $V2P(boot_pd), %ebx
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax
    movl %eax, (%ebx, %ecx, 8)
    movl %ecx, %eax
    shrl $11, %eax                      /* high bits of (i << 21) */
    movl %eax, 4(%ebx, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jne 1b

    /* Low PDPT: four PDs, 1 GiB each */
    movl $V2P(boot_pdpt_low), %ebx
    movl $V2P(boot_pd), %eax
    orl $0x3, %eax
    movl %eax, 0(%ebx)
    addl $4096, %eax
    movl %eax, 8(%ebx)
    addl $4096, %eax
    movl %eax, 16(%ebx)
    addl $4096, %eax
    movl %eax, 24(%ebx)

    /* High PDPT: entries 510 and 511 map the first 2 GiB at KERNEL_VMA */
    movl $V2P(boot_pdpt_high), %ebx
    movl $V2P(boot_pd), %eax
    orl $0x3, %eax
    movl %eax, 510 * 8(%ebx)
    addl $4096, %eax
    movl %eax, 511 * 8(%ebx)

    /* PML4: identity [0], direct map [256], kernel [511] */
    movl $V2P(boot_pml4), %ebx
    movl $V2P(boot_pdpt_low), %eax
    orl $0x3, %eax
    movl %eax, 0(%ebx)
    movl %eax, PML4_INDEX_DIRECT * 8(%ebx)
    movl $V2P(boot_pdpt_high), %eax
    orl $0x3, %eax
    movl %eax, 511 * 8(%ebx)
    movl %ebx, %cr3

    /* PAE on, then EFER.LME and EFER.NXE, then paging */
    movl %cr4, %eax
    orl $(1 << 5), %eax
    movl %eax, %cr4
    movl $0xC0000080, %ecx
    rdmsr
    orl $((1 << 8) | (1 << 11)), %eax
    wrmsr
    movl %cr0, %eax
    orl $((1 << 31) | (1 << 16) | 1), %eax   /* PG | WP | PE */
    movl %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $0x08, $long_mode_entry

no_long_mode:
    /* Say so on COM1 and stop: nothing else can run on this CPU. */
    movl $no_lm_msg, %esi
2:  lodsb
    testb %al, %al
    jz 3f
    movw $0x3f8, %dx
    outb %al, %dx
    jmp 2b
3:  hlt
    jmp 3b

    .code64
long_mode_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabsq $high_entry, %rax
    jmp *%rax

    .section .boot.data, "a"
no_lm_msg:
    .asciz "KPIO: this CPU has no 64-bit long mode\r\n"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff            /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff            /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
    .short boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .text
    .code64
high_entry:
    movabsq $boot_stack_top, %rsp
    xorl %ebp, %ebp                     /* ends frame-pointer backtraces */
    /* edi = magic, esi = info (physical), already the SysV arguments */
    call kmain
4:  cli
    hlt
    jmp 4b

    .bss
    .balign 4096
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4096 * 4
    .globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    .skip 16384
boot_stack_top:
