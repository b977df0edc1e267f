/*
 * lib/tls/rng.c - the system DRBG of rng.h over Mbed TLS's CTR_DRBG. Mbed
 * TLS asks its entropy callback for seed material during instantiate and
 * reseed only; here the callback hands out the bytes the caller staged for
 * that one call and fails at any other time, so generate never blocks.
 */
#include "tls/rng.h"

#include <mbedtls/ctr_drbg.h>

#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"

/* Mbed TLS takes 48 bytes of entropy input and no nonce, or 32 and a
 * nonce of 16: 48 either way. */
_Static_assert(MBEDTLS_CTR_DRBG_ENTROPY_LEN <= TLS_RNG_SEED_LEN, "the seed covers one request");

#define RESEED_INTERVAL (1 << 30)

struct tls_rng {
    mbedtls_ctr_drbg_context drbg;
    const uint8_t *staged; /* seed material for the seed or reseed under way */
    size_t staged_len;
};

static int staged_entropy(void *ctx, unsigned char *buf, size_t len)
{
    struct tls_rng *r = ctx;
    if (len > r->staged_len) return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    memcpy(buf, r->staged, len);
    r->staged += len;
    r->staged_len -= len;
    return 0;
}

int tls_rng_create(const void *seed, size_t len, const char *pers, struct tls_rng **out)
{
    if (!seed || len < TLS_RNG_SEED_LEN) return ERR_INVAL;
    struct tls_rng *r = mem_zalloc(sizeof *r);
    if (!r) return ERR_NOMEM;
    mbedtls_ctr_drbg_init(&r->drbg);
    r->staged = seed;
    r->staged_len = TLS_RNG_SEED_LEN;
    int ret = mbedtls_ctr_drbg_seed(&r->drbg, staged_entropy, r, (const unsigned char *)pers,
                                    pers ? strlen(pers) : 0);
    r->staged = NULL;
    r->staged_len = 0;
    if (ret != 0) {
        log_write(LOG_ERROR, "rng", "CTR_DRBG instantiate failed: -0x%04x", (unsigned)-ret);
        tls_rng_destroy(r);
        return ERR_IO;
    }
    mbedtls_ctr_drbg_set_reseed_interval(&r->drbg, RESEED_INTERVAL);
    *out = r;
    return 0;
}

void tls_rng_destroy(struct tls_rng *r)
{
    if (!r) return;
    mbedtls_ctr_drbg_free(&r->drbg);
    mem_free(r);
}

int tls_rng_reseed(struct tls_rng *r, const void *seed, size_t len)
{
    if (!seed || len < TLS_RNG_SEED_LEN) return ERR_INVAL;
    /* A reseed takes the entropy input only (SP 800-90A 10.2.1.4.2). */
    r->staged = seed;
    r->staged_len = TLS_RNG_SEED_LEN;
    int ret = mbedtls_ctr_drbg_reseed(&r->drbg, NULL, 0);
    r->staged = NULL;
    r->staged_len = 0;
    return ret == 0 ? 0 : ERR_IO;
}

int tls_rng_generate(struct tls_rng *r, void *out, size_t len, const void *add, size_t add_len)
{
    if (add_len > MBEDTLS_CTR_DRBG_MAX_INPUT) return ERR_INVAL;
    uint8_t *p = out;
    while (len) {
        size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;
        if (mbedtls_ctr_drbg_random_with_add(&r->drbg, p, n, add, add_len) != 0) return ERR_IO;
        add = NULL; /* mixed in once */
        add_len = 0;
        p += n;
        len -= n;
    }
    return 0;
}
