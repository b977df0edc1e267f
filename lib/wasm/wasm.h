/*
 * lib/wasm/wasm.h - KPIO's WebAssembly runtime: the embedding API.
 *
 * WebAssembly 2.0 core: the MVP plus mutable-global import/export, sign
 * extension, non-trapping float-to-int, multi-value, bulk memory,
 * reference types and fixed-width SIMD (v128; the JIT interprets modules
 * that use it). The same code runs in the kernel (each
 * app a kernel thread) and in host programs (kpio-wasm, tests).
 *
 * Life cycle:
 *
 *   wasm_module_load(bytes)      decode + validate + compile every function
 *   wasm_instance_new(module,    resolve imports through a callback, allocate
 *       config, resolver)        memories/tables/globals, run element and data
 *                                segments and the start function
 *   wasm_instance_func(inst,     look up an export, then
 *       "_start") + wasm_call()  run it; a trap comes back as a value
 *   wasm_instance_free / wasm_module_free
 *
 * The interpreter never recurses on the C stack for wasm-to-wasm calls:
 * frames live on a value stack and a frame stack allocated per instance
 * (sizes in struct wasm_config); exhausting either is the trap "call stack
 * exhausted". The JIT keeps the same value stack and limits, and uses 16
 * bytes of the calling thread's stack per wasm frame (a return address):
 * max_call_depth frames need 16 * max_call_depth bytes (160 KiB by
 * default) besides what host functions use; a program that knows its
 * thread's stack sets wasm_config.native_stack_floor and a deeper call
 * traps there instead of overrunning the stack. Host functions are plain
 * synchronous C calls and may block.
 *
 * Memory: linear memories, tables and the stacks come from mem_alloc /
 * mem_realloc / mem_free of base/env.h (linear memory grows by realloc, so
 * guest pointers obtained from wasm_memory_data/wasm_memory_ptr are valid
 * only until the next memory.grow or any call back into wasm).
 *
 * Threads: an instance (and everything linked to it) is used by one thread
 * at a time. Nothing here is global; several instances may run in parallel
 * on different threads if they share no memory, table or global.
 *
 * Errors are negative ERR_* values of base/error.h; a trap is not an error
 * of the API but an outcome of a call (see struct wasm_trap).
 */
#ifndef WASM_WASM_H
#define WASM_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mem_budget; /* base/budget.h */

/* Value types, numbered as in the binary format (spec 5.3.1-5.3.3). */
enum wasm_valtype {
    WASM_I32 = 0x7f,
    WASM_I64 = 0x7e,
    WASM_F32 = 0x7d,
    WASM_F64 = 0x7c,
    WASM_FUNCREF = 0x70,
    WASM_EXTERNREF = 0x6f,
    WASM_V128 = 0x7b, /* 128-bit vector: two wasm_values (low, high 64 bits) */
};

struct wasm_module;   /* decoded, validated, compiled; immutable; shareable */
struct wasm_instance; /* a module's instance: its functions, memory, tables, globals */
struct wasm_func;     /* a function instance: wasm code of some instance, or a host function */
struct wasm_memory;   /* a linear memory (spec 4.2.8) */
struct wasm_table;    /* a table of references (spec 4.2.7) */
struct wasm_global;   /* a global variable (spec 4.2.9) */

/*
 * One value. i32/i64 are stored as the unsigned bit patterns (read .i32 or
 * .u32 as convenient), floats keep their exact bits, including NaN payloads
 * (use .u32/.u64 to see them). Values handed out (results, host function
 * arguments, globals) have the upper half of an i32/f32 zeroed. A null
 * reference is NULL. An externref is an opaque pointer chosen by the
 * embedder; a funcref is a struct wasm_func *.
 */
typedef union wasm_value {
    int32_t i32;
    uint32_t u32;
    int64_t i64;
    uint64_t u64;
    float f32;
    double f64;
    struct wasm_func *funcref;
    void *externref;
} wasm_value;

/* A function type. params and results point to enum wasm_valtype bytes. */
struct wasm_functype {
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
};

/* Limits of a memory (in 64 KiB pages) or a table (in elements). */
struct wasm_limits {
    uint32_t min;
    uint32_t max; /* meaningful when has_max */
    bool has_max;
};

/* Kinds of imports and exports, numbered as in the binary format. */
enum wasm_extern_kind {
    WASM_EXTERN_FUNC = 0,
    WASM_EXTERN_TABLE = 1,
    WASM_EXTERN_MEMORY = 2,
    WASM_EXTERN_GLOBAL = 3,
};

#define WASM_PAGE_SIZE 65536u
#define WASM_MAX_PAGES 65536u /* 4 GiB, spec 3.2.4 */

/* ------------------------------------------------------------------ */
/* Traps                                                               */
/* ------------------------------------------------------------------ */

enum wasm_trap_kind {
    WASM_TRAP_NONE = 0,
    WASM_TRAP_UNREACHABLE,     /* "unreachable" */
    WASM_TRAP_MEMORY_OOB,      /* "out of bounds memory access" */
    WASM_TRAP_TABLE_OOB,       /* "out of bounds table access" */
    WASM_TRAP_DIV_ZERO,        /* "integer divide by zero" */
    WASM_TRAP_INT_OVERFLOW,    /* "integer overflow" */
    WASM_TRAP_INVALID_CONV,    /* "invalid conversion to integer" */
    WASM_TRAP_UNDEFINED_ELEM,  /* "undefined element" (call_indirect index >= size) */
    WASM_TRAP_UNINIT_ELEM,     /* "uninitialized element" (call_indirect of null) */
    WASM_TRAP_INDIRECT_TYPE,   /* "indirect call type mismatch" */
    WASM_TRAP_STACK_EXHAUSTED, /* "call stack exhausted" (depth or value stack) */
    WASM_TRAP_KILLED,          /* "killed": the interrupt callback said stop */
    WASM_TRAP_HOST,            /* a host function failed; reason is its message */
    WASM_TRAP_EXIT,            /* a host function asked to end the run (proc_exit) */
    WASM_TRAP_NOMEM,           /* "out of memory" allocating for a host-side operation */
};

/*
 * The outcome of a call that did not return normally. reason is the spec's
 * wording for that trap kind ("integer divide by zero") or the host's
 * message; func_index/func_name name the wasm function that was executing
 * (func_name from the "name" custom section, else an export name, else
 * NULL; valid while the module lives). For WASM_TRAP_EXIT, exit_code is the
 * requested status and the run unwound cleanly.
 */
struct wasm_trap {
    enum wasm_trap_kind kind;
    int exit_code;
    uint32_t func_index; /* UINT32_MAX when no wasm function was running */
    const char *func_name;
    char reason[128];
};

/* The spec's wording for a trap kind ("out of bounds memory access"). */
const char *wasm_trap_kind_str(enum wasm_trap_kind kind);

/* ------------------------------------------------------------------ */
/* Host functions                                                      */
/* ------------------------------------------------------------------ */

/*
 * What a host function gets besides its arguments: the instance executing
 * the call (the importer), that instance's memory 0 (NULL if it has none),
 * and the user pointer registered with the import.
 */
struct wasm_host_call {
    struct wasm_instance *instance;
    struct wasm_memory *memory;
    void *user;
    struct wasm_trap *trap; /* private: filled by wasm_host_trap/wasm_host_exit */
};

/*
 * A host function. args has the import type's parameters, results room for
 * its results (args and results do not overlap). Return 0 on success, or
 * the value of wasm_host_trap()/wasm_host_exit(). It may block; it may call
 * back into wasm (wasm_call) on the same thread.
 */
typedef int (*wasm_host_fn)(struct wasm_host_call *call, const wasm_value *args,
                            wasm_value *results);

/* Ends the run with WASM_TRAP_HOST and a printf-style reason; returns the
 * value the host function must return. */
int wasm_host_trap(struct wasm_host_call *call, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Ends the run with WASM_TRAP_EXIT and the status code (WASI proc_exit);
 * returns the value the host function must return. */
int wasm_host_exit(struct wasm_host_call *call, int code);

/* ------------------------------------------------------------------ */
/* Configuration                                                       */
/* ------------------------------------------------------------------ */

enum { WASM_CONTINUE = 0, WASM_STOP = 1 };

/*
 * Engines. The interpreter runs everywhere. The JIT compiles a module's
 * functions to machine code when its first instance is made, and gives each
 * later instance a copy, reusing the copies of ended instances (x86-64
 * only; see wasm_jit_supported); it needs
 * executable memory from the embedder
 * (struct wasm_code_memory: lib/wasm never maps memory itself). Both have
 * the same semantics: results, traps with their reasons and locations,
 * limits and the interrupt hook. When the JIT cannot compile an instance
 * (no code memory, unsupported machine, out of memory) the instance is
 * interpreted and a debug line says why.
 */
enum wasm_engine {
    WASM_ENGINE_INTERP = 0,
    WASM_ENGINE_JIT = 1,
};

/*
 * Executable memory for the JIT, W^X: alloc returns size bytes of writable,
 * non-executable memory (page-aligned, NULL on failure); seal turns
 * [p, p + size) into read+execute, no longer writable (0, or a negative
 * ERR_*): p is alloc's, size a multiple of 4096 up to alloc's size (the
 * rest stays writable and is never executed); release frees what alloc
 * gave (its p and size). ctx is passed to each. A module keeps up to
 * JIT_SPARES copies of its code from ended instances until it is freed.
 */
struct wasm_code_memory {
    void *(*alloc)(void *ctx, size_t size);
    int (*seal)(void *ctx, void *p, size_t size);
    void (*release)(void *ctx, void *p, size_t size);
    void *ctx;
};

/*
 * Limits and the preemption hook of an instance. wasm_config_default()
 * fills every field; change what you need. Passing NULL where a config is
 * expected means the defaults.
 *
 * interrupt, when not NULL, is called after every interrupt_interval
 * "ticks" (one tick per wasm function entry and per backward branch, so a
 * loop without calls still ticks). It may sleep or reschedule and return
 * WASM_CONTINUE, or return WASM_STOP to end the run with WASM_TRAP_KILLED.
 */
struct wasm_config {
    uint32_t
        max_memory_pages; /* cap on memories this instance defines/grows (default 16384 = 1 GiB) */
    uint32_t max_table_elems;   /* cap on tables this instance defines/grows (default 1 << 20) */
    uint32_t max_call_depth;    /* wasm frames (default 10000) */
    uint32_t value_stack_slots; /* 8-byte slots for locals and operands (default 1 << 18 = 2 MiB) */
    uint32_t interrupt_interval; /* ticks between interrupt calls (default 1 << 16) */
    int (*interrupt)(void *user, struct wasm_instance *inst);
    void *interrupt_user;
    enum wasm_engine engine;                 /* default: see wasm_engine_default */
    const struct wasm_code_memory *code_mem; /* for WASM_ENGINE_JIT; must outlive the instance */
    /* The lowest native stack address the JIT may take for wasm frames:
     * the end of the stack of the thread that runs the instance plus a
     * margin for host functions (and what they call) below the last wasm
     * frame. 0: unknown, only max_call_depth limits. A call below it traps
     * "call stack exhausted", as one beyond max_call_depth does. The
     * interpreter keeps its frames off the native stack and ignores it. */
    uintptr_t native_stack_floor;
    /* Charged with the bytes of the memories this instance defines, as they
     * are made and grow (memory.grow returns -1 past it), and released when
     * the instance is freed. NULL: only max_memory_pages limits. The
     * embedder may share it with lib/wasi (wasi_config.budget) and must keep
     * it alive until the instance is freed. */
    struct mem_budget *budget;
};

void wasm_config_default(struct wasm_config *cfg);

/*
 * The engine and code memory that wasm_config_default() puts in a config
 * (and that a NULL config means). Initially WASM_ENGINE_INTERP and NULL. A
 * process-wide setting for programs that choose the engine once at start
 * (kpio-wasm --engine); call it before any instance is made.
 */
void wasm_engine_default(enum wasm_engine engine, const struct wasm_code_memory *mem);

/* true when this build has a JIT for the machine it runs on. */
bool wasm_jit_supported(void);

/* The engine actually running an instance (after any fallback). */
enum wasm_engine wasm_instance_engine(const struct wasm_instance *inst);

/* "interp" or "jit". */
const char *wasm_engine_name(enum wasm_engine engine);

/* ------------------------------------------------------------------ */
/* Modules                                                             */
/* ------------------------------------------------------------------ */

/* A human-readable error message for load and instantiation failures. */
struct wasm_error {
    char msg[192];
};

/*
 * Decodes, validates and compiles a binary module. The module keeps its own
 * copy of what it needs; bytes may be freed after the call. Returns 0 and
 * *out, or ERR_BADMSG (malformed binary, spec 5), ERR_INVAL (invalid, spec
 * 3) or ERR_NOMEM, with err->msg saying what and where (err may be NULL).
 */
int wasm_module_load(const uint8_t *bytes, size_t len, struct wasm_module **out,
                     struct wasm_error *err);

/* Frees a module; every instance of it must have been freed first. */
void wasm_module_free(struct wasm_module *mod);

/* An import of a module, as the resolver sees it. Strings are NUL-terminated
 * UTF-8 owned by the module (a name may itself contain NUL: the lengths are
 * exact). Exactly the member for kind is meaningful. */
struct wasm_import {
    const char *module, *name;
    size_t module_len, name_len;
    enum wasm_extern_kind kind;
    const struct wasm_functype *func; /* WASM_EXTERN_FUNC */
    struct {
        uint8_t elem_type; /* WASM_FUNCREF or WASM_EXTERNREF */
        struct wasm_limits limits;
    } table;
    struct wasm_limits memory;
    struct {
        uint8_t type; /* enum wasm_valtype */
        bool mut;
    } global;
};

uint32_t wasm_module_import_count(const struct wasm_module *mod);
/* Does the module use v128 (SIMD)? Both engines run SIMD; the spec
 * runner's -S lets such a module fall back to the interpreter where the
 * JIT does not compile it. */
bool wasm_module_uses_v128(const struct wasm_module *mod);
/* How many times the JIT compiled the module: once for all its instances
 * (later ones get a copy), more only for an instance whose
 * imports or memory need other code (for tests). */
uint32_t wasm_module_jit_compiles(const struct wasm_module *mod);
/*
 * The module's machine code kept across runs (jit_store.c): an embedder
 * saves it after the module's first JIT instance and gives it back to the
 * same module in a later run before its first instance, which then starts
 * without compiling (wasm_module_jit_compiles stays 0).
 *   save: 0 with *out (mem_alloc'd, the caller mem_frees it) and *len;
 *         ERR_NOENT if the module has no code yet, ERR_NOTSUP without a JIT.
 *   load: 0, or a negative ERR_* with the module unchanged: ERR_INVAL for
 *         bytes that are damaged, truncated, or from another module, engine
 *         build or CPU; ERR_BUSY if the module already has code.
 * The key for naming a cache file is the module's SHA-256.
 */
int wasm_module_jit_save(const struct wasm_module *mod, uint8_t **out, size_t *len);
int wasm_module_jit_load(struct wasm_module *mod, const uint8_t *bytes, size_t len);
void wasm_module_sha256(const struct wasm_module *mod, uint8_t digest[32]);
/* Fills *out with import i (< wasm_module_import_count). */
void wasm_module_import(const struct wasm_module *mod, uint32_t i, struct wasm_import *out);

uint32_t wasm_module_export_count(const struct wasm_module *mod);
/* Name and kind of export i (< wasm_module_export_count). */
const char *wasm_module_export(const struct wasm_module *mod, uint32_t i,
                               enum wasm_extern_kind *kind);

/* ------------------------------------------------------------------ */
/* Imports, exports and instances                                      */
/* ------------------------------------------------------------------ */

/*
 * An import's definition as a resolver returns it, or an export as
 * wasm_instance_export() returns it. For a function import the resolver
 * gives either func (an existing function, e.g. another instance's export)
 * or a host function: host_fn with host_sig, a signature string
 * "(params)results" over i=i32 I=i64 f=f32 F=f64 r=externref R=funcref V=v128,
 * e.g. "(iiii)i" for (i32 i32 i32 i32) -> i32; wasm_extern_host() fills these.
 */
struct wasm_extern {
    enum wasm_extern_kind kind;
    struct wasm_func *func;
    struct wasm_table *table;
    struct wasm_memory *memory;
    struct wasm_global *global;
    wasm_host_fn host_fn;
    const char *host_sig;
    void *host_user;
};

/* Fills *out with a host function definition (kind FUNC, func NULL). */
void wasm_extern_host(struct wasm_extern *out, const char *sig, wasm_host_fn fn, void *user);

/*
 * The import resolver: called once per import, in order. Fill *out and
 * return 0, or return ERR_NOENT if the import is unknown (instantiation
 * then fails naming it). The instance checks the definition's type against
 * the import's (spec 4.5.4 "import matching"); a mismatch fails with
 * "incompatible import type". Objects returned must outlive the instance.
 */
typedef int (*wasm_resolve_fn)(void *ctx, const struct wasm_import *imp, struct wasm_extern *out);

/*
 * Instantiates a module (spec 4.5.4): resolves imports, allocates its
 * memory, tables and globals, applies active element and data segments in
 * order, then runs the start function. cfg may be NULL (defaults);
 * resolve may be NULL when the module has no imports.
 *
 * Returns 0 and *out; ERR_NOENT (unknown import) or ERR_INVAL (incompatible
 * import type, a limit of cfg exceeded) with err->msg naming the import;
 * ERR_NOMEM; or ERR_FAULT when a segment or the start function trapped
 * (*trap says how). err and trap may be NULL.
 *
 * On ERR_FAULT *out is still set: as the spec requires, segments applied
 * before the trap stay applied, so imported tables may now hold this
 * instance's functions. The caller frees the instance (wasm_instance_free)
 * once nothing can call those functions any more; nothing else may be done
 * with it. On every other failure *out is NULL and nothing is left over.
 */
int wasm_instance_new(const struct wasm_module *mod, const struct wasm_config *cfg,
                      wasm_resolve_fn resolve, void *resolve_ctx, struct wasm_instance **out,
                      struct wasm_error *err, struct wasm_trap *trap);

/* Frees an instance and what it owns (its own memory, tables, globals). */
void wasm_instance_free(struct wasm_instance *inst);

const struct wasm_module *wasm_instance_module(const struct wasm_instance *inst);

/* An embedder's pointer attached to the instance (e.g. the WASI context). */
void wasm_instance_set_user(struct wasm_instance *inst, void *user);
void *wasm_instance_user(const struct wasm_instance *inst);

/* Looks up an export by name: 0 and *out, or ERR_NOENT. */
int wasm_instance_export(struct wasm_instance *inst, const char *name, struct wasm_extern *out);
/* The same for a name of len bytes (names may contain NUL). */
int wasm_instance_export_n(struct wasm_instance *inst, const char *name, size_t len,
                           struct wasm_extern *out);

/* Shorthands: the exported function / memory of that name, or NULL. */
struct wasm_func *wasm_instance_func(struct wasm_instance *inst, const char *name);
struct wasm_memory *wasm_instance_memory(struct wasm_instance *inst, const char *name);

/* The instance's memory 0 (defined or imported), or NULL. */
struct wasm_memory *wasm_instance_default_memory(struct wasm_instance *inst);

/* ------------------------------------------------------------------ */
/* Functions                                                           */
/* ------------------------------------------------------------------ */

const struct wasm_functype *wasm_func_type(const struct wasm_func *f);

/* The function's name (name section, else an export name), or NULL. */
const char *wasm_func_name(const struct wasm_func *f);

/* How many wasm_values hold values of these types: one each, two for a
 * v128 (its low then high 64 bits), in args, results and host calls. */
static inline uint32_t wasm_types_nvalues(const uint8_t *types, uint32_t n)
{
    uint32_t k = n;
    for (uint32_t i = 0; i < n; i++)
        k += types[i] == WASM_V128;
    return k;
}

/*
 * Calls a function (spec 4.5.5 "invocation"). nargs/nresults must equal
 * the number of values of the type's params and results
 * (wasm_types_nvalues, else ERR_INVAL); argument types are the caller's
 * responsibility. Returns 0 with the results, or ERR_FAULT when the call
 * trapped (*trap filled; trap may be NULL). The run uses the stacks and
 * limits of the function's instance; a host function may call this
 * re-entrantly for a function of the instance calling it.
 */
int wasm_call(struct wasm_func *f, const wasm_value *args, uint32_t nargs, wasm_value *results,
              uint32_t nresults, struct wasm_trap *trap);

/* Formats a function type as "(i32 i32) -> (i64)" into buf; returns buf. */
const char *wasm_functype_str(const struct wasm_functype *t, char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* Memories                                                            */
/* ------------------------------------------------------------------ */

/*
 * A memory owned by the embedder (e.g. to import into several instances),
 * with min pages, zeroed. max_pages UINT32_MAX means no declared maximum.
 * Returns NULL if min > max or the allocation failed.
 */
struct wasm_memory *wasm_memory_new(uint32_t min_pages, uint32_t max_pages);
/* Frees a memory made by wasm_memory_new (after every importer is freed). */
void wasm_memory_free(struct wasm_memory *mem);

/* Base address and size in bytes; valid until the memory grows. */
uint8_t *wasm_memory_data(const struct wasm_memory *mem);
uint64_t wasm_memory_size(const struct wasm_memory *mem);
uint32_t wasm_memory_pages(const struct wasm_memory *mem);

/*
 * Grows by delta pages (spec 4.4.7 memory.grow): 0 and *old_pages, or
 * ERR_NOMEM (allocation failed or a limit would be passed). New bytes are 0.
 */
int wasm_memory_grow(struct wasm_memory *mem, uint32_t delta, uint32_t *old_pages);

/*
 * A pointer to guest bytes [offset, offset + len), or NULL if any of them
 * lies outside the memory. Valid until the memory grows.
 */
void *wasm_memory_ptr(struct wasm_memory *mem, uint64_t offset, uint64_t len);

/* Bounds-checked copies out of and into guest memory: 0 or ERR_FAULT. */
int wasm_memory_read(const struct wasm_memory *mem, uint64_t offset, void *dst, size_t len);
int wasm_memory_write(struct wasm_memory *mem, uint64_t offset, const void *src, size_t len);

/* ------------------------------------------------------------------ */
/* Tables and globals                                                  */
/* ------------------------------------------------------------------ */

/* A table owned by the embedder, min elements all null. NULL on failure. */
struct wasm_table *wasm_table_new(uint8_t elem_type, uint32_t min, uint32_t max);
void wasm_table_free(struct wasm_table *t);
uint32_t wasm_table_size(const struct wasm_table *t);
/* Element i: 0 and *out, or ERR_FAULT when out of bounds. */
int wasm_table_get(const struct wasm_table *t, uint32_t i, wasm_value *out);
int wasm_table_set(struct wasm_table *t, uint32_t i, wasm_value v);

/* A global owned by the embedder. NULL on allocation failure. */
struct wasm_global *wasm_global_new(uint8_t type, bool mut, wasm_value v);
void wasm_global_free(struct wasm_global *g);
wasm_value wasm_global_get(const struct wasm_global *g);
/* Both halves of a v128 global (low 64 bits first); out[1] is 0 for others. */
void wasm_global_get_v128(const struct wasm_global *g, wasm_value out[2]);
/* Sets a mutable global: 0, or ERR_PERM if it is immutable. */
int wasm_global_set(struct wasm_global *g, wasm_value v);
uint8_t wasm_global_type(const struct wasm_global *g, bool *mut);

#endif
