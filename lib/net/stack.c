/*
 * lib/net/stack.c - the stack instance, the top floor of lib/net:
 * creation (with the table of upper-layer entry points the lower layers
 * reach them through), the Ethernet input dispatch, timers (poll and the
 * next deadline), static configuration, counters and closing a socket.
 *
 * Floors, lowest first; a file calls only files on its own floor or below
 * (tests/check/call_circles.py keeps it so; docs/ARCHITECTURE.md):
 *   checksum.c, sock.c      shared: frames out, sockets, datagram queues
 *   arp.c, ip4_frag.c       neighbours, reassembly
 *   ipv4.c                  IPv4 in and out, the address configuration
 *   icmp.c                  errors, echo, ping sockets
 *   udp.c                   datagrams
 *   tcp*.c, dhcp.c, dns.c   TCP; the DHCP client and DNS resolver over UDP
 *   stack.c                 the instance and the public entry points
 * Upward deliveries go through struct net_upcalls, filled in here.
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "net/net_impl.h"

#define DEFAULT_MTU 1500

static const struct net_upcalls upcalls = {
    .icmp_input = icmp_input,
    .udp_input = udp_input,
    .tcp_input = tcp_input,
    .send_unreach = icmp_send_unreach,
    .udp_icmp_error = udp_icmp_error,
    .tcp_icmp_error = tcp_icmp_error,
    .neighbour_unreachable = tcp_neighbour_unreachable,
    .dhcp_input = dhcp_input,
    .dns_input = dns_input,
};

int net_create(const struct net_config *cfg, uint64_t now, struct net_stack **out)
{
    if (!cfg || !cfg->tx || !cfg->random || !out) return ERR_INVAL;
    uint16_t mtu = cfg->mtu ? cfg->mtu : DEFAULT_MTU;
    if (mtu < 576 || mtu > 9000) return ERR_INVAL;
    struct net_stack *st = mem_zalloc(sizeof *st);
    if (!st) return ERR_NOMEM;
    st->cfg = *cfg;
    st->upper = &upcalls;
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

void net_sock_close(struct net_sock *s)
{
    if (!s) return;
    if (s->kind == SOCK_TCP) {
        tcp_sock_close(s); /* may keep the pcb for FIN and TIME_WAIT */
        return;
    }
    net_sock_free(s);
}
