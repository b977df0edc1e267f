/*
 * lib/wasm/jit_x86_64_simd.c - x86-64 code for wide frames: the 16-byte
 * moves (copy_w, select_w, global_get_w, global_set_w) and the simd op
 * (ops.h), on SSE2 and, where the CPU has it, SSE4.1 (with SSSE3).
 *
 * v128 values never have registers (jit_ir.c keeps their slots in the
 * frame), so an instruction loads its vectors into the scratch registers
 * xmm0-xmm3 (movdqu: frame slots are 8-byte aligned), computes, and stores
 * the result home. Scalar operands (addresses, lane values, shift counts,
 * extract and test results) are ordinary slots that may have registers.
 * Most instructions are one SSE instruction (the tables below); the others
 * are sequences, some only with SSE4.1; what has no code here yet is done
 * by interp_simd through jit_h_simd, with the same traps and results.
 */
#include "wasm/jit_x86_64.h"

#include "wasm/compile.h"

#if defined(__x86_64__)

/* ---- encodings ---- */

static void movdqu_load(struct fcomp *c, int x, struct xrm m)
{
    x_op(c->b, 0xf3, 0, 0x0f6f, 2, x, m);
}

static void movdqu_store(struct fcomp *c, struct xrm m, int x)
{
    x_op(c->b, 0xf3, 0, 0x0f7f, 2, x, m);
}

/* 66 0F op x, y: the SSE2 integer instructions on registers. */
static void p66(struct fcomp *c, uint8_t op, int x, int y)
{
    x_op(c->b, 0x66, 0, 0x0f00u | op, 2, x, XR(y));
}

/* 66 0F 71/72/73 /digit ib: shift x by an immediate. */
static void pshift_i(struct fcomp *c, uint8_t op, int digit, int x, uint8_t n)
{
    x_op(c->b, 0x66, 0, 0x0f00u | op, 2, digit, XR(x));
    x_byte(c->b, n);
}

/* pshufd/pshuflw/pshufhw x, y, imm (prefix 66/F2/F3). */
static void pshuf(struct fcomp *c, uint8_t pfx, int x, int y, uint8_t imm)
{
    x_op(c->b, pfx, 0, 0x0f70, 2, x, XR(y));
    x_byte(c->b, imm);
}

enum {
    P_PUNPCKLBW = 0x60,
    P_PUNPCKLWD = 0x61,
    P_PUNPCKLDQ = 0x62,
    P_PACKSSWB = 0x63,
    P_PCMPGTB = 0x64,
    P_PCMPEQB = 0x74,
    P_PCMPEQD = 0x76,
    P_PUNPCKHBW = 0x68,
    P_PUNPCKHWD = 0x69,
    P_PUNPCKHDQ = 0x6a,
    P_PUNPCKLQDQ = 0x6c,
    P_PMOVMSKB = 0xd7,
    P_PAND = 0xdb,
    P_PANDN = 0xdf,
    P_POR = 0xeb,
    P_PXOR = 0xef,
};

/* A vector slot's 16 bytes (always in the frame). */
static void vload(struct fcomp *c, int x, uint32_t s)
{
    movdqu_load(c, x, fc_home(s));
}

static void vstore(struct fcomp *c, uint32_t s, int x)
{
    movdqu_store(c, fc_home(s), x);
    fc_dirty(c, s);
}

/* x = all ones. */
static void ones(struct fcomp *c, int x)
{
    p66(c, P_PCMPEQD, x, x);
}

/* x = the 32-bit pattern v in every lane (uses rax). */
static void splat32(struct fcomp *c, int x, uint32_t v)
{
    x_mov_ri(c->b, RAX, v);
    x_movd_xr(c->b, 0, x, XR(RAX));
    pshuf(c, 0x66, x, x, 0);
}

/* ---- the 16-byte moves ---- */

static void copy_w(struct fcomp *c, uint32_t d, uint32_t a)
{
    if (d == a) return;
    vload(c, 0, a);
    vstore(c, d, 0);
}

/* select_w D A B C: D = C ? A : B. */
static void select_w(struct fcomp *c, const uint32_t *cell)
{
    struct opnd o = fc_loc(c, cell[4]);
    if (o.kind == O_IMM) {
        copy_w(c, cell[1], (uint32_t)o.imm ? cell[2] : cell[3]);
        return;
    }
    int r = fc_gpr(c, cell[4], 0, RAX);
    vload(c, 0, cell[2]);
    x_test_rr(c->b, 0, r, r);
    uint32_t skip = x_jcc(c->b, CC_NE, 0);
    vload(c, 0, cell[3]);
    x_patch(c->b, skip, c->b->len);
    vstore(c, cell[1], 0);
}

static void global_w(struct fcomp *c, bool set, uint32_t g, uint32_t s)
{
    x_mov_ri(c->b, RAX, (uint64_t)(uintptr_t)&c->j->inst->globals[g]->v); /* v, then hi */
    if (set) {
        vload(c, 0, s);
        movdqu_store(c, XM(RAX, 0), 0);
    } else {
        movdqu_load(c, 0, XM(RAX, 0));
        vstore(c, s, 0);
    }
}

/* ---- through C ---- */

/* The scalar slot of operand k (JS_*) has a register: its slot. */
static int scalar_cand(struct fcomp *c, const uint32_t *cell, struct jit_simd_ops o, int k)
{
    if (!(o.used & (1u << k)) || (o.v128 & (1u << k))) return -1;
    int cand = jit_cand(&c->fn, cell[1 + k]);
    return cand >= 0 && c->fn.reg[cand] != JIT_NOREG ? cand : -1;
}

/* jit_h_simd(ex, cell, fp, self): scalar operands go to their frame slots
 * first, a scalar result comes back from its slot. */
static void simd_in_c(struct fcomp *c, const uint32_t *cell)
{
    struct jit_simd_ops o = jit_simd_operands(cell[5]);
    c->j->simd_in_c++;
    for (int k = 1; k < 4; k++) {
        int cand = scalar_cand(c, cell, o, k);
        if (cand >= 0) fc_save_cand(c, (uint32_t)cand);
    }
    uint64_t defs = fc_defs(c);
    fc_c_save(c, defs);
    x_mov_rr(c->b, 1, RDI, R_EX);
    x_mov_ri(c->b, RSI, (uint64_t)(uintptr_t)cell);
    x_mov_rr(c->b, 1, RDX, R_FP);
    x_mov_ri(c->b, RCX, (uint64_t)(uintptr_t)c->self);
    fc_call_c(c, (const void *)jit_h_simd);
    fc_unwind_if_nz(c);
    fc_c_restore(c, defs);
    if (o.used & JS_D) fc_dirty(c, cell[1]);
    int cand = scalar_cand(c, cell, o, 0);
    if (cand >= 0) fc_load_cand(c, (uint32_t)cand);
}

/* ---- the simd op ---- */

/* ---- memory ---- */

/* v128.load, v128.store and their extending, splatting, zeroing and lane
 * forms (0x00 .. 0x0b, 0x54 .. 0x5d): A the address, B the vector of the
 * lane and store forms, X0 the offset, X1 the lane. */
static bool simd_memory(struct fcomp *c, uint32_t sub, const uint32_t *cell)
{
    static const uint8_t load_size[] = {16, 8, 8, 8, 8, 8, 8, 1, 2, 4, 8, 16};
    uint32_t n = sub <= 0x0b   ? load_size[sub]
                 : sub <= 0x5b ? 1u << ((sub - 0x54) % 4)
                               : 4u << (sub - 0x5c);
    uint32_t d = cell[1], v = cell[3], lane = cell[7];
    struct xrm m = fc_address(c, cell[2], -1, cell[6], n);
    switch (sub) {
    case 0x00: movdqu_load(c, 0, m); break;
    case 0x0b:
        vload(c, 0, v);
        movdqu_store(c, m, 0);
        return true;
    case 0x01: /* i16x8.load8x8_s .. i64x2.load32x2_u */
    case 0x02:
    case 0x03:
    case 0x04:
    case 0x05:
    case 0x06: {
        static const uint8_t lo[3] = {P_PUNPCKLBW, P_PUNPCKLWD, P_PUNPCKLDQ};
        int k = (int)(sub - 0x01) / 2;
        x_movs_load(c->b, true, 0, m); /* movsd: the 8 bytes, upper half zero */
        if ((sub - 0x01) % 2) {        /* unsigned: interleave with zeros */
            p66(c, P_PXOR, 1, 1);
        } else { /* signed: interleave with the sign of each lane */
            p66(c, P_PXOR, 1, 1);
            if (k == 0) p66(c, P_PCMPGTB, 1, 0);
            if (k == 1) p66(c, 0x65, 1, 0); /* pcmpgtw */
            if (k == 2) p66(c, 0x66, 1, 0); /* pcmpgtd */
        }
        p66(c, lo[k], 0, 1);
        break;
    }
    case 0x07:
        x_movzx8(c->b, RAX, m);
        x_movd_xr(c->b, 0, 0, XR(RAX));
        p66(c, P_PUNPCKLBW, 0, 0);
        pshuf(c, 0xf2, 0, 0, 0);
        pshuf(c, 0x66, 0, 0, 0);
        break;
    case 0x08:
        x_movzx16(c->b, RAX, m);
        x_movd_xr(c->b, 0, 0, XR(RAX));
        pshuf(c, 0xf2, 0, 0, 0);
        pshuf(c, 0x66, 0, 0, 0);
        break;
    case 0x09:
        x_movs_load(c->b, false, 0, m);
        pshuf(c, 0x66, 0, 0, 0);
        break;
    case 0x0a:
        x_movs_load(c->b, true, 0, m);
        p66(c, P_PUNPCKLQDQ, 0, 0);
        break;
    case 0x5c: x_movs_load(c->b, false, 0, m); break; /* movss: upper lanes zero */
    case 0x5d: x_movs_load(c->b, true, 0, m); break;
    default:
        if (sub <= 0x57) { /* load lane: the vector, then the lane from memory */
            if (n == 1) x_movzx8(c->b, RCX, m);
            if (n == 2) x_movzx16(c->b, RCX, m);
            if (n >= 4) x_load(c->b, n == 8, RCX, m);
            copy_w(c, d, v);
            struct xrm l = fc_home(d);
            l.disp += (int32_t)(lane * n);
            if (n == 1) x_store8(c->b, l, RCX);
            if (n == 2) x_store16(c->b, l, RCX);
            if (n >= 4) x_store(c->b, n == 8, l, RCX);
            fc_dirty(c, d);
            return true;
        }
        /* store lane */
        struct xrm l = fc_home(v);
        l.disp += (int32_t)(lane * n);
        if (n == 1) x_movzx8(c->b, RCX, l);
        if (n == 2) x_movzx16(c->b, RCX, l);
        if (n >= 4) x_load(c->b, n == 8, RCX, l);
        if (n == 1) x_store8(c->b, m, RCX);
        if (n == 2) x_store16(c->b, m, RCX);
        if (n >= 4) x_store(c->b, n == 8, m, RCX);
        return true;
    }
    vstore(c, d, 0);
    return true;
}

/* ---- constants and lanes ---- */

static void v_const(struct fcomp *c, uint32_t d, const uint32_t *x)
{
    struct xrm h = fc_home(d);
    for (int i = 0; i < 2; i++) {
        uint64_t v = (uint64_t)x[2 * i + 1] << 32 | x[2 * i];
        struct xrm part = h;
        part.disp += 8 * i;
        if (x_fits32((int64_t)v)) {
            x_mov_mi(c->b, 1, part, (uint32_t)v);
        } else {
            x_mov_ri(c->b, RAX, v);
            x_store(c->b, 1, part, RAX);
        }
    }
    fc_dirty(c, d);
}

/* splat (0x0f .. 0x14): the scalar A in every lane. */
static void splat(struct fcomp *c, uint32_t sub, uint32_t d, uint32_t a)
{
    if (sub == 0x13 || sub == 0x14) {
        fc_load_xmm(c, 0, a, sub == 0x14);
    } else {
        fc_load_gpr(c, RAX, a, sub == 0x12);
        x_movd_xr(c->b, sub == 0x12, 0, XR(RAX));
    }
    if (sub == 0x0f) p66(c, P_PUNPCKLBW, 0, 0);
    if (sub <= 0x10) pshuf(c, 0xf2, 0, 0, 0);
    if (sub == 0x12 || sub == 0x14)
        p66(c, P_PUNPCKLQDQ, 0, 0);
    else
        pshuf(c, 0x66, 0, 0, 0);
    vstore(c, d, 0);
}

/* extract_lane and replace_lane (0x15 .. 0x22): the lane is read or
 * written in the frame slot itself. */
static void lanes(struct fcomp *c, uint32_t sub, const uint32_t *cell)
{
    static const uint8_t size[] = {1, 1, 1, 2, 2, 2, 4, 4, 8, 8, 4, 4, 8, 8};
    static const char kind[] = "suRsuRrRrRfFfF"; /* s/u/r extract, R replace; f/F float */
    uint32_t k = sub - 0x15, n = size[k], d = cell[1], a = cell[2];
    struct xrm l = fc_home(a);
    l.disp += (int32_t)(cell[7] * n);
    if (kind[k] == 'f') {
        int x = fc_dst_xmm(c, d, 0);
        x_movs_load(c->b, n == 8, x, l);
        fc_put_xmm(c, d, n == 8, x);
        return;
    }
    if (kind[k] != 'R' && kind[k] != 'F') {
        int r = fc_dst_gpr(c, d, RAX);
        if (n == 1 && kind[k] == 's') x_movsx8(c->b, 0, r, l);
        if (n == 1 && kind[k] == 'u') x_movzx8(c->b, r, l);
        if (n == 2 && kind[k] == 's') x_movsx16(c->b, 0, r, l);
        if (n == 2 && kind[k] == 'u') x_movzx16(c->b, r, l);
        if (n >= 4) x_load(c->b, n == 8, r, l);
        fc_put_gpr(c, d, n == 8, r);
        return;
    }
    /* replace: the vector to D, then the lane */
    uint32_t b = cell[3];
    l = fc_home(d);
    l.disp += (int32_t)(cell[7] * n);
    if (kind[k] == 'F') {
        int x = fc_xmm(c, b, n == 8, 1);
        copy_w(c, d, a);
        x_movs_store(c->b, n == 8, l, x);
    } else {
        int r = fc_gpr(c, b, n == 8, RCX);
        copy_w(c, d, a);
        if (n == 1) x_store8(c->b, l, r);
        if (n == 2) x_store16(c->b, l, r);
        if (n >= 4) x_store(c->b, n == 8, l, r);
    }
    fc_dirty(c, d);
}

/* ---- tests: any_true, all_true, bitmask (an i32 result) ---- */

static void test_op(struct fcomp *c, uint32_t sub, uint32_t d, uint32_t a)
{
    int r = fc_dst_gpr(c, d, RAX);
    if (sub == 0x53) { /* any_true: either half nonzero */
        x_load(c->b, 1, RCX, fc_home(a));
        struct xrm hi = fc_home(a);
        hi.disp += 8;
        x_alu_rm(c->b, 1, ALU_OR, RCX, hi);
        x_setcc(c->b, CC_NE, RCX);
        x_movzx8(c->b, r, XR(RCX));
    } else if (sub == 0x63 || sub == 0x83 || sub == 0xa3 || sub == 0xc3) {
        /* all_true: no lane equal to zero */
        vload(c, 0, a);
        p66(c, P_PXOR, 1, 1);
        p66(c, sub == 0x63 ? P_PCMPEQB : sub == 0x83 ? 0x75 : P_PCMPEQD, 1, 0);
        if (sub == 0xc3) { /* a 64-bit lane is zero if both its halves are */
            pshuf(c, 0x66, 2, 1, 0xb1);
            p66(c, P_PAND, 1, 2);
        }
        x_op(c->b, 0x66, 0, 0x0f00u | P_PMOVMSKB, 2, RCX, XR(1));
        x_test_rr(c->b, 0, RCX, RCX);
        x_setcc(c->b, CC_E, RCX);
        x_movzx8(c->b, r, XR(RCX));
    } else { /* bitmask: the top bit of each lane */
        vload(c, 0, a);
        if (sub == 0x64) x_op(c->b, 0x66, 0, 0x0f00u | P_PMOVMSKB, 2, r, XR(0));
        if (sub == 0x84) {
            p66(c, P_PACKSSWB, 0, 0);
            x_op(c->b, 0x66, 0, 0x0f00u | P_PMOVMSKB, 2, r, XR(0));
            x_alu_mi(c->b, 0, ALU_AND, XR(r), 0xff);
        }
        if (sub == 0xa4) x_op(c->b, 0, 0, 0x0f50, 2, r, XR(0));    /* movmskps */
        if (sub == 0xc4) x_op(c->b, 0x66, 0, 0x0f50, 2, r, XR(0)); /* movmskpd */
    }
    fc_put_gpr(c, d, 0, r);
}

/* ---- shifts (the count modulo the lane width) ---- */

static bool shift(struct fcomp *c, uint32_t sub, const uint32_t *cell)
{
    /* i16x8 .. i64x2 shl, shr_s, shr_u: 66 0F op xmm, xmm (count) */
    static const uint8_t ops[3][3] = {{0xf1, 0xe1, 0xd1}, {0xf2, 0xe2, 0xd2}, {0xf3, 0, 0xd3}};
    uint32_t size = sub < 0x8b ? 0 : sub < 0xab ? 1 : sub < 0xcb ? 2 : 3, kind = (sub - 0x6b) % 32;
    if (size == 0 || (size == 3 && kind == 1)) return false; /* no byte shifts, no psraq */
    fc_load_gpr(c, RAX, cell[3], 0);
    x_alu_mi(c->b, 0, ALU_AND, XR(RAX), (int32_t)((8u << size) - 1));
    x_movd_xr(c->b, 0, 1, XR(RAX));
    vload(c, 0, cell[2]);
    p66(c, ops[size - 1][kind], 0, 1);
    vstore(c, cell[1], 0);
    return true;
}

/* ---- one SSE instruction: xmm0 = [A] op [B] ---- */

enum {
    F_SWAP = 1,  /* the operands the other way round: xmm0 = [B] op [A] */
    F_NOT = 2,   /* the result complemented */
    F_41 = 4,    /* SSE4.1 (or SSSE3) only */
    F_BIAS = 8,  /* unsigned compare: both operands with the sign bits flipped */
    F_UNARY = 16 /* xmm0 = op [A] */
};

struct sse_form {
    uint8_t sub;
    uint8_t pfx;  /* 0, 0x66, 0xf2, 0xf3 */
    uint8_t nopc; /* 2: 0F op, 3: 0F 38/3A op */
    uint32_t opc;
    int16_t imm; /* an imm8, or -1 */
    uint8_t flags;
    uint32_t bias; /* F_BIAS: the 32-bit pattern of sign bits */
};

#define B8      0x80808080u
#define B16     0x80008000u
#define B32     0x80000000u
#define P2(op)  0x66, 2, 0x0f00u | (op)
#define P38(op) 0x66, 3, 0x0f3800u | (op)
#define PS(op)  0, 2, 0x0f00u | (op)

/* Integer compares of one lane size: eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u. */
#define ICMP(base, eq, gt, bias)                                                                   \
    {base, P2(eq), -1, 0, 0}, {base + 1, P2(eq), -1, F_NOT, 0}, {base + 2, P2(gt), -1, F_SWAP, 0}, \
        {base + 3, P2(gt), -1, F_SWAP | F_BIAS, bias}, {base + 4, P2(gt), -1, 0, 0},               \
        {base + 5, P2(gt), -1, F_BIAS, bias}, {base + 6, P2(gt), -1, F_NOT, 0},                    \
        {base + 7, P2(gt), -1, F_NOT | F_BIAS, bias}, {base + 8, P2(gt), -1, F_SWAP | F_NOT, 0},   \
    {                                                                                              \
        base + 9, P2(gt), -1, F_SWAP | F_NOT | F_BIAS, bias                                        \
    }

/* Float compares (cmpps/cmppd predicates): eq ne lt gt le ge. */
#define FCMP(base, pfx)                                                                            \
    {base, pfx, 2, 0x0fc2, 0, 0, 0}, {base + 1, pfx, 2, 0x0fc2, 4, 0, 0},                          \
        {base + 2, pfx, 2, 0x0fc2, 1, 0, 0}, {base + 3, pfx, 2, 0x0fc2, 1, F_SWAP, 0},             \
        {base + 4, pfx, 2, 0x0fc2, 2, 0, 0},                                                       \
    {                                                                                              \
        base + 5, pfx, 2, 0x0fc2, 2, F_SWAP, 0                                                     \
    }

static const struct sse_form forms[] = {
    ICMP(0x23, 0x74, 0x64, B8),
    ICMP(0x2d, 0x75, 0x65, B16),
    ICMP(0x37, 0x76, 0x66, B32),
    FCMP(0x41, 0),
    FCMP(0x47, 0x66),
    {0x4e, P2(0xdb), -1, 0, 0}, /* and, andnot (pandn: ~B & A), or, xor */
    {0x4f, P2(0xdf), -1, F_SWAP, 0},
    {0x50, P2(0xeb), -1, 0, 0},
    {0x51, P2(0xef), -1, 0, 0},
    {0x60, P38(0x1c), -1, F_UNARY | F_41, 0}, /* i8x16 */
    {0x65, P2(0x63), -1, 0, 0},
    {0x66, P2(0x67), -1, 0, 0},
    {0x6e, P2(0xfc), -1, 0, 0},
    {0x6f, P2(0xec), -1, 0, 0},
    {0x70, P2(0xdc), -1, 0, 0},
    {0x71, P2(0xf8), -1, 0, 0},
    {0x72, P2(0xe8), -1, 0, 0},
    {0x73, P2(0xd8), -1, 0, 0},
    {0x76, P38(0x38), -1, F_41, 0},
    {0x77, P2(0xda), -1, 0, 0},
    {0x78, P38(0x3c), -1, F_41, 0},
    {0x79, P2(0xde), -1, 0, 0},
    {0x7b, P2(0xe0), -1, 0, 0},
    {0x80, P38(0x1d), -1, F_UNARY | F_41, 0}, /* i16x8 */
    {0x85, P2(0x6b), -1, 0, 0},
    {0x86, P38(0x2b), -1, F_41, 0},
    {0x8e, P2(0xfd), -1, 0, 0},
    {0x8f, P2(0xed), -1, 0, 0},
    {0x90, P2(0xdd), -1, 0, 0},
    {0x91, P2(0xf9), -1, 0, 0},
    {0x92, P2(0xe9), -1, 0, 0},
    {0x93, P2(0xd9), -1, 0, 0},
    {0x95, P2(0xd5), -1, 0, 0},
    {0x96, P2(0xea), -1, 0, 0},
    {0x97, P38(0x3a), -1, F_41, 0},
    {0x98, P2(0xee), -1, 0, 0},
    {0x99, P38(0x3e), -1, F_41, 0},
    {0x9b, P2(0xe3), -1, 0, 0},
    {0xa0, P38(0x1e), -1, F_UNARY | F_41, 0}, /* i32x4 */
    {0xae, P2(0xfe), -1, 0, 0},
    {0xb1, P2(0xfa), -1, 0, 0},
    {0xb5, P38(0x40), -1, F_41, 0},
    {0xb6, P38(0x39), -1, F_41, 0},
    {0xb7, P38(0x3b), -1, F_41, 0},
    {0xb8, P38(0x3d), -1, F_41, 0},
    {0xb9, P38(0x3f), -1, F_41, 0},
    {0xba, P2(0xf5), -1, 0, 0},
    {0xce, P2(0xd4), -1, 0, 0}, /* i64x2 */
    {0xd1, P2(0xfb), -1, 0, 0},
    {0xd6, P38(0x29), -1, F_41, 0},
    {0xd7, P38(0x29), -1, F_41 | F_NOT, 0},
    {0x67, 0x66, 3, 0x0f3a08, 2, F_UNARY | F_41, 0}, /* f32x4 ceil floor trunc nearest */
    {0x68, 0x66, 3, 0x0f3a08, 1, F_UNARY | F_41, 0},
    {0x69, 0x66, 3, 0x0f3a08, 3, F_UNARY | F_41, 0},
    {0x6a, 0x66, 3, 0x0f3a08, 0, F_UNARY | F_41, 0},
    {0x74, 0x66, 3, 0x0f3a09, 2, F_UNARY | F_41, 0}, /* f64x2 */
    {0x75, 0x66, 3, 0x0f3a09, 1, F_UNARY | F_41, 0},
    {0x7a, 0x66, 3, 0x0f3a09, 3, F_UNARY | F_41, 0},
    {0x94, 0x66, 3, 0x0f3a09, 0, F_UNARY | F_41, 0},
    {0x5e, P2(0x5a), -1, F_UNARY, 0}, /* f32x4.demote_f64x2_zero: cvtpd2ps */
    {0x5f, PS(0x5a), -1, F_UNARY, 0}, /* f64x2.promote_low_f32x4: cvtps2pd */
    {0xe3, PS(0x51), -1, F_UNARY, 0},
    {0xe4, PS(0x58), -1, 0, 0},
    {0xe5, PS(0x5c), -1, 0, 0},
    {0xe6, PS(0x59), -1, 0, 0},
    {0xe7, PS(0x5e), -1, 0, 0},
    {0xea, PS(0x5d), -1, F_SWAP, 0}, /* pmin: b < a ? b : a is minps b, a */
    {0xeb, PS(0x5f), -1, F_SWAP, 0}, /* pmax: a < b ? b : a is maxps b, a */
    {0xef, P2(0x51), -1, F_UNARY, 0},
    {0xf0, P2(0x58), -1, 0, 0},
    {0xf1, P2(0x5c), -1, 0, 0},
    {0xf2, P2(0x59), -1, 0, 0},
    {0xf3, P2(0x5e), -1, 0, 0},
    {0xf6, P2(0x5d), -1, F_SWAP, 0},
    {0xf7, P2(0x5f), -1, F_SWAP, 0},
    {0xfa, PS(0x5b), -1, F_UNARY, 0},        /* f32x4.convert_i32x4_s: cvtdq2ps */
    {0xfe, 0xf3, 2, 0x0fe6, -1, F_UNARY, 0}, /* f64x2.convert_low_i32x4_s: cvtdq2pd */
};

static bool sse_form(struct fcomp *c, uint32_t sub, const uint32_t *cell)
{
    const struct sse_form *f = NULL;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0] && !f; i++)
        if (forms[i].sub == sub) f = &forms[i];
    if (!f || ((f->flags & F_41) && !c->j->sse41)) return false;
    bool swap = f->flags & F_SWAP;
    vload(c, 0, swap ? cell[3] : cell[2]);
    int src = 0;
    if (!(f->flags & F_UNARY)) {
        vload(c, 1, swap ? cell[2] : cell[3]);
        src = 1;
    }
    if (f->flags & F_BIAS) {
        splat32(c, 2, f->bias);
        p66(c, P_PXOR, 0, 2);
        p66(c, P_PXOR, 1, 2);
    }
    x_op(c->b, f->pfx, 0, f->opc, f->nopc, 0, XR(src));
    if (f->imm >= 0) x_byte(c->b, (uint8_t)f->imm);
    if (f->flags & F_NOT) {
        ones(c, 1);
        p66(c, P_PXOR, 0, 1);
    }
    vstore(c, cell[1], 0);
    return true;
}

/* ---- sequences ---- */

static bool sequence(struct fcomp *c, uint32_t sub, const uint32_t *cell)
{
    uint32_t d = cell[1], a = cell[2], b = cell[3];
    switch (sub) {
    case 0x4d: /* not */
        vload(c, 0, a);
        ones(c, 1);
        p66(c, P_PXOR, 0, 1);
        break;
    case 0x52: /* bitselect: ((a ^ b) & c) ^ b */
        vload(c, 0, a);
        vload(c, 1, b);
        vload(c, 2, cell[4]);
        p66(c, P_PXOR, 0, 1);
        p66(c, P_PAND, 0, 2);
        p66(c, P_PXOR, 0, 1);
        break;
    case 0x61: /* neg: 0 - a */
    case 0x81:
    case 0xa1:
    case 0xc1:
        vload(c, 1, a);
        p66(c, P_PXOR, 0, 0);
        p66(c, sub == 0x61 ? 0xf8 : sub == 0x81 ? 0xf9 : sub == 0xa1 ? 0xfa : 0xfb, 0, 1);
        break;
    case 0xe0: /* f32x4.abs, neg; f64x2.abs, neg: the sign bits */
    case 0xe1:
    case 0xec:
    case 0xed: {
        bool f64 = sub >= 0xec, abs = sub == 0xe0 || sub == 0xec;
        vload(c, 0, a);
        ones(c, 1);
        if (abs)
            pshift_i(c, f64 ? 0x73 : 0x72, 2, 1, 1); /* psrlq/psrld 1 */
        else
            pshift_i(c, f64 ? 0x73 : 0x72, 6, 1, f64 ? 63 : 31); /* psllq/pslld */
        p66(c, abs ? P_PAND : P_PXOR, 0, 1);
        break;
    }
    case 0x87: /* extend_low/high_s/u: interleave with the sign or zero */
    case 0x88:
    case 0x89:
    case 0x8a:
    case 0xa7:
    case 0xa8:
    case 0xa9:
    case 0xaa:
    case 0xc7:
    case 0xc8:
    case 0xc9:
    case 0xca: {
        uint32_t k = (sub & 0x0f) - 7, size = sub < 0xa0 ? 0 : sub < 0xc0 ? 1 : 2;
        static const uint8_t lo[3] = {P_PUNPCKLBW, P_PUNPCKLWD, P_PUNPCKLDQ};
        static const uint8_t hi[3] = {P_PUNPCKHBW, P_PUNPCKHWD, P_PUNPCKHDQ};
        vload(c, 0, a);
        p66(c, P_PXOR, 1, 1);
        if (k < 2) p66(c, (uint8_t)(P_PCMPGTB + size), 1, 0); /* signed: 0 > lane */
        p66(c, k % 2 ? hi[size] : lo[size], 0, 1);
        break;
    }
    case 0xbc: /* i32x4.extmul_low/high_i16x8_s/u: pmullw and pmulhw */
    case 0xbd:
    case 0xbe:
    case 0xbf: {
        bool hi = sub & 1, sign = sub < 0xbe;
        vload(c, 0, a);
        vload(c, 1, b);
        x_movaps(c->b, 2, 0);
        p66(c, 0xd5, 0, 1);               /* pmullw: low halves */
        p66(c, sign ? 0xe5 : 0xe4, 2, 1); /* pmulhw/pmulhuw: high halves */
        p66(c, hi ? P_PUNPCKHWD : P_PUNPCKLWD, 0, 2);
        break;
    }
    default: return false;
    }
    vstore(c, d, 0);
    return true;
}

static bool fc_op_simd(struct fcomp *c, const uint32_t *cell)
{
    uint32_t sub = cell[5];
    if (sub <= 0x0b || (sub >= 0x54 && sub <= 0x5d)) return simd_memory(c, sub, cell);
    if (sub == 0x0c) {
        v_const(c, cell[1], cell + 6);
        return true;
    }
    if (sub >= 0x0f && sub <= 0x14) {
        splat(c, sub, cell[1], cell[2]);
        return true;
    }
    if (sub >= 0x15 && sub <= 0x22) {
        lanes(c, sub, cell);
        return true;
    }
    switch (cc_simd_shape(sub)) {
    case SH_TEST: test_op(c, sub, cell[1], cell[2]); return true;
    case SH_SHIFT: return shift(c, sub, cell);
    default: break;
    }
    return sse_form(c, sub, cell) || sequence(c, sub, cell);
}

bool fc_op_wide(struct fcomp *c, enum wasm_op op, const uint32_t *cell)
{
    switch (op) {
    case OP_copy_w: copy_w(c, cell[1], cell[2]); return true;
    case OP_select_w: select_w(c, cell); return true;
    case OP_global_get_w: global_w(c, false, cell[2], cell[1]); return true;
    case OP_global_set_w: global_w(c, true, cell[1], cell[2]); return true;
    case OP_simd:
        if (!fc_op_simd(c, cell)) simd_in_c(c, cell);
        return true;
    default: return false;
    }
}

#endif
