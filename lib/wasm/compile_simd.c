/*
 * lib/wasm/compile_simd.c - validation and translation of the fixed-width
 * SIMD instructions (the 0xfd prefix; spec 3.3.3 vector instructions,
 * 3.3.6 vector memory instructions, 5.4.8 their encoding). One table gives
 * each opcode's shape (operand and result types, immediates; op_tables.c); every
 * instruction becomes one `simd` op of ops.h, executed by interp_simd.c.
 * Only modules with wide frames get here (compile.c, widen_code).
 */
#include "wasm/compile.h"

#include "base/error.h"

/* The instruction's immediates: X0 .. X3 of the simd op. */
struct simd_imm {
    uint32_t x[4];
};

static int rd_memarg(struct cc *c, const struct simd_sig *s, struct simd_imm *im)
{
    uint32_t align;
    TRY(cc_rd_u32(c, &align));
    TRY(cc_rd_u32(c, &im->x[0]));
    if (!c->m->nmems) return bad(c, ERR_INVAL, "unknown memory 0");
    if (align > s->arg) return bad(c, ERR_INVAL, "alignment must not be larger than natural");
    return 0;
}

static int rd_lane(struct cc *c, uint32_t lanes, uint32_t *out)
{
    uint8_t b;
    TRY(cc_rd_byte(c, &b));
    if (b >= lanes) return bad(c, ERR_INVAL, "invalid lane index %u", b);
    *out = b;
    return 0;
}

static int rd_bytes16(struct cc *c, struct simd_imm *im, uint32_t max_lane)
{
    for (uint32_t i = 0; i < 16; i++) {
        uint8_t b;
        TRY(cc_rd_byte(c, &b));
        if (b >= max_lane) return bad(c, ERR_INVAL, "invalid lane index %u", b);
        im->x[i / 4] |= (uint32_t)b << (8 * (i % 4));
    }
    return 0;
}

/* Pops the operands (given bottom to top) into slots[]. */
static int pop_operands(struct cc *c, const uint8_t *types, uint32_t n, uint32_t *slots)
{
    struct cval v;
    for (uint32_t i = n; i-- > 0;) {
        TRY(cc_pop(c, types[i], &v));
        slots[i] = v.slot;
    }
    return 0;
}

static void emit_simd(struct cc *c, uint32_t sub, uint32_t dst, const uint32_t *slots, uint32_t n,
                      const struct simd_imm *im)
{
    uint32_t pos = cc_emit_op(c, OP_simd);
    if (dst != NONE)
        cc_emit_slot(c, dst);
    else
        cc_emit_imm(c, 0);
    for (uint32_t i = 0; i < 3; i++) {
        if (i < n)
            cc_emit_slot(c, slots[i]);
        else
            cc_emit_imm(c, 0);
    }
    cc_emit_imm(c, sub);
    for (uint32_t i = 0; i < 4; i++)
        cc_emit_imm(c, im->x[i]);
    if (dst != NONE) cc_note_result(c, pos, OP_simd);
}

int cc_op_simd(struct cc *c)
{
    static const uint8_t v1[] = {WASM_V128}, v2[] = {WASM_V128, WASM_V128},
                         v3[] = {WASM_V128, WASM_V128, WASM_V128}, addr[] = {WASM_I32},
                         addr_v[] = {WASM_I32, WASM_V128}, v_i32[] = {WASM_V128, WASM_I32};
    uint32_t sub, slots[3] = {0, 0, 0}, dst = NONE;
    struct simd_imm im = {{0, 0, 0, 0}};
    TRY(cc_rd_u32(c, &sub));
    struct simd_sig s = cc_simd_sig(sub);
    const uint8_t *in = NULL;
    uint32_t nin = 0;
    uint8_t out = WASM_V128, scalar[2] = {WASM_V128, s.arg};
    switch (s.shape) {
    case SH_NONE: return bad(c, ERR_BADMSG, "illegal opcode 0xfd %u", sub);
    case SH_LOAD:
        TRY(rd_memarg(c, &s, &im));
        in = addr, nin = 1;
        break;
    case SH_STORE:
        TRY(rd_memarg(c, &s, &im));
        in = addr_v, nin = 2, out = 0;
        break;
    case SH_LOAD_LANE:
    case SH_STORE_LANE:
        TRY(rd_memarg(c, &s, &im));
        TRY(rd_lane(c, s.lanes, &im.x[1]));
        in = addr_v, nin = 2, out = s.shape == SH_LOAD_LANE ? WASM_V128 : 0;
        break;
    case SH_CONST:
        for (uint32_t i = 0; i < 16; i++) {
            uint8_t b;
            TRY(cc_rd_byte(c, &b));
            im.x[i / 4] |= (uint32_t)b << (8 * (i % 4));
        }
        break;
    case SH_SHUFFLE:
        TRY(rd_bytes16(c, &im, 32));
        in = v2, nin = 2;
        break;
    case SH_SPLAT: in = &scalar[1], nin = 1; break;
    case SH_EXTRACT:
        TRY(rd_lane(c, s.lanes, &im.x[1]));
        in = v1, nin = 1, out = s.arg;
        break;
    case SH_REPLACE:
        TRY(rd_lane(c, s.lanes, &im.x[1]));
        in = scalar, nin = 2;
        break;
    case SH_UN: in = v1, nin = 1; break;
    case SH_BIN: in = v2, nin = 2; break;
    case SH_TERN: in = v3, nin = 3; break;
    case SH_TEST: in = v1, nin = 1, out = WASM_I32; break;
    case SH_SHIFT: in = v_i32, nin = 2; break;
    }
    TRY(pop_operands(c, in, nin, slots));
    if (out) TRY(cc_push_home(c, out, &dst));
    emit_simd(c, sub, dst, slots, nin, &im);
    return 0;
}
