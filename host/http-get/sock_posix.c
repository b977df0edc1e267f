/*
 * host/http-get/sock_posix.c - lib/http's socket interface over Linux
 * sockets. Names resolve with getaddrinfo (every address is tried in turn
 * within the connect timeout); sockets are non-blocking and each wait is a
 * poll(2) bounded by the caller's timeout, so nothing blocks longer than
 * asked. Errors are mapped from errno to ERR_* values.
 */
#include "sock_posix.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"

struct http_conn {
    int fd;
};

static uint64_t posix_now_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int errno_to_err(int e)
{
    switch (e) {
    case ECONNREFUSED: return ERR_CONNREFUSED;
    case ENETUNREACH: return ERR_NETUNREACH;
    case EHOSTUNREACH: return ERR_HOSTUNREACH;
    case ETIMEDOUT: return ERR_TIMEDOUT;
    case ECONNRESET: return ERR_CONNRESET;
    case ECONNABORTED: return ERR_CONNABORTED;
    case EPIPE: return ERR_PIPE;
    case ENOMEM:
    case ENOBUFS: return ERR_NOMEM;
    case EADDRNOTAVAIL: return ERR_ADDRNOTAVAIL;
    case ENETDOWN: return ERR_NETDOWN;
    case EMFILE: return ERR_MFILE;
    case ENFILE: return ERR_NFILE;
    default: return ERR_IO;
    }
}

/* Waits up to timeout_ms for events on fd. Returns 1 when ready,
 * ERR_TIMEDOUT, or an error. EINTR restarts with the time that is left. */
static int wait_fd(int fd, short events, uint32_t timeout_ms)
{
    uint64_t deadline = posix_now_ms(NULL) + timeout_ms;
    for (;;) {
        uint64_t now = posix_now_ms(NULL);
        uint64_t left = now < deadline ? deadline - now : 0;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
        if (r > 0) return 1;
        if (r == 0) return ERR_TIMEDOUT;
        if (errno != EINTR) return errno_to_err(errno);
    }
}

/* One non-blocking connect attempt to ai, waiting until deadline. */
static int try_connect(const struct addrinfo *ai, uint64_t deadline, int *out)
{
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno_to_err(errno);
    int r = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS) {
            r = errno_to_err(errno);
        } else {
            uint64_t now = posix_now_ms(NULL);
            r = wait_fd(fd, POLLOUT, now < deadline ? (uint32_t)(deadline - now) : 0);
            if (r == 1) {
                int soerr = 0;
                socklen_t len = sizeof soerr;
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
                r = soerr ? errno_to_err(soerr) : 0;
            }
        }
    }
    if (r < 0) {
        close(fd);
        return r;
    }
    int one = 1; /* the head and a body go out in separate sends */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *out = fd;
    return 0;
}

static int posix_connect(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms,
                         struct http_conn **conn)
{
    (void)ctx;
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG};
    struct addrinfo *res;
    int g = getaddrinfo(host, service, &hints, &res);
    if (g != 0) {
        switch (g) {
        case EAI_NONAME:
#ifdef EAI_NODATA
        case EAI_NODATA:
#endif
            return ERR_NXDOMAIN;
        case EAI_MEMORY: return ERR_NOMEM;
        default: return ERR_DNSFAIL;
        }
    }
    uint64_t deadline = posix_now_ms(NULL) + timeout_ms;
    int r = ERR_CONNREFUSED, fd = -1;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        r = try_connect(ai, deadline, &fd);
        if (r == 0 || r == ERR_TIMEDOUT) break;
    }
    freeaddrinfo(res);
    if (r < 0) return r;
    struct http_conn *c = malloc(sizeof *c);
    if (!c) {
        close(fd);
        return ERR_NOMEM;
    }
    c->fd = fd;
    *conn = c;
    return 0;
}

/* Time left until deadline, for the next wait. */
static uint32_t left_ms(uint64_t deadline)
{
    uint64_t now = posix_now_ms(NULL);
    return now < deadline ? (uint32_t)(deadline - now) : 0;
}

static long posix_send(void *ctx, struct http_conn *c, const void *buf, size_t len,
                       uint32_t timeout_ms)
{
    (void)ctx;
    uint64_t deadline = posix_now_ms(NULL) + timeout_ms;
    for (;;) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n > 0) return (long)n;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return errno_to_err(errno);
        int r = wait_fd(c->fd, POLLOUT, left_ms(deadline));
        if (r < 0) return r;
    }
}

static long posix_recv(void *ctx, struct http_conn *c, void *buf, size_t len, uint32_t timeout_ms)
{
    (void)ctx;
    uint64_t deadline = posix_now_ms(NULL) + timeout_ms;
    for (;;) {
        ssize_t n = recv(c->fd, buf, len, 0);
        if (n >= 0) return (long)n;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return errno_to_err(errno);
        uint32_t left = left_ms(deadline);
        if (left == 0) return ERR_TIMEDOUT;
        int r = wait_fd(c->fd, POLLIN, left);
        if (r < 0) return r;
    }
}

static void posix_close(void *ctx, struct http_conn *c)
{
    (void)ctx;
    close(c->fd);
    free(c);
}

static const struct http_sock_ops posix_ops = {
    .connect = posix_connect,
    .send = posix_send,
    .recv = posix_recv,
    .close = posix_close,
    .now_ms = posix_now_ms,
};

void http_sock_posix(struct http_sock *sock)
{
    sock->ops = &posix_ops;
    sock->ctx = NULL;
}
