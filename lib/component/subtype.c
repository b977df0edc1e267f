/*
 * lib/component/subtype.c - does an instantiation argument fit the import
 * it is given for (Explainer.md "Subtyping", Binary.md "Instance
 * Definitions")? Value and function types must be equal in structure
 * (names and types); an instance may export more than the import asks; a
 * resource is itself (identity), where a resource imported as (sub
 * resource) stands for the type its argument supplied, substituted in
 * every later import. Component and core module types are compared by sort
 * only. Recursion is bounded in depth and the work is counted against the
 * loader's budget.
 */
#include "component/internal.h"
#include "base/env.h"
#include "base/mem.h"

#define MAX_DEPTH 64

struct comp_subst {
    uint32_t n, cap;
    uint32_t *pairs; /* from, to */
};

struct comp_subst *comp_subst_new(void)
{
    return mem_zalloc(sizeof(struct comp_subst));
}

void comp_subst_free(struct comp_subst *m)
{
    if (!m) return;
    mem_free(m->pairs);
    mem_free(m);
}

static uint32_t subst(const struct comp_subst *m, uint32_t t)
{
    for (uint32_t i = 0; i < m->n; i++)
        if (m->pairs[2 * i] == t) return m->pairs[2 * i + 1];
    return t;
}

int comp_subst_add(struct comp_subst *m, uint32_t from, uint32_t to)
{
    if (m->n == m->cap) {
        uint32_t ncap = m->cap ? m->cap * 2 : 8;
        uint32_t *p = mem_realloc(m->pairs, (size_t)ncap * 2 * sizeof *p);
        if (!p) return ERR_NOMEM;
        m->pairs = p, m->cap = ncap;
    }
    m->pairs[2 * m->n] = from, m->pairs[2 * m->n + 1] = to;
    m->n++;
    return 0;
}

struct eq {
    struct rd *r;
    const struct comp_subst *m;
    int rc; /* budget or depth exceeded */
};

static bool type_eq(struct eq *e, uint32_t have, uint32_t want, unsigned depth);

int comp_subst_keep(struct rd *r, const struct comp_subst *m, struct comp_def *d)
{
    uint32_t *pairs = comp_alloc(r->l, (size_t)m->n * 2 * sizeof *pairs + 1);
    if (!pairs) return comp_fail(r, ERR_NOMEM, "out of memory");
    if (m->n) memcpy(pairs, m->pairs, (size_t)m->n * 2 * sizeof *pairs);
    d->subst = pairs, d->nsubst = m->n;
    return 0;
}

static bool str_eq(struct comp_str a, struct comp_str b)
{
    return a.len == b.len && !memcmp(a.p, b.p, a.len);
}

static bool fields_eq(struct eq *e, const struct comp_type *a, const struct comp_type *b,
                      unsigned depth)
{
    if (a->nfields != b->nfields) return false;
    for (uint32_t i = 0; i < a->nfields; i++)
        if (!str_eq(a->fields[i].name, b->fields[i].name) ||
            !type_eq(e, a->fields[i].type, b->fields[i].type, depth))
            return false;
    return true;
}

/* have's exports include every export of want, of the same sort and type. */
static bool instance_fits(struct eq *e, const struct comp_type *a, const struct comp_type *b,
                          unsigned depth)
{
    for (uint32_t i = 0; i < b->nexports; i++) {
        const struct comp_extern *w = &b->exports[i];
        bool found = false;
        for (uint32_t k = 0; k < a->nexports && !found; k++) {
            e->r->l->work++;
            const struct comp_extern *h = &a->exports[k];
            if (!str_eq(h->name, w->name)) continue;
            if (h->sort != w->sort) return false;
            if (h->sort == COMP_FUNC || h->sort == COMP_TYPE || h->sort == COMP_INSTANCE)
                if (!type_eq(e, h->type, w->type, depth)) return false;
            found = true;
        }
        if (!found) return false;
    }
    return true;
}

static bool type_eq(struct eq *e, uint32_t have, uint32_t want, unsigned depth)
{
    const struct comp_type *types = e->r->l->c->types;
    if (e->rc) return false;
    if (++depth > MAX_DEPTH || ++e->r->l->work > 16 * (uint64_t)e->r->l->c->len + (1u << 20)) {
        e->rc = NOTSUP(e->r, "types too deep or too many to compare");
        return false;
    }
    if (have == COMP_NONE || want == COMP_NONE) return have == want;
    if (!COMP_IS_PRIM(want)) want = subst(e->m, want);
    if (!COMP_IS_PRIM(have)) have = subst(e->m, have);
    if (have == want) return true;
    /* a primitive and a defvaltype that names it */
    uint32_t hp = COMP_IS_PRIM(have)                ? COMP_PRIM_CODE(have)
                  : types[have].kind == COMP_T_PRIM ? types[have].prim
                                                    : 0;
    uint32_t wp = COMP_IS_PRIM(want)                ? COMP_PRIM_CODE(want)
                  : types[want].kind == COMP_T_PRIM ? types[want].prim
                                                    : 0;
    if (hp || wp) return hp == wp;
    const struct comp_type *a = &types[have], *b = &types[want];
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case COMP_T_RECORD:
    case COMP_T_VARIANT:
    case COMP_T_TUPLE:
    case COMP_T_FLAGS:
    case COMP_T_ENUM: return fields_eq(e, a, b, depth);
    case COMP_T_LIST:
    case COMP_T_OPTION: return type_eq(e, a->elem, b->elem, depth);
    case COMP_T_RESULT:
        return type_eq(e, a->elem, b->elem, depth) && type_eq(e, a->elem2, b->elem2, depth);
    case COMP_T_OWN:
    case COMP_T_BORROW: return subst(e->m, a->elem) == subst(e->m, b->elem);
    case COMP_T_RESOURCE: return false; /* identity, compared above */
    case COMP_T_FUNC: return fields_eq(e, a, b, depth) && type_eq(e, a->elem, b->elem, depth);
    case COMP_T_INSTANCE: return instance_fits(e, a, b, depth);
    default: return true; /* component, core module: by sort only */
    }
}

int comp_arg_fits(struct rd *r, struct comp_subst *m, const char *what,
                  const struct comp_extern *im, uint32_t have)
{
    const struct comp_type *types = r->l->c->types;
    if (im->sort == COMP_TYPE && im->type != COMP_NONE && types[im->type].kind == COMP_T_RESOURCE &&
        !types[im->type].owner && subst(m, im->type) == im->type) {
        /* (sub resource): the argument must be a resource; it stands for it */
        if (have == COMP_NONE || COMP_IS_PRIM(have) || types[have].kind != COMP_T_RESOURCE)
            return INVALID(r, "%s \"%.*s\" is a resource, its argument is not", what,
                           (int)im->name.len, (const char *)im->name.p);
        return comp_subst_add(m, im->type, have) ? comp_fail(r, ERR_NOMEM, "out of memory") : 0;
    }
    if (im->sort != COMP_FUNC && im->sort != COMP_TYPE && im->sort != COMP_INSTANCE) return 0;
    struct eq e = {r, m, 0};
    bool ok = type_eq(&e, have, im->type, 0);
    if (e.rc) return e.rc;
    if (!ok)
        return INVALID(r, "%s \"%.*s\": %s type mismatch", what, (int)im->name.len,
                       (const char *)im->name.p, comp_sort_name(im->sort));
    return 0;
}
