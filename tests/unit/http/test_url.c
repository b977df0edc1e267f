/*
 * tests/unit/http/test_url.c - lib/http's URL parsing and reference
 * resolution. The resolution oracle is RFC 3986 section 5.4: all of its
 * normal and abnormal examples against the base "http://a/b/c/d;p?q",
 * with the two differences url.h states (fragments dropped, an empty path
 * written as "/").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "http/config.h"
#include "http/url.h"

static void expect_resolve(const char *base, const char *ref, const char *want)
{
    char out[256];
    enum http_fail fail = HTTP_FAIL_NONE;
    long n =
        http_url_resolve(base, base ? strlen(base) : 0, ref, strlen(ref), out, sizeof out, &fail);
    if (n < 0) fail_msg("resolve \"%s\": %s", ref, http_fail_name(fail));
    assert_string_equal(out, want);
    assert_int_equal((size_t)n, strlen(want));
}

static void expect_resolve_fail(const char *base, const char *ref, enum http_fail kind)
{
    char out[256];
    enum http_fail fail = HTTP_FAIL_NONE;
    long n =
        http_url_resolve(base, base ? strlen(base) : 0, ref, strlen(ref), out, sizeof out, &fail);
    assert_true(n < 0);
    assert_int_equal(n, http_fail_err(kind));
    assert_string_equal(http_fail_name(fail), http_fail_name(kind));
}

/* RFC 3986 section 5.4.1, "Normal Examples". */
static void test_rfc3986_normal(void **state)
{
    (void)state;
    const char *b = "http://a/b/c/d;p?q";
    expect_resolve_fail(b, "g:h", HTTP_FAIL_SCHEME); /* not http */
    expect_resolve(b, "g", "http://a/b/c/g");
    expect_resolve(b, "./g", "http://a/b/c/g");
    expect_resolve(b, "g/", "http://a/b/c/g/");
    expect_resolve(b, "/g", "http://a/g");
    expect_resolve(b, "//g", "http://g/");
    expect_resolve(b, "?y", "http://a/b/c/d;p?y");
    expect_resolve(b, "g?y", "http://a/b/c/g?y");
    expect_resolve(b, "#s", "http://a/b/c/d;p?q");
    expect_resolve(b, "g#s", "http://a/b/c/g");
    expect_resolve(b, "g?y#s", "http://a/b/c/g?y");
    expect_resolve(b, ";x", "http://a/b/c/;x");
    expect_resolve(b, "g;x", "http://a/b/c/g;x");
    expect_resolve(b, "g;x?y#s", "http://a/b/c/g;x?y");
    expect_resolve(b, "", "http://a/b/c/d;p?q");
    expect_resolve(b, ".", "http://a/b/c/");
    expect_resolve(b, "./", "http://a/b/c/");
    expect_resolve(b, "..", "http://a/b/");
    expect_resolve(b, "../", "http://a/b/");
    expect_resolve(b, "../g", "http://a/b/g");
    expect_resolve(b, "../..", "http://a/");
    expect_resolve(b, "../../", "http://a/");
    expect_resolve(b, "../../g", "http://a/g");
}

/* RFC 3986 section 5.4.2, "Abnormal Examples". */
static void test_rfc3986_abnormal(void **state)
{
    (void)state;
    const char *b = "http://a/b/c/d;p?q";
    expect_resolve(b, "../../../g", "http://a/g");
    expect_resolve(b, "../../../../g", "http://a/g");
    expect_resolve(b, "/./g", "http://a/g");
    expect_resolve(b, "/../g", "http://a/g");
    expect_resolve(b, "g.", "http://a/b/c/g.");
    expect_resolve(b, ".g", "http://a/b/c/.g");
    expect_resolve(b, "g..", "http://a/b/c/g..");
    expect_resolve(b, "..g", "http://a/b/c/..g");
    expect_resolve(b, "./../g", "http://a/b/g");
    expect_resolve(b, "./g/.", "http://a/b/c/g/");
    expect_resolve(b, "g/./h", "http://a/b/c/g/h");
    expect_resolve(b, "g/../h", "http://a/b/c/h");
    expect_resolve(b, "g;x=1/./y", "http://a/b/c/g;x=1/y");
    expect_resolve(b, "g;x=1/../y", "http://a/b/c/y");
    expect_resolve(b, "g?y/./x", "http://a/b/c/g?y/./x");
    expect_resolve(b, "g?y/../x", "http://a/b/c/g?y/../x");
    expect_resolve(b, "g#s/./x", "http://a/b/c/g");
    expect_resolve(b, "g#s/../x", "http://a/b/c/g");
    /* "http:g" is "http:g" for a strict parser: an http URL without a host,
     * which RFC 9110 section 4.2.1 makes invalid. */
    expect_resolve_fail(b, "http:g", HTTP_FAIL_URL);
}

static void test_resolve_absolute(void **state)
{
    (void)state;
    expect_resolve(NULL, "http://example.com", "http://example.com/");
    expect_resolve(NULL, "HTTP://Example.COM:8080/a/./b/../c?x=1#f",
                   "http://Example.COM:8080/a/c?x=1");
    expect_resolve(NULL, "http://h?q", "http://h/?q");
    expect_resolve("http://a/b", "http://other:81/x", "http://other:81/x");
    expect_resolve("http://a:8080/b/c", "//other/x?y", "http://other/x?y");
    expect_resolve("http://a/b/c", "/d%20e?f=%2F", "http://a/d%20e?f=%2F");
    expect_resolve("http://a", "g", "http://a/g"); /* merge with an empty base path */
    expect_resolve_fail(NULL, "/relative", HTTP_FAIL_URL);
    expect_resolve("http://a/", "https://a/x", "https://a/x");
    expect_resolve("https://a/b/c", "//other/x", "https://other/x"); /* the base's scheme */
    expect_resolve("https://a:8443/b/c", "d?e", "https://a:8443/b/d?e");
    expect_resolve("https://a/", "http://b/", "http://b/");
    expect_resolve_fail("http://a/", "ftp://a/", HTTP_FAIL_SCHEME);
    expect_resolve_fail("http://a/", "g h", HTTP_FAIL_URL);
    expect_resolve_fail("http://a/", "//u@h/", HTTP_FAIL_URL);
}

static void test_resolve_too_long(void **state)
{
    (void)state;
    char out[32];
    enum http_fail fail;
    const char *url = "http://host/0123456789012345678"; /* 31 bytes: fits with the NUL */
    assert_int_equal(http_url_resolve(NULL, 0, url, strlen(url), out, sizeof out, &fail), 31);
    url = "http://host/01234567890123456789";
    assert_int_equal(http_url_resolve(NULL, 0, url, strlen(url), out, sizeof out, &fail),
                     ERR_NAMETOOLONG);
    assert_int_equal(fail, HTTP_FAIL_URL_TOO_LONG);
    assert_int_equal(http_url_resolve(NULL, 0, url, strlen(url), out, 0, &fail), ERR_NAMETOOLONG);
}

struct parse_case {
    const char *url;
    const char *authority, *host;
    unsigned port;
    const char *path, *query;
};

static void test_parse_good(void **state)
{
    (void)state;
    static const struct parse_case cases[] = {
        {"http://example.com", "example.com", "example.com", 80, "", ""},
        {"http://example.com/", "example.com", "example.com", 80, "/", ""},
        {"HTTP://Example.COM:8080/a?b=c#frag", "Example.COM:8080", "Example.COM", 8080, "/a",
         "?b=c"},
        {"http://10.0.2.2:8080/x/y.bin", "10.0.2.2:8080", "10.0.2.2", 8080, "/x/y.bin", ""},
        {"http://[::1]:8080/", "[::1]:8080", "::1", 8080, "/", ""},
        {"http://[fe80::1:2.3.4.5]/", "[fe80::1:2.3.4.5]", "fe80::1:2.3.4.5", 80, "/", ""},
        {"http://host:/p", "host:", "host", 80, "/p", ""},
        {"http://host:65535?", "host:65535", "host", 65535, "", "?"},
        {"http://my_host-1.example/", "my_host-1.example", "my_host-1.example", 80, "/", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct parse_case *c = &cases[i];
        struct http_url u;
        enum http_fail fail = HTTP_FAIL_NONE;
        if (http_url_parse(c->url, strlen(c->url), &u, &fail) != 0)
            fail_msg("%s: %s", c->url, http_fail_name(fail));
        assert_int_equal(u.authority_len, strlen(c->authority));
        assert_memory_equal(u.authority, c->authority, u.authority_len);
        assert_int_equal(u.host_len, strlen(c->host));
        assert_memory_equal(u.host, c->host, u.host_len);
        assert_int_equal(u.port, c->port);
        assert_int_equal(u.path_len, strlen(c->path));
        assert_memory_equal(u.path, c->path, u.path_len);
        assert_int_equal(u.query_len, strlen(c->query));
        assert_memory_equal(u.query, c->query, u.query_len);
    }
}

static void test_parse_bad(void **state)
{
    (void)state;
    static const struct {
        const char *url;
        enum http_fail fail;
    } cases[] = {
        {"ftp://example.com/", HTTP_FAIL_SCHEME},
        {"httpx://example.com/", HTTP_FAIL_SCHEME},
        {"example.com/path", HTTP_FAIL_URL},
        {"http:/example.com/", HTTP_FAIL_URL},
        {"http://user:pw@host/", HTTP_FAIL_URL},
        {"http:///path", HTTP_FAIL_URL},
        {"http://:80/", HTTP_FAIL_URL},
        {"http://host:99999/", HTTP_FAIL_URL},
        {"http://host:65536/", HTTP_FAIL_URL},
        {"http://host:0/", HTTP_FAIL_URL},
        {"http://host:8a/", HTTP_FAIL_URL},
        {"http://host:-1/", HTTP_FAIL_URL},
        {"http://ho st/", HTTP_FAIL_URL},
        {"http://host/a b", HTTP_FAIL_URL},
        {"http://host/a\x80", HTTP_FAIL_URL},
        {"http://host/a\r\nX: y", HTTP_FAIL_URL},
        {"http://ho%73t/", HTTP_FAIL_URL},
        {"http://[::1/", HTTP_FAIL_URL},
        {"http://[]/", HTTP_FAIL_URL},
        {"http://[::1]x/", HTTP_FAIL_URL},
        {"http://[::1%25eth0]/", HTTP_FAIL_URL},
        {"", HTTP_FAIL_URL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct http_url u;
        enum http_fail fail = HTTP_FAIL_NONE;
        int r = http_url_parse(cases[i].url, strlen(cases[i].url), &u, &fail);
        if (r != http_fail_err(cases[i].fail) || fail != cases[i].fail)
            fail_msg("%s: got %d %s", cases[i].url, r, http_fail_name(fail));
    }
    /* Another scheme is refused as not supported, not as malformed. */
    struct http_url u;
    assert_int_equal(http_url_parse("ftp://a/", 8, &u, NULL), ERR_NOTSUP);
    /* https: port 443 unless given (RFC 9110 section 4.2.2) */
    assert_int_equal(http_url_parse("HTTPS://a/", 10, &u, NULL), 0);
    assert_true(u.https);
    assert_int_equal(u.port, 443);
    assert_int_equal(http_url_parse("https://a:8443/", 15, &u, NULL), 0);
    assert_int_equal(u.port, 8443);
    assert_int_equal(http_url_parse("http://a/", 9, &u, NULL), 0);
    assert_false(u.https);
    assert_int_equal(u.port, 80);
}

static void test_parse_host_length(void **state)
{
    (void)state;
    char url[HTTP_MAX_HOST + 32];
    memcpy(url, "http://", 7);
    memset(url + 7, 'a', HTTP_MAX_HOST);
    memcpy(url + 7 + HTTP_MAX_HOST, "/", 2);
    struct http_url u;
    enum http_fail fail;
    assert_int_equal(http_url_parse(url, strlen(url), &u, &fail), 0);
    assert_int_equal(u.host_len, HTTP_MAX_HOST);
    memset(url + 7, 'a', HTTP_MAX_HOST + 1);
    memcpy(url + 8 + HTTP_MAX_HOST, "/", 2);
    assert_int_equal(http_url_parse(url, strlen(url), &u, &fail), ERR_NAMETOOLONG);
    assert_int_equal(fail, HTTP_FAIL_URL_TOO_LONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3986_normal),    cmocka_unit_test(test_rfc3986_abnormal),
        cmocka_unit_test(test_resolve_absolute),  cmocka_unit_test(test_resolve_too_long),
        cmocka_unit_test(test_parse_good),        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_host_length),
    };
    return cmocka_run_group_tests_name("http_url", tests, NULL, NULL);
}
