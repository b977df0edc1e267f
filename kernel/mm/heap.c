/*
 * kernel/mm/heap.c - the kernel heap (see heap.h for the two tiers).
 *
 * A slab is one frame: a header, then equal-sized objects; free objects are
 * chained through their first word. A class keeps a list of slabs with free
 * objects; a slab whose objects are all free goes back to the frame
 * allocator (keeping one per class to avoid thrashing).
 */
#include "kernel/mm/heap.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "base/env.h"
#include "base/list.h"
#include "base/mem.h"
#include "base/util.h"
#include "kernel/mm/kva.h"
#include "kernel/mm/pmm.h"

#define SLAB_MAGIC  0x51ab51abu
#define LARGE_MAGIC 0x1a26e000u
#define NCLASSES    8
#define MAX_SMALL   2048

struct slab {
    uint32_t magic;
    uint16_t klass;
    uint16_t in_use;
    void *free;
    struct list_node node; /* in the class's partial list while it has room */
};

struct large_hdr {
    uint32_t magic;
    uint32_t pad;
    size_t reserve_pages; /* virtual pages reserved (the guard page excluded) */
    size_t mapped_pages;
    size_t size;
};

#define LARGE_HDR ALIGN_UP(sizeof(struct large_hdr), 32)
#define SLAB_HDR  ALIGN_UP(sizeof(struct slab), 16)

static const uint16_t class_size[NCLASSES] = {16, 32, 64, 128, 256, 512, 1024, 2048};
static struct list_node partial[NCLASSES];
static unsigned empty_slabs[NCLASSES];
static int heap_ready;
static struct heap_stats stats;

static void heap_setup(void)
{
    for (int i = 0; i < NCLASSES; i++)
        list_init(&partial[i]);
    heap_ready = 1;
}

static int class_of(size_t size)
{
    for (int i = 0; i < NCLASSES; i++)
        if (size <= class_size[i]) return i;
    return -1;
}

static struct slab *slab_new(int k)
{
    uint64_t frame = pmm_alloc_frame();
    if (!frame) return NULL;
    struct slab *s = phys_to_virt(frame);
    s->magic = SLAB_MAGIC;
    s->klass = (uint16_t)k;
    s->in_use = 0;
    s->free = NULL;
    size_t sz = class_size[k];
    char *first = (char *)s + SLAB_HDR;
    for (char *obj = (char *)s + PAGE_SIZE - sz; obj >= first; obj -= sz) {
        *(void **)obj = s->free;
        s->free = obj;
    }
    list_push_back(&partial[k], &s->node);
    empty_slabs[k]++;
    return s;
}

static void account(long delta)
{
    stats.in_use += (size_t)delta;
    stats.allocations += delta > 0 ? 1 : (size_t)-1;
    if (stats.in_use > stats.peak) stats.peak = stats.in_use;
}

void *heap_alloc_small(size_t size)
{
    int k = class_of(size ? size : 1);
    if (k < 0) return NULL;
    uint64_t flags = irq_save();
    if (!heap_ready) heap_setup();
    struct slab *s =
        list_empty(&partial[k]) ? slab_new(k) : list_entry(partial[k].next, struct slab, node);
    void *obj = NULL;
    if (s) {
        obj = s->free;
        s->free = *(void **)obj;
        if (s->in_use++ == 0) empty_slabs[k]--;
        if (!s->free) list_remove(&s->node);
        account((long)class_size[k]);
    }
    irq_restore(flags);
    return obj;
}

void heap_free_small(void *p)
{
    struct slab *s = (struct slab *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE);
    BASE_ASSERT(s->magic == SLAB_MAGIC);
    uint64_t flags = irq_save();
    int k = s->klass;
    if (!s->free) list_push_front(&partial[k], &s->node);
    *(void **)p = s->free;
    s->free = p;
    account(-(long)class_size[k]);
    if (--s->in_use == 0) {
        if (empty_slabs[k] >= 1) {
            list_remove(&s->node);
            s->magic = 0;
            pmm_free_frames(virt_to_phys(s), 1);
        } else {
            empty_slabs[k]++;
        }
    }
    irq_restore(flags);
}

static size_t pages_for(size_t size)
{
    return (LARGE_HDR + size + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* Virtual room reserved for a block of n pages: doubling, so repeated
 * growth (a WebAssembly memory.grow loop) is amortised. */
static size_t reserve_for(size_t n)
{
    return n < 16 ? n : n * 2;
}

static void *large_alloc(size_t size)
{
    size_t n = pages_for(size), reserve = reserve_for(n);
    uintptr_t base = kva_alloc(reserve + 1, 0, n); /* +1: guard page */
    if (!base) return NULL;
    struct large_hdr *h = (struct large_hdr *)base;
    h->magic = LARGE_MAGIC;
    h->reserve_pages = reserve;
    h->mapped_pages = n;
    h->size = size;
    uint64_t flags = irq_save();
    account((long)(n * PAGE_SIZE));
    irq_restore(flags);
    return (char *)base + LARGE_HDR;
}

static struct large_hdr *large_hdr_of(void *p)
{
    struct large_hdr *h = (struct large_hdr *)((char *)p - LARGE_HDR);
    BASE_ASSERT(h->magic == LARGE_MAGIC);
    return h;
}

static void large_free(void *p)
{
    struct large_hdr *h = large_hdr_of(p);
    uint64_t flags = irq_save();
    account(-(long)(h->mapped_pages * PAGE_SIZE));
    irq_restore(flags);
    h->magic = 0;
    kva_free((uintptr_t)h, h->reserve_pages + 1);
}

/* Grows or shrinks a large block; the data never moves in physical memory. */
static void *large_resize(void *p, size_t size)
{
    struct large_hdr *h = large_hdr_of(p);
    size_t n = pages_for(size);
    uintptr_t base = (uintptr_t)h;
    long delta = ((long)n - (long)h->mapped_pages) * (long)PAGE_SIZE;
    if (n <= h->mapped_pages) {
        kva_unmap(base + n * PAGE_SIZE, h->mapped_pages - n);
    } else if (n <= h->reserve_pages) {
        if (kva_map_more(base + h->mapped_pages * PAGE_SIZE, n - h->mapped_pages) < 0) return NULL;
    } else {
        size_t reserve = reserve_for(n);
        uintptr_t nb = kva_alloc(reserve + 1, 0, 0);
        if (!nb) return NULL;
        if (kva_map_more(nb + h->mapped_pages * PAGE_SIZE, n - h->mapped_pages) < 0) {
            kva_free(nb, reserve + 1);
            return NULL;
        }
        size_t old_reserve = h->reserve_pages, old_mapped = h->mapped_pages;
        kva_move(base, nb, old_mapped);
        kva_free(base, old_reserve + 1); /* nothing mapped there any more */
        base = nb;
        h = (struct large_hdr *)base;
        h->reserve_pages = reserve;
    }
    h->mapped_pages = n;
    h->size = size;
    uint64_t flags = irq_save();
    stats.in_use += (size_t)delta;
    if (stats.in_use > stats.peak) stats.peak = stats.in_use;
    irq_restore(flags);
    return (char *)base + LARGE_HDR;
}

static int is_large(const void *p)
{
    return (uintptr_t)p >= KVA_BASE && (uintptr_t)p < KVA_BASE + KVA_SIZE;
}

void *kmalloc(size_t size)
{
    if (size <= MAX_SMALL) return heap_alloc_small(size);
    if (size > (64ull << 30)) return NULL;
    return large_alloc(size);
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p) memset(p, 0, size);
    return p;
}

void kfree(void *p)
{
    if (!p) return;
    if (is_large(p))
        large_free(p);
    else
        heap_free_small(p);
}

void *krealloc(void *p, size_t size)
{
    if (!p) return kmalloc(size);
    if (size == 0) {
        kfree(p);
        return NULL;
    }
    if (is_large(p) && size > MAX_SMALL) return large_resize(p, size);
    size_t old = is_large(p)
                     ? large_hdr_of(p)->size
                     : class_size[((struct slab *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE))->klass];
    if (!is_large(p) && size <= old) return p;
    void *q = kmalloc(size);
    if (!q) return NULL;
    memcpy(q, p, MIN(old, size));
    kfree(p);
    return q;
}

void heap_get_stats(struct heap_stats *st)
{
    uint64_t flags = irq_save();
    *st = stats;
    irq_restore(flags);
}

void heap_reset_peak(void)
{
    uint64_t flags = irq_save();
    stats.peak = stats.in_use;
    irq_restore(flags);
}

void *dma_alloc(size_t size, uint64_t *phys)
{
    size_t n = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
    uint64_t pa = pmm_alloc_frames(n, 1);
    if (!pa) return NULL;
    void *v = phys_to_virt(pa);
    memset(v, 0, n * PAGE_SIZE);
    *phys = pa;
    return v;
}

void dma_free(void *virt, size_t size)
{
    pmm_free_frames(virt_to_phys(virt), ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE);
}

/* base/env.h's heap for the libraries. */
void *mem_alloc(size_t size)
{
    return kmalloc(size);
}
void *mem_zalloc(size_t size)
{
    return kzalloc(size);
}
void *mem_realloc(void *p, size_t size)
{
    return krealloc(p, size);
}
void mem_free(void *p)
{
    kfree(p);
}
