/*
 * bench/wasm/bench.h - what every benchmark program shares. Each program
 * defines `uint32_t run(uint32_t n)`, the benchmark's kernel, returning a
 * checksum of its work. It is compiled twice from the same source: to
 * wasm32-wasi (clang-19 -O2, wasi-libc, `run` exported, no WASI imports
 * used) for kpio-wasm, and natively (gcc -O2) with native_main.c.
 */
#ifndef BENCH_WASM_BENCH_H
#define BENCH_WASM_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __wasm__
#define BENCH_EXPORT __attribute__((export_name("run")))
#else
#define BENCH_EXPORT
#endif

BENCH_EXPORT uint32_t run(uint32_t n);

/* xorshift32 (Marsaglia): deterministic data on both sides. */
static inline uint32_t bench_rand(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

#endif
