/*
 * tests/unit/wasm/test_wasm.c - lib/wasm's embedding API (wasm.h): host
 * functions and their traps and exits, import resolution and its errors,
 * trap locations from the name section, the interrupt callback (preempt
 * and kill), the limits (call depth, value stack, memory pages), guest
 * memory access, globals, tables, re-entry from a host function.
 *
 *   test_wasm DIR [ENGINE]   DIR holds host.wasm, traps.wasm ... (made by
 *                            wat2wasm from the .wat files next to this
 *                            one); ENGINE is interp (default) or jit
 *
 * Every test runs on the chosen engine: also the fallback to the
 * interpreter, memory growth inside host calls, calls between instances on
 * different engines and the depth limit across nested runs. The JIT's own
 * seams run only with ENGINE jit: executable memory (W^X, released with the
 * instance) and one compilation per module shared by instances (also on
 * threads), with the interpreter as the oracle.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/budget.h"
#include "base/error.h"
#include "host/kpio-wasm/jit_mem.h"
#include "tests/unit/wasm/load.h"
#include "wasm/wasm.h"

static const char *wasm_dir = ".";
static enum wasm_engine engine; /* of the instances made with a NULL config */

static struct wasm_module *load(const char *name)
{
    return test_load_module(wasm_dir, name);
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

/* Grows the caller's memory (wasm_memory_grow: the block may move). */
static int host_grow(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    uint32_t old;
    results[0].i32 = wasm_memory_grow(call->memory, args[0].u32, &old) ? -1 : (int32_t)old;
    return 0;
}

/* Runs the export "down" of the calling instance: a nested run. */
static int host_nest(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    struct wasm_func *down = wasm_instance_func(call->instance, "down");
    struct wasm_trap trap;
    if (!down) return wasm_host_trap(call, "no down");
    if (wasm_call(down, args, 1, results, 1, &trap))
        return wasm_host_trap(call, "nested: %s", trap.reason);
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

/* (i32 v128 i64) -> (v128 i32): a v128 is two values (wasm.h). Returns
 * the vector with its halves swapped and a mix of the scalars. */
static int host_vmix(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    (void)call;
    results[0] = args[2];
    results[1] = args[1];
    results[2].i32 = args[0].i32 * 10 + (int32_t)args[3].i64;
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
        {"swap", "(IF)FI", host_swap}, {"grow", "(i)i", host_grow},
        {"nest", "(i)i", host_nest},   {"vmix", "(iVI)Vi", host_vmix},
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

/* A budget shared with others (the kernel's per-app one): the memory
 * charges it as it is made and grows, memory.grow past it returns -1, and
 * freeing the instance gives it all back. */
static void test_memory_budget(void **state)
{
    (void)state;
    struct mem_budget budget = {.limit = 3 * WASM_PAGE_SIZE + 100, .used = 100};
    struct wasm_config cfg;
    wasm_config_default(&cfg);
    cfg.budget = &budget;
    struct wasm_module *m = load("traps");
    struct wasm_instance *inst = instantiate(m, &cfg, NULL);
    assert_int_equal(budget.used, 100 + WASM_PAGE_SIZE);
    wasm_value args[1] = {{.i32 = 3}}, res[1];
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "grow", args, 1, res, &trap), 0);
    assert_int_equal(res[0].i32, -1); /* 4 pages would pass it */
    assert_int_equal(budget.used, 100 + WASM_PAGE_SIZE);
    args[0].i32 = 2;
    assert_int_equal(call1(inst, "grow", args, 1, res, &trap), 0);
    assert_int_equal(res[0].i32, 1);
    assert_int_equal(budget.used, 100 + 3 * WASM_PAGE_SIZE);
    wasm_instance_free(inst);
    assert_int_equal(budget.used, 100);
    budget.limit = 100; /* not even the first page */
    struct wasm_error err;
    assert_int_equal(wasm_instance_new(m, &cfg, NULL, NULL, &inst, &err, NULL), ERR_NOMEM);
    assert_int_equal(budget.used, 100);
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

/* ---- the engines ---- */

static void test_engine_in_use(void **state)
{
    (void)state;
    struct wasm_module *m = load("traps");
    struct wasm_instance *inst = instantiate(m, NULL, NULL);
    assert_int_equal(wasm_instance_engine(inst), engine);
    wasm_instance_free(inst);
    wasm_module_free(m);
}

/* Executable memory that counts its calls and checks W^X in the kernel's
 * own view of the mappings (/proc/self/maps). */
struct code_mem_log {
    int allocs, seals, releases;
    bool fail_seal;
    char perms_before_seal[5];
    void *p;
    size_t size, sealed;
};

static void perms_of(const void *p, char out[5])
{
    strcpy(out, "????");
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && (uintptr_t)p >= lo &&
            (uintptr_t)p < hi) {
            memcpy(out, perms, 5);
            break;
        }
    }
    if (f) fclose(f);
}

static void *log_alloc(void *ctx, size_t size)
{
    struct code_mem_log *l = ctx;
    l->allocs++;
    l->size = size;
    l->p = host_code_memory.alloc(NULL, size);
    return l->p;
}

static int log_seal(void *ctx, void *p, size_t size)
{
    struct code_mem_log *l = ctx;
    l->seals++;
    perms_of(p, l->perms_before_seal);
    if (p != l->p || size > l->size || size % 4096 || l->fail_seal) return ERR_PERM;
    l->sealed = size;
    return host_code_memory.seal(NULL, p, size);
}

static void log_release(void *ctx, void *p, size_t size)
{
    struct code_mem_log *l = ctx;
    l->releases++;
    assert_ptr_equal(p, l->p);
    host_code_memory.release(NULL, p, size);
}

static void test_jit_code_memory(void **state)
{
    (void)state;
    struct code_mem_log log = {0};
    struct wasm_code_memory mem = {log_alloc, log_seal, log_release, &log};
    struct wasm_config cfg;
    wasm_config_default(&cfg);
    cfg.engine = WASM_ENGINE_JIT;
    cfg.code_mem = &mem;
    struct wasm_module *m = load("traps");
    struct wasm_instance *inst = instantiate(m, &cfg, NULL);
    assert_int_equal(wasm_instance_engine(inst), WASM_ENGINE_JIT);
    assert_int_equal(log.allocs, 1);
    assert_int_equal(log.seals, 1);
    assert_string_equal(log.perms_before_seal, "rw-p"); /* written, not executable */
    char perms[5];
    perms_of(log.p, perms);
    assert_string_equal(perms, "r-xp"); /* executable, no longer writable */
    assert_true(log.sealed < log.size); /* the table of addresses after the code */
    perms_of((char *)log.p + log.sealed, perms);
    assert_string_equal(perms, "rw-p"); /* ... is data: never executable */
    wasm_value args[1] = {{.i32 = 20}}, res[1];
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "fib", args, 1, res, &trap), 0);
    assert_int_equal(res[0].i32, 6765);
    assert_int_equal(log.releases, 0);
    wasm_instance_free(inst);
    assert_int_equal(log.releases, 0); /* kept for the module's next instance */
    /* The next instance runs the same copy: nothing allocated or sealed. */
    inst = instantiate(m, &cfg, NULL);
    assert_int_equal(wasm_instance_engine(inst), WASM_ENGINE_JIT);
    args[0].i32 = 10;
    assert_int_equal(call1(inst, "fib", args, 1, res, &trap), 0);
    assert_int_equal(res[0].i32, 55);
    assert_int_equal(log.allocs, 1);
    assert_int_equal(log.seals, 1);
    wasm_instance_free(inst);
    assert_int_equal(log.releases, 0);
    wasm_module_free(m); /* frees the spare copy */
    assert_int_equal(log.releases, 1);
}

/* No executable memory, or a seal that fails: the instance is interpreted
 * and behaves the same. */
static void test_jit_fallback(void **state)
{
    (void)state;
    struct code_mem_log log = {.fail_seal = true};
    struct wasm_code_memory mem = {log_alloc, log_seal, log_release, &log};
    const struct wasm_code_memory *mems[2] = {NULL, &mem};
    struct wasm_module *m = load("traps");
    for (int i = 0; i < 2; i++) {
        struct wasm_config cfg;
        wasm_config_default(&cfg);
        cfg.engine = WASM_ENGINE_JIT;
        cfg.code_mem = mems[i];
        struct wasm_instance *inst = instantiate(m, &cfg, NULL);
        assert_int_equal(wasm_instance_engine(inst), WASM_ENGINE_INTERP);
        wasm_value args[2] = {{.i32 = 7}, {.i32 = 0}}, res[1];
        struct wasm_trap trap;
        assert_int_equal(call1(inst, "divide", args, 2, res, &trap), ERR_FAULT);
        assert_string_equal(trap.func_name, "divider");
        args[0].i32 = 20;
        assert_int_equal(call1(inst, "fib", args, 1, res, &trap), 0);
        assert_int_equal(res[0].i32, 6765);
        wasm_instance_free(inst);
    }
    if (wasm_jit_supported()) { /* the failed seal released what it allocated */
        assert_int_equal(log.allocs, 1);
        assert_int_equal(log.releases, 1);
    }
    wasm_module_free(m);
}

/* One instance's view of host.wat: its host calls reach its own context,
 * its memory and global are its own. Runs rounds of calls; returns 0 or the
 * round that went wrong (+1). */
static int use_own_objects(struct wasm_instance *inst, struct host_state *s, int tag, int rounds)
{
    struct wasm_trap trap;
    for (int r = 0; r < rounds; r++) {
        wasm_value a[2] = {{.i32 = 64}, {.i32 = tag * 1000 + r}}, res[1];
        if (call1(inst, "store", a, 2, NULL, &trap)) return r + 1;
        if (call1(inst, "load", a, 1, res, &trap) || res[0].i32 != tag * 1000 + r) return r + 1;
        wasm_value b[2] = {{.i32 = tag}, {.i32 = r}};
        if (call1(inst, "call_add", b, 2, res, &trap) || res[0].i32 != tag + r) return r + 1;
        if (s->adds != r + 1 || s->last_a != tag) return r + 1;
        if (call1(inst, "double", b, 1, res, &trap) || res[0].i32 != 2 * tag) return r + 1;
        struct wasm_extern g;
        if (wasm_instance_export(inst, "counter", &g) || wasm_global_get(g.global).i32 != 6 + r)
            return r + 1;
    }
    return 0;
}

/* The JIT compiles a module once: a second instance gets a copy of the
 * code, whose objects (memory, globals, host functions) are its own. */
static void test_jit_compiles_module_once(void **state)
{
    (void)state;
    struct wasm_module *m = load("host");
    assert_int_equal(wasm_module_jit_compiles(m), 0);
    struct host_state s1 = {0}, s2 = {0};
    struct wasm_instance *i1 = instantiate(m, NULL, &s1);
    assert_int_equal(wasm_module_jit_compiles(m), 1);
    struct wasm_instance *i2 = instantiate(m, NULL, &s2);
    assert_int_equal(wasm_instance_engine(i2), WASM_ENGINE_JIT);
    assert_int_equal(wasm_module_jit_compiles(m), 1);
    /* interleaved: each round of one between rounds of the other */
    for (int r = 1; r <= 3; r++) {
        assert_int_equal(use_own_objects(i1, &s1, 1, r), 0);
        assert_int_equal(use_own_objects(i2, &s2, 2, r), 0);
        wasm_value at = {.i32 = 64}, res[1];
        struct wasm_trap trap;
        assert_int_equal(call1(i1, "load", &at, 1, res, &trap), 0);
        assert_int_equal(res[0].i32, 1000 + r - 1); /* i2's stores went to its memory */
        s1.adds = s2.adds = 0;
        struct wasm_extern g;
        wasm_value zero = {.i32 = 5};
        assert_int_equal(wasm_instance_export(i1, "counter", &g), 0);
        assert_int_equal(wasm_global_set(g.global, zero), 0);
        assert_int_equal(wasm_instance_export(i2, "counter", &g), 0);
        assert_int_equal(wasm_global_set(g.global, zero), 0);
    }
    /* a trap in the copy names the function as in the original */
    wasm_value a1 = {.i32 = 9};
    struct wasm_trap trap;
    assert_int_equal(call1(i2, "call_fail", &a1, 1, NULL, &trap), ERR_FAULT);
    assert_string_equal(trap.func_name, "caller");
    wasm_instance_free(i1); /* the copy outlives the instance that compiled */
    assert_int_equal(use_own_objects(i2, &s2, 3, 1), 0);
    wasm_instance_free(i2);
    wasm_module_free(m);
}

/* Instances of one module made and run on threads at once (as kpio-wasm
 * serve's workers do): each sees only its own objects. */
struct jit_worker {
    struct wasm_module *m;
    struct host_state s;
    int tag, engine, bad;
};

static void *jit_worker_run(void *arg)
{
    struct jit_worker *w = arg;
    struct wasm_instance *inst = NULL;
    struct wasm_error err;
    struct wasm_trap trap;
    w->bad = -1;
    if (wasm_instance_new(w->m, NULL, resolve_env, &w->s, &inst, &err, &trap)) return NULL;
    w->engine = wasm_instance_engine(inst);
    w->bad = use_own_objects(inst, &w->s, w->tag, 200);
    wasm_instance_free(inst);
    return NULL;
}

static void test_jit_instances_on_threads(void **state)
{
    (void)state;
    struct wasm_module *m = load("host");
    enum { N = 4 };
    struct jit_worker w[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        w[i] = (struct jit_worker){.m = m, .tag = i + 1};
        assert_int_equal(pthread_create(&t[i], NULL, jit_worker_run, &w[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].bad, 0);
        assert_int_equal(w[i].engine, WASM_ENGINE_JIT);
    }
    /* at least once; more only when instances raced to be first */
    assert_in_range(wasm_module_jit_compiles(m), 1, N);
    wasm_module_free(m);
}

/* The host grows the memory during a call: the code after it sees the new
 * size and the block where it now is. */
static void test_grow_in_host_call(void **state)
{
    (void)state;
    struct wasm_module *m = load("host");
    struct wasm_instance *inst = instantiate(m, NULL, NULL);
    struct wasm_memory *mem = wasm_instance_default_memory(inst);
    wasm_value args[2] = {{.i32 = 3}, {.i32 = 3 * 65536 + 100}}, res[1];
    struct wasm_trap trap;
    assert_int_equal(call1(inst, "grow_in_host", args, 2, res, &trap), 0);
    assert_int_equal(res[0].i32, 0x5eed + 0x1234);
    assert_int_equal(wasm_memory_pages(mem), 4);
    uint8_t out[4];
    assert_int_equal(wasm_memory_read(mem, 3 * 65536 + 100, out, 4), 0);
    assert_int_equal(out[0] | out[1] << 8, 0x5eed);
    /* at the maximum the host's grow fails and the store is out of bounds */
    args[0].i32 = 1;
    args[1].i32 = 4 * 65536;
    assert_int_equal(call1(inst, "grow_in_host", args, 2, res, &trap), ERR_FAULT);
    assert_int_equal(trap.kind, WASM_TRAP_MEMORY_OOB);
    assert_string_equal(trap.func_name, "grow_in_host");
    wasm_instance_free(inst);
    wasm_module_free(m);
}

/* link.wat calls into host.wat's and traps.wat's instances; all four
 * combinations of engines give the same results and trap locations. */
struct libs {
    struct wasm_instance *host, *traps;
};

static int resolve_lib(void *ctx, const struct wasm_import *imp, struct wasm_extern *out)
{
    struct libs *l = ctx;
    if (strcmp(imp->module, "lib")) return ERR_NOENT;
    return wasm_instance_export(strcmp(imp->name, "double") ? l->traps : l->host, imp->name, out);
}

static void test_calls_between_engines(void **state)
{
    (void)state;
    struct wasm_module *mh = load("host"), *mt = load("traps"), *ml = load("link");
    for (int combo = 0; combo < 4; combo++) {
        struct wasm_config lib_cfg, link_cfg;
        wasm_config_default(&lib_cfg);
        wasm_config_default(&link_cfg);
        bool jit_lib = combo & 1, jit_link = combo & 2;
        lib_cfg.engine = jit_lib ? WASM_ENGINE_JIT : WASM_ENGINE_INTERP;
        lib_cfg.code_mem = jit_lib ? &host_code_memory : NULL;
        link_cfg.engine = jit_link ? WASM_ENGINE_JIT : WASM_ENGINE_INTERP;
        link_cfg.code_mem = jit_link ? &host_code_memory : NULL;
        struct libs l = {instantiate(mh, &lib_cfg, NULL), instantiate(mt, &lib_cfg, NULL)};
        struct wasm_instance *link = NULL;
        struct wasm_error err;
        assert_int_equal(wasm_instance_new(ml, &link_cfg, resolve_lib, &l, &link, &err, NULL), 0);
        wasm_value args[3] = {{.i32 = 5}}, res[1];
        struct wasm_trap trap;
        assert_int_equal(call1(link, "quad", args, 1, res, &trap), 0);
        assert_int_equal(res[0].i32, 20);
        args[0].i32 = 9;
        args[1].i32 = 0;
        assert_int_equal(call1(link, "div", args, 2, res, &trap), ERR_FAULT);
        assert_int_equal(trap.kind, WASM_TRAP_DIV_ZERO);
        assert_string_equal(trap.func_name, "divider"); /* in the other instance */
        args[0].i32 = 0;                                /* table slot 0: traps.wat's divide */
        args[1].i32 = 42;
        args[2].i32 = 6;
        assert_int_equal(call1(link, "via_table", args, 3, res, &trap), 0);
        assert_int_equal(res[0].i32, 7);
        args[0].i32 = 1;
        assert_int_equal(call1(link, "via_table", args, 3, res, &trap), 0);
        assert_int_equal(res[0].i32, 36);
        /* the counter global of host.wat saw both doubles */
        struct wasm_extern g;
        assert_int_equal(wasm_instance_export(l.host, "counter", &g), 0);
        assert_int_equal(wasm_global_get(g.global).i32, 7);
        wasm_instance_free(link);
        wasm_instance_free(l.host);
        wasm_instance_free(l.traps);
    }
    wasm_module_free(mh);
    wasm_module_free(mt);
    wasm_module_free(ml);
}

/* n wasm frames, a host call, then m frames of a nested run under a depth
 * limit: the engine traps exactly where the interpreter does. */
static void test_depth_across_nested_runs(void **state)
{
    (void)state;
    struct wasm_config cfg, ref_cfg;
    wasm_config_default(&cfg);
    cfg.max_call_depth = 50;
    ref_cfg = cfg;
    ref_cfg.engine = WASM_ENGINE_INTERP;
    struct wasm_module *m = load("host");
    struct wasm_instance *inst = instantiate(m, &cfg, NULL), *ref = instantiate(m, &ref_cfg, NULL);
    static const int32_t ns[] = {0, 1, 10, 30, 46, 47, 48, 49, 50};
    static const int32_t ms[] = {0, 1, 5, 10, 18, 19, 20, 21, 40, 60};
    int traps = 0;
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
        for (size_t k = 0; k < sizeof ms / sizeof ms[0]; k++) {
            wasm_value args[2] = {{.i32 = ns[i]}, {.i32 = ms[k]}}, res[1], want[1];
            struct wasm_trap trap, want_trap;
            int rc = call1(inst, "outer", args, 2, res, &trap);
            int want_rc = call1(ref, "outer", args, 2, want, &want_trap);
            if (rc != want_rc)
                fail_msg("outer(%d, %d): %d, the interpreter %d", ns[i], ms[k], rc, want_rc);
            if (rc) {
                traps++;
                assert_string_equal(trap.reason, want_trap.reason);
                assert_int_equal(trap.func_index, want_trap.func_index);
            } else {
                assert_int_equal(res[0].i32, want[0].i32);
            }
        }
    assert_true(traps > 0 && traps < 90); /* the grid crosses the limit */
    wasm_instance_free(inst);
    wasm_instance_free(ref);
    wasm_module_free(m);
}

/* v128 arguments and results of wasm_call and of host functions are two
 * values each; host traps and exits from a wide frame behave as usual; a
 * module with v128 runs on the engine chosen, machine code included. */
static void test_v128_values(void **state)
{
    (void)state;
    struct wasm_module *m = load("simd");
    assert_true(wasm_module_uses_v128(m));
    struct wasm_instance *inst = instantiate(m, NULL, NULL);
    assert_int_equal(wasm_instance_engine(inst), engine);
    wasm_value args[3] = {
        {.u64 = 0x0000000200000001ull}, {.u64 = 0x0000000400000003ull}, {.i32 = 5}};
    wasm_value res[3];
    struct wasm_trap trap;
    struct wasm_func *f = wasm_instance_func(inst, "call_vmix");
    assert_int_equal(wasm_call(f, args, 2, res, 3, &trap), ERR_INVAL); /* v128 counts twice */
    assert_int_equal(wasm_call(f, args, 3, res, 3, &trap), 0);
    assert_int_equal(res[0].u64, 48);                    /* 5 * 10 - 2 */
    assert_int_equal(res[1].u64, 0x0000000500000004ull); /* the halves swapped, lanes + 1 */
    assert_int_equal(res[2].u64, 0x0000000300000002ull);
    wasm_value a1 = {.i32 = 9};
    assert_int_equal(call1(inst, "call_fail", &a1, 1, NULL, &trap), ERR_FAULT);
    assert_string_equal(trap.reason, "bad descriptor 9");
    assert_string_equal(trap.func_name, "caller");
    assert_int_equal(call1(inst, "call_callback", &a1, 1, res, &trap), 0);
    assert_int_equal(res[0].i32, 19);
    wasm_value v[2] = {{.u64 = 0}, {.u64 = 0x0000000700000000ull}};
    assert_int_equal(call1(inst, "exit_wide", v, 2, NULL, &trap), ERR_FAULT);
    assert_int_equal(trap.kind, WASM_TRAP_EXIT);
    assert_int_equal(trap.exit_code, 7);
    wasm_instance_free(inst);
    wasm_module_free(m);
}

int main(int argc, char **argv)
{
    if (argc > 1) wasm_dir = argv[1];
    if (host_engine_select(argc > 2 ? argv[2] : "interp", WASM_ENGINE_INTERP, &engine)) {
        fprintf(stderr, "usage: test_wasm DIR [interp|jit]\n");
        return 2;
    }
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
        cmocka_unit_test(test_memory_budget),
        cmocka_unit_test(test_memory_access),
        cmocka_unit_test(test_function_info),
        cmocka_unit_test(test_engine_in_use),
        cmocka_unit_test(test_jit_fallback),
        cmocka_unit_test(test_grow_in_host_call),
        cmocka_unit_test(test_calls_between_engines),
        cmocka_unit_test(test_depth_across_nested_runs),
        cmocka_unit_test(test_v128_values),
    };
    /* The JIT's own seams: only in the JIT run, which they configure. */
    const struct CMUnitTest jit_tests[] = {
        cmocka_unit_test(test_jit_code_memory),
        cmocka_unit_test(test_jit_compiles_module_once),
        cmocka_unit_test(test_jit_instances_on_threads),
    };
    if (engine != WASM_ENGINE_JIT) return cmocka_run_group_tests_name("wasm", tests, NULL, NULL);
    int failed = cmocka_run_group_tests_name("wasm (jit)", tests, NULL, NULL);
    return failed + cmocka_run_group_tests_name("wasm (jit seams)", jit_tests, NULL, NULL);
}
