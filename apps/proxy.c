/*
 * apps/proxy.c - a wasi:http handler (sdk/handler.h) that proxies: for
 *
 *   GET /proxy?url=URL     (URL an http: URL, %XX escapes allowed)
 *
 * it GETs URL with an outgoing request (sdk/http.h, following redirects)
 * and streams that response into its own while it arrives: the status
 * (with Content-Type application/octet-stream) once the head is in, then
 * each piece of the body as it is read. A failure before the head answers 502 with the reason; one
 * after it cuts the response short. Anything else is 404.
 */
#include <stdio.h>
#include <string.h>

#include "sdk/handler.h"
#include "sdk/http.h"

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

void handler_main(struct handler_req *req)
{
    bool get = !strcmp(req->method, "GET");
    if (get && !strncmp(req->path, "/proxy?", 7))
        proxy(req);
    else
        handler_send(req, 404, "text/plain", "not found\n", 10);
}
