/*
 * lib/serve/handler.c - loading a wasi:http incoming handler once and
 * calling it in a fresh instance per request (handler.h).
 */
#include "serve/handler.h"

#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "component/command.h"

static bool is_handler_name(const char *n, size_t len, bool with_func)
{
    static const char prefix[] = "wasi:http/incoming-handler@0.2.";
    size_t p = sizeof prefix - 1;
    if (len <= p || memcmp(n, prefix, p)) return false;
    if (!with_func) return true;
    return len > 7 && !memcmp(n + len - 7, "#handle", 7);
}

static int load_component(struct serve_handler *h, const uint8_t *bytes, size_t len,
                          struct wasm_error *err)
{
    struct comp_error cerr;
    int rc = comp_load(bytes, len, &h->comp, &cerr);
    if (rc == 0) rc = comp_command_check(h->comp, &cerr);
    if (rc == 0) rc = comp_preload_modules(h->comp, &cerr); /* compiled once */
    if (rc) {
        str_copy(err->msg, cerr.msg, sizeof err->msg);
        return rc;
    }
    const struct comp_component *root = h->comp->root;
    for (uint32_t i = 0; i < root->nexports; i++) {
        const struct comp_str *n = &root->exports[i].name;
        if (root->exports[i].sort == COMP_INSTANCE && n->len < sizeof h->export &&
            is_handler_name((const char *)n->p, n->len, false)) {
            memcpy(h->export, n->p, n->len);
            h->export[n->len] = 0;
        }
    }
    return 0;
}

int serve_handler_load(struct serve_handler *h, const uint8_t *bytes, size_t len,
                       struct wasm_error *err)
{
    memset(h, 0, sizeof *h);
    int rc;
    if (comp_header(bytes, len) == COMP_HEADER_COMPONENT) {
        rc = load_component(h, bytes, len, err);
    } else {
        rc = wasm_module_load(bytes, len, &h->mod, err);
        for (uint32_t i = 0; rc == 0 && i < wasm_module_export_count(h->mod); i++) {
            enum wasm_extern_kind kind;
            const char *n = wasm_module_export(h->mod, i, &kind);
            if (kind == WASM_EXTERN_FUNC && strlen(n) < sizeof h->export &&
                is_handler_name(n, strlen(n), true))
                str_copy(h->export, n, sizeof h->export);
        }
    }
    if (rc == 0 && !h->export[0]) {
        fmt_snprintf(err->msg, sizeof err->msg,
                     "exports no wasi:http/incoming-handler@0.2.N handle");
        rc = ERR_NOENT;
    }
    if (rc) serve_handler_free(h);
    return rc;
}

void serve_handler_free(struct serve_handler *h)
{
    if (h->mod) wasm_module_free(h->mod);
    comp_free(h->comp);
    h->mod = NULL;
    h->comp = NULL;
}

/* Calls a core module's handle. */
static int call_module(const struct serve_handler *h, struct wasi_ctx *w,
                       const struct wasm_config *cfg, const wasm_value args[2],
                       struct wasm_trap *trap, struct wasm_error *err)
{
    struct wasm_instance *inst;
    int rc = wasm_instance_new(h->mod, cfg, wasi_resolve, w, &inst, err, trap);
    if (rc) {
        if (rc == ERR_FAULT) wasm_instance_free(inst);
        return rc;
    }
    struct wasm_func *init = wasm_instance_func(inst, "_initialize");
    if (init) rc = wasm_call(init, NULL, 0, NULL, 0, trap);
    struct wasm_func *f = wasm_instance_func(inst, h->export);
    if (!rc) rc = f ? wasm_call(f, args, 2, NULL, 0, trap) : ERR_NOENT;
    if (rc == ERR_NOENT) fmt_snprintf(err->msg, sizeof err->msg, "no %s", h->export);
    wasm_instance_free(inst);
    return rc;
}

/* Calls a component's incoming-handler handle (and its post-return). */
static int call_component(const struct serve_handler *h, struct wasi_ctx *w,
                          const struct wasm_config *cfg, const wasm_value args[2],
                          struct wasm_trap *trap, struct wasm_error *err)
{
    struct comp_instance *ci;
    struct comp_error cerr;
    int rc = comp_command_instantiate(h->comp, w, cfg, &ci, &cerr, trap);
    if (rc) {
        if (rc != ERR_FAULT) str_copy(err->msg, cerr.msg, sizeof err->msg);
        return rc;
    }
    cerr.msg[0] = 0;
    const struct comp_component *scope;
    const struct comp_def *lift;
    struct wasm_extern f = {0}, post = {0};
    rc = comp_find_lift(h->comp, h->export, "handle", &scope, &lift, &cerr);
    if (!rc && scope != h->comp->root) rc = ERR_NOTSUP;
    if (!rc) rc = comp_instance_core_item(ci, COMP_CORE_FUNC, lift->canon->func, &f);
    if (!rc && lift->canon->post_return != COMP_NONE)
        rc = comp_instance_core_item(ci, COMP_CORE_FUNC, lift->canon->post_return, &post);
    if (!rc && !f.func) rc = ERR_NOTSUP;
    if (rc && rc != ERR_FAULT)
        fmt_snprintf(err->msg, sizeof err->msg, "%s#handle: %s", h->export, cerr.msg);
    if (!rc) rc = wasm_call(f.func, args, 2, NULL, 0, trap);
    if (!rc && post.func) rc = wasm_call(post.func, NULL, 0, NULL, 0, trap);
    comp_instance_free(ci);
    return rc;
}

int serve_handler_call(const struct serve_handler *h, struct wasi_ctx *w,
                       const struct wasm_config *cfg, uint32_t req, uint32_t out,
                       struct wasm_trap *trap, struct wasm_error *err)
{
    wasm_value args[2] = {{.u32 = req}, {.u32 = out}};
    err->msg[0] = 0;
    return h->comp ? call_component(h, w, cfg, args, trap, err)
                   : call_module(h, w, cfg, args, trap, err);
}
