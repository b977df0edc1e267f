/*
 * lib/net/ip4_frag.c - IPv4 fragment reassembly (RFC 791 3.2, RFC 815's
 * idea with a bitmap of 8-byte blocks instead of a hole list). A few
 * datagrams at once, a byte limit across all of them and a timeout per
 * datagram (RFC 1122 3.3.2: 60-120 s recommended max; we use 15 s, RFC 791's
 * initial value, since our peers are near). Overlapping fragments overwrite.
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/mem.h"
#include "net/net_impl.h"

#define MAX_PAYLOAD  65535
#define BITMAP_BYTES (MAX_PAYLOAD / 8 / 8 + 1)

static void slot_free(struct net_stack *st, struct reass_slot *r)
{
    st->reass_bytes -= r->cap;
    mem_free(r->buf);
    mem_free(r->have);
    memset(r, 0, sizeof *r);
}

static struct reass_slot *slot_find(struct net_stack *st, uint32_t src, uint32_t dst, uint16_t id,
                                    uint8_t proto)
{
    struct reass_slot *free_slot = NULL;
    for (int i = 0; i < REASS_SLOTS; i++) {
        struct reass_slot *r = &st->reass[i];
        if (!r->used) {
            if (!free_slot) free_slot = r;
            continue;
        }
        if (r->src == src && r->dst == dst && r->id == id && r->proto == proto) return r;
    }
    if (!free_slot) return NULL;
    free_slot->have = mem_zalloc(BITMAP_BYTES);
    if (!free_slot->have) return NULL;
    free_slot->used = true;
    free_slot->src = src;
    free_slot->dst = dst;
    free_slot->id = id;
    free_slot->proto = proto;
    free_slot->expires = st->now + REASS_TIMEOUT_MS;
    return free_slot;
}

static bool slot_complete(const struct reass_slot *r)
{
    if (!r->total) return false;
    size_t blocks = (r->total + 7) / 8;
    for (size_t b = 0; b < blocks; b++)
        if (!(r->have[b / 8] & (1u << (b % 8)))) return false;
    return true;
}

/* Grows the slot's buffer to hold need bytes, within the global limit. */
static bool slot_reserve(struct net_stack *st, struct reass_slot *r, size_t need)
{
    if (need <= r->cap) return true;
    size_t cap = r->cap ? r->cap : 2048;
    while (cap < need)
        cap *= 2;
    if (cap > MAX_PAYLOAD + 1) cap = MAX_PAYLOAD + 1;
    if (st->reass_bytes - r->cap + cap > REASS_MAX_BYTES) return false;
    uint8_t *nb = mem_realloc(r->buf, cap);
    if (!nb) return false;
    st->reass_bytes = st->reass_bytes - r->cap + cap;
    r->buf = nb;
    r->cap = cap;
    return true;
}

/* Adds one fragment (pkt: a checked IPv4 header of hlen bytes and total
 * bytes in all). When it completes its datagram, returns the payload and
 * sets *out_len and *slot; otherwise NULL. Bad fragments are counted as
 * errors and end their datagram's reassembly. */
const uint8_t *ip4_reass_input(struct net_stack *st, const uint8_t *pkt, size_t hlen, size_t total,
                               size_t *out_len, int *slot)
{
    uint16_t frag = be16_get(pkt + 6);
    size_t off = (size_t)(frag & 0x1fff) * 8;
    bool more = frag & 0x2000;
    size_t plen = total - hlen;
    struct reass_slot *r =
        slot_find(st, be32_get(pkt + 12), be32_get(pkt + 16), be16_get(pkt + 4), pkt[9]);
    if (!r) {
        st->ctr.rx_drops++;
        return NULL;
    }
    bool bad = (more && (plen == 0 || plen % 8)) || off + plen > MAX_PAYLOAD - hlen;
    if (!more && r->total && r->total != off + plen) bad = true;
    if (more && r->total && off + plen > r->total) bad = true;
    if (bad) {
        st->ctr.rx_errors++;
        slot_free(st, r);
        return NULL;
    }
    if (!slot_reserve(st, r, off + plen)) {
        st->ctr.rx_drops++;
        slot_free(st, r);
        return NULL;
    }
    net_copy(r->buf + off, pkt + hlen, plen);
    for (size_t b = off / 8; b < (off + plen + 7) / 8; b++)
        r->have[b / 8] |= (uint8_t)(1u << (b % 8));
    if (!more) r->total = off + plen;
    if (r->total && r->total < off + plen) {
        st->ctr.rx_errors++;
        slot_free(st, r);
        return NULL;
    }
    if (!slot_complete(r)) return NULL;
    *out_len = r->total;
    *slot = (int)(r - st->reass);
    return r->buf;
}

void ip4_reass_release(struct net_stack *st, int slot)
{
    slot_free(st, &st->reass[slot]);
}

/* RFC 1122 3.3.2: a datagram not complete in time is dropped. (An ICMP time
 * exceeded for it is optional; we send none.) */
void ip4_reass_poll(struct net_stack *st)
{
    for (int i = 0; i < REASS_SLOTS; i++)
        if (st->reass[i].used && st->now >= st->reass[i].expires) {
            st->ctr.rx_drops++;
            slot_free(st, &st->reass[i]);
        }
}

uint64_t ip4_reass_deadline(const struct net_stack *st)
{
    uint64_t d = 0;
    for (int i = 0; i < REASS_SLOTS; i++)
        if (st->reass[i].used) d = net_min_deadline(d, st->reass[i].expires);
    return d;
}

void ip4_reass_free(struct net_stack *st)
{
    for (int i = 0; i < REASS_SLOTS; i++)
        if (st->reass[i].used) slot_free(st, &st->reass[i]);
}
