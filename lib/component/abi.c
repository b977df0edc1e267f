/*
 * lib/component/abi.c - the canonical ABI's lifting and lowering of every
 * WIT value kind (CanonicalABI.md "Loading", "Storing", "Flat Lowering",
 * "Flat Lifting") between host values (struct comp_val) and a component
 * instance's flat core values and linear memory (strings: abi_string.c; a
 * call of a lifted export: abi_call.c; the arena, traps and checked memory
 * access both use: abi_mem.c). Every
 * pointer and length is checked against the memory and the alignment the
 * specification asks for; bad data (a discriminant out of range, a char
 * that is no Unicode scalar value, malformed UTF-8 or UTF-16) traps with
 * a message saying what was wrong. Strings and values of the host are
 * UTF-8.
 */
#include "component/abi.h"
#include "component/abi_internal.h"
#include "component/internal.h"
#include "component/resource.h"
#include "base/env.h"
#include "base/mem.h"

#define I32       0x7f
#define I64       0x7e
#define F32       0x7d
#define F64       0x7c
#define MAX_DEPTH 100

/* ---- types --------------------------------------------------------------- */

/* A value type's kind (COMP_T_PRIM with its code for primitives). */
struct tinfo {
    uint8_t kind, prim;
    const struct comp_type *t;
};

static struct tinfo info(const struct comp *c, uint32_t vt)
{
    struct tinfo i = {COMP_T_PRIM, 0, NULL};
    if (COMP_IS_PRIM(vt)) {
        i.prim = COMP_PRIM_CODE(vt);
    } else {
        i.t = comp_type_get(c, vt);
        i.kind = i.t->kind;
        i.prim = i.t->prim;
    }
    return i;
}

static unsigned prim_size(uint8_t code)
{
    switch (code) {
    case 0x7f:
    case 0x7e:
    case 0x7d: return 1;
    case 0x7c:
    case 0x7b: return 2;
    case 0x78:
    case 0x77:
    case 0x75: return 8;
    case COMP_PRIM_STRING: return 8;
    default: return 4;
    }
}

uint32_t comp_abi_size(const struct comp *c, uint32_t type)
{
    if (type == COMP_NONE) return 0;
    if (COMP_IS_PRIM(type)) return prim_size(COMP_PRIM_CODE(type));
    return comp_type_get(c, type)->size[0];
}

uint32_t comp_abi_align(const struct comp *c, uint32_t type)
{
    if (type == COMP_NONE) return 1;
    if (COMP_IS_PRIM(type)) {
        uint8_t code = COMP_PRIM_CODE(type);
        return code == COMP_PRIM_STRING ? 4 : prim_size(code);
    }
    return comp_type_get(c, type)->align[0];
}

/* The flattening of a value type: n core types in f (COMP_FLAT_OVER). */
uint8_t abi_flat_of(const struct comp *c, uint32_t vt, const uint8_t **f)
{
    static const uint8_t i32s[2] = {I32, I32}, i64 = I64, f32 = F32, f64 = F64;
    if (vt == COMP_NONE) return 0;
    if (!COMP_IS_PRIM(vt)) {
        *f = comp_type_get(c, vt)->flat;
        return comp_type_get(c, vt)->flat_n;
    }
    switch (COMP_PRIM_CODE(vt)) {
    case 0x78:
    case 0x77: *f = &i64; return 1;
    case 0x76: *f = &f32; return 1;
    case 0x75: *f = &f64; return 1;
    case COMP_PRIM_STRING: *f = i32s; return 2;
    default: *f = i32s; return 1;
    }
}

uint32_t abi_align_to(uint32_t n, uint32_t a)
{
    return (n + a - 1) / a * a;
}

static uint32_t ncases(const struct tinfo *i)
{
    return i->kind == COMP_T_VARIANT || i->kind == COMP_T_ENUM ? i->t->nfields : 2;
}

/* The payload type of case k of a variant, option or result (COMP_NONE). */
static uint32_t case_type(const struct tinfo *i, uint32_t k)
{
    switch (i->kind) {
    case COMP_T_VARIANT: return i->t->fields[k].type;
    case COMP_T_OPTION: return k ? i->t->elem : COMP_NONE;
    case COMP_T_RESULT: return k ? i->t->elem2 : i->t->elem;
    default: return COMP_NONE;
    }
}

static unsigned disc_size(uint32_t n)
{
    return n <= 256 ? 1 : n <= 65536 ? 2 : 4;
}

/* Where the payload of a variant, option or result starts. */
static uint32_t payload_offset(const struct comp *c, const struct tinfo *i)
{
    uint32_t a = 1;
    for (uint32_t k = 0; k < ncases(i); k++) {
        uint32_t ka = comp_abi_align(c, case_type(i, k));
        a = ka > a ? ka : a;
    }
    return abi_align_to(disc_size(ncases(i)), a);
}

static uint32_t canon_f32(uint32_t bits)
{
    return (bits & 0x7fffffffu) > 0x7f800000u ? 0x7fc00000u : bits;
}

static uint64_t canon_f64(uint64_t bits)
{
    return (bits & 0x7fffffffffffffffull) > 0x7ff0000000000000ull ? 0x7ff8000000000000ull : bits;
}

static struct comp_val *new_vals(struct comp_cx *cx, uint64_t n)
{
    if (n > COMP_ARENA_LIMIT / sizeof(struct comp_val)) return NULL;
    return comp_arena_alloc(cx->arena, (size_t)n * sizeof(struct comp_val) + 1);
}

static int enter(struct comp_cx *cx)
{
    if (++cx->depth > MAX_DEPTH) return abi_trap(cx, "values nested over %d levels", MAX_DEPTH);
    return 0;
}

/* ---- handles ------------------------------------------------------------- */

/* A handle of the host (its table cx->caller) passed into the component
 * (cx->callee): an own one moves (lift_own, then a new own handle); a
 * borrow is lent for the call, and arrives as the rep when the component
 * implements the resource (CanonicalABI.md lower_borrow). Without tables,
 * the number passes as it is. */
/* The resource type of handle type i, where it is defined (the types of
 * handle tables), and whether cx->inst defines it. */
static int resource_type(struct comp_cx *cx, const struct tinfo *i, uint32_t *rt, bool *implements)
{
    struct comp_instance *impl = NULL;
    *rt = i->t->elem;
    if (!cx->inst) {
        *implements = comp_type_get(cx->c, *rt)->owner == cx->c->root;
        return 0;
    }
    if (comp_instance_resource(cx->inst, i->t->elem, &impl, rt))
        return abi_trap(cx, "resource type %u cannot be followed: %s", i->t->elem,
                        comp_instance_error(cx->inst) ? comp_instance_error(cx->inst)->msg : "");
    *implements = impl == cx->inst;
    return 0;
}

static int lower_handle(struct comp_cx *cx, const struct tinfo *i, uint64_t host, uint32_t *out)
{
    uint32_t rt = 0, rep = 0;
    bool implements = false;
    if (!cx->callee) {
        *out = (uint32_t)host;
        return 0;
    }
    if (host > UINT32_MAX)
        return abi_trap(cx, "handle %llu is out of range", (unsigned long long)host);
    TRY(resource_type(cx, i, &rt, &implements));
    if (i->kind == COMP_T_OWN) {
        TRY(comp_handle_lift_own(cx->caller, rt, (uint32_t)host, &rep, cx->trap));
        return comp_handle_add(cx->callee, rt, rep, true, NULL, out, cx->trap);
    }
    TRY(comp_handle_lift_borrow(cx->caller, rt, (uint32_t)host, cx->scope, &rep, cx->trap));
    return comp_handle_lower_borrow(cx->callee, rt, rep, implements, cx->scope, out, cx->trap);
}

/* A handle the component passes out (a result, or an argument of a call it
 * makes): an own one moves into the host's table; a borrow is lent for the
 * call (an own handle counts the lend until the scope ends: lift_borrow)
 * and stands in the host's table as a borrow of the scope. */
static int lift_handle(struct comp_cx *cx, const struct tinfo *i, uint32_t idx, uint64_t *host)
{
    uint32_t rt = 0, rep = 0, h = 0;
    bool implements = false;
    if (!cx->callee) {
        *host = idx;
        return 0;
    }
    TRY(resource_type(cx, i, &rt, &implements));
    if (i->kind == COMP_T_BORROW) {
        TRY(comp_handle_lift_borrow(cx->callee, rt, idx, cx->scope, &rep, cx->trap));
        TRY(comp_handle_add(cx->caller, rt, rep, false, NULL, &h, cx->trap));
    } else {
        TRY(comp_handle_lift_own(cx->callee, rt, idx, &rep, cx->trap));
        TRY(comp_handle_add(cx->caller, rt, rep, true, NULL, &h, cx->trap));
    }
    *host = h;
    return 0;
}

/* ---- load ------------------------------------------------------------------ */

static int load_list(struct comp_cx *cx, uint32_t elem, uint32_t ptr, uint32_t len,
                     struct comp_val *out)
{
    uint32_t size = comp_abi_size(cx->c, elem), align = comp_abi_align(cx->c, elem);
    TRY(abi_check_range(cx, "list", ptr, (uint64_t)len * size, align));
    out->n = len;
    out->items = new_vals(cx, len);
    if (!out->items) return abi_trap(cx, "a list of %u elements is too large for the host", len);
    for (uint32_t i = 0; i < len; i++)
        TRY(comp_abi_load(cx, elem, ptr + i * size, &out->items[i]));
    return 0;
}

static int load_fields(struct comp_cx *cx, const struct comp_type *t, uint32_t ptr,
                       struct comp_val *out)
{
    out->n = t->nfields;
    out->items = new_vals(cx, t->nfields);
    if (!out->items) return abi_trap(cx, "out of host memory");
    uint32_t off = 0;
    for (uint32_t i = 0; i < t->nfields; i++) {
        uint32_t ft = t->fields[i].type;
        off = abi_align_to(off, comp_abi_align(cx->c, ft));
        TRY(comp_abi_load(cx, ft, ptr + off, &out->items[i]));
        off += comp_abi_size(cx->c, ft);
    }
    return 0;
}

/* CanonicalABI.md: a case index out of range traps. */
static int check_case(struct comp_cx *cx, const struct tinfo *i, uint32_t k)
{
    if (k < ncases(i)) return 0;
    return abi_trap(cx, "%s case %u is out of range (%u cases)", comp_type_kind_name(i->kind), k,
                    ncases(i));
}

static int load_case(struct comp_cx *cx, const struct tinfo *i, uint32_t ptr, struct comp_val *out)
{
    unsigned ds = disc_size(ncases(i));
    uint32_t k = (uint32_t)abi_get_le(abi_mem_at(cx, ptr, ds), ds);
    TRY(check_case(cx, i, k));
    out->n = k;
    uint32_t pt = case_type(i, k);
    if (pt == COMP_NONE) return 0;
    if (!(out->items = new_vals(cx, 1))) return abi_trap(cx, "out of host memory");
    return comp_abi_load(cx, pt, ptr + payload_offset(cx->c, i), out->items);
}

static int load_prim(struct comp_cx *cx, uint8_t code, const uint8_t *p, struct comp_val *out)
{
    uint64_t u = abi_get_le(p, code == COMP_PRIM_STRING ? 4 : prim_size(code));
    switch (code) {
    case 0x7f: out->v.u = u != 0; return 0;
    case 0x7e: out->v.s = (int8_t)u; return 0;
    case 0x7c: out->v.s = (int16_t)u; return 0;
    case 0x7a: out->v.s = (int32_t)u; return 0;
    case 0x78: out->v.s = (int64_t)u; return 0;
    case 0x76: out->v.u = canon_f32((uint32_t)u); return 0; /* f32 bits in the low half */
    case 0x75: out->v.u = canon_f64(u); return 0;
    case 0x74:
        if (!abi_is_scalar(u))
            return abi_trap(cx, "char 0x%llx is not a Unicode scalar value", (unsigned long long)u);
        out->v.u = u;
        return 0;
    case COMP_PRIM_STRING:
        return abi_load_string(cx, (uint32_t)u, (uint32_t)abi_get_le(p + 4, 4), out);
    default: out->v.u = u; return 0;
    }
}

int comp_abi_load(struct comp_cx *cx, uint32_t type, uint32_t ptr, struct comp_val *out)
{
    struct tinfo i = info(cx->c, type);
    memset(out, 0, sizeof *out);
    out->type = type;
    TRY(abi_check_range(cx, "value", ptr, comp_abi_size(cx->c, type), comp_abi_align(cx->c, type)));
    TRY(enter(cx));
    const uint8_t *p = abi_mem_at(cx, ptr, comp_abi_size(cx->c, type));
    int rc = 0;
    switch (i.kind) {
    case COMP_T_PRIM: rc = load_prim(cx, i.prim, p, out); break;
    case COMP_T_LIST:
        rc = load_list(cx, i.t->elem, (uint32_t)abi_get_le(p, 4), (uint32_t)abi_get_le(p + 4, 4),
                       out);
        break;
    case COMP_T_RECORD:
    case COMP_T_TUPLE: rc = load_fields(cx, i.t, ptr, out); break;
    case COMP_T_VARIANT:
    case COMP_T_ENUM:
    case COMP_T_OPTION:
    case COMP_T_RESULT: rc = load_case(cx, &i, ptr, out); break;
    case COMP_T_FLAGS: {
        uint32_t size = i.t->size[0];
        uint64_t bits = abi_get_le(p, size);
        out->v.u = i.t->nfields < 64 ? bits & ((1ull << i.t->nfields) - 1) : bits;
        break;
    }
    default: rc = lift_handle(cx, &i, (uint32_t)abi_get_le(p, 4), &out->v.u); break;
    }
    cx->depth--;
    return rc;
}

/* ---- store ----------------------------------------------------------------- */

static int store_list(struct comp_cx *cx, const struct comp_val *v, uint32_t elem, uint32_t *ptr)
{
    uint32_t size = comp_abi_size(cx->c, elem), align = comp_abi_align(cx->c, elem);
    if ((uint64_t)v->n * size > UINT32_MAX) return abi_trap(cx, "list too long for memory");
    TRY(abi_alloc(cx, align, v->n * size, ptr));
    for (uint32_t i = 0; i < v->n; i++)
        TRY(comp_abi_store(cx, &v->items[i], *ptr + i * size));
    return 0;
}

static int store_prim(struct comp_cx *cx, uint8_t code, const struct comp_val *v, uint32_t ptr)
{
    uint64_t u = v->v.u;
    uint32_t a = 0, b = 0;
    switch (code) {
    case 0x7f: u = u != 0; break;
    case 0x76: u = canon_f32((uint32_t)u); break;
    case 0x75: u = canon_f64(u); break;
    case 0x74:
        if (!abi_is_scalar(u))
            return abi_trap(cx, "char 0x%llx is not a Unicode scalar value", (unsigned long long)u);
        break;
    case COMP_PRIM_STRING:
        TRY(abi_store_string(cx, v, &a, &b));
        abi_put_le(abi_mem_at(cx, ptr, 8), a, 4);
        abi_put_le(abi_mem_at(cx, ptr, 8) + 4, b, 4);
        return 0;
    default: break;
    }
    abi_put_le(abi_mem_at(cx, ptr, prim_size(code)), u, prim_size(code));
    return 0;
}

int comp_abi_store(struct comp_cx *cx, const struct comp_val *v, uint32_t ptr)
{
    struct tinfo i = info(cx->c, v->type);
    uint32_t size = comp_abi_size(cx->c, v->type);
    TRY(abi_check_range(cx, "value", ptr, size, comp_abi_align(cx->c, v->type)));
    TRY(enter(cx));
    int rc = 0;
    uint32_t a = 0;
    switch (i.kind) {
    case COMP_T_PRIM: rc = store_prim(cx, i.prim, v, ptr); break;
    case COMP_T_LIST:
        rc = store_list(cx, v, i.t->elem, &a);
        if (!rc) {
            abi_put_le(abi_mem_at(cx, ptr, 8), a, 4); /* memory may have grown: look again */
            abi_put_le(abi_mem_at(cx, ptr, 8) + 4, v->n, 4);
        }
        break;
    case COMP_T_RECORD:
    case COMP_T_TUPLE:
        for (uint32_t k = 0, off = 0; k < i.t->nfields && !rc; k++) {
            uint32_t ft = i.t->fields[k].type;
            off = abi_align_to(off, comp_abi_align(cx->c, ft));
            rc = comp_abi_store(cx, &v->items[k], ptr + off);
            off += comp_abi_size(cx->c, ft);
        }
        break;
    case COMP_T_VARIANT:
    case COMP_T_ENUM:
    case COMP_T_OPTION:
    case COMP_T_RESULT:
        if (v->n >= ncases(&i)) {
            rc = abi_trap(cx, "host value has case %u of %u", v->n, ncases(&i));
            break;
        }
        abi_put_le(abi_mem_at(cx, ptr, size), v->n, disc_size(ncases(&i)));
        if (case_type(&i, v->n) != COMP_NONE)
            rc = comp_abi_store(cx, v->items, ptr + payload_offset(cx->c, &i));
        break;
    case COMP_T_FLAGS: abi_put_le(abi_mem_at(cx, ptr, size), v->v.u, size); break;
    default: /* own, borrow */
        rc = lower_handle(cx, &i, v->v.u, &a);
        if (!rc) abi_put_le(abi_mem_at(cx, ptr, 4), a, 4);
        break;
    }
    cx->depth--;
    return rc;
}

/* ---- flat ------------------------------------------------------------------ */

/* A flat value of core type `have` as the joined type `want` (lower) or
 * back (lift), CanonicalABI.md lower_flat_variant / lift_flat_variant. */
static wasm_value coerce(uint8_t have, uint8_t want, wasm_value v)
{
    wasm_value r = {0};
    if (have == want) return v;
    if (want == I64)
        r.u64 = have == F64 ? v.u64 : v.u32; /* i32 and f32 bits, zero-extended */
    else
        r.u32 = v.u32; /* f32 bits in an i32 */
    return r;
}

static wasm_value uncoerce(uint8_t want, uint8_t have, wasm_value v)
{
    wasm_value r = {0};
    if (have == want) return v;
    if (have == I64 && want != F64)
        r.u32 = (uint32_t)v.u64; /* wrap, then i32 or f32 bits */
    else if (have == I64)
        r.u64 = v.u64;
    else
        r.u32 = v.u32;
    return r;
}

static int lower_case(struct comp_cx *cx, const struct tinfo *i, const struct comp_val *v,
                      wasm_value *out, uint32_t *n)
{
    const struct comp_type *t = i->t;
    if (v->n >= ncases(i)) return abi_trap(cx, "host value has case %u of %u", v->n, ncases(i));
    out[(*n)++].u64 = v->n;
    uint32_t start = *n, pt = case_type(i, v->n);
    const uint8_t *pf = NULL;
    uint8_t pn = abi_flat_of(cx->c, pt, &pf);
    if (pt != COMP_NONE) TRY(comp_abi_lower_flat(cx, v->items, out, n));
    for (uint32_t k = 0; k + 1 < t->flat_n; k++) {
        if (k < pn)
            out[start + k] = coerce(pf[k], t->flat[k + 1], out[start + k]);
        else
            out[start + k].u64 = 0;
    }
    *n = start + t->flat_n - 1;
    return 0;
}

int comp_abi_lower_flat(struct comp_cx *cx, const struct comp_val *v, wasm_value *out, uint32_t *n)
{
    struct tinfo i = info(cx->c, v->type);
    uint32_t a = 0, b = 0;
    TRY(enter(cx));
    int rc = 0;
    switch (i.kind) {
    case COMP_T_PRIM:
        out[*n].u64 = 0;
        switch (i.prim) {
        case 0x7f: out[(*n)++].u32 = v->v.u != 0; break;
        case 0x78:
        case 0x77: out[(*n)++].u64 = v->v.u; break;
        case 0x76: out[(*n)++].u32 = canon_f32((uint32_t)v->v.u); break;
        case 0x75: out[(*n)++].u64 = canon_f64(v->v.u); break;
        case 0x74:
            if (!abi_is_scalar(v->v.u))
                rc = abi_trap(cx, "char 0x%llx is not a Unicode scalar value",
                              (unsigned long long)v->v.u);
            out[(*n)++].u32 = (uint32_t)v->v.u;
            break;
        case COMP_PRIM_STRING:
            rc = abi_store_string(cx, v, &a, &b);
            out[(*n)++].u64 = a;
            out[(*n)++].u64 = b;
            break;
        default: out[(*n)++].u32 = (uint32_t)v->v.u; break; /* s8..u32 (sign-extended) */
        }
        break;
    case COMP_T_LIST:
        rc = store_list(cx, v, i.t->elem, &a);
        out[(*n)++].u64 = a;
        out[(*n)++].u64 = v->n;
        break;
    case COMP_T_RECORD:
    case COMP_T_TUPLE:
        for (uint32_t k = 0; k < i.t->nfields && !rc; k++)
            rc = comp_abi_lower_flat(cx, &v->items[k], out, n);
        break;
    case COMP_T_VARIANT:
    case COMP_T_ENUM:
    case COMP_T_OPTION:
    case COMP_T_RESULT: rc = lower_case(cx, &i, v, out, n); break;
    case COMP_T_FLAGS: out[(*n)++].u64 = (uint32_t)v->v.u; break;
    default: /* own, borrow */
        rc = lower_handle(cx, &i, v->v.u, &a);
        out[(*n)++].u64 = a;
        break;
    }
    cx->depth--;
    return rc;
}

static int lift_case(struct comp_cx *cx, const struct tinfo *i, const wasm_value *in, uint32_t *n,
                     struct comp_val *out)
{
    const struct comp_type *t = i->t;
    uint32_t k = in[(*n)++].u32, start = *n;
    TRY(check_case(cx, i, k));
    out->n = k;
    uint32_t pt = case_type(i, k);
    *n = start + t->flat_n - 1;
    if (pt == COMP_NONE) return 0;
    const uint8_t *pf = NULL;
    uint8_t pn = abi_flat_of(cx->c, pt, &pf);
    wasm_value tmp[COMP_MAX_FLAT];
    for (uint8_t m = 0; m < pn; m++)
        tmp[m] = uncoerce(pf[m], t->flat[m + 1], in[start + m]);
    if (!(out->items = new_vals(cx, 1))) return abi_trap(cx, "out of host memory");
    uint32_t used = 0;
    return comp_abi_lift_flat(cx, pt, tmp, &used, out->items);
}

static void lift_int(uint8_t code, wasm_value w, struct comp_val *out)
{
    switch (code) {
    case 0x7f: out->v.u = w.u32 != 0; break;
    case 0x7e: out->v.s = (int8_t)w.u32; break;
    case 0x7d: out->v.u = (uint8_t)w.u32; break;
    case 0x7c: out->v.s = (int16_t)w.u32; break;
    case 0x7b: out->v.u = (uint16_t)w.u32; break;
    case 0x7a: out->v.s = w.i32; break;
    case 0x78: out->v.s = w.i64; break;
    case 0x77: out->v.u = w.u64; break;
    default: out->v.u = w.u32; break;
    }
}

int comp_abi_lift_flat(struct comp_cx *cx, uint32_t type, const wasm_value *in, uint32_t *n,
                       struct comp_val *out)
{
    struct tinfo i = info(cx->c, type);
    memset(out, 0, sizeof *out);
    out->type = type;
    TRY(enter(cx));
    int rc = 0;
    switch (i.kind) {
    case COMP_T_PRIM:
        if (i.prim == COMP_PRIM_STRING) {
            rc = abi_load_string(cx, in[*n].u32, in[*n + 1].u32, out);
            *n += 2;
        } else if (i.prim == 0x76) {
            out->v.u = canon_f32(in[(*n)++].u32);
        } else if (i.prim == 0x75) {
            out->v.u = canon_f64(in[(*n)++].u64);
        } else if (i.prim == 0x74) {
            out->v.u = in[(*n)++].u32;
            if (!abi_is_scalar(out->v.u))
                rc = abi_trap(cx, "char 0x%llx is not a Unicode scalar value",
                              (unsigned long long)out->v.u);
        } else {
            lift_int(i.prim, in[(*n)++], out);
        }
        break;
    case COMP_T_LIST:
        rc = load_list(cx, i.t->elem, in[*n].u32, in[*n + 1].u32, out);
        *n += 2;
        break;
    case COMP_T_RECORD:
    case COMP_T_TUPLE:
        out->n = i.t->nfields;
        if (!(out->items = new_vals(cx, i.t->nfields))) {
            rc = abi_trap(cx, "out of host memory");
            break;
        }
        for (uint32_t k = 0; k < i.t->nfields && !rc; k++)
            rc = comp_abi_lift_flat(cx, i.t->fields[k].type, in, n, &out->items[k]);
        break;
    case COMP_T_VARIANT:
    case COMP_T_ENUM:
    case COMP_T_OPTION:
    case COMP_T_RESULT: rc = lift_case(cx, &i, in, n, out); break;
    case COMP_T_FLAGS: out->v.u = in[(*n)++].u32 & (uint32_t)((1ull << i.t->nfields) - 1); break;
    default: rc = lift_handle(cx, &i, in[(*n)++].u32, &out->v.u); break; /* own, borrow */
    }
    cx->depth--;
    return rc;
}
