/*
 * lib/wasi/p2_fs_file.c - wasi:filesystem file data: read and write at an
 * offset, the input and output streams of a file (read-via-stream,
 * write-via-stream, append-via-stream, and their stream kind's ops),
 * set-size, sync, sync-data and advise (wasi-filesystem types.wit).
 *
 * All I/O is positional (the port's pread/pwrite): a stream keeps its own
 * offset, so streams and descriptors never share a position. An append
 * stream writes at the size fstat reports at each write. A stream holds a
 * reference to the open file and outlives a dropped descriptor, as in
 * wasmtime. Reads return at most P2_SCRATCH bytes per call (a short read
 * is allowed by the WIT; the end is a read of 0 bytes).
 */
#include "base/env.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/p2_fs.h"

/* A read at the stream's offset: count, ERR_PIPE at the end, an error. */
static long file_stream_read(struct wasi_ctx *w, struct p2_stream *s, size_t max, bool block,
                             const uint8_t **data, int *http_code)
{
    (void)block, (void)http_code;
    uint8_t *buf = p2_scratch(w);
    if (!buf) return ERR_NOMEM;
    max = MIN(max, (size_t)P2_SCRATCH);
    long n = w->port.ops->pread(w->port.ctx, s->fref->file, buf, max, s->offset);
    if (n == 0 && max) return ERR_PIPE;
    if (n > 0) s->offset += (uint64_t)n;
    *data = buf;
    return n;
}

/* A whole write at the stream's offset (or its end when appending). */
static int file_stream_write(struct wasi_ctx *w, struct p2_stream *s, const uint8_t *data,
                             size_t len)
{
    const struct wasi_port_ops *o = w->port.ops;
    if (s->append) {
        struct wasi_port_stat st;
        int rc = o->fstat(w->port.ctx, s->fref->file, &st);
        if (rc) return rc;
        s->offset = st.size;
    }
    while (len) {
        long n = o->pwrite(w->port.ctx, s->fref->file, data, len, s->offset);
        if (n <= 0) return n ? (int)n : ERR_IO;
        s->offset += (uint64_t)n;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static const struct p2_stream_ops file_stream_ops = {
    .read = file_stream_read,
    .write = file_stream_write,
    .prepare = p2_stream_always_ready,
};

static void file_stream_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    p2_fref_put(w, ((struct p2_stream *)o)->fref);
}

/* Makes a stream of type over d's file at offset: result<own<stream>,
 * error-code> (8 bytes) at ret_ptr. */
static int file_stream(struct wasm_host_call *call, uint32_t self, enum p2_type type,
                       uint64_t offset, bool append, uint32_t ret_ptr)
{
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    if (!p2_ret(call, ret_ptr, 8, 4)) return p2_bad_ret(call, ret_ptr);
    int rc = p2_desc_file(d, type == P2_INPUT_STREAM ? DF_READ : DF_WRITE);
    if (rc) return p2_fs_fail(call, ret_ptr, 8, 4, 4, rc);
    struct p2_stream *s = p2_obj_new(sizeof *s, type, NULL, file_stream_destroy);
    if (!s) return wasm_host_trap(call, "out of memory");
    s->ops = &file_stream_ops;
    s->fref = d->fref;
    s->fref->refs++;
    s->file = d->fref->file;
    s->offset = offset;
    s->append = append;
    uint32_t h;
    rc = p2_put(call, &s->h, &h);
    if (rc) return rc;
    return p2_ret_handle(call, ret_ptr, false, 0, h);
}

/* read-via-stream(offset) -> result<own<input-stream>, error-code> */
P2_IMPL(p2_filesystem_types_descriptor_read_via_stream, uint32_t self, uint64_t offset,
        uint32_t ret_ptr)
{
    return file_stream(call, self, P2_INPUT_STREAM, offset, false, ret_ptr);
}

/* write-via-stream(offset) -> result<own<output-stream>, error-code> */
P2_IMPL(p2_filesystem_types_descriptor_write_via_stream, uint32_t self, uint64_t offset,
        uint32_t ret_ptr)
{
    return file_stream(call, self, P2_OUTPUT_STREAM, offset, false, ret_ptr);
}

/* append-via-stream() -> result<own<output-stream>, error-code> */
P2_IMPL(p2_filesystem_types_descriptor_append_via_stream, uint32_t self, uint32_t ret_ptr)
{
    return file_stream(call, self, P2_OUTPUT_STREAM, 0, true, ret_ptr);
}

/* read(length, offset) -> result<tuple<list<u8>, bool>, error-code>:
 * 16 bytes, list @4/@8, end-of-file @12. */
P2_IMPL(p2_filesystem_types_descriptor_read, uint32_t self, uint64_t length, uint64_t offset,
        uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    if (!p2_ret(call, ret_ptr, 16, 4)) return p2_bad_ret(call, ret_ptr);
    int rc = p2_desc_file(d, DF_READ);
    if (rc) return p2_fs_fail(call, ret_ptr, 16, 4, 4, rc);
    uint8_t *buf = p2_scratch(w);
    if (!buf) return p2_fs_fail(call, ret_ptr, 16, 4, 4, ERR_NOMEM);
    size_t max = (size_t)MIN(length, (uint64_t)P2_SCRATCH);
    long n = max ? w->port.ops->pread(w->port.ctx, d->fref->file, buf, max, offset) : 0;
    if (n < 0) return p2_fs_fail(call, ret_ptr, 16, 4, 4, (int)n);
    uint32_t ptr;
    rc = p2_alloc_copy(call, buf, (uint32_t)n, &ptr);
    if (rc) return rc;
    uint8_t *ret = p2_ret(call, ret_ptr, 16, 4);
    le32_put(ret + 4, ptr);
    le32_put(ret + 8, (uint32_t)n);
    ret[12] = n == 0;
    return 0;
}

/* write(buffer, offset) -> result<filesize, error-code>: 16 bytes,
 * align 8, the count @8. */
P2_IMPL(p2_filesystem_types_descriptor_write, uint32_t self, uint32_t buffer_ptr,
        uint32_t buffer_len, uint64_t offset, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    const uint8_t *data = p2_arg_bytes(call, buffer_ptr, buffer_len, false);
    if (!data) return p2_bad_ptr(call, "write buffer");
    if (!p2_ret(call, ret_ptr, 16, 8)) return p2_bad_ret(call, ret_ptr);
    int rc = p2_desc_file(d, DF_WRITE);
    long n = rc ? rc : w->port.ops->pwrite(w->port.ctx, d->fref->file, data, buffer_len, offset);
    if (n < 0) return p2_fs_fail(call, ret_ptr, 16, 8, 8, (int)n);
    le64_put(p2_ret(call, ret_ptr, 16, 8) + 8, (uint64_t)n);
    return 0;
}

/* set-size(size) -> result<_, error-code> */
P2_IMPL(p2_filesystem_types_descriptor_set_size, uint32_t self, uint64_t size, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    int rc = p2_desc_file(d, DF_WRITE);
    if (rc == 0 && size > INT64_MAX) rc = ERR_FBIG;
    if (rc == 0) rc = w->port.ops->set_size(w->port.ctx, d->fref->file, size);
    return p2_fs_unit(call, ret_ptr, rc);
}

static int do_sync(struct wasm_host_call *call, uint32_t self, uint32_t ret_ptr, bool data_only)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    return p2_fs_unit(call, ret_ptr, w->port.ops->sync(w->port.ctx, d->fref->file, data_only));
}

P2_IMPL(p2_filesystem_types_descriptor_sync, uint32_t self, uint32_t ret_ptr)
{
    return do_sync(call, self, ret_ptr, false);
}

P2_IMPL(p2_filesystem_types_descriptor_sync_data, uint32_t self, uint32_t ret_ptr)
{
    return do_sync(call, self, ret_ptr, true);
}

/* advise(offset, length, advice) -> result<_, error-code>: a hint, taken
 * and ignored for files (bad-descriptor for a directory, as wasmtime). */
P2_IMPL(p2_filesystem_types_descriptor_advise, uint32_t self, uint64_t offset, uint64_t length,
        uint32_t advice, uint32_t ret_ptr)
{
    (void)offset, (void)length;
    struct p2_desc *d = p2_get(call, self, P2_DESCRIPTOR);
    if (!d) return p2_bad_handle(call, self, P2_DESCRIPTOR);
    if (advice > 5) return wasm_host_trap(call, "advice case %u out of range", advice);
    return p2_fs_unit(call, ret_ptr, p2_desc_file(d, 0));
}
