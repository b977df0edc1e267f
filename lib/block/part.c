/*
 * lib/block/part.c - MBR and GPT partition tables (see part.h).
 *
 * Sector 0 is a partition table when it ends in 0x55AA, is not a FAT boot
 * sector (a jump and a BPB sector size) and its four entries have the
 * status byte 0 or 0x80. A protective entry (type 0xEE) means GPT (UEFI
 * spec 2.10 section 5.3.2): a header is valid when its signature, size,
 * CRC32, own LBA, usable range and entry array (bounds and CRC32) are; the
 * primary at LBA 1 is tried first, then the backup in the last sector.
 * Extended entries (0x05, 0x0F, 0x85) start a chain of EBRs: each holds one
 * logical partition relative to itself and the next EBR relative to the
 * extended partition's start. Every value read from the disk is checked
 * before use; the chain is bounded by PART_LOGICAL_MAX.
 */
#include "block/part.h"

#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"

#define TAG            "part"
#define MBR_ENTRIES    446 /* offset of the four 16-byte entries */
#define MBR_TYPE_GPT   0xEE
#define GPT_HEADER_MIN 92
#define GPT_ENTRY_MIN  128
#define GPT_ENTRY_MAX  1024
#define MAX_EXTENDED   4
#define MAX_PARTITIONS (PART_GPT_MAX_ENTRIES + 4 + MAX_EXTENDED * PART_LOGICAL_MAX)
#define GPT_CRC_OFFSET 16

struct extent {
    uint64_t first, last;
};

struct scan {
    const struct sector_dev *disk;
    part_found_fn found;
    void *ctx;
    struct part_summary sum;
    uint8_t *sector; /* one sector of scratch */
    int ntaken;
    struct extent taken[MAX_PARTITIONS]; /* the accepted partitions */
};

/* A GPT header's fields (UEFI spec 2.10 table 5-5). */
struct gpt_header {
    uint64_t first_usable, last_usable, entries_lba;
    uint32_t entries, entry_size, entries_crc;
};

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    uint32_t c = ~crc;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

static uint64_t last_lba(const struct scan *s)
{
    return s->disk->sector_count - 1;
}

static int read_sectors(const struct scan *s, uint64_t lba, uint32_t count, void *buf)
{
    return s->disk->read(s->disk->ctx, lba, count, buf);
}

static bool overlaps_taken(const struct scan *s, uint64_t first, uint64_t last)
{
    for (int i = 0; i < s->ntaken; i++)
        if (first <= s->taken[i].last && s->taken[i].first <= last) return true;
    return false;
}

/* Judges p against the allowed LBAs [lo, hi] and the partitions accepted
 * so far, records it, and hands it to the caller. */
static int report(struct scan *s, struct part_info *p, uint64_t lo, uint64_t hi)
{
    if (p->count == 0 || p->start < lo || p->start > hi || p->count - 1 > hi - p->start) {
        p->verdict = PART_OUTSIDE;
    } else if (overlaps_taken(s, p->start, p->start + p->count - 1) ||
               s->ntaken == MAX_PARTITIONS) {
        p->verdict = PART_OVERLAPS;
    } else {
        p->verdict = PART_ACCEPTED;
        s->taken[s->ntaken++] = (struct extent){p->start, p->start + p->count - 1};
    }
    if (p->verdict == PART_ACCEPTED)
        s->sum.accepted++;
    else
        s->sum.refused++;
    return s->found(s->ctx, p);
}

/* ---- GPT ----------------------------------------------------------------------------- */

static bool is_entry_size(uint32_t size)
{
    return size >= GPT_ENTRY_MIN && size <= GPT_ENTRY_MAX && IS_POW2(size);
}

static uint32_t header_crc(const uint8_t *h, uint32_t size)
{
    static const uint8_t zero[4];
    uint32_t crc = crc32_update(0, h, GPT_CRC_OFFSET);
    crc = crc32_update(crc, zero, sizeof zero);
    return crc32_update(crc, h + GPT_CRC_OFFSET + 4, size - GPT_CRC_OFFSET - 4);
}

/* The sectors the entry array of g takes. */
static uint64_t array_sectors(const struct scan *s, const struct gpt_header *g)
{
    uint64_t bytes = (uint64_t)g->entries * g->entry_size;
    return (bytes + s->disk->sector_size - 1) / s->disk->sector_size;
}

/* Checks the header in h, read from lba, and fills g. NULL, or why not. */
static const char *header_check(const struct scan *s, const uint8_t *h, uint64_t lba,
                                struct gpt_header *g)
{
    uint32_t size = le32_get(h + 12);
    if (memcmp(h, "EFI PART", 8) != 0) return "has no signature";
    if (size < GPT_HEADER_MIN || size > s->disk->sector_size) return "has a bad header size";
    if (header_crc(h, size) != le32_get(h + GPT_CRC_OFFSET)) return "header CRC mismatch";
    if (le64_get(h + 24) != lba) return "names another LBA as its own";
    g->first_usable = le64_get(h + 40);
    g->last_usable = le64_get(h + 48);
    g->entries_lba = le64_get(h + 72);
    g->entries = le32_get(h + 80);
    g->entry_size = le32_get(h + 84);
    g->entries_crc = le32_get(h + 88);
    if (g->first_usable > g->last_usable || g->last_usable > last_lba(s))
        return "has a usable range outside the disk";
    if (!is_entry_size(g->entry_size) || g->entries == 0 || g->entries > PART_GPT_MAX_ENTRIES)
        return "has a bad entry count or size";
    if (g->entries_lba == 0 || g->entries_lba > last_lba(s) ||
        array_sectors(s, g) > s->disk->sector_count - g->entries_lba)
        return "has its entry array outside the disk";
    return NULL;
}

/* Reads and checks the GPT whose header is at lba; *array gets its entry
 * array (the caller frees it). ERR_CORRUPT with *why, or a read error. */
static int gpt_load(struct scan *s, uint64_t lba, struct gpt_header *g, uint8_t **array,
                    const char **why)
{
    if (lba > last_lba(s)) {
        *why = "lies past the end of the disk";
        return ERR_CORRUPT;
    }
    int err = read_sectors(s, lba, 1, s->sector);
    if (err < 0) return err;
    *why = header_check(s, s->sector, lba, g);
    if (*why) return ERR_CORRUPT;
    uint64_t sectors = array_sectors(s, g);
    uint8_t *tab = mem_alloc((size_t)sectors * s->disk->sector_size);
    if (!tab) return ERR_NOMEM;
    err = read_sectors(s, g->entries_lba, (uint32_t)sectors, tab);
    if (err == 0 && crc32_update(0, tab, (size_t)g->entries * g->entry_size) != g->entries_crc) {
        *why = "entry array CRC mismatch";
        err = ERR_CORRUPT;
    }
    if (err < 0) {
        mem_free(tab);
        return err;
    }
    *array = tab;
    return 0;
}

/* The primary GPT, else the backup in the last sector. */
static int gpt_load_either(struct scan *s, struct gpt_header *g, uint8_t **array)
{
    const char *why_primary = NULL, *why_backup = NULL;
    int err = gpt_load(s, 1, g, array, &why_primary);
    if (err != ERR_CORRUPT) return err;
    err = gpt_load(s, last_lba(s), g, array, &why_backup);
    if (err == 0) {
        log_write(LOG_WARN, TAG, "%s: primary GPT %s; using the backup at LBA %llu", s->disk->name,
                  why_primary, (unsigned long long)last_lba(s));
        s->sum.gpt_backup_used = true;
    } else if (err == ERR_CORRUPT) {
        log_write(LOG_WARN, TAG, "%s: protective MBR but no valid GPT (primary %s, backup %s)",
                  s->disk->name, why_primary, why_backup);
    }
    return err;
}

static int scan_gpt(struct scan *s)
{
    static const uint8_t unused[16];
    struct gpt_header g;
    uint8_t *tab = NULL;
    int err = gpt_load_either(s, &g, &tab);
    if (err < 0) return err;
    s->sum.scheme = PART_SCHEME_GPT;
    for (uint32_t i = 0; err >= 0 && i < g.entries; i++) {
        const uint8_t *e = tab + (size_t)i * g.entry_size;
        if (memcmp(e, unused, sizeof unused) == 0) continue;
        uint64_t first = le64_get(e + 32), last = le64_get(e + 40);
        struct part_info p = {.no = (int)i + 1, .scheme = PART_SCHEME_GPT, .start = first};
        p.count = last >= first ? last - first + 1 : 0;
        memcpy(p.gpt_type, e, sizeof p.gpt_type);
        err = report(s, &p, g.first_usable, g.last_usable);
    }
    mem_free(tab);
    return err;
}

/* ---- MBR ----------------------------------------------------------------------------- */

static bool is_extended(uint8_t type)
{
    return type == 0x05 || type == 0x0F || type == 0x85;
}

/* A partition table rather than a FAT boot sector or nothing. */
static bool looks_like_mbr(const uint8_t *sector)
{
    uint16_t bps = le16_get(sector + 11);
    bool vbr = (sector[0] == 0xEB || sector[0] == 0xE9) &&
               (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096);
    if (vbr || sector[510] != 0x55 || sector[511] != 0xAA) return false;
    int used = 0;
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = sector + MBR_ENTRIES + 16 * i;
        if (e[0] != 0 && e[0] != 0x80) return false;
        if (e[4] != 0) used++;
    }
    return used > 0;
}

static bool has_gpt_entry(const uint8_t *mbr)
{
    for (int i = 0; i < 4; i++)
        if (mbr[MBR_ENTRIES + 16 * i + 4] == MBR_TYPE_GPT) return true;
    return false;
}

/* Follows the EBR chain of the extended partition at [start, start+count),
 * numbering its logical partitions from *no on. */
static int scan_logical(struct scan *s, uint64_t start, uint64_t count, int *no)
{
    const char *name = s->disk->name;
    if (start == 0 || count == 0 || start > last_lba(s)) {
        log_write(LOG_WARN, TAG, "%s: extended partition outside the disk; ignored", name);
        return 0;
    }
    uint64_t ext_last = MIN(start + count - 1, last_lba(s)), ebr = start;
    for (int hop = 0; hop < PART_LOGICAL_MAX; hop++) {
        int err = read_sectors(s, ebr, 1, s->sector);
        if (err < 0) return err;
        const uint8_t *e = s->sector + MBR_ENTRIES, *link = e + 16;
        if (s->sector[510] != 0x55 || s->sector[511] != 0xAA) {
            log_write(LOG_WARN, TAG, "%s: no EBR at LBA %llu; logical partitions end there", name,
                      (unsigned long long)ebr);
            return 0;
        }
        uint64_t next = start + le32_get(link + 8);
        bool more = is_extended(link[4]) && next != start;
        if (e[4] != 0 && !is_extended(e[4])) {
            struct part_info p = {.no = (*no)++, .scheme = PART_SCHEME_MBR, .logical = true};
            p.start = ebr + le32_get(e + 8);
            p.count = le32_get(e + 12);
            p.mbr_type = e[4];
            err = report(s, &p, ebr + 1, ext_last);
            if (err < 0) return err;
        }
        if (!more) return 0;
        if (next > ext_last) {
            log_write(LOG_WARN, TAG, "%s: EBR link outside the extended partition", name);
            return 0;
        }
        ebr = next;
    }
    log_write(LOG_WARN, TAG, "%s: more than %d logical partitions; the rest ignored", name,
              PART_LOGICAL_MAX);
    return 0;
}

static int scan_mbr(struct scan *s)
{
    uint8_t entries[64]; /* the EBR reads reuse the sector buffer */
    memcpy(entries, s->sector + MBR_ENTRIES, sizeof entries);
    s->sum.scheme = PART_SCHEME_MBR;
    int err = 0, no = PART_FIRST_LOGICAL;
    for (int i = 0; i < 4 && err >= 0; i++) {
        const uint8_t *e = entries + 16 * i;
        if (e[4] == 0 || is_extended(e[4])) continue;
        struct part_info p = {.no = i + 1, .scheme = PART_SCHEME_MBR, .mbr_type = e[4]};
        p.start = le32_get(e + 8);
        p.count = le32_get(e + 12);
        err = report(s, &p, 1, last_lba(s));
    }
    for (int i = 0; i < 4 && err >= 0; i++) {
        const uint8_t *e = entries + 16 * i;
        if (is_extended(e[4])) err = scan_logical(s, le32_get(e + 8), le32_get(e + 12), &no);
    }
    return err;
}

/* ---- the scan ------------------------------------------------------------------------ */

static int scan_table(struct scan *s)
{
    int err = read_sectors(s, 0, 1, s->sector);
    if (err < 0) return err;
    if (!looks_like_mbr(s->sector)) return 0;
    return has_gpt_entry(s->sector) ? scan_gpt(s) : scan_mbr(s);
}

int part_scan(const struct sector_dev *disk, part_found_fn found, void *ctx,
              struct part_summary *summary)
{
    uint32_t ss = disk->sector_size;
    if (!IS_POW2(ss) || ss < PART_SECTOR_MIN || ss > PART_SECTOR_MAX || disk->sector_count == 0)
        return ERR_INVAL;
    struct scan *s = mem_zalloc(sizeof *s);
    uint8_t *sector = mem_alloc(ss);
    int err = ERR_NOMEM;
    if (s && sector) {
        s->disk = disk;
        s->found = found;
        s->ctx = ctx;
        s->sector = sector;
        err = scan_table(s);
        if (summary) *summary = s->sum;
        if (err >= 0) err = s->sum.accepted;
    }
    mem_free(sector);
    mem_free(s);
    return err;
}
