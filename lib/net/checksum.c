/*
 * lib/net/checksum.c - the Internet checksum (RFC 1071): a one's-complement
 * sum of 16-bit big-endian words, computed a machine word at a time with
 * deferred carries and folded at the end (RFC 1071 2(B), 2(C)).
 */
#include "base/endian.h"
#include "net/net_impl.h"

/* Adds len bytes at data to a partial sum. The data is taken as starting on
 * an even offset of the summed message (callers sum headers and payloads in
 * pieces of even length, except the last).
 *
 * The bulk is summed as native 64-bit words, each split into two 32-bit
 * halves so that a 64-bit accumulator cannot overflow, and byte-swapped
 * once at the end if the machine is little-endian: the one's complement
 * sum does not depend on byte order (RFC 1071 2(B)). */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t acc = 0;
    while (len >= 32) {
        uint64_t w[4];
        __builtin_memcpy(w, p, 32);
        acc += (w[0] & 0xffffffffu) + (w[0] >> 32) + (w[1] & 0xffffffffu) + (w[1] >> 32);
        acc += (w[2] & 0xffffffffu) + (w[2] >> 32) + (w[3] & 0xffffffffu) + (w[3] >> 32);
        p += 32;
        len -= 32;
    }
    while (len >= 4) {
        uint32_t w;
        __builtin_memcpy(&w, p, 4);
        acc += w;
        p += 4;
        len -= 4;
    }
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    acc = ((acc & 0xff) << 8) | (acc >> 8);
#endif
    acc += sum;
    if (len >= 2) {
        acc += be16_get(p);
        p += 2;
        len -= 2;
    }
    if (len) acc += (uint32_t)p[0] << 8;
    while (acc >> 32)
        acc = (acc & 0xffffffffu) + (acc >> 32);
    return (uint32_t)acc;
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
