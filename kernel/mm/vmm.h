/*
 * kernel/mm/vmm.h - the kernel's page tables: one address space for all
 * threads (every KPIO thread runs in ring 0).
 */
#ifndef MM_VMM_H
#define MM_VMM_H

#include <stddef.h>
#include <stdint.h>

/* Mapping flags. Mappings are present and kernel-only; reads are implied. */
#define VMM_WRITE   0x1u
#define VMM_EXEC    0x2u /* without it the page is no-execute */
#define VMM_NOCACHE 0x4u /* PCD|PWT: device memory */

/* Replaces the boot page tables: the kernel image with per-section
 * permissions and the direct map of all RAM regions in the map. */
struct mem_region;
void vmm_init(const struct mem_region *map, int count);

/* Maps [va, va+size) to [pa, pa+size) in 4 KiB pages. Fails with
 * ERR_EXIST if any page is already mapped, ERR_NOMEM if a page table
 * cannot be allocated. va, pa and size must be page-aligned. */
int vmm_map(uintptr_t va, uint64_t pa, size_t size, unsigned flags);
/* Removes the mappings (4 KiB pages only) and flushes the TLB entries. */
void vmm_unmap(uintptr_t va, size_t size);
/* Gives the mapped 4 KiB pages of [va, va+size) the flags (VMM_WRITE,
 * VMM_EXEC, VMM_NOCACHE) instead of theirs, keeping the frames, and
 * flushes their TLB entries: how the JIT's code pages become read+execute
 * after being written (W^X). va and size must be page-aligned. Returns 0,
 * or ERR_NOENT at the first page that is not mapped (those before it are
 * changed), ERR_INVAL if not aligned. */
int vmm_protect(uintptr_t va, size_t size, unsigned flags);
/* Physical address behind va, or ERR_NOENT (returned as negative int). */
int vmm_translate(uintptr_t va, uint64_t *pa, unsigned *flags);

/* Maps physical memory that is not RAM (device registers, firmware tables)
 * into the direct map at DIRECT_MAP_BASE + phys and returns the virtual
 * address; memory that is already mapped is returned as it is. NULL on
 * failure. */
void *vmm_map_phys(uint64_t phys, size_t size, unsigned flags);

#endif
