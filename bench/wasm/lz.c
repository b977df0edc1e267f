/*
 * bench/wasm/lz.c - a small LZ77 compressor (LZ4-like token format, one
 * hash-table candidate per position) and its decompressor over 1 MiB of
 * generated text, n times: byte loops, hashing, branches. Each round
 * checks that decompression gives the input back; returns a hash of the
 * compressed bytes (0 if a round trip ever failed).
 */
#include "bench.h"

#define SIZE      (1u << 20)
#define HASH_BITS 14

static uint8_t src[SIZE], comp[SIZE + SIZE / 8 + 64], dec[SIZE];
static uint32_t table[1u << HASH_BITS];

static const char *const words[] = {
    "the",    "quick",  "brown",   "fox",    "jumps", "over",   "lazy",
    "dog",    "kernel", "thread",  "memory", "page",  "table",  "interrupt",
    "virtio", "block",  "network", "packet", "wasm",  "module", "function",
    "call",   "return", "value",   "stack",  "heap",  "file",   "disk",
};

static void make_text(uint32_t seed)
{
    size_t i = 0;
    while (i < SIZE) {
        const char *w = words[bench_rand(&seed) % (sizeof words / sizeof words[0])];
        while (*w && i < SIZE)
            src[i++] = (uint8_t)*w++;
        if (i < SIZE) src[i++] = (bench_rand(&seed) & 15) ? ' ' : '\n';
    }
}

static uint32_t read32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint8_t *put_len(uint8_t *o, size_t n)
{
    for (; n >= 255; n -= 255)
        *o++ = 255;
    *o++ = (uint8_t)n;
    return o;
}

static uint8_t *emit(uint8_t *o, const uint8_t *lit, size_t nlit, size_t off, size_t mlen)
{
    size_t m = mlen ? mlen - 4 : 0;
    *o++ = (uint8_t)((nlit < 15 ? nlit : 15) << 4 | (m < 15 ? m : 15));
    if (nlit >= 15) o = put_len(o, nlit - 15);
    memcpy(o, lit, nlit);
    o += nlit;
    if (mlen) {
        *o++ = (uint8_t)off;
        *o++ = (uint8_t)(off >> 8);
        if (m >= 15) o = put_len(o, m - 15);
    }
    return o;
}

static size_t compress(size_t n)
{
    uint8_t *o = comp;
    size_t i = 0, anchor = 0;
    memset(table, 0xff, sizeof table);
    while (i + 8 < n) {
        uint32_t v = read32(src + i);
        uint32_t h = (v * 2654435761u) >> (32 - HASH_BITS);
        uint32_t cand = table[h];
        table[h] = (uint32_t)i;
        if (cand != 0xffffffffu && i - cand < 65536 && read32(src + cand) == v) {
            size_t len = 4;
            while (i + len < n && src[cand + len] == src[i + len])
                len++;
            o = emit(o, src + anchor, i - anchor, i - cand, len);
            i += len;
            anchor = i;
        } else {
            i++;
        }
    }
    o = emit(o, src + anchor, n - anchor, 0, 0);
    return (size_t)(o - comp);
}

static size_t get_len(const uint8_t **p, size_t n)
{
    if (n == 15) {
        uint8_t b;
        do {
            b = *(*p)++;
            n += b;
        } while (b == 255);
    }
    return n;
}

static size_t decompress(size_t clen)
{
    const uint8_t *p = comp, *end = comp + clen;
    uint8_t *o = dec;
    while (p < end) {
        uint8_t tok = *p++;
        size_t nlit = get_len(&p, tok >> 4);
        memcpy(o, p, nlit);
        o += nlit;
        p += nlit;
        if (p >= end) break;
        size_t off = p[0] | (size_t)p[1] << 8;
        p += 2;
        size_t mlen = get_len(&p, tok & 15) + 4;
        const uint8_t *m = o - off;
        for (size_t k = 0; k < mlen; k++) /* may overlap: byte by byte */
            o[k] = m[k];
        o += mlen;
    }
    return (size_t)(o - dec);
}

BENCH_EXPORT uint32_t run(uint32_t n)
{
    uint32_t hash = 2166136261u;
    make_text(0x9e3779b9);
    for (uint32_t r = 0; r < n; r++) {
        size_t len = SIZE - r * 97 % 4096;
        size_t clen = compress(len);
        if (decompress(clen) != len || memcmp(dec, src, len)) return 0;
        for (size_t i = 0; i < clen; i += 61)
            hash = (hash ^ comp[i]) * 16777619u;
        hash += (uint32_t)clen;
    }
    return hash;
}
