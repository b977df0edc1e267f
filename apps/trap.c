/*
 * apps/trap.c - `trap KIND`: ends in a WebAssembly trap of the chosen
 * kind, for the kernel's tests (the kernel must report the app, the trap
 * and the function, and carry on):
 *   oob          a load beyond the end of linear memory
 *   unreachable  the unreachable instruction (__builtin_trap)
 *   div0         an integer division by zero
 *   overflow     INT_MIN / -1 (integer overflow trap)
 *   stack        unbounded recursion until the call stack is exhausted
 *   indirect     call_indirect through a null function pointer
 * Prints "trap: KIND" on stderr first. Exit status 2 for a bad KIND; any
 * exit at all after a valid KIND means the host did not trap.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sdk/cli.h"

static const char help[] = "Usage: trap oob|unreachable|div0|overflow|stack|indirect\n"
                           "End in a WebAssembly trap of the given kind (for tests).\n";

/* Opaque to the optimizer, so that the traps are not folded away. */
static volatile int32_t zero = 0, minus_one = -1, int_min = INT_MIN;
static volatile uintptr_t far_address = UINTPTR_MAX - 7;
static volatile int stack_limit = -1; /* never reached */
static volatile int sink;
static void (*volatile null_fn)(void);

__attribute__((noinline)) static int trap_oob(void)
{
    return *(volatile int *)far_address;
}

__attribute__((noinline)) static int trap_div0(void)
{
    // cppcheck-suppress zerodiv
    return 7 / zero;
}

__attribute__((noinline)) static int trap_overflow(void)
{
    return int_min / minus_one;
}

/* Recursion without addressable locals: nothing goes on wasi-libc's
 * shadow stack in linear memory (which would overwrite data and then fault
 * as "oob"), only the host's call stack grows, until the host's limit. The
 * volatile read after the call keeps it from being a tail call. */
__attribute__((noinline)) static int trap_stack(int depth)
{
    if (depth == stack_limit) return 0;
    return trap_stack(depth + 1) + sink;
}

__attribute__((noinline)) static void trap_indirect(void)
{
    null_fn();
}

int main(int argc, char **argv)
{
    cli_init("trap", CLI_USAGE);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    while (cli_opts_next(&o, "", help) != 0) {
    }
    if (argc - o.index != 1) cli_usage_error("expected one KIND");
    const char *kind = argv[o.index];
    int r = 0;
    fprintf(stderr, "trap: %s\n", kind);
    if (!strcmp(kind, "oob"))
        r = trap_oob();
    else if (!strcmp(kind, "unreachable"))
        __builtin_trap();
    else if (!strcmp(kind, "div0"))
        r = trap_div0();
    else if (!strcmp(kind, "overflow"))
        r = trap_overflow();
    else if (!strcmp(kind, "stack"))
        r = trap_stack(0);
    else if (!strcmp(kind, "indirect"))
        trap_indirect();
    else
        cli_usage_error("unknown KIND '%s'", kind);
    printf("no trap (%d)\n", r);
    return CLI_FAIL;
}
