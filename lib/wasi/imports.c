/*
 * lib/wasi/imports.c - the import resolver, the top of lib/wasi: finds a
 * module's import in the preview1 table (p1_table.c) or the 0.2 table
 * (p2_table.c) and binds it to the context, 0.2 functions through the
 * re-entrancy guard of wasi_p2_dispatch (ctx.c). No other lib/wasi file
 * calls it, so the context (ctx.c) sits below the host functions that use
 * its descriptors.
 */
#include "base/env.h"
#include "base/mem.h"
#include "wasi/internal.h"

const struct wasi_import_fn *wasi_p2_lookup(const char *iface, size_t iface_len, const char *field,
                                            size_t field_len)
{
    for (size_t i = 0; i < wasi_p2_table_len; i++) {
        const struct wasi_import_fn *f = &wasi_p2_table[i];
        if (strlen(f->iface) == iface_len && !memcmp(f->iface, iface, iface_len) &&
            strlen(f->name) == field_len && !memcmp(f->name, field, field_len))
            return f;
    }
    return NULL;
}

/* "wasi:<pkg>/<iface>@0.2.<digits>": sets the interface part, or false. */
static bool parse_p2_module(const char *m, size_t len, const char **iface, size_t *iface_len)
{
    static const char prefix[] = "wasi:";
    if (len < 5 || memcmp(m, prefix, 5) != 0) return false;
    const char *at = memchr(m, '@', len);
    if (!at) return false;
    const char *ver = at + 1;
    size_t vlen = len - (size_t)(ver - m);
    if (vlen < 5 || memcmp(ver, "0.2.", 4) != 0) return false;
    for (size_t i = 4; i < vlen; i++)
        if (!char_is_digit(ver[i])) return false;
    *iface = m + 5;
    *iface_len = (size_t)(at - m) - 5;
    return true;
}

static int bind_p2(struct wasi_ctx *w, const struct wasi_import_fn *f, bool lowered,
                   struct wasm_memory *memory, struct wasm_func *realloc, struct wasm_extern *out)
{
    struct wasi_p2_binding *b = mem_zalloc(sizeof *b);
    if (!b) return ERR_NOMEM;
    b->w = w;
    b->fn = f->fn;
    b->lowered = lowered;
    b->memory = memory;
    b->realloc = realloc;
    b->next = w->bindings;
    w->bindings = b;
    wasm_extern_host(out, f->sig, wasi_p2_dispatch, b);
    return 0;
}

int wasi_resolve(void *ctx, const struct wasm_import *imp, struct wasm_extern *out)
{
    struct wasi_ctx *w = ctx;
    if (imp->kind != WASM_EXTERN_FUNC) return ERR_NOENT;
    const struct wasi_import_fn *f = NULL;
    const char *iface;
    size_t iface_len;
    if (imp->module_len == 22 && !memcmp(imp->module, "wasi_snapshot_preview1", 22))
        f = wasi_p1_lookup(imp->name, imp->name_len);
    else if (parse_p2_module(imp->module, imp->module_len, &iface, &iface_len))
        f = wasi_p2_lookup(iface, iface_len, imp->name, imp->name_len);
    if (!f) return ERR_NOENT;
    if (f->iface) /* 0.2: through the re-entrancy guard */
        return bind_p2(w, f, false, NULL, NULL, out);
    wasm_extern_host(out, f->sig, f->fn, w);
    return 0;
}

/* The 0.2 function name of the interface "wasi:<pkg>/<iface>@0.2.N". */
static const struct wasi_import_fn *p2_find(const char *iface, size_t iface_len, const char *name,
                                            size_t name_len)
{
    const char *i;
    size_t ilen;
    if (!parse_p2_module(iface, iface_len, &i, &ilen)) return NULL;
    return wasi_p2_lookup(i, ilen, name, name_len);
}

const char *wasi_p2_signature(const char *iface, size_t iface_len, const char *name,
                              size_t name_len)
{
    const struct wasi_import_fn *f = p2_find(iface, iface_len, name, name_len);
    return f ? f->sig : NULL;
}

int wasi_p2_bind(struct wasi_ctx *w, const char *iface, size_t iface_len, const char *name,
                 size_t name_len, struct wasm_memory *memory, struct wasm_func *realloc,
                 struct wasm_extern *out)
{
    const struct wasi_import_fn *f = p2_find(iface, iface_len, name, name_len);
    return f ? bind_p2(w, f, true, memory, realloc, out) : ERR_NOENT;
}
