/*
 * lib/net/net_impl.h - lib/net's internal structures and the calls between
 * its files (one protocol per file, as in lwIP). Not for users of the stack.
 *
 * Outgoing packets are built in the stack's transmit buffer (st->txbuf),
 * which has room for the Ethernet and IPv4 headers in front of the
 * transport header: a protocol writes its header and payload at
 * NET_TX_L4 and calls ipv4_output(), which fills in the rest.
 */
#ifndef NET_NET_IMPL_H
#define NET_NET_IMPL_H

#include "base/error.h"
#include "base/list.h"
#include "net/net.h"

#define ETH_HLEN       14
#define ETH_TYPE_IPV4  0x0800
#define ETH_TYPE_ARP   0x0806
#define IP_HLEN        20
#define NET_TX_L4      (ETH_HLEN + IP_HLEN)
#define IP_PROTO_ICMP  1
#define IP_PROTO_TCP   6
#define IP_PROTO_UDP   17
#define IP_DEFAULT_TTL 64

#define SEQ_LT(a, b)  ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SEQ_GT(a, b)  SEQ_LT(b, a)
#define SEQ_GEQ(a, b) SEQ_LEQ(b, a)

/* --- ARP (arp.c) ---------------------------------------------------------- */

#define ARP_TABLE_SIZE 64
#define ARP_QUEUE_MAX  32 /* packets held per unresolved neighbour */

struct arp_pending {
    struct arp_pending *next;
    size_t len; /* IPv4 packet length */
    uint8_t pkt[];
};

struct arp_entry {
    uint32_t ip;
    uint8_t mac[6];
    uint8_t state; /* ARP_FREE, ARP_INCOMPLETE, ARP_REACHABLE */
    uint8_t tries;
    uint64_t expires; /* REACHABLE: valid until; INCOMPLETE: next retry */
    uint64_t last_use;
    struct arp_pending *queue, **queue_tail;
    int queued;
};

/* --- IPv4 reassembly (ip4_frag.c) ------------------------------------------ */

#define REASS_SLOTS      8
#define REASS_MAX_BYTES  (256 * 1024) /* all datagrams under reassembly */
#define REASS_TIMEOUT_MS 15000        /* RFC 791 suggests 15 s */

struct reass_slot {
    bool used;
    uint32_t src, dst;
    uint16_t id;
    uint8_t proto;
    uint64_t expires;
    uint8_t *buf;  /* payload, grown as fragments arrive */
    size_t cap;    /* bytes allocated in buf */
    size_t total;  /* payload length once the last fragment is seen; 0 before */
    uint8_t *have; /* bitmap of received 8-byte blocks (8192 bits) */
};

/* --- sockets -------------------------------------------------------------- */

enum sock_kind { SOCK_TCP = 1, SOCK_UDP, SOCK_PING, SOCK_DNS };

/* A ring buffer of bytes (TCP send and receive buffers). */
struct ring {
    uint8_t *buf;
    uint32_t cap;
    uint32_t head; /* offset of the first byte */
    uint32_t len;  /* bytes stored from head */
};

/* A datagram queued on a UDP or ping socket. */
struct dgram {
    struct dgram *next;
    uint32_t addr;
    uint16_t port;
    uint16_t aux;  /* ping: seq */
    uint32_t aux2; /* ping: rtt in ms */
    uint8_t ttl;
    size_t len;
    uint8_t data[];
};

#define TCP_OOO_MAX 32 /* out-of-order ranges held at once */

enum tcp_state {
    TCP_CLOSED,
    TCP_LISTEN,
    TCP_SYN_SENT,
    TCP_SYN_RECEIVED,
    TCP_ESTABLISHED,
    TCP_FIN_WAIT_1,
    TCP_FIN_WAIT_2,
    TCP_CLOSE_WAIT,
    TCP_CLOSING,
    TCP_LAST_ACK,
    TCP_TIME_WAIT,
};

struct tcp_range {
    uint32_t start, end; /* [start, end) in sequence space */
};

struct tcp_pcb {
    enum tcp_state state;
    /* RFC 9293 3.3.1 send sequence variables */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wl1, snd_wl2;
    uint32_t snd_bseq; /* sequence number of the first byte in snd */
    uint32_t snd_wnd, max_snd_wnd;
    uint8_t snd_wscale, rcv_wscale;
    bool wscale_ok, ts_ok, sack_ok, nodelay;
    /* receive sequence variables */
    uint32_t irs, rcv_nxt, rcv_adv; /* rcv_adv: right edge last advertised */
    uint16_t mss;                   /* send MSS (peer's option, our MTU) */
    /* RFC 7323 timestamps */
    uint32_t ts_recent, ts_offset, last_ack_sent;
    /* RFC 6298 RTO estimation (ms; srtt and rttvar scaled by 8 and 4) */
    uint32_t srtt8, rttvar4, rto;
    bool rtt_timing;
    uint32_t rtt_seq;
    uint64_t rtt_start;
    /* RFC 5681 / 6582 congestion control */
    uint32_t cwnd, ssthresh, recover, bytes_acked;
    int dupacks;
    bool in_recovery;
    /* timers (absolute ms; 0 = stopped) */
    uint64_t t_rtx, t_delack, t_persist, t_timewait, t_conn;
    int retries, persist_shift;
    int unacked_segs; /* data segments received since our last ACK */
    bool ack_now;
    /* buffers */
    struct ring snd, rcv;
    struct tcp_range ooo[TCP_OOO_MAX];
    int nooo, ooo_last; /* ooo_last: index of the most recently touched range */
    /* RFC 6675 scoreboard: ranges above snd_una the peer has SACKed */
    struct tcp_range sacked[TCP_OOO_MAX];
    int nsacked;
    uint32_t rexmit_nxt;  /* holes below this were retransmitted in this recovery */
    uint32_t rexmit_mark; /* snd_max when the hole at snd_una was last retransmitted */
    bool fin_queued, fin_sent, fin_rcvd, rd_shut;
    uint32_t fin_seq;
    /* listeners */
    struct net_sock *parent;   /* the listener of a not yet accepted child */
    struct list_node accept_q; /* listener: established children */
    struct list_node accept_link;
    int backlog, pending;
    uint64_t challenge_window;
    int challenge_count;
    /* keep-alive (tcp_out.c): settings, when the peer was last heard from
     * (or keep-alive switched on), the last probe and how many are out */
    bool ka_on;
    uint8_t ka_count, ka_probes;
    uint32_t ka_idle, ka_intvl;
    uint64_t ka_heard, ka_last_probe;
};

/* What a socket kind adds to the shared socket code of sock.c: its
 * readiness and the release of its own state. A kind without ops (UDP,
 * ping) is a datagram queue. Given to net_sock_new by the kind's file
 * (tcp.c, dns.c), so sock.c never calls up into them. */
struct net_sock_ops {
    unsigned (*events)(const struct net_sock *s); /* NET_POLL_* */
    void (*release)(struct net_sock *s);          /* frees the kind's state */
};

struct net_sock {
    struct list_node link; /* in st->socks */
    struct net_stack *st;
    enum sock_kind kind;
    const struct net_sock_ops *ops; /* NULL: a datagram queue */
    bool closed;                    /* the user closed it; only the stack keeps it alive */
    void *user;
    int error; /* pending error for net_sock_error */
    unsigned last_events;
    uint32_t laddr, raddr;
    uint16_t lport, rport;
    uint8_t ttl; /* IPv4 TTL of its packets; 0: IP_DEFAULT_TTL */
    union {
        struct tcp_pcb *tcp;
        struct {
            struct dgram *head, **tail;
            size_t bytes;
            uint16_t ident; /* ping */
            bool connected;
        } dg;
        struct dns_query *dns;
    } u;
};

/* --- the instance --------------------------------------------------------- */

struct dhcp_client;
struct dns_resolver;
struct ip_info;

/* The upper layers' entry points that a lower layer hands a packet or an
 * event to, as lwIP's ip4_input reaches its protocols: filled in by
 * net_create (stack.c, the top floor), so that no file calls a file above
 * it. ipv4.c delivers through the protocol entries, icmp.c reports errors
 * to the transports, arp.c tells TCP of a neighbour that never answered,
 * and udp.c hands DHCP and DNS their datagrams. */
struct net_upcalls {
    void (*icmp_input)(struct net_stack *st, const struct ip_info *ip, const uint8_t *p,
                       size_t len);
    void (*udp_input)(struct net_stack *st, const struct ip_info *ip, const uint8_t *p, size_t len);
    void (*tcp_input)(struct net_stack *st, const struct ip_info *ip, const uint8_t *p, size_t len);
    /* ICMP destination unreachable (RFC 792) for a datagram nobody takes */
    void (*send_unreach)(struct net_stack *st, const struct ip_info *ip, uint8_t code,
                         const uint8_t *l4, size_t l4_len);
    void (*udp_icmp_error)(struct net_stack *st, uint32_t dst, uint16_t sport, uint16_t dport,
                           int err);
    void (*tcp_icmp_error)(struct net_stack *st, uint32_t dst, uint16_t sport, uint16_t dport,
                           uint32_t seq, int err);
    void (*neighbour_unreachable)(struct net_stack *st, uint32_t ip);
    void (*dhcp_input)(struct net_stack *st, const struct ip_info *ip, const uint8_t *p,
                       size_t len);
    bool (*dns_input)(struct net_stack *st, const struct ip_info *ip, uint16_t sport,
                      uint16_t dport, const uint8_t *p, size_t len);
};

struct net_stack {
    struct net_config cfg;
    const struct net_upcalls *upper;
    uint64_t now;
    uint32_t addr, netmask, gateway;
    uint32_t dns[3];
    int ndns;
    bool up, from_dhcp;
    uint32_t lease_s;
    struct net_counters ctr;
    struct arp_entry arp[ARP_TABLE_SIZE];
    struct reass_slot reass[REASS_SLOTS];
    size_t reass_bytes;
    struct list_node socks;
    uint16_t ip_id;
    uint16_t next_port;
    uint16_t ping_ident;
    uint8_t isn_key[16]; /* RFC 6528 secret */
    struct dhcp_client *dhcp;
    struct dns_resolver *dns_res;
    unsigned rx_flags; /* NET_RX_* of the frame being processed */
    uint8_t *txbuf;    /* ETH_HLEN + mtu */
    uint8_t arpbuf[64];
};

/* Bulk copy for payload bytes, 8 bytes a move at any alignment. The
 * kernel's memcpy moves words only when both pointers are word-aligned,
 * and payloads sit at odd offsets in frames (66 bytes in for TCP with
 * timestamps), so lib/net's bulk copies go through this instead. The
 * constant-size __builtin_memcpy calls compile to single moves. */
static inline void net_copy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (; n >= 32; n -= 32, d += 32, s += 32) {
        uint64_t a, b, c, e;
        __builtin_memcpy(&a, s, 8);
        __builtin_memcpy(&b, s + 8, 8);
        __builtin_memcpy(&c, s + 16, 8);
        __builtin_memcpy(&e, s + 24, 8);
        __builtin_memcpy(d, &a, 8);
        __builtin_memcpy(d + 8, &b, 8);
        __builtin_memcpy(d + 16, &c, 8);
        __builtin_memcpy(d + 24, &e, 8);
    }
    for (; n >= 8; n -= 8, d += 8, s += 8) {
        uint64_t a;
        __builtin_memcpy(&a, s, 8);
        __builtin_memcpy(d, &a, 8);
    }
    while (n--)
        *d++ = *s++;
}

/* Brings st->now up to date from the config's clock, if it has one; every
 * public entry point that may arm a timer calls it first. */
static inline void net_refresh_time(struct net_stack *st)
{
    if (st->cfg.now) {
        uint64_t t = st->cfg.now(st->cfg.ctx);
        if (t > st->now) st->now = t;
    }
}

/* sock.c */
void net_send_frame(struct net_stack *st, const uint8_t *frame, size_t len);
uint32_t net_random32(struct net_stack *st);
uint16_t net_ephemeral_port(struct net_stack *st, int kind);
void net_sock_update(struct net_sock *s); /* re-evaluates readiness, notifies */
void net_notify_if(struct net_stack *st, unsigned ev);
uint64_t net_min_deadline(uint64_t a, uint64_t b);
/* ops: the kind's (tcp.c, dns.c), or NULL for a datagram queue. */
struct net_sock *net_sock_new(struct net_stack *st, enum sock_kind kind,
                              const struct net_sock_ops *ops);
void net_sock_free(struct net_sock *s);
int net_prefix_len(uint32_t mask);
void dgram_queue_free(struct net_sock *s);
/* Appends a copy of a datagram; NULL when over limit bytes or out of memory. */
struct dgram *dgram_enqueue(struct net_sock *s, uint32_t addr, uint16_t port, const void *data,
                            size_t len, size_t limit);

/* checksum.c (RFC 1071) */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t net_csum_fold(uint32_t sum);
uint32_t net_csum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
/* Whether a received checksum verifies. Fuzzing builds (KPIO_FUZZ) accept
 * any, so that mutated frames reach the parsers behind the checksums. */
#ifdef KPIO_FUZZ
static inline bool net_csum_ok(uint32_t sum)
{
    return (void)sum, true;
}
#else
static inline bool net_csum_ok(uint32_t sum)
{
    return net_csum_fold(sum) == 0;
}
#endif

/* arp.c */
void arp_input(struct net_stack *st, const uint8_t *pkt, size_t len);
/* Sends the IPv4 packet in frame+ETH_HLEN (ip_len bytes) to next hop. */
int arp_output(struct net_stack *st, uint32_t nexthop, uint8_t *frame, size_t ip_len);
void arp_announce(struct net_stack *st);
void arp_poll(struct net_stack *st);
uint64_t arp_deadline(const struct net_stack *st);
void arp_flush(struct net_stack *st);

/* ipv4.c */
void ipv4_input(struct net_stack *st, const uint8_t *pkt, size_t len);
/* Sends st->txbuf with l4_len transport bytes at NET_TX_L4, with the
 * default TTL, or with ttl (0: the default). */
int ipv4_output(struct net_stack *st, uint32_t src, uint32_t dst, uint8_t proto, size_t l4_len);
int ipv4_output_ttl(struct net_stack *st, uint32_t src, uint32_t dst, uint8_t proto, size_t l4_len,
                    uint8_t ttl);
bool ipv4_is_local(const struct net_stack *st, uint32_t dst, bool *broadcast);
uint32_t ipv4_source_for(const struct net_stack *st, uint32_t dst);
void net_apply_config(struct net_stack *st, uint32_t addr, uint32_t mask, uint32_t gw,
                      const uint32_t *dns, int ndns, bool from_dhcp, uint32_t lease_s);
void net_clear_config(struct net_stack *st);

/* ip4_frag.c: returns the payload of a complete datagram (owned by the slot
 * until ip4_reass_release) or NULL while fragments are missing. */
const uint8_t *ip4_reass_input(struct net_stack *st, const uint8_t *pkt, size_t hlen, size_t len,
                               size_t *out_len, int *slot);
void ip4_reass_release(struct net_stack *st, int slot);
void ip4_reass_poll(struct net_stack *st);
uint64_t ip4_reass_deadline(const struct net_stack *st);
void ip4_reass_free(struct net_stack *st);

/* icmp.c */
struct ip_info {
    uint32_t src, dst;
    uint8_t proto, ttl;
    bool broadcast;
    const uint8_t *hdr;
    size_t hlen;
};
void icmp_input(struct net_stack *st, const struct ip_info *ip, const uint8_t *p, size_t len);
void icmp_send_unreach(struct net_stack *st, const struct ip_info *ip, uint8_t code,
                       const uint8_t *l4, size_t l4_len);

/* udp.c */
void udp_input(struct net_stack *st, const struct ip_info *ip, const uint8_t *p, size_t len);
void udp_icmp_error(struct net_stack *st, uint32_t dst, uint16_t sport, uint16_t dport, int err);
struct net_sock *udp_find_bound(struct net_stack *st, uint16_t port);
#define UDP_HLEN 8
/* ttl 0: the default. */
int udp_send_raw(struct net_stack *st, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                 size_t len, uint8_t ttl);

/* tcp_*.c */
void tcp_input(struct net_stack *st, const struct ip_info *ip, const uint8_t *p, size_t len);
void tcp_icmp_error(struct net_stack *st, uint32_t dst, uint16_t sport, uint16_t dport,
                    uint32_t seq, int err);
void tcp_poll(struct net_stack *st, struct net_sock *s);
uint64_t tcp_deadline(const struct net_sock *s);
void tcp_sock_close(struct net_sock *s);
/* ARP gave up on next hop ip: connections still opening through it fail. */
void tcp_neighbour_unreachable(struct net_stack *st, uint32_t ip);

/* dhcp.c */
void dhcp_input(struct net_stack *st, const struct ip_info *ip, const uint8_t *p, size_t len);
void dhcp_poll(struct net_stack *st);
uint64_t dhcp_deadline(const struct net_stack *st);
void dhcp_free(struct net_stack *st);

/* dns.c */
/* Consumes a UDP datagram addressed to one of the resolver's ports. */
bool dns_input(struct net_stack *st, const struct ip_info *ip, uint16_t sport, uint16_t dport,
               const uint8_t *p, size_t len);
void dns_poll(struct net_stack *st);
uint64_t dns_deadline(const struct net_stack *st);
void dns_free(struct net_stack *st);

#endif
