/*
 * kernel/mm/pmm.h - the physical frame allocator.
 */
#ifndef MM_PMM_H
#define MM_PMM_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/arch/x86_64/layout.h"

#define PAGE_SIZE  4096ul
#define PAGE_SHIFT 12

enum mem_type { MEM_USABLE = 1, MEM_RESERVED = 2, MEM_ACPI = 3, MEM_NVS = 4, MEM_BAD = 5 };

struct mem_region {
    uint64_t base, length;
    uint32_t type; /* enum mem_type (Multiboot2 numbering) */
};

/* Builds the allocator from the firmware's memory map. Frames of the kernel
 * image, [reserve_lo, reserve_hi) ranges given and the first MiB stay used. */
void pmm_init(const struct mem_region *map, int count);

/* Allocates count physically contiguous frames aligned to align_frames
 * (a power of two); returns the physical address or 0 when out of memory. */
uint64_t pmm_alloc_frames(size_t count, size_t align_frames);
static inline uint64_t pmm_alloc_frame(void)
{
    return pmm_alloc_frames(1, 1);
}
void pmm_free_frames(uint64_t phys, size_t count);

size_t pmm_free_count(void);
size_t pmm_total_count(void);

static inline void *phys_to_virt(uint64_t phys)
{
    return (void *)(uintptr_t)(DIRECT_MAP_BASE + phys);
}
static inline uint64_t virt_to_phys(const void *v)
{
    return (uint64_t)(uintptr_t)v - DIRECT_MAP_BASE;
}

#endif
