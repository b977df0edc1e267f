/*
 * kernel/mm/heap.h - kmalloc and friends, plus DMA memory.
 *
 * Sizes up to 2 KiB come from per-size-class slabs (one 4 KiB frame each,
 * in the direct map); larger blocks are kernel virtual areas of their own
 * with an unmapped guard page after them and virtual room to grow in place,
 * so krealloc of a large block never copies the data (the pages are
 * remapped). All of them return NULL when memory runs out.
 */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include <stddef.h>
#include <stdint.h>

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *krealloc(void *p, size_t size);
void kfree(void *p);

/* The slab layer alone; used by the KVA allocator for its own nodes. */
void *heap_alloc_small(size_t size);
void heap_free_small(void *p);

struct heap_stats {
    size_t in_use;      /* bytes handed out and not yet freed */
    size_t peak;        /* high-water mark of in_use since the last reset */
    size_t allocations; /* live allocations */
};
void heap_get_stats(struct heap_stats *st);
void heap_reset_peak(void);

/* Page-aligned, physically contiguous, zeroed memory for devices. Returns
 * the kernel virtual address and stores the physical one; NULL if out of
 * memory. */
void *dma_alloc(size_t size, uint64_t *phys);
void dma_free(void *virt, size_t size);

#endif
