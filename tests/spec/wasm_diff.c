/*
 * tests/spec/wasm_diff.c - one side of the differential test against V8
 * (tests/spec/wasm_diff.cjs is the other): instantiates a module without
 * imports and calls each exported function, in export order, with
 * ROUNDS argument vectors; prints one line per call:
 *
 *   NAME#K: i32:5 i64:18446744073709551615 f32:0x3f800000 f64:nan
 *   NAME#K: trap
 *
 * Argument K of parameter i is ARGS_<type>[(K * 3 + i) % n], the same
 * tables as in wasm_diff.js. Floats print as bits, NaN as "nan" (JS does
 * not promise to keep NaN payloads).
 *
 *   wasm_diff [-e interp|jit|jit-baseline] FILE.wasm...
 *       each file's lines follow a line "== FILE"; jit-baseline is the JIT
 *       without SSE4.1 and POPCNT (disasm.h)
 *
 * With -e jit an instance the JIT gave back to the interpreter prints a
 * line V8 cannot match ("engine: interp"), so the comparison fails.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "host/kpio-wasm/jit_mem.h"
#include "wasm/disasm.h"
#include "wasm/wasm.h"

static enum wasm_engine engine;

#define ROUNDS 4

static const uint32_t args_i32[] = {0,           1,           0xffffffffu, 7,
                                    0x7fffffffu, 0x80000000u, 123456,      0xfffffffbu};
static const uint64_t args_i64[] = {0,
                                    1,
                                    UINT64_MAX,
                                    7,
                                    0x7fffffffffffffffull,
                                    0x8000000000000000ull,
                                    1234567890123ull,
                                    0xfffffffffffffffbull};
static const uint32_t args_f32[] = {0x00000000u, 0x3f800000u, 0xbfc00000u, 0x7f800000u,
                                    0x4f000000u, 0x80000000u, 0x42f6e979u, 0x00000001u};
static const uint64_t args_f64[] = {
    0x0000000000000000ull, 0x3ff0000000000000ull, 0xbff8000000000000ull, 0x7ff0000000000000ull,
    0x43e0000000000000ull, 0x8000000000000000ull, 0x405edd2f1a9fbe77ull, 0x0000000000000001ull};

#define PICK(tab, k) (tab)[(k) % (sizeof(tab) / sizeof((tab)[0]))]

static void print_value(uint8_t t, wasm_value v)
{
    switch (t) {
    case WASM_I32: printf(" i32:%" PRIu32, v.u32); break;
    case WASM_I64: printf(" i64:%" PRIu64, v.u64); break;
    case WASM_F32:
        if ((v.u32 & 0x7fffffffu) > 0x7f800000u)
            printf(" f32:nan");
        else
            printf(" f32:0x%08" PRIx32, v.u32);
        break;
    case WASM_F64:
        if ((v.u64 & 0x7fffffffffffffffull) > 0x7ff0000000000000ull)
            printf(" f64:nan");
        else
            printf(" f64:0x%016" PRIx64, v.u64);
        break;
    default: printf(" ref"); break;
    }
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = buf ? fread(buf, 1, (size_t)(n > 0 ? n : 0), f) : 0;
    fclose(f);
    return buf;
}

/* Runs one module; returns 0, or 1 if it did not load or instantiate. */
static int run_module(const char *path)
{
    size_t len;
    uint8_t *bytes = read_file(path, &len);
    struct wasm_module *mod;
    struct wasm_instance *inst;
    struct wasm_error err;
    if (!bytes || wasm_module_load(bytes, len, &mod, &err)) {
        printf("load failed: %s\n", bytes ? err.msg : "cannot read");
        free(bytes);
        return 1;
    }
    free(bytes);
    struct wasm_config cfg;
    wasm_config_default(&cfg);
    cfg.max_call_depth = 2000;
    if (wasm_instance_new(mod, &cfg, NULL, NULL, &inst, &err, NULL)) {
        printf("instantiation failed: %s\n", err.msg);
        wasm_instance_free(inst);
        wasm_module_free(mod);
        return 1;
    }
    if (wasm_instance_engine(inst) != engine)
        printf("engine: %s\n", wasm_engine_name(wasm_instance_engine(inst)));
    for (uint32_t e = 0; e < wasm_module_export_count(mod); e++) {
        enum wasm_extern_kind kind;
        const char *name = wasm_module_export(mod, e, &kind);
        struct wasm_func *f = kind == WASM_EXTERN_FUNC ? wasm_instance_func(inst, name) : NULL;
        if (!f) continue;
        const struct wasm_functype *t = wasm_func_type(f);
        wasm_value args[16], res[16];
        if (t->nparams > 16 || t->nresults > 16) continue;
        for (uint32_t k = 0; k < ROUNDS; k++) {
            for (uint32_t i = 0; i < t->nparams; i++) {
                uint32_t j = k * 3 + i;
                args[i].u64 = 0;
                switch (t->params[i]) {
                case WASM_I32: args[i].u32 = PICK(args_i32, j); break;
                case WASM_I64: args[i].u64 = PICK(args_i64, j); break;
                case WASM_F32: args[i].u32 = PICK(args_f32, j); break;
                case WASM_F64: args[i].u64 = PICK(args_f64, j); break;
                }
            }
            struct wasm_trap trap;
            printf("%s#%u:", name, k);
            if (wasm_call(f, args, t->nparams, res, t->nresults, &trap)) {
                printf(" trap\n");
                continue;
            }
            for (uint32_t i = 0; i < t->nresults; i++)
                print_value(t->results[i], res[i]);
            printf("\n");
        }
    }
    wasm_instance_free(inst);
    wasm_module_free(mod);
    return 0;
}

int main(int argc, char **argv)
{
    int failed = 0, first = 1;
    const char *name = NULL;
    if (argc > 2 && !strcmp(argv[1], "-e")) {
        name = argv[2];
        first = 3;
    }
    bool baseline = name && !strcmp(name, "jit-baseline");
    if (argc <= first || host_engine_select(baseline ? "jit" : name, WASM_ENGINE_INTERP, &engine)) {
        fprintf(stderr, "usage: wasm_diff [-e interp|jit|jit-baseline] FILE.wasm...\n");
        return 2;
    }
    wasm_jit_baseline_cpu(baseline);
    for (int i = first; i < argc; i++) {
        const char *base = strrchr(argv[i], '/');
        printf("== %s\n", base ? base + 1 : argv[i]);
        failed |= run_module(argv[i]);
    }
    return failed;
}
