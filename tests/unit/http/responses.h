/*
 * tests/unit/http/responses.h - recorded HTTP/1.1 responses and what the
 * parser must make of them. Shared by the parser's unit test and the
 * generator of the fuzzer's seed corpus.
 *
 * The nginx_* and python_* responses were captured byte for byte from
 * nginx 1.22.1 and python 3.11's http.server on loopback; the others are
 * written from RFC 9112's grammar to reach what those servers never send
 * (chunk extensions, trailers, 1xx, obs-fold, bare LF...).
 *
 * A trace is what the test harness writes for the events, one line each:
 *   "S <status> <minor> <reason>"  "H <name>: <value>"
 *   "D <body length> <k|c>"        (headers done; keep-alive or close)
 *   "B <body>"                     (consecutive body pieces joined)
 *   "T <name>: <value>"  "E"       (trailer, end)
 *   "! <HTTP_FAIL_...>"            (an error; nothing follows)
 * When a response ends and bytes remain, the harness starts the parser on
 * the next response (as the client does on a kept connection). With eof,
 * the harness reports the connection's close after the last byte.
 */
#ifndef TESTS_HTTP_RESPONSES_H
#define TESTS_HTTP_RESPONSES_H

#include <stdbool.h>
#include <stddef.h>

struct recorded {
    const char *name;
    const char *bytes;
    size_t len;
    bool head; /* the request was HEAD */
    bool eof;  /* the connection closes after the bytes */
    const char *trace;
};

#define REC(name, head, eof, bytes, trace)                                                         \
    {                                                                                              \
        name, bytes, sizeof(bytes) - 1, head, eof, trace                                           \
    }

static const struct recorded recorded_responses[] = {
    REC("nginx_200", false, false,
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 24 Nov 2026 12:28:23 GMT\r\n"
        "Content-Type: text/plain\r\nContent-Length: 12\r\n"
        "Last-Modified: Tue, 24 Nov 2026 12:28:22 GMT\r\nConnection: close\r\n"
        "ETag: \"6b0582e6-c\"\r\nAccept-Ranges: bytes\r\n\r\nhello, kpio\n",
        "S 200 1 OK\nH Server: nginx/1.22.1\nH Date: Tue, 24 Nov 2026 12:28:23 GMT\n"
        "H Content-Type: text/plain\nH Content-Length: 12\n"
        "H Last-Modified: Tue, 24 Nov 2026 12:28:22 GMT\nH Connection: close\n"
        "H ETag: \"6b0582e6-c\"\nH Accept-Ranges: bytes\nD 12 c\nB hello, kpio\n\nE\n"),
    REC("nginx_head", true, false,
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 24 Nov 2026 12:28:23 GMT\r\n"
        "Content-Type: text/plain\r\nContent-Length: 12\r\n"
        "Last-Modified: Tue, 24 Nov 2026 12:28:22 GMT\r\nConnection: close\r\n"
        "ETag: \"6b0582e6-c\"\r\nAccept-Ranges: bytes\r\n\r\n",
        "S 200 1 OK\nH Server: nginx/1.22.1\nH Date: Tue, 24 Nov 2026 12:28:23 GMT\n"
        "H Content-Type: text/plain\nH Content-Length: 12\n"
        "H Last-Modified: Tue, 24 Nov 2026 12:28:22 GMT\nH Connection: close\n"
        "H ETag: \"6b0582e6-c\"\nH Accept-Ranges: bytes\nD 0 c\nE\n"),
    REC("nginx_404", false, false,
        "HTTP/1.1 404 Not Found\r\nServer: nginx/1.22.1\r\nDate: Tue, 24 Nov 2026 12:28:23 GMT\r\n"
        "Content-Type: text/html\r\nContent-Length: 153\r\nConnection: close\r\n\r\n"
        "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
        "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
        "</body>\r\n</html>\r\n",
        "S 404 1 Not Found\nH Server: nginx/1.22.1\nH Date: Tue, 24 Nov 2026 12:28:23 GMT\n"
        "H Content-Type: text/html\nH Content-Length: 153\nH Connection: close\nD 153 c\n"
        "B <html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
        "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
        "</body>\r\n</html>\r\n\nE\n"),
    REC("nginx_301", false, false,
        "HTTP/1.1 301 Moved Permanently\r\nServer: nginx/1.22.1\r\n"
        "Date: Tue, 24 Nov 2026 12:28:23 GMT\r\nContent-Type: text/html\r\n"
        "Content-Length: 169\r\nLocation: http://x:18080/dir/\r\nConnection: close\r\n\r\n"
        "<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
        "<center><h1>301 Moved Permanently</h1></center>\r\n"
        "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n",
        "S 301 1 Moved Permanently\nH Server: nginx/1.22.1\n"
        "H Date: Tue, 24 Nov 2026 12:28:23 GMT\nH Content-Type: text/html\n"
        "H Content-Length: 169\nH Location: http://x:18080/dir/\nH Connection: close\nD 169 c\n"
        "B <html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
        "<center><h1>301 Moved Permanently</h1></center>\r\n"
        "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n\nE\n"),
    REC("nginx_chunked", false, false,
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Tue, 24 Nov 2026 12:28:23 GMT\r\n"
        "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        "c\r\nabc ZZZ def\n\r\n0\r\n\r\n",
        "S 200 1 OK\nH Server: nginx/1.22.1\nH Date: Tue, 24 Nov 2026 12:28:23 GMT\n"
        "H Content-Type: text/plain\nH Transfer-Encoding: chunked\nH Connection: close\n"
        "D -1 c\nB abc ZZZ def\n\nE\n"),
    REC("nginx_304", false, false,
        "HTTP/1.1 304 Not Modified\r\nServer: nginx/1.22.1\r\n"
        "Date: Tue, 24 Nov 2026 12:28:23 GMT\r\nLast-Modified: Tue, 24 Nov 2026 12:28:22 GMT\r\n"
        "Connection: close\r\nETag: \"6b0582e6-c\"\r\n\r\n",
        "S 304 1 Not Modified\nH Server: nginx/1.22.1\nH Date: Tue, 24 Nov 2026 12:28:23 GMT\n"
        "H Last-Modified: Tue, 24 Nov 2026 12:28:22 GMT\nH Connection: close\n"
        "H ETag: \"6b0582e6-c\"\nD 0 c\nE\n"),
    REC("python_200_http10", false, false,
        "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.7\r\n"
        "Date: Tue, 24 Nov 2026 12:28:27 GMT\r\nContent-type: text/plain\r\n"
        "Content-Length: 12\r\nLast-Modified: Tue, 24 Nov 2026 12:28:22 GMT\r\n\r\n"
        "hello, kpio\n",
        "S 200 0 OK\nH Server: SimpleHTTP/0.6 Python/3.11.7\n"
        "H Date: Tue, 24 Nov 2026 12:28:27 GMT\nH Content-type: text/plain\n"
        "H Content-Length: 12\nH Last-Modified: Tue, 24 Nov 2026 12:28:22 GMT\nD 12 c\n"
        "B hello, kpio\n\nE\n"),
    REC("python_404", false, false,
        "HTTP/1.0 404 File not found\r\nServer: SimpleHTTP/0.6 Python/3.11.7\r\n"
        "Date: Tue, 24 Nov 2026 12:28:27 GMT\r\nConnection: close\r\n"
        "Content-Type: text/html;charset=utf-8\r\nContent-Length: 335\r\n\r\n"
        "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n"
        "        <title>Error response</title>\n    </head>\n    <body>\n"
        "        <h1>Error response</h1>\n        <p>Error code: 404</p>\n"
        "        <p>Message: File not found.</p>\n"
        "        <p>Error code explanation: 404 - Nothing matches the given URI.</p>\n"
        "    </body>\n</html>\n",
        "S 404 0 File not found\nH Server: SimpleHTTP/0.6 Python/3.11.7\n"
        "H Date: Tue, 24 Nov 2026 12:28:27 GMT\nH Connection: close\n"
        "H Content-Type: text/html;charset=utf-8\nH Content-Length: 335\nD 335 c\n"
        "B <!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n"
        "        <title>Error response</title>\n    </head>\n    <body>\n"
        "        <h1>Error response</h1>\n        <p>Error code: 404</p>\n"
        "        <p>Message: File not found.</p>\n"
        "        <p>Error code explanation: 404 - Nothing matches the given URI.</p>\n"
        "    </body>\n</html>\n\nE\n"),
    REC("chunked_extensions_trailers", false, false,
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Expires, X-Sum\r\n\r\n"
        "5;name=value\r\nhello\r\n6 ; q=\"a \\\"b\\\" c\" ;flag\r\n world\r\n"
        "1A;x=\"\"\r\nabcdefghijklmnopqrstuvwxyz\r\n"
        "000;last\r\nExpires: Wed, 21 Oct 2026 07:28:00 GMT\r\nX-Sum:  42 \r\n\r\n",
        "S 200 1 OK\nH Transfer-Encoding: chunked\nH Trailer: Expires, X-Sum\nD -1 k\n"
        "B hello worldabcdefghijklmnopqrstuvwxyz\n"
        "T Expires: Wed, 21 Oct 2026 07:28:00 GMT\nT X-Sum: 42\nE\n"),
    REC("interim_1xx", false, false,
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
        "Link: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "S 200 1 OK\nH Content-Length: 2\nD 2 k\nB ok\nE\n"),
    REC("no_content_then_next", false, false,
        "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: "
        "3\r\n\r\nabc",
        "S 204 1 No Content\nH Server: x\nD 0 k\nE\n"
        "S 200 1 OK\nH Content-Length: 3\nD 3 k\nB abc\nE\n"),
    REC("no_content_with_length", false, false,
        "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n",
        "S 204 1 No Content\nH Content-Length: 0\nD 0 k\nE\n"),
    REC("repeated_headers", false, false,
        "HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nVary: Accept\r\nSet-Cookie: b=2\r\n"
        "set-cookie: c=3\r\nVary: Accept-Encoding\r\nContent-Length: 0\r\n\r\n",
        "S 200 1 OK\nH Set-Cookie: a=1\nH Vary: Accept\nH Set-Cookie: b=2\n"
        "H set-cookie: c=3\nH Vary: Accept-Encoding\nH Content-Length: 0\nD 0 k\nE\n"),
    REC("close_delimited", false, true,
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end\r\nof the connection",
        "S 200 1 OK\nH Content-Type: text/plain\nD -1 c\n"
        "B until the end\r\nof the connection\nE\n"),
    REC("close_delimited_empty", false, true, "HTTP/1.0 200 OK\r\n\r\n", "S 200 0 OK\nD -1 c\nE\n"),
    REC("http10_keep_alive", false, false,
        "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 3\r\n\r\nabc",
        "S 200 0 OK\nH Connection: Keep-Alive\nH Content-Length: 3\nD 3 k\nB abc\nE\n"),
    REC("obs_fold", false, false,
        "HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\n\tc\r\nContent-Length: 0\r\n\r\n",
        "S 200 1 OK\nH X-Folded: a   b \tc\nH Content-Length: 0\nD 0 k\nE\n"),
    REC("bare_lf", false, false, "HTTP/1.1 200 OK\nContent-Length: 2\n\nhi",
        "S 200 1 OK\nH Content-Length: 2\nD 2 k\nB hi\nE\n"),
    REC("bare_lf_chunked", false, false,
        "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nhi\n0\n\n",
        "S 200 1 OK\nH Transfer-Encoding: chunked\nD -1 k\nB hi\nE\n"),
    REC("empty_reason", false, false, "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
        "S 200 1 \nH Content-Length: 0\nD 0 k\nE\n"),
    REC("no_reason", false, false, "HTTP/1.1 500\r\nContent-Length: 1\r\n\r\nx",
        "S 500 1 \nH Content-Length: 1\nD 1 k\nB x\nE\n"),
    REC("length_list", false, false,
        "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\ncontent-length: 3\r\n\r\nabc",
        "S 200 1 OK\nH Content-Length: 3, 3\nH content-length: 3\nD 3 k\nB abc\nE\n"),
    REC("connection_close_list", false, false,
        "HTTP/1.1 200 OK\r\nConnection: foo, ,CLOSE\r\nContent-Length: 0\r\n\r\n",
        "S 200 1 OK\nH Connection: foo, ,CLOSE\nH Content-Length: 0\nD 0 c\nE\n"),
    REC("head_chunked", true, false, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "S 200 1 OK\nH Transfer-Encoding: chunked\nD 0 k\nE\n"),
    REC("value_whitespace", false, false,
        "HTTP/1.1 200 OK\r\nX-A:   padded value \t \r\nX-Empty:\r\nX-Sp: \r\n"
        "X-Obs: caf\xc3\xa9\r\nContent-Length: 0\r\n\r\n",
        "S 200 1 OK\nH X-A: padded value\nH X-Empty: \nH X-Sp: \nH X-Obs: caf\xc3\xa9\n"
        "H Content-Length: 0\nD 0 k\nE\n"),
    REC("chunked_upper_hex_empty_trailers", false, false,
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n"
        "a\r\nabcdefghij\r\n0\r\n\r\n",
        "S 200 1 OK\nH Transfer-Encoding: Chunked\nD -1 k\nB 0123456789abcdefghij\nE\n"),
    REC("zero_length", false, false, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "S 200 1 OK\nH Content-Length: 0\nD 0 k\nE\n"),
};

/* Malformed or cut-short responses and the failure each must give, at
 * every split of its bytes. */
struct bad_response {
    const char *name;
    const char *bytes;
    size_t len;
    bool head, eof;
    const char *fail; /* the HTTP_FAIL_ name */
};

#define BAD(name, eof, bytes, fail)                                                                \
    {                                                                                              \
        name, bytes, sizeof(bytes) - 1, false, eof, fail                                           \
    }

#define OK_LINE "HTTP/1.1 200 OK\r\n"

static const struct bad_response bad_responses[] = {
    BAD("status_not_http", false, "HTP/1.1 200 OK\r\n\r\n", "HTTP_FAIL_STATUS_LINE"),
    BAD("status_lowercase", false, "http/1.1 200 OK\r\n\r\n", "HTTP_FAIL_STATUS_LINE"),
    BAD("status_two_digits", false, "HTTP/1.1 20 OK\r\n\r\n", "HTTP_FAIL_STATUS_LINE"),
    BAD("status_four_digits", false, "HTTP/1.1 2000 OK\r\n\r\n", "HTTP_FAIL_STATUS_LINE"),
    BAD("status_below_100", false, "HTTP/1.1 099 Odd\r\n\r\n", "HTTP_FAIL_STATUS_LINE"),
    BAD("status_above_599", false, "HTTP/1.1 600 Odd\r\n\r\n", "HTTP_FAIL_STATUS_LINE"),
    BAD("status_ctl_in_reason", false, "HTTP/1.1 200 O\x01K\r\n\r\n", "HTTP_FAIL_STATUS_LINE"),
    BAD("status_bare_cr", false, "HTTP/1.1 200 O\rK\r\n\r\n", "HTTP_FAIL_STATUS_LINE"),
    BAD("status_double_space", false, "HTTP/1.1  200 OK\r\n\r\n", "HTTP_FAIL_STATUS_LINE"),
    BAD("status_empty_line", false, "\r\nHTTP/1.1 200 OK\r\n\r\n", "HTTP_FAIL_STATUS_LINE"),
    BAD("status_http09", false, "<html>hello</html>\n", "HTTP_FAIL_STATUS_LINE"),
    BAD("version_2", false, "HTTP/2.0 200 OK\r\n\r\n", "HTTP_FAIL_VERSION"),
    BAD("version_0_9", false, "HTTP/0.9 200 OK\r\n\r\n", "HTTP_FAIL_VERSION"),
    BAD("upgrade_101", false, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        "HTTP_FAIL_UPGRADE"),
    BAD("header_no_colon", false, OK_LINE "NoColon\r\n\r\n", "HTTP_FAIL_HEADER"),
    BAD("header_space_before_colon", false, OK_LINE "Name : v\r\n\r\n", "HTTP_FAIL_HEADER"),
    BAD("header_empty_name", false, OK_LINE ": v\r\n\r\n", "HTTP_FAIL_HEADER"),
    BAD("header_bad_name_char", false, OK_LINE "Na(me: v\r\n\r\n", "HTTP_FAIL_HEADER"),
    BAD("header_nul_in_value", false, OK_LINE "Name: a\0b\r\n\r\n", "HTTP_FAIL_HEADER"),
    BAD("header_del_in_value", false, OK_LINE "Name: a\x7f\r\n\r\n", "HTTP_FAIL_HEADER"),
    BAD("header_bare_cr", false, OK_LINE "Name: a\rb\r\n\r\n", "HTTP_FAIL_HEADER"),
    BAD("header_leading_space", false, OK_LINE " Name: v\r\n\r\n", "HTTP_FAIL_HEADER"),
    BAD("section_cr_without_lf", false, OK_LINE "A: b\r\n\rX", "HTTP_FAIL_HEADER"),
    BAD("length_conflict", false, OK_LINE "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "HTTP_FAIL_CONTENT_LENGTH"),
    BAD("length_list_conflict", false, OK_LINE "Content-Length: 3, 4\r\n\r\nabcd",
        "HTTP_FAIL_CONTENT_LENGTH"),
    BAD("length_negative", false, OK_LINE "Content-Length: -1\r\n\r\n", "HTTP_FAIL_CONTENT_LENGTH"),
    BAD("length_plus", false, OK_LINE "Content-Length: +1\r\n\r\nx", "HTTP_FAIL_CONTENT_LENGTH"),
    BAD("length_hex", false, OK_LINE "Content-Length: 1a\r\n\r\n", "HTTP_FAIL_CONTENT_LENGTH"),
    BAD("length_empty", false, OK_LINE "Content-Length: \r\n\r\n", "HTTP_FAIL_CONTENT_LENGTH"),
    BAD("length_space_inside", false, OK_LINE "Content-Length: 1 2\r\n\r\n",
        "HTTP_FAIL_CONTENT_LENGTH"),
    BAD("length_overflow", false, OK_LINE "Content-Length: 99999999999999999999\r\n\r\n",
        "HTTP_FAIL_CONTENT_LENGTH"),
    BAD("length_and_chunked", false,
        OK_LINE "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "HTTP_FAIL_CONTENT_LENGTH"),
    BAD("coding_gzip", false, OK_LINE "Transfer-Encoding: gzip\r\n\r\n",
        "HTTP_FAIL_TRANSFER_CODING"),
    BAD("coding_gzip_chunked", false, OK_LINE "Transfer-Encoding: gzip, chunked\r\n\r\n",
        "HTTP_FAIL_TRANSFER_CODING"),
    BAD("coding_chunked_param", false, OK_LINE "Transfer-Encoding: chunked;x=1\r\n\r\n",
        "HTTP_FAIL_TRANSFER_CODING"),
    BAD("coding_chunked_twice", false,
        OK_LINE "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP_FAIL_FRAMING"),
    BAD("coding_in_http10", false, "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP_FAIL_FRAMING"),
    BAD("chunk_size_not_hex", false, OK_LINE "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP_FAIL_CHUNK_SIZE"),
    BAD("chunk_size_empty", false, OK_LINE "Transfer-Encoding: chunked\r\n\r\n\r\n",
        "HTTP_FAIL_CHUNK_SIZE"),
    BAD("chunk_size_negative", false, OK_LINE "Transfer-Encoding: chunked\r\n\r\n-5\r\n",
        "HTTP_FAIL_CHUNK_SIZE"),
    BAD("chunk_size_0x", false, OK_LINE "Transfer-Encoding: chunked\r\n\r\n0x5\r\n",
        "HTTP_FAIL_CHUNK_SIZE"),
    BAD("chunk_size_leading_space", false, OK_LINE "Transfer-Encoding: chunked\r\n\r\n 5\r\n",
        "HTTP_FAIL_CHUNK_SIZE"),
    BAD("chunk_size_overflow", false,
        OK_LINE "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", "HTTP_FAIL_CHUNK_SIZE"),
    BAD("chunk_ext_no_name", false, OK_LINE "Transfer-Encoding: chunked\r\n\r\n5;\r\n",
        "HTTP_FAIL_CHUNK_SIZE"),
    BAD("chunk_ext_no_value", false, OK_LINE "Transfer-Encoding: chunked\r\n\r\n5;a=\r\n",
        "HTTP_FAIL_CHUNK_SIZE"),
    BAD("chunk_ext_open_quote", false, OK_LINE "Transfer-Encoding: chunked\r\n\r\n5;a=\"x\r\n",
        "HTTP_FAIL_CHUNK_SIZE"),
    BAD("chunk_ext_bad_char", false, OK_LINE "Transfer-Encoding: chunked\r\n\r\n5;a@b\r\n",
        "HTTP_FAIL_CHUNK_SIZE"),
    BAD("chunk_bare_cr", false, OK_LINE "Transfer-Encoding: chunked\r\n\r\n5\r;\r\n",
        "HTTP_FAIL_CHUNK_SIZE"),
    BAD("chunk_data_too_long", false,
        OK_LINE "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n",
        "HTTP_FAIL_CHUNK_DATA"),
    BAD("chunk_data_cr_only", false,
        OK_LINE "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r0\r\n\r\n", "HTTP_FAIL_CHUNK_DATA"),
    BAD("trailer_no_colon", false,
        OK_LINE "Transfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer\r\n\r\n", "HTTP_FAIL_HEADER"),
    BAD("truncated_length_body", true, OK_LINE "Content-Length: 10\r\n\r\nabc",
        "HTTP_FAIL_TRUNCATED"),
    BAD("truncated_chunk_data", true, OK_LINE "Transfer-Encoding: chunked\r\n\r\n5\r\nhel",
        "HTTP_FAIL_TRUNCATED"),
    BAD("truncated_no_last_chunk", true, OK_LINE "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
        "HTTP_FAIL_TRUNCATED"),
    BAD("truncated_trailers", true, OK_LINE "Transfer-Encoding: chunked\r\n\r\n0\r\nX-Sum: 1\r\n",
        "HTTP_FAIL_TRUNCATED"),
    BAD("truncated_head", true, OK_LINE "Content-Le", "HTTP_FAIL_TRUNCATED"),
    BAD("truncated_status", true, "HTTP/1.1 2", "HTTP_FAIL_TRUNCATED"),
    BAD("truncated_after_1xx", true, "HTTP/1.1 100 Continue\r\n\r\n", "HTTP_FAIL_TRUNCATED"),
    BAD("no_response", true, "", "HTTP_FAIL_NO_RESPONSE"),
};

#endif
