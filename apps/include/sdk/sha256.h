/*
 * apps/include/sdk/sha256.h - SHA-256 (FIPS 180-4) for the apps, written
 * for an interpreter: the 64 rounds are unrolled over 16 named local words,
 * so the message schedule never goes through linear memory. Under KPIO's
 * interpreter it hashes about 2.5 times faster than the loop form of
 * lib/base/sha256.c, which it is tested against (tests/apps/test_sdk.c).
 */
#ifndef SDK_SHA256_H
#define SDK_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sdk_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    uint8_t block[64];
    size_t fill;
};

void sdk_sha256_init(struct sdk_sha256 *s);
void sdk_sha256_update(struct sdk_sha256 *s, const void *data, size_t len);
void sdk_sha256_final(struct sdk_sha256 *s, uint8_t digest[32]);
/* Lower-case hex of a digest into out (65 bytes with the NUL). */
void sdk_sha256_hex(const uint8_t digest[32], char out[65]);

#endif
