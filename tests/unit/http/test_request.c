/*
 * tests/unit/http/test_request.c - lib/http's request writer (exact bytes
 * per RFC 9112 sections 3 and 6-7, refusal of anything that could split
 * the request) and the ordered field list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "http/fields.h"
#include "http/request.h"

#define S(s) s, sizeof(s) - 1

static void expect_head(const struct http_request_head *r, const char *want)
{
    char buf[1024];
    enum http_fail fail = HTTP_FAIL_STATE;
    long n = http_request_write(r, buf, sizeof buf, &fail);
    if (n < 0) fail_msg("write failed: %ld %s", n, http_fail_name(fail));
    assert_int_equal(fail, HTTP_FAIL_NONE);
    assert_int_equal((size_t)n, strlen(want));
    assert_memory_equal(buf, want, (size_t)n);
}

static void test_get(void **state)
{
    (void)state;
    struct http_request_head r = {
        .method = "GET", .target = S("/p/q?x=1&y=%20"), .host = S("example.com:8080")};
    expect_head(&r, "GET /p/q?x=1&y=%20 HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
}

static void test_fields_in_order(void **state)
{
    (void)state;
    struct http_fields f;
    http_fields_init(&f, 0, 0);
    assert_int_equal(http_fields_add(&f, S("Accept"), S("*/*")), 0);
    assert_int_equal(http_fields_add(&f, S("X-Rep"), S("1")), 0);
    assert_int_equal(http_fields_add(&f, S("User-Agent"), S("kpio")), 0);
    assert_int_equal(http_fields_add(&f, S("x-rep"), S("2")), 0);
    assert_int_equal(http_fields_add(&f, S("X-Empty"), S("")), 0);
    struct http_request_head r = {.method = "HEAD", .target = S("/"), .host = S("h"), .fields = &f};
    expect_head(&r, "HEAD / HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nX-Rep: 1\r\n"
                    "User-Agent: kpio\r\nx-rep: 2\r\nX-Empty: \r\n\r\n");
    http_fields_free(&f);
}

static void test_framing(void **state)
{
    (void)state;
    struct http_request_head r = {.method = "POST",
                                  .target = S("/up"),
                                  .host = S("h"),
                                  .body = HTTP_BODY_LENGTH,
                                  .content_length = 18446744073709551615ULL};
    expect_head(&r, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 18446744073709551615\r\n\r\n");
    r.body = HTTP_BODY_LENGTH;
    r.content_length = 0;
    expect_head(&r, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    r.body = HTTP_BODY_CHUNKED;
    r.close = true;
    expect_head(&r, "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                    "Connection: close\r\n\r\n");
}

static void expect_refused(const struct http_request_head *r, enum http_fail kind)
{
    char buf[256];
    enum http_fail fail = HTTP_FAIL_NONE;
    assert_int_equal(http_request_write(r, buf, sizeof buf, &fail), ERR_INVAL);
    assert_string_equal(http_fail_name(fail), http_fail_name(kind));
}

/* Nothing from the caller can end a line early or smuggle a field. */
static void test_refusals(void **state)
{
    (void)state;
    struct http_request_head r = {.method = "GET", .target = S("/"), .host = S("h")};
    const char *methods[] = {"", "GE T", "GET\r\n", "G\x80T", "GET/"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        r.method = methods[i];
        expect_refused(&r, HTTP_FAIL_METHOD);
    }
    r.method = NULL;
    expect_refused(&r, HTTP_FAIL_METHOD);
    r.method = "GET";
    const char *targets[] = {"", "/a b", "/a\r\nX: y", "/\x7f", "/\xc3\xa9"};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        r.target = targets[i];
        r.target_len = strlen(targets[i]);
        expect_refused(&r, HTTP_FAIL_URL);
    }
    r.target = "/";
    r.target_len = 1;
    const char *hosts[] = {"", "a b", "h\r\nX: y", "h/x", "u@h"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        r.host = hosts[i];
        r.host_len = strlen(hosts[i]);
        expect_refused(&r, HTTP_FAIL_URL);
    }
    r.host = "h";
    r.host_len = 1;
    static const struct {
        const char *name, *value;
    } fields[] = {
        {"X-A", "v\r\nInjected: 1"},
        {"X-A", "v\n"},
        {"X-A", "a\0b"},
        {"X A", "v"},
        {"X:A", "v"},
        {"", "v"},
        {"X-A", " lead"},
        {"X-A", "trail\t"},
        {"Host", "other"},
        {"content-length", "5"},
        {"Transfer-Encoding", "chunked"},
        {"CONNECTION", "close"},
        {"Keep-Alive", "300"},
        {"TE", "trailers"},
        {"Upgrade", "h2c"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        struct http_fields f;
        http_fields_init(&f, 0, 0);
        size_t vlen = strlen(fields[i].value);
        if (i == 2) vlen = 3; /* the NUL is part of the value */
        assert_int_equal(
            http_fields_add(&f, fields[i].name, strlen(fields[i].name), fields[i].value, vlen), 0);
        r.fields = &f;
        expect_refused(&r, HTTP_FAIL_REQUEST_FIELD);
        http_fields_free(&f);
    }
}

/* Every buffer size short of the head fails cleanly; the exact size works. */
static void test_buffer_sizes(void **state)
{
    (void)state;
    struct http_request_head r = {.method = "PUT",
                                  .target = S("/file"),
                                  .host = S("h:1"),
                                  .body = HTTP_BODY_LENGTH,
                                  .content_length = 123};
    const char want[] = "PUT /file HTTP/1.1\r\nHost: h:1\r\nContent-Length: 123\r\n\r\n";
    char buf[sizeof want + 8];
    for (size_t size = 0; size < sizeof want - 1; size++) {
        enum http_fail fail = HTTP_FAIL_NONE;
        memset(buf, '#', sizeof buf);
        assert_int_equal(http_request_write(&r, buf, size, &fail), ERR_NOSPC);
        assert_int_equal(fail, HTTP_FAIL_REQUEST_TOO_BIG);
        for (size_t i = size; i < sizeof buf; i++)
            assert_int_equal(buf[i], '#'); /* nothing written past size */
    }
    assert_int_equal(http_request_write(&r, buf, sizeof want - 1, NULL), (long)(sizeof want - 1));
    assert_memory_equal(buf, want, sizeof want - 1);
}

static void test_chunk_head(void **state)
{
    (void)state;
    char buf[HTTP_CHUNK_HEAD_MAX];
    assert_int_equal(http_chunk_head(buf, 1), 3);
    assert_memory_equal(buf, "1\r\n", 3);
    assert_int_equal(http_chunk_head(buf, 0xabc), 5);
    assert_memory_equal(buf, "abc\r\n", 5);
    assert_int_equal(http_chunk_head(buf, UINT64_MAX), 18);
    assert_memory_equal(buf, "ffffffffffffffff\r\n", 18);
    assert_string_equal(HTTP_CHUNK_LAST, "0\r\n\r\n");
}

static void test_fields_list(void **state)
{
    (void)state;
    struct http_fields f;
    http_fields_init(&f, 0, 0);
    assert_int_equal(http_fields_count(&f), 0);
    assert_null(http_fields_get(&f, "x", NULL));
    for (int i = 0; i < 100; i++) { /* grows past the first allocations */
        char v[16];
        snprintf(v, sizeof v, "%d", i);
        assert_int_equal(
            http_fields_add(&f, i % 2 ? "Set-Cookie" : "X-N", i % 2 ? 10 : 3, v, strlen(v)), 0);
    }
    assert_int_equal(http_fields_count(&f), 100);
    size_t len;
    assert_string_equal(http_fields_get(&f, "set-cookie", &len), "1");
    assert_int_equal(len, 1);
    long i = -1;
    int seen = 0;
    while ((i = http_fields_find(&f, "SET-COOKIE", 10, (size_t)(i + 1))) >= 0) {
        struct http_field fl = http_fields_at(&f, (size_t)i);
        char want[16];
        snprintf(want, sizeof want, "%d", 2 * seen + 1);
        assert_string_equal(fl.value, want); /* repeated fields in order */
        assert_string_equal(fl.name, "Set-Cookie");
        seen++;
    }
    assert_int_equal(seen, 50);
    assert_int_equal(http_fields_remove(&f, "x-n"), 50);
    assert_int_equal(http_fields_count(&f), 50);
    assert_int_equal(http_fields_find(&f, "X-N", 3, 0), -1);
    assert_string_equal(http_fields_at(&f, 49).value, "99");
    /* A name given by length, not NUL-terminated, and longer than 256. */
    char longname[300];
    memset(longname, 'a', sizeof longname);
    assert_int_equal(http_fields_add(&f, longname, sizeof longname, "v", 1), 0);
    assert_int_equal(http_fields_add(&f, longname, sizeof longname - 1, "w", 1), 0);
    assert_int_equal(http_fields_remove_n(&f, longname, sizeof longname), 1);
    assert_int_equal(http_fields_find(&f, longname, sizeof longname - 1, 0), 50);
    assert_int_equal(http_fields_remove_n(&f, "X-Nope", 3), 0);
    http_fields_clear(&f);
    assert_int_equal(http_fields_count(&f), 0);
    http_fields_free(&f);
}

static void test_fields_caps(void **state)
{
    (void)state;
    struct http_fields f;
    http_fields_init(&f, 10, 2); /* "ab\0cd\0" is 6 bytes */
    assert_int_equal(http_fields_add(&f, S("ab"), S("cd")), 0);
    assert_int_equal(http_fields_add(&f, S("ab"), S("d")), ERR_2BIG); /* 11 bytes */
    assert_int_equal(http_fields_add(&f, S("a"), S("")), 0);          /* 9 bytes */
    assert_int_equal(http_fields_add(&f, S("b"), S("")), ERR_2BIG);   /* a third field */
    assert_int_equal(http_fields_count(&f), 2);
    http_fields_free(&f);
}

static void test_field_valid(void **state)
{
    (void)state;
    assert_true(http_field_valid(S("X-Token_1!#$%&'*+.^`|~"), S("v a\tl\x80ue")));
    assert_true(http_field_valid(S("A"), S("")));
    assert_false(http_field_valid(S(""), S("v")));
    assert_false(http_field_valid(S("A B"), S("v")));
    assert_false(http_field_valid(S("A"), S(" v")));
    assert_false(http_field_valid(S("A"), S("v ")));
    assert_false(http_field_valid(S("A"), S("v\r")));
    assert_false(http_field_valid(S("A"), S("\x01")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get),          cmocka_unit_test(test_fields_in_order),
        cmocka_unit_test(test_framing),      cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_buffer_sizes), cmocka_unit_test(test_chunk_head),
        cmocka_unit_test(test_fields_list),  cmocka_unit_test(test_fields_caps),
        cmocka_unit_test(test_field_valid),
    };
    return cmocka_run_group_tests_name("http_request", tests, NULL, NULL);
}
