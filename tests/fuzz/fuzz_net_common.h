/*
 * tests/fuzz/fuzz_net_common.h - what lib/net's fuzz targets share: a
 * stack whose transmit callback discards frames (after touching every
 * byte, so that ASan sees reads past the end), a deterministic random
 * source, and frame builders for the headers the harness fills in itself.
 * Built with KPIO_FUZZ, so lib/net accepts any checksum.
 */
#ifndef TESTS_FUZZ_NET_COMMON_H
#define TESTS_FUZZ_NET_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/endian.h"
#include "net/net.h"

#define FZ_US   0x0a000002u
#define FZ_PEER 0x0a000001u
static const uint8_t fz_us_mac[6] = {2, 0, 0, 0, 0, 1};
static const uint8_t fz_peer_mac[6] = {2, 0, 0, 0, 0, 2};

static volatile uint8_t fz_sink;
static uint64_t fz_rng;
static uint8_t fz_last[2048]; /* the last frame sent, for harnesses that answer it */
static size_t fz_last_len;

static inline void fz_tx(void *ctx, const void *frame, size_t len)
{
    (void)ctx;
    const uint8_t *p = frame;
    uint8_t x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= p[i];
    fz_sink = x;
    fz_last_len = len < sizeof fz_last ? len : sizeof fz_last;
    memcpy(fz_last, frame, fz_last_len);
}

static inline void fz_random(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    uint8_t *b = buf;
    for (size_t i = 0; i < n; i++) {
        fz_rng = fz_rng * 6364136223846793005ull + 1442695040888963407ull;
        b[i] = (uint8_t)(fz_rng >> 56);
    }
}

/* A stack; with an address (and the peer in its ARP cache) when configured. */
static inline struct net_stack *fz_stack(uint64_t now, int configured)
{
    struct net_config c = {
        .tx = fz_tx, .random = fz_random, .tcp_rcvbuf = 64 * 1024, .tcp_sndbuf = 64 * 1024};
    memcpy(c.mac, fz_us_mac, 6);
    struct net_stack *st;
    fz_rng = 42;
    if (net_create(&c, now, &st) < 0) return NULL;
    if (configured) {
        uint32_t dns = FZ_PEER;
        net_set_static(st, FZ_US, 24, FZ_PEER, &dns, 1);
        uint8_t a[60] = {0};
        memcpy(a, fz_us_mac, 6);
        memcpy(a + 6, fz_peer_mac, 6);
        a[12] = 0x08, a[13] = 0x06, a[15] = 1, a[16] = 8, a[18] = 6, a[19] = 4, a[21] = 2;
        memcpy(a + 22, fz_peer_mac, 6);
        a[28] = 10, a[31] = 1;
        memcpy(a + 32, fz_us_mac, 6);
        a[38] = 10, a[41] = 2;
        net_input(st, a, sizeof a, now);
    }
    return st;
}

/* Ethernet + IPv4 header (20 bytes) for payload of plen bytes at f + 34. */
static inline size_t fz_ipv4(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto, size_t plen)
{
    memcpy(f, fz_us_mac, 6);
    memcpy(f + 6, fz_peer_mac, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *h = f + 14;
    memset(h, 0, 20);
    h[0] = 0x45;
    be16_put(h + 2, (uint16_t)(20 + plen));
    h[8] = 64;
    h[9] = proto;
    be32_put(h + 12, src);
    be32_put(h + 16, dst);
    return 34 + plen;
}

/* UDP header at f + 34 for dlen bytes already at f + 42. */
static inline size_t fz_udp(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                            size_t dlen)
{
    uint8_t *u = f + 34;
    be16_put(u, sport);
    be16_put(u + 2, dport);
    be16_put(u + 4, (uint16_t)(8 + dlen));
    be16_put(u + 6, 0);
    return fz_ipv4(f, src, dst, 17, 8 + dlen);
}

#endif
