/*
 * kernel/net/net.c - the net thread and the binding of lib/net to a device.
 *
 * The thread sleeps on net_wq until a driver reports frames, a socket call
 * moved a timer earlier, or the stack's next deadline arrives. Socket calls
 * from other threads take net_lock, call lib/net, remember the socket's
 * event generation and, if the call would block, sleep until the notify
 * callback bumps that generation (so no wake-up is lost between the check
 * and the sleep).
 */
#include "kernel/net/knet.h"

#include "kernel/arch/x86_64/cpu.h"
#include "base/error.h"
#include "base/mem.h"
#include "kernel/boot/cmdline.h"
#include "kernel/lib/iopoll.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/phases.h"
#include "kernel/lib/random.h"
#include "kernel/mm/heap.h"
#include "kernel/net/netdev.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"

#define RX_BUDGET 64

struct ksock {
    struct net_sock *ns;
    struct waitq wq;
    volatile uint32_t gen;
};

static struct {
    struct netdev *dev;
    struct net_stack *st;
    struct mutex lock;
    struct waitq wq; /* the net thread sleeps here */
    volatile bool rx_pending;
    volatile bool kicked; /* a socket call set an earlier timer */
    volatile uint64_t wake_at_ms;
    struct waitq up_wq; /* threads waiting for an address */
    volatile uint32_t if_gen;
    volatile bool up;
    uint64_t up_at_ms;
    struct thread *thread;
} net;

static uint64_t now_ms(void)
{
    return clock_monotonic_ms();
}

static uint64_t stack_now(void *ctx)
{
    (void)ctx;
    return now_ms();
}

static void stack_tx(void *ctx, const void *frame, size_t len)
{
    struct netdev *dev = ctx;
    dev->xmit(dev, frame, len);
}

static void stack_random(void *ctx, void *buf, size_t len)
{
    (void)ctx;
    random_bytes(buf, len);
}

static void stack_notify(void *ctx, struct net_sock *s, unsigned events)
{
    (void)ctx;
    if (!s) {
        if (events & NET_EV_ADDR_UP) {
            net.up = true;
            phase_mark(PHASE_LEASE);
            if (!net.up_at_ms) net.up_at_ms = now_ms();
        }
        if (events & NET_EV_ADDR_DOWN) net.up = false;
        net.if_gen++;
        waitq_wake_all(&net.up_wq);
        return;
    }
    struct ksock *k = net_sock_user(s);
    if (k) {
        k->gen++;
        waitq_wake_all(&k->wq);
        iopoll_notify();
    }
}

static void rx_frame(void *ctx, const void *frame, size_t len, unsigned flags)
{
    (void)ctx;
    phase_copied(COPY_NIC_RX, len);
    net_input_ex(net.st, frame, len, now_ms(),
                 (flags & NETDEV_RX_CSUM_VALID) ? NET_RX_CSUM_VALID : 0);
}

/* After a call into the stack: make sure the net thread wakes in time for
 * any timer the call set. Caller holds net.lock. */
static void reschedule(void)
{
    uint64_t d = net_next_deadline(net.st);
    if (d < net.wake_at_ms) {
        net.kicked = true;
        waitq_wake_one(&net.wq);
    }
}

static void net_thread(void *arg)
{
    (void)arg;
    for (;;) {
        mutex_lock(&net.lock);
        net.rx_pending = false;
        net.kicked = false;
        int n;
        do
            n = net.dev->poll_rx(net.dev, rx_frame, NULL, RX_BUDGET);
        while (n == RX_BUDGET);
        uint64_t now = now_ms();
        if (net_next_deadline(net.st) <= now) net_poll(net.st, now);
        uint64_t next = net_next_deadline(net.st);
        net.wake_at_ms = next;
        mutex_unlock(&net.lock);
        uint64_t deadline = next == UINT64_MAX ? 0 : next * NS_PER_MS;
        if (deadline == 0) deadline = clock_monotonic_ns() + 10 * NS_PER_SEC;
        WAIT_EVENT(&net.wq, net.rx_pending || net.kicked, deadline);
    }
}

void netdev_rx_ready(struct netdev *dev)
{
    if (dev != net.dev || !net.st) return; /* not (yet) ours: the net thread polls when it starts */
    net.rx_pending = true;
    waitq_wake_one(&net.wq);
}

static int parse_static(const char *spec)
{
    /* ADDR/PREFIX,GW,DNS */
    char buf[128];
    str_copy(buf, spec, sizeof buf);
    char *slash = strchr(buf, '/'), *c1 = strchr(buf, ',');
    if (!slash || !c1 || c1 < slash) return ERR_INVAL;
    *slash = '\0';
    *c1 = '\0';
    char *c2 = strchr(c1 + 1, ',');
    if (c2) *c2 = '\0';
    uint32_t addr, gw = 0, dns = 0;
    int prefix = 0;
    for (const char *p = slash + 1; *p; p++) {
        if (*p < '0' || *p > '9') return ERR_INVAL;
        prefix = prefix * 10 + (*p - '0');
    }
    if (net_ip_parse(buf, &addr) < 0 || prefix < 1 || prefix > 32 ||
        (c1[1] && net_ip_parse(c1 + 1, &gw) < 0) || (c2 && c2[1] && net_ip_parse(c2 + 1, &dns) < 0))
        return ERR_INVAL;
    return net_set_static(net.st, addr, prefix, gw, dns ? &dns : NULL, dns ? 1 : 0);
}

int netdev_register(struct netdev *dev)
{
    if (net.dev) return 0; /* one interface for now: the first */
    net.dev = dev;
    mutex_init(&net.lock);
    waitq_init(&net.wq);
    waitq_init(&net.up_wq);
    struct net_config cfg;
    memset(&cfg, 0, sizeof cfg);
    memcpy(cfg.mac, dev->mac, 6);
    cfg.mtu = dev->mtu;
    cfg.ctx = dev;
    cfg.tx = stack_tx;
    cfg.random = stack_random;
    cfg.notify = stack_notify;
    cfg.now = stack_now; /* socket calls from app threads arm timers with the right time */
    cfg.hostname = "kpio";
    int err = net_create(&cfg, now_ms(), &net.st);
    if (err < 0) {
        klog_error("net", "cannot create the stack: %s", err_str(err));
        net.dev = NULL;
    }
    return err;
}

int knet_start(void)
{
    if (!net.st) {
        klog_warn("net", "no network interface");
        return ERR_NODEV;
    }
    const char *cfg = cmdline_get("net");
    int err;
    mutex_lock(&net.lock);
    if (cfg && str_has_prefix(cfg, "static:")) {
        err = parse_static(cfg + 7);
        if (err < 0) klog_error("net", "bad net=static:ADDR/PREFIX,GW,DNS option '%s'", cfg);
    } else {
        err = net_dhcp_start(net.st);
    }
    mutex_unlock(&net.lock);
    net.thread = thread_create("net", net_thread, NULL, 0, THREAD_HIGH_PRIO);
    return net.thread ? err : ERR_NOMEM;
}

int knet_wait_up(uint64_t deadline_ns)
{
    if (!net.st) return ERR_NODEV;
    return WAIT_EVENT(&net.up_wq, net.up, deadline_ns);
}

int knet_info(struct knet_info *out)
{
    if (!net.st) return ERR_NODEV;
    memset(out, 0, sizeof *out);
    str_copy(out->name, net.dev->name, sizeof out->name);
    out->driver = net.dev->driver_info;
    out->link_up = net.dev->link_up;
    mutex_lock(&net.lock);
    net_get_ifinfo(net.st, &out->ip);
    net_get_counters(net.st, &out->stack);
    mutex_unlock(&net.lock);
    const struct netdev_stats *d = &net.dev->stats;
    out->rx_frames = d->rx_frames, out->rx_bytes = d->rx_bytes;
    out->tx_frames = d->tx_frames, out->tx_bytes = d->tx_bytes;
    out->rx_drops = d->rx_drops, out->tx_drops = d->tx_drops;
    out->rx_errors = d->rx_errors, out->tx_errors = d->tx_errors;
    out->lease_at_ms = net.up_at_ms;
    return 0;
}

/* --- sockets ------------------------------------------------------------ */

static struct ksock *wrap(struct net_sock *ns)
{
    struct ksock *k = kzalloc(sizeof *k);
    if (!k) return NULL;
    k->ns = ns;
    waitq_init(&k->wq);
    net_sock_set_user(ns, k);
    return k;
}

/* Runs op under the lock; while it says ERR_AGAIN, sleeps until the
 * socket's state changes. */
#define BLOCKING(k, deadline, op)                                                                  \
    __extension__({                                                                                \
        long blk_r_;                                                                               \
        for (;;) {                                                                                 \
            mutex_lock(&net.lock);                                                                 \
            blk_r_ = (op);                                                                         \
            uint32_t blk_g_ = (k)->gen;                                                            \
            reschedule();                                                                          \
            mutex_unlock(&net.lock);                                                               \
            if (blk_r_ != ERR_AGAIN) break;                                                        \
            int blk_e_ = WAIT_EVENT(&(k)->wq, (k)->gen != blk_g_, (deadline));                     \
            if (blk_e_ < 0) {                                                                      \
                blk_r_ = blk_e_;                                                                   \
                break;                                                                             \
            }                                                                                      \
        }                                                                                          \
        blk_r_;                                                                                    \
    })

static long connect_done(struct ksock *k)
{
    unsigned ev = net_sock_poll(k->ns);
    if (ev & NET_POLL_ERR) return net_sock_error(k->ns);
    if (ev & NET_POLL_OUT) return 0;
    if (ev & NET_POLL_HUP) return ERR_CONNRESET;
    return ERR_AGAIN;
}

int ksock_tcp_connect_start(uint32_t addr, uint16_t port, struct ksock **out)
{
    if (!net.st) return ERR_NETDOWN;
    struct net_sock *ns;
    mutex_lock(&net.lock);
    int err = net_tcp_socket(net.st, &ns);
    struct ksock *k = err == 0 ? wrap(ns) : NULL;
    if (err == 0 && !k) {
        net_sock_close(ns);
        err = ERR_NOMEM;
    }
    if (err == 0) err = net_tcp_connect(ns, addr, port);
    reschedule();
    mutex_unlock(&net.lock);
    if (err < 0) {
        if (k) ksock_close(k);
        return err;
    }
    *out = k;
    return 0;
}

int ksock_tcp_connect_result(struct ksock *s)
{
    mutex_lock(&net.lock);
    int r = (int)connect_done(s);
    mutex_unlock(&net.lock);
    if (r == 0) phase_mark(PHASE_TCP_CONNECT);
    return r;
}

int ksock_tcp_connect(uint32_t addr, uint16_t port, uint64_t deadline_ns, struct ksock **out)
{
    struct ksock *k;
    int err = ksock_tcp_connect_start(addr, port, &k);
    if (err < 0) return err;
    err = (int)BLOCKING(k, deadline_ns, connect_done(k));
    if (err < 0) {
        ksock_close(k);
        return err;
    }
    phase_mark(PHASE_TCP_CONNECT);
    *out = k;
    return 0;
}

int ksock_tcp_listen(uint32_t addr, uint16_t port, int backlog, struct ksock **out)
{
    if (!net.st) return ERR_NETDOWN;
    struct net_sock *ns;
    mutex_lock(&net.lock);
    int err = net_tcp_socket(net.st, &ns);
    if (err == 0 && (err = net_sock_bind(ns, addr, port)) == 0) err = net_tcp_listen(ns, backlog);
    struct ksock *k = err == 0 ? wrap(ns) : NULL;
    if (err == 0 && !k) err = ERR_NOMEM;
    if (err < 0 && ns) net_sock_close(ns);
    mutex_unlock(&net.lock);
    if (err == 0) *out = k;
    return err;
}

/* Takes a queued connection; caller holds net.lock. */
static int accept_locked(struct ksock *s, struct ksock **out)
{
    struct net_sock *ns;
    int err = net_tcp_accept(s->ns, &ns);
    if (err == 0) {
        *out = wrap(ns);
        if (!*out) {
            net_tcp_abort(ns);
            err = ERR_NOMEM;
        }
    }
    return err;
}

int ksock_try_accept(struct ksock *s, struct ksock **out)
{
    mutex_lock(&net.lock);
    int err = accept_locked(s, out);
    mutex_unlock(&net.lock);
    return err;
}

int ksock_accept(struct ksock *s, uint64_t deadline_ns, struct ksock **out)
{
    return (int)BLOCKING(s, deadline_ns, accept_locked(s, out));
}

long ksock_send(struct ksock *s, const void *buf, size_t len, uint64_t deadline_ns)
{
    size_t done = 0;
    while (done < len) {
        long n =
            BLOCKING(s, deadline_ns, net_tcp_send(s->ns, (const char *)buf + done, len - done));
        if (n < 0) return done ? (long)done : n;
        done += (size_t)n;
    }
    return (long)done;
}

/* The phase trace of a read from a TCP socket. */
static long received(long n)
{
    if (n > 0) {
        phase_mark(PHASE_FIRST_BYTE);
        phase_mark(PHASE_LAST_BYTE);
        phase_copied(COPY_SOCK_RX, (uint64_t)n);
    }
    return n;
}

long ksock_recv(struct ksock *s, void *buf, size_t len, uint64_t deadline_ns)
{
    return received(BLOCKING(s, deadline_ns, net_tcp_recv(s->ns, buf, len)));
}

long ksock_try_send(struct ksock *s, const void *buf, size_t len)
{
    mutex_lock(&net.lock);
    long r = net_tcp_send(s->ns, buf, len);
    reschedule();
    mutex_unlock(&net.lock);
    return r;
}

long ksock_try_recv(struct ksock *s, void *buf, size_t len)
{
    mutex_lock(&net.lock);
    long r = net_tcp_recv(s->ns, buf, len);
    reschedule();
    mutex_unlock(&net.lock);
    return received(r);
}

int ksock_shutdown(struct ksock *s, int how)
{
    mutex_lock(&net.lock);
    int r = net_tcp_shutdown(s->ns, how);
    reschedule();
    mutex_unlock(&net.lock);
    return r;
}

unsigned ksock_poll(struct ksock *s)
{
    mutex_lock(&net.lock);
    unsigned ev = net_sock_poll(s->ns);
    mutex_unlock(&net.lock);
    return ev;
}

void ksock_name(struct ksock *s, uint32_t *laddr, uint16_t *lport, uint32_t *raddr, uint16_t *rport)
{
    mutex_lock(&net.lock);
    net_sock_name(s->ns, laddr, lport, raddr, rport);
    mutex_unlock(&net.lock);
}

int ksock_set_keepalive(struct ksock *s, int on, uint32_t idle_ms, uint32_t interval_ms,
                        uint32_t count)
{
    mutex_lock(&net.lock);
    bool cur = false;
    int r = net_tcp_get_keepalive(s->ns, &cur, NULL, NULL, NULL);
    if (r == 0)
        r = net_tcp_set_keepalive(s->ns, on < 0 ? cur : on != 0, idle_ms, interval_ms, count);
    reschedule();
    mutex_unlock(&net.lock);
    return r;
}

int ksock_set_ttl(struct ksock *s, uint8_t ttl)
{
    mutex_lock(&net.lock);
    int r = net_sock_set_ttl(s->ns, ttl);
    mutex_unlock(&net.lock);
    return r;
}

void ksock_close(struct ksock *s)
{
    mutex_lock(&net.lock);
    net_sock_set_user(s->ns, NULL);
    net_sock_close(s->ns);
    reschedule();
    mutex_unlock(&net.lock);
    kfree(s);
}

int ksock_udp_open(uint32_t addr, uint16_t port, struct ksock **out)
{
    if (!net.st) return ERR_NETDOWN;
    struct net_sock *ns = NULL;
    mutex_lock(&net.lock);
    int err = net_udp_socket(net.st, &ns);
    if (err == 0 && (addr || port)) err = net_sock_bind(ns, addr, port);
    struct ksock *k = err == 0 ? wrap(ns) : NULL;
    if (err == 0 && !k) err = ERR_NOMEM;
    if (err < 0 && ns) net_sock_close(ns);
    mutex_unlock(&net.lock);
    if (err == 0) *out = k;
    return err;
}

long ksock_udp_sendto(struct ksock *s, const void *buf, size_t len, uint32_t addr, uint16_t port)
{
    mutex_lock(&net.lock);
    long r = net_udp_sendto(s->ns, buf, len, addr, port);
    reschedule();
    mutex_unlock(&net.lock);
    return r;
}

long ksock_udp_recvfrom(struct ksock *s, void *buf, size_t len, uint32_t *addr, uint16_t *port,
                        uint64_t deadline_ns)
{
    return BLOCKING(s, deadline_ns, net_udp_recvfrom(s->ns, buf, len, addr, port));
}

int knet_resolve_start(const char *name, uint32_t *addrs, struct ksock **query)
{
    if (net_ip_parse(name, &addrs[0]) == 0) return 1;
    if (!net.st) return ERR_NETDOWN;
    struct net_sock *ns;
    mutex_lock(&net.lock);
    int err = net_dns_lookup(net.st, name, &ns);
    struct ksock *k = err == 0 ? wrap(ns) : NULL;
    reschedule();
    mutex_unlock(&net.lock);
    if (err < 0) return err;
    if (!k) return ERR_NOMEM;
    *query = k;
    return 0;
}

int knet_resolve_result(struct ksock *query, uint32_t *addrs, int max)
{
    uint32_t ttl;
    mutex_lock(&net.lock);
    int r = net_dns_result(query->ns, addrs, max, &ttl);
    mutex_unlock(&net.lock);
    return r;
}

int knet_resolve(const char *name, uint32_t *addrs, int max, uint64_t deadline_ns)
{
    struct ksock *k;
    int r = knet_resolve_start(name, addrs, &k);
    if (r != 0) return r;
    uint32_t ttl;
    r = (int)BLOCKING(k, deadline_ns, net_dns_result(k->ns, addrs, max, &ttl));
    ksock_close(k);
    return r;
}

int knet_ping(uint32_t dst, uint16_t seq, size_t payload, uint64_t deadline_ns,
              struct net_ping_reply *reply)
{
    if (!net.st) return ERR_NETDOWN;
    struct net_sock *ns;
    mutex_lock(&net.lock);
    int err = net_ping_socket(net.st, &ns);
    struct ksock *k = err == 0 ? wrap(ns) : NULL;
    if (k) err = net_ping_send(ns, dst, seq, payload);
    reschedule();
    mutex_unlock(&net.lock);
    if (!k) return err < 0 ? err : ERR_NOMEM;
    if (err == 0) err = (int)BLOCKING(k, deadline_ns, net_ping_recv(k->ns, reply));
    ksock_close(k);
    return err;
}
