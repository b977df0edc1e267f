/*
 * tests/unit/base/test_base.c - lib/base: the freestanding memory and string
 * functions (under renamed symbols, compared with the C library's), the
 * formatter (compared with the C library's snprintf), byte order, lists and
 * error names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/endian.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/list.h"
#include "base/mem.h"
#include "base/sha256.h"

void *base_memcpy(void *dst, const void *src, size_t n);
void *base_memmove(void *dst, const void *src, size_t n);
void *base_memset(void *dst, int c, size_t n);
int base_memcmp(const void *a, const void *b, size_t n);
void *base_memchr(const void *s, int c, size_t n);
size_t base_strlen(const char *s);
size_t base_strnlen(const char *s, size_t max);
int base_strcmp(const char *a, const char *b);
int base_strncmp(const char *a, const char *b, size_t n);
char *base_strchr(const char *s, int c);
char *base_strrchr(const char *s, int c);
char *base_strstr(const char *h, const char *n);

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed * 31 + i * 7);
}

/* Every alignment and length up to 70 bytes, against libc. */
static void test_memcpy_memset(void **state)
{
    (void)state;
    unsigned char src[96], a[96], b[96];
    for (size_t so = 0; so < 9; so++)
        for (size_t doff = 0; doff < 9; doff++)
            for (size_t n = 0; n < 70; n++) {
                fill(src, sizeof src, (unsigned)(so + n));
                memset(a, 0xAA, sizeof a);
                memset(b, 0xAA, sizeof b);
                base_memcpy(a + doff, src + so, n);
                memcpy(b + doff, src + so, n);
                assert_memory_equal(a, b, sizeof a);
                base_memset(a + doff, (int)n, n);
                memset(b + doff, (int)n, n);
                assert_memory_equal(a, b, sizeof a);
            }
}

static void test_memmove_overlap(void **state)
{
    (void)state;
    unsigned char a[64], b[64];
    for (int shift = -9; shift <= 9; shift++)
        for (size_t n = 0; n < 40; n++) {
            fill(a, sizeof a, 3);
            fill(b, sizeof b, 3);
            base_memmove(a + 12 + shift, a + 12, n);
            memmove(b + 12 + shift, b + 12, n);
            assert_memory_equal(a, b, sizeof a);
        }
}

static void test_compare_and_search(void **state)
{
    (void)state;
    const char *words[] = {"", "a", "ab", "abc", "abd", "b", "\xff", "abcdefghijk"};
    for (size_t i = 0; i < 8; i++)
        for (size_t j = 0; j < 8; j++) {
            assert_int_equal(sign(base_strcmp(words[i], words[j])),
                             sign(strcmp(words[i], words[j])));
            assert_int_equal(sign(base_strncmp(words[i], words[j], 2)),
                             sign(strncmp(words[i], words[j], 2)));
            size_t n = strlen(words[i]) < strlen(words[j]) ? strlen(words[i]) : strlen(words[j]);
            assert_int_equal(sign(base_memcmp(words[i], words[j], n + 1)),
                             sign(memcmp(words[i], words[j], n + 1)));
        }
    const char *s = "hello/world/";
    assert_int_equal(base_strlen(s), 12);
    assert_int_equal(base_strnlen(s, 5), 5);
    assert_ptr_equal(base_strchr(s, '/'), s + 5);
    assert_ptr_equal(base_strrchr(s, '/'), s + 11);
    assert_ptr_equal(base_strchr(s, '\0'), s + 12);
    assert_null(base_strchr(s, 'z'));
    assert_ptr_equal(base_memchr(s, 'w', 12), s + 6);
    assert_ptr_equal(base_strstr(s, "world"), strstr(s, "world"));
    assert_ptr_equal(base_strstr(s, "/"), s + 5);
    assert_ptr_equal(base_strstr(s, ""), s);
    assert_null(base_strstr(s, "worlds"));
    assert_null(base_strstr("", "a"));
    assert_null(base_memchr(s, 'w', 6));
}

static void test_str_helpers(void **state)
{
    (void)state;
    char buf[6];
    assert_int_equal(str_copy(buf, "abcdefgh", sizeof buf), 8);
    assert_string_equal(buf, "abcde");
    assert_int_equal(str_copy(buf, "ab", sizeof buf), 2);
    assert_string_equal(buf, "ab");
    assert_int_equal(str_casecmp("Content-Length", "content-LENGTH"), 0);
    assert_true(str_casecmp("a", "B") < 0);
    assert_int_equal(str_ncasecmp("HOSTX", "hosty", 4), 0);
    assert_true(str_has_prefix("/apps/ls", "/apps/"));
    assert_false(str_has_prefix("/ap", "/apps/"));
}

/* Formats with both ours and the C library's snprintf and compares. */
#define CHECK_FMT(...)                                                                             \
    do {                                                                                           \
        char ours[128], theirs[128];                                                               \
        size_t n1 = fmt_snprintf(ours, sizeof ours, __VA_ARGS__);                                  \
        int n2 = snprintf(theirs, sizeof theirs, __VA_ARGS__);                                     \
        assert_string_equal(ours, theirs);                                                         \
        assert_int_equal(n1, n2);                                                                  \
    } while (0)

static void test_fmt_against_libc(void **state)
{
    (void)state;
    CHECK_FMT("plain");
    CHECK_FMT("%d %i %u", -42, 17, 4000000000u);
    CHECK_FMT("[%5d] [%-5d] [%05d] [%+d] [% d]", 42, 42, -42, 7, 7);
    CHECK_FMT("%x %X %#x %#o %o", 0xbeefu, 0xbeefu, 255u, 8u, 0u);
    CHECK_FMT("%lld %llu %llx", (long long)INT64_MIN, (unsigned long long)UINT64_MAX,
              0x123456789abcdefull);
    CHECK_FMT("%ld %lu %zu %td", -1L, 2UL, (size_t)3, (ptrdiff_t)-4);
    /* int arguments on purpose: %hh and %h must truncate them. */
    // cppcheck-suppress [invalidPrintfArgType_sint, invalidPrintfArgType_uint]
    CHECK_FMT("%hhd %hd %hhu", 300, 70000, 511);
    CHECK_FMT("%.3d %8.4d %-8.3x|", 5, -12, 0xau);
    CHECK_FMT("%s|%10s|%-10s|%.2s|%*s|%-*s|", "abc", "abc", "abc", "abc", 6, "x", 6, "y");
    CHECK_FMT("%c%c%%", 'o', 'k');
    CHECK_FMT("%.0d|%.0x|", 0, 0u);
    CHECK_FMT("%p", (void *)0x1234);
}

static void test_fmt_truncation(void **state)
{
    (void)state;
    char buf[8];
    assert_int_equal(fmt_snprintf(buf, sizeof buf, "%s", "0123456789"), 10);
    assert_string_equal(buf, "0123456");
    assert_int_equal(fmt_snprintf(buf, 1, "abc"), 3);
    assert_string_equal(buf, "");
    assert_int_equal(fmt_snprintf(NULL, 0, "%d", 12345), 5);
}

static void test_endian(void **state)
{
    (void)state;
    uint8_t b[8];
    be16_put(b, 0x1234);
    assert_int_equal(b[0], 0x12);
    assert_int_equal(be16_get(b), 0x1234);
    be32_put(b + 1, 0xdeadbeef);
    assert_int_equal(b[1], 0xde);
    assert_int_equal(be32_get(b + 1), 0xdeadbeef);
    le64_put(b, 0x0102030405060708ull);
    assert_int_equal(b[0], 8);
    assert_int_equal(le64_get(b), 0x0102030405060708ull);
    assert_int_equal(le32_get(b + 4), 0x01020304);
    assert_int_equal(le16_get(b + 1), 0x0607);
}

struct item {
    int v;
    struct list_node node;
};

static void test_list(void **state)
{
    (void)state;
    struct list_node head = LIST_INIT(head);
    struct item items[4] = {{1, {0}}, {2, {0}}, {3, {0}}, {4, {0}}};
    assert_true(list_empty(&head));
    list_push_back(&head, &items[1].node);
    list_push_back(&head, &items[2].node);
    list_push_front(&head, &items[0].node);
    list_push_back(&head, &items[3].node);
    int expect = 1;
    struct list_node *it, *tmp;
    list_for_each(it, &head) assert_int_equal(list_entry(it, struct item, node)->v, expect++);
    list_remove(&items[2].node);
    list_for_each_safe(it, tmp, &head) if (list_entry(it, struct item, node)->v == 2)
        list_remove(it);
    assert_int_equal(list_entry(list_pop_front(&head), struct item, node)->v, 1);
    assert_int_equal(list_entry(list_pop_front(&head), struct item, node)->v, 4);
    assert_null(list_pop_front(&head));
}

static void test_errors(void **state)
{
    (void)state;
    assert_string_equal(err_name(ERR_NOENT), "ERR_NOENT");
    assert_string_equal(err_str(ERR_NOSPC), "no space left on device");
    assert_string_equal(err_name(-9999), "ERR_UNKNOWN");
}

static const char *sha_hex(const void *data, size_t len, size_t chunk)
{
    static char hex[65];
    struct sha256 s;
    uint8_t d[32];
    sha256_init(&s);
    for (size_t off = 0; off < len; off += chunk)
        sha256_update(&s, (const uint8_t *)data + off, len - off < chunk ? len - off : chunk);
    sha256_final(&s, d);
    sha256_hex(d, hex);
    return hex;
}

/* FIPS 180-4 examples and a million 'a's, fed in pieces of every size. */
static void test_sha256(void **state)
{
    (void)state;
    assert_string_equal(sha_hex("abc", 3, 3),
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_string_equal(sha_hex("", 0, 1),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    for (size_t chunk = 1; chunk <= 64; chunk++)
        assert_string_equal(sha_hex(m, strlen(m), chunk),
                            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    assert_string_equal(sha_hex(a, 1000000, 4093),
                        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memcpy_memset),
        cmocka_unit_test(test_memmove_overlap),
        cmocka_unit_test(test_compare_and_search),
        cmocka_unit_test(test_str_helpers),
        cmocka_unit_test(test_fmt_against_libc),
        cmocka_unit_test(test_fmt_truncation),
        cmocka_unit_test(test_endian),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_sha256),
    };
    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
