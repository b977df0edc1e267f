/*
 * lib/fat/fat_int.h - lib/fat's internal structures, shared by its files:
 * the volume with its two sector windows, open nodes, directory positions
 * and the helpers each file exports to the others.
 *
 *   volume.c  mount, device I/O, ordering barriers, windows, FAT table, FSInfo
 *   name.c    UTF-8/UTF-16, case folding, short names and checksums, times
 *   dir.c     directory entries: scanning, lookup, adding, removing, paths
 *   file.c    nodes and open files: read, write, seek, truncate, stat
 *   ops.c     namespace operations: unlink, mkdir, rmdir, rename, readdir
 */
#ifndef FAT_FAT_INT_H
#define FAT_FAT_INT_H

#include "fat/fat.h"

#include <stdbool.h>
#include <stdint.h>

#define FAT_EOC             0xFFFFFFFFu /* end-of-chain, as returned by fat_next */
#define FAT_DIR_MAX_ENTRIES 65536       /* FAT spec section 6: a directory's limit */
#define FAT_FILE_MAX        0xFFFFFFFFu
#define FAT_WIN_BYTES       4096 /* FAT window size: bounded metadata caching */
#define DIRENT_SIZE         32

/* Directory entry field offsets (FAT spec section 6). */
enum {
    DE_NAME = 0,
    DE_ATTR = 11,
    DE_NTRES = 12,
    DE_CRT_TENTH = 13,
    DE_CRT_TIME = 14,
    DE_CRT_DATE = 16,
    DE_ACC_DATE = 18,
    DE_CLUS_HI = 20,
    DE_WRT_TIME = 22,
    DE_WRT_DATE = 24,
    DE_CLUS_LO = 26,
    DE_SIZE = 28,
};
#define ATTR_LFN         0x0F
#define DE_FREE          0xE5
#define NTRES_LOWER_BASE 0x08
#define NTRES_LOWER_EXT  0x10

/* Write classes for the ordering barriers (see volume.c). */
enum { WR_DATA = 1, WR_FAT = 2, WR_DIR = 4 };

/* A cache of a few sectors: the FAT window or the directory window. */
struct fat_win {
    uint8_t *buf;
    uint32_t base; /* first sector held (absolute), UINT32_MAX when empty */
    uint32_t nsec; /* sectors held */
    uint32_t cap;  /* capacity in sectors */
    bool dirty;
};

/*
 * A file or directory that is open. One node per directory entry, shared by
 * every handle on it (refs), so that all handles see one size and chain.
 * A directory is identified by its first cluster; 0 is the fixed root of
 * FAT12/16.
 */
struct fat_node {
    struct fat_node *next;
    unsigned refs;
    bool is_root;
    uint32_t parent;    /* first cluster of the parent directory */
    uint32_t ent;       /* index of the short entry in the parent */
    uint32_t lfn_first; /* index of the first entry of its set */
    uint32_t first;     /* first cluster, 0 if none */
    uint32_t size;
    uint8_t attr;
    bool dirty;    /* size or first cluster changed: entry to be rewritten */
    bool touched;  /* written: stamp the write time when the entry is written */
    uint32_t gen;  /* bumped when the chain shrinks: invalidates cursors */
    bool chain_ok; /* the chain was walked once: no loop, no bad link */
};

struct fat_file {
    struct fat_volume *vol;
    struct fat_node *node;
    unsigned flags;
    uint32_t pos; /* FAT files are < 4 GiB */
    /* cursor: cluster number cur_clus is the file's cur_idx'th cluster */
    uint32_t cur_idx, cur_clus, cur_gen;
};

struct fat_volume {
    struct fat_blockdev dev;
    struct fat_clock clock;
    bool rdonly;
    int type;         /* 12, 16, 32 */
    uint32_t bps;     /* bytes per sector (BPB) */
    uint32_t dev_mul; /* device sectors per FAT sector */
    uint32_t spc;     /* sectors per cluster */
    uint32_t clus_bytes;
    uint32_t total_sec;
    uint32_t fat_start; /* first sector of FAT #0 */
    uint32_t fat_size;  /* sectors per FAT */
    uint32_t nfats;
    uint32_t active_fat;               /* the FAT read (ExtFlags when mirroring is off) */
    bool mirror;                       /* write every FAT copy */
    uint32_t root_start, root_entries; /* FAT12/16 fixed root */
    uint32_t root_clus;                /* FAT32 root; 0 on FAT12/16 */
    uint32_t data_start;
    uint32_t clus_count; /* data clusters: valid numbers are 2..clus_count+1 */
    uint32_t fsinfo_sec; /* 0 if none */
    uint32_t free_count; /* UINT32_MAX when unknown */
    uint32_t next_free;  /* allocation hint */
    bool fsinfo_dirty;
    unsigned written; /* WR_* classes written since the last barrier */
    struct fat_win fatwin, dirwin;
    uint8_t *scratch; /* one sector for partial data sectors */
    struct fat_node *nodes;
    struct fat_node root;
    /* cached position for dir_seek: entry dc_idx of dir dc_dir is in dc_clus */
    uint32_t dc_dir, dc_idx, dc_clus;
    char bpb_label[12];
};

/* A position in a directory. */
struct dir_pos {
    uint32_t dir; /* first cluster of the directory; 0: fixed root */
    uint32_t idx; /* entry index */
};

/* One live entry found by dir_next. */
struct dir_item {
    uint8_t raw[DIRENT_SIZE];
    uint32_t ent, first_idx;
    uint16_t name[FAT_NAME_MAX + 1];
    unsigned name_len;
    bool has_lfn;
};

struct dir_scan {
    struct dir_pos pos;
    bool ended;
    /* long name being assembled */
    uint16_t lfn[FAT_NAME_MAX + 14];
    int lfn_next; /* ordinal expected next, 0 when none in progress */
    uint8_t lfn_sum;
    uint32_t lfn_start;
    unsigned lfn_len;
};

/* A parsed path component. */
struct fat_name {
    uint16_t u[FAT_NAME_MAX + 1];
    unsigned len;
};

/* volume.c */
int vol_read(struct fat_volume *v, uint32_t sec, uint32_t count, void *buf);
int vol_write(struct fat_volume *v, unsigned cls, uint32_t sec, uint32_t count, const void *buf);
int vol_flush_dirwin(struct fat_volume *v);
int vol_order(struct fat_volume *v);
int vol_flush_meta(struct fat_volume *v);
void fsinfo_read(struct fat_volume *v);
int vol_windows_alloc(struct fat_volume *v);
void vol_free(struct fat_volume *v);
int win_load_dir(struct fat_volume *v, uint32_t sec, uint8_t **buf);
int win_invalidate_range(struct fat_volume *v, uint32_t sec, uint32_t count);
uint32_t clus_to_sec(const struct fat_volume *v, uint32_t clus);
bool clus_valid(const struct fat_volume *v, uint32_t clus);
int fat_get(struct fat_volume *v, uint32_t clus, uint32_t *val);
int fat_next(struct fat_volume *v, uint32_t clus, uint32_t *next);
int fat_chain_check(struct fat_volume *v, uint32_t first, uint32_t *len);
int fat_find_free(struct fat_volume *v, uint32_t hint, uint32_t want, uint32_t *start,
                  uint32_t *len);
int fat_link_run(struct fat_volume *v, uint32_t prev, uint32_t start, uint32_t len);
int fat_free_chain(struct fat_volume *v, uint32_t start);
int fat_cut_chain(struct fat_volume *v, uint32_t last);
int fat_count_free(struct fat_volume *v);
int data_zero(struct fat_volume *v, uint32_t clus, uint32_t nclus);

/* name.c */
int name_parse(const char *s, size_t len, struct fat_name *out);
size_t name_to_utf8(const uint16_t *u, unsigned len, char *out, size_t size);
uint16_t name_upcase(uint16_t c);
bool name_equal(const uint16_t *a, unsigned alen, const uint16_t *b, unsigned blen);
uint8_t name_checksum(const uint8_t sfn[11]);
unsigned name_short_to_u16(const uint8_t *raw, uint16_t *out);
void name_short_display(const uint8_t sfn[11], char out[13]);
int name_basis(const struct fat_name *n, uint8_t sfn[11], bool *lossy, bool *fits);
void name_tail(const uint8_t basis[11], const struct fat_name *n, unsigned k, uint8_t sfn[11]);
void name_time_to_fat(int64_t t, uint16_t *date, uint16_t *time, uint8_t *tenth);
int64_t name_fat_to_time(uint16_t date, uint16_t time);
int64_t vol_now(struct fat_volume *v);

/* dir.c */
void dir_scan_init(struct dir_scan *s, uint32_t dir);
int dir_next(struct fat_volume *v, struct dir_scan *s, struct dir_item *it);
int dir_entry(struct fat_volume *v, uint32_t dir, uint32_t idx, uint8_t **ent);
int dir_lookup(struct fat_volume *v, uint32_t dir, const struct fat_name *n, struct dir_item *it);
struct dir_slot {
    uint8_t sfn[11];
    bool need_lfn;
    unsigned nlfn;
    uint32_t at;
};
int dir_reserve(struct fat_volume *v, uint32_t dir, const struct fat_name *n, uint32_t ign1,
                uint32_t ign2, struct dir_slot *slot);
int dir_write_set(struct fat_volume *v, uint32_t dir, const struct fat_name *n,
                  const struct dir_slot *slot, const uint8_t *tmpl, uint32_t *ent,
                  uint32_t *lfn_first);
int dir_add(struct fat_volume *v, uint32_t dir, const struct fat_name *n, const uint8_t *tmpl,
            uint32_t *ent, uint32_t *lfn_first);
int dir_remove(struct fat_volume *v, uint32_t dir, uint32_t lfn_first, uint32_t ent);
int dir_is_empty(struct fat_volume *v, uint32_t dir);
uint32_t dir_first_cluster(const struct fat_volume *v, const uint8_t *raw);
void dir_set_first_cluster(uint8_t *raw, uint32_t clus);
int dir_stamp(struct fat_volume *v, uint8_t *raw, bool create);
bool dir_item_is_dot(const struct dir_item *it);
bool dir_item_is_label(const struct dir_item *it);
int dir_item_dir(struct fat_volume *v, const struct dir_item *it, uint32_t *dir);

/* The result of resolving a path: the parent directory and the last name. */
struct fat_path {
    uint32_t parent;      /* first cluster of the parent directory */
    struct fat_name name; /* last component; len 0 for the root itself */
    bool found;
    struct dir_item item; /* the entry when found */
};
int path_resolve(struct fat_volume *v, const char *path, struct fat_path *p);
void path_stat(const struct fat_volume *v, const uint8_t *raw, struct fat_stat *st);

/* file.c */
struct fat_node *node_find(struct fat_volume *v, uint32_t parent, uint32_t ent);
int node_get(struct fat_volume *v, const struct fat_path *p, struct fat_node **out);
void node_put(struct fat_volume *v, struct fat_node *n);
int node_write_entry(struct fat_volume *v, struct fat_node *n);
int node_flush_all(struct fat_volume *v);
void file_entry_template(struct fat_volume *v, uint8_t *e, uint8_t attr, uint32_t first);

#endif
