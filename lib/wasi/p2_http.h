/*
 * lib/wasi/p2_http.h - the objects behind wasi:http/types resources, shared
 * by p2_http_fields.c (fields, request-options) and p2_http.c (requests,
 * bodies, responses, the outgoing handler over lib/http).
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

/* An outgoing body: held by its request and, until finish or drop, by a
 * handle of the guest; freed when both have let go. A server's response
 * body (server) belongs to the incoming exchange instead (p2_http_server.c). */
struct p2_out_body {
    struct p2_obj h; /* children: its output-stream */
    struct p2_out_request *req;
    bool in_table, stream_taken, finished, server;
    struct p2_obj *resp; /* server: its outgoing-response, NULL once that is gone */
    uint8_t *data;       /* held: what was written before the body could go out */
    size_t len, cap;
};

/* An incoming body: a response's from the client, or (server) the
 * incoming request's, read through the embedder's ops. */
struct p2_in_body {
    struct p2_obj h; /* children: its input-stream */
    struct http_client *client;
    bool stream_taken, eof, server;
    const uint8_t *pending;
    size_t pending_len;
    int err, http_code;
};

void p2_http_body_free(struct wasi_ctx *w, struct p2_out_body *b);
/* Holds len bytes written before the body can go out (before handle() or
 * response-outparam.set), charged to the budget: 0 or ERR_NOMEM. */
int p2_body_hold(struct wasi_ctx *w, struct p2_out_body *b, const uint8_t *data, size_t len);

/* The server side (p2_http_server.c), for p2_http.c's shared body code. */
int p2_srv_body_write(struct wasi_ctx *w, struct p2_out_body *b, const uint8_t *data, size_t len);
int p2_srv_body_finish(struct wasm_host_call *call, struct p2_out_body *b, uint32_t trailers,
                       uint32_t ret_ptr);
void p2_srv_body_gone(struct wasi_ctx *w, struct p2_out_body *b);
long p2_srv_body_slice(struct wasi_ctx *w, struct p2_in_body *b, size_t max, const uint8_t **data,
                       int *http_code);
void p2_srv_trailers(struct wasi_ctx *w, struct http_fields *out);
void p2_srv_free(struct wasi_ctx *w);

struct p2_fields *p2_fields_alloc(struct p2_obj *parent, bool immutable);
/* Appends copies of src's fields to dst: 0 or ERR_NOMEM. */
int p2_fields_copy(struct http_fields *dst, const struct http_fields *src);
/* Puts an immutable copy of src in the table as a child of parent. */
int p2_fields_put_copy(struct wasm_host_call *call, const struct http_fields *src,
                       struct p2_obj *parent, uint32_t *handle);

#endif
