/*
 * kernel/fs/vfs.h - the virtual filesystem: a mount table, path
 * resolution and open files. Descriptors are not the kernel's: each app's
 * lib/wasi context numbers the files it opened (lib/wasi/ctx.c).
 *
 * Paths are absolute after vfs_resolve: "." and ".." are folded, repeated
 * slashes collapse, ".." at "/" stays at "/"; a ".." after, or a trailing
 * slash on, a name that is not a directory is ERR_NOTDIR (lib/vfs/path.h
 * has the rules and limits). A path belongs to the mount with the longest
 * matching prefix, which receives the rest relative to its root. Every
 * call returns 0 (or a count) or a negative ERR_*.
 */
#ifndef FS_VFS_H
#define FS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/sched/waitq.h"

#define VFS_PATH_MAX 1024
#define VFS_NAME_MAX 766

enum {
    VFS_O_READ = 1,
    VFS_O_WRITE = 2,
    VFS_O_RDWR = 3,
    VFS_O_CREAT = 4,
    VFS_O_EXCL = 8,
    VFS_O_TRUNC = 16,
    VFS_O_APPEND = 32,
    VFS_O_DIRECTORY = 64, /* open a directory (for readdir and stat) */
};

enum { VFS_SEEK_SET = 0, VFS_SEEK_CUR = 1, VFS_SEEK_END = 2 };

struct vfs_stat {
    uint64_t size;
    bool is_dir;
    bool read_only;
    int64_t mtime, ctime, atime; /* seconds since the epoch */
    uint64_t ino;                /* unique within the mount while it exists */
    uint32_t dev;                /* mount index */
};

struct vfs_dirent {
    char name[VFS_NAME_MAX];
    struct vfs_stat st;
};

struct vfs_statfs {
    char fstype[8];
    uint64_t block_size, total_blocks, free_blocks;
};

struct mount;
struct file;

/* A filesystem driver. Paths are relative to the mount root, no leading
 * slash; "" is the root. Handles are the driver's own. */
struct vfs_fs_ops {
    const char *name;
    int (*open)(void *fs, const char *path, unsigned flags, void **h);
    long (*read)(void *h, void *buf, size_t len);
    long (*write)(void *h, const void *buf, size_t len);
    int (*seek)(void *h, int64_t off, int whence, uint64_t *pos);
    int (*truncate)(void *h, uint64_t size);
    int (*fsync)(void *h);
    int (*fstat)(void *h, struct vfs_stat *st);
    int (*close)(void *h);
    int (*stat)(void *fs, const char *path, struct vfs_stat *st);
    int (*unlink)(void *fs, const char *path);
    int (*mkdir)(void *fs, const char *path);
    int (*rmdir)(void *fs, const char *path);
    int (*rename)(void *fs, const char *from, const char *to);
    /* Times in seconds since the epoch, each set when its VFS_SET_* flag is
     * in which (optional: ERR_NOTSUP without it). */
    int (*set_times)(void *fs, const char *path, int64_t atime, int64_t mtime, unsigned which);
    int (*opendir)(void *fs, const char *path, void **d);
    int (*readdir)(void *d, struct vfs_dirent *ent); /* 1, 0 at end, or error */
    void (*closedir)(void *d);
    int (*sync)(void *fs);
    int (*statfs)(void *fs, struct vfs_statfs *st);
    int (*unmount)(void *fs);
};

/* Makes `path` absolute and canonical from cwd (absolute). */
int vfs_resolve(const char *cwd, const char *path, char *out, size_t size);

/* Mounts the first filesystem that recognises dev (FAT) at path. */
struct block_dev;
int vfs_mount(const char *path, struct block_dev *dev);
/* Calls fn for every mount: (mount path, device name, fs type). */
void vfs_for_each_mount(void (*fn)(const char *path, const char *dev, const char *fstype,
                                   void *ctx),
                        void *ctx);
/* Syncs every mounted filesystem. */
int vfs_sync_all(void);
/* Mounts the first FAT filesystem found on a disk at "/". */
int vfs_mount_root(void);

/* Open files (reference counted; close drops one reference). */
int vfs_open(const char *path, unsigned flags, struct file **out);
long vfs_read(struct file *f, void *buf, size_t len);
long vfs_write(struct file *f, const void *buf, size_t len);
long vfs_pread(struct file *f, void *buf, size_t len, uint64_t off);
long vfs_pwrite(struct file *f, const void *buf, size_t len, uint64_t off);
int vfs_seek(struct file *f, int64_t off, int whence, uint64_t *pos);
int vfs_truncate(struct file *f, uint64_t size);
int vfs_fsync(struct file *f);
int vfs_fstat(struct file *f, struct vfs_stat *st);
/* Directory handles opened with VFS_O_DIRECTORY: 1 and *ent, 0 at end. */
int vfs_readdir(struct file *f, struct vfs_dirent *ent);
int vfs_rewinddir(struct file *f);
int vfs_close(struct file *f);

int vfs_stat(const char *path, struct vfs_stat *st);
int vfs_unlink(const char *path);
int vfs_mkdir(const char *path);
int vfs_rmdir(const char *path);
int vfs_rename(const char *from, const char *to);
/* Sets a file's access and/or modification time (seconds since the epoch). */
enum { VFS_SET_ATIME = 1 << 0, VFS_SET_MTIME = 1 << 1 };
int vfs_set_times(const char *path, int64_t atime, int64_t mtime, unsigned which);
int vfs_statfs(const char *path, struct vfs_statfs *st);

/* The FAT driver (fatfs.c): probes dev and returns the fs object. */
int fatfs_probe(struct block_dev *dev, const struct vfs_fs_ops **ops, void **fs);

#endif
