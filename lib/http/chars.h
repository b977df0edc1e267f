/*
 * lib/http/chars.h - character classes of HTTP/1.1's grammar (RFC 9110
 * section 5.6, RFC 9112 section 2), shared by the parser, the request
 * writer and the URL parser. Internal to lib/http.
 */
#ifndef HTTP_CHARS_H
#define HTTP_CHARS_H

#include <stdbool.h>
#include <stddef.h>

/* tchar (RFC 9110 section 5.6.2): the characters of a token. */
static inline bool http_is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

/* A field-value octet (RFC 9110 section 5.5): VCHAR, obs-text, SP, HTAB.
 * Other controls, NUL, CR and LF included, are refused. */
static inline bool http_is_field_vchar(unsigned char c)
{
    return (c >= 0x20 && c != 0x7f) || c == '\t';
}

/* OWS / BWS: optional whitespace (RFC 9110 section 5.6.3). */
static inline bool http_is_ows(unsigned char c) { return c == ' ' || c == '\t'; }

/* True if s[0..n) is a non-empty token. */
static inline bool http_is_token(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!http_is_tchar((unsigned char)s[i]))
            return false;
    return true;
}

/* True if s[0..n) is a valid field value: field-vchars with no leading or
 * trailing whitespace (RFC 9110 section 5.5). Empty values are valid. */
static inline bool http_is_field_value(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!http_is_field_vchar((unsigned char)s[i]))
            return false;
    return n == 0 || (!http_is_ows((unsigned char)s[0]) && !http_is_ows((unsigned char)s[n - 1]));
}

/* Case-insensitive comparison of s[0..n) with the lower-case NUL-terminated
 * string lc. */
static inline bool http_eq_lower(const char *s, size_t n, const char *lc)
{
    size_t i = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (lc[i] == '\0' || c != (unsigned char)lc[i])
            return false;
    }
    return lc[i] == '\0';
}

static inline int http_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
