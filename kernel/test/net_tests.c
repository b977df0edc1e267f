/*
 * kernel/test/net_tests.c - self-tests of the network path on a real NIC:
 * virtio-net -> lib/net -> kernel sockets.
 *
 * Options from the host harness (tests/qemu/test_net.py):
 *   download=HOST:PORT/PATH  fetched with a minimal HTTP/1.0 GET
 *   expect_sha=HEX expect_len=N  what the body must be
 *   resolve=NAME=ADDR        a name the DNS server knows
 */
#include "base/error.h"
#include "base/mem.h"
#include "base/sha256.h"
#include "base/fmt.h"
#include "kernel/boot/cmdline.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/net/knet.h"
#include "kernel/test/selftest.h"
#include "kernel/time/clock.h"

static const char *test_lease(void)
{
    int err = knet_wait_up(clock_monotonic_ns() + 30 * NS_PER_SEC);
    if (err < 0) return selftest_fail("no address after 30 s: %s", err_str(err));
    struct knet_info info;
    knet_info(&info);
    kprintf("[test] lease after %llu ms\n", (unsigned long long)info.lease_at_ms);
    return NULL;
}

static const char *test_ping(void)
{
    struct knet_info info;
    knet_info(&info);
    if (!info.ip.gateway) return "no gateway to ping";
    struct net_ping_reply r;
    int err = knet_ping(info.ip.gateway, 1, 56, clock_monotonic_ns() + 5 * NS_PER_SEC, &r);
    if (err < 0) return selftest_fail("ping: %s", err_str(err));
    char a[16];
    net_ip_format(r.from, a);
    kprintf("[test] ping reply from %s seq %u rtt %u ms\n", a, r.seq, r.rtt_ms);
    return r.from == info.ip.gateway ? NULL : "reply from the wrong host";
}

static const char *test_resolve(void)
{
    const char *spec = cmdline_get("resolve");
    if (!spec) return NULL; /* only with a DNS server of the test's own */
    char name[128];
    str_copy(name, spec, sizeof name);
    char *eq = strchr(name, '=');
    uint32_t want, got[4];
    if (!eq || net_ip_parse(eq + 1, &want) < 0) return "bad resolve= option";
    *eq = '\0';
    int n = knet_resolve(name, got, 4, clock_monotonic_ns() + 10 * NS_PER_SEC);
    if (n < 0) return selftest_fail("resolving %s: %s", name, err_str(n));
    if (got[0] != want) return "resolved to the wrong address";
    if (knet_resolve("no-such-name.kpio.test", got, 4, clock_monotonic_ns() + 10 * NS_PER_SEC) !=
        ERR_NXDOMAIN)
        return "a missing name did not give NXDOMAIN";
    return NULL;
}

static const char *test_download(void)
{
    const char *spec = cmdline_get("download"), *want = cmdline_get("expect_sha");
    const char *lenopt = cmdline_get("expect_len");
    if (!spec || !want || !lenopt) return "no download= / expect_sha= / expect_len= options";
    char host[128];
    str_copy(host, spec, sizeof host);
    char *colon = strchr(host, ':'), *slash = colon ? strchr(colon, '/') : NULL;
    if (!colon || !slash) return "bad download= option";
    *colon = '\0';
    unsigned port = 0;
    for (char *p = colon + 1; p < slash; p++)
        port = port * 10 + (unsigned)(*p - '0');
    uint32_t addr;
    int err = knet_resolve(host, &addr, 1, clock_monotonic_ns() + 10 * NS_PER_SEC);
    if (err < 0) return selftest_fail("resolve %s: %s", host, err_str(err));
    struct ksock *s;
    uint64_t t0 = clock_monotonic_ns();
    err = ksock_tcp_connect(addr, (uint16_t)port, t0 + 10 * NS_PER_SEC, &s);
    if (err < 0) return selftest_fail("connect: %s", err_str(err));
    char req[256];
    size_t rl = fmt_snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", slash, host);
    ksock_send(s, req, rl, t0 + 10 * NS_PER_SEC);
    enum { BUF = 65536 };
    uint8_t *buf = kmalloc(BUF);
    struct sha256 h;
    sha256_init(&h);
    uint64_t body = 0;
    int state = 0; /* matched bytes of "\r\n\r\n" */
    long n = ERR_NOMEM;
    uint64_t t1 = 0;
    while (buf && (n = ksock_recv(s, buf, BUF, clock_monotonic_ns() + 20 * NS_PER_SEC)) > 0) {
        long i = 0;
        if (!t1) t1 = clock_monotonic_ns();
        for (; state < 4 && i < n; i++) {
            static const char end[] = "\r\n\r\n";
            state = buf[i] == (uint8_t)end[state] ? state + 1 : (buf[i] == '\r');
        }
        if (!cmdline_get("nohash")) sha256_update(&h, buf + i, (size_t)(n - i));
        body += (uint64_t)(n - i);
    }
    uint64_t t2 = clock_monotonic_ns();
    ksock_close(s);
    kfree(buf);
    if (n < 0)
        return selftest_fail("receive: %s after %llu bytes", err_str((int)n),
                             (unsigned long long)body);
    uint8_t d[32];
    char hex[65];
    sha256_final(&h, d);
    sha256_hex(d, hex);
    uint64_t ms = (t2 - t1) / NS_PER_MS;
    kprintf("[test] downloaded %llu bytes in %llu ms (%llu KiB/s), sha256 %s\n",
            (unsigned long long)body, (unsigned long long)ms,
            (unsigned long long)(ms ? body * 1000 / 1024 / ms : 0), hex);
    uint64_t want_len = 0;
    for (const char *p = lenopt; *p; p++)
        want_len = want_len * 10 + (uint64_t)(*p - '0');
    if (body != want_len || strcmp(hex, want) != 0)
        return selftest_fail("got %llu bytes, expected %llu; hash %s", (unsigned long long)body,
                             (unsigned long long)want_len, hex);
    return NULL;
}

static const struct selftest_case cases[] = {
    {"lease", test_lease},
    {"ping-gateway", test_ping},
    {"resolve", test_resolve},
    {"tcp-download", test_download},
};

const struct selftest_suite selftest_net = {"net", cases, sizeof cases / sizeof cases[0]};
