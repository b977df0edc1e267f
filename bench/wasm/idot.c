/*
 * bench/wasm/idot.c - integer dot products: 8192 i16 samples against 64
 * filters of the same length, n times (a FIR bank, as in audio or ML
 * kernels), summed in 32 bits. Built with -msimd128 (idot_simd.wasm) the
 * inner loop is wasm_simd128.h's i32x4.dot_i16x8_s over eight lanes at a
 * time; otherwise (idot.wasm, and natively) it is the plain C loop. Both
 * compute the same wrapping sums.
 */
#include "bench.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define LEN   8192
#define NFILT 64

static int16_t x[LEN], h[NFILT][LEN];

static int32_t dot(const int16_t *a, const int16_t *b)
{
#ifdef __wasm_simd128__
    v128_t acc = wasm_i32x4_splat(0);
    for (int i = 0; i < LEN; i += 8)
        acc =
            wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    return wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) +
           wasm_i32x4_extract_lane(acc, 2) + wasm_i32x4_extract_lane(acc, 3);
#else
    uint32_t acc = 0;
    for (int i = 0; i < LEN; i++)
        acc += (uint32_t)((int32_t)a[i] * b[i]);
    return (int32_t)acc;
#endif
}

BENCH_EXPORT uint32_t run(uint32_t n)
{
    uint32_t seed = 0x9e3779b9, sum = 0;
    for (int i = 0; i < LEN; i++)
        x[i] = (int16_t)bench_rand(&seed);
    for (int f = 0; f < NFILT; f++)
        for (int i = 0; i < LEN; i++)
            h[f][i] = (int16_t)(bench_rand(&seed) >> 4);
    for (uint32_t r = 0; r < n; r++) {
        for (int f = 0; f < NFILT; f++)
            sum = sum * 31 + (uint32_t)dot(x, h[f]);
        x[r % LEN] ^= (int16_t)sum;
    }
    return sum;
}
