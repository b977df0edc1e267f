/*
 * lib/wasm/jit_ir.h - the JIT's view of a compiled function: the slot code
 * of compile.c decoded into instructions, with the analyses a code
 * generator needs (portable C, jit_ir.c):
 *
 *   - instructions with their canonical op (the `_ra`/`_rb` acc variants
 *     of ops.h read the same slots as the plain op, so they are folded),
 *     their operand cells classified by ops.h's layouts, and the branch
 *     targets;
 *   - register candidates: the slots used most (uses weighted by loop
 *     nesting), at most JIT_MAX_CANDS, each with an int or float
 *     preference;
 *   - liveness of the candidates after every instruction (a bitmask), from
 *     which each candidate gets one live interval in code order;
 *   - a register for each candidate it can have: candidates whose
 *     intervals do not overlap may share one (a linear scan over hull
 *     intervals, Poletto & Sarkar 1999).
 *
 * Modules with wide frames (v128) are analysed the same way: their slot
 * cells are 8-byte slots, a call's values are every second slot
 * (jit_stride), and slots that ever hold a v128 are never candidates, so
 * they always live in the frame.
 *
 * A slot with a register keeps its value there for its whole interval and
 * its frame slot (its "home") is only written where someone else reads
 * memory: call arguments, results, and around calls that clobber the
 * register. See jit_x86_64.c for how code uses this.
 */
#ifndef WASM_JIT_IR_H
#define WASM_JIT_IR_H

#include "wasm/internal.h"
#include "wasm/ops.h"

#define JIT_MAX_CANDS 64
#define JIT_NOREG     0xff

/* Operand cell kinds (the letters of jit_shape). */
enum {
    JK_DEF = 'd',  /* a slot written */
    JK_USE = 'a',  /* a slot read before any write of the instruction */
    JK_LATE = 'c', /* a slot read after the instruction's write (add-and-branch) */
    JK_IMM = 'i',  /* an immediate or an index */
    JK_BR = 'r',   /* a branch offset */
    JK_BASE = 'b', /* a call's base slot: arguments read, results written */
};

enum { JI_TARGET = 1 }; /* jit_ins.flags: a branch lands here */

struct jit_ins {
    uint32_t pos; /* index of the handler cell */
    uint32_t len; /* cells, handler included */
    uint16_t op;  /* enum wasm_op, acc variants folded */
    uint16_t flags;
};

/* Register classes of the candidates. */
enum { JC_INT = 0, JC_FLOAT = 1 };

struct jit_fn {
    const struct wasm_module *mod;
    const struct wasm_code *code;
    uint32_t index; /* function index in the module */
    struct jit_ins *ins;
    uint32_t nins;
    uint32_t const_base; /* first constant slot: nparams + nlocals */

    /* Register candidates and their assignment. */
    uint32_t ncand;
    uint32_t cand[JIT_MAX_CANDS]; /* slot of candidate k */
    uint8_t cls[JIT_MAX_CANDS];   /* JC_INT or JC_FLOAT: what it is used as most */
    uint8_t reg[JIT_MAX_CANDS];   /* register index (arch numbering) or JIT_NOREG */
    uint32_t lo[JIT_MAX_CANDS], hi[JIT_MAX_CANDS]; /* live interval, instruction indices */
    uint64_t written;      /* candidates written somewhere in the function */
    uint64_t live_in;      /* candidates live at the function's entry */
    uint8_t *cand_of;      /* per slot: candidate index, or 0xff */
    uint8_t *written_slot; /* per slot: 1 if some instruction writes it */
    uint64_t *live_out;    /* per instruction: candidates live after it */
};

/* The cell letters of op (see JK_*), or NULL for br_table ([A N R0..RN]). */
const char *jit_shape(enum wasm_op op);
/* The cell letters of one instruction: jit_shape, except that a simd op's
 * unused D A B C cells (ops.h) are immediates. */
const char *jit_ins_shape(const struct jit_fn *fn, const struct jit_ins *in);

/* The operand cells D A B C (bits 0..3) of the simd op SUB: those it uses,
 * and those of them that hold a v128 (the others are scalars: an address,
 * a lane value, a shift count, an extract or test result). */
enum { JS_D = 1, JS_A = 2, JS_B = 4, JS_C = 8 };
struct jit_simd_ops {
    uint8_t used, v128;
};
struct jit_simd_ops jit_simd_operands(uint32_t sub);

/* Slot stride of a function's values: 2 with wide frames (v128 modules). */
static inline uint32_t jit_stride(const struct jit_fn *fn)
{
    return fn->mod->wide ? 2 : 1;
}

/* true for ops whose value operands and result are f32/f64 (min/max,
 * arithmetic, compares' operands), for the register class preference. */
bool jit_op_float_in(enum wasm_op op);
bool jit_op_float_out(enum wasm_op op);

/*
 * Register files of the target: nregs registers, registers [0, nint) are
 * integer registers and the rest float registers (either class may hold
 * either kind of value, at the cost of moves).
 */
struct jit_regfile {
    uint32_t nint, nfloat;
};

/* The interpreter's handler offsets (interp_handlers()) sorted, to read
 * slot code back as ops: made once per compilation, not per function. */
struct jit_opmap;
struct jit_opmap *jit_opmap_new(const int32_t *handlers);
void jit_opmap_free(struct jit_opmap *ops);

/*
 * Decodes function `index` (a defined function) of mod and runs the
 * analyses. Returns 0, ERR_NOMEM, or
 * ERR_NOTSUP for code it does not understand (a bug, reported so that the
 * module is interpreted instead). jit_fn_free releases it.
 */
int jit_fn_analyze(struct jit_fn *fn, const struct wasm_module *mod, uint32_t index,
                   const struct jit_opmap *ops, const struct jit_regfile *rf);
void jit_fn_free(struct jit_fn *fn);

/* Whether any function of m contains memory.grow or call_indirect (so a
 * direct call might leave memory moved). 0, or ERR_NOTSUP for code that
 * does not decode. */
int jit_module_scan(const struct wasm_module *m, const struct jit_opmap *ops, bool *grows,
                    bool *indirect);

/* The instruction that starts at cell pos (a branch target), or UINT32_MAX. */
uint32_t jit_ins_at(const struct jit_fn *fn, uint32_t pos);

/* The candidate index of slot s, or -1. */
static inline int jit_cand(const struct jit_fn *fn, uint32_t s)
{
    return fn->cand_of[s] == 0xff ? -1 : fn->cand_of[s];
}

/* The register of slot s, or JIT_NOREG. */
static inline uint8_t jit_reg_of(const struct jit_fn *fn, uint32_t s)
{
    int k = jit_cand(fn, s);
    return k < 0 ? JIT_NOREG : fn->reg[k];
}

/* Is s a constant slot holding its constant everywhere? (Results are
 * copied to slots 0..n-1, which may be constant slots when a function has
 * fewer parameters and locals than results: those are ordinary slots,
 * given their constant on entry.) */
static inline bool jit_const_slot(const struct jit_fn *fn, uint32_t s)
{
    return s >= fn->const_base && s < fn->const_base + fn->code->nconsts;
}

static inline bool jit_is_const(const struct jit_fn *fn, uint32_t s)
{
    return jit_const_slot(fn, s) && !fn->written_slot[s];
}

static inline uint64_t jit_const(const struct jit_fn *fn, uint32_t s)
{
    return fn->code->consts[s - fn->const_base];
}

/* The callee type of a call or call_indirect at instruction i. */
const struct wasm_functype *jit_call_type(const struct jit_fn *fn, const struct jit_ins *in);

#endif
