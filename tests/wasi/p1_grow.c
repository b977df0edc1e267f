/*
 * tests/wasi/p1_grow.c - grows its linear memory one MiB at a time until
 * memory.grow refuses (the engines zero new pages, so they are real memory),
 * then prints how far it got:
 * "grew to N MiB, then memory.grow refused". With an argument N it stops
 * after N MiB instead ("grew to N MiB"). The kernel's per-app memory limit
 * (the shell's ulimit -v) and kpio-wasm's --max-pages are checked with it.
 */
#include <stdio.h>
#include <stdlib.h>

#define PAGE      65536
#define MIB_PAGES 16

int main(int argc, char **argv)
{
    long stop = argc > 1 ? atol(argv[1]) : -1;
    long mib = (long)(__builtin_wasm_memory_size(0) * PAGE >> 20);
    while (stop < 0 || mib < stop) {
        long old = (long)__builtin_wasm_memory_grow(0, MIB_PAGES);
        if (old < 0) {
            printf("grew to %ld MiB, then memory.grow refused\n", mib);
            return 0;
        }
        mib = (long)((old + MIB_PAGES) * PAGE >> 20);
    }
    printf("grew to %ld MiB\n", mib);
    return 0;
}
