/*
 * host/kpio-wasm/serve_sock.c - the POSIX socket under a connection of
 * `kpio-wasm serve`: lib/serve's byte-stream seam (struct serve_io) over a
 * non-blocking send/recv and poll(2) with deadlines on CLOCK_MONOTONIC.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "base/error.h"
#include "host/kpio-wasm/serve.h"

uint64_t serve_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Waits for events on the socket until deadline: 0, or ERR_TIMEDOUT. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
    for (;;) {
        uint64_t now = serve_now_ns();
        if (now >= deadline) return ERR_TIMEDOUT;
        struct pollfd p = {.fd = fd, .events = events};
        int ms = (int)((deadline - now + 999999u) / 1000000u);
        int n = poll(&p, 1, ms);
        if (n > 0) return 0;
        if (n < 0 && errno != EINTR) return ERR_IO;
    }
}

static long sock_recv(void *ctx, void *buf, size_t len, uint64_t deadline)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);
        if (n >= 0) return n;
        if (errno != EAGAIN && errno != EINTR) return ERR_CONNRESET;
        if (deadline == 0 && errno == EAGAIN) return ERR_AGAIN; /* not to wait */
        int rc = wait_fd(fd, POLLIN, deadline);
        if (rc) return rc;
    }
}

/* Sends the pieces whole, waiting at most idle_ms for each bit of progress. */
static int sock_send(void *ctx, const struct serve_piece *v, int n, uint32_t idle_ms)
{
    int fd = *(int *)ctx;
    struct iovec iov[8];
    if (n > 8) return ERR_INVAL;
    for (int i = 0; i < n; i++)
        iov[i] = (struct iovec){(void *)v[i].data, v[i].len};
    struct iovec *p = iov;
    while (n > 0) {
        struct msghdr m = {.msg_iov = p, .msg_iovlen = (size_t)n};
        ssize_t k = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k < 0) {
            if (errno != EAGAIN && errno != EINTR) return ERR_CONNRESET;
            int rc = wait_fd(fd, POLLOUT, serve_now_ns() + (uint64_t)idle_ms * 1000000u);
            if (rc) return rc;
            continue;
        }
        while (n > 0 && (size_t)k >= p->iov_len) {
            k -= (ssize_t)p->iov_len;
            p++;
            n--;
        }
        if (n > 0) {
            p->iov_base = (char *)p->iov_base + k;
            p->iov_len -= (size_t)k;
        }
    }
    return 0;
}

static uint64_t sock_now(void *ctx)
{
    (void)ctx;
    return serve_now_ns();
}

struct serve_io serve_sock_io(int *fd)
{
    return (struct serve_io){.ctx = fd, .recv = sock_recv, .send = sock_send, .now_ns = sock_now};
}
