/*
 * apps/include/sdk/http.h - an HTTP GET over wasi:http 0.2
 * (outgoing-handler.handle) that streams the body into a callback and
 * follows redirects itself: wasi:http hands 3xx responses to the guest as
 * they are (RFC 9110 section 15.4: 301, 302, 303, 307 and 308 with a
 * Location are followed, up to max_redirects). URLs are parsed and
 * Location references resolved by lib/http/url.c (RFC 3986 section 5.2);
 * only http: URLs are accepted, as KPIO has no TLS.
 *
 * Memory is constant: the body is read in chunks of at most read_size
 * bytes into one buffer that is handed to on_body, whatever the length.
 */
#ifndef SDK_HTTP_H
#define SDK_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "sdk/wasi2.h"

#define HTTP_GET_URL_MAX 8192

struct http_get_opts {
    uint64_t connect_timeout_ns;       /* 0: the host's default */
    uint64_t first_byte_timeout_ns;    /* 0: the host's default */
    uint64_t between_bytes_timeout_ns; /* 0: the host's default */
    int max_redirects;
    size_t read_size; /* bytes per read of the body (and the buffer's size) */
};

/* The final response's head. */
struct http_head {
    int status;
    int64_t content_length; /* -1 when the response does not say */
    const char *url;        /* the URL that answered, after redirects */
    int redirects;
};

struct http_get_cb {
    void *ctx;
    /* Before each redirect is followed (may be NULL). Nonzero stops. */
    int (*on_redirect)(void *ctx, int status, const char *from, const char *to);
    /* The final head, before the body. Nonzero stops; HTTP_GET_SKIP_BODY
     * ends the exchange without reading the body (a success). */
    int (*on_head)(void *ctx, const struct http_head *h);
    /* Each piece of the body, in order. Nonzero stops. */
    int (*on_body)(void *ctx, const void *data, size_t len);
};

enum { HTTP_GET_SKIP_BODY = 1000 };

struct http_get_result {
    int status;             /* 0 when no response came */
    int64_t content_length; /* as announced, or -1 */
    uint64_t body_bytes;    /* bytes passed to on_body */
    int redirects;
    char url[HTTP_GET_URL_MAX]; /* the last URL requested */
};

void http_get_opts_default(struct http_get_opts *o);

/*
 * GETs url. Returns 0 when a final response was received and its body
 * read to the end (any status; the caller judges it), 1 when a callback
 * stopped the exchange (its value is not kept), or -1 on failure with
 * wasi2_error(): a bad URL, too many redirects, the host's error-code
 * (kind WASI2_ERR_HTTP: DNS-error, connection-refused, ...), a failed body
 * stream ("body failed after N of M bytes (the host's error text)"), or a
 * body that ends before its Content-Length ("body ended after N of M
 * bytes"). A body longer than announced cannot happen: the host's
 * HTTP/1.1 framing stops at Content-Length.
 */
int http_get(const char *url, const struct http_get_opts *o, const struct http_get_cb *cb,
             struct http_get_result *r);

#endif
