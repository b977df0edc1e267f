/*
 * host/kpio-wasm/wave.c - WAVE text to component values and back
 * (wave.h). The parser is recursive descent over the WIT type, so it
 * accepts exactly what the type allows; nesting is bounded by the type's
 * own depth and MAX_DEPTH. The printer follows wasm-wave's writer:
 * floats in their shortest round-trip digits without an exponent (as
 * Rust's Display), records without their `none` fields (`{:}` when
 * nothing is left), keywords used as case names prefixed with `%`, and
 * `\\ \" \' \t \r \n` and control characters (`\u{..}`) escaped.
 */
#include "host/kpio-wasm/wave.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 100

static const char *const keywords[] = {"true", "false", "inf", "nan", "some", "none", "ok", "err"};

static bool is_keyword(const char *s, size_t n)
{
    for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
        if (strlen(keywords[k]) == n && !memcmp(keywords[k], s, n)) return true;
    return false;
}

/* ---- parsing -------------------------------------------------------------- */

struct parser {
    const struct comp *c;
    const char *s;
    size_t i, len;
    struct comp_arena *a;
    char *err;
    size_t errsize;
    int depth;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
    int n = snprintf(p->err, p->errsize, "column %zu: ", p->i + 1);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->errsize) vsnprintf(p->err + n, p->errsize - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static void skip_ws(struct parser *p)
{
    for (;;) {
        while (p->i < p->len && strchr(" \t\r\n", p->s[p->i]))
            p->i++;
        if (p->i + 1 < p->len && p->s[p->i] == '/' && p->s[p->i + 1] == '/') {
            while (p->i < p->len && p->s[p->i] != '\n')
                p->i++;
            continue;
        }
        return;
    }
}

static int peek(struct parser *p)
{
    skip_ws(p);
    return p->i < p->len ? (unsigned char)p->s[p->i] : -1;
}

static bool eat(struct parser *p, char ch)
{
    if (peek(p) != ch) return false;
    p->i++;
    return true;
}

static int expect(struct parser *p, char ch)
{
    return eat(p, ch) ? 0 : fail(p, "expected '%c'", ch);
}

static bool is_label_char(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-';
}

/* A label (after an optional '%'): *at and *n; *escaped when '%' came. */
static int label(struct parser *p, const char **at, size_t *n, bool *escaped)
{
    skip_ws(p);
    *escaped = p->i < p->len && p->s[p->i] == '%';
    if (*escaped) p->i++;
    size_t start = p->i;
    while (p->i < p->len && is_label_char((unsigned char)p->s[p->i]))
        p->i++;
    if (p->i == start) return fail(p, "expected a label");
    *at = p->s + start;
    *n = p->i - start;
    return 0;
}

static bool label_is(const char *at, size_t n, const char *word)
{
    return strlen(word) == n && !memcmp(at, word, n);
}

static bool str_is(const struct comp_str *s, const char *at, size_t n)
{
    return s->len == n && !memcmp(s->p, at, n);
}

/* The field, flag or case of t named at[0..n) (t->nfields: none). */
static uint32_t find_label(const struct comp_type *t, const char *at, size_t n)
{
    uint32_t k = 0;
    while (k < t->nfields && !str_is(&t->fields[k].name, at, n))
        k++;
    return k;
}

static void *grab(struct parser *p, size_t size)
{
    void *m = comp_arena_alloc(p->a, size);
    if (!m) fail(p, "value too large");
    return m;
}

static int value(struct parser *p, uint32_t type, struct comp_val *out);

static int integer(struct parser *p, uint8_t code, struct comp_val *out)
{
    static const struct {
        uint8_t code;
        bool is_signed;
        unsigned bits;
        const char *name;
    } ints[] = {{0x7e, true, 8, "s8"},    {0x7d, false, 8, "u8"},  {0x7c, true, 16, "s16"},
                {0x7b, false, 16, "u16"}, {0x7a, true, 32, "s32"}, {0x79, false, 32, "u32"},
                {0x78, true, 64, "s64"},  {0x77, false, 64, "u64"}};
    unsigned k = 0;
    while (ints[k].code != code)
        k++;
    skip_ws(p);
    size_t start = p->i;
    bool neg = p->i < p->len && p->s[p->i] == '-';
    if (neg) p->i++;
    uint64_t mag = 0;
    bool over = false;
    size_t digits = p->i;
    while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
        unsigned d = (unsigned)(p->s[p->i++] - '0');
        over = over || mag > (UINT64_MAX - d) / 10;
        mag = mag * 10 + d;
    }
    if (p->i == digits) return fail(p, "expected a %s (a decimal integer)", ints[k].name);
    if (p->i < p->len && is_label_char((unsigned char)p->s[p->i]))
        return fail(p, "unexpected '%c' in an integer", p->s[p->i]);
    uint64_t max = ints[k].bits == 64 ? UINT64_MAX : (1ull << ints[k].bits) - 1;
    if (ints[k].is_signed) max >>= 1;
    bool ok = !over && (neg ? ints[k].is_signed && mag <= max + 1 : mag <= max);
    if (neg && mag == 0) ok = true;
    if (!ok) {
        p->i = start;
        return fail(p, "integer out of range for %s", ints[k].name);
    }
    out->v.u = neg ? 0 - mag : mag;
    return 0;
}

static int floating(struct parser *p, bool f32, struct comp_val *out)
{
    skip_ws(p);
    size_t start = p->i;
    while (p->i < p->len &&
           (is_label_char((unsigned char)p->s[p->i]) || p->s[p->i] == '.' || p->s[p->i] == '+'))
        p->i++;
    size_t n = p->i - start;
    char buf[512]; /* Rust writes an f64 in up to 327 characters, without an exponent */
    double d = 0;
    const char *t = p->s + start;
    if (label_is(t, n, "nan")) {
        d = NAN;
    } else if (label_is(t, n, "inf") || label_is(t, n, "-inf")) {
        d = *t == '-' ? -INFINITY : INFINITY;
    } else {
        /* JSON numbers: -?digits(.digits)?([eE][+-]?digits)? */
        size_t i = *t == '-' ? 1 : 0, d0;
        bool good = n > 0 && n < sizeof buf;
        for (int part = 0; good && part < 3; part++) {
            if (part == 1 && (i >= n || t[i] != '.')) continue;
            if (part == 2 && (i >= n || (t[i] != 'e' && t[i] != 'E'))) continue;
            if (part) i++;
            if (part == 2 && i < n && (t[i] == '+' || t[i] == '-')) i++;
            for (d0 = i; i < n && t[i] >= '0' && t[i] <= '9'; i++)
                ;
            good = i > d0;
        }
        if (!good || i != n) {
            p->i = start;
            return fail(p, "expected a %s (a number, nan, inf or -inf)", f32 ? "f32" : "f64");
        }
        memcpy(buf, t, n);
        buf[n] = 0;
        d = strtod(buf, NULL);
        if (f32 && !isinf(d) && isinf((float)d)) {
            p->i = start;
            return fail(p, "number out of range for f32");
        }
    }
    if (f32) {
        float f = isnan(d) ? NAN : (float)d;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        out->v.u = isnan(d) ? 0x7fc00000u : bits;
    } else {
        uint64_t bits;
        memcpy(&bits, &d, 8);
        out->v.u = isnan(d) ? 0x7ff8000000000000ull : bits;
    }
    return 0;
}

/* One character of a char or string literal (escapes decoded) as a code
 * point; the closing quote is the caller's. */
static int literal_char(struct parser *p, char quote, uint32_t *cp)
{
    if (p->i >= p->len) return fail(p, "unterminated %s", quote == '"' ? "string" : "char");
    unsigned char b = (unsigned char)p->s[p->i];
    if (b == '\n' || b == '\r')
        return fail(p, "line break in a %s", quote == '"' ? "string" : "char");
    if (b != '\\') {
        /* the text is valid UTF-8 (checked up front) */
        unsigned n = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        uint32_t v = n == 1 ? b : b & (0x7f >> n);
        for (unsigned k = 1; k < n; k++)
            v = v << 6 | ((unsigned char)p->s[p->i + k] & 0x3f);
        p->i += n;
        *cp = v;
        return 0;
    }
    p->i++;
    char e = p->i < p->len ? p->s[p->i++] : 0;
    switch (e) {
    case '\\': *cp = '\\'; return 0;
    case '\'': *cp = '\''; return 0;
    case '"': *cp = '"'; return 0;
    case 't': *cp = '\t'; return 0;
    case 'n': *cp = '\n'; return 0;
    case 'r': *cp = '\r'; return 0;
    case 'u': {
        if (p->i >= p->len || p->s[p->i] != '{') return fail(p, "expected '{' after \\u");
        p->i++;
        uint32_t v = 0;
        size_t digits = 0;
        while (p->i < p->len && digits < 7 && strchr("0123456789abcdefABCDEF", p->s[p->i]) &&
               p->s[p->i]) {
            char h = p->s[p->i++];
            v = v * 16 + (uint32_t)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
            digits++;
        }
        if (!digits || digits > 6 || p->i >= p->len || p->s[p->i] != '}')
            return fail(p, "bad \\u{...} escape (1 to 6 hex digits)");
        p->i++;
        if (v >= 0x110000 || (v >= 0xd800 && v < 0xe000))
            return fail(p, "\\u{%x} is not a Unicode scalar value", v);
        *cp = v;
        return 0;
    }
    default: p->i--; return fail(p, "unknown escape '\\%c'", e ? e : '0');
    }
}

static size_t put_utf8(char *d, uint32_t cp)
{
    if (cp < 0x80) return d[0] = (char)cp, 1;
    if (cp < 0x800) return d[0] = (char)(0xc0 | cp >> 6), d[1] = (char)(0x80 | (cp & 0x3f)), 2;
    if (cp < 0x10000) {
        d[0] = (char)(0xe0 | cp >> 12), d[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        d[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    d[0] = (char)(0xf0 | cp >> 18), d[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    d[2] = (char)(0x80 | (cp >> 6 & 0x3f)), d[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

static int string(struct parser *p, struct comp_val *out)
{
    if (peek(p) != '"') return fail(p, "expected a string (\"...\")");
    p->i++;
    char *s = grab(p, p->len - p->i + 1); /* escapes only shrink */
    if (!s) return -1;
    size_t n = 0;
    while (p->i >= p->len || p->s[p->i] != '"') {
        uint32_t cp;
        if (literal_char(p, '"', &cp)) return -1;
        n += put_utf8(s + n, cp);
    }
    p->i++;
    out->str = s;
    out->n = (uint32_t)n;
    return 0;
}

static int character(struct parser *p, struct comp_val *out)
{
    if (peek(p) != '\'') return fail(p, "expected a char ('c')");
    p->i++;
    uint32_t cp;
    if (p->i < p->len && p->s[p->i] == '\'') return fail(p, "empty char");
    if (literal_char(p, '\'', &cp)) return -1;
    if (p->i >= p->len || p->s[p->i] != '\'') return fail(p, "expected ' to end the char");
    p->i++;
    out->v.u = cp;
    return 0;
}

static int list(struct parser *p, uint32_t elem, struct comp_val *out)
{
    if (expect(p, '[')) return -1;
    uint32_t cap = 0;
    struct comp_val *items = NULL;
    out->n = 0;
    while (!eat(p, ']')) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 4;
            struct comp_val *more = grab(p, (size_t)cap * sizeof *more);
            if (!more) return -1;
            if (out->n) memcpy(more, items, out->n * sizeof *more);
            items = more;
        }
        if (value(p, elem, &items[out->n])) return -1;
        out->n++;
        if (!eat(p, ',') && peek(p) != ']') return fail(p, "expected ',' or ']'");
    }
    out->items = items;
    return 0;
}

/* Values of the n types in a row between open and close (tuples and the
 * arguments of a call). */
static int sequence(struct parser *p, const struct comp_field *f, uint32_t n, char open, char close,
                    struct comp_val *items)
{
    if (expect(p, open)) return -1;
    for (uint32_t k = 0; k < n; k++) {
        if (k && peek(p) != close && expect(p, ',')) return -1;
        if (peek(p) == close) return fail(p, "%u values expected, %u given", n, k);
        if (value(p, f[k].type, &items[k])) return -1;
    }
    eat(p, ',');
    if (peek(p) != close)
        return fail(p, "%u values expected, more given (or '%c' missing)", n, close);
    p->i++;
    return 0;
}

static bool is_option(const struct comp *c, uint32_t t)
{
    return !COMP_IS_PRIM(t) && comp_type_get(c, t)->kind == COMP_T_OPTION;
}

static int record(struct parser *p, const struct comp_type *t, struct comp_val *out)
{
    if (expect(p, '{')) return -1;
    out->n = t->nfields;
    if (!(out->items = grab(p, t->nfields * sizeof *out->items))) return -1;
    bool *seen = grab(p, t->nfields + 1);
    if (!seen) return -1;
    if (eat(p, ':')) {
        if (expect(p, '}')) return -1;
    } else {
        while (!eat(p, '}')) {
            const char *at;
            size_t n;
            bool esc;
            size_t col = p->i;
            if (label(p, &at, &n, &esc)) return -1;
            uint32_t k = find_label(t, at, n);
            if (k == t->nfields) {
                p->i = col;
                skip_ws(p);
                return fail(p, "the record has no field %.*s", (int)n, at);
            }
            if (seen[k]) return fail(p, "field %.*s given twice", (int)n, at);
            seen[k] = true;
            if (expect(p, ':') || value(p, t->fields[k].type, &out->items[k])) return -1;
            if (!eat(p, ',') && peek(p) != '}') return fail(p, "expected ',' or '}'");
        }
    }
    for (uint32_t k = 0; k < t->nfields; k++) {
        if (seen[k]) continue;
        if (!is_option(p->c, t->fields[k].type))
            return fail(p, "field %.*s missing", (int)t->fields[k].name.len,
                        (const char *)t->fields[k].name.p);
        out->items[k].type = t->fields[k].type; /* none */
    }
    return 0;
}

static int flags(struct parser *p, const struct comp_type *t, struct comp_val *out)
{
    if (expect(p, '{')) return -1;
    while (!eat(p, '}')) {
        const char *at;
        size_t n;
        bool esc;
        if (label(p, &at, &n, &esc)) return -1;
        uint32_t k = find_label(t, at, n);
        if (k == t->nfields) return fail(p, "no flag %.*s", (int)n, at);
        if (out->v.u & (1ull << k)) return fail(p, "flag %.*s given twice", (int)n, at);
        out->v.u |= 1ull << k;
        if (!eat(p, ',') && peek(p) != '}') return fail(p, "expected ',' or '}'");
    }
    return 0;
}

/* The payload of a case, in parentheses when the case has one. */
static int payload(struct parser *p, uint32_t pt, const char *at, size_t n, struct comp_val *out)
{
    bool paren = peek(p) == '(';
    if (pt == COMP_NONE) {
        if (paren) return fail(p, "case %.*s has no payload", (int)n, at);
        return 0;
    }
    if (!paren) return fail(p, "case %.*s needs a payload in parentheses", (int)n, at);
    p->i++;
    if (!(out->items = grab(p, sizeof *out->items))) return -1;
    if (value(p, pt, out->items)) return -1;
    return expect(p, ')');
}

static int cases(struct parser *p, const struct comp_type *t, struct comp_val *out)
{
    size_t col = p->i;
    const char *at;
    size_t n;
    bool esc;
    if (label(p, &at, &n, &esc)) return -1;
    if (!esc && is_keyword(at, n)) {
        p->i = col;
        skip_ws(p);
        return fail(p, "%.*s is a keyword: write %%%.*s for a case of that name", (int)n, at,
                    (int)n, at);
    }
    uint32_t k = find_label(t, at, n);
    if (k == t->nfields) {
        p->i = col;
        skip_ws(p);
        return fail(p, "no case %.*s in this %s", (int)n, at, comp_type_kind_name(t->kind));
    }
    out->n = k;
    return t->kind == COMP_T_ENUM ? 0 : payload(p, t->fields[k].type, at, n, out);
}

/* option and result: the keyword forms, or a bare value (some, ok). */
static int option_result(struct parser *p, const struct comp_type *t, struct comp_val *out)
{
    bool opt = t->kind == COMP_T_OPTION;
    size_t save = p->i;
    const char *at;
    size_t n;
    bool esc;
    int ch = peek(p);
    if ((ch >= 'a' && ch <= 'z') && !label(p, &at, &n, &esc)) {
        const char *names[2] = {opt ? "none" : "ok", opt ? "some" : "err"};
        for (uint32_t k = 0; k < 2; k++) {
            if (!label_is(at, n, names[k])) continue;
            out->n = k;
            uint32_t pt = opt ? (k ? t->elem : COMP_NONE) : (k ? t->elem2 : t->elem);
            return payload(p, pt, at, n, out);
        }
    }
    p->i = save;
    uint32_t inner = opt ? t->elem : t->elem;
    if (inner == COMP_NONE ||
        (!COMP_IS_PRIM(inner) && (comp_type_get(p->c, inner)->kind == COMP_T_OPTION ||
                                  comp_type_get(p->c, inner)->kind == COMP_T_RESULT)))
        return fail(p,
                    opt ? "expected some(...) or none" : "expected ok, ok(...), err or err(...)");
    out->n = opt ? 1 : 0;
    if (!(out->items = grab(p, sizeof *out->items))) return -1;
    return value(p, inner, out->items);
}

static int prim(struct parser *p, uint8_t code, struct comp_val *out)
{
    const char *at;
    size_t n;
    bool esc;
    switch (code) {
    case 0x7f: {
        size_t col = p->i;
        if (label(p, &at, &n, &esc) == 0 && !esc &&
            (label_is(at, n, "true") || label_is(at, n, "false"))) {
            out->v.u = *at == 't';
            return 0;
        }
        p->i = col;
        skip_ws(p);
        return fail(p, "expected true or false");
    }
    case 0x76: return floating(p, true, out);
    case 0x75: return floating(p, false, out);
    case 0x74: return character(p, out);
    case COMP_PRIM_STRING: return string(p, out);
    default: return integer(p, code, out);
    }
}

/* A resource handle of the host's table, written as kpio-wasm prints it
 * (wasm-wave has no syntax for them): own<N> or borrow<N>. */
static int handle(struct parser *p, const struct comp_type *t, struct comp_val *out)
{
    const char *kind = t->kind == COMP_T_OWN ? "own" : "borrow", *at;
    size_t n, col = p->i;
    bool escaped;
    if (label(p, &at, &n, &escaped) || escaped || !label_is(at, n, kind)) {
        p->i = col;
        skip_ws(p);
        return fail(p, "expected a handle %s<N>", kind);
    }
    if (expect(p, '<') || integer(p, 0x79, out)) return -1;
    return expect(p, '>');
}

static int value(struct parser *p, uint32_t type, struct comp_val *out)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    if (++p->depth > MAX_DEPTH) return fail(p, "values nested over %d levels", MAX_DEPTH);
    int rc;
    if (COMP_IS_PRIM(type)) {
        rc = prim(p, COMP_PRIM_CODE(type), out);
    } else {
        const struct comp_type *t = comp_type_get(p->c, type);
        switch (t->kind) {
        case COMP_T_PRIM: rc = prim(p, t->prim, out); break;
        case COMP_T_LIST: rc = list(p, t->elem, out); break;
        case COMP_T_TUPLE:
            out->n = t->nfields;
            out->items = grab(p, t->nfields * sizeof *out->items);
            rc = out->items ? sequence(p, t->fields, t->nfields, '(', ')', out->items) : -1;
            break;
        case COMP_T_RECORD: rc = record(p, t, out); break;
        case COMP_T_FLAGS: rc = flags(p, t, out); break;
        case COMP_T_VARIANT:
        case COMP_T_ENUM: rc = cases(p, t, out); break;
        case COMP_T_OPTION:
        case COMP_T_RESULT: rc = option_result(p, t, out); break;
        case COMP_T_OWN:
        case COMP_T_BORROW: rc = handle(p, t, out); break;
        default: rc = fail(p, "a %s cannot be written in WAVE", comp_type_kind_name(t->kind));
        }
    }
    p->depth--;
    return rc;
}

static bool start(struct parser *p, const struct comp *c, const char *text, struct comp_arena *a,
                  char *err, size_t errsize)
{
    *p = (struct parser){
        .c = c, .s = text, .len = strlen(text), .a = a, .err = err, .errsize = errsize};
    if (comp_utf8_valid((const uint8_t *)text, (uint32_t)p->len)) return true;
    snprintf(err, errsize, "column 1: the text is not valid UTF-8");
    return false;
}

static int finish(struct parser *p)
{
    return peek(p) < 0 ? 0 : fail(p, "unexpected text after the value");
}

int wave_parse(const struct comp *c, uint32_t type, const char *text, struct comp_arena *a,
               struct comp_val *out, char *err, size_t errsize)
{
    struct parser p;
    if (!start(&p, c, text, a, err, errsize)) return -1;
    if (value(&p, type, out)) return -1;
    return finish(&p);
}

int wave_parse_call(const struct comp *c, const char *text, size_t *name_len,
                    const struct comp_field *types, uint32_t n, struct comp_arena *a,
                    struct comp_val *out, char *err, size_t errsize)
{
    struct parser p;
    if (!start(&p, c, text, a, err, errsize)) return -1;
    const char *paren = strchr(text, '(');
    *name_len = paren ? (size_t)(paren - text) : p.len;
    p.i = *name_len;
    if (sequence(&p, types, n, '(', ')', out)) return -1;
    return finish(&p);
}

/* ---- printing ------------------------------------------------------------- */

struct out {
    char *buf;
    size_t len, cap;
    bool nomem;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->nomem) return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->len + n + 1) * 2;
        char *b = realloc(o->buf, cap);
        if (!b) {
            o->nomem = true;
            return;
        }
        o->buf = b, o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = 0;
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
    char b[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    puts_(o, b);
}

/* The shortest digits that read back as x, written without an exponent
 * (Rust's Display of f32 and f64). */
static void put_float(struct out *o, double x, bool f32)
{
    if (isnan(x)) return puts_(o, "nan");
    if (isinf(x)) return puts_(o, x < 0 ? "-inf" : "inf");
    char e[64];
    for (int prec = 0; prec < 17; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, x);
        double back = strtod(e, NULL);
        if (f32 ? (float)back == (float)x : back == x) break;
    }
    /* e: [-]d[.ddd]e[+-]NN */
    char digits[32] = {0};
    size_t nd = 0;
    const char *q = e;
    bool neg = *q == '-';
    if (neg) q++;
    for (; *q && *q != 'e'; q++)
        if (*q != '.') digits[nd++] = *q;
    int exp = atoi(q + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (neg) puts_(o, "-");
    if (exp < 0) {
        puts_(o, "0.");
        for (int k = -1; k > exp; k--)
            puts_(o, "0");
        put(o, digits, nd);
    } else if ((size_t)exp + 1 >= nd) {
        put(o, digits, nd);
        for (size_t k = nd; k < (size_t)exp + 1; k++)
            puts_(o, "0");
    } else {
        put(o, digits, (size_t)exp + 1);
        puts_(o, ".");
        put(o, digits + exp + 1, nd - (size_t)exp - 1);
    }
}

static void put_char(struct out *o, uint32_t cp)
{
    char b[8];
    switch (cp) {
    case '\\': return puts_(o, "\\\\");
    case '"': return puts_(o, "\\\"");
    case '\'': return puts_(o, "\\'");
    case '\t': return puts_(o, "\\t");
    case '\r': return puts_(o, "\\r");
    case '\n': return puts_(o, "\\n");
    }
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return putf(o, "\\u{%x}", cp);
    put(o, b, put_utf8(b, cp));
}

static void put_label(struct out *o, const struct comp_str *s, bool maybe_keyword)
{
    if (maybe_keyword && is_keyword((const char *)s->p, s->len)) puts_(o, "%");
    put(o, (const char *)s->p, s->len);
}

static void print(struct out *o, const struct comp *c, const struct comp_val *v);

static struct comp_str keyword(const char *k)
{
    return (struct comp_str){(const uint8_t *)k, (uint32_t)strlen(k)};
}

/* A case: its label (prefixed with '%' when it is a keyword, unless
 * `keyword` says it is one of some, none, ok, err) and its payload. */
static void print_case(struct out *o, const struct comp *c, struct comp_str label, bool keyword,
                       const struct comp_val *v)
{
    put_label(o, &label, !keyword);
    if (!v->items) return;
    puts_(o, "(");
    print(o, c, v->items);
    puts_(o, ")");
}

static void print_items(struct out *o, const struct comp *c, const struct comp_val *v,
                        const char *open, const char *close)
{
    puts_(o, open);
    for (uint32_t k = 0; k < v->n; k++) {
        if (k) puts_(o, ", ");
        print(o, c, &v->items[k]);
    }
    puts_(o, close);
}

static void print_prim(struct out *o, uint8_t code, const struct comp_val *v)
{
    switch (code) {
    case 0x7f: puts_(o, v->v.u ? "true" : "false"); break;
    case 0x7e:
    case 0x7c:
    case 0x7a:
    case 0x78: putf(o, "%lld", (long long)v->v.s); break;
    case 0x76: {
        float f;
        uint32_t bits = (uint32_t)v->v.u;
        memcpy(&f, &bits, 4);
        put_float(o, f, true);
        break;
    }
    case 0x75: put_float(o, v->v.f64, false); break;
    case 0x74:
        puts_(o, "'");
        put_char(o, (uint32_t)v->v.u);
        puts_(o, "'");
        break;
    case COMP_PRIM_STRING: {
        puts_(o, "\"");
        for (uint32_t i = 0; i < v->n;) {
            const uint8_t *s = (const uint8_t *)v->str;
            unsigned n = s[i] < 0x80 ? 1 : s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 : 2;
            uint32_t cp = n == 1 ? s[i] : s[i] & (0x7f >> n);
            for (unsigned k = 1; k < n; k++)
                cp = cp << 6 | (s[i + k] & 0x3f);
            put_char(o, cp);
            i += n;
        }
        puts_(o, "\"");
        break;
    }
    default: putf(o, "%llu", (unsigned long long)v->v.u); break;
    }
}

static void print(struct out *o, const struct comp *c, const struct comp_val *v)
{
    if (COMP_IS_PRIM(v->type)) return print_prim(o, COMP_PRIM_CODE(v->type), v);
    const struct comp_type *t = comp_type_get(c, v->type);
    bool first = true;
    switch (t->kind) {
    case COMP_T_PRIM: print_prim(o, t->prim, v); break;
    case COMP_T_LIST: print_items(o, c, v, "[", "]"); break;
    case COMP_T_TUPLE: print_items(o, c, v, "(", ")"); break;
    case COMP_T_RECORD:
        puts_(o, "{");
        for (uint32_t k = 0; k < t->nfields; k++) {
            if (is_option(c, t->fields[k].type) && v->items[k].n == 0) continue;
            if (!first) puts_(o, ", ");
            first = false;
            put_label(o, &t->fields[k].name, false);
            puts_(o, ": ");
            print(o, c, &v->items[k]);
        }
        puts_(o, first ? ":}" : "}");
        break;
    case COMP_T_FLAGS:
        puts_(o, "{");
        for (uint32_t k = 0; k < t->nfields; k++) {
            if (!(v->v.u & (1ull << k))) continue;
            if (!first) puts_(o, ", ");
            first = false;
            put_label(o, &t->fields[k].name, false);
        }
        puts_(o, "}");
        break;
    case COMP_T_VARIANT:
    case COMP_T_ENUM: print_case(o, c, t->fields[v->n].name, false, v); break;
    case COMP_T_OPTION: print_case(o, c, keyword(v->n ? "some" : "none"), true, v); break;
    case COMP_T_RESULT: print_case(o, c, keyword(v->n ? "err" : "ok"), true, v); break;
    default: putf(o, "%s<%llu>", comp_type_kind_name(t->kind), (unsigned long long)v->v.u);
    }
}

char *wave_print(const struct comp *c, const struct comp_val *v)
{
    struct out o = {0};
    print(&o, c, v);
    puts_(&o, "");
    if (o.nomem) {
        free(o.buf);
        return NULL;
    }
    return o.buf;
}
