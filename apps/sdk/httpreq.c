/*
 * apps/sdk/httpreq.c - parsing an HTTP/1.1 request head (RFC 9112) and
 * turning its target into a path under the served folder
 * (sdk/httpreq.h). Every index is checked against the buffer's length;
 * the input is whatever a client sent.
 */
#include "sdk/httpreq.h"

#include <string.h>

/* tchar (RFC 9110 section 5.6.2). */
static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* field-vchar, SP or HTAB (RFC 9110 section 5.5): no other controls. */
static bool is_field_byte(unsigned char c)
{
    return c == '\t' || (c >= ' ' && c != 0x7f);
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The end of the head: the index just past the empty line, or 0. Leading
 * empty lines (section 2.2) are part of it. */
static size_t head_end(const char *buf, size_t len, size_t *start)
{
    size_t i = 0;
    while (i < len && (buf[i] == '\r' || buf[i] == '\n')) {
        if (buf[i] == '\r' && (i + 1 >= len || buf[i + 1] != '\n')) break;
        i += buf[i] == '\r' ? 2 : 1;
    }
    *start = i;
    for (size_t j = i; j < len; j++) {
        if (buf[j] != '\n') continue;
        size_t k = j + 1;
        if (k < len && buf[k] == '\r') k++;
        if (k < len && buf[k] == '\n') return k + 1;
    }
    return 0;
}

/* One line [p, end) without its line end: the CR before LF is dropped; a
 * CR anywhere else is an error. */
static bool line_bounds(const char *buf, size_t from, size_t limit, size_t *line_end, size_t *next)
{
    const char *nl = memchr(buf + from, '\n', limit - from);
    if (!nl) return false;
    size_t e = (size_t)(nl - buf);
    *next = e + 1;
    if (e > from && buf[e - 1] == '\r') e--;
    if (memchr(buf + from, '\r', e - from)) return false;
    *line_end = e;
    return true;
}

/* request-line = method SP request-target SP HTTP-version (section 3). */
static int parse_request_line(const char *s, size_t n, struct httpreq *r)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i >= sizeof r->method || i >= n || s[i] != ' ') return HTTPREQ_BAD;
    memcpy(r->method, s, i);
    r->method[i] = '\0';
    size_t t = ++i;
    while (i < n && s[i] != ' ') {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f) return HTTPREQ_BAD;
        i++;
    }
    if (i == t || i >= n) return HTTPREQ_BAD;
    if (i - t >= sizeof r->target) return HTTPREQ_URI_TOO_LONG;
    memcpy(r->target, s + t, i - t);
    r->target[i - t] = '\0';
    const char *v = s + i + 1;
    size_t vn = n - i - 1;
    if (vn != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
        v[7] < '0' || v[7] > '9')
        return HTTPREQ_BAD;
    if (v[5] != '1') return HTTPREQ_VERSION;
    r->minor = v[7] - '0';
    r->close = r->minor == 0;
    return 0;
}

/* Whether a Connection value lists the "close" option (comma-separated,
 * case-insensitive, RFC 9110 section 7.6.1). */
static bool lists_close(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        size_t s = i;
        while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
            i++;
        if (i - s == 5) {
            bool eq = true;
            for (size_t k = 0; k < 5; k++)
                eq = eq && lower((unsigned char)v[s + k]) == "close"[k];
            if (eq) return true;
        }
    }
    return false;
}

/* field-line = field-name ":" OWS field-value OWS (section 5). */
static int parse_field(const char *s, size_t n, struct httpreq *r)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i >= n || s[i] != ':') return HTTPREQ_BAD; /* no name, or space before ':' */
    for (size_t k = i + 1; k < n; k++)
        if (!is_field_byte((unsigned char)s[k])) return HTTPREQ_BAD;
    if (i == 10) {
        bool conn = true;
        for (size_t k = 0; k < 10; k++)
            conn = conn && lower((unsigned char)s[k]) == "connection"[k];
        if (conn && lists_close(s + i + 1, n - i - 1)) r->close = true;
    }
    return 0;
}

int httpreq_parse(const char *buf, size_t len, struct httpreq *r)
{
    memset(r, 0, sizeof *r);
    size_t start;
    size_t end = head_end(buf, len < HTTPREQ_MAX_HEAD ? len : HTTPREQ_MAX_HEAD, &start);
    if (end == 0) return len >= HTTPREQ_MAX_HEAD ? HTTPREQ_TOO_LARGE : HTTPREQ_INCOMPLETE;
    size_t line_end, next;
    if (!line_bounds(buf, start, end, &line_end, &next)) return HTTPREQ_BAD;
    int err = parse_request_line(buf + start, line_end - start, r);
    if (err) return err;
    for (;;) {
        size_t from = next;
        if (!line_bounds(buf, from, end, &line_end, &next)) return HTTPREQ_BAD;
        if (line_end == from) break;                                   /* the empty line */
        if (buf[from] == ' ' || buf[from] == '\t') return HTTPREQ_BAD; /* obs-fold */
        err = parse_field(buf + from, line_end - from, r);
        if (err) return err;
    }
    return (int)end;
}

static int hex(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* %-decodes the path part of target into dec[0..size). */
static int decode_path(const char *p, char *dec, size_t size, size_t *n)
{
    size_t k = 0;
    for (; *p && *p != '?' && *p != '#'; p++) {
        char c = *p;
        if (c == '%') {
            int hi = hex(p[1]), lo = hi >= 0 ? hex(p[2]) : -1;
            if (lo < 0) return HTTPREQ_PATH_BAD;
            c = (char)(hi * 16 + lo);
            p += 2;
        }
        if (c == '\0' || c == '\\' || k + 1 >= size) return HTTPREQ_PATH_BAD;
        dec[k++] = c;
    }
    dec[k] = '\0';
    *n = k;
    return HTTPREQ_PATH_OK;
}

int httpreq_path(const char *target, char *out, size_t size, bool *dir_slash)
{
    char dec[HTTPREQ_MAX_TARGET];
    size_t n;
    if (size == 0) return HTTPREQ_PATH_BAD;
    if (strncmp(target, "http://", 7) == 0 || strncmp(target, "HTTP://", 7) == 0) {
        const char *slash = strchr(target + 7, '/');
        target = slash ? slash : "/";
    }
    if (target[0] != '/') return HTTPREQ_PATH_BAD;
    int err = decode_path(target, dec, sizeof dec, &n);
    if (err) return err;
    *dir_slash = n > 0 && dec[n - 1] == '/';
    /* Segments, with "." dropped and ".." popping (RFC 3986 5.2.4). */
    size_t o = 0, i = 0;
    out[0] = '\0';
    while (i < n) {
        while (i < n && dec[i] == '/')
            i++;
        size_t s = i;
        while (i < n && dec[i] != '/')
            i++;
        size_t len = i - s;
        if (len == 0 || (len == 1 && dec[s] == '.')) continue;
        if (len == 2 && dec[s] == '.' && dec[s + 1] == '.') {
            if (o == 0) return HTTPREQ_PATH_ESCAPE;
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0) o--; /* the '/' before the popped segment */
            out[o] = '\0';
            continue;
        }
        if (o + (o > 0) + len + 1 > size) return HTTPREQ_PATH_BAD;
        if (o > 0) out[o++] = '/';
        memcpy(out + o, dec + s, len);
        o += len;
        out[o] = '\0';
    }
    return HTTPREQ_PATH_OK;
}
