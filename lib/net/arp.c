/*
 * lib/net/arp.c - ARP for IPv4 over Ethernet (RFC 826): the neighbour cache
 * with entry timeouts, requests with retries, the queue of packets waiting
 * for resolution (RFC 1122 2.3.2.2) and gratuitous ARP after an address is
 * assigned (RFC 5227 3).
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/mem.h"
#include "net/net_impl.h"

#define ARP_HLEN         28
#define ARP_REACHABLE_MS 120000 /* entry lifetime after the last reply */
#define ARP_REFRESH_MS   15000  /* re-ask this long before expiry if in use */
#define ARP_RETRY_MS     1000
#define ARP_MAX_TRIES    4

enum { ARP_FREE, ARP_INCOMPLETE, ARP_REACHABLE };

static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void arp_send(struct net_stack *st, uint16_t op, const uint8_t *dst_mac, const uint8_t *tha,
                     uint32_t tpa)
{
    uint8_t *f = st->arpbuf;
    memcpy(f, dst_mac, 6);
    memcpy(f + 6, st->cfg.mac, 6);
    be16_put(f + 12, ETH_TYPE_ARP);
    uint8_t *a = f + ETH_HLEN;
    be16_put(a, 1);          /* hardware: Ethernet */
    be16_put(a + 2, 0x0800); /* protocol: IPv4 */
    a[4] = 6;
    a[5] = 4;
    be16_put(a + 6, op);
    memcpy(a + 8, st->cfg.mac, 6);
    be32_put(a + 14, st->addr);
    memcpy(a + 18, tha, 6);
    be32_put(a + 24, tpa);
    memset(f + ETH_HLEN + ARP_HLEN, 0, 60 - ETH_HLEN - ARP_HLEN); /* pad to 60 */
    net_send_frame(st, f, 60);
}

static void arp_request(struct net_stack *st, uint32_t ip)
{
    static const uint8_t zero[6];
    arp_send(st, 1, bcast_mac, zero, ip);
}

/* Announces our address: a broadcast request for it (RFC 5227 3). */
void arp_announce(struct net_stack *st)
{
    static const uint8_t zero[6];
    arp_send(st, 1, bcast_mac, zero, st->addr);
}

static struct arp_entry *arp_find(struct net_stack *st, uint32_t ip)
{
    for (int i = 0; i < ARP_TABLE_SIZE; i++)
        if (st->arp[i].state != ARP_FREE && st->arp[i].ip == ip) return &st->arp[i];
    return NULL;
}

static void arp_drop_queue(struct net_stack *st, struct arp_entry *e)
{
    struct arp_pending *p = e->queue;
    while (p) {
        struct arp_pending *n = p->next;
        st->ctr.tx_drops++;
        mem_free(p);
        p = n;
    }
    e->queue = NULL;
    e->queue_tail = &e->queue;
    e->queued = 0;
}

/* A free slot, or the least recently used entry (its queue is dropped). */
static struct arp_entry *arp_alloc(struct net_stack *st, uint32_t ip)
{
    struct arp_entry *victim = NULL;
    for (int i = 0; i < ARP_TABLE_SIZE; i++) {
        struct arp_entry *e = &st->arp[i];
        if (e->state == ARP_FREE) {
            victim = e;
            break;
        }
        if (!victim || e->last_use < victim->last_use) victim = e;
    }
    arp_drop_queue(st, victim);
    memset(victim, 0, sizeof *victim);
    victim->ip = ip;
    victim->queue_tail = &victim->queue;
    victim->last_use = st->now;
    return victim;
}

static void eth_fill(struct net_stack *st, uint8_t *frame, const uint8_t *dst)
{
    memcpy(frame, dst, 6);
    memcpy(frame + 6, st->cfg.mac, 6);
    be16_put(frame + 12, ETH_TYPE_IPV4);
}

/* Sends the frames held for a neighbour that just resolved. */
static void arp_flush_queue(struct net_stack *st, struct arp_entry *e)
{
    struct arp_pending *p = e->queue;
    e->queue = NULL;
    e->queue_tail = &e->queue;
    e->queued = 0;
    while (p) {
        struct arp_pending *n = p->next;
        eth_fill(st, p->pkt, e->mac);
        net_send_frame(st, p->pkt, ETH_HLEN + p->len);
        mem_free(p);
        p = n;
    }
}

/* RFC 826 "Packet Reception", with the merge step: update an existing entry
 * for the sender; add one if the request is for us. Replies to requests for
 * our address. */
void arp_input(struct net_stack *st, const uint8_t *a, size_t len)
{
    if (len < ARP_HLEN || be16_get(a) != 1 || be16_get(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4) {
        st->ctr.rx_errors++;
        return;
    }
    uint16_t op = be16_get(a + 6);
    const uint8_t *sha = a + 8;
    uint32_t spa = be32_get(a + 14);
    uint32_t tpa = be32_get(a + 24);
    if (sha[0] & 1) { /* a multicast sender address is bogus */
        st->ctr.rx_errors++;
        return;
    }
    if (spa == 0 || !st->up) {
        st->ctr.rx_drops++;
        return;
    }
    bool for_us = tpa == st->addr;
    struct arp_entry *e = arp_find(st, spa);
    if (e || (for_us && spa != st->addr)) {
        if (!e) e = arp_alloc(st, spa);
        memcpy(e->mac, sha, 6);
        e->state = ARP_REACHABLE;
        e->expires = st->now + ARP_REACHABLE_MS;
        e->tries = 0;
        arp_flush_queue(st, e);
    }
    if (for_us && op == 1) arp_send(st, 2, sha, sha, spa);
}

/* Sends the IPv4 packet that follows the Ethernet header room in frame, or
 * queues a copy of it until the neighbour resolves. Returns 0 when sent or
 * queued, ERR_NOBUFS when the queue is full, ERR_NOMEM. */
int arp_output(struct net_stack *st, uint32_t nexthop, uint8_t *frame, size_t ip_len)
{
    if (nexthop == 0xffffffffu || nexthop == (st->addr | ~st->netmask)) {
        eth_fill(st, frame, bcast_mac);
        net_send_frame(st, frame, ETH_HLEN + ip_len);
        return 0;
    }
    struct arp_entry *e = arp_find(st, nexthop);
    if (e && e->state == ARP_REACHABLE) {
        e->last_use = st->now;
        if (e->expires - st->now < ARP_REFRESH_MS && e->tries == 0) {
            e->tries = 1; /* one refresh request; the entry stays usable */
            arp_request(st, nexthop);
        }
        eth_fill(st, frame, e->mac);
        net_send_frame(st, frame, ETH_HLEN + ip_len);
        return 0;
    }
    if (!e) {
        e = arp_alloc(st, nexthop);
        e->state = ARP_INCOMPLETE;
        e->tries = 1;
        e->expires = st->now + ARP_RETRY_MS;
        arp_request(st, nexthop);
    }
    if (e->queued >= ARP_QUEUE_MAX) {
        st->ctr.tx_drops++;
        return ERR_NOBUFS;
    }
    struct arp_pending *p = mem_alloc(sizeof *p + ETH_HLEN + ip_len);
    if (!p) {
        st->ctr.tx_drops++;
        return ERR_NOMEM;
    }
    p->next = NULL;
    p->len = ip_len;
    net_copy(p->pkt + ETH_HLEN, frame + ETH_HLEN, ip_len);
    *e->queue_tail = p;
    e->queue_tail = &p->next;
    e->queued++;
    return 0;
}

/* Retries requests, gives up on silent neighbours (dropping their queue) and
 * expires old entries. */
void arp_poll(struct net_stack *st)
{
    for (int i = 0; i < ARP_TABLE_SIZE; i++) {
        struct arp_entry *e = &st->arp[i];
        if (e->state == ARP_FREE || st->now < e->expires) continue;
        if (e->state == ARP_INCOMPLETE && e->tries < ARP_MAX_TRIES) {
            e->tries++;
            e->expires = st->now + ARP_RETRY_MS;
            arp_request(st, e->ip);
            continue;
        }
        bool unreachable = e->state == ARP_INCOMPLETE;
        uint32_t ip = e->ip;
        arp_drop_queue(st, e);
        e->state = ARP_FREE;
        if (unreachable) /* RFC 1122 2.3.2.1: tell the transport */
            st->upper->neighbour_unreachable(st, ip);
    }
}

uint64_t arp_deadline(const struct net_stack *st)
{
    uint64_t d = 0;
    for (int i = 0; i < ARP_TABLE_SIZE; i++)
        if (st->arp[i].state != ARP_FREE) d = net_min_deadline(d, st->arp[i].expires);
    return d;
}

void arp_flush(struct net_stack *st)
{
    for (int i = 0; i < ARP_TABLE_SIZE; i++) {
        arp_drop_queue(st, &st->arp[i]);
        st->arp[i].state = ARP_FREE;
    }
}
