/*
 * tests/wasi/cabi.c - the cabi_realloc export that the canonical ABI uses
 * to hand lists and strings to the module (over wasi-libc's malloc), and
 * small helpers shared by the WASI 0.2 test programs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wasi02.h"

/* Set by p2_traps to make cabi_realloc call back into WASI 0.2. */
int cabi_reenter;

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, uint32_t old_size,
                                                                uint32_t align, uint32_t new_size)
{
    (void)old_size;
    if (cabi_reenter) (void)mono_now();
    if (new_size == 0) return (void *)(uintptr_t)align;
    void *p = realloc(old, new_size); /* malloc aligns to 16, enough for every WASI type */
    if (!p) abort();
    return p;
}
