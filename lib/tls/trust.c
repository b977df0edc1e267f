/*
 * lib/tls/trust.c - trust stores: the roots a server's chain must reach,
 * loaded from PEM bundles in memory (reading the file, and naming it in
 * errors, is the caller's job). Blocks that do not parse as certificates
 * are skipped, as OpenSSL and curl do with a system bundle.
 */
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "tls/internal.h"

/* A bundle larger than this is not a trust store. */
#define TLS_TRUST_MAX_PEM (64u << 20)

int tls_trust_create(struct tls_trust **out)
{
    *out = mem_zalloc(sizeof **out);
    if (!*out) return ERR_NOMEM;
    mbedtls_x509_crt_init(&(*out)->chain);
    return 0;
}

void tls_trust_destroy(struct tls_trust *t)
{
    if (!t) return;
    mbedtls_x509_crt_free(&t->chain);
    mem_free(t);
}

size_t tls_trust_count(const struct tls_trust *t)
{
    return t->count;
}

/* Parses the certificate whose PEM block is pem[0..len) (NUL-terminated
 * at pem[len], as Mbed TLS requires) into the chain. */
static bool add_block(struct tls_trust *t, const char *pem, size_t len)
{
    return mbedtls_x509_crt_parse(&t->chain, (const unsigned char *)pem, len + 1) == 0;
}

long tls_trust_add_pem(struct tls_trust *t, const void *pem, size_t len)
{
    static const char begin[] = "-----BEGIN CERTIFICATE-----";
    static const char end[] = "-----END CERTIFICATE-----";
    if (len > TLS_TRUST_MAX_PEM) return ERR_2BIG;
    /* One block at a time, so that a bad one costs only itself. */
    char *buf = mem_alloc(len + 1);
    if (!buf) return ERR_NOMEM;
    memcpy(buf, pem, len);
    buf[len] = '\0';
    long added = 0;
    size_t pos = 0;
    while (pos < len) {
        /* strstr stops at a NUL inside the bundle: the search goes on after it. */
        const char *b = strstr(buf + pos, begin);
        const char *e = b ? strstr(b, end) : NULL;
        if (!e) {
            pos += strlen(buf + pos) + 1;
            continue;
        }
        size_t blen = (size_t)(e - b) + sizeof end - 1;
        char saved = b[blen];
        ((char *)b)[blen] = '\0';
        if (add_block(t, b, blen))
            added++;
        else
            log_write(LOG_DEBUG, "tls", "skipped a PEM block that is not a certificate");
        ((char *)b)[blen] = saved;
        pos = (size_t)(b - buf) + blen;
    }
    mem_free(buf);
    t->count += (size_t)added;
    return added;
}
