/*
 * lib/wasm/module.c - a module as the embedder sees it, the top of the load
 * pipeline: wasm_module_load runs decode (decode.c), validate (validate.c)
 * and compile (compile.c) in that order, none of which calls back up, and
 * gives the module its JIT code cache (jit.c); also the module accessors of
 * wasm.h.
 */
#include "wasm/internal.h"
#include "wasm/jit.h"

#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"

/* Does a type or global mention v128? (Locals: decode.c; SIMD
 * instructions: compile_all.) */
static bool declares_v128(const struct wasm_module *m)
{
    for (uint32_t i = 0; i < m->ntypes; i++) {
        const struct wasm_functype *t = &m->types[i];
        if (memchr(t->params, WASM_V128, t->nparams) || memchr(t->results, WASM_V128, t->nresults))
            return true;
    }
    for (uint32_t i = 0; i < m->nglobals; i++)
        if (m->globals[i].type == WASM_V128) return true;
    return false;
}

/*
 * Compiles every function. A module that uses v128 gets wide frames
 * (compile.c, widen_code); when the first SIMD instruction shows up in a
 * module compiled so far with narrow frames, everything is compiled again.
 */
static int compile_all(struct wasm_module *m, struct wasm_error *err)
{
    if (declares_v128(m)) m->wide = true;
    for (uint32_t i = 0; i < m->ncodes; i++) {
        int rc = wasm_compile_function(m, i, err);
        if (rc == ERR_AGAIN && !m->wide) {
            m->wide = true;
            for (uint32_t k = 0; k < i; k++) {
                mem_free(m->codes[k].cells);
                mem_free(m->codes[k].consts);
                m->codes[k].cells = NULL;
                m->codes[k].consts = NULL;
            }
            i = UINT32_MAX; /* start again at 0 */
            continue;
        }
        if (rc) return rc;
    }
    return 0;
}

int wasm_module_load(const uint8_t *bytes, size_t len, struct wasm_module **out,
                     struct wasm_error *err)
{
    *out = NULL;
    if (err) err->msg[0] = 0;
    struct wasm_module *m = mem_zalloc(sizeof *m);
    if (!m) return wasm_fail(err, ERR_NOMEM, "out of memory");
    m->bytes = mem_alloc(len ? len : 1);
    if (!m->bytes) {
        mem_free(m);
        return wasm_fail(err, ERR_NOMEM, "out of memory");
    }
    if (len) memcpy(m->bytes, bytes, len);
    m->len = len;
    int rc = wasm_decode(m, err);
    if (!rc) rc = wasm_validate_module(m, err);
    if (!rc) rc = compile_all(m, err);
    if (rc) {
        wasm_module_release(m);
        mem_free(m);
        return rc;
    }
    m->jit_cache = jit_cache_new();
    *out = m;
    return 0;
}

void wasm_module_free(struct wasm_module *m)
{
    if (!m) return;
    jit_cache_free(m->jit_cache);
    wasm_module_release(m);
    mem_free(m);
}

bool wasm_module_uses_v128(const struct wasm_module *m)
{
    return m->wide;
}

uint32_t wasm_module_import_count(const struct wasm_module *m)
{
    return m->nimports;
}

void wasm_module_import(const struct wasm_module *m, uint32_t i, struct wasm_import *out)
{
    const struct mod_import *imp = &m->imports[i];
    memset(out, 0, sizeof *out);
    out->module = imp->module;
    out->name = imp->name;
    out->module_len = imp->module_len;
    out->name_len = imp->name_len;
    out->kind = (enum wasm_extern_kind)imp->kind;
    switch (imp->kind) {
    case WASM_EXTERN_FUNC: out->func = mod_func_type(m, imp->idx); break;
    case WASM_EXTERN_TABLE:
        out->table.elem_type = m->tables[imp->idx].elem_type;
        out->table.limits = m->tables[imp->idx].limits;
        break;
    case WASM_EXTERN_MEMORY: out->memory = m->mems[imp->idx]; break;
    case WASM_EXTERN_GLOBAL:
        out->global.type = m->globals[imp->idx].type;
        out->global.mut = m->globals[imp->idx].mut;
        break;
    }
}

uint32_t wasm_module_export_count(const struct wasm_module *m)
{
    return m->nexports;
}

const char *wasm_module_export(const struct wasm_module *m, uint32_t i, enum wasm_extern_kind *kind)
{
    if (kind) *kind = (enum wasm_extern_kind)m->exports[i].kind;
    return m->exports[i].name;
}
