/*
 * lib/component/types.c - type definitions (Binary.md "Type Definitions"):
 * the core type section (core function types and core module types), the
 * type section (value types with their WIT kinds, function, component,
 * instance and resource types) and externtype. Type and module-type
 * declarations open a scope with an initially empty type index space
 * (Explainer.md "Type Definitions"); outer aliases reach enclosing scopes.
 */
#include "component/internal.h"
#include "base/mem.h"

static bool is_defvaltype(uint8_t kind)
{
    return kind <= COMP_T_BORROW;
}

static int type_at(struct rd *r, const struct comp_component *s, uint32_t idx, const char *what,
                   uint32_t *id)
{
    TRY(comp_space_check(r, s, COMP_TYPE, idx, what));
    *id = s->space[COMP_TYPE][idx].type;
    return 0;
}

static int type_of_kind(struct rd *r, const struct comp_component *s, uint32_t idx,
                        enum comp_type_kind kind, const char *what, uint32_t *id)
{
    TRY(type_at(r, s, idx, what, id));
    uint8_t k = r->l->c->types[*id].kind;
    if (k != kind)
        return INVALID(r, "%s: type %u is a %s type, not a %s type", what, idx,
                       comp_type_kind_name(k), comp_type_kind_name(kind));
    return 0;
}

static bool is_primvaltype(uint8_t b)
{
    return b >= 0x73 && b <= 0x7f;
}

/* valtype ::= typeidx | primvaltype, read as a signed LEB128 (negative:
 * a type opcode). */
static int valtype(struct rd *r, const struct comp_component *s, uint32_t *out)
{
    int64_t v = 0;
    TRY(rd_s33(r, &v));
    if (v < 0) {
        uint8_t code = (uint8_t)(v & 0x7f);
        if (v < -64 || !is_primvaltype(code)) {
            if (code == 0x64) return NOTSUP(r, "error-context is not supported");
            return MALFORMED(r, "unknown value type 0x%02x", code);
        }
        *out = COMP_PRIM(code);
        return 0;
    }
    uint32_t id = 0;
    TRY(type_at(r, s, (uint32_t)v, "value type", &id));
    uint8_t k = r->l->c->types[id].kind;
    if (!is_defvaltype(k))
        return INVALID(r, "value type: type %u is a %s type, not a value type", (uint32_t)v,
                       comp_type_kind_name(k));
    *out = id;
    return 0;
}

static bool vt_has_borrow(struct rd *r, uint32_t t)
{
    return t != COMP_NONE && !COMP_IS_PRIM(t) && r->l->c->types[t].has_borrow;
}

static int opt_valtype(struct rd *r, const struct comp_component *s, uint32_t *out)
{
    uint8_t b = 0;
    TRY(rd_byte(r, &b));
    *out = COMP_NONE;
    if (b == 0x00) return 0;
    if (b != 0x01) return MALFORMED(r, "malformed optional value type 0x%02x", b);
    return valtype(r, s, out);
}

static int alloc_fields(struct rd *r, uint32_t n, struct comp_field **out)
{
    *out = comp_alloc(r->l, (size_t)n * sizeof **out + 1);
    return *out ? 0 : comp_fail(r, ERR_NOMEM, "out of memory");
}

/* Fields (labels with a value type), cases (label, optional type, 0x00),
 * labels alone, or bare value types (tuples). */
enum field_form { F_LABELED, F_CASE, F_LABEL, F_TYPE };

static int fields(struct rd *r, const struct comp_component *s, enum field_form form,
                  const char *what, struct comp_type *t)
{
    TRY(rd_count(r, 1, &t->nfields));
    TRY(alloc_fields(r, t->nfields, &t->fields));
    for (uint32_t i = 0; i < t->nfields; i++) {
        struct comp_field *f = &t->fields[i];
        f->type = COMP_NONE;
        if (form != F_TYPE) TRY(rd_name(r, &f->name));
        if (form == F_LABELED || form == F_TYPE) TRY(valtype(r, s, &f->type));
        if (form == F_CASE) {
            uint8_t end = 0;
            TRY(opt_valtype(r, s, &f->type));
            TRY(rd_byte(r, &end));
            if (end != 0x00) return MALFORMED(r, "variant case: expected 0x00, got 0x%02x", end);
        }
        if (vt_has_borrow(r, f->type)) t->has_borrow = true;
    }
    if (t->nfields == 0)
        return INVALID(r, "%s with no %s", what, form == F_CASE ? "cases" : "fields");
    return form == F_TYPE ? 0 : comp_check_labels(r, t->fields, t->nfields, what);
}

static int defvaltype(struct rd *r, const struct comp_component *s, uint8_t op, struct comp_type *t)
{
    if (is_primvaltype(op)) {
        t->kind = COMP_T_PRIM;
        t->prim = op;
        return 0;
    }
    switch (op) {
    case 0x72: t->kind = COMP_T_RECORD; return fields(r, s, F_LABELED, "record", t);
    case 0x71: t->kind = COMP_T_VARIANT; return fields(r, s, F_CASE, "variant", t);
    case 0x6f: t->kind = COMP_T_TUPLE; return fields(r, s, F_TYPE, "tuple", t);
    case 0x6e:
        t->kind = COMP_T_FLAGS;
        TRY(fields(r, s, F_LABEL, "flags", t));
        if (t->nfields > 32) return INVALID(r, "flags with %u labels (at most 32)", t->nfields);
        return 0;
    case 0x6d: t->kind = COMP_T_ENUM; return fields(r, s, F_LABEL, "enum", t);
    case 0x70:
    case 0x6b:
        t->kind = op == 0x70 ? COMP_T_LIST : COMP_T_OPTION;
        TRY(valtype(r, s, &t->elem));
        t->has_borrow = vt_has_borrow(r, t->elem);
        return 0;
    case 0x6a:
        t->kind = COMP_T_RESULT;
        TRY(opt_valtype(r, s, &t->elem));
        TRY(opt_valtype(r, s, &t->elem2));
        t->has_borrow = vt_has_borrow(r, t->elem) || vt_has_borrow(r, t->elem2);
        return 0;
    case 0x69:
    case 0x68: {
        uint32_t idx = 0;
        t->kind = op == 0x69 ? COMP_T_OWN : COMP_T_BORROW;
        t->has_borrow = op == 0x68;
        TRY(rd_u32(r, &idx));
        return type_of_kind(r, s, idx, COMP_T_RESOURCE, op == 0x69 ? "own" : "borrow", &t->elem);
    }
    case 0x67: return NOTSUP(r, "fixed-length lists are not supported");
    case 0x66:
    case 0x65:
    case 0x64: return NOTSUP(r, "streams, futures and error-context (async) are not supported");
    case 0x63: return NOTSUP(r, "maps are not supported");
    default: return MALFORMED(r, "unknown type opcode 0x%02x", op);
    }
}

static int functype(struct rd *r, const struct comp_component *s, struct comp_type *t)
{
    uint8_t tag = 0;
    t->kind = COMP_T_FUNC;
    TRY(rd_count(r, 2, &t->nfields));
    TRY(alloc_fields(r, t->nfields, &t->fields));
    for (uint32_t i = 0; i < t->nfields; i++) {
        TRY(rd_name(r, &t->fields[i].name));
        TRY(valtype(r, s, &t->fields[i].type));
    }
    TRY(comp_check_labels(r, t->fields, t->nfields, "parameter"));
    TRY(rd_byte(r, &tag));
    t->elem = COMP_NONE;
    if (tag == 0x00) {
        TRY(valtype(r, s, &t->elem));
        if (vt_has_borrow(r, t->elem)) return INVALID(r, "function result contains a borrow");
    } else if (tag == 0x01) {
        uint8_t zero = 0;
        TRY(rd_byte(r, &zero));
        if (zero != 0x00) return MALFORMED(r, "malformed result list 0x01 0x%02x", zero);
    } else {
        return MALFORMED(r, "malformed result list 0x%02x", tag);
    }
    return 0;
}

static int resourcetype(struct rd *r, struct comp_component *s, struct comp_type *t)
{
    uint8_t rep = 0, has_dtor = 0;
    if (s->is_type) return INVALID(r, "resource definitions are not allowed in type declarations");
    t->kind = COMP_T_RESOURCE;
    t->owner = s;
    TRY(rd_byte(r, &rep));
    if (rep != 0x7f) return INVALID(r, "resource representation must be i32 (got 0x%02x)", rep);
    t->elem = rep;
    t->elem2 = COMP_NONE;
    TRY(rd_byte(r, &has_dtor));
    if (has_dtor > 1) return MALFORMED(r, "malformed optional destructor 0x%02x", has_dtor);
    if (has_dtor) {
        TRY(rd_u32(r, &t->elem2));
        TRY(comp_space_check(r, s, COMP_CORE_FUNC, t->elem2, "resource destructor"));
        uint32_t want = 0;
        TRY(comp_core_functype(r, "\x7f", "", &want));
        TRY(comp_check_core_func(r, s, t->elem2, want, "resource destructor"));
    }
    return 0;
}

/* ---- component and instance type declarations ------------------------- */

static int open_scope(struct rd *r, struct comp_component *s, struct comp_component **out)
{
    if (r->l->depth >= COMP_MAX_DEPTH) return INVALID(r, "type declarations nested too deeply");
    *out = comp_alloc(r->l, sizeof **out);
    if (!*out) return comp_fail(r, ERR_NOMEM, "out of memory");
    (*out)->parent = s;
    (*out)->is_type = true;
    r->l->depth++;
    return 0;
}

static int instancedecl(struct rd *r, struct comp_component *t, uint8_t tag)
{
    switch (tag) {
    case 0x00: return comp_core_type(r, t);
    case 0x01: return comp_deftype(r, t);
    case 0x02: return comp_alias(r, t, true);
    case 0x04: {
        struct comp_str name = {0};
        enum comp_sort sort = COMP_CORE_FUNC;
        uint32_t type = 0;
        TRY(comp_nameattrs(r, &name));
        TRY(comp_externtype(r, t, &sort, &type));
        return comp_scope_export(r, t, name, sort, type, 0, sort == COMP_TYPE);
    }
    default: return MALFORMED(r, "unknown declarator 0x%02x", tag);
    }
}

static int decls(struct rd *r, struct comp_component *s, bool component, struct comp_type *out)
{
    struct comp_component *t;
    uint32_t n = 0;
    TRY(open_scope(r, s, &t));
    int rc = rd_count(r, 1, &n);
    for (uint32_t i = 0; i < n && !rc; i++) {
        uint8_t tag = 0;
        if ((rc = rd_byte(r, &tag))) break;
        if (component && tag == 0x03) {
            struct comp_str name = {0};
            enum comp_sort sort = COMP_CORE_FUNC;
            uint32_t type = 0;
            if (!(rc = comp_nameattrs(r, &name)) && !(rc = comp_externtype(r, t, &sort, &type)))
                rc = comp_scope_import(r, t, name, sort, type);
        } else {
            rc = instancedecl(r, t, tag);
        }
    }
    r->l->depth--;
    TRY(rc);
    out->kind = component ? COMP_T_COMPONENT : COMP_T_INSTANCE;
    out->nimports = t->nimports;
    out->imports = t->imports;
    out->nexports = t->nexports;
    out->exports = t->exports;
    return 0;
}

int comp_deftype(struct rd *r, struct comp_component *s)
{
    uint8_t op = 0;
    struct comp_type t = {.elem = COMP_NONE, .elem2 = COMP_NONE};
    TRY(rd_byte(r, &op));
    switch (op) {
    case 0x40: TRY(functype(r, s, &t)); break;
    case 0x43: return NOTSUP(r, "async function types are not supported");
    case 0x41: TRY(decls(r, s, true, &t)); break;
    case 0x42: TRY(decls(r, s, false, &t)); break;
    case 0x3f: TRY(resourcetype(r, s, &t)); break;
    default:
        TRY(defvaltype(r, s, op, &t));
        comp_type_flatten(r->l->c, &t);
        TRY(comp_type_layout(r, &t));
        break;
    }
    struct comp_def d = {.how = COMP_DEF_TYPE};
    TRY(comp_type_new(r, &t, &d.type));
    return comp_space_add(r, s, COMP_TYPE, &d);
}

int comp_externtype(struct rd *r, struct comp_component *s, enum comp_sort *sort, uint32_t *type)
{
    uint8_t tag = 0, b = 0;
    uint32_t idx = 0;
    TRY(rd_byte(r, &tag));
    switch (tag) {
    case 0x00:
        TRY(rd_byte(r, &b));
        if (b != 0x11) return MALFORMED(r, "core extern type 0x00 0x%02x is not a module", b);
        *sort = COMP_CORE_MODULE;
        TRY(rd_u32(r, &idx));
        TRY(comp_space_check(r, s, COMP_CORE_TYPE, idx, "module type"));
        *type = s->space[COMP_CORE_TYPE][idx].type;
        if (r->l->c->types[*type].kind != COMP_T_CORE_MODULE)
            return INVALID(r, "module type: core type %u is not a module type", idx);
        return 0;
    case 0x01:
        *sort = COMP_FUNC;
        TRY(rd_u32(r, &idx));
        return type_of_kind(r, s, idx, COMP_T_FUNC, "func import/export", type);
    case 0x02: return NOTSUP(r, "value imports and exports are not supported");
    case 0x03:
        *sort = COMP_TYPE;
        TRY(rd_byte(r, &b));
        if (b == 0x00) {
            TRY(rd_u32(r, &idx));
            return type_at(r, s, idx, "type bound", type);
        }
        if (b != 0x01) return MALFORMED(r, "unknown type bound 0x%02x", b);
        /* (sub resource): a fresh abstract resource type */
        struct comp_type t = {.kind = COMP_T_RESOURCE, .elem = 0x7f, .elem2 = COMP_NONE};
        return comp_type_new(r, &t, type);
    case 0x04:
    case 0x05:
        *sort = tag == 0x04 ? COMP_COMPONENT : COMP_INSTANCE;
        TRY(rd_u32(r, &idx));
        return type_of_kind(r, s, idx, tag == 0x04 ? COMP_T_COMPONENT : COMP_T_INSTANCE,
                            tag == 0x04 ? "component import/export" : "instance import/export",
                            type);
    default: return MALFORMED(r, "unknown extern type 0x%02x", tag);
    }
}

/* ---- core types ------------------------------------------------------- */

static bool is_core_valtype(uint8_t b)
{
    return (b >= 0x7b && b <= 0x7f) || b == 0x70 || b == 0x6f;
}

static int core_valtypes(struct rd *r, const uint8_t **out, uint32_t *n)
{
    TRY(rd_count(r, 1, n));
    *out = r->p;
    for (uint32_t i = 0; i < *n; i++) {
        uint8_t b = 0;
        TRY(rd_byte(r, &b));
        if (!is_core_valtype(b)) return MALFORMED(r, "unknown core value type 0x%02x", b);
    }
    return 0;
}

static int core_functype(struct rd *r, struct comp_type *t)
{
    t->kind = COMP_T_CORE_FUNC;
    TRY(core_valtypes(r, &t->core_params, &t->core_nparams));
    return core_valtypes(r, &t->core_results, &t->core_nresults);
}

static int limits(struct rd *r)
{
    uint8_t flags = 0;
    uint32_t min = 0, max = 0;
    TRY(rd_byte(r, &flags));
    if (flags > 1)
        return NOTSUP(r, "limits flags 0x%02x (shared or 64-bit) are not supported", flags);
    TRY(rd_u32(r, &min));
    if (flags) {
        TRY(rd_u32(r, &max));
        if (max < min) return INVALID(r, "size minimum must not be greater than maximum");
    }
    return 0;
}

/* core:externtype / core:importdesc (core spec 5.5.5). */
static int core_externtype(struct rd *r, struct comp_component *t, enum comp_sort *sort,
                           uint32_t *type)
{
    uint8_t tag = 0, b = 0;
    uint32_t idx = 0;
    *type = COMP_NONE;
    TRY(rd_byte(r, &tag));
    switch (tag) {
    case 0x00:
    case 0x04:
        *sort = tag ? COMP_CORE_TAG : COMP_CORE_FUNC;
        if (tag) {
            TRY(rd_byte(r, &b));
            if (b) return MALFORMED(r, "unknown tag attribute 0x%02x", b);
        }
        TRY(rd_u32(r, &idx));
        TRY(comp_space_check(r, t, COMP_CORE_TYPE, idx, "core func type"));
        *type = t->space[COMP_CORE_TYPE][idx].type;
        if (r->l->c->types[*type].kind != COMP_T_CORE_FUNC)
            return INVALID(r, "core type %u is not a function type", idx);
        return 0;
    case 0x01:
        *sort = COMP_CORE_TABLE;
        TRY(rd_byte(r, &b));
        if (b != 0x70 && b != 0x6f) return MALFORMED(r, "unknown table element type 0x%02x", b);
        return limits(r);
    case 0x02: *sort = COMP_CORE_MEMORY; return limits(r);
    case 0x03:
        *sort = COMP_CORE_GLOBAL;
        TRY(rd_byte(r, &b));
        if (!is_core_valtype(b)) return MALFORMED(r, "unknown core value type 0x%02x", b);
        TRY(rd_byte(r, &b));
        if (b > 1) return MALFORMED(r, "malformed mutability 0x%02x", b);
        return 0;
    default: return MALFORMED(r, "unknown core extern type 0x%02x", tag);
    }
}

static int add_core_extern(struct rd *r, struct comp_extern **arr, uint32_t *n, uint32_t *cap,
                           const struct comp_extern *e)
{
    TRY(comp_grow(r, (void **)arr, *n, cap, sizeof **arr));
    (*arr)[(*n)++] = *e;
    return 0;
}

static int moduledecl(struct rd *r, struct comp_component *t, struct comp_type *mt,
                      uint32_t *cap_im, uint32_t *cap_ex, struct comp_nameset *names)
{
    uint8_t tag = 0;
    struct comp_extern e = {0};
    enum comp_sort sort = COMP_CORE_FUNC;
    TRY(rd_byte(r, &tag));
    switch (tag) {
    case 0x00:
        TRY(rd_name(r, &e.module));
        TRY(rd_name(r, &e.name));
        TRY(core_externtype(r, t, &sort, &e.type));
        e.sort = (uint8_t)sort;
        return add_core_extern(r, &mt->imports, &mt->nimports, cap_im, &e);
    case 0x01: {
        uint8_t op = 0;
        struct comp_type ft = {0};
        struct comp_def d = {.how = COMP_DEF_TYPE};
        TRY(rd_byte(r, &op));
        if (op == 0x50) return INVALID(r, "module types cannot be declared in a module type");
        if (op != 0x60) return NOTSUP(r, "core type 0x%02x (GC) is not supported", op);
        TRY(core_functype(r, &ft));
        TRY(comp_type_new(r, &ft, &d.type));
        return comp_space_add(r, t, COMP_CORE_TYPE, &d);
    }
    case 0x02: {
        uint8_t b0 = 0, b1 = 0;
        struct comp_def d = {.how = COMP_DEF_ALIAS_OUTER};
        TRY(rd_byte(r, &b0));
        TRY(rd_byte(r, &b1));
        if (b0 != 0x10 || b1 != 0x01)
            return MALFORMED(r, "core alias 0x%02x 0x%02x is not an outer type alias", b0, b1);
        TRY(rd_u32(r, &d.a));
        TRY(rd_u32(r, &d.b));
        const struct comp_component *o = t;
        for (uint32_t i = 0; i < d.a; i++)
            if (!(o = o->parent))
                return INVALID(r, "outer alias count %u exceeds the enclosing scopes", d.a);
        TRY(comp_space_check(r, o, COMP_CORE_TYPE, d.b, "outer alias"));
        d.type = o->space[COMP_CORE_TYPE][d.b].type;
        if (r->l->c->types[d.type].kind == COMP_T_CORE_MODULE)
            return INVALID(r, "outer alias of a module type in a module type");
        return comp_space_add(r, t, COMP_CORE_TYPE, &d);
    }
    case 0x03:
        TRY(rd_name(r, &e.name));
        TRY(core_externtype(r, t, &sort, &e.type));
        e.sort = (uint8_t)sort;
        int dup = comp_nameset_add(names, e.name, mt->nexports);
        if (dup == ERR_EXIST)
            return INVALID(r, "duplicate export name \"%.*s\" in a module type", (int)e.name.len,
                           (const char *)e.name.p);
        if (dup) return comp_fail(r, dup, "out of memory");
        return add_core_extern(r, &mt->exports, &mt->nexports, cap_ex, &e);
    default: return MALFORMED(r, "unknown module declarator 0x%02x", tag);
    }
}

static int core_moduletype(struct rd *r, struct comp_component *s, struct comp_type *mt)
{
    struct comp_component *t;
    uint32_t n = 0, cap_im = 0, cap_ex = 0;
    TRY(open_scope(r, s, &t));
    mt->kind = COMP_T_CORE_MODULE;
    struct comp_nameset *names = comp_nameset_new(NULL, true);
    int rc = names ? rd_count(r, 1, &n) : comp_fail(r, ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = moduledecl(r, t, mt, &cap_im, &cap_ex, names);
    comp_nameset_free(names);
    r->l->depth--;
    return rc;
}

int comp_core_type(struct rd *r, struct comp_component *s)
{
    uint8_t op = 0;
    struct comp_type t = {.elem = COMP_NONE, .elem2 = COMP_NONE};
    TRY(rd_byte(r, &op));
    if (op == 0x60) {
        TRY(core_functype(r, &t));
    } else if (op == 0x50) {
        TRY(core_moduletype(r, s, &t));
    } else {
        return NOTSUP(r, "core type 0x%02x (GC) is not supported", op);
    }
    struct comp_def d = {.how = COMP_DEF_TYPE};
    TRY(comp_type_new(r, &t, &d.type));
    return comp_space_add(r, s, COMP_CORE_TYPE, &d);
}
