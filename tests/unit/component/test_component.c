/*
 * tests/unit/component/test_component.c - lib/component's loader and
 * validator: real components made by jco from the project's apps load, and
 * their embedded core modules load in lib/wasm; hand-built components (a
 * tiny byte builder below, Binary.md's encoding) check the recorded types
 * and each malformed or invalid form's error.
 *
 *   test_component DIR    DIR: make_components.py's output (or its SKIP)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "component/command.h"
#include "component/component.h"
#include "component/instance.h"
#include "wasm/wasm.h"

static const char *components_dir;

/* ---- the byte builder ------------------------------------------------- */

struct bb {
    uint8_t b[2048];
    size_t n;
};

static void put(struct bb *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->b);
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
static void u8(struct bb *b, uint8_t x)
{
    put(b, &x, 1);
}
static void bytes(struct bb *b, int n, ...)
{
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        u8(b, (uint8_t)va_arg(ap, int));
    va_end(ap);
}
static void leb(struct bb *b, uint32_t v)
{
    do {
        uint8_t x = v & 0x7f;
        v >>= 7;
        u8(b, x | (v ? 0x80 : 0));
    } while (v);
}
static void name(struct bb *b, const char *s)
{
    leb(b, (uint32_t)strlen(s));
    put(b, s, strlen(s));
}
/* An import/export name (nameattributes 0x00). */
static void xname(struct bb *b, const char *s)
{
    u8(b, 0x00);
    name(b, s);
}
static void section(struct bb *out, uint8_t id, const struct bb *payload)
{
    u8(out, id);
    leb(out, (uint32_t)payload->n);
    put(out, payload->b, payload->n);
}
static struct bb preamble(void)
{
    struct bb b = {.n = 0};
    bytes(&b, 8, 0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00);
    return b;
}

/* Loads b; returns the error code and leaves the message in msg. */
static char msg[256];
static int load(const struct bb *b, struct comp **out)
{
    struct comp_error err;
    struct comp *c = NULL;
    int rc = comp_load(b->b, b->n, &c, &err);
    snprintf(msg, sizeof msg, "%s", rc ? err.msg : "");
    if (out)
        *out = c;
    else
        comp_free(c);
    return rc;
}

#define EXPECT_ERR(b, code, text)                                                                  \
    do {                                                                                           \
        int rc_ = load(b, NULL);                                                                   \
        if (rc_ != (code) || !strstr(msg, text))                                                   \
            fail_msg("got %d \"%s\", want %d with \"%s\"", rc_, msg, (code), text);                \
    } while (0)

/* ---- preambles -------------------------------------------------------- */

static void test_header(void **state)
{
    (void)state;
    static const uint8_t mod[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
    static const uint8_t comp[8] = {0, 'a', 's', 'm', 0x0d, 0, 1, 0};
    static const uint8_t junk[8] = {'#', '!', '/', 'b', 'i', 'n', '/', 's'};
    assert_int_equal(comp_header(mod, 8), COMP_HEADER_MODULE);
    assert_int_equal(comp_header(comp, 8), COMP_HEADER_COMPONENT);
    assert_int_equal(comp_header(junk, 8), COMP_HEADER_NOT_WASM);
    assert_int_equal(comp_header(comp, 6), COMP_HEADER_UNKNOWN);
}

static void test_bad_preamble(void **state)
{
    (void)state;
    struct bb b = preamble();
    b.b[0] = 0x01;
    EXPECT_ERR(&b, ERR_BADMSG, "magic header not detected");
    b = preamble();
    b.b[4] = 0x01, b.b[6] = 0x00;
    EXPECT_ERR(&b, ERR_BADMSG, "a core module, not a component");
    b = preamble();
    b.b[4] = 0x0e;
    EXPECT_ERR(&b, ERR_BADMSG, "unknown component version 0x000e");
    b = preamble();
    b.b[6] = 0x02;
    EXPECT_ERR(&b, ERR_BADMSG, "unknown layer 0x0002");
    b.n = 5;
    EXPECT_ERR(&b, ERR_BADMSG, "magic header not detected");
    b = preamble();
    assert_int_equal(load(&b, NULL), 0); /* the empty component */
}

/* ---- sections --------------------------------------------------------- */

static void test_truncated_sections(void **state)
{
    (void)state;
    struct bb b = preamble(), p = {.n = 0};
    bytes(&p, 5, 0x01, 0x72, 0x01, 0x01, 'a'); /* record { a: ? } cut short */
    section(&b, 7, &p);
    EXPECT_ERR(&b, ERR_BADMSG, "type section, offset 15: unexpected end");
    b = preamble();
    bytes(&b, 3, 0x07, 0x20, 0x01); /* a 32-byte section with 1 byte */
    EXPECT_ERR(&b, ERR_BADMSG, "section 7 of 32 bytes runs past the end");
    b = preamble();
    p.n = 0;
    bytes(&p, 3, 0x01, 0x70, 0x73); /* list<string>, then a stray byte */
    u8(&p, 0x00);
    section(&b, 7, &p);
    EXPECT_ERR(&b, ERR_BADMSG, "section size mismatch");
    b = preamble();
    bytes(&b, 2, 0x0d, 0x00);
    EXPECT_ERR(&b, ERR_BADMSG, "unknown section id 13");
    b = preamble();
    p.n = 0;
    leb(&p, 1000000); /* a million types in 4 bytes */
    section(&b, 7, &p);
    EXPECT_ERR(&b, ERR_BADMSG, "vector of 1000000 elements is longer than its section");
}

/* A type section of value types with every WIT kind; checks what is
 * recorded. */
static void test_wit_kinds(void **state)
{
    (void)state;
    struct bb b = preamble(), p = {.n = 0};
    leb(&p, 11);
    bytes(&p, 3, 0x3f, 0x7f, 0x00); /* 0 resource (rep i32) */
    bytes(&p, 1, 0x72), leb(&p, 2), name(&p, "x"), u8(&p, 0x79), name(&p, "name"),
        u8(&p, 0x73); /* 1 record {x: u32, name: string} */
    bytes(&p, 1, 0x71), leb(&p, 2), name(&p, "none"), bytes(&p, 2, 0x00, 0x00), name(&p, "some"),
        bytes(&p, 3, 0x01, 0x01, 0x00);   /* 2 variant {none, some(record)} */
    bytes(&p, 2, 0x70, 0x73);             /* 3 list<string> */
    bytes(&p, 4, 0x6f, 0x02, 0x7e, 0x03); /* 4 tuple<u8, list<string>> */
    u8(&p, 0x6e), leb(&p, 3), name(&p, "read"), name(&p, "write"), name(&p, "exec"); /* 5 */
    u8(&p, 0x6d), leb(&p, 2), name(&p, "dir"), name(&p, "file");                     /* 6 enum */
    bytes(&p, 2, 0x6b, 0x06);             /* 7 option<enum> */
    bytes(&p, 4, 0x6a, 0x01, 0x03, 0x00); /* 8 result<list<string>> */
    bytes(&p, 2, 0x69, 0x00);             /* 9 own<resource> */
    bytes(&p, 2, 0x68, 0x00);             /* 10 borrow<resource> */
    section(&b, 7, &p);
    struct comp *c;
    assert_int_equal(load(&b, &c), 0);
    static const uint8_t kinds[] = {COMP_T_RESOURCE, COMP_T_RECORD, COMP_T_VARIANT, COMP_T_LIST,
                                    COMP_T_TUPLE,    COMP_T_FLAGS,  COMP_T_ENUM,    COMP_T_OPTION,
                                    COMP_T_RESULT,   COMP_T_OWN,    COMP_T_BORROW};
    assert_int_equal(c->root->count[COMP_TYPE], 11);
    for (unsigned i = 0; i < 11; i++) {
        const struct comp_type *t = comp_type_get(c, c->root->space[COMP_TYPE][i].type);
        assert_int_equal(t->kind, kinds[i]);
    }
    const struct comp_type *rec = comp_type_get(c, c->root->space[COMP_TYPE][1].type);
    assert_int_equal(rec->nfields, 2);
    assert_memory_equal(rec->fields[1].name.p, "name", 4);
    assert_int_equal(rec->fields[1].type, COMP_PRIM(COMP_PRIM_STRING));
    const struct comp_type *res = comp_type_get(c, c->root->space[COMP_TYPE][8].type);
    assert_int_equal(res->elem, c->root->space[COMP_TYPE][3].type);
    assert_int_equal(res->elem2, COMP_NONE);
    assert_true(comp_type_get(c, c->root->space[COMP_TYPE][10].type)->has_borrow);
    assert_false(comp_type_get(c, c->root->space[COMP_TYPE][9].type)->has_borrow);
    comp_free(c);
}

/* The canonical ABI's flattening (CanonicalABI.md flatten_variant's
 * join), worked out by hand. */
static void test_flatten(void **state)
{
    (void)state;
    struct bb b = preamble(), p = {.n = 0};
    u8(&p, 5);
    u8(&p, 0x71), leb(&p, 2), name(&p, "a"), bytes(&p, 3, 0x01, 0x76, 0x00), name(&p, "b"),
        bytes(&p, 3, 0x01, 0x7a, 0x00); /* variant {a(f32), b(s32)} */
    u8(&p, 0x71), leb(&p, 2), name(&p, "a"), bytes(&p, 3, 0x01, 0x76, 0x00), name(&p, "b"),
        bytes(&p, 3, 0x01, 0x77, 0x00);         /* variant {a(f32), b(u64)} */
    bytes(&p, 5, 0x6a, 0x01, 0x73, 0x01, 0x7d); /* result<string, u8> */
    bytes(&p, 2, 0x6b, 0x75);                   /* option<f64> */
    u8(&p, 0x6f), leb(&p, 17);                  /* tuple of 17 u32 */
    for (int i = 0; i < 17; i++)
        u8(&p, 0x79);
    section(&b, 7, &p);
    struct comp *c;
    assert_int_equal(load(&b, &c), 0);
    static const struct {
        uint8_t n, t[3];
        bool list;
    } want[] = {{2, {0x7f, 0x7f}, false},
                {2, {0x7f, 0x7e}, false},
                {3, {0x7f, 0x7f, 0x7f}, true},
                {2, {0x7f, 0x7c}, false},
                {COMP_FLAT_OVER, {0}, false}};
    for (unsigned i = 0; i < 5; i++) {
        const struct comp_type *t = comp_type_get(c, c->root->space[COMP_TYPE][i].type);
        assert_int_equal(t->flat_n, want[i].n);
        assert_int_equal(t->has_list, want[i].list);
        if (want[i].n <= 3) assert_memory_equal(t->flat, want[i].t, want[i].n);
    }
    comp_free(c);
}

/* Sizes and alignments in memory (CanonicalABI.md "Element Size"), and
 * the 2^28 bound. */
static void test_layout(void **state)
{
    (void)state;
    struct bb b = preamble(), p = {.n = 0};
    u8(&p, 4);
    u8(&p, 0x72), leb(&p, 3), name(&p, "a"), u8(&p, 0x7d), name(&p, "b"), u8(&p, 0x79),
        name(&p, "c"), u8(&p, 0x7b); /* record {a: u8, b: u32, c: u16} */
    u8(&p, 0x71), leb(&p, 2), name(&p, "a"), bytes(&p, 3, 0x01, 0x7d, 0x00), name(&p, "b"),
        bytes(&p, 3, 0x01, 0x77, 0x00); /* variant {a(u8), b(u64)} */
    bytes(&p, 2, 0x70, 0x73);           /* list<string> */
    bytes(&p, 2, 0x6b, 0x7b);           /* option<u16> */
    section(&b, 7, &p);
    struct comp *c;
    assert_int_equal(load(&b, &c), 0);
    static const uint32_t size32[] = {12, 16, 8, 4}, size64[] = {12, 16, 16, 4};
    static const uint8_t align32[] = {4, 8, 4, 2};
    for (unsigned i = 0; i < 4; i++) {
        const struct comp_type *t = comp_type_get(c, c->root->space[COMP_TYPE][i].type);
        assert_int_equal(t->size[0], size32[i]);
        assert_int_equal(t->size[1], size64[i]);
        assert_int_equal(t->align[0], align32[i]);
    }
    comp_free(c);

    b = preamble(), p.n = 0; /* 200 u64, 200 of those, 200 of those: 64e6 bytes; 5 more: too big */
    u8(&p, 4);
    for (int k = 0; k < 3; k++) {
        u8(&p, 0x6f), leb(&p, 200);
        for (int i = 0; i < 200; i++)
            u8(&p, k ? (uint8_t)(k - 1) : 0x77);
    }
    bytes(&p, 7, 0x6f, 0x05, 0x02, 0x02, 0x02, 0x02, 0x02);
    section(&b, 7, &p);
    EXPECT_ERR(&b, ERR_INVAL, "tuple type too large: its element size is over 2^28 bytes");
}

/* One type definition in its own section, expected to fail. */
static void expect_type_err(const struct bb *defs, int code, const char *text)
{
    struct bb b = preamble();
    section(&b, 7, defs);
    EXPECT_ERR(&b, code, text);
}

static void test_bad_types(void **state)
{
    (void)state;
    struct bb p = {.n = 0};
    bytes(&p, 3, 0x01, 0x69, 0x00); /* own of type 0, which does not exist */
    expect_type_err(&p, ERR_INVAL, "own: type index 0 out of range (0 defined)");
    p.n = 0;
    bytes(&p, 5, 0x02, 0x70, 0x73, 0x69, 0x00); /* own<list<string>> */
    expect_type_err(&p, ERR_INVAL, "own: type 0 is a list type, not a resource type");
    p.n = 0;
    bytes(&p, 7, 0x02, 0x40, 0x00, 0x01, 0x00, 0x70, 0x00); /* list<func> */
    expect_type_err(&p, ERR_INVAL, "value type: type 0 is a func type, not a value type");
    p.n = 0;
    bytes(&p, 2, 0x01, 0x6e), leb(&p, 33);
    for (int i = 0; i < 33; i++) {
        char l[8];
        snprintf(l, sizeof l, "f%d", i);
        name(&p, l);
    }
    expect_type_err(&p, ERR_INVAL, "flags with 33 labels (at most 32)");
    p.n = 0;
    bytes(&p, 2, 0x01, 0x6d), leb(&p, 2), name(&p, "a-b"), name(&p, "A-B");
    expect_type_err(&p, ERR_INVAL, "duplicate enum label \"A-B\"");
    p.n = 0;
    bytes(&p, 2, 0x01, 0x6d), leb(&p, 1), name(&p, "not_kebab");
    expect_type_err(&p, ERR_INVAL, "enum label \"not_kebab\" is not kebab-case");
    p.n = 0;
    bytes(&p, 3, 0x01, 0x72, 0x00);
    expect_type_err(&p, ERR_INVAL, "record with no fields");
    p.n = 0; /* resource; borrow; func() -> borrow */
    bytes(&p, 10, 0x03, 0x3f, 0x7f, 0x00, 0x68, 0x00, 0x40, 0x00, 0x00, 0x01);
    expect_type_err(&p, ERR_INVAL, "function result contains a borrow");
    p.n = 0;
    bytes(&p, 4, 0x01, 0x3f, 0x7e, 0x00);
    expect_type_err(&p, ERR_INVAL, "resource representation must be i32");
    p.n = 0;
    bytes(&p, 2, 0x01, 0x55);
    expect_type_err(&p, ERR_BADMSG, "unknown type opcode 0x55");
    p.n = 0;
    bytes(&p, 3, 0x01, 0x70, 0x60); /* list of a type opcode that is no primitive */
    expect_type_err(&p, ERR_BADMSG, "unknown value type 0x60");
    p.n = 0;
    bytes(&p, 3, 0x01, 0x66, 0x00);
    expect_type_err(&p, ERR_NOTSUP, "streams, futures and error-context (async)");
}

/* type 0: func(); then import "f" (func (type 0)) */
static void func_import(struct bb *b, const char *imp)
{
    struct bb p = {.n = 0};
    bytes(&p, 5, 0x01, 0x40, 0x00, 0x01, 0x00);
    section(b, 7, &p);
    p.n = 0;
    u8(&p, 0x01), xname(&p, imp), bytes(&p, 2, 0x01, 0x00);
    section(b, 10, &p);
}

static void test_imports_exports(void **state)
{
    (void)state;
    struct bb b = preamble(), p = {.n = 0};
    func_import(&b, "wasi:cli/run@0.2.3");
    p.n = 0; /* export "run" (func 0), "Run" too: not strongly unique */
    u8(&p, 0x02), xname(&p, "run"), bytes(&p, 3, 0x01, 0x00, 0x00);
    xname(&p, "RUN"), bytes(&p, 3, 0x01, 0x00, 0x00);
    struct bb e = b;
    section(&e, 11, &p);
    EXPECT_ERR(&e, ERR_INVAL, "duplicate export name \"RUN\"");

    p.n = 0; /* two exports that are fine: the second re-exports the first */
    u8(&p, 0x02), xname(&p, "run"), bytes(&p, 3, 0x01, 0x00, 0x00);
    xname(&p, "go"), bytes(&p, 3, 0x01, 0x01, 0x00);
    e = b;
    section(&e, 11, &p);
    struct comp *c;
    assert_int_equal(load(&e, &c), 0);
    assert_int_equal(c->root->nimports, 1);
    assert_int_equal(c->root->nexports, 2);
    assert_int_equal(c->root->count[COMP_FUNC], 3);
    assert_int_equal(c->root->space[COMP_FUNC][2].how, COMP_DEF_EXPORT);
    assert_int_equal(c->root->space[COMP_FUNC][2].a, 1);
    comp_free(c);

    p.n = 0;
    u8(&p, 0x01), xname(&p, "go"), bytes(&p, 3, 0x01, 0x05, 0x00); /* func 5 */
    e = b;
    section(&e, 11, &p);
    EXPECT_ERR(&e, ERR_INVAL, "export: func index 5 out of range (1 defined)");

    p.n = 0;
    u8(&p, 0x01), xname(&p, "wasi:cli/run@0.2.3"), bytes(&p, 2, 0x01, 0x00);
    e = b;
    section(&e, 10, &p);
    EXPECT_ERR(&e, ERR_INVAL, "duplicate import name \"wasi:cli/run@0.2.3\"");

    p.n = 0; /* export "go" (func 0) ascribed func(): fits; ascribed func(x: u32): not */
    u8(&p, 0x01), xname(&p, "go"), bytes(&p, 5, 0x01, 0x00, 0x01, 0x01, 0x00);
    e = b;
    section(&e, 11, &p);
    assert_int_equal(load(&e, NULL), 0);
    struct bb t = {.n = 0};
    bytes(&t, 3, 0x01, 0x40, 0x01), name(&t, "x"), bytes(&t, 3, 0x79, 0x01, 0x00);
    e = b;
    section(&e, 7, &t);
    p.n = 0, u8(&p, 0x01), xname(&p, "go"), bytes(&p, 5, 0x01, 0x00, 0x01, 0x01, 0x01);
    section(&e, 11, &p);
    EXPECT_ERR(&e, ERR_INVAL, "export \"go\": func type mismatch");

    p.n = 0;
    u8(&p, 0x01), xname(&p, "Bad_Name"), bytes(&p, 2, 0x01, 0x00);
    e = b;
    section(&e, 10, &p);
    EXPECT_ERR(&e, ERR_INVAL, "import name \"Bad_Name\" is not a valid extern name");

    p.n = 0;
    u8(&p, 0x01), xname(&p, "f"), bytes(&p, 2, 0x01, 0x03); /* func of type 3 */
    e = b;
    section(&e, 10, &p);
    EXPECT_ERR(&e, ERR_INVAL, "func import/export: type index 3 out of range");
}

/* instance type { export "get" (func) }, imported as "wasi:x/y", then
 * aliases of its exports. */
static void test_aliases(void **state)
{
    (void)state;
    struct bb b = preamble(), p = {.n = 0};
    u8(&p, 0x01);
    bytes(&p, 2, 0x42, 0x02);                         /* instance type, 2 decls */
    bytes(&p, 6, 0x01, 0x40, 0x00, 0x01, 0x00, 0x04); /* type func(); export... */
    xname(&p, "get"), bytes(&p, 2, 0x01, 0x00);       /* ..."get" (func (type 0)) */
    section(&b, 7, &p);
    p.n = 0;
    u8(&p, 0x01), xname(&p, "wasi:x/y"), bytes(&p, 2, 0x05, 0x00);
    section(&b, 10, &p);

    struct bb e = b;
    p.n = 0;
    bytes(&p, 4, 0x01, 0x01, 0x00, 0x00), name(&p, "get"); /* alias export 0 "get" (func) */
    section(&e, 6, &p);
    struct comp *c;
    assert_int_equal(load(&e, &c), 0);
    assert_int_equal(c->root->count[COMP_FUNC], 1);
    assert_int_equal(comp_type_get(c, c->root->space[COMP_FUNC][0].type)->kind, COMP_T_FUNC);
    comp_free(c);

    e = b, p.n = 0;
    bytes(&p, 4, 0x01, 0x01, 0x00, 0x00), name(&p, "put");
    section(&e, 6, &p);
    EXPECT_ERR(&e, ERR_INVAL, "alias: instance 0 has no export \"put\"");
    e = b, p.n = 0;
    bytes(&p, 4, 0x01, 0x05, 0x00, 0x00), name(&p, "get"); /* as an instance */
    section(&e, 6, &p);
    EXPECT_ERR(&e, ERR_INVAL, "alias: export \"get\" is a func, not a instance");
    e = b, p.n = 0;
    bytes(&p, 4, 0x01, 0x01, 0x00, 0x04), name(&p, "get"); /* instance 4 */
    section(&e, 6, &p);
    EXPECT_ERR(&e, ERR_INVAL, "alias: instance index 4 out of range (1 defined)");
    e = b, p.n = 0;
    bytes(&p, 5, 0x01, 0x03, 0x02, 0x01, 0x00); /* outer 1 0 (type) at top level */
    section(&e, 6, &p);
    EXPECT_ERR(&e, ERR_INVAL, "outer alias count 1 exceeds the enclosing scopes");
}

/* A core module importing env.f, instantiated with and without it. */
static void core_module(struct bb *b)
{
    struct bb m = {.n = 0}, s = {.n = 0};
    bytes(&m, 8, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    bytes(&s, 4, 0x01, 0x60, 0x00, 0x00);
    section(&m, 1, &s);
    s.n = 0;
    u8(&s, 0x01), name(&s, "env"), name(&s, "f"), bytes(&s, 2, 0x00, 0x00);
    section(&m, 2, &s);
    section(b, 1, &m);
}

static void test_core_instances(void **state)
{
    (void)state;
    struct bb b = preamble(), p = {.n = 0};
    core_module(&b);

    struct bb e = b;
    bytes(&p, 3, 0x01, 0x00, 0x00), leb(&p, 0); /* instantiate module 0, no args */
    section(&e, 2, &p);
    EXPECT_ERR(&e, ERR_INVAL, "core module import \"env\" \"f\" has no instantiation argument");

    /* a core func to export: lower of an imported func */
    func_import(&b, "f");
    p.n = 0;
    bytes(&p, 5, 0x01, 0x01, 0x00, 0x00, 0x00);
    section(&b, 8, &p);
    e = b, p.n = 0; /* instance 0: exports "f" = core func 0; instance 1: instantiate */
    u8(&p, 0x02);
    bytes(&p, 2, 0x01, 0x01), name(&p, "f"), bytes(&p, 2, 0x00, 0x00);
    bytes(&p, 3, 0x00, 0x00, 0x01), name(&p, "env"), bytes(&p, 2, 0x12, 0x00);
    section(&e, 2, &p);
    struct comp *c;
    assert_int_equal(load(&e, &c), 0);
    assert_int_equal(c->root->count[COMP_CORE_INSTANCE], 2);
    assert_int_equal(c->root->nmodules, 1);
    assert_int_equal(c->bytes[c->root->modules[0].offset + 4], 0x01);
    comp_free(c);

    e = b, p.n = 0; /* the argument exports "g", not "f" */
    u8(&p, 0x02);
    bytes(&p, 2, 0x01, 0x01), name(&p, "g"), bytes(&p, 2, 0x00, 0x00);
    bytes(&p, 3, 0x00, 0x00, 0x01), name(&p, "env"), bytes(&p, 2, 0x12, 0x00);
    section(&e, 2, &p);
    EXPECT_ERR(&e, ERR_INVAL, "argument instance has no such export");

    e = b, p.n = 0; /* an argument of instance 3 */
    bytes(&p, 4, 0x01, 0x00, 0x00, 0x01), name(&p, "env"), bytes(&p, 2, 0x12, 0x03);
    section(&e, 2, &p);
    EXPECT_ERR(&e, ERR_INVAL, "instantiation argument: core instance index 3 out of range");

    e = b, p.n = 0; /* lift of core func 7 */
    bytes(&p, 6, 0x01, 0x00, 0x00, 0x07, 0x00, 0x00);
    section(&e, 8, &p);
    EXPECT_ERR(&e, ERR_INVAL, "canon lift: core func index 7 out of range (1 defined)");
    e = b, p.n = 0; /* lift of core func 0 with a record type */
    bytes(&p, 6, 0x01, 0x72, 0x01, 0x01, 'a', 0x79);
    section(&e, 7, &p);
    p.n = 0;
    bytes(&p, 6, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01);
    section(&e, 8, &p);
    EXPECT_ERR(&e, ERR_INVAL, "canon lift: type 1 is a record type, not a function type");
    e = b, p.n = 0; /* memory option twice */
    bytes(&p, 9, 0x01, 0x01, 0x00, 0x00, 0x02, 0x03, 0x00, 0x03, 0x00);
    section(&e, 8, &p);
    EXPECT_ERR(&e, ERR_INVAL, "memory: core memory index 0 out of range");
}

/* Core funcs of known types: module 0 exports "a" [] -> [] and "b"
 * [i32 i32] -> []; aliased as core funcs 0 and 1. Types: 0 func(s:
 * string), 1 func(), 2 a resource. */
static struct bb canon_base(void)
{
    struct bb b = preamble(), m = {.n = 0}, s = {.n = 0};
    bytes(&m, 8, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    bytes(&s, 9, 0x02, 0x60, 0x00, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x00);
    section(&m, 1, &s);
    s.n = 0, bytes(&s, 3, 0x02, 0x00, 0x01);
    section(&m, 3, &s);
    s.n = 0, u8(&s, 0x02), name(&s, "a"), bytes(&s, 2, 0x00, 0x00), name(&s, "b");
    bytes(&s, 2, 0x00, 0x01);
    section(&m, 7, &s);
    section(&b, 1, &m);
    s.n = 0, bytes(&s, 4, 0x01, 0x00, 0x00, 0x00);
    section(&b, 2, &s);
    s.n = 0, u8(&s, 0x02), bytes(&s, 4, 0x00, 0x00, 0x01, 0x00), name(&s, "a");
    bytes(&s, 4, 0x00, 0x00, 0x01, 0x00), name(&s, "b");
    section(&b, 6, &s);
    s.n = 0, u8(&s, 0x03), bytes(&s, 2, 0x40, 0x01), name(&s, "s");
    bytes(&s, 3, 0x73, 0x01, 0x00);
    bytes(&s, 4, 0x40, 0x00, 0x01, 0x00), bytes(&s, 3, 0x3f, 0x7f, 0x00);
    section(&b, 7, &s);
    return b;
}

/* A component importing wasi:cli/environment@0.2.3 (get-arguments: func()
 * -> list<string>, or `func`) and lowering it with the memory and realloc
 * of a core module, in string encoding `enc` (0 utf8, 1 utf16). */
static struct bb command_component(const char *func, uint8_t enc)
{
    struct bb b = preamble(), m = {.n = 0}, s = {.n = 0};
    bytes(&m, 8, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    bytes(&s, 8, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01), u8(&s, 0x7f);
    section(&m, 1, &s); /* type [i32 i32 i32 i32] -> [i32] */
    s.n = 0, bytes(&s, 2, 0x01, 0x00);
    section(&m, 3, &s);
    s.n = 0, bytes(&s, 3, 0x01, 0x00, 0x01);
    section(&m, 5, &s); /* memory 1 */
    s.n = 0, u8(&s, 0x02), name(&s, "m"), bytes(&s, 2, 0x02, 0x00), name(&s, "r");
    bytes(&s, 2, 0x00, 0x00);
    section(&m, 7, &s);
    s.n = 0, bytes(&s, 6, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0b); /* r: i32.const 0 */
    section(&m, 10, &s);
    section(&b, 1, &m);
    s.n = 0, bytes(&s, 3, 0x01, 0x00, 0x00), leb(&s, 0);
    section(&b, 2, &s);
    s.n = 0, u8(&s, 0x02), bytes(&s, 4, 0x00, 0x02, 0x01, 0x00), name(&s, "m");
    bytes(&s, 4, 0x00, 0x00, 0x01, 0x00), name(&s, "r");
    section(&b, 6, &s); /* core memory 0, core func 0 */
    s.n = 0, bytes(&s, 3, 0x01, 0x42, 0x03), bytes(&s, 3, 0x01, 0x70, 0x73);
    bytes(&s, 5, 0x01, 0x40, 0x00, 0x00, 0x00), u8(&s, 0x04), xname(&s, func);
    bytes(&s, 2, 0x01, 0x01);
    section(&b, 7, &s); /* instance type: list<string>, func() -> it, export */
    s.n = 0, u8(&s, 0x01), xname(&s, "wasi:cli/environment@0.2.3"), bytes(&s, 2, 0x05, 0x00);
    section(&b, 10, &s);
    s.n = 0, bytes(&s, 4, 0x01, 0x01, 0x00, 0x00), name(&s, func);
    section(&b, 6, &s);
    s.n = 0, bytes(&s, 9, 0x01, 0x01, 0x00, 0x00, 0x03, 0x03, 0x00, 0x04, 0x00), u8(&s, enc);
    section(&b, 8, &s); /* lower (memory 0) (realloc 0) encoding */
    return b;
}

/* comp_command_check: lib/wasi's function by name, the utf8 encoding
 * only, a missing import named. */
static void test_command_check(void **state)
{
    (void)state;
    struct comp *c;
    struct comp_error err;
    struct bb b = command_component("get-arguments", 0x00);
    assert_int_equal(load(&b, &c), 0);
    assert_int_equal(comp_command_check(c, &err), 0);
    comp_free(c);
    b = command_component("get-arguments", 0x01);
    assert_int_equal(load(&b, &c), 0);
    assert_int_equal(comp_command_check(c, &err), ERR_NOTSUP);
    assert_string_equal(err.msg, "canon lower of wasi:cli/environment@0.2.3#get-arguments uses "
                                 "string-encoding=utf16; this host supports utf8 only");
    comp_free(c);
    b = command_component("get-everything", 0x00);
    assert_int_equal(load(&b, &c), 0);
    assert_int_equal(comp_command_check(c, &err), ERR_NOENT);
    assert_string_equal(err.msg, "component imports wasi:cli/environment@0.2.3#get-everything, "
                                 "which this host does not provide");
    comp_free(c);
}

/* canon_base with one more section. */
static void expect_with(uint8_t id, const struct bb *p, int code, const char *text)
{
    struct bb b = canon_base();
    section(&b, id, p);
    EXPECT_ERR(&b, code, text);
}

static void test_canon_types(void **state)
{
    (void)state;
    struct bb b = canon_base(), p = {.n = 0};
    struct comp *c;
    assert_int_equal(load(&b, &c), 0);
    assert_int_equal(c->root->count[COMP_CORE_FUNC], 2);
    comp_free(c);

    bytes(&p, 6, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01); /* lift "a" as func(): fine */
    section(&b, 8, &p);
    assert_int_equal(load(&b, &c), 0);
    assert_int_equal(c->root->count[COMP_FUNC], 1);
    comp_free(c);

    p.n = 0; /* lift "a" ([] -> []) as func(s: string) */
    bytes(&p, 6, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00);
    expect_with(8, &p, ERR_INVAL, "canon lift: core func 0 has type [] -> [], not [i32 i32] -> []");
    p.n = 0; /* lift "b" as func(s: string) without realloc */
    bytes(&p, 6, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00);
    expect_with(8, &p, ERR_INVAL, "canon lift: the parameters need a realloc option");
    p.n = 0; /* realloc "a" without memory */
    bytes(&p, 8, 0x01, 0x00, 0x00, 0x01, 0x01, 0x04, 0x00, 0x00);
    expect_with(8, &p, ERR_INVAL, "canon: realloc without a memory option");

    p.n = 0; /* import "f" (func(s: string)) and lower it without memory */
    u8(&p, 0x01), xname(&p, "f"), bytes(&p, 2, 0x01, 0x00);
    b = canon_base();
    section(&b, 10, &p);
    p.n = 0, bytes(&p, 4, 0x01, 0x01, 0x00, 0x00), u8(&p, 0x00);
    section(&b, 8, &p);
    EXPECT_ERR(&b, ERR_INVAL, "canon lower: the function's parameters need a memory option");

    p.n = 0; /* resource.new is [i32] -> [i32]: lifting it as func() fails */
    bytes(&p, 8, 0x02, 0x02, 0x02, 0x00, 0x00, 0x02, 0x00, 0x01);
    expect_with(8, &p, ERR_INVAL, "canon lift: core func 2 has type [i32] -> [i32], not [] -> []");
    p.n = 0; /* resource.rep of a record */
    bytes(&p, 3, 0x01, 0x04, 0x01);
    expect_with(8, &p, ERR_INVAL, "resource.rep: type 1 is a func type, not a resource");

    p.n = 0; /* a core module importing "env" "f" as [i32] -> [], given "a" ([] -> []) */
    struct bb m = {.n = 0}, s = {.n = 0};
    bytes(&m, 8, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    bytes(&s, 5, 0x01, 0x60, 0x01, 0x7f, 0x00);
    section(&m, 1, &s);
    s.n = 0, u8(&s, 0x01), name(&s, "env"), name(&s, "f"), bytes(&s, 2, 0x00, 0x00);
    section(&m, 2, &s);
    b = canon_base();
    section(&b, 1, &m);
    p.n = 0, u8(&p, 0x02);
    bytes(&p, 2, 0x01, 0x01), name(&p, "f"), bytes(&p, 2, 0x00, 0x00);
    bytes(&p, 3, 0x00, 0x01, 0x01), name(&p, "env"), bytes(&p, 2, 0x12, 0x01);
    section(&b, 2, &p);
    EXPECT_ERR(
        &b, ERR_INVAL,
        "core module import \"env\" \"f\" has type [i32] -> [], the argument's export [] -> []");
}

/* An instance type { export "r" (type (sub resource)); type borrow<r>;
 * type FUNC; export NAME (func) }. */
static struct bb resource_instance_type(const char *name, const uint8_t *func, size_t n)
{
    struct bb b = preamble(), p = {.n = 0};
    bytes(&p, 3, 0x01, 0x42, 0x04);
    u8(&p, 0x04), xname(&p, "r"), bytes(&p, 2, 0x03, 0x01);
    bytes(&p, 3, 0x01, 0x68, 0x00);
    u8(&p, 0x01), put(&p, func, n);
    u8(&p, 0x04), xname(&p, name), bytes(&p, 2, 0x01, 0x02);
    section(&b, 7, &p);
    return b;
}

static void test_resource_names(void **state)
{
    (void)state;
    static const uint8_t method[] = {0x40, 0x01, 0x04, 's', 'e', 'l', 'f', 0x01, 0x01, 0x00};
    static const uint8_t plain[] = {0x40, 0x00, 0x01, 0x00};
    struct bb b = resource_instance_type("[method]r.get", method, sizeof method);
    assert_int_equal(load(&b, NULL), 0);
    b = resource_instance_type("[static]r.make", plain, sizeof plain);
    assert_int_equal(load(&b, NULL), 0);
    b = resource_instance_type("[method]r.get", plain, sizeof plain);
    EXPECT_ERR(&b, ERR_INVAL, "\"[method]r.get\": a method must take (self: borrow<R>) first");
    b = resource_instance_type("[method]x.get", method, sizeof method);
    EXPECT_ERR(&b, ERR_INVAL, "\"[method]x.get\" names no resource \"x\" exported before it");
    b = resource_instance_type("[constructor]r", plain, sizeof plain);
    EXPECT_ERR(&b, ERR_INVAL, "a constructor must return own<R> or result<own<R>, E>");
}

/* Nesting is bounded (the loader recurses): 32 levels load, 33 do not. */
static void test_nesting_limit(void **state)
{
    (void)state;
    for (int levels = 32; levels <= 33; levels++) {
        struct bb b = preamble();
        for (int i = 0; i < levels; i++) {
            struct bb outer = preamble();
            section(&outer, 4, &b);
            b = outer;
        }
        if (levels == 32)
            assert_int_equal(load(&b, NULL), 0);
        else
            EXPECT_ERR(&b, ERR_INVAL, "components nested too deeply");
        struct bb t = {.n = 0}, p = {.n = 0};
        bytes(&t, 2, 0x42, 0x00);
        for (int i = 1; i < levels; i++) { /* instance types in instance types */
            struct bb o = {.n = 0};
            bytes(&o, 3, 0x42, 0x01, 0x01);
            put(&o, t.b, t.n);
            t = o;
        }
        u8(&p, 0x01), put(&p, t.b, t.n);
        b = preamble();
        section(&b, 7, &p);
        if (levels == 32)
            assert_int_equal(load(&b, NULL), 0);
        else
            EXPECT_ERR(&b, ERR_INVAL, "type declarations nested too deeply");
    }
}

/* A LEB128 of exactly 3 bytes (for sizes written before what they count). */
static size_t leb3(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(0x80 | (v & 0x7f)), p[1] = (uint8_t)(0x80 | ((v >> 7) & 0x7f));
    p[2] = (uint8_t)(v >> 14);
    return 3;
}

/* A core module with `imports` function imports ("e" ""), instantiated
 * `instances` times with "e" = an inline instance exporting a lowered
 * function as "". */
static uint8_t *many_instantiations(uint32_t imports, uint32_t instances, size_t *len)
{
    static const uint8_t pre[] = {0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00};
    static const uint8_t head[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00,
                                   0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00};
    static const uint8_t rest[] = {
        0x07, 0x05, 0x01, 0x40, 0x00, 0x01, 0x00,       /* type func() */
        0x0a, 0x06, 0x01, 0x00, 0x01, 'f',  0x01, 0x00, /* import "f" (func 0) */
        0x08, 0x05, 0x01, 0x01, 0x00, 0x00, 0x00,       /* canon lower func 0 */
    };
    static const uint8_t inl[] = {0x01, 0x01, 0x00, 0x00, 0x00}; /* "" = core func 0 */
    static const uint8_t inst[] = {0x00, 0x00, 0x01, 0x01, 'e', 0x12, 0x00};
    uint32_t imp_len = 3 + imports * 5, mod_len = sizeof head + 4 + imp_len;
    uint32_t sec_len = 3 + sizeof inl + instances * sizeof inst;
    size_t n = 0;
    uint8_t *b = malloc(sizeof pre + 4 + mod_len + sizeof rest + 4 + sec_len);
    assert_non_null(b);
    memcpy(b, pre, sizeof pre), n = sizeof pre;
    b[n++] = 0x01, n += leb3(b + n, mod_len);
    memcpy(b + n, head, sizeof head), n += sizeof head;
    b[n++] = 0x02, n += leb3(b + n, imp_len), n += leb3(b + n, imports);
    for (uint32_t i = 0; i < imports; i++)
        b[n++] = 0x01, b[n++] = 'e', b[n++] = 0x00, b[n++] = 0x00, b[n++] = 0x00;
    memcpy(b + n, rest, sizeof rest), n += sizeof rest;
    b[n++] = 0x02, n += leb3(b + n, sec_len), n += leb3(b + n, instances + 1);
    memcpy(b + n, inl, sizeof inl), n += sizeof inl;
    for (uint32_t i = 0; i < instances; i++)
        memcpy(b + n, inst, sizeof inst), n += sizeof inst;
    *len = n;
    return b;
}

/* Many short instantiations of a module with many imports: the loader
 * bounds the work (16 checks per input byte, plus 2^20) instead of going
 * quadratic. */
static void test_instantiation_budget(void **state)
{
    (void)state;
    size_t len;
    struct comp *c = NULL;
    struct comp_error err;
    uint8_t *b = many_instantiations(10000, 3, &len);
    int rc = comp_load(b, len, &c, &err);
    if (rc) fail_msg("3 instantiations: %s", err.msg);
    assert_int_equal(c->root->count[COMP_CORE_INSTANCE], 4);
    comp_free(c);
    free(b);
    b = many_instantiations(10000, 400, &len);
    rc = comp_load(b, len, &c, &err);
    if (rc != ERR_NOTSUP || !strstr(err.msg, "too many imports checked for instantiations"))
        fail_msg("got %d \"%s\"", rc, rc ? err.msg : "");
    free(b);
}

/* Instantiation arguments against the imports' types: a nested component
 * imports a resource "r" and "f": func(x: own<r>). The outer one defines
 * two resources and functions over each. */
static struct bb subtype_case(const uint8_t *args, size_t n)
{
    struct bb inner = preamble(), b = preamble(), p = {.n = 0};
    u8(&p, 0x01), xname(&p, "r"), bytes(&p, 2, 0x03, 0x01);
    section(&inner, 10, &p);
    p.n = 0, bytes(&p, 3, 0x02, 0x69, 0x00), bytes(&p, 2, 0x40, 0x01), name(&p, "x");
    bytes(&p, 3, 0x01, 0x01, 0x00);
    section(&inner, 7, &p);
    p.n = 0, u8(&p, 0x01), xname(&p, "f"), bytes(&p, 2, 0x01, 0x02);
    section(&inner, 10, &p);
    p.n = 0, u8(&p, 0x06);
    for (int k = 0; k < 2; k++) {
        bytes(&p, 3, 0x3f, 0x7f, 0x00), bytes(&p, 2, 0x69, (uint8_t)(3 * k));
        bytes(&p, 2, 0x40, 0x01), name(&p, "x"), bytes(&p, 3, (uint8_t)(3 * k + 1), 0x01, 0x00);
    }
    section(&b, 7, &p);
    p.n = 0, u8(&p, 0x02), xname(&p, "g"), bytes(&p, 2, 0x01, 0x02);
    xname(&p, "h"), bytes(&p, 2, 0x01, 0x05);
    section(&b, 10, &p);
    section(&b, 4, &inner);
    p.n = 0, bytes(&p, 3, 0x01, 0x00, 0x00), put(&p, args, n);
    section(&b, 5, &p);
    return b;
}

static void test_instantiate_types(void **state)
{
    (void)state;
    /* "r" = type 0, "f" = func 0 (own of type 0): fits */
    static const uint8_t ok[] = {0x02, 0x01, 'r', 0x03, 0x00, 0x01, 'f', 0x01, 0x00};
    struct bb b = subtype_case(ok, sizeof ok);
    assert_int_equal(load(&b, NULL), 0);
    /* "r" = type 0, "f" = func 1 (own of the other resource) */
    static const uint8_t other[] = {0x02, 0x01, 'r', 0x03, 0x00, 0x01, 'f', 0x01, 0x01};
    b = subtype_case(other, sizeof other);
    EXPECT_ERR(&b, ERR_INVAL, "component import \"f\": func type mismatch");
    /* "r" = type 3 and "f" = func 1: fits the same way */
    static const uint8_t second[] = {0x02, 0x01, 'r', 0x03, 0x03, 0x01, 'f', 0x01, 0x01};
    b = subtype_case(second, sizeof second);
    assert_int_equal(load(&b, NULL), 0);
    /* "r" = type 2, a function type */
    static const uint8_t notres[] = {0x02, 0x01, 'r', 0x03, 0x02, 0x01, 'f', 0x01, 0x00};
    b = subtype_case(notres, sizeof notres);
    EXPECT_ERR(&b, ERR_INVAL, "component import \"r\" is a resource, its argument is not");
}

/* Instantiation of hand-built components: wiring through an inline
 * instance, a module lib/wasm refuses, a start function that traps. */
static void test_instantiate(void **state)
{
    (void)state;
    struct comp *c;
    struct comp_instance *ci;
    struct comp_error err;
    struct wasm_trap trap;

    /* test_core_instances' component: module 0 imports env.f from an inline
     * instance exporting a lowered function */
    struct bb b = preamble(), p = {.n = 0};
    core_module(&b);
    func_import(&b, "f");
    bytes(&p, 5, 0x01, 0x01, 0x00, 0x00, 0x00);
    section(&b, 8, &p);
    p.n = 0, u8(&p, 0x02);
    bytes(&p, 2, 0x01, 0x01), name(&p, "f"), bytes(&p, 2, 0x00, 0x00);
    bytes(&p, 3, 0x00, 0x00, 0x01), name(&p, "env"), bytes(&p, 2, 0x12, 0x00);
    section(&b, 2, &p);
    assert_int_equal(load(&b, &c), 0);
    assert_int_equal(comp_instantiate_core(c, NULL, NULL, NULL, &ci, &err, &trap), 0);
    assert_null(comp_instance_core(ci, 0));
    assert_non_null(comp_instance_core(ci, 1));
    comp_instance_free(ci);
    comp_free(c);

    /* canon_base's module has functions but no code section */
    b = canon_base();
    assert_int_equal(load(&b, &c), 0);
    int rc = comp_instantiate_core(c, NULL, NULL, NULL, &ci, &err, &trap);
    if (rc == 0 || !strstr(err.msg, "core module 0: "))
        fail_msg("got %d \"%s\"", rc, rc ? err.msg : "");
    comp_free(c);

    /* a module whose start function is `unreachable` */
    struct bb m = {.n = 0}, s = {.n = 0};
    bytes(&m, 8, 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    bytes(&s, 4, 0x01, 0x60, 0x00, 0x00);
    section(&m, 1, &s);
    s.n = 0, bytes(&s, 2, 0x01, 0x00);
    section(&m, 3, &s);
    s.n = 0, u8(&s, 0x00);
    section(&m, 8, &s);
    s.n = 0, bytes(&s, 5, 0x01, 0x03, 0x00, 0x00, 0x0b);
    section(&m, 10, &s);
    b = preamble();
    section(&b, 1, &m);
    p.n = 0, bytes(&p, 4, 0x01, 0x00, 0x00, 0x00);
    section(&b, 2, &p);
    assert_int_equal(load(&b, &c), 0);
    rc = comp_instantiate_core(c, NULL, NULL, NULL, &ci, &err, &trap);
    if (rc != ERR_FAULT || trap.kind != WASM_TRAP_UNREACHABLE ||
        !strstr(err.msg, "core instance 0 trapped"))
        fail_msg("got %d \"%s\" trap %d", rc, rc ? err.msg : "", (int)trap.kind);
    assert_null(ci);
    comp_free(c);
}

/* A nested component importing "f", instantiated without it. */
static void test_nested(void **state)
{
    (void)state;
    struct bb inner = preamble();
    func_import(&inner, "f");
    struct bb b = preamble(), p = {.n = 0};
    section(&b, 4, &inner);
    struct bb e = b;
    bytes(&p, 3, 0x01, 0x00, 0x00), leb(&p, 0);
    section(&e, 5, &p);
    EXPECT_ERR(&e, ERR_INVAL, "component import \"f\" has no instantiation argument");

    func_import(&b, "g");
    e = b, p.n = 0;
    bytes(&p, 4, 0x01, 0x00, 0x00, 0x01), name(&p, "f"), bytes(&p, 2, 0x01, 0x00);
    section(&e, 5, &p);
    struct comp *c;
    assert_int_equal(load(&e, &c), 0);
    assert_int_equal(c->root->ncomponents, 1);
    assert_int_equal(c->root->components[0]->nimports, 1);
    assert_int_equal(c->root->count[COMP_INSTANCE], 1);
    comp_free(c);

    /* the nested component cut short inside */
    inner.n -= 2;
    b = preamble();
    section(&b, 4, &inner);
    EXPECT_ERR(&b, ERR_BADMSG, "runs past the end");
}

/* ---- real components -------------------------------------------------- */

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static bool has_export(const struct comp_component *s, const char *prefix, uint8_t sort)
{
    for (uint32_t i = 0; i < s->nexports; i++)
        if (s->exports[i].sort == sort && s->exports[i].name.len >= strlen(prefix) &&
            !memcmp(s->exports[i].name.p, prefix, strlen(prefix)))
            return true;
    return false;
}

/* The core instances are made by lib/wasm, every core func resolves, and
 * the `run` of the wasi:cli/run export, found by comp_find_lift through the
 * instances and the nested component, runs its core code until it calls a
 * lowered function (the canonical ABI glue is not written yet, so that
 * traps). */
static void check_instantiate(const char *path, const struct comp *c)
{
    struct comp_instance *ci;
    struct comp_error err;
    struct wasm_trap trap;
    int rc = comp_instantiate_core(c, NULL, NULL, NULL, &ci, &err, &trap);
    if (rc) fail_msg("%s: instantiate: %d %s", path, rc, err.msg);
    const struct comp_component *s = c->root;
    uint32_t made = 0, want = 0;
    for (uint32_t i = 0; i < s->count[COMP_CORE_INSTANCE]; i++) {
        want += s->space[COMP_CORE_INSTANCE][i].how == COMP_DEF_INSTANTIATE;
        made += comp_instance_core(ci, i) != NULL;
    }
    assert_true(want >= 2);
    assert_int_equal(made, want);
    for (uint32_t i = 0; i < s->count[COMP_CORE_FUNC]; i++) {
        struct wasm_extern x;
        if (comp_instance_core_item(ci, COMP_CORE_FUNC, i, &x))
            fail_msg("%s: core func %u: %s", path, i, err.msg);
        assert_int_equal(x.kind, WASM_EXTERN_FUNC);
    }
    const char *run = NULL; /* "wasi:cli/run@0.2.N" */
    char name[64];
    for (uint32_t i = 0; i < s->nexports && !run; i++) {
        const struct comp_str *n = &s->exports[i].name;
        if (n->len < sizeof name && n->len > 13 && !memcmp(n->p, "wasi:cli/run@", 13)) {
            memcpy(name, n->p, n->len), name[n->len] = 0;
            run = name;
        }
    }
    assert_non_null(run);
    const struct comp_component *scope;
    const struct comp_def *lift;
    if (comp_find_lift(c, run, "run", &scope, &lift, &err))
        fail_msg("%s: %s run: %s", path, run, err.msg);
    assert_ptr_equal(scope, s);
    assert_int_equal(lift->canon->op, COMP_CANON_LIFT);
    assert_int_equal(comp_type_get(c, lift->type)->nfields, 0); /* run: func() -> result */
    struct wasm_extern x;
    assert_int_equal(comp_instance_core_item(ci, COMP_CORE_FUNC, lift->canon->func, &x), 0);
    assert_non_null(x.func);
    wasm_value res[1];
    rc = wasm_call(x.func, NULL, 0, res, 1, &trap);
    if (rc != ERR_FAULT || !strstr(trap.reason, "is not implemented yet"))
        fail_msg("%s: run: %d %s", path, rc, trap.reason);
    if (strstr(path, "/hello.")) print_message("hello: run stops at: %s\n", trap.reason);
    assert_int_equal(comp_find_lift(c, run, "walk", &scope, &lift, &err), ERR_NOENT);
    assert_int_equal(comp_find_lift(c, "wasi:cli/walk@0.2.3", "run", &scope, &lift, &err),
                     ERR_NOENT);
    comp_instance_free(ci);
}

static void check_real(const char *path)
{
    size_t len;
    uint8_t *bytes = slurp(path, &len);
    assert_non_null(bytes);
    struct comp *c;
    struct comp_error err;
    int rc = comp_load(bytes, len, &c, &err);
    if (rc) fail_msg("%s: %s", path, err.msg);
    assert_true(c->root->nmodules >= 1);
    assert_true(has_export(c->root, "wasi:cli/run@0.2.", COMP_INSTANCE));
    for (uint32_t i = 0; i < c->root->nimports; i++) {
        const struct comp_extern *im = &c->root->imports[i];
        if (im->name.len < 5 || memcmp(im->name.p, "wasi:", 5))
            fail_msg("%s: import \"%.*s\"", path, (int)im->name.len, (const char *)im->name.p);
    }
    for (uint32_t i = 0; i < c->root->nmodules; i++) { /* each one is a module lib/wasm loads */
        struct wasm_module *m;
        struct wasm_error werr;
        const struct comp_range *r = &c->root->modules[i];
        if (wasm_module_load(bytes + r->offset, r->len, &m, &werr))
            fail_msg("%s: core module %u: %s", path, i, werr.msg);
        wasm_module_free(m);
    }
    check_instantiate(path, c);
    /* A prefix that ends between top-level sections is itself a valid
     * component; one that ends inside a section is malformed. */
    bool *boundary = calloc(len + 1, 1);
    assert_non_null(boundary);
    for (size_t at = 8; at < len;) {
        boundary[at] = true;
        const uint8_t *q = bytes + at + 1;
        uint32_t size = 0;
        for (unsigned shift = 0; shift < 35; shift += 7, q++) {
            size |= (uint32_t)(*q & 0x7f) << shift;
            if (!(*q & 0x80)) break;
        }
        at = (size_t)(q + 1 - bytes) + size;
    }
    size_t every = len / 200 > 97 ? len / 200 : 97;
    for (size_t n = 0; n < len; n++) {
        if (!boundary[n] && n % every) continue; /* every boundary, and about 200 more */
        struct comp *t = NULL;
        rc = comp_load(bytes, n, &t, &err);
        if (boundary[n] ? rc != 0 : rc != ERR_BADMSG)
            fail_msg("%s cut to %zu bytes: %d %s", path, n, rc, rc ? err.msg : "");
        comp_free(t);
    }
    free(boundary);
    comp_free(c);
    free(bytes);
}

static void test_real_components(void **state)
{
    (void)state;
    char path[4096];
    snprintf(path, sizeof path, "%s/SKIP", components_dir);
    size_t len;
    char *why = (char *)slurp(path, &len);
    if (why) {
        print_message("no components: %.*s", (int)len, why);
        free(why);
        skip();
    }
    DIR *d = opendir(components_dir);
    if (!d) fail_msg("no folder %s (make_components.py's output)", components_dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 15 || strcmp(e->d_name + l - 15, ".component.wasm")) continue;
        if (!strcmp(e->d_name, "js.component.wasm")) continue; /* test_js_component */
        snprintf(path, sizeof path, "%s/%s", components_dir, e->d_name);
        check_real(path);
        n++;
    }
    closedir(d);
    print_message("%d components loaded and validated\n", n);
    assert_true(n >= 10);
}

/* A JavaScript command made by componentize-js: a second toolchain. */
static void test_js_component(void **state)
{
    (void)state;
    char path[4096];
    size_t len;
    const char *skips[] = {"SKIP", "js.SKIP"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", components_dir, skips[i]);
        char *why = (char *)slurp(path, &len);
        if (why) {
            print_message("no JavaScript component: %.*s\n", (int)len, why);
            free(why);
            skip();
        }
    }
    snprintf(path, sizeof path, "%s/js.component.wasm", components_dir);
    check_real(path);
}

int main(int argc, char **argv)
{
    components_dir = argc > 1 ? argv[1] : "build/host/tests/component";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_bad_preamble),
        cmocka_unit_test(test_truncated_sections),
        cmocka_unit_test(test_wit_kinds),
        cmocka_unit_test(test_flatten),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_bad_types),
        cmocka_unit_test(test_imports_exports),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_core_instances),
        cmocka_unit_test(test_nested),
        cmocka_unit_test(test_canon_types),
        cmocka_unit_test(test_command_check),
        cmocka_unit_test(test_instantiate),
        cmocka_unit_test(test_resource_names),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_instantiation_budget),
        cmocka_unit_test(test_instantiate_types),
        cmocka_unit_test(test_real_components),
        cmocka_unit_test(test_js_component),
    };
    return cmocka_run_group_tests_name("lib/component", tests, NULL, NULL);
}
