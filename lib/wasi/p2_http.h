/*
 * lib/wasi/p2_http.h - the objects behind wasi:http/types resources, shared
 * by p2_http_fields.c (fields, request-options), p2_body.c (outgoing
 * bodies), p2_http.c (the client side over lib/http, incoming bodies) and
 * p2_http_server.c (the server side).
 */
#ifndef WASI_P2_HTTP_H
#define WASI_P2_HTTP_H

#include "http/fields.h"
#include "wasi/p2.h"

struct p2_fields {
    struct p2_obj h; /* parent: the request or response for its headers() */
    bool immutable;
    struct http_fields f;
};

struct p2_req_options {
    struct p2_obj h;
    bool has[3]; /* connect, first-byte, between-bytes */
    uint64_t ns[3];
};

struct p2_out_body;
struct p2_in_body;

/* Where an outgoing body goes, given by its owner: a client's request
 * (p2_http.c) or a server's response (p2_http_server.c). */
struct p2_body_sink {
    /* Bytes written to the open body while its owner holds it: sent, or
     * held (p2_body_hold) until the body can go out. 0 or an ERR_*. */
    int (*write)(struct wasi_ctx *w, struct p2_out_body *b, const uint8_t *data, size_t len);
    /* finish, with trailers (NULL: none; the caller frees them), also
     * when the owner is gone: the wasi:http error-code case, or -1. */
    int (*finish)(struct wasi_ctx *w, struct p2_out_body *b, struct p2_fields *trailers);
    /* The guest dropped the body unfinished while its owner holds it
     * (NULL: nothing to do). */
    void (*abandon)(struct wasi_ctx *w, struct p2_out_body *b);
    /* Optional, both or neither: whether a write would be taken now (1,
     * else 0: check-write then permits nothing; or an error), and what the
     * stream's pollable waits for until then. NULL: always ready (writes
     * wait in write). */
    int (*check_write)(struct wasi_ctx *w, struct p2_out_body *b);
    void (*prepare)(struct wasi_ctx *w, struct p2_out_body *b, struct p2_wait *it);
};

/* An outgoing body (p2_body.c): held by its owner and, until finish or
 * drop, by a handle of the guest; freed when both have let go. */
struct p2_out_body {
    struct p2_obj h; /* children: its output-stream */
    const struct p2_body_sink *sink;
    void *owner; /* the outgoing-request or -response; NULL once it is gone */
    bool in_table, stream_taken, finished;
    uint8_t *data; /* held: what was written before the body could go out, or
                      (a request's) what its connection has not taken yet */
    size_t len, cap;
    uint64_t written; /* bytes the guest wrote in all */
};

/* Makes an outgoing body of owner with sink and puts it in the table: 0
 * with *out and *handle, or a trap value. */
int p2_body_put(struct wasm_host_call *call, const struct p2_body_sink *sink, void *owner,
                struct p2_out_body **out, uint32_t *handle);
/* The owner lets go of b (it is being freed). */
void p2_body_orphan(struct wasi_ctx *w, struct p2_out_body *b);
void p2_body_free(struct wasi_ctx *w, struct p2_out_body *b);
/* Holds len bytes written before the body can go out, charged to the
 * budget: 0 or ERR_NOMEM. */
int p2_body_hold(struct wasi_ctx *w, struct p2_out_body *b, const uint8_t *data, size_t len);
/* Frees what the body held (after it went out); b->len stays. */
void p2_body_drop_held(struct wasi_ctx *w, struct p2_out_body *b);

/* Where an incoming body comes from: the client's response (p2_http.c)
 * or the server's incoming request (p2_http_server.c). */
struct p2_body_source {
    /* The next piece, as long as it comes: its length with *data (valid
     * until the next call), 0 at the end, or an ERR_* with *http_code the
     * wasi:http error-code case. p2_http.c hands it out in slices. */
    long (*next)(struct wasi_ctx *w, struct p2_in_body *b, const uint8_t **data, int *http_code);
    /* The same without waiting: ERR_AGAIN when nothing is there yet, with
     * *it set to what to wait for (a port handle to recheck on, a
     * deadline). Optional: without it the body's reads wait in next. */
    long (*try_next)(struct wasi_ctx *w, struct p2_in_body *b, const uint8_t **data, int *http_code,
                     struct p2_wait *it);
    /* Appends the trailers of a body read to its end to out. */
    void (*trailers)(struct wasi_ctx *w, struct p2_in_body *b, struct http_fields *out);
};

/* consume() of a response or request: once, an incoming body from src
 * (taking *client, if any) in the table; then an error. Writes the
 * result<own<incoming-body>> (8 bytes) at ret_ptr: 0 or a trap value. */
int p2_in_body_consume(struct wasm_host_call *call, bool *consumed,
                       const struct p2_body_source *src, struct http_client **client,
                       uint32_t ret_ptr);

/* An incoming body (p2_http.c's resource). */
struct p2_in_body {
    struct p2_obj h; /* children: its input-stream */
    const struct p2_body_source *src;
    struct http_client *client; /* the client's response: its exchange */
    bool stream_taken, eof;
    const uint8_t *pending;
    size_t pending_len;
    int err, http_code;
};

struct p2_fields *p2_fields_alloc(struct p2_obj *parent, bool immutable);
/* Appends copies of src's fields to dst: 0 or ERR_NOMEM. */
int p2_fields_copy(struct http_fields *dst, const struct http_fields *src);
/* Puts an immutable copy of src in the table as a child of parent. */
int p2_fields_put_copy(struct wasm_host_call *call, const struct http_fields *src,
                       struct p2_obj *parent, uint32_t *handle);

#endif
