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
#include "tests/fuzz/fuzz_http_common.h"

static void check_field(const struct http_event *ev)
{
    if (!http_is_token(ev->name, ev->name_len) || !http_is_field_value(ev->value, ev->value_len))
        abort();
}

static void digest_event(struct fz_digest *d, const struct http_parser *p,
                         const struct http_event *ev, const uint8_t *in, size_t n, void *ctx)
{
    (void)ctx;
    if (fz_digest_common(d, ev, in, n)) return;
    switch (ev->type) {
    case HTTP_EV_STATUS:
        if (ev->status < 200 || ev->status > 599) abort();
        fz_mix_u64(d, (uint64_t)ev->status * 10 + (uint64_t)ev->version_minor);
        fz_mix(d, ev->value, ev->value_len);
        break;
    case HTTP_EV_HEADER:
    case HTTP_EV_TRAILER:
        check_field(ev);
        fz_mix(d, ev->name, ev->name_len);
        fz_mix_u64(d, ev->value_len);
        fz_mix(d, ev->value, ev->value_len);
        break;
    case HTTP_EV_HEADERS_DONE:
        fz_mix_u64(d, (uint64_t)http_parser_body_length(p));
        fz_mix_u64(d, http_parser_keep_alive(p));
        break;
    default: break;
    }
}

static void record_failure(struct fz_digest *d, const struct http_parser *p)
{
    d->in_body = false;
    fz_mix_u64(d, 1000 + (uint64_t)http_parser_fail(p));
}

/* The next response on the connection; ctx points at the flags (bit 0:
 * the request was HEAD). */
static void restart(struct http_parser *p, void *ctx)
{
    http_parser_start(p, *(const uint8_t *)ctx & 1);
}

/* Parses in[0..n) in pieces (whole when seed is 0); returns the digest. */
static uint64_t run(const uint8_t *in, size_t n, uint8_t flags, uint32_t seed)
{
    struct http_limits small = {
        .status_line = 48, .field_line = 40, .section = 160, .fields = 6, .chunk_line = 10};
    struct http_parser p;
    if (http_parser_init(&p, (flags & 4) ? &small : NULL) != 0) abort();
    restart(&p, &flags);
    struct fz_digest d = FZ_DIGEST_INIT;
    struct fz_parse_ops ops = {restart, digest_event, record_failure, &flags};
    bool ended;
    if (fz_parse_split(&p, in, n, seed, &d, &ops, &ended) && (flags & 2) && !ended) {
        struct http_event ev;
        int r = http_parse_eof(&p, &ev);
        if (r < 0)
            fz_mix_u64(&d, 1000 + (uint64_t)http_parser_fail(&p));
        else if (r > 0)
            digest_event(&d, &p, &ev, NULL, 0, NULL);
    }
    http_parser_free(&p);
    return d.h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_compare_splits(data, size, run);
}
