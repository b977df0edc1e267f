/*
 * apps/sdk/sha256.c - SHA-256 per FIPS 180-4 section 6.2 (sdk/sha256.h).
 * compress() is section 6.2.2 with the schedule W_t (t >= 16) computed in
 * place in a 16-word window (w[t mod 16]) of local variables, every round
 * written out: an interpreter then keeps all state in locals, with no
 * loads and stores for W and no loop control.
 */
#include "sdk/sha256.h"

#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Section 4.1.2, with Ch and Maj in their two-operation forms. */
#define ROR(x, n)    ((x) >> (n) | (x) << (32 - (n)))
#define BSIG0(x)     (ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define BSIG1(x)     (ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define SSIG0(x)     (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define SSIG1(x)     (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(e, f, g)  ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))

/* One round t; the caller rotates the names instead of the values. */
#define ROUND(a, b, c, d, e, f, g, h, t, w)                                                        \
    do {                                                                                           \
        uint32_t t1 = h + BSIG1(e) + CH(e, f, g) + K[t] + (w);                                     \
        d += t1;                                                                                   \
        h = t1 + BSIG0(a) + MAJ(a, b, c);                                                          \
    } while (0)

/* W_t = SSIG1(W_t-2) + W_t-7 + SSIG0(W_t-15) + W_t-16, into w[t mod 16]. */
#define SCHED(i, i2, i7, i15) (w##i += SSIG1(w##i2) + w##i7 + SSIG0(w##i15))

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void compress(uint32_t st[8], const uint8_t *p)
{
    uint32_t w0 = be32(p), w1 = be32(p + 4), w2 = be32(p + 8), w3 = be32(p + 12);
    uint32_t w4 = be32(p + 16), w5 = be32(p + 20), w6 = be32(p + 24), w7 = be32(p + 28);
    uint32_t w8 = be32(p + 32), w9 = be32(p + 36), w10 = be32(p + 40), w11 = be32(p + 44);
    uint32_t w12 = be32(p + 48), w13 = be32(p + 52), w14 = be32(p + 56), w15 = be32(p + 60);
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
    /* clang-format off */
    ROUND(a, b, c, d, e, f, g, h, 0, w0);
    ROUND(h, a, b, c, d, e, f, g, 1, w1);
    ROUND(g, h, a, b, c, d, e, f, 2, w2);
    ROUND(f, g, h, a, b, c, d, e, 3, w3);
    ROUND(e, f, g, h, a, b, c, d, 4, w4);
    ROUND(d, e, f, g, h, a, b, c, 5, w5);
    ROUND(c, d, e, f, g, h, a, b, 6, w6);
    ROUND(b, c, d, e, f, g, h, a, 7, w7);
    ROUND(a, b, c, d, e, f, g, h, 8, w8);
    ROUND(h, a, b, c, d, e, f, g, 9, w9);
    ROUND(g, h, a, b, c, d, e, f, 10, w10);
    ROUND(f, g, h, a, b, c, d, e, 11, w11);
    ROUND(e, f, g, h, a, b, c, d, 12, w12);
    ROUND(d, e, f, g, h, a, b, c, 13, w13);
    ROUND(c, d, e, f, g, h, a, b, 14, w14);
    ROUND(b, c, d, e, f, g, h, a, 15, w15);
    SCHED(0, 14, 9, 1);
    ROUND(a, b, c, d, e, f, g, h, 16, w0);
    SCHED(1, 15, 10, 2);
    ROUND(h, a, b, c, d, e, f, g, 17, w1);
    SCHED(2, 0, 11, 3);
    ROUND(g, h, a, b, c, d, e, f, 18, w2);
    SCHED(3, 1, 12, 4);
    ROUND(f, g, h, a, b, c, d, e, 19, w3);
    SCHED(4, 2, 13, 5);
    ROUND(e, f, g, h, a, b, c, d, 20, w4);
    SCHED(5, 3, 14, 6);
    ROUND(d, e, f, g, h, a, b, c, 21, w5);
    SCHED(6, 4, 15, 7);
    ROUND(c, d, e, f, g, h, a, b, 22, w6);
    SCHED(7, 5, 0, 8);
    ROUND(b, c, d, e, f, g, h, a, 23, w7);
    SCHED(8, 6, 1, 9);
    ROUND(a, b, c, d, e, f, g, h, 24, w8);
    SCHED(9, 7, 2, 10);
    ROUND(h, a, b, c, d, e, f, g, 25, w9);
    SCHED(10, 8, 3, 11);
    ROUND(g, h, a, b, c, d, e, f, 26, w10);
    SCHED(11, 9, 4, 12);
    ROUND(f, g, h, a, b, c, d, e, 27, w11);
    SCHED(12, 10, 5, 13);
    ROUND(e, f, g, h, a, b, c, d, 28, w12);
    SCHED(13, 11, 6, 14);
    ROUND(d, e, f, g, h, a, b, c, 29, w13);
    SCHED(14, 12, 7, 15);
    ROUND(c, d, e, f, g, h, a, b, 30, w14);
    SCHED(15, 13, 8, 0);
    ROUND(b, c, d, e, f, g, h, a, 31, w15);
    SCHED(0, 14, 9, 1);
    ROUND(a, b, c, d, e, f, g, h, 32, w0);
    SCHED(1, 15, 10, 2);
    ROUND(h, a, b, c, d, e, f, g, 33, w1);
    SCHED(2, 0, 11, 3);
    ROUND(g, h, a, b, c, d, e, f, 34, w2);
    SCHED(3, 1, 12, 4);
    ROUND(f, g, h, a, b, c, d, e, 35, w3);
    SCHED(4, 2, 13, 5);
    ROUND(e, f, g, h, a, b, c, d, 36, w4);
    SCHED(5, 3, 14, 6);
    ROUND(d, e, f, g, h, a, b, c, 37, w5);
    SCHED(6, 4, 15, 7);
    ROUND(c, d, e, f, g, h, a, b, 38, w6);
    SCHED(7, 5, 0, 8);
    ROUND(b, c, d, e, f, g, h, a, 39, w7);
    SCHED(8, 6, 1, 9);
    ROUND(a, b, c, d, e, f, g, h, 40, w8);
    SCHED(9, 7, 2, 10);
    ROUND(h, a, b, c, d, e, f, g, 41, w9);
    SCHED(10, 8, 3, 11);
    ROUND(g, h, a, b, c, d, e, f, 42, w10);
    SCHED(11, 9, 4, 12);
    ROUND(f, g, h, a, b, c, d, e, 43, w11);
    SCHED(12, 10, 5, 13);
    ROUND(e, f, g, h, a, b, c, d, 44, w12);
    SCHED(13, 11, 6, 14);
    ROUND(d, e, f, g, h, a, b, c, 45, w13);
    SCHED(14, 12, 7, 15);
    ROUND(c, d, e, f, g, h, a, b, 46, w14);
    SCHED(15, 13, 8, 0);
    ROUND(b, c, d, e, f, g, h, a, 47, w15);
    SCHED(0, 14, 9, 1);
    ROUND(a, b, c, d, e, f, g, h, 48, w0);
    SCHED(1, 15, 10, 2);
    ROUND(h, a, b, c, d, e, f, g, 49, w1);
    SCHED(2, 0, 11, 3);
    ROUND(g, h, a, b, c, d, e, f, 50, w2);
    SCHED(3, 1, 12, 4);
    ROUND(f, g, h, a, b, c, d, e, 51, w3);
    SCHED(4, 2, 13, 5);
    ROUND(e, f, g, h, a, b, c, d, 52, w4);
    SCHED(5, 3, 14, 6);
    ROUND(d, e, f, g, h, a, b, c, 53, w5);
    SCHED(6, 4, 15, 7);
    ROUND(c, d, e, f, g, h, a, b, 54, w6);
    SCHED(7, 5, 0, 8);
    ROUND(b, c, d, e, f, g, h, a, 55, w7);
    SCHED(8, 6, 1, 9);
    ROUND(a, b, c, d, e, f, g, h, 56, w8);
    SCHED(9, 7, 2, 10);
    ROUND(h, a, b, c, d, e, f, g, 57, w9);
    SCHED(10, 8, 3, 11);
    ROUND(g, h, a, b, c, d, e, f, 58, w10);
    SCHED(11, 9, 4, 12);
    ROUND(f, g, h, a, b, c, d, e, 59, w11);
    SCHED(12, 10, 5, 13);
    ROUND(e, f, g, h, a, b, c, d, 60, w12);
    SCHED(13, 11, 6, 14);
    ROUND(d, e, f, g, h, a, b, c, 61, w13);
    SCHED(14, 12, 7, 15);
    ROUND(c, d, e, f, g, h, a, b, 62, w14);
    SCHED(15, 13, 8, 0);
    ROUND(b, c, d, e, f, g, h, a, 63, w15);
    /* clang-format on */
    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
    st[4] += e;
    st[5] += f;
    st[6] += g;
    st[7] += h;
}

void sdk_sha256_init(struct sdk_sha256 *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->bytes = 0;
    s->fill = 0;
}

void sdk_sha256_update(struct sdk_sha256 *s, const void *data, size_t len)
{
    const uint8_t *p = data;
    s->bytes += len;
    if (s->fill) {
        size_t n = 64 - s->fill < len ? 64 - s->fill : len;
        memcpy(s->block + s->fill, p, n);
        s->fill += n;
        p += n;
        len -= n;
        if (s->fill < 64) return;
        compress(s->h, s->block);
        s->fill = 0;
    }
    for (; len >= 64; p += 64, len -= 64)
        compress(s->h, p);
    memcpy(s->block, p, len);
    s->fill = len;
}

/* Section 5.1.1: a 1 bit, zeros, and the length in bits, big-endian. */
void sdk_sha256_final(struct sdk_sha256 *s, uint8_t digest[32])
{
    uint64_t bits = s->bytes * 8;
    s->block[s->fill++] = 0x80;
    if (s->fill > 56) {
        memset(s->block + s->fill, 0, 64 - s->fill);
        compress(s->h, s->block);
        s->fill = 0;
    }
    memset(s->block + s->fill, 0, 56 - s->fill);
    for (int i = 0; i < 8; i++)
        s->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
    compress(s->h, s->block);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(s->h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)s->h[i];
    }
}

void sdk_sha256_hex(const uint8_t digest[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}
