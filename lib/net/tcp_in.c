/*
 * lib/net/tcp_in.c - TCP input: parsing and checking segments, finding
 * their connection, the SEGMENT ARRIVES processing of RFC 9293 3.10.7 with
 * the RST/SYN/ACK checks of RFC 5961, timestamps and PAWS (RFC 7323),
 * ACK processing with RTT samples (RFC 6298), congestion control (slow
 * start and congestion avoidance RFC 5681 with RFC 3465 byte counting;
 * fast retransmit and NewReno fast recovery RFC 6582), and reception of
 * data in order and out of order.
 *
 * Out-of-order data is written straight into the receive ring at its
 * final offset; a short sorted list of received ranges (also the source of
 * our SACK blocks) says which parts are there. When the gap before them
 * fills, rcv_nxt jumps over them: no data is copied twice.
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/mem.h"
#include "net/tcp_impl.h"

#define TCP_DEFAULT_DELACK 40

/* --- parsing ----------------------------------------------------------------- */

/* Options (RFC 9293 3.2): a malformed length ends the parse, keeping what
 * was read; unknown kinds are skipped. */
static void tcp_parse_options(const uint8_t *o, size_t n, struct tcp_seg *g)
{
    size_t i = 0;
    while (i < n) {
        uint8_t kind = o[i];
        if (kind == 0) break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= n) break;
        uint8_t len = o[i + 1];
        if (len < 2 || i + len > n) break;
        switch (kind) {
        case 2:
            if (len == 4) g->mss = be16_get(o + i + 2);
            break;
        case 3:
            if (len == 3) g->wscale = o[i + 2] > 14 ? 14 : o[i + 2]; /* RFC 7323 2.3 */
            break;
        case 4:
            if (len == 2) g->sack_ok = true;
            break;
        case 5:
            for (size_t k = 2; k + 8 <= len && g->nsack < 4; k += 8) {
                g->sack[g->nsack].start = be32_get(o + i + k);
                g->sack[g->nsack].end = be32_get(o + i + k + 4);
                g->nsack++;
            }
            break;
        case 8:
            if (len == 10) {
                g->has_ts = true;
                g->tsval = be32_get(o + i + 2);
                g->tsecr = be32_get(o + i + 6);
            }
            break;
        default: break;
        }
        i += len;
    }
}

static bool tcp_parse(const struct net_stack *st, const struct ip_info *ip, const uint8_t *p,
                      size_t len, struct tcp_seg *g)
{
    if (len < TCP_HLEN || len > 0xffff) return false;
    size_t doff = (size_t)(p[12] >> 4) * 4;
    if (doff < TCP_HLEN || doff > len) return false;
    uint32_t sum = net_csum_pseudo(ip->src, ip->dst, IP_PROTO_TCP, (uint16_t)len);
    if (!(st->rx_flags & NET_RX_CSUM_VALID) && !net_csum_ok(net_csum_add(sum, p, len)))
        return false;
    memset(g, 0, sizeof *g);
    g->src = ip->src;
    g->dst = ip->dst;
    g->sport = be16_get(p);
    g->dport = be16_get(p + 2);
    g->seq = be32_get(p + 4);
    g->ack = be32_get(p + 8);
    g->flags = p[13] & 0x3f;
    g->wnd = be16_get(p + 14);
    g->data = p + doff;
    g->len = (uint32_t)(len - doff);
    g->mss = -1;
    g->wscale = -1;
    tcp_parse_options(p + TCP_HLEN, doff - TCP_HLEN, g);
    return g->sport != 0 && g->dport != 0;
}

/* --- helpers ----------------------------------------------------------------- */

/* RFC 5961 7: challenge ACKs, at most 10 a second per connection. */
static void tcp_challenge_ack(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (s->st->now - p->challenge_window >= 1000) {
        p->challenge_window = s->st->now;
        p->challenge_count = 0;
    }
    if (p->challenge_count++ < 10) tcp_send_ack(s);
}

/* What the peer's SYN says (RFC 9293 3.7.1; RFC 7323 2.2, 3.2; RFC 2018
 * 2): MSS, window scaling only if both sides offer it, timestamps, SACK. */
static void tcp_take_syn_options(struct net_sock *s, const struct tcp_seg *g)
{
    struct tcp_pcb *p = tcp_of(s);
    uint32_t peer = g->mss > 0 ? (uint32_t)g->mss : TCP_DEFAULT_MSS;
    uint32_t ours = s->st->cfg.mtu - IP_HLEN - TCP_HLEN;
    p->mss = (uint16_t)(peer < ours ? peer : ours);
    if (p->mss < 64) p->mss = 64;
    if (g->wscale >= 0) {
        p->wscale_ok = true;
        p->snd_wscale = (uint8_t)g->wscale;
    } else {
        p->wscale_ok = false;
        p->snd_wscale = 0;
        p->rcv_wscale = 0;
    }
    p->ts_ok = g->has_ts;
    if (p->ts_ok) p->ts_recent = g->tsval;
    p->sack_ok = g->sack_ok;
}

/* RFC 6928: the initial window, min(10 MSS, max(2 MSS, 14600)). */
static void tcp_init_cwnd(struct tcp_pcb *p)
{
    uint32_t smss = tcp_smss(p);
    uint32_t iw = 2 * smss > 14600 ? 2 * smss : 14600;
    p->cwnd = iw < 10 * smss ? iw : 10 * smss;
}

static void tcp_set_snd_wnd(struct tcp_pcb *p, const struct tcp_seg *g, uint32_t wnd)
{
    p->snd_wnd = wnd;
    p->snd_wl1 = g->seq;
    p->snd_wl2 = g->ack;
    if (wnd > p->max_snd_wnd) p->max_snd_wnd = wnd;
}

/* Retransmits the first unacknowledged segment (fast retransmit, partial
 * ACKs): data from snd_una, or the FIN if only it is outstanding. */
static void tcp_retransmit_head(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    uint32_t off = p->snd_una - p->snd_bseq;
    uint32_t avail = off <= p->snd.len ? p->snd.len - off : 0;
    uint32_t smss = tcp_smss(p);
    uint32_t n = avail < smss ? avail : smss;
    bool fin = p->fin_sent && n == avail && off <= p->snd.len;
    if (n == 0 && !fin) return;
    tcp_xmit(s, p->snd_una, TCP_ACK | (fin ? TCP_FIN : 0), n);
    s->st->ctr.tcp_retransmits++;
}

/* --- the received-ranges list --------------------------------------------------- */

static void ooo_remove(struct tcp_pcb *p, int i)
{
    for (int j = i; j + 1 < p->nooo; j++)
        p->ooo[j] = p->ooo[j + 1];
    p->nooo--;
}

/* Records [start, end) as received beyond rcv_nxt, merging neighbours.
 * Returns false if the list is full (the data is then not kept). */
static bool ooo_add(struct tcp_pcb *p, uint32_t start, uint32_t end)
{
    int i = tcp_range_add(p->ooo, &p->nooo, start, end);
    if (i < 0) return false;
    p->ooo_last = i;
    return true;
}

/* After in-order data: swallow the ranges that now touch rcv_nxt. */
static void ooo_advance(struct tcp_pcb *p)
{
    while (p->nooo && SEQ_LEQ(p->ooo[0].start, p->rcv_nxt)) {
        if (SEQ_GT(p->ooo[0].end, p->rcv_nxt)) {
            p->rcv.len += p->ooo[0].end - p->rcv_nxt;
            p->rcv_nxt = p->ooo[0].end;
        }
        ooo_remove(p, 0);
    }
    p->ooo_last = 0;
}

/* --- data ---------------------------------------------------------------------- */

/* RFC 9293 3.10.7.4 seventh: the segment text, trimmed to the window.
 * In-order data extends rcv_nxt; out-of-order data is kept in place.
 * ACK policy (RFC 5681 4.2, RFC 1122 4.2.3.2): at least every second
 * segment, at once for out-of-order data or data that fills a gap.
 * Clears TCP_FIN in g if the FIN was cut off. */
static void tcp_data_input(struct net_sock *s, struct tcp_seg *g)
{
    struct tcp_pcb *p = tcp_of(s);
    uint32_t seq = g->seq, n = g->len;
    const uint8_t *data = g->data;
    if (SEQ_LT(seq, p->rcv_nxt)) {
        uint32_t d = p->rcv_nxt - seq;
        if (d >= n) {
            p->ack_now = true; /* a duplicate: tell the sender where we are */
            return;
        }
        data += d;
        n -= d;
        seq = p->rcv_nxt;
    }
    uint32_t space = tcp_rcv_space(p);
    uint32_t off = seq - p->rcv_nxt;
    if (off >= space) {
        g->flags &= (uint8_t)~TCP_FIN;
        p->ack_now = true;
        return;
    }
    if (off + n > space) {
        n = space - off;
        g->flags &= (uint8_t)~TCP_FIN;
    }
    if (off > 0) {
        if (ooo_add(p, seq, seq + n)) ring_write_at(&p->rcv, p->rcv.len + off, data, n);
        p->ack_now = true;
        return;
    }
    bool filled_gap = p->nooo > 0;
    ring_write_at(&p->rcv, p->rcv.len, data, n);
    p->rcv.len += n;
    p->rcv_nxt += n;
    ooo_advance(p);
    if (p->rd_shut) { /* nobody will read it: drop it at once */
        p->rcv.head = (p->rcv.head + p->rcv.len) % p->rcv.cap;
        p->rcv.len = 0;
    }
    if (filled_gap || ++p->unacked_segs >= 2) p->ack_now = true;
}

/* --- ACK processing ------------------------------------------------------------- */

static bool tcp_use_sack(const struct tcp_pcb *p)
{
    return p->sack_ok && p->nsacked > 0;
}

/* A duplicate ACK (RFC 5681 2, 3.2; RFC 6582 3.2; with SACK RFC 6675 5:
 * three of them, or three segments' worth SACKed, start recovery). */
static void tcp_dupack(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    uint32_t smss = tcp_smss(p);
    p->dupacks++;
    if (p->in_recovery) {
        if (tcp_use_sack(p)) {
            tcp_sack_recovery_send(s);
            return;
        }
        p->cwnd += smss; /* inflate: a segment has left the network */
        tcp_output(s);
        return;
    }
    /* RFC 6675 IsLost(): more than (DupThresh - 1) SMSS SACKed above */
    bool lost = p->dupacks >= 3 || (tcp_use_sack(p) && tcp_sacked_bytes(p) > 2 * smss);
    /* RFC 6582 3.2 step 2 asks for snd_una above recover; at equality all
     * of the old flight is acknowledged, so a new loss there is real. */
    if (!lost || SEQ_LT(p->snd_una, p->recover)) {
        if (p->dupacks <= 2) tcp_send_new_segment(s); /* RFC 3042 Limited Transmit */
        return;
    }
    uint32_t flight = p->snd_max - p->snd_una;
    p->ssthresh = flight / 2 > 2 * smss ? flight / 2 : 2 * smss;
    p->recover = p->snd_max;
    p->in_recovery = true;
    tcp_retransmit_head(s);
    if (tcp_use_sack(p)) {
        p->cwnd = p->ssthresh;
        p->rexmit_nxt = p->snd_una + smss;
        p->rexmit_mark = p->snd_max;
        tcp_sack_recovery_send(s);
        return;
    }
    p->cwnd = p->ssthresh + 3 * smss;
    tcp_output(s);
}

/* An ACK that acknowledges new data: RTT sample, send buffer trimmed,
 * congestion window grown or recovery advanced (RFC 6582 3.2 steps 3-4). */
static void tcp_new_ack(struct net_sock *s, const struct tcp_seg *g)
{
    struct tcp_pcb *p = tcp_of(s);
    struct net_stack *st = s->st;
    uint32_t ack = g->ack, acked = ack - p->snd_una, smss = tcp_smss(p);
    if (p->ts_ok && g->has_ts && g->tsecr) {
        uint32_t rtt = tcp_ts_now(st, p) - g->tsecr;
        if (rtt < 60000) tcp_rtt_sample(p, rtt); /* RFC 7323 4.1 */
    } else if (p->rtt_timing && SEQ_GT(ack, p->rtt_seq)) {
        tcp_rtt_sample(p, (uint32_t)(st->now - p->rtt_start));
        p->rtt_timing = false;
    }
    uint32_t data_end = p->snd_bseq + p->snd.len;
    uint32_t upto = SEQ_GT(ack, data_end) ? data_end : ack;
    if (SEQ_GT(upto, p->snd_bseq)) {
        uint32_t n = upto - p->snd_bseq;
        p->snd.head = (p->snd.head + n) % p->snd.cap;
        p->snd.len -= n;
        p->snd_bseq = upto;
    }
    p->snd_una = ack;
    if (SEQ_GT(p->snd_una, p->snd_nxt)) p->snd_nxt = p->snd_una;
    p->retries = 0;
    tcp_sack_update(s, g);
    if (p->in_recovery) {
        if (SEQ_GEQ(ack, p->recover)) { /* full ACK */
            uint32_t flight = p->snd_max - p->snd_una;
            uint32_t w = (flight > smss ? flight : smss) + smss;
            p->cwnd = p->ssthresh < w ? p->ssthresh : w;
            p->in_recovery = false;
            p->dupacks = 0;
        } else if (tcp_use_sack(p)) { /* RFC 6675 5 (C) on every ACK */
            tcp_sack_recovery_send(s);
        } else { /* partial ACK: the next hole, deflate */
            tcp_retransmit_head(s);
            p->cwnd = (p->cwnd > acked ? p->cwnd - acked : 0) + (acked >= smss ? smss : 0);
            if (p->cwnd < smss) p->cwnd = smss;
        }
    } else {
        p->dupacks = 0;
        if (p->cwnd < p->ssthresh) {
            p->cwnd += acked < 2 * smss ? acked : 2 * smss; /* RFC 3465 L = 2 */
        } else {
            p->bytes_acked += acked;
            if (p->bytes_acked >= p->cwnd) {
                p->bytes_acked -= p->cwnd;
                p->cwnd += smss;
            }
        }
        if (p->cwnd > (1u << 30)) p->cwnd = 1u << 30;
    }
    p->persist_shift = 0;
    tcp_rearm_rtx(s);
}

/* RFC 9293 3.10.7.4 fifth, for synchronized states. Returns true if the
 * socket is gone. */
static bool tcp_ack_input(struct net_sock *s, const struct tcp_seg *g)
{
    struct tcp_pcb *p = tcp_of(s);
    uint32_t wnd = g->wnd << p->snd_wscale;
    if (SEQ_LEQ(g->ack, p->snd_una)) {
        tcp_sack_update(s, g);
        bool dup = g->ack == p->snd_una && p->snd_max != p->snd_una &&
                   ((g->len == 0 && !(g->flags & (TCP_SYN | TCP_FIN)) && wnd == p->snd_wnd) ||
                    (g->nsack > 0 && p->sack_ok));
        if (dup) tcp_dupack(s);
    } else {
        tcp_new_ack(s, g);
    }
    if (SEQ_LT(p->snd_wl1, g->seq) || (p->snd_wl1 == g->seq && SEQ_LEQ(p->snd_wl2, g->ack))) {
        tcp_set_snd_wnd(p, g, wnd);
        if (wnd) {
            p->t_persist = 0;
            p->persist_shift = 0;
        }
    }
    bool fin_acked = p->fin_sent && SEQ_GEQ(p->snd_una, p->fin_seq + 1);
    switch (p->state) {
    case TCP_FIN_WAIT_1:
        if (fin_acked) {
            p->state = TCP_FIN_WAIT_2;
            if (s->closed) {
                p->t_conn = s->st->now + TCP_FIN_WAIT_2_MS;
                tcp_release_done_buffers(s);
            }
        }
        break;
    case TCP_CLOSING:
        if (fin_acked) tcp_enter_time_wait(s);
        break;
    case TCP_LAST_ACK:
        if (fin_acked) return tcp_set_closed(s, 0);
        break;
    default: break;
    }
    return false;
}

/* SYN-RECEIVED -> ESTABLISHED (RFC 9293 3.10.7.4 fifth). A child of a
 * listener joins its accept queue. Returns true if the socket is gone. */
static bool tcp_established(struct net_sock *s, const struct tcp_seg *g)
{
    struct tcp_pcb *p = tcp_of(s);
    if (tcp_alloc_buffers(s) < 0) {
        tcp_send_reset_for(s->st, g);
        return tcp_set_closed(s, ERR_NOMEM);
    }
    p->state = p->fin_queued ? TCP_FIN_WAIT_1 : TCP_ESTABLISHED;
    tcp_set_snd_wnd(p, g, g->wnd << p->snd_wscale);
    tcp_init_cwnd(p);
    if (p->parent) {
        struct tcp_pcb *lp = tcp_of(p->parent);
        list_push_back(&lp->accept_q, &p->accept_link);
        net_sock_update(p->parent);
    }
    return false;
}

/* RFC 9293 3.10.7.3: SYN-SENT. */
static void tcp_syn_sent_input(struct net_sock *s, struct tcp_seg *g)
{
    struct tcp_pcb *p = tcp_of(s);
    struct net_stack *st = s->st;
    if ((g->flags & TCP_ACK) && (SEQ_LEQ(g->ack, p->iss) || SEQ_GT(g->ack, p->snd_max))) {
        tcp_send_reset_for(st, g);
        return;
    }
    if (g->flags & TCP_RST) {
        if (g->flags & TCP_ACK) /* RFC 5961 3.2: the ACK acknowledged our SYN */
            tcp_set_closed(s, ERR_CONNREFUSED);
        return;
    }
    if (!(g->flags & TCP_SYN)) return;
    tcp_take_syn_options(s, g);
    p->irs = g->seq;
    p->rcv_nxt = g->seq + 1;
    p->rcv_adv = p->rcv_nxt;
    if (!(g->flags & TCP_ACK)) { /* simultaneous open (RFC 9293 3.5 figure 7) */
        p->state = TCP_SYN_RECEIVED;
        tcp_set_snd_wnd(p, g, g->wnd);
        p->t_rtx = 0;
        tcp_send_syn(s);
        return;
    }
    if (p->retries == 0 && !p->ts_ok) /* Karn: the SYN went once, at t_rtx - rto */
        tcp_rtt_sample(p, (uint32_t)(st->now - (p->t_rtx - p->rto)));
    p->snd_una = g->ack;
    p->retries = 0;
    tcp_set_snd_wnd(p, g, g->wnd); /* RFC 7323 2.2: a SYN's window is not scaled */
    if (p->ts_ok && g->tsecr) {
        uint32_t rtt = tcp_ts_now(st, p) - g->tsecr;
        if (rtt < 60000) tcp_rtt_sample(p, rtt);
    }
    p->state = TCP_ESTABLISHED;
    tcp_init_cwnd(p);
    tcp_rearm_rtx(s);
    tcp_send_ack(s);
    tcp_output(s);
    net_sock_update(s);
}

/* RFC 9293 3.10.7.4 first check: does the segment overlap the window? A
 * zero window still takes ACKs, RSTs and FIN-less empty segments at
 * exactly RCV.NXT. */
static bool tcp_seq_acceptable(const struct tcp_pcb *p, const struct tcp_seg *g)
{
    uint32_t wnd = tcp_rcv_space(p), len = tcp_seg_seqlen(g);
    if (SEQ_GT(p->rcv_adv, p->rcv_nxt) && p->rcv_adv - p->rcv_nxt > wnd)
        wnd = p->rcv_adv - p->rcv_nxt; /* never below what we advertised */
    if (wnd == 0) return g->seq == p->rcv_nxt;
    uint32_t last = g->seq + (len ? len - 1 : 0);
    bool first_in = SEQ_GEQ(g->seq, p->rcv_nxt) && SEQ_LT(g->seq, p->rcv_nxt + wnd);
    bool last_in = SEQ_GEQ(last, p->rcv_nxt) && SEQ_LT(last, p->rcv_nxt + wnd);
    return first_in || (len && last_in);
}

/* The FIN, once all data before it is in (RFC 9293 3.10.7.4 eighth). */
static void tcp_fin_input(struct net_sock *s, const struct tcp_seg *g)
{
    struct tcp_pcb *p = tcp_of(s);
    uint32_t fin_seq = g->seq + g->len;
    if (p->fin_rcvd || p->state == TCP_TIME_WAIT) {
        if (fin_seq + 1 == p->rcv_nxt) { /* a retransmitted FIN */
            p->ack_now = true;
            if (p->state == TCP_TIME_WAIT) tcp_enter_time_wait(s); /* restart the 2 MSL timeout */
        }
        return;
    }
    if (fin_seq != p->rcv_nxt) return; /* data before it is missing; the peer will send it again */
    p->rcv_nxt++;
    p->fin_rcvd = true;
    p->ack_now = true;
    switch (p->state) {
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED: p->state = TCP_CLOSE_WAIT; break;
    case TCP_FIN_WAIT_1: p->state = TCP_CLOSING; break; /* simultaneous close */
    case TCP_FIN_WAIT_2: tcp_enter_time_wait(s); break;
    default: break;
    }
}

/* SEGMENT ARRIVES for every state after SYN-SENT (RFC 9293 3.10.7.4),
 * step by step as the RFC orders them. This is the one long function of
 * the stack, kept whole so that it can be read against the RFC's text. */
static void tcp_segment_arrives(struct net_sock *s, struct tcp_seg *g)
{
    struct tcp_pcb *p = tcp_of(s);
    struct net_stack *st = s->st;
    /* RFC 1122 4.2.3.6: any segment from the peer shows it is alive,
     * including an unacceptable one (the reply to a probe may be one). */
    p->ka_heard = st->now;
    p->ka_probes = 0;
    if (p->state == TCP_SYN_SENT) {
        tcp_syn_sent_input(s, g);
        return;
    }
    /* A retransmitted SYN while our SYN-ACK is outstanding: send it again. */
    if (p->state == TCP_SYN_RECEIVED && (g->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN &&
        g->seq == p->irs) {
        tcp_xmit(s, p->iss, TCP_SYN | TCP_ACK, 0);
        return;
    }
    /* RFC 7323 5.3 PAWS: an older timestamp than the last one is a
     * duplicate from an earlier cycle of the sequence space. Pure ACKs are
     * exempt (as in Linux): reordered ACKs are harmless, and dropping them
     * would hide duplicate ACKs from loss recovery. */
    if (p->ts_ok && g->has_ts && !(g->flags & TCP_RST) && tcp_seg_seqlen(g) > 0 &&
        SEQ_LT(g->tsval, p->ts_recent)) {
        tcp_send_ack(s);
        return;
    }
    /* first: sequence number */
    if (!tcp_seq_acceptable(p, g)) {
        /* In TIME-WAIT the peer's FIN, sent again, sits just left of the
         * window: ACK it and restart the 2 MSL timeout (3.10.7.4 eighth). */
        if (p->state == TCP_TIME_WAIT && (g->flags & TCP_FIN) && g->seq + g->len + 1 == p->rcv_nxt)
            tcp_enter_time_wait(s);
        if (!(g->flags & TCP_RST)) tcp_send_ack(s);
        return;
    }
    /* RFC 7323 4.3: remember the timestamp to echo */
    if (p->ts_ok && g->has_ts && SEQ_LEQ(g->seq, p->last_ack_sent) &&
        SEQ_GEQ(g->tsval, p->ts_recent))
        p->ts_recent = g->tsval;
    /* second: RST (RFC 5961 3.2: only an exact match resets) */
    if (g->flags & TCP_RST) {
        if (g->seq != p->rcv_nxt) {
            tcp_challenge_ack(s);
            return;
        }
        int err = ERR_CONNRESET;
        if (p->state == TCP_SYN_RECEIVED)
            err = ERR_CONNREFUSED;
        else if (p->state == TCP_CLOSING || p->state == TCP_LAST_ACK || p->state == TCP_TIME_WAIT)
            err = 0;
        tcp_set_closed(s, err);
        return;
    }
    /* fourth: SYN in a synchronized state (RFC 5961 4.2): challenge ACK.
     * A passive SYN-RECEIVED goes back to LISTEN: the child is dropped. */
    if (g->flags & TCP_SYN) {
        if (p->state == TCP_SYN_RECEIVED && p->parent) {
            tcp_set_closed(s, 0);
            return;
        }
        tcp_challenge_ack(s);
        return;
    }
    /* fifth: ACK */
    if (!(g->flags & TCP_ACK)) return;
    if (p->state == TCP_SYN_RECEIVED) {
        if (!SEQ_GT(g->ack, p->snd_una) || SEQ_GT(g->ack, p->snd_max)) {
            tcp_send_reset_for(st, g);
            return;
        }
        if (tcp_established(s, g)) return;
    }
    uint32_t bound = p->max_snd_wnd ? p->max_snd_wnd : 65535;
    if (SEQ_GT(g->ack, p->snd_max) || SEQ_LT(g->ack, p->snd_una - bound)) {
        tcp_challenge_ack(s); /* RFC 5961 5.2 */
        return;
    }
    if (p->state != TCP_TIME_WAIT && tcp_ack_input(s, g)) return;
    /* seventh: text */
    if (g->len) {
        if (p->state == TCP_ESTABLISHED || p->state == TCP_FIN_WAIT_1 ||
            p->state == TCP_FIN_WAIT_2) {
            if (s->closed) { /* nobody will read it (RFC 1122 4.2.2.13) */
                tcp_xmit(s, p->snd_nxt, TCP_RST | TCP_ACK, 0);
                tcp_set_closed(s, 0);
                return;
            }
            tcp_data_input(s, g);
        } else {
            p->ack_now = true; /* after their FIN: just acknowledge */
        }
    }
    /* eighth: FIN */
    if (g->flags & TCP_FIN) tcp_fin_input(s, g);
    tcp_output(s);
    if (p->ack_now)
        tcp_send_ack(s);
    else if (p->unacked_segs && !p->t_delack)
        p->t_delack =
            st->now + (st->cfg.tcp_delack_ms ? st->cfg.tcp_delack_ms : TCP_DEFAULT_DELACK);
    net_sock_update(s);
}

/* RFC 9293 3.10.7.2: a listener takes a SYN and makes a child in
 * SYN-RECEIVED; ACKs get a RST, RSTs are ignored. */
static void tcp_listen_input(struct net_sock *ls, struct tcp_seg *g)
{
    struct net_stack *st = ls->st;
    struct tcp_pcb *lp = tcp_of(ls);
    if (g->flags & TCP_RST) return;
    if (g->flags & TCP_ACK) {
        tcp_send_reset_for(st, g);
        return;
    }
    if (!(g->flags & TCP_SYN) || g->dst != st->addr) return;
    if (lp->pending >= lp->backlog) {
        st->ctr.rx_drops++;
        return;
    }
    struct net_sock *c = tcp_new_sock(st);
    if (!c) return;
    struct tcp_pcb *p = tcp_of(c);
    p->parent = ls;
    lp->pending++;
    c->ttl = ls->ttl; /* a child inherits the listener's options */
    p->ka_on = lp->ka_on;
    p->ka_idle = lp->ka_idle;
    p->ka_intvl = lp->ka_intvl;
    p->ka_count = lp->ka_count;
    c->laddr = g->dst;
    c->lport = g->dport;
    c->raddr = g->src;
    c->rport = g->sport;
    tcp_take_syn_options(c, g);
    p->irs = g->seq;
    p->rcv_nxt = g->seq + 1;
    p->rcv_adv = p->rcv_nxt;
    p->iss = tcp_isn(st, c->laddr, c->lport, c->raddr, c->rport);
    p->snd_una = p->snd_nxt = p->snd_max = p->iss;
    p->snd_bseq = p->iss + 1;
    p->recover = p->iss;
    tcp_set_snd_wnd(p, g, g->wnd);
    p->state = TCP_SYN_RECEIVED;
    tcp_send_syn(c);
}

void tcp_input(struct net_stack *st, const struct ip_info *ip, const uint8_t *pkt, size_t len)
{
    struct tcp_seg g;
    if (!tcp_parse(st, ip, pkt, len, &g)) {
        st->ctr.rx_errors++;
        return;
    }
    struct net_sock *listener = NULL;
    struct list_node *it;
    list_for_each(it, &st->socks)
    {
        struct net_sock *s = list_entry(it, struct net_sock, link);
        if (s->kind != SOCK_TCP || s->lport != g.dport) continue;
        enum tcp_state state = tcp_of(s)->state;
        if (state == TCP_LISTEN) {
            listener = s;
        } else if (state != TCP_CLOSED && s->rport == g.sport && s->raddr == g.src) {
            /* move to the front: the next segment is most likely for it */
            list_remove(&s->link);
            list_push_front(&st->socks, &s->link);
            tcp_segment_arrives(s, &g);
            return;
        }
    }
    if (listener) {
        tcp_listen_input(listener, &g);
        return;
    }
    st->ctr.rx_drops++;
    tcp_send_reset_for(st, &g);
}
