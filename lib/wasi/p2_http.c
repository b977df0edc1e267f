/*
 * lib/wasi/p2_http.c - wasi:http of WASI 0.2 on the client side:
 * outgoing-request, outgoing-body, future-incoming-response,
 * incoming-response, incoming-body, future-trailers (wasi:http/types) and
 * wasi:http/outgoing-handler.handle, over lib/http's HTTP/1.1 client on
 * the port's real sockets (an http_sock adapter below).
 *
 * handle() starts the exchange (a request body written after handle goes
 * out as written, and its exchange continues once it is finished); the
 * future's pollable and get() then step it without waiting
 * (http_client_step: connect, send the head and the buffered body, read
 * the response head), and the pollable waits on what the step needed:
 * the socket's readiness (or a name resolution's end, where the port
 * resolves without waiting), until the step's deadline. So poll over many
 * futures returns the first whose response is in. The response body
 * streams from the socket through lib/http as the guest reads it, without
 * waiting (a read finds 0 bytes, the stream's pollable waits on the
 * socket), and future-trailers completes when the body's end arrives
 * (a body finished early is read and dropped until then). An HTTPS
 * connect shakes hands a step at a time too (lib/tls's connect_start).
 * A request body written after handle() is held (at most what one
 * check-write permits) and goes out as the connection takes it: the body
 * stream's check-write permits more once it has, and its pollable waits
 * on the connection (connect and head, stepped, first).
 * Redirects are the guest's business (max_redirects 0).
 * Failures map to wasi:http error-code cases through lib/http/fail.h's
 * table (p2_http_error). Clients are kept for keep-alive while idle.
 */
#include "base/env.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/p2_http.h"

/* ---- lib/http's socket interface over the port ------------------------------- */

struct http_conn {
    struct wasi_port_sock *s;
    /* A connect started with connect_start: the name's resolution while it
     * is pending (port resolve_start), the addresses, the next to try. */
    struct wasi_port_sock *lookup;
    uint16_t port;
    struct wasi_port_addr addrs[8];
    int naddrs, next;
};

/* Records what a call that returned instead of waiting needed: events on s. */
static void note_wait(struct wasi_ctx *w, struct wasi_port_sock *s, unsigned events)
{
    w->p2->http_wait = (struct wasi_port_pollfd){.sock = s, .events = events};
}

static uint64_t sock_now_ms(void *ctx)
{
    return p2_now(ctx) / 1000000u;
}

/* Resolves host and connects to each address in turn until timeout_ms. */
static int sock_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                        struct http_conn **out)
{
    struct wasi_ctx *w = ctx;
    const struct wasi_port_ops *o = w->port.ops;
    if (!o->resolve || !o->tcp_connect) return ERR_NOTSUP;
    uint64_t deadline = p2_now(w) + (uint64_t)timeout_ms * 1000000u;
    struct wasi_port_addr addrs[8];
    int n = o->resolve(w->port.ctx, host, addrs, 8, deadline);
    w->p2->dns_timed_out = n == ERR_TIMEDOUT;
    if (n <= 0) return n ? n : ERR_NXDOMAIN;
    struct http_conn *c = mem_zalloc(sizeof *c);
    if (!c) return ERR_NOMEM;
    int rc = ERR_CONNREFUSED;
    for (int i = 0; i < n; i++) {
        addrs[i].port = port;
        rc = o->tcp_connect(w->port.ctx, NULL, &addrs[i], deadline, &c->s);
        if (rc == 0 || rc == ERR_CANCELED || p2_now(w) >= deadline) break;
    }
    if (rc) {
        mem_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* Waits for events on the connection until timeout_ms: 0, ERR_TIMEDOUT, or
 * an error. */
static int sock_wait(struct wasi_ctx *w, struct http_conn *c, unsigned events, uint64_t deadline)
{
    struct wasi_port_pollfd p = {.sock = c->s, .events = events};
    int rc = w->port.ops->wait(w->port.ctx, &p, 1, deadline);
    return rc < 0 ? rc : rc == 0 ? ERR_TIMEDOUT : 0;
}

static long sock_send(void *ctx, struct http_conn *c, const void *buf, size_t len,
                      uint32_t timeout_ms)
{
    struct wasi_ctx *w = ctx;
    uint64_t deadline = p2_now(w) + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        long n = w->port.ops->send(w->port.ctx, c->s, buf, len);
        if (n != ERR_AGAIN) return n;
        if (timeout_ms == 0) {
            note_wait(w, c->s, WASI_PORT_EV_OUT);
            return ERR_TIMEDOUT;
        }
        int rc = sock_wait(w, c, WASI_PORT_EV_OUT, deadline);
        if (rc) return rc;
    }
}

static long sock_recv(void *ctx, struct http_conn *c, void *buf, size_t len, uint32_t timeout_ms)
{
    struct wasi_ctx *w = ctx;
    uint64_t deadline = p2_now(w) + (uint64_t)timeout_ms * 1000000u;
    for (;;) {
        long n = w->port.ops->recv(w->port.ctx, c->s, buf, len);
        if (n != ERR_AGAIN) return n;
        if (timeout_ms == 0) {
            note_wait(w, c->s, WASI_PORT_EV_IN);
            return ERR_TIMEDOUT;
        }
        int rc = sock_wait(w, c, WASI_PORT_EV_IN, deadline);
        if (rc) return rc;
    }
}

static void sock_close(void *ctx, struct http_conn *c)
{
    struct wasi_ctx *w = ctx;
    if (c->s) w->port.ops->sock_close(w->port.ctx, c->s);
    if (c->lookup) w->port.ops->sock_close(w->port.ctx, c->lookup);
    mem_free(c);
}

/* Starts connecting to the next address of c: 0, or the last error. */
static int start_next(struct wasi_ctx *w, struct http_conn *c)
{
    const struct wasi_port_ops *o = w->port.ops;
    int rc = ERR_CONNREFUSED;
    while (c->next < c->naddrs) {
        rc = o->tcp_connect_start(w->port.ctx, NULL, &c->addrs[c->next++], &c->s);
        if (rc == 0 || rc == ERR_CANCELED) break;
    }
    if (rc) c->s = NULL;
    return rc;
}

/* Takes n, a resolver's answer, as c's addresses: 0 or the error. */
static int addresses_in(struct wasi_ctx *w, struct http_conn *c, int n)
{
    w->p2->dns_timed_out = n == ERR_TIMEDOUT;
    c->naddrs = n > 0 ? n : 0;
    for (int i = 0; i < c->naddrs; i++)
        c->addrs[i].port = c->port;
    return n <= 0 ? (n ? n : ERR_NXDOMAIN) : 0;
}

/* Starts resolving host into c: without waiting when the port can
 * (c->lookup pending, or the answer at once), else waiting until
 * timeout_ms. 0 or the error. */
static int resolve_begin(struct wasi_ctx *w, struct http_conn *c, const char *host,
                         uint32_t timeout_ms)
{
    const struct wasi_port_ops *o = w->port.ops;
    int n, max = (int)ARRAY_SIZE(c->addrs);
    if (o->resolve_start && o->resolve_result) {
        n = o->resolve_start(w->port.ctx, host, c->addrs, max, &c->lookup);
        if (n == 0) return 0;
    } else {
        if (!o->resolve) return ERR_NOTSUP;
        uint64_t deadline = p2_now(w) + (uint64_t)timeout_ms * 1000000u;
        n = o->resolve(w->port.ctx, host, c->addrs, max, deadline);
    }
    return addresses_in(w, c, n);
}

/* Starts resolving host (without waiting where the port can) and, once
 * its addresses are known, connecting to the first; a port without
 * tcp_connect_start connects here, waiting. */
static int sock_connect_start(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                              struct http_conn **out)
{
    struct wasi_ctx *w = ctx;
    const struct wasi_port_ops *o = w->port.ops;
    if (!o->tcp_connect_start || !o->tcp_connect_result)
        return sock_connect(ctx, host, port, timeout_ms, out);
    struct http_conn *c = mem_zalloc(sizeof *c);
    if (!c) return ERR_NOMEM;
    c->port = port;
    int rc = resolve_begin(w, c, host, timeout_ms);
    if (rc == 0 && !c->lookup) rc = start_next(w, c);
    if (rc) {
        mem_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

/* Has c's pending resolution ended? 0 once it has and the connect to its
 * first address started, ERR_AGAIN while it has not (the wait is on the
 * resolution; a time-out now is the DNS's), or the error. */
static int lookup_step(struct wasi_ctx *w, struct http_conn *c)
{
    const struct wasi_port_ops *o = w->port.ops;
    int n = o->resolve_result(w->port.ctx, c->lookup, c->addrs, (int)ARRAY_SIZE(c->addrs));
    if (n == ERR_AGAIN) {
        w->p2->dns_timed_out = true;
        note_wait(w, c->lookup, WASI_PORT_EV_IN);
        return ERR_AGAIN;
    }
    o->sock_close(w->port.ctx, c->lookup);
    c->lookup = NULL;
    int rc = addresses_in(w, c, n);
    return rc ? rc : start_next(w, c);
}

/* Has c's connect ended? A failed address gives way to the next. */
static int sock_connect_result(void *ctx, struct http_conn *c)
{
    struct wasi_ctx *w = ctx;
    const struct wasi_port_ops *o = w->port.ops;
    if (c->lookup) {
        int rc = lookup_step(w, c);
        if (rc) return rc;
    }
    if (!c->s || !c->naddrs) return c->s ? 0 : ERR_CONNREFUSED; /* connected at the start */
    int rc = o->tcp_connect_result(w->port.ctx, c->s);
    if (rc < 0 && rc != ERR_AGAIN && rc != ERR_CANCELED && c->next < c->naddrs) {
        o->sock_close(w->port.ctx, c->s);
        int again = start_next(w, c);
        rc = again ? again : ERR_AGAIN;
    }
    if (rc == ERR_AGAIN) note_wait(w, c->s, WASI_PORT_EV_OUT);
    return rc;
}

static const struct http_sock_ops port_sock_ops = {
    .connect = sock_connect,
    .send = sock_send,
    .recv = sock_recv,
    .close = sock_close,
    .now_ms = sock_now_ms,
    .connect_start = sock_connect_start,
    .connect_result = sock_connect_result,
};

/* An idle client from the pool, or a new one; NULL when out of memory. */
static struct http_client *client_get(struct wasi_ctx *w)
{
    for (size_t i = 0; i < ARRAY_SIZE(w->p2->clients); i++) {
        struct http_client *c = w->p2->clients[i];
        if (c) {
            w->p2->clients[i] = NULL;
            return c;
        }
    }
    struct http_sock sock = {.ops = &port_sock_ops, .ctx = w};
    struct http_client_config cfg;
    http_client_config_default(&cfg);
    cfg.max_redirects = 0;        /* wasi:http does not follow redirects */
    cfg.recv_buffer = 256 * 1024; /* big body pieces: fewer trips through the guest */
    struct http_client *c;
    if (http_client_create(&sock, &cfg, &c) != 0) return NULL;
    /* One TLS socket per context, over the same TCP socket interface. */
    if (w->tls && !w->p2->tls_handle &&
        w->tls->wrap(w->tls->ctx, &sock, &w->p2->tls_sock, &w->p2->tls_handle) != 0)
        w->p2->tls_handle = NULL;
    if (w->p2->tls_handle) http_client_set_tls(c, &w->p2->tls_sock);
    return c;
}

/* Ends the client's exchange and keeps it for reuse if there is room. */
static void client_put(struct wasi_ctx *w, struct http_client *c)
{
    if (!c) return;
    http_client_end(c);
    for (size_t i = 0; w->p2 && i < ARRAY_SIZE(w->p2->clients); i++)
        if (!w->p2->clients[i]) {
            w->p2->clients[i] = c;
            return;
        }
    http_client_destroy(c);
}

/* ---- objects ------------------------------------------------------------------------ */

struct p2_out_request {
    struct p2_obj h;
    uint8_t method;     /* method variant case; 9: other */
    char *method_other; /* for other */
    bool has_scheme, has_authority, has_path;
    uint8_t scheme; /* 0 HTTP, 1 HTTPS, 2 other */
    char *scheme_other, *authority, *path;
    struct http_fields headers;
    bool body_taken;
    struct p2_out_body *body;
    /* Sent while its body is written (handle() came before finish): the
     * client carrying it until the response is asked for, and the error of
     * a body write that failed. */
    bool streaming;
    struct http_client *client;
    int stream_err;
};

struct p2_in_response;

struct p2_future {
    struct p2_obj h;
    struct p2_out_request *req;
    uint32_t timeout_ms[3]; /* connect, first byte, between bytes; 0: default */
    bool done, taken;
    int err, http_code;
    int tls_alert;     /* TLS-alert-received: the alert's id, or -1 */
    char tls_msg[192]; /* and its message */
    struct p2_in_response *resp;
    /* The exchange being stepped, and what its last step waits for: the
     * socket's readiness (sock NULL: nothing) until deadline_ns. */
    struct http_client *client;
    struct wasi_port_pollfd wait;
    uint64_t deadline_ns;
};

struct p2_in_response {
    struct p2_obj h; /* children: its headers */
    int status;
    struct http_fields headers;
    struct http_client *client; /* until consume() */
    bool consumed;
};

struct p2_trailers {
    struct p2_obj h;
    bool taken;
    struct p2_in_body *body; /* finished before its end: read (and dropped) until then */
    int err, http_code;      /* the body ended in this failure */
    struct http_fields f;
};

static const char *const method_names[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                           "CONNECT", "OPTIONS", "TRACE", "PATCH"};

static void request_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    struct p2_out_request *q = (struct p2_out_request *)o;
    mem_free(q->method_other);
    mem_free(q->scheme_other);
    mem_free(q->authority);
    mem_free(q->path);
    http_fields_free(&q->headers);
    client_put(w, q->client);
    if (q->body) p2_body_orphan(w, q->body);
}

static void response_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    struct p2_in_response *s = (struct p2_in_response *)o;
    http_fields_free(&s->headers);
    client_put(w, s->client);
}

static void future_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    struct p2_future *f = (struct p2_future *)o;
    client_put(w, f->client);
    if (f->req) p2_obj_free(w, &f->req->h);
    if (f->resp) p2_obj_free(w, &f->resp->h);
}

static void in_body_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    client_put(w, ((struct p2_in_body *)o)->client);
}

static void trailers_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    struct p2_trailers *t = (struct p2_trailers *)o;
    if (t->body) p2_obj_free(w, &t->body->h);
    http_fields_free(&t->f);
}

/* A NUL-terminated copy of guest bytes, or NULL. */
static char *dup_bytes(const uint8_t *s, uint32_t n)
{
    char *p = mem_alloc((size_t)n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* ---- the exchange ------------------------------------------------------------------- */

static uint32_t ns_to_ms(uint64_t ns)
{
    uint64_t ms = (ns + 999999u) / 1000000u;
    return ms == 0 ? 1 : ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms;
}

/* Builds "http://authority/path" into buf: 0 or ERR_INVAL / ERR_NOTSUP. */
static int build_url(const struct p2_out_request *q, char *buf, size_t size)
{
    if (!q->has_authority || !q->authority[0]) return ERR_INVAL;
    const char *scheme = !q->has_scheme || q->scheme == 0 ? "http"
                         : q->scheme == 1                 ? "https"
                                                          : q->scheme_other;
    const char *path = q->has_path && q->path[0] ? q->path : "/";
    size_t n = fmt_snprintf(buf, size, "%s://%s%s%s", scheme, q->authority,
                            path[0] == '/' ? "" : "/", path);
    return n >= size ? ERR_NAMETOOLONG : 0;
}

/* Records rc, a failure of c's exchange, as f's error-code. */
static void exchange_fail(struct wasi_ctx *w, struct p2_future *f, struct http_client *c, int rc)
{
    enum http_fail fail = c ? http_client_fail(c) : HTTP_FAIL_NOMEM;
    f->done = true;
    f->err = rc;
    f->http_code = p2_http_error(rc, fail);
    if (!c) return;
    if (fail == HTTP_FAIL_TLS_ALERT && w->p2->tls_handle) {
        f->tls_alert = w->tls->alert(w->tls->ctx, w->p2->tls_handle);
        str_copy(f->tls_msg, http_client_error(c), sizeof f->tls_msg);
    }
    /* wasi:http has no message for a refused certificate: say it here. */
    if (fail == HTTP_FAIL_TLS_CERT || fail == HTTP_FAIL_TLS_ALERT || fail == HTTP_FAIL_TLS_PROTOCOL)
        log_write(LOG_WARN, "https", "%s", http_client_error(c));
    if (w->p2->dns_timed_out && (fail == HTTP_FAIL_CONNECT || fail == HTTP_FAIL_CONNECT_TIMEOUT))
        f->http_code = P2_HTTP_DNS_TIMEOUT;
    log_write(LOG_DEBUG, "wasi", "http: %s", http_client_error(c));
}

/* The Content-Length the guest declared for q's body, or -1. */
static int64_t declared_length(const struct p2_out_request *q)
{
    size_t cl_len;
    const char *cl = http_fields_get(&q->headers, "content-length", &cl_len);
    if (!cl) return -1;
    int64_t n = 0;
    for (size_t i = 0; i < cl_len && char_is_digit(cl[i]) && n < INT64_MAX / 10 - 9; i++)
        n = n * 10 + (cl[i] - '0');
    return n;
}

/* Starts f's exchange on a client, to be stepped: with its whole body
 * (stream false), or with a body still being written (stream true),
 * which then goes out through http_client_try_write as the connection
 * takes it (body_pump). The client, or NULL with f's error set. */
static struct http_client *exchange_open(struct wasi_ctx *w, struct p2_future *f, bool stream)
{
    struct p2_out_request *q = f->req;
    f->http_code = -1;
    size_t nf = http_fields_count(&q->headers);
    struct http_field *fields = mem_alloc(sizeof(*fields) * (nf + 1));
    char *url = mem_alloc(8192);
    struct http_client *c = client_get(w);
    w->p2->dns_timed_out = false;
    int rc = fields && url && c ? build_url(q, url, 8192) : ERR_NOMEM;
    if (rc) {
        exchange_fail(w, f, NULL, rc);
        f->http_code = p2_http_error(rc, rc == ERR_NOMEM ? HTTP_FAIL_NOMEM : HTTP_FAIL_URL);
        goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < nf; i++) {
        struct http_field e = http_fields_at(&q->headers, i);
        /* Framing is the client's: it writes Content-Length itself. */
        if (e.name_len == 14 && !str_ncasecmp(e.name, "content-length", 14)) continue;
        fields[k++] = e;
    }
    struct http_client_request req = {
        .method = q->method < 9 ? method_names[q->method] : q->method_other,
        .url = url,
        .fields = fields,
        .field_count = k,
        .body_kind = stream    ? HTTP_CLIENT_BODY_STREAM
                     : q->body ? HTTP_CLIENT_BODY_MEMORY
                               : HTTP_CLIENT_BODY_NONE,
        .body = q->body ? q->body->data : NULL,
        .body_len = q->body ? q->body->len : 0,
        .stream_length = declared_length(q),
        .connect_timeout_ms = f->timeout_ms[0],
        .header_timeout_ms = f->timeout_ms[1],
        .idle_timeout_ms = f->timeout_ms[2],
    };
    rc = http_client_start(c, &req);
    if (rc < 0) {
        exchange_fail(w, f, c, rc);
        goto out;
    }
    mem_free(fields);
    mem_free(url);
    return c;
out:
    client_put(w, c);
    mem_free(fields);
    mem_free(url);
    return NULL;
}

/* Ends f's exchange on c, whose head came in with status rc (or failed
 * with rc): makes f's incoming-response, or sets f's error. */
static void exchange_response(struct wasi_ctx *w, struct p2_future *f, struct http_client *c,
                              int rc)
{
    f->done = true;
    if (rc < 0) {
        exchange_fail(w, f, c, rc);
        client_put(w, c);
        return;
    }
    struct p2_in_response *s = p2_obj_new(sizeof *s, P2_IN_RESPONSE, NULL, response_destroy);
    if (!s) {
        exchange_fail(w, f, NULL, ERR_NOMEM);
        client_put(w, c);
        return;
    }
    s->status = http_client_status(c);
    http_fields_init(&s->headers, 0, 0);
    p2_fields_copy(&s->headers, http_client_headers(c));
    s->client = c;
    f->resp = s;
}

static int body_pump(struct wasi_ctx *w, struct p2_out_request *q, struct p2_wait *it);

/* Advances f's exchange as far as it goes without waiting: true when the
 * future is done (a response or an error); else f->wait and
 * f->deadline_ns say what to wait for (nothing while its body is being
 * written). */
static bool future_step(struct wasi_ctx *w, struct p2_future *f)
{
    if (f->done) return true;
    struct p2_out_request *q = f->req;
    f->wait = (struct wasi_port_pollfd){0};
    f->deadline_ns = 0;
    if (q->body && !q->body->finished) return false;
    if (q->body && q->body->len == SIZE_MAX) { /* dropped unfinished */
        f->done = true;
        f->err = ERR_INVAL;
        f->http_code = p2_http_error(ERR_INVAL, HTTP_FAIL_BODY_LENGTH);
        return true;
    }
    if (q->streaming && !f->client && q->body->len) { /* the body's last bytes first */
        struct p2_wait it = {0};
        if (body_pump(w, q, &it) == 0 && q->body->len) {
            f->wait = it.pfd;
            f->deadline_ns = it.deadline;
            return false;
        }
    }
    if (q->streaming && !f->client) { /* the body is finished: on to the response */
        f->client = q->client;
        q->client = NULL;
        if (!f->client) return f->done = true; /* body_start failed: f's error is set */
        if (q->stream_err) {
            exchange_fail(w, f, f->client, q->stream_err);
            client_put(w, f->client);
            f->client = NULL;
            return true;
        }
    }
    if (!f->client) { /* not started: handle() failed to */
        exchange_fail(w, f, NULL, ERR_NOMEM);
        return true;
    }
    uint64_t deadline_ms = 0;
    w->p2->http_wait = (struct wasi_port_pollfd){0};
    int rc = http_client_step(f->client, &deadline_ms);
    if (rc == ERR_AGAIN) {
        f->wait = w->p2->http_wait;
        f->deadline_ns = deadline_ms * 1000000u;
        return false;
    }
    struct http_client *c = f->client;
    f->client = NULL;
    exchange_response(w, f, c, rc);
    return true;
}

/* ---- a request's body ------------------------------------------------------------------ */

/* Sends what q's connection takes now of what its body holds (the
 * connect and the head go first, stepped), without waiting: 0, with *it
 * (if given) saying what to wait for while bytes remain, or ERR_PIPE once
 * the exchange failed (the future tells how). */
static int body_pump(struct wasi_ctx *w, struct p2_out_request *q, struct p2_wait *it)
{
    struct p2_out_body *b = q->body;
    if (!q->client || q->stream_err) return ERR_PIPE;
    while (b->len) {
        uint64_t deadline_ms = 0;
        w->p2->http_wait = (struct wasi_port_pollfd){0};
        long n = http_client_try_write(q->client, b->data, b->len, &deadline_ms);
        if (n == ERR_AGAIN) {
            if (it) {
                it->pfd = w->p2->http_wait;
                it->waits = it->pfd.sock != NULL;
                it->recheck = true;
                it->deadline = deadline_ms * 1000000u;
            }
            return 0;
        }
        if (n < 0) {
            q->stream_err = (int)n;
            return ERR_PIPE;
        }
        memmove(b->data, b->data + n, b->len - (size_t)n);
        b->len -= (size_t)n;
    }
    return 0;
}

/* Held until handle(); after it, held as well and sent as the connection
 * takes it (check-write lets the guest write more only once the
 * connection has taken what was held: that is the backpressure). */
static int request_body_write(struct wasi_ctx *w, struct p2_out_body *b, const uint8_t *data,
                              size_t len)
{
    struct p2_out_request *q = b->owner;
    if (q->streaming && (!q->client || q->stream_err)) return ERR_PIPE;
    int rc = p2_body_hold(w, b, data, len);
    if (rc) return rc;
    b->written += len;
    return q->streaming ? body_pump(w, q, NULL) : 0;
}

/* check-write: room once the connection has taken what the body holds
 * (an exchange that failed lets the write report it). */
static int request_body_check_write(struct wasi_ctx *w, struct p2_out_body *b)
{
    struct p2_out_request *q = b->owner;
    if (!q->streaming || body_pump(w, q, NULL)) return 1;
    return b->len == 0;
}

/* The body stream's pollable: ready when check-write would give room,
 * else waiting on the connection. */
static void request_body_prepare(struct wasi_ctx *w, struct p2_out_body *b, struct p2_wait *it)
{
    struct p2_out_request *q = b->owner;
    if (!q->streaming || body_pump(w, q, it) || b->len == 0) it->ready = true;
}

/* Request trailers need a chunked body, which the client does not send;
 * a declared Content-Length must match what was written. */
static int request_body_finish(struct wasi_ctx *w, struct p2_out_body *b,
                               struct p2_fields *trailers)
{
    (void)w;
    if (trailers) return p2_http_error(ERR_NOTSUP, HTTP_FAIL_STATE);
    int64_t declared = b->owner ? declared_length(b->owner) : -1;
    if (declared >= 0 && (uint64_t)declared != b->written)
        return p2_http_error(ERR_INVAL, HTTP_FAIL_BODY_LENGTH);
    return -1;
}

/* A body dropped unfinished: the request then fails. */
static void request_body_abandon(struct wasi_ctx *w, struct p2_out_body *b)
{
    b->finished = true;
    p2_body_drop_held(w, b);
    b->len = SIZE_MAX; /* marks the body as abandoned for the exchange */
}

static const struct p2_body_sink request_sink = {
    .write = request_body_write,
    .finish = request_body_finish,
    .abandon = request_body_abandon,
    .check_write = request_body_check_write,
    .prepare = request_body_prepare,
};

/* Starts q's exchange with its body still being written: what the body
 * holds goes out as the connection takes it. */
static void body_start(struct wasi_ctx *w, struct p2_future *f)
{
    struct p2_out_request *q = f->req;
    q->streaming = true;
    q->client = exchange_open(w, f, true);
    if (q->client) body_pump(w, q, NULL);
}

/* ---- outgoing-request ------------------------------------------------------------------ */

#define REQ_SELF(var)                                                                              \
    struct p2_out_request *var = p2_get(call, self, P2_OUT_REQUEST);                               \
    if (!var) return p2_bad_handle(call, self, P2_OUT_REQUEST)

/* [constructor]outgoing-request(headers: own<fields>) */
P2_IMPL(p2_http_types_outgoing_request_new, uint32_t headers, uint32_t *result)
{
    struct p2_fields *hf = p2_take(call, headers, P2_FIELDS);
    if (!hf) return p2_bad_handle(call, headers, P2_FIELDS);
    struct p2_out_request *q = p2_obj_new(sizeof *q, P2_OUT_REQUEST, NULL, request_destroy);
    if (!q) {
        p2_obj_free(call_ctx(call), &hf->h);
        return wasm_host_trap(call, "out of memory");
    }
    q->headers = hf->f; /* moved */
    http_fields_init(&hf->f, 0, 0);
    p2_obj_free(call_ctx(call), &hf->h);
    return p2_put(call, &q->h, result);
}

/* body() -> result<own<outgoing-body>>: 8 bytes; err after the first call. */
P2_IMPL(p2_http_types_outgoing_request_body, uint32_t self, uint32_t ret_ptr)
{
    REQ_SELF(q);
    uint32_t h = 0;
    bool err = q->body_taken;
    if (!err) {
        struct p2_out_body *b;
        int rc = p2_body_put(call, &request_sink, q, &b, &h);
        if (rc) return rc;
        q->body = b;
        q->body_taken = true;
    }
    return p2_ret_handle(call, ret_ptr, err, 0, h);
}

/* Writes option<string>-like [tag, ptr, len] at ret+off. */
static int put_opt_string(struct wasm_host_call *call, uint32_t ret_ptr, uint32_t size,
                          uint32_t off, bool some, const char *s, bool tag_at_0)
{
    uint32_t ptr = 0, len = some && s ? (uint32_t)strlen(s) : 0;
    if (some && s) {
        int rc = p2_alloc_copy(call, s, len, &ptr);
        if (rc) return rc;
    }
    uint8_t *ret = p2_ret(call, ret_ptr, size, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (tag_at_0) ret[0] = some;
    le32_put(ret + off, ptr);
    le32_put(ret + off + 4, len);
    return 0;
}

/* method() -> method: 12 bytes, [0] case, other's string at [4]. */
P2_IMPL(p2_http_types_outgoing_request_method, uint32_t self, uint32_t ret_ptr)
{
    REQ_SELF(q);
    char *other = q->method == 9 ? q->method_other : NULL;
    int rc = put_opt_string(call, ret_ptr, 12, 4, other != NULL, other, false);
    if (!rc) guest_ptr(call, ret_ptr, 1)[0] = q->method;
    return rc;
}

/* RFC 9110 5.6.2 token characters. */
static bool is_token(const uint8_t *s, uint32_t n)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    if (n == 0) return false;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c && strchr(extra, c))))
            return false;
    }
    return true;
}

/* set-method(method) -> result: the method's case, and the string of
 * other (case 9). */
P2_IMPL(p2_http_types_outgoing_request_set_method, uint32_t self, uint32_t method_case,
        uint32_t other_ptr, uint32_t other_len, uint32_t *result)
{
    REQ_SELF(q);
    uint32_t tag = method_case;
    if (tag > 9) return wasm_host_trap(call, "invalid method case %u", tag);
    char *other = NULL;
    if (tag == 9) {
        const uint8_t *s = p2_arg_bytes(call, other_ptr, other_len, true);
        if (!s) return p2_bad_ptr(call, "method");
        if (!is_token(s, other_len) || !(other = dup_bytes(s, other_len))) {
            *result = 1;
            return 0;
        }
    }
    mem_free(q->method_other);
    q->method_other = other;
    q->method = (uint8_t)tag;
    *result = 0;
    return 0;
}

P2_IMPL(p2_http_types_outgoing_request_path_with_query, uint32_t self, uint32_t ret_ptr)
{
    REQ_SELF(q);
    return put_opt_string(call, ret_ptr, 12, 4, q->has_path, q->path, true);
}

/* A request-target or authority: visible ASCII, no space (RFC 9112 3.2);
 * an authority also has no '/', '?', '#' or '@'. */
static bool uri_part_ok(const uint8_t *s, uint32_t n, bool authority)
{
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c <= 0x20 || c >= 0x7f || c == '#') return false;
        if (authority && (c == '/' || c == '?' || c == '@')) return false;
    }
    return !authority || n > 0;
}

/* Sets an option<string> field (when some: str_ptr, str_len) after
 * checking it: *result 0 (ok) or 1 (err). */
static int set_opt(struct wasm_host_call *call, uint32_t some, uint32_t str_ptr, uint32_t str_len,
                   bool *has, char **field, bool authority, uint32_t *result)
{
    char *v = NULL;
    if (some) {
        const uint8_t *s = p2_arg_bytes(call, str_ptr, str_len, true);
        if (!s) return p2_bad_ptr(call, "string");
        if (!uri_part_ok(s, str_len, authority) || !(v = dup_bytes(s, str_len))) {
            *result = 1;
            return 0;
        }
    }
    mem_free(*field);
    *field = v;
    *has = some != 0;
    *result = 0;
    return 0;
}

P2_IMPL(p2_http_types_outgoing_request_set_path_with_query, uint32_t self,
        uint32_t has_path_with_query, uint32_t path_with_query_ptr, uint32_t path_with_query_len,
        uint32_t *result)
{
    REQ_SELF(q);
    return set_opt(call, has_path_with_query, path_with_query_ptr, path_with_query_len,
                   &q->has_path, &q->path, false, result);
}

P2_IMPL(p2_http_types_outgoing_request_authority, uint32_t self, uint32_t ret_ptr)
{
    REQ_SELF(q);
    return put_opt_string(call, ret_ptr, 12, 4, q->has_authority, q->authority, true);
}

P2_IMPL(p2_http_types_outgoing_request_set_authority, uint32_t self, uint32_t has_authority,
        uint32_t authority_ptr, uint32_t authority_len, uint32_t *result)
{
    REQ_SELF(q);
    return set_opt(call, has_authority, authority_ptr, authority_len, &q->has_authority,
                   &q->authority, true, result);
}

/* scheme() -> option<scheme>: 16 bytes, [0] some, [4] case, [8] other. */
P2_IMPL(p2_http_types_outgoing_request_scheme, uint32_t self, uint32_t ret_ptr)
{
    REQ_SELF(q);
    char *other = q->has_scheme && q->scheme == 2 ? q->scheme_other : NULL;
    int rc = put_opt_string(call, ret_ptr, 16, 8, other != NULL, other, false);
    if (!rc) {
        uint8_t *ret = guest_ptr(call, ret_ptr, 16);
        ret[0] = q->has_scheme;
        ret[4] = q->scheme;
    }
    return rc;
}

/* set-scheme(option<scheme>): some, the scheme's case, and the string of
 * other (case 2). */
P2_IMPL(p2_http_types_outgoing_request_set_scheme, uint32_t self, uint32_t has_scheme,
        uint32_t scheme_case, uint32_t other_ptr, uint32_t other_len, uint32_t *result)
{
    REQ_SELF(q);
    char *other = NULL;
    if (has_scheme && scheme_case > 2)
        return wasm_host_trap(call, "invalid scheme case %u", scheme_case);
    if (has_scheme && scheme_case == 2) {
        const uint8_t *s = p2_arg_bytes(call, other_ptr, other_len, true);
        if (!s) return p2_bad_ptr(call, "scheme");
        bool ok = other_len > 0 && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z');
        for (uint32_t i = 1; ok && i < other_len; i++)
            ok = (s[i] >= '0' && s[i] <= '9') || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') ||
                 s[i] == '+' || s[i] == '-' || s[i] == '.'; /* RFC 3986 3.1 */
        if (!ok || !(other = dup_bytes(s, other_len))) {
            *result = 1;
            return 0;
        }
    }
    mem_free(q->scheme_other);
    q->scheme_other = other;
    q->has_scheme = has_scheme != 0;
    q->scheme = q->has_scheme ? (uint8_t)scheme_case : 0;
    *result = 0;
    return 0;
}

/* headers() -> own<fields>: an immutable child. */
P2_IMPL(p2_http_types_outgoing_request_headers, uint32_t self, uint32_t *result)
{
    REQ_SELF(q);
    return p2_fields_put_copy(call, &q->headers, &q->h, result);
}

P2_IMPL(p2_http_types_outgoing_request_drop, uint32_t self)
{
    return p2_drop(call, self, P2_OUT_REQUEST);
}

/* ---- the handler and the future --------------------------------------------------------- */

/* handle(request: own<outgoing-request>, options: option<own<request-options>>)
 * -> result<own<future-incoming-response>, error-code>: 40 bytes. */
P2_IMPL(p2_http_outgoing_handler_handle, uint32_t request, uint32_t has_options, uint32_t options,
        uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    if (!p2_get(call, request, P2_OUT_REQUEST)) return p2_bad_handle(call, request, P2_OUT_REQUEST);
    if (has_options && !p2_get(call, options, P2_REQ_OPTIONS))
        return p2_bad_handle(call, options, P2_REQ_OPTIONS);
    struct p2_future *f = p2_obj_new(sizeof *f, P2_FUTURE_RESPONSE, NULL, future_destroy);
    if (!f) return wasm_host_trap(call, "out of memory");
    f->tls_alert = -1;
    f->req = p2_take(call, request, P2_OUT_REQUEST);
    if (has_options) {
        struct p2_req_options *o = p2_take(call, options, P2_REQ_OPTIONS);
        for (int i = 0; i < 3; i++)
            f->timeout_ms[i] = o->has[i] ? ns_to_ms(o->ns[i]) : 0;
        p2_obj_free(w, &o->h);
    }
    int code = -1;
    struct p2_out_request *q = f->req;
    if (!wasi_net_allowed(w, "http request"))
        code = P2_HTTP_REQUEST_DENIED;
    else if (!q->has_authority)
        code = p2_http_error(ERR_INVAL, HTTP_FAIL_URL);
    else if (q->has_scheme && q->scheme != 0 && !(q->scheme == 1 && w->tls))
        code = p2_http_error(ERR_NOTSUP, HTTP_FAIL_SCHEME); /* another scheme, or no TLS */
    else if (q->body && q->body->finished && q->body->len == SIZE_MAX)
        code = p2_http_error(ERR_INVAL, HTTP_FAIL_BODY_LENGTH);
    else if (q->body && !q->body->finished)
        body_start(w, f);
    else
        f->client = exchange_open(w, f, false); /* a failure is the future's answer */
    uint32_t h = 0;
    if (code >= 0) {
        p2_obj_free(w, &f->h);
    } else {
        int rc = p2_put(call, &f->h, &h);
        if (rc) return rc;
    }
    uint8_t *ret = p2_ret(call, ret_ptr, 40, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (code >= 0) {
        ret[0] = 1;
        ret[8] = (uint8_t)code;
    } else {
        le32_put(ret + 8, h);
    }
    return 0;
}

static void future_prepare(struct wasi_ctx *w, const struct p2_pollable *p, uint64_t now,
                           struct p2_wait *it)
{
    (void)now;
    struct p2_future *f = (struct p2_future *)p->h.parent;
    it->ready = future_step(w, f);
    if (it->ready) return;
    it->waits = f->wait.sock != NULL;
    it->pfd = f->wait;
    it->deadline = f->deadline_ns;
    it->recheck = true;
}

static const struct p2_poll_ops future_poll_ops = {.prepare = future_prepare};

P2_IMPL(p2_http_types_future_incoming_response_subscribe, uint32_t self, uint32_t *result)
{
    struct p2_future *f = p2_get(call, self, P2_FUTURE_RESPONSE);
    if (!f) return p2_bad_handle(call, self, P2_FUTURE_RESPONSE);
    return p2_subscribe(call, &f->h, &future_poll_ops, 0, result);
}

/* get() -> option<result<result<own<incoming-response>, error-code>>>:
 * 56 bytes, align 8: [0] some, [8] outer err (taken), [16] inner err,
 * [24] the handle or the error-code case. */
P2_IMPL(p2_http_types_future_incoming_response_get, uint32_t self, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_future *f = p2_get(call, self, P2_FUTURE_RESPONSE);
    if (!f) return p2_bad_handle(call, self, P2_FUTURE_RESPONSE);
    bool ready = future_step(w, f);
    uint32_t h = 0;
    bool was_taken = f->taken;
    if (ready && !f->taken && f->resp) {
        int rc = p2_put(call, &f->resp->h, &h);
        f->resp = NULL;
        if (rc) return rc;
    }
    /* TLS-alert-received's message goes to guest memory first: allocating
     * calls into the guest, so the result is written after it. */
    uint32_t msg = 0, msg_len = 0;
    if (ready && !was_taken && !h && f->tls_alert >= 0) {
        msg_len = (uint32_t)strlen(f->tls_msg);
        int rc = p2_alloc_copy(call, f->tls_msg, msg_len, &msg);
        if (rc) return rc;
    }
    if (ready) f->taken = true;
    uint8_t *ret = p2_ret(call, ret_ptr, 56, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (!ready) return 0;
    ret[0] = 1;
    if (was_taken) {
        ret[8] = 1;
    } else if (h) {
        le32_put(ret + 24, h);
    } else {
        ret[16] = 1;
        ret[24] = (uint8_t)f->http_code;
        if (f->tls_alert >= 0) { /* TLS-alert-received-payload: alert-id, alert-message */
            ret[32] = 1;
            ret[33] = (uint8_t)f->tls_alert;
            ret[36] = 1;
            le32_put(ret + 40, msg);
            le32_put(ret + 44, msg_len);
        }
    }
    return 0;
}

P2_IMPL(p2_http_types_future_incoming_response_drop, uint32_t self)
{
    return p2_drop(call, self, P2_FUTURE_RESPONSE);
}

/* ---- incoming-response and its body ------------------------------------------------------ */

P2_IMPL(p2_http_types_incoming_response_status, uint32_t self, uint32_t *result)
{
    struct p2_in_response *s = p2_get(call, self, P2_IN_RESPONSE);
    if (!s) return p2_bad_handle(call, self, P2_IN_RESPONSE);
    *result = (uint32_t)s->status;
    return 0;
}

P2_IMPL(p2_http_types_incoming_response_headers, uint32_t self, uint32_t *result)
{
    struct p2_in_response *s = p2_get(call, self, P2_IN_RESPONSE);
    if (!s) return p2_bad_handle(call, self, P2_IN_RESPONSE);
    return p2_fields_put_copy(call, &s->headers, &s->h, result);
}

/* The wasi:http error-code case of the client's body failure n (a TLS
 * failure's message goes to the log, as wasi:http cannot carry it). */
static int client_body_error(struct p2_in_body *b, long n)
{
    enum http_fail fail = http_client_fail(b->client);
    if (fail == HTTP_FAIL_TLS_ALERT || fail == HTTP_FAIL_TLS_PROTOCOL)
        log_write(LOG_WARN, "https", "%s", http_client_error(b->client));
    return p2_http_error((int)n, fail);
}

/* The next piece of a response body from the client: its length with
 * *data pointing into the client's buffer (valid until the next client
 * call), 0 at the end, or an ERR_* with *http_code. */
static long client_body_next(struct wasi_ctx *w, struct p2_in_body *b, const uint8_t **data,
                             int *http_code)
{
    (void)w;
    if (!b->client) return 0;
    long n = http_client_read_slice(b->client, data);
    if (n < 0) *http_code = client_body_error(b, n);
    return n;
}

/* client_body_next without waiting: ERR_AGAIN with *it on the socket
 * (rechecked when it is readable) until the between-bytes deadline. */
static long client_body_try_next(struct wasi_ctx *w, struct p2_in_body *b, const uint8_t **data,
                                 int *http_code, struct p2_wait *it)
{
    if (!b->client) return 0;
    uint64_t deadline_ms = 0;
    long n = http_client_try_read_slice(b->client, data, &deadline_ms);
    if (n == ERR_AGAIN) {
        it->waits = w->p2->http_wait.sock != NULL;
        it->pfd = w->p2->http_wait;
        it->recheck = true;
        it->deadline = deadline_ms * 1000000u;
        return n;
    }
    if (n < 0) *http_code = client_body_error(b, n);
    return n;
}

static void client_body_trailers(struct wasi_ctx *w, struct p2_in_body *b, struct http_fields *out)
{
    (void)w;
    if (b->client) p2_fields_copy(out, http_client_trailers(b->client));
}

static const struct p2_body_source client_source = {
    .next = client_body_next,
    .try_next = client_body_try_next,
    .trailers = client_body_trailers,
};

int p2_in_body_consume(struct wasm_host_call *call, bool *consumed,
                       const struct p2_body_source *src, struct http_client **client,
                       uint32_t ret_ptr)
{
    uint32_t h = 0;
    bool err = *consumed;
    if (!err) {
        struct p2_in_body *b = p2_obj_new(sizeof *b, P2_IN_BODY, NULL, in_body_destroy);
        if (!b) return wasm_host_trap(call, "out of memory");
        b->src = src;
        if (client) {
            b->client = *client;
            *client = NULL;
        }
        *consumed = true;
        int rc = p2_put(call, &b->h, &h);
        if (rc) return rc;
    }
    return p2_ret_handle(call, ret_ptr, err, 0, h);
}

/* consume() -> result<own<incoming-body>>: once. */
P2_IMPL(p2_http_types_incoming_response_consume, uint32_t self, uint32_t ret_ptr)
{
    struct p2_in_response *s = p2_get(call, self, P2_IN_RESPONSE);
    if (!s) return p2_bad_handle(call, self, P2_IN_RESPONSE);
    return p2_in_body_consume(call, &s->consumed, &client_source, &s->client, ret_ptr);
}

P2_IMPL(p2_http_types_incoming_response_drop, uint32_t self)
{
    return p2_drop(call, self, P2_IN_RESPONSE);
}

/* Makes sure b has a piece pending or has ended: > 0 (the pending
 * length), 0 at the end, or the ERR_* that ended it (again on every call
 * after it). With it, does not wait where the source can: ERR_AGAIN with
 * *it saying what to wait for; without, waits in the source. */
static long body_fill(struct wasi_ctx *w, struct p2_in_body *b, struct p2_wait *it)
{
    if (b->err) return b->err;
    if (b->pending_len) return (long)b->pending_len;
    if (b->eof) return 0;
    long n = it && b->src->try_next ? b->src->try_next(w, b, &b->pending, &b->http_code, it)
                                    : b->src->next(w, b, &b->pending, &b->http_code);
    if (n == ERR_AGAIN) return n;
    if (n == 0) b->eof = true;
    if (n < 0) b->err = (int)n;
    if (n > 0) b->pending_len = (size_t)n;
    return n;
}

/* Fills b, waiting through the port (so a handler deadline ends the
 * wait) where the source does not wait itself: as body_fill. */
static long body_fill_waiting(struct wasi_ctx *w, struct p2_in_body *b)
{
    for (;;) {
        struct p2_wait it = {0};
        long n = body_fill(w, b, &it);
        if (n != ERR_AGAIN) return n;
        uint64_t deadline = it.deadline ? it.deadline : WASI_PORT_NO_DEADLINE;
        int rc = w->port.ops->wait(w->port.ctx, &it.pfd, it.waits ? 1 : 0, deadline);
        if (rc < 0) return rc;
    }
}

/* The next piece of b, at most max bytes, from what body_fill made
 * pending: its length with *data, or body_fill's 0 or error (with
 * *http_code). */
static long body_take(struct p2_in_body *b, long filled, size_t max, const uint8_t **data,
                      int *http_code)
{
    if (filled <= 0) {
        if (filled < 0) *http_code = b->http_code;
        return filled;
    }
    size_t n = MIN(max, b->pending_len);
    *data = b->pending;
    b->pending += n;
    b->pending_len -= n;
    return (long)n;
}

/* The read of an incoming body's stream (its parent): without block, 0
 * bytes when nothing has arrived (the stream's pollable waits for it). */
static long body_read(struct wasi_ctx *w, struct p2_stream *s, size_t max, bool block,
                      const uint8_t **data, int *http_code)
{
    struct p2_in_body *b = (struct p2_in_body *)s->h.parent;
    struct p2_wait it = {0};
    long filled = block ? body_fill_waiting(w, b) : body_fill(w, b, &it);
    if (filled == ERR_AGAIN) return 0;
    long n = body_take(b, filled, max, data, http_code);
    return n == 0 ? ERR_PIPE : n;
}

/* What the stream's pollable waits for: a piece of the body, its end or
 * its failure. */
static void body_prepare(struct wasi_ctx *w, struct p2_stream *s, struct p2_wait *it)
{
    struct p2_in_body *b = (struct p2_in_body *)s->h.parent;
    it->ready = !b->src->try_next || body_fill(w, b, it) != ERR_AGAIN;
}

static const struct p2_stream_ops in_body_ops = {
    .read = body_read,
    .prepare = body_prepare,
};

/* stream() -> result<own<input-stream>>: once; the stream is a child. */
P2_IMPL(p2_http_types_incoming_body_stream, uint32_t self, uint32_t ret_ptr)
{
    struct p2_in_body *b = p2_get(call, self, P2_IN_BODY);
    if (!b) return p2_bad_handle(call, self, P2_IN_BODY);
    return p2_stream_once(call, &b->stream_taken, P2_INPUT_STREAM, &in_body_ops, &b->h, ret_ptr);
}

/* Reads t's body towards its end without waiting (ERR_AGAIN in *it's
 * terms) and, once there, takes its trailers or its failure: true when
 * the trailers are complete. */
static bool trailers_step(struct wasi_ctx *w, struct p2_trailers *t, struct p2_wait *it)
{
    struct p2_in_body *b = t->body;
    if (!b) return true;
    long n;
    while ((n = body_fill(w, b, it)) > 0)
        b->pending_len = 0; /* the guest no longer reads the body: its bytes go */
    if (n == ERR_AGAIN) return false;
    if (n == 0) b->src->trailers(w, b, &t->f);
    t->err = (int)n;
    t->http_code = b->http_code;
    t->body = NULL;
    p2_obj_free(w, &b->h);
    return true;
}

/* [static]finish(this: own<incoming-body>) -> own<future-trailers>: the
 * trailers of a chunked body, complete when the body's end arrives (a
 * body not read to its end is read, and dropped, until then). */
P2_IMPL(p2_http_types_incoming_body_finish, uint32_t this, uint32_t *result)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_in_body *b = p2_get(call, this, P2_IN_BODY);
    if (!b) return p2_bad_handle(call, this, P2_IN_BODY);
    if (b->h.children)
        return wasm_host_trap(call, "incoming-body %u finished before its stream was dropped",
                              this);
    struct p2_trailers *t = p2_obj_new(sizeof *t, P2_FUTURE_TRAILERS, NULL, trailers_destroy);
    if (!t) return wasm_host_trap(call, "out of memory");
    http_fields_init(&t->f, 0, 0);
    p2_take(call, this, P2_IN_BODY);
    t->body = b;
    struct p2_wait it = {0};
    if (b->eof || b->err || b->src->try_next) trailers_step(w, t, &it); /* never waits here */
    return p2_put(call, &t->h, result);
}

P2_IMPL(p2_http_types_incoming_body_drop, uint32_t self)
{
    return p2_drop(call, self, P2_IN_BODY);
}

static void trailers_prepare(struct wasi_ctx *w, const struct p2_pollable *p, uint64_t now,
                             struct p2_wait *it)
{
    (void)now;
    struct p2_trailers *t = (struct p2_trailers *)p->h.parent;
    it->ready = trailers_step(w, t, it);
}

static const struct p2_poll_ops trailers_poll_ops = {.prepare = trailers_prepare};

P2_IMPL(p2_http_types_future_trailers_subscribe, uint32_t self, uint32_t *result)
{
    struct p2_trailers *t = p2_get(call, self, P2_FUTURE_TRAILERS);
    if (!t) return p2_bad_handle(call, self, P2_FUTURE_TRAILERS);
    return p2_subscribe(call, &t->h, &trailers_poll_ops, 0, result);
}

/* get() -> option<result<result<option<own<trailers>>, error-code>>>:
 * 56 bytes, align 8: [0] some, [8] outer err, [16] inner err, [24]
 * option tag, [28] handle. */
P2_IMPL(p2_http_types_future_trailers_get, uint32_t self, uint32_t ret_ptr)
{
    struct p2_trailers *t = p2_get(call, self, P2_FUTURE_TRAILERS);
    if (!t) return p2_bad_handle(call, self, P2_FUTURE_TRAILERS);
    uint8_t *ret = p2_ret(call, ret_ptr, 56, 8);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    struct p2_wait it = {0};
    if (!trailers_step(call_ctx(call), t, &it)) { /* none yet */
        memset(ret, 0, 56);
        return 0;
    }
    uint32_t h = 0;
    bool was_taken = t->taken;
    if (!t->taken && !t->err && http_fields_count(&t->f)) {
        int rc = p2_fields_put_copy(call, &t->f, NULL, &h);
        if (rc) return rc;
    }
    t->taken = true;
    ret = p2_ret(call, ret_ptr, 56, 8); /* memory may have grown */
    if (!ret) return p2_bad_ret(call, ret_ptr);
    memset(ret, 0, 56);
    ret[0] = 1;
    if (was_taken) {
        ret[8] = 1;
    } else if (t->err) { /* the body's failure: its error-code case, no payload */
        ret[16] = 1;
        ret[24] = t->http_code >= 0 ? (uint8_t)t->http_code : p2_http_error(t->err, HTTP_FAIL_RECV);
    } else if (h) {
        ret[24] = 1;
        le32_put(ret + 28, h);
    }
    return 0;
}

P2_IMPL(p2_http_types_future_trailers_drop, uint32_t self)
{
    return p2_drop(call, self, P2_FUTURE_TRAILERS);
}
