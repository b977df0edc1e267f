/*
 * lib/http/request.c - formats HTTP/1.1 request heads and chunk framing
 * (see request.h). Every byte that comes from the caller is checked, so
 * the request can never be split or smuggled by a CR or LF in a field.
 */
#include "http/request.h"

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "http/chars.h"
#include "http/out.h"

bool http_request_field_forbidden(const char *name, size_t name_len)
{
    static const char *const owned[] = {
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "upgrade"};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        if (http_eq_lower(name, name_len, owned[i])) return true;
    return false;
}

/* request-target and Host: visible ASCII only (no SP, CTL or obs-text). */
static bool visible_ascii(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) return false;
    return true;
}

static int check_head(const struct http_request_head *r, enum http_fail *fail)
{
    if (!r->method || !http_is_token(r->method, strlen(r->method))) {
        *fail = HTTP_FAIL_METHOD;
        return ERR_INVAL;
    }
    if (!visible_ascii(r->target, r->target_len) || !visible_ascii(r->host, r->host_len) ||
        memchr(r->host, '/', r->host_len) || memchr(r->host, '@', r->host_len)) {
        *fail = HTTP_FAIL_URL;
        return ERR_INVAL;
    }
    size_t n = r->fields ? http_fields_count(r->fields) : 0;
    for (size_t i = 0; i < n; i++) {
        struct http_field f = http_fields_at(r->fields, i);
        if (!http_field_valid(f.name, f.name_len, f.value, f.value_len) ||
            http_request_field_forbidden(f.name, f.name_len)) {
            *fail = HTTP_FAIL_REQUEST_FIELD;
            return ERR_INVAL;
        }
    }
    return 0;
}

long http_request_write(const struct http_request_head *r, char *buf, size_t size,
                        enum http_fail *fail)
{
    enum http_fail dummy;
    if (!fail) fail = &dummy;
    *fail = HTTP_FAIL_NONE;
    int err = check_head(r, fail);
    if (err < 0) return err;
    struct http_out o = {buf, size, 0, false};
    http_out_puts(&o, r->method);
    http_out_put(&o, " ", 1);
    http_out_put(&o, r->target, r->target_len);
    http_out_puts(&o, " HTTP/1.1\r\nHost: ");
    http_out_put(&o, r->host, r->host_len);
    http_out_puts(&o, "\r\n");
    size_t n = r->fields ? http_fields_count(r->fields) : 0;
    for (size_t i = 0; i < n; i++) {
        struct http_field f = http_fields_at(r->fields, i);
        http_out_put(&o, f.name, f.name_len);
        http_out_puts(&o, ": ");
        http_out_put(&o, f.value, f.value_len);
        http_out_puts(&o, "\r\n");
    }
    if (r->body == HTTP_BODY_LENGTH) {
        char num[48]; /* "Content-Length: " 16, 20 digits, CRLF */
        size_t k = fmt_snprintf(num, sizeof num, "Content-Length: %llu\r\n",
                                (unsigned long long)r->content_length);
        BASE_ASSERT(k < sizeof num);
        http_out_put(&o, num, k);
    } else if (r->body == HTTP_BODY_CHUNKED) {
        http_out_puts(&o, "Transfer-Encoding: chunked\r\n");
    }
    if (r->close) http_out_puts(&o, "Connection: close\r\n");
    http_out_puts(&o, "\r\n");
    if (o.full) {
        *fail = HTTP_FAIL_REQUEST_TOO_BIG;
        return ERR_NOSPC;
    }
    return (long)o.len;
}

size_t http_chunk_head(char *buf, uint64_t size)
{
    return fmt_snprintf(buf, HTTP_CHUNK_HEAD_MAX, "%llx\r\n", (unsigned long long)size);
}
