/*
 * lib/fat/volume.c - the volume layer, the floor of lib/fat: device I/O
 * with ordering barriers, the FAT and directory sector windows, FAT entry
 * access and cluster allocation, and FSInfo. It calls no other file of
 * lib/fat; mounting, sync, statfs and the label are mount.c's.
 *
 * Write ordering (crash safety)
 * -----------------------------
 * A power cut may stop the write stream at any point. The on-disk structure
 * must then be at worst "lost clusters": clusters marked used in the FAT that
 * no directory entry reaches, which fsck.fat reclaims. It must never be a
 * directory entry that reaches clusters belonging to another file (a
 * cross-link) or free clusters. So every write belongs to one of three classes
 * and the classes are ordered:
 *
 *   - Extending a file or directory: data first, then the FAT chain, then the
 *     directory entry (first cluster, size). Until the FAT is written the new
 *     clusters are free on disk and nothing points at them; until the entry
 *     is written they are a lost chain (or a chain longer than the size).
 *     Free clusters are found by reading the FAT without marking them, the
 *     data is written, and only then is the run linked (fat_find_free, then
 *     data I/O, then fat_link_run).
 *   - Freeing (unlink, rmdir, truncate, rename over a file): the directory
 *     entry is changed and written first, then the FAT entries are freed. A
 *     cut in between leaves a lost chain; the other order would leave an entry
 *     pointing at free clusters that the next allocation hands to another
 *     file.
 *   - Renaming: the old entry is removed (written) before the new one is
 *     written, so two entries never share one chain; a cut in between loses
 *     the file's name, and its clusters become a lost chain.
 *
 * The FAT window is written before the directory window whenever the latter
 * is written (vol_flush_dirwin), and data is written directly, never cached.
 * Between writes of classes that must be ordered, vol_write calls the
 * device's barrier (struct fat_blockdev): DATA after DIR (freed clusters are
 * reused only once the freeing entry is on disk), FAT after DATA or DIR, DIR
 * after DATA or FAT. A FAT sector is written to every FAT copy in turn, so a
 * cut between copies leaves them different (fsck.fat then uses the first).
 * The FSInfo free count is a hint (FAT spec section 5) and may be stale after
 * a cut.
 */
#include "fat/fat_int.h"

#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"

#define WIN_NONE UINT32_MAX
#define TAG      "fat"

/* ---- device I/O -------------------------------------------------------- */

/* Reads count volume sectors starting at sec. ERR_CORRUPT if the range lies
 * outside the volume (a bad cluster number got this far). */
int vol_read(struct fat_volume *v, uint32_t sec, uint32_t count, void *buf)
{
    if (count == 0 || sec >= v->total_sec || count > v->total_sec - sec) return ERR_CORRUPT;
    uint64_t lba = (uint64_t)sec * v->dev_mul;
    uint64_t n = (uint64_t)count * v->dev_mul;
    uint8_t *p = buf;
    while (n > 0) {
        uint32_t k = (uint32_t)MIN(n, (uint64_t)1 << 20);
        int r = v->dev.read(v->dev.ctx, lba, k, p);
        if (r < 0) return r;
        lba += k;
        n -= k;
        p += (size_t)k * v->dev.sector_size;
    }
    return 0;
}

/* Orders every write issued so far before every later write. */
static int vol_barrier(struct fat_volume *v)
{
    v->written = 0;
    return v->dev.barrier ? v->dev.barrier(v->dev.ctx) : 0;
}

/* Orders the writes issued so far before later ones, if there were any. */
int vol_order(struct fat_volume *v)
{
    return v->written ? vol_barrier(v) : 0;
}

/* Which earlier write classes a write of class cls must follow (see the
 * comment at the top of this file). */
static unsigned order_after(unsigned cls)
{
    switch (cls) {
    case WR_DATA: return WR_DIR;
    case WR_FAT: return WR_DATA | WR_DIR;
    case WR_DIR: return WR_DATA | WR_FAT;
    default: return 0;
    }
}

/* Writes count sectors of class cls (WR_*, or 0 for FSInfo, which needs no
 * order), with a barrier first when an earlier write must land before it. */
int vol_write(struct fat_volume *v, unsigned cls, uint32_t sec, uint32_t count, const void *buf)
{
    if (v->rdonly) return ERR_ROFS;
    if (count == 0 || sec >= v->total_sec || count > v->total_sec - sec) return ERR_CORRUPT;
    if (v->written & order_after(cls)) {
        int r = vol_barrier(v);
        if (r < 0) return r;
    }
    uint64_t lba = (uint64_t)sec * v->dev_mul;
    uint64_t n = (uint64_t)count * v->dev_mul;
    const uint8_t *p = buf;
    while (n > 0) {
        uint32_t k = (uint32_t)MIN(n, (uint64_t)1 << 20);
        int r = v->dev.write(v->dev.ctx, lba, k, p);
        if (r < 0) return r;
        lba += k;
        n -= k;
        p += (size_t)k * v->dev.sector_size;
    }
    v->written |= cls;
    return 0;
}

/* ---- windows ------------------------------------------------------------ */

static int fatwin_flush(struct fat_volume *v)
{
    struct fat_win *w = &v->fatwin;
    if (!w->dirty) return 0;
    for (uint32_t i = 0; i < v->nfats; i++) {
        if (!v->mirror && i != v->active_fat) continue;
        int r = vol_write(v, WR_FAT, v->fat_start + i * v->fat_size + w->base, w->nsec, w->buf);
        if (r < 0) return r;
    }
    w->dirty = false;
    return 0;
}

/* Loads the FAT window holding FAT sector rel (relative to the FAT start). */
static int fatwin_load(struct fat_volume *v, uint32_t rel)
{
    struct fat_win *w = &v->fatwin;
    if (w->base != WIN_NONE && rel >= w->base && rel < w->base + w->nsec) return 0;
    int r = fatwin_flush(v);
    if (r < 0) return r;
    uint32_t base = rel / w->cap * w->cap;
    uint32_t nsec = MIN(w->cap, v->fat_size - base);
    w->base = WIN_NONE;
    r = vol_read(v, v->fat_start + v->active_fat * v->fat_size + base, nsec, w->buf);
    if (r < 0) return r;
    w->base = base;
    w->nsec = nsec;
    return 0;
}

/* Writes the directory window, after the FAT window (ordering, see top). */
int vol_flush_dirwin(struct fat_volume *v)
{
    struct fat_win *w = &v->dirwin;
    if (!w->dirty) return 0;
    int r = fatwin_flush(v);
    if (r < 0) return r;
    r = vol_write(v, WR_DIR, w->base, 1, w->buf);
    if (r < 0) return r;
    w->dirty = false;
    return 0;
}

/* Loads directory sector sec into the directory window. */
int win_load_dir(struct fat_volume *v, uint32_t sec, uint8_t **buf)
{
    struct fat_win *w = &v->dirwin;
    if (w->base != sec) {
        int r = vol_flush_dirwin(v);
        if (r < 0) return r;
        w->base = WIN_NONE;
        r = vol_read(v, sec, 1, w->buf);
        if (r < 0) return r;
        w->base = sec;
    }
    *buf = w->buf;
    return 0;
}

/* Data I/O is about to touch sectors [sec, sec+count): write back the
 * directory window if it holds one of them, and forget it. (Only a corrupt
 * image, or a freed directory cluster being reused, gets here.) */
int win_invalidate_range(struct fat_volume *v, uint32_t sec, uint32_t count)
{
    struct fat_win *w = &v->dirwin;
    if (w->base == WIN_NONE || w->base < sec || w->base - sec >= count) return 0;
    int r = vol_flush_dirwin(v);
    if (r < 0) return r;
    w->base = WIN_NONE;
    return 0;
}

/* ---- FAT entries ---------------------------------------------------------- */

bool clus_valid(const struct fat_volume *v, uint32_t clus)
{
    return clus >= 2 && clus - 2 < v->clus_count;
}

uint32_t clus_to_sec(const struct fat_volume *v, uint32_t clus)
{
    return v->data_start + (clus - 2) * v->spc;
}

/* A pointer to byte off of the active FAT, through the window. */
static int fat_byte(struct fat_volume *v, uint32_t off, uint8_t **p)
{
    uint32_t rel = off / v->bps;
    int r = fatwin_load(v, rel);
    if (r < 0) return r;
    *p = v->fatwin.buf + (size_t)(rel - v->fatwin.base) * v->bps + off % v->bps;
    return 0;
}

/* The raw FAT entry of clus (FAT32: the low 28 bits). clus must be below
 * clus_count + 2; the BPB checks at mount make the FAT that large. */
int fat_get(struct fat_volume *v, uint32_t clus, uint32_t *val)
{
    uint8_t *p, *q;
    int r;
    if (clus >= v->clus_count + 2) return ERR_CORRUPT;
    switch (v->type) {
    case 32:
        if ((r = fat_byte(v, clus * 4, &p)) < 0) return r;
        *val = le32_get(p) & 0x0FFFFFFF;
        return 0;
    case 16:
        if ((r = fat_byte(v, clus * 2, &p)) < 0) return r;
        *val = le16_get(p);
        return 0;
    default: { /* FAT12: 1.5 bytes, possibly across a sector boundary */
        uint32_t off = clus + clus / 2;
        if ((r = fat_byte(v, off, &p)) < 0) return r;
        uint32_t lo = *p;
        if ((r = fat_byte(v, off + 1, &q)) < 0) return r;
        uint32_t w = lo | (uint32_t)*q << 8;
        *val = (clus & 1) ? w >> 4 : w & 0xFFF;
        return 0;
    }
    }
}

static int fat_set(struct fat_volume *v, uint32_t clus, uint32_t val)
{
    uint8_t *p, *q;
    int r;
    if (v->rdonly) return ERR_ROFS;
    if (clus < 2 || clus >= v->clus_count + 2) return ERR_CORRUPT;
    switch (v->type) {
    case 32:
        if ((r = fat_byte(v, clus * 4, &p)) < 0) return r;
        /* FAT spec 4.1: the high 4 bits are reserved and preserved */
        le32_put(p, (le32_get(p) & 0xF0000000) | (val & 0x0FFFFFFF));
        break;
    case 16:
        if ((r = fat_byte(v, clus * 2, &p)) < 0) return r;
        le16_put(p, (uint16_t)val);
        break;
    default: {
        uint32_t off = clus + clus / 2;
        val &= 0xFFF;
        if ((r = fat_byte(v, off, &p)) < 0) return r;
        if (clus & 1)
            *p = (uint8_t)((*p & 0x0F) | (val << 4));
        else
            *p = (uint8_t)val;
        v->fatwin.dirty = true;
        if ((r = fat_byte(v, off + 1, &q)) < 0) return r;
        if (clus & 1)
            *q = (uint8_t)(val >> 4);
        else
            *q = (uint8_t)((*q & 0xF0) | (val >> 8));
        break;
    }
    }
    v->fatwin.dirty = true;
    return 0;
}

/* The FAT sector (relative) holding the entry of clus. */
static uint32_t fat_entry_sector(const struct fat_volume *v, uint32_t clus)
{
    uint32_t off = v->type == 32 ? clus * 4 : v->type == 16 ? clus * 2 : clus + clus / 2;
    return off / v->bps;
}

static uint32_t fat_eoc_mark(const struct fat_volume *v)
{
    return v->type == 32 ? 0x0FFFFFFF : v->type == 16 ? 0xFFFF : 0xFFF;
}

/*
 * The cluster after clus in its chain: *next is a valid cluster number or
 * FAT_EOC. ERR_CORRUPT for a free, reserved, bad (FAT spec 4.1: 0xFF7,
 * 0xFFF7, 0x0FFFFFF7) or out-of-range entry, and for an invalid clus.
 */
int fat_next(struct fat_volume *v, uint32_t clus, uint32_t *next)
{
    uint32_t val;
    if (!clus_valid(v, clus)) return ERR_CORRUPT;
    int r = fat_get(v, clus, &val);
    if (r < 0) return r;
    uint32_t eoc = v->type == 32 ? 0x0FFFFFF8 : v->type == 16 ? 0xFFF8 : 0xFF8;
    if (val >= eoc) {
        *next = FAT_EOC;
        return 0;
    }
    if (!clus_valid(v, val)) {
        log_write(LOG_WARN, TAG, "cluster %u links to invalid entry 0x%x", (unsigned)clus,
                  (unsigned)val);
        return ERR_CORRUPT;
    }
    *next = val;
    return 0;
}

/*
 * Walks the chain from first to its end: *len is its cluster count.
 * ERR_CORRUPT if a link is bad, the chain loops on itself or it is longer
 * than the volume has clusters. Brent's cycle detection keeps the walk of a
 * loop to a few times its length, without memory per cluster.
 */
int fat_chain_check(struct fat_volume *v, uint32_t first, uint32_t *len)
{
    uint32_t saved = first, c = first, n = 1, power = 1, lam = 1;
    if (!clus_valid(v, first)) return ERR_CORRUPT;
    for (;;) {
        uint32_t next;
        int r = fat_next(v, c, &next);
        if (r < 0) return r;
        if (next == FAT_EOC) break;
        if (next == saved || ++n > v->clus_count) {
            log_write(LOG_WARN, TAG, "cluster chain from %u loops or is too long", (unsigned)first);
            return ERR_CORRUPT;
        }
        c = next;
        if (lam == power) { /* Brent: move the saved cluster up, double the window */
            saved = c;
            power *= 2;
            lam = 0;
        }
        lam++;
    }
    *len = n;
    return 0;
}

/*
 * Finds free clusters without marking them: *start is the first free cluster
 * at or after hint (wrapping around), *len the number of free clusters
 * following it contiguously, at most want. ERR_NOSPC if none is free.
 */
int fat_find_free(struct fat_volume *v, uint32_t hint, uint32_t want, uint32_t *start,
                  uint32_t *len)
{
    /* The free count is not trusted here: a stale FSInfo saying 0 after a
     * crash must not make the disk read-only for good. */
    if (!clus_valid(v, hint)) hint = 2;
    for (uint32_t i = 0; i < v->clus_count; i++) {
        uint32_t c = 2 + (hint - 2 + i) % v->clus_count, val;
        int r = fat_get(v, c, &val);
        if (r < 0) return r;
        if (val != 0) continue;
        uint32_t n = 1;
        while (n < want && clus_valid(v, c + n)) {
            if ((r = fat_get(v, c + n, &val)) < 0) return r;
            if (val != 0) break;
            n++;
        }
        *start = c;
        *len = n;
        return 0;
    }
    v->free_count = 0;
    return ERR_NOSPC;
}

/*
 * Marks the free run start..start+len-1 as one chain ending in EOC, then links
 * prev (if not 0) to it. The data in the run must already be written.
 */
int fat_link_run(struct fat_volume *v, uint32_t prev, uint32_t start, uint32_t len)
{
    int r;
    for (uint32_t i = 0; i < len; i++) {
        uint32_t val = i + 1 < len ? start + i + 1 : fat_eoc_mark(v);
        if ((r = fat_set(v, start + i, val)) < 0) return r;
    }
    /* A multi-sector write may be torn: unless the link and the whole run
     * share one sector, write the run before the link that reaches it. */
    uint32_t ps = fat_entry_sector(v, prev);
    if (prev && (ps != fat_entry_sector(v, start) || ps != fat_entry_sector(v, start + len - 1))) {
        if ((r = fatwin_flush(v)) < 0 || (r = vol_order(v)) < 0) return r;
    }
    if (prev && (r = fat_set(v, prev, start)) < 0) return r;
    if (v->free_count != UINT32_MAX) v->free_count = v->free_count >= len ? v->free_count - len : 0;
    v->next_free = start + len;
    v->fsinfo_dirty = true;
    return 0;
}

/*
 * Frees the chain starting at start. The directory entry that referenced it
 * must already be written (see the top of this file). Walks at most
 * clus_count links; ERR_CORRUPT on a bad link (what was freed stays freed).
 */
int fat_free_chain(struct fat_volume *v, uint32_t start)
{
    uint32_t c = start;
    v->dc_dir = UINT32_MAX; /* a freed directory cluster may be reused */
    for (uint32_t steps = 0; steps <= v->clus_count; steps++) {
        uint32_t next;
        int r = fat_next(v, c, &next);
        if (r < 0) return r;
        if ((r = fat_set(v, c, 0)) < 0) return r;
        if (v->free_count != UINT32_MAX) v->free_count++;
        v->fsinfo_dirty = true;
        if (next == FAT_EOC) return 0;
        c = next;
    }
    return ERR_CORRUPT;
}

/* Makes last the end of its chain and frees what followed it. */
int fat_cut_chain(struct fat_volume *v, uint32_t last)
{
    uint32_t next;
    int r = fat_next(v, last, &next);
    if (r < 0) return r;
    if (next == FAT_EOC) return 0;
    if ((r = fat_set(v, last, fat_eoc_mark(v))) < 0) return r;
    /* the end mark lands before the entries it cuts off are freed */
    if ((r = fatwin_flush(v)) < 0 || (r = vol_order(v)) < 0) return r;
    return fat_free_chain(v, next);
}

/* Counts free clusters by reading the whole FAT. */
int fat_count_free(struct fat_volume *v)
{
    uint32_t n = 0;
    for (uint32_t c = 2; c < v->clus_count + 2; c++) {
        uint32_t val;
        int r = fat_get(v, c, &val);
        if (r < 0) return r;
        n += val == 0;
    }
    v->free_count = n;
    return 0;
}

/* Writes zeros over nclus clusters starting at clus (new directory
 * clusters), with a bounded temporary buffer. */
int data_zero(struct fat_volume *v, uint32_t clus, uint32_t nclus)
{
    uint32_t sec = clus_to_sec(v, clus), total = nclus * v->spc;
    uint32_t chunk = MIN(total, MAX(1u, 65536 / v->bps));
    uint8_t *zero = mem_zalloc((size_t)chunk * v->bps);
    if (!zero) return ERR_NOMEM;
    int r = win_invalidate_range(v, sec, total);
    for (uint32_t done = 0; done < total && r == 0; done += chunk) {
        uint32_t k = MIN(chunk, total - done);
        r = vol_write(v, WR_DATA, sec + done, k, zero);
    }
    mem_free(zero);
    return r;
}

/* ---- FSInfo (FAT spec section 5) ----------------------------------------- */

#define FSI_LEAD  0x41615252u
#define FSI_STRUC 0x61417272u
#define FSI_TRAIL 0xAA550000u

static bool fsinfo_valid(const uint8_t *b)
{
    return le32_get(b) == FSI_LEAD && le32_get(b + 484) == FSI_STRUC &&
           le32_get(b + 508) == FSI_TRAIL;
}

void fsinfo_read(struct fat_volume *v)
{
    if (!v->fsinfo_sec || vol_read(v, v->fsinfo_sec, 1, v->scratch) < 0 ||
        !fsinfo_valid(v->scratch)) {
        v->fsinfo_sec = 0;
        return;
    }
    uint32_t fc = le32_get(v->scratch + 488), nf = le32_get(v->scratch + 492);
    if (fc <= v->clus_count) v->free_count = fc;
    if (clus_valid(v, nf)) v->next_free = nf;
}

static int fsinfo_write(struct fat_volume *v)
{
    if (!v->fsinfo_dirty || v->rdonly) return 0;
    v->fsinfo_dirty = false;
    if (!v->fsinfo_sec) return 0;
    int r = vol_read(v, v->fsinfo_sec, 1, v->scratch);
    if (r < 0) return r;
    if (!fsinfo_valid(v->scratch)) return 0;
    le32_put(v->scratch + 488, v->free_count);
    le32_put(v->scratch + 492, clus_valid(v, v->next_free) ? v->next_free : 0xFFFFFFFF);
    return vol_write(v, 0, v->fsinfo_sec, 1, v->scratch);
}

/* Writes the dirty windows and FSInfo to the device (no flush); the open
 * files' entries are file.c's (node_flush_all, which ends here). */
int vol_flush_meta(struct fat_volume *v)
{
    if (v->rdonly) return 0;
    int r = vol_flush_dirwin(v);
    if (r == 0) r = fatwin_flush(v);
    if (r == 0) r = fsinfo_write(v);
    return r;
}

/* ---- the volume's buffers ---------------------------------------------- */

/* Allocates the FAT and directory windows and the scratch sector, for a
 * volume whose BPB is parsed (v->bps set); vol_free frees them. */
int vol_windows_alloc(struct fat_volume *v)
{
    v->fatwin.cap = MAX(1u, FAT_WIN_BYTES / v->bps);
    v->fatwin.buf = mem_alloc((size_t)v->fatwin.cap * v->bps);
    v->dirwin.cap = 1;
    v->dirwin.buf = mem_alloc(v->bps);
    v->scratch = mem_alloc(v->bps);
    if (!v->fatwin.buf || !v->dirwin.buf || !v->scratch) return ERR_NOMEM;
    v->fatwin.base = v->dirwin.base = WIN_NONE;
    return 0;
}

void vol_free(struct fat_volume *v)
{
    mem_free(v->fatwin.buf);
    mem_free(v->dirwin.buf);
    mem_free(v->scratch);
    mem_free(v);
}
