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
 *   br_table [A N R0 .. R(N-1) Rdefault]
 *   ret []   ret1 [A]     call [F BASE]        call_indirect [TY T A BASE]
 *   copy [D A]            select [D A B C]     global_get [D G]   global_set [G A]
 *   memory_size [D]       memory_grow [D A]    memory_init [S A B C]   data_drop [S]
 *   memory_copy [A B C]   memory_fill [A B C]
 *   table_get [D T A]     table_set [T A B]    table_size [D T]   table_grow [D T A B]
 *   table_fill [T A B C]  table_copy [T T A B C]   table_init [T S A B C]   elem_drop [S]
 *   ref_func [D F]        ref_is_null [D A]
 */
#ifndef WASM_OPS_H
#define WASM_OPS_H

/* The compare kinds that fuse with a following br_if / if (i32 operands). */
#define WASM_CMP_OPS(X)                                                                            \
    X(eq) X(ne) X(lt_s) X(lt_u) X(gt_s) X(gt_u) X(le_s) X(le_u) X(ge_s) X(ge_u)

#define WASM_FUSED_BR(X)                                                                           \
    X(br_eq) X(br_ne) X(br_lt_s) X(br_lt_u) X(br_gt_s) X(br_gt_u) X(br_le_s) X(br_le_u)            \
    X(br_ge_s) X(br_ge_u) X(brn_eq) X(brn_ne) X(brn_lt_s) X(brn_lt_u) X(brn_gt_s) X(brn_gt_u)      \
    X(brn_le_s) X(brn_le_u) X(brn_ge_s) X(brn_ge_u)

#define WASM_OPS(X)                                                                                \
    X(unreachable) X(br) X(br_if) X(br_unless) X(br_table) X(ret) X(ret1) X(call)                  \
    X(call_indirect) X(copy) X(select) X(global_get) X(global_set)                                 \
    /* memory */                                                                                   \
    X(i32_load) X(i64_load) X(i32_load8_s) X(i32_load8_u) X(i32_load16_s) X(i32_load16_u)         \
    X(i64_load8_s) X(i64_load8_u) X(i64_load16_s) X(i64_load16_u) X(i64_load32_s)                 \
    X(i64_load32_u) X(i32_store) X(i64_store) X(store8) X(store16)                                 \
    X(memory_size) X(memory_grow) X(memory_init) X(data_drop) X(memory_copy) X(memory_fill)        \
    /* tables and references */                                                                    \
    X(table_get) X(table_set) X(table_size) X(table_grow) X(table_fill) X(table_copy)              \
    X(table_init) X(elem_drop) X(ref_func) X(ref_is_null)                                          \
    /* i32 */                                                                                      \
    X(i32_eqz) X(i32_eq) X(i32_ne) X(i32_lt_s) X(i32_lt_u) X(i32_gt_s) X(i32_gt_u) X(i32_le_s)     \
    X(i32_le_u) X(i32_ge_s) X(i32_ge_u) X(i32_clz) X(i32_ctz) X(i32_popcnt) X(i32_add)             \
    X(i32_sub) X(i32_mul) X(i32_div_s) X(i32_div_u) X(i32_rem_s) X(i32_rem_u) X(i32_and)           \
    X(i32_or) X(i32_xor) X(i32_shl) X(i32_shr_s) X(i32_shr_u) X(i32_rotl) X(i32_rotr)              \
    /* i64 */                                                                                      \
    X(i64_eqz) X(i64_eq) X(i64_ne) X(i64_lt_s) X(i64_lt_u) X(i64_gt_s) X(i64_gt_u) X(i64_le_s)     \
    X(i64_le_u) X(i64_ge_s) X(i64_ge_u) X(i64_clz) X(i64_ctz) X(i64_popcnt) X(i64_add)             \
    X(i64_sub) X(i64_mul) X(i64_div_s) X(i64_div_u) X(i64_rem_s) X(i64_rem_u) X(i64_and)           \
    X(i64_or) X(i64_xor) X(i64_shl) X(i64_shr_s) X(i64_shr_u) X(i64_rotl) X(i64_rotr)              \
    /* f32 */                                                                                      \
    X(f32_eq) X(f32_ne) X(f32_lt) X(f32_gt) X(f32_le) X(f32_ge) X(f32_abs) X(f32_neg)              \
    X(f32_ceil) X(f32_floor) X(f32_trunc) X(f32_nearest) X(f32_sqrt) X(f32_add) X(f32_sub)         \
    X(f32_mul) X(f32_div) X(f32_min) X(f32_max) X(f32_copysign)                                    \
    /* f64 */                                                                                      \
    X(f64_eq) X(f64_ne) X(f64_lt) X(f64_gt) X(f64_le) X(f64_ge) X(f64_abs) X(f64_neg)              \
    X(f64_ceil) X(f64_floor) X(f64_trunc) X(f64_nearest) X(f64_sqrt) X(f64_add) X(f64_sub)         \
    X(f64_mul) X(f64_div) X(f64_min) X(f64_max) X(f64_copysign)                                    \
    /* conversions */                                                                              \
    X(i32_trunc_f32_s) X(i32_trunc_f32_u) X(i32_trunc_f64_s) X(i32_trunc_f64_u)                    \
    X(i64_extend_i32_s) X(i64_extend_i32_u) X(i64_trunc_f32_s) X(i64_trunc_f32_u)                  \
    X(i64_trunc_f64_s) X(i64_trunc_f64_u) X(f32_convert_i32_s) X(f32_convert_i32_u)                \
    X(f32_convert_i64_s) X(f32_convert_i64_u) X(f32_demote_f64) X(f64_convert_i32_s)               \
    X(f64_convert_i32_u) X(f64_convert_i64_s) X(f64_convert_i64_u) X(f64_promote_f32)              \
    X(i32_extend8_s) X(i32_extend16_s) X(i64_extend8_s) X(i64_extend16_s) X(i64_extend32_s)        \
    X(i32_trunc_sat_f32_s) X(i32_trunc_sat_f32_u) X(i32_trunc_sat_f64_s) X(i32_trunc_sat_f64_u)    \
    X(i64_trunc_sat_f32_s) X(i64_trunc_sat_f32_u) X(i64_trunc_sat_f64_s) X(i64_trunc_sat_f64_u)    \
    /* fused compare-and-branch */                                                                 \
    WASM_FUSED_BR(X)

#define WASM_OP_ENUM(name) OP_##name,
enum wasm_op { WASM_OPS(WASM_OP_ENUM) OP_COUNT, OP_NOP = OP_COUNT };
#undef WASM_OP_ENUM

#endif
