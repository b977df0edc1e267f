/*
 * lib/component/canon.c - the canon section (Binary.md "Canonical
 * Definitions", CanonicalABI.md "Canonical Definitions"): lift, lower and
 * the resource built-ins of WASI 0.2, with their options. The async and
 * thread built-ins are refused as not supported.
 */
#include "component/internal.h"
#include "base/mem.h"

/* canonopt* (Binary.md): no option twice, one string encoding. */
static int options(struct rd *r, struct comp_component *s, struct comp_canon *c)
{
    uint32_t n = 0;
    bool seen_enc = false;
    c->encoding = COMP_UTF8;
    c->memory = c->realloc = c->post_return = COMP_NONE;
    TRY(rd_count(r, 1, &n));
    for (uint32_t i = 0; i < n; i++) {
        uint8_t op = 0;
        uint32_t *slot = NULL, idx;
        enum comp_sort sort = COMP_CORE_FUNC;
        const char *what = "";
        TRY(rd_byte(r, &op));
        switch (op) {
        case 0x00:
        case 0x01:
        case 0x02:
            if (seen_enc) return INVALID(r, "canon: more than one string encoding");
            seen_enc = true;
            c->encoding = op;
            continue;
        case 0x03: slot = &c->memory, sort = COMP_CORE_MEMORY, what = "memory"; break;
        case 0x04: slot = &c->realloc, what = "realloc"; break;
        case 0x05: slot = &c->post_return, what = "post-return"; break;
        case 0x06:
        case 0x07: return NOTSUP(r, "canon: async options are not supported");
        default: return MALFORMED(r, "canon: unknown option 0x%02x", op);
        }
        if (*slot != COMP_NONE) return INVALID(r, "canon: %s option given twice", what);
        TRY(rd_u32(r, &idx));
        TRY(comp_space_check(r, s, sort, idx, what));
        *slot = idx;
    }
    return 0;
}

/* The core function at func must have type want, where its type is known
 * here (core funcs of embedded modules, lowered functions and built-ins);
 * lib/wasm checks the rest at instantiation. */
int comp_check_core_func(struct rd *r, const struct comp_component *s, uint32_t func, uint32_t want,
                         const char *what)
{
    uint32_t have = s->space[COMP_CORE_FUNC][func].type;
    const struct comp_type *types = r->l->c->types;
    if (have == COMP_NONE || types[have].kind != COMP_T_CORE_FUNC) return 0;
    if (comp_core_func_equal(&types[have], &types[want])) return 0;
    char a[80], b[80];
    return INVALID(r, "%s: core func %u has type %s, not %s", what, func,
                   comp_core_func_str(&types[have], a, sizeof a),
                   comp_core_func_str(&types[want], b, sizeof b));
}

/* Options that the types require (CanonicalABI.md "canonopt Validation",
 * "canon lift", "canon lower"), and the types of realloc and post-return. */
static int check_lift(struct rd *r, struct comp_component *s, struct comp_canon *c)
{
    struct comp_flat_info fi;
    uint32_t want, pr;
    TRY(comp_flatten_functype(r, c->type, true, &fi, &want));
    TRY(comp_check_core_func(r, s, c->func, want, "canon lift"));
    if ((fi.params_have_list || fi.params_spill) && c->realloc == COMP_NONE)
        return INVALID(r, "canon lift: the parameters need a realloc option");
    if ((fi.result_has_list || fi.result_spill) && c->memory == COMP_NONE)
        return INVALID(r, "canon lift: the result needs a memory option");
    if (c->post_return == COMP_NONE) return 0;
    const struct comp_type *w = &r->l->c->types[want];
    char params[COMP_MAX_FLAT + 1] = {0};
    memcpy(params, w->core_results, w->core_nresults);
    TRY(comp_core_functype(r, params, "", &pr));
    return comp_check_core_func(r, s, c->post_return, pr, "canon lift: post-return");
}

static int check_lower(struct rd *r, struct comp_component *s, struct comp_canon *c,
                       uint32_t *core_type)
{
    uint32_t ft = s->space[COMP_FUNC][c->func].type;
    struct comp_flat_info fi;
    if (ft == COMP_NONE || r->l->c->types[ft].kind != COMP_T_FUNC)
        return INVALID(r, "canon lower: func %u has no function type", c->func);
    TRY(comp_flatten_functype(r, ft, false, &fi, core_type));
    if ((fi.params_have_list || fi.params_spill || fi.result_spill) && c->memory == COMP_NONE)
        return INVALID(r, "canon lower: the function's %s need a memory option",
                       fi.result_spill ? "results" : "parameters");
    if (fi.result_has_list && c->realloc == COMP_NONE)
        return INVALID(r, "canon lower: the result needs a realloc option");
    return 0;
}

static int check_realloc(struct rd *r, struct comp_component *s, const struct comp_canon *c)
{
    uint32_t want;
    if (c->realloc == COMP_NONE) return 0;
    if (c->memory == COMP_NONE) return INVALID(r, "canon: realloc without a memory option");
    TRY(comp_core_functype(r, "\x7f\x7f\x7f\x7f", "\x7f", &want));
    return comp_check_core_func(r, s, c->realloc, want, "canon: realloc");
}

static int resource_builtin(struct rd *r, struct comp_component *s, struct comp_canon *c,
                            uint32_t *type)
{
    static const char *const names[] = {"", "", "resource.new", "resource.drop", "resource.rep"};
    uint32_t idx = 0;
    TRY(rd_u32(r, &idx));
    TRY(comp_space_check(r, s, COMP_TYPE, idx, names[c->op]));
    c->type = s->space[COMP_TYPE][idx].type;
    const struct comp_type *t = &r->l->c->types[c->type];
    if (t->kind != COMP_T_RESOURCE)
        return INVALID(r, "%s: type %u is a %s type, not a resource", names[c->op], idx,
                       comp_type_kind_name(t->kind));
    if (c->op != COMP_CANON_RESOURCE_DROP && t->owner != s)
        return INVALID(r, "%s: resource type %u is not defined by this component", names[c->op],
                       idx);
    return comp_core_functype(r, "\x7f", c->op == COMP_CANON_RESOURCE_DROP ? "" : "\x7f", type);
}

int comp_canon_def(struct rd *r, struct comp_component *s)
{
    uint8_t op = 0, zero = 0;
    struct comp_canon *c = comp_alloc(r->l, sizeof *c);
    if (!c) return comp_fail(r, ERR_NOMEM, "out of memory");
    struct comp_def d = {.how = COMP_DEF_CANON, .canon = c, .type = COMP_NONE};
    enum comp_sort result = COMP_CORE_FUNC;
    c->type = COMP_NONE;
    TRY(rd_byte(r, &op));
    c->op = op;
    switch (op) {
    case COMP_CANON_LIFT:
    case COMP_CANON_LOWER: {
        const char *what = op == COMP_CANON_LIFT ? "canon lift" : "canon lower";
        TRY(rd_byte(r, &zero));
        if (zero != 0x00) return MALFORMED(r, "%s: expected 0x00 (func), got 0x%02x", what, zero);
        TRY(rd_u32(r, &c->func));
        TRY(comp_space_check(r, s, op == COMP_CANON_LIFT ? COMP_CORE_FUNC : COMP_FUNC, c->func,
                             what));
        TRY(options(r, s, c));
        if (op == COMP_CANON_LOWER && c->post_return != COMP_NONE)
            return INVALID(r, "canon lower: post-return is only allowed on lift");
        TRY(check_realloc(r, s, c));
        if (op == COMP_CANON_LOWER) {
            TRY(check_lower(r, s, c, &d.type));
            break;
        }
        uint32_t idx = 0;
        TRY(rd_u32(r, &idx));
        TRY(comp_space_check(r, s, COMP_TYPE, idx, what));
        c->type = d.type = s->space[COMP_TYPE][idx].type;
        uint8_t k = r->l->c->types[c->type].kind;
        if (k != COMP_T_FUNC)
            return INVALID(r, "canon lift: type %u is a %s type, not a function type", idx,
                           comp_type_kind_name(k));
        TRY(check_lift(r, s, c));
        result = COMP_FUNC;
        break;
    }
    case COMP_CANON_RESOURCE_NEW:
    case COMP_CANON_RESOURCE_DROP:
    case COMP_CANON_RESOURCE_REP: TRY(resource_builtin(r, s, c, &d.type)); break;
    default: return NOTSUP(r, "canon 0x%02x (async or threads) is not supported", op);
    }
    return comp_space_add(r, s, result, &d);
}
