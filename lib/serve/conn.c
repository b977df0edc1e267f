/*
 * lib/serve/conn.c - one client connection of an HTTP/1.1 server for
 * wasi:http incoming handlers (conn.h): reads request heads and bodies with
 * lib/http's parser in request mode, writes responses with its writer, over
 * the byte stream of struct serve_io. Every wait has a deadline: the head
 * must arrive within head_ms of its first byte (a slowloris client gets 408
 * and is cut off), a kept-alive connection waits idle_ms for its next
 * request, a body read or write io_ms for progress (a handler reading
 * without waiting gets the same bound: the silence counts from its first
 * read that found nothing). Pipelined requests stay
 * in the buffer for the next serve_conn_next().
 *
 * Response framing: the handler's Content-Length when it gave one (a body
 * of another length closes the connection), else chunked for HTTP/1.1,
 * else the close delimits it; none for HEAD, 204 and 304.
 */
#include "serve/conn.h"

#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "http/config.h"
#include "http/response.h"

#define CONN_BUF    65536
#define DRAIN_LIMIT (1u << 20) /* unread body bytes skipped to keep a connection */

static uint64_t after_ms(struct serve_conn *c, uint32_t ms)
{
    return c->io.now_ns(c->io.ctx) + (uint64_t)ms * 1000000u;
}

/* Receives more bytes into the buffer: the count, 0 at the peer's close,
 * or ERR_TIMEDOUT / ERR_CONNRESET / ERR_NOSPC. */
static long recv_more(struct serve_conn *c, uint64_t deadline)
{
    if (c->pos > 0) {
        memmove(c->buf, c->buf + c->pos, c->len - c->pos);
        c->len -= c->pos;
        c->pos = 0;
    }
    if (c->len == c->cap) return ERR_NOSPC;
    long n = c->io.recv(c->io.ctx, c->buf + c->len, c->cap - c->len, deadline);
    if (n > 0) c->len += (size_t)n;
    return n;
}

static int send_pieces(struct serve_conn *c, const struct serve_piece *v, int n)
{
    return c->io.send(c->io.ctx, v, n, c->lim->io_ms);
}

static int send_all(struct serve_conn *c, const void *data, size_t len)
{
    struct serve_piece v = {data, len};
    return send_pieces(c, &v, 1);
}

int serve_conn_init(struct serve_conn *c, const struct serve_io *io, const struct serve_limits *lim)
{
    memset(c, 0, sizeof *c);
    c->io = *io;
    c->lim = lim;
    c->cap = CONN_BUF;
    c->buf = mem_alloc(c->cap);
    struct http_limits hl = http_limits_server();
    int rc = c->buf ? http_parser_init(&c->parser, &hl) : ERR_NOMEM;
    http_fields_init(&c->headers, HTTP_MAX_SECTION, 0);
    http_fields_init(&c->trailers, HTTP_MAX_SECTION, 0);
    return rc;
}

void serve_conn_free(struct serve_conn *c)
{
    http_parser_free(&c->parser);
    http_fields_free(&c->headers);
    http_fields_free(&c->trailers);
    mem_free(c->target);
    mem_free(c->authority);
    mem_free(c->buf);
}

void serve_conn_simple(struct serve_conn *c, int status, bool close)
{
    char buf[512];
    long n = http_response_simple(status, close, buf, sizeof buf);
    if (n > 0) send_all(c, buf, (size_t)n);
    c->head_sent = c->finished = true;
}

static char *dup_n(const char *s, size_t n)
{
    char *p = mem_alloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* Takes one head event; 1 when the head is complete, 0 to go on, -1 on
 * out of memory. */
static int head_event(struct serve_conn *c, const struct http_event *ev)
{
    switch (ev->type) {
    case HTTP_EV_REQUEST:
        if (ev->name_len >= sizeof c->method) return -1;
        memcpy(c->method, ev->name, ev->name_len);
        c->method[ev->name_len] = 0;
        c->target = dup_n(ev->value, ev->value_len);
        return c->target ? 0 : -1;
    case HTTP_EV_HEADER:
        if (ev->name_len == 4 && !str_ncasecmp(ev->name, "host", 4) && !c->authority)
            c->authority = dup_n(ev->value, ev->value_len);
        return http_fields_add(&c->headers, ev->name, ev->name_len, ev->value, ev->value_len) ? -1
                                                                                              : 0;
    case HTTP_EV_HEADERS_DONE:
        c->keep_alive = http_parser_keep_alive(&c->parser);
        c->expect_continue = http_parser_expect_continue(&c->parser);
        c->body_done = http_parser_body_length(&c->parser) == 0;
        return 1;
    default: return 0;
    }
}

/* Clears what belongs to one request. */
static void request_reset(struct serve_conn *c)
{
    mem_free(c->target);
    mem_free(c->authority);
    c->target = c->authority = NULL;
    http_fields_clear(&c->headers);
    http_fields_clear(&c->trailers);
    c->keep_alive = c->head = c->expect_continue = c->continued = c->body_done = false;
    c->failed = c->head_sent = c->chunked = c->no_body = c->finished = false;
    c->length_left = -1;
    c->quiet_since = 0;
    http_parser_start_request(&c->parser);
}

int serve_conn_next(struct serve_conn *c)
{
    request_reset(c);
    bool started = c->pos < c->len;
    uint64_t deadline = started ? after_ms(c, c->lim->head_ms) : after_ms(c, c->lim->idle_ms);
    for (;;) {
        while (c->pos < c->len) {
            struct http_event ev;
            size_t used;
            int r = http_parse(&c->parser, c->buf + c->pos, c->len - c->pos, &used, &ev);
            c->pos += used;
            if (r < 0) {
                serve_conn_simple(c, http_fail_status(http_parser_fail(&c->parser)), true);
                return -1;
            }
            if (r == 0) break;
            int h = head_event(c, &ev);
            if (h < 0) {
                serve_conn_simple(c, 500, true);
                return -1;
            }
            if (h == 1) {
                c->head = !strcmp(c->method, "HEAD");
                return 1;
            }
        }
        long n = recv_more(c, deadline);
        if (n > 0 && !started) {
            started = true;
            deadline = after_ms(c, c->lim->head_ms);
        }
        if (n > 0) continue;
        if (!started) return 0; /* closed or idle between requests */
        if (n == ERR_TIMEDOUT) serve_conn_simple(c, 408, true);
        return -1;
    }
}

/* ---- the ops of lib/wasi's incoming exchange ----------------------------------- */

/* Sends 100 Continue before the first body read of a request that asked
 * for it: 0 or ERR_CONNRESET. */
static int send_continue(struct serve_conn *c)
{
    if (!c->expect_continue || c->continued || c->head_sent) return 0;
    c->continued = true;
    return send_all(c, HTTP_CONTINUE, strlen(HTTP_CONTINUE)) ? ERR_CONNRESET : 0;
}

/* Parses the next body event out of the buffer: the piece's length with
 * *data, 0 at the end, ERR_AGAIN when more bytes are needed, or the
 * parser's error. Parses even with no bytes left: END may be pending
 * after the last body byte. */
static long body_parse(struct serve_conn *c, const uint8_t **data)
{
    for (;;) {
        struct http_event ev;
        size_t used;
        int r = http_parse(&c->parser, c->buf + c->pos, c->len - c->pos, &used, &ev);
        c->pos += used;
        if (r < 0) return r;
        if (r == 0) return ERR_AGAIN;
        if (r == HTTP_EV_BODY) {
            *data = ev.data;
            return (long)ev.len;
        }
        if (r == HTTP_EV_TRAILER)
            http_fields_add(&c->trailers, ev.name, ev.name_len, ev.value, ev.value_len);
        if (r == HTTP_EV_END) {
            c->body_done = true;
            return 0;
        }
    }
}

/* The request can no longer be read: the client left, stalled or sent a
 * malformed body. Returns rc. */
static long body_failed(struct serve_conn *c, long rc)
{
    c->failed = true;
    c->keep_alive = false;
    return rc;
}

/* The next piece of the request body (op_body_read's contract). With
 * wait false, ERR_AGAIN when nothing has arrived, with *deadline the end
 * of the io_ms of silence allowed, counted from the first read that found
 * nothing. */
static long body_next(struct serve_conn *c, const uint8_t **data, bool wait, uint64_t *deadline)
{
    if (c->failed) return ERR_CONNRESET;
    if (c->body_done) return 0;
    if (send_continue(c)) return body_failed(c, ERR_CONNRESET);
    for (;;) {
        long n = body_parse(c, data);
        if (n != ERR_AGAIN) return n < 0 ? body_failed(c, n) : n;
        uint64_t now = c->io.now_ns(c->io.ctx);
        if (!c->quiet_since) c->quiet_since = now;
        uint64_t until = c->quiet_since + (uint64_t)c->lim->io_ms * 1000000u;
        n = now >= until ? ERR_TIMEDOUT : recv_more(c, wait ? until : 0);
        if (n == ERR_AGAIN) {
            *deadline = until;
            return n;
        }
        if (n <= 0) /* the client left or stalled mid-body */
            return body_failed(c, n == 0 ? ERR_CONNRESET : n);
        c->quiet_since = 0;
    }
}

static long op_body_read(void *ctx, const uint8_t **data)
{
    uint64_t deadline;
    return body_next(ctx, data, true, &deadline);
}

static long op_body_try_read(void *ctx, const uint8_t **data, struct wasi_port_pollfd *wait,
                             uint64_t *deadline_ns)
{
    struct serve_conn *c = ctx;
    long n = body_next(c, data, !c->wait_sock, deadline_ns); /* nothing to wait on: wait */
    if (n == ERR_AGAIN)
        *wait = (struct wasi_port_pollfd){.sock = c->wait_sock, .events = WASI_PORT_EV_IN};
    return n;
}

static const struct http_fields *op_trailers(void *ctx)
{
    struct serve_conn *c = ctx;
    return http_fields_count(&c->trailers) ? &c->trailers : NULL;
}

/* The handler's Content-Length, or -1 (none, or not a plain number). */
static int64_t declared_length(const struct http_fields *h)
{
    size_t n;
    const char *v = http_fields_get(h, "content-length", &n);
    if (!v || n == 0 || n > 18) return -1;
    int64_t x = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9') return -1;
        x = x * 10 + (v[i] - '0');
    }
    return x;
}

static int op_respond(void *ctx, int status, const struct http_fields *headers)
{
    struct serve_conn *c = ctx;
    struct http_response_head h = {.status = status, .fields = headers};
    int64_t len = declared_length(headers);
    c->no_body = c->head || status == 204 || status == 304 || status < 200;
    /* A client still waiting for 100 Continue may never send its body. */
    if (c->expect_continue && !c->continued && !c->body_done) c->keep_alive = false;
    if (len >= 0 && status != 204 && status != 304) {
        h.body = HTTP_BODY_LENGTH;
        h.content_length = (uint64_t)len;
        c->length_left = c->no_body ? 0 : len;
    } else if (c->no_body) {
        h.body = HTTP_BODY_NONE;
    } else if (c->parser.version_minor >= 1) {
        h.body = HTTP_BODY_CHUNKED;
        c->chunked = true;
    } else {
        c->keep_alive = false; /* HTTP/1.0: the close delimits the body */
    }
    h.close = !c->keep_alive;
    size_t size = 512;
    for (size_t i = 0; i < http_fields_count(headers); i++) {
        struct http_field f = http_fields_at(headers, i);
        size += f.name_len + f.value_len + 4;
    }
    char *buf = mem_alloc(size);
    long n = buf ? http_response_write(&h, buf, size) : ERR_NOMEM;
    int rc = n > 0 ? send_all(c, buf, (size_t)n) : (int)n;
    mem_free(buf);
    c->head_sent = rc == 0;
    if (rc) c->failed = true;
    return rc;
}

static int op_body_write(void *ctx, const uint8_t *data, size_t len)
{
    struct serve_conn *c = ctx;
    if (c->failed) return ERR_CONNRESET;
    if (len == 0 || c->no_body) return 0;
    int rc;
    if (c->chunked) {
        char head[HTTP_CHUNK_HEAD_MAX];
        size_t hn = http_chunk_head(head, len);
        struct serve_piece v[3] = {{head, hn}, {data, len}, {"\r\n", 2}};
        rc = send_pieces(c, v, 3);
    } else {
        if (c->length_left >= 0 && (uint64_t)c->length_left < len) {
            c->failed = true; /* more than the handler's Content-Length */
            return ERR_INVAL;
        }
        if (c->length_left >= 0) c->length_left -= (int64_t)len;
        rc = send_all(c, data, len);
    }
    if (rc) c->failed = true;
    return rc;
}

static int op_body_finish(void *ctx, const struct http_fields *trailers)
{
    struct serve_conn *c = ctx;
    if (c->failed) return ERR_CONNRESET;
    c->finished = true;
    if (c->length_left > 0) { /* fewer bytes than the handler declared */
        c->failed = true;
        return ERR_INVAL;
    }
    if (!c->chunked) return 0;
    char buf[8192];
    long n = http_trailers_write(trailers, buf, sizeof buf);
    if (n < 0) n = http_trailers_write(NULL, buf, sizeof buf); /* drop what does not fit */
    int rc = send_all(c, buf, (size_t)n);
    if (rc) c->failed = true;
    return rc;
}

const struct wasi_http_server_ops serve_conn_ops = {
    .body_read = op_body_read,
    .body_try_read = op_body_try_read,
    .trailers = op_trailers,
    .respond = op_respond,
    .body_write = op_body_write,
    .body_finish = op_body_finish,
};

bool serve_conn_finish_request(struct serve_conn *c)
{
    if (c->failed || !c->finished || !c->keep_alive) return false;
    size_t drained = 0;
    const uint8_t *d;
    long n;
    while (!c->body_done && drained < DRAIN_LIMIT && (n = op_body_read(c, &d)) > 0)
        drained += (size_t)n;
    return c->body_done && !c->failed;
}

void serve_conn_incoming(struct serve_conn *c, struct wasi_http_incoming *in)
{
    memset(in, 0, sizeof *in);
    in->method = c->method;
    in->authority = c->authority;
    in->path_with_query = c->target;
    in->headers = &c->headers;
    in->ops = &serve_conn_ops;
    in->ctx = c;
}

void serve_conn_after_handler(struct serve_conn *c, bool timed_out, enum wasi_http_outcome outcome)
{
    if (!c->head_sent) {
        serve_conn_simple(c, timed_out ? 504 : 500, true);
        c->keep_alive = false;
    } else if (outcome != WASI_HTTP_SENT) {
        c->failed = true; /* a response cut short: only a close tells the client */
    }
}

void serve_conn_run(struct serve_conn *c, void (*handle)(void *user, struct serve_conn *c),
                    void *user)
{
    while (serve_conn_next(c) == 1) {
        handle(user, c);
        if (!serve_conn_finish_request(c)) break;
    }
}
