/*
 * kernel/boot/multiboot.h - what KPIO takes from the Multiboot2 boot
 * information: command line, memory map, ACPI RSDP, loader name.
 */
#ifndef BOOT_MULTIBOOT_H
#define BOOT_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/mm/pmm.h"

#define MB2_BOOT_MAGIC   0x36d76289u
#define BOOT_MAX_REGIONS 128

struct boot_info {
    char cmdline[1024];
    char loader[64];
    struct mem_region mem[BOOT_MAX_REGIONS];
    int nmem;
    uint8_t rsdp[64];
    size_t rsdp_len;
};

/* Copies what KPIO needs out of the boot information (which lives in
 * memory the frame allocator will reuse). Returns 0 or a negative error. */
int multiboot_parse(uint32_t magic, uint64_t info_phys, struct boot_info *bi);

#endif
