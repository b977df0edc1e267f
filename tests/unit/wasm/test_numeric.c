/*
 * tests/unit/wasm/test_numeric.c - the numeric operators lib/wasm computes
 * itself (numeric.h), run through numeric.wasm and compared bit for bit
 * with independent oracles: libm (floor, ceil, trunc, nearbyint, sqrt) and
 * x87 long double, which holds every 64-bit integer exactly (conversions
 * and truncation ranges). Inputs: special values plus random bit patterns
 * and values near the rounding and range edges.
 *
 *   test_numeric DIR [ENGINE]   DIR holds numeric.wasm; ENGINE: interp
 *                               (default), jit, or jit-baseline (the JIT
 *                               without SSE4.1 and POPCNT, as QEMU's
 *                               default CPU, so that it uses numeric.h)
 */
#include <fenv.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "host/kpio-wasm/jit_mem.h"
#include "wasm/disasm.h"
#include "wasm/wasm.h"

#define RANDOM_INPUTS 20000

static const char *wasm_dir = ".";
static enum wasm_engine engine;
static struct wasm_module *mod;
static struct wasm_instance *inst;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t dbits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static double dfrom(uint64_t u)
{
    double d;
    memcpy(&d, &u, 8);
    return d;
}

static uint32_t fbits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float ffrom(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* A double input: special, random bits, or near an interesting edge. */
static double some_double(int i)
{
    static const double special[] = {0.0,
                                     -0.0,
                                     0.5,
                                     -0.5,
                                     1.5,
                                     -1.5,
                                     2.5,
                                     -2.5,
                                     0x1p52,
                                     -0x1p52,
                                     0x1p52 + 1,
                                     0x1p53,
                                     0x1p63,
                                     -0x1p63,
                                     0x1p64,
                                     INFINITY,
                                     -INFINITY,
                                     NAN,
                                     -NAN,
                                     4503599627370495.5,
                                     0x1p-1074,
                                     -0x1p-1022,
                                     9007199254740993.0,
                                     0.49999999999999994};
    if (i < (int)(sizeof special / sizeof special[0])) return special[i];
    switch (rnd() % 4) {
    case 0: return dfrom(rnd());                                   /* any bits */
    case 1: return (double)(int64_t)(rnd() >> (rnd() % 64)) + 0.5; /* halves */
    case 2: return ldexp((double)(rnd() >> 11), (int)(rnd() % 80) - 60);
    default:
        return (rnd() & 1 ? -1 : 1) *
               ldexp(1.0 + (double)(rnd() % 1000) / 1000.0, 62 + (int)(rnd() % 3));
    }
}

static float some_float(int i)
{
    static const float special[] = {
        0.0f,    -0.0f,   0.5f,     -0.5f,     1.5f, 2.5f,       -2.5f,     0x1p23f,    0x1p23f + 1,
        0x1p24f, 0x1p64f, INFINITY, -INFINITY, NAN,  8388607.5f, 0x1p-149f, 0.49999997f};
    if (i < (int)(sizeof special / sizeof special[0])) return special[i];
    switch (rnd() % 3) {
    case 0: return ffrom((uint32_t)rnd());
    case 1: return (float)(int32_t)((uint32_t)rnd() >> (rnd() % 32)) + 0.5f;
    default: return ldexpf((float)(rnd() >> 40), (int)(rnd() % 70) - 40);
    }
}

static struct wasm_func *func(const char *name)
{
    struct wasm_func *f = wasm_instance_func(inst, name);
    if (!f) fail_msg("no export %s", name);
    return f;
}

/* Calls f; returns 0 or the trap kind. */
static int call(struct wasm_func *f, wasm_value *args, wasm_value *res)
{
    struct wasm_trap trap;
    const struct wasm_functype *t = wasm_func_type(f);
    int rc = wasm_call(f, args, t->nparams, res, t->nresults, &trap);
    if (rc && rc != ERR_FAULT) fail_msg("wasm_call: %d", rc);
    return rc ? (int)trap.kind : 0;
}

/* Same bits, or both NaN with the wasm result quiet (spec 4.3.3). */
static void expect_f64(const char *op, double in, double got, double want)
{
    if (isnan(want) && isnan(got) && (dbits(got) & 0x0008000000000000ull)) return;
    if (dbits(got) != dbits(want))
        fail_msg("%s(%a): got %a (0x%016llx), want %a", op, in, got, (unsigned long long)dbits(got),
                 want);
}

static void expect_f32(const char *op, float in, float got, float want)
{
    if (isnan(want) && isnan(got) && (fbits(got) & 0x00400000u)) return;
    if (fbits(got) != fbits(want))
        fail_msg("%s(%a): got %a (0x%08x), want %a", op, (double)in, (double)got, fbits(got),
                 (double)want);
}

static void test_f64_rounding(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        double (*oracle)(double);
    } ops[] = {{"f64_floor", floor},
               {"f64_ceil", ceil},
               {"f64_trunc", trunc},
               {"f64_nearest", nearbyint},
               {"f64_sqrt", sqrt}};
    assert_int_equal(fegetround(), FE_TONEAREST);
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        struct wasm_func *f = func(ops[k].name);
        for (int i = 0; i < RANDOM_INPUTS; i++) {
            wasm_value a = {.f64 = some_double(i)}, r;
            assert_int_equal(call(f, &a, &r), 0);
            expect_f64(ops[k].name, a.f64, r.f64, ops[k].oracle(a.f64));
        }
    }
}

static void test_f32_rounding(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        float (*oracle)(float);
    } ops[] = {{"f32_floor", floorf},
               {"f32_ceil", ceilf},
               {"f32_trunc", truncf},
               {"f32_nearest", nearbyintf},
               {"f32_sqrt", sqrtf}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        struct wasm_func *f = func(ops[k].name);
        for (int i = 0; i < RANDOM_INPUTS; i++) {
            wasm_value a = {.u64 = 0}, r;
            a.f32 = some_float(i);
            assert_int_equal(call(f, &a, &r), 0);
            expect_f32(ops[k].name, a.f32, r.f32, ops[k].oracle(a.f32));
        }
    }
}

/* spec 4.3.3 fmin/fmax: a NaN operand gives NaN; -0 is below +0. */
static void test_min_max(void **state)
{
    (void)state;
    struct wasm_func *fmin_ = func("f64_min"), *fmax_ = func("f64_max");
    for (int i = 0; i < RANDOM_INPUTS; i++) {
        wasm_value a[2] = {{.f64 = some_double(i % 24)}, {.f64 = some_double(i)}}, r;
        if (i & 1) {
            wasm_value t = a[0];
            a[0] = a[1];
            a[1] = t;
        }
        double x = a[0].f64, y = a[1].f64, lo, hi;
        if (isnan(x) || isnan(y)) {
            lo = hi = NAN;
        } else if (x == 0 && y == 0) {
            lo = signbit(x) ? x : y;
            hi = signbit(x) ? y : x;
        } else {
            lo = x < y ? x : y;
            hi = x > y ? x : y;
        }
        assert_int_equal(call(fmin_, a, &r), 0);
        expect_f64("f64_min", x, r.f64, lo);
        assert_int_equal(call(fmax_, a, &r), 0);
        expect_f64("f64_max", x, r.f64, hi);
    }
}

/* Integer to float: exact in long double, then one rounding. */
static void test_int_to_float(void **state)
{
    (void)state;
    struct wasm_func *u32f = func("f32_convert_i64_u"), *s32f = func("f32_convert_i64_s"),
                     *u64f = func("f64_convert_i64_u");
    for (int i = 0; i < RANDOM_INPUTS; i++) {
        uint64_t v = rnd() >> (rnd() % 64);
        if (i < 64)
            v = (1ull << i) + (i & 1 ? 1 : (1ull << i) - 1); /* rounding ties and near-ties */
        wasm_value a = {.u64 = v}, r;
        assert_int_equal(call(u32f, &a, &r), 0);
        expect_f32("f32.convert_i64_u", 0, r.f32, (float)(long double)v);
        assert_int_equal(call(s32f, &a, &r), 0);
        expect_f32("f32.convert_i64_s", 0, r.f32, (float)(long double)(int64_t)v);
        assert_int_equal(call(u64f, &a, &r), 0);
        expect_f64("f64.convert_i64_u", 0, r.f64, (double)(long double)v);
    }
}

/* Float to integer: traps (spec 4.3.3 trunc) and saturation (trunc_sat). */
static void test_float_to_int(void **state)
{
    (void)state;
    struct wasm_func *ts = func("i64_trunc_f64_s"), *tu = func("i64_trunc_f64_u"),
                     *sat32 = func("i32_trunc_sat_f64_s"), *satu = func("i64_trunc_sat_f32_u");
    const long double two63 = 9223372036854775808.0L, two64 = 18446744073709551616.0L;
    for (int i = 0; i < RANDOM_INPUTS; i++) {
        wasm_value a = {.f64 = some_double(i)}, r;
        long double t = truncl((long double)a.f64);
        int want = isnan(a.f64)                 ? WASM_TRAP_INVALID_CONV
                   : (t < -two63 || t >= two63) ? WASM_TRAP_INT_OVERFLOW
                                                : 0;
        int got = call(ts, &a, &r);
        assert_int_equal(got, want);
        if (!want && r.i64 != (int64_t)t)
            fail_msg("i64.trunc_f64_s(%a) = %lld", a.f64, (long long)r.i64);
        want = isnan(a.f64)            ? WASM_TRAP_INVALID_CONV
               : (t < 0 || t >= two64) ? WASM_TRAP_INT_OVERFLOW
                                       : 0;
        assert_int_equal(call(tu, &a, &r), want);
        if (!want && r.u64 != (uint64_t)t)
            fail_msg("i64.trunc_f64_u(%a) = %llu", a.f64, (unsigned long long)r.u64);
        int32_t s = isnan(a.f64)    ? 0
                    : t < INT32_MIN ? INT32_MIN
                    : t > INT32_MAX ? INT32_MAX
                                    : (int32_t)t;
        assert_int_equal(call(sat32, &a, &r), 0);
        assert_int_equal(r.i32, s);
        wasm_value b = {.u64 = 0};
        b.f32 = some_float(i);
        long double tf = truncl((long double)b.f32);
        uint64_t u = 0;
        if (!isnan(b.f32) && tf >= two64)
            u = UINT64_MAX;
        else if (!isnan(b.f32) && tf >= 0)
            u = (uint64_t)tf; // cppcheck-suppress floatConversionOverflow

        assert_int_equal(call(satu, &b, &r), 0);
        if (r.u64 != u)
            fail_msg("i64.trunc_sat_f32_u(%a) = %llu, want %llu", (double)b.f32,
                     (unsigned long long)r.u64, (unsigned long long)u);
    }
}

static void test_bits(void **state)
{
    (void)state;
    struct wasm_func *p32 = func("i32_popcnt"), *p64 = func("i64_popcnt"), *rot = func("i64_rotl");
    for (int i = 0; i < RANDOM_INPUTS; i++) {
        uint64_t v = rnd(), n = rnd() % 200;
        wasm_value a[2] = {{.u64 = v}, {.u64 = n}}, r;
        assert_int_equal(call(p32, a, &r), 0);
        assert_int_equal(r.u32, (uint32_t)__builtin_popcount((uint32_t)v));
        assert_int_equal(call(p64, a, &r), 0);
        assert_int_equal(r.u64, (uint64_t)__builtin_popcountll(v));
        assert_int_equal(call(rot, a, &r), 0);
        unsigned k = (unsigned)(n % 64);
        assert_int_equal(r.u64, k ? (v << k) | (v >> (64 - k)) : v);
    }
}

static int setup(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/numeric.wasm", wasm_dir);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    struct wasm_error err;
    if (wasm_module_load(buf, n, &mod, &err) ||
        wasm_instance_new(mod, NULL, NULL, NULL, &inst, &err, NULL)) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return -1;
    }
    return wasm_instance_engine(inst) == engine ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    wasm_instance_free(inst);
    wasm_module_free(mod);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1) wasm_dir = argv[1];
    const char *e = argc > 2 ? argv[2] : "interp";
    bool baseline = !strcmp(e, "jit-baseline");
    if (host_engine_select(baseline ? "jit" : e, WASM_ENGINE_INTERP, &engine)) {
        fprintf(stderr, "usage: test_numeric DIR [interp|jit|jit-baseline]\n");
        return 2;
    }
    wasm_jit_baseline_cpu(baseline);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f64_rounding), cmocka_unit_test(test_f32_rounding),
        cmocka_unit_test(test_min_max),      cmocka_unit_test(test_int_to_float),
        cmocka_unit_test(test_float_to_int), cmocka_unit_test(test_bits),
    };
    return cmocka_run_group_tests_name(baseline                    ? "wasm numeric (jit, baseline)"
                                       : engine == WASM_ENGINE_JIT ? "wasm numeric (jit)"
                                                                   : "wasm numeric",
                                       tests, setup, teardown);
}
