/*
 * tests/fuzz/fuzz_wasm_jit_store.c - libFuzzer target: wasm_module_jit_load
 * (lib/wasm/jit_store.c) given arbitrary bytes as a module's cached machine
 * code. The module is fixed (below: an import, a memory, a table, a global,
 * call_indirect, memory.grow, so its code has relocations of most kinds).
 * The first input byte chooses how the rest is used: 0 as it is (the
 * checksum stops nearly everything), 1 with the key (magic, format, engine,
 * ABI, CPU, module hash: the first 64 bytes) taken from the real saved code
 * and the checksum made right, so the mutations reach the size, offset and
 * index checks. Loading must refuse or accept without a crash or sanitizer
 * report; accepted bytes are run only when they are the real code (other
 * accepted bytes are code the fuzzer wrote: checked, not run).
 *
 * With KPIO_FUZZ_SEEDS=DIR in the environment it writes its seeds (the real
 * code in both modes, and a truncated copy) into DIR and exits: they depend
 * on the engine build, so the build makes them (tests/fuzz/module.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "host/kpio-wasm/jit_mem.h"
#include "wasm/jit.h"
#include "wasm/wasm.h"

#define KEY_BYTES 64

/* (module (import "env" "f" (func (param i32) (result i32))) (memory 1 4)
 *  (table 2 funcref) (global (mut i32) 3) (elem (i32.const 0) $a) (data "hi")
 *  (func $a (param i32) (result i32) local.get 0 + global)
 *  (func (export "run") (param i32) (result i32)
 *    memory.grow 1, drop; f(x) + call_indirect $a(x))) */
static const uint8_t module_bytes[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00, 0x03, 0x03, 0x02, 0x00, 0x00,
    0x04, 0x04, 0x01, 0x70, 0x00, 0x02, 0x05, 0x04, 0x01, 0x01, 0x01, 0x04, 0x06, 0x06, 0x01, 0x7f,
    0x01, 0x41, 0x03, 0x0b, 0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x02, 0x09, 0x07, 0x01,
    0x00, 0x41, 0x00, 0x0b, 0x01, 0x01, 0x0a, 0x1d, 0x02, 0x07, 0x00, 0x20, 0x00, 0x23, 0x00, 0x6a,
    0x0b, 0x13, 0x00, 0x41, 0x01, 0x40, 0x00, 0x1a, 0x20, 0x00, 0x10, 0x00, 0x20, 0x00, 0x41, 0x00,
    0x11, 0x00, 0x00, 0x6a, 0x0b, 0x0b, 0x05, 0x01, 0x01, 0x02, 0x68, 0x69,
};

static uint8_t *real;
static size_t real_len;

static int host_f(struct wasm_host_call *call, const wasm_value *args, wasm_value *results)
{
    (void)call;
    results[0].i32 = args[0].i32 * 2;
    return 0;
}

static int resolve(void *ctx, const struct wasm_import *imp, struct wasm_extern *out)
{
    (void)ctx, (void)imp;
    wasm_extern_host(out, "(i)i", host_f, NULL);
    return 0;
}

static struct wasm_module *module(void)
{
    struct wasm_module *m = NULL;
    struct wasm_error err;
    if (wasm_module_load(module_bytes, sizeof module_bytes, &m, &err)) abort();
    return m;
}

/* An instance of m on the JIT, run once: run(5) = 5 * 2 + 5 + 3. */
static void run(struct wasm_module *m)
{
    struct wasm_config cfg;
    wasm_config_default(&cfg);
    cfg.engine = WASM_ENGINE_JIT;
    cfg.code_mem = &host_code_memory;
    struct wasm_instance *inst;
    struct wasm_error err;
    struct wasm_trap trap;
    if (wasm_instance_new(m, &cfg, resolve, NULL, &inst, &err, &trap)) abort();
    wasm_value arg = {.i32 = 5}, res;
    struct wasm_func *f = wasm_instance_func(inst, "run");
    if (!f || wasm_call(f, &arg, 1, &res, 1, &trap) || res.i32 != 18) abort();
    wasm_instance_free(inst);
}

static void write_seed(const char *dir, const char *name, uint8_t mode, const uint8_t *b, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(&mode, 1, 1, f) != 1 || fwrite(b, 1, n, f) != n) abort();
    fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    struct wasm_module *m = module();
    run(m);
    if (wasm_module_jit_save(m, &real, &real_len)) abort();
    wasm_module_free(m);
    const char *dir = getenv("KPIO_FUZZ_SEEDS");
    if (dir) {
        write_seed(dir, "raw", 0, real, real_len);
        write_seed(dir, "keyed", 1, real, real_len);
        write_seed(dir, "short", 1, real, real_len / 2);
        exit(0);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t n = size - 1;
    uint8_t *b = malloc(n ? n : 1);
    if (!b) return 0;
    memcpy(b, data + 1, n);
    if (data[0] == 1 && n >= KEY_BYTES + 8) {
        memcpy(b, real, KEY_BYTES);
        uint64_t sum = jit_store_checksum(b, n - 8);
        memcpy(b + n - 8, &sum, 8);
    }
    struct wasm_module *m = module();
    int rc = wasm_module_jit_load(m, b, n);
    if (rc != 0 && rc != ERR_INVAL) abort();
    /* refused: the module compiles as usual; accepted: run if it is ours */
    if (rc || (n == real_len && !memcmp(b, real, n))) run(m);
    wasm_module_free(m);
    free(b);
    return 0;
}
