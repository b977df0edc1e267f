/*
 * lib/wasm/numeric.h - the numeric operators whose rules C does not give
 * directly (spec 4.3 "Numerics"), in portable C without libm: bit counts,
 * float min/max/copysign/abs/neg on the bits, ceil/floor/trunc/nearest
 * (no SSE4.1 roundsd assumed), sqrt, and float-to-int truncation with the
 * spec's range rules (trapping and saturating forms).
 *
 * NaN rules (spec 4.3.3): an operator with a NaN operand returns a NaN
 * with the quiet bit set; one without NaN operands that makes a NaN
 * returns the canonical NaN. x86 arithmetic already does both (it returns
 * the first NaN operand quieted, or the default NaN 0xffc00000, which is
 * canonical), so the helpers below only have to handle what they compute
 * without the FPU.
 */
#ifndef WASM_NUMERIC_H
#define WASM_NUMERIC_H

#include <stdbool.h>
#include <stdint.h>

static inline uint32_t f32_bits(float f)
{
    union {
        float f;
        uint32_t u;
    } v = {.f = f};
    return v.u;
}

static inline float f32_from(uint32_t u)
{
    union {
        uint32_t u;
        float f;
    } v = {.u = u};
    return v.f;
}

static inline uint64_t f64_bits(double f)
{
    union {
        double f;
        uint64_t u;
    } v = {.f = f};
    return v.u;
}

static inline double f64_from(uint64_t u)
{
    union {
        uint64_t u;
        double f;
    } v = {.u = u};
    return v.f;
}

#define F32_SIGN  0x80000000u
#define F32_QUIET 0x00400000u
#define F64_SIGN  0x8000000000000000ull
#define F64_QUIET 0x0008000000000000ull

static inline uint32_t wasm_popcnt32(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (x * 0x01010101u) >> 24;
}

static inline uint64_t wasm_popcnt64(uint64_t x)
{
    return wasm_popcnt32((uint32_t)x) + wasm_popcnt32((uint32_t)(x >> 32));
}

static inline uint32_t wasm_clz32(uint32_t x)
{
    return x ? (uint32_t)__builtin_clz(x) : 32;
}
static inline uint32_t wasm_ctz32(uint32_t x)
{
    return x ? (uint32_t)__builtin_ctz(x) : 32;
}
static inline uint64_t wasm_clz64(uint64_t x)
{
    return x ? (uint64_t)__builtin_clzll(x) : 64;
}
static inline uint64_t wasm_ctz64(uint64_t x)
{
    return x ? (uint64_t)__builtin_ctzll(x) : 64;
}

static inline uint32_t wasm_rotl32(uint32_t x, uint32_t n)
{
    n &= 31;
    return (x << n) | (x >> ((32 - n) & 31));
}
static inline uint32_t wasm_rotr32(uint32_t x, uint32_t n)
{
    n &= 31;
    return (x >> n) | (x << ((32 - n) & 31));
}
static inline uint64_t wasm_rotl64(uint64_t x, uint64_t n)
{
    n &= 63;
    return (x << n) | (x >> ((64 - n) & 63));
}
static inline uint64_t wasm_rotr64(uint64_t x, uint64_t n)
{
    n &= 63;
    return (x >> n) | (x << ((64 - n) & 63));
}

/* ---- min, max (spec 4.3.3 fmin/fmax): NaN wins, -0 < +0 ---- */

static inline float wasm_fminf(float a, float b)
{
    if (a != a || b != b) return a + b; /* a quieted NaN operand */
    if (a == 0 && b == 0) return f32_from(f32_bits(a) | f32_bits(b));
    return a < b ? a : b;
}

static inline float wasm_fmaxf(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == 0 && b == 0) return f32_from(f32_bits(a) & f32_bits(b));
    return a > b ? a : b;
}

static inline double wasm_fmin(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == 0 && b == 0) return f64_from(f64_bits(a) | f64_bits(b));
    return a < b ? a : b;
}

static inline double wasm_fmax(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == 0 && b == 0) return f64_from(f64_bits(a) & f64_bits(b));
    return a > b ? a : b;
}

/* ---- rounding to integral values (spec 4.3.3 fceil, ffloor, ftrunc, fnearest) ---- */

/* Values with |x| >= 2^23 (f32) or 2^52 (f64) are already integral, as
 * are infinities; NaNs come back quieted. Below that, a conversion through
 * a wide enough integer truncates exactly, and the sign of the input is
 * put back so that e.g. trunc(-0.5) is -0. */
static inline bool f32_is_integral_or_nan(float x, float *out)
{
    uint32_t b = f32_bits(x);
    if ((b & ~F32_SIGN) > 0x7f800000u) {
        *out = f32_from(b | F32_QUIET);
        return true;
    }
    if ((b & ~F32_SIGN) >= 0x4b000000u) { /* 2^23 */
        *out = x;
        return true;
    }
    return false;
}

static inline float wasm_copysignf(float mag, float sgn)
{
    return f32_from((f32_bits(mag) & ~F32_SIGN) | (f32_bits(sgn) & F32_SIGN));
}

static inline float wasm_truncf(float x)
{
    float r;
    if (f32_is_integral_or_nan(x, &r)) return r;
    return wasm_copysignf((float)(int32_t)x, x);
}

static inline float wasm_floorf(float x)
{
    float r;
    if (f32_is_integral_or_nan(x, &r)) return r;
    r = wasm_truncf(x);
    return r > x ? r - 1.0f : r;
}

static inline float wasm_ceilf(float x)
{
    float r;
    if (f32_is_integral_or_nan(x, &r)) return r;
    r = wasm_truncf(x);
    return r < x ? wasm_copysignf(r + 1.0f, x) : r;
}

/* Round half to even: adding and subtracting 2^23 rounds in the FPU's
 * default mode, round-to-nearest-even, which is the spec's. */
static inline float wasm_nearestf(float x)
{
    float r;
    if (f32_is_integral_or_nan(x, &r)) return r;
    volatile float big = 8388608.0f;
    float mag = f32_from(f32_bits(x) & ~F32_SIGN);
    r = (mag + big) - big;
    return wasm_copysignf(r, x);
}

static inline bool f64_is_integral_or_nan(double x, double *out)
{
    uint64_t b = f64_bits(x);
    if ((b & ~F64_SIGN) > 0x7ff0000000000000ull) {
        *out = f64_from(b | F64_QUIET);
        return true;
    }
    if ((b & ~F64_SIGN) >= 0x4330000000000000ull) { /* 2^52 */
        *out = x;
        return true;
    }
    return false;
}

static inline double wasm_copysign(double mag, double sgn)
{
    return f64_from((f64_bits(mag) & ~F64_SIGN) | (f64_bits(sgn) & F64_SIGN));
}

static inline double wasm_trunc(double x)
{
    double r;
    if (f64_is_integral_or_nan(x, &r)) return r;
    return wasm_copysign((double)(int64_t)x, x);
}

static inline double wasm_floor(double x)
{
    double r;
    if (f64_is_integral_or_nan(x, &r)) return r;
    r = wasm_trunc(x);
    return r > x ? r - 1.0 : r;
}

static inline double wasm_ceil(double x)
{
    double r;
    if (f64_is_integral_or_nan(x, &r)) return r;
    r = wasm_trunc(x);
    return r < x ? wasm_copysign(r + 1.0, x) : r;
}

static inline double wasm_nearest(double x)
{
    double r;
    if (f64_is_integral_or_nan(x, &r)) return r;
    volatile double big = 4503599627370496.0;
    double mag = f64_from(f64_bits(x) & ~F64_SIGN);
    r = (mag + big) - big;
    return wasm_copysign(r, x);
}

/* ---- sqrt: one SSE2 instruction, never a libm call ---- */

static inline float wasm_sqrtf(float x)
{
#if defined(__x86_64__) && defined(__SSE2__)
    float r;
    __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
    return r;
#else
    return __builtin_sqrtf(x);
#endif
}

static inline double wasm_sqrt(double x)
{
#if defined(__x86_64__) && defined(__SSE2__)
    double r;
    __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(x));
    return r;
#else
    return __builtin_sqrt(x);
#endif
}

/* ---- float to integer (spec 4.3.3 trunc, trunc_sat) ---- */

/* Result of a trapping truncation: 0 ok, or which trap. */
enum { TRUNC_OK = 0, TRUNC_NAN = 1, TRUNC_RANGE = 2 };

/* In range means the truncated value is representable; the bounds are the
 * exact first values outside, written so that each is exact in the
 * source type. */
#define WASM_TRUNC(name, FT, IT, lo_ok, hi)                                                        \
    static inline int name(FT x, IT *out)                                                          \
    {                                                                                              \
        if (x != x) return TRUNC_NAN;                                                              \
        if (!(lo_ok && x < hi)) return TRUNC_RANGE;                                                \
        *out = (IT)x;                                                                              \
        return TRUNC_OK;                                                                           \
    }

WASM_TRUNC(trunc_f32_i32, float, int32_t, x >= -2147483648.0f, 2147483648.0f)
WASM_TRUNC(trunc_f32_u32, float, uint32_t, x > -1.0f, 4294967296.0f)
WASM_TRUNC(trunc_f64_i32, double, int32_t, x > -2147483649.0, 2147483648.0)
WASM_TRUNC(trunc_f64_u32, double, uint32_t, x > -1.0, 4294967296.0)
WASM_TRUNC(trunc_f32_i64, float, int64_t, x >= -9223372036854775808.0f, 9223372036854775808.0f)
WASM_TRUNC(trunc_f32_u64, float, uint64_t, x > -1.0f, 18446744073709551616.0f)
WASM_TRUNC(trunc_f64_i64, double, int64_t, x >= -9223372036854775808.0, 9223372036854775808.0)
WASM_TRUNC(trunc_f64_u64, double, uint64_t, x > -1.0, 18446744073709551616.0)

/* Saturating forms: NaN is 0, out-of-range values clamp. */
#define WASM_TRUNC_SAT(name, trunc, FT, IT, min, max)                                              \
    static inline IT name(FT x)                                                                    \
    {                                                                                              \
        IT r;                                                                                      \
        int e = trunc(x, &r);                                                                      \
        if (e == TRUNC_OK) return r;                                                               \
        if (e == TRUNC_NAN) return 0;                                                              \
        return x < 0 ? (min) : (max);                                                              \
    }

WASM_TRUNC_SAT(sat_f32_i32, trunc_f32_i32, float, int32_t, INT32_MIN, INT32_MAX)
WASM_TRUNC_SAT(sat_f32_u32, trunc_f32_u32, float, uint32_t, 0, UINT32_MAX)
WASM_TRUNC_SAT(sat_f64_i32, trunc_f64_i32, double, int32_t, INT32_MIN, INT32_MAX)
WASM_TRUNC_SAT(sat_f64_u32, trunc_f64_u32, double, uint32_t, 0, UINT32_MAX)
WASM_TRUNC_SAT(sat_f32_i64, trunc_f32_i64, float, int64_t, INT64_MIN, INT64_MAX)
WASM_TRUNC_SAT(sat_f32_u64, trunc_f32_u64, float, uint64_t, 0, UINT64_MAX)
WASM_TRUNC_SAT(sat_f64_i64, trunc_f64_i64, double, int64_t, INT64_MIN, INT64_MAX)
WASM_TRUNC_SAT(sat_f64_u64, trunc_f64_u64, double, uint64_t, 0, UINT64_MAX)

#endif
