/*
 * lib/wasm/decode.c - the binary format (spec chapter 5): header, section
 * order and sizes, every section's contents into struct wasm_module.
 *
 * Everything read is bounds-checked against the section end; every count is
 * checked against the bytes left before anything is allocated for it, so a
 * hostile count cannot make us allocate more than a small multiple of the
 * input size. Function bodies are only delimited here (their locals are
 * counted); their instructions are decoded by compile.c. Malformations
 * return ERR_BADMSG with the spec test suite's wording, index-space and
 * typing errors found on the way (unknown type, ...) ERR_INVAL.
 */
#include "wasm/internal.h"

#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "wasm/leb.h"

struct rd {
    const uint8_t *p, *end;
    struct wasm_error *err;
};

/* The comma expressions let the compiler see that failures are non-zero. */
#define MALFORMED(r, ...) (wasm_fail((r)->err, ERR_BADMSG, __VA_ARGS__), ERR_BADMSG)
#define INVALID(r, ...)   (wasm_fail((r)->err, ERR_INVAL, __VA_ARGS__), ERR_INVAL)

static int rd_byte(struct rd *r, uint8_t *out)
{
    if (r->p >= r->end) return MALFORMED(r, "unexpected end");
    *out = *r->p++;
    return 0;
}

static int rd_u32(struct rd *r, uint32_t *out)
{
    const char *e = leb_u32(&r->p, r->end, out);
    return e ? MALFORMED(r, "%s", e) : 0;
}

/* A vector length: a u32 that cannot exceed the bytes left times
 * `per_byte` (each element takes at least 1/per_byte bytes). */
static int rd_count(struct rd *r, uint32_t *out, uint32_t limit, const char *what)
{
    uint32_t n;
    *out = 0; /* the module's counts only ever describe allocated arrays */
    TRY(rd_u32(r, &n));
    if (n > (size_t)(r->end - r->p)) return MALFORMED(r, "unexpected end: %u %s", n, what);
    if (n > limit) return MALFORMED(r, "too many %s (%u)", what, n);
    *out = n;
    return 0;
}

/* spec 5.2.4 names: UTF-8 as in Unicode 3.9, no overlongs, no surrogates. */
static bool utf8_valid(const uint8_t *s, uint32_t n)
{
    uint32_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        uint32_t len, cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i < len) return false;
        for (uint32_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}

/* Reads a name into a NUL-terminated heap copy (in *out, unless out is NULL);
 * raw and rawlen (if raw is not NULL) get the bytes and their count. */
static int rd_name(struct rd *r, char **out, const uint8_t **raw, uint32_t *rawlen)
{
    uint32_t n;
    TRY(rd_u32(r, &n));
    if (n > (size_t)(r->end - r->p)) return MALFORMED(r, "unexpected end: length out of bounds");
    if (!utf8_valid(r->p, n)) return MALFORMED(r, "malformed UTF-8 encoding");
    if (raw) {
        *raw = r->p;
        *rawlen = n;
    }
    if (out) {
        char *s = mem_alloc(n + 1);
        if (!s) return (wasm_fail(r->err, ERR_NOMEM, "out of memory"), ERR_NOMEM);
        memcpy(s, r->p, n);
        s[n] = 0;
        *out = s;
    }
    r->p += n;
    return 0;
}

static int rd_valtype(struct rd *r, uint8_t *out)
{
    TRY(rd_byte(r, out));
    if (!wasm_is_valtype(*out)) return MALFORMED(r, "malformed value type 0x%02x", *out);
    return 0;
}

static int rd_reftype(struct rd *r, uint8_t *out)
{
    TRY(rd_byte(r, out));
    if (!wasm_is_reftype(*out)) return MALFORMED(r, "malformed reference type");
    return 0;
}

/* spec 5.3.7 limits: 0x00 min | 0x01 min max. */
static int rd_limits(struct rd *r, struct wasm_limits *l)
{
    uint8_t flag;
    TRY(rd_byte(r, &flag));
    if (flag > 1) return MALFORMED(r, "integer too large: limits flag 0x%02x", flag);
    TRY(rd_u32(r, &l->min));
    l->has_max = flag == 1;
    l->max = 0;
    if (l->has_max) TRY(rd_u32(r, &l->max));
    return 0;
}

/* spec 3.2.4 and 3.2.5: limits are valid within the range k. */
static int check_limits(struct rd *r, const struct wasm_limits *l, uint64_t k, bool memory)
{
    if (memory && (l->min > k || (l->has_max && l->max > k)))
        return INVALID(r, "memory size must be at most 65536 pages (4GiB)");
    if (l->has_max && l->min > l->max)
        return INVALID(r, "size minimum must not be greater than maximum");
    return 0;
}

static int rd_table_type(struct rd *r, struct mod_table *t)
{
    TRY(rd_reftype(r, &t->elem_type));
    TRY(rd_limits(r, &t->limits));
    return check_limits(r, &t->limits, UINT32_MAX, false);
}

static int rd_memory_type(struct rd *r, struct wasm_limits *l)
{
    TRY(rd_limits(r, l));
    return check_limits(r, l, WASM_MAX_PAGES, true);
}

static int rd_global_type(struct rd *r, struct mod_global *g)
{
    uint8_t mut;
    TRY(rd_valtype(r, &g->type));
    TRY(rd_byte(r, &mut));
    if (mut > 1) return MALFORMED(r, "malformed mutability");
    g->mut = mut;
    return 0;
}

/* Is op the first byte of some instruction of the binary format (spec 5.4)? */
static bool opcode_exists(uint8_t op)
{
    return op <= 0x05 || (op >= 0x0b && op <= 0x11) || (op >= 0x1a && op <= 0x1c) ||
           (op >= 0x20 && op <= 0x26) || (op >= 0x28 && op <= 0xc4) || (op >= 0xd0 && op <= 0xd2) ||
           op == 0xfc;
}

/*
 * A constant expression (spec 3.3.10, 5.4.9): exactly one constant
 * instruction then `end` in 2.0. Index and type checks are validate.c's.
 */
static int rd_cexpr(struct rd *r, struct cexpr *e)
{
    uint8_t op;
    const char *le = NULL;
    int n = 0;
    for (;;) {
        TRY(rd_byte(r, &op));
        if (op == 0x0b) break;
        if (n++ > 0)
            return INVALID(r, "type mismatch: constant expression with more than one instruction");
        e->op = op;
        switch (op) {
        case 0x41: {
            int32_t v = 0;
            le = leb_s32(&r->p, r->end, &v);
            e->type = WASM_I32, e->bits = (uint32_t)v;
            break;
        }
        case 0x42: {
            int64_t v = 0;
            le = leb_s64(&r->p, r->end, &v);
            e->type = WASM_I64, e->bits = (uint64_t)v;
            break;
        }
        case 0x43:
        case 0x44: {
            uint32_t size = op == 0x43 ? 4 : 8;
            if ((size_t)(r->end - r->p) < size) return MALFORMED(r, "unexpected end");
            e->bits = 0;
            for (uint32_t i = 0; i < size; i++)
                e->bits |= (uint64_t)r->p[i] << (8 * i);
            r->p += size;
            e->type = op == 0x43 ? WASM_F32 : WASM_F64;
            break;
        }
        case 0xd0:
            TRY(rd_reftype(r, &e->type));
            e->bits = 0;
            break;
        case 0xd2:
            le = leb_u32(&r->p, r->end, &e->idx);
            e->type = WASM_FUNCREF;
            break;
        case 0xfd: { /* v128.const: 0xfd 12 then 16 bytes */
            uint32_t sub;
            le = leb_u32(&r->p, r->end, &sub);
            if (le) break;
            if (sub != 12)
                return INVALID(r, "constant expression required (0xfd %u is not constant)", sub);
            if ((size_t)(r->end - r->p) < 16) return MALFORMED(r, "unexpected end");
            e->bits = e->hi = 0;
            for (uint32_t i = 0; i < 8; i++) {
                e->bits |= (uint64_t)r->p[i] << (8 * i);
                e->hi |= (uint64_t)r->p[8 + i] << (8 * i);
            }
            r->p += 16;
            e->type = WASM_V128;
            break;
        }
        case 0x23:
            le = leb_u32(&r->p, r->end, &e->idx);
            e->type = 0; /* the global's type, set by validate.c */
            break;
        default:
            if (!opcode_exists(op)) return MALFORMED(r, "illegal opcode 0x%02x", op);
            return INVALID(r, "constant expression required (opcode 0x%02x)", op);
        }
        if (le) return MALFORMED(r, "%s", le);
    }
    if (n == 0) return INVALID(r, "type mismatch: empty constant expression");
    return 0;
}

static void *alloc_array(struct rd *r, uint32_t n, size_t size, int *rc)
{
    void *p = mem_zalloc((size_t)(n ? n : 1) * size);
    *rc = p ? 0 : wasm_fail(r->err, ERR_NOMEM, "out of memory");
    return p;
}

/* Appends n zeroed elements to a module array, keeping the old ones. */
static void *grow_array(struct rd *r, void *old, uint32_t have, uint32_t add, size_t size, int *rc)
{
    void *p = mem_realloc(old, (size_t)(have + add ? have + add : 1) * size);
    if (!p) {
        *rc = wasm_fail(r->err, ERR_NOMEM, "out of memory");
        return old;
    }
    memset((uint8_t *)p + (size_t)have * size, 0, (size_t)add * size);
    *rc = 0;
    return p;
}

/* spec 5.5.4 type section: functype* with 0x60 params results. */
static int sec_type(struct rd *r, struct wasm_module *m)
{
    int rc;
    TRY(rd_count(r, &m->ntypes, WASM_MAX_TYPES, "types"));
    m->types = alloc_array(r, m->ntypes, sizeof *m->types, &rc);
    TRY(rc);
    for (uint32_t i = 0; i < m->ntypes; i++) {
        uint8_t form;
        uint32_t np, nr;
        TRY(rd_byte(r, &form));
        if (form != 0x60)
            return MALFORMED(r, "integer representation too long: function type form 0x%02x", form);
        TRY(rd_count(r, &np, WASM_MAX_PARAMS, "params"));
        /* params and results are consecutive valtype bytes in our copy, but a
         * results count sits between them: keep separate pointers */
        const uint8_t *params = r->p;
        for (uint32_t k = 0; k < np; k++) {
            uint8_t t;
            TRY(rd_valtype(r, &t));
        }
        TRY(rd_count(r, &nr, WASM_MAX_PARAMS, "results"));
        const uint8_t *results = r->p;
        for (uint32_t k = 0; k < nr; k++) {
            uint8_t t;
            TRY(rd_valtype(r, &t));
        }
        m->types[i] = (struct wasm_functype){np, nr, params, results};
    }
    return 0;
}

static int check_index(struct rd *r, uint32_t idx, uint32_t n, const char *what)
{
    return idx < n ? 0 : INVALID(r, "unknown %s %u", what, idx);
}

/* spec 5.5.5 import section. */
static int sec_import(struct rd *r, struct wasm_module *m)
{
    int rc;
    TRY(rd_count(r, &m->nimports, WASM_MAX_IMPORTS, "imports"));
    m->imports = alloc_array(r, m->nimports, sizeof *m->imports, &rc);
    TRY(rc);
    for (uint32_t i = 0; i < m->nimports; i++) {
        struct mod_import *imp = &m->imports[i];
        const uint8_t *raw;
        TRY(rd_name(r, &imp->module, &raw, &imp->module_len));
        TRY(rd_name(r, &imp->name, &raw, &imp->name_len));
        TRY(rd_byte(r, &imp->kind));
        switch (imp->kind) {
        case WASM_EXTERN_FUNC: {
            uint32_t t;
            TRY(rd_u32(r, &t));
            TRY(check_index(r, t, m->ntypes, "type"));
            m->func_types = grow_array(r, m->func_types, m->nfuncs, 1, sizeof(uint32_t), &rc);
            TRY(rc);
            m->func_types[m->nfuncs] = t;
            imp->idx = m->nfuncs++;
            break;
        }
        case WASM_EXTERN_TABLE:
            m->tables = grow_array(r, m->tables, m->ntables, 1, sizeof *m->tables, &rc);
            TRY(rc);
            TRY(rd_table_type(r, &m->tables[m->ntables]));
            imp->idx = m->ntables++;
            break;
        case WASM_EXTERN_MEMORY:
            m->mems = grow_array(r, m->mems, m->nmems, 1, sizeof *m->mems, &rc);
            TRY(rc);
            TRY(rd_memory_type(r, &m->mems[m->nmems]));
            imp->idx = m->nmems++;
            break;
        case WASM_EXTERN_GLOBAL:
            m->globals = grow_array(r, m->globals, m->nglobals, 1, sizeof *m->globals, &rc);
            TRY(rc);
            TRY(rd_global_type(r, &m->globals[m->nglobals]));
            imp->idx = m->nglobals++;
            break;
        default: return MALFORMED(r, "malformed import kind 0x%02x", imp->kind);
        }
    }
    m->nfunc_imports = m->nfuncs;
    m->ntable_imports = m->ntables;
    m->nmem_imports = m->nmems;
    m->nglobal_imports = m->nglobals;
    return 0;
}

/* spec 5.5.6 function section: a type index per defined function. */
static int sec_function(struct rd *r, struct wasm_module *m)
{
    uint32_t n;
    int rc;
    TRY(rd_count(r, &n, WASM_MAX_FUNCS, "functions"));
    m->func_types = grow_array(r, m->func_types, m->nfuncs, n, sizeof(uint32_t), &rc);
    TRY(rc);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t;
        TRY(rd_u32(r, &t));
        TRY(check_index(r, t, m->ntypes, "type"));
        m->func_types[m->nfuncs++] = t;
    }
    return 0;
}

static int sec_table(struct rd *r, struct wasm_module *m)
{
    uint32_t n;
    int rc;
    TRY(rd_count(r, &n, WASM_MAX_TABLES, "tables"));
    m->tables = grow_array(r, m->tables, m->ntables, n, sizeof *m->tables, &rc);
    TRY(rc);
    for (uint32_t i = 0; i < n; i++)
        TRY(rd_table_type(r, &m->tables[m->ntables++]));
    return 0;
}

static int sec_memory(struct rd *r, struct wasm_module *m)
{
    uint32_t n;
    int rc;
    TRY(rd_count(r, &n, WASM_MAX_TABLES, "memories"));
    m->mems = grow_array(r, m->mems, m->nmems, n, sizeof *m->mems, &rc);
    TRY(rc);
    for (uint32_t i = 0; i < n; i++)
        TRY(rd_memory_type(r, &m->mems[m->nmems++]));
    return 0;
}

static int sec_global(struct rd *r, struct wasm_module *m)
{
    uint32_t n;
    int rc;
    TRY(rd_count(r, &n, WASM_MAX_GLOBALS, "globals"));
    m->globals = grow_array(r, m->globals, m->nglobals, n, sizeof *m->globals, &rc);
    TRY(rc);
    for (uint32_t i = 0; i < n; i++) {
        struct mod_global *g = &m->globals[m->nglobals++];
        TRY(rd_global_type(r, g));
        TRY(rd_cexpr(r, &g->init));
    }
    return 0;
}

static int sec_export(struct rd *r, struct wasm_module *m)
{
    int rc;
    TRY(rd_count(r, &m->nexports, WASM_MAX_EXPORTS, "exports"));
    m->exports = alloc_array(r, m->nexports, sizeof *m->exports, &rc);
    TRY(rc);
    for (uint32_t i = 0; i < m->nexports; i++) {
        struct mod_export *e = &m->exports[i];
        const uint8_t *raw;
        TRY(rd_name(r, &e->name, &raw, &e->name_len));
        TRY(rd_byte(r, &e->kind));
        if (e->kind > WASM_EXTERN_GLOBAL)
            return MALFORMED(r, "malformed export kind 0x%02x", e->kind);
        TRY(rd_u32(r, &e->idx));
    }
    return 0;
}

static int sec_start(struct rd *r, struct wasm_module *m)
{
    m->has_start = true;
    return rd_u32(r, &m->start);
}

/* A vector of function indices as ref.func expressions (elem kinds 0-3). */
static int rd_elem_funcs(struct rd *r, struct mod_elem *e)
{
    int rc;
    TRY(rd_count(r, &e->count, UINT32_MAX, "elements"));
    e->items = alloc_array(r, e->count, sizeof *e->items, &rc);
    TRY(rc);
    for (uint32_t i = 0; i < e->count; i++) {
        e->items[i].op = 0xd2;
        e->items[i].type = WASM_FUNCREF;
        TRY(rd_u32(r, &e->items[i].idx));
    }
    return 0;
}

static int rd_elem_exprs(struct rd *r, struct mod_elem *e)
{
    int rc;
    TRY(rd_count(r, &e->count, UINT32_MAX, "elements"));
    e->items = alloc_array(r, e->count, sizeof *e->items, &rc);
    TRY(rc);
    for (uint32_t i = 0; i < e->count; i++)
        TRY(rd_cexpr(r, &e->items[i]));
    return 0;
}

/* spec 5.5.12 element section: eight encodings selected by a flag word. */
static int rd_elem(struct rd *r, struct mod_elem *e)
{
    uint32_t flags;
    uint8_t kind;
    TRY(rd_u32(r, &flags));
    if (flags > 7) return MALFORMED(r, "malformed elements segment kind %u", flags);
    e->mode = (flags & 1) ? ((flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE) : SEG_ACTIVE;
    e->type = WASM_FUNCREF;
    e->table = 0;
    if (e->mode == SEG_ACTIVE) {
        if (flags & 2) TRY(rd_u32(r, &e->table));
        TRY(rd_cexpr(r, &e->offset));
    }
    bool exprs = flags & 4;
    if (flags & 3) { /* an elemkind or reftype byte follows */
        if (exprs) {
            TRY(rd_reftype(r, &e->type));
        } else {
            TRY(rd_byte(r, &kind));
            if (kind != 0) return MALFORMED(r, "malformed element kind 0x%02x", kind);
        }
    }
    return exprs ? rd_elem_exprs(r, e) : rd_elem_funcs(r, e);
}

static int sec_elem(struct rd *r, struct wasm_module *m)
{
    int rc;
    TRY(rd_count(r, &m->nelems, WASM_MAX_SEGMENTS, "element segments"));
    m->elems = alloc_array(r, m->nelems, sizeof *m->elems, &rc);
    TRY(rc);
    for (uint32_t i = 0; i < m->nelems; i++)
        TRY(rd_elem(r, &m->elems[i]));
    return 0;
}

static int sec_datacount(struct rd *r, struct wasm_module *m)
{
    m->has_datacount = true;
    return rd_u32(r, &m->datacount);
}

/*
 * spec 5.5.13 code section: size-delimited bodies; the local declarations
 * are checked here ("too many locals"), the instructions by compile.c.
 */
static int rd_code(struct rd *r, struct wasm_module *m, struct wasm_code *c, uint32_t func)
{
    uint32_t size, ngroups;
    uint64_t nlocals = 0;
    TRY(rd_u32(r, &size));
    if (size > (size_t)(r->end - r->p))
        return MALFORMED(r, "unexpected end: code size out of bounds");
    struct rd body = {r->p, r->p + size, r->err};
    c->body = r->p;
    c->body_end = r->p + size;
    r->p += size;
    const char *e = leb_u32(&body.p, body.end, &ngroups);
    if (e) return MALFORMED(&body, "%s", e);
    for (uint32_t i = 0; i < ngroups; i++) {
        uint32_t n;
        uint8_t t;
        TRY(rd_u32(&body, &n));
        TRY(rd_valtype(&body, &t));
        if (t == WASM_V128 && n) m->wide = true;
        nlocals += n;
        if (nlocals > WASM_MAX_LOCALS) return MALFORMED(&body, "too many locals");
    }
    const struct wasm_functype *ft = mod_func_type(m, func);
    if (ft->nparams + nlocals > WASM_MAX_LOCALS) return MALFORMED(&body, "too many locals");
    c->nparams = ft->nparams;
    c->nlocals = (uint32_t)nlocals;
    c->nresults = ft->nresults;
    return 0;
}

static int sec_code(struct rd *r, struct wasm_module *m)
{
    uint32_t n;
    int rc;
    TRY(rd_count(r, &n, WASM_MAX_FUNCS, "function bodies"));
    if (n != m->nfuncs - m->nfunc_imports)
        return MALFORMED(r, "function and code section have inconsistent lengths");
    m->codes = alloc_array(r, n, sizeof *m->codes, &rc);
    TRY(rc);
    m->ncodes = n;
    for (uint32_t i = 0; i < n; i++)
        TRY(rd_code(r, m, &m->codes[i], m->nfunc_imports + i));
    return 0;
}

/* spec 5.5.14 data section: flags 0 (active, memory 0), 1 (passive), 2. */
static int sec_data(struct rd *r, struct wasm_module *m)
{
    int rc;
    TRY(rd_count(r, &m->ndatas, WASM_MAX_SEGMENTS, "data segments"));
    if (m->has_datacount && m->datacount != m->ndatas)
        return MALFORMED(r, "data count and data section have inconsistent lengths");
    m->datas = alloc_array(r, m->ndatas, sizeof *m->datas, &rc);
    TRY(rc);
    for (uint32_t i = 0; i < m->ndatas; i++) {
        struct mod_data *d = &m->datas[i];
        uint32_t flags;
        TRY(rd_u32(r, &flags));
        if (flags > 2) return MALFORMED(r, "malformed data segment kind %u", flags);
        d->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
        d->mem = 0;
        if (flags == 2) TRY(rd_u32(r, &d->mem));
        if (d->mode == SEG_ACTIVE) TRY(rd_cexpr(r, &d->offset));
        TRY(rd_u32(r, &d->len));
        if (d->len > (size_t)(r->end - r->p))
            return MALFORMED(r, "unexpected end of section or function: data length");
        d->bytes = r->p;
        r->p += d->len;
    }
    return 0;
}

/*
 * The "name" custom section (spec 7.4), subsection 1 (function names).
 * Custom sections never make a module malformed, so any error here just
 * stops reading names.
 */
static void sec_names(struct rd *r, struct wasm_module *m)
{
    while (r->p < r->end) {
        uint8_t id;
        uint32_t size, n;
        if (rd_byte(r, &id) || rd_u32(r, &size) || size > (size_t)(r->end - r->p)) return;
        struct rd sub = {r->p, r->p + size, NULL};
        r->p += size;
        if (id != 1 || m->func_names) continue;
        if (rd_u32(&sub, &n) || !m->nfuncs) return;
        m->func_names = mem_zalloc((size_t)m->nfuncs * sizeof(char *));
        if (!m->func_names) return;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t idx;
            char *name;
            if (rd_u32(&sub, &idx) || rd_name(&sub, &name, NULL, NULL)) return;
            if (idx < m->nfuncs && !m->func_names[idx])
                m->func_names[idx] = name;
            else
                mem_free(name);
        }
    }
}

static int sec_custom(struct rd *r, struct wasm_module *m)
{
    const uint8_t *name;
    uint32_t len;
    TRY(rd_name(r, NULL, &name, &len));
    if (len == 4 && !memcmp(name, "name", 4)) {
        struct wasm_error ignored;
        struct rd sub = {r->p, r->end, &ignored};
        sec_names(&sub, m);
    }
    r->p = r->end;
    return 0;
}

/* Section ids in the order they must appear (spec 5.5.2; datacount 12
 * sits between element 9 and code 10). */
static int section_rank(uint8_t id)
{
    static const uint8_t rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
    return rank[id];
}

static int decode_section(struct rd *r, struct wasm_module *m, uint8_t id)
{
    switch (id) {
    case 0: return sec_custom(r, m);
    case 1: return sec_type(r, m);
    case 2: return sec_import(r, m);
    case 3: return sec_function(r, m);
    case 4: return sec_table(r, m);
    case 5: return sec_memory(r, m);
    case 6: return sec_global(r, m);
    case 7: return sec_export(r, m);
    case 8: return sec_start(r, m);
    case 9: return sec_elem(r, m);
    case 10: return sec_code(r, m);
    case 11: return sec_data(r, m);
    case 12: return sec_datacount(r, m);
    }
    return MALFORMED(r, "malformed section id %u", id);
}

int wasm_decode(struct wasm_module *m, struct wasm_error *err)
{
    struct rd r = {m->bytes, m->bytes + m->len, err};
    static const uint8_t magic[4] = {0, 'a', 's', 'm'};
    if (m->len < 4 || memcmp(m->bytes, magic, 4)) return MALFORMED(&r, "magic header not detected");
    if (m->len < 8) return MALFORMED(&r, "unexpected end: no version");
    if (le32_get(m->bytes + 4) != 1) return MALFORMED(&r, "unknown binary version");
    r.p += 8;
    int last = 0;
    while (r.p < r.end) {
        uint8_t id;
        uint32_t size;
        TRY(rd_byte(&r, &id));
        if (id > 12) return MALFORMED(&r, "malformed section id %u", id);
        TRY(rd_u32(&r, &size));
        if (size > (size_t)(r.end - r.p))
            return MALFORMED(&r,
                             "unexpected end: section size out of bounds (length out of bounds)");
        if (id != 0) {
            if (section_rank(id) <= last)
                return MALFORMED(&r, "unexpected content after last section (section %u)", id);
            last = section_rank(id);
        }
        struct rd sec = {r.p, r.p + size, err};
        TRY(decode_section(&sec, m, id));
        if (sec.p != sec.end) return MALFORMED(&r, "section size mismatch (section %u)", id);
        r.p += size;
    }
    if (m->ncodes != m->nfuncs - m->nfunc_imports)
        return MALFORMED(&r, "function and code section have inconsistent lengths");
    if (m->has_datacount && m->datacount != m->ndatas)
        return MALFORMED(&r, "data count and data section have inconsistent lengths");
    return 0;
}

static void free_names(char **names, uint32_t n)
{
    if (!names) return;
    for (uint32_t i = 0; i < n; i++)
        mem_free(names[i]);
    mem_free(names);
}

/* Frees everything wasm_decode and the compiler attached to m (not m). */
void wasm_module_release(struct wasm_module *m)
{
    for (uint32_t i = 0; m->imports && i < m->nimports; i++) {
        mem_free(m->imports[i].module);
        mem_free(m->imports[i].name);
    }
    mem_free(m->imports);
    for (uint32_t i = 0; m->exports && i < m->nexports; i++)
        mem_free(m->exports[i].name);
    mem_free(m->exports);
    for (uint32_t i = 0; m->elems && i < m->nelems; i++)
        mem_free(m->elems[i].items);
    mem_free(m->elems);
    for (uint32_t i = 0; m->codes && i < m->ncodes; i++) {
        mem_free(m->codes[i].cells);
        mem_free(m->codes[i].consts);
    }
    mem_free(m->codes);
    free_names(m->func_names, m->nfuncs);
    mem_free(m->types);
    mem_free(m->func_types);
    mem_free(m->tables);
    mem_free(m->mems);
    mem_free(m->globals);
    mem_free(m->datas);
    mem_free(m->func_refs);
    mem_free(m->bytes);
}
