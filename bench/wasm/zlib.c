/*
 * bench/wasm/zlib.c - zlib (Debian's source package, fetched by
 * fetch-zlib.sh and built by module.mk, not part of this tree) as a
 * benchmark of real library code: per round, deflate 128 KiB of generated
 * log-like text at level 6, inflate it back and check it, with one byte
 * of the text changed each round. Branchy code (the match finder, Huffman
 * coding and decoding) written by others. Returns a hash of the
 * compressed sizes and CRC-32s, or 0xdead0000 + round if a round fails.
 */
#include "bench.h"

#include "zlib.h"

#define LEN (128 * 1024)

static uint8_t text[LEN], packed[LEN + LEN / 8 + 64], unpacked[LEN];

static void make_text(uint32_t *seed)
{
    static const char *const words[] = {"GET",  "POST",   "/index.html", "/api/v1/items",
                                        "200",  "404",    "HTTP/1.1",    "Mozilla/5.0",
                                        "kpio", "wasm32", "-",           "\"curl/8.5\""};
    size_t at = 0;
    while (at < LEN) {
        const char *w = words[bench_rand(seed) % (sizeof words / sizeof words[0])];
        while (*w && at < LEN)
            text[at++] = (uint8_t)*w++;
        if (at < LEN) text[at++] = (bench_rand(seed) & 7) == 0 ? '\n' : ' ';
        if ((bench_rand(seed) & 3) == 0)
            for (uint32_t d = bench_rand(seed) % 100000; d && at < LEN; d /= 10)
                text[at++] = (uint8_t)('0' + d % 10);
    }
}

static uint32_t round_trip(uint32_t *hash)
{
    uLongf plen = sizeof packed, ulen = sizeof unpacked;
    if (compress2(packed, &plen, text, LEN, 6) != Z_OK) return 1;
    if (uncompress(unpacked, &ulen, packed, plen) != Z_OK || ulen != LEN) return 1;
    if (memcmp(unpacked, text, LEN)) return 1;
    *hash = *hash * 31 + (uint32_t)plen;
    *hash = *hash * 31 + (uint32_t)crc32(0, packed, (uInt)plen);
    return 0;
}

BENCH_EXPORT uint32_t run(uint32_t n)
{
    uint32_t seed = 0x9b05688c, hash = 0;
    make_text(&seed);
    for (uint32_t r = 0; r < n; r++) {
        if (round_trip(&hash)) return 0xdead0000u + r;
        text[bench_rand(&seed) % LEN] = (uint8_t)('a' + r % 26);
    }
    return hash;
}
