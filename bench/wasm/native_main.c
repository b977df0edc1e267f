/*
 * bench/wasm/native_main.c - the native driver of a benchmark program:
 * `NAME.native N` calls run(N) and prints "CHECKSUM SECONDS" (the
 * wall-clock time of the call only), as kpio-wasm --time measures it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s N\n", argv[0]);
        return 1;
    }
    uint32_t n = (uint32_t)strtoul(argv[1], NULL, 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    uint32_t sum = run(n);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%u %.6f\n", sum,
           (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9);
    return 0;
}
