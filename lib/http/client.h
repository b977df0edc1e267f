/*
 * lib/http/client.h - an HTTP/1.1 client over the socket interface of
 * http/sock.h, built on the parser and the request writer: blocking, or
 * stepped without waiting (http_client_start / http_client_step).
 *
 * One client runs one exchange at a time and keeps one connection open
 * between them (RFC 9112 section 9.3): a request to the same host and
 * port reuses it. Every wait has a deadline: connect, header (request
 * sent -> response head complete) and idle (silence while sending or while
 * receiving the body) timeouts. Memory is constant: a receive buffer, the
 * parser's line buffer and the bounded header section; the body is handed
 * out in pieces, never gathered.
 *
 *     struct http_client *c;
 *     http_client_create(&sock, NULL, &c);
 *     struct http_client_request req = {.url = "http://10.0.2.2:8080/data"};
 *     if (http_client_open(c, &req) == 0 && http_client_response(c) >= 0) {
 *         status, headers: http_client_status(c), http_client_headers(c)
 *         while ((n = http_client_read_slice(c, &data)) > 0) use(data, n);
 *     }
 *     http_client_end(c);   // then another request, or:
 *     http_client_destroy(c);
 *
 * Redirects (301, 302, 303, 307, 308 with a Location) are followed up to
 * max_redirects times, with the method rules of RFC 9110 section 15.4:
 * 303 turns any method but HEAD into GET; 301 and 302 turn POST into GET,
 * as browsers do (RFC 9110 15.4.2 and 15.4.3 allow it "for historical
 * reasons"); 307 and 308 keep the method and the body. A dropped body takes
 * its Content-Type, Content-Encoding, Content-Language and
 * Content-Location fields with it (as the Fetch standard does), and a
 * redirect to another host or port drops Authorization,
 * Proxy-Authorization and Cookie. A redirect that would need to resend a
 * streamed body (which the client cannot replay) is not followed: the 3xx
 * is returned. With max_redirects 0 every 3xx is returned.
 *
 * Errors: negative ERR_*; http_client_fail() tells which failure (the
 * table in http/fail.h) and http_client_error() gives a message. After a
 * failure the connection is closed and the client is ready for a new
 * request.
 */
#ifndef HTTP_CLIENT_H
#define HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/fail.h"
#include "http/fields.h"
#include "http/parser.h"
#include "http/sock.h"

struct http_client_config {
    uint32_t connect_timeout_ms; /* resolve and connect */
    uint32_t header_timeout_ms;  /* request sent -> response head complete */
    uint32_t idle_timeout_ms;    /* longest wait for the socket while sending or reading */
    unsigned max_redirects;      /* 0: return every 3xx to the caller */
    bool keep_alive;             /* false: send "Connection: close" */
    size_t recv_buffer;          /* bytes per recv; body pieces are at most this long */
    struct http_limits limits;   /* the response parser's */
};

/* The defaults of http/config.h. */
void http_client_config_default(struct http_client_config *cfg);

enum http_client_body {
    HTTP_CLIENT_BODY_NONE,   /* no body (Content-Length: 0 for POST, PUT, PATCH) */
    HTTP_CLIENT_BODY_MEMORY, /* body[0..body_len), sent with Content-Length */
    HTTP_CLIENT_BODY_STREAM, /* written with http_client_write() after open */
};

struct http_client_request {
    const char *method;              /* a token; NULL means "GET" */
    const char *url;                 /* an absolute http URL (C string) */
    const struct http_field *fields; /* extra fields, copied; Host and framing are the client's */
    size_t field_count;
    enum http_client_body body_kind;
    const void *body; /* MEMORY: must stay valid until http_client_response() returns */
    size_t body_len;
    int64_t stream_length; /* STREAM: the Content-Length, or -1 to send chunked */
    /* This request's timeouts (wasi:http's request-options); 0 means the
     * client's configured value. */
    uint32_t connect_timeout_ms, header_timeout_ms, idle_timeout_ms;
};

struct http_client;

/* Creates a client over sock (copied) with cfg (NULL: the defaults).
 * Returns 0 and *out, ERR_INVAL for a bad config, or ERR_NOMEM. */
int http_client_create(const struct http_sock *sock, const struct http_client_config *cfg,
                       struct http_client **out);
/* Closes the connection and frees everything. */
void http_client_destroy(struct http_client *c);
/* Gives the client a socket for https URLs (copied): TLS connections over
 * TCP, such as lib/tls's. Without one, an https URL fails with
 * HTTP_FAIL_SCHEME. Its ERR_TLS_* errors become HTTP_FAIL_TLS_* with the
 * socket's message. */
void http_client_set_tls(struct http_client *c, const struct http_sock *tls);

/* Starts an exchange: checks and copies the request, connects (or reuses
 * the open connection) and sends the head, and a MEMORY body. Ends the
 * previous exchange first if the caller did not. Returns 0 or an error. */
int http_client_open(struct http_client *c, const struct http_client_request *req);
/* Sends the next len bytes of a STREAM body. Returns 0, or an error:
 * HTTP_FAIL_BODY_LENGTH when they pass the declared stream_length. */
int http_client_write(struct http_client *c, const void *data, size_t len);
/* Sends what the socket takes now of the next len bytes of a STREAM body
 * started with http_client_start (stepping its connect and head first),
 * never waiting: the count taken (> 0; the rest must be offered again,
 * first, by the next call), ERR_AGAIN with *deadline_ms when nothing could
 * go (the caller waits until the connection is writable, or readable
 * while it connects, or the deadline, then calls again), or an error.
 * Chunk framing is kept inside, so the pieces offered need not match
 * earlier ones. http_client_step then ends the body without waiting. */
long http_client_try_write(struct http_client *c, const void *data, size_t len,
                           uint64_t *deadline_ms);
/* Ends the request body and waits for the response head, following
 * redirects. Returns the final status (100..599 never 1xx: those are
 * skipped), or an error. The status, headers and body length are then
 * available. */
int http_client_response(struct http_client *c);

/* Stepped exchanges, for callers that wait on many things at once: start
 * does what open does, but never waits (it may start a connect, with the
 * socket's connect_start, or do nothing yet; a STREAM body then goes out
 * with http_client_try_write); each step then advances the exchange as far as it can
 * without waiting (connect, send the head and body, read the response
 * head, follow redirects) and returns the final status as
 * http_client_response does, or ERR_AGAIN with *deadline_ms (the
 * socket's now_ms clock) when it needs the socket: the caller waits until
 * the connection is readable or writable or the deadline passes, then
 * steps again (a step after the deadline fails with the timeout). A
 * timeout 0 to the socket's calls means "do not wait"; what still waits:
 * a socket without connect_start connects with connect (lib/tls's has
 * one: it connects and shakes hands a step at a time), name resolution
 * unless the socket's connect_start leaves it pending too, and skipping a
 * redirect's body. http_client_response may be called instead of a step
 * to wait for the rest. The body is then read as after open. */
int http_client_start(struct http_client *c, const struct http_client_request *req);
int http_client_step(struct http_client *c, uint64_t *deadline_ms);

int http_client_status(const struct http_client *c);
/* The final response's header section, in order; valid until the next
 * http_client_open(). */
const struct http_fields *http_client_headers(const struct http_client *c);
/* Body bytes to come: exact for Content-Length (and 0 for HEAD, 204, 304),
 * -1 when unknown (chunked, or until the connection closes). */
int64_t http_client_body_length(const struct http_client *c);
/* The URL of the final response (after redirects), a C string. */
const char *http_client_url(const struct http_client *c);
unsigned http_client_redirects(const struct http_client *c);

/* The next piece of the body: returns its length (> 0) with *data pointing
 * into the client's buffer, valid until the next call; 0 at the end of the
 * body (the trailers are then complete); or an error (a truncated body,
 * an idle timeout, a malformed chunk...). */
long http_client_read_slice(struct http_client *c, const uint8_t **data);
/* The same without waiting: ERR_AGAIN with *deadline_ms (the socket's
 * now_ms clock) when no piece is there yet; the caller waits until the
 * connection is readable or the deadline passes (then this fails with the
 * idle timeout), and calls again. */
long http_client_try_read_slice(struct http_client *c, const uint8_t **data, uint64_t *deadline_ms);
/* The same, copying up to len > 0 bytes into buf. */
long http_client_read(struct http_client *c, void *buf, size_t len);
/* The trailer section of a chunked body, complete once reading returned 0. */
const struct http_fields *http_client_trailers(const struct http_client *c);

/* Ends the exchange. A body not read to its end is skipped if at most
 * HTTP_DRAIN_LIMIT bytes of it remain, so that the connection can be kept;
 * otherwise the connection is closed. Safe to call at any time. */
void http_client_end(struct http_client *c);

/* Called with each piece of the body; a negative return stops the fetch
 * and is returned by http_client_fetch(). */
typedef int (*http_body_sink)(void *ctx, const uint8_t *data, size_t len);
/* open + response + every body piece to sink + end, for a request without
 * a STREAM body. Returns the final status or an error. */
int http_client_fetch(struct http_client *c, const struct http_client_request *req,
                      http_body_sink sink, void *ctx);

/* The failure behind the last error (HTTP_FAIL_NONE after a success) and a
 * message saying what, where and why; never NULL. */
enum http_fail http_client_fail(const struct http_client *c);
const char *http_client_error(const struct http_client *c);

/* TCP connections opened since creation, and requests sent on the current
 * one: how keep-alive is observed. */
unsigned http_client_connects(const struct http_client *c);
unsigned http_client_conn_requests(const struct http_client *c);

#endif
