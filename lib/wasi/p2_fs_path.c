/*
 * lib/wasi/p2_fs_path.c - wasi:filesystem calls on a path beneath a
 * directory descriptor: open-at, create-directory-at, remove-directory-at,
 * unlink-file-at, rename-at, link-at, symlink-at, readlink-at
 * (wasi-filesystem types.wit).
 *
 * Every path goes through p2_path_get (path.c's confinement: no absolute
 * path, no ".." above the directory, bounded lengths; an escape is
 * not-permitted) before the port sees it, and the port keeps symlinks
 * beneath the directory. Trailing slashes and "." behave as Linux does
 * for the same calls, as preview1's p1_path.c does.
 */
#include "base/env.h"
#include "base/mem.h"
#include "wasi/p2_fs.h"

static bool is_dot(const struct p2_path *p)
{
    return p->path[0] == '.' && p->path[1] == 0;
}

/* Checks open-at's flags against the directory's (types.wit, open-at). */
static int open_check(const struct p2_desc *d, uint32_t oflags, uint32_t flags,
                      const struct p2_path *p)
{
    int rc = p2_desc_dir(d, DF_READ);
    if (rc) return rc;
    if (!(d->flags & DF_MUTATE_DIRECTORY) &&
        ((oflags & (OF_CREATE | OF_TRUNCATE)) || (flags & (DF_WRITE | DF_MUTATE_DIRECTORY))))
        return ERR_ROFS; /* types.wit, open-at */
    if ((oflags & OF_DIRECTORY) && (oflags & (OF_CREATE | OF_EXCLUSIVE | OF_TRUNCATE)))
        return ERR_INVAL;
    /* Linux: O_CREAT on "name/" is EISDIR whatever name is */
    if ((oflags & OF_CREATE) && (p->flags & WASI_PATH_TRAILING_SLASH)) return ERR_ISDIR;
    return 0;
}

/* The port's open flags for open-at's path-flags, open-flags and
 * descriptor-flags. */
static unsigned open_port_flags(uint32_t pflags, uint32_t oflags, uint32_t flags,
                                const struct p2_path *p)
{
    unsigned f = 0;
    if (!(pflags & PF_SYMLINK_FOLLOW)) f |= WASI_PORT_O_NOFOLLOW;
    if (oflags & OF_CREATE) f |= WASI_PORT_O_CREAT;
    if (oflags & OF_EXCLUSIVE) f |= WASI_PORT_O_EXCL;
    if (oflags & OF_TRUNCATE) f |= WASI_PORT_O_TRUNC | WASI_PORT_O_WRITE;
    if ((oflags & OF_DIRECTORY) || (p->flags & WASI_PATH_TRAILING_SLASH))
        f |= WASI_PORT_O_DIRECTORY;
    if (flags & (DF_FILE_INTEGRITY_SYNC | DF_DATA_INTEGRITY_SYNC | DF_REQUESTED_WRITE_SYNC))
        f |= WASI_PORT_O_SYNC;
    if (flags & DF_WRITE) f |= WASI_PORT_O_WRITE;
    if ((flags & DF_READ) || !(f & WASI_PORT_O_WRITE)) f |= WASI_PORT_O_READ;
    return f;
}

/* open-at(path-flags, path, open-flags, descriptor-flags) ->
 * result<own<descriptor>, error-code> */
P2_IMPL(p2_filesystem_types_descriptor_open_at, uint32_t self, uint32_t path_flags,
        uint32_t path_ptr, uint32_t path_len, uint32_t open_flags, uint32_t descriptor_flags,
        uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    uint32_t oflags = open_flags & OF_ALL_, flags = descriptor_flags & DF_ALL_;
    if (!p2_ret(call, ret_ptr, 8, 4)) return p2_bad_ret(call, ret_ptr);
    struct p2_path *p;
    int rc = p2_path_get(call, path_ptr, path_len, &p);
    if (rc > 0) return rc;
    if (rc == 0) rc = open_check(d, oflags, flags, p);
    struct wasi_port_file *file = NULL;
    if (rc == 0)
        rc = w->port.ops->open_at(w->port.ctx, d->fref->file, p->path,
                                  open_port_flags(path_flags, oflags, flags, p), &file);
    mem_free(p);
    if (rc) return p2_fs_fail(call, ret_ptr, 8, 4, 4, rc);
    uint32_t h;
    rc = p2_desc_new(call, file, (uint8_t)flags, &h);
    if (rc) return rc;
    return p2_ret_handle(call, ret_ptr, false, 0, h);
}

enum path_op { OP_MKDIR, OP_RMDIR, OP_UNLINK };

/* create-directory-at, remove-directory-at, unlink-file-at (path) ->
 * result<_, error-code> */
static int path_op(struct wasm_host_call *call, uint32_t self, uint32_t path_ptr, uint32_t path_len,
                   uint32_t ret_ptr, enum path_op op)
{
    struct wasi_ctx *w = call_ctx(call);
    const struct wasi_port_ops *o = w->port.ops;
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    struct p2_path *p;
    int rc = p2_path_get(call, path_ptr, path_len, &p);
    if (rc > 0) return rc;
    if (rc == 0) rc = p2_desc_dir(d, DF_MUTATE_DIRECTORY);
    if (rc == 0 && is_dot(p))
        rc = op == OP_MKDIR ? ERR_EXIST : op == OP_UNLINK ? ERR_ISDIR : ERR_INVAL;
    if (rc == 0) {
        struct wasi_port_file *dir = d->fref->file;
        switch (op) {
        case OP_MKDIR: rc = o->mkdir_at(w->port.ctx, dir, p->path); break;
        case OP_RMDIR: rc = o->rmdir_at(w->port.ctx, dir, p->path); break;
        case OP_UNLINK:
            if (p->flags & WASI_PATH_TRAILING_SLASH) {
                /* "name/" names a directory: EISDIR for one, else ENOTDIR */
                struct wasi_port_stat st;
                rc = o->stat_at(w->port.ctx, dir, p->path, false, &st);
                if (rc == 0) rc = st.filetype == WASI_PORT_FT_DIRECTORY ? ERR_ISDIR : ERR_NOTDIR;
            } else {
                rc = o->unlink_at(w->port.ctx, dir, p->path);
            }
            break;
        }
    }
    mem_free(p);
    return p2_fs_unit(call, ret_ptr, rc);
}

P2_IMPL(p2_filesystem_types_descriptor_create_directory_at, uint32_t self, uint32_t path_ptr,
        uint32_t path_len, uint32_t ret_ptr)
{
    return path_op(call, self, path_ptr, path_len, ret_ptr, OP_MKDIR);
}

P2_IMPL(p2_filesystem_types_descriptor_remove_directory_at, uint32_t self, uint32_t path_ptr,
        uint32_t path_len, uint32_t ret_ptr)
{
    return path_op(call, self, path_ptr, path_len, ret_ptr, OP_RMDIR);
}

P2_IMPL(p2_filesystem_types_descriptor_unlink_file_at, uint32_t self, uint32_t path_ptr,
        uint32_t path_len, uint32_t ret_ptr)
{
    return path_op(call, self, path_ptr, path_len, ret_ptr, OP_UNLINK);
}

/* Two (descriptor, path) pairs of rename-at and link-at, both needing
 * mutate-directory: 0, an ERR_* (paths freed), or a trap. */
static int two_paths(struct wasm_host_call *call, uint32_t d1h, uint32_t p1, uint32_t l1,
                     uint32_t d2h, uint32_t p2, uint32_t l2, struct p2_desc **d,
                     struct p2_path **from, struct p2_path **to)
{
    *from = *to = NULL;
    d[0] = p2_get(call, d1h, P2_DESCRIPTOR);
    d[1] = p2_get(call, d2h, P2_DESCRIPTOR);
    if (!d[0] || !d[1]) return p2_bad_handle(call, d[0] ? d2h : d1h, P2_DESCRIPTOR);
    int rc = p2_path_get(call, p1, l1, from);
    if (rc == 0) rc = p2_path_get(call, p2, l2, to);
    if (rc == 0) rc = p2_desc_dir(d[0], DF_MUTATE_DIRECTORY);
    if (rc == 0) rc = p2_desc_dir(d[1], DF_MUTATE_DIRECTORY);
    if (rc) {
        mem_free(*from);
        mem_free(*to);
        *from = *to = NULL;
    }
    return rc;
}

/* rename-at(old-path, new-descriptor, new-path) -> result<_, error-code> */
P2_IMPL(p2_filesystem_types_descriptor_rename_at, uint32_t self, uint32_t old_path_ptr,
        uint32_t old_path_len, uint32_t new_descriptor, uint32_t new_path_ptr,
        uint32_t new_path_len, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d[2];
    struct p2_path *from, *to;
    int rc = two_paths(call, self, old_path_ptr, old_path_len, new_descriptor, new_path_ptr,
                       new_path_len, d, &from, &to);
    if (rc > 0) return rc;
    if (rc == 0 && (is_dot(from) || is_dot(to))) rc = ERR_BUSY;
    if (rc == 0 && ((from->flags | to->flags) & WASI_PATH_TRAILING_SLASH)) {
        /* a trailing slash on either name asks for a directory */
        struct wasi_port_stat st;
        rc = w->port.ops->stat_at(w->port.ctx, d[0]->fref->file, from->path, false, &st);
        if (rc == 0 && st.filetype != WASI_PORT_FT_DIRECTORY) rc = ERR_NOTDIR;
    }
    if (rc == 0)
        rc = w->port.ops->rename_at(w->port.ctx, d[0]->fref->file, from->path, d[1]->fref->file,
                                    to->path);
    mem_free(from);
    mem_free(to);
    return p2_fs_unit(call, ret_ptr, rc);
}

/* A trailing slash on the name that link or symlink creates: Linux
 * refuses it, EEXIST when the name exists, else ENOENT. */
static int new_name_slash(struct wasi_ctx *w, struct p2_desc *d, const struct p2_path *p)
{
    if (!(p->flags & WASI_PATH_TRAILING_SLASH)) return 0;
    struct wasi_port_stat st;
    int rc = w->port.ops->stat_at(w->port.ctx, d->fref->file, p->path, false, &st);
    return rc == 0 ? ERR_EXIST : rc;
}

/* link-at(old-path-flags, old-path, new-descriptor, new-path) */
P2_IMPL(p2_filesystem_types_descriptor_link_at, uint32_t self, uint32_t old_path_flags,
        uint32_t old_path_ptr, uint32_t old_path_len, uint32_t new_descriptor,
        uint32_t new_path_ptr, uint32_t new_path_len, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d[2];
    struct p2_path *from, *to;
    int rc = two_paths(call, self, old_path_ptr, old_path_len, new_descriptor, new_path_ptr,
                       new_path_len, d, &from, &to);
    if (rc > 0) return rc;
    if (rc == 0 && (from->flags & WASI_PATH_TRAILING_SLASH)) {
        struct wasi_port_stat st;
        rc = w->port.ops->stat_at(w->port.ctx, d[0]->fref->file, from->path, true, &st);
        if (rc == 0) rc = st.filetype == WASI_PORT_FT_DIRECTORY ? ERR_PERM : ERR_NOTDIR;
    }
    if (rc == 0) rc = new_name_slash(w, d[1], to);
    if (rc == 0 && !w->port.ops->link_at) rc = ERR_NOTSUP;
    if (rc == 0)
        rc = w->port.ops->link_at(w->port.ctx, d[0]->fref->file, from->path,
                                  (old_path_flags & PF_SYMLINK_FOLLOW) != 0, d[1]->fref->file,
                                  to->path);
    mem_free(from);
    mem_free(to);
    return p2_fs_unit(call, ret_ptr, rc);
}

/* symlink-at(old-path, new-path): the target is stored as given but may
 * not be absolute (it would name a path outside the sandbox). */
P2_IMPL(p2_filesystem_types_descriptor_symlink_at, uint32_t self, uint32_t old_path_ptr,
        uint32_t old_path_len, uint32_t new_path_ptr, uint32_t new_path_len, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    const uint8_t *t = p2_arg_bytes(call, old_path_ptr, old_path_len, true);
    if (!t) return p2_bad_ptr(call, "symlink target");
    uint32_t tlen = old_path_len;
    struct p2_path *p;
    char *target = NULL;
    int rc = p2_path_get(call, new_path_ptr, new_path_len, &p);
    if (rc > 0) return rc;
    if (rc == 0) rc = p2_desc_dir(d, DF_MUTATE_DIRECTORY);
    if (rc == 0 && (tlen == 0 || memchr(t, 0, tlen))) rc = tlen == 0 ? ERR_NOENT : ERR_INVAL;
    if (rc == 0 && t[0] == '/') rc = ERR_PERM;
    if (rc == 0 && tlen > WASI_PORT_PATH_MAX) rc = ERR_NAMETOOLONG;
    if (rc == 0) rc = new_name_slash(w, d, p);
    if (rc == 0 && !w->port.ops->symlink_at) rc = ERR_NOTSUP;
    if (rc == 0 && !(target = mem_alloc(tlen + 1))) rc = ERR_NOMEM;
    if (rc == 0) {
        memcpy(target, t, tlen);
        target[tlen] = 0;
        rc = w->port.ops->symlink_at(w->port.ctx, target, d->fref->file, p->path);
    }
    mem_free(target);
    mem_free(p);
    return p2_fs_unit(call, ret_ptr, rc);
}

/* readlink-at(path) -> result<string, error-code>: 12 bytes. A target
 * that is an absolute path (made outside the sandbox) is not-permitted. */
P2_IMPL(p2_filesystem_types_descriptor_readlink_at, uint32_t self, uint32_t path_ptr,
        uint32_t path_len, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    if (!p2_ret(call, ret_ptr, 12, 4)) return p2_bad_ret(call, ret_ptr);
    struct p2_path *p;
    int rc = p2_path_get(call, path_ptr, path_len, &p);
    if (rc > 0) return rc;
    if (rc == 0) rc = p2_desc_dir(d, DF_READ);
    if (rc == 0 && !w->port.ops->readlink_at) rc = ERR_NOTSUP;
    char *buf = rc == 0 ? mem_alloc(WASI_PORT_PATH_MAX) : NULL;
    if (rc == 0 && !buf) rc = ERR_NOMEM;
    long n = rc;
    if (rc == 0)
        n = w->port.ops->readlink_at(w->port.ctx, d->fref->file, p->path, buf, WASI_PORT_PATH_MAX);
    mem_free(p);
    if (n > 0 && buf[0] == '/') n = ERR_PERM; /* types.wit: an absolute target is not-permitted */
    uint32_t ptr = 0;
    if (n >= 0) rc = p2_alloc_copy(call, buf, (uint32_t)n, &ptr);
    mem_free(buf);
    if (n < 0) return p2_fs_fail(call, ret_ptr, 12, 4, 4, (int)n);
    if (rc) return rc;
    uint8_t *ret = p2_ret(call, ret_ptr, 12, 4);
    le32_put(ret + 4, ptr);
    le32_put(ret + 8, (uint32_t)n);
    return 0;
}
