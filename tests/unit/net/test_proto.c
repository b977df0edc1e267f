/*
 * tests/unit/net/test_proto.c - lib/net below and beside TCP, driven by
 * hand-built frames: ARP (replies, the queue while resolving, giving up,
 * gratuitous ARP), IPv4 (header checks, routing through the gateway,
 * fragment reassembly and its timeout), ICMP (echo both ways, unreachable
 * to and from UDP and TCP), the DHCP client's state machine and the DNS
 * resolver's matching rules, CNAME chains, cache, NXDOMAIN and timeouts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/endian.h"
#include "base/error.h"
#include "net/net.h"
#include "net/net_impl.h"
#include "tests/unit/net/net_util.h"

static uint8_t f[MAXFRAME];

static bool is_arp(const struct frame *fr, uint16_t op, uint32_t spa, uint32_t tpa)
{
    const uint8_t *a = fr->d + 14;
    return fr->len >= 42 && be16_get(fr->d + 12) == 0x0806 && be16_get(a + 6) == op &&
           be32_get(a + 14) == spa && be32_get(a + 24) == tpa && !memcmp(a + 8, US_MAC, 6);
}

/* --- the checksum ------------------------------------------------------------------ */

/* lib/net's word-at-a-time sum against the plain RFC 1071 loop: every
 * length and alignment, and sums chained over even-length pieces. */
static void test_checksum(void **state)
{
    (void)state;
    uint8_t buf[300];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 151 + 7);
    for (size_t off = 0; off < 8; off++)
        for (size_t len = 0; len + off <= sizeof buf; len++) {
            uint16_t want = ref_csum(buf + off, len, 0x1234);
            assert_int_equal(net_csum_fold(net_csum_add(0x1234, buf + off, len)), want);
            size_t cut = (len / 3) & ~(size_t)1;
            uint32_t sum = net_csum_add(0x1234, buf + off, cut);
            assert_int_equal(net_csum_fold(net_csum_add(sum, buf + off + cut, len - cut)), want);
        }
    memset(buf, 0xff, sizeof buf);
    assert_int_equal(net_csum_fold(net_csum_add(0, buf, sizeof buf)), ref_csum(buf, sizeof buf, 0));
    uint32_t ps = net_csum_pseudo(0xc0a80001, 0x0a000002, 6, 1480);
    assert_int_equal(net_csum_fold(ps),
                     ref_csum(NULL, 0, 0xc0a8 + 0x0001 + 0x0a00 + 0x0002 + 6 + 1480));
}

/* --- ARP --------------------------------------------------------------------- */

static void test_arp(void **state)
{
    (void)state;
    bench_init(NULL, false);
    uint32_t dns = 0;
    assert_int_equal(net_set_static(B.st, US_IP, 24, PEER_IP, &dns, 0), 0);
    assert_int_equal(B.nout, 1); /* gratuitous ARP announcing our address */
    assert_true(is_arp(&B.out[0], 1, US_IP, US_IP));
    assert_memory_equal(B.out[0].d, BCAST_MAC, 6);
    assert_true(B.if_events & NET_EV_ADDR_UP);
    bench_clear();
    struct net_sock *u;
    assert_int_equal(net_udp_socket(B.st, &u), 0);
    assert_int_equal(net_udp_sendto(u, "one", 3, PEER_IP, 9), 3);
    assert_int_equal(net_udp_sendto(u, "two", 3, PEER_IP, 9), 3);
    assert_int_equal(B.nout, 1); /* one request; both datagrams wait (RFC 1122 2.3.2.2) */
    assert_true(is_arp(&B.out[0], 1, US_IP, PEER_IP));
    bench_clear();
    bench_input(f, mk_arp(f, 2, PEER_MAC, PEER_IP, US_MAC, US_IP, US_MAC));
    assert_int_equal(B.nout, 2);
    for (int i = 0; i < 2; i++) {
        uint32_t src, dst;
        uint16_t sp, dp;
        const uint8_t *data;
        size_t n;
        assert_true(parse_udp(&B.out[i], &src, &dst, &sp, &dp, &data, &n));
        assert_memory_equal(B.out[i].d, PEER_MAC, 6);
        assert_memory_equal(data, i == 0 ? "one" : "two", 3);
    }
    bench_clear();
    /* a request for our address from a new neighbour gets a reply */
    static const uint8_t other[6] = {2, 0, 0, 0, 0, 9};
    static const uint8_t zero[6];
    bench_input(f, mk_arp(f, 1, other, 0x0a000009, zero, US_IP, BCAST_MAC));
    assert_int_equal(B.nout, 1);
    assert_true(is_arp(&B.out[0], 2, US_IP, 0x0a000009));
    assert_memory_equal(B.out[0].d, other, 6);
    bench_clear();
    /* an off-link destination goes to the gateway's MAC */
    assert_int_equal(net_udp_sendto(u, "far", 3, 0xc0a80101, 9), 3);
    assert_int_equal(B.nout, 1);
    assert_memory_equal(B.out[0].d, PEER_MAC, 6);
    bench_clear();
    /* a silent neighbour: 4 requests a second apart, then the queue is dropped */
    assert_int_equal(net_udp_sendto(u, "lost", 4, 0x0a000007, 9), 4);
    bench_advance(5000);
    int reqs = 0;
    for (int i = 0; i < B.nout; i++)
        reqs += is_arp(&B.out[i], 1, US_IP, 0x0a000007);
    assert_int_equal(reqs, 4);
    assert_int_equal(B.nout, 4);
    struct net_counters c;
    net_get_counters(B.st, &c);
    assert_int_equal(c.tx_drops, 1);
    /* a connection to a silent neighbour fails with ERR_HOSTUNREACH */
    struct net_sock *t;
    assert_int_equal(net_tcp_socket(B.st, &t), 0);
    assert_int_equal(net_tcp_connect(t, 0x0a000007, 80), 0);
    bench_advance(3999);
    assert_false(net_sock_poll(t) & NET_POLL_ERR);
    bench_advance(1);
    assert_int_equal(net_sock_error(t), ERR_HOSTUNREACH);
    net_sock_close(t);
    net_sock_close(u);
    bench_free();
}

/* --- IPv4 and ICMP ----------------------------------------------------------------- */

static void test_ipv4_checks_and_echo(void **state)
{
    (void)state;
    bench_init(NULL, true);
    uint8_t icmp[64];
    memset(icmp, 0x5a, sizeof icmp);
    icmp[0] = 8;
    icmp[1] = 0;
    be16_put(icmp + 2, 0);
    be16_put(icmp + 4, 0x1234);
    be16_put(icmp + 6, 7);
    be16_put(icmp + 2, ref_csum(icmp, sizeof icmp, 0));
    size_t n = mk_ipv4(f, PEER_IP, US_IP, 1, 1, 0, icmp, sizeof icmp);
    f[14 + 10] ^= 1; /* bad header checksum: dropped */
    bench_input(f, n);
    assert_int_equal(B.nout, 0);
    n = mk_ipv4(f, PEER_IP, US_IP, 1, 1, 0, icmp, sizeof icmp);
    f[14] = 0x65; /* version 6 */
    bench_input(f, n);
    assert_int_equal(B.nout, 0);
    n = mk_ipv4(f, PEER_IP, US_IP, 1, 1, 0, icmp, sizeof icmp);
    be16_put(f + 16, 2000); /* total length beyond the frame */
    bench_input(f, n);
    assert_int_equal(B.nout, 0);
    struct net_counters c;
    net_get_counters(B.st, &c);
    assert_int_equal(c.rx_errors, 3);
    n = mk_ipv4(f, PEER_IP, 0x0a000063, 1, 1, 0, icmp, sizeof icmp); /* not for us */
    bench_input(f, n);
    assert_int_equal(B.nout, 0);
    n = mk_ipv4(f, PEER_IP, US_IP, 1, 1, 0, icmp, sizeof icmp);
    bench_input(f, n);
    assert_int_equal(B.nout, 1);
    uint8_t proto;
    uint32_t src, dst;
    size_t plen;
    const uint8_t *r = parse_ipv4(&B.out[0], &proto, &src, &dst, &plen);
    assert_non_null(r);
    assert_int_equal(proto, 1);
    assert_int_equal(dst, PEER_IP);
    assert_int_equal(plen, sizeof icmp);
    assert_int_equal(r[0], 0);
    assert_int_equal(ref_csum(r, plen, 0), 0);
    assert_memory_equal(r + 4, icmp + 4, sizeof icmp - 4);
    bench_free();
}

static void test_ping_socket(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *p;
    struct net_ping_reply rep;
    assert_int_equal(net_ping_socket(B.st, &p), 0);
    assert_int_equal(net_ping_send(p, PEER_IP, 3, 56), 0);
    uint8_t proto;
    uint32_t src, dst;
    size_t plen;
    const uint8_t *q = parse_ipv4(&B.out[0], &proto, &src, &dst, &plen);
    assert_non_null(q);
    assert_int_equal(q[0], 8);
    assert_int_equal(plen, 64);
    assert_int_equal(be16_get(q + 6), 3);
    assert_int_equal(net_ping_recv(p, &rep), ERR_AGAIN);
    uint8_t reply[64];
    memcpy(reply, q, plen);
    reply[0] = 0;
    be16_put(reply + 2, 0);
    be16_put(reply + 2, ref_csum(reply, plen, 0));
    B.now += 5;
    bench_input(f, mk_ipv4(f, PEER_IP, US_IP, 1, 9, 0, reply, plen));
    assert_true(B.events & NET_POLL_IN);
    assert_int_equal(net_ping_recv(p, &rep), 0);
    assert_int_equal(rep.from, PEER_IP);
    assert_int_equal(rep.seq, 3);
    assert_int_equal(rep.rtt_ms, 5);
    assert_int_equal(rep.len, 56);
    net_sock_close(p);
    bench_free();
}

/* A 3000-byte UDP datagram in three fragments, out of order. */
static void test_reassembly(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *u;
    assert_int_equal(net_udp_socket(B.st, &u), 0);
    assert_int_equal(net_sock_bind(u, 0, 7000), 0);
    uint8_t data[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13 + 1);
    /* the whole UDP datagram, then cut into fragments */
    uint8_t ubuf[8 + 3000];
    be16_put(ubuf, 5000);
    be16_put(ubuf + 2, 7000);
    be16_put(ubuf + 4, sizeof ubuf);
    be16_put(ubuf + 6, 0);
    memcpy(ubuf + 8, data, sizeof data);
    uint32_t start = (PEER_IP >> 16) + (PEER_IP & 0xffff) + (US_IP >> 16) + (US_IP & 0xffff) + 17 +
                     (uint32_t)sizeof ubuf;
    be16_put(ubuf + 6, ref_csum(ubuf, sizeof ubuf, start));
    struct {
        size_t off, len;
        bool more;
    } parts[3] = {{2960, 48, false}, {0, 1480, true}, {1480, 1480, true}};
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3; i++) {
            if (round == 1 && i == 2) break; /* second round: the middle one never comes */
            uint16_t frag = (uint16_t)(parts[i].off / 8) | (parts[i].more ? 0x2000 : 0);
            size_t n = mk_ipv4(f, PEER_IP, US_IP, 17, (uint16_t)(100 + round), frag,
                               ubuf + parts[i].off, parts[i].len);
            bench_input(f, n);
        }
        if (round == 0) {
            uint8_t got[4000];
            uint32_t from;
            uint16_t port;
            assert_int_equal(net_udp_recvfrom(u, got, sizeof got, &from, &port), 3000);
            assert_int_equal(from, PEER_IP);
            assert_int_equal(port, 5000);
            assert_memory_equal(got, data, 3000);
        }
    }
    struct net_counters c0, c1;
    net_get_counters(B.st, &c0);
    bench_advance(15000); /* RFC 791: the incomplete datagram is dropped */
    net_get_counters(B.st, &c1);
    assert_int_equal(c1.rx_drops, c0.rx_drops + 1);
    uint16_t frag = (uint16_t)(1480 / 8) | 0x2000;
    bench_input(f, mk_ipv4(f, PEER_IP, US_IP, 17, 101, frag, ubuf + 1480, 1480));
    uint8_t got[4000];
    assert_int_equal(net_udp_recvfrom(u, got, sizeof got, NULL, NULL), ERR_AGAIN);
    /* a fragment reaching past 64 KiB is an error */
    net_get_counters(B.st, &c0);
    bench_input(f, mk_ipv4(f, PEER_IP, US_IP, 17, 102, 0x1fff | 0x2000, ubuf, 1480));
    net_get_counters(B.st, &c1);
    assert_int_equal(c1.rx_errors, c0.rx_errors + 1);
    net_sock_close(u);
    bench_free();
}

/* NET_RX_CSUM_VALID: the device vouches for the transport checksum. */
static void test_rx_csum_offload(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *u;
    assert_int_equal(net_udp_socket(B.st, &u), 0);
    assert_int_equal(net_sock_bind(u, 0, 7000), 0);
    size_t n = mk_udp(f, PEER_IP, 5000, US_IP, 7000, "abcd", 4);
    f[14 + 20 + 6] ^= 0x55; /* a wrong UDP checksum */
    bench_input(f, n);
    uint8_t got[8];
    assert_int_equal(net_udp_recvfrom(u, got, sizeof got, NULL, NULL), ERR_AGAIN);
    net_input_ex(B.st, f, n, B.now, NET_RX_CSUM_VALID);
    assert_int_equal(net_udp_recvfrom(u, got, sizeof got, NULL, NULL), 4);
    net_sock_close(u);
    bench_free();
}

/* Port unreachable both ways (RFC 1122 4.1.3.1, 4.1.3.3). */
static void test_udp_unreachable(void **state)
{
    (void)state;
    bench_init(NULL, true);
    bench_input(f, mk_udp(f, PEER_IP, 5555, US_IP, 4444, "hi", 2));
    assert_int_equal(B.nout, 1);
    uint8_t proto;
    uint32_t src, dst;
    size_t plen;
    const uint8_t *icmp = parse_ipv4(&B.out[0], &proto, &src, &dst, &plen);
    assert_non_null(icmp);
    assert_int_equal(proto, 1);
    assert_int_equal(icmp[0], 3);
    assert_int_equal(icmp[1], 3);
    assert_int_equal(be32_get(icmp + 8 + 12), PEER_IP); /* the offending header */
    assert_int_equal(be16_get(icmp + 8 + 20 + 2), 4444);
    bench_clear();
    struct net_sock *u;
    assert_int_equal(net_udp_socket(B.st, &u), 0);
    assert_int_equal(net_udp_connect(u, PEER_IP, 53), 0);
    assert_int_equal(net_udp_sendto(u, "q", 1, 0, 0), 1);
    /* the peer answers with port unreachable quoting our datagram */
    const uint8_t *ip = B.out[0].d + 14;
    uint8_t msg[8 + 28];
    memset(msg, 0, sizeof msg);
    msg[0] = 3;
    msg[1] = 3;
    memcpy(msg + 8, ip, 28);
    be16_put(msg + 2, ref_csum(msg, sizeof msg, 0));
    bench_input(f, mk_ipv4(f, PEER_IP, US_IP, 1, 5, 0, msg, sizeof msg));
    assert_true(net_sock_poll(u) & NET_POLL_ERR);
    uint8_t buf[8];
    assert_int_equal(net_udp_recvfrom(u, buf, sizeof buf, NULL, NULL), ERR_CONNREFUSED);
    /* ... and a connecting TCP socket learns host unreachable */
    bench_clear();
    struct net_sock *t;
    assert_int_equal(net_tcp_socket(B.st, &t), 0);
    assert_int_equal(net_tcp_connect(t, PEER_IP, 80), 0);
    ip = B.out[0].d + 14;
    memset(msg, 0, sizeof msg);
    msg[0] = 3;
    msg[1] = 1;
    memcpy(msg + 8, ip, 28);
    be16_put(msg + 2, ref_csum(msg, sizeof msg, 0));
    bench_input(f, mk_ipv4(f, PEER_IP, US_IP, 1, 6, 0, msg, sizeof msg));
    assert_int_equal(net_sock_error(t), ERR_HOSTUNREACH);
    net_sock_close(t);
    net_sock_close(u);
    bench_free();
}

/* --- DHCP -------------------------------------------------------------------------- */

#define SERVER_IP PEER_IP
#define OFFER_IP  0x0a000032u

struct dhcp_seen {
    uint32_t xid, ciaddr, dst;
    uint16_t flags;
    int type;
    uint32_t req_ip, server;
};

static bool parse_dhcp(const struct frame *fr, struct dhcp_seen *d)
{
    uint32_t src;
    uint16_t sp, dp;
    const uint8_t *m;
    size_t n;
    memset(d, 0, sizeof *d);
    if (!parse_udp(fr, &src, &d->dst, &sp, &dp, &m, &n) || sp != 68 || dp != 67 || n < 240)
        return false;
    if (m[0] != 1 || memcmp(m + 28, US_MAC, 6) || be32_get(m + 236) != 0x63825363) return false;
    d->xid = be32_get(m + 4);
    d->flags = be16_get(m + 10);
    d->ciaddr = be32_get(m + 12);
    for (size_t i = 240; i + 1 < n && m[i] != 255;) {
        if (m[i] == 0) {
            i++;
            continue;
        }
        uint8_t code = m[i], len = m[i + 1];
        if (code == 53) d->type = m[i + 2];
        if (code == 50) d->req_ip = be32_get(m + i + 2);
        if (code == 54) d->server = be32_get(m + i + 2);
        i += 2u + len;
    }
    return true;
}

static size_t mk_dhcp(uint8_t *fr, int type, uint32_t xid, uint32_t yiaddr, const uint8_t *mac)
{
    uint8_t m[300];
    memset(m, 0, sizeof m);
    m[0] = 2;
    m[1] = 1;
    m[2] = 6;
    be32_put(m + 4, xid);
    be32_put(m + 16, yiaddr);
    memcpy(m + 28, mac, 6);
    be32_put(m + 236, 0x63825363);
    size_t n = 240;
    uint8_t opts[] = {53,  1,   (uint8_t)type,
                      54,  4,   10,
                      0,   0,   1,
                      1,   4,   255,
                      255, 255, 0,
                      3,   4,   10,
                      0,   0,   1,
                      6,   8,   10,
                      0,   0,   1,
                      10,  0,   0,
                      3,   51,  4,
                      0,   0,   0,
                      100, 255};
    memcpy(m + n, opts, sizeof opts);
    n += sizeof opts;
    return mk_udp(fr, SERVER_IP, 67, 0xffffffffu, 68, m, n);
}

static void test_dhcp(void **state)
{
    (void)state;
    bench_init(NULL, false);
    struct dhcp_seen d;
    assert_int_equal(net_dhcp_start(B.st), 0);
    assert_int_equal(B.nout, 1);
    assert_true(parse_dhcp(&B.out[0], &d));
    assert_int_equal(d.type, 1);
    assert_int_equal(d.dst, 0xffffffffu);
    assert_int_equal(d.flags, 0x8000);
    uint32_t xid = d.xid;
    bench_clear();
    bench_advance(2999); /* RFC 2131 4.1: 4 s +- 1 s before the first retry */
    assert_int_equal(B.nout, 0);
    bench_advance(2001);
    assert_int_equal(B.nout, 1);
    assert_true(parse_dhcp(&B.out[0], &d));
    assert_int_equal(d.type, 1);
    assert_int_equal(d.xid, xid);
    bench_clear();
    static const uint8_t other[6] = {2, 0, 0, 0, 0, 9};
    bench_input(f, mk_dhcp(f, 2, xid + 1, OFFER_IP, US_MAC)); /* wrong xid */
    bench_input(f, mk_dhcp(f, 2, xid, OFFER_IP, other));      /* not our MAC */
    assert_int_equal(B.nout, 0);
    bench_input(f, mk_dhcp(f, 2, xid, OFFER_IP, US_MAC));
    assert_int_equal(B.nout, 1);
    assert_true(parse_dhcp(&B.out[0], &d));
    assert_int_equal(d.type, 3);
    assert_int_equal(d.req_ip, OFFER_IP);
    assert_int_equal(d.server, SERVER_IP);
    assert_int_equal(d.xid, xid);
    bench_clear();
    bench_input(f, mk_dhcp(f, 5, xid, OFFER_IP, US_MAC)); /* ACK */
    struct net_ifinfo inf;
    net_get_ifinfo(B.st, &inf);
    assert_true(inf.up);
    assert_true(inf.dhcp);
    assert_int_equal(inf.addr, OFFER_IP);
    assert_int_equal(inf.netmask, 0xffffff00u);
    assert_int_equal(inf.gateway, PEER_IP);
    assert_int_equal(inf.ndns, 2);
    assert_int_equal(inf.dns[1], 0x0a000003u);
    assert_int_equal(inf.lease_s, 100);
    assert_true(B.if_events & NET_EV_ADDR_UP);
    assert_int_equal(B.nout, 1);
    assert_true(is_arp(&B.out[0], 1, OFFER_IP, OFFER_IP)); /* gratuitous */
    bench_clear();
    /* T1 = 50 s: a unicast REQUEST to the server, from our address */
    bench_advance(49999);
    assert_int_equal(B.nout, 0);
    bench_advance(1);
    assert_true(B.nout >= 1);
    assert_true(is_arp(&B.out[0], 1, OFFER_IP, SERVER_IP)); /* resolve the server first */
    bench_clear();
    bench_input(f, mk_arp(f, 2, PEER_MAC, PEER_IP, US_MAC, OFFER_IP, US_MAC));
    assert_int_equal(B.nout, 1);
    assert_true(parse_dhcp(&B.out[0], &d));
    assert_int_equal(d.type, 3);
    assert_int_equal(d.dst, SERVER_IP);
    assert_int_equal(d.ciaddr, OFFER_IP);
    assert_int_equal(d.req_ip, 0); /* RFC 2131 4.3.2: not in RENEWING */
    bench_clear();
    /* a NAK: the address goes away and discovery starts over */
    bench_input(f, mk_dhcp(f, 6, d.xid, 0, US_MAC));
    net_get_ifinfo(B.st, &inf);
    assert_false(inf.up);
    assert_true(B.if_events & NET_EV_ADDR_DOWN);
    assert_int_equal(B.nout, 1);
    assert_true(parse_dhcp(&B.out[0], &d));
    assert_int_equal(d.type, 1);
    bench_free();
}

static void test_dhcp_lease_expiry(void **state)
{
    (void)state;
    bench_init(NULL, false);
    struct dhcp_seen d;
    net_dhcp_start(B.st);
    parse_dhcp(&B.out[0], &d);
    bench_input(f, mk_dhcp(f, 2, d.xid, OFFER_IP, US_MAC));
    bench_input(f, mk_dhcp(f, 5, d.xid, OFFER_IP, US_MAC));
    struct net_ifinfo inf;
    net_get_ifinfo(B.st, &inf);
    assert_true(inf.up);
    bench_advance(86999); /* T1 passed unanswered; T2 = 7/8 of 100 s = 87 s is next */
    bench_clear();
    bench_advance(1);
    bool rebind = false; /* RFC 2131 4.4.5: REBINDING broadcasts the REQUEST */
    for (int i = 0; i < B.nout; i++)
        if (parse_dhcp(&B.out[i], &d) && d.type == 3 && d.dst == 0xffffffffu &&
            d.ciaddr == OFFER_IP)
            rebind = true;
    assert_true(rebind);
    bench_advance(12999); /* nobody answers the rebinds either */
    net_get_ifinfo(B.st, &inf);
    assert_true(inf.up);
    bench_advance(1);
    net_get_ifinfo(B.st, &inf);
    assert_false(inf.up);
    bench_free();
}

/* --- DNS --------------------------------------------------------------------------- */

static size_t enc_name(uint8_t *o, const char *name)
{
    size_t n = 0;
    while (*name) {
        const char *dot = strchr(name, '.');
        size_t l = dot ? (size_t)(dot - name) : strlen(name);
        o[n++] = (uint8_t)l;
        memcpy(o + n, name, l);
        n += l;
        name += l + (dot ? 1 : 0);
    }
    o[n++] = 0;
    return n;
}

struct dns_q {
    uint16_t id, port;
    uint32_t server;
    char name[256];
};

/* The last DNS query the stack sent. */
static bool last_query(struct dns_q *q)
{
    for (int i = B.nout - 1; i >= 0; i--) {
        uint32_t src;
        uint16_t dp;
        const uint8_t *m;
        size_t n;
        if (!parse_udp(&B.out[i], &src, &q->server, &q->port, &dp, &m, &n) || dp != 53) continue;
        q->id = be16_get(m);
        size_t p = 12, o = 0;
        while (m[p]) {
            if (o) q->name[o++] = '.';
            memcpy(q->name + o, m + p + 1, m[p]);
            o += m[p];
            p += 1u + m[p];
        }
        q->name[o] = 0;
        return true;
    }
    return false;
}

/* An answer: header, the question, then rr bytes as given. */
static size_t mk_answer(uint8_t *fr, uint32_t from, uint16_t sport, uint16_t dport, uint16_t id,
                        int rcode, const char *qname, const uint8_t *rr, size_t rrlen, int ancount)
{
    uint8_t m[1024];
    be16_put(m, id);
    be16_put(m + 2, (uint16_t)(0x8180 | rcode));
    be16_put(m + 4, 1);
    be16_put(m + 6, (uint16_t)ancount);
    be16_put(m + 8, 0);
    be16_put(m + 10, 0);
    size_t n = 12 + enc_name(m + 12, qname);
    be16_put(m + n, 1);
    be16_put(m + n + 2, 1);
    n += 4;
    if (rrlen) memcpy(m + n, rr, rrlen);
    n += rrlen;
    return mk_udp(fr, from, sport, US_IP, dport, m, n);
}

/* An A record for the question name (pointer 0xc00c). */
static size_t rr_a(uint8_t *o, uint32_t ttl, uint32_t addr)
{
    uint8_t r[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0};
    be32_put(r + 6, ttl);
    be32_put(r + 12, addr);
    memcpy(o, r, sizeof r);
    return sizeof r;
}

static int result(struct net_sock *q, uint32_t *addr, uint32_t *ttl)
{
    return net_dns_result(q, addr, 1, ttl);
}

static void test_dns_matching(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *q;
    struct dns_q dq;
    uint8_t rr[64];
    uint32_t addr = 0, ttl = 0;
    assert_int_equal(net_dns_lookup(B.st, "www.Example.TEST", &q), 0);
    assert_true(last_query(&dq));
    assert_int_equal(dq.server, PEER_IP);
    assert_string_equal(dq.name, "www.example.test");
    assert_true(dq.port >= 49152);
    size_t rl = rr_a(rr, 300, 0x01020304);
    bench_clear();
    /* not the answer: wrong id, wrong source port, wrong server, wrong question */
    bench_input(f, mk_answer(f, PEER_IP, 53, dq.port, (uint16_t)(dq.id + 1), 0, "www.example.test",
                             rr, rl, 1));
    bench_input(f, mk_answer(f, PEER_IP, 5353, dq.port, dq.id, 0, "www.example.test", rr, rl, 1));
    bench_input(f, mk_answer(f, 0x0a000009, 53, dq.port, dq.id, 0, "www.example.test", rr, rl, 1));
    bench_input(f, mk_answer(f, PEER_IP, 53, dq.port, dq.id, 0, "ww.example.test", rr, rl, 1));
    assert_int_equal(result(q, &addr, &ttl), ERR_AGAIN);
    assert_int_equal(B.nout, 0); /* and no port unreachable for them either */
    bench_input(f, mk_answer(f, PEER_IP, 53, dq.port, dq.id, 0, "WWW.example.test", rr, rl, 1));
    assert_int_equal(result(q, &addr, &ttl), 1);
    assert_int_equal(addr, 0x01020304);
    assert_int_equal(ttl, 300);
    assert_true(B.events & NET_POLL_IN);
    net_sock_close(q);
    /* the cache answers until the TTL runs out */
    assert_int_equal(net_dns_lookup(B.st, "www.example.test.", &q), 0);
    assert_int_equal(B.nout, 0);
    assert_int_equal(result(q, &addr, NULL), 1);
    net_sock_close(q);
    bench_advance(300000);
    assert_int_equal(net_dns_lookup(B.st, "www.example.test", &q), 0);
    /* (the ARP entry has expired meanwhile: the query waits for the reply) */
    bench_input(f, mk_arp(f, 2, PEER_MAC, PEER_IP, US_MAC, US_IP, US_MAC));
    assert_true(last_query(&dq));
    assert_int_equal(result(q, &addr, NULL), ERR_AGAIN);
    net_sock_close(q);
    bench_free();
}

static void test_dns_cname_nxdomain_hosts(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *q;
    struct dns_q dq;
    uint32_t addr, ttl;
    /* www -> alias -> real, all in one answer, out of order */
    uint8_t rr[256];
    size_t n = 0;
    uint8_t alias[64], real[64];
    size_t al = enc_name(alias, "alias.test"), rlen = enc_name(real, "real.test");
    memcpy(rr + n, real, rlen); /* real.test A 5.6.7.8, ttl 30 */
    n += rlen;
    uint8_t a[] = {0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 5, 6, 7, 8};
    memcpy(rr + n, a, sizeof a);
    n += sizeof a;
    uint8_t c1[] = {0xc0, 12, 0, 5, 0, 1, 0, 0, 1, 0, 0, 0}; /* www CNAME alias, ttl 256 */
    c1[11] = (uint8_t)al;
    memcpy(rr + n, c1, sizeof c1);
    n += sizeof c1;
    memcpy(rr + n, alias, al);
    n += al;
    memcpy(rr + n, alias, al); /* alias CNAME real */
    n += al;
    uint8_t c2[] = {0, 5, 0, 1, 0, 0, 1, 0, 0, 0};
    c2[9] = (uint8_t)rlen;
    memcpy(rr + n, c2, sizeof c2);
    n += sizeof c2;
    memcpy(rr + n, real, rlen);
    n += rlen;
    assert_int_equal(net_dns_lookup(B.st, "www.test", &q), 0);
    assert_true(last_query(&dq));
    bench_input(f, mk_answer(f, PEER_IP, 53, dq.port, dq.id, 0, "www.test", rr, n, 3));
    assert_int_equal(result(q, &addr, &ttl), 1);
    assert_int_equal(addr, 0x05060708);
    assert_int_equal(ttl, 30);
    net_sock_close(q);
    /* NXDOMAIN */
    assert_int_equal(net_dns_lookup(B.st, "nope.test", &q), 0);
    assert_true(last_query(&dq));
    bench_input(f, mk_answer(f, PEER_IP, 53, dq.port, dq.id, 3, "nope.test", NULL, 0, 0));
    assert_int_equal(result(q, &addr, NULL), ERR_NXDOMAIN);
    net_sock_close(q);
    /* static entries and literal addresses need no query */
    assert_int_equal(net_dns_add_host(B.st, "Router.Lan", 0x0a0000fe), 0);
    bench_clear();
    assert_int_equal(net_dns_lookup(B.st, "router.lan", &q), 0);
    assert_int_equal(result(q, &addr, NULL), 1);
    assert_int_equal(addr, 0x0a0000fe);
    net_sock_close(q);
    assert_int_equal(net_dns_lookup(B.st, "192.168.7.9", &q), 0);
    assert_int_equal(result(q, &addr, NULL), 1);
    assert_int_equal(addr, 0xc0a80709);
    net_sock_close(q);
    assert_int_equal(net_dns_lookup(B.st, "bad..name", &q), 0);
    assert_int_equal(result(q, &addr, NULL), ERR_INVAL);
    net_sock_close(q);
    assert_int_equal(B.nout, 0);
    bench_free();
}

static void test_dns_timeout_and_loop(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *q;
    struct dns_q dq;
    uint32_t addr;
    assert_int_equal(net_dns_lookup(B.st, "slow.test", &q), 0);
    assert_true(last_query(&dq));
    /* a record name that points at itself: a malformed answer, ERR_DNSFAIL
     * (and no hang) */
    uint8_t rr[] = {0xc0, 0, 0, 1, 0, 1, 0, 0, 0, 9, 0, 4, 1, 1, 1, 1};
    size_t qlen = 12 + 11 + 4; /* header, "slow.test", type and class */
    rr[1] = (uint8_t)qlen;     /* the record's own offset */
    bench_input(f, mk_answer(f, PEER_IP, 53, dq.port, dq.id, 0, "slow.test", rr, sizeof rr, 1));
    assert_int_equal(result(q, &addr, NULL), ERR_DNSFAIL);
    net_sock_close(q);
    /* no answer at all: queries at 0, 1 s and 3 s, ERR_TIMEDOUT at 7 s */
    bench_clear();
    assert_int_equal(net_dns_lookup(B.st, "silent.test", &q), 0);
    bench_advance(6999);
    assert_int_equal(result(q, &addr, NULL), ERR_AGAIN);
    int queries = 0;
    for (int i = 0; i < B.nout; i++) {
        uint32_t s, d;
        uint16_t sp, dp;
        const uint8_t *m;
        size_t n;
        queries += parse_udp(&B.out[i], &s, &d, &sp, &dp, &m, &n) && dp == 53;
    }
    assert_int_equal(queries, 3);
    bench_advance(1);
    assert_int_equal(result(q, &addr, NULL), ERR_TIMEDOUT);
    net_sock_close(q);
    bench_free();
}

/* SERVFAIL from the first server: the second is asked at once. */
static void test_dns_servers(void **state)
{
    (void)state;
    bench_init(NULL, true);
    uint32_t dns[2] = {PEER_IP, 0x0a000003};
    assert_int_equal(net_set_static(B.st, US_IP, 24, PEER_IP, dns, 2), 0);
    bench_input(f, mk_arp(f, 2, PEER_MAC, 0x0a000003, US_MAC, US_IP, US_MAC));
    bench_clear();
    struct net_sock *q;
    struct dns_q dq;
    uint32_t addr;
    uint8_t rr[32];
    assert_int_equal(net_dns_lookup(B.st, "two.test", &q), 0);
    assert_true(last_query(&dq));
    assert_int_equal(dq.server, PEER_IP);
    bench_clear();
    bench_input(f, mk_answer(f, PEER_IP, 53, dq.port, dq.id, 2, "two.test", NULL, 0, 0));
    assert_true(last_query(&dq));
    assert_int_equal(dq.server, 0x0a000003u);
    assert_int_equal(result(q, &addr, NULL), ERR_AGAIN);
    size_t rl = rr_a(rr, 60, 0x0b0c0d0e);
    bench_input(f, mk_answer(f, 0x0a000003, 53, dq.port, dq.id, 0, "two.test", rr, rl, 1));
    assert_int_equal(result(q, &addr, NULL), 1);
    assert_int_equal(addr, 0x0b0c0d0e);
    net_sock_close(q);
    bench_free();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_ipv4_checks_and_echo),
        cmocka_unit_test(test_ping_socket),
        cmocka_unit_test(test_reassembly),
        cmocka_unit_test(test_udp_unreachable),
        cmocka_unit_test(test_rx_csum_offload),
        cmocka_unit_test(test_dhcp),
        cmocka_unit_test(test_dhcp_lease_expiry),
        cmocka_unit_test(test_dns_matching),
        cmocka_unit_test(test_dns_cname_nxdomain_hosts),
        cmocka_unit_test(test_dns_timeout_and_loop),
        cmocka_unit_test(test_dns_servers),
    };
    return cmocka_run_group_tests_name("net_proto", tests, NULL, NULL);
}
