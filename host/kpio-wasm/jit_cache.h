/*
 * host/kpio-wasm/jit_cache.h - kpio-wasm's cache of machine code on disk
 * (--jit-cache DIR; off without it): one file per module in DIR, named by
 * the first 32 hex digits of the module's SHA-256 ("<hex>.jit"), checked
 * on load by lib/wasm (jit_store.c) and ignored when stale or damaged.
 * Deleting DIR or its files clears it. A component's core modules have a
 * file each.
 */
#ifndef HOST_KPIO_WASM_JIT_CACHE_H
#define HOST_KPIO_WASM_JIT_CACHE_H

#include <stdbool.h>

#include "component/component.h"
#include "wasm/wasm.h"

/* Gives mod its code from dir (NULL: no cache); true if it did. */
bool host_jit_cache_load(const char *dir, struct wasm_module *mod);
/* Writes mod's code to dir if this run compiled it; failures are told on
 * stderr once and otherwise ignored. */
void host_jit_cache_save(const char *dir, const struct wasm_module *mod);

/* The same for the core modules of component c (loaded once for the
 * purpose, comp_preload_modules): before its instantiation, and after. */
void host_jit_cache_load_comp(const char *dir, struct comp *c);
void host_jit_cache_save_comp(const char *dir, const struct comp *c);

#endif
