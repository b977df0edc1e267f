/*
 * host/kpio-wasm/main.c - runs a WebAssembly module on Linux with lib/wasm.
 * Options are parsed by options.c (`kpio-wasm --help` lists them); this file
 * is the --invoke mode and the dispatch to the WASI mode (run_wasi.c):
 *
 *   kpio-wasm [OPTIONS] FILE.wasm --invoke NAME [ARGS...]
 *
 * Loads, validates and instantiates FILE.wasm, calls the exported function
 * NAME with ARGS (parsed by the function's parameter types: integers in
 * decimal or 0x hex, floats as C literals, also "nan"/"inf", or raw bits
 * as 0x... with a "bits:" prefix) and prints the results on one line, e.g.
 * "i32:42 f64:2.5". --dump lists the compiled code of every function,
 * --dump-jit=FILE writes the machine code to FILE and where each function
 * starts in it, --time prints the call's wall-clock time on stderr.
 *
 * A component's exports are called by the WASI mode (run_wasi.c,
 * invoke_comp.c), which binds its WASI imports: arguments and result in
 * WAVE.
 *
 * Exit status: 0 after a normal return, 1 for usage, load and link errors,
 * 2 when the call trapped (the reason is printed on stderr), or the status
 * a host function asked for with wasm_host_exit(). Imports are resolved by
 * resolve_import().
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "component/component.h"
#include "host/kpio-wasm/jit_mem.h"
#include "host/kpio-wasm/options.h"
#include "wasm/disasm.h"
#include "wasm/wasm.h"

static void print_line(void *ctx, const char *line)
{
    fprintf(ctx, "%s\n", line);
}

static void dump_module(const struct wasm_module *mod)
{
    for (uint32_t f = 0; wasm_disasm(mod, f, print_line, stdout) != ERR_NOENT; f++)
        ;
}

/* The machine code to a file, and where each function starts in it. */
static void dump_jit(const struct wasm_instance *inst, const char *path)
{
    size_t len;
    const uint8_t *code = wasm_jit_code(inst, &len);
    FILE *f = code ? fopen(path, "wb") : NULL;
    if (!f || fwrite(code, 1, len, f) != len) {
        fprintf(stderr, "kpio-wasm: %s: %s\n", path, code ? strerror(errno) : "not compiled");
        if (f) fclose(f);
        return;
    }
    fclose(f);
    const struct wasm_module *m = wasm_instance_module(inst);
    for (uint32_t i = 0; i < wasm_module_func_count(m); i++) {
        uint32_t at = wasm_jit_entry(inst, i);
        if (at != UINT32_MAX) printf("func %u at 0x%x\n", i, at);
    }
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *p = realloc(buf, cap *= 2);
        if (!p) {
            free(buf);
            buf = NULL;
        }
        buf = p;
    }
    if (ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* No host modules yet: every import is unknown, which fails instantiation
 * with a message naming it. The WASI layer resolves its imports here. */
static int resolve_import(void *ctx, const struct wasm_import *imp, struct wasm_extern *out)
{
    (void)ctx, (void)imp, (void)out;
    return ERR_NOENT;
}

/* One argument of type t from text: a number, or "bits:0x..." for floats. */
static int parse_arg(const char *s, uint8_t t, wasm_value *v)
{
    char *end;
    errno = 0;
    v->u64 = 0;
    if (!strncmp(s, "bits:", 5) && (t == WASM_F32 || t == WASM_F64)) {
        v->u64 = strtoull(s + 5, &end, 0);
        return *end || errno ? -1 : 0;
    }
    switch (t) {
    case WASM_I32:
    case WASM_I64: {
        bool neg = s[0] == '-';
        uint64_t u = strtoull(neg ? s + 1 : s, &end, 0);
        if (*end || errno || end == s) return -1;
        if (t == WASM_I32 && u > (neg ? 0x80000000ull : 0xffffffffull)) return -1;
        u = neg ? 0 - u : u;
        if (t == WASM_I32)
            v->u32 = (uint32_t)u;
        else
            v->u64 = u;
        return 0;
    }
    case WASM_F32: v->f32 = strtof(s, &end); return *end || end == s ? -1 : 0;
    case WASM_F64: v->f64 = strtod(s, &end); return *end || end == s ? -1 : 0;
    }
    return -1; /* references cannot be written on a command line */
}

static void print_value(uint8_t t, wasm_value v)
{
    switch (t) {
    case WASM_I32: printf("i32:%" PRIu32, v.u32); break;
    case WASM_I64: printf("i64:%" PRIu64, v.u64); break;
    case WASM_F32:
        if (isnan(v.f32))
            printf("f32:nan:0x%08" PRIx32, v.u32);
        else
            printf("f32:%.9g", (double)v.f32);
        break;
    case WASM_F64:
        if (isnan(v.f64))
            printf("f64:nan:0x%016" PRIx64, v.u64);
        else
            printf("f64:%.17g", v.f64);
        break;
    case WASM_FUNCREF: printf("funcref:%s", v.funcref ? "func" : "null"); break;
    default: printf("externref:%p", v.externref); break;
    }
}

/* Prints a trap; returns the exit status for it. */
static int report_trap(const struct wasm_trap *trap)
{
    if (trap->kind == WASM_TRAP_EXIT) return trap->exit_code;
    fprintf(stderr, "kpio-wasm: trap: %s", trap->reason);
    if (trap->func_name) fprintf(stderr, " in function %s", trap->func_name);
    if (trap->func_index != UINT32_MAX) fprintf(stderr, " (#%" PRIu32 ")", trap->func_index);
    fprintf(stderr, "\n");
    return 2;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --invoke NAME ARGS... */
static int mode_invoke(struct wasm_instance *inst, const struct kpio_options *o)
{
    struct wasm_func *f = wasm_instance_func(inst, o->invoke);
    if (!f) {
        fprintf(stderr, "kpio-wasm: no exported function \"%s\"\n", o->invoke);
        return 1;
    }
    const struct wasm_functype *t = wasm_func_type(f);
    if ((uint32_t)o->nargs != t->nparams) {
        char buf[256];
        fprintf(stderr, "kpio-wasm: %s has type %s: %u arguments needed\n", o->invoke,
                wasm_functype_str(t, buf, sizeof buf), t->nparams);
        return 1;
    }
    wasm_value *args = calloc(t->nparams + 1, sizeof *args);
    wasm_value *results = calloc(t->nresults + 1, sizeof *results);
    if (!args || !results) {
        fprintf(stderr, "kpio-wasm: out of memory\n");
        return 1;
    }
    for (uint32_t i = 0; i < t->nparams; i++)
        if (parse_arg(o->args[i], t->params[i], &args[i])) {
            fprintf(stderr, "kpio-wasm: argument %u: \"%s\" is not a valid %s\n", i + 1, o->args[i],
                    t->params[i] == WASM_I32   ? "i32"
                    : t->params[i] == WASM_I64 ? "i64"
                    : t->params[i] == WASM_F32 ? "f32"
                    : t->params[i] == WASM_F64 ? "f64"
                                               : "value (references cannot be given)");
            return 1;
        }
    struct wasm_trap trap;
    double start = now_seconds();
    int rc = wasm_call(f, args, t->nparams, results, t->nresults, &trap);
    double secs = now_seconds() - start;
    if (o->time) fprintf(stderr, "time: %.6f s\n", secs);
    int status = 0;
    if (rc == ERR_FAULT) {
        status = report_trap(&trap);
    } else if (rc) {
        fprintf(stderr, "kpio-wasm: call failed: %s\n", err_str(rc));
        status = 1;
    } else {
        for (uint32_t i = 0; i < t->nresults; i++) {
            if (i) printf(" ");
            print_value(t->results[i], results[i]);
        }
        printf("\n");
    }
    free(args);
    free(results);
    return status;
}

/* The WASI mode (run_wasi.c): `kpio-wasm [--dir ..] [--env ..] app.wasm ARGS`. */
int run_wasi_main(const struct kpio_options *o);

/* --invoke, --dump, --dump-jit: load, instantiate without imports, then
 * list, dump and call as asked. */
static int invoke_main(const struct kpio_options *opts)
{
    struct kpio_options o = *opts;
    size_t len;
    uint8_t *bytes = read_file(o.path, &len);
    if (!bytes) {
        fprintf(stderr, "kpio-wasm: %s: %s\n", o.path, strerror(errno));
        return 1;
    }
    struct wasm_module *mod;
    struct wasm_instance *inst;
    struct wasm_error err;
    struct wasm_trap trap;
    if (comp_header(bytes, len) == COMP_HEADER_COMPONENT) {
        free(bytes);
        if (o.invoke && !o.dump && !o.dump_jit) return run_wasi_main(&o); /* invoke_comp.c */
        fprintf(stderr,
                "kpio-wasm: %s is a WebAssembly component: --dump and --dump-jit take core "
                "modules only\n",
                o.path);
        return 1;
    }
    int rc = wasm_module_load(bytes, len, &mod, &err);
    free(bytes);
    if (rc) {
        fprintf(stderr, "kpio-wasm: %s: %s: %s\n", o.path,
                rc == ERR_BADMSG ? "malformed module" : "invalid module", err.msg);
        return 1;
    }
    rc = wasm_instance_new(mod, &o.cfg, resolve_import, NULL, &inst, &err, &trap);
    if (rc) {
        int status = 1;
        if (rc == ERR_FAULT) {
            status = report_trap(&trap);
            wasm_instance_free(inst);
        } else {
            fprintf(stderr, "kpio-wasm: %s: %s\n", o.path, err.msg);
        }
        wasm_module_free(mod);
        return status;
    }
    if (o.dump) dump_module(mod);
    if (o.dump_jit) dump_jit(inst, o.dump_jit);
    int status = o.invoke ? mode_invoke(inst, &o) : 0;
    wasm_instance_free(inst);
    wasm_module_free(mod);
    return status;
}

/* `kpio-wasm serve ...` (serve.c). */
int serve_main(int argc, char **argv);

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "serve")) return serve_main(argc, argv);
    static struct kpio_options o;
    kpio_options_parse(argc, argv, &o);
    int status = o.invoke_mode ? invoke_main(&o) : run_wasi_main(&o);
    kpio_options_free(&o);
    return status;
}
