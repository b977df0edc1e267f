/*
 * kernel/wasm/jit_disk.h - apps' machine code cached on disk, so that an
 * app's next run starts without compiling (lib/wasm's jit_store.c).
 *
 * The cache is the folder /.jit on the root file system: one file per
 * module, named by the first 32 hex digits of its SHA-256 ("<hex>.jit").
 * A file that is missing, damaged, or made by another kernel build or for
 * another CPU is ignored (the app compiles and the file is written anew).
 * `rm -r /.jit` in the shell empties it; the kernel option jitcache=off
 * turns it off (boot/cmdline.h).
 */
#ifndef WASM_JIT_DISK_H
#define WASM_JIT_DISK_H

#include <stdbool.h>

#include "wasm/wasm.h"

/* Gives mod its cached code, if any and valid: true if it did (then its
 * instances start without compiling). app names it in log lines. */
bool jit_disk_load(struct wasm_module *mod, const char *app);
/* Writes mod's code to the cache if it was compiled (not loaded) in this
 * run. Errors (a full or read-only disk) are logged once and ignored. */
void jit_disk_save(const struct wasm_module *mod, const char *app);

#endif
