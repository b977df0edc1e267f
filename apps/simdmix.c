/*
 * apps/simdmix.c - `simdmix N [SEED]`: N rounds of a mix of SIMD
 * operations (wasm_simd128.h: integer and float lanes, shuffles, swizzle,
 * saturating and widening arithmetic, compares, bitselect) on a few
 * vectors, then one line with a checksum of them. Built with -msimd128;
 * KPIO's tests run two at once and compare the checksums with the host's
 * (the kernel keeps each app's vector registers across switches).
 */
#include <stdint.h>
#include <stdio.h>
#include <wasm_simd128.h>

#include "sdk/cli.h"

static const char help[] = "Usage: simdmix N [SEED]\n"
                           "Mix vectors N times and print a checksum of them.\n";

/* One round: every vector depends on the others, so that a lane lost
 * anywhere changes the checksum. */
static void round_once(v128_t v[4], uint32_t i)
{
    v128_t a = v[0], b = v[1], c = v[2], f = v[3];
    a = wasm_i32x4_add(wasm_i32x4_mul(a, wasm_i32x4_splat(1664525)),
                       wasm_i32x4_splat((int32_t)(1013904223u + i)));
    b = wasm_i8x16_add_sat(
        wasm_i8x16_swizzle(b, wasm_v128_and(a, wasm_i8x16_splat(15))),
        wasm_i8x16_shuffle(a, b, 0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31));
    c = wasm_i16x8_add(wasm_i16x8_extmul_low_i8x16(b, wasm_i8x16_splat(3)),
                       wasm_u16x8_avgr(c, wasm_u16x8_shr(wasm_v128_xor(c, a), 3)));
    c = wasm_v128_bitselect(c, wasm_i32x4_shl(c, 1), wasm_i16x8_gt(c, b));
    f = wasm_f32x4_add(wasm_f32x4_mul(f, wasm_f32x4_splat(0.5f)),
                       wasm_f32x4_convert_i32x4(wasm_i32x4_shr(a, 16)));
    a = wasm_v128_xor(a, wasm_i32x4_trunc_sat_f32x4(f));
    v[0] = a, v[1] = b, v[2] = c, v[3] = f;
}

int main(int argc, char **argv)
{
    cli_init("simdmix", CLI_USAGE);
    struct cli_opts o;
    cli_opts_init(&o, argc, argv);
    while (cli_opts_next(&o, "", help) != 0) {
    }
    uint64_t n = 0, seed = 1;
    if (o.index == argc || argc - o.index > 2 || !cli_parse_u64(argv[o.index], UINT32_MAX, &n) ||
        (argc - o.index == 2 && !cli_parse_u64(argv[o.index + 1], UINT32_MAX, &seed)))
        cli_usage_error("expected N and an optional SEED");
    v128_t v[4] = {wasm_i32x4_make((int32_t)seed, 2, 3, 4), wasm_i8x16_splat((int8_t)seed),
                   wasm_i16x8_make(1, -2, 3, -4, 5, -6, 7, -8), wasm_f32x4_splat(1.0f)};
    for (uint32_t i = 0; i < n; i++)
        round_once(v, i);
    uint64_t sum = 0;
    for (int k = 0; k < 3; k++)
        sum = sum * 31 + (uint64_t)wasm_i64x2_extract_lane(v[k], 0) +
              (uint64_t)wasm_i64x2_extract_lane(v[k], 1);
    sum = sum * 31 + (uint32_t)wasm_i32x4_extract_lane(wasm_i32x4_trunc_sat_f32x4(v[3]), 2);
    printf("simdmix %llu %llu: %016llx\n", (unsigned long long)n, (unsigned long long)seed,
           (unsigned long long)sum);
    return CLI_OK;
}
