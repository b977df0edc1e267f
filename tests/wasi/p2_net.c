/*
 * tests/wasi/p2_net.c - wasi:sockets in a wasi-libc program:
 *
 *   p2_net lookup NAME              resolve-addresses; prints each address
 *                                   (sorted) or "error N" (error-code)
 *   p2_net tcp-client IP PORT MSG   connects, sends MSG, shuts down the
 *                                   sending side, prints the answer of an
 *                                   echo peer ("echo:" MSG); with a 5th
 *                                   argument "noshut", no shutdown
 *   p2_net tcp-server PORT          listens on 127.0.0.1:PORT, prints
 *                                   "listening", accepts one connection and
 *                                   answers what it reads, upper-cased
 *   p2_net udp-client IP PORT MSG   sends MSG and prints the reply
 *
 * Errors print "error N" with the wasi:sockets error-code and exit 2.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi02.h"

static int32_t net;

static void fail(const char *what, int code)
{
    printf("%s: error %d\n", what, code);
    exit(2);
}

static void parse_ip(const char *s, int b[4])
{
    if (sscanf(s, "%d.%d.%d.%d", &b[0], &b[1], &b[2], &b[3]) != 4) {
        printf("bad ip\n");
        exit(1);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(a, b);
}

static int lookup(const char *name)
{
    ret16_t r;
    resolve_addresses(net, name, (int32_t)strlen(name), &r);
    if (r.tag) fail("resolve-addresses", (int)(r.a & 0xff));
    int32_t s = (int32_t)r.a;
    char addrs[16][48];
    int n = 0;
    for (;;) {
        struct __attribute__((aligned(2))) {
            uint8_t b[22];
        } a;
        resolve_next_address(s, &a);
        if (a.b[0] && a.b[2] == 8) { /* would-block: wait for the answer */
            int32_t p = resolve_subscribe(s);
            pollable_block(p);
            pollable_drop(p);
            continue;
        }
        if (a.b[0]) fail("resolve-next-address", a.b[2]);
        if (!a.b[2]) break;
        if (n == 16) continue;
        if (a.b[4] == 0) {
            snprintf(addrs[n++], 48, "%d.%d.%d.%d", a.b[6], a.b[7], a.b[8], a.b[9]);
        } else {
            uint16_t seg[8];
            memcpy(seg, a.b + 6, 16);
            snprintf(addrs[n++], 48, "%x:%x:%x:%x:%x:%x:%x:%x", seg[0], seg[1], seg[2], seg[3],
                     seg[4], seg[5], seg[6], seg[7]);
        }
    }
    resolve_drop(s);
    qsort(addrs, (size_t)n, sizeof addrs[0], cmp_str);
    for (int i = 0; i < n; i++)
        printf("address %s\n", addrs[i]);
    return 0;
}

/* Copies the stream to stdout until its end or until want bytes came. */
static void drain(int32_t in, size_t want)
{
    size_t got = 0;
    while (got < want) {
        struct {
            uint8_t tag;
            uint8_t pad[3];
            uint32_t a, b;
        } r;
        input_blocking_read(in, 65536, &r);
        if (r.tag) break;
        fwrite((void *)(uintptr_t)r.a, 1, r.b, stdout);
        free((void *)(uintptr_t)r.a);
        got += r.b;
    }
}

static void write_all(int32_t out, const char *p, size_t n)
{
    while (n) {
        size_t k = n < 4096 ? n : 4096;
        ret16_t r;
        output_blocking_write_and_flush(out, p, (int32_t)k, &r);
        if (r.tag) fail("write", -1);
        p += k;
        n -= k;
    }
}

static int tcp_client(const char *ip, int port, const char *msg, bool shut)
{
    int b[4];
    parse_ip(ip, b);
    ret16_t r;
    create_tcp_socket(0, &r);
    int32_t s = (int32_t)r.a;
    uint8_t res[2];
    tcp_start_connect(s, net, 0, port, b[0], b[1], b[2], b[3], 0, 0, 0, 0, 0, 0, res);
    if (res[0]) fail("start-connect", res[1]);
    int32_t p = tcp_subscribe(s);
    for (;;) {
        tcp_finish_connect(s, &r);
        if (!r.tag || (r.a & 0xff) != 8) break;
        pollable_block(p);
    }
    pollable_drop(p);
    if (r.tag) fail("finish-connect", (int)(r.a & 0xff));
    int32_t in = (int32_t)r.a, out = (int32_t)r.b;
    struct __attribute__((aligned(4))) {
        uint8_t b[36];
    } addr;
    tcp_remote_address(s, &addr);
    printf("remote port matches: %d\n", addr.b[0] == 0 && (addr.b[8] | addr.b[9] << 8) == port);
    write_all(out, msg, strlen(msg));
    if (shut) {
        tcp_shutdown(s, 1, res);
        printf("shutdown: %d\n", res[0]);
    }
    drain(in, strlen("echo:") + strlen(msg)); /* the peer's answer */
    printf("\n");
    input_drop(in);
    output_drop(out);
    tcp_drop(s);
    return 0;
}

static int tcp_server(int port)
{
    ret16_t r;
    uint8_t res[2];
    create_tcp_socket(0, &r);
    int32_t s = (int32_t)r.a;
    tcp_start_bind(s, net, 0, port, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, res);
    if (res[0]) fail("start-bind", res[1]);
    tcp_finish_bind(s, res);
    tcp_start_listen(s, res);
    if (res[0]) fail("start-listen", res[1]);
    tcp_finish_listen(s, res);
    if (res[0]) fail("finish-listen", res[1]);
    printf("listening: %d\n", tcp_is_listening(s));
    fflush(stdout);
    int32_t p = tcp_subscribe(s);
    for (;;) {
        tcp_accept(s, &r);
        if (!r.tag || (r.a & 0xff) != 8) break;
        pollable_block(p);
    }
    pollable_drop(p);
    if (r.tag) fail("accept", (int)(r.a & 0xff));
    int32_t c = (int32_t)r.a, in = (int32_t)r.b, out = (int32_t)r.c;
    char buf[4096];
    size_t n = 0;
    for (;;) {
        struct {
            uint8_t tag;
            uint8_t pad[3];
            uint32_t a, b;
        } rr;
        input_blocking_read(in, sizeof buf - n, &rr);
        if (rr.tag) break;
        memcpy(buf + n, (void *)(uintptr_t)rr.a, rr.b);
        n += rr.b;
        free((void *)(uintptr_t)rr.a);
        if (n == sizeof buf) break;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = (char)toupper((unsigned char)buf[i]);
    write_all(out, buf, n);
    printf("served %zu bytes\n", n);
    input_drop(in);
    output_drop(out);
    tcp_drop(c);
    tcp_drop(s);
    return 0;
}

static int udp_client(const char *ip, int port, const char *msg)
{
    int b[4];
    parse_ip(ip, b);
    ret16_t r;
    uint8_t res[2];
    create_udp_socket(0, &r);
    int32_t s = (int32_t)r.a;
    udp_start_bind(s, net, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, res);
    udp_finish_bind(s, res);
    if (res[0]) fail("bind", res[1]);
    udp_stream(s, 1, 0, port, b[0], b[1], b[2], b[3], 0, 0, 0, 0, 0, 0, &r);
    if (r.tag) fail("stream", (int)(r.a & 0xff));
    int32_t in = (int32_t)r.a, out = (int32_t)r.b;
    struct {
        const char *p;
        uint32_t n;
        uint8_t some;
        uint8_t addr[32];
    } dg = {msg, (uint32_t)strlen(msg), 0, {0}};
    ret64_t sr;
    udp_check_send(out, &sr);
    udp_send(out, &dg, 1, &sr);
    printf("sent: %d\n", (int)*(uint64_t *)(sr.bytes + 8));
    int32_t p = udp_in_subscribe(in);
    int32_t t = mono_subscribe_duration(5000000000ll);
    for (;;) {
        int32_t ps[2] = {p, t};
        struct {
            uint32_t *ptr;
            uint32_t len;
        } ready;
        io_poll(ps, 2, &ready);
        struct {
            uint8_t tag;
            uint8_t pad[3];
            uint32_t ptr, len;
        } rr;
        udp_receive(in, 4, &rr);
        if (rr.tag) fail("receive", (int)(rr.ptr & 0xff));
        if (rr.len) {
            uint8_t *d = (uint8_t *)(uintptr_t)rr.ptr;
            uint32_t dp, dl;
            memcpy(&dp, d, 4);
            memcpy(&dl, d + 4, 4);
            printf("reply: %.*s\n", (int)dl, (char *)(uintptr_t)dp);
            break;
        }
        if (pollable_ready(t)) {
            printf("timeout\n");
            break;
        }
    }
    pollable_drop(p);
    pollable_drop(t);
    udp_in_drop(in);
    udp_out_drop(out);
    udp_drop(s);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    net = instance_network();
    if (argc == 3 && !strcmp(argv[1], "lookup")) return lookup(argv[2]);
    if ((argc == 5 || argc == 6) && !strcmp(argv[1], "tcp-client"))
        return tcp_client(argv[2], atoi(argv[3]), argv[4], argc == 5);
    if (argc == 3 && !strcmp(argv[1], "tcp-server")) return tcp_server(atoi(argv[2]));
    if (argc == 5 && !strcmp(argv[1], "udp-client"))
        return udp_client(argv[2], atoi(argv[3]), argv[4]);
    fprintf(stderr, "usage: see the file\n");
    return 1;
}
