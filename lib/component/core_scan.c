/*
 * lib/component/core_scan.c - what a component needs to know of an
 * embedded core module before lib/wasm loads it: its imports (module,
 * name, kind) and exports (name, kind), read from the import and export
 * sections (core spec 5.5). Every section is delimited and bounds-checked;
 * the rest of the module (code, types, validation) is lib/wasm's job at
 * instantiation.
 */
#include "component/internal.h"
#include "base/mem.h"

/* The module's function types (type section) and the type of each
 * function (imports, then the function section), as type ids. */
struct scan {
    uint32_t ntypes, nfuncs, cap_funcs;
    uint32_t *types, *funcs;
};

static uint32_t type_id(const struct scan *sc, uint32_t idx)
{
    return idx < sc->ntypes ? sc->types[idx] : COMP_NONE;
}

static int valtypes(struct rd *r, const uint8_t **out, uint32_t *n)
{
    TRY(rd_count(r, 1, n));
    *out = r->p;
    for (uint32_t i = 0; i < *n; i++) {
        uint8_t b = 0;
        TRY(rd_byte(r, &b));
        if (!((b >= 0x7b && b <= 0x7f) || b == 0x70 || b == 0x6f))
            return MALFORMED(r, "core module: unknown value type 0x%02x", b);
    }
    return 0;
}

static int type_section(struct rd *r, struct scan *sc)
{
    TRY(rd_count(r, 3, &sc->ntypes));
    sc->types = comp_alloc(r->l, (size_t)sc->ntypes * sizeof *sc->types + 1);
    if (!sc->types) return comp_fail(r, ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < sc->ntypes; i++) {
        uint8_t form = 0;
        struct comp_type t = {.kind = COMP_T_CORE_FUNC, .elem = COMP_NONE, .elem2 = COMP_NONE};
        TRY(rd_byte(r, &form));
        if (form != 0x60) return NOTSUP(r, "core module: type form 0x%02x is not supported", form);
        TRY(valtypes(r, &t.core_params, &t.core_nparams));
        TRY(valtypes(r, &t.core_results, &t.core_nresults));
        TRY(comp_type_new(r, &t, &sc->types[i]));
    }
    return 0;
}

static int add_func(struct rd *r, struct scan *sc, uint32_t type_idx)
{
    TRY(comp_grow(r, (void **)&sc->funcs, sc->nfuncs, &sc->cap_funcs, sizeof *sc->funcs));
    sc->funcs[sc->nfuncs++] = type_id(sc, type_idx);
    return 0;
}

static int function_section(struct rd *r, struct scan *sc)
{
    uint32_t n = 0, idx = 0;
    TRY(rd_count(r, 1, &n));
    for (uint32_t i = 0; i < n; i++) {
        TRY(rd_u32(r, &idx));
        TRY(add_func(r, sc, idx));
    }
    return 0;
}

static int core_kind(struct rd *r, uint8_t b, enum comp_sort *out)
{
    if (b > 0x04) return MALFORMED(r, "core module: unknown external kind 0x%02x", b);
    *out = (enum comp_sort)(COMP_CORE_FUNC + b);
    return 0;
}

static int skip_limits(struct rd *r)
{
    uint8_t flags = 0;
    uint32_t v = 0;
    TRY(rd_byte(r, &flags));
    if (flags > 1) return NOTSUP(r, "core module: limits flags 0x%02x are not supported", flags);
    TRY(rd_u32(r, &v));
    return flags ? rd_u32(r, &v) : 0;
}

static int import_desc(struct rd *r, struct scan *sc, enum comp_sort sort, uint32_t *type)
{
    uint8_t b = 0;
    uint32_t idx = 0;
    switch (sort) {
    case COMP_CORE_FUNC:
        TRY(rd_u32(r, &idx));
        *type = type_id(sc, idx);
        return add_func(r, sc, idx);
    case COMP_CORE_TABLE: TRY(rd_byte(r, &b)); return skip_limits(r);
    case COMP_CORE_MEMORY: return skip_limits(r);
    case COMP_CORE_GLOBAL: TRY(rd_byte(r, &b)); return rd_byte(r, &b);
    default: TRY(rd_byte(r, &b)); return rd_u32(r, &idx); /* tag */
    }
}

static int imports(struct rd *r, struct scan *sc, struct comp_type *t)
{
    TRY(rd_count(r, 3, &t->nimports));
    t->imports = comp_alloc(r->l, (size_t)t->nimports * sizeof *t->imports + 1);
    if (!t->imports) return comp_fail(r, ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < t->nimports; i++) {
        struct comp_extern *e = &t->imports[i];
        uint8_t b = 0;
        enum comp_sort sort = COMP_CORE_FUNC;
        TRY(rd_name(r, &e->module));
        TRY(rd_name(r, &e->name));
        TRY(rd_byte(r, &b));
        TRY(core_kind(r, b, &sort));
        e->sort = (uint8_t)sort;
        e->type = COMP_NONE;
        TRY(import_desc(r, sc, sort, &e->type));
    }
    return 0;
}

static int exports(struct rd *r, const struct scan *sc, struct comp_type *t)
{
    TRY(rd_count(r, 3, &t->nexports));
    t->exports = comp_alloc(r->l, (size_t)t->nexports * sizeof *t->exports + 1);
    struct comp_nameset *set = comp_nameset_new(r->l, true);
    if (!t->exports || !set) return comp_fail(r, ERR_NOMEM, "out of memory");
    t->export_index = set;
    for (uint32_t i = 0; i < t->nexports; i++) {
        struct comp_extern *e = &t->exports[i];
        uint8_t b = 0;
        uint32_t idx = 0;
        enum comp_sort sort = COMP_CORE_FUNC;
        TRY(rd_name(r, &e->name));
        TRY(rd_byte(r, &b));
        TRY(core_kind(r, b, &sort));
        e->sort = (uint8_t)sort;
        e->type = COMP_NONE;
        TRY(rd_u32(r, &idx));
        if (sort == COMP_CORE_FUNC && idx < sc->nfuncs) e->type = sc->funcs[idx];
        int rc = comp_nameset_add(set, e->name, i);
        if (rc == ERR_EXIST)
            return INVALID(r, "core module: duplicate export name \"%.*s\"", (int)e->name.len,
                           (const char *)e->name.p);
        if (rc) return comp_fail(r, rc, "out of memory");
    }
    return 0;
}

int comp_core_module_scan(struct rd *r, const uint8_t *p, size_t len, uint32_t *type)
{
    struct rd m = {p, p + len, r->l};
    static const uint8_t header[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    if (len < 8 || memcmp(p, header, 8))
        return MALFORMED(&m, "core module: not a core module header (\\0asm version 1)");
    m.p += 8;
    struct comp_type t = {.kind = COMP_T_CORE_MODULE, .elem = COMP_NONE, .elem2 = COMP_NONE};
    struct scan sc = {0};
    uint32_t seen = 0;
    while (m.p < m.end) {
        uint8_t id = 0;
        uint32_t size = 0;
        TRY(rd_byte(&m, &id));
        TRY(rd_u32(&m, &size));
        if (size > (size_t)(m.end - m.p))
            return MALFORMED(&m, "core module: section %u of %u bytes runs past the end", id, size);
        struct rd sec = {m.p, m.p + size, r->l};
        if (id == 1 || id == 2 || id == 3 || id == 7) {
            if (seen & (1u << id)) return MALFORMED(&sec, "core module: duplicate section %u", id);
            seen |= 1u << id;
            switch (id) {
            case 1: TRY(type_section(&sec, &sc)); break;
            case 2: TRY(imports(&sec, &sc, &t)); break;
            case 3: TRY(function_section(&sec, &sc)); break;
            default: TRY(exports(&sec, &sc, &t)); break;
            }
            if (sec.p != sec.end) return MALFORMED(&sec, "core module: section size mismatch");
        }
        m.p = sec.end;
    }
    return comp_type_new(r, &t, type);
}
