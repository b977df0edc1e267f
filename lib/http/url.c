/*
 * lib/http/url.c - http URL parsing and reference resolution (see url.h).
 * The reference is split as in RFC 3986 appendix B, merged with the base
 * as in section 5.2.2-5.2.3, and its dot-segments are removed in place as
 * in section 5.2.4 (the output never outgrows the input it came from).
 */
#include "http/url.h"

#include <stdbool.h>

#include "base/error.h"
#include "base/mem.h"
#include "http/chars.h"
#include "http/config.h"

static int url_fail(enum http_fail *fail, enum http_fail kind)
{
    if (fail) *fail = kind;
    return http_fail_err(kind);
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A reference split per RFC 3986 appendix B; absent parts have len 0 and
 * has_* false. */
struct ref_parts {
    const char *scheme, *authority, *path, *query;
    size_t scheme_len, authority_len, path_len, query_len;
    bool has_scheme, has_authority, has_query;
};

static void ref_split(const char *s, size_t n, struct ref_parts *r)
{
    memset(r, 0, sizeof *r);
    const char *hash = memchr(s, '#', n);
    if (hash) n = (size_t)(hash - s); /* the fragment is dropped */
    size_t i = 0;
    if (n && is_alpha(s[0])) {
        size_t j = 1;
        while (j < n &&
               (is_alpha(s[j]) || char_is_digit(s[j]) || s[j] == '+' || s[j] == '-' || s[j] == '.'))
            j++;
        if (j < n && s[j] == ':') {
            r->has_scheme = true;
            r->scheme = s;
            r->scheme_len = j;
            i = j + 1;
        }
    }
    if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
        size_t j = i + 2;
        while (j < n && s[j] != '/' && s[j] != '?')
            j++;
        r->has_authority = true;
        r->authority = s + i + 2;
        r->authority_len = j - i - 2;
        i = j;
    }
    const char *q = memchr(s + i, '?', n - i);
    size_t path_end = q ? (size_t)(q - s) : n;
    r->path = s + i;
    r->path_len = path_end - i;
    if (q) {
        r->has_query = true;
        r->query = q;
        r->query_len = n - path_end;
    }
}

/* Checks "http" or "https" and the visible-ASCII rule; splits into *r. */
static int split_checked(const char *s, size_t n, struct ref_parts *r, enum http_fail *fail)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return url_fail(fail, HTTP_FAIL_URL);
    ref_split(s, n, r);
    if (r->has_scheme && !http_eq_lower(r->scheme, r->scheme_len, "http") &&
        !http_eq_lower(r->scheme, r->scheme_len, "https"))
        return url_fail(fail, HTTP_FAIL_SCHEME);
    return 0;
}

static bool is_https(const struct ref_parts *r)
{
    return r->has_scheme && r->scheme_len == 5;
}

/* host = IP-literal / IPv4address / reg-name (RFC 3986 section 3.2.2),
 * restricted to what can name a machine: letters, digits, '-', '.', '_';
 * or hex digits, ':' and '.' inside brackets (no zone identifiers). */
static int parse_authority(const char *a, size_t n, struct http_url *u, enum http_fail *fail)
{
    if (memchr(a, '@', n)) return url_fail(fail, HTTP_FAIL_URL); /* userinfo */
    size_t host_end;
    if (n && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (!close || close == a + 1) return url_fail(fail, HTTP_FAIL_URL);
        u->host = a + 1;
        u->host_len = (size_t)(close - a - 1);
        for (size_t i = 0; i < u->host_len; i++)
            if (http_hex_value((unsigned char)u->host[i]) < 0 && u->host[i] != ':' &&
                u->host[i] != '.')
                return url_fail(fail, HTTP_FAIL_URL);
        host_end = (size_t)(close - a) + 1;
    } else {
        host_end = 0;
        while (host_end < n && a[host_end] != ':')
            host_end++;
        u->host = a;
        u->host_len = host_end;
        for (size_t i = 0; i < host_end; i++)
            if (!is_alpha(a[i]) && !char_is_digit(a[i]) && a[i] != '-' && a[i] != '.' &&
                a[i] != '_')
                return url_fail(fail, HTTP_FAIL_URL);
    }
    if (u->host_len == 0) /* RFC 9110 section 4.2.1: empty host is invalid */
        return url_fail(fail, HTTP_FAIL_URL);
    if (u->host_len > HTTP_MAX_HOST) return url_fail(fail, HTTP_FAIL_URL_TOO_LONG);
    u->port = u->https ? 443 : 80; /* RFC 9110 sections 4.2.1 and 4.2.2 */
    if (host_end < n) {
        if (a[host_end] != ':') return url_fail(fail, HTTP_FAIL_URL);
        uint32_t port = 0;
        size_t digits = n - host_end - 1;
        for (size_t i = host_end + 1; i < n; i++) {
            if (!char_is_digit(a[i]) || port > 65535) return url_fail(fail, HTTP_FAIL_URL);
            port = port * 10 + (uint32_t)(a[i] - '0');
        }
        if (digits && (port == 0 || port > 65535)) return url_fail(fail, HTTP_FAIL_URL);
        if (digits) u->port = (uint16_t)port;
    }
    u->authority = a;
    u->authority_len = n;
    return 0;
}

int http_url_parse(const char *s, size_t n, struct http_url *u, enum http_fail *fail)
{
    struct ref_parts r;
    memset(u, 0, sizeof *u);
    int err = split_checked(s, n, &r, fail);
    if (err < 0) return err;
    if (!r.has_scheme || !r.has_authority) return url_fail(fail, HTTP_FAIL_URL);
    u->https = is_https(&r);
    err = parse_authority(r.authority, r.authority_len, u, fail);
    if (err < 0) return err;
    u->path = r.path;
    u->path_len = r.path_len;
    u->query = r.query;
    u->query_len = r.query_len;
    return 0;
}

/* Removes the last segment of out[0..*len) and the '/' before it. */
static void pop_segment(const char *out, size_t *len)
{
    while (*len > 0 && out[*len - 1] != '/')
        (*len)--;
    if (*len > 0) (*len)--;
}

static bool is_at(const char *s, size_t n, size_t i, const char *lit, bool whole)
{
    size_t k = strlen(lit);
    return n - i >= k && memcmp(s + i, lit, k) == 0 && (!whole || n - i == k);
}

/* remove_dot_segments (RFC 3986 section 5.2.4) on p[0..n), in place;
 * returns the new length. The write position never passes the read one. */
static size_t remove_dot_segments(char *p, size_t n)
{
    size_t i = 0, o = 0;
    while (i < n) {
        if (is_at(p, n, i, "../", false)) {
            i += 3; /* A */
        } else if (is_at(p, n, i, "./", false) || is_at(p, n, i, "/./", false)) {
            i += 2; /* A, B */
        } else if (is_at(p, n, i, "/.", true)) {
            p[o++] = '/'; /* B */
            i = n;
        } else if (is_at(p, n, i, "/../", false)) {
            i += 3; /* C */
            pop_segment(p, &o);
        } else if (is_at(p, n, i, "/..", true)) {
            pop_segment(p, &o); /* C */
            p[o++] = '/';
            i = n;
        } else if (is_at(p, n, i, ".", true) || is_at(p, n, i, "..", true)) {
            i = n; /* D */
        } else {
            size_t j = i + (p[i] == '/'); /* E */
            while (j < n && p[j] != '/')
                j++;
            memmove(p + o, p + i, j - i);
            o += j - i;
            i = j;
        }
    }
    return o;
}

struct out {
    char *buf;
    size_t size, len;
    bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->full || n >= o->size - o->len) { /* keep room for the NUL */
        o->full = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* Writes base's directory (up to its last '/') and ref's path: the merge of
 * RFC 3986 section 5.2.3. */
static void put_merged(struct out *o, const struct ref_parts *base, const struct ref_parts *ref)
{
    if (base->path_len == 0) {
        put(o, "/", 1);
    } else {
        size_t k = base->path_len;
        while (k > 0 && base->path[k - 1] != '/')
            k--;
        put(o, base->path, k);
    }
    put(o, ref->path, ref->path_len);
}

long http_url_resolve(const char *base, size_t base_len, const char *ref, size_t ref_len, char *out,
                      size_t size, enum http_fail *fail)
{
    struct ref_parts b, r;
    memset(&b, 0, sizeof b);
    int err = split_checked(ref, ref_len, &r, fail);
    if (err < 0) return err;
    if (r.has_scheme && !r.has_authority)
        return url_fail(fail, HTTP_FAIL_URL); /* "http:g": an http URL needs a host */
    if (!r.has_scheme) {
        if (!base) return url_fail(fail, HTTP_FAIL_URL);
        err = split_checked(base, base_len, &b, fail);
        if (err < 0) return err;
        if (!b.has_scheme || !b.has_authority) return url_fail(fail, HTTP_FAIL_URL);
    }
    if (size == 0) return url_fail(fail, HTTP_FAIL_URL_TOO_LONG);
    const struct ref_parts *auth = (r.has_scheme || r.has_authority) ? &r : &b;
    struct out o = {out, size, 0, false};
    if (is_https(r.has_scheme ? &r : &b))
        put(&o, "https://", 8);
    else
        put(&o, "http://", 7);
    put(&o, auth->authority, auth->authority_len);
    size_t path_at = o.len;
    const struct ref_parts *query = &r;
    if (auth == &r || (r.path_len && r.path[0] == '/')) {
        put(&o, r.path, r.path_len);
    } else if (r.path_len == 0) {
        put(&o, b.path, b.path_len);
        if (!r.has_query) query = &b;
    } else {
        put_merged(&o, &b, &r);
    }
    if (o.full) return url_fail(fail, HTTP_FAIL_URL_TOO_LONG);
    o.len = path_at + remove_dot_segments(out + path_at, o.len - path_at);
    if (o.len == path_at) put(&o, "/", 1);
    put(&o, query->query, query->query_len);
    if (o.full) return url_fail(fail, HTTP_FAIL_URL_TOO_LONG);
    out[o.len] = '\0';
    struct http_url u;
    err = http_url_parse(out, o.len, &u, fail);
    return err < 0 ? err : (long)o.len;
}
