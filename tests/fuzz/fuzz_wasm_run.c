/*
 * tests/fuzz/fuzz_wasm_run.c - libFuzzer target: modules that load are
 * instantiated (every import satisfied by a stub of the right type: host
 * functions returning zeros, small memories, tables and globals) and every
 * exported function is called with zero arguments, under small limits and
 * a fuel budget enforced by the interrupt callback. Whatever the module
 * does - trap, recurse, loop forever, grow memory - the run must end
 * cleanly with a result or a trap; no crash, hang or sanitizer report.
 *
 * Each module runs twice, on the interpreter and on the JIT (where this
 * machine has one), with stubs of their own: every call must give the same
 * results, or the same trap (kind, reason, function), and the exported
 * memories and globals must end up equal. Numbers compare bit for bit;
 * references compare by what they mean, not by their bits, because the
 * two runs are two instances: a funcref names a function object of its
 * own instance (compared as null, or the function index in the module
 * for wasm code, or the type of a host stub). Every externref the
 * harness makes is null, so those compare as they are. Fuel is counted
 * in ticks, which both engines count alike.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "host/kpio-wasm/jit_mem.h"
#include "wasm/internal.h" /* struct wasm_func: a funcref's function index */
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
    for (uint32_t i = 0; i < wasm_types_nvalues(t->results, t->nresults); i++)
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
    case WASM_V128: return 'V';
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

/* What a run did: per exported function call, its outcome. */
struct outcome {
    int rc;
    struct wasm_trap trap;
    uint32_t nresults; /* values: two per v128 (wasm.h) */
    wasm_value results[128];
};

struct run {
    struct stubs *s;
    struct wasm_instance *inst;
    int rc; /* of instantiation */
    struct wasm_trap trap;
};

static void call_export(struct wasm_instance *inst, const char *name, struct stubs *s,
                        struct outcome *o)
{
    wasm_value args[128];
    memset(args, 0, sizeof args);
    memset(o, 0, sizeof *o);
    o->rc = 1; /* not called */
    struct wasm_func *f = wasm_instance_func(inst, name);
    if (!f) return; /* a name with a NUL in it */
    const struct wasm_functype *t = wasm_func_type(f);
    if (t->nparams > 64 || t->nresults > 64) return;
    s->calls = 4;
    o->nresults = wasm_types_nvalues(t->results, t->nresults);
    o->rc = wasm_call(f, args, wasm_types_nvalues(t->params, t->nparams), o->results, o->nresults,
                      &o->trap);
    if (o->rc != 0 && o->rc != ERR_FAULT) abort();
    if (o->rc == ERR_FAULT && (o->trap.kind == WASM_TRAP_NONE || !o->trap.reason[0])) abort();
}

/*
 * A funcref of one run that means the same as another run's: both null,
 * or the same function of the module (index), or host stubs of one type.
 */
static bool same_funcref(const struct wasm_func *a, const struct wasm_func *b)
{
    if (!a || !b) return a == b;
    if (!a->code != !b->code) return false;
    if (a->code) return a->index == b->index;
    const struct wasm_functype *ta = wasm_func_type(a), *tb = wasm_func_type(b);
    return ta->nparams == tb->nparams && ta->nresults == tb->nresults &&
           !memcmp(ta->params, tb->params, ta->nparams) &&
           !memcmp(ta->results, tb->results, ta->nresults);
}

/* Two values of type type from the two runs mean the same. */
static bool same_value(uint8_t type, wasm_value a, wasm_value b)
{
    if (type == WASM_FUNCREF) return same_funcref(a.funcref, b.funcref);
    return a.u64 == b.u64;
}

/* The two engines agree on one call of a function of type t. */
static void compare(const struct wasm_functype *t, const struct outcome *a, const struct outcome *b)
{
    if (a->rc != b->rc) abort();
    if (a->rc == ERR_FAULT) {
        if (a->trap.kind != b->trap.kind || strcmp(a->trap.reason, b->trap.reason) ||
            a->trap.func_index != b->trap.func_index)
            abort();
        return;
    }
    for (uint32_t i = 0; i < a->nresults; i++)
        if (!same_value(t->results[i], a->results[i], b->results[i])) abort();
}

/* Exported memories and globals are equal after the calls. */
static void compare_state(struct wasm_instance *a, struct wasm_instance *b,
                          const struct wasm_module *mod)
{
    for (uint32_t i = 0; i < wasm_module_export_count(mod); i++) {
        enum wasm_extern_kind kind;
        const char *name = wasm_module_export(mod, i, &kind);
        struct wasm_extern ea, eb;
        if (wasm_instance_export(a, name, &ea) || wasm_instance_export(b, name, &eb)) continue;
        if (kind == WASM_EXTERN_MEMORY) {
            uint64_t n = wasm_memory_size(ea.memory);
            if (n != wasm_memory_size(eb.memory) ||
                (n && memcmp(wasm_memory_data(ea.memory), wasm_memory_data(eb.memory), n)))
                abort();
        } else if (kind == WASM_EXTERN_GLOBAL) {
            bool mut;
            uint8_t type = wasm_global_type(ea.global, &mut);
            if (!same_value(type, wasm_global_get(ea.global), wasm_global_get(eb.global))) abort();
        }
    }
}

static void instantiate(const struct wasm_module *mod, enum wasm_engine engine, struct run *r)
{
    struct wasm_error err;
    r->s = calloc(1, sizeof *r->s);
    if (!r->s) abort();
    struct wasm_config cfg;
    wasm_config_default(&cfg);
    cfg.max_memory_pages = 64;
    cfg.max_table_elems = 1 << 14;
    cfg.max_call_depth = 300;
    cfg.value_stack_slots = 1 << 15;
    cfg.interrupt_interval = 2000;
    cfg.interrupt = interrupt;
    cfg.interrupt_user = r->s;
    cfg.engine = engine;
    cfg.code_mem = engine == WASM_ENGINE_JIT ? &host_code_memory : NULL;
    r->s->calls = 4;
    r->rc = wasm_instance_new(mod, &cfg, resolve, r->s, &r->inst, &err, &r->trap);
    if (r->rc == 0 && wasm_instance_engine(r->inst) != engine) abort();
}

static void release(struct run *r)
{
    struct stubs *s = r->s;
    wasm_instance_free(r->inst);
    for (int i = 0; i < s->nmems; i++)
        wasm_memory_free(s->mems[i]);
    for (int i = 0; i < s->ntables; i++)
        wasm_table_free(s->tables[i]);
    for (int i = 0; i < s->nglobals; i++)
        wasm_global_free(s->globals[i]);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wasm_module *mod;
    struct wasm_error err;
    if (wasm_module_load(data, size, &mod, &err)) return 0;
    bool jit = wasm_jit_supported();
    struct run runs[2];
    instantiate(mod, WASM_ENGINE_INTERP, &runs[0]);
    if (jit) {
        instantiate(mod, WASM_ENGINE_JIT, &runs[1]);
        if (runs[0].rc != runs[1].rc) abort();
        if (runs[0].rc == ERR_FAULT && (runs[0].trap.kind != runs[1].trap.kind ||
                                        strcmp(runs[0].trap.reason, runs[1].trap.reason)))
            abort();
    }
    if (runs[0].rc == 0) {
        static struct outcome out[2];
        for (uint32_t i = 0; i < wasm_module_export_count(mod); i++) {
            enum wasm_extern_kind kind;
            const char *name = wasm_module_export(mod, i, &kind);
            if (kind != WASM_EXTERN_FUNC || !wasm_instance_func(runs[0].inst, name))
                continue; /* not a function, or a name with a NUL in it */
            call_export(runs[0].inst, name, runs[0].s, &out[0]);
            if (!jit) continue;
            call_export(runs[1].inst, name, runs[1].s, &out[1]);
            compare(wasm_func_type(wasm_instance_func(runs[0].inst, name)), &out[0], &out[1]);
        }
        if (jit) compare_state(runs[0].inst, runs[1].inst, mod);
    }
    release(&runs[0]);
    if (jit) release(&runs[1]);
    wasm_module_free(mod);
    return 0;
}
