/*
 * lib/component/flatten.c - the canonical ABI's flattening of value and
 * function types into core types (CanonicalABI.md "Flattening",
 * flatten_functype), and the core function types the canon built-ins must
 * have. Value types are flattened once, when they are defined (they only
 * refer to earlier types), and at most COMP_MAX_FLAT core types are kept,
 * so hostile nestings cannot make this expensive. The same goes for their
 * size and alignment in memory (CanonicalABI.md "Element Size"), which
 * must stay below 2^28 bytes (Binary.md "Type Definitions").
 */
#include "component/internal.h"
#include "base/fmt.h"
#include "base/mem.h"

#define I32 0x7f
#define I64 0x7e
#define F32 0x7d
#define F64 0x7c

struct flat {
    uint8_t n; /* COMP_FLAT_OVER: too many */
    uint8_t t[COMP_MAX_FLAT];
};

static void push(struct flat *f, uint8_t t)
{
    if (f->n >= COMP_MAX_FLAT)
        f->n = COMP_FLAT_OVER;
    else
        f->t[f->n++] = t;
}

static void append(struct flat *f, const struct flat *g)
{
    if (g->n == COMP_FLAT_OVER) f->n = COMP_FLAT_OVER;
    for (uint8_t i = 0; i < g->n && g->n != COMP_FLAT_OVER && f->n != COMP_FLAT_OVER; i++)
        push(f, g->t[i]);
}

static void of_valtype(const struct comp *c, uint32_t vt, struct flat *f, bool *has_list)
{
    f->n = 0;
    if (vt == COMP_NONE) return;
    if (!COMP_IS_PRIM(vt)) {
        const struct comp_type *t = &c->types[vt];
        f->n = t->flat_n;
        memcpy(f->t, t->flat, t->flat_n == COMP_FLAT_OVER ? 0 : t->flat_n);
        if (has_list && t->has_list) *has_list = true;
        return;
    }
    switch (COMP_PRIM_CODE(vt)) {
    case 0x78:
    case 0x77: push(f, I64); break; /* s64 u64 */
    case 0x76: push(f, F32); break;
    case 0x75: push(f, F64); break;
    case COMP_PRIM_STRING:
        push(f, I32), push(f, I32);
        if (has_list) *has_list = true;
        break;
    default: push(f, I32); break; /* bool, s8..u32, char */
    }
}

/* join (CanonicalABI.md flatten_variant). */
static uint8_t join(uint8_t a, uint8_t b)
{
    if (a == b) return a;
    if ((a == I32 && b == F32) || (a == F32 && b == I32)) return I32;
    return I64;
}

static void variant(const struct comp *c, const uint32_t *cases, uint32_t n, size_t stride,
                    struct comp_type *t, struct flat *f)
{
    struct flat joined = {0};
    for (uint32_t i = 0; i < n && joined.n != COMP_FLAT_OVER; i++) {
        struct flat g;
        of_valtype(c, *(const uint32_t *)((const uint8_t *)cases + i * stride), &g, &t->has_list);
        if (g.n == COMP_FLAT_OVER) {
            joined.n = COMP_FLAT_OVER;
            break;
        }
        for (uint8_t k = 0; k < g.n; k++) {
            if (k < joined.n)
                joined.t[k] = join(joined.t[k], g.t[k]);
            else
                push(&joined, g.t[k]);
        }
    }
    push(f, I32); /* the discriminant */
    append(f, &joined);
}

void comp_type_flatten(const struct comp *c, struct comp_type *t)
{
    struct flat f = {0}, g;
    switch (t->kind) {
    case COMP_T_PRIM: of_valtype(c, COMP_PRIM(t->prim), &f, &t->has_list); break;
    case COMP_T_RECORD:
    case COMP_T_TUPLE:
        for (uint32_t i = 0; i < t->nfields && f.n != COMP_FLAT_OVER; i++) {
            of_valtype(c, t->fields[i].type, &g, &t->has_list);
            append(&f, &g);
        }
        break;
    case COMP_T_VARIANT:
        variant(c, &t->fields[0].type, t->nfields, sizeof t->fields[0], t, &f);
        break;
    case COMP_T_OPTION: {
        uint32_t cases[2] = {COMP_NONE, t->elem};
        variant(c, cases, 2, sizeof cases[0], t, &f);
        break;
    }
    case COMP_T_RESULT: {
        uint32_t cases[2] = {t->elem, t->elem2};
        variant(c, cases, 2, sizeof cases[0], t, &f);
        break;
    }
    case COMP_T_LIST:
        push(&f, I32), push(&f, I32);
        t->has_list = true;
        break;
    case COMP_T_FLAGS: /* at most 32 labels */
    case COMP_T_ENUM:
    case COMP_T_OWN:
    case COMP_T_BORROW: push(&f, I32); break;
    default: return;
    }
    t->flat_n = f.n;
    memcpy(t->flat, f.t, f.n == COMP_FLAT_OVER ? 0 : f.n);
}

static int new_core_func(struct rd *r, const uint8_t *params, uint32_t np, const uint8_t *results,
                         uint32_t nr, uint32_t *id)
{
    uint8_t *b = comp_alloc(r->l, (size_t)np + nr + 1);
    if (!b) return comp_fail(r, ERR_NOMEM, "out of memory");
    memcpy(b, params, np);
    memcpy(b + np, results, nr);
    struct comp_type t = {.kind = COMP_T_CORE_FUNC,
                          .elem = COMP_NONE,
                          .elem2 = COMP_NONE,
                          .core_params = b,
                          .core_nparams = np,
                          .core_results = b + np,
                          .core_nresults = nr};
    return comp_type_new(r, &t, id);
}

int comp_flatten_functype(struct rd *r, uint32_t ft, bool lift, struct comp_flat_info *info,
                          uint32_t *core_type)
{
    const struct comp *c = r->l->c;
    const struct comp_type *t = &c->types[ft];
    struct flat params = {0}, results = {0}, g;
    memset(info, 0, sizeof *info);
    for (uint32_t i = 0; i < t->nfields; i++) {
        of_valtype(c, t->fields[i].type, &g, &info->params_have_list);
        append(&params, &g);
    }
    of_valtype(c, t->elem, &results, &info->result_has_list);
    info->params_spill = params.n > COMP_MAX_FLAT;
    info->result_spill = results.n > COMP_MAX_FLAT_RES;
    if (info->params_spill) params.n = 0, push(&params, I32);
    if (info->result_spill) {
        if (lift) {
            results.n = 0, push(&results, I32);
        } else {
            push(&params, I32);
            results.n = 0;
        }
    }
    return new_core_func(r, params.t, params.n, results.t, results.n, core_type);
}

int comp_core_functype(struct rd *r, const char *params, const char *results, uint32_t *id)
{
    return new_core_func(r, (const uint8_t *)params, (uint32_t)strlen(params),
                         (const uint8_t *)results, (uint32_t)strlen(results), id);
}

bool comp_core_func_equal(const struct comp_type *a, const struct comp_type *b)
{
    return a->core_nparams == b->core_nparams && a->core_nresults == b->core_nresults &&
           !memcmp(a->core_params, b->core_params, a->core_nparams) &&
           !memcmp(a->core_results, b->core_results, a->core_nresults);
}

static size_t put_types(char *buf, size_t size, const uint8_t *t, uint32_t n)
{
    static const char *const names[] = {"i32", "i64", "f32", "f64", "v128"};
    size_t len = fmt_snprintf(buf, size, "[");
    for (uint32_t i = 0; i < n && len < size; i++) {
        uint8_t b = t[i];
        const char *s = b >= 0x7b && b <= 0x7f ? names[0x7f - b]
                        : b == 0x70            ? "funcref"
                                               : "externref";
        len += fmt_snprintf(buf + len, size - len, "%s%s", i ? " " : "", s);
    }
    if (len < size) len += fmt_snprintf(buf + len, size - len, "]");
    return len;
}

const char *comp_core_func_str(const struct comp_type *t, char *buf, size_t size)
{
    size_t n = put_types(buf, size, t->core_params, t->core_nparams);
    if (n + 4 < size) {
        n += fmt_snprintf(buf + n, size - n, " -> ");
        put_types(buf + n, size - n, t->core_results, t->core_nresults);
    }
    return buf;
}

/* ---- element size and alignment --------------------------------------- */

#define MAX_ELEM_SIZE (1u << 28)

static void prim_layout(uint8_t code, unsigned ptr, uint64_t *size, uint8_t *align)
{
    switch (code) {
    case 0x7f:
    case 0x7e:
    case 0x7d: *size = *align = 1; break; /* bool s8 u8 */
    case 0x7c:
    case 0x7b: *size = *align = 2; break;
    case 0x78:
    case 0x77:
    case 0x75: *size = *align = 8; break; /* s64 u64 f64 */
    case COMP_PRIM_STRING:
        *align = ptr ? 8 : 4;
        *size = 2u * *align;
        break;
    default: *size = *align = 4; break; /* s32 u32 f32 char */
    }
}

static void layout_of(const struct comp *c, uint32_t vt, unsigned ptr, uint64_t *size,
                      uint8_t *align)
{
    if (vt == COMP_NONE) {
        *size = 0, *align = 1;
    } else if (COMP_IS_PRIM(vt)) {
        prim_layout(COMP_PRIM_CODE(vt), ptr, size, align);
    } else {
        *size = c->types[vt].size[ptr];
        *align = c->types[vt].align[ptr];
    }
}

static uint64_t align_to(uint64_t n, uint8_t a)
{
    return (n + a - 1) / a * a;
}

static uint8_t discriminant_size(uint64_t ncases)
{
    return ncases <= 256 ? 1 : ncases <= 65536 ? 2 : 4;
}

static void variant_layout(const struct comp *c, const uint32_t *cases, uint32_t n, size_t stride,
                           unsigned ptr, uint64_t *size, uint8_t *align)
{
    uint8_t ds = discriminant_size(n), ca = 1, a;
    uint64_t cs = 0, sz;
    for (uint32_t i = 0; i < n; i++) {
        layout_of(c, *(const uint32_t *)((const uint8_t *)cases + i * stride), ptr, &sz, &a);
        cs = sz > cs ? sz : cs;
        ca = a > ca ? a : ca;
    }
    *align = ds > ca ? ds : ca;
    *size = align_to(align_to(ds, ca) + cs, *align);
}

static void type_layout(const struct comp *c, const struct comp_type *t, unsigned ptr,
                        uint64_t *size, uint8_t *align)
{
    uint64_t sz;
    uint8_t a;
    switch (t->kind) {
    case COMP_T_PRIM: prim_layout(t->prim, ptr, size, align); return;
    case COMP_T_RECORD:
    case COMP_T_TUPLE:
        *size = 0, *align = 1;
        for (uint32_t i = 0; i < t->nfields; i++) {
            layout_of(c, t->fields[i].type, ptr, &sz, &a);
            *size = align_to(*size, a) + sz;
            *align = a > *align ? a : *align;
            if (*size >= MAX_ELEM_SIZE) return;
        }
        *size = align_to(*size, *align);
        return;
    case COMP_T_VARIANT:
        variant_layout(c, &t->fields[0].type, t->nfields, sizeof t->fields[0], ptr, size, align);
        return;
    case COMP_T_OPTION:
    case COMP_T_RESULT: {
        uint32_t cases[2] = {t->kind == COMP_T_OPTION ? COMP_NONE : t->elem,
                             t->kind == COMP_T_OPTION ? t->elem : t->elem2};
        variant_layout(c, cases, 2, sizeof cases[0], ptr, size, align);
        return;
    }
    case COMP_T_LIST: prim_layout(COMP_PRIM_STRING, ptr, size, align); return;
    case COMP_T_FLAGS: *size = *align = t->nfields <= 8 ? 1 : t->nfields <= 16 ? 2 : 4; return;
    case COMP_T_ENUM: *size = *align = discriminant_size(t->nfields); return;
    default: *size = *align = 4; return; /* own, borrow */
    }
}

int comp_type_layout(struct rd *r, struct comp_type *t)
{
    for (unsigned ptr = 0; ptr < 2; ptr++) {
        uint64_t size;
        uint8_t align;
        type_layout(r->l->c, t, ptr, &size, &align);
        if (size >= MAX_ELEM_SIZE)
            return INVALID(r, "%s type too large: its element size is %s2^28 bytes",
                           comp_type_kind_name(t->kind), size == MAX_ELEM_SIZE ? "" : "over ");
        t->size[ptr] = (uint32_t)size;
        t->align[ptr] = align;
    }
    return 0;
}
