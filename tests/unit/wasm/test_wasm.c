/*
 * tests/unit/wasm/test_wasm.c - lib/wasm's embedding API (wasm.h): host
 * functions and their traps and exits, import resolution and its errors,
 * trap locations from the name section, the interrupt callback (preempt
 * and kill), the limits (call depth, value stack, memory pages), guest
 * memory access, globals, tables, re-entry from a host function.
 *
 *   test_wasm DIR     DIR holds host.wasm, traps.wasm (made by wat2wasm
 *                     from the .wat files next to this one)
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
#include "wasm/wasm.h"

static const char *wasm_dir = ".";

static struct wasm_module *load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.wasm", wasm_dir, name);
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

/* ---- host functions ---- */

struct host_state {
    int adds;
    int last_a, last_b;
    struct wasm_instance *inst;
};

static int host_add(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    struct host_state *s = call->user;
    if (args[0].u64 >> 32 || args[1].u64 >> 32) return wasm_host_trap(call, "upper bits set");
    s->adds++;
    s->last_a = args[0].i32;
    s->last_b = args[1].i32;
    results[0].i32 = args[0].i32 + args[1].i32;
    return 0;
}

static int host_fail(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    (void)results;
    return wasm_host_trap(call, "bad descriptor %d", args[0].i32);
}

static int host_exit(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    (void)results;
    return wasm_host_exit(call, args[0].i32);
}

/* Calls back into the instance: like a WASI host calling cabi_realloc. */
static int host_callback(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    struct wasm_func *dbl = wasm_instance_func(call->instance, "double");
    struct wasm_trap trap;
    if (!dbl) return wasm_host_trap(call, "no double");
    if (wasm_call(dbl, args, 1, results, 1, &trap))
        return wasm_host_trap(call, "nested call trapped: %s", trap.reason);
    /* the memory seen by the host is the caller's memory 0 */
    if (!call->memory || wasm_memory_pages(call->memory) != 1)
        return wasm_host_trap(call, "wrong memory");
    return 0;
}

static int host_swap(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    (void)call;
    wasm_value a = args[0], b = args[1];
    results[0] = b;
    results[1] = a;
    return 0;
}

static int resolve_env(void *ctx, const struct wasm_import *imp, struct wasm_extern *out)
{
    static const struct {
        const char *name, *sig;
        wasm_host_fn fn;
    } funcs[] = {
        {"add", "(ii)i", host_add},    {"fail", "(i)", host_fail},
        {"exit", "(i)", host_exit},    {"callback", "(i)i", host_callback},
        {"swap", "(IF)FI", host_swap},
    };
    if (strcmp(imp->module, "env")) return ERR_NOENT;
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
        if (!strcmp(imp->name, funcs[i].name)) {
            wasm_extern_host(out, funcs[i].sig, funcs[i].fn, ctx);
            return 0;
        }
    return ERR_NOENT;
}

static struct wasm_instance *instantiate(struct wasm_module *m, const struct wasm_config *cfg,
                                         void *ctx)
{
    struct wasm_instance *inst = NULL;
    struct wasm_error err;
    struct wasm_trap trap;
    int rc = wasm_instance_new(m, cfg, resolve_env, ctx, &inst, &err, &trap);
    if (rc) fail_msg("instantiate: %s", err.msg);
    return inst;
}

static int call1(struct wasm_instance *inst, const char *name, wasm_value *args, uint32_t nargs,
                 wasm_value *res, struct wasm_trap *trap)
{
    struct wasm_func *f = wasm_instance_func(inst, name);
    assert_non_null(f);
    return wasm_call(f, args, nargs, res, wasm_func_type(f)->nresults, trap);
}

static void test_host_call(void **state)
{
    (void)state;
    struct host_state s = {0};
    struct wasm_module *m = load("host");
    struct wasm_instance *inst = instantiate(m, NULL, &s);
    wasm_value args[2] = {{.i32 = 40}, {.i32 = -2}}, res[1];
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "call_add", args, 2, res, &trap), 0);
    assert_int_equal(res[0].i32, 38);
    assert_int_equal(s.adds, 1);
    assert_int_equal(s.last_a, 40);
    assert_int_equal(s.last_b, -2);
    /* multi-value through a host function */
    wasm_value a2[2] = {{.i64 = -5}, {.f64 = 2.5}}, r2[2];
    assert_int_equal(call1(inst, "call_swap", a2, 2, r2, &trap), 0);
    assert_true(r2[0].f64 == 2.5);
    assert_int_equal(r2[1].i64, -5);
    wasm_instance_free(inst);
    wasm_module_free(m);
}

/* An i32 handed out (result, host argument, global) has a zero upper half. */
static void test_i32_values_are_clean(void **state)
{
    (void)state;
    struct host_state s = {0};
    struct wasm_module *m = load("host");
    struct wasm_instance *inst = instantiate(m, NULL, &s);
    wasm_value arg = {.u64 = 0x1234567800000005ull}, res;
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "wrap", &arg, 1, &res, &trap), 0);
    assert_int_equal(res.u64, 5);
    assert_int_equal(call1(inst, "add_wrapped", &arg, 1, &res, &trap), 0);
    assert_int_equal(res.u64, 6);
    assert_int_equal(call1(inst, "set_g32", &arg, 1, NULL, &trap), 0);
    struct wasm_extern g;
    assert_int_equal(wasm_instance_export(inst, "g32", &g), 0);
    assert_int_equal(wasm_global_get(g.global).u64, 5);
    wasm_instance_free(inst);
    wasm_module_free(m);
}

static void test_host_trap_names_function(void **state)
{
    (void)state;
    struct wasm_module *m = load("host");
    struct wasm_instance *inst = instantiate(m, NULL, NULL);
    wasm_value args[1] = {{.i32 = 3}};
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "call_fail", args, 1, NULL, &trap), ERR_FAULT);
    assert_int_equal(trap.kind, WASM_TRAP_HOST);
    assert_string_equal(trap.reason, "bad descriptor 3");
    assert_non_null(trap.func_name);
    assert_string_equal(trap.func_name, "caller"); /* the wasm function that called the host */
    wasm_instance_free(inst);
    wasm_module_free(m);
}

/* An exit request unwinds 50 wasm frames; the instance stays usable. */
static void test_host_exit_unwinds(void **state)
{
    (void)state;
    struct wasm_module *m = load("host");
    struct wasm_instance *inst = instantiate(m, NULL, NULL);
    struct wasm_trap trap;
    for (int round = 0; round < 3; round++) {
        assert_int_equal(call1(inst, "exit_deep", NULL, 0, NULL, &trap), ERR_FAULT);
        assert_int_equal(trap.kind, WASM_TRAP_EXIT);
        assert_int_equal(trap.exit_code, 7);
        wasm_value args[1] = {{.i32 = 21}}, res[1];
        assert_int_equal(call1(inst, "double", args, 1, res, &trap), 0);
        assert_int_equal(res[0].i32, 42);
    }
    wasm_instance_free(inst);
    wasm_module_free(m);
}

static void test_reentrant_host_call(void **state)
{
    (void)state;
    struct wasm_module *m = load("host");
    struct wasm_instance *inst = instantiate(m, NULL, NULL);
    wasm_value args[1] = {{.i32 = 10}}, res[1];
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "call_callback", args, 1, res, &trap), 0);
    assert_int_equal(res[0].i32, 21);
    /* the global that "double" increments, read through its export */
    struct wasm_extern g;
    assert_int_equal(wasm_instance_export(inst, "counter", &g), 0);
    assert_int_equal(g.kind, WASM_EXTERN_GLOBAL);
    assert_int_equal(wasm_global_get(g.global).i32, 6);
    wasm_value v = {.i32 = 100};
    assert_int_equal(wasm_global_set(g.global, v), 0);
    assert_int_equal(call1(inst, "double", args, 1, res, &trap), 0);
    assert_int_equal(wasm_global_get(g.global).i32, 101);
    wasm_instance_free(inst);
    wasm_module_free(m);
}

/* ---- import resolution ---- */

static int resolve_nothing(void *ctx, const struct wasm_import *imp, struct wasm_extern *out)
{
    (void)ctx, (void)imp, (void)out;
    return ERR_NOENT;
}

static int resolve_bad_sig(void *ctx, const struct wasm_import *imp, struct wasm_extern *out)
{
    (void)ctx;
    wasm_extern_host(out, strcmp(imp->name, "add") ? "(i)" : "(iI)i", host_add, NULL);
    return 0;
}

static void test_unresolved_import_is_named(void **state)
{
    (void)state;
    struct wasm_module *m = load("host");
    struct wasm_instance *inst = (void *)1;
    struct wasm_error err;
    assert_int_equal(wasm_instance_new(m, NULL, resolve_nothing, NULL, &inst, &err, NULL),
                     ERR_NOENT);
    assert_null(inst);
    assert_non_null(strstr(err.msg, "env.add"));
    assert_int_equal(wasm_instance_new(m, NULL, resolve_bad_sig, NULL, &inst, &err, NULL),
                     ERR_INVAL);
    assert_non_null(strstr(err.msg, "incompatible import type"));
    assert_non_null(strstr(err.msg, "env.add"));
    wasm_module_free(m);
}

/* The resolver sees each import's type and can match versions loosely. */
struct seen {
    int n;
    char names[8][64];
};

static int resolve_versions(void *ctx, const struct wasm_import *imp, struct wasm_extern *out)
{
    struct seen *s = ctx;
    snprintf(s->names[s->n++ % 8], 64, "%s#%s", imp->module, imp->name);
    if (strncmp(imp->module, "wasi:io/streams@0.2.", 20) || imp->kind != WASM_EXTERN_FUNC ||
        imp->func->nparams != 1 || imp->func->params[0] != WASM_I32)
        return ERR_NOENT;
    wasm_extern_host(out, "(i)", host_fail, NULL);
    return 0;
}

static void test_resolver_versions(void **state)
{
    (void)state;
    struct wasm_module *m = load("versions");
    struct wasm_error err;
    assert_int_equal(wasm_module_import_count(m), 1);
    struct seen s = {0};
    struct wasm_instance *inst;
    assert_int_equal(wasm_instance_new(m, NULL, resolve_versions, &s, &inst, &err, NULL), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.names[0], "wasi:io/streams@0.2.3#[method]drop");
    wasm_instance_free(inst);
    wasm_module_free(m);
}

static void test_malformed_and_invalid(void **state)
{
    (void)state;
    struct wasm_module *m = (void *)1;
    struct wasm_error err;
    static const uint8_t not_wasm[] = {0x7f, 'E', 'L', 'F', 1, 0, 0, 0};
    assert_int_equal(wasm_module_load(not_wasm, sizeof not_wasm, &m, &err), ERR_BADMSG);
    assert_null(m);
    assert_non_null(strstr(err.msg, "magic"));
    /* (func (result i32) (i64.const 0)): a type error */
    static const uint8_t bad_type[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01,
                                       0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
                                       0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0b};
    assert_int_equal(wasm_module_load(bad_type, sizeof bad_type, &m, &err), ERR_INVAL);
    assert_non_null(strstr(err.msg, "type mismatch"));
}

/* ---- traps, limits, preemption ---- */

static void test_trap_location(void **state)
{
    (void)state;
    struct wasm_module *m = load("traps");
    struct wasm_instance *inst = instantiate(m, NULL, NULL);
    wasm_value args[2] = {{.i32 = 7}, {.i32 = 0}}, res[1];
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "divide", args, 2, res, &trap), ERR_FAULT);
    assert_int_equal(trap.kind, WASM_TRAP_DIV_ZERO);
    assert_string_equal(trap.reason, "integer divide by zero");
    assert_string_equal(trap.func_name, "divider");
    assert_int_equal(trap.func_index, 0);
    /* a 4-byte store at the last 3 bytes of memory traps, and writes nothing */
    wasm_value edge[1] = {{.i32 = 65533}};
    assert_int_equal(call1(inst, "store_edge", edge, 1, NULL, &trap), ERR_FAULT);
    assert_int_equal(trap.kind, WASM_TRAP_MEMORY_OOB);
    assert_string_equal(trap.func_name, "store_edge");
    /* call_indirect through the table: ok, null slot, out of range */
    wasm_value ci[3] = {{.i32 = 0}, {.i32 = 9}, {.i32 = 3}};
    assert_int_equal(call1(inst, "call_slot", ci, 3, res, &trap), 0);
    assert_int_equal(res[0].i32, 3);
    ci[0].i32 = 2;
    assert_int_equal(call1(inst, "call_slot", ci, 3, res, &trap), ERR_FAULT);
    assert_string_equal(trap.reason, "uninitialized element 2");
    ci[0].i32 = 1; /* fib has another type */
    assert_int_equal(call1(inst, "call_slot", ci, 3, res, &trap), ERR_FAULT);
    assert_int_equal(trap.kind, WASM_TRAP_INDIRECT_TYPE);
    ci[0].i32 = 4;
    assert_int_equal(call1(inst, "call_slot", ci, 3, res, &trap), ERR_FAULT);
    assert_int_equal(trap.kind, WASM_TRAP_UNDEFINED_ELEM);
    wasm_instance_free(inst);
    wasm_module_free(m);
}

static void test_call_depth_limit(void **state)
{
    (void)state;
    struct wasm_config cfg;
    wasm_config_default(&cfg);
    cfg.max_call_depth = 100;
    struct wasm_module *m = load("traps");
    struct wasm_instance *inst = instantiate(m, &cfg, NULL);
    wasm_value args[1] = {{.i32 = 0}}, res[1];
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "recurse", args, 1, res, &trap), ERR_FAULT);
    assert_int_equal(trap.kind, WASM_TRAP_STACK_EXHAUSTED);
    assert_string_equal(trap.reason, "call stack exhausted");
    /* 98 nested calls of "wide" fit in 100 frames, 200 do not */
    args[0].i32 = 98;
    assert_int_equal(call1(inst, "wide", args, 1, res, &trap), 0);
    assert_int_equal(res[0].i32, 42);
    args[0].i32 = 200;
    assert_int_equal(call1(inst, "wide", args, 1, res, &trap), ERR_FAULT);
    assert_int_equal(trap.kind, WASM_TRAP_STACK_EXHAUSTED);
    wasm_instance_free(inst);
    /* the value stack is the limit: "wide" needs about 20 slots a frame */
    cfg.max_call_depth = 100000;
    cfg.value_stack_slots = 2000;
    inst = instantiate(m, &cfg, NULL);
    args[0].i32 = 50;
    assert_int_equal(call1(inst, "wide", args, 1, res, &trap), 0);
    args[0].i32 = 1000;
    assert_int_equal(call1(inst, "wide", args, 1, res, &trap), ERR_FAULT);
    assert_int_equal(trap.kind, WASM_TRAP_STACK_EXHAUSTED);
    wasm_instance_free(inst);
    wasm_module_free(m);
}

struct ticker {
    int calls, allow;
    struct wasm_instance *seen;
};

static int interrupt(void *user, struct wasm_instance *inst)
{
    struct ticker *t = user;
    t->seen = inst;
    return t->calls++ < t->allow ? WASM_CONTINUE : WASM_STOP;
}

/* An endless loop is preempted (the callback runs) and killed. */
static void test_interrupt_kills_loop(void **state)
{
    (void)state;
    struct ticker t = {0, 5, NULL};
    struct wasm_config cfg;
    wasm_config_default(&cfg);
    cfg.interrupt = interrupt;
    cfg.interrupt_user = &t;
    cfg.interrupt_interval = 1000;
    struct wasm_module *m = load("traps");
    struct wasm_instance *inst = instantiate(m, &cfg, NULL);
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "spin", NULL, 0, NULL, &trap), ERR_FAULT);
    assert_int_equal(trap.kind, WASM_TRAP_KILLED);
    assert_string_equal(trap.func_name, "spin");
    assert_int_equal(t.calls, 6);
    assert_ptr_equal(t.seen, inst);
    wasm_instance_free(inst);
    wasm_module_free(m);
}

/* Calls tick too: fib(20) makes 21891 calls, so about 21 interrupts. */
static void test_interrupt_counts_calls(void **state)
{
    (void)state;
    struct ticker t = {0, 1000000, NULL};
    struct wasm_config cfg;
    wasm_config_default(&cfg);
    cfg.interrupt = interrupt;
    cfg.interrupt_user = &t;
    cfg.interrupt_interval = 1000;
    struct wasm_module *m = load("traps");
    struct wasm_instance *inst = instantiate(m, &cfg, NULL);
    wasm_value args[1] = {{.i32 = 20}}, res[1];
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "fib", args, 1, res, &trap), 0);
    assert_int_equal(res[0].i32, 6765);
    assert_in_range(t.calls, 20, 23);
    wasm_instance_free(inst);
    wasm_module_free(m);
}

static void test_memory_limits(void **state)
{
    (void)state;
    struct wasm_config cfg;
    wasm_config_default(&cfg);
    cfg.max_memory_pages = 4;
    struct wasm_module *m = load("traps");
    struct wasm_instance *inst = instantiate(m, &cfg, NULL);
    wasm_value args[1] = {{.i32 = 3}}, res[1];
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "grow", args, 1, res, &trap), 0);
    assert_int_equal(res[0].i32, 1); /* 1 -> 4 pages */
    args[0].i32 = 1;
    assert_int_equal(call1(inst, "grow", args, 1, res, &trap), 0);
    assert_int_equal(res[0].i32, -1); /* the cap, not the declared maximum 8 */
    wasm_instance_free(inst);
    cfg.max_memory_pages = 0; /* smaller than the module's minimum of 1 page */
    struct wasm_error err;
    assert_int_equal(wasm_instance_new(m, &cfg, NULL, NULL, &inst, &err, NULL), ERR_INVAL);
    assert_null(inst);
    wasm_module_free(m);
}

/* ---- guest memory from the host ---- */

static void test_memory_access(void **state)
{
    (void)state;
    struct wasm_module *m = load("host");
    struct wasm_instance *inst = instantiate(m, NULL, NULL);
    struct wasm_memory *mem = wasm_instance_memory(inst, "memory");
    assert_non_null(mem);
    assert_ptr_equal(mem, wasm_instance_default_memory(inst));
    assert_int_equal(wasm_memory_size(mem), 65536);
    /* host writes, guest reads (little-endian) */
    static const uint8_t bytes[4] = {0x78, 0x56, 0x34, 0x12};
    assert_int_equal(wasm_memory_write(mem, 100, bytes, 4), 0);
    wasm_value args[2] = {{.i32 = 100}}, res[1];
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "load", args, 1, res, &trap), 0);
    assert_int_equal(res[0].u32, 0x12345678);
    /* guest writes, host reads */
    args[0].i32 = 65532;
    args[1].u32 = 0xdeadbeef;
    assert_int_equal(call1(inst, "store", args, 2, NULL, &trap), 0);
    uint8_t out[4];
    assert_int_equal(wasm_memory_read(mem, 65532, out, 4), 0);
    assert_int_equal(out[0], 0xef);
    assert_int_equal(out[3], 0xde);
    /* bounds */
    assert_int_equal(wasm_memory_read(mem, 65533, out, 4), ERR_FAULT);
    assert_int_equal(wasm_memory_write(mem, UINT64_MAX - 1, out, 4), ERR_FAULT);
    assert_null(wasm_memory_ptr(mem, 65536, 1));
    assert_non_null(wasm_memory_ptr(mem, 65536, 0));
    assert_null(wasm_memory_ptr(mem, 1, UINT64_MAX));
    /* grown by the host, seen by the guest; bytes kept, new ones zero */
    uint32_t old;
    assert_int_equal(wasm_memory_grow(mem, 2, &old), 0);
    assert_int_equal(old, 1);
    assert_int_equal(call1(inst, "size", NULL, 0, res, &trap), 0);
    assert_int_equal(res[0].i32, 3);
    assert_int_equal(wasm_memory_read(mem, 65532, out, 4), 0);
    assert_int_equal(out[0], 0xef);
    uint8_t *p = wasm_memory_ptr(mem, 65536, 2 * 65536);
    assert_non_null(p);
    for (size_t i = 0; i < 2 * 65536; i++)
        if (p[i]) fail_msg("byte %zu of grown memory is %u", i, p[i]);
    assert_int_equal(wasm_memory_grow(mem, 2, &old), ERR_NOMEM); /* declared maximum 4 */
    wasm_instance_free(inst);
    wasm_module_free(m);
}

static void test_function_info(void **state)
{
    (void)state;
    struct wasm_module *m = load("traps");
    struct wasm_instance *inst = instantiate(m, NULL, NULL);
    struct wasm_func *f = wasm_instance_func(inst, "divide");
    assert_non_null(f);
    char buf[64];
    assert_string_equal(wasm_functype_str(wasm_func_type(f), buf, sizeof buf),
                        "(i32 i32) -> (i32)");
    assert_string_equal(wasm_func_name(f), "divider");
    assert_null(wasm_instance_func(inst, "nope"));
    wasm_value args[1];
    assert_int_equal(wasm_call(f, args, 1, args, 1, NULL), ERR_INVAL); /* wrong arity */
    wasm_instance_free(inst);
    wasm_module_free(m);
}

int main(int argc, char **argv)
{
    if (argc > 1) wasm_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_call),
        cmocka_unit_test(test_i32_values_are_clean),
        cmocka_unit_test(test_host_trap_names_function),
        cmocka_unit_test(test_host_exit_unwinds),
        cmocka_unit_test(test_reentrant_host_call),
        cmocka_unit_test(test_unresolved_import_is_named),
        cmocka_unit_test(test_resolver_versions),
        cmocka_unit_test(test_malformed_and_invalid),
        cmocka_unit_test(test_trap_location),
        cmocka_unit_test(test_call_depth_limit),
        cmocka_unit_test(test_interrupt_kills_loop),
        cmocka_unit_test(test_interrupt_counts_calls),
        cmocka_unit_test(test_memory_limits),
        cmocka_unit_test(test_memory_access),
        cmocka_unit_test(test_function_info),
    };
    return cmocka_run_group_tests_name("wasm", tests, NULL, NULL);
}
