/*
 * apps/sdk/net.c - name lookup and TCP over wasi:sockets 0.2 (sdk/net.h).
 * Layouts per ../shared/wit/ABI.md: an ip-socket-address parameter is 12
 * flat i32s (tag, then ipv4 port a0..a3 or ipv6 port flow s0..s7 scope);
 * results come back in return areas; would-block (8) means "wait on the
 * socket's pollable and ask again".
 */
#include "sdk/net.h"

#include <stdio.h>
#include <string.h>

#define WOULD_BLOCK WASI_SOCKETS_NETWORK_ERROR_CODE_WOULD_BLOCK
#define IPV4        WASI_SOCKETS_NETWORK_IP_ADDRESS_FAMILY_IPV4

static int32_t network;

int32_t net_network(void)
{
    if (!network) network = wasi_sockets_instance_network_instance_network();
    return network;
}

static uint32_t ms_of(uint64_t ns)
{
    return (uint32_t)(ns / 1000000u);
}

/* ---- addresses ---------------------------------------------------------------- */

void net_addr_from_abi(const uint8_t *p, struct net_addr *a)
{
    memset(a, 0, sizeof *a);
    a->family = p[0];
    const uint8_t *q = p + 4;
    memcpy(&a->port, q, 2);
    if (a->family == IPV4) {
        memcpy(a->v4, q + 2, 4);
    } else {
        memcpy(&a->flow_info, q + 4, 4);
        memcpy(a->v6, q + 8, 16);
        memcpy(&a->scope_id, q + 24, 4);
    }
}

void net_addr_format(const struct net_addr *a, char *out, size_t size)
{
    if (a->family == IPV4) {
        snprintf(out, size, "%u.%u.%u.%u", a->v4[0], a->v4[1], a->v4[2], a->v4[3]);
        return;
    }
    /* RFC 5952 section 4.2.3: the first longest run (>= 2) of zero groups
     * becomes "::"; hex digits are lower case without leading zeros. */
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && a->v6[j] == 0)
            j++;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; i < 8 && k < size; i++) {
        if (i == best) {
            k += (size_t)snprintf(out + k, size - k, "::");
            i += best_len - 1;
            continue;
        }
        bool sep = i > 0 && i != best + best_len;
        k += (size_t)snprintf(out + k, size - k, "%s%x", sep ? ":" : "", a->v6[i]);
    }
}

void net_addr_format_port(const struct net_addr *a, char *out, size_t size)
{
    char host[64];
    net_addr_format(a, host, sizeof host);
    snprintf(out, size, a->family == IPV4 ? "%s:%u" : "[%s]:%u", host, a->port);
}

bool net_addr_parse_v4(const char *s, struct net_addr *a)
{
    memset(a, 0, sizeof *a);
    a->family = IPV4;
    for (int i = 0; i < 4; i++) {
        unsigned v = 0, digits = 0;
        for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
            v = v * 10 + (unsigned)(*s - '0');
        if (digits == 0 || digits > 3 || v > 255) return false;
        a->v4[i] = (uint8_t)v;
        if (i < 3 && *s++ != '.') return false;
    }
    return *s == '\0';
}

/* The 12 flat i32s of an ip-socket-address parameter. */
static void addr_flat(const struct net_addr *a, int32_t f[12])
{
    memset(f, 0, 12 * sizeof *f);
    f[0] = a->family;
    f[1] = a->port;
    if (a->family == IPV4) {
        for (int i = 0; i < 4; i++)
            f[2 + i] = a->v4[i];
    } else {
        f[2] = (int32_t)a->flow_info;
        for (int i = 0; i < 8; i++)
            f[3 + i] = a->v6[i];
        f[11] = (int32_t)a->scope_id;
    }
}

/* ---- name lookup ------------------------------------------------------------------ */

/* One resolve-next-address. Returns 1 with *a, 0 at the end, -1 with the
 * error code in *code (would-block included). ABI: ret 22 B, [0] result
 * tag, [2] error code or option tag, [4] family, [6..] the address. */
static int resolve_next(int32_t stream, struct net_addr *a, int *code)
{
    _Alignas(8) uint8_t ret[24];
    wasi_sockets_ip_name_lookup_resolve_address_stream_resolve_next_address(
        stream, (int32_t)(uintptr_t)ret);
    if (ret[0] != 0) {
        *code = ret[2];
        return -1;
    }
    if (ret[2] == 0) return 0;
    memset(a, 0, sizeof *a);
    a->family = ret[4];
    if (a->family == IPV4)
        memcpy(a->v4, ret + 6, 4);
    else
        memcpy(a->v6, ret + 6, 16);
    return 1;
}

int net_resolve(const char *name, struct net_addr *out, size_t cap, uint64_t timeout_ns)
{
    _Alignas(8) uint8_t ret[8];
    wasi_sockets_ip_name_lookup_resolve_addresses(net_network(), (int32_t)(uintptr_t)name,
                                                  (int32_t)strlen(name), (int32_t)(uintptr_t)ret);
    if (ret[0] != 0) {
        wasi2_sockets_failed(ret[4]);
        return -1;
    }
    int32_t stream;
    memcpy(&stream, ret + 4, 4);
    int32_t pollable = wasi_sockets_ip_name_lookup_resolve_address_stream_subscribe(stream);
    uint64_t deadline = wasi2_now_ns() + timeout_ns;
    size_t n = 0;
    int result = 0;
    for (;;) {
        struct net_addr a;
        int code = 0;
        int r = resolve_next(stream, &a, &code);
        if (r == 1) {
            if (n < cap) out[n++] = a;
            continue;
        }
        if (r == 0) break;
        if (code != WOULD_BLOCK) {
            wasi2_sockets_failed(code);
            result = -1;
            break;
        }
        uint64_t left = wasi2_left_ns(deadline);
        if (left == 0 || wasi2_wait(&pollable, 1, left) == 0) {
            wasi2_set_error(WASI2_ERR_TIMEOUT, 0, "no answer within %u ms", ms_of(timeout_ns));
            result = -1;
            break;
        }
    }
    wasi_io_poll_pollable_drop(pollable);
    wasi_sockets_ip_name_lookup_resolve_address_stream_drop(stream);
    if (result == 0 && n == 0) {
        wasi2_sockets_failed(WASI_SOCKETS_NETWORK_ERROR_CODE_NAME_UNRESOLVABLE);
        return -1;
    }
    return result < 0 ? -1 : (int)n;
}

/* ---- TCP ------------------------------------------------------------------------------ */

static int tcp_create(int family, int32_t *sock)
{
    _Alignas(8) uint8_t ret[8];
    wasi_sockets_tcp_create_socket_create_tcp_socket(family, (int32_t)(uintptr_t)ret);
    if (ret[0] != 0) {
        wasi2_sockets_failed(ret[4]);
        return -1;
    }
    memcpy(sock, ret + 4, 4);
    return 0;
}

int net_tcp_connect(const struct net_addr *addr, uint64_t timeout_ns, struct net_tcp *c)
{
    memset(c, 0, sizeof *c);
    if (tcp_create(addr->family, &c->sock) < 0) return -1;
    int32_t f[12];
    addr_flat(addr, f);
    _Alignas(8) uint8_t ret[16];
    wasi_sockets_tcp_tcp_socket_start_connect(c->sock, net_network(), f[0], f[1], f[2], f[3], f[4],
                                              f[5], f[6], f[7], f[8], f[9], f[10], f[11],
                                              (int32_t)(uintptr_t)ret);
    if (ret[0] != 0) {
        wasi2_sockets_failed(ret[1]);
        net_tcp_close(c);
        return -1;
    }
    int32_t pollable = wasi_sockets_tcp_tcp_socket_subscribe(c->sock);
    uint64_t deadline = wasi2_now_ns() + timeout_ns;
    int result = 0;
    for (;;) {
        wasi_sockets_tcp_tcp_socket_finish_connect(c->sock, (int32_t)(uintptr_t)ret);
        if (ret[0] == 0) {
            memcpy(&c->in, ret + 4, 4);
            memcpy(&c->out, ret + 8, 4);
            break;
        }
        if (ret[4] != WOULD_BLOCK) {
            wasi2_sockets_failed(ret[4]);
            result = -1;
            break;
        }
        uint64_t left = wasi2_left_ns(deadline);
        if (left == 0 || wasi2_wait(&pollable, 1, left) == 0) {
            wasi2_set_error(WASI2_ERR_TIMEOUT, 0, "connection timed out after %u ms",
                            ms_of(timeout_ns));
            result = -1;
            break;
        }
    }
    wasi_io_poll_pollable_drop(pollable);
    if (result < 0) net_tcp_close(c);
    return result;
}

int net_tcp_connect_name(const char *host, uint16_t port, uint64_t timeout_ns, struct net_tcp *c)
{
    struct net_addr addrs[8];
    int n = net_resolve(host, addrs, sizeof addrs / sizeof addrs[0], timeout_ns);
    if (n < 0) return -1;
    for (int i = 0; i < n; i++) {
        addrs[i].port = port;
        if (net_tcp_connect(&addrs[i], timeout_ns, c) == 0) return 0;
    }
    return -1;
}

int net_tcp_shutdown_send(struct net_tcp *c)
{
    _Alignas(8) uint8_t ret[4];
    wasi_sockets_tcp_tcp_socket_shutdown(c->sock, WASI_SOCKETS_TCP_SHUTDOWN_TYPE_SEND,
                                         (int32_t)(uintptr_t)ret);
    if (ret[0] != 0) {
        wasi2_sockets_failed(ret[1]);
        return -1;
    }
    return 0;
}

/* Each setter returns result<_, error-code>: 2 bytes. */
static int tcp_option_result(const uint8_t *ret)
{
    if (ret[0] != 0) {
        wasi2_sockets_failed(ret[1]);
        return -1;
    }
    return 0;
}

int net_tcp_keepalive(struct net_tcp *c, uint64_t idle_ns, uint64_t interval_ns, uint32_t count)
{
    _Alignas(8) uint8_t ret[4];
    int32_t r = (int32_t)(uintptr_t)ret;
    wasi_sockets_tcp_tcp_socket_set_keep_alive_idle_time(c->sock, (int64_t)idle_ns, r);
    if (tcp_option_result(ret) < 0) return -1;
    wasi_sockets_tcp_tcp_socket_set_keep_alive_interval(c->sock, (int64_t)interval_ns, r);
    if (tcp_option_result(ret) < 0) return -1;
    wasi_sockets_tcp_tcp_socket_set_keep_alive_count(c->sock, (int32_t)count, r);
    if (tcp_option_result(ret) < 0) return -1;
    wasi_sockets_tcp_tcp_socket_set_keep_alive_enabled(c->sock, 1, r);
    return tcp_option_result(ret);
}

void net_tcp_close(struct net_tcp *c)
{
    if (c->in) wasi_io_streams_input_stream_drop(c->in);
    if (c->out) wasi_io_streams_output_stream_drop(c->out);
    if (c->sock) wasi_sockets_tcp_tcp_socket_drop(c->sock);
    memset(c, 0, sizeof *c);
}

/* Calls a finish-* method until it stops saying would-block. ret 2 B:
 * [0] tag, [1] error code. */
static int tcp_finish(int32_t sock, void (*finish)(int32_t, int32_t))
{
    int32_t pollable = wasi_sockets_tcp_tcp_socket_subscribe(sock);
    int result = 0;
    for (;;) {
        _Alignas(8) uint8_t ret[4];
        finish(sock, (int32_t)(uintptr_t)ret);
        if (ret[0] == 0) break;
        if (ret[1] != WOULD_BLOCK) {
            wasi2_sockets_failed(ret[1]);
            result = -1;
            break;
        }
        wasi2_block(pollable);
    }
    wasi_io_poll_pollable_drop(pollable);
    return result;
}

int net_tcp_listen(const struct net_addr *addr, uint32_t backlog, int32_t *sock)
{
    if (tcp_create(addr->family, sock) < 0) return -1;
    int32_t f[12];
    addr_flat(addr, f);
    _Alignas(8) uint8_t ret[4];
    wasi_sockets_tcp_tcp_socket_start_bind(*sock, net_network(), f[0], f[1], f[2], f[3], f[4], f[5],
                                           f[6], f[7], f[8], f[9], f[10], f[11],
                                           (int32_t)(uintptr_t)ret);
    int r = ret[0] == 0 ? 0 : -1;
    if (r < 0) wasi2_sockets_failed(ret[1]);
    if (r == 0) r = tcp_finish(*sock, wasi_sockets_tcp_tcp_socket_finish_bind);
    if (r == 0) {
        /* Not every host lets the backlog change; the default is fine. */
        wasi_sockets_tcp_tcp_socket_set_listen_backlog_size(*sock, backlog,
                                                            (int32_t)(uintptr_t)ret);
        wasi_sockets_tcp_tcp_socket_start_listen(*sock, (int32_t)(uintptr_t)ret);
        r = ret[0] == 0 ? 0 : -1;
        if (r < 0) wasi2_sockets_failed(ret[1]);
    }
    if (r == 0) r = tcp_finish(*sock, wasi_sockets_tcp_tcp_socket_finish_listen);
    if (r < 0) {
        wasi_sockets_tcp_tcp_socket_drop(*sock);
        *sock = 0;
    }
    return r;
}

int net_tcp_local_address(int32_t sock, struct net_addr *addr)
{
    _Alignas(8) uint8_t ret[36];
    wasi_sockets_tcp_tcp_socket_local_address(sock, (int32_t)(uintptr_t)ret);
    if (ret[0] != 0) {
        wasi2_sockets_failed(ret[4]);
        return -1;
    }
    net_addr_from_abi(ret + 4, addr);
    return 0;
}

int net_tcp_try_accept(int32_t listener, struct net_tcp *c, struct net_addr *peer)
{
    memset(c, 0, sizeof *c);
    _Alignas(8) uint8_t ret[36];
    wasi_sockets_tcp_tcp_socket_accept(listener, (int32_t)(uintptr_t)ret);
    if (ret[0] != 0) {
        if (ret[4] == WOULD_BLOCK) return 0;
        wasi2_sockets_failed(ret[4]);
        return -1;
    }
    memcpy(&c->sock, ret + 4, 4);
    memcpy(&c->in, ret + 8, 4);
    memcpy(&c->out, ret + 12, 4);
    if (peer) {
        wasi_sockets_tcp_tcp_socket_remote_address(c->sock, (int32_t)(uintptr_t)ret);
        if (ret[0] == 0)
            net_addr_from_abi(ret + 4, peer);
        else
            memset(peer, 0, sizeof *peer);
    }
    return 1;
}

int net_tcp_accept(int32_t listener, struct net_tcp *c, struct net_addr *peer)
{
    int32_t pollable = wasi_sockets_tcp_tcp_socket_subscribe(listener);
    int r;
    while ((r = net_tcp_try_accept(listener, c, peer)) == 0)
        wasi2_block(pollable);
    wasi_io_poll_pollable_drop(pollable);
    return r < 0 ? -1 : 0;
}
