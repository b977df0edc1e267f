/*
 * tests/unit/net/net_util.c - the lib/net test bench (see net_util.h).
 */
#include "tests/unit/net/net_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/endian.h"

const uint8_t US_MAC[6] = {2, 0, 0, 0, 0, 1};
const uint8_t PEER_MAC[6] = {2, 0, 0, 0, 0, 2};
const uint8_t BCAST_MAC[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
struct bench B;
uint16_t tcp_peer_port = 40000, tcp_us_port = 80;

static void tx(void *ctx, const void *f, size_t len)
{
    (void)ctx;
    assert_true(len <= MAXFRAME);
    assert_true(B.nout < MAXOUT);
    memcpy(B.out[B.nout].d, f, len);
    B.out[B.nout].len = len;
    B.nout++;
}

static void rnd(void *ctx, void *buf, size_t n)
{
    (void)ctx;
    uint8_t *b = buf;
    for (size_t i = 0; i < n; i++) {
        B.rng ^= B.rng << 13;
        B.rng ^= B.rng >> 7;
        B.rng ^= B.rng << 17;
        b[i] = (uint8_t)B.rng;
    }
}

static void notify(void *ctx, struct net_sock *s, unsigned ev)
{
    (void)ctx;
    if (s)
        B.events |= ev;
    else
        B.if_events |= ev;
}

void bench_init(const struct net_config *tweak, bool static_ip)
{
    memset(&B, 0, sizeof B);
    B.now = 1000000;
    B.rng = 0x0123456789abcdefull;
    struct net_config c = {0};
    if (tweak) c = *tweak;
    memcpy(c.mac, US_MAC, 6);
    c.tx = tx;
    c.random = rnd;
    c.notify = notify;
    assert_int_equal(net_create(&c, B.now, &B.st), 0);
    if (static_ip) {
        uint32_t dns = PEER_IP;
        assert_int_equal(net_set_static(B.st, US_IP, 24, PEER_IP, &dns, 1), 0);
        uint8_t f[64];
        size_t n = mk_arp(f, 2, PEER_MAC, PEER_IP, US_MAC, US_IP, US_MAC);
        bench_input(f, n);
        bench_clear();
    }
}

void bench_free(void)
{
    net_destroy(B.st);
    B.st = NULL;
}

void bench_clear(void)
{
    B.nout = 0;
    B.events = 0;
}

void bench_advance(uint64_t ms)
{
    uint64_t end = B.now + ms;
    for (;;) { /* run every deadline on the way, as a caller would */
        uint64_t d = net_next_deadline(B.st);
        if (d > end) break;
        B.now = d > B.now ? d : B.now;
        net_poll(B.st, B.now);
    }
    B.now = end;
    net_poll(B.st, B.now);
}

void bench_input(const uint8_t *f, size_t len)
{
    net_input(B.st, f, len, B.now);
}

uint16_t ref_csum(const void *a, size_t alen, uint32_t start)
{
    uint32_t sum = start;
    const uint8_t *p = a;
    for (size_t i = 0; i + 1 < alen; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (alen & 1) sum += (uint32_t)p[alen - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    be16_put(f + 12, type);
}

size_t mk_arp(uint8_t *f, uint16_t op, const uint8_t *sha, uint32_t spa, const uint8_t *tha,
              uint32_t tpa, const uint8_t *eth_dst)
{
    memset(f, 0, 60);
    eth(f, eth_dst, sha, 0x0806);
    uint8_t *a = f + 14;
    be16_put(a, 1);
    be16_put(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    be16_put(a + 6, op);
    memcpy(a + 8, sha, 6);
    be32_put(a + 14, spa);
    memcpy(a + 18, tha, 6);
    be32_put(a + 24, tpa);
    return 60;
}

size_t mk_ipv4(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto, uint16_t id, uint16_t frag,
               const void *payload, size_t plen)
{
    eth(f, US_MAC, PEER_MAC, 0x0800);
    uint8_t *h = f + 14;
    memset(h, 0, 20);
    h[0] = 0x45;
    be16_put(h + 2, (uint16_t)(20 + plen));
    be16_put(h + 4, id);
    be16_put(h + 6, frag);
    h[8] = 64;
    h[9] = proto;
    be32_put(h + 12, src);
    be32_put(h + 16, dst);
    be16_put(h + 10, ref_csum(h, 20, 0));
    memcpy(h + 20, payload, plen);
    return 14 + 20 + plen;
}

size_t mk_udp(uint8_t *f, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
              const void *data, size_t dlen)
{
    uint8_t u[MAXFRAME];
    be16_put(u, sport);
    be16_put(u + 2, dport);
    be16_put(u + 4, (uint16_t)(8 + dlen));
    be16_put(u + 6, 0);
    memcpy(u + 8, data, dlen);
    uint8_t ph[12];
    be32_put(ph, src);
    be32_put(ph + 4, dst);
    ph[8] = 0;
    ph[9] = 17;
    be16_put(ph + 10, (uint16_t)(8 + dlen));
    uint32_t start = 0;
    for (int i = 0; i < 12; i += 2)
        start += be16_get(ph + i);
    uint16_t c = ref_csum(u, 8 + dlen, start);
    be16_put(u + 6, c ? c : 0xffff);
    return mk_ipv4(f, src, dst, 17, 1, 0, u, 8 + dlen);
}

size_t mk_tcp(uint8_t *f, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
              const uint8_t *opts, size_t olen, const void *data, size_t dlen)
{
    uint8_t t[MAXFRAME];
    assert_true(olen % 4 == 0);
    memset(t, 0, 20);
    be16_put(t, tcp_peer_port);
    be16_put(t + 2, tcp_us_port);
    be32_put(t + 4, seq);
    be32_put(t + 8, ack);
    t[12] = (uint8_t)(((20 + olen) / 4) << 4);
    t[13] = flags;
    be16_put(t + 14, wnd);
    if (olen) memcpy(t + 20, opts, olen);
    if (dlen) memcpy(t + 20 + olen, data, dlen);
    size_t tl = 20 + olen + dlen;
    uint32_t start =
        (PEER_IP >> 16) + (PEER_IP & 0xffff) + (US_IP >> 16) + (US_IP & 0xffff) + 6 + (uint32_t)tl;
    be16_put(t + 16, ref_csum(t, tl, start));
    return mk_ipv4(f, PEER_IP, US_IP, 6, 7, 0x4000, t, tl);
}

const uint8_t *parse_ipv4(const struct frame *fr, uint8_t *proto, uint32_t *src, uint32_t *dst,
                          size_t *plen)
{
    const uint8_t *f = fr->d;
    if (fr->len < 34 || be16_get(f + 12) != 0x0800) return NULL;
    const uint8_t *h = f + 14;
    size_t hl = (size_t)(h[0] & 15) * 4, tot = be16_get(h + 2);
    if ((h[0] >> 4) != 4 || hl < 20 || tot > fr->len - 14 || ref_csum(h, hl, 0) != 0) return NULL;
    *proto = h[9];
    *src = be32_get(h + 12);
    *dst = be32_get(h + 16);
    *plen = tot - hl;
    return h + hl;
}

static uint32_t pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + (uint32_t)len;
}

bool parse_udp(const struct frame *fr, uint32_t *src, uint32_t *dst, uint16_t *sport,
               uint16_t *dport, const uint8_t **data, size_t *dlen)
{
    uint8_t proto;
    size_t plen;
    const uint8_t *u = parse_ipv4(fr, &proto, src, dst, &plen);
    if (!u || proto != 17 || plen < 8) return false;
    if (be16_get(u + 6) && ref_csum(u, plen, pseudo(*src, *dst, 17, plen)) != 0) return false;
    *sport = be16_get(u);
    *dport = be16_get(u + 2);
    *data = u + 8;
    *dlen = plen - 8;
    return true;
}

bool parse_tcp(const struct frame *fr, struct tcp_seen *t)
{
    uint8_t proto;
    size_t plen;
    memset(t, 0, sizeof *t);
    const uint8_t *p = parse_ipv4(fr, &proto, &t->src, &t->dst, &plen);
    if (!p || proto != 6 || plen < 20) return false;
    if (ref_csum(p, plen, pseudo(t->src, t->dst, 6, plen)) != 0) return false;
    t->sport = be16_get(p);
    t->dport = be16_get(p + 2);
    t->seq = be32_get(p + 4);
    t->ack = be32_get(p + 8);
    t->flags = p[13];
    t->wnd = be16_get(p + 14);
    size_t doff = (size_t)(p[12] >> 4) * 4;
    t->data = p + doff;
    t->dlen = plen - doff;
    t->mss = t->ws = -1;
    for (size_t i = 20; i < doff;) {
        uint8_t k = p[i];
        if (k == 0) break;
        if (k == 1) {
            i++;
            continue;
        }
        uint8_t l = p[i + 1];
        if (k == 2) t->mss = be16_get(p + i + 2);
        if (k == 3) t->ws = p[i + 2];
        if (k == 4) t->sackp = true;
        if (k == 8) {
            t->ts = true;
            t->tsval = be32_get(p + i + 2);
            t->tsecr = be32_get(p + i + 6);
        }
        if (k == 5)
            for (size_t j = 2; j + 8 <= l && t->nsack < 4; j += 8, t->nsack++) {
                t->sack[t->nsack][0] = be32_get(p + i + j);
                t->sack[t->nsack][1] = be32_get(p + i + j + 4);
            }
        i += l;
    }
    return true;
}

int last_tcp(struct tcp_seen *t)
{
    for (int i = B.nout - 1; i >= 0; i--)
        if (parse_tcp(&B.out[i], t)) return i;
    return -1;
}

int count_tcp(void)
{
    struct tcp_seen t;
    int n = 0;
    for (int i = 0; i < B.nout; i++)
        n += parse_tcp(&B.out[i], &t);
    return n;
}
