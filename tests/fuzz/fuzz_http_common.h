/*
 * tests/fuzz/fuzz_http_common.h - what the fuzz targets of lib/http's
 * parser (fuzz_http_parse.c for responses, fuzz_http_request.c for
 * requests) share: a digest of the events a parse gives (FNV-1a; body
 * bytes joined, so the split of the input does not show), and the driver
 * that feeds the input to the parser whole or in pieces of pseudo-random
 * sizes, restarting the parser after each complete message as on a
 * kept-alive connection. A target compares the digests of the two runs.
 */
#ifndef TESTS_FUZZ_HTTP_COMMON_H
#define TESTS_FUZZ_HTTP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "http/parser.h"

struct fz_digest {
    uint64_t h;
    bool in_body;
};

#define FZ_DIGEST_INIT                                                                             \
    {                                                                                              \
        0xcbf29ce484222325ULL, false                                                               \
    }

static inline void fz_mix(struct fz_digest *d, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        d->h = (d->h ^ b[i]) * 0x100000001b3ULL;
}

static inline void fz_mix_u64(struct fz_digest *d, uint64_t v)
{
    fz_mix(d, &v, sizeof v);
}

/* Digests a body slice, which must lie inside the piece in[0..n), and
 * returns true; any other event only ends the body run and adds its type,
 * and returns false for the caller to digest the rest. */
static inline bool fz_digest_common(struct fz_digest *d, const struct http_event *ev,
                                    const uint8_t *in, size_t n)
{
    if (ev->type == HTTP_EV_BODY) {
        if (ev->len == 0 || ev->data < in || ev->data + ev->len > in + n) abort();
        if (!d->in_body) fz_mix_u64(d, HTTP_EV_BODY);
        d->in_body = true;
        fz_mix(d, ev->data, ev->len);
        return true;
    }
    d->in_body = false;
    fz_mix_u64(d, ev->type);
    return false;
}

/* What a target does with the parser as the driver feeds it. */
struct fz_parse_ops {
    void (*restart)(struct http_parser *p, void *ctx); /* before the next message */
    /* An event of the piece in[0..n). */
    void (*event)(struct fz_digest *d, const struct http_parser *p, const struct http_event *ev,
                  const uint8_t *in, size_t n, void *ctx);
    void (*failure)(struct fz_digest *d, const struct http_parser *p); /* it failed */
    void *ctx;
};

static inline uint32_t fz_rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* The size of the next piece of at most left bytes (all of them when
 * seed is 0). */
static inline size_t fz_piece(uint32_t *seed, size_t left)
{
    if (!*seed) return left;
    uint32_t r = fz_rng_next(seed);
    size_t k = 1 + (r >> 8) % ((size_t)1 << (r % 9));
    return k < left ? k : left;
}

/* Parses the piece d0[0..left) to its end; false when the parser failed.
 * Every call must make progress and consume all input unless the message
 * is complete. */
static inline bool fz_parse_piece(struct http_parser *p, const uint8_t *d0, size_t left,
                                  struct fz_digest *d, const struct fz_parse_ops *ops, bool *ended,
                                  size_t *calls, size_t max_calls)
{
    for (;;) {
        if (++*calls > max_calls) abort(); /* no progress */
        if (*ended && left) {
            ops->restart(p, ops->ctx);
            *ended = false;
        }
        size_t used;
        struct http_event ev;
        int r = http_parse(p, d0, left, &used, &ev);
        if (used > left) abort();
        if (r < 0) {
            ops->failure(d, p);
            return false;
        }
        if (r == 0) {
            if (used != left && !http_parser_done(p)) abort();
            return true;
        }
        ops->event(d, p, &ev, d0, left, ops->ctx);
        *ended = r == HTTP_EV_END;
        d0 += used;
        left -= used;
    }
}

/* Feeds in[0..n) to p, whole when seed is 0, else in pieces of
 * pseudo-random sizes. Returns false when the parser failed; *ended tells
 * whether the last message was complete. */
static inline bool fz_parse_split(struct http_parser *p, const uint8_t *in, size_t n, uint32_t seed,
                                  struct fz_digest *d, const struct fz_parse_ops *ops, bool *ended)
{
    size_t off = 0, calls = 0;
    *ended = false;
    while (off < n) {
        size_t piece = fz_piece(&seed, n - off);
        if (!fz_parse_piece(p, in + off, piece, d, ops, ended, &calls, 4 * n + 64)) return false;
        off += piece;
    }
    return true;
}

/* The first input byte holds the flags and, in bits 3-7, the seed of the
 * split; runs the rest whole and split and aborts when the digests
 * differ. */
static inline int fz_compare_splits(const uint8_t *data, size_t size,
                                    uint64_t (*run)(const uint8_t *in, size_t n, uint8_t flags,
                                                    uint32_t seed))
{
    if (size < 1) return 0;
    uint8_t flags = data[0];
    uint32_t seed = 0x9e3779b9u ^ ((uint32_t)(flags >> 3) << 16) ^ (uint32_t)size;
    uint64_t whole = run(data + 1, size - 1, flags, 0);
    uint64_t split = run(data + 1, size - 1, flags, seed);
    if (whole != split) abort();
    return 0;
}

#endif
