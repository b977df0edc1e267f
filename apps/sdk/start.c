/*
 * apps/sdk/start.c - the entry point `_start` of the apps that export more
 * than `_start` (the WASI 0.2 apps export cabi_realloc), instead of
 * wasi-libc's crt1-command.o.
 *
 * Why: when a command module does not call __wasm_call_ctors itself,
 * wasm-ld wraps every export so that it runs the constructors before and
 * the destructors after. With wasi-libc's crt1-command.o (Debian's 2022
 * snapshot) cabi_realloc then re-runs __wasilibc_populate_preopens and
 * __stdio_exit on every list the host returns, flushing stdio from inside
 * a host call; under jco's preview1 adapter that loses output. Calling
 * the constructors here, once, makes wasm-ld leave the exports alone
 * (as newer wasi-libc's crt1-command does). Link with -nostartfiles.
 */
#include <stdlib.h>

extern void __wasm_call_ctors(void);
extern int __original_main(void); /* wasi-libc: gets the args, calls main */

__attribute__((export_name("_start"))) void _start(void)
{
    static volatile int started;
    if (started) __builtin_trap(); /* a command runs once per instance */
    started = 1;
    __wasm_call_ctors();
    exit(__original_main());
}
