/*
 * lib/wasm/common.c - the floor of lib/wasm, small helpers every stage
 * uses: the error message of a failing call, value types and their names,
 * a function type as text, values moved between wide and narrow slot
 * layouts, and a trap's kind, reason and function. It calls no other file
 * of lib/wasm.
 */
#include "wasm/internal.h"

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

/* ---- values of a function type in wide (v128: two slots) and narrow layout ---- */

void wasm_slots_narrow(const uint8_t *types, uint32_t n, wasm_value *v)
{
    for (uint32_t i = 0, k = 0; i < n; i++) {
        v[k++] = v[2 * i];
        if (types[i] == WASM_V128) v[k++] = v[2 * i + 1];
    }
}

void wasm_slots_widen(const uint8_t *types, uint32_t n, wasm_value *v)
{
    uint32_t k = wasm_types_nvalues(types, n);
    for (uint32_t i = n; i-- > 0;) {
        if (types[i] == WASM_V128) v[2 * i + 1] = v[--k];
        v[2 * i] = v[--k];
    }
}

/* ---- traps ---- */

static const char *const trap_reasons[] = {
    [WASM_TRAP_NONE] = "no trap",
    [WASM_TRAP_UNREACHABLE] = "unreachable",
    [WASM_TRAP_MEMORY_OOB] = "out of bounds memory access",
    [WASM_TRAP_TABLE_OOB] = "out of bounds table access",
    [WASM_TRAP_DIV_ZERO] = "integer divide by zero",
    [WASM_TRAP_INT_OVERFLOW] = "integer overflow",
    [WASM_TRAP_INVALID_CONV] = "invalid conversion to integer",
    [WASM_TRAP_UNDEFINED_ELEM] = "undefined element",
    [WASM_TRAP_UNINIT_ELEM] = "uninitialized element",
    [WASM_TRAP_INDIRECT_TYPE] = "indirect call type mismatch",
    [WASM_TRAP_STACK_EXHAUSTED] = "call stack exhausted",
    [WASM_TRAP_KILLED] = "killed",
    [WASM_TRAP_HOST] = "host function failed",
    [WASM_TRAP_EXIT] = "exit",
    [WASM_TRAP_NOMEM] = "out of memory",
};

const char *wasm_trap_kind_str(enum wasm_trap_kind kind)
{
    if ((unsigned)kind < sizeof trap_reasons / sizeof trap_reasons[0]) return trap_reasons[kind];
    return "unknown trap";
}

void wasm_trap_set(struct wasm_trap *t, enum wasm_trap_kind kind, const char *reason)
{
    t->kind = kind;
    t->exit_code = 0;
    t->func_index = UINT32_MAX;
    t->func_name = NULL;
    str_copy(t->reason, reason ? reason : wasm_trap_kind_str(kind), sizeof t->reason);
}

void wasm_trap_locate(struct wasm_trap *t, const struct wasm_func *f)
{
    if (!f || !f->inst) return;
    const struct wasm_module *m = f->inst->mod;
    t->func_index = f->index;
    t->func_name = m->func_names && f->index < m->nfuncs ? m->func_names[f->index] : NULL;
}
