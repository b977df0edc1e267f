/*
 * kernel/net/http_sock.c - lib/http's struct http_sock_ops over the
 * kernel's blocking sockets (kernel/net/knet.h): names resolve through the
 * kernel's DNS client, timeouts become deadlines on the monotonic clock.
 */
#include "kernel/net/http_sock.h"

#include "base/error.h"
#include "kernel/mm/heap.h"
#include "kernel/net/knet.h"
#include "kernel/time/clock.h"

struct http_conn {
    struct ksock *s;
};

static uint64_t deadline(uint32_t timeout_ms)
{
    return clock_monotonic_ns() + (uint64_t)(timeout_ms ? timeout_ms : 1) * NS_PER_MS;
}

static int k_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                     struct http_conn **out)
{
    (void)ctx;
    uint64_t dl = deadline(timeout_ms);
    uint32_t addr;
    int n = knet_resolve(host, &addr, 1, dl);
    if (n < 0) return n;
    struct http_conn *c = kzalloc(sizeof *c);
    if (!c) return ERR_NOMEM;
    int err = ksock_tcp_connect(addr, port, dl, &c->s);
    if (err < 0) {
        kfree(c);
        return err;
    }
    *out = c;
    return 0;
}

static long k_send(void *ctx, struct http_conn *c, const void *buf, size_t len, uint32_t timeout_ms)
{
    (void)ctx;
    return ksock_send(c->s, buf, len, deadline(timeout_ms));
}

static long k_recv(void *ctx, struct http_conn *c, void *buf, size_t len, uint32_t timeout_ms)
{
    (void)ctx;
    long n = ksock_recv(c->s, buf, len, deadline(timeout_ms));
    return n;
}

static void k_close(void *ctx, struct http_conn *c)
{
    (void)ctx;
    ksock_close(c->s);
    kfree(c);
}

static uint64_t k_now_ms(void *ctx)
{
    (void)ctx;
    return clock_monotonic_ms();
}

const struct http_sock_ops khttp_sock_ops = {k_connect, k_send, k_recv, k_close, k_now_ms};
