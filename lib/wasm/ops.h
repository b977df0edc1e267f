/*
 * lib/wasm/ops.h - the internal instruction set: what compile.c emits and
 * interp.c executes.
 *
 * Code is an array of 32-bit cells. An instruction is its handler cell (the
 * offset of its handler from the interpreter's dispatch base, so dispatch is
 * one load, one add and one indirect jump) followed by operand cells:
 *
 *   D, A, B, C  frame slots (destination, sources), as slot indices from fp
 *   R           a branch: target = address of this cell + (int32)R
 *   OFF         a memory offset; F/G/T/S/TY a function, global, table,
 *               segment or type index; BASE the slot where a callee's
 *               frame starts (its first argument); N a count
 *
 * Locals, constants and operands all live in frame slots, so most
 * instructions read their operands where they are: `local.get a;
 * local.get b; i32.add; local.set c` becomes one `i32_add c, a, b`.
 * Layouts (cells after the handler):
 *
 *   unary    [D A]        binary [D A B]       load [D A OFF]   store [A B OFF]
 *   br [R]   br_if/br_unless [A R]   br_<cmp>/brn_<cmp> [A B R]
 *   (also br64_<cmp>, br_and: A & B != 0)   <load>_add [D A B OFF]
 *   <store>_add [A B V OFF] (address A + B, value V)
 *   br_table [A N R0 .. R(N-1) Rdefault]
 *   ret []   ret1 [A]     call [F BASE]        call_indirect [TY T A BASE]
 *   copy [D A]   copy2 [D A D2 A2] (two copies in order)
 *   select [D A B C]      global_get [D G]     global_set [G A]
 *   memory_size [D]       memory_grow [D A]    memory_init [S A B C]   data_drop [S]
 *   memory_copy [A B C]   memory_fill [A B C]
 *   table_get [D T A]     table_set [T A B]    table_size [D T]   table_grow [D T A B]
 *   table_fill [T A B C]  table_copy [T T A B C]   table_init [T S A B C]   elem_drop [S]
 *   ref_func [D F]        ref_is_null [D A]
 *
 * Modules that use v128 have wide frames (see compile.c): every slot index
 * is even and a value owns two 8-byte slots, so copy_w/select_w/ret1_w and
 * global_get_w/global_set_w move 16 bytes ([D A], [D A B C], [A], [D G],
 * [G A]); simd [D A B C SUB X0 X1 X2 X3] is one SIMD instruction (SUB its
 * 0xfd opcode, unused slots 0, X the immediates: memory offset, lane,
 * v128.const or shuffle bytes; see interp_simd.c).
 */
#ifndef WASM_OPS_H
#define WASM_OPS_H

/* The tables below are laid out by hand. */
// clang-format off

/*
 * X(name, n): n is the number of operand cells after the handler cell
 * (-1 for br_table, whose length is 3 + its count N).
 */
#define WASM_FUSED_BR(X)                                                                           \
    X(br_eq, 3) X(br_ne, 3) X(br_lt_s, 3) X(br_lt_u, 3) X(br_gt_s, 3) X(br_gt_u, 3)                \
    X(br_le_s, 3) X(br_le_u, 3) X(br_ge_s, 3) X(br_ge_u, 3)                                        \
    X(brn_eq, 3) X(brn_ne, 3) X(brn_lt_s, 3) X(brn_lt_u, 3) X(brn_gt_s, 3) X(brn_gt_u, 3)          \
    X(brn_le_s, 3) X(brn_le_u, 3) X(brn_ge_s, 3) X(brn_ge_u, 3)                                    \
    X(br64_eq, 3) X(br64_ne, 3) X(br64_lt_s, 3) X(br64_lt_u, 3) X(br64_gt_s, 3) X(br64_gt_u, 3)    \
    X(br64_le_s, 3) X(br64_le_u, 3) X(br64_ge_s, 3) X(br64_ge_u, 3)                                \
    X(brn64_eq, 3) X(brn64_ne, 3) X(brn64_lt_s, 3) X(brn64_lt_u, 3) X(brn64_gt_s, 3)               \
    X(brn64_gt_u, 3) X(brn64_le_s, 3) X(brn64_le_u, 3) X(brn64_ge_s, 3) X(brn64_ge_u, 3)           \
    X(br_if64, 2) X(br_unless64, 2) X(br_and, 3) X(brn_and, 3)

/* Loads whose address is the i32 sum of two slots: [D A B OFF]. */
#define WASM_ADDR_LOADS(X)                                                                         \
    X(i32_load_add, 4) X(i64_load_add, 4) X(i32_load8_s_add, 4) X(i32_load8_u_add, 4)              \
    X(i32_load16_s_add, 4) X(i32_load16_u_add, 4) X(i64_load8_s_add, 4) X(i64_load8_u_add, 4)      \
    X(i64_load16_s_add, 4) X(i64_load16_u_add, 4) X(i64_load32_s_add, 4) X(i64_load32_u_add, 4)

/* Stores whose address is the i32 sum of two slots: [A B V OFF]. */
#define WASM_ADDR_STORES(X)                                                                        \
    X(i32_store_add, 4) X(i64_store_add, 4) X(store8_add, 4) X(store16_add, 4)

/*
 * Forms with an immediate constant IMM in place of the last operand:
 * i32 binary ops [D A IMM], compare-and-branch [A IMM R], and constants
 * written to a slot: const32 [D IMM] (zero-extended), const64 [D LO HI].
 */
#define WASM_IMM_OPS(X)                                                                            \
    X(i32_add_imm, 3) X(i32_sub_imm, 3) X(i32_mul_imm, 3) X(i32_and_imm, 3) X(i32_or_imm, 3)       \
    X(i32_xor_imm, 3) X(i32_shl_imm, 3) X(i32_shr_s_imm, 3) X(i32_shr_u_imm, 3)                    \
    X(i32_rotl_imm, 3) X(i32_rotr_imm, 3)                                                          \
    X(br_eq_imm, 3) X(br_ne_imm, 3) X(br_lt_s_imm, 3) X(br_lt_u_imm, 3) X(br_gt_s_imm, 3)          \
    X(br_gt_u_imm, 3) X(br_le_s_imm, 3) X(br_le_u_imm, 3) X(br_ge_s_imm, 3) X(br_ge_u_imm, 3)      \
    X(brn_eq_imm, 3) X(brn_ne_imm, 3) X(brn_lt_s_imm, 3) X(brn_lt_u_imm, 3) X(brn_gt_s_imm, 3)     \
    X(brn_gt_u_imm, 3) X(brn_le_s_imm, 3) X(brn_le_u_imm, 3) X(brn_ge_s_imm, 3)                    \
    X(brn_ge_u_imm, 3) X(br_and_imm, 3) X(brn_and_imm, 3) X(const32, 2) X(const64, 3)

/* An add then a compare-and-branch on the sum (loop closing): [D A B C R],
 * D = A + B, branch if D <cmp> C (or not, brn). */
#define WASM_ADD_BR(X) \
    X(add32_br_eq, 5) X(add32_br_ne, 5) X(add32_br_lt_s, 5) X(add32_br_lt_u, 5) X(add32_br_gt_s, 5) X(add32_br_gt_u, 5) X(add32_br_le_s, 5) X(add32_br_le_u, 5) X(add32_br_ge_s, 5) X(add32_br_ge_u, 5) \
    X(add32_brn_eq, 5) X(add32_brn_ne, 5) X(add32_brn_lt_s, 5) X(add32_brn_lt_u, 5) X(add32_brn_gt_s, 5) X(add32_brn_gt_u, 5) X(add32_brn_le_s, 5) X(add32_brn_le_u, 5) X(add32_brn_ge_s, 5) X(add32_brn_ge_u, 5) \
    X(add64_br_eq, 5) X(add64_br_ne, 5) X(add64_br_lt_s, 5) X(add64_br_lt_u, 5) X(add64_br_gt_s, 5) X(add64_br_gt_u, 5) X(add64_br_le_s, 5) X(add64_br_le_u, 5) X(add64_br_ge_s, 5) X(add64_br_ge_u, 5) \
    X(add64_brn_eq, 5) X(add64_brn_ne, 5) X(add64_brn_lt_s, 5) X(add64_brn_lt_u, 5) X(add64_brn_gt_s, 5) X(add64_brn_gt_u, 5) X(add64_brn_le_s, 5) X(add64_brn_le_u, 5) X(add64_brn_ge_s, 5) X(add64_brn_ge_u, 5)

/*
 * Integer ALU ops also leave their result in a register (acc). The next
 * instruction, if it reads that value, takes it from acc instead of the
 * slot: _ra forms read A from acc, _rb forms B ([D A B] cells kept).
 */
#define WASM_ACC_OPS(X) \
    X(i32_add_ra, 3) X(i32_sub_ra, 3) X(i32_mul_ra, 3) X(i32_and_ra, 3) X(i32_or_ra, 3)            \
    X(i32_xor_ra, 3) X(i32_shl_ra, 3) X(i32_shr_s_ra, 3) X(i32_shr_u_ra, 3) X(i32_rotl_ra, 3)      \
    X(i32_rotr_ra, 3) X(i64_add_ra, 3) X(i64_sub_ra, 3) X(i64_mul_ra, 3) X(i64_and_ra, 3)          \
    X(i64_or_ra, 3) X(i64_xor_ra, 3) X(i64_shl_ra, 3) X(i64_shr_s_ra, 3) X(i64_shr_u_ra, 3)        \
    X(i64_rotl_ra, 3) X(i64_rotr_ra, 3)                                                            \
    X(i32_add_rb, 3) X(i32_sub_rb, 3) X(i32_mul_rb, 3) X(i32_and_rb, 3) X(i32_or_rb, 3)            \
    X(i32_xor_rb, 3) X(i32_shl_rb, 3) X(i32_shr_s_rb, 3) X(i32_shr_u_rb, 3) X(i32_rotl_rb, 3)      \
    X(i32_rotr_rb, 3) X(i64_add_rb, 3) X(i64_sub_rb, 3) X(i64_mul_rb, 3) X(i64_and_rb, 3)          \
    X(i64_or_rb, 3) X(i64_xor_rb, 3) X(i64_shl_rb, 3) X(i64_shr_s_rb, 3) X(i64_shr_u_rb, 3)        \
    X(i64_rotl_rb, 3) X(i64_rotr_rb, 3)                                                            \
    X(i32_add_imm_ra, 3) X(i32_sub_imm_ra, 3) X(i32_mul_imm_ra, 3) X(i32_and_imm_ra, 3)            \
    X(i32_or_imm_ra, 3) X(i32_xor_imm_ra, 3) X(i32_shl_imm_ra, 3) X(i32_shr_s_imm_ra, 3)           \
    X(i32_shr_u_imm_ra, 3) X(i32_rotl_imm_ra, 3) X(i32_rotr_imm_ra, 3)

#define WASM_OPS(X)                                                                                \
    X(unreachable, 0) X(br, 1) X(br_if, 2) X(br_unless, 2) X(br_table, -1) X(ret, 0) X(ret1, 1)    \
    X(call, 2) X(call_indirect, 4) X(copy, 2) X(copy2, 4) X(select, 4) X(global_get, 2)            \
    X(global_set, 2)                                                                               \
    /* memory */                                                                                   \
    X(i32_load, 3) X(i64_load, 3) X(i32_load8_s, 3) X(i32_load8_u, 3) X(i32_load16_s, 3)           \
    X(i32_load16_u, 3) X(i64_load8_s, 3) X(i64_load8_u, 3) X(i64_load16_s, 3) X(i64_load16_u, 3)   \
    X(i64_load32_s, 3) X(i64_load32_u, 3) X(i32_store, 3) X(i64_store, 3) X(store8, 3)             \
    X(store16, 3) X(memory_size, 1) X(memory_grow, 2) X(memory_init, 4) X(data_drop, 1)            \
    X(memory_copy, 3) X(memory_fill, 3)                                                            \
    /* tables and references */                                                                    \
    X(table_get, 3) X(table_set, 3) X(table_size, 2) X(table_grow, 4) X(table_fill, 4)             \
    X(table_copy, 5) X(table_init, 5) X(elem_drop, 1) X(ref_func, 2) X(ref_is_null, 2)             \
    /* i32 */                                                                                      \
    X(i32_eqz, 2) X(i32_eq, 3) X(i32_ne, 3) X(i32_lt_s, 3) X(i32_lt_u, 3) X(i32_gt_s, 3)           \
    X(i32_gt_u, 3) X(i32_le_s, 3) X(i32_le_u, 3) X(i32_ge_s, 3) X(i32_ge_u, 3) X(i32_clz, 2)       \
    X(i32_ctz, 2) X(i32_popcnt, 2) X(i32_add, 3) X(i32_sub, 3) X(i32_mul, 3) X(i32_div_s, 3)       \
    X(i32_div_u, 3) X(i32_rem_s, 3) X(i32_rem_u, 3) X(i32_and, 3) X(i32_or, 3) X(i32_xor, 3)       \
    X(i32_shl, 3) X(i32_shr_s, 3) X(i32_shr_u, 3) X(i32_rotl, 3) X(i32_rotr, 3)                    \
    /* i64 */                                                                                      \
    X(i64_eqz, 2) X(i64_eq, 3) X(i64_ne, 3) X(i64_lt_s, 3) X(i64_lt_u, 3) X(i64_gt_s, 3)           \
    X(i64_gt_u, 3) X(i64_le_s, 3) X(i64_le_u, 3) X(i64_ge_s, 3) X(i64_ge_u, 3) X(i64_clz, 2)       \
    X(i64_ctz, 2) X(i64_popcnt, 2) X(i64_add, 3) X(i64_sub, 3) X(i64_mul, 3) X(i64_div_s, 3)       \
    X(i64_div_u, 3) X(i64_rem_s, 3) X(i64_rem_u, 3) X(i64_and, 3) X(i64_or, 3) X(i64_xor, 3)       \
    X(i64_shl, 3) X(i64_shr_s, 3) X(i64_shr_u, 3) X(i64_rotl, 3) X(i64_rotr, 3)                    \
    /* f32 */                                                                                      \
    X(f32_eq, 3) X(f32_ne, 3) X(f32_lt, 3) X(f32_gt, 3) X(f32_le, 3) X(f32_ge, 3) X(f32_abs, 2)    \
    X(f32_neg, 2) X(f32_ceil, 2) X(f32_floor, 2) X(f32_trunc, 2) X(f32_nearest, 2) X(f32_sqrt, 2)  \
    X(f32_add, 3) X(f32_sub, 3) X(f32_mul, 3) X(f32_div, 3) X(f32_min, 3) X(f32_max, 3)            \
    X(f32_copysign, 3)                                                                             \
    /* f64 */                                                                                      \
    X(f64_eq, 3) X(f64_ne, 3) X(f64_lt, 3) X(f64_gt, 3) X(f64_le, 3) X(f64_ge, 3) X(f64_abs, 2)    \
    X(f64_neg, 2) X(f64_ceil, 2) X(f64_floor, 2) X(f64_trunc, 2) X(f64_nearest, 2) X(f64_sqrt, 2)  \
    X(f64_add, 3) X(f64_sub, 3) X(f64_mul, 3) X(f64_div, 3) X(f64_min, 3) X(f64_max, 3)            \
    X(f64_copysign, 3)                                                                             \
    /* conversions */                                                                              \
    X(i32_trunc_f32_s, 2) X(i32_trunc_f32_u, 2) X(i32_trunc_f64_s, 2) X(i32_trunc_f64_u, 2)        \
    X(i64_extend_i32_s, 2) X(i64_extend_i32_u, 2) X(i64_trunc_f32_s, 2) X(i64_trunc_f32_u, 2)      \
    X(i64_trunc_f64_s, 2) X(i64_trunc_f64_u, 2) X(f32_convert_i32_s, 2) X(f32_convert_i32_u, 2)    \
    X(f32_convert_i64_s, 2) X(f32_convert_i64_u, 2) X(f32_demote_f64, 2) X(f64_convert_i32_s, 2)   \
    X(f64_convert_i32_u, 2) X(f64_convert_i64_s, 2) X(f64_convert_i64_u, 2) X(f64_promote_f32, 2)  \
    X(i32_extend8_s, 2) X(i32_extend16_s, 2) X(i64_extend8_s, 2) X(i64_extend16_s, 2)              \
    X(i64_extend32_s, 2) X(i32_trunc_sat_f32_s, 2) X(i32_trunc_sat_f32_u, 2)                       \
    X(i32_trunc_sat_f64_s, 2) X(i32_trunc_sat_f64_u, 2) X(i64_trunc_sat_f32_s, 2)                  \
    X(i64_trunc_sat_f32_u, 2) X(i64_trunc_sat_f64_s, 2) X(i64_trunc_sat_f64_u, 2)                  \
    /* wide frames (modules with v128): 16-byte moves, and SIMD */                                 \
    X(copy_w, 2) X(select_w, 4) X(ret1_w, 1) X(global_get_w, 2) X(global_set_w, 2) X(simd, 9)      \
    /* fused instructions */                                                                       \
    WASM_FUSED_BR(X) WASM_ADDR_LOADS(X) WASM_ADDR_STORES(X) WASM_IMM_OPS(X) WASM_ADD_BR(X)          \
    WASM_ACC_OPS(X)

// clang-format on

#define WASM_OP_ENUM(name, n) OP_##name,
enum wasm_op { WASM_OPS(WASM_OP_ENUM) OP_COUNT, OP_NOP = OP_COUNT };
#undef WASM_OP_ENUM

#endif
