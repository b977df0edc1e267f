/*
 * tests/unit/wasm/load.h - the unit tests' module loader: DIR/NAME.wasm
 * read and loaded by wasm_module_load; a failure fails the running test.
 */
#ifndef TESTS_UNIT_WASM_LOAD_H
#define TESTS_UNIT_WASM_LOAD_H

#include "wasm/wasm.h"

struct wasm_module *test_load_module(const char *dir, const char *name);

#endif
