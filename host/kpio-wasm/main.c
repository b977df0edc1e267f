/*
 * host/kpio-wasm/main.c - runs a WebAssembly module on Linux with lib/wasm.
 *
 *   kpio-wasm [OPTIONS] FILE.wasm --invoke NAME [ARGS...]
 *
 * Loads, validates and instantiates FILE.wasm, calls the exported function
 * NAME with ARGS (parsed by the function's parameter types: integers in
 * decimal or 0x hex, floats as C literals, also "nan"/"inf", or raw bits
 * as 0x... with a "bits:" prefix) and prints the results on one line, e.g.
 * "i32:42 f64:2.5". Options:
 *
 *   --dump            list the compiled code of every function (debugging)
 *   --dump-jit=FILE   write the instance's machine code to FILE and list
 *                     each function's offset in it (objdump -D -b binary
 *                     -m i386:x86-64 FILE)
 *   --time            print the call's wall-clock time to stderr
 *                     ("time: 1.234567 s")
 *   --max-pages N     cap linear memory at N 64 KiB pages
 *   --stack N         value stack slots; --depth N: maximum call depth
 *   --engine E        interp or jit (default: $KPIO_WASM_ENGINE, else jit
 *                     where lib/wasm has one for this machine);
 *                     also in the WASI mode (run_wasi.c), where it must come
 *                     before the module like the other options
 *
 * Exit status: 0 after a normal return, 1 for usage, load and link errors,
 * 2 when the call trapped (the reason is printed on stderr), or the status
 * a host function asked for with wasm_host_exit().
 *
 * Modes are functions below (invoke today; running WASI programs is added
 * next to it), and imports are resolved by resolve_import().
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
#include "wasm/disasm.h"
#include "wasm/wasm.h"

struct options {
    const char *path;
    const char *invoke;
    char **args;
    int nargs;
    bool time, dump;
    const char *dump_jit;
    struct wasm_config cfg;
};

static void usage(void)
{
    fprintf(stderr, "usage: kpio-wasm [--engine interp|jit] [--time] [--dump] [--max-pages N] "
                    "[--stack N] [--depth N] FILE.wasm --invoke NAME [ARGS...]\n");
    exit(1);
}

/*
 * Takes `--engine NAME` out of the options before the module (both modes
 * have their options there) and makes it the process default; argc is
 * updated. Options with a value are those of both modes.
 */
static void take_engine_option(int *argc, char **argv)
{
    static const char *const with_value[] = {"--dir",   "--env",   "--tcplisten", "--max-pages",
                                             "--stack", "--depth", NULL};
    const char *name = NULL;
    int out = 1;
    bool options = true;
    for (int i = 1; i < *argc; i++) {
        if (options && !strcmp(argv[i], "--engine") && i + 1 < *argc) {
            name = argv[++i];
            continue;
        }
        argv[out++] = argv[i];
        if (!options || argv[i][0] != '-') {
            options = false;
            continue;
        }
        for (int k = 0; with_value[k]; k++)
            if (!strcmp(argv[i], with_value[k]) && i + 1 < *argc) argv[out++] = argv[++i];
    }
    argv[out] = NULL;
    *argc = out;
    enum wasm_engine dflt = wasm_jit_supported() ? WASM_ENGINE_JIT : WASM_ENGINE_INTERP;
    if (host_engine_select(name, dflt, NULL)) {
        fprintf(stderr, "kpio-wasm: unknown engine \"%s\" (interp or jit)\n", name);
        exit(1);
    }
}

static uint32_t parse_u32_option(const char *s)
{
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    if (*end || v > UINT32_MAX) usage();
    return (uint32_t)v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    wasm_config_default(&o->cfg);
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--time"))
            o->time = true;
        else if (!strcmp(a, "--dump"))
            o->dump = true;
        else if (!strncmp(a, "--dump-jit=", 11))
            o->dump_jit = a + 11;
        else if (!strcmp(a, "--max-pages") && i + 1 < argc)
            o->cfg.max_memory_pages = parse_u32_option(argv[++i]);
        else if (!strcmp(a, "--stack") && i + 1 < argc)
            o->cfg.value_stack_slots = parse_u32_option(argv[++i]);
        else if (!strcmp(a, "--depth") && i + 1 < argc)
            o->cfg.max_call_depth = parse_u32_option(argv[++i]);
        else if (!strcmp(a, "--invoke") && i + 1 < argc && o->path) {
            o->invoke = argv[++i];
            o->args = argv + i + 1;
            o->nargs = argc - i - 1;
            return;
        } else if (a[0] != '-' && !o->path)
            o->path = a;
        else
            usage();
    }
    if ((!o->dump && !o->dump_jit) || !o->path) usage();
}

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
static int mode_invoke(struct wasm_instance *inst, const struct options *o)
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
bool run_wasi_selected(int argc, char **argv);
int run_wasi_main(int argc, char **argv);

int main(int argc, char **argv)
{
    take_engine_option(&argc, argv);
    if (run_wasi_selected(argc, argv)) return run_wasi_main(argc, argv);
    struct options o = {0};
    parse_options(argc, argv, &o);
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
        fprintf(stderr, "kpio-wasm: " COMP_NOT_YET "\n", o.path);
        free(bytes);
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
