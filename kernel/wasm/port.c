/*
 * kernel/wasm/port.c - lib/wasi's system port in the kernel: files through
 * the VFS, the serial console, the kernel clocks, the CSPRNG, sockets
 * through kernel/net, and waiting through the shared iopoll wake-up point.
 *
 * A directory handle remembers its absolute VFS path; lib/wasi hands over
 * paths that are already normalized and confined, so joining them is
 * enough (FAT has no symbolic links to escape through).
 */
#include "kernel/wasm/kport.h"

#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "kernel/drivers/serial/serial.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/iopoll.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/random.h"
#include "kernel/mm/heap.h"
#include "kernel/net/knet.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include "kernel/wasm/stream.h"

enum kind { K_FILE, K_DIR, K_STDIN, K_STDOUT, K_STDERR };

struct wasi_port_file {
    enum kind kind;
    struct file *f;
    struct kstream *s; /* K_STD*: the app's stream (the kport holds the reference) */
    unsigned flags;
    uint64_t dir_pos; /* entries already returned by the VFS iterator */
    char path[VFS_PATH_MAX];
};

struct wasi_port_sock {
    struct ksock *k;
    bool udp;
};

static struct kport *kp(void *ctx)
{
    return ctx;
}

static uint64_t to_kdeadline(uint64_t d)
{
    return d == WASI_PORT_NO_DEADLINE ? 0 : (d ? d : 1);
}

static struct wasi_port_file *new_handle(enum kind k)
{
    struct wasi_port_file *h = kzalloc(sizeof *h);
    if (h) h->kind = k;
    return h;
}

static int p_stdio(void *ctx, int fd, struct wasi_port_file **out)
{
    if (fd < 0 || fd > 2) return ERR_BADF;
    *out = new_handle(fd == 0 ? K_STDIN : fd == 1 ? K_STDOUT : K_STDERR);
    if (*out) (*out)->s = kp(ctx)->stdio[fd];
    return *out ? 0 : ERR_NOMEM;
}

/* A standard stream that is not the console (a redirection or a pipe). */
static bool redirected(const struct wasi_port_file *f)
{
    return f->s && f->s->kind != KS_CONSOLE;
}

static int join(const struct wasi_port_file *dir, const char *path, char *out)
{
    if (!dir || dir->kind != K_DIR) return ERR_NOTDIR;
    size_t n =
        fmt_snprintf(out, VFS_PATH_MAX, "%s/%s", strcmp(dir->path, "/") ? dir->path : "", path);
    return n >= VFS_PATH_MAX ? ERR_NAMETOOLONG : 0;
}

int kport_open_dir(const char *abs, struct wasi_port_file **out)
{
    struct wasi_port_file *h = new_handle(K_DIR);
    if (!h) return ERR_NOMEM;
    int err = vfs_open(abs, VFS_O_READ | VFS_O_DIRECTORY, &h->f);
    if (err < 0) {
        kfree(h);
        return err;
    }
    vfs_resolve("/", abs, h->path, sizeof h->path);
    h->flags = WASI_PORT_O_READ | WASI_PORT_O_DIRECTORY;
    *out = h;
    return 0;
}

static int p_open_at(void *ctx, struct wasi_port_file *dir, const char *path, unsigned flags,
                     struct wasi_port_file **out)
{
    (void)ctx;
    char abs[VFS_PATH_MAX];
    int err = join(dir, path, abs);
    if (err < 0) return err;
    struct vfs_stat st;
    int serr = vfs_stat(abs, &st);
    bool is_dir = serr == 0 && st.is_dir;
    if ((flags & WASI_PORT_O_DIRECTORY) && serr == 0 && !is_dir) return ERR_NOTDIR;
    if (is_dir) {
        if (flags & (WASI_PORT_O_WRITE | WASI_PORT_O_TRUNC)) return ERR_ISDIR;
        if ((flags & (WASI_PORT_O_CREAT | WASI_PORT_O_EXCL)) ==
            (WASI_PORT_O_CREAT | WASI_PORT_O_EXCL))
            return ERR_EXIST;
        return kport_open_dir(abs, out);
    }
    if (flags & WASI_PORT_O_DIRECTORY) return serr < 0 ? serr : ERR_NOTDIR;
    unsigned vf = 0;
    if (flags & WASI_PORT_O_READ) vf |= VFS_O_READ;
    if (flags & WASI_PORT_O_WRITE) vf |= VFS_O_WRITE;
    if (flags & WASI_PORT_O_CREAT) vf |= VFS_O_CREAT;
    if (flags & WASI_PORT_O_EXCL) vf |= VFS_O_EXCL;
    if (flags & WASI_PORT_O_TRUNC) vf |= VFS_O_TRUNC;
    if (flags & WASI_PORT_O_APPEND) vf |= VFS_O_APPEND;
    if (!(vf & VFS_O_RDWR)) vf |= VFS_O_READ; /* stat-only opens still need a mode */
    struct wasi_port_file *h = new_handle(K_FILE);
    if (!h) return ERR_NOMEM;
    err = vfs_open(abs, vf, &h->f);
    if (err < 0) {
        kfree(h);
        return err;
    }
    h->flags = flags;
    str_copy(h->path, abs, sizeof h->path);
    *out = h;
    return 0;
}

static int p_close(void *ctx, struct wasi_port_file *f)
{
    (void)ctx;
    int err = f->f ? vfs_close(f->f) : 0;
    kfree(f);
    return err;
}

static long console_read(struct kport *p, struct wasi_port_file *f, void *buf, size_t len)
{
    if (redirected(f)) return kstream_read(f->s, buf, len, f->flags & WASI_PORT_O_NONBLOCK);
    if (p->background) return 0; /* background apps have no input */
    if (len == 0) return 0;
    if ((f->flags & WASI_PORT_O_NONBLOCK) && serial_rx_available() == 0) return ERR_AGAIN;
    return serial_read(buf, len, 0);
}

static long p_read(void *ctx, struct wasi_port_file *f, void *buf, size_t len)
{
    switch (f->kind) {
    case K_FILE: return vfs_read(f->f, buf, len);
    case K_STDIN: return console_read(kp(ctx), f, buf, len);
    case K_DIR: return ERR_ISDIR;
    default: return ERR_BADF;
    }
}

static long p_write(void *ctx, struct wasi_port_file *f, const void *buf, size_t len)
{
    (void)ctx;
    switch (f->kind) {
    case K_FILE: return vfs_write(f->f, buf, len);
    case K_STDOUT:
    case K_STDERR:
        if (redirected(f)) return kstream_write(f->s, buf, len);
        console_write(buf, len);
        return (long)len;
    case K_DIR: return ERR_ISDIR;
    default: return ERR_BADF;
    }
}

static long p_pread(void *ctx, struct wasi_port_file *f, void *buf, size_t len, uint64_t off)
{
    (void)ctx;
    if (f->kind != K_FILE) return f->kind == K_DIR ? ERR_ISDIR : ERR_SPIPE;
    return vfs_pread(f->f, buf, len, off);
}

static long p_pwrite(void *ctx, struct wasi_port_file *f, const void *buf, size_t len, uint64_t off)
{
    (void)ctx;
    if (f->kind != K_FILE) return f->kind == K_DIR ? ERR_ISDIR : ERR_SPIPE;
    return vfs_pwrite(f->f, buf, len, off);
}

static int p_seek(void *ctx, struct wasi_port_file *f, int64_t off, int whence, uint64_t *pos)
{
    (void)ctx;
    if (f->kind != K_FILE) return f->kind == K_DIR ? ERR_ISDIR : ERR_SPIPE;
    return vfs_seek(f->f, off, whence, pos);
}

static int p_sync(void *ctx, struct wasi_port_file *f, bool data_only)
{
    (void)ctx, (void)data_only;
    return f->f ? vfs_fsync(f->f) : 0;
}

static void to_port_stat(const struct vfs_stat *v, struct wasi_port_stat *st)
{
    memset(st, 0, sizeof *st);
    st->dev = v->dev;
    st->ino = v->ino;
    st->filetype = v->is_dir ? WASI_PORT_FT_DIRECTORY : WASI_PORT_FT_REGULAR_FILE;
    st->nlink = 1;
    st->size = v->size;
    st->atim = (uint64_t)v->atime * NS_PER_SEC;
    st->mtim = (uint64_t)v->mtime * NS_PER_SEC;
    st->ctim = (uint64_t)v->ctime * NS_PER_SEC;
}

static int p_fstat(void *ctx, struct wasi_port_file *f, struct wasi_port_stat *st)
{
    (void)ctx;
    if (f->kind >= K_STDIN && redirected(f) && f->s->kind == KS_FILE) {
        struct vfs_stat v;
        int err = vfs_fstat(f->s->f, &v);
        if (err == 0) to_port_stat(&v, st);
        return err;
    }
    if (f->kind >= K_STDIN) {
        memset(st, 0, sizeof *st);
        /* a pipe is no terminal: libc then buffers fully, as for a pipe on Linux */
        st->filetype = redirected(f) ? WASI_PORT_FT_UNKNOWN : WASI_PORT_FT_CHARACTER_DEVICE;
        st->nlink = 1;
        return 0;
    }
    struct vfs_stat v;
    int err = vfs_fstat(f->f, &v);
    if (err == 0) to_port_stat(&v, st);
    return err;
}

static int p_set_size(void *ctx, struct wasi_port_file *f, uint64_t size)
{
    (void)ctx;
    if (f->kind != K_FILE) return f->kind == K_DIR ? ERR_ISDIR : ERR_INVAL;
    return vfs_truncate(f->f, size);
}

static int p_set_flags(void *ctx, struct wasi_port_file *f, unsigned flags)
{
    (void)ctx;
    if (f->kind == K_FILE && ((flags ^ f->flags) & WASI_PORT_O_APPEND))
        return ERR_NOTSUP; /* the VFS fixes APPEND at open */
    f->flags = (f->flags & ~(unsigned)WASI_PORT_O_NONBLOCK) | (flags & WASI_PORT_O_NONBLOCK);
    return 0;
}

static int p_readdir(void *ctx, struct wasi_port_file *dir, uint64_t cookie,
                     struct wasi_port_dirent *ent)
{
    (void)ctx;
    if (dir->kind != K_DIR) return ERR_NOTDIR;
    if (cookie < dir->dir_pos) {
        int err = vfs_rewinddir(dir->f);
        if (err < 0) return err;
        dir->dir_pos = 0;
    }
    struct vfs_dirent *e = kmalloc(sizeof *e);
    if (!e) return ERR_NOMEM;
    int r;
    do {
        r = vfs_readdir(dir->f, e);
        if (r == 1) dir->dir_pos++;
    } while (r == 1 && dir->dir_pos <= cookie);
    if (r == 1) {
        size_t n = strlen(e->name);
        if (n > WASI_PORT_NAME_MAX) n = WASI_PORT_NAME_MAX;
        memcpy(ent->name, e->name, n);
        ent->name[n] = '\0';
        ent->name_len = (uint16_t)n;
        ent->next = dir->dir_pos;
        ent->ino = e->st.ino;
        ent->filetype = e->st.is_dir ? WASI_PORT_FT_DIRECTORY : WASI_PORT_FT_REGULAR_FILE;
    }
    kfree(e);
    return r;
}

static int p_stat_at(void *ctx, struct wasi_port_file *dir, const char *path, bool follow,
                     struct wasi_port_stat *st)
{
    (void)ctx, (void)follow;
    char abs[VFS_PATH_MAX];
    int err = join(dir, path, abs);
    struct vfs_stat v;
    if (err == 0 && (err = vfs_stat(abs, &v)) == 0) to_port_stat(&v, st);
    return err;
}

#define PATH_CALL(fn)                                                                              \
    char abs[VFS_PATH_MAX];                                                                        \
    int err = join(dir, path, abs);                                                                \
    return err < 0 ? err : fn(abs)

static int p_mkdir_at(void *ctx, struct wasi_port_file *dir, const char *path)
{
    (void)ctx;
    PATH_CALL(vfs_mkdir);
}

static int p_unlink_at(void *ctx, struct wasi_port_file *dir, const char *path)
{
    (void)ctx;
    PATH_CALL(vfs_unlink);
}

static int p_rmdir_at(void *ctx, struct wasi_port_file *dir, const char *path)
{
    (void)ctx;
    PATH_CALL(vfs_rmdir);
}

/* Preview1 fstflags onto the VFS: *_NOW is the wall clock, times are
 * nanoseconds here and seconds in the VFS. */
static int set_times_path(const char *abs, uint64_t atim, uint64_t mtim, unsigned flags)
{
    if (((flags & WASI_PORT_ATIM) && (flags & WASI_PORT_ATIM_NOW)) ||
        ((flags & WASI_PORT_MTIM) && (flags & WASI_PORT_MTIM_NOW)))
        return ERR_INVAL;
    uint64_t now = clock_realtime_ns();
    int64_t a = (int64_t)((flags & WASI_PORT_ATIM_NOW ? now : atim) / NS_PER_SEC);
    int64_t m = (int64_t)((flags & WASI_PORT_MTIM_NOW ? now : mtim) / NS_PER_SEC);
    unsigned which = (flags & (WASI_PORT_ATIM | WASI_PORT_ATIM_NOW) ? VFS_SET_ATIME : 0) |
                     (flags & (WASI_PORT_MTIM | WASI_PORT_MTIM_NOW) ? VFS_SET_MTIME : 0);
    return which ? vfs_set_times(abs, a, m, which) : 0;
}

/* By the path the handle was opened with (the VFS has no set-times on a
 * handle): after a rename of the open file the old name is not found. */
static int p_set_times(void *ctx, struct wasi_port_file *f, uint64_t atim, uint64_t mtim,
                       unsigned flags)
{
    (void)ctx;
    if (f->kind != K_FILE && f->kind != K_DIR) return ERR_NOTSUP;
    return set_times_path(f->path, atim, mtim, flags);
}

static int p_set_times_at(void *ctx, struct wasi_port_file *dir, const char *path, bool follow,
                          uint64_t atim, uint64_t mtim, unsigned flags)
{
    (void)ctx, (void)follow; /* FAT has no symbolic links */
    char abs[VFS_PATH_MAX];
    int err = join(dir, path, abs);
    return err < 0 ? err : set_times_path(abs, atim, mtim, flags);
}

static int p_rename_at(void *ctx, struct wasi_port_file *fd, const char *from,
                       struct wasi_port_file *td, const char *to)
{
    (void)ctx;
    char a[VFS_PATH_MAX], b[VFS_PATH_MAX];
    int err = join(fd, from, a);
    if (err == 0) err = join(td, to, b);
    return err < 0 ? err : vfs_rename(a, b);
}

static int p_clock_now(void *ctx, enum wasi_port_clock c, uint64_t *ns)
{
    (void)ctx;
    switch (c) {
    case WASI_PORT_CLOCK_REALTIME: *ns = clock_realtime_ns(); return 0;
    case WASI_PORT_CLOCK_MONOTONIC: *ns = clock_monotonic_ns(); return 0;
    case WASI_PORT_CLOCK_PROCESS_CPU:
    case WASI_PORT_CLOCK_THREAD_CPU: {
        struct thread *t = thread_current(); /* one thread per app */
        *ns = t->run_ns + clock_tsc_to_ns(rdtsc() - t->switched_in_tsc);
        return 0;
    }
    }
    return ERR_INVAL;
}

static int p_clock_res(void *ctx, enum wasi_port_clock c, uint64_t *ns)
{
    (void)ctx;
    *ns = c == WASI_PORT_CLOCK_REALTIME ? 1 : 1;
    return c <= WASI_PORT_CLOCK_THREAD_CPU ? 0 : ERR_INVAL;
}

static int p_random(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    /* Without an entropy source the generator runs from timer jitter (the
     * boot log warned); apps still get bytes, only TLS refuses keys. */
    if (random_secure(buf, len) < 0) random_bytes(buf, len);
    return 0;
}

static void p_yield(void *ctx)
{
    (void)ctx;
    thread_yield();
}

/* ---- sockets ------------------------------------------------------------ */

static int addr_v4(const struct wasi_port_addr *a, uint32_t *ip)
{
    if (a->family != 4) return ERR_NOTSUP; /* KPIO's stack is IPv4 only */
    *ip = (uint32_t)a->addr[0] << 24 | (uint32_t)a->addr[1] << 16 | (uint32_t)a->addr[2] << 8 |
          a->addr[3];
    return 0;
}

static void to_addr(uint32_t ip, uint16_t port, struct wasi_port_addr *a)
{
    memset(a, 0, sizeof *a);
    a->family = 4;
    a->port = port;
    a->addr[0] = (uint8_t)(ip >> 24);
    a->addr[1] = (uint8_t)(ip >> 16);
    a->addr[2] = (uint8_t)(ip >> 8);
    a->addr[3] = (uint8_t)ip;
}

static struct wasi_port_sock *wrap_sock(struct ksock *k, bool udp)
{
    struct wasi_port_sock *s = kzalloc(sizeof *s);
    if (!s) {
        ksock_close(k);
        return NULL;
    }
    s->k = k;
    s->udp = udp;
    return s;
}

int kport_sock_borrow(struct ksock *k, struct wasi_port_sock **out)
{
    *out = kzalloc(sizeof **out);
    if (!*out) return ERR_NOMEM;
    (*out)->k = k;
    return 0;
}

void kport_sock_unborrow(struct wasi_port_sock *s)
{
    kfree(s);
}

static int p_tcp_connect(void *ctx, const struct wasi_port_addr *local,
                         const struct wasi_port_addr *remote, uint64_t deadline,
                         struct wasi_port_sock **out)
{
    (void)ctx, (void)local; /* the stack picks the local address and port */
    uint32_t ip;
    int err = addr_v4(remote, &ip);
    if (err < 0) return err;
    struct ksock *k;
    err = ksock_tcp_connect(ip, remote->port, to_kdeadline(deadline), &k);
    if (err < 0) return err;
    *out = wrap_sock(k, false);
    return *out ? 0 : ERR_NOMEM;
}

/* Non-blocking connect (port.h tcp_connect_start): lib/net finishes the
 * handshake on the net thread; p_wait sees NET_POLL_OUT or ERR/HUP. */
static int p_tcp_connect_start(void *ctx, const struct wasi_port_addr *local,
                               const struct wasi_port_addr *remote, struct wasi_port_sock **out)
{
    (void)ctx, (void)local; /* the stack picks the local address and port */
    uint32_t ip;
    int err = addr_v4(remote, &ip);
    if (err < 0) return err;
    struct ksock *k;
    err = ksock_tcp_connect_start(ip, remote->port, &k);
    if (err < 0) return err;
    *out = wrap_sock(k, false);
    return *out ? 0 : ERR_NOMEM;
}

static int p_tcp_connect_result(void *ctx, struct wasi_port_sock *s)
{
    (void)ctx;
    return ksock_tcp_connect_result(s->k);
}

static int p_tcp_listen(void *ctx, const struct wasi_port_addr *local, unsigned backlog,
                        struct wasi_port_sock **out)
{
    (void)ctx;
    uint32_t ip;
    int err = addr_v4(local, &ip);
    struct ksock *k;
    if (err == 0) err = ksock_tcp_listen(ip, local->port, (int)backlog, &k);
    if (err < 0) return err;
    *out = wrap_sock(k, false);
    return *out ? 0 : ERR_NOMEM;
}

static int p_tcp_accept(void *ctx, struct wasi_port_sock *s, struct wasi_port_sock **out)
{
    (void)ctx;
    struct ksock *k;
    int err = ksock_try_accept(s->k, &k);
    if (err < 0) return err;
    *out = wrap_sock(k, false);
    return *out ? 0 : ERR_NOMEM;
}

static long p_send(void *ctx, struct wasi_port_sock *s, const void *buf, size_t len)
{
    (void)ctx;
    return ksock_try_send(s->k, buf, len);
}

static long p_recv(void *ctx, struct wasi_port_sock *s, void *buf, size_t len)
{
    (void)ctx;
    return ksock_try_recv(s->k, buf, len);
}

static int p_shutdown(void *ctx, struct wasi_port_sock *s, int how)
{
    (void)ctx;
    /* lib/net: 0 = receiving, 1 = sending, 2 = both; the port's numbering
     * is the same. */
    return ksock_shutdown(s->k, how);
}

static int p_udp_open(void *ctx, const struct wasi_port_addr *local, struct wasi_port_sock **out)
{
    (void)ctx;
    uint32_t ip = 0;
    int err = local ? addr_v4(local, &ip) : 0;
    struct ksock *k;
    if (err == 0) err = ksock_udp_open(ip, local ? local->port : 0, &k);
    if (err < 0) return err;
    *out = wrap_sock(k, true);
    return *out ? 0 : ERR_NOMEM;
}

static long p_udp_sendto(void *ctx, struct wasi_port_sock *s, const void *buf, size_t len,
                         const struct wasi_port_addr *to)
{
    (void)ctx;
    uint32_t ip = 0;
    int err = to ? addr_v4(to, &ip) : 0;
    return err < 0 ? err : ksock_udp_sendto(s->k, buf, len, ip, to ? to->port : 0);
}

static long p_udp_recvfrom(void *ctx, struct wasi_port_sock *s, void *buf, size_t len,
                           struct wasi_port_addr *from)
{
    (void)ctx;
    uint32_t ip = 0;
    uint16_t port = 0;
    /* A deadline in the past: one non-blocking attempt. */
    long n = ksock_udp_recvfrom(s->k, buf, len, &ip, &port, 1);
    if (n == ERR_TIMEDOUT) return ERR_AGAIN;
    if (n >= 0 && from) to_addr(ip, port, from);
    return n;
}

static int p_sock_name(void *ctx, struct wasi_port_sock *s, struct wasi_port_addr *local,
                       struct wasi_port_addr *remote)
{
    (void)ctx;
    uint32_t la, ra;
    uint16_t lp, rp;
    ksock_name(s->k, &la, &lp, &ra, &rp);
    if (local) to_addr(la, lp, local);
    if (remote) {
        if (!ra && !rp) return ERR_NOTCONN;
        to_addr(ra, rp, remote);
    }
    return 0;
}

/* Options through lib/net (kernel/net): keep-alive times in ms, rounded
 * up and clamped to lib/net's range; the TTL of IPv4 packets. */
static int p_sock_set_option(void *ctx, struct wasi_port_sock *s, enum wasi_port_sockopt opt,
                             uint64_t value)
{
    (void)ctx;
    if (opt == WASI_PORT_IP_TTL) {
        if (value == 0) return ERR_INVAL;
        return ksock_set_ttl(s->k, value > 255 ? 255 : (uint8_t)value);
    }
    if (s->udp) return ERR_NOTSUP;
    if (opt == WASI_PORT_SO_KEEPALIVE) /* on/off only: the times stay as set */
        return ksock_set_keepalive(s->k, value != 0, 0, 0, 0);
    if (value == 0) return ERR_INVAL;
    uint64_t ms = value / 1000000u + (value % 1000000u ? 1 : 0);
    uint32_t v = ms > 0x80000000u ? 0x80000000u : (uint32_t)ms;
    switch (opt) {
    case WASI_PORT_TCP_KEEPIDLE: return ksock_set_keepalive(s->k, -1, v, 0, 0);
    case WASI_PORT_TCP_KEEPINTVL: return ksock_set_keepalive(s->k, -1, 0, v, 0);
    case WASI_PORT_TCP_KEEPCNT:
        return ksock_set_keepalive(s->k, -1, 0, 0, value > 255 ? 255 : (uint32_t)value);
    default: return ERR_NOTSUP;
    }
}

static void p_sock_close(void *ctx, struct wasi_port_sock *s)
{
    (void)ctx;
    ksock_close(s->k);
    kfree(s);
}

/* The port's answer for n of knet_resolve's addresses ips: a name without
 * A records is as unresolvable as no name at all (getaddrinfo's EAI_NODATA
 * on the host port); a CNAME loop is the servers' failure. */
static int resolved(int n, const uint32_t *ips, struct wasi_port_addr *addrs)
{
    if (n == ERR_NOENT) return ERR_NXDOMAIN;
    if (n == ERR_LOOP) return ERR_DNSFAIL;
    for (int i = 0; i < n; i++)
        to_addr(ips[i], 0, &addrs[i]);
    return n;
}

static int p_resolve(void *ctx, const char *name, struct wasi_port_addr *addrs, int max,
                     uint64_t deadline)
{
    (void)ctx;
    uint32_t ips[8];
    if (max > 8) max = 8;
    return resolved(knet_resolve(name, ips, max, to_kdeadline(deadline)), ips, addrs);
}

/* Non-blocking resolution (port.h resolve_start): the query is a ksock
 * that p_wait sees readable once the answer is in. */
static int p_resolve_start(void *ctx, const char *name, struct wasi_port_addr *addrs, int max,
                           struct wasi_port_sock **pending)
{
    (void)ctx, (void)max;
    uint32_t ip;
    struct ksock *k;
    int n = knet_resolve_start(name, &ip, &k);
    if (n == 1) to_addr(ip, 0, &addrs[0]);
    if (n != 0) return n;
    *pending = wrap_sock(k, true);
    return *pending ? 0 : ERR_NOMEM;
}

static int p_resolve_result(void *ctx, struct wasi_port_sock *pending, struct wasi_port_addr *addrs,
                            int max)
{
    (void)ctx;
    uint32_t ips[8];
    return resolved(knet_resolve_result(pending->k, ips, max > 8 ? 8 : max), ips, addrs);
}

/* ---- waiting ------------------------------------------------------------- */

static unsigned ready_of(struct kport *p, struct wasi_port_pollfd *fd)
{
    if (fd->sock) {
        unsigned ev = ksock_poll(fd->sock->k), r = 0;
        if (ev & NET_POLL_IN) r |= WASI_PORT_EV_IN;
        if (ev & NET_POLL_OUT) r |= WASI_PORT_EV_OUT;
        if (ev & NET_POLL_HUP) r |= WASI_PORT_EV_HUP | WASI_PORT_EV_IN;
        if (ev & NET_POLL_ERR) r |= WASI_PORT_EV_ERR;
        return r & (fd->events | WASI_PORT_EV_HUP | WASI_PORT_EV_ERR);
    }
    struct wasi_port_file *f = fd->file;
    fd->nbytes = 0;
    if (f->kind >= K_STDIN && redirected(f)) {
        size_t readable;
        bool eof, writable;
        kstream_poll(f->s, &readable, &eof, &writable);
        fd->nbytes = readable;
        unsigned r = 0;
        if (f->kind == K_STDIN && (readable || eof)) r |= WASI_PORT_EV_IN;
        if (f->kind != K_STDIN && writable) r |= WASI_PORT_EV_OUT;
        return r & fd->events;
    }
    if (f->kind == K_STDIN) {
        if (p->background) return fd->events & WASI_PORT_EV_IN; /* end of input at once */
        size_t n = serial_rx_available();
        fd->nbytes = n;
        return n ? (fd->events & WASI_PORT_EV_IN) : 0;
    }
    if (f->kind == K_FILE && (fd->events & WASI_PORT_EV_IN)) {
        struct vfs_stat st;
        uint64_t pos;
        if (vfs_fstat(f->f, &st) == 0 && vfs_seek(f->f, 0, VFS_SEEK_CUR, &pos) == 0)
            fd->nbytes = st.size > pos ? st.size - pos : 0;
    }
    return fd->events & (WASI_PORT_EV_IN | WASI_PORT_EV_OUT); /* files are always ready */
}

/* Waits until one of fds is ready or deadline; past the kill deadline
 * (serve's handler deadline) the wait ends with ERR_CANCELED instead. */
static int p_wait(void *ctx, struct wasi_port_pollfd *fds, size_t n, uint64_t deadline)
{
    struct kport *p = kp(ctx);
    bool killable = p->kill_deadline && *p->kill_deadline <= deadline;
    if (killable) deadline = *p->kill_deadline;
    for (;;) {
        uint32_t gen = iopoll_gen;
        int ready = 0;
        for (size_t i = 0; i < n; i++) {
            fds[i].revents = ready_of(p, &fds[i]);
            if (fds[i].revents) ready++;
        }
        if (ready) return ready;
        bool past = deadline != WASI_PORT_NO_DEADLINE && clock_monotonic_ns() >= deadline;
        int err =
            past ? ERR_TIMEDOUT : WAIT_EVENT(&iopoll_wq, iopoll_gen != gen, to_kdeadline(deadline));
        if (err == ERR_TIMEDOUT) return killable ? ERR_CANCELED : 0;
        if (err < 0) return err;
    }
}

const struct wasi_port_ops kport_ops = {
    .stdio = p_stdio,
    .open_at = p_open_at,
    .close = p_close,
    .read = p_read,
    .write = p_write,
    .pread = p_pread,
    .pwrite = p_pwrite,
    .seek = p_seek,
    .sync = p_sync,
    .fstat = p_fstat,
    .set_size = p_set_size,
    .set_flags = p_set_flags,
    .readdir = p_readdir,
    .stat_at = p_stat_at,
    .set_times_at = p_set_times_at,
    .set_times = p_set_times,
    .mkdir_at = p_mkdir_at,
    .unlink_at = p_unlink_at,
    .rmdir_at = p_rmdir_at,
    .rename_at = p_rename_at,
    .clock_now = p_clock_now,
    .clock_res = p_clock_res,
    .random = p_random,
    .yield = p_yield,
    .tcp_connect = p_tcp_connect,
    .tcp_connect_start = p_tcp_connect_start,
    .tcp_connect_result = p_tcp_connect_result,
    .tcp_listen = p_tcp_listen,
    .tcp_accept = p_tcp_accept,
    .send = p_send,
    .recv = p_recv,
    .shutdown = p_shutdown,
    .udp_open = p_udp_open,
    .udp_sendto = p_udp_sendto,
    .udp_recvfrom = p_udp_recvfrom,
    .sock_name = p_sock_name,
    .sock_close = p_sock_close,
    .sock_set_option = p_sock_set_option,
    .resolve = p_resolve,
    .resolve_start = p_resolve_start,
    .resolve_result = p_resolve_result,
    .wait = p_wait,
};
