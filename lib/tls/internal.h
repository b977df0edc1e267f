/*
 * lib/tls/internal.h - what lib/tls's files share and its users do not:
 * Mbed TLS's headers, the trust store's layout, the verification policy
 * (verify.c) and the mapping of Mbed TLS's errors (fail.c).
 */
#ifndef TLS_INTERNAL_H
#define TLS_INTERNAL_H

#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "tls/tls.h"

struct tls_trust {
    mbedtls_x509_crt chain; /* Mbed TLS's list of roots */
    size_t count;
};

/* What the verification callback saw, for the message after a refusal. */
struct tls_verify_state {
    const struct tls_env *env;
    int64_t now;            /* wall clock at the start of the handshake */
    uint32_t flags;         /* MBEDTLS_X509_BADCERT_* of the whole chain */
    int date_depth;         /* the cert whose dates failed (-1: none) */
    mbedtls_x509_time date; /* its valid_to (expired) or valid_from (future) */
    bool date_future;
    bool leaf_self_signed, top_self_signed;
    char top_issuer[96]; /* the issuer of the top certificate the server sent */
    char leaf_name[96];  /* the first DNS or IP name of the leaf (else its CN) */
    bool leaf_seen;
};

/* The profile of tls.h: SHA-2 signatures, RSA >= 2048, P-256/P-384. */
extern const mbedtls_x509_crt_profile tls_cert_profile;
/* Mbed TLS's per-certificate callback (mbedtls_ssl_set_verify): adds the
 * date checks (EXPIRED, FUTURE) and records state's details. */
int tls_verify_cb(void *state, mbedtls_x509_crt *crt, int depth, uint32_t *flags);
/* The message of a refused certificate: "certificate ...". */
void tls_verify_message(const struct tls_verify_state *st, const char *host, char *buf,
                        size_t size);

/* Sets err from Mbed TLS's error code ret of a handshake or record
 * operation; returns the ERR_* for it. */
int tls_fail_set(struct tls_error *err, int ret, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The Mbed TLS heap of one connection (platform.c counts it). */
struct tls_budget {
    size_t used, peak, cap; /* bytes; cap 0: none */
    bool over;              /* an allocation was refused for the cap */
};

/* Makes b the calling thread's budget for Mbed TLS's allocations (b may be
 * NULL: none) and returns the one it replaces, for tls_budget_leave. A
 * no-op returning NULL without the tls_init() env's budget_slot. */
struct tls_budget *tls_budget_enter(struct tls_budget *b);
void tls_budget_leave(struct tls_budget *prev);

/* A CTR_DRBG callback over env's entropy, for Mbed TLS's f_entropy. */
int tls_entropy_cb(void *env, unsigned char *buf, size_t len);

#endif
