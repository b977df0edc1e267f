/*
 * lib/tls/conn.c - TLS client sockets (tls.h): Mbed TLS's client over a
 * transport socket of http/sock.h, presented as an http/sock.h socket.
 *
 * Each operation (handshake, read, write, close) has a deadline. Mbed TLS
 * calls our bio callbacks, which call the transport with the time left
 * and answer WANT_READ / WANT_WRITE when it runs out; the operation's
 * loop then returns ERR_TIMEDOUT. Mbed TLS keeps a partly received record
 * between calls, so a timed-out read can be retried.
 *
 * A stepped connect (connect_start / connect_result) starts the
 * transport's connect and then shakes hands one step at a time with a
 * deadline of now: each step that needs the transport answers ERR_AGAIN,
 * and the caller waits on what the transport said it needs.
 *
 * Our connections are struct tls_conn; they travel through the http_sock
 * interface as struct http_conn pointers (the transport's own type), cast
 * back here.
 */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS /* the alert id: ssl.in_msg[1] */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/net_sockets.h>

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "tls/internal.h"

#define TLS_HOST_MAX 255
#define TLS_CLOSE_MS 1000 /* how long close waits to send close_notify */

struct tls_sock {
    struct http_sock inner;
    struct tls_client_config cfg;
    mbedtls_ssl_config conf;
    mbedtls_ctr_drbg_context drbg;
    bool drbg_seeded;
    struct tls_error err;
};

struct tls_conn {
    struct tls_sock *ts;
    struct tls_budget *budget; /* its Mbed TLS heap; kept if a block outlives it */
    struct http_conn *tcp;
    mbedtls_ssl_context ssl;
    struct tls_verify_state vst;
    uint64_t deadline;         /* of the operation under way */
    uint64_t connect_deadline; /* a stepped connect's, for the failure's version probe */
    int io_err;                /* a transport error the bio callbacks saw */
    bool eof;                  /* the transport closed */
    bool handshaking;
    bool connecting;   /* a stepped connect: the transport's connect is under way */
    uint8_t hello[11]; /* the server's first bytes: record and ServerHello headers */
    size_t hello_len;
    uint16_t port;
    char host[TLS_HOST_MAX + 1];
};

/* Mbed TLS keeps the pointer: a static list. */
static const char *alpn_list[] = {"http/1.1", NULL};

/* Cipher suites in our order of preference: ChaCha20-Poly1305 first, even
 * where AES-GCM runs on AES-NI and PCLMULQDQ (tls_aes_hw()): under QEMU's
 * TCG (7.2), where KPIO runs, PCLMULQDQ is emulated bit by bit and AES-GCM
 * on AES-NI is still about six times slower than ChaCha20-Poly1305 in
 * portable C (bench/kpio's kpio_aead_* figures; lib/tls/README.md). A server that follows
 * the client's order (most do; RFC 8446 leaves it to the server) picks it.
 * Then AES-GCM, for servers that prefer it; no CBC. */
static const int ciphersuites[] = {
    MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
    MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    0,
};

/* The signatures we accept, in our order of preference (RFC 8446 4.2.3):
 * RSA PKCS#1 v1.5 before RSA-PSS, because Mbed TLS 3.6 takes rsa_pss_rsae
 * only in TLS 1.3 (its TLS 1.2 client refuses a ServerKeyExchange signed
 * with it), and a TLS 1.2 server that follows the client's order then
 * signs with PKCS#1; a TLS 1.3 server can sign its CertificateVerify with
 * RSA-PSS only, so it picks that. No SHA-1 (RFC 9155). */
static const uint16_t sig_algs[] = {
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA512,
    MBEDTLS_TLS1_3_SIG_NONE,
};

static struct tls_conn *conn_of(struct http_conn *c)
{
    return (struct tls_conn *)(void *)c;
}

/* ---- the transport, with the time left ------------------------------------ */

static uint32_t time_left(struct tls_conn *c)
{
    uint64_t now = c->ts->inner.ops->now_ms(c->ts->inner.ctx);
    if (now >= c->deadline) return 0;
    uint64_t left = c->deadline - now;
    return left > UINT32_MAX ? UINT32_MAX : (uint32_t)left;
}

static void set_deadline(struct tls_conn *c, uint32_t timeout_ms)
{
    c->deadline = c->ts->inner.ops->now_ms(c->ts->inner.ctx) + timeout_ms;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct tls_conn *c = ctx;
    const struct http_sock *in = &c->ts->inner;
    long n = in->ops->send(in->ctx, c->tcp, buf, len, time_left(c));
    if (n == ERR_TIMEDOUT) return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (n <= 0 || (size_t)n > len) {
        c->io_err = n < 0 ? (int)n : ERR_IO;
        return MBEDTLS_ERR_NET_SEND_FAILED;
    }
    return (int)n;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct tls_conn *c = ctx;
    const struct http_sock *in = &c->ts->inner;
    if (len > INT32_MAX) len = INT32_MAX;
    long n = in->ops->recv(in->ctx, c->tcp, buf, len, time_left(c));
    if (n == ERR_TIMEDOUT) return MBEDTLS_ERR_SSL_WANT_READ;
    if (n == 0) {
        c->eof = true;
        return 0;
    }
    if (n < 0 || (size_t)n > len) {
        c->io_err = n < 0 ? (int)n : ERR_IO;
        return MBEDTLS_ERR_NET_RECV_FAILED;
    }
    if (c->handshaking && c->hello_len < sizeof c->hello) {
        size_t k = sizeof c->hello - c->hello_len;
        if (k > (size_t)n) k = (size_t)n;
        memcpy(c->hello + c->hello_len, buf, k);
        c->hello_len += k;
    }
    return (int)n;
}

/* ---- failures -------------------------------------------------------------- */

/* The version the server's first record h[0..n) or its ServerHello names,
 * if older than TLS 1.2 (RFC 5246 appendix E.1): "TLS 1.0"; else NULL. */
static const char *hello_version(const uint8_t *h, size_t n)
{
    if (n < 3) return NULL;
    unsigned v = (unsigned)(h[1] << 8 | h[2]);
    if (n >= 11 && h[0] == 22 && h[5] == 2)
        v = (unsigned)(h[9] << 8 | h[10]); /* ServerHello.server_version */
    switch (v) {
    case 0x0300: return "SSL 3.0";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    default: return NULL;
    }
}

static const char *old_version(const struct tls_conn *c)
{
    return hello_version(c->hello, c->hello_len);
}

/* A server that refused our versions with a protocol_version alert (as
 * OpenSSL does when it knows the supported_versions extension) does not
 * say which it wants. To name it, a second connection offers TLS 1.0 in a
 * bare ClientHello (RFC 2246 section 7.4.1.2: four AES-CBC suites, no
 * extensions) and reads the version of the ServerHello; it is closed
 * right after, and no key is ever made. Returns "TLS 1.0" or NULL. */
static const char *probe_old_version(struct tls_conn *c)
{
    static const uint8_t head[] = {22, 3, 1, 0, 51, 1, 0, 0, 47, 3, 1};
    static const uint8_t tail[] = {0, 0, 8, 0xc0, 0x14, 0xc0, 0x13, 0, 0x35, 0, 0x2f, 1, 0};
    uint8_t hello[sizeof head + 32 + sizeof tail], reply[11] = {0};
    memcpy(hello, head, sizeof head);
    if (mbedtls_ctr_drbg_random(&c->ts->drbg, hello + sizeof head, 32) != 0) return NULL;
    memcpy(hello + sizeof head + 32, tail, sizeof tail);
    const struct http_sock *in = &c->ts->inner;
    struct http_conn *probe;
    uint32_t left = time_left(c);
    if (left == 0 || in->ops->connect(in->ctx, c->host, c->port, left, &probe) < 0) return NULL;
    size_t got = 0;
    if (in->ops->send(in->ctx, probe, hello, sizeof hello, time_left(c)) == (long)sizeof hello) {
        long n;
        while (got < sizeof reply && (n = in->ops->recv(in->ctx, probe, reply + got,
                                                        sizeof reply - got, time_left(c))) > 0)
            got += (size_t)n;
    }
    in->ops->close(in->ctx, probe);
    return got == sizeof reply && reply[0] == 22 ? hello_version(reply, got) : NULL;
}

static int fail_alert(struct tls_conn *c)
{
    struct tls_error *e = &c->ts->err;
    int id = c->ssl.in_msg ? c->ssl.in_msg[1] : -1;
    const char *name = tls_alert_name(id);
    const char *old = old_version(c);
    if (id == 70 && c->handshaking && !old) old = probe_old_version(c);
    int r;
    if (id == 70 && old)
        r = tls_fail_set(e, MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE,
                         "server requires %s, which is not supported", old);
    else
        r = tls_fail_set(e, MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE, "server sent TLS alert %s (%d)%s",
                         name ? name : "unknown", id,
                         c->handshaking ? " during the handshake" : "");
    e->alert = id;
    return r;
}

/* Turns Mbed TLS's ret into the socket's error and an ERR_* value. */
static int fail(struct tls_conn *c, int ret)
{
    struct tls_error *e = &c->ts->err;
    const char *old = old_version(c);
    if (c->io_err) return c->io_err; /* the transport's own failure */
    switch (ret) {
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
        tls_verify_message(&c->vst, c->host, e->msg, sizeof e->msg);
        e->kind = TLS_FAIL_CERT;
        e->alert = -1;
        return ERR_TLS_CERT;
    case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE: return fail_alert(c);
    case MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION:
        if (old) return tls_fail_set(e, ret, "server requires %s, which is not supported", old);
        return tls_fail_set(e, ret, "server chose a TLS version other than 1.2 or 1.3");
    case MBEDTLS_ERR_SSL_CONN_EOF:
        return tls_fail_set(e, ret, "server closed the connection %s",
                            c->handshaking ? "during the TLS handshake"
                                           : "without TLS close_notify");
    case MBEDTLS_ERR_SSL_HANDSHAKE_FAILURE:
        return tls_fail_set(e, ret,
                            "TLS handshake failed: no cipher suite, group or "
                            "signature algorithm in common with the server");
    case MBEDTLS_ERR_SSL_NO_APPLICATION_PROTOCOL:
        return tls_fail_set(e, ret, "server does not speak http/1.1 (ALPN)");
    case MBEDTLS_ERR_SSL_INVALID_MAC:
        return tls_fail_set(e, ret, "TLS record failed its integrity check (bad MAC)");
    case MBEDTLS_ERR_SSL_ALLOC_FAILED:
        if (!c->budget->over) return ERR_NOMEM;
        return tls_fail_set(e, ret, "TLS connection over its memory budget of %zu KiB",
                            c->budget->cap / 1024);
    default:
        return tls_fail_set(e, ret, "TLS %s failed (Mbed TLS error -0x%04x)",
                            c->handshaking ? "handshake" : "record layer", (unsigned)-ret);
    }
}

/* ---- connections ------------------------------------------------------------- */

static int seed(struct tls_sock *ts)
{
    if (ts->drbg_seeded) return 0;
    static const unsigned char pers[] = "kpio lib/tls";
    int ret = mbedtls_ctr_drbg_seed(&ts->drbg, tls_entropy_cb, (void *)ts->cfg.env, pers,
                                    sizeof pers - 1);
    if (ret != 0) return tls_fail_set(&ts->err, ret, "no entropy source: TLS refuses to make keys");
    ts->drbg_seeded = true;
    return 0;
}

static void conn_free(struct tls_conn *c)
{
    if (c->tcp) c->ts->inner.ops->close(c->ts->inner.ctx, c->tcp);
    mbedtls_ssl_free(&c->ssl);
    struct tls_budget *b = c->budget;
    if (b && b->peak)
        log_write(LOG_INFO, "tls", "%s:%u: Mbed TLS heap peak %zu bytes (cap %zu); %zu in use",
                  c->host, (unsigned)c->port, b->peak, b->cap, tls_heap_in_use());
    /* A block still names it: keep it rather than free it under the block.
     * PSA's key store takes a program-wide block during the first
     * connection's handshake, so that one is always kept. */
    if (b && b->used)
        log_write(LOG_DEBUG, "tls", "%s:%u: %zu bytes of Mbed TLS heap outlive the connection",
                  c->host, (unsigned)c->port, b->used);
    else
        mem_free(b);
    mem_free(c);
}

static void handshake_done(struct tls_conn *c)
{
    c->handshaking = false;
    log_write(LOG_DEBUG, "tls", "%s: %s, %s, ALPN %s", c->host, mbedtls_ssl_get_version(&c->ssl),
              mbedtls_ssl_get_ciphersuite(&c->ssl),
              mbedtls_ssl_get_alpn_protocol(&c->ssl) ? mbedtls_ssl_get_alpn_protocol(&c->ssl)
                                                     : "none");
}

static int handshake(struct tls_conn *c)
{
    c->handshaking = true;
    for (;;) {
        int ret = mbedtls_ssl_handshake(&c->ssl);
        if (ret == 0) break;
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE)
            return fail(c, ret);
        if (time_left(c) == 0) return ERR_TIMEDOUT;
    }
    handshake_done(c);
    return 0;
}

/* One step of the handshake that never waits: 0 when it is done,
 * ERR_AGAIN when it needs the transport, or the failure. */
static int handshake_step(struct tls_conn *c)
{
    set_deadline(c, 0);
    int ret = mbedtls_ssl_handshake(&c->ssl);
    if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) return ERR_AGAIN;
    if (ret != 0) {
        c->deadline = c->connect_deadline; /* a version probe may wait until then */
        return fail(c, ret);
    }
    handshake_done(c);
    return 0;
}

static int connect_in_budget(struct tls_conn *c, const char *host, uint16_t port,
                             uint32_t timeout_ms, bool stepped, struct http_conn **out);

/* A connection to host:port (waiting for the handshake, or only starting
 * the connect when stepped). */
static int conn_open(struct tls_sock *ts, const char *host, uint16_t port, uint32_t timeout_ms,
                     bool stepped, struct http_conn **out)
{
    *out = NULL;
    size_t hlen = strlen(host);
    if (hlen > TLS_HOST_MAX) return ERR_NAMETOOLONG;
    int r = seed(ts);
    if (r < 0) return r;
    struct tls_conn *c = mem_zalloc(sizeof *c);
    struct tls_budget *b = c ? mem_zalloc(sizeof *b) : NULL;
    if (!b) {
        mem_free(c);
        return ERR_NOMEM;
    }
    b->cap = ts->cfg.conn_mem_cap;
    c->budget = b;
    c->ts = ts;
    memcpy(c->host, host, hlen + 1);
    struct tls_budget *prev = tls_budget_enter(b);
    r = connect_in_budget(c, host, port, timeout_ms, stepped, out);
    tls_budget_leave(prev);
    return r;
}

static int tls_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                       struct http_conn **out)
{
    return conn_open(ctx, host, port, timeout_ms, false, out);
}

static int tls_connect_start(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                             struct http_conn **out)
{
    return conn_open(ctx, host, port, timeout_ms, true, out);
}

/* A stepped connect: the transport's connect, then the handshake, a step
 * at a time (http_sock connect_result). */
static int tls_connect_result(void *ctx, struct http_conn *conn)
{
    struct tls_sock *ts = ctx;
    struct tls_conn *c = conn_of(conn);
    struct tls_budget *prev = tls_budget_enter(c->budget);
    int r = 0;
    if (c->connecting) r = ts->inner.ops->connect_result(ts->inner.ctx, c->tcp);
    if (r == 0) c->connecting = false;
    if (r == 0 && c->handshaking) r = handshake_step(c);
    tls_budget_leave(prev);
    return r;
}

/* The rest of conn_open, with c's budget counting Mbed TLS's heap. A
 * stepped connect uses the transport's connect_start where it has one. */
static int connect_in_budget(struct tls_conn *c, const char *host, uint16_t port,
                             uint32_t timeout_ms, bool stepped, struct http_conn **out)
{
    struct tls_sock *ts = c->ts;
    const struct http_sock_ops *in = ts->inner.ops;
    int r;
    c->port = port;
    mbedtls_ssl_init(&c->ssl);
    set_deadline(c, timeout_ms);
    c->connect_deadline = c->deadline;
    c->connecting = stepped && in->connect_start && in->connect_result;
    r = (c->connecting ? in->connect_start : in->connect)(ts->inner.ctx, host, port, timeout_ms,
                                                          &c->tcp);
    if (r < 0) {
        c->tcp = NULL;
        conn_free(c);
        return r;
    }
    c->vst.env = ts->cfg.env;
    c->vst.now = ts->cfg.env->wall_time(ts->cfg.env->ctx);
    c->vst.date_depth = -1;
    int ret = mbedtls_ssl_setup(&c->ssl, &ts->conf);
    if (ret == 0) ret = mbedtls_ssl_set_hostname(&c->ssl, c->host); /* SNI and the name check */
    if (ret != 0) {
        r = ret == MBEDTLS_ERR_SSL_ALLOC_FAILED ? fail(c, ret) : ERR_INVAL;
        conn_free(c);
        return r;
    }
    mbedtls_ssl_set_verify(&c->ssl, tls_verify_cb, &c->vst);
    mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
    if (stepped) {
        c->handshaking = true; /* tls_connect_result shakes hands */
        *out = (struct http_conn *)(void *)c;
        return 0;
    }
    r = handshake(c);
    if (r < 0) {
        if (r == ERR_TIMEDOUT)
            log_write(LOG_DEBUG, "tls", "%s:%u: handshake timed out", host, (unsigned)port);
        conn_free(c);
        return r;
    }
    *out = (struct http_conn *)(void *)c;
    return 0;
}

static long send_in_budget(void *ctx, struct http_conn *conn, const void *buf, size_t len,
                           uint32_t timeout_ms)
{
    (void)ctx;
    struct tls_conn *c = conn_of(conn);
    set_deadline(c, timeout_ms);
    for (;;) {
        int ret = mbedtls_ssl_write(&c->ssl, buf, len);
        if (ret > 0) return ret;
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE)
            return fail(c, ret);
        if (time_left(c) == 0) return ERR_TIMEDOUT;
    }
}

static long tls_send(void *ctx, struct http_conn *conn, const void *buf, size_t len,
                     uint32_t timeout_ms)
{
    struct tls_budget *prev = tls_budget_enter(conn_of(conn)->budget);
    long r = send_in_budget(ctx, conn, buf, len, timeout_ms);
    tls_budget_leave(prev);
    return r;
}

static long recv_in_budget(void *ctx, struct http_conn *conn, void *buf, size_t len,
                           uint32_t timeout_ms)
{
    (void)ctx;
    struct tls_conn *c = conn_of(conn);
    if (len > INT32_MAX) len = INT32_MAX;
    set_deadline(c, timeout_ms);
    for (;;) {
        int ret = mbedtls_ssl_read(&c->ssl, buf, len);
        if (ret > 0) return ret;
        if (ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return 0;
        if (ret == 0 || (c->eof && ret == MBEDTLS_ERR_SSL_CONN_EOF)) {
            /* The transport closed without close_notify: a cut-off stream. */
            return tls_fail_set(&c->ts->err, MBEDTLS_ERR_SSL_CONN_EOF,
                                "server closed the connection without TLS close_notify");
        }
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE)
            return fail(c, ret);
        if (time_left(c) == 0) return ERR_TIMEDOUT;
    }
}

static long tls_recv(void *ctx, struct http_conn *conn, void *buf, size_t len, uint32_t timeout_ms)
{
    struct tls_budget *prev = tls_budget_enter(conn_of(conn)->budget);
    long r = recv_in_budget(ctx, conn, buf, len, timeout_ms);
    tls_budget_leave(prev);
    return r;
}

static void tls_close(void *ctx, struct http_conn *conn)
{
    (void)ctx;
    struct tls_conn *c = conn_of(conn);
    if (!c) return;
    struct tls_budget *prev = tls_budget_enter(c->budget);
    if (!c->eof && !c->io_err && !c->handshaking) { /* close_notify after a handshake only */
        set_deadline(c, TLS_CLOSE_MS);
        int ret;
        do {
            ret = mbedtls_ssl_close_notify(&c->ssl);
        } while ((ret == MBEDTLS_ERR_SSL_WANT_WRITE || ret == MBEDTLS_ERR_SSL_WANT_READ) &&
                 time_left(c) > 0);
    }
    conn_free(c);
    tls_budget_leave(prev);
}

static uint64_t tls_now_ms(void *ctx)
{
    struct tls_sock *ts = ctx;
    return ts->inner.ops->now_ms(ts->inner.ctx);
}

static const char *tls_error_msg(void *ctx)
{
    const struct tls_sock *ts = ctx;
    return ts->err.msg;
}

static const struct http_sock_ops tls_sock_ops = {
    .connect = tls_connect,
    .connect_start = tls_connect_start,
    .connect_result = tls_connect_result,
    .send = tls_send,
    .recv = tls_recv,
    .close = tls_close,
    .now_ms = tls_now_ms,
    .error = tls_error_msg,
};

/* ---- sockets ------------------------------------------------------------------- */

static int configure(struct tls_sock *ts)
{
    mbedtls_ssl_config *conf = &ts->conf;
    int ret = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0) return ERR_NOMEM;
    mbedtls_ssl_conf_min_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(conf, MBEDTLS_SSL_VERSION_TLS1_3);
    mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &ts->drbg);
    mbedtls_ssl_conf_cert_profile(conf, &tls_cert_profile);
    mbedtls_ssl_conf_sig_algs(conf, sig_algs);
    mbedtls_ssl_conf_ciphersuites(conf, ciphersuites);
    if (ts->cfg.insecure) {
        mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_NONE);
    } else {
        mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
        /* Mbed TLS only reads the chain. */
        mbedtls_ssl_conf_ca_chain(conf, (mbedtls_x509_crt *)&ts->cfg.trust->chain, NULL);
    }
    if (mbedtls_ssl_conf_alpn_protocols(conf, alpn_list) != 0) return ERR_INVAL;
    return 0;
}

int tls_sock_create(const struct http_sock *inner, const struct tls_client_config *cfg,
                    struct tls_sock **out)
{
    *out = NULL;
    if (!inner || !inner->ops || !cfg || !cfg->env || (!cfg->trust && !cfg->insecure))
        return ERR_INVAL;
    struct tls_sock *ts = mem_zalloc(sizeof *ts);
    if (!ts) return ERR_NOMEM;
    ts->inner = *inner;
    ts->cfg = *cfg;
    mbedtls_ssl_config_init(&ts->conf);
    mbedtls_ctr_drbg_init(&ts->drbg);
    int r = configure(ts);
    if (r < 0) {
        tls_sock_destroy(ts);
        return r;
    }
    *out = ts;
    return 0;
}

void tls_sock_destroy(struct tls_sock *ts)
{
    if (!ts) return;
    mbedtls_ssl_config_free(&ts->conf);
    mbedtls_ctr_drbg_free(&ts->drbg);
    mem_free(ts);
}

void tls_sock_get(struct tls_sock *ts, struct http_sock *out)
{
    out->ops = &tls_sock_ops;
    out->ctx = ts;
}

const struct tls_error *tls_sock_error(const struct tls_sock *ts)
{
    return &ts->err;
}

int tls_sock_alert(const struct tls_sock *ts)
{
    return ts->err.kind == TLS_FAIL_ALERT ? ts->err.alert : -1;
}

const char *tls_conn_version(struct http_conn *conn)
{
    return mbedtls_ssl_get_version(&conn_of(conn)->ssl);
}

const char *tls_conn_cipher(struct http_conn *conn)
{
    return mbedtls_ssl_get_ciphersuite(&conn_of(conn)->ssl);
}

size_t tls_conn_mem_peak(struct http_conn *conn)
{
    return conn_of(conn)->budget->peak;
}

const char *tls_conn_alpn(struct http_conn *conn)
{
    return mbedtls_ssl_get_alpn_protocol(&conn_of(conn)->ssl);
}
