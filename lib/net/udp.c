/*
 * lib/net/udp.c - UDP (RFC 768, RFC 1122 4.1): datagram sockets with ports,
 * connect, sendto and recvfrom; demultiplexing of received datagrams to the
 * DHCP client, the DNS resolver and sockets; port unreachable for datagrams
 * nobody wants; ICMP errors turned into ERR_CONNREFUSED and friends.
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "net/net_impl.h"

#define UDP_QUEUE_LIMIT  (256 * 1024)
#define DHCP_CLIENT_PORT 68

struct net_sock *udp_find_bound(struct net_stack *st, uint16_t port)
{
    struct list_node *it;
    list_for_each(it, &st->socks)
    {
        struct net_sock *s = list_entry(it, struct net_sock, link);
        if (s->kind == SOCK_UDP && s->lport == port) return s;
    }
    return NULL;
}

/* RFC 768: length covers header and data; a zero checksum means none was
 * computed; otherwise it must verify over the pseudo-header. */
void udp_input(struct net_stack *st, const struct ip_info *ip, const uint8_t *p, size_t len)
{
    if (len < UDP_HLEN) {
        st->ctr.rx_errors++;
        return;
    }
    size_t ulen = be16_get(p + 4);
    if (ulen < UDP_HLEN || ulen > len) {
        st->ctr.rx_errors++;
        return;
    }
    if (be16_get(p + 6) != 0 && !(st->rx_flags & NET_RX_CSUM_VALID)) {
        uint32_t sum = net_csum_pseudo(ip->src, ip->dst, IP_PROTO_UDP, (uint16_t)ulen);
        if (!net_csum_ok(net_csum_add(sum, p, ulen))) {
            st->ctr.rx_errors++;
            return;
        }
    }
    uint16_t sport = be16_get(p), dport = be16_get(p + 2);
    const uint8_t *data = p + UDP_HLEN;
    size_t dlen = ulen - UDP_HLEN;
    if (dport == DHCP_CLIENT_PORT && st->dhcp) {
        st->upper->dhcp_input(st, ip, data, dlen);
        return;
    }
    if (!ip->broadcast && st->upper->dns_input(st, ip, sport, dport, data, dlen)) return;
    struct net_sock *s = udp_find_bound(st, dport);
    if (s && s->u.dg.connected && (s->raddr != ip->src || s->rport != sport)) s = NULL;
    if (!s) {
        st->ctr.rx_drops++;
        icmp_send_unreach(st, ip, 3, p, ulen); /* port unreachable, RFC 1122 4.1.3.1 */
        return;
    }
    if (!dgram_enqueue(s, ip->src, sport, data, dlen, UDP_QUEUE_LIMIT)) {
        st->ctr.rx_drops++;
        return;
    }
    net_sock_update(s);
}

/* An ICMP error about a datagram sent from sport: reported on the socket
 * (RFC 1122 4.1.3.3) if it is connected to that peer, like BSD sockets. */
void udp_icmp_error(struct net_stack *st, uint32_t dst, uint16_t sport, uint16_t dport, int err)
{
    struct net_sock *s = udp_find_bound(st, sport);
    if (!s || !s->u.dg.connected || s->raddr != dst || s->rport != dport) return;
    s->error = err;
    net_sock_update(s);
}

int net_udp_socket(struct net_stack *st, struct net_sock **out)
{
    struct net_sock *s = net_sock_new(st, SOCK_UDP, NULL);
    if (!s) return ERR_NOMEM;
    *out = s;
    return 0;
}

int net_udp_connect(struct net_sock *s, uint32_t addr, uint16_t port)
{
    if (s->kind != SOCK_UDP || !addr || !port) return ERR_INVAL;
    if (!s->lport) {
        int r = net_sock_bind(s, 0, 0);
        if (r < 0) return r;
    }
    s->raddr = addr;
    s->rport = port;
    s->u.dg.connected = true;
    return 0;
}

/* Builds and sends one datagram; ERR_2BIG when it would need fragmenting. */
long net_udp_sendto(struct net_sock *s, const void *buf, size_t len, uint32_t addr, uint16_t port)
{
    net_refresh_time(s->st);
    struct net_stack *st = s->st;
    if (s->kind != SOCK_UDP) return ERR_INVAL;
    if (!addr) {
        if (!s->u.dg.connected) return ERR_NOTCONN;
        addr = s->raddr;
        port = s->rport;
    }
    if (!port) return ERR_INVAL;
    if (len + UDP_HLEN + IP_HLEN > st->cfg.mtu) return ERR_2BIG;
    if (!s->lport) {
        int r = net_sock_bind(s, 0, 0);
        if (r < 0) return r;
    }
    if (len) net_copy(st->txbuf + NET_TX_L4 + UDP_HLEN, buf, len);
    int r = udp_send_raw(st, ipv4_source_for(st, addr), s->lport, addr, port, len, s->ttl);
    return r < 0 ? r : (long)len;
}

/* Sends len payload bytes already placed at st->txbuf + NET_TX_L4 + 8. */
int udp_send_raw(struct net_stack *st, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                 size_t len, uint8_t ttl)
{
    uint8_t *u = st->txbuf + NET_TX_L4;
    be16_put(u, sport);
    be16_put(u + 2, dport);
    be16_put(u + 4, (uint16_t)(len + UDP_HLEN));
    be16_put(u + 6, 0);
    uint32_t sum = net_csum_pseudo(src, dst, IP_PROTO_UDP, (uint16_t)(len + UDP_HLEN));
    uint16_t c = net_csum_fold(net_csum_add(sum, u, len + UDP_HLEN));
    be16_put(u + 6, c ? c : 0xffff); /* RFC 768: zero is sent as all ones */
    return ipv4_output_ttl(st, src, dst, IP_PROTO_UDP, len + UDP_HLEN, ttl);
}

long net_udp_recvfrom(struct net_sock *s, void *buf, size_t len, uint32_t *addr, uint16_t *port)
{
    if (s->kind != SOCK_UDP) return ERR_INVAL;
    if (s->error) return net_sock_error(s);
    struct dgram *d = s->u.dg.head;
    if (!d) return ERR_AGAIN;
    s->u.dg.head = d->next;
    if (!s->u.dg.head) s->u.dg.tail = &s->u.dg.head;
    s->u.dg.bytes -= d->len;
    size_t n = d->len < len ? d->len : len;
    if (n) net_copy(buf, d->data, n);
    if (addr) *addr = d->addr;
    if (port) *port = d->port;
    mem_free(d);
    s->last_events &= ~(unsigned)NET_POLL_IN;
    return (long)n;
}
