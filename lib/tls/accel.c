/*
 * lib/tls/accel.c - the record ciphers' code on this CPU: which AES-GCM
 * code Mbed TLS runs (AES-NI and PCLMULQDQ, mbedtls_config.h's
 * MBEDTLS_AESNI_C, when CPUID reports both, else its portable table code;
 * the answer is Mbed TLS's own run-time check, so a caller can report what
 * is really used), and a record cipher run alone on a buffer, so that a
 * benchmark can tell the cipher's cost from the record layer's and the
 * transport's (kernel/test/bench_tls.c).
 */
#include <mbedtls/chachapoly.h>
#include <mbedtls/gcm.h>
#include <stdbool.h>

#include "aesni.h" /* Mbed TLS's library/, not among its public headers */
#include "base/error.h"
#include "tls/tls.h"

bool tls_aes_hw(void)
{
    return mbedtls_aesni_has_support(MBEDTLS_AESNI_AES) &&
           mbedtls_aesni_has_support(MBEDTLS_AESNI_CLMUL);
}

static int seal_chachapoly(const uint8_t key[32], const uint8_t nonce[12], uint8_t *buf, size_t len,
                           uint8_t tag[16])
{
    mbedtls_chachapoly_context ctx;
    mbedtls_chachapoly_init(&ctx);
    int ret = mbedtls_chachapoly_setkey(&ctx, key);
    if (ret == 0)
        ret = mbedtls_chachapoly_encrypt_and_tag(&ctx, len, nonce, NULL, 0, buf, buf, tag);
    mbedtls_chachapoly_free(&ctx);
    return ret;
}

static int seal_aes128gcm(const uint8_t key[32], const uint8_t nonce[12], uint8_t *buf, size_t len,
                          uint8_t tag[16])
{
    mbedtls_gcm_context ctx;
    mbedtls_gcm_init(&ctx);
    int ret = mbedtls_gcm_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, key, 128);
    if (ret == 0)
        ret = mbedtls_gcm_crypt_and_tag(&ctx, MBEDTLS_GCM_ENCRYPT, len, nonce, 12, NULL, 0, buf,
                                        buf, 16, tag);
    mbedtls_gcm_free(&ctx);
    return ret;
}

int tls_aead_seal(enum tls_aead aead, const uint8_t key[32], const uint8_t nonce[12], uint8_t *buf,
                  size_t len, uint8_t tag[16])
{
    int ret;
    switch (aead) {
    case TLS_AEAD_CHACHA20_POLY1305: ret = seal_chachapoly(key, nonce, buf, len, tag); break;
    case TLS_AEAD_AES_128_GCM: ret = seal_aes128gcm(key, nonce, buf, len, tag); break;
    default: return ERR_INVAL;
    }
    return ret == 0 ? 0 : ERR_INVAL;
}
