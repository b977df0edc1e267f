/*
 * lib/fat/fat.h - KPIO's FAT filesystem library: the public interface.
 *
 * Reads FAT12, FAT16 and FAT32 and writes all three (Microsoft "FAT: General
 * Overview of On-Disk Format", v1.03, referred to below as "the FAT spec"),
 * with VFAT long file names. The library is freestanding and sans-IO: it
 * reaches the disk only through the struct fat_blockdev its caller passes in
 * and the time only through struct fat_clock. It has no globals; any number
 * of volumes may be mounted at once. It is NOT thread-safe: the caller (the
 * kernel's VFS) holds one lock per volume around every call.
 *
 * Paths are relative to the volume root, UTF-8, components separated by '/'.
 * A leading '/' is ignored and "" names the root. Empty components ("a//b"),
 * "." and ".." (the VFS resolves those), names ending in ' ' or '.', control
 * characters and any of  " * : < > ? \ |  are refused with ERR_INVAL; a
 * component longer than 255 UTF-16 units with ERR_NAMETOOLONG. Lookups are
 * case-insensitive (ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
 * letters), names are stored case-preserving.
 *
 * Errors are negative ERR_* values from base/error.h. Corrupt on-disk data
 * (bad BPB, out-of-range or looping cluster chains, directories longer than
 * the FAT spec's 65536 entries) gives ERR_CORRUPT; every chain walk is bounded
 * by the volume's cluster count. Orphaned or damaged long-name entries are
 * ignored and the short name used, as the FAT spec (section 7) prescribes.
 *
 * Crash safety: see the comment "Write ordering" in volume.c. In short, a power
 * cut at any moment leaves at worst lost clusters (and a stale FSInfo free
 * count, FAT copies that differ, or a chain longer than the file size), which
 * `fsck.fat -a` repairs. This assumes single-sector writes are atomic; it
 * holds for FAT16 and FAT32, not for FAT12, whose 12-bit entries can straddle
 * two sectors.
 *
 * Memory: per volume a 4 KiB FAT window, one directory sector, one scratch
 * sector and a small node per open file or directory; nothing grows with file
 * sizes. Stack use stays below about 4 KiB per call.
 */
#ifndef FAT_FAT_H
#define FAT_FAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The block device, like FatFs's diskio. All callbacks return 0 or a
 * negative ERR_* (ERR_IO for a device error). `count` sectors of
 * `sector_size` bytes are transferred at once: lib/fat hands whole runs of
 * contiguous clusters over in a single call, so count can be large.
 *
 * flush:   make every completed write durable (called by fat_sync, fat_close,
 *          fat_file_sync and fat_unmount). Required for a writable mount.
 * barrier: optional. Writes issued before it must reach the medium before any
 *          write issued after it (it need not wait). lib/fat calls it between
 *          writes of data, FAT and directory sectors whose order matters for
 *          crash safety. NULL means the device keeps issue order by itself
 *          (a synchronous device); a write-back cache that may reorder must
 *          provide it (a flush is a valid, if slow, barrier).
 */
struct fat_blockdev {
    void *ctx;
    int (*read)(void *ctx, uint64_t lba, uint32_t count, void *buf);
    int (*write)(void *ctx, uint64_t lba, uint32_t count, const void *buf);
    int (*flush)(void *ctx);
    int (*barrier)(void *ctx);
    uint32_t sector_size;  /* 512 or 4096 (any power of two 512..4096) */
    uint64_t sector_count; /* device size in sectors of sector_size */
};

/*
 * The wall clock: seconds since 1970-01-01 00:00:00 UTC. FAT stores local
 * time without a zone; lib/fat stores and reports this value as is (so the
 * on-disk times are UTC), clamped to FAT's range 1980-01-01 .. 2107-12-31.
 * A NULL clock (or callback) stamps 1980-01-01 00:00:00.
 */
struct fat_clock {
    void *ctx;
    int64_t (*now)(void *ctx);
};

struct fat_volume;
struct fat_file;
struct fat_dir;

enum { FAT_MOUNT_RDONLY = 1 };

enum {
    FAT_O_READ = 1,
    FAT_O_WRITE = 2,
    FAT_O_RDWR = 3,
    FAT_O_CREAT = 4,   /* create if missing */
    FAT_O_EXCL = 8,    /* with CREAT: fail with ERR_EXIST if it exists */
    FAT_O_TRUNC = 16,  /* with WRITE: truncate to 0 on open */
    FAT_O_APPEND = 32, /* every write goes to the current end of file */
};

enum { FAT_SEEK_SET = 0, FAT_SEEK_CUR = 1, FAT_SEEK_END = 2 };

/* Directory entry attributes (FAT spec section 6). */
enum {
    FAT_ATTR_READ_ONLY = 0x01,
    FAT_ATTR_HIDDEN = 0x02,
    FAT_ATTR_SYSTEM = 0x04,
    FAT_ATTR_VOLUME_ID = 0x08,
    FAT_ATTR_DIRECTORY = 0x10,
    FAT_ATTR_ARCHIVE = 0x20,
};

#define FAT_NAME_MAX      255 /* UTF-16 units in a long name */
#define FAT_NAME_UTF8_MAX 766 /* bytes of a long name in UTF-8, with the NUL */

struct fat_stat {
    uint64_t size; /* bytes (0 for directories) */
    uint8_t attr;  /* FAT_ATTR_* */
    bool is_dir;
    int64_t mtime; /* seconds since the epoch (see struct fat_clock); 0 if unset */
    int64_t ctime; /* creation time */
    int64_t atime; /* last access date at 00:00 */
    uint32_t first_cluster;
};

struct fat_dirent {
    char name[FAT_NAME_UTF8_MAX]; /* long name, or the short name if none */
    char short_name[13];          /* "NAME.EXT" as on disk (OEM bytes, CP437) */
    struct fat_stat st;
};

struct fat_statfs {
    int fat_type;            /* 12, 16 or 32 */
    uint32_t sector_size;    /* bytes per FAT sector (BPB_BytsPerSec) */
    uint32_t cluster_size;   /* bytes per cluster */
    uint32_t total_clusters; /* data clusters */
    uint32_t free_clusters;
};

/*
 * Mounts the volume at LBA 0 of dev. The FAT type follows from the cluster
 * count alone (FAT spec section 3.5). The BPB sector size must be a multiple
 * of dev->sector_size. Returns 0 and *out, or ERR_CORRUPT for a bad BPB (the
 * log says which field), ERR_NOTSUP for a valid but unsupported layout,
 * ERR_NOMEM, ERR_IO. The blockdev and clock structs are copied.
 */
int fat_mount(const struct fat_blockdev *dev, const struct fat_clock *clock, unsigned flags,
              struct fat_volume **out);

/* Writes everything back (fat_sync), then frees the volume. Open files and
 * directories must have been closed (ERR_BUSY otherwise, nothing freed). The
 * volume is freed even when the final sync fails; that error is returned. */
int fat_unmount(struct fat_volume *vol);

/* Writes every dirty directory entry, FAT sector and FSInfo, then flushes the
 * device. */
int fat_sync(struct fat_volume *vol);

/* Volume geometry and free space (counts free clusters once if unknown). */
int fat_statfs(struct fat_volume *vol, struct fat_statfs *st);

/* The volume label (root directory label entry, else the BPB's), trailing
 * spaces removed, "" if none or "NO NAME". */
int fat_label(struct fat_volume *vol, char *buf, size_t size);

/*
 * Opens (and with FAT_O_CREAT creates) a regular file. FAT_O_READ and/or
 * FAT_O_WRITE must be given. Errors: ERR_NOENT, ERR_EXIST (CREAT|EXCL),
 * ERR_ISDIR (a directory), ERR_NOTDIR (a parent is a file), ERR_ACCES (write
 * to a read-only file), ERR_ROFS, ERR_NOSPC, ERR_INVAL, ERR_NAMETOOLONG.
 */
int fat_open(struct fat_volume *vol, const char *path, unsigned flags, struct fat_file **out);

/* Reads up to len bytes at the position; returns the count (0 at EOF). */
long fat_read(struct fat_file *f, void *buf, size_t len);

/* Writes len bytes at the position (at EOF with FAT_O_APPEND), zero-filling
 * any gap when the position is past EOF. Returns len, a short count when the
 * disk fills or the 4 GiB - 1 limit is hit after some bytes, or an error
 * (ERR_NOSPC, ERR_FBIG, ERR_BADF when not opened for writing). */
long fat_write(struct fat_file *f, const void *buf, size_t len);

/* Moves the position; a position past EOF is allowed. ERR_INVAL if the
 * result would be negative or above 4 GiB - 1. */
int fat_seek(struct fat_file *f, int64_t off, int whence, uint64_t *pos);
uint64_t fat_tell(const struct fat_file *f);

/* Sets the size: shrinking frees clusters, growing fills with zeros. */
int fat_truncate(struct fat_file *f, uint64_t size);

/* Writes the file's directory entry and flushes the device. */
int fat_file_sync(struct fat_file *f);
int fat_fstat(struct fat_file *f, struct fat_stat *st);

/* Writes the directory entry if it changed and pushes lib/fat's windows to
 * the device (no device flush: fat_file_sync or fat_sync make it durable),
 * then frees the handle (also when writing fails; that error is returned). */
int fat_close(struct fat_file *f);

int fat_stat(struct fat_volume *vol, const char *path, struct fat_stat *st);

/* Removes a file. ERR_ISDIR for a directory; ERR_BUSY while it is open. */
int fat_unlink(struct fat_volume *vol, const char *path);

int fat_mkdir(struct fat_volume *vol, const char *path);

/* Removes an empty directory: ERR_NOTEMPTY if not empty, ERR_NOTDIR for a
 * file, ERR_BUSY for the root or an open directory. */
int fat_rmdir(struct fat_volume *vol, const char *path);

/*
 * Renames or moves a file or directory, also across directories. Rules, as
 * POSIX rename(2): an existing file at `to` is replaced by a file; an existing
 * directory at `to` is replaced by a directory only if it is empty
 * (ERR_NOTEMPTY otherwise); file onto directory gives ERR_ISDIR, directory
 * onto file ERR_NOTDIR; moving a directory into its own subtree gives
 * ERR_INVAL; renaming onto itself (same entry, same spelling) does nothing; a
 * name differing only in case renames in place. ERR_BUSY if the replaced
 * entry is open. Open handles of the moved entry stay valid.
 */
int fat_rename(struct fat_volume *vol, const char *from, const char *to);

/* Sets the entry's write time to mtime and its access date to atime's day
 * (seconds as struct fat_clock counts them; FAT keeps the write time to 2
 * s and the access date only), each only when FAT_SET_MTIME / FAT_SET_ATIME
 * is in which. An open handle that writes later stamps its own write time
 * again. ERR_NOTSUP for the root directory (it has no entry), ERR_ROFS on a
 * read-only volume. */
enum { FAT_SET_ATIME = 1 << 0, FAT_SET_MTIME = 1 << 1 };
int fat_set_times(struct fat_volume *vol, const char *path, int64_t atime, int64_t mtime,
                  unsigned which);

/* Directory iteration; "." and ".." and the volume label are not returned. */
int fat_opendir(struct fat_volume *vol, const char *path, struct fat_dir **out);
/* Returns 1 and fills *ent, 0 at the end, or an error. */
int fat_readdir(struct fat_dir *dir, struct fat_dirent *ent);
void fat_closedir(struct fat_dir *dir);

#endif
