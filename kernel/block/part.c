/*
 * kernel/block/part.c - MBR and GPT partition tables.
 *
 * MBR: the four primary entries of sector 0 (extended partitions are not
 * followed). A protective MBR (type 0xEE) means GPT (UEFI spec 2.10 section
 * 5.3): the header at LBA 1 is checked (signature, size, CRC32) and so is
 * the entry array, before any partition is trusted. Partitions must lie
 * inside the disk.
 */
#include "block/block.h"

#include "base/endian.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "lib/klog.h"
#include "mm/heap.h"

#define GPT_MAX_ENTRIES 256

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

static int add_partition(struct block_dev *disk, int no, uint64_t start, uint64_t count,
                         const char *kind)
{
    if (start == 0 || count == 0 || start >= disk->sector_count ||
        count > disk->sector_count - start) {
        klog_warn("block", "%s: partition %d (%s) lies outside the disk; ignored", disk->name, no,
                  kind);
        return 0;
    }
    struct block_dev *p = kzalloc(sizeof *p);
    if (!p) return ERR_NOMEM;
    fmt_snprintf(p->name, sizeof p->name, "%s%d", disk->name, no);
    p->sector_size = disk->sector_size;
    p->sector_count = count;
    p->read_only = disk->read_only;
    p->parent = disk;
    p->start_lba = start;
    p->partno = no;
    int err = block_register(p);
    if (err < 0) {
        kfree(p);
        return err;
    }
    klog_info("block", "%s: %s partition, sectors %llu-%llu (%llu MiB)", p->name, kind,
              (unsigned long long)start, (unsigned long long)(start + count - 1),
              (unsigned long long)(count * disk->sector_size >> 20));
    return 1;
}

static int scan_gpt(struct block_dev *disk, uint8_t *sector)
{
    uint32_t ss = disk->sector_size;
    int err = block_read(disk, 1, 1, sector);
    if (err < 0) return err;
    uint32_t hsize = le32_get(sector + 12);
    if (memcmp(sector, "EFI PART", 8) != 0 || hsize < 92 || hsize > ss) {
        klog_warn("block", "%s: protective MBR but no valid GPT header", disk->name);
        return ERR_CORRUPT;
    }
    uint32_t want = le32_get(sector + 16);
    le32_put(sector + 16, 0);
    if (crc32(sector, hsize) != want) {
        klog_warn("block", "%s: GPT header CRC mismatch", disk->name);
        return ERR_CORRUPT;
    }
    uint64_t entries_lba = le64_get(sector + 72);
    uint32_t n = le32_get(sector + 80), esize = le32_get(sector + 84);
    uint32_t entries_crc = le32_get(sector + 88);
    if (esize < 128 || esize > 1024 || (esize & 7) || n == 0 || n > GPT_MAX_ENTRIES)
        return ERR_CORRUPT;
    uint32_t bytes = n * esize, sectors = (bytes + ss - 1) / ss;
    uint8_t *tab = kmalloc((size_t)sectors * ss);
    if (!tab) return ERR_NOMEM;
    err = block_read(disk, entries_lba, sectors, tab);
    if (err == 0 && crc32(tab, bytes) != entries_crc) {
        klog_warn("block", "%s: GPT entry array CRC mismatch", disk->name);
        err = ERR_CORRUPT;
    }
    int found = 0;
    for (uint32_t i = 0; err == 0 && i < n; i++) {
        const uint8_t *e = tab + (size_t)i * esize;
        static const uint8_t zero[16];
        if (memcmp(e, zero, 16) == 0) continue;
        uint64_t first = le64_get(e + 32), last = le64_get(e + 40);
        if (last < first) continue;
        int r = add_partition(disk, (int)i + 1, first, last - first + 1, "GPT");
        if (r < 0)
            err = r;
        else
            found += r;
    }
    kfree(tab);
    return err < 0 ? err : found;
}

int block_scan_partitions(struct block_dev *disk)
{
    uint8_t *sector = kmalloc(disk->sector_size);
    if (!sector) return ERR_NOMEM;
    int err = block_read(disk, 0, 1, sector);
    int found = 0;
    uint16_t bps = le16_get(sector + 11);
    int vbr = (sector[0] == 0xEB || sector[0] == 0xE9) &&
              (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096);
    if (err == 0 && !vbr && sector[510] == 0x55 && sector[511] == 0xAA) {
        /* Not a FAT boot sector (checked above by its jump and BPB): a
         * partition table if the entries are sane (status 0 or 0x80). */
        int sane = 1, used = 0, gpt = 0;
        for (int i = 0; i < 4; i++) {
            const uint8_t *e = sector + 446 + 16 * i;
            if (e[0] != 0 && e[0] != 0x80) sane = 0;
            if (e[4] != 0) used++;
            if (e[4] == 0xEE) gpt = 1;
        }
        if (sane && gpt) {
            found = scan_gpt(disk, sector);
        } else if (sane && used) {
            for (int i = 0; i < 4 && found >= 0; i++) {
                const uint8_t *e = sector + 446 + 16 * i;
                if (e[4] == 0 || e[4] == 0x05 || e[4] == 0x0F || e[4] == 0x85)
                    continue; /* empty or extended */
                int r = add_partition(disk, i + 1, le32_get(e + 8), le32_get(e + 12), "MBR");
                found = r < 0 ? r : found + r;
            }
        }
    } else if (err < 0) {
        found = err;
    }
    kfree(sector);
    return found;
}
