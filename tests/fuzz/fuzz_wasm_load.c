/*
 * tests/fuzz/fuzz_wasm_load.c - libFuzzer target: decode, validate and
 * compile arbitrary bytes as a WebAssembly module (wasm_module_load). Any
 * input must either load or be rejected with ERR_BADMSG/ERR_INVAL/ERR_NOMEM
 * and a message; no crash, leak, hang or sanitizer report.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/error.h"
#include "wasm/wasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wasm_module *mod = NULL;
    struct wasm_error err;
    int rc = wasm_module_load(data, size, &mod, &err);
    if (rc == 0) {
        /* a loaded module lists its imports and exports consistently */
        for (uint32_t i = 0; i < wasm_module_import_count(mod); i++) {
            struct wasm_import imp;
            wasm_module_import(mod, i, &imp);
            if (!imp.module || !imp.name) abort();
        }
        for (uint32_t i = 0; i < wasm_module_export_count(mod); i++)
            if (!wasm_module_export(mod, i, NULL)) abort();
        wasm_module_free(mod);
    } else if ((rc != ERR_BADMSG && rc != ERR_INVAL && rc != ERR_NOMEM) || mod || !err.msg[0]) {
        abort();
    }
    return 0;
}
