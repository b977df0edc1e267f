/*
 * lib/wasm/compile_ops.c - validation and translation of the instructions
 * that do not touch control flow (spec 3.3.1-3.3.6): memory access and
 * the bulk memory/table instructions, the numeric instructions (one table
 * gives each opcode's operand and result types and internal op),
 * constants, select, references, table.get/set.
 */
#include "wasm/compile.h"

#include "base/error.h"
#include "wasm/leb.h"

/* ---- memory (spec 3.3.6) ---- */

static int need_memory(struct cc *c)
{
    return c->m->nmems ? 0 : bad(c, ERR_INVAL, "unknown memory 0");
}

struct memop {
    enum wasm_op op;
    uint8_t type;  /* value loaded or stored */
    uint8_t align; /* natural alignment, log2 */
    bool store;
};

/* 0x28 .. 0x3e in opcode order. */
static const struct memop memops[] = {
    {OP_i32_load, WASM_I32, 2, false},     {OP_i64_load, WASM_I64, 3, false},
    {OP_i32_load, WASM_F32, 2, false},     {OP_i64_load, WASM_F64, 3, false},
    {OP_i32_load8_s, WASM_I32, 0, false},  {OP_i32_load8_u, WASM_I32, 0, false},
    {OP_i32_load16_s, WASM_I32, 1, false}, {OP_i32_load16_u, WASM_I32, 1, false},
    {OP_i64_load8_s, WASM_I64, 0, false},  {OP_i64_load8_u, WASM_I64, 0, false},
    {OP_i64_load16_s, WASM_I64, 1, false}, {OP_i64_load16_u, WASM_I64, 1, false},
    {OP_i64_load32_s, WASM_I64, 2, false}, {OP_i64_load32_u, WASM_I64, 2, false},
    {OP_i32_store, WASM_I32, 2, true},     {OP_i64_store, WASM_I64, 3, true},
    {OP_i32_store, WASM_F32, 2, true},     {OP_i64_store, WASM_F64, 3, true},
    {OP_store8, WASM_I32, 0, true},        {OP_store16, WASM_I32, 1, true},
    {OP_store8, WASM_I64, 0, true},        {OP_store16, WASM_I64, 1, true},
    {OP_i32_store, WASM_I64, 2, true},
};

int cc_op_memory(struct cc *c, uint8_t opcode)
{
    const struct memop *mo = &memops[opcode - 0x28];
    uint32_t align, offset, slot;
    struct cval addr, val;
    TRY(cc_rd_u32(c, &align));
    TRY(cc_rd_u32(c, &offset));
    TRY(need_memory(c));
    if (align > mo->align) return bad(c, ERR_INVAL, "alignment must not be larger than natural");
    if (mo->store) TRY(cc_pop(c, mo->type, &val));
    TRY(cc_pop(c, WASM_I32, &addr));
    /* An address just computed by i32.add: the access does the add. For a
     * store, the value then needed no code (it is a local or constant). */
    bool fuse = !c->dead && c->last_pos != NONE &&
                (c->last_op == OP_i32_add || c->last_op == OP_i32_add_imm) &&
                c->last_h == c->height && addr.slot == TEMP(c->height);
    uint32_t a = addr.slot, b = 0;
    if (fuse) {
        a = c->cells[c->last_pos + 2];
        b = c->cells[c->last_pos + 3];
        if (c->last_op == OP_i32_add_imm) /* the constant goes back to a slot */
            b = cc_const_slot(c, b);
        cc_truncate_code(c, c->last_pos);
    }
    if (mo->store) {
        enum wasm_op op = mo->op;
        if (fuse)
            op = op == OP_i32_store   ? OP_i32_store_add
                 : op == OP_i64_store ? OP_i64_store_add
                 : op == OP_store8    ? OP_store8_add
                                      : OP_store16_add;
        cc_emit_op(c, op);
        cc_emit_slot(c, a);
        if (fuse) cc_emit_slot(c, b);
        cc_emit_slot(c, val.slot);
        cc_emit_imm(c, offset);
        return 0;
    }
    TRY(cc_push_home(c, mo->type, &slot));
    enum wasm_op op = fuse ? (enum wasm_op)(OP_i32_load_add + (mo->op - OP_i32_load)) : mo->op;
    uint32_t pos = cc_emit_op(c, op);
    cc_emit_slot(c, slot);
    cc_emit_slot(c, a);
    if (fuse) cc_emit_slot(c, b);
    cc_emit_imm(c, offset);
    cc_note_result(c, pos, op);
    return 0;
}

static const uint8_t no_types[1] = {0};

/* Pops the operands of an instruction (types given bottom to top),
 * emits op [D?] then the operand slots. */
static int alu_index(enum wasm_op op)
{
    for (int i = 0; i < CC_NALU; i++)
        if (cc_alu_ops[i] == op) return i;
    return -1;
}

/* The destination slot of the instruction just emitted if its result is
 * also in acc, else NONE. Labels clear the history, so acc is valid. */
static uint32_t acc_slot(const struct cc *c)
{
    enum wasm_op op = c->hist_op[1];
    if (c->hist_pos[1] == NONE ||
        (alu_index(op) < 0 && !(op >= OP_i32_add_imm && op <= OP_i32_rotr_imm)))
        return NONE;
    return c->cells[c->hist_pos[1] + 1];
}

/* The [D A IMM] form of an i32 binary op, or OP_COUNT. */
static enum wasm_op imm_form(enum wasm_op op, bool *commutes)
{
    *commutes = op == OP_i32_add || op == OP_i32_mul || op == OP_i32_and || op == OP_i32_or ||
                op == OP_i32_xor;
    switch (op) {
    case OP_i32_add: return OP_i32_add_imm;
    case OP_i32_sub: return OP_i32_sub_imm;
    case OP_i32_mul: return OP_i32_mul_imm;
    case OP_i32_and: return OP_i32_and_imm;
    case OP_i32_or: return OP_i32_or_imm;
    case OP_i32_xor: return OP_i32_xor_imm;
    case OP_i32_shl: return OP_i32_shl_imm;
    case OP_i32_shr_s: return OP_i32_shr_s_imm;
    case OP_i32_shr_u: return OP_i32_shr_u_imm;
    case OP_i32_rotl: return OP_i32_rotl_imm;
    case OP_i32_rotr: return OP_i32_rotr_imm;
    default: return OP_COUNT;
    }
}

/* An i32 binary op with a constant operand, as [D A IMM]: the constant
 * then needs no frame slot. Returns false if op has no such form. */
static bool emit_binary_imm(struct cc *c, enum wasm_op op, const struct cval *v, uint32_t d)
{
    bool commutes;
    enum wasm_op iop = imm_form(op, &commutes);
    uint32_t a = v[0].slot, b = v[1].slot;
    if (iop == OP_COUNT) return false;
    if (!cc_is_const(b)) {
        if (!commutes || !cc_is_const(a)) return false;
        a = v[1].slot, b = v[0].slot;
    }
    enum wasm_op handler = iop;
    if (a == acc_slot(c)) handler = (enum wasm_op)(OP_i32_add_imm_ra + (iop - OP_i32_add_imm));
    uint32_t pos = cc_emit_op_as(c, handler, iop);
    cc_emit_slot(c, d);
    cc_emit_slot(c, a);
    cc_emit_imm(c, (uint32_t)cc_const_value(c, b));
    cc_note_result(c, pos, iop);
    return true;
}

static int emit_generic(struct cc *c, enum wasm_op op, const uint8_t *in, uint32_t nin, uint8_t out,
                        const uint32_t *imms, uint32_t nimm)
{
    struct cval v[4];
    uint32_t slot = 0;
    for (uint32_t i = nin; i-- > 0;)
        TRY(cc_pop(c, in[i], &v[i]));
    if (out) TRY(cc_push_home(c, out, &slot));
    if (nin == 2 && out && !nimm && !c->dead && emit_binary_imm(c, op, v, slot)) return 0;
    enum wasm_op handler = op;
    int k = alu_index(op);
    if (k >= 0 && !c->dead) {
        uint32_t acc = acc_slot(c);
        if (acc != NONE && v[0].slot == acc)
            handler = (enum wasm_op)(OP_i32_add_ra + k);
        else if (acc != NONE && v[1].slot == acc)
            handler = (enum wasm_op)(OP_i32_add_rb + k);
    }
    uint32_t pos = cc_emit_op_as(c, handler, op);
    if (out) cc_emit_slot(c, slot);
    for (uint32_t i = 0; i < nimm; i++)
        cc_emit_imm(c, imms[i]);
    for (uint32_t i = 0; i < nin; i++)
        cc_emit_slot(c, v[i].slot);
    if (out) cc_note_result(c, pos, op);
    return 0;
}

/* memory.size, memory.grow (spec 3.3.6). */
int cc_op_memory_size(struct cc *c, uint8_t opcode)
{
    uint8_t in = WASM_I32;
    TRY(cc_rd_zero(c));
    TRY(need_memory(c));
    if (opcode == 0x3f) return emit_generic(c, OP_memory_size, no_types, 0, WASM_I32, NULL, 0);
    return emit_generic(c, OP_memory_grow, &in, 1, WASM_I32, NULL, 0);
}

static const uint8_t three_i32[] = {WASM_I32, WASM_I32, WASM_I32};

/* 0xfc 8..17: bulk memory and table instructions (spec 3.3.5, 3.3.6). */
int cc_op_bulk(struct cc *c, uint32_t sub)
{
    const struct wasm_module *m = c->m;
    uint32_t a, b;
    uint8_t in[3];
    switch (sub) {
    case 8: /* memory.init */
        TRY(cc_rd_u32(c, &a));
        TRY(cc_rd_zero(c));
        TRY(need_memory(c));
        if (!m->has_datacount) return bad(c, ERR_BADMSG, "data count section required");
        if (a >= m->datacount) return bad(c, ERR_INVAL, "unknown data segment %u", a);
        return emit_generic(c, OP_memory_init, three_i32, 3, 0, &a, 1);
    case 9: /* data.drop */
        TRY(cc_rd_u32(c, &a));
        if (!m->has_datacount) return bad(c, ERR_BADMSG, "data count section required");
        if (a >= m->datacount) return bad(c, ERR_INVAL, "unknown data segment %u", a);
        return emit_generic(c, OP_data_drop, no_types, 0, 0, &a, 1);
    case 10: /* memory.copy */
        TRY(cc_rd_zero(c));
        TRY(cc_rd_zero(c));
        TRY(need_memory(c));
        return emit_generic(c, OP_memory_copy, three_i32, 3, 0, NULL, 0);
    case 11: /* memory.fill */
        TRY(cc_rd_zero(c));
        TRY(need_memory(c));
        return emit_generic(c, OP_memory_fill, three_i32, 3, 0, NULL, 0);
    case 12: /* table.init elem table */
        TRY(cc_rd_u32(c, &b));
        TRY(cc_rd_u32(c, &a));
        if (a >= m->ntables) return bad(c, ERR_INVAL, "unknown table %u", a);
        if (b >= m->nelems) return bad(c, ERR_INVAL, "unknown elem segment %u", b);
        if (m->tables[a].elem_type != m->elems[b].type)
            return bad(c, ERR_INVAL, "type mismatch: table.init element type");
        {
            uint32_t imm[2] = {a, b};
            return emit_generic(c, OP_table_init, three_i32, 3, 0, imm, 2);
        }
    case 13: /* elem.drop */
        TRY(cc_rd_u32(c, &a));
        if (a >= m->nelems) return bad(c, ERR_INVAL, "unknown elem segment %u", a);
        return emit_generic(c, OP_elem_drop, no_types, 0, 0, &a, 1);
    case 14: /* table.copy dst src */
        TRY(cc_rd_u32(c, &a));
        TRY(cc_rd_u32(c, &b));
        if (a >= m->ntables || b >= m->ntables)
            return bad(c, ERR_INVAL, "unknown table %u", a >= m->ntables ? a : b);
        if (m->tables[a].elem_type != m->tables[b].elem_type)
            return bad(c, ERR_INVAL, "type mismatch: table.copy element types");
        {
            uint32_t imm[2] = {a, b};
            return emit_generic(c, OP_table_copy, three_i32, 3, 0, imm, 2);
        }
    case 15: /* table.grow: [t i32] -> [i32] */
    case 16: /* table.size: [] -> [i32] */
    case 17: /* table.fill: [i32 t i32] -> [] */
        TRY(cc_rd_u32(c, &a));
        if (a >= m->ntables) return bad(c, ERR_INVAL, "unknown table %u", a);
        in[0] = sub == 17 ? WASM_I32 : m->tables[a].elem_type;
        in[1] = sub == 17 ? m->tables[a].elem_type : WASM_I32;
        in[2] = WASM_I32;
        if (sub == 15) return emit_generic(c, OP_table_grow, in, 2, WASM_I32, &a, 1);
        if (sub == 16) return emit_generic(c, OP_table_size, no_types, 0, WASM_I32, &a, 1);
        return emit_generic(c, OP_table_fill, in, 3, 0, &a, 1);
    }
    return bad(c, ERR_BADMSG, "illegal opcode 0xfc %u", sub);
}

/* ---- numeric instructions (spec 3.3.1), table-driven ---- */

struct numop {
    uint16_t op; /* enum wasm_op, or OP_NOP: only the type changes */
    uint8_t in, in2, out;
};

#define I32 WASM_I32
#define I64 WASM_I64
#define F32 WASM_F32
#define F64 WASM_F64
#define U(o, a, r)                                                                                 \
    {                                                                                              \
        OP_##o, a, 0, r                                                                            \
    }
#define B(o, a, r)                                                                                 \
    {                                                                                              \
        OP_##o, a, a, r                                                                            \
    }
#define NOP(a, r)                                                                                  \
    {                                                                                              \
        OP_NOP, a, 0, r                                                                            \
    }

/* Opcodes 0x45 .. 0xc4. */
static const struct numop numops[] = {
    U(i32_eqz, I32, I32),
    B(i32_eq, I32, I32),
    B(i32_ne, I32, I32),
    B(i32_lt_s, I32, I32),
    B(i32_lt_u, I32, I32),
    B(i32_gt_s, I32, I32),
    B(i32_gt_u, I32, I32),
    B(i32_le_s, I32, I32),
    B(i32_le_u, I32, I32),
    B(i32_ge_s, I32, I32),
    B(i32_ge_u, I32, I32),
    U(i64_eqz, I64, I32),
    B(i64_eq, I64, I32),
    B(i64_ne, I64, I32),
    B(i64_lt_s, I64, I32),
    B(i64_lt_u, I64, I32),
    B(i64_gt_s, I64, I32),
    B(i64_gt_u, I64, I32),
    B(i64_le_s, I64, I32),
    B(i64_le_u, I64, I32),
    B(i64_ge_s, I64, I32),
    B(i64_ge_u, I64, I32),
    B(f32_eq, F32, I32),
    B(f32_ne, F32, I32),
    B(f32_lt, F32, I32),
    B(f32_gt, F32, I32),
    B(f32_le, F32, I32),
    B(f32_ge, F32, I32),
    B(f64_eq, F64, I32),
    B(f64_ne, F64, I32),
    B(f64_lt, F64, I32),
    B(f64_gt, F64, I32),
    B(f64_le, F64, I32),
    B(f64_ge, F64, I32),
    U(i32_clz, I32, I32),
    U(i32_ctz, I32, I32),
    U(i32_popcnt, I32, I32),
    B(i32_add, I32, I32),
    B(i32_sub, I32, I32),
    B(i32_mul, I32, I32),
    B(i32_div_s, I32, I32),
    B(i32_div_u, I32, I32),
    B(i32_rem_s, I32, I32),
    B(i32_rem_u, I32, I32),
    B(i32_and, I32, I32),
    B(i32_or, I32, I32),
    B(i32_xor, I32, I32),
    B(i32_shl, I32, I32),
    B(i32_shr_s, I32, I32),
    B(i32_shr_u, I32, I32),
    B(i32_rotl, I32, I32),
    B(i32_rotr, I32, I32),
    U(i64_clz, I64, I64),
    U(i64_ctz, I64, I64),
    U(i64_popcnt, I64, I64),
    B(i64_add, I64, I64),
    B(i64_sub, I64, I64),
    B(i64_mul, I64, I64),
    B(i64_div_s, I64, I64),
    B(i64_div_u, I64, I64),
    B(i64_rem_s, I64, I64),
    B(i64_rem_u, I64, I64),
    B(i64_and, I64, I64),
    B(i64_or, I64, I64),
    B(i64_xor, I64, I64),
    B(i64_shl, I64, I64),
    B(i64_shr_s, I64, I64),
    B(i64_shr_u, I64, I64),
    B(i64_rotl, I64, I64),
    B(i64_rotr, I64, I64),
    U(f32_abs, F32, F32),
    U(f32_neg, F32, F32),
    U(f32_ceil, F32, F32),
    U(f32_floor, F32, F32),
    U(f32_trunc, F32, F32),
    U(f32_nearest, F32, F32),
    U(f32_sqrt, F32, F32),
    B(f32_add, F32, F32),
    B(f32_sub, F32, F32),
    B(f32_mul, F32, F32),
    B(f32_div, F32, F32),
    B(f32_min, F32, F32),
    B(f32_max, F32, F32),
    B(f32_copysign, F32, F32),
    U(f64_abs, F64, F64),
    U(f64_neg, F64, F64),
    U(f64_ceil, F64, F64),
    U(f64_floor, F64, F64),
    U(f64_trunc, F64, F64),
    U(f64_nearest, F64, F64),
    U(f64_sqrt, F64, F64),
    B(f64_add, F64, F64),
    B(f64_sub, F64, F64),
    B(f64_mul, F64, F64),
    B(f64_div, F64, F64),
    B(f64_min, F64, F64),
    B(f64_max, F64, F64),
    B(f64_copysign, F64, F64),
    NOP(I64, I32), /* i32.wrap_i64: the low half of the slot */
    U(i32_trunc_f32_s, F32, I32),
    U(i32_trunc_f32_u, F32, I32),
    U(i32_trunc_f64_s, F64, I32),
    U(i32_trunc_f64_u, F64, I32),
    U(i64_extend_i32_s, I32, I64),
    U(i64_extend_i32_u, I32, I64),
    U(i64_trunc_f32_s, F32, I64),
    U(i64_trunc_f32_u, F32, I64),
    U(i64_trunc_f64_s, F64, I64),
    U(i64_trunc_f64_u, F64, I64),
    U(f32_convert_i32_s, I32, F32),
    U(f32_convert_i32_u, I32, F32),
    U(f32_convert_i64_s, I64, F32),
    U(f32_convert_i64_u, I64, F32),
    U(f32_demote_f64, F64, F32),
    U(f64_convert_i32_s, I32, F64),
    U(f64_convert_i32_u, I32, F64),
    U(f64_convert_i64_s, I64, F64),
    U(f64_convert_i64_u, I64, F64),
    U(f64_promote_f32, F32, F64),
    NOP(F32, I32),
    NOP(F64, I64),
    NOP(I32, F32),
    NOP(I64, F64), /* reinterpretations */
    U(i32_extend8_s, I32, I32),
    U(i32_extend16_s, I32, I32),
    U(i64_extend8_s, I64, I64),
    U(i64_extend16_s, I64, I64),
    U(i64_extend32_s, I64, I64),
};

/* 0xfc 0..7 */
static const struct numop satops[] = {
    U(i32_trunc_sat_f32_s, F32, I32), U(i32_trunc_sat_f32_u, F32, I32),
    U(i32_trunc_sat_f64_s, F64, I32), U(i32_trunc_sat_f64_u, F64, I32),
    U(i64_trunc_sat_f32_s, F32, I64), U(i64_trunc_sat_f32_u, F32, I64),
    U(i64_trunc_sat_f64_s, F64, I64), U(i64_trunc_sat_f64_u, F64, I64),
};

static int numeric(struct cc *c, const struct numop *n)
{
    if (n->op == OP_NOP) {
        struct cval v;
        TRY(cc_pop(c, n->in, &v));
        return cc_push(c, n->out, v.slot);
    }
    uint8_t in[2] = {n->in, n->in2};
    return emit_generic(c, (enum wasm_op)n->op, in, n->in2 ? 2 : 1, n->out, NULL, 0);
}

int cc_op_const(struct cc *c, uint8_t opcode)
{
    uint64_t bits = 0;
    uint8_t type;
    const char *e = NULL;
    if (opcode == 0x41) {
        int32_t v;
        e = leb_s32(&c->p, c->end, &v);
        bits = (uint32_t)v, type = WASM_I32;
    } else if (opcode == 0x42) {
        int64_t v;
        e = leb_s64(&c->p, c->end, &v);
        bits = (uint64_t)v, type = WASM_I64;
    } else {
        uint32_t size = opcode == 0x43 ? 4 : 8;
        if ((size_t)(c->end - c->p) < size) return bad(c, ERR_BADMSG, "unexpected end");
        for (uint32_t i = 0; i < size; i++)
            bits |= (uint64_t)c->p[i] << (8 * i);
        c->p += size;
        type = opcode == 0x43 ? WASM_F32 : WASM_F64;
    }
    if (e) return bad(c, ERR_BADMSG, "%s", e);
    return cc_push(c, type, cc_const_slot(c, bits));
}

int cc_op_select(struct cc *c, bool typed)
{
    struct cval cond, a, b;
    uint8_t t = ANY;
    if (typed) {
        uint32_t n;
        TRY(cc_rd_u32(c, &n));
        if (n != 1) return bad(c, ERR_INVAL, "invalid result arity");
        TRY(cc_rd_byte(c, &t));
        if (!wasm_is_valtype(t)) return bad(c, ERR_BADMSG, "malformed value type");
    }
    TRY(cc_pop(c, WASM_I32, &cond));
    TRY(cc_pop(c, t, &b));
    TRY(cc_pop(c, t, &a));
    if (!typed) {
        if (wasm_is_reftype(a.type) || wasm_is_reftype(b.type))
            return bad(c, ERR_INVAL, "type mismatch: select of references needs a type");
        if (a.type != ANY && b.type != ANY && a.type != b.type)
            return bad(c, ERR_INVAL, "type mismatch: select operands differ");
        t = a.type == ANY ? b.type : a.type;
    }
    uint32_t slot;
    TRY(cc_push_home(c, t, &slot));
    enum wasm_op op = c->wide ? OP_select_w : OP_select;
    uint32_t pos = cc_emit_op(c, op);
    cc_emit_slot(c, slot);
    cc_emit_slot(c, a.slot);
    cc_emit_slot(c, b.slot);
    cc_emit_slot(c, cond.slot);
    cc_note_result(c, pos, op);
    return 0;
}

int cc_op_ref(struct cc *c, uint8_t opcode)
{
    struct cval v;
    uint32_t slot, x;
    uint8_t t;
    switch (opcode) {
    case 0xd0: /* ref.null t */
        TRY(cc_rd_byte(c, &t));
        if (!wasm_is_reftype(t)) return bad(c, ERR_BADMSG, "malformed reference type");
        return cc_push(c, t, cc_const_slot(c, 0));
    case 0xd1: /* ref.is_null */
        TRY(cc_pop(c, ANY, &v));
        if (v.type != ANY && !wasm_is_reftype(v.type))
            return bad(c, ERR_INVAL, "type mismatch: ref.is_null of %s", wasm_valtype_name(v.type));
        TRY(cc_push_home(c, WASM_I32, &slot));
        cc_emit_op(c, OP_ref_is_null);
        cc_emit_slot(c, slot);
        cc_emit_slot(c, v.slot);
        return 0;
    default: /* 0xd2 ref.func x */
        TRY(cc_rd_u32(c, &x));
        if (x >= c->m->nfuncs) return bad(c, ERR_INVAL, "unknown function %u", x);
        if (!(c->m->func_refs[x / 8] & (1u << (x % 8))))
            return bad(c, ERR_INVAL, "undeclared function reference %u", x);
        TRY(cc_push_home(c, WASM_FUNCREF, &slot));
        cc_emit_op(c, OP_ref_func);
        cc_emit_slot(c, slot);
        cc_emit_imm(c, x);
        return 0;
    }
}

int cc_op_table(struct cc *c, uint8_t opcode)
{
    uint32_t t;
    TRY(cc_rd_u32(c, &t));
    if (t >= c->m->ntables) return bad(c, ERR_INVAL, "unknown table %u", t);
    uint8_t et = c->m->tables[t].elem_type;
    if (opcode == 0x25) { /* table.get */
        uint8_t in = WASM_I32;
        return emit_generic(c, OP_table_get, &in, 1, et, &t, 1);
    }
    uint8_t in[2] = {WASM_I32, et};
    return emit_generic(c, OP_table_set, in, 2, 0, &t, 1);
}

int cc_op_prefixed(struct cc *c)
{
    uint32_t sub;
    TRY(cc_rd_u32(c, &sub));
    if (sub < 8) return numeric(c, &satops[sub]);
    return cc_op_bulk(c, sub);
}

int cc_op_numeric(struct cc *c, uint8_t opcode)
{
    return numeric(c, &numops[opcode - 0x45]);
}
