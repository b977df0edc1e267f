/*
 * lib/wasi/p2_io.c - wasi:io/poll and wasi:io/streams: pollables over the
 * port's wait(), and input/output streams (wasi-io package.wit). What a
 * stream or pollable does is its kind's ops table (p2.h), given by the
 * file that owns the thing behind it: the console (p2_cli.c), TCP sockets
 * and datagrams (p2_sock.c), files (p2_fs_file.c), HTTP bodies and
 * futures (p2_http.c). This file knows none of them.
 *
 * Streams are never buffered here: a write goes to its kind whole, so
 * flush has nothing to do. A read returns what is there (read) or waits
 * for something (blocking-read); lists go to the guest through its
 * cabi_realloc with exactly the bytes read.
 */
#include "base/env.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/p2.h"

int p2_subscribe(struct wasm_host_call *call, struct p2_obj *target, const struct p2_poll_ops *ops,
                 uint64_t deadline, uint32_t *handle)
{
    struct p2_pollable *p = p2_obj_new(sizeof *p, P2_POLLABLE, target, NULL);
    if (!p) return wasm_host_trap(call, "out of memory");
    p->ops = ops;
    p->deadline = deadline;
    return p2_put(call, &p->h, handle);
}

int p2_stream_new(struct wasm_host_call *call, enum p2_type type, const struct p2_stream_ops *ops,
                  struct p2_obj *parent, struct wasi_port_file *file, uint32_t *handle)
{
    struct p2_stream *s = p2_obj_new(sizeof *s, type, parent, NULL);
    if (!s) return wasm_host_trap(call, "out of memory");
    s->ops = ops;
    s->file = file;
    return p2_put(call, &s->h, handle);
}

int p2_stream_once(struct wasm_host_call *call, bool *taken, enum p2_type type,
                   const struct p2_stream_ops *ops, struct p2_obj *parent, uint32_t ret_ptr)
{
    uint32_t h = 0;
    bool err = *taken;
    if (!err) {
        int rc = p2_stream_new(call, type, ops, parent, NULL, &h);
        if (rc) return rc;
        *taken = true;
    }
    return p2_ret_handle(call, ret_ptr, err, 0, h);
}

/* ---- readiness ------------------------------------------------------------ */

static void prepare_ready(struct wasi_ctx *w, const struct p2_pollable *p, uint64_t now,
                          struct p2_wait *it)
{
    (void)w, (void)p, (void)now;
    it->ready = true;
}

const struct p2_poll_ops p2_poll_ready = {.prepare = prepare_ready};

void p2_stream_always_ready(struct wasi_ctx *w, struct p2_stream *s, struct p2_wait *it)
{
    (void)w, (void)s;
    it->ready = true;
}

static void prepare_stream(struct wasi_ctx *w, const struct p2_pollable *p, uint64_t now,
                           struct p2_wait *it)
{
    (void)now;
    struct p2_stream *s = (struct p2_stream *)p->h.parent;
    if (s->closed)
        it->ready = true;
    else
        s->ops->prepare(w, s, it);
}

const struct p2_poll_ops p2_poll_stream = {.prepare = prepare_stream};

int p2_stream_wait(struct wasi_ctx *w, struct p2_stream *s, bool block)
{
    struct p2_wait it = {0};
    s->ops->prepare(w, s, &it);
    if (it.ready || !it.waits) return 1;
    int rc = w->port.ops->wait(w->port.ctx, &it.pfd, 1, block ? WASI_PORT_NO_DEADLINE : p2_now(w));
    return rc < 0 ? rc : it.pfd.revents != 0;
}

int p2_stream_write_all(struct wasi_ctx *w, struct p2_stream *s, const uint8_t *data, size_t len,
                        long (*once)(struct wasi_ctx *, struct p2_stream *, const uint8_t *,
                                     size_t))
{
    while (len) {
        long n = once(w, s, data, len);
        if (n == ERR_AGAIN) {
            int rc = p2_stream_wait(w, s, true);
            if (rc < 0) return rc;
            continue;
        }
        if (n <= 0) return n ? (int)n : ERR_IO;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/*
 * Evaluates n pollables, setting ready[i]; with block, waits until at
 * least one is ready. Returns 0, an ERR_* of the port, or ERR_BUSY when
 * blocking could never end (nothing to wait for).
 */
static int poll_set(struct wasi_ctx *w, struct p2_pollable **ps, uint32_t n, bool block,
                    bool *ready)
{
    struct p2_wait *items = mem_alloc(sizeof(*items) * n);
    struct wasi_port_pollfd *pfds = mem_alloc(sizeof(*pfds) * n);
    uint32_t *map = mem_alloc(sizeof(*map) * n);
    int rc = items && pfds && map ? 0 : ERR_NOMEM;
    while (rc == 0) {
        uint64_t now = p2_now(w), deadline = WASI_PORT_NO_DEADLINE;
        bool any = false;
        size_t np = 0;
        for (uint32_t i = 0; i < n; i++) {
            memset(&items[i], 0, sizeof items[i]);
            ps[i]->ops->prepare(w, ps[i], now, &items[i]);
            ready[i] = items[i].ready;
            any |= ready[i];
            if (!ready[i] && items[i].deadline) deadline = MIN(deadline, items[i].deadline);
            if (!ready[i] && items[i].waits) {
                pfds[np] = items[i].pfd;
                map[np++] = i;
            }
        }
        if (!any && block && np == 0 && deadline == WASI_PORT_NO_DEADLINE) {
            rc = ERR_BUSY;
            break;
        }
        if (np || (block && !any)) {
            int got = w->port.ops->wait(w->port.ctx, pfds, np, (any || !block) ? now : deadline);
            if (got < 0) {
                rc = got;
                break;
            }
            for (size_t k = 0; k < np; k++) {
                uint32_t i = map[k];
                if (pfds[k].revents && items[i].recheck) {
                    memset(&items[i], 0, sizeof items[i]);
                    ps[i]->ops->prepare(w, ps[i], p2_now(w), &items[i]);
                    ready[i] = items[i].ready;
                } else if (pfds[k].revents) {
                    ready[i] = true;
                }
                any |= ready[i];
            }
        }
        if (any || !block) break;
    }
    mem_free(items);
    mem_free(pfds);
    mem_free(map);
    return rc;
}

/* Ends a host call after poll_set failed. */
static int poll_fail(struct wasm_host_call *call, int rc)
{
    if (rc == ERR_BUSY)
        return wasm_host_trap(call, "waiting on pollables that can never become ready");
    if (rc == ERR_CANCELED) return wasm_host_trap(call, "killed");
    return wasm_host_trap(call, "waiting failed: %s", err_str(rc));
}

/* ---- wasi:io/poll ------------------------------------------------------------- */

P2_IMPL(p2_io_poll_pollable_ready, uint32_t self, uint32_t *result)
{
    struct p2_pollable *p = p2_get(call, self, P2_POLLABLE);
    if (!p) return p2_bad_handle(call, self, P2_POLLABLE);
    bool ready;
    int rc = poll_set(call_ctx(call), &p, 1, false, &ready);
    if (rc) return poll_fail(call, rc);
    *result = ready;
    return 0;
}

P2_IMPL(p2_io_poll_pollable_block, uint32_t self)
{
    struct p2_pollable *p = p2_get(call, self, P2_POLLABLE);
    if (!p) return p2_bad_handle(call, self, P2_POLLABLE);
    bool ready;
    int rc = poll_set(call_ctx(call), &p, 1, true, &ready);
    return rc ? poll_fail(call, rc) : 0;
}

/* poll(in: list<borrow<pollable>>) -> list<u32>: the indices of the ready
 * ones, after waiting for at least one. An empty list traps (wasi-io). */
P2_IMPL(p2_io_poll_poll, uint32_t in_ptr, uint32_t in_len, uint32_t ret_ptr)
{
    uint32_t n = in_len;
    if (n == 0) return wasm_host_trap(call, "poll of an empty list");
    const uint8_t *in = guest_ptr(call, in_ptr, (uint64_t)n * 4);
    if (!in || (in_ptr & 3)) return p2_bad_ptr(call, "poll list");
    struct p2_pollable **ps = mem_alloc(sizeof(*ps) * n);
    bool *ready = mem_alloc(n);
    if (!ps || !ready) {
        mem_free(ps);
        mem_free(ready);
        return wasm_host_trap(call, "out of memory");
    }
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++)
        if (!(ps[i] = p2_get(call, le32_get(in + 4 * i), P2_POLLABLE)))
            rc = p2_bad_handle(call, le32_get(in + 4 * i), P2_POLLABLE);
    if (!rc && (rc = poll_set(call_ctx(call), ps, n, true, ready)) != 0) rc = poll_fail(call, rc);
    uint32_t count = 0, ptr = 0;
    for (uint32_t i = 0; !rc && i < n; i++)
        count += ready[i];
    if (!rc) rc = p2_alloc(call, 4, count * 4, &ptr);
    if (!rc) {
        uint8_t *out = guest_ptr(call, ptr, count * 4);
        for (uint32_t i = 0, k = 0; i < n; i++)
            if (ready[i]) le32_put(out + 4 * k++, i);
        uint8_t *ret = p2_ret(call, ret_ptr, 8, 4);
        if (!ret)
            rc = p2_bad_ret(call, ret_ptr);
        else {
            le32_put(ret, ptr);
            le32_put(ret + 4, count);
        }
    }
    mem_free(ps);
    mem_free(ready);
    return rc;
}

P2_IMPL(p2_io_poll_pollable_drop, uint32_t self)
{
    return p2_drop(call, self, P2_POLLABLE);
}

/* ---- input streams ------------------------------------------------------------ */

/* Reads up to len bytes as a guest list: ok with *ptr and *n, ERR_PIPE at the
 * end, another ERR_* (with *http_code), or a trap value > 0. */
static int stream_read(struct wasm_host_call *call, struct p2_stream *s, uint64_t len, bool block,
                       uint32_t *ptr, uint32_t *n, int *http_code)
{
    struct wasi_ctx *w = call_ctx(call);
    *n = 0;
    *ptr = 1;
    *http_code = -1;
    if (s->closed) return ERR_PIPE;
    if (len == 0) return 0;
    size_t max = (size_t)MIN(len, (uint64_t)(1u << 20));
    const uint8_t *data = NULL;
    long got = s->ops->read(w, s, max, block, &data, http_code);
    if (got < 0) {
        s->closed = true;
        return (int)got;
    }
    int rc = p2_alloc_copy(call, data, (uint32_t)got, ptr);
    if (rc == 0) *n = (uint32_t)got;
    return rc;
}

/* read/blocking-read(len) -> result<list<u8>, stream-error>: 12 bytes. */
static int do_read(struct wasm_host_call *call, uint32_t self, uint64_t len, bool block,
                   uint32_t ret_ptr)
{
    struct p2_stream *s = p2_get(call, self, P2_INPUT_STREAM);
    if (!s) return p2_bad_handle(call, self, P2_INPUT_STREAM);
    uint32_t ptr, n;
    int http_code;
    int rc = stream_read(call, s, len, block, &ptr, &n, &http_code);
    if (rc > 0) return rc;
    if (rc == ERR_CANCELED) return wasm_host_trap(call, "killed");
    if (rc < 0)
        return p2_stream_error(call, ret_ptr, 12, 4, 4, 8, rc == ERR_PIPE ? 0 : rc, http_code,
                               NULL);
    uint8_t *ret = p2_ret(call, ret_ptr, 12, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le32_put(ret + 4, ptr);
    le32_put(ret + 8, n);
    return 0;
}

P2_IMPL(p2_io_streams_input_stream_read, uint32_t self, uint64_t len, uint32_t ret_ptr)
{
    return do_read(call, self, len, false, ret_ptr);
}

P2_IMPL(p2_io_streams_input_stream_blocking_read, uint32_t self, uint64_t len, uint32_t ret_ptr)
{
    return do_read(call, self, len, true, ret_ptr);
}

/* Reads and discards up to len bytes: the count, ERR_PIPE at the end, an
 * error. */
static long stream_skip(struct wasi_ctx *w, struct p2_stream *s, uint64_t len, bool block,
                        int *http_code)
{
    *http_code = -1;
    if (s->closed) return ERR_PIPE;
    size_t max = (size_t)MIN(len, (uint64_t)P2_SCRATCH);
    if (max == 0) return 0;
    const uint8_t *data;
    long got = s->ops->read(w, s, max, block, &data, http_code);
    if (got < 0) s->closed = true;
    return got;
}

/* skip/blocking-skip(len) -> result<u64, stream-error>: 16 bytes, align 8. */
static int do_skip(struct wasm_host_call *call, uint32_t self, uint64_t len, bool block,
                   uint32_t ret_ptr)
{
    struct p2_stream *s = p2_get(call, self, P2_INPUT_STREAM);
    if (!s) return p2_bad_handle(call, self, P2_INPUT_STREAM);
    int http_code;
    long n = stream_skip(call_ctx(call), s, len, block, &http_code);
    if (n == ERR_CANCELED) return wasm_host_trap(call, "killed");
    if (n < 0)
        return p2_stream_error(call, ret_ptr, 16, 8, 8, 12, n == ERR_PIPE ? 0 : (int)n, http_code,
                               NULL);
    uint8_t *ret = p2_ret(call, ret_ptr, 16, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le64_put(ret + 8, (uint64_t)n);
    return 0;
}

P2_IMPL(p2_io_streams_input_stream_skip, uint32_t self, uint64_t len, uint32_t ret_ptr)
{
    return do_skip(call, self, len, false, ret_ptr);
}

P2_IMPL(p2_io_streams_input_stream_blocking_skip, uint32_t self, uint64_t len, uint32_t ret_ptr)
{
    return do_skip(call, self, len, true, ret_ptr);
}

/* subscribe() of an input or output stream (type) self. */
static int stream_subscribe(struct wasm_host_call *call, uint32_t self, enum p2_type type,
                            uint32_t *result)
{
    struct p2_stream *s = p2_get(call, self, type);
    if (!s) return p2_bad_handle(call, self, type);
    return p2_subscribe(call, &s->h, &p2_poll_stream, 0, result);
}

P2_IMPL(p2_io_streams_input_stream_subscribe, uint32_t self, uint32_t *result)
{
    return stream_subscribe(call, self, P2_INPUT_STREAM, result);
}

P2_IMPL(p2_io_streams_input_stream_drop, uint32_t self)
{
    return p2_drop(call, self, P2_INPUT_STREAM);
}

/* ---- output streams ------------------------------------------------------------ */

#define WRITE_BUDGET 65536u /* what check-write permits at a time */
#define BLOCKING_MAX 4096u  /* what blocking-write-and-flush takes (streams.wit) */

/* streams.wit's preconditions on a write of len bytes: a write within what
 * check-write permitted, a blocking write of at most 4096 bytes; else the
 * trap that wasmtime gives too (and a host that buffered the excess could
 * be made to take any amount of memory). 0 when the write may go on. */
static int write_allowed(struct wasm_host_call *call, struct p2_stream *s, uint64_t len,
                         bool blocking)
{
    if (blocking && len > BLOCKING_MAX)
        return wasm_host_trap(call, "a blocking write of %llu bytes: more than %u",
                              (unsigned long long)len, BLOCKING_MAX);
    if (blocking) return 0;
    if (len > s->permit)
        return wasm_host_trap(call, "a write of %llu bytes: check-write permitted %llu",
                              (unsigned long long)len, (unsigned long long)s->permit);
    s->permit -= len;
    return 0;
}

/* The result<_, stream-error> of a write (12 bytes) for rc. */
static int write_result(struct wasm_host_call *call, struct p2_stream *s, uint32_t ret_ptr, int rc)
{
    if (rc == ERR_CANCELED) return wasm_host_trap(call, "killed");
    if (rc) {
        s->closed = true;
        return p2_stream_error(call, ret_ptr, 12, 4, 4, 8, rc, -1, NULL);
    }
    return p2_ret(call, ret_ptr, 12, 4) ? 0 : p2_bad_ret(call, ret_ptr);
}

/* check-write() -> result<u64, stream-error>: 16 bytes, align 8. */
P2_IMPL(p2_io_streams_output_stream_check_write, uint32_t self, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_stream *s = p2_get(call, self, P2_OUTPUT_STREAM);
    if (!s) return p2_bad_handle(call, self, P2_OUTPUT_STREAM);
    if (s->closed) return p2_stream_error(call, ret_ptr, 16, 8, 8, 12, 0, -1, NULL);
    int ready = s->ops->check_write ? s->ops->check_write(w, s) : 1;
    if (ready == ERR_CANCELED) return wasm_host_trap(call, "killed");
    uint64_t budget = ready > 0 ? WRITE_BUDGET : 0;
    uint8_t *ret = p2_ret(call, ret_ptr, 16, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le64_put(ret + 8, budget);
    s->permit = budget;
    return 0;
}

/* write / blocking-write-and-flush(contents: list<u8>) */
static int do_write(struct wasm_host_call *call, uint32_t self, uint32_t contents_ptr,
                    uint32_t contents_len, bool blocking, uint32_t ret_ptr)
{
    struct p2_stream *s = p2_get(call, self, P2_OUTPUT_STREAM);
    if (!s) return p2_bad_handle(call, self, P2_OUTPUT_STREAM);
    const uint8_t *data = p2_arg_bytes(call, contents_ptr, contents_len, false);
    if (!data) return p2_bad_ptr(call, "write contents");
    if (s->closed) return p2_stream_error(call, ret_ptr, 12, 4, 4, 8, 0, -1, NULL);
    int rc = write_allowed(call, s, contents_len, blocking);
    if (rc) return rc;
    return write_result(call, s, ret_ptr, s->ops->write(call_ctx(call), s, data, contents_len));
}

P2_IMPL(p2_io_streams_output_stream_write, uint32_t self, uint32_t contents_ptr,
        uint32_t contents_len, uint32_t ret_ptr)
{
    return do_write(call, self, contents_ptr, contents_len, false, ret_ptr);
}

P2_IMPL(p2_io_streams_output_stream_blocking_write_and_flush, uint32_t self, uint32_t contents_ptr,
        uint32_t contents_len, uint32_t ret_ptr)
{
    return do_write(call, self, contents_ptr, contents_len, true, ret_ptr);
}

/* flush / blocking-flush: nothing is buffered here. */
static int do_flush(struct wasm_host_call *call, uint32_t self, uint32_t ret_ptr)
{
    struct p2_stream *s = p2_get(call, self, P2_OUTPUT_STREAM);
    if (!s) return p2_bad_handle(call, self, P2_OUTPUT_STREAM);
    if (s->closed) return p2_stream_error(call, ret_ptr, 12, 4, 4, 8, 0, -1, NULL);
    return p2_ret(call, ret_ptr, 12, 4) ? 0 : p2_bad_ret(call, ret_ptr);
}

P2_IMPL(p2_io_streams_output_stream_flush, uint32_t self, uint32_t ret_ptr)
{
    return do_flush(call, self, ret_ptr);
}

P2_IMPL(p2_io_streams_output_stream_blocking_flush, uint32_t self, uint32_t ret_ptr)
{
    return do_flush(call, self, ret_ptr);
}

/* write-zeroes / blocking-write-zeroes-and-flush(len: u64) */
static int do_write_zeroes(struct wasm_host_call *call, uint32_t self, uint64_t len, bool blocking,
                           uint32_t ret_ptr)
{
    static const uint8_t zeroes[4096];
    struct p2_stream *s = p2_get(call, self, P2_OUTPUT_STREAM);
    if (!s) return p2_bad_handle(call, self, P2_OUTPUT_STREAM);
    if (s->closed) return p2_stream_error(call, ret_ptr, 12, 4, 4, 8, 0, -1, NULL);
    int trap = write_allowed(call, s, len, blocking);
    if (trap) return trap;
    uint64_t left = len;
    int rc = 0;
    while (left && !rc) {
        size_t n = (size_t)MIN(left, (uint64_t)sizeof zeroes);
        rc = s->ops->write(call_ctx(call), s, zeroes, n);
        left -= n;
    }
    return write_result(call, s, ret_ptr, rc);
}

P2_IMPL(p2_io_streams_output_stream_write_zeroes, uint32_t self, uint64_t len, uint32_t ret_ptr)
{
    return do_write_zeroes(call, self, len, false, ret_ptr);
}

P2_IMPL(p2_io_streams_output_stream_blocking_write_zeroes_and_flush, uint32_t self, uint64_t len,
        uint32_t ret_ptr)
{
    return do_write_zeroes(call, self, len, true, ret_ptr);
}

/* splice / blocking-splice(src: borrow<input-stream>, len: u64) ->
 * result<u64, stream-error>: moves up to len bytes (one read's worth). */
static int do_splice(struct wasm_host_call *call, uint32_t self, uint32_t src_handle, uint64_t len,
                     bool block, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_stream *dst = p2_get(call, self, P2_OUTPUT_STREAM);
    struct p2_stream *src = p2_get(call, src_handle, P2_INPUT_STREAM);
    if (!dst || !src)
        return dst ? p2_bad_handle(call, src_handle, P2_INPUT_STREAM)
                   : p2_bad_handle(call, self, P2_OUTPUT_STREAM);
    if (dst->closed) return p2_stream_error(call, ret_ptr, 16, 8, 8, 12, 0, -1, NULL);
    size_t max = (size_t)MIN(len, (uint64_t)P2_SCRATCH);
    long got = 0;
    int http_code = -1;
    const uint8_t *data;
    if (max) got = src->closed ? ERR_PIPE : src->ops->read(w, src, max, block, &data, &http_code);
    if (got > 0) {
        int rc = dst->ops->write(w, dst, data, (size_t)got);
        if (rc) {
            dst->closed = true;
            return p2_stream_error(call, ret_ptr, 16, 8, 8, 12, rc, -1, NULL);
        }
    }
    if (got == ERR_CANCELED) return wasm_host_trap(call, "killed");
    if (got < 0) {
        src->closed = true;
        return p2_stream_error(call, ret_ptr, 16, 8, 8, 12, got == ERR_PIPE ? 0 : (int)got,
                               http_code, NULL);
    }
    uint8_t *ret = p2_ret(call, ret_ptr, 16, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le64_put(ret + 8, (uint64_t)got);
    return 0;
}

P2_IMPL(p2_io_streams_output_stream_splice, uint32_t self, uint32_t src, uint64_t len,
        uint32_t ret_ptr)
{
    return do_splice(call, self, src, len, false, ret_ptr);
}

P2_IMPL(p2_io_streams_output_stream_blocking_splice, uint32_t self, uint32_t src, uint64_t len,
        uint32_t ret_ptr)
{
    return do_splice(call, self, src, len, true, ret_ptr);
}

P2_IMPL(p2_io_streams_output_stream_subscribe, uint32_t self, uint32_t *result)
{
    return stream_subscribe(call, self, P2_OUTPUT_STREAM, result);
}

P2_IMPL(p2_io_streams_output_stream_drop, uint32_t self)
{
    return p2_drop(call, self, P2_OUTPUT_STREAM);
}
