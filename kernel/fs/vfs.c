/*
 * kernel/fs/vfs.c - mount table, path resolution and open files.
 *
 * The path rules (folding, limits, which mount owns a path) are lib/vfs's
 * (lib/vfs/path.c); this file answers its questions with vfs_stat.
 * Each mount has a mutex held around every call into its driver, so the
 * drivers (lib/fat) need no locking of their own. An open file remembers
 * its mount and the driver's handle; pread/pwrite seek, transfer and seek
 * back under the mount lock, so they do not disturb the file position.
 */
#include "kernel/fs/vfs.h"

#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"
#include "kernel/block/block.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/phases.h"
#include "kernel/mm/heap.h"
#include "vfs/path.h"

#define MAX_MOUNTS 8

struct mount {
    bool used;
    char path[128];
    char dev[16];
    const struct vfs_fs_ops *ops;
    void *fs;
    struct mutex lock;
    int open_files;
};

struct file {
    int refs;
    struct mount *m;
    void *h; /* file handle, or directory iterator */
    unsigned flags;
    bool is_dir;
    char rel[VFS_PATH_MAX]; /* path inside the mount, for rewinddir */
};

static struct mount mounts[MAX_MOUNTS];

_Static_assert(VFS_PATH_MAX == VPATH_MAX, "the VFS and lib/vfs agree on path lengths");

/* lib/vfs asks whether a name that ".." removes, or that a trailing slash
 * follows, is a directory. */
static int path_is_dir(void *ctx, const char *abs)
{
    (void)ctx;
    struct vfs_stat st;
    int err = vfs_stat(abs, &st);
    return err < 0 ? err : st.is_dir;
}

static const struct vpath_ops path_ops = {path_is_dir, NULL};

int vfs_resolve(const char *cwd, const char *path, char *out, size_t size)
{
    return vpath_resolve(&path_ops, cwd, path, out, size);
}

/* The mount owning abs and the path inside it. */
static struct mount *find_mount(const char *abs, const char **rel)
{
    const char *points[MAX_MOUNTS];
    for (int i = 0; i < MAX_MOUNTS; i++)
        points[i] = mounts[i].used ? mounts[i].path : NULL;
    int i = vpath_mount_of(abs, points, MAX_MOUNTS, rel);
    return i < 0 ? NULL : &mounts[i];
}

/* Resolves path and locks its mount. */
static int enter(const char *path, char *abs, struct mount **m, const char **rel)
{
    int err = vfs_resolve("/", path, abs, VFS_PATH_MAX);
    if (err < 0) return err;
    *m = find_mount(abs, rel);
    if (!*m) return ERR_NOENT;
    mutex_lock(&(*m)->lock);
    return 0;
}

int vfs_mount(const char *path, struct block_dev *dev)
{
    int slot = -1;
    for (int i = 0; i < MAX_MOUNTS; i++) {
        if (mounts[i].used && strcmp(mounts[i].path, path) == 0) return ERR_BUSY;
        if (!mounts[i].used && slot < 0) slot = i;
    }
    if (slot < 0) return ERR_NOSPC;
    const struct vfs_fs_ops *ops;
    void *fs;
    int err = fatfs_probe(dev, &ops, &fs);
    if (err < 0) return err;
    struct mount *m = &mounts[slot];
    memset(m, 0, sizeof *m);
    str_copy(m->path, path, sizeof m->path);
    str_copy(m->dev, dev->name, sizeof m->dev);
    m->ops = ops;
    m->fs = fs;
    mutex_init(&m->lock);
    m->used = true;
    struct vfs_statfs sf;
    ops->statfs(fs, &sf);
    klog_info("vfs", "mounted %s %s at %s", sf.fstype, dev->name, path);
    return 0;
}

void vfs_for_each_mount(void (*fn)(const char *, const char *, const char *, void *), void *ctx)
{
    for (int i = 0; i < MAX_MOUNTS; i++)
        if (mounts[i].used) {
            struct vfs_statfs sf;
            mutex_lock(&mounts[i].lock);
            mounts[i].ops->statfs(mounts[i].fs, &sf);
            mutex_unlock(&mounts[i].lock);
            fn(mounts[i].path, mounts[i].dev, sf.fstype, ctx);
        }
}

int vfs_sync_all(void)
{
    int first = 0;
    for (int i = 0; i < MAX_MOUNTS; i++) {
        struct mount *m = &mounts[i];
        if (!m->used) continue;
        mutex_lock(&m->lock);
        int err = m->ops->sync(m->fs);
        mutex_unlock(&m->lock);
        if (err < 0) {
            klog_error("vfs", "sync of %s failed: %s", m->path, err_str(err));
            if (!first) first = err;
        }
    }
    phase_mark(PHASE_SYNC_DONE);
    return first;
}

static bool has_partitions(struct block_dev *disk)
{
    for (struct block_dev *d = block_next(NULL); d; d = block_next(d))
        if (d->parent == disk) return true;
    return false;
}

int vfs_mount_root(void)
{
    for (struct block_dev *d = block_next(NULL); d; d = block_next(d)) {
        if (!d->parent && has_partitions(d)) continue; /* try its partitions instead */
        if (vfs_mount("/", d) == 0) return 0;
    }
    klog_warn("vfs", "no FAT filesystem found on any disk: nothing mounted at /");
    return ERR_NOENT;
}

static struct file *file_new(struct mount *m, void *h, unsigned flags, bool dir, const char *rel)
{
    struct file *f = kzalloc(sizeof *f);
    if (!f) return NULL;
    f->refs = 1;
    f->m = m;
    f->h = h;
    f->flags = flags;
    f->is_dir = dir;
    str_copy(f->rel, rel, sizeof f->rel);
    m->open_files++;
    return f;
}

int vfs_open(const char *path, unsigned flags, struct file **out)
{
    char abs[VFS_PATH_MAX];
    struct mount *m;
    const char *rel;
    int err = enter(path, abs, &m, &rel);
    if (err < 0) return err;
    void *h = NULL;
    bool dir = flags & VFS_O_DIRECTORY;
    if (dir) {
        if (flags & (VFS_O_WRITE | VFS_O_CREAT | VFS_O_TRUNC))
            err = ERR_ISDIR;
        else
            err = m->ops->opendir(m->fs, rel, &h);
    } else {
        err = m->ops->open(m->fs, rel, flags, &h);
    }
    if (err == 0) {
        *out = file_new(m, h, flags, dir, rel);
        if (!*out) {
            dir ? m->ops->closedir(h) : (void)m->ops->close(h);
            err = ERR_NOMEM;
        }
    }
    mutex_unlock(&m->lock);
    return err;
}

#define WITH_FILE(f, expr)                                                                         \
    __extension__({                                                                                \
        mutex_lock(&(f)->m->lock);                                                                 \
        __typeof__(expr) with_r_ = (expr);                                                         \
        mutex_unlock(&(f)->m->lock);                                                               \
        with_r_;                                                                                   \
    })

long vfs_read(struct file *f, void *buf, size_t len)
{
    if (f->is_dir) return ERR_ISDIR;
    if (!(f->flags & VFS_O_READ)) return ERR_BADF;
    return WITH_FILE(f, f->m->ops->read(f->h, buf, len));
}

long vfs_write(struct file *f, const void *buf, size_t len)
{
    if (f->is_dir) return ERR_ISDIR;
    if (!(f->flags & VFS_O_WRITE)) return ERR_BADF;
    long n = WITH_FILE(f, f->m->ops->write(f->h, buf, len));
    if (n > 0) phase_copied(COPY_FILE_WRITE, (uint64_t)n);
    return n;
}

/* Transfers at off without moving the position. */
static long positioned(struct file *f, void *rbuf, const void *wbuf, size_t len, uint64_t off)
{
    if (f->is_dir) return ERR_ISDIR;
    if (!(f->flags & (rbuf ? VFS_O_READ : VFS_O_WRITE))) return ERR_BADF;
    mutex_lock(&f->m->lock);
    uint64_t saved, dummy;
    long r = f->m->ops->seek(f->h, 0, VFS_SEEK_CUR, &saved);
    if (r == 0) r = f->m->ops->seek(f->h, (int64_t)off, VFS_SEEK_SET, &dummy);
    if (r == 0) {
        r = rbuf ? f->m->ops->read(f->h, rbuf, len) : f->m->ops->write(f->h, wbuf, len);
        f->m->ops->seek(f->h, (int64_t)saved, VFS_SEEK_SET, &dummy);
    }
    mutex_unlock(&f->m->lock);
    return r;
}

long vfs_pread(struct file *f, void *buf, size_t len, uint64_t off)
{
    return positioned(f, buf, NULL, len, off);
}

long vfs_pwrite(struct file *f, const void *buf, size_t len, uint64_t off)
{
    if (f->flags & VFS_O_APPEND) return ERR_NOTSUP; /* POSIX appends anyway; WASI hosts refuse. */
    long n = positioned(f, NULL, buf, len, off);
    if (n > 0) phase_copied(COPY_FILE_WRITE, (uint64_t)n);
    return n;
}

int vfs_seek(struct file *f, int64_t off, int whence, uint64_t *pos)
{
    if (f->is_dir) return ERR_ISDIR;
    return WITH_FILE(f, f->m->ops->seek(f->h, off, whence, pos));
}

int vfs_truncate(struct file *f, uint64_t size)
{
    if (f->is_dir) return ERR_ISDIR;
    if (!(f->flags & VFS_O_WRITE)) return ERR_BADF;
    return WITH_FILE(f, f->m->ops->truncate(f->h, size));
}

int vfs_fsync(struct file *f)
{
    int err;
    if (f->is_dir)
        err = WITH_FILE(f, f->m->ops->sync(f->m->fs));
    else
        err = WITH_FILE(f, f->m->ops->fsync(f->h));
    phase_mark(PHASE_SYNC_DONE);
    return err;
}

int vfs_fstat(struct file *f, struct vfs_stat *st)
{
    if (f->is_dir) return WITH_FILE(f, f->m->ops->stat(f->m->fs, f->rel, st));
    return WITH_FILE(f, f->m->ops->fstat(f->h, st));
}

int vfs_readdir(struct file *f, struct vfs_dirent *ent)
{
    if (!f->is_dir) return ERR_NOTDIR;
    return WITH_FILE(f, f->m->ops->readdir(f->h, ent));
}

int vfs_rewinddir(struct file *f)
{
    if (!f->is_dir) return ERR_NOTDIR;
    mutex_lock(&f->m->lock);
    void *h;
    int err = f->m->ops->opendir(f->m->fs, f->rel, &h);
    if (err == 0) {
        f->m->ops->closedir(f->h);
        f->h = h;
    }
    mutex_unlock(&f->m->lock);
    return err;
}

int vfs_close(struct file *f)
{
    if (__atomic_sub_fetch(&f->refs, 1, __ATOMIC_SEQ_CST) > 0) return 0;
    struct mount *m = f->m;
    mutex_lock(&m->lock);
    int err = 0;
    if (f->is_dir)
        m->ops->closedir(f->h);
    else
        err = m->ops->close(f->h);
    m->open_files--;
    mutex_unlock(&m->lock);
    if (!f->is_dir && (f->flags & VFS_O_WRITE)) phase_mark(PHASE_FILE_CLOSED);
    kfree(f);
    return err;
}

#define PATH_OP(path, call)                                                                        \
    do {                                                                                           \
        char abs_[VFS_PATH_MAX];                                                                   \
        struct mount *m_;                                                                          \
        const char *rel;                                                                           \
        int err_ = enter(path, abs_, &m_, &rel);                                                   \
        if (err_ < 0) return err_;                                                                 \
        void *fs = m_->fs;                                                                         \
        const struct vfs_fs_ops *ops = m_->ops;                                                    \
        err_ = (call);                                                                             \
        mutex_unlock(&m_->lock);                                                                   \
        return err_;                                                                               \
    } while (0)

int vfs_stat(const char *path, struct vfs_stat *st)
{
    PATH_OP(path, ops->stat(fs, rel, st));
}
int vfs_unlink(const char *path)
{
    PATH_OP(path, ops->unlink(fs, rel));
}
int vfs_mkdir(const char *path)
{
    PATH_OP(path, ops->mkdir(fs, rel));
}
int vfs_set_times(const char *path, int64_t atime, int64_t mtime, unsigned which)
{
    PATH_OP(path, ops->set_times ? ops->set_times(fs, rel, atime, mtime, which) : ERR_NOTSUP);
}
int vfs_rmdir(const char *path)
{
    PATH_OP(path, rel[0] == '\0' ? ERR_BUSY : ops->rmdir(fs, rel));
}
int vfs_statfs(const char *path, struct vfs_statfs *st)
{
    PATH_OP(path, ops->statfs(fs, st));
}

int vfs_rename(const char *from, const char *to)
{
    char a[VFS_PATH_MAX], b[VFS_PATH_MAX];
    int err = vfs_resolve("/", from, a, sizeof a);
    if (err == 0) err = vfs_resolve("/", to, b, sizeof b);
    if (err < 0) return err;
    const char *ra, *rb;
    struct mount *ma = find_mount(a, &ra), *mb = find_mount(b, &rb);
    if (!ma || !mb) return ERR_NOENT;
    if (ma != mb) return ERR_XDEV;
    if (ra[0] == '\0' || rb[0] == '\0') return ERR_BUSY; /* a mount root */
    mutex_lock(&ma->lock);
    err = ma->ops->rename(ma->fs, ra, rb);
    mutex_unlock(&ma->lock);
    return err;
}
