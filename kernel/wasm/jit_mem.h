/*
 * kernel/wasm/jit_mem.h - what the kernel gives lib/wasm's JIT: executable
 * memory (W^X, over kva and vmm_protect) and the engine apps run on.
 */
#ifndef KERNEL_WASM_JIT_MEM_H
#define KERNEL_WASM_JIT_MEM_H

#include "wasm/wasm.h"

extern const struct wasm_code_memory kernel_code_memory;

/* The engine for apps: wasm=interp|jit on the command line, else the JIT
 * where lib/wasm has one for this machine. */
enum wasm_engine kernel_wasm_engine(void);

#endif
