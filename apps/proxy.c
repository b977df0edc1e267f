/*
 * apps/proxy.c - a wasi:http handler (sdk/handler.h) that proxies: for
 *
 *   GET /proxy?url=URL     (URL an http: URL, %XX escapes allowed)
 *
 * it GETs URL with an outgoing request (sdk/http.h, following redirects)
 * and streams that response into its own while it arrives: the status
 * (with Content-Type application/octet-stream) once the head is in, then
 * each piece of the body as it is read. A failure before the head answers 502 with the reason; one
 * after it cuts the response short. For
 *
 *   POST /upload?n=N&url=URL   (url last: the rest of the query is URL)
 *
 * it POSTs N bytes (byte i is i % 251) to URL as a chunked body written
 * after outgoing-handler.handle, polling the body's stream and a 20 ms
 * timer: the response streams "stalled" once the timer fired while the
 * stream took nothing (the origin reads slowly; the handler keeps
 * running), then "done STATUS stalls S max-room R" and the origin's
 * answer. Anything else is 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/handler.h"
#include "sdk/http.h"
#include "http/url.h"

struct relay {
    struct handler_req *req;
    bool responded;
};

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
    return -1;
}

/* The value of "url=" in path's query, %XX-decoded into out: 0, or -1
 * when it is absent or does not fit. */
static int query_url(const char *path, char *out, size_t cap)
{
    const char *q = strchr(path, '?');
    while (q && strncmp(q + 1, "url=", 4))
        q = strchr(q + 1, '&');
    if (!q) return -1;
    const char *s = q + 5;
    size_t n = 0;
    for (; *s && *s != '&' && n + 1 < cap; s++) {
        int hi = *s == '%' ? hex_digit(s[1]) : -1, lo = hi >= 0 ? hex_digit(s[2]) : -1;
        if (lo >= 0) {
            out[n++] = (char)(hi * 16 + lo);
            s += 2;
        } else {
            out[n++] = *s;
        }
    }
    out[n] = 0;
    return *s && *s != '&' ? -1 : 0;
}

static int on_head(void *ctx, const struct http_head *h)
{
    struct relay *r = ctx;
    const char *names[] = {"content-type"}, *values[] = {"application/octet-stream"};
    r->responded = true;
    return handler_respond(r->req, h->status, names, values, 1) ? 1 : 0;
}

static int on_body(void *ctx, const void *data, size_t len)
{
    struct relay *r = ctx;
    return handler_write(r->req, data, len) ? 1 : 0;
}

static void proxy(struct handler_req *req)
{
    static char url[HTTP_GET_URL_MAX];
    static struct http_get_result res;
    if (query_url(req->path, url, sizeof url)) {
        handler_send(req, 400, "text/plain", "proxy?url=URL\n", 14);
        return;
    }
    struct relay r = {.req = req};
    struct http_get_opts o;
    http_get_opts_default(&o);
    struct http_get_cb cb = {.ctx = &r, .on_head = on_head, .on_body = on_body};
    int rc = http_get(url, &o, &cb, &res);
    if (!r.responded) {
        char msg[300];
        int n = snprintf(msg, sizeof msg, "proxy: %s: %s\n", url, wasi2_errmsg());
        handler_send(req, 502, "text/plain", msg, n < (int)sizeof msg ? (size_t)n : sizeof msg - 1);
        return;
    }
    if (rc == 0) handler_finish(req, NULL, NULL, 0);
    /* else: the body failed midway; returning unfinished cuts it short */
}

/* ---- /upload ----------------------------------------------------------------------- */

struct upload {
    int32_t request, body, out, future;
    uint64_t stalls, max_room;
};

/* The outgoing POST to u with its body and stream, handed to handle():
 * 0, or -1 with what failed in msg. */
static int upload_open(struct upload *x, const struct http_url *u)
{
    _Alignas(8) uint8_t ret[40];
    x->request = wasi_http_types_outgoing_request_new(wasi_http_types_fields_new());
    if (wasi_http_types_outgoing_request_set_method(x->request, WASI_HTTP_TYPES_METHOD_POST, 0,
                                                    0) ||
        wasi_http_types_outgoing_request_set_scheme(x->request, 1, WASI_HTTP_TYPES_SCHEME_HTTP, 0,
                                                    0) ||
        wasi_http_types_outgoing_request_set_authority(
            x->request, 1, (int32_t)(uintptr_t)u->authority, (int32_t)u->authority_len) ||
        wasi_http_types_outgoing_request_set_path_with_query(
            x->request, 1, (int32_t)(uintptr_t)u->path, (int32_t)(u->path_len + u->query_len)))
        return -1;
    wasi_http_types_outgoing_request_body(x->request, (int32_t)(uintptr_t)ret);
    if (ret[0]) return -1;
    memcpy(&x->body, ret + 4, 4);
    wasi_http_types_outgoing_body_write(x->body, (int32_t)(uintptr_t)ret);
    if (ret[0]) return -1;
    memcpy(&x->out, ret + 4, 4);
    wasi_http_outgoing_handler_handle(x->request, 0, 0, (int32_t)(uintptr_t)ret);
    if (ret[0]) return -1;
    memcpy(&x->future, ret + 8, 4);
    return 0;
}

/* Writes n pattern bytes to x's stream as it takes them, polling it with a
 * timer; says "stalled" to the client the first time the timer fires while
 * the stream is full. 0 or -1. */
static int upload_write(struct handler_req *req, struct upload *x, uint64_t n)
{
    static uint8_t buf[65536];
    int32_t p[2] = {wasi_io_streams_output_stream_subscribe(x->out),
                    wasi_clocks_monotonic_clock_subscribe_duration(20000000)};
    uint64_t sent = 0;
    int rc = 0;
    while (rc == 0 && sent < n) {
        long room = wasi2_write_room(x->out);
        if (room < 0) rc = -1;
        if (room > 0 && (uint64_t)room > x->max_room) x->max_room = (uint64_t)room;
        if (room > 0) {
            size_t k = n - sent < (uint64_t)room ? (size_t)(n - sent) : (size_t)room;
            k = k < sizeof buf ? k : sizeof buf;
            for (size_t i = 0; i < k; i++)
                buf[i] = (uint8_t)((sent + i) % 251);
            long w = wasi2_write_some(x->out, buf, k);
            rc = w < 0 ? -1 : 0;
            sent += w > 0 ? (uint64_t)w : 0;
            continue;
        }
        uint32_t ready = wasi2_wait(p, 2, UINT64_MAX);
        if (!(ready & 2)) continue;
        wasi_io_poll_pollable_drop(p[1]);
        p[1] = wasi_clocks_monotonic_clock_subscribe_duration(20000000);
        if (!(ready & 1) && x->stalls++ == 0) rc = handler_write(req, "stalled\n", 8);
    }
    wasi_io_poll_pollable_drop(p[0]);
    wasi_io_poll_pollable_drop(p[1]);
    return rc;
}

/* Finishes x's body and waits for the origin's answer: its status and up
 * to cap - 1 bytes of its body into text; -1 on a failure. */
static int upload_answer(struct upload *x, char *text, size_t cap)
{
    _Alignas(8) uint8_t ret[56];
    wasi_io_streams_output_stream_drop(x->out);
    wasi_http_types_outgoing_body_finish(x->body, 0, 0, (int32_t)(uintptr_t)ret);
    if (ret[0]) return -1;
    int32_t pollable = wasi_http_types_future_incoming_response_subscribe(x->future);
    wasi2_block(pollable);
    wasi_io_poll_pollable_drop(pollable);
    wasi_http_types_future_incoming_response_get(x->future, (int32_t)(uintptr_t)ret);
    if (ret[0] == 0 || ret[8] != 0 || ret[16] != 0) return -1;
    int32_t resp, body, in;
    memcpy(&resp, ret + 24, 4);
    int status = wasi_http_types_incoming_response_status(resp) & 0xffff;
    wasi_http_types_incoming_response_consume(resp, (int32_t)(uintptr_t)ret);
    memcpy(&body, ret + 4, 4);
    wasi_http_types_incoming_body_stream(body, (int32_t)(uintptr_t)ret);
    memcpy(&in, ret + 4, 4);
    size_t len = 0;
    long got;
    while (len + 1 < cap && (got = wasi2_read(in, text + len, cap - 1 - len, true)) > 0)
        len += (size_t)got;
    text[len] = 0;
    wasi_io_streams_input_stream_drop(in);
    wasi_http_types_incoming_body_drop(body);
    wasi_http_types_incoming_response_drop(resp);
    wasi_http_types_future_incoming_response_drop(x->future);
    return status;
}

static void upload(struct handler_req *req)
{
    static char url[HTTP_GET_URL_MAX], text[512], line[700];
    const char *n_at = strstr(req->path, "?n=");
    struct http_url u;
    if (!n_at || query_url(req->path, url, sizeof url) ||
        http_url_parse(url, strlen(url), &u, NULL) < 0) {
        handler_send(req, 400, "text/plain", "upload?n=N&url=URL\n", 19);
        return;
    }
    uint64_t n = strtoull(n_at + 3, NULL, 10);
    const char *names[] = {"content-type"}, *values[] = {"text/plain"};
    struct upload x = {0};
    if (handler_respond(req, 200, names, values, 1)) return;
    if (upload_open(&x, &u) || upload_write(req, &x, n)) {
        int k = snprintf(line, sizeof line, "failed: %s\n", wasi2_errmsg());
        handler_write(req, line, (size_t)k); /* then the response ends there */
        return;
    }
    int status = upload_answer(&x, text, sizeof text);
    int k = snprintf(line, sizeof line, "done %d stalls %llu max-room %llu\n%s", status,
                     (unsigned long long)x.stalls, (unsigned long long)x.max_room, text);
    if (status > 0 && handler_write(req, line, (size_t)k) == 0) handler_finish(req, NULL, NULL, 0);
}

void handler_main(struct handler_req *req)
{
    bool get = !strcmp(req->method, "GET");
    if (!strcmp(req->method, "POST") && !strncmp(req->path, "/upload?", 8))
        upload(req);
    else if (get && !strncmp(req->path, "/proxy?", 7))
        proxy(req);
    else
        handler_send(req, 404, "text/plain", "not found\n", 10);
}
