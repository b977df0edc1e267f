/*
 * lib/net/net.h - KPIO's portable, sans-IO TCP/IP stack: the public API.
 *
 * A stack instance is one Ethernet interface with its IPv4 configuration,
 * ARP cache, reassembly buffers, sockets, DHCP client and DNS resolver. The
 * caller (the kernel's net thread, or a host test program) owns all I/O:
 *
 *   - frames received from the wire go in through net_input(stack, f, n, now);
 *   - frames to send come out through the config's tx callback, synchronously
 *     (the frame pointer is only valid during the call);
 *   - time drives timers through net_poll(stack, now); net_next_deadline()
 *     says when poll must be called next;
 *   - readiness changes of a socket are reported through the notify
 *     callback, so the caller can wake threads that wait on it.
 *
 * The stack never sleeps, spins or allocates in unbounded amounts, and is not
 * thread-safe: the caller runs every call for one instance under one lock or
 * in one thread. Callbacks must not call back into the same stack. Time is a
 * monotonic count of milliseconds; socket calls use the config's now
 * callback if there is one, else the time of the last net_input/net_poll.
 * There are no globals: instances are independent.
 *
 * Addresses are IPv4 in host byte order (10.0.2.15 is 0x0a00020f), ports in
 * host byte order. Errors are negative ERR_* values from base/error.h.
 *
 * A caller's loop (the kernel's net thread; tests/net/tap_host.c on Linux):
 *
 *     net_create(&cfg, now, &st); net_dhcp_start(st);    (or net_set_static)
 *     for (;;) {
 *         wait for a received frame, or until net_next_deadline(st);
 *         for each frame: net_input(st, frame, len, now);
 *         net_poll(st, now);
 *     }
 *
 * Threads that use sockets take the same lock (with cfg.now set, or after
 * net_poll(st, now), so that timers start from the current time), try the
 * call, and on ERR_AGAIN sleep until notify reports the
 * socket (then check net_sock_poll again: readiness is level-triggered,
 * notify is sent on rising edges only). DNS lookups and ping replies are
 * sockets too, so one wait mechanism serves all.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_stack;
struct net_sock;

/* Readiness and event bits, for net_sock_poll() and the notify callback. */
enum {
    NET_POLL_IN = 1 << 0,  /* recv/accept/result would not return ERR_AGAIN */
    NET_POLL_OUT = 1 << 1, /* send would take at least one byte */
    NET_POLL_ERR = 1 << 2, /* an error is pending (net_sock_error) */
    NET_POLL_HUP = 1 << 3, /* the peer closed its side, or the socket is dead */
};

/* notify(ctx, NULL, NET_EV_*) reports interface events. */
enum {
    NET_EV_ADDR_UP = 1 << 8,   /* an address is configured (DHCP lease or static) */
    NET_EV_ADDR_DOWN = 1 << 9, /* the lease expired or was withdrawn */
};

struct net_config {
    uint8_t mac[6];
    uint16_t mtu; /* IP MTU; 0 means 1500 */
    void *ctx;    /* passed to every callback */
    /* Sends one Ethernet frame (no FCS). Must copy or finish with it before
     * returning. Must not call into the stack. */
    void (*tx)(void *ctx, const void *frame, size_t len);
    /* Fills buf with unpredictable bytes (ISN secret, ports, xids, ids). */
    void (*random)(void *ctx, void *buf, size_t len);
    /* Readiness of sock changed (events: NET_POLL_* now true), or an
     * interface event with sock == NULL. Optional. Must not call into the
     * stack; it may only record the event and wake waiters. */
    void (*notify)(void *ctx, struct net_sock *sock, unsigned events);
    /* The current time in ms. Optional but recommended: socket calls made
     * between net_poll calls then arm their timers from the real time,
     * not from the stack's last-seen time. */
    uint64_t (*now)(void *ctx);
    uint32_t tcp_rcvbuf;     /* receive buffer per TCP socket; 0: 512 KiB */
    uint32_t tcp_sndbuf;     /* send buffer per TCP socket; 0: 256 KiB */
    uint32_t tcp_msl_ms;     /* maximum segment lifetime; 0: 30 s (TIME_WAIT = 2 MSL) */
    uint32_t tcp_min_rto_ms; /* 0: 200 ms (see tcp_out.c for the RFC 6298 note) */
    uint32_t tcp_delack_ms;  /* delayed-ACK timeout; 0: 40 ms */
    const char *hostname;    /* sent in DHCP option 12 when set */
};

/* Per-interface counters. */
struct net_counters {
    uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
    uint64_t rx_drops;  /* well-formed but unwanted or no room (no socket, queue full) */
    uint64_t rx_errors; /* malformed: bad lengths, checksums, versions */
    uint64_t tx_drops;  /* not sent: unresolved neighbour gave up, queue full */
    uint64_t tcp_retransmits;
    uint64_t tcp_timeouts;           /* retransmission timer expiries */
    uint64_t tcp_keepalive_probes;   /* keep-alive probes sent */
    uint64_t tcp_keepalive_timeouts; /* connections aborted for unanswered probes */
};

/* The interface's IPv4 configuration as currently in force. */
struct net_ifinfo {
    bool up;   /* an address is configured */
    bool dhcp; /* it came from a DHCP lease */
    uint32_t addr, netmask, gateway;
    uint32_t dns[3];
    int ndns;
    uint32_t lease_s; /* lease time from DHCP (0 for static) */
    uint8_t mac[6];
    uint16_t mtu;
};

/* --- the instance ------------------------------------------------------- */

/* Creates a stack; *out is set on success. ERR_INVAL for a config without
 * tx or random; ERR_NOMEM. */
int net_create(const struct net_config *cfg, uint64_t now, struct net_stack **out);
/* Frees the stack and every socket still open (their pointers die too). */
void net_destroy(struct net_stack *st);

/* One received Ethernet frame (without FCS). Never fails: bad frames are
 * counted and dropped. */
void net_input(struct net_stack *st, const void *frame, size_t len, uint64_t now);
/* net_input with facts the device established: NET_RX_CSUM_VALID says the
 * TCP/UDP checksum was verified (virtio-net's VIRTIO_NET_HDR_F_DATA_VALID),
 * so the stack skips that pass over the payload. */
enum { NET_RX_CSUM_VALID = 1 << 0 };
void net_input_ex(struct net_stack *st, const void *frame, size_t len, uint64_t now,
                  unsigned flags);
/* Runs every timer that is due. */
void net_poll(struct net_stack *st, uint64_t now);
/* The earliest time at which net_poll has work; UINT64_MAX if none. */
uint64_t net_next_deadline(const struct net_stack *st);

void net_get_counters(const struct net_stack *st, struct net_counters *out);
void net_get_ifinfo(const struct net_stack *st, struct net_ifinfo *out);

/* Static configuration: address/prefix, gateway (0 for none), DNS servers.
 * Stops a running DHCP client. Sends a gratuitous ARP. */
int net_set_static(struct net_stack *st, uint32_t addr, int prefix, uint32_t gateway,
                   const uint32_t *dns, int ndns);
/* Starts the DHCP client (RFC 2131); NET_EV_ADDR_UP is notified on a lease. */
int net_dhcp_start(struct net_stack *st);
/* Static host entries for the resolver ("name" -> addr), checked first. */
int net_dns_add_host(struct net_stack *st, const char *name, uint32_t addr);

/* "a.b.c.d" <-> address helpers. parse returns ERR_INVAL on bad text;
 * format writes at most 16 bytes including the NUL. */
int net_ip_parse(const char *s, uint32_t *out);
void net_ip_format(uint32_t addr, char buf[16]);

/* --- sockets (non-blocking) ---------------------------------------------- */

/* Every socket kind shares these calls. close frees the handle: a TCP
 * connection goes on closing gracefully in the background (FIN, TIME_WAIT)
 * and reports nothing more. */
unsigned net_sock_poll(const struct net_sock *s);
/* Returns and clears the pending error (0 if none). */
int net_sock_error(struct net_sock *s);
void net_sock_close(struct net_sock *s);
/* Opaque value for the caller (e.g. its wait queue); NULL initially. */
void net_sock_set_user(struct net_sock *s, void *user);
void *net_sock_user(const struct net_sock *s);
/* The IPv4 TTL of the socket's outgoing packets (IP_TTL; TCP and UDP
 * sockets, accepted TCP children inherit it); 64 by default. ERR_INVAL for
 * 0 or another kind of socket. */
int net_sock_set_ttl(struct net_sock *s, uint8_t ttl);
/* Local and remote endpoints (0 where unknown). */
void net_sock_name(const struct net_sock *s, uint32_t *laddr, uint16_t *lport, uint32_t *raddr,
                   uint16_t *rport);

/* TCP (RFC 9293). bind is optional (port 0: ephemeral). connect returns 0
 * and completes in the background (NET_POLL_OUT when established, ERR with
 * ERR_CONNREFUSED/ERR_TIMEDOUT/ERR_HOSTUNREACH otherwise). */
int net_tcp_socket(struct net_stack *st, struct net_sock **out);
int net_sock_bind(struct net_sock *s, uint32_t addr, uint16_t port);
int net_tcp_connect(struct net_sock *s, uint32_t addr, uint16_t port);
int net_tcp_listen(struct net_sock *s, int backlog);
/* ERR_AGAIN when no connection is waiting. */
int net_tcp_accept(struct net_sock *s, struct net_sock **out);
/* Copies up to len bytes into the send buffer; returns the count taken,
 * ERR_AGAIN when full, ERR_PIPE after shutdown, or the connection's error. */
long net_tcp_send(struct net_sock *s, const void *buf, size_t len);
/* Copies out up to len received bytes; 0 at end of stream, ERR_AGAIN when
 * nothing is there yet, or the connection's error. */
long net_tcp_recv(struct net_sock *s, void *buf, size_t len);
/* how: 1 = no more sending (FIN after the buffered data), 0 = no more
 * receiving, 2 = both. */
int net_tcp_shutdown(struct net_sock *s, int how);
/* Disables Nagle's algorithm (RFC 1122 4.2.3.4) when nodelay is true. */
void net_tcp_set_nodelay(struct net_sock *s, bool nodelay);
/* Keep-alive (RFC 1122 4.2.3.6, RFC 9293 3.8.4), off by default. When on
 * and the connection is synchronized with nothing unacknowledged or unsent,
 * idle_ms after the last segment received from the peer a probe goes out
 * (an ACK with SEG.SEQ = SND.NXT-1 and no data, which the peer must
 * answer), then one every interval_ms; any segment from the peer starts
 * the idle time again. After count unanswered probes, one interval later,
 * the connection is aborted (RST) with ERR_TIMEDOUT. A value of 0 keeps
 * the current one; the defaults are Linux's: 7200 s, 75 s, 9. Children of
 * a listener inherit its settings. ERR_INVAL for a socket that is not TCP
 * or values out of range (idle and interval at most 2^31 ms, count 255). */
int net_tcp_set_keepalive(struct net_sock *s, bool on, uint32_t idle_ms, uint32_t interval_ms,
                          uint32_t count);
/* The current keep-alive settings (any pointer may be NULL); ERR_INVAL for
 * a socket that is not TCP. */
int net_tcp_get_keepalive(const struct net_sock *s, bool *on, uint32_t *idle_ms,
                          uint32_t *interval_ms, uint32_t *count);
/* Aborts with RST and frees the handle. */
void net_tcp_abort(struct net_sock *s);
/* Name of the TCP state ("ESTABLISHED"), for the shell and tests. */
const char *net_tcp_state_name(const struct net_sock *s);

/* UDP (RFC 768). sendto needs a bound or auto-bound socket; a connected
 * socket may pass addr 0 to mean its peer and only receives from it. An ICMP
 * port unreachable for a datagram it sent sets ERR_CONNREFUSED. */
int net_udp_socket(struct net_stack *st, struct net_sock **out);
int net_udp_connect(struct net_sock *s, uint32_t addr, uint16_t port);
long net_udp_sendto(struct net_sock *s, const void *buf, size_t len, uint32_t addr, uint16_t port);
/* One datagram; truncated to len (the return is the copied size). */
long net_udp_recvfrom(struct net_sock *s, void *buf, size_t len, uint32_t *addr, uint16_t *port);

/* ICMP echo (ping). A ping socket sends echo requests with its own
 * identifier and receives the matching replies. */
struct net_ping_reply {
    uint32_t from;
    uint16_t seq;
    uint8_t ttl;
    uint16_t len;    /* payload bytes */
    uint32_t rtt_ms; /* from send to arrival */
};
int net_ping_socket(struct net_stack *st, struct net_sock **out);
int net_ping_send(struct net_sock *s, uint32_t dst, uint16_t seq, size_t payload_len);
int net_ping_recv(struct net_sock *s, struct net_ping_reply *out);

/* DNS (RFC 1035): an asynchronous lookup of A records. The handle becomes
 * readable when the answer is in; result returns the number of addresses
 * (>= 1), ERR_AGAIN while pending, ERR_NXDOMAIN, ERR_TIMEDOUT or ERR_DNSFAIL. */
int net_dns_lookup(struct net_stack *st, const char *name, struct net_sock **out);
int net_dns_result(struct net_sock *s, uint32_t *addrs, int max, uint32_t *ttl);

#endif
