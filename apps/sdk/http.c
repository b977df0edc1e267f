/*
 * apps/sdk/http.c - HTTP GET over wasi:http 0.2 with redirects and a
 * streamed body (sdk/http.h). One exchange is: fields + outgoing-request
 * (method GET, scheme HTTP, authority, path-with-query), request-options
 * with the timeouts, outgoing-handler.handle, waiting on the
 * future-incoming-response, then status and headers, and the body through
 * incoming-body's input-stream, which incoming-body.finish ends. Return
 * areas and error-code layouts are those of ../shared/wit/ABI.md.
 */
#include "sdk/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/url.h"

/* One response whose body has not been read yet. Handles are 0 when
 * absent; they are dropped children first (http_exchange_drop). */
struct exchange {
    int32_t future, response, body, stream;
    int status;
    int64_t content_length;
    char *location; /* malloc'd, or NULL */
};

void http_get_opts_default(struct http_get_opts *o)
{
    memset(o, 0, sizeof *o);
    o->connect_timeout_ns = 10ull * 1000000000u;
    o->first_byte_timeout_ns = 30ull * 1000000000u;
    o->between_bytes_timeout_ns = 30ull * 1000000000u;
    o->max_redirects = 10;
    o->read_size = 64 * 1024;
}

static void exchange_drop(struct exchange *x)
{
    if (x->stream) wasi_io_streams_input_stream_drop(x->stream);
    if (x->body) wasi_http_types_incoming_body_drop(x->body);
    if (x->response) wasi_http_types_incoming_response_drop(x->response);
    if (x->future) wasi_http_types_future_incoming_response_drop(x->future);
    free(x->location);
    memset(x, 0, sizeof *x);
}

/* ---- error-code ----------------------------------------------------------------- */

static const char *http_code_text(int code)
{
    switch (code) {
    case WASI_HTTP_TYPES_ERROR_CODE_DNS_TIMEOUT: return "DNS timeout";
    case WASI_HTTP_TYPES_ERROR_CODE_DNS_ERROR: return "DNS error";
    case WASI_HTTP_TYPES_ERROR_CODE_DESTINATION_NOT_FOUND: return "unknown host";
    case WASI_HTTP_TYPES_ERROR_CODE_DESTINATION_UNAVAILABLE: return "destination unavailable";
    case WASI_HTTP_TYPES_ERROR_CODE_DESTINATION_IP_UNROUTABLE: return "no route to host";
    case WASI_HTTP_TYPES_ERROR_CODE_CONNECTION_REFUSED: return "connection refused";
    case WASI_HTTP_TYPES_ERROR_CODE_CONNECTION_TERMINATED: return "connection closed by the server";
    case WASI_HTTP_TYPES_ERROR_CODE_CONNECTION_TIMEOUT: return "connection timed out";
    case WASI_HTTP_TYPES_ERROR_CODE_CONNECTION_READ_TIMEOUT: return "read timed out";
    case WASI_HTTP_TYPES_ERROR_CODE_CONNECTION_WRITE_TIMEOUT: return "write timed out";
    case WASI_HTTP_TYPES_ERROR_CODE_HTTP_RESPONSE_INCOMPLETE: return "incomplete response";
    case WASI_HTTP_TYPES_ERROR_CODE_HTTP_PROTOCOL_ERROR: return "HTTP protocol error";
    case WASI_HTTP_TYPES_ERROR_CODE_HTTP_RESPONSE_TIMEOUT: return "response timed out";
    case WASI_HTTP_TYPES_ERROR_CODE_INTERNAL_ERROR: return "internal error";
    case WASI_HTTP_TYPES_ERROR_CODE_TLS_PROTOCOL_ERROR: return "TLS error";
    case WASI_HTTP_TYPES_ERROR_CODE_TLS_CERTIFICATE_ERROR: return "TLS certificate refused";
    case WASI_HTTP_TYPES_ERROR_CODE_TLS_ALERT_RECEIVED: return "TLS alert";
    default: return wasi2_http_code_name(code);
    }
}

/* An option<string> at p (tag, then ptr and len at p + 4 and p + 8). */
static const char *opt_string(const uint8_t *p, uint32_t *len)
{
    uint32_t ptr;
    if (p[0] == 0) return NULL;
    memcpy(&ptr, p + 4, 4);
    memcpy(len, p + 8, 4);
    if (*len > 200) *len = 200;
    return (const char *)(uintptr_t)ptr;
}

/* Records the error-code variant at p: its u8 case at p[0], the payload
 * from p + 8 (the variant is 8-aligned because of its u64 cases). */
static void http_failed(const uint8_t *p)
{
    int code = p[0];
    const uint8_t *payload = p + 8;
    uint32_t len = 0;
    const char *s = NULL;
    if (code == WASI_HTTP_TYPES_ERROR_CODE_DNS_ERROR ||
        code == WASI_HTTP_TYPES_ERROR_CODE_INTERNAL_ERROR ||
        code == WASI_HTTP_TYPES_ERROR_CODE_HTTP_RESPONSE_TRANSFER_CODING ||
        code == WASI_HTTP_TYPES_ERROR_CODE_HTTP_RESPONSE_CONTENT_CODING)
        s = opt_string(payload, &len); /* DNS-error's rcode, or the option<string> */
    else if (code == WASI_HTTP_TYPES_ERROR_CODE_TLS_ALERT_RECEIVED)
        s = opt_string(payload + 4, &len); /* alert-id: option<u8>, alert-message */
    if (s && len > 0)
        wasi2_set_error(WASI2_ERR_HTTP, code, "%s (%.*s)", http_code_text(code), (int)len, s);
    else
        wasi2_set_error(WASI2_ERR_HTTP, code, "%s", http_code_text(code));
}

/* ---- the request ------------------------------------------------------------------ */

/* Sets the three timeouts; a host that cannot honour one says err, which
 * is not a failure of the request. */
static int32_t make_options(const struct http_get_opts *o)
{
    int32_t opts = wasi_http_types_request_options_new();
    if (o->connect_timeout_ns)
        (void)wasi_http_types_request_options_set_connect_timeout(opts, 1,
                                                                  (int64_t)o->connect_timeout_ns);
    if (o->first_byte_timeout_ns)
        (void)wasi_http_types_request_options_set_first_byte_timeout(
            opts, 1, (int64_t)o->first_byte_timeout_ns);
    if (o->between_bytes_timeout_ns)
        (void)wasi_http_types_request_options_set_between_bytes_timeout(
            opts, 1, (int64_t)o->between_bytes_timeout_ns);
    return opts;
}

static int32_t make_request(const struct http_url *u)
{
    int32_t headers = wasi_http_types_fields_new();
    static const char ua_name[] = "user-agent", ua[] = "kpio-fetch/1";
    _Alignas(8) uint8_t ret[4];
    wasi_http_types_fields_append(headers, (int32_t)(uintptr_t)ua_name, sizeof ua_name - 1,
                                  (int32_t)(uintptr_t)ua, sizeof ua - 1,
                                  (int32_t)(uintptr_t)ret);      /* forbidden on some hosts: fine */
    int32_t req = wasi_http_types_outgoing_request_new(headers); /* headers move in */
    /* http_url_resolve's output: a path of at least "/", the query after it */
    size_t target_len = u->path_len + u->query_len;
    if (u->path_len == 0 ||
        wasi_http_types_outgoing_request_set_method(req, WASI_HTTP_TYPES_METHOD_GET, 0, 0) != 0 ||
        wasi_http_types_outgoing_request_set_scheme(
            req, 1, u->https ? WASI_HTTP_TYPES_SCHEME_HTTPS : WASI_HTTP_TYPES_SCHEME_HTTP, 0, 0) !=
            0 ||
        wasi_http_types_outgoing_request_set_authority(req, 1, (int32_t)(uintptr_t)u->authority,
                                                       (int32_t)u->authority_len) != 0 ||
        wasi_http_types_outgoing_request_set_path_with_query(req, 1, (int32_t)(uintptr_t)u->path,
                                                             (int32_t)target_len) != 0) {
        wasi_http_types_outgoing_request_drop(req);
        return 0;
    }
    return req;
}

/* The first value of a header, or NULL; allocated with malloc. */
static char *header_value(int32_t fields, const char *name)
{
    _Alignas(8) uint8_t ret[8];
    char *value = NULL;
    wasi2_host_mem_begin();
    wasi_http_types_fields_get(fields, (int32_t)(uintptr_t)name, (int32_t)strlen(name),
                               (int32_t)(uintptr_t)ret);
    uint32_t list, count;
    memcpy(&list, ret, 4);
    memcpy(&count, ret + 4, 4);
    if (count > 0) {
        uint32_t ptr, len;
        memcpy(&ptr, (const uint8_t *)(uintptr_t)list, 4);
        memcpy(&len, (const uint8_t *)(uintptr_t)list + 4, 4);
        if (len < HTTP_GET_URL_MAX && (value = malloc(len + 1)) != NULL) {
            memcpy(value, (const void *)(uintptr_t)ptr, len);
            value[len] = '\0';
        }
    }
    wasi2_host_mem_end();
    return value;
}

/* Content-Length (RFC 9110 section 8.6): 1*DIGIT; -1 if absent or bad. */
static int64_t parse_content_length(const char *s)
{
    if (!s || !*s) return -1;
    int64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (INT64_MAX - 9) / 10) return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

/* Sends the request for url and waits for the response head. Returns 0
 * with *x filled, or -1. ABI: handle's ret 40 B ([0] tag, [8] handle or
 * error-code); future.get's ret 56 B ([0] option, [8] outer result,
 * [16] inner result, [24] handle or error-code). */
static int send_request(const char *url, const struct http_get_opts *o, struct exchange *x)
{
    struct http_url u;
    enum http_fail fail = HTTP_FAIL_NONE;
    memset(x, 0, sizeof *x);
    if (http_url_parse(url, strlen(url), &u, &fail) < 0) {
        wasi2_set_error(WASI2_ERR_OTHER, 0, "%s: %s", url, http_fail_str(fail));
        return -1;
    }
    int32_t req = make_request(&u);
    if (!req) {
        wasi2_set_error(WASI2_ERR_OTHER, 0, "%s: the host refused the request line", url);
        return -1;
    }
    _Alignas(8) uint8_t ret[56];
    wasi2_host_mem_begin();
    wasi_http_outgoing_handler_handle(req, 1, make_options(o), (int32_t)(uintptr_t)ret);
    int result = 0;
    if (ret[0] != 0) {
        http_failed(ret + 8);
        result = -1;
    } else {
        memcpy(&x->future, ret + 8, 4);
    }
    wasi2_host_mem_end();
    if (result < 0) return -1;

    int32_t pollable = wasi_http_types_future_incoming_response_subscribe(x->future);
    wasi2_block(pollable);
    wasi_io_poll_pollable_drop(pollable);
    wasi2_host_mem_begin();
    wasi_http_types_future_incoming_response_get(x->future, (int32_t)(uintptr_t)ret);
    if (ret[0] == 0 || ret[8] != 0) {
        wasi2_set_error(WASI2_ERR_OTHER, 0, "the host gave no response after it was ready");
        result = -1;
    } else if (ret[16] != 0) {
        http_failed(ret + 24);
        result = -1;
    } else {
        memcpy(&x->response, ret + 24, 4);
    }
    wasi2_host_mem_end();
    if (result < 0) {
        exchange_drop(x);
        return -1;
    }
    x->status = wasi_http_types_incoming_response_status(x->response) & 0xffff;
    int32_t headers = wasi_http_types_incoming_response_headers(x->response);
    char *cl = header_value(headers, "content-length");
    x->content_length = parse_content_length(cl);
    free(cl);
    x->location = header_value(headers, "location");
    wasi_http_types_fields_drop(headers); /* a child of the response */
    return 0;
}

/* Opens the body stream of x. */
static int open_body(struct exchange *x)
{
    _Alignas(8) uint8_t ret[8];
    wasi_http_types_incoming_response_consume(x->response, (int32_t)(uintptr_t)ret);
    if (ret[0] != 0) {
        wasi2_set_error(WASI2_ERR_OTHER, 0, "the response body was already taken");
        return -1;
    }
    memcpy(&x->body, ret + 4, 4);
    wasi_http_types_incoming_body_stream(x->body, (int32_t)(uintptr_t)ret);
    if (ret[0] != 0) {
        wasi2_set_error(WASI2_ERR_OTHER, 0, "the body stream was already taken");
        return -1;
    }
    memcpy(&x->stream, ret + 4, 4);
    return 0;
}

/* Reads the body to its end through on_body. Returns 0, 1 (stopped by the
 * callback) or -1. */
static int read_body(struct exchange *x, const struct http_get_opts *o,
                     const struct http_get_cb *cb, struct http_get_result *r)
{
    static uint8_t *buf;
    static size_t buf_size;
    if (buf_size < o->read_size) {
        free(buf);
        buf_size = 0;
        if (!(buf = malloc(o->read_size))) {
            wasi2_set_error(WASI2_ERR_OTHER, 0, "out of memory for a %zu-byte buffer",
                            o->read_size);
            return -1;
        }
        buf_size = o->read_size;
    }
    if (open_body(x) < 0) return -1;
    for (;;) {
        long n = wasi2_read(x->stream, buf, o->read_size, true);
        if (n == WASI2_EOF) break;
        if (n < 0) {
            char why[160];
            snprintf(why, sizeof why, "%s", wasi2_errmsg());
            if (x->content_length >= 0)
                wasi2_set_error(WASI2_ERR_STREAM, 0, "body failed after %llu of %lld bytes (%s)",
                                (unsigned long long)r->body_bytes, (long long)x->content_length,
                                why);
            else
                wasi2_set_error(WASI2_ERR_STREAM, 0, "body failed after %llu bytes (%s)",
                                (unsigned long long)r->body_bytes, why);
            return -1;
        }
        r->body_bytes += (uint64_t)n;
        if (n > 0 && cb->on_body && cb->on_body(cb->ctx, buf, (size_t)n) != 0) return 1;
    }
    wasi_io_streams_input_stream_drop(x->stream);
    x->stream = 0;
    int32_t trailers = wasi_http_types_incoming_body_finish(x->body); /* body moves in */
    x->body = 0;
    wasi_http_types_future_trailers_drop(trailers);
    if (x->content_length >= 0 && r->body_bytes < (uint64_t)x->content_length) {
        wasi2_set_error(WASI2_ERR_HTTP, WASI_HTTP_TYPES_ERROR_CODE_HTTP_RESPONSE_INCOMPLETE,
                        "body ended after %llu of %lld bytes", (unsigned long long)r->body_bytes,
                        (long long)x->content_length);
        return -1;
    }
    return 0;
}

static bool is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

int http_get(const char *url, const struct http_get_opts *o, const struct http_get_cb *cb,
             struct http_get_result *r)
{
    memset(r, 0, sizeof *r);
    r->content_length = -1;
    enum http_fail fail = HTTP_FAIL_NONE;
    if (http_url_resolve(NULL, 0, url, strlen(url), r->url, sizeof r->url, &fail) < 0) {
        wasi2_set_error(WASI2_ERR_OTHER, 0, "%s: %s", url, http_fail_str(fail));
        return -1;
    }
    for (;;) {
        struct exchange x;
        if (send_request(r->url, o, &x) < 0) return -1;
        r->status = x.status;
        r->content_length = x.content_length;
        if (is_redirect(x.status) && x.location) {
            char next[HTTP_GET_URL_MAX];
            int err = 0;
            if (r->redirects >= o->max_redirects) {
                wasi2_set_error(WASI2_ERR_OTHER, 0, "too many redirects (%d)", r->redirects);
                err = -1;
            } else if (http_url_resolve(r->url, strlen(r->url), x.location, strlen(x.location),
                                        next, sizeof next, &fail) < 0) {
                wasi2_set_error(WASI2_ERR_OTHER, 0, "bad redirect to '%s': %s", x.location,
                                http_fail_str(fail));
                err = -1;
            } else if (cb->on_redirect && cb->on_redirect(cb->ctx, x.status, r->url, next)) {
                err = 1;
            }
            exchange_drop(&x);
            if (err) return err;
            memcpy(r->url, next, sizeof next);
            r->redirects++;
            continue;
        }
        struct http_head h = {x.status, x.content_length, r->url, r->redirects};
        int stop = cb->on_head ? cb->on_head(cb->ctx, &h) : 0;
        int result = stop == HTTP_GET_SKIP_BODY ? 0 : stop ? 1 : read_body(&x, o, cb, r);
        exchange_drop(&x);
        return result;
    }
}
