/*
 * lib/wasm/compile.c - validates one function body (spec 3.3, with the
 * algorithm of the spec's appendix "Validation Algorithm") and, in the same
 * pass, translates it into the slot-based code of ops.h.
 *
 * Translation. Every operand-stack position h has a home slot TEMP(h) in
 * the frame. The compile-time stack records, per value, the slot that holds
 * it *now*: its home, a local (after local.get) or a constant-pool slot
 * (after a const). Instructions read their operands from wherever they are
 * and write results to their home, so local.get/const emit nothing. The
 * invariants that keep this correct:
 *   - before a local is written, stack values still reading it are copied
 *     to their homes ("materialized");
 *   - at every control-flow join (block/loop/if entry, block results,
 *     branch arguments, call arguments) values are in their homes, so all
 *     paths agree on where everything is.
 * Peepholes: an instruction whose result goes straight into local.set/tee
 * writes the local directly; an i32 compare followed by br_if/if becomes a
 * fused compare-and-branch.
 *
 * Slots are emitted tagged (TEMP/CONST) and rebased once the number of
 * constants is known (the frame is params, locals, constants, operands).
 * Code that follows an unconditional branch is validated but not emitted.
 */
#include "wasm/compile.h"

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "wasm/leb.h"

static const uint8_t valtype_bytes[] = {WASM_I32,     WASM_I64,       WASM_F32, WASM_F64,
                                        WASM_FUNCREF, WASM_EXTERNREF, WASM_V128};

static const uint8_t *valtype_ptr(uint8_t t)
{
    for (unsigned i = 0; i < sizeof valtype_bytes; i++)
        if (valtype_bytes[i] == t) return &valtype_bytes[i];
    return NULL;
}

void cc_bad_msg(struct cc *c, int code, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    wasm_fail(c->err, code, "%s (function %u, byte %u of its body)", msg, c->func,
              (unsigned)(c->p - c->start));
}

/* ---- reading the body ---- */

int cc_rd_byte(struct cc *c, uint8_t *out)
{
    if (c->p >= c->end) return bad(c, ERR_BADMSG, "unexpected end of section or function");
    *out = *c->p++;
    return 0;
}

int cc_rd_u32(struct cc *c, uint32_t *out)
{
    const char *e = leb_u32(&c->p, c->end, out);
    return e ? bad(c, ERR_BADMSG, "%s", e) : 0;
}

int cc_rd_zero(struct cc *c)
{
    uint8_t b;
    TRY(cc_rd_byte(c, &b));
    return b ? bad(c, ERR_BADMSG, "zero byte expected") : 0;
}

/* ---- emission ---- */

static bool grow(struct cc *c, void **buf, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap) return true;
    uint32_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *p = mem_realloc(*buf, (size_t)n * size);
    if (!p) {
        c->rc = ERR_NOMEM;
        return false;
    }
    *buf = p;
    *cap = n;
    return true;
}

static void emit_cell(struct cc *c, uint32_t v, bool is_slot)
{
    if (c->dead || c->rc) return;
    if (c->ncells >= MAX_CELLS) {
        c->rc = ERR_NOMEM;
        return;
    }
    uint32_t old = c->cells_cap;
    if (!grow(c, (void **)&c->cells, &c->cells_cap, c->ncells + 1, sizeof(uint32_t))) return;
    if (c->cells_cap != old) {
        uint32_t *r = mem_realloc(c->reloc, (c->cells_cap / 32 + 1) * sizeof(uint32_t));
        if (!r) {
            c->rc = ERR_NOMEM;
            return;
        }
        memset(r + old / 32, 0, (c->cells_cap / 32 + 1 - old / 32) * sizeof(uint32_t));
        c->reloc = r;
    }
    uint32_t i = c->ncells++;
    c->cells[i] = v;
    if (is_slot && ((v & TAG_MASK) || c->wide))
        c->reloc[i / 32] |= 1u << (i % 32);
    else
        c->reloc[i / 32] &= ~(1u << (i % 32));
}

/* Starts an instruction; returns its position. Forgets the peephole state. */
uint32_t cc_emit_op_as(struct cc *c, enum wasm_op handler, enum wasm_op op)
{
    uint32_t pos = c->ncells;
    c->last_pos = NONE;
    c->last_copy = NONE;
    if (!c->dead) {
        c->hist_pos[0] = c->hist_pos[1], c->hist_op[0] = c->hist_op[1];
        c->hist_pos[1] = pos, c->hist_op[1] = op;
    }
    emit_cell(c, (uint32_t)c->handlers[handler], false);
    return pos;
}

uint32_t cc_emit_op(struct cc *c, enum wasm_op op)
{
    return cc_emit_op_as(c, op, op);
}

void cc_emit_slot(struct cc *c, uint32_t slot)
{
    emit_cell(c, slot, true);
}
void cc_emit_imm(struct cc *c, uint32_t v)
{
    emit_cell(c, v, false);
}

/* A copy of a value of the given type (ANY: unknown); two in a row (the
 * phi moves of loops) become one copy2. In wide frames only a v128, or a
 * value of unknown type, takes the 16-byte copy_w: the JIT keeps copy_w's
 * slots in the frame, so a loop's scalar phi moves must stay plain copies
 * for its counters to get registers. */
static void emit_copy(struct cc *c, uint32_t dst, uint32_t src, uint8_t type)
{
    if (c->dead) return;
    if (c->wide && !cc_is_const(src) && (type == WASM_V128 || type == ANY)) {
        cc_emit_op(c, OP_copy_w);
        cc_emit_slot(c, dst);
        cc_emit_slot(c, src);
        return;
    }
    if (cc_is_const(src)) { /* the value itself: no frame slot for it */
        uint64_t v = cc_const_value(c, src);
        cc_emit_op(c, v >> 32 ? OP_const64 : OP_const32);
        cc_emit_slot(c, dst);
        cc_emit_imm(c, (uint32_t)v);
        if (v >> 32) cc_emit_imm(c, (uint32_t)(v >> 32));
        return;
    }
    if (c->last_copy != NONE && c->last_copy + 3 == c->ncells) {
        c->cells[c->last_copy] = (uint32_t)c->handlers[OP_copy2];
        c->last_copy = NONE;
        c->last_pos = NONE;
    } else {
        uint32_t pos = cc_emit_op(c, OP_copy);
        c->last_copy = pos;
    }
    cc_emit_slot(c, dst);
    cc_emit_slot(c, src);
}

/* Drops the code from pos on (used to re-emit a compare as fused branch). */
void cc_truncate_code(struct cc *c, uint32_t pos)
{
    for (uint32_t i = pos; i < c->ncells; i++)
        c->reloc[i / 32] &= ~(1u << (i % 32));
    c->ncells = pos;
    while (c->hist_pos[1] != NONE && c->hist_pos[1] >= pos) {
        c->hist_pos[1] = c->hist_pos[0], c->hist_op[1] = c->hist_op[0];
        c->hist_pos[0] = NONE;
    }
}

/* A code position that is a branch target: peepholes must not cross it. */
static uint32_t here_label(struct cc *c)
{
    c->last_pos = NONE;
    c->last_copy = NONE;
    c->hist_pos[0] = c->hist_pos[1] = NONE;
    return c->ncells;
}

/* Emits an R cell for a forward branch, linked into *chain. */
static void emit_fixup(struct cc *c, uint32_t *chain)
{
    if (c->dead) return;
    uint32_t pos = c->ncells;
    cc_emit_imm(c, *chain);
    if (!c->rc) *chain = pos;
}

/* Points every R cell of a chain at target. */
static void patch_chain(struct cc *c, uint32_t chain, uint32_t target)
{
    while (chain != NONE && !c->rc) {
        uint32_t next = c->cells[chain];
        c->cells[chain] = (uint32_t)(int32_t)(target - chain);
        chain = next;
    }
}

static void emit_backward(struct cc *c, uint32_t target)
{
    uint32_t pos = c->ncells;
    cc_emit_imm(c, (uint32_t)(int32_t)(target - pos));
}

/* ---- constants ---- */

uint32_t cc_const_slot(struct cc *c, uint64_t bits)
{
    if (c->rc) return TAG_CONST;
    if (c->nconsts * 2 >= c->hash_cap) {
        uint32_t ncap = c->hash_cap ? c->hash_cap * 2 : 64;
        uint32_t *h = mem_zalloc(ncap * sizeof(uint32_t));
        if (!h) {
            c->rc = ERR_NOMEM;
            return TAG_CONST;
        }
        for (uint32_t i = 0; i < c->nconsts; i++) {
            uint32_t k = (uint32_t)((c->consts[i] * 0x9e3779b97f4a7c15ull) >> 40) & (ncap - 1);
            while (h[k])
                k = (k + 1) & (ncap - 1);
            h[k] = i + 1;
        }
        mem_free(c->const_hash);
        c->const_hash = h;
        c->hash_cap = ncap;
    }
    uint32_t k = (uint32_t)((bits * 0x9e3779b97f4a7c15ull) >> 40) & (c->hash_cap - 1);
    while (c->const_hash[k]) {
        uint32_t i = c->const_hash[k] - 1;
        if (c->consts[i] == bits) return TAG_CONST | i;
        k = (k + 1) & (c->hash_cap - 1);
    }
    if (c->nconsts >= MAX_HEIGHT) {
        c->rc = ERR_NOMEM;
        return TAG_CONST;
    }
    if (!grow(c, (void **)&c->consts, &c->consts_cap, c->nconsts + 1, sizeof(uint64_t)))
        return TAG_CONST;
    c->consts[c->nconsts] = bits;
    c->const_hash[k] = ++c->nconsts;
    return TAG_CONST | (c->nconsts - 1);
}

/* ---- the operand stack ---- */

static bool is_local(uint32_t slot)
{
    return !(slot & TAG_MASK);
}

/* A value left the stack or stopped reading its local. */
static void forget_ref(struct cc *c, uint32_t slot)
{
    if (is_local(slot)) {
        c->refcnt[slot]--;
        c->nlazy--;
    }
}

int cc_push(struct cc *c, uint8_t type, uint32_t slot)
{
    if (c->height >= MAX_HEIGHT)
        return bad(c, ERR_NOMEM, "operand stack deeper than %u", MAX_HEIGHT);
    if (!grow(c, (void **)&c->stack, &c->stack_cap, c->height + 1, sizeof(struct cval)))
        return c->rc;
    c->stack[c->height++] = (struct cval){type, slot};
    if (c->height > c->max_height) c->max_height = c->height;
    if (is_local(slot)) {
        c->refcnt[slot]++;
        c->nlazy++;
    }
    return 0;
}

/* Pushes a value computed into its home slot; returns that slot. */
int cc_push_home(struct cc *c, uint8_t type, uint32_t *slot)
{
    *slot = TEMP(c->height);
    return cc_push(c, type, *slot);
}

struct cframe *cc_top_frame(struct cc *c)
{
    return &c->frames[c->nframes - 1];
}

int cc_pop(struct cc *c, uint8_t want, struct cval *out)
{
    struct cframe *f = cc_top_frame(c);
    if (c->height == f->height) {
        if (!f->unreachable)
            return bad(c, ERR_INVAL, "type mismatch: expected %s but the stack is empty",
                       want ? wasm_valtype_name(want) : "a value");
        *out = (struct cval){ANY, TEMP(c->height)};
        return 0;
    }
    *out = c->stack[--c->height];
    forget_ref(c, out->slot);
    if (want != ANY && out->type != ANY && out->type != want)
        return bad(c, ERR_INVAL, "type mismatch: expected %s, got %s", wasm_valtype_name(want),
                   wasm_valtype_name(out->type));
    return 0;
}

/* Copies stack value i to its home slot if it is elsewhere. */
static void materialize(struct cc *c, uint32_t i)
{
    if (c->stack[i].slot == TEMP(i)) return;
    emit_copy(c, TEMP(i), c->stack[i].slot, c->stack[i].type);
    forget_ref(c, c->stack[i].slot);
    c->stack[i].slot = TEMP(i);
}

/*
 * Before a control-flow split or join: no stack value may read a local.
 * Scanning stops at the deepest such value, which was pushed after the
 * last time there were none, so the scans cost O(1) per push in all.
 */
static void materialize_locals(struct cc *c)
{
    for (uint32_t i = c->height; c->nlazy && i-- > 0;)
        if (is_local(c->stack[i].slot)) materialize(c, i);
}

static void materialize_top(struct cc *c, uint32_t n)
{
    for (uint32_t i = c->height - n; i < c->height; i++)
        materialize(c, i);
}

/* The local is about to be written: values reading it move home first.
 * Readers usually sit near the top; if not, all of them go home at once
 * (see materialize_locals for why that is cheap overall). */
static bool local_is_read(struct cc *c, uint32_t x)
{
    return c->refcnt[x] != 0;
}

static void protect_local(struct cc *c, uint32_t x)
{
    for (uint32_t i = c->height, n = 0; c->refcnt[x] && i-- > 0 && n < 64; n++)
        if (c->stack[i].slot == x) materialize(c, i);
    if (c->refcnt[x]) materialize_locals(c);
}

/* Records that the op at pos wrote the value now on top of the stack. */
void cc_note_result(struct cc *c, uint32_t pos, enum wasm_op op)
{
    if (c->dead) return;
    c->last_pos = pos;
    c->last_h = c->height - 1;
    c->last_op = op;
}

/* ---- control frames ---- */

static int push_frame(struct cc *c, uint8_t kind, uint32_t np, const uint8_t *params, uint32_t nr,
                      const uint8_t *results)
{
    if (c->nframes >= WASM_MAX_BLOCK_DEPTH)
        return bad(c, ERR_NOMEM, "blocks nested deeper than %u", WASM_MAX_BLOCK_DEPTH);
    if (!grow(c, (void **)&c->frames, &c->frames_cap, c->nframes + 1, sizeof(struct cframe)))
        return c->rc;
    c->frames[c->nframes++] = (struct cframe){
        .kind = kind,
        .live_in = !c->dead,
        .height = c->height - np,
        .nparams = np,
        .nresults = nr,
        .params = params,
        .results = results,
        .fixups = NONE,
        .else_fixup = NONE,
    };
    return 0;
}

/* The label types of a frame: params for a loop, results otherwise. */
static uint32_t label_arity(const struct cframe *f)
{
    return f->kind == FR_LOOP ? f->nparams : f->nresults;
}

static const uint8_t *label_types(const struct cframe *f)
{
    return f->kind == FR_LOOP ? f->params : f->results;
}

static int pop_types(struct cc *c, uint32_t n, const uint8_t *types)
{
    struct cval v;
    for (uint32_t i = n; i-- > 0;)
        TRY(cc_pop(c, types[i], &v));
    return 0;
}

/*
 * Pops n values of the given types and pushes them back typed as given,
 * each keeping its slot (spec: push_vals(pop_vals(types)) for br_if and
 * block params). In a polymorphic stack missing values become home values.
 */
static int pop_repush(struct cc *c, uint32_t n, const uint8_t *types)
{
    uint32_t base = c->height;
    TRY(pop_types(c, n, types));
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = c->height;
        TRY(cc_push(c, types[i], h < base ? c->stack[h].slot : TEMP(h)));
    }
    return 0;
}

/* Checks (without popping) that the top of the stack matches types. */
static int check_top(struct cc *c, uint32_t n, const uint8_t *types)
{
    struct cframe *f = cc_top_frame(c);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t depth = n - i; /* position from the top */
        if (c->height < f->height + depth) {
            if (!f->unreachable)
                return bad(c, ERR_INVAL, "type mismatch: branch needs %u values", n);
            continue;
        }
        uint8_t t = c->stack[c->height - depth].type;
        if (t != ANY && t != types[i])
            return bad(c, ERR_INVAL, "type mismatch: branch value %u is %s, not %s", i,
                       wasm_valtype_name(t), wasm_valtype_name(types[i]));
    }
    return 0;
}

/* spec: unreachable() - the stack becomes polymorphic, nothing is emitted. */
static void set_unreachable(struct cc *c)
{
    struct cframe *f = cc_top_frame(c);
    while (c->height > f->height)
        forget_ref(c, c->stack[--c->height].slot);
    f->unreachable = true;
    c->dead = true;
    c->last_pos = NONE;
}

static int label_frame(struct cc *c, uint32_t depth, struct cframe **out)
{
    if (depth >= c->nframes) return bad(c, ERR_INVAL, "unknown label %u", depth);
    *out = &c->frames[c->nframes - 1 - depth];
    return 0;
}

/* Emits the function's return with the top nresults values. */
static void emit_return(struct cc *c)
{
    uint32_t n = c->code->nresults;
    if (c->dead) return;
    if (n == 1) {
        cc_emit_op(c, c->wide ? OP_ret1_w : OP_ret1);
        cc_emit_slot(c, c->stack[c->height - 1].slot);
        return;
    }
    /* Homes are above every result slot 0..n-1 (see the frame layout), so
     * copying upwards in order never overwrites a source not yet read. */
    materialize_top(c, n);
    for (uint32_t i = 0; i < n; i++)
        emit_copy(c, i, TEMP(c->height - n + i), c->stack[c->height - n + i].type);
    cc_emit_op(c, OP_ret);
}

/* Do the label's values need moving before a branch to frame f? */
static bool needs_moves(struct cc *c, const struct cframe *f)
{
    uint32_t n = label_arity(f);
    for (uint32_t i = 0; i < n; i++)
        if (c->stack[c->height - n + i].slot != TEMP(f->height + i)) return true;
    return false;
}

/* Moves the top label_arity(f) values to the label's slots. Sources are at
 * or above their destination, so in-order copies are safe. */
static void emit_moves(struct cc *c, const struct cframe *f)
{
    uint32_t n = label_arity(f);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t src = c->stack[c->height - n + i].slot;
        if (src != TEMP(f->height + i))
            emit_copy(c, TEMP(f->height + i), src, c->stack[c->height - n + i].type);
    }
}

/* The R cell of a branch to frame f (after any moves). */
static void emit_target(struct cc *c, struct cframe *f)
{
    if (c->dead) return;
    if (f->kind == FR_LOOP) {
        emit_backward(c, f->start);
    } else {
        f->label_used = true;
        emit_fixup(c, &f->fixups);
    }
}

/* An unconditional branch with its moves (or a return). */
static void emit_branch(struct cc *c, struct cframe *f)
{
    if (c->dead) return;
    if (f->kind == FR_FUNC) {
        emit_return(c);
        return;
    }
    emit_moves(c, f);
    cc_emit_op(c, OP_br);
    emit_target(c, f);
}

/* ---- conditions and fused compare-and-branch ---- */

static bool is_fusable_cmp(enum wasm_op op)
{
    return (op >= OP_i32_eqz && op <= OP_i32_ge_u) || (op >= OP_i64_eqz && op <= OP_i64_ge_u) ||
           op == OP_i32_and || op == OP_i32_and_imm;
}

/* Pops an i32 condition; if the op just emitted computed it with an i32
 * compare, takes the compare back so the branch can do it itself. */
static int pop_cond(struct cc *c, struct cond *cd)
{
    struct cval v;
    bool fuse = !c->dead && c->last_pos != NONE && is_fusable_cmp(c->last_op) &&
                c->height > cc_top_frame(c)->height && c->last_h == c->height - 1 &&
                c->stack[c->height - 1].slot == TEMP(c->height - 1);
    TRY(cc_pop(c, WASM_I32, &v));
    cd->cmp = OP_COUNT;
    cd->a = v.slot;
    if (fuse) {
        uint32_t pos = c->last_pos;
        cd->cmp = c->last_op;
        cd->a = c->cells[pos + 2];
        if (c->last_op != OP_i32_eqz && c->last_op != OP_i64_eqz) cd->b = c->cells[pos + 3];
        cc_truncate_code(c, pos);
        c->last_pos = NONE;
    }
    return 0;
}

/* Emits a conditional branch taken when the condition is `when`; returns
 * nothing - the caller emits the R cell next. */
/* a cmp b == b mirror(cmp) a, for the i32 compares eq .. ge_u in order. */
static const uint8_t mirrored[10] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7};

/* An i32 compare (or i32.and) with a constant operand as [A IMM R]. */
static bool emit_cond_imm(struct cc *c, const struct cond *cd, bool when)
{
    uint32_t a = cd->a, b = cd->b;
    enum wasm_op op;
    if (cd->cmp == OP_i32_and_imm) {
        op = when ? OP_br_and_imm : OP_brn_and_imm;
    } else if (cd->cmp == OP_i32_and || (cd->cmp >= OP_i32_eq && cd->cmp <= OP_i32_ge_u)) {
        unsigned k = cd->cmp == OP_i32_and ? 0 : (unsigned)(cd->cmp - OP_i32_eq);
        if (!cc_is_const(b)) {
            if (!cc_is_const(a)) return false;
            a = cd->b, b = cd->a;
            k = cd->cmp == OP_i32_and ? 0 : mirrored[k];
        }
        b = (uint32_t)cc_const_value(c, b);
        if (cd->cmp == OP_i32_and)
            op = when ? OP_br_and_imm : OP_brn_and_imm;
        else
            op = (enum wasm_op)((when ? OP_br_eq_imm : OP_brn_eq_imm) + k);
    } else {
        return false;
    }
    cc_emit_op(c, op);
    cc_emit_slot(c, a);
    cc_emit_imm(c, b);
    return true;
}

/*
 * An i32/i64 compare-and-branch on the sum that the instruction just before
 * computed (`i += k; if (i < n) continue`) becomes one add-and-branch.
 */
static bool emit_add_branch(struct cc *c, const struct cond *cd, bool when)
{
    bool w32 = cd->cmp >= OP_i32_eq && cd->cmp <= OP_i32_ge_u;
    bool w64 = cd->cmp >= OP_i64_eq && cd->cmp <= OP_i64_ge_u;
    uint32_t pos = c->hist_pos[1];
    enum wasm_op add = c->hist_op[1];
    if ((!w32 && !w64) || pos == NONE || pos + 4 != c->ncells ||
        !(w32 ? add == OP_i32_add || add == OP_i32_add_imm : add == OP_i64_add) ||
        c->cells[pos + 1] != cd->a)
        return false;
    uint32_t d = c->cells[pos + 1], a = c->cells[pos + 2], b = c->cells[pos + 3];
    if (add == OP_i32_add_imm) b = cc_const_slot(c, b);
    cc_truncate_code(c, pos);
    unsigned k = (unsigned)(cd->cmp - (w32 ? OP_i32_eq : OP_i64_eq));
    enum wasm_op op =
        w32 ? (when ? OP_add32_br_eq : OP_add32_brn_eq) : (when ? OP_add64_br_eq : OP_add64_brn_eq);
    cc_emit_op(c, (enum wasm_op)(op + k));
    cc_emit_slot(c, d);
    cc_emit_slot(c, a);
    cc_emit_slot(c, b);
    cc_emit_slot(c, cd->b);
    return true;
}

static void emit_cond_op(struct cc *c, const struct cond *cd, bool when)
{
    enum wasm_op op;
    if (emit_add_branch(c, cd, when) || emit_cond_imm(c, cd, when)) return;
    switch (cd->cmp) {
    case OP_COUNT: op = when ? OP_br_if : OP_br_unless; break;
    case OP_i32_eqz: op = when ? OP_br_unless : OP_br_if; break;
    case OP_i64_eqz: op = when ? OP_br_unless64 : OP_br_if64; break;
    default:
        if (cd->cmp == OP_i32_and)
            op = when ? OP_br_and : OP_brn_and;
        else if (cd->cmp <= OP_i32_ge_u)
            op = (enum wasm_op)((when ? OP_br_eq : OP_brn_eq) + (cd->cmp - OP_i32_eq));
        else
            op = (enum wasm_op)((when ? OP_br64_eq : OP_brn64_eq) + (cd->cmp - OP_i64_eq));
        cc_emit_op(c, op);
        cc_emit_slot(c, cd->a);
        cc_emit_slot(c, cd->b);
        return;
    }
    cc_emit_op(c, op);
    cc_emit_slot(c, cd->a);
}

/* ---- block types and structured control (spec 3.3.8) ---- */

static int rd_blocktype(struct cc *c, uint32_t *np, const uint8_t **params, uint32_t *nr,
                        const uint8_t **results)
{
    if (c->p >= c->end) return bad(c, ERR_BADMSG, "unexpected end");
    uint8_t b = *c->p;
    *np = *nr = 0;
    *params = *results = NULL;
    if (b == 0x40) {
        c->p++;
        return 0;
    }
    if (valtype_ptr(b)) {
        c->p++;
        *nr = 1;
        *results = valtype_ptr(b);
        return 0;
    }
    int64_t idx;
    const char *e = leb_sN(&c->p, c->end, 33, &idx);
    if (e) return bad(c, ERR_BADMSG, "%s", e);
    if (idx < 0) return bad(c, ERR_BADMSG, "malformed block type");
    if ((uint64_t)idx >= c->m->ntypes)
        return bad(c, ERR_INVAL, "unknown type %lld", (long long)idx);
    const struct wasm_functype *t = &c->m->types[idx];
    *np = t->nparams, *params = t->params;
    *nr = t->nresults, *results = t->results;
    return 0;
}

/* block, loop, if: params must be home before the frame starts. */
static int op_block(struct cc *c, uint8_t kind)
{
    uint32_t np, nr;
    const uint8_t *params, *results;
    struct cond cd = {OP_COUNT, 0, 0};
    TRY(rd_blocktype(c, &np, &params, &nr, &results));
    if (kind == FR_IF) TRY(pop_cond(c, &cd));
    TRY(pop_repush(c, np, params));
    if (!c->dead) {
        materialize_locals(c);
        materialize_top(c, np);
    }
    TRY(push_frame(c, kind, np, params, nr, results));
    struct cframe *f = cc_top_frame(c);
    if (kind == FR_LOOP) f->start = here_label(c);
    if (kind == FR_IF && !c->dead) {
        emit_cond_op(c, &cd, false);
        emit_fixup(c, &f->else_fixup);
    }
    c->last_pos = NONE;
    return 0;
}

static int op_else(struct cc *c)
{
    struct cframe *f = cc_top_frame(c);
    if (f->kind != FR_IF || f->has_else) return bad(c, ERR_BADMSG, "else without if");
    if (!c->dead && c->height == f->height + f->nresults) materialize_top(c, f->nresults);
    TRY(pop_types(c, f->nresults, f->results));
    if (c->height != f->height)
        return bad(c, ERR_INVAL, "type mismatch: values left at the end of the then arm");
    if (!c->dead) {
        cc_emit_op(c, OP_br);
        f->label_used = true;
        emit_fixup(c, &f->fixups);
    }
    c->dead = !f->live_in;
    patch_chain(c, f->else_fixup, here_label(c));
    f->else_fixup = NONE;
    f->has_else = true;
    f->unreachable = false;
    for (uint32_t i = 0; i < f->nparams; i++)
        TRY(cc_push(c, f->params[i], TEMP(c->height)));
    return 0;
}

/* end of a block, loop or if (not of the function). */
static int op_end(struct cc *c)
{
    struct cframe f = *cc_top_frame(c);
    bool live = !c->dead;
    if (live && c->height == f.height + f.nresults) materialize_top(c, f.nresults);
    TRY(pop_types(c, f.nresults, f.results));
    if (c->height != f.height)
        return bad(c, ERR_INVAL, "type mismatch: values left at the end of a block");
    if (f.kind == FR_IF && !f.has_else &&
        (f.nparams != f.nresults || memcmp(f.params, f.results, f.nparams)))
        return bad(c, ERR_INVAL, "type mismatch: if without else must not change the stack type");
    uint32_t here = here_label(c);
    patch_chain(c, f.fixups, here);
    patch_chain(c, f.else_fixup, here);
    live = live || f.label_used || (f.kind == FR_IF && !f.has_else && f.live_in);
    if (f.kind == FR_LOOP) live = !c->dead;
    c->nframes--;
    c->dead = !live;
    for (uint32_t i = 0; i < f.nresults; i++)
        TRY(cc_push(c, f.results[i], TEMP(c->height)));
    return 0;
}

static int op_br(struct cc *c)
{
    uint32_t depth;
    struct cframe *f;
    TRY(cc_rd_u32(c, &depth));
    TRY(label_frame(c, depth, &f));
    TRY(check_top(c, label_arity(f), label_types(f)));
    emit_branch(c, f);
    set_unreachable(c);
    return 0;
}

static int op_br_if(struct cc *c)
{
    uint32_t depth;
    struct cframe *f;
    struct cond cd;
    TRY(cc_rd_u32(c, &depth));
    TRY(label_frame(c, depth, &f));
    TRY(pop_cond(c, &cd));
    TRY(pop_repush(c, label_arity(f), label_types(f)));
    if (c->dead) return 0;
    if (f->kind != FR_FUNC && !needs_moves(c, f)) {
        emit_cond_op(c, &cd, true);
        emit_target(c, f);
        return 0;
    }
    uint32_t skip = NONE;
    emit_cond_op(c, &cd, false);
    emit_fixup(c, &skip);
    emit_branch(c, f);
    patch_chain(c, skip, here_label(c));
    return 0;
}

/*
 * br_table: entries whose label needs value moves go through one stub per
 * label, emitted after the table. Per label depth, `seen` caches the type
 * check and the stub decision, so a table costs its length plus each
 * distinct label's arity once.
 */
#define UNSEEN     0xffffffffu
#define DIRECT     0xfffffffeu
#define NEEDS_STUB 0xfffffffdu

static int br_table_check(struct cc *c, const uint32_t *depths, uint32_t n, uint32_t *seen)
{
    uint32_t arity = 0;
    struct cframe *f;
    for (uint32_t d = 0; d < c->nframes; d++)
        seen[d] = UNSEEN;
    for (uint32_t i = 0; i <= n; i++) {
        TRY(label_frame(c, depths[i], &f));
        if (i == 0)
            arity = label_arity(f);
        else if (label_arity(f) != arity)
            return bad(c, ERR_INVAL, "type mismatch: br_table labels of different arity");
        if (seen[depths[i]] == UNSEEN) {
            TRY(check_top(c, arity, label_types(f)));
            seen[depths[i]] = DIRECT;
        }
    }
    return 0;
}

static void br_table_emit(struct cc *c, const uint32_t *depths, uint32_t n, uint32_t *seen,
                          uint32_t idx_slot)
{
    struct cframe *f = NULL; /* set by label_frame; depths are validated */
    cc_emit_op(c, OP_br_table);
    cc_emit_slot(c, idx_slot);
    cc_emit_imm(c, n);
    uint32_t first = c->ncells;
    for (uint32_t i = 0; i <= n; i++) { /* depths[n] is the default */
        label_frame(c, depths[i], &f);
        if (seen[depths[i]] == DIRECT && (f->kind == FR_FUNC || needs_moves(c, f)))
            seen[depths[i]] = NEEDS_STUB;
        if (seen[depths[i]] == DIRECT)
            emit_target(c, f);
        else
            cc_emit_imm(c, 0); /* a stub's offset, patched below */
    }
    for (uint32_t i = 0; i <= n && !c->rc; i++) {
        uint32_t d = depths[i];
        if (seen[d] == DIRECT) continue;
        if (seen[d] == NEEDS_STUB) {
            label_frame(c, d, &f);
            seen[d] = here_label(c);
            emit_branch(c, f);
        }
        if (!c->rc) c->cells[first + i] = (uint32_t)(int32_t)(seen[d] - (first + i));
    }
}

static int op_br_table(struct cc *c)
{
    uint32_t n;
    struct cval idx = {0, 0};
    TRY(cc_rd_u32(c, &n));
    if (n > (size_t)(c->end - c->p)) return bad(c, ERR_BADMSG, "unexpected end: br_table length");
    uint32_t *depths = mem_alloc(((size_t)n + 1) * sizeof(uint32_t));
    uint32_t *seen = mem_alloc(((size_t)c->nframes + 1) * sizeof(uint32_t));
    int rc = depths && seen ? 0 : bad(c, ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i <= n && !rc; i++)
        rc = cc_rd_u32(c, &depths[i]);
    if (!rc) rc = cc_pop(c, WASM_I32, &idx);
    if (!rc) rc = br_table_check(c, depths, n, seen);
    if (!rc && !c->dead) br_table_emit(c, depths, n, seen, idx.slot);
    mem_free(depths);
    mem_free(seen);
    TRY(rc);
    set_unreachable(c);
    return 0;
}

/* ---- calls (spec 3.3.8 call, call_indirect) ---- */

static int emit_call_args(struct cc *c, const struct wasm_functype *t, uint32_t *base)
{
    if (!c->dead && c->height >= cc_top_frame(c)->height + t->nparams)
        materialize_top(c, t->nparams);
    TRY(pop_types(c, t->nparams, t->params));
    *base = TEMP(c->height);
    return 0;
}

static int push_results(struct cc *c, const struct wasm_functype *t)
{
    for (uint32_t i = 0; i < t->nresults; i++)
        TRY(cc_push(c, t->results[i], TEMP(c->height)));
    return 0;
}

static int op_call(struct cc *c)
{
    uint32_t f, base;
    TRY(cc_rd_u32(c, &f));
    if (f >= c->m->nfuncs) return bad(c, ERR_INVAL, "unknown function %u", f);
    const struct wasm_functype *t = mod_func_type(c->m, f);
    TRY(emit_call_args(c, t, &base));
    cc_emit_op(c, OP_call);
    cc_emit_imm(c, f);
    cc_emit_slot(c, base);
    return push_results(c, t);
}

static int op_call_indirect(struct cc *c)
{
    uint32_t ty, table, base;
    struct cval idx;
    TRY(cc_rd_u32(c, &ty));
    TRY(cc_rd_u32(c, &table));
    if (table >= c->m->ntables) return bad(c, ERR_INVAL, "unknown table %u", table);
    if (ty >= c->m->ntypes) return bad(c, ERR_INVAL, "unknown type %u", ty);
    if (c->m->tables[table].elem_type != WASM_FUNCREF)
        return bad(c, ERR_INVAL, "type mismatch: call_indirect on a table of externref");
    TRY(cc_pop(c, WASM_I32, &idx));
    const struct wasm_functype *t = &c->m->types[ty];
    TRY(emit_call_args(c, t, &base));
    cc_emit_op(c, OP_call_indirect);
    cc_emit_imm(c, ty);
    cc_emit_imm(c, table);
    cc_emit_slot(c, idx.slot);
    cc_emit_slot(c, base);
    return push_results(c, t);
}

/* ---- variables (spec 3.3.7) ---- */

static int rd_local(struct cc *c, uint32_t *x)
{
    TRY(cc_rd_u32(c, x));
    if (*x >= c->nlocals_total) return bad(c, ERR_INVAL, "unknown local %u", *x);
    return 0;
}

/* local.set / local.tee: write the local, directly from the last op if it
 * just computed the value (and nothing else still reads the local). */
static int op_local_set(struct cc *c, bool tee)
{
    uint32_t x;
    struct cval v;
    TRY(rd_local(c, &x));
    TRY(cc_pop(c, c->local_types[x], &v));
    if (c->dead || v.slot == x) return tee ? cc_push(c, c->local_types[x], v.slot) : 0;
    if (c->last_pos != NONE && c->last_h == c->height && v.slot == TEMP(c->height) &&
        !local_is_read(c, x)) {
        uint32_t dst = c->last_pos + 1;
        c->cells[dst] = x;
        if (c->wide) /* in wide frames every slot cell is rebased */
            c->reloc[dst / 32] |= 1u << (dst % 32);
        else
            c->reloc[dst / 32] &= ~(1u << (dst % 32));
        c->last_pos = NONE;
        return tee ? cc_push(c, c->local_types[x], x) : 0;
    }
    protect_local(c, x);
    emit_copy(c, x, v.slot, c->local_types[x]);
    return tee ? cc_push(c, c->local_types[x], v.slot) : 0;
}

static int op_global(struct cc *c, bool set)
{
    uint32_t g, slot;
    struct cval v;
    TRY(cc_rd_u32(c, &g));
    if (g >= c->m->nglobals) return bad(c, ERR_INVAL, "unknown global %u", g);
    const struct mod_global *mg = &c->m->globals[g];
    if (set) {
        if (!mg->mut) return bad(c, ERR_INVAL, "global is immutable");
        TRY(cc_pop(c, mg->type, &v));
        cc_emit_op(c, mg->type == WASM_V128 ? OP_global_set_w : OP_global_set);
        cc_emit_imm(c, g);
        cc_emit_slot(c, v.slot);
        return 0;
    }
    TRY(cc_push_home(c, mg->type, &slot));
    enum wasm_op op = mg->type == WASM_V128 ? OP_global_get_w : OP_global_get;
    uint32_t pos = cc_emit_op(c, op);
    cc_emit_slot(c, slot);
    cc_emit_imm(c, g);
    cc_note_result(c, pos, op);
    return 0;
}

/* ---- the instruction loop ---- */

/* One instruction; *done is set by the function's final `end`. */
static int compile_instr(struct cc *c, bool *done)
{
    uint8_t op;
    TRY(cc_rd_byte(c, &op));
    if (op >= 0x45 && op <= 0xc4) return cc_op_numeric(c, op);
    if (op >= 0x28 && op <= 0x3e) return cc_op_memory(c, op);
    switch (op) {
    case 0x00:
        cc_emit_op(c, OP_unreachable);
        set_unreachable(c);
        return 0;
    case 0x01: return 0;
    case 0x02: return op_block(c, FR_BLOCK);
    case 0x03: return op_block(c, FR_LOOP);
    case 0x04: return op_block(c, FR_IF);
    case 0x05: return op_else(c);
    case 0x0b:
        if (c->nframes > 1) return op_end(c);
        TRY(check_top(c, c->code->nresults, c->frames[0].results));
        if (c->height > c->code->nresults ||
            (c->height < c->code->nresults && !c->frames[0].unreachable))
            return bad(c, ERR_INVAL, "type mismatch: values left at the end of the function");
        patch_chain(c, c->frames[0].fixups, here_label(c));
        emit_return(c);
        *done = true;
        return 0;
    case 0x0c: return op_br(c);
    case 0x0d: return op_br_if(c);
    case 0x0e: return op_br_table(c);
    case 0x0f:
        TRY(check_top(c, c->code->nresults, c->frames[0].results));
        emit_return(c);
        set_unreachable(c);
        return 0;
    case 0x10: return op_call(c);
    case 0x11: return op_call_indirect(c);
    case 0x1a: {
        struct cval v;
        return cc_pop(c, ANY, &v);
    }
    case 0x1b: return cc_op_select(c, false);
    case 0x1c: return cc_op_select(c, true);
    case 0x20: {
        uint32_t x;
        TRY(rd_local(c, &x));
        return cc_push(c, c->local_types[x], x);
    }
    case 0x21: return op_local_set(c, false);
    case 0x22: return op_local_set(c, true);
    case 0x23: return op_global(c, false);
    case 0x24: return op_global(c, true);
    case 0x25:
    case 0x26: return cc_op_table(c, op);
    case 0x3f:
    case 0x40: return cc_op_memory_size(c, op);
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x44: return cc_op_const(c, op);
    case 0xd0:
    case 0xd1:
    case 0xd2: return cc_op_ref(c, op);
    case 0xfc: return cc_op_prefixed(c);
    case 0xfd:
        if (!c->wide) return ERR_AGAIN; /* recompiled with wide frames (wasm_compile_function) */
        return cc_op_simd(c);
    }
    return bad(c, ERR_BADMSG, "illegal opcode 0x%02x", op);
}

/* Reads the local declarations (already checked by decode.c). */
static int read_locals(struct cc *c, const struct wasm_functype *t)
{
    struct wasm_code *code = c->code;
    uint32_t ngroups, n, k = t->nparams;
    c->nlocals_total = t->nparams + code->nlocals;
    c->local_types = mem_alloc(c->nlocals_total + 1);
    c->refcnt = mem_zalloc(((size_t)c->nlocals_total + 1) * sizeof(uint32_t));
    if (!c->local_types || !c->refcnt) return bad(c, ERR_NOMEM, "out of memory");
    memcpy(c->local_types, t->params, t->nparams);
    TRY(cc_rd_u32(c, &ngroups));
    for (uint32_t i = 0; i < ngroups; i++) {
        uint8_t type;
        TRY(cc_rd_u32(c, &n));
        TRY(cc_rd_byte(c, &type));
        for (uint32_t j = 0; j < n && k < c->nlocals_total; j++)
            c->local_types[k++] = type;
    }
    return 0;
}

/* Rebases tagged slots now that the constant count is known. */
/*
 * Rebases tagged slots: only constants still named as slot operands get
 * frame slots (the others became immediates); they are packed into
 * c->consts in order, and the operand area follows them. Returns the
 * number of constant slots, or -1 on allocation failure.
 */
static int64_t relocate(struct cc *c)
{
    uint32_t const_base = c->code->nparams + c->code->nlocals, used = 0;
    uint32_t *remap = mem_alloc(((size_t)c->nconsts + 1) * sizeof(uint32_t));
    if (!remap) return -1;
    for (uint32_t k = 0; k < c->nconsts; k++)
        remap[k] = NONE;
    for (uint32_t i = 0; i < c->ncells; i++)
        if ((c->reloc[i / 32] & (1u << (i % 32))) && cc_is_const(c->cells[i]))
            remap[c->cells[i] & ~TAG_MASK] = 0;
    for (uint32_t k = 0; k < c->nconsts; k++)
        if (remap[k] == 0) {
            c->consts[used] = c->consts[k];
            remap[k] = used++;
        }
    uint32_t temp_base = const_base + used, scale = c->wide ? 2 : 1;
    for (uint32_t i = 0; i < c->ncells; i++) {
        if (!(c->reloc[i / 32] & (1u << (i % 32)))) continue;
        uint32_t v = c->cells[i];
        if (!(v & TAG_MASK))
            c->cells[i] = v * scale; /* a local (wide frames only) */
        else
            c->cells[i] = scale * ((v & TAG_TEMP) ? temp_base + (v & ~TAG_MASK)
                                                  : const_base + remap[v & ~TAG_MASK]);
    }
    mem_free(remap);
    return used;
}

static int compile_body(struct cc *c, const struct wasm_functype *t)
{
    TRY(read_locals(c, t));
    TRY(push_frame(c, FR_FUNC, 0, NULL, t->nresults, t->results));
    bool done = false;
    while (!done) {
        TRY(compile_instr(c, &done));
        if (c->rc) return bad(c, c->rc, "out of memory (function too large)");
    }
    if (c->p != c->end)
        return bad(c, ERR_BADMSG, "section size mismatch: bytes after the function's end");
    return 0;
}

/*
 * Wide frames (modules that use v128): slot i of the translation is 8-byte
 * slots 2i and 2i+1 of the frame. The cells are already rebased (relocate);
 * the counts that the interpreter's call sequence uses become 8-byte slot
 * counts, and each constant gets a zero upper half.
 */
static int widen_code(struct wasm_code *code, struct wasm_error *err)
{
    uint64_t *k = mem_zalloc(((size_t)code->nconsts * 2 + 1) * sizeof(uint64_t));
    if (!k) return wasm_fail(err, ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < code->nconsts; i++)
        k[2 * i] = code->consts[i];
    mem_free(code->consts);
    code->consts = k;
    code->nparams *= 2;
    code->nlocals *= 2;
    code->nconsts *= 2;
    code->frame_size *= 2;
    return 0;
}

int wasm_compile_function(struct wasm_module *m, uint32_t i, struct wasm_error *err)
{
    struct wasm_code *code = &m->codes[i];
    struct cc c = {
        .m = m,
        .code = code,
        .err = err,
        .func = m->nfunc_imports + i,
        .p = code->body,
        .end = code->body_end,
        .start = code->body,
        .handlers = interp_handlers(),
        .last_pos = NONE,
        .last_copy = NONE,
        .hist_pos = {NONE, NONE},
        .wide = m->wide,
    };
    const struct wasm_functype *t = mod_func_type(m, c.func);
    int rc = compile_body(&c, t);
    if (!rc && c.max_height + c.nconsts + c.nlocals_total >= TAG_CONST)
        rc = bad(&c, ERR_NOMEM, "frame too large");
    int64_t nconsts = rc ? 0 : relocate(&c);
    if (nconsts < 0) rc = bad(&c, ERR_NOMEM, "out of memory");
    if (!rc) {
        code->cells = c.cells;
        code->ncells = c.ncells;
        code->consts = c.consts;
        code->nconsts = (uint32_t)nconsts;
        code->frame_size = c.nlocals_total + code->nconsts + c.max_height;
        if (code->frame_size < code->nresults) code->frame_size = code->nresults;
        c.cells = NULL;
        c.consts = NULL;
        if (c.wide) rc = widen_code(code, err);
    }
    mem_free(c.cells);
    mem_free(c.consts);
    mem_free(c.reloc);
    mem_free(c.const_hash);
    mem_free(c.stack);
    mem_free(c.frames);
    mem_free(c.local_types);
    mem_free(c.refcnt);
    return rc;
}
