/*
 * lib/net/tcp_impl.h - calls between lib/net's TCP files:
 *   tcp.c       the socket API (the top of the TCP files)
 *   tcp_pcb.c   control blocks, buffers, ISNs (RFC 6528), readiness (the floor)
 *   tcp_in.c    segment arrival (RFC 9293 3.10.7), ACK processing and
 *               congestion control (RFC 5681, RFC 6582), reassembly
 *   tcp_sack.c  the SACK scoreboard and SACK-based loss recovery (RFC 6675)
 *   tcp_out.c   segment building, output decisions, options, timers
 *               (RFC 6298 RTO, delayed ACK, persist, TIME_WAIT)
 */
#ifndef NET_TCP_IMPL_H
#define NET_TCP_IMPL_H

#include "net/net_impl.h"

#define TCP_HLEN 20
#define TCP_FIN  0x01
#define TCP_SYN  0x02
#define TCP_RST  0x04
#define TCP_PSH  0x08
#define TCP_ACK  0x10
#define TCP_URG  0x20

#define TCP_DEFAULT_MSS   536   /* RFC 9293 3.7.1 when the peer sends no MSS option */
#define TCP_INITIAL_RTO   1000  /* RFC 6298 2.1 */
#define TCP_MAX_RTO       60000 /* RFC 6298 2.5 allows an upper bound >= 60 s */
#define TCP_SYN_RETRIES   6
#define TCP_DATA_RETRIES  15
#define TCP_FIN_WAIT_2_MS 60000    /* orphaned FIN_WAIT_2 gives up after this */
#define TCP_KA_IDLE_MS    7200000u /* keep-alive defaults, as Linux's tcp_keepalive_* */
#define TCP_KA_INTVL_MS   75000u
#define TCP_KA_COUNT      9
#define TCP_KA_MAX_MS     0x80000000u

/* A received segment, parsed. */
struct tcp_seg {
    uint32_t src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint32_t wnd; /* raw 16-bit field */
    uint8_t flags;
    const uint8_t *data;
    uint32_t len; /* payload bytes */
    /* options */
    int mss;    /* -1 if absent */
    int wscale; /* -1 if absent */
    bool sack_ok, has_ts;
    int nsack;
    struct tcp_range sack[4]; /* SACK blocks (RFC 2018 3) */
    uint32_t tsval, tsecr;
};

/* Sequence space taken by the segment (RFC 9293 3.4: SYN and FIN count). */
static inline uint32_t tcp_seg_seqlen(const struct tcp_seg *g)
{
    return g->len + ((g->flags & TCP_SYN) ? 1 : 0) + ((g->flags & TCP_FIN) ? 1 : 0);
}

static inline struct tcp_pcb *tcp_of(const struct net_sock *s)
{
    return s->u.tcp;
}

/* tcp.c */
uint32_t tcp_isn(struct net_stack *st, uint32_t laddr, uint16_t lport, uint32_t raddr,
                 uint16_t rport);
struct net_sock *tcp_new_sock(struct net_stack *st);
int tcp_alloc_buffers(struct net_sock *s);
uint32_t tcp_rcv_space(const struct tcp_pcb *p);
uint32_t tcp_smss(const struct tcp_pcb *p);
uint8_t tcp_wscale_for(uint32_t bufsize);
/* Ends the connection with err (0 for a normal close). Returns true when the
 * socket was freed (the user had closed it): the caller must not touch it. */
bool tcp_set_closed(struct net_sock *s, int err);
void tcp_enter_time_wait(struct net_sock *s);
void tcp_release_done_buffers(struct net_sock *s);
void ring_write_at(struct ring *r, uint32_t off, const uint8_t *src, uint32_t n);
void ring_read_at(const struct ring *r, uint32_t off, uint8_t *dst, uint32_t n);
void ring_consume(struct ring *r, uint32_t n);

/* tcp_sack.c */
/* Adds [start, end) to a sorted list of ranges, merging; returns the index
 * of the range that holds it, or -1 if the list is full. */
int tcp_range_add(struct tcp_range *r, int *n, uint32_t start, uint32_t end);
void tcp_sack_update(struct net_sock *s, const struct tcp_seg *g);
uint32_t tcp_sacked_bytes(const struct tcp_pcb *p);
void tcp_sack_recovery_send(struct net_sock *s);
bool tcp_send_new_segment(struct net_sock *s);

/* tcp_out.c */
/* Sends one segment: seq, flags, data from the send buffer at seq (len
 * bytes). Adds ACK with rcv_nxt unless flags has SYN without ACK. */
void tcp_xmit(struct net_sock *s, uint32_t seq, uint8_t flags, uint32_t len);
void tcp_send_ack(struct net_sock *s);
void tcp_send_syn(struct net_sock *s);
/* Sends what the windows allow. */
void tcp_output(struct net_sock *s);
/* A RST in reply to a segment that has no connection (RFC 9293 3.10.7.1). */
void tcp_send_reset_for(struct net_stack *st, const struct tcp_seg *g);
void tcp_rtt_sample(struct tcp_pcb *p, uint32_t rtt);
void tcp_rearm_rtx(struct net_sock *s);
uint32_t tcp_ts_now(const struct net_stack *st, const struct tcp_pcb *p);
void tcp_window_update_maybe(struct net_sock *s, uint32_t old_space);

#endif
