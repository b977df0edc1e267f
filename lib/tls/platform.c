/*
 * lib/tls/platform.c - the hooks Mbed TLS's platform layer calls
 * (mbedtls_config.h names them): its heap is lib/base's, its snprintf is
 * lib/base's, and its PSA random generator draws from the tls_env given to
 * tls_init(). Also tls_init() itself.
 */
#include <mbedtls/ctr_drbg.h>
#include <psa/crypto.h>

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "tls/internal.h"

void *tls_mbed_calloc(size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size) return NULL;
    size_t total = n * size;
    return mem_zalloc(total > 0 ? total : 1);
}

void tls_mbed_free(void *p)
{
    mem_free(p);
}

int tls_mbed_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n > INT32_MAX ? -1 : (int)n;
}

int tls_entropy_cb(void *env, unsigned char *buf, size_t len)
{
    const struct tls_env *e = env;
    return e->entropy(e->ctx, buf, len) == 0 ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

/* PSA's random generator (MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG): one per
 * program in Mbed TLS 3.6, hence the one static of lib/tls. */
static const struct tls_env *psa_env;

psa_status_t mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *context,
                                             uint8_t *output, size_t output_size,
                                             size_t *output_length)
{
    (void)context;
    *output_length = 0;
    if (!psa_env || psa_env->entropy(psa_env->ctx, output, output_size) != 0)
        return PSA_ERROR_INSUFFICIENT_ENTROPY;
    *output_length = output_size;
    return PSA_SUCCESS;
}

int tls_init(const struct tls_env *env)
{
    if (psa_env) return 0;
    if (!env || !env->entropy || !env->wall_time) return ERR_INVAL;
    psa_env = env;
    psa_status_t s = psa_crypto_init();
    if (s == PSA_SUCCESS) return 0;
    psa_env = NULL;
    log_write(LOG_ERROR, "tls", "PSA crypto init failed: %d", (int)s);
    return s == PSA_ERROR_INSUFFICIENT_MEMORY ? ERR_NOMEM : ERR_IO;
}
