/*
 * host/port/wasi_files.c - the Linux port of lib/wasi: files and
 * directories, the console, clocks, randomness and waiting (poll(2)); the
 * sockets are in wasi_sock.c, the errno mapping and the monotonic clock
 * they share in wasi_common.c. The ops table, which names both files'
 * functions, is at the end.
 *
 * Confinement: lib/wasi hands over relative, normalized paths; symbolic
 * links are the remaining way out, so every lookup goes through openat2
 * with RESOLVE_BENEATH (Linux 5.6), which fails with EXDEV when a link
 * would leave the directory. Operations on a name (unlink, mkdir,
 * rename...) first open the parent directory that way, then act on the
 * last component with the *at call, which never follows it. Where a call
 * must follow a last-component link (stat, set_times, link with FOLLOW),
 * the target is opened beneath with O_PATH and the call made on that.
 */
#include "wasi_host.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"

struct wasi_port_file {
    int fd;
    DIR *dir;            /* for readdir, opened on first use */
    uint64_t dir_pos;    /* index of the entry readdir returns next */
    uint64_t last_index; /* index of the entry returned last, */
    long last_tell;      /* and telldir() just before it */
    int stdio_flags;     /* a console stream: the F_GETFL flags to restore, else -1 */
};

int wasi_host_file_fd(const struct wasi_port_file *f)
{
    return f->fd;
}

static struct wasi_port_file *file_new(int fd)
{
    struct wasi_port_file *f = calloc(1, sizeof *f);
    if (f) {
        f->fd = fd;
        f->stdio_flags = -1;
    } else
        close(fd);
    return f;
}

/* openat2(dir, path, how) with RESOLVE_BENEATH: the new fd or -errno. */
static int open_beneath(int dir, const char *path, int flags, mode_t mode)
{
    struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
                           .mode = (flags & O_CREAT) ? mode : 0,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
    long fd;
    do
        fd = syscall(SYS_openat2, dir, path, &how, sizeof how);
    while (fd < 0 && errno == EINTR);
    return fd < 0 ? -errno : (int)fd;
}

/* Splits path into its parent (opened beneath dir, O_PATH) and the last
 * component (*last points into path). Returns the parent fd or an error. */
static int open_parent(int dir, const char *path, const char **last)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        *last = path;
        return open_beneath(dir, ".", O_PATH | O_DIRECTORY, 0);
    }
    char parent[WASI_PORT_PATH_MAX + 1];
    size_t n = (size_t)(slash - path);
    if (n > WASI_PORT_PATH_MAX) return -ENAMETOOLONG;
    memcpy(parent, path, n);
    parent[n] = 0;
    *last = slash + 1;
    return open_beneath(dir, parent, O_PATH | O_DIRECTORY, 0);
}

static int host_stdio(void *ctx, int fd, struct wasi_port_file **out)
{
    (void)ctx;
    int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (d < 0) /* a closed standard stream: use /dev/null in its place */
        d = open("/dev/null", (fd == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
    if (d < 0) return wasi_host_errno(errno);
    *out = file_new(d);
    if (!*out) return ERR_NOMEM;
    /* The flags live in the open file description shared with our own
     * stdin/stdout (and the shell's): put back what the app changes. */
    (*out)->stdio_flags = fcntl(d, F_GETFL);
    return 0;
}

static int host_open_at(void *ctx, struct wasi_port_file *dir, const char *path, unsigned flags,
                        struct wasi_port_file **out)
{
    (void)ctx;
    int f = 0;
    bool rd = flags & WASI_PORT_O_READ, wr = flags & WASI_PORT_O_WRITE;
    f |= rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY;
    if (flags & WASI_PORT_O_CREAT) f |= O_CREAT;
    if (flags & WASI_PORT_O_EXCL) f |= O_EXCL;
    if (flags & WASI_PORT_O_TRUNC) f |= O_TRUNC;
    if (flags & WASI_PORT_O_DIRECTORY) f |= O_DIRECTORY;
    if (flags & WASI_PORT_O_APPEND) f |= O_APPEND;
    if (flags & WASI_PORT_O_NOFOLLOW) f |= O_NOFOLLOW;
    if (flags & WASI_PORT_O_SYNC) f |= O_SYNC;
    if (flags & WASI_PORT_O_NONBLOCK) f |= O_NONBLOCK;
    int fd = open_beneath(dir->fd, path, f | O_NOCTTY, 0666);
    if (fd < 0) return wasi_host_errno(-fd);
    *out = file_new(fd);
    return *out ? 0 : ERR_NOMEM;
}

static int host_close(void *ctx, struct wasi_port_file *f)
{
    (void)ctx;
    int rc = 0;
    if (f->stdio_flags >= 0 && fcntl(f->fd, F_GETFL) != f->stdio_flags)
        fcntl(f->fd, F_SETFL, f->stdio_flags);
    if (f->dir) closedir(f->dir);
    if (close(f->fd) < 0 && errno != EINTR) rc = wasi_host_errno(errno);
    free(f);
    return rc;
}

static long io_result(ssize_t n)
{
    return n < 0 ? wasi_host_errno(errno) : (long)n;
}

static long host_read(void *ctx, struct wasi_port_file *f, void *buf, size_t len)
{
    (void)ctx;
    ssize_t n;
    do
        n = read(f->fd, buf, len);
    while (n < 0 && errno == EINTR);
    return io_result(n);
}

static long host_write(void *ctx, struct wasi_port_file *f, const void *buf, size_t len)
{
    (void)ctx;
    ssize_t n;
    do
        n = write(f->fd, buf, len);
    while (n < 0 && errno == EINTR);
    return io_result(n);
}

static long host_pread(void *ctx, struct wasi_port_file *f, void *buf, size_t len, uint64_t off)
{
    (void)ctx;
    ssize_t n;
    do
        n = pread(f->fd, buf, len, (off_t)off);
    while (n < 0 && errno == EINTR);
    return io_result(n);
}

static long host_pwrite(void *ctx, struct wasi_port_file *f, const void *buf, size_t len,
                        uint64_t off)
{
    (void)ctx;
    ssize_t n;
    do
        n = pwrite(f->fd, buf, len, (off_t)off);
    while (n < 0 && errno == EINTR);
    return io_result(n);
}

static int host_seek(void *ctx, struct wasi_port_file *f, int64_t off, int whence, uint64_t *pos)
{
    (void)ctx;
    off_t r = lseek(f->fd, (off_t)off, whence == 0 ? SEEK_SET : whence == 1 ? SEEK_CUR : SEEK_END);
    if (r < 0) return wasi_host_errno(errno);
    *pos = (uint64_t)r;
    return 0;
}

static int host_sync(void *ctx, struct wasi_port_file *f, bool data_only)
{
    (void)ctx;
    int r = data_only ? fdatasync(f->fd) : fsync(f->fd);
    /* The console and pipes cannot be synced; there is nothing to flush. */
    if (r < 0 && errno == EINVAL) return 0;
    return r < 0 ? wasi_host_errno(errno) : 0;
}

static uint8_t mode_type(mode_t m)
{
    if (S_ISREG(m)) return WASI_PORT_FT_REGULAR_FILE;
    if (S_ISDIR(m)) return WASI_PORT_FT_DIRECTORY;
    if (S_ISCHR(m)) return WASI_PORT_FT_CHARACTER_DEVICE;
    if (S_ISBLK(m)) return WASI_PORT_FT_BLOCK_DEVICE;
    if (S_ISLNK(m)) return WASI_PORT_FT_SYMBOLIC_LINK;
    if (S_ISSOCK(m)) return WASI_PORT_FT_SOCKET_STREAM;
    return WASI_PORT_FT_UNKNOWN;
}

static uint64_t ts_ns(struct timespec ts)
{
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void stat_convert(const struct stat *s, struct wasi_port_stat *st)
{
    st->dev = s->st_dev;
    st->ino = s->st_ino;
    st->filetype = mode_type(s->st_mode);
    st->nlink = s->st_nlink;
    st->size = (uint64_t)s->st_size;
    st->atim = ts_ns(s->st_atim);
    st->mtim = ts_ns(s->st_mtim);
    st->ctim = ts_ns(s->st_ctim);
}

static int host_fstat(void *ctx, struct wasi_port_file *f, struct wasi_port_stat *st)
{
    (void)ctx;
    struct stat s;
    if (fstat(f->fd, &s) < 0) return wasi_host_errno(errno);
    stat_convert(&s, st);
    return 0;
}

static int host_set_size(void *ctx, struct wasi_port_file *f, uint64_t size)
{
    (void)ctx;
    return ftruncate(f->fd, (off_t)size) < 0 ? wasi_host_errno(errno) : 0;
}

/* struct timespec[2] for utimensat from WASI_PORT_ATIM... flags. */
static void make_times(struct timespec t[2], uint64_t atim, uint64_t mtim, unsigned flags)
{
    t[0].tv_sec = (time_t)(atim / 1000000000u);
    t[0].tv_nsec = (long)(atim % 1000000000u);
    t[1].tv_sec = (time_t)(mtim / 1000000000u);
    t[1].tv_nsec = (long)(mtim % 1000000000u);
    if (flags & WASI_PORT_ATIM_NOW)
        t[0].tv_nsec = UTIME_NOW;
    else if (!(flags & WASI_PORT_ATIM))
        t[0].tv_nsec = UTIME_OMIT;
    if (flags & WASI_PORT_MTIM_NOW)
        t[1].tv_nsec = UTIME_NOW;
    else if (!(flags & WASI_PORT_MTIM))
        t[1].tv_nsec = UTIME_OMIT;
}

/* utimensat on an fd that may be O_PATH, through its /proc/self/fd link. */
static int times_on_fd(int fd, const struct timespec t[2])
{
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    return utimensat(AT_FDCWD, p, t, 0) < 0 ? wasi_host_errno(errno) : 0;
}

static int host_set_times(void *ctx, struct wasi_port_file *f, uint64_t atim, uint64_t mtim,
                          unsigned flags)
{
    (void)ctx;
    struct timespec t[2];
    make_times(t, atim, mtim, flags);
    return futimens(f->fd, t) < 0 ? wasi_host_errno(errno) : 0;
}

static int host_set_flags(void *ctx, struct wasi_port_file *f, unsigned flags)
{
    (void)ctx;
    int fl = fcntl(f->fd, F_GETFL);
    if (fl < 0) return wasi_host_errno(errno);
    fl &= ~(O_APPEND | O_NONBLOCK);
    fl |= (flags & WASI_PORT_O_APPEND ? O_APPEND : 0) |
          (flags & WASI_PORT_O_NONBLOCK ? O_NONBLOCK : 0);
    return fcntl(f->fd, F_SETFL, fl) < 0 ? wasi_host_errno(errno) : 0;
}

static int host_allocate(void *ctx, struct wasi_port_file *f, uint64_t off, uint64_t len)
{
    (void)ctx;
    int r = posix_fallocate(f->fd, (off_t)off, (off_t)len);
    return r ? wasi_host_errno(r) : 0;
}

/* Entries are numbered in readdir(3) order; cookie = index of the entry.
 * Reading goes forward; the entry returned last can be read again (what
 * fd_readdir asks for after an entry did not fit the guest's buffer)
 * through its telldir position; any other cookie rewinds and skips. */
static int host_readdir(void *ctx, struct wasi_port_file *d, uint64_t cookie,
                        struct wasi_port_dirent *ent)
{
    (void)ctx;
    if (!d->dir) {
        int fd = open_beneath(d->fd, ".", O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0) return wasi_host_errno(-fd);
        if (!(d->dir = fdopendir(fd))) {
            close(fd);
            return wasi_host_errno(errno);
        }
        d->dir_pos = 0;
    }
    if (cookie != d->dir_pos && cookie == d->last_index && d->dir_pos) {
        seekdir(d->dir, d->last_tell);
        d->dir_pos = cookie;
    } else if (cookie != d->dir_pos) {
        rewinddir(d->dir);
        d->dir_pos = 0;
    }
    for (;;) {
        errno = 0;
        long tell = telldir(d->dir);
        struct dirent *de = readdir(d->dir);
        if (!de) return errno ? wasi_host_errno(errno) : 0;
        if (d->dir_pos++ < cookie) continue;
        size_t n = strlen(de->d_name);
        if (n > WASI_PORT_NAME_MAX) continue;
        d->last_index = d->dir_pos - 1;
        d->last_tell = tell;
        ent->next = d->dir_pos;
        ent->ino = de->d_ino;
        ent->name_len = (uint16_t)n;
        memcpy(ent->name, de->d_name, n + 1);
        switch (de->d_type) {
        case DT_REG: ent->filetype = WASI_PORT_FT_REGULAR_FILE; break;
        case DT_DIR: ent->filetype = WASI_PORT_FT_DIRECTORY; break;
        case DT_LNK: ent->filetype = WASI_PORT_FT_SYMBOLIC_LINK; break;
        case DT_CHR: ent->filetype = WASI_PORT_FT_CHARACTER_DEVICE; break;
        case DT_BLK: ent->filetype = WASI_PORT_FT_BLOCK_DEVICE; break;
        case DT_SOCK: ent->filetype = WASI_PORT_FT_SOCKET_STREAM; break;
        default: {
            struct stat s;
            ent->filetype = fstatat(dirfd(d->dir), de->d_name, &s, AT_SYMLINK_NOFOLLOW) == 0
                                ? mode_type(s.st_mode)
                                : WASI_PORT_FT_UNKNOWN;
        }
        }
        return 1;
    }
}

static int host_stat_at(void *ctx, struct wasi_port_file *dir, const char *path, bool follow,
                        struct wasi_port_stat *st)
{
    (void)ctx;
    int fd = open_beneath(dir->fd, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
    if (fd < 0) return wasi_host_errno(-fd);
    struct stat s;
    int rc = fstat(fd, &s) < 0 ? wasi_host_errno(errno) : 0;
    close(fd);
    if (rc == 0) stat_convert(&s, st);
    return rc;
}

enum name_op { N_MKDIR, N_UNLINK, N_RMDIR };

static int name_op(struct wasi_port_file *dir, const char *path, enum name_op op)
{
    const char *last;
    int p = open_parent(dir->fd, path, &last);
    if (p < 0) return wasi_host_errno(-p);
    int r = op == N_MKDIR    ? mkdirat(p, last, 0777)
            : op == N_UNLINK ? unlinkat(p, last, 0)
                             : unlinkat(p, last, AT_REMOVEDIR);
    int rc = r < 0 ? wasi_host_errno(errno) : 0;
    close(p);
    /* Linux reports unlink of a directory as EISDIR; POSIX allows EPERM. */
    return rc == ERR_PERM && op == N_UNLINK ? ERR_ISDIR : rc;
}

static int host_mkdir_at(void *ctx, struct wasi_port_file *dir, const char *path)
{
    (void)ctx;
    return name_op(dir, path, N_MKDIR);
}

static int host_unlink_at(void *ctx, struct wasi_port_file *dir, const char *path)
{
    (void)ctx;
    return name_op(dir, path, N_UNLINK);
}

static int host_rmdir_at(void *ctx, struct wasi_port_file *dir, const char *path)
{
    (void)ctx;
    return name_op(dir, path, N_RMDIR);
}

static int host_rename_at(void *ctx, struct wasi_port_file *from_dir, const char *from,
                          struct wasi_port_file *to_dir, const char *to)
{
    (void)ctx;
    const char *l1, *l2;
    int p1 = open_parent(from_dir->fd, from, &l1);
    if (p1 < 0) return wasi_host_errno(-p1);
    int p2 = open_parent(to_dir->fd, to, &l2);
    if (p2 < 0) {
        close(p1);
        return wasi_host_errno(-p2);
    }
    int rc = renameat(p1, l1, p2, l2) < 0 ? wasi_host_errno(errno) : 0;
    close(p1);
    close(p2);
    return rc;
}

static int host_set_times_at(void *ctx, struct wasi_port_file *dir, const char *path, bool follow,
                             uint64_t atim, uint64_t mtim, unsigned flags)
{
    (void)ctx;
    struct timespec t[2];
    make_times(t, atim, mtim, flags);
    if (follow) {
        int fd = open_beneath(dir->fd, path, O_PATH, 0);
        if (fd < 0) return wasi_host_errno(-fd);
        int rc = times_on_fd(fd, t);
        close(fd);
        return rc;
    }
    const char *last;
    int p = open_parent(dir->fd, path, &last);
    if (p < 0) return wasi_host_errno(-p);
    int rc = utimensat(p, last, t, AT_SYMLINK_NOFOLLOW) < 0 ? wasi_host_errno(errno) : 0;
    close(p);
    return rc;
}

static long host_readlink_at(void *ctx, struct wasi_port_file *dir, const char *path, char *buf,
                             size_t size)
{
    (void)ctx;
    const char *last;
    int p = open_parent(dir->fd, path, &last);
    if (p < 0) return wasi_host_errno(-p);
    ssize_t n = readlinkat(p, last, buf, size);
    long rc = n < 0 ? wasi_host_errno(errno) : (long)n;
    close(p);
    return rc;
}

static int host_symlink_at(void *ctx, const char *target, struct wasi_port_file *dir,
                           const char *path)
{
    (void)ctx;
    const char *last;
    int p = open_parent(dir->fd, path, &last);
    if (p < 0) return wasi_host_errno(-p);
    int rc = symlinkat(target, p, last) < 0 ? wasi_host_errno(errno) : 0;
    close(p);
    return rc;
}

static int host_link_at(void *ctx, struct wasi_port_file *from_dir, const char *from, bool follow,
                        struct wasi_port_file *to_dir, const char *to)
{
    (void)ctx;
    const char *l2;
    int src = open_beneath(from_dir->fd, from, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
    if (src < 0) return wasi_host_errno(-src);
    int p2 = open_parent(to_dir->fd, to, &l2);
    if (p2 < 0) {
        close(src);
        return wasi_host_errno(-p2);
    }
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", src);
    int rc = linkat(AT_FDCWD, proc, p2, l2, AT_SYMLINK_FOLLOW) < 0 ? wasi_host_errno(errno) : 0;
    close(src);
    close(p2);
    return rc;
}

static clockid_t clock_of(enum wasi_port_clock c)
{
    switch (c) {
    case WASI_PORT_CLOCK_REALTIME: return CLOCK_REALTIME;
    case WASI_PORT_CLOCK_MONOTONIC: return CLOCK_MONOTONIC;
    case WASI_PORT_CLOCK_PROCESS_CPU: return CLOCK_PROCESS_CPUTIME_ID;
    case WASI_PORT_CLOCK_THREAD_CPU: return CLOCK_THREAD_CPUTIME_ID;
    }
    return CLOCK_MONOTONIC;
}

static int host_clock_now(void *ctx, enum wasi_port_clock c, uint64_t *ns)
{
    (void)ctx;
    struct timespec ts;
    if (clock_gettime(clock_of(c), &ts) < 0) return wasi_host_errno(errno);
    *ns = ts_ns(ts);
    return 0;
}

static int host_clock_res(void *ctx, enum wasi_port_clock c, uint64_t *ns)
{
    (void)ctx;
    struct timespec ts;
    if (clock_getres(clock_of(c), &ts) < 0) return wasi_host_errno(errno);
    *ns = ts_ns(ts);
    return 0;
}

static int host_random(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    uint8_t *p = buf;
    while (len) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return wasi_host_errno(errno);
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void host_yield(void *ctx)
{
    (void)ctx;
    sched_yield();
}

/* poll(2) over the handles, until deadline; regular files are ready.
 * ctx: NULL, or the kill deadline (wasi_host_port_set_kill_deadline). */
static int host_wait(void *ctx, struct wasi_port_pollfd *fds, size_t n, uint64_t deadline)
{
    const uint64_t *kill = ctx;
    bool killable = kill && *kill <= deadline;
    if (killable) deadline = *kill;
    struct pollfd small[16], *p = n <= 16 ? small : calloc(n, sizeof *p);
    if (!p) return ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        p[i].fd = fds[i].file ? fds[i].file->fd : wasi_host_sock_fd(fds[i].sock);
        p[i].events = (short)((fds[i].events & WASI_PORT_EV_IN ? POLLIN : 0) |
                              (fds[i].events & WASI_PORT_EV_OUT ? POLLOUT : 0));
        p[i].revents = 0;
    }
    int r;
    for (;;) {
        uint64_t now = wasi_host_mono_ns();
        struct timespec ts, *tp = NULL;
        if (deadline != WASI_PORT_NO_DEADLINE) {
            uint64_t left = deadline > now ? deadline - now : 0;
            ts.tv_sec = (time_t)(left / 1000000000u);
            ts.tv_nsec = (long)(left % 1000000000u);
            tp = &ts;
        }
        r = ppoll(p, n, tp, NULL);
        if (r >= 0 || errno != EINTR) break;
    }
    int rc = r < 0 ? wasi_host_errno(errno) : r;
    if (r == 0 && killable && wasi_host_mono_ns() >= deadline) rc = ERR_CANCELED;
    for (size_t i = 0; r >= 0 && i < n; i++) {
        short re = p[i].revents;
        fds[i].revents = (re & POLLIN ? WASI_PORT_EV_IN : 0) |
                         (re & POLLOUT ? WASI_PORT_EV_OUT : 0) |
                         (re & POLLHUP ? WASI_PORT_EV_HUP | (fds[i].events & WASI_PORT_EV_IN) : 0) |
                         (re & (POLLERR | POLLNVAL) ? WASI_PORT_EV_ERR | fds[i].events : 0);
        fds[i].nbytes = 0;
    }
    if (p != small) free(p);
    return rc;
}

const struct wasi_port_ops wasi_host_ops = {
    .stdio = host_stdio,
    .open_at = host_open_at,
    .close = host_close,
    .read = host_read,
    .write = host_write,
    .pread = host_pread,
    .pwrite = host_pwrite,
    .seek = host_seek,
    .sync = host_sync,
    .fstat = host_fstat,
    .set_size = host_set_size,
    .set_times = host_set_times,
    .set_flags = host_set_flags,
    .allocate = host_allocate,
    .readdir = host_readdir,
    .stat_at = host_stat_at,
    .mkdir_at = host_mkdir_at,
    .unlink_at = host_unlink_at,
    .rmdir_at = host_rmdir_at,
    .rename_at = host_rename_at,
    .set_times_at = host_set_times_at,
    .readlink_at = host_readlink_at,
    .symlink_at = host_symlink_at,
    .link_at = host_link_at,
    .clock_now = host_clock_now,
    .clock_res = host_clock_res,
    .random = host_random,
    .yield = host_yield,
    .tcp_connect = wasi_host_tcp_connect,
    .tcp_connect_start = wasi_host_tcp_connect_start,
    .tcp_connect_result = wasi_host_tcp_connect_result,
    .tcp_listen = wasi_host_tcp_listen,
    .tcp_accept = wasi_host_tcp_accept,
    .send = wasi_host_send,
    .recv = wasi_host_recv,
    .shutdown = wasi_host_shutdown,
    .udp_open = wasi_host_udp_open,
    .udp_sendto = wasi_host_udp_sendto,
    .udp_recvfrom = wasi_host_udp_recvfrom,
    .sock_name = wasi_host_sock_name,
    .sock_close = wasi_host_sock_close,
    .sock_set_option = wasi_host_sock_set_option,
    .resolve = wasi_host_resolve,
    .resolve_start = wasi_host_resolve_start,
    .resolve_result = wasi_host_resolve_result,
    .wait = host_wait,
};

int wasi_host_port_new(struct wasi_port *port)
{
    port->ops = &wasi_host_ops;
    port->ctx = NULL;
    return 0;
}

void wasi_host_port_set_kill_deadline(struct wasi_port *port, const uint64_t *deadline_ns)
{
    port->ctx = (void *)(uintptr_t)deadline_ns; /* read only, by host_wait */
}

void wasi_host_port_free(struct wasi_port *port)
{
    port->ops = NULL;
}

int wasi_host_open_dir(struct wasi_port *port, const char *path, struct wasi_port_file **out)
{
    (void)port;
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return wasi_host_errno(errno);
    *out = file_new(fd);
    return *out ? 0 : ERR_NOMEM;
}
