/*
 * lib/http/fail.c - names, messages and ERR_* values of enum http_fail.
 */
#include "http/fail.h"

#include "base/error.h"

struct fail_info {
    const char *name;
    const char *str;
    int err;
};

static const struct fail_info fail_table[HTTP_FAIL_COUNT_] = {
    [HTTP_FAIL_NONE] = {"HTTP_FAIL_NONE", "no error", 0},
    [HTTP_FAIL_STATUS_LINE] = {"HTTP_FAIL_STATUS_LINE", "bad status line", ERR_BADMSG},
    [HTTP_FAIL_VERSION] = {"HTTP_FAIL_VERSION", "unsupported HTTP version", ERR_NOTSUP},
    [HTTP_FAIL_UPGRADE] = {"HTTP_FAIL_UPGRADE", "unexpected 101 Switching Protocols", ERR_PROTO},
    [HTTP_FAIL_HEADER] = {"HTTP_FAIL_HEADER", "bad header field", ERR_BADMSG},
    [HTTP_FAIL_CONTENT_LENGTH] = {"HTTP_FAIL_CONTENT_LENGTH",
                                  "invalid or conflicting Content-Length", ERR_PROTO},
    [HTTP_FAIL_TRANSFER_CODING] = {"HTTP_FAIL_TRANSFER_CODING", "unsupported transfer coding",
                                   ERR_NOTSUP},
    [HTTP_FAIL_FRAMING] = {"HTTP_FAIL_FRAMING", "faulty message framing", ERR_PROTO},
    [HTTP_FAIL_CHUNK_SIZE] = {"HTTP_FAIL_CHUNK_SIZE", "bad chunk size line", ERR_BADMSG},
    [HTTP_FAIL_CHUNK_DATA] = {"HTTP_FAIL_CHUNK_DATA", "chunk data not followed by CRLF",
                              ERR_BADMSG},
    [HTTP_FAIL_STATUS_LINE_SIZE] = {"HTTP_FAIL_STATUS_LINE_SIZE", "status line too long", ERR_2BIG},
    [HTTP_FAIL_HEADER_SIZE] = {"HTTP_FAIL_HEADER_SIZE", "header field line too long", ERR_2BIG},
    [HTTP_FAIL_HEADER_SECTION_SIZE] = {"HTTP_FAIL_HEADER_SECTION_SIZE", "header section too large",
                                       ERR_2BIG},
    [HTTP_FAIL_HEADER_COUNT] = {"HTTP_FAIL_HEADER_COUNT", "too many header fields", ERR_2BIG},
    [HTTP_FAIL_TRAILER_SIZE] = {"HTTP_FAIL_TRAILER_SIZE", "trailer field line too long", ERR_2BIG},
    [HTTP_FAIL_TRAILER_SECTION_SIZE] = {"HTTP_FAIL_TRAILER_SECTION_SIZE",
                                        "trailer section too large", ERR_2BIG},
    [HTTP_FAIL_CHUNK_LINE_SIZE] = {"HTTP_FAIL_CHUNK_LINE_SIZE", "chunk size line too long",
                                   ERR_2BIG},
    [HTTP_FAIL_TRUNCATED] = {"HTTP_FAIL_TRUNCATED",
                             "connection closed before the end of the response", ERR_CONNRESET},
    [HTTP_FAIL_NO_RESPONSE] = {"HTTP_FAIL_NO_RESPONSE", "connection closed without a response",
                               ERR_CONNRESET},
    [HTTP_FAIL_URL] = {"HTTP_FAIL_URL", "invalid URL", ERR_INVAL},
    [HTTP_FAIL_URL_TOO_LONG] = {"HTTP_FAIL_URL_TOO_LONG", "URL too long", ERR_NAMETOOLONG},
    [HTTP_FAIL_SCHEME] = {"HTTP_FAIL_SCHEME", "unsupported URL scheme", ERR_NOTSUP},
    [HTTP_FAIL_METHOD] = {"HTTP_FAIL_METHOD", "invalid request method", ERR_INVAL},
    [HTTP_FAIL_REQUEST_FIELD] = {"HTTP_FAIL_REQUEST_FIELD", "invalid or forbidden request field",
                                 ERR_INVAL},
    [HTTP_FAIL_REQUEST_TOO_BIG] = {"HTTP_FAIL_REQUEST_TOO_BIG", "request head too large", ERR_2BIG},
    [HTTP_FAIL_BODY_LENGTH] = {"HTTP_FAIL_BODY_LENGTH",
                               "request body length differs from Content-Length", ERR_INVAL},
    [HTTP_FAIL_CONNECT] = {"HTTP_FAIL_CONNECT", "connect failed", ERR_IO},
    [HTTP_FAIL_CONNECT_TIMEOUT] = {"HTTP_FAIL_CONNECT_TIMEOUT", "connect timed out", ERR_TIMEDOUT},
    [HTTP_FAIL_SEND] = {"HTTP_FAIL_SEND", "send failed", ERR_IO},
    [HTTP_FAIL_SEND_TIMEOUT] = {"HTTP_FAIL_SEND_TIMEOUT", "send timed out", ERR_TIMEDOUT},
    [HTTP_FAIL_RECV] = {"HTTP_FAIL_RECV", "receive failed", ERR_IO},
    [HTTP_FAIL_HEADER_TIMEOUT] = {"HTTP_FAIL_HEADER_TIMEOUT",
                                  "timed out waiting for the response head", ERR_TIMEDOUT},
    [HTTP_FAIL_IDLE_TIMEOUT] = {"HTTP_FAIL_IDLE_TIMEOUT",
                                "timed out waiting for response body data", ERR_TIMEDOUT},
    [HTTP_FAIL_REDIRECTS] = {"HTTP_FAIL_REDIRECTS", "too many redirects", ERR_LOOP},
    [HTTP_FAIL_LOCATION] = {"HTTP_FAIL_LOCATION", "bad Location in a redirect", ERR_BADMSG},
    [HTTP_FAIL_NOMEM] = {"HTTP_FAIL_NOMEM", "out of memory", ERR_NOMEM},
    [HTTP_FAIL_STATE] = {"HTTP_FAIL_STATE", "call out of order", ERR_INVAL},
    [HTTP_FAIL_TLS_CERT] = {"HTTP_FAIL_TLS_CERT", "TLS certificate refused", ERR_TLS_CERT},
    [HTTP_FAIL_TLS_ALERT] = {"HTTP_FAIL_TLS_ALERT", "TLS alert received", ERR_TLS_ALERT},
    [HTTP_FAIL_TLS_PROTOCOL] = {"HTTP_FAIL_TLS_PROTOCOL", "TLS failure", ERR_TLS_PROTO},
    [HTTP_FAIL_REQUEST_LINE] = {"HTTP_FAIL_REQUEST_LINE", "bad request line", ERR_BADMSG},
    [HTTP_FAIL_REQUEST_LINE_SIZE] = {"HTTP_FAIL_REQUEST_LINE_SIZE", "request line too long",
                                     ERR_2BIG},
    [HTTP_FAIL_HOST] = {"HTTP_FAIL_HOST", "missing or repeated Host field", ERR_BADMSG},
    [HTTP_FAIL_EXPECT] = {"HTTP_FAIL_EXPECT", "unsupported expectation", ERR_NOTSUP},
};

static const struct fail_info *fail_info(enum http_fail kind)
{
    static const struct fail_info unknown = {"HTTP_FAIL_?", "unknown failure", ERR_IO};
    if ((unsigned)kind >= HTTP_FAIL_COUNT_ || !fail_table[kind].name) return &unknown;
    return &fail_table[kind];
}

int http_fail_err(enum http_fail kind)
{
    return fail_info(kind)->err;
}
const char *http_fail_name(enum http_fail kind)
{
    return fail_info(kind)->name;
}
const char *http_fail_str(enum http_fail kind)
{
    return fail_info(kind)->str;
}

int http_fail_status(enum http_fail kind)
{
    switch (kind) {
    case HTTP_FAIL_REQUEST_LINE_SIZE: return 414; /* RFC 9112 section 3 */
    case HTTP_FAIL_HEADER_SIZE:
    case HTTP_FAIL_HEADER_SECTION_SIZE:
    case HTTP_FAIL_HEADER_COUNT: return 431;    /* RFC 6585 section 5 */
    case HTTP_FAIL_EXPECT: return 417;          /* RFC 9110 section 10.1.1 */
    case HTTP_FAIL_TRANSFER_CODING: return 501; /* RFC 9112 section 6.1 */
    case HTTP_FAIL_VERSION: return 505;         /* RFC 9110 section 15.6.6 */
    default: return 400;
    }
}
