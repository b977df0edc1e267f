/*
 * lib/component/abi_link.c - calls between component instances
 * (comp_abi_link, the comp_link_fn of instance.h): a core function that one
 * instance made with canon lower of a function another instance lifts
 * (CanonicalABI.md "canon lower" of a "canon lift": the component-to-
 * component path). The arguments are lifted out of the caller with its
 * lower's options into host values, the callee is called through
 * comp_call_export with a handle table of the call's own standing between
 * the two instances' tables, and the result is lowered back into the
 * caller. Strings and lists are thereby copied from one linear memory into
 * the other, re-encoded when the two sides' string encodings differ.
 */
#include "component/abi.h"
#include "component/abi_internal.h"
#include "component/internal.h"
#include "base/env.h"
#include "base/fmt.h"
#include "base/mem.h"

/* One call: the caller's side of it (its lower's options, its handle
 * table as the component's, the bridge table as the host's). */
struct link {
    struct comp_cx cx;
    const struct comp_type *ft; /* the function type as the caller imports it */
    struct comp_arena arena;
    struct comp_handles bridge;
    struct comp_call_scope scope;
    struct comp_error err;
};

/* A value lifted with one side's type given the other side's (equal in
 * structure: the loader checked the instantiation's arguments), so that
 * each side follows its own resource types to where they are defined. */
static void retype(const struct comp *c, struct comp_val *v, uint32_t want)
{
    v->type = want;
    if (COMP_IS_PRIM(want)) return;
    const struct comp_type *t = comp_type_get(c, want);
    switch (t->kind) {
    case COMP_T_LIST:
        for (uint32_t k = 0; k < v->n; k++)
            retype(c, &v->items[k], t->elem);
        break;
    case COMP_T_RECORD:
    case COMP_T_TUPLE:
        for (uint32_t k = 0; k < v->n && k < t->nfields; k++)
            retype(c, &v->items[k], t->fields[k].type);
        break;
    case COMP_T_VARIANT:
        if (v->items && v->n < t->nfields && t->fields[v->n].type != COMP_NONE)
            retype(c, &v->items[0], t->fields[v->n].type);
        break;
    case COMP_T_OPTION:
        if (v->items && v->n == 1) retype(c, &v->items[0], t->elem);
        break;
    case COMP_T_RESULT: {
        uint32_t payload = v->n ? t->elem2 : t->elem;
        if (v->items && payload != COMP_NONE) retype(c, &v->items[0], payload);
        break;
    }
    default: break; /* no values inside */
    }
}

/* The arguments: flat, or one tuple in the caller's memory at args[0]. */
static int lift_args(struct link *l, const wasm_value *args, struct comp_val *vals, uint32_t *nflat)
{
    const struct comp *c = l->cx.c;
    const uint8_t *fl;
    uint32_t n = 0, align;
    *nflat = 0;
    for (uint32_t k = 0; k < l->ft->nfields; k++)
        *nflat += abi_flat_of(c, l->ft->fields[k].type, &fl);
    if (*nflat <= COMP_MAX_FLAT) {
        for (uint32_t k = 0; k < l->ft->nfields; k++)
            TRY(comp_abi_lift_flat(&l->cx, l->ft->fields[k].type, args, &n, &vals[k]));
        return 0;
    }
    *nflat = 1;
    uint32_t *offsets = comp_arena_alloc(&l->arena, (l->ft->nfields + 1) * sizeof *offsets);
    if (!offsets) return abi_trap(&l->cx, "out of host memory for the arguments");
    uint32_t size = abi_params_layout(c, l->ft, offsets, &align);
    TRY(abi_check_range(&l->cx, "parameters", args[0].u32, size, align));
    for (uint32_t k = 0; k < l->ft->nfields; k++)
        TRY(comp_abi_load(&l->cx, l->ft->fields[k].type, args[0].u32 + offsets[k], &vals[k]));
    return 0;
}

/* The result: flat into results[0], or stored at the pointer the caller
 * passed after its arguments (more than one flat value). */
static int lower_result(struct link *l, const struct comp_val *result, const wasm_value *args,
                        uint32_t nflat, wasm_value *results)
{
    const uint8_t *fl;
    uint32_t n = 0;
    if (l->ft->elem == COMP_NONE) return 0;
    if (abi_flat_of(l->cx.c, l->ft->elem, &fl) > COMP_MAX_FLAT_RES)
        return comp_abi_store(&l->cx, result, args[nflat].u32);
    return comp_abi_lower_flat(&l->cx, result, results, &n);
}

/* The call's own errors (not traps of either side) as a trap. */
static int error_trap(struct wasm_trap *trap, int rc, const struct comp_error *err)
{
    memset(trap, 0, sizeof *trap);
    trap->kind = WASM_TRAP_HOST;
    trap->func_index = UINT32_MAX;
    fmt_snprintf(trap->reason, sizeof trap->reason, "call between components: %s", err->msg);
    return rc == ERR_FAULT ? rc : ERR_FAULT;
}

static int link_call(struct link *l, struct comp_instance *caller, const struct comp_canon *lower,
                     struct comp_instance *callee, const struct comp_def *lift,
                     const wasm_value *args, wasm_value *results)
{
    uint32_t nflat;
    struct comp_val result;
    struct comp_val *vals = comp_arena_alloc(&l->arena, (l->ft->nfields + 1) * sizeof *vals);
    if (!vals) return abi_trap(&l->cx, "out of host memory for the arguments");
    int rc = abi_options(caller, lower, &l->cx, &l->err);
    if (rc) return error_trap(l->cx.trap, rc, &l->err);
    TRY(lift_args(l, args, vals, &nflat));
    const struct comp_type *callee_ft = comp_type_get(l->cx.c, lift->type);
    for (uint32_t k = 0; k < l->ft->nfields; k++)
        retype(l->cx.c, &vals[k], callee_ft->fields[k].type);
    rc = comp_call_export(callee, lift, vals, l->ft->nfields, &result, &l->bridge, &l->arena,
                          l->cx.trap, &l->err);
    if (rc == ERR_FAULT) return rc;
    if (rc) return error_trap(l->cx.trap, rc, &l->err);
    if (l->ft->elem != COMP_NONE) retype(l->cx.c, &result, l->ft->elem);
    return lower_result(l, &result, args, nflat, results);
}

int comp_abi_link(struct comp_instance *caller, uint32_t index, struct comp_instance *callee,
                  const struct comp_def *lift, const wasm_value *args, wasm_value *results,
                  struct wasm_trap *trap)
{
    const struct comp *c = comp_instance_comp(caller);
    const struct comp_component *s = comp_instance_scope(caller);
    const struct comp_canon *lower = s->space[COMP_CORE_FUNC][index].canon;
    struct link *l = mem_zalloc(sizeof *l);
    if (!l) {
        struct comp_error err = {"out of host memory"};
        return error_trap(trap, ERR_NOMEM, &err);
    }
    l->ft = comp_type_get(c, s->space[COMP_FUNC][lower->func].type);
    l->cx = (struct comp_cx){.c = c,
                             .arena = &l->arena,
                             .trap = trap,
                             .callee = comp_instance_handles(caller),
                             .caller = &l->bridge,
                             .scope = &l->scope,
                             .inst = caller};
    int rc = link_call(l, caller, lower, callee, lift, args, results);
    struct wasm_trap end;
    int end_rc = comp_call_scope_end(&l->scope, &end);
    if (!rc && end_rc) *trap = end;
    comp_handles_free(&l->bridge);
    comp_arena_free(&l->arena);
    mem_free(l);
    return rc ? rc : end_rc;
}
