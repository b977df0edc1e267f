/*
 * host/port/wasi_sock.c - the Linux port of lib/wasi: TCP and UDP over BSD
 * sockets (always non-blocking; the only waits are the blocking connect's,
 * bounded by its deadline, and the port's wait(); a connect may also just
 * start: EINPROGRESS, then POLLOUT and SO_ERROR), their options
 * (setsockopt: keep-alive and TTL), and name resolution with getaddrinfo,
 * either waiting or on a thread of its own whose end a socketpair reports
 * to the port's wait() (resolve_start). Addresses are IPv4 and IPv6.
 */
#include "wasi_host.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/error.h"

struct lookup;

struct wasi_port_sock {
    int fd;
    struct lookup *lookup; /* a resolution in progress (fd: the end its thread wakes), or NULL */
};

int wasi_host_sock_fd(const struct wasi_port_sock *s)
{
    return s->fd;
}

static socklen_t to_sockaddr(const struct wasi_port_addr *a, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (a->family == 6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(a->port);
        s6->sin6_flowinfo = htonl(a->flowinfo);
        s6->sin6_scope_id = a->scope_id;
        memcpy(&s6->sin6_addr, a->addr, 16);
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(a->port);
    memcpy(&s4->sin_addr, a->addr, 4);
    return sizeof *s4;
}

static void from_sockaddr(const struct sockaddr *sa, struct wasi_port_addr *a)
{
    memset(a, 0, sizeof *a);
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        a->family = 6;
        a->port = ntohs(s6->sin6_port);
        a->flowinfo = ntohl(s6->sin6_flowinfo);
        a->scope_id = s6->sin6_scope_id;
        memcpy(a->addr, &s6->sin6_addr, 16);
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        a->family = 4;
        a->port = ntohs(s4->sin_port);
        memcpy(a->addr, &s4->sin_addr, 4);
    }
}

static int sock_new(int fd, struct wasi_port_sock **out)
{
    struct wasi_port_sock *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return ERR_NOMEM;
    }
    s->fd = fd;
    *out = s;
    return 0;
}

int wasi_host_sock_borrow(int fd, struct wasi_port_sock **out)
{
    struct wasi_port_sock *s = calloc(1, sizeof *s);
    if (!s) return ERR_NOMEM;
    s->fd = fd;
    *out = s;
    return 0;
}

void wasi_host_sock_unborrow(struct wasi_port_sock *s)
{
    free(s);
}

static int open_socket(int family, int type)
{
    int fd = socket(family == 6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0 && family == 6) {
        int one = 1; /* WASI: an IPv6 socket is IPv6-only (wasi:sockets tcp.wit) */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    }
    return fd;
}

static int bind_to(int fd, const struct wasi_port_addr *local)
{
    struct sockaddr_storage ss;
    socklen_t len = to_sockaddr(local, &ss);
    return bind(fd, (struct sockaddr *)&ss, len) < 0 ? wasi_host_errno(errno) : 0;
}

int wasi_host_tcp_connect_start(void *ctx, const struct wasi_port_addr *local,
                                const struct wasi_port_addr *remote, struct wasi_port_sock **out)
{
    (void)ctx;
    int fd = open_socket(remote->family, SOCK_STREAM);
    if (fd < 0) return wasi_host_errno(errno);
    int rc = local ? bind_to(fd, local) : 0;
    struct sockaddr_storage ss;
    socklen_t len = to_sockaddr(remote, &ss);
    /* connect(2): a non-blocking socket says EINPROGRESS and finishes in
     * the background (EINTR: likewise) */
    if (rc == 0 && connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS &&
        errno != EINTR)
        rc = wasi_host_errno(errno);
    if (rc) {
        close(fd);
        return rc;
    }
    return sock_new(fd, out);
}

/* connect(2): POLLOUT (or an error) once the attempt ended, then SO_ERROR
 * says how. */
int wasi_host_tcp_connect_result(void *ctx, struct wasi_port_sock *s)
{
    (void)ctx;
    struct pollfd p = {.fd = s->fd, .events = POLLOUT};
    int r;
    do
        r = poll(&p, 1, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0) return wasi_host_errno(errno);
    if (r == 0) return ERR_AGAIN;
    int err = 0;
    socklen_t elen = sizeof err;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0) return wasi_host_errno(errno);
    return err ? wasi_host_errno(err) : 0;
}

int wasi_host_tcp_connect(void *ctx, const struct wasi_port_addr *local,
                          const struct wasi_port_addr *remote, uint64_t deadline,
                          struct wasi_port_sock **out)
{
    struct wasi_port_sock *s;
    int rc = wasi_host_tcp_connect_start(ctx, local, remote, &s);
    if (rc) return rc;
    while ((rc = wasi_host_tcp_connect_result(ctx, s)) == ERR_AGAIN) {
        uint64_t now = wasi_host_mono_ns();
        if (deadline != WASI_PORT_NO_DEADLINE && now >= deadline) {
            rc = ERR_TIMEDOUT;
            break;
        }
        uint64_t left_ms =
            deadline == WASI_PORT_NO_DEADLINE ? 1000 : (deadline - now + 999999) / 1000000;
        struct pollfd p = {.fd = s->fd, .events = POLLOUT};
        if (poll(&p, 1, left_ms > 1000 ? 1000 : (int)left_ms) < 0 && errno != EINTR) {
            rc = wasi_host_errno(errno);
            break;
        }
    }
    if (rc) {
        wasi_host_sock_close(ctx, s);
        return rc;
    }
    *out = s;
    return 0;
}

int wasi_host_tcp_listen(void *ctx, const struct wasi_port_addr *local, unsigned backlog,
                         struct wasi_port_sock **out)
{
    (void)ctx;
    int fd = open_socket(local->family, SOCK_STREAM);
    if (fd < 0) return wasi_host_errno(errno);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc = bind_to(fd, local);
    if (rc == 0 && listen(fd, backlog > 4096 ? 4096 : (int)backlog) < 0)
        rc = wasi_host_errno(errno);
    if (rc) {
        close(fd);
        return rc;
    }
    return sock_new(fd, out);
}

int wasi_host_tcp_accept(void *ctx, struct wasi_port_sock *s, struct wasi_port_sock **out)
{
    (void)ctx;
    int fd;
    do
        fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return errno == EWOULDBLOCK ? ERR_AGAIN : wasi_host_errno(errno);
    return sock_new(fd, out);
}

long wasi_host_send(void *ctx, struct wasi_port_sock *s, const void *buf, size_t len)
{
    (void)ctx;
    ssize_t n;
    do
        n = send(s->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EWOULDBLOCK ? ERR_AGAIN : wasi_host_errno(errno);
    return (long)n;
}

long wasi_host_recv(void *ctx, struct wasi_port_sock *s, void *buf, size_t len)
{
    (void)ctx;
    ssize_t n;
    do
        n = recv(s->fd, buf, len, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EWOULDBLOCK ? ERR_AGAIN : wasi_host_errno(errno);
    return (long)n;
}

int wasi_host_shutdown(void *ctx, struct wasi_port_sock *s, int how)
{
    (void)ctx;
    int h = how == WASI_PORT_SHUT_RD ? SHUT_RD : how == WASI_PORT_SHUT_WR ? SHUT_WR : SHUT_RDWR;
    return shutdown(s->fd, h) < 0 ? wasi_host_errno(errno) : 0;
}

int wasi_host_udp_open(void *ctx, const struct wasi_port_addr *local, struct wasi_port_sock **out)
{
    (void)ctx;
    int fd = open_socket(local->family, SOCK_DGRAM);
    if (fd < 0) return wasi_host_errno(errno);
    int rc = bind_to(fd, local);
    if (rc) {
        close(fd);
        return rc;
    }
    return sock_new(fd, out);
}

long wasi_host_udp_sendto(void *ctx, struct wasi_port_sock *s, const void *buf, size_t len,
                          const struct wasi_port_addr *to)
{
    (void)ctx;
    struct sockaddr_storage ss;
    socklen_t sl = to_sockaddr(to, &ss);
    ssize_t n;
    do
        n = sendto(s->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EWOULDBLOCK ? ERR_AGAIN : wasi_host_errno(errno);
    return (long)n;
}

long wasi_host_udp_recvfrom(void *ctx, struct wasi_port_sock *s, void *buf, size_t len,
                            struct wasi_port_addr *from)
{
    (void)ctx;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    ssize_t n;
    do
        n = recvfrom(s->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EWOULDBLOCK ? ERR_AGAIN : wasi_host_errno(errno);
    from_sockaddr((struct sockaddr *)&ss, from);
    return (long)n;
}

int wasi_host_sock_name(void *ctx, struct wasi_port_sock *s, struct wasi_port_addr *local,
                        struct wasi_port_addr *remote)
{
    (void)ctx;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (local) {
        if (getsockname(s->fd, (struct sockaddr *)&ss, &sl) < 0) return wasi_host_errno(errno);
        from_sockaddr((struct sockaddr *)&ss, local);
    }
    if (remote) {
        sl = sizeof ss;
        if (getpeername(s->fd, (struct sockaddr *)&ss, &sl) < 0) return wasi_host_errno(errno);
        from_sockaddr((struct sockaddr *)&ss, remote);
    }
    return 0;
}

/* Nanoseconds to whole seconds, rounded up, within Linux's range for
 * TCP_KEEPIDLE and TCP_KEEPINTVL (1..MAX_TCP_KEEPIDLE = 32767). */
static int ns_to_secs(uint64_t ns)
{
    uint64_t s = ns / 1000000000u + (ns % 1000000000u ? 1 : 0);
    return s < 1 ? 1 : s > 32767 ? 32767 : (int)s;
}

int wasi_host_sock_set_option(void *ctx, struct wasi_port_sock *s, enum wasi_port_sockopt opt,
                              uint64_t value)
{
    (void)ctx;
    int level, name, v;
    switch (opt) {
    case WASI_PORT_SO_KEEPALIVE:
        level = SOL_SOCKET;
        name = SO_KEEPALIVE;
        v = value != 0;
        break;
    case WASI_PORT_TCP_KEEPIDLE:
    case WASI_PORT_TCP_KEEPINTVL:
        if (value == 0) return ERR_INVAL;
        level = IPPROTO_TCP;
        name = opt == WASI_PORT_TCP_KEEPIDLE ? TCP_KEEPIDLE : TCP_KEEPINTVL;
        v = ns_to_secs(value);
        break;
    case WASI_PORT_TCP_KEEPCNT:
        if (value == 0) return ERR_INVAL;
        level = IPPROTO_TCP;
        name = TCP_KEEPCNT;
        v = value > 127 ? 127 : (int)value; /* MAX_TCP_KEEPCNT */
        break;
    case WASI_PORT_IP_TTL: {
        if (value == 0) return ERR_INVAL;
        int domain = AF_INET;
        socklen_t dl = sizeof domain;
        if (getsockopt(s->fd, SOL_SOCKET, SO_DOMAIN, &domain, &dl) < 0)
            return wasi_host_errno(errno);
        level = domain == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
        name = domain == AF_INET6 ? IPV6_UNICAST_HOPS : IP_TTL;
        v = value > 255 ? 255 : (int)value;
        break;
    }
    default: return ERR_NOTSUP;
    }
    return setsockopt(s->fd, level, name, &v, sizeof v) < 0 ? wasi_host_errno(errno) : 0;
}

static void lookup_put(struct lookup *l);

void wasi_host_sock_close(void *ctx, struct wasi_port_sock *s)
{
    (void)ctx;
    close(s->fd);
    if (s->lookup) lookup_put(s->lookup);
    free(s);
}

/* getaddrinfo blocks with the resolver's own timeouts (resolv.conf); the
 * deadline is not enforced beyond that. */
int wasi_host_resolve(void *ctx, const char *name, struct wasi_port_addr *addrs, int max,
                      uint64_t deadline)
{
    (void)ctx, (void)deadline;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG}, *res;
    int r = getaddrinfo(name, NULL, &hints, &res);
    if (r == EAI_NONAME || r == EAI_NODATA || r == EAI_ADDRFAMILY) {
        hints.ai_flags = 0; /* loopback-only machines: AI_ADDRCONFIG hides ::1/127.0.0.1 */
        r = getaddrinfo(name, NULL, &hints, &res);
    }
    switch (r) {
    case 0: break;
    case EAI_NONAME:
    case EAI_NODATA:
    case EAI_ADDRFAMILY: return ERR_NXDOMAIN;
    case EAI_AGAIN: return ERR_DNSFAIL;
    case EAI_FAIL: return ERR_DNSFAIL;
    case EAI_MEMORY: return ERR_NOMEM;
    case EAI_SYSTEM: return wasi_host_errno(errno);
    default: return ERR_DNSFAIL;
    }
    int n = 0;
    for (struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        from_sockaddr(ai->ai_addr, &addrs[n]);
        addrs[n].port = 0;
        bool dup = false;
        for (int i = 0; i < n && !dup; i++)
            dup = addrs[i].family == addrs[n].family && !memcmp(addrs[i].addr, addrs[n].addr, 16);
        if (!dup) n++;
    }
    freeaddrinfo(res);
    return n ? n : ERR_NXDOMAIN;
}

/* ---- resolution on a thread of its own (resolve_start) ------------------------ */

#define LOOKUP_MAX 8

/* A getaddrinfo running on its own thread, shared by that thread and the
 * pending handle; freed by whichever lets go last. */
struct lookup {
    atomic_int refs;
    atomic_bool done; /* n and addrs are set */
    int wake;         /* the thread's end of the socketpair: a byte when done */
    int n;            /* resolve's answer */
    struct wasi_port_addr addrs[LOOKUP_MAX];
    char name[]; /* what is resolved */
};

static void lookup_put(struct lookup *l)
{
    if (atomic_fetch_sub(&l->refs, 1) == 1) free(l);
}

static void *lookup_thread(void *arg)
{
    struct lookup *l = arg;
    l->n = wasi_host_resolve(NULL, l->name, l->addrs, LOOKUP_MAX, WASI_PORT_NO_DEADLINE);
    atomic_store(&l->done, true);
    (void)send(l->wake, "", 1, MSG_NOSIGNAL | MSG_DONTWAIT); /* the handle may be gone */
    close(l->wake);
    lookup_put(l);
    return NULL;
}

/* True for an IPv4 or IPv6 address literal (nothing to look up). */
static bool is_literal(const char *name)
{
    uint8_t buf[16];
    return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

/* Starts lookup_thread on l (detached; it holds a reference): 0 or an ERR_*. */
static int lookup_spawn(struct lookup *l)
{
    pthread_attr_t attr;
    pthread_t t;
    if (pthread_attr_init(&attr)) return ERR_NOMEM;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    atomic_fetch_add(&l->refs, 1);
    int rc = pthread_create(&t, &attr, lookup_thread, l);
    pthread_attr_destroy(&attr);
    if (rc) atomic_fetch_sub(&l->refs, 1);
    return rc ? ERR_NOMEM : 0;
}

/* Gives s a lookup of name (not yet started) and the end of its
 * socketpair that the lookup wakes: 0, or an ERR_* with s untouched. */
static int lookup_attach(struct wasi_port_sock *s, const char *name)
{
    size_t len = strlen(name);
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair))
        return wasi_host_errno(errno);
    s->lookup = calloc(1, sizeof *s->lookup + len + 1);
    if (!s->lookup) {
        close(pair[0]);
        close(pair[1]);
        return ERR_NOMEM;
    }
    memcpy(s->lookup->name, name, len + 1);
    atomic_init(&s->lookup->refs, 1); /* the handle's */
    s->lookup->wake = pair[1];
    s->fd = pair[0];
    return 0;
}

int wasi_host_resolve_start(void *ctx, const char *name, struct wasi_port_addr *addrs, int max,
                            struct wasi_port_sock **pending)
{
    if (is_literal(name)) return wasi_host_resolve(ctx, name, addrs, max, WASI_PORT_NO_DEADLINE);
    struct wasi_port_sock *s = calloc(1, sizeof *s);
    if (!s) return ERR_NOMEM;
    int rc = lookup_attach(s, name);
    if (rc) {
        free(s);
        return rc;
    }
    rc = lookup_spawn(s->lookup);
    if (rc) {
        close(s->lookup->wake); /* no thread took it */
        wasi_host_sock_close(ctx, s);
        return rc;
    }
    *pending = s;
    return 0;
}

int wasi_host_resolve_result(void *ctx, struct wasi_port_sock *pending,
                             struct wasi_port_addr *addrs, int max)
{
    (void)ctx;
    struct lookup *l = pending->lookup;
    if (!l) return ERR_INVAL;
    if (!atomic_load(&l->done)) return ERR_AGAIN;
    int n = l->n < max ? l->n : max;
    for (int i = 0; i < n; i++)
        addrs[i] = l->addrs[i];
    return n;
}
