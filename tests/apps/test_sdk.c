/*
 * tests/apps/test_sdk.c - host unit tests (cmocka, ASan + UBSan) for the
 * parts of the app SDK that are plain C: httpd's request parser and target
 * mapping (apps/sdk/httpreq.c) and the option and number helpers of
 * apps/sdk/cli.c, and the apps' SHA-256 (apps/sdk/sha256.c). Oracles:
 * RFC 9112's grammar and RFC 3986 section 5.2.4 (remove_dot_segments),
 * written out case by case; the FIPS 180-2 appendix B test vectors and
 * lib/base/sha256.c (an independent implementation) for SHA-256.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/sha256.h"
#include "sdk/cli.h"
#include "sdk/httpreq.h"
#include "sdk/regex.h"
#include "sdk/sha256.h"

static int parse(const char *s, struct httpreq *r)
{
    return httpreq_parse(s, strlen(s), r);
}

static void test_request_line(void **state)
{
    (void)state;
    struct httpreq r;
    const char *req = "GET /a/b?c=d HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(parse(req, &r), (int)strlen(req));
    assert_string_equal(r.method, "GET");
    assert_string_equal(r.target, "/a/b?c=d");
    assert_int_equal(r.minor, 1);
    assert_false(r.close);

    req = "HEAD / HTTP/1.0\n\n"; /* bare LF, RFC 9112 section 2.2 */
    assert_int_equal(parse(req, &r), (int)strlen(req));
    assert_string_equal(r.method, "HEAD");
    assert_true(r.close); /* HTTP/1.0 */

    req = "\r\n\r\nGET / HTTP/1.1\r\n\r\n"; /* empty lines before: ignored */
    assert_int_equal(parse(req, &r), (int)strlen(req));
    assert_string_equal(r.target, "/");
}

static void test_incomplete_and_limits(void **state)
{
    (void)state;
    struct httpreq r;
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n", &r), HTTPREQ_INCOMPLETE);
    assert_int_equal(parse("GET / HTT", &r), HTTPREQ_INCOMPLETE);
    assert_int_equal(parse("", &r), HTTPREQ_INCOMPLETE);

    static char big[HTTPREQ_MAX_HEAD + 100];
    memset(big, 'a', sizeof big);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    assert_int_equal(httpreq_parse(big, sizeof big, &r), HTTPREQ_TOO_LARGE);

    static char target[HTTPREQ_MAX_TARGET + 64];
    memset(target, 'b', sizeof target);
    memcpy(target, "GET /", 5);
    memcpy(target + sizeof target - 15, " HTTP/1.1\r\n\r\n", 13);
    assert_int_equal(httpreq_parse(target, sizeof target - 2, &r), HTTPREQ_URI_TOO_LONG);
}

static void test_bad_requests(void **state)
{
    (void)state;
    struct httpreq r;
    static const char *const bad[] = {
        "GET  / HTTP/1.1\r\n\r\n",              /* two spaces */
        "GET / HTTP/1.1 \r\n\r\n",              /* trailing space */
        "GET /\r\n\r\n",                        /* HTTP/0.9 */
        "G\x01T / HTTP/1.1\r\n\r\n",            /* not a token */
        "GET /a\x7f HTTP/1.1\r\n\r\n",          /* DEL in the target */
        "GET / HTTP/1.1\r\nHost x\r\n\r\n",     /* no colon */
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n",   /* space before the colon */
        "GET / HTTP/1.1\r\n: x\r\n\r\n",        /* empty name */
        "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", /* obs-fold */
        "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",    /* bare CR */
        "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n",   /* control in a value */
        "GET / HTTP/1.x\r\n\r\n",
        "GET / http/1.1\r\n\r\n",
        "AVERYVERYLONGMETHOD / HTTP/1.1\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse(bad[i], &r);
        if (rc != HTTPREQ_BAD) print_error("case %zu: %d\n", i, rc);
        assert_int_equal(rc, HTTPREQ_BAD);
    }
    assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n", &r), HTTPREQ_VERSION);
}

static void test_connection_close(void **state)
{
    (void)state;
    struct httpreq r;
    assert_true(parse("GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n", &r) > 0);
    assert_true(r.close);
    assert_true(parse("GET / HTTP/1.1\r\nconnection:close\r\n\r\n", &r) > 0);
    assert_true(r.close);
    assert_true(parse("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n", &r) > 0);
    assert_false(r.close);
    assert_true(parse("GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n", &r) > 0);
    assert_false(r.close);
}

static void expect_path(const char *target, int rc, const char *want, bool slash)
{
    char out[256];
    bool dir_slash = !slash;
    int got = httpreq_path(target, out, sizeof out, &dir_slash);
    if (got != rc) print_error("%s: %d, want %d\n", target, got, rc);
    assert_int_equal(got, rc);
    if (rc == HTTPREQ_PATH_OK) {
        assert_string_equal(out, want);
        assert_int_equal(dir_slash, slash);
    }
}

static void test_paths(void **state)
{
    (void)state;
    expect_path("/", HTTPREQ_PATH_OK, "", true);
    expect_path("/a/b.txt", HTTPREQ_PATH_OK, "a/b.txt", false);
    expect_path("/a//b/./c/", HTTPREQ_PATH_OK, "a/b/c", true);
    expect_path("/a/b/../c?x=/../..", HTTPREQ_PATH_OK, "a/c", false);
    expect_path("/a/..", HTTPREQ_PATH_OK, "", false);
    expect_path("/%41%62c%20d", HTTPREQ_PATH_OK, "Abc d", false);
    expect_path("http://host:8080/x/y", HTTPREQ_PATH_OK, "x/y", false);
    expect_path("http://host", HTTPREQ_PATH_OK, "", true);
    expect_path("/..", HTTPREQ_PATH_ESCAPE, NULL, false);
    expect_path("/../etc/passwd", HTTPREQ_PATH_ESCAPE, NULL, false);
    expect_path("/a/../../b", HTTPREQ_PATH_ESCAPE, NULL, false);
    expect_path("/%2e%2e/x", HTTPREQ_PATH_ESCAPE, NULL, false);
    expect_path("/a%2f..%2f..%2fb", HTTPREQ_PATH_ESCAPE, NULL, false);
    expect_path("*", HTTPREQ_PATH_BAD, NULL, false);
    expect_path("a/b", HTTPREQ_PATH_BAD, NULL, false);
    expect_path("/a%00b", HTTPREQ_PATH_BAD, NULL, false);
    expect_path("/a%zz", HTTPREQ_PATH_BAD, NULL, false);
    expect_path("/a%4", HTTPREQ_PATH_BAD, NULL, false);
    expect_path("/a\\b", HTTPREQ_PATH_BAD, NULL, false);

    char small[4];
    bool slash;
    assert_int_equal(httpreq_path("/abcdef", small, sizeof small, &slash), HTTPREQ_PATH_BAD);
    assert_int_equal(httpreq_path("/abc", small, sizeof small, &slash), HTTPREQ_PATH_OK);
    assert_string_equal(small, "abc");
}

static void test_parse_u64(void **state)
{
    (void)state;
    uint64_t v;
    assert_true(cli_parse_u64("0", 10, &v));
    assert_int_equal(v, 0);
    assert_true(cli_parse_u64("65535", 65535, &v));
    assert_int_equal(v, 65535);
    assert_false(cli_parse_u64("65536", 65535, &v));
    assert_true(cli_parse_u64("18446744073709551615", UINT64_MAX, &v));
    assert_int_equal(v, UINT64_MAX);
    assert_false(cli_parse_u64("18446744073709551616", UINT64_MAX, &v));
    assert_false(cli_parse_u64("", 10, &v));
    assert_false(cli_parse_u64("-1", 10, &v));
    assert_false(cli_parse_u64("1x", 10, &v));
    assert_false(cli_parse_u64(" 1", 10, &v));
}

static void test_format(void **state)
{
    (void)state;
    char b[32];
    cli_format_bytes(0, b, sizeof b);
    assert_string_equal(b, "0 B");
    cli_format_bytes(1023, b, sizeof b);
    assert_string_equal(b, "1023 B");
    cli_format_bytes(1536, b, sizeof b);
    assert_string_equal(b, "1.5 KiB");
    cli_format_bytes(64ull << 20, b, sizeof b);
    assert_string_equal(b, "64.0 MiB");
    cli_format_bytes(3ull << 40, b, sizeof b);
    assert_string_equal(b, "3.0 TiB");
    cli_format_rate(10ull << 20, 2000000000ull, b, sizeof b);
    assert_string_equal(b, "5.0 MiB/s");
    cli_format_rate(100, 0, b, sizeof b); /* no division by zero */
}

static void test_opts(void **state)
{
    (void)state;
    char *argv[] = {"x", "-ab", "-n", "5", "-m7", "--", "-z", NULL};
    struct cli_opts o;
    cli_opts_init(&o, 7, argv);
    assert_int_equal(cli_opts_next(&o, "abn:m:", ""), 'a');
    assert_int_equal(cli_opts_next(&o, "abn:m:", ""), 'b');
    assert_int_equal(cli_opts_next(&o, "abn:m:", ""), 'n');
    assert_string_equal(o.arg, "5");
    assert_int_equal(cli_opts_next(&o, "abn:m:", ""), 'm');
    assert_string_equal(o.arg, "7");
    assert_int_equal(cli_opts_next(&o, "abn:m:", ""), 0);
    assert_int_equal(o.index, 6);
    assert_string_equal(argv[o.index], "-z");

    char *argv2[] = {"x", "-", "-a", NULL};
    cli_opts_init(&o, 3, argv2);
    assert_int_equal(cli_opts_next(&o, "a", ""), 0); /* "-" is an operand */
    assert_int_equal(o.index, 1);
}

static void sdk_hash(const void *p, size_t n, char hex[65])
{
    struct sdk_sha256 s;
    uint8_t d[32];
    sdk_sha256_init(&s);
    sdk_sha256_update(&s, p, n);
    sdk_sha256_final(&s, d);
    sdk_sha256_hex(d, hex);
}

static void test_sha256_vectors(void **state)
{
    (void)state;
    char hex[65];
    sdk_hash("abc", 3, hex); /* FIPS 180-2 B.1 */
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    static const char b2[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sdk_hash(b2, sizeof b2 - 1, hex); /* B.2 */
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    sdk_hash("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    static char million[1000000]; /* B.3, fed in uneven pieces */
    memset(million, 'a', sizeof million);
    struct sdk_sha256 s;
    uint8_t d[32];
    sdk_sha256_init(&s);
    for (size_t off = 0, k = 1; off < sizeof million; k = k * 3 % 1000 + 1) {
        size_t n = k < sizeof million - off ? k : sizeof million - off;
        sdk_sha256_update(&s, million + off, n);
        off += n;
    }
    sdk_sha256_final(&s, d);
    sdk_sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every length from 0 to 300 (all padding cases) and a few large ones,
 * against lib/base/sha256.c. */
static void test_sha256_vs_lib_base(void **state)
{
    (void)state;
    static uint8_t buf[70000];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    static const size_t big[] = {1000, 4095, 4096, 4097, 65536, 70000};
    for (size_t i = 0; i < 301 + sizeof big / sizeof big[0]; i++) {
        size_t n = i <= 300 ? i : big[i - 301];
        char mine[65], ref[65];
        uint8_t d[32];
        sdk_hash(buf, n, mine);
        struct sha256 s;
        sha256_init(&s);
        sha256_update(&s, buf, n);
        sha256_final(&s, d);
        sha256_hex(d, ref);
        if (strcmp(mine, ref) != 0) print_error("length %zu\n", n);
        assert_string_equal(mine, ref);
    }
}

/* ---- regular expressions (grep) ---- */

static bool re_matches(const char *pat, int flags, const char *line)
{
    struct re re;
    const char *err = re_compile(&re, pat, strlen(pat), flags);
    assert_null(err);
    bool m = re_search(&re, line, strlen(line));
    re_free(&re);
    return m;
}

static void expect_re_error(const char *pat, int flags, const char *want)
{
    struct re re;
    const char *err = re_compile(&re, pat, strlen(pat), flags);
    assert_non_null(err);
    assert_string_equal(err, want);
}

static void test_regex(void **state)
{
    (void)state;
    assert_true(re_matches("ab*c", RE_BASIC, "xxacxx"));
    assert_true(re_matches("^a\\{2,3\\}$", RE_BASIC, "aaa"));
    assert_false(re_matches("^a\\{2,3\\}$", RE_BASIC, "aaaa"));
    assert_true(re_matches("a+", RE_BASIC, "a+")); /* + is a literal in BRE */
    assert_false(re_matches("a+", RE_BASIC, "aa"));
    assert_true(re_matches("^(ab|cd)+$", RE_EXTENDED, "abcdab"));
    assert_false(re_matches("^(ab|cd)+$", RE_EXTENDED, "abc"));
    assert_true(re_matches("*x", RE_BASIC, "a*x")); /* a leading * is a literal */
    assert_true(re_matches("[[:digit:]]-[^]a]", RE_BASIC, "7-b"));
    assert_false(re_matches("[[:digit:]]-[^]a]", RE_BASIC, "7-]"));
    assert_true(re_matches("HeLLo", RE_BASIC | RE_ICASE, "say hello"));
    assert_true(re_matches("a$b", RE_BASIC, "a$b")); /* $ not at the end is a literal */
    assert_true(re_matches("", RE_BASIC, ""));
    assert_true(re_matches("\\{1\\}", RE_BASIC, "a{1}")); /* a leading \{ is a byte */
    assert_true(re_matches("+x", RE_EXTENDED, "x"));      /* dropped (GNU warns) */
    assert_true(re_matches("^?a", RE_EXTENDED, "ba"));    /* ^? is an optional anchor */
    assert_false(re_matches("^+a", RE_EXTENDED, "ba"));
    expect_re_error("\\(a", RE_BASIC, "Unmatched ( or \\(");
    expect_re_error("a\\)", RE_BASIC, "Unmatched ) or \\)");
    expect_re_error("[a", RE_BASIC, "Unmatched [, [^, [:, [., or [=");
    expect_re_error("a\\{1", RE_BASIC, "Unmatched \\{");
    expect_re_error("[z-a]", RE_BASIC, "Invalid range end");
    expect_re_error("\\(a\\)\\1", RE_BASIC, "back-references are not supported");
    expect_re_error("a{40000}", RE_EXTENDED, "Regular expression too big");
    expect_re_error("(a{1000}){1000}", RE_EXTENDED, "Regular expression too big");
    struct re re;
    assert_null(re_compile(&re, "*+x", 3, RE_EXTENDED));
    assert_memory_equal(re.warns, "*+", 3);
    re_free(&re);
}

/* Patterns that take exponential time with backtracking take (line
 * length x program size) steps here: 20000 bytes against (a*)*(a*)*b. */
static void test_regex_hostile(void **state)
{
    (void)state;
    static char line[20001];
    memset(line, 'a', sizeof line - 1);
    assert_false(re_matches("\\(a*\\)*\\(a*\\)*\\(a*\\)*b", RE_BASIC, line));
    assert_false(re_matches("^(a|aa|aaa)*$c", RE_EXTENDED, line));
    assert_true(re_matches("^(a|aa)*$", RE_EXTENDED, line));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_line),   cmocka_unit_test(test_incomplete_and_limits),
        cmocka_unit_test(test_bad_requests),   cmocka_unit_test(test_connection_close),
        cmocka_unit_test(test_paths),          cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_format),         cmocka_unit_test(test_opts),
        cmocka_unit_test(test_sha256_vectors), cmocka_unit_test(test_sha256_vs_lib_base),
        cmocka_unit_test(test_regex),          cmocka_unit_test(test_regex_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
