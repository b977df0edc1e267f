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
 * are sequences, some shorter with SSE4.1. Every instruction has code on
 * both paths; one without would be done by interp_simd through jit_h_simd,
 * with the same traps and results.
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

/*
 * A vector slot's 16 bytes (always in the frame). xmm0 still holds what
 * the previous instruction stored from it (c->vhit, when that was a wide
 * op and no branch lands in between): the first load of an instruction
 * takes it from there, before anything in the instruction writes xmm0.
 */
static void vload(struct fcomp *c, int x, uint32_t s)
{
    uint32_t hit = c->vhit;
    c->vhit = UINT32_MAX;
    if (s == hit) {
        if (x != 0) x_movaps(c->b, x, 0);
        return;
    }
    movdqu_load(c, x, fc_home(s));
}

/* Bytes of slot s written from elsewhere than xmm0. */
static void vdirty(struct fcomp *c, uint32_t s)
{
    fc_dirty(c, s);
    c->vx0 = UINT32_MAX;
}

static void vstore(struct fcomp *c, uint32_t s, int x)
{
    movdqu_store(c, fc_home(s), x);
    fc_dirty(c, s);
    c->vx0 = x == 0 ? s : UINT32_MAX;
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

/* x = the 64-bit pattern v in both lanes (uses rax). */
static void splat64(struct fcomp *c, int x, uint64_t v)
{
    x_mov_ri(c->b, RAX, v);
    x_movd_xr(c->b, 1, x, XR(RAX));
    p66(c, P_PUNPCKLQDQ, x, x);
}

/* x = the 16 bytes lo, hi (uses rax and tmp). */
static void const16(struct fcomp *c, int x, uint64_t lo, uint64_t hi, int tmp)
{
    x_mov_ri(c->b, RAX, lo);
    x_movd_xr(c->b, 1, x, XR(RAX));
    x_mov_ri(c->b, RAX, hi);
    x_movd_xr(c->b, 1, tmp, XR(RAX));
    p66(c, P_PUNPCKLQDQ, x, tmp);
}

/* 66 0F 38 op x, y (SSSE3 and SSE4.1). */
static void p38(struct fcomp *c, uint8_t op, int x, int y)
{
    x_op(c->b, 0x66, 0, 0x0f3800u | op, 3, x, XR(y));
}

/* [66] 0F op x, y: the packed float instructions (f64: the pd form). */
static void fp(struct fcomp *c, bool f64, uint8_t op, int x, int y)
{
    x_op(c->b, f64 ? 0x66 : 0, 0, 0x0f00u | op, 2, x, XR(y));
}

/* a = m ? a : b, lane by lane (m is clobbered). */
static void blend(struct fcomp *c, int a, int b, int m)
{
    p66(c, P_PAND, a, m);
    p66(c, P_PANDN, m, b);
    p66(c, P_POR, a, m);
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
    fc_obj(c, RAX, JO_GLOBAL, g); /* v, then hi */
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

/* jit_h_simd(ex, cell offset, fp, self): scalar operands go to their frame slots
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
    x_mov_ri(c->b, RSI, (uint32_t)(cell - c->fn.code->cells));
    x_mov_rr(c->b, 1, RDX, R_FP);
    fc_self(c, RCX);
    fc_call_c(c, (const void *)jit_h_simd);
    fc_unwind_if_nz(c);
    fc_c_restore(c, defs);
    if (o.used & JS_D) vdirty(c, cell[1]);
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
            vdirty(c, d);
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
    vdirty(c, d);
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
    vdirty(c, d);
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

/* ---- longer sequences ---- */

/* i8x16.shuffle: with SSSE3 two pshufb and an or; else byte by byte in
 * the frame (into rax/rcx, then stored, so D may be A or B). */
static void shuffle(struct fcomp *c, const uint32_t *cell)
{
    uint8_t idx[16];
    for (int i = 0; i < 16; i++)
        idx[i] = (uint8_t)(cell[6 + i / 4] >> (8 * (i % 4)));
    if (c->j->sse41) {
        uint64_t ma[2] = {0, 0}, mb[2] = {0, 0};
        bool use_b = false;
        for (int i = 0; i < 16; i++) {
            uint64_t ba = idx[i] < 16 ? idx[i] : 0x80, bb = idx[i] >= 16 ? idx[i] - 16u : 0x80;
            use_b |= idx[i] >= 16;
            ma[i / 8] |= ba << (8 * (i % 8));
            mb[i / 8] |= bb << (8 * (i % 8));
        }
        vload(c, 0, cell[2]);
        const16(c, 2, ma[0], ma[1], 3);
        p38(c, 0x00, 0, 2);
        if (use_b) {
            vload(c, 1, cell[3]);
            const16(c, 2, mb[0], mb[1], 3);
            p38(c, 0x00, 1, 2);
            p66(c, P_POR, 0, 1);
        }
        vstore(c, cell[1], 0);
        return;
    }
    for (int half = 0; half < 2; half++) {
        int r = half ? RCX : RAX;
        for (int i = 7; i >= 0; i--) {
            uint8_t x = idx[8 * half + i];
            struct xrm m = fc_home(x < 16 ? cell[2] : cell[3]);
            m.disp += x % 16;
            if (i == 7) {
                x_movzx8(c->b, r, m);
                continue;
            }
            x_shift_i(c->b, 1, SH_SHL, XR(r), 8);
            x_movzx8(c->b, RDX, m);
            x_alu_rm(c->b, 1, ALU_OR, r, XR(RDX));
        }
    }
    struct xrm hi = fc_home(cell[1]);
    hi.disp += 8;
    x_store(c->b, 1, fc_home(cell[1]), RAX);
    x_store(c->b, 1, hi, RCX);
    vdirty(c, cell[1]);
}

/* i8x16 shifts (in 16-bit lanes, then masked or repacked), i64x2.shr_s
 * (a logical shift of the value xored with its sign). */
static void shift_more(struct fcomp *c, uint32_t sub, const uint32_t *cell)
{
    fc_load_gpr(c, RCX, cell[3], 0);
    vload(c, 0, cell[2]);
    if (sub == 0xcc) {
        x_alu_mi(c->b, 0, ALU_AND, XR(RCX), 63);
        x_movd_xr(c->b, 0, 1, XR(RCX));
        pshuf(c, 0x66, 2, 0, 0xf5);
        pshift_i(c, 0x72, 4, 2, 31); /* psrad: the sign of each 64-bit lane */
        p66(c, P_PXOR, 0, 2);
        p66(c, 0xd3, 0, 1); /* psrlq */
        p66(c, P_PXOR, 0, 2);
    } else if (sub == 0x6c) { /* shr_s: bytes as the high halves of words */
        x_alu_mi(c->b, 0, ALU_AND, XR(RCX), 7);
        x_alu_mi(c->b, 0, ALU_ADD, XR(RCX), 8);
        x_movd_xr(c->b, 0, 1, XR(RCX));
        x_movaps(c->b, 2, 0);
        p66(c, P_PUNPCKLBW, 2, 2);
        p66(c, P_PUNPCKHBW, 0, 0);
        p66(c, 0xe1, 2, 1); /* psraw */
        p66(c, 0xe1, 0, 1);
        p66(c, P_PACKSSWB, 2, 0);
        x_movaps(c->b, 0, 2);
    } else { /* shl, shr_u: shift words, clear what crossed into each byte */
        x_alu_mi(c->b, 0, ALU_AND, XR(RCX), 7);
        x_movd_xr(c->b, 0, 1, XR(RCX));
        p66(c, sub == 0x6b ? 0xf1 : 0xd1, 0, 1); /* psllw, psrlw */
        x_mov_ri(c->b, RAX, 0xff);
        x_shift_cl(c->b, 0, sub == 0x6b ? SH_SHL : SH_SHR, XR(RAX));
        x_alu_mi(c->b, 0, ALU_AND, XR(RAX), 0xff);
        x_imul_rmi(c->b, 0, RAX, XR(RAX), 0x01010101);
        x_movd_xr(c->b, 0, 2, XR(RAX));
        pshuf(c, 0x66, 2, 2, 0);
        p66(c, P_PAND, 0, 2);
    }
    vstore(c, cell[1], 0);
}

/* xmm0 = the 64-bit signed compare x < y of xmm0 and xmm1 (Hacker's
 * Delight 2-12: the sign of (x - y) ^ ((x ^ y) & ((x - y) ^ x))). */
static void lt_s64(struct fcomp *c)
{
    x_movaps(c->b, 2, 0);
    p66(c, 0xfb, 2, 1); /* d = x - y */
    x_movaps(c->b, 3, 0);
    p66(c, P_PXOR, 3, 1); /* x ^ y */
    x_movaps(c->b, 1, 2);
    p66(c, P_PXOR, 1, 0); /* d ^ x */
    p66(c, P_PAND, 3, 1);
    p66(c, P_PXOR, 3, 2);
    pshuf(c, 0x66, 0, 3, 0xf5);
    pshift_i(c, 0x72, 4, 0, 31);
}

/* Float min/max as numeric.h's wasm_fmin/fmax, lane by lane: a NaN
 * operand gives a + b (a quieted NaN, the same bits as the interpreter);
 * otherwise min/max both ways round, combined so that -0 < +0 (or for
 * min, and for max). */
static void fminmax(struct fcomp *c, bool f64, bool max, uint32_t a, uint32_t b)
{
    vload(c, 0, a);
    vload(c, 1, b);
    x_movaps(c->b, 2, 0);
    fp(c, f64, max ? 0x5f : 0x5d, 2, 1); /* a op b */
    x_movaps(c->b, 3, 1);
    fp(c, f64, max ? 0x5f : 0x5d, 3, 0); /* b op a */
    fp(c, f64, max ? 0x54 : 0x56, 2, 3); /* andps / orps */
    x_movaps(c->b, 3, 0);
    fp(c, f64, 0x58, 3, 1);                             /* a + b */
    x_op(c->b, f64 ? 0x66 : 0, 0, 0x0fc2, 2, 0, XR(1)); /* cmpunord a, b */
    x_byte(c->b, 3);
    p66(c, P_PAND, 3, 0);
    p66(c, P_PANDN, 0, 2);
    p66(c, P_POR, 0, 3);
}

/* x1 = copysign(x1, x0), lane by lane (x2, x3 clobbered). */
static void copysign_x1(struct fcomp *c, bool f64)
{
    if (f64)
        splat64(c, 2, 0x8000000000000000ull);
    else
        splat32(c, 2, B32);
    x_movaps(c->b, 3, 0);
    p66(c, P_PAND, 3, 2);
    p66(c, P_PANDN, 2, 1);
    p66(c, P_POR, 2, 3);
    x_movaps(c->b, 1, 2);
}

/* ceil, floor, trunc, nearest without roundps/pd: lanes with |x| < 2^23
 * (2^52) are rounded to nearest by adding and subtracting that power (the
 * rounding of the addition itself), then moved by one where the mode
 * needs it, with x's sign; other lanes (integral, infinite or NaN) are
 * x + 0, which quiets a NaN. mode: 0 nearest, 1 floor, 2 ceil, 3 trunc. */
static void round_sse2(struct fcomp *c, bool f64, int mode, uint32_t a)
{
    uint64_t absm = f64 ? 0x7fffffffffffffffull : 0x7fffffff7fffffffull;
    uint64_t big = f64 ? 0x4330000000000000ull : 0x4b0000004b000000ull;
    uint64_t one = f64 ? 0x3ff0000000000000ull : 0x3f8000003f800000ull;
    vload(c, 0, a);
    splat64(c, 1, absm);
    p66(c, P_PAND, 1, 0); /* |x| */
    splat64(c, 3, big);
    fp(c, f64, 0x58, 1, 3);
    fp(c, f64, 0x5c, 1, 3); /* t = nearest(|x|) */
    if (mode == 3) {        /* t > |x|: one less */
        splat64(c, 2, absm);
        p66(c, P_PAND, 2, 0);
        x_op(c->b, f64 ? 0x66 : 0, 0, 0x0fc2, 2, 2, XR(1)); /* cmplt |x|, t */
        x_byte(c->b, 1);
        splat64(c, 3, one);
        p66(c, P_PAND, 2, 3);
        fp(c, f64, 0x5c, 1, 2);
    }
    copysign_x1(c, f64);
    if (mode == 1 || mode == 2) { /* floor: t > x, one less; ceil: t < x, one more */
        x_movaps(c->b, 2, mode == 1 ? 0 : 1);
        x_op(c->b, f64 ? 0x66 : 0, 0, 0x0fc2, 2, 2, XR(mode == 1 ? 1 : 0));
        x_byte(c->b, 1);
        splat64(c, 3, one);
        p66(c, P_PAND, 2, 3);
        fp(c, f64, mode == 1 ? 0x5c : 0x58, 1, 2);
        copysign_x1(c, f64);
    }
    splat64(c, 2, absm);
    p66(c, P_PAND, 2, 0);
    splat64(c, 3, big);
    x_op(c->b, f64 ? 0x66 : 0, 0, 0x0fc2, 2, 2, XR(3)); /* |x| < 2^p: rounded here */
    x_byte(c->b, 1);
    p66(c, P_PXOR, 3, 3);
    fp(c, f64, 0x58, 0, 3); /* x + 0 */
    blend(c, 1, 0, 2);
    x_movaps(c->b, 0, 1);
}

static bool more_sequences(struct fcomp *c, uint32_t sub, const uint32_t *cell)
{
    uint32_t d = cell[1], a = cell[2], b = cell[3];
    bool sse41 = c->j->sse41;
    switch (sub) {
    case 0x0d: shuffle(c, cell); return true;
    case 0x6b:
    case 0x6c:
    case 0x6d:
    case 0xcc: shift_more(c, sub, cell); return true;
    case 0x0e:        /* swizzle: indices >= 16 saturate to >= 0x80 (zero) */
        if (!sse41) { /* byte by byte from A and 16 zeros on the stack */
            x_alu_mi(c->b, 1, ALU_SUB, XR(RSP), 32);
            vload(c, 0, a);
            movdqu_store(c, XM(RSP, 0), 0);
            p66(c, P_PXOR, 0, 0);
            movdqu_store(c, XM(RSP, 16), 0);
            x_mov_ri(c->b, RCX, 16);
            for (int i = 0; i < 16; i++) {
                struct xrm bi = fc_home(b), di = fc_home(d);
                bi.disp += i;
                di.disp += i;
                x_movzx8(c->b, RDX, bi);
                x_alu_rm(c->b, 0, ALU_CMP, RDX, XR(RCX));
                x_cmov(c->b, 0, CC_AE, RDX, XR(RCX));
                x_movzx8(c->b, RAX, XMI(RSP, RDX, 0, 0));
                x_store8(c->b, di, RAX);
            }
            x_alu_mi(c->b, 1, ALU_ADD, XR(RSP), 32);
            vdirty(c, d);
            return true;
        }
        vload(c, 0, a);
        vload(c, 1, b);
        splat32(c, 2, 0x70707070);
        p66(c, 0xdc, 1, 2); /* paddusb */
        p38(c, 0x00, 0, 1);
        break;
    case 0x62: /* popcnt: bit counts in 2, 4, then 8 bits */
        vload(c, 0, a);
        x_movaps(c->b, 1, 0);
        pshift_i(c, 0x71, 2, 1, 1);
        splat32(c, 2, 0x55555555);
        p66(c, P_PAND, 1, 2);
        p66(c, 0xf8, 0, 1); /* x - ((x >> 1) & 0x55) */
        x_movaps(c->b, 1, 0);
        pshift_i(c, 0x71, 2, 1, 2);
        splat32(c, 2, 0x33333333);
        p66(c, P_PAND, 0, 2);
        p66(c, P_PAND, 1, 2);
        p66(c, 0xfc, 0, 1);
        x_movaps(c->b, 1, 0);
        pshift_i(c, 0x71, 2, 1, 4);
        p66(c, 0xfc, 0, 1);
        splat32(c, 2, 0x0f0f0f0f);
        p66(c, P_PAND, 0, 2);
        break;
    case 0x7c: /* i16x8.extadd_pairwise_i8x16_s/u: odd and even bytes */
    case 0x7d:
        vload(c, 0, a);
        x_movaps(c->b, 1, 0);
        pshift_i(c, 0x71, 6, 1, 8);
        pshift_i(c, 0x71, sub == 0x7c ? 4 : 2, 1, 8);
        pshift_i(c, 0x71, sub == 0x7c ? 4 : 2, 0, 8);
        p66(c, 0xfd, 0, 1);
        break;
    case 0x7e: /* i32x4.extadd_pairwise_i16x8_s: pmaddwd with ones */
    case 0x7f: /* _u: biased to signed, then 2 * 0x8000 added back */
        vload(c, 0, a);
        if (sub == 0x7f) {
            splat32(c, 2, B16);
            p66(c, P_PXOR, 0, 2);
        }
        splat32(c, 1, 0x00010001);
        p66(c, 0xf5, 0, 1);
        if (sub == 0x7f) {
            splat32(c, 2, 0x10000);
            p66(c, 0xfe, 0, 2);
        }
        break;
    case 0x82:        /* q15mulr_sat_s: pmulhrsw, whose one overflow is 0x8000 */
        if (!sse41) { /* 32-bit products, (p + 0x4000) >> 15, packed saturating */
            vload(c, 0, a);
            vload(c, 1, b);
            x_movaps(c->b, 2, 0);
            p66(c, 0xd5, 2, 1); /* pmullw: low halves */
            p66(c, 0xe5, 0, 1); /* pmulhw: high halves */
            x_movaps(c->b, 1, 2);
            p66(c, P_PUNPCKLWD, 2, 0);
            p66(c, P_PUNPCKHWD, 1, 0);
            splat32(c, 3, 0x4000);
            p66(c, 0xfe, 2, 3);
            p66(c, 0xfe, 1, 3);
            pshift_i(c, 0x72, 4, 2, 15);
            pshift_i(c, 0x72, 4, 1, 15);
            p66(c, 0x6b, 2, 1); /* packssdw */
            x_movaps(c->b, 0, 2);
            break;
        }
        vload(c, 0, a);
        vload(c, 1, b);
        p38(c, 0x0b, 0, 1);
        splat32(c, 2, B16);
        p66(c, 0x75, 2, 0); /* pcmpeqw */
        p66(c, P_PXOR, 0, 2);
        break;
    case 0x9c: /* i16x8.extmul_{low,high}_i8x16_{s,u}: extend both, pmullw */
    case 0x9d:
    case 0x9e:
    case 0x9f: {
        bool hi = sub & 1, sign = sub < 0x9e;
        for (int k = 0; k < 2; k++) {
            vload(c, k, k ? b : a);
            p66(c, P_PXOR, 2, 2);
            if (sign) p66(c, P_PCMPGTB, 2, k);
            p66(c, hi ? P_PUNPCKHBW : P_PUNPCKLBW, k, 2);
        }
        p66(c, 0xd5, 0, 1);
        break;
    }
    case 0xdc: /* i64x2.extmul_{low,high}_i32x4_{s,u}: pmuldq/pmuludq */
    case 0xdd:
    case 0xde:
    case 0xdf: {
        bool hi = sub & 1, sign = sub < 0xde;
        vload(c, 0, a);
        vload(c, 1, b);
        pshuf(c, 0x66, 0, 0, hi ? 0xfa : 0x50);
        pshuf(c, 0x66, 1, 1, hi ? 0xfa : 0x50);
        if (sign && sse41) {
            p38(c, 0x28, 0, 1); /* pmuldq */
            break;
        }
        if (sign) { /* the unsigned product minus (a < 0 ? b << 32) and (b < 0 ? a << 32) */
            x_movaps(c->b, 2, 0);
            pshift_i(c, 0x72, 4, 2, 31);
            p66(c, P_PAND, 2, 1);
            pshift_i(c, 0x73, 6, 2, 32);
            x_movaps(c->b, 3, 1);
            pshift_i(c, 0x72, 4, 3, 31);
            p66(c, P_PAND, 3, 0);
            pshift_i(c, 0x73, 6, 3, 32);
        }
        p66(c, 0xf4, 0, 1); /* pmuludq */
        if (sign) {
            p66(c, 0xfb, 0, 2);
            p66(c, 0xfb, 0, 3);
        }
        break;
    }
    case 0xb5: /* i32x4.mul without pmulld: two pmuludq */
        vload(c, 0, a);
        vload(c, 1, b);
        x_movaps(c->b, 2, 0);
        p66(c, 0xf4, 2, 1);
        pshift_i(c, 0x73, 2, 0, 32);
        pshift_i(c, 0x73, 2, 1, 32);
        p66(c, 0xf4, 0, 1);
        pshuf(c, 0x66, 2, 2, 0x08);
        pshuf(c, 0x66, 0, 0, 0x08);
        p66(c, P_PUNPCKLDQ, 2, 0);
        x_movaps(c->b, 0, 2);
        break;
    case 0xd5: /* i64x2.mul: lo*lo + ((hi*lo + lo*hi) << 32) */
        vload(c, 0, a);
        vload(c, 1, b);
        x_movaps(c->b, 2, 0);
        pshift_i(c, 0x73, 2, 2, 32);
        p66(c, 0xf4, 2, 1);
        x_movaps(c->b, 3, 1);
        pshift_i(c, 0x73, 2, 3, 32);
        p66(c, 0xf4, 3, 0);
        p66(c, 0xd4, 2, 3);
        pshift_i(c, 0x73, 6, 2, 32);
        p66(c, 0xf4, 0, 1);
        p66(c, 0xd4, 0, 2);
        break;
    case 0x60: /* abs without pabs*: (x ^ m) - m, m the lane's sign */
    case 0x80:
    case 0xa0:
    case 0xc0: {
        int size = sub == 0x60 ? 0 : sub == 0x80 ? 1 : sub == 0xa0 ? 2 : 3;
        vload(c, 0, a);
        if (size == 3) {
            pshuf(c, 0x66, 1, 0, 0xf5);
            pshift_i(c, 0x72, 4, 1, 31);
        } else {
            p66(c, P_PXOR, 1, 1);
            p66(c, (uint8_t)(P_PCMPGTB + size), 1, 0);
        }
        p66(c, P_PXOR, 0, 1);
        p66(c, size == 0 ? 0xf8 : size == 1 ? 0xf9 : size == 2 ? 0xfa : 0xfb, 0, 1);
        break;
    }
    case 0xd8: /* i64x2.lt_s gt_s le_s ge_s */
    case 0xd9:
    case 0xda:
    case 0xdb: {
        bool swap = sub == 0xd9 || sub == 0xda; /* gt: b < a; le: not b < a */
        vload(c, 0, swap ? b : a);
        vload(c, 1, swap ? a : b);
        lt_s64(c);
        if (sub >= 0xda) {
            ones(c, 1);
            p66(c, P_PXOR, 0, 1);
        }
        break;
    }
    case 0x76: /* min/max without SSE4.1: a compare and a blend */
    case 0x78:
    case 0x97:
    case 0x99:
    case 0xb6:
    case 0xb7:
    case 0xb8:
    case 0xb9: {
        /* signed i8/i32 directly, unsigned i16/i32 with the sign bits flipped */
        bool max = sub == 0x78 || sub == 0x99 || sub == 0xb8 || sub == 0xb9;
        bool u = sub == 0x97 || sub == 0x99 || sub == 0xb7 || sub == 0xb9;
        uint8_t gt = sub < 0x80 ? P_PCMPGTB : sub < 0xa0 ? 0x65 : 0x66;
        vload(c, 0, a);
        vload(c, 1, b);
        x_movaps(c->b, 2, 0);
        if (u) {
            splat32(c, 3, sub < 0xa0 ? B16 : B32);
            p66(c, P_PXOR, 2, 3);
            p66(c, P_PXOR, 3, 1);
        } else {
            x_movaps(c->b, 3, 1);
        }
        p66(c, gt, 2, 3); /* m = a > b */
        if (max) {
            blend(c, 0, 1, 2);
        } else {
            blend(c, 1, 0, 2);
            x_movaps(c->b, 0, 1);
        }
        break;
    }
    case 0xd6: /* i64x2.eq, ne without pcmpeqq: both halves equal */
    case 0xd7:
        vload(c, 0, a);
        vload(c, 1, b);
        p66(c, P_PCMPEQD, 0, 1);
        pshuf(c, 0x66, 2, 0, 0xb1);
        p66(c, P_PAND, 0, 2);
        if (sub == 0xd7) {
            ones(c, 1);
            p66(c, P_PXOR, 0, 1);
        }
        break;
    case 0xf9: /* i32x4.trunc_sat_f32x4_u: below 2^31 directly, above from x - 2^31 */
        vload(c, 0, a);
        p66(c, P_PXOR, 1, 1);
        fp(c, false, 0x5f, 0, 1); /* maxps: NaN and negatives to 0 */
        ones(c, 1);
        pshift_i(c, 0x72, 2, 1, 1);
        fp(c, false, 0x5b, 1, 1); /* 2^31 */
        x_movaps(c->b, 2, 0);
        fp(c, false, 0x5c, 2, 1);              /* x - 2^31 */
        x_op(c->b, 0, 0, 0x0fc2, 2, 1, XR(2)); /* cmpleps: x >= 2^32 */
        x_byte(c->b, 2);
        x_op(c->b, 0xf3, 0, 0x0f5b, 2, 2, XR(2)); /* cvttps2dq */
        p66(c, P_PXOR, 2, 1);
        p66(c, P_PXOR, 1, 1);
        if (sse41) {
            p38(c, 0x3d, 2, 1); /* pmaxsd: x < 2^31 adds nothing */
        } else {
            p66(c, 0x66, 1, 2); /* 0 > lane */
            p66(c, P_PANDN, 1, 2);
            x_movaps(c->b, 2, 1);
        }
        x_op(c->b, 0xf3, 0, 0x0f5b, 2, 0, XR(0));
        p66(c, 0xfe, 0, 2);
        break;
    case 0x67: /* rounding without SSE4.1 */
    case 0x68:
    case 0x69:
    case 0x6a:
    case 0x74:
    case 0x75:
    case 0x7a:
    case 0x94: {
        static const struct {
            uint8_t sub, mode;
        } modes[] = {{0x67, 2}, {0x68, 1}, {0x69, 3}, {0x6a, 0},
                     {0x74, 2}, {0x75, 1}, {0x7a, 3}, {0x94, 0}};
        for (int k = 0; k < 8; k++)
            if (modes[k].sub == sub) round_sse2(c, k >= 4, modes[k].mode, a);
        break;
    }
    case 0x86: /* i16x8.narrow_i32x4_u without packusdw: clamp to 0..65535,
                * then pack biased by 0x8000 */
        for (int k = 0; k < 2; k++) {
            vload(c, k, k ? b : a);
            p66(c, P_PXOR, 2, 2);
            x_movaps(c->b, 3, k);
            p66(c, 0x66, 3, 2); /* lane > 0 */
            p66(c, P_PAND, k, 3);
            splat32(c, 2, 0xffff);
            x_movaps(c->b, 3, k);
            p66(c, 0x66, 3, 2); /* lane > 0xffff */
            p66(c, P_PAND, 2, 3);
            p66(c, P_PANDN, 3, k);
            p66(c, P_POR, 3, 2);
            x_movaps(c->b, k, 3);
        }
        splat32(c, 2, 0x8000);
        p66(c, 0xfa, 0, 2);
        p66(c, 0xfa, 1, 2);
        p66(c, 0x6b, 0, 1);
        splat32(c, 2, B16);
        p66(c, P_PXOR, 0, 2);
        break;
    case 0xe8: /* f32x4.min max, f64x2.min max */
    case 0xe9:
    case 0xf4:
    case 0xf5: fminmax(c, sub >= 0xf4, sub & 1, a, b); break;
    case 0xf8: /* i32x4.trunc_sat_f32x4_s: NaN to 0, positive overflow fixed */
        vload(c, 0, a);
        x_movaps(c->b, 1, 0);
        x_op(c->b, 0, 0, 0x0fc2, 2, 1, XR(1)); /* cmpeqps: not NaN */
        x_byte(c->b, 0);
        p66(c, P_PAND, 0, 1);
        p66(c, P_PXOR, 1, 0);
        x_op(c->b, 0xf3, 0, 0x0f5b, 2, 0, XR(0)); /* cvttps2dq */
        p66(c, P_PAND, 1, 0);
        pshift_i(c, 0x72, 4, 1, 31);
        p66(c, P_PXOR, 0, 1);
        break;
    case 0xfc: /* i32x4.trunc_sat_f64x2_s_zero: NaN to 0, clamped above */
        vload(c, 0, a);
        x_movaps(c->b, 1, 0);
        x_op(c->b, 0x66, 0, 0x0fc2, 2, 1, XR(0)); /* cmpeqpd: not NaN */
        x_byte(c->b, 0);
        splat64(c, 2, 0x41dfffffffc00000ull); /* 2147483647.0 */
        p66(c, P_PAND, 1, 2);
        fp(c, true, 0x5d, 0, 1);                  /* minpd: NaN gives the 0 */
        x_op(c->b, 0x66, 0, 0x0fe6, 2, 0, XR(0)); /* cvttpd2dq */
        break;
    case 0xfb: /* f32x4.convert_i32x4_u: high and low halves exactly */
        vload(c, 0, a);
        x_movaps(c->b, 1, 0);
        pshift_i(c, 0x72, 6, 1, 16);
        pshift_i(c, 0x72, 2, 1, 16);
        pshift_i(c, 0x72, 2, 0, 16);
        fp(c, false, 0x5b, 0, 0);
        fp(c, false, 0x5b, 1, 1);
        splat32(c, 2, 0x47800000); /* 65536.0f */
        fp(c, false, 0x59, 0, 2);
        fp(c, false, 0x58, 0, 1);
        break;
    case 0xff: /* f64x2.convert_low_i32x4_u: 2^52 + x as a double, minus 2^52 */
        vload(c, 0, a);
        splat32(c, 1, 0x43300000);
        p66(c, P_PUNPCKLDQ, 0, 1);
        splat64(c, 1, 0x4330000000000000ull);
        fp(c, true, 0x5c, 0, 1);
        break;
    case 0xfd: /* i32x4.trunc_sat_f64x2_u_zero: clamp, round, low bits of 2^52 + x */
        vload(c, 0, a);
        p66(c, P_PXOR, 1, 1);
        fp(c, true, 0x5f, 0, 1);              /* maxpd: NaN and negatives to 0 */
        splat64(c, 2, 0x41efffffffe00000ull); /* 4294967295.0 */
        fp(c, true, 0x5d, 0, 2);
        if (sse41) {
            x_op(c->b, 0x66, 0, 0x0f3a09, 3, 0, XR(0)); /* roundpd, toward zero */
            x_byte(c->b, 3);
        } else { /* nearest by 2^52, then one less where that went up */
            splat64(c, 3, 0x4330000000000000ull);
            x_movaps(c->b, 2, 0);
            fp(c, true, 0x58, 0, 3);
            fp(c, true, 0x5c, 0, 3);
            x_op(c->b, 0x66, 0, 0x0fc2, 2, 2, XR(0)); /* cmpltpd x, t */
            x_byte(c->b, 1);
            splat64(c, 3, 0x3ff0000000000000ull);
            p66(c, P_PAND, 2, 3);
            fp(c, true, 0x5c, 0, 2);
            p66(c, P_PXOR, 1, 1);
        }
        splat64(c, 2, 0x4330000000000000ull);
        fp(c, true, 0x58, 0, 2);
        x_op(c->b, 0, 0, 0x0fc6, 2, 0, XR(1)); /* shufps: lanes 0, 2, then zeros */
        x_byte(c->b, 0x88);
        break;
    default: return false;
    }
    vstore(c, d, 0);
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
    default: return more_sequences(c, sub, cell);
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
    case SH_SHIFT:
        if (shift(c, sub, cell)) return true;
        break;
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
