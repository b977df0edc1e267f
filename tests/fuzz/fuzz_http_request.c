/*
 * tests/fuzz/fuzz_http_request.c - libFuzzer target for lib/http's server
 * side: the parser in request mode and the response writer. The first
 * input byte picks: bit 2 small limits (that inputs can reach) instead of
 * the server defaults, bits 3-7 the seed of a split. The rest is parsed
 * twice, whole and in pieces of pseudo-random sizes, with the parser
 * restarted in request mode after each complete request as on a
 * kept-alive connection with pipelining. Checked on every input:
 *   - both runs give the same events and the same failure;
 *   - every call makes progress and all input is consumed unless the
 *     request is complete: no hang;
 *   - body slices lie inside the piece they came from;
 *   - methods are tokens, targets visible ASCII, field names tokens and
 *     values valid: nothing unsafe reaches a handler;
 *   - every failure maps to a 4xx or 5xx status;
 *   - the request's fields, echoed by the response writer, read back
 *     through the response parser as exactly the fields the writer keeps
 *     plus its Content-Length: a field can never split a response.
 * Seeds: the requests of tests/unit/http/requests.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/chars.h"
#include "http/fields.h"
#include "http/parser.h"
#include "http/response.h"
#include "tests/fuzz/fuzz_http_common.h"

/* Writes a response carrying fields and parses it back. */
static void echo_fields(const struct http_fields *f)
{
    static char buf[1 << 17];
    struct http_response_head h = {200, f, HTTP_BODY_LENGTH, 2, false};
    long n = http_response_write(&h, buf, sizeof buf - 2);
    if (n == -1 || n == 0) abort();
    if (n < 0) return; /* ERR_NOSPC or ERR_INVAL: nothing written */
    memcpy(buf + n, "ok", 2);
    size_t kept = 0;
    for (size_t i = 0; i < http_fields_count(f); i++) {
        struct http_field x = http_fields_at(f, i);
        if (!http_response_field_owned(x.name, x.name_len)) kept++;
    }
    struct http_limits lim = http_limits_default();
    lim.section = sizeof buf;
    lim.fields = 100000;
    struct http_parser p;
    if (http_parser_init(&p, &lim) != 0) abort();
    const uint8_t *d = (const uint8_t *)buf;
    size_t left = (size_t)n + 2, used, headers = 0;
    struct http_event ev;
    int r;
    while ((r = http_parse(&p, d, left, &used, &ev)) > 0 && r != HTTP_EV_END) {
        d += used;
        left -= used;
        if (r == HTTP_EV_HEADER) headers++;
    }
    if (r != HTTP_EV_END || left - used != 0 || headers != kept + 1) abort();
    http_parser_free(&p);
}

static void digest_event(struct fz_digest *d, const struct http_parser *p,
                         const struct http_event *ev, const uint8_t *in, size_t n, void *ctx)
{
    struct http_fields *f = ctx;
    if (fz_digest_common(d, ev, in, n)) return;
    switch (ev->type) {
    case HTTP_EV_REQUEST:
        if (!http_is_token(ev->name, ev->name_len) || ev->value_len == 0) abort();
        for (size_t i = 0; i < ev->value_len; i++)
            if ((unsigned char)ev->value[i] <= 0x20 || (unsigned char)ev->value[i] >= 0x7f) abort();
        fz_mix(d, ev->name, ev->name_len);
        fz_mix(d, ev->value, ev->value_len);
        fz_mix_u64(d, (uint64_t)ev->version_minor);
        http_fields_clear(f);
        break;
    case HTTP_EV_HEADER:
    case HTTP_EV_TRAILER:
        if (!http_is_token(ev->name, ev->name_len) ||
            !http_is_field_value(ev->value, ev->value_len))
            abort();
        fz_mix(d, ev->name, ev->name_len);
        fz_mix_u64(d, ev->value_len);
        fz_mix(d, ev->value, ev->value_len);
        if (ev->type == HTTP_EV_HEADER &&
            http_fields_add(f, ev->name, ev->name_len, ev->value, ev->value_len) != 0)
            abort();
        break;
    case HTTP_EV_HEADERS_DONE:
        fz_mix_u64(d, (uint64_t)http_parser_body_length(p));
        fz_mix_u64(d, http_parser_keep_alive(p) * 2 + http_parser_expect_continue(p));
        echo_fields(f);
        break;
    default: break;
    }
}

static void record_failure(struct fz_digest *d, const struct http_parser *p)
{
    int status = http_fail_status(http_parser_fail(p));
    if (status < 400 || status > 599) abort();
    d->in_body = false;
    fz_mix_u64(d, 1000 + (uint64_t)http_parser_fail(p));
}

/* The next request on the connection (pipelined). */
static void restart(struct http_parser *p, void *ctx)
{
    (void)ctx;
    http_parser_start_request(p);
}

/* Parses in[0..n) in pieces (whole when seed is 0); returns the digest. */
static uint64_t run(const uint8_t *in, size_t n, uint8_t flags, uint32_t seed)
{
    struct http_limits lim = http_limits_server();
    if (flags & 4) {
        struct http_limits small = {
            .status_line = 48, .field_line = 40, .section = 160, .fields = 6, .chunk_line = 10};
        lim = small;
    }
    struct http_parser p;
    if (http_parser_init(&p, &lim) != 0) abort();
    http_parser_start_request(&p);
    struct http_fields f;
    http_fields_init(&f, 0, 0);
    struct fz_digest d = FZ_DIGEST_INIT;
    struct fz_parse_ops ops = {restart, digest_event, record_failure, &f};
    bool ended;
    struct http_event ev;
    if (fz_parse_split(&p, in, n, seed, &d, &ops, &ended) && !ended && http_parse_eof(&p, &ev) < 0)
        record_failure(&d, &p);
    http_fields_free(&f);
    http_parser_free(&p);
    return d.h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_compare_splits(data, size, run);
}
