/*
 * lib/component/instance.c - comp_instantiate_core: the root component's
 * core instances, in definition order (which respects every reference: a
 * definition refers only to earlier ones). An instance of an embedded
 * module is made by lib/wasm, its imports resolved by module name to a
 * `with` argument and by field name to that instance's export; an instance
 * of inline exports has its items resolved once, when it is defined, so
 * resolving never recurses.
 */
#include "component/instance.h"
#include "component/internal.h"
#include "component/resource.h"
#include "base/env.h"
#include "base/fmt.h"
#include "base/mem.h"

#include <stdarg.h>

struct canon_fn {
    struct comp_instance *ci;
    uint32_t index;
    char sig[2 * COMP_MAX_FLAT + 8];
    struct comp_instance *callee; /* a lower of another instance's lift; for
                                   * a resource built-in, the implementer */
    const struct comp_def *lift;
    uint32_t rt; /* a resource built-in's type, where it is defined */
};

struct comp_instance {
    const struct comp *c;
    const struct comp_component *s;
    struct comp_instance *parent, *root; /* parent NULL: this is the root */
    const struct comp_def *made_by;      /* the parent's instantiation of s */
    struct comp_instance **children;     /* per instance of s: made on first use */
    comp_link_fn link;                   /* root: calls between instances */
    struct wasm_trap *trap;              /* root: where instantiation traps go */
    struct wasm_module **modules;        /* per embedded module, loaded on first use */
    struct wasm_instance **core;         /* per core instance (NULL: inline exports) */
    struct wasm_extern **inline_items;   /* per core instance: its resolved exports */
    struct canon_fn **canon;             /* per core func defined by canon */
    uint32_t ndone;                      /* core instances made so far */
    struct comp_error *err;
    const struct wasm_config *cfg;
    comp_canon_fn canon_fn;
    void *canon_ctx;
    struct comp_handles handles; /* the resource handle table */
};

static int fail(struct comp_instance *ci, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct comp_instance *ci, int rc, const char *fmt, ...)
{
    if (!ci->err) return rc;
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(ci->err->msg, sizeof ci->err->msg, fmt, ap);
    va_end(ap);
    return rc;
}

static const char canon_names[][24] = {"lift", "lower", "resource.new", "resource.drop",
                                       "resource.rep"};

static int trap_canon(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    (void)args, (void)results;
    const struct canon_fn *f = call->user;
    const struct comp_def *d = &f->ci->s->space[COMP_CORE_FUNC][f->index];
    return wasm_host_trap(call, "canon %s (core func %u) is not implemented yet",
                          canon_names[d->canon->op], f->index);
}

/* ---- resource.new, resource.rep, resource.drop of the component's own
 * resources (CanonicalABI.md "canon resource.new" and the next two) ---- */

static int resource_new(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    const struct canon_fn *f = call->user;
    struct wasm_trap trap;
    if (comp_handle_add(&f->ci->handles, f->rt, args[0].u32, true, NULL, &results[0].u32, &trap))
        return wasm_host_trap(call, "%s", trap.reason);
    return 0;
}

static int resource_rep(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    const struct canon_fn *f = call->user;
    struct comp_handle *h = NULL;
    struct wasm_trap trap;
    if (comp_handle_get(&f->ci->handles, f->rt, args[0].u32, "resource.rep", &h, &trap))
        return wasm_host_trap(call, "%s", trap.reason);
    results[0].u32 = h->rep;
    return 0;
}

/* The destructor of resource type rt, if it has one, on rep, in impl: the
 * instance that defines rt. */
static int run_dtor(struct comp_instance *impl, uint32_t rt, uint32_t rep, struct wasm_trap *trap)
{
    uint32_t dtor = comp_type_get(impl->c, rt)->elem2;
    struct wasm_extern e = {0};
    if (dtor == COMP_NONE) return 0;
    if (comp_instance_core_item(impl, COMP_CORE_FUNC, dtor, &e) || !e.func) {
        memset(trap, 0, sizeof *trap);
        trap->kind = WASM_TRAP_HOST;
        fmt_snprintf(trap->reason, sizeof trap->reason,
                     "canonical ABI: the destructor (core func %u) is no core wasm function", dtor);
        return ERR_FAULT;
    }
    wasm_value arg = {.u32 = rep};
    return wasm_call(e.func, &arg, 1, NULL, 0, trap);
}

/* Drops handle idx of ci's table, of resource type rt as impl defines it. */
static int drop_handle(struct comp_instance *ci, struct comp_instance *impl, uint32_t rt,
                       uint32_t idx, struct wasm_trap *trap)
{
    bool dtor = false;
    uint32_t rep = 0;
    TRY(comp_handle_drop(&ci->handles, rt, idx, &dtor, &rep, trap));
    return dtor ? run_dtor(impl, rt, rep, trap) : 0;
}

static int resource_drop(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    (void)results;
    const struct canon_fn *f = call->user;
    struct wasm_trap trap;
    if (drop_handle(f->ci, f->callee, f->rt, args[0].u32, &trap))
        return wasm_host_trap(call, "%s", trap.reason);
    return 0;
}

/* The built-in for a resource an instance of this component defines (ci's
 * own, or for resource.drop one ci imports from another instance), with
 * f->rt and f->callee set; NULL for the host's resources. */
static int resource_builtin(struct comp_instance *ci, const struct comp_canon *cn,
                            struct canon_fn *f, wasm_host_fn *out)
{
    *out = NULL;
    if (cn->op < COMP_CANON_RESOURCE_NEW) return 0;
    TRY(comp_instance_resource(ci, cn->type, &f->callee, &f->rt));
    if (!f->callee) return 0;
    *out = cn->op == COMP_CANON_RESOURCE_NEW   ? resource_new
           : cn->op == COMP_CANON_RESOURCE_REP ? resource_rep
                                               : resource_drop;
    return 0;
}

struct comp_handles *comp_instance_handles(struct comp_instance *ci)
{
    return &ci->handles;
}

void comp_core_sig(const struct comp_type *t, char *buf, size_t size)
{
    size_t n = 0;
    buf[n++] = '(';
    for (int part = 0; part < 2; part++) {
        const uint8_t *v = part ? t->core_results : t->core_params;
        uint32_t count = part ? t->core_nresults : t->core_nparams;
        for (uint32_t i = 0; i < count && n + 2 < size; i++)
            buf[n++] = "FfIi"[v[i] - 0x7c];
        if (!part && n + 2 < size) buf[n++] = ')';
    }
    buf[n] = 0;
}

/* ---- calls between instances: a lower of a function another instance lifts ---- */

static int follow(struct comp_instance **ci, enum comp_sort *sort, uint32_t *idx, unsigned depth);

/* The host function of such a lower: the canonical ABI's glue (ci->root->link) lifts the
 * arguments out of this instance, calls the lift and lowers its result back. */
static int linked_call(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    const struct canon_fn *f = call->user;
    if (!f->ci->root->link)
        return wasm_host_trap(call,
                              "canon lower (core func %u): calls between components need the "
                              "canonical ABI, which this program does not link",
                              f->index);
    if (f->callee == f->ci)
        return wasm_host_trap(call,
                              "canon lower (core func %u): a component instance may not be "
                              "entered again while it runs (it lifts this function itself)",
                              f->index);
    struct wasm_trap trap;
    if (f->ci->root->link(f->ci, f->index, f->callee, f->lift, args, results, &trap))
        return wasm_host_trap(call, "%s", trap.reason);
    return 0;
}

/* Whether func `func` of ci is lifted by an instance of this component (*callee, *lift):
 * 1; 0 when it comes from the host (an import of the root); a negative error. */
static int lower_target(struct comp_instance *ci, uint32_t func, struct comp_instance **callee,
                        const struct comp_def **lift)
{
    enum comp_sort sort = COMP_FUNC;
    TRY(follow(&ci, &sort, &func, 0));
    const struct comp_def *d = &ci->s->space[COMP_FUNC][func];
    if (d->how != COMP_DEF_CANON || d->canon->op != COMP_CANON_LIFT) return 0;
    *callee = ci;
    *lift = d;
    return 1;
}

static int canon_item(struct comp_instance *ci, uint32_t idx, const struct comp_def *d,
                      struct wasm_extern *out)
{
    struct canon_fn *f = ci->canon[idx];
    if (!f) {
        if (!(f = mem_zalloc(sizeof *f))) return fail(ci, ERR_NOMEM, "out of memory");
        f->ci = ci;
        f->index = idx;
        comp_core_sig(comp_type_get(ci->c, d->type), f->sig, sizeof f->sig);
        ci->canon[idx] = f;
    }
    wasm_host_fn builtin;
    TRY(resource_builtin(ci, d->canon, f, &builtin));
    if (builtin) {
        wasm_extern_host(out, f->sig, builtin, f);
        return 0;
    }
    if (d->canon->op == COMP_CANON_LOWER) {
        int rc = lower_target(ci, d->canon->func, &f->callee, &f->lift);
        if (rc < 0) return rc;
        if (rc) {
            wasm_extern_host(out, f->sig, linked_call, f);
            return 0;
        }
    }
    if (ci->canon_fn) return ci->canon_fn(ci->canon_ctx, ci, idx, d->canon, f->sig, out);
    wasm_extern_host(out, f->sig, trap_canon, f);
    return 0;
}

static int inst_export(struct comp_instance *ci, uint32_t inst, struct comp_str name,
                       struct wasm_extern *out)
{
    if (inst >= ci->ndone) return fail(ci, ERR_INVAL, "core instance %u is not made yet", inst);
    if (ci->core[inst]) {
        if (wasm_instance_export_n(ci->core[inst], (const char *)name.p, name.len, out))
            return fail(ci, ERR_NOENT, "core instance %u has no export \"%.*s\"", inst,
                        (int)name.len, (const char *)name.p);
        return 0;
    }
    const struct comp_def *d = &ci->s->space[COMP_CORE_INSTANCE][inst];
    for (uint32_t i = 0; i < d->nargs; i++) {
        if (d->args[i].name.len == name.len && !memcmp(d->args[i].name.p, name.p, name.len)) {
            *out = ci->inline_items[inst][i];
            return 0;
        }
    }
    return fail(ci, ERR_NOENT, "core instance %u has no export \"%.*s\"", inst, (int)name.len,
                (const char *)name.p);
}

int comp_instance_core_item(struct comp_instance *ci, enum comp_sort sort, uint32_t idx,
                            struct wasm_extern *out)
{
    if (sort > COMP_CORE_GLOBAL || idx >= ci->s->count[sort])
        return fail(ci, ERR_NOENT, "no %s %u", comp_sort_name(sort), idx);
    const struct comp_def *d = &ci->s->space[sort][idx];
    if (d->how == COMP_DEF_ALIAS_CORE_EXPORT) return inst_export(ci, d->a, d->name, out);
    if (d->how == COMP_DEF_CANON && sort == COMP_CORE_FUNC) return canon_item(ci, idx, d, out);
    return fail(ci, ERR_NOTSUP, "%s %u: this kind of definition is not instantiated yet",
                comp_sort_name(sort), idx);
}

/* lib/wasm's import resolver for one instantiation. */
struct resolve_ctx {
    struct comp_instance *ci;
    const struct comp_def *d;
    int rc;
};

static int resolve(void *p, const struct wasm_import *imp, struct wasm_extern *out)
{
    struct resolve_ctx *r = p;
    for (uint32_t i = 0; i < r->d->nargs; i++) {
        const struct comp_arg *a = &r->d->args[i];
        if (a->name.len != imp->module_len || memcmp(a->name.p, imp->module, imp->module_len))
            continue;
        struct comp_str name = {(const uint8_t *)imp->name, (uint32_t)imp->name_len};
        r->rc = inst_export(r->ci, a->index, name, out);
        return r->rc ? ERR_NOENT : 0;
    }
    return ERR_NOENT;
}

static int module_of(struct comp_instance *ci, uint32_t m, struct wasm_module **out)
{
    const struct comp_def *d = &ci->s->space[COMP_CORE_MODULE][m];
    if (d->how != COMP_DEF_MODULE)
        return fail(ci, ERR_NOTSUP, "core module %u: only embedded modules are instantiated yet",
                    m);
    if (ci->s == ci->c->root && ci->c->loaded) {
        *out = ci->c->loaded[d->a];
        return 0;
    }
    if (!ci->modules[d->a]) {
        const struct comp_range *r = &ci->s->modules[d->a];
        struct wasm_error werr;
        int rc = wasm_module_load(ci->c->bytes + r->offset, r->len, &ci->modules[d->a], &werr);
        if (rc) return fail(ci, rc, "core module %u: %s", m, werr.msg);
    }
    *out = ci->modules[d->a];
    return 0;
}

int comp_preload_modules(struct comp *c, struct comp_error *err)
{
    const struct comp_component *s = c->root;
    struct wasm_module **m = mem_zalloc(sizeof(*m) * ((size_t)s->nmodules + 1));
    if (!m) {
        fmt_snprintf(err->msg, sizeof err->msg, "out of memory");
        return ERR_NOMEM;
    }
    for (uint32_t i = 0; i < s->nmodules; i++) {
        struct wasm_error werr;
        int rc = wasm_module_load(c->bytes + s->modules[i].offset, s->modules[i].len, &m[i], &werr);
        if (rc) {
            fmt_snprintf(err->msg, sizeof err->msg, "core module %u: %s", i, werr.msg);
            while (i-- > 0)
                wasm_module_free(m[i]);
            mem_free(m);
            return rc;
        }
    }
    c->loaded = m;
    return 0;
}

static int make_instance(struct comp_instance *ci, uint32_t i, struct wasm_trap *trap)
{
    const struct comp_def *d = &ci->s->space[COMP_CORE_INSTANCE][i];
    if (d->how == COMP_DEF_INLINE_EXPORTS) {
        struct wasm_extern *items = mem_zalloc((size_t)d->nargs * sizeof *items + 1);
        if (!items) return fail(ci, ERR_NOMEM, "out of memory");
        ci->inline_items[i] = items;
        for (uint32_t k = 0; k < d->nargs; k++)
            TRY(comp_instance_core_item(ci, d->args[k].sort, d->args[k].index, &items[k]));
        return 0;
    }
    if (d->how != COMP_DEF_INSTANTIATE)
        return fail(ci, ERR_NOTSUP,
                    "core instance %u: only instantiations and inline exports "
                    "are made yet",
                    i);
    struct wasm_module *mod = NULL;
    TRY(module_of(ci, d->a, &mod));
    struct resolve_ctx r = {ci, d, 0};
    struct wasm_error werr;
    int rc = wasm_instance_new(mod, ci->cfg, resolve, &r, &ci->core[i], &werr, trap);
    if (rc == ERR_FAULT) {
        ci->ndone = i + 1; /* freed with the others */
        return fail(ci, rc, "core instance %u trapped while it was made", i);
    }
    if (rc && r.rc) return r.rc; /* our message */
    if (rc) return fail(ci, rc, "core instance %u: %s", i, werr.msg);
    return 0;
}

/* A new, empty instance of s (NULL: out of memory). */
static struct comp_instance *instance_alloc(const struct comp *c, const struct comp_component *s)
{
    struct comp_instance *ci = mem_zalloc(sizeof *ci);
    if (!ci) return NULL;
    ci->c = c, ci->s = s, ci->root = ci;
    uint32_t ninst = s->count[COMP_CORE_INSTANCE];
    ci->modules = mem_zalloc((size_t)s->nmodules * sizeof *ci->modules + 1);
    ci->core = mem_zalloc((size_t)ninst * sizeof *ci->core + 1);
    ci->inline_items = mem_zalloc((size_t)ninst * sizeof *ci->inline_items + 1);
    ci->canon = mem_zalloc((size_t)s->count[COMP_CORE_FUNC] * sizeof *ci->canon + 1);
    ci->children = mem_zalloc((size_t)s->count[COMP_INSTANCE] * sizeof *ci->children + 1);
    if (!ci->modules || !ci->core || !ci->inline_items || !ci->canon || !ci->children) {
        comp_instance_free(ci);
        return NULL;
    }
    return ci;
}

/* ci's core instances, in definition order. */
static int make_core_instances(struct comp_instance *ci, struct wasm_trap *trap)
{
    for (uint32_t i = 0; i < ci->s->count[COMP_CORE_INSTANCE]; i++) {
        TRY(make_instance(ci, i, trap));
        ci->ndone = i + 1;
    }
    return 0;
}

/* ---- nested component instances, made when first needed ---- */

/* Instance `inst` of ci, an instantiation of a nested component: made (its core
 * instances) on first use, with the instantiation's arguments as its imports. */
static int child_of(struct comp_instance *ci, uint32_t inst, struct comp_instance **out)
{
    if ((*out = ci->children[inst])) return 0;
    const struct comp_def *d = &ci->s->space[COMP_INSTANCE][inst];
    const struct comp_def *cd = &ci->s->space[COMP_COMPONENT][d->a];
    if (cd->how != COMP_DEF_COMPONENT)
        return fail(ci, ERR_NOTSUP,
                    "instance %u: only instances of nested components are made yet "
                    "(component %u is %s)",
                    inst, d->a, cd->how == COMP_DEF_IMPORT ? "imported" : "an alias");
    struct comp_instance *k = instance_alloc(ci->c, ci->s->components[cd->a]);
    if (!k) return fail(ci, ERR_NOMEM, "out of memory");
    struct comp_instance *root = ci->root;
    k->parent = ci, k->root = root, k->made_by = d;
    k->err = root->err, k->cfg = root->cfg, k->canon_fn = root->canon_fn;
    k->canon_ctx = root->canon_ctx;
    struct wasm_trap trap;
    int rc = make_core_instances(k, &trap);
    if (rc) {
        if (rc == ERR_FAULT && root->trap) *root->trap = trap;
        comp_instance_free(k);
        return rc;
    }
    ci->children[inst] = *out = k;
    return 0;
}

/* The argument that the instantiation of ci gives for its import d. */
static int import_arg(struct comp_instance *ci, const struct comp_def *d, enum comp_sort sort,
                      uint32_t *idx)
{
    for (uint32_t i = 0; i < ci->made_by->nargs; i++) {
        const struct comp_arg *a = &ci->made_by->args[i];
        if (a->sort == sort && a->name.len == d->name.len &&
            !memcmp(a->name.p, d->name.p, d->name.len)) {
            *idx = a->index;
            return 0;
        }
    }
    return fail(ci, ERR_NOENT, "no argument for the import \"%.*s\" of a nested component",
                (int)d->name.len, (const char *)d->name.p);
}

/* Export `name` (of *sort) of instance inst of *ci, an inline instance or an instance of
 * a nested component: *ci and *idx where it is, *sort its sort. */
static int instance_item(struct comp_instance **ci, uint32_t inst, struct comp_str name,
                         enum comp_sort *sort, uint32_t *idx)
{
    const struct comp_def *d = &(*ci)->s->space[COMP_INSTANCE][inst];
    if (d->how == COMP_DEF_INLINE_EXPORTS) {
        for (uint32_t i = 0; i < d->nargs; i++) {
            if (d->args[i].name.len == name.len && !memcmp(d->args[i].name.p, name.p, name.len)) {
                *sort = d->args[i].sort, *idx = d->args[i].index;
                return 0;
            }
        }
    } else if (d->how == COMP_DEF_INSTANTIATE) {
        struct comp_instance *child;
        TRY(child_of(*ci, inst, &child));
        if (!comp_export_index(child->s, *sort, name, idx)) {
            *ci = child;
            return 0;
        }
    } else {
        return fail(*ci, ERR_NOTSUP, "instance %u is %s", inst,
                    d->how == COMP_DEF_IMPORT ? "imported" : "not followed yet");
    }
    return fail(*ci, ERR_NOENT, "instance %u has no %s export \"%.*s\"", inst,
                comp_sort_name(*sort), (int)name.len, (const char *)name.p);
}

#define MAX_FOLLOW 100000

/* Where item (*sort, *idx) of *ci is defined: follows exports, aliases of instance exports
 * and the imports of nested instances (to their arguments) across instances, making
 * nested instances as it goes. Stops at any other definition, at an import of the root,
 * or at an alias of an export of an instance the root imports. */
static int follow(struct comp_instance **ci, enum comp_sort *sort, uint32_t *idx, unsigned depth)
{
    for (unsigned step = 0; step < MAX_FOLLOW; step++) {
        struct comp_instance *k = *ci;
        if (*idx >= k->s->count[*sort])
            return fail(k, ERR_INVAL, "%s %u is out of range", comp_sort_name(*sort), *idx);
        const struct comp_def *d = &k->s->space[*sort][*idx];
        if (d->how == COMP_DEF_EXPORT) {
            *idx = d->a;
        } else if (d->how == COMP_DEF_IMPORT) {
            if (!k->parent) return 0;
            TRY(import_arg(k, d, *sort, idx));
            *ci = k->parent;
        } else if (d->how == COMP_DEF_ALIAS_OUTER) {
            for (uint32_t up = 0; up < d->a && k; up++)
                k = k->parent;
            if (!k) return 0; /* the scope of a type declaration */
            *ci = k, *idx = d->b;
        } else if (d->how == COMP_DEF_ALIAS_EXPORT) {
            enum comp_sort isort = COMP_INSTANCE;
            uint32_t inst = d->a;
            if (depth >= 2 * COMP_MAX_DEPTH)
                return fail(k, ERR_INVAL, "instance exports aliased too deeply");
            TRY(follow(&k, &isort, &inst, depth + 1));
            uint8_t how = k->s->space[COMP_INSTANCE][inst].how;
            if (how == COMP_DEF_IMPORT || how == COMP_DEF_ALIAS_EXPORT) return 0; /* the host's */
            TRY(instance_item(&k, inst, d->name, sort, idx));
            *ci = k;
        } else {
            return 0;
        }
    }
    return fail(*ci, ERR_LOOP, "too many steps following %s %u", comp_sort_name(*sort), *idx);
}

int comp_instance_find_lift(struct comp_instance *ci, const char *export, const char *func,
                            struct comp_instance **owner, const struct comp_def **lift,
                            struct wasm_trap *trap)
{
    struct comp_str name = {(const uint8_t *)export, (uint32_t)strlen(export)};
    enum comp_sort sort = func ? COMP_INSTANCE : COMP_FUNC;
    uint32_t idx;
    if (comp_export_index(ci->s, sort, name, &idx))
        return fail(ci, ERR_NOENT, "no %s export \"%s\"", comp_sort_name(sort), export);
    ci->root->trap = trap;
    int rc = follow(&ci, &sort, &idx, 0);
    if (!rc && func) {
        struct comp_str field = {(const uint8_t *)func, (uint32_t)strlen(func)};
        sort = COMP_FUNC;
        rc = instance_item(&ci, idx, field, &sort, &idx);
        if (!rc) rc = follow(&ci, &sort, &idx, 0);
    }
    ci->root->trap = NULL;
    if (rc) return rc;
    const struct comp_def *d = &ci->s->space[sort][idx];
    if (sort != COMP_FUNC || d->how != COMP_DEF_CANON || d->canon->op != COMP_CANON_LIFT)
        return fail(ci, ERR_NOENT, "\"%s%s%s\" is not lifted by this component", export,
                    func ? "#" : "", func ? func : "");
    *owner = ci;
    *lift = d;
    return 0;
}

int comp_instance_resource(struct comp_instance *ci, uint32_t rt, struct comp_instance **impl,
                           uint32_t *def_rt)
{
    *impl = NULL, *def_rt = rt;
    if (comp_type_get(ci->c, rt)->owner == ci->s) {
        *impl = ci;
        return 0;
    }
    for (uint32_t i = 0; i < ci->s->count[COMP_TYPE]; i++) {
        if (ci->s->space[COMP_TYPE][i].type != rt) continue;
        enum comp_sort sort = COMP_TYPE;
        uint32_t idx = i;
        TRY(follow(&ci, &sort, &idx, 0));
        const struct comp_def *d = &ci->s->space[COMP_TYPE][idx];
        if (d->how == COMP_DEF_TYPE && comp_type_get(ci->c, d->type)->owner == ci->s)
            *impl = ci, *def_rt = d->type;
        return 0;
    }
    return 0;
}

void comp_instance_set_link(struct comp_instance *ci, comp_link_fn link)
{
    ci->root->link = link;
}

const struct comp_component *comp_instance_scope(const struct comp_instance *ci)
{
    return ci->s;
}

int comp_instantiate_core(const struct comp *c, const struct wasm_config *cfg, comp_canon_fn canon,
                          void *canon_ctx, struct comp_instance **out, struct comp_error *err,
                          struct wasm_trap *trap)
{
    *out = NULL;
    struct comp_instance *ci = instance_alloc(c, c->root);
    if (!ci) return ERR_NOMEM;
    ci->err = err, ci->cfg = cfg, ci->trap = trap;
    ci->canon_fn = canon, ci->canon_ctx = canon_ctx;
    int rc = make_core_instances(ci, trap);
    ci->trap = NULL;
    if (rc) {
        comp_instance_free(ci);
        return rc;
    }
    *out = ci;
    return 0;
}

void comp_instance_free(struct comp_instance *ci)
{
    if (!ci) return;
    for (uint32_t i = 0; ci->children && i < ci->s->count[COMP_INSTANCE]; i++)
        comp_instance_free(ci->children[i]);
    for (uint32_t i = ci->ndone; i-- > 0;) { /* later instances may use earlier ones */
        if (ci->core) wasm_instance_free(ci->core[i]);
        if (ci->inline_items) mem_free(ci->inline_items[i]);
    }
    for (uint32_t i = 0; ci->modules && i < ci->s->nmodules; i++)
        if (ci->modules[i]) wasm_module_free(ci->modules[i]);
    for (uint32_t i = 0; ci->canon && i < ci->s->count[COMP_CORE_FUNC]; i++)
        mem_free(ci->canon[i]);
    mem_free(ci->modules);
    mem_free(ci->core);
    mem_free(ci->inline_items);
    mem_free(ci->canon);
    mem_free(ci->children);
    comp_handles_free(&ci->handles);
    mem_free(ci);
}

struct wasm_instance *comp_instance_core(const struct comp_instance *ci, uint32_t idx)
{
    return idx < ci->ndone ? ci->core[idx] : NULL;
}

struct comp_error *comp_instance_error(struct comp_instance *ci)
{
    return ci->err;
}

const struct comp *comp_instance_comp(const struct comp_instance *ci)
{
    return ci->c;
}
