/*
 * tests/unit/http/requests.h - HTTP/1.1 requests, well-formed and not, and
 * what the parser in request mode must make of them. Shared by the server
 * unit test (test_server.c) and the generator of fuzz_http_request's seeds.
 *
 * A trace is one line per event: "R <method> <target> <minor>",
 * "H <name>: <value>", "D <body length> <k|c>[ 100]" (headers done;
 * keep-alive or close; Expect: 100-continue), "B <body>", "T <name>:
 * <value>", "E", and "! <HTTP_FAIL_...> <status>" for an error. After END
 * the harness starts the next request on the same bytes (pipelining).
 */
#ifndef TESTS_HTTP_REQUESTS_H
#define TESTS_HTTP_REQUESTS_H

struct req_case {
    const char *name;
    const char *bytes;
    const char *trace;
};

static const struct req_case req_cases[] = {
    {"get", "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
     "R GET /index.html?q=1 1\nH Host: example.com\nH Accept: */*\nD 0 k\nE\n"},
    {"http10", "GET / HTTP/1.0\r\n\r\n", "R GET / 0\nD 0 c\nE\n"},
    {"http10 keep-alive", "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
     "R GET / 0\nH Connection: keep-alive\nD 0 k\nE\n"},
    {"close", "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
     "R GET / 1\nH Host: h\nH Connection: close\nD 0 c\nE\n"},
    {"later minor", "GET / HTTP/1.7\r\nHost: h\r\n\r\n", "R GET / 1\nH Host: h\nD 0 k\nE\n"},
    {"leading empty lines", "\r\n\nGET / HTTP/1.1\nHost: h\n\n",
     "R GET / 1\nH Host: h\nD 0 k\nE\n"},
    {"absolute form", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
     "R OPTIONS * 1\nH Host: h\nD 0 k\nE\n"},
    {"post length", "POST /api HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world",
     "R POST /api 1\nH Host: h\nH Content-Length: 11\nD 11 k\nB hello world\nE\n"},
    {"post chunked trailers",
     "PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
     "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nDigest: sha-256=x\r\nX-Count: 2\r\n\r\n",
     "R PUT /up 1\nH Host: h\nH Transfer-Encoding: chunked\nD -1 k\nB hello world\n"
     "T Digest: sha-256=x\nT X-Count: 2\nE\n"},
    {"expect continue",
     "POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok",
     "R POST / 1\nH Host: h\nH Expect: 100-Continue\nH Content-Length: 2\nD 2 k 100\nB ok\nE\n"},
    {"pipelined",
     "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n"
     "xyzGET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
     "R GET /a 1\nH Host: h\nD 0 k\nE\nR POST /b 1\nH Host: h\nH Content-Length: 3\nD 3 k\n"
     "B xyz\nE\nR GET /c 1\nH Host: h\nH Connection: close\nD 0 c\nE\n"},
    {"truncated body", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\nabc",
     "R POST / 1\nH Host: h\nH Content-Length: 9\nD 9 k\nB abc\n! HTTP_FAIL_TRUNCATED\n"},
    {"clean close", "", ""},
    /* Malformed: the failure and the status a server answers with. */
    {"no version", "GET /\r\n\r\n", "! HTTP_FAIL_REQUEST_LINE 400\n"},
    {"two spaces", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", "! HTTP_FAIL_REQUEST_LINE 400\n"},
    {"bad method", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", "! HTTP_FAIL_REQUEST_LINE 400\n"},
    {"control in target", "GET /a\x01 HTTP/1.1\r\n\r\n", "! HTTP_FAIL_REQUEST_LINE 400\n"},
    {"lower-case version", "GET / http/1.1\r\n\r\n", "! HTTP_FAIL_REQUEST_LINE 400\n"},
    {"trailing space", "GET / HTTP/1.1 \r\n\r\n", "! HTTP_FAIL_REQUEST_LINE 400\n"},
    {"http2", "GET / HTTP/2.0\r\n\r\n", "! HTTP_FAIL_VERSION 505\n"},
    {"bare CR", "GET / HTTP/1.1\rHost: h\r\n\r\n", "! HTTP_FAIL_REQUEST_LINE 400\n"},
    {"no host", "GET / HTTP/1.1\r\n\r\n", "R GET / 1\n! HTTP_FAIL_HOST 400\n"},
    {"two hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
     "R GET / 1\nH Host: a\nH Host: b\n! HTTP_FAIL_HOST 400\n"},
    {"space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
     "R GET / 1\n! HTTP_FAIL_HEADER 400\n"},
    {"te and length",
     "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
     "R POST / 1\nH Host: h\nH Content-Length: 3\nH Transfer-Encoding: chunked\n"
     "! HTTP_FAIL_FRAMING 400\n"},
    {"gzip coding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
     "R POST / 1\nH Host: h\nH Transfer-Encoding: gzip\n! HTTP_FAIL_TRANSFER_CODING 501\n"},
    {"two lengths", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
     "R POST / 1\nH Host: h\nH Content-Length: 3\n! HTTP_FAIL_CONTENT_LENGTH 400\n"},
    {"negative length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
     "R POST / 1\nH Host: h\n! HTTP_FAIL_CONTENT_LENGTH 400\n"},
    {"expect other", "POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n",
     "R POST / 1\nH Host: h\nH Expect: 200-ok\n! HTTP_FAIL_EXPECT 417\n"},
    {"bad chunk", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
     "R POST / 1\nH Host: h\nH Transfer-Encoding: chunked\nD -1 k\n! HTTP_FAIL_CHUNK_SIZE 400\n"},
    {"te in 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
     "R POST / 0\nH Transfer-Encoding: chunked\n! HTTP_FAIL_FRAMING 400\n"},
    {"smuggled second request",
     "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\nContent-Length: "
     "1\r\nContent-Length: 2\r\n\r\n",
     "R GET / 1\nH Host: h\nD 0 k\nE\nR GET / 1\nH Host: h\nH Content-Length: 1\n"
     "! HTTP_FAIL_CONTENT_LENGTH 400\n"},
};

#endif
