/*
 * tests/fuzz/fuzz_wasm_run.c - libFuzzer target: modules that load are
 * instantiated (every import satisfied by a stub of the right type: host
 * functions returning zeros, small memories, tables and globals) and every
 * exported function is called with zero arguments, under small limits and
 * a fuel budget enforced by the interrupt callback. Whatever the module
 * does - trap, recurse, loop forever, grow memory - the run must end
 * cleanly with a result or a trap; no crash, hang or sanitizer report.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "wasm/wasm.h"

#define MAX_STUBS 64

struct stubs {
    struct wasm_memory *mems[MAX_STUBS];
    struct wasm_table *tables[MAX_STUBS];
    struct wasm_global *globals[MAX_STUBS];
    int nmems, ntables, nglobals;
    char sig[2 * 1024 + 4];
    int calls; /* interrupt calls left before the run is killed */
};

static int host_zero(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    (void)args;
    const struct wasm_functype *t = call->user;
    for (uint32_t i = 0; i < t->nresults; i++)
        results[i].u64 = 0;
    return 0;
}

static char sig_char(uint8_t t)
{
    switch (t) {
    case WASM_I32: return 'i';
    case WASM_I64: return 'I';
    case WASM_F32: return 'f';
    case WASM_F64: return 'F';
    case WASM_EXTERNREF: return 'r';
    default: return 'R';
    }
}

static int resolve(void *ctx, const struct wasm_import *imp, struct wasm_extern *out)
{
    struct stubs *s = ctx;
    out->kind = imp->kind;
    switch (imp->kind) {
    case WASM_EXTERN_FUNC: {
        const struct wasm_functype *t = imp->func;
        if (t->nparams + t->nresults > 2 * 1024) return ERR_NOENT;
        size_t k = 0;
        s->sig[k++] = '(';
        for (uint32_t i = 0; i < t->nparams; i++)
            s->sig[k++] = sig_char(t->params[i]);
        s->sig[k++] = ')';
        for (uint32_t i = 0; i < t->nresults; i++)
            s->sig[k++] = sig_char(t->results[i]);
        s->sig[k] = 0;
        wasm_extern_host(out, s->sig, host_zero, (void *)t);
        return 0;
    }
    case WASM_EXTERN_MEMORY:
        if (s->nmems == MAX_STUBS || imp->memory.min > 16) return ERR_NOENT;
        out->memory =
            wasm_memory_new(imp->memory.min, imp->memory.has_max ? imp->memory.max : UINT32_MAX);
        if (!out->memory) return ERR_NOENT;
        s->mems[s->nmems++] = out->memory;
        return 0;
    case WASM_EXTERN_TABLE:
        if (s->ntables == MAX_STUBS || imp->table.limits.min > 4096) return ERR_NOENT;
        out->table = wasm_table_new(imp->table.elem_type, imp->table.limits.min,
                                    imp->table.limits.has_max ? imp->table.limits.max : UINT32_MAX);
        if (!out->table) return ERR_NOENT;
        s->tables[s->ntables++] = out->table;
        return 0;
    case WASM_EXTERN_GLOBAL: {
        wasm_value v;
        v.u64 = 0;
        if (s->nglobals == MAX_STUBS) return ERR_NOENT;
        out->global = wasm_global_new(imp->global.type, imp->global.mut, v);
        if (!out->global) return ERR_NOENT;
        s->globals[s->nglobals++] = out->global;
        return 0;
    }
    }
    return ERR_NOENT;
}

static int interrupt(void *user, struct wasm_instance *inst)
{
    (void)inst;
    struct stubs *s = user;
    return s->calls-- > 0 ? WASM_CONTINUE : WASM_STOP;
}

static void call_exports(struct wasm_instance *inst, const struct wasm_module *mod, struct stubs *s)
{
    wasm_value args[64], results[64];
    memset(args, 0, sizeof args);
    for (uint32_t i = 0; i < wasm_module_export_count(mod); i++) {
        enum wasm_extern_kind kind;
        const char *name = wasm_module_export(mod, i, &kind);
        if (kind != WASM_EXTERN_FUNC) continue;
        struct wasm_func *f = wasm_instance_func(inst, name);
        if (!f) continue; /* a name with a NUL in it */
        const struct wasm_functype *t = wasm_func_type(f);
        if (t->nparams > 64 || t->nresults > 64) continue;
        struct wasm_trap trap;
        s->calls = 4;
        int rc = wasm_call(f, args, t->nparams, results, t->nresults, &trap);
        if (rc != 0 && rc != ERR_FAULT) abort();
        if (rc == ERR_FAULT && (trap.kind == WASM_TRAP_NONE || !trap.reason[0])) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wasm_module *mod;
    struct wasm_error err;
    if (wasm_module_load(data, size, &mod, &err)) return 0;
    struct stubs *s = calloc(1, sizeof *s);
    if (!s) abort();
    struct wasm_config cfg;
    wasm_config_default(&cfg);
    cfg.max_memory_pages = 64;
    cfg.max_table_elems = 1 << 14;
    cfg.max_call_depth = 300;
    cfg.value_stack_slots = 1 << 15;
    cfg.interrupt_interval = 2000;
    cfg.interrupt = interrupt;
    cfg.interrupt_user = s;
    s->calls = 4;
    struct wasm_instance *inst = NULL;
    struct wasm_trap trap;
    int rc = wasm_instance_new(mod, &cfg, resolve, s, &inst, &err, &trap);
    if (rc == 0) call_exports(inst, mod, s);
    wasm_instance_free(inst);
    wasm_module_free(mod);
    for (int i = 0; i < s->nmems; i++)
        wasm_memory_free(s->mems[i]);
    for (int i = 0; i < s->ntables; i++)
        wasm_table_free(s->tables[i]);
    for (int i = 0; i < s->nglobals; i++)
        wasm_global_free(s->globals[i]);
    free(s);
    return 0;
}
