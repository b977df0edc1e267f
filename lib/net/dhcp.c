/*
 * lib/net/dhcp.c - the DHCP client (RFC 2131, options RFC 2132).
 *
 * States (RFC 2131 4.4, figure 5): INIT -> SELECTING (DISCOVER sent) ->
 * REQUESTING (REQUEST for an OFFER) -> BOUND; at T1 RENEWING (unicast
 * REQUEST to the server), at T2 REBINDING (broadcast REQUEST), at the end
 * of the lease back to INIT. A NAK restarts from INIT. Requests are
 * retransmitted with exponential backoff (4.1: 4, 8, 16, 32, 64 s with
 * +-1 s of randomness). The offered address is not probed with ARP first
 * (4.4.1 says SHOULD); a conflict shows as the neighbour's ARP traffic.
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "net/net_impl.h"

#define DHCP_SERVER_PORT  67
#define DHCP_CLIENT_PORT  68
#define DHCP_FIXED        236 /* op .. file */
#define DHCP_MAGIC        0x63825363u
#define DHCP_MIN_RETRY_MS 60000 /* RFC 2131 4.4.5: renew retries at least 60 s apart */

enum { DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK, DHCPNAK, DHCPRELEASE };
enum dhcp_state { D_INIT, D_SELECTING, D_REQUESTING, D_BOUND, D_RENEWING, D_REBINDING };

struct dhcp_client {
    enum dhcp_state state;
    uint32_t xid;
    uint64_t start;    /* when this exchange began (the secs field) */
    uint64_t deadline; /* next retransmission or state change */
    int tries;
    uint32_t offered, server;
    uint64_t bound_at;
    uint32_t lease, t1, t2; /* seconds */
};

/* The options of one message that we use (RFC 2132). */
struct dhcp_opts {
    int type;
    uint32_t mask, router, server, lease, t1, t2;
    uint32_t dns[3];
    int ndns;
    bool has_mask, has_lease, has_t1, has_t2;
    int overload;
};

/* Walks one options area (RFC 2132 2): pad 0, end 255, others
 * code-length-value; every length is checked against the area. Returns
 * ERR_BADMSG for a truncated option. */
static int dhcp_parse_area(const uint8_t *o, size_t n, struct dhcp_opts *r)
{
    size_t i = 0;
    while (i < n) {
        uint8_t code = o[i];
        if (code == 0) {
            i++;
            continue;
        }
        if (code == 255) return 0;
        if (i + 1 >= n || i + 2 + o[i + 1] > n) return ERR_BADMSG;
        uint8_t len = o[i + 1];
        const uint8_t *v = o + i + 2;
        switch (code) {
        case 1:
            if (len == 4) {
                r->mask = be32_get(v);
                r->has_mask = true;
            }
            break;
        case 3:
            if (len >= 4) r->router = be32_get(v);
            break;
        case 6:
            for (int k = 0; k + 4 <= len && r->ndns < 3; k += 4)
                r->dns[r->ndns++] = be32_get(v + k);
            break;
        case 51:
            if (len == 4) {
                r->lease = be32_get(v);
                r->has_lease = true;
            }
            break;
        case 52:
            if (len == 1) r->overload = v[0];
            break;
        case 53:
            if (len == 1) r->type = v[0];
            break;
        case 54:
            if (len == 4) r->server = be32_get(v);
            break;
        case 58:
            if (len == 4) {
                r->t1 = be32_get(v);
                r->has_t1 = true;
            }
            break;
        case 59:
            if (len == 4) {
                r->t2 = be32_get(v);
                r->has_t2 = true;
            }
            break;
        default: break;
        }
        i += 2 + (size_t)len;
    }
    return 0;
}

/* Options, including those overloaded into file and sname (RFC 2132 9.3). */
static int dhcp_parse(const uint8_t *m, size_t len, struct dhcp_opts *r)
{
    memset(r, 0, sizeof *r);
    if (len < DHCP_FIXED + 4 || be32_get(m + DHCP_FIXED) != DHCP_MAGIC) return ERR_BADMSG;
    int e = dhcp_parse_area(m + DHCP_FIXED + 4, len - DHCP_FIXED - 4, r);
    if (e < 0) return e;
    if (r->overload & 1 && (e = dhcp_parse_area(m + 108, 128, r)) < 0) return e;
    if (r->overload & 2 && (e = dhcp_parse_area(m + 44, 64, r)) < 0) return e;
    return 0;
}

/* Builds and sends a DISCOVER or REQUEST (RFC 2131 4.4.1 table 5). */
static void dhcp_send(struct net_stack *st, int type)
{
    struct dhcp_client *c = st->dhcp;
    uint8_t *m = st->txbuf + NET_TX_L4 + UDP_HLEN;
    memset(m, 0, DHCP_FIXED);
    m[0] = 1; /* BOOTREQUEST */
    m[1] = 1;
    m[2] = 6;
    be32_put(m + 4, c->xid);
    uint64_t secs = (st->now - c->start) / 1000;
    be16_put(m + 8, (uint16_t)(secs > 65535 ? 65535 : secs));
    bool renewing = c->state == D_RENEWING || c->state == D_REBINDING;
    if (renewing)
        be32_put(m + 12, st->addr); /* ciaddr */
    else
        be16_put(m + 10, 0x8000); /* broadcast replies: we have no address yet */
    memcpy(m + 28, st->cfg.mac, 6);
    uint8_t *o = m + DHCP_FIXED;
    be32_put(o, DHCP_MAGIC);
    size_t n = 4;
    o[n++] = 53;
    o[n++] = 1;
    o[n++] = (uint8_t)type;
    o[n++] = 61; /* client identifier: type 1 + MAC (RFC 2132 9.14) */
    o[n++] = 7;
    o[n++] = 1;
    memcpy(o + n, st->cfg.mac, 6);
    n += 6;
    if (type == DHCPREQUEST && c->state == D_REQUESTING) {
        o[n++] = 50;
        o[n++] = 4;
        be32_put(o + n, c->offered);
        n += 4;
        o[n++] = 54;
        o[n++] = 4;
        be32_put(o + n, c->server);
        n += 4;
    }
    o[n++] = 57; /* maximum message size */
    o[n++] = 2;
    be16_put(o + n, (uint16_t)(st->cfg.mtu < 1500 ? st->cfg.mtu : 1500));
    n += 2;
    static const uint8_t want[] = {1, 3, 6, 15, 51, 54, 58, 59};
    o[n++] = 55;
    o[n++] = sizeof want;
    memcpy(o + n, want, sizeof want);
    n += sizeof want;
    if (st->cfg.hostname) {
        size_t hl = strnlen(st->cfg.hostname, 63);
        if (hl) {
            o[n++] = 12;
            o[n++] = (uint8_t)hl;
            memcpy(o + n, st->cfg.hostname, hl);
            n += hl;
        }
    }
    o[n++] = 255;
    while (n < 64) /* BOOTP minimum of 300 bytes in all (RFC 1542 2.1) */
        o[n++] = 0;
    uint32_t src = renewing ? st->addr : 0;
    uint32_t dst = c->state == D_RENEWING ? c->server : 0xffffffffu;
    udp_send_raw(st, src, DHCP_CLIENT_PORT, dst, DHCP_SERVER_PORT, DHCP_FIXED + n, 0);
}

/* RFC 2131 4.1: 4 s doubling to 64 s, randomized by +-1 s. */
static uint64_t dhcp_backoff(struct net_stack *st, int tries)
{
    uint64_t base = 4000ull << (tries < 4 ? tries : 4);
    return base - 1000 + net_random32(st) % 2001;
}

static void dhcp_restart(struct net_stack *st)
{
    struct dhcp_client *c = st->dhcp;
    c->state = D_SELECTING;
    c->xid = net_random32(st);
    c->start = st->now;
    c->tries = 0;
    dhcp_send(st, DHCPDISCOVER);
    c->deadline = st->now + dhcp_backoff(st, 0);
}

int net_dhcp_start(struct net_stack *st)
{
    net_refresh_time(st);
    if (!st->dhcp) {
        st->dhcp = mem_zalloc(sizeof *st->dhcp);
        if (!st->dhcp) return ERR_NOMEM;
    }
    if (st->up && !st->from_dhcp) net_clear_config(st);
    dhcp_restart(st);
    return 0;
}

void dhcp_free(struct net_stack *st)
{
    mem_free(st->dhcp);
    st->dhcp = NULL;
}

static void dhcp_log_lease(struct net_stack *st)
{
    char a[16], g[16], d[16];
    net_ip_format(st->addr, a);
    net_ip_format(st->gateway, g);
    net_ip_format(st->ndns ? st->dns[0] : 0, d);
    log_write(LOG_INFO, "dhcp", "lease %s/%d gw %s dns %s for %u s", a, net_prefix_len(st->netmask),
              g, d, (unsigned)st->dhcp->lease);
}

/* DHCPACK: put the lease into force (RFC 2131 4.4.1), T1 and T2 defaulting
 * to 0.5 and 0.875 of the lease (4.4.5). */
static void dhcp_bind(struct net_stack *st, uint32_t yiaddr, const struct dhcp_opts *o)
{
    struct dhcp_client *c = st->dhcp;
    c->lease = o->has_lease ? o->lease : 3600;
    if (c->lease < 10) c->lease = 10;
    c->t1 = o->has_t1 ? o->t1 : c->lease / 2;
    c->t2 = o->has_t2 ? o->t2 : (uint32_t)((uint64_t)c->lease * 7 / 8);
    if (c->t2 > c->lease) c->t2 = c->lease;
    if (c->t1 > c->t2) c->t1 = c->t2;
    if (o->server) c->server = o->server;
    c->bound_at = st->now;
    c->state = D_BOUND;
    c->tries = 0;
    c->deadline = c->bound_at + (uint64_t)c->t1 * 1000;
    uint32_t mask = o->has_mask ? o->mask : 0xffffff00u;
    uint32_t gw = (o->router & mask) == (yiaddr & mask) ? o->router : 0;
    net_apply_config(st, yiaddr, mask, gw, o->dns, o->ndns, true, c->lease);
    dhcp_log_lease(st);
}

/* A reply to us: same xid and our hardware address (RFC 2131 4.4). */
void dhcp_input(struct net_stack *st, const struct ip_info *ip, const uint8_t *m, size_t len)
{
    struct dhcp_client *c = st->dhcp;
    struct dhcp_opts o;
    if (len < DHCP_FIXED || m[0] != 2 || m[1] != 1 || m[2] != 6 || dhcp_parse(m, len, &o) < 0) {
        st->ctr.rx_errors++;
        return;
    }
    if (be32_get(m + 4) != c->xid || memcmp(m + 28, st->cfg.mac, 6) != 0) {
        st->ctr.rx_drops++;
        return;
    }
    uint32_t yiaddr = be32_get(m + 16);
    switch (c->state) {
    case D_SELECTING:
        if (o.type != DHCPOFFER || yiaddr == 0 || yiaddr == 0xffffffffu) return;
        c->offered = yiaddr;
        /* option 54 is required (RFC 2131 4.3.1); without it, the sender */
        c->server = o.server ? o.server : ip->src;
        c->state = D_REQUESTING;
        c->tries = 0;
        dhcp_send(st, DHCPREQUEST);
        c->deadline = st->now + dhcp_backoff(st, 0);
        return;
    case D_REQUESTING:
    case D_RENEWING:
    case D_REBINDING:
        if (o.type == DHCPACK && yiaddr) {
            dhcp_bind(st, yiaddr, &o);
        } else if (o.type == DHCPNAK &&
                   (!o.server || o.server == c->server || c->state == D_REBINDING)) {
            log_write(LOG_WARN, "dhcp", "NAK: starting over");
            net_clear_config(st);
            dhcp_restart(st);
        }
        return;
    default: return;
    }
}

/* Retransmissions, T1, T2 and the end of the lease (RFC 2131 4.4.5). */
void dhcp_poll(struct net_stack *st)
{
    struct dhcp_client *c = st->dhcp;
    if (!c || st->now < c->deadline) return;
    uint64_t lease_end = c->bound_at + (uint64_t)c->lease * 1000;
    uint64_t t2 = c->bound_at + (uint64_t)c->t2 * 1000;
    switch (c->state) {
    case D_INIT: dhcp_restart(st); return;
    case D_SELECTING:
    case D_REQUESTING:
        if (++c->tries > 5) { /* the offer went away: start over */
            dhcp_restart(st);
            return;
        }
        dhcp_send(st, c->state == D_SELECTING ? DHCPDISCOVER : DHCPREQUEST);
        c->deadline = st->now + dhcp_backoff(st, c->tries);
        return;
    case D_BOUND:
    case D_RENEWING:
    case D_REBINDING: break;
    }
    if (st->now >= lease_end) {
        log_write(LOG_WARN, "dhcp", "lease expired");
        net_clear_config(st);
        dhcp_restart(st);
        return;
    }
    if (c->state == D_BOUND || st->now >= t2) {
        if (c->state == D_BOUND) c->state = D_RENEWING;
        if (st->now >= t2) c->state = D_REBINDING;
        c->xid = net_random32(st);
        c->start = st->now;
    }
    dhcp_send(st, DHCPREQUEST);
    /* wait half the time left to T2 (renewing) or the lease end (rebinding) */
    uint64_t until = c->state == D_RENEWING ? t2 : lease_end;
    uint64_t wait = (until - st->now) / 2;
    if (wait < DHCP_MIN_RETRY_MS) wait = DHCP_MIN_RETRY_MS;
    c->deadline = st->now + wait;
    if (c->state == D_RENEWING && c->deadline > t2) c->deadline = t2;
    if (c->deadline > lease_end) c->deadline = lease_end;
}

uint64_t dhcp_deadline(const struct net_stack *st)
{
    return st->dhcp ? st->dhcp->deadline : 0;
}
