/*
 * tests/wasi/cabi.c - the cabi_realloc export that the canonical ABI uses
 * to hand lists and strings to the module (over wasi-libc's malloc), and
 * small helpers shared by the WASI 0.2 test programs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wasi02.h"

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, uint32_t old_size,
                                                                uint32_t align, uint32_t new_size)
{
    (void)old_size;
    if (new_size == 0) return (void *)(uintptr_t)align;
    void *p = realloc(old, new_size); /* malloc aligns to 16, enough for every WASI type */
    if (!p) abort();
    return p;
}
