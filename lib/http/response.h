/*
 * lib/http/response.h - the HTTP/1.1 response writer for a server (RFC 9112
 * sections 4, 6 and 7.1), sans-IO: it formats bytes into the caller's
 * buffer and leaves sending them to the caller.
 *
 *   status-line: "HTTP/1.1" SP status-code SP reason-phrase CRLF
 *   the caller's fields in their order, except the ones the writer owns
 *   (http_response_field_owned(): framing and connection management),
 *   then the framing (Content-Length or Transfer-Encoding: chunked),
 *   "Connection: close" when asked, and the empty line.
 *
 * A chunked body is http_chunk_head(n) (request.h), n bytes, "\r\n" for
 * each non-empty piece, and http_trailers_write() at the end: the
 * last-chunk, the trailer fields and the empty line (RFC 9112 7.1.2).
 */
#ifndef HTTP_RESPONSE_H
#define HTTP_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/fields.h"
#include "http/request.h"

struct http_response_head {
    int status;                       /* 100..599 */
    const struct http_fields *fields; /* the handler's fields, or NULL */
    enum http_body_kind body;         /* NONE: no framing field at all */
    uint64_t content_length;          /* HTTP_BODY_LENGTH */
    bool close;                       /* "Connection: close" */
};

/* The interim response a server sends when a request said
 * "Expect: 100-continue" and its body is wanted (RFC 9110 10.1.1). */
#define HTTP_CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"

/* Formats the response head into buf[0..size). Returns its length,
 * ERR_NOSPC when it does not fit, or ERR_INVAL for a status outside
 * 100..599 or a field that is not a valid name and value (the caller's
 * fields come from a handler that may be hostile: a CR or LF can never
 * reach the output). Owned fields in r->fields are left out. */
long http_response_write(const struct http_response_head *r, char *buf, size_t size);

/* Formats the end of a chunked body: "0\r\n", the trailer fields (owned
 * ones left out) and "\r\n". trailers may be NULL. Returns the length,
 * ERR_NOSPC or ERR_INVAL as http_response_write(). */
long http_trailers_write(const struct http_fields *trailers, char *buf, size_t size);

/* Formats a complete small response for status with a text/plain body
 * "<status> <reason>\n" and, when close, "Connection: close": what a
 * server answers a bad request (400, 414, 431...) or a failed handler
 * (500, 503, 504). Returns the length or ERR_NOSPC. */
long http_response_simple(int status, bool close, char *buf, size_t size);

/* True for the fields the server owns: Content-Length, Transfer-Encoding,
 * Connection, Keep-Alive, Proxy-Connection, TE, Upgrade, Trailer
 * (RFC 9110 section 7.6.1 and RFC 9112 section 6). */
bool http_response_field_owned(const char *name, size_t name_len);

/* The reason phrase of a status ("Not Found"); "" for one without. */
const char *http_status_reason(int status);

#endif
