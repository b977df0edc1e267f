/*
 * lib/net/sock.c - the floor of lib/net, what every layer above shares:
 * sending a frame, random numbers, deadlines, addresses as text, interface
 * events, and the sockets of every kind (handles, ports, readiness and
 * notify, datagram queues). A kind's own readiness and state are reached
 * through the net_sock_ops it gives net_sock_new, so this file calls no
 * other file of lib/net.
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "net/net_impl.h"

uint32_t net_random32(struct net_stack *st)
{
    uint8_t b[4];
    st->cfg.random(st->cfg.ctx, b, sizeof b);
    return be32_get(b);
}

void net_send_frame(struct net_stack *st, const uint8_t *frame, size_t len)
{
    st->ctr.tx_frames++;
    st->ctr.tx_bytes += len;
    st->cfg.tx(st->cfg.ctx, frame, len);
}

uint64_t net_min_deadline(uint64_t a, uint64_t b)
{
    if (a == 0) return b;
    if (b == 0) return a;
    return a < b ? a : b;
}

int net_prefix_len(uint32_t mask)
{
    int n = 0;
    while (n < 32 && (mask & (0x80000000u >> n)))
        n++;
    return n;
}

void net_notify_if(struct net_stack *st, unsigned ev)
{
    if (st->cfg.notify) st->cfg.notify(st->cfg.ctx, NULL, ev);
}

int net_ip_parse(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int part = 0; part < 4; part++) {
        if (!char_is_digit((unsigned char)*s)) return ERR_INVAL;
        uint32_t n = 0;
        int digits = 0;
        while (char_is_digit((unsigned char)*s)) {
            n = n * 10 + (uint32_t)(*s++ - '0');
            if (++digits > 3 || n > 255) return ERR_INVAL;
        }
        v = v << 8 | n;
        if (part < 3 && *s++ != '.') return ERR_INVAL;
    }
    if (*s) return ERR_INVAL;
    *out = v;
    return 0;
}

void net_ip_format(uint32_t a, char buf[16])
{
    char *p = buf;
    for (int i = 3; i >= 0; i--) {
        unsigned n = (a >> (i * 8)) & 0xff;
        if (n >= 100) *p++ = (char)('0' + n / 100);
        if (n >= 10) *p++ = (char)('0' + n / 10 % 10);
        *p++ = (char)('0' + n % 10);
        if (i) *p++ = '.';
    }
    *p = '\0';
}

/* --- sockets shared by every kind ----------------------------------------- */

struct net_sock *net_sock_new(struct net_stack *st, enum sock_kind kind,
                              const struct net_sock_ops *ops)
{
    struct net_sock *s = mem_zalloc(sizeof *s);
    if (!s) return NULL;
    s->st = st;
    s->kind = kind;
    s->ops = ops;
    if (kind == SOCK_UDP || kind == SOCK_PING) s->u.dg.tail = &s->u.dg.head;
    list_push_back(&st->socks, &s->link);
    return s;
}

int net_sock_set_ttl(struct net_sock *s, uint8_t ttl)
{
    if (ttl == 0 || (s->kind != SOCK_TCP && s->kind != SOCK_UDP)) return ERR_INVAL;
    s->ttl = ttl;
    return 0;
}

void net_sock_free(struct net_sock *s)
{
    list_remove(&s->link);
    if (s->ops)
        s->ops->release(s);
    else
        dgram_queue_free(s);
    mem_free(s);
}

/* UDP sockets and DNS queries share the UDP port space. */
static int net_port_space(int kind)
{
    return kind == SOCK_DNS ? SOCK_UDP : kind;
}

/* A choice among the dynamic ports 49152-65535 (RFC 6335 6) not in use by
 * a socket of the same kind. Starts from a random point (RFC 6056 3.3.1). */
uint16_t net_ephemeral_port(struct net_stack *st, int kind)
{
    if (st->next_port == 0) st->next_port = (uint16_t)(49152 + net_random32(st) % 16384);
    for (int tries = 0; tries < 16384; tries++) {
        uint16_t p = st->next_port;
        st->next_port = p == 65535 ? 49152 : (uint16_t)(p + 1);
        bool used = false;
        const struct list_node *it;
        list_for_each(it, &st->socks)
        {
            const struct net_sock *s = list_entry(it, const struct net_sock, link);
            if (net_port_space(s->kind) == net_port_space(kind) && s->lport == p) {
                used = true;
                break;
            }
        }
        if (!used) return p;
    }
    return 0;
}

static unsigned sock_events(const struct net_sock *s)
{
    if (s->ops) return s->ops->events(s);
    unsigned ev = NET_POLL_OUT; /* a datagram queue */
    if (s->u.dg.head) ev |= NET_POLL_IN;
    if (s->error) ev |= NET_POLL_ERR;
    return ev;
}

unsigned net_sock_poll(const struct net_sock *s)
{
    return sock_events(s);
}

void net_sock_update(struct net_sock *s)
{
    if (s->closed || (s->kind == SOCK_TCP && s->u.tcp && s->u.tcp->parent))
        return; /* nobody holds it (closed, or a child not yet accepted) */
    unsigned ev = sock_events(s);
    unsigned rising = ev & ~s->last_events;
    s->last_events = ev;
    if (rising && s->st->cfg.notify) s->st->cfg.notify(s->st->cfg.ctx, s, ev);
}

int net_sock_error(struct net_sock *s)
{
    int e = s->error;
    s->error = 0;
    s->last_events &= ~(unsigned)NET_POLL_ERR;
    return e;
}

void net_sock_set_user(struct net_sock *s, void *user)
{
    s->user = user;
}
void *net_sock_user(const struct net_sock *s)
{
    return s->user;
}

void net_sock_name(const struct net_sock *s, uint32_t *laddr, uint16_t *lport, uint32_t *raddr,
                   uint16_t *rport)
{
    if (laddr) *laddr = s->laddr ? s->laddr : s->st->addr;
    if (lport) *lport = s->lport;
    if (raddr) *raddr = s->raddr;
    if (rport) *rport = s->rport;
}

int net_sock_bind(struct net_sock *s, uint32_t addr, uint16_t port)
{
    struct net_stack *st = s->st;
    if (s->lport) return ERR_INVAL;
    if (addr && addr != st->addr) return ERR_ADDRNOTAVAIL;
    if (s->kind != SOCK_TCP && s->kind != SOCK_UDP) return ERR_NOTSUP;
    if (port == 0) {
        port = net_ephemeral_port(st, s->kind);
        if (!port) return ERR_ADDRINUSE;
    } else {
        const struct list_node *it;
        list_for_each(it, &st->socks)
        {
            const struct net_sock *o = list_entry(it, const struct net_sock, link);
            if (o != s && net_port_space(o->kind) == net_port_space(s->kind) && o->lport == port &&
                (s->kind == SOCK_UDP || o->rport == 0))
                return ERR_ADDRINUSE;
        }
    }
    s->laddr = addr;
    s->lport = port;
    return 0;
}

/* --- datagram queues (UDP, ping) ------------------------------------------ */

struct dgram *dgram_enqueue(struct net_sock *s, uint32_t addr, uint16_t port, const void *data,
                            size_t len, size_t limit)
{
    if (s->u.dg.bytes + len > limit) return NULL;
    struct dgram *d = mem_alloc(sizeof *d + len);
    if (!d) return NULL;
    memset(d, 0, sizeof *d);
    d->addr = addr;
    d->port = port;
    d->len = len;
    if (len) net_copy(d->data, data, len);
    *s->u.dg.tail = d;
    s->u.dg.tail = &d->next;
    s->u.dg.bytes += len;
    return d;
}

void dgram_queue_free(struct net_sock *s)
{
    struct dgram *d = s->u.dg.head;
    while (d) {
        struct dgram *n = d->next;
        mem_free(d);
        d = n;
    }
    s->u.dg.head = NULL;
    s->u.dg.tail = &s->u.dg.head;
    s->u.dg.bytes = 0;
}
