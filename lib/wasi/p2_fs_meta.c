/*
 * lib/wasi/p2_fs_meta.c - wasi:filesystem metadata: get-type, get-flags,
 * stat and stat-at, metadata-hash(-at), is-same-object, set-times and
 * set-times-at (wasi-filesystem types.wit).
 *
 * descriptor-stat (104 bytes, align 8 in a result): type u8 @8, link-count
 * @16, size @24, then three option<datetime> (tag, seconds, nanoseconds)
 * at 32, 56 and 80 for access, modification and status change; a time
 * the port does not know (0) is none. The metadata hash is a mix of the
 * device and inode numbers, the identity of the object as in wasmtime.
 */
#include "base/env.h"
#include "base/mem.h"
#include "wasi/p2_fs.h"

#define NS 1000000000ull

/* get-type() -> result<descriptor-type, error-code> */
P2_IMPL(p2_filesystem_types_descriptor_get_type, uint32_t self, uint32_t ret_ptr)
{
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    uint8_t *ret = p2_ret(call, ret_ptr, 2, 1);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    ret[1] = p2_fs_type(d->type);
    return 0;
}

/* get-flags() -> result<descriptor-flags, error-code> */
P2_IMPL(p2_filesystem_types_descriptor_get_flags, uint32_t self, uint32_t ret_ptr)
{
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    uint8_t *ret = p2_ret(call, ret_ptr, 2, 1);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    ret[1] = d->flags;
    return 0;
}

/* Writes result<descriptor-stat, error-code> for rc and st. */
static int stat_result(struct wasm_host_call *call, uint32_t ret_ptr, int rc,
                       const struct wasi_port_stat *st)
{
    if (rc) return p2_fs_fail(call, ret_ptr, 104, 8, 8, rc);
    uint8_t *ret = p2_ret(call, ret_ptr, 104, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    ret[8] = p2_fs_type(st->filetype);
    le64_put(ret + 16, st->nlink);
    le64_put(ret + 24, st->size);
    p2_fs_put_time(ret + 32, st->atim);
    p2_fs_put_time(ret + 56, st->mtim);
    p2_fs_put_time(ret + 80, st->ctim);
    return 0;
}

/* Stats descriptor handle into *st: 0, an ERR_*, or a trap > 0. */
static int stat_desc(struct wasm_host_call *call, uint32_t handle, struct wasi_port_stat *st)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, handle, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, handle, P2_DESCRIPTOR);
    return w->port.ops->fstat(w->port.ctx, d->fref->file, st);
}

P2_IMPL(p2_filesystem_types_descriptor_stat, uint32_t self, uint32_t ret_ptr)
{
    struct wasi_port_stat st = {0};
    int rc = stat_desc(call, self, &st);
    return rc > 0 ? rc : stat_result(call, ret_ptr, rc, &st);
}

/* Stats (dir, path-flags, path) into *st: 0, an ERR_*, or a trap > 0. */
static int stat_path(struct wasm_host_call *call, uint32_t self, uint32_t path_flags,
                     uint32_t path_ptr, uint32_t path_len, struct wasi_port_stat *st)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    struct p2_path *p;
    int rc = p2_path_get(call, path_ptr, path_len, &p);
    if (rc) return rc;
    rc = p2_desc_dir(d, DF_READ);
    if (rc == 0)
        rc = w->port.ops->stat_at(w->port.ctx, d->fref->file, p->path,
                                  (path_flags & PF_SYMLINK_FOLLOW) != 0, st);
    if (rc == 0 && (p->flags & WASI_PATH_TRAILING_SLASH) && st->filetype != WASI_PORT_FT_DIRECTORY)
        rc = ERR_NOTDIR;
    mem_free(p);
    return rc;
}

/* stat-at(path-flags, path) -> result<descriptor-stat, error-code> */
P2_IMPL(p2_filesystem_types_descriptor_stat_at, uint32_t self, uint32_t path_flags,
        uint32_t path_ptr, uint32_t path_len, uint32_t ret_ptr)
{
    struct wasi_port_stat st = {0};
    int rc = stat_path(call, self, path_flags, path_ptr, path_len, &st);
    return rc > 0 ? rc : stat_result(call, ret_ptr, rc, &st);
}

/* splitmix64's finalizer: a well-spread 64-bit mix. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* result<metadata-hash-value, error-code>: 24 bytes, lower @8, upper @16. */
static int hash_result(struct wasm_host_call *call, uint32_t ret_ptr, int rc,
                       const struct wasi_port_stat *st)
{
    if (rc) return p2_fs_fail(call, ret_ptr, 24, 8, 8, rc);
    uint8_t *ret = p2_ret(call, ret_ptr, 24, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    uint64_t lower = mix64(st->dev ^ mix64(st->ino));
    le64_put(ret + 8, lower);
    le64_put(ret + 16, mix64(lower ^ st->ino ^ 0x9e3779b97f4a7c15ull));
    return 0;
}

P2_IMPL(p2_filesystem_types_descriptor_metadata_hash, uint32_t self, uint32_t ret_ptr)
{
    struct wasi_port_stat st = {0};
    int rc = stat_desc(call, self, &st);
    return rc > 0 ? rc : hash_result(call, ret_ptr, rc, &st);
}

/* metadata-hash-at(path-flags, path) */
P2_IMPL(p2_filesystem_types_descriptor_metadata_hash_at, uint32_t self, uint32_t path_flags,
        uint32_t path_ptr, uint32_t path_len, uint32_t ret_ptr)
{
    struct wasi_port_stat st = {0};
    int rc = stat_path(call, self, path_flags, path_ptr, path_len, &st);
    return rc > 0 ? rc : hash_result(call, ret_ptr, rc, &st);
}

/* is-same-object(other: borrow<descriptor>) -> bool: the same device and
 * inode (false when either cannot be stat'ed). */
P2_IMPL(p2_filesystem_types_descriptor_is_same_object, uint32_t self, uint32_t other,
        uint32_t *result)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    struct p2_desc *o = p2_get(call, other, P2_DESCRIPTOR);
    if (!d || !o) return p2_bad_handle(call, d ? other : self, P2_DESCRIPTOR);
    struct wasi_port_stat s1, s2;
    const struct wasi_port_ops *ops = w->port.ops;
    int rc = ops->fstat(w->port.ctx, d->fref->file, &s1);
    if (rc == 0) rc = ops->fstat(w->port.ctx, o->fref->file, &s2);
    if (rc == ERR_CANCELED) return wasm_host_trap(call, "killed");
    *result = rc == 0 && s1.dev == s2.dev && s1.ino == s2.ino;
    return 0;
}

/* One new-timestamp (tag, seconds, nanoseconds) into the port's flags and
 * ns: 0, ERR_INVAL (nanoseconds of a second or more), ERR_OVERFLOW, or 1
 * for a tag that is no case (the caller traps). */
static int timestamp(uint32_t tag, uint64_t sec, uint32_t nsec, unsigned set, unsigned now,
                     unsigned *flags, uint64_t *ns)
{
    switch (tag) {
    case 0: return 0;
    case 1: *flags |= now; return 0;
    case 2:
        if (nsec >= NS) return ERR_INVAL;
        if (sec > (UINT64_MAX - nsec) / NS) return ERR_OVERFLOW;
        *ns = sec * NS + nsec;
        *flags |= set;
        return 0;
    default: return 1;
    }
}

/* Both new-timestamps from their 3 flat values each (case, seconds,
 * nanoseconds): 0, an ERR_*, or a trap. */
static int timestamps(struct wasm_host_call *call, const wasm_value *access,
                      const wasm_value *modification, unsigned *flags, uint64_t *atim,
                      uint64_t *mtim)
{
    *flags = 0;
    *atim = *mtim = 0;
    int rc = timestamp(access[0].u32, access[1].u64, access[2].u32, WASI_PORT_ATIM,
                       WASI_PORT_ATIM_NOW, flags, atim);
    if (rc == 0)
        rc = timestamp(modification[0].u32, modification[1].u64, modification[2].u32,
                       WASI_PORT_MTIM, WASI_PORT_MTIM_NOW, flags, mtim);
    return rc == 1 ? wasm_host_trap(call, "new-timestamp case out of range") : rc;
}

/* set-times(data-access-timestamp, data-modification-timestamp) */
P2_IMPL(p2_filesystem_types_descriptor_set_times, uint32_t self, P2_FLAT(data_access_timestamp, 3),
        P2_FLAT(data_modification_timestamp, 3), uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    unsigned flags;
    uint64_t atim, mtim;
    int rc =
        timestamps(call, data_access_timestamp, data_modification_timestamp, &flags, &atim, &mtim);
    if (rc > 0) return rc;
    if (rc == 0 && d->type == WASI_PORT_FT_DIRECTORY) rc = p2_desc_dir(d, DF_MUTATE_DIRECTORY);
    if (rc == 0 && d->type != WASI_PORT_FT_DIRECTORY && !(d->flags & DF_WRITE)) rc = ERR_PERM;
    if (rc == 0 && !w->port.ops->set_times) rc = ERR_NOTSUP;
    if (rc == 0) rc = w->port.ops->set_times(w->port.ctx, d->fref->file, atim, mtim, flags);
    return p2_fs_unit(call, ret_ptr, rc);
}

/* set-times-at(path-flags, path, data-access-timestamp,
 * data-modification-timestamp) */
P2_IMPL(p2_filesystem_types_descriptor_set_times_at, uint32_t self, uint32_t path_flags,
        uint32_t path_ptr, uint32_t path_len, P2_FLAT(data_access_timestamp, 3),
        P2_FLAT(data_modification_timestamp, 3), uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    unsigned flags;
    uint64_t atim, mtim;
    int rc =
        timestamps(call, data_access_timestamp, data_modification_timestamp, &flags, &atim, &mtim);
    if (rc > 0) return rc;
    struct p2_path *p = NULL;
    if (rc == 0) rc = p2_path_get(call, path_ptr, path_len, &p);
    if (rc > 0) return rc;
    if (rc == 0) rc = p2_desc_dir(d, DF_MUTATE_DIRECTORY);
    if (rc == 0 && !w->port.ops->set_times_at) rc = ERR_NOTSUP;
    if (rc == 0)
        rc = w->port.ops->set_times_at(w->port.ctx, d->fref->file, p->path,
                                       (path_flags & PF_SYMLINK_FOLLOW) != 0, atim, mtim, flags);
    mem_free(p);
    return p2_fs_unit(call, ret_ptr, rc);
}
