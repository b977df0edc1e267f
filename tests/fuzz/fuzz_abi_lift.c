/*
 * tests/fuzz/fuzz_abi_lift.c - libFuzzer target: the canonical ABI's
 * lifting of arbitrary memory and flat values (lib/component/abi.c) and
 * WAVE (host/kpio-wasm/wave.c), over a type of every WIT kind
 * (tests/unit/component/abi_types.h). The input:
 *
 *   byte 0   the type (mod ABI_NTYPES)
 *   byte 1   bits 0-1: the string encoding; bit 7: the rest is WAVE text
 *   rest     the linear memory (one page) and flat values, or the text
 *
 * Lifting must succeed or trap with a "canonical ABI: " reason; a lifted
 * or parsed value must print as WAVE that parses back to a value printing
 * the same, and store into memory and load back to the same text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "component/abi.h"
#include "host/kpio-wasm/wave.h"
#include "tests/unit/component/abi_types.h"

#define PAGE 65536

static struct comp *c;
static uint8_t comp_bytes[sizeof abi_types + 16];
static struct wasm_memory *mem;

static void check_trap(int rc, const struct wasm_trap *trap)
{
    if (rc && (rc != ERR_FAULT || strncmp(trap->reason, "canonical ABI: ", 15))) abort();
}

/* v prints as WAVE that parses back (as type) to the same text, and goes
 * through memory unchanged. */
static void check_value(uint32_t type, const struct comp_val *v, uint8_t encoding)
{
    char *text = wave_print(c, v);
    if (!text) abort();
    struct comp_arena a = {0};
    struct comp_val back;
    char err[200];
    if (wave_parse(c, type, text, &a, &back, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", text, err);
        abort();
    }
    char *again = wave_print(c, &back);
    if (!again || strcmp(text, again)) abort();
    struct wasm_trap trap;
    struct comp_cx cx = {
        .c = c, .mem = mem, .bump = PAGE / 2, .encoding = encoding, .arena = &a, .trap = &trap};
    int rc = comp_abi_store(&cx, &back, 0);
    check_trap(rc, &trap); /* only "out of memory" for large values */
    if (rc == 0) {
        if (comp_abi_load(&cx, type, 0, &back)) abort();
        char *stored = wave_print(c, &back);
        if (!stored || strcmp(stored, text)) abort();
        free(stored);
    }
    free(again);
    free(text);
    comp_arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!c) {
        struct comp_error err;
        if (abi_types_load(comp_bytes, &c, &err)) abort();
        mem = wasm_memory_new(1, 1);
        if (!mem) abort();
    }
    if (size < 2) return 0;
    uint32_t type = c->root->space[COMP_TYPE][data[0] % ABI_NTYPES].type;
    uint8_t encoding = data[1] & 3;
    if (encoding > COMP_LATIN1_UTF16) return 0;
    struct comp_arena a = {0};
    struct comp_val v;
    if (data[1] & 0x80) {
        char *text = malloc(size - 1);
        if (!text) return 0;
        memcpy(text, data + 2, size - 2);
        text[size - 2] = 0;
        char err[200];
        if (wave_parse(c, type, text, &a, &v, err, sizeof err) == 0)
            check_value(type, &v, encoding);
        else if (strncmp(err, "column ", 7))
            abort();
        free(text);
        comp_arena_free(&a);
        return 0;
    }
    uint8_t *m = wasm_memory_data(mem);
    memset(m, 0, PAGE);
    memcpy(m, data + 2, size - 2 < PAGE ? size - 2 : PAGE);
    struct wasm_trap trap;
    struct comp_cx cx = {
        .c = c, .mem = mem, .bump = PAGE / 2, .encoding = encoding, .arena = &a, .trap = &trap};
    uint32_t ptr = 0;
    memcpy(&ptr, m, 4);
    ptr %= PAGE;
    int rc = comp_abi_load(&cx, type, ptr, &v);
    check_trap(rc, &trap);
    if (rc == 0) check_value(type, &v, encoding);
    wasm_value flat[COMP_MAX_FLAT];
    memcpy(flat, m + 8, sizeof flat);
    uint32_t n = 0;
    if (comp_type_get(c, type)->flat_n <= COMP_MAX_FLAT) {
        rc = comp_abi_lift_flat(&cx, type, flat, &n, &v);
        check_trap(rc, &trap);
        if (rc == 0 && n != comp_type_get(c, type)->flat_n) abort();
        if (rc == 0) check_value(type, &v, encoding);
    }
    comp_arena_free(&a);
    return 0;
}
