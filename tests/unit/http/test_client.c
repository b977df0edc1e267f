/*
 * tests/unit/http/test_client.c - lib/http's client over a scripted socket
 * interface: each scripted connection lists the exact request bytes the
 * client must send and the bytes the "server" answers, then how the
 * connection ends (close, reset, stall...). A fake clock advances by each
 * timeout that expires, so the timeout paths run instantly and exactly.
 * The same client runs against real servers in tests/http/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "http/client.h"
#include "http/config.h"

/* ---- the scripted transport ----------------------------------------------- */

enum end_mode {
    END_OPEN,  /* after the last turn the server stays silent (keep-alive) */
    END_CLOSE, /* the server closes (recv returns 0) */
    END_RESET, /* recv fails with ERR_CONNRESET */
};

struct turn {
    const char *request; /* exact bytes expected; the reply follows them */
    const char *reply;   /* NULL: none; the end mode applies right away */
    size_t reply_len;    /* 0: strlen(reply) */
};

struct script {
    const char *host;
    uint16_t port;
    int connect_result;
    const struct turn *turns;
    size_t nturns;
    enum end_mode end;
};

struct http_conn {
    struct fake *f;
    const struct script *s;
    size_t turn, got, reply_pos;
    char sent[32768];
};

struct fake {
    const struct script *scripts;
    size_t nscripts, next;
    uint64_t now;
    size_t piece;         /* most bytes one recv returns (0: no cap) */
    uint32_t ms_per_recv; /* time each delivery takes */
    bool hold;            /* the reply has not arrived yet: recv times out */
    long send_room;       /* bytes sends take before the socket is full (-1: no limit) */
    unsigned closes;
    struct http_conn *live;
};

static int fake_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                        struct http_conn **out)
{
    struct fake *f = ctx;
    if (f->next >= f->nscripts) fail_msg("unexpected connect to %s:%u", host, port);
    const struct script *s = &f->scripts[f->next++];
    assert_string_equal(host, s->host);
    assert_int_equal(port, s->port);
    if (s->connect_result == ERR_TIMEDOUT) f->now += timeout_ms;
    if (s->connect_result < 0) return s->connect_result;
    struct http_conn *c = calloc(1, sizeof *c);
    c->f = f;
    c->s = s;
    f->live = c;
    *out = c;
    return 0;
}

static size_t reply_len(const struct turn *t)
{
    return t->reply_len ? t->reply_len : (t->reply ? strlen(t->reply) : 0);
}

static long fake_send(void *ctx, struct http_conn *c, const void *buf, size_t len, uint32_t timeout)
{
    struct fake *f = ctx;
    assert_true(len > 0);
    if (f->send_room == 0) { /* full: the wait for room times out */
        f->now += timeout;
        return ERR_TIMEDOUT;
    }
    if (f->send_room > 0 && len > (size_t)f->send_room) len = (size_t)f->send_room;
    if (f->send_room > 0) f->send_room -= (long)len;
    if (c->turn >= c->s->nturns)
        fail_msg("request bytes after the script's last turn: \"%.*s\"", (int)len,
                 (const char *)buf);
    const struct turn *t = &c->s->turns[c->turn];
    size_t want = strlen(t->request);
    if (c->got + len > want)
        fail_msg("request longer than expected:\n%.*s%.*s\nexpected:\n%s", (int)c->got, c->sent,
                 (int)len, (const char *)buf, t->request);
    memcpy(c->sent + c->got, buf, len);
    c->got += len;
    if (c->got == want) assert_memory_equal(c->sent, t->request, want);
    return (long)len;
}

static long fake_recv(void *ctx, struct http_conn *c, void *buf, size_t len, uint32_t timeout)
{
    struct fake *f = ctx;
    assert_true(len > 0);
    for (;;) {
        if (c->turn >= c->s->nturns) break;
        const struct turn *t = &c->s->turns[c->turn];
        if (c->got < strlen(t->request)) { /* the server waits for the request */
            f->now += timeout;
            return ERR_TIMEDOUT;
        }
        size_t total = reply_len(t);
        if (!t->reply) break; /* no answer: the end mode */
        if (c->reply_pos < total && f->hold) {
            f->now += timeout;
            return ERR_TIMEDOUT;
        }
        if (c->reply_pos < total) {
            size_t n = total - c->reply_pos;
            if (n > len) n = len;
            if (f->piece && n > f->piece) n = f->piece;
            memcpy(buf, t->reply + c->reply_pos, n);
            c->reply_pos += n;
            f->now += f->ms_per_recv;
            return (long)n;
        }
        if (c->turn + 1 == c->s->nturns) break;
        c->turn++; /* the next request may follow */
        c->got = c->reply_pos = 0;
    }
    switch (c->s->end) {
    case END_CLOSE: return 0;
    case END_RESET: return ERR_CONNRESET;
    default: f->now += timeout; return ERR_TIMEDOUT;
    }
}

static void fake_close(void *ctx, struct http_conn *c)
{
    struct fake *f = ctx;
    f->closes++;
    if (f->live == c) f->live = NULL;
    free(c);
}

static uint64_t fake_now(void *ctx)
{
    return ((struct fake *)ctx)->now;
}

static const struct http_sock_ops fake_ops = {fake_connect, fake_send, fake_recv, fake_close,
                                              fake_now};

#define SCRIPT(...) ((const struct script[]){__VA_ARGS__})
#define TURNS(...)                                                                                 \
    ((const struct turn[]){__VA_ARGS__}),                                                          \
        sizeof((const struct turn[]){__VA_ARGS__}) / sizeof(struct turn)
#define NSCRIPTS(...) sizeof((const struct script[]){__VA_ARGS__}) / sizeof(struct script)

static struct http_client *client_over(struct fake *f, const struct script *s, size_t n,
                                       const struct http_client_config *cfg)
{
    memset(f, 0, sizeof *f);
    f->scripts = s;
    f->nscripts = n;
    f->now = 1000;
    f->send_room = -1;
    static struct http_sock sock;
    sock.ops = &fake_ops;
    sock.ctx = f;
    struct http_client *c;
    assert_int_equal(http_client_create(&sock, cfg, &c), 0);
    return c;
}

/* Every scripted connection was made. */
static void done(struct fake *f, struct http_client *c)
{
    http_client_destroy(c);
    assert_int_equal(f->next, f->nscripts);
    assert_null(f->live);
}

struct body {
    char data[4096];
    size_t len;
};

static int sink(void *ctx, const uint8_t *d, size_t n)
{
    struct body *b = ctx;
    assert_true(b->len + n <= sizeof b->data);
    memcpy(b->data + b->len, d, n);
    b->len += n;
    return 0;
}

static void expect_fetch(struct http_client *c, const struct http_client_request *req, int status,
                         const char *body)
{
    struct body b = {0};
    int r = http_client_fetch(c, req, sink, &b);
    if (r != status)
        fail_msg("fetch %s: %d (%s: %s)", req->url, r, http_fail_name(http_client_fail(c)),
                 http_client_error(c));
    assert_int_equal(b.len, strlen(body));
    assert_memory_equal(b.data, body, b.len);
}

static void expect_error(struct http_client *c, int r, int err, enum http_fail kind)
{
    if (r != err || http_client_fail(c) != kind)
        fail_msg("got %d %s (%s), want %d %s", r, http_fail_name(http_client_fail(c)),
                 http_client_error(c), err, http_fail_name(kind));
    assert_true(strlen(http_client_error(c)) > 0);
}

#define GET(path, host) "GET " path " HTTP/1.1\r\nHost: " host "\r\n\r\n"
#define OK(body)        "HTTP/1.1 200 OK\r\nContent-Length: " #body "\r\n\r\n"

/* ---- keep-alive ---------------------------------------------------------------- */

static void test_keep_alive_one_connection(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s =
        SCRIPT({"h", 80, 0,
                TURNS({GET("/a", "h"), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"},
                      {GET("/b?x=1", "h"),
                       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n"},
                      {"HEAD /c HTTP/1.1\r\nHost: h\r\n\r\n",
                       "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"},
                      {GET("/d", "H:80"), "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"}),
                END_OPEN});
    struct http_client *c = client_over(&f, s, 1, NULL);
    for (size_t piece = 0; piece < 2; piece++) {
        if (piece) { /* again, one byte per recv */
            http_client_destroy(c);
            c = client_over(&f, s, 1, NULL);
            f.piece = 1;
        }
        expect_fetch(c, &(struct http_client_request){.url = "http://h/a"}, 200, "a");
        expect_fetch(c, &(struct http_client_request){.url = "http://h/b?x=1#frag"}, 200, "b");
        expect_fetch(c, &(struct http_client_request){.method = "HEAD", .url = "http://h/c"}, 200,
                     "");
        expect_fetch(c, &(struct http_client_request){.url = "http://H:80/d"}, 404, "no");
        assert_int_equal(http_client_connects(c), 1);
        assert_int_equal(http_client_conn_requests(c), 4);
    }
    done(&f, c);
}

static void test_connection_close_honoured(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s = SCRIPT(
        {"h", 8080, 0,
         TURNS({GET("/a", "h:8080"),
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na"}),
         END_CLOSE},
        {"h", 8080, 0,
         TURNS({GET("/b", "h:8080"), "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nb"}), END_CLOSE},
        {"h", 8080, 0, TURNS({GET("/c", "h:8080"), "HTTP/1.1 200 OK\r\n\r\nclose-delimited"}),
         END_CLOSE},
        {"h", 8080, 0,
         TURNS({GET("/d", "h:8080"),
                "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nd"},
               {GET("/e", "h:8080"), OK(1) "e"}),
         END_OPEN});
    struct http_client *c = client_over(&f, s, 4, NULL);
    expect_fetch(c, &(struct http_client_request){.url = "http://h:8080/a"}, 200, "a");
    expect_fetch(c, &(struct http_client_request){.url = "http://h:8080/b"}, 200, "b");
    expect_fetch(c, &(struct http_client_request){.url = "http://h:8080/c"}, 200,
                 "close-delimited");
    expect_fetch(c, &(struct http_client_request){.url = "http://h:8080/d"}, 200, "d");
    expect_fetch(c, &(struct http_client_request){.url = "http://h:8080/e"}, 200, "e");
    assert_int_equal(http_client_connects(c), 4);
    done(&f, c);
}

/* A kept connection the server has closed meanwhile is noticed before
 * use; one it closes as the request arrives is retried on a new one. */
static void test_stale_connection(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s = SCRIPT(
        {"h", 80, 0, TURNS({GET("/a", "h"), OK(1) "a"}), END_CLOSE},
        {"h", 80, 0, TURNS({GET("/b", "h"), OK(1) "b"}, {GET("/c", "h"), NULL}), END_CLOSE},
        {"h", 80, 0,
         TURNS({GET("/c", "h"), OK(1) "c"},
               {"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", NULL}),
         END_RESET},
        {"h", 80, 0,
         TURNS(
             {"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", OK(2) "ok"},
             {"PUT /s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
              NULL}),
         END_CLOSE});
    struct http_client *c = client_over(&f, s, 4, NULL);
    expect_fetch(c, &(struct http_client_request){.url = "http://h/a"}, 200, "a");
    expect_fetch(c, &(struct http_client_request){.url = "http://h/b"}, 200, "b");
    expect_fetch(c, &(struct http_client_request){.url = "http://h/c"}, 200, "c");
    expect_fetch(c,
                 &(struct http_client_request){.method = "POST",
                                               .url = "http://h/p",
                                               .body_kind = HTTP_CLIENT_BODY_MEMORY,
                                               .body = "abc",
                                               .body_len = 3},
                 200, "ok");
    assert_int_equal(http_client_connects(c), 4);
    /* A streamed body cannot be sent again: no retry. */
    struct http_client_request req = {.method = "PUT",
                                      .url = "http://h/s",
                                      .body_kind = HTTP_CLIENT_BODY_STREAM,
                                      .stream_length = -1};
    assert_int_equal(http_client_open(c, &req), 0);
    assert_int_equal(http_client_write(c, "x", 1), 0);
    expect_error(c, http_client_response(c), ERR_CONNRESET, HTTP_FAIL_NO_RESPONSE);
    done(&f, c);
}

/* ---- redirects -------------------------------------------------------------------- */

static void test_redirect_methods(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s = SCRIPT(
        {"h", 80, 0,
         TURNS({GET("/old", "h"),
                "HTTP/1.1 301 Moved\r\nLocation: /new\r\nContent-Length: 3\r\n\r\nmov"},
               {GET("/new", "h"), OK(3) "new"},
               /* POST + 302: GET, without the body and its Content-Type */
               {"POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nX-Keep: 1\r\n"
                "Content-Length: 4\r\n\r\ndata",
                "HTTP/1.1 302 Found\r\nLocation: done?id=7\r\nContent-Length: 0\r\n\r\n"},
               {"GET /done?id=7 HTTP/1.1\r\nHost: h\r\nX-Keep: 1\r\n\r\n", OK(4) "done"},
               /* POST + 307: POST again with the body */
               {"POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nX-Keep: 1\r\n"
                "Content-Length: 4\r\n\r\ndata",
                "HTTP/1.1 307 Temporary\r\nLocation: http://h/form2\r\nContent-Length: 0\r\n\r\n"},
               {"POST /form2 HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nX-Keep: 1\r\n"
                "Content-Length: 4\r\n\r\ndata",
                OK(6) "posted"},
               /* PUT + 303: GET */
               {"PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 303 See Other\r\nLocation: ./y\r\nContent-Length: 0\r\n\r\n"},
               {GET("/y", "h"), OK(1) "y"},
               /* HEAD + 303 stays HEAD */
               {"HEAD /x HTTP/1.1\r\nHost: h\r\n\r\n",
                "HTTP/1.1 303 See Other\r\nLocation: /y\r\nContent-Length: 5\r\n\r\n"},
               {"HEAD /y HTTP/1.1\r\nHost: h\r\n\r\n", OK(1)},
               /* PUT + 301 keeps PUT and the body */
               {"PUT /z HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nzz",
                "HTTP/1.1 301 Moved\r\nLocation: /z/\r\nContent-Length: 0\r\n\r\n"},
               {"PUT /z/ HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nzz", OK(0)},
               /* 308 with chunked redirect body and trailers */
               {GET("/p", "h"),
                "HTTP/1.1 308 Permanent\r\nLocation: /q\r\nTransfer-Encoding: chunked\r\n\r\n"
                "3\r\nabc\r\n0\r\nT: 1\r\n\r\n"},
               {GET("/q", "h"), OK(1) "q"}),
         END_OPEN});
    struct http_client *c = client_over(&f, s, 1, NULL);
    expect_fetch(c, &(struct http_client_request){.url = "http://h/old"}, 200, "new");
    assert_int_equal(http_client_redirects(c), 1);
    assert_string_equal(http_client_url(c), "http://h/new");
    const struct http_field fields[] = {{"Content-Type", 12, "text/plain", 10},
                                        {"X-Keep", 6, "1", 1}};
    struct http_client_request post = {.method = "POST",
                                       .url = "http://h/form",
                                       .fields = fields,
                                       .field_count = 2,
                                       .body_kind = HTTP_CLIENT_BODY_MEMORY,
                                       .body = "data",
                                       .body_len = 4};
    expect_fetch(c, &post, 200, "done");
    assert_string_equal(http_client_url(c), "http://h/done?id=7");
    expect_fetch(c, &post, 200, "posted");
    expect_fetch(c, &(struct http_client_request){.method = "PUT", .url = "http://h/x"}, 200, "y");
    expect_fetch(c, &(struct http_client_request){.method = "HEAD", .url = "http://h/x"}, 200, "");
    expect_fetch(c,
                 &(struct http_client_request){.method = "PUT",
                                               .url = "http://h/z",
                                               .body_kind = HTTP_CLIENT_BODY_MEMORY,
                                               .body = "zz",
                                               .body_len = 2},
                 200, "");
    expect_fetch(c, &(struct http_client_request){.url = "http://h/p"}, 200, "q");
    assert_int_equal(http_client_connects(c), 1);
    done(&f, c);
}

/* A redirect to another host opens a connection there and drops the
 * credentials meant for the first. */
static void test_redirect_other_host(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s =
        SCRIPT({"a.example", 80, 0,
                TURNS({"GET /x HTTP/1.1\r\nHost: a.example\r\nAuthorization: Basic eDp5\r\n"
                       "Cookie: s=1\r\nAccept: */*\r\n\r\n",
                       "HTTP/1.1 308 Permanent\r\nLocation: "
                       "http://10.0.0.2:8080/y\r\nContent-Length: 0\r\n\r\n"}),
                END_OPEN},
               {"10.0.0.2", 8080, 0,
                TURNS({"GET /y HTTP/1.1\r\nHost: 10.0.0.2:8080\r\nAccept: */*\r\n\r\n", OK(1) "y"}),
                END_OPEN});
    struct http_client *c = client_over(&f, s, 2, NULL);
    const struct http_field fields[] = {
        {"Authorization", 13, "Basic eDp5", 10}, {"Cookie", 6, "s=1", 3}, {"Accept", 6, "*/*", 3}};
    expect_fetch(c,
                 &(struct http_client_request){
                     .url = "http://a.example/x", .fields = fields, .field_count = 3},
                 200, "y");
    assert_int_equal(f.closes, 1);
    done(&f, c);
}

static void test_redirect_limits(void **state)
{
    (void)state;
    struct fake f;
    const char *loop = "HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n";
    const struct script *s = SCRIPT(
        {"h", 80, 0,
         TURNS({GET("/loop", "h"), loop}, {GET("/loop", "h"), loop}, {GET("/loop", "h"), loop}),
         END_OPEN},
        /* A refused Location leaves the connection usable. */
        {"h", 80, 0,
         TURNS({GET("/s", "h"),
                "HTTP/1.1 301 Moved\r\nLocation: https://h/s\r\nContent-Length: 0\r\n\r\n"},
               {GET("/n", "h"), "HTTP/1.1 302 Found\r\nContent-Length: 1\r\n\r\nn"},
               {GET("/bad", "h"),
                "HTTP/1.1 302 Found\r\nLocation: /a b\r\nContent-Length: 0\r\n\r\n"}),
         END_OPEN});
    struct http_client_config cfg;
    http_client_config_default(&cfg);
    cfg.max_redirects = 2;
    struct http_client *c = client_over(&f, s, 2, &cfg);
    struct body b = {0};
    expect_error(
        c, http_client_fetch(c, &(struct http_client_request){.url = "http://h/loop"}, sink, &b),
        ERR_LOOP, HTTP_FAIL_REDIRECTS);
    expect_error(c,
                 http_client_fetch(c, &(struct http_client_request){.url = "http://h/s"}, sink, &b),
                 ERR_NOTSUP, HTTP_FAIL_SCHEME);
    /* A 3xx without a Location is an ordinary response. */
    expect_fetch(c, &(struct http_client_request){.url = "http://h/n"}, 302, "n");
    expect_error(
        c, http_client_fetch(c, &(struct http_client_request){.url = "http://h/bad"}, sink, &b),
        ERR_INVAL, HTTP_FAIL_LOCATION);
    done(&f, c);
}

/* With max_redirects 0, or a streamed body to resend, the 3xx is the answer. */
static void test_redirect_not_followed(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s =
        SCRIPT({"h", 80, 0,
                TURNS({GET("/a", "h"),
                       "HTTP/1.1 301 Moved\r\nLocation: /b\r\nContent-Length: 2\r\n\r\nmv"},
                      {"POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi",
                       "HTTP/1.1 307 Again\r\nLocation: /up2\r\nContent-Length: 0\r\n\r\n"}),
                END_OPEN});
    struct http_client_config cfg;
    http_client_config_default(&cfg);
    cfg.max_redirects = 0;
    struct http_client *c = client_over(&f, s, 1, &cfg);
    expect_fetch(c, &(struct http_client_request){.url = "http://h/a"}, 301, "mv");
    struct http_client_request req = {.method = "POST",
                                      .url = "http://h/up",
                                      .body_kind = HTTP_CLIENT_BODY_STREAM,
                                      .stream_length = 2};
    assert_int_equal(http_client_open(c, &req), 0);
    assert_int_equal(http_client_write(c, "hi", 2), 0);
    assert_int_equal(http_client_response(c), 307);
    http_client_end(c);
    done(&f, c);
}

/* ---- timeouts and broken responses -------------------------------------------------- */

static void test_timeouts(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s = SCRIPT(
        {"h", 80, ERR_TIMEDOUT, NULL, 0, END_OPEN},
        {"h", 80, 0, TURNS({GET("/head", "h"), "HTTP/1.1 200 OK\r\nContent-Le"}), END_OPEN},
        {"h", 80, 0, TURNS({GET("/body", "h"), "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"}),
         END_OPEN});
    struct http_client_config cfg;
    http_client_config_default(&cfg);
    cfg.connect_timeout_ms = 500;
    cfg.header_timeout_ms = 1000;
    cfg.idle_timeout_ms = 300;
    struct http_client *c = client_over(&f, s, 3, &cfg);
    struct http_client_request req = {.url = "http://h/x"};
    uint64_t t0 = f.now;
    expect_error(c, http_client_open(c, &req), ERR_TIMEDOUT, HTTP_FAIL_CONNECT_TIMEOUT);
    assert_int_equal(f.now - t0, 500);

    req.url = "http://h/head";
    assert_int_equal(http_client_open(c, &req), 0);
    t0 = f.now;
    expect_error(c, http_client_response(c), ERR_TIMEDOUT, HTTP_FAIL_HEADER_TIMEOUT);
    assert_int_equal(f.now - t0, 1000);

    req.url = "http://h/body";
    assert_int_equal(http_client_open(c, &req), 0);
    assert_int_equal(http_client_response(c), 200);
    assert_int_equal(http_client_body_length(c), 10);
    char buf[16];
    assert_int_equal(http_client_read(c, buf, sizeof buf), 3);
    t0 = f.now;
    expect_error(c, (int)http_client_read(c, buf, sizeof buf), ERR_TIMEDOUT,
                 HTTP_FAIL_IDLE_TIMEOUT);
    assert_int_equal(f.now - t0, 300);

    /* A request's own timeouts override the client's. */
    f.scripts = SCRIPT({"h", 80, 0, TURNS({GET("/own", "h"), NULL}), END_OPEN},
                       {"h", 80, ERR_TIMEDOUT, NULL, 0, END_OPEN},
                       {"h", 80, 0,
                        TURNS({GET("/drip", "h"), "HTTP/1.1 200 OK\r\nX-Slow: 0123456789\r\n\r\n"}),
                        END_OPEN});
    f.nscripts = 3;
    f.next = 0;
    req = (struct http_client_request){.url = "http://h/own", .header_timeout_ms = 42};
    assert_int_equal(http_client_open(c, &req), 0);
    t0 = f.now;
    expect_error(c, http_client_response(c), ERR_TIMEDOUT, HTTP_FAIL_HEADER_TIMEOUT);
    assert_int_equal(f.now - t0, 42);
    req = (struct http_client_request){.url = "http://h/own", .connect_timeout_ms = 7};
    t0 = f.now;
    expect_error(c, http_client_open(c, &req), ERR_TIMEDOUT, HTTP_FAIL_CONNECT_TIMEOUT);
    assert_int_equal(f.now - t0, 7);

    /* A head trickling in byte by byte still meets the header deadline. */
    f.piece = 1;
    f.ms_per_recv = 30;
    req.url = "http://h/drip";
    assert_int_equal(http_client_open(c, &req), 0);
    expect_error(c, http_client_response(c), ERR_TIMEDOUT, HTTP_FAIL_HEADER_TIMEOUT);
    done(&f, c);
}

static void test_truncated_and_malformed(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s = SCRIPT(
        {"h", 80, 0, TURNS({GET("/cl", "h"), "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"}),
         END_CLOSE},
        {"h", 80, 0,
         TURNS({GET("/ch", "h"), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"}),
         END_CLOSE},
        {"h", 80, 0, TURNS({GET("/rst", "h"), "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"}),
         END_RESET},
        {"h", 80, 0,
         TURNS({GET("/bad", "h"), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}),
         END_OPEN},
        {"h", 80, 0, TURNS({GET("/none", "h"), NULL}), END_CLOSE});
    struct http_client *c = client_over(&f, s, 5, NULL);
    struct body b = {0};
    expect_error(
        c, http_client_fetch(c, &(struct http_client_request){.url = "http://h/cl"}, sink, &b),
        ERR_CONNRESET, HTTP_FAIL_TRUNCATED);
    expect_error(
        c, http_client_fetch(c, &(struct http_client_request){.url = "http://h/ch"}, sink, &b),
        ERR_CONNRESET, HTTP_FAIL_TRUNCATED);
    expect_error(
        c, http_client_fetch(c, &(struct http_client_request){.url = "http://h/rst"}, sink, &b),
        ERR_CONNRESET, HTTP_FAIL_RECV);
    expect_error(
        c, http_client_fetch(c, &(struct http_client_request){.url = "http://h/bad"}, sink, &b),
        ERR_BADMSG, HTTP_FAIL_CHUNK_SIZE);
    assert_non_null(strstr(http_client_error(c), "byte 51 of the response from h:80"));
    expect_error(
        c, http_client_fetch(c, &(struct http_client_request){.url = "http://h/none"}, sink, &b),
        ERR_CONNRESET, HTTP_FAIL_NO_RESPONSE);
    assert_int_equal(b.len, 8); /* "abc" + "ab" + "abc" were handed out before each failure */
    f.scripts = SCRIPT({"h", 80, ERR_CONNREFUSED, NULL, 0, END_OPEN});
    f.nscripts = 1;
    f.next = 0;
    expect_error(c,
                 http_client_fetch(c, &(struct http_client_request){.url = "http://h/x"}, sink, &b),
                 ERR_CONNREFUSED, HTTP_FAIL_CONNECT);
    assert_non_null(strstr(http_client_error(c), "h:80: ERR_CONNREFUSED"));
    done(&f, c);
}

/* Refused requests never touch the network or the kept connection. */
static void test_refused_requests(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s = SCRIPT(
        {"h", 80, 0, TURNS({GET("/a", "h"), OK(1) "a"}, {GET("/b", "h"), OK(1) "b"}), END_OPEN});
    struct http_client *c = client_over(&f, s, 1, NULL);
    expect_fetch(c, &(struct http_client_request){.url = "http://h/a"}, 200, "a");
    struct body b = {0};
    expect_error(c,
                 http_client_fetch(c, &(struct http_client_request){.url = "https://h/"}, sink, &b),
                 ERR_NOTSUP, HTTP_FAIL_SCHEME);
    expect_error(c, http_client_fetch(c, &(struct http_client_request){.url = "h/x"}, sink, &b),
                 ERR_INVAL, HTTP_FAIL_URL);
    expect_error(
        c,
        http_client_fetch(c, &(struct http_client_request){.method = "G T", .url = "http://h/"},
                          sink, &b),
        ERR_INVAL, HTTP_FAIL_METHOD);
    const struct http_field bad[] = {{"Host", 4, "evil", 4}};
    expect_error(
        c,
        http_client_fetch(
            c, &(struct http_client_request){.url = "http://h/", .fields = bad, .field_count = 1},
            sink, &b),
        ERR_INVAL, HTTP_FAIL_REQUEST_FIELD);
    const struct http_field crlf[] = {{"X", 1, "a\r\nHost: evil", 13}};
    expect_error(
        c,
        http_client_fetch(
            c, &(struct http_client_request){.url = "http://h/", .fields = crlf, .field_count = 1},
            sink, &b),
        ERR_INVAL, HTTP_FAIL_REQUEST_FIELD);
    expect_error(c, (int)http_client_read(c, b.data, 1), ERR_INVAL, HTTP_FAIL_STATE);
    expect_error(c, http_client_write(c, "x", 1), ERR_INVAL, HTTP_FAIL_STATE);
    expect_fetch(c, &(struct http_client_request){.url = "http://h/b"}, 200, "b");
    assert_int_equal(http_client_connects(c), 1);
    done(&f, c);
}

/* ---- bodies ------------------------------------------------------------------------- */

static void test_streamed_request_bodies(void **state)
{
    (void)state;
    static char big[HTTP_MAX_REQUEST_HEAD + 10];
    memset(big, 'B', sizeof big);
    static char want_big[sizeof big + 128];
    snprintf(want_big, sizeof want_big,
             "POST /big HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: "
             "chunked\r\n\r\n%zx\r\n%.*s\r\n0\r\n\r\n",
             sizeof big, (int)sizeof big, big);
    struct fake f;
    const struct script *s = SCRIPT(
        {"h", 80, 0,
         TURNS({"POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n",
                OK(2) "ok"},
               {want_big, OK(3) "big"},
               {"PUT /l HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd", OK(0)},
               {"PUT /l HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab", NULL}),
         END_OPEN},
        {"h", 80, 0, TURNS({"PUT /l HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabc", NULL}),
         END_OPEN});
    struct http_client *c = client_over(&f, s, 2, NULL);
    struct http_client_request req = {.method = "POST",
                                      .url = "http://h/u",
                                      .body_kind = HTTP_CLIENT_BODY_STREAM,
                                      .stream_length = -1};
    assert_int_equal(http_client_open(c, &req), 0);
    assert_int_equal(http_client_write(c, "hello", 5), 0);
    assert_int_equal(http_client_write(c, "", 0), 0); /* not a last-chunk */
    assert_int_equal(http_client_write(c, " ", 1), 0);
    assert_int_equal(http_client_write(c, "world", 5), 0);
    assert_int_equal(http_client_response(c), 200);
    char buf[8];
    assert_int_equal(http_client_read(c, buf, sizeof buf), 2);
    assert_int_equal(http_client_read(c, buf, sizeof buf), 0);
    req.url = "http://h/big";
    assert_int_equal(http_client_open(c, &req), 0);
    assert_int_equal(http_client_write(c, big, sizeof big), 0);
    assert_int_equal(http_client_response(c), 200);
    req.method = "PUT";
    req.url = "http://h/l";
    req.stream_length = 4;
    assert_int_equal(http_client_open(c, &req), 0);
    assert_int_equal(http_client_write(c, "ab", 2), 0);
    assert_int_equal(http_client_write(c, "cd", 2), 0);
    assert_int_equal(http_client_response(c), 200);
    /* too long, then too short: the connection cannot be used again */
    assert_int_equal(http_client_open(c, &req), 0);
    assert_int_equal(http_client_write(c, "ab", 2), 0);
    expect_error(c, http_client_write(c, "cde", 3), ERR_INVAL, HTTP_FAIL_BODY_LENGTH);
    assert_int_equal(http_client_open(c, &req), 0);
    assert_int_equal(http_client_write(c, "abc", 3), 0);
    expect_error(c, http_client_response(c), ERR_INVAL, HTTP_FAIL_BODY_LENGTH);
    done(&f, c);
}

/* Metadata before the body; read() in small pieces; trailers at the end;
 * 1xx skipped; repeated headers in order. */
static void test_reading(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s =
        SCRIPT({"h", 80, 0,
                TURNS({GET("/t", "h"),
                       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nVary: a\r\n"
                       "Transfer-Encoding: chunked\r\nvary: b\r\n\r\n"
                       "4;x=y\r\n0123\r\n6\r\n456789\r\n0\r\nX-Sum: 45\r\nX-Sum: again\r\n\r\n"},
                      {GET("/u", "h"), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde"}),
                END_OPEN});
    struct http_client *c = client_over(&f, s, 1, NULL);
    f.piece = 7;
    assert_int_equal(http_client_open(c, &(struct http_client_request){.url = "http://h/t"}), 0);
    assert_int_equal(http_client_response(c), 200);
    assert_int_equal(http_client_status(c), 200);
    assert_int_equal(http_client_body_length(c), -1);
    const struct http_fields *h = http_client_headers(c);
    assert_int_equal(http_fields_count(h), 3);
    long i = http_fields_find(h, "VARY", 4, 0);
    assert_int_equal(i, 0);
    assert_string_equal(http_fields_at(h, (size_t)i).value, "a");
    i = http_fields_find(h, "vary", 4, (size_t)i + 1);
    assert_string_equal(http_fields_at(h, (size_t)i).value, "b");
    char body[32];
    size_t len = 0;
    long n;
    while ((n = http_client_read(c, body + len, 3)) > 0) {
        assert_true(n <= 3);
        len += (size_t)n;
    }
    assert_int_equal(n, 0);
    assert_int_equal(len, 10);
    assert_memory_equal(body, "0123456789", 10);
    const struct http_fields *t = http_client_trailers(c);
    assert_int_equal(http_fields_count(t), 2);
    assert_string_equal(http_fields_get(t, "x-sum", NULL), "45");
    assert_int_equal(http_client_read(c, body, 3), 0); /* stays at the end */
    http_client_end(c);
    assert_int_equal(http_client_open(c, &(struct http_client_request){.url = "http://h/u"}), 0);
    assert_int_equal(http_client_response(c), 200);
    assert_int_equal(http_client_body_length(c), 5);
    assert_int_equal(http_fields_count(http_client_trailers(c)), 0);
    http_client_end(c);
    done(&f, c);
}

/* An unread body is skipped if short (the connection is kept), or the
 * connection is closed; so is one with bytes beyond the response. */
static void test_end_early(void **state)
{
    (void)state;
    static char big_reply[HTTP_DRAIN_LIMIT + 200];
    size_t k =
        (size_t)snprintf(big_reply, sizeof big_reply,
                         "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", HTTP_DRAIN_LIMIT + 1);
    memset(big_reply + k, 'x', HTTP_DRAIN_LIMIT + 1);
    struct fake f;
    const struct script *s =
        SCRIPT({"h", 80, 0,
                TURNS({GET("/small", "h"), OK(5) "small"},
                      {GET("/big", "h"), big_reply, k + HTTP_DRAIN_LIMIT + 1}),
                END_OPEN},
               {"h", 80, 0, TURNS({GET("/extra", "h"), OK(1) "1junk"}), END_OPEN},
               {"h", 80, 0, TURNS({GET("/after", "h"), OK(1) "2"}), END_OPEN});
    struct http_client *c = client_over(&f, s, 3, NULL);
    assert_int_equal(http_client_open(c, &(struct http_client_request){.url = "http://h/small"}),
                     0);
    assert_int_equal(http_client_response(c), 200);
    http_client_end(c);
    assert_int_equal(http_client_open(c, &(struct http_client_request){.url = "http://h/big"}), 0);
    assert_int_equal(http_client_response(c), 200);
    http_client_end(c);
    assert_int_equal(f.closes, 1);
    expect_fetch(c, &(struct http_client_request){.url = "http://h/extra"}, 200, "1");
    assert_int_equal(f.closes, 2);
    expect_fetch(c, &(struct http_client_request){.url = "http://h/after"}, 200, "2");
    assert_int_equal(http_client_connects(c), 3);
    done(&f, c);
}

static int failing_sink(void *ctx, const uint8_t *d, size_t n)
{
    (void)ctx;
    (void)d;
    (void)n;
    return ERR_NOSPC;
}

static void test_fetch_sink_error(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s = SCRIPT({"h", 80, 0, TURNS({GET("/a", "h"), OK(1) "a"}), END_OPEN});
    struct http_client *c = client_over(&f, s, 1, NULL);
    assert_int_equal(http_client_fetch(c, &(struct http_client_request){.url = "http://h/a"},
                                       failing_sink, NULL),
                     ERR_NOSPC);
    assert_int_equal(f.closes, 1);
    done(&f, c);
}

/* A stepped exchange returns ERR_AGAIN while the answer has not arrived,
 * never waiting, with the header deadline; then the response, as a
 * blocking one gives it; a step past the deadline fails with the timeout. */
static void test_stepped_exchange(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s = SCRIPT(
        {"h", 80, 0, TURNS({GET("/a", "h"), OK(1) "a"}, {GET("/b", "h"), OK(1) "b"}), END_OPEN});
    struct http_client_config cfg;
    http_client_config_default(&cfg);
    cfg.header_timeout_ms = 500;
    struct http_client *c = client_over(&f, s, 1, &cfg);
    uint64_t t0 = f.now, deadline = 0;
    f.hold = true;
    assert_int_equal(http_client_start(c, &(struct http_client_request){.url = "http://h/a"}), 0);
    assert_int_equal(http_client_step(c, &deadline), ERR_AGAIN);
    assert_int_equal(http_client_step(c, &deadline), ERR_AGAIN);
    assert_int_equal(f.now, t0);
    assert_int_equal(deadline, t0 + 500);
    f.hold = false;
    assert_int_equal(http_client_step(c, &deadline), 200);
    char got[4] = {0};
    assert_int_equal(http_client_read(c, got, sizeof got), 1);
    assert_int_equal(http_client_read(c, got + 1, sizeof got - 1), 0);
    assert_string_equal(got, "a");
    f.hold = true;
    assert_int_equal(http_client_start(c, &(struct http_client_request){.url = "http://h/b"}), 0);
    assert_int_equal(http_client_step(c, &deadline), ERR_AGAIN);
    f.now = deadline;
    expect_error(c, http_client_step(c, &deadline), ERR_TIMEDOUT, HTTP_FAIL_HEADER_TIMEOUT);
    assert_int_equal(http_client_connects(c), 1);
    http_client_destroy(c);
}

/* A streamed request body written without waiting: ERR_AGAIN with the
 * idle deadline while the socket takes nothing (no time spent), a part of
 * a piece when it takes a part (the chunk framing stays right when the
 * rest is offered again with more), the last chunk from a step, and the
 * send timeout once the socket stays full past the idle deadline. */
static void test_try_write(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s =
        SCRIPT({"h", 80, 0,
                TURNS({"POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "b\r\nhello world\r\n3\r\n!!!\r\n0\r\n\r\n",
                       OK(2) "ok"},
                      {"PUT /l HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab", NULL}),
                END_OPEN});
    struct http_client_config cfg;
    http_client_config_default(&cfg);
    cfg.idle_timeout_ms = 700;
    struct http_client *c = client_over(&f, s, 1, &cfg);
    struct http_client_request req = {.method = "POST",
                                      .url = "http://h/u",
                                      .body_kind = HTTP_CLIENT_BODY_STREAM,
                                      .stream_length = -1};
    uint64_t t0 = f.now, deadline = 0;
    assert_int_equal(http_client_start(c, &req), 0);
    f.send_room = 0;
    assert_int_equal(http_client_try_write(c, "hello world", 11, &deadline), ERR_AGAIN);
    assert_int_equal(f.now, t0);
    assert_int_equal(deadline, t0 + 700);
    f.send_room = 6; /* "b\r\n" and "hel" */
    assert_int_equal(http_client_try_write(c, "hello world", 11, &deadline), 3);
    f.send_room = -1;
    assert_int_equal(http_client_try_write(c, "lo world!!!", 11, &deadline), 11);
    assert_int_equal(http_client_step(c, &deadline), 200);
    char buf[4];
    assert_int_equal(http_client_read(c, buf, sizeof buf), 2);
    req.method = "PUT";
    req.url = "http://h/l";
    req.stream_length = 4;
    assert_int_equal(http_client_start(c, &req), 0);
    assert_int_equal(http_client_try_write(c, "ab", 2, &deadline), 2);
    f.send_room = 0;
    assert_int_equal(http_client_try_write(c, "cd", 2, &deadline), ERR_AGAIN);
    f.now = deadline;
    expect_error(c, (int)http_client_try_write(c, "cd", 2, &deadline), ERR_TIMEDOUT,
                 HTTP_FAIL_SEND_TIMEOUT);
    http_client_destroy(c);
}

/* A body read that does not wait: the piece that is there, then ERR_AGAIN
 * with the idle deadline (no time spent), then the idle timeout once the
 * deadline passed. */
static void test_try_read_slice(void **state)
{
    (void)state;
    struct fake f;
    const struct script *s = SCRIPT(
        {"h", 80, 0, TURNS({GET("/t", "h"), "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nabc"}),
         END_OPEN});
    struct http_client_config cfg;
    http_client_config_default(&cfg);
    cfg.idle_timeout_ms = 300;
    struct http_client *c = client_over(&f, s, 1, &cfg);
    assert_int_equal(http_client_open(c, &(struct http_client_request){.url = "http://h/t"}), 0);
    assert_int_equal(http_client_response(c), 200);
    const uint8_t *d;
    uint64_t deadline = 0, t0 = f.now;
    assert_int_equal(http_client_try_read_slice(c, &d, &deadline), 3);
    assert_memory_equal(d, "abc", 3);
    assert_int_equal(http_client_try_read_slice(c, &d, &deadline), ERR_AGAIN);
    assert_int_equal(f.now, t0);
    assert_int_equal(deadline, t0 + 300);
    f.now = deadline;
    expect_error(c, (int)http_client_try_read_slice(c, &d, &deadline), ERR_TIMEDOUT,
                 HTTP_FAIL_IDLE_TIMEOUT);
    done(&f, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_alive_one_connection),
        cmocka_unit_test(test_connection_close_honoured),
        cmocka_unit_test(test_stale_connection),
        cmocka_unit_test(test_redirect_methods),
        cmocka_unit_test(test_redirect_other_host),
        cmocka_unit_test(test_redirect_limits),
        cmocka_unit_test(test_redirect_not_followed),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_truncated_and_malformed),
        cmocka_unit_test(test_refused_requests),
        cmocka_unit_test(test_streamed_request_bodies),
        cmocka_unit_test(test_reading),
        cmocka_unit_test(test_end_early),
        cmocka_unit_test(test_fetch_sink_error),
        cmocka_unit_test(test_stepped_exchange),
        cmocka_unit_test(test_try_write),
        cmocka_unit_test(test_try_read_slice),
    };
    return cmocka_run_group_tests_name("http_client", tests, NULL, NULL);
}
