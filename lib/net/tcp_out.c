/*
 * lib/net/tcp_out.c - TCP output: building segments with their options
 * (MSS, window scale and timestamps RFC 7323, SACK RFC 2018), deciding what
 * to send within the send and congestion windows (RFC 9293 3.8.6, Nagle
 * RFC 1122 4.2.3.4), and the timers: retransmission (RFC 6298), delayed
 * ACK (RFC 1122 4.2.3.2, RFC 5681 4.2), persist (RFC 9293 3.8.6.1),
 * TIME-WAIT and the orphaned FIN-WAIT-2 limit.
 *
 * The minimum RTO defaults to 200 ms, not RFC 6298 2.4's 1 s: like Linux,
 * we trade a few spurious retransmissions for far shorter stalls on the
 * near, fast paths this stack runs on. It is configurable (tcp_min_rto_ms).
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/mem.h"
#include "net/tcp_impl.h"

#define TCP_DEFAULT_MIN_RTO 200
#define TCP_DEFAULT_DELACK  40

uint32_t tcp_ts_now(const struct net_stack *st, const struct tcp_pcb *p)
{
    return (uint32_t)st->now + p->ts_offset;
}

/* The window field (RFC 9293 3.8.6.2.2, RFC 7323 2.2-2.3): free receive
 * space, scaled except in SYNs, never moving the right edge left. */
static uint16_t tcp_adv_window(struct tcp_pcb *p, bool syn)
{
    uint32_t space = tcp_rcv_space(p);
    if (syn) {
        uint32_t w = space > 65535 ? 65535 : space;
        p->rcv_adv = p->rcv_nxt + w;
        return (uint16_t)w;
    }
    uint32_t w = space >> p->rcv_wscale;
    if (w > 65535) w = 65535;
    uint32_t edge = p->rcv_nxt + (w << p->rcv_wscale);
    if (SEQ_LT(edge, p->rcv_adv)) {
        uint32_t unit = 1u << p->rcv_wscale;
        w = (p->rcv_adv - p->rcv_nxt + unit - 1) >> p->rcv_wscale;
        edge = p->rcv_nxt + (w << p->rcv_wscale);
    }
    p->rcv_adv = edge;
    return (uint16_t)w;
}

static size_t tcp_put_ts(const struct net_sock *s, uint8_t *o, uint32_t ecr)
{
    o[0] = 1;
    o[1] = 1;
    o[2] = 8;
    o[3] = 10;
    be32_put(o + 4, tcp_ts_now(s->st, tcp_of(s)));
    be32_put(o + 8, ecr);
    return 12;
}

/* SACK blocks (RFC 2018 4): the most recently changed range first, then
 * the others, as many as fit next to the timestamps. */
static size_t tcp_put_sack(const struct tcp_pcb *p, uint8_t *o)
{
    int max = p->ts_ok ? 3 : 4;
    int n = p->nooo < max ? p->nooo : max;
    o[0] = 1;
    o[1] = 1;
    o[2] = 5;
    o[3] = (uint8_t)(2 + 8 * n);
    uint8_t *b = o + 4;
    int first = p->ooo_last < p->nooo ? p->ooo_last : 0;
    be32_put(b, p->ooo[first].start);
    be32_put(b + 4, p->ooo[first].end);
    b += 8;
    for (int i = 0, k = 1; i < p->nooo && k < n; i++) {
        if (i == first) continue;
        be32_put(b, p->ooo[i].start);
        be32_put(b + 4, p->ooo[i].end);
        b += 8;
        k++;
    }
    return (size_t)(b - o);
}

/* Options of a SYN or SYN-ACK (RFC 9293 3.7.1, RFC 7323 2-3, RFC 2018 2).
 * A SYN-ACK only echoes the options the peer offered. */
static size_t tcp_put_syn_options(const struct net_sock *s, uint8_t *o, bool ack)
{
    const struct tcp_pcb *p = tcp_of(s);
    size_t n = 0;
    o[n++] = 2;
    o[n++] = 4;
    be16_put(o + n, (uint16_t)(s->st->cfg.mtu - IP_HLEN - TCP_HLEN));
    n += 2;
    if (!ack || p->wscale_ok) {
        o[n++] = 1;
        o[n++] = 3;
        o[n++] = 3;
        o[n++] = p->rcv_wscale;
    }
    if (!ack || p->sack_ok) {
        o[n++] = 1;
        o[n++] = 1;
        o[n++] = 4;
        o[n++] = 2;
    }
    if (!ack || p->ts_ok) n += tcp_put_ts(s, o + n, ack ? p->ts_recent : 0);
    return n;
}

void tcp_xmit(struct net_sock *s, uint32_t seq, uint8_t flags, uint32_t len)
{
    struct net_stack *st = s->st;
    struct tcp_pcb *p = tcp_of(s);
    uint8_t *h = st->txbuf + NET_TX_L4;
    bool syn = flags & TCP_SYN;
    if (!syn || p->state != TCP_SYN_SENT) flags |= TCP_ACK;
    size_t olen = 0;
    if (syn)
        olen = tcp_put_syn_options(s, h + TCP_HLEN, flags & TCP_ACK);
    else {
        if (p->ts_ok) olen += tcp_put_ts(s, h + TCP_HLEN, p->ts_recent);
        if (p->sack_ok && p->nooo && len == 0 && !(flags & TCP_RST))
            olen += tcp_put_sack(p, h + TCP_HLEN + olen);
    }
    if (len) ring_read_at(&p->snd, seq - p->snd_bseq, h + TCP_HLEN + olen, len);
    be16_put(h, s->lport);
    be16_put(h + 2, s->rport);
    be32_put(h + 4, seq);
    be32_put(h + 8, (flags & TCP_ACK) ? p->rcv_nxt : 0);
    h[12] = (uint8_t)(((TCP_HLEN + olen) / 4) << 4);
    h[13] = flags;
    be16_put(h + 14, (flags & TCP_RST) ? 0 : tcp_adv_window(p, syn));
    be16_put(h + 16, 0);
    be16_put(h + 18, 0);
    size_t tlen = TCP_HLEN + olen + len;
    uint32_t sum = net_csum_pseudo(s->laddr, s->raddr, IP_PROTO_TCP, (uint16_t)tlen);
    be16_put(h + 16, net_csum_fold(net_csum_add(sum, h, tlen)));
    ipv4_output_ttl(st, s->laddr, s->raddr, IP_PROTO_TCP, tlen, s->ttl);
    if (flags & TCP_ACK) {
        p->last_ack_sent = p->rcv_nxt;
        p->unacked_segs = 0;
        p->t_delack = 0;
        p->ack_now = false;
    }
}

void tcp_send_ack(struct net_sock *s)
{
    tcp_xmit(s, tcp_of(s)->snd_nxt, TCP_ACK, 0);
}

/* (Re)sends our SYN or SYN-ACK and keeps the retransmission timer running. */
void tcp_send_syn(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    tcp_xmit(s, p->iss, p->state == TCP_SYN_SENT ? TCP_SYN : TCP_SYN | TCP_ACK, 0);
    p->snd_nxt = p->iss + 1;
    if (SEQ_GT(p->snd_nxt, p->snd_max)) p->snd_max = p->snd_nxt;
    if (!p->t_rtx) p->t_rtx = s->st->now + p->rto;
}

static uint32_t tcp_min_rto(const struct net_stack *st)
{
    return st->cfg.tcp_min_rto_ms ? st->cfg.tcp_min_rto_ms : TCP_DEFAULT_MIN_RTO;
}

/* RFC 6298 2.2-2.4 with the usual fixed point: srtt8 = 8 SRTT, rttvar4 =
 * 4 RTTVAR, so RTO = SRTT + max(G, K RTTVAR) with K = 4 and G = 1 ms. */
void tcp_rtt_sample(struct tcp_pcb *p, uint32_t rtt)
{
    if (rtt == 0) rtt = 1;
    if (p->srtt8 == 0) {
        p->srtt8 = rtt * 8;
        p->rttvar4 = rtt * 2;
    } else {
        uint32_t srtt = p->srtt8 / 8;
        uint32_t delta = rtt > srtt ? rtt - srtt : srtt - rtt;
        p->rttvar4 = p->rttvar4 - p->rttvar4 / 4 + delta;
        p->srtt8 = p->srtt8 - p->srtt8 / 8 + rtt;
    }
    p->rto = p->srtt8 / 8 + (p->rttvar4 > 1 ? p->rttvar4 : 1);
}

static void tcp_clamp_rto(const struct net_stack *st, struct tcp_pcb *p)
{
    uint32_t min = tcp_min_rto(st);
    if (p->rto < min) p->rto = min;
    if (p->rto > TCP_MAX_RTO) p->rto = TCP_MAX_RTO;
}

/* RFC 6298 5.2-5.3: stop the timer when all is acknowledged, else restart. */
void tcp_rearm_rtx(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    tcp_clamp_rto(s->st, p);
    p->t_rtx = p->snd_una == p->snd_max ? 0 : s->st->now + p->rto;
}

static void tcp_arm_persist(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (p->t_persist) return;
    uint64_t t = (uint64_t)p->rto << (p->persist_shift < 8 ? p->persist_shift : 8);
    if (t > TCP_MAX_RTO) t = TCP_MAX_RTO;
    p->t_persist = s->st->now + t;
}

static bool tcp_can_send_data(enum tcp_state st)
{
    return st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT || st == TCP_FIN_WAIT_1 ||
           st == TCP_CLOSING || st == TCP_LAST_ACK;
}

/* Sends new (or, after a timeout, again) data from snd_nxt while the
 * smaller of the peer's window and cwnd allows (RFC 5681 3.1), with
 * sender-side silly window avoidance (RFC 9293 3.8.6.2.1) and Nagle unless
 * nodelay. The FIN goes with the last byte. */
void tcp_output(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (!tcp_can_send_data(p->state)) return;
    uint32_t smss = tcp_smss(p);
    uint32_t wnd = p->snd_wnd < p->cwnd ? p->snd_wnd : p->cwnd;
    for (;;) {
        uint32_t off = p->snd_nxt - p->snd_bseq;
        if (off > p->snd.len) break; /* the FIN is out too */
        uint32_t unsent = p->snd.len - off;
        uint32_t flight = p->snd_nxt - p->snd_una;
        uint32_t usable = wnd > flight ? wnd - flight : 0;
        uint32_t n = unsent < smss ? unsent : smss;
        if (n > usable) n = usable;
        bool fin = p->fin_queued && off + n == p->snd.len;
        if (n == 0 && !fin) break;
        if (n < smss && n < unsent && n < p->max_snd_wnd / 2 && flight > 0)
            break; /* a small piece of more data: an ACK is due, wait for it */
        if (n < smss && n == unsent && !fin && !p->nodelay && flight > 0)
            break; /* Nagle: a small tail waits for outstanding ACKs */
        uint8_t flags = TCP_ACK;
        if (n && off + n == p->snd.len) flags |= TCP_PSH;
        if (fin) flags |= TCP_FIN;
        bool new_data = p->snd_nxt == p->snd_max;
        tcp_xmit(s, p->snd_nxt, flags, n);
        if (!new_data) s->st->ctr.tcp_retransmits++;
        if (!p->ts_ok && !p->rtt_timing && new_data && n) {
            p->rtt_timing = true; /* Karn: time only segments sent once */
            p->rtt_seq = p->snd_nxt;
            p->rtt_start = s->st->now;
        }
        p->snd_nxt += n + (fin ? 1 : 0);
        if (fin) p->fin_sent = true;
        if (SEQ_GT(p->snd_nxt, p->snd_max)) p->snd_max = p->snd_nxt;
        if (!p->t_rtx) {
            tcp_clamp_rto(s->st, p);
            p->t_rtx = s->st->now + p->rto;
        }
        if (fin) break;
    }
    uint32_t off = p->snd_nxt - p->snd_bseq;
    bool pending = off < p->snd.len;
    if (p->snd_wnd == 0 && pending && p->snd_nxt == p->snd_una && !p->t_rtx) tcp_arm_persist(s);
}

/* The window opened by the reader: tell the peer when it grew enough to be
 * worth a segment (RFC 9293 3.8.6.2.2 receiver silly window avoidance). */
void tcp_window_update_maybe(struct net_sock *s, uint32_t old_space)
{
    struct tcp_pcb *p = tcp_of(s);
    (void)old_space;
    if (p->state != TCP_ESTABLISHED && p->state != TCP_FIN_WAIT_1 && p->state != TCP_FIN_WAIT_2)
        return;
    uint32_t adv = SEQ_GT(p->rcv_adv, p->rcv_nxt) ? p->rcv_adv - p->rcv_nxt : 0;
    uint32_t space = tcp_rcv_space(p);
    if (space <= adv) return;
    uint32_t gain = space - adv;
    if ((gain >= 2u * p->mss && adv < p->rcv.cap / 2) || gain >= p->rcv.cap / 2) tcp_send_ack(s);
}

/* RFC 6298 5.4-5.7 and RFC 5681 3.1 (equation 4, loss window): back off,
 * collapse cwnd to one segment and go back to snd_una. Returns true if the
 * connection died (and the socket may be gone). */
static bool tcp_rto_expired(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    p->t_rtx = 0;
    bool opening = p->state == TCP_SYN_SENT || p->state == TCP_SYN_RECEIVED;
    if (++p->retries > (opening ? TCP_SYN_RETRIES : TCP_DATA_RETRIES)) {
        if (!opening) tcp_xmit(s, p->snd_nxt, TCP_RST | TCP_ACK, 0);
        return tcp_set_closed(s, ERR_TIMEDOUT);
    }
    p->rto = p->rto * 2 > TCP_MAX_RTO ? TCP_MAX_RTO : p->rto * 2;
    s->st->ctr.tcp_timeouts++;
    if (opening) {
        tcp_send_syn(s);
        return false;
    }
    uint32_t smss = tcp_smss(p), flight = p->snd_max - p->snd_una;
    log_write(
        LOG_DEBUG, "tcp",
        "rto %u ms: una %u nxt %u max %u wnd %u cwnd %u sacked %d rec %d unsent %u dup %d ssth %u",
        (unsigned)p->rto, (unsigned)(p->snd_una - p->iss), (unsigned)(p->snd_nxt - p->iss),
        (unsigned)(p->snd_max - p->iss), (unsigned)p->snd_wnd, (unsigned)p->cwnd, p->nsacked,
        p->in_recovery, (unsigned)(p->snd_bseq + p->snd.len - p->snd_max), p->dupacks,
        (unsigned)p->ssthresh);
    p->ssthresh = flight / 2 > 2 * smss ? flight / 2 : 2 * smss;
    p->cwnd = smss;
    p->bytes_acked = 0;
    p->in_recovery = false;
    p->dupacks = 0;
    p->recover = p->snd_max; /* RFC 6582 4: no fast retransmit of this flight */
    p->nsacked = 0;          /* RFC 2018 8: the receiver may have reneged */
    p->rtt_timing = false;
    p->snd_nxt = p->snd_una;
    tcp_output(s);
    if (!p->t_rtx && p->snd_una != p->snd_max) p->t_rtx = s->st->now + p->rto;
    return false;
}

/* Zero-window probe (RFC 9293 3.8.6.1, RFC 1122 4.2.2.17): one byte beyond
 * the closed window, with exponential backoff. snd_nxt stays; snd_max
 * covers the byte so that its ACK is acceptable. */
static void tcp_persist_expired(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    p->t_persist = 0;
    uint32_t off = p->snd_nxt - p->snd_bseq;
    if (p->snd_wnd != 0 || off >= p->snd.len) return;
    tcp_xmit(s, p->snd_nxt, TCP_ACK, 1);
    if (SEQ_GT(p->snd_nxt + 1, p->snd_max)) p->snd_max = p->snd_nxt + 1;
    p->persist_shift++;
    tcp_arm_persist(s);
}

/* When the keep-alive timer is due (0: not running). It runs while
 * keep-alive is on in a synchronized state other than TIME-WAIT (where
 * Linux probes too) and nothing is unacknowledged or waiting to be sent:
 * otherwise retransmission and persist timers watch the peer (RFC 1122
 * 4.2.3.6: only when no data or acknowledgements have been received for an
 * interval while the connection is idle). */
static uint64_t tcp_keepalive_due(const struct tcp_pcb *p)
{
    if (!p->ka_on) return 0;
    switch (p->state) {
    case TCP_ESTABLISHED:
    case TCP_FIN_WAIT_1:
    case TCP_FIN_WAIT_2:
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK: break;
    default: return 0;
    }
    if (p->snd_una != p->snd_max || p->snd.len != 0 || p->t_persist) return 0;
    if (p->ka_probes == 0) return p->ka_heard + p->ka_idle;
    return p->ka_last_probe + p->ka_intvl;
}

/* RFC 1122 4.2.3.6, RFC 9293 3.8.4: a probe is an ACK with SEG.SEQ =
 * SND.NXT-1 and no data (outside the peer's window, so it must answer
 * with an ACK); after ka_count unanswered probes the connection is dead.
 * Returns true if the socket is gone. */
static bool tcp_keepalive_expired(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (p->ka_probes >= p->ka_count) {
        s->st->ctr.tcp_keepalive_timeouts++;
        tcp_xmit(s, p->snd_nxt, TCP_RST | TCP_ACK, 0);
        return tcp_set_closed(s, ERR_TIMEDOUT);
    }
    tcp_xmit(s, p->snd_nxt - 1, TCP_ACK, 0);
    s->st->ctr.tcp_keepalive_probes++;
    p->ka_probes++;
    p->ka_last_probe = s->st->now;
    return false;
}

void tcp_poll(struct net_stack *st, struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    uint64_t now = st->now;
    if ((p->t_timewait && now >= p->t_timewait) || (p->t_conn && now >= p->t_conn)) {
        tcp_set_closed(s, 0);
        return;
    }
    if (p->t_rtx && now >= p->t_rtx && tcp_rto_expired(s)) return;
    if (p->t_persist && now >= p->t_persist) tcp_persist_expired(s);
    if (p->t_delack && now >= p->t_delack) tcp_send_ack(s);
    uint64_t ka = tcp_keepalive_due(p);
    if (ka && now >= ka) tcp_keepalive_expired(s);
}

uint64_t tcp_deadline(const struct net_sock *s)
{
    const struct tcp_pcb *p = tcp_of(s);
    uint64_t d = 0;
    d = net_min_deadline(d, p->t_rtx);
    d = net_min_deadline(d, p->t_delack);
    d = net_min_deadline(d, p->t_persist);
    d = net_min_deadline(d, p->t_timewait);
    d = net_min_deadline(d, p->t_conn);
    d = net_min_deadline(d, tcp_keepalive_due(p));
    return d;
}

/* RFC 9293 3.10.7.1: the reply to a segment for no connection. If it had
 * an ACK, <SEQ=SEG.ACK><CTL=RST>; else <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
 * <CTL=RST,ACK>. Never in reply to a RST. */
void tcp_send_reset_for(struct net_stack *st, const struct tcp_seg *g)
{
    if ((g->flags & TCP_RST) || !st->up || g->dst != st->addr) return;
    uint8_t *h = st->txbuf + NET_TX_L4;
    memset(h, 0, TCP_HLEN);
    be16_put(h, g->dport);
    be16_put(h + 2, g->sport);
    if (g->flags & TCP_ACK) {
        be32_put(h + 4, g->ack);
        h[13] = TCP_RST;
    } else {
        be32_put(h + 8, g->seq + tcp_seg_seqlen(g));
        h[13] = TCP_RST | TCP_ACK;
    }
    h[12] = (TCP_HLEN / 4) << 4;
    uint32_t sum = net_csum_pseudo(g->dst, g->src, IP_PROTO_TCP, TCP_HLEN);
    be16_put(h + 16, net_csum_fold(net_csum_add(sum, h, TCP_HLEN)));
    ipv4_output(st, g->dst, g->src, IP_PROTO_TCP, TCP_HLEN);
}
