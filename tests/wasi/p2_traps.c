/*
 * tests/wasi/p2_traps.c - misuse of WASI 0.2 resources that a host must
 * refuse with a trap (the component model's rules), one per argument:
 *
 *   bad-handle     drop a handle that was never given out
 *   wrong-type     use a pollable handle as an output-stream
 *   parent-first   drop a stream while its pollable lives
 *   poll-empty     poll an empty list
 *   bad-ret        a return area outside linear memory
 *   bad-utf8       a string parameter that is not UTF-8
 *   unimplemented  a 0.2 function KPIO does not provide (terminal-input's
 *                  drop: KPIO hands out no terminals)
 *   realloc-reentry  cabi_realloc calls a 0.2 function while a list is
 *                  being returned
 *   write-unpermitted  output-stream.write without a check-write permit
 *   write-zeroes-huge  write-zeroes of 2^62 bytes after a check-write
 *   write-beyond   a write of 4 MiB after a check-write
 *   blocking-write-big blocking-write-and-flush of 5000 bytes (at most 4096)
 *   clone-loop     fields.clone of 60 KiB of fields in a loop: the host
 *                  memory budget ends it
 *   resource-flood new fields resources in a loop: the same
 *   pollable-flood new pollables in a loop, never dropped: the same
 *   exit-err       wasi:cli/exit with err: status 1, no trap
 *   ok             none of it: status 0
 *
 * Each prints "before" first, so the harness sees the trap came after.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi02.h"

IMP("wasi:cli/terminal-input@0.2.0", "[resource-drop]terminal-input")
void terminal_input_drop(int32_t handle);

/* What a hostile app does to make the host spend memory or break the
 * streams' rules; each must end in a trap. */
static void hostile(const char *m, int32_t out)
{
    static char big[60 * 1024];
    ret64_t r;
    if (!strcmp(m, "write-unpermitted")) {
        output_write(out, "x", 1, &r);
    } else if (!strcmp(m, "write-zeroes-huge")) {
        output_check_write(out, &r);
        output_write_zeroes(out, (int64_t)1 << 62, &r);
    } else if (!strcmp(m, "write-beyond")) {
        size_t n = (size_t)4 << 20;
        char *p = malloc(n);
        output_check_write(out, &r);
        output_write(out, p, (int32_t)n, &r);
    } else if (!strcmp(m, "pollable-flood")) {
        for (;;)
            mono_subscribe_duration(1000000000);
    } else if (!strcmp(m, "blocking-write-big")) {
        output_blocking_write_and_flush(out, big, 5000, &r);
    } else if (!strcmp(m, "clone-loop")) {
        int32_t f = fields_new();
        memset(big, 'v', sizeof big);
        fields_append(f, "x-big", 5, big, sizeof big, &r);
        for (;;)
            fields_clone(f);
    } else {
        for (;;)
            fields_new();
    }
}

int main(int argc, char **argv)
{
    printf("before\n");
    fflush(stdout);
    const char *m = argc > 1 ? argv[1] : "ok";
    int32_t out = cli_get_stdout();
    ret64_t r;
    if (!strcmp(m, "bad-handle"))
        pollable_drop(12345);
    else if (!strcmp(m, "wrong-type"))
        output_check_write(mono_subscribe_duration(1), &r);
    else if (!strcmp(m, "parent-first")) {
        int32_t p = output_subscribe(out);
        (void)p;
        output_drop(out);
    } else if (!strcmp(m, "poll-empty"))
        io_poll(NULL, 0, &r);
    else if (!strcmp(m, "bad-ret"))
        output_check_write(out, (void *)0xfffffff0u);
    else if (!strcmp(m, "bad-utf8")) {
        ret16_t rr;
        resolve_addresses(instance_network(), "\xff\xfe", 2, &rr);
    } else if (!strcmp(m, "unimplemented"))
        terminal_input_drop(1);
    else if (!strcmp(m, "realloc-reentry")) {
        extern int cabi_reenter;
        cabi_reenter = 1;
        cli_get_arguments(&r);
    } else if (!strcmp(m, "write-unpermitted") || !strcmp(m, "write-zeroes-huge") ||
               !strcmp(m, "write-beyond") || !strcmp(m, "blocking-write-big") ||
               !strcmp(m, "clone-loop") || !strcmp(m, "resource-flood") ||
               !strcmp(m, "pollable-flood")) {
        hostile(m, out);
    } else if (!strcmp(m, "exit-err"))
        cli_exit(1);
    printf("after\n");
    return 0;
}
