/*
 * kernel/fs/fatfs.c - binds lib/fat to the VFS: the block device through
 * the buffer cache (with barriers for lib/fat's write ordering) and the wall
 * clock from the RTC.
 */
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "kernel/block/bcache.h"
#include "kernel/block/block.h"
#include "fat/fat.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/time/clock.h"

#define CACHE_SECTORS 4096 /* 2 MiB of 512-byte sectors */

struct fatfs {
    struct fat_volume *vol;
    struct bcache *cache;
    struct block_dev *dev;
};

static int dev_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
    return bcache_read(ctx, lba, count, buf);
}
static int dev_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
    return bcache_write(ctx, lba, count, buf);
}
static int dev_flush(void *ctx)
{
    return bcache_flush(ctx);
}
static int dev_barrier(void *ctx)
{
    return bcache_barrier(ctx);
}
static int64_t wall_now(void *ctx)
{
    (void)ctx;
    return (int64_t)(clock_realtime_ns() / NS_PER_SEC);
}

static void to_vfs_stat(const struct fat_stat *fs, struct vfs_stat *st)
{
    memset(st, 0, sizeof *st);
    st->size = fs->size;
    st->is_dir = fs->is_dir;
    st->read_only = fs->attr & FAT_ATTR_READ_ONLY;
    st->mtime = fs->mtime;
    st->ctime = fs->ctime;
    st->atime = fs->atime;
    st->ino = fs->first_cluster;
}

static int f_open(void *fs, const char *path, unsigned flags, void **h)
{
    unsigned ff = 0;
    if (flags & VFS_O_READ) ff |= FAT_O_READ;
    if (flags & VFS_O_WRITE) ff |= FAT_O_WRITE;
    if (flags & VFS_O_CREAT) ff |= FAT_O_CREAT;
    if (flags & VFS_O_EXCL) ff |= FAT_O_EXCL;
    if (flags & VFS_O_TRUNC) ff |= FAT_O_TRUNC;
    if (flags & VFS_O_APPEND) ff |= FAT_O_APPEND;
    if (!(ff & (FAT_O_READ | FAT_O_WRITE))) ff |= FAT_O_READ;
    return fat_open(((struct fatfs *)fs)->vol, path, ff, (struct fat_file **)h);
}

static long f_read(void *h, void *buf, size_t len)
{
    return fat_read(h, buf, len);
}
static long f_write(void *h, const void *buf, size_t len)
{
    return fat_write(h, buf, len);
}
static int f_seek(void *h, int64_t off, int whence, uint64_t *pos)
{
    return fat_seek(h, off, whence, pos);
}
static int f_truncate(void *h, uint64_t size)
{
    return fat_truncate(h, size);
}
static int f_fsync(void *h)
{
    return fat_file_sync(h);
}
static int f_close(void *h)
{
    return fat_close(h);
}

static int f_fstat(void *h, struct vfs_stat *st)
{
    struct fat_stat fs;
    int err = fat_fstat(h, &fs);
    if (err == 0) to_vfs_stat(&fs, st);
    return err;
}

static int f_stat(void *fs, const char *path, struct vfs_stat *st)
{
    struct fat_stat s;
    int err = fat_stat(((struct fatfs *)fs)->vol, path, &s);
    if (err == 0) to_vfs_stat(&s, st);
    if (err == 0 && path[0] == '\0') st->is_dir = true;
    return err;
}

static int f_set_times(void *fs, const char *path, int64_t atime, int64_t mtime, unsigned which)
{
    unsigned w = ((which & VFS_SET_ATIME) ? FAT_SET_ATIME : 0) |
                 ((which & VFS_SET_MTIME) ? FAT_SET_MTIME : 0);
    return fat_set_times(((struct fatfs *)fs)->vol, path, atime, mtime, w);
}

static int f_unlink(void *fs, const char *path)
{
    return fat_unlink(((struct fatfs *)fs)->vol, path);
}
static int f_mkdir(void *fs, const char *path)
{
    return fat_mkdir(((struct fatfs *)fs)->vol, path);
}
static int f_rmdir(void *fs, const char *path)
{
    return fat_rmdir(((struct fatfs *)fs)->vol, path);
}
static int f_rename(void *fs, const char *a, const char *b)
{
    return fat_rename(((struct fatfs *)fs)->vol, a, b);
}
static int f_opendir(void *fs, const char *path, void **d)
{
    return fat_opendir(((struct fatfs *)fs)->vol, path, (struct fat_dir **)d);
}

static int f_readdir(void *d, struct vfs_dirent *ent)
{
    struct fat_dirent *fe = kmalloc(sizeof *fe);
    if (!fe) return ERR_NOMEM;
    int r = fat_readdir(d, fe);
    if (r == 1) {
        str_copy(ent->name, fe->name, sizeof ent->name);
        to_vfs_stat(&fe->st, &ent->st);
    }
    kfree(fe);
    return r;
}

static void f_closedir(void *d)
{
    fat_closedir(d);
}
static int f_sync(void *fs)
{
    return fat_sync(((struct fatfs *)fs)->vol);
}

static int f_statfs(void *fs, struct vfs_statfs *st)
{
    struct fat_statfs s;
    int err = fat_statfs(((struct fatfs *)fs)->vol, &s);
    if (err < 0) return err;
    fmt_snprintf(st->fstype, sizeof st->fstype, "fat%d", s.fat_type);
    st->block_size = s.cluster_size;
    st->total_blocks = s.total_clusters;
    st->free_blocks = s.free_clusters;
    return 0;
}

static int f_unmount(void *fs)
{
    struct fatfs *f = fs;
    int err = fat_unmount(f->vol);
    int e2 = bcache_destroy(f->cache);
    kfree(f);
    return err < 0 ? err : e2;
}

static const struct vfs_fs_ops fat_ops = {
    .name = "fat",
    .open = f_open,
    .read = f_read,
    .write = f_write,
    .seek = f_seek,
    .truncate = f_truncate,
    .fsync = f_fsync,
    .fstat = f_fstat,
    .close = f_close,
    .stat = f_stat,
    .unlink = f_unlink,
    .mkdir = f_mkdir,
    .rmdir = f_rmdir,
    .rename = f_rename,
    .set_times = f_set_times,
    .opendir = f_opendir,
    .readdir = f_readdir,
    .closedir = f_closedir,
    .sync = f_sync,
    .statfs = f_statfs,
    .unmount = f_unmount,
};

int fatfs_probe(struct block_dev *dev, const struct vfs_fs_ops **ops, void **out)
{
    struct fatfs *f = kzalloc(sizeof *f);
    if (!f) return ERR_NOMEM;
    f->dev = dev;
    f->cache = bcache_create(dev, CACHE_SECTORS * 512 / dev->sector_size);
    if (!f->cache) {
        kfree(f);
        return ERR_NOMEM;
    }
    struct fat_blockdev bd = {f->cache,    dev_read,         dev_write,        dev_flush,
                              dev_barrier, dev->sector_size, dev->sector_count};
    struct fat_clock clk = {NULL, wall_now};
    int err = fat_mount(&bd, &clk, dev->read_only ? FAT_MOUNT_RDONLY : 0, &f->vol);
    if (err < 0) {
        bcache_destroy(f->cache);
        kfree(f);
        return err;
    }
    *ops = &fat_ops;
    *out = f;
    return 0;
}
