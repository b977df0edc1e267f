/*
 * lib/tls/accel.c - which AES-GCM code Mbed TLS runs on this CPU: AES-NI
 * and PCLMULQDQ (mbedtls_config.h's MBEDTLS_AESNI_C) when CPUID reports
 * both, else its portable table code. The answer is Mbed TLS's own run-time
 * check, so a caller can report what is really used.
 */
#include <stdbool.h>

#include "aesni.h" /* Mbed TLS's library/, not among its public headers */
#include "tls/tls.h"

bool tls_aes_hw(void)
{
    return mbedtls_aesni_has_support(MBEDTLS_AESNI_AES) &&
           mbedtls_aesni_has_support(MBEDTLS_AESNI_CLMUL);
}
