/*
 * lib/net/tcp_pcb.c - TCP control blocks, the floor of lib/net's TCP files:
 * creating and freeing them with their buffers, initial sequence numbers
 * (RFC 6528), the receive space and segment size, closing and TIME-WAIT,
 * and readiness. It calls no other TCP file; tcp.c (the user calls),
 * tcp_in.c, tcp_out.c and tcp_sack.c build on it.
 *
 * Buffers are rings: the send ring holds unacknowledged and unsent bytes
 * from snd_bseq on, so retransmission reads from it again; the receive ring
 * holds in-order bytes not yet read and, behind them, out-of-order bytes at
 * their final place (tcp_in.c), so nothing is copied twice.
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "net/tcp_impl.h"

#define DEFAULT_RCVBUF (512 * 1024)
#define DEFAULT_SNDBUF (256 * 1024)
#define MAX_BUF        (16u * 1024 * 1024)

static const char *const state_names[] = {
    "CLOSED",     "LISTEN",     "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",  "LAST_ACK",     "TIME_WAIT",
};

const char *net_tcp_state_name(const struct net_sock *s)
{
    if (s->kind != SOCK_TCP) return "-";
    return state_names[tcp_of(s)->state];
}

/* --- RFC 6528 initial sequence numbers --------------------------------------
 * ISN = M + F(localip, localport, remoteip, remoteport, secretkey), with M a
 * timer ticking every 4 microseconds and F SipHash-2-4 keyed by a random
 * secret chosen when the stack is created. */

static uint64_t rotl64(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = rotl64(v1, 13);                                                                       \
        v1 ^= v0;                                                                                  \
        v0 = rotl64(v0, 32);                                                                       \
        v2 += v3;                                                                                  \
        v3 = rotl64(v3, 16);                                                                       \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = rotl64(v3, 21);                                                                       \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = rotl64(v1, 17);                                                                       \
        v1 ^= v2;                                                                                  \
        v2 = rotl64(v2, 32);                                                                       \
    } while (0)

/* SipHash-2-4 of two 64-bit words (the 12-byte connection id, padded). */
static uint64_t siphash_2w(const uint8_t key[16], uint64_t m0, uint64_t m1)
{
    uint64_t k0 = le64_get(key), k1 = le64_get(key + 8);
    uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
    uint64_t m[3] = {m0, m1, (uint64_t)16 << 56};
    for (int i = 0; i < 3; i++) {
        v3 ^= m[i];
        SIPROUND;
        SIPROUND;
        v0 ^= m[i];
    }
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint32_t tcp_isn(struct net_stack *st, uint32_t laddr, uint16_t lport, uint32_t raddr,
                 uint16_t rport)
{
    uint64_t m0 = (uint64_t)laddr << 32 | raddr;
    uint64_t m1 = (uint64_t)lport << 16 | rport;
    uint32_t f = (uint32_t)siphash_2w(st->isn_key, m0, m1);
    return (uint32_t)(st->now * 250) + f;
}

/* --- rings ----------------------------------------------------------------- */

/* Copies n bytes to ring offset off (from head), wrapping. */
void ring_write_at(struct ring *r, uint32_t off, const uint8_t *src, uint32_t n)
{
    uint32_t pos = r->head + off;
    if (pos >= r->cap) pos -= r->cap;
    uint32_t first = r->cap - pos < n ? r->cap - pos : n;
    net_copy(r->buf + pos, src, first);
    if (n > first) net_copy(r->buf, src + first, n - first);
}

void ring_read_at(const struct ring *r, uint32_t off, uint8_t *dst, uint32_t n)
{
    uint32_t pos = r->head + off;
    if (pos >= r->cap) pos -= r->cap;
    uint32_t first = r->cap - pos < n ? r->cap - pos : n;
    net_copy(dst, r->buf + pos, first);
    if (n > first) net_copy(dst + first, r->buf, n - first);
}

void ring_consume(struct ring *r, uint32_t n)
{
    r->head += n;
    if (r->head >= r->cap) r->head -= r->cap;
    r->len -= n;
}

/* --- control blocks --------------------------------------------------------- */

/* The smallest window scale shift that lets bufsize be advertised
 * (RFC 7323 2.2); at most 14 (2.3). */
uint8_t tcp_wscale_for(uint32_t bufsize)
{
    uint8_t s = 0;
    while (s < 14 && (bufsize >> s) > 65535)
        s++;
    return s;
}

static void tcp_pcb_free(struct net_sock *s);
static unsigned tcp_events(const struct net_sock *s);
/* What sock.c asks of a TCP socket. */
static const struct net_sock_ops tcp_sock_ops = {.events = tcp_events, .release = tcp_pcb_free};

struct net_sock *tcp_new_sock(struct net_stack *st)
{
    struct net_sock *s = net_sock_new(st, SOCK_TCP, &tcp_sock_ops);
    if (!s) return NULL;
    struct tcp_pcb *p = mem_zalloc(sizeof *p);
    if (!p) {
        net_sock_free(s);
        return NULL;
    }
    s->u.tcp = p;
    p->state = TCP_CLOSED;
    p->rto = TCP_INITIAL_RTO;
    p->mss = TCP_DEFAULT_MSS;
    p->ssthresh = 0xffffffffu; /* RFC 5681 3.1: arbitrarily high at first */
    list_init(&p->accept_q);
    list_init(&p->accept_link);
    uint32_t rcv = st->cfg.tcp_rcvbuf ? st->cfg.tcp_rcvbuf : DEFAULT_RCVBUF;
    uint32_t snd = st->cfg.tcp_sndbuf ? st->cfg.tcp_sndbuf : DEFAULT_SNDBUF;
    p->rcv.cap = rcv > MAX_BUF ? MAX_BUF : rcv;
    p->snd.cap = snd > MAX_BUF ? MAX_BUF : snd;
    p->rcv_wscale = tcp_wscale_for(p->rcv.cap);
    p->ts_offset = net_random32(st); /* RFC 7323 5.4: a random offset per connection */
    p->ka_idle = TCP_KA_IDLE_MS;
    p->ka_intvl = TCP_KA_INTVL_MS;
    p->ka_count = TCP_KA_COUNT;
    p->ka_heard = st->now;
    return s;
}

int tcp_alloc_buffers(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (!p->rcv.buf) p->rcv.buf = mem_alloc(p->rcv.cap);
    if (!p->snd.buf) p->snd.buf = mem_alloc(p->snd.cap);
    return p->rcv.buf && p->snd.buf ? 0 : ERR_NOMEM;
}

static void tcp_pcb_free(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (!p) return;
    list_remove(&p->accept_link);
    if (p->parent) tcp_of(p->parent)->pending--;
    mem_free(p->rcv.buf);
    mem_free(p->snd.buf);
    mem_free(p);
    s->u.tcp = NULL;
}

/* Free receive space: what the receive window may offer. */
uint32_t tcp_rcv_space(const struct tcp_pcb *p)
{
    return p->rcv.cap - p->rcv.len;
}

/* Payload bytes per full segment: the MSS less the options every segment
 * carries (RFC 6691: the MSS option excludes options). */
uint32_t tcp_smss(const struct tcp_pcb *p)
{
    return p->mss - (p->ts_ok ? 12u : 0u);
}

static void tcp_stop_timers(struct tcp_pcb *p)
{
    p->t_rtx = p->t_delack = p->t_persist = p->t_timewait = p->t_conn = 0;
}

bool tcp_set_closed(struct net_sock *s, int err)
{
    struct tcp_pcb *p = tcp_of(s);
    p->state = TCP_CLOSED;
    tcp_stop_timers(p);
    if (p->parent || s->closed) { /* nobody will ever read it */
        net_sock_free(s);
        return true;
    }
    if (err) s->error = err;
    net_sock_update(s);
    return false;
}

/* Frees buffers a closing connection no longer needs: the send buffer once
 * everything in it was acknowledged after the FIN was queued (no write can
 * follow), and the receive buffer once the application has closed the
 * socket (data arriving then is answered with a reset, never stored). An
 * orphaned connection can wait minutes on its peer in FIN-WAIT-2 or
 * TIME-WAIT and must not hold hundreds of KiB meanwhile. */
void tcp_release_done_buffers(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (p->snd.buf && p->fin_queued && p->snd.len == 0) {
        mem_free(p->snd.buf);
        p->snd.buf = NULL;
    }
    if (p->rcv.buf && s->closed) {
        mem_free(p->rcv.buf);
        p->rcv.buf = NULL;
        p->rcv.len = 0;
    }
}

/* RFC 9293 3.10.7.4: TIME-WAIT lasts 2 MSL; buffers are no longer needed. */
void tcp_enter_time_wait(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    uint32_t msl = s->st->cfg.tcp_msl_ms ? s->st->cfg.tcp_msl_ms : 30000;
    p->state = TCP_TIME_WAIT;
    tcp_stop_timers(p);
    tcp_release_done_buffers(s);
    p->t_timewait = s->st->now + 2ull * msl;
    net_sock_update(s);
}

static unsigned tcp_events(const struct net_sock *s)
{
    const struct tcp_pcb *p = tcp_of(s);
    unsigned ev = 0;
    if (s->error) ev |= NET_POLL_ERR;
    switch (p->state) {
    case TCP_LISTEN:
        if (!list_empty(&p->accept_q)) ev |= NET_POLL_IN;
        return ev;
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED: return ev;
    case TCP_CLOSED: return ev | NET_POLL_HUP | NET_POLL_IN;
    default: break;
    }
    if (p->rcv.len || p->fin_rcvd || p->rd_shut) ev |= NET_POLL_IN;
    if ((p->state == TCP_ESTABLISHED || p->state == TCP_CLOSE_WAIT) && !p->fin_queued &&
        p->snd.len < p->snd.cap)
        ev |= NET_POLL_OUT;
    if (p->state == TCP_TIME_WAIT || (p->fin_rcvd && p->fin_queued)) ev |= NET_POLL_HUP;
    return ev;
}
