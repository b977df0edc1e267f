/*
 * tests/unit/http/test_parser.c - lib/http's response parser against the
 * recorded responses of responses.h, fed whole, split at every offset,
 * split at every pair of offsets (short ones), and one byte at a time:
 * every split must give the hand-checked trace. Malformed responses must
 * give their failure at every split too, and every limit must hold at
 * exactly its size and fail one byte beyond it.
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
#include "responses.h"

/* ---- the trace of a parse ------------------------------------------------ */

struct trace {
    char *buf;
    size_t len, cap;
    bool in_body;
};

static void tr_put(struct trace *t, const void *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->buf = realloc(t->buf, t->cap);
        assert_non_null(t->buf);
    }
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

static void tr_field(struct trace *t, char tag, const struct http_event *ev)
{
    tr_printf(t, "%c ", tag);
    tr_put(t, ev->name, ev->name_len);
    tr_put(t, ": ", 2);
    tr_put(t, ev->value, ev->value_len);
    tr_put(t, "\n", 1);
}

/* Adds one event; checks that body slices lie inside the input piece. */
static void tr_event(struct trace *t, const struct http_parser *p, const struct http_event *ev,
                     const uint8_t *in, size_t in_len)
{
    if (ev->type == HTTP_EV_BODY) {
        assert_true(ev->len > 0);
        assert_true(ev->data >= in && ev->data + ev->len <= in + in_len);
        if (!t->in_body) tr_put(t, "B ", 2);
        t->in_body = true;
        tr_put(t, ev->data, ev->len);
        return;
    }
    tr_end_body(t);
    switch (ev->type) {
    case HTTP_EV_STATUS:
        tr_printf(t, "S %d %d ", ev->status, ev->version_minor);
        tr_put(t, ev->value, ev->value_len);
        tr_put(t, "\n", 1);
        break;
    case HTTP_EV_HEADER: tr_field(t, 'H', ev); break;
    case HTTP_EV_TRAILER: tr_field(t, 'T', ev); break;
    case HTTP_EV_HEADERS_DONE:
        tr_printf(t, "D %lld %c\n", (long long)http_parser_body_length(p),
                  http_parser_keep_alive(p) ? 'k' : 'c');
        break;
    case HTTP_EV_END: tr_put(t, "E\n", 2); break;
    default: fail_msg("unexpected event %d", ev->type);
    }
}

/*
 * Parses bytes[0..len) fed in the pieces that the sorted offsets cuts[]
 * make, restarting the parser after each END when bytes remain, and
 * reports the close at the end when eof. Returns the trace (malloc'd).
 */
static char *run_parse(const struct http_limits *lim, const char *bytes, size_t len, bool head,
                       bool eof, const size_t *cuts, size_t ncuts)
{
    struct http_parser p;
    struct trace t = {0};
    struct http_event ev;
    assert_int_equal(http_parser_init(&p, lim), 0);
    http_parser_start(&p, head);
    bool ended = false, failed = false;
    size_t start = 0;
    for (size_t k = 0; k <= ncuts && !failed; k++) {
        size_t end = (cuts && k < ncuts) ? cuts[k] : len;
        const uint8_t *d = (const uint8_t *)bytes + start;
        size_t n = end - start;
        start = end;
        for (size_t guard = 0; !failed; guard++) {
            assert_true(guard < 4 * len + 64); /* no call may stall */
            if (ended && n > 0) {
                http_parser_start(&p, head);
                ended = false;
            }
            size_t used;
            int r = http_parse(&p, d, n, &used, &ev);
            assert_true(used <= n);
            if (r < 0) {
                assert_int_equal(r, http_fail_err(http_parser_fail(&p)));
                tr_end_body(&t);
                tr_printf(&t, "! %s\n", http_fail_name(http_parser_fail(&p)));
                failed = true;
                break;
            }
            if (r == 0) {
                assert_true(used == n || http_parser_done(&p));
                break;
            }
            assert_int_equal(r, ev.type);
            tr_event(&t, &p, &ev, d, n);
            if (r == HTTP_EV_END) ended = true;
            d += used;
            n -= used;
        }
    }
    if (!failed && eof && !ended) {
        int r = http_parse_eof(&p, &ev);
        if (r < 0) {
            tr_end_body(&t);
            tr_printf(&t, "! %s\n", http_fail_name(http_parser_fail(&p)));
        } else if (r > 0) {
            tr_event(&t, &p, &ev, NULL, 0);
        }
    }
    tr_end_body(&t);
    http_parser_free(&p);
    if (!t.buf) tr_put(&t, "", 0);
    return t.buf;
}

static void expect_trace(const struct http_limits *lim, const char *bytes, size_t len, bool head,
                         bool eof, const size_t *cuts, size_t ncuts, const char *want)
{
    char *got = run_parse(lim, bytes, len, head, eof, cuts, ncuts);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "split at");
        for (size_t i = 0; i < ncuts; i++)
            fprintf(stderr, " %zu", cuts[i]);
        fprintf(stderr, " of %zu bytes\n", len);
    }
    assert_string_equal(got, want);
    free(got);
}

/* Whole, every split in two, one byte at a time, and every split in three
 * for inputs up to max3 bytes. */
static void expect_every_split(const struct http_limits *lim, const char *bytes, size_t len,
                               bool head, bool eof, const char *want, size_t max3)
{
    expect_trace(lim, bytes, len, head, eof, NULL, 0, want);
    for (size_t i = 0; i <= len; i++)
        expect_trace(lim, bytes, len, head, eof, &i, 1, want);
    size_t *all = malloc((len + 1) * sizeof *all);
    for (size_t i = 0; i < len; i++)
        all[i] = i + 1;
    expect_trace(lim, bytes, len, head, eof, all, len ? len - 1 : 0, want);
    free(all);
    if (len <= max3)
        for (size_t i = 1; i < len; i++)
            for (size_t j = i; j < len; j++) {
                size_t cuts[2] = {i, j};
                expect_trace(lim, bytes, len, head, eof, cuts, 2, want);
            }
}

/* ---- recorded responses --------------------------------------------------- */

static void test_recorded(void **state)
{
    const struct recorded *r = *state;
    expect_every_split(NULL, r->bytes, r->len, r->head, r->eof, r->trace, 300);
}

/* The same failure at every split, with the events before it identical
 * too (they are compared with the whole-input trace). */
static void test_bad(void **state)
{
    const struct bad_response *b = *state;
    char *whole = run_parse(NULL, b->bytes, b->len, b->head, b->eof, NULL, 0);
    char want_tail[96];
    snprintf(want_tail, sizeof want_tail, "! %s\n", b->fail);
    size_t wl = strlen(whole), tl = strlen(want_tail);
    if (wl < tl || strcmp(whole + wl - tl, want_tail) != 0)
        fail_msg("%s: trace\n%s\ndoes not end in %s", b->name, whole, want_tail);
    expect_every_split(NULL, b->bytes, b->len, b->head, b->eof, whole, 200);
    free(whole);
}

/* ---- limits ------------------------------------------------------------------ */

static struct http_limits small_limits(void)
{
    struct http_limits lim = {
        .status_line = 40, .field_line = 30, .section = 120, .fields = 4, .chunk_line = 12};
    return lim;
}

/* Builds a response in buf from printf arguments; returns its length. */
static size_t build(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < size);
    return (size_t)n;
}

static void expect_fail_every_split(const struct http_limits *lim, const char *bytes, size_t len,
                                    const char *fail_name)
{
    char *whole = run_parse(lim, bytes, len, false, true, NULL, 0);
    const char *bang = strstr(whole, "! ");
    assert_non_null(bang);
    assert_int_equal(strncmp(bang + 2, fail_name, strlen(fail_name)), 0);
    expect_every_split(lim, bytes, len, false, true, whole, 0);
    free(whole);
}

static void expect_ok_every_split(const struct http_limits *lim, const char *bytes, size_t len)
{
    char *whole = run_parse(lim, bytes, len, false, true, NULL, 0);
    assert_null(strstr(whole, "! "));
    assert_non_null(strstr(whole, "E\n"));
    expect_every_split(lim, bytes, len, false, true, whole, 0);
    free(whole);
}

static const char pad[] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

/* The status-line limit counts the line without its LF (CR included). */
static void test_limit_status_line(void **state)
{
    (void)state;
    struct http_limits lim = small_limits();
    char buf[256];
    /* "HTTP/1.1 200 " is 13 bytes, the CR one: 26 bytes of reason fill 40. */
    size_t n = build(buf, sizeof buf, "HTTP/1.1 200 %.26s\r\nContent-Length: 0\r\n\r\n", pad);
    expect_ok_every_split(&lim, buf, n);
    n = build(buf, sizeof buf, "HTTP/1.1 200 %.27s\r\nContent-Length: 0\r\n\r\n", pad);
    expect_fail_every_split(&lim, buf, n, "HTTP_FAIL_STATUS_LINE_SIZE");
}

static void test_limit_field_line(void **state)
{
    (void)state;
    struct http_limits lim = small_limits();
    char buf[256];
    /* "X: " 3 bytes + 26 + CR = 30 */
    size_t n =
        build(buf, sizeof buf, "HTTP/1.1 200 OK\r\nX: %.26s\r\nContent-Length: 0\r\n\r\n", pad);
    expect_ok_every_split(&lim, buf, n);
    n = build(buf, sizeof buf, "HTTP/1.1 200 OK\r\nX: %.27s\r\nContent-Length: 0\r\n\r\n", pad);
    expect_fail_every_split(&lim, buf, n, "HTTP_FAIL_HEADER_SIZE");
    /* An obs-fold joins lines: each is short, together they are too long. */
    n = build(buf, sizeof buf, "HTTP/1.1 200 OK\r\nX: %.14s\r\n %.14s\r\n\r\n", pad, pad);
    expect_fail_every_split(&lim, buf, n, "HTTP_FAIL_HEADER_SIZE");
    /* A trailer line has the same limit and its own failure. */
    n = build(buf, sizeof buf,
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: %.27s\r\n\r\n", pad);
    expect_fail_every_split(&lim, buf, n, "HTTP_FAIL_TRAILER_SIZE");
}

static void test_limit_section(void **state)
{
    (void)state;
    struct http_limits lim = small_limits();
    lim.fields = 100;
    char buf[512];
    /* Section bytes: every field line with its CRLF, and the final CRLF.
     * Four lines "A: " + 22 + CRLF (27 each), "B: " + 5 + CRLF (10) and
     * CRLF make 120, the limit; one more x makes 121. */
    size_t n = build(buf, sizeof buf,
                     "HTTP/1.1 204 OK\r\nA: %.22s\r\nA: %.22s\r\nA: %.22s\r\nA: %.22s\r\n"
                     "B: %.5s\r\n\r\n",
                     pad, pad, pad, pad, pad);
    expect_ok_every_split(&lim, buf, n);
    n = build(buf, sizeof buf,
              "HTTP/1.1 204 OK\r\nA: %.22s\r\nA: %.22s\r\nA: %.22s\r\nA: %.22s\r\nB: %.6s\r\n\r\n",
              pad, pad, pad, pad, pad);
    expect_fail_every_split(&lim, buf, n, "HTTP_FAIL_HEADER_SECTION_SIZE");
}

static void test_limit_field_count(void **state)
{
    (void)state;
    struct http_limits lim = small_limits();
    const char ok[] = "HTTP/1.1 204 OK\r\nA: 1\r\nA: 2\r\nA: 3\r\nA: 4\r\n\r\n";
    const char bad[] = "HTTP/1.1 204 OK\r\nA: 1\r\nA: 2\r\nA: 3\r\nA: 4\r\nA: 5\r\n\r\n";
    expect_ok_every_split(&lim, ok, sizeof ok - 1);
    expect_fail_every_split(&lim, bad, sizeof bad - 1, "HTTP_FAIL_HEADER_COUNT");
    const char tbad[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        "0\r\nA: 1\r\nA: 2\r\nA: 3\r\nA: 4\r\nA: 5\r\n\r\n";
    expect_fail_every_split(&lim, tbad, sizeof tbad - 1, "HTTP_FAIL_TRAILER_SECTION_SIZE");
    /* Each section has its own count: 4 headers and 4 trailers pass. */
    const char both[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nA: 2\r\nA: 3\r\n"
                        "A: 4\r\n\r\n0\r\nA: 1\r\nA: 2\r\nA: 3\r\nA: 4\r\n\r\n";
    expect_ok_every_split(&lim, both, sizeof both - 1);
}

static void test_limit_chunk_line(void **state)
{
    (void)state;
    struct http_limits lim = small_limits();
    /* "5;abcdefghi" + CR = 12 */
    const char ok[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5;abcdefghi\r\nhello\r\n0\r\n\r\n";
    const char bad[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5;abcdefghij\r\nhello\r\n0\r\n\r\n";
    expect_ok_every_split(&lim, ok, sizeof ok - 1);
    expect_fail_every_split(&lim, bad, sizeof bad - 1, "HTTP_FAIL_CHUNK_LINE_SIZE");
    /* Leading zeros count too: a size line is not a way around the cap. */
    const char zeros[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "0000000000005\r\nhello\r\n0\r\n\r\n";
    expect_fail_every_split(&lim, zeros, sizeof zeros - 1, "HTTP_FAIL_CHUNK_LINE_SIZE");
}

/* ---- the API ---------------------------------------------------------------- */

static void test_api_end_consumes_nothing_more(void **state)
{
    (void)state;
    const char two[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 204 No\r\n\r\n";
    struct http_parser p;
    struct http_event ev;
    size_t used, off = 0, n = sizeof two - 1;
    assert_int_equal(http_parser_init(&p, NULL), 0);
    int r;
    while ((r = http_parse(&p, (const uint8_t *)two + off, n - off, &used, &ev)) > 0) {
        off += used;
        if (r == HTTP_EV_END) break;
    }
    assert_int_equal(r, HTTP_EV_END);
    assert_int_equal(off, 39); /* the first response ends at its body's last byte */
    assert_true(http_parser_done(&p));
    assert_int_equal(http_parse(&p, (const uint8_t *)two + off, n - off, &used, &ev), 0);
    assert_int_equal(used, 0);
    assert_int_equal(http_parse_eof(&p, &ev), 0);
    http_parser_start(&p, false);
    assert_true(http_parser_idle(&p));
    assert_int_equal(http_parse(&p, (const uint8_t *)two + off, n - off, &used, &ev),
                     HTTP_EV_STATUS);
    assert_int_equal(ev.status, 204);
    http_parser_free(&p);
}

static void test_api_error_is_sticky(void **state)
{
    (void)state;
    const char bad[] = "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n";
    const char good[] = "HTTP/1.1 200 OK\r\n";
    struct http_parser p;
    struct http_event ev;
    size_t used;
    assert_int_equal(http_parser_init(&p, NULL), 0);
    int r;
    size_t off = 0;
    while ((r = http_parse(&p, (const uint8_t *)bad + off, sizeof bad - 1 - off, &used, &ev)) > 0)
        off += used;
    assert_int_equal(r, ERR_PROTO);
    assert_int_equal(http_parser_fail(&p), HTTP_FAIL_CONTENT_LENGTH);
    assert_int_equal(http_parse(&p, (const uint8_t *)good, sizeof good - 1, &used, &ev), ERR_PROTO);
    assert_int_equal(used, 0);
    assert_int_equal(http_parse_eof(&p, &ev), ERR_PROTO);
    http_parser_start(&p, false);
    assert_int_equal(http_parser_fail(&p), HTTP_FAIL_NONE);
    assert_int_equal(http_parse(&p, (const uint8_t *)good, sizeof good - 1, &used, &ev),
                     HTTP_EV_STATUS);
    http_parser_free(&p);
}

static void test_api_accessors(void **state)
{
    (void)state;
    const char resp[] = "HTTP/1.1 206 Partial\r\nContent-Length: 5000000000\r\n\r\n";
    struct http_parser p;
    struct http_event ev;
    size_t used, off = 0;
    assert_int_equal(http_parser_init(&p, NULL), 0);
    int r;
    while ((r = http_parse(&p, (const uint8_t *)resp + off, sizeof resp - 1 - off, &used, &ev)) >
           0) {
        off += used;
        if (r == HTTP_EV_HEADERS_DONE) break;
    }
    assert_int_equal(r, HTTP_EV_HEADERS_DONE);
    assert_int_equal(http_parser_status(&p), 206);
    assert_int_equal(http_parser_framing(&p), HTTP_FRAMING_LENGTH);
    assert_true(http_parser_body_length(&p) == 5000000000LL);
    assert_true(http_parser_keep_alive(&p));
    assert_int_equal(http_parse_eof(&p, &ev), ERR_CONNRESET);
    assert_int_equal(http_parser_fail(&p), HTTP_FAIL_TRUNCATED);
    http_parser_free(&p);
}

static void test_api_bad_limits(void **state)
{
    (void)state;
    struct http_parser p;
    struct http_limits lim = small_limits();
    lim.fields = 0;
    assert_int_equal(http_parser_init(&p, &lim), ERR_INVAL);
}

/* Every failure kind has its own name, a message and an ERR_* value. */
static void test_fail_table(void **state)
{
    (void)state;
    for (int i = 1; i < HTTP_FAIL_COUNT_; i++) {
        assert_true(http_fail_err(i) < 0);
        assert_int_equal(strncmp(http_fail_name(i), "HTTP_FAIL_", 10), 0);
        assert_string_not_equal(http_fail_name(i), "HTTP_FAIL_?");
        assert_true(strlen(http_fail_str(i)) > 5);
        for (int j = 1; j < i; j++)
            assert_string_not_equal(http_fail_name(i), http_fail_name(j));
    }
    assert_int_equal(http_fail_err(HTTP_FAIL_NONE), 0);
    assert_string_equal(http_fail_name(HTTP_FAIL_COUNT_), "HTTP_FAIL_?");
}

int main(void)
{
    size_t nrec = sizeof recorded_responses / sizeof recorded_responses[0];
    size_t nbad = sizeof bad_responses / sizeof bad_responses[0];
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_limit_status_line),
        cmocka_unit_test(test_limit_field_line),
        cmocka_unit_test(test_limit_section),
        cmocka_unit_test(test_limit_field_count),
        cmocka_unit_test(test_limit_chunk_line),
        cmocka_unit_test(test_api_end_consumes_nothing_more),
        cmocka_unit_test(test_api_error_is_sticky),
        cmocka_unit_test(test_api_accessors),
        cmocka_unit_test(test_api_bad_limits),
        cmocka_unit_test(test_fail_table),
    };
    size_t nfixed = sizeof fixed / sizeof fixed[0];
    struct CMUnitTest *tests = calloc(nrec + nbad + nfixed, sizeof *tests);
    char(*names)[96] = calloc(nrec + nbad, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < nrec; i++, k++) {
        snprintf(names[k], sizeof names[k], "recorded %s", recorded_responses[i].name);
        tests[k].name = names[k];
        tests[k].test_func = test_recorded;
        tests[k].initial_state = (void *)&recorded_responses[i];
    }
    for (size_t i = 0; i < nbad; i++, k++) {
        snprintf(names[k], sizeof names[k], "bad %s", bad_responses[i].name);
        tests[k].name = names[k];
        tests[k].test_func = test_bad;
        tests[k].initial_state = (void *)&bad_responses[i];
    }
    for (size_t i = 0; i < nfixed; i++)
        tests[k++] = fixed[i];
    int failed = _cmocka_run_group_tests("http_parser", tests, k, NULL, NULL);
    free(tests);
    free(names);
    return failed;
}
