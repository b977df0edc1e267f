/*
 * lib/wasm/interp.c - the interpreter: executes the code of ops.h with
 * direct threading (each handler ends in its own indirect jump through the
 * next instruction's handler offset, "labels as values" of gcc/clang).
 *
 * Wasm-to-wasm calls never recurse on the C stack: a call pushes a struct
 * frame (return ip, caller fp, caller function) on the exec's frame stack
 * and starts the callee's frame at its first argument in the caller's
 * operand area; running out of either stack is the trap "call stack
 * exhausted". Host functions are called directly (they may block).
 *
 * Hot state lives in locals: ip, fp, the current instance and the base
 * and size of its memory 0, reloaded after anything that may move or grow
 * memory (a return, a call that switches instance, a host call, grow).
 * Every memory access checks offset + address + size against the size.
 */
#include "wasm/internal.h"

#include "base/error.h"
#include "wasm/jit.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "wasm/numeric.h"
#include "wasm/ops.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "lib/wasm keeps values in slots as little-endian words"
#endif

/* Bounds check of [addr + off, addr + off + n) against the memory size. */
#define MEM_OK(ea, n) ((ea) + (n) <= msize)

/*
 * Calls callee, whose arguments are at nfp in the caller's layout (wide or
 * not), as a nested run at area (above the caller's frame), converting
 * the values both ways; the results replace the arguments at nfp. Returns
 * 0, ERR_FAULT (a trap, in ex->trap) or ERR_NOMEM (no room for the
 * values). Kept out of run() so that its registers are not disturbed.
 */
static __attribute__((noinline)) int restride_call(struct exec *ex, struct wasm_func *callee,
                                                   slot_t *nfp, slot_t *area, bool caller_wide)
{
    const struct wasm_functype *t = callee->type;
    uint32_t n = t->nparams > t->nresults ? t->nparams : t->nresults;
    if (area + 2 * (size_t)n > ex->stack_end) return ERR_NOMEM;
    for (uint32_t i = 0; i < (caller_wide ? 2 * t->nparams : t->nparams); i++)
        area[i] = nfp[i];
    if (caller_wide) wasm_slots_narrow(t->params, t->nparams, area);
    int rc = interp_invoke(ex, callee, area);
    if (rc) return rc;
    for (uint32_t i = 0; i < wasm_types_nvalues(t->results, t->nresults); i++)
        nfp[i] = area[i];
    if (caller_wide) wasm_slots_widen(t->results, t->nresults, nfp);
    return 0;
}

static int run(struct exec *ex, struct wasm_func *entry, slot_t *entry_fp,
               const int32_t **handlers_out)
{
#define HANDLER(name, n) (int32_t)((char *)&&L_##name - (char *)&&L_base),
    static const int32_t handlers[OP_COUNT] = {WASM_OPS(HANDLER)};
#undef HANDLER
    if (handlers_out) {
        *handlers_out = handlers;
        return 0;
    }
    if (!ex || !entry) return ERR_INVAL;

    /* Only what handlers use often lives in locals (registers); the stack
     * limits are read from ex on calls. */
    struct frame *const fbase = ex->ftop; /* this run's frames start here */
    struct frame *ftop = fbase;
    int32_t ticks = ex->ticks;
    const uint32_t *ip = NULL; /* the entry's return address: ends the run */
    slot_t *fp = entry_fp, *nfp = entry_fp;
    struct wasm_func *cur = NULL, *callee = entry;
    struct wasm_instance *inst = entry->inst;
    uint8_t *mbase = inst->mem->data;
    uint64_t msize = inst->mem->size;
    uint64_t acc = 0; /* the last integer ALU result (see WASM_ACC_OPS) */
    enum wasm_trap_kind trap = WASM_TRAP_NONE;
    uint32_t trap_elem = 0; /* the table index of an element trap */
    goto do_call;

#define NEXT() goto *(void *)((char *)&&L_base + (int32_t)*ip)
#define S(k)   fp[ip[k]]
#define RELOAD_MEM()                                                                               \
    do {                                                                                           \
        mbase = inst->mem->data;                                                                   \
        msize = inst->mem->size;                                                                   \
    } while (0)
#define TRAP(kind)                                                                                 \
    do {                                                                                           \
        trap = (kind);                                                                             \
        goto do_trap;                                                                              \
    } while (0)
    /* A branch through the R cell at ip[k]; backward branches tick. */
#define BRANCH(k)                                                                                  \
    do {                                                                                           \
        int32_t off_ = (int32_t)(k) + (int32_t)ip[k];                                              \
        ip += off_;                                                                                \
        if (off_ <= 0 && --ticks < 0) goto do_tick;                                                \
        NEXT();                                                                                    \
    } while (0)

L_base:
    NEXT();

do_call : {
    /* callee, nfp set; ip is the return address */
    if (callee->host) goto do_host_call;
    const struct wasm_code *code = callee->code;
    if (ftop >= ex->frames_end || nfp + code->frame_size > ex->stack_end)
        TRAP(WASM_TRAP_STACK_EXHAUSTED);
    if (callee->jit) goto do_jit_call;
    ftop->ip = ip;
    ftop->fp = fp;
    ftop->func = cur;
    ftop++;
    fp = nfp;
    cur = callee;
    if (callee->inst != inst) {
        if (callee->inst->mod->wide != inst->mod->wide) { /* frames of the other width */
            ftop--;
            fp = ftop->fp;
            cur = ftop->func;
            goto do_restride_call;
        }
        inst = callee->inst;
        RELOAD_MEM();
    }
    slot_t *l = fp + code->nparams;
    for (uint32_t n = code->nlocals; n; n--)
        (l++)->u64 = 0;
    const uint64_t *k = code->consts;
    for (uint32_t n = code->nconsts; n; n--)
        (l++)->u64 = *k++;
    ip = code->cells;
    if (--ticks < 0) goto do_tick;
    NEXT();
}

do_host_call : {
    /* packed values (wasm.h): a wide frame's host calls go through
     * do_restride_call */
    if (cur && inst->mod->wide) goto do_restride_call;
    const struct wasm_functype *t = callee->type;
    uint32_t nres = wasm_types_nvalues(t->results, t->nresults);
    slot_t *results = nfp + wasm_types_nvalues(t->params, t->nparams);
    if (results + nres > ex->stack_end) TRAP(WASM_TRAP_STACK_EXHAUSTED);
    struct wasm_host_call hc = {inst, inst->mem == &inst->no_mem ? NULL : inst->mem,
                                callee->host_user, ex->trap};
    slot_t *saved_free = ex->free;
    ex->free = results + nres;
    ex->ftop = ftop;
    ex->ticks = ticks;
    ex->trap->kind = WASM_TRAP_NONE;
    wasm_normalize(t->params, t->nparams, nfp);
    int rc = callee->host(&hc, nfp, results);
    ex->free = saved_free;
    ticks = ex->ticks;
    if (rc) {
        if (ex->trap->kind == WASM_TRAP_NONE) wasm_trap_set(ex->trap, WASM_TRAP_HOST, NULL);
        trap = ex->trap->kind;
        goto do_trap_set;
    }
    for (uint32_t i = 0; i < nres; i++)
        nfp[i] = results[i];
    RELOAD_MEM();
    if (!ip) goto do_done;
    NEXT();
}

do_jit_call : {
    /* machine code (jit.h): a nested run on the same stacks, in the
     * callee's frame layout */
    if (cur && inst->mod->wide != callee->inst->mod->wide) goto do_restride_call;
    ex->ftop = ftop;
    ex->ticks = ticks;
    int rc = jit_invoke(ex, callee, nfp);
    ticks = ex->ticks;
    if (rc) goto do_trap_located;
    RELOAD_MEM();
    if (!ip) goto do_done;
    NEXT();
}

do_restride_call : {
    /* a host function called from a wide frame, or a function of an
     * instance with the other frame width: a nested run (restride_call) */
    ex->ftop = ftop;
    ex->ticks = ticks;
    int rc = restride_call(ex, callee, nfp, fp + cur->code->frame_size, inst->mod->wide);
    ticks = ex->ticks;
    if (rc == ERR_NOMEM) TRAP(WASM_TRAP_STACK_EXHAUSTED);
    if (rc && ex->trap->func_index == UINT32_MAX) goto do_trap_set; /* a host trap */
    if (rc) goto do_trap_located;
    RELOAD_MEM();
    NEXT();
}

do_ret:
    ftop--;
    ip = ftop->ip;
    if (!ip) goto do_done;
    fp = ftop->fp;
    cur = ftop->func;
    inst = cur->inst;
    RELOAD_MEM();
    NEXT();

do_tick:
    ticks = ex->interval;
    if (ex->interrupt) {
        ex->ftop = ftop;
        ex->free = cur ? fp + cur->code->frame_size : ex->free;
        if (ex->interrupt(ex->interrupt_user, ex->owner) != WASM_CONTINUE) TRAP(WASM_TRAP_KILLED);
        RELOAD_MEM();
    }
    NEXT();

do_trap:
    wasm_trap_set(ex->trap, trap, NULL);
    if (trap == WASM_TRAP_UNDEFINED_ELEM || trap == WASM_TRAP_UNINIT_ELEM)
        fmt_snprintf(ex->trap->reason, sizeof ex->trap->reason, "%s %u", wasm_trap_kind_str(trap),
                     trap_elem);
do_trap_set:
    wasm_trap_locate(ex->trap, cur);
do_trap_located:
    ex->ftop = fbase;
    ex->ticks = ticks;
    return ERR_FAULT;

do_done:
    ex->ftop = fbase;
    ex->ticks = ticks;
    return 0;

    /* ---- control ---- */

L_unreachable:
    TRAP(WASM_TRAP_UNREACHABLE);
L_br:
    BRANCH(1);
L_br_if:
    if (S(1).u32) BRANCH(2);
    ip += 3;
    NEXT();
L_br_unless:
    if (!S(1).u32) BRANCH(2);
    ip += 3;
    NEXT();
L_br_table : {
    uint32_t i = S(1).u32, n = ip[2];
    if (i > n) i = n;
    BRANCH(3 + i);
}
L_ret1:
    fp[0] = S(1);
    goto do_ret;
L_ret:
    goto do_ret;
L_call:
    callee = inst->funcs[ip[1]];
    nfp = fp + ip[2];
    ip += 3;
    goto do_call;
L_call_indirect : {
    const struct wasm_table *t = inst->tables[ip[2]];
    uint32_t i = S(3).u32;
    trap_elem = i;
    if (i >= t->size) TRAP(WASM_TRAP_UNDEFINED_ELEM);
    struct wasm_func *f = t->elems[i].funcref;
    if (!f) TRAP(WASM_TRAP_UNINIT_ELEM);
    const struct wasm_functype *want = &inst->mod->types[ip[1]];
    if (f->type != want && !wasm_functype_equal(f->type, want)) TRAP(WASM_TRAP_INDIRECT_TYPE);
    callee = f;
    nfp = fp + ip[4];
    ip += 5;
    goto do_call;
}
L_copy:
    S(1) = S(2);
    ip += 3;
    NEXT();
L_copy2:
    S(1) = S(2);
    S(3) = S(4);
    ip += 5;
    NEXT();
L_select : {
    slot_t v = S(4).u32 ? S(2) : S(3);
    S(1) = v;
    ip += 5;
    NEXT();
}
L_global_get:
    S(1) = inst->globals[ip[2]]->v;
    ip += 3;
    NEXT();
L_global_set:
    inst->globals[ip[1]]->v = S(2);
    ip += 3;
    NEXT();

    /* ---- wide frames: 16-byte values, SIMD (interp_simd.c) ---- */

L_copy_w:
    fp[ip[1]] = fp[ip[2]];
    fp[ip[1] + 1] = fp[ip[2] + 1];
    ip += 3;
    NEXT();
L_select_w : {
    uint32_t src = S(4).u32 ? ip[2] : ip[3];
    slot_t lo = fp[src], hi = fp[src + 1];
    fp[ip[1]] = lo;
    fp[ip[1] + 1] = hi;
    ip += 5;
    NEXT();
}
L_ret1_w : {
    slot_t lo = fp[ip[1]], hi = fp[ip[1] + 1];
    fp[0] = lo;
    fp[1] = hi;
    goto do_ret;
}
L_global_get_w:
    fp[ip[1]] = inst->globals[ip[2]]->v;
    fp[ip[1] + 1].u64 = inst->globals[ip[2]]->hi;
    ip += 3;
    NEXT();
L_global_set_w:
    inst->globals[ip[1]]->v = fp[ip[2]];
    inst->globals[ip[1]]->hi = fp[ip[2] + 1].u64;
    ip += 3;
    NEXT();
L_simd : {
    int t = interp_simd(ip, fp, mbase, msize);
    if (t) TRAP((enum wasm_trap_kind)t);
    ip += 10;
    NEXT();
}

/* ---- memory ---- */

#define LOAD(name, T, field, conv)                                                                 \
    L_##name:                                                                                      \
    {                                                                                              \
        uint64_t ea = (uint64_t)S(2).u32 + ip[3];                                                  \
        T v;                                                                                       \
        if (!MEM_OK(ea, sizeof v)) TRAP(WASM_TRAP_MEMORY_OOB);                                     \
        __builtin_memcpy(&v, mbase + ea, sizeof v);                                                \
        S(1).field = conv;                                                                         \
        ip += 4;                                                                                   \
        NEXT();                                                                                    \
    }
    LOAD(i32_load, uint32_t, u32, v)
    LOAD(i64_load, uint64_t, u64, v)
    LOAD(i32_load8_s, int8_t, u32, (uint32_t)(int32_t)v)
    LOAD(i32_load8_u, uint8_t, u32, v)
    LOAD(i32_load16_s, int16_t, u32, (uint32_t)(int32_t)v)
    LOAD(i32_load16_u, uint16_t, u32, v)
    LOAD(i64_load8_s, int8_t, u64, (uint64_t)(int64_t)v)
    LOAD(i64_load8_u, uint8_t, u64, v)
    LOAD(i64_load16_s, int16_t, u64, (uint64_t)(int64_t)v)
    LOAD(i64_load16_u, uint16_t, u64, v)
    LOAD(i64_load32_s, int32_t, u64, (uint64_t)(int64_t)v)
    LOAD(i64_load32_u, uint32_t, u64, v)
#undef LOAD

    /* [D A B OFF]: the address is (A + B) mod 2^32, as the i32.add it replaces */
#define LOAD_ADD(name, T, field, conv)                                                             \
    L_##name##_add:                                                                                \
    {                                                                                              \
        uint64_t ea = (uint64_t)(uint32_t)(S(2).u32 + S(3).u32) + ip[4];                           \
        T v;                                                                                       \
        if (!MEM_OK(ea, sizeof v)) TRAP(WASM_TRAP_MEMORY_OOB);                                     \
        __builtin_memcpy(&v, mbase + ea, sizeof v);                                                \
        S(1).field = conv;                                                                         \
        ip += 5;                                                                                   \
        NEXT();                                                                                    \
    }
    LOAD_ADD(i32_load, uint32_t, u32, v)
    LOAD_ADD(i64_load, uint64_t, u64, v)
    LOAD_ADD(i32_load8_s, int8_t, u32, (uint32_t)(int32_t)v)
    LOAD_ADD(i32_load8_u, uint8_t, u32, v)
    LOAD_ADD(i32_load16_s, int16_t, u32, (uint32_t)(int32_t)v)
    LOAD_ADD(i32_load16_u, uint16_t, u32, v)
    LOAD_ADD(i64_load8_s, int8_t, u64, (uint64_t)(int64_t)v)
    LOAD_ADD(i64_load8_u, uint8_t, u64, v)
    LOAD_ADD(i64_load16_s, int16_t, u64, (uint64_t)(int64_t)v)
    LOAD_ADD(i64_load16_u, uint16_t, u64, v)
    LOAD_ADD(i64_load32_s, int32_t, u64, (uint64_t)(int64_t)v)
    LOAD_ADD(i64_load32_u, uint32_t, u64, v)
#undef LOAD_ADD

#define STORE_ADD(name, T, field)                                                                  \
    L_##name##_add:                                                                                \
    {                                                                                              \
        uint64_t ea = (uint64_t)(uint32_t)(S(1).u32 + S(2).u32) + ip[4];                           \
        T v = (T)S(3).field;                                                                       \
        if (!MEM_OK(ea, sizeof v)) TRAP(WASM_TRAP_MEMORY_OOB);                                     \
        __builtin_memcpy(mbase + ea, &v, sizeof v);                                                \
        ip += 5;                                                                                   \
        NEXT();                                                                                    \
    }
    STORE_ADD(i32_store, uint32_t, u32)
    STORE_ADD(i64_store, uint64_t, u64)
    STORE_ADD(store8, uint8_t, u32)
    STORE_ADD(store16, uint16_t, u32)
#undef STORE_ADD

#define STORE(name, T, field)                                                                      \
    L_##name:                                                                                      \
    {                                                                                              \
        uint64_t ea = (uint64_t)S(1).u32 + ip[3];                                                  \
        T v = (T)S(2).field;                                                                       \
        if (!MEM_OK(ea, sizeof v)) TRAP(WASM_TRAP_MEMORY_OOB);                                     \
        __builtin_memcpy(mbase + ea, &v, sizeof v);                                                \
        ip += 4;                                                                                   \
        NEXT();                                                                                    \
    }
    STORE(i32_store, uint32_t, u32)
    STORE(i64_store, uint64_t, u64)
    STORE(store8, uint8_t, u32)
    STORE(store16, uint16_t, u32)
#undef STORE

L_memory_size:
    S(1).u32 = inst->mem->pages;
    ip += 2;
    NEXT();
L_memory_grow : {
    uint32_t delta = S(2).u32, old = inst->mem->pages;
    S(1).u32 = wasm_memory_grow_internal(inst->mem, delta) ? UINT32_MAX : old;
    RELOAD_MEM();
    ip += 3;
    NEXT();
}
L_memory_init : {
    const struct mod_data *d = &inst->mod->datas[ip[1]];
    uint64_t dst = S(2).u32, src = S(3).u32, n = S(4).u32;
    uint64_t len = inst->data_dropped[ip[1]] ? 0 : d->len;
    if (src + n > len || !MEM_OK(dst, n)) TRAP(WASM_TRAP_MEMORY_OOB);
    if (n) memcpy(mbase + dst, d->bytes + src, n);
    ip += 5;
    NEXT();
}
L_data_drop:
    inst->data_dropped[ip[1]] = 1;
    ip += 2;
    NEXT();
L_memory_copy : {
    uint64_t dst = S(1).u32, src = S(2).u32, n = S(3).u32;
    if (!MEM_OK(src, n) || !MEM_OK(dst, n)) TRAP(WASM_TRAP_MEMORY_OOB);
    if (n) memmove(mbase + dst, mbase + src, n);
    ip += 4;
    NEXT();
}
L_memory_fill : {
    uint64_t dst = S(1).u32, n = S(3).u32;
    if (!MEM_OK(dst, n)) TRAP(WASM_TRAP_MEMORY_OOB);
    if (n) memset(mbase + dst, (int)(uint8_t)S(2).u32, n);
    ip += 4;
    NEXT();
}

    /* ---- tables and references ---- */

L_table_get : {
    const struct wasm_table *t = inst->tables[ip[2]];
    uint32_t i = S(3).u32;
    if (i >= t->size) TRAP(WASM_TRAP_TABLE_OOB);
    S(1) = t->elems[i];
    ip += 4;
    NEXT();
}
L_table_set : {
    struct wasm_table *t = inst->tables[ip[1]];
    uint32_t i = S(2).u32;
    if (i >= t->size) TRAP(WASM_TRAP_TABLE_OOB);
    t->elems[i] = S(3);
    ip += 4;
    NEXT();
}
L_table_size:
    S(1).u32 = inst->tables[ip[2]]->size;
    ip += 3;
    NEXT();
L_table_grow : {
    struct wasm_table *t = inst->tables[ip[2]];
    uint32_t old = t->size;
    int rc = wasm_table_grow_internal(t, S(4).u32, S(3));
    S(1).u32 = rc ? UINT32_MAX : old;
    ip += 5;
    NEXT();
}
L_table_fill : {
    struct wasm_table *t = inst->tables[ip[1]];
    uint64_t i = S(2).u32, n = S(4).u32;
    slot_t v = S(3);
    if (i + n > t->size) TRAP(WASM_TRAP_TABLE_OOB);
    for (uint64_t k = 0; k < n; k++)
        t->elems[i + k] = v;
    ip += 5;
    NEXT();
}
L_table_copy : {
    struct wasm_table *td = inst->tables[ip[1]], *ts = inst->tables[ip[2]];
    uint64_t d = S(3).u32, s = S(4).u32, n = S(5).u32;
    if (s + n > ts->size || d + n > td->size) TRAP(WASM_TRAP_TABLE_OOB);
    if (n) memmove(td->elems + d, ts->elems + s, n * sizeof(slot_t));
    ip += 6;
    NEXT();
}
L_table_init : {
    struct wasm_table *t = inst->tables[ip[1]];
    const struct elem_inst *e = &inst->elems[ip[2]];
    uint64_t d = S(3).u32, s = S(4).u32, n = S(5).u32;
    if (s + n > e->count || d + n > t->size) TRAP(WASM_TRAP_TABLE_OOB);
    if (n) memcpy(t->elems + d, e->refs + s, n * sizeof(slot_t));
    ip += 6;
    NEXT();
}
L_elem_drop:
    inst->elems[ip[1]].count = 0;
    ip += 2;
    NEXT();
L_ref_func:
    S(1).funcref = inst->funcs[ip[2]];
    ip += 3;
    NEXT();
L_ref_is_null : {
    uint32_t r = S(2).externref == NULL;
    S(1).u64 = r;
    ip += 3;
    NEXT();
}

/* ---- numeric ---- */

#define UN(name, T, get, put, expr)                                                                \
    L_##name:                                                                                      \
    {                                                                                              \
        T a = S(2).get;                                                                            \
        S(1).put = (expr);                                                                         \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }
#define BIN(name, T, get, put, expr)                                                               \
    L_##name:                                                                                      \
    {                                                                                              \
        T a = S(2).get, b = S(3).get;                                                              \
        S(1).put = (expr);                                                                         \
        ip += 4;                                                                                   \
        NEXT();                                                                                    \
    }

/* Integer ALU ops: also set acc; _ra/_rb read A/B from acc. R is the
 * unsigned result type, T the operand type. */
#define ALU_BODY(T, R, get, A, B, expr)                                                            \
    {                                                                                              \
        T a = A, b = B;                                                                            \
        R r = (R)(expr);                                                                           \
        S(1).get = r;                                                                              \
        acc = r;                                                                                   \
        ip += 4;                                                                                   \
        NEXT();                                                                                    \
    }
#define ALU(name, T, R, get, expr)                                                                 \
    L_##name : ALU_BODY(T, R, get, (T)S(2).get, (T)S(3).get, expr) L_##name##_ra                   \
        : ALU_BODY(T, R, get, (T)(R)acc, (T)S(3).get, expr) L_##name##_rb                          \
        : ALU_BODY(T, R, get, (T)S(2).get, (T)(R)acc, expr)

    UN(i32_eqz, uint32_t, u32, u32, a == 0)
    BIN(i32_eq, uint32_t, u32, u32, a == b)
    BIN(i32_ne, uint32_t, u32, u32, a != b)
    BIN(i32_lt_s, int32_t, i32, u32, a < b)
    BIN(i32_lt_u, uint32_t, u32, u32, a < b)
    BIN(i32_gt_s, int32_t, i32, u32, a > b)
    BIN(i32_gt_u, uint32_t, u32, u32, a > b)
    BIN(i32_le_s, int32_t, i32, u32, a <= b)
    BIN(i32_le_u, uint32_t, u32, u32, a <= b)
    BIN(i32_ge_s, int32_t, i32, u32, a >= b)
    BIN(i32_ge_u, uint32_t, u32, u32, a >= b)
    UN(i32_clz, uint32_t, u32, u32, wasm_clz32(a))
    UN(i32_ctz, uint32_t, u32, u32, wasm_ctz32(a))
    UN(i32_popcnt, uint32_t, u32, u32, wasm_popcnt32(a))
    ALU(i32_add, uint32_t, uint32_t, u32, a + b)
    ALU(i32_sub, uint32_t, uint32_t, u32, a - b)
    ALU(i32_mul, uint32_t, uint32_t, u32, a * b)
    ALU(i32_and, uint32_t, uint32_t, u32, a & b)
    ALU(i32_or, uint32_t, uint32_t, u32, a | b)
    ALU(i32_xor, uint32_t, uint32_t, u32, a ^ b)
    ALU(i32_shl, uint32_t, uint32_t, u32, a << (b & 31))
    ALU(i32_shr_s, int32_t, uint32_t, u32, a >> (b & 31))
    ALU(i32_shr_u, uint32_t, uint32_t, u32, a >> (b & 31))
    ALU(i32_rotl, uint32_t, uint32_t, u32, wasm_rotl32(a, b))
    ALU(i32_rotr, uint32_t, uint32_t, u32, wasm_rotr32(a, b))
L_i32_div_s : {
    int32_t a = S(2).i32, b = S(3).i32;
    if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
    if (a == INT32_MIN && b == -1) TRAP(WASM_TRAP_INT_OVERFLOW);
    S(1).i32 = a / b;
    ip += 4;
    NEXT();
}
L_i32_div_u : {
    uint32_t a = S(2).u32, b = S(3).u32;
    if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
    S(1).u32 = a / b;
    ip += 4;
    NEXT();
}
L_i32_rem_s : {
    int32_t a = S(2).i32, b = S(3).i32;
    if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
    S(1).i32 = b == -1 ? 0 : a % b;
    ip += 4;
    NEXT();
}
L_i32_rem_u : {
    uint32_t a = S(2).u32, b = S(3).u32;
    if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
    S(1).u32 = a % b;
    ip += 4;
    NEXT();
}

    UN(i64_eqz, uint64_t, u64, u32, a == 0)
    BIN(i64_eq, uint64_t, u64, u32, a == b)
    BIN(i64_ne, uint64_t, u64, u32, a != b)
    BIN(i64_lt_s, int64_t, i64, u32, a < b)
    BIN(i64_lt_u, uint64_t, u64, u32, a < b)
    BIN(i64_gt_s, int64_t, i64, u32, a > b)
    BIN(i64_gt_u, uint64_t, u64, u32, a > b)
    BIN(i64_le_s, int64_t, i64, u32, a <= b)
    BIN(i64_le_u, uint64_t, u64, u32, a <= b)
    BIN(i64_ge_s, int64_t, i64, u32, a >= b)
    BIN(i64_ge_u, uint64_t, u64, u32, a >= b)
    UN(i64_clz, uint64_t, u64, u64, wasm_clz64(a))
    UN(i64_ctz, uint64_t, u64, u64, wasm_ctz64(a))
    UN(i64_popcnt, uint64_t, u64, u64, wasm_popcnt64(a))
    ALU(i64_add, uint64_t, uint64_t, u64, a + b)
    ALU(i64_sub, uint64_t, uint64_t, u64, a - b)
    ALU(i64_mul, uint64_t, uint64_t, u64, a * b)
    ALU(i64_and, uint64_t, uint64_t, u64, a & b)
    ALU(i64_or, uint64_t, uint64_t, u64, a | b)
    ALU(i64_xor, uint64_t, uint64_t, u64, a ^ b)
    ALU(i64_shl, uint64_t, uint64_t, u64, a << (b & 63))
    ALU(i64_shr_s, int64_t, uint64_t, u64, a >> (b & 63))
    ALU(i64_shr_u, uint64_t, uint64_t, u64, a >> (b & 63))
    ALU(i64_rotl, uint64_t, uint64_t, u64, wasm_rotl64(a, b))
    ALU(i64_rotr, uint64_t, uint64_t, u64, wasm_rotr64(a, b))
L_i64_div_s : {
    int64_t a = S(2).i64, b = S(3).i64;
    if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
    if (a == INT64_MIN && b == -1) TRAP(WASM_TRAP_INT_OVERFLOW);
    S(1).i64 = a / b;
    ip += 4;
    NEXT();
}
L_i64_div_u : {
    uint64_t a = S(2).u64, b = S(3).u64;
    if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
    S(1).u64 = a / b;
    ip += 4;
    NEXT();
}
L_i64_rem_s : {
    int64_t a = S(2).i64, b = S(3).i64;
    if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
    S(1).i64 = b == -1 ? 0 : a % b;
    ip += 4;
    NEXT();
}
L_i64_rem_u : {
    uint64_t a = S(2).u64, b = S(3).u64;
    if (b == 0) TRAP(WASM_TRAP_DIV_ZERO);
    S(1).u64 = a % b;
    ip += 4;
    NEXT();
}

    BIN(f32_eq, float, f32, u32, a == b)
    BIN(f32_ne, float, f32, u32, a != b)
    BIN(f32_lt, float, f32, u32, a < b)
    BIN(f32_gt, float, f32, u32, a > b)
    BIN(f32_le, float, f32, u32, a <= b)
    BIN(f32_ge, float, f32, u32, a >= b)
    UN(f32_abs, uint32_t, u32, u32, a & ~F32_SIGN)
    UN(f32_neg, uint32_t, u32, u32, a ^ F32_SIGN)
    UN(f32_ceil, float, f32, f32, wasm_ceilf(a))
    UN(f32_floor, float, f32, f32, wasm_floorf(a))
    UN(f32_trunc, float, f32, f32, wasm_truncf(a))
    UN(f32_nearest, float, f32, f32, wasm_nearestf(a))
    UN(f32_sqrt, float, f32, f32, wasm_sqrtf(a))
    BIN(f32_add, float, f32, f32, a + b)
    BIN(f32_sub, float, f32, f32, a - b)
    BIN(f32_mul, float, f32, f32, a *b)
    BIN(f32_div, float, f32, f32, a / b)
    BIN(f32_min, float, f32, f32, wasm_fminf(a, b))
    BIN(f32_max, float, f32, f32, wasm_fmaxf(a, b))
    BIN(f32_copysign, uint32_t, u32, u32, (a & ~F32_SIGN) | (b & F32_SIGN))

    BIN(f64_eq, double, f64, u32, a == b)
    BIN(f64_ne, double, f64, u32, a != b)
    BIN(f64_lt, double, f64, u32, a < b)
    BIN(f64_gt, double, f64, u32, a > b)
    BIN(f64_le, double, f64, u32, a <= b)
    BIN(f64_ge, double, f64, u32, a >= b)
    UN(f64_abs, uint64_t, u64, u64, a & ~F64_SIGN)
    UN(f64_neg, uint64_t, u64, u64, a ^ F64_SIGN)
    UN(f64_ceil, double, f64, f64, wasm_ceil(a))
    UN(f64_floor, double, f64, f64, wasm_floor(a))
    UN(f64_trunc, double, f64, f64, wasm_trunc(a))
    UN(f64_nearest, double, f64, f64, wasm_nearest(a))
    UN(f64_sqrt, double, f64, f64, wasm_sqrt(a))
    BIN(f64_add, double, f64, f64, a + b)
    BIN(f64_sub, double, f64, f64, a - b)
    BIN(f64_mul, double, f64, f64, a *b)
    BIN(f64_div, double, f64, f64, a / b)
    BIN(f64_min, double, f64, f64, wasm_fmin(a, b))
    BIN(f64_max, double, f64, f64, wasm_fmax(a, b))
    BIN(f64_copysign, uint64_t, u64, u64, (a & ~F64_SIGN) | (b & F64_SIGN))

    /* ---- conversions ---- */

#define TRUNC(name, T, get, IT, put, fn)                                                           \
    L_##name:                                                                                      \
    {                                                                                              \
        IT r;                                                                                      \
        int e = fn(S(2).get, &r);                                                                  \
        if (e) TRAP(e == TRUNC_NAN ? WASM_TRAP_INVALID_CONV : WASM_TRAP_INT_OVERFLOW);             \
        S(1).put = r;                                                                              \
        ip += 3;                                                                                   \
        NEXT();                                                                                    \
    }
    TRUNC(i32_trunc_f32_s, float, f32, int32_t, i32, trunc_f32_i32)
    TRUNC(i32_trunc_f32_u, float, f32, uint32_t, u32, trunc_f32_u32)
    TRUNC(i32_trunc_f64_s, double, f64, int32_t, i32, trunc_f64_i32)
    TRUNC(i32_trunc_f64_u, double, f64, uint32_t, u32, trunc_f64_u32)
    TRUNC(i64_trunc_f32_s, float, f32, int64_t, i64, trunc_f32_i64)
    TRUNC(i64_trunc_f32_u, float, f32, uint64_t, u64, trunc_f32_u64)
    TRUNC(i64_trunc_f64_s, double, f64, int64_t, i64, trunc_f64_i64)
    TRUNC(i64_trunc_f64_u, double, f64, uint64_t, u64, trunc_f64_u64)
#undef TRUNC

    UN(i64_extend_i32_s, int32_t, i32, i64, (int64_t)a)
    UN(i64_extend_i32_u, uint32_t, u32, u64, (uint64_t)a)
    UN(f32_convert_i32_s, int32_t, i32, f32, (float)a)
    UN(f32_convert_i32_u, uint32_t, u32, f32, (float)a)
    UN(f32_convert_i64_s, int64_t, i64, f32, (float)a)
    UN(f32_convert_i64_u, uint64_t, u64, f32, (float)a)
    UN(f32_demote_f64, double, f64, f32, (float)a)
    UN(f64_convert_i32_s, int32_t, i32, f64, (double)a)
    UN(f64_convert_i32_u, uint32_t, u32, f64, (double)a)
    UN(f64_convert_i64_s, int64_t, i64, f64, (double)a)
    UN(f64_convert_i64_u, uint64_t, u64, f64, (double)a)
    UN(f64_promote_f32, float, f32, f64, (double)a)
    UN(i32_extend8_s, uint32_t, u32, i32, (int32_t)(int8_t)a)
    UN(i32_extend16_s, uint32_t, u32, i32, (int32_t)(int16_t)a)
    UN(i64_extend8_s, uint64_t, u64, i64, (int64_t)(int8_t)a)
    UN(i64_extend16_s, uint64_t, u64, i64, (int64_t)(int16_t)a)
    UN(i64_extend32_s, uint64_t, u64, i64, (int64_t)(int32_t)a)
    UN(i32_trunc_sat_f32_s, float, f32, i32, sat_f32_i32(a))
    UN(i32_trunc_sat_f32_u, float, f32, u32, sat_f32_u32(a))
    UN(i32_trunc_sat_f64_s, double, f64, i32, sat_f64_i32(a))
    UN(i32_trunc_sat_f64_u, double, f64, u32, sat_f64_u32(a))
    UN(i64_trunc_sat_f32_s, float, f32, i64, sat_f32_i64(a))
    UN(i64_trunc_sat_f32_u, float, f32, u64, sat_f32_u64(a))
    UN(i64_trunc_sat_f64_s, double, f64, i64, sat_f64_i64(a))
    UN(i64_trunc_sat_f64_u, double, f64, u64, sat_f64_u64(a))
#undef UN
#undef BIN

    /* ---- fused compare-and-branch: [A B R] ---- */

#define BRCMP(br, brn, T, get, cmp)                                                                \
    L_##br:                                                                                        \
    {                                                                                              \
        if ((T)S(1).get cmp(T) S(2).get) BRANCH(3);                                                \
        ip += 4;                                                                                   \
        NEXT();                                                                                    \
    }                                                                                              \
    L_##brn:                                                                                       \
    {                                                                                              \
        if (!((T)S(1).get cmp(T) S(2).get)) BRANCH(3);                                             \
        ip += 4;                                                                                   \
        NEXT();                                                                                    \
    }
    BRCMP(br_eq, brn_eq, uint32_t, u32, ==)
    BRCMP(br_ne, brn_ne, uint32_t, u32, !=)
    BRCMP(br_lt_s, brn_lt_s, int32_t, i32, <)
    BRCMP(br_lt_u, brn_lt_u, uint32_t, u32, <)
    BRCMP(br_gt_s, brn_gt_s, int32_t, i32, >)
    BRCMP(br_gt_u, brn_gt_u, uint32_t, u32, >)
    BRCMP(br_le_s, brn_le_s, int32_t, i32, <=)
    BRCMP(br_le_u, brn_le_u, uint32_t, u32, <=)
    BRCMP(br_ge_s, brn_ge_s, int32_t, i32, >=)
    BRCMP(br_ge_u, brn_ge_u, uint32_t, u32, >=)
    BRCMP(br64_eq, brn64_eq, uint64_t, u64, ==)
    BRCMP(br64_ne, brn64_ne, uint64_t, u64, !=)
    BRCMP(br64_lt_s, brn64_lt_s, int64_t, i64, <)
    BRCMP(br64_lt_u, brn64_lt_u, uint64_t, u64, <)
    BRCMP(br64_gt_s, brn64_gt_s, int64_t, i64, >)
    BRCMP(br64_gt_u, brn64_gt_u, uint64_t, u64, >)
    BRCMP(br64_le_s, brn64_le_s, int64_t, i64, <=)
    BRCMP(br64_le_u, brn64_le_u, uint64_t, u64, <=)
    BRCMP(br64_ge_s, brn64_ge_s, int64_t, i64, >=)
    BRCMP(br64_ge_u, brn64_ge_u, uint64_t, u64, >=)
#undef BRCMP
L_br_if64:
    if (S(1).u64) BRANCH(2);
    ip += 3;
    NEXT();
L_br_unless64:
    if (!S(1).u64) BRANCH(2);
    ip += 3;
    NEXT();
    /* ---- immediate forms: [D A IMM], [A IMM R], const32/const64 ---- */

#define ALUI(name, T, get, expr)                                                                   \
    L_##name##_imm : ALU_BODY(T, uint32_t, get, (T)S(2).get, (T)ip[3], expr) L_##name##_imm_ra     \
        : ALU_BODY(T, uint32_t, get, (T)(uint32_t)acc, (T)ip[3], expr)
    ALUI(i32_add, uint32_t, u32, a + b)
    ALUI(i32_sub, uint32_t, u32, a - b)
    ALUI(i32_mul, uint32_t, u32, a * b)
    ALUI(i32_and, uint32_t, u32, a & b)
    ALUI(i32_or, uint32_t, u32, a | b)
    ALUI(i32_xor, uint32_t, u32, a ^ b)
    ALUI(i32_shl, uint32_t, u32, a << (b & 31))
    ALUI(i32_shr_s, int32_t, u32, a >> (b & 31))
    ALUI(i32_shr_u, uint32_t, u32, a >> (b & 31))
    ALUI(i32_rotl, uint32_t, u32, wasm_rotl32(a, b))
    ALUI(i32_rotr, uint32_t, u32, wasm_rotr32(a, b))
#undef ALUI

#define BRCMPI(br, brn, T, get, cmp)                                                               \
    L_##br##_imm:                                                                                  \
    {                                                                                              \
        if ((T)S(1).get cmp(T) ip[2]) BRANCH(3);                                                   \
        ip += 4;                                                                                   \
        NEXT();                                                                                    \
    }                                                                                              \
    L_##brn##_imm:                                                                                 \
    {                                                                                              \
        if (!((T)S(1).get cmp(T) ip[2])) BRANCH(3);                                                \
        ip += 4;                                                                                   \
        NEXT();                                                                                    \
    }
    BRCMPI(br_eq, brn_eq, uint32_t, u32, ==)
    BRCMPI(br_ne, brn_ne, uint32_t, u32, !=)
    BRCMPI(br_lt_s, brn_lt_s, int32_t, i32, <)
    BRCMPI(br_lt_u, brn_lt_u, uint32_t, u32, <)
    BRCMPI(br_gt_s, brn_gt_s, int32_t, i32, >)
    BRCMPI(br_gt_u, brn_gt_u, uint32_t, u32, >)
    BRCMPI(br_le_s, brn_le_s, int32_t, i32, <=)
    BRCMPI(br_le_u, brn_le_u, uint32_t, u32, <=)
    BRCMPI(br_ge_s, brn_ge_s, int32_t, i32, >=)
    BRCMPI(br_ge_u, brn_ge_u, uint32_t, u32, >=)
#undef BRCMPI
L_br_and_imm:
    if (S(1).u32 & ip[2]) BRANCH(3);
    ip += 4;
    NEXT();
L_brn_and_imm:
    if (!(S(1).u32 & ip[2])) BRANCH(3);
    ip += 4;
    NEXT();
L_const32:
    S(1).u64 = ip[2];
    ip += 3;
    NEXT();
L_const64:
    S(1).u64 = (uint64_t)ip[3] << 32 | ip[2];
    ip += 4;
    NEXT();
    /* ---- add then compare-and-branch on the sum: [D A B C R] ---- */

    /* C is read after D is written: in the wasm, the compare reads the
     * local that the add just set, and C may be that local. */
#define ADDBR(w, T, U, get, cmp, name)                                                             \
    L_add##w##_br_##name:                                                                          \
    {                                                                                              \
        U v = S(2).get + S(3).get;                                                                 \
        S(1).get = v;                                                                              \
        if ((T)v cmp(T) S(4).get) BRANCH(5);                                                       \
        ip += 6;                                                                                   \
        NEXT();                                                                                    \
    }                                                                                              \
    L_add##w##_brn_##name:                                                                         \
    {                                                                                              \
        U v = S(2).get + S(3).get;                                                                 \
        S(1).get = v;                                                                              \
        if (!((T)v cmp(T) S(4).get)) BRANCH(5);                                                    \
        ip += 6;                                                                                   \
        NEXT();                                                                                    \
    }
    ADDBR(32, uint32_t, uint32_t, u32, ==, eq)
    ADDBR(32, uint32_t, uint32_t, u32, !=, ne)
    ADDBR(32, int32_t, uint32_t, u32, <, lt_s)
    ADDBR(32, uint32_t, uint32_t, u32, <, lt_u)
    ADDBR(32, int32_t, uint32_t, u32, >, gt_s)
    ADDBR(32, uint32_t, uint32_t, u32, >, gt_u)
    ADDBR(32, int32_t, uint32_t, u32, <=, le_s)
    ADDBR(32, uint32_t, uint32_t, u32, <=, le_u)
    ADDBR(32, int32_t, uint32_t, u32, >=, ge_s)
    ADDBR(32, uint32_t, uint32_t, u32, >=, ge_u)
    ADDBR(64, uint64_t, uint64_t, u64, ==, eq)
    ADDBR(64, uint64_t, uint64_t, u64, !=, ne)
    ADDBR(64, int64_t, uint64_t, u64, <, lt_s)
    ADDBR(64, uint64_t, uint64_t, u64, <, lt_u)
    ADDBR(64, int64_t, uint64_t, u64, >, gt_s)
    ADDBR(64, uint64_t, uint64_t, u64, >, gt_u)
    ADDBR(64, int64_t, uint64_t, u64, <=, le_s)
    ADDBR(64, uint64_t, uint64_t, u64, <=, le_u)
    ADDBR(64, int64_t, uint64_t, u64, >=, ge_s)
    ADDBR(64, uint64_t, uint64_t, u64, >=, ge_u)
#undef ADDBR
L_br_and:
    if (S(1).u32 & S(2).u32) BRANCH(3);
    ip += 4;
    NEXT();
L_brn_and:
    if (!(S(1).u32 & S(2).u32)) BRANCH(3);
    ip += 4;
    NEXT();
}

const int32_t *interp_handlers(void)
{
    const int32_t *h = NULL;
    run(NULL, NULL, NULL, &h);
    return h;
}

/*
 * Runs f with its arguments at fp[0..nparams) on the exec's stacks; the
 * results replace them at fp[0..nresults). Returns 0, or ERR_FAULT with
 * *ex->trap filled. fp must leave room for the frame (checked on entry).
 */
int interp_invoke(struct exec *ex, struct wasm_func *f, slot_t *fp)
{
    if (!f || !f->code || !f->inst->mod->wide) return run(ex, f, fp, NULL);
    /* wide frames: the packed values of wasm.h are spread to two slots each */
    const struct wasm_functype *t = f->type;
    uint32_t n = t->nparams > t->nresults ? t->nparams : t->nresults;
    if ((size_t)(ex->stack_end - fp) < 2 * (size_t)n) {
        wasm_trap_set(ex->trap, WASM_TRAP_STACK_EXHAUSTED, NULL);
        return ERR_FAULT;
    }
    wasm_slots_widen(t->params, t->nparams, fp);
    int rc = run(ex, f, fp, NULL);
    if (!rc) wasm_slots_narrow(t->results, t->nresults, fp);
    return rc;
}
