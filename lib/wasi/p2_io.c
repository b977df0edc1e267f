/*
 * lib/wasi/p2_io.c - wasi:io/poll and wasi:io/streams: pollables over the
 * port's wait(), and input/output streams over the console, TCP sockets
 * and HTTP bodies (wasi-io package.wit).
 *
 * Streams are never buffered here: a write goes to the port (the console
 * or a socket, sending all of it) or into the outgoing HTTP body, so
 * flush has nothing to do. A read returns what is there (read) or waits
 * for something (blocking-read); lists go to the guest through its
 * cabi_realloc with exactly the bytes read. HTTP bodies are read through
 * lib/http, whose reads block up to the request's between-bytes timeout;
 * their pollables are always ready.
 */
#include "base/env.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/p2.h"

int p2_subscribe(struct wasm_host_call *call, struct p2_obj *target, enum p2_poll_kind kind,
                 uint64_t deadline, wasm_value *r)
{
    struct p2_pollable *p = p2_obj_new(sizeof *p, P2_POLLABLE, target, NULL);
    if (!p) return wasm_host_trap(call, "out of memory");
    p->kind = (uint8_t)kind;
    p->deadline = deadline;
    return p2_put(call, &p->h, &r[0].u32);
}

int p2_stream_new(struct wasm_host_call *call, enum p2_type type, enum p2_stream_kind kind,
                  struct p2_obj *parent, struct wasi_port_file *file, uint32_t *handle)
{
    struct p2_stream *s = p2_obj_new(sizeof *s, type, parent, NULL);
    if (!s) return wasm_host_trap(call, "out of memory");
    s->kind = (uint8_t)kind;
    s->file = file;
    return p2_put(call, &s->h, handle);
}

/* ---- readiness ------------------------------------------------------------ */

/* What one pollable needs: ready now, a deadline, or a port wait. */
struct poll_item {
    bool ready;
    bool waits; /* pfd is used */
    uint64_t deadline;
    struct wasi_port_pollfd pfd;
};

static void prepare_stream(struct p2_stream *s, struct poll_item *it)
{
    bool in = s->h.type == P2_INPUT_STREAM;
    if (s->closed || s->kind == SK_HTTP_IN || s->kind == SK_HTTP_OUT || s->kind == SK_FILE) {
        it->ready = true;
        return;
    }
    it->waits = true;
    it->pfd.events = in ? WASI_PORT_EV_IN : WASI_PORT_EV_OUT;
    if (s->kind == SK_CONSOLE)
        it->pfd.file = s->file;
    else
        it->pfd.sock = p2_tcp_port_sock(s->h.parent);
}

static void prepare(struct wasi_ctx *w, struct p2_pollable *p, uint64_t now, struct poll_item *it)
{
    memset(it, 0, sizeof *it);
    struct p2_obj *t = p->h.parent;
    switch (p->kind) {
    case PK_READY: it->ready = true; break;
    case PK_CLOCK:
        it->ready = p->deadline <= now;
        it->deadline = p->deadline;
        break;
    case PK_STREAM: prepare_stream((struct p2_stream *)t, it); break;
    case PK_TCP:
        if (p2_tcp_is_connecting(t, &it->deadline)) {
            /* tcp.wit subscribe: ready once finish-connect would not say
             * would-block: the attempt ended, or its deadline passed */
            it->ready = it->deadline <= now;
            it->waits = true;
            it->pfd.sock = p2_tcp_port_sock(t);
            it->pfd.events = WASI_PORT_EV_OUT;
            break;
        }
        if (!p2_tcp_is_listening(t) || !p2_tcp_port_sock(t)) {
            it->ready = true;
            break;
        }
        it->waits = true;
        it->pfd.sock = p2_tcp_port_sock(t);
        it->pfd.events = WASI_PORT_EV_IN;
        break;
    case PK_DGRAM_IN:
    case PK_DGRAM_OUT:
        it->pfd.sock = p2_udp_port_sock(t->parent);
        it->waits = it->pfd.sock != NULL;
        it->ready = !it->waits;
        it->pfd.events = p->kind == PK_DGRAM_IN ? WASI_PORT_EV_IN : WASI_PORT_EV_OUT;
        break;
    case PK_HTTP: it->ready = p2_http_future_ready(w, t); break;
    }
}

/*
 * Evaluates n pollables, setting ready[i]; with block, waits until at
 * least one is ready. Returns 0, an ERR_* of the port, or ERR_BUSY when
 * blocking could never end (nothing to wait for).
 */
static int poll_set(struct wasi_ctx *w, struct p2_pollable **ps, uint32_t n, bool block,
                    bool *ready)
{
    struct poll_item *items = mem_alloc(sizeof(*items) * n);
    struct wasi_port_pollfd *pfds = mem_alloc(sizeof(*pfds) * n);
    uint32_t *map = mem_alloc(sizeof(*map) * n);
    int rc = items && pfds && map ? 0 : ERR_NOMEM;
    while (rc == 0) {
        uint64_t now = p2_now(w), deadline = WASI_PORT_NO_DEADLINE;
        bool any = false;
        size_t np = 0;
        for (uint32_t i = 0; i < n; i++) {
            prepare(w, ps[i], now, &items[i]);
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
            for (size_t k = 0; k < np; k++)
                if (pfds[k].revents) {
                    ready[map[k]] = true;
                    any = true;
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

P2_FN(p2_io_poll_pollable_ready)
{
    struct p2_pollable *p = p2_get(call, a[0].u32, P2_POLLABLE);
    if (!p) return p2_bad_handle(call, a[0].u32, P2_POLLABLE);
    bool ready;
    int rc = poll_set(call_ctx(call), &p, 1, false, &ready);
    if (rc) return poll_fail(call, rc);
    r[0].u32 = ready;
    return 0;
}

P2_FN(p2_io_poll_pollable_block)
{
    (void)r;
    struct p2_pollable *p = p2_get(call, a[0].u32, P2_POLLABLE);
    if (!p) return p2_bad_handle(call, a[0].u32, P2_POLLABLE);
    bool ready;
    int rc = poll_set(call_ctx(call), &p, 1, true, &ready);
    return rc ? poll_fail(call, rc) : 0;
}

/* poll(in: list<borrow<pollable>>) -> list<u32>: the indices of the ready
 * ones, after waiting for at least one. An empty list traps (wasi-io). */
P2_FN(p2_io_poll_poll)
{
    (void)r;
    uint32_t n = a[1].u32;
    if (n == 0) return wasm_host_trap(call, "poll of an empty list");
    const uint8_t *in = guest_ptr(call, a[0].u32, (uint64_t)n * 4);
    if (!in || (a[0].u32 & 3)) return p2_bad_ptr(call, "poll list");
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
        uint8_t *ret = p2_ret(call, a[2].u32, 8, 4);
        if (!ret)
            rc = p2_bad_ret(call, a[2].u32);
        else {
            le32_put(ret, ptr);
            le32_put(ret + 4, count);
        }
    }
    mem_free(ps);
    mem_free(ready);
    return rc;
}

P2_FN(p2_io_poll_pollable_drop)
{
    (void)r;
    return p2_drop(call, a[0].u32, P2_POLLABLE);
}

/* ---- input streams ------------------------------------------------------------ */

/* Waits for the stream's port handle to be ready (events), or returns at
 * once when !block. Returns 1 ready, 0 not ready, or an error. */
static int stream_wait(struct wasi_ctx *w, struct p2_stream *s, unsigned events, bool block)
{
    struct wasi_port_pollfd p = {.events = events};
    if (s->kind == SK_CONSOLE)
        p.file = s->file;
    else
        p.sock = p2_tcp_port_sock(s->h.parent);
    int rc = w->port.ops->wait(w->port.ctx, &p, 1, block ? WASI_PORT_NO_DEADLINE : p2_now(w));
    return rc < 0 ? rc : p.revents != 0;
}

/* Reads up to max bytes from a console or TCP input stream into buf.
 * Returns the count, 0 when nothing is there (!block), ERR_PIPE at the end
 * of the stream, or an error. */
static long raw_read(struct wasi_ctx *w, struct p2_stream *s, uint8_t *buf, size_t max, bool block)
{
    const struct wasi_port_ops *o = w->port.ops;
    if (s->kind == SK_FILE) return p2_file_stream_read(w, s, buf, max);
    for (;;) {
        long n;
        if (s->kind == SK_CONSOLE) {
            int ready = stream_wait(w, s, WASI_PORT_EV_IN, block);
            if (ready <= 0) return ready;
            n = o->read(w->port.ctx, s->file, buf, max);
        } else {
            n = o->recv(w->port.ctx, p2_tcp_port_sock(s->h.parent), buf, max);
            if (n == ERR_AGAIN) {
                if (!block) return 0;
                int rc = stream_wait(w, s, WASI_PORT_EV_IN, true);
                if (rc < 0) return rc;
                continue;
            }
        }
        return n == 0 ? ERR_PIPE : n;
    }
}

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
    const uint8_t *data;
    long got;
    if (s->kind == SK_HTTP_IN) {
        got = p2_http_body_slice(w, s->h.parent, max, &data, http_code);
        if (got == 0) got = ERR_PIPE;
    } else {
        uint8_t *buf = p2_scratch(w);
        if (!buf) return ERR_NOMEM;
        got = raw_read(w, s, buf, MIN(max, (size_t)P2_SCRATCH), block);
        data = buf;
    }
    if (got < 0) {
        s->closed = true;
        return (int)got;
    }
    int rc = p2_alloc_copy(call, data, (uint32_t)got, ptr);
    if (rc == 0) *n = (uint32_t)got;
    return rc;
}

/* read/blocking-read(len) -> result<list<u8>, stream-error>: 12 bytes. */
static int do_read(struct wasm_host_call *call, const wasm_value *a, bool block)
{
    struct p2_stream *s = p2_get(call, a[0].u32, P2_INPUT_STREAM);
    if (!s) return p2_bad_handle(call, a[0].u32, P2_INPUT_STREAM);
    uint32_t ptr, n;
    int http_code;
    int rc = stream_read(call, s, a[1].u64, block, &ptr, &n, &http_code);
    if (rc > 0) return rc;
    if (rc == ERR_CANCELED) return wasm_host_trap(call, "killed");
    if (rc < 0)
        return p2_stream_error(call, a[2].u32, 12, 4, 4, 8, rc == ERR_PIPE ? 0 : rc, http_code,
                               NULL);
    uint8_t *ret = p2_ret(call, a[2].u32, 12, 4);
    if (!ret) return p2_bad_ret(call, a[2].u32);
    le32_put(ret + 4, ptr);
    le32_put(ret + 8, n);
    return 0;
}

P2_FN(p2_io_streams_input_stream_read)
{
    (void)r;
    return do_read(call, a, false);
}

P2_FN(p2_io_streams_input_stream_blocking_read)
{
    (void)r;
    return do_read(call, a, true);
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
    long got;
    if (s->kind == SK_HTTP_IN) {
        const uint8_t *data;
        got = p2_http_body_slice(w, s->h.parent, max, &data, http_code);
        if (got == 0) got = ERR_PIPE;
    } else {
        uint8_t *buf = p2_scratch(w);
        got = buf ? raw_read(w, s, buf, max, block) : ERR_NOMEM;
    }
    if (got < 0) s->closed = true;
    return got;
}

/* skip/blocking-skip(len) -> result<u64, stream-error>: 16 bytes, align 8. */
static int do_skip(struct wasm_host_call *call, const wasm_value *a, bool block)
{
    struct p2_stream *s = p2_get(call, a[0].u32, P2_INPUT_STREAM);
    if (!s) return p2_bad_handle(call, a[0].u32, P2_INPUT_STREAM);
    int http_code;
    long n = stream_skip(call_ctx(call), s, a[1].u64, block, &http_code);
    if (n == ERR_CANCELED) return wasm_host_trap(call, "killed");
    if (n < 0)
        return p2_stream_error(call, a[2].u32, 16, 8, 8, 12, n == ERR_PIPE ? 0 : (int)n, http_code,
                               NULL);
    uint8_t *ret = p2_ret(call, a[2].u32, 16, 8);
    if (!ret) return p2_bad_ret(call, a[2].u32);
    le64_put(ret + 8, (uint64_t)n);
    return 0;
}

P2_FN(p2_io_streams_input_stream_skip)
{
    (void)r;
    return do_skip(call, a, false);
}

P2_FN(p2_io_streams_input_stream_blocking_skip)
{
    (void)r;
    return do_skip(call, a, true);
}

P2_FN(p2_io_streams_input_stream_subscribe)
{
    struct p2_stream *s = p2_get(call, a[0].u32, P2_INPUT_STREAM);
    if (!s) return p2_bad_handle(call, a[0].u32, P2_INPUT_STREAM);
    return p2_subscribe(call, &s->h, PK_STREAM, 0, r);
}

P2_FN(p2_io_streams_input_stream_drop)
{
    (void)r;
    return p2_drop(call, a[0].u32, P2_INPUT_STREAM);
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

/* Writes all of data to the stream: 0 or an ERR_*. */
static int stream_write(struct wasi_ctx *w, struct p2_stream *s, const uint8_t *data, size_t len)
{
    const struct wasi_port_ops *o = w->port.ops;
    if (s->kind == SK_HTTP_OUT) return p2_http_body_write(w, s->h.parent, data, len);
    if (s->kind == SK_FILE) return p2_file_stream_write(w, s, data, len);
    while (len) {
        long n = s->kind == SK_CONSOLE
                     ? o->write(w->port.ctx, s->file, data, len)
                     : o->send(w->port.ctx, p2_tcp_port_sock(s->h.parent), data, len);
        if (n == ERR_AGAIN) {
            int rc = stream_wait(w, s, WASI_PORT_EV_OUT, true);
            if (rc < 0) return rc;
            continue;
        }
        if (n <= 0) return n ? (int)n : ERR_IO;
        data += n;
        len -= (size_t)n;
    }
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
P2_FN(p2_io_streams_output_stream_check_write)
{
    (void)r;
    struct wasi_ctx *w = call_ctx(call);
    struct p2_stream *s = p2_get(call, a[0].u32, P2_OUTPUT_STREAM);
    if (!s) return p2_bad_handle(call, a[0].u32, P2_OUTPUT_STREAM);
    if (s->closed) return p2_stream_error(call, a[1].u32, 16, 8, 8, 12, 0, -1, NULL);
    uint64_t budget = WRITE_BUDGET;
    if (s->kind == SK_TCP) {
        int ready = stream_wait(w, s, WASI_PORT_EV_OUT, false);
        if (ready == ERR_CANCELED) return wasm_host_trap(call, "killed");
        budget = ready > 0 ? WRITE_BUDGET : 0;
    }
    uint8_t *ret = p2_ret(call, a[1].u32, 16, 8);
    if (!ret) return p2_bad_ret(call, a[1].u32);
    le64_put(ret + 8, budget);
    s->permit = budget;
    return 0;
}

/* write / blocking-write-and-flush(contents: list<u8>) */
static int do_write(struct wasm_host_call *call, const wasm_value *a, bool blocking)
{
    struct p2_stream *s = p2_get(call, a[0].u32, P2_OUTPUT_STREAM);
    if (!s) return p2_bad_handle(call, a[0].u32, P2_OUTPUT_STREAM);
    const uint8_t *data = p2_arg_bytes(call, a[1].u32, a[2].u32, false);
    if (!data) return p2_bad_ptr(call, "write contents");
    if (s->closed) return p2_stream_error(call, a[3].u32, 12, 4, 4, 8, 0, -1, NULL);
    int rc = write_allowed(call, s, a[2].u32, blocking);
    if (rc) return rc;
    return write_result(call, s, a[3].u32, stream_write(call_ctx(call), s, data, a[2].u32));
}

P2_FN(p2_io_streams_output_stream_write)
{
    (void)r;
    return do_write(call, a, false);
}

P2_FN(p2_io_streams_output_stream_blocking_write_and_flush)
{
    (void)r;
    return do_write(call, a, true);
}

/* flush / blocking-flush: nothing is buffered here. */
static int do_flush(struct wasm_host_call *call, const wasm_value *a)
{
    struct p2_stream *s = p2_get(call, a[0].u32, P2_OUTPUT_STREAM);
    if (!s) return p2_bad_handle(call, a[0].u32, P2_OUTPUT_STREAM);
    if (s->closed) return p2_stream_error(call, a[1].u32, 12, 4, 4, 8, 0, -1, NULL);
    return p2_ret(call, a[1].u32, 12, 4) ? 0 : p2_bad_ret(call, a[1].u32);
}

P2_FN(p2_io_streams_output_stream_flush)
{
    (void)r;
    return do_flush(call, a);
}

P2_FN(p2_io_streams_output_stream_blocking_flush)
{
    (void)r;
    return do_flush(call, a);
}

/* write-zeroes / blocking-write-zeroes-and-flush(len: u64) */
static int do_write_zeroes(struct wasm_host_call *call, const wasm_value *a, bool blocking)
{
    static const uint8_t zeroes[4096];
    struct p2_stream *s = p2_get(call, a[0].u32, P2_OUTPUT_STREAM);
    if (!s) return p2_bad_handle(call, a[0].u32, P2_OUTPUT_STREAM);
    if (s->closed) return p2_stream_error(call, a[2].u32, 12, 4, 4, 8, 0, -1, NULL);
    int trap = write_allowed(call, s, a[1].u64, blocking);
    if (trap) return trap;
    uint64_t left = a[1].u64;
    int rc = 0;
    while (left && !rc) {
        size_t n = (size_t)MIN(left, (uint64_t)sizeof zeroes);
        rc = stream_write(call_ctx(call), s, zeroes, n);
        left -= n;
    }
    return write_result(call, s, a[2].u32, rc);
}

P2_FN(p2_io_streams_output_stream_write_zeroes)
{
    (void)r;
    return do_write_zeroes(call, a, false);
}

P2_FN(p2_io_streams_output_stream_blocking_write_zeroes_and_flush)
{
    (void)r;
    return do_write_zeroes(call, a, true);
}

/* splice / blocking-splice(src: borrow<input-stream>, len: u64) ->
 * result<u64, stream-error>: moves up to len bytes (one read's worth). */
static int do_splice(struct wasm_host_call *call, const wasm_value *a, bool block)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_stream *dst = p2_get(call, a[0].u32, P2_OUTPUT_STREAM);
    struct p2_stream *src = p2_get(call, a[1].u32, P2_INPUT_STREAM);
    if (!dst || !src)
        return dst ? p2_bad_handle(call, a[1].u32, P2_INPUT_STREAM)
                   : p2_bad_handle(call, a[0].u32, P2_OUTPUT_STREAM);
    if (dst->closed) return p2_stream_error(call, a[3].u32, 16, 8, 8, 12, 0, -1, NULL);
    size_t max = (size_t)MIN(a[2].u64, (uint64_t)P2_SCRATCH);
    long got = 0;
    int http_code = -1;
    if (max && src->kind == SK_HTTP_IN) {
        const uint8_t *data;
        got = p2_http_body_slice(w, src->h.parent, max, &data, &http_code);
        got = got == 0 ? ERR_PIPE : got;
        if (got > 0) {
            int rc = stream_write(w, dst, data, (size_t)got);
            if (rc) return write_result(call, dst, a[3].u32, rc);
        }
    } else if (max) {
        uint8_t *buf = p2_scratch(w);
        got = src->closed ? ERR_PIPE : buf ? raw_read(w, src, buf, max, block) : ERR_NOMEM;
        if (got > 0) {
            int rc = stream_write(w, dst, buf, (size_t)got);
            if (rc) {
                dst->closed = true;
                return p2_stream_error(call, a[3].u32, 16, 8, 8, 12, rc, -1, NULL);
            }
        }
    }
    if (got == ERR_CANCELED) return wasm_host_trap(call, "killed");
    if (got < 0) {
        src->closed = true;
        return p2_stream_error(call, a[3].u32, 16, 8, 8, 12, got == ERR_PIPE ? 0 : (int)got,
                               http_code, NULL);
    }
    uint8_t *ret = p2_ret(call, a[3].u32, 16, 8);
    if (!ret) return p2_bad_ret(call, a[3].u32);
    le64_put(ret + 8, (uint64_t)got);
    return 0;
}

P2_FN(p2_io_streams_output_stream_splice)
{
    (void)r;
    return do_splice(call, a, false);
}

P2_FN(p2_io_streams_output_stream_blocking_splice)
{
    (void)r;
    return do_splice(call, a, true);
}

P2_FN(p2_io_streams_output_stream_subscribe)
{
    struct p2_stream *s = p2_get(call, a[0].u32, P2_OUTPUT_STREAM);
    if (!s) return p2_bad_handle(call, a[0].u32, P2_OUTPUT_STREAM);
    return p2_subscribe(call, &s->h, PK_STREAM, 0, r);
}

P2_FN(p2_io_streams_output_stream_drop)
{
    (void)r;
    return p2_drop(call, a[0].u32, P2_OUTPUT_STREAM);
}
