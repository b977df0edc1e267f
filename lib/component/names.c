/*
 * lib/component/names.c - names in components (Explainer.md "Import and
 * Export Definitions"): kebab-case labels, the extern-name forms WASI
 * components use (plain and annotated names, interface names with an
 * optional version), and strongly-unique sets of names ("Name Uniqueness").
 */
#include "component/internal.h"
#include "base/env.h"
#include "base/mem.h"

static bool is_lower(uint8_t c)
{
    return c >= 'a' && c <= 'z';
}
static bool is_upper(uint8_t c)
{
    return c >= 'A' && c <= 'Z';
}
static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* label ::= fragment ('-' fragment)*; fragment ::= word | acronym: a word
 * is [a-z][0-9a-z]*, an acronym [A-Z][0-9A-Z]*. */
static bool label_ok(const uint8_t *p, uint32_t n)
{
    if (n == 0) return false;
    uint32_t i = 0;
    for (;;) {
        if (i >= n) return false;
        bool upper = is_upper(p[i]);
        if (!upper && !is_lower(p[i])) return false;
        for (i++; i < n && p[i] != '-'; i++)
            if (!is_digit(p[i]) && (upper ? !is_upper(p[i]) : !is_lower(p[i]))) return false;
        if (i == n) return true;
        i++; /* '-' then another fragment */
    }
}

bool comp_label_ok(struct comp_str s)
{
    return label_ok(s.p, s.len);
}

static const uint8_t *find(const uint8_t *p, const uint8_t *end, uint8_t c)
{
    while (p < end && *p != c)
        p++;
    return p;
}

/* semver (loosely): [0-9A-Za-z.+-]+ starting with a digit. */
static bool version_ok(const uint8_t *p, const uint8_t *end)
{
    if (p >= end || !is_digit(*p)) return false;
    for (; p < end; p++)
        if (!is_digit(*p) && !is_lower(*p) && !is_upper(*p) && *p != '.' && *p != '-' && *p != '+')
            return false;
    return true;
}

/* interfacename ::= namespace label projection version?; namespace ::=
 * (label ':')+, projection ::= ('/' label)+. */
static bool interface_ok(const uint8_t *p, const uint8_t *end)
{
    const uint8_t *at = find(p, end, '@');
    if (at < end && !version_ok(at + 1, end)) return false;
    end = at;
    int colons = 0, slashes = 0;
    while (p < end) {
        const uint8_t *q = p;
        while (q < end && *q != ':' && *q != '/')
            q++;
        if (!label_ok(p, (uint32_t)(q - p))) return false;
        if (q == end) break;
        if (*q == ':') {
            if (slashes) return false;
            colons++;
        } else {
            slashes++;
        }
        p = q + 1;
        if (p == end) return false;
    }
    return colons > 0 && slashes > 0;
}

/* [constructor]l, [method]l.l, [static]l.l, or a plain label. */
static bool plainname_ok(const uint8_t *p, const uint8_t *end)
{
    static const char *const dotted[] = {"[method]", "[static]"};
    uint32_t n = (uint32_t)(end - p);
    if (n > 13 && !memcmp(p, "[constructor]", 13)) return label_ok(p + 13, n - 13);
    for (int i = 0; i < 2; i++) {
        if (n > 8 && !memcmp(p, dotted[i], 8)) {
            const uint8_t *dot = find(p + 8, end, '.');
            return dot < end && label_ok(p + 8, (uint32_t)(dot - p - 8)) &&
                   label_ok(dot + 1, (uint32_t)(end - dot - 1));
        }
    }
    return label_ok(p, n);
}

bool comp_externname_ok(struct comp_str s)
{
    const uint8_t *end = s.p + s.len;
    if (find(s.p, end, ':') < end) return interface_ok(s.p, end);
    return plainname_ok(s.p, end);
}

/* The canonical form of a name for strong uniqueness: a substring of it,
 * compared without case. */
static struct comp_str canonical(struct comp_str s)
{
    const uint8_t *end = s.p + s.len;
    if (s.len == 0 || s.p[0] != '[' || (s.len >= 13 && !memcmp(s.p, "[constructor]", 13))) return s;
    const uint8_t *close = find(s.p, end, ']');
    if (close == end) return s;
    struct comp_str rest = {close + 1, (uint32_t)(end - close - 1)};
    bool dotted = (s.len > 8 && (!memcmp(s.p, "[method]", 8) || !memcmp(s.p, "[static]", 8)));
    const uint8_t *dot = find(rest.p, end, '.');
    if (dotted && dot < end) {
        uint32_t a = (uint32_t)(dot - rest.p), b = (uint32_t)(end - dot - 1);
        if (a == b && !str_ncasecmp((const char *)rest.p, (const char *)dot + 1, a))
            return (struct comp_str){rest.p, a};
    }
    return rest;
}

static bool strongly_equal(struct comp_str a, struct comp_str b)
{
    a = canonical(a), b = canonical(b);
    if (a.len != b.len) return false;
    for (uint32_t i = 0; i < a.len; i++)
        if (char_lower(a.p[i]) != char_lower(b.p[i])) return false;
    return true;
}

static uint32_t name_hash(struct comp_str s)
{
    s = canonical(s);
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < s.len; i++)
        h = (h ^ (uint8_t)char_lower(s.p[i])) * 16777619u;
    return h;
}

/* Open addressing; a slot with s.p == NULL is empty (names of length 0
 * are stored with a non-NULL p). A set made for a loader lives in its pool
 * (comp_nameset_free does nothing then); otherwise on the heap. */
struct slot {
    struct comp_str s;
    uint32_t val;
};
struct comp_nameset {
    struct ld *l;
    bool exact;
    uint32_t n, cap;
    struct slot *slots;
};

static void *set_alloc(struct ld *l, size_t size)
{
    return l ? comp_alloc(l, size) : mem_zalloc(size);
}

struct comp_nameset *comp_nameset_new(struct ld *l, bool exact)
{
    struct comp_nameset *set = set_alloc(l, sizeof *set);
    if (set) set->l = l, set->exact = exact;
    return set;
}

void comp_nameset_free(struct comp_nameset *set)
{
    if (!set || set->l) return;
    mem_free(set->slots);
    mem_free(set);
}

static bool names_equal(const struct comp_nameset *set, struct comp_str a, struct comp_str b)
{
    if (set->exact) return a.len == b.len && !memcmp(a.p, b.p, a.len);
    return strongly_equal(a, b);
}

static uint32_t set_hash(const struct comp_nameset *set, struct comp_str s)
{
    if (!set->exact) return name_hash(s);
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < s.len; i++)
        h = (h ^ s.p[i]) * 16777619u;
    return h;
}

static void insert(struct comp_nameset *set, struct slot v)
{
    uint32_t i = set_hash(set, v.s) & (set->cap - 1);
    while (set->slots[i].s.p)
        i = (i + 1) & (set->cap - 1);
    set->slots[i] = v;
    set->n++;
}

bool comp_nameset_find(const struct comp_nameset *set, struct comp_str s, uint32_t *val)
{
    static const uint8_t empty;
    if (!s.p) s.p = &empty;
    if (!set->cap) return false;
    for (uint32_t i = set_hash(set, s) & (set->cap - 1); set->slots[i].s.p;
         i = (i + 1) & (set->cap - 1)) {
        if (names_equal(set, set->slots[i].s, s)) {
            if (val) *val = set->slots[i].val;
            return true;
        }
    }
    return false;
}

int comp_nameset_add(struct comp_nameset *set, struct comp_str s, uint32_t val)
{
    static const uint8_t empty;
    if (!s.p) s.p = &empty;
    if (comp_nameset_find(set, s, NULL)) return ERR_EXIST;
    if ((set->n + 1) * 2 > set->cap) {
        if (set->cap >= UINT32_MAX / 4) return ERR_NOMEM;
        uint32_t ncap = set->cap ? set->cap * 2 : 16;
        struct slot *old = set->slots;
        uint32_t ocap = set->cap;
        set->slots = set_alloc(set->l, (size_t)ncap * sizeof *old);
        if (!set->slots) {
            set->slots = old;
            return ERR_NOMEM;
        }
        set->cap = ncap;
        set->n = 0;
        for (uint32_t i = 0; i < ocap; i++)
            if (old[i].s.p) insert(set, old[i]);
        if (!set->l) mem_free(old);
    }
    insert(set, (struct slot){s, val});
    return 0;
}

int comp_check_labels(struct rd *r, const struct comp_field *f, uint32_t n, const char *what)
{
    struct comp_nameset *set = comp_nameset_new(NULL, false);
    if (!set) return comp_fail(r, ERR_NOMEM, "out of memory");
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        if (!comp_label_ok(f[i].name)) {
            rc = INVALID(r, "%s label \"%.*s\" is not kebab-case", what, (int)f[i].name.len,
                         (const char *)f[i].name.p);
        } else {
            int e = comp_nameset_add(set, f[i].name, i);
            if (e == ERR_EXIST)
                rc = INVALID(r, "duplicate %s label \"%.*s\"", what, (int)f[i].name.len,
                             (const char *)f[i].name.p);
            else if (e)
                rc = comp_fail(r, e, "out of memory");
        }
    }
    comp_nameset_free(set);
    return rc;
}
