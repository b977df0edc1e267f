/*
 * lib/wasm/jit_x86_64_ops.c - x86-64 code for the instructions that are
 * not control flow: memory access with its bounds check, integer and
 * float arithmetic, conversions, select, globals, tables, references and
 * the bulk memory/table instructions (through helpers in jit.c).
 *
 * Semantics are those of interp.c, instruction by instruction. Where
 * x86-64 differs from WebAssembly the code says how it is bridged:
 * division traps are checked before idiv, bit counts of zero are fixed up
 * with cmov, float min/max/nearest/truncation follow spec 4.3.3 (SSE
 * minss/maxss do not), and float-to-int truncation falls back to C
 * (numeric.h) when cvtt* reports "out of range".
 */
#include "wasm/jit_x86_64.h"

#include <stddef.h>

#if defined(__x86_64__)

#define OFF(type, field) ((int32_t)offsetof(struct type, field))

static struct opnd imm_opnd(uint64_t v)
{
    struct opnd o = {O_IMM, 0, v, XR(0)};
    return o;
}

static bool same_mem(struct opnd a, struct opnd b)
{
    return a.kind == O_MEM && b.kind == O_MEM && a.m.disp == b.m.disp;
}

/* ---- integer ALU ---- */

static void op_r(struct fcomp *c, int w, int alu, int r, struct opnd o)
{
    if (alu != ALU_MUL) {
        fc_alu_r(c, w, alu, r, o, RDX);
        return;
    }
    switch (o.kind) {
    case O_GPR: x_imul_rm(c->b, w, r, XR(o.r)); break;
    case O_MEM: x_imul_rm(c->b, w, r, o.m); break;
    case O_IMM: {
        uint64_t v = w ? o.imm : (uint32_t)o.imm;
        if (!w || x_fits32((int64_t)v)) {
            x_imul_rmi(c->b, w, r, XR(r), (int32_t)(uint32_t)v);
        } else {
            x_mov_ri(c->b, RDX, v);
            x_imul_rm(c->b, w, r, XR(RDX));
        }
        break;
    }
    default:
        x_movd_rx(c->b, w, XR(RDX), o.r);
        x_imul_rm(c->b, w, r, XR(RDX));
        break;
    }
}

static void load_o(struct fcomp *c, int dst, struct opnd o, int w)
{
    switch (o.kind) {
    case O_GPR:
        if (o.r != dst) x_mov_rr(c->b, w, dst, o.r);
        break;
    case O_MEM: x_load(c->b, w, dst, o.m); break;
    case O_IMM: x_mov_ri(c->b, dst, w ? o.imm : (uint32_t)o.imm); break;
    default: x_movd_rx(c->b, w, XR(dst), o.r); break;
    }
}

void fc_alu3(struct fcomp *c, int w, int alu, uint32_t d, struct opnd a, struct opnd b)
{
    bool comm = alu != ALU_SUB;
    struct opnd od = fc_loc(c, d);
    if (od.kind == O_GPR) {
        int rd = od.r;
        if (a.kind == O_GPR && a.r == rd) {
            op_r(c, w, alu, rd, b);
        } else if (b.kind == O_GPR && b.r == rd) {
            if (comm) {
                op_r(c, w, alu, rd, a);
            } else {
                load_o(c, RAX, a, w);
                op_r(c, w, alu, RAX, b);
                x_mov_rr(c->b, w, rd, RAX);
            }
        } else {
            load_o(c, rd, a, w);
            op_r(c, w, alu, rd, b);
        }
    } else if (alu != ALU_MUL && same_mem(od, a) &&
               (b.kind == O_GPR || (b.kind == O_IMM && (!w || x_fits32((int64_t)b.imm))))) {
        if (b.kind == O_GPR)
            x_alu_mr(c->b, w, alu, od.m, b.r);
        else
            x_alu_mi(c->b, w, alu, od.m, (int32_t)(uint32_t)b.imm);
    } else {
        load_o(c, RAX, a, w);
        op_r(c, w, alu, RAX, b);
        fc_put_gpr(c, d, w, RAX);
    }
    fc_dirty(c, d);
}

/* Shifts and rotates: the count is taken mod 32/64 as x86 does. */
static void shift3(struct fcomp *c, int w, int sh, uint32_t d, struct opnd a, struct opnd b)
{
    struct opnd od = fc_loc(c, d);
    bool imm = b.kind == O_IMM;
    uint8_t n = (uint8_t)(b.imm & (w ? 63 : 31));
    if (!imm) load_o(c, RCX, b, 0);
    struct xrm target;
    if (od.kind == O_GPR) {
        if (!(a.kind == O_GPR && a.r == od.r)) load_o(c, od.r, a, w);
        target = od.m;
    } else if (same_mem(od, a)) {
        target = od.m;
    } else {
        load_o(c, RAX, a, w);
        target = XR(RAX);
    }
    if (imm)
        x_shift_i(c->b, w, sh, target, n);
    else
        x_shift_cl(c->b, w, sh, target);
    if (!target.mem && target.reg == RAX) fc_put_gpr(c, d, w, RAX);
    fc_dirty(c, d);
}

/* div/rem (spec 4.3.2 idiv/irem): traps for a zero divisor and for
 * INT_MIN / -1; INT_MIN % -1 is 0. */
static void divrem(struct fcomp *c, int w, bool sign, bool rem, uint32_t d, uint32_t a, uint32_t b)
{
    struct opnd ob = fc_loc(c, b);
    struct xrm div;
    if (ob.kind == O_IMM) {
        uint64_t v = w ? ob.imm : (uint32_t)ob.imm;
        if (v == 0) {
            fc_trap_if(c, -1, WASM_TRAP_DIV_ZERO);
            return;
        }
        x_mov_ri(c->b, RCX, v);
        div = XR(RCX);
    } else if (ob.kind == O_XMM) {
        x_movd_rx(c->b, w, XR(RCX), ob.r);
        div = XR(RCX);
    } else {
        div = ob.m;
    }
    fc_load_gpr(c, RAX, a, w);
    if (ob.kind != O_IMM) {
        if (div.mem)
            x_alu_mi(c->b, w, ALU_CMP, div, 0);
        else
            x_test_rr(c->b, w, div.reg, div.reg);
        fc_trap_if(c, CC_E, WASM_TRAP_DIV_ZERO);
    }
    uint32_t skip = UINT32_MAX, done = UINT32_MAX;
    bool minus_one_possible =
        ob.kind != O_IMM || (w ? ob.imm == UINT64_MAX : (uint32_t)ob.imm == UINT32_MAX);
    if (sign && minus_one_possible) {
        if (ob.kind != O_IMM) {
            x_alu_mi(c->b, w, ALU_CMP, div, -1);
            skip = x_jcc(c->b, CC_NE, 0);
        }
        if (rem) {
            x_alu_rm(c->b, 0, ALU_XOR, RDX, XR(RDX));
        } else {
            x_group3(c->b, w, G3_NEG, XR(RAX));
            fc_trap_if(c, CC_O, WASM_TRAP_INT_OVERFLOW);
        }
        if (ob.kind == O_IMM) goto put;
        done = x_jmp(c->b, 0);
        x_patch(c->b, skip, c->b->len);
    }
    if (sign) {
        x_cdq(c->b, w);
        x_group3(c->b, w, G3_IDIV, div);
    } else {
        x_alu_rm(c->b, 0, ALU_XOR, RDX, XR(RDX));
        x_group3(c->b, w, G3_DIV, div);
    }
    if (done != UINT32_MAX) x_patch(c->b, done, c->b->len);
put:
    fc_put_gpr(c, d, w, rem ? RDX : RAX);
}

/* A C helper for a unary operator: rax = jit_h_unary(op, bits of a). */
static void unary_in_c(struct fcomp *c, enum wasm_op op, uint32_t d, uint32_t a, int w_out)
{
    fc_load_gpr(c, RAX, a, 1);
    uint64_t defs = fc_defs(c);
    fc_c_save(c, defs);
    x_mov_rr(c->b, 1, RSI, RAX);
    x_mov_ri(c->b, RDI, (uint32_t)op);
    fc_call_c(c, (const void *)jit_h_unary);
    fc_c_restore(c, defs);
    fc_put_gpr(c, d, w_out, RAX);
}

static void bitcount(struct fcomp *c, enum wasm_op op, int w, uint32_t d, uint32_t a)
{
    bool clz = op == OP_i32_clz || op == OP_i64_clz, ctz = op == OP_i32_ctz || op == OP_i64_ctz;
    if (!clz && !ctz && !c->j->popcnt) {
        unary_in_c(c, op, d, a, w);
        return;
    }
    struct xrm src = fc_rm(c, a, w, RDX);
    int rd = fc_dst_gpr(c, d, RAX);
    if (clz) { /* bsr gives the top bit's index; zero has none: 2*bits-1 ^ (bits-1) = bits */
        x_mov_ri(c->b, RCX, w ? 127 : 63);
        x_bsr(c->b, w, rd, src);
        x_cmov(c->b, w, CC_E, rd, XR(RCX));
        x_alu_mi(c->b, w, ALU_XOR, XR(rd), w ? 63 : 31);
    } else if (ctz) {
        x_mov_ri(c->b, RCX, w ? 64 : 32);
        x_bsf(c->b, w, rd, src);
        x_cmov(c->b, w, CC_E, rd, XR(RCX));
    } else {
        x_popcnt(c->b, w, rd, src);
    }
    fc_put_gpr(c, d, w, rd);
}

/* Integer compares: an i32 0 or 1. */
static void setcc_to(struct fcomp *c, int cc, uint32_t d)
{
    int rd = fc_dst_gpr(c, d, RAX);
    x_setcc(c->b, cc, RAX);
    x_movzx8(c->b, rd, XR(RAX));
    fc_put_gpr(c, d, 0, rd);
}

static const uint8_t cmp_cc[10] = {CC_E, CC_NE, CC_L, CC_B, CC_G, CC_A, CC_LE, CC_BE, CC_GE, CC_AE};

static bool integer_op(struct fcomp *c, enum wasm_op op, const uint32_t *cell)
{
    uint32_t d = cell[1], a = cell[2], b = cell[3];
    int w = op >= OP_i64_eqz && op <= OP_i64_rotr;
    enum wasm_op base = w ? (enum wasm_op)(op - (OP_i64_eqz - OP_i32_eqz)) : op;
    if (op >= OP_i32_add_imm && op <= OP_i32_rotr_imm) {
        static const int8_t alu[11] = {ALU_ADD,     ALU_SUB,     ALU_MUL,     ALU_AND,
                                       ALU_OR,      ALU_XOR,     -SH_SHL - 1, -SH_SAR - 1,
                                       -SH_SHR - 1, -SH_ROL - 1, -SH_ROR - 1};
        int k = alu[op - OP_i32_add_imm];
        if (k >= 0)
            fc_alu3(c, 0, k, d, fc_loc(c, a), imm_opnd(b));
        else
            shift3(c, 0, -k - 1, d, fc_loc(c, a), imm_opnd(b));
        return true;
    }
    if (!(op >= OP_i32_eqz && op <= OP_i64_rotr)) return false;
    switch (base) {
    case OP_i32_eqz: {
        struct opnd o = fc_loc(c, a);
        if (o.kind == O_MEM)
            x_alu_mi(c->b, w, ALU_CMP, o.m, 0);
        else {
            int r = fc_gpr(c, a, w, RAX);
            x_test_rr(c->b, w, r, r);
        }
        setcc_to(c, CC_E, d);
        return true;
    }
    case OP_i32_clz:
    case OP_i32_ctz:
    case OP_i32_popcnt: bitcount(c, op, w, d, a); return true;
    case OP_i32_add: fc_alu3(c, w, ALU_ADD, d, fc_loc(c, a), fc_loc(c, b)); return true;
    case OP_i32_sub: fc_alu3(c, w, ALU_SUB, d, fc_loc(c, a), fc_loc(c, b)); return true;
    case OP_i32_mul: fc_alu3(c, w, ALU_MUL, d, fc_loc(c, a), fc_loc(c, b)); return true;
    case OP_i32_and: fc_alu3(c, w, ALU_AND, d, fc_loc(c, a), fc_loc(c, b)); return true;
    case OP_i32_or: fc_alu3(c, w, ALU_OR, d, fc_loc(c, a), fc_loc(c, b)); return true;
    case OP_i32_xor: fc_alu3(c, w, ALU_XOR, d, fc_loc(c, a), fc_loc(c, b)); return true;
    case OP_i32_shl: shift3(c, w, SH_SHL, d, fc_loc(c, a), fc_loc(c, b)); return true;
    case OP_i32_shr_s: shift3(c, w, SH_SAR, d, fc_loc(c, a), fc_loc(c, b)); return true;
    case OP_i32_shr_u: shift3(c, w, SH_SHR, d, fc_loc(c, a), fc_loc(c, b)); return true;
    case OP_i32_rotl: shift3(c, w, SH_ROL, d, fc_loc(c, a), fc_loc(c, b)); return true;
    case OP_i32_rotr: shift3(c, w, SH_ROR, d, fc_loc(c, a), fc_loc(c, b)); return true;
    case OP_i32_div_s: divrem(c, w, true, false, d, a, b); return true;
    case OP_i32_div_u: divrem(c, w, false, false, d, a, b); return true;
    case OP_i32_rem_s: divrem(c, w, true, true, d, a, b); return true;
    case OP_i32_rem_u: divrem(c, w, false, true, d, a, b); return true;
    default: break;
    }
    if (base >= OP_i32_eq && base <= OP_i32_ge_u) {
        int cc = fc_cmp(c, w, fc_loc(c, a), fc_loc(c, b), cmp_cc[base - OP_i32_eq]);
        setcc_to(c, cc, d);
        return true;
    }
    return false;
}

/* ---- floats ---- */

static bool is_f64_op(enum wasm_op op)
{
    return op >= OP_f64_eq && op <= OP_f64_copysign;
}

/* The xmm register of slot s, or -1. */
static int xmm_of(struct fcomp *c, uint32_t s)
{
    uint8_t r = jit_reg_of(&c->fn, s);
    return r != JIT_NOREG && r >= NGPR ? 4 + (r - NGPR) : -1;
}

/* d = a op b (addss/addsd ...); the second operand may be memory. The
 * operands are never swapped, even for add and mul: with two NaNs x86
 * returns the first (quieted), and so does the interpreter's C. */
static void fbin(struct fcomp *c, bool f64, uint8_t sse, uint32_t d, uint32_t a, uint32_t b)
{
    int xd = fc_dst_xmm(c, d, 0);
    bool a_in_d = xmm_of(c, a) == xd, b_in_d = xmm_of(c, b) == xd;
    struct xrm rb;
    if (a_in_d) {
        rb = fc_xrm(c, b, f64, 1);
    } else if (b_in_d) {
        fc_load_xmm(c, 0, a, f64);
        x_sse(c->b, x_sfx(f64), 0, sse, 0, fc_xrm(c, b, f64, 1));
        fc_put_xmm(c, d, f64, 0);
        return;
    } else {
        fc_load_xmm(c, xd, a, f64);
        rb = fc_xrm(c, b, f64, 1);
    }
    x_sse(c->b, x_sfx(f64), 0, sse, xd, rb);
    fc_put_xmm(c, d, f64, xd);
}

/* Float compares (spec 4.3.3 feq ... fge): unordered is false except ne. */
static void fcmp(struct fcomp *c, bool f64, int kind, uint32_t d, uint32_t a, uint32_t b)
{
    /* kind: 0 eq 1 ne 2 lt 3 gt 4 le 5 ge; lt/le compare b with a */
    bool swap = kind == 2 || kind == 4;
    uint32_t x = swap ? b : a, y = swap ? a : b;
    int xr = fc_xmm(c, x, f64, 0);
    x_ucomi(c->b, f64, xr, fc_xrm(c, y, f64, 1));
    int rd = fc_dst_gpr(c, d, RAX);
    switch (kind) {
    case 0:
        x_setcc(c->b, CC_E, RAX);
        x_setcc(c->b, CC_NP, RCX);
        x_alu_rm(c->b, 0, ALU_AND, RAX, XR(RCX));
        break;
    case 1:
        x_setcc(c->b, CC_NE, RAX);
        x_setcc(c->b, CC_P, RCX);
        x_alu_rm(c->b, 0, ALU_OR, RAX, XR(RCX));
        break;
    case 2:
    case 3: x_setcc(c->b, CC_A, RAX); break;
    default: x_setcc(c->b, CC_AE, RAX); break;
    }
    x_movzx8(c->b, rd, XR(RAX));
    fc_put_gpr(c, d, 0, rd);
}

/* min/max (spec 4.3.3 fmin/fmax): a NaN operand gives a NaN; -0 < +0. */
static void fminmax(struct fcomp *c, bool f64, bool max, uint32_t d, uint32_t a, uint32_t b)
{
    fc_load_xmm(c, 0, a, f64);
    fc_load_xmm(c, 1, b, f64);
    x_ucomi(c->b, f64, 0, XR(1));
    uint32_t nan = x_jcc(c->b, CC_P, 0);
    uint32_t ne = x_jcc(c->b, CC_NE, 0);
    x_bitps(c->b, max ? SSE_AND : SSE_OR, 0, 1); /* equal: the sign bits decide */
    uint32_t done1 = x_jmp(c->b, 0);
    x_patch(c->b, nan, c->b->len);
    x_sse(c->b, x_sfx(f64), 0, SSE_ADD, 0, XR(1)); /* a quiet NaN, as numeric.h */
    uint32_t done2 = x_jmp(c->b, 0);
    x_patch(c->b, ne, c->b->len);
    x_sse(c->b, x_sfx(f64), 0, max ? SSE_MAX : SSE_MIN, 0, XR(1));
    x_patch(c->b, done1, c->b->len);
    x_patch(c->b, done2, c->b->len);
    fc_put_xmm(c, d, f64, 0);
}

/* abs, neg, copysign on the bits (spec 4.3.3: they never touch NaN payloads). */
static void fsign(struct fcomp *c, enum wasm_op op, bool f64, uint32_t d, uint32_t a, uint32_t b)
{
    int w = f64;
    fc_load_gpr(c, RAX, a, w);
    bool abs = op == OP_f32_abs || op == OP_f64_abs, neg = op == OP_f32_neg || op == OP_f64_neg;
    if (abs || !neg) { /* clear the sign */
        if (w) {
            x_shift_i(c->b, 1, SH_SHL, XR(RAX), 1);
            x_shift_i(c->b, 1, SH_SHR, XR(RAX), 1);
        } else {
            x_alu_mi(c->b, 0, ALU_AND, XR(RAX), 0x7fffffff);
        }
    }
    if (neg) {
        if (w) {
            x_mov_ri(c->b, RCX, 0x8000000000000000ull);
            x_alu_rm(c->b, 1, ALU_XOR, RAX, XR(RCX));
        } else {
            x_alu_mi(c->b, 0, ALU_XOR, XR(RAX), (int32_t)0x80000000u);
        }
    }
    if (!abs && !neg) { /* copysign: b's sign */
        fc_load_gpr(c, RCX, b, w);
        if (w) {
            x_shift_i(c->b, 1, SH_SHR, XR(RCX), 63);
            x_shift_i(c->b, 1, SH_SHL, XR(RCX), 63);
        } else {
            x_alu_mi(c->b, 0, ALU_AND, XR(RCX), (int32_t)0x80000000u);
        }
        x_alu_rm(c->b, w, ALU_OR, RAX, XR(RCX));
    }
    fc_put_gpr(c, d, w, RAX);
}

static void fround(struct fcomp *c, enum wasm_op op, bool f64, uint32_t d, uint32_t a)
{
    if (!c->j->sse41) {
        unary_in_c(c, op, d, a, f64);
        return;
    }
    static const uint8_t mode[4] = {2, 1, 3, 0}; /* ceil floor trunc nearest */
    unsigned k = (unsigned)(op - (f64 ? OP_f64_ceil : OP_f32_ceil));
    int xd = fc_dst_xmm(c, d, 0);
    x_round(c->b, f64, xd, fc_xrm(c, a, f64, 1), (uint8_t)(mode[k] | 8));
    fc_put_xmm(c, d, f64, xd);
}

static bool float_op(struct fcomp *c, enum wasm_op op, const uint32_t *cell)
{
    if (!(op >= OP_f32_eq && op <= OP_f64_copysign)) return false;
    bool f64 = is_f64_op(op);
    enum wasm_op base = f64 ? (enum wasm_op)(op - (OP_f64_eq - OP_f32_eq)) : op;
    uint32_t d = cell[1], a = cell[2], b = cell[3];
    switch (base) {
    case OP_f32_eq:
    case OP_f32_ne:
    case OP_f32_lt:
    case OP_f32_gt:
    case OP_f32_le:
    case OP_f32_ge: fcmp(c, f64, (int)(base - OP_f32_eq), d, a, b); break;
    case OP_f32_abs:
    case OP_f32_neg: fsign(c, op, f64, d, a, 0); break;
    case OP_f32_copysign: fsign(c, op, f64, d, a, b); break;
    case OP_f32_ceil:
    case OP_f32_floor:
    case OP_f32_trunc:
    case OP_f32_nearest: fround(c, op, f64, d, a); break;
    case OP_f32_sqrt: {
        int xd = fc_dst_xmm(c, d, 0);
        x_sse(c->b, x_sfx(f64), 0, SSE_SQRT, xd, fc_xrm(c, a, f64, 1));
        fc_put_xmm(c, d, f64, xd);
        break;
    }
    case OP_f32_add: fbin(c, f64, SSE_ADD, d, a, b); break;
    case OP_f32_sub: fbin(c, f64, SSE_SUB, d, a, b); break;
    case OP_f32_mul: fbin(c, f64, SSE_MUL, d, a, b); break;
    case OP_f32_div: fbin(c, f64, SSE_DIV, d, a, b); break;
    case OP_f32_min: fminmax(c, f64, false, d, a, b); break;
    case OP_f32_max: fminmax(c, f64, true, d, a, b); break;
    default: return false;
    }
    return true;
}

/* ---- conversions ---- */

/* Float to int (trapping, or saturating with sat): cvtt* in range, else C. */
static void ftrunc(struct fcomp *c, enum wasm_op op, bool sat)
{
    const uint32_t *cell = c->fn.code->cells + c->fn.ins[c->cur].pos;
    uint32_t d = cell[1], a = cell[2];
    unsigned k = sat ? (unsigned)(op - OP_i32_trunc_sat_f32_s) : 0;
    bool src64, dst64, sign;
    if (sat) {
        src64 = k & 2, dst64 = k >= 4, sign = !(k & 1);
    } else {
        static const enum wasm_op order[8] = {
            OP_i32_trunc_f32_s, OP_i32_trunc_f32_u, OP_i32_trunc_f64_s, OP_i32_trunc_f64_u,
            OP_i64_trunc_f32_s, OP_i64_trunc_f32_u, OP_i64_trunc_f64_s, OP_i64_trunc_f64_u};
        for (k = 0; order[k] != op; k++)
            ;
        src64 = k & 2, dst64 = k >= 4, sign = !(k & 1);
    }
    int x = fc_xmm(c, a, src64, 0);
    bool wide = dst64 || !sign; /* u32 goes through a 64-bit conversion */
    x_sse(c->b, x_sfx(src64), wide, SSE_CVTT, RAX, XR(x));
    uint32_t slow;
    if (sign) {
        x_alu_mi(c->b, dst64, ALU_CMP, XR(RAX), 1); /* INT_MIN is "invalid" (or exact) */
        slow = x_jcc(c->b, CC_O, 0);
    } else if (!dst64) {
        x_mov_rr(c->b, 1, RCX, RAX);
        x_shift_i(c->b, 1, SH_SHR, XR(RCX), 32);
        slow = x_jcc(c->b, CC_NE, 0);
    } else {
        x_test_rr(c->b, 1, RAX, RAX);
        slow = x_jcc(c->b, CC_S, 0);
    }
    uint32_t ok = c->b->len;
    uint64_t clean = c->clean;
    fc_put_gpr(c, d, dst64, RAX);
    uint32_t done = x_jmp(c->b, 0);
    uint64_t clean_after = c->clean;
    /* slow path: numeric.h in C */
    c->clean = clean;
    x_patch(c->b, slow, c->b->len);
    uint64_t defs = fc_defs(c);
    x_movs_store(c->b, true, XM(R_EX, OFF(exec, jit_args)), x);
    fc_c_save(c, defs);
    if (sat) {
        x_load(c->b, 1, RSI, XM(R_EX, OFF(exec, jit_args)));
        x_mov_ri(c->b, RDI, (uint32_t)op);
        fc_call_c(c, (const void *)jit_h_unary);
    } else {
        x_mov_rr(c->b, 1, RDI, R_EX);
        x_mov_ri(c->b, RSI, (uint32_t)op);
        fc_self(c, RDX);
        fc_call_c(c, (const void *)jit_h_trunc);
        fc_unwind_if_nz(c);
        x_load(c->b, 1, RAX, XM(R_EX, OFF(exec, jit_args)));
    }
    fc_c_restore(c, defs);
    x_jmp(c->b, ok);
    x_patch(c->b, done, c->b->len);
    c->clean = clean_after;
}

static void fconvert(struct fcomp *c, enum wasm_op op, uint32_t d, uint32_t a)
{
    bool f64 = op >= OP_f64_convert_i32_s && op <= OP_f64_convert_i64_u;
    enum wasm_op base =
        f64 ? (enum wasm_op)(op - (OP_f64_convert_i32_s - OP_f32_convert_i32_s)) : op;
    int xd = fc_dst_xmm(c, d, 0);
    /* the source first: d may share a's register */
    fc_load_gpr(c, RAX, a, base != OP_f32_convert_i32_s && base != OP_f32_convert_i32_u);
    x_bitps(c->b, SSE_XOR, xd, xd);
    switch (base) {
    case OP_f32_convert_i32_s: x_sse(c->b, x_sfx(f64), 0, SSE_CVTSI, xd, XR(RAX)); break;
    case OP_f32_convert_i32_u: /* zero-extended: exact as a signed 64-bit value */
    case OP_f32_convert_i64_s: x_sse(c->b, x_sfx(f64), 1, SSE_CVTSI, xd, XR(RAX)); break;
    default: { /* u64: halve with the low bit kept (round-to-odd), convert, double */
        x_test_rr(c->b, 1, RAX, RAX);
        uint32_t big = x_jcc(c->b, CC_S, 0);
        x_sse(c->b, x_sfx(f64), 1, SSE_CVTSI, xd, XR(RAX));
        uint32_t done = x_jmp(c->b, 0);
        x_patch(c->b, big, c->b->len);
        x_mov_rr(c->b, 1, RCX, RAX);
        x_shift_i(c->b, 1, SH_SHR, XR(RCX), 1);
        x_alu_mi(c->b, 0, ALU_AND, XR(RAX), 1);
        x_alu_rm(c->b, 1, ALU_OR, RCX, XR(RAX));
        x_sse(c->b, x_sfx(f64), 1, SSE_CVTSI, xd, XR(RCX));
        x_sse(c->b, x_sfx(f64), 0, SSE_ADD, xd, XR(xd));
        x_patch(c->b, done, c->b->len);
        break;
    }
    }
    fc_put_xmm(c, d, f64, xd);
}

static bool convert_op(struct fcomp *c, enum wasm_op op, const uint32_t *cell)
{
    uint32_t d = cell[1], a = cell[2];
    switch (op) {
    case OP_i32_trunc_f32_s:
    case OP_i32_trunc_f32_u:
    case OP_i32_trunc_f64_s:
    case OP_i32_trunc_f64_u:
    case OP_i64_trunc_f32_s:
    case OP_i64_trunc_f32_u:
    case OP_i64_trunc_f64_s:
    case OP_i64_trunc_f64_u: ftrunc(c, op, false); return true;
    case OP_i64_extend_i32_s: {
        int rd = fc_dst_gpr(c, d, RAX);
        x_movsxd(c->b, rd, fc_rm(c, a, 0, RAX));
        fc_put_gpr(c, d, 1, rd);
        return true;
    }
    case OP_i64_extend_i32_u: {
        int rd = fc_dst_gpr(c, d, RAX);
        fc_load_gpr(c, rd, a, 0);
        fc_put_gpr(c, d, 1, rd);
        return true;
    }
    case OP_f32_demote_f64:
    case OP_f64_promote_f32: {
        bool to64 = op == OP_f64_promote_f32;
        int xd = fc_dst_xmm(c, d, 0);
        x_sse(c->b, x_sfx(!to64), 0, SSE_CVT_F, xd, fc_xrm(c, a, !to64, 1));
        fc_put_xmm(c, d, to64, xd);
        return true;
    }
    case OP_i32_extend8_s:
    case OP_i32_extend16_s:
    case OP_i64_extend8_s:
    case OP_i64_extend16_s:
    case OP_i64_extend32_s: {
        int w = op != OP_i32_extend8_s && op != OP_i32_extend16_s;
        int rd = fc_dst_gpr(c, d, RAX);
        int ra = fc_gpr(c, a, w, RAX);
        if (op == OP_i32_extend8_s || op == OP_i64_extend8_s)
            x_movsx8(c->b, w, rd, XR(ra));
        else if (op == OP_i64_extend32_s)
            x_movsxd(c->b, rd, XR(ra));
        else
            x_movsx16(c->b, w, rd, XR(ra));
        fc_put_gpr(c, d, w, rd);
        return true;
    }
    default: break;
    }
    if (op >= OP_f32_convert_i32_s && op <= OP_f64_convert_i64_u && op != OP_f32_demote_f64) {
        fconvert(c, op, d, a);
        return true;
    }
    if (op >= OP_i32_trunc_sat_f32_s && op <= OP_i64_trunc_sat_f64_u) {
        ftrunc(c, op, true);
        return true;
    }
    return false;
}

bool fc_op_numeric(struct fcomp *c, enum wasm_op op, const uint32_t *cell)
{
    return integer_op(c, op, cell) || float_op(c, op, cell) || convert_op(c, op, cell);
}

/* ---- memory ---- */

/*
 * The operand for an access of size bytes at (A [+ B]) mod 2^32 + off,
 * after the bounds check (spec 4.4.7: ea + size <= memory size). Uses rax
 * and rdx. A constant address within the memory's size at compile time
 * needs no check: memories never shrink.
 */
struct xrm fc_address(struct fcomp *c, uint32_t a, int64_t b, uint32_t off, uint32_t size)
{
    struct opnd oa = fc_loc(c, a), ob = b >= 0 ? fc_loc(c, (uint32_t)b) : imm_opnd(0);
    if (oa.kind == O_IMM && ob.kind == O_IMM) {
        uint64_t ea = (uint64_t)(uint32_t)(oa.imm + ob.imm) + off;
        if (ea + size <= c->j->inst->mem->size && ea <= INT32_MAX) return XM(R_MB, (int32_t)ea);
    }
    fc_load_gpr(c, RAX, a, 0);
    if (b >= 0) fc_alu_r(c, 0, ALU_ADD, RAX, ob, RDX);
    if (off <= INT32_MAX - 16) {
        uint32_t end = off + size, bs = b >= 0 ? (uint32_t)b : UINT32_MAX, i;
        for (i = 0; i < c->nchk && !(c->chk[i].a == a && c->chk[i].b == bs); i++)
            ;
        if (i < c->nchk && c->chk[i].end >= end) return XMI(R_MB, RAX, 0, (int32_t)off);
        x_lea(c->b, 1, RDX, XM(RAX, (int32_t)end));
        x_alu_rm(c->b, 1, ALU_CMP, RDX, XR(R_MSZ));
        fc_trap_if(c, CC_A, WASM_TRAP_MEMORY_OOB);
        if (i == c->nchk && i < sizeof c->chk / sizeof c->chk[0]) c->nchk++;
        if (i < c->nchk) {
            c->chk[i].a = a;
            c->chk[i].b = bs;
            c->chk[i].end = end;
        }
        return XMI(R_MB, RAX, 0, (int32_t)off);
    }
    x_mov_ri(c->b, RDX, off);
    x_alu_rm(c->b, 1, ALU_ADD, RAX, XR(RDX));
    x_lea(c->b, 1, RDX, XM(RAX, (int32_t)size));
    x_alu_rm(c->b, 1, ALU_CMP, RDX, XR(R_MSZ));
    fc_trap_if(c, CC_A, WASM_TRAP_MEMORY_OOB);
    return XMI(R_MB, RAX, 0, 0);
}

static void load(struct fcomp *c, enum wasm_op op, uint32_t d, uint32_t a, int64_t b, uint32_t off)
{
    static const uint8_t size[12] = {4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4};
    unsigned k = (unsigned)(op - OP_i32_load);
    struct xrm m = fc_address(c, a, b, off, size[k]);
    struct opnd od = fc_loc(c, d);
    int w = op != OP_i32_load && op != OP_i32_load8_s && op != OP_i32_load8_u &&
            op != OP_i32_load16_s && op != OP_i32_load16_u;
    if (od.kind == O_XMM && (op == OP_i32_load || op == OP_i64_load)) {
        x_movs_load(c->b, op == OP_i64_load, od.r, m);
        fc_dirty(c, d);
        return;
    }
    int rd = fc_dst_gpr(c, d, RCX);
    switch (op) {
    case OP_i32_load:
    case OP_i64_load32_u: x_load(c->b, 0, rd, m); break;
    case OP_i64_load: x_load(c->b, 1, rd, m); break;
    case OP_i32_load8_s:
    case OP_i64_load8_s: x_movsx8(c->b, w, rd, m); break;
    case OP_i32_load8_u:
    case OP_i64_load8_u: x_movzx8(c->b, rd, m); break;
    case OP_i32_load16_s:
    case OP_i64_load16_s: x_movsx16(c->b, w, rd, m); break;
    case OP_i32_load16_u:
    case OP_i64_load16_u: x_movzx16(c->b, rd, m); break;
    default: x_movsxd(c->b, rd, m); break; /* i64.load32_s */
    }
    fc_put_gpr(c, d, w, rd);
}

static void store(struct fcomp *c, enum wasm_op op, uint32_t a, int64_t b, uint32_t v, uint32_t off)
{
    static const uint8_t size[4] = {4, 8, 1, 2};
    unsigned k = (unsigned)(op - OP_i32_store);
    struct opnd ov = fc_loc(c, v);
    int rv = RCX;
    if (ov.kind == O_MEM || (ov.kind == O_IMM && k == 1 && !x_fits32((int64_t)ov.imm)))
        load_o(c, RCX, ov, k == 1);
    else if (ov.kind == O_XMM && k >= 2)
        x_movd_rx(c->b, 0, XR(RCX), ov.r);
    else if (ov.kind == O_GPR)
        rv = ov.r;
    struct xrm m = fc_address(c, a, b, off, size[k]);
    if (ov.kind == O_XMM && k < 2) {
        x_movs_store(c->b, k == 1, m, ov.r);
        return;
    }
    if (ov.kind == O_IMM && (k != 1 || x_fits32((int64_t)ov.imm))) {
        uint32_t v32 = (uint32_t)ov.imm;
        switch (k) {
        case 0:
        case 1: x_mov_mi(c->b, k == 1, m, v32); break;
        case 2:
            x_op(c->b, 0, 0, 0xc6, 1, 0, m);
            x_byte(c->b, (uint8_t)v32);
            break;
        default:
            x_op(c->b, 0x66, 0, 0xc7, 1, 0, m);
            x_byte(c->b, (uint8_t)v32);
            x_byte(c->b, (uint8_t)(v32 >> 8));
            break;
        }
        return;
    }
    switch (k) {
    case 0: x_store(c->b, 0, m, rv); break;
    case 1: x_store(c->b, 1, m, rv); break;
    case 2: x_store8(c->b, m, rv); break;
    default: x_store16(c->b, m, rv); break;
    }
}

bool fc_op_memory(struct fcomp *c, enum wasm_op op, const uint32_t *cell)
{
    if (op >= OP_i32_load && op <= OP_i64_load32_u) {
        load(c, op, cell[1], cell[2], -1, cell[3]);
    } else if (op >= OP_i32_load_add && op <= OP_i64_load32_u_add) {
        load(c, (enum wasm_op)(OP_i32_load + (op - OP_i32_load_add)), cell[1], cell[2], cell[3],
             cell[4]);
    } else if (op >= OP_i32_store && op <= OP_store16) {
        store(c, op, cell[1], -1, cell[2], cell[3]);
    } else if (op >= OP_i32_store_add && op <= OP_store16_add) {
        store(c, (enum wasm_op)(OP_i32_store + (op - OP_i32_store_add)), cell[1], cell[2], cell[3],
              cell[4]);
    } else {
        return false;
    }
    return true;
}

/* ---- select, globals, tables, references, bulk instructions ---- */

/* The 64-bit value of slot s into jit_args[k] (a helper's operand). */
static void to_arg(struct fcomp *c, int k, uint32_t s)
{
    struct xrm m = XM(R_EX, OFF(exec, jit_args) + 8 * k);
    struct opnd o = fc_loc(c, s);
    if (o.kind == O_XMM)
        x_movs_store(c->b, true, m, o.r);
    else if (o.kind == O_IMM && x_fits32((int64_t)o.imm))
        x_mov_mi(c->b, 1, m, (uint32_t)o.imm);
    else
        x_store(c->b, 1, m, fc_gpr(c, s, 1, RAX));
}

/* A helper's immediate operand: an object of the instance (kind, index),
 * or with JO_NONE the plain value index. */
struct himm {
    enum jit_obj kind;
    uint32_t index;
};
#define OBJ(k, i) ((struct himm){(k), (i)})
#define IMM(v)    ((struct himm){JO_NONE, (v)})

/* Calls helper(ex, i1, i2, i3, self) (the immediates given, nimm of them)
 * with the live registers saved; traps unwind; the result stays in rax. */
static void helper(struct fcomp *c, const void *fn, int nimm, struct himm i1, struct himm i2,
                   struct himm i3, bool self, bool traps)
{
    static const uint8_t regs[5] = {RSI, RDX, RCX, R8, R9};
    struct himm imm[3] = {i1, i2, i3};
    uint64_t defs = fc_defs(c);
    fc_c_save(c, defs);
    x_mov_rr(c->b, 1, RDI, R_EX);
    for (int i = 0; i < nimm; i++) {
        if (imm[i].kind == JO_NONE)
            x_mov_ri(c->b, regs[i], imm[i].index);
        else
            fc_obj(c, regs[i], imm[i].kind, imm[i].index);
    }
    if (self) fc_self(c, regs[nimm]);
    fc_call_c(c, fn);
    if (traps) fc_unwind_if_nz(c);
    fc_c_restore(c, defs);
}

static void select_op(struct fcomp *c, const uint32_t *cell)
{
    uint32_t d = cell[1], a = cell[2], b = cell[3], cond = cell[4];
    struct opnd oc = fc_loc(c, cond);
    if (oc.kind == O_IMM) {
        fc_load_gpr(c, RAX, (uint32_t)oc.imm ? a : b, 1);
        fc_put_gpr(c, d, 1, RAX);
        return;
    }
    fc_load_gpr(c, RAX, b, 1);
    if (oc.kind == O_MEM) {
        x_alu_mi(c->b, 0, ALU_CMP, oc.m, 0);
    } else {
        int r = fc_gpr(c, cond, 0, RDX);
        x_test_rr(c->b, 0, r, r);
    }
    x_cmov(c->b, 1, CC_NE, RAX, fc_rm(c, a, 1, RCX));
    fc_put_gpr(c, d, 1, RAX);
}

static void global_op(struct fcomp *c, bool set, uint32_t g, uint32_t s)
{
    fc_obj(c, RAX, JO_GLOBAL, g);
    struct opnd o = fc_loc(c, s);
    if (!set) {
        if (o.kind == O_XMM)
            x_movs_load(c->b, true, o.r, XM(RAX, 0));
        else if (o.kind == O_GPR)
            x_load(c->b, 1, o.r, XM(RAX, 0));
        else {
            x_load(c->b, 1, RCX, XM(RAX, 0));
            x_store(c->b, 1, o.m, RCX);
        }
        fc_dirty(c, s);
        return;
    }
    if (o.kind == O_XMM)
        x_movs_store(c->b, true, XM(RAX, 0), o.r);
    else if (o.kind == O_IMM && x_fits32((int64_t)o.imm))
        x_mov_mi(c->b, 1, XM(RAX, 0), (uint32_t)o.imm);
    else
        x_store(c->b, 1, XM(RAX, 0), fc_gpr(c, s, 1, RCX));
}

/* const32 [D IMM] (zero-extended) and const64 [D LO HI]. */
static void const_op(struct fcomp *c, uint32_t d, uint64_t v)
{
    struct opnd o = fc_loc(c, d);
    if (o.kind == O_GPR)
        x_mov_ri(c->b, o.r, v);
    else if (o.kind == O_XMM)
        fc_kload(c, o.r, true, v);
    else if (x_fits32((int64_t)v))
        x_mov_mi(c->b, 1, o.m, (uint32_t)v);
    else {
        x_mov_ri(c->b, RAX, v);
        x_store(c->b, 1, o.m, RAX);
    }
    fc_dirty(c, d);
}

static bool table_op(struct fcomp *c, enum wasm_op op, const uint32_t *cell)
{
    switch (op) {
    case OP_table_get:   /* [D T A] */
    case OP_table_set: { /* [T A B] */
        bool get = op == OP_table_get;
        uint32_t t = get ? cell[2] : cell[1], i = get ? cell[3] : cell[2];
        if (!get) fc_load_gpr(c, RDX, cell[3], 1);
        fc_load_gpr(c, RAX, i, 0);
        fc_obj(c, RCX, JO_TABLE, t);
        x_alu_rm(c->b, 0, ALU_CMP, RAX, XM(RCX, OFF(wasm_table, size)));
        fc_trap_if(c, CC_AE, WASM_TRAP_TABLE_OOB);
        x_load(c->b, 1, RCX, XM(RCX, OFF(wasm_table, elems)));
        if (get) {
            x_load(c->b, 1, RCX, XMI(RCX, RAX, 3, 0));
            fc_put_gpr(c, cell[1], 1, RCX);
        } else {
            x_store(c->b, 1, XMI(RCX, RAX, 3, 0), RDX);
        }
        return true;
    }
    case OP_table_size:
        fc_obj(c, RCX, JO_TABLE, cell[2]);
        x_load(c->b, 0, RAX, XM(RCX, OFF(wasm_table, size)));
        fc_put_gpr(c, cell[1], 0, RAX);
        return true;
    case OP_table_grow: /* [D T A B]: A the initial value, B the delta */
        to_arg(c, 0, cell[3]);
        to_arg(c, 1, cell[4]);
        helper(c, (const void *)jit_h_table_grow, 1, OBJ(JO_TABLE, cell[2]), IMM(0), IMM(0), false,
               false);
        fc_put_gpr(c, cell[1], 0, RAX);
        return true;
    case OP_table_fill: /* [T A B C] */
        for (int k = 0; k < 3; k++)
            to_arg(c, k, cell[2 + k]);
        helper(c, (const void *)jit_h_table_fill, 1, OBJ(JO_TABLE, cell[1]), IMM(0), IMM(0), true,
               true);
        return true;
    case OP_table_copy: /* [T T A B C] */
        for (int k = 0; k < 3; k++)
            to_arg(c, k, cell[3 + k]);
        helper(c, (const void *)jit_h_table_copy, 2, OBJ(JO_TABLE, cell[1]), OBJ(JO_TABLE, cell[2]),
               IMM(0), true, true);
        return true;
    case OP_table_init: /* [T S A B C] */
        for (int k = 0; k < 3; k++)
            to_arg(c, k, cell[3 + k]);
        helper(c, (const void *)jit_h_table_init, 3, OBJ(JO_INST, 0), IMM(cell[1]), IMM(cell[2]),
               true, true);
        return true;
    case OP_elem_drop:
        fc_obj(c, RAX, JO_ELEM_COUNT, cell[1]);
        x_mov_mi(c->b, 0, XM(RAX, 0), 0);
        return true;
    case OP_ref_func:
        fc_obj(c, RAX, JO_FUNC, cell[2]);
        fc_put_gpr(c, cell[1], 1, RAX);
        return true;
    case OP_ref_is_null: {
        struct opnd o = fc_loc(c, cell[2]);
        if (o.kind == O_MEM) {
            x_alu_mi(c->b, 1, ALU_CMP, o.m, 0);
        } else {
            int r = fc_gpr(c, cell[2], 1, RAX);
            x_test_rr(c->b, 1, r, r);
        }
        x_setcc(c->b, CC_E, RAX);
        x_movzx8(c->b, RAX, XR(RAX));
        fc_put_gpr(c, cell[1], 0, RAX);
        return true;
    }
    default: return false;
    }
}

static bool memory_misc(struct fcomp *c, enum wasm_op op, const uint32_t *cell)
{
    switch (op) {
    case OP_memory_size:
        x_mov_rr(c->b, 1, RAX, R_MSZ);
        x_shift_i(c->b, 1, SH_SHR, XR(RAX), 16);
        fc_put_gpr(c, cell[1], 0, RAX);
        return true;
    case OP_memory_grow: {
        fc_load_gpr(c, RAX, cell[2], 0);
        uint64_t defs = fc_defs(c);
        fc_c_save(c, defs);
        x_mov_rr(c->b, 0, RSI, RAX);
        fc_obj(c, RDI, JO_MEM, 0);
        fc_call_c(c, (const void *)jit_h_memory_grow);
        fc_c_restore(c, defs);
        fc_put_gpr(c, cell[1], 0, RAX);
        fc_reload_memory(c);
        return true;
    }
    case OP_memory_init: /* [S A B C] */
        for (int k = 0; k < 3; k++)
            to_arg(c, k, cell[2 + k]);
        helper(c, (const void *)jit_h_memory_init, 2, OBJ(JO_INST, 0), IMM(cell[1]), IMM(0), true,
               true);
        return true;
    case OP_data_drop:
        fc_obj(c, RAX, JO_DATA_DROPPED, cell[1]);
        x_op(c->b, 0, 0, 0xc6, 1, 0, XM(RAX, 0));
        x_byte(c->b, 1);
        return true;
    case OP_memory_copy:
    case OP_memory_fill:
        for (int k = 0; k < 3; k++)
            to_arg(c, k, cell[1 + k]);
        helper(c,
               op == OP_memory_copy ? (const void *)jit_h_memory_copy
                                    : (const void *)jit_h_memory_fill,
               1, OBJ(JO_MEM, 0), IMM(0), IMM(0), true, true);
        return true;
    default: return false;
    }
}

bool fc_op_misc(struct fcomp *c, enum wasm_op op, const uint32_t *cell)
{
    switch (op) {
    case OP_select: select_op(c, cell); return true;
    case OP_global_get: global_op(c, false, cell[2], cell[1]); return true;
    case OP_global_set: global_op(c, true, cell[1], cell[2]); return true;
    case OP_const32: const_op(c, cell[1], cell[2]); return true;
    case OP_const64: const_op(c, cell[1], (uint64_t)cell[3] << 32 | cell[2]); return true;
    default: return table_op(c, op, cell) || memory_misc(c, op, cell);
    }
}
#endif
