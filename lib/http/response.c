/*
 * lib/http/response.c - formats a server's HTTP/1.1 response heads, the
 * end of chunked bodies with trailers, and small complete responses (see
 * response.h). Every byte from the caller is checked, so a handler cannot
 * split the response with a CR or LF in a field.
 */
#include "http/response.h"

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "http/chars.h"
#include "http/out.h"

bool http_response_field_owned(const char *name, size_t name_len)
{
    static const char *const owned[] = {"content-length",   "transfer-encoding",
                                        "connection",       "keep-alive",
                                        "proxy-connection", "te",
                                        "upgrade",          "trailer"};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++)
        if (http_eq_lower(name, name_len, owned[i])) return true;
    return false;
}

const char *http_status_reason(int status)
{
    static const struct {
        int status;
        const char *reason;
    } reasons[] = {
        {100, "Continue"},
        {101, "Switching Protocols"},
        {200, "OK"},
        {201, "Created"},
        {202, "Accepted"},
        {204, "No Content"},
        {206, "Partial Content"},
        {301, "Moved Permanently"},
        {302, "Found"},
        {303, "See Other"},
        {304, "Not Modified"},
        {307, "Temporary Redirect"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {401, "Unauthorized"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {408, "Request Timeout"},
        {409, "Conflict"},
        {411, "Length Required"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {415, "Unsupported Media Type"},
        {417, "Expectation Failed"},
        {422, "Unprocessable Content"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {502, "Bad Gateway"},
        {503, "Service Unavailable"},
        {504, "Gateway Timeout"},
        {505, "HTTP Version Not Supported"},
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (reasons[i].status == status) return reasons[i].reason;
    return "";
}

/* Writes the fields of f that are valid and not owned; ERR_INVAL on an
 * invalid one. */
static int put_fields(struct http_out *o, const struct http_fields *f)
{
    size_t n = f ? http_fields_count(f) : 0;
    for (size_t i = 0; i < n; i++) {
        struct http_field x = http_fields_at(f, i);
        if (!http_field_valid(x.name, x.name_len, x.value, x.value_len)) return ERR_INVAL;
        if (http_response_field_owned(x.name, x.name_len)) continue;
        http_out_put(o, x.name, x.name_len);
        http_out_puts(o, ": ");
        http_out_put(o, x.value, x.value_len);
        http_out_puts(o, "\r\n");
    }
    return 0;
}

long http_response_write(const struct http_response_head *r, char *buf, size_t size)
{
    if (r->status < 100 || r->status > 599) return ERR_INVAL;
    struct http_out o = {buf, size, 0, false};
    char line[64];
    size_t k = fmt_snprintf(line, sizeof line, "HTTP/1.1 %d ", r->status);
    http_out_put(&o, line, k);
    http_out_puts(&o, http_status_reason(r->status));
    http_out_puts(&o, "\r\n");
    int err = put_fields(&o, r->fields);
    if (err < 0) return err;
    if (r->body == HTTP_BODY_LENGTH) {
        k = fmt_snprintf(line, sizeof line, "Content-Length: %llu\r\n",
                         (unsigned long long)r->content_length);
        http_out_put(&o, line, k);
    } else if (r->body == HTTP_BODY_CHUNKED) {
        http_out_puts(&o, "Transfer-Encoding: chunked\r\n");
    }
    if (r->close) http_out_puts(&o, "Connection: close\r\n");
    http_out_puts(&o, "\r\n");
    return o.full ? ERR_NOSPC : (long)o.len;
}

long http_trailers_write(const struct http_fields *trailers, char *buf, size_t size)
{
    struct http_out o = {buf, size, 0, false};
    http_out_puts(&o, "0\r\n");
    int err = put_fields(&o, trailers);
    if (err < 0) return err;
    http_out_puts(&o, "\r\n");
    return o.full ? ERR_NOSPC : (long)o.len;
}

long http_response_simple(int status, bool close, char *buf, size_t size)
{
    const char *reason = http_status_reason(status);
    size_t blen = 5 + strlen(reason); /* "ddd " reason "\n" */
    size_t n = fmt_snprintf(buf, size,
                            "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                            "Content-Length: %u\r\n%s\r\n%d %s\n",
                            status, reason, (unsigned)blen, close ? "Connection: close\r\n" : "",
                            status, reason);
    return n >= size ? ERR_NOSPC : (long)n;
}
