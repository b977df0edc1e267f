/*
 * kernel/boot/multiboot.c - walking the Multiboot2 tag list (Multiboot2
 * spec section 3.6). Every tag's size is checked against the total size.
 */
#include "kernel/boot/multiboot.h"

#include "base/endian.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"

enum {
    TAG_END = 0,
    TAG_CMDLINE = 1,
    TAG_LOADER = 2,
    TAG_MMAP = 6,
    TAG_ACPI_OLD = 14,
    TAG_ACPI_NEW = 15
};

static void copy_string(char *dst, size_t size, const uint8_t *src, size_t avail)
{
    size_t n = strnlen((const char *)src, avail);
    if (n >= size) n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void parse_mmap(struct boot_info *bi, const uint8_t *tag, uint32_t size)
{
    if (size < 16) return;
    uint32_t esize = le32_get(tag + 8);
    if (esize < 24) return;
    for (uint32_t off = 16; off + esize <= size && bi->nmem < BOOT_MAX_REGIONS; off += esize) {
        struct mem_region *r = &bi->mem[bi->nmem++];
        r->base = le64_get(tag + off);
        r->length = le64_get(tag + off + 8);
        r->type = le32_get(tag + off + 16);
    }
}

int multiboot_parse(uint32_t magic, uint64_t info_phys, struct boot_info *bi)
{
    memset(bi, 0, sizeof *bi);
    if (magic != MB2_BOOT_MAGIC) return ERR_INVAL;
    const uint8_t *info = phys_to_virt(info_phys);
    uint32_t total = le32_get(info);
    if (total < 16) return ERR_CORRUPT;
    for (uint32_t off = 8; off + 8 <= total;) {
        const uint8_t *tag = info + off;
        uint32_t type = le32_get(tag), size = le32_get(tag + 4);
        if (size < 8 || off + size > total) return ERR_CORRUPT;
        switch (type) {
        case TAG_END: return 0;
        case TAG_CMDLINE: copy_string(bi->cmdline, sizeof bi->cmdline, tag + 8, size - 8); break;
        case TAG_LOADER: copy_string(bi->loader, sizeof bi->loader, tag + 8, size - 8); break;
        case TAG_MMAP: parse_mmap(bi, tag, size); break;
        case TAG_ACPI_OLD:
        case TAG_ACPI_NEW:
            if (type == TAG_ACPI_NEW || bi->rsdp_len == 0) {
                bi->rsdp_len = MIN((size_t)size - 8, sizeof bi->rsdp);
                memcpy(bi->rsdp, tag + 8, bi->rsdp_len);
            }
            break;
        default: break;
        }
        off += ALIGN_UP(size, 8u);
    }
    return 0;
}
