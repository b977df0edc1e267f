/*
 * lib/wasm/validate.c - module-level validation (spec 3.4): memories,
 * globals and their initializers, exports, the start function, element and
 * data segments, and the set C.refs of functions that ref.func may name.
 * Function bodies are validated by compile.c; loading a module (decode,
 * validate, compile) is module.c's.
 */
#include "wasm/internal.h"

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"

bool wasm_functype_equal(const struct wasm_functype *a, const struct wasm_functype *b)
{
    if (a == b) return true;
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           !memcmp(a->params, b->params, a->nparams) &&
           !memcmp(a->results, b->results, a->nresults);
}

/*
 * A constant expression must produce `want` (spec 3.3.10). global.get may
 * only name an immutable imported global: in 2.0 every constant expression
 * is validated in the context C' whose globals are the imported ones
 * (spec 3.4.10).
 */
static int check_cexpr(struct wasm_module *m, struct cexpr *e, uint8_t want, uint32_t nglobals,
                       struct wasm_error *err)
{
    switch (e->op) {
    case 0xd2:
        if (e->idx >= m->nfuncs) return wasm_fail(err, ERR_INVAL, "unknown function %u", e->idx);
        break;
    case 0x23:
        if (e->idx >= nglobals) return wasm_fail(err, ERR_INVAL, "unknown global %u", e->idx);
        if (m->globals[e->idx].mut)
            return wasm_fail(err, ERR_INVAL, "constant expression required (mutable global)");
        e->type = m->globals[e->idx].type;
        break;
    }
    if (e->type != want)
        return wasm_fail(err, ERR_INVAL, "type mismatch: constant expression has type %s, not %s",
                         wasm_valtype_name(e->type), wasm_valtype_name(want));
    return 0;
}

static void declare_ref(struct wasm_module *m, const struct cexpr *e)
{
    if (e->op == 0xd2 && e->idx < m->nfuncs)
        m->func_refs[e->idx / 8] |= (uint8_t)(1u << (e->idx % 8));
}

static int validate_globals(struct wasm_module *m, struct wasm_error *err)
{
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
        struct mod_global *g = &m->globals[i];
        int rc = check_cexpr(m, &g->init, g->type, m->nglobal_imports, err);
        if (rc) return rc;
        declare_ref(m, &g->init);
    }
    return 0;
}

static uint32_t name_hash(const char *s, uint32_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* Export names are unique (spec 3.4.10): a hash set of export indices. */
static int check_export_names(const struct wasm_module *m, struct wasm_error *err)
{
    uint32_t cap = 16;
    while (cap < 2 * m->nexports)
        cap *= 2;
    uint32_t *set = mem_zalloc(cap * sizeof(uint32_t)); /* export index + 1 */
    if (!set) return wasm_fail(err, ERR_NOMEM, "out of memory");
    int rc = 0;
    for (uint32_t i = 0; i < m->nexports && !rc; i++) {
        const struct mod_export *e = &m->exports[i];
        uint32_t k = name_hash(e->name, e->name_len) & (cap - 1);
        for (; set[k]; k = (k + 1) & (cap - 1)) {
            const struct mod_export *o = &m->exports[set[k] - 1];
            if (o->name_len == e->name_len && !memcmp(o->name, e->name, e->name_len)) {
                rc = wasm_fail(err, ERR_INVAL, "duplicate export name \"%s\"", e->name);
                break;
            }
        }
        set[k] = i + 1;
    }
    mem_free(set);
    return rc;
}

static int validate_exports(struct wasm_module *m, struct wasm_error *err)
{
    static const char *const kinds[] = {"function", "table", "memory", "global"};
    for (uint32_t i = 0; i < m->nexports; i++) {
        struct mod_export *e = &m->exports[i];
        uint32_t n = e->kind == WASM_EXTERN_FUNC     ? m->nfuncs
                     : e->kind == WASM_EXTERN_TABLE  ? m->ntables
                     : e->kind == WASM_EXTERN_MEMORY ? m->nmems
                                                     : m->nglobals;
        if (e->idx >= n) return wasm_fail(err, ERR_INVAL, "unknown %s %u", kinds[e->kind], e->idx);
        if (e->kind == WASM_EXTERN_FUNC) {
            struct cexpr ref = {.op = 0xd2, .idx = e->idx};
            declare_ref(m, &ref);
        }
    }
    return check_export_names(m, err);
}

static int validate_elems(struct wasm_module *m, struct wasm_error *err)
{
    for (uint32_t i = 0; i < m->nelems; i++) {
        struct mod_elem *e = &m->elems[i];
        int rc;
        if (e->mode == SEG_ACTIVE) {
            if (e->table >= m->ntables)
                return wasm_fail(err, ERR_INVAL, "unknown table %u", e->table);
            if (m->tables[e->table].elem_type != e->type)
                return wasm_fail(err, ERR_INVAL, "type mismatch: element segment %u", i);
            rc = check_cexpr(m, &e->offset, WASM_I32, m->nglobal_imports, err);
            if (rc) return rc;
        }
        for (uint32_t k = 0; k < e->count; k++) {
            rc = check_cexpr(m, &e->items[k], e->type, m->nglobal_imports, err);
            if (rc) return rc;
            declare_ref(m, &e->items[k]);
        }
    }
    return 0;
}

static int validate_datas(struct wasm_module *m, struct wasm_error *err)
{
    for (uint32_t i = 0; i < m->ndatas; i++) {
        struct mod_data *d = &m->datas[i];
        if (d->mode != SEG_ACTIVE) continue;
        if (d->mem >= m->nmems) return wasm_fail(err, ERR_INVAL, "unknown memory %u", d->mem);
        int rc = check_cexpr(m, &d->offset, WASM_I32, m->nglobal_imports, err);
        if (rc) return rc;
    }
    return 0;
}

/* Names for traps: the name section first, else the first export name. */
static int name_from_exports(struct wasm_module *m)
{
    for (uint32_t i = 0; i < m->nexports; i++) {
        const struct mod_export *e = &m->exports[i];
        if (e->kind != WASM_EXTERN_FUNC) continue;
        if (!m->func_names) {
            m->func_names = mem_zalloc((size_t)m->nfuncs * sizeof(char *));
            if (!m->func_names) return ERR_NOMEM;
        }
        if (m->func_names[e->idx]) continue;
        size_t n = strlen(e->name);
        char *s = mem_alloc(n + 1);
        if (!s) return ERR_NOMEM;
        memcpy(s, e->name, n + 1);
        m->func_names[e->idx] = s;
    }
    return 0;
}

int wasm_validate_module(struct wasm_module *m, struct wasm_error *err)
{
    int rc;
    if (m->nmems > 1) return wasm_fail(err, ERR_INVAL, "multiple memories");
    m->func_refs = mem_zalloc(m->nfuncs / 8 + 1);
    if (!m->func_refs) return wasm_fail(err, ERR_NOMEM, "out of memory");
    if ((rc = validate_globals(m, err)) || (rc = validate_exports(m, err)) ||
        (rc = validate_elems(m, err)) || (rc = validate_datas(m, err)))
        return rc;
    if (m->has_start) {
        if (m->start >= m->nfuncs)
            return wasm_fail(err, ERR_INVAL, "unknown function %u (start function)", m->start);
        const struct wasm_functype *t = mod_func_type(m, m->start);
        if (t->nparams || t->nresults)
            return wasm_fail(err, ERR_INVAL, "start function must have type [] -> []");
    }
    if (name_from_exports(m)) return wasm_fail(err, ERR_NOMEM, "out of memory");
    return 0;
}
