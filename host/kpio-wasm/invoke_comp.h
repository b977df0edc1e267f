/*
 * host/kpio-wasm/invoke_comp.h - `kpio-wasm COMPONENT.wasm --invoke NAME
 * [VALUES]...`: one exported function of a component called with WAVE
 * arguments, its result printed in WAVE (invoke_comp.c).
 */
#ifndef HOST_KPIO_WASM_INVOKE_COMP_H
#define HOST_KPIO_WASM_INVOKE_COMP_H

#include "component/component.h"
#include "host/kpio-wasm/options.h"
#include "wasi/wasi.h"

/* Instantiates c over w (its WASI imports bound as for a command), calls
 * o->invoke and prints the result; returns the exit status: 0, 1 (no
 * such export, bad arguments, a failed instantiation), 134 after a trap,
 * or the status wasi:cli/exit asked for. */
int invoke_component(const struct comp *c, struct wasi_ctx *w, const struct kpio_options *o);

#endif
