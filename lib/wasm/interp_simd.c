/*
 * lib/wasm/interp_simd.c - the interpreter's SIMD instructions: one call
 * per `simd` op (ops.h: [D A B C SUB X0 X1 X2 X3] in a wide frame, so a
 * v128 slot is 16 bytes at fp + slot). SUB is the instruction's 0xfd
 * opcode; the shapes (which of A, B, C are used, and their types) are
 * compile_simd.c's. Portable C, one lane at a time (simd.h, numeric.h):
 * the compiler may vectorize it, the semantics never depend on it.
 */
#include "wasm/internal.h"
#include "wasm/simd.h"

/* One lane-wise operation: r.L[i] = expr for every lane i. */
#define MAP(L, N, expr)                                                                            \
    do {                                                                                           \
        for (int i = 0; i < (N); i++)                                                              \
            r.L[i] = (expr);                                                                       \
    } while (0)

/* The ten integer compares of one lane shape, opcodes base .. base+9. */
#define ICMP(base, N, S, U, T)                                                                     \
    case base: MAP(U, N, LANE_MASK(T, a.U[i] == b.U[i])); break;                                   \
    case base + 1: MAP(U, N, LANE_MASK(T, a.U[i] != b.U[i])); break;                               \
    case base + 2: MAP(U, N, LANE_MASK(T, a.S[i] < b.S[i])); break;                                \
    case base + 3: MAP(U, N, LANE_MASK(T, a.U[i] < b.U[i])); break;                                \
    case base + 4: MAP(U, N, LANE_MASK(T, a.S[i] > b.S[i])); break;                                \
    case base + 5: MAP(U, N, LANE_MASK(T, a.U[i] > b.U[i])); break;                                \
    case base + 6: MAP(U, N, LANE_MASK(T, a.S[i] <= b.S[i])); break;                               \
    case base + 7: MAP(U, N, LANE_MASK(T, a.U[i] <= b.U[i])); break;                               \
    case base + 8: MAP(U, N, LANE_MASK(T, a.S[i] >= b.S[i])); break;                               \
    case base + 9: MAP(U, N, LANE_MASK(T, a.U[i] >= b.U[i])); break;

/* The six float compares: eq ne lt gt le ge. */
#define FCMP(base, N, F, U, T)                                                                     \
    case base: MAP(U, N, LANE_MASK(T, a.F[i] == b.F[i])); break;                                   \
    case base + 1: MAP(U, N, LANE_MASK(T, a.F[i] != b.F[i])); break;                               \
    case base + 2: MAP(U, N, LANE_MASK(T, a.F[i] < b.F[i])); break;                                \
    case base + 3: MAP(U, N, LANE_MASK(T, a.F[i] > b.F[i])); break;                                \
    case base + 4: MAP(U, N, LANE_MASK(T, a.F[i] <= b.F[i])); break;                               \
    case base + 5: MAP(U, N, LANE_MASK(T, a.F[i] >= b.F[i])); break;

static void rd_v(v128_t *v, const slot_t *s)
{
    __builtin_memcpy(v, s, sizeof *v);
}

static void wr_v(slot_t *s, const v128_t *v)
{
    __builtin_memcpy(s, v, sizeof *v);
}

/* Memory instructions (0x00 .. 0x0b, 0x54 .. 0x5d): A is the address, B
 * the vector of lane and store forms, X0 the offset, X1 the lane. */
static int simd_memory(uint32_t sub, const uint32_t *ip, slot_t *fp, uint8_t *mbase, uint64_t msize)
{
    static const uint8_t load_size[] = {16, 8, 8, 8, 8, 8, 8, 1, 2, 4, 8, 16};
    static const uint8_t lane_size[] = {1, 2, 4, 8, 1, 2, 4, 8, 4, 8};
    uint64_t ea = (uint64_t)fp[ip[2]].u32 + ip[6];
    uint32_t n = sub <= 0x0b ? load_size[sub] : lane_size[sub - 0x54], lane = ip[7];
    if (ea + n > msize) return WASM_TRAP_MEMORY_OOB;
    const uint8_t *m = mbase + ea;
    v128_t r, a;
    uint64_t w = 0;
    if (sub != 0x00 && sub != 0x0b) __builtin_memcpy(&w, m, n);
    v128_t h; /* the 8 loaded bytes of the extending loads */
    h.u64[0] = w;
    switch (sub) {
    case 0x00: __builtin_memcpy(&r, m, 16); break;
    case 0x01: MAP(i16, 8, h.i8[i]); break;
    case 0x02: MAP(u16, 8, h.u8[i]); break;
    case 0x03: MAP(i32, 4, h.i16[i]); break;
    case 0x04: MAP(u32, 4, h.u16[i]); break;
    case 0x05: MAP(i64, 2, h.i32[i]); break;
    case 0x06: MAP(u64, 2, h.u32[i]); break;
    case 0x07: MAP(u8, 16, (uint8_t)w); break;
    case 0x08: MAP(u16, 8, (uint16_t)w); break;
    case 0x09: MAP(u32, 4, (uint32_t)w); break;
    case 0x0a: MAP(u64, 2, w); break;
    case 0x0b: __builtin_memcpy(mbase + ea, &fp[ip[3]], 16); return 0;
    case 0x54:
    case 0x55:
    case 0x56:
    case 0x57:
        rd_v(&r, &fp[ip[3]]);
        __builtin_memcpy(&r.u8[lane * n], m, n);
        break;
    case 0x58:
    case 0x59:
    case 0x5a:
    case 0x5b:
        rd_v(&a, &fp[ip[3]]);
        __builtin_memcpy(mbase + ea, &a.u8[lane * n], n);
        return 0;
    default: /* 0x5c, 0x5d: load32_zero, load64_zero */
        r.u64[0] = w;
        r.u64[1] = 0;
        break;
    }
    wr_v(&fp[ip[1]], &r);
    return 0;
}

/* splat, extract_lane, replace_lane (0x0f .. 0x22): A the vector (or
 * the scalar of a splat), B the scalar of a replace, X1 the lane. */
static void simd_lanes(uint32_t sub, const uint32_t *ip, slot_t *fp)
{
    const slot_t s = fp[ip[sub <= 0x14 ? 2 : 3]];
    uint32_t l = ip[7];
    v128_t r;
    slot_t *d = &fp[ip[1]];
    rd_v(&r, &fp[ip[2]]);
    switch (sub) {
    case 0x0f: MAP(u8, 16, (uint8_t)s.u32); break;
    case 0x10: MAP(u16, 8, (uint16_t)s.u32); break;
    case 0x11:
    case 0x13: MAP(u32, 4, s.u32); break;
    case 0x12:
    case 0x14: MAP(u64, 2, s.u64); break;
    case 0x15: d->u64 = (uint32_t)(int32_t)r.i8[l]; return;
    case 0x16: d->u64 = r.u8[l]; return;
    case 0x17: r.u8[l] = (uint8_t)s.u32; break;
    case 0x18: d->u64 = (uint32_t)(int32_t)r.i16[l]; return;
    case 0x19: d->u64 = r.u16[l]; return;
    case 0x1a: r.u16[l] = (uint16_t)s.u32; break;
    case 0x1b:
    case 0x1f: d->u64 = r.u32[l]; return;
    case 0x1c:
    case 0x20: r.u32[l] = s.u32; break;
    case 0x1d:
    case 0x21: d->u64 = r.u64[l]; return;
    default: r.u64[l] = s.u64; break; /* 0x1e, 0x22 */
    }
    wr_v(d, &r);
}

/* any_true, all_true, bitmask: an i32 result. */
static uint32_t simd_test(uint32_t sub, const v128_t *a)
{
    uint32_t r = 0;
    switch (sub) {
    case 0x53: return (a->u64[0] | a->u64[1]) != 0;
    case 0x63:
        for (int i = 0; i < 16; i++)
            if (!a->u8[i]) return 0;
        return 1;
    case 0x83:
        for (int i = 0; i < 8; i++)
            if (!a->u16[i]) return 0;
        return 1;
    case 0xa3: return a->u32[0] && a->u32[1] && a->u32[2] && a->u32[3];
    case 0xc3: return a->u64[0] && a->u64[1];
    case 0x64:
        for (int i = 0; i < 16; i++)
            r |= (uint32_t)(a->u8[i] >> 7) << i;
        return r;
    case 0x84:
        for (int i = 0; i < 8; i++)
            r |= (uint32_t)(a->u16[i] >> 15) << i;
        return r;
    case 0xa4:
        for (int i = 0; i < 4; i++)
            r |= (a->u32[i] >> 31) << i;
        return r;
    default: return (uint32_t)(a->u64[0] >> 63) | (uint32_t)(a->u64[1] >> 63) << 1; /* 0xc4 */
    }
}

/* Shifts (spec ishl, ishr_s, ishr_u): the count modulo the lane width. */
static void simd_shift(uint32_t sub, const v128_t *pa, uint32_t n, v128_t *pr)
{
    const v128_t a = *pa;
    v128_t r;
    switch (sub) {
    case 0x6b: MAP(u8, 16, (uint8_t)(a.u8[i] << (n & 7))); break;
    case 0x6c: MAP(i8, 16, (int8_t)(a.i8[i] >> (n & 7))); break;
    case 0x6d: MAP(u8, 16, (uint8_t)(a.u8[i] >> (n & 7))); break;
    case 0x8b: MAP(u16, 8, (uint16_t)(a.u16[i] << (n & 15))); break;
    case 0x8c: MAP(i16, 8, (int16_t)(a.i16[i] >> (n & 15))); break;
    case 0x8d: MAP(u16, 8, (uint16_t)(a.u16[i] >> (n & 15))); break;
    case 0xab: MAP(u32, 4, a.u32[i] << (n & 31)); break;
    case 0xac: MAP(i32, 4, a.i32[i] >> (n & 31)); break;
    case 0xad: MAP(u32, 4, a.u32[i] >> (n & 31)); break;
    case 0xcb: MAP(u64, 2, a.u64[i] << (n & 63)); break;
    case 0xcc: MAP(i64, 2, a.i64[i] >> (n & 63)); break;
    default: MAP(u64, 2, a.u64[i] >> (n & 63)); break; /* 0xcd */
    }
    *pr = r;
}

/* Float lanes (0x5e, 0x5f, 0x67 .. 0x6a, 0x74, 0x75, 0x7a, 0x94, 0xe0 ..
 * 0xff): numeric.h's scalar rules per lane; false if sub is not one. */
static bool simd_float(uint32_t sub, const v128_t *pa, const v128_t *pb, v128_t *pr)
{
    const v128_t a = *pa, b = *pb;
    v128_t r;
    switch (sub) {
    case 0x5e:
        r.f32[0] = (float)a.f64[0], r.f32[1] = (float)a.f64[1];
        r.u32[2] = r.u32[3] = 0;
        break;
    case 0x5f: MAP(f64, 2, (double)a.f32[i]); break;
    case 0x67: MAP(f32, 4, wasm_ceilf(a.f32[i])); break;
    case 0x68: MAP(f32, 4, wasm_floorf(a.f32[i])); break;
    case 0x69: MAP(f32, 4, wasm_truncf(a.f32[i])); break;
    case 0x6a: MAP(f32, 4, wasm_nearestf(a.f32[i])); break;
    case 0x74: MAP(f64, 2, wasm_ceil(a.f64[i])); break;
    case 0x75: MAP(f64, 2, wasm_floor(a.f64[i])); break;
    case 0x7a: MAP(f64, 2, wasm_trunc(a.f64[i])); break;
    case 0x94: MAP(f64, 2, wasm_nearest(a.f64[i])); break;
    case 0xe0: MAP(u32, 4, a.u32[i] & ~F32_SIGN); break;
    case 0xe1: MAP(u32, 4, a.u32[i] ^ F32_SIGN); break;
    case 0xe3: MAP(f32, 4, wasm_sqrtf(a.f32[i])); break;
    case 0xe4: MAP(f32, 4, a.f32[i] + b.f32[i]); break;
    case 0xe5: MAP(f32, 4, a.f32[i] - b.f32[i]); break;
    case 0xe6: MAP(f32, 4, a.f32[i] * b.f32[i]); break;
    case 0xe7: MAP(f32, 4, a.f32[i] / b.f32[i]); break;
    case 0xe8: MAP(f32, 4, wasm_fminf(a.f32[i], b.f32[i])); break;
    case 0xe9: MAP(f32, 4, wasm_fmaxf(a.f32[i], b.f32[i])); break;
    case 0xea: MAP(f32, 4, wasm_pminf(a.f32[i], b.f32[i])); break;
    case 0xeb: MAP(f32, 4, wasm_pmaxf(a.f32[i], b.f32[i])); break;
    case 0xec: MAP(u64, 2, a.u64[i] & ~F64_SIGN); break;
    case 0xed: MAP(u64, 2, a.u64[i] ^ F64_SIGN); break;
    case 0xef: MAP(f64, 2, wasm_sqrt(a.f64[i])); break;
    case 0xf0: MAP(f64, 2, a.f64[i] + b.f64[i]); break;
    case 0xf1: MAP(f64, 2, a.f64[i] - b.f64[i]); break;
    case 0xf2: MAP(f64, 2, a.f64[i] * b.f64[i]); break;
    case 0xf3: MAP(f64, 2, a.f64[i] / b.f64[i]); break;
    case 0xf4: MAP(f64, 2, wasm_fmin(a.f64[i], b.f64[i])); break;
    case 0xf5: MAP(f64, 2, wasm_fmax(a.f64[i], b.f64[i])); break;
    case 0xf6: MAP(f64, 2, wasm_pmin(a.f64[i], b.f64[i])); break;
    case 0xf7: MAP(f64, 2, wasm_pmax(a.f64[i], b.f64[i])); break;
    case 0xf8: MAP(i32, 4, sat_f32_i32(a.f32[i])); break;
    case 0xf9: MAP(u32, 4, sat_f32_u32(a.f32[i])); break;
    case 0xfa: MAP(f32, 4, (float)a.i32[i]); break;
    case 0xfb: MAP(f32, 4, (float)a.u32[i]); break;
    case 0xfc:
        r.i32[0] = sat_f64_i32(a.f64[0]), r.i32[1] = sat_f64_i32(a.f64[1]);
        r.u32[2] = r.u32[3] = 0;
        break;
    case 0xfd:
        r.u32[0] = sat_f64_u32(a.f64[0]), r.u32[1] = sat_f64_u32(a.f64[1]);
        r.u32[2] = r.u32[3] = 0;
        break;
    case 0xfe: MAP(f64, 2, (double)a.i32[i]); break;
    case 0xff: MAP(f64, 2, (double)a.u32[i]); break;
    default: return false;
    }
    *pr = r;
    return true;
}

/* i8x16 lanes (0x60 .. 0x7b without the float and shift ones). */
static void simd_i8(uint32_t sub, const v128_t *pa, const v128_t *pb, v128_t *pr)
{
    const v128_t a = *pa, b = *pb;
    v128_t r = {{0}};
    switch (sub) {
    case 0x60: MAP(u8, 16, a.i8[i] < 0 ? (uint8_t)-a.u8[i] : a.u8[i]); break;
    case 0x61: MAP(u8, 16, (uint8_t)-a.u8[i]); break;
    case 0x62: MAP(u8, 16, (uint8_t)wasm_popcnt32(a.u8[i])); break;
    case 0x65: MAP(i8, 16, sat_i8(i < 8 ? a.i16[i] : b.i16[i - 8])); break;
    case 0x66: MAP(u8, 16, sat_u8(i < 8 ? a.i16[i] : b.i16[i - 8])); break;
    case 0x6e: MAP(u8, 16, (uint8_t)(a.u8[i] + b.u8[i])); break;
    case 0x6f: MAP(i8, 16, sat_i8(a.i8[i] + b.i8[i])); break;
    case 0x70: MAP(u8, 16, sat_u8(a.u8[i] + b.u8[i])); break;
    case 0x71: MAP(u8, 16, (uint8_t)(a.u8[i] - b.u8[i])); break;
    case 0x72: MAP(i8, 16, sat_i8(a.i8[i] - b.i8[i])); break;
    case 0x73: MAP(u8, 16, sat_u8(a.u8[i] - b.u8[i])); break;
    case 0x76: MAP(i8, 16, a.i8[i] < b.i8[i] ? a.i8[i] : b.i8[i]); break;
    case 0x77: MAP(u8, 16, a.u8[i] < b.u8[i] ? a.u8[i] : b.u8[i]); break;
    case 0x78: MAP(i8, 16, a.i8[i] > b.i8[i] ? a.i8[i] : b.i8[i]); break;
    case 0x79: MAP(u8, 16, a.u8[i] > b.u8[i] ? a.u8[i] : b.u8[i]); break;
    case 0x7b: MAP(u8, 16, (uint8_t)((a.u8[i] + b.u8[i] + 1) >> 1)); break;
    case 0x7c: MAP(i16, 8, (int16_t)(a.i8[2 * i] + a.i8[2 * i + 1])); break;
    case 0x7d: MAP(u16, 8, (uint16_t)(a.u8[2 * i] + a.u8[2 * i + 1])); break;
    case 0x7e: MAP(i32, 4, a.i16[2 * i] + a.i16[2 * i + 1]); break;
    case 0x7f: MAP(u32, 4, (uint32_t)a.u16[2 * i] + a.u16[2 * i + 1]); break;
    }
    *pr = r;
}

/* i16x8 lanes (0x80 .. 0x9f without the tests, shifts and f64x2.nearest). */
static void simd_i16(uint32_t sub, const v128_t *pa, const v128_t *pb, v128_t *pr)
{
    const v128_t a = *pa, b = *pb;
    v128_t r = {{0}};
    switch (sub) {
    case 0x80: MAP(u16, 8, a.i16[i] < 0 ? (uint16_t)-a.u16[i] : a.u16[i]); break;
    case 0x81: MAP(u16, 8, (uint16_t)-a.u16[i]); break;
    case 0x82: MAP(i16, 8, q15mulr_sat(a.i16[i], b.i16[i])); break;
    case 0x85: MAP(i16, 8, sat_i16(i < 4 ? a.i32[i] : b.i32[i - 4])); break;
    case 0x86: MAP(u16, 8, sat_u16(i < 4 ? a.i32[i] : b.i32[i - 4])); break;
    case 0x87: MAP(i16, 8, a.i8[i]); break;
    case 0x88: MAP(i16, 8, a.i8[i + 8]); break;
    case 0x89: MAP(u16, 8, a.u8[i]); break;
    case 0x8a: MAP(u16, 8, a.u8[i + 8]); break;
    case 0x8e: MAP(u16, 8, (uint16_t)(a.u16[i] + b.u16[i])); break;
    case 0x8f: MAP(i16, 8, sat_i16(a.i16[i] + b.i16[i])); break;
    case 0x90: MAP(u16, 8, sat_u16(a.u16[i] + b.u16[i])); break;
    case 0x91: MAP(u16, 8, (uint16_t)(a.u16[i] - b.u16[i])); break;
    case 0x92: MAP(i16, 8, sat_i16(a.i16[i] - b.i16[i])); break;
    case 0x93: MAP(u16, 8, sat_u16(a.u16[i] - b.u16[i])); break;
    case 0x95: MAP(u16, 8, (uint16_t)((uint32_t)a.u16[i] * b.u16[i])); break;
    case 0x96: MAP(i16, 8, a.i16[i] < b.i16[i] ? a.i16[i] : b.i16[i]); break;
    case 0x97: MAP(u16, 8, a.u16[i] < b.u16[i] ? a.u16[i] : b.u16[i]); break;
    case 0x98: MAP(i16, 8, a.i16[i] > b.i16[i] ? a.i16[i] : b.i16[i]); break;
    case 0x99: MAP(u16, 8, a.u16[i] > b.u16[i] ? a.u16[i] : b.u16[i]); break;
    case 0x9b: MAP(u16, 8, (uint16_t)((a.u16[i] + b.u16[i] + 1) >> 1)); break;
    case 0x9c: MAP(i16, 8, (int16_t)(a.i8[i] * b.i8[i])); break;
    case 0x9d: MAP(i16, 8, (int16_t)(a.i8[i + 8] * b.i8[i + 8])); break;
    case 0x9e: MAP(u16, 8, (uint16_t)(a.u8[i] * b.u8[i])); break;
    case 0x9f: MAP(u16, 8, (uint16_t)(a.u8[i + 8] * b.u8[i + 8])); break;
    }
    *pr = r;
}

/* i32x4 and i64x2 lanes (0xa0 .. 0xdf without tests, shifts, compares). */
static void simd_i32_i64(uint32_t sub, const v128_t *pa, const v128_t *pb, v128_t *pr)
{
    const v128_t a = *pa, b = *pb;
    v128_t r = {{0}};
    switch (sub) {
    case 0xa0: MAP(u32, 4, a.i32[i] < 0 ? 0u - a.u32[i] : a.u32[i]); break;
    case 0xa1: MAP(u32, 4, 0u - a.u32[i]); break;
    case 0xa7: MAP(i32, 4, a.i16[i]); break;
    case 0xa8: MAP(i32, 4, a.i16[i + 4]); break;
    case 0xa9: MAP(u32, 4, a.u16[i]); break;
    case 0xaa: MAP(u32, 4, a.u16[i + 4]); break;
    case 0xae: MAP(u32, 4, a.u32[i] + b.u32[i]); break;
    case 0xb1: MAP(u32, 4, a.u32[i] - b.u32[i]); break;
    case 0xb5: MAP(u32, 4, a.u32[i] * b.u32[i]); break;
    case 0xb6: MAP(i32, 4, a.i32[i] < b.i32[i] ? a.i32[i] : b.i32[i]); break;
    case 0xb7: MAP(u32, 4, a.u32[i] < b.u32[i] ? a.u32[i] : b.u32[i]); break;
    case 0xb8: MAP(i32, 4, a.i32[i] > b.i32[i] ? a.i32[i] : b.i32[i]); break;
    case 0xb9: MAP(u32, 4, a.u32[i] > b.u32[i] ? a.u32[i] : b.u32[i]); break;
    case 0xba:
        MAP(u32, 4,
            (uint32_t)(a.i16[2 * i] * b.i16[2 * i]) +
                (uint32_t)(a.i16[2 * i + 1] * b.i16[2 * i + 1]));
        break;
    case 0xbc: MAP(i32, 4, a.i16[i] * b.i16[i]); break;
    case 0xbd: MAP(i32, 4, a.i16[i + 4] * b.i16[i + 4]); break;
    case 0xbe: MAP(u32, 4, (uint32_t)a.u16[i] * b.u16[i]); break;
    case 0xbf: MAP(u32, 4, (uint32_t)a.u16[i + 4] * b.u16[i + 4]); break;
    case 0xc0: MAP(u64, 2, a.i64[i] < 0 ? 0u - a.u64[i] : a.u64[i]); break;
    case 0xc1: MAP(u64, 2, 0u - a.u64[i]); break;
    case 0xc7: MAP(i64, 2, a.i32[i]); break;
    case 0xc8: MAP(i64, 2, a.i32[i + 2]); break;
    case 0xc9: MAP(u64, 2, a.u32[i]); break;
    case 0xca: MAP(u64, 2, a.u32[i + 2]); break;
    case 0xce: MAP(u64, 2, a.u64[i] + b.u64[i]); break;
    case 0xd1: MAP(u64, 2, a.u64[i] - b.u64[i]); break;
    case 0xd5: MAP(u64, 2, a.u64[i] * b.u64[i]); break;
    case 0xd6: MAP(u64, 2, LANE_MASK(uint64_t, a.i64[i] == b.i64[i])); break;
    case 0xd7: MAP(u64, 2, LANE_MASK(uint64_t, a.i64[i] != b.i64[i])); break;
    case 0xd8: MAP(u64, 2, LANE_MASK(uint64_t, a.i64[i] < b.i64[i])); break;
    case 0xd9: MAP(u64, 2, LANE_MASK(uint64_t, a.i64[i] > b.i64[i])); break;
    case 0xda: MAP(u64, 2, LANE_MASK(uint64_t, a.i64[i] <= b.i64[i])); break;
    case 0xdb: MAP(u64, 2, LANE_MASK(uint64_t, a.i64[i] >= b.i64[i])); break;
    case 0xdc: MAP(i64, 2, (int64_t)a.i32[i] * b.i32[i]); break;
    case 0xdd: MAP(i64, 2, (int64_t)a.i32[i + 2] * b.i32[i + 2]); break;
    case 0xde: MAP(u64, 2, (uint64_t)a.u32[i] * b.u32[i]); break;
    case 0xdf: MAP(u64, 2, (uint64_t)a.u32[i + 2] * b.u32[i + 2]); break;
    }
    *pr = r;
}

/* Everything with only v128 operands below 0x60: const, shuffle,
 * swizzle, the compares, the bitwise ops. */
static void simd_low(uint32_t sub, const uint32_t *ip, const v128_t *pa, const v128_t *pb,
                     const v128_t *pc, v128_t *pr)
{
    const v128_t a = *pa, b = *pb;
    v128_t r = {{0}}, x;
    for (int i = 0; i < 4; i++)
        x.u32[i] = ip[6 + i];
    switch (sub) {
    case 0x0c: r = x; break;
    case 0x0d: MAP(u8, 16, x.u8[i] < 16 ? a.u8[x.u8[i]] : b.u8[x.u8[i] - 16]); break;
    case 0x0e:
        MAP(u8, 16, b.u8[i] < 16 ? a.u8[b.u8[i]] : 0);
        break;
        ICMP(0x23, 16, i8, u8, uint8_t)
        ICMP(0x2d, 8, i16, u16, uint16_t)
        ICMP(0x37, 4, i32, u32, uint32_t)
        FCMP(0x41, 4, f32, u32, uint32_t)
        FCMP(0x47, 2, f64, u64, uint64_t)
    case 0x4d: MAP(u64, 2, ~a.u64[i]); break;
    case 0x4e: MAP(u64, 2, a.u64[i] & b.u64[i]); break;
    case 0x4f: MAP(u64, 2, a.u64[i] & ~b.u64[i]); break;
    case 0x50: MAP(u64, 2, a.u64[i] | b.u64[i]); break;
    case 0x51: MAP(u64, 2, a.u64[i] ^ b.u64[i]); break;
    case 0x52: MAP(u64, 2, (a.u64[i] & pc->u64[i]) | (b.u64[i] & ~pc->u64[i])); break;
    }
    *pr = r;
}

int interp_simd(const uint32_t *ip, slot_t *fp, uint8_t *mbase, uint64_t msize)
{
    uint32_t sub = ip[5];
    if (sub <= 0x0b || (sub >= 0x54 && sub <= 0x5d)) return simd_memory(sub, ip, fp, mbase, msize);
    if (sub >= 0x0f && sub <= 0x22) {
        simd_lanes(sub, ip, fp);
        return 0;
    }
    v128_t a, b, c, r;
    rd_v(&a, &fp[ip[2]]);
    rd_v(&b, &fp[ip[3]]);
    switch (sub) {
    case 0x53:
    case 0x63:
    case 0x64:
    case 0x83:
    case 0x84:
    case 0xa3:
    case 0xa4:
    case 0xc3:
    case 0xc4: fp[ip[1]].u64 = simd_test(sub, &a); return 0;
    case 0x6b:
    case 0x6c:
    case 0x6d:
    case 0x8b:
    case 0x8c:
    case 0x8d:
    case 0xab:
    case 0xac:
    case 0xad:
    case 0xcb:
    case 0xcc:
    case 0xcd: simd_shift(sub, &a, b.u32[0], &r); break;
    default:
        if (simd_float(sub, &a, &b, &r)) break;
        if (sub < 0x60) {
            rd_v(&c, &fp[ip[4]]);
            simd_low(sub, ip, &a, &b, &c, &r);
        } else if (sub < 0x80) {
            simd_i8(sub, &a, &b, &r);
        } else if (sub < 0xa0) {
            simd_i16(sub, &a, &b, &r);
        } else {
            simd_i32_i64(sub, &a, &b, &r);
        }
    }
    wr_v(&fp[ip[1]], &r);
    return 0;
}
