/*
 * bench/wasm/fmatmul.c - f32 matrix multiply, 128x128, n times (C = A x B,
 * then A takes a little of C), in the i-k-j order. Built with -msimd128
 * (fmatmul_simd.wasm) the j loop is wasm_simd128.h's f32x4 multiply and
 * add over four columns at a time; otherwise (fmatmul.wasm, and natively)
 * it is the plain C loop. Each element sees the same operations in the
 * same order either way (no fusion), so all builds return the same hash of
 * the bits of C.
 */
#include "bench.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define N 128

static float A[N][N], B[N][N], C[N][N];

/* C[i][...] += a * B[k][...] */
static void axpy_row(float *c, float a, const float *b)
{
#ifdef __wasm_simd128__
    v128_t va = wasm_f32x4_splat(a);
    for (int j = 0; j < N; j += 4)
        wasm_v128_store(c + j, wasm_f32x4_add(wasm_v128_load(c + j),
                                              wasm_f32x4_mul(va, wasm_v128_load(b + j))));
#else
    for (int j = 0; j < N; j++)
        c[j] += a * b[j];
#endif
}

static uint32_t hash_c(void)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            uint32_t bits;
            memcpy(&bits, &C[i][j], sizeof bits);
            h = (h ^ bits) * 16777619u;
        }
    return h;
}

BENCH_EXPORT uint32_t run(uint32_t n)
{
    uint32_t seed = 0x6a09e667;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (float)(bench_rand(&seed) % 1000) / 1000.0f;
            B[i][j] = (float)(bench_rand(&seed) % 1000) / 1000.0f - 0.5f;
        }
    uint32_t sum = 0;
    for (uint32_t r = 0; r < n; r++) {
        memset(C, 0, sizeof C);
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++)
                axpy_row(C[i], A[i][k], B[k]);
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                A[i][j] = A[i][j] * 0.5f + C[i][j] * 0.01f;
        sum = sum * 31 + hash_c();
    }
    return sum;
}
