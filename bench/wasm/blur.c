/*
 * bench/wasm/blur.c - a 3x3 blur (the binomial kernel 1 2 1 / 2 4 2 /
 * 1 2 1, rounded, divided by 16) of a 512x512 8-bit image, n times, each
 * round on the last one's output with one pixel changed. Separable: a
 * horizontal pass into 16-bit sums, then a vertical pass back to bytes;
 * border pixels are copied. Each round hashes one row, the end the
 * whole image. Built with -msimd128 (blur_simd.wasm) both
 * passes work on 16 pixels at a time with wasm_simd128.h (u8 -> u16
 * extends, adds and shifts, a saturating narrow); otherwise (blur.wasm,
 * and natively) they are plain C loops. Integer arithmetic throughout, so
 * every build returns the same hash.
 */
#include "bench.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define W 512
#define H 512

static uint8_t img[2][H][W];
static uint16_t row_sum[H][W]; /* p[x-1] + 2 p[x] + p[x+1] */

static void pass_h(const uint8_t *p, uint16_t *s)
{
    int x = 1;
#ifdef __wasm_simd128__
    for (; x + 16 <= W - 1; x += 16) {
        v128_t l = wasm_v128_load(p + x - 1), m = wasm_v128_load(p + x);
        v128_t r = wasm_v128_load(p + x + 1);
        v128_t lo = wasm_i16x8_add(
            wasm_i16x8_add(wasm_u16x8_extend_low_u8x16(l), wasm_u16x8_extend_low_u8x16(r)),
            wasm_i16x8_shl(wasm_u16x8_extend_low_u8x16(m), 1));
        v128_t hi = wasm_i16x8_add(
            wasm_i16x8_add(wasm_u16x8_extend_high_u8x16(l), wasm_u16x8_extend_high_u8x16(r)),
            wasm_i16x8_shl(wasm_u16x8_extend_high_u8x16(m), 1));
        wasm_v128_store(s + x, lo);
        wasm_v128_store(s + x + 8, hi);
    }
#endif
    for (; x < W - 1; x++)
        s[x] = (uint16_t)(p[x - 1] + 2 * p[x] + p[x + 1]);
}

/* out[x] = (a[x] + 2 b[x] + c[x] + 8) / 16 for the inner columns */
static void pass_v(const uint16_t *a, const uint16_t *b, const uint16_t *c, uint8_t *out)
{
    int x = 1;
#ifdef __wasm_simd128__
    v128_t eight = wasm_i16x8_splat(8);
    for (; x + 16 <= W - 1; x += 16) {
        v128_t lo = wasm_i16x8_add(wasm_i16x8_add(wasm_v128_load(a + x), wasm_v128_load(c + x)),
                                   wasm_i16x8_shl(wasm_v128_load(b + x), 1));
        v128_t hi =
            wasm_i16x8_add(wasm_i16x8_add(wasm_v128_load(a + x + 8), wasm_v128_load(c + x + 8)),
                           wasm_i16x8_shl(wasm_v128_load(b + x + 8), 1));
        lo = wasm_u16x8_shr(wasm_i16x8_add(lo, eight), 4);
        hi = wasm_u16x8_shr(wasm_i16x8_add(hi, eight), 4);
        wasm_v128_store(out + x, wasm_u8x16_narrow_i16x8(lo, hi));
    }
#endif
    for (; x < W - 1; x++)
        out[x] = (uint8_t)((a[x] + 2 * b[x] + c[x] + 8) >> 4);
}

static void blur(uint8_t (*src)[W], uint8_t (*dst)[W])
{
    for (int y = 0; y < H; y++)
        pass_h(src[y], row_sum[y]);
    memcpy(dst[0], src[0], W);
    memcpy(dst[H - 1], src[H - 1], W);
    for (int y = 1; y < H - 1; y++) {
        pass_v(row_sum[y - 1], row_sum[y], row_sum[y + 1], dst[y]);
        dst[y][0] = src[y][0];
        dst[y][W - 1] = src[y][W - 1];
    }
}

static uint32_t hash_row(const uint8_t *p)
{
    uint32_t h = 0;
    for (int x = 0; x < W; x++)
        h = h * 33 + p[x];
    return h;
}

BENCH_EXPORT uint32_t run(uint32_t n)
{
    uint32_t seed = 0xbb67ae85, sum = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            img[0][y][x] = (uint8_t)bench_rand(&seed);
    for (uint32_t r = 0; r < n; r++) {
        blur(img[r & 1], img[(r + 1) & 1]);
        uint8_t(*out)[W] = img[(r + 1) & 1];
        sum = sum * 31 + hash_row(out[r * 7 % H]);
        out[bench_rand(&seed) % H][bench_rand(&seed) % W] ^= 0xff;
    }
    for (int y = 0; y < H; y++)
        sum = sum * 31 + hash_row(img[n & 1][y]);
    return sum;
}
