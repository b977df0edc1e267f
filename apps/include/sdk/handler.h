/*
 * apps/include/sdk/handler.h - writing wasi:http/incoming-handler handlers
 * in C (served by `kpio-wasm serve`, wasmtime serve or jco serve). The app
 * defines
 *
 *     void handler_main(struct handler_req *req);
 *
 * which the SDK calls for each request (from the export
 * "wasi:http/incoming-handler@0.2.12#handle"; the module is a reactor,
 * whose _initialize the host calls first). It reads the request through req, then answers with
 * handler_respond() (status and fields, a body to write to) and
 * handler_write() / handler_finish(), or with handler_send() for a whole
 * small response. If it returns without responding, the SDK answers 500.
 */
#ifndef SDK_HANDLER_H
#define SDK_HANDLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct handler_req {
    int32_t request;  /* own<incoming-request> */
    int32_t outparam; /* own<response-outparam>; -1 once used */
    char method[16];  /* "GET", ... (other methods as sent) */
    char *path;       /* path with query, "/" when absent (malloc'd) */
    int32_t body;     /* incoming-body once handler_read() started, else -1 */
    int32_t in;       /* its input-stream, else -1 */
    bool body_done;
    /* the response */
    int32_t out_body; /* outgoing-body, else -1 */
    int32_t out;      /* its output-stream, else -1 */
};

void handler_main(struct handler_req *req);

/* The value of request header name (any case) into buf (NUL-terminated,
 * truncated to cap - 1): its length, or -1 when absent. */
long handler_header(struct handler_req *req, const char *name, char *buf, size_t cap);
/* The request body's input-stream (consumed on the first call), for a
 * handler that polls it with wasi2_wait / wasi2_read(..., false); -1 on a
 * failure. */
int32_t handler_body_stream(struct handler_req *req);
/* Reads up to cap body bytes, blocking: the count, 0 at the end, -1 on a
 * failure (the client left). */
long handler_read(struct handler_req *req, void *buf, size_t cap);

/* Sends the head: status and n fields (names[i], values[i]). Returns 0 or
 * -1. The body follows with handler_write and ends with handler_finish. */
int handler_respond(struct handler_req *req, int status, const char *const *names,
                    const char *const *values, size_t n);
/* Writes body bytes (with check-write's backpressure): 0 or -1. */
int handler_write(struct handler_req *req, const void *data, size_t len);
/* Ends the body, with nt trailer fields: 0 or -1. */
int handler_finish(struct handler_req *req, const char *const *names, const char *const *values,
                   size_t nt);
/* A whole response with one Content-Type and a body of len bytes. */
int handler_send(struct handler_req *req, int status, const char *content_type, const void *body,
                 size_t len);

#endif
