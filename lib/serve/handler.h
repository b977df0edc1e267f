/*
 * lib/serve/handler.h - a wasi:http incoming handler, loaded and checked
 * once and called in a fresh instance per request: a component exporting
 * wasi:http/incoming-handler@0.2.N, or a core module exporting
 * "wasi:http/incoming-handler@0.2.N#handle" under the canonical ABI (and
 * _initialize, called first, if it has one). Shared by `kpio-wasm serve`
 * and the kernel's `serve`.
 */
#ifndef SERVE_HANDLER_H
#define SERVE_HANDLER_H

#include <stddef.h>
#include <stdint.h>

#include "wasi/wasi.h"
#include "wasm/wasm.h"

struct comp;

struct serve_handler {
    struct wasm_module *mod; /* a core module, or */
    struct comp *comp;       /* a component (borrowing the bytes it was loaded from) */
    char export[96];         /* the handle export (module) or instance (component) */
};

/* Loads, validates and (for a component, whose core modules are compiled
 * once) prepares the handler in bytes, which must outlive h: 0, or an
 * ERR_* with err->msg saying why. */
int serve_handler_load(struct serve_handler *h, const uint8_t *bytes, size_t len,
                       struct wasm_error *err);
void serve_handler_free(struct serve_handler *h);

/* Instantiates the handler with w's imports under cfg and calls handle(req,
 * out) (with a component's post-return): 0, ERR_FAULT with *trap, or
 * another ERR_* with err->msg. */
int serve_handler_call(const struct serve_handler *h, struct wasi_ctx *w,
                       const struct wasm_config *cfg, uint32_t req, uint32_t out,
                       struct wasm_trap *trap, struct wasm_error *err);

#endif
