/*
 * lib/http/fail.h - what exactly went wrong in lib/http.
 *
 * Every lib/http function returns 0 (or a count) on success and a negative
 * ERR_* from base/error.h on failure. Several failures share an ERR_* value
 * (a bad status line and a bad chunk size are both ERR_BADMSG), so the
 * parser and the client also record an enum http_fail, readable with
 * http_parser_fail() / http_client_fail(), and the client a message with
 * the details (http_client_error()).
 *
 * The table below gives each kind's ERR_* value and the wasi:http
 * `error-code` variant (wasi:http/types@0.2) it maps to, so that lib/wasi
 * can derive the guest-visible error from http_client_fail() alone:
 *
 *   kind                       ERR_*            wasi:http error-code
 *   -------------------------  ---------------  ------------------------------------
 *   STATUS_LINE                ERR_BADMSG       HTTP-protocol-error
 *   VERSION                    ERR_NOTSUP       HTTP-protocol-error
 *   UPGRADE                    ERR_PROTO        HTTP-upgrade-failed
 *   HEADER                     ERR_BADMSG       HTTP-protocol-error
 *   CONTENT_LENGTH             ERR_PROTO        HTTP-protocol-error
 *   TRANSFER_CODING            ERR_NOTSUP       HTTP-response-transfer-coding(coding)
 *   FRAMING                    ERR_PROTO        HTTP-protocol-error
 *   CHUNK_SIZE                 ERR_BADMSG       HTTP-protocol-error
 *   CHUNK_DATA                 ERR_BADMSG       HTTP-protocol-error
 *   STATUS_LINE_SIZE           ERR_2BIG         HTTP-response-header-section-size
 *   HEADER_SIZE                ERR_2BIG         HTTP-response-header-size
 *   HEADER_SECTION_SIZE        ERR_2BIG         HTTP-response-header-section-size
 *   HEADER_COUNT               ERR_2BIG         HTTP-response-header-section-size
 *   TRAILER_SIZE               ERR_2BIG         HTTP-response-trailer-size
 *   TRAILER_SECTION_SIZE       ERR_2BIG         HTTP-response-trailer-section-size
 *   CHUNK_LINE_SIZE            ERR_2BIG         HTTP-protocol-error
 *   TRUNCATED                  ERR_CONNRESET    HTTP-response-incomplete
 *   NO_RESPONSE                ERR_CONNRESET    connection-terminated
 *   URL                        ERR_INVAL        HTTP-request-URI-invalid
 *   URL_TOO_LONG               ERR_NAMETOOLONG  HTTP-request-URI-too-long
 *   SCHEME                     ERR_NOTSUP       HTTP-request-URI-invalid (also https on a
 *                                               client without TLS)
 *   METHOD                     ERR_INVAL        HTTP-request-method-invalid
 *   REQUEST_FIELD              ERR_INVAL        internal-error (wasi's fields resource
 *                                               already refuses these: header-error)
 *   REQUEST_TOO_BIG            ERR_2BIG         HTTP-request-header-section-size
 *   BODY_LENGTH                ERR_INVAL        HTTP-request-body-size
 *   CONNECT                    from the socket  ERR_NXDOMAIN: DNS-error;
 *                                               ERR_DNSFAIL: DNS-error;
 *                                               ERR_CONNREFUSED: connection-refused;
 *                                               ERR_NETUNREACH/ERR_HOSTUNREACH:
 *                                               destination-unavailable;
 *                                               other: internal-error
 *   CONNECT_TIMEOUT            ERR_TIMEDOUT     connection-timeout
 *   SEND                       from the socket  connection-terminated
 *   SEND_TIMEOUT               ERR_TIMEDOUT     connection-write-timeout
 *   RECV                       from the socket  connection-terminated
 *   HEADER_TIMEOUT             ERR_TIMEDOUT     HTTP-response-timeout
 *   IDLE_TIMEOUT               ERR_TIMEDOUT     connection-read-timeout
 *   REDIRECTS                  ERR_LOOP         loop-detected
 *   LOCATION                   ERR_BADMSG       HTTP-protocol-error
 *   NOMEM                      ERR_NOMEM        internal-error
 *   STATE                      ERR_INVAL        internal-error (API used out of order)
 *   TLS_CERT                   ERR_TLS_CERT     TLS-certificate-error
 *   TLS_ALERT                  ERR_TLS_ALERT    TLS-alert-received (id and message from
 *                                               the TLS socket, lib/tls)
 *   TLS_PROTOCOL               ERR_TLS_PROTO    TLS-protocol-error
 *
 * A server parsing requests (http_parser_start_request) fails with these
 * too, and answers with the status http_fail_status() gives (400 for most;
 * 414, 431, 417, 501 and 505 where RFC 9110 names one):
 *
 *   REQUEST_LINE               ERR_BADMSG       400 Bad Request
 *   REQUEST_LINE_SIZE          ERR_2BIG         414 URI Too Long
 *   HOST                       ERR_BADMSG       400 (RFC 9112 3.2: none or several)
 *   EXPECT                     ERR_NOTSUP       417 Expectation Failed
 *
 * wasi:http's outgoing-handler does not follow redirects; lib/wasi sets
 * max_redirects to 0, and REDIRECTS never reaches it.
 */
#ifndef HTTP_FAIL_H
#define HTTP_FAIL_H

enum http_fail {
    HTTP_FAIL_NONE = 0,
    /* The response, as seen by the parser. */
    HTTP_FAIL_STATUS_LINE,     /* malformed status-line (RFC 9112 section 4) */
    HTTP_FAIL_VERSION,         /* an HTTP version other than 1.x */
    HTTP_FAIL_UPGRADE,         /* 101 Switching Protocols, which we never ask for */
    HTTP_FAIL_HEADER,          /* malformed field line (RFC 9112 section 5) */
    HTTP_FAIL_CONTENT_LENGTH,  /* invalid or conflicting Content-Length (RFC 9112 6.3) */
    HTTP_FAIL_TRANSFER_CODING, /* a transfer coding other than chunked */
    HTTP_FAIL_FRAMING,         /* Transfer-Encoding in HTTP/1.0, or chunked twice */
    HTTP_FAIL_CHUNK_SIZE,      /* malformed chunk-size line or extension (RFC 9112 7.1) */
    HTTP_FAIL_CHUNK_DATA,      /* chunk data not followed by CRLF */
    HTTP_FAIL_STATUS_LINE_SIZE,
    HTTP_FAIL_HEADER_SIZE,
    HTTP_FAIL_HEADER_SECTION_SIZE,
    HTTP_FAIL_HEADER_COUNT,
    HTTP_FAIL_TRAILER_SIZE,
    HTTP_FAIL_TRAILER_SECTION_SIZE,
    HTTP_FAIL_CHUNK_LINE_SIZE,
    HTTP_FAIL_TRUNCATED,   /* the connection closed inside a response */
    HTTP_FAIL_NO_RESPONSE, /* the connection closed before any byte of a response */
    /* The request, as seen by the writer and the client. */
    HTTP_FAIL_URL,
    HTTP_FAIL_URL_TOO_LONG,
    HTTP_FAIL_SCHEME,
    HTTP_FAIL_METHOD,
    HTTP_FAIL_REQUEST_FIELD,
    HTTP_FAIL_REQUEST_TOO_BIG,
    HTTP_FAIL_BODY_LENGTH,
    /* The connection, as seen by the client. */
    HTTP_FAIL_CONNECT,
    HTTP_FAIL_CONNECT_TIMEOUT,
    HTTP_FAIL_SEND,
    HTTP_FAIL_SEND_TIMEOUT,
    HTTP_FAIL_RECV,
    HTTP_FAIL_HEADER_TIMEOUT,
    HTTP_FAIL_IDLE_TIMEOUT,
    HTTP_FAIL_REDIRECTS,
    HTTP_FAIL_LOCATION,
    HTTP_FAIL_NOMEM,
    HTTP_FAIL_STATE,
    /* TLS, as reported by the connection's socket (http/sock.h's error op). */
    HTTP_FAIL_TLS_CERT,
    HTTP_FAIL_TLS_ALERT,
    HTTP_FAIL_TLS_PROTOCOL,
    /* A request, as seen by the parser on a server (parser.h). */
    HTTP_FAIL_REQUEST_LINE,      /* malformed request-line (RFC 9112 section 3) */
    HTTP_FAIL_REQUEST_LINE_SIZE, /* request-line beyond the start-line limit */
    HTTP_FAIL_HOST,              /* HTTP/1.1 without exactly one Host (RFC 9112 3.2) */
    HTTP_FAIL_EXPECT,            /* an expectation other than 100-continue */
    HTTP_FAIL_COUNT_
};

/* The ERR_* value a failure of this kind returns (see the table above);
 * 0 for HTTP_FAIL_NONE. CONNECT, SEND and RECV return the socket's error
 * and give ERR_IO here. */
int http_fail_err(enum http_fail kind);
/* "HTTP_FAIL_CHUNK_SIZE"; never NULL. */
const char *http_fail_name(enum http_fail kind);
/* "bad chunk size line"; never NULL. */
const char *http_fail_str(enum http_fail kind);
/* The status a server answers a request that failed to parse with: 414
 * for REQUEST_LINE_SIZE, 431 for the header size and count kinds, 417 for
 * EXPECT, 501 for TRANSFER_CODING, 505 for VERSION, 400 for the others. */
int http_fail_status(enum http_fail kind);

#endif
