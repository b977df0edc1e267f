/*
 * lib/wasm/jit_x86_64_asm.h - an x86-64 instruction encoder for the JIT:
 * a growable byte buffer and one function per instruction form it uses
 * (Intel SDM vol. 2, chapter 2 "Instruction format": legacy prefix, REX,
 * opcode, ModRM, SIB, displacement, immediate).
 *
 * Operands: GPRs and XMM registers by number (0-15); r/m operands as
 * struct xrm, a register or [base + index * 2^scale + disp32]. Branches
 * are emitted with 32-bit displacements and patched with x_patch().
 */
#ifndef WASM_JIT_X86_64_ASM_H
#define WASM_JIT_X86_64_ASM_H

#include <stdbool.h>
#include <stdint.h>

#include "base/env.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* Condition codes (the low nibble of Jcc/SETcc/CMOVcc). */
enum {
    CC_O = 0,
    CC_NO,
    CC_B,
    CC_AE,
    CC_E,
    CC_NE,
    CC_BE,
    CC_A,
    CC_S,
    CC_NS,
    CC_P,
    CC_NP,
    CC_L,
    CC_GE,
    CC_LE,
    CC_G,
};

/* The ALU group (ADD .. CMP), numbered as their /digit in 0x81. */
enum {
    ALU_ADD = 0,
    ALU_OR = 1,
    ALU_ADC = 2,
    ALU_SBB = 3,
    ALU_AND = 4,
    ALU_SUB = 5,
    ALU_XOR = 6,
    ALU_CMP = 7
};

/* Shifts and rotates, their /digit in 0xD3/0xC1. */
enum { SH_ROL = 0, SH_ROR = 1, SH_SHL = 4, SH_SHR = 5, SH_SAR = 7 };

struct xbuf {
    uint8_t *p;
    uint32_t len, cap;
    uint32_t rip_at; /* the disp32 of the last [rip + disp32] operand */
    bool oom;
};

#define XRIP_BASE 16 /* struct xrm.reg of a [rip + disp32] operand */

struct xrm {
    bool mem;
    uint8_t reg;   /* the register, or the base of a memory operand */
    int8_t index;  /* -1: none */
    uint8_t scale; /* log2 */
    int32_t disp;
};

static inline struct xrm XR(int r) {
    return (struct xrm){false, (uint8_t)r, -1, 0, 0};
}

static inline struct xrm
XM(int base, int32_t disp) {
    return (struct xrm){true, (uint8_t)base, -1, 0, disp};
}

static inline struct xrm
XMI(int base, int index, int scale, int32_t disp) {
    return (struct xrm){true, (uint8_t)base, (int8_t)index, (uint8_t)scale, disp};
}

/* [rip + disp32], the displacement patched later (xbuf.rip_at). */
static inline struct xrm
XRIP(void) {
    return (struct xrm){true, XRIP_BASE, -1, 0, 0};
}

static inline void
x_byte(struct xbuf *b, uint8_t v)
{
    if (b->len == b->cap) {
        uint32_t ncap = b->cap ? b->cap * 2 : 4096;
        uint8_t *np = b->oom || ncap < b->cap ? NULL : mem_realloc(b->p, ncap);
        if (!np) {
            b->oom = true;
            b->len = 0; /* keep writing into what there is; the result is discarded */
            if (!b->cap) return;
        } else {
            b->p = np;
            b->cap = ncap;
        }
    }
    b->p[b->len++] = v;
}

static inline void x_u32(struct xbuf *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        x_byte(b, (uint8_t)(v >> (8 * i)));
}

static inline void x_u64(struct xbuf *b, uint64_t v)
{
    x_u32(b, (uint32_t)v);
    x_u32(b, (uint32_t)(v >> 32));
}

static inline bool x_fits8(int64_t v)
{
    return v >= -128 && v <= 127;
}

static inline bool x_fits32(int64_t v)
{
    return v >= INT32_MIN && v <= INT32_MAX;
}

/* Flags of x_op: REX.W, and byte registers in reg or r/m (spl..dil need
 * a REX prefix to be addressed as bytes). */
enum { XW = 1, XBR = 2, XBM = 4 };

/*
 * One instruction: [prefix] [REX] opcode bytes (opc, nopc of them, with
 * 0x0f escapes included), ModRM/SIB/displacement for reg field r and r/m
 * operand m. Immediates are appended by the caller.
 */
static inline void x_op(struct xbuf *b, uint8_t pfx, int flags, uint32_t opc, int nopc, int r,
                        struct xrm m)
{
    if (pfx) x_byte(b, pfx);
    uint8_t rex = 0x40;
    if (flags & XW) rex |= 8;
    if (r & 8) rex |= 4;
    if (m.mem && m.index >= 0 && (m.index & 8)) rex |= 2;
    if ((m.reg & 8) && !(m.mem && m.reg == XRIP_BASE)) rex |= 1;
    bool need = rex != 0x40 || ((flags & XBR) && r >= 4 && r < 8) ||
                ((flags & XBM) && !m.mem && m.reg >= 4 && m.reg < 8);
    if (need) x_byte(b, rex);
    for (int i = nopc - 1; i >= 0; i--)
        x_byte(b, (uint8_t)(opc >> (8 * i)));
    uint8_t rr = (uint8_t)((r & 7) << 3);
    if (m.mem && m.reg == XRIP_BASE) {
        x_byte(b, (uint8_t)(rr | 5));
        b->rip_at = b->len;
        x_u32(b, 0);
        return;
    }
    if (!m.mem) {
        x_byte(b, (uint8_t)(0xc0 | rr | (m.reg & 7)));
        return;
    }
    bool sib = m.index >= 0 || (m.reg & 7) == RSP;
    uint8_t mod = m.disp == 0 && (m.reg & 7) != RBP ? 0 : x_fits8(m.disp) ? 1 : 2;
    x_byte(b, (uint8_t)((mod << 6) | rr | (sib ? 4 : (m.reg & 7))));
    if (sib)
        x_byte(b,
               (uint8_t)((m.scale << 6) | ((m.index >= 0 ? m.index & 7 : 4) << 3) | (m.reg & 7)));
    if (mod == 1) x_byte(b, (uint8_t)m.disp);
    if (mod == 2) x_u32(b, (uint32_t)m.disp);
}

/* ---- moves ---- */

static inline void x_mov_rr(struct xbuf *b, int w, int dst, int src)
{
    x_op(b, 0, w ? XW : 0, 0x8b, 1, dst, XR(src));
}

static inline void x_load(struct xbuf *b, int w, int dst, struct xrm m)
{
    x_op(b, 0, w ? XW : 0, 0x8b, 1, dst, m);
}

static inline void x_store(struct xbuf *b, int w, struct xrm m, int src)
{
    x_op(b, 0, w ? XW : 0, 0x89, 1, src, m);
}

static inline void x_store8(struct xbuf *b, struct xrm m, int src)
{
    x_op(b, 0, XBR, 0x88, 1, src, m);
}

static inline void x_store16(struct xbuf *b, struct xrm m, int src)
{
    x_op(b, 0x66, 0, 0x89, 1, src, m);
}

/* mov dst, imm: the shortest form that gives the 64-bit value (32-bit
 * moves zero-extend). Flags are not touched. */
/* movabs r, imm64: always the 8-byte immediate, last in the instruction
 * (relocated per instance, jit_x86_64.h). */
static inline void x_mov_ri64(struct xbuf *b, int dst, uint64_t v)
{
    x_byte(b, (uint8_t)(0x48 | ((dst & 8) ? 1 : 0)));
    x_byte(b, (uint8_t)(0xb8 + (dst & 7)));
    x_u64(b, v);
}

static inline void x_mov_ri(struct xbuf *b, int dst, uint64_t v)
{
    if (v <= UINT32_MAX) {
        if (dst & 8) x_byte(b, 0x41);
        x_byte(b, (uint8_t)(0xb8 + (dst & 7)));
        x_u32(b, (uint32_t)v);
    } else if (x_fits32((int64_t)v)) {
        x_op(b, 0, XW, 0xc7, 1, 0, XR(dst));
        x_u32(b, (uint32_t)v);
    } else {
        x_mov_ri64(b, dst, v);
    }
}

/* mov r/m, imm32 (64-bit: sign-extended). */
static inline void x_mov_mi(struct xbuf *b, int w, struct xrm m, uint32_t imm)
{
    x_op(b, 0, w ? XW : 0, 0xc7, 1, 0, m);
    x_u32(b, imm);
}

static inline void x_lea(struct xbuf *b, int w, int dst, struct xrm m)
{
    x_op(b, 0, w ? XW : 0, 0x8d, 1, dst, m);
}

static inline void x_movzx8(struct xbuf *b, int dst, struct xrm m)
{
    x_op(b, 0, XBM, 0x0fb6, 2, dst, m);
}

static inline void x_movzx16(struct xbuf *b, int dst, struct xrm m)
{
    x_op(b, 0, 0, 0x0fb7, 2, dst, m);
}

static inline void x_movsx8(struct xbuf *b, int w, int dst, struct xrm m)
{
    x_op(b, 0, (w ? XW : 0) | XBM, 0x0fbe, 2, dst, m);
}

static inline void x_movsx16(struct xbuf *b, int w, int dst, struct xrm m)
{
    x_op(b, 0, w ? XW : 0, 0x0fbf, 2, dst, m);
}

static inline void x_movsxd(struct xbuf *b, int dst, struct xrm m)
{
    x_op(b, 0, XW, 0x63, 1, dst, m);
}

/* ---- integer arithmetic ---- */

/* op dst, r/m */
static inline void x_alu_rm(struct xbuf *b, int w, int alu, int dst, struct xrm m)
{
    x_op(b, 0, w ? XW : 0, (uint32_t)(8 * alu + 3), 1, dst, m);
}

/* op r/m, src */
static inline void x_alu_mr(struct xbuf *b, int w, int alu, struct xrm m, int src)
{
    x_op(b, 0, w ? XW : 0, (uint32_t)(8 * alu + 1), 1, src, m);
}

/* op r/m, imm32 (sign-extended for 64-bit) */
static inline void x_alu_mi(struct xbuf *b, int w, int alu, struct xrm m, int32_t imm)
{
    if (x_fits8(imm)) {
        x_op(b, 0, w ? XW : 0, 0x83, 1, alu, m);
        x_byte(b, (uint8_t)imm);
    } else {
        x_op(b, 0, w ? XW : 0, 0x81, 1, alu, m);
        x_u32(b, (uint32_t)imm);
    }
}

static inline void x_test_rr(struct xbuf *b, int w, int a, int r)
{
    x_op(b, 0, w ? XW : 0, 0x85, 1, r, XR(a));
}

static inline void x_test_mr(struct xbuf *b, int w, struct xrm m, int r)
{
    x_op(b, 0, w ? XW : 0, 0x85, 1, r, m);
}

static inline void x_test_mi(struct xbuf *b, int w, struct xrm m, uint32_t imm)
{
    x_op(b, 0, w ? XW : 0, 0xf7, 1, 0, m);
    x_u32(b, imm);
}

static inline void x_imul_rm(struct xbuf *b, int w, int dst, struct xrm m)
{
    x_op(b, 0, w ? XW : 0, 0x0faf, 2, dst, m);
}

static inline void x_imul_rmi(struct xbuf *b, int w, int dst, struct xrm m, int32_t imm)
{
    if (x_fits8(imm)) {
        x_op(b, 0, w ? XW : 0, 0x6b, 1, dst, m);
        x_byte(b, (uint8_t)imm);
    } else {
        x_op(b, 0, w ? XW : 0, 0x69, 1, dst, m);
        x_u32(b, (uint32_t)imm);
    }
}

/* The 0xF7 group: NOT 2, NEG 3, MUL 4, IMUL 5, DIV 6, IDIV 7. */
enum { G3_NOT = 2, G3_NEG = 3, G3_DIV = 6, G3_IDIV = 7 };
static inline void x_group3(struct xbuf *b, int w, int digit, struct xrm m)
{
    x_op(b, 0, w ? XW : 0, 0xf7, 1, digit, m);
}

static inline void x_shift_cl(struct xbuf *b, int w, int sh, struct xrm m)
{
    x_op(b, 0, w ? XW : 0, 0xd3, 1, sh, m);
}

static inline void x_shift_i(struct xbuf *b, int w, int sh, struct xrm m, uint8_t n)
{
    x_op(b, 0, w ? XW : 0, 0xc1, 1, sh, m);
    x_byte(b, n);
}

/* cdq / cqo: sign-extend eax/rax into edx/rdx. */
static inline void x_cdq(struct xbuf *b, int w)
{
    if (w) x_byte(b, 0x48);
    x_byte(b, 0x99);
}

static inline void x_setcc(struct xbuf *b, int cc, int r)
{
    x_op(b, 0, XBM, (uint32_t)(0x0f90 + cc), 2, 0, XR(r));
}

static inline void x_cmov(struct xbuf *b, int w, int cc, int dst, struct xrm m)
{
    x_op(b, 0, w ? XW : 0, (uint32_t)(0x0f40 + cc), 2, dst, m);
}

static inline void x_bsr(struct xbuf *b, int w, int dst, struct xrm m)
{
    x_op(b, 0, w ? XW : 0, 0x0fbd, 2, dst, m);
}

static inline void x_bsf(struct xbuf *b, int w, int dst, struct xrm m)
{
    x_op(b, 0, w ? XW : 0, 0x0fbc, 2, dst, m);
}

static inline void x_popcnt(struct xbuf *b, int w, int dst, struct xrm m)
{
    x_op(b, 0xf3, w ? XW : 0, 0x0fb8, 2, dst, m);
}

/* ---- control ---- */

static inline void x_push(struct xbuf *b, int r)
{
    if (r & 8) x_byte(b, 0x41);
    x_byte(b, (uint8_t)(0x50 + (r & 7)));
}

static inline void x_pop(struct xbuf *b, int r)
{
    if (r & 8) x_byte(b, 0x41);
    x_byte(b, (uint8_t)(0x58 + (r & 7)));
}

static inline void x_ret(struct xbuf *b)
{
    x_byte(b, 0xc3);
}

static inline void x_call_r(struct xbuf *b, int r)
{
    x_op(b, 0, 0, 0xff, 1, 2, XR(r));
}

static inline void x_call_m(struct xbuf *b, struct xrm m)
{
    x_op(b, 0, 0, 0xff, 1, 2, m);
}

static inline void x_jmp_r(struct xbuf *b, int r)
{
    x_op(b, 0, 0, 0xff, 1, 4, XR(r));
}

/* jmp/jcc/call rel32 to a position of the buffer, or with a placeholder
 * to patch: they return the position of the rel32 field. */
static inline uint32_t x_rel_to(struct xbuf *b, uint32_t target)
{
    uint32_t at = b->len;
    x_u32(b, target - (at + 4));
    return at;
}

static inline uint32_t x_jmp(struct xbuf *b, uint32_t target)
{
    x_byte(b, 0xe9);
    return x_rel_to(b, target);
}

static inline uint32_t x_jcc(struct xbuf *b, int cc, uint32_t target)
{
    x_byte(b, 0x0f);
    x_byte(b, (uint8_t)(0x80 + cc));
    return x_rel_to(b, target);
}

static inline uint32_t x_call(struct xbuf *b, uint32_t target)
{
    x_byte(b, 0xe8);
    return x_rel_to(b, target);
}

/* Points the rel32 field at `at` to target. */
static inline void x_patch(struct xbuf *b, uint32_t at, uint32_t target)
{
    if (b->oom || at + 4 > b->len) return;
    uint32_t v = target - (at + 4);
    for (int i = 0; i < 4; i++)
        b->p[at + i] = (uint8_t)(v >> (8 * i));
}

static inline void x_put32(struct xbuf *b, uint32_t at, uint32_t v)
{
    if (b->oom || at + 4 > b->len) return;
    for (int i = 0; i < 4; i++)
        b->p[at + i] = (uint8_t)(v >> (8 * i));
}

/* lea r, [rip + rel32]; returns the rel32 position (patch with x_patch). */
static inline uint32_t x_lea_rip(struct xbuf *b, int dst)
{
    x_byte(b, (uint8_t)(0x48 | ((dst & 8) ? 4 : 0)));
    x_byte(b, 0x8d);
    x_byte(b, (uint8_t)(((dst & 7) << 3) | 5));
    uint32_t at = b->len;
    x_u32(b, 0);
    return at;
}

/* ---- SSE2 (and SSE4.1 ROUNDSS/ROUNDSD) ---- */

/* A two-byte-opcode SSE instruction 0F op with prefix pfx. */
static inline void x_sse(struct xbuf *b, uint8_t pfx, int w, uint8_t op, int xr, struct xrm m)
{
    x_op(b, pfx, w ? XW : 0, 0x0f00u | op, 2, xr, m);
}

enum {
    SSE_SQRT = 0x51,
    SSE_AND = 0x54,
    SSE_ANDN = 0x55,
    SSE_OR = 0x56,
    SSE_XOR = 0x57,
    SSE_ADD = 0x58,
    SSE_MUL = 0x59,
    SSE_CVT_F = 0x5a,
    SSE_SUB = 0x5c,
    SSE_MIN = 0x5d,
    SSE_DIV = 0x5e,
    SSE_MAX = 0x5f,
    SSE_UCOMI = 0x2e,
    SSE_CVTSI = 0x2a,
    SSE_CVTT = 0x2c,
};

/* Prefix of a scalar op: F3 single, F2 double. */
static inline uint8_t x_sfx(bool f64)
{
    return f64 ? 0xf2 : 0xf3;
}

/* movd/movq xmm, r/m32/64 */
static inline void x_movd_xr(struct xbuf *b, int w, int x, struct xrm m)
{
    x_sse(b, 0x66, w, 0x6e, x, m);
}

/* movd/movq r/m32/64, xmm */
static inline void x_movd_rx(struct xbuf *b, int w, struct xrm m, int x)
{
    x_sse(b, 0x66, w, 0x7e, x, m);
}

/* movss/movsd xmm, m (or xmm: merges the low lane) */
static inline void x_movs_load(struct xbuf *b, bool f64, int x, struct xrm m)
{
    x_sse(b, x_sfx(f64), 0, 0x10, x, m);
}

static inline void x_movs_store(struct xbuf *b, bool f64, struct xrm m, int x)
{
    x_sse(b, x_sfx(f64), 0, 0x11, x, m);
}

/* movaps x, y: the whole register. */
static inline void x_movaps(struct xbuf *b, int x, int y)
{
    x_op(b, 0, 0, 0x0f28, 2, x, XR(y));
}

/* ucomiss/ucomisd x, r/m */
static inline void x_ucomi(struct xbuf *b, bool f64, int x, struct xrm m)
{
    x_sse(b, f64 ? 0x66 : 0, 0, SSE_UCOMI, x, m);
}

/* Packed bitwise ops (andps/orps/xorps ...) on whole registers. */
static inline void x_bitps(struct xbuf *b, uint8_t op, int x, int y)
{
    x_op(b, 0, 0, 0x0f00u | op, 2, x, XR(y));
}

/* roundss/roundsd x, r/m, mode (SSE4.1: 66 0F 3A 0A/0B ib) */
static inline void x_round(struct xbuf *b, bool f64, int x, struct xrm m, uint8_t mode)
{
    x_op(b, 0x66, 0, f64 ? 0x0f3a0b : 0x0f3a0a, 3, x, m);
    x_byte(b, mode);
}

#endif
