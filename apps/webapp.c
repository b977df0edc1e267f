/*
 * apps/webapp.c - the example wasi:http handler (sdk/handler.h), served by
 * `kpio-wasm serve build/handlers/webapp.wasm`:
 *
 *   GET  /                 a small HTML page
 *   GET  /api/info         JSON: method, path, the User-Agent
 *   GET  /api/sum?a=N&b=M  JSON: {"sum": N+M}
 *   POST /echo             the request body back, streamed (chunked)
 *   POST /sha256           the SHA-256 of the body, hashed as it arrives;
 *                          the request trailers are ignored; the response
 *                          carries the byte count as a trailer
 *   POST /ticks            the body read without waiting, polled together
 *                          with a 20 ms timer; streams a line per event:
 *                          "got N" (N bytes so far) when bytes came, "tick"
 *                          when the timer fired first after them, "end N"
 *   GET  /bytes?n=N        N bytes of a repeating pattern, streamed
 *   GET  /files/NAME       the file /www/NAME (serve with --dir DIR::/www),
 *                          streamed (typed by extension: .html, .js, .json,
 *                          .css, else octet-stream); 404 when it cannot be opened
 *   GET  /trap             traps (the host answers 500)
 *   GET  /hang             never returns (the host's timeout answers 5xx)
 *   GET  /hog              allocates until memory runs out (500)
 *   anything else          404
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdk/handler.h"
#include "sdk/sha256.h"
#include "sdk/wasi2.h"

static const char page[] = "<!doctype html>\n<html><head><title>KPIO</title></head>\n"
                           "<body><h1>Served from WebAssembly</h1>\n"
                           "<p id=\"msg\">hello from a wasi:http handler</p></body></html>\n";

/* The number after "name=" in the query, or def. */
static uint64_t query_num(const char *path, const char *name, uint64_t def)
{
    const char *q = strchr(path, '?');
    size_t n = strlen(name);
    while (q) {
        q++;
        if (!strncmp(q, name, n) && q[n] == '=') return strtoull(q + n + 1, NULL, 10);
        q = strchr(q, '&');
    }
    return def;
}

static void send_text(struct handler_req *req, int status, const char *type, const char *s)
{
    handler_send(req, status, type, s, strlen(s));
}

static void echo(struct handler_req *req)
{
    static char buf[65536];
    const char *names[] = {"content-type"};
    const char *values[] = {"application/octet-stream"};
    handler_respond(req, 200, names, values, 1);
    long n;
    while ((n = handler_read(req, buf, sizeof buf)) > 0)
        if (handler_write(req, buf, (size_t)n)) return;
    handler_finish(req, NULL, NULL, 0);
}

static void sha256(struct handler_req *req)
{
    static unsigned char buf[65536];
    struct sdk_sha256 ctx;
    sdk_sha256_init(&ctx);
    uint64_t total = 0;
    long n;
    while ((n = handler_read(req, buf, sizeof buf)) > 0) {
        sdk_sha256_update(&ctx, buf, (size_t)n);
        total += (uint64_t)n;
    }
    if (n < 0) return; /* the client left: nothing to answer */
    unsigned char d[32];
    sdk_sha256_final(&ctx, d);
    char hex[66];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    hex[64] = '\n';
    hex[65] = 0;
    char count[24];
    snprintf(count, sizeof count, "%" PRIu64, total);
    const char *names[] = {"content-type"}, *values[] = {"text/plain"};
    const char *tn[] = {"x-bytes"}, *tv[] = {count};
    handler_respond(req, 200, names, values, 1);
    handler_write(req, hex, 65);
    handler_finish(req, tn, tv, 1);
}

#define TICK_NS 20000000ll

/* Writes one line of /ticks: 0 or -1. */
static int tick_line(struct handler_req *req, const char *what, uint64_t n)
{
    char line[48];
    int len = n == UINT64_MAX ? snprintf(line, sizeof line, "%s\n", what)
                              : snprintf(line, sizeof line, "%s %" PRIu64 "\n", what, n);
    return handler_write(req, line, (size_t)len);
}

/* The next of /ticks' events: bytes (1), the timer (2), the end (0) or a
 * failure (-1); *total counts the bytes. The body is served first. */
static int ticks_event(int32_t in, int32_t p[2], uint64_t *total)
{
    static char buf[4096];
    uint32_t ready = wasi2_wait(p, 2, UINT64_MAX);
    if (ready & 1) {
        long n = wasi2_read(in, buf, sizeof buf, false);
        if (n == WASI2_EOF) return 0;
        if (n < 0) return -1;
        *total += (uint64_t)n;
        if (n > 0) return 1;
    }
    if (!(ready & 2)) return 3; /* nothing new yet */
    wasi_io_poll_pollable_drop(p[1]);
    p[1] = wasi_clocks_monotonic_clock_subscribe_duration(TICK_NS);
    return 2;
}

static void ticks(struct handler_req *req)
{
    int32_t in = handler_body_stream(req);
    if (in < 0) return;
    const char *names[] = {"content-type"}, *values[] = {"text/plain"};
    handler_respond(req, 200, names, values, 1);
    int32_t p[2] = {wasi_io_streams_input_stream_subscribe(in),
                    wasi_clocks_monotonic_clock_subscribe_duration(TICK_NS)};
    uint64_t total = 0;
    bool got_last = false; /* one "tick" per quiet spell after bytes */
    int ev, rc = 0;
    while (rc == 0 && (ev = ticks_event(in, p, &total)) > 0) {
        if (ev == 1) rc = tick_line(req, "got", total);
        if (ev == 2 && got_last) rc = tick_line(req, "tick", UINT64_MAX);
        if (ev != 3) got_last = ev == 1;
    }
    wasi_io_poll_pollable_drop(p[0]);
    wasi_io_poll_pollable_drop(p[1]);
    if (rc == 0 && ev == 0 && tick_line(req, "end", total) == 0) handler_finish(req, NULL, NULL, 0);
}

static void bytes(struct handler_req *req)
{
    static char buf[65536];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)('a' + i % 26);
    uint64_t left = query_num(req->path, "n", 0);
    const char *names[] = {"content-type"}, *values[] = {"application/octet-stream"};
    handler_respond(req, 200, names, values, 1);
    while (left) {
        size_t k = left < sizeof buf ? (size_t)left : sizeof buf;
        if (handler_write(req, buf, k)) return;
        left -= k;
    }
    handler_finish(req, NULL, NULL, 0);
}

/* The content type of a served file, from its name's extension. */
static const char *file_type(const char *name)
{
    static const char *const types[][2] = {{".html", "text/html; charset=utf-8"},
                                           {".js", "text/javascript"},
                                           {".json", "application/json"},
                                           {".css", "text/css"}};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t e = strlen(types[i][0]);
        if (n > e && !strcmp(name + n - e, types[i][0])) return types[i][1];
    }
    return "application/octet-stream";
}

static void file(struct handler_req *req, const char *name)
{
    static char buf[65536], path[512];
    if (strstr(name, "..") || strchr(name, '?')) {
        send_text(req, 404, "text/plain", "not found\n");
        return;
    }
    snprintf(path, sizeof path, "/www/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        send_text(req, 404, "text/plain", "not found\n");
        return;
    }
    const char *names[] = {"content-type"}, *values[] = {file_type(name)};
    handler_respond(req, 200, names, values, 1);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (handler_write(req, buf, n)) break;
    fclose(f);
    handler_finish(req, NULL, NULL, 0);
}

void handler_main(struct handler_req *req)
{
    char json[512], ua[128];
    const char *p = req->path;
    bool get = !strcmp(req->method, "GET") || !strcmp(req->method, "HEAD");
    if (get && !strcmp(p, "/")) {
        send_text(req, 200, "text/html; charset=utf-8", page);
    } else if (get && !strcmp(p, "/api/info")) {
        if (handler_header(req, "user-agent", ua, sizeof ua) < 0) strcpy(ua, "");
        for (char *c = ua; *c; c++)
            if (*c == '"' || *c == '\\') *c = '_';
        snprintf(json, sizeof json, "{\"method\":\"%s\",\"path\":\"%s\",\"agent\":\"%s\"}\n",
                 req->method, p, ua);
        send_text(req, 200, "application/json", json);
    } else if (get && !strncmp(p, "/api/sum?", 9)) {
        snprintf(json, sizeof json, "{\"sum\":%" PRIu64 "}\n",
                 query_num(p, "a", 0) + query_num(p, "b", 0));
        send_text(req, 200, "application/json", json);
    } else if (!strcmp(req->method, "POST") && !strcmp(p, "/echo")) {
        echo(req);
    } else if (!strcmp(req->method, "POST") && !strcmp(p, "/ticks")) {
        ticks(req);
    } else if (!strcmp(req->method, "POST") && !strcmp(p, "/sha256")) {
        sha256(req);
    } else if (get && !strncmp(p, "/files/", 7)) {
        file(req, p + 7);
    } else if (get && !strncmp(p, "/bytes", 6)) {
        bytes(req);
    } else if (!strcmp(p, "/trap")) {
        __builtin_trap();
    } else if (!strcmp(p, "/hang")) {
        for (volatile int i = 0;; i++)
            ;
    } else if (!strcmp(p, "/hog")) {
        static void *volatile sink; /* kept, so the allocations are real */
        for (;;) {
            sink = malloc(1 << 20);
            if (!sink) __builtin_trap();
            memset(sink, 1, 1 << 20);
        }
    } else {
        send_text(req, 404, "text/plain", "not found\n");
    }
}
