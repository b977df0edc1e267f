/*
 * kernel/mm/vmm.c - building and editing the kernel page tables.
 *
 * Four-level paging with 4 KiB and 2 MiB pages. Page-table pages come from
 * the frame allocator and are reached through the direct map, so walking
 * needs no temporary mappings. Interrupts are masked while tables change
 * (one CPU, so that is the lock).
 */
#include "kernel/mm/vmm.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/pmm.h"

#define PTE_P    (1ull << 0)
#define PTE_W    (1ull << 1)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_PS   (1ull << 7)
#define PTE_G    (1ull << 8)
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

static uint64_t *pml4;
static uint64_t pml4_phys;

extern char __text_start[], __text_end[], __kernel_start[], __kernel_end[];
extern char __bss_start[];

static inline unsigned idx(uintptr_t va, int level)
{
    return (va >> (12 + 9 * level)) & 511;
}

static uint64_t pte_flags(unsigned flags)
{
    uint64_t f = PTE_P;
    if (flags & VMM_WRITE) f |= PTE_W;
    if (!(flags & VMM_EXEC)) f |= PTE_NX;
    if (flags & VMM_NOCACHE) f |= PTE_PCD | PTE_PWT;
    return f;
}

/* Returns the next-level table under entry e, creating it if asked. */
static uint64_t *next_table(uint64_t *e, int create)
{
    if (!(*e & PTE_P)) {
        if (!create) return NULL;
        uint64_t frame = pmm_alloc_frame();
        if (!frame) return NULL;
        memset(phys_to_virt(frame), 0, PAGE_SIZE);
        *e = frame | PTE_P | PTE_W;
    }
    if (*e & PTE_PS) return NULL; /* a large page: no table below */
    return phys_to_virt(*e & PTE_ADDR);
}

/* The entry for va at the given level (0 = 4 KiB PTE, 1 = 2 MiB PDE). */
static uint64_t *walk(uintptr_t va, int level, int create)
{
    uint64_t *table = pml4;
    for (int l = 3; l > level; l--) {
        table = next_table(&table[idx(va, l)], create);
        if (!table) return NULL;
    }
    return &table[idx(va, level)];
}

static int map_page(uintptr_t va, uint64_t pa, uint64_t f)
{
    uint64_t *e = walk(va, 0, 1);
    if (!e) return ERR_NOMEM;
    if (*e & PTE_P) return ERR_EXIST;
    *e = (pa & PTE_ADDR) | f;
    return 0;
}

int vmm_map(uintptr_t va, uint64_t pa, size_t size, unsigned flags)
{
    if ((va | pa | size) & (PAGE_SIZE - 1)) return ERR_INVAL;
    uint64_t f = pte_flags(flags);
    uint64_t irq = irq_save();
    for (size_t off = 0; off < size; off += PAGE_SIZE) {
        int err = map_page(va + off, pa + off, f);
        if (err < 0) {
            irq_restore(irq);
            vmm_unmap(va, off);
            return err;
        }
    }
    irq_restore(irq);
    return 0;
}

void vmm_unmap(uintptr_t va, size_t size)
{
    uint64_t irq = irq_save();
    for (size_t off = 0; off < size; off += PAGE_SIZE) {
        uint64_t *e = walk(va + off, 0, 0);
        if (e && (*e & PTE_P)) {
            *e = 0;
            invlpg(va + off);
        }
    }
    irq_restore(irq);
}

int vmm_protect(uintptr_t va, size_t size, unsigned flags)
{
    if ((va | size) & (PAGE_SIZE - 1)) return ERR_INVAL;
    uint64_t f = pte_flags(flags), irq = irq_save();
    for (size_t off = 0; off < size; off += PAGE_SIZE) {
        uint64_t *e = walk(va + off, 0, 0);
        if (!e || !(*e & PTE_P)) {
            irq_restore(irq);
            return ERR_NOENT;
        }
        *e = (*e & (PTE_ADDR | PTE_G)) | f;
        invlpg(va + off);
    }
    irq_restore(irq);
    return 0;
}

int vmm_translate(uintptr_t va, uint64_t *pa, unsigned *flags)
{
    uint64_t *table = pml4;
    for (int l = 3; l >= 0; l--) {
        uint64_t e = table[idx(va, l)];
        if (!(e & PTE_P)) return ERR_NOENT;
        if (l == 0 || (l <= 2 && (e & PTE_PS))) {
            uint64_t page = l == 0 ? PAGE_SIZE : 1ull << (12 + 9 * l);
            if (pa) *pa = (e & PTE_ADDR & ~(page - 1)) | (va & (page - 1));
            if (flags)
                *flags = ((e & PTE_W) ? VMM_WRITE : 0) | ((e & PTE_NX) ? 0 : VMM_EXEC) |
                         ((e & PTE_PCD) ? VMM_NOCACHE : 0);
            return 0;
        }
        table = phys_to_virt(e & PTE_ADDR);
    }
    return ERR_NOENT;
}

/* Direct-maps [base, base+len) of RAM with 2 MiB pages where aligned. */
static int map_direct(uint64_t base, uint64_t len)
{
    uint64_t pa = ALIGN_DOWN(base, PAGE_SIZE), end = ALIGN_UP(base + len, PAGE_SIZE);
    uint64_t f = PTE_P | PTE_W | PTE_NX | PTE_G;
    while (pa < end) {
        uintptr_t va = DIRECT_MAP_BASE + pa;
        if ((pa & 0x1fffff) == 0 && end - pa >= 0x200000) {
            uint64_t *e = walk(va, 1, 1);
            if (!e) return ERR_NOMEM;
            if (!(*e & PTE_P)) *e = pa | f | PTE_PS;
            pa += 0x200000;
        } else {
            uint64_t *pde = walk(va, 1, 1);
            if (!pde) return ERR_NOMEM;
            if (!(*pde & PTE_PS)) {
                uint64_t *e = walk(va, 0, 1);
                if (!e) return ERR_NOMEM;
                if (!(*e & PTE_P)) *e = pa | f;
            }
            pa += PAGE_SIZE;
        }
    }
    return 0;
}

void *vmm_map_phys(uint64_t phys, size_t size, unsigned flags)
{
    uint64_t lo = ALIGN_DOWN(phys, PAGE_SIZE), hi = ALIGN_UP(phys + size, PAGE_SIZE);
    for (uint64_t pa = lo; pa < hi; pa += PAGE_SIZE) {
        uintptr_t va = DIRECT_MAP_BASE + pa;
        if (vmm_translate(va, NULL, NULL) == 0) continue;
        if (vmm_map(va, pa, PAGE_SIZE, flags | VMM_WRITE) < 0) return NULL;
    }
    return phys_to_virt(phys);
}

void vmm_init(const struct mem_region *map, int count)
{
    pml4_phys = pmm_alloc_frame();
    BASE_ASSERT(pml4_phys != 0);
    pml4 = phys_to_virt(pml4_phys);
    memset(pml4, 0, PAGE_SIZE);

    /* The kernel image: text executable, the rest no-execute. */
    uintptr_t kstart = ALIGN_DOWN((uintptr_t)__kernel_start, PAGE_SIZE);
    uintptr_t kend = (uintptr_t)__kernel_end;
    for (uintptr_t va = kstart; va < kend; va += PAGE_SIZE) {
        unsigned fl = 0;
        /* A page is executable if any of it holds text. */
        if (va + PAGE_SIZE > (uintptr_t)__text_start && va < (uintptr_t)__text_end)
            fl = VMM_EXEC;
        else
            fl = VMM_WRITE; /* rodata stays writable: .ksyms is patched at link only */
        uint64_t f = pte_flags(fl) | PTE_G;
        BASE_ASSERT(map_page(va, va - KERNEL_VMA, f) == 0);
    }
    /* The boot code and its page tables live below the kernel image. */
    for (int i = 0; i < count; i++) {
        if (map[i].type == MEM_USABLE || map[i].type == MEM_ACPI || map[i].type == MEM_NVS)
            BASE_ASSERT(map_direct(map[i].base, map[i].length) == 0);
    }
    /* Enable global pages, then switch. */
    write_cr4(read_cr4() | (1u << 7));
    write_cr3(pml4_phys);
    klog_info("vmm", "kernel page tables at %#llx, direct map at %#llx",
              (unsigned long long)pml4_phys, (unsigned long long)DIRECT_MAP_BASE);
}
