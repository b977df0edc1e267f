/*
 * lib/fat/file.c - open files: the shared node of each open entry, open and
 * create, read and write in whole runs of contiguous clusters, seek,
 * truncate (shrink and zero-filling growth), stat, sync and close.
 *
 * Data never passes through a cache here: the sectors of a run of contiguous
 * clusters go to the device in one request straight from (or into) the
 * caller's buffer; only a partial first or last sector goes through the
 * volume's one-sector scratch buffer. A file's directory entry (size, first
 * cluster, times) is rewritten when it is closed or synced, after its data
 * and FAT chain (see "Write ordering" in volume.c).
 */
#include "fat/fat_int.h"

#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"

/* ---- nodes ----------------------------------------------------------------------- */

struct fat_node *node_find(struct fat_volume *v, uint32_t parent, uint32_t ent)
{
    for (struct fat_node *n = v->nodes; n; n = n->next)
        if (n->parent == parent && n->ent == ent) return n;
    return NULL;
}

/* The node of a resolved path (found, or the root), with a reference. */
int node_get(struct fat_volume *v, const struct fat_path *p, struct fat_node **out)
{
    if (p->name.len == 0) {
        v->root.refs++;
        *out = &v->root;
        return 0;
    }
    struct fat_node *n = node_find(v, p->parent, p->item.ent);
    if (!n) {
        n = mem_zalloc(sizeof *n);
        if (!n) return ERR_NOMEM;
        n->parent = p->parent;
        n->ent = p->item.ent;
        n->lfn_first = p->item.first_idx;
        n->first = dir_first_cluster(v, p->item.raw);
        n->attr = p->item.raw[DE_ATTR];
        n->size = (n->attr & FAT_ATTR_DIRECTORY) ? 0 : le32_get(p->item.raw + DE_SIZE);
        n->next = v->nodes;
        v->nodes = n;
    }
    n->refs++;
    *out = n;
    return 0;
}

void node_put(struct fat_volume *v, struct fat_node *n)
{
    if (--n->refs > 0 || n->is_root) return;
    for (struct fat_node **pp = &v->nodes; *pp; pp = &(*pp)->next) {
        if (*pp == n) {
            *pp = n->next;
            break;
        }
    }
    mem_free(n);
}

/* Rewrites n's short entry (first cluster, size, and the write time if the
 * file was written) in the directory window. */
int node_write_entry(struct fat_volume *v, struct fat_node *n)
{
    if ((!n->dirty && !n->touched) || n->is_root || v->rdonly) return 0;
    uint8_t *e;
    int r = dir_entry(v, n->parent, n->ent, &e);
    if (r <= 0) return r < 0 ? r : ERR_CORRUPT;
    if (e[0] == 0 || e[0] == DE_FREE || (e[DE_ATTR] & 0x3F) == ATTR_LFN) return ERR_CORRUPT;
    dir_set_first_cluster(e, n->first);
    le32_put(e + DE_SIZE, n->size);
    if (n->touched) {
        dir_stamp(v, e, false);
        e[DE_ATTR] |= FAT_ATTR_ARCHIVE;
        n->attr = e[DE_ATTR];
    }
    v->dirwin.dirty = true;
    n->dirty = n->touched = false;
    return 0;
}

/* Writes every open node's dirty entry, then the volume's windows and
 * FSInfo, to the device (no flush). */
int node_flush_all(struct fat_volume *v)
{
    if (v->rdonly) return 0;
    for (struct fat_node *n = v->nodes; n; n = n->next) {
        int r = node_write_entry(v, n);
        if (r < 0) return r;
    }
    return vol_flush_meta(v);
}

/* ---- cluster cursor --------------------------------------------------------------- */

/* Walks the node's chain once (a crafted image may make it loop, see
 * fat_chain_check) before anything follows or frees it. */
static int node_check_chain(struct fat_volume *v, struct fat_node *n)
{
    uint32_t len;
    if (n->chain_ok || n->first == 0) return 0;
    int r = fat_chain_check(v, n->first, &len);
    if (r == 0) n->chain_ok = true;
    return r;
}

/*
 * Finds the file's idx'th cluster. Returns 1 and *clus; 0 if the chain has
 * exactly idx clusters (then *prev is its last cluster, or 0 for an empty
 * file) so that a run can be appended; ERR_CORRUPT if it is shorter or bad.
 * Walks from the handle's cursor when it is at or before idx.
 */
static int file_locate(struct fat_file *f, uint32_t idx, uint32_t *clus, uint32_t *prev)
{
    struct fat_volume *v = f->vol;
    struct fat_node *n = f->node;
    uint32_t i = 0, c = n->first;
    *prev = 0;
    if (c == 0) return idx == 0 ? 0 : ERR_CORRUPT;
    int r = node_check_chain(v, n);
    if (r < 0) return r;
    if (f->cur_gen == n->gen && f->cur_clus && f->cur_idx <= idx) {
        i = f->cur_idx;
        c = f->cur_clus;
    }
    if (!clus_valid(v, c)) return ERR_CORRUPT;
    while (i < idx) {
        uint32_t next;
        if ((r = fat_next(v, c, &next)) < 0) return r;
        if (next == FAT_EOC) {
            f->cur_idx = i, f->cur_clus = c, f->cur_gen = n->gen;
            *prev = c;
            return i + 1 == idx ? 0 : ERR_CORRUPT;
        }
        c = next;
        if (++i > v->clus_count) return ERR_CORRUPT;
    }
    f->cur_idx = i, f->cur_clus = c, f->cur_gen = n->gen;
    *clus = c;
    return 1;
}

/* Extends the run of contiguous clusters that starts at the cursor's cluster
 * (which holds the byte at off in it) while it covers fewer than want
 * bytes. Returns the byte count of the run from off, capped at want; the
 * cursor ends on the run's last cluster. */
static long file_run(struct fat_file *f, uint32_t off, uint32_t want)
{
    struct fat_volume *v = f->vol;
    uint64_t have = v->clus_bytes - off;
    while (have < want) {
        uint32_t next;
        int r = fat_next(v, f->cur_clus, &next);
        if (r < 0) return r;
        if (next != f->cur_clus + 1) break;
        f->cur_clus = next;
        f->cur_idx++;
        have += v->clus_bytes;
    }
    return (long)MIN(have, (uint64_t)want);
}

/* ---- data I/O ------------------------------------------------------------------- */

/* Reads n bytes at byte off of the contiguous run starting at cluster clus. */
static int data_read(struct fat_volume *v, uint32_t clus, uint32_t off, uint8_t *buf, uint32_t n)
{
    uint32_t sec = clus_to_sec(v, clus) + off / v->bps, o = off % v->bps;
    int r;
    if (o || n < v->bps) {
        uint32_t k = MIN(n, v->bps - o);
        if ((r = win_invalidate_range(v, sec, 1)) < 0 || (r = vol_read(v, sec, 1, v->scratch)) < 0)
            return r;
        memcpy(buf, v->scratch + o, k);
        buf += k, n -= k, sec++;
    }
    uint32_t whole = n / v->bps;
    if (whole) {
        if ((r = win_invalidate_range(v, sec, whole)) < 0 || (r = vol_read(v, sec, whole, buf)) < 0)
            return r;
        buf += (size_t)whole * v->bps, n -= whole * v->bps, sec += whole;
    }
    if (n) {
        if ((r = win_invalidate_range(v, sec, 1)) < 0 || (r = vol_read(v, sec, 1, v->scratch)) < 0)
            return r;
        memcpy(buf, v->scratch, n);
    }
    return 0;
}

/* Writes n bytes at byte off of the run starting at clus. Partial sectors
 * are read, patched and written back, except in fresh (just found, still
 * unlinked) clusters, whose unused tail is written as zeros. */
static int data_write(struct fat_volume *v, uint32_t clus, uint32_t off, const uint8_t *buf,
                      uint32_t n, bool fresh)
{
    uint32_t sec = clus_to_sec(v, clus) + off / v->bps, o = off % v->bps;
    int r;
    while (n) {
        if (o || n < v->bps) {
            uint32_t k = MIN(n, v->bps - o);
            if ((r = win_invalidate_range(v, sec, 1)) < 0) return r;
            if (fresh)
                memset(v->scratch, 0, v->bps);
            else if ((r = vol_read(v, sec, 1, v->scratch)) < 0)
                return r;
            memcpy(v->scratch + o, buf, k);
            if ((r = vol_write(v, WR_DATA, sec, 1, v->scratch)) < 0) return r;
            buf += k, n -= k, sec++, o = 0;
            continue;
        }
        uint32_t whole = n / v->bps;
        if ((r = win_invalidate_range(v, sec, whole)) < 0 ||
            (r = vol_write(v, WR_DATA, sec, whole, buf)) < 0)
            return r;
        buf += (size_t)whole * v->bps, n -= whole * v->bps, sec += whole;
    }
    return 0;
}

/* ---- read and write -------------------------------------------------------------- */

long fat_read(struct fat_file *f, void *buf, size_t len)
{
    struct fat_volume *v = f->vol;
    struct fat_node *n = f->node;
    if (!(f->flags & FAT_O_READ)) return ERR_BADF;
    if (f->pos >= n->size || len == 0) return 0;
    uint32_t total = (uint32_t)MIN((uint64_t)len, (uint64_t)(n->size - f->pos)), done = 0;
    while (done < total) {
        uint32_t clus, prev;
        uint32_t idx = f->pos / v->clus_bytes, off = f->pos % v->clus_bytes;
        int r = file_locate(f, idx, &clus, &prev);
        if (r == 0) r = ERR_CORRUPT; /* the chain is shorter than the size */
        long run = r < 0 ? r : file_run(f, off, total - done);
        if (run >= 0)
            r = data_read(v, clus, off, (uint8_t *)buf + done, (uint32_t)run);
        else
            r = (int)run;
        if (r < 0) return done ? (long)done : r;
        done += (uint32_t)run;
        f->pos += (uint32_t)run;
    }
    return (long)done;
}

/*
 * Writes n bytes at pos (pos <= size, pos + n <= 4 GiB - 1). Existing
 * clusters are overwritten in place; past the chain's end free clusters are
 * found, written, and only then linked (see volume.c). Returns the count
 * written (short if the disk fills after some bytes) or an error.
 */
static long file_write_at(struct fat_file *f, uint32_t pos, const uint8_t *buf, uint32_t n)
{
    struct fat_volume *v = f->vol;
    struct fat_node *node = f->node;
    uint32_t done = 0;
    int r = 0;
    while (done < n) {
        uint32_t clus, prev, len, idx = pos / v->clus_bytes, off = pos % v->clus_bytes;
        long chunk;
        r = file_locate(f, idx, &clus, &prev);
        if (r < 0) break;
        if (r == 1) {
            chunk = file_run(f, off, n - done);
            if (chunk < 0) {
                r = (int)chunk;
                break;
            }
            r = data_write(v, clus, off, buf + done, (uint32_t)chunk, false);
        } else {
            if (off != 0) {
                r = ERR_CORRUPT;
                break;
            }
            uint32_t want = (n - done + v->clus_bytes - 1) / v->clus_bytes;
            r = fat_find_free(v, prev ? prev + 1 : v->next_free, want, &clus, &len);
            if (r < 0) break;
            chunk = (long)MIN((uint64_t)len * v->clus_bytes, (uint64_t)(n - done));
            r = data_write(v, clus, 0, buf + done, (uint32_t)chunk, true);
            if (r == 0) r = fat_link_run(v, prev, clus, len);
            if (r < 0) break;
            if (!prev) node->first = clus;
            f->cur_idx = idx + len - 1, f->cur_clus = clus + len - 1, f->cur_gen = node->gen;
            node->dirty = true;
        }
        if (r < 0) break;
        done += (uint32_t)chunk;
        pos += (uint32_t)chunk;
        if (pos > node->size) {
            node->size = pos;
            node->dirty = true;
        }
    }
    if (done) node->touched = true;
    return done ? (long)done : r;
}

#define ZERO_CHUNK 65536

/* Grows the file to size bytes of which the new ones read as zeros. */
static int file_grow(struct fat_file *f, uint32_t size)
{
    uint8_t *zero = mem_zalloc(ZERO_CHUNK);
    if (!zero) return ERR_NOMEM;
    int r = 0;
    while (f->node->size < size) {
        uint32_t k = MIN(size - f->node->size, (uint32_t)ZERO_CHUNK);
        long w = file_write_at(f, f->node->size, zero, k);
        if (w < 0) {
            r = (int)w;
            break;
        }
        if ((uint32_t)w < k) {
            r = ERR_NOSPC;
            break;
        }
    }
    mem_free(zero);
    return r;
}

long fat_write(struct fat_file *f, const void *buf, size_t len)
{
    struct fat_node *n = f->node;
    if (!(f->flags & FAT_O_WRITE)) return ERR_BADF;
    if (f->vol->rdonly) return ERR_ROFS;
    if (len == 0) return 0;
    if (f->flags & FAT_O_APPEND) f->pos = n->size;
    if (f->pos >= FAT_FILE_MAX) return ERR_FBIG;
    if (f->pos > n->size) {
        int r = file_grow(f, f->pos);
        if (r < 0) return r;
    }
    uint32_t k = (uint32_t)MIN((uint64_t)len, (uint64_t)(FAT_FILE_MAX - f->pos));
    long w = file_write_at(f, f->pos, buf, k);
    if (w > 0) f->pos += (uint32_t)w;
    return w;
}

int fat_seek(struct fat_file *f, int64_t off, int whence, uint64_t *pos)
{
    int64_t base;
    switch (whence) {
    case FAT_SEEK_SET: base = 0; break;
    case FAT_SEEK_CUR: base = f->pos; break;
    case FAT_SEEK_END: base = f->node->size; break;
    default: return ERR_INVAL;
    }
    if ((off > 0 && off > (int64_t)FAT_FILE_MAX - base) || base + off < 0) return ERR_INVAL;
    f->pos = (uint32_t)(base + off);
    if (pos) *pos = f->pos;
    return 0;
}

uint64_t fat_tell(const struct fat_file *f)
{
    return f->pos;
}

/*
 * Shrinks: the entry gets the new size (and cluster 0 when emptied) and is
 * written first, then the clusters past the new end are freed (volume.c:
 * freeing order). Grows: zero-filled through the write path.
 */
int fat_truncate(struct fat_file *f, uint64_t size)
{
    struct fat_volume *v = f->vol;
    struct fat_node *n = f->node;
    if (!(f->flags & FAT_O_WRITE)) return ERR_BADF;
    if (v->rdonly) return ERR_ROFS;
    if (size > FAT_FILE_MAX) return ERR_FBIG;
    if (size > n->size) return file_grow(f, (uint32_t)size);
    if (size == n->size) return 0;
    int r = node_check_chain(v, n);
    if (r < 0) return r;
    uint32_t keep = (uint32_t)((size + v->clus_bytes - 1) / v->clus_bytes), first = n->first;
    n->size = (uint32_t)size;
    if (keep == 0) n->first = 0;
    n->dirty = n->touched = true;
    n->gen++;
    r = node_write_entry(v, n);
    if (r == 0) r = vol_flush_dirwin(v);
    if (r < 0 || first == 0) return r;
    if (keep == 0) return fat_free_chain(v, first);
    uint32_t c = first;
    for (uint32_t i = 1; i < keep; i++) {
        if ((r = fat_next(v, c, &c)) < 0) return r;
        if (c == FAT_EOC) return ERR_CORRUPT;
    }
    return fat_cut_chain(v, c);
}

/* ---- open, close, stat --------------------------------------------------------------- */

/* A fresh short entry for a new file or directory (the name is added by
 * dir_add). */
void file_entry_template(struct fat_volume *v, uint8_t *e, uint8_t attr, uint32_t first)
{
    memset(e, 0, DIRENT_SIZE);
    e[DE_ATTR] = attr;
    dir_set_first_cluster(e, first);
    dir_stamp(v, e, true);
}

int fat_open(struct fat_volume *v, const char *path, unsigned flags, struct fat_file **out)
{
    struct fat_path p;
    struct fat_node *n;
    if (!(flags & FAT_O_RDWR)) return ERR_INVAL;
    if (v->rdonly && (flags & (FAT_O_WRITE | FAT_O_CREAT | FAT_O_TRUNC))) return ERR_ROFS;
    int r = path_resolve(v, path, &p);
    if (r < 0) return r;
    if (p.name.len == 0) return ERR_ISDIR;
    if (p.found) {
        if ((flags & FAT_O_CREAT) && (flags & FAT_O_EXCL)) return ERR_EXIST;
        if (p.item.raw[DE_ATTR] & FAT_ATTR_DIRECTORY) return ERR_ISDIR;
        if ((flags & FAT_O_WRITE) && (p.item.raw[DE_ATTR] & FAT_ATTR_READ_ONLY)) return ERR_ACCES;
    } else {
        if (!(flags & FAT_O_CREAT)) return ERR_NOENT;
        if (v->rdonly) return ERR_ROFS;
        uint8_t tmpl[DIRENT_SIZE];
        file_entry_template(v, tmpl, FAT_ATTR_ARCHIVE, 0);
        r = dir_add(v, p.parent, &p.name, tmpl, &p.item.ent, &p.item.first_idx);
        if (r < 0) return r;
        memcpy(p.item.raw, tmpl, DIRENT_SIZE);
    }
    struct fat_file *f = mem_zalloc(sizeof *f);
    if (!f) return ERR_NOMEM;
    if ((r = node_get(v, &p, &n)) < 0) {
        mem_free(f);
        return r;
    }
    f->vol = v;
    f->node = n;
    f->flags = flags;
    if ((flags & FAT_O_TRUNC) && (flags & FAT_O_WRITE) && n->size > 0 &&
        (r = fat_truncate(f, 0)) < 0) {
        node_put(v, n);
        mem_free(f);
        return r;
    }
    *out = f;
    return 0;
}

int fat_file_sync(struct fat_file *f)
{
    struct fat_volume *v = f->vol;
    if (v->rdonly) return 0;
    int r = node_write_entry(v, f->node);
    if (r == 0) r = node_flush_all(v);
    if (r == 0) r = v->dev.flush(v->dev.ctx);
    return r;
}

/* Closing writes the entry and the windows to the device (so the layers
 * below hold everything) but does not flush the device: fat_file_sync or
 * fat_sync does. */
int fat_close(struct fat_file *f)
{
    struct fat_volume *v = f->vol;
    int r = 0;
    if (!v->rdonly && (f->node->dirty || f->node->touched)) {
        r = node_write_entry(v, f->node);
        if (r == 0) r = node_flush_all(v);
    }
    node_put(v, f->node);
    mem_free(f);
    return r;
}

int fat_fstat(struct fat_file *f, struct fat_stat *st)
{
    struct fat_volume *v = f->vol;
    struct fat_node *n = f->node;
    uint8_t *e;
    if (n->is_root) {
        memset(st, 0, sizeof *st);
        st->is_dir = true;
        st->attr = FAT_ATTR_DIRECTORY;
        return 0;
    }
    int r = dir_entry(v, n->parent, n->ent, &e);
    if (r <= 0) return r < 0 ? r : ERR_CORRUPT;
    path_stat(v, e, st);
    st->size = n->size;
    st->first_cluster = n->first;
    return 0;
}
