/*
 * lib/http/parser.c - the HTTP/1.1 message parser (RFC 9112): status-line
 * or request-line, field sections, body framing (RFC 9112 section 6.3), the chunked coding
 * (section 7.1) and trailers. See parser.h for the contract.
 *
 * Lines (status-line, field lines, chunk-size lines) are gathered in the
 * parser's buffer up to their limit and parsed when complete; body bytes
 * are never copied. A field line is parsed only when the first byte of the
 * next line has arrived, because that byte may make it an obs-fold
 * (RFC 9112 section 5.2). Limits are checked at fixed points (a line's
 * length as it grows, a section's size and count when a line completes),
 * so the outcome never depends on how the input was split.
 */
#include "http/parser.h"

#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "http/chars.h"
#include "http/config.h"

enum pstate {
    PS_STATUS,        /* gathering the status-line */
    PS_FIELD_START,   /* at the first byte of a field line or of the empty line */
    PS_FIELD_LINE,    /* gathering a field line */
    PS_FIELD_PENDING, /* a field line is complete; the next byte may fold it */
    PS_SECTION_LF,    /* the empty line's CR was seen */
    PS_BODY_LENGTH,   /* Content-Length bytes remain */
    PS_BODY_CLOSE,    /* the body runs until the connection closes */
    PS_CHUNK_SIZE,    /* gathering a chunk-size line */
    PS_CHUNK_DATA,    /* chunk-data bytes remain */
    PS_CHUNK_CR,      /* the CRLF after chunk-data */
    PS_CHUNK_LF,
    PS_END_PENDING, /* complete; END not yet returned */
    PS_DONE,
    PS_FAILED,
};

struct http_limits http_limits_default(void)
{
    struct http_limits lim = {
        .status_line = HTTP_MAX_STATUS_LINE,
        .field_line = HTTP_MAX_FIELD_LINE,
        .section = HTTP_MAX_SECTION,
        .fields = HTTP_MAX_FIELDS,
        .chunk_line = HTTP_MAX_CHUNK_LINE,
    };
    return lim;
}

struct http_limits http_limits_server(void)
{
    struct http_limits lim = http_limits_default();
    lim.status_line = HTTP_MAX_REQUEST_LINE;
    return lim;
}

int http_parser_init(struct http_parser *p, const struct http_limits *lim)
{
    memset(p, 0, sizeof *p);
    p->lim = lim ? *lim : http_limits_default();
    if (!p->lim.status_line || !p->lim.field_line || !p->lim.section || !p->lim.fields ||
        !p->lim.chunk_line)
        return ERR_INVAL;
    p->buf_cap = p->lim.status_line;
    if (p->lim.field_line > p->buf_cap) p->buf_cap = p->lim.field_line;
    if (p->lim.chunk_line > p->buf_cap) p->buf_cap = p->lim.chunk_line;
    p->buf = mem_alloc(p->buf_cap);
    if (!p->buf) return ERR_NOMEM;
    http_parser_start(p, false);
    return 0;
}

void http_parser_free(struct http_parser *p)
{
    mem_free(p->buf);
    p->buf = NULL;
    p->buf_cap = 0;
}

/* Clears what belongs to one response (final or interim). */
static void message_reset(struct http_parser *p)
{
    p->buf_len = 0;
    p->state = PS_STATUS;
    p->trailers = false;
    p->interim = false;
    p->status = 0;
    p->version_minor = 1;
    p->field_count = 0;
    p->section_bytes = 0;
    p->has_length = p->te_seen = p->te_chunked = p->te_other = false;
    p->conn_close = p->conn_keep_alive = false;
    p->content_length = 0;
    p->framing = HTTP_FRAMING_NONE;
    p->remaining = 0;
    p->expect_continue = p->expect_other = false;
    p->host_count = 0;
}

void http_parser_start(struct http_parser *p, bool head_request)
{
    message_reset(p);
    p->head_request = head_request;
    p->request = false;
    p->offset = 0;
    p->err = 0;
    p->fail = HTTP_FAIL_NONE;
}

void http_parser_start_request(struct http_parser *p)
{
    http_parser_start(p, false);
    p->request = true;
}

static int fail(struct http_parser *p, enum http_fail kind)
{
    p->fail = kind;
    p->err = http_fail_err(kind);
    p->state = PS_FAILED;
    return p->err;
}

/*
 * Gathers a line into p->buf from d[0..n): sets *consumed and returns 1 when
 * the LF arrived (the line, without LF and a CR before it, is in
 * buf[0..buf_len)), 0 when all of d was taken, or an error: too_long when
 * the line exceeds cap bytes (CR included), bad for a CR inside the line
 * (RFC 9112 section 2.2: a bare CR is invalid). A lone LF ends a line too
 * (ibid.: "MAY recognize a single LF as a line terminator").
 */
static int take_line(struct http_parser *p, const uint8_t *d, size_t n, size_t *consumed,
                     size_t cap, enum http_fail too_long, enum http_fail bad)
{
    size_t room = cap - p->buf_len;
    size_t window = n < room + 1 ? n : room + 1;
    const uint8_t *lf = memchr(d, '\n', window);
    if (!lf) {
        if (n > room) return fail(p, too_long);
        memcpy(p->buf + p->buf_len, d, n);
        p->buf_len += n;
        *consumed = n;
        return 0;
    }
    size_t span = (size_t)(lf - d);
    memcpy(p->buf + p->buf_len, d, span);
    p->buf_len += span;
    *consumed = span + 1;
    if (p->buf_len && p->buf[p->buf_len - 1] == '\r') p->buf_len--;
    if (memchr(p->buf, '\r', p->buf_len)) return fail(p, bad);
    return 1;
}

/*
 * status-line = HTTP-version SP status-code SP [ reason-phrase ]
 * (RFC 9112 section 4). The SP after the code may be missing when the
 * reason is empty, as some servers send it. Returns 1 with a STATUS event,
 * 0 for a 1xx response (skipped), or an error.
 */
static int parse_status_line(struct http_parser *p, struct http_event *ev)
{
    const char *s = p->buf;
    size_t n = p->buf_len;
    if (n < 12 || memcmp(s, "HTTP/", 5) != 0 || !char_is_digit(s[5]) || s[6] != '.' ||
        !char_is_digit(s[7]) || s[8] != ' ')
        return fail(p, HTTP_FAIL_STATUS_LINE);
    if (s[5] != '1') return fail(p, HTTP_FAIL_VERSION);
    if (!char_is_digit(s[9]) || !char_is_digit(s[10]) || !char_is_digit(s[11]))
        return fail(p, HTTP_FAIL_STATUS_LINE);
    int status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
    if (status < 100 || status > 599 || (n > 12 && s[12] != ' '))
        return fail(p, HTTP_FAIL_STATUS_LINE);
    size_t reason = n > 12 ? 13 : 12;
    for (size_t i = reason; i < n; i++)
        if (!http_is_field_vchar((unsigned char)s[i])) return fail(p, HTTP_FAIL_STATUS_LINE);
    if (status == 101) return fail(p, HTTP_FAIL_UPGRADE);
    p->status = status;
    p->version_minor = s[7] - '0';
    p->interim = status < 200;
    p->state = PS_FIELD_START;
    if (p->interim) return 0;
    ev->type = HTTP_EV_STATUS;
    ev->status = status;
    ev->version_minor = p->version_minor;
    ev->value = s + reason;
    ev->value_len = n - reason;
    return 1;
}

/*
 * request-line = method SP request-target SP HTTP-version (RFC 9112
 * section 3). The target is checked for visible ASCII only (no SP, CTL or
 * obs-text); its form is the caller's business. An empty line before the
 * request-line is skipped (section 2.2). Returns 1 with a REQUEST event, 0
 * for a skipped empty line, or an error.
 */
static int parse_request_line(struct http_parser *p, struct http_event *ev)
{
    const char *s = p->buf;
    size_t n = p->buf_len;
    if (n == 0) return 0;
    const char *sp1 = memchr(s, ' ', n);
    if (!sp1 || !http_is_token(s, (size_t)(sp1 - s))) return fail(p, HTTP_FAIL_REQUEST_LINE);
    size_t t = (size_t)(sp1 - s) + 1, k = t;
    while (k < n && (unsigned char)s[k] > 0x20 && (unsigned char)s[k] < 0x7f)
        k++;
    if (k == t || n - k != 9 || s[k] != ' ') return fail(p, HTTP_FAIL_REQUEST_LINE);
    const char *v = s + k + 1;
    if (memcmp(v, "HTTP/", 5) != 0 || !char_is_digit(v[5]) || v[6] != '.' || !char_is_digit(v[7]))
        return fail(p, HTTP_FAIL_REQUEST_LINE);
    if (v[5] != '1') return fail(p, HTTP_FAIL_VERSION);
    /* A later 1.x is answered as 1.1 (RFC 9110 section 6.2). */
    p->version_minor = v[7] == '0' ? 0 : 1;
    p->state = PS_FIELD_START;
    ev->type = HTTP_EV_REQUEST;
    ev->version_minor = p->version_minor;
    ev->name = s;
    ev->name_len = (size_t)(sp1 - s);
    ev->value = s + t;
    ev->value_len = k - t;
    return 1;
}

/* Calls fn on each non-empty element of a comma-separated list
 * (RFC 9110 section 5.6.1: empty elements are ignored), trimmed of OWS.
 * Stops at and returns fn's first non-zero result. */
static int list_each(struct http_parser *p, const char *v, size_t n,
                     int (*fn)(struct http_parser *, const char *, size_t))
{
    size_t i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && v[j] != ',')
            j++;
        size_t a = i, b = j;
        while (a < b && http_is_ows((unsigned char)v[a]))
            a++;
        while (b > a && http_is_ows((unsigned char)v[b - 1]))
            b--;
        if (b > a) {
            int r = fn(p, v + a, b - a);
            if (r) return r;
        }
        i = j + 1;
    }
    return 0;
}

/* One Content-Length element: 1*DIGIT. Repeated values must all be the
 * same (RFC 9110 section 8.6; RFC 9112 section 6.3 item 5). */
static int content_length_elem(struct http_parser *p, const char *s, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!char_is_digit(s[i]) || v > (UINT64_C(0x7fffffffffffffff) - 9) / 10)
            return fail(p, HTTP_FAIL_CONTENT_LENGTH);
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (p->has_length && p->content_length != v) return fail(p, HTTP_FAIL_CONTENT_LENGTH);
    p->has_length = true;
    p->content_length = v;
    return 0;
}

/* One Transfer-Encoding element (RFC 9112 section 6.1). Only "chunked" is
 * supported, once; anything else is noted and refused at the section end. */
static int transfer_coding_elem(struct http_parser *p, const char *s, size_t n)
{
    if (http_eq_lower(s, n, "chunked")) {
        if (p->te_chunked)
            return fail(p, HTTP_FAIL_FRAMING); /* "MUST NOT apply chunked more than once" */
        p->te_chunked = true;
    } else {
        p->te_other = true;
    }
    return 0;
}

/* One Connection option (RFC 9110 section 7.6.1). */
static int connection_elem(struct http_parser *p, const char *s, size_t n)
{
    if (http_eq_lower(s, n, "close"))
        p->conn_close = true;
    else if (http_eq_lower(s, n, "keep-alive"))
        p->conn_keep_alive = true;
    return 0;
}

/* Records what the framing fields of a header section say. */
static int framing_field(struct http_parser *p, const char *name, size_t nlen, const char *v,
                         size_t vlen)
{
    if (http_eq_lower(name, nlen, "content-length")) {
        if (vlen == 0) return fail(p, HTTP_FAIL_CONTENT_LENGTH);
        return list_each(p, v, vlen, content_length_elem);
    }
    if (http_eq_lower(name, nlen, "transfer-encoding")) {
        p->te_seen = true;
        return list_each(p, v, vlen, transfer_coding_elem);
    }
    if (http_eq_lower(name, nlen, "connection")) return list_each(p, v, vlen, connection_elem);
    if (p->request && http_eq_lower(name, nlen, "host")) p->host_count++;
    if (p->request && http_eq_lower(name, nlen, "expect")) {
        /* RFC 9110 section 10.1.1: the only expectation is 100-continue. */
        if (http_eq_lower(v, vlen, "100-continue"))
            p->expect_continue = true;
        else
            p->expect_other = true;
    }
    return 0;
}

/*
 * field-line = field-name ":" OWS field-value OWS (RFC 9112 section 5).
 * No whitespace is allowed between the name and the colon (section 5.1).
 * Returns 1 with a HEADER or TRAILER event, 0 for a field of a skipped 1xx
 * response, or an error.
 */
static int parse_field_line(struct http_parser *p, struct http_event *ev)
{
    const enum http_fail bad = HTTP_FAIL_HEADER;
    if (p->section_bytes > p->lim.section)
        return fail(p,
                    p->trailers ? HTTP_FAIL_TRAILER_SECTION_SIZE : HTTP_FAIL_HEADER_SECTION_SIZE);
    if (++p->field_count > p->lim.fields)
        return fail(p, p->trailers ? HTTP_FAIL_TRAILER_SECTION_SIZE : HTTP_FAIL_HEADER_COUNT);
    char *s = p->buf;
    size_t n = p->buf_len;
    const char *colon = memchr(s, ':', n);
    if (!colon || !http_is_token(s, (size_t)(colon - s))) return fail(p, bad);
    size_t nlen = (size_t)(colon - s);
    size_t a = nlen + 1, b = n;
    while (a < b && http_is_ows((unsigned char)s[a]))
        a++;
    while (b > a && http_is_ows((unsigned char)s[b - 1]))
        b--;
    for (size_t i = a; i < b; i++)
        if (!http_is_field_vchar((unsigned char)s[i])) return fail(p, bad);
    if (p->trailers) {
        ev->type = HTTP_EV_TRAILER;
    } else {
        if (p->interim) return 0;
        int r = framing_field(p, s, nlen, s + a, b - a);
        if (r < 0) return r;
        ev->type = HTTP_EV_HEADER;
    }
    ev->name = s;
    ev->name_len = nlen;
    ev->value = s + a;
    ev->value_len = b - a;
    return 1;
}

/* Decides the body framing of a request (RFC 9112 section 6.3) and checks
 * Host (section 3.2) and Expect (RFC 9110 section 10.1.1). */
static int decide_request_framing(struct http_parser *p)
{
    if (p->version_minor >= 1 ? p->host_count != 1 : p->host_count > 1)
        return fail(p, HTTP_FAIL_HOST);
    if (p->expect_other) return fail(p, HTTP_FAIL_EXPECT);
    if (p->te_seen) {
        if (p->has_length || p->version_minor == 0)
            return fail(p, HTTP_FAIL_FRAMING); /* item 3; section 6.1 for HTTP/1.0 */
        if (p->te_other || !p->te_chunked) return fail(p, HTTP_FAIL_TRANSFER_CODING);
        p->framing = HTTP_FRAMING_CHUNKED;
    } else if (p->has_length) {
        p->framing = HTTP_FRAMING_LENGTH; /* item 6 */
        p->remaining = p->content_length;
    } else {
        p->framing = HTTP_FRAMING_NONE; /* item 7: a request without either has no body */
    }
    return 0;
}

/* Decides the body framing of a final response (RFC 9112 section 6.3). */
static int decide_framing(struct http_parser *p)
{
    if (p->request) return decide_request_framing(p);
    if (p->head_request || p->status == 204 || p->status == 304) {
        p->framing = HTTP_FRAMING_NONE; /* items 1 and 2 */
    } else if (p->te_seen) {
        if (p->has_length)
            return fail(p, HTTP_FAIL_CONTENT_LENGTH); /* item 3: "handled as an error" */
        if (p->version_minor == 0)
            return fail(p, HTTP_FAIL_FRAMING); /* section 6.1: faulty in HTTP/1.0 */
        if (p->te_other || !p->te_chunked) return fail(p, HTTP_FAIL_TRANSFER_CODING);
        p->framing = HTTP_FRAMING_CHUNKED;
    } else if (p->has_length) {
        p->framing = HTTP_FRAMING_LENGTH; /* item 6 */
        p->remaining = p->content_length;
    } else {
        p->framing = HTTP_FRAMING_CLOSE; /* item 8 */
    }
    return 0;
}

/* The empty line that ends a header or trailer section arrived. */
static int section_end(struct http_parser *p, struct http_event *ev)
{
    if (p->section_bytes > p->lim.section)
        return fail(p,
                    p->trailers ? HTTP_FAIL_TRAILER_SECTION_SIZE : HTTP_FAIL_HEADER_SECTION_SIZE);
    if (p->trailers) {
        p->state = PS_DONE;
        ev->type = HTTP_EV_END;
        return 1;
    }
    if (p->interim) {
        message_reset(p); /* RFC 9110 section 15.2: the final response follows */
        return 0;
    }
    int r = decide_framing(p);
    if (r < 0) return r;
    switch (p->framing) {
    case HTTP_FRAMING_NONE: p->state = PS_END_PENDING; break;
    case HTTP_FRAMING_LENGTH: p->state = p->remaining ? PS_BODY_LENGTH : PS_END_PENDING; break;
    case HTTP_FRAMING_CHUNKED: p->state = PS_CHUNK_SIZE; break;
    case HTTP_FRAMING_CLOSE: p->state = PS_BODY_CLOSE; break;
    }
    p->buf_len = 0;
    ev->type = HTTP_EV_HEADERS_DONE;
    return 1;
}

/* Skips a quoted-string (RFC 9110 section 5.6.4) starting at s[*i] == '"'. */
static bool skip_quoted(const char *s, size_t n, size_t *i)
{
    size_t k = *i + 1;
    while (k < n && s[k] != '"') {
        unsigned char c = (unsigned char)s[k];
        if (c == '\\') {
            if (++k == n || !http_is_field_vchar((unsigned char)s[k])) return false;
        } else if (!http_is_field_vchar(c)) {
            return false;
        }
        k++;
    }
    if (k == n) return false;
    *i = k + 1;
    return true;
}

static size_t skip_ows(const char *s, size_t n, size_t i)
{
    while (i < n && http_is_ows((unsigned char)s[i]))
        i++;
    return i;
}

static size_t skip_token(const char *s, size_t n, size_t i)
{
    while (i < n && http_is_tchar((unsigned char)s[i]))
        i++;
    return i;
}

/*
 * chunk-size [ chunk-ext ] (RFC 9112 section 7.1.1):
 *   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 * Extensions are checked and ignored; trailing whitespace is tolerated.
 * A size beyond 2^63 - 1 is refused.
 */
static int parse_chunk_line(struct http_parser *p)
{
    const char *s = p->buf;
    size_t n = p->buf_len, i = 0;
    uint64_t size = 0;
    while (i < n && http_hex_value((unsigned char)s[i]) >= 0) {
        if (size >> 59) return fail(p, HTTP_FAIL_CHUNK_SIZE);
        size = size << 4 | (uint64_t)http_hex_value((unsigned char)s[i]);
        i++;
    }
    if (i == 0) return fail(p, HTTP_FAIL_CHUNK_SIZE);
    for (;;) {
        i = skip_ows(s, n, i);
        if (i == n) break;
        if (s[i] != ';') return fail(p, HTTP_FAIL_CHUNK_SIZE);
        size_t name = skip_ows(s, n, i + 1);
        i = skip_token(s, n, name);
        if (i == name) return fail(p, HTTP_FAIL_CHUNK_SIZE);
        size_t eq = skip_ows(s, n, i);
        if (eq < n && s[eq] == '=') {
            i = skip_ows(s, n, eq + 1);
            if (i < n && s[i] == '"') {
                if (!skip_quoted(s, n, &i)) return fail(p, HTTP_FAIL_CHUNK_SIZE);
            } else {
                size_t v = i;
                i = skip_token(s, n, v);
                if (i == v) return fail(p, HTTP_FAIL_CHUNK_SIZE);
            }
        }
    }
    p->buf_len = 0;
    if (size == 0) {
        p->trailers = true; /* last-chunk: the trailer section follows */
        p->field_count = 0;
        p->section_bytes = 0;
        p->state = PS_FIELD_START;
    } else {
        p->remaining = size;
        p->state = PS_CHUNK_DATA;
    }
    return 0;
}

/* Hands out up to p->remaining bytes of d[0..n) as a BODY event. */
static int body_slice(struct http_parser *p, const uint8_t *d, size_t n, size_t *consumed,
                      struct http_event *ev)
{
    size_t take = p->remaining < n ? (size_t)p->remaining : n;
    p->remaining -= take;
    *consumed = take;
    ev->type = HTTP_EV_BODY;
    ev->data = d;
    ev->len = take;
    return 1;
}

/* The field-section states: one step at d[0..n), n > 0. */
static int step_fields(struct http_parser *p, const uint8_t *d, size_t n, size_t *c,
                       struct http_event *ev)
{
    uint8_t b = d[0];
    enum http_fail line_fail = p->trailers ? HTTP_FAIL_TRAILER_SIZE : HTTP_FAIL_HEADER_SIZE;
    int r;
    switch (p->state) {
    case PS_FIELD_START:
        *c = 1;
        p->section_bytes++;
        if (b == '\r') {
            p->state = PS_SECTION_LF;
            return 0;
        }
        if (b == '\n') return section_end(p, ev);
        if (http_is_ows(b)) /* RFC 9112 section 2.2: whitespace before the first field */
            return fail(p, HTTP_FAIL_HEADER);
        *c = 0;
        p->section_bytes--;
        p->buf_len = 0;
        p->state = PS_FIELD_LINE;
        return 0;
    case PS_FIELD_LINE:
        r = take_line(p, d, n, c, p->lim.field_line, line_fail, HTTP_FAIL_HEADER);
        p->section_bytes += *c;
        if (r == 1) p->state = PS_FIELD_PENDING;
        return r < 0 ? r : 0;
    case PS_FIELD_PENDING:
        if (http_is_ows(b)) {
            /* obs-fold: the CRLF becomes one SP and the line goes on with
             * the continuation's whitespace (RFC 9112 section 5.2). */
            if (p->buf_len + 1 > p->lim.field_line) return fail(p, line_fail);
            p->buf[p->buf_len++] = ' ';
            p->state = PS_FIELD_LINE;
            return 0;
        }
        *c = 0;
        p->state = PS_FIELD_START;
        return parse_field_line(p, ev);
    case PS_SECTION_LF:
        if (b != '\n') return fail(p, HTTP_FAIL_HEADER);
        *c = 1;
        p->section_bytes++;
        return section_end(p, ev);
    default: BASE_ASSERT(0);
    }
}

/* The body states: one step at d[0..n), n > 0. */
static int step_body(struct http_parser *p, const uint8_t *d, size_t n, size_t *c,
                     struct http_event *ev)
{
    int r;
    switch (p->state) {
    case PS_BODY_LENGTH:
        r = body_slice(p, d, n, c, ev);
        if (p->remaining == 0) p->state = PS_END_PENDING;
        return r;
    case PS_BODY_CLOSE: p->remaining = n; return body_slice(p, d, n, c, ev);
    case PS_CHUNK_SIZE:
        r = take_line(p, d, n, c, p->lim.chunk_line, HTTP_FAIL_CHUNK_LINE_SIZE,
                      HTTP_FAIL_CHUNK_SIZE);
        return r == 1 ? parse_chunk_line(p) : r;
    case PS_CHUNK_DATA:
        r = body_slice(p, d, n, c, ev);
        if (p->remaining == 0) p->state = PS_CHUNK_CR;
        return r;
    case PS_CHUNK_CR:
    case PS_CHUNK_LF:
        *c = 1;
        if (d[0] == '\n') {
            p->state = PS_CHUNK_SIZE;
            return 0;
        }
        if (d[0] == '\r' && p->state == PS_CHUNK_CR) {
            p->state = PS_CHUNK_LF;
            return 0;
        }
        return fail(p, HTTP_FAIL_CHUNK_DATA);
    default: BASE_ASSERT(0);
    }
}

/* One step: consumes *c bytes of d[0..n) (n may be 0 only in
 * PS_END_PENDING); returns 1 with an event, 0 to go on, or an error. */
static int step(struct http_parser *p, const uint8_t *d, size_t n, size_t *c, struct http_event *ev)
{
    int r;
    *c = 0;
    switch (p->state) {
    case PS_STATUS:
        r = take_line(p, d, n, c, p->lim.status_line,
                      p->request ? HTTP_FAIL_REQUEST_LINE_SIZE : HTTP_FAIL_STATUS_LINE_SIZE,
                      p->request ? HTTP_FAIL_REQUEST_LINE : HTTP_FAIL_STATUS_LINE);
        if (r == 1) {
            r = p->request ? parse_request_line(p, ev) : parse_status_line(p, ev);
            p->buf_len = 0;
        }
        return r;
    case PS_FIELD_START:
    case PS_FIELD_LINE:
    case PS_FIELD_PENDING:
    case PS_SECTION_LF: return step_fields(p, d, n, c, ev);
    case PS_END_PENDING:
        p->state = PS_DONE;
        ev->type = HTTP_EV_END;
        return 1;
    default: return step_body(p, d, n, c, ev);
    }
}

int http_parse(struct http_parser *p, const uint8_t *in, size_t len, size_t *used,
               struct http_event *ev)
{
    size_t pos = 0;
    int r = 0;
    ev->type = HTTP_EV_NONE;
    if (p->state == PS_FAILED) {
        *used = 0;
        return p->err;
    }
    while (r == 0 && p->state != PS_DONE && (pos < len || p->state == PS_END_PENDING)) {
        size_t c;
        r = step(p, in + pos, len - pos, &c, ev);
        pos += c;
    }
    *used = pos;
    p->offset += pos;
    if (r < 0) return r;
    return r ? (int)ev->type : 0;
}

int http_parse_eof(struct http_parser *p, struct http_event *ev)
{
    ev->type = HTTP_EV_NONE;
    switch (p->state) {
    case PS_FAILED: return p->err;
    case PS_DONE: return 0;
    case PS_BODY_CLOSE:
    case PS_END_PENDING:
        p->state = PS_DONE;
        ev->type = HTTP_EV_END;
        return HTTP_EV_END;
    case PS_STATUS:
        if (p->request && p->buf_len == 0) return 0; /* a clean close between requests */
        if (p->offset == 0) return fail(p, HTTP_FAIL_NO_RESPONSE);
        return fail(p, HTTP_FAIL_TRUNCATED);
    default: return fail(p, HTTP_FAIL_TRUNCATED);
    }
}

bool http_parser_done(const struct http_parser *p)
{
    return p->state == PS_DONE;
}
bool http_parser_idle(const struct http_parser *p)
{
    return p->offset == 0;
}
enum http_fail http_parser_fail(const struct http_parser *p)
{
    return p->fail;
}
uint64_t http_parser_offset(const struct http_parser *p)
{
    return p->offset;
}
int http_parser_status(const struct http_parser *p)
{
    return p->status;
}
enum http_framing http_parser_framing(const struct http_parser *p)
{
    return p->framing;
}

int64_t http_parser_body_length(const struct http_parser *p)
{
    switch (p->framing) {
    case HTTP_FRAMING_NONE: return 0;
    case HTTP_FRAMING_LENGTH: return (int64_t)p->content_length;
    default: return -1;
    }
}

bool http_parser_expect_continue(const struct http_parser *p)
{
    return p->expect_continue;
}

bool http_parser_keep_alive(const struct http_parser *p)
{
    if (p->framing == HTTP_FRAMING_CLOSE || p->conn_close) return false;
    return p->version_minor >= 1 || p->conn_keep_alive;
}
