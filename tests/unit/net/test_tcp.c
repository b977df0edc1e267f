/*
 * tests/unit/net/test_tcp.c - lib/net's TCP driven by hand-built segments,
 * asserting on the segments it sends (as lwIP's test/unit/tcp does): the
 * handshake both ways, SYN retransmission and connect timeout, RST and SYN
 * rules of RFC 5961, retransmission timing (RFC 6298), window scaling
 * (RFC 7323), out-of-order data and SACK blocks, delayed ACKs, TIME-WAIT,
 * simultaneous open and close, zero-window probes, fast retransmit,
 * keep-alive probes and timeouts (RFC 1122 4.2.3.6), per-socket TTL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sanitizer/allocator_interface.h>

#include "base/error.h"
#include "net/net.h"
#include "tests/unit/net/net_util.h"

#define PEER_ISN 5000u

static uint32_t iss; /* the stack's ISN, read from its SYN */
static uint8_t f[MAXFRAME];

static size_t syn_opts(uint8_t *o, int ws, bool sackp, bool ts, uint32_t tsval, uint32_t tsecr)
{
    size_t n = 0;
    o[n++] = 2;
    o[n++] = 4;
    o[n++] = 1460 >> 8;
    o[n++] = 1460 & 0xff;
    if (ws >= 0) {
        o[n++] = 1;
        o[n++] = 3;
        o[n++] = 3;
        o[n++] = (uint8_t)ws;
    }
    if (sackp) {
        o[n++] = 1;
        o[n++] = 1;
        o[n++] = 4;
        o[n++] = 2;
    }
    if (ts) {
        o[n++] = 1;
        o[n++] = 1;
        o[n++] = 8;
        o[n++] = 10;
        for (int i = 3; i >= 0; i--)
            o[n++] = (uint8_t)(tsval >> (8 * i));
        for (int i = 3; i >= 0; i--)
            o[n++] = (uint8_t)(tsecr >> (8 * i));
    }
    return n;
}

static void inject(uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd, const void *data,
                   size_t dlen)
{
    size_t n = mk_tcp(f, seq, ack, flags, wnd, NULL, 0, data, dlen);
    bench_input(f, n);
}

/* connect() and read back our SYN. */
static struct net_sock *start_connect(void)
{
    struct net_sock *s;
    struct tcp_seen t;
    assert_int_equal(net_tcp_socket(B.st, &s), 0);
    assert_int_equal(net_tcp_connect(s, PEER_IP, tcp_peer_port), 0);
    assert_int_equal(last_tcp(&t), B.nout - 1);
    assert_int_equal(t.flags, TCP_S);
    assert_int_equal(t.dport, tcp_peer_port);
    iss = t.seq;
    tcp_us_port = t.sport;
    bench_clear();
    return s;
}

/* An established active connection; the peer offers window scale ws (or
 * none if < 0) and SACK; no timestamps (simpler sequence arithmetic). */
static struct net_sock *establish(int ws, bool sackp, uint16_t wnd)
{
    struct net_sock *s = start_connect();
    uint8_t o[40];
    size_t ol = syn_opts(o, ws, sackp, false, 0, 0);
    size_t n = mk_tcp(f, PEER_ISN, iss + 1, TCP_S | TCP_A, wnd, o, ol, NULL, 0);
    bench_input(f, n);
    struct tcp_seen t;
    assert_true(last_tcp(&t) >= 0);
    assert_int_equal(t.flags, TCP_A);
    assert_int_equal(t.seq, iss + 1);
    assert_int_equal(t.ack, PEER_ISN + 1);
    assert_string_equal(net_tcp_state_name(s), "ESTABLISHED");
    bench_clear();
    return s;
}

static void test_active_handshake(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s;
    struct tcp_seen t;
    assert_int_equal(net_tcp_socket(B.st, &s), 0);
    assert_int_equal(net_tcp_connect(s, PEER_IP, tcp_peer_port), 0);
    assert_int_equal(B.nout, 1);
    assert_true(parse_tcp(&B.out[0], &t));
    assert_int_equal(t.flags, TCP_S);
    assert_int_equal(t.mss, 1460);
    assert_int_equal(t.ws, 4); /* 512 KiB needs a shift of 4 */
    assert_true(t.sackp);
    assert_true(t.ts);
    assert_int_equal(t.wnd, 65535); /* RFC 7323 2.2: a SYN's window is not scaled */
    assert_string_equal(net_tcp_state_name(s), "SYN_SENT");
    assert_false(net_sock_poll(s) & NET_POLL_OUT);
    iss = t.seq;
    tcp_us_port = t.sport;
    bench_clear();
    uint8_t o[40];
    size_t ol = syn_opts(o, 7, true, true, 777, t.tsval);
    bench_input(f, mk_tcp(f, PEER_ISN, iss + 1, TCP_S | TCP_A, 29200, o, ol, NULL, 0));
    assert_int_equal(B.nout, 1);
    assert_true(parse_tcp(&B.out[0], &t));
    assert_int_equal(t.flags, TCP_A);
    assert_int_equal(t.seq, iss + 1);
    assert_int_equal(t.ack, PEER_ISN + 1);
    assert_true(t.ts);
    assert_int_equal(t.tsecr, 777);
    assert_int_equal(t.wnd, (512 * 1024) >> 4);
    assert_string_equal(net_tcp_state_name(s), "ESTABLISHED");
    assert_true(net_sock_poll(s) & NET_POLL_OUT);
    assert_true(B.events & NET_POLL_OUT);
    net_tcp_abort(s);
    bench_free();
}

static void test_syn_retransmit_and_timeout(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = start_connect();
    bench_advance(999);
    assert_int_equal(B.nout, 0);
    bench_advance(1); /* RFC 6298 2.1: initial RTO 1 s */
    assert_int_equal(count_tcp(), 1);
    bench_advance(1999);
    assert_int_equal(count_tcp(), 1);
    bench_advance(1); /* doubled */
    assert_int_equal(count_tcp(), 2);
    struct tcp_seen t;
    last_tcp(&t);
    assert_int_equal(t.flags, TCP_S);
    assert_int_equal(t.seq, iss);
    bench_advance(200000);
    assert_int_equal(net_sock_error(s), ERR_TIMEDOUT);
    assert_string_equal(net_tcp_state_name(s), "CLOSED");
    net_sock_close(s);
    bench_free();
}

static void test_connect_refused(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = start_connect();
    inject(0, iss + 5, TCP_R | TCP_A, 0, NULL, 0); /* ACK not for our SYN: ignored */
    assert_string_equal(net_tcp_state_name(s), "SYN_SENT");
    inject(0, 0, TCP_R, 0, NULL, 0); /* RST without ACK: ignored in SYN-SENT */
    assert_string_equal(net_tcp_state_name(s), "SYN_SENT");
    inject(0, iss + 1, TCP_R | TCP_A, 0, NULL, 0);
    assert_string_equal(net_tcp_state_name(s), "CLOSED");
    assert_true(net_sock_poll(s) & NET_POLL_ERR);
    assert_int_equal(net_sock_error(s), ERR_CONNREFUSED);
    assert_int_equal(B.nout, 0);
    net_sock_close(s);
    bench_free();
}

static void test_passive_open_and_delayed_ack(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *l, *c;
    struct tcp_seen t;
    tcp_us_port = 80;
    assert_int_equal(net_tcp_socket(B.st, &l), 0);
    assert_int_equal(net_sock_bind(l, 0, 80), 0);
    assert_int_equal(net_tcp_listen(l, 4), 0);
    uint8_t o[40];
    size_t ol = syn_opts(o, -1, false, false, 0, 0);
    bench_input(f, mk_tcp(f, PEER_ISN, 0, TCP_S, 8192, o, ol, NULL, 0));
    assert_int_equal(B.nout, 1);
    assert_true(parse_tcp(&B.out[0], &t));
    assert_int_equal(t.flags, TCP_S | TCP_A);
    assert_int_equal(t.ack, PEER_ISN + 1);
    assert_int_equal(t.ws, -1); /* not offered by the peer: not echoed */
    assert_false(t.ts);
    assert_int_equal(t.wnd, 65535);
    iss = t.seq;
    assert_int_equal(net_tcp_accept(l, &c), ERR_AGAIN);
    bench_clear();
    inject(PEER_ISN + 1, iss + 1, TCP_A, 8192, NULL, 0);
    assert_int_equal(B.nout, 0);
    assert_true(B.events & NET_POLL_IN);
    assert_int_equal(net_tcp_accept(l, &c), 0);
    assert_string_equal(net_tcp_state_name(c), "ESTABLISHED");
    uint8_t data[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    /* one segment: the ACK is delayed (RFC 1122 4.2.3.2) */
    inject(PEER_ISN + 1, iss + 1, TCP_A | TCP_P, 8192, data, 1000);
    assert_int_equal(B.nout, 0);
    assert_int_equal(net_next_deadline(B.st), B.now + 40);
    bench_advance(40);
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.ack, PEER_ISN + 1001);
    bench_clear();
    /* two segments: ACK at the second (RFC 5681 4.2) */
    inject(PEER_ISN + 1001, iss + 1, TCP_A, 8192, data + 1000, 1000);
    assert_int_equal(B.nout, 0);
    inject(PEER_ISN + 2001, iss + 1, TCP_A, 8192, data + 2000, 1000);
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.ack, PEER_ISN + 3001);
    uint8_t got[4000];
    assert_int_equal(net_tcp_recv(c, got, sizeof got), 3000);
    assert_memory_equal(got, data, 3000);
    assert_int_equal(net_tcp_recv(c, got, sizeof got), ERR_AGAIN);
    /* data out: one segment with PSH */
    bench_clear();
    assert_int_equal(net_tcp_send(c, "hello", 5), 5);
    assert_int_equal(last_tcp(&t), 0);
    assert_int_equal(t.dlen, 5);
    assert_memory_equal(t.data, "hello", 5);
    assert_true(t.flags & TCP_P);
    net_tcp_abort(c);
    net_sock_close(l);
    bench_free();
}

/* RFC 5961 3.2, 4.2, 5.2. */
static void test_rst_syn_ack_rules(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 8192);
    struct tcp_seen t;
    uint32_t rcv = PEER_ISN + 1;
    inject(rcv + 100, 0, TCP_R, 0, NULL, 0); /* in window, not exact: challenge ACK */
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.flags, TCP_A);
    assert_int_equal(t.ack, rcv);
    assert_int_equal(t.seq, iss + 1);
    assert_string_equal(net_tcp_state_name(s), "ESTABLISHED");
    bench_clear();
    inject(rcv + 10000000, 0, TCP_R, 0, NULL, 0); /* outside the window: silence */
    assert_int_equal(B.nout, 0);
    inject(rcv + 5, 0, TCP_S, 8192, NULL, 0); /* SYN when synchronized: challenge ACK */
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.flags, TCP_A);
    assert_int_equal(t.ack, rcv);
    bench_clear();
    inject(rcv, iss + 1000, TCP_A, 8192, NULL, 0); /* ACK for data never sent */
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.flags, TCP_A);
    assert_string_equal(net_tcp_state_name(s), "ESTABLISHED");
    bench_clear();
    inject(rcv, 0, TCP_R, 0, NULL, 0); /* exact: reset */
    assert_int_equal(B.nout, 0);
    assert_string_equal(net_tcp_state_name(s), "CLOSED");
    assert_int_equal(net_sock_error(s), ERR_CONNRESET);
    assert_true(net_sock_poll(s) & NET_POLL_HUP);
    net_sock_close(s);
    bench_free();
}

/* RFC 6298: the RTO from the SYN's RTT sample, clamped to the 200 ms
 * minimum, doubling on each expiry; stopped when everything is acked. */
static void test_retransmission_timing(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 8192);
    struct tcp_seen t;
    assert_int_equal(net_tcp_send(s, "0123456789", 10), 10);
    assert_int_equal(count_tcp(), 1);
    bench_clear();
    bench_advance(199);
    assert_int_equal(B.nout, 0);
    bench_advance(1);
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.seq, iss + 1);
    assert_int_equal(t.dlen, 10);
    bench_clear();
    bench_advance(399);
    assert_int_equal(B.nout, 0);
    bench_advance(1);
    assert_int_equal(count_tcp(), 1);
    bench_clear();
    bench_advance(799);
    assert_int_equal(B.nout, 0);
    bench_advance(1);
    assert_int_equal(count_tcp(), 1);
    bench_clear();
    inject(PEER_ISN + 1, iss + 11, TCP_A, 8192, NULL, 0);
    bench_advance(10000);
    assert_int_equal(count_tcp(), 0);
    net_tcp_abort(s);
    bench_free();
}

/* RFC 7323 2: the peer's window is scaled by its shift from the first
 * segment after the SYN on; the sender stays within it. */
static void test_window_scaling(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(7, false, 1000);
    inject(PEER_ISN + 1, iss + 1, TCP_A, 100, NULL, 0); /* 100 << 7 = 12800 bytes */
    static uint8_t big[20000];
    assert_int_equal(net_tcp_send(s, big, sizeof big), (long)sizeof big);
    size_t total = 0;
    struct tcp_seen t;
    for (int i = 0; i < B.nout; i++)
        if (parse_tcp(&B.out[i], &t)) {
            assert_true(t.seq - (iss + 1) + t.dlen <= 12800);
            assert_int_equal(t.wnd, (512 * 1024) >> 4); /* our scaled window */
            total += t.dlen;
        }
    assert_int_equal(total, 8 * 1460); /* the 1120-byte rest waits (sender SWS) */
    bench_clear();
    inject(PEER_ISN + 1, iss + 1 + 11680, TCP_A, 200, NULL, 0); /* window 25600 */
    total = 0;
    for (int i = 0; i < B.nout; i++)
        if (parse_tcp(&B.out[i], &t)) total += t.dlen;
    assert_int_equal(total, 5 * 1460); /* Nagle: the 1020-byte tail waits for an ACK */
    bench_clear();
    inject(PEER_ISN + 1, iss + 1 + 11680 + 7300, TCP_A, 200, NULL, 0);
    assert_int_equal(last_tcp(&t), 0);
    assert_int_equal(t.dlen, 1020);
    net_tcp_abort(s);
    bench_free();
}

/* Out-of-order data is held and SACKed (RFC 2018), ACKed at once (RFC
 * 5681 4.2), and delivered in order when the gap fills. */
static void test_out_of_order(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, true, 8192);
    struct tcp_seen t;
    uint8_t a[1000], b[1000], c[500], got[4000];
    memset(a, 'A', sizeof a);
    memset(b, 'B', sizeof b);
    memset(c, 'C', sizeof c);
    uint32_t rcv = PEER_ISN + 1;
    inject(rcv + 1000, iss + 1, TCP_A, 8192, b, 1000);
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.ack, rcv);
    assert_int_equal(t.nsack, 1);
    assert_int_equal(t.sack[0][0], rcv + 1000);
    assert_int_equal(t.sack[0][1], rcv + 2000);
    assert_int_equal(net_tcp_recv(s, got, sizeof got), ERR_AGAIN);
    inject(rcv + 2500, iss + 1, TCP_A, 8192, c, 500);
    last_tcp(&t);
    assert_int_equal(t.nsack, 2);
    assert_int_equal(t.sack[0][0], rcv + 2500); /* the newest block first */
    bench_clear();
    inject(rcv, iss + 1, TCP_A, 8192, a, 1000);
    assert_int_equal(B.nout, 1); /* filling a gap: at once */
    last_tcp(&t);
    assert_int_equal(t.ack, rcv + 2000);
    assert_int_equal(t.nsack, 1);
    assert_int_equal(net_tcp_recv(s, got, sizeof got), 2000);
    assert_memory_equal(got, a, 1000);
    assert_memory_equal(got + 1000, b, 1000);
    bench_clear();
    inject(rcv, iss + 1, TCP_A, 8192, a, 1000); /* an old duplicate: ACK at once */
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.ack, rcv + 2000);
    /* overlapping: 1500 bytes from rcv+1500 covers the gap and the range */
    uint8_t d[1500]; /* a retransmission: the same bytes where they overlap */
    memset(d, 'D', 1000);
    memset(d + 1000, 'C', 500);
    inject(rcv + 1500, iss + 1, TCP_A, 8192, d, 1500);
    last_tcp(&t);
    assert_int_equal(t.ack, rcv + 3000);
    assert_int_equal(t.nsack, 0);
    assert_int_equal(net_tcp_recv(s, got, sizeof got), 1000);
    assert_memory_equal(got, d + 500, 500);
    assert_memory_equal(got + 500, c, 500);
    net_tcp_abort(s);
    bench_free();
}

static void test_time_wait(void **state)
{
    (void)state;
    struct net_config cfg = {.tcp_msl_ms = 1000};
    bench_init(&cfg, true);
    struct net_sock *s = establish(-1, false, 8192);
    struct tcp_seen t;
    uint32_t rcv = PEER_ISN + 1;
    assert_int_equal(net_tcp_shutdown(s, 1), 0);
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.flags, TCP_F | TCP_A);
    assert_int_equal(t.seq, iss + 1);
    assert_string_equal(net_tcp_state_name(s), "FIN_WAIT_1");
    assert_int_equal(net_tcp_send(s, "x", 1), ERR_PIPE);
    bench_clear();
    inject(rcv, iss + 2, TCP_A, 8192, NULL, 0);
    assert_string_equal(net_tcp_state_name(s), "FIN_WAIT_2");
    assert_int_equal(B.nout, 0);
    inject(rcv, iss + 2, TCP_F | TCP_A, 8192, NULL, 0);
    assert_string_equal(net_tcp_state_name(s), "TIME_WAIT");
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.ack, rcv + 1);
    uint8_t buf[8];
    assert_int_equal(net_tcp_recv(s, buf, sizeof buf), 0);
    bench_clear();
    bench_advance(1000);
    inject(rcv, iss + 2, TCP_F | TCP_A, 8192, NULL, 0); /* their FIN again: ACK, restart */
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.ack, rcv + 1);
    bench_advance(1999);
    assert_string_equal(net_tcp_state_name(s), "TIME_WAIT");
    bench_advance(1);
    assert_string_equal(net_tcp_state_name(s), "CLOSED");
    bench_clear();
    inject(rcv + 1, iss + 2, TCP_A, 8192, NULL, 0); /* no connection now: RST */
    assert_true(last_tcp(&t) >= 0);
    assert_int_equal(t.flags, TCP_R);
    assert_int_equal(t.seq, iss + 2);
    net_sock_close(s);
    bench_free();
}

/* An orphaned connection waiting in FIN_WAIT_2 for its peer's FIN (up to a
 * minute) gives back its 768 KiB of buffers at once, not when it ends. */
static void test_orphan_fin_wait_2_frees_buffers(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 8192);
    uint32_t rcv = PEER_ISN + 1;
    assert_int_equal(net_tcp_send(s, "abc", 3), 3);
    size_t held = __sanitizer_get_current_allocated_bytes();
    net_sock_close(s);
    assert_string_equal(net_tcp_state_name(s), "FIN_WAIT_1");
    inject(rcv, iss + 5, TCP_A, 8192, NULL, 0); /* the data and our FIN acked */
    assert_string_equal(net_tcp_state_name(s), "FIN_WAIT_2");
    assert_true(__sanitizer_get_current_allocated_bytes() + (768u << 10) <= held);
    bench_clear();
    inject(rcv, iss + 5, TCP_A, 8192, "late", 4); /* data nobody will read: reset */
    struct tcp_seen t;
    assert_true(last_tcp(&t) >= 0);
    assert_true(t.flags & TCP_R);
    bench_free();
}

/* RFC 9293 3.5 figure 7. */
static void test_simultaneous_open(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = start_connect();
    struct tcp_seen t;
    uint8_t o[40];
    size_t ol = syn_opts(o, -1, false, false, 0, 0);
    bench_input(f, mk_tcp(f, PEER_ISN, 0, TCP_S, 8192, o, ol, NULL, 0));
    assert_string_equal(net_tcp_state_name(s), "SYN_RECEIVED");
    assert_int_equal(B.nout, 1);
    last_tcp(&t);
    assert_int_equal(t.flags, TCP_S | TCP_A);
    assert_int_equal(t.seq, iss);
    assert_int_equal(t.ack, PEER_ISN + 1);
    bench_clear();
    bench_input(f, mk_tcp(f, PEER_ISN, iss + 1, TCP_S | TCP_A, 8192, o, ol, NULL, 0));
    assert_int_equal(B.nout, 1); /* old sequence number: an ACK in reply */
    last_tcp(&t);
    assert_int_equal(t.flags, TCP_A);
    assert_int_equal(t.ack, PEER_ISN + 1);
    assert_string_equal(net_tcp_state_name(s), "SYN_RECEIVED");
    inject(PEER_ISN + 1, iss + 1, TCP_A, 8192, NULL, 0);
    assert_string_equal(net_tcp_state_name(s), "ESTABLISHED");
    assert_true(net_sock_poll(s) & NET_POLL_OUT);
    net_tcp_abort(s);
    bench_free();
}

static void test_simultaneous_close(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 8192);
    struct tcp_seen t;
    uint32_t rcv = PEER_ISN + 1;
    assert_int_equal(net_tcp_shutdown(s, 1), 0);
    bench_clear();
    inject(rcv, iss + 1, TCP_F | TCP_A, 8192, NULL, 0); /* their FIN, ours not acked */
    assert_string_equal(net_tcp_state_name(s), "CLOSING");
    last_tcp(&t);
    assert_int_equal(t.ack, rcv + 1);
    inject(rcv + 1, iss + 2, TCP_A, 8192, NULL, 0);
    assert_string_equal(net_tcp_state_name(s), "TIME_WAIT");
    net_sock_close(s); /* the pcb lives on until TIME_WAIT ends */
    bench_advance(70000);
    bench_free();
}

/* RFC 9293 3.8.6.1: a closed window is probed, with backoff. */
static void test_zero_window_probe(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 8192);
    struct tcp_seen t;
    inject(PEER_ISN + 1, iss + 1, TCP_A, 0, NULL, 0);
    assert_int_equal(net_tcp_send(s, "abcdef", 6), 6);
    assert_int_equal(B.nout, 0);
    bench_advance(200);
    assert_int_equal(count_tcp(), 1);
    last_tcp(&t);
    assert_int_equal(t.seq, iss + 1);
    assert_int_equal(t.dlen, 1);
    bench_clear();
    bench_advance(399);
    assert_int_equal(B.nout, 0);
    bench_advance(1);
    assert_int_equal(count_tcp(), 1);
    bench_clear();
    inject(PEER_ISN + 1, iss + 2, TCP_A, 100, NULL, 0); /* probe byte taken, window open */
    assert_true(last_tcp(&t) >= 0);
    assert_int_equal(t.seq, iss + 2);
    assert_int_equal(t.dlen, 5);
    net_tcp_abort(s);
    bench_free();
}

/* RFC 5681 3.2: the third duplicate ACK retransmits at once. */
static void test_fast_retransmit(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 65535);
    static uint8_t data[8 * 1460];
    assert_int_equal(net_tcp_send(s, data, sizeof data), (long)sizeof data);
    assert_int_equal(count_tcp(), 8);
    bench_clear();
    inject(PEER_ISN + 1, iss + 1 + 1460, TCP_A, 65535, NULL, 0); /* first segment acked */
    bench_clear();
    for (int i = 0; i < 2; i++)
        inject(PEER_ISN + 1, iss + 1 + 1460, TCP_A, 65535, NULL, 0);
    assert_int_equal(count_tcp(), 0);
    inject(PEER_ISN + 1, iss + 1 + 1460, TCP_A, 65535, NULL, 0);
    struct tcp_seen t;
    assert_true(last_tcp(&t) >= 0);
    assert_true(parse_tcp(&B.out[0], &t));
    assert_int_equal(t.seq, iss + 1 + 1460);
    assert_int_equal(t.dlen, 1460);
    net_tcp_abort(s);
    bench_free();
}

static void test_rst_for_unknown(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct tcp_seen t;
    tcp_us_port = 81;
    inject(1234, 0, TCP_S, 8192, NULL, 0); /* SYN to a closed port */
    assert_int_equal(last_tcp(&t), 0);
    assert_int_equal(t.flags, TCP_R | TCP_A);
    assert_int_equal(t.ack, 1235);
    assert_int_equal(t.seq, 0);
    bench_clear();
    inject(1234, 999, TCP_A, 8192, NULL, 0); /* stray ACK */
    assert_int_equal(last_tcp(&t), 0);
    assert_int_equal(t.flags, TCP_R);
    assert_int_equal(t.seq, 999);
    bench_clear();
    inject(1234, 999, TCP_R, 8192, NULL, 0); /* never a RST for a RST */
    assert_int_equal(B.nout, 0);
    bench_free();
}

/* RFC 6675: SACK blocks above a hole start recovery without waiting for
 * three duplicate ACKs' worth of time, and the hole goes out first. */
static void test_sack_recovery(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, true, 65535);
    static uint8_t data[10 * 1460];
    assert_int_equal(net_tcp_send(s, data, sizeof data), (long)sizeof data);
    assert_int_equal(count_tcp(), 10);
    bench_clear();
    uint32_t una = iss + 1;
    for (int k = 1; k <= 3; k++) { /* segments 2..4 arrive, 1 is lost */
        uint8_t o[12] = {1, 1, 5, 10};
        uint32_t a = una + 1460, b = una + 1460 * (uint32_t)(k + 1);
        for (int i = 0; i < 4; i++) {
            o[4 + i] = (uint8_t)(a >> (24 - 8 * i));
            o[8 + i] = (uint8_t)(b >> (24 - 8 * i));
        }
        bench_input(f, mk_tcp(f, PEER_ISN + 1, una, TCP_A, 65535, o, sizeof o, NULL, 0));
    }
    struct tcp_seen t;
    bool head = false;
    for (int i = 0; i < B.nout; i++)
        if (parse_tcp(&B.out[i], &t) && t.seq == una && t.dlen == 1460) head = true;
    assert_true(head);
    struct net_counters c;
    net_get_counters(B.st, &c);
    assert_true(c.tcp_retransmits >= 1);
    assert_int_equal(c.tcp_timeouts, 0);
    net_tcp_abort(s);
    bench_free();
}

/* RFC 1122 4.2.2.13: closing with unread data resets the connection. */
static void test_close_with_unread_data(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 8192);
    inject(PEER_ISN + 1, iss + 1, TCP_A | TCP_P, 8192, "unread", 6);
    bench_clear();
    net_sock_close(s);
    struct tcp_seen t;
    assert_int_equal(last_tcp(&t), 0);
    assert_true(t.flags & TCP_R);
    assert_int_equal(t.seq, iss + 1);
    bench_free();
}

static void test_listen_backlog(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *l;
    tcp_us_port = 80;
    assert_int_equal(net_tcp_socket(B.st, &l), 0);
    assert_int_equal(net_sock_bind(l, 0, 80), 0);
    assert_int_equal(net_tcp_listen(l, 1), 0);
    tcp_peer_port = 41000;
    inject(100, 0, TCP_S, 8192, NULL, 0);
    assert_int_equal(count_tcp(), 1); /* SYN-ACK */
    bench_clear();
    tcp_peer_port = 41001;
    inject(200, 0, TCP_S, 8192, NULL, 0);
    assert_int_equal(count_tcp(), 0); /* the backlog is full: dropped */
    tcp_peer_port = 40000;
    net_sock_close(l); /* the pending child is reset with it */
    struct tcp_seen t;
    assert_int_equal(last_tcp(&t), 0);
    assert_true(t.flags & TCP_R);
    bench_free();
}

/* An orphaned FIN-WAIT-2 connection does not live for ever. */
static void test_fin_wait_2_orphan(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 8192);
    net_sock_close(s); /* FIN */
    inject(PEER_ISN + 1, iss + 2, TCP_A, 8192, NULL, 0);
    bench_clear();
    bench_advance(60000);
    inject(PEER_ISN + 1, iss + 2, TCP_A, 8192, NULL, 0); /* gone: RST */
    struct tcp_seen t;
    assert_true(last_tcp(&t) >= 0);
    assert_int_equal(t.flags, TCP_R);
    bench_free();
}

/* RFC 7323 5: a data segment with an older timestamp is dropped (PAWS). */
static void test_paws(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = start_connect();
    uint8_t o[40];
    size_t ol = syn_opts(o, -1, false, true, 1000, 0);
    bench_input(f, mk_tcp(f, PEER_ISN, iss + 1, TCP_S | TCP_A, 8192, o, ol, NULL, 0));
    assert_string_equal(net_tcp_state_name(s), "ESTABLISHED");
    uint8_t ts[12] = {1, 1, 8, 10, 0, 0, 0x03, 0xe8, 0, 0, 0, 0}; /* TSval 1000 */
    bench_input(f, mk_tcp(f, PEER_ISN + 1, iss + 1, TCP_A, 8192, ts, 12, "new", 3));
    ts[6] = 0x01; /* TSval 488: older */
    bench_clear();
    bench_input(f, mk_tcp(f, PEER_ISN + 4, iss + 1, TCP_A, 8192, ts, 12, "old", 3));
    struct tcp_seen t;
    assert_int_equal(last_tcp(&t), 0);
    assert_int_equal(t.ack, PEER_ISN + 4); /* acknowledged, not taken */
    uint8_t got[8];
    assert_int_equal(net_tcp_recv(s, got, sizeof got), 3);
    assert_memory_equal(got, "new", 3);
    net_tcp_abort(s);
    bench_free();
}

static uint64_t wall;
static uint64_t wall_now(void *ctx)
{
    (void)ctx;
    return wall;
}

/* With a now callback, a socket call made long after the last net_poll
 * arms its timer from the real time: no spurious retransmission. */
static void test_clock_callback(void **state)
{
    (void)state;
    struct net_config cfg = {.now = wall_now};
    bench_init(&cfg, true);
    wall = B.now + 5000; /* idle for 5 s: no net_poll meanwhile */
    struct net_sock *s = start_connect();
    assert_int_equal(net_next_deadline(B.st) <= wall, false);
    B.now = wall;
    net_poll(B.st, B.now);
    assert_int_equal(B.nout, 0); /* the SYN is not retransmitted at once */
    bench_advance(1000);
    assert_int_equal(count_tcp(), 1);
    net_sock_close(s);
    bench_free();
}

/* --- keep-alive (RFC 1122 4.2.3.6, RFC 9293 3.8.4) and per-socket TTL ------ */

/* The keep-alive probes among the frames sent: empty ACKs at SND.NXT-1
 * (snd_nxt is iss + 1 + sent, as the tests know it). */
static int count_probes(uint32_t snd_nxt, struct tcp_seen *last)
{
    struct tcp_seen t;
    int n = 0;
    for (int i = 0; i < B.nout; i++) {
        if (!parse_tcp(&B.out[i], &t) || t.seq != snd_nxt - 1) continue;
        assert_int_equal(t.flags, TCP_A);
        assert_int_equal(t.dlen, 0);
        n++;
        if (last) *last = t;
    }
    return n;
}

/* The peer's answer to our ARP request (after long idle times the cache
 * entry has expired and packets wait for it). */
static void peer_arp_reply(void)
{
    size_t n = mk_arp(f, 2, PEER_MAC, PEER_IP, US_MAC, US_IP, US_MAC);
    bench_input(f, n);
}

/* Probes start idle ms after the last segment, then one every interval,
 * each an ACK with SEQ = SND.NXT-1, no data, ACK = RCV.NXT. */
static void test_keepalive_probe_timing(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 65535);
    assert_int_equal(net_tcp_set_keepalive(s, true, 1000, 500, 3), 0);
    bench_advance(999);
    assert_int_equal(B.nout, 0);
    bench_advance(1);
    struct tcp_seen t;
    assert_int_equal(count_probes(iss + 1, &t), 1);
    assert_int_equal(count_tcp(), 1);
    assert_int_equal(t.seq, iss);
    assert_int_equal(t.ack, PEER_ISN + 1);
    bench_advance(499);
    assert_int_equal(count_probes(iss + 1, NULL), 1);
    bench_advance(1);
    assert_int_equal(count_probes(iss + 1, NULL), 2);
    assert_int_equal(count_tcp(), 2);
    /* the next-deadline logic names the probe time, so a caller wakes up */
    assert_int_equal(net_next_deadline(B.st), B.now + 500);
    net_sock_close(s);
    bench_free();
}

/* A peer that answers every probe keeps the connection alive for as long
 * as it answers: one probe per idle period, never an abort. */
static void test_keepalive_answered(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 65535);
    assert_int_equal(net_tcp_set_keepalive(s, true, 1000, 500, 2), 0);
    for (int i = 0; i < 50; i++) {
        bench_advance(1000);
        assert_int_equal(count_probes(iss + 1, NULL), 1);
        bench_clear();
        inject(PEER_ISN + 1, iss + 1, TCP_A, 65535, NULL, 0); /* the peer's ACK */
        assert_int_equal(B.nout, 0);
    }
    assert_string_equal(net_tcp_state_name(s), "ESTABLISHED");
    assert_int_equal(net_sock_error(s), 0);
    struct net_counters c;
    net_get_counters(B.st, &c);
    assert_int_equal(c.tcp_keepalive_probes, 50);
    assert_int_equal(c.tcp_keepalive_timeouts, 0);
    assert_int_equal(net_tcp_send(s, "x", 1), 1); /* still usable */
    net_sock_close(s);
    bench_free();
}

/* A silent peer: count probes, then the abort, at idle + count * interval
 * and not a millisecond before, with ERR_TIMEDOUT for the user. */
static void test_keepalive_timeout(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 65535);
    assert_int_equal(net_tcp_set_keepalive(s, true, 1000, 500, 3), 0);
    bench_advance(2499);
    assert_int_equal(count_probes(iss + 1, NULL), 3);
    assert_int_equal(count_tcp(), 3);
    assert_string_equal(net_tcp_state_name(s), "ESTABLISHED");
    assert_false(net_sock_poll(s) & NET_POLL_ERR);
    bench_advance(1);
    struct tcp_seen t;
    assert_true(last_tcp(&t) >= 0);
    assert_true(t.flags & TCP_R);
    assert_string_equal(net_tcp_state_name(s), "CLOSED");
    assert_true(net_sock_poll(s) & NET_POLL_ERR);
    char buf[4];
    assert_int_equal(net_tcp_recv(s, buf, sizeof buf), ERR_TIMEDOUT);
    struct net_counters c;
    net_get_counters(B.st, &c);
    assert_int_equal(c.tcp_keepalive_probes, 3);
    assert_int_equal(c.tcp_keepalive_timeouts, 1);
    net_sock_close(s);
    bench_free();
}

/* Received data restarts the idle time and resets the probe count. */
static void test_keepalive_data_resets(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 65535);
    assert_int_equal(net_tcp_set_keepalive(s, true, 1000, 500, 3), 0);
    bench_advance(700);
    inject(PEER_ISN + 1, iss + 1, TCP_A | TCP_P, 65535, "0123456789", 10);
    bench_advance(999); /* 1699 ms: our delayed ACK only */
    assert_int_equal(count_probes(iss + 1, NULL), 0);
    assert_int_equal(count_tcp(), 1);
    bench_advance(1); /* 1700 */
    assert_int_equal(count_probes(iss + 1, NULL), 1);
    bench_advance(100); /* 1800: data in the middle of probing */
    inject(PEER_ISN + 11, iss + 1, TCP_A | TCP_P, 65535, "abcdefghij", 10);
    bench_clear();
    bench_advance(999); /* 2799 */
    assert_int_equal(count_probes(iss + 1, NULL), 0);
    bench_advance(1); /* 2800: the first probe of a new round */
    assert_int_equal(count_probes(iss + 1, NULL), 1);
    bench_advance(1499); /* 4299: three probes out, the count starts afresh */
    assert_int_equal(count_probes(iss + 1, NULL), 3);
    assert_string_equal(net_tcp_state_name(s), "ESTABLISHED");
    bench_advance(1);
    assert_string_equal(net_tcp_state_name(s), "CLOSED");
    assert_int_equal(net_sock_error(s), ERR_TIMEDOUT);
    net_sock_close(s);
    bench_free();
}

/* Off (the default, or switched off again) sends nothing, ever; while data
 * is unacknowledged the retransmission timer watches the peer, not probes. */
static void test_keepalive_off_and_busy(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 65535);
    bench_advance(3 * 3600 * 1000ull);
    assert_int_equal(B.nout, 0);
    assert_int_equal(net_tcp_set_keepalive(s, true, 0, 0, 0), 0); /* Linux's defaults */
    bench_advance(7199999);
    assert_int_equal(B.nout, 0);
    bench_advance(1);
    peer_arp_reply(); /* the peer's ARP entry expired long ago: the probe waited for it */
    assert_int_equal(count_probes(iss + 1, NULL), 1);
    assert_int_equal(net_next_deadline(B.st), B.now + 75000);
    inject(PEER_ISN + 1, iss + 1, TCP_A, 65535, NULL, 0);
    bench_clear();
    assert_int_equal(net_tcp_set_keepalive(s, false, 1000, 500, 3), 0);
    bench_advance(3 * 3600 * 1000ull);
    assert_int_equal(B.nout, 0);
    assert_int_equal(net_tcp_set_keepalive(s, true, 0, 0, 0), 0); /* keeps 1000, 500, 3 */
    peer_arp_reply();
    assert_int_equal(net_tcp_send(s, "hello", 5), 5);
    bench_advance(1500);
    assert_int_equal(count_probes(iss + 1 + 5, NULL), 0);
    struct tcp_seen t;
    for (int i = 0; i < B.nout; i++)
        if (parse_tcp(&B.out[i], &t)) assert_int_equal(t.dlen, 5);
    assert_int_equal(net_tcp_set_keepalive(s, true, 1000, 0x80000001u, 3), ERR_INVAL);
    net_sock_close(s);
    bench_free();
}

/* RFC 9293 3.10.7.4: a probe from the peer (SEQ = RCV.NXT-1, empty or with
 * one old byte as BSD sends) is unacceptable and answered with an ACK. */
static void test_keepalive_probe_answered(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 65535);
    struct tcp_seen t;
    inject(PEER_ISN, iss + 1, TCP_A, 65535, NULL, 0);
    assert_int_equal(count_tcp(), 1);
    assert_true(last_tcp(&t) >= 0);
    assert_int_equal(t.flags, TCP_A);
    assert_int_equal(t.seq, iss + 1);
    assert_int_equal(t.ack, PEER_ISN + 1);
    bench_clear();
    inject(PEER_ISN, iss + 1, TCP_A, 65535, "z", 1);
    assert_int_equal(count_tcp(), 1);
    assert_true(last_tcp(&t) >= 0);
    assert_int_equal(t.ack, PEER_ISN + 1);
    char buf[4];
    assert_int_equal(net_tcp_recv(s, buf, sizeof buf), ERR_AGAIN); /* not taken as data */
    net_sock_close(s);
    bench_free();
}

/* A listener's keep-alive settings and TTL pass to accepted connections. */
static void test_keepalive_inherited(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *l, *c;
    assert_int_equal(net_tcp_socket(B.st, &l), 0);
    assert_int_equal(net_sock_bind(l, 0, 8080), 0);
    assert_int_equal(net_tcp_set_keepalive(l, true, 2000, 500, 1), 0);
    assert_int_equal(net_sock_set_ttl(l, 33), 0);
    assert_int_equal(net_tcp_listen(l, 4), 0);
    tcp_us_port = 8080;
    inject(PEER_ISN, 0, TCP_S, 65535, NULL, 0);
    struct tcp_seen t;
    assert_true(last_tcp(&t) >= 0);
    assert_int_equal(t.flags, TCP_S | TCP_A);
    assert_int_equal(B.out[B.nout - 1].d[14 + 8], 33);
    uint32_t our = t.seq;
    bench_clear();
    inject(PEER_ISN + 1, our + 1, TCP_A, 65535, NULL, 0);
    assert_int_equal(net_tcp_accept(l, &c), 0);
    bench_advance(2000);
    assert_int_equal(count_probes(our + 1, NULL), 1);
    assert_int_equal(B.out[B.nout - 1].d[14 + 8], 33);
    bench_advance(500);
    assert_int_equal(net_sock_error(c), ERR_TIMEDOUT);
    net_sock_close(c);
    net_sock_close(l);
    bench_free();
}

/* The socket's TTL is in the IPv4 header of its TCP and UDP packets; the
 * default stays 64; 0 is refused. */
static void test_socket_ttl(void **state)
{
    (void)state;
    bench_init(NULL, true);
    struct net_sock *s = establish(-1, false, 65535);
    assert_int_equal(net_sock_set_ttl(s, 0), ERR_INVAL);
    assert_int_equal(net_tcp_send(s, "a", 1), 1);
    assert_int_equal(B.nout, 1);
    assert_int_equal(B.out[0].d[14 + 8], 64);
    inject(PEER_ISN + 1, iss + 2, TCP_A, 65535, NULL, 0);
    bench_clear();
    assert_int_equal(net_sock_set_ttl(s, 17), 0);
    assert_int_equal(net_tcp_send(s, "b", 1), 1);
    assert_int_equal(B.nout, 1);
    struct tcp_seen t;
    assert_true(parse_tcp(&B.out[0], &t)); /* the header checksum covers the TTL */
    assert_int_equal(B.out[0].d[14 + 8], 17);
    net_sock_close(s);
    bench_clear();
    struct net_sock *u;
    assert_int_equal(net_udp_socket(B.st, &u), 0);
    assert_int_equal(net_sock_set_ttl(u, 200), 0);
    assert_int_equal(net_udp_sendto(u, "hi", 2, PEER_IP, 9999), 2);
    assert_int_equal(B.nout, 1);
    uint32_t src, dst;
    uint16_t sp, dp;
    const uint8_t *data;
    size_t dlen;
    assert_true(parse_udp(&B.out[0], &src, &dst, &sp, &dp, &data, &dlen));
    assert_int_equal(B.out[0].d[14 + 8], 200);
    net_sock_close(u);
    bench_free();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_active_handshake),
        cmocka_unit_test(test_syn_retransmit_and_timeout),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_passive_open_and_delayed_ack),
        cmocka_unit_test(test_rst_syn_ack_rules),
        cmocka_unit_test(test_retransmission_timing),
        cmocka_unit_test(test_window_scaling),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_time_wait),
        cmocka_unit_test(test_orphan_fin_wait_2_frees_buffers),
        cmocka_unit_test(test_simultaneous_open),
        cmocka_unit_test(test_simultaneous_close),
        cmocka_unit_test(test_zero_window_probe),
        cmocka_unit_test(test_fast_retransmit),
        cmocka_unit_test(test_rst_for_unknown),
        cmocka_unit_test(test_clock_callback),
        cmocka_unit_test(test_sack_recovery),
        cmocka_unit_test(test_close_with_unread_data),
        cmocka_unit_test(test_listen_backlog),
        cmocka_unit_test(test_fin_wait_2_orphan),
        cmocka_unit_test(test_paws),
        cmocka_unit_test(test_keepalive_probe_timing),
        cmocka_unit_test(test_keepalive_answered),
        cmocka_unit_test(test_keepalive_timeout),
        cmocka_unit_test(test_keepalive_data_resets),
        cmocka_unit_test(test_keepalive_off_and_busy),
        cmocka_unit_test(test_keepalive_probe_answered),
        cmocka_unit_test(test_keepalive_inherited),
        cmocka_unit_test(test_socket_ttl),
    };
    return cmocka_run_group_tests_name("net_tcp", tests, NULL, NULL);
}
