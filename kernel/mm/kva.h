/*
 * kernel/mm/kva.h - kernel virtual areas: page-granular ranges of the
 * KVA region (layout.h) backed by individually allocated frames. Used for
 * thread stacks (with an unmapped guard page below) and large heap blocks
 * (with room reserved above them to grow in place).
 */
#ifndef MM_KVA_H
#define MM_KVA_H

#include <stddef.h>
#include <stdint.h>

/* Reserves `reserve` pages of virtual space and maps the `map` pages
 * starting `offset` pages into it with fresh frames. Returns the start of
 * the reservation, or 0 when out of memory. */
uintptr_t kva_alloc(size_t reserve, size_t offset, size_t map);
/* Maps more fresh frames at [va, va + pages) inside a reservation. */
int kva_map_more(uintptr_t va, size_t pages);
/* Unmaps and frees the frames of [va, va+pages) without releasing space. */
void kva_unmap(uintptr_t va, size_t pages);
/* Releases a reservation and frees every mapped frame in it. */
void kva_free(uintptr_t base, size_t reserve);
/* Moves the mappings of [from, from+pages) to [to, to+pages) (no copying). */
void kva_move(uintptr_t from, uintptr_t to, size_t pages);

#endif
