/*
 * host/kpio-wasm/wave.h - WAVE, the text syntax of component values that
 * wasmtime's --invoke uses (wasm-tools' wasm-wave): a value parsed against
 * a WIT type into a host value (lib/component/abi.h), and a host value
 * printed as WAVE the way wasm-wave writes it:
 *
 *   42  -7  1.5  nan  -inf  true  'c'  "text\n"  [1, 2]  (1, "a")
 *   {a: 1, b: 2}  red  circle(1.5)  some(1)  none  ok(1)  err("x")  {read, write}
 *
 * and resource handles of the host's table as own<1>, borrow<1> (a
 * kpio-wasm extension: wasm-wave has no syntax for them).
 *
 * Parse errors say the column (1-based, in bytes) and what was expected;
 * no input makes the parser crash or recurse without bound.
 */
#ifndef KPIO_WASM_WAVE_H
#define KPIO_WASM_WAVE_H

#include <stddef.h>

#include "component/abi.h"

/* Parses the whole of text as a value of `type`: 0, or -1 with err
 * ("column 5: expected a digit"). Values are allocated in a. */
int wave_parse(const struct comp *c, uint32_t type, const char *text, struct comp_arena *a,
               struct comp_val *out, char *err, size_t errsize);

/* Parses "name(v1, v2, ...)" for a function call: *name_len is the length
 * of the name before '(', and the values of the n types in types[] go to
 * out[]. 0, or -1 with err. */
int wave_parse_call(const struct comp *c, const char *text, size_t *name_len,
                    const struct comp_field *types, uint32_t n, struct comp_arena *a,
                    struct comp_val *out, char *err, size_t errsize);

/* v as WAVE text: a malloc'd NUL-terminated string (NULL: out of memory). */
char *wave_print(const struct comp *c, const struct comp_val *v);

#endif
