/*
 * bench/http/bench_parse.c - throughput of lib/http's response parser over
 * responses held in memory, fed in 64 KiB pieces as a socket would give
 * them. Prints:
 *
 *   BENCH http_parse_chunked        a 64 MiB chunked body, chunks of 1..8 KiB
 *                                   (some with extensions), trailers at the end
 *   BENCH http_parse_chunked_small  16 MiB in chunks of 1..512 bytes: the
 *                                   cost per chunk-size line
 *   BENCH http_parse_heads          nginx-like response heads (10 fields)
 *
 * each in MiB/s of wire bytes, the best of several rounds. Every round
 * checks that the body bytes add up, so nothing is optimized away.
 *
 * The parser never reads body bytes (they are handed out as slices of the
 * input), so the chunked figures measure the framing: chunk-size lines,
 * CRLFs and the calls per slice. They grow with the chunk size; 1..8 KiB
 * is what nginx sends when a filter makes it chunk.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/parser.h"

#define PIECE 65536

struct buf {
    char *p;
    size_t len, cap;
};

static void put(struct buf *b, const void *s, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) exit(1);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static uint32_t rng(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* A chunked response with body_len bytes in chunks of 1..max_chunk. */
static struct buf make_chunked(size_t body_len, size_t max_chunk, uint32_t seed)
{
    struct buf b = {0};
    const char head[] = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
                        "Content-Type: application/octet-stream\r\n"
                        "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n";
    put(&b, head, sizeof head - 1);
    char *data = malloc(max_chunk);
    for (size_t i = 0; i < max_chunk; i++)
        data[i] = (char)rng(&seed);
    for (size_t left = body_len; left;) {
        uint32_t r = rng(&seed);
        size_t k = 1 + r % max_chunk;
        if (k > left) k = left;
        char line[64];
        int n = snprintf(line, sizeof line, (r >> 24) % 8 ? "%zx\r\n" : "%zx;ext=\"v\"\r\n", k);
        put(&b, line, (size_t)n);
        put(&b, data, k);
        put(&b, "\r\n", 2);
        left -= k;
    }
    const char tail[] = "0\r\nX-Checksum: 1234\r\n\r\n";
    put(&b, tail, sizeof tail - 1);
    free(data);
    return b;
}

static struct buf make_heads(size_t count)
{
    struct buf b = {0};
    const char resp[] = "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n"
                        "Date: Tue, 24 Nov 2026 12:28:23 GMT\r\nContent-Type: text/plain\r\n"
                        "Content-Length: 12\r\nLast-Modified: Tue, 24 Nov 2026 12:28:22 GMT\r\n"
                        "Connection: keep-alive\r\nETag: \"6b0582e6-c\"\r\nAccept-Ranges: bytes\r\n"
                        "Cache-Control: max-age=3600\r\nVary: Accept-Encoding\r\n\r\nhello, kpio\n";
    for (size_t i = 0; i < count; i++)
        put(&b, resp, sizeof resp - 1);
    return b;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses every response in b, 64 KiB at a time; returns the body bytes. */
static uint64_t parse_all(struct http_parser *p, const struct buf *b)
{
    uint64_t body = 0;
    struct http_event ev;
    http_parser_start(p, false);
    for (size_t off = 0; off < b->len;) {
        size_t n = b->len - off < PIECE ? b->len - off : PIECE;
        const uint8_t *d = (const uint8_t *)b->p + off;
        off += n;
        while (n) {
            size_t used;
            int r = http_parse(p, d, n, &used, &ev);
            if (r < 0) {
                fprintf(stderr, "bench_parse: parse error %s\n",
                        http_fail_name(http_parser_fail(p)));
                exit(1);
            }
            d += used;
            n -= used;
            if (r == HTTP_EV_BODY)
                body += ev.len;
            else if (r == HTTP_EV_END)
                http_parser_start(p, false);
            else if (r == 0)
                break;
        }
    }
    return body;
}

static void bench(const char *name, const struct buf *b, uint64_t want_body, int rounds)
{
    struct http_parser p;
    if (http_parser_init(&p, NULL) != 0) exit(1);
    double best = 1e30;
    for (int i = 0; i < rounds; i++) {
        double t0 = now_s();
        uint64_t got = parse_all(&p, b);
        double t = now_s() - t0;
        if (got != want_body) {
            fprintf(stderr, "bench_parse: %s: %llu body bytes, expected %llu\n", name,
                    (unsigned long long)got, (unsigned long long)want_body);
            exit(1);
        }
        if (t < best) best = t;
    }
    http_parser_free(&p);
    printf("BENCH %s %.1f MiB/s\n", name, (double)b->len / (1024.0 * 1024.0) / best);
}

int main(void)
{
    struct buf big = make_chunked(64u << 20, 8192, 1);
    bench("http_parse_chunked", &big, 64u << 20, 8);
    free(big.p);
    struct buf small = make_chunked(16u << 20, 512, 2);
    bench("http_parse_chunked_small", &small, 16u << 20, 5);
    free(small.p);
    struct buf heads = make_heads(50000);
    bench("http_parse_heads", &heads, 50000 * 12, 5);
    free(heads.p);
    return 0;
}
