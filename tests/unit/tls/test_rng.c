/*
 * tests/unit/tls/test_rng.c - lib/tls/rng.h, the system DRBG: the bytes it
 * stages reach Mbed TLS's CTR_DRBG in order (compared with a CTR_DRBG
 * seeded directly through Mbed TLS's entropy callback with the same bytes,
 * through instantiate, generate with and without additional input, long
 * requests and reseed), short seeds are refused, and seed and
 * personalisation change the output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/ctr_drbg.h>

#include "base/error.h"
#include "tls/rng.h"

struct feed {
    const uint8_t *p;
    size_t left;
};

static int feed_entropy(void *ctx, unsigned char *buf, size_t len)
{
    struct feed *f = ctx;
    if (len > f->left) return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
    memcpy(buf, f->p, len);
    f->p += len;
    f->left -= len;
    return 0;
}

static void fill(uint8_t *b, size_t n, uint8_t k)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 29 + k * 101 + 7);
}

/* The reference: Mbed TLS's CTR_DRBG asked for the same bytes directly;
 * long requests split as rng.c splits them (1024 bytes, the additional
 * input with the first piece only). */
static void ref_generate(mbedtls_ctr_drbg_context *d, uint8_t *out, size_t len, const uint8_t *add,
                         size_t add_len)
{
    while (len) {
        size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;
        assert_int_equal(mbedtls_ctr_drbg_random_with_add(d, out, n, add, add_len), 0);
        add = NULL;
        add_len = 0;
        out += n;
        len -= n;
    }
}

static void test_same_as_mbedtls(void **state)
{
    (void)state;
    uint8_t seeds[2 * TLS_RNG_SEED_LEN];
    fill(seeds, sizeof seeds, 1);
    struct feed f = {seeds, sizeof seeds};
    mbedtls_ctr_drbg_context ref;
    mbedtls_ctr_drbg_init(&ref);
    const char *pers = "kpio test";
    assert_int_equal(
        mbedtls_ctr_drbg_seed(&ref, feed_entropy, &f, (const unsigned char *)pers, strlen(pers)),
        0);
    assert_int_equal(f.left, TLS_RNG_SEED_LEN); /* one seed's worth was taken */

    struct tls_rng *r;
    assert_int_equal(tls_rng_create(seeds, TLS_RNG_SEED_LEN, pers, &r), 0);
    static uint8_t a[5000], b[5000];
    uint8_t add[32];
    fill(add, sizeof add, 9);
    size_t lens[] = {1, 64, 1024, 1025, 5000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        bool with_add = i % 2;
        assert_int_equal(
            tls_rng_generate(r, a, lens[i], with_add ? add : NULL, with_add ? sizeof add : 0), 0);
        ref_generate(&ref, b, lens[i], with_add ? add : NULL, with_add ? sizeof add : 0);
        assert_memory_equal(a, b, lens[i]);
    }
    assert_int_equal(tls_rng_reseed(r, seeds + TLS_RNG_SEED_LEN, TLS_RNG_SEED_LEN), 0);
    assert_int_equal(mbedtls_ctr_drbg_reseed(&ref, NULL, 0), 0);
    assert_int_equal(tls_rng_generate(r, a, 100, NULL, 0), 0);
    ref_generate(&ref, b, 100, NULL, 0);
    assert_memory_equal(a, b, 100);
    tls_rng_destroy(r);
    mbedtls_ctr_drbg_free(&ref);
}

static void test_refusals(void **state)
{
    (void)state;
    uint8_t seed[TLS_RNG_SEED_LEN] = {0};
    struct tls_rng *r = NULL;
    assert_int_equal(tls_rng_create(seed, sizeof seed - 1, NULL, &r), ERR_INVAL);
    assert_null(r);
    assert_int_equal(tls_rng_create(NULL, sizeof seed, NULL, &r), ERR_INVAL);
    assert_int_equal(tls_rng_create(seed, sizeof seed, NULL, &r), 0);
    assert_int_equal(tls_rng_reseed(r, seed, sizeof seed - 1), ERR_INVAL);
    uint8_t out[16], big_add[MBEDTLS_CTR_DRBG_MAX_INPUT + 1] = {0};
    assert_int_equal(tls_rng_generate(r, out, sizeof out, big_add, sizeof big_add), ERR_INVAL);
    tls_rng_destroy(r);
}

static void test_inputs_matter(void **state)
{
    (void)state;
    uint8_t s1[TLS_RNG_SEED_LEN], s2[TLS_RNG_SEED_LEN];
    fill(s1, sizeof s1, 3);
    memcpy(s2, s1, sizeof s2);
    s2[TLS_RNG_SEED_LEN - 1] ^= 1; /* the last byte counts too */
    struct tls_rng *r1, *r2, *r3, *r4;
    assert_int_equal(tls_rng_create(s1, sizeof s1, "a", &r1), 0);
    assert_int_equal(tls_rng_create(s1, sizeof s1, "a", &r2), 0);
    assert_int_equal(tls_rng_create(s2, sizeof s2, "a", &r3), 0);
    assert_int_equal(tls_rng_create(s1, sizeof s1, "b", &r4), 0);
    uint8_t o1[32], o2[32], o3[32], o4[32];
    tls_rng_generate(r1, o1, 32, NULL, 0);
    tls_rng_generate(r2, o2, 32, NULL, 0);
    tls_rng_generate(r3, o3, 32, NULL, 0);
    tls_rng_generate(r4, o4, 32, NULL, 0);
    assert_memory_equal(o1, o2, 32);     /* deterministic */
    assert_memory_not_equal(o1, o3, 32); /* the seed */
    assert_memory_not_equal(o1, o4, 32); /* the personalisation */
    tls_rng_generate(r1, o2, 32, NULL, 0);
    assert_memory_not_equal(o1, o2, 32); /* the state moves on */
    tls_rng_destroy(r1);
    tls_rng_destroy(r2);
    tls_rng_destroy(r3);
    tls_rng_destroy(r4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_mbedtls),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_inputs_matter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
