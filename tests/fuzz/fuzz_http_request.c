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

struct digest {
    uint64_t h;
    bool in_body;
};

static void mix(struct digest *d, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        d->h = (d->h ^ b[i]) * 0x100000001b3ULL;
}

static void mix_u64(struct digest *d, uint64_t v)
{
    mix(d, &v, sizeof v);
}

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

static void digest_event(struct digest *d, const struct http_parser *p, const struct http_event *ev,
                         const uint8_t *in, size_t n, struct http_fields *f)
{
    if (ev->type == HTTP_EV_BODY) {
        if (ev->len == 0 || ev->data < in || ev->data + ev->len > in + n) abort();
        if (!d->in_body) mix_u64(d, HTTP_EV_BODY);
        d->in_body = true;
        mix(d, ev->data, ev->len);
        return;
    }
    d->in_body = false;
    mix_u64(d, ev->type);
    switch (ev->type) {
    case HTTP_EV_REQUEST:
        if (!http_is_token(ev->name, ev->name_len) || ev->value_len == 0) abort();
        for (size_t i = 0; i < ev->value_len; i++)
            if ((unsigned char)ev->value[i] <= 0x20 || (unsigned char)ev->value[i] >= 0x7f) abort();
        mix(d, ev->name, ev->name_len);
        mix(d, ev->value, ev->value_len);
        mix_u64(d, (uint64_t)ev->version_minor);
        http_fields_clear(f);
        break;
    case HTTP_EV_HEADER:
    case HTTP_EV_TRAILER:
        if (!http_is_token(ev->name, ev->name_len) ||
            !http_is_field_value(ev->value, ev->value_len))
            abort();
        mix(d, ev->name, ev->name_len);
        mix_u64(d, ev->value_len);
        mix(d, ev->value, ev->value_len);
        if (ev->type == HTTP_EV_HEADER &&
            http_fields_add(f, ev->name, ev->name_len, ev->value, ev->value_len) != 0)
            abort();
        break;
    case HTTP_EV_HEADERS_DONE:
        mix_u64(d, (uint64_t)http_parser_body_length(p));
        mix_u64(d, http_parser_keep_alive(p) * 2 + http_parser_expect_continue(p));
        echo_fields(f);
        break;
    default: break;
    }
}

static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void record_failure(struct digest *d, const struct http_parser *p)
{
    int status = http_fail_status(http_parser_fail(p));
    if (status < 400 || status > 599) abort();
    d->in_body = false;
    mix_u64(d, 1000 + (uint64_t)http_parser_fail(p));
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
    struct digest d = {0xcbf29ce484222325ULL, false};
    struct http_event ev;
    bool ended = false, failed = false;
    size_t off = 0, calls = 0;
    while (off < n && !failed) {
        size_t piece = n - off;
        if (seed) {
            uint32_t r = rng_next(&seed);
            size_t k = 1 + (r >> 8) % ((size_t)1 << (r % 9));
            piece = k < piece ? k : piece;
        }
        const uint8_t *d0 = in + off;
        size_t left = piece;
        off += piece;
        for (;;) {
            if (++calls > 4 * n + 64) abort(); /* no progress */
            if (ended && left) {
                http_parser_start_request(&p);
                ended = false;
            }
            size_t used;
            int r = http_parse(&p, d0, left, &used, &ev);
            if (used > left) abort();
            if (r < 0) {
                record_failure(&d, &p);
                failed = true;
                break;
            }
            if (r == 0) {
                if (used != left && !http_parser_done(&p)) abort();
                break;
            }
            digest_event(&d, &p, &ev, d0, left, &f);
            ended = r == HTTP_EV_END;
            d0 += used;
            left -= used;
        }
    }
    if (!failed && !ended && http_parse_eof(&p, &ev) < 0) record_failure(&d, &p);
    http_fields_free(&f);
    http_parser_free(&p);
    return d.h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t flags = data[0];
    uint32_t seed = 0x9e3779b9u ^ ((uint32_t)(flags >> 3) << 16) ^ (uint32_t)size;
    uint64_t whole = run(data + 1, size - 1, flags, 0);
    uint64_t split = run(data + 1, size - 1, flags, seed);
    if (whole != split) abort();
    return 0;
}
