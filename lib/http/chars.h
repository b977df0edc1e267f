/*
 * lib/http/chars.h - character classes of HTTP/1.1's grammar (RFC 9110
 * section 5.6, RFC 9112 section 2), shared by the parser, the request
 * writer and the URL parser. Internal to lib/http.
 */
#ifndef HTTP_CHARS_H
#define HTTP_CHARS_H

#include <stdbool.h>
#include <stddef.h>

/* Character classes by table: bit 1 tchar (RFC 9110 section 5.6.2), bit 2
 * field-vchar (section 5.5: VCHAR, obs-text, SP, HTAB; no other controls,
 * no DEL). */
enum { HTTP_C_TCHAR = 1, HTTP_C_VCHAR = 2 };
/* clang-format off */
#define HTTP_C_T (HTTP_C_TCHAR | HTTP_C_VCHAR)
#define HTTP_C_V HTTP_C_VCHAR
#define HTTP_C_V16 HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V, \
    HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V
static const unsigned char http_char_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, HTTP_C_V, 0, 0, 0, 0, 0, 0, /* 0x00: HTAB only */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* SP ! " # $ % & ' ( ) * + , - . / */
    HTTP_C_V, HTTP_C_T, HTTP_C_V, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T,
    HTTP_C_V, HTTP_C_V, HTTP_C_T, HTTP_C_T, HTTP_C_V, HTTP_C_T, HTTP_C_T, HTTP_C_V,
    /* 0-9 : ; < = > ? */
    HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T,
    HTTP_C_T, HTTP_C_T, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_V,
    /* @ A-O */
    HTTP_C_V, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T,
    HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T,
    /* P-Z [ \ ] ^ _ */
    HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T,
    HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_V, HTTP_C_V, HTTP_C_V, HTTP_C_T, HTTP_C_T,
    /* ` a-o */
    HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T,
    HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T,
    /* p-z { | } ~ DEL */
    HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_T,
    HTTP_C_T, HTTP_C_T, HTTP_C_T, HTTP_C_V, HTTP_C_T, HTTP_C_V, HTTP_C_T, 0,
    /* obs-text 0x80-0xff */
    HTTP_C_V16, HTTP_C_V16, HTTP_C_V16, HTTP_C_V16, HTTP_C_V16, HTTP_C_V16, HTTP_C_V16,
    HTTP_C_V16,
};
#undef HTTP_C_T
#undef HTTP_C_V
#undef HTTP_C_V16
/* clang-format on */

/* tchar: a character of a token. */
static inline bool http_is_tchar(unsigned char c)
{
    return http_char_class[c] & HTTP_C_TCHAR;
}

/* A field-value octet: VCHAR, obs-text, SP, HTAB. Other controls, NUL, CR
 * and LF included, are refused. */
static inline bool http_is_field_vchar(unsigned char c)
{
    return http_char_class[c] & HTTP_C_VCHAR;
}

/* OWS / BWS: optional whitespace (RFC 9110 section 5.6.3). */
static inline bool http_is_ows(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* True if s[0..n) is a non-empty token. */
static inline bool http_is_token(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (!http_is_tchar((unsigned char)s[i])) return false;
    return true;
}

/* True if s[0..n) is a valid field value: field-vchars with no leading or
 * trailing whitespace (RFC 9110 section 5.5). Empty values are valid. */
static inline bool http_is_field_value(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!http_is_field_vchar((unsigned char)s[i])) return false;
    return n == 0 || (!http_is_ows((unsigned char)s[0]) && !http_is_ows((unsigned char)s[n - 1]));
}

/* Case-insensitive comparison of s[0..n) with the lower-case NUL-terminated
 * string lc. */
static inline bool http_eq_lower(const char *s, size_t n, const char *lc)
{
    size_t i = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        if (lc[i] == '\0' || c != (unsigned char)lc[i]) return false;
    }
    return lc[i] == '\0';
}

static inline int http_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

#endif
