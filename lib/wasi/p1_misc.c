/*
 * lib/wasi/p1_misc.c - preview1 calls that are not about files: args and
 * environ, clocks, random_get, poll_oneoff, sched_yield, proc_exit,
 * proc_raise and the sock_* calls (wasi_snapshot_preview1.witx).
 */
#include "base/env.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/internal.h"

/* Writes n strings: pointers at ptrs (n x u32), bytes at buf. */
static int put_strings(struct wasm_host_call *call, char **strs, int n, uint32_t size,
                       uint32_t ptrs, uint32_t buf)
{
    uint8_t *p = guest_ptr(call, ptrs, (uint64_t)n * 4);
    uint8_t *b = guest_ptr(call, buf, size);
    if (!p || !b) return ERR_FAULT;
    uint32_t off = 0;
    for (int i = 0; i < n; i++) {
        uint32_t len = (uint32_t)strlen(strs[i]) + 1;
        memcpy(b + off, strs[i], len);
        le32_put(p + 4 * i, buf + off);
        off += len;
    }
    return 0;
}

static int put_sizes(struct wasm_host_call *call, uint32_t count, uint32_t size, uint32_t pc,
                     uint32_t ps)
{
    uint8_t *c = guest_ptr(call, pc, 4), *s = guest_ptr(call, ps, 4);
    if (!c || !s) return ERR_FAULT;
    le32_put(c, count);
    le32_put(s, size);
    return 0;
}

P1_DECL(args_get)
{
    struct wasi_ctx *w = call_ctx(call);
    return wasi_p1_ret(call, r,
                       put_strings(call, w->argv, w->argc, w->args_size, a[0].u32, a[1].u32));
}

P1_DECL(args_sizes_get)
{
    struct wasi_ctx *w = call_ctx(call);
    return wasi_p1_ret(call, r,
                       put_sizes(call, (uint32_t)w->argc, w->args_size, a[0].u32, a[1].u32));
}

P1_DECL(environ_get)
{
    struct wasi_ctx *w = call_ctx(call);
    return wasi_p1_ret(call, r,
                       put_strings(call, w->envp, w->envc, w->env_size, a[0].u32, a[1].u32));
}

P1_DECL(environ_sizes_get)
{
    struct wasi_ctx *w = call_ctx(call);
    return wasi_p1_ret(call, r,
                       put_sizes(call, (uint32_t)w->envc, w->env_size, a[0].u32, a[1].u32));
}

/* clock_res_get(id, resolution: *timestamp) */
P1_DECL(clock_res_get)
{
    struct wasi_ctx *w = call_ctx(call);
    if (a[0].u32 > WASI_PORT_CLOCK_THREAD_CPU) return wasi_p1_ret(call, r, ERR_INVAL);
    if (!guest_ptr(call, a[1].u32, 8)) return wasi_p1_ret(call, r, ERR_FAULT);
    uint64_t ns;
    int rc = w->port.ops->clock_res(w->port.ctx, (enum wasi_port_clock)a[0].u32, &ns);
    if (rc == 0) le64_put(guest_ptr(call, a[1].u32, 8), ns);
    return wasi_p1_ret(call, r, rc == ERR_NOTSUP ? ERR_INVAL : rc);
}

/* clock_time_get(id, precision, time: *timestamp) */
P1_DECL(clock_time_get)
{
    struct wasi_ctx *w = call_ctx(call);
    if (a[0].u32 > WASI_PORT_CLOCK_THREAD_CPU) return wasi_p1_ret(call, r, ERR_INVAL);
    if (!guest_ptr(call, a[2].u32, 8)) return wasi_p1_ret(call, r, ERR_FAULT);
    uint64_t ns;
    int rc = w->port.ops->clock_now(w->port.ctx, (enum wasi_port_clock)a[0].u32, &ns);
    if (rc == 0) le64_put(guest_ptr(call, a[2].u32, 8), ns);
    return wasi_p1_ret(call, r, rc == ERR_NOTSUP ? ERR_INVAL : rc);
}

/* random_get(buf, buf_len): straight into guest memory. */
P1_DECL(random_get)
{
    struct wasi_ctx *w = call_ctx(call);
    uint8_t *buf = guest_ptr(call, a[0].u32, a[1].u32);
    if (!buf) return wasi_p1_ret(call, r, ERR_FAULT);
    return wasi_p1_ret(call, r, a[1].u32 ? w->port.ops->random(w->port.ctx, buf, a[1].u32) : 0);
}

P1_DECL(sched_yield)
{
    struct wasi_ctx *w = call_ctx(call);
    (void)a;
    if (w->port.ops->yield) w->port.ops->yield(w->port.ctx);
    return wasi_p1_ret(call, r, 0);
}

/* proc_exit(rval): ends the run cleanly with the status. */
P1_DECL(proc_exit)
{
    (void)r;
    return wasm_host_exit(call, (int)a[0].u32);
}

/* proc_raise(sig): signals do not exist here. */
P1_DECL(proc_raise)
{
    (void)a;
    return wasi_p1_ret(call, r, ERR_NOSYS);
}

/* ---- poll_oneoff -------------------------------------------------------- */

enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };
#define SUBCLOCK_ABSTIME 1u
#define EVENT_HANGUP     1u

/* One subscription as parsed (witx `subscription`, 48 bytes). */
struct sub {
    uint64_t userdata;
    uint8_t type;
    uint16_t error;    /* errno decided before waiting (bad fd...) */
    bool ready;        /* an event to report */
    uint64_t deadline; /* clocks: monotonic ns */
    int poll_index;    /* fd: index into the pollfd array, or -1 */
    uint64_t nbytes;
    uint16_t flags;
};

/* Converts a clock subscription to a monotonic deadline. */
static int clock_deadline(struct wasi_ctx *w, const uint8_t *s, uint64_t now_mono,
                          uint64_t *deadline)
{
    uint32_t id = le32_get(s + 16);
    uint64_t timeout = le64_get(s + 24);
    uint16_t flags = le16_get(s + 40);
    if (id != WASI_PORT_CLOCK_REALTIME && id != WASI_PORT_CLOCK_MONOTONIC) return ERR_INVAL;
    if (!(flags & SUBCLOCK_ABSTIME)) {
        *deadline = timeout > UINT64_MAX - now_mono ? UINT64_MAX - 1 : now_mono + timeout;
        return 0;
    }
    if (id == WASI_PORT_CLOCK_MONOTONIC) {
        *deadline = timeout;
        return 0;
    }
    uint64_t now_real;
    int rc = w->port.ops->clock_now(w->port.ctx, WASI_PORT_CLOCK_REALTIME, &now_real);
    if (rc) return rc;
    uint64_t delta = timeout > now_real ? timeout - now_real : 0;
    *deadline = delta > UINT64_MAX - now_mono ? UINT64_MAX - 1 : now_mono + delta;
    return 0;
}

/* Parses subscription s into *sub, adding fd waits to fds (*nfds). */
static int parse_sub(struct wasi_ctx *w, const uint8_t *s, uint64_t now, struct sub *sub,
                     struct wasi_port_pollfd *fds, size_t *nfds)
{
    sub->userdata = le64_get(s);
    sub->type = s[8];
    sub->poll_index = -1;
    if (sub->type == EV_CLOCK) {
        int rc = clock_deadline(w, s, now, &sub->deadline);
        if (rc) {
            sub->error = wasi_errno_from_err(rc);
            sub->ready = true;
        }
        return 0;
    }
    if (sub->type != EV_FD_READ && sub->type != EV_FD_WRITE) return ERR_INVAL;
    struct wasi_fd *fd = wasi_fd_get(w, le32_get(s + 16));
    if (!fd || !(fd->rights_base & R_POLL_FD_READWRITE)) {
        sub->error = fd ? WASI_ENOTCAPABLE : WASI_EBADF;
        sub->ready = true;
        return 0;
    }
    if (fd->file &&
        (fd->filetype == WASI_PORT_FT_REGULAR_FILE || fd->filetype == WASI_PORT_FT_DIRECTORY)) {
        sub->ready = true; /* as poll(2): regular files are always ready */
        return 0;
    }
    struct wasi_port_pollfd *p = &fds[*nfds];
    p->file = fd->file;
    p->sock = fd->sock;
    p->events = sub->type == EV_FD_READ ? WASI_PORT_EV_IN : WASI_PORT_EV_OUT;
    sub->poll_index = (int)(*nfds)++;
    return 0;
}

/* Writes the events of the ready subscriptions; returns their count. */
static uint32_t put_events(uint8_t *out, const struct sub *subs, uint32_t n)
{
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!subs[i].ready) continue;
        uint8_t *e = out + 32 * count++;
        memset(e, 0, 32);
        le64_put(e, subs[i].userdata);
        le16_put(e + 8, subs[i].error);
        e[10] = subs[i].type;
        if (subs[i].type != EV_CLOCK) {
            le64_put(e + 16, subs[i].nbytes);
            le16_put(e + 24, subs[i].flags);
        }
    }
    return count;
}

/* Waits until something is ready; marks the ready subscriptions. */
static int poll_wait(struct wasi_ctx *w, struct sub *subs, uint32_t n, struct wasi_port_pollfd *fds,
                     size_t nfds)
{
    for (;;) {
        bool any = false;
        uint64_t deadline = WASI_PORT_NO_DEADLINE, now;
        int rc = w->port.ops->clock_now(w->port.ctx, WASI_PORT_CLOCK_MONOTONIC, &now);
        if (rc) return rc;
        for (uint32_t i = 0; i < n; i++) {
            if (subs[i].type == EV_CLOCK && !subs[i].ready && subs[i].deadline <= now)
                subs[i].ready = true;
            if (subs[i].ready)
                any = true;
            else if (subs[i].type == EV_CLOCK)
                deadline = MIN(deadline, subs[i].deadline);
        }
        rc = w->port.ops->wait(w->port.ctx, fds, nfds, any ? now : deadline);
        if (rc < 0) return rc;
        for (uint32_t i = 0; i < n; i++) {
            if (subs[i].poll_index < 0) continue;
            const struct wasi_port_pollfd *p = &fds[subs[i].poll_index];
            if (!p->revents) continue;
            subs[i].ready = true;
            subs[i].nbytes = p->nbytes;
            if (p->revents & WASI_PORT_EV_HUP) subs[i].flags = EVENT_HANGUP;
            any = true;
        }
        if (any) return 0;
    }
}

/* poll_oneoff(in: *subscription, out: *event, nsubscriptions, nevents: *size) */
P1_DECL(poll_oneoff)
{
    struct wasi_ctx *w = call_ctx(call);
    uint32_t n = a[2].u32;
    if (n == 0) return wasi_p1_ret(call, r, ERR_INVAL);
    if (!guest_ptr(call, a[0].u32, (uint64_t)n * 48) ||
        !guest_ptr(call, a[1].u32, (uint64_t)n * 32) || !guest_ptr(call, a[3].u32, 4))
        return wasi_p1_ret(call, r, ERR_FAULT);
    struct sub *subs = mem_zalloc(sizeof(*subs) * n);
    struct wasi_port_pollfd *fds = mem_zalloc(sizeof(*fds) * n);
    int rc = subs && fds ? 0 : ERR_NOMEM;
    uint64_t now = 0;
    if (rc == 0) rc = w->port.ops->clock_now(w->port.ctx, WASI_PORT_CLOCK_MONOTONIC, &now);
    size_t nfds = 0;
    const uint8_t *in = guest_ptr(call, a[0].u32, (uint64_t)n * 48);
    for (uint32_t i = 0; rc == 0 && i < n; i++)
        rc = parse_sub(w, in + 48 * (size_t)i, now, &subs[i], fds, &nfds);
    if (rc == 0) rc = poll_wait(w, subs, n, fds, nfds);
    if (rc == 0) {
        uint32_t count = put_events(guest_ptr(call, a[1].u32, (uint64_t)n * 32), subs, n);
        le32_put(guest_ptr(call, a[3].u32, 4), count);
    }
    mem_free(subs);
    mem_free(fds);
    return wasi_p1_ret(call, r, rc);
}

/* ---- sockets -------------------------------------------------------------- */

static int sock_fd(struct wasi_ctx *w, uint32_t n, uint64_t need, struct wasi_fd **out)
{
    struct wasi_fd *fd = wasi_fd_get(w, n);
    if (!fd) return ERR_BADF;
    if (!fd->sock) return -1057; /* mapped below to ENOTSOCK */
    if ((fd->rights_base & need) != need) return WASI_ERR_NOTCAPABLE;
    *out = fd;
    return 0;
}

static int sock_ret(struct wasm_host_call *call, wasm_value *r, int rc)
{
    if (rc == -1057) {
        r[0].u32 = WASI_ENOTSOCK;
        return 0;
    }
    return wasi_p1_ret(call, r, rc);
}

/* sock_accept(fd, flags, fd: *fd): blocks unless the listener is NONBLOCK. */
P1_DECL(sock_accept)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd, *nfd;
    int rc = sock_fd(w, a[0].u32, R_SOCK_ACCEPT, &fd);
    if (rc == 0 && (a[1].u32 & ~(uint32_t)FDFLAG_NONBLOCK)) rc = ERR_INVAL;
    if (rc == 0 && !guest_ptr(call, a[2].u32, 4)) rc = ERR_FAULT;
    struct wasi_port_sock *s = NULL;
    while (rc == 0) {
        rc = w->port.ops->tcp_accept(w->port.ctx, fd->sock, &s);
        if (rc != ERR_AGAIN || (fd->fdflags & FDFLAG_NONBLOCK)) break;
        struct wasi_port_pollfd p = {.sock = fd->sock, .events = WASI_PORT_EV_IN};
        rc = w->port.ops->wait(w->port.ctx, &p, 1, WASI_PORT_NO_DEADLINE);
        rc = rc < 0 ? rc : 0;
    }
    if (rc) return sock_ret(call, r, rc);
    if (!(nfd = mem_zalloc(sizeof *nfd))) {
        w->port.ops->sock_close(w->port.ctx, s);
        return sock_ret(call, r, ERR_NOMEM);
    }
    nfd->sock = s;
    nfd->owned = true;
    nfd->filetype = WASI_PORT_FT_SOCKET_STREAM;
    nfd->fdflags = (uint16_t)a[1].u32;
    nfd->rights_base = RIGHTS_SOCK;
    int n = wasi_fd_install(w, nfd, 3);
    if (n < 0) {
        wasi_fd_destroy(w, nfd);
        return sock_ret(call, r, n);
    }
    le32_put(guest_ptr(call, a[2].u32, 4), (uint32_t)n);
    return sock_ret(call, r, 0);
}

/* Moves data between the iovecs at iovs and the socket. */
static int sock_xfer(struct wasm_host_call *call, struct wasi_fd *fd, bool write, uint32_t iovs,
                     uint32_t count, uint32_t *total)
{
    struct wasi_ctx *w = call_ctx(call);
    const uint8_t *v = guest_ptr(call, iovs, (uint64_t)count * 8);
    if (!v || count > 1024) return v ? ERR_INVAL : ERR_FAULT;
    for (uint32_t i = 0; i < count; i++)
        if (!guest_ptr(call, le32_get(v + 8 * i), le32_get(v + 8 * i + 4))) return ERR_FAULT;
    *total = 0;
    for (uint32_t i = 0; i < count; i++) {
        v = guest_ptr(call, iovs + (uint64_t)i * 8, 8);
        uint32_t len = MIN(le32_get(v + 4), UINT32_MAX - *total);
        uint8_t *buf = guest_ptr(call, le32_get(v), len);
        if (!len) continue;
        long n;
        for (;;) {
            n = write ? w->port.ops->send(w->port.ctx, fd->sock, buf, len)
                      : w->port.ops->recv(w->port.ctx, fd->sock, buf, len);
            if (n != ERR_AGAIN || *total || (fd->fdflags & FDFLAG_NONBLOCK)) break;
            struct wasi_port_pollfd p = {.sock = fd->sock,
                                         .events = write ? WASI_PORT_EV_OUT : WASI_PORT_EV_IN};
            int rc = w->port.ops->wait(w->port.ctx, &p, 1, WASI_PORT_NO_DEADLINE);
            if (rc < 0) return rc;
        }
        if (n < 0) return *total ? 0 : (int)n;
        *total += (uint32_t)n;
        if ((uint32_t)n < len) break;
    }
    return 0;
}

/* sock_recv(fd, ri_data, ri_data_len, ri_flags, ro_datalen, ro_flags) */
P1_DECL(sock_recv)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    int rc = sock_fd(w, a[0].u32, R_FD_READ, &fd);
    if (rc == 0 && a[3].u32) rc = ERR_NOTSUP; /* RECV_PEEK, RECV_WAITALL */
    if (rc == 0 && (!guest_ptr(call, a[4].u32, 4) || !guest_ptr(call, a[5].u32, 2))) rc = ERR_FAULT;
    uint32_t total = 0;
    if (rc == 0) rc = sock_xfer(call, fd, false, a[1].u32, a[2].u32, &total);
    if (rc == 0) {
        le32_put(guest_ptr(call, a[4].u32, 4), total);
        le16_put(guest_ptr(call, a[5].u32, 2), 0);
    }
    return sock_ret(call, r, rc);
}

/* sock_send(fd, si_data, si_data_len, si_flags, so_datalen) */
P1_DECL(sock_send)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    int rc = sock_fd(w, a[0].u32, R_FD_WRITE, &fd);
    if (rc == 0 && a[3].u32) rc = ERR_INVAL;
    if (rc == 0 && !guest_ptr(call, a[4].u32, 4)) rc = ERR_FAULT;
    uint32_t total = 0;
    if (rc == 0) rc = sock_xfer(call, fd, true, a[1].u32, a[2].u32, &total);
    if (rc == 0) le32_put(guest_ptr(call, a[4].u32, 4), total);
    return sock_ret(call, r, rc);
}

/* sock_shutdown(fd, how: sdflags RD=1 WR=2) */
P1_DECL(sock_shutdown)
{
    struct wasi_ctx *w = call_ctx(call);
    struct wasi_fd *fd;
    int rc = sock_fd(w, a[0].u32, R_SOCK_SHUTDOWN, &fd);
    uint32_t how = a[1].u32;
    if (rc == 0 && (how == 0 || how > 3)) rc = ERR_INVAL;
    if (rc == 0)
        rc = w->port.ops->shutdown(w->port.ctx, fd->sock,
                                   how == 1   ? WASI_PORT_SHUT_RD
                                   : how == 2 ? WASI_PORT_SHUT_WR
                                              : WASI_PORT_SHUT_RDWR);
    return sock_ret(call, r, rc);
}
