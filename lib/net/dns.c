/*
 * lib/net/dns.c - the stub resolver (RFC 1035, RFC 1034 5.3): A lookups
 * over UDP with a random source port and ID per query (RFC 5452 9.2),
 * several servers tried in turn with retries and doubling timeouts, CNAME
 * chains followed (RFC 1034 3.6.2), a cache that honours TTLs, static host
 * entries, and distinct errors: ERR_NXDOMAIN for a name that does not
 * exist, ERR_NOENT for a name without A records, ERR_TIMEDOUT when no
 * server answered, ERR_DNSFAIL for SERVFAIL/REFUSED/malformed answers.
 *
 * An answer is taken only if it comes from the server asked, from port 53,
 * to the query's port, with the query's ID, and repeats the question
 * (RFC 5452 9.1). Names are decompressed with every pointer checked to go
 * strictly backwards, so pointer loops cannot happen.
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"
#include "net/net_impl.h"

#define DNS_PORT             53
#define DNS_HLEN             12
#define DNS_NAME_MAX         255 /* wire form; text form at most 253 */
#define DNS_MAX_ADDRS        8
#define DNS_ROUNDS           3
#define DNS_FIRST_TIMEOUT_MS 1000
#define DNS_MAX_CNAMES       8
#define DNS_CACHE_SIZE       32
#define DNS_MAX_TTL          86400
#define DNS_MAX_HOSTS        64

struct dns_query {
    char name[256];  /* what the user asked for */
    char qname[256]; /* what we ask now (after CNAMEs) */
    int cnames;
    bool done;
    int result; /* count of addrs, or ERR_* */
    uint32_t addrs[DNS_MAX_ADDRS];
    uint32_t ttl;
    uint16_t id, port;
    int server, attempt; /* attempt counts over all servers and rounds */
    uint64_t deadline;
    uint32_t min_ttl;
};

struct dns_cache_entry {
    char name[256];
    uint32_t addrs[DNS_MAX_ADDRS];
    int n;
    uint64_t expires;
    uint64_t used;
};

struct dns_host {
    char name[256];
    uint32_t addr;
};

struct dns_resolver {
    struct dns_cache_entry cache[DNS_CACHE_SIZE];
    struct dns_host hosts[DNS_MAX_HOSTS];
    int nhosts;
};

static struct dns_resolver *dns_get(struct net_stack *st)
{
    if (!st->dns_res) st->dns_res = mem_zalloc(sizeof *st->dns_res);
    return st->dns_res;
}

void dns_free(struct net_stack *st)
{
    mem_free(st->dns_res);
    st->dns_res = NULL;
}

static void dns_query_free(struct net_sock *s)
{
    mem_free(s->u.dns);
}

static unsigned dns_events(const struct net_sock *s)
{
    return s->u.dns && s->u.dns->done ? NET_POLL_IN : 0;
}

/* What sock.c asks of a query socket. */
static const struct net_sock_ops dns_sock_ops = {.events = dns_events, .release = dns_query_free};

/* Text name -> lower case without the trailing dot, checked against
 * RFC 1035 2.3.4 limits. */
static int dns_canon(const char *in, char out[256])
{
    size_t n = strnlen(in, 256);
    if (n == 0 || n > 254) return ERR_INVAL;
    if (in[n - 1] == '.') n--;
    if (n == 0 || n > 253) return ERR_INVAL;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = in[i];
        if (ch == '.') {
            if (label == 0) return ERR_INVAL;
            label = 0;
        } else if (++label > 63 || (unsigned char)ch <= ' ') {
            return ERR_INVAL;
        }
        out[i] = (char)char_lower((unsigned char)ch);
    }
    if (label == 0) return ERR_INVAL;
    out[n] = '\0';
    return 0;
}

/* Reads a possibly compressed name at *off into text (lower case, no
 * trailing dot, "" for the root). Advances *off past the name as stored
 * in place. Returns ERR_BADMSG for anything out of bounds, a pointer that
 * does not go strictly backwards, or a name over 255 bytes. */
static int dns_read_name(const uint8_t *m, size_t len, size_t *off, char out[256])
{
    size_t pos = *off, outn = 0, wire = 0, limit = *off;
    bool jumped = false;
    for (;;) {
        if (pos >= len) return ERR_BADMSG;
        uint8_t l = m[pos];
        if ((l & 0xc0) == 0xc0) {
            if (pos + 1 >= len) return ERR_BADMSG;
            size_t target = (size_t)(l & 0x3f) << 8 | m[pos + 1];
            if (target >= limit) return ERR_BADMSG; /* forward or self pointer: a possible loop */
            if (!jumped) *off = pos + 2;
            jumped = true;
            limit = target;
            pos = target;
            continue;
        }
        if (l & 0xc0) return ERR_BADMSG; /* 0x40/0x80 label types are not in use */
        if (l == 0) {
            if (!jumped) *off = pos + 1;
            break;
        }
        if (pos + 1 + l > len) return ERR_BADMSG;
        wire += 1u + l;
        if (wire + 1 > DNS_NAME_MAX) return ERR_BADMSG;
        if (outn) out[outn++] = '.';
        for (size_t i = 0; i < l; i++) {
            uint8_t ch = m[pos + 1 + i];
            out[outn++] = (char)char_lower(ch ? ch : '?');
        }
        pos += 1u + l;
    }
    out[outn] = '\0';
    return 0;
}

/* --- cache and hosts ------------------------------------------------------------ */

static struct dns_cache_entry *cache_find(struct dns_resolver *r, const char *name, uint64_t now)
{
    for (int i = 0; i < DNS_CACHE_SIZE; i++) {
        struct dns_cache_entry *e = &r->cache[i];
        if (e->n && strcmp(e->name, name) == 0) {
            if (now >= e->expires) {
                e->n = 0;
                return NULL;
            }
            e->used = now;
            return e;
        }
    }
    return NULL;
}

static void cache_put(struct dns_resolver *r, const char *name, const uint32_t *addrs, int n,
                      uint32_t ttl, uint64_t now)
{
    if (ttl == 0 || n <= 0) return;
    struct dns_cache_entry *v = &r->cache[0];
    for (int i = 0; i < DNS_CACHE_SIZE; i++) {
        struct dns_cache_entry *e = &r->cache[i];
        if (!e->n || strcmp(e->name, name) == 0) {
            v = e;
            break;
        }
        if (e->used < v->used) v = e;
    }
    str_copy(v->name, name, sizeof v->name);
    memcpy(v->addrs, addrs, sizeof(uint32_t) * (size_t)n);
    v->n = n;
    v->expires = now + (uint64_t)(ttl > DNS_MAX_TTL ? DNS_MAX_TTL : ttl) * 1000;
    v->used = now;
}

int net_dns_add_host(struct net_stack *st, const char *name, uint32_t addr)
{
    struct dns_resolver *r = dns_get(st);
    char canon[256];
    if (!r) return ERR_NOMEM;
    if (dns_canon(name, canon) < 0) return ERR_INVAL;
    for (int i = 0; i < r->nhosts; i++)
        if (strcmp(r->hosts[i].name, canon) == 0) {
            r->hosts[i].addr = addr;
            return 0;
        }
    if (r->nhosts == DNS_MAX_HOSTS) return ERR_NOSPC;
    str_copy(r->hosts[r->nhosts].name, canon, 256);
    r->hosts[r->nhosts++].addr = addr;
    return 0;
}

/* --- queries -------------------------------------------------------------------- */

static void dns_finish(struct net_sock *s, int result)
{
    struct dns_query *q = s->u.dns;
    q->done = true;
    q->result = result;
    q->deadline = 0;
    net_sock_update(s);
}

/* Sends the question for q->qname to the current server. */
static void dns_send(struct net_sock *s)
{
    struct net_stack *st = s->st;
    struct dns_query *q = s->u.dns;
    uint8_t *m = st->txbuf + NET_TX_L4 + UDP_HLEN;
    be16_put(m, q->id);
    be16_put(m + 2, 0x0100); /* a standard query, recursion desired */
    be16_put(m + 4, 1);
    memset(m + 6, 0, 6);
    size_t n = DNS_HLEN;
    const char *p = q->qname;
    while (*p) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        m[n++] = (uint8_t)l;
        memcpy(m + n, p, l);
        n += l;
        p += l + (dot ? 1 : 0);
    }
    m[n++] = 0;
    be16_put(m + n, 1);     /* QTYPE A */
    be16_put(m + n + 2, 1); /* QCLASS IN */
    n += 4;
    uint32_t server = st->dns[q->server];
    udp_send_raw(st, st->addr, q->port, server, DNS_PORT, n, 0);
    q->deadline = st->now + ((uint64_t)DNS_FIRST_TIMEOUT_MS << (q->attempt / st->ndns));
}

/* A fresh ID and port, then the first server (RFC 5452 9.2). */
static void dns_start(struct net_sock *s)
{
    struct net_stack *st = s->st;
    struct dns_query *q = s->u.dns;
    q->id = (uint16_t)net_random32(st);
    q->port = net_ephemeral_port(st, SOCK_DNS);
    q->server = 0;
    q->attempt = 0;
    if (!q->port || st->ndns == 0 || !st->up) {
        dns_finish(s, st->up ? ERR_DNSFAIL : ERR_NETDOWN);
        return;
    }
    s->lport = q->port; /* so that ephemeral ports are not reused at once */
    dns_send(s);
}

/* The next server, or the next round; ERR_TIMEDOUT (or the last server
 * failure) after DNS_ROUNDS rounds. */
static void dns_next_server(struct net_sock *s, int err)
{
    struct net_stack *st = s->st;
    struct dns_query *q = s->u.dns;
    q->attempt++;
    if (st->ndns == 0 || !st->up) {
        dns_finish(s, ERR_NETDOWN);
        return;
    }
    if (q->attempt >= DNS_ROUNDS * st->ndns) {
        dns_finish(s, err);
        return;
    }
    q->server = q->attempt % st->ndns;
    q->id = (uint16_t)net_random32(st);
    dns_send(s);
}

int net_dns_lookup(struct net_stack *st, const char *name, struct net_sock **out)
{
    net_refresh_time(st);
    struct dns_resolver *r = dns_get(st);
    if (!r) return ERR_NOMEM;
    struct net_sock *s = net_sock_new(st, SOCK_DNS, &dns_sock_ops);
    if (!s) return ERR_NOMEM;
    struct dns_query *q = mem_zalloc(sizeof *q);
    if (!q) {
        net_sock_free(s);
        return ERR_NOMEM;
    }
    s->u.dns = q;
    *out = s;
    uint32_t ip;
    if (net_ip_parse(name, &ip) == 0) {
        q->addrs[0] = ip;
        dns_finish(s, 1);
        return 0;
    }
    if (dns_canon(name, q->name) < 0) {
        dns_finish(s, ERR_INVAL);
        return 0;
    }
    for (int i = 0; i < r->nhosts; i++)
        if (strcmp(r->hosts[i].name, q->name) == 0) {
            q->addrs[0] = r->hosts[i].addr;
            dns_finish(s, 1);
            return 0;
        }
    struct dns_cache_entry *e = cache_find(r, q->name, st->now);
    if (e) {
        memcpy(q->addrs, e->addrs, sizeof(uint32_t) * (size_t)e->n);
        q->ttl = (uint32_t)((e->expires - st->now) / 1000);
        dns_finish(s, e->n);
        return 0;
    }
    str_copy(q->qname, q->name, sizeof q->qname);
    q->min_ttl = DNS_MAX_TTL;
    dns_start(s);
    return 0;
}

int net_dns_result(struct net_sock *s, uint32_t *addrs, int max, uint32_t *ttl)
{
    if (s->kind != SOCK_DNS) return ERR_INVAL;
    struct dns_query *q = s->u.dns;
    if (!q->done) return ERR_AGAIN;
    if (q->result < 0) return q->result;
    int n = q->result < max ? q->result : max;
    for (int i = 0; i < n; i++)
        addrs[i] = q->addrs[i];
    if (ttl) *ttl = q->ttl;
    return q->result;
}

/* --- answers -------------------------------------------------------------------- */

struct dns_rr {
    char name[256];
    uint16_t type, cls;
    uint32_t ttl;
    size_t rdoff, rdlen;
};

static int dns_read_rr(const uint8_t *m, size_t len, size_t *off, struct dns_rr *rr)
{
    int e = dns_read_name(m, len, off, rr->name);
    if (e < 0) return e;
    if (*off + 10 > len) return ERR_BADMSG;
    rr->type = be16_get(m + *off);
    rr->cls = be16_get(m + *off + 2);
    rr->ttl = be32_get(m + *off + 4);
    rr->rdlen = be16_get(m + *off + 8);
    rr->rdoff = *off + 10;
    if (rr->rdoff + rr->rdlen > len) return ERR_BADMSG;
    *off = rr->rdoff + rr->rdlen;
    return 0;
}

/* Follows the CNAME chain from qname through the answer section and
 * collects the A records of its end. Returns the number of addresses,
 * 0 with *target set when the chain leaves the answer, or ERR_BADMSG. */
static int dns_collect(const uint8_t *m, size_t len, size_t ans_off, int ancount,
                       struct dns_query *q, char target[256])
{
    str_copy(target, q->qname, 256);
    int n = 0;
    for (int hop = 0; hop <= DNS_MAX_CNAMES; hop++) {
        bool moved = false;
        size_t off = ans_off;
        for (int i = 0; i < ancount; i++) {
            struct dns_rr rr;
            if (dns_read_rr(m, len, &off, &rr) < 0) return ERR_BADMSG;
            if (rr.cls != 1 || strcmp(rr.name, target) != 0) continue;
            uint32_t ttl = rr.ttl > 0x7fffffffu ? 0 : rr.ttl; /* RFC 2181 8 */
            if (rr.type == 1 && rr.rdlen == 4 && n < DNS_MAX_ADDRS) {
                q->addrs[n++] = be32_get(m + rr.rdoff);
                q->min_ttl = MIN(q->min_ttl, ttl);
            } else if (rr.type == 5 && !moved && n == 0) {
                size_t roff = rr.rdoff;
                char next[256];
                if (dns_read_name(m, len, &roff, next) < 0 || roff > rr.rdoff + rr.rdlen)
                    return ERR_BADMSG;
                q->min_ttl = MIN(q->min_ttl, ttl);
                str_copy(target, next, 256);
                moved = true;
            }
        }
        if (n || !moved) return n;
    }
    return ERR_LOOP;
}

/* Checks that the answer is for our question; returns the offset after it. */
static int dns_check_question(const uint8_t *m, size_t len, const struct dns_query *q, size_t *off)
{
    char qn[256];
    *off = DNS_HLEN;
    if (be16_get(m + 4) != 1 || dns_read_name(m, len, off, qn) < 0 || *off + 4 > len)
        return ERR_BADMSG;
    if (strcmp(qn, q->qname) != 0 || be16_get(m + *off) != 1 || be16_get(m + *off + 2) != 1)
        return ERR_BADMSG;
    *off += 4;
    return 0;
}

static void dns_answer(struct net_sock *s, const uint8_t *m, size_t len)
{
    struct net_stack *st = s->st;
    struct dns_query *q = s->u.dns;
    size_t off;
    uint16_t flags = be16_get(m + 2);
    if (!(flags & 0x8000) || dns_check_question(m, len, q, &off) < 0) {
        st->ctr.rx_errors++;
        return; /* not an answer to our question: keep waiting */
    }
    int rcode = flags & 0x0f;
    if (rcode == 3) {
        dns_finish(s, ERR_NXDOMAIN);
        return;
    }
    if (rcode != 0) {
        dns_next_server(s, ERR_DNSFAIL); /* SERVFAIL, REFUSED...: ask another */
        return;
    }
    char target[256];
    int n = dns_collect(m, len, off, be16_get(m + 6), q, target);
    if (n > 0) {
        q->ttl = q->min_ttl;
        cache_put(dns_get(st), q->name, q->addrs, n, q->ttl, st->now);
        dns_finish(s, n);
    } else if (n == 0 && strcmp(target, q->qname) != 0 && ++q->cnames <= DNS_MAX_CNAMES) {
        str_copy(q->qname, target, sizeof q->qname); /* RFC 1034 3.6.2: ask for the alias */
        dns_start(s);
    } else if (n == 0) {
        dns_finish(s, strcmp(target, q->qname) != 0 ? ERR_LOOP : ERR_NOENT);
    } else {
        dns_finish(s, n == ERR_LOOP ? ERR_LOOP : ERR_DNSFAIL);
    }
}

bool dns_input(struct net_stack *st, const struct ip_info *ip, uint16_t sport, uint16_t dport,
               const uint8_t *p, size_t len)
{
    struct list_node *it;
    list_for_each(it, &st->socks)
    {
        struct net_sock *s = list_entry(it, struct net_sock, link);
        if (s->kind != SOCK_DNS || s->u.dns->done || s->u.dns->port != dport) continue;
        struct dns_query *q = s->u.dns;
        if (sport != DNS_PORT || ip->src != st->dns[q->server] || len < DNS_HLEN ||
            be16_get(p) != q->id) {
            st->ctr.rx_drops++;
            return true; /* to our port, but not the answer: ignore it */
        }
        dns_answer(s, p, len);
        return true;
    }
    return false;
}

void dns_poll(struct net_stack *st)
{
    struct list_node *it, *tmp;
    list_for_each_safe(it, tmp, &st->socks)
    {
        struct net_sock *s = list_entry(it, struct net_sock, link);
        if (s->kind == SOCK_DNS && !s->u.dns->done && s->u.dns->deadline &&
            st->now >= s->u.dns->deadline)
            dns_next_server(s, ERR_TIMEDOUT);
    }
}

uint64_t dns_deadline(const struct net_stack *st)
{
    uint64_t d = 0;
    const struct list_node *it;
    list_for_each(it, &st->socks)
    {
        const struct net_sock *s = list_entry(it, const struct net_sock, link);
        if (s->kind == SOCK_DNS && !s->u.dns->done) d = net_min_deadline(d, s->u.dns->deadline);
    }
    return d;
}
