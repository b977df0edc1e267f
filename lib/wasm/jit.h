/*
 * lib/wasm/jit.h - the machine-code engine: what instance.c and interp.c
 * call, what a code generator (jit_x86_64.c) provides, and the helpers in
 * C that generated code calls (jit.c).
 *
 * Runs. Machine code uses the same value stack and frame layout as the
 * interpreter (internal.h): a function's frame starts at its first argument
 * in the caller's operand area, results come back there. Calls between
 * machine-code functions are native calls; each wasm frame takes
 * JIT_FRAME_BYTES of the native stack, so the depth limit is a stack
 * pointer limit (exec.jit_limit) that counts exactly the frames the
 * interpreter would count (frames_end - ftop), fewer when the real stack
 * ends first (exec.jit_floor, from wasm_config.native_stack_floor; jit_invoke
 * cuts jit_depth_bytes). A run enters through
 * jit_invoke; traps fill *ex->trap and unwind to the innermost entry, which
 * returns ERR_FAULT. Host functions and interpreted functions are called
 * through jit_h_call (plain C), which may re-enter wasm.
 */
#ifndef WASM_JIT_H
#define WASM_JIT_H

#include "wasm/internal.h"

#define JIT_FRAME_BYTES 16 /* return address + padding to keep 16-byte alignment */

struct jit_code;     /* an instance's machine code (arch-specific) */
struct jit_template; /* a module's compiled code, before relocation (arch-specific) */

#define JIT_SPARES 32 /* copies of a module's code kept for its next instances */

/*
 * A module's machine code, compiled by its first JIT instance and copied
 * for the others: owned by the module (wasm_module.jit_cache), shared by
 * instances made on any thread. tpl is set once, atomically, and never
 * changes after; compiles counts compilations (for tests). spares holds
 * copies of tpl's code whose instances ended, each taken whole by one
 * atomic exchange (no lock): the next instance rewrites only its table
 * of addresses (a server's per-request instances copy nothing).
 */
struct jit_cache {
    struct jit_template *tpl;
    uint32_t compiles;
    struct jit_code *spares[JIT_SPARES];
};

struct jit_cache *jit_cache_new(void); /* NULL: out of memory (then no caching) */
/* Frees the template and the spare copies (no instance of the module is left). */
void jit_cache_free(struct jit_cache *cache);
/* A spare copy of cache->tpl's code, now the caller's, or NULL. */
struct jit_code *jit_cache_take(struct jit_cache *cache);
/* Keeps code (a copy of cache->tpl's) as a spare: false when all slots are taken. */
bool jit_cache_keep(struct jit_cache *cache, struct jit_code *code);

/*
 * Gives the defined functions of inst, whose imports, memory, tables and
 * globals are already in place, machine code in code memory from mem (the
 * module's, from its jit_cache, or compiled now) and sets their
 * wasm_func.jit. Returns 0, or a negative ERR_* when the instance must be
 * interpreted (why says why, for the debug log).
 */
int jit_compile(struct wasm_instance *inst, const struct wasm_code_memory *mem, char *why,
                size_t why_size);
void jit_release(struct wasm_instance *inst);

/*
 * Runs f (f->jit set) with its frame at fp on ex's stacks. The caller has
 * checked that one more frame fits (ex->ftop < ex->frames_end and fp + the
 * frame size <= ex->stack_end) and stored its ticks in ex->ticks. Returns
 * 0 with the results at fp, or ERR_FAULT with *ex->trap filled and located.
 */
int jit_invoke(struct exec *ex, struct wasm_func *f, slot_t *fp);

/* The frame stack position equivalent to a machine-code run at stack
 * pointer sp (the body of a function): for nested runs and the interrupt
 * hook, which see ex->ftop. */
static inline struct frame *jit_frames_at(const struct exec *ex, uintptr_t sp)
{
    return ex->jit_ftop + (ex->jit_entry_sp - sp) / JIT_FRAME_BYTES;
}

/* The checksum of saved machine code (jit_store.c; tests use it too). */
uint64_t jit_store_checksum(const uint8_t *p, size_t n);

/* ---- the code generator (jit_x86_64.c) ---- */

bool jit_arch_supported(void);
/* cache: the module's, or NULL (compile for inst alone). */
int jit_arch_compile(struct wasm_instance *inst, const struct wasm_code_memory *mem,
                     struct jit_cache *cache, struct jit_code **out, char *why, size_t why_size);
/* Frees code, or with keep gives a copy of its cache's template back as a spare. */
void jit_arch_release(struct jit_code *code, bool keep);
void jit_arch_template_free(struct jit_template *t);
/* Test aid (disasm.h): ignore the CPU's optional instructions. */
void jit_arch_baseline_cpu(bool baseline);
/* Test aid (disasm.h): simd instructions compiled as calls of jit_h_simd. */
uint32_t jit_arch_simd_in_c(const struct jit_code *code);
/* The code's bytes (for debugging listings). */
const uint8_t *jit_arch_code(const struct jit_code *code, size_t *len);
/* Enters machine code: f's entry with r/fp set up; 0 or ERR_FAULT. */
int jit_arch_enter(struct exec *ex, struct wasm_func *f, slot_t *fp);

/* ---- helpers called by generated code (System V calling convention) ----
 *
 * Those returning int return 0 to go on, or 1 after filling and locating
 * *ex->trap: the caller then unwinds. f is the calling wasm function.
 * Operands that do not fit the argument registers come in ex->jit_args.
 */

/* A trap of kind at f (elem: the table index of an element trap). */
void jit_h_trap(struct exec *ex, int kind, uint32_t elem, const struct wasm_func *f);
/* The interrupt tick (ticks ran out) at f, frame fp, stack pointer sp; on
 * return ex->jit_mbase/jit_msize hold f's memory. */
int jit_h_tick(struct exec *ex, const struct wasm_func *f, slot_t *fp, uintptr_t sp);
/* Calls a host or interpreted function with its frame at nfp. */
int jit_h_call(struct exec *ex, struct wasm_func *callee, slot_t *nfp, const struct wasm_func *f,
               uintptr_t sp);
/* call_indirect's structural type check: 1 if equal (spec 4.4.8). */
int jit_h_sig(const struct wasm_functype *have, const struct wasm_functype *want);
/* A simd op (ops.h, its cells at f->code->cells + at) done by interp_simd
 * on f's frame fp. */
int jit_h_simd(struct exec *ex, uint32_t at, slot_t *fp, const struct wasm_func *f);
/* memory.grow (spec 4.4.7): the old size in pages, or UINT32_MAX. */
uint32_t jit_h_memory_grow(struct wasm_memory *m, uint32_t delta);
/* Bulk memory and tables; operands in jit_args in instruction order. */
int jit_h_memory_init(struct exec *ex, struct wasm_instance *inst, uint32_t seg,
                      const struct wasm_func *f);
int jit_h_memory_copy(struct exec *ex, struct wasm_memory *m, const struct wasm_func *f);
int jit_h_memory_fill(struct exec *ex, struct wasm_memory *m, const struct wasm_func *f);
uint32_t jit_h_table_grow(struct exec *ex, struct wasm_table *t);
int jit_h_table_fill(struct exec *ex, struct wasm_table *t, const struct wasm_func *f);
int jit_h_table_copy(struct exec *ex, struct wasm_table *dst, struct wasm_table *src,
                     const struct wasm_func *f);
int jit_h_table_init(struct exec *ex, struct wasm_instance *inst, uint32_t table, uint32_t seg,
                     const struct wasm_func *f);
/* Numeric operators done in C (numeric.h) when the machine lacks them:
 * op is an enum wasm_op of a unary operator, bits its operand. */
uint64_t jit_h_unary(uint32_t op, uint64_t bits);
/* A trapping float-to-int truncation whose fast path failed: operand in
 * jit_args[0]; 0 with the result in jit_args[0], or 1 (trap). */
int jit_h_trunc(struct exec *ex, uint32_t op, const struct wasm_func *f);

#endif
