/*
 * apps/sdk/handler.c - the incoming-handler side of the SDK (sdk/handler.h):
 * the export that wasi:http hosts call, request accessors, and responses
 * written as streams. Canonical ABI layouts are those of
 * ../shared/wit/return-area-layouts-0.2.12.tsv.
 */
#include "sdk/handler.h"

#include <stdlib.h>
#include <string.h>

#include "sdk/wasi2.h"

static int32_t make_fields(const char *const *names, const char *const *values, size_t n)
{
    int32_t f = wasi_http_types_fields_new();
    for (size_t i = 0; i < n; i++) {
        _Alignas(4) uint8_t ret[2];
        wasi_http_types_fields_append(f, (int32_t)(uintptr_t)names[i], (int32_t)strlen(names[i]),
                                      (int32_t)(uintptr_t)values[i], (int32_t)strlen(values[i]),
                                      (int32_t)(uintptr_t)ret);
    }
    return f;
}

long handler_header(struct handler_req *req, const char *name, char *buf, size_t cap)
{
    int32_t h = wasi_http_types_incoming_request_headers(req->request);
    _Alignas(8) uint8_t ret[8];
    wasi2_host_mem_begin();
    wasi_http_types_fields_get(h, (int32_t)(uintptr_t)name, (int32_t)strlen(name),
                               (int32_t)(uintptr_t)ret);
    uint32_t list, count;
    memcpy(&list, ret, 4);
    memcpy(&count, ret + 4, 4);
    long len = -1;
    if (count > 0 && cap > 0) {
        uint32_t p, n; /* list<u8> of the first value */
        memcpy(&p, (void *)(uintptr_t)list, 4);
        memcpy(&n, (void *)(uintptr_t)(list + 4), 4);
        len = n;
        if (n > cap - 1) n = (uint32_t)cap - 1;
        memcpy(buf, (void *)(uintptr_t)p, n);
        buf[n] = 0;
    }
    wasi2_host_mem_end();
    wasi_http_types_fields_drop(h);
    return len;
}

int32_t handler_body_stream(struct handler_req *req)
{
    if (req->body < 0) {
        _Alignas(4) uint8_t ret[8];
        wasi_http_types_incoming_request_consume(req->request, (int32_t)(uintptr_t)ret);
        if (ret[0]) return -1;
        memcpy(&req->body, ret + 4, 4);
        wasi_http_types_incoming_body_stream(req->body, (int32_t)(uintptr_t)ret);
        if (ret[0]) return -1;
        memcpy(&req->in, ret + 4, 4);
    }
    return req->in;
}

long handler_read(struct handler_req *req, void *buf, size_t cap)
{
    if (req->body_done) return 0;
    if (handler_body_stream(req) < 0) return -1;
    for (;;) {
        long n = wasi2_read(req->in, buf, cap, true);
        if (n > 0) return n;
        if (n == WASI2_EOF) {
            req->body_done = true;
            return 0;
        }
        if (n < 0) return -1;
    }
}

int handler_respond(struct handler_req *req, int status, const char *const *names,
                    const char *const *values, size_t n)
{
    if (req->outparam < 0) return -1;
    int32_t resp = wasi_http_types_outgoing_response_new(make_fields(names, values, n));
    wasi_http_types_outgoing_response_set_status_code(resp, status);
    _Alignas(4) uint8_t ret[8];
    wasi_http_types_outgoing_response_body(resp, (int32_t)(uintptr_t)ret);
    memcpy(&req->out_body, ret + 4, 4);
    wasi_http_types_outgoing_body_write(req->out_body, (int32_t)(uintptr_t)ret);
    memcpy(&req->out, ret + 4, 4);
    wasi_http_types_response_outparam_set(req->outparam, 0, resp, 0, 0, 0, 0, 0, 0);
    req->outparam = -1;
    return 0;
}

int handler_write(struct handler_req *req, const void *data, size_t len)
{
    if (req->out < 0) return -1;
    return wasi2_write_all(req->out, data, len) ? -1 : 0;
}

int handler_finish(struct handler_req *req, const char *const *names, const char *const *values,
                   size_t nt)
{
    if (req->out < 0) return -1;
    wasi_io_streams_output_stream_drop(req->out);
    req->out = -1;
    int32_t t = nt ? make_fields(names, values, nt) : 0;
    _Alignas(8) uint8_t ret[40];
    wasi_http_types_outgoing_body_finish(req->out_body, nt > 0, t, (int32_t)(uintptr_t)ret);
    req->out_body = -1;
    return ret[0] ? -1 : 0;
}

int handler_send(struct handler_req *req, int status, const char *content_type, const void *body,
                 size_t len)
{
    char length[24];
    size_t k = 0;
    char digits[24];
    size_t v = len;
    do {
        digits[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < k; i++)
        length[i] = digits[k - 1 - i];
    length[k] = 0;
    const char *names[] = {"content-type", "content-length"};
    const char *values[] = {content_type, length};
    if (handler_respond(req, status, names, values, 2)) return -1;
    if (len && handler_write(req, body, len)) return -1;
    return handler_finish(req, NULL, NULL, 0);
}

__attribute__((export_name("wasi:http/incoming-handler@0.2.12#handle"))) void
handler_export(int32_t request, int32_t outparam)
{
    struct handler_req req = {
        .request = request, .outparam = outparam, .body = -1, .in = -1, .out_body = -1, .out = -1};
    _Alignas(4) uint8_t ret[12];
    wasi2_host_mem_begin();
    wasi_http_types_incoming_request_method(request, (int32_t)(uintptr_t)ret);
    static const char *const names[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                        "CONNECT", "OPTIONS", "TRACE", "PATCH"};
    if (ret[0] < 9) {
        strcpy(req.method, names[ret[0]]);
    } else {
        uint32_t p, n;
        memcpy(&p, ret + 4, 4);
        memcpy(&n, ret + 8, 4);
        if (n >= sizeof req.method) n = sizeof req.method - 1;
        memcpy(req.method, (void *)(uintptr_t)p, n);
    }
    wasi_http_types_incoming_request_path_with_query(request, (int32_t)(uintptr_t)ret);
    uint32_t p = 0, n = 0;
    if (ret[0]) {
        memcpy(&p, ret + 4, 4);
        memcpy(&n, ret + 8, 4);
    }
    req.path = malloc(n + 2);
    if (n)
        memcpy(req.path, (void *)(uintptr_t)p, n);
    else
        req.path[n++] = '/';
    req.path[n] = 0;
    wasi2_host_mem_end();
    handler_main(&req);
    if (req.out >= 0 || req.out_body >= 0) handler_finish(&req, NULL, NULL, 0);
    if (req.outparam >= 0) {
        static const char msg[] = "handler returned without a response\n";
        handler_send(&req, 500, "text/plain", msg, sizeof msg - 1);
    }
    if (req.in >= 0) wasi_io_streams_input_stream_drop(req.in);
    if (req.body >= 0) wasi_http_types_incoming_body_drop(req.body);
    wasi_http_types_incoming_request_drop(request);
    free(req.path);
}
