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
#include "wasm/internal.h"

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "wasm/leb.h"
#include "wasm/ops.h"

#define NONE 0xffffffffu
#define TAG_TEMP 0x80000000u
#define TAG_CONST 0x40000000u
#define TAG_MASK 0xc0000000u
#define TEMP(h) (TAG_TEMP | (h))
#define MAX_HEIGHT (1u << 20)
#define MAX_CELLS (1u << 24)
#define ANY 0 /* the unknown type of a polymorphic stack */

enum { FR_FUNC, FR_BLOCK, FR_LOOP, FR_IF };

struct cval {
    uint8_t type;
    uint32_t slot;
};

struct cframe {
    uint8_t kind;
    bool unreachable; /* spec: rest of the frame is unreachable (stack-polymorphic) */
    bool live_in;     /* control reached the frame's entry */
    bool label_used;  /* a live branch targets the end label */
    bool has_else;
    uint32_t height; /* operand height below the frame's params */
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
    uint32_t start;      /* loop: code position of its head */
    uint32_t fixups;     /* chain of R cells that branch to the end label */
    uint32_t else_fixup; /* if: R cell of the branch to the else arm */
};

/* A branch condition: slot a, or the compare `cmp` of a (and b). */
struct cond {
    enum wasm_op cmp; /* OP_COUNT: plain i32 slot a */
    uint32_t a, b;
};

struct cc {
    struct wasm_module *m;
    struct wasm_code *code;
    struct wasm_error *err;
    uint32_t func;
    const uint8_t *p, *end, *start;
    const int32_t *handlers;
    int rc; /* sticky allocation failure */

    uint8_t *local_types; /* params then locals */
    uint32_t nlocals_total;

    struct cval *stack;
    uint32_t height, stack_cap, max_height;
    struct cframe *frames;
    uint32_t nframes, frames_cap;

    uint32_t *cells;
    uint32_t ncells, cells_cap;
    uint32_t *reloc; /* bitmap: cells holding tagged slots */

    uint64_t *consts;
    uint32_t nconsts, consts_cap;
    uint32_t *const_hash; /* open addressing: const index + 1 */
    uint32_t hash_cap;

    bool dead;          /* the current point is unreachable: emit nothing */
    uint32_t last_pos;  /* last op whose result is at TEMP(last_h), or NONE */
    uint32_t last_h;
    enum wasm_op last_op;
    uint32_t last_copy; /* position of the last op if it is a lone copy, else NONE */
};

static const uint8_t valtype_bytes[] = {WASM_I32, WASM_I64, WASM_F32,
                                        WASM_F64, WASM_FUNCREF, WASM_EXTERNREF};

static const uint8_t *valtype_ptr(uint8_t t)
{
    for (unsigned i = 0; i < sizeof valtype_bytes; i++)
        if (valtype_bytes[i] == t)
            return &valtype_bytes[i];
    return NULL;
}

static void bad_msg(struct cc *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records an error message; bad() evaluates to the (non-zero) code. */
#define bad(c, code, ...) (bad_msg(c, code, __VA_ARGS__), (code))

static void bad_msg(struct cc *c, int code, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    wasm_fail(c->err, code, "%s (function %u, byte %u of its body)", msg, c->func,
              (unsigned)(c->p - c->start));
}

#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_)                                                                                   \
            return rc_;                                                                            \
    } while (0)

/* ---- reading the body ---- */

static int rd_byte(struct cc *c, uint8_t *out)
{
    if (c->p >= c->end)
        return bad(c, ERR_BADMSG, "unexpected end of section or function");
    *out = *c->p++;
    return 0;
}

static int rd_u32(struct cc *c, uint32_t *out)
{
    const char *e = leb_u32(&c->p, c->end, out);
    return e ? bad(c, ERR_BADMSG, "%s", e) : 0;
}

static int rd_zero(struct cc *c)
{
    uint8_t b;
    TRY(rd_byte(c, &b));
    return b ? bad(c, ERR_BADMSG, "zero byte expected") : 0;
}

/* ---- emission ---- */

static bool grow(struct cc *c, void **buf, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return true;
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
    if (c->dead || c->rc)
        return;
    if (c->ncells >= MAX_CELLS) {
        c->rc = ERR_NOMEM;
        return;
    }
    uint32_t old = c->cells_cap;
    if (!grow(c, (void **)&c->cells, &c->cells_cap, c->ncells + 1, sizeof(uint32_t)))
        return;
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
    if (is_slot && (v & TAG_MASK))
        c->reloc[i / 32] |= 1u << (i % 32);
    else
        c->reloc[i / 32] &= ~(1u << (i % 32));
}

/* Starts an instruction; returns its position. Forgets the peephole state. */
static uint32_t emit_op(struct cc *c, enum wasm_op op)
{
    uint32_t pos = c->ncells;
    c->last_pos = NONE;
    c->last_copy = NONE;
    emit_cell(c, (uint32_t)c->handlers[op], false);
    return pos;
}

static void emit_slot(struct cc *c, uint32_t slot) { emit_cell(c, slot, true); }
static void emit_imm(struct cc *c, uint32_t v) { emit_cell(c, v, false); }

/* A copy; two in a row (the phi moves of loops) become one copy2. */
static void emit_copy(struct cc *c, uint32_t dst, uint32_t src)
{
    if (c->dead)
        return;
    if (c->last_copy != NONE && c->last_copy + 3 == c->ncells) {
        c->cells[c->last_copy] = (uint32_t)c->handlers[OP_copy2];
        c->last_copy = NONE;
        c->last_pos = NONE;
    } else {
        uint32_t pos = emit_op(c, OP_copy);
        c->last_copy = pos;
    }
    emit_slot(c, dst);
    emit_slot(c, src);
}


/* Drops the code from pos on (used to re-emit a compare as fused branch). */
static void truncate_code(struct cc *c, uint32_t pos)
{
    for (uint32_t i = pos; i < c->ncells; i++)
        c->reloc[i / 32] &= ~(1u << (i % 32));
    c->ncells = pos;
}

/* A code position that is a branch target: peepholes must not cross it. */
static uint32_t here_label(struct cc *c)
{
    c->last_pos = NONE;
    c->last_copy = NONE;
    return c->ncells;
}

/* Emits an R cell for a forward branch, linked into *chain. */
static void emit_fixup(struct cc *c, uint32_t *chain)
{
    if (c->dead)
        return;
    uint32_t pos = c->ncells;
    emit_imm(c, *chain);
    if (!c->rc)
        *chain = pos;
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
    emit_imm(c, (uint32_t)(int32_t)(target - pos));
}

/* ---- constants ---- */

static uint32_t const_slot(struct cc *c, uint64_t bits)
{
    if (c->rc)
        return TAG_CONST;
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
        if (c->consts[i] == bits)
            return TAG_CONST | i;
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

static int push(struct cc *c, uint8_t type, uint32_t slot)
{
    if (c->height >= MAX_HEIGHT)
        return bad(c, ERR_NOMEM, "operand stack deeper than %u", MAX_HEIGHT);
    if (!grow(c, (void **)&c->stack, &c->stack_cap, c->height + 1, sizeof(struct cval)))
        return c->rc;
    c->stack[c->height++] = (struct cval){type, slot};
    if (c->height > c->max_height)
        c->max_height = c->height;
    return 0;
}

/* Pushes a value computed into its home slot; returns that slot. */
static int push_home(struct cc *c, uint8_t type, uint32_t *slot)
{
    *slot = TEMP(c->height);
    return push(c, type, *slot);
}

static struct cframe *top_frame(struct cc *c) { return &c->frames[c->nframes - 1]; }

static int pop(struct cc *c, uint8_t want, struct cval *out)
{
    struct cframe *f = top_frame(c);
    if (c->height == f->height) {
        if (!f->unreachable)
            return bad(c, ERR_INVAL, "type mismatch: expected %s but the stack is empty",
                       want ? wasm_valtype_name(want) : "a value");
        *out = (struct cval){ANY, TEMP(c->height)};
        return 0;
    }
    *out = c->stack[--c->height];
    if (want != ANY && out->type != ANY && out->type != want)
        return bad(c, ERR_INVAL, "type mismatch: expected %s, got %s", wasm_valtype_name(want),
                   wasm_valtype_name(out->type));
    return 0;
}

/* Copies stack value i to its home slot if it is elsewhere. */
static void materialize(struct cc *c, uint32_t i)
{
    if (c->stack[i].slot == TEMP(i))
        return;
    emit_copy(c, TEMP(i), c->stack[i].slot);
    c->stack[i].slot = TEMP(i);
}

/* Before a control-flow split or join: no stack value may read a local. */
static void materialize_locals(struct cc *c)
{
    for (uint32_t i = 0; i < c->height; i++)
        if (!(c->stack[i].slot & TAG_MASK))
            materialize(c, i);
}

static void materialize_top(struct cc *c, uint32_t n)
{
    for (uint32_t i = c->height - n; i < c->height; i++)
        materialize(c, i);
}

/* The local is about to be written: values reading it move home first. */
static bool local_is_read(struct cc *c, uint32_t x)
{
    for (uint32_t i = 0; i < c->height; i++)
        if (c->stack[i].slot == x)
            return true;
    return false;
}

static void protect_local(struct cc *c, uint32_t x)
{
    for (uint32_t i = 0; i < c->height; i++)
        if (c->stack[i].slot == x)
            materialize(c, i);
}

/* Records that the op at pos wrote the value now on top of the stack. */
static void note_result(struct cc *c, uint32_t pos, enum wasm_op op)
{
    if (c->dead)
        return;
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
        TRY(pop(c, types[i], &v));
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
        TRY(push(c, types[i], h < base ? c->stack[h].slot : TEMP(h)));
    }
    return 0;
}

/* Checks (without popping) that the top of the stack matches types. */
static int check_top(struct cc *c, uint32_t n, const uint8_t *types)
{
    struct cframe *f = top_frame(c);
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
    struct cframe *f = top_frame(c);
    c->height = f->height;
    f->unreachable = true;
    c->dead = true;
    c->last_pos = NONE;
}

static int label_frame(struct cc *c, uint32_t depth, struct cframe **out)
{
    if (depth >= c->nframes)
        return bad(c, ERR_INVAL, "unknown label %u", depth);
    *out = &c->frames[c->nframes - 1 - depth];
    return 0;
}

/* Emits the function's return with the top nresults values. */
static void emit_return(struct cc *c)
{
    uint32_t n = c->code->nresults;
    if (c->dead)
        return;
    if (n == 1) {
        emit_op(c, OP_ret1);
        emit_slot(c, c->stack[c->height - 1].slot);
        return;
    }
    /* Homes are above every result slot 0..n-1 (see the frame layout), so
     * copying upwards in order never overwrites a source not yet read. */
    materialize_top(c, n);
    for (uint32_t i = 0; i < n; i++)
        emit_copy(c, i, TEMP(c->height - n + i));
    emit_op(c, OP_ret);
}

/* Do the label's values need moving before a branch to frame f? */
static bool needs_moves(struct cc *c, const struct cframe *f)
{
    uint32_t n = label_arity(f);
    for (uint32_t i = 0; i < n; i++)
        if (c->stack[c->height - n + i].slot != TEMP(f->height + i))
            return true;
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
            emit_copy(c, TEMP(f->height + i), src);
    }
}

/* The R cell of a branch to frame f (after any moves). */
static void emit_target(struct cc *c, struct cframe *f)
{
    if (c->dead)
        return;
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
    if (c->dead)
        return;
    if (f->kind == FR_FUNC) {
        emit_return(c);
        return;
    }
    emit_moves(c, f);
    emit_op(c, OP_br);
    emit_target(c, f);
}

/* ---- conditions and fused compare-and-branch ---- */

static bool is_fusable_cmp(enum wasm_op op)
{
    return (op >= OP_i32_eqz && op <= OP_i32_ge_u) || (op >= OP_i64_eqz && op <= OP_i64_ge_u) ||
           op == OP_i32_and;
}

/* Pops an i32 condition; if the op just emitted computed it with an i32
 * compare, takes the compare back so the branch can do it itself. */
static int pop_cond(struct cc *c, struct cond *cd)
{
    struct cval v;
    bool fuse = !c->dead && c->last_pos != NONE && is_fusable_cmp(c->last_op) &&
                c->height > top_frame(c)->height && c->last_h == c->height - 1 &&
                c->stack[c->height - 1].slot == TEMP(c->height - 1);
    TRY(pop(c, WASM_I32, &v));
    cd->cmp = OP_COUNT;
    cd->a = v.slot;
    if (fuse) {
        uint32_t pos = c->last_pos;
        cd->cmp = c->last_op;
        cd->a = c->cells[pos + 2];
        if (c->last_op != OP_i32_eqz && c->last_op != OP_i64_eqz)
            cd->b = c->cells[pos + 3];
        truncate_code(c, pos);
        c->last_pos = NONE;
    }
    return 0;
}

/* Emits a conditional branch taken when the condition is `when`; returns
 * nothing - the caller emits the R cell next. */
static void emit_cond_op(struct cc *c, const struct cond *cd, bool when)
{
    enum wasm_op op;
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
        emit_op(c, op);
        emit_slot(c, cd->a);
        emit_slot(c, cd->b);
        return;
    }
    emit_op(c, op);
    emit_slot(c, cd->a);
}

/* ---- block types and structured control (spec 3.3.8) ---- */

static int rd_blocktype(struct cc *c, uint32_t *np, const uint8_t **params, uint32_t *nr,
                        const uint8_t **results)
{
    if (c->p >= c->end)
        return bad(c, ERR_BADMSG, "unexpected end");
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
    if (e)
        return bad(c, ERR_BADMSG, "%s", e);
    if (idx < 0)
        return bad(c, ERR_BADMSG, "malformed block type");
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
    if (kind == FR_IF)
        TRY(pop_cond(c, &cd));
    TRY(pop_repush(c, np, params));
    if (!c->dead) {
        materialize_locals(c);
        materialize_top(c, np);
    }
    TRY(push_frame(c, kind, np, params, nr, results));
    struct cframe *f = top_frame(c);
    if (kind == FR_LOOP)
        f->start = here_label(c);
    if (kind == FR_IF && !c->dead) {
        emit_cond_op(c, &cd, false);
        emit_fixup(c, &f->else_fixup);
    }
    c->last_pos = NONE;
    return 0;
}

static int op_else(struct cc *c)
{
    struct cframe *f = top_frame(c);
    if (f->kind != FR_IF || f->has_else)
        return bad(c, ERR_BADMSG, "else without if");
    TRY(pop_types(c, f->nresults, f->results));
    if (c->height != f->height)
        return bad(c, ERR_INVAL, "type mismatch: values left at the end of the then arm");
    if (!c->dead) {
        c->height += f->nresults;
        materialize_top(c, f->nresults);
        c->height -= f->nresults;
        emit_op(c, OP_br);
        f->label_used = true;
        emit_fixup(c, &f->fixups);
    }
    c->dead = !f->live_in;
    patch_chain(c, f->else_fixup, here_label(c));
    f->else_fixup = NONE;
    f->has_else = true;
    f->unreachable = false;
    for (uint32_t i = 0; i < f->nparams; i++)
        TRY(push(c, f->params[i], TEMP(c->height)));
    return 0;
}

/* end of a block, loop or if (not of the function). */
static int op_end(struct cc *c)
{
    struct cframe f = *top_frame(c);
    TRY(pop_types(c, f.nresults, f.results));
    if (c->height != f.height)
        return bad(c, ERR_INVAL, "type mismatch: values left at the end of a block");
    if (f.kind == FR_IF && !f.has_else &&
        (f.nparams != f.nresults || memcmp(f.params, f.results, f.nparams)))
        return bad(c, ERR_INVAL, "type mismatch: if without else must not change the stack type");
    bool live = !c->dead;
    if (live) {
        c->height += f.nresults;
        materialize_top(c, f.nresults);
        c->height -= f.nresults;
    }
    uint32_t here = here_label(c);
    patch_chain(c, f.fixups, here);
    patch_chain(c, f.else_fixup, here);
    live = live || f.label_used || (f.kind == FR_IF && !f.has_else && f.live_in);
    if (f.kind == FR_LOOP)
        live = !c->dead;
    c->nframes--;
    c->dead = !live;
    for (uint32_t i = 0; i < f.nresults; i++)
        TRY(push(c, f.results[i], TEMP(c->height)));
    return 0;
}

static int op_br(struct cc *c)
{
    uint32_t depth;
    struct cframe *f;
    TRY(rd_u32(c, &depth));
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
    TRY(rd_u32(c, &depth));
    TRY(label_frame(c, depth, &f));
    TRY(pop_cond(c, &cd));
    TRY(pop_repush(c, label_arity(f), label_types(f)));
    if (c->dead)
        return 0;
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

/* br_table: entries needing moves go through stubs emitted after it. */
#define STUB 0x80000000u
static int op_br_table(struct cc *c)
{
    uint32_t n, arity = 0;
    struct cval idx;
    struct cframe *f;
    TRY(rd_u32(c, &n));
    if (n > (size_t)(c->end - c->p))
        return bad(c, ERR_BADMSG, "unexpected end: br_table length");
    uint32_t *depths = mem_alloc(((size_t)n + 1) * sizeof(uint32_t));
    if (!depths)
        return bad(c, ERR_NOMEM, "out of memory");
    int rc = 0;
    for (uint32_t i = 0; i <= n && !rc; i++)
        rc = rd_u32(c, &depths[i]);
    if (!rc)
        rc = pop(c, WASM_I32, &idx);
    for (uint32_t i = 0; i <= n && !rc; i++) {
        rc = label_frame(c, depths[i], &f);
        if (rc)
            break;
        if (i == 0)
            arity = label_arity(f);
        else if (label_arity(f) != arity)
            rc = bad(c, ERR_INVAL, "type mismatch: br_table labels of different arity");
        if (!rc)
            rc = check_top(c, arity, label_types(f));
    }
    if (!rc && !c->dead) {
        /* default is depths[n]; the table lists depths[0..n-1] then it */
        emit_op(c, OP_br_table);
        emit_slot(c, idx.slot);
        emit_imm(c, n);
        uint32_t first = c->ncells;
        for (uint32_t i = 0; i <= n; i++) {
            label_frame(c, depths[i], &f);
            if (f->kind != FR_FUNC && !needs_moves(c, f)) {
                emit_target(c, f);
            } else {
                emit_imm(c, 0); /* a stub's offset, patched below */
                depths[i] |= STUB;
            }
        }
        /* one stub per distinct label that needs moves */
        for (uint32_t i = 0; i <= n && !c->rc; i++) {
            if (!(depths[i] & STUB))
                continue;
            uint32_t d = depths[i];
            label_frame(c, d & ~STUB, &f);
            uint32_t stub = here_label(c);
            emit_branch(c, f);
            for (uint32_t k = i; k <= n && !c->rc; k++)
                if (depths[k] == d) {
                    c->cells[first + k] = (uint32_t)(int32_t)(stub - (first + k));
                    depths[k] &= ~STUB;
                }
        }
    }
    mem_free(depths);
    TRY(rc);
    set_unreachable(c);
    return 0;
}

/* ---- calls (spec 3.3.8 call, call_indirect) ---- */

static int emit_call_args(struct cc *c, const struct wasm_functype *t, uint32_t *base)
{
    TRY(pop_types(c, t->nparams, t->params));
    if (!c->dead) {
        c->height += t->nparams;
        materialize_top(c, t->nparams);
        c->height -= t->nparams;
    }
    *base = TEMP(c->height);
    return 0;
}

static int push_results(struct cc *c, const struct wasm_functype *t)
{
    for (uint32_t i = 0; i < t->nresults; i++)
        TRY(push(c, t->results[i], TEMP(c->height)));
    return 0;
}

static int op_call(struct cc *c)
{
    uint32_t f, base;
    TRY(rd_u32(c, &f));
    if (f >= c->m->nfuncs)
        return bad(c, ERR_INVAL, "unknown function %u", f);
    const struct wasm_functype *t = mod_func_type(c->m, f);
    TRY(emit_call_args(c, t, &base));
    emit_op(c, OP_call);
    emit_imm(c, f);
    emit_slot(c, base);
    return push_results(c, t);
}

static int op_call_indirect(struct cc *c)
{
    uint32_t ty, table, base;
    struct cval idx;
    TRY(rd_u32(c, &ty));
    TRY(rd_u32(c, &table));
    if (table >= c->m->ntables)
        return bad(c, ERR_INVAL, "unknown table %u", table);
    if (ty >= c->m->ntypes)
        return bad(c, ERR_INVAL, "unknown type %u", ty);
    if (c->m->tables[table].elem_type != WASM_FUNCREF)
        return bad(c, ERR_INVAL, "type mismatch: call_indirect on a table of externref");
    TRY(pop(c, WASM_I32, &idx));
    const struct wasm_functype *t = &c->m->types[ty];
    TRY(emit_call_args(c, t, &base));
    emit_op(c, OP_call_indirect);
    emit_imm(c, ty);
    emit_imm(c, table);
    emit_slot(c, idx.slot);
    emit_slot(c, base);
    return push_results(c, t);
}

/* ---- variables (spec 3.3.7) ---- */

static int rd_local(struct cc *c, uint32_t *x)
{
    TRY(rd_u32(c, x));
    if (*x >= c->nlocals_total)
        return bad(c, ERR_INVAL, "unknown local %u", *x);
    return 0;
}

/* local.set / local.tee: write the local, directly from the last op if it
 * just computed the value (and nothing else still reads the local). */
static int op_local_set(struct cc *c, bool tee)
{
    uint32_t x;
    struct cval v;
    TRY(rd_local(c, &x));
    TRY(pop(c, c->local_types[x], &v));
    if (c->dead || v.slot == x)
        return tee ? push(c, c->local_types[x], v.slot) : 0;
    if (c->last_pos != NONE && c->last_h == c->height && v.slot == TEMP(c->height) &&
        !local_is_read(c, x)) {
        uint32_t dst = c->last_pos + 1;
        c->cells[dst] = x;
        c->reloc[dst / 32] &= ~(1u << (dst % 32));
        c->last_pos = NONE;
        return tee ? push(c, c->local_types[x], x) : 0;
    }
    protect_local(c, x);
    emit_copy(c, x, v.slot);
    return tee ? push(c, c->local_types[x], v.slot) : 0;
}

static int op_global(struct cc *c, bool set)
{
    uint32_t g, slot;
    struct cval v;
    TRY(rd_u32(c, &g));
    if (g >= c->m->nglobals)
        return bad(c, ERR_INVAL, "unknown global %u", g);
    const struct mod_global *mg = &c->m->globals[g];
    if (set) {
        if (!mg->mut)
            return bad(c, ERR_INVAL, "global is immutable");
        TRY(pop(c, mg->type, &v));
        emit_op(c, OP_global_set);
        emit_imm(c, g);
        emit_slot(c, v.slot);
        return 0;
    }
    TRY(push_home(c, mg->type, &slot));
    uint32_t pos = emit_op(c, OP_global_get);
    emit_slot(c, slot);
    emit_imm(c, g);
    note_result(c, pos, OP_global_get);
    return 0;
}

/* ---- memory (spec 3.3.6) ---- */

static int need_memory(struct cc *c)
{
    return c->m->nmems ? 0 : bad(c, ERR_INVAL, "unknown memory 0");
}

struct memop {
    enum wasm_op op;
    uint8_t type;   /* value loaded or stored */
    uint8_t align;  /* natural alignment, log2 */
    bool store;
};

/* 0x28 .. 0x3e in opcode order. */
static const struct memop memops[] = {
    {OP_i32_load, WASM_I32, 2, false},     {OP_i64_load, WASM_I64, 3, false},
    {OP_i32_load, WASM_F32, 2, false},     {OP_i64_load, WASM_F64, 3, false},
    {OP_i32_load8_s, WASM_I32, 0, false},  {OP_i32_load8_u, WASM_I32, 0, false},
    {OP_i32_load16_s, WASM_I32, 1, false}, {OP_i32_load16_u, WASM_I32, 1, false},
    {OP_i64_load8_s, WASM_I64, 0, false},  {OP_i64_load8_u, WASM_I64, 0, false},
    {OP_i64_load16_s, WASM_I64, 1, false}, {OP_i64_load16_u, WASM_I64, 1, false},
    {OP_i64_load32_s, WASM_I64, 2, false}, {OP_i64_load32_u, WASM_I64, 2, false},
    {OP_i32_store, WASM_I32, 2, true},     {OP_i64_store, WASM_I64, 3, true},
    {OP_i32_store, WASM_F32, 2, true},     {OP_i64_store, WASM_F64, 3, true},
    {OP_store8, WASM_I32, 0, true},        {OP_store16, WASM_I32, 1, true},
    {OP_store8, WASM_I64, 0, true},        {OP_store16, WASM_I64, 1, true},
    {OP_i32_store, WASM_I64, 2, true},
};

static int op_memory(struct cc *c, uint8_t opcode)
{
    const struct memop *mo = &memops[opcode - 0x28];
    uint32_t align, offset, slot;
    struct cval addr, val;
    TRY(rd_u32(c, &align));
    TRY(rd_u32(c, &offset));
    TRY(need_memory(c));
    if (align > mo->align)
        return bad(c, ERR_INVAL, "alignment must not be larger than natural");
    if (mo->store) {
        TRY(pop(c, mo->type, &val));
        TRY(pop(c, WASM_I32, &addr));
        emit_op(c, mo->op);
        emit_slot(c, addr.slot);
        emit_slot(c, val.slot);
        emit_imm(c, offset);
        return 0;
    }
    TRY(pop(c, WASM_I32, &addr));
    /* an address just computed by i32.add: the load does the add */
    bool fuse = !c->dead && c->last_pos != NONE && c->last_op == OP_i32_add &&
                c->last_h == c->height && addr.slot == TEMP(c->height);
    uint32_t a = addr.slot, b = 0;
    if (fuse) {
        a = c->cells[c->last_pos + 2];
        b = c->cells[c->last_pos + 3];
        truncate_code(c, c->last_pos);
    }
    TRY(push_home(c, mo->type, &slot));
    enum wasm_op op = fuse ? (enum wasm_op)(OP_i32_load_add + (mo->op - OP_i32_load)) : mo->op;
    uint32_t pos = emit_op(c, op);
    emit_slot(c, slot);
    emit_slot(c, a);
    if (fuse)
        emit_slot(c, b);
    emit_imm(c, offset);
    note_result(c, pos, op);
    return 0;
}

/* Pops the operands of an instruction (types given bottom to top),
 * emits op [D?] then the operand slots. */
static int emit_generic(struct cc *c, enum wasm_op op, const uint8_t *in, uint32_t nin,
                        uint8_t out, const uint32_t *imms, uint32_t nimm)
{
    struct cval v[4];
    uint32_t slot = 0;
    for (uint32_t i = nin; i-- > 0;)
        TRY(pop(c, in[i], &v[i]));
    if (out)
        TRY(push_home(c, out, &slot));
    uint32_t pos = emit_op(c, op);
    if (out)
        emit_slot(c, slot);
    for (uint32_t i = 0; i < nimm; i++)
        emit_imm(c, imms[i]);
    for (uint32_t i = 0; i < nin; i++)
        emit_slot(c, v[i].slot);
    if (out)
        note_result(c, pos, op);
    return 0;
}

static const uint8_t three_i32[] = {WASM_I32, WASM_I32, WASM_I32};

/* 0xfc 8..17: bulk memory and table instructions (spec 3.3.5, 3.3.6). */
static int op_bulk(struct cc *c, uint32_t sub)
{
    const struct wasm_module *m = c->m;
    uint32_t a, b;
    uint8_t in[3];
    switch (sub) {
    case 8: /* memory.init */
        TRY(rd_u32(c, &a));
        TRY(rd_zero(c));
        TRY(need_memory(c));
        if (!m->has_datacount)
            return bad(c, ERR_BADMSG, "data count section required");
        if (a >= m->datacount)
            return bad(c, ERR_INVAL, "unknown data segment %u", a);
        return emit_generic(c, OP_memory_init, three_i32, 3, 0, &a, 1);
    case 9: /* data.drop */
        TRY(rd_u32(c, &a));
        if (!m->has_datacount)
            return bad(c, ERR_BADMSG, "data count section required");
        if (a >= m->datacount)
            return bad(c, ERR_INVAL, "unknown data segment %u", a);
        return emit_generic(c, OP_data_drop, NULL, 0, 0, &a, 1);
    case 10: /* memory.copy */
        TRY(rd_zero(c));
        TRY(rd_zero(c));
        TRY(need_memory(c));
        return emit_generic(c, OP_memory_copy, three_i32, 3, 0, NULL, 0);
    case 11: /* memory.fill */
        TRY(rd_zero(c));
        TRY(need_memory(c));
        return emit_generic(c, OP_memory_fill, three_i32, 3, 0, NULL, 0);
    case 12: /* table.init elem table */
        TRY(rd_u32(c, &b));
        TRY(rd_u32(c, &a));
        if (a >= m->ntables)
            return bad(c, ERR_INVAL, "unknown table %u", a);
        if (b >= m->nelems)
            return bad(c, ERR_INVAL, "unknown elem segment %u", b);
        if (m->tables[a].elem_type != m->elems[b].type)
            return bad(c, ERR_INVAL, "type mismatch: table.init element type");
        {
            uint32_t imm[2] = {a, b};
            return emit_generic(c, OP_table_init, three_i32, 3, 0, imm, 2);
        }
    case 13: /* elem.drop */
        TRY(rd_u32(c, &a));
        if (a >= m->nelems)
            return bad(c, ERR_INVAL, "unknown elem segment %u", a);
        return emit_generic(c, OP_elem_drop, NULL, 0, 0, &a, 1);
    case 14: /* table.copy dst src */
        TRY(rd_u32(c, &a));
        TRY(rd_u32(c, &b));
        if (a >= m->ntables || b >= m->ntables)
            return bad(c, ERR_INVAL, "unknown table %u", a >= m->ntables ? a : b);
        if (m->tables[a].elem_type != m->tables[b].elem_type)
            return bad(c, ERR_INVAL, "type mismatch: table.copy element types");
        {
            uint32_t imm[2] = {a, b};
            return emit_generic(c, OP_table_copy, three_i32, 3, 0, imm, 2);
        }
    case 15: /* table.grow: [t i32] -> [i32] */
    case 16: /* table.size: [] -> [i32] */
    case 17: /* table.fill: [i32 t i32] -> [] */
        TRY(rd_u32(c, &a));
        if (a >= m->ntables)
            return bad(c, ERR_INVAL, "unknown table %u", a);
        in[0] = sub == 17 ? WASM_I32 : m->tables[a].elem_type;
        in[1] = sub == 17 ? m->tables[a].elem_type : WASM_I32;
        in[2] = WASM_I32;
        if (sub == 15)
            return emit_generic(c, OP_table_grow, in, 2, WASM_I32, &a, 1);
        if (sub == 16)
            return emit_generic(c, OP_table_size, NULL, 0, WASM_I32, &a, 1);
        return emit_generic(c, OP_table_fill, in, 3, 0, &a, 1);
    }
    return bad(c, ERR_BADMSG, "illegal opcode 0xfc %u", sub);
}

/* ---- numeric instructions (spec 3.3.1), table-driven ---- */

struct numop {
    uint16_t op; /* enum wasm_op, or OP_NOP: only the type changes */
    uint8_t in, in2, out;
};

#define I32 WASM_I32
#define I64 WASM_I64
#define F32 WASM_F32
#define F64 WASM_F64
#define U(o, a, r) {OP_##o, a, 0, r}
#define B(o, a, r) {OP_##o, a, a, r}
#define NOP(a, r) {OP_NOP, a, 0, r}

/* Opcodes 0x45 .. 0xc4. */
static const struct numop numops[] = {
    U(i32_eqz, I32, I32), B(i32_eq, I32, I32), B(i32_ne, I32, I32), B(i32_lt_s, I32, I32),
    B(i32_lt_u, I32, I32), B(i32_gt_s, I32, I32), B(i32_gt_u, I32, I32), B(i32_le_s, I32, I32),
    B(i32_le_u, I32, I32), B(i32_ge_s, I32, I32), B(i32_ge_u, I32, I32),
    U(i64_eqz, I64, I32), B(i64_eq, I64, I32), B(i64_ne, I64, I32), B(i64_lt_s, I64, I32),
    B(i64_lt_u, I64, I32), B(i64_gt_s, I64, I32), B(i64_gt_u, I64, I32), B(i64_le_s, I64, I32),
    B(i64_le_u, I64, I32), B(i64_ge_s, I64, I32), B(i64_ge_u, I64, I32),
    B(f32_eq, F32, I32), B(f32_ne, F32, I32), B(f32_lt, F32, I32), B(f32_gt, F32, I32),
    B(f32_le, F32, I32), B(f32_ge, F32, I32),
    B(f64_eq, F64, I32), B(f64_ne, F64, I32), B(f64_lt, F64, I32), B(f64_gt, F64, I32),
    B(f64_le, F64, I32), B(f64_ge, F64, I32),
    U(i32_clz, I32, I32), U(i32_ctz, I32, I32), U(i32_popcnt, I32, I32), B(i32_add, I32, I32),
    B(i32_sub, I32, I32), B(i32_mul, I32, I32), B(i32_div_s, I32, I32), B(i32_div_u, I32, I32),
    B(i32_rem_s, I32, I32), B(i32_rem_u, I32, I32), B(i32_and, I32, I32), B(i32_or, I32, I32),
    B(i32_xor, I32, I32), B(i32_shl, I32, I32), B(i32_shr_s, I32, I32), B(i32_shr_u, I32, I32),
    B(i32_rotl, I32, I32), B(i32_rotr, I32, I32),
    U(i64_clz, I64, I64), U(i64_ctz, I64, I64), U(i64_popcnt, I64, I64), B(i64_add, I64, I64),
    B(i64_sub, I64, I64), B(i64_mul, I64, I64), B(i64_div_s, I64, I64), B(i64_div_u, I64, I64),
    B(i64_rem_s, I64, I64), B(i64_rem_u, I64, I64), B(i64_and, I64, I64), B(i64_or, I64, I64),
    B(i64_xor, I64, I64), B(i64_shl, I64, I64), B(i64_shr_s, I64, I64), B(i64_shr_u, I64, I64),
    B(i64_rotl, I64, I64), B(i64_rotr, I64, I64),
    U(f32_abs, F32, F32), U(f32_neg, F32, F32), U(f32_ceil, F32, F32), U(f32_floor, F32, F32),
    U(f32_trunc, F32, F32), U(f32_nearest, F32, F32), U(f32_sqrt, F32, F32),
    B(f32_add, F32, F32), B(f32_sub, F32, F32), B(f32_mul, F32, F32), B(f32_div, F32, F32),
    B(f32_min, F32, F32), B(f32_max, F32, F32), B(f32_copysign, F32, F32),
    U(f64_abs, F64, F64), U(f64_neg, F64, F64), U(f64_ceil, F64, F64), U(f64_floor, F64, F64),
    U(f64_trunc, F64, F64), U(f64_nearest, F64, F64), U(f64_sqrt, F64, F64),
    B(f64_add, F64, F64), B(f64_sub, F64, F64), B(f64_mul, F64, F64), B(f64_div, F64, F64),
    B(f64_min, F64, F64), B(f64_max, F64, F64), B(f64_copysign, F64, F64),
    NOP(I64, I32), /* i32.wrap_i64: the low half of the slot */
    U(i32_trunc_f32_s, F32, I32), U(i32_trunc_f32_u, F32, I32), U(i32_trunc_f64_s, F64, I32),
    U(i32_trunc_f64_u, F64, I32), U(i64_extend_i32_s, I32, I64), U(i64_extend_i32_u, I32, I64),
    U(i64_trunc_f32_s, F32, I64), U(i64_trunc_f32_u, F32, I64), U(i64_trunc_f64_s, F64, I64),
    U(i64_trunc_f64_u, F64, I64), U(f32_convert_i32_s, I32, F32), U(f32_convert_i32_u, I32, F32),
    U(f32_convert_i64_s, I64, F32), U(f32_convert_i64_u, I64, F32), U(f32_demote_f64, F64, F32),
    U(f64_convert_i32_s, I32, F64), U(f64_convert_i32_u, I32, F64),
    U(f64_convert_i64_s, I64, F64), U(f64_convert_i64_u, I64, F64), U(f64_promote_f32, F32, F64),
    NOP(F32, I32), NOP(F64, I64), NOP(I32, F32), NOP(I64, F64), /* reinterpretations */
    U(i32_extend8_s, I32, I32), U(i32_extend16_s, I32, I32), U(i64_extend8_s, I64, I64),
    U(i64_extend16_s, I64, I64), U(i64_extend32_s, I64, I64),
};

/* 0xfc 0..7 */
static const struct numop satops[] = {
    U(i32_trunc_sat_f32_s, F32, I32), U(i32_trunc_sat_f32_u, F32, I32),
    U(i32_trunc_sat_f64_s, F64, I32), U(i32_trunc_sat_f64_u, F64, I32),
    U(i64_trunc_sat_f32_s, F32, I64), U(i64_trunc_sat_f32_u, F32, I64),
    U(i64_trunc_sat_f64_s, F64, I64), U(i64_trunc_sat_f64_u, F64, I64),
};

static int op_numeric(struct cc *c, const struct numop *n)
{
    if (n->op == OP_NOP) {
        struct cval v;
        TRY(pop(c, n->in, &v));
        return push(c, n->out, v.slot);
    }
    uint8_t in[2] = {n->in, n->in2};
    return emit_generic(c, (enum wasm_op)n->op, in, n->in2 ? 2 : 1, n->out, NULL, 0);
}

static int op_const(struct cc *c, uint8_t opcode)
{
    uint64_t bits = 0;
    uint8_t type;
    const char *e = NULL;
    if (opcode == 0x41) {
        int32_t v;
        e = leb_s32(&c->p, c->end, &v);
        bits = (uint32_t)v, type = WASM_I32;
    } else if (opcode == 0x42) {
        int64_t v;
        e = leb_s64(&c->p, c->end, &v);
        bits = (uint64_t)v, type = WASM_I64;
    } else {
        uint32_t size = opcode == 0x43 ? 4 : 8;
        if ((size_t)(c->end - c->p) < size)
            return bad(c, ERR_BADMSG, "unexpected end");
        for (uint32_t i = 0; i < size; i++)
            bits |= (uint64_t)c->p[i] << (8 * i);
        c->p += size;
        type = opcode == 0x43 ? WASM_F32 : WASM_F64;
    }
    if (e)
        return bad(c, ERR_BADMSG, "%s", e);
    return push(c, type, const_slot(c, bits));
}

static int op_select(struct cc *c, bool typed)
{
    struct cval cond, a, b;
    uint8_t t = ANY;
    if (typed) {
        uint32_t n;
        TRY(rd_u32(c, &n));
        if (n != 1)
            return bad(c, ERR_INVAL, "invalid result arity");
        TRY(rd_byte(c, &t));
        if (!wasm_is_valtype(t))
            return bad(c, ERR_BADMSG, "malformed value type");
    }
    TRY(pop(c, WASM_I32, &cond));
    TRY(pop(c, t, &b));
    TRY(pop(c, t, &a));
    if (!typed) {
        if (wasm_is_reftype(a.type) || wasm_is_reftype(b.type))
            return bad(c, ERR_INVAL, "type mismatch: select of references needs a type");
        if (a.type != ANY && b.type != ANY && a.type != b.type)
            return bad(c, ERR_INVAL, "type mismatch: select operands differ");
        t = a.type == ANY ? b.type : a.type;
    }
    uint32_t slot;
    TRY(push_home(c, t, &slot));
    uint32_t pos = emit_op(c, OP_select);
    emit_slot(c, slot);
    emit_slot(c, a.slot);
    emit_slot(c, b.slot);
    emit_slot(c, cond.slot);
    note_result(c, pos, OP_select);
    return 0;
}

static int op_ref(struct cc *c, uint8_t opcode)
{
    struct cval v;
    uint32_t slot, x;
    uint8_t t;
    switch (opcode) {
    case 0xd0: /* ref.null t */
        TRY(rd_byte(c, &t));
        if (!wasm_is_reftype(t))
            return bad(c, ERR_BADMSG, "malformed reference type");
        return push(c, t, const_slot(c, 0));
    case 0xd1: /* ref.is_null */
        TRY(pop(c, ANY, &v));
        if (v.type != ANY && !wasm_is_reftype(v.type))
            return bad(c, ERR_INVAL, "type mismatch: ref.is_null of %s",
                       wasm_valtype_name(v.type));
        TRY(push_home(c, WASM_I32, &slot));
        emit_op(c, OP_ref_is_null);
        emit_slot(c, slot);
        emit_slot(c, v.slot);
        return 0;
    default: /* 0xd2 ref.func x */
        TRY(rd_u32(c, &x));
        if (x >= c->m->nfuncs)
            return bad(c, ERR_INVAL, "unknown function %u", x);
        if (!(c->m->func_refs[x / 8] & (1u << (x % 8))))
            return bad(c, ERR_INVAL, "undeclared function reference %u", x);
        TRY(push_home(c, WASM_FUNCREF, &slot));
        emit_op(c, OP_ref_func);
        emit_slot(c, slot);
        emit_imm(c, x);
        return 0;
    }
}

static int op_table(struct cc *c, uint8_t opcode)
{
    uint32_t t;
    TRY(rd_u32(c, &t));
    if (t >= c->m->ntables)
        return bad(c, ERR_INVAL, "unknown table %u", t);
    uint8_t et = c->m->tables[t].elem_type;
    if (opcode == 0x25) { /* table.get */
        uint8_t in = WASM_I32;
        return emit_generic(c, OP_table_get, &in, 1, et, &t, 1);
    }
    uint8_t in[2] = {WASM_I32, et};
    return emit_generic(c, OP_table_set, in, 2, 0, &t, 1);
}

/* ---- the instruction loop ---- */

static int op_prefixed(struct cc *c)
{
    uint32_t sub;
    TRY(rd_u32(c, &sub));
    if (sub < 8)
        return op_numeric(c, &satops[sub]);
    return op_bulk(c, sub);
}

/* One instruction; *done is set by the function's final `end`. */
static int compile_instr(struct cc *c, bool *done)
{
    uint8_t op;
    TRY(rd_byte(c, &op));
    if (op >= 0x45 && op <= 0xc4)
        return op_numeric(c, &numops[op - 0x45]);
    if (op >= 0x28 && op <= 0x3e)
        return op_memory(c, op);
    switch (op) {
    case 0x00:
        emit_op(c, OP_unreachable);
        set_unreachable(c);
        return 0;
    case 0x01: return 0;
    case 0x02: return op_block(c, FR_BLOCK);
    case 0x03: return op_block(c, FR_LOOP);
    case 0x04: return op_block(c, FR_IF);
    case 0x05: return op_else(c);
    case 0x0b:
        if (c->nframes > 1)
            return op_end(c);
        TRY(pop_types(c, c->code->nresults, c->frames[0].results));
        if (c->height != 0)
            return bad(c, ERR_INVAL, "type mismatch: values left at the end of the function");
        c->height = c->code->nresults;
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
        return pop(c, ANY, &v);
    }
    case 0x1b: return op_select(c, false);
    case 0x1c: return op_select(c, true);
    case 0x20: {
        uint32_t x;
        TRY(rd_local(c, &x));
        return push(c, c->local_types[x], x);
    }
    case 0x21: return op_local_set(c, false);
    case 0x22: return op_local_set(c, true);
    case 0x23: return op_global(c, false);
    case 0x24: return op_global(c, true);
    case 0x25:
    case 0x26: return op_table(c, op);
    case 0x3f:
    case 0x40: {
        TRY(rd_zero(c));
        TRY(need_memory(c));
        uint8_t in = WASM_I32;
        if (op == 0x3f)
            return emit_generic(c, OP_memory_size, NULL, 0, WASM_I32, NULL, 0);
        return emit_generic(c, OP_memory_grow, &in, 1, WASM_I32, NULL, 0);
    }
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x44: return op_const(c, op);
    case 0xd0:
    case 0xd1:
    case 0xd2: return op_ref(c, op);
    case 0xfc: return op_prefixed(c);
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
    if (!c->local_types)
        return bad(c, ERR_NOMEM, "out of memory");
    memcpy(c->local_types, t->params, t->nparams);
    TRY(rd_u32(c, &ngroups));
    for (uint32_t i = 0; i < ngroups; i++) {
        uint8_t type;
        TRY(rd_u32(c, &n));
        TRY(rd_byte(c, &type));
        for (uint32_t j = 0; j < n && k < c->nlocals_total; j++)
            c->local_types[k++] = type;
    }
    return 0;
}

/* Rebases tagged slots now that the constant count is known. */
static void relocate(struct cc *c)
{
    uint32_t const_base = c->code->nparams + c->code->nlocals;
    uint32_t temp_base = const_base + c->nconsts;
    for (uint32_t i = 0; i < c->ncells; i++) {
        if (!(c->reloc[i / 32] & (1u << (i % 32))))
            continue;
        uint32_t v = c->cells[i];
        c->cells[i] = (v & TAG_TEMP) ? temp_base + (v & ~TAG_MASK) : const_base + (v & ~TAG_MASK);
    }
}

static int compile_body(struct cc *c, const struct wasm_functype *t)
{
    TRY(read_locals(c, t));
    TRY(push_frame(c, FR_FUNC, 0, NULL, t->nresults, t->results));
    bool done = false;
    while (!done) {
        TRY(compile_instr(c, &done));
        if (c->rc)
            return bad(c, c->rc, "out of memory (function too large)");
    }
    if (c->p != c->end)
        return bad(c, ERR_BADMSG, "section size mismatch: bytes after the function's end");
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
    };
    const struct wasm_functype *t = mod_func_type(m, c.func);
    int rc = compile_body(&c, t);
    if (!rc && c.max_height + c.nconsts + c.nlocals_total >= TAG_CONST)
        rc = bad(&c, ERR_NOMEM, "frame too large");
    if (!rc) {
        relocate(&c);
        code->cells = c.cells;
        code->ncells = c.ncells;
        code->consts = c.consts;
        code->nconsts = c.nconsts;
        code->frame_size = c.nlocals_total + c.nconsts + c.max_height;
        if (code->frame_size < code->nresults)
            code->frame_size = code->nresults;
        c.cells = NULL;
        c.consts = NULL;
    }
    mem_free(c.cells);
    mem_free(c.consts);
    mem_free(c.reloc);
    mem_free(c.const_hash);
    mem_free(c.stack);
    mem_free(c.frames);
    mem_free(c.local_types);
    return rc;
}
