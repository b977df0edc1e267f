/*
 * bench/wasm/matmul.c - dense matrix multiply of 192x192 doubles, n times
 * (C = A x B, then A takes a little of C): f64 loads, multiplies and adds
 * in the i-k-j loop order. Returns a hash of the bits of the final sum, so
 * native and wasm must agree to the last bit (IEEE-754 without fusion).
 */
#include "bench.h"

#define N 192

static double A[N][N], B[N][N], C[N][N];

BENCH_EXPORT uint32_t run(uint32_t n)
{
    uint32_t seed = 0x2545f491;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (double)(bench_rand(&seed) % 1000) / 1000.0;
            B[i][j] = (double)(bench_rand(&seed) % 1000) / 1000.0 - 0.5;
        }
    for (uint32_t r = 0; r < n; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                C[i][j] = 0;
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                double a = A[i][k];
                for (int j = 0; j < N; j++)
                    C[i][j] += a * B[k][j];
            }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                A[i][j] = A[i][j] * 0.5 + C[i][j] * 0.001;
    }
    double sum = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            sum += C[i][j];
    uint64_t bits;
    memcpy(&bits, &sum, sizeof bits);
    return (uint32_t)(bits ^ (bits >> 32));
}
