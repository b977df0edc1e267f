/*
 * lib/wasi/p2_http_fields.c - wasi:http/types `fields` (headers and
 * trailers), `request-options` and `http-error-code` of WASI 0.2 (wasi-http
 * package.wit). Field names compare case-insensitively (RFC 9110 section
 * 5.1); names must be tokens and values valid field values (RFC 9110
 * 5.5), else header-error.invalid-syntax; the hop-by-hop fields that the
 * HTTP/1.1 client manages itself are header-error.forbidden, as other
 * hosts do. Headers handed out by a request or response are immutable.
 * A fields object holds at most FIELDS_MAX_BYTES of names and values and
 * FIELDS_MAX_COUNT entries (past that the call traps), and its storage
 * counts against the instance's host memory budget (p2_charge).
 */
#include "base/env.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/p2_http.h"

enum { HDR_INVALID_SYNTAX = 0, HDR_FORBIDDEN = 1, HDR_IMMUTABLE = 2 };

#define FIELDS_MAX_BYTES (1u << 20)
#define FIELDS_MAX_COUNT 8192u

static void fields_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    (void)w;
    http_fields_free(&((struct p2_fields *)o)->f);
}

struct p2_fields *p2_fields_alloc(struct p2_obj *parent, bool immutable)
{
    struct p2_fields *f = p2_obj_new(sizeof *f, P2_FIELDS, parent, fields_destroy);
    if (f) {
        f->immutable = immutable;
        http_fields_init(&f->f, FIELDS_MAX_BYTES, FIELDS_MAX_COUNT);
    }
    return f;
}

/* Charges f's object and storage to the budget: 0 or the trap. */
static int fields_charge(struct wasm_host_call *call, struct p2_fields *f)
{
    size_t bytes = p2_obj_cost(&f->h) + p2_heap_cost(f->f.cap) +
                   p2_heap_cost(f->f.slot_cap * sizeof *f->f.slots);
    return p2_charge(call_ctx(call), &f->h, bytes) ? p2_over_budget(call, "fields") : 0;
}

/* The trap for a failed http_fields_add. */
static int add_failed(struct wasm_host_call *call, int err)
{
    if (err == ERR_2BIG)
        return wasm_host_trap(call, "fields: more than %u bytes of names and values or %u fields",
                              FIELDS_MAX_BYTES, FIELDS_MAX_COUNT);
    return wasm_host_trap(call, "out of memory");
}

/* Puts f in the table and charges what it holds. */
static int fields_put(struct wasm_host_call *call, struct p2_fields *f, uint32_t *handle)
{
    int rc = p2_put(call, &f->h, handle);
    return rc ? rc : fields_charge(call, f);
}

int p2_fields_copy(struct http_fields *dst, const struct http_fields *src)
{
    for (size_t i = 0; i < http_fields_count(src); i++) {
        struct http_field e = http_fields_at(src, i);
        int rc = http_fields_add(dst, e.name, e.name_len, e.value, e.value_len);
        if (rc) return rc;
    }
    return 0;
}

int p2_fields_put_copy(struct wasm_host_call *call, const struct http_fields *src,
                       struct p2_obj *parent, uint32_t *handle)
{
    struct p2_fields *f = p2_fields_alloc(parent, true);
    int err = f ? p2_fields_copy(&f->f, src) : ERR_NOMEM;
    if (err) {
        if (f) p2_obj_free(call_ctx(call), &f->h);
        return add_failed(call, err);
    }
    return fields_put(call, f, handle);
}

/* Fields the HTTP/1.1 client frames itself (RFC 9110 7.6.1 and 9112 6). */
static bool forbidden(const uint8_t *name, size_t n)
{
    static const char *const names[] = {
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
        "host",       "te"};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++)
        if (strlen(names[i]) == n && !str_ncasecmp(names[i], (const char *)name, n)) return true;
    return false;
}

/* Checks a name/value pair: -1 if valid, else the header-error case. */
static int check_field(const uint8_t *name, size_t nlen, const uint8_t *value, size_t vlen)
{
    if (!http_field_valid((const char *)name, nlen, (const char *)value, vlen))
        return HDR_INVALID_SYNTAX;
    return forbidden(name, nlen) ? HDR_FORBIDDEN : -1;
}

/* result<_, header-error>: 2 bytes. */
static int put_header_result(struct wasm_host_call *call, uint32_t ret_ptr, int err)
{
    uint8_t *ret = p2_ret(call, ret_ptr, 2, 1);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (err >= 0) {
        ret[0] = 1;
        ret[1] = (uint8_t)err;
    }
    return 0;
}

#define FIELDS_SELF(var)                                                                           \
    struct p2_fields *var = p2_get(call, self, P2_FIELDS);                                         \
    if (!var) return p2_bad_handle(call, self, P2_FIELDS)

P2_IMPL(p2_http_types_fields_new, uint32_t *result)
{
    struct p2_fields *f = p2_fields_alloc(NULL, false);
    if (!f) return wasm_host_trap(call, "out of memory");
    return p2_put(call, &f->h, result);
}

/* from-list(entries: list<tuple<field-name, field-value>>) ->
 * result<own<fields>, header-error>: 8 bytes; entries are 16 bytes. */
P2_IMPL(p2_http_types_fields_from_list, uint32_t entries_ptr, uint32_t entries_len,
        uint32_t ret_ptr)
{
    uint32_t n = entries_len;
    const uint8_t *list = guest_ptr(call, entries_ptr, (uint64_t)n * 16);
    if (!list || (entries_ptr & 3)) return p2_bad_ptr(call, "fields list");
    struct p2_fields *f = p2_fields_alloc(NULL, false);
    if (!f) return wasm_host_trap(call, "out of memory");
    int err = -1;
    for (uint32_t i = 0; i < n && err < 0; i++) {
        const uint8_t *e = list + 16 * (size_t)i;
        uint32_t nlen = le32_get(e + 4), vlen = le32_get(e + 12);
        const uint8_t *name = p2_arg_bytes(call, le32_get(e), nlen, true);
        const uint8_t *value = p2_arg_bytes(call, le32_get(e + 8), vlen, false);
        if (!name || !value) {
            p2_obj_free(call_ctx(call), &f->h);
            return p2_bad_ptr(call, "field");
        }
        err = check_field(name, nlen, value, vlen);
        int add = err < 0
                      ? http_fields_add(&f->f, (const char *)name, nlen, (const char *)value, vlen)
                      : 0;
        if (add) {
            p2_obj_free(call_ctx(call), &f->h);
            return add_failed(call, add);
        }
    }
    uint32_t h = 0;
    if (err >= 0) {
        p2_obj_free(call_ctx(call), &f->h);
    } else {
        int rc = fields_put(call, f, &h);
        if (rc) return rc;
    }
    return p2_ret_handle(call, ret_ptr, err >= 0, (uint8_t)err, h);
}

/* get(name) -> list<field-value>: 8 bytes; elements are {ptr, len}. */
P2_IMPL(p2_http_types_fields_get, uint32_t self, uint32_t name_ptr, uint32_t name_len,
        uint32_t ret_ptr)
{
    FIELDS_SELF(f);
    const uint8_t *arg = p2_arg_bytes(call, name_ptr, name_len, true);
    if (!arg) return p2_bad_ptr(call, "field name");
    /* A host copy: cabi_realloc below may grow (move) linear memory. */
    char *name = mem_alloc(name_len + 1);
    if (!name) return wasm_host_trap(call, "out of memory");
    memcpy(name, arg, name_len);
    uint32_t count = 0, arr;
    for (long i = 0; (i = http_fields_find(&f->f, (const char *)name, name_len, (size_t)i)) >= 0;
         i++)
        count++;
    int rc = p2_alloc(call, 4, count * 8, &arr);
    uint32_t k = 0;
    for (long i = 0;
         !rc && (i = http_fields_find(&f->f, (const char *)name, name_len, (size_t)i)) >= 0; i++) {
        struct http_field e = http_fields_at(&f->f, (size_t)i);
        uint32_t vp;
        rc = p2_alloc_copy(call, e.value, (uint32_t)e.value_len, &vp);
        if (!rc) {
            uint8_t *el = guest_ptr(call, arr + 8ull * k++, 8);
            le32_put(el, vp);
            le32_put(el + 4, (uint32_t)e.value_len);
        }
    }
    mem_free(name);
    if (rc) return rc;
    uint8_t *ret = p2_ret(call, ret_ptr, 8, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le32_put(ret, arr);
    le32_put(ret + 4, count);
    return 0;
}

P2_IMPL(p2_http_types_fields_has, uint32_t self, uint32_t name_ptr, uint32_t name_len,
        uint32_t *result)
{
    FIELDS_SELF(f);
    const uint8_t *name = p2_arg_bytes(call, name_ptr, name_len, true);
    if (!name) return p2_bad_ptr(call, "field name");
    *result = http_fields_find(&f->f, (const char *)name, name_len, 0) >= 0;
    return 0;
}

/* set(name, value: list<field-value>) -> result<_, header-error> */
P2_IMPL(p2_http_types_fields_set, uint32_t self, uint32_t name_ptr, uint32_t name_len,
        uint32_t value_ptr, uint32_t value_len, uint32_t ret_ptr)
{
    FIELDS_SELF(f);
    uint32_t nlen = name_len, n = value_len;
    const uint8_t *name = p2_arg_bytes(call, name_ptr, nlen, true);
    const uint8_t *list = guest_ptr(call, value_ptr, (uint64_t)n * 8);
    if (!name || !list || (value_ptr & 3)) return p2_bad_ptr(call, "field set");
    if (f->immutable) return put_header_result(call, ret_ptr, HDR_IMMUTABLE);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *v =
            p2_arg_bytes(call, le32_get(list + 8 * i), le32_get(list + 8 * i + 4), false);
        if (!v) return p2_bad_ptr(call, "field value");
        int err = check_field(name, nlen, v, le32_get(list + 8 * i + 4));
        if (err >= 0) return put_header_result(call, ret_ptr, err);
    }
    if (n == 0 && (!http_field_valid((const char *)name, nlen, "", 0) || forbidden(name, nlen)))
        return put_header_result(call, ret_ptr,
                                 forbidden(name, nlen) ? HDR_FORBIDDEN : HDR_INVALID_SYNTAX);
    http_fields_remove_n(&f->f, (const char *)name, nlen);
    for (uint32_t i = 0; i < n; i++) {
        int add = http_fields_add(&f->f, (const char *)name, nlen,
                                  (const char *)guest_ptr(call, le32_get(list + 8 * i), 0),
                                  le32_get(list + 8 * i + 4));
        if (add) return add_failed(call, add);
    }
    int rc = fields_charge(call, f);
    return rc ? rc : put_header_result(call, ret_ptr, -1);
}

P2_IMPL(p2_http_types_fields_delete, uint32_t self, uint32_t name_ptr, uint32_t name_len,
        uint32_t ret_ptr)
{
    FIELDS_SELF(f);
    const uint8_t *name = p2_arg_bytes(call, name_ptr, name_len, true);
    if (!name) return p2_bad_ptr(call, "field name");
    if (f->immutable) return put_header_result(call, ret_ptr, HDR_IMMUTABLE);
    if (!http_field_valid((const char *)name, name_len, "", 0))
        return put_header_result(call, ret_ptr, HDR_INVALID_SYNTAX);
    if (forbidden(name, name_len)) return put_header_result(call, ret_ptr, HDR_FORBIDDEN);
    http_fields_remove_n(&f->f, (const char *)name, name_len);
    return put_header_result(call, ret_ptr, -1);
}

/* append(name, value) -> result<_, header-error> */
P2_IMPL(p2_http_types_fields_append, uint32_t self, uint32_t name_ptr, uint32_t name_len,
        uint32_t value_ptr, uint32_t value_len, uint32_t ret_ptr)
{
    FIELDS_SELF(f);
    const uint8_t *name = p2_arg_bytes(call, name_ptr, name_len, true);
    const uint8_t *value = p2_arg_bytes(call, value_ptr, value_len, false);
    if (!name || !value) return p2_bad_ptr(call, "field");
    if (f->immutable) return put_header_result(call, ret_ptr, HDR_IMMUTABLE);
    int err = check_field(name, name_len, value, value_len);
    if (err >= 0) return put_header_result(call, ret_ptr, err);
    int add = http_fields_add(&f->f, (const char *)name, name_len, (const char *)value, value_len);
    if (add) return add_failed(call, add);
    int rc = fields_charge(call, f);
    return rc ? rc : put_header_result(call, ret_ptr, -1);
}

/* entries() -> list<tuple<field-name, field-value>>: 8 bytes, elements 16. */
P2_IMPL(p2_http_types_fields_entries, uint32_t self, uint32_t ret_ptr)
{
    FIELDS_SELF(f);
    uint32_t n = (uint32_t)http_fields_count(&f->f), arr;
    int rc = p2_alloc(call, 4, n * 16, &arr);
    for (uint32_t i = 0; i < n && !rc; i++) {
        struct http_field e = http_fields_at(&f->f, i);
        uint32_t np, vp;
        rc = p2_alloc_copy(call, e.name, (uint32_t)e.name_len, &np);
        if (!rc) rc = p2_alloc_copy(call, e.value, (uint32_t)e.value_len, &vp);
        if (!rc) {
            uint8_t *el = guest_ptr(call, arr + 16ull * i, 16);
            le32_put(el, np);
            le32_put(el + 4, (uint32_t)e.name_len);
            le32_put(el + 8, vp);
            le32_put(el + 12, (uint32_t)e.value_len);
        }
    }
    if (rc) return rc;
    uint8_t *ret = p2_ret(call, ret_ptr, 8, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le32_put(ret, arr);
    le32_put(ret + 4, n);
    return 0;
}

/* clone() -> own<fields>: a mutable copy. */
P2_IMPL(p2_http_types_fields_clone, uint32_t self, uint32_t *result)
{
    FIELDS_SELF(f);
    struct p2_fields *c = p2_fields_alloc(NULL, false);
    int err = c ? p2_fields_copy(&c->f, &f->f) : ERR_NOMEM;
    if (err) {
        if (c) p2_obj_free(call_ctx(call), &c->h);
        return add_failed(call, err);
    }
    return fields_put(call, c, result);
}

P2_IMPL(p2_http_types_fields_drop, uint32_t self)
{
    return p2_drop(call, self, P2_FIELDS);
}

/* ---- request-options ------------------------------------------------------------ */

P2_IMPL(p2_http_types_request_options_new, uint32_t *result)
{
    struct p2_req_options *o = p2_obj_new(sizeof *o, P2_REQ_OPTIONS, NULL, NULL);
    if (!o) return wasm_host_trap(call, "out of memory");
    return p2_put(call, &o->h, result);
}

/* option<duration>: 16 bytes, align 8. */
static int get_timeout(struct wasm_host_call *call, uint32_t self, uint32_t ret_ptr, int which)
{
    struct p2_req_options *o = p2_get(call, self, P2_REQ_OPTIONS);
    if (!o) return p2_bad_handle(call, self, P2_REQ_OPTIONS);
    uint8_t *ret = p2_ret(call, ret_ptr, 16, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    ret[0] = o->has[which];
    le64_put(ret + 8, o->ns[which]);
    return 0;
}

/* set-*(duration: option<duration>) -> result: 0 ok / 1 err. */
static int set_timeout(struct wasm_host_call *call, uint32_t self, uint32_t has_duration,
                       uint64_t duration, uint32_t *result, int which)
{
    struct p2_req_options *o = p2_get(call, self, P2_REQ_OPTIONS);
    if (!o) return p2_bad_handle(call, self, P2_REQ_OPTIONS);
    o->has[which] = has_duration != 0;
    o->ns[which] = o->has[which] ? duration : 0;
    *result = 0;
    return 0;
}

P2_IMPL(p2_http_types_request_options_connect_timeout, uint32_t self, uint32_t ret_ptr)
{
    return get_timeout(call, self, ret_ptr, 0);
}

P2_IMPL(p2_http_types_request_options_set_connect_timeout, uint32_t self, uint32_t has_duration,
        uint64_t duration, uint32_t *result)
{
    return set_timeout(call, self, has_duration, duration, result, 0);
}

P2_IMPL(p2_http_types_request_options_first_byte_timeout, uint32_t self, uint32_t ret_ptr)
{
    return get_timeout(call, self, ret_ptr, 1);
}

P2_IMPL(p2_http_types_request_options_set_first_byte_timeout, uint32_t self, uint32_t has_duration,
        uint64_t duration, uint32_t *result)
{
    return set_timeout(call, self, has_duration, duration, result, 1);
}

P2_IMPL(p2_http_types_request_options_between_bytes_timeout, uint32_t self, uint32_t ret_ptr)
{
    return get_timeout(call, self, ret_ptr, 2);
}

P2_IMPL(p2_http_types_request_options_set_between_bytes_timeout, uint32_t self,
        uint32_t has_duration, uint64_t duration, uint32_t *result)
{
    return set_timeout(call, self, has_duration, duration, result, 2);
}

P2_IMPL(p2_http_types_request_options_drop, uint32_t self)
{
    return p2_drop(call, self, P2_REQ_OPTIONS);
}

/* http-error-code(err: borrow<io-error>) -> option<error-code>: 40 bytes,
 * align 8: [0] option tag, [8] the error-code case (payloads none). */
P2_IMPL(p2_http_types_http_error_code, uint32_t err, uint32_t ret_ptr)
{
    struct p2_error *e = p2_get(call, err, P2_ERROR);
    if (!e) return p2_bad_handle(call, err, P2_ERROR);
    uint8_t *ret = p2_ret(call, ret_ptr, 40, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (e->http_code >= 0) {
        ret[0] = 1;
        ret[8] = (uint8_t)e->http_code;
    }
    return 0;
}
