/*
 * lib/wasi/p2_http_server.c - wasi:http of WASI 0.2 on the server side:
 * incoming-request, response-outparam and outgoing-response
 * (wasi:http/types), for an embedder that serves a handler's
 * wasi:http/incoming-handler.handle (wasi.h: wasi_http_incoming_new).
 *
 * One exchange per context (a fresh instance per request, as wasmtime
 * serve does). The request body streams from the embedder's body_read as
 * the handler reads it (without waiting where the embedder has
 * body_try_read: a read finds what has arrived, possibly nothing, and the
 * stream's pollable waits on the connection); the response head goes out when
 * response-outparam.set is called, and body writes then go straight to
 * the embedder's body_write (they block there: that is the backpressure).
 * Writes before set are held in the body and charged to the budget.
 * outgoing-body.finish sends the trailers. The response body is
 * p2_body.c's outgoing-body with this file's sink, the request body
 * p2_http.c's incoming-body with this file's source.
 */
#include "base/env.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/p2_http.h"

struct p2_out_response {
    struct p2_obj h;
    uint16_t status;
    struct http_fields headers;
    struct p2_out_body *body; /* once body() was called */
};

/* The exchange of this context. */
struct p2_srv {
    struct wasi_http_incoming in;
    bool consumed, set, error, head_sent, finished, broken;
    struct p2_out_response *resp;      /* the response that was set (owned here) */
    struct http_fields early_trailers; /* finish() before set() */
    bool early_finish;
};

static const char *const method_names[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                           "CONNECT", "OPTIONS", "TRACE", "PATCH"};

#define HE_CONNECTION_TERMINATED 24 /* wasi:http error-code case */

/* ---- the embedder's side ------------------------------------------------------ */

static void srv_free(struct wasi_ctx *w);

int wasi_http_incoming_new(struct wasi_ctx *w, const struct wasi_http_incoming *in,
                           uint32_t *request, uint32_t *outparam)
{
    if (w->p2->srv) return ERR_BUSY;
    struct p2_srv *s = mem_zalloc(sizeof *s);
    if (!s) return ERR_NOMEM;
    s->in = *in;
    http_fields_init(&s->early_trailers, 0, 0);
    w->p2->srv = s;
    w->p2->srv_free = srv_free;
    struct p2_obj *q = p2_obj_new(sizeof *q, P2_IN_REQUEST, NULL, NULL);
    struct p2_obj *o = p2_obj_new(sizeof *o, P2_RESP_OUTPARAM, NULL, NULL);
    if (!q || !o) {
        if (q) p2_obj_free(w, q);
        if (o) p2_obj_free(w, o);
        return ERR_NOMEM;
    }
    int rc = p2_put_ctx(w, q, request);
    if (rc) {
        p2_obj_free(w, o);
        return rc;
    }
    return p2_put_ctx(w, o, outparam);
}

enum wasi_http_outcome wasi_http_outcome(struct wasi_ctx *w)
{
    struct p2_srv *s = w->p2 ? w->p2->srv : NULL;
    if (!s || !s->set) return WASI_HTTP_NOT_SET;
    if (s->error) return WASI_HTTP_ERROR;
    return s->finished && !s->broken ? WASI_HTTP_SENT : WASI_HTTP_UNFINISHED;
}

static void srv_free(struct wasi_ctx *w)
{
    struct p2_srv *s = w->p2->srv;
    if (!s) return;
    if (s->resp) p2_obj_free(w, &s->resp->h);
    http_fields_free(&s->early_trailers);
    mem_free(s);
    w->p2->srv = NULL;
}

/* ---- the request body -------------------------------------------------------------- */

/* The next piece of the request body from the embedder: its length, 0 at
 * the end, or an ERR_* (connection-terminated). */
static long request_body_next(struct wasi_ctx *w, struct p2_in_body *b, const uint8_t **data,
                              int *http_code)
{
    (void)b;
    struct p2_srv *s = w->p2->srv;
    if (!s) return 0;
    long n = s->in.ops->body_read(s->in.ctx, data);
    if (n < 0) *http_code = HE_CONNECTION_TERMINATED;
    return n;
}

/* request_body_next without waiting: ERR_AGAIN with *it on the
 * connection (rechecked when it is readable) until the embedder's
 * deadline for the client's silence. */
static long request_body_try_next(struct wasi_ctx *w, struct p2_in_body *b, const uint8_t **data,
                                  int *http_code, struct p2_wait *it)
{
    (void)b;
    struct p2_srv *s = w->p2->srv;
    if (!s) return 0;
    struct wasi_port_pollfd wait = {0};
    uint64_t deadline = 0;
    long n = s->in.ops->body_try_read(s->in.ctx, data, &wait, &deadline);
    if (n == ERR_AGAIN) {
        it->waits = wait.sock != NULL || wait.file != NULL;
        it->pfd = wait;
        it->recheck = true;
        it->deadline = deadline;
        return n;
    }
    if (n < 0) *http_code = HE_CONNECTION_TERMINATED;
    return n;
}

static void request_body_trailers(struct wasi_ctx *w, struct p2_in_body *b, struct http_fields *out)
{
    (void)b;
    struct p2_srv *s = w->p2->srv;
    const struct http_fields *t = s && s->in.ops->trailers ? s->in.ops->trailers(s->in.ctx) : NULL;
    if (t) p2_fields_copy(out, t);
}

/* ---- the response body --------------------------------------------------------------- */

static const struct p2_body_source request_source = {
    .next = request_body_next,
    .trailers = request_body_trailers,
};

/* The same for an embedder that can read without waiting. */
static const struct p2_body_source request_source_polled = {
    .next = request_body_next,
    .try_next = request_body_try_next,
    .trailers = request_body_trailers,
};

/* True if b is the body of the response that went out. */
static bool body_on_wire(const struct p2_srv *s, const struct p2_out_body *b)
{
    return s && s->head_sent && s->resp && s->resp == b->owner;
}

/* Held until response-outparam.set, then written to the embedder (it
 * blocks there: that is the backpressure). */
static int response_body_write(struct wasi_ctx *w, struct p2_out_body *b, const uint8_t *data,
                               size_t len)
{
    struct p2_srv *s = w->p2->srv;
    if (!s || s->broken) return ERR_PIPE;
    if (!s->head_sent) return p2_body_hold(w, b, data, len);
    if (!body_on_wire(s, b)) return ERR_PIPE;
    int rc = s->in.ops->body_write(s->in.ctx, data, len);
    if (rc) s->broken = true;
    return rc ? ERR_PIPE : 0;
}

/* Ends the body on the wire with trailers. */
static void finish_on_wire(struct p2_srv *s, const struct http_fields *trailers)
{
    int rc = s->in.ops->body_finish(s->in.ctx, trailers);
    if (rc) s->broken = true;
    s->finished = true;
}

/* outgoing-body.finish: ends the body on the wire with the trailers, or
 * (before set) leaves that to set(); HE_CONNECTION_TERMINATED when the
 * response cannot go out. */
static int response_body_finish(struct wasi_ctx *w, struct p2_out_body *b,
                                struct p2_fields *trailers)
{
    struct p2_srv *s = w->p2->srv;
    bool failed = false;
    if (body_on_wire(s, b)) {
        finish_on_wire(s, trailers ? &trailers->f : NULL);
        failed = s->broken;
    } else if (s && !s->head_sent && b->owner) {
        s->early_finish = true; /* set() sends it all */
        if (trailers && p2_fields_copy(&s->early_trailers, &trailers->f)) failed = true;
    } else {
        failed = true;
    }
    return failed ? HE_CONNECTION_TERMINATED : -1;
}

static const struct p2_body_sink response_sink = {
    .write = response_body_write,
    .finish = response_body_finish,
};

/* ---- outgoing-response ------------------------------------------------------------------ */

static void response_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    struct p2_out_response *r = (struct p2_out_response *)o;
    http_fields_free(&r->headers);
    if (r->body) p2_body_orphan(w, r->body);
}

#define RESP_SELF(var)                                                                             \
    struct p2_out_response *var = p2_get(call, self, P2_OUT_RESPONSE);                             \
    if (!var) return p2_bad_handle(call, self, P2_OUT_RESPONSE)

/* [constructor]outgoing-response(headers: own<headers>) */
P2_IMPL(p2_http_types_outgoing_response_new, uint32_t headers, uint32_t *result)
{
    struct p2_fields *hf = p2_take(call, headers, P2_FIELDS);
    if (!hf) return p2_bad_handle(call, headers, P2_FIELDS);
    struct p2_out_response *q = p2_obj_new(sizeof *q, P2_OUT_RESPONSE, NULL, response_destroy);
    if (!q) {
        p2_obj_free(call_ctx(call), &hf->h);
        return wasm_host_trap(call, "out of memory");
    }
    q->status = 200;
    q->headers = hf->f; /* moved */
    http_fields_init(&hf->f, 0, 0);
    p2_obj_free(call_ctx(call), &hf->h);
    return p2_put(call, &q->h, result);
}

P2_IMPL(p2_http_types_outgoing_response_status_code, uint32_t self, uint32_t *result)
{
    RESP_SELF(q);
    *result = q->status;
    return 0;
}

/* set-status-code(u16) -> result: err for a status outside 100..599. */
P2_IMPL(p2_http_types_outgoing_response_set_status_code, uint32_t self, uint32_t status_code,
        uint32_t *result)
{
    RESP_SELF(q);
    uint32_t st = status_code & 0xffff;
    *result = st < 100 || st > 599;
    if (!*result) q->status = (uint16_t)st;
    return 0;
}

P2_IMPL(p2_http_types_outgoing_response_headers, uint32_t self, uint32_t *result)
{
    RESP_SELF(q);
    return p2_fields_put_copy(call, &q->headers, &q->h, result);
}

/* body() -> result<own<outgoing-body>>: 8 bytes; err after the first call. */
P2_IMPL(p2_http_types_outgoing_response_body, uint32_t self, uint32_t ret_ptr)
{
    RESP_SELF(q);
    uint32_t h = 0;
    bool err = q->body != NULL;
    if (!err) {
        struct p2_out_body *b;
        int rc = p2_body_put(call, &response_sink, q, &b, &h);
        if (rc) return rc;
        q->body = b;
    }
    return p2_ret_handle(call, ret_ptr, err, 0, h);
}

P2_IMPL(p2_http_types_outgoing_response_drop, uint32_t self)
{
    return p2_drop(call, self, P2_OUT_RESPONSE);
}

/* ---- response-outparam ---------------------------------------------------------------- */

/* Sends the head of q and what its body already holds. */
static void send_response(struct wasi_ctx *w, struct p2_srv *s, struct p2_out_response *q)
{
    s->resp = q;
    if (s->in.ops->respond(s->in.ctx, q->status, &q->headers)) {
        s->broken = true;
        return;
    }
    s->head_sent = true;
    struct p2_out_body *b = q->body;
    if (!b) { /* no body asked for: an empty one */
        finish_on_wire(s, NULL);
        return;
    }
    if (b->len && s->in.ops->body_write(s->in.ctx, b->data, b->len)) s->broken = true;
    p2_body_drop_held(w, b);
    b->len = 0;
    if (!s->broken && b->finished && s->early_finish) finish_on_wire(s, &s->early_trailers);
}

/* [static]set(param: own<response-outparam>,
 *             response: result<own<outgoing-response>, error-code>):
 * param, the result's case, then its payload's 7 flattened values: the
 * first (response) is the outgoing-response when ok, the error-code's case
 * when err; the error-code's other values (error_details) are not read:
 * the embedder only learns that the handler failed. */
P2_IMPL(p2_http_types_response_outparam_set, uint32_t param, uint32_t response_case,
        uint32_t response, P2_FLAT(error_details, 6))
{
    (void)error_details;
    struct wasi_ctx *w = call_ctx(call);
    struct p2_srv *s = w->p2->srv;
    if (!p2_get(call, param, P2_RESP_OUTPARAM)) return p2_bad_handle(call, param, P2_RESP_OUTPARAM);
    if (response_case > 1) return wasm_host_trap(call, "invalid result case %u", response_case);
    struct p2_out_response *q = NULL;
    if (response_case == 0) {
        q = p2_take(call, response, P2_OUT_RESPONSE);
        if (!q) return p2_bad_handle(call, response, P2_OUT_RESPONSE);
    }
    p2_obj_free(w, p2_take(call, param, P2_RESP_OUTPARAM));
    if (!s || s->set) { /* an outparam of no exchange: nothing to answer */
        if (q) p2_obj_free(w, &q->h);
        return 0;
    }
    s->set = true;
    if (!q) {
        s->error = true;
        return 0;
    }
    send_response(w, s, q);
    return 0;
}

P2_IMPL(p2_http_types_response_outparam_drop, uint32_t self)
{
    return p2_drop(call, self, P2_RESP_OUTPARAM);
}

/* ---- incoming-request ------------------------------------------------------------------- */

#define INREQ_SELF()                                                                               \
    struct p2_srv *s = call_ctx(call)->p2->srv;                                                    \
    struct p2_obj *req = p2_get(call, self, P2_IN_REQUEST);                                        \
    if (!req || !s) return p2_bad_handle(call, self, P2_IN_REQUEST)

/* Writes [tag at 0 when tagged] [ptr at off] [len at off + 4] for s (a copy
 * in guest memory), in a return area of size bytes. */
static int put_string(struct wasm_host_call *call, uint32_t ret_ptr, uint32_t size, uint32_t off,
                      const char *str, bool tagged)
{
    uint32_t ptr = 0, len = str ? (uint32_t)strlen(str) : 0;
    if (str) {
        int rc = p2_alloc_copy(call, str, len, &ptr);
        if (rc) return rc;
    }
    uint8_t *ret = p2_ret(call, ret_ptr, size, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (tagged) ret[0] = str != NULL;
    le32_put(ret + off, ptr);
    le32_put(ret + off + 4, len);
    return 0;
}

/* method() -> method: [0] case, other's string at [4]. */
P2_IMPL(p2_http_types_incoming_request_method, uint32_t self, uint32_t ret_ptr)
{
    INREQ_SELF();
    uint8_t tag = 9;
    for (uint8_t i = 0; i < ARRAY_SIZE(method_names); i++)
        if (!strcmp(s->in.method, method_names[i])) tag = i;
    int rc = put_string(call, ret_ptr, 12, 4, tag == 9 ? s->in.method : NULL, false);
    if (!rc) guest_ptr(call, ret_ptr, 1)[0] = tag;
    return rc;
}

P2_IMPL(p2_http_types_incoming_request_path_with_query, uint32_t self, uint32_t ret_ptr)
{
    INREQ_SELF();
    return put_string(call, ret_ptr, 12, 4, s->in.path_with_query, true);
}

/* scheme() -> option<scheme>: [0] some, [4] case (HTTP 0, HTTPS 1). */
P2_IMPL(p2_http_types_incoming_request_scheme, uint32_t self, uint32_t ret_ptr)
{
    INREQ_SELF();
    uint8_t *ret = p2_ret(call, ret_ptr, 16, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    ret[0] = 1;
    ret[4] = s->in.https;
    return 0;
}

P2_IMPL(p2_http_types_incoming_request_authority, uint32_t self, uint32_t ret_ptr)
{
    INREQ_SELF();
    return put_string(call, ret_ptr, 12, 4, s->in.authority, true);
}

P2_IMPL(p2_http_types_incoming_request_headers, uint32_t self, uint32_t *result)
{
    INREQ_SELF();
    return p2_fields_put_copy(call, s->in.headers, req, result);
}

/* consume() -> result<own<incoming-body>>: once. */
P2_IMPL(p2_http_types_incoming_request_consume, uint32_t self, uint32_t ret_ptr)
{
    INREQ_SELF();
    const struct p2_body_source *src =
        s->in.ops->body_try_read ? &request_source_polled : &request_source;
    return p2_in_body_consume(call, &s->consumed, src, NULL, ret_ptr);
}

P2_IMPL(p2_http_types_incoming_request_drop, uint32_t self)
{
    return p2_drop(call, self, P2_IN_REQUEST);
}
