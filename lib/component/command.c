/*
 * lib/component/command.c - a WASI 0.2 command component over lib/wasi:
 * the load-time check of its imports, canon lowers and resource drops
 * against lib/wasi's table, the canon hook of comp_instantiate_core that
 * binds each lowered function to lib/wasi with the lower's memory and
 * realloc, and wasi:cli/run's run lifted into an exit status.
 */
#include "component/command.h"
#include "component/internal.h"
#include "base/fmt.h"
#include "base/mem.h"

#define STR(s) (int)(s).len, (const char *)(s).p

/* The interface and function name of the imported function `func` of s
 * (an alias of an export of an imported instance), or ERR_NOTSUP. */
static int import_name(const struct comp_component *s, uint32_t func, struct comp_str *iface,
                       struct comp_str *name)
{
    const struct comp_def *d = &s->space[COMP_FUNC][func];
    if (d->how != COMP_DEF_ALIAS_EXPORT) return ERR_NOTSUP;
    const struct comp_def *inst = &s->space[COMP_INSTANCE][d->a];
    if (inst->how != COMP_DEF_IMPORT) return ERR_NOTSUP;
    *iface = inst->name;
    *name = d->name;
    return 0;
}

/* "[resource-drop]R" for the resource type `res`, exported as R by an
 * imported instance whose interface lib/wasi has that drop for (the same
 * resource may be re-exported by other interfaces, as wasi:io/streams'
 * error). 0 with *iface and drop (NUL-terminated), or ERR_NOENT. */
static int drop_name(const struct comp *c, uint32_t res, struct comp_str *iface, char *drop,
                     size_t size)
{
    const struct comp_component *s = c->root;
    for (uint32_t i = 0; i < s->nimports; i++) {
        const struct comp_extern *im = &s->imports[i];
        if (im->sort != COMP_INSTANCE) continue;
        const struct comp_type *t = comp_type_get(c, im->type);
        for (uint32_t k = 0; k < t->nexports; k++) {
            const struct comp_extern *ex = &t->exports[k];
            if (ex->sort != COMP_TYPE || ex->type != res) continue;
            fmt_snprintf(drop, size, "[resource-drop]%.*s", STR(ex->name));
            if (wasi_p2_signature((const char *)im->name.p, im->name.len, drop, strlen(drop))) {
                *iface = im->name;
                return 0;
            }
        }
    }
    return ERR_NOENT;
}

/* A string or list somewhere in the value type t (COMP_NONE: none). */
static bool has_list(const struct comp *c, uint32_t t)
{
    if (t == COMP_NONE) return false;
    if (COMP_IS_PRIM(t)) return COMP_PRIM_CODE(t) == COMP_PRIM_STRING;
    return comp_type_get(c, t)->has_list;
}

static const char *const encodings[] = {"utf8", "utf16", "latin1+utf16"};

static int check_lower(const struct comp *c, uint32_t idx, const struct comp_def *d,
                       struct comp_error *err)
{
    const struct comp_component *s = c->root;
    struct comp_str iface, name;
    const struct comp_def *lift;
    if (import_name(s, d->canon->func, &iface, &name)) {
        if (!comp_func_lift(c, d->canon->func, &lift, NULL))
            return 0; /* lifted by an instance of the component: a call between them */
        return comp_errorf(err, ERR_NOTSUP,
                           "core func %u: canon lower of func %u, which is neither imported nor "
                           "lifted by the component (not supported yet)",
                           idx, d->canon->func);
    }
    const char *sig =
        wasi_p2_signature((const char *)iface.p, iface.len, (const char *)name.p, name.len);
    if (!sig)
        return comp_errorf(err, ERR_NOENT,
                           "component imports %.*s#%.*s, which this host does not provide",
                           STR(iface), STR(name));
    char want[COMP_SIG_MAX] = "?";
    if (d->type != COMP_NONE) comp_core_sig(comp_type_get(c, d->type), want, sizeof want);
    if (strcmp(sig, want))
        return comp_errorf(err, ERR_INVAL,
                           "canon lower of %.*s#%.*s has core type %s, the host's is %s",
                           STR(iface), STR(name), want, sig);
    const struct comp_type *ft = comp_type_get(c, s->space[COMP_FUNC][d->canon->func].type);
    bool strings = has_list(c, ft->elem);
    for (uint32_t i = 0; i < ft->nfields; i++)
        strings = strings || has_list(c, ft->fields[i].type);
    if (d->canon->encoding != COMP_UTF8 && strings)
        return comp_errorf(
            err, ERR_NOTSUP,
            "canon lower of %.*s#%.*s uses string-encoding=%s; this host supports utf8 "
            "only",
            STR(iface), STR(name), encodings[d->canon->encoding]);
    return 0;
}

static int check_canon(const struct comp *c, uint32_t idx, const struct comp_def *d,
                       struct comp_error *err)
{
    struct comp_str iface;
    char drop[160];
    if (d->canon->op == COMP_CANON_LOWER) return check_lower(c, idx, d, err);
    if (comp_type_get(c, d->canon->type)->owner)
        return 0; /* a resource of the component or a nested one: instance.c's built-ins */
    if (drop_name(c, d->canon->type, &iface, drop, sizeof drop))
        return comp_errorf(err, ERR_NOTSUP,
                           "core func %u: resource.drop of type %u, which is no resource this "
                           "host provides",
                           idx, d->canon->type);
    return 0;
}

int comp_command_check(const struct comp *c, struct comp_error *err)
{
    const struct comp_component *s = c->root;
    for (uint32_t i = 0; i < s->nimports; i++) {
        const struct comp_extern *im = &s->imports[i];
        if (im->sort != COMP_INSTANCE)
            return comp_errorf(err, ERR_NOENT,
                               "component imports %.*s (a %s), which this host does "
                               "not provide",
                               STR(im->name), comp_sort_name(im->sort));
        const struct comp_type *t = comp_type_get(c, im->type);
        for (uint32_t k = 0; k < t->nexports; k++) {
            const struct comp_extern *ex = &t->exports[k];
            if (ex->sort == COMP_FUNC && !wasi_p2_signature((const char *)im->name.p, im->name.len,
                                                            (const char *)ex->name.p, ex->name.len))
                return comp_errorf(err, ERR_NOENT,
                                   "component imports %.*s#%.*s, which this host does not provide",
                                   STR(im->name), STR(ex->name));
        }
    }
    for (uint32_t i = 0; i < s->count[COMP_CORE_FUNC]; i++) {
        const struct comp_def *d = &s->space[COMP_CORE_FUNC][i];
        if (d->how == COMP_DEF_CANON) TRY(check_canon(c, i, d, err));
    }
    return 0;
}

/* ---- instantiation ------------------------------------------------------ */

/* The canon hook: lib/wasi's function for each lower and resource.drop
 * (checked by comp_command_check, so names and types are known to fit). */
static int bind(void *ctx, struct comp_instance *ci, uint32_t index, const struct comp_canon *canon,
                const char *sig, struct wasm_extern *out)
{
    struct wasi_ctx *w = ctx;
    const struct comp *c = comp_instance_comp(ci);
    struct comp_error *err = comp_instance_error(ci);
    struct comp_str iface, name;
    char drop[160];
    struct wasm_extern mem = {0}, realloc = {0};
    if (canon->op == COMP_CANON_RESOURCE_DROP) {
        if (drop_name(c, canon->type, &iface, drop, sizeof drop))
            return comp_errorf(err, ERR_NOTSUP, "core func %u: not a resource of this host", index);
        name.p = (const uint8_t *)drop;
        name.len = (uint32_t)strlen(drop);
    } else if (canon->op != COMP_CANON_LOWER || import_name(c->root, canon->func, &iface, &name)) {
        return comp_errorf(err, ERR_NOTSUP, "core func %u (%s): not supported yet", index, sig);
    } else {
        if (canon->memory != COMP_NONE)
            TRY(comp_instance_core_item(ci, COMP_CORE_MEMORY, canon->memory, &mem));
        if (canon->realloc != COMP_NONE) {
            TRY(comp_instance_core_item(ci, COMP_CORE_FUNC, canon->realloc, &realloc));
            if (!realloc.func)
                return comp_errorf(err, ERR_NOTSUP,
                                   "canon lower of %.*s#%.*s: realloc is not a core wasm function",
                                   STR(iface), STR(name));
        }
    }
    int rc = wasi_p2_bind(w, (const char *)iface.p, iface.len, (const char *)name.p, name.len,
                          mem.memory, realloc.func, out);
    if (rc == ERR_NOENT)
        return comp_errorf(err, rc, "component imports %.*s#%.*s, which this host does not provide",
                           STR(iface), STR(name));
    if (rc) return comp_errorf(err, rc, "out of memory");
    if (strcmp(out->host_sig, sig))
        return comp_errorf(err, ERR_INVAL, "%.*s#%.*s has core type %s here, the host's is %s",
                           STR(iface), STR(name), sig, out->host_sig);
    return 0;
}

int comp_command_instantiate(const struct comp *c, struct wasi_ctx *w,
                             const struct wasm_config *cfg, struct comp_instance **out,
                             struct comp_error *err, struct wasm_trap *trap)
{
    return comp_instantiate_core(c, cfg, bind, w, out, err, trap);
}

/* ---- wasi:cli/run -------------------------------------------------------- */

/* The name of the export "wasi:cli/run@0.2.N" (NUL-terminated in buf). */
static bool run_export(const struct comp_component *s, char *buf, size_t size)
{
    static const char prefix[] = "wasi:cli/run@0.2.";
    for (uint32_t i = 0; i < s->nexports; i++) {
        const struct comp_str *n = &s->exports[i].name;
        if (s->exports[i].sort == COMP_INSTANCE && n->len < size && n->len > sizeof prefix - 1 &&
            !memcmp(n->p, prefix, sizeof prefix - 1)) {
            memcpy(buf, n->p, n->len);
            buf[n->len] = 0;
            return true;
        }
    }
    return false;
}

/* Calls f; an exit (wasi:cli/exit) becomes *status and *exited. */
static int call(struct wasm_func *f, const wasm_value *args, uint32_t nargs, wasm_value *res,
                uint32_t nres, int *status, bool *exited, struct wasm_trap *trap)
{
    int rc = wasm_call(f, args, nargs, res, nres, trap);
    if (rc == ERR_FAULT && trap->kind == WASM_TRAP_EXIT) {
        *status = trap->exit_code;
        *exited = true;
        return 0;
    }
    return rc;
}

int comp_command_run(struct comp_instance *ci, int *status, struct wasm_trap *trap,
                     struct comp_error *err)
{
    const struct comp *c = comp_instance_comp(ci);
    char name[64];
    *status = 0;
    if (!run_export(c->root, name, sizeof name))
        return comp_errorf(err, ERR_NOENT, "the component exports no wasi:cli/run@0.2.N");
    const struct comp_component *scope;
    const struct comp_def *lift;
    TRY(comp_find_lift(c, name, "run", &scope, &lift, err));
    if (scope != c->root)
        return comp_errorf(err, ERR_NOTSUP, "%s#run is lifted in a nested component (not run yet)",
                           name);
    const struct comp_type *ft = comp_type_get(c, lift->type);
    const struct comp_type *rt =
        ft->elem == COMP_NONE || COMP_IS_PRIM(ft->elem) ? NULL : comp_type_get(c, ft->elem);
    if (ft->nfields || !rt || rt->kind != COMP_T_RESULT || rt->elem != COMP_NONE ||
        rt->elem2 != COMP_NONE)
        return comp_errorf(err, ERR_INVAL, "%s#run is not func() -> result", name);
    struct wasm_extern f, post = {0};
    bool has_post = lift->canon->post_return != COMP_NONE;
    TRY(comp_instance_core_item(ci, COMP_CORE_FUNC, lift->canon->func, &f));
    if (has_post) TRY(comp_instance_core_item(ci, COMP_CORE_FUNC, lift->canon->post_return, &post));
    if (!f.func || (has_post && !post.func))
        return comp_errorf(err, ERR_NOTSUP, "%s#run lifts a host function", name);
    wasm_value res = {0};
    bool exited = false;
    int rc = call(f.func, NULL, 0, &res, 1, status, &exited, trap);
    if (rc || exited) return rc;
    if (res.u32 > 1) /* CanonicalABI.md lift_flat_variant: a case out of range traps */
        return comp_errorf(err, ERR_INVAL, "%s#run returned result case %u", name, res.u32);
    *status = (int)res.u32;
    if (has_post) {
        int st = *status;
        rc = call(post.func, &res, 1, NULL, 0, &st, &exited, trap);
        if (exited) *status = st;
    }
    return rc;
}
