/*
 * lib/wasi/p2_fs.c - wasi:filesystem's core: the descriptor resource and
 * its shared open file, the error-code enum mapped from the port's ERR_*
 * values as wasmtime maps errno, results and confined paths for the other
 * p2_fs*.c files, wasi:filesystem/preopens and filesystem-error-code
 * (wasi-filesystem types.wit, preopens.wit).
 *
 * Preopens are those of preview1 (kpio-wasm --dir, the kernel's "/" and
 * "."): each call of get-directories opens each of them again ("." on the
 * preview1 handle), so a descriptor is independent of preview1's table.
 */
#include "base/env.h"
#include "base/mem.h"
#include "wasi/p2_fs.h"

/* ---- errors ------------------------------------------------------------------ */

struct fs_errmap {
    int err;
    uint8_t code;
};

/* wasmtime's From<std::io::Error> for ErrorCode, over our ERR_* names. */
static const struct fs_errmap fs_errmap[] = {
    {ERR_PERM, FSE_NOT_PERMITTED},
    {WASI_ERR_NOTCAPABLE, FSE_NOT_PERMITTED},
    {ERR_NOENT, FSE_NO_ENTRY},
    {ERR_IO, FSE_IO},
    {ERR_CORRUPT, FSE_IO},
    {ERR_NXIO, FSE_NO_SUCH_DEVICE},
    {ERR_2BIG, FSE_MESSAGE_SIZE},
    {ERR_BADF, FSE_BAD_DESCRIPTOR},
    {ERR_AGAIN, FSE_WOULD_BLOCK},
    {ERR_NOMEM, FSE_INSUFFICIENT_MEMORY},
    {ERR_ACCES, FSE_ACCESS},
    {ERR_BUSY, FSE_BUSY},
    {ERR_EXIST, FSE_EXIST},
    {ERR_XDEV, FSE_CROSS_DEVICE},
    {ERR_NODEV, FSE_NO_DEVICE},
    {ERR_NOTDIR, FSE_NOT_DIRECTORY},
    {ERR_ISDIR, FSE_IS_DIRECTORY},
    {ERR_INVAL, FSE_INVALID},
    {ERR_NFILE, FSE_INSUFFICIENT_MEMORY},
    {ERR_MFILE, FSE_INSUFFICIENT_MEMORY},
    {ERR_FBIG, FSE_FILE_TOO_LARGE},
    {ERR_NOSPC, FSE_INSUFFICIENT_SPACE},
    {ERR_SPIPE, FSE_INVALID_SEEK},
    {ERR_ROFS, FSE_READ_ONLY},
    {ERR_MLINK, FSE_TOO_MANY_LINKS},
    {ERR_PIPE, FSE_PIPE},
    {ERR_NAMETOOLONG, FSE_NAME_TOO_LONG},
    {ERR_NOSYS, FSE_UNSUPPORTED},
    {ERR_NOTSUP, FSE_UNSUPPORTED},
    {ERR_NOTEMPTY, FSE_NOT_EMPTY},
    {ERR_LOOP, FSE_LOOP},
    {ERR_ALREADY, FSE_ALREADY},
    {ERR_INPROGRESS, FSE_IN_PROGRESS},
    {ERR_OVERFLOW, FSE_OVERFLOW},
    {ERR_RANGE, FSE_OVERFLOW},
};

uint8_t p2_fs_error(int err)
{
    for (size_t i = 0; i < sizeof fs_errmap / sizeof fs_errmap[0]; i++)
        if (fs_errmap[i].err == err) return fs_errmap[i].code;
    return FSE_IO;
}

int p2_fs_fail(struct wasm_host_call *call, uint32_t ret_ptr, uint32_t size, uint32_t align,
               uint32_t code_off, int err)
{
    if (err == ERR_CANCELED) return wasm_host_trap(call, "killed");
    uint8_t *ret = p2_ret(call, ret_ptr, size, align);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    ret[0] = 1;
    ret[code_off] = p2_fs_error(err);
    return 0;
}

int p2_fs_unit(struct wasm_host_call *call, uint32_t ret_ptr, int err)
{
    if (err) return p2_fs_fail(call, ret_ptr, 2, 1, 1, err);
    return p2_ret(call, ret_ptr, 2, 1) ? 0 : p2_bad_ret(call, ret_ptr);
}

/* ---- descriptors ---------------------------------------------------------------- */

void p2_fref_put(struct wasi_ctx *w, struct p2_fref *f)
{
    if (!f || --f->refs) return;
    w->port.ops->close(w->port.ctx, f->file);
    mem_free(f);
}

static void desc_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    p2_fref_put(w, ((struct p2_desc *)o)->fref);
}

int p2_desc_new(struct wasm_host_call *call, struct wasi_port_file *file, uint8_t flags,
                uint32_t *handle)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_fref *f = mem_zalloc(sizeof *f);
    struct p2_desc *d = f ? p2_obj_new(sizeof *d, P2_DESCRIPTOR, NULL, desc_destroy) : NULL;
    if (!d) {
        mem_free(f);
        w->port.ops->close(w->port.ctx, file);
        return wasm_host_trap(call, "out of memory");
    }
    f->file = file;
    f->refs = 1;
    d->fref = f;
    d->flags = flags;
    struct wasi_port_stat st = {.filetype = WASI_PORT_FT_UNKNOWN};
    w->port.ops->fstat(w->port.ctx, file, &st);
    d->type = st.filetype;
    return p2_put(call, &d->h, handle);
}

int p2_desc_dir(const struct p2_desc *d, uint8_t need)
{
    if (d->type != WASI_PORT_FT_DIRECTORY) return ERR_NOTDIR;
    if ((need & DF_MUTATE_DIRECTORY) && !(d->flags & DF_MUTATE_DIRECTORY)) return ERR_ROFS;
    return (d->flags & need) == need ? 0 : ERR_PERM;
}

int p2_desc_file(const struct p2_desc *d, uint8_t need)
{
    if (d->type == WASI_PORT_FT_DIRECTORY) return ERR_BADF;
    return (d->flags & need) == need ? 0 : ERR_BADF;
}

int p2_path_get(struct wasm_host_call *call, uint32_t ptr, uint32_t len, struct p2_path **out)
{
    *out = NULL;
    const uint8_t *s = p2_arg_bytes(call, ptr, len, true);
    if (!s) return p2_bad_ptr(call, "path");
    struct p2_path *p = mem_alloc(sizeof *p);
    if (!p) return ERR_NOMEM;
    int rc = wasi_path_confine((const char *)s, len, p->path, &p->flags);
    if (rc < 0) {
        mem_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void p2_fs_put_time(uint8_t *p, uint64_t ns)
{
    if (!ns) return;
    p[0] = 1;
    le64_put(p + 8, ns / 1000000000u);
    le32_put(p + 16, (uint32_t)(ns % 1000000000u));
}

uint8_t p2_fs_type(uint8_t port_type)
{
    switch (port_type) {
    case WASI_PORT_FT_BLOCK_DEVICE: return 1;
    case WASI_PORT_FT_CHARACTER_DEVICE: return 2;
    case WASI_PORT_FT_DIRECTORY: return 3;
    case WASI_PORT_FT_SYMBOLIC_LINK: return 5;
    case WASI_PORT_FT_REGULAR_FILE: return 6;
    case WASI_PORT_FT_SOCKET_DGRAM:
    case WASI_PORT_FT_SOCKET_STREAM: return 7;
    default: return 0;
    }
}

P2_IMPL(p2_filesystem_types_descriptor_drop, uint32_t self)
{
    return p2_drop(call, self, P2_DESCRIPTOR);
}

/* filesystem-error-code(err: borrow<error>) -> option<error-code>: the
 * code of an error made from a port failure (not of a wasi:http one). */
P2_IMPL(p2_filesystem_types_filesystem_error_code, uint32_t err, uint32_t ret_ptr)
{
    struct p2_error *e = p2_get(call, err, P2_ERROR);
    if (!e) return p2_bad_handle(call, err, P2_ERROR);
    uint8_t *ret = p2_ret(call, ret_ptr, 2, 1);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (e->err < 0 && e->http_code < 0) {
        ret[0] = 1;
        ret[1] = p2_fs_error(e->err);
    }
    return 0;
}

/* ---- wasi:filesystem/preopens ------------------------------------------------------ */

/* get-directories() -> list<tuple<own<descriptor>, string>>: elements of
 * 12 bytes (handle, name ptr, name len). */
P2_IMPL(p2_filesystem_preopens_get_directories, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    uint32_t n = 0, arr;
    for (uint32_t i = 0; i < w->nfds; i++)
        n += w->fds[i] && w->fds[i]->preopen;
    if (!p2_ret(call, ret_ptr, 8, 4)) return p2_bad_ret(call, ret_ptr);
    int rc = p2_alloc(call, 4, n * 12, &arr);
    uint32_t k = 0;
    for (uint32_t i = 0; i < w->nfds && !rc && k < n; i++) {
        struct wasi_fd *fd = w->fds[i];
        if (!fd || !fd->preopen) continue;
        struct wasi_port_file *dir;
        uint32_t h, name, len = (uint32_t)strlen(fd->preopen);
        int err = w->port.ops->open_at(w->port.ctx, fd->file, ".",
                                       WASI_PORT_O_READ | WASI_PORT_O_DIRECTORY, &dir);
        if (err == ERR_CANCELED) return wasm_host_trap(call, "killed");
        if (err) return wasm_host_trap(call, "reopening preopen %s: %s", fd->preopen, err_str(err));
        rc = p2_desc_new(call, dir, DF_READ | DF_MUTATE_DIRECTORY, &h);
        if (!rc) rc = p2_alloc_copy(call, fd->preopen, len, &name);
        if (rc) break;
        uint8_t *e = guest_ptr(call, arr + (uint64_t)k * 12, 12);
        le32_put(e, h);
        le32_put(e + 4, name);
        le32_put(e + 8, len);
        k++;
    }
    if (rc) return rc;
    uint8_t *ret = p2_ret(call, ret_ptr, 8, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le32_put(ret, arr);
    le32_put(ret + 4, k);
    return 0;
}
