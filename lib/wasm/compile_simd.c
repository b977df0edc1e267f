/*
 * lib/wasm/compile_simd.c - validation and translation of the fixed-width
 * SIMD instructions (the 0xfd prefix; spec 3.3.3 vector instructions,
 * 3.3.6 vector memory instructions, 5.4.8 their encoding). One table gives
 * each opcode's shape (operand and result types, immediates); every
 * instruction becomes one `simd` op of ops.h, executed by interp_simd.c.
 * Only modules with wide frames get here (compile.c, widen_code).
 */
#include "wasm/compile.h"

#include "base/error.h"

struct simd_sig {
    uint8_t shape;
    uint8_t arg;   /* memory ops: natural alignment (log2); lanes ops: the scalar type */
    uint8_t lanes; /* lane ops: the lane count */
};

/* The shapes of 0x60 .. 0xff, four bits each, in opcode order
 * (U unary, B binary, T test, S shift, . none). */
static const char tail_shapes[] = "UUUTTBBUUUUSSSBBBBBBUUBBBBUBUUUU"  /* 0x60 .. 0x7f */
                                  "UUBTTBBUUUUSSSBBBBBBUBBBBB.BBBBB"  /* 0x80 .. 0x9f */
                                  "UU.TT..UUUUSSSB..B...BBBBBB.BBBB"  /* 0xa0 .. 0xbf */
                                  "UU.TT..UUUUSSSB..B...BBBBBBBBBBB"  /* 0xc0 .. 0xdf */
                                  "UU.UBBBBBBBBUU.UBBBBBBBBUUUUUUUU"; /* 0xe0 .. 0xff */

static struct simd_sig sig_of(uint32_t op)
{
    static const uint8_t load_align[] = {4, 3, 3, 3, 3, 3, 3, 0, 1, 2, 3};
    static const uint8_t splat_type[] = {WASM_I32, WASM_I32, WASM_I32,
                                         WASM_I64, WASM_F32, WASM_F64};
    static const uint8_t splat_lanes[] = {16, 8, 4, 2, 4, 2};
    if (op <= 0x0a) return (struct simd_sig){SH_LOAD, load_align[op], 0};
    if (op == 0x0b) return (struct simd_sig){SH_STORE, 4, 0};
    if (op == 0x0c) return (struct simd_sig){SH_CONST, 0, 0};
    if (op == 0x0d) return (struct simd_sig){SH_SHUFFLE, 0, 0};
    if (op == 0x0e) return (struct simd_sig){SH_BIN, 0, 0};
    if (op <= 0x14)
        return (struct simd_sig){SH_SPLAT, splat_type[op - 0x0f], splat_lanes[op - 0x0f]};
    if (op <= 0x22) {
        /* i8x16 extract_s extract_u replace, i16x8 the same, then
         * extract/replace pairs for i32x4, i64x2, f32x4, f64x2 */
        static const struct simd_sig lanes[] = {
            {SH_EXTRACT, WASM_I32, 16}, {SH_EXTRACT, WASM_I32, 16}, {SH_REPLACE, WASM_I32, 16},
            {SH_EXTRACT, WASM_I32, 8},  {SH_EXTRACT, WASM_I32, 8},  {SH_REPLACE, WASM_I32, 8},
            {SH_EXTRACT, WASM_I32, 4},  {SH_REPLACE, WASM_I32, 4},  {SH_EXTRACT, WASM_I64, 2},
            {SH_REPLACE, WASM_I64, 2},  {SH_EXTRACT, WASM_F32, 4},  {SH_REPLACE, WASM_F32, 4},
            {SH_EXTRACT, WASM_F64, 2},  {SH_REPLACE, WASM_F64, 2},
        };
        return lanes[op - 0x15];
    }
    if (op <= 0x4c) return (struct simd_sig){SH_BIN, 0, 0}; /* compares */
    if (op == 0x4d) return (struct simd_sig){SH_UN, 0, 0};  /* v128.not */
    if (op <= 0x51) return (struct simd_sig){SH_BIN, 0, 0};
    if (op == 0x52) return (struct simd_sig){SH_TERN, 0, 0};
    if (op == 0x53) return (struct simd_sig){SH_TEST, 0, 0};
    if (op <= 0x57)
        return (struct simd_sig){SH_LOAD_LANE, (uint8_t)(op - 0x54), (uint8_t)(16 >> (op - 0x54))};
    if (op <= 0x5b)
        return (struct simd_sig){SH_STORE_LANE, (uint8_t)(op - 0x58), (uint8_t)(16 >> (op - 0x58))};
    if (op <= 0x5d) return (struct simd_sig){SH_LOAD, (uint8_t)(op == 0x5c ? 2 : 3), 0};
    if (op <= 0x5f) return (struct simd_sig){SH_UN, 0, 0}; /* demote, promote */
    if (op > 0xff) return (struct simd_sig){SH_NONE, 0, 0};
    switch (tail_shapes[op - 0x60]) {
    case 'U': return (struct simd_sig){SH_UN, 0, 0};
    case 'B': return (struct simd_sig){SH_BIN, 0, 0};
    case 'T': return (struct simd_sig){SH_TEST, 0, 0};
    case 'S': return (struct simd_sig){SH_SHIFT, 0, 0};
    }
    return (struct simd_sig){SH_NONE, 0, 0};
}

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
    struct simd_sig s = sig_of(sub);
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

enum simd_shape cc_simd_shape(uint32_t sub)
{
    return (enum simd_shape)sig_of(sub).shape;
}
