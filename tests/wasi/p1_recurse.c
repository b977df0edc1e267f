/*
 * tests/wasi/p1_recurse.c - recursion deeper than any stack, for the
 * engines' "call stack exhausted" trap (run_stack_tests.py):
 *
 *   deep N     a non-tail recursion N calls deep
 *   mutual N   two functions calling each other, N calls deep
 *
 * Prints "before" first and the result (a checksum) when the recursion
 * ends, so a small N succeeds and a huge one must trap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned sink; /* a store after each call: no tail call, no loop */

static unsigned odd(unsigned n);

__attribute__((noinline)) static unsigned deep(unsigned n)
{
    unsigned r = n ? deep(n - 1) : 0;
    sink = r;
    return r * 3 + n;
}

__attribute__((noinline)) static unsigned even(unsigned n)
{
    unsigned r = n ? odd(n - 1) : 1;
    sink = r;
    return r * 5 + n;
}

__attribute__((noinline)) static unsigned odd(unsigned n)
{
    unsigned r = n ? even(n - 1) : 2;
    sink = r;
    return r * 7 + n;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: p1_recurse deep|mutual N\n");
        return 2;
    }
    unsigned n = (unsigned)strtoul(argv[2], NULL, 10);
    printf("before\n");
    fflush(stdout);
    unsigned r;
    if (!strcmp(argv[1], "deep"))
        r = deep(n);
    else if (!strcmp(argv[1], "mutual"))
        r = even(n);
    else
        return 2;
    printf("result %u\n", r);
    return 0;
}
