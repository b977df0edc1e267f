/*
 * tests/fuzz/fuzz_http_parse.c - libFuzzer target for lib/http's response
 * parser. The first input byte picks: bit 0 the request was HEAD, bit 1
 * the connection closes after the input, bit 2 small limits (that inputs
 * can reach) instead of the defaults, bits 3-7 the seed of a split. The
 * rest is parsed twice, whole and in pieces of pseudo-random sizes, with
 * the parser restarted after each complete response as on a kept-alive
 * connection. Checked on every input:
 *   - both runs give the same events (a digest of them; body bytes joined)
 *     and the same failure: the split never changes the outcome;
 *   - every call makes progress and all input is consumed unless the
 *     response is complete: no hang;
 *   - body slices lie inside the piece they came from;
 *   - header and trailer names are tokens and values hold no CR, LF, NUL
 *     and no edge whitespace: nothing unsafe reaches the caller.
 * Seeds: the recorded responses of tests/unit/http/responses.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/chars.h"
#include "http/parser.h"

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

static void check_field(const struct http_event *ev)
{
    if (!http_is_token(ev->name, ev->name_len) || !http_is_field_value(ev->value, ev->value_len))
        abort();
}

static void digest_event(struct digest *d, const struct http_parser *p, const struct http_event *ev,
                         const uint8_t *in, size_t n)
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
    case HTTP_EV_STATUS:
        if (ev->status < 200 || ev->status > 599) abort();
        mix_u64(d, (uint64_t)ev->status * 10 + (uint64_t)ev->version_minor);
        mix(d, ev->value, ev->value_len);
        break;
    case HTTP_EV_HEADER:
    case HTTP_EV_TRAILER:
        check_field(ev);
        mix(d, ev->name, ev->name_len);
        mix_u64(d, ev->value_len);
        mix(d, ev->value, ev->value_len);
        break;
    case HTTP_EV_HEADERS_DONE:
        mix_u64(d, (uint64_t)http_parser_body_length(p));
        mix_u64(d, http_parser_keep_alive(p));
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

/* Parses in[0..n) in pieces (whole when seed is 0); returns the digest. */
static uint64_t run(const uint8_t *in, size_t n, uint8_t flags, uint32_t seed)
{
    struct http_limits small = {
        .status_line = 48, .field_line = 40, .section = 160, .fields = 6, .chunk_line = 10};
    struct http_parser p;
    if (http_parser_init(&p, (flags & 4) ? &small : NULL) != 0) abort();
    http_parser_start(&p, flags & 1);
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
                http_parser_start(&p, flags & 1);
                ended = false;
            }
            size_t used;
            int r = http_parse(&p, d0, left, &used, &ev);
            if (used > left) abort();
            if (r < 0) {
                d.in_body = false;
                mix_u64(&d, 1000 + (uint64_t)http_parser_fail(&p));
                failed = true;
                break;
            }
            if (r == 0) {
                if (used != left && !http_parser_done(&p)) abort();
                break;
            }
            digest_event(&d, &p, &ev, d0, left);
            ended = r == HTTP_EV_END;
            d0 += used;
            left -= used;
        }
    }
    if (!failed && (flags & 2) && !ended) {
        int r = http_parse_eof(&p, &ev);
        if (r < 0)
            mix_u64(&d, 1000 + (uint64_t)http_parser_fail(&p));
        else if (r > 0)
            digest_event(&d, &p, &ev, NULL, 0);
    }
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
