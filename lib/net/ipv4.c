/*
 * lib/net/ipv4.c - IPv4 (RFC 791, RFC 1122 3.2.1): header checks on input
 * (version, IHL, total length, checksum, addresses), hand-off to the
 * reassembler and the transport protocols; on output the header, the TTL
 * and the route: on-link destinations directly, others through the gateway.
 */
#include "base/endian.h"
#include "base/mem.h"
#include "net/net_impl.h"

/* Whether dst is one of ours: our address, limited broadcast, our subnet's
 * broadcast. Before an address is configured only broadcasts and (for a
 * DHCP client whose server unicasts) any unicast to our MAC are accepted. */
bool ipv4_is_local(const struct net_stack *st, uint32_t dst, bool *broadcast)
{
    *broadcast = false;
    if (dst == 0xffffffffu ||
        (st->up && st->netmask != 0xffffffffu && dst == (st->addr | ~st->netmask))) {
        *broadcast = true;
        return true;
    }
    if (!st->up) return st->dhcp != NULL;
    return dst == st->addr;
}

/* Our source address for a destination (one interface: our address, or 0
 * before configuration, as DHCP requires, RFC 2131 4.1). */
uint32_t ipv4_source_for(const struct net_stack *st, uint32_t dst)
{
    (void)dst;
    return st->up ? st->addr : 0;
}

static void ipv4_deliver(struct net_stack *st, struct ip_info *ip, const uint8_t *p, size_t len)
{
    switch (ip->proto) {
    case IP_PROTO_ICMP: st->upper->icmp_input(st, ip, p, len); break;
    case IP_PROTO_UDP: st->upper->udp_input(st, ip, p, len); break;
    case IP_PROTO_TCP:
        if (ip->broadcast) {
            st->ctr.rx_drops++;
            break;
        }
        st->upper->tcp_input(st, ip, p, len);
        break;
    default:
        st->ctr.rx_drops++;
        /* RFC 1122 3.2.2.1: protocol unreachable for unicast only */
        if (!ip->broadcast) st->upper->send_unreach(st, ip, 2, p, len);
        break;
    }
}

/* RFC 1122 3.2.1: silently discard datagrams with a bad version, header
 * length, total length or checksum, and those not addressed to us (we are a
 * host, not a router: 3.3.4.2 without forwarding). */
void ipv4_input(struct net_stack *st, const uint8_t *pkt, size_t len)
{
    if (len < IP_HLEN || (pkt[0] >> 4) != 4) {
        st->ctr.rx_errors++;
        return;
    }
    size_t hlen = (size_t)(pkt[0] & 0x0f) * 4;
    size_t total = be16_get(pkt + 2);
    if (hlen < IP_HLEN || total < hlen || total > len) {
        st->ctr.rx_errors++;
        return;
    }
    if (!net_csum_ok(net_csum_add(0, pkt, hlen))) {
        st->ctr.rx_errors++;
        return;
    }
    struct ip_info ip = {
        .src = be32_get(pkt + 12),
        .dst = be32_get(pkt + 16),
        .proto = pkt[9],
        .ttl = pkt[8],
        .hdr = pkt,
        .hlen = hlen,
    };
    /* source checks: no broadcast, multicast or loopback senders */
    if (ip.src == 0xffffffffu || (ip.src >> 28) == 0xe || (ip.src >> 24) == 127) {
        st->ctr.rx_errors++;
        return;
    }
    if (!ipv4_is_local(st, ip.dst, &ip.broadcast)) {
        st->ctr.rx_drops++;
        return;
    }
    uint16_t frag = be16_get(pkt + 6);
    if (frag & 0x3fff) { /* MF set or offset non-zero: a fragment */
        size_t dlen;
        int slot;
        const uint8_t *d = ip4_reass_input(st, pkt, hlen, total, &dlen, &slot);
        if (!d) return;
        st->rx_flags = 0; /* the device checked none of the other fragments */
        ipv4_deliver(st, &ip, d, dlen);
        ip4_reass_release(st, slot);
        return;
    }
    ipv4_deliver(st, &ip, pkt + hlen, total - hlen);
}

/* Builds the IPv4 header in front of the l4_len transport bytes at
 * st->txbuf + NET_TX_L4 and sends it towards dst: on-link destinations
 * and broadcasts directly, everything else to the gateway (RFC 1122
 * 3.3.1.1). ERR_NETUNREACH when off-link without a gateway, ERR_2BIG
 * above the MTU (we do not fragment what we send). */
int ipv4_output(struct net_stack *st, uint32_t src, uint32_t dst, uint8_t proto, size_t l4_len)
{
    return ipv4_output_ttl(st, src, dst, proto, l4_len, 0);
}

int ipv4_output_ttl(struct net_stack *st, uint32_t src, uint32_t dst, uint8_t proto, size_t l4_len,
                    uint8_t ttl)
{
    if (l4_len + IP_HLEN > st->cfg.mtu) return ERR_2BIG;
    uint32_t nexthop = dst;
    if (dst != 0xffffffffu) {
        if (!st->up) return ERR_NETDOWN;
        if ((dst & st->netmask) != (st->addr & st->netmask)) {
            if (!st->gateway) return ERR_NETUNREACH;
            nexthop = st->gateway;
        }
    }
    uint8_t *h = st->txbuf + ETH_HLEN;
    h[0] = 0x45;
    h[1] = 0;
    be16_put(h + 2, (uint16_t)(IP_HLEN + l4_len));
    be16_put(h + 4, st->ip_id++);
    be16_put(h + 6, proto == IP_PROTO_TCP ? 0x4000 : 0); /* DF for TCP (RFC 1191) */
    h[8] = ttl ? ttl : IP_DEFAULT_TTL;
    h[9] = proto;
    be16_put(h + 10, 0);
    be32_put(h + 12, src);
    be32_put(h + 16, dst);
    be16_put(h + 10, net_csum_fold(net_csum_add(0, h, IP_HLEN)));
    return arp_output(st, nexthop, st->txbuf, IP_HLEN + l4_len);
}

/* --- the interface's address configuration ------------------------------- */

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
