/*
 * lib/wasm/leb.h - bounds-checked readers for the binary format's integers
 * (spec 5.2.2 LEB128). Each returns NULL on success or the spec's message
 * for the malformation: "unexpected end", "integer representation too long"
 * (more bytes than ceil(N/7)) or "integer too large" (unused bits of the
 * last byte not zero, or not a sign extension for signed forms).
 */
#ifndef WASM_LEB_H
#define WASM_LEB_H

#include <stdint.h>
#include <stddef.h>

#define LEB_EOF   "unexpected end"
#define LEB_LONG  "integer representation too long"
#define LEB_LARGE "integer too large"

/* Unsigned LEB128 of at most `bits` bits (32 here). */
static inline const char *leb_u32(const uint8_t **pp, const uint8_t *end, uint32_t *out)
{
    const uint8_t *p = *pp;
    uint32_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (p >= end) return LEB_EOF;
        uint8_t b = *p++;
        if (shift == 28) {
            if (b & 0x80) return LEB_LONG;
            if (b & 0x70) return LEB_LARGE;
        }
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
    }
    *pp = p;
    *out = v;
    return NULL;
}

/*
 * Signed LEB128 of N bits (32, 33 or 64), sign-extended into *out. In the
 * last allowed byte, the bits beyond N must all equal bit N-1.
 */
static inline const char *leb_sN(const uint8_t **pp, const uint8_t *end, unsigned bits,
                                 int64_t *out)
{
    const uint8_t *p = *pp;
    uint64_t v = 0;
    unsigned shift = 0;
    unsigned max_bytes = (bits + 6) / 7;
    uint8_t b;
    for (unsigned n = 1;; n++, shift += 7) {
        if (p >= end) return LEB_EOF;
        b = *p++;
        if (n == max_bytes) {
            if (b & 0x80) return LEB_LONG;
            /* bits used in this byte: bits - shift; the rest (of 7) must be
             * copies of the sign bit */
            unsigned used = bits - shift;
            uint8_t rest = (uint8_t)(0x7f & ~((1u << used) - 1));
            uint8_t sign = (uint8_t)((b >> (used - 1)) & 1);
            if ((b & rest) != (sign ? rest : 0)) return LEB_LARGE;
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
    }
    shift += 7;
    if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
    *pp = p;
    *out = (int64_t)v;
    return NULL;
}

static inline const char *leb_s32(const uint8_t **pp, const uint8_t *end, int32_t *out)
{
    int64_t v;
    const char *e = leb_sN(pp, end, 32, &v);
    if (!e) *out = (int32_t)v;
    return e;
}

static inline const char *leb_s64(const uint8_t **pp, const uint8_t *end, int64_t *out)
{
    return leb_sN(pp, end, 64, out);
}

#endif
