/*
 * lib/component/abi_call.c - a lifted export called from the host
 * (canon_lift seen from the caller): the canon options resolved in the
 * instance, the arguments lowered flat or spilled to memory through
 * realloc, the core function called, the result lifted flat or from
 * memory, post-return called.
 */
#include "component/abi.h"
#include "component/abi_internal.h"
#include "component/internal.h"
#include "base/mem.h"

int abi_options(struct comp_instance *ci, const struct comp_canon *o, struct comp_cx *cx,
                struct comp_error *err)
{
    struct wasm_extern e = {0};
    if (o->memory != COMP_NONE) {
        TRY(comp_instance_core_item(ci, COMP_CORE_MEMORY, o->memory, &e));
        cx->mem = e.memory;
    }
    if (o->realloc != COMP_NONE) {
        TRY(comp_instance_core_item(ci, COMP_CORE_FUNC, o->realloc, &e));
        if (!(cx->realloc = e.func))
            return comp_errorf(err, ERR_NOTSUP, "realloc (core func %u) is a host function",
                               o->realloc);
    }
    cx->encoding = o->encoding;
    return 0;
}

/* The canon options of lift as a context; *f and *post the functions. */
static int options(struct comp_instance *ci, const struct comp_canon *o, struct comp_cx *cx,
                   struct wasm_func **f, struct wasm_func **post, struct comp_error *err)
{
    struct wasm_extern e = {0};
    TRY(comp_instance_core_item(ci, COMP_CORE_FUNC, o->func, &e));
    if (!(*f = e.func)) return comp_errorf(err, ERR_NOTSUP, "the export lifts a host function");
    *post = NULL;
    if (o->post_return != COMP_NONE) {
        TRY(comp_instance_core_item(ci, COMP_CORE_FUNC, o->post_return, &e));
        *post = e.func;
    }
    return abi_options(ci, o, cx, err);
}

uint32_t abi_params_layout(const struct comp *c, const struct comp_type *ft, uint32_t *offsets,
                           uint32_t *align)
{
    uint32_t size = 0;
    *align = 1;
    for (uint32_t k = 0; k < ft->nfields; k++) {
        uint32_t a = comp_abi_align(c, ft->fields[k].type);
        size = abi_align_to(size, a);
        if (offsets) offsets[k] = size;
        size += comp_abi_size(c, ft->fields[k].type);
        *align = a > *align ? a : *align;
    }
    return abi_align_to(size, *align);
}

/* The parameters as one tuple in memory (more than 16 flat values). */
static int spill_params(struct comp_cx *cx, const struct comp_type *ft, const struct comp_val *args,
                        uint32_t *ptr)
{
    uint32_t align, size = abi_params_layout(cx->c, ft, NULL, &align);
    TRY(abi_alloc(cx, align, size, ptr));
    for (uint32_t k = 0, off = 0; k < ft->nfields; k++) {
        uint32_t t = ft->fields[k].type;
        off = abi_align_to(off, comp_abi_align(cx->c, t));
        TRY(comp_abi_store(cx, &args[k], *ptr + off));
        off += comp_abi_size(cx->c, t);
    }
    return 0;
}

/* The core call with the arguments lowered, the result lifted, post-return. */
static int call_lifted(struct comp_cx *cx, const struct comp_type *ft, struct wasm_func *f,
                       struct wasm_func *post, const struct comp_val *args, uint32_t nargs,
                       struct comp_val *result, struct comp_error *err)
{
    const struct comp *c = cx->c;
    uint32_t nflat = 0;
    const uint8_t *fl;
    for (uint32_t k = 0; k < ft->nfields; k++)
        nflat += abi_flat_of(c, ft->fields[k].type, &fl);
    wasm_value flat[COMP_FLAT_OVER + 1] = {{0}}, res[2] = {{0}};
    uint32_t n = 0;
    if (nflat > COMP_MAX_FLAT) {
        TRY(spill_params(cx, ft, args, &flat[0].u32));
        n = 1;
    } else {
        for (uint32_t k = 0; k < nargs; k++)
            TRY(comp_abi_lower_flat(cx, &args[k], flat, &n));
    }
    const struct wasm_functype *core = wasm_func_type(f);
    if (core->nparams != n || core->nresults > 1)
        return comp_errorf(err, ERR_INVAL, "the lifted core function takes %u values, not %u",
                           core->nparams, n);
    TRY(wasm_call(f, flat, n, res, core->nresults, cx->trap));
    if (ft->elem != COMP_NONE) {
        uint8_t rn = abi_flat_of(c, ft->elem, &fl);
        uint32_t used = 0;
        if (core->nresults != 1)
            return comp_errorf(err, ERR_INVAL, "the lifted function returns nothing");
        if (rn > COMP_MAX_FLAT_RES)
            TRY(comp_abi_load(cx, ft->elem, res[0].u32, result));
        else
            TRY(comp_abi_lift_flat(cx, ft->elem, res, &used, result));
    }
    if (post) TRY(wasm_call(post, res, core->nresults, NULL, 0, cx->trap));
    return 0;
}

int comp_call_export(struct comp_instance *ci, const struct comp_def *lift,
                     const struct comp_val *args, uint32_t nargs, struct comp_val *result,
                     struct comp_handles *host, struct comp_arena *arena,
                     struct wasm_trap *trap_out, struct comp_error *err)
{
    const struct comp *c = comp_instance_comp(ci);
    const struct comp_type *ft = comp_type_get(c, lift->type);
    struct comp_call_scope scope = {0};
    struct comp_cx cx = {.c = c, .arena = arena, .trap = trap_out, .scope = &scope, .inst = ci};
    struct wasm_func *f = NULL, *post = NULL;
    memset(result, 0, sizeof *result);
    result->type = COMP_NONE;
    if (nargs != ft->nfields)
        return comp_errorf(err, ERR_INVAL, "%u arguments given, the function takes %u", nargs,
                           ft->nfields);
    TRY(options(ci, lift->canon, &cx, &f, &post, err));
    if (host) cx.callee = comp_instance_handles(ci), cx.caller = host;
    int rc = call_lifted(&cx, ft, f, post, args, nargs, result, err);
    struct wasm_trap end;
    int end_rc = comp_call_scope_end(&scope, &end);
    if (!rc && end_rc) *trap_out = end;
    return rc ? rc : end_rc;
}
