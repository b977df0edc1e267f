/*
 * lib/tls/rng.h - a deterministic random bit generator for a whole system:
 * Mbed TLS's CTR_DRBG (NIST SP 800-90A, AES-256), fed seed material that
 * the caller gathered itself.
 *
 * The caller hands the seed in (create, reseed) instead of giving Mbed TLS
 * a source to call, so that it can gather where it may sleep (a device
 * read) and draw where it may not (an interrupt-free section): generate
 * never asks for entropy. Not thread-safe: the caller serialises calls.
 *
 *     uint8_t seed[TLS_RNG_SEED_LEN];   // from RDSEED, virtio-rng, getrandom
 *     struct tls_rng *r;  tls_rng_create(seed, sizeof seed, "kpio", &r);
 *     tls_rng_generate(r, buf, len, NULL, 0);
 */
#ifndef TLS_RNG_H
#define TLS_RNG_H

#include <stddef.h>
#include <stdint.h>

/* Seed bytes that create and reseed take: 384 bits, CTR_DRBG's entropy
 * input and nonce for AES-256 (SP 800-90A section 10.2.1.3.2). They must
 * come from a source with full entropy. */
#define TLS_RNG_SEED_LEN 48

struct tls_rng;

/* Instantiates a generator from seed[0..len) (len >= TLS_RNG_SEED_LEN;
 * only the first TLS_RNG_SEED_LEN bytes are used) and the personalisation
 * string pers (may be NULL). Returns 0 and *out, ERR_INVAL (short seed) or
 * ERR_NOMEM. */
int tls_rng_create(const void *seed, size_t len, const char *pers, struct tls_rng **out);
void tls_rng_destroy(struct tls_rng *r);
/* Reseeds from seed[0..len) as create does. 0, ERR_INVAL, or ERR_IO. */
int tls_rng_reseed(struct tls_rng *r, const void *seed, size_t len);
/* Fills out[0..len) (any length), mixing add[0..add_len) (may be NULL;
 * at most 256 bytes, e.g. fresh hardware bytes) into the state first.
 * Returns 0, or ERR_IO when the generator needs a reseed (after 2^30
 * requests since the last one; SP 800-90A allows 2^48) or ERR_INVAL. */
int tls_rng_generate(struct tls_rng *r, void *out, size_t len, const void *add, size_t add_len);

#endif
