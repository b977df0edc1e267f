/*
 * lib/tls/mbedtls_config.h - KPIO's build configuration of Mbed TLS 3.6,
 * used for every build of it (host tests, release tools, the kernel) via
 * MBEDTLS_CONFIG_FILE. It owns the choice of what Mbed TLS compiles in.
 *
 * A TLS 1.3 and 1.2 client only: ECDHE (X25519, P-256, P-384) with RSA or
 * ECDSA certificates, AES-GCM and ChaCha20-Poly1305, SNI, ALPN, X.509
 * parsing and chain verification, PEM. No server, no PSK, no CBC, no
 * renegotiation, no session tickets, no filesystem, no sockets, no timing
 * module and no clock inside Mbed TLS: certificate dates are checked by
 * lib/tls against the wall clock its caller supplies (verify.c), and
 * randomness comes from the caller's entropy through lib/tls (rng.c).
 * Memory comes from lib/base's heap (platform.c).
 */
#ifndef KPIO_MBEDTLS_CONFIG_H
#define KPIO_MBEDTLS_CONFIG_H

/* --- platform: no C library beyond mem and str functions ------------------ */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_CALLOC_MACRO   tls_mbed_calloc
#define MBEDTLS_PLATFORM_FREE_MACRO     tls_mbed_free
#define MBEDTLS_PLATFORM_SNPRINTF_MACRO tls_mbed_snprintf
/* 128-bit division would need libgcc's __udivti3 in the kernel. */
#define MBEDTLS_NO_UDBL_DIVISION
#define MBEDTLS_HAVE_ASM
/* debug.h would include <inttypes.h> for this. */
#define MBEDTLS_PRINTF_MS_TIME "lld"
/* Randomness for PSA (used by TLS 1.3 key exchange) comes from lib/tls. */
#define MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG

#include <stddef.h>
void *tls_mbed_calloc(size_t n, size_t size);
void tls_mbed_free(void *p);
int tls_mbed_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* --- cryptography ---------------------------------------------------------- */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES
/* AES-NI and PCLMULQDQ for AES-GCM when CPUID reports both (checked at run
 * time; the table code stays as the fallback). Built without -maes, so Mbed
 * TLS uses its inline-assembly implementation in aesni.c only, the one file
 * the kernel compiles with SSE registers allowed (lib/tls/module.mk). */
#define MBEDTLS_AESNI_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
/* SHA-1 only so that roots self-signed with it still parse; the
 * verification profile (verify.c) refuses SHA-1 signatures in a chain. */
#define MBEDTLS_SHA1_C
#define MBEDTLS_HKDF_C
#define MBEDTLS_HMAC_DRBG_C
#define MBEDTLS_CTR_DRBG_C
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_CONSTANT_TIME_C

/* --- keys and certificates ------------------------------------------------- */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
/* RSA-PSS: TLS 1.3 servers with RSA keys sign with rsa_pss_rsae_* (RFC 8446
 * section 4.2.3), which Mbed TLS offers only with this. */
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT

/* --- TLS: a client of 1.2 and 1.3 ------------------------------------------ */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_ALPN
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
/* 16 KiB records in; what we send is small (requests). */
#define MBEDTLS_SSL_IN_CONTENT_LEN  16384
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

#endif
