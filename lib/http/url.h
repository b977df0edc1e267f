/*
 * lib/http/url.h - http URLs (RFC 9110 section 4.2.1, RFC 3986): parsing
 * into the parts a request needs, and resolving a reference (a Location
 * field) against a base URL (RFC 3986 section 5.2).
 *
 * The "http" and "https" schemes are accepted (RFC 9110 sections 4.2.1
 * and 4.2.2), others refused with HTTP_FAIL_SCHEME (ERR_NOTSUP). Hosts are names
 * or IPv4 literals, or IPv6 literals in brackets; userinfo is refused
 * (RFC 9110 section 4.2.4: "treat its presence as an error"), and so is
 * any byte that is not visible ASCII: a URL must arrive percent-encoded.
 * The fragment is dropped: it is never sent (RFC 9110 section 7.1).
 */
#ifndef HTTP_URL_H
#define HTTP_URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/fail.h"

/* The parts of an http URL; every pointer is into the parsed string. */
struct http_url {
    const char *authority; /* host[:port], the Host field (RFC 9110 section 7.2) */
    size_t authority_len;
    const char *host; /* a name, an IPv4 literal, or an IPv6 literal without brackets */
    size_t host_len;
    uint16_t port;    /* 80 (http) or 443 (https) when the URL has none */
    bool https;       /* the scheme is https: the connection must be TLS */
    const char *path; /* may be empty: then the request target's path is "/" */
    size_t path_len;
    const char *query; /* "?..." or empty */
    size_t query_len;
};

/* Parses an absolute http URL s[0..n). Returns 0, or ERR_INVAL with *fail
 * HTTP_FAIL_URL, ERR_NOTSUP with HTTP_FAIL_SCHEME (a scheme other
 * than http and https) or ERR_NAMETOOLONG with HTTP_FAIL_URL_TOO_LONG (a host longer
 * than HTTP_MAX_HOST). fail may be NULL. */
int http_url_parse(const char *s, size_t n, struct http_url *u, enum http_fail *fail);

/*
 * Resolves the reference ref[0..ref_len) against the absolute http URL
 * base[0..base_len) (base may be NULL: then ref must be absolute) and
 * writes the result, NUL-terminated, to out[0..size): "http://" or "https://" authority
 * path query, with dot-segments removed, a path of at least "/", and no
 * fragment. Returns its length, or the errors of http_url_parse(), and
 * ERR_NAMETOOLONG with HTTP_FAIL_URL_TOO_LONG when it does not fit.
 *
 * In a URL this returns, the path is never empty and the query follows it,
 * so the request target is path[0 .. path_len + query_len).
 */
long http_url_resolve(const char *base, size_t base_len, const char *ref, size_t ref_len, char *out,
                      size_t size, enum http_fail *fail);

#endif
