/*
 * tests/fuzz/fuzz_http_url.c - libFuzzer target for lib/http's URL code,
 * which parses outside data (Location fields of redirects). The input is
 * "base\nreference" (or a lone reference). Checked on every input:
 *   - http_url_parse never reads outside its input, and its parts lie
 *     inside it;
 *   - a resolved URL, written to a buffer of input-chosen size that
 *     ASan watches, parses; is "http://" or "https://" (as its scheme
 *     says), visible ASCII, has a path
 *     starting with '/' and no fragment; and resolving it again alone
 *     gives it back (normal form is stable).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/url.h"

static void check_parts(const char *s, size_t n, const struct http_url *u)
{
    const char *end = s + n;
    if (u->host < s || u->host + u->host_len > end || u->authority < s ||
        u->authority + u->authority_len > end || u->path < s || u->path + u->path_len > end ||
        (u->query_len && (u->query < s || u->query + u->query_len > end)) || u->port == 0)
        abort();
}

static void check_resolved(const char *out, long len)
{
    struct http_url u;
    if (len < 8 || strlen(out) != (size_t)len ||
        (memcmp(out, "http://", 7) != 0 && memcmp(out, "https://", 8) != 0))
        abort();
    for (long i = 0; i < len; i++)
        if ((unsigned char)out[i] <= 0x20 || (unsigned char)out[i] >= 0x7f || out[i] == '#')
            abort();
    if (http_url_parse(out, (size_t)len, &u, NULL) != 0) abort();
    check_parts(out, (size_t)len, &u);
    if (u.https != (out[4] == 's')) abort();
    if (u.path_len == 0 || u.path[0] != '/' || (u.query_len && u.path + u.path_len != u.query))
        abort();
    char *again = malloc((size_t)len + 1);
    long n = http_url_resolve(NULL, 0, out, (size_t)len, again, (size_t)len + 1, NULL);
    if (n != len || memcmp(again, out, (size_t)len) != 0) abort();
    free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t out_size = data[0] * 4; /* 0..1020 bytes */
    const char *s = (const char *)data + 1;
    size_t n = size - 1;
    struct http_url u;
    if (http_url_parse(s, n, &u, NULL) == 0) check_parts(s, n, &u);
    const char *nl = memchr(s, '\n', n);
    const char *base = nl ? s : NULL;
    size_t base_len = nl ? (size_t)(nl - s) : 0;
    const char *ref = nl ? nl + 1 : s;
    size_t ref_len = nl ? n - base_len - 1 : n;
    char *out = malloc(out_size ? out_size : 1);
    long len = http_url_resolve(base, base_len, ref, ref_len, out, out_size, NULL);
    if (len >= 0) {
        if ((size_t)len >= out_size) abort();
        check_resolved(out, len);
    }
    free(out);
    return 0;
}
