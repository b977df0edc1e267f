/*
 * tests/fuzz/fuzz_net_dns.c - the resolver's reply parser: names with
 * compression pointers (and pointer loops), resource records, CNAME
 * chains. The harness sends a query and answers it from the right address
 * and ports with the right ID, so that every input reaches the parser;
 * the first input byte picks whether the fuzzed bytes replace the whole
 * message after the ID or only follow a correct question.
 */
#include "tests/fuzz/fuzz_net_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1400) return 0;
    uint64_t now = 1000;
    struct net_stack *st = fz_stack(now, 1);
    if (!st) return 0;
    struct net_sock *q;
    fz_last_len = 0;
    net_dns_lookup(st, "a.fuzz.test", &q);
    if (fz_last_len < 44) { /* the query: UDP payload at 42 */
        net_sock_close(q);
        net_destroy(st);
        return 0;
    }
    uint16_t port = (uint16_t)(fz_last[34] << 8 | fz_last[35]);
    static uint8_t f[1600];
    uint8_t *m = f + 42;
    size_t n;
    if (data[0] & 1) {
        memcpy(m + 2, data + 1, size - 1); /* everything but the ID */
        n = size + 1;
    } else {
        static const uint8_t head[] = {0x81, 0x80, 0,   1, 0,   0,   0,   0,   0, 0, 1, 'a', 4, 'f',
                                       'u',  'z',  'z', 4, 't', 'e', 's', 't', 0, 0, 1, 0,   1};
        memcpy(m + 2, head, sizeof head);
        m[7] = size > 1 ? data[1] : 1; /* ANCOUNT */
        memcpy(m + 2 + sizeof head, data + 1, size - 1);
        n = 2 + sizeof head + size - 1;
    }
    m[0] = fz_last[42]; /* the query's ID */
    m[1] = fz_last[43];
    size_t len = fz_udp(f, FZ_PEER, 53, FZ_US, port, n);
    net_input(st, f, len, now);
    uint32_t addrs[8];
    net_dns_result(q, addrs, 8, NULL);
    net_poll(st, now + 60000);
    net_sock_close(q);
    net_destroy(st);
    return 0;
}
