/*
 * lib/http/request.h - the HTTP/1.1 request writer (RFC 9112 sections 3
 * and 7.1), sans-IO: it formats bytes into the caller's buffer and leaves
 * sending them to the caller.
 *
 *   request-line: method SP request-target SP "HTTP/1.1" CRLF
 *   Host, the caller's fields in their order, then the framing the writer
 *   owns (Content-Length or Transfer-Encoding: chunked, Connection: close),
 *   and the empty line.
 *
 * A chunked body is sent as http_chunk_head(n), n bytes, "\r\n" for each
 * non-empty piece, and HTTP_CHUNK_LAST at the end (no trailers).
 */
#ifndef HTTP_REQUEST_H
#define HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/fail.h"
#include "http/fields.h"

enum http_body_kind {
    HTTP_BODY_NONE,    /* no body and no framing field */
    HTTP_BODY_LENGTH,  /* Content-Length: content_length */
    HTTP_BODY_CHUNKED, /* Transfer-Encoding: chunked */
};

struct http_request_head {
    const char *method; /* a token: "GET", "POST", ... (C string) */
    const char *target; /* origin-form "/path?query" (RFC 9112 section 3.2.1) */
    size_t target_len;
    const char *host; /* the Host field: host[:port] (RFC 9110 section 7.2) */
    size_t host_len;
    const struct http_fields *fields; /* the caller's fields, or NULL */
    enum http_body_kind body;
    uint64_t content_length; /* HTTP_BODY_LENGTH */
    bool close;              /* ask for the connection to close after the response */
};

/* Formats the request head into buf[0..size). Returns its length, or
 * ERR_NOSPC when it does not fit, or ERR_INVAL with *fail set to
 * HTTP_FAIL_METHOD (not a token), HTTP_FAIL_URL (bad target or host) or
 * HTTP_FAIL_REQUEST_FIELD (an invalid field, or one the writer owns:
 * see http_request_field_forbidden()). fail may be NULL. */
long http_request_write(const struct http_request_head *r, char *buf, size_t size,
                        enum http_fail *fail);

/* True for the fields the writer or the client own and a caller may not
 * set: Host, Content-Length, Transfer-Encoding, Connection, Keep-Alive, TE,
 * Upgrade (framing and connection management, RFC 9110 section 7.6.1). */
bool http_request_field_forbidden(const char *name, size_t name_len);

/* The buffer http_chunk_head() needs: 16 hex digits, CRLF and a NUL. */
#define HTTP_CHUNK_HEAD_MAX 20
/* Writes "<size in hex>\r\n" (size > 0) into buf[HTTP_CHUNK_HEAD_MAX] and
 * returns its length (without the NUL). */
size_t http_chunk_head(char *buf, uint64_t size);
/* The last-chunk and the empty trailer section. */
#define HTTP_CHUNK_LAST "0\r\n\r\n"

#endif
