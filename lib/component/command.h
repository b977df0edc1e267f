/*
 * lib/component/command.h - WASI 0.2 command components run over lib/wasi
 * (the `wasi:cli/command` world):
 *
 *   comp_command_check(c, err)        before anything runs: every import is
 *                                     one lib/wasi provides, every canon
 *                                     lower and resource.drop maps to one
 *   comp_command_instantiate(c, w, ...)  core instances, with each canon
 *                                     lower bound to lib/wasi's function
 *   comp_command_run(ci, &status, ...)   wasi:cli/run's run, lifted
 *
 * Imports resolve by interface and function name at any @0.2.N version
 * (wasi_p2_bind): `canon lower` of an imported function becomes lib/wasi's
 * host function of the same name, which already implements the lowered
 * canonical ABI, with the lower's memory and realloc options; resource.drop
 * of an imported resource R becomes the interface's `[resource-drop]R`.
 * Only the utf8 string encoding is accepted in a lower that passes strings
 * or lists (lib/wasi's functions read and write UTF-8).
 */
#ifndef COMPONENT_COMMAND_H
#define COMPONENT_COMMAND_H

#include "component/instance.h"
#include "wasi/wasi.h"

/*
 * Checks that c can run on lib/wasi's WASI 0.2 host: 0, or ERR_NOENT with
 * err->msg naming the first import the host does not provide ("component
 * imports wasi:foo/bar@0.2.0#baz, which this host does not provide"), or
 * ERR_NOTSUP (a lower with another string encoding, a lower of a function
 * that is not imported, an import that is not an instance).
 */
int comp_command_check(const struct comp *c, struct comp_error *err);

/*
 * Makes c's core instances with lib/wasi's context w behind every lowered
 * function (comp_instantiate_core; errors as there). w must outlive *out.
 */
int comp_command_instantiate(const struct comp *c, struct wasi_ctx *w,
                             const struct wasm_config *cfg, struct comp_instance **out,
                             struct comp_error *err, struct wasm_trap *trap);

/*
 * Calls the export wasi:cli/run@0.2.N's run, lifts its result<_, _> into
 * *status (ok 0, err 1) and calls its post-return, if any. wasi:cli/exit
 * (a WASM_TRAP_EXIT) gives *status its code. Returns 0, ERR_FAULT (a trap:
 * *trap), or ERR_NOENT / ERR_NOTSUP / ERR_INVAL (no run export, one this
 * step cannot follow, a bad type or result) with err->msg.
 */
int comp_command_run(struct comp_instance *ci, int *status, struct wasm_trap *trap,
                     struct comp_error *err);

#endif
