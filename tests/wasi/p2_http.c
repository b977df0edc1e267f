/*
 * tests/wasi/p2_http.c - an HTTP client over wasi:http (outgoing-handler
 * and types) in a wasi-libc program (preview1 for files and printing).
 *
 *   p2_http get URL [OUTFILE]      GET; prints the status, a header and the
 *                                  body length; writes the body to OUTFILE
 *   p2_http post URL TEXT          POST TEXT; prints the status and body
 *   p2_http upload URL N           PUT N bytes (byte i is i mod 251) as the
 *                                  stream allows (check-write, subscribe),
 *                                  after handle(); prints status and body
 *   p2_http fields                 checks of the fields resource
 *   p2_http together URL...        starts a GET of every URL at once, asks
 *                                  the first one's future (it must not be
 *                                  ready yet: a held URL), then polls them
 *                                  all, printing each response as it
 *                                  completes; after a response to
 *                                  .../hold/NAME?.. tells the server with a
 *                                  GET of /done/NAME on the same host
 *
 * and what a hostile app does, which the host must refuse without spending
 * its memory:
 *
 *   p2_http body-zeroes URL        write-zeroes of 2^62 bytes on a POST's
 *                                  body after a check-write (a trap)
 *   p2_http body-write URL         a write of 4 MiB on it (a trap)
 *   p2_http body-fill URL          writes all check-write permits, never
 *                                  sending: the held body grows until the
 *                                  host refuses a write (status 1)
 *   p2_http keep URL               GET, keeping the whole body in memory:
 *                                  for an endless one, until malloc fails
 *                                  (status 1)
 *
 * An error prints "error-code N" (the wasi:http error-code case) and exits
 * with 2. URLs are http://HOST[:PORT]/PATH.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi02.h"

struct list {
    void *ptr;
    uint32_t len;
};

/* input-stream.read's result<list<u8>, stream-error> */
struct read_ret {
    uint8_t tag;
    uint8_t pad[3];
    uint32_t a, b;
};

/* Splits "http://authority/path" into its parts. */
static int parse_url(const char *url, char *auth, size_t asz, const char **path)
{
    if (strncmp(url, "http://", 7)) return -1;
    const char *a = url + 7, *slash = strchr(a, '/');
    size_t n = slash ? (size_t)(slash - a) : strlen(a);
    if (n == 0 || n >= asz) return -1;
    memcpy(auth, a, n);
    auth[n] = 0;
    *path = slash ? slash : "/";
    return 0;
}

/* Waits for and returns the response handle, or exits on an error. */
static int32_t wait_response(int32_t future)
{
    int32_t p = future_response_subscribe(future);
    pollable_block(p);
    pollable_drop(p);
    ret64_t r;
    future_response_get(future, &r);
    if (r.bytes[0] != 1 || r.bytes[8] != 0) {
        printf("future not ready\n");
        exit(3);
    }
    if (r.bytes[16]) {
        printf("error-code %d\n", r.bytes[24]);
        exit(2);
    }
    int32_t resp;
    memcpy(&resp, r.bytes + 24, 4);
    future_response_drop(future);
    return resp;
}

static int32_t make_request(const char *url, int method, int32_t headers)
{
    char auth[256];
    const char *path;
    if (parse_url(url, auth, sizeof auth, &path)) {
        printf("bad url\n");
        exit(1);
    }
    int32_t req = outgoing_request_new(headers);
    if (outgoing_request_set_method(req, method, NULL, 0) ||
        outgoing_request_set_scheme(req, 1, 0, NULL, 0) ||
        outgoing_request_set_authority(req, 1, auth, (int32_t)strlen(auth)) ||
        outgoing_request_set_path_with_query(req, 1, path, (int32_t)strlen(path))) {
        printf("request setters failed\n");
        exit(1);
    }
    return req;
}

/* Reads the body into out (may be NULL); returns its length. */
static uint64_t read_body(int32_t resp, FILE *out)
{
    ret16_t r;
    incoming_response_consume(resp, &r);
    int32_t body = (int32_t)r.a;
    incoming_body_stream(body, &r);
    int32_t stream = (int32_t)r.a;
    uint64_t total = 0;
    for (;;) {
        struct read_ret rr;
        input_blocking_read(stream, 1 << 20, &rr);
        if (rr.tag) {
            if (rr.a == 0) { /* last-operation-failed */
                ret64_t e;
                http_error_code((int32_t)rr.b, &e);
                struct list msg;
                error_to_debug_string((int32_t)rr.b, &msg);
                error_drop((int32_t)rr.b);
                printf("body error, error-code %d, message given: %d\n",
                       e.bytes[0] ? e.bytes[8] : -1, msg.len > 0);
                exit(2);
            }
            break; /* closed: the end */
        }
        if (out && rr.b) fwrite((void *)(uintptr_t)rr.a, 1, rr.b, out);
        total += rr.b;
        free((void *)(uintptr_t)rr.a);
    }
    input_drop(stream);
    int32_t trailers = incoming_body_finish(body);
    ret64_t t;
    future_trailers_get(trailers, &t);
    if (t.bytes[0] == 1 && t.bytes[8] == 0 && t.bytes[16] == 0 && t.bytes[24] == 1) {
        int32_t tf;
        memcpy(&tf, t.bytes + 28, 4);
        struct list vals;
        fields_get(tf, "x-sha256", 8, &vals);
        for (uint32_t i = 0; i < vals.len; i++) {
            struct list *v = (struct list *)vals.ptr + i;
            printf("trailer x-sha256: %.*s\n", (int)v->len, (char *)v->ptr);
        }
        fields_drop(tf);
    }
    future_trailers_get(trailers, &t);
    if (t.bytes[0] != 1 || t.bytes[8] != 1) printf("second trailers get not an error\n");
    future_trailers_drop(trailers);
    return total;
}

static int cmd_get(const char *url, const char *outfile)
{
    int32_t req = make_request(url, 0, fields_new());
    int32_t opts = request_options_new();
    const char *idle = getenv("P2_HTTP_IDLE_MS");
    request_options_set_connect_timeout(opts, 1, 5000000000ll);
    request_options_set_between_bytes_timeout(opts, 1, (idle ? atoll(idle) : 10000) * 1000000ll);
    ret64_t r;
    http_handle(req, 1, opts, &r);
    if (r.bytes[0]) {
        printf("handle error-code %d\n", r.bytes[8]);
        return 2;
    }
    int32_t resp = wait_response(*(int32_t *)(r.bytes + 8));
    printf("status %d\n", incoming_response_status(resp));
    int32_t h = incoming_response_headers(resp);
    struct list vals;
    fields_get(h, "content-type", 12, &vals);
    for (uint32_t i = 0; i < vals.len; i++) {
        struct list *v = (struct list *)vals.ptr + i;
        printf("content-type: %.*s\n", (int)v->len, (char *)v->ptr);
    }
    ret16_t hr;
    fields_append(h, "x-test", 6, "1", 1, &hr);
    printf("append to response headers: %s\n", hr.tag && hr.pad[0] == 2 ? "immutable" : "??");
    fields_drop(h);
    FILE *out = outfile ? fopen(outfile, "wb") : NULL;
    if (outfile && !out) {
        perror(outfile);
        return 1;
    }
    uint64_t n = read_body(resp, out);
    if (out) fclose(out);
    printf("body bytes %llu\n", (unsigned long long)n);
    incoming_response_drop(resp);
    return 0;
}

/* Drops the body's stream, finishes the body and prints the response. */
static int finish_and_print(int32_t os, int32_t body, int32_t future)
{
    ret64_t r;
    output_drop(os);
    outgoing_body_finish(body, 0, 0, &r);
    printf("finish: %s\n", r.bytes[0] ? "err" : "ok");
    int32_t resp = wait_response(future);
    printf("status %d\n", incoming_response_status(resp));
    fflush(stdout);
    read_body(resp, stdout);
    printf("\n");
    incoming_response_drop(resp);
    return 0;
}

static int cmd_post(const char *url, const char *text)
{
    int32_t hdrs = fields_new();
    ret16_t hr;
    fields_append(hdrs, "content-type", 12, "text/plain", 10, &hr);
    int32_t req = make_request(url, 2, hdrs);
    ret16_t br;
    outgoing_request_body(req, &br);
    int32_t body = (int32_t)br.a;
    outgoing_request_body(req, &br);
    printf("second body(): %s\n", br.tag ? "err" : "ok");
    outgoing_body_write(body, &br);
    int32_t os = (int32_t)br.a;
    ret64_t r;
    http_handle(req, 0, 0, &r);
    int32_t future = *(int32_t *)(r.bytes + 8);
    future_response_get(future, &r);
    printf("ready before the body is finished: %d\n", r.bytes[0]);
    size_t len = strlen(text);
    for (size_t off = 0; off < len; off += 4096) {
        ret16_t wr;
        size_t n = len - off < 4096 ? len - off : 4096;
        output_blocking_write_and_flush(os, text + off, (int32_t)n, &wr);
    }
    return finish_and_print(os, body, future);
}

/* Writes n bytes of the i-mod-251 pattern to os in check-write sized
 * pieces, waiting on the stream's pollable when it permits nothing. */
static void write_pattern(int32_t os, uint64_t n)
{
    static uint8_t piece[65536 + 251];
    for (size_t i = 0; i < sizeof piece; i++)
        piece[i] = (uint8_t)(i % 251);
    for (uint64_t off = 0; off < n;) {
        ret64_t cw;
        output_check_write(os, &cw);
        if (cw.bytes[0]) {
            printf("check-write failed at %llu\n", (unsigned long long)off);
            exit(2);
        }
        uint64_t permit, want = n - off;
        memcpy(&permit, cw.bytes + 8, 8);
        if (permit == 0) {
            int32_t p = output_subscribe(os);
            pollable_block(p);
            pollable_drop(p);
            continue;
        }
        uint32_t k = (uint32_t)(want < permit ? want : permit);
        k = k < 65536 ? k : 65536;
        ret16_t wr;
        output_write(os, piece + off % 251, (int32_t)k, &wr);
        if (wr.tag) {
            printf("write failed at %llu\n", (unsigned long long)off);
            exit(2);
        }
        off += k;
    }
}

static int cmd_upload(const char *url, uint64_t n)
{
    int32_t req = make_request(url, 3, fields_new());
    ret16_t br;
    outgoing_request_body(req, &br);
    int32_t body = (int32_t)br.a;
    outgoing_body_write(body, &br);
    int32_t os = (int32_t)br.a;
    ret64_t r;
    http_handle(req, 0, 0, &r);
    if (r.bytes[0]) {
        printf("handle error-code %d\n", r.bytes[8]);
        return 2;
    }
    int32_t future = *(int32_t *)(r.bytes + 8);
    write_pattern(os, n);
    return finish_and_print(os, body, future);
}

static int cmd_fields(void)
{
    ret16_t r;
    int32_t f = fields_new();
    fields_append(f, "Accept", 6, "a", 1, &r);
    printf("append valid: %s\n", r.tag ? "err" : "ok");
    fields_append(f, "accept", 6, "b", 1, &r);
    fields_append(f, "bad name", 8, "x", 1, &r);
    printf("append bad name: %s %d\n", r.tag ? "err" : "ok", r.pad[0]);
    fields_append(f, "x", 1, "a\r\nb", 4, &r);
    printf("append bad value: %s %d\n", r.tag ? "err" : "ok", r.pad[0]);
    fields_append(f, "Connection", 10, "close", 5, &r);
    printf("append forbidden: %s %d\n", r.tag ? "err" : "ok", r.pad[0]);
    printf("has accept: %d, has ACCEPT: %d, has other: %d\n", fields_has(f, "accept", 6),
           fields_has(f, "ACCEPT", 6), fields_has(f, "other", 5));
    struct list vals;
    fields_get(f, "ACCEPT", 6, &vals);
    printf("get accept: %u values:", (unsigned)vals.len);
    for (uint32_t i = 0; i < vals.len; i++) {
        struct list *v = (struct list *)vals.ptr + i;
        printf(" %.*s", (int)v->len, (char *)v->ptr);
    }
    printf("\n");
    struct list one = {"z", 1};
    fields_set(f, "accept", 6, &one, 1, &r);
    int32_t c = fields_clone(f);
    fields_delete(f, "accept", 6, &r);
    printf("after delete: %d, clone still has: %d\n", fields_has(f, "accept", 6),
           fields_has(c, "accept", 6));
    struct list entries;
    fields_entries(c, &entries);
    printf("clone entries: %u\n", (unsigned)entries.len);
    struct {
        struct list name, value;
    } pairs[2] = {{{"a", 1}, {"1", 1}}, {{"b", 1}, {"2", 1}}};
    fields_from_list(pairs, 2, &r);
    printf("from-list: %s\n", r.tag ? "err" : "ok");
    int32_t fl = (int32_t)r.a;
    pairs[1].name.ptr = "b c";
    pairs[1].name.len = 3;
    fields_from_list(pairs, 2, &r);
    printf("from-list bad: %s %d\n", r.tag ? "err" : "ok", (int)(r.a & 0xff));
    int32_t req = outgoing_request_new(fl);
    int32_t rh = outgoing_request_headers(req);
    fields_append(rh, "x", 1, "1", 1, &r);
    printf("request headers immutable: %d\n", r.tag && r.pad[0] == 2);
    printf("request headers entries: %d\n", fields_has(rh, "a", 1) + fields_has(rh, "b", 1));
    fields_drop(rh);
    printf("set-method other bad: %d, ok: %d\n",
           outgoing_request_set_method(req, 9, "BAD METHOD", 10),
           outgoing_request_set_method(req, 9, "PROPFIND", 8));
    struct {
        uint8_t tag;
        char *p;
        uint32_t n;
    } m;
    outgoing_request_method(req, &m);
    printf("method: %d %.*s\n", m.tag, (int)m.n, m.p);
    printf("set-authority with slash: %d\n", outgoing_request_set_authority(req, 1, "a/b", 3));
    printf("set-path with space: %d\n", outgoing_request_set_path_with_query(req, 1, "/a b", 4));
    outgoing_request_set_path_with_query(req, 1, "/x?y=1", 6);
    outgoing_request_path_with_query(req, &m);
    printf("path: %d %.*s\n", m.tag, (int)m.n, m.p);
    outgoing_request_drop(req);
    fields_drop(f);
    fields_drop(c);
    return 0;
}

/* A POST to url whose body stream is returned, the request not yet sent. */
static int32_t post_body_stream(const char *url)
{
    int32_t req = make_request(url, 2, fields_new());
    ret16_t br;
    outgoing_request_body(req, &br);
    outgoing_body_write((int32_t)br.a, &br);
    return (int32_t)br.a;
}

static int cmd_hostile_body(const char *mode, const char *url)
{
    int32_t os = post_body_stream(url);
    ret64_t r;
    output_check_write(os, &r);
    if (!strcmp(mode, "body-zeroes")) {
        output_write_zeroes(os, (int64_t)1 << 62, &r);
    } else if (!strcmp(mode, "body-write")) {
        size_t n = (size_t)4 << 20;
        output_write(os, malloc(n), (int32_t)n, &r);
    } else {
        static char chunk[65536];
        uint64_t held = 0;
        for (;;) {
            output_check_write(os, &r);
            uint64_t permit;
            memcpy(&permit, r.bytes + 8, 8);
            if (r.bytes[0]) break;
            if (permit > sizeof chunk) permit = sizeof chunk;
            output_write(os, chunk, (int32_t)permit, &r);
            if (r.bytes[0]) break;
            held += permit;
        }
        printf("body held %llu KiB, then the host refused a write\n",
               (unsigned long long)(held >> 10));
        return 1;
    }
    printf("after\n");
    return 0;
}

/* Keeps the whole body of url in linear memory until it ends or malloc fails. */
static int cmd_keep(const char *url)
{
    int32_t req = make_request(url, 0, fields_new());
    ret64_t r;
    http_handle(req, 0, 0, &r);
    if (r.bytes[0]) {
        printf("handle error-code %d\n", r.bytes[8]);
        return 2;
    }
    int32_t resp = wait_response(*(int32_t *)(r.bytes + 8));
    ret16_t b;
    incoming_response_consume(resp, &b);
    incoming_body_stream((int32_t)b.a, &b);
    int32_t stream = (int32_t)b.a;
    char *kept = NULL;
    size_t len = 0;
    for (;;) {
        struct read_ret rr;
        input_blocking_read(stream, 1 << 16, &rr);
        if (rr.tag) break;
        char *grown = realloc(kept, len + rr.b);
        if (!grown) {
            printf("kept %zu KiB, then malloc failed\n", len >> 10);
            return 1;
        }
        kept = grown;
        memcpy(kept + len, (void *)(uintptr_t)rr.a, rr.b);
        len += rr.b;
        free((void *)(uintptr_t)rr.a);
    }
    printf("kept the whole body, %zu KiB\n", len >> 10);
    return 0;
}

/* GETs url and reads the body: the server learns something. */
static void notify(const char *url)
{
    ret64_t r;
    http_handle(make_request(url, 0, fields_new()), 0, 0, &r);
    if (r.bytes[0]) {
        printf("handle error-code %d\n", r.bytes[8]);
        exit(2);
    }
    int32_t resp = wait_response(*(int32_t *)(r.bytes + 8));
    read_body(resp, NULL);
    incoming_response_drop(resp);
}

/* After the response to url: if it is http://HOST/.../hold/NAME[?...],
 * GETs http://HOST/done/NAME. */
static void tell_done(const char *url)
{
    const char *hold = strstr(url, "/hold/");
    const char *host_end = strchr(url + 7, '/');
    if (!hold || !host_end) return;
    const char *name = hold + 6;
    size_t name_len = strcspn(name, "?");
    char done[512];
    snprintf(done, sizeof done, "%.*s/done/%.*s", (int)(host_end - url), url, (int)name_len, name);
    notify(done);
}

#define TOGETHER_MAX 8

static int cmd_together(int n, char **urls)
{
    if (n > TOGETHER_MAX) n = TOGETHER_MAX;
    int32_t fut[TOGETHER_MAX];
    for (int i = 0; i < n; i++) {
        ret64_t r;
        http_handle(make_request(urls[i], 0, fields_new()), 0, 0, &r);
        if (r.bytes[0]) {
            printf("handle error-code %d\n", r.bytes[8]);
            return 2;
        }
        fut[i] = *(int32_t *)(r.bytes + 8);
    }
    printf("started %d\n", n);
    ret64_t g;
    future_response_get(fut[0], &g);
    printf("first future ready at once: %s\n", g.bytes[0] ? "yes" : "no");
    for (int pending = n; pending > 0;) {
        int32_t list[TOGETHER_MAX];
        int map[TOGETHER_MAX] = {0}, k = 0;
        for (int i = 0; i < n; i++)
            if (fut[i] >= 0) {
                map[k] = i;
                list[k++] = future_response_subscribe(fut[i]);
            }
        struct list ready;
        io_poll(list, k, &ready);
        for (int j = 0; j < k; j++) /* before their futures go */
            pollable_drop(list[j]);
        for (uint32_t j = 0; j < ready.len; j++) {
            int i = map[((uint32_t *)ready.ptr)[j]];
            int32_t resp = wait_response(fut[i]);
            int status = incoming_response_status(resp);
            uint64_t bytes = read_body(resp, NULL);
            incoming_response_drop(resp);
            printf("response %d: status %d, %llu bytes\n", i, status, (unsigned long long)bytes);
            fut[i] = -1;
            pending--;
            tell_done(urls[i]);
        }
        free(ready.ptr);
    }
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 3 && !strcmp(argv[1], "get")) return cmd_get(argv[2], argc > 3 ? argv[3] : NULL);
    if (argc == 4 && !strcmp(argv[1], "post")) return cmd_post(argv[2], argv[3]);
    if (argc == 4 && !strcmp(argv[1], "upload"))
        return cmd_upload(argv[2], strtoull(argv[3], NULL, 10));
    if (argc == 2 && !strcmp(argv[1], "fields")) return cmd_fields();
    if (argc == 3 && !strncmp(argv[1], "body-", 5)) return cmd_hostile_body(argv[1], argv[2]);
    if (argc == 3 && !strcmp(argv[1], "keep")) return cmd_keep(argv[2]);
    if (argc >= 3 && !strcmp(argv[1], "together")) return cmd_together(argc - 2, argv + 2);
    fprintf(stderr, "usage: p2_http get URL [OUT] | post URL TEXT | upload URL N | fields | "
                    "together URL... | "
                    "body-zeroes|body-write|body-fill URL | keep URL\n");
    return 1;
}
