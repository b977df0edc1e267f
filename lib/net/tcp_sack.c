/*
 * lib/net/tcp_sack.c - selective acknowledgments on the sending side: the
 * scoreboard of ranges the peer reports holding (RFC 2018), and loss
 * recovery driven by it (RFC 6675, simplified): in recovery every hole
 * below the highest SACKed byte counts as lost, is retransmitted once, and
 * new data follows while the estimate of bytes in the network ("pipe")
 * stays under cwnd (= ssthresh, no inflation).
 *
 * Also the sorted range list shared with the receive side (tcp_in.c).
 */
#include "base/env.h"
#include "net/tcp_impl.h"

static void range_remove(struct tcp_range *r, int *n, int i)
{
    for (int j = i; j + 1 < *n; j++)
        r[j] = r[j + 1];
    (*n)--;
}

int tcp_range_add(struct tcp_range *r, int *n, uint32_t start, uint32_t end)
{
    int i = 0;
    while (i < *n && SEQ_LT(r[i].end, start))
        i++;
    if (i == *n || SEQ_LT(end, r[i].start)) {
        if (*n == TCP_OOO_MAX) return -1;
        for (int j = *n; j > i; j--)
            r[j] = r[j - 1];
        r[i].start = start;
        r[i].end = end;
        (*n)++;
        return i;
    }
    if (SEQ_LT(start, r[i].start)) r[i].start = start;
    if (SEQ_GT(end, r[i].end)) r[i].end = end;
    while (i + 1 < *n && SEQ_LEQ(r[i + 1].start, r[i].end)) {
        if (SEQ_GT(r[i + 1].end, r[i].end)) r[i].end = r[i + 1].end;
        range_remove(r, n, i + 1);
    }
    return i;
}

/* Takes the SACK blocks of an ACK (RFC 2018 4: only blocks above snd_una
 * and within what we sent; others, such as D-SACKs, are ignored) and drops
 * what the cumulative ACK now covers. */
void tcp_sack_update(struct net_sock *s, const struct tcp_seg *g)
{
    struct tcp_pcb *p = tcp_of(s);
    if (!p->sack_ok) return;
    for (int i = 0; i < g->nsack; i++) {
        uint32_t a = g->sack[i].start, b = g->sack[i].end;
        if (!SEQ_LT(a, b) || !SEQ_GT(a, p->snd_una) || SEQ_GT(b, p->snd_max)) continue;
        tcp_range_add(p->sacked, &p->nsacked, a, b);
    }
    while (p->nsacked && SEQ_LEQ(p->sacked[0].end, p->snd_una))
        range_remove(p->sacked, &p->nsacked, 0);
    if (p->nsacked && SEQ_LT(p->sacked[0].start, p->snd_una)) p->sacked[0].start = p->snd_una;
}

uint32_t tcp_sacked_bytes(const struct tcp_pcb *p)
{
    uint32_t n = 0;
    for (int i = 0; i < p->nsacked; i++)
        n += p->sacked[i].end - p->sacked[i].start;
    return n;
}

/* Bytes of [a, b) the scoreboard holds. */
static uint32_t sacked_within(const struct tcp_pcb *p, uint32_t a, uint32_t b)
{
    uint32_t n = 0;
    for (int i = 0; i < p->nsacked; i++) {
        uint32_t x = SEQ_GT(p->sacked[i].start, a) ? p->sacked[i].start : a;
        uint32_t y = SEQ_LT(p->sacked[i].end, b) ? p->sacked[i].end : b;
        if (SEQ_LT(x, y)) n += y - x;
    }
    return n;
}

/* The first hole at or after from and below the highest SACKed byte. */
static bool next_hole(const struct tcp_pcb *p, uint32_t from, uint32_t *start, uint32_t *len)
{
    uint32_t pos = from;
    for (int i = 0; i < p->nsacked; i++) {
        if (SEQ_LT(pos, p->sacked[i].start)) {
            *start = pos;
            *len = p->sacked[i].start - pos;
            return true;
        }
        if (SEQ_LT(pos, p->sacked[i].end)) pos = p->sacked[i].end;
    }
    return false;
}

/* RFC 6675 4 "pipe": new data above the highest SACK, plus holes
 * retransmitted in this recovery and not yet acknowledged. */
static uint32_t sack_pipe(const struct tcp_pcb *p)
{
    uint32_t high = p->nsacked ? p->sacked[p->nsacked - 1].end : p->snd_una;
    uint32_t pipe = SEQ_GT(p->snd_max, high) ? p->snd_max - high : 0;
    uint32_t rx = SEQ_LT(p->rexmit_nxt, high) ? p->rexmit_nxt : high;
    if (SEQ_GT(rx, p->snd_una)) pipe += (rx - p->snd_una) - sacked_within(p, p->snd_una, rx);
    return pipe;
}

/* One segment of new data if the peer's window allows; false if none.
 * Also Limited Transmit's (RFC 3042) segment beyond cwnd. */
bool tcp_send_new_segment(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    uint32_t smss = tcp_smss(p);
    if (p->snd_nxt != p->snd_max) return false;
    uint32_t off = p->snd_nxt - p->snd_bseq;
    if (off >= p->snd.len) return false;
    uint32_t flight = p->snd_nxt - p->snd_una;
    uint32_t room = p->snd_wnd > flight ? p->snd_wnd - flight : 0;
    uint32_t n = p->snd.len - off;
    if (n > smss) n = smss;
    if (n > room) return false;
    tcp_xmit(s, p->snd_nxt, TCP_ACK | (off + n == p->snd.len ? TCP_PSH : 0), n);
    p->snd_nxt += n;
    p->snd_max = p->snd_nxt;
    return true;
}

/* RFC 6675 5 step (C): while pipe leaves room in cwnd, retransmit the next
 * hole, or else send new data. */
void tcp_sack_recovery_send(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    uint32_t smss = tcp_smss(p);
    if (SEQ_LT(p->rexmit_nxt, p->snd_una)) p->rexmit_nxt = p->snd_una;
    /* A lost retransmission (as RFC 8985 6.1 detects it): data sent after
     * the first hole's retransmission is SACKed three segments deep while
     * the hole stays. Retransmit it again rather than wait for the RTO. */
    uint32_t high = p->nsacked ? p->sacked[p->nsacked - 1].end : p->snd_una;
    if (SEQ_GT(p->rexmit_nxt, p->snd_una) && SEQ_GT(high, p->rexmit_mark + 3 * smss)) {
        p->rexmit_nxt = p->snd_una;
        s->st->ctr.tcp_retransmits++;
    }
    uint32_t pipe = sack_pipe(p);
    int budget = 64; /* a bound per ACK; the next ACK continues */
    while (pipe + smss <= p->cwnd && budget-- > 0) {
        uint32_t start, len;
        if (next_hole(p, p->rexmit_nxt, &start, &len)) {
            uint32_t n = len < smss ? len : smss;
            if (start == p->snd_una) p->rexmit_mark = p->snd_max;
            tcp_xmit(s, start, TCP_ACK, n);
            s->st->ctr.tcp_retransmits++;
            p->rexmit_nxt = start + n;
            pipe += n;
        } else if (tcp_send_new_segment(s)) {
            pipe += smss;
        } else {
            break;
        }
    }
    if (!p->t_rtx) tcp_rearm_rtx(s);
}
