/*
 * host/kpio-wasm/invoke_comp.c - --invoke on a component, as wasmtime's
 * `run --invoke` does it: NAME is a function the component exports
 * (`add`), a function of an exported instance (`ns:pkg/iface#func`, or
 * `ns:pkg/iface@1.0.0#func`), or either with its arguments as a WAVE call
 * (`'add(1, 2)'`); otherwise each VALUE is one argument in WAVE, parsed by
 * the parameter's type (wave.c). When NAME is a WAVE call, each VALUE may
 * be another call: they are made in turn on one instance, so a resource
 * one returns (printed own<N>, N in kpio-wasm's handle table) can be
 * passed to the next (own<N> moves it, borrow<N> lends it). The calls go
 * through the general canonical ABI (lib/component/abi.h) and each
 * result, if any, is printed as WAVE on one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "component/abi.h"
#include "component/command.h"
#include "host/kpio-wasm/invoke_comp.h"
#include "host/kpio-wasm/wave.h"

#define STATUS_TRAP 134

static int trap_status(const struct wasm_trap *trap)
{
    if (trap->kind == WASM_TRAP_EXIT) return trap->exit_code;
    fprintf(stderr, "kpio-wasm: trap: %s", trap->reason);
    if (trap->func_name) fprintf(stderr, " in function %s", trap->func_name);
    if (trap->func_index != UINT32_MAX) fprintf(stderr, " (#%u)", trap->func_index);
    fprintf(stderr, "\n");
    return STATUS_TRAP;
}

/* The lift behind NAME (name_len bytes of it): "func" or "iface#func". */
static int find(const struct comp *c, const char *name, size_t name_len,
                const struct comp_def **lift)
{
    char buf[512];
    if (name_len >= sizeof buf) {
        fprintf(stderr, "kpio-wasm: export name too long\n");
        return 1;
    }
    memcpy(buf, name, name_len);
    buf[name_len] = 0;
    char *hash = strrchr(buf, '#');
    if (hash) *hash = 0;
    const struct comp_component *scope;
    struct comp_error err;
    int rc = comp_find_lift(c, buf, hash ? hash + 1 : NULL, &scope, lift, &err);
    if (rc) {
        if (hash) *hash = '#';
        fprintf(stderr, "kpio-wasm: no exported function \"%s\": %s\n", buf, err.msg);
        return 1;
    }
    (void)scope; /* the instance that lifts it is found when the call is made */
    return 0;
}

/* The arguments of one call given as one WAVE value per VALUE. */
static int parse_values(const struct comp *c, const struct comp_type *ft,
                        const struct kpio_options *o, struct comp_arena *a, struct comp_val *args)
{
    char err[256];
    if ((uint32_t)o->nargs != ft->nfields) {
        fprintf(stderr, "kpio-wasm: %s takes %u arguments, %d given\n", o->invoke, ft->nfields,
                o->nargs);
        return 1;
    }
    for (uint32_t k = 0; k < ft->nfields; k++) {
        if (wave_parse(c, ft->fields[k].type, o->args[k], a, &args[k], err, sizeof err)) {
            fprintf(stderr, "kpio-wasm: argument %u (%.*s) \"%s\": %s\n", k + 1,
                    (int)ft->fields[k].name.len, (const char *)ft->fields[k].name.p, o->args[k],
                    err);
            return 1;
        }
    }
    return 0;
}

/* One call: the lift it names and its arguments (from `call`, a WAVE
 * call, or from NAME VALUES...). */
struct call {
    const char *text;
    const struct comp_def *lift;
    struct comp_val *args;
    char export[512]; /* NAME: the export, and after its '#' the function */
    const char *func;
};

static int prepare(const struct comp *c, const char *text, const struct kpio_options *o,
                   struct comp_arena *a, struct call *out)
{
    const char *paren = strchr(text, '(');
    char err[256];
    size_t n;
    out->text = text;
    size_t name_len = paren ? (size_t)(paren - text) : strlen(text);
    if (find(c, text, name_len, &out->lift)) return 1;
    memcpy(out->export, text, name_len); /* find checked the length */
    out->export[name_len] = 0;
    char *hash = strrchr(out->export, '#');
    if (hash) *hash = 0;
    out->func = hash ? hash + 1 : NULL;
    const struct comp_type *ft = comp_type_get(c, out->lift->type);
    if (!(out->args = comp_arena_alloc(a, (ft->nfields + 1) * sizeof *out->args))) {
        fprintf(stderr, "kpio-wasm: out of memory\n");
        return 1;
    }
    if (!paren) return parse_values(c, ft, o, a, out->args);
    if (wave_parse_call(c, text, &n, ft->fields, ft->nfields, a, out->args, err, sizeof err)) {
        fprintf(stderr, "kpio-wasm: --invoke \"%s\": %s\n", text, err);
        return 1;
    }
    return 0;
}

static int call(struct comp_instance *ci, const struct call *k, struct comp_handles *host,
                struct comp_arena *a)
{
    const struct comp *c = comp_instance_comp(ci);
    const struct comp_type *ft = comp_type_get(c, k->lift->type);
    struct comp_val result;
    struct comp_error err;
    struct wasm_trap trap;
    struct comp_instance *owner = NULL;
    const struct comp_def *lift = NULL;
    int rc = comp_instance_find_lift(ci, k->export, k->func, &owner, &lift, &trap);
    if (rc && rc != ERR_FAULT) {
        fprintf(stderr, "kpio-wasm: %s: %s\n", k->text, comp_instance_error(ci)->msg);
        return 1;
    }
    if (!rc)
        rc = comp_call_export(owner, lift, k->args, ft->nfields, &result, host, a, &trap, &err);
    if (rc == ERR_FAULT) return trap_status(&trap);
    if (rc) {
        fprintf(stderr, "kpio-wasm: %s: %s\n", k->text, err.msg);
        return 1;
    }
    if (result.type == COMP_NONE) return 0;
    char *text = wave_print(c, &result);
    if (!text) {
        fprintf(stderr, "kpio-wasm: out of memory\n");
        return 1;
    }
    printf("%s\n", text);
    fflush(stdout);
    free(text);
    return 0;
}

/* The calls: NAME [VALUES...], or NAME and every VALUE WAVE calls, made
 * in turn on one instance (so handles one returns can go to the next). */
static int prepare_all(const struct comp *c, const struct kpio_options *o, struct comp_arena *a,
                       struct call *calls, int *ncalls)
{
    bool session = strchr(o->invoke, '(') && o->nargs;
    *ncalls = session ? o->nargs + 1 : 1;
    for (int k = 0; k < *ncalls; k++) {
        const char *text = k ? o->args[k - 1] : o->invoke;
        if (session && !strchr(text, '(')) {
            fprintf(stderr, "kpio-wasm: \"%s\" after a call with arguments is no call\n", text);
            return 1;
        }
        if (prepare(c, text, o, a, &calls[k])) return 1;
    }
    return 0;
}

int invoke_component(const struct comp *c, struct wasi_ctx *w, const struct kpio_options *o)
{
    struct comp_arena arena = {0};
    struct comp_handles host = {0};
    struct call *calls = comp_arena_alloc(&arena, ((size_t)o->nargs + 1) * sizeof *calls);
    int ncalls = 0, status = 1;
    if (calls && prepare_all(c, o, &arena, calls, &ncalls) == 0) {
        struct comp_instance *ci;
        struct comp_error err;
        struct wasm_trap trap;
        int rc = comp_command_instantiate(c, w, &o->cfg, &ci, &err, &trap);
        if (!rc) comp_instance_set_link(ci, comp_abi_link);
        if (rc == ERR_FAULT) {
            status = trap_status(&trap);
        } else if (rc) {
            fprintf(stderr, "kpio-wasm: %s: %s\n", o->path, err.msg);
        } else {
            status = 0;
            for (int k = 0; k < ncalls && !status; k++)
                status = call(ci, &calls[k], &host, &arena);
            comp_instance_free(ci);
        }
    }
    comp_handles_free(&host);
    comp_arena_free(&arena);
    return status;
}
