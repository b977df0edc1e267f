/*
 * lib/net/icmp.c - ICMP (RFC 792, RFC 1122 3.2.2): echo replies to others'
 * pings, ping sockets (echo requests of our own with the reply's RTT),
 * destination unreachable messages passed to the UDP or TCP socket whose
 * datagram caused them, and port/protocol unreachable sent by us.
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "net/net_impl.h"

#define ICMP_ECHO_REPLY  0
#define ICMP_UNREACH     3
#define ICMP_ECHO        8
#define ICMP_HLEN        8
#define PING_QUEUE_LIMIT (64 * 1024)
#define PING_MAX_PAYLOAD 1400

/* Echo request: the reply carries the same identifier, sequence and data
 * (RFC 792). Not for broadcasts (RFC 1122 3.2.2.6 allows silence). */
static void icmp_echo_reply(struct net_stack *st, const struct ip_info *ip, const uint8_t *p,
                            size_t len)
{
    if (ip->broadcast || len + IP_HLEN > st->cfg.mtu) return;
    uint8_t *o = st->txbuf + NET_TX_L4;
    net_copy(o, p, len);
    o[0] = ICMP_ECHO_REPLY;
    o[1] = 0;
    be16_put(o + 2, 0);
    be16_put(o + 2, net_csum_fold(net_csum_add(0, o, len)));
    ipv4_output(st, st->addr, ip->src, IP_PROTO_ICMP, len);
}

/* A reply to one of our ping sockets: matched by identifier. The payload
 * begins with the 8-byte send time we put there. */
static void icmp_echo_answer(struct net_stack *st, const struct ip_info *ip, const uint8_t *p,
                             size_t len)
{
    uint16_t ident = be16_get(p + 4);
    struct list_node *it;
    list_for_each(it, &st->socks)
    {
        struct net_sock *s = list_entry(it, struct net_sock, link);
        if (s->kind != SOCK_PING || s->u.dg.ident != ident) continue;
        if (len < ICMP_HLEN + 8) return;
        uint64_t sent = ((uint64_t)be32_get(p + 8) << 32) | be32_get(p + 12);
        struct dgram *last = dgram_enqueue(s, ip->src, 0, NULL, 0, PING_QUEUE_LIMIT);
        if (!last) {
            st->ctr.rx_drops++;
            return;
        }
        last->aux = be16_get(p + 6);
        last->aux2 = (uint32_t)(st->now >= sent ? st->now - sent : 0);
        last->ttl = ip->ttl;
        last->len = len - ICMP_HLEN;
        net_sock_update(s);
        return;
    }
    st->ctr.rx_drops++;
}

/* Destination unreachable (RFC 1122 3.2.2.1): the embedded header names the
 * datagram we sent; the transport decides what the code means to it. */
static void icmp_unreach_input(struct net_stack *st, const uint8_t *p, size_t len)
{
    if (len < ICMP_HLEN + IP_HLEN + 8) return;
    const uint8_t *oh = p + ICMP_HLEN;
    size_t ohl = (size_t)(oh[0] & 0x0f) * 4;
    if ((oh[0] >> 4) != 4 || ohl < IP_HLEN || len < ICMP_HLEN + ohl + 8) return;
    uint8_t code = p[1];
    int err;
    switch (code) {
    case 0: /* net unreachable */
    case 6:
    case 9:
    case 11: err = ERR_NETUNREACH; break;
    case 2:                               /* protocol */
    case 3: err = ERR_CONNREFUSED; break; /* port */
    case 4: return; /* fragmentation needed: we send only small or DF-aware segments */
    default: err = ERR_HOSTUNREACH; break;
    }
    uint32_t dst = be32_get(oh + 16);
    const uint8_t *l4 = oh + ohl;
    uint16_t sport = be16_get(l4), dport = be16_get(l4 + 2);
    if (oh[9] == IP_PROTO_UDP)
        st->upper->udp_icmp_error(st, dst, sport, dport, err);
    else if (oh[9] == IP_PROTO_TCP)
        st->upper->tcp_icmp_error(st, dst, sport, dport, be32_get(l4 + 4), err);
}

void icmp_input(struct net_stack *st, const struct ip_info *ip, const uint8_t *p, size_t len)
{
    if (len < ICMP_HLEN || !net_csum_ok(net_csum_add(0, p, len))) {
        st->ctr.rx_errors++;
        return;
    }
    switch (p[0]) {
    case ICMP_ECHO: icmp_echo_reply(st, ip, p, len); break;
    case ICMP_ECHO_REPLY: icmp_echo_answer(st, ip, p, len); break;
    case ICMP_UNREACH: icmp_unreach_input(st, p, len); break;
    default: st->ctr.rx_drops++; break;
    }
}

/* Sends destination unreachable with the offending header and the first
 * 8 bytes of its payload (RFC 792). Never for broadcasts (RFC 1122 3.2.2). */
void icmp_send_unreach(struct net_stack *st, const struct ip_info *ip, uint8_t code,
                       const uint8_t *l4, size_t l4_len)
{
    if (ip->broadcast || !st->up) return;
    size_t body = ip->hlen + (l4_len < 8 ? l4_len : 8);
    uint8_t *o = st->txbuf + NET_TX_L4;
    o[0] = ICMP_UNREACH;
    o[1] = code;
    memset(o + 2, 0, 6);
    memcpy(o + ICMP_HLEN, ip->hdr, ip->hlen);
    memcpy(o + ICMP_HLEN + ip->hlen, l4, body - ip->hlen);
    be16_put(o + 2, net_csum_fold(net_csum_add(0, o, ICMP_HLEN + body)));
    ipv4_output(st, st->addr, ip->src, IP_PROTO_ICMP, ICMP_HLEN + body);
}

/* --- ping sockets --------------------------------------------------------- */

int net_ping_socket(struct net_stack *st, struct net_sock **out)
{
    struct net_sock *s = net_sock_new(st, SOCK_PING, NULL);
    if (!s) return ERR_NOMEM;
    s->u.dg.ident = st->ping_ident++;
    *out = s;
    return 0;
}

/* Sends an echo request whose payload starts with the send time (so the
 * reply alone gives the RTT) and is padded with a byte pattern. */
int net_ping_send(struct net_sock *s, uint32_t dst, uint16_t seq, size_t payload_len)
{
    net_refresh_time(s->st);
    struct net_stack *st = s->st;
    if (s->kind != SOCK_PING) return ERR_INVAL;
    if (payload_len < 8) payload_len = 8;
    if (payload_len > PING_MAX_PAYLOAD) return ERR_2BIG;
    if (!st->up) return ERR_NETDOWN;
    uint8_t *o = st->txbuf + NET_TX_L4;
    o[0] = ICMP_ECHO;
    o[1] = 0;
    be16_put(o + 2, 0);
    be16_put(o + 4, s->u.dg.ident);
    be16_put(o + 6, seq);
    be32_put(o + 8, (uint32_t)(st->now >> 32));
    be32_put(o + 12, (uint32_t)st->now);
    for (size_t i = 8; i < payload_len; i++)
        o[ICMP_HLEN + i] = (uint8_t)i;
    be16_put(o + 2, net_csum_fold(net_csum_add(0, o, ICMP_HLEN + payload_len)));
    return ipv4_output(st, st->addr, dst, IP_PROTO_ICMP, ICMP_HLEN + payload_len);
}

int net_ping_recv(struct net_sock *s, struct net_ping_reply *out)
{
    if (s->kind != SOCK_PING) return ERR_INVAL;
    struct dgram *d = s->u.dg.head;
    if (!d) return ERR_AGAIN;
    s->u.dg.head = d->next;
    if (!s->u.dg.head) s->u.dg.tail = &s->u.dg.head;
    out->from = d->addr;
    out->seq = d->aux;
    out->ttl = d->ttl;
    out->len = (uint16_t)d->len;
    out->rtt_ms = d->aux2;
    mem_free(d);
    s->last_events &= ~(unsigned)NET_POLL_IN;
    return 0;
}
