/*
 * lib/net/tcp.c - TCP sockets (RFC 9293 3.9.1 user interface, done the BSD
 * way: non-blocking calls plus readiness): socket, connect, listen, accept,
 * send, recv, shutdown, close, abort; ICMP errors (RFC 5927). The control
 * blocks and their buffers are tcp_pcb.c's.
 */
#include "base/endian.h"
#include "base/env.h"
#include "base/error.h"
#include "base/mem.h"
#include "net/tcp_impl.h"

/* --- the user interface ------------------------------------------------------ */

int net_tcp_socket(struct net_stack *st, struct net_sock **out)
{
    struct net_sock *s = tcp_new_sock(st);
    if (!s) return ERR_NOMEM;
    *out = s;
    return 0;
}

/* Active OPEN (RFC 9293 3.10.1): SYN with our options, state SYN-SENT. */
int net_tcp_connect(struct net_sock *s, uint32_t addr, uint16_t port)
{
    net_refresh_time(s->st);
    struct net_stack *st = s->st;
    if (s->kind != SOCK_TCP) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    if (p->state == TCP_SYN_SENT || p->state == TCP_SYN_RECEIVED) return ERR_ALREADY;
    if (p->state != TCP_CLOSED || s->raddr) return ERR_ISCONN;
    if (!addr || !port || addr == 0xffffffffu) return ERR_INVAL;
    if (!st->up) return ERR_NETDOWN;
    if ((addr & st->netmask) != (st->addr & st->netmask) && !st->gateway) return ERR_NETUNREACH;
    if (!s->lport) {
        int r = net_sock_bind(s, 0, 0);
        if (r < 0) return r;
    }
    if (tcp_alloc_buffers(s) < 0) return ERR_NOMEM;
    s->laddr = st->addr;
    s->raddr = addr;
    s->rport = port;
    p->iss = tcp_isn(st, s->laddr, s->lport, addr, port);
    p->snd_una = p->snd_nxt = p->snd_max = p->iss;
    p->snd_bseq = p->iss + 1;
    p->recover = p->iss;
    p->state = TCP_SYN_SENT;
    tcp_send_syn(s);
    return 0;
}

/* Passive OPEN: children are created by tcp_in.c on SYN. */
int net_tcp_listen(struct net_sock *s, int backlog)
{
    if (s->kind != SOCK_TCP) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    if (p->state != TCP_CLOSED || s->raddr) return ERR_ISCONN;
    if (!s->lport) return ERR_INVAL; /* listening needs a port */
    p->state = TCP_LISTEN;
    p->backlog = backlog < 1 ? 1 : backlog > 1024 ? 1024 : backlog;
    return 0;
}

int net_tcp_accept(struct net_sock *s, struct net_sock **out)
{
    if (s->kind != SOCK_TCP || tcp_of(s)->state != TCP_LISTEN) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    struct list_node *n = list_pop_front(&p->accept_q);
    if (!n) {
        s->last_events &= ~(unsigned)NET_POLL_IN;
        return ERR_AGAIN;
    }
    struct tcp_pcb *cp = container_of(n, struct tcp_pcb, accept_link);
    struct net_sock *child = NULL;
    struct list_node *it;
    list_for_each(it, &s->st->socks)
    {
        struct net_sock *c = list_entry(it, struct net_sock, link);
        if (c->kind == SOCK_TCP && c->u.tcp == cp) {
            child = c;
            break;
        }
    }
    BASE_ASSERT(child);
    cp->parent = NULL;
    p->pending--;
    child->last_events = 0;
    *out = child;
    if (list_empty(&p->accept_q)) s->last_events &= ~(unsigned)NET_POLL_IN;
    return 0;
}

static int tcp_send_error(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (s->error) return net_sock_error(s);
    switch (p->state) {
    case TCP_SYN_SENT:
    case TCP_SYN_RECEIVED:
    case TCP_ESTABLISHED:
    case TCP_CLOSE_WAIT: return p->fin_queued ? ERR_PIPE : 0;
    case TCP_CLOSED:
    case TCP_LISTEN: return s->raddr ? ERR_PIPE : ERR_NOTCONN;
    default: return ERR_PIPE;
    }
}

long net_tcp_send(struct net_sock *s, const void *buf, size_t len)
{
    net_refresh_time(s->st);
    if (s->kind != SOCK_TCP) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    int err = tcp_send_error(s);
    if (err) return err;
    uint32_t room = p->snd.cap - p->snd.len;
    if (room == 0) {
        s->last_events &= ~(unsigned)NET_POLL_OUT;
        return ERR_AGAIN;
    }
    uint32_t n = len < room ? (uint32_t)len : room;
    ring_write_at(&p->snd, p->snd.len, buf, n);
    p->snd.len += n;
    if (p->snd.len == p->snd.cap) s->last_events &= ~(unsigned)NET_POLL_OUT;
    if (p->state == TCP_ESTABLISHED || p->state == TCP_CLOSE_WAIT) tcp_output(s);
    return (long)n;
}

long net_tcp_recv(struct net_sock *s, void *buf, size_t len)
{
    net_refresh_time(s->st);
    if (s->kind != SOCK_TCP) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    if (p->rcv.len == 0) {
        s->last_events &= ~(unsigned)NET_POLL_IN;
        if (s->error) return net_sock_error(s);
        if (p->fin_rcvd || p->rd_shut || p->state == TCP_TIME_WAIT) return 0;
        if (p->state == TCP_CLOSED) return s->raddr ? 0 : ERR_NOTCONN;
        if (p->state == TCP_LISTEN) return ERR_NOTCONN;
        return ERR_AGAIN;
    }
    uint32_t old_space = tcp_rcv_space(p);
    uint32_t n = len < p->rcv.len ? (uint32_t)len : p->rcv.len;
    ring_read_at(&p->rcv, 0, buf, n);
    ring_consume(&p->rcv, n);
    if (p->rcv.len == 0 && !p->fin_rcvd) s->last_events &= ~(unsigned)NET_POLL_IN;
    tcp_window_update_maybe(s, old_space);
    return (long)n;
}

/* CLOSE for the sending side (RFC 9293 3.10.4): FIN after buffered data. */
static void tcp_shut_write(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (p->fin_queued) return;
    switch (p->state) {
    case TCP_SYN_RECEIVED: /* FIN_WAIT_1 once established (tcp_in.c) */ p->fin_queued = true; break;
    case TCP_ESTABLISHED:
        p->fin_queued = true;
        p->state = TCP_FIN_WAIT_1;
        break;
    case TCP_CLOSE_WAIT:
        p->fin_queued = true;
        p->state = TCP_LAST_ACK;
        break;
    default: return;
    }
    p->fin_seq = p->snd_bseq + p->snd.len;
    if (p->state != TCP_SYN_RECEIVED) tcp_output(s);
    net_sock_update(s);
}

int net_tcp_shutdown(struct net_sock *s, int how)
{
    net_refresh_time(s->st);
    if (s->kind != SOCK_TCP || how < 0 || how > 2) return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    if (p->state == TCP_LISTEN || p->state == TCP_SYN_SENT || p->state == TCP_CLOSED)
        return ERR_NOTCONN;
    if (how != 1) {
        p->rd_shut = true;
        p->rcv.len = 0; /* unread data is dropped */
        p->rcv.head = 0;
    }
    if (how != 0) tcp_shut_write(s);
    net_sock_update(s);
    return 0;
}

void net_tcp_set_nodelay(struct net_sock *s, bool nodelay)
{
    if (s->kind == SOCK_TCP) tcp_of(s)->nodelay = nodelay;
}

int net_tcp_set_keepalive(struct net_sock *s, bool on, uint32_t idle_ms, uint32_t interval_ms,
                          uint32_t count)
{
    net_refresh_time(s->st);
    if (s->kind != SOCK_TCP || idle_ms > TCP_KA_MAX_MS || interval_ms > TCP_KA_MAX_MS ||
        count > 255)
        return ERR_INVAL;
    struct tcp_pcb *p = tcp_of(s);
    if (idle_ms) p->ka_idle = idle_ms;
    if (interval_ms) p->ka_intvl = interval_ms;
    if (count) p->ka_count = (uint8_t)count;
    if (on && !p->ka_on) { /* like Linux: the idle time counts from now */
        p->ka_heard = s->st->now;
        p->ka_probes = 0;
    }
    p->ka_on = on;
    return 0;
}

int net_tcp_get_keepalive(const struct net_sock *s, bool *on, uint32_t *idle_ms,
                          uint32_t *interval_ms, uint32_t *count)
{
    if (s->kind != SOCK_TCP) return ERR_INVAL;
    const struct tcp_pcb *p = tcp_of(s);
    if (on) *on = p->ka_on;
    if (idle_ms) *idle_ms = p->ka_idle;
    if (interval_ms) *interval_ms = p->ka_intvl;
    if (count) *count = p->ka_count;
    return 0;
}

static void tcp_send_rst_now(struct net_sock *s)
{
    struct tcp_pcb *p = tcp_of(s);
    if (p->state == TCP_ESTABLISHED || p->state == TCP_FIN_WAIT_1 || p->state == TCP_FIN_WAIT_2 ||
        p->state == TCP_CLOSE_WAIT || p->state == TCP_SYN_RECEIVED || p->state == TCP_CLOSING ||
        p->state == TCP_LAST_ACK)
        tcp_xmit(s, p->snd_nxt, TCP_RST | TCP_ACK, 0);
}

/* Frees the children of a listener: those waiting in its accept queue and
 * those still in SYN-RECEIVED, with a RST each. */
static void tcp_listener_drop_children(struct net_sock *s)
{
    struct list_node *it, *tmp;
    list_for_each_safe(it, tmp, &s->st->socks)
    {
        struct net_sock *c = list_entry(it, struct net_sock, link);
        if (c != s && c->kind == SOCK_TCP && c->u.tcp && c->u.tcp->parent == s) {
            tcp_send_rst_now(c);
            net_sock_free(c);
        }
    }
}

void net_tcp_abort(struct net_sock *s)
{
    net_refresh_time(s->st);
    if (s->kind != SOCK_TCP) return;
    if (tcp_of(s)->state == TCP_LISTEN) tcp_listener_drop_children(s);
    tcp_send_rst_now(s);
    net_sock_free(s);
}

/* The user's close: a graceful FIN unless received data was left unread
 * (then RST, RFC 1122 4.2.2.13); the pcb lives on, invisible, until
 * CLOSED or the end of TIME-WAIT. */
void tcp_sock_close(struct net_sock *s)
{
    net_refresh_time(s->st);
    struct tcp_pcb *p = tcp_of(s);
    switch (p->state) {
    case TCP_LISTEN:
        tcp_listener_drop_children(s);
        net_sock_free(s);
        return;
    case TCP_CLOSED:
    case TCP_SYN_SENT: net_sock_free(s); return;
    default: break;
    }
    if (p->rcv.len && !p->rd_shut) {
        net_tcp_abort(s);
        return;
    }
    s->closed = true;
    if (p->state != TCP_TIME_WAIT) tcp_shut_write(s);
    if (p->state == TCP_FIN_WAIT_2 && !p->t_conn) p->t_conn = s->st->now + TCP_FIN_WAIT_2_MS;
    tcp_release_done_buffers(s);
}

/* ICMP destination unreachable for a segment we sent (RFC 1122 4.2.3.9,
 * RFC 5927 4.1: the sequence number must lie in the window). Hard for a
 * connection that is still opening; others treat it as soft and go on. */
void tcp_icmp_error(struct net_stack *st, uint32_t dst, uint16_t sport, uint16_t dport,
                    uint32_t seq, int err)
{
    struct list_node *it;
    list_for_each(it, &st->socks)
    {
        struct net_sock *s = list_entry(it, struct net_sock, link);
        if (s->kind != SOCK_TCP || s->raddr != dst || s->lport != sport || s->rport != dport)
            continue;
        struct tcp_pcb *p = tcp_of(s);
        if (SEQ_LT(seq, p->snd_una) || SEQ_GT(seq, p->snd_max)) return;
        if (p->state == TCP_SYN_SENT) tcp_set_closed(s, err);
        return;
    }
}

void tcp_neighbour_unreachable(struct net_stack *st, uint32_t ip)
{
    struct list_node *it, *tmp;
    list_for_each_safe(it, tmp, &st->socks)
    {
        struct net_sock *s = list_entry(it, struct net_sock, link);
        if (s->kind != SOCK_TCP || tcp_of(s)->state != TCP_SYN_SENT) continue;
        bool onlink = (s->raddr & st->netmask) == (st->addr & st->netmask);
        if ((onlink ? s->raddr : st->gateway) == ip) tcp_set_closed(s, ERR_HOSTUNREACH);
    }
}
