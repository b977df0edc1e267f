/*
 * lib/http/client.c - the HTTP/1.1 client of client.h: one exchange at a
 * time over one kept-alive connection, redirects, timeouts, and the body
 * handed out in slices of the receive buffer.
 *
 * Exchange states: IDLE -> (open / start) -> CONNECT -> CONNECTING (a
 * connect in progress, http_client_step only) -> HEAD_OUT -> MEM_OUT (a
 * MEMORY body) -> BODY_OUT (a streamed body) -> SENT -> (response / step)
 * -> HEAD_IN -> BODY_IN -> DONE -> (end) -> IDLE. advance() moves through
 * them; blocking calls wait inside the socket calls, a step gives each
 * call timeout 0 and returns ERR_AGAIN where it would wait, to resume in
 * the same state. Any failure closes the connection and leaves FAILED
 * until the next open or end.
 */
#include "http/client.h"

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "http/chars.h"
#include "http/config.h"
#include "http/request.h"
#include "http/url.h"

enum xstate {
    X_IDLE,
    X_CONNECT,
    X_CONNECTING,
    X_HEAD_OUT,
    X_MEM_OUT,
    X_BODY_OUT,
    X_SENT,
    X_HEAD_IN,
    X_BODY_IN,
    X_DONE,
    X_FAILED
};

#define METHOD_MAX 32

struct http_client {
    struct http_sock sock;
    struct http_sock tls; /* for https URLs; ops NULL: none */
    struct http_client_config cfg;
    struct http_parser parser;
    struct http_fields req_fields, headers, trailers;

    /* The connection, kept between exchanges to conn_host:conn_port. */
    struct http_conn *conn;
    const struct http_sock *cs; /* the socket conn belongs to: &sock or &tls */
    char conn_host[HTTP_MAX_HOST + 1];
    uint16_t conn_port;
    bool conn_https;
    unsigned conn_requests; /* requests sent on conn */
    unsigned connects;
    bool reused; /* the current request went out on a connection used before */

    /* Received bytes not yet parsed are rbuf[rpos..rlen); a body slice
     * handed to read() but not yet copied out is pend[0..pend_len). */
    uint8_t *rbuf;
    size_t rpos, rlen;
    const uint8_t *pend;
    size_t pend_len;

    /* The request, as it will be (re)sent. */
    char method[METHOD_MAX];
    char *url, *scratch, *head; /* HTTP_MAX_URL, HTTP_MAX_URL, HTTP_MAX_REQUEST_HEAD */
    struct http_url u;
    enum http_client_body body_kind;
    const uint8_t *body;
    size_t body_len;
    int64_t stream_length;
    uint64_t streamed;
    unsigned redirects;
    uint32_t connect_ms, header_ms, idle_ms; /* this request's timeouts */
    size_t head_len;                         /* the formatted head in c->head */

    /* Progress: bytes of the head or MEMORY body sent, the deadline of the
     * current wait (now_ms clock), whether the request was already sent
     * once more on a new connection, and whether the exchange is stepped
     * (socket calls do not wait). */
    size_t out_pos;
    uint64_t deadline;
    bool retried;
    bool nb;
    bool body_nb; /* this body read does not wait (http_client_try_read_slice); its idle
                     deadline is c->deadline */
    /* A STREAM body written without waiting (http_client_try_write):
     * framing bytes still to go out (a chunk's head, its CRLF, the last
     * chunk), frame[frame_pos..frame_len), and the data bytes the current
     * chunk (or Content-Length) still owes, offered again by the caller. */
    char frame[HTTP_CHUNK_HEAD_MAX + 2 + sizeof HTTP_CHUNK_LAST];
    size_t frame_pos, frame_len;
    uint64_t chunk_left;
    bool last_queued; /* the end of the body is in frame */
    bool write_waits; /* the last try_write took nothing: its idle deadline runs */

    enum xstate state;
    int status;
    enum http_fail fail;
    char msg[224];
};

void http_client_config_default(struct http_client_config *cfg)
{
    cfg->connect_timeout_ms = HTTP_CONNECT_TIMEOUT_MS;
    cfg->header_timeout_ms = HTTP_HEADER_TIMEOUT_MS;
    cfg->idle_timeout_ms = HTTP_IDLE_TIMEOUT_MS;
    cfg->max_redirects = HTTP_MAX_REDIRECTS;
    cfg->keep_alive = true;
    cfg->recv_buffer = HTTP_RECV_BUFFER;
    cfg->limits = http_limits_default();
}

/* ---- errors and the connection ----------------------------------------- */

static void close_conn(struct http_client *c)
{
    if (c->conn) c->cs->ops->close(c->cs->ctx, c->conn);
    c->conn = NULL;
    c->conn_requests = 0;
    c->rpos = c->rlen = 0;
    c->pend_len = 0;
}

/* The failures that leave the connection and the exchange as they were:
 * a request refused before anything was sent, or a call out of order. */
static bool fail_is_harmless(enum http_fail kind)
{
    switch (kind) {
    case HTTP_FAIL_METHOD:
    case HTTP_FAIL_URL:
    case HTTP_FAIL_URL_TOO_LONG:
    case HTTP_FAIL_SCHEME:
    case HTTP_FAIL_REQUEST_FIELD:
    case HTTP_FAIL_REQUEST_TOO_BIG:
    case HTTP_FAIL_STATE: return true;
    default: return false;
    }
}

/* Records a failure: kind, the error to return (0: the kind's own), and a
 * message "<what>: <detail>". Unless the failure is harmless, closes the
 * connection and fails the exchange. Returns the error. */
__attribute__((format(printf, 4, 5))) static int
set_fail(struct http_client *c, enum http_fail kind, int err, const char *detail, ...)
{
    c->fail = kind;
    if (err == 0) err = http_fail_err(kind);
    size_t n = fmt_snprintf(c->msg, sizeof c->msg, "%s", http_fail_str(kind));
    if (detail && n + 2 < sizeof c->msg) {
        va_list ap;
        va_start(ap, detail);
        c->msg[n++] = ':';
        c->msg[n++] = ' ';
        fmt_vsnprintf(c->msg + n, sizeof c->msg - n, detail, ap);
        va_end(ap);
    }
    if (!fail_is_harmless(kind)) {
        close_conn(c);
        c->state = X_FAILED;
    }
    return err;
}

static int parser_fail(struct http_client *c, int err)
{
    return set_fail(c, http_parser_fail(&c->parser), err, "byte %llu of the response from %s:%u",
                    (unsigned long long)http_parser_offset(&c->parser), c->conn_host, c->conn_port);
}

static bool same_host(const struct http_client *c, const struct http_url *u)
{
    return u->port == c->conn_port && u->https == c->conn_https &&
           u->host_len == strlen(c->conn_host) &&
           str_ncasecmp(u->host, c->conn_host, u->host_len) == 0;
}

/* A kept connection is usable if the peer has neither closed it nor sent
 * anything since the last response: a recv that does not wait must time
 * out. */
static bool conn_alive(struct http_client *c)
{
    long n = c->cs->ops->recv(c->cs->ctx, c->conn, c->rbuf, c->cfg.recv_buffer, 0);
    return n == ERR_TIMEDOUT;
}

static bool is_tls_err(long err)
{
    return err == ERR_TLS_CERT || err == ERR_TLS_ALERT || err == ERR_TLS_PROTO;
}

/* Fails with the TLS socket's own message for an ERR_TLS_* value. */
static int tls_fail(struct http_client *c, int err)
{
    const struct http_sock *s = c->cs ? c->cs : &c->tls;
    const char *why = s->ops && s->ops->error ? s->ops->error(s->ctx) : NULL;
    enum http_fail kind = err == ERR_TLS_CERT    ? HTTP_FAIL_TLS_CERT
                          : err == ERR_TLS_ALERT ? HTTP_FAIL_TLS_ALERT
                                                 : HTTP_FAIL_TLS_PROTOCOL;
    return set_fail(c, kind, err, "%s:%u: %s", c->conn_host, c->conn_port,
                    why && why[0] ? why : err_name(err));
}

static uint64_t now_ms(const struct http_client *c)
{
    return c->sock.ops->now_ms(c->sock.ctx);
}

static int connect_fail(struct http_client *c, int r)
{
    if (is_tls_err(r)) return tls_fail(c, r);
    return set_fail(c, r == ERR_TIMEDOUT ? HTTP_FAIL_CONNECT_TIMEOUT : HTTP_FAIL_CONNECT, r,
                    "%s:%u: %s", c->conn_host, c->conn_port, err_name(r));
}

/* The connection is there: the head goes out next. */
static void start_send(struct http_client *c)
{
    c->state = X_HEAD_OUT;
    c->out_pos = 0;
    c->deadline = now_ms(c) + c->idle_ms;
}

/* CONNECT: reuses the kept connection to the current URL's host and port,
 * or opens one (a stepped exchange only starts it: CONNECTING). */
static int ensure_conn(struct http_client *c)
{
    if (c->u.https && !c->tls.ops) /* before the kept connection is touched */
        return set_fail(c, HTTP_FAIL_SCHEME, 0, "%.120s needs TLS, which this client was not given",
                        c->url);
    if (c->conn && same_host(c, &c->u) && conn_alive(c)) {
        c->reused = true;
        start_send(c);
        return 0;
    }
    close_conn(c);
    c->reused = false;
    memcpy(c->conn_host, c->u.host, c->u.host_len);
    c->conn_host[c->u.host_len] = '\0';
    c->conn_port = c->u.port;
    c->conn_https = c->u.https;
    c->cs = c->u.https ? &c->tls : &c->sock;
    const struct http_sock_ops *o = c->cs->ops;
    bool stepped = c->nb && o->connect_start && o->connect_result;
    int r = (stepped ? o->connect_start : o->connect)(c->cs->ctx, c->conn_host, c->conn_port,
                                                      c->connect_ms, &c->conn);
    if (r < 0) {
        c->conn = NULL;
        return connect_fail(c, r);
    }
    if (stepped) {
        c->state = X_CONNECTING;
        c->deadline = now_ms(c) + c->connect_ms;
        return 0;
    }
    c->connects++;
    start_send(c);
    return 0;
}

/* CONNECTING: has the connect started by ensure_conn ended? */
static int connecting(struct http_client *c)
{
    int r = c->cs->ops->connect_result(c->cs->ctx, c->conn);
    if (r == ERR_AGAIN) {
        if (now_ms(c) < c->deadline) return ERR_AGAIN;
        r = ERR_TIMEDOUT;
    }
    if (r < 0) return connect_fail(c, r);
    c->connects++;
    start_send(c);
    return 0;
}

/* Takes the result n of a send of len bytes: n, with the idle deadline
 * renewed, or the failure it is (a time-out included). */
static long sent(struct http_client *c, long n, size_t len)
{
    if (is_tls_err(n)) return tls_fail(c, (int)n);
    if (n == ERR_TIMEDOUT)
        return set_fail(c, HTTP_FAIL_SEND_TIMEOUT, 0, "%s:%u", c->conn_host, c->conn_port);
    if (n <= 0 || (size_t)n > len)
        return set_fail(c, HTTP_FAIL_SEND, n < 0 ? (int)n : ERR_IO, "%s:%u: %s", c->conn_host,
                        c->conn_port, err_name(n < 0 ? (int)n : ERR_IO));
    c->deadline = now_ms(c) + c->idle_ms;
    return n;
}

/* Sends data[c->out_pos..len), each wait bounded by the idle timeout; when
 * the exchange is stepped, returns ERR_AGAIN instead of waiting. */
static int send_rest(struct http_client *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (c->out_pos < len) {
        size_t left = len - c->out_pos;
        long n =
            c->cs->ops->send(c->cs->ctx, c->conn, p + c->out_pos, left, c->nb ? 0 : c->idle_ms);
        if (n == ERR_TIMEDOUT && c->nb && now_ms(c) < c->deadline) return ERR_AGAIN;
        n = sent(c, n, left);
        if (n < 0) return (int)n;
        c->out_pos += (size_t)n;
    }
    return 0;
}

/* Sends all of data (a streamed body's piece), waiting as needed. */
static int send_all(struct http_client *c, const void *data, size_t len)
{
    bool nb = c->nb;
    c->nb = false;
    c->out_pos = 0;
    int r = send_rest(c, data, len);
    c->nb = nb;
    return r;
}

/* ---- sending the request ----------------------------------------------- */

static bool method_is(const struct http_client *c, const char *m)
{
    return !strcmp(c->method, m);
}

/* Formats the head of the current request into c->head. */
static long format_head(struct http_client *c)
{
    struct http_request_head h = {
        .method = c->method,
        .target = c->u.path,
        .target_len = c->u.path_len + c->u.query_len,
        .host = c->u.authority,
        .host_len = c->u.authority_len,
        .fields = &c->req_fields,
        .close = !c->cfg.keep_alive,
    };
    if (c->body_kind == HTTP_CLIENT_BODY_MEMORY) {
        h.body = HTTP_BODY_LENGTH;
        h.content_length = c->body_len;
    } else if (c->body_kind == HTTP_CLIENT_BODY_STREAM) {
        h.body = c->stream_length < 0 ? HTTP_BODY_CHUNKED : HTTP_BODY_LENGTH;
        h.content_length = c->stream_length < 0 ? 0 : (uint64_t)c->stream_length;
    } else if (method_is(c, "POST") || method_is(c, "PUT") || method_is(c, "PATCH")) {
        h.body = HTTP_BODY_LENGTH; /* RFC 9110 section 8.6: "SHOULD send Content-Length" */
    }
    enum http_fail kind;
    long n = http_request_write(&h, c->head, HTTP_MAX_REQUEST_HEAD, &kind);
    if (n < 0) return set_fail(c, kind, (int)n, "%s %s", c->method, c->url);
    return n;
}

/* Formats the head of the request to the current URL; the exchange
 * starts over from CONNECT. */
static int begin_request(struct http_client *c)
{
    long head_len = format_head(c);
    if (head_len < 0) return (int)head_len;
    c->head_len = (size_t)head_len;
    c->retried = false;
    c->state = X_CONNECT;
    return 0;
}

/* The head and a MEMORY body are out: the response is next. */
static void request_sent(struct http_client *c)
{
    c->conn_requests++;
    c->fail = HTTP_FAIL_NONE; /* a retry may have succeeded */
    c->msg[0] = '\0';
    c->streamed = 0;
    c->frame_pos = c->frame_len = 0;
    c->chunk_left = 0;
    c->last_queued = c->write_waits = false;
    c->rpos = c->rlen = 0;
    c->pend_len = 0;
    http_parser_start(&c->parser, method_is(c, "HEAD"));
    http_fields_clear(&c->headers);
    http_fields_clear(&c->trailers);
    c->status = 0;
    c->state = c->body_kind == HTTP_CLIENT_BODY_STREAM ? X_BODY_OUT : X_SENT;
}

/* Fails for a URL that http_url_resolve() refused (what: "" for the
 * request's, "redirect to " for a Location). */
static int url_fail(struct http_client *c, enum http_fail kind, int err, const char *what,
                    const char *url, size_t len)
{
    int shown = (int)(len < 120 ? len : 120);
    return set_fail(c, kind, err, "%s%.*s", what, shown, url);
}

/* Copies the method, URL and fields of req into the client. */
static int take_request(struct http_client *c, const struct http_client_request *req)
{
    const char *m = req->method ? req->method : "GET";
    size_t mlen = strlen(m);
    if (mlen >= METHOD_MAX || !http_is_token(m, mlen))
        return set_fail(c, HTTP_FAIL_METHOD, 0, "\"%.32s\"", m);
    memcpy(c->method, m, mlen + 1);
    if (!req->url) return set_fail(c, HTTP_FAIL_URL, 0, "no URL");
    enum http_fail kind;
    long n = http_url_resolve(NULL, 0, req->url, strlen(req->url), c->url, HTTP_MAX_URL, &kind);
    if (n < 0) return url_fail(c, kind, (int)n, "", req->url, strlen(req->url));
    http_url_parse(c->url, (size_t)n, &c->u, NULL);
    http_fields_clear(&c->req_fields);
    for (size_t i = 0; i < req->field_count; i++) {
        const struct http_field *f = &req->fields[i];
        if (!http_field_valid(f->name, f->name_len, f->value, f->value_len) ||
            http_request_field_forbidden(f->name, f->name_len))
            return set_fail(c, HTTP_FAIL_REQUEST_FIELD, 0, "\"%.*s\"",
                            (int)(f->name_len < 64 ? f->name_len : 64), f->name);
        int r = http_fields_add(&c->req_fields, f->name, f->name_len, f->value, f->value_len);
        if (r < 0) return set_fail(c, HTTP_FAIL_NOMEM, r, NULL);
    }
    c->connect_ms = req->connect_timeout_ms ? req->connect_timeout_ms : c->cfg.connect_timeout_ms;
    c->header_ms = req->header_timeout_ms ? req->header_timeout_ms : c->cfg.header_timeout_ms;
    c->idle_ms = req->idle_timeout_ms ? req->idle_timeout_ms : c->cfg.idle_timeout_ms;
    c->body_kind = req->body_kind;
    c->body = req->body;
    c->body_len = req->body_len;
    c->stream_length = req->stream_length;
    if (c->body_kind == HTTP_CLIENT_BODY_MEMORY && !c->body && c->body_len)
        return set_fail(c, HTTP_FAIL_BODY_LENGTH, 0, "no body buffer");
    return 0;
}

static int advance(struct http_client *c, bool to_response);

/* Takes req and starts the exchange (stepped: nb). */
static int begin(struct http_client *c, const struct http_client_request *req, bool nb)
{
    http_client_end(c);
    c->fail = HTTP_FAIL_NONE;
    c->msg[0] = '\0';
    c->redirects = 0;
    c->nb = nb;
    int r = take_request(c, req);
    if (r == 0) r = begin_request(c);
    if (r == 0) r = advance(c, false);
    return r;
}

int http_client_open(struct http_client *c, const struct http_client_request *req)
{
    return begin(c, req, false);
}

int http_client_start(struct http_client *c, const struct http_client_request *req)
{
    int r = begin(c, req, true);
    return r == ERR_AGAIN ? 0 : r;
}

int http_client_write(struct http_client *c, const void *data, size_t len)
{
    if (c->state != X_BODY_OUT)
        return set_fail(c, HTTP_FAIL_STATE, 0, "write without a streamed request body");
    if (len == 0) return 0;
    if (c->stream_length >= 0) {
        if (len > (uint64_t)c->stream_length - c->streamed)
            return set_fail(c, HTTP_FAIL_BODY_LENGTH, 0, "more than %lld bytes",
                            (long long)c->stream_length);
        c->streamed += len;
        return send_all(c, data, len);
    }
    /* chunk = chunk-size CRLF chunk-data CRLF (RFC 9112 section 7.1); small
     * pieces go out framed in one send. */
    c->streamed += len;
    size_t k = http_chunk_head(c->head, len);
    if (k + len + 2 <= HTTP_MAX_REQUEST_HEAD) {
        memcpy(c->head + k, data, len);
        memcpy(c->head + k + len, "\r\n", 2);
        return send_all(c, c->head, k + len + 2);
    }
    int r = send_all(c, c->head, k);
    if (r == 0) r = send_all(c, data, len);
    return r ? r : send_all(c, "\r\n", 2);
}

/* Sends what the socket takes of data now: the count (0 when it takes
 * nothing before the idle deadline), or the failure. */
static long send_some(struct http_client *c, const void *data, size_t len)
{
    long n = c->cs->ops->send(c->cs->ctx, c->conn, data, len, 0);
    if (n == ERR_TIMEDOUT && now_ms(c) < c->deadline) return 0;
    return sent(c, n, len);
}

/* Sends the framing bytes still pending: 1 when they are all out, 0 when
 * the socket is full, or the failure. */
static int send_frame(struct http_client *c)
{
    while (c->frame_pos < c->frame_len) {
        long n = send_some(c, c->frame + c->frame_pos, c->frame_len - c->frame_pos);
        if (n <= 0) return (int)n;
        c->frame_pos += (size_t)n;
    }
    c->frame_pos = c->frame_len = 0;
    return 1;
}

/* Opens the next chunk (or Content-Length stretch) for len more bytes. */
static int open_chunk(struct http_client *c, size_t len)
{
    if (c->stream_length >= 0 && len > (uint64_t)c->stream_length - c->streamed)
        return set_fail(c, HTTP_FAIL_BODY_LENGTH, 0, "more than %lld bytes",
                        (long long)c->stream_length);
    if (c->stream_length < 0) c->frame_len = http_chunk_head(c->frame, len);
    c->frame_pos = 0;
    c->chunk_left = len;
    return 0;
}

/* Sends data bytes of the open chunk: the count (0: the socket is full),
 * or the failure; a chunk that is complete queues its CRLF. */
static long send_chunk_data(struct http_client *c, const uint8_t *data, size_t len)
{
    long n = send_some(c, data, len < c->chunk_left ? len : (size_t)c->chunk_left);
    if (n <= 0) return n;
    c->chunk_left -= (uint64_t)n;
    c->streamed += (uint64_t)n;
    if (c->chunk_left == 0 && c->stream_length < 0) {
        memcpy(c->frame, "\r\n", 2);
        c->frame_pos = 0;
        c->frame_len = 2;
    }
    return n;
}

long http_client_try_write(struct http_client *c, const void *data, size_t len,
                           uint64_t *deadline_ms)
{
    if (c->body_kind == HTTP_CLIENT_BODY_STREAM &&
        (c->state == X_CONNECT || c->state == X_CONNECTING || c->state == X_HEAD_OUT)) {
        c->nb = true; /* the connect and the head first, stepped */
        int r = advance(c, false);
        if (r < 0) {
            if (r == ERR_AGAIN) *deadline_ms = c->deadline;
            return r;
        }
    }
    if (c->state != X_BODY_OUT)
        return set_fail(c, HTTP_FAIL_STATE, 0, "write without a streamed request body");
    if (!c->write_waits) /* the idle time counts from this write, not the last */
        c->deadline = now_ms(c) + c->idle_ms;
    const uint8_t *p = data;
    size_t done = 0;
    for (;;) {
        int f = send_frame(c);
        if (f <= 0) {
            if (f < 0) return f;
            break;
        }
        if (done == len) break;
        if (c->chunk_left == 0) {
            int r = open_chunk(c, len - done);
            if (r) return r;
            continue;
        }
        long n = send_chunk_data(c, p + done, len - done);
        if (n < 0) return n;
        if (n == 0) break;
        done += (size_t)n;
    }
    c->write_waits = done == 0 && len > 0;
    if (!c->write_waits) return (long)done;
    *deadline_ms = c->deadline;
    return ERR_AGAIN;
}

/* ---- receiving --------------------------------------------------------- */

/* Refills the receive buffer, waiting at most timeout_ms. Returns the byte
 * count, 0 at the peer's close, or the failure timeout_kind / RECV. */
static long fill(struct http_client *c, uint32_t timeout_ms, enum http_fail timeout_kind)
{
    BASE_ASSERT(c->rpos == c->rlen);
    long n = c->cs->ops->recv(c->cs->ctx, c->conn, c->rbuf, c->cfg.recv_buffer, timeout_ms);
    if (n == ERR_TIMEDOUT && timeout_ms == 0 && (c->nb || c->body_nb))
        return ERR_AGAIN; /* the head stepped, or a body read that does not wait */
    if (is_tls_err(n)) return tls_fail(c, (int)n);
    if (n == ERR_TIMEDOUT)
        return set_fail(c, timeout_kind, 0, "%s:%u after %u ms", c->conn_host, c->conn_port,
                        (unsigned)timeout_ms);
    if (n < 0 || (size_t)n > c->cfg.recv_buffer)
        return set_fail(c, HTTP_FAIL_RECV, n < 0 ? (int)n : ERR_IO, "%s:%u: %s", c->conn_host,
                        c->conn_port, err_name(n < 0 ? (int)n : ERR_IO));
    c->rpos = 0;
    c->rlen = (size_t)n;
    return n;
}

/* Parses buffered bytes and receives more until the parser gives an event.
 * The head phase waits until the header deadline (a stepped exchange
 * returns ERR_AGAIN instead), the body phase for the idle timeout at a
 * time. Returns the event type or an error. */
static int next_event(struct http_client *c, struct http_event *ev, uint64_t deadline)
{
    for (;;) {
        size_t used;
        int r = http_parse(&c->parser, c->rbuf + c->rpos, c->rlen - c->rpos, &used, ev);
        c->rpos += used;
        if (r < 0) return parser_fail(c, r);
        if (r > 0) return r;
        uint32_t wait = c->idle_ms;
        enum http_fail kind = HTTP_FAIL_IDLE_TIMEOUT;
        if (deadline) {
            uint64_t now = c->sock.ops->now_ms(c->sock.ctx);
            wait = now < deadline ? (uint32_t)(deadline - now) : 0;
            kind = HTTP_FAIL_HEADER_TIMEOUT;
            if (wait == 0)
                return set_fail(c, kind, 0, "%s:%u after %u ms", c->conn_host, c->conn_port,
                                (unsigned)c->header_ms);
            if (c->nb) wait = 0;
        } else if (c->body_nb) {
            if (now_ms(c) >= c->deadline)
                return set_fail(c, kind, 0, "%s:%u after %u ms", c->conn_host, c->conn_port,
                                (unsigned)c->idle_ms);
            wait = 0;
        }
        long n = fill(c, wait, kind);
        if (n < 0) return (int)n;
        if (!deadline) c->deadline = now_ms(c) + c->idle_ms; /* the body's idle time restarts */
        if (n == 0) {
            r = http_parse_eof(&c->parser, ev);
            if (r < 0) return parser_fail(c, r);
            if (r == 0) return set_fail(c, HTTP_FAIL_STATE, 0, "parser already complete");
            return r;
        }
    }
}

/* HEAD_IN: reads the response head into c->status and c->headers, until
 * c->deadline. */
static int read_head(struct http_client *c)
{
    struct http_event ev;
    for (;;) {
        int r = next_event(c, &ev, c->deadline);
        if (r < 0) return r;
        if (r == HTTP_EV_STATUS) {
            c->status = ev.status;
        } else if (r == HTTP_EV_HEADER) {
            r = http_fields_add(&c->headers, ev.name, ev.name_len, ev.value, ev.value_len);
            if (r < 0) return set_fail(c, HTTP_FAIL_NOMEM, r, NULL);
        } else if (r == HTTP_EV_HEADERS_DONE) {
            c->state = X_BODY_IN;
            c->deadline = now_ms(c) + c->idle_ms; /* the first body byte's */
            return 0;
        }
    }
}

/* The response is complete: keep the connection if HTTP allows it and the
 * server sent nothing beyond the response. */
static void exchange_done(struct http_client *c)
{
    if (!c->cfg.keep_alive || !http_parser_keep_alive(&c->parser) || c->rpos != c->rlen)
        close_conn(c);
    c->state = X_DONE;
}

/* The next body piece from the parser (see http_client_read_slice). */
static long next_slice(struct http_client *c, const uint8_t **data)
{
    if (c->state == X_DONE) return 0;
    if (c->state != X_BODY_IN)
        return set_fail(c, HTTP_FAIL_STATE, 0, "read before the response head");
    struct http_event ev;
    for (;;) {
        int r = next_event(c, &ev, 0);
        if (r < 0) return r;
        if (r == HTTP_EV_BODY) {
            *data = ev.data;
            return (long)ev.len;
        }
        if (r == HTTP_EV_TRAILER) {
            r = http_fields_add(&c->trailers, ev.name, ev.name_len, ev.value, ev.value_len);
            if (r < 0) return set_fail(c, HTTP_FAIL_NOMEM, r, NULL);
        } else if (r == HTTP_EV_END) {
            exchange_done(c);
            return 0;
        }
    }
}

long http_client_read_slice(struct http_client *c, const uint8_t **data)
{
    if (c->pend_len) {
        long n = (long)c->pend_len;
        *data = c->pend;
        c->pend_len = 0;
        return n;
    }
    return next_slice(c, data);
}

long http_client_try_read_slice(struct http_client *c, const uint8_t **data, uint64_t *deadline_ms)
{
    c->body_nb = true;
    long n = http_client_read_slice(c, data);
    c->body_nb = false;
    if (n == ERR_AGAIN) *deadline_ms = c->deadline;
    return n;
}

long http_client_read(struct http_client *c, void *buf, size_t len)
{
    if (len == 0) return 0;
    if (c->pend_len == 0) {
        long n = next_slice(c, &c->pend);
        if (n <= 0) return n;
        c->pend_len = (size_t)n;
    }
    size_t k = c->pend_len < len ? c->pend_len : len;
    memcpy(buf, c->pend, k);
    c->pend += k;
    c->pend_len -= k;
    return (long)k;
}

/* Reads and drops the rest of the body if it is short. Returns true when
 * the exchange reached its end. */
static bool drain(struct http_client *c)
{
    enum http_framing fr = http_parser_framing(&c->parser);
    if (fr == HTTP_FRAMING_CLOSE ||
        (fr == HTTP_FRAMING_LENGTH && c->parser.remaining > HTTP_DRAIN_LIMIT))
        return false;
    c->pend_len = 0;
    uint64_t dropped = 0;
    const uint8_t *d;
    long n;
    while (dropped <= HTTP_DRAIN_LIMIT && (n = next_slice(c, &d)) > 0)
        dropped += (uint64_t)n;
    return c->state == X_DONE;
}

void http_client_end(struct http_client *c)
{
    if (c->state == X_BODY_IN && !drain(c))
        close_conn(c);
    else if (c->state != X_IDLE && c->state != X_CONNECT && c->state != X_BODY_IN &&
             c->state != X_DONE) /* CONNECT: the kept connection is not in use yet */
        close_conn(c);
    c->state = X_IDLE;
    c->pend_len = 0;
}

/* ---- redirects --------------------------------------------------------- */

static bool is_redirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* The method after a redirect (RFC 9110 section 15.4); returns true when the
 * body is dropped with it. */
static bool redirect_method(struct http_client *c)
{
    bool to_get = (c->status == 303 && !method_is(c, "HEAD")) ||
                  ((c->status == 301 || c->status == 302) && method_is(c, "POST"));
    if (to_get) memcpy(c->method, "GET", 4);
    return to_get || c->status == 303;
}

/* Starts the request that follows the 3xx in c->status to the Location
 * loc[0..loc_len) (which lives in c->headers: it is used before the next
 * request clears them): state CONNECT. Returns 0 (also when the redirect
 * is not to be followed: state BODY_IN), or an error. */
static int follow(struct http_client *c, const char *loc, size_t loc_len)
{
    enum http_fail kind;
    long n =
        http_url_resolve(c->url, strlen(c->url), loc, loc_len, c->scratch, HTTP_MAX_URL, &kind);
    if (n < 0)
        return url_fail(c, kind == HTTP_FAIL_SCHEME ? kind : HTTP_FAIL_LOCATION, (int)n,
                        "redirect to", loc, loc_len);
    char saved_method[METHOD_MAX];
    memcpy(saved_method, c->method, METHOD_MAX);
    bool drop_body = redirect_method(c);
    if (!drop_body && c->body_kind == HTTP_CLIENT_BODY_STREAM) {
        memcpy(c->method, saved_method, METHOD_MAX); /* cannot replay: hand back the 3xx */
        return 0;
    }
    if (drop_body) {
        static const char *const body_fields[] = {"content-type", "content-encoding",
                                                  "content-language", "content-location"};
        for (size_t i = 0; i < sizeof body_fields / sizeof body_fields[0]; i++)
            http_fields_remove(&c->req_fields, body_fields[i]);
        c->body_kind = HTTP_CLIENT_BODY_NONE;
    }
    if (!drain(c)) close_conn(c);
    memcpy(c->url, c->scratch, (size_t)n + 1);
    struct http_url next;
    http_url_parse(c->url, (size_t)n, &next, NULL);
    if (!same_host(c, &next)) {
        http_fields_remove(&c->req_fields, "authorization");
        http_fields_remove(&c->req_fields, "proxy-authorization");
        http_fields_remove(&c->req_fields, "cookie");
    }
    c->u = next;
    c->redirects++;
    return begin_request(c);
}

/* Ends a streamed request body: a check that exactly stream_length bytes
 * went out, or the last chunk, after what framing is still pending from
 * http_client_try_write (stepped: ERR_AGAIN until it is out). */
static int finish_body(struct http_client *c)
{
    if (!c->last_queued) {
        if (c->chunk_left || (c->stream_length >= 0 && c->streamed != (uint64_t)c->stream_length))
            return set_fail(c, HTTP_FAIL_BODY_LENGTH, 0, "%llu of %lld bytes",
                            (unsigned long long)c->streamed, (long long)c->stream_length);
        size_t pending = c->frame_len - c->frame_pos;
        memmove(c->frame, c->frame + c->frame_pos, pending);
        if (c->stream_length < 0) memcpy(c->frame + pending, HTTP_CHUNK_LAST, 5);
        c->frame_len = pending + (c->stream_length < 0 ? 5 : 0);
        c->frame_pos = 0;
        c->out_pos = 0;
        c->last_queued = true;
        c->deadline = now_ms(c) + c->idle_ms;
    }
    return send_rest(c, c->frame, c->frame_len);
}

/* A request that failed on a reused connection may have met the server
 * closing it as the request went out (RFC 9112 section 9.3.1): one that
 * failed to go out, or whose connection closed without an answer and whose
 * body can be sent again, is sent once more on a new connection. */
static bool can_retry(const struct http_client *c, enum xstate failed_in, int err)
{
    if (!c->reused || c->retried) return false;
    if (failed_in == X_HEAD_OUT || failed_in == X_MEM_OUT) return c->fail == HTTP_FAIL_SEND;
    return failed_in == X_HEAD_IN && c->body_kind != HTTP_CLIENT_BODY_STREAM &&
           (c->fail == HTTP_FAIL_NO_RESPONSE ||
            (c->fail == HTTP_FAIL_RECV && (err == ERR_CONNRESET || err == ERR_PIPE)));
}

/* The head is in: follows a redirect if it is one to follow. */
static int after_head(struct http_client *c)
{
    size_t loc_len;
    const char *loc = http_fields_get(&c->headers, "location", &loc_len);
    if (!is_redirect(c->status) || !loc || c->cfg.max_redirects == 0) return 0;
    if (c->redirects >= c->cfg.max_redirects)
        return set_fail(c, HTTP_FAIL_REDIRECTS, 0, "more than %u, last to \"%.120s\"",
                        c->cfg.max_redirects, loc);
    return follow(c, loc, loc_len);
}

/* Runs one state of the exchange. */
static int run_state(struct http_client *c)
{
    switch (c->state) {
    case X_CONNECT: return ensure_conn(c);
    case X_CONNECTING: return connecting(c);
    case X_HEAD_OUT: {
        int r = send_rest(c, c->head, c->head_len);
        if (r == 0 && c->body_kind == HTTP_CLIENT_BODY_MEMORY) {
            c->state = X_MEM_OUT;
            c->out_pos = 0;
        } else if (r == 0) {
            request_sent(c);
        }
        return r;
    }
    case X_MEM_OUT: {
        int r = send_rest(c, c->body, c->body_len);
        if (r == 0) request_sent(c);
        return r;
    }
    case X_BODY_OUT: {
        int r = finish_body(c);
        if (r == 0) c->state = X_SENT;
        return r;
    }
    case X_SENT:
        c->deadline = now_ms(c) + c->header_ms;
        if (c->deadline == 0) c->deadline = 1;
        c->state = X_HEAD_IN;
        return 0;
    case X_HEAD_IN: {
        int r = read_head(c);
        return r == 0 ? after_head(c) : r;
    }
    default: return set_fail(c, HTTP_FAIL_STATE, 0, "no request waiting for a response");
    }
}

/* Runs the exchange until the request is out (BODY_OUT or SENT), or with
 * to_response until the final response head is in (returns its status);
 * ERR_AGAIN when a stepped exchange would wait; or an error. */
static int advance(struct http_client *c, bool to_response)
{
    for (;;) {
        if (c->state == X_BODY_IN) return c->status;
        if (!to_response && (c->state == X_BODY_OUT || c->state == X_SENT)) return 0;
        enum xstate was = c->state;
        int r = run_state(c);
        if (r == ERR_AGAIN) return r;
        if (r < 0 && can_retry(c, was, r)) {
            log_write(LOG_DEBUG, "http", "retrying on a new connection: %s", c->msg);
            c->retried = true;
            c->state = X_CONNECT;
            continue;
        }
        if (r < 0) return r;
    }
}

int http_client_response(struct http_client *c)
{
    if (c->state == X_IDLE || c->state == X_BODY_IN || c->state == X_DONE || c->state == X_FAILED)
        return set_fail(c, HTTP_FAIL_STATE, 0, "no request waiting for a response");
    c->nb = false;
    return advance(c, true);
}

int http_client_step(struct http_client *c, uint64_t *deadline_ms)
{
    if (c->state == X_IDLE || c->state == X_DONE || c->state == X_FAILED)
        return set_fail(c, HTTP_FAIL_STATE, 0, "no request waiting for a response");
    c->nb = true;
    int r = advance(c, true);
    if (r == ERR_AGAIN) *deadline_ms = c->deadline;
    return r;
}

/* ---- the rest of the API ------------------------------------------------- */

int http_client_status(const struct http_client *c)
{
    return c->status;
}
const struct http_fields *http_client_headers(const struct http_client *c)
{
    return &c->headers;
}
const struct http_fields *http_client_trailers(const struct http_client *c)
{
    return &c->trailers;
}
const char *http_client_url(const struct http_client *c)
{
    return c->url;
}
unsigned http_client_redirects(const struct http_client *c)
{
    return c->redirects;
}
enum http_fail http_client_fail(const struct http_client *c)
{
    return c->fail;
}
const char *http_client_error(const struct http_client *c)
{
    return c->msg;
}
unsigned http_client_connects(const struct http_client *c)
{
    return c->connects;
}
unsigned http_client_conn_requests(const struct http_client *c)
{
    return c->conn_requests;
}

int64_t http_client_body_length(const struct http_client *c)
{
    if (c->state != X_BODY_IN && c->state != X_DONE) return -1;
    return http_parser_body_length(&c->parser);
}

int http_client_fetch(struct http_client *c, const struct http_client_request *req,
                      http_body_sink sink, void *ctx)
{
    if (req->body_kind == HTTP_CLIENT_BODY_STREAM)
        return set_fail(c, HTTP_FAIL_STATE, 0, "fetch cannot stream a request body");
    int r = http_client_open(c, req);
    if (r < 0) return r;
    int status = http_client_response(c);
    if (status < 0) return status;
    const uint8_t *d;
    long n;
    while ((n = http_client_read_slice(c, &d)) > 0) {
        r = sink(ctx, d, (size_t)n);
        if (r < 0) {
            close_conn(c);
            http_client_end(c);
            return r;
        }
    }
    if (n < 0) return (int)n;
    http_client_end(c);
    return status;
}

void http_client_set_tls(struct http_client *c, const struct http_sock *tls)
{
    close_conn(c);
    c->tls = *tls;
}

int http_client_create(const struct http_sock *sock, const struct http_client_config *cfg,
                       struct http_client **out)
{
    *out = NULL;
    struct http_client_config def;
    if (!cfg) {
        http_client_config_default(&def);
        cfg = &def;
    }
    if (!sock || !sock->ops || cfg->recv_buffer == 0 || cfg->recv_buffer > (1u << 30))
        return ERR_INVAL;
    struct http_client *c = mem_zalloc(sizeof *c);
    if (!c) return ERR_NOMEM;
    c->sock = *sock;
    c->cfg = *cfg;
    http_fields_init(&c->req_fields, 0, 0);
    http_fields_init(&c->headers, 0, 0);
    http_fields_init(&c->trailers, 0, 0);
    int r = http_parser_init(&c->parser, &cfg->limits);
    c->rbuf = mem_alloc(cfg->recv_buffer);
    c->url = mem_alloc(HTTP_MAX_URL);
    c->scratch = mem_alloc(HTTP_MAX_URL);
    c->head = mem_alloc(HTTP_MAX_REQUEST_HEAD);
    if (r == 0 && (!c->rbuf || !c->url || !c->scratch || !c->head)) r = ERR_NOMEM;
    if (r < 0) {
        http_client_destroy(c);
        return r;
    }
    c->url[0] = '\0';
    *out = c;
    return 0;
}

void http_client_destroy(struct http_client *c)
{
    if (!c) return;
    close_conn(c);
    http_parser_free(&c->parser);
    http_fields_free(&c->req_fields);
    http_fields_free(&c->headers);
    http_fields_free(&c->trailers);
    mem_free(c->rbuf);
    mem_free(c->url);
    mem_free(c->scratch);
    mem_free(c->head);
    mem_free(c);
}
