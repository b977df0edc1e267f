/*
 * kernel/mm/pmm.c - a bitmap frame allocator over the Multiboot2 memory map.
 *
 * One bit per 4 KiB frame up to the highest usable address; 1 = used. The
 * bitmap lives in the first usable region big enough above the kernel. Only
 * MEM_USABLE regions are ever handed out; everything else (reserved, ACPI,
 * holes) stays marked used. Single-frame allocations scan 64 frames per
 * word from a rotating hint; contiguous runs scan bit by bit from it.
 */
#include "kernel/mm/pmm.h"

#include "kernel/arch/x86_64/cpu.h"
#include "base/mem.h"
#include "base/util.h"
#include "kernel/lib/klog.h"

extern char __kernel_start[], __kernel_end[];

static uint64_t *bitmap;
static size_t nframes, free_frames, total_frames;
static size_t hint;

static inline int frame_used(size_t f)
{
    return (bitmap[f / 64] >> (f % 64)) & 1;
}
static inline void frame_set(size_t f)
{
    bitmap[f / 64] |= 1ull << (f % 64);
}
static inline void frame_clear(size_t f)
{
    bitmap[f / 64] &= ~(1ull << (f % 64));
}

static void mark_range(uint64_t base, uint64_t length, int used)
{
    uint64_t first = used ? base / PAGE_SIZE : ALIGN_UP(base, PAGE_SIZE) / PAGE_SIZE;
    uint64_t last =
        used ? ALIGN_UP(base + length, PAGE_SIZE) / PAGE_SIZE : (base + length) / PAGE_SIZE;
    for (uint64_t f = first; f < last && f < nframes; f++) {
        if (used && !frame_used(f)) {
            frame_set(f);
            free_frames--;
        } else if (!used && frame_used(f)) {
            frame_clear(f);
            free_frames++;
        }
    }
}

void pmm_init(const struct mem_region *map, int count)
{
    uint64_t top = 0;
    for (int i = 0; i < count; i++)
        if (map[i].type == MEM_USABLE && map[i].base + map[i].length > top)
            top = map[i].base + map[i].length;
    nframes = top / PAGE_SIZE;
    size_t bitmap_bytes = ALIGN_UP((nframes + 63) / 64 * 8, PAGE_SIZE);

    /* Place the bitmap in usable RAM above the kernel image, inside the
     * first 4 GiB (the boot page tables map only that much). */
    uint64_t kernel_lo = (uint64_t)(uintptr_t)__kernel_start - KERNEL_VMA;
    uint64_t kernel_hi = (uint64_t)(uintptr_t)__kernel_end - KERNEL_VMA;
    uint64_t where = 0;
    for (int i = 0; i < count && !where; i++) {
        if (map[i].type != MEM_USABLE) continue;
        uint64_t lo = ALIGN_UP(MAX(map[i].base, MAX(kernel_hi, 0x100000ull)), PAGE_SIZE);
        uint64_t hi = map[i].base + map[i].length;
        if (lo + bitmap_bytes <= hi && lo + bitmap_bytes <= 0x100000000ull) where = lo;
    }
    if (!where) {
        klog_error("pmm", "no room for the frame bitmap (%zu bytes)", bitmap_bytes);
        for (;;)
            hlt();
    }
    bitmap = phys_to_virt(where);
    memset(bitmap, 0xff, bitmap_bytes);
    free_frames = 0;

    for (int i = 0; i < count; i++)
        if (map[i].type == MEM_USABLE) mark_range(map[i].base, map[i].length, 0);
    total_frames = free_frames;
    mark_range(0, 0x100000, 1); /* real-mode area, BIOS data, option ROMs */
    mark_range(kernel_lo, kernel_hi - kernel_lo, 1);
    mark_range(where, bitmap_bytes, 1);
    hint = 0;
    klog_info("pmm", "%zu MiB usable, %zu MiB free, top of RAM %#llx",
              total_frames * PAGE_SIZE >> 20, free_frames * PAGE_SIZE >> 20,
              (unsigned long long)top);
}

static size_t find_single(void)
{
    size_t words = (nframes + 63) / 64;
    for (size_t n = 0; n < words; n++) {
        size_t w = (hint / 64 + n) % words;
        if (bitmap[w] != ~0ull) {
            size_t f = w * 64 + (size_t)__builtin_ctzll(~bitmap[w]);
            if (f < nframes) return f;
        }
    }
    return (size_t)-1;
}

static size_t find_run(size_t count, size_t align)
{
    for (int pass = 0; pass < 2; pass++) {
        size_t start = pass == 0 ? ALIGN_UP(hint, align) : 0;
        size_t end = pass == 0 ? nframes : MIN(nframes, hint + count);
        for (size_t f = start; f + count <= end;) {
            size_t run = 0;
            while (run < count && !frame_used(f + run))
                run++;
            if (run == count) return f;
            f = ALIGN_UP(f + run + 1, align);
        }
    }
    return (size_t)-1;
}

uint64_t pmm_alloc_frames(size_t count, size_t align)
{
    if (count == 0 || !IS_POW2(align)) return 0;
    uint64_t flags = irq_save();
    size_t f = (count == 1 && align == 1) ? find_single() : find_run(count, align);
    if (f != (size_t)-1) {
        for (size_t i = 0; i < count; i++)
            frame_set(f + i);
        free_frames -= count;
        hint = f + count;
    }
    irq_restore(flags);
    return f == (size_t)-1 ? 0 : (uint64_t)f * PAGE_SIZE;
}

void pmm_free_frames(uint64_t phys, size_t count)
{
    uint64_t flags = irq_save();
    size_t f = phys / PAGE_SIZE;
    for (size_t i = 0; i < count; i++) {
        if (f + i >= nframes || !frame_used(f + i)) {
            irq_restore(flags);
            klog_error("pmm", "double free or bad frame %#llx",
                       (unsigned long long)(phys + i * PAGE_SIZE));
            BASE_ASSERT(!"pmm_free_frames: frame not allocated");
        }
        frame_clear(f + i);
    }
    free_frames += count;
    irq_restore(flags);
}

size_t pmm_free_count(void)
{
    return free_frames;
}
size_t pmm_total_count(void)
{
    return total_frames;
}
