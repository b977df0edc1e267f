/*
 * lib/tls/verify.c - the certificate policy of tls.h on top of Mbed TLS's
 * chain verification: the signature profile, the date checks against the
 * caller's wall clock (Mbed TLS is built without a clock), and the one
 * line that says why a server was refused.
 */
#include <mbedtls/oid.h>

#include "base/fmt.h"
#include "base/mem.h"
#include "tls/internal.h"

/* Signatures with SHA-2 only (no MD5, no SHA-1: RFC 9155 deprecates them
 * in TLS 1.2, and the CA/Browser Forum's Baseline Requirements in
 * certificates), RSA of 2048 bits or more, ECDSA on P-256 and P-384. */
const mbedtls_x509_crt_profile tls_cert_profile = {
    .allowed_mds = MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) |
                   MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) |
                   MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512),
    .allowed_pks = MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_RSA) |
                   MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_RSASSA_PSS) |
                   MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECDSA) | MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECKEY),
    .allowed_curves = MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP256R1) |
                      MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP384R1),
    .rsa_min_bitlen = 2048,
};

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t x509_seconds(const mbedtls_x509_time *t)
{
    return days_from_civil(t->year, t->mon, t->day) * 86400 + t->hour * 3600 + t->min * 60 + t->sec;
}

static bool same_buf(const mbedtls_x509_buf *a, const mbedtls_x509_buf *b)
{
    return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* The leaf's first DNS or IP subject-alternative name, else its subject. */
static void leaf_name(const mbedtls_x509_crt *crt, char *buf, size_t size)
{
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s && s->buf.p; s = s->next) {
        int tag = s->buf.tag & MBEDTLS_ASN1_TAG_VALUE_MASK;
        const unsigned char *p = s->buf.p;
        if (tag == MBEDTLS_X509_SAN_DNS_NAME) {
            fmt_snprintf(buf, size, "%.*s", (int)(s->buf.len < 80 ? s->buf.len : 80), p);
            return;
        }
        if (tag == MBEDTLS_X509_SAN_IP_ADDRESS && s->buf.len == 4) {
            fmt_snprintf(buf, size, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
            return;
        }
        if (tag == MBEDTLS_X509_SAN_IP_ADDRESS && s->buf.len == 16) {
            size_t n = 0;
            for (int i = 0; i < 16 && n < size; i += 2)
                n += fmt_snprintf(buf + n, size - n, "%s%x", i ? ":" : "", (p[i] << 8) | p[i + 1]);
            return;
        }
    }
    if (mbedtls_x509_dn_gets(buf, size, &crt->subject) < 0) str_copy(buf, "?", size);
}

int tls_verify_cb(void *state, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    struct tls_verify_state *st = state;
    /* Called from the top of the chain down to the leaf (depth 0). */
    int64_t from = x509_seconds(&crt->valid_from), to = x509_seconds(&crt->valid_to);
    if (st->now > to) {
        *flags |= MBEDTLS_X509_BADCERT_EXPIRED;
    } else if (st->now < from) {
        *flags |= MBEDTLS_X509_BADCERT_FUTURE;
    }
    if ((*flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) &&
        st->date_depth < 0) {
        st->date_depth = depth;
        st->date_future = st->now < from;
        st->date = st->date_future ? crt->valid_from : crt->valid_to;
    }
    if (!st->leaf_seen && !st->top_issuer[0]) {
        /* the first call is for the top of the chain */
        if (mbedtls_x509_dn_gets(st->top_issuer, sizeof st->top_issuer, &crt->issuer) < 0)
            str_copy(st->top_issuer, "?", sizeof st->top_issuer);
        st->top_self_signed = same_buf(&crt->issuer_raw, &crt->subject_raw);
    }
    if (depth == 0) {
        st->leaf_seen = true;
        st->leaf_self_signed = same_buf(&crt->issuer_raw, &crt->subject_raw);
        leaf_name(crt, st->leaf_name, sizeof st->leaf_name);
    }
    st->flags |= *flags;
    return 0;
}

static void put_date(char *buf, size_t size, const char *what, const mbedtls_x509_time *t)
{
    fmt_snprintf(buf, size, "%s %04d-%02d-%02d", what, t->year, t->mon, t->day);
}

/* 2020-01-01: a clock before it has not been set. */
#define TLS_CLOCK_SANE 1577836800

void tls_verify_message(const struct tls_verify_state *st, const char *host, char *buf, size_t size)
{
    uint32_t f = st->flags;
    if (f & MBEDTLS_X509_BADCERT_NOT_TRUSTED) {
        if (st->top_self_signed)
            fmt_snprintf(buf, size, "certificate not trusted (self-signed)");
        else
            fmt_snprintf(buf, size,
                         "certificate not trusted (issued by %s, which is not a trusted root)",
                         st->top_issuer);
    } else if (f & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE)) {
        if (st->now < TLS_CLOCK_SANE) {
            fmt_snprintf(buf, size,
                         "clock not set (it reads before 2020), so certificate dates cannot be "
                         "checked");
        } else {
            char what[64];
            fmt_snprintf(what, sizeof what, "%s%s",
                         st->date_depth > 0 ? "issuer certificate" : "certificate",
                         st->date_future ? " not valid before" : " expired on");
            put_date(buf, size, what, &st->date);
        }
    } else if (f & MBEDTLS_X509_BADCERT_CN_MISMATCH) {
        fmt_snprintf(buf, size, "certificate is for %s, not %s", st->leaf_name, host);
    } else if (f & MBEDTLS_X509_BADCERT_BAD_MD) {
        fmt_snprintf(buf, size, "certificate signed with a weak hash (MD5 or SHA-1)");
    } else if (f & (MBEDTLS_X509_BADCERT_BAD_KEY | MBEDTLS_X509_BADCERT_BAD_PK)) {
        fmt_snprintf(buf, size, "certificate key too weak or of an unsupported kind");
    } else if (f & (MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE)) {
        fmt_snprintf(buf, size, "certificate not meant for a TLS server (key usage)");
    } else {
        fmt_snprintf(buf, size, "certificate refused (verification flags 0x%x)", (unsigned)f);
    }
}
