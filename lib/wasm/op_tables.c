/*
 * lib/wasm/op_tables.c - what the compiler (compile_ops.c, compile_simd.c)
 * and the JIT (jit_ir.c, jit_x86_64_simd.c) both read about opcodes: the
 * integer ALU ops that have accumulator forms, and each SIMD opcode's
 * shape. A leaf, so the JIT does not call up into the compiler.
 */
#include "wasm/compile.h"

/* The integer ALU ops that leave their result in acc, in the order of
 * their _ra and _rb variants (ops.h, WASM_ACC_OPS). */
const enum wasm_op cc_alu_ops[CC_NALU] = {
    OP_i32_add,   OP_i32_sub,   OP_i32_mul,   OP_i32_and,  OP_i32_or,   OP_i32_xor,
    OP_i32_shl,   OP_i32_shr_s, OP_i32_shr_u, OP_i32_rotl, OP_i32_rotr, OP_i64_add,
    OP_i64_sub,   OP_i64_mul,   OP_i64_and,   OP_i64_or,   OP_i64_xor,  OP_i64_shl,
    OP_i64_shr_s, OP_i64_shr_u, OP_i64_rotl,  OP_i64_rotr,
};

/* The shapes of 0x60 .. 0xff, four bits each, in opcode order
 * (U unary, B binary, T test, S shift, . none). */
static const char tail_shapes[] = "UUUTTBBUUUUSSSBBBBBBUUBBBBUBUUUU"  /* 0x60 .. 0x7f */
                                  "UUBTTBBUUUUSSSBBBBBBUBBBBB.BBBBB"  /* 0x80 .. 0x9f */
                                  "UU.TT..UUUUSSSB..B...BBBBBB.BBBB"  /* 0xa0 .. 0xbf */
                                  "UU.TT..UUUUSSSB..B...BBBBBBBBBBB"  /* 0xc0 .. 0xdf */
                                  "UU.UBBBBBBBBUU.UBBBBBBBBUUUUUUUU"; /* 0xe0 .. 0xff */

struct simd_sig cc_simd_sig(uint32_t op)
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

enum simd_shape cc_simd_shape(uint32_t sub)
{
    return (enum simd_shape)cc_simd_sig(sub).shape;
}
