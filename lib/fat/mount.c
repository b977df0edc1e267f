/*
 * lib/fat/mount.c - the volume as a whole, the top of lib/fat's floors:
 * mounting (BPB checks and FAT type detection), sync, unmount, statfs and
 * the label (from the root directory's volume-ID entry, else the BPB's).
 * It calls down into file.c (the open files' entries), dir.c and volume.c;
 * none of them calls it.
 */
#include "fat/fat_int.h"

#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"

#define TAG "fat"

/* ---- mount ---------------------------------------------------------------- */

static int bpb_bad(const char *what, uint32_t val)
{
    log_write(LOG_WARN, TAG, "bad BPB: %s (%u)", what, (unsigned)val);
    return ERR_CORRUPT;
}

/* The fields of the boot sector that mounting needs, checked against the FAT
 * spec section 3 and the device. */
static int bpb_parse(struct fat_volume *v, const uint8_t *b, uint64_t dev_bytes)
{
    uint32_t bps = le16_get(b + 11), spc = b[13], rsvd = le16_get(b + 14), nfats = b[16];
    uint32_t root_ent = le16_get(b + 17), tot16 = le16_get(b + 19), fatsz16 = le16_get(b + 22);
    uint32_t tot32 = le32_get(b + 32), fatsz32 = le32_get(b + 36);

    if (b[510] != 0x55 || b[511] != 0xAA) return bpb_bad("no 0x55AA signature", le16_get(b + 510));
    if (b[0] != 0xEB && b[0] != 0xE9) return bpb_bad("jump instruction", b[0]);
    if (bps < 512 || bps > 4096 || !IS_POW2(bps)) return bpb_bad("BytsPerSec", bps);
    if (bps < v->dev.sector_size || bps % v->dev.sector_size)
        return bpb_bad("BytsPerSec not a multiple of the device sector", bps);
    if (!IS_POW2(spc) || spc > 128) return bpb_bad("SecPerClus", spc);
    if (rsvd == 0) return bpb_bad("RsvdSecCnt", rsvd);
    if (nfats == 0 || nfats > 8) return bpb_bad("NumFATs", nfats);
    if (b[21] != 0xF0 && b[21] < 0xF8) return bpb_bad("Media", b[21]);
    uint32_t total = tot16 ? tot16 : tot32;
    uint32_t fatsz = fatsz16 ? fatsz16 : fatsz32;
    if (total == 0 || fatsz == 0) return bpb_bad("TotSec or FATSz is zero", 0);
    if ((uint64_t)total * bps > dev_bytes)
        return bpb_bad("volume larger than the device, sectors", total);
    uint32_t root_secs = (root_ent * 32 + bps - 1) / bps;
    uint64_t meta = (uint64_t)rsvd + (uint64_t)nfats * fatsz + root_secs;
    if (meta >= total)
        return bpb_bad("no data region, metadata sectors", (uint32_t)MIN(meta, UINT32_MAX));

    v->bps = bps;
    v->dev_mul = bps / v->dev.sector_size;
    v->spc = spc;
    v->clus_bytes = bps * spc;
    v->total_sec = total;
    v->fat_start = rsvd;
    v->fat_size = fatsz;
    v->nfats = nfats;
    v->mirror = true;
    v->root_start = rsvd + nfats * fatsz;
    v->root_entries = root_ent;
    v->data_start = (uint32_t)meta;
    v->clus_count = (total - v->data_start) / spc;
    /* FAT spec 3.5: the type follows from the cluster count alone */
    v->type = v->clus_count < 4085 ? 12 : v->clus_count < 65525 ? 16 : 32;
    if (v->clus_count == 0) return bpb_bad("no data clusters", 0);
    uint64_t entries = (uint64_t)fatsz * bps * 8 / (uint32_t)v->type;
    if (entries < (uint64_t)v->clus_count + 2)
        return bpb_bad("FAT too small for the clusters", v->clus_count);

    const uint8_t *ext = b + (v->type == 32 ? 64 : 36); /* BS_DrvNum onward */
    if (ext[2] == 0x29) {
        memcpy(v->bpb_label, ext + 7, 11);
        v->bpb_label[11] = 0;
    }
    if (v->type != 32) {
        if (root_ent == 0) return bpb_bad("RootEntCnt is 0 on FAT12/16", 0);
        return 0;
    }
    if (root_ent != 0) return bpb_bad("RootEntCnt on FAT32", root_ent);
    if (le16_get(b + 42) != 0) {
        log_write(LOG_WARN, TAG, "unsupported FAT32 version %u", (unsigned)le16_get(b + 42));
        return ERR_NOTSUP;
    }
    uint32_t ext_flags = le16_get(b + 40);
    if (ext_flags & 0x80) {
        v->mirror = false;
        v->active_fat = ext_flags & 0x0F;
        if (v->active_fat >= nfats) return bpb_bad("ExtFlags active FAT", v->active_fat);
    }
    v->root_clus = le32_get(b + 44);
    if (!clus_valid(v, v->root_clus)) return bpb_bad("RootClus", v->root_clus);
    uint32_t fsi = le16_get(b + 48);
    v->fsinfo_sec = (fsi > 0 && fsi < rsvd) ? fsi : 0;
    return 0;
}

int fat_mount(const struct fat_blockdev *dev, const struct fat_clock *clock, unsigned flags,
              struct fat_volume **out)
{
    if (!dev || !dev->read || !out || dev->sector_size < 512 || dev->sector_size > 4096 ||
        !IS_POW2(dev->sector_size))
        return ERR_INVAL;
    if (!(flags & FAT_MOUNT_RDONLY) && (!dev->write || !dev->flush)) return ERR_INVAL;
    uint32_t probe = 4096 / dev->sector_size;
    if (dev->sector_count < probe) return ERR_CORRUPT;
    struct fat_volume *v = mem_zalloc(sizeof *v);
    uint8_t *boot = mem_alloc(4096);
    if (!v || !boot) {
        mem_free(v);
        mem_free(boot);
        return ERR_NOMEM;
    }
    v->dev = *dev;
    if (clock) v->clock = *clock;
    v->rdonly = flags & FAT_MOUNT_RDONLY;
    v->free_count = UINT32_MAX;
    v->next_free = 2;
    v->dc_dir = UINT32_MAX;
    int r = dev->read(dev->ctx, 0, probe, boot);
    if (r == 0) r = bpb_parse(v, boot, dev->sector_count * dev->sector_size);
    mem_free(boot);
    if (r < 0) {
        mem_free(v);
        return r;
    }
    if (vol_windows_alloc(v) < 0) {
        vol_free(v);
        return ERR_NOMEM;
    }
    fsinfo_read(v);
    v->root.is_root = true;
    v->root.first = v->root_clus;
    v->root.attr = FAT_ATTR_DIRECTORY;
    log_write(LOG_DEBUG, TAG, "mounted FAT%d: %u clusters of %u bytes", v->type,
              (unsigned)v->clus_count, (unsigned)v->clus_bytes);
    *out = v;
    return 0;
}

int fat_sync(struct fat_volume *v)
{
    if (v->rdonly) return 0;
    int r = node_flush_all(v);
    if (r < 0) return r;
    return v->dev.flush ? v->dev.flush(v->dev.ctx) : 0;
}

int fat_unmount(struct fat_volume *v)
{
    if (v->nodes || v->root.refs) return ERR_BUSY;
    int r = fat_sync(v);
    vol_free(v);
    return r;
}

int fat_statfs(struct fat_volume *v, struct fat_statfs *st)
{
    if (v->free_count == UINT32_MAX) {
        int r = fat_count_free(v);
        if (r < 0) return r;
    }
    st->fat_type = v->type;
    st->sector_size = v->bps;
    st->cluster_size = v->clus_bytes;
    st->total_clusters = v->clus_count;
    st->free_clusters = v->free_count;
    return 0;
}

/* Copies an 11-byte label without trailing spaces; "NO NAME" counts as none. */
static void label_copy(const uint8_t *src, char *buf, size_t size)
{
    size_t n = 11;
    while (n > 0 && src[n - 1] == ' ')
        n--;
    if (n == 7 && memcmp(src, "NO NAME", 7) == 0) n = 0;
    size_t k = size ? MIN(n, size - 1) : 0;
    for (size_t i = 0; i < k; i++)
        buf[i] = src[i] ? (char)src[i] : '_';
    if (size) buf[k] = 0;
}

int fat_label(struct fat_volume *v, char *buf, size_t size)
{
    struct dir_scan s;
    struct dir_item it;
    int r;
    dir_scan_init(&s, v->root_clus);
    while ((r = dir_next(v, &s, &it)) > 0) {
        if ((it.raw[DE_ATTR] & (FAT_ATTR_VOLUME_ID | FAT_ATTR_DIRECTORY)) == FAT_ATTR_VOLUME_ID) {
            label_copy(it.raw, buf, size);
            return 0;
        }
    }
    if (r < 0) return r;
    uint8_t lab[11];
    memset(lab, ' ', sizeof lab);
    if (v->bpb_label[0]) memcpy(lab, v->bpb_label, 11);
    label_copy(lab, buf, size);
    return 0;
}
