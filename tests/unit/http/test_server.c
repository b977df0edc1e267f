/*
 * tests/unit/http/test_server.c - lib/http's server side: the parser in
 * request mode (request-line, fields, framing, pipelining, chunked bodies
 * and trailers, Expect, Host, limits) fed whole, split at every offset and
 * one byte at a time, each against a hand-checked trace; and the response
 * writer (heads, trailers, simple responses) against exact bytes and read
 * back by the response parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "http/parser.h"
#include "http/response.h"
#include "requests.h"

/* ---- the trace of a parse ------------------------------------------------ */

struct trace {
    char buf[8192];
    size_t len;
    bool in_body;
};

static void tr_put(struct trace *t, const void *s, size_t n)
{
    assert_true(t->len + n < sizeof t->buf);
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

static void tr_printf(struct trace *t, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof line);
    tr_put(t, line, (size_t)n);
}

static void tr_end_body(struct trace *t)
{
    if (t->in_body) tr_put(t, "\n", 1);
    t->in_body = false;
}

static void tr_event(struct trace *t, const struct http_parser *p, const struct http_event *ev,
                     const uint8_t *in, size_t n)
{
    if (ev->type == HTTP_EV_BODY) {
        assert_true(ev->len > 0 && ev->data >= in && ev->data + ev->len <= in + n);
        if (!t->in_body) tr_put(t, "B ", 2);
        t->in_body = true;
        tr_put(t, ev->data, ev->len);
        return;
    }
    tr_end_body(t);
    switch (ev->type) {
    case HTTP_EV_REQUEST:
        tr_put(t, "R ", 2);
        tr_put(t, ev->name, ev->name_len);
        tr_put(t, " ", 1);
        tr_put(t, ev->value, ev->value_len);
        tr_printf(t, " %d\n", ev->version_minor);
        break;
    case HTTP_EV_HEADER:
    case HTTP_EV_TRAILER:
        tr_printf(t, "%c ", ev->type == HTTP_EV_HEADER ? 'H' : 'T');
        tr_put(t, ev->name, ev->name_len);
        tr_put(t, ": ", 2);
        tr_put(t, ev->value, ev->value_len);
        tr_put(t, "\n", 1);
        break;
    case HTTP_EV_HEADERS_DONE:
        tr_printf(t, "D %lld %c%s\n", (long long)http_parser_body_length(p),
                  http_parser_keep_alive(p) ? 'k' : 'c',
                  http_parser_expect_continue(p) ? " 100" : "");
        break;
    case HTTP_EV_END: tr_put(t, "E\n", 2); break;
    default: fail_msg("unexpected event %d", ev->type);
    }
}

/* Parses bytes in pieces of at most piece bytes (0: whole), restarting in
 * request mode after each END as a server does on a kept-alive connection,
 * then reports the close; the trace goes to t. */
static void run(const struct http_limits *lim, const char *bytes, size_t len, size_t piece,
                struct trace *t)
{
    struct http_parser p;
    struct http_event ev;
    assert_int_equal(http_parser_init(&p, lim), 0);
    http_parser_start_request(&p);
    bool ended = false, failed = false;
    size_t off = 0;
    while (off < len && !failed) {
        size_t n = piece && piece < len - off ? piece : len - off;
        const uint8_t *d = (const uint8_t *)bytes + off;
        off += n;
        for (size_t guard = 0;; guard++) {
            assert_true(guard < 4 * len + 64);
            if (ended && n > 0) {
                http_parser_start_request(&p);
                ended = false;
            }
            size_t used;
            int r = http_parse(&p, d, n, &used, &ev);
            assert_true(used <= n);
            if (r < 0) {
                assert_int_equal(r, http_fail_err(http_parser_fail(&p)));
                tr_end_body(t);
                tr_printf(t, "! %s %d\n", http_fail_name(http_parser_fail(&p)),
                          http_fail_status(http_parser_fail(&p)));
                failed = true;
                break;
            }
            if (r == 0) {
                assert_true(used == n || http_parser_done(&p));
                break;
            }
            tr_event(t, &p, &ev, d, n);
            ended = r == HTTP_EV_END;
            d += used;
            n -= used;
        }
    }
    if (!failed && !ended) {
        int r = http_parse_eof(&p, &ev);
        tr_end_body(t);
        if (r < 0)
            tr_printf(t, "! %s\n", http_fail_name(http_parser_fail(&p)));
        else if (r > 0)
            tr_event(t, &p, &ev, NULL, 0);
    }
    tr_end_body(t);
    http_parser_free(&p);
}

static void expect_every_split(const struct http_limits *lim, const char *bytes, const char *want)
{
    size_t len = strlen(bytes);
    size_t pieces[] = {0, 1, 2, 3, 5, 7, 16};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        static struct trace t;
        memset(&t, 0, sizeof t);
        run(lim, bytes, len, pieces[i], &t);
        if (strcmp(t.buf, want) != 0) fprintf(stderr, "in pieces of %zu bytes\n", pieces[i]);
        assert_string_equal(t.buf, want);
    }
}

/* ---- requests -------------------------------------------------------------- */

static void test_request(void **state)
{
    const struct req_case *c = *state;
    struct http_limits lim = http_limits_server();
    expect_every_split(&lim, c->bytes, c->trace);
}

/* Each limit holds at exactly its size and fails one byte beyond it. */
static void test_limits(void **state)
{
    (void)state;
    struct http_limits lim = http_limits_server();
    lim.status_line = 24; /* "GET /234567890 HTTP/1.1" is 23 bytes, CR makes 24 */
    static struct trace t;
    char req[256];
    snprintf(req, sizeof req, "GET /%s HTTP/1.1\r\nHost: h\r\n\r\n", "234567890");
    memset(&t, 0, sizeof t);
    run(&lim, req, strlen(req), 0, &t);
    assert_string_equal(t.buf, "R GET /234567890 1\nH Host: h\nD 0 k\nE\n");
    snprintf(req, sizeof req, "GET /%s HTTP/1.1\r\nHost: h\r\n\r\n", "2345678901");
    expect_every_split(&lim, req, "! HTTP_FAIL_REQUEST_LINE_SIZE 414\n");

    lim = http_limits_server();
    lim.fields = 2;
    expect_every_split(&lim, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n\r\n",
                       "R GET / 1\nH Host: h\nH A: 1\nD 0 k\nE\n");
    expect_every_split(&lim, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n",
                       "R GET / 1\nH Host: h\nH A: 1\n! HTTP_FAIL_HEADER_COUNT 431\n");
    lim = http_limits_server();
    lim.field_line = 8; /* "Host: h" is 7, CR makes 8 */
    expect_every_split(&lim, "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
                       "R GET / 1\nH Host: h\nD 0 k\nE\n");
    expect_every_split(&lim, "GET / HTTP/1.1\r\nHost: hh\r\n\r\n",
                       "R GET / 1\n! HTTP_FAIL_HEADER_SIZE 431\n");
}

/* ---- the response writer ------------------------------------------------- */

static void test_response_head(void **state)
{
    (void)state;
    struct http_fields f;
    http_fields_init(&f, 0, 0);
    assert_int_equal(http_fields_add(&f, "Content-Type", 12, "text/html", 9), 0);
    assert_int_equal(http_fields_add(&f, "content-length", 14, "99", 2), 0); /* owned: left out */
    assert_int_equal(http_fields_add(&f, "Connection", 10, "upgrade", 7), 0);
    assert_int_equal(http_fields_add(&f, "X-A", 3, "1", 1), 0);
    char buf[512];
    struct http_response_head h = {200, &f, HTTP_BODY_LENGTH, 5, false};
    long n = http_response_write(&h, buf, sizeof buf);
    const char *want1 = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-A: 1\r\n"
                        "Content-Length: 5\r\n\r\n";
    assert_int_equal(n, (long)strlen(want1));
    assert_memory_equal(buf, want1, (size_t)n);

    struct http_response_head c = {404, NULL, HTTP_BODY_CHUNKED, 0, true};
    n = http_response_write(&c, buf, sizeof buf);
    const char *want2 = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n"
                        "Connection: close\r\n\r\n";
    assert_int_equal(n, (long)strlen(want2));
    assert_memory_equal(buf, want2, (size_t)n);

    struct http_response_head odd = {299, NULL, HTTP_BODY_NONE, 0, false};
    n = http_response_write(&odd, buf, sizeof buf);
    assert_int_equal(n, (long)strlen("HTTP/1.1 299 \r\n\r\n"));
    assert_memory_equal(buf, "HTTP/1.1 299 \r\n\r\n", (size_t)n);

    /* Exactly fitting, one byte short, bad status, a CR in a value. */
    assert_int_equal(http_response_write(&h, buf, strlen(want1)), (long)strlen(want1));
    assert_int_equal(http_response_write(&h, buf, strlen(want1) - 1), ERR_NOSPC);
    h.status = 600;
    assert_int_equal(http_response_write(&h, buf, sizeof buf), ERR_INVAL);
    h.status = 99;
    assert_int_equal(http_response_write(&h, buf, sizeof buf), ERR_INVAL);
    h.status = 200;
    assert_int_equal(http_fields_add(&f, "X-Evil", 6, "a\r\nSet-Cookie: x", 16), 0);
    assert_int_equal(http_response_write(&h, buf, sizeof buf), ERR_INVAL);
    http_fields_free(&f);
}

static void test_trailers(void **state)
{
    (void)state;
    struct http_fields f;
    http_fields_init(&f, 0, 0);
    char buf[128];
    long n = http_trailers_write(NULL, buf, sizeof buf);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "0\r\n\r\n", 5);
    assert_int_equal(http_fields_add(&f, "Digest", 6, "sha-256=abc", 11), 0);
    assert_int_equal(http_fields_add(&f, "Transfer-Encoding", 17, "gzip", 4), 0);
    n = http_trailers_write(&f, buf, sizeof buf);
    assert_int_equal(n, (long)strlen("0\r\nDigest: sha-256=abc\r\n\r\n"));
    assert_memory_equal(buf, "0\r\nDigest: sha-256=abc\r\n\r\n", (size_t)n);
    assert_int_equal(http_trailers_write(&f, buf, 10), ERR_NOSPC);
    http_fields_free(&f);
}

/* A whole chunked response from the writer, read back by the client's
 * response parser: the status, fields, body and trailers arrive intact. */
static void test_writer_roundtrip(void **state)
{
    (void)state;
    struct http_fields f, tr;
    http_fields_init(&f, 0, 0);
    http_fields_init(&tr, 0, 0);
    assert_int_equal(http_fields_add(&f, "X-Id", 4, "7", 1), 0);
    assert_int_equal(http_fields_add(&tr, "X-Sum", 5, "42", 2), 0);
    char buf[512];
    struct http_response_head h = {201, &f, HTTP_BODY_CHUNKED, 0, false};
    long n = http_response_write(&h, buf, sizeof buf);
    assert_true(n > 0);
    size_t len = (size_t)n;
    len += http_chunk_head(buf + len, 11);
    memcpy(buf + len, "hello world\r\n", 13);
    len += 13;
    n = http_trailers_write(&tr, buf + len, sizeof buf - len);
    assert_true(n > 0);
    len += (size_t)n;

    struct http_parser p;
    struct http_event ev;
    assert_int_equal(http_parser_init(&p, NULL), 0);
    http_parser_start(&p, false);
    static struct trace t;
    memset(&t, 0, sizeof t);
    const uint8_t *d = (const uint8_t *)buf;
    int r;
    size_t used;
    while ((r = http_parse(&p, d, len, &used, &ev)) > 0) {
        d += used;
        len -= used;
        if (r == HTTP_EV_STATUS)
            tr_printf(&t, "S %d\n", ev.status);
        else if (r != HTTP_EV_HEADERS_DONE)
            tr_event(&t, &p, &ev, d - used, used);
        if (r == HTTP_EV_END) break;
    }
    assert_true(r > 0);
    assert_int_equal(len, 0);
    assert_string_equal(t.buf, "S 201\nH X-Id: 7\nH Transfer-Encoding: chunked\nB hello world\n"
                               "T X-Sum: 42\nE\n");
    http_parser_free(&p);
    http_fields_free(&f);
    http_fields_free(&tr);
}

static void test_simple(void **state)
{
    (void)state;
    char buf[256];
    long n = http_response_simple(431, true, buf, sizeof buf);
    const char *want = "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 36\r\n"
                       "Connection: close\r\n\r\n431 Request Header Fields Too Large\n";
    assert_int_equal(n, (long)strlen(want));
    assert_memory_equal(buf, want, (size_t)n);
    assert_int_equal(http_response_simple(500, false, buf, 20), ERR_NOSPC);
    assert_string_equal(http_status_reason(504), "Gateway Timeout");
    assert_string_equal(http_status_reason(299), "");
    assert_true(http_response_field_owned("Transfer-ENCODING", 17));
    assert_false(http_response_field_owned("Content-Type", 12));
}

int main(void)
{
    size_t nreq = sizeof req_cases / sizeof req_cases[0];
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_limits),   cmocka_unit_test(test_response_head),
        cmocka_unit_test(test_trailers), cmocka_unit_test(test_writer_roundtrip),
        cmocka_unit_test(test_simple),
    };
    size_t nfixed = sizeof fixed / sizeof fixed[0];
    struct CMUnitTest *tests = calloc(nreq + nfixed, sizeof *tests);
    char(*names)[96] = calloc(nreq, sizeof *names);
    for (size_t i = 0; i < nreq; i++) {
        snprintf(names[i], sizeof names[i], "request %s", req_cases[i].name);
        tests[i].name = names[i];
        tests[i].test_func = test_request;
        tests[i].initial_state = (void *)&req_cases[i];
    }
    memcpy(tests + nreq, fixed, sizeof fixed);
    int rc = _cmocka_run_group_tests("http_server", tests, nreq + nfixed, NULL, NULL);
    free(tests);
    free(names);
    return rc;
}
