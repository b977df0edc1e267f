/*
 * lib/wasi/p2.c - the core of WASI 0.2 in lib/wasi: the per-instance
 * resource table, canonical ABI helpers (return areas, allocation through
 * the guest's cabi_realloc, UTF-8 checks, ip-socket-address flattening),
 * error-code mapping, io/error, and whether the app may use the network
 * (wasi_net_allowed).
 *
 * Canonical ABI references: the component model's CanonicalABI.md (lift
 * and lower of strings, lists, variants; "realloc" for values returned to
 * the guest) and the verified summary in the shared WIT folder (ABI.md).
 */
#include "base/env.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/p2.h"

static const char *const type_names[P2_TYPE_COUNT_] = {
    [P2_ERROR] = "error",
    [P2_POLLABLE] = "pollable",
    [P2_INPUT_STREAM] = "input-stream",
    [P2_OUTPUT_STREAM] = "output-stream",
    [P2_NETWORK] = "network",
    [P2_TCP_SOCKET] = "tcp-socket",
    [P2_UDP_SOCKET] = "udp-socket",
    [P2_IN_DGRAM] = "incoming-datagram-stream",
    [P2_OUT_DGRAM] = "outgoing-datagram-stream",
    [P2_RESOLVE] = "resolve-address-stream",
    [P2_FIELDS] = "fields",
    [P2_OUT_REQUEST] = "outgoing-request",
    [P2_OUT_BODY] = "outgoing-body",
    [P2_REQ_OPTIONS] = "request-options",
    [P2_FUTURE_RESPONSE] = "future-incoming-response",
    [P2_IN_RESPONSE] = "incoming-response",
    [P2_IN_BODY] = "incoming-body",
    [P2_FUTURE_TRAILERS] = "future-trailers",
    [P2_DESCRIPTOR] = "descriptor",
    [P2_DIR_STREAM] = "directory-entry-stream",
    [P2_IN_REQUEST] = "incoming-request",
    [P2_RESP_OUTPARAM] = "response-outparam",
    [P2_OUT_RESPONSE] = "outgoing-response",
};

int wasi_p2_new(struct wasi_ctx *w)
{
    w->p2 = mem_zalloc(sizeof *w->p2);
    return w->p2 ? 0 : ERR_NOMEM;
}

void wasi_p2_free(struct wasi_ctx *w)
{
    struct wasi_p2 *p = w->p2;
    if (!p) return;
    /* Children first: repeat until every slot is empty (each pass frees the
     * objects without children, so the depth of the tree bounds the passes). */
    bool left = true;
    while (left) {
        left = false;
        bool freed = false;
        for (uint32_t i = 0; i < p->nslots; i++) {
            struct p2_obj *o = p->slots[i];
            if (!o) continue;
            if (o->children) {
                left = true;
                continue;
            }
            p->slots[i] = NULL;
            if (o->release)
                o->release(w, o);
            else
                p2_obj_free(w, o);
            freed = true;
        }
        if (left && !freed) /* objects held by moved-out owners only: give up */
            break;
    }
    if (p->srv_free) p->srv_free(w);
    for (size_t i = 0; i < ARRAY_SIZE(p->clients); i++)
        if (p->clients[i]) http_client_destroy(p->clients[i]);
    if (p->tls_handle) w->tls->unwrap(w->tls->ctx, p->tls_handle);
    mem_free(p->slots);
    mem_free(p->scratch);
    mem_free(p);
    w->p2 = NULL;
}

void *p2_obj_new(size_t size, enum p2_type type, struct p2_obj *parent,
                 void (*destroy)(struct wasi_ctx *, struct p2_obj *))
{
    struct p2_obj *o = mem_zalloc(size);
    if (!o) return NULL;
    o->type = (uint8_t)type;
    o->size = (uint32_t)size;
    o->parent = parent;
    o->destroy = destroy;
    if (parent) parent->children++;
    return o;
}

void p2_obj_free(struct wasi_ctx *w, struct p2_obj *o)
{
    if (o->destroy) o->destroy(w, o);
    if (o->parent) o->parent->children--;
    budget_move(w->budget, o->charged, 0);
    mem_free(o);
}

int p2_charge(struct wasi_ctx *w, struct p2_obj *o, size_t bytes)
{
    if (budget_move(w->budget, o->charged, bytes)) return ERR_NOMEM;
    o->charged = bytes;
    return 0;
}

size_t p2_heap_cost(size_t size)
{
    if (size == 0) return 0;
    if (size > 2048) return (size + 4095) / 4096 * 4096 + 4096;
    size_t c = 16;
    while (c < size)
        c <<= 1;
    return c;
}

size_t p2_obj_cost(const struct p2_obj *o)
{
    return p2_heap_cost(o->size) + 3 * sizeof(struct p2_obj *);
}

int p2_over_budget(struct wasm_host_call *call, const char *what)
{
    struct wasi_ctx *w = call_ctx(call);
    return wasm_host_trap(call,
                          "%s: the app's WASI resources would pass its %s "
                          "of %zu bytes",
                          what, w->budget == &w->own_budget ? "host memory budget" : "memory limit",
                          w->budget->limit);
}

int p2_put_ctx(struct wasi_ctx *w, struct p2_obj *o, uint32_t *handle)
{
    struct wasi_p2 *p = w->p2;
    if (p2_charge(w, o, p2_obj_cost(o))) {
        p2_obj_free(w, o);
        return ERR_2BIG;
    }
    uint32_t i = p->free_hint;
    while (i < p->nslots && p->slots[i])
        i++;
    if (i == p->nslots) {
        uint32_t n = p->nslots ? p->nslots * 2 : 32;
        struct p2_obj **s = n > (1u << 24) ? NULL : mem_realloc(p->slots, sizeof(*s) * n);
        if (!s) {
            p2_obj_free(w, o);
            return ERR_NOMEM;
        }
        for (uint32_t j = p->nslots; j < n; j++)
            s[j] = NULL;
        p->slots = s;
        p->nslots = n;
    }
    p->slots[i] = o;
    p->free_hint = i + 1;
    *handle = i + 1;
    return 0;
}

int p2_put(struct wasm_host_call *call, struct p2_obj *o, uint32_t *handle)
{
    int rc = p2_put_ctx(call_ctx(call), o, handle);
    if (rc == ERR_2BIG) return p2_over_budget(call, "a new resource");
    if (rc) return wasm_host_trap(call, "out of memory for a resource handle");
    return 0;
}

void *p2_get(struct wasm_host_call *call, uint32_t handle, enum p2_type t)
{
    struct wasi_p2 *p = call_ctx(call)->p2;
    if (handle == 0 || handle > p->nslots) return NULL;
    struct p2_obj *o = p->slots[handle - 1];
    return o && o->type == t ? o : NULL;
}

static void slot_free(struct wasi_p2 *p, uint32_t handle)
{
    p->slots[handle - 1] = NULL;
    p->free_hint = MIN(p->free_hint, handle - 1);
}

void *p2_take(struct wasm_host_call *call, uint32_t handle, enum p2_type t)
{
    struct p2_obj *o = p2_get(call, handle, t);
    if (o) slot_free(call_ctx(call)->p2, handle);
    return o;
}

int p2_bad_handle(struct wasm_host_call *call, uint32_t handle, enum p2_type t)
{
    return wasm_host_trap(call, "unknown handle %u for a %s", handle, type_names[t]);
}

int p2_drop(struct wasm_host_call *call, uint32_t handle, enum p2_type t)
{
    struct p2_obj *o = p2_get(call, handle, t);
    if (!o) return p2_bad_handle(call, handle, t);
    if (o->children)
        return wasm_host_trap(call, "%s %u dropped while it still has %u child resource(s)",
                              type_names[t], handle, o->children);
    slot_free(call_ctx(call)->p2, handle);
    p2_obj_free(call_ctx(call), o);
    return 0;
}

uint8_t *p2_ret(struct wasm_host_call *call, uint32_t ptr, uint32_t size, uint32_t align)
{
    if (ptr & (align - 1)) return NULL;
    uint8_t *p = guest_ptr(call, ptr, size);
    if (p) memset(p, 0, size);
    return p;
}

int p2_bad_ret(struct wasm_host_call *call, uint32_t ptr)
{
    return wasm_host_trap(call, "return area at %u is out of bounds or misaligned", ptr);
}

int p2_ret_handle(struct wasm_host_call *call, uint32_t ptr, bool failed, uint8_t code, uint32_t h)
{
    uint8_t *ret = p2_ret(call, ptr, 8, 4);
    if (!ret) return p2_bad_ret(call, ptr);
    if (failed) {
        ret[0] = 1;
        ret[4] = code;
    } else {
        le32_put(ret + 4, h);
    }
    return 0;
}

int p2_bad_ptr(struct wasm_host_call *call, const char *what)
{
    return wasm_host_trap(call, "%s out of bounds or not UTF-8", what);
}

int p2_realloc(struct wasm_host_call *call, uint32_t ptr, uint32_t old, uint32_t align,
               uint32_t new_size, uint32_t *out)
{
    struct wasi_ctx *w = call_ctx(call);
    if (!w->realloc_looked_up) {
        w->realloc = wasm_instance_func(call->instance, "cabi_realloc");
        w->realloc_looked_up = true;
        const struct wasm_functype *t = w->realloc ? wasm_func_type(w->realloc) : NULL;
        if (t && (t->nparams != 4 || t->nresults != 1 || t->results[0] != WASM_I32))
            w->realloc = NULL;
    }
    if (!w->realloc && w->lowered)
        return wasm_host_trap(call, "canon lower has no realloc option (needed for a list)");
    if (!w->realloc)
        return wasm_host_trap(call, "the module exports no cabi_realloc (needed for a list)");
    wasm_value args[4], res;
    args[0].u32 = ptr;
    args[1].u32 = old;
    args[2].u32 = align;
    args[3].u32 = new_size;
    struct wasm_trap trap;
    w->in_realloc = true;
    int rc = wasm_call(w->realloc, args, 4, &res, 1, &trap);
    w->in_realloc = false;
    if (rc) return wasm_host_trap(call, "cabi_realloc failed: %s", trap.reason);
    if ((res.u32 & (align - 1)) || !guest_ptr(call, res.u32, new_size))
        return wasm_host_trap(call, "cabi_realloc returned a bad pointer %u", res.u32);
    *out = res.u32;
    return 0;
}

int p2_alloc(struct wasm_host_call *call, uint32_t align, uint32_t size, uint32_t *out)
{
    if (size == 0) { /* the canonical ABI does not call realloc for nothing */
        *out = align;
        return 0;
    }
    return p2_realloc(call, 0, 0, align, size, out);
}

int p2_alloc_copy(struct wasm_host_call *call, const void *src, uint32_t len, uint32_t *out)
{
    int rc = p2_alloc(call, 1, len, out);
    if (rc == 0 && len) memcpy(guest_ptr(call, *out, len), src, len);
    return rc;
}

/* RFC 3629 section 4: well-formed UTF-8 (no overlongs, no surrogates). */
static bool utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xe0) == 0xc0 ? 2
                     : (c & 0xf0) == 0xe0 ? 3
                     : (c & 0xf8) == 0xf0 ? 4
                                          : 0;
        if (!len || i + len > n || (len == 2 && c < 0xc2) || (len == 4 && c > 0xf4)) return false;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80) return false;
        if (len == 3 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] >= 0xa0)))
            return false;
        if (len == 4 && ((c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] >= 0x90)))
            return false;
        i += len;
    }
    return true;
}

const uint8_t *p2_arg_bytes(struct wasm_host_call *call, uint32_t ptr, uint32_t len, bool utf8)
{
    const uint8_t *p = guest_ptr(call, ptr, len);
    if (p && utf8 && !utf8_valid(p, len)) return NULL;
    return p ? p : (len == 0 ? (const uint8_t *)"" : NULL);
}

int p2_addr_from_flat(const wasm_value *v, struct wasi_port_addr *out)
{
    memset(out, 0, sizeof *out);
    if (v[0].u32 == 0) {
        out->family = 4;
        out->port = (uint16_t)v[1].u32;
        for (int i = 0; i < 4; i++)
            out->addr[i] = (uint8_t)v[2 + i].u32;
        return 0;
    }
    if (v[0].u32 == 1) {
        out->family = 6;
        out->port = (uint16_t)v[1].u32;
        out->flowinfo = v[2].u32;
        for (int i = 0; i < 8; i++)
            be16_put(out->addr + 2 * i, (uint16_t)v[3 + i].u32);
        out->scope_id = v[11].u32;
        return 0;
    }
    return ERR_INVAL;
}

/* ip-socket-address: tag u8 @0; ipv4 {port u16 @4, octets @6..9};
 * ipv6 {port u16 @4, flow-info u32 @8, segments u16 @12..26, scope-id @28}. */
void p2_addr_put(uint8_t *p, const struct wasi_port_addr *a)
{
    memset(p, 0, 32);
    if (a->family == 6) {
        p[0] = 1;
        le16_put(p + 4, a->port);
        le32_put(p + 8, a->flowinfo);
        for (int i = 0; i < 8; i++)
            le16_put(p + 12 + 2 * i, be16_get(a->addr + 2 * i));
        le32_put(p + 28, a->scope_id);
    } else {
        le16_put(p + 4, a->port);
        memcpy(p + 6, a->addr, 4);
    }
}

int p2_addr_get(const uint8_t *p, struct wasi_port_addr *out)
{
    memset(out, 0, sizeof *out);
    if (p[0] == 0) {
        out->family = 4;
        out->port = le16_get(p + 4);
        memcpy(out->addr, p + 6, 4);
        return 0;
    }
    if (p[0] == 1) {
        out->family = 6;
        out->port = le16_get(p + 4);
        out->flowinfo = le32_get(p + 8);
        for (int i = 0; i < 8; i++)
            be16_put(out->addr + 2 * i, le16_get(p + 12 + 2 * i));
        out->scope_id = le32_get(p + 28);
        return 0;
    }
    return ERR_INVAL;
}

uint8_t p2_sock_error(int err)
{
    switch (err) {
    case ERR_ACCES:
    case ERR_PERM: return SE_ACCESS_DENIED;
    case ERR_NOTSUP:
    case ERR_NOSYS: return SE_NOT_SUPPORTED;
    case ERR_INVAL: return SE_INVALID_ARGUMENT;
    case ERR_NOMEM:
    case ERR_NOBUFS: return SE_OUT_OF_MEMORY;
    case ERR_TIMEDOUT: return SE_TIMEOUT;
    case ERR_AGAIN: return SE_WOULD_BLOCK;
    case ERR_ISCONN:
    case ERR_NOTCONN:
    case ERR_ALREADY: return SE_INVALID_STATE;
    case ERR_MFILE:
    case ERR_NFILE: return SE_NEW_SOCKET_LIMIT;
    case ERR_ADDRNOTAVAIL: return SE_ADDRESS_NOT_BINDABLE;
    case ERR_ADDRINUSE: return SE_ADDRESS_IN_USE;
    case ERR_NETUNREACH:
    case ERR_HOSTUNREACH:
    case ERR_NETDOWN: return SE_REMOTE_UNREACHABLE;
    case ERR_CONNREFUSED: return SE_CONNECTION_REFUSED;
    case ERR_CONNRESET:
    case ERR_PIPE: return SE_CONNECTION_RESET;
    case ERR_CONNABORTED: return SE_CONNECTION_ABORTED;
    case ERR_2BIG: return SE_DATAGRAM_TOO_LARGE;
    case ERR_NXDOMAIN: return SE_NAME_UNRESOLVABLE;
    case ERR_DNSFAIL: return SE_TEMPORARY_RESOLVER_FAILURE;
    default: return SE_UNKNOWN;
    }
}

/* wasi:http/types error-code cases used here (variant order of the WIT). */
enum {
    HE_DNS_TIMEOUT = 0,
    HE_DNS_ERROR = 1,
    HE_DESTINATION_UNAVAILABLE = 3,
    HE_CONNECTION_REFUSED = 6,
    HE_CONNECTION_TERMINATED = 7,
    HE_TLS_PROTOCOL_ERROR = 12,
    HE_TLS_CERTIFICATE_ERROR = 13,
    HE_TLS_ALERT_RECEIVED = 14,
    HE_CONNECTION_TIMEOUT = 8,
    HE_CONNECTION_READ_TIMEOUT = 9,
    HE_CONNECTION_WRITE_TIMEOUT = 10,
    HE_REQUEST_BODY_SIZE = 17,
    HE_REQUEST_METHOD_INVALID = 18,
    HE_REQUEST_URI_INVALID = 19,
    HE_REQUEST_URI_TOO_LONG = 20,
    HE_REQUEST_HEADER_SECTION_SIZE = 21,
    HE_RESPONSE_INCOMPLETE = 25,
    HE_RESPONSE_HEADER_SECTION_SIZE = 26,
    HE_RESPONSE_HEADER_SIZE = 27,
    HE_RESPONSE_TRAILER_SECTION_SIZE = 29,
    HE_RESPONSE_TRAILER_SIZE = 30,
    HE_RESPONSE_TRANSFER_CODING = 31,
    HE_RESPONSE_TIMEOUT = 33,
    HE_UPGRADE_FAILED = 34,
    HE_PROTOCOL_ERROR = 35,
    HE_LOOP_DETECTED = 36,
    HE_INTERNAL_ERROR = 38,
};

/* The table of lib/http/fail.h, as cases of wasi:http's error-code. */
uint8_t p2_http_error(int err, enum http_fail fail)
{
    switch (fail) {
    case HTTP_FAIL_STATUS_LINE:
    case HTTP_FAIL_VERSION:
    case HTTP_FAIL_HEADER:
    case HTTP_FAIL_CONTENT_LENGTH:
    case HTTP_FAIL_FRAMING:
    case HTTP_FAIL_CHUNK_SIZE:
    case HTTP_FAIL_CHUNK_DATA:
    case HTTP_FAIL_CHUNK_LINE_SIZE:
    case HTTP_FAIL_LOCATION: return HE_PROTOCOL_ERROR;
    case HTTP_FAIL_UPGRADE: return HE_UPGRADE_FAILED;
    case HTTP_FAIL_TRANSFER_CODING: return HE_RESPONSE_TRANSFER_CODING;
    case HTTP_FAIL_STATUS_LINE_SIZE:
    case HTTP_FAIL_HEADER_SECTION_SIZE:
    case HTTP_FAIL_HEADER_COUNT: return HE_RESPONSE_HEADER_SECTION_SIZE;
    case HTTP_FAIL_HEADER_SIZE: return HE_RESPONSE_HEADER_SIZE;
    case HTTP_FAIL_TRAILER_SIZE: return HE_RESPONSE_TRAILER_SIZE;
    case HTTP_FAIL_TRAILER_SECTION_SIZE: return HE_RESPONSE_TRAILER_SECTION_SIZE;
    case HTTP_FAIL_TRUNCATED: return HE_RESPONSE_INCOMPLETE;
    case HTTP_FAIL_NO_RESPONSE: return HE_CONNECTION_TERMINATED;
    case HTTP_FAIL_URL:
    case HTTP_FAIL_SCHEME: return HE_REQUEST_URI_INVALID;
    case HTTP_FAIL_URL_TOO_LONG: return HE_REQUEST_URI_TOO_LONG;
    case HTTP_FAIL_METHOD: return HE_REQUEST_METHOD_INVALID;
    case HTTP_FAIL_REQUEST_TOO_BIG: return HE_REQUEST_HEADER_SECTION_SIZE;
    case HTTP_FAIL_BODY_LENGTH: return HE_REQUEST_BODY_SIZE;
    case HTTP_FAIL_CONNECT:
        switch (err) {
        case ERR_NXDOMAIN:
        case ERR_DNSFAIL: return HE_DNS_ERROR;
        case ERR_CONNREFUSED: return HE_CONNECTION_REFUSED;
        case ERR_NETUNREACH:
        case ERR_HOSTUNREACH: return HE_DESTINATION_UNAVAILABLE;
        case ERR_TIMEDOUT: return HE_CONNECTION_TIMEOUT;
        default: return HE_INTERNAL_ERROR;
        }
    case HTTP_FAIL_CONNECT_TIMEOUT: return HE_CONNECTION_TIMEOUT;
    case HTTP_FAIL_SEND:
    case HTTP_FAIL_RECV: return HE_CONNECTION_TERMINATED;
    case HTTP_FAIL_SEND_TIMEOUT: return HE_CONNECTION_WRITE_TIMEOUT;
    case HTTP_FAIL_HEADER_TIMEOUT: return HE_RESPONSE_TIMEOUT;
    case HTTP_FAIL_IDLE_TIMEOUT: return HE_CONNECTION_READ_TIMEOUT;
    case HTTP_FAIL_REDIRECTS: return HE_LOOP_DETECTED;
    case HTTP_FAIL_TLS_CERT: return HE_TLS_CERTIFICATE_ERROR;
    case HTTP_FAIL_TLS_ALERT: return HE_TLS_ALERT_RECEIVED;
    case HTTP_FAIL_TLS_PROTOCOL: return HE_TLS_PROTOCOL_ERROR;
    default: return HE_INTERNAL_ERROR;
    }
}

int p2_error_new(struct wasm_host_call *call, int err, int http_code, const char *msg,
                 uint32_t *handle)
{
    struct p2_error *e = p2_obj_new(sizeof *e, P2_ERROR, NULL, NULL);
    if (!e) return wasm_host_trap(call, "out of memory");
    e->err = err;
    e->http_code = http_code;
    str_copy(e->msg, msg ? msg : err_str(err), sizeof e->msg);
    return p2_put(call, &e->h, handle);
}

int p2_stream_error(struct wasm_host_call *call, uint32_t ret_ptr, uint32_t size, uint32_t align,
                    uint32_t case_off, uint32_t handle_off, int err, int http_code, const char *msg)
{
    uint32_t h = 0;
    if (err) {
        int rc = p2_error_new(call, err, http_code, msg, &h);
        if (rc) return rc;
    }
    uint8_t *ret = p2_ret(call, ret_ptr, size, align);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    ret[0] = 1;
    ret[case_off] = err ? 0 : 1; /* last-operation-failed / closed */
    le32_put(ret + handle_off, h);
    return 0;
}

uint8_t *p2_scratch(struct wasi_ctx *w)
{
    if (!w->p2->scratch) w->p2->scratch = mem_alloc(P2_SCRATCH);
    return w->p2->scratch;
}

uint64_t p2_now(struct wasi_ctx *w)
{
    uint64_t now = 0;
    w->port.ops->clock_now(w->port.ctx, WASI_PORT_CLOCK_MONOTONIC, &now);
    return now;
}

bool wasi_net_allowed(struct wasi_ctx *w, const char *what)
{
    if (w->allow_net) return true;
    if (!w->told_net_denied && w->net_denied) w->net_denied(what);
    w->told_net_denied = true;
    return false;
}

P2_DECL(wasi_p2_unimplemented)
{
    (void)a, (void)r;
    return wasm_host_trap(call, "this WASI 0.2 function is not implemented by KPIO");
}

/* ---- wasi:io/error ---------------------------------------------------------- */

P2_IMPL(p2_io_error_error_to_debug_string, uint32_t self, uint32_t ret_ptr)
{
    struct p2_error *e = p2_get(call, self, P2_ERROR);
    if (!e) return p2_bad_handle(call, self, P2_ERROR);
    char msg[sizeof e->msg];
    str_copy(msg, e->msg, sizeof msg);
    uint32_t len = (uint32_t)strlen(msg), ptr;
    int rc = p2_alloc_copy(call, msg, len, &ptr);
    if (rc) return rc;
    uint8_t *ret = p2_ret(call, ret_ptr, 8, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    le32_put(ret, ptr);
    le32_put(ret + 4, len);
    return 0;
}

P2_IMPL(p2_io_error_error_drop, uint32_t self)
{
    return p2_drop(call, self, P2_ERROR);
}
