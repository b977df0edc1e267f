/*
 * lib/wasm/simd.h - lane arithmetic of the SIMD instructions in portable C
 * (spec 4.3.2 integer and 4.3.3 float operations, per lane): the v128
 * type, saturation, rounding average, q15 multiply, and the float rules
 * of numeric.h applied per lane. Used by interp_simd.c.
 */
#ifndef WASM_SIMD_H
#define WASM_SIMD_H

#include "wasm/numeric.h"

#include <stdint.h>

/* A v128 as its lanes (little-endian: lane 0 is the lowest address). */
typedef union {
    uint8_t u8[16];
    int8_t i8[16];
    uint16_t u16[8];
    int16_t i16[8];
    uint32_t u32[4];
    int32_t i32[4];
    uint64_t u64[2];
    int64_t i64[2];
    float f32[4];
    double f64[2];
} v128_t;

/* Saturation of a wider intermediate to a lane type (spec sat_s, sat_u). */
static inline int8_t sat_i8(int32_t x)
{
    return (int8_t)(x < INT8_MIN ? INT8_MIN : x > INT8_MAX ? INT8_MAX : x);
}
static inline uint8_t sat_u8(int32_t x)
{
    return (uint8_t)(x < 0 ? 0 : x > UINT8_MAX ? UINT8_MAX : x);
}
static inline int16_t sat_i16(int32_t x)
{
    return (int16_t)(x < INT16_MIN ? INT16_MIN : x > INT16_MAX ? INT16_MAX : x);
}
static inline uint16_t sat_u16(int32_t x)
{
    return (uint16_t)(x < 0 ? 0 : x > UINT16_MAX ? UINT16_MAX : x);
}

/* i16x8.q15mulr_sat_s: (a * b + 2^14) >> 15, saturated. */
static inline int16_t q15mulr_sat(int16_t a, int16_t b)
{
    return sat_i16(((int32_t)a * b + 0x4000) >> 15);
}

/* Pseudo-min/max (spec fpmin, fpmax): b < a ? b : a, a < b ? b : a, so
 * NaNs and signed zeros follow the operand order, not IEEE min/max. */
static inline float wasm_pminf(float a, float b)
{
    return b < a ? b : a;
}
static inline float wasm_pmaxf(float a, float b)
{
    return a < b ? b : a;
}
static inline double wasm_pmin(double a, double b)
{
    return b < a ? b : a;
}
static inline double wasm_pmax(double a, double b)
{
    return a < b ? b : a;
}

/* All ones when true: the lane result of a vector compare. */
#define LANE_MASK(T, cond) ((cond) ? (T) ~(T)0 : (T)0)

#endif
