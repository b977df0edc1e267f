/*
 * lib/net/tcp.c - TCP sockets (RFC 9293 3.9.1 user interface, done the BSD
 * way: non-blocking calls plus readiness): socket, connect, listen, accept,
 * send, recv, shutdown, close, abort; control blocks and their buffers;
 * initial sequence numbers (RFC 6528); readiness; ICMP errors (RFC 5927).
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

static void ring_consume(struct ring *r, uint32_t n)
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

struct net_sock *tcp_new_sock(struct net_stack *st)
{
    struct net_sock *s = net_sock_new(st, SOCK_TCP);
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

void tcp_pcb_free(struct net_sock *s)
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

unsigned tcp_events(const struct net_sock *s)
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

/* --- the user interface ------------------------------------------------------ */

int net_tcp_socket(struct net_stack *st, struct net_sock **out)
{
    struct net_sock *s = tcp_new_sock(st);
    if (!s) return ERR_NOMEM;
    *out = s;
    return 0;
}

/* Active OPEN (RFC 9293 3.10.1): SYN with our options, state SYN-SENT. */
int net_tcp_connect(struct net_sock *s, uint32_t addr, uint16_t port)
{
    net_refresh_time(s->st);
    struct net_stack *st = s->st;
    if (s->kind != SOCK_TCP) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    if (p->state == TCP_SYN_SENT || p->state == TCP_SYN_RECEIVED) return ERR_ALREADY;
    if (p->state != TCP_CLOSED || s->raddr) return ERR_ISCONN;
    if (!addr || !port || addr == 0xffffffffu) return ERR_INVAL;
    if (!st->up) return ERR_NETDOWN;
    if ((addr & st->netmask) != (st->addr & st->netmask) && !st->gateway) return ERR_NETUNREACH;
    if (!s->lport) {
        int r = net_sock_bind(s, 0, 0);
        if (r < 0) return r;
    }
    if (tcp_alloc_buffers(s) < 0) return ERR_NOMEM;
    s->laddr = st->addr;
    s->raddr = addr;
    s->rport = port;
    p->iss = tcp_isn(st, s->laddr, s->lport, addr, port);
    p->snd_una = p->snd_nxt = p->snd_max = p->iss;
    p->snd_bseq = p->iss + 1;
    p->recover = p->iss;
    p->state = TCP_SYN_SENT;
    tcp_send_syn(s);
    return 0;
}

/* Passive OPEN: children are created by tcp_in.c on SYN. */
int net_tcp_listen(struct net_sock *s, int backlog)
{
    if (s->kind != SOCK_TCP) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    if (p->state != TCP_CLOSED || s->raddr) return ERR_ISCONN;
    if (!s->lport) return ERR_INVAL; /* listening needs a port */
    p->state = TCP_LISTEN;
    p->backlog = backlog < 1 ? 1 : backlog > 1024 ? 1024 : backlog;
    return 0;
}

int net_tcp_accept(struct net_sock *s, struct net_sock **out)
{
    if (s->kind != SOCK_TCP || tcp_of(s)->state != TCP_LISTEN) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    struct list_node *n = list_pop_front(&p->accept_q);
    if (!n) {
        s->last_events &= ~(unsigned)NET_POLL_IN;
        return ERR_AGAIN;
    }
    struct tcp_pcb *cp = container_of(n, struct tcp_pcb, accept_link);
    struct net_sock *child = NULL;
    struct list_node *it;
    list_for_each(it, &s->st->socks)
    {
        struct net_sock *c = list_entry(it, struct net_sock, link);
        if (c->kind == SOCK_TCP && c->u.tcp == cp) {
            child = c;
            break;
        }
    }
    BASE_ASSERT(child);
    cp->parent = NULL;
    p->pending--;
    child->last_events = 0;
    *out = child;
    if (list_empty(&p->accept_q)) s->last_events &= ~(unsigned)NET_POLL_IN;
    return 0;
}

static int tcp_send_error(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (s->error) return net_sock_error(s);
    switch (p->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT: return p->fin_queued ? ERR_PIPE : 0;
    case TCP_CLOSED:
    case TCP_LISTEN: return s->raddr ? ERR_PIPE : ERR_NOTCONN;
    default: return ERR_PIPE;
    }
}

long net_tcp_send(struct net_sock *s, const void *buf, size_t len)
{
    net_refresh_time(s->st);
    if (s->kind != SOCK_TCP) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    int err = tcp_send_error(s);
    if (err) return err;
    uint32_t room = p->snd.cap - p->snd.len;
    if (room == 0) {
        s->last_events &= ~(unsigned)NET_POLL_OUT;
        return ERR_AGAIN;
    }
    uint32_t n = len < room ? (uint32_t)len : room;
    ring_write_at(&p->snd, p->snd.len, buf, n);
    p->snd.len += n;
    if (p->snd.len == p->snd.cap) s->last_events &= ~(unsigned)NET_POLL_OUT;
    if (p->state == TCP_ESTABLISHED || p->state == TCP_CLOSE_WAIT) tcp_output(s);
    return (long)n;
}

long net_tcp_recv(struct net_sock *s, void *buf, size_t len)
{
    net_refresh_time(s->st);
    if (s->kind != SOCK_TCP) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    if (p->rcv.len == 0) {
        s->last_events &= ~(unsigned)NET_POLL_IN;
        if (s->error) return net_sock_error(s);
        if (p->fin_rcvd || p->rd_shut || p->state == TCP_TIME_WAIT) return 0;
        if (p->state == TCP_CLOSED) return s->raddr ? 0 : ERR_NOTCONN;
        if (p->state == TCP_LISTEN) return ERR_NOTCONN;
        return ERR_AGAIN;
    }
    uint32_t old_space = tcp_rcv_space(p);
    uint32_t n = len < p->rcv.len ? (uint32_t)len : p->rcv.len;
    ring_read_at(&p->rcv, 0, buf, n);
    ring_consume(&p->rcv, n);
    if (p->rcv.len == 0 && !p->fin_rcvd) s->last_events &= ~(unsigned)NET_POLL_IN;
    tcp_window_update_maybe(s, old_space);
    return (long)n;
}

/* CLOSE for the sending side (RFC 9293 3.10.4): FIN after buffered data. */
static void tcp_shut_write(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (p->fin_queued) return;
    switch (p->state) {
    case TCP_SYN_RECEIVED: /* FIN_WAIT_1 once established (tcp_in.c) */ p->fin_queued = true; break;
    case TCP_ESTABLISHED:
        p->fin_queued = true;
        p->state = TCP_FIN_WAIT_1;
        break;
    case TCP_CLOSE_WAIT:
        p->fin_queued = true;
        p->state = TCP_LAST_ACK;
        break;
    default: return;
    }
    p->fin_seq = p->snd_bseq + p->snd.len;
    if (p->state != TCP_SYN_RECEIVED) tcp_output(s);
    net_sock_update(s);
}

int net_tcp_shutdown(struct net_sock *s, int how)
{
    net_refresh_time(s->st);
    if (s->kind != SOCK_TCP || how < 0 || how > 2) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    if (p->state == TCP_LISTEN || p->state == TCP_SYN_SENT || p->state == TCP_CLOSED)
        return ERR_NOTCONN;
    if (how != 1) {
        p->rd_shut = true;
        p->rcv.len = 0; /* unread data is dropped */
        p->rcv.head = 0;
    }
    if (how != 0) tcp_shut_write(s);
    net_sock_update(s);
    return 0;
}

void net_tcp_set_nodelay(struct net_sock *s, bool nodelay)
{
    if (s->kind == SOCK_TCP) tcp_of(s)->nodelay = nodelay;
}

int net_tcp_set_keepalive(struct net_sock *s, bool on, uint32_t idle_ms, uint32_t interval_ms,
                          uint32_t count)
{
    net_refresh_time(s->st);
    if (s->kind != SOCK_TCP || idle_ms > TCP_KA_MAX_MS || interval_ms > TCP_KA_MAX_MS ||
        count > 255)
        return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    if (idle_ms) p->ka_idle = idle_ms;
    if (interval_ms) p->ka_intvl = interval_ms;
    if (count) p->ka_count = (uint8_t)count;
    if (on && !p->ka_on) { /* like Linux: the idle time counts from now */
        p->ka_heard = s->st->now;
        p->ka_probes = 0;
    }
    p->ka_on = on;
    return 0;
}

int net_tcp_get_keepalive(const struct net_sock *s, bool *on, uint32_t *idle_ms,
                          uint32_t *interval_ms, uint32_t *count)
{
    if (s->kind != SOCK_TCP) return ERR_INVAL;
    const struct tcp_pcb *p = tcp_of(s);
    if (on) *on = p->ka_on;
    if (idle_ms) *idle_ms = p->ka_idle;
    if (interval_ms) *interval_ms = p->ka_intvl;
    if (count) *count = p->ka_count;
    return 0;
}

static void tcp_send_rst_now(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (p->state == TCP_ESTABLISHED || p->state == TCP_FIN_WAIT_1 || p->state == TCP_FIN_WAIT_2 ||
        p->state == TCP_CLOSE_WAIT || p->state == TCP_SYN_RECEIVED || p->state == TCP_CLOSING ||
        p->state == TCP_LAST_ACK)
        tcp_xmit(s, p->snd_nxt, TCP_RST | TCP_ACK, 0);
}

/* Frees the children of a listener: those waiting in its accept queue and
 * those still in SYN-RECEIVED, with a RST each. */
static void tcp_listener_drop_children(struct net_sock *s)
{
    struct list_node *it, *tmp;
    list_for_each_safe(it, tmp, &s->st->socks)
    {
        struct net_sock *c = list_entry(it, struct net_sock, link);
        if (c != s && c->kind == SOCK_TCP && c->u.tcp && c->u.tcp->parent == s) {
            tcp_send_rst_now(c);
            net_sock_free(c);
        }
    }
}

void net_tcp_abort(struct net_sock *s)
{
    net_refresh_time(s->st);
    if (s->kind != SOCK_TCP) return;
    if (tcp_of(s)->state == TCP_LISTEN) tcp_listener_drop_children(s);
    tcp_send_rst_now(s);
    net_sock_free(s);
}

/* The user's close: a graceful FIN unless received data was left unread
 * (then RST, RFC 1122 4.2.2.13); the pcb lives on, invisible, until
 * CLOSED or the end of TIME-WAIT. */
void tcp_sock_close(struct net_sock *s)
{
    net_refresh_time(s->st);
    struct tcp_pcb *p = tcp_of(s);
    switch (p->state) {
    case TCP_LISTEN:
        tcp_listener_drop_children(s);
        net_sock_free(s);
        return;
    case TCP_CLOSED:
    case TCP_SYN_SENT: net_sock_free(s); return;
    default: break;
    }
    if (p->rcv.len && !p->rd_shut) {
        net_tcp_abort(s);
        return;
    }
    s->closed = true;
    if (p->state != TCP_TIME_WAIT) tcp_shut_write(s);
    if (p->state == TCP_FIN_WAIT_2 && !p->t_conn) p->t_conn = s->st->now + TCP_FIN_WAIT_2_MS;
    tcp_release_done_buffers(s);
}

/* ICMP destination unreachable for a segment we sent (RFC 1122 4.2.3.9,
 * RFC 5927 4.1: the sequence number must lie in the window). Hard for a
 * connection that is still opening; others treat it as soft and go on. */
void tcp_icmp_error(struct net_stack *st, uint32_t dst, uint16_t sport, uint16_t dport,
                    uint32_t seq, int err)
{
    struct list_node *it;
    list_for_each(it, &st->socks)
    {
        struct net_sock *s = list_entry(it, struct net_sock, link);
        if (s->kind != SOCK_TCP || s->raddr != dst || s->lport != sport || s->rport != dport)
            continue;
        struct tcp_pcb *p = tcp_of(s);
        if (SEQ_LT(seq, p->snd_una) || SEQ_GT(seq, p->snd_max)) return;
        if (p->state == TCP_SYN_SENT) tcp_set_closed(s, err);
        return;
    }
}

void tcp_neighbour_unreachable(struct net_stack *st, uint32_t ip)
{
    struct list_node *it, *tmp;
    list_for_each_safe(it, tmp, &st->socks)
    {
        struct net_sock *s = list_entry(it, struct net_sock, link);
        if (s->kind != SOCK_TCP || tcp_of(s)->state != TCP_SYN_SENT) continue;
        bool onlink = (s->raddr & st->netmask) == (st->addr & st->netmask);
        if ((onlink ? s->raddr : st->gateway) == ip) tcp_set_closed(s, ERR_HOSTUNREACH);
    }
}
