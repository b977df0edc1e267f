/*
 * lib/wasi/p1_fd.c - preview1 descriptor calls: fd_read/write (also
 * positional), seek/tell, close, sync, fdstat, filestat, readdir,
 * renumber, prestat, advise, allocate (wasi_snapshot_preview1.witx).
 *
 * Data moves straight between guest memory and the port: every iovec is
 * checked against linear memory first (all of them, before any I/O, so a
 * bad pointer fails with EFAULT and no side effect), then its host pointer
 * goes to the port's read/write. Each call checks the descriptor's rights
 * as the witx defines them; a missing right is `notcapable`.
 */
#include "base/env.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/internal.h"

int wasi_p1_ret(struct wasm_host_call *call, wasm_value *results, int err)
{
    if (err == ERR_CANCELED) return wasm_host_trap(call, "killed");
    results[0].u32 = wasi_errno_from_err(err);
    return 0;
}

/* The descriptor n with all of the rights in need: 0 and *out, ERR_BADF,
 * or WASI_ERR_NOTCAPABLE. */
static int fd_lookup(struct wasi_ctx *w, uint32_t n, uint64_t need, struct wasi_fd **out)
{
    struct wasi_fd *fd = wasi_fd_get(w, n);
    if (!fd) return ERR_BADF;
    if ((fd->rights_base & need) != need) return WASI_ERR_NOTCAPABLE;
    *out = fd;
    return 0;
}

#define MAX_IOVS 1024 /* IOV_MAX of wasi-libc; more is EINVAL */

/* Checks the iovec array at iovs (count entries) and every buffer in it.
 * Returns 0, ERR_FAULT or ERR_INVAL. */
static int iovs_check(struct wasm_host_call *call, uint32_t iovs, uint32_t count)
{
    if (count > MAX_IOVS) return ERR_INVAL;
    const uint8_t *v = guest_ptr(call, iovs, (uint64_t)count * 8);
    if (!v) return ERR_FAULT;
    for (uint32_t i = 0; i < count; i++)
        if (!guest_ptr(call, le32_get(v + i * 8), le32_get(v + i * 8 + 4))) return ERR_FAULT;
    return 0;
}

enum io_kind { IO_READ, IO_WRITE, IO_PREAD, IO_PWRITE };

/* One transfer on a file through the port. */
static long file_io(struct wasi_ctx *w, struct wasi_fd *fd, enum io_kind k, uint8_t *buf,
                    size_t len, uint64_t off)
{
    const struct wasi_port_ops *o = w->port.ops;
    switch (k) {
    case IO_READ: return o->read(w->port.ctx, fd->file, buf, len);
    case IO_WRITE: return o->write(w->port.ctx, fd->file, buf, len);
    case IO_PREAD: return o->pread(w->port.ctx, fd->file, buf, len, off);
    case IO_PWRITE: return o->pwrite(w->port.ctx, fd->file, buf, len, off);
    }
    return ERR_INVAL;
}

/* One transfer on a socket: non-blocking port calls, waiting for readiness
 * unless the descriptor is NONBLOCK. */
static long sock_io(struct wasi_ctx *w, struct wasi_fd *fd, bool write, uint8_t *buf, size_t len)
{
    const struct wasi_port_ops *o = w->port.ops;
    for (;;) {
        long n = write ? o->send(w->port.ctx, fd->sock, buf, len)
                       : o->recv(w->port.ctx, fd->sock, buf, len);
        if (n != ERR_AGAIN || (fd->fdflags & FDFLAG_NONBLOCK)) return n;
        struct wasi_port_pollfd p = {.sock = fd->sock,
                                     .events = write ? WASI_PORT_EV_OUT : WASI_PORT_EV_IN};
        int rc = o->wait(w->port.ctx, &p, 1, WASI_PORT_NO_DEADLINE);
        if (rc < 0) return rc;
    }
}

/* Runs a vectored transfer over the checked iovecs: the total moved (a
 * short transfer stops it), or the error if nothing moved. */
static long vec_io(struct wasm_host_call *call, struct wasi_fd *fd, enum io_kind k, uint32_t iovs,
                   uint32_t count, uint64_t off)
{
    struct wasi_ctx *w = call_ctx(call);
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *v = guest_ptr(call, iovs + (uint64_t)i * 8, 8);
        uint32_t len = le32_get(v + 4);
        uint8_t *buf = guest_ptr(call, le32_get(v), len);
        if (len == 0) continue;
        if (total + len > UINT32_MAX) len = (uint32_t)(UINT32_MAX - total);
        long n = fd->sock ? sock_io(w, fd, k == IO_WRITE, buf, len)
                          : file_io(w, fd, k, buf, len, off + total);
        if (n < 0) return total ? (long)total : n;
        total += (uint64_t)n;
        if ((uint32_t)n < len || total >= UINT32_MAX) break;
    }
    return (long)total;
}

/* The common body of fd_read, fd_write, fd_pread, fd_pwrite. */
static int do_io(struct wasm_host_call *call, wasm_value *r, enum io_kind k, uint32_t fdn,
                 uint32_t iovs, uint32_t count, uint64_t off, uint32_t result_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    uint64_t need = (k == IO_READ || k == IO_PREAD) ? R_FD_READ : R_FD_WRITE;
    if (k == IO_PREAD || k == IO_PWRITE) need |= R_FD_SEEK;
    struct wasi_fd *fd;
    int rc = fd_lookup(w, fdn, need, &fd);
    if (rc == 0 && fd->filetype == WASI_PORT_FT_DIRECTORY) rc = ERR_ISDIR;
    if (rc == 0 && (k == IO_PREAD || k == IO_PWRITE) && fd->sock) rc = ERR_SPIPE;
    if (rc == 0 && (k == IO_PREAD || k == IO_PWRITE) && off > INT64_MAX) rc = ERR_INVAL;
    if (rc == 0 && !guest_ptr(call, result_ptr, 4)) rc = ERR_FAULT;
    if (rc == 0) rc = iovs_check(call, iovs, count);
    if (rc) return wasi_p1_ret(call, r, rc);
    long n = vec_io(call, fd, k, iovs, count, off);
    if (n < 0) return wasi_p1_ret(call, r, (int)n);
    le32_put(guest_ptr(call, result_ptr, 4), (uint32_t)n);
    return wasi_p1_ret(call, r, 0);
}

P1_DECL(fd_read)
{
    return do_io(call, r, IO_READ, a[0].u32, a[1].u32, a[2].u32, 0, a[3].u32);
}

P1_DECL(fd_write)
{
    return do_io(call, r, IO_WRITE, a[0].u32, a[1].u32, a[2].u32, 0, a[3].u32);
}

P1_DECL(fd_pread)
{
    return do_io(call, r, IO_PREAD, a[0].u32, a[1].u32, a[2].u32, a[3].u64, a[4].u32);
}

P1_DECL(fd_pwrite)
{
    return do_io(call, r, IO_PWRITE, a[0].u32, a[1].u32, a[2].u32, a[3].u64, a[4].u32);
}

/* fd_seek(fd, offset: filedelta, whence, newoffset: *filesize) */
P1_DECL(fd_seek)
{
    struct wasi_ctx *w = call_ctx(call);
    int64_t off = a[1].i64;
    uint32_t whence = a[2].u32;
    uint64_t need = (off == 0 && whence == 1) ? R_FD_TELL : R_FD_SEEK;
    struct wasi_fd *fd;
    int rc = fd_lookup(w, a[0].u32, need, &fd);
    if (rc == WASI_ERR_NOTCAPABLE && need == R_FD_TELL) rc = fd_lookup(w, a[0].u32, R_FD_SEEK, &fd);
    if (rc) return wasi_p1_ret(call, r, rc);
    if (whence > 2) return wasi_p1_ret(call, r, ERR_INVAL);
    if (fd->sock || fd->filetype == WASI_PORT_FT_DIRECTORY)
        return wasi_p1_ret(call, r, fd->sock ? ERR_SPIPE : ERR_BADF);
    uint8_t *out = guest_ptr(call, a[3].u32, 8);
    if (!out) return wasi_p1_ret(call, r, ERR_FAULT);
    uint64_t pos;
    rc = w->port.ops->seek(w->port.ctx, fd->file, off, (int)whence, &pos);
    if (rc) return wasi_p1_ret(call, r, rc);
    le64_put(guest_ptr(call, a[3].u32, 8), pos);
    return wasi_p1_ret(call, r, 0);
}

/* fd_tell(fd, offset: *filesize) */
P1_DECL(fd_tell)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    int rc = fd_lookup(w, a[0].u32, R_FD_TELL, &fd);
    if (rc) return wasi_p1_ret(call, r, rc);
    if (fd->sock || fd->filetype == WASI_PORT_FT_DIRECTORY)
        return wasi_p1_ret(call, r, fd->sock ? ERR_SPIPE : ERR_BADF);
    if (!guest_ptr(call, a[1].u32, 8)) return wasi_p1_ret(call, r, ERR_FAULT);
    uint64_t pos;
    rc = w->port.ops->seek(w->port.ctx, fd->file, 0, 1, &pos);
    if (rc) return wasi_p1_ret(call, r, rc);
    le64_put(guest_ptr(call, a[1].u32, 8), pos);
    return wasi_p1_ret(call, r, 0);
}

P1_DECL(fd_close)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd = wasi_fd_get(w, a[0].u32);
    if (!fd) return wasi_p1_ret(call, r, ERR_BADF);
    w->fds[a[0].u32] = NULL;
    return wasi_p1_ret(call, r, wasi_fd_destroy(w, fd));
}

static int do_sync(struct wasm_host_call *call, wasm_value *r, uint32_t fdn, bool data_only)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    int rc = fd_lookup(w, fdn, data_only ? R_FD_DATASYNC : R_FD_SYNC, &fd);
    if (rc == 0 && fd->sock) rc = ERR_INVAL;
    if (rc == 0) rc = w->port.ops->sync(w->port.ctx, fd->file, data_only);
    return wasi_p1_ret(call, r, rc);
}

P1_DECL(fd_sync)
{
    return do_sync(call, r, a[0].u32, false);
}

P1_DECL(fd_datasync)
{
    return do_sync(call, r, a[0].u32, true);
}

/* fd_fdstat_get(fd, buf: *fdstat): 24 bytes, filetype @0, flags @2,
 * rights_base @8, rights_inheriting @16. */
P1_DECL(fd_fdstat_get)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd = wasi_fd_get(w, a[0].u32);
    if (!fd) return wasi_p1_ret(call, r, ERR_BADF);
    uint8_t *out = guest_ptr(call, a[1].u32, 24);
    if (!out) return wasi_p1_ret(call, r, ERR_FAULT);
    memset(out, 0, 24);
    out[0] = fd->filetype;
    le16_put(out + 2, fd->fdflags);
    le64_put(out + 8, fd->rights_base);
    le64_put(out + 16, fd->rights_inh);
    return wasi_p1_ret(call, r, 0);
}

/* fd_fdstat_set_flags(fd, flags): APPEND and NONBLOCK can change. */
P1_DECL(fd_fdstat_set_flags)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    int rc = fd_lookup(w, a[0].u32, R_FD_FDSTAT_SET_FLAGS, &fd);
    if (rc) return wasi_p1_ret(call, r, rc);
    uint32_t flags = a[1].u32;
    if (flags &
        ~(uint32_t)(FDFLAG_APPEND | FDFLAG_NONBLOCK | FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC))
        return wasi_p1_ret(call, r, ERR_INVAL);
    if ((flags ^ fd->fdflags) & (FDFLAG_DSYNC | FDFLAG_RSYNC | FDFLAG_SYNC))
        return wasi_p1_ret(call, r, ERR_NOTSUP);
    if (fd->sock) { /* sockets: NONBLOCK is lib/wasi's own (sock_io) */
        fd->fdflags = (uint16_t)flags;
        return wasi_p1_ret(call, r, flags & FDFLAG_APPEND ? ERR_INVAL : 0);
    }
    unsigned pf = (flags & FDFLAG_APPEND ? WASI_PORT_O_APPEND : 0) |
                  (flags & FDFLAG_NONBLOCK ? WASI_PORT_O_NONBLOCK : 0);
    if (!w->port.ops->set_flags)
        rc = ERR_NOTSUP;
    else
        rc = w->port.ops->set_flags(w->port.ctx, fd->file, pf);
    if (rc == 0) fd->fdflags = (uint16_t)flags;
    return wasi_p1_ret(call, r, rc);
}

/* fd_fdstat_set_rights(fd, base, inheriting): rights can only shrink. */
P1_DECL(fd_fdstat_set_rights)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd = wasi_fd_get(w, a[0].u32);
    if (!fd) return wasi_p1_ret(call, r, ERR_BADF);
    uint64_t base = a[1].u64, inh = a[2].u64;
    if ((base & ~fd->rights_base) || (inh & ~fd->rights_inh))
        return wasi_p1_ret(call, r, WASI_ERR_NOTCAPABLE);
    fd->rights_base = base;
    fd->rights_inh = inh;
    return wasi_p1_ret(call, r, 0);
}

/* Writes a preview1 filestat (64 bytes) at out. */
void wasi_put_filestat(uint8_t *out, const struct wasi_port_stat *st)
{
    memset(out, 0, 64);
    le64_put(out + 0, st->dev);
    le64_put(out + 8, st->ino);
    out[16] = st->filetype;
    le64_put(out + 24, st->nlink);
    le64_put(out + 32, st->size);
    le64_put(out + 40, st->atim);
    le64_put(out + 48, st->mtim);
    le64_put(out + 56, st->ctim);
}

P1_DECL(fd_filestat_get)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    int rc = fd_lookup(w, a[0].u32, R_FD_FILESTAT_GET, &fd);
    if (rc) return wasi_p1_ret(call, r, rc);
    if (!guest_ptr(call, a[1].u32, 64)) return wasi_p1_ret(call, r, ERR_FAULT);
    struct wasi_port_stat st = {0};
    if (fd->sock)
        st.filetype = fd->filetype;
    else
        rc = w->port.ops->fstat(w->port.ctx, fd->file, &st);
    if (rc == 0) wasi_put_filestat(guest_ptr(call, a[1].u32, 64), &st);
    return wasi_p1_ret(call, r, rc);
}

P1_DECL(fd_filestat_set_size)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    int rc = fd_lookup(w, a[0].u32, R_FD_FILESTAT_SET_SIZE, &fd);
    if (rc == 0 && (fd->sock || fd->filetype == WASI_PORT_FT_DIRECTORY))
        rc = fd->sock ? ERR_INVAL : ERR_ISDIR;
    if (rc == 0 && a[1].u64 > INT64_MAX) rc = ERR_INVAL;
    if (rc == 0) rc = w->port.ops->set_size(w->port.ctx, fd->file, a[1].u64);
    return wasi_p1_ret(call, r, rc);
}

/* Checks fstflags: ATIM with ATIM_NOW (or MTIM with MTIM_NOW) is EINVAL. */
int wasi_check_fstflags(uint32_t f)
{
    if (f & ~15u) return ERR_INVAL;
    if ((f & 3) == 3 || (f & 12) == 12) return ERR_INVAL;
    return 0;
}

P1_DECL(fd_filestat_set_times)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    int rc = fd_lookup(w, a[0].u32, R_FD_FILESTAT_SET_TIMES, &fd);
    if (rc == 0) rc = wasi_check_fstflags(a[3].u32);
    if (rc == 0 && fd->sock) rc = ERR_INVAL;
    if (rc == 0 && !w->port.ops->set_times) rc = ERR_NOTSUP;
    if (rc == 0 && a[3].u32)
        rc = w->port.ops->set_times(w->port.ctx, fd->file, a[1].u64, a[2].u64, a[3].u32);
    return wasi_p1_ret(call, r, rc);
}

/* fd_advise(fd, offset, len, advice): a hint, accepted and ignored. */
P1_DECL(fd_advise)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    int rc = fd_lookup(w, a[0].u32, R_FD_ADVISE, &fd);
    if (rc == 0 && a[3].u32 > 5) rc = ERR_INVAL;
    if (rc == 0 && (fd->sock || fd->filetype == WASI_PORT_FT_DIRECTORY))
        rc = fd->sock ? ERR_SPIPE : ERR_BADF;
    return wasi_p1_ret(call, r, rc);
}

/* fd_allocate(fd, offset, len): through the port, or by extending the file
 * with set_size when the port has no allocate. */
P1_DECL(fd_allocate)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    uint64_t off = a[1].u64, len = a[2].u64;
    int rc = fd_lookup(w, a[0].u32, R_FD_ALLOCATE, &fd);
    if (rc == 0 && (fd->sock || fd->filetype == WASI_PORT_FT_DIRECTORY))
        rc = fd->sock ? ERR_SPIPE : ERR_BADF;
    if (rc == 0 && (len == 0 || off > INT64_MAX || len > (uint64_t)INT64_MAX - off))
        rc = len == 0 ? ERR_INVAL : ERR_FBIG;
    if (rc) return wasi_p1_ret(call, r, rc);
    if (w->port.ops->allocate)
        return wasi_p1_ret(call, r, w->port.ops->allocate(w->port.ctx, fd->file, off, len));
    struct wasi_port_stat st;
    rc = w->port.ops->fstat(w->port.ctx, fd->file, &st);
    if (rc == 0 && st.size < off + len)
        rc = w->port.ops->set_size(w->port.ctx, fd->file, off + len);
    return wasi_p1_ret(call, r, rc);
}

/* Writes one dirent (header then name, truncated at the end of the
 * buffer as the witx allows) at buf+used; returns the new used. */
static uint32_t put_dirent(uint8_t *buf, uint32_t size, uint32_t used, uint64_t next, uint64_t ino,
                           uint8_t type, const char *name, uint32_t namelen)
{
    uint8_t hdr[24] = {0};
    le64_put(hdr, next);
    le64_put(hdr + 8, ino);
    le32_put(hdr + 16, namelen);
    hdr[20] = type;
    uint32_t n = MIN((uint32_t)24, size - used);
    memcpy(buf + used, hdr, n);
    used += n;
    n = MIN(namelen, size - used);
    memcpy(buf + used, name, n);
    return used + n;
}

/* fd_readdir(fd, buf, buf_len, cookie, bufused). Cookies: 0 ".", 1 "..",
 * then the port's cookie c as c + 2. */
P1_DECL(fd_readdir)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    uint32_t size = a[2].u32;
    uint64_t cookie = a[3].u64;
    int rc = fd_lookup(w, a[0].u32, R_FD_READDIR, &fd);
    if (rc == 0 && fd->filetype != WASI_PORT_FT_DIRECTORY) rc = ERR_NOTDIR;
    if (rc == 0 && (!guest_ptr(call, a[1].u32, size) || !guest_ptr(call, a[4].u32, 4)))
        rc = ERR_FAULT;
    if (rc) return wasi_p1_ret(call, r, rc);
    struct wasi_port_dirent *ent = mem_alloc(sizeof *ent);
    if (!ent) return wasi_p1_ret(call, r, ERR_NOMEM);
    uint8_t *buf = guest_ptr(call, a[1].u32, size);
    uint32_t used = 0;
    struct wasi_port_stat st;
    uint64_t dir_ino = w->port.ops->fstat(w->port.ctx, fd->file, &st) == 0 ? st.ino : 0;
    for (; cookie < 2 && used < size; cookie++)
        used = put_dirent(buf, size, used, cookie + 1, cookie ? 0 : dir_ino, WASI_PORT_FT_DIRECTORY,
                          "..", (uint32_t)cookie + 1);
    while (used < size) {
        rc = w->port.ops->readdir(w->port.ctx, fd->file, cookie - 2, ent);
        if (rc <= 0) break;
        cookie = ent->next + 2;
        if ((ent->name_len == 1 && ent->name[0] == '.') ||
            (ent->name_len == 2 && ent->name[0] == '.' && ent->name[1] == '.'))
            continue;
        used =
            put_dirent(buf, size, used, cookie, ent->ino, ent->filetype, ent->name, ent->name_len);
    }
    mem_free(ent);
    if (rc < 0) return wasi_p1_ret(call, r, rc);
    le32_put(guest_ptr(call, a[4].u32, 4), used);
    return wasi_p1_ret(call, r, 0);
}

/* fd_renumber(from, to): to is closed, from moves there. */
P1_DECL(fd_renumber)
{
    struct wasi_ctx *w = call_ctx(call);
    uint32_t from = a[0].u32, to = a[1].u32;
    struct wasi_fd *f = wasi_fd_get(w, from), *t = wasi_fd_get(w, to);
    if (!f || !t) return wasi_p1_ret(call, r, ERR_BADF);
    if (from == to) return wasi_p1_ret(call, r, 0);
    w->fds[to] = f;
    w->fds[from] = NULL;
    wasi_fd_destroy(w, t);
    return wasi_p1_ret(call, r, 0);
}

/* fd_prestat_get(fd, buf: *prestat): tag 0 (dir) @0, name length @4. */
P1_DECL(fd_prestat_get)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd = wasi_fd_get(w, a[0].u32);
    if (!fd || !fd->preopen) return wasi_p1_ret(call, r, ERR_BADF);
    uint8_t *out = guest_ptr(call, a[1].u32, 8);
    if (!out) return wasi_p1_ret(call, r, ERR_FAULT);
    memset(out, 0, 8);
    le32_put(out + 4, (uint32_t)strlen(fd->preopen));
    return wasi_p1_ret(call, r, 0);
}

/* fd_prestat_dir_name(fd, path, path_len): the name, not NUL-terminated. */
P1_DECL(fd_prestat_dir_name)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd = wasi_fd_get(w, a[0].u32);
    if (!fd || !fd->preopen) return wasi_p1_ret(call, r, ERR_BADF);
    size_t n = strlen(fd->preopen);
    if (a[2].u32 < n) return wasi_p1_ret(call, r, ERR_NAMETOOLONG);
    uint8_t *out = guest_ptr(call, a[1].u32, n);
    if (!out) return wasi_p1_ret(call, r, ERR_FAULT);
    memcpy(out, fd->preopen, n);
    return wasi_p1_ret(call, r, 0);
}
