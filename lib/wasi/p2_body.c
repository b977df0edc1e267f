/*
 * lib/wasi/p2_body.c - wasi:http outgoing-body, for a client's request and
 * a server's response alike: the resource (write, finish, drop), its
 * output-stream, and the bytes held before the body can go out. Where the
 * bytes go is the body's sink, given by its owner: the request's
 * connection (p2_http.c) or the response on the wire (p2_http_server.c).
 *
 * A body is held by its owner and, until finish or drop, by a handle of
 * the guest; it is freed when both have let go (p2_body_orphan,
 * body_release).
 */
#include "base/env.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/p2_http.h"

void p2_body_free(struct wasi_ctx *w, struct p2_out_body *b)
{
    mem_free(b->data);
    b->data = NULL;
    p2_obj_free(w, &b->h);
}

void p2_body_orphan(struct wasi_ctx *w, struct p2_out_body *b)
{
    b->owner = NULL;
    if (!b->in_table) p2_body_free(w, b);
}

int p2_body_hold(struct wasi_ctx *w, struct p2_out_body *b, const uint8_t *data, size_t len)
{
    if (len > SIZE_MAX / 2 - b->len) return ERR_NOMEM;
    if (b->len + len > b->cap) {
        size_t cap = MAX(b->cap * 2, MAX(b->len + len, (size_t)4096)), was = b->h.charged;
        if (p2_charge(w, &b->h, p2_obj_cost(&b->h) + p2_heap_cost(cap)))
            return ERR_NOMEM; /* past the budget */
        uint8_t *p = mem_realloc(b->data, cap);
        if (!p) {
            p2_charge(w, &b->h, was);
            return ERR_NOMEM;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

void p2_body_drop_held(struct wasi_ctx *w, struct p2_out_body *b)
{
    mem_free(b->data);
    b->data = NULL;
    b->cap = 0;
    p2_charge(w, &b->h, p2_obj_cost(&b->h));
}

/* The table lets go of the body as the context is freed. */
static void body_table_release(struct wasi_ctx *w, struct p2_obj *o)
{
    struct p2_out_body *b = (struct p2_out_body *)o;
    b->in_table = false;
    if (!b->owner) p2_body_free(w, b);
}

int p2_body_put(struct wasm_host_call *call, const struct p2_body_sink *sink, void *owner,
                struct p2_out_body **out, uint32_t *handle)
{
    struct p2_out_body *b = p2_obj_new(sizeof *b, P2_OUT_BODY, NULL, NULL);
    if (!b) return wasm_host_trap(call, "out of memory");
    b->h.release = body_table_release;
    b->sink = sink;
    int rc = p2_put(call, &b->h, handle);
    if (rc) return rc;
    b->owner = owner;
    b->in_table = true;
    *out = b;
    return 0;
}

/* ---- the output-stream ------------------------------------------------------------------ */

/* The write of a body's stream (its parent): to the sink while the body
 * is open and held by its owner. */
static int stream_write(struct wasi_ctx *w, struct p2_stream *s, const uint8_t *data, size_t len)
{
    struct p2_out_body *b = (struct p2_out_body *)s->h.parent;
    if (b->finished || !b->owner) return ERR_PIPE;
    return b->sink->write(w, b, data, len);
}

/* check-write: the sink's, while the body is open and held. */
static int stream_check_write(struct wasi_ctx *w, struct p2_stream *s)
{
    struct p2_out_body *b = (struct p2_out_body *)s->h.parent;
    if (b->finished || !b->owner || !b->sink->check_write) return 1;
    return b->sink->check_write(w, b);
}

static void stream_prepare(struct wasi_ctx *w, struct p2_stream *s, struct p2_wait *it)
{
    struct p2_out_body *b = (struct p2_out_body *)s->h.parent;
    if (b->finished || !b->owner || !b->sink->prepare)
        it->ready = true;
    else
        b->sink->prepare(w, b, it);
}

static const struct p2_stream_ops stream_ops = {
    .write = stream_write,
    .check_write = stream_check_write,
    .prepare = stream_prepare,
};

/* write() -> result<own<output-stream>>: once. */
P2_IMPL(p2_http_types_outgoing_body_write, uint32_t self, uint32_t ret_ptr)
{
    struct p2_out_body *b = p2_get(call, self, P2_OUT_BODY);
    if (!b) return p2_bad_handle(call, self, P2_OUT_BODY);
    return p2_stream_once(call, &b->stream_taken, P2_OUTPUT_STREAM, &stream_ops, &b->h, ret_ptr);
}

/* ---- finish and drop -------------------------------------------------------------------- */

/* Takes the body out of the table (its stream must be gone). */
static int body_release(struct wasm_host_call *call, uint32_t handle, struct p2_out_body **out)
{
    struct p2_out_body *b = p2_get(call, handle, P2_OUT_BODY);
    if (!b) return p2_bad_handle(call, handle, P2_OUT_BODY);
    if (b->h.children)
        return wasm_host_trap(call, "outgoing-body %u finished or dropped before its stream",
                              handle);
    p2_take(call, handle, P2_OUT_BODY);
    b->in_table = false;
    *out = b;
    return 0;
}

/* [static]finish(this: own<outgoing-body>, trailers: option<own<trailers>>)
 * -> result<_, error-code>: 40 bytes, align 8. */
P2_IMPL(p2_http_types_outgoing_body_finish, uint32_t this, uint32_t has_trailers, uint32_t trailers,
        uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_out_body *b;
    if (has_trailers && !p2_get(call, trailers, P2_FIELDS))
        return p2_bad_handle(call, trailers, P2_FIELDS);
    int rc = body_release(call, this, &b);
    if (rc) return rc;
    struct p2_fields *t = has_trailers ? p2_take(call, trailers, P2_FIELDS) : NULL;
    b->finished = true;
    int code = b->sink->finish(w, b, t);
    if (t) p2_obj_free(w, &t->h);
    if (!b->owner) p2_body_free(w, b);
    uint8_t *ret = p2_ret(call, ret_ptr, 40, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (code >= 0) {
        ret[0] = 1;
        ret[8] = (uint8_t)code;
    }
    return 0;
}

/* Dropping without finish abandons the body (what that means is the
 * sink's: a request then fails). */
P2_IMPL(p2_http_types_outgoing_body_drop, uint32_t self)
{
    struct p2_out_body *b;
    int rc = body_release(call, self, &b);
    if (rc) return rc;
    if (!b->owner)
        p2_body_free(call_ctx(call), b);
    else if (b->sink->abandon)
        b->sink->abandon(call_ctx(call), b);
    return 0;
}
