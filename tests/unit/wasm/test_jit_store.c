/*
 * tests/unit/wasm/test_jit_store.c - a module's machine code saved as bytes
 * and given back (wasm_module_jit_save/load, lib/wasm/jit_store.c): the
 * loaded code runs like a fresh compilation (the interpreter is the
 * oracle) without compiling; bytes that are damaged, truncated, of another
 * module or engine build, or that name objects the module lacks are
 * refused, and the module then compiles as usual.
 *
 *   test_jit_store DIR   DIR holds traps.wasm and host.wasm (wat2wasm)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/env.h"
#include "host/kpio-wasm/jit_mem.h"
#include "tests/unit/wasm/load.h"
#include "wasm/jit.h"
#include "wasm/wasm.h"

static const char *wasm_dir = ".";

/* The header's layout as jit_store.c writes it (offsets for the tests that
 * change one field). */
#define H_FORMAT  8
#define H_ENGINE  16
#define H_MODULE  32
#define H_LEN     64
#define H_NRELOCS 68
#define H_SIZE    96

static struct wasm_module *load(const char *name)
{
    return test_load_module(wasm_dir, name);
}

static int host_add(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    (void)call;
    results[0].i32 = args[0].i32 + args[1].i32;
    return 0;
}

static int host_other(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    (void)call;
    results[0].i32 = args[0].i32 * 3;
    return 0;
}

/* host.wat's imports: add adds, the others triple (never called here). */
static int resolve(void *ctx, const struct wasm_import *imp, struct wasm_extern *out)
{
    (void)ctx;
    static const struct {
        const char *name, *sig;
    } funcs[] = {{"add", "(ii)i"},   {"fail", "(i)"},  {"exit", "(i)"}, {"callback", "(i)i"},
                 {"swap", "(IF)FI"}, {"grow", "(i)i"}, {"nest", "(i)i"}};
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        if (!strcmp(imp->name, funcs[i].name)) {
            wasm_extern_host(out, funcs[i].sig, i ? host_other : host_add, NULL);
            return 0;
        }
    return ERR_NOENT;
}

static struct wasm_instance *instantiate(struct wasm_module *m, enum wasm_engine engine)
{
    struct wasm_config cfg;
    wasm_config_default(&cfg);
    cfg.engine = engine;
    cfg.code_mem = &host_code_memory;
    struct wasm_instance *inst = NULL;
    struct wasm_error err;
    struct wasm_trap trap;
    int rc = wasm_instance_new(m, &cfg, resolve, NULL, &inst, &err, &trap);
    if (rc) fail_msg("instantiate: %s", err.msg);
    assert_int_equal(wasm_instance_engine(inst), engine);
    return inst;
}

/* One call's outcome: its i32 result, or the trap's kind and function. */
struct outcome {
    int rc;
    int32_t value;
    int trap;
    char func[32];
};

static struct outcome call(struct wasm_instance *inst, const char *name, int32_t a, int32_t b,
                           int32_t c)
{
    struct wasm_func *f = wasm_instance_func(inst, name);
    assert_non_null(f);
    wasm_value args[3] = {{.i32 = a}, {.i32 = b}, {.i32 = c}}, res[1] = {{.u64 = 0}};
    struct wasm_trap trap;
    const struct wasm_functype *t = wasm_func_type(f);
    struct outcome o = {0};
    o.rc = wasm_call(f, args, t->nparams, res, t->nresults, &trap);
    o.value = res[0].i32;
    if (o.rc == ERR_FAULT) {
        o.trap = trap.kind;
        snprintf(o.func, sizeof o.func, "%s", trap.func_name ? trap.func_name : "?");
    }
    return o;
}

/* Runs traps.wat's calls (helpers, call_indirect, memory.grow, traps) and
 * host.wat's (host calls, memory, globals) on a fresh instance of each. */
enum { NCALLS = 12 };
static void run_all(struct wasm_module *traps, struct wasm_module *host, enum wasm_engine engine,
                    struct outcome out[NCALLS])
{
    struct wasm_instance *t = instantiate(traps, engine);
    int k = 0;
    out[k++] = call(t, "fib", 20, 0, 0);
    out[k++] = call(t, "divide", -7, 2, 0);
    out[k++] = call(t, "divide", 1, 0, 0);
    out[k++] = call(t, "call_slot", 0, 9, 3);
    out[k++] = call(t, "call_slot", 1, 10, 0);
    out[k++] = call(t, "call_slot", 3, 1, 1);
    out[k++] = call(t, "grow", 2, 0, 0);
    out[k++] = call(t, "grow", 100, 0, 0);
    out[k++] = call(t, "store_edge", 3 * 65536 - 2, 0, 0);
    out[k++] = call(t, "wide", 30, 0, 0);
    wasm_instance_free(t);
    struct wasm_instance *h = instantiate(host, engine);
    out[k++] = call(h, "call_add", 40, 2, 0);
    out[k++] = call(h, "double", 21, 0, 0);
    assert_int_equal(k, NCALLS);
    wasm_instance_free(h);
}

static void assert_same(const struct outcome *a, const struct outcome *b)
{
    for (int i = 0; i < NCALLS; i++) {
        assert_int_equal(a[i].rc, b[i].rc);
        assert_int_equal(a[i].value, b[i].value);
        assert_int_equal(a[i].trap, b[i].trap);
        assert_string_equal(a[i].func, b[i].func);
    }
}

/* The saved code of a module compiled now (one JIT instance). */
static uint8_t *saved(const char *name, size_t *len)
{
    struct wasm_module *m = load(name);
    assert_int_equal(wasm_module_jit_save(m, &(uint8_t *){NULL}, len), ERR_NOENT);
    wasm_instance_free(instantiate(m, WASM_ENGINE_JIT));
    uint8_t *bytes = NULL;
    assert_int_equal(wasm_module_jit_save(m, &bytes, len), 0);
    wasm_module_free(m);
    return bytes;
}

static void resum(uint8_t *bytes, size_t len)
{
    uint64_t sum = jit_store_checksum(bytes, len - 8);
    memcpy(bytes + len - 8, &sum, 8);
}

/* Loading bytes into a fresh module of name: rc; the module's instance
 * runs, compiled (rc != 0) or not (rc == 0). */
static int try_load(const char *name, const uint8_t *bytes, size_t len)
{
    struct wasm_module *m = load(name);
    int rc = wasm_module_jit_load(m, bytes, len);
    struct wasm_instance *inst = instantiate(m, WASM_ENGINE_JIT);
    assert_int_equal(wasm_module_jit_compiles(m), rc ? 1 : 0);
    struct outcome o = call(inst, "double", 8, 0, 0);
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.value, 16);
    wasm_instance_free(inst);
    wasm_module_free(m);
    return rc;
}

static void test_loaded_code_runs_as_compiled(void **state)
{
    (void)state;
    size_t tlen, hlen;
    uint8_t *tb = saved("traps", &tlen), *hb = saved("host", &hlen);
    struct outcome interp[NCALLS], fresh[NCALLS], cached[NCALLS];
    struct wasm_module *traps = load("traps"), *host = load("host");
    run_all(traps, host, WASM_ENGINE_INTERP, interp);
    wasm_module_free(traps);
    wasm_module_free(host);
    traps = load("traps"), host = load("host");
    run_all(traps, host, WASM_ENGINE_JIT, fresh);
    assert_int_equal(wasm_module_jit_compiles(traps), 1);
    wasm_module_free(traps);
    wasm_module_free(host);
    traps = load("traps"), host = load("host");
    assert_int_equal(wasm_module_jit_load(traps, tb, tlen), 0);
    assert_int_equal(wasm_module_jit_load(host, hb, hlen), 0);
    assert_int_equal(wasm_module_jit_load(host, hb, hlen), ERR_BUSY); /* it has code */
    run_all(traps, host, WASM_ENGINE_JIT, cached);
    assert_int_equal(wasm_module_jit_compiles(traps), 0);
    assert_int_equal(wasm_module_jit_compiles(host), 0);
    /* saved again, the loaded code gives the same bytes */
    uint8_t *again;
    size_t alen;
    assert_int_equal(wasm_module_jit_save(traps, &again, &alen), 0);
    assert_int_equal(alen, tlen);
    assert_memory_equal(again, tb, tlen);
    mem_free(again);
    wasm_module_free(traps);
    wasm_module_free(host);
    assert_same(interp, fresh);
    assert_same(fresh, cached);
    assert_int_equal(interp[0].value, 6765);
    assert_int_equal(interp[2].trap, WASM_TRAP_DIV_ZERO);
    assert_string_equal(interp[2].func, "divider");
    mem_free(tb);
    mem_free(hb);
}

/* No address of this process is in the bytes: helpers are relocations. */
static void test_no_process_addresses(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = saved("host", &len);
    const void *fns[] = {(const void *)jit_h_call, (const void *)jit_h_trap,
                         (const void *)jit_h_tick, (const void *)jit_h_memory_grow};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        uint64_t a = (uint64_t)(uintptr_t)fns[i];
        for (size_t at = 0; at + 8 <= len; at++)
            assert_true(memcmp(b + at, &a, 8) != 0);
    }
    mem_free(b);
}

static void test_damaged_bytes_are_refused(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = saved("host", &len);
    uint8_t *c = mem_alloc(len);
    assert_non_null(c);
    /* any one byte changed: the checksum differs (a few of them loaded
     * into a module each; every one checked by the loader alone) */
    for (size_t at = 0; at < len; at++) {
        memcpy(c, b, len);
        c[at] ^= 0x40;
        if (at % 97 == 0)
            assert_int_equal(try_load("host", c, len), ERR_INVAL);
        else {
            struct wasm_module *m = load("host");
            assert_int_equal(wasm_module_jit_load(m, c, len), ERR_INVAL);
            wasm_module_free(m);
        }
    }
    /* truncated anywhere, or longer */
    for (size_t n = 0; n < len; n += n < 200 ? 1 : 61) {
        struct wasm_module *m = load("host");
        assert_int_equal(wasm_module_jit_load(m, b, n), ERR_INVAL);
        wasm_module_free(m);
    }
    assert_int_equal(try_load("host", b, len - 1), ERR_INVAL);
    /* the right bytes still load */
    assert_int_equal(try_load("host", b, len), 0);
    mem_free(c);
    mem_free(b);
}

/* Fields changed with the checksum made right again: refused by the key
 * and bounds checks. */
static void test_wrong_key_or_bounds_are_refused(void **state)
{
    (void)state;
    size_t len;
    uint8_t *b = saved("host", &len);
    uint8_t *c = mem_alloc(len);
    assert_non_null(c);
    uint32_t code_len, nrelocs;
    memcpy(&code_len, b + H_LEN, 4);
    memcpy(&nrelocs, b + H_NRELOCS, 4);
    assert_true(nrelocs > 0);
    size_t relocs_at = H_SIZE + code_len;
    struct {
        size_t at;
        uint32_t value;
    } edits[] = {
        {H_FORMAT, 1},             /* another format (the one of 8-byte immediates) */
        {H_ENGINE, 1},             /* another engine build */
        {H_MODULE, 0},             /* another module */
        {H_LEN, code_len - 1},     /* sizes that do not add up */
        {H_NRELOCS, nrelocs + 1},  /* */
        {relocs_at, code_len - 3}, /* a relocation past the code */
        {relocs_at, 0},            /* one whose displacement does not reach its slot */
        {relocs_at + 4, 99},       /* of no kind */
        {relocs_at + 8, 1u << 30}, /* of no object */
        {len - 8 - 4, UINT32_MAX}, /* host.wat: last foreign entry past the code... */
    };
    /* ...unless it has imported functions last: then the last import shape,
     * which any value may be, so it is checked as the foreign entry before */
    struct wasm_module *m = load("host");
    uint32_t nimports = wasm_module_import_count(m);
    wasm_module_free(m);
    edits[9].at = len - 8 - 4 * nimports - 4;
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        memcpy(c, b, len);
        memcpy(c + edits[i].at, &edits[i].value, 4);
        resum(c, len);
        assert_int_equal(try_load("host", c, len), ERR_INVAL);
    }
    /* the bytes of another module */
    size_t tlen;
    uint8_t *t = saved("traps", &tlen);
    assert_int_equal(try_load("host", t, tlen), ERR_INVAL);
    mem_free(t);
    mem_free(c);
    mem_free(b);
}

int main(int argc, char **argv)
{
    if (argc > 1) wasm_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loaded_code_runs_as_compiled),
        cmocka_unit_test(test_no_process_addresses),
        cmocka_unit_test(test_damaged_bytes_are_refused),
        cmocka_unit_test(test_wrong_key_or_bounds_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
