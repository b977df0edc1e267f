/*
 * kernel/boot/pvh.h - the PVH direct boot (Xen's x86/HVM direct boot ABI,
 * which QEMU's -kernel uses for an ELF with a PHYS32_ENTRY note): reading
 * the hvm_start_info it passes into the same boot_info as Multiboot2.
 */
#ifndef BOOT_PVH_H
#define BOOT_PVH_H

#include <stdint.h>

#include "kernel/boot/multiboot.h"

/* hvm_start_info.magic, which boot.S's pvh_start passes to kmain as the
 * boot magic. */
#define PVH_START_MAGIC 0x336ec578u

/* Copies the command line, memory map and ACPI RSDP out of the
 * hvm_start_info at info_phys. Returns 0, ERR_INVAL for a bad magic, or
 * ERR_NOTSUP when it has no memory map (version 0). */
int pvh_parse(uint64_t info_phys, struct boot_info *bi);

#endif
