/*
 * tests/unit/wasm/load.c - the unit tests' module loader (load.h).
 */
#include "tests/unit/wasm/load.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

struct wasm_module *test_load_module(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.wasm", dir, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    struct wasm_module *m = NULL;
    struct wasm_error err;
    int rc = wasm_module_load(buf, n, &m, &err);
    if (rc) fail_msg("%s: %s", path, err.msg);
    return m;
}
