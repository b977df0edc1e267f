/*
 * lib/wasm/internal.h - the runtime's private structures, shared by the
 * decoder (decode.c), the validator/compiler (validate.c, compile*.c), the
 * interpreter (interp.c) and the instance code (instance.c, objects.c).
 *
 * Data flow: decode.c turns the binary into struct wasm_module (sections,
 * types, segments, raw function bodies); validate.c checks the module-level
 * rules; compile.c validates every function body and translates it into
 * struct wasm_code, a stream of 32-bit cells executed by interp.c.
 */
#ifndef WASM_INTERNAL_H
#define WASM_INTERNAL_H

#include "wasm/wasm.h"

#include "base/budget.h"

#include <stdarg.h>

/* Implementation limits (the spec allows more; see the README of tests). */
#define WASM_MAX_TYPES       1000000u
#define WASM_MAX_FUNCS       1000000u
#define WASM_MAX_IMPORTS     100000u
#define WASM_MAX_EXPORTS     100000u
#define WASM_MAX_GLOBALS     1000000u
#define WASM_MAX_TABLES      100000u
#define WASM_MAX_SEGMENTS    100000u
#define WASM_MAX_PARAMS      1000u
#define WASM_MAX_LOCALS      50000u /* params + locals of one function */
#define WASM_MAX_BLOCK_DEPTH 10000u /* nesting of block/loop/if */

/* One 8-byte slot of the value stack: a local, a constant or an operand. */
typedef wasm_value slot_t;

/* Kinds of element/data segments (spec 2.5.7, 2.5.8). */
enum { SEG_ACTIVE = 0, SEG_PASSIVE = 1, SEG_DECLARATIVE = 2 };

/* A constant expression (spec 3.3.10): one instruction, as 2.0 allows. */
struct cexpr {
    uint8_t op;   /* 0x41 i32.const 0x42 0x43 0x44, 0xd0 ref.null, 0xd2 ref.func, 0x23 global.get */
    uint8_t type; /* the value type it produces */
    uint32_t idx; /* function or global index */
    uint64_t bits;
    uint64_t hi; /* v128.const: the upper 64 bits (bits has the lower) */
};

/* Names are NUL-terminated copies, but may contain NULs: use the lengths. */
struct mod_import {
    char *module, *name;
    uint32_t module_len, name_len;
    uint8_t kind;
    uint32_t idx; /* index in the kind's index space (funcs, tables, ...) */
};

struct mod_table {
    uint8_t elem_type;
    struct wasm_limits limits;
};

struct mod_global {
    uint8_t type;
    bool mut;
    struct cexpr init;
};

struct mod_export {
    char *name;
    uint32_t name_len;
    uint8_t kind;
    uint32_t idx;
};

struct mod_elem {
    uint8_t mode; /* SEG_* */
    uint8_t type; /* WASM_FUNCREF or WASM_EXTERNREF */
    uint32_t table;
    struct cexpr offset;
    uint32_t count;
    struct cexpr *items;
};

struct mod_data {
    uint8_t mode; /* SEG_ACTIVE or SEG_PASSIVE */
    uint32_t mem;
    struct cexpr offset;
    const uint8_t *bytes; /* into the module's copy of the binary */
    uint32_t len;
};

/*
 * A compiled function (compile.c). Frame layout, in slots from fp:
 *   [0, nparams)                      parameters (results on return)
 *   [nparams, nparams + nlocals)      declared locals, zeroed on entry
 *   [.., + nconsts)                   constants, copied from consts on entry
 *   [.., frame_size)                  operand stack (max height)
 * A callee's frame starts at its first argument in the caller's operand
 * area, so arguments are passed without copying.
 */
struct wasm_code {
    const uint8_t *body, *body_end; /* raw body (local declarations first) */
    uint32_t *cells;                /* the translated code */
    uint32_t ncells;
    uint32_t nparams, nlocals, nconsts, nresults;
    uint32_t frame_size;
    uint64_t *consts;
};

struct wasm_module {
    uint8_t *bytes; /* our copy of the binary */
    size_t len;

    uint32_t ntypes;
    struct wasm_functype *types;

    uint32_t nimports;
    struct mod_import *imports;

    /* Index spaces: imports first, then definitions (spec 2.5.1). */
    uint32_t nfuncs, nfunc_imports;
    uint32_t *func_types; /* type index of each function */
    uint32_t ntables, ntable_imports;
    struct mod_table *tables;
    uint32_t nmems, nmem_imports;
    struct wasm_limits *mems;
    uint32_t nglobals, nglobal_imports;
    struct mod_global *globals;

    uint32_t nexports;
    struct mod_export *exports;

    bool has_start;
    uint32_t start;

    uint32_t nelems;
    struct mod_elem *elems;

    bool has_datacount;
    uint32_t datacount;
    uint32_t ndatas;
    struct mod_data *datas;

    uint32_t ncodes; /* == nfuncs - nfunc_imports once decoded */
    struct wasm_code *codes;

    bool wide; /* uses v128: frames of 16-byte slots (compile.c, widen_code) */

    char **func_names;  /* [nfuncs] from the name section or exports; entries may be NULL */
    uint8_t *func_refs; /* bitmap: functions declared for ref.func (spec 3.4.10, C.refs) */
    /* Machine code shared by the module's JIT instances (jit.h); its
     * contents change (atomically) though the module is shared read-only. */
    struct jit_cache *jit_cache;
};

static inline const struct wasm_functype *mod_func_type(const struct wasm_module *m, uint32_t f)
{
    return &m->types[m->func_types[f]];
}

/* ---- runtime objects (objects.c) ---- */

struct wasm_memory {
    uint8_t *data;
    uint64_t size; /* bytes = pages * 64 KiB */
    uint32_t pages;
    uint32_t max_pages;        /* declared maximum, else 65536 */
    uint32_t cap_pages;        /* the embedder's limit (config) */
    struct mem_budget *budget; /* charged with size, may be NULL (config) */
    bool has_max;              /* a maximum was declared (import matching) */
};

struct wasm_table {
    wasm_value *elems;
    uint32_t size;
    uint32_t max; /* declared maximum, else UINT32_MAX */
    uint32_t cap; /* the embedder's limit (config) */
    bool has_max;
    uint8_t type;
};

struct wasm_global {
    wasm_value v;
    uint64_t hi; /* a v128's upper 64 bits: v and hi are its 16 bytes, in order */
    uint8_t type;
    bool mut;
};

struct wasm_func {
    const struct wasm_functype *type;
    struct wasm_instance *inst;   /* the instance that owns this object */
    const struct wasm_code *code; /* NULL for a host function */
    uint32_t index;               /* function index in inst's module */
    wasm_host_fn host;
    void *host_user;
    void *jit;          /* machine code entry (jit.h), or NULL: interpreted or host */
    uint32_t jit_frame; /* code->frame_size in bytes, for the JIT's stack checks */
    uint32_t jit_wide;  /* jit set: its module's frames are wide (calls of other widths go via C) */
};

/* A call frame saved by a call, restored by the callee's return. */
struct frame {
    const uint32_t *ip; /* where to continue; NULL ends the run */
    slot_t *fp;
    struct wasm_func *func;
};

/* The stacks of an instance: used by every run that starts there. */
struct exec {
    slot_t *stack, *stack_end;
    slot_t *free; /* first slot not used by the runs in progress */
    struct frame *frames, *frames_end, *ftop;
    struct wasm_trap *trap; /* where the current run reports a trap */
    struct wasm_instance *owner;
    int32_t ticks;    /* until the next interrupt call */
    int32_t interval; /* ticks between interrupt calls */
    int (*interrupt)(void *user, struct wasm_instance *inst);
    void *interrupt_user;
    /* Machine code runs (jit.h): read by generated code, saved and
     * restored around nested runs by jit_invoke. */
    uintptr_t jit_limit;      /* a call traps "call stack exhausted" below this sp */
    uintptr_t jit_entry_sp;   /* sp of the innermost run's entry: traps unwind to it */
    uint64_t jit_depth_bytes; /* frame bytes the run may use beyond its entry frame */
    struct frame *jit_ftop;   /* ftop when the innermost machine-code run began */
    uint8_t *jit_mbase;       /* memory reloaded by stubs after a helper call */
    uint64_t jit_msize;
    uint64_t jit_args[6]; /* operands handed to helpers (jit.c) */
    uintptr_t jit_floor;  /* runs keep sp above it (wasm_config.native_stack_floor) */
};

/* A passive element segment after evaluation (instance.c). */
struct elem_inst {
    wasm_value *refs;
    uint32_t count; /* 0 once dropped */
};

struct wasm_instance {
    const struct wasm_module *mod;
    struct wasm_config cfg;
    void *user;

    struct wasm_func **funcs; /* [mod->nfuncs] */
    struct wasm_func *own_funcs;
    struct wasm_table **tables;
    struct wasm_table *own_tables;
    struct wasm_memory *mem; /* memory 0, or &no_mem */
    struct wasm_memory *own_mem;
    struct wasm_memory no_mem;
    struct wasm_global **globals;
    struct wasm_global *own_globals;
    struct elem_inst *elems;
    uint8_t *data_dropped;
    struct exec *exec;
    enum wasm_engine engine; /* what runs this instance's functions */
    struct jit_code *jit;    /* its machine code (jit.h), or NULL */
};

/* ---- shared helpers ---- */

/* Inside the runtime an i32 or f32 fills only the low half of its slot;
 * at the API boundary the upper half is made zero. */
static inline void wasm_normalize(const uint8_t *types, uint32_t n, wasm_value *v)
{
    for (uint32_t i = 0, k = 0; i < n; i++, k++)
        if (types[i] == WASM_I32 || types[i] == WASM_F32)
            v[k].u64 = v[k].u32;
        else if (types[i] == WASM_V128)
            k++; /* two values (wasm.h) */
}

/* Wide frames (internal.h struct wasm_module.wide): value i of a list of
 * types is at slots 2i, 2i+1; the API and host functions pack the values
 * (wasm.h: a v128 takes two wasm_values). Both convert in place: narrowing
 * only moves values down, widening (from the last value) only up. */
void wasm_slots_narrow(const uint8_t *types, uint32_t n, wasm_value *v);
void wasm_slots_widen(const uint8_t *types, uint32_t n, wasm_value *v);

/* Formats a message into err (if not NULL) and returns code. */
int wasm_fail(struct wasm_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

bool wasm_functype_equal(const struct wasm_functype *a, const struct wasm_functype *b);
bool wasm_is_reftype(uint8_t t);
bool wasm_is_valtype(uint8_t t);
const char *wasm_valtype_name(uint8_t t);

/* decode.c */
int wasm_decode(struct wasm_module *m, struct wasm_error *err);
void wasm_module_release(struct wasm_module *m);

/* validate.c: module-level rules (spec 3.4), after decoding. */
int wasm_validate_module(struct wasm_module *m, struct wasm_error *err);

/* compile.c: validates function body i (a defined function) and translates it. */
int wasm_compile_function(struct wasm_module *m, uint32_t i, struct wasm_error *err);

/* interp_simd.c: runs the simd instruction at ip (ops.h); 0 or a trap kind. */
int interp_simd(const uint32_t *ip, slot_t *fp, uint8_t *mbase, uint64_t msize);

/* interp.c */
const int32_t *interp_handlers(void);
int interp_invoke(struct exec *ex, struct wasm_func *f, slot_t *fp);

/* instance.c / objects.c */
struct exec *exec_get(struct wasm_instance *inst);
void wasm_trap_set(struct wasm_trap *t, enum wasm_trap_kind kind, const char *reason);
void wasm_trap_locate(struct wasm_trap *t, const struct wasm_func *f);
int wasm_memory_grow_internal(struct wasm_memory *m, uint32_t delta);
int wasm_table_grow_internal(struct wasm_table *t, uint32_t delta, wasm_value init);
int wasm_memory_init_object(struct wasm_memory *m, const struct wasm_limits *l, uint32_t cap,
                            struct mem_budget *budget);
/* Frees what wasm_memory_init_object allocated and releases its charge. */
void wasm_memory_fini_object(struct wasm_memory *m);
int wasm_table_init_object(struct wasm_table *t, uint8_t type, const struct wasm_limits *l,
                           uint32_t cap);

#endif
