/*
 * tests/spec/spec_runner.c - runs one converted spec test file (the JSON
 * that wast2json writes next to its .wasm modules, read with jansson)
 * against lib/wasm.
 *
 *   spec_runner [-v] [-S] [-e interp|jit] FILE.json
 *
 * -e chooses the engine (default: $KPIO_WASM_ENGINE, else interp); jit-baseline
 * is the JIT without SSE4.1 and POPCNT (QEMU's default CPU). With the JIT
 * every instance must really be compiled: one the JIT gave back to the
 * interpreter counts as a failure, except, with -S, an instance of a module
 * that uses v128 (the JIT has no SIMD yet; counted in a NOTE line).
 *
 * Every command kind is supported: module, register, action, assert_return
 * (with nan:canonical / nan:arithmetic, for v128 per lane: values are
 * {"type": "v128", "lane_type": ..., "value": [one per lane]}, passed to
 * wasm_call as two wasm_values), assert_trap, assert_exhaustion,
 * assert_invalid, assert_malformed (text-format modules are skipped),
 * assert_unlinkable, assert_uninstantiable; the "spectest" host module
 * provides print*, global_*, table and memory. Each failure prints
 * "FAIL <wast>:<line>: <what differed>"; the last line is
 * "SUMMARY <wast> passed=N failed=N skipped=N actions=N". Exit status 0
 * when nothing failed.
 */
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "host/kpio-wasm/jit_mem.h"
#include "wasm/disasm.h"
#include "wasm/wasm.h"

#define MAX_VALUES 1024

struct named {
    char *name;
    struct wasm_instance *inst;
};

struct runner {
    const char *wast; /* source_filename, for messages */
    char dir[1024];   /* where the .wasm files are */
    bool verbose;
    bool simd_fallback; /* -S: modules with v128 may run on the interpreter */
    int fallbacks;      /* instances that did */
    uint32_t simd_in_c; /* simd instructions of JIT instances done in C */
    enum wasm_engine engine;
    int passed, failed, skipped, actions;
    int line;

    struct wasm_module **mods;
    struct wasm_instance **insts;
    size_t nmods, ninsts;
    struct wasm_instance *current;
    struct named *names, *registered;
    size_t nnames, nregistered;

    /* spectest */
    struct wasm_global *g_i32, *g_i64, *g_f32, *g_f64;
    struct wasm_table *table;
    struct wasm_memory *memory;
};

static void fail(struct runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct runner *r, const char *fmt, ...)
{
    va_list ap;
    printf("FAIL %s:%d: ", r->wast, r->line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    r->failed++;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* ---- spectest (the host module of the spec's test harness) ---- */

static int print_fn(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    (void)call, (void)args, (void)results;
    return 0;
}

static const struct {
    const char *name, *sig;
} spectest_funcs[] = {
    {"print", "()"},           {"print_i32", "(i)"}, {"print_i64", "(I)"},
    {"print_f32", "(f)"},      {"print_f64", "(F)"}, {"print_i32_f32", "(if)"},
    {"print_f64_f64", "(FF)"},
};

static int resolve_spectest(struct runner *r, const struct wasm_import *imp,
                            struct wasm_extern *out)
{
    out->kind = imp->kind;
    for (size_t i = 0; i < sizeof spectest_funcs / sizeof spectest_funcs[0]; i++)
        if (!strcmp(imp->name, spectest_funcs[i].name)) {
            wasm_extern_host(out, spectest_funcs[i].sig, print_fn, r);
            return 0;
        }
    struct {
        const char *name;
        struct wasm_global *g;
    } globals[] = {{"global_i32", r->g_i32},
                   {"global_i64", r->g_i64},
                   {"global_f32", r->g_f32},
                   {"global_f64", r->g_f64}};
    for (size_t i = 0; i < 4; i++)
        if (!strcmp(imp->name, globals[i].name)) {
            out->kind = WASM_EXTERN_GLOBAL;
            out->global = globals[i].g;
            return 0;
        }
    if (!strcmp(imp->name, "table")) {
        out->kind = WASM_EXTERN_TABLE;
        out->table = r->table;
        return 0;
    }
    if (!strcmp(imp->name, "memory")) {
        out->kind = WASM_EXTERN_MEMORY;
        out->memory = r->memory;
        return 0;
    }
    return ERR_NOENT;
}

static struct wasm_instance *find(struct named *list, size_t n, const char *name)
{
    for (size_t i = n; i-- > 0;)
        if (!strcmp(list[i].name, name)) return list[i].inst;
    return NULL;
}

/* Imports come from spectest or from modules registered by name. */
static int resolve(void *ctx, const struct wasm_import *imp, struct wasm_extern *out)
{
    struct runner *r = ctx;
    if (!strcmp(imp->module, "spectest")) return resolve_spectest(r, imp, out);
    struct wasm_instance *inst = find(r->registered, r->nregistered, imp->module);
    if (!inst || wasm_instance_export_n(inst, imp->name, imp->name_len, out)) return ERR_NOENT;
    return 0;
}

/* ---- values ---- */

/* A value of a command: a scalar, or a v128 with its lanes' NaN kinds. */
struct val {
    uint8_t type;
    wasm_value v[2]; /* a v128: low, high 64 bits (wasm.h) */
    int nan_kind;    /* scalars: 1 nan:canonical, 2 nan:arithmetic, 3 non-null ref */
    int lanes;       /* v128: lane count and which lanes are floats */
    bool float_lanes;
    int lane_nan[16];
};

/* A member's string (wast2json writes every value as a string), or NULL
 * when obj is NULL or the member is absent or not a string. */
static const char *member_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static int nan_kind_of(const char *s)
{
    return !strcmp(s, "nan:canonical") ? 1 : !strcmp(s, "nan:arithmetic") ? 2 : 0;
}

/* "v128" with lane_type and one string per lane (wast2json). */
static bool parse_v128(const json_t *j, struct val *out)
{
    const char *lt = member_str(j, "lane_type");
    const json_t *lanes = json_object_get(j, "value");
    size_t nlanes = json_array_size(lanes);
    if (!lt || !nlanes || 16 % nlanes) return false;
    uint8_t bytes[16] = {0};
    size_t width = 16 / nlanes;
    out->lanes = (int)nlanes;
    out->float_lanes = lt[0] == 'f';
    for (size_t i = 0; i < nlanes; i++) {
        const char *s = json_string_value(json_array_get(lanes, i));
        if (!s) return false;
        out->lane_nan[i] = nan_kind_of(s);
        uint64_t n = out->lane_nan[i] ? 0 : strtoull(s, NULL, 10);
        for (size_t b = 0; b < width; b++)
            bytes[i * width + b] = (uint8_t)(n >> (8 * b));
    }
    memcpy(&out->v[0].u64, bytes, 8);
    memcpy(&out->v[1].u64, bytes + 8, 8);
    return true;
}

static bool parse_value(const json_t *j, struct val *out)
{
    const char *t = member_str(j, "type"), *s = member_str(j, "value");
    memset(out, 0, sizeof *out);
    if (!t) return false;
    if (!strcmp(t, "i32") || !strcmp(t, "f32"))
        out->type = t[0] == 'i' ? 0x7f : 0x7d;
    else if (!strcmp(t, "i64") || !strcmp(t, "f64"))
        out->type = t[0] == 'i' ? 0x7e : 0x7c;
    else if (!strcmp(t, "externref"))
        out->type = 0x6f;
    else if (!strcmp(t, "funcref"))
        out->type = 0x70;
    else if (!strcmp(t, "v128")) {
        out->type = WASM_V128;
        return parse_v128(j, out);
    } else
        return false;
    if (!s) {
        out->nan_kind = 3; /* a reference that must be non-null */
        return out->type == 0x70 || out->type == 0x6f;
    }
    out->nan_kind = nan_kind_of(s);
    if (out->nan_kind || !strcmp(s, "null")) return true;
    uint64_t n = strtoull(s, NULL, 10);
    if (out->type == 0x6f)
        out->v[0].externref = (void *)(uintptr_t)(n + 1); /* never NULL */
    else if (out->type == 0x7f || out->type == 0x7d)
        out->v[0].u32 = (uint32_t)n;
    else
        out->v[0].u64 = n;
    return true;
}

static void format_value(char *buf, size_t size, uint8_t type, const wasm_value *v)
{
    switch (type) {
    case 0x7f: snprintf(buf, size, "i32:%" PRIu32, v->u32); break;
    case 0x7e: snprintf(buf, size, "i64:%" PRIu64, v->u64); break;
    case 0x7d: snprintf(buf, size, "f32:0x%08" PRIx32 " (%g)", v->u32, (double)v->f32); break;
    case 0x7c: snprintf(buf, size, "f64:0x%016" PRIx64 " (%g)", v->u64, v->f64); break;
    case WASM_V128:
        snprintf(buf, size, "v128:0x%016" PRIx64 "_%016" PRIx64, v[1].u64, v[0].u64);
        break;
    default: snprintf(buf, size, "ref:%p", v->externref); break;
    }
}

/* A float of `bits` bits matches a NaN kind (1 canonical, 2 arithmetic). */
static bool nan_matches(uint64_t got, int bits, int nan_kind)
{
    uint64_t quiet = bits == 32 ? 0x7fc00000u : 0x7ff8000000000000ull;
    uint64_t abs = got & (bits == 32 ? 0x7fffffffu : 0x7fffffffffffffffull);
    return nan_kind == 1 ? abs == quiet : (got & quiet) == quiet;
}

static bool v128_matches(const wasm_value *got, const struct val *want)
{
    uint8_t g[16], w[16];
    memcpy(g, &got[0].u64, 8), memcpy(g + 8, &got[1].u64, 8);
    memcpy(w, &want->v[0].u64, 8), memcpy(w + 8, &want->v[1].u64, 8);
    int width = 16 / want->lanes;
    for (int i = 0; i < want->lanes; i++) {
        uint64_t lane = 0;
        memcpy(&lane, g + i * width, (size_t)width);
        if (want->float_lanes && want->lane_nan[i]) {
            if (!nan_matches(lane, width * 8, want->lane_nan[i])) return false;
        } else if (memcmp(g + i * width, w + i * width, (size_t)width)) {
            return false;
        }
    }
    return true;
}

/* Does result got (of the declared type) match the expected value? */
static bool value_matches(uint8_t type, const wasm_value *got, const struct val *want)
{
    switch (type) {
    case 0x7f: return got->u32 == want->v[0].u32;
    case 0x7e: return got->u64 == want->v[0].u64;
    case 0x7d:
        if (want->nan_kind) return nan_matches(got->u32, 32, want->nan_kind);
        return got->u32 == want->v[0].u32;
    case 0x7c:
        if (want->nan_kind) return nan_matches(got->u64, 64, want->nan_kind);
        return got->u64 == want->v[0].u64;
    case WASM_V128: return v128_matches(got, want);
    default:
        if (want->nan_kind == 3) return got->externref != NULL;
        return got->externref == want->v[0].externref;
    }
}

/* ---- commands ---- */

static struct wasm_instance *target_instance(struct runner *r, const json_t *action)
{
    const char *name = member_str(action, "module");
    if (!name) return r->current;
    return find(r->names, r->nnames, name);
}

/*
 * Performs an invoke or get action. Returns 0 with results, ERR_FAULT for
 * a trap (*trap filled), or another error after reporting it.
 */
static int do_action(struct runner *r, const json_t *action, wasm_value *results,
                     uint32_t *nresults, const uint8_t **rtypes, struct wasm_trap *trap)
{
    const char *type = member_str(action, "type"), *field = member_str(action, "field");
    const json_t *jfield = json_object_get(action, "field");
    struct wasm_instance *inst = target_instance(r, action);
    struct wasm_extern ext;
    if (!inst || !field || !type) {
        fail(r, "action on a missing module or without a field");
        return ERR_INVAL;
    }
    if (wasm_instance_export_n(inst, field, json_string_length(jfield), &ext)) {
        fail(r, "no export \"%s\"", field);
        return ERR_INVAL;
    }
    if (!strcmp(type, "get")) {
        static uint8_t gtype;
        if (ext.kind != WASM_EXTERN_GLOBAL) {
            fail(r, "export \"%s\" is not a global", field);
            return ERR_INVAL;
        }
        gtype = wasm_global_type(ext.global, NULL);
        wasm_global_get_v128(ext.global, results);
        *nresults = 1;
        *rtypes = &gtype;
        return 0;
    }
    if (ext.kind != WASM_EXTERN_FUNC) {
        fail(r, "export \"%s\" is not a function", field);
        return ERR_INVAL;
    }
    const json_t *args = json_object_get(action, "args");
    wasm_value argv[2 * MAX_VALUES];
    uint32_t nargs = (uint32_t)json_array_size(args), nvalues = 0;
    if (nargs > MAX_VALUES) {
        fail(r, "too many arguments");
        return ERR_INVAL;
    }
    for (uint32_t i = 0; i < nargs; i++) {
        struct val v;
        if (!parse_value(json_array_get(args, i), &v)) {
            fail(r, "bad argument %u", i);
            return ERR_INVAL;
        }
        argv[nvalues++] = v.v[0];
        if (v.type == WASM_V128) argv[nvalues++] = v.v[1];
    }
    const struct wasm_functype *ft = wasm_func_type(ext.func);
    if (ft->nparams != nargs || ft->nresults > MAX_VALUES) {
        fail(r, "\"%s\" takes %u arguments, not %u", field, ft->nparams, nargs);
        return ERR_INVAL;
    }
    *nresults = ft->nresults;
    *rtypes = ft->results;
    return wasm_call(ext.func, argv, nvalues, results,
                     wasm_types_nvalues(ft->results, ft->nresults), trap);
}

static void cmd_assert_return(struct runner *r, const json_t *cmd)
{
    wasm_value results[2 * MAX_VALUES];
    uint32_t n = 0;
    const uint8_t *types = NULL;
    struct wasm_trap trap;
    int rc = do_action(r, json_object_get(cmd, "action"), results, &n, &types, &trap);
    if (rc == ERR_FAULT) {
        fail(r, "trapped: %s", trap.reason);
        return;
    }
    if (rc) return;
    const json_t *exp = json_object_get(cmd, "expected");
    if (json_array_size(exp) != n) {
        fail(r, "%u results, expected %zu", n, json_array_size(exp));
        return;
    }
    for (uint32_t i = 0, k = 0; i < n; k += types[i] == WASM_V128 ? 2 : 1, i++) {
        struct val want;
        char got_s[80], want_s[80];
        if (!parse_value(json_array_get(exp, i), &want)) {
            fail(r, "cannot read expected value %u", i);
            return;
        }
        if (want.type != types[i] || !value_matches(want.type, &results[k], &want)) {
            int nk = want.nan_kind;
            format_value(got_s, sizeof got_s, types[i], &results[k]);
            format_value(want_s, sizeof want_s, want.type, want.v);
            fail(r, "result %u: got %s, expected %s%s", i, got_s,
                 nk == 1   ? "nan:canonical "
                 : nk == 2 ? "nan:arithmetic "
                           : "",
                 nk ? "" : want_s);
            return;
        }
    }
    r->passed++;
}

static void cmd_assert_trap(struct runner *r, const json_t *cmd)
{
    wasm_value results[2 * MAX_VALUES];
    uint32_t n;
    const uint8_t *types;
    struct wasm_trap trap;
    const char *text = member_str(cmd, "text");
    int rc = do_action(r, json_object_get(cmd, "action"), results, &n, &types, &trap);
    if (rc == 0) {
        fail(r, "returned normally, expected trap \"%s\"", text);
        return;
    }
    if (rc != ERR_FAULT) return;
    if (text && strncmp(trap.reason, text, strlen(text))) {
        fail(r, "trapped with \"%s\", expected \"%s\"", trap.reason, text);
        return;
    }
    r->passed++;
}

static int load_file(struct runner *r, const char *file, uint8_t **buf, size_t *len)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", r->dir, file);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc(size > 0 ? (size_t)size : 1);
    *len = size > 0 ? (size_t)size : 0;
    if (!*buf || fread(*buf, 1, *len, f) != *len) {
        fclose(f);
        free(*buf);
        return -1;
    }
    fclose(f);
    return 0;
}

/* Loads a module file: 0 and *mod, or the load error (message in err). */
static int load_module(struct runner *r, const json_t *cmd, struct wasm_module **mod,
                       struct wasm_error *err)
{
    uint8_t *bytes;
    size_t len;
    const char *file = member_str(cmd, "filename");
    if (!file || load_file(r, file, &bytes, &len)) {
        snprintf(err->msg, sizeof err->msg, "cannot read %s", file ? file : "(no file)");
        return ERR_IO;
    }
    int rc = wasm_module_load(bytes, len, mod, err);
    free(bytes);
    if (!rc) {
        r->mods = xrealloc(r->mods, (r->nmods + 1) * sizeof *r->mods);
        r->mods[r->nmods++] = *mod;
    }
    return rc;
}

static void keep_instance(struct runner *r, struct wasm_instance *inst, struct wasm_module *mod)
{
    if (r->simd_fallback && wasm_module_uses_v128(mod) && r->engine == WASM_ENGINE_JIT &&
        wasm_instance_engine(inst) == WASM_ENGINE_INTERP) {
        r->fallbacks++;
    } else if (wasm_instance_engine(inst) != r->engine)
        fail(r, "instance runs on %s, not %s", wasm_engine_name(wasm_instance_engine(inst)),
             wasm_engine_name(r->engine));
    r->simd_in_c += wasm_jit_simd_in_c(inst);
    r->insts = xrealloc(r->insts, (r->ninsts + 1) * sizeof *r->insts);
    r->insts[r->ninsts++] = inst;
}

static void cmd_module(struct runner *r, const json_t *cmd)
{
    struct wasm_module *mod;
    struct wasm_instance *inst;
    struct wasm_error err;
    struct wasm_trap trap;
    r->current = NULL;
    if (load_module(r, cmd, &mod, &err)) {
        fail(r, "module did not load: %s", err.msg);
        return;
    }
    int rc = wasm_instance_new(mod, NULL, resolve, r, &inst, &err, &trap);
    if (rc == ERR_FAULT) keep_instance(r, inst, mod);
    if (rc) {
        fail(r, "module did not instantiate: %s", err.msg);
        return;
    }
    keep_instance(r, inst, mod);
    r->current = inst;
    const char *name = member_str(cmd, "name");
    if (name) {
        r->names = xrealloc(r->names, (r->nnames + 1) * sizeof *r->names);
        r->names[r->nnames++] = (struct named){strdup(name), inst};
    }
}

static void cmd_register(struct runner *r, const json_t *cmd)
{
    const char *as = member_str(cmd, "as"), *name = member_str(cmd, "name");
    struct wasm_instance *inst = name ? find(r->names, r->nnames, name) : r->current;
    if (!as || !inst) {
        fail(r, "register of a missing module");
        return;
    }
    r->registered = xrealloc(r->registered, (r->nregistered + 1) * sizeof *r->registered);
    r->registered[r->nregistered++] = (struct named){strdup(as), inst};
}

/* assert_invalid / assert_malformed: a binary module must not load. */
static void cmd_assert_bad_module(struct runner *r, const json_t *cmd, bool malformed)
{
    const char *mt = member_str(cmd, "module_type");
    if (mt && strcmp(mt, "binary")) {
        r->skipped++;
        return;
    }
    struct wasm_module *mod;
    struct wasm_error err;
    int rc = load_module(r, cmd, &mod, &err);
    if (rc == 0) {
        fail(r, "module loaded, expected %s (\"%s\")", malformed ? "malformed" : "invalid",
             member_str(cmd, "text"));
        return;
    }
    if (rc == ERR_IO) {
        fail(r, "%s", err.msg);
        return;
    }
    if (r->verbose && rc != (malformed ? ERR_BADMSG : ERR_INVAL))
        printf("NOTE %s:%d: expected %s \"%s\", rejected as %s: %s\n", r->wast, r->line,
               malformed ? "malformed" : "invalid", member_str(cmd, "text"),
               rc == ERR_BADMSG ? "malformed" : "invalid", err.msg);
    r->passed++;
}

/* assert_unlinkable / assert_uninstantiable. */
static void cmd_assert_instantiate_fails(struct runner *r, const json_t *cmd, bool trap_expected)
{
    struct wasm_module *mod;
    struct wasm_instance *inst;
    struct wasm_error err;
    struct wasm_trap trap;
    if (load_module(r, cmd, &mod, &err)) {
        fail(r, "module did not load: %s", err.msg);
        return;
    }
    int rc = wasm_instance_new(mod, NULL, resolve, r, &inst, &err, &trap);
    if (rc == ERR_FAULT) /* it lives on: tables may hold its functions */
        keep_instance(r, inst, mod);
    if (rc == 0) {
        keep_instance(r, inst, mod);
        fail(r, "module instantiated, expected \"%s\"", member_str(cmd, "text"));
        return;
    }
    if (trap_expected != (rc == ERR_FAULT)) {
        fail(r, "instantiation failed with \"%s\", expected %s \"%s\"", err.msg,
             trap_expected ? "a trap" : "a link error", member_str(cmd, "text"));
        return;
    }
    const char *text = member_str(cmd, "text");
    if (trap_expected && text && strncmp(trap.reason, text, strlen(text))) {
        fail(r, "trapped with \"%s\", expected \"%s\"", trap.reason, text);
        return;
    }
    r->passed++;
}

static void cmd_action(struct runner *r, const json_t *cmd)
{
    wasm_value results[2 * MAX_VALUES];
    uint32_t n;
    const uint8_t *types;
    struct wasm_trap trap;
    int rc = do_action(r, json_object_get(cmd, "action"), results, &n, &types, &trap);
    if (rc == ERR_FAULT)
        fail(r, "action trapped: %s", trap.reason);
    else if (rc == 0)
        r->actions++;
}

static void run_command(struct runner *r, const json_t *cmd)
{
    const char *type = member_str(cmd, "type");
    r->line = (int)json_integer_value(json_object_get(cmd, "line"));
    if (!type)
        fail(r, "command without a type");
    else if (!strcmp(type, "module"))
        cmd_module(r, cmd);
    else if (!strcmp(type, "register"))
        cmd_register(r, cmd);
    else if (!strcmp(type, "action"))
        cmd_action(r, cmd);
    else if (!strcmp(type, "assert_return"))
        cmd_assert_return(r, cmd);
    else if (!strcmp(type, "assert_trap") || !strcmp(type, "assert_exhaustion")) {
        if (json_object_get(cmd, "filename"))
            cmd_assert_instantiate_fails(r, cmd, true);
        else
            cmd_assert_trap(r, cmd);
    } else if (!strcmp(type, "assert_invalid"))
        cmd_assert_bad_module(r, cmd, false);
    else if (!strcmp(type, "assert_malformed"))
        cmd_assert_bad_module(r, cmd, true);
    else if (!strcmp(type, "assert_unlinkable"))
        cmd_assert_instantiate_fails(r, cmd, false);
    else if (!strcmp(type, "assert_uninstantiable"))
        cmd_assert_instantiate_fails(r, cmd, true);
    else
        fail(r, "unknown command \"%s\"", type);
}

static int make_spectest(struct runner *r)
{
    wasm_value v;
    v.u64 = 0;
    v.u32 = 666;
    r->g_i32 = wasm_global_new(0x7f, false, v);
    v.u64 = 666;
    r->g_i64 = wasm_global_new(0x7e, false, v);
    v.u64 = 0;
    v.f32 = 666.6f;
    r->g_f32 = wasm_global_new(0x7d, false, v);
    v.f64 = 666.6;
    r->g_f64 = wasm_global_new(0x7c, false, v);
    r->table = wasm_table_new(0x70, 10, 20);
    r->memory = wasm_memory_new(1, 2);
    return r->g_i32 && r->g_i64 && r->g_f32 && r->g_f64 && r->table && r->memory ? 0 : -1;
}

static void cleanup(struct runner *r)
{
    for (size_t i = 0; i < r->ninsts; i++)
        wasm_instance_free(r->insts[i]);
    for (size_t i = 0; i < r->nmods; i++)
        wasm_module_free(r->mods[i]);
    for (size_t i = 0; i < r->nnames; i++)
        free(r->names[i].name);
    for (size_t i = 0; i < r->nregistered; i++)
        free(r->registered[i].name);
    free(r->insts);
    free(r->mods);
    free(r->names);
    free(r->registered);
    wasm_global_free(r->g_i32);
    wasm_global_free(r->g_i64);
    wasm_global_free(r->g_f32);
    wasm_global_free(r->g_f64);
    wasm_table_free(r->table);
    wasm_memory_free(r->memory);
}

int main(int argc, char **argv)
{
    struct runner r = {0};
    int argi = 1;
    const char *engine = NULL;
    for (; argi < argc && argv[argi][0] == '-'; argi++) {
        if (!strcmp(argv[argi], "-v"))
            r.verbose = true;
        else if (!strcmp(argv[argi], "-S"))
            r.simd_fallback = true;
        else if (!strcmp(argv[argi], "-e") && argi + 1 < argc)
            engine = argv[++argi];
        else
            break;
    }
    bool baseline = engine && !strcmp(engine, "jit-baseline");
    if (argi + 1 != argc ||
        host_engine_select(baseline ? "jit" : engine, WASM_ENGINE_INTERP, &r.engine)) {
        fprintf(stderr, "usage: spec_runner [-v] [-S] [-e interp|jit|jit-baseline] FILE.json\n");
        return 2;
    }
    wasm_jit_baseline_cpu(baseline);
    const char *path = argv[argi];
    json_error_t err;
    /* Export names may hold NUL characters (\u0000). */
    json_t *doc = json_load_file(path, JSON_ALLOW_NUL, &err);
    if (!doc) {
        fprintf(stderr, "%s:%d: %s\n", path, err.line, err.text);
        return 2;
    }
    const char *slash = strrchr(path, '/');
    snprintf(r.dir, sizeof r.dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    const char *src = member_str(doc, "source_filename");
    const char *base = src ? strrchr(src, '/') : NULL;
    r.wast = base ? base + 1 : src ? src : path;
    if (make_spectest(&r)) {
        fprintf(stderr, "out of memory\n");
        return 2;
    }
    const json_t *cmds = json_object_get(doc, "commands");
    for (size_t i = 0; i < json_array_size(cmds); i++)
        run_command(&r, json_array_get(cmds, i));
    if (r.fallbacks)
        printf("NOTE %s: %d instances of modules with v128 ran on the interpreter (-S)\n", r.wast,
               r.fallbacks);
    if (r.simd_in_c)
        printf("NOTE %s: %u simd instructions of machine code call the interpreter's lane code\n",
               r.wast, r.simd_in_c);
    printf("SUMMARY %s passed=%d failed=%d skipped=%d actions=%d\n", r.wast, r.passed, r.failed,
           r.skipped, r.actions);
    cleanup(&r);
    json_decref(doc);
    return r.failed ? 1 : 0;
}
