/*
 * apps/include/sdk/net.h - TCP and name lookup for apps over wasi:sockets
 * 0.2 (instance-network, ip-name-lookup, tcp-create-socket, tcp): resolve
 * a name, connect by name with a deadline, listen and accept, and the
 * formatting of addresses. Failures return -1 with wasi2_error() set
 * (kind WASI2_ERR_SOCKETS and the WIT error code, or WASI2_ERR_TIMEOUT).
 */
#ifndef SDK_NET_H
#define SDK_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sdk/wasi2.h"

/* An IP address and port (wasi:sockets/network ip-socket-address). */
struct net_addr {
    int family; /* WASI_SOCKETS_NETWORK_IP_ADDRESS_FAMILY_IPV4 or _IPV6 */
    uint16_t port;
    uint8_t v4[4];
    uint16_t v6[8];
    uint32_t flow_info, scope_id;
};

/* A connected TCP socket and its two streams (children of the socket). */
struct net_tcp {
    int32_t sock, in, out;
};

/* The instance's network (instance-network), fetched once. */
int32_t net_network(void);

/* Resolves name (a host name or an IP literal) into at most cap addresses
 * (port 0), in the order the host gives them, waiting at most timeout_ns.
 * Returns the count (at least 1) or -1: name-unresolvable when the name
 * does not exist, temporary-resolver-failure, ..., or WASI2_ERR_TIMEOUT. */
int net_resolve(const char *name, struct net_addr *out, size_t cap, uint64_t timeout_ns);

/* Connects to addr within timeout_ns. Returns 0 or -1. */
int net_tcp_connect(const struct net_addr *addr, uint64_t timeout_ns, struct net_tcp *c);

/* Resolves host and connects to the first address that accepts, each try
 * within timeout_ns. On failure the message names the last error. */
int net_tcp_connect_name(const char *host, uint16_t port, uint64_t timeout_ns, struct net_tcp *c);

/* Shuts down the sending side (the peer sees end of stream). */
int net_tcp_shutdown_send(struct net_tcp *c);

/* Turns on TCP keep-alive: a probe after idle_ns without traffic, then
 * every interval_ns; after count unanswered probes the connection fails
 * (reads and writes then report the error). */
int net_tcp_keepalive(struct net_tcp *c, uint64_t idle_ns, uint64_t interval_ns, uint32_t count);

/* Drops the streams and then the socket. Safe on a zeroed struct. */
void net_tcp_close(struct net_tcp *c);

/* A listening socket on addr (port 0: any free port) with the backlog. */
int net_tcp_listen(const struct net_addr *addr, uint32_t backlog, int32_t *sock);
/* The local address of a socket (to learn the port picked for port 0). */
int net_tcp_local_address(int32_t sock, struct net_addr *addr);
/* Waits for and accepts one connection; peer may be NULL. */
int net_tcp_accept(int32_t listener, struct net_tcp *c, struct net_addr *peer);
/* Accepts a connection if one is waiting, without waiting: returns 1 with
 * *c (and *peer), 0 when none is there yet (the listener's pollable,
 * wasi_sockets_tcp_tcp_socket_subscribe, tells when one is), or -1. */
int net_tcp_try_accept(int32_t listener, struct net_tcp *c, struct net_addr *peer);

/* "10.0.2.2" or "::1" (RFC 5952 form), without the port. */
void net_addr_format(const struct net_addr *a, char *out, size_t size);
/* "10.0.2.2:8080" or "[::1]:8080". */
void net_addr_format_port(const struct net_addr *a, char *out, size_t size);
/* Parses an IPv4 literal "a.b.c.d" (port 0). */
bool net_addr_parse_v4(const char *s, struct net_addr *a);

/* Reads a socket address from a canonical-ABI return area at p, where p
 * holds the variant's tag and the payload starts at p + 4. */
void net_addr_from_abi(const uint8_t *p, struct net_addr *a);

#endif
