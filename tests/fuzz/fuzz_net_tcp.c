/*
 * tests/fuzz/fuzz_net_tcp.c - TCP's segment arrival and output paths,
 * driven deep: the harness opens a connection and then builds segments
 * whose sequence and acknowledgment numbers are offsets from the
 * connection's current rcv_nxt and snd_una (so they land in and around the
 * windows), with fuzzed flags, windows, options and payloads, interleaved
 * with the application's send/recv/shutdown/close and the passing of time.
 *
 * Record: op(1) flags(1) dseq(2) dack(2) wnd(2) optlen(1) opts(optlen&40)
 * dlen(1, x8). op's low bits pick an application action, its high bits how
 * much time passes.
 */
#include "net/tcp_impl.h"
#include "tests/fuzz/fuzz_net_common.h"

static size_t build_seg(uint8_t *f, const struct net_sock *s, uint32_t seq, uint32_t ack,
                        uint8_t flags, uint16_t wnd, const uint8_t *opts, size_t olen, size_t dlen)
{
    uint8_t *t = f + 34;
    be16_put(t, s->rport);
    be16_put(t + 2, s->lport);
    be32_put(t + 4, seq);
    be32_put(t + 8, ack);
    t[12] = (uint8_t)(((20 + olen) / 4) << 4);
    t[13] = flags;
    be16_put(t + 14, wnd);
    be16_put(t + 16, 0);
    be16_put(t + 18, 0);
    memcpy(t + 20, opts, olen);
    memset(t + 20 + olen, 'x', dlen);
    return fz_ipv4(f, FZ_PEER, FZ_US, 6, 20 + olen + dlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t now = 1000;
    struct net_stack *st = fz_stack(now, 1);
    if (!st) return 0;
    struct net_sock *s;
    net_tcp_socket(st, &s);
    net_tcp_connect(s, FZ_PEER, 8080);
    struct tcp_pcb *p = tcp_of(s);
    static uint8_t f[34 + 60 + 2048];
    /* the SYN-ACK: MSS, window scale 7, SACK permitted, timestamps */
    static const uint8_t synopts[] = {2, 4, 5, 180, 1, 3, 3, 7, 1, 1, 4, 2,
                                      1, 1, 8, 10,  0, 0, 0, 1, 0, 0, 0, 0};
    size_t n =
        build_seg(f, s, 7777, p->iss + 1, TCP_SYN | TCP_ACK, 65535, synopts, sizeof synopts, 0);
    net_input(st, f, n, now);
    bool closed = false;
    size_t off = 0;
    while (off + 10 <= size) {
        const uint8_t *r = data + off;
        uint8_t op = r[0], flags = r[1] & 0x3f;
        int16_t dseq = (int16_t)(r[2] << 8 | r[3]), dack = (int16_t)(r[4] << 8 | r[5]);
        uint16_t wnd = (uint16_t)(r[6] << 8 | r[7]);
        size_t olen = (size_t)(r[8] % 11) * 4;
        off += 9;
        if (off + olen + 1 > size) break;
        const uint8_t *opts = data + off;
        off += olen;
        size_t dlen = (size_t)data[off++] * 8;
        now += (uint64_t)(op >> 3) * 7;
        net_poll(st, now);
        if (!closed) {
            uint8_t buf[4096];
            switch (op & 7) {
            case 1: net_tcp_send(s, data, size < sizeof buf ? size : sizeof buf); break;
            case 2: net_tcp_recv(s, buf, sizeof buf); break;
            case 3: net_tcp_shutdown(s, 1); break;
            case 4:
                net_sock_close(s);
                closed = true;
                break;
            default: break;
            }
        }
        if (closed) continue; /* the pcb may be gone; the stack keeps running */
        p = tcp_of(s);
        if (!p) break;
        n = build_seg(f, s, p->rcv_nxt + (uint32_t)(int32_t)dseq,
                      p->snd_una + (uint32_t)(int32_t)dack, flags, wnd, opts, olen, dlen);
        net_input(st, f, n, now);
    }
    net_poll(st, now + 3600000);
    net_destroy(st);
    return 0;
}
