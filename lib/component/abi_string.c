/*
 * lib/component/abi_string.c - strings of the canonical ABI
 * (CanonicalABI.md load_string, store_string): UTF-8 host strings stored
 * in and loaded from linear memory in the utf8, utf16 and latin1+utf16
 * encodings, with every malformed sequence a trap.
 */
#include "component/abi.h"
#include "component/abi_internal.h"
#include "component/internal.h"
#include "base/mem.h"

#define UTF16_TAG        0x80000000u
#define MAX_STRING_BYTES 0x7fffffffu

/* The next code point of UTF-8 s[*i..len), or -1 when malformed. */
static int32_t utf8_next(const uint8_t *s, uint32_t len, uint32_t *i)
{
    uint8_t b = s[(*i)++];
    if (b < 0x80) return b;
    unsigned n = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
    if (!n || b >= 0xf8 || *i + n > len) return -1;
    uint32_t cp = b & (0x3f >> n);
    for (unsigned k = 0; k < n; k++) {
        uint8_t cb = s[(*i)++];
        if ((cb & 0xc0) != 0x80) return -1;
        cp = cp << 6 | (cb & 0x3f);
    }
    static const uint32_t min[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || !abi_is_scalar(cp)) return -1;
    return (int32_t)cp;
}

static uint32_t utf8_put(uint8_t *p, uint32_t cp)
{
    if (cp < 0x80) return p[0] = (uint8_t)cp, 1;
    if (cp < 0x800)
        return p[0] = (uint8_t)(0xc0 | cp >> 6), p[1] = (uint8_t)(0x80 | (cp & 0x3f)), 2;
    if (cp < 0x10000) {
        p[0] = (uint8_t)(0xe0 | cp >> 12);
        p[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
        p[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    p[0] = (uint8_t)(0xf0 | cp >> 18);
    p[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
    p[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    p[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

bool comp_utf8_valid(const uint8_t *s, uint32_t len)
{
    for (uint32_t i = 0; i < len;)
        if (utf8_next(s, len, &i) < 0) return false;
    return true;
}

/* UTF-16 (or Latin-1 when latin1) code units at p into a UTF-8 string. */
static int decode_units(struct comp_cx *cx, const uint8_t *p, uint32_t units, bool latin1,
                        struct comp_val *out)
{
    uint8_t *s = comp_arena_alloc(cx->arena, (size_t)units * 3 + 1);
    if (!s) return abi_trap(cx, "a string of %u code units is too large for the host", units);
    uint32_t n = 0;
    for (uint32_t i = 0; i < units; i++) {
        uint32_t u = latin1 ? p[i] : (uint32_t)abi_get_le(p + 2 * i, 2);
        if (!latin1 && u >= 0xd800 && u < 0xdc00 && i + 1 < units) {
            uint32_t lo = (uint32_t)abi_get_le(p + 2 * i + 2, 2);
            if (lo >= 0xdc00 && lo < 0xe000) {
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                i++;
            }
        }
        if (!abi_is_scalar(u))
            return abi_trap(cx, "string has an unpaired UTF-16 surrogate 0x%x at code unit %u", u,
                            i);
        n += utf8_put(s + n, u);
    }
    out->str = (char *)s;
    out->n = n;
    return 0;
}

int abi_load_string(struct comp_cx *cx, uint32_t ptr, uint32_t tagged, struct comp_val *out)
{
    bool utf16 =
        cx->encoding == COMP_UTF16 || (cx->encoding == COMP_LATIN1_UTF16 && (tagged & UTF16_TAG));
    uint32_t units = cx->encoding == COMP_LATIN1_UTF16 ? tagged & ~UTF16_TAG : tagged;
    uint64_t bytes = utf16 ? 2ull * units : units;
    if (bytes > MAX_STRING_BYTES) return abi_trap(cx, "string of %u code units is too long", units);
    TRY(abi_check_range(cx, "string", ptr, bytes, cx->encoding == COMP_UTF8 ? 1 : 2));
    const uint8_t *p = abi_mem_at(cx, ptr, bytes);
    if (cx->encoding != COMP_UTF8) return decode_units(cx, p, units, !utf16, out);
    if (!comp_utf8_valid(p, units)) return abi_trap(cx, "string at %u is not valid UTF-8", ptr);
    char *s = comp_arena_alloc(cx->arena, (size_t)units + 1);
    if (!s) return abi_trap(cx, "a string of %u bytes is too large for the host", units);
    memcpy(s, p, units);
    out->str = s;
    out->n = units;
    return 0;
}

/* Stores a UTF-8 host string in the encoding: *ptr and the (tagged) length. */
int abi_store_string(struct comp_cx *cx, const struct comp_val *v, uint32_t *ptr, uint32_t *len)
{
    const uint8_t *s = (const uint8_t *)v->str;
    if (!comp_utf8_valid(s, v->n)) return abi_trap(cx, "host string is not valid UTF-8");
    if (cx->encoding == COMP_UTF8) {
        TRY(abi_alloc(cx, 1, v->n, ptr));
        memcpy(abi_mem_at(cx, *ptr, v->n), s, v->n);
        *len = v->n;
        return 0;
    }
    uint32_t units = 0;
    bool latin1 = cx->encoding == COMP_LATIN1_UTF16;
    for (uint32_t i = 0; i < v->n;) {
        int32_t cp = utf8_next(s, v->n, &i);
        units += cp >= 0x10000 ? 2 : 1;
        latin1 = latin1 && cp < 0x100;
    }
    TRY(abi_alloc(cx, 2, latin1 ? units : 2 * units, ptr));
    uint8_t *p = abi_mem_at(cx, *ptr, latin1 ? units : 2ull * units);
    for (uint32_t i = 0, k = 0; i < v->n;) {
        uint32_t cp = (uint32_t)utf8_next(s, v->n, &i);
        if (latin1) {
            p[k++] = (uint8_t)cp;
        } else if (cp >= 0x10000) {
            abi_put_le(p + 2 * k++, 0xd800 + ((cp - 0x10000) >> 10), 2);
            abi_put_le(p + 2 * k++, 0xdc00 + ((cp - 0x10000) & 0x3ff), 2);
        } else {
            abi_put_le(p + 2 * k++, cp, 2);
        }
    }
    *len = cx->encoding == COMP_LATIN1_UTF16 && !latin1 ? units | UTF16_TAG : units;
    return 0;
}
