/*
 * lib/wasm/validate.c - module-level validation (spec 3.4): memories,
 * globals and their initializers, exports, the start function, element and
 * data segments, and the set C.refs of functions that ref.func may name.
 * Function bodies are validated by compile.c. Also wasm_module_load and
 * the module accessors of wasm.h, and small helpers shared by all files.
 */
#include "wasm/internal.h"
#include "wasm/jit.h"

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"

int wasm_fail(struct wasm_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        fmt_vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

bool wasm_is_reftype(uint8_t t)
{
    return t == WASM_FUNCREF || t == WASM_EXTERNREF;
}

bool wasm_is_valtype(uint8_t t)
{
    return t == WASM_I32 || t == WASM_I64 || t == WASM_F32 || t == WASM_F64 || t == WASM_V128 ||
           wasm_is_reftype(t);
}

const char *wasm_valtype_name(uint8_t t)
{
    switch (t) {
    case WASM_I32: return "i32";
    case WASM_I64: return "i64";
    case WASM_F32: return "f32";
    case WASM_F64: return "f64";
    case WASM_FUNCREF: return "funcref";
    case WASM_EXTERNREF: return "externref";
    case WASM_V128: return "v128";
    }
    return "?";
}

bool wasm_functype_equal(const struct wasm_functype *a, const struct wasm_functype *b)
{
    if (a == b) return true;
    return a->nparams == b->nparams && a->nresults == b->nresults &&
           !memcmp(a->params, b->params, a->nparams) &&
           !memcmp(a->results, b->results, a->nresults);
}

/*
 * A constant expression must produce `want` (spec 3.3.10). global.get may
 * only name an immutable imported global: in 2.0 every constant expression
 * is validated in the context C' whose globals are the imported ones
 * (spec 3.4.10).
 */
static int check_cexpr(struct wasm_module *m, struct cexpr *e, uint8_t want, uint32_t nglobals,
                       struct wasm_error *err)
{
    switch (e->op) {
    case 0xd2:
        if (e->idx >= m->nfuncs) return wasm_fail(err, ERR_INVAL, "unknown function %u", e->idx);
        break;
    case 0x23:
        if (e->idx >= nglobals) return wasm_fail(err, ERR_INVAL, "unknown global %u", e->idx);
        if (m->globals[e->idx].mut)
            return wasm_fail(err, ERR_INVAL, "constant expression required (mutable global)");
        e->type = m->globals[e->idx].type;
        break;
    }
    if (e->type != want)
        return wasm_fail(err, ERR_INVAL, "type mismatch: constant expression has type %s, not %s",
                         wasm_valtype_name(e->type), wasm_valtype_name(want));
    return 0;
}

static void declare_ref(struct wasm_module *m, const struct cexpr *e)
{
    if (e->op == 0xd2 && e->idx < m->nfuncs)
        m->func_refs[e->idx / 8] |= (uint8_t)(1u << (e->idx % 8));
}

static int validate_globals(struct wasm_module *m, struct wasm_error *err)
{
    for (uint32_t i = m->nglobal_imports; i < m->nglobals; i++) {
        struct mod_global *g = &m->globals[i];
        int rc = check_cexpr(m, &g->init, g->type, m->nglobal_imports, err);
        if (rc) return rc;
        declare_ref(m, &g->init);
    }
    return 0;
}

static uint32_t name_hash(const char *s, uint32_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (uint32_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* Export names are unique (spec 3.4.10): a hash set of export indices. */
static int check_export_names(const struct wasm_module *m, struct wasm_error *err)
{
    uint32_t cap = 16;
    while (cap < 2 * m->nexports)
        cap *= 2;
    uint32_t *set = mem_zalloc(cap * sizeof(uint32_t)); /* export index + 1 */
    if (!set) return wasm_fail(err, ERR_NOMEM, "out of memory");
    int rc = 0;
    for (uint32_t i = 0; i < m->nexports && !rc; i++) {
        const struct mod_export *e = &m->exports[i];
        uint32_t k = name_hash(e->name, e->name_len) & (cap - 1);
        for (; set[k]; k = (k + 1) & (cap - 1)) {
            const struct mod_export *o = &m->exports[set[k] - 1];
            if (o->name_len == e->name_len && !memcmp(o->name, e->name, e->name_len)) {
                rc = wasm_fail(err, ERR_INVAL, "duplicate export name \"%s\"", e->name);
                break;
            }
        }
        set[k] = i + 1;
    }
    mem_free(set);
    return rc;
}

static int validate_exports(struct wasm_module *m, struct wasm_error *err)
{
    static const char *const kinds[] = {"function", "table", "memory", "global"};
    for (uint32_t i = 0; i < m->nexports; i++) {
        struct mod_export *e = &m->exports[i];
        uint32_t n = e->kind == WASM_EXTERN_FUNC     ? m->nfuncs
                     : e->kind == WASM_EXTERN_TABLE  ? m->ntables
                     : e->kind == WASM_EXTERN_MEMORY ? m->nmems
                                                     : m->nglobals;
        if (e->idx >= n) return wasm_fail(err, ERR_INVAL, "unknown %s %u", kinds[e->kind], e->idx);
        if (e->kind == WASM_EXTERN_FUNC) {
            struct cexpr ref = {.op = 0xd2, .idx = e->idx};
            declare_ref(m, &ref);
        }
    }
    return check_export_names(m, err);
}

static int validate_elems(struct wasm_module *m, struct wasm_error *err)
{
    for (uint32_t i = 0; i < m->nelems; i++) {
        struct mod_elem *e = &m->elems[i];
        int rc;
        if (e->mode == SEG_ACTIVE) {
            if (e->table >= m->ntables)
                return wasm_fail(err, ERR_INVAL, "unknown table %u", e->table);
            if (m->tables[e->table].elem_type != e->type)
                return wasm_fail(err, ERR_INVAL, "type mismatch: element segment %u", i);
            rc = check_cexpr(m, &e->offset, WASM_I32, m->nglobal_imports, err);
            if (rc) return rc;
        }
        for (uint32_t k = 0; k < e->count; k++) {
            rc = check_cexpr(m, &e->items[k], e->type, m->nglobal_imports, err);
            if (rc) return rc;
            declare_ref(m, &e->items[k]);
        }
    }
    return 0;
}

static int validate_datas(struct wasm_module *m, struct wasm_error *err)
{
    for (uint32_t i = 0; i < m->ndatas; i++) {
        struct mod_data *d = &m->datas[i];
        if (d->mode != SEG_ACTIVE) continue;
        if (d->mem >= m->nmems) return wasm_fail(err, ERR_INVAL, "unknown memory %u", d->mem);
        int rc = check_cexpr(m, &d->offset, WASM_I32, m->nglobal_imports, err);
        if (rc) return rc;
    }
    return 0;
}

/* Names for traps: the name section first, else the first export name. */
static int name_from_exports(struct wasm_module *m)
{
    for (uint32_t i = 0; i < m->nexports; i++) {
        const struct mod_export *e = &m->exports[i];
        if (e->kind != WASM_EXTERN_FUNC) continue;
        if (!m->func_names) {
            m->func_names = mem_zalloc((size_t)m->nfuncs * sizeof(char *));
            if (!m->func_names) return ERR_NOMEM;
        }
        if (m->func_names[e->idx]) continue;
        size_t n = strlen(e->name);
        char *s = mem_alloc(n + 1);
        if (!s) return ERR_NOMEM;
        memcpy(s, e->name, n + 1);
        m->func_names[e->idx] = s;
    }
    return 0;
}

int wasm_validate_module(struct wasm_module *m, struct wasm_error *err)
{
    int rc;
    if (m->nmems > 1) return wasm_fail(err, ERR_INVAL, "multiple memories");
    m->func_refs = mem_zalloc(m->nfuncs / 8 + 1);
    if (!m->func_refs) return wasm_fail(err, ERR_NOMEM, "out of memory");
    if ((rc = validate_globals(m, err)) || (rc = validate_exports(m, err)) ||
        (rc = validate_elems(m, err)) || (rc = validate_datas(m, err)))
        return rc;
    if (m->has_start) {
        if (m->start >= m->nfuncs)
            return wasm_fail(err, ERR_INVAL, "unknown function %u (start function)", m->start);
        const struct wasm_functype *t = mod_func_type(m, m->start);
        if (t->nparams || t->nresults)
            return wasm_fail(err, ERR_INVAL, "start function must have type [] -> []");
    }
    if (name_from_exports(m)) return wasm_fail(err, ERR_NOMEM, "out of memory");
    return 0;
}

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

struct strbuf {
    char *buf;
    size_t size, n;
};

static void sb_add(struct strbuf *b, const char *s)
{
    while (*s && b->n + 1 < b->size)
        b->buf[b->n++] = *s++;
    b->buf[b->n] = 0;
}

const char *wasm_functype_str(const struct wasm_functype *t, char *buf, size_t size)
{
    struct strbuf b = {buf, size, 0};
    if (!size) return buf;
    sb_add(&b, "(");
    for (uint32_t i = 0; i < t->nparams; i++) {
        sb_add(&b, i ? " " : "");
        sb_add(&b, wasm_valtype_name(t->params[i]));
    }
    sb_add(&b, ") -> (");
    for (uint32_t i = 0; i < t->nresults; i++) {
        sb_add(&b, i ? " " : "");
        sb_add(&b, wasm_valtype_name(t->results[i]));
    }
    sb_add(&b, ")");
    return buf;
}
