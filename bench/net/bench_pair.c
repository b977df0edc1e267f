/*
 * bench/net/bench_pair.c - lib/net's own cost: two stacks wired back to
 * back in memory (each one's transmit callback queues frames for the
 * other), one TCP connection, MIB mebibytes from A to B. No device, no
 * kernel: the figure is the stack's ceiling on this CPU, both ends
 * included (two checksums, two copies per byte on each side).
 *
 *   bench_pair [MIB]      prints "BENCH net_pair_tcp <MiB/s> MiB/s"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/error.h"
#include "net/net.h"

#define QCAP 4096

struct wire {
    unsigned char (*buf)[1600];
    size_t len[QCAP];
    unsigned head, n;
};

static struct wire to_a, to_b;
static uint64_t rng = 88172645463325252ull;

static void push(struct wire *w, const void *f, size_t len)
{
    if (w->n == QCAP || len > 1600) return; /* a full wire drops, like a full NIC ring */
    unsigned i = (w->head + w->n++) % QCAP;
    memcpy(w->buf[i], f, len);
    w->len[i] = len;
}

static void tx_a(void *ctx, const void *f, size_t len)
{
    (void)ctx;
    push(&to_b, f, len);
}

static void tx_b(void *ctx, const void *f, size_t len)
{
    (void)ctx;
    push(&to_a, f, len);
}

static void rnd(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    unsigned char *b = buf;
    for (size_t i = 0; i < n; i++) {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        b[i] = (unsigned char)rng;
    }
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void deliver(struct net_stack *st, struct wire *w, uint64_t now)
{
    while (w->n) {
        unsigned i = w->head;
        w->head = (w->head + 1) % QCAP;
        w->n--;
        net_input(st, w->buf[i], w->len[i], now);
    }
}

int main(int argc, char **argv)
{
    uint64_t mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 512;
    to_a.buf = malloc(sizeof(*to_a.buf) * QCAP);
    to_b.buf = malloc(sizeof(*to_b.buf) * QCAP);
    struct net_config ca = {.mac = {2, 0, 0, 0, 0, 1}, .tx = tx_a, .random = rnd};
    struct net_config cb = {.mac = {2, 0, 0, 0, 0, 2}, .tx = tx_b, .random = rnd};
    struct net_stack *a, *b;
    uint64_t t = now_ms();
    if (!to_a.buf || !to_b.buf || net_create(&ca, t, &a) || net_create(&cb, t, &b)) return 1;
    net_set_static(a, 0x0a000001, 24, 0, NULL, 0);
    net_set_static(b, 0x0a000002, 24, 0, NULL, 0);
    struct net_sock *l, *s, *c = NULL;
    net_tcp_socket(b, &l);
    net_sock_bind(l, 0, 80);
    net_tcp_listen(l, 1);
    net_tcp_socket(a, &s);
    net_tcp_connect(s, 0x0a000002, 80);
    static unsigned char buf[256 * 1024];
    memset(buf, 0x5a, sizeof buf);
    uint64_t total = mib << 20, sent = 0, got = 0, start = now_ms();
    while (got < total) {
        uint64_t now = now_ms();
        if (!c) net_tcp_accept(l, &c);
        while (sent < total) {
            size_t n = total - sent < sizeof buf ? (size_t)(total - sent) : sizeof buf;
            long r = net_tcp_send(s, buf, n);
            if (r <= 0) break;
            sent += (uint64_t)r;
        }
        deliver(b, &to_b, now);
        deliver(a, &to_a, now);
        long r;
        while (c && (r = net_tcp_recv(c, buf, sizeof buf)) > 0)
            got += (uint64_t)r;
        net_poll(a, now);
        net_poll(b, now);
        if (now - start > 120000) {
            fprintf(stderr, "bench_pair: stalled at %llu bytes\n", (unsigned long long)got);
            return 1;
        }
    }
    double secs = (double)(now_ms() - start) / 1000.0;
    printf("BENCH net_pair_tcp %.1f MiB/s\n", (double)mib / (secs > 0 ? secs : 0.001));
    net_destroy(a);
    net_destroy(b);
    return 0;
}
