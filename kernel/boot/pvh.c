/*
 * kernel/boot/pvh.c - reading the PVH hvm_start_info (Xen's public header
 * arch-x86/hvm/start_info.h; version 1 adds the memory map, which QEMU's
 * PVH option ROM always provides). The structure and everything it points
 * to lie in the first 4 GiB, which boot.S's direct map covers.
 *
 *   0 magic u32, 4 version u32, 8 flags u32, 12 nr_modules u32,
 *   16 modlist_paddr u64, 24 cmdline_paddr u64, 32 rsdp_paddr u64,
 *   40 memmap_paddr u64, 48 memmap_entries u32, 52 reserved u32
 *   memory map entry: addr u64, size u64, type u32 (E820), reserved u32
 */
#include "kernel/boot/pvh.h"

#include <stdbool.h>

#include "base/endian.h"
#include "base/error.h"
#include "base/mem.h"

#define MEMMAP_ENTRY 24
#define LOW_4G       (1ull << 32)
#define RSDP_V1_LEN  20
#define RSDP_V2_LEN  36

/* Whether [phys, phys + len) is a non-null range under 4 GiB. */
static bool mapped(uint64_t phys, uint64_t len)
{
    return phys != 0 && phys < LOW_4G && len <= LOW_4G - phys;
}

static void copy_cmdline(struct boot_info *bi, uint64_t phys)
{
    if (!mapped(phys, 1)) return;
    uint64_t avail = LOW_4G - phys;
    size_t max = sizeof bi->cmdline - 1;
    const char *s = phys_to_virt(phys);
    size_t n = strnlen(s, avail < max ? (size_t)avail : max);
    memcpy(bi->cmdline, s, n);
    bi->cmdline[n] = '\0';
}

static void copy_rsdp(struct boot_info *bi, uint64_t phys)
{
    if (!mapped(phys, RSDP_V2_LEN)) return;
    const uint8_t *r = phys_to_virt(phys);
    size_t len = r[15] >= 2 ? RSDP_V2_LEN : RSDP_V1_LEN; /* ACPI 6.4, 5.2.5.3: revision */
    memcpy(bi->rsdp, r, len);
    bi->rsdp_len = len;
}

int pvh_parse(uint64_t info_phys, struct boot_info *bi)
{
    memset(bi, 0, sizeof *bi);
    if (!mapped(info_phys, 56)) return ERR_INVAL;
    const uint8_t *info = phys_to_virt(info_phys);
    if (le32_get(info) != PVH_START_MAGIC) return ERR_INVAL;
    str_copy(bi->loader, "PVH direct boot", sizeof bi->loader);
    copy_cmdline(bi, le64_get(info + 24));
    copy_rsdp(bi, le64_get(info + 32));
    if (le32_get(info + 4) < 1) return ERR_NOTSUP;
    uint64_t map = le64_get(info + 40);
    uint32_t n = le32_get(info + 48);
    if (n > BOOT_MAX_REGIONS) n = BOOT_MAX_REGIONS;
    if (!mapped(map, (uint64_t)n * MEMMAP_ENTRY)) return ERR_CORRUPT;
    const uint8_t *e = phys_to_virt(map);
    for (uint32_t i = 0; i < n; i++, e += MEMMAP_ENTRY) {
        struct mem_region *r = &bi->mem[bi->nmem++];
        r->base = le64_get(e);
        r->length = le64_get(e + 8);
        r->type = le32_get(e + 16);
    }
    return 0;
}
