/*
 * bench/wasm/bytesearch.c - byte search, as memchr and strstr do it: in a
 * 1 MiB text of a 16-letter alphabet, count the newlines (memchr-like) and
 * find every occurrence of four 4-byte needles (strstr-like), n times,
 * each round with a few bytes of the text changed. Built with -msimd128
 * (bytesearch_simd.wasm) both scan 16 positions at a time with
 * wasm_simd128.h: a compare with the splatted byte and a bitmask for the
 * newlines; for the needles, the text compared with the needle's first
 * and last bytes at the matching distance, and only the positions where
 * both agree checked in full. Otherwise (bytesearch.wasm, and natively)
 * both are plain byte loops. Every build returns the same hash of the
 * positions found.
 */
#include "bench.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define LEN  (1 << 20)
#define NLEN 4

static uint8_t text[LEN + 16];
static const char needles[][NLEN + 1] = {"face", "bead", "jade", "pole"};

static int same(const uint8_t *p, const char *needle)
{
    for (int i = 1; i < NLEN - 1; i++)
        if (p[i] != (uint8_t)needle[i]) return 0;
    return 1;
}

static uint32_t count_byte(uint8_t c)
{
    uint32_t count = 0;
    int i = 0;
#ifdef __wasm_simd128__
    v128_t vc = wasm_i8x16_splat((int8_t)c);
    for (; i + 16 <= LEN; i += 16)
        count += (uint32_t)__builtin_popcount(
            wasm_i8x16_bitmask(wasm_i8x16_eq(wasm_v128_load(text + i), vc)));
#endif
    for (; i < LEN; i++)
        count += text[i] == c;
    return count;
}

/* hash of the positions of every occurrence of the first NLEN bytes of needle */
static uint32_t find_all(const char *needle)
{
    uint32_t h = 0;
    int i = 0;
#ifdef __wasm_simd128__
    v128_t first = wasm_i8x16_splat(needle[0]), last = wasm_i8x16_splat(needle[NLEN - 1]);
    for (; i + 16 + NLEN - 1 <= LEN; i += 16) {
        v128_t m = wasm_v128_and(wasm_i8x16_eq(wasm_v128_load(text + i), first),
                                 wasm_i8x16_eq(wasm_v128_load(text + i + NLEN - 1), last));
        uint32_t bits = (uint32_t)wasm_i8x16_bitmask(m);
        while (bits) {
            int k = __builtin_ctz(bits);
            if (same(text + i + k, needle)) h = h * 31 + (uint32_t)(i + k);
            bits &= bits - 1;
        }
    }
#endif
    for (; i + NLEN <= LEN; i++)
        if (text[i] == (uint8_t)needle[0] && text[i + NLEN - 1] == (uint8_t)needle[NLEN - 1] &&
            same(text + i, needle))
            h = h * 31 + (uint32_t)i;
    return h;
}

BENCH_EXPORT uint32_t run(uint32_t n)
{
    uint32_t seed = 0x3c6ef372, sum = 0;
    for (int i = 0; i < LEN; i++) {
        uint32_t r = bench_rand(&seed);
        text[i] = (r & 0x3f) == 0 ? '\n' : (uint8_t)('a' + (r >> 8) % 16);
    }
    for (uint32_t r = 0; r < n; r++) {
        sum = sum * 31 + count_byte('\n');
        for (size_t k = 0; k < sizeof needles / sizeof needles[0]; k++)
            sum = sum * 31 + find_all(needles[k]);
        for (int k = 0; k < 8; k++)
            text[bench_rand(&seed) % LEN] = (uint8_t)('a' + bench_rand(&seed) % 16);
    }
    return sum;
}
