/*
 * lib/fat/ops.c - namespace operations on paths: stat, unlink, mkdir, rmdir,
 * rename, and directory iteration. Each follows the write ordering of
 * volume.c: entries are removed and written before clusters are freed, new
 * directory clusters are written before they are linked, and the linked
 * chain before the entry that names it.
 */
#include "fat/fat_int.h"

#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"

struct fat_dir {
    struct fat_volume *vol;
    struct fat_node *node;
    struct dir_scan scan;
};

/* Fills st from an entry, or from its open node when one exists (the node's
 * size and chain are newer than the entry's until it is written). */
static void item_stat(struct fat_volume *v, uint32_t parent, const struct dir_item *it,
                      struct fat_stat *st)
{
    path_stat(v, it->raw, st);
    struct fat_node *n = node_find(v, parent, it->ent);
    if (n && !st->is_dir) {
        st->size = n->size;
        st->first_cluster = n->first;
    }
}

static void root_stat(struct fat_stat *st)
{
    memset(st, 0, sizeof *st);
    st->is_dir = true;
    st->attr = FAT_ATTR_DIRECTORY;
}

int fat_stat(struct fat_volume *v, const char *path, struct fat_stat *st)
{
    struct fat_path p;
    int r = path_resolve(v, path, &p);
    if (r < 0) return r;
    if (p.name.len == 0) {
        root_stat(st);
        st->first_cluster = v->root_clus;
        return 0;
    }
    if (!p.found) return ERR_NOENT;
    item_stat(v, p.parent, &p.item, st);
    return 0;
}

/* Removes the entry set of a resolved path, writes the directory (and so the
 * FAT before it), then frees the chain: the freeing order of volume.c. */
static int remove_and_free(struct fat_volume *v, const struct fat_path *p)
{
    uint32_t first = dir_first_cluster(v, p->item.raw);
    int r = dir_remove(v, p->parent, p->item.first_idx, p->item.ent);
    if (r == 0) r = vol_flush_dirwin(v);
    if (r == 0 && clus_valid(v, first)) r = fat_free_chain(v, first);
    return r;
}

int fat_unlink(struct fat_volume *v, const char *path)
{
    struct fat_path p;
    int r = path_resolve(v, path, &p);
    if (r < 0) return r;
    if (p.name.len == 0) return ERR_ISDIR;
    if (!p.found) return ERR_NOENT;
    if (p.item.raw[DE_ATTR] & FAT_ATTR_DIRECTORY) return ERR_ISDIR;
    if (v->rdonly) return ERR_ROFS;
    if (node_find(v, p.parent, p.item.ent)) return ERR_BUSY;
    return remove_and_free(v, &p);
}

/* The first sector of a new directory: "." and ".." (FAT spec section 6.7;
 * ".." of a directory in the root names cluster 0). */
static void dir_dots(struct fat_volume *v, uint8_t *sec, uint32_t self, uint32_t parent)
{
    memset(sec, 0, v->bps);
    file_entry_template(v, sec, FAT_ATTR_DIRECTORY, self);
    memset(sec, ' ', 11);
    sec[0] = '.';
    file_entry_template(v, sec + DIRENT_SIZE, FAT_ATTR_DIRECTORY,
                        parent == v->root_clus ? 0 : parent);
    memset(sec + DIRENT_SIZE, ' ', 11);
    sec[DIRENT_SIZE] = sec[DIRENT_SIZE + 1] = '.';
}

int fat_mkdir(struct fat_volume *v, const char *path)
{
    struct fat_path p;
    uint32_t c, len, ent, lfn_first;
    uint8_t tmpl[DIRENT_SIZE];
    int r = path_resolve(v, path, &p);
    if (r < 0) return r;
    if (p.name.len == 0 || p.found) return ERR_EXIST;
    if (v->rdonly) return ERR_ROFS;
    if ((r = fat_find_free(v, v->next_free, 1, &c, &len)) < 0) return r;
    /* data (the zeroed cluster with its dots), then FAT, then the entry */
    if ((r = data_zero(v, c, 1)) < 0) return r;
    dir_dots(v, v->scratch, c, p.parent);
    if ((r = vol_write(v, WR_DATA, clus_to_sec(v, c), 1, v->scratch)) < 0) return r;
    if ((r = fat_link_run(v, 0, c, 1)) < 0) return r;
    file_entry_template(v, tmpl, FAT_ATTR_DIRECTORY, c);
    r = dir_add(v, p.parent, &p.name, tmpl, &ent, &lfn_first);
    if (r < 0) fat_free_chain(v, c); /* nothing names it yet */
    return r;
}

int fat_rmdir(struct fat_volume *v, const char *path)
{
    struct fat_path p;
    uint32_t dir;
    int r = path_resolve(v, path, &p);
    if (r < 0) return r;
    if (p.name.len == 0) return ERR_BUSY;
    if (!p.found) return ERR_NOENT;
    if (!(p.item.raw[DE_ATTR] & FAT_ATTR_DIRECTORY)) return ERR_NOTDIR;
    if ((r = dir_item_dir(v, &p.item, &dir)) < 0) return r;
    if (v->rdonly) return ERR_ROFS;
    if (node_find(v, p.parent, p.item.ent)) return ERR_BUSY;
    if ((r = dir_is_empty(v, dir)) <= 0) return r < 0 ? r : ERR_NOTEMPTY;
    return remove_and_free(v, &p);
}

/* 1 if directory dir is target or lies below it, found by following ".."
 * entries up to the root (at most clus_count steps). */
static int dir_is_within(struct fat_volume *v, uint32_t dir, uint32_t target)
{
    for (uint32_t steps = 0; steps <= v->clus_count; steps++) {
        if (dir == target) return 1;
        if (dir == v->root_clus) return 0;
        uint8_t *e;
        int r = dir_entry(v, dir, 1, &e);
        if (r <= 0) return r < 0 ? r : ERR_CORRUPT;
        if (memcmp(e, "..         ", 11) != 0) return ERR_CORRUPT;
        uint32_t up = dir_first_cluster(v, e);
        dir = up == 0 ? v->root_clus : up;
        if (dir != v->root_clus && !clus_valid(v, dir)) return ERR_CORRUPT;
    }
    return ERR_CORRUPT;
}

/* Points the ".." entry of directory dir at parent. */
static int dir_set_dotdot(struct fat_volume *v, uint32_t dir, uint32_t parent)
{
    uint8_t *e;
    int r = dir_entry(v, dir, 1, &e);
    if (r <= 0) return r < 0 ? r : ERR_CORRUPT;
    if (memcmp(e, "..         ", 11) != 0) return ERR_CORRUPT;
    dir_set_first_cluster(e, parent == v->root_clus ? 0 : parent);
    v->dirwin.dirty = true;
    return 0;
}

/* Checks a rename's replace rules (fat.h); sets *replace when `to` is an
 * entry to be replaced. */
static int rename_check(struct fat_volume *v, const struct fat_path *ps, const struct fat_path *pd,
                        bool same, bool *replace)
{
    bool src_dir = ps->item.raw[DE_ATTR] & FAT_ATTR_DIRECTORY;
    int r;
    *replace = pd->found && !same;
    if (src_dir) {
        uint32_t sdir;
        if ((r = dir_item_dir(v, &ps->item, &sdir)) < 0) return r;
        if ((r = dir_is_within(v, pd->parent, sdir)) != 0) return r < 0 ? r : ERR_INVAL;
        /* a moved directory's ".." is rewritten: check it before changing anything */
        uint8_t *e;
        if (ps->parent != pd->parent) {
            if ((r = dir_entry(v, sdir, 1, &e)) <= 0) return r < 0 ? r : ERR_CORRUPT;
            if (memcmp(e, "..         ", 11) != 0) return ERR_CORRUPT;
        }
    }
    if (!*replace) return 0;
    bool dst_dir = pd->item.raw[DE_ATTR] & FAT_ATTR_DIRECTORY;
    if (!src_dir && dst_dir) return ERR_ISDIR;
    if (src_dir && !dst_dir) return ERR_NOTDIR;
    if (node_find(v, pd->parent, pd->item.ent)) return ERR_BUSY;
    if (dst_dir) {
        uint32_t ddir;
        if ((r = dir_item_dir(v, &pd->item, &ddir)) < 0) return r;
        if ((r = dir_is_empty(v, ddir)) <= 0) return r < 0 ? r : ERR_NOTEMPTY;
    }
    return 0;
}

/*
 * The crash-safe sequence (volume.c): make room for the new entry set first
 * (so running out of space fails before anything is removed), remove the old
 * entry set and the replaced one, fix ".." of a moved directory, write those
 * sectors, then write the new set, then free the replaced entry's chain. A
 * cut in between leaves the moved chain unnamed (lost clusters), never named
 * twice.
 */
static int rename_apply(struct fat_volume *v, const struct fat_path *ps, const struct fat_path *pd,
                        bool same, bool replace)
{
    struct dir_slot slot;
    uint8_t tmpl[DIRENT_SIZE];
    uint32_t ent, lfn_first, dst_first = dir_first_cluster(v, pd->item.raw);
    bool src_dir = ps->item.raw[DE_ATTR] & FAT_ATTR_DIRECTORY;
    uint32_t ign1 = (ps->parent == pd->parent) ? ps->item.ent : UINT32_MAX;
    uint32_t ign2 = replace ? pd->item.ent : UINT32_MAX;
    int r = dir_reserve(v, pd->parent, &pd->name, ign1, ign2, &slot);
    if (r < 0) return r;
    memcpy(tmpl, ps->item.raw, DIRENT_SIZE);
    struct fat_node *n = node_find(v, ps->parent, ps->item.ent);
    if (n) {
        dir_set_first_cluster(tmpl, n->first);
        le32_put(tmpl + DE_SIZE, n->size);
    }
    if ((r = dir_remove(v, ps->parent, ps->item.first_idx, ps->item.ent)) < 0) return r;
    if (replace && (r = dir_remove(v, pd->parent, pd->item.first_idx, pd->item.ent)) < 0) return r;
    if (src_dir && ps->parent != pd->parent &&
        (r = dir_set_dotdot(v, dir_first_cluster(v, ps->item.raw), pd->parent)) < 0)
        return r;
    if ((r = vol_flush_dirwin(v)) < 0 || (r = vol_order(v)) < 0) return r;
    if ((r = dir_write_set(v, pd->parent, &pd->name, &slot, tmpl, &ent, &lfn_first)) < 0) return r;
    if ((r = vol_flush_dirwin(v)) < 0) return r;
    if (n) {
        n->parent = pd->parent;
        n->ent = ent;
        n->lfn_first = lfn_first;
    }
    (void)same;
    if (replace && clus_valid(v, dst_first)) return fat_free_chain(v, dst_first);
    return 0;
}

int fat_rename(struct fat_volume *v, const char *from, const char *to)
{
    struct fat_path *ps = mem_alloc(2 * sizeof *ps), *pd;
    bool same, replace;
    if (!ps) return ERR_NOMEM;
    pd = ps + 1;
    int r = path_resolve(v, from, ps);
    if (r == 0) r = path_resolve(v, to, pd);
    if (r < 0) goto out;
    if (ps->name.len == 0 || pd->name.len == 0) {
        r = ERR_BUSY;
        goto out;
    }
    if (!ps->found) {
        r = ERR_NOENT;
        goto out;
    }
    if (v->rdonly) {
        r = ERR_ROFS;
        goto out;
    }
    same = pd->found && pd->parent == ps->parent && pd->item.ent == ps->item.ent;
    if (same && pd->name.len == ps->item.name_len &&
        memcmp(pd->name.u, ps->item.name, pd->name.len * sizeof(uint16_t)) == 0) {
        r = 0; /* the same entry, spelt the same */
        goto out;
    }
    if ((r = rename_check(v, ps, pd, same, &replace)) == 0)
        r = rename_apply(v, ps, pd, same, replace);
out:
    mem_free(ps);
    return r;
}

/* ---- directory iteration --------------------------------------------------------- */

int fat_opendir(struct fat_volume *v, const char *path, struct fat_dir **out)
{
    struct fat_path p;
    uint32_t dir = v->root_clus;
    int r = path_resolve(v, path, &p);
    if (r < 0) return r;
    if (p.name.len != 0) {
        if (!p.found) return ERR_NOENT;
        if (!(p.item.raw[DE_ATTR] & FAT_ATTR_DIRECTORY)) return ERR_NOTDIR;
        if ((r = dir_item_dir(v, &p.item, &dir)) < 0) return r;
    }
    struct fat_dir *d = mem_zalloc(sizeof *d);
    if (!d) return ERR_NOMEM;
    if ((r = node_get(v, &p, &d->node)) < 0) {
        mem_free(d);
        return r;
    }
    d->vol = v;
    dir_scan_init(&d->scan, dir);
    *out = d;
    return 0;
}

int fat_readdir(struct fat_dir *d, struct fat_dirent *ent)
{
    struct dir_item it;
    int r;
    while ((r = dir_next(d->vol, &d->scan, &it)) > 0) {
        if (dir_item_is_dot(&it) || dir_item_is_label(&it)) continue;
        name_to_utf8(it.name, it.name_len, ent->name, sizeof ent->name);
        name_short_display(it.raw, ent->short_name);
        item_stat(d->vol, d->scan.pos.dir, &it, &ent->st);
        return 1;
    }
    return r;
}

void fat_closedir(struct fat_dir *d)
{
    node_put(d->vol, d->node);
    mem_free(d);
}

int fat_set_times(struct fat_volume *v, const char *path, int64_t atime, int64_t mtime,
                  unsigned which)
{
    if (v->rdonly) return ERR_ROFS;
    struct fat_path p;
    int r = path_resolve(v, path, &p);
    if (r < 0) return r;
    if (p.name.len == 0) return ERR_NOTSUP;
    if (!p.found) return ERR_NOENT;
    /* An open handle's pending entry update goes first, so that it does
     * not stamp over the times set here. */
    struct fat_node *n = node_find(v, p.parent, p.item.ent);
    if (n && (r = node_write_entry(v, n)) < 0) return r;
    uint8_t *e;
    r = dir_entry(v, p.parent, p.item.ent, &e);
    if (r <= 0) return r < 0 ? r : ERR_CORRUPT;
    uint16_t date, time;
    uint8_t tenth;
    if (which & FAT_SET_MTIME) {
        name_time_to_fat(mtime, &date, &time, &tenth);
        le16_put(e + DE_WRT_TIME, time);
        le16_put(e + DE_WRT_DATE, date);
    }
    if (which & FAT_SET_ATIME) {
        name_time_to_fat(atime, &date, &time, &tenth);
        le16_put(e + DE_ACC_DATE, date);
    }
    v->dirwin.dirty = true;
    return vol_flush_dirwin(v);
}
