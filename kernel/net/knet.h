/*
 * kernel/net/knet.h - the kernel's network layer: lib/net bound to a network
 * device, run by one net thread, with blocking calls for threads.
 *
 * All lib/net calls happen under net_lock (a mutex), so the stack needs no
 * locking of its own. The net thread feeds received frames in and runs the
 * timers; any thread may call the socket functions below, which block on
 * the socket's wait queue until the stack reports readiness or the deadline
 * (monotonic ns; 0 = none) passes. Errors are ERR_* values; a kill makes
 * a wait return ERR_CANCELED.
 */
#ifndef KNET_NET_H
#define KNET_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h" /* lib/net */

/* Starts networking on the default interface: DHCP, or the static set-up
 * of the kernel option net=static:ADDR/PREFIX,GW,DNS. */
int knet_start(void);
/* Waits until an address is configured. */
int knet_wait_up(uint64_t deadline_ns);
/* The interface state for ifconfig. */
struct knet_info {
    char name[8];
    const char *driver;
    bool link_up;
    struct net_ifinfo ip;
    struct net_counters stack;
    uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes, rx_drops, tx_drops, rx_errors, tx_errors;
    uint64_t lease_at_ms; /* monotonic time the address came up; 0 if not */
};
int knet_info(struct knet_info *out);

struct ksock;

/* TCP. */
int ksock_tcp_connect(uint32_t addr, uint16_t port, uint64_t deadline_ns, struct ksock **out);
/* Starts a connection and returns at once (lib/net's net_tcp_connect
 * completes in the background); ksock_poll reports NET_POLL_OUT once it is
 * established, NET_POLL_ERR / NET_POLL_HUP once it failed. */
int ksock_tcp_connect_start(uint32_t addr, uint16_t port, struct ksock **out);
/* How a started connection stands, without waiting: 0 established,
 * ERR_AGAIN in progress, or its error (ERR_CONNREFUSED, ERR_TIMEDOUT after
 * lib/net's SYN retries, ERR_HOSTUNREACH...), reported once. */
int ksock_tcp_connect_result(struct ksock *s);
int ksock_tcp_listen(uint32_t addr, uint16_t port, int backlog, struct ksock **out);
/* Waits for a connection on a listening socket until the deadline. */
int ksock_accept(struct ksock *s, uint64_t deadline_ns, struct ksock **out);
/* Sends all of buf unless an error or the deadline stops it; returns the
 * bytes sent if any, else the error. */
long ksock_send(struct ksock *s, const void *buf, size_t len, uint64_t deadline_ns);
/* Receives at least one byte; 0 at end of stream. */
long ksock_recv(struct ksock *s, void *buf, size_t len, uint64_t deadline_ns);
int ksock_shutdown(struct ksock *s, int how);

/* UDP. */
int ksock_udp_open(uint32_t addr, uint16_t port, struct ksock **out);
long ksock_udp_sendto(struct ksock *s, const void *buf, size_t len, uint32_t addr, uint16_t port);
long ksock_udp_recvfrom(struct ksock *s, void *buf, size_t len, uint32_t *addr, uint16_t *port,
                        uint64_t deadline_ns);

/* Non-blocking access for poll-style users (WASI): the raw operations and
 * the readiness bits (NET_POLL_*). */
unsigned ksock_poll(struct ksock *s);
long ksock_try_send(struct ksock *s, const void *buf, size_t len);
long ksock_try_recv(struct ksock *s, void *buf, size_t len);
int ksock_try_accept(struct ksock *s, struct ksock **out);
void ksock_name(struct ksock *s, uint32_t *laddr, uint16_t *lport, uint32_t *raddr,
                uint16_t *rport);
void ksock_close(struct ksock *s);
/* Socket options, applied by lib/net under the lock (the net thread then
 * wakes for the keep-alive timer): keep-alive per net_tcp_set_keepalive
 * (on: 1, 0, or -1 to leave it; times in ms, 0 keeps the current value)
 * and the IPv4 TTL of the socket's packets (net_sock_set_ttl). ERR_INVAL
 * for bad values or the wrong kind of socket. */
int ksock_set_keepalive(struct ksock *s, int on, uint32_t idle_ms, uint32_t interval_ms,
                        uint32_t count);
int ksock_set_ttl(struct ksock *s, uint8_t ttl);

/* Resolves name (or an address literal) to IPv4 addresses. */
int knet_resolve(const char *name, uint32_t *addrs, int max, uint64_t deadline_ns);
/* Starts resolving name without waiting: 1 with addrs[0] for an address
 * literal, or 0 with *query, a socket that ksock_poll reports NET_POLL_IN
 * on once the answer is in (knet_resolve_result; free it with
 * ksock_close), or an error. */
int knet_resolve_start(const char *name, uint32_t *addrs, struct ksock **query);
/* The answer of a started query: as knet_resolve, or ERR_AGAIN while pending. */
int knet_resolve_result(struct ksock *query, uint32_t *addrs, int max);
/* Sends one echo request; on a reply fills *reply. */
int knet_ping(uint32_t dst, uint16_t seq, size_t payload, uint64_t deadline_ns,
              struct net_ping_reply *reply);

#endif
