/*
 * lib/wasi/p2_sock.c - wasi:sockets of WASI 0.2 over the port: network,
 * instance-network, tcp-create-socket, tcp, udp-create-socket, udp and
 * ip-name-lookup (wasi-sockets package.wit, whose docs give the states and
 * error codes used below).
 *
 * start-connect only starts the connection when the port can (its
 * tcp_connect_start): finish-connect says would-block until the port
 * reports the outcome or CONNECT_TIMEOUT passes, and the socket's pollable
 * waits for that (tcp.wit start-connect, subscribe). Other started
 * operations run to their end in start-* (the port's calls are
 * blocking-friendly): start-listen listens, resolve-addresses resolves,
 * and so does start-connect over a port without the non-blocking connect;
 * finish-* and resolve-next-address hand out the stored outcome. The
 * streams of a connected socket are its children and the port socket is
 * shared. The socket options of both kinds are one table (sock_options):
 * every getter and setter is p2_sock_option_get or p2_sock_option_set on
 * its row (gen_p2_table.py makes their entry points from the rows).
 */
#include "base/env.h"
#include "base/mem.h"
#include "base/util.h"
#include "wasi/p2.h"

#define CONNECT_TIMEOUT_NS (75ull * 1000000000u) /* the classic BSD connect timeout */
#define RESOLVE_TIMEOUT_NS (15ull * 1000000000u)
#define MAX_ADDRS          16

/* res of a result<_, error-code>: 0 for ok, else E(an error-code). */
#define E(code) (0x100 | (code))

/* result<T, error-code> for a T of width 1 (none, bool, u8), 4 (u32) or 8
 * (u64) bytes: 2 x width bytes, align width, the tag at 0 and the
 * error-code or the little-endian value at width. */
static int put_result(struct wasm_host_call *call, uint32_t ret_ptr, unsigned width, int res,
                      uint64_t v)
{
    uint8_t *ret = p2_ret(call, ret_ptr, 2 * width, width);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (res) {
        ret[0] = 1;
        ret[width] = (uint8_t)res;
        return 0;
    }
    for (unsigned i = 0; i < width; i++)
        ret[width + i] = (uint8_t)(v >> (8 * i));
    return 0;
}

static int put_unit(struct wasm_host_call *call, uint32_t ret_ptr, int res)
{
    return put_result(call, ret_ptr, 1, res, 0);
}

static int put_u64(struct wasm_host_call *call, uint32_t ret_ptr, int res, uint64_t v)
{
    return put_result(call, ret_ptr, 8, res, v);
}

/* An error-code result from an ERR_* value; ERR_CANCELED traps. */
static int code_of(int err)
{
    return E(p2_sock_error(err));
}

static bool addr_unspecified(const struct wasi_port_addr *a)
{
    static const uint8_t zero[16];
    return !memcmp(a->addr, zero, a->family == 6 ? 16 : 4);
}

/* ---- network ---------------------------------------------------------------- */

P2_IMPL(p2_sockets_instance_network_instance_network, uint32_t *result)
{
    struct p2_obj *n = p2_obj_new(sizeof *n, P2_NETWORK, NULL, NULL);
    if (!n) return wasm_host_trap(call, "out of memory");
    return p2_put(call, n, result);
}

P2_IMPL(p2_sockets_network_network_drop, uint32_t self)
{
    return p2_drop(call, self, P2_NETWORK);
}

/* ---- the sockets --------------------------------------------------------------- */

/* A socket's option values (a tcp socket uses the P2_OPT_TCP_* rows, a udp
 * socket the P2_OPT_UDP_* ones) and which of them the app set through the
 * port, to apply once the port socket exists. */
struct opt_values {
    uint64_t value[P2_OPT_COUNT];
    unsigned set; /* OPT_BIT(option) */
};

#define OPT_BIT(option) (1u << (option))

enum tcp_state {
    T_UNBOUND,
    T_BIND_STARTED,
    T_BOUND,
    T_CONNECT_STARTED,
    T_CONNECTED,
    T_LISTEN_STARTED,
    T_LISTENING,
    T_CLOSED,
};

struct p2_tcp {
    struct p2_obj h;
    uint8_t family, state;
    int pending; /* outcome of the started operation: 0, an ERR_*, ERR_AGAIN connecting */
    uint64_t connect_deadline; /* while connecting: when the attempt times out */
    struct wasi_port_addr local;
    bool has_local;
    struct wasi_port_sock *sock;
    uint64_t backlog;
    struct opt_values opts;
};

enum udp_state { U_UNBOUND, U_BIND_STARTED, U_BOUND };

struct p2_udp {
    struct p2_obj h;
    uint8_t family, state;
    int pending;
    struct wasi_port_sock *sock;
    bool connected;
    struct wasi_port_addr remote;
    uint32_t streams; /* live datagram streams */
    struct opt_values opts;
};

/* ---- socket options ------------------------------------------------------------- */

/* Applies an option to a port socket: ERR_NOTSUP from a port that cannot. */
static int sock_opt(struct wasi_ctx *w, struct wasi_port_sock *s, enum wasi_port_sockopt opt,
                    uint64_t value)
{
    if (!w->port.ops->sock_set_option) return ERR_NOTSUP;
    return w->port.ops->sock_set_option(w->port.ctx, s, opt, value);
}

enum opt_type { OPT_BOOL, OPT_U8, OPT_U32, OPT_U64 }; /* the WIT's value types */

#define OPT_HINT 0 /* no port option (they start at 1): the value is only kept */

struct sock_option {
    const char *name; /* the WIT's */
    enum p2_type owner;
    enum opt_type type;
    bool zero_invalid; /* setting 0 is invalid-argument */
    uint8_t port_opt;  /* an enum wasi_port_sockopt, or OPT_HINT */
    uint64_t initial;
};

/* Keep-alive and the hop limits are applied through the port (the getters
 * report the values set; the port may clamp them, as the WIT allows); the
 * buffer sizes are hints (tcp.wit, udp.wit) and only kept.
 * gen_p2_table.py reads each row's first four fields (id, WIT name, owner,
 * type; keep them on the row's first line): the imports
 * [method]<owner>.<name> and [method]<owner>.set-<name> call
 * p2_sock_option_get and p2_sock_option_set with the row's id. */
static const struct sock_option sock_options[P2_OPT_COUNT] = {
#define TCP P2_TCP_SOCKET
#define UDP P2_UDP_SOCKET
    [P2_OPT_TCP_KEEPALIVE] = {"keep-alive-enabled", TCP, OPT_BOOL, false, WASI_PORT_SO_KEEPALIVE,
                              0},
    [P2_OPT_TCP_KEEPIDLE] = {"keep-alive-idle-time", TCP, OPT_U64, true, WASI_PORT_TCP_KEEPIDLE,
                             7200ull * 1000000000u},
    [P2_OPT_TCP_KEEPINTVL] = {"keep-alive-interval", TCP, OPT_U64, true, WASI_PORT_TCP_KEEPINTVL,
                              75ull * 1000000000u},
    [P2_OPT_TCP_KEEPCNT] = {"keep-alive-count", TCP, OPT_U32, true, WASI_PORT_TCP_KEEPCNT, 9},
    [P2_OPT_TCP_HOP_LIMIT] = {"hop-limit", TCP, OPT_U8, true, WASI_PORT_IP_TTL, 64},
    [P2_OPT_TCP_RCVBUF] = {"receive-buffer-size", TCP, OPT_U64, true, OPT_HINT, 131072},
    [P2_OPT_TCP_SNDBUF] = {"send-buffer-size", TCP, OPT_U64, true, OPT_HINT, 131072},
    [P2_OPT_UDP_HOP_LIMIT] = {"unicast-hop-limit", UDP, OPT_U8, true, WASI_PORT_IP_TTL, 64},
    [P2_OPT_UDP_RCVBUF] = {"receive-buffer-size", UDP, OPT_U64, true, OPT_HINT, 212992},
    [P2_OPT_UDP_SNDBUF] = {"send-buffer-size", UDP, OPT_U64, true, OPT_HINT, 212992},
#undef TCP
#undef UDP
};

static const unsigned opt_width[] = {[OPT_BOOL] = 1, [OPT_U8] = 1, [OPT_U32] = 4, [OPT_U64] = 8};

/* The option values of a tcp or udp socket. */
static struct opt_values *opts_of(struct p2_obj *s)
{
    return s->type == P2_TCP_SOCKET ? &((struct p2_tcp *)s)->opts : &((struct p2_udp *)s)->opts;
}

static struct wasi_port_sock *port_sock_of(const struct p2_obj *s)
{
    return s->type == P2_TCP_SOCKET ? ((const struct p2_tcp *)s)->sock
                                    : ((const struct p2_udp *)s)->sock;
}

/* A new socket's options: the initial values of its rows. */
static void options_init(struct p2_obj *s)
{
    for (int id = 0; id < P2_OPT_COUNT; id++)
        if (sock_options[id].owner == s->type) opts_of(s)->value[id] = sock_options[id].initial;
}

/* Applies every option the app set to a port socket that has just come to
 * be (connected, listening, accepted or bound): options set before are
 * remembered until then. There is nobody to report a failure to (each was
 * accepted by a port that has the operation), so it is logged. */
static void options_apply(struct wasi_ctx *w, struct p2_obj *s)
{
    const struct opt_values *o = opts_of(s);
    for (int id = 0; id < P2_OPT_COUNT; id++) {
        if (!(o->set & OPT_BIT(id))) continue;
        int rc = sock_opt(w, port_sock_of(s), sock_options[id].port_opt, o->value[id]);
        if (rc)
            log_write(LOG_WARN, "wasi", "socket option %s not applied: %s", sock_options[id].name,
                      err_name(rc));
    }
}

/* A setter's part for a port option: applied at once to an existing port
 * socket, else remembered for options_apply. Returns 0 or an error result,
 * with not-supported from a port that cannot apply options: a setting that
 * would do nothing is refused, not pretended. */
static int option_to_port(struct wasi_ctx *w, struct p2_obj *s, enum p2_sock_opt id, uint64_t value)
{
    if (!w->port.ops->sock_set_option) return code_of(ERR_NOTSUP);
    if (port_sock_of(s)) {
        int rc = sock_opt(w, port_sock_of(s), sock_options[id].port_opt, value);
        if (rc) return code_of(rc);
    }
    opts_of(s)->set |= OPT_BIT(id);
    return 0;
}

int p2_sock_option_get(struct wasm_host_call *call, enum p2_sock_opt id, uint32_t self,
                       uint32_t ret_ptr)
{
    const struct sock_option *opt = &sock_options[id];
    struct p2_obj *s = p2_get(call, self, opt->owner);
    if (!s) return p2_bad_handle(call, self, opt->owner);
    return put_result(call, ret_ptr, opt_width[opt->type], 0, opts_of(s)->value[id]);
}

/* The value of a setter's core parameter v, lifted (canonical ABI: bool is
 * any non-zero i32, u8 the low byte). */
static uint64_t option_arg(enum opt_type type, uint64_t v)
{
    switch (type) {
    case OPT_BOOL: return v != 0;
    case OPT_U8: return (uint8_t)v;
    case OPT_U32: return (uint32_t)v;
    default: return v;
    }
}

int p2_sock_option_set(struct wasm_host_call *call, enum p2_sock_opt id, uint32_t self,
                       uint64_t value, uint32_t ret_ptr)
{
    const struct sock_option *opt = &sock_options[id];
    struct p2_obj *s = p2_get(call, self, opt->owner);
    if (!s) return p2_bad_handle(call, self, opt->owner);
    value = option_arg(opt->type, value);
    int res = 0;
    if (opt->zero_invalid && value == 0)
        res = E(SE_INVALID_ARGUMENT);
    else if (opt->port_opt != OPT_HINT)
        res = option_to_port(call_ctx(call), s, id, value);
    if (!res) opts_of(s)->value[id] = value;
    return put_unit(call, ret_ptr, res);
}

static void tcp_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    struct p2_tcp *t = (struct p2_tcp *)o;
    if (t->sock) w->port.ops->sock_close(w->port.ctx, t->sock);
}

struct wasi_port_sock *p2_tcp_port_sock(const struct p2_obj *o)
{
    return o && o->type == P2_TCP_SOCKET ? ((const struct p2_tcp *)o)->sock : NULL;
}

/* ---- the kinds of stream and pollable of a TCP socket ---- */

/* Its streams wait on the port socket (shared with the tcp-socket). */
static void tcp_stream_prepare(struct wasi_ctx *w, struct p2_stream *s, struct p2_wait *it)
{
    (void)w;
    it->waits = true;
    it->pfd.sock = p2_tcp_port_sock(s->h.parent);
    it->pfd.events = s->h.type == P2_INPUT_STREAM ? WASI_PORT_EV_IN : WASI_PORT_EV_OUT;
}

static long tcp_stream_read(struct wasi_ctx *w, struct p2_stream *s, size_t max, bool block,
                            const uint8_t **data, int *http_code)
{
    (void)http_code;
    uint8_t *buf = p2_scratch(w);
    if (!buf) return ERR_NOMEM;
    *data = buf;
    for (;;) {
        long n = w->port.ops->recv(w->port.ctx, p2_tcp_port_sock(s->h.parent), buf,
                                   MIN(max, (size_t)P2_SCRATCH));
        if (n != ERR_AGAIN) return n == 0 ? ERR_PIPE : n;
        if (!block) return 0;
        int rc = p2_stream_wait(w, s, true);
        if (rc < 0) return rc;
    }
}

static long tcp_send_once(struct wasi_ctx *w, struct p2_stream *s, const uint8_t *data, size_t len)
{
    return w->port.ops->send(w->port.ctx, p2_tcp_port_sock(s->h.parent), data, len);
}

static int tcp_stream_write(struct wasi_ctx *w, struct p2_stream *s, const uint8_t *data,
                            size_t len)
{
    return p2_stream_write_all(w, s, data, len, tcp_send_once);
}

/* check-write permits nothing while the socket's send buffer is full. */
static int tcp_stream_check_write(struct wasi_ctx *w, struct p2_stream *s)
{
    return p2_stream_wait(w, s, false);
}

static const struct p2_stream_ops tcp_stream_ops = {
    .read = tcp_stream_read,
    .write = tcp_stream_write,
    .check_write = tcp_stream_check_write,
    .prepare = tcp_stream_prepare,
};

/* The socket's pollable: a connect in progress waits for the port
 * socket's EV_OUT until its deadline (tcp.wit subscribe: ready once
 * finish-connect would not say would-block); a listening socket waits
 * until it can accept; any other state is ready. */
static void tcp_poll_prepare(struct wasi_ctx *w, const struct p2_pollable *p, uint64_t now,
                             struct p2_wait *it)
{
    (void)w;
    const struct p2_tcp *t = (const struct p2_tcp *)p->h.parent;
    it->pfd.sock = t->sock;
    if (t->state == T_CONNECT_STARTED && t->pending == ERR_AGAIN && t->sock) {
        it->deadline = t->connect_deadline;
        it->ready = it->deadline <= now;
        it->waits = true;
        it->pfd.events = WASI_PORT_EV_OUT;
        return;
    }
    it->waits = t->state == T_LISTENING && t->sock;
    it->ready = !it->waits;
    it->pfd.events = WASI_PORT_EV_IN;
}

static const struct p2_poll_ops tcp_poll_ops = {.prepare = tcp_poll_prepare};

static struct p2_tcp *tcp_alloc(uint8_t family)
{
    struct p2_tcp *t = p2_obj_new(sizeof *t, P2_TCP_SOCKET, NULL, tcp_destroy);
    if (t) {
        t->family = family;
        t->backlog = 128;
        options_init(&t->h);
    }
    return t;
}

static bool have_sockets(struct wasi_ctx *w)
{
    return w->port.ops->tcp_connect && w->port.ops->sock_close;
}

/* create-tcp-socket(family) -> result<own<tcp-socket>, error-code>: 8 bytes. */
P2_IMPL(p2_sockets_tcp_create_socket_create_tcp_socket, uint32_t address_family, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    if (!p2_ret(call, ret_ptr, 8, 4)) return p2_bad_ret(call, ret_ptr);
    if (address_family > 1 || !have_sockets(w))
        return p2_ret_handle(call, ret_ptr, true,
                             address_family > 1 ? SE_INVALID_ARGUMENT : p2_sock_error(ERR_NOTSUP),
                             0);
    struct p2_tcp *t = tcp_alloc(address_family ? 6 : 4);
    if (!t) return wasm_host_trap(call, "out of memory");
    uint32_t h;
    int rc = p2_put(call, &t->h, &h);
    if (rc) return rc;
    return p2_ret_handle(call, ret_ptr, false, 0, h);
}

#define TCP_SELF(var)                                                                              \
    struct p2_tcp *var = p2_get(call, self, P2_TCP_SOCKET);                                        \
    if (!var) return p2_bad_handle(call, self, P2_TCP_SOCKET)

/* start-bind(network, local-address): params self, network, 12 x address, ret. */
P2_IMPL(p2_sockets_tcp_tcp_socket_start_bind, uint32_t self, uint32_t network,
        P2_FLAT(local_address, 12), uint32_t ret_ptr)
{
    TCP_SELF(t);
    if (!p2_get(call, network, P2_NETWORK)) return p2_bad_handle(call, network, P2_NETWORK);
    struct wasi_port_addr addr;
    int res = 0;
    if (p2_addr_from_flat(local_address, &addr) || addr.family != t->family)
        res = E(SE_INVALID_ARGUMENT);
    else if (t->state != T_UNBOUND)
        res = E(SE_INVALID_STATE);
    else if (!wasi_net_allowed(call_ctx(call), "tcp bind"))
        res = code_of(ERR_ACCES);
    if (!res) {
        t->local = addr;
        t->has_local = true;
        t->state = T_BIND_STARTED;
    }
    return put_unit(call, ret_ptr, res);
}

P2_IMPL(p2_sockets_tcp_tcp_socket_finish_bind, uint32_t self, uint32_t ret_ptr)
{
    TCP_SELF(t);
    if (t->state != T_BIND_STARTED) return put_unit(call, ret_ptr, E(SE_NOT_IN_PROGRESS));
    t->state = T_BOUND;
    return put_unit(call, ret_ptr, 0);
}

/* start-connect(network, remote-address): starts the connection (tcp.wit:
 * the equivalent of a non-blocking connect returning EINPROGRESS), or
 * connects now over a port that only has the blocking tcp_connect. Options
 * the app set go to the port socket at once (both ports take them while
 * connecting). An immediate failure is reported by finish-connect. */
P2_IMPL(p2_sockets_tcp_tcp_socket_start_connect, uint32_t self, uint32_t network,
        P2_FLAT(remote_address, 12), uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    TCP_SELF(t);
    if (!p2_get(call, network, P2_NETWORK)) return p2_bad_handle(call, network, P2_NETWORK);
    struct wasi_port_addr addr;
    if (p2_addr_from_flat(remote_address, &addr) || addr.family != t->family || addr.port == 0 ||
        addr_unspecified(&addr))
        return put_unit(call, ret_ptr, E(SE_INVALID_ARGUMENT));
    if (t->state != T_UNBOUND && t->state != T_BOUND)
        return put_unit(call, ret_ptr, E(SE_INVALID_STATE));
    if (!wasi_net_allowed(w, "tcp connect")) return put_unit(call, ret_ptr, code_of(ERR_ACCES));
    const struct wasi_port_ops *o = w->port.ops;
    const struct wasi_port_addr *local = t->has_local ? &t->local : NULL;
    uint64_t deadline = p2_now(w) + CONNECT_TIMEOUT_NS;
    bool async = o->tcp_connect_start && o->tcp_connect_result;
    t->pending = async ? o->tcp_connect_start(w->port.ctx, local, &addr, &t->sock)
                       : o->tcp_connect(w->port.ctx, local, &addr, deadline, &t->sock);
    if (t->pending == ERR_CANCELED) return wasm_host_trap(call, "killed");
    if (t->pending == ERR_AGAIN && !async) t->pending = ERR_TIMEDOUT; /* not "in progress" */
    if (t->pending == 0) options_apply(w, &t->h);
    if (t->pending == 0 && async) {
        t->pending = ERR_AGAIN;
        t->connect_deadline = deadline;
    }
    t->state = T_CONNECT_STARTED;
    return put_unit(call, ret_ptr, 0);
}

/* Asks the port how a connect in progress ended, without waiting; past
 * the deadline it ends with ERR_TIMEDOUT. A failed attempt's port socket
 * is closed at once (a failed socket has none, as after a blocking
 * connect). Returns ERR_CANCELED when the app is being killed. */
static int tcp_connect_check(struct wasi_ctx *w, struct p2_tcp *t)
{
    if (t->pending != ERR_AGAIN) return 0;
    int rc = w->port.ops->tcp_connect_result(w->port.ctx, t->sock);
    if (rc == ERR_CANCELED) return rc;
    if (rc == ERR_AGAIN && p2_now(w) >= t->connect_deadline) rc = ERR_TIMEDOUT;
    t->pending = rc;
    if (rc && rc != ERR_AGAIN) {
        w->port.ops->sock_close(w->port.ctx, t->sock);
        t->sock = NULL;
    }
    return 0;
}

/* finish-connect() -> result<tuple<own<input-stream>, own<output-stream>>,
 * error-code>: 12 bytes; would-block while the connect is in progress. */
P2_IMPL(p2_sockets_tcp_tcp_socket_finish_connect, uint32_t self, uint32_t ret_ptr)
{
    TCP_SELF(t);
    uint32_t in = 0, out = 0;
    int res = 0;
    if (t->state == T_CONNECT_STARTED && tcp_connect_check(call_ctx(call), t))
        return wasm_host_trap(call, "killed");
    if (t->state != T_CONNECT_STARTED) {
        res = E(SE_NOT_IN_PROGRESS);
    } else if (t->pending == ERR_AGAIN) {
        res = E(SE_WOULD_BLOCK);
    } else if (t->pending) {
        res = code_of(t->pending);
        t->state = T_CLOSED;
    } else {
        int rc = p2_stream_new(call, P2_INPUT_STREAM, &tcp_stream_ops, &t->h, NULL, &in);
        if (!rc) rc = p2_stream_new(call, P2_OUTPUT_STREAM, &tcp_stream_ops, &t->h, NULL, &out);
        if (rc) return rc;
        t->state = T_CONNECTED;
    }
    uint8_t *ret = p2_ret(call, ret_ptr, 12, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (res) {
        ret[0] = 1;
        ret[4] = (uint8_t)res;
    } else {
        le32_put(ret + 4, in);
        le32_put(ret + 8, out);
    }
    return 0;
}

P2_IMPL(p2_sockets_tcp_tcp_socket_start_listen, uint32_t self, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    TCP_SELF(t);
    if (t->state != T_BOUND) return put_unit(call, ret_ptr, E(SE_INVALID_STATE));
    t->pending = w->port.ops->tcp_listen ? w->port.ops->tcp_listen(w->port.ctx, &t->local,
                                                                   (unsigned)t->backlog, &t->sock)
                                         : ERR_NOTSUP;
    if (t->pending == 0) options_apply(w, &t->h);
    t->state = T_LISTEN_STARTED;
    return put_unit(call, ret_ptr, 0);
}

P2_IMPL(p2_sockets_tcp_tcp_socket_finish_listen, uint32_t self, uint32_t ret_ptr)
{
    TCP_SELF(t);
    if (t->state != T_LISTEN_STARTED) return put_unit(call, ret_ptr, E(SE_NOT_IN_PROGRESS));
    int res = t->pending ? code_of(t->pending) : 0;
    t->state = t->pending ? T_CLOSED : T_LISTENING;
    return put_unit(call, ret_ptr, res);
}

/* accept() -> result<tuple<own<tcp-socket>, own<input-stream>,
 * own<output-stream>>, error-code>: 16 bytes. */
P2_IMPL(p2_sockets_tcp_tcp_socket_accept, uint32_t self, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    TCP_SELF(t);
    int res = t->state == T_LISTENING ? 0 : E(SE_INVALID_STATE);
    struct wasi_port_sock *s = NULL;
    if (!res) {
        int rc = w->port.ops->tcp_accept(w->port.ctx, t->sock, &s);
        if (rc == ERR_CANCELED) return wasm_host_trap(call, "killed");
        res = rc ? code_of(rc) : 0;
    }
    uint32_t hs = 0, in = 0, out = 0;
    if (!res) {
        struct p2_tcp *c = tcp_alloc(t->family);
        if (!c) {
            w->port.ops->sock_close(w->port.ctx, s);
            return wasm_host_trap(call, "out of memory");
        }
        c->sock = s;
        c->state = T_CONNECTED;
        /* tcp.wit accept: the new socket inherits keep-alive-*, hop-limit
         * and the buffer sizes */
        c->opts = t->opts;
        options_apply(w, &c->h);
        int rc = p2_put(call, &c->h, &hs);
        if (!rc) rc = p2_stream_new(call, P2_INPUT_STREAM, &tcp_stream_ops, &c->h, NULL, &in);
        if (!rc) rc = p2_stream_new(call, P2_OUTPUT_STREAM, &tcp_stream_ops, &c->h, NULL, &out);
        if (rc) return rc;
    }
    uint8_t *ret = p2_ret(call, ret_ptr, 16, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (res) {
        ret[0] = 1;
        ret[4] = (uint8_t)res;
    } else {
        le32_put(ret + 4, hs);
        le32_put(ret + 8, in);
        le32_put(ret + 12, out);
    }
    return 0;
}

/* result<ip-socket-address, error-code>: 36 bytes, the address at 4. */
static int put_addr_result(struct wasm_host_call *call, uint32_t ret_ptr, int res,
                           const struct wasi_port_addr *addr)
{
    uint8_t *ret = p2_ret(call, ret_ptr, 36, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (res) {
        ret[0] = 1;
        ret[4] = (uint8_t)res;
    } else {
        p2_addr_put(ret + 4, addr);
    }
    return 0;
}

P2_IMPL(p2_sockets_tcp_tcp_socket_local_address, uint32_t self, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    TCP_SELF(t);
    struct wasi_port_addr addr = t->local;
    int res = 0;
    if (t->sock)
        res = w->port.ops->sock_name(w->port.ctx, t->sock, &addr, NULL);
    else if (t->state == T_UNBOUND || t->state == T_BIND_STARTED || t->state == T_CLOSED)
        res = ERR_NOTCONN;
    return put_addr_result(call, ret_ptr, res ? code_of(res) : 0, &addr);
}

P2_IMPL(p2_sockets_tcp_tcp_socket_remote_address, uint32_t self, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    TCP_SELF(t);
    struct wasi_port_addr addr = {.family = t->family};
    int res = ERR_NOTCONN;
    if (t->state == T_CONNECTED) res = w->port.ops->sock_name(w->port.ctx, t->sock, NULL, &addr);
    return put_addr_result(call, ret_ptr, res ? code_of(res) : 0, &addr);
}

P2_IMPL(p2_sockets_tcp_tcp_socket_is_listening, uint32_t self, uint32_t *result)
{
    TCP_SELF(t);
    *result = t->state == T_LISTENING;
    return 0;
}

P2_IMPL(p2_sockets_tcp_tcp_socket_address_family, uint32_t self, uint32_t *result)
{
    TCP_SELF(t);
    *result = t->family == 6;
    return 0;
}

P2_IMPL(p2_sockets_tcp_tcp_socket_set_listen_backlog_size, uint32_t self, uint64_t value,
        uint32_t ret_ptr)
{
    TCP_SELF(t);
    if (value == 0) return put_unit(call, ret_ptr, E(SE_INVALID_ARGUMENT));
    t->backlog = MIN(value, (uint64_t)4096);
    return put_unit(call, ret_ptr, 0);
}

P2_IMPL(p2_sockets_tcp_tcp_socket_subscribe, uint32_t self, uint32_t *result)
{
    TCP_SELF(t);
    return p2_subscribe(call, &t->h, &tcp_poll_ops, 0, result);
}

/* shutdown(type: 0 receive, 1 send, 2 both) */
P2_IMPL(p2_sockets_tcp_tcp_socket_shutdown, uint32_t self, uint32_t shutdown_type, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    TCP_SELF(t);
    if (shutdown_type > 2) return wasm_host_trap(call, "invalid shutdown-type %u", shutdown_type);
    if (t->state != T_CONNECTED) return put_unit(call, ret_ptr, E(SE_INVALID_STATE));
    int how = shutdown_type == 0   ? WASI_PORT_SHUT_RD
              : shutdown_type == 1 ? WASI_PORT_SHUT_WR
                                   : WASI_PORT_SHUT_RDWR;
    int rc = w->port.ops->shutdown(w->port.ctx, t->sock, how);
    return put_unit(call, ret_ptr, rc ? code_of(rc) : 0);
}

P2_IMPL(p2_sockets_tcp_tcp_socket_drop, uint32_t self)
{
    return p2_drop(call, self, P2_TCP_SOCKET);
}

/* ---- udp ------------------------------------------------------------------------ */

struct p2_dgram {
    struct p2_obj h; /* parent: the udp socket */
};

static void udp_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    struct p2_udp *u = (struct p2_udp *)o;
    if (u->sock) w->port.ops->sock_close(w->port.ctx, u->sock);
}

static void dgram_destroy(struct wasi_ctx *w, struct p2_obj *o)
{
    (void)w;
    ((struct p2_udp *)o->parent)->streams--;
}

struct wasi_port_sock *p2_udp_port_sock(const struct p2_obj *o)
{
    return o && o->type == P2_UDP_SOCKET ? ((const struct p2_udp *)o)->sock : NULL;
}

/* A datagram stream's pollable waits on its socket's port socket (ready
 * when it has none). */
static void dgram_poll_prepare(struct wasi_ctx *w, const struct p2_pollable *p, uint64_t now,
                               struct p2_wait *it)
{
    (void)w, (void)now;
    const struct p2_obj *d = p->h.parent;
    it->pfd.sock = p2_udp_port_sock(d->parent);
    it->waits = it->pfd.sock != NULL;
    it->ready = !it->waits;
    it->pfd.events = d->type == P2_IN_DGRAM ? WASI_PORT_EV_IN : WASI_PORT_EV_OUT;
}

static const struct p2_poll_ops dgram_poll_ops = {.prepare = dgram_poll_prepare};

P2_IMPL(p2_sockets_udp_create_socket_create_udp_socket, uint32_t address_family, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    if (!p2_ret(call, ret_ptr, 8, 4)) return p2_bad_ret(call, ret_ptr);
    if (address_family > 1 || !w->port.ops->udp_open)
        return p2_ret_handle(call, ret_ptr, true,
                             address_family > 1 ? SE_INVALID_ARGUMENT : p2_sock_error(ERR_NOTSUP),
                             0);
    struct p2_udp *u = p2_obj_new(sizeof *u, P2_UDP_SOCKET, NULL, udp_destroy);
    if (!u) return wasm_host_trap(call, "out of memory");
    u->family = address_family ? 6 : 4;
    options_init(&u->h);
    uint32_t h;
    int rc = p2_put(call, &u->h, &h);
    if (rc) return rc;
    return p2_ret_handle(call, ret_ptr, false, 0, h);
}

#define UDP_SELF(var)                                                                              \
    struct p2_udp *var = p2_get(call, self, P2_UDP_SOCKET);                                        \
    if (!var) return p2_bad_handle(call, self, P2_UDP_SOCKET)

/* start-bind(network, local-address): binds now. */
P2_IMPL(p2_sockets_udp_udp_socket_start_bind, uint32_t self, uint32_t network,
        P2_FLAT(local_address, 12), uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    UDP_SELF(u);
    if (!p2_get(call, network, P2_NETWORK)) return p2_bad_handle(call, network, P2_NETWORK);
    struct wasi_port_addr addr;
    if (p2_addr_from_flat(local_address, &addr) || addr.family != u->family)
        return put_unit(call, ret_ptr, E(SE_INVALID_ARGUMENT));
    if (u->state != U_UNBOUND) return put_unit(call, ret_ptr, E(SE_INVALID_STATE));
    if (!wasi_net_allowed(w, "udp bind")) return put_unit(call, ret_ptr, code_of(ERR_ACCES));
    u->pending = w->port.ops->udp_open(w->port.ctx, &addr, &u->sock);
    if (u->pending == 0) options_apply(w, &u->h);
    u->state = U_BIND_STARTED;
    return put_unit(call, ret_ptr, 0);
}

P2_IMPL(p2_sockets_udp_udp_socket_finish_bind, uint32_t self, uint32_t ret_ptr)
{
    UDP_SELF(u);
    if (u->state != U_BIND_STARTED) return put_unit(call, ret_ptr, E(SE_NOT_IN_PROGRESS));
    int res = u->pending ? code_of(u->pending) : 0;
    u->state = u->pending ? U_UNBOUND : U_BOUND;
    return put_unit(call, ret_ptr, res);
}

/* stream(remote-address: option<ip-socket-address>) ->
 * result<tuple<own<incoming-datagram-stream>, own<outgoing-datagram-stream>>,
 * error-code>: params self, option tag, 12 x address, ret (12 bytes). */
P2_IMPL(p2_sockets_udp_udp_socket_stream, uint32_t self, uint32_t has_remote,
        P2_FLAT(remote_address, 12), uint32_t ret_ptr)
{
    UDP_SELF(u);
    if (u->streams)
        return wasm_host_trap(call, "udp-socket.stream called while its previous streams live");
    int res = u->state == U_BOUND ? 0 : E(SE_INVALID_STATE);
    struct wasi_port_addr remote = {0};
    if (!res && has_remote) {
        if (p2_addr_from_flat(remote_address, &remote) || remote.family != u->family ||
            !remote.port || addr_unspecified(&remote))
            res = E(SE_INVALID_ARGUMENT);
    }
    uint32_t in = 0, out = 0;
    if (!res) {
        u->connected = has_remote != 0;
        if (u->connected) u->remote = remote;
        struct p2_dgram *di = p2_obj_new(sizeof *di, P2_IN_DGRAM, &u->h, dgram_destroy);
        if (di) u->streams++;
        struct p2_dgram *d_o = p2_obj_new(sizeof *d_o, P2_OUT_DGRAM, &u->h, dgram_destroy);
        if (d_o) u->streams++;
        if (!di || !d_o) {
            if (di) p2_obj_free(call_ctx(call), &di->h);
            if (d_o) p2_obj_free(call_ctx(call), &d_o->h);
            return wasm_host_trap(call, "out of memory");
        }
        int rc = p2_put(call, &di->h, &in);
        if (rc) {
            p2_obj_free(call_ctx(call), &d_o->h);
            return rc;
        }
        if ((rc = p2_put(call, &d_o->h, &out)) != 0) return rc;
    }
    uint8_t *ret = p2_ret(call, ret_ptr, 12, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (res) {
        ret[0] = 1;
        ret[4] = (uint8_t)res;
    } else {
        le32_put(ret + 4, in);
        le32_put(ret + 8, out);
    }
    return 0;
}

P2_IMPL(p2_sockets_udp_udp_socket_local_address, uint32_t self, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    UDP_SELF(u);
    struct wasi_port_addr addr = {.family = u->family};
    int res = u->state == U_BOUND ? w->port.ops->sock_name(w->port.ctx, u->sock, &addr, NULL)
                                  : ERR_NOTCONN;
    return put_addr_result(call, ret_ptr, res ? code_of(res) : 0, &addr);
}

P2_IMPL(p2_sockets_udp_udp_socket_remote_address, uint32_t self, uint32_t ret_ptr)
{
    UDP_SELF(u);
    return put_addr_result(call, ret_ptr, u->connected ? 0 : E(SE_INVALID_STATE), &u->remote);
}

P2_IMPL(p2_sockets_udp_udp_socket_address_family, uint32_t self, uint32_t *result)
{
    UDP_SELF(u);
    *result = u->family == 6;
    return 0;
}

P2_IMPL(p2_sockets_udp_udp_socket_subscribe, uint32_t self, uint32_t *result)
{
    UDP_SELF(u);
    return p2_subscribe(call, &u->h, &p2_poll_ready, 0, result);
}

P2_IMPL(p2_sockets_udp_udp_socket_drop, uint32_t self)
{
    return p2_drop(call, self, P2_UDP_SOCKET);
}

#define MAX_DATAGRAMS 64

struct got_dgram {
    uint32_t ptr, len;
    struct wasi_port_addr from;
};

/* receive(max-results: u64) -> result<list<incoming-datagram>, error-code>:
 * 12 bytes; an incoming-datagram is {data: list<u8>, remote-address} = 40
 * bytes, align 4. Never waits. */
P2_IMPL(p2_sockets_udp_incoming_datagram_stream_receive, uint32_t self, uint64_t max_results,
        uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_dgram *d = p2_get(call, self, P2_IN_DGRAM);
    if (!d) return p2_bad_handle(call, self, P2_IN_DGRAM);
    struct p2_udp *u = (struct p2_udp *)d->h.parent;
    uint32_t max = (uint32_t)MIN(max_results, (uint64_t)MAX_DATAGRAMS), n = 0;
    struct got_dgram got[MAX_DATAGRAMS];
    uint8_t *buf = p2_scratch(w);
    int res = buf ? 0 : code_of(ERR_NOMEM);
    while (!res && n < max) {
        long len = w->port.ops->udp_recvfrom(w->port.ctx, u->sock, buf, P2_SCRATCH, &got[n].from);
        if (len == ERR_AGAIN) break;
        if (len < 0) {
            if (n == 0) res = code_of((int)len);
            break;
        }
        if (u->connected &&
            (got[n].from.port != u->remote.port || memcmp(got[n].from.addr, u->remote.addr, 16)))
            continue; /* not from the connected peer: dropped (wasi-sockets udp.wit) */
        int rc = p2_alloc_copy(call, buf, (uint32_t)len, &got[n].ptr);
        if (rc) return rc;
        got[n++].len = (uint32_t)len;
    }
    uint32_t arr = 4;
    if (!res && n) {
        int rc = p2_alloc(call, 4, n * 40, &arr);
        if (rc) return rc;
        for (uint32_t i = 0; i < n; i++) {
            uint8_t *e = guest_ptr(call, arr + (uint64_t)i * 40, 40);
            le32_put(e, got[i].ptr);
            le32_put(e + 4, got[i].len);
            p2_addr_put(e + 8, &got[i].from);
        }
    }
    uint8_t *ret = p2_ret(call, ret_ptr, 12, 4);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (res) {
        ret[0] = 1;
        ret[4] = (uint8_t)res;
    } else {
        le32_put(ret + 4, arr);
        le32_put(ret + 8, n);
    }
    return 0;
}

P2_IMPL(p2_sockets_udp_incoming_datagram_stream_subscribe, uint32_t self, uint32_t *result)
{
    struct p2_dgram *d = p2_get(call, self, P2_IN_DGRAM);
    if (!d) return p2_bad_handle(call, self, P2_IN_DGRAM);
    return p2_subscribe(call, &d->h, &dgram_poll_ops, 0, result);
}

P2_IMPL(p2_sockets_udp_incoming_datagram_stream_drop, uint32_t self)
{
    return p2_drop(call, self, P2_IN_DGRAM);
}

/* check-send() -> result<u64, error-code>: how many datagrams send takes. */
P2_IMPL(p2_sockets_udp_outgoing_datagram_stream_check_send, uint32_t self, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_dgram *d = p2_get(call, self, P2_OUT_DGRAM);
    if (!d) return p2_bad_handle(call, self, P2_OUT_DGRAM);
    struct wasi_port_pollfd p = {.sock = ((struct p2_udp *)d->h.parent)->sock,
                                 .events = WASI_PORT_EV_OUT};
    int rc = w->port.ops->wait(w->port.ctx, &p, 1, p2_now(w));
    if (rc == ERR_CANCELED) return wasm_host_trap(call, "killed");
    return put_u64(call, ret_ptr, rc < 0 ? code_of(rc) : 0, p.revents ? MAX_DATAGRAMS : 0);
}

/* send(datagrams: list<outgoing-datagram>) -> result<u64, error-code>; an
 * outgoing-datagram is {data: list<u8>, remote-address: option<...>} = 44
 * bytes, align 4. */
P2_IMPL(p2_sockets_udp_outgoing_datagram_stream_send, uint32_t self, uint32_t datagrams_ptr,
        uint32_t datagrams_len, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    struct p2_dgram *d = p2_get(call, self, P2_OUT_DGRAM);
    if (!d) return p2_bad_handle(call, self, P2_OUT_DGRAM);
    struct p2_udp *u = (struct p2_udp *)d->h.parent;
    uint32_t n = datagrams_len;
    if ((datagrams_ptr & 3) || !guest_ptr(call, datagrams_ptr, (uint64_t)n * 44))
        return p2_bad_ptr(call, "datagram list");
    uint64_t sent = 0;
    int res = 0;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = guest_ptr(call, datagrams_ptr + (uint64_t)i * 44, 44);
        const uint8_t *data = p2_arg_bytes(call, le32_get(e), le32_get(e + 4), false);
        if (!data) return p2_bad_ptr(call, "datagram data");
        struct wasi_port_addr to = u->remote;
        if (e[8]) {
            if (p2_addr_get(e + 12, &to)) return wasm_host_trap(call, "bad ip-socket-address tag");
            if (u->connected &&
                (to.port != u->remote.port || memcmp(to.addr, u->remote.addr, 16))) {
                res = E(SE_INVALID_ARGUMENT);
                break;
            }
        } else if (!u->connected) {
            res = E(SE_INVALID_ARGUMENT);
            break;
        }
        if (to.family != u->family || !to.port || addr_unspecified(&to)) {
            res = E(SE_INVALID_ARGUMENT);
            break;
        }
        long k = w->port.ops->udp_sendto(w->port.ctx, u->sock, data, le32_get(e + 4), &to);
        if (k == ERR_AGAIN) break;
        if (k < 0) {
            res = code_of((int)k);
            break;
        }
        sent++;
    }
    if (res && sent) res = 0; /* report what went out; the error comes back on the next call */
    return put_u64(call, ret_ptr, res, sent);
}

P2_IMPL(p2_sockets_udp_outgoing_datagram_stream_subscribe, uint32_t self, uint32_t *result)
{
    struct p2_dgram *d = p2_get(call, self, P2_OUT_DGRAM);
    if (!d) return p2_bad_handle(call, self, P2_OUT_DGRAM);
    return p2_subscribe(call, &d->h, &dgram_poll_ops, 0, result);
}

P2_IMPL(p2_sockets_udp_outgoing_datagram_stream_drop, uint32_t self)
{
    return p2_drop(call, self, P2_OUT_DGRAM);
}

/* ---- ip-name-lookup ------------------------------------------------------------- */

struct p2_resolve {
    struct p2_obj h;
    int err; /* the lookup's error, reported by the first resolve-next-address */
    int count, next;
    struct wasi_port_addr addrs[MAX_ADDRS];
};

/* A host name or address literal that may go to the resolver: letters,
 * digits, '-', '.', ':' (IPv6), '_' ; not empty, at most 253 bytes. */
static bool name_ok(const uint8_t *s, uint32_t n)
{
    if (n == 0 || n > 253) return false;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == ':' || c == '_'))
            return false;
    }
    return true;
}

/* resolve-addresses(network, name: string) -> result<own<resolve-address-stream>,
 * error-code>: 8 bytes. */
P2_IMPL(p2_sockets_ip_name_lookup_resolve_addresses, uint32_t network, uint32_t name_ptr,
        uint32_t name_len, uint32_t ret_ptr)
{
    struct wasi_ctx *w = call_ctx(call);
    if (!p2_get(call, network, P2_NETWORK)) return p2_bad_handle(call, network, P2_NETWORK);
    const uint8_t *name = p2_arg_bytes(call, name_ptr, name_len, true);
    if (!name) return p2_bad_ptr(call, "name");
    int res = 0;
    if (!name_ok(name, name_len))
        res = E(SE_INVALID_ARGUMENT);
    else if (!w->port.ops->resolve)
        res = code_of(ERR_NOTSUP);
    else if (!wasi_net_allowed(w, "name lookup"))
        res = code_of(ERR_ACCES);
    uint32_t h = 0;
    if (!res) {
        char host[254];
        memcpy(host, name, name_len);
        host[name_len] = 0;
        struct p2_resolve *rs = p2_obj_new(sizeof *rs, P2_RESOLVE, NULL, NULL);
        if (!rs) return wasm_host_trap(call, "out of memory");
        int n = w->port.ops->resolve(w->port.ctx, host, rs->addrs, MAX_ADDRS,
                                     p2_now(w) + RESOLVE_TIMEOUT_NS);
        if (n == ERR_CANCELED) {
            p2_obj_free(w, &rs->h);
            return wasm_host_trap(call, "killed");
        }
        rs->count = n > 0 ? n : 0;
        rs->err = n > 0 ? 0 : n == 0 ? ERR_NXDOMAIN : n;
        int rc = p2_put(call, &rs->h, &h);
        if (rc) return rc;
    }
    return p2_ret_handle(call, ret_ptr, res != 0, (uint8_t)res, h);
}

/* resolve-next-address() -> result<option<ip-address>, error-code>: 22
 * bytes, align 2: [0] tag; err [2] code; ok [2] option tag, [4] family
 * tag, [6..] octets (ipv4) or u16 segments (ipv6). */
P2_IMPL(p2_sockets_ip_name_lookup_resolve_address_stream_resolve_next_address, uint32_t self,
        uint32_t ret_ptr)
{
    struct p2_resolve *rs = p2_get(call, self, P2_RESOLVE);
    if (!rs) return p2_bad_handle(call, self, P2_RESOLVE);
    uint8_t *ret = p2_ret(call, ret_ptr, 22, 2);
    if (!ret) return p2_bad_ret(call, ret_ptr);
    if (rs->err) {
        ret[0] = 1;
        /* ip-name-lookup's own codes: a lookup that timed out is temporary */
        ret[2] = rs->err == ERR_TIMEDOUT ? SE_TEMPORARY_RESOLVER_FAILURE : p2_sock_error(rs->err);
        rs->err = 0; /* reported once; then the stream is empty */
        return 0;
    }
    if (rs->next >= rs->count) return 0; /* ok(none) */
    const struct wasi_port_addr *ad = &rs->addrs[rs->next++];
    ret[2] = 1;
    if (ad->family == 6) {
        ret[4] = 1;
        for (int i = 0; i < 8; i++)
            le16_put(ret + 6 + 2 * i, be16_get(ad->addr + 2 * i));
    } else {
        memcpy(ret + 6, ad->addr, 4);
    }
    return 0;
}

P2_IMPL(p2_sockets_ip_name_lookup_resolve_address_stream_subscribe, uint32_t self, uint32_t *result)
{
    struct p2_resolve *rs = p2_get(call, self, P2_RESOLVE);
    if (!rs) return p2_bad_handle(call, self, P2_RESOLVE);
    return p2_subscribe(call, &rs->h, &p2_poll_ready, 0, result);
}

P2_IMPL(p2_sockets_ip_name_lookup_resolve_address_stream_drop, uint32_t self)
{
    return p2_drop(call, self, P2_RESOLVE);
}
