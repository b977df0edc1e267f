/*
 * host/port/wasi_host.h - lib/wasi's system port over Linux (see
 * lib/wasi/port.h): files through openat2 confined with RESOLVE_BENEATH,
 * the process's stdin/stdout/stderr as the console, clock_gettime,
 * getrandom, poll(2), BSD sockets and getaddrinfo.
 */
#ifndef HOST_PORT_WASI_HOST_H
#define HOST_PORT_WASI_HOST_H

#include "wasi/port.h"

/* Fills *port with the Linux port (one per app). Returns 0 or ERR_NOMEM. */
int wasi_host_port_new(struct wasi_port *port);
void wasi_host_port_free(struct wasi_port *port);
/* Makes the port's waits end with ERR_CANCELED (lib/wasi then traps
 * "killed") once CLOCK_MONOTONIC passes *deadline_ns, read at each wait,
 * so that a time limit also stops an app blocked in a poll. */
void wasi_host_port_set_kill_deadline(struct wasi_port *port, const uint64_t *deadline_ns);

/* A socket handle of the port for fd, which stays the caller's: for
 * waits on a connection that lib/wasi does not own (kpio-wasm serve's
 * client, whose request body a handler polls). 0 or ERR_NOMEM; unborrow
 * frees the handle and leaves fd open. */
int wasi_host_sock_borrow(int fd, struct wasi_port_sock **out);
void wasi_host_sock_unborrow(struct wasi_port_sock *s);

/* Opens the host directory path as a directory handle for a preopen. */
int wasi_host_open_dir(struct wasi_port *port, const char *path, struct wasi_port_file **out);

/* wasi_common.c: shared by wasi_files.c and wasi_sock.c. */
int wasi_host_errno(int e);
uint64_t wasi_host_mono_ns(void);

/* The ops table (wasi_files.c, top of the port) and the descriptors that
 * its wait polls. */
extern const struct wasi_port_ops wasi_host_ops;
int wasi_host_file_fd(const struct wasi_port_file *f);
int wasi_host_sock_fd(const struct wasi_port_sock *s);

/* wasi_sock.c's part of the table. */
int wasi_host_tcp_connect(void *ctx, const struct wasi_port_addr *local,
                          const struct wasi_port_addr *remote, uint64_t deadline,
                          struct wasi_port_sock **out);
int wasi_host_tcp_connect_start(void *ctx, const struct wasi_port_addr *local,
                                const struct wasi_port_addr *remote, struct wasi_port_sock **out);
int wasi_host_tcp_connect_result(void *ctx, struct wasi_port_sock *s);
int wasi_host_tcp_listen(void *ctx, const struct wasi_port_addr *local, unsigned backlog,
                         struct wasi_port_sock **out);
int wasi_host_tcp_accept(void *ctx, struct wasi_port_sock *s, struct wasi_port_sock **out);
long wasi_host_send(void *ctx, struct wasi_port_sock *s, const void *buf, size_t len);
long wasi_host_recv(void *ctx, struct wasi_port_sock *s, void *buf, size_t len);
int wasi_host_shutdown(void *ctx, struct wasi_port_sock *s, int how);
int wasi_host_udp_open(void *ctx, const struct wasi_port_addr *local, struct wasi_port_sock **out);
long wasi_host_udp_sendto(void *ctx, struct wasi_port_sock *s, const void *buf, size_t len,
                          const struct wasi_port_addr *to);
long wasi_host_udp_recvfrom(void *ctx, struct wasi_port_sock *s, void *buf, size_t len,
                            struct wasi_port_addr *from);
int wasi_host_sock_name(void *ctx, struct wasi_port_sock *s, struct wasi_port_addr *local,
                        struct wasi_port_addr *remote);
void wasi_host_sock_close(void *ctx, struct wasi_port_sock *s);
/* Keep-alive and TTL through setsockopt (seconds rounded up). */
int wasi_host_sock_set_option(void *ctx, struct wasi_port_sock *s, enum wasi_port_sockopt opt,
                              uint64_t value);
int wasi_host_resolve(void *ctx, const char *name, struct wasi_port_addr *addrs, int max,
                      uint64_t deadline);
int wasi_host_resolve_start(void *ctx, const char *name, struct wasi_port_addr *addrs, int max,
                            struct wasi_port_sock **pending);
int wasi_host_resolve_result(void *ctx, struct wasi_port_sock *pending,
                             struct wasi_port_addr *addrs, int max);

#endif
