/*
 * kernel/mm/kva.c - allocation of kernel virtual ranges.
 *
 * The KVA region is handed out by a first-fit list of free ranges kept in
 * address order and merged on release. The list nodes come from the small
 * heap, which never uses this region, so there is no recursion.
 */
#include "kernel/mm/kva.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "base/env.h"
#include "base/error.h"
#include "base/list.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmm.h"

struct range {
    struct list_node node;
    uintptr_t base;
    size_t pages;
};

static struct list_node free_ranges = LIST_INIT(free_ranges);
static int ready;

static void kva_setup(void)
{
    struct range *r = heap_alloc_small(sizeof *r);
    BASE_ASSERT(r);
    r->base = KVA_BASE;
    r->pages = KVA_SIZE / PAGE_SIZE;
    list_push_back(&free_ranges, &r->node);
    ready = 1;
}

static uintptr_t reserve_space(size_t pages)
{
    struct list_node *it;
    if (!ready) kva_setup();
    list_for_each(it, &free_ranges)
    {
        struct range *r = list_entry(it, struct range, node);
        if (r->pages >= pages) {
            uintptr_t base = r->base;
            r->base += pages * PAGE_SIZE;
            r->pages -= pages;
            if (r->pages == 0) {
                list_remove(&r->node);
                heap_free_small(r);
            }
            return base;
        }
    }
    return 0;
}

static void release_space(uintptr_t base, size_t pages)
{
    struct list_node *it;
    list_for_each(it, &free_ranges)
    {
        struct range *r = list_entry(it, struct range, node);
        if (r->base + r->pages * PAGE_SIZE == base) { /* extend a range below */
            r->pages += pages;
            struct list_node *n = r->node.next;
            if (n != &free_ranges) {
                struct range *next = list_entry(n, struct range, node);
                if (r->base + r->pages * PAGE_SIZE == next->base) {
                    r->pages += next->pages;
                    list_remove(&next->node);
                    heap_free_small(next);
                }
            }
            return;
        }
        if (base + pages * PAGE_SIZE == r->base) { /* extend a range above */
            r->base = base;
            r->pages += pages;
            return;
        }
        if (r->base > base) break;
    }
    struct range *nr = heap_alloc_small(sizeof *nr);
    if (!nr) return; /* the space leaks; the frames were already freed */
    nr->base = base;
    nr->pages = pages;
    list_insert_between(&nr->node, it->prev, it);
}

int kva_map_more(uintptr_t va, size_t pages)
{
    for (size_t i = 0; i < pages; i++) {
        uint64_t frame = pmm_alloc_frame();
        if (!frame || vmm_map(va + i * PAGE_SIZE, frame, PAGE_SIZE, VMM_WRITE) < 0) {
            if (frame) pmm_free_frames(frame, 1);
            kva_unmap(va, i);
            return ERR_NOMEM;
        }
    }
    return 0;
}

void kva_unmap(uintptr_t va, size_t pages)
{
    for (size_t i = 0; i < pages; i++) {
        uint64_t pa;
        uintptr_t p = va + i * PAGE_SIZE;
        if (vmm_translate(p, &pa, NULL) == 0) {
            vmm_unmap(p, PAGE_SIZE);
            pmm_free_frames(pa, 1);
        }
    }
}

uintptr_t kva_alloc(size_t reserve, size_t offset, size_t map)
{
    uint64_t flags = irq_save();
    uintptr_t base = reserve_space(reserve);
    irq_restore(flags);
    if (!base) return 0;
    if (kva_map_more(base + offset * PAGE_SIZE, map) < 0) {
        flags = irq_save();
        release_space(base, reserve);
        irq_restore(flags);
        return 0;
    }
    return base;
}

void kva_free(uintptr_t base, size_t reserve)
{
    kva_unmap(base, reserve);
    uint64_t flags = irq_save();
    release_space(base, reserve);
    irq_restore(flags);
}

void kva_move(uintptr_t from, uintptr_t to, size_t pages)
{
    for (size_t i = 0; i < pages; i++) {
        uint64_t pa;
        if (vmm_translate(from + i * PAGE_SIZE, &pa, NULL) == 0) {
            vmm_unmap(from + i * PAGE_SIZE, PAGE_SIZE);
            BASE_ASSERT(vmm_map(to + i * PAGE_SIZE, pa, PAGE_SIZE, VMM_WRITE) == 0);
        }
    }
}
