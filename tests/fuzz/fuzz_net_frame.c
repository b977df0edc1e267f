/*
 * tests/fuzz/fuzz_net_frame.c - lib/net's frame input path as a whole:
 * Ethernet, ARP, IPv4 with fragments, ICMP, UDP, TCP (options and the
 * state machine), DHCP and DNS replies, all reached through net_input().
 *
 * Input: records of [u16 length][frame]; a zero length advances time by a
 * second and runs the timers. Frames go to two stacks: one configured
 * (10.0.0.2/24) with a TCP listener on port 80, a bound UDP socket on 7,
 * a connecting TCP socket, a ping socket and a DNS query in flight; one
 * unconfigured running its DHCP client.
 */
#include "tests/fuzz/fuzz_net_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t now = 1000;
    struct net_stack *a = fz_stack(now, 1), *b = fz_stack(now, 0);
    if (!a || !b) return 0;
    struct net_sock *l, *u, *c, *p, *q;
    net_tcp_socket(a, &l);
    net_sock_bind(l, 0, 80);
    net_tcp_listen(l, 4);
    net_udp_socket(a, &u);
    net_sock_bind(u, 0, 7);
    net_tcp_socket(a, &c);
    net_tcp_connect(c, FZ_PEER, 8080);
    net_ping_socket(a, &p);
    net_ping_send(p, FZ_PEER, 1, 32);
    net_dns_lookup(a, "fuzz.test", &q);
    net_dhcp_start(b);
    size_t off = 0;
    while (off + 2 <= size) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (len == 0) {
            now += 1000;
            net_poll(a, now);
            net_poll(b, now);
            continue;
        }
        if (len > size - off) len = size - off;
        /* a copy of exactly len bytes, so that ASan catches over-reads */
        uint8_t *frame = len ? __builtin_malloc(len) : NULL;
        if (!frame) break;
        memcpy(frame, data + off, len);
        net_input(a, frame, len, now);
        net_input(b, frame, len, now);
        __builtin_free(frame);
        off += len;
        struct net_sock *acc;
        while (net_tcp_accept(l, &acc) == 0) {
            uint8_t buf[256];
            net_tcp_recv(acc, buf, sizeof buf);
            net_tcp_send(acc, "ok", 2);
            net_sock_close(acc);
        }
        uint8_t buf[512];
        net_udp_recvfrom(u, buf, sizeof buf, NULL, NULL);
        net_tcp_recv(c, buf, sizeof buf);
        struct net_ping_reply rep;
        net_ping_recv(p, &rep);
        uint32_t addr;
        net_dns_result(q, &addr, 1, NULL);
    }
    net_poll(a, now + 600000);
    net_destroy(a);
    net_destroy(b);
    return 0;
}
