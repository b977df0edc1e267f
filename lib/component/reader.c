/*
 * lib/component/reader.c - the loader's plumbing: bounds-checked reads of
 * bytes, LEB128 integers and names, error messages with the section and
 * offset, the allocation pool, index spaces and the type table.
 */
#include "component/internal.h"
#include "base/env.h"
#include "base/fmt.h"
#include "base/mem.h"

#include <stdarg.h>

int comp_fail(struct rd *r, int rc, const char *fmt, ...)
{
    struct comp_error *e = r->l->err;
    if (!e) return rc;
    size_t at = (size_t)(r->p - r->l->c->bytes);
    size_t n = r->l->section ? fmt_snprintf(e->msg, sizeof e->msg,
                                            "%s section, offset %zu: ", r->l->section, at)
                             : fmt_snprintf(e->msg, sizeof e->msg, "offset %zu: ", at);
    if (n >= sizeof e->msg) return rc;
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(e->msg + n, sizeof e->msg - n, fmt, ap);
    va_end(ap);
    return rc;
}

int comp_errorf(struct comp_error *err, int rc, const char *fmt, ...)
{
    if (!err) return rc;
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return rc;
}

int rd_byte(struct rd *r, uint8_t *out)
{
    if (r->p >= r->end) return MALFORMED(r, "unexpected end");
    *out = *r->p++;
    return 0;
}

/* Unsigned LEB128 of at most 32 bits (core spec 5.2.2). */
int rd_u32(struct rd *r, uint32_t *out)
{
    uint32_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        if (r->p >= r->end) return MALFORMED(r, "unexpected end");
        uint8_t b = *r->p++;
        if (shift == 28) {
            if (b & 0x80) return MALFORMED(r, "integer representation too long");
            if (b & 0x70) return MALFORMED(r, "integer too large");
        }
        v |= (uint32_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
    }
    *out = v;
    return 0;
}

int rd_s33(struct rd *r, int64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    uint8_t b = 0;
    for (unsigned n = 1;; n++, shift += 7) {
        if (r->p >= r->end) return MALFORMED(r, "unexpected end");
        b = *r->p++;
        if (n == 5) {
            if (b & 0x80) return MALFORMED(r, "integer representation too long");
            /* 33 - 28 = 5 bits used; bits 5 and 6 must copy bit 4 */
            uint8_t rest = b & 0x60, sign = (b >> 4) & 1;
            if (rest != (sign ? 0x60 : 0)) return MALFORMED(r, "integer too large");
        }
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
    }
    shift += 7;
    if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
    *out = (int64_t)v;
    return 0;
}

int rd_count(struct rd *r, size_t min_size, uint32_t *out)
{
    TRY(rd_u32(r, out));
    if ((size_t)*out > (size_t)(r->end - r->p) / (min_size ? min_size : 1))
        return MALFORMED(r, "vector of %u elements is longer than its section", *out);
    return 0;
}

int rd_section_vec(struct rd *r, struct comp_component *s, size_t min_size,
                   int (*item)(struct rd *, struct comp_component *))
{
    uint32_t n = 0;
    TRY(rd_count(r, min_size, &n));
    for (uint32_t i = 0; i < n; i++)
        TRY(item(r, s));
    return 0;
}

/* UTF-8 as the core spec's name (5.2.4): no overlongs, no surrogates, at
 * most U+10FFFF. */
static bool utf8_ok(const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n;) {
        uint8_t b = p[i];
        uint32_t len = 0, cp = 0;
        if (b < 0x80) {
            i++;
            continue;
        } else if ((b & 0xe0) == 0xc0) {
            len = 2, cp = b & 0x1f;
        } else if ((b & 0xf0) == 0xe0) {
            len = 3, cp = b & 0x0f;
        } else if ((b & 0xf8) == 0xf0) {
            len = 4, cp = b & 0x07;
        } else {
            return false;
        }
        if (n - i < len) return false;
        for (uint32_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80) return false;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

int rd_name(struct rd *r, struct comp_str *out)
{
    uint32_t n = 0;
    TRY(rd_u32(r, &n));
    if (n > (size_t)(r->end - r->p)) return MALFORMED(r, "name of %u bytes runs past the end", n);
    if (!utf8_ok(r->p, n)) return MALFORMED(r, "malformed UTF-8 encoding");
    out->p = r->p;
    out->len = n;
    r->p += n;
    return 0;
}

/* The pool: each block links to the previous one. */
struct pool_blk {
    struct pool_blk *next;
    union {
        max_align_t align;
        unsigned char data[1];
    } u;
};

void *comp_alloc(struct ld *l, size_t size)
{
    if (size > (size_t)-1 / 2) return NULL;
    struct pool_blk *b = mem_zalloc(offsetof(struct pool_blk, u) + size);
    if (!b) return NULL;
    b->next = l->c->pool;
    l->c->pool = b;
    return b->u.data;
}

void comp_pool_free(void *pool)
{
    for (struct pool_blk *b = pool; b;) {
        struct pool_blk *next = b->next;
        mem_free(b);
        b = next;
    }
}

int comp_grow(struct rd *r, void **arr, uint32_t n, uint32_t *cap, size_t size)
{
    if (n < *cap) return 0;
    if (n >= UINT32_MAX / 2) return INVALID(r, "index space too large");
    uint32_t ncap = *cap ? *cap * 2 : 8;
    void *p = comp_alloc(r->l, (size_t)ncap * size);
    if (!p) return comp_fail(r, ERR_NOMEM, "out of memory");
    if (n) memcpy(p, *arr, (size_t)n * size);
    *arr = p;
    *cap = ncap;
    return 0;
}

int comp_space_add(struct rd *r, struct comp_component *s, enum comp_sort sort,
                   const struct comp_def *def)
{
    TRY(comp_grow(r, (void **)&s->space[sort], s->count[sort], &s->cap[sort], sizeof *def));
    s->space[sort][s->count[sort]++] = *def;
    return 0;
}

int comp_space_check(struct rd *r, const struct comp_component *s, enum comp_sort sort,
                     uint32_t idx, const char *what)
{
    if (idx < s->count[sort]) return 0;
    return INVALID(r, "%s: %s index %u out of range (%u defined)", what, comp_sort_name(sort), idx,
                   s->count[sort]);
}

int comp_type_new(struct rd *r, const struct comp_type *t, uint32_t *id)
{
    struct comp *c = r->l->c;
    TRY(comp_grow(r, (void **)&c->types, c->ntypes, &c->cap_types, sizeof *t));
    c->types[c->ntypes] = *t;
    *id = c->ntypes++;
    return 0;
}

int comp_read_core_sort(struct rd *r, enum comp_sort *out)
{
    uint8_t b = 0;
    TRY(rd_byte(r, &b));
    switch (b) {
    case 0x00: *out = COMP_CORE_FUNC; return 0;
    case 0x01: *out = COMP_CORE_TABLE; return 0;
    case 0x02: *out = COMP_CORE_MEMORY; return 0;
    case 0x03: *out = COMP_CORE_GLOBAL; return 0;
    case 0x04: *out = COMP_CORE_TAG; return 0;
    case 0x10: *out = COMP_CORE_TYPE; return 0;
    case 0x11: *out = COMP_CORE_MODULE; return 0;
    case 0x12: *out = COMP_CORE_INSTANCE; return 0;
    default: return MALFORMED(r, "unknown core sort 0x%02x", b);
    }
}

int comp_read_sort(struct rd *r, enum comp_sort *out)
{
    uint8_t b = 0;
    TRY(rd_byte(r, &b));
    switch (b) {
    case 0x00: return comp_read_core_sort(r, out);
    case 0x01: *out = COMP_FUNC; return 0;
    case 0x02: *out = COMP_VALUE; return 0;
    case 0x03: *out = COMP_TYPE; return 0;
    case 0x04: *out = COMP_COMPONENT; return 0;
    case 0x05: *out = COMP_INSTANCE; return 0;
    default: return MALFORMED(r, "unknown sort 0x%02x", b);
    }
}

const char *comp_sort_name(enum comp_sort sort)
{
    static const char *const names[COMP_SORT_COUNT] = {
        "core func", "core table",  "core memory",   "core global", "core tag",
        "core type", "core module", "core instance", "func",        "value",
        "type",      "component",   "instance",
    };
    return (unsigned)sort < COMP_SORT_COUNT ? names[sort] : "?";
}

const char *comp_type_kind_name(enum comp_type_kind kind)
{
    static const char *const names[] = {
        "primitive", "record",   "variant",  "list",      "tuple",       "flags",
        "enum",      "option",   "result",   "own",       "borrow",      "func",
        "component", "instance", "resource", "core func", "core module", "core instance",
    };
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}
