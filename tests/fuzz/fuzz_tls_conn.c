/*
 * tests/fuzz/fuzz_tls_conn.c - lib/tls's client fed a hostile server's
 * bytes: a fake transport answers the ClientHello with the fuzzer's input
 * (in pieces whose sizes the input chooses) and then closes; the
 * handshake, the certificate checks and, if the handshake ever completes,
 * reads must fail cleanly, never crash, leak or hang. The clock advances on
 * every call, so every deadline passes.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/env.h"
#include "base/error.h"
#include "tls/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct http_conn {
    int unused;
};

struct fake {
    const uint8_t *data;
    size_t size, pos;
    uint64_t now;
    struct http_conn conn;
};

static int fake_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                        struct http_conn **conn)
{
    (void)host, (void)port, (void)timeout_ms;
    *conn = &((struct fake *)ctx)->conn;
    return 0;
}

static long fake_send(void *ctx, struct http_conn *conn, const void *buf, size_t len,
                      uint32_t timeout_ms)
{
    (void)ctx, (void)conn, (void)buf, (void)timeout_ms;
    return (long)len;
}

/* Each piece: one byte of the input says how long (1..256), then the bytes. */
static long fake_recv(void *ctx, struct http_conn *conn, void *buf, size_t len, uint32_t timeout_ms)
{
    (void)conn, (void)timeout_ms;
    struct fake *f = ctx;
    if (f->pos >= f->size) return 0;
    size_t piece = (size_t)f->data[f->pos++] + 1;
    size_t left = f->size - f->pos;
    if (piece > left) piece = left;
    if (piece > len) piece = len;
    if (piece == 0) return 0;
    memcpy(buf, f->data + f->pos, piece);
    f->pos += piece;
    return (long)piece;
}

static void fake_close(void *ctx, struct http_conn *conn)
{
    (void)ctx, (void)conn;
}

static uint64_t fake_now(void *ctx)
{
    return ((struct fake *)ctx)->now += 10;
}

static const struct http_sock_ops fake_ops = {fake_connect, fake_send, fake_recv,
                                              fake_close,   fake_now,  NULL};

/* Deterministic "entropy": the fuzzer wants reproducible runs. */
static int counter_entropy(void *ctx, uint8_t *buf, size_t len)
{
    static uint8_t c;
    (void)ctx;
    for (size_t i = 0; i < len; i++)
        buf[i] = c++;
    return 0;
}

static int64_t fixed_time(void *ctx)
{
    (void)ctx;
    return 1767225600; /* 2026-01-01 */
}

static const struct tls_env env = {counter_entropy, fixed_time, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || tls_init(&env) != 0) return 0;
    struct fake f = {.data = data + 1, .size = size - 1};
    struct http_sock inner = {&fake_ops, &f};
    struct tls_trust *trust;
    if (tls_trust_create(&trust) != 0) return 0;
    /* The first byte: checked (an empty store: every chain fails) or not. */
    struct tls_client_config cfg = {.env = &env, .trust = trust, .insecure = data[0] & 1};
    struct tls_sock *ts;
    if (tls_sock_create(&inner, &cfg, &ts) == 0) {
        struct http_sock s;
        tls_sock_get(ts, &s);
        struct http_conn *conn;
        int r = s.ops->connect(s.ctx, (data[0] & 2) ? "10.0.2.2" : "example.com", 443, 1000, &conn);
        if (r == 0) {
            uint8_t buf[512];
            long n;
            while ((n = s.ops->recv(s.ctx, conn, buf, sizeof buf, 1000)) > 0) {
            }
            s.ops->close(s.ctx, conn);
        } else {
            BASE_ASSERT(tls_sock_error(ts)->msg[0] || r != ERR_TLS_CERT);
        }
        tls_sock_destroy(ts);
    }
    tls_trust_destroy(trust);
    return 0;
}
