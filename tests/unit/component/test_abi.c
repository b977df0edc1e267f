/*
 * tests/unit/component/test_abi.c - the general canonical ABI
 * (lib/component/abi.c) and WAVE (host/kpio-wasm/wave.c) on hand-built
 * types: every WIT kind written in WAVE, lowered into memory and lifted
 * back, and flattened and lifted back, must print as the same WAVE; a few
 * layouts and flattenings worked out by hand (CanonicalABI.md); the
 * string encodings utf16 and latin1+utf16; malformed memory (bounds,
 * alignment, discriminants, chars, UTF-8, UTF-16 surrogates) traps with
 * its reason; bad WAVE fails with its column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "component/abi.h"
#include "component/component.h"
#include "component/resource.h"
#include "host/kpio-wasm/wave.h"
#include "tests/unit/component/abi_types.h"
#include "wasm/wasm.h"

static struct comp *c;
static uint8_t component[sizeof abi_types + 16];

static uint32_t type_id(unsigned i)
{
    return c->root->space[COMP_TYPE][i].type;
}

static int setup(void **state)
{
    (void)state;
    struct comp_error err;
    int rc = abi_types_load(component, &c, &err);
    if (rc) fprintf(stderr, "load: %s\n", err.msg);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    comp_free(c);
    return 0;
}

/* A context over a fresh one-page memory, allocating from 1024 up. */
struct env {
    struct wasm_memory *mem;
    struct comp_arena arena;
    struct wasm_trap trap;
    struct comp_cx cx;
};

static void env_init(struct env *e, uint8_t encoding)
{
    memset(e, 0, sizeof *e);
    e->mem = wasm_memory_new(1, 4);
    assert_non_null(e->mem);
    e->cx = (struct comp_cx){.c = c,
                             .mem = e->mem,
                             .bump = 1024,
                             .encoding = encoding,
                             .arena = &e->arena,
                             .trap = &e->trap};
}

static void env_free(struct env *e)
{
    comp_arena_free(&e->arena);
    wasm_memory_free(e->mem);
}

static void parse(struct env *e, unsigned type, const char *text, struct comp_val *v)
{
    char err[200];
    if (wave_parse(c, type_id(type), text, &e->arena, v, err, sizeof err))
        fail_msg("wave_parse(%u, %s): %s", type, text, err);
}

static void expect_print(const struct comp_val *v, const char *want)
{
    char *got = wave_print(c, v);
    assert_non_null(got);
    if (strcmp(got, want)) fail_msg("printed %s, want %s", got, want);
    free(got);
}

/* text through memory and through flat values, in the encoding. */
static void round_trip(unsigned type, const char *text, uint8_t encoding)
{
    struct env e;
    env_init(&e, encoding);
    struct comp_val v, back;
    parse(&e, type, text, &v);
    expect_print(&v, text);
    uint32_t ptr = 64;
    if (comp_abi_store(&e.cx, &v, ptr)) fail_msg("store %s: %s", text, e.trap.reason);
    if (comp_abi_load(&e.cx, type_id(type), ptr, &back))
        fail_msg("load %s: %s", text, e.trap.reason);
    expect_print(&back, text);
    const struct comp_type *t = comp_type_get(c, type_id(type));
    if (t->flat_n <= COMP_MAX_FLAT) {
        wasm_value flat[COMP_MAX_FLAT];
        uint32_t n = 0, m = 0;
        if (comp_abi_lower_flat(&e.cx, &v, flat, &n)) fail_msg("lower %s: %s", text, e.trap.reason);
        assert_int_equal(n, t->flat_n);
        if (comp_abi_lift_flat(&e.cx, type_id(type), flat, &m, &back))
            fail_msg("lift %s: %s", text, e.trap.reason);
        assert_int_equal(m, n);
        expect_print(&back, text);
    }
    env_free(&e);
}

static void test_round_trips(void **state)
{
    (void)state;
    static const struct {
        unsigned type;
        const char *text;
    } cases[] = {
        {2,
         "{a: 255, b: \"h\xc3\xa9llo\\n\\\"q\\\"\\t\", c: [('x', 1.5), ('\xf0\x9f\x98\x80', -0), "
         "('\\'', nan), ('a', 340282350000000000000000000000000000000)]}"},
        {2, "{a: 0, b: \"\", c: []}"},
        {3, "a(0.1)"},
        {3, "b(18446744073709551615)"},
        {3, "c"},
        {4, "some(-32768)"},
        {4, "none"},
        {5, "ok(\"\\u{7}\")"},
        {5, "err(7)"},
        {6, "{read, exec}"},
        {6, "{}"},
        {7, "file"},
        {8, "[\"a\", \"\", \"\xc3\xbcn\xc3\xaf\"]"},
        {8, "[]"},
        {9, "(true, -128, 65535, -2147483648, 4294967295, -9223372036854775808, "
            "18446744073709551615, 0.000025)"},
        {9, "(false, 0, 0, 0, 0, 0, 0, -inf)"},
        {11, "some(some(0))"},
        {11, "some(none)"},
        {11, "none"},
        {12, "ok"},
        {12, "err"},
        {13, "%true"},
        {15, "{name: \"x\", nick: some(\"y\")}"},
        {15, "{name: \"x\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (uint8_t enc = COMP_UTF8; enc <= COMP_LATIN1_UTF16; enc++)
            round_trip(cases[i].type, cases[i].text, enc);
}

/* Parsing accepts more than printing writes: the printed form is the
 * canonical one. */
static void test_wave_forms(void **state)
{
    (void)state;
    static const struct {
        unsigned type;
        const char *in, *out;
    } cases[] = {
        {4, "  -5 ", "some(-5)"},  /* a bare some */
        {5, "\"x\"", "ok(\"x\")"}, /* a bare ok */
        {15, "{nick: none, name: \"n\",}", "{name: \"n\"}"},
        {14, "some(\"a\")", "some(\"a\")"},
        {0, "('\\u{41}', 1e3)", "('A', 1000)"},
        {0, "('b', 1.0000001)", "('b', 1.0000001)"},
        {8, "[\"a\", // a comment\n \"b\"]", "[\"a\", \"b\"]"},
        {6, "{exec, read}", "{read, exec}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct env e;
        env_init(&e, COMP_UTF8);
        struct comp_val v;
        parse(&e, cases[i].type, cases[i].in, &v);
        expect_print(&v, cases[i].out);
        env_free(&e);
    }
}

static void test_wave_errors(void **state)
{
    (void)state;
    static const struct {
        unsigned type;
        const char *in, *err;
    } cases[] = {
        {2, "{a: 256, b: \"\", c: []}", "column 5: integer out of range for u8"},
        {2, "{a: 1, b: \"x\"}", "column 15: field c missing"},
        {2, "{a: 1, b: \"x\", d: 1}", "column 16: the record has no field d"},
        {2, "{a: 1, a: 2}", "field a given twice"},
        {8, "[\"a\",", "column 6: expected a string"},
        {8, "[\"a\" \"b\"]", "column 6: expected ',' or ']'"},
        {8, "[\"\\q\"]", "column 4: unknown escape '\\q'"},
        {8, "[\"abc", "unterminated string"},
        {3, "circle(1)", "column 1: no case circle in this variant"},
        {3, "a", "case a needs a payload"},
        {3, "c(1)", "case c has no payload"},
        {13, "true", "write %true"},
        {0, "('ab', 1)", "column 4: expected ' to end the char"},
        {0, "('\\u{d800}', 1)", "not a Unicode scalar value"},
        {0, "('a', 1e39)", "out of range for f32"},
        {0, "('a', .5)", "column 7: expected a f32"},
        {0, "('a')", "2 values expected, 1 given"},
        {0, "('a', 1, 2)", "more given"},
        {9, "(maybe", "expected true or false"},
        {7, "dir extra", "column 5: unexpected text after the value"},
        {8, "[\"\xff\"]", "not valid UTF-8"},
        {6, "{read, read}", "flag read given twice"},
        {11, "some(some(some(1)))", "expected a u8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct env e;
        env_init(&e, COMP_UTF8);
        struct comp_val v;
        char err[200] = "";
        int rc = wave_parse(c, type_id(cases[i].type), cases[i].in, &e.arena, &v, err, sizeof err);
        if (rc != -1 || !strstr(err, cases[i].err))
            fail_msg("%s: got %d \"%s\", want \"%s\"", cases[i].in, rc, err, cases[i].err);
        env_free(&e);
    }
}

static uint32_t rd32(struct env *e, uint32_t at)
{
    uint32_t v;
    assert_int_equal(wasm_memory_read(e->mem, at, &v, 4), 0);
    return v;
}

static void wr(struct env *e, uint32_t at, const void *p, size_t n)
{
    assert_int_equal(wasm_memory_write(e->mem, at, p, n), 0);
}

/* Layouts and flattenings worked out by hand from CanonicalABI.md. */
static void test_layouts(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, COMP_UTF8);
    struct comp_val v;
    parse(&e, 2, "{a: 7, b: \"abc\", c: [('z', 2)]}", &v);
    assert_int_equal(comp_abi_store(&e.cx, &v, 0), 0);
    /* a: u8 at 0; b: (ptr, len) at 4; c: (ptr, len) at 12; size 20 */
    assert_int_equal(comp_abi_size(c, type_id(2)), 20);
    assert_int_equal(rd32(&e, 0) & 0xff, 7);
    assert_int_equal(rd32(&e, 8), 3);
    assert_int_equal(rd32(&e, 16), 1);
    uint32_t list = rd32(&e, 12);
    assert_int_equal(list % 4, 0);
    assert_int_equal(rd32(&e, list), 'z');
    assert_int_equal(rd32(&e, list + 4), 0x40000000); /* 2.0f */
    /* variant {a(f32), b(u64), c}: [i32 case, i64 joined payload] */
    wasm_value flat[4];
    uint32_t n = 0;
    parse(&e, 3, "a(1.5)", &v);
    assert_int_equal(comp_abi_lower_flat(&e.cx, &v, flat, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(flat[0].u32, 0);
    assert_true(flat[1].u64 == 0x3fc00000u);
    /* the payload's upper half is dropped when it is lifted as f32 */
    flat[1].u64 |= 0xabcd000000000000ull;
    n = 0;
    assert_int_equal(comp_abi_lift_flat(&e.cx, type_id(3), flat, &n, &v), 0);
    expect_print(&v, "a(1.5)");
    /* variant in memory: case byte at 0, payload at 8 (u64 alignment) */
    parse(&e, 3, "b(5)", &v);
    assert_int_equal(comp_abi_store(&e.cx, &v, 32), 0);
    assert_int_equal(comp_abi_size(c, type_id(3)), 16);
    assert_int_equal(rd32(&e, 32) & 0xff, 1);
    assert_int_equal(rd32(&e, 40), 5);
    /* option<option<u8>> flattens to [i32, i32, i32] */
    assert_int_equal(comp_type_get(c, type_id(11))->flat_n, 3);
    env_free(&e);
}

/* utf16 and latin1+utf16 in memory (CanonicalABI.md store_string). */
static void test_encodings(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, COMP_UTF16);
    struct comp_val v;
    parse(&e, 8, "[\"a\xf0\x9f\x98\x80\xc3\xa9\"]", &v);
    assert_int_equal(comp_abi_store(&e.cx, &v, 0), 0);
    uint32_t s = rd32(&e, rd32(&e, 0)), len = rd32(&e, rd32(&e, 0) + 4);
    assert_int_equal(len, 4); /* a, a surrogate pair, é */
    assert_int_equal(rd32(&e, s + 4) & 0xffff, 0xde00);
    env_free(&e);

    env_init(&e, COMP_LATIN1_UTF16);
    parse(&e, 8, "[\"h\xc3\xa9llo\", \"\xe2\x98\x83x\"]", &v);
    assert_int_equal(comp_abi_store(&e.cx, &v, 0), 0);
    uint32_t list = rd32(&e, 0);
    assert_int_equal(rd32(&e, list + 4), 5);                 /* Latin-1 */
    assert_int_equal(rd32(&e, list + 12), 2u | 0x80000000u); /* UTF-16, tagged */
    struct comp_val back;
    assert_int_equal(comp_abi_load(&e.cx, type_id(8), 0, &back), 0);
    expect_print(&back, "[\"h\xc3\xa9llo\", \"\xe2\x98\x83x\"]");
    env_free(&e);
}

/* Bad data in memory: each traps with its reason. */
static void expect_trap(struct env *e, unsigned type, uint32_t ptr, const char *want)
{
    struct comp_val v;
    int rc = comp_abi_load(&e->cx, type_id(type), ptr, &v);
    if (rc != ERR_FAULT || !strstr(e->trap.reason, want))
        fail_msg("got %d \"%s\", want a trap \"%s\"", rc, rc ? e->trap.reason : "", want);
    assert_int_equal(e->trap.kind, WASM_TRAP_HOST);
}

static void test_traps(void **state)
{
    (void)state;
    struct env e;
    env_init(&e, COMP_UTF8);
    uint32_t w[4] = {0xfffff000u, 2, 0, 0};
    wr(&e, 0, w, 8);
    expect_trap(&e, 8, 0, "list at 4294963200 (16 bytes) is out of bounds");
    w[0] = 100, w[1] = 0x20000000; /* 2^29 strings of 8 bytes */
    wr(&e, 0, w, 8);
    expect_trap(&e, 8, 0, "out of bounds");
    w[0] = 0xd800, w[1] = 0;
    wr(&e, 16, w, 8);
    expect_trap(&e, 0, 16, "char 0xd800 is not a Unicode scalar value");
    w[0] = 3;
    wr(&e, 32, w, 16);
    expect_trap(&e, 3, 32, "variant case 3 is out of range (3 cases)");
    w[0] = 2;
    wr(&e, 32, w, 4);
    expect_trap(&e, 7, 32, "enum case 2 is out of range");
    uint8_t bad[2] = {0xc3, 0x28};
    wr(&e, 200, bad, 2);
    w[0] = 200, w[1] = 2;
    wr(&e, 48, w, 8);
    wr(&e, 44, (uint32_t[]){1}, 4);
    expect_trap(&e, 14, 44, "string at 200 is not valid UTF-8"); /* option<string>: case at 44 */
    expect_trap(&e, 2, 2, "is not 4-byte aligned");
    expect_trap(&e, 8, 65536 - 4, "out of bounds");
    env_free(&e);

    env_init(&e, COMP_UTF16);
    uint16_t units[2] = {0xd800, 0x41};
    wr(&e, 200, units, 4);
    w[0] = 200, w[1] = 2;
    wr(&e, 0, w, 8);
    wr(&e, 8, (uint32_t[]){0, 1}, 8);
    expect_trap(&e, 8, 8, "unpaired UTF-16 surrogate 0xd800");
    w[0] = 201;
    wr(&e, 0, w, 8);
    expect_trap(&e, 8, 8, "string at 201 is not 2-byte aligned");
    env_free(&e);

    /* a bad case in flat values, and an invalid char */
    env_init(&e, COMP_UTF8);
    wasm_value flat[3] = {{.u32 = 9}, {.u64 = 0}, {.u32 = 0}};
    struct comp_val v;
    uint32_t n = 0;
    assert_int_equal(comp_abi_lift_flat(&e.cx, type_id(3), flat, &n, &v), ERR_FAULT);
    assert_non_null(strstr(e.trap.reason, "variant case 9 is out of range"));
    flat[0].u32 = 0x110000;
    n = 0;
    assert_int_equal(comp_abi_lift_flat(&e.cx, COMP_PRIM(0x74), flat, &n, &v), ERR_FAULT);
    assert_non_null(strstr(e.trap.reason, "char 0x110000"));
    env_free(&e);
}

/* The handle tables' rules (resource.h), a host table lending to a call
 * into a component's table as abi.c drives them; resource type ids are
 * arbitrary numbers here. */
#define RT 7
#define EXPECT_TRAP(call, text)                                                                    \
    do {                                                                                           \
        assert_int_equal((call), ERR_FAULT);                                                       \
        if (!strstr(trap.reason, text)) fail_msg("trap \"%s\", not \"%s\"", trap.reason, text);    \
    } while (0)

static void test_handles(void **state)
{
    (void)state;
    struct comp_handles host = {0}, comp = {0};
    struct comp_call_scope scope = {0};
    struct wasm_trap trap;
    struct comp_handle *h = NULL;
    uint32_t a, b, rep, idx;
    bool dtor;
    /* indices start at 1 and are reused, last freed first */
    assert_int_equal(comp_handle_add(&host, RT, 100, true, NULL, &a, &trap), 0);
    assert_int_equal(comp_handle_add(&host, RT, 200, true, NULL, &b, &trap), 0);
    assert_int_equal(a, 1);
    assert_int_equal(b, 2);
    EXPECT_TRAP(comp_handle_get(&host, RT, 0, "resource.rep", &h, &trap), "handle 0 is not in");
    EXPECT_TRAP(comp_handle_get(&host, RT, 3, "resource.rep", &h, &trap), "handle 3 is not in");
    EXPECT_TRAP(comp_handle_get(&host, RT + 1, 1, "resource.rep", &h, &trap),
                "handle 1 is of another resource type");
    /* a borrow of own handle a lent to a call: a may not move or drop */
    assert_int_equal(comp_handle_lift_borrow(&host, RT, a, &scope, &rep, &trap), 0);
    assert_int_equal(rep, 100);
    assert_int_equal(comp_handle_lower_borrow(&comp, RT, rep, false, &scope, &idx, &trap), 0);
    EXPECT_TRAP(comp_handle_lift_own(&host, RT, a, &rep, &trap), "moved while lent to 1 call");
    EXPECT_TRAP(comp_handle_drop(&host, RT, a, &dtor, &rep, &trap), "still lent to 1 call");
    EXPECT_TRAP(comp_handle_lift_own(&comp, RT, idx, &rep, &trap), "is a borrow, passed as own");
    /* the borrow outlives its call: the end of the call traps, and lends end */
    EXPECT_TRAP(comp_call_scope_end(&scope, &trap), "1 borrow handle(s) still in the table");
    assert_int_equal(comp_handle_get(&comp, RT, idx, "x", &h, &trap), 0);
    assert_null(h->scope);
    /* dropped in time: the call ends cleanly, and the owner can go */
    assert_int_equal(comp_handle_lift_borrow(&host, RT, b, &scope, &rep, &trap), 0);
    assert_int_equal(comp_handle_lower_borrow(&comp, RT, rep, false, &scope, &idx, &trap), 0);
    assert_int_equal(comp_handle_drop(&comp, RT, idx, &dtor, &rep, &trap), 0);
    assert_false(dtor);
    assert_int_equal(comp_call_scope_end(&scope, &trap), 0);
    assert_int_equal(comp_handle_drop(&host, RT, b, &dtor, &rep, &trap), 0);
    assert_true(dtor);
    assert_int_equal(rep, 200);
    EXPECT_TRAP(comp_handle_drop(&host, RT, b, &dtor, &rep, &trap), "handle 2 is not in");
    /* the implementer gets the rep itself, and nothing to drop */
    assert_int_equal(comp_handle_lower_borrow(&comp, RT, 100, true, &scope, &idx, &trap), 0);
    assert_int_equal(idx, 100);
    assert_int_equal(comp_call_scope_end(&scope, &trap), 0);
    assert_int_equal(comp_handle_lift_own(&host, RT, a, &rep, &trap), 0);
    assert_int_equal(comp_handle_add(&host, RT, 300, true, NULL, &b, &trap), 0);
    assert_int_equal(b, 1); /* a's slot, freed last */
    comp_handles_free(&host);
    comp_handles_free(&comp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips), cmocka_unit_test(test_wave_forms),
        cmocka_unit_test(test_wave_errors), cmocka_unit_test(test_layouts),
        cmocka_unit_test(test_encodings),   cmocka_unit_test(test_traps),
        cmocka_unit_test(test_handles),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
