/*
 * lib/http/parser.h - the HTTP/1.1 message parser (RFC 9112), sans-IO:
 * responses for the client, requests for a server.
 *
 * The caller feeds the bytes of a connection in pieces of any size (one
 * byte at a time works) and pulls events out one at a time:
 *
 *     http_parser_start(&p, head_request);
 *     while ((r = http_parse(&p, data, len, &used, &ev)) > 0) {
 *         data += used; len -= used;
 *         switch (ev.type) { case HTTP_EV_STATUS: ... case HTTP_EV_END: ... }
 *     }
 *     // r == 0: all of data was consumed, feed more; r < 0: an ERR_*
 *
 * and calls http_parse_eof() when the peer closes the connection. Events:
 *
 *   STATUS        the final response's status-line (1xx interim responses
 *                 are parsed and skipped without events, RFC 9110 15.2)
 *   REQUEST       (request mode) the request-line: method in name, the
 *                 request-target in value, the version in version_minor
 *   HEADER        one field line: name and value, obs-folds joined by SP
 *   HEADERS_DONE  the header section ended; the body framing is known
 *                 (http_parser_body_length(), http_parser_keep_alive())
 *   BODY          a piece of the body: a slice of the caller's input
 *   TRAILER       one field line of a chunked body's trailer section
 *   END           the response is complete
 *
 * Field names and values point into the parser's line buffer and body
 * slices into the caller's input; both stay valid until the next call.
 * Memory is constant: one line buffer whose size is the largest line
 * limit, and a few counters. Every limit is checked so that the same input
 * gives the same events and the same error whatever its split.
 *
 * Body length (RFC 9112 section 6.3): none for responses to HEAD and for
 * 204 and 304; chunked when Transfer-Encoding is "chunked" (any other
 * coding is refused: we never send TE, so a server may not use one); the
 * Content-Length when present; otherwise until the connection closes. A
 * response with both Transfer-Encoding and Content-Length, or with
 * Content-Length values that differ, is refused (RFC 9112 6.3 items 3
 * and 5: "ought to be handled as an error").
 *
 * Request mode (http_parser_start_request(), for a server): the start line
 * is a request-line under the status_line limit (http_limits_server()
 * raises it for long targets); empty lines before it are skipped (RFC 9112
 * section 2.2). The body is chunked with "Transfer-Encoding: chunked", the
 * Content-Length otherwise, and empty without either (section 6.3 item
 * 7). Refused, with the status http_fail_status() gives: another transfer
 * coding (501), Transfer-Encoding with Content-Length or in HTTP/1.0, an
 * HTTP/1.1 request without exactly one Host (section 3.2), an expectation
 * other than 100-continue (417). The caller keeps the bytes after END: on
 * a kept-alive connection they begin the next (pipelined) request.
 */
#ifndef HTTP_PARSER_H
#define HTTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/fail.h"

/* Caps on what the parser buffers or counts; see http/config.h. */
struct http_limits {
    uint32_t status_line; /* bytes of the status-line, CR included */
    uint32_t field_line;  /* bytes of one field line, obs-folds joined */
    uint32_t section;     /* bytes of a header or trailer section, line ends included */
    uint32_t fields;      /* field lines in one section */
    uint32_t chunk_line;  /* bytes of a chunk-size line, extensions included */
};

/* The defaults of http/config.h. */
struct http_limits http_limits_default(void);

enum http_event_type {
    HTTP_EV_NONE = 0,
    HTTP_EV_STATUS,
    HTTP_EV_HEADER,
    HTTP_EV_HEADERS_DONE,
    HTTP_EV_BODY,
    HTTP_EV_TRAILER,
    HTTP_EV_END,
    HTTP_EV_REQUEST,
};

struct http_event {
    enum http_event_type type;
    int status;        /* STATUS: 200..599 */
    int version_minor; /* STATUS, REQUEST: 0 or 1 (HTTP/1.x) */
    const char *name;  /* HEADER, TRAILER: field name (not terminated); REQUEST: method */
    size_t name_len;
    const char *value; /* HEADER, TRAILER: value; STATUS: reason phrase; REQUEST: target */
    size_t value_len;
    const uint8_t *data; /* BODY: a slice of the input */
    size_t len;
};

/* How the body of the current response is delimited. */
enum http_framing {
    HTTP_FRAMING_NONE,    /* no body */
    HTTP_FRAMING_LENGTH,  /* Content-Length bytes */
    HTTP_FRAMING_CHUNKED, /* chunked transfer coding */
    HTTP_FRAMING_CLOSE,   /* until the connection closes */
};

struct http_parser {
    struct http_limits lim;
    char *buf; /* the current line */
    size_t buf_cap, buf_len;
    uint8_t state;
    bool head_request;    /* the request was HEAD: the response has no body */
    bool request;         /* request mode: parse requests, not responses */
    bool expect_continue; /* request mode: "Expect: 100-continue" */
    bool expect_other;    /* request mode: another expectation */
    uint32_t host_count;  /* request mode: Host field lines */
    bool trailers;        /* the field states parse a trailer section */
    bool interim;         /* the current response is 1xx: parse and drop it */
    int status, version_minor;
    uint32_t field_count;
    uint64_t section_bytes;
    /* Framing fields seen in the header section. */
    bool has_length, te_seen, te_chunked, te_other, conn_close, conn_keep_alive;
    uint64_t content_length;
    enum http_framing framing;
    uint64_t remaining; /* body or chunk bytes still to come */
    uint64_t offset;    /* bytes consumed since http_parser_start() */
    int err;
    enum http_fail fail;
};

/* Sets up a parser with the given limits (NULL: the defaults) and
 * allocates its line buffer. Returns 0 or ERR_NOMEM / ERR_INVAL (a zero
 * limit). The parser is ready for a response to a non-HEAD request. */
int http_parser_init(struct http_parser *p, const struct http_limits *lim);
/* Frees the line buffer; the parser may be initialized again. */
void http_parser_free(struct http_parser *p);

/* Prepares for the next response on the connection. head_request: the
 * request was HEAD, so the response has no body whatever its fields say
 * (RFC 9110 section 9.3.2). Clears any error. */
void http_parser_start(struct http_parser *p, bool head_request);

/* Prepares for the next request on a server's connection (request mode;
 * see above). Clears any error. */
void http_parser_start_request(struct http_parser *p);

/* The defaults with the start-line limit raised for request-targets
 * (HTTP_MAX_REQUEST_LINE): what a server passes to http_parser_init(). */
struct http_limits http_limits_server(void);

/* Parses from in[0..len). Returns the event type (> 0) of the event put in
 * *ev, 0 when all of the input was consumed without completing an event
 * (or the response is already complete: then nothing is consumed), or a
 * negative ERR_* on malformed input (see http_parser_fail(); the error is
 * sticky until http_parser_start()). *used is set to the bytes consumed in
 * every case; events may consume none (END after HEADERS_DONE). */
int http_parse(struct http_parser *p, const uint8_t *in, size_t len, size_t *used,
               struct http_event *ev);

/* The connection was closed by the peer. Returns HTTP_EV_END (in *ev) for a
 * body delimited by the close, 0 if the response was already complete (in
 * request mode also when no request was begun: a clean close), or
 * ERR_CONNRESET with HTTP_FAIL_NO_RESPONSE (nothing of a response was
 * received) or HTTP_FAIL_TRUNCATED (a response was cut short). */
int http_parse_eof(struct http_parser *p, struct http_event *ev);

/* True once the END event was returned. */
bool http_parser_done(const struct http_parser *p);
/* True if nothing of the response has been consumed yet. */
bool http_parser_idle(const struct http_parser *p);
/* The failure behind the last error, HTTP_FAIL_NONE if none. */
enum http_fail http_parser_fail(const struct http_parser *p);
/* Bytes consumed since http_parser_start(): where an error was found. */
uint64_t http_parser_offset(const struct http_parser *p);

/* From HEADERS_DONE on: the final status, the framing, the number of body
 * bytes that will follow (-1 if unknown: chunked or until close; 0 for no
 * body), and whether the connection may carry another request after END
 * (RFC 9112 section 9.3: HTTP/1.1 without "Connection: close", HTTP/1.0
 * with "Connection: keep-alive", and a body not delimited by the close). */
int http_parser_status(const struct http_parser *p);
enum http_framing http_parser_framing(const struct http_parser *p);
int64_t http_parser_body_length(const struct http_parser *p);
bool http_parser_keep_alive(const struct http_parser *p);
/* Request mode, from HEADERS_DONE on: the client sent
 * "Expect: 100-continue" and waits for "100 Continue" before the body
 * (RFC 9110 section 10.1.1). */
bool http_parser_expect_continue(const struct http_parser *p);

#endif
