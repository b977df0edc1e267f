/*
 * lib/wasm/instance.c - instantiation (spec 4.5.4): import resolution and
 * matching (4.5.2), allocation of functions, tables, memory and globals,
 * element and data segments, the start function; export lookup; calls
 * from the embedder (4.5.5) and the per-instance execution stacks.
 */
#include "wasm/internal.h"

#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "wasm/jit.h"

/* The process-wide engine default (wasm_engine_default). */
static enum wasm_engine default_engine = WASM_ENGINE_INTERP;
static const struct wasm_code_memory *default_code_mem;

void wasm_engine_default(enum wasm_engine engine, const struct wasm_code_memory *mem)
{
    default_engine = engine;
    default_code_mem = mem;
}

bool wasm_jit_supported(void)
{
    return jit_arch_supported();
}

const char *wasm_engine_name(enum wasm_engine engine)
{
    return engine == WASM_ENGINE_JIT ? "jit" : "interp";
}

enum wasm_engine wasm_instance_engine(const struct wasm_instance *inst)
{
    return inst->engine;
}

void wasm_config_default(struct wasm_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->max_memory_pages = 16384;
    cfg->max_table_elems = 1u << 20;
    cfg->max_call_depth = 10000;
    cfg->value_stack_slots = 1u << 18;
    cfg->interrupt_interval = 1u << 16;
    cfg->engine = default_engine;
    cfg->code_mem = default_code_mem;
}

/* Compiles the instance's functions to machine code if its config asks for
 * the JIT; anything that stops the JIT leaves the interpreter in charge. */
static void choose_engine(struct wasm_instance *inst)
{
    char why[160];
    inst->engine = WASM_ENGINE_INTERP;
    if (inst->cfg.engine != WASM_ENGINE_JIT) return;
    if (jit_compile(inst, inst->cfg.code_mem, why, sizeof why) == 0) {
        inst->engine = WASM_ENGINE_JIT;
        return;
    }
    log_write(LOG_DEBUG, "wasm", "JIT not used, the instance is interpreted: %s", why);
}

/* The stacks, made on the first call into the instance. */
struct exec *exec_get(struct wasm_instance *inst)
{
    if (inst->exec) return inst->exec;
    struct exec *ex = mem_zalloc(sizeof *ex);
    if (!ex) return NULL;
    uint32_t slots = inst->cfg.value_stack_slots ? inst->cfg.value_stack_slots : 1024;
    uint32_t depth = inst->cfg.max_call_depth ? inst->cfg.max_call_depth : 16;
    ex->stack = mem_alloc((size_t)slots * sizeof(slot_t));
    /* one more frame for the sentinel each run pushes */
    ex->frames = mem_alloc(((size_t)depth + 1) * sizeof(struct frame));
    if (!ex->stack || !ex->frames) {
        mem_free(ex->stack);
        mem_free(ex->frames);
        mem_free(ex);
        return NULL;
    }
    ex->stack_end = ex->stack + slots;
    ex->free = ex->stack;
    ex->frames_end = ex->frames + depth + 1;
    ex->ftop = ex->frames;
    ex->owner = inst;
    ex->jit_floor = inst->cfg.native_stack_floor;
    ex->interrupt = inst->cfg.interrupt;
    ex->interrupt_user = inst->cfg.interrupt_user;
    ex->interval =
        inst->cfg.interrupt_interval && inst->cfg.interrupt
            ? (int32_t)(inst->cfg.interrupt_interval > INT32_MAX ? INT32_MAX
                                                                 : inst->cfg.interrupt_interval)
            : INT32_MAX;
    ex->ticks = ex->interval;
    inst->exec = ex;
    return ex;
}

int wasm_call(struct wasm_func *f, const wasm_value *args, uint32_t nargs, wasm_value *results,
              uint32_t nresults, struct wasm_trap *trap)
{
    struct wasm_trap local;
    if (!trap) trap = &local;
    wasm_trap_set(trap, WASM_TRAP_NONE, NULL);
    const struct wasm_functype *t = f->type;
    if (nargs != wasm_types_nvalues(t->params, t->nparams) ||
        nresults != wasm_types_nvalues(t->results, t->nresults))
        return ERR_INVAL;
    struct exec *ex = exec_get(f->inst);
    if (!ex) {
        wasm_trap_set(trap, WASM_TRAP_NOMEM, NULL);
        return ERR_NOMEM;
    }
    slot_t *fp = ex->free;
    uint32_t need = nargs > nresults ? nargs : nresults;
    if (f->code && f->inst->mod->wide) /* interp_invoke widens in place */
        need = 2 * (t->nparams > t->nresults ? t->nparams : t->nresults);
    if ((size_t)(ex->stack_end - fp) < need || ex->ftop >= ex->frames_end) {
        wasm_trap_set(trap, WASM_TRAP_STACK_EXHAUSTED, NULL);
        return ERR_FAULT;
    }
    for (uint32_t i = 0; i < nargs; i++)
        fp[i] = args[i];
    struct wasm_trap *saved_trap = ex->trap;
    slot_t *saved_free = ex->free;
    ex->trap = trap;
    int rc = interp_invoke(ex, f, fp);
    ex->trap = saved_trap;
    ex->free = saved_free;
    if (rc) return rc;
    for (uint32_t i = 0; i < nresults; i++)
        results[i] = fp[i];
    wasm_normalize(t->results, nresults, results);
    return 0;
}

const struct wasm_functype *wasm_func_type(const struct wasm_func *f)
{
    return f->type;
}

const char *wasm_func_name(const struct wasm_func *f)
{
    const struct wasm_module *m = f->inst ? f->inst->mod : NULL;
    if (!m || !m->func_names || f->index >= m->nfuncs) return NULL;
    return m->func_names[f->index];
}

/* ---- import matching (spec 4.5.2) ---- */

/* Parses "(params)results" into t using buf (capacity n bytes). */
static bool parse_sig(const char *sig, struct wasm_functype *t, uint8_t *buf, uint32_t n)
{
    uint32_t k = 0;
    bool in_params = true;
    if (!sig || *sig++ != '(') return false;
    t->params = buf;
    t->nparams = t->nresults = 0;
    for (; *sig; sig++) {
        uint8_t v;
        switch (*sig) {
        case ')':
            if (!in_params) return false;
            in_params = false;
            t->results = buf + k;
            continue;
        case 'i': v = WASM_I32; break;
        case 'I': v = WASM_I64; break;
        case 'f': v = WASM_F32; break;
        case 'F': v = WASM_F64; break;
        case 'r': v = WASM_EXTERNREF; break;
        case 'R': v = WASM_FUNCREF; break;
        case 'V': v = WASM_V128; break;
        default: return false;
        }
        if (k >= n) return false;
        buf[k++] = v;
        if (in_params)
            t->nparams++;
        else
            t->nresults++;
    }
    return !in_params;
}

/* Limits {n1, m1} match {n2, m2} if n1 >= n2 and m2 is absent or m1 <= m2. */
static bool limits_match(uint32_t size, bool has_max, uint32_t max, const struct wasm_limits *want)
{
    if (size < want->min) return false;
    return !want->has_max || (has_max && max <= want->max);
}

static int link_func(struct wasm_instance *inst, const struct mod_import *imp,
                     const struct wasm_extern *ext, struct wasm_error *err)
{
    const struct wasm_functype *want = mod_func_type(inst->mod, imp->idx);
    if (ext->func) {
        if (!wasm_functype_equal(ext->func->type, want)) goto mismatch;
        inst->funcs[imp->idx] = ext->func;
        return 0;
    }
    uint8_t buf[64];
    struct wasm_functype have;
    if (!ext->host_fn || !parse_sig(ext->host_sig, &have, buf, sizeof buf) ||
        !wasm_functype_equal(&have, want))
        goto mismatch;
    struct wasm_func *f = &inst->own_funcs[imp->idx];
    f->type = want;
    f->inst = inst;
    f->index = imp->idx;
    f->host = ext->host_fn;
    f->host_user = ext->host_user;
    inst->funcs[imp->idx] = f;
    return 0;
mismatch:
    return wasm_fail(err, ERR_INVAL, "incompatible import type for %s.%s", imp->module, imp->name);
}

static int link_import(struct wasm_instance *inst, const struct mod_import *imp,
                       const struct wasm_extern *ext, struct wasm_error *err)
{
    const struct wasm_module *m = inst->mod;
    if (ext->kind != imp->kind)
        return wasm_fail(err, ERR_INVAL, "incompatible import type for %s.%s (kind)", imp->module,
                         imp->name);
    switch (imp->kind) {
    case WASM_EXTERN_FUNC: return link_func(inst, imp, ext, err);
    case WASM_EXTERN_TABLE: {
        const struct wasm_table *t = ext->table;
        const struct mod_table *want = &m->tables[imp->idx];
        if (!t || t->type != want->elem_type ||
            !limits_match(t->size, t->has_max, t->max, &want->limits))
            break;
        inst->tables[imp->idx] = ext->table;
        return 0;
    }
    case WASM_EXTERN_MEMORY: {
        const struct wasm_memory *mem = ext->memory;
        if (!mem || !limits_match(mem->pages, mem->has_max, mem->max_pages, &m->mems[imp->idx]))
            break;
        inst->mem = ext->memory;
        return 0;
    }
    case WASM_EXTERN_GLOBAL: {
        const struct wasm_global *g = ext->global;
        const struct mod_global *want = &m->globals[imp->idx];
        if (!g || g->type != want->type || g->mut != want->mut) break;
        inst->globals[imp->idx] = ext->global;
        return 0;
    }
    }
    return wasm_fail(err, ERR_INVAL, "incompatible import type for %s.%s", imp->module, imp->name);
}

static int resolve_imports(struct wasm_instance *inst, wasm_resolve_fn resolve, void *ctx,
                           struct wasm_error *err)
{
    const struct wasm_module *m = inst->mod;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const struct mod_import *imp = &m->imports[i];
        struct wasm_import desc;
        struct wasm_extern ext;
        memset(&ext, 0, sizeof ext);
        wasm_module_import(m, i, &desc);
        if (!resolve || resolve(ctx, &desc, &ext))
            return wasm_fail(err, ERR_NOENT, "unknown import %s.%s", imp->module, imp->name);
        int rc = link_import(inst, imp, &ext, err);
        if (rc) return rc;
    }
    return 0;
}

/* ---- allocation (spec 4.5.3.1 allocmodule) ---- */

static wasm_value eval_cexpr(const struct wasm_instance *inst, const struct cexpr *e)
{
    wasm_value v;
    v.u64 = 0;
    switch (e->op) {
    case 0xd2: v.funcref = inst->funcs[e->idx]; break;
    case 0x23: v = inst->globals[e->idx]->v; break;
    case 0xd0: v.externref = NULL; break;
    default: v.u64 = e->bits; break;
    }
    return v;
}

static int alloc_definitions(struct wasm_instance *inst, struct wasm_error *err)
{
    const struct wasm_module *m = inst->mod;
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) {
        struct wasm_func *f = &inst->own_funcs[i];
        f->type = mod_func_type(m, i);
        f->inst = inst;
        f->code = &m->codes[i - m->nfunc_imports];
        f->index = i;
        inst->funcs[i] = f;
    }
    for (uint32_t i = m->ntable_imports; i < m->ntables; i++) {
        const struct mod_table *t = &m->tables[i];
        struct wasm_table *obj = &inst->own_tables[i - m->ntable_imports];
        if (t->limits.min > inst->cfg.max_table_elems)
            return wasm_fail(err, ERR_INVAL, "table %u: %u elements exceed the limit %u", i,
                             t->limits.min, inst->cfg.max_table_elems);
        if (wasm_table_init_object(obj, t->elem_type, &t->limits, inst->cfg.max_table_elems))
            return wasm_fail(err, ERR_NOMEM, "out of memory for table %u", i);
        inst->tables[i] = obj;
    }
    if (m->nmems > m->nmem_imports) {
        const struct wasm_limits *l = &m->mems[0];
        if (l->min > inst->cfg.max_memory_pages)
            return wasm_fail(err, ERR_INVAL, "memory of %u pages exceeds the limit of %u", l->min,
                             inst->cfg.max_memory_pages);
        inst->own_mem = mem_alloc(sizeof *inst->own_mem);
        if (!inst->own_mem ||
            wasm_memory_init_object(inst->own_mem, l, inst->cfg.max_memory_pages, inst->cfg.budget))
            return wasm_fail(err, ERR_NOMEM, "out of memory for %u pages", l->min);
        inst->mem = inst->own_mem;
    }
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
        struct wasm_global *g = &inst->own_globals[i - m->nglobal_imports];
        g->type = m->globals[i].type;
        g->mut = m->globals[i].mut;
        g->v = eval_cexpr(inst, &m->globals[i].init);
        g->hi = m->globals[i].init.op == 0x23 ? inst->globals[m->globals[i].init.idx]->hi
                                              : m->globals[i].init.hi;
        inst->globals[i] = g;
    }
    return 0;
}

static int alloc_segments(struct wasm_instance *inst, struct wasm_error *err)
{
    const struct wasm_module *m = inst->mod;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const struct mod_elem *e = &m->elems[i];
        struct elem_inst *ei = &inst->elems[i];
        ei->refs = mem_alloc((size_t)(e->count ? e->count : 1) * sizeof(wasm_value));
        if (!ei->refs) return wasm_fail(err, ERR_NOMEM, "out of memory");
        for (uint32_t k = 0; k < e->count; k++)
            ei->refs[k] = eval_cexpr(inst, &e->items[k]);
        ei->count = e->count;
    }
    return 0;
}

/* Active segments then the start function (spec 4.5.4 steps 14-16). */
static int initialize(struct wasm_instance *inst, struct wasm_trap *trap)
{
    const struct wasm_module *m = inst->mod;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const struct mod_elem *e = &m->elems[i];
        struct elem_inst *ei = &inst->elems[i];
        if (e->mode == SEG_ACTIVE) {
            struct wasm_table *t = inst->tables[e->table];
            uint64_t off = eval_cexpr(inst, &e->offset).u32;
            if (off + ei->count > t->size) {
                wasm_trap_set(trap, WASM_TRAP_TABLE_OOB, NULL);
                return ERR_FAULT;
            }
            if (ei->count) memcpy(t->elems + off, ei->refs, (size_t)ei->count * sizeof(wasm_value));
        }
        if (e->mode != SEG_PASSIVE) ei->count = 0;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const struct mod_data *d = &m->datas[i];
        if (d->mode != SEG_ACTIVE) continue;
        uint64_t off = eval_cexpr(inst, &d->offset).u32;
        if (off + d->len > inst->mem->size) {
            wasm_trap_set(trap, WASM_TRAP_MEMORY_OOB, NULL);
            return ERR_FAULT;
        }
        if (d->len) memcpy(inst->mem->data + off, d->bytes, d->len);
        inst->data_dropped[i] = 1;
    }
    if (m->has_start) return wasm_call(inst->funcs[m->start], NULL, 0, NULL, 0, trap);
    return 0;
}

static int alloc_arrays(struct wasm_instance *inst)
{
    const struct wasm_module *m = inst->mod;
    inst->funcs = mem_zalloc(((size_t)m->nfuncs + 1) * sizeof *inst->funcs);
    inst->own_funcs = mem_zalloc(((size_t)m->nfuncs + 1) * sizeof *inst->own_funcs);
    inst->tables = mem_zalloc(((size_t)m->ntables + 1) * sizeof *inst->tables);
    inst->own_tables =
        mem_zalloc(((size_t)(m->ntables - m->ntable_imports) + 1) * sizeof *inst->own_tables);
    inst->globals = mem_zalloc(((size_t)m->nglobals + 1) * sizeof *inst->globals);
    inst->own_globals =
        mem_zalloc(((size_t)(m->nglobals - m->nglobal_imports) + 1) * sizeof *inst->own_globals);
    inst->elems = mem_zalloc(((size_t)m->nelems + 1) * sizeof *inst->elems);
    inst->data_dropped = mem_zalloc((size_t)m->ndatas + 1);
    return inst->funcs && inst->own_funcs && inst->tables && inst->own_tables && inst->globals &&
                   inst->own_globals && inst->elems && inst->data_dropped
               ? 0
               : ERR_NOMEM;
}

int wasm_instance_new(const struct wasm_module *mod, const struct wasm_config *cfg,
                      wasm_resolve_fn resolve, void *resolve_ctx, struct wasm_instance **out,
                      struct wasm_error *err, struct wasm_trap *trap)
{
    struct wasm_trap local_trap;
    if (!trap) trap = &local_trap;
    wasm_trap_set(trap, WASM_TRAP_NONE, NULL);
    if (err) err->msg[0] = 0;
    *out = NULL;
    struct wasm_instance *inst = mem_zalloc(sizeof *inst);
    if (!inst) return wasm_fail(err, ERR_NOMEM, "out of memory");
    inst->mod = mod;
    if (cfg)
        inst->cfg = *cfg;
    else
        wasm_config_default(&inst->cfg);
    inst->mem = &inst->no_mem;
    int rc = alloc_arrays(inst) ? wasm_fail(err, ERR_NOMEM, "out of memory") : 0;
    if (!rc) rc = resolve_imports(inst, resolve, resolve_ctx, err);
    if (!rc) rc = alloc_definitions(inst, err);
    if (!rc) choose_engine(inst);
    if (!rc) rc = alloc_segments(inst, err);
    if (!rc) {
        rc = initialize(inst, trap);
        if (rc == ERR_FAULT) {
            wasm_fail(err, rc, "instantiation trapped: %s", trap->reason);
            *out = inst; /* see wasm.h: it may be referenced from imported tables */
            return rc;
        }
        if (rc) wasm_fail(err, rc, "out of memory");
    }
    if (rc) {
        wasm_instance_free(inst);
        return rc;
    }
    *out = inst;
    return 0;
}

void wasm_instance_free(struct wasm_instance *inst)
{
    if (!inst) return;
    const struct wasm_module *m = inst->mod;
    if (inst->own_tables)
        for (uint32_t i = 0; i < m->ntables - m->ntable_imports; i++)
            mem_free(inst->own_tables[i].elems);
    if (inst->elems)
        for (uint32_t i = 0; i < m->nelems; i++)
            mem_free(inst->elems[i].refs);
    jit_release(inst);
    if (inst->own_mem) wasm_memory_fini_object(inst->own_mem);
    if (inst->exec) {
        mem_free(inst->exec->stack);
        mem_free(inst->exec->frames);
    }
    mem_free(inst->exec);
    mem_free(inst->own_mem);
    mem_free(inst->funcs);
    mem_free(inst->own_funcs);
    mem_free(inst->tables);
    mem_free(inst->own_tables);
    mem_free(inst->globals);
    mem_free(inst->own_globals);
    mem_free(inst->elems);
    mem_free(inst->data_dropped);
    mem_free(inst);
}

const struct wasm_module *wasm_instance_module(const struct wasm_instance *inst)
{
    return inst->mod;
}

void wasm_instance_set_user(struct wasm_instance *inst, void *user)
{
    inst->user = user;
}
void *wasm_instance_user(const struct wasm_instance *inst)
{
    return inst->user;
}

int wasm_instance_export(struct wasm_instance *inst, const char *name, struct wasm_extern *out)
{
    return wasm_instance_export_n(inst, name, strlen(name), out);
}

int wasm_instance_export_n(struct wasm_instance *inst, const char *name, size_t len,
                           struct wasm_extern *out)
{
    const struct wasm_module *m = inst->mod;
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < m->nexports; i++) {
        const struct mod_export *e = &m->exports[i];
        if (e->name_len != len || memcmp(e->name, name, len)) continue;
        out->kind = (enum wasm_extern_kind)e->kind;
        switch (e->kind) {
        case WASM_EXTERN_FUNC: out->func = inst->funcs[e->idx]; break;
        case WASM_EXTERN_TABLE: out->table = inst->tables[e->idx]; break;
        case WASM_EXTERN_MEMORY: out->memory = inst->mem; break;
        case WASM_EXTERN_GLOBAL: out->global = inst->globals[e->idx]; break;
        }
        return 0;
    }
    return ERR_NOENT;
}

struct wasm_func *wasm_instance_func(struct wasm_instance *inst, const char *name)
{
    struct wasm_extern e;
    if (wasm_instance_export(inst, name, &e) || e.kind != WASM_EXTERN_FUNC) return NULL;
    return e.func;
}

struct wasm_memory *wasm_instance_memory(struct wasm_instance *inst, const char *name)
{
    struct wasm_extern e;
    if (wasm_instance_export(inst, name, &e) || e.kind != WASM_EXTERN_MEMORY) return NULL;
    return e.memory;
}

struct wasm_memory *wasm_instance_default_memory(struct wasm_instance *inst)
{
    return inst->mem == &inst->no_mem ? NULL : inst->mem;
}
