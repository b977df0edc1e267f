/*
 * lib/net/checksum.c - the Internet checksum (RFC 1071): a one's-complement
 * sum of 16-bit big-endian words, computed 32 bits at a time into a 64-bit
 * accumulator and folded at the end (RFC 1071 2(B), deferred carries).
 */
#include "base/endian.h"
#include "net/net_impl.h"

/* Adds len bytes at data to a partial sum. The data is taken as starting on
 * an even offset of the summed message (callers sum headers and payloads in
 * pieces of even length, except the last). */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t acc = sum;
    while (len >= 16) {
        acc += be32_get(p);
        acc += be32_get(p + 4);
        acc += be32_get(p + 8);
        acc += be32_get(p + 12);
        p += 16;
        len -= 16;
    }
    while (len >= 4) {
        acc += be32_get(p);
        p += 4;
        len -= 4;
    }
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
