/*
 * lib/component/canon.c - the canon section (Binary.md "Canonical
 * Definitions", CanonicalABI.md "Canonical Definitions"): lift, lower and
 * the resource built-ins of WASI 0.2, with their options. The async and
 * thread built-ins are refused as not supported.
 */
#include "component/internal.h"

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

static int resource_builtin(struct rd *r, struct comp_component *s, struct comp_canon *c)
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
    return 0;
}

static int canon(struct rd *r, struct comp_component *s)
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
        if (op == COMP_CANON_LOWER) break;
        uint32_t idx = 0;
        TRY(rd_u32(r, &idx));
        TRY(comp_space_check(r, s, COMP_TYPE, idx, what));
        c->type = d.type = s->space[COMP_TYPE][idx].type;
        uint8_t k = r->l->c->types[c->type].kind;
        if (k != COMP_T_FUNC)
            return INVALID(r, "canon lift: type %u is a %s type, not a function type", idx,
                           comp_type_kind_name(k));
        result = COMP_FUNC;
        break;
    }
    case COMP_CANON_RESOURCE_NEW:
    case COMP_CANON_RESOURCE_DROP:
    case COMP_CANON_RESOURCE_REP: TRY(resource_builtin(r, s, c)); break;
    default: return NOTSUP(r, "canon 0x%02x (async or threads) is not supported", op);
    }
    return comp_space_add(r, s, result, &d);
}

int comp_canon_section(struct rd *r, struct comp_component *s)
{
    uint32_t n = 0;
    TRY(rd_count(r, 2, &n));
    for (uint32_t i = 0; i < n; i++)
        TRY(canon(r, s));
    return 0;
}
