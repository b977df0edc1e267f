/*
 * lib/http/sock.h - the socket interface the HTTP client runs over, passed
 * in by its caller: the kernel's port over lib/net, the host's over BSD
 * sockets (host/http-get/sock_posix.c), lib/wasi's over either.
 *
 * Calls may block up to their timeout; the client never waits otherwise
 * (http_client_step passes timeout 0 and waits in its caller instead).
 * Name resolution is the interface's job (getaddrinfo on the host, the
 * kernel's DNS client in KPIO). Errors are negative ERR_* values.
 */
#ifndef HTTP_SOCK_H
#define HTTP_SOCK_H

#include <stddef.h>
#include <stdint.h>

struct http_conn; /* one TCP connection, defined by the implementation */

struct http_sock_ops {
    /* Resolves host (a C string: a name, an IPv4 literal, or an IPv6 literal
     * without brackets) and opens a TCP connection to port, giving up after
     * timeout_ms. Returns 0 and sets *conn, or ERR_TIMEDOUT,
     * ERR_CONNREFUSED, ERR_NXDOMAIN, ERR_DNSFAIL, ERR_NETUNREACH,
     * ERR_HOSTUNREACH, ERR_NOMEM, ... */
    int (*connect)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                   struct http_conn **conn);
    /* Sends up to len > 0 bytes, waiting at most timeout_ms (0: do not
     * wait) for room. Returns the count sent (> 0), ERR_TIMEDOUT if none
     * could be, or an
     * error (ERR_PIPE, ERR_CONNRESET, ...). */
    long (*send)(void *ctx, struct http_conn *conn, const void *buf, size_t len,
                 uint32_t timeout_ms);
    /* Receives up to len > 0 bytes, waiting at most timeout_ms (0: do not
     * wait) for some. Returns the count received (> 0, possibly fewer than
     * len), 0 when the peer closed the connection, ERR_TIMEDOUT if nothing
     * arrived in time, or an error (ERR_CONNRESET, ...). */
    long (*recv)(void *ctx, struct http_conn *conn, void *buf, size_t len, uint32_t timeout_ms);
    /* Closes the connection and frees it. */
    void (*close)(void *ctx, struct http_conn *conn);
    /* A monotonic clock in milliseconds, for deadlines over several calls. */
    uint64_t (*now_ms)(void *ctx);
    /* Optional (TLS sockets, lib/tls): one line saying why the last call
     * failed with ERR_TLS_CERT, ERR_TLS_ALERT or ERR_TLS_PROTO. */
    const char *(*error)(void *ctx);
    /* Optional, both or neither (for http_client_step): starts what
     * connect does and returns at once with *conn in progress, or an
     * error; connect_result then tells without waiting: 0 connected,
     * ERR_AGAIN still connecting, or the error (the conn is then still
     * to be closed). The caller enforces timeout_ms. Without them,
     * http_client_step connects with connect, which waits. */
    int (*connect_start)(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                         struct http_conn **conn);
    int (*connect_result)(void *ctx, struct http_conn *conn);
};

struct http_sock {
    const struct http_sock_ops *ops;
    void *ctx;
};

#endif
