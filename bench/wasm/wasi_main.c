/*
 * bench/wasm/wasi_main.c - a benchmark program as a WASI command, for
 * running it where only commands run (an app inside KPIO): `NAME N`
 * calls run(N) and prints "run(N) = CHECKSUM", the checksum that
 * kpio-wasm --invoke run N and the native program print for the same N.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s N\n", argc > 0 ? argv[0] : "bench");
        return 1;
    }
    uint32_t n = (uint32_t)strtoul(argv[1], NULL, 0);
    printf("run(%u) = %u\n", n, run(n));
    return 0;
}
