/*
 * lib/wasm/disasm.h - a listing of a function's compiled code, one line
 * per instruction ("  12: i32_add 5 3 7": the op, then its operand cells
 * as in ops.h). For debugging; host builds only.
 */
#ifndef WASM_DISASM_H
#define WASM_DISASM_H

#include "wasm/wasm.h"

typedef void (*wasm_disasm_out)(void *ctx, const char *line);

/* Lists function func (an index in the function space). Returns 0; 1 for
 * an imported function (nothing listed); ERR_NOENT past the last function;
 * ERR_CORRUPT if the code does not decode. */
int wasm_disasm(const struct wasm_module *m, uint32_t func, wasm_disasm_out out, void *ctx);

/* The number of functions (imported and defined). */
uint32_t wasm_module_func_count(const struct wasm_module *m);

/* The machine code of an instance the JIT compiled, or NULL: *len bytes
 * (load address: the pointer returned). */
const uint8_t *wasm_jit_code(const struct wasm_instance *inst, size_t *len);

/* Test aid: makes the JIT ignore SSE4.1 and POPCNT even if the CPU has
 * them (as under QEMU's default CPU), for instances made afterwards. */
void wasm_jit_baseline_cpu(bool baseline);

/* How many simd instructions of an instance's machine code call the
 * interpreter's lane code (jit_h_simd) instead of having code of their own
 * on this CPU (0 without machine code). */
uint32_t wasm_jit_simd_in_c(const struct wasm_instance *inst);

/* Where function func's machine code starts (its entry from C), as an
 * offset in wasm_jit_code's bytes; UINT32_MAX for none. */
uint32_t wasm_jit_entry(const struct wasm_instance *inst, uint32_t func);

#endif
