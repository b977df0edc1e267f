/*
 * lib/wasm/objects.c - memories, tables and globals (spec 4.2.7-4.2.9 and
 * their growth, 4.5.3), for instances and for embedders, plus the host-call
 * helpers of wasm.h.
 *
 * Linear memory is one block from mem_zalloc, grown with mem_realloc; a
 * memory never exceeds its declared maximum, 65536 pages, or the cap the
 * instance's config put on it.
 */
#include "wasm/internal.h"

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"

int wasm_memory_init_object(struct wasm_memory *m, const struct wasm_limits *l, uint32_t cap,
                            struct mem_budget *budget)
{
    uint32_t min = l->min, max = l->has_max ? l->max : WASM_MAX_PAGES;
    memset(m, 0, sizeof *m);
    if (max > WASM_MAX_PAGES || min > max || min > cap) return ERR_NOMEM;
    m->max_pages = max;
    m->cap_pages = cap;
    m->has_max = l->has_max;
    if (min) {
        size_t size = (size_t)min * WASM_PAGE_SIZE;
        if (budget_move(budget, 0, size)) return ERR_NOMEM;
        m->data = mem_zalloc(size);
        if (!m->data) {
            budget_move(budget, size, 0);
            return ERR_NOMEM;
        }
    }
    m->budget = budget;
    m->pages = min;
    m->size = (uint64_t)min * WASM_PAGE_SIZE;
    return 0;
}

/* spec 4.5.3.9 growmem: fails (leaving the memory as it was) past a limit
 * or when the allocation fails. */
int wasm_memory_grow_internal(struct wasm_memory *m, uint32_t delta)
{
    uint64_t pages = (uint64_t)m->pages + delta;
    if (pages > m->max_pages || pages > m->cap_pages) return ERR_NOMEM;
    if (delta == 0) return 0;
    size_t size = (size_t)pages * WASM_PAGE_SIZE;
    if (budget_move(m->budget, m->size, size)) return ERR_NOMEM;
    uint8_t *p = mem_realloc(m->data, size);
    if (!p) {
        budget_move(m->budget, size, m->size);
        return ERR_NOMEM;
    }
    memset(p + m->size, 0, size - m->size);
    m->data = p;
    m->pages = (uint32_t)pages;
    m->size = size;
    return 0;
}

void wasm_memory_fini_object(struct wasm_memory *m)
{
    budget_move(m->budget, m->size, 0);
    mem_free(m->data);
    m->data = NULL;
    m->size = 0;
    m->pages = 0;
}

struct wasm_memory *wasm_memory_new(uint32_t min_pages, uint32_t max_pages)
{
    struct wasm_memory *m = mem_alloc(sizeof *m);
    if (!m) return NULL;
    struct wasm_limits l = {min_pages, max_pages, max_pages != UINT32_MAX};
    if (wasm_memory_init_object(m, &l, WASM_MAX_PAGES, NULL)) {
        mem_free(m);
        return NULL;
    }
    return m;
}

void wasm_memory_free(struct wasm_memory *m)
{
    if (!m) return;
    mem_free(m->data);
    mem_free(m);
}

uint8_t *wasm_memory_data(const struct wasm_memory *m)
{
    return m->data;
}
uint64_t wasm_memory_size(const struct wasm_memory *m)
{
    return m->size;
}
uint32_t wasm_memory_pages(const struct wasm_memory *m)
{
    return m->pages;
}

int wasm_memory_grow(struct wasm_memory *m, uint32_t delta, uint32_t *old_pages)
{
    uint32_t old = m->pages;
    int rc = wasm_memory_grow_internal(m, delta);
    if (!rc && old_pages) *old_pages = old;
    return rc;
}

void *wasm_memory_ptr(struct wasm_memory *m, uint64_t offset, uint64_t len)
{
    if (!m || offset > m->size || len > m->size - offset) return NULL;
    return m->data + offset;
}

int wasm_memory_read(const struct wasm_memory *m, uint64_t offset, void *dst, size_t len)
{
    if (!m || offset > m->size || len > m->size - offset) return ERR_FAULT;
    if (len) memcpy(dst, m->data + offset, len);
    return 0;
}

int wasm_memory_write(struct wasm_memory *m, uint64_t offset, const void *src, size_t len)
{
    if (!m || offset > m->size || len > m->size - offset) return ERR_FAULT;
    if (len) memcpy(m->data + offset, src, len);
    return 0;
}

/* ---- tables ---- */

int wasm_table_init_object(struct wasm_table *t, uint8_t type, const struct wasm_limits *l,
                           uint32_t cap)
{
    uint32_t min = l->min;
    memset(t, 0, sizeof *t);
    if ((l->has_max && min > l->max) || min > cap) return ERR_NOMEM;
    t->type = type;
    t->max = l->has_max ? l->max : UINT32_MAX;
    t->has_max = l->has_max;
    t->cap = cap;
    t->elems = mem_zalloc((size_t)(min ? min : 1) * sizeof(wasm_value));
    if (!t->elems) return ERR_NOMEM;
    t->size = min;
    return 0;
}

/* spec 4.5.3.8 growtable: new elements are init. */
int wasm_table_grow_internal(struct wasm_table *t, uint32_t delta, wasm_value init)
{
    uint64_t size = (uint64_t)t->size + delta;
    if (size > t->max || size > t->cap) return ERR_NOMEM;
    if (delta == 0) return 0;
    wasm_value *p = mem_realloc(t->elems, (size_t)size * sizeof(wasm_value));
    if (!p) return ERR_NOMEM;
    for (uint64_t i = t->size; i < size; i++)
        p[i] = init;
    t->elems = p;
    t->size = (uint32_t)size;
    return 0;
}

struct wasm_table *wasm_table_new(uint8_t elem_type, uint32_t min, uint32_t max)
{
    struct wasm_table *t = mem_alloc(sizeof *t);
    if (!t) return NULL;
    struct wasm_limits l = {min, max, max != UINT32_MAX};
    if (!wasm_is_reftype(elem_type) || wasm_table_init_object(t, elem_type, &l, UINT32_MAX)) {
        mem_free(t);
        return NULL;
    }
    return t;
}

void wasm_table_free(struct wasm_table *t)
{
    if (!t) return;
    mem_free(t->elems);
    mem_free(t);
}

uint32_t wasm_table_size(const struct wasm_table *t)
{
    return t->size;
}

int wasm_table_get(const struct wasm_table *t, uint32_t i, wasm_value *out)
{
    if (i >= t->size) return ERR_FAULT;
    *out = t->elems[i];
    return 0;
}

int wasm_table_set(struct wasm_table *t, uint32_t i, wasm_value v)
{
    if (i >= t->size) return ERR_FAULT;
    t->elems[i] = v;
    return 0;
}

/* ---- globals ---- */

struct wasm_global *wasm_global_new(uint8_t type, bool mut, wasm_value v)
{
    struct wasm_global *g = mem_zalloc(sizeof *g);
    if (!g) return NULL;
    g->type = type;
    g->mut = mut;
    g->v = v;
    return g;
}

void wasm_global_free(struct wasm_global *g)
{
    mem_free(g);
}
wasm_value wasm_global_get(const struct wasm_global *g)
{
    wasm_value v = g->v;
    wasm_normalize(&g->type, 1, &v);
    return v;
}

void wasm_global_get_v128(const struct wasm_global *g, wasm_value out[2])
{
    out[0] = wasm_global_get(g);
    out[1].u64 = g->type == WASM_V128 ? g->hi : 0;
}

int wasm_global_set(struct wasm_global *g, wasm_value v)
{
    if (!g->mut) return ERR_PERM;
    g->v = v;
    return 0;
}

uint8_t wasm_global_type(const struct wasm_global *g, bool *mut)
{
    if (mut) *mut = g->mut;
    return g->type;
}

/* ---- host calls ---- */

int wasm_host_trap(struct wasm_host_call *call, const char *fmt, ...)
{
    va_list ap;
    wasm_trap_set(call->trap, WASM_TRAP_HOST, NULL);
    va_start(ap, fmt);
    fmt_vsnprintf(call->trap->reason, sizeof call->trap->reason, fmt, ap);
    va_end(ap);
    return WASM_TRAP_HOST;
}

int wasm_host_exit(struct wasm_host_call *call, int code)
{
    wasm_trap_set(call->trap, WASM_TRAP_EXIT, NULL);
    fmt_snprintf(call->trap->reason, sizeof call->trap->reason, "exit with status %d", code);
    call->trap->exit_code = code;
    return WASM_TRAP_EXIT;
}

void wasm_extern_host(struct wasm_extern *out, const char *sig, wasm_host_fn fn, void *user)
{
    memset(out, 0, sizeof *out);
    out->kind = WASM_EXTERN_FUNC;
    out->host_fn = fn;
    out->host_sig = sig;
    out->host_user = user;
}
