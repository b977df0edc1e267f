/*
 * host/kpio-wasm/jit_mem.h - executable memory for lib/wasm's JIT on Linux
 * (struct wasm_code_memory over mmap/mprotect, W^X), and the engine
 * choice shared by kpio-wasm and the test programs: a name "interp" or
 * "jit", from an option or the environment variable KPIO_WASM_ENGINE.
 */
#ifndef HOST_KPIO_WASM_JIT_MEM_H
#define HOST_KPIO_WASM_JIT_MEM_H

#include "wasm/wasm.h"

/* Pages mapped read+write, then read+execute once sealed. */
extern const struct wasm_code_memory host_code_memory;

/*
 * Makes `name` ("interp" or "jit"; NULL: $KPIO_WASM_ENGINE, else `dflt`)
 * the process default (wasm_engine_default) and fills *out with it.
 * Returns 0, or -1 for an unknown name.
 */
int host_engine_select(const char *name, enum wasm_engine dflt, enum wasm_engine *out);

#endif
