/*
 * host/kpio-wasm/serve.h - `kpio-wasm serve`: what serve.c (the listener,
 * the workers and the handler instances) and serve_conn.c (one client
 * connection's HTTP/1.1 over lib/http) share.
 */
#ifndef HOST_KPIO_WASM_SERVE_H
#define HOST_KPIO_WASM_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/fields.h"
#include "http/parser.h"
#include "wasi/wasi.h"

struct serve_limits {
    uint32_t head_ms;    /* a request head must arrive within this (slowloris) */
    uint32_t idle_ms;    /* a kept-alive connection may wait this for its next request */
    uint32_t io_ms;      /* longest silence while a body is read or written */
    uint32_t handler_ms; /* a handler's run, from call to return */
};

/* One client connection and the request on it. */
struct serve_conn {
    int fd;
    const struct serve_limits *lim;
    struct http_parser parser;
    uint8_t *buf; /* received bytes; [pos, len) not parsed yet */
    size_t pos, len, cap;
    /* the current request */
    char method[32], *target, *authority;
    struct http_fields headers, trailers;
    bool keep_alive, head, expect_continue, continued, body_done, failed;
    /* the response */
    bool head_sent, chunked, no_body, finished;
    int64_t length_left;  /* Content-Length framing: bytes still owed; -1 otherwise */
    uint64_t deadline_ns; /* of the current wait */
};

/* Reads the next request head: 1 with the request in c, 0 when the client
 * closed or went idle between requests, -1 after answering a malformed or
 * slow request (400/408/414/431/...; the connection must close). */
int serve_conn_next(struct serve_conn *c);
/* The ops lib/wasi's incoming exchange uses (ctx: the serve_conn). */
extern const struct wasi_http_server_ops serve_conn_ops;
/* Answers status with a short text body (when nothing was sent yet). */
void serve_conn_simple(struct serve_conn *c, int status, bool close);
/* Reads and drops the rest of the request body (up to a limit): true if
 * the connection can carry another request. */
bool serve_conn_finish_request(struct serve_conn *c);
int serve_conn_init(struct serve_conn *c, int fd, const struct serve_limits *lim);
void serve_conn_free(struct serve_conn *c);
uint64_t serve_now_ns(void);

#endif
