/*
 * lib/wasi/p2_fs_dir.c - wasi:filesystem directory listing:
 * descriptor.read-directory and the directory-entry-stream resource
 * (wasi-filesystem types.wit).
 *
 * The stream walks the port's readdir by cookie from 0, skipping "." and
 * ".." (the WIT says they are not returned). Like a file stream it holds
 * a reference to the directory's open file and may outlive the
 * descriptor.
 */
#include "base/env.h"
#include "base/mem.h"
#include "wasi/p2_fs.h"

struct p2_dir_stream {
    struct p2_obj h;
    struct p2_fref *fref;
    uint64_t cookie; /* the port's cookie of the next entry */
    bool done;
};

static void dir_stream_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    p2_fref_put(w, ((struct p2_dir_stream *)o)->fref);
}

/* read-directory() -> result<own<directory-entry-stream>, error-code> */
P2_IMPL(p2_filesystem_types_descriptor_read_directory, uint32_t self, uint32_t ret_ptr)
{
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    if (!p2_ret(call, ret_ptr, 8, 4)) return p2_bad_ret(call, ret_ptr);
    int rc = p2_desc_dir(d, DF_READ);
    if (rc) return p2_fs_fail(call, ret_ptr, 8, 4, 4, rc);
    struct p2_dir_stream *s = p2_obj_new(sizeof *s, P2_DIR_STREAM, NULL, dir_stream_destroy);
    if (!s) return wasm_host_trap(call, "out of memory");
    s->fref = d->fref;
    s->fref->refs++;
    uint32_t h;
    rc = p2_put(call, &s->h, &h);
    if (rc) return rc;
    return p2_ret_handle(call, ret_ptr, false, 0, h);
}

static bool dot_or_dotdot(const struct wasi_port_dirent *e)
{
    return e->name[0] == '.' && (e->name_len == 1 || (e->name_len == 2 && e->name[1] == '.'));
}

/* The next entry other than "." and "..": 1 and *e, 0 at the end, or an
 * error. */
static int next_entry(struct wasi_ctx *w, struct p2_dir_stream *s, struct wasi_port_dirent *e)
{
    for (;;) {
        if (s->done) return 0;
        int rc = w->port.ops->readdir(w->port.ctx, s->fref->file, s->cookie, e);
        if (rc <= 0) {
            s->done = rc == 0;
            return rc;
        }
        s->cookie = e->next;
        if (!dot_or_dotdot(e)) return 1;
    }
}

/* read-directory-entry() -> result<option<directory-entry>, error-code>:
 * 20 bytes: option tag @4, type @8, name @12/@16; error @4. */
P2_IMPL(p2_filesystem_types_directory_entry_stream_read_directory_entry, uint32_t self,
        uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_dir_stream *s = p2_get(call, self, P2_DIR_STREAM);
    if (!s) return p2_bad_handle(call, self, P2_DIR_STREAM);
    if (!p2_ret(call, ret_ptr, 20, 4)) return p2_bad_ret(call, ret_ptr);
    struct wasi_port_dirent *e = mem_alloc(sizeof *e);
    if (!e) return p2_fs_fail(call, ret_ptr, 20, 4, 4, ERR_NOMEM);
    int rc = next_entry(w, s, e);
    uint32_t name = 0, len = rc > 0 ? e->name_len : 0;
    uint8_t type = rc > 0 ? p2_fs_type(e->filetype) : 0;
    int trap = rc > 0 ? p2_alloc_copy(call, e->name, len, &name) : 0;
    mem_free(e);
    if (rc < 0) return p2_fs_fail(call, ret_ptr, 20, 4, 4, rc);
    if (trap) return trap;
    uint8_t *ret = p2_ret(call, ret_ptr, 20, 4);
    if (rc > 0) {
        ret[4] = 1;
        ret[8] = type;
        le32_put(ret + 12, name);
        le32_put(ret + 16, len);
    }
    return 0;
}

P2_IMPL(p2_filesystem_types_directory_entry_stream_drop, uint32_t self)
{
    return p2_drop(call, self, P2_DIR_STREAM);
}
