/*
 * lib/component/resource.c - resource handle tables and the rules of own
 * and borrow handles (resource.h; CanonicalABI.md "Handles", "Table
 * State", "canon resource.drop"). The table grows by doubling; a removed
 * slot goes on a free list threaded through `rep`, as the specification's
 * Table does, so indices are reused lowest-freed-last.
 */
#include "component/resource.h"
#include "component/internal.h"
#include "base/env.h"
#include "base/fmt.h"
#include "base/mem.h"

#include <stdarg.h>

int comp_vtrap(struct wasm_trap *t, const char *fmt, va_list ap)
{
    memset(t, 0, sizeof *t);
    t->kind = WASM_TRAP_HOST;
    t->func_index = UINT32_MAX;
    size_t n = fmt_snprintf(t->reason, sizeof t->reason, "canonical ABI: ");
    fmt_vsnprintf(t->reason + n, sizeof t->reason - n, fmt, ap);
    return ERR_FAULT;
}

int comp_trapf(struct wasm_trap *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = comp_vtrap(t, fmt, ap);
    va_end(ap);
    return rc;
}

void comp_handles_free(struct comp_handles *t)
{
    mem_free(t->h);
    memset(t, 0, sizeof *t);
}

static int grow(struct comp_handles *t, struct wasm_trap *trap)
{
    if (t->n + 1 < t->cap) return 0;
    if (t->n + 1 >= COMP_MAX_HANDLES)
        return comp_trapf(trap, "the handle table is full (%u handles)", COMP_MAX_HANDLES);
    uint32_t cap = t->cap ? t->cap * 2 : 16;
    struct comp_handle *h = mem_zalloc((size_t)cap * sizeof *h);
    if (!h) return comp_trapf(trap, "out of host memory for %u handles", cap);
    if (t->h) memcpy(h, t->h, (size_t)t->cap * sizeof *h);
    mem_free(t->h);
    t->h = h;
    t->cap = cap;
    if (!t->n) t->n = 1; /* index 0 is never a handle */
    return 0;
}

int comp_handle_add(struct comp_handles *t, uint32_t rt, uint32_t rep, bool own,
                    struct comp_call_scope *scope, uint32_t *idx, struct wasm_trap *trap)
{
    uint32_t i = t->free;
    if (i) {
        t->free = t->h[i].rep;
    } else {
        TRY(grow(t, trap));
        i = t->n++;
    }
    t->h[i] = (struct comp_handle){.rt = rt, .rep = rep, .used = true, .own = own, .scope = scope};
    *idx = i;
    return 0;
}

int comp_handle_get(struct comp_handles *t, uint32_t rt, uint32_t idx, const char *what,
                    struct comp_handle **out, struct wasm_trap *trap)
{
    if (idx == 0 || idx >= t->n || !t->h[idx].used)
        return comp_trapf(trap, "%s: handle %u is not in the table", what, idx);
    if (t->h[idx].rt != rt)
        return comp_trapf(trap, "%s: handle %u is of another resource type (type %u, not %u)", what,
                          idx, t->h[idx].rt, rt);
    *out = &t->h[idx];
    return 0;
}

static void put_back(struct comp_handles *t, uint32_t idx)
{
    t->h[idx] = (struct comp_handle){.rep = t->free};
    t->free = idx;
}

int comp_handle_drop(struct comp_handles *t, uint32_t rt, uint32_t idx, bool *run_dtor,
                     uint32_t *dtor_rep, struct wasm_trap *trap)
{
    struct comp_handle *h = NULL;
    TRY(comp_handle_get(t, rt, idx, "resource.drop", &h, trap));
    *run_dtor = false;
    if (h->own && h->lends)
        return comp_trapf(trap, "resource.drop: own handle %u is still lent to %u call(s)", idx,
                          h->lends);
    if (h->own) {
        *run_dtor = true;
        *dtor_rep = h->rep;
    } else if (h->scope) {
        h->scope->borrows--;
    }
    put_back(t, idx);
    return 0;
}

int comp_handle_lift_own(struct comp_handles *t, uint32_t rt, uint32_t idx, uint32_t *rep,
                         struct wasm_trap *trap)
{
    struct comp_handle *h = NULL;
    TRY(comp_handle_get(t, rt, idx, "own handle", &h, trap));
    if (!h->own) return comp_trapf(trap, "handle %u is a borrow, passed as own", idx);
    if (h->lends)
        return comp_trapf(trap, "own handle %u is moved while lent to %u call(s)", idx, h->lends);
    *rep = h->rep;
    put_back(t, idx);
    return 0;
}

static int add_lender(struct comp_call_scope *s, struct comp_handles *t, uint32_t idx,
                      struct wasm_trap *trap)
{
    if (s->lender_table && s->lender_table != t)
        return comp_trapf(trap, "borrows from two tables in one call");
    if (s->nlenders == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 8;
        uint32_t *l = mem_zalloc((size_t)cap * sizeof *l);
        if (!l) return comp_trapf(trap, "out of host memory for %u borrows", cap);
        if (s->lenders) memcpy(l, s->lenders, (size_t)s->nlenders * sizeof *l);
        mem_free(s->lenders);
        s->lenders = l;
        s->cap = cap;
    }
    s->lender_table = t;
    s->lenders[s->nlenders++] = idx;
    return 0;
}

int comp_handle_lift_borrow(struct comp_handles *t, uint32_t rt, uint32_t idx,
                            struct comp_call_scope *scope, uint32_t *rep, struct wasm_trap *trap)
{
    struct comp_handle *h = NULL;
    TRY(comp_handle_get(t, rt, idx, "borrow handle", &h, trap));
    if (h->own) {
        TRY(add_lender(scope, t, idx, trap));
        h->lends++;
    }
    *rep = h->rep;
    return 0;
}

int comp_handle_lower_borrow(struct comp_handles *t, uint32_t rt, uint32_t rep, bool implements,
                             struct comp_call_scope *scope, uint32_t *idx, struct wasm_trap *trap)
{
    if (implements) {
        *idx = rep;
        return 0;
    }
    TRY(comp_handle_add(t, rt, rep, false, scope, idx, trap));
    scope->borrow_table = t;
    scope->borrows++;
    return 0;
}

int comp_call_scope_end(struct comp_call_scope *scope, struct wasm_trap *trap)
{
    for (uint32_t i = 0; i < scope->nlenders; i++)
        scope->lender_table->h[scope->lenders[i]].lends--;
    uint32_t left = scope->borrows;
    for (uint32_t i = 1; left && i < scope->borrow_table->n; i++) /* they outlive it: orphans */
        if (scope->borrow_table->h[i].scope == scope) scope->borrow_table->h[i].scope = NULL;
    mem_free(scope->lenders);
    memset(scope, 0, sizeof *scope);
    if (left)
        return comp_trapf(trap, "%u borrow handle(s) still in the table when the call returned",
                          left);
    return 0;
}
