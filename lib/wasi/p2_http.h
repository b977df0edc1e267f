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

struct p2_fields *p2_fields_alloc(struct p2_obj *parent, bool immutable);
/* Appends copies of src's fields to dst: 0 or ERR_NOMEM. */
int p2_fields_copy(struct http_fields *dst, const struct http_fields *src);
/* Puts an immutable copy of src in the table as a child of parent. */
int p2_fields_put_copy(struct wasm_host_call *call, const struct http_fields *src,
                       struct p2_obj *parent, uint32_t *handle);

#endif
