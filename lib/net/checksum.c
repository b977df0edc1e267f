/*
 * lib/net/checksum.c - the Internet checksum (RFC 1071): a one's-complement
 * sum of 16-bit big-endian words, computed a machine word at a time with
 * deferred carries and folded at the end (RFC 1071 2(B), 2(C)).
 */
#include "base/endian.h"
#include "net/net_impl.h"

/* A 64-bit load at any alignment (the attribute tells the compiler so). */
typedef uint64_t __attribute__((aligned(1), may_alias)) u64_unaligned;
typedef uint16_t __attribute__((aligned(1), may_alias)) u16_unaligned;

/* Adds len bytes at data to a partial sum. The data is taken as starting on
 * an even offset of the summed message (callers sum headers and payloads in
 * pieces of even length, except the last).
 *
 * The sum runs over 64-bit words in the machine's own byte order with an
 * end-around carry, and is byte-swapped once at the end: the one's
 * complement sum commutes with swapping the bytes of every 16-bit word
 * (RFC 1071 2(B), "byte order independence"). Under emulation this is
 * several times cheaper than assembling big-endian words byte by byte. */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t acc = 0;
    while (len >= 32) {
        uint64_t a = ((const u64_unaligned *)p)[0], b = ((const u64_unaligned *)p)[1];
        uint64_t c = ((const u64_unaligned *)p)[2], d = ((const u64_unaligned *)p)[3];
        acc += a;
        acc += acc < a;
        acc += b;
        acc += acc < b;
        acc += c;
        acc += acc < c;
        acc += d;
        acc += acc < d;
        p += 32;
        len -= 32;
    }
    while (len >= 8) {
        uint64_t a = *(const u64_unaligned *)p;
        acc += a;
        acc += acc < a;
        p += 8;
        len -= 8;
    }
    /* Up to 7 bytes left: 16-bit words, then an odd byte as the low half of
     * a last word padded with zero (RFC 1071 4.1). */
    uint64_t tail = 0;
    unsigned shift = 0;
    for (; len >= 2; len -= 2, p += 2, shift += 16)
        tail |= (uint64_t) * (const u16_unaligned *)p << shift;
    if (len) tail |= (uint64_t)p[0] << shift;
    acc += tail;
    acc += acc < tail;
    /* Fold to 16 bits (native order), then swap into network order. */
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffffffffu) + (acc >> 32);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint64_t be = acc;
#else
    uint64_t be = ((acc & 0xff) << 8) | (acc >> 8);
#endif
    uint64_t total = (uint64_t)sum + be;
    while (total >> 32)
        total = (total & 0xffffffffu) + (total >> 32);
    return (uint32_t)total;
}

/* The final one's complement of the folded sum, as put in a header. */
uint16_t net_csum_fold(uint32_t sum)
{
    uint64_t acc = sum;
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return (uint16_t)~acc;
}

/* The TCP/UDP pseudo-header sum (RFC 9293 3.1, RFC 768). */
uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    uint64_t acc = (uint64_t)src + dst + proto + len;
    while (acc >> 32)
        acc = (acc & 0xffffffffu) + (acc >> 32);
    return (uint32_t)acc;
}
