/*
 * lib/wasm/jit_ir.c - decoding of slot code for the JIT and the analyses
 * of jit_ir.h: operand kinds, branch targets, loop nesting, register
 * candidates, liveness and register assignment. Portable C.
 *
 * Everything here is linear in the function size except the liveness
 * fixpoint, which iterates over basic blocks with 64-bit masks (at most
 * JIT_MAX_CANDS candidates) and converges in loop-nesting-depth passes.
 */
#include "wasm/jit_ir.h"

#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "wasm/compile.h"

/* ---- operand layouts (ops.h) ---- */

const char *jit_shape(enum wasm_op op)
{
    if (op >= OP_i32_load && op <= OP_i64_load32_u) return "dai";
    if (op >= OP_i32_store && op <= OP_store16) return "aai";
    if (op >= OP_i32_load_add && op <= OP_i64_load32_u_add) return "daai";
    if (op >= OP_i32_store_add && op <= OP_store16_add) return "aaai";
    if (op >= OP_i32_add_imm && op <= OP_i32_rotr_imm) return "dai";
    if (op >= OP_br_eq_imm && op <= OP_brn_and_imm) return "air";
    if (op >= OP_add32_br_eq && op <= OP_add64_brn_ge_u) return "daacr";
    if (op >= OP_br_eq && op <= OP_brn64_ge_u) return "aar";
    switch (op) {
    case OP_br_if64:
    case OP_br_unless64:
    case OP_br_if:
    case OP_br_unless: return "ar";
    case OP_br_and:
    case OP_brn_and: return "aar";
    case OP_unreachable:
    case OP_ret: return "";
    case OP_br: return "r";
    case OP_br_table: return NULL;
    case OP_ret1: return "a";
    case OP_call: return "ib";
    case OP_call_indirect: return "iiab";
    case OP_copy: return "da";
    case OP_copy2: return "dada";
    case OP_select: return "daaa";
    case OP_global_get: return "di";
    case OP_global_set: return "ia";
    case OP_memory_size: return "d";
    case OP_memory_grow: return "da";
    case OP_memory_init: return "iaaa";
    case OP_data_drop:
    case OP_elem_drop: return "i";
    case OP_memory_copy:
    case OP_memory_fill: return "aaa";
    case OP_table_get: return "dia";
    case OP_table_set: return "iaa";
    case OP_table_size: return "di";
    case OP_table_grow: return "diaa";
    case OP_table_fill: return "iaaa";
    case OP_table_copy:
    case OP_table_init: return "iiaaa";
    case OP_ref_func: return "di";
    case OP_ref_is_null: return "da";
    case OP_const32: return "di";
    case OP_const64: return "dii";
    case OP_copy_w: return "da";
    case OP_select_w: return "daaa";
    case OP_ret1_w: return "a";
    case OP_global_get_w: return "di";
    case OP_global_set_w: return "ia";
    case OP_simd: return "daaaiiiii";
    default: break;
    }
    /* The numeric instructions: unary [D A] or binary [D A B]. */
    static const int8_t counts[OP_COUNT] = {
#define COUNT(name, n) n,
        WASM_OPS(COUNT)
#undef COUNT
    };
    return counts[op] == 2 ? "da" : "daa";
}

struct jit_simd_ops jit_simd_operands(uint32_t sub)
{
    switch (cc_simd_shape(sub)) {
    case SH_LOAD:
    case SH_SPLAT: return (struct jit_simd_ops){JS_D | JS_A, JS_D};
    case SH_STORE:
    case SH_STORE_LANE: return (struct jit_simd_ops){JS_A | JS_B, JS_B};
    case SH_LOAD_LANE: return (struct jit_simd_ops){JS_D | JS_A | JS_B, JS_D | JS_B};
    case SH_CONST: return (struct jit_simd_ops){JS_D, JS_D};
    case SH_EXTRACT:
    case SH_TEST: return (struct jit_simd_ops){JS_D | JS_A, JS_A};
    case SH_REPLACE:
    case SH_SHIFT: return (struct jit_simd_ops){JS_D | JS_A | JS_B, JS_D | JS_A};
    case SH_UN: return (struct jit_simd_ops){JS_D | JS_A, JS_D | JS_A};
    case SH_TERN: return (struct jit_simd_ops){0xf, 0xf};
    default: return (struct jit_simd_ops){JS_D | JS_A | JS_B, JS_D | JS_A | JS_B}; /* binary */
    }
}

const char *jit_ins_shape(const struct jit_fn *fn, const struct jit_ins *in)
{
    /* D A B C as used (d/a) or not (i), then SUB X0..X3 */
    static const char *const simd[16] = {
        "iiiiiiiii", "diiiiiiii", "iaiiiiiii", "daiiiiiii", "iiaiiiiii", "diaiiiiii",
        "iaaiiiiii", "daaiiiiii", "iiiaiiiii", "diiaiiiii", "iaiaiiiii", "daiaiiiii",
        "iiaaiiiii", "diaaiiiii", "iaaaiiiii", "daaaiiiii",
    };
    if (in->op != OP_simd) return jit_shape((enum wasm_op)in->op);
    return simd[jit_simd_operands(fn->code->cells[in->pos + 5]).used];
}

static bool is_f32_or_f64_op(enum wasm_op op)
{
    return (op >= OP_f32_eq && op <= OP_f64_copysign);
}

bool jit_op_float_in(enum wasm_op op)
{
    if (is_f32_or_f64_op(op)) return true;
    switch (op) {
    case OP_i32_trunc_f32_s:
    case OP_i32_trunc_f32_u:
    case OP_i32_trunc_f64_s:
    case OP_i32_trunc_f64_u:
    case OP_i64_trunc_f32_s:
    case OP_i64_trunc_f32_u:
    case OP_i64_trunc_f64_s:
    case OP_i64_trunc_f64_u:
    case OP_f32_demote_f64:
    case OP_f64_promote_f32: return true;
    default: return op >= OP_i32_trunc_sat_f32_s && op <= OP_i64_trunc_sat_f64_u;
    }
}

bool jit_op_float_out(enum wasm_op op)
{
    if (op >= OP_f32_eq && op <= OP_f32_ge) return false;
    if (op >= OP_f64_eq && op <= OP_f64_ge) return false;
    if (is_f32_or_f64_op(op)) return true;
    return (op >= OP_f32_convert_i32_s && op <= OP_f64_promote_f32);
}

/* ---- decoding ---- */

struct hmap {
    int32_t off;
    uint16_t op;
};

/* The canonical op of a handler variant (acc forms read the same slots). */
static enum wasm_op canonical(enum wasm_op op)
{
    if (op >= OP_i32_add_ra && op < OP_i32_add_ra + CC_NALU) return cc_alu_ops[op - OP_i32_add_ra];
    if (op >= OP_i32_add_rb && op < OP_i32_add_rb + CC_NALU) return cc_alu_ops[op - OP_i32_add_rb];
    if (op >= OP_i32_add_imm_ra && op <= OP_i32_rotr_imm_ra)
        return (enum wasm_op)(OP_i32_add_imm + (op - OP_i32_add_imm_ra));
    return op;
}

static void sort_handlers(struct hmap *h, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        struct hmap v = h[i];
        uint32_t j = i;
        for (; j > 0 && h[j - 1].off > v.off; j--)
            h[j] = h[j - 1];
        h[j] = v;
    }
}

struct jit_opmap {
    struct hmap h[OP_COUNT];
};

struct jit_opmap *jit_opmap_new(const int32_t *handlers)
{
    struct jit_opmap *ops = mem_alloc(sizeof *ops);
    if (!ops) return NULL;
    for (uint32_t i = 0; i < OP_COUNT; i++)
        ops->h[i] = (struct hmap){handlers[i], (uint16_t)i};
    sort_handlers(ops->h, OP_COUNT);
    return ops;
}

void jit_opmap_free(struct jit_opmap *ops)
{
    mem_free(ops);
}

static int lookup_op(const struct hmap *h, uint32_t n, int32_t off)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (h[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && h[lo].off == off ? h[lo].op : -1;
}

static int decode(struct jit_fn *fn, const struct jit_opmap *ops)
{
    const struct wasm_code *code = fn->code;
    const struct hmap *h = ops->h;
    fn->ins = mem_alloc(((size_t)code->ncells + 1) * sizeof *fn->ins);
    if (!fn->ins) return ERR_NOMEM;
    int rc = 0;
    for (uint32_t p = 0; p < code->ncells && !rc;) {
        int op = lookup_op(h, OP_COUNT, (int32_t)code->cells[p]);
        if (op < 0) {
            rc = ERR_NOTSUP;
            break;
        }
        uint32_t len;
        const char *sh = jit_shape((enum wasm_op)op);
        if (sh) {
            len = 1 + (uint32_t)strlen(sh);
        } else { /* br_table [A N R0..RN] */
            if (p + 2 >= code->ncells) {
                rc = ERR_NOTSUP;
                break;
            }
            len = 4 + code->cells[p + 2];
        }
        if (len > code->ncells - p) rc = ERR_NOTSUP;
        fn->ins[fn->nins++] = (struct jit_ins){p, len, (uint16_t)canonical((enum wasm_op)op), 0};
        p += len;
    }
    return rc;
}

int jit_module_scan(const struct wasm_module *m, const struct jit_opmap *ops, bool *grows,
                    bool *indirect)
{
    const struct hmap *h = ops->h;
    *grows = *indirect = false;
    int rc = 0;
    for (uint32_t f = 0; f < m->ncodes && !rc; f++) {
        const struct wasm_code *code = &m->codes[f];
        for (uint32_t p = 0; p < code->ncells;) {
            int op = lookup_op(h, OP_COUNT, (int32_t)code->cells[p]);
            const char *sh = op < 0 ? "" : jit_shape((enum wasm_op)op);
            if (op < 0 || (!sh && p + 2 >= code->ncells)) {
                rc = ERR_NOTSUP;
                break;
            }
            if (op == OP_memory_grow) *grows = true;
            if (op == OP_call_indirect) *indirect = true;
            p += sh ? 1 + (uint32_t)strlen(sh) : 4 + code->cells[p + 2];
        }
    }
    return rc;
}

uint32_t jit_ins_at(const struct jit_fn *fn, uint32_t pos)
{
    uint32_t lo = 0, hi = fn->nins;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (fn->ins[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < fn->nins && fn->ins[lo].pos == pos ? lo : UINT32_MAX;
}

/* Calls f(ctx, target instruction) for every branch of instruction i;
 * returns false if a target is not an instruction start. */
static bool for_targets(const struct jit_fn *fn, uint32_t i, void (*f)(void *, uint32_t, uint32_t),
                        void *ctx)
{
    const struct jit_ins *in = &fn->ins[i];
    const uint32_t *cells = fn->code->cells;
    const char *sh = jit_shape((enum wasm_op)in->op);
    uint32_t first = 0, last = 0;
    if (sh) {
        const char *r = strchr(sh, JK_BR);
        if (!r) return true;
        first = last = in->pos + 1 + (uint32_t)(r - sh);
    } else {
        first = in->pos + 3;
        last = in->pos + in->len - 1;
    }
    for (uint32_t k = first; k <= last; k++) {
        uint32_t t = jit_ins_at(fn, k + cells[k]);
        if (t == UINT32_MAX) return false;
        f(ctx, i, t);
    }
    return true;
}

/* Does control go on to the next instruction? */
static bool falls_through(enum wasm_op op)
{
    return op != OP_br && op != OP_br_table && op != OP_ret && op != OP_ret1 &&
           op != OP_unreachable;
}

static bool has_branch(const struct jit_ins *in)
{
    const char *sh = jit_shape((enum wasm_op)in->op);
    return !sh || strchr(sh, JK_BR) != NULL;
}

const struct wasm_functype *jit_call_type(const struct jit_fn *fn, const struct jit_ins *in)
{
    const uint32_t *c = fn->code->cells + in->pos;
    if (in->op == OP_call) return mod_func_type(fn->mod, c[1]);
    return &fn->mod->types[c[1]];
}

/* ---- per-slot events ---- */

/*
 * Visits the slot events of instruction i in execution order: kind JK_USE
 * or JK_DEF for each slot (a call's base expands to its arguments, then
 * its results).
 */
typedef void (*event_fn)(void *ctx, uint32_t i, int kind, uint32_t slot);

static void for_events(const struct jit_fn *fn, uint32_t i, event_fn f, void *ctx)
{
    const struct jit_ins *in = &fn->ins[i];
    const uint32_t *c = fn->code->cells + in->pos;
    const char *sh = jit_ins_shape(fn, in);
    uint32_t st = jit_stride(fn);
    if (!sh) {
        f(ctx, i, JK_USE, c[1]);
        return;
    }
    if (in->op == OP_ret) { /* the results, put in slots 0..n-1 by copies */
        for (uint32_t r = 0; r < fn->code->nresults; r++)
            f(ctx, i, JK_USE, st * r);
        return;
    }
    if (in->op == OP_copy2) {
        f(ctx, i, JK_USE, c[2]);
        f(ctx, i, JK_DEF, c[1]);
        f(ctx, i, JK_USE, c[4]);
        f(ctx, i, JK_DEF, c[3]);
        return;
    }
    for (uint32_t k = 0; sh[k]; k++) /* reads first */
        if (sh[k] == JK_USE) f(ctx, i, JK_USE, c[1 + k]);
    for (uint32_t k = 0; sh[k]; k++) {
        if (sh[k] == JK_DEF) f(ctx, i, JK_DEF, c[1 + k]);
        if (sh[k] == JK_BASE) {
            const struct wasm_functype *t = jit_call_type(fn, in);
            for (uint32_t a = 0; a < t->nparams; a++)
                f(ctx, i, JK_USE, c[1 + k] + st * a);
            for (uint32_t r = 0; r < t->nresults; r++)
                f(ctx, i, JK_DEF, c[1 + k] + st * r);
        }
    }
    for (uint32_t k = 0; sh[k]; k++)
        if (sh[k] == JK_LATE) f(ctx, i, JK_USE, c[1 + k]);
}

/* ---- loop nesting and weights ---- */

struct weigh {
    struct jit_fn *fn;
    int32_t *depth; /* difference array, then nesting depth per instruction */
    uint32_t *wint, *wflt;
    bool bad;
};

static void mark_loop(void *ctx, uint32_t from, uint32_t to)
{
    struct weigh *w = ctx;
    if (to <= from) {
        w->depth[to]++;
        w->depth[from + 1]--;
    }
}

static uint32_t sat_add(uint32_t a, uint32_t b)
{
    return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

static void weigh_event(void *ctx, uint32_t i, int kind, uint32_t slot)
{
    struct weigh *w = ctx;
    struct jit_fn *fn = w->fn;
    if (slot >= fn->code->frame_size) {
        w->bad = true;
        return;
    }
    if (kind == JK_DEF) fn->written_slot[slot] = 1;
    int32_t d = w->depth[i] < 5 ? w->depth[i] : 5;
    uint32_t amount = 1u << (3 * d);
    enum wasm_op op = (enum wasm_op)fn->ins[i].op;
    bool flt = kind == JK_DEF ? jit_op_float_out(op) : jit_op_float_in(op);
    if (flt)
        w->wflt[slot] = sat_add(w->wflt[slot], amount);
    else
        w->wint[slot] = sat_add(w->wint[slot], amount);
}

/* Wide frames: marks the slots that hold a v128 somewhere (operands of
 * the 16-byte moves and of simd ops, v128 call arguments and results).
 * Every read or write of a v128 value is one of those, so a slot not
 * marked only ever holds scalars. */
static void mark_v128(const struct jit_fn *fn, uint8_t *v)
{
    uint32_t fs = fn->code->frame_size;
    for (uint32_t i = 0; i < fn->nins; i++) {
        const struct jit_ins *in = &fn->ins[i];
        const uint32_t *c = fn->code->cells + in->pos;
        uint32_t mask = 0;
        switch (in->op) {
        case OP_copy_w: mask = JS_D | JS_A; break;
        case OP_select_w: mask = JS_D | JS_A | JS_B; break;
        case OP_ret1_w: mask = JS_D; break; /* its A is cell 1 */
        case OP_global_get_w: mask = JS_D; break;
        case OP_global_set_w: mask = JS_A; break;
        case OP_simd: mask = jit_simd_operands(c[5]).v128; break;
        case OP_call:
        case OP_call_indirect: {
            const struct wasm_functype *t = jit_call_type(fn, in);
            uint32_t base = in->op == OP_call ? c[2] : c[4];
            for (uint32_t a = 0; a < t->nparams; a++)
                if (t->params[a] == WASM_V128 && base + 2 * a < fs) v[base + 2 * a] = 1;
            for (uint32_t r = 0; r < t->nresults; r++)
                if (t->results[r] == WASM_V128 && base + 2 * r < fs) v[base + 2 * r] = 1;
            break;
        }
        default: break;
        }
        for (uint32_t k = 0; k < 4; k++)
            if ((mask >> k & 1) && c[1 + k] < fs) v[c[1 + k]] = 1;
    }
}

/* Picks the candidates: the JIT_MAX_CANDS heaviest slots. Integer
 * constants are immediates and need no register; slots holding v128s
 * (v128, or NULL) stay in the frame. */
static void pick_candidates(struct jit_fn *fn, const uint32_t *wint, const uint32_t *wflt,
                            const uint8_t *v128)
{
    uint32_t n = 0, wt[JIT_MAX_CANDS];
    for (uint32_t s = 0; s < fn->code->frame_size; s++) {
        if (v128 && v128[s]) continue;
        uint32_t w = sat_add(wint[s], wflt[s]);
        if (jit_is_const(fn, s)) w = wflt[s];
        if (!w || (n == JIT_MAX_CANDS && w <= wt[n - 1])) continue;
        uint32_t j = n < JIT_MAX_CANDS ? n++ : n - 1;
        for (; j > 0 && wt[j - 1] < w; j--) {
            wt[j] = wt[j - 1];
            fn->cand[j] = fn->cand[j - 1];
        }
        wt[j] = w;
        fn->cand[j] = s;
    }
    fn->ncand = n;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t s = fn->cand[k];
        fn->cand_of[s] = (uint8_t)k;
        fn->cls[k] = wflt[s] > wint[s] ? JC_FLOAT : JC_INT;
    }
}

static int weigh(struct jit_fn *fn)
{
    uint32_t fs = fn->code->frame_size;
    struct weigh w = {fn, mem_zalloc(((size_t)fn->nins + 1) * sizeof(int32_t)),
                      mem_zalloc(((size_t)fs + 1) * sizeof(uint32_t)),
                      mem_zalloc(((size_t)fs + 1) * sizeof(uint32_t)), false};
    int rc = w.depth && w.wint && w.wflt ? 0 : ERR_NOMEM;
    for (uint32_t i = 0; i < fn->nins && !rc; i++)
        if (!for_targets(fn, i, mark_loop, &w)) rc = ERR_NOTSUP;
    for (uint32_t i = 1; i <= fn->nins && !rc; i++)
        w.depth[i] += w.depth[i - 1];
    for (uint32_t i = 0; i < fn->nins && !rc; i++)
        for_events(fn, i, weigh_event, &w);
    if (w.bad) rc = ERR_NOTSUP;
    uint8_t *v128 = NULL;
    if (!rc && fn->mod->wide) {
        v128 = mem_zalloc((size_t)fs + 1);
        if (!v128) rc = ERR_NOMEM;
        if (v128) mark_v128(fn, v128);
    }
    if (!rc) pick_candidates(fn, w.wint, w.wflt, v128);
    mem_free(v128);
    mem_free(w.depth);
    mem_free(w.wint);
    mem_free(w.wflt);
    return rc;
}

/* ---- liveness of the candidates (backward dataflow over blocks) ---- */

struct genkill {
    const struct jit_fn *fn;
    uint64_t gen, kill, mention, defs;
};

static void gk_event(void *ctx, uint32_t i, int kind, uint32_t slot)
{
    (void)i;
    struct genkill *g = ctx;
    int k = jit_cand(g->fn, slot);
    if (k < 0) return;
    uint64_t bit = 1ull << k;
    g->mention |= bit;
    if (kind == JK_DEF) g->defs |= bit;
    if (kind == JK_USE) {
        g->gen |= bit;
        g->kill &= ~bit;
    } else {
        g->gen &= ~bit;
        g->kill |= bit;
    }
}

/* gen/kill of instruction i: live_in = gen | (live_out & ~kill). Events
 * are composed backwards, so they are collected and replayed reversed
 * (calls and ret, which may have many, are handled without the list). */
struct evlist {
    uint32_t n;
    int kind[8];
    uint32_t slot[8];
};

static void collect(void *ctx, uint32_t i, int kind, uint32_t slot)
{
    (void)i;
    struct evlist *l = ctx;
    if (l->n < 8) {
        l->kind[l->n] = kind;
        l->slot[l->n++] = slot;
    }
}

static void ins_genkill(const struct jit_fn *fn, uint32_t i, struct genkill *g)
{
    struct evlist l = {0};
    g->gen = g->kill = g->mention = g->defs = 0;
    const struct jit_ins *in = &fn->ins[i];
    if (in->op == OP_call || in->op == OP_call_indirect) {
        /* uses (arguments and index) all come before the result defs */
        struct genkill d = {fn, 0, 0, 0, 0}, u = {fn, 0, 0, 0, 0};
        const uint32_t *c = fn->code->cells + in->pos;
        const struct wasm_functype *t = jit_call_type(fn, in);
        uint32_t base = in->op == OP_call ? c[2] : c[4], st = jit_stride(fn);
        for (uint32_t r = 0; r < t->nresults; r++)
            gk_event(&d, i, JK_DEF, base + st * r);
        for (uint32_t a = 0; a < t->nparams; a++)
            gk_event(&u, i, JK_USE, base + st * a);
        if (in->op == OP_call_indirect) gk_event(&u, i, JK_USE, c[3]);
        g->gen = u.gen;
        g->kill = d.kill & ~u.gen;
        g->mention = d.mention | u.mention;
        g->defs = d.defs;
        return;
    }
    if (in->op == OP_ret) {
        for (uint32_t r = 0; r < fn->code->nresults; r++)
            gk_event(g, i, JK_USE, jit_stride(fn) * r);
        return;
    }
    for_events(fn, i, collect, &l);
    for (uint32_t e = l.n; e-- > 0;)
        gk_event(g, i, l.kind[e], l.slot[e]);
}

struct blocks {
    uint32_t n;
    uint32_t *start; /* first instruction of block b; start[n] = nins */
    uint32_t *of;    /* block of each instruction */
    uint64_t *gen, *kill, *in, *out;
    uint32_t *succ, *succ_start, nsucc, succ_cap;
};

static void mark_target(void *ctx, uint32_t from, uint32_t to)
{
    (void)from;
    struct jit_fn *fn = ctx;
    fn->ins[to].flags |= JI_TARGET;
}

static void add_succ(void *ctx, uint32_t from, uint32_t to)
{
    (void)from;
    struct blocks *b = ctx;
    if (b->nsucc < b->succ_cap) b->succ[b->nsucc++] = b->of[to];
}

static int make_blocks(struct jit_fn *fn, struct blocks *b)
{
    uint32_t n = fn->nins, nbr = 0;
    for (uint32_t i = 0; i < n; i++) {
        for_targets(fn, i, mark_target, fn);
        nbr += has_branch(&fn->ins[i]) ? fn->ins[i].len : 0;
    }
    b->start = mem_alloc(((size_t)n + 2) * sizeof(uint32_t));
    b->of = mem_alloc(((size_t)n + 1) * sizeof(uint32_t));
    b->succ_cap = nbr + n + 1;
    b->succ = mem_alloc((size_t)b->succ_cap * sizeof(uint32_t));
    b->succ_start = mem_alloc(((size_t)n + 2) * sizeof(uint32_t));
    if (!b->start || !b->of || !b->succ || !b->succ_start) return ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        bool leader = i == 0 || (fn->ins[i].flags & JI_TARGET) || has_branch(&fn->ins[i - 1]) ||
                      !falls_through((enum wasm_op)fn->ins[i - 1].op);
        if (leader) b->start[b->n++] = i;
        b->of[i] = b->n - 1;
    }
    b->start[b->n] = n;
    for (uint32_t k = 0; k < b->n; k++) {
        uint32_t last = b->start[k + 1] - 1;
        b->succ_start[k] = b->nsucc;
        for_targets(fn, last, add_succ, b);
        if (falls_through((enum wasm_op)fn->ins[last].op) && k + 1 < b->n)
            b->succ[b->nsucc++] = k + 1;
    }
    b->succ_start[b->n] = b->nsucc;
    size_t sz = ((size_t)b->n + 1) * sizeof(uint64_t);
    b->gen = mem_zalloc(sz);
    b->kill = mem_zalloc(sz);
    b->in = mem_zalloc(sz);
    b->out = mem_zalloc(sz);
    return b->gen && b->kill && b->in && b->out ? 0 : ERR_NOMEM;
}

static void free_blocks(struct blocks *b)
{
    mem_free(b->start);
    mem_free(b->of);
    mem_free(b->succ);
    mem_free(b->succ_start);
    mem_free(b->gen);
    mem_free(b->kill);
    mem_free(b->in);
    mem_free(b->out);
}

static void solve(struct blocks *b)
{
    for (bool changed = true; changed;) {
        changed = false;
        for (uint32_t k = b->n; k-- > 0;) {
            uint64_t out = 0;
            for (uint32_t s = b->succ_start[k]; s < b->succ_start[k + 1]; s++)
                out |= b->in[b->succ[s]];
            uint64_t in = b->gen[k] | (out & ~b->kill[k]);
            if (out != b->out[k] || in != b->in[k]) changed = true;
            b->out[k] = out;
            b->in[k] = in;
        }
    }
}

static void widen(struct jit_fn *fn, uint64_t mask, uint32_t i)
{
    for (; mask; mask &= mask - 1) {
        int k = __builtin_ctzll(mask);
        if (i < fn->lo[k]) fn->lo[k] = i;
        if (i > fn->hi[k]) fn->hi[k] = i;
    }
}

static int liveness(struct jit_fn *fn)
{
    struct blocks b = {0};
    int rc = make_blocks(fn, &b);
    fn->live_out = mem_zalloc(((size_t)fn->nins + 1) * sizeof(uint64_t));
    if (!fn->live_out) rc = ERR_NOMEM;
    if (rc) {
        free_blocks(&b);
        return rc;
    }
    struct genkill g = {fn, 0, 0, 0, 0};
    for (uint32_t k = 0; k < b.n; k++) { /* compose the block's instructions backwards */
        uint64_t gen = 0, kill = 0;
        for (uint32_t i = b.start[k + 1]; i-- > b.start[k];) {
            ins_genkill(fn, i, &g);
            gen = g.gen | (gen & ~g.kill);
            kill = (kill | g.kill) & ~g.gen;
            fn->written |= g.defs;
        }
        b.gen[k] = gen;
        b.kill[k] = kill;
    }
    solve(&b);
    for (uint32_t k = 0; k < fn->ncand; k++) {
        fn->lo[k] = UINT32_MAX;
        fn->hi[k] = 0;
    }
    for (uint32_t k = 0; k < b.n; k++) {
        uint64_t live = b.out[k];
        for (uint32_t i = b.start[k + 1]; i-- > b.start[k];) {
            fn->live_out[i] = live;
            ins_genkill(fn, i, &g);
            uint64_t in = g.gen | (live & ~g.kill);
            widen(fn, live | in | g.mention, i);
            live = in;
        }
    }
    /* Live at entry (parameters, and locals read before written) is live
     * from the start: the prologue fills those registers. */
    fn->live_in = b.n ? b.in[0] : 0;
    widen(fn, fn->live_in, 0);
    free_blocks(&b);
    return 0;
}

/* ---- register assignment ---- */

static void assign(struct jit_fn *fn, const struct jit_regfile *rf)
{
    uint32_t nregs = rf->nint + rf->nfloat;
    for (uint32_t k = 0; k < fn->ncand; k++) { /* heaviest first */
        fn->reg[k] = JIT_NOREG;
        if (fn->lo[k] > fn->hi[k]) continue;
        for (uint32_t t = 0; t < nregs && fn->reg[k] == JIT_NOREG; t++) {
            /* the preferred class first, then the other one */
            uint32_t r = fn->cls[k] == JC_FLOAT ? (t + rf->nint) % nregs : t;
            bool free = true;
            for (uint32_t j = 0; j < k && free; j++)
                if (fn->reg[j] == r && fn->lo[j] <= fn->hi[k] && fn->lo[k] <= fn->hi[j])
                    free = false;
            if (free) fn->reg[k] = (uint8_t)r;
        }
    }
}

int jit_fn_analyze(struct jit_fn *fn, const struct wasm_module *mod, uint32_t index,
                   const struct jit_opmap *ops, const struct jit_regfile *rf)
{
    memset(fn, 0, sizeof *fn);
    fn->mod = mod;
    fn->index = index;
    fn->code = &mod->codes[index - mod->nfunc_imports];
    fn->const_base = fn->code->nparams + fn->code->nlocals;
    fn->cand_of = mem_alloc((size_t)fn->code->frame_size + 1);
    fn->written_slot = mem_zalloc((size_t)fn->code->frame_size + 1);
    if (!fn->cand_of || !fn->written_slot) return ERR_NOMEM;
    memset(fn->cand_of, 0xff, (size_t)fn->code->frame_size + 1);
    int rc = decode(fn, ops);
    if (!rc) rc = weigh(fn);
    if (!rc) rc = liveness(fn);
    if (!rc) assign(fn, rf);
    return rc;
}

void jit_fn_free(struct jit_fn *fn)
{
    mem_free(fn->ins);
    mem_free(fn->cand_of);
    mem_free(fn->written_slot);
    mem_free(fn->live_out);
    memset(fn, 0, sizeof *fn);
}
