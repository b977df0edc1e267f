/*
 * lib/wasi/p1_path.c - preview1 path calls: path_open, create_directory,
 * unlink_file, remove_directory, rename, filestat_get/set_times, readlink,
 * symlink, link (wasi_snapshot_preview1.witx).
 *
 * Every path is read from guest memory with its length checked, confined
 * by wasi_path_confine() (no absolute paths, no ".." above the directory,
 * bounded lengths) and only then handed to the port with the directory
 * descriptor's port handle. Rights follow the witx: the directory needs
 * the right named after the call; an opened descriptor gets the rights
 * asked for, limited by the directory's inheriting rights and by what its
 * type supports.
 */
#include "base/env.h"
#include "base/mem.h"
#include "wasi/internal.h"

#define LOOKUP_SYMLINK_FOLLOW 1u

/* oflags (witx `oflags`). */
enum { OFLAG_CREAT = 1, OFLAG_DIRECTORY = 2, OFLAG_EXCL = 4, OFLAG_TRUNC = 8 };

/* A directory descriptor with the right need and a confined path. */
struct at_path {
    struct wasi_fd *dir;
    unsigned flags; /* WASI_PATH_* */
    char path[WASI_PORT_PATH_MAX + 1];
};

/* Resolves (dirfd, guest path ptr/len) into *ap: 0, ERR_BADF, ERR_NOTDIR,
 * WASI_ERR_NOTCAPABLE, ERR_FAULT or a path error. */
static int at_resolve(struct wasm_host_call *call, uint32_t dirfd, uint64_t need, uint32_t ptr,
                      uint32_t len, struct at_path *ap)
{
    struct wasi_fd *dir = wasi_fd_get(call_ctx(call), dirfd);
    if (!dir) return ERR_BADF;
    if (dir->filetype != WASI_PORT_FT_DIRECTORY || dir->sock) return ERR_NOTDIR;
    if ((dir->rights_base & need) != need) return WASI_ERR_NOTCAPABLE;
    const char *p = (const char *)guest_ptr(call, ptr, len);
    if (!p) return ERR_FAULT;
    int rc = wasi_path_confine(p, len, ap->path, &ap->flags);
    if (rc < 0) return rc;
    ap->dir = dir;
    return 0;
}

static bool is_dot(const struct at_path *ap)
{
    return ap->path[0] == '.' && ap->path[1] == 0;
}

/* Port open flags and access from path_open's arguments. */
static unsigned open_flags(uint32_t dirflags, uint32_t oflags, uint64_t rights, uint32_t fdflags,
                           const struct at_path *ap)
{
    unsigned f = 0;
    if (!(dirflags & LOOKUP_SYMLINK_FOLLOW)) f |= WASI_PORT_O_NOFOLLOW;
    if (oflags & OFLAG_CREAT) f |= WASI_PORT_O_CREAT;
    if (oflags & OFLAG_EXCL) f |= WASI_PORT_O_EXCL;
    if (oflags & OFLAG_TRUNC) f |= WASI_PORT_O_TRUNC;
    if ((oflags & OFLAG_DIRECTORY) || (ap->flags & WASI_PATH_TRAILING_SLASH))
        f |= WASI_PORT_O_DIRECTORY;
    if (fdflags & FDFLAG_APPEND) f |= WASI_PORT_O_APPEND;
    if (fdflags & (FDFLAG_SYNC | FDFLAG_DSYNC | FDFLAG_RSYNC)) f |= WASI_PORT_O_SYNC;
    if (fdflags & FDFLAG_NONBLOCK) f |= WASI_PORT_O_NONBLOCK;
    bool write = (rights & (R_FD_WRITE | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE)) ||
                 (oflags & OFLAG_TRUNC) || (fdflags & FDFLAG_APPEND);
    bool read = (rights & (R_FD_READ | R_FD_READDIR)) || !write;
    /* A directory asked for writing is the port's EISDIR, as on Linux: the
     * access is passed on as asked, never forced to read-only. */
    return f | (read ? WASI_PORT_O_READ : 0) | (write ? WASI_PORT_O_WRITE : 0);
}

/* path_open(fd, dirflags, path, path_len, oflags, fs_rights_base,
 * fs_rights_inheriting, fdflags, opened_fd: *fd) */
P1_DECL(path_open)
{
    struct wasi_ctx *w = call_ctx(call);
    uint32_t oflags = a[4].u32, fdflags = a[7].u32;
    uint64_t need = R_PATH_OPEN;
    if (oflags & OFLAG_CREAT) need |= R_PATH_CREATE_FILE;
    if (oflags & OFLAG_TRUNC) need |= R_PATH_FILESTAT_SET_SIZE;
    struct at_path *ap = mem_alloc(sizeof *ap);
    if (!ap) return wasi_p1_ret(call, r, ERR_NOMEM);
    int rc = at_resolve(call, a[0].u32, need, a[2].u32, a[3].u32, ap);
    if (rc == 0 && (oflags & ~15u || fdflags & ~31u)) rc = ERR_INVAL;
    /* Linux: O_CREAT on "name/" is EISDIR whatever name is (open_last_lookups) */
    if (rc == 0 && (oflags & OFLAG_CREAT) && (ap->flags & WASI_PATH_TRAILING_SLASH)) rc = ERR_ISDIR;
    if (rc == 0 && (oflags & OFLAG_DIRECTORY) && (oflags & (OFLAG_CREAT | OFLAG_TRUNC)))
        rc = ERR_INVAL;
    if (rc == 0 && !guest_ptr(call, a[8].u32, 4)) rc = ERR_FAULT;
    struct wasi_port_file *file = NULL;
    struct wasi_fd *fd = NULL;
    if (rc == 0) {
        unsigned f = open_flags(a[1].u32, oflags, a[5].u64, fdflags, ap);
        rc = w->port.ops->open_at(w->port.ctx, ap->dir->file, ap->path, f, &file);
    }
    if (rc == 0 && !(fd = mem_zalloc(sizeof *fd))) {
        w->port.ops->close(w->port.ctx, file);
        rc = ERR_NOMEM;
    }
    if (rc) {
        mem_free(ap);
        return wasi_p1_ret(call, r, rc);
    }
    struct wasi_port_stat st = {.filetype = WASI_PORT_FT_REGULAR_FILE};
    w->port.ops->fstat(w->port.ctx, file, &st);
    fd->file = file;
    fd->owned = true;
    fd->filetype = st.filetype;
    fd->fdflags = (uint16_t)fdflags;
    uint64_t type_rights = st.filetype == WASI_PORT_FT_DIRECTORY      ? RIGHTS_DIR
                           : st.filetype == WASI_PORT_FT_REGULAR_FILE ? RIGHTS_FILE
                                                                      : RIGHTS_TTY;
    fd->rights_base = a[5].u64 & ap->dir->rights_inh & type_rights;
    fd->rights_inh = a[6].u64 & ap->dir->rights_inh;
    mem_free(ap);
    int n = wasi_fd_install(w, fd, 3);
    if (n < 0) {
        wasi_fd_destroy(w, fd);
        return wasi_p1_ret(call, r, n);
    }
    le32_put(guest_ptr(call, a[8].u32, 4), (uint32_t)n);
    return wasi_p1_ret(call, r, 0);
}

/* The calls that take (fd, path, path_len) and act on the path with one
 * port function. */
enum simple_op { OP_MKDIR, OP_UNLINK, OP_RMDIR };

static int simple_path_op(struct wasm_host_call *call, const wasm_value *a, wasm_value *r,
                          enum simple_op op, uint64_t need)
{
    struct wasi_ctx *w = call_ctx(call);
    const struct wasi_port_ops *o = w->port.ops;
    struct at_path *ap = mem_alloc(sizeof *ap);
    if (!ap) return wasi_p1_ret(call, r, ERR_NOMEM);
    int rc = at_resolve(call, a[0].u32, need, a[1].u32, a[2].u32, ap);
    if (rc == 0 && is_dot(ap))
        rc = op == OP_MKDIR ? ERR_EXIST : op == OP_UNLINK ? ERR_ISDIR : ERR_INVAL;
    if (rc == 0) {
        switch (op) {
        case OP_MKDIR: rc = o->mkdir_at(w->port.ctx, ap->dir->file, ap->path); break;
        case OP_RMDIR: rc = o->rmdir_at(w->port.ctx, ap->dir->file, ap->path); break;
        case OP_UNLINK:
            if (ap->flags & WASI_PATH_TRAILING_SLASH) {
                /* "name/" names a directory: EISDIR for one, else ENOTDIR. */
                struct wasi_port_stat st;
                rc = o->stat_at(w->port.ctx, ap->dir->file, ap->path, false, &st);
                if (rc == 0) rc = st.filetype == WASI_PORT_FT_DIRECTORY ? ERR_ISDIR : ERR_NOTDIR;
            } else {
                rc = o->unlink_at(w->port.ctx, ap->dir->file, ap->path);
            }
            break;
        }
    }
    mem_free(ap);
    return wasi_p1_ret(call, r, rc);
}

P1_DECL(path_create_directory)
{
    return simple_path_op(call, a, r, OP_MKDIR, R_PATH_CREATE_DIRECTORY);
}

P1_DECL(path_unlink_file)
{
    return simple_path_op(call, a, r, OP_UNLINK, R_PATH_UNLINK_FILE);
}

P1_DECL(path_remove_directory)
{
    return simple_path_op(call, a, r, OP_RMDIR, R_PATH_REMOVE_DIRECTORY);
}

/* path_rename(fd, old_path, old_len, new_fd, new_path, new_len) */
P1_DECL(path_rename)
{
    struct wasi_ctx *w = call_ctx(call);
    struct at_path *from = mem_alloc(2 * sizeof *from);
    if (!from) return wasi_p1_ret(call, r, ERR_NOMEM);
    struct at_path *to = from + 1;
    int rc = at_resolve(call, a[0].u32, R_PATH_RENAME_SOURCE, a[1].u32, a[2].u32, from);
    if (rc == 0) rc = at_resolve(call, a[3].u32, R_PATH_RENAME_TARGET, a[4].u32, a[5].u32, to);
    if (rc == 0 && (is_dot(from) || is_dot(to))) rc = ERR_BUSY;
    if (rc == 0 && ((from->flags | to->flags) & WASI_PATH_TRAILING_SLASH)) {
        /* a trailing slash on either name asks for a directory: ENOTDIR
         * when the source is something else, as on Linux */
        struct wasi_port_stat st;
        rc = w->port.ops->stat_at(w->port.ctx, from->dir->file, from->path, false, &st);
        if (rc == 0 && st.filetype != WASI_PORT_FT_DIRECTORY) rc = ERR_NOTDIR;
    }
    if (rc == 0)
        rc = w->port.ops->rename_at(w->port.ctx, from->dir->file, from->path, to->dir->file,
                                    to->path);
    mem_free(from);
    return wasi_p1_ret(call, r, rc);
}

/* path_filestat_get(fd, flags, path, path_len, buf: *filestat) */
P1_DECL(path_filestat_get)
{
    struct wasi_ctx *w = call_ctx(call);
    struct at_path *ap = mem_alloc(sizeof *ap);
    if (!ap) return wasi_p1_ret(call, r, ERR_NOMEM);
    int rc = at_resolve(call, a[0].u32, R_PATH_FILESTAT_GET, a[2].u32, a[3].u32, ap);
    if (rc == 0 && !guest_ptr(call, a[4].u32, 64)) rc = ERR_FAULT;
    struct wasi_port_stat st = {0};
    if (rc == 0)
        rc = w->port.ops->stat_at(w->port.ctx, ap->dir->file, ap->path,
                                  (a[1].u32 & LOOKUP_SYMLINK_FOLLOW) != 0, &st);
    if (rc == 0 && (ap->flags & WASI_PATH_TRAILING_SLASH) && st.filetype != WASI_PORT_FT_DIRECTORY)
        rc = ERR_NOTDIR;
    if (rc == 0) wasi_put_filestat(guest_ptr(call, a[4].u32, 64), &st);
    mem_free(ap);
    return wasi_p1_ret(call, r, rc);
}

/* path_filestat_set_times(fd, flags, path, path_len, atim, mtim, fst_flags) */
P1_DECL(path_filestat_set_times)
{
    struct wasi_ctx *w = call_ctx(call);
    struct at_path *ap = mem_alloc(sizeof *ap);
    if (!ap) return wasi_p1_ret(call, r, ERR_NOMEM);
    int rc = at_resolve(call, a[0].u32, R_PATH_FILESTAT_SET_TIMES, a[2].u32, a[3].u32, ap);
    if (rc == 0) rc = wasi_check_fstflags(a[6].u32);
    if (rc == 0 && !w->port.ops->set_times_at) rc = ERR_NOTSUP;
    if (rc == 0)
        rc = w->port.ops->set_times_at(w->port.ctx, ap->dir->file, ap->path,
                                       (a[1].u32 & LOOKUP_SYMLINK_FOLLOW) != 0, a[4].u64, a[5].u64,
                                       a[6].u32);
    mem_free(ap);
    return wasi_p1_ret(call, r, rc);
}

/* path_readlink(fd, path, path_len, buf, buf_len, bufused: *size): the
 * target, truncated to buf_len as readlink(2) does. */
P1_DECL(path_readlink)
{
    struct wasi_ctx *w = call_ctx(call);
    struct at_path *ap = mem_alloc(sizeof *ap);
    if (!ap) return wasi_p1_ret(call, r, ERR_NOMEM);
    int rc = at_resolve(call, a[0].u32, R_PATH_READLINK, a[1].u32, a[2].u32, ap);
    if (rc == 0 && (!guest_ptr(call, a[3].u32, a[4].u32) || !guest_ptr(call, a[5].u32, 4)))
        rc = ERR_FAULT;
    if (rc == 0 && !w->port.ops->readlink_at) rc = ERR_NOTSUP;
    long n = 0;
    if (rc == 0) {
        n = w->port.ops->readlink_at(w->port.ctx, ap->dir->file, ap->path,
                                     (char *)guest_ptr(call, a[3].u32, a[4].u32), a[4].u32);
        if (n < 0) rc = (int)n;
    }
    if (rc == 0) le32_put(guest_ptr(call, a[5].u32, 4), (uint32_t)n);
    mem_free(ap);
    return wasi_p1_ret(call, r, rc);
}

/* A trailing slash on the name that link or symlink creates ("new/"):
 * Linux refuses it, EEXIST when the name exists, else ENOENT (namei.c,
 * filename_create). */
static int new_name_slash(struct wasi_ctx *w, const struct at_path *ap)
{
    if (!(ap->flags & WASI_PATH_TRAILING_SLASH)) return 0;
    struct wasi_port_stat st;
    int rc = w->port.ops->stat_at(w->port.ctx, ap->dir->file, ap->path, false, &st);
    return rc == 0 ? ERR_EXIST : rc;
}

/* path_symlink(old_path, old_len, fd, new_path, new_len): the target is
 * stored as given but may not be absolute (it could name a host path). */
P1_DECL(path_symlink)
{
    struct wasi_ctx *w = call_ctx(call);
    struct at_path *ap = mem_alloc(sizeof *ap);
    char *target = NULL;
    if (!ap) return wasi_p1_ret(call, r, ERR_NOMEM);
    int rc = at_resolve(call, a[2].u32, R_PATH_SYMLINK, a[3].u32, a[4].u32, ap);
    const char *t = (const char *)guest_ptr(call, a[0].u32, a[1].u32);
    uint32_t tlen = a[1].u32;
    if (rc == 0 && !t) rc = ERR_FAULT;
    if (rc == 0 && (tlen == 0 || memchr(t, 0, tlen))) rc = tlen == 0 ? ERR_NOENT : ERR_INVAL;
    if (rc == 0 && t[0] == '/') rc = WASI_ERR_NOTCAPABLE;
    if (rc == 0 && tlen > WASI_PORT_PATH_MAX) rc = ERR_NAMETOOLONG;
    if (rc == 0) rc = new_name_slash(w, ap);
    if (rc == 0 && !w->port.ops->symlink_at) rc = ERR_NOTSUP;
    if (rc == 0 && !(target = mem_alloc(tlen + 1))) rc = ERR_NOMEM;
    if (rc == 0) {
        memcpy(target, t, tlen);
        target[tlen] = 0;
        rc = w->port.ops->symlink_at(w->port.ctx, target, ap->dir->file, ap->path);
    }
    mem_free(target);
    mem_free(ap);
    return wasi_p1_ret(call, r, rc);
}

/* path_link(old_fd, old_flags, old_path, old_len, new_fd, new_path, new_len) */
P1_DECL(path_link)
{
    struct wasi_ctx *w = call_ctx(call);
    struct at_path *from = mem_alloc(2 * sizeof *from);
    if (!from) return wasi_p1_ret(call, r, ERR_NOMEM);
    struct at_path *to = from + 1;
    int rc = at_resolve(call, a[0].u32, R_PATH_LINK_SOURCE, a[2].u32, a[3].u32, from);
    if (rc == 0) rc = at_resolve(call, a[4].u32, R_PATH_LINK_TARGET, a[5].u32, a[6].u32, to);
    if (rc == 0 && (from->flags & WASI_PATH_TRAILING_SLASH)) {
        /* "old/" names a directory: ENOTDIR for anything else, and a
         * directory cannot be hard-linked (EPERM), as on Linux */
        struct wasi_port_stat st;
        rc = w->port.ops->stat_at(w->port.ctx, from->dir->file, from->path, true, &st);
        if (rc == 0) rc = st.filetype == WASI_PORT_FT_DIRECTORY ? ERR_PERM : ERR_NOTDIR;
    }
    if (rc == 0) rc = new_name_slash(w, to);
    if (rc == 0 && !w->port.ops->link_at) rc = ERR_NOTSUP;
    if (rc == 0)
        rc = w->port.ops->link_at(w->port.ctx, from->dir->file, from->path,
                                  (a[1].u32 & LOOKUP_SYMLINK_FOLLOW) != 0, to->dir->file, to->path);
    mem_free(from);
    return wasi_p1_ret(call, r, rc);
}
