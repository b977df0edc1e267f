/*
 * lib/serve/conn.h - one client connection of an HTTP/1.1 server that runs
 * wasi:http incoming handlers: request heads and bodies read with lib/http's
 * parser in request mode, responses framed and written with its writer,
 * every wait with a deadline. Portable: the bytes come and go through a
 * small stream seam (struct serve_io) that the host (POSIX sockets, in
 * host/kpio-wasm/serve.c) and the kernel (ksock, kernel/wasm/serve.c) fill.
 */
#ifndef SERVE_CONN_H
#define SERVE_CONN_H

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

/* A piece of bytes to send. */
struct serve_piece {
    const void *data;
    size_t len;
};

/* The byte stream under a connection. */
struct serve_io {
    void *ctx;
    /* Receives at least one byte into buf, waiting until deadline_ns (on
     * now_ns's clock; 0: without waiting): the count, 0 when the peer
     * closed, ERR_TIMEDOUT (ERR_AGAIN when not waiting), or another ERR_*
     * (the connection is gone). */
    long (*recv)(void *ctx, void *buf, size_t len, uint64_t deadline_ns);
    /* Sends the n pieces whole, giving up (ERR_TIMEDOUT) when no byte could
     * go for idle_ms: 0 or an ERR_*. */
    int (*send)(void *ctx, const struct serve_piece *v, int n, uint32_t idle_ms);
    /* A monotonic clock in ns. */
    uint64_t (*now_ns)(void *ctx);
};

/* One client connection and the request on it. */
struct serve_conn {
    struct serve_io io;
    /* The connection as a socket of the handlers' ports, which their
     * polls wait on for request body bytes (set by the embedder; NULL:
     * body reads wait in io.recv). */
    struct wasi_port_sock *wait_sock;
    uint64_t quiet_since; /* the request body's silence began (0: bytes came last) */
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
    int64_t length_left; /* Content-Length framing: bytes still owed; -1 otherwise */
};

int serve_conn_init(struct serve_conn *c, const struct serve_io *io,
                    const struct serve_limits *lim);
void serve_conn_free(struct serve_conn *c);
/* Reads the next request head: 1 with the request in c, 0 when the client
 * closed or went idle between requests, -1 after answering a malformed or
 * slow request (400/408/414/431/...; the connection must close). */
int serve_conn_next(struct serve_conn *c);
/* The ops lib/wasi's incoming exchange uses (ctx: the serve_conn). */
extern const struct wasi_http_server_ops serve_conn_ops;
/* Fills in the incoming request lib/wasi hands to the handler. */
void serve_conn_incoming(struct serve_conn *c, struct wasi_http_incoming *in);
/* Answers status with a short text body (when nothing was sent yet). */
void serve_conn_simple(struct serve_conn *c, int status, bool close);
/* After the handler ran (timed_out: it was stopped for running too long;
 * outcome: what it did with its response): answers 500 (504 after a
 * timeout) if nothing was sent, or marks a response cut short so that the
 * connection closes. */
void serve_conn_after_handler(struct serve_conn *c, bool timed_out, enum wasi_http_outcome outcome);
/* Reads and drops the rest of the request body (up to a limit): true if
 * the connection can carry another request. */
bool serve_conn_finish_request(struct serve_conn *c);
/* Serves every request of the connection: handle runs the handler on
 * each (it answers through serve_conn_ops or serve_conn_simple). */
void serve_conn_run(struct serve_conn *c, void (*handle)(void *user, struct serve_conn *c),
                    void *user);

#endif
