/*
 * tests/fuzz/fuzz_net_dhcp.c - the DHCP client's reply parser (options,
 * overload into file/sname, lengths) and state machine. The harness starts
 * the client and answers its DISCOVER (and then REQUEST) with the right
 * xid and hardware address; the fuzzed bytes are the options area, one
 * reply per input record [u8 length x4][options], so OFFER, ACK and NAK
 * sequences are all reachable.
 */
#include "tests/fuzz/fuzz_net_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t now = 1000;
    struct net_stack *st = fz_stack(now, 0);
    if (!st) return 0;
    fz_last_len = 0;
    net_dhcp_start(st);
    static uint8_t f[1600];
    size_t off = 0;
    while (off < size) {
        size_t len = (size_t)data[off++] * 4;
        if (len > size - off) len = size - off;
        if (fz_last_len < 42 + 240) /* the client's last message: xid at 42 + 4 */
            break;
        uint8_t *m = f + 42;
        memset(m, 0, 240);
        m[0] = 2;
        m[1] = 1;
        m[2] = 6;
        memcpy(m + 4, fz_last + 42 + 4, 4);
        m[16] = 10, m[19] = 50; /* yiaddr 10.0.0.50 */
        memcpy(m + 28, fz_us_mac, 6);
        m[236] = 99, m[237] = 130, m[238] = 83, m[239] = 99;
        memcpy(m + 240, data + off, len);
        off += len;
        size_t n = fz_udp(f, FZ_PEER, 67, 0xffffffffu, 68, 240 + len);
        net_input(st, f, n, now);
        now += 500;
        net_poll(st, now);
    }
    net_poll(st, now + 200000000ull);
    net_destroy(st);
    return 0;
}
