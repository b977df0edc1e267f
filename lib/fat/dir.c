/*
 * lib/fat/dir.c - directory entries: locating entry i of a directory,
 * scanning with long-name assembly and checks (FAT spec sections 6 and 7),
 * lookup, adding an entry set with a unique short alias, removing one, and
 * resolving paths.
 *
 * A directory is named by its first cluster; 0 is the fixed root directory
 * of FAT12/16. Positions are entry indexes, bounded by the FAT spec's limit
 * of 65536 entries per directory, so every walk of a directory's chain is
 * bounded too; a chain longer than that gives ERR_CORRUPT.
 */
#include "fat/fat_int.h"

#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"

#define TAG "fat"

/* ---- locating entries ------------------------------------------------------ */

/* The cluster holding entry idx of directory dir (a cluster directory):
 * returns 1 and *clus, 0 if the chain ends first, or an error. The chain
 * of a directory is checked whole (fat_chain_check) whenever the walk
 * moves to another directory, so a looping chain is ERR_CORRUPT at once
 * instead of the same entries over and over. */
static int dir_seek_clus(struct fat_volume *v, uint32_t dir, uint32_t idx, uint32_t *clus)
{
    uint32_t per = v->clus_bytes / DIRENT_SIZE, want = idx / per, at = 0, c = dir, len;
    if (!clus_valid(v, dir)) return ERR_CORRUPT;
    if (v->dc_dir == dir && v->dc_idx / per <= want) {
        at = v->dc_idx / per;
        c = v->dc_clus;
    } else if (v->dc_dir != dir) {
        int r = fat_chain_check(v, dir, &len);
        if (r < 0) return r;
    }
    while (at < want) {
        uint32_t next;
        int r = fat_next(v, c, &next);
        if (r < 0) return r;
        if (next == FAT_EOC) return 0;
        c = next;
        at++;
    }
    v->dc_dir = dir;
    v->dc_idx = idx;
    v->dc_clus = c;
    *clus = c;
    return 1;
}

/* The sector holding entry idx of dir: 1 and *sec, 0 past the end. */
static int dir_entry_sector(struct fat_volume *v, uint32_t dir, uint32_t idx, uint32_t *sec)
{
    if (idx >= FAT_DIR_MAX_ENTRIES) return ERR_CORRUPT;
    if (dir == 0) {
        if (v->type == 32) return ERR_CORRUPT;
        if (idx >= v->root_entries) return 0;
        *sec = v->root_start + idx / (v->bps / DIRENT_SIZE);
        return 1;
    }
    uint32_t clus;
    int r = dir_seek_clus(v, dir, idx, &clus);
    if (r <= 0) return r;
    *sec = clus_to_sec(v, clus) + (idx % (v->clus_bytes / DIRENT_SIZE)) / (v->bps / DIRENT_SIZE);
    return 1;
}

/* A pointer (into the directory window, valid until the next window use) to
 * entry idx of dir: 1, 0 past the end of the directory, or an error. A
 * caller that changes it sets v->dirwin.dirty. */
int dir_entry(struct fat_volume *v, uint32_t dir, uint32_t idx, uint8_t **ent)
{
    uint32_t sec;
    uint8_t *buf;
    int r = dir_entry_sector(v, dir, idx, &sec);
    if (r <= 0) return r;
    if ((r = win_load_dir(v, sec, &buf)) < 0) return r;
    *ent = buf + (idx % (v->bps / DIRENT_SIZE)) * DIRENT_SIZE;
    return 1;
}

/* The first cluster an entry names (the high half only on FAT32). */
uint32_t dir_first_cluster(const struct fat_volume *v, const uint8_t *raw)
{
    uint32_t lo = le16_get(raw + DE_CLUS_LO), hi = le16_get(raw + DE_CLUS_HI);
    return v->type == 32 ? (hi << 16 | lo) : lo;
}

void dir_set_first_cluster(uint8_t *raw, uint32_t clus)
{
    le16_put(raw + DE_CLUS_HI, (uint16_t)(clus >> 16));
    le16_put(raw + DE_CLUS_LO, (uint16_t)clus);
}

/* Stamps the write time and access date (and creation time if create). */
int dir_stamp(struct fat_volume *v, uint8_t *raw, bool create)
{
    uint16_t date, time;
    uint8_t tenth;
    name_time_to_fat(vol_now(v), &date, &time, &tenth);
    le16_put(raw + DE_WRT_TIME, time);
    le16_put(raw + DE_WRT_DATE, date);
    le16_put(raw + DE_ACC_DATE, date);
    if (create) {
        raw[DE_CRT_TENTH] = tenth;
        le16_put(raw + DE_CRT_TIME, time);
        le16_put(raw + DE_CRT_DATE, date);
    }
    return 0;
}

/* ---- scanning ------------------------------------------------------------------ */

void dir_scan_init(struct dir_scan *s, uint32_t dir)
{
    memset(s, 0, sizeof *s);
    s->pos.dir = dir;
}

static const uint8_t lfn_offsets[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};

/* Takes one long-name entry into the name being assembled (FAT spec 7.1):
 * the set is stored last part first, the first one flagged 0x40, ordinals
 * counting down to 1, all with the checksum of their short entry. An entry
 * that breaks the sequence drops what was assembled (an orphan, section 7.3),
 * and starts a new set if it is flagged first. */
static void lfn_take(struct dir_scan *s, const uint8_t *e, uint32_t idx)
{
    unsigned ord = e[0] & 0x1F;
    bool ok_entry = ord >= 1 && ord <= 20 && e[12] == 0 && le16_get(e + 26) == 0;
    if (ok_entry && (e[0] & 0x40)) {
        s->lfn_next = (int)ord;
        s->lfn_sum = e[13];
        s->lfn_start = idx;
        s->lfn_len = ord * 13;
        for (unsigned k = 0; k < 13; k++) {
            if (le16_get(e + lfn_offsets[k]) == 0) {
                s->lfn_len = (ord - 1) * 13 + k;
                break;
            }
        }
        if (s->lfn_len == 0 || s->lfn_len > FAT_NAME_MAX) s->lfn_next = 0;
    } else if (!ok_entry || s->lfn_next == 0 || (int)ord != s->lfn_next - 1 ||
               e[13] != s->lfn_sum) {
        s->lfn_next = 0;
        return;
    } else {
        s->lfn_next = (int)ord;
    }
    if (s->lfn_next == 0) return;
    for (unsigned k = 0; k < 13; k++) {
        unsigned at = (ord - 1) * 13 + k;
        if (at < s->lfn_len) s->lfn[at] = le16_get(e + lfn_offsets[k]);
    }
}

/*
 * The next live short entry of the scan (also labels and "."/".."), with its
 * long name if a valid set precedes it. Returns 1, 0 at the end (an entry
 * starting with 0, or the end of the chain), or an error (ERR_CORRUPT for a
 * directory past 65536 entries).
 */
int dir_next(struct fat_volume *v, struct dir_scan *s, struct dir_item *it)
{
    while (!s->ended) {
        uint32_t idx = s->pos.idx;
        uint8_t *e;
        int r = dir_entry(v, s->pos.dir, idx, &e);
        if (r < 0) return r;
        if (r == 0 || e[0] == 0) {
            s->ended = true;
            break;
        }
        s->pos.idx++;
        if (e[0] == DE_FREE) {
            s->lfn_next = 0;
            continue;
        }
        if ((e[DE_ATTR] & 0x3F) == ATTR_LFN) {
            lfn_take(s, e, idx);
            continue;
        }
        memcpy(it->raw, e, DIRENT_SIZE);
        it->ent = idx;
        it->has_lfn = s->lfn_next == 1 && name_checksum(e) == s->lfn_sum;
        s->lfn_next = 0;
        if (it->has_lfn) {
            memcpy(it->name, s->lfn, s->lfn_len * sizeof(uint16_t));
            it->name_len = s->lfn_len;
            it->first_idx = s->lfn_start;
        } else {
            it->name_len = name_short_to_u16(e, it->name);
            it->first_idx = idx;
        }
        return 1;
    }
    return 0;
}

bool dir_item_is_dot(const struct dir_item *it)
{
    return it->raw[0] == '.' && (it->raw[1] == ' ' || (it->raw[1] == '.' && it->raw[2] == ' '));
}

bool dir_item_is_label(const struct dir_item *it)
{
    return it->raw[DE_ATTR] & FAT_ATTR_VOLUME_ID;
}

/* Looks n up in dir by long name or short alias, case-insensitively.
 * Returns 1 and *it, 0 if absent, or an error. */
int dir_lookup(struct fat_volume *v, uint32_t dir, const struct fat_name *n, struct dir_item *it)
{
    struct dir_scan s;
    uint16_t alias[13];
    int r;
    dir_scan_init(&s, dir);
    while ((r = dir_next(v, &s, it)) > 0) {
        if (dir_item_is_label(it) || dir_item_is_dot(it)) continue;
        if (name_equal(it->name, it->name_len, n->u, n->len)) return 1;
        if (it->has_lfn) {
            unsigned alen = name_short_to_u16(it->raw, alias);
            if (name_equal(alias, alen, n->u, n->len)) return 1;
        }
    }
    return r;
}

/* 1 if dir holds nothing but "." and "..", 0 if it holds more, or an error. */
int dir_is_empty(struct fat_volume *v, uint32_t dir)
{
    struct dir_scan s;
    struct dir_item it;
    int r;
    dir_scan_init(&s, dir);
    while ((r = dir_next(v, &s, &it)) > 0)
        if (!dir_item_is_dot(&it) && !dir_item_is_label(&it)) return 0;
    return r < 0 ? r : 1;
}

/* ---- adding and removing -------------------------------------------------------- */

#define ALIAS_BATCH 16

/*
 * Picks a short name for n that no entry of dir uses (entries ign1 and ign2,
 * about to be removed by a rename, do not count): the basis itself when n
 * fits 8.3 (FAT spec 7.4), else the numeric-tail candidates of name_tail,
 * checked ALIAS_BATCH at a time with one scan of the directory each.
 */
static int dir_pick_alias(struct fat_volume *v, uint32_t dir, const struct fat_name *n,
                          uint32_t ign1, uint32_t ign2, uint8_t sfn[11], bool *need_lfn)
{
    uint8_t basis[11], cand[ALIAS_BATCH][11];
    bool lossy, fits;
    int lower = name_basis(n, basis, &lossy, &fits);
    *need_lfn = !fits || lower;
    for (unsigned first = fits ? 0 : 1; first < 1000000; first += ALIAS_BATCH) {
        bool used[ALIAS_BATCH] = {false};
        for (unsigned k = 0; k < ALIAS_BATCH; k++) {
            if (first + k == 0)
                memcpy(cand[k], basis, 11);
            else
                name_tail(basis, n, first + k, cand[k]);
            if (cand[k][0] == 0xE5) cand[k][0] = 0x05;
        }
        struct dir_scan s;
        struct dir_item it;
        int r;
        dir_scan_init(&s, dir);
        while ((r = dir_next(v, &s, &it)) > 0) {
            if (it.ent == ign1 || it.ent == ign2) continue;
            for (unsigned k = 0; k < ALIAS_BATCH; k++)
                if (memcmp(it.raw, cand[k], 11) == 0) used[k] = true;
        }
        if (r < 0) return r;
        for (unsigned k = 0; k < ALIAS_BATCH; k++) {
            if (!used[k]) {
                memcpy(sfn, cand[k], 11);
                if (first + k > 0) *need_lfn = true;
                return 0;
            }
        }
    }
    return ERR_EXIST;
}

/* Appends one zeroed cluster to directory dir, whose last cluster is last
 * (data, then FAT; see volume.c). */
static int dir_grow(struct fat_volume *v, uint32_t last)
{
    uint32_t c, n;
    int r = fat_find_free(v, last + 1, 1, &c, &n);
    if (r < 0) return r;
    if ((r = data_zero(v, c, 1)) < 0) return r;
    return fat_link_run(v, last, c, 1);
}

/*
 * Finds (growing the directory if needed) `slots` consecutive free entries
 * of dir; *at is the first. A set that fits in one sector is kept within one
 * sector, so that adding or removing it is one atomic sector write: a set
 * split across sectors would leave orphaned long-name parts after a crash
 * between the two writes. ERR_NOSPC when the fixed root is full or the
 * directory would pass 65536 entries.
 */
static int dir_find_slots(struct fat_volume *v, uint32_t dir, unsigned slots, uint32_t *at)
{
    uint32_t run = 0, idx = 0, per_sec = v->bps / DIRENT_SIZE;
    for (;;) {
        if (idx >= FAT_DIR_MAX_ENTRIES) return ERR_NOSPC;
        uint8_t *e;
        int r = dir_entry(v, dir, idx, &e);
        if (r < 0) return r;
        if (r == 0) {
            /* end of chain: grow by a cluster and go on counting */
            if (dir == 0) return ERR_NOSPC;
            if (idx + slots - run > FAT_DIR_MAX_ENTRIES) return ERR_NOSPC;
            uint32_t last;
            if ((r = dir_seek_clus(v, dir, idx - 1, &last)) <= 0) return r < 0 ? r : ERR_CORRUPT;
            if ((r = dir_grow(v, last)) < 0) return r;
            continue;
        }
        if (e[0] == 0 || e[0] == DE_FREE) {
            if (idx % per_sec == 0 && slots <= per_sec) run = 0; /* keep the set in one sector */
            if (++run == slots) {
                *at = idx + 1 - slots;
                return 0;
            }
        } else {
            run = 0;
        }
        idx++;
    }
}

/*
 * Prepares adding an entry named n to dir: picks its unique alias and finds
 * (growing the directory if needed) the free entries for its set. Entries
 * ign1 and ign2 (UINT32_MAX: none) are ignored for alias collisions.
 */
int dir_reserve(struct fat_volume *v, uint32_t dir, const struct fat_name *n, uint32_t ign1,
                uint32_t ign2, struct dir_slot *slot)
{
    int r = dir_pick_alias(v, dir, n, ign1, ign2, slot->sfn, &slot->need_lfn);
    if (r < 0) return r;
    slot->nlfn = slot->need_lfn ? (n->len + 12) / 13 : 0;
    return dir_find_slots(v, dir, slot->nlfn + 1, &slot->at);
}

/*
 * Writes the entry set reserved in slot: the long-name entries, then the
 * short entry `tmpl` (attributes, times, cluster, size) under the alias.
 * Returns *ent (the short entry) and *lfn_first. The entries go to the
 * directory window; the caller decides when to write it.
 */
int dir_write_set(struct fat_volume *v, uint32_t dir, const struct fat_name *n,
                  const struct dir_slot *slot, const uint8_t *tmpl, uint32_t *ent,
                  uint32_t *lfn_first)
{
    uint8_t *e;
    int r;
    /* Free end-of-directory entries skipped to keep the set in one sector
     * would end a scan before it: make them deleted entries, first. */
    for (uint32_t i = slot->at, k = 0; i-- > 0 && k < v->bps / DIRENT_SIZE; k++) {
        if ((r = dir_entry(v, dir, i, &e)) <= 0) return r < 0 ? r : ERR_CORRUPT;
        if (e[0] != 0) break;
        e[0] = DE_FREE;
        v->dirwin.dirty = true;
    }
    uint8_t sum = name_checksum(slot->sfn);
    /* The short entry first: if the set spans two sectors and only one is
     * written before a crash, a short entry without its long name is
     * harmless, long-name entries without their short entry are orphans. */
    if ((r = dir_entry(v, dir, slot->at + slot->nlfn, &e)) <= 0) return r < 0 ? r : ERR_CORRUPT;
    memcpy(e, tmpl, DIRENT_SIZE);
    memcpy(e, slot->sfn, 11); /* a leading 0xE5 was stored as 0x05 (FAT spec 6.1) */
    e[DE_NTRES] = 0;
    v->dirwin.dirty = true;
    for (unsigned i = slot->nlfn; i-- > 0;) {
        unsigned ord = slot->nlfn - i;
        if ((r = dir_entry(v, dir, slot->at + i, &e)) <= 0) return r < 0 ? r : ERR_CORRUPT;
        memset(e, 0, DIRENT_SIZE);
        e[0] = (uint8_t)(ord | (i == 0 ? 0x40 : 0));
        e[DE_ATTR] = ATTR_LFN;
        e[13] = sum;
        for (unsigned k = 0; k < 13; k++) {
            unsigned pos = (ord - 1) * 13 + k;
            uint16_t c = pos < n->len ? n->u[pos] : pos == n->len ? 0 : 0xFFFF;
            le16_put(e + lfn_offsets[k], c);
        }
        v->dirwin.dirty = true;
    }
    *ent = slot->at + slot->nlfn;
    *lfn_first = slot->at;
    return 0;
}

int dir_add(struct fat_volume *v, uint32_t dir, const struct fat_name *n, const uint8_t *tmpl,
            uint32_t *ent, uint32_t *lfn_first)
{
    struct dir_slot slot;
    int r = dir_reserve(v, dir, n, UINT32_MAX, UINT32_MAX, &slot);
    if (r < 0) return r;
    return dir_write_set(v, dir, n, &slot, tmpl, ent, lfn_first);
}

/* Marks the entries lfn_first..ent of dir free (in the window), long-name
 * entries first: a crash between two sectors leaves a short entry without its
 * long name (harmless), never orphaned long-name entries. */
int dir_remove(struct fat_volume *v, uint32_t dir, uint32_t lfn_first, uint32_t ent)
{
    for (uint32_t i = lfn_first; i <= ent; i++) {
        uint8_t *e;
        int r = dir_entry(v, dir, i, &e);
        if (r <= 0) return r < 0 ? r : ERR_CORRUPT;
        e[0] = DE_FREE;
        v->dirwin.dirty = true;
    }
    return 0;
}

/* ---- paths ---------------------------------------------------------------------- */

/* The directory an entry names, checked: ERR_CORRUPT for a directory entry
 * whose cluster is not a valid one (0 would alias the root). */
int dir_item_dir(struct fat_volume *v, const struct dir_item *it, uint32_t *dir)
{
    uint32_t c = dir_first_cluster(v, it->raw);
    if (!clus_valid(v, c)) {
        log_write(LOG_WARN, TAG, "directory entry with bad cluster %u", (unsigned)c);
        return ERR_CORRUPT;
    }
    *dir = c;
    return 0;
}

/*
 * Resolves path (see fat.h for the syntax) to its parent directory and last
 * name, and looks the last name up. For the root, name.len is 0 and found is
 * true. ERR_NOENT / ERR_NOTDIR for a missing or non-directory intermediate
 * component.
 */
int path_resolve(struct fat_volume *v, const char *path, struct fat_path *p)
{
    uint32_t cur = v->root_clus;
    const char *s = path;
    if (!s) return ERR_INVAL;
    if (*s == '/') s++;
    p->parent = cur;
    p->name.len = 0;
    p->found = true;
    if (*s == 0) return 0;
    for (;;) {
        const char *end = strchr(s, '/');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        int r = name_parse(s, len, &p->name);
        if (r < 0) return r;
        p->parent = cur;
        r = dir_lookup(v, cur, &p->name, &p->item);
        if (r < 0) return r;
        p->found = r == 1;
        if (!end) return 0;
        if (!p->found) return ERR_NOENT;
        if (!(p->item.raw[DE_ATTR] & FAT_ATTR_DIRECTORY)) return ERR_NOTDIR;
        if ((r = dir_item_dir(v, &p->item, &cur)) < 0) return r;
        s = end + 1;
    }
}

void path_stat(const struct fat_volume *v, const uint8_t *e, struct fat_stat *st)
{
    memset(st, 0, sizeof *st);
    st->attr = e[DE_ATTR];
    st->is_dir = e[DE_ATTR] & FAT_ATTR_DIRECTORY;
    st->size = st->is_dir ? 0 : le32_get(e + DE_SIZE);
    st->first_cluster = dir_first_cluster(v, e);
    st->mtime = name_fat_to_time(le16_get(e + DE_WRT_DATE), le16_get(e + DE_WRT_TIME));
    st->ctime = name_fat_to_time(le16_get(e + DE_CRT_DATE), le16_get(e + DE_CRT_TIME));
    st->atime = name_fat_to_time(le16_get(e + DE_ACC_DATE), 0);
}
