/*
 * lib/component/load.c - comp_load: the preamble, the section loop of a
 * component (and of each nested one), and the sections that build index
 * spaces from other definitions: core module, core instance, component,
 * instance, alias, import and export (Binary.md; index spaces and scopes as
 * in Explainer.md "Index Spaces"). Types and canon are in types.c and
 * canon.c.
 */
#include "component/internal.h"
#include "base/env.h"
#include "base/mem.h"
#include "wasm/wasm.h"

static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6d};

enum comp_header_kind comp_header(const uint8_t *b, size_t len)
{
    if (len < 4 || memcmp(b, magic, 4)) return COMP_HEADER_NOT_WASM;
    if (len < 8) return COMP_HEADER_UNKNOWN;
    if (b[4] == 1 && b[5] == 0 && b[6] == 0 && b[7] == 0) return COMP_HEADER_MODULE;
    if (b[6] == 1 && b[7] == 0) return COMP_HEADER_COMPONENT;
    return COMP_HEADER_UNKNOWN;
}

static int preamble(struct rd *r)
{
    if (r->end - r->p < 8 || memcmp(r->p, magic, 4))
        return MALFORMED(r, "magic header not detected");
    const uint8_t *b = r->p;
    if (b[6] != 1 || b[7] != 0) {
        if (b[4] == 1 && b[5] == 0 && b[6] == 0 && b[7] == 0)
            return MALFORMED(r, "a core module, not a component (layer 0)");
        return MALFORMED(r, "unknown layer 0x%02x%02x", b[7], b[6]);
    }
    if (b[4] != COMP_VERSION || b[5] != 0)
        return MALFORMED(r, "unknown component version 0x%02x%02x (this loader reads 0x%02x)", b[5],
                         b[4], COMP_VERSION);
    r->p += 8;
    return 0;
}

/* Exports by name: an index built on first use, kept in the type (and
 * shared with the instance types made from it, so that instantiating a
 * module or component many times indexes its exports once). */
static int export_index(struct rd *r, uint32_t type, void **out)
{
    struct comp_type *t = &r->l->c->types[type];
    if (!t->export_index) {
        struct comp_nameset *set = comp_nameset_new(r->l, true);
        if (!set) return comp_fail(r, ERR_NOMEM, "out of memory");
        for (uint32_t i = 0; i < t->nexports; i++) {
            int e = comp_nameset_add(set, t->exports[i].name, i);
            if (e == ERR_NOMEM) return comp_fail(r, e, "out of memory");
        }
        t->export_index = set;
    }
    *out = t->export_index;
    return 0;
}

int comp_export_find(struct rd *r, uint32_t type, struct comp_str name,
                     const struct comp_extern **out)
{
    void *index = NULL;
    TRY(export_index(r, type, &index));
    const struct comp_type *t = &r->l->c->types[type];
    uint32_t i = 0;
    *out = comp_nameset_find(t->export_index, name, &i) ? &t->exports[i] : NULL;
    return 0;
}

static bool is_core_extern_sort(enum comp_sort s)
{
    return s <= COMP_CORE_TAG;
}

/* ---- imports and exports of a scope --------------------------------- */

/* The resource type a [constructor], [method] or [static] function name
 * refers to: an earlier import (or export) of the same scope of that name
 * whose type is a resource (Binary.md "Import and Export Definitions"). */
static int annotated_resource(struct rd *r, struct comp_component *s, int which,
                              struct comp_str name, uint32_t *res)
{
    static const char *const prefixes[] = {"[constructor]", "[method]", "[static]"};
    const struct comp_str *label = NULL;
    struct comp_str l = {0};
    for (int i = 0; i < 3 && !label; i++) {
        uint32_t n = (uint32_t)strlen(prefixes[i]);
        if (name.len <= n || memcmp(name.p, prefixes[i], n)) continue;
        l.p = name.p + n;
        while (l.p + l.len < name.p + name.len && l.p[l.len] != '.')
            l.len++;
        label = &l;
    }
    *res = COMP_NONE;
    if (!label) return 0;
    uint32_t i;
    const struct comp_extern *arr = which ? s->exports : s->imports;
    if (!s->names[which] || !comp_nameset_find(s->names[which], l, &i) ||
        arr[i].name.len != l.len || memcmp(arr[i].name.p, l.p, l.len) || arr[i].sort != COMP_TYPE ||
        r->l->c->types[arr[i].type].kind != COMP_T_RESOURCE)
        return INVALID(r, "\"%.*s\" names no resource \"%.*s\" %sed before it", (int)name.len,
                       (const char *)name.p, (int)l.len, (const char *)l.p,
                       which ? "export" : "import");
    *res = arr[i].type;
    return 0;
}

/* [constructor]R returns own<R> or result<own<R>, E>; [method]R.m takes
 * (self: borrow<R>) first. */
static int check_annotated(struct rd *r, struct comp_str name, uint32_t func, uint32_t res)
{
    const struct comp_type *types = r->l->c->types, *ft = &types[func];
    bool ok = true;
    if (name.p[1] == 'c') {
        uint32_t t = ft->elem;
        if (t != COMP_NONE && !COMP_IS_PRIM(t) && types[t].kind == COMP_T_RESULT) t = types[t].elem;
        ok = t != COMP_NONE && !COMP_IS_PRIM(t) && types[t].kind == COMP_T_OWN &&
             types[t].elem == res;
    } else if (name.p[1] == 'm') {
        const struct comp_field *f = ft->fields;
        ok = ft->nfields > 0 && f->name.len == 4 && !memcmp(f->name.p, "self", 4) &&
             !COMP_IS_PRIM(f->type) && types[f->type].kind == COMP_T_BORROW &&
             types[f->type].elem == res;
    }
    if (!ok)
        return INVALID(r, "\"%.*s\": %s", (int)name.len, (const char *)name.p,
                       name.p[1] == 'c' ? "a constructor must return own<R> or result<own<R>, E>"
                                        : "a method must take (self: borrow<R>) first");
    return 0;
}

static int add_extern(struct rd *r, struct comp_component *s, int which, struct comp_str name,
                      enum comp_sort sort, uint32_t type)
{
    const char *what = which ? "export" : "import";
    if (!comp_externname_ok(name))
        return INVALID(r, "%s name \"%.*s\" is not a valid extern name", what, (int)name.len,
                       (const char *)name.p);
    if (name.p[0] == '[' && sort != COMP_FUNC)
        return INVALID(r, "%s \"%.*s\" is annotated as a function but is a %s", what, (int)name.len,
                       (const char *)name.p, comp_sort_name(sort));
    if (name.p[0] == '[') {
        uint32_t res;
        TRY(annotated_resource(r, s, which, name, &res));
        if (res != COMP_NONE) TRY(check_annotated(r, name, type, res));
    }
    if (!s->names[which] && !(s->names[which] = comp_nameset_new(r->l, false)))
        return comp_fail(r, ERR_NOMEM, "out of memory");
    int e = comp_nameset_add(s->names[which], name, which ? s->nexports : s->nimports);
    if (e == ERR_EXIST)
        return INVALID(r, "duplicate %s name \"%.*s\"", what, (int)name.len, (const char *)name.p);
    if (e) return comp_fail(r, e, "out of memory");
    struct comp_extern **arr = which ? &s->exports : &s->imports;
    uint32_t *n = which ? &s->nexports : &s->nimports;
    uint32_t *cap = which ? &s->cap_exports : &s->cap_imports;
    TRY(comp_grow(r, (void **)arr, *n, cap, sizeof **arr));
    (*arr)[(*n)++] = (struct comp_extern){.name = name, .sort = (uint8_t)sort, .type = type};
    return 0;
}

int comp_scope_import(struct rd *r, struct comp_component *s, struct comp_str name,
                      enum comp_sort sort, uint32_t type)
{
    TRY(add_extern(r, s, 0, name, sort, type));
    struct comp_def d = {.how = COMP_DEF_IMPORT, .type = type, .a = s->nimports - 1, .name = name};
    return comp_space_add(r, s, sort, &d);
}

int comp_scope_export(struct rd *r, struct comp_component *s, struct comp_str name,
                      enum comp_sort sort, uint32_t type, uint32_t index, bool add_index)
{
    TRY(add_extern(r, s, 1, name, sort, type));
    if (!add_index) return 0;
    struct comp_def d = {.how = COMP_DEF_EXPORT, .type = type, .a = index, .name = name};
    return comp_space_add(r, s, sort, &d);
}

/* nameattributes (Binary.md "Import and Export Definitions"). */
int comp_nameattrs(struct rd *r, struct comp_str *name)
{
    uint8_t tag = 0;
    TRY(rd_byte(r, &tag));
    if (tag > 0x02) return MALFORMED(r, "unknown extern name form 0x%02x", tag);
    TRY(rd_name(r, name));
    if (tag != 0x02) return 0;
    uint32_t n = 0;
    TRY(rd_count(r, 2, &n));
    bool seen[3] = {false, false, false};
    for (uint32_t i = 0; i < n; i++) {
        uint8_t kind = 0;
        struct comp_str v = {0};
        TRY(rd_byte(r, &kind));
        if (kind > 0x02) return MALFORMED(r, "unknown name attribute 0x%02x", kind);
        if (seen[kind]) return INVALID(r, "name attribute 0x%02x given twice", kind);
        seen[kind] = true;
        TRY(rd_name(r, &v));
    }
    return 0;
}

/* ---- core modules and core instances --------------------------------- */

static int core_module_section(struct rd *r, struct comp_component *s)
{
    uint32_t type = 0;
    size_t off = (size_t)(r->p - r->l->c->bytes), len = (size_t)(r->end - r->p);
    TRY(comp_core_module_scan(r, r->p, len, &type));
    TRY(comp_grow(r, (void **)&s->modules, s->nmodules, &s->cap_modules, sizeof *s->modules));
    s->modules[s->nmodules] = (struct comp_range){off, len};
    struct comp_def d = {.how = COMP_DEF_MODULE, .type = type, .a = s->nmodules++};
    r->p = r->end;
    return comp_space_add(r, s, COMP_CORE_MODULE, &d);
}

/* Arguments (with name (instance i)): unique names, looked up by name. */
static int read_core_args(struct rd *r, struct comp_component *s, struct comp_def *d,
                          struct comp_nameset **set)
{
    TRY(rd_count(r, 3, &d->nargs));
    struct comp_arg *args = comp_alloc(r->l, (size_t)d->nargs * sizeof *args + 1);
    *set = comp_nameset_new(NULL, true);
    if (!args || !*set) return comp_fail(r, ERR_NOMEM, "out of memory");
    d->args = args;
    for (uint32_t i = 0; i < d->nargs; i++) {
        uint8_t sort = 0;
        TRY(rd_name(r, &args[i].name));
        TRY(rd_byte(r, &sort));
        if (sort != 0x12)
            return MALFORMED(r, "core instantiation argument \"%.*s\" is not a core instance",
                             (int)args[i].name.len, (const char *)args[i].name.p);
        args[i].sort = COMP_CORE_INSTANCE;
        TRY(rd_u32(r, &args[i].index));
        TRY(comp_space_check(r, s, COMP_CORE_INSTANCE, args[i].index, "instantiation argument"));
        int e = comp_nameset_add(*set, args[i].name, i);
        if (e == ERR_EXIST)
            return INVALID(r, "duplicate instantiation argument \"%.*s\"", (int)args[i].name.len,
                           (const char *)args[i].name.p);
        if (e) return comp_fail(r, e, "out of memory");
    }
    return 0;
}

/* Every import of the module must be supplied by an argument instance that
 * exports it with the same sort (Binary.md "Instance Definitions"). */
static int check_core_imports(struct rd *r, struct comp_component *s, const struct comp_def *d,
                              const struct comp_nameset *set, uint32_t module_type)
{
    const struct comp_type *mt = &r->l->c->types[module_type];
    uint32_t nimports = mt->nimports;
    /* Each instantiation checks every import of its module, and a short
     * instantiation can name a module with many imports: bound the total
     * so that hostile inputs cannot make loading quadratic. */
    r->l->work += nimports;
    if (r->l->work > 16 * (uint64_t)r->l->c->len + (1u << 20))
        return NOTSUP(r, "too many imports checked for instantiations (%llu)",
                      (unsigned long long)r->l->work);
    for (uint32_t i = 0; i < nimports; i++) {
        const struct comp_extern im = r->l->c->types[module_type].imports[i];
        uint32_t a = 0;
        if (!comp_nameset_find(set, im.module, &a))
            return INVALID(r, "core module import \"%.*s\" \"%.*s\" has no instantiation argument",
                           (int)im.module.len, (const char *)im.module.p, (int)im.name.len,
                           (const char *)im.name.p);
        uint32_t it = s->space[COMP_CORE_INSTANCE][d->args[a].index].type;
        const struct comp_extern *ex;
        TRY(comp_export_find(r, it, im.name, &ex));
        if (!ex)
            return INVALID(r,
                           "core module import \"%.*s\" \"%.*s\": argument instance has no "
                           "such export",
                           (int)im.module.len, (const char *)im.module.p, (int)im.name.len,
                           (const char *)im.name.p);
        if (ex->sort != im.sort)
            return INVALID(r,
                           "core module import \"%.*s\" \"%.*s\" is a %s, the argument's "
                           "export a %s",
                           (int)im.module.len, (const char *)im.module.p, (int)im.name.len,
                           (const char *)im.name.p, comp_sort_name(im.sort),
                           comp_sort_name(ex->sort));
        const struct comp_type *types = r->l->c->types;
        if (im.sort == COMP_CORE_FUNC && im.type != COMP_NONE && ex->type != COMP_NONE &&
            types[ex->type].kind == COMP_T_CORE_FUNC &&
            !comp_core_func_equal(&types[im.type], &types[ex->type])) {
            char ta[80], tb[80];
            return INVALID(r,
                           "core module import \"%.*s\" \"%.*s\" has type %s, the argument's "
                           "export %s",
                           (int)im.module.len, (const char *)im.module.p, (int)im.name.len,
                           (const char *)im.name.p,
                           comp_core_func_str(&types[im.type], ta, sizeof ta),
                           comp_core_func_str(&types[ex->type], tb, sizeof tb));
        }
    }
    return 0;
}

static int core_instantiate(struct rd *r, struct comp_component *s, struct comp_def *d)
{
    TRY(rd_u32(r, &d->a));
    TRY(comp_space_check(r, s, COMP_CORE_MODULE, d->a, "core instantiate"));
    struct comp_nameset *set = NULL;
    int rc = read_core_args(r, s, d, &set);
    uint32_t mtype = s->space[COMP_CORE_MODULE][d->a].type;
    if (!rc) rc = check_core_imports(r, s, d, set, mtype);
    comp_nameset_free(set);
    TRY(rc);
    struct comp_type it = {.kind = COMP_T_CORE_INSTANCE};
    TRY(export_index(r, mtype, &it.export_index));
    it.nexports = r->l->c->types[mtype].nexports;
    it.exports = r->l->c->types[mtype].exports;
    return comp_type_new(r, &it, &d->type);
}

static int core_inline_exports(struct rd *r, struct comp_component *s, struct comp_def *d)
{
    TRY(rd_count(r, 3, &d->nargs));
    struct comp_arg *args = comp_alloc(r->l, (size_t)d->nargs * sizeof *args + 1);
    struct comp_extern *ex = comp_alloc(r->l, (size_t)d->nargs * sizeof *ex + 1);
    struct comp_nameset *set = comp_nameset_new(r->l, true);
    if (!args || !ex || !set) return comp_fail(r, ERR_NOMEM, "out of memory");
    d->args = args;
    for (uint32_t i = 0; i < d->nargs; i++) {
        enum comp_sort sort = COMP_CORE_FUNC;
        TRY(rd_name(r, &args[i].name));
        TRY(comp_read_core_sort(r, &sort));
        if (!is_core_extern_sort(sort))
            return INVALID(r, "a core instance cannot export a %s", comp_sort_name(sort));
        args[i].sort = (uint8_t)sort;
        TRY(rd_u32(r, &args[i].index));
        TRY(comp_space_check(r, s, sort, args[i].index, "core instance export"));
        int e = comp_nameset_add(set, args[i].name, i);
        if (e == ERR_EXIST)
            return INVALID(r, "duplicate core instance export \"%.*s\"", (int)args[i].name.len,
                           (const char *)args[i].name.p);
        if (e) return comp_fail(r, e, "out of memory");
        ex[i] = (struct comp_extern){.name = args[i].name,
                                     .sort = (uint8_t)sort,
                                     .type = s->space[sort][args[i].index].type};
    }
    struct comp_type it = {
        .kind = COMP_T_CORE_INSTANCE, .nexports = d->nargs, .exports = ex, .export_index = set};
    return comp_type_new(r, &it, &d->type);
}

/* One element of the core instance section. */
static int core_instance(struct rd *r, struct comp_component *s)
{
    uint8_t tag = 0;
    struct comp_def d = {.how = COMP_DEF_INSTANTIATE};
    TRY(rd_byte(r, &tag));
    if (tag == 0x00) {
        TRY(core_instantiate(r, s, &d));
    } else if (tag == 0x01) {
        d.how = COMP_DEF_INLINE_EXPORTS;
        TRY(core_inline_exports(r, s, &d));
    } else {
        return MALFORMED(r, "unknown core instance form 0x%02x", tag);
    }
    return comp_space_add(r, s, COMP_CORE_INSTANCE, &d);
}

/* ---- nested components and component instances ------------------------ */

static int component_section(struct rd *r, struct comp_component *s)
{
    struct ld *l = r->l;
    if (l->depth >= COMP_MAX_DEPTH) return INVALID(r, "components nested too deeply");
    struct comp_component *child = comp_alloc(l, sizeof *child);
    if (!child) return comp_fail(r, ERR_NOMEM, "out of memory");
    child->parent = s;
    size_t off = (size_t)(r->p - l->c->bytes), len = (size_t)(r->end - r->p);
    l->depth++;
    int rc = comp_component_body(l, r->p, r->end, child);
    l->depth--;
    TRY(rc);
    r->p = r->end;
    uint32_t n = s->ncomponents, cap = s->cap_components;
    TRY(comp_grow(r, (void **)&s->components, n, &s->cap_components, sizeof *s->components));
    TRY(comp_grow(r, (void **)&s->component_ranges, n, &cap, sizeof *s->component_ranges));
    s->components[n] = child;
    s->component_ranges[n] = (struct comp_range){off, len};
    struct comp_type ct = {.kind = COMP_T_COMPONENT,
                           .nimports = child->nimports,
                           .imports = child->imports,
                           .nexports = child->nexports,
                           .exports = child->exports};
    struct comp_def d = {.how = COMP_DEF_COMPONENT, .a = s->ncomponents++};
    TRY(comp_type_new(r, &ct, &d.type));
    return comp_space_add(r, s, COMP_COMPONENT, &d);
}

static int read_sortidx(struct rd *r, struct comp_component *s, enum comp_sort *sort, uint32_t *idx,
                        const char *what)
{
    TRY(comp_read_sort(r, sort));
    if (*sort == COMP_VALUE) return NOTSUP(r, "value definitions are not supported");
    TRY(rd_u32(r, idx));
    return comp_space_check(r, s, *sort, *idx, what);
}

/* The exports of an instance keep the types of the component that made it,
 * whose (sub resource) imports stand for its arguments' resources: an
 * argument taken from such an instance brings that substitution along. */
static int arg_instance_subst(struct rd *r, const struct comp_component *s,
                              const struct comp_arg *a, struct comp_subst *m)
{
    const struct comp_def *d = &s->space[a->sort][a->index];
    uint32_t inst = a->index;
    if (a->sort != COMP_INSTANCE) {
        if (d->how != COMP_DEF_ALIAS_EXPORT) return 0;
        inst = d->a;
    }
    const struct comp_def *id = &s->space[COMP_INSTANCE][inst];
    for (uint32_t k = 0; k < id->nsubst; k++)
        if (comp_subst_add(m, id->subst[2 * k], id->subst[2 * k + 1]))
            return comp_fail(r, ERR_NOMEM, "out of memory");
    return 0;
}

/* Every import of the component must have an argument of the same sort
 * (types are not compared yet: see README.md). */
static int component_instantiate(struct rd *r, struct comp_component *s, struct comp_def *d)
{
    TRY(rd_u32(r, &d->a));
    TRY(comp_space_check(r, s, COMP_COMPONENT, d->a, "instantiate"));
    TRY(rd_count(r, 3, &d->nargs));
    struct comp_arg *args = comp_alloc(r->l, (size_t)d->nargs * sizeof *args + 1);
    struct comp_nameset *set = comp_nameset_new(r->l, true);
    if (!args || !set) return comp_fail(r, ERR_NOMEM, "out of memory");
    d->args = args;
    for (uint32_t i = 0; i < d->nargs; i++) {
        enum comp_sort sort = COMP_CORE_FUNC;
        TRY(rd_name(r, &args[i].name));
        TRY(read_sortidx(r, s, &sort, &args[i].index, "instantiation argument"));
        args[i].sort = (uint8_t)sort;
        int e = comp_nameset_add(set, args[i].name, i);
        if (e == ERR_EXIST)
            return INVALID(r, "duplicate instantiation argument \"%.*s\"", (int)args[i].name.len,
                           (const char *)args[i].name.p);
        if (e) return comp_fail(r, e, "out of memory");
    }
    uint32_t ctype = s->space[COMP_COMPONENT][d->a].type;
    const struct comp_type *ct = &r->l->c->types[ctype];
    struct comp_subst *m = comp_subst_new();
    int rc = m ? 0 : comp_fail(r, ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < d->nargs && !rc; i++)
        rc = arg_instance_subst(r, s, &args[i], m);
    for (uint32_t i = 0; i < ct->nimports && !rc; i++) {
        const struct comp_extern *im = &ct->imports[i];
        uint32_t a = 0;
        if (!comp_nameset_find(set, im->name, &a))
            rc = INVALID(r, "component import \"%.*s\" has no instantiation argument",
                         (int)im->name.len, (const char *)im->name.p);
        else if (args[a].sort != im->sort)
            rc = INVALID(r, "component import \"%.*s\" is a %s, its argument a %s",
                         (int)im->name.len, (const char *)im->name.p, comp_sort_name(im->sort),
                         comp_sort_name(args[a].sort));
        else
            rc = comp_arg_fits(r, m, "component import", im,
                               s->space[args[a].sort][args[a].index].type);
    }
    if (!rc) rc = comp_subst_keep(r, m, d);
    comp_subst_free(m);
    TRY(rc);
    struct comp_type it = {.kind = COMP_T_INSTANCE};
    TRY(export_index(r, ctype, &it.export_index));
    it.nexports = r->l->c->types[ctype].nexports;
    it.exports = r->l->c->types[ctype].exports;
    return comp_type_new(r, &it, &d->type);
}

static int inline_exports(struct rd *r, struct comp_component *s, struct comp_def *d)
{
    TRY(rd_count(r, 4, &d->nargs));
    struct comp_arg *args = comp_alloc(r->l, (size_t)d->nargs * sizeof *args + 1);
    struct comp_extern *ex = comp_alloc(r->l, (size_t)d->nargs * sizeof *ex + 1);
    struct comp_nameset *set = comp_nameset_new(NULL, false);
    if (!args || !ex || !set) {
        comp_nameset_free(set);
        return comp_fail(r, ERR_NOMEM, "out of memory");
    }
    d->args = args;
    int rc = 0;
    for (uint32_t i = 0; i < d->nargs && !rc; i++) {
        enum comp_sort sort = COMP_CORE_FUNC;
        if ((rc = comp_nameattrs(r, &args[i].name)) ||
            (rc = read_sortidx(r, s, &sort, &args[i].index, "instance export")))
            break;
        if (sort < COMP_FUNC && sort != COMP_CORE_MODULE) {
            rc = INVALID(r, "an instance cannot export a %s", comp_sort_name(sort));
            break;
        }
        args[i].sort = (uint8_t)sort;
        ex[i] = (struct comp_extern){.name = args[i].name,
                                     .sort = (uint8_t)sort,
                                     .type = s->space[sort][args[i].index].type};
        if (!comp_externname_ok(args[i].name))
            rc = INVALID(r, "export name \"%.*s\" is not a valid extern name",
                         (int)args[i].name.len, (const char *)args[i].name.p);
        else if (comp_nameset_add(set, args[i].name, i) == ERR_EXIST)
            rc = INVALID(r, "duplicate instance export name \"%.*s\"", (int)args[i].name.len,
                         (const char *)args[i].name.p);
    }
    comp_nameset_free(set);
    TRY(rc);
    struct comp_type it = {.kind = COMP_T_INSTANCE, .nexports = d->nargs, .exports = ex};
    return comp_type_new(r, &it, &d->type);
}

/* One element of the instance section. */
static int instance(struct rd *r, struct comp_component *s)
{
    uint8_t tag = 0;
    struct comp_def d = {.how = COMP_DEF_INSTANTIATE};
    TRY(rd_byte(r, &tag));
    if (tag == 0x00) {
        TRY(component_instantiate(r, s, &d));
    } else if (tag == 0x01) {
        d.how = COMP_DEF_INLINE_EXPORTS;
        TRY(inline_exports(r, s, &d));
    } else {
        return MALFORMED(r, "unknown instance form 0x%02x", tag);
    }
    return comp_space_add(r, s, COMP_INSTANCE, &d);
}

/* ---- aliases ---------------------------------------------------------- */

static int alias_export(struct rd *r, struct comp_component *s, enum comp_sort sort, bool core,
                        struct comp_def *d)
{
    enum comp_sort isort = core ? COMP_CORE_INSTANCE : COMP_INSTANCE;
    if (core && !is_core_extern_sort(sort))
        return INVALID(r, "a core export alias cannot be a %s", comp_sort_name(sort));
    if (!core && sort < COMP_FUNC && sort != COMP_CORE_MODULE)
        return INVALID(r, "an export alias cannot be a %s", comp_sort_name(sort));
    d->how = core ? COMP_DEF_ALIAS_CORE_EXPORT : COMP_DEF_ALIAS_EXPORT;
    TRY(rd_u32(r, &d->a));
    TRY(comp_space_check(r, s, isort, d->a, "alias"));
    TRY(rd_name(r, &d->name));
    const struct comp_extern *ex;
    TRY(comp_export_find(r, s->space[isort][d->a].type, d->name, &ex));
    if (!ex)
        return INVALID(r, "alias: %s %u has no export \"%.*s\"", comp_sort_name(isort), d->a,
                       (int)d->name.len, (const char *)d->name.p);
    if (ex->sort != sort)
        return INVALID(r, "alias: export \"%.*s\" is a %s, not a %s", (int)d->name.len,
                       (const char *)d->name.p, comp_sort_name(ex->sort), comp_sort_name(sort));
    d->type = ex->type;
    return 0;
}

static int alias_outer(struct rd *r, struct comp_component *s, enum comp_sort sort, bool in_type,
                       struct comp_def *d)
{
    if (sort != COMP_CORE_TYPE && sort != COMP_TYPE &&
        (in_type || (sort != COMP_CORE_MODULE && sort != COMP_COMPONENT)))
        return INVALID(r, "an outer alias cannot be a %s%s", comp_sort_name(sort),
                       in_type ? " in a type declaration" : "");
    d->how = COMP_DEF_ALIAS_OUTER;
    TRY(rd_u32(r, &d->a));
    TRY(rd_u32(r, &d->b));
    const struct comp_component *t = s;
    for (uint32_t i = 0; i < d->a; i++) {
        t = t->parent;
        if (!t) return INVALID(r, "outer alias count %u exceeds the enclosing scopes", d->a);
    }
    TRY(comp_space_check(r, t, sort, d->b, "outer alias"));
    d->type = t->space[sort][d->b].type;
    return 0;
}

int comp_alias(struct rd *r, struct comp_component *s, bool in_type)
{
    enum comp_sort sort = COMP_CORE_FUNC;
    uint8_t tag = 0;
    struct comp_def d = {0};
    TRY(comp_read_sort(r, &sort));
    if (sort == COMP_VALUE) return NOTSUP(r, "value definitions are not supported");
    TRY(rd_byte(r, &tag));
    if (tag == 0x00 || tag == 0x01) {
        if (in_type && (tag == 0x01 || (sort != COMP_INSTANCE && sort != COMP_TYPE)))
            return INVALID(r, "an alias in a type declaration may only be an outer alias or an "
                              "export alias of a type or instance");
        TRY(alias_export(r, s, sort, tag == 0x01, &d));
    } else if (tag == 0x02) {
        TRY(alias_outer(r, s, sort, in_type, &d));
    } else {
        return MALFORMED(r, "unknown alias form 0x%02x", tag);
    }
    return comp_space_add(r, s, sort, &d);
}

/* One element of the alias section (outside a type declarator). */
static int alias(struct rd *r, struct comp_component *s)
{
    return comp_alias(r, s, false);
}

/* ---- imports and exports ---------------------------------------------- */

static int import(struct rd *r, struct comp_component *s)
{
    struct comp_str name = {0};
    enum comp_sort sort = COMP_CORE_FUNC;
    uint32_t type = 0;
    TRY(comp_nameattrs(r, &name));
    TRY(comp_externtype(r, s, &sort, &type));
    return comp_scope_import(r, s, name, sort, type);
}

static int export_section(struct rd *r, struct comp_component *s)
{
    uint32_t n = 0;
    TRY(rd_count(r, 4, &n));
    for (uint32_t i = 0; i < n; i++) {
        struct comp_str name = {0};
        enum comp_sort sort = COMP_CORE_FUNC, asort = COMP_CORE_FUNC;
        uint32_t idx = 0, atype = 0;
        uint8_t has_type = 0;
        TRY(comp_nameattrs(r, &name));
        TRY(read_sortidx(r, s, &sort, &idx, "export"));
        if (sort < COMP_FUNC && sort != COMP_CORE_MODULE)
            return INVALID(r, "a component cannot export a %s", comp_sort_name(sort));
        uint32_t type = s->space[sort][idx].type;
        TRY(rd_byte(r, &has_type));
        if (has_type > 1) return MALFORMED(r, "malformed optional export type 0x%02x", has_type);
        if (has_type) {
            TRY(comp_externtype(r, s, &asort, &atype));
            if (asort != sort)
                return INVALID(r, "export \"%.*s\" is a %s but is ascribed a %s type",
                               (int)name.len, (const char *)name.p, comp_sort_name(sort),
                               comp_sort_name(asort));
            struct comp_extern want = {.name = name, .sort = (uint8_t)asort, .type = atype};
            struct comp_subst *m = comp_subst_new();
            int rc = m ? comp_arg_fits(r, m, "export", &want, type)
                       : comp_fail(r, ERR_NOMEM, "out of memory");
            comp_subst_free(m);
            TRY(rc);
        }
        TRY(comp_scope_export(r, s, name, sort, type, idx, true));
    }
    return 0;
}

/* ---- the section loop ------------------------------------------------- */

static const char *const section_names[] = {
    "custom", "core module", "core instance", "core type", "component", "instance", "alias",
    "type",   "canon",       "start",         "import",    "export",    "value",
};

static int section(struct rd *r, uint8_t id, struct comp_component *s)
{
    switch (id) {
    case 0: {
        struct comp_str name = {0};
        TRY(rd_name(r, &name));
        r->p = r->end;
        return 0;
    }
    case 1: return core_module_section(r, s);
    case 2: return rd_section_vec(r, s, 2, core_instance);
    case 3: return rd_section_vec(r, s, 1, comp_core_type);
    case 4: return component_section(r, s);
    case 5: return rd_section_vec(r, s, 2, instance);
    case 6: return rd_section_vec(r, s, 4, alias);
    case 7: return rd_section_vec(r, s, 1, comp_deftype);
    case 8: return rd_section_vec(r, s, 2, comp_canon_def);
    case 9: return NOTSUP(r, "start definitions (component values) are not supported");
    case 10: return rd_section_vec(r, s, 4, import);
    case 11: return export_section(r, s);
    case 12: return NOTSUP(r, "value definitions are not supported");
    default: return MALFORMED(r, "unknown section id %u", id);
    }
}

int comp_component_body(struct ld *l, const uint8_t *p, const uint8_t *end,
                        struct comp_component *s)
{
    struct rd r = {p, end, l};
    const char *outer = l->section;
    l->section = NULL;
    TRY(preamble(&r));
    while (r.p < r.end) {
        uint8_t id = 0;
        uint32_t size = 0;
        l->section = NULL;
        TRY(rd_byte(&r, &id));
        TRY(rd_u32(&r, &size));
        if (size > (size_t)(r.end - r.p))
            return MALFORMED(&r, "section %u of %u bytes runs past the end (%zu left)", id, size,
                             (size_t)(r.end - r.p));
        if (id < sizeof section_names / sizeof section_names[0]) l->section = section_names[id];
        struct rd sub = {r.p, r.p + size, l};
        TRY(section(&sub, id, s));
        if (sub.p != sub.end) return MALFORMED(&sub, "section size mismatch");
        r.p = sub.end;
    }
    l->section = outer;
    return 0;
}

int comp_load(const uint8_t *bytes, size_t len, struct comp **out, struct comp_error *err)
{
    *out = NULL;
    if (err) err->msg[0] = 0;
    struct comp *c = mem_zalloc(sizeof *c);
    if (!c) return ERR_NOMEM;
    c->bytes = bytes;
    c->len = len;
    struct ld l = {.c = c, .err = err};
    c->root = comp_alloc(&l, sizeof *c->root);
    int rc = c->root ? comp_component_body(&l, bytes, bytes + len, c->root) : ERR_NOMEM;
    if (rc) {
        comp_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void comp_free(struct comp *c)
{
    if (!c) return;
    for (uint32_t i = 0; c->loaded && i < c->root->nmodules; i++)
        wasm_module_free(c->loaded[i]);
    mem_free(c->loaded);
    comp_pool_free(c->pool);
    mem_free(c);
}
