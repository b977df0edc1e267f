/*
 * tests/net/sha256.h - SHA-256 (FIPS 180-4) for the host test programs
 * (tsha256_*: its own names, so it links beside any other SHA-256),
 * which hash what they send and receive; the peers hash with python's
 * hashlib, the oracle.
 */
#ifndef TESTS_NET_SHA256_H
#define TESTS_NET_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct tsha256 {
    uint32_t h[8];
    uint64_t bytes;
    uint8_t buf[64];
    size_t fill;
};

void tsha256_init(struct tsha256 *c);
void tsha256_update(struct tsha256 *c, const void *data, size_t len);
void tsha256_final(struct tsha256 *c, uint8_t out[32]);
/* 64 hex digits and a NUL. */
void tsha256_hex(const uint8_t d[32], char out[65]);

#endif
