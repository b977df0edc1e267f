/*
 * lib/net/stack.c - the stack instance: creation, the Ethernet input
 * dispatch, timers (poll and the next deadline), interface configuration,
 * counters and what every socket kind shares (handles, readiness, notify).
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "net/net_impl.h"

#define DEFAULT_MTU 1500

int net_create(const struct net_config *cfg, uint64_t now, struct net_stack **out)
{
    if (!cfg || !cfg->tx || !cfg->random || !out) return ERR_INVAL;
    uint16_t mtu = cfg->mtu ? cfg->mtu : DEFAULT_MTU;
    if (mtu < 576 || mtu > 9000) return ERR_INVAL;
    struct net_stack *st = mem_zalloc(sizeof *st);
    if (!st) return ERR_NOMEM;
    st->cfg = *cfg;
    st->cfg.mtu = mtu;
    st->now = now;
    st->txbuf = mem_alloc((size_t)ETH_HLEN + mtu);
    if (!st->txbuf) {
        mem_free(st);
        return ERR_NOMEM;
    }
    list_init(&st->socks);
    cfg->random(cfg->ctx, st->isn_key, sizeof st->isn_key);
    st->ip_id = (uint16_t)net_random32(st);
    st->ping_ident = (uint16_t)net_random32(st);
    *out = st;
    return 0;
}

void net_destroy(struct net_stack *st)
{
    if (!st) return;
    struct list_node *it, *tmp;
    list_for_each(it, &st->socks) /* children first forget their listeners */
    {
        struct net_sock *s = list_entry(it, struct net_sock, link);
        if (s->kind == SOCK_TCP && s->u.tcp) s->u.tcp->parent = NULL;
    }
    list_for_each_safe(it, tmp, &st->socks)
    {
        net_sock_free(list_entry(it, struct net_sock, link));
    }
    dhcp_free(st);
    dns_free(st);
    arp_flush(st);
    ip4_reass_free(st);
    mem_free(st->txbuf);
    mem_free(st);
}

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

/* Ethernet II (IEEE 802.3 with type field): frames for us (unicast to our
 * MAC or broadcast) go to ARP or IPv4 by EtherType; anything else is dropped.
 * VLAN tags and 802.3 length frames are not for us. */
void net_input(struct net_stack *st, const void *frame, size_t len, uint64_t now)
{
    net_input_ex(st, frame, len, now, 0);
}

void net_input_ex(struct net_stack *st, const void *frame, size_t len, uint64_t now, unsigned flags)
{
    const uint8_t *f = frame;
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (now > st->now) st->now = now;
    st->ctr.rx_frames++;
    st->ctr.rx_bytes += len;
    if (len < ETH_HLEN) {
        st->ctr.rx_errors++;
        return;
    }
    if (memcmp(f, st->cfg.mac, 6) != 0 && memcmp(f, bcast, 6) != 0) {
        st->ctr.rx_drops++;
        return;
    }
    uint16_t type = be16_get(f + 12);
    st->rx_flags = flags;
    if (type == ETH_TYPE_ARP)
        arp_input(st, f + ETH_HLEN, len - ETH_HLEN);
    else if (type == ETH_TYPE_IPV4)
        ipv4_input(st, f + ETH_HLEN, len - ETH_HLEN);
    else
        st->ctr.rx_drops++;
    st->rx_flags = 0;
}

void net_poll(struct net_stack *st, uint64_t now)
{
    if (now > st->now) st->now = now;
    arp_poll(st);
    ip4_reass_poll(st);
    dhcp_poll(st);
    dns_poll(st);
    struct list_node *it, *tmp;
    list_for_each_safe(it, tmp, &st->socks)
    {
        struct net_sock *s = list_entry(it, struct net_sock, link);
        if (s->kind == SOCK_TCP) tcp_poll(st, s);
    }
}

uint64_t net_min_deadline(uint64_t a, uint64_t b)
{
    if (a == 0) return b;
    if (b == 0) return a;
    return a < b ? a : b;
}

uint64_t net_next_deadline(const struct net_stack *st)
{
    uint64_t d = 0;
    d = net_min_deadline(d, arp_deadline(st));
    d = net_min_deadline(d, ip4_reass_deadline(st));
    d = net_min_deadline(d, dhcp_deadline(st));
    d = net_min_deadline(d, dns_deadline(st));
    const struct list_node *it;
    list_for_each(it, &st->socks)
    {
        const struct net_sock *s = list_entry(it, const struct net_sock, link);
        if (s->kind == SOCK_TCP) d = net_min_deadline(d, tcp_deadline(s));
    }
    return d ? d : UINT64_MAX;
}

void net_get_counters(const struct net_stack *st, struct net_counters *out)
{
    *out = st->ctr;
}

void net_get_ifinfo(const struct net_stack *st, struct net_ifinfo *out)
{
    memset(out, 0, sizeof *out);
    out->up = st->up;
    out->dhcp = st->from_dhcp;
    out->addr = st->addr;
    out->netmask = st->netmask;
    out->gateway = st->gateway;
    out->ndns = st->ndns;
    for (int i = 0; i < st->ndns; i++)
        out->dns[i] = st->dns[i];
    out->lease_s = st->lease_s;
    memcpy(out->mac, st->cfg.mac, 6);
    out->mtu = st->cfg.mtu;
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

/* Puts an address into force; announces it with a gratuitous ARP
 * (RFC 5227 2.3 / RFC 826) so that neighbours update stale caches. */
void net_apply_config(struct net_stack *st, uint32_t addr, uint32_t mask, uint32_t gw,
                      const uint32_t *dns, int ndns, bool from_dhcp, uint32_t lease_s)
{
    bool changed = !st->up || st->addr != addr;
    st->addr = addr;
    st->netmask = mask;
    st->gateway = gw;
    st->ndns = 0;
    for (int i = 0; i < ndns && i < 3; i++)
        if (dns[i]) st->dns[st->ndns++] = dns[i];
    st->up = true;
    st->from_dhcp = from_dhcp;
    st->lease_s = lease_s;
    if (changed) arp_announce(st);
    net_notify_if(st, NET_EV_ADDR_UP);
}

void net_clear_config(struct net_stack *st)
{
    bool was = st->up;
    st->up = false;
    st->addr = st->netmask = st->gateway = 0;
    st->ndns = 0;
    st->lease_s = 0;
    if (was) net_notify_if(st, NET_EV_ADDR_DOWN);
}

int net_set_static(struct net_stack *st, uint32_t addr, int prefix, uint32_t gateway,
                   const uint32_t *dns, int ndns)
{
    net_refresh_time(st);
    if (prefix < 0 || prefix > 32 || addr == 0 || ndns < 0 || (ndns > 0 && !dns)) return ERR_INVAL;
    uint32_t mask = prefix ? 0xffffffffu << (32 - prefix) : 0;
    if (gateway && (gateway & mask) != (addr & mask)) return ERR_NETUNREACH;
    dhcp_free(st);
    net_apply_config(st, addr, mask, gateway, dns, ndns, false, 0);
    return 0;
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

struct net_sock *net_sock_new(struct net_stack *st, enum sock_kind kind)
{
    struct net_sock *s = mem_zalloc(sizeof *s);
    if (!s) return NULL;
    s->st = st;
    s->kind = kind;
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
    switch (s->kind) {
    case SOCK_TCP: tcp_pcb_free(s); break;
    case SOCK_UDP:
    case SOCK_PING: dgram_queue_free(s); break;
    case SOCK_DNS: dns_query_free(s); break;
    }
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
    unsigned ev = 0;
    switch (s->kind) {
    case SOCK_TCP: return tcp_events(s);
    case SOCK_UDP:
    case SOCK_PING:
        if (s->u.dg.head) ev |= NET_POLL_IN;
        ev |= NET_POLL_OUT;
        break;
    case SOCK_DNS: return dns_events(s);
    }
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

void net_sock_close(struct net_sock *s)
{
    if (!s) return;
    if (s->kind == SOCK_TCP) {
        tcp_sock_close(s); /* may keep the pcb for FIN and TIME_WAIT */
        return;
    }
    net_sock_free(s);
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
