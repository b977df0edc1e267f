/*
 * bench/wasm/fib.c - recursive Fibonacci: calls and returns, nothing else.
 * run(n) = fib(n).
 */
#include "bench.h"

static uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

BENCH_EXPORT uint32_t run(uint32_t n)
{
    return fib(n);
}
