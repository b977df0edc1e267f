/*
 * lib/tls/fail.c - Mbed TLS's error codes as lib/tls failures: the
 * wasi:http error-code kind (TLS-certificate-error, TLS-alert-received,
 * TLS-protocol-error), the ERR_* value and a message; and the names of
 * TLS alerts (RFC 8446 section 6, RFC 5246 section 7.2).
 */
#include <mbedtls/error.h>

#include "base/error.h"
#include "base/fmt.h"
#include "tls/internal.h"

const char *tls_alert_name(int id)
{
    switch (id) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return NULL;
    }
}

int tls_fail_set(struct tls_error *err, int ret, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->alert = -1;
    switch (ret) {
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
    case MBEDTLS_ERR_SSL_BAD_CERTIFICATE:
    case MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT:
    case MBEDTLS_ERR_X509_UNKNOWN_SIG_ALG:
    case MBEDTLS_ERR_X509_SIG_MISMATCH:
    case MBEDTLS_ERR_X509_UNKNOWN_VERSION:
    case MBEDTLS_ERR_X509_INVALID_FORMAT: err->kind = TLS_FAIL_CERT; return ERR_TLS_CERT;
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE: err->kind = TLS_FAIL_ALERT; return ERR_TLS_ALERT;
    default: err->kind = TLS_FAIL_PROTOCOL; return ERR_TLS_PROTO;
    }
}
