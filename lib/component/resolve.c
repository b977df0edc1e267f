/*
 * lib/component/resolve.c - following a component's exported function to
 * the canon lift that defines it: through export and alias definitions,
 * instances of inline exports, and instances of nested components (whose
 * imports are the instantiation's arguments). This is what a runner needs
 * to find `wasi:cli/run`'s `run`. Iterative, with a bounded number of
 * steps and a stack of at most COMP_MAX_DEPTH nested instances.
 */
#include "component/component.h"
#include "component/internal.h"
#include "base/fmt.h"
#include "base/mem.h"

#include <stdarg.h>

#define MAX_STEPS 100000

struct frame {
    const struct comp_component *s;
    const struct comp_def *inst; /* the instantiation that made s (NULL: root) */
    const struct comp_component *outer;
};

struct walk {
    struct frame stack[COMP_MAX_DEPTH + 1];
    int top;
    struct comp_error *err;
};

static int wfail(struct walk *w, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int wfail(struct walk *w, int rc, const char *fmt, ...)
{
    if (!w->err) return rc;
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(w->err->msg, sizeof w->err->msg, fmt, ap);
    va_end(ap);
    return rc;
}

static bool str_eq(struct comp_str a, const uint8_t *p, size_t n)
{
    return a.len == n && !memcmp(a.p, p, n);
}

int comp_export_index(const struct comp_component *s, enum comp_sort sort, struct comp_str name,
                      uint32_t *idx)
{
    for (uint32_t i = 0; i < s->count[sort]; i++) {
        const struct comp_def *d = &s->space[sort][i];
        if (d->how == COMP_DEF_EXPORT && str_eq(d->name, name.p, name.len)) {
            *idx = i;
            return 0;
        }
    }
    return ERR_NOENT;
}

/* Follows instance `inst` of the current scope to its export `name` of
 * `sort`: *idx in the (possibly new) current scope. */
static int instance_export(struct walk *w, uint32_t inst, struct comp_str name, enum comp_sort sort,
                           uint32_t *idx)
{
    const struct comp_component *s = w->stack[w->top].s;
    const struct comp_def *d = &s->space[COMP_INSTANCE][inst];
    if (d->how == COMP_DEF_INLINE_EXPORTS) {
        for (uint32_t i = 0; i < d->nargs; i++) {
            if (str_eq(d->args[i].name, name.p, name.len) && d->args[i].sort == sort) {
                *idx = d->args[i].index;
                return 0;
            }
        }
        return wfail(w, ERR_NOENT, "instance %u has no %s export \"%.*s\"", inst,
                     comp_sort_name(sort), (int)name.len, (const char *)name.p);
    }
    if (d->how == COMP_DEF_INSTANTIATE) {
        const struct comp_def *cd = &s->space[COMP_COMPONENT][d->a];
        if (cd->how != COMP_DEF_COMPONENT)
            return wfail(w, ERR_NOTSUP, "instance %u: an instance of an imported component", inst);
        if (w->top >= COMP_MAX_DEPTH) return wfail(w, ERR_INVAL, "instances nested too deeply");
        const struct comp_component *child = s->components[cd->a];
        w->stack[++w->top] = (struct frame){child, d, s};
        if (comp_export_index(child, sort, name, idx))
            return wfail(w, ERR_NOENT, "component %u has no %s export \"%.*s\"", d->a,
                         comp_sort_name(sort), (int)name.len, (const char *)name.p);
        return 0;
    }
    return wfail(w, ERR_NOTSUP, "instance %u is %s", inst,
                 d->how == COMP_DEF_IMPORT ? "imported" : "not followed yet");
}

/* An import of a nested component is the instantiation's argument. */
static int import_arg(struct walk *w, const struct comp_def *d, enum comp_sort sort, uint32_t *idx)
{
    const struct frame *f = &w->stack[w->top];
    if (!f->inst)
        return wfail(w, ERR_NOENT, "%s \"%.*s\" is imported by the component", comp_sort_name(sort),
                     (int)d->name.len, (const char *)d->name.p);
    for (uint32_t i = 0; i < f->inst->nargs; i++) {
        const struct comp_arg *a = &f->inst->args[i];
        if (str_eq(a->name, d->name.p, d->name.len) && a->sort == sort) {
            *idx = a->index;
            w->top--;
            return 0;
        }
    }
    return wfail(w, ERR_NOENT, "no argument for import \"%.*s\"", (int)d->name.len,
                 (const char *)d->name.p);
}

/* Follows entry idx of `sort` (func or instance) until a func is a lift
 * (or, for an instance, until it can give the export asked for). */
static int follow(struct walk *w, enum comp_sort sort, uint32_t idx, struct comp_str field,
                  const struct comp_def **lift)
{
    for (unsigned step = 0; step < MAX_STEPS; step++) {
        const struct comp_component *s = w->stack[w->top].s;
        if (idx >= s->count[sort])
            return wfail(w, ERR_INVAL, "%s %u out of range", comp_sort_name(sort), idx);
        const struct comp_def *d = &s->space[sort][idx];
        switch (d->how) {
        case COMP_DEF_CANON:
            if (sort != COMP_FUNC) return wfail(w, ERR_INVAL, "not a function");
            *lift = d;
            return 0;
        case COMP_DEF_EXPORT: idx = d->a; break;
        case COMP_DEF_ALIAS_EXPORT: {
            uint32_t next;
            TRY(instance_export(w, d->a, d->name, sort, &next));
            idx = next;
            break;
        }
        case COMP_DEF_IMPORT: TRY(import_arg(w, d, sort, &idx)); break;
        case COMP_DEF_INLINE_EXPORTS:
        case COMP_DEF_INSTANTIATE:
            if (sort != COMP_INSTANCE) return wfail(w, ERR_INVAL, "not an instance");
            TRY(instance_export(w, idx, field, COMP_FUNC, &idx));
            sort = COMP_FUNC;
            break;
        default:
            return wfail(w, ERR_NOTSUP, "%s %u: a definition that is not followed yet",
                         comp_sort_name(sort), idx);
        }
    }
    return wfail(w, ERR_LOOP, "too many steps");
}

int comp_find_lift(const struct comp *c, const char *export, const char *func,
                   const struct comp_component **scope, const struct comp_def **lift,
                   struct comp_error *err)
{
    struct walk w = {.top = 0, .err = err};
    w.stack[0] = (struct frame){c->root, NULL, NULL};
    struct comp_str name = {(const uint8_t *)export, (uint32_t)strlen(export)};
    struct comp_str field = {(const uint8_t *)(func ? func : ""),
                             func ? (uint32_t)strlen(func) : 0};
    enum comp_sort sort = func ? COMP_INSTANCE : COMP_FUNC;
    uint32_t idx;
    if (comp_export_index(c->root, sort, name, &idx))
        return wfail(&w, ERR_NOENT, "no %s export \"%s\"", comp_sort_name(sort), export);
    TRY(follow(&w, sort, idx, field, lift));
    *scope = w.stack[w.top].s;
    return 0;
}

int comp_func_lift(const struct comp *c, uint32_t func, const struct comp_def **lift,
                   struct comp_error *err)
{
    struct walk w = {.top = 0, .err = err};
    w.stack[0] = (struct frame){c->root, NULL, NULL};
    struct comp_str none = {(const uint8_t *)"", 0};
    return follow(&w, COMP_FUNC, func, none, lift);
}
