/*
 * tests/fuzz/p2_calls.h - the call loop the WASI 0.2 fuzz targets share:
 * each 17-byte record of the input is one call of a function of fns (by
 * interface and name): its index, then 16 parameters of one byte each,
 * scaled to the interesting ranges (small values for handles, flags, tags
 * and lengths, or addresses in and past the first memory page). A host
 * function may return 0 or trap; anything else aborts.
 */
#ifndef TESTS_FUZZ_P2_CALLS_H
#define TESTS_FUZZ_P2_CALLS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wasi/p2.h"

static void p2_fuzz_calls(struct wasm_host_call *call, const char *const (*fns)[2], size_t nfns,
                          const uint8_t *data, size_t size)
{
    for (size_t off = 0; off + 17 <= size && off < 17 * 64; off += 17) {
        const char *const *f = fns[data[off] % nfns];
        const struct wasi_import_fn *fn = wasi_p2_lookup(f[0], strlen(f[0]), f[1], strlen(f[1]));
        if (!fn) abort();
        wasm_value a[16], r[1];
        for (int i = 0; i < 16; i++) {
            uint8_t b = data[off + 1 + i];
            a[i].u64 = b < 128 ? b : b < 240 ? (uint64_t)(b - 128) * 600 : 65536u - (256u - b) * 4;
        }
        int rc = fn->fn(call, a, r);
        if (rc != 0 && rc != WASM_TRAP_HOST) abort();
    }
}

#endif
