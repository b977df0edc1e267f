/*
 * lib/wasm/jit.c - the portable half of the machine-code engine: choosing
 * it for an instance (and falling back to the interpreter, with a debug
 * line saying why), the module's code cache, entering it from C, and the helpers in C that
 * generated code calls for what is not worth inlining: traps, the
 * interrupt tick, host and interpreted callees, bulk memory and table
 * instructions, and numeric operators the machine lacks (numeric.h).
 *
 * Every helper behaves exactly like the interpreter's handler for the same
 * instruction (interp.c), including which function a trap names.
 */
#include "wasm/jit.h"

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "wasm/numeric.h"
#include "wasm/ops.h"

int jit_compile(struct wasm_instance *inst, const struct wasm_code_memory *mem, char *why,
                size_t why_size)
{
    if (!jit_arch_supported()) {
        str_copy(why, "no JIT for this machine", why_size);
        return ERR_NOTSUP;
    }
    if (!mem || !mem->alloc || !mem->seal || !mem->release) {
        str_copy(why, "no executable memory (wasm_config.code_mem)", why_size);
        return ERR_NOTSUP;
    }
    return jit_arch_compile(inst, mem, inst->mod->jit_cache, &inst->jit, why, why_size);
}

struct jit_cache *jit_cache_new(void)
{
    return mem_zalloc(sizeof(struct jit_cache));
}

void jit_cache_free(struct jit_cache *cache)
{
    if (!cache) return;
    for (int i = 0; i < JIT_SPARES; i++)
        if (cache->spares[i]) jit_arch_release(cache->spares[i], false);
    jit_arch_template_free(cache->tpl);
    mem_free(cache);
}

struct jit_code *jit_cache_take(struct jit_cache *cache)
{
    for (int i = 0; i < JIT_SPARES; i++) {
        struct jit_code *c = __atomic_exchange_n(&cache->spares[i], NULL, __ATOMIC_ACQ_REL);
        if (c) return c;
    }
    return NULL;
}

bool jit_cache_keep(struct jit_cache *cache, struct jit_code *code)
{
    for (int i = 0; i < JIT_SPARES; i++) {
        struct jit_code *none = NULL;
        if (__atomic_compare_exchange_n(&cache->spares[i], &none, code, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return true;
    }
    return false;
}

uint32_t wasm_module_jit_compiles(const struct wasm_module *m)
{
    return m->jit_cache ? __atomic_load_n(&m->jit_cache->compiles, __ATOMIC_RELAXED) : 0;
}

void jit_release(struct wasm_instance *inst)
{
    if (inst->jit) jit_arch_release(inst->jit, true);
    inst->jit = NULL;
}

int jit_invoke(struct exec *ex, struct wasm_func *f, slot_t *fp)
{
    uintptr_t limit = ex->jit_limit, entry = ex->jit_entry_sp;
    uint64_t depth = ex->jit_depth_bytes;
    struct frame *ftop = ex->jit_ftop;
    /* The entry frame is this function's; each further call needs one. */
    ex->jit_depth_bytes = (uint64_t)(ex->frames_end - ex->ftop - 1) * JIT_FRAME_BYTES;
    /* Nor below the real stack's floor: the entry stub's sp is a few
     * hundred bytes under this frame, well within the floor's margin. */
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    if (ex->jit_floor) {
        uint64_t room = here > ex->jit_floor ? here - ex->jit_floor : 0;
        if (room < ex->jit_depth_bytes) ex->jit_depth_bytes = room;
    }
    ex->jit_ftop = ex->ftop;
    int rc = jit_arch_enter(ex, f, fp);
    ex->jit_limit = limit;
    ex->jit_entry_sp = entry;
    ex->jit_depth_bytes = depth;
    ex->jit_ftop = ftop;
    return rc;
}

/* ---- traps and ticks ---- */

static int trap_at(struct exec *ex, enum wasm_trap_kind kind, const struct wasm_func *f)
{
    wasm_trap_set(ex->trap, kind, NULL);
    wasm_trap_locate(ex->trap, f);
    return 1;
}

void jit_h_trap(struct exec *ex, int kind, uint32_t elem, const struct wasm_func *f)
{
    wasm_trap_set(ex->trap, (enum wasm_trap_kind)kind, NULL);
    if (kind == WASM_TRAP_UNDEFINED_ELEM || kind == WASM_TRAP_UNINIT_ELEM)
        fmt_snprintf(ex->trap->reason, sizeof ex->trap->reason, "%s %u",
                     wasm_trap_kind_str((enum wasm_trap_kind)kind), elem);
    wasm_trap_locate(ex->trap, f);
}

int jit_h_tick(struct exec *ex, const struct wasm_func *f, slot_t *fp, uintptr_t sp)
{
    ex->ticks = ex->interval;
    if (ex->interrupt) {
        struct frame *ftop = ex->ftop;
        slot_t *free = ex->free;
        ex->ftop = jit_frames_at(ex, sp);
        ex->free = fp + f->code->frame_size;
        int r = ex->interrupt(ex->interrupt_user, ex->owner);
        ex->ftop = ftop;
        ex->free = free;
        if (r != WASM_CONTINUE) return trap_at(ex, WASM_TRAP_KILLED, f);
    }
    ex->jit_mbase = f->inst->mem->data;
    ex->jit_msize = f->inst->mem->size;
    return 0;
}

/* ---- calls that leave machine code ---- */

/* A host function, as interp.c's do_host_call. */
static int call_host(struct exec *ex, struct wasm_func *callee, slot_t *nfp,
                     const struct wasm_func *f)
{
    const struct wasm_functype *t = callee->type;
    uint32_t nres = wasm_types_nvalues(t->results, t->nresults);
    slot_t *results = nfp + wasm_types_nvalues(t->params, t->nparams);
    if (results + nres > ex->stack_end) return trap_at(ex, WASM_TRAP_STACK_EXHAUSTED, f);
    struct wasm_instance *inst = f->inst;
    struct wasm_host_call hc = {inst, inst->mem == &inst->no_mem ? NULL : inst->mem,
                                callee->host_user, ex->trap};
    slot_t *saved_free = ex->free;
    ex->free = results + nres;
    ex->trap->kind = WASM_TRAP_NONE;
    wasm_normalize(t->params, t->nparams, nfp);
    int rc = callee->host(&hc, nfp, results);
    ex->free = saved_free;
    if (rc) {
        if (ex->trap->kind == WASM_TRAP_NONE) wasm_trap_set(ex->trap, WASM_TRAP_HOST, NULL);
        wasm_trap_locate(ex->trap, f);
        return 1;
    }
    for (uint32_t i = 0; i < nres; i++)
        nfp[i] = results[i];
    return 0;
}

/* A host or interpreted function, its values at nfp in f's layout. From
 * a wide frame they are packed (wasm.h) in place for the call and spread
 * again after it, as interp.c's restride_call does. */
static int call_out(struct exec *ex, struct wasm_func *callee, slot_t *nfp,
                    const struct wasm_func *f)
{
    const struct wasm_functype *t = callee->type;
    bool wide = f->inst->mod->wide;
    uint32_t n = t->nparams > t->nresults ? t->nparams : t->nresults;
    if (wide && (size_t)(ex->stack_end - nfp) < 2 * (size_t)n)
        return trap_at(ex, WASM_TRAP_STACK_EXHAUSTED, f);
    if (!callee->host &&
        (ex->ftop >= ex->frames_end || nfp + callee->code->frame_size > ex->stack_end))
        return trap_at(ex, WASM_TRAP_STACK_EXHAUSTED, f);
    if (wide) wasm_slots_narrow(t->params, t->nparams, nfp);
    int rc;
    if (callee->host)
        rc = call_host(ex, callee, nfp, f);
    else
        rc = interp_invoke(ex, callee, nfp) ? 1 : 0; /* the run locates its traps */
    if (!rc && wide) wasm_slots_widen(t->results, t->nresults, nfp);
    return rc;
}

int jit_h_call(struct exec *ex, struct wasm_func *callee, slot_t *nfp, const struct wasm_func *f,
               uintptr_t sp)
{
    struct frame *ftop = ex->ftop;
    int rc;
    ex->ftop = jit_frames_at(ex, sp);
    rc = call_out(ex, callee, nfp, f);
    ex->ftop = ftop;
    return rc;
}

int jit_h_sig(const struct wasm_functype *have, const struct wasm_functype *want)
{
    return wasm_functype_equal(have, want);
}

/* ---- SIMD instructions without machine code of their own ---- */

int jit_h_simd(struct exec *ex, uint32_t at, slot_t *fp, const struct wasm_func *f)
{
    const struct wasm_memory *m = f->inst->mem;
    int kind = interp_simd(f->code->cells + at, fp, m->data, m->size);
    return kind ? trap_at(ex, (enum wasm_trap_kind)kind, f) : 0;
}

/* ---- memory and tables (as interp.c's handlers) ---- */

uint32_t jit_h_memory_grow(struct wasm_memory *m, uint32_t delta)
{
    uint32_t old = m->pages;
    return wasm_memory_grow_internal(m, delta) ? UINT32_MAX : old;
}

static uint64_t arg32(const struct exec *ex, int k)
{
    return (uint32_t)ex->jit_args[k];
}

int jit_h_memory_init(struct exec *ex, struct wasm_instance *inst, uint32_t seg,
                      const struct wasm_func *f)
{
    const struct mod_data *d = &inst->mod->datas[seg];
    uint64_t dst = arg32(ex, 0), src = arg32(ex, 1), n = arg32(ex, 2);
    uint64_t len = inst->data_dropped[seg] ? 0 : d->len;
    if (src + n > len || dst + n > inst->mem->size) return trap_at(ex, WASM_TRAP_MEMORY_OOB, f);
    if (n) memcpy(inst->mem->data + dst, d->bytes + src, n);
    return 0;
}

int jit_h_memory_copy(struct exec *ex, struct wasm_memory *m, const struct wasm_func *f)
{
    uint64_t dst = arg32(ex, 0), src = arg32(ex, 1), n = arg32(ex, 2);
    if (src + n > m->size || dst + n > m->size) return trap_at(ex, WASM_TRAP_MEMORY_OOB, f);
    if (n) memmove(m->data + dst, m->data + src, n);
    return 0;
}

int jit_h_memory_fill(struct exec *ex, struct wasm_memory *m, const struct wasm_func *f)
{
    uint64_t dst = arg32(ex, 0), n = arg32(ex, 2);
    if (dst + n > m->size) return trap_at(ex, WASM_TRAP_MEMORY_OOB, f);
    if (n) memset(m->data + dst, (int)(uint8_t)ex->jit_args[1], n);
    return 0;
}

uint32_t jit_h_table_grow(struct exec *ex, struct wasm_table *t)
{
    uint32_t old = t->size;
    wasm_value init;
    init.u64 = ex->jit_args[0];
    return wasm_table_grow_internal(t, (uint32_t)ex->jit_args[1], init) ? UINT32_MAX : old;
}

int jit_h_table_fill(struct exec *ex, struct wasm_table *t, const struct wasm_func *f)
{
    uint64_t i = arg32(ex, 0), n = arg32(ex, 2);
    if (i + n > t->size) return trap_at(ex, WASM_TRAP_TABLE_OOB, f);
    for (uint64_t k = 0; k < n; k++)
        t->elems[i + k].u64 = ex->jit_args[1];
    return 0;
}

int jit_h_table_copy(struct exec *ex, struct wasm_table *td, struct wasm_table *ts,
                     const struct wasm_func *f)
{
    uint64_t d = arg32(ex, 0), s = arg32(ex, 1), n = arg32(ex, 2);
    if (s + n > ts->size || d + n > td->size) return trap_at(ex, WASM_TRAP_TABLE_OOB, f);
    if (n) memmove(td->elems + d, ts->elems + s, n * sizeof(slot_t));
    return 0;
}

int jit_h_table_init(struct exec *ex, struct wasm_instance *inst, uint32_t table, uint32_t seg,
                     const struct wasm_func *f)
{
    struct wasm_table *t = inst->tables[table];
    const struct elem_inst *e = &inst->elems[seg];
    uint64_t d = arg32(ex, 0), s = arg32(ex, 1), n = arg32(ex, 2);
    if (s + n > e->count || d + n > t->size) return trap_at(ex, WASM_TRAP_TABLE_OOB, f);
    if (n) memcpy(t->elems + d, e->refs + s, n * sizeof(slot_t));
    return 0;
}

/* ---- numeric operators in C ---- */

uint64_t jit_h_unary(uint32_t op, uint64_t bits)
{
    float f = f32_from((uint32_t)bits);
    double d = f64_from(bits);
    switch (op) {
    case OP_f32_ceil: return f32_bits(wasm_ceilf(f));
    case OP_f32_floor: return f32_bits(wasm_floorf(f));
    case OP_f32_trunc: return f32_bits(wasm_truncf(f));
    case OP_f32_nearest: return f32_bits(wasm_nearestf(f));
    case OP_f64_ceil: return f64_bits(wasm_ceil(d));
    case OP_f64_floor: return f64_bits(wasm_floor(d));
    case OP_f64_trunc: return f64_bits(wasm_trunc(d));
    case OP_f64_nearest: return f64_bits(wasm_nearest(d));
    case OP_i32_popcnt: return wasm_popcnt32((uint32_t)bits);
    case OP_i64_popcnt: return wasm_popcnt64(bits);
    case OP_i32_trunc_sat_f32_s: return (uint32_t)sat_f32_i32(f);
    case OP_i32_trunc_sat_f32_u: return sat_f32_u32(f);
    case OP_i32_trunc_sat_f64_s: return (uint32_t)sat_f64_i32(d);
    case OP_i32_trunc_sat_f64_u: return sat_f64_u32(d);
    case OP_i64_trunc_sat_f32_s: return (uint64_t)sat_f32_i64(f);
    case OP_i64_trunc_sat_f32_u: return sat_f32_u64(f);
    case OP_i64_trunc_sat_f64_s: return (uint64_t)sat_f64_i64(d);
    case OP_i64_trunc_sat_f64_u: return sat_f64_u64(d);
    default: return 0; /* not reached: the generator only passes the ops above */
    }
}

int jit_h_trunc(struct exec *ex, uint32_t op, const struct wasm_func *f)
{
    uint64_t bits = ex->jit_args[0], r = 0;
    float x = f32_from((uint32_t)bits);
    double y = f64_from(bits);
    int32_t s32 = 0;
    uint32_t u32 = 0;
    int64_t s64 = 0;
    uint64_t u64 = 0;
    int e;
    switch (op) {
    case OP_i32_trunc_f32_s: e = trunc_f32_i32(x, &s32), r = (uint32_t)s32; break;
    case OP_i32_trunc_f32_u: e = trunc_f32_u32(x, &u32), r = u32; break;
    case OP_i32_trunc_f64_s: e = trunc_f64_i32(y, &s32), r = (uint32_t)s32; break;
    case OP_i32_trunc_f64_u: e = trunc_f64_u32(y, &u32), r = u32; break;
    case OP_i64_trunc_f32_s: e = trunc_f32_i64(x, &s64), r = (uint64_t)s64; break;
    case OP_i64_trunc_f32_u: e = trunc_f32_u64(x, &u64), r = u64; break;
    case OP_i64_trunc_f64_s: e = trunc_f64_i64(y, &s64), r = (uint64_t)s64; break;
    case OP_i64_trunc_f64_u: e = trunc_f64_u64(y, &u64), r = u64; break;
    default: e = TRUNC_NAN; break;
    }
    if (e) return trap_at(ex, e == TRUNC_NAN ? WASM_TRAP_INVALID_CONV : WASM_TRAP_INT_OVERFLOW, f);
    ex->jit_args[0] = r;
    return 0;
}
