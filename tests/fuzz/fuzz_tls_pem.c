/*
 * tests/fuzz/fuzz_tls_pem.c - lib/tls's trust-store loader (PEM bundles,
 * then Mbed TLS's X.509 parser for each block) fed arbitrary bytes: it must
 * never crash or leak, and the count it returns must match the store.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/env.h"
#include "tls/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tls_trust *t;
    if (tls_trust_create(&t) != 0) return 0;
    long n = tls_trust_add_pem(t, data, size);
    BASE_ASSERT(n < 0 || (size_t)n == tls_trust_count(t));
    /* Twice: a second bundle appends to the first. */
    long m = tls_trust_add_pem(t, data, size);
    BASE_ASSERT(m == n);
    BASE_ASSERT(n < 0 || tls_trust_count(t) == 2 * (size_t)n);
    tls_trust_destroy(t);
    return 0;
}
