/*
 * kernel/test/bench_tls.c - https figures for `make bench` (test=bench-tls,
 * run by bench/kpio/bench_kpio.py), against servers on the host as
 * 10.0.2.2 and the trust store at ktls_cacert_path() on the disk:
 *
 *   https_ec=PORT / https_rsa=PORT  a TLS server with an ECDSA P-256 / an
 *                                   RSA-2048 certificate
 *   http=PORT                       the same payload over plain HTTP
 *   nginx_http=PORT, nginx_https=PORT  optional: the same payload from
 *                                   nginx, plain and over TLS (a server
 *                                   faster than python's ssl module)
 *
 * It prints "[bench] tls_handshake_{ec,rsa} MICROSECONDS us" (the median of
 * HANDSHAKES full handshakes: TCP connect, TLS handshake with verification,
 * close_notify) and "[bench] {http,https}_download[_nginx] KIB/S KiB/s"
 * for GET /payload with the kernel's HTTP client, the body counted, not
 * kept.
 * Before the downloads, "[bench] aead_{chachapoly,aesgcm} KIB/S KiB/s":
 * AEAD_BYTES sealed in place with each record cipher alone (tls_aead_seal),
 * the cipher's share of an https download.
 */
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "kernel/boot/cmdline.h"
#include "http/client.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/net/http_sock.h"
#include "kernel/net/knet.h"
#include "kernel/net/ktls.h"
#include "kernel/test/selftest.h"
#include "kernel/time/clock.h"
#include "tls/tls.h"

#define HANDSHAKES 7
#define AEAD_BYTES (1u << 20)

static unsigned port_opt(const char *key)
{
    const char *v = cmdline_get(key);
    unsigned p = 0;
    for (; v && *v >= '0' && *v <= '9'; v++)
        p = p * 10 + (unsigned)(*v - '0');
    return p < 65536 ? p : 0;
}

static void sort_u64(uint64_t *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && v[k - 1] > v[k]; k--) {
            uint64_t t = v[k];
            v[k] = v[k - 1];
            v[k - 1] = t;
        }
}

/* HANDSHAKES connections to 10.0.2.2:port; prints the median. */
static const char *bench_handshake(const char *name, unsigned port)
{
    const struct wasi_tls *p = ktls_provider();
    struct http_sock tcp = {&khttp_sock_ops, NULL}, tls;
    void *handle;
    int err = p->wrap(p->ctx, &tcp, &tls, &handle);
    if (err < 0) return selftest_fail("TLS socket: %s", err_str(err));
    uint64_t us[HANDSHAKES];
    for (int i = 0; i < HANDSHAKES && err == 0; i++) {
        struct http_conn *c;
        uint64_t t0 = clock_monotonic_ns();
        err = tls.ops->connect(tls.ctx, "10.0.2.2", (uint16_t)port, 20000, &c);
        if (err == 0) tls.ops->close(tls.ctx, c);
        us[i] = (clock_monotonic_ns() - t0) / 1000;
    }
    p->unwrap(p->ctx, handle);
    if (err < 0) return selftest_fail("handshake with port %u: %s", port, err_str(err));
    sort_u64(us, HANDSHAKES);
    kprintf("[bench] tls_handshake_%s %llu us (min %llu, max %llu)\n", name,
            (unsigned long long)us[HANDSHAKES / 2], (unsigned long long)us[0],
            (unsigned long long)us[HANDSHAKES - 1]);
    return NULL;
}

static uint64_t kib_per_s(uint64_t bytes, uint64_t ns)
{
    return ns ? bytes * (NS_PER_SEC / 1000) / ns * 1000 / 1024 : 0;
}

static int count_body(void *ctx, const uint8_t *data, size_t len)
{
    (void)data;
    *(uint64_t *)ctx += len;
    return 0;
}

/* GET scheme://10.0.2.2:port/payload, the body counted; prints KiB/s. */
static const char *bench_get(const char *name, const char *scheme, unsigned port)
{
    const struct wasi_tls *p = ktls_provider();
    struct http_sock tcp = {&khttp_sock_ops, NULL}, tls;
    void *handle = NULL;
    struct http_client_config cfg;
    http_client_config_default(&cfg);
    cfg.recv_buffer = 64 * 1024;
    struct http_client *c;
    int err = http_client_create(&tcp, &cfg, &c);
    if (err < 0) return selftest_fail("client: %s", err_str(err));
    if (scheme[4] == 's' && (err = p->wrap(p->ctx, &tcp, &tls, &handle)) == 0)
        http_client_set_tls(c, &tls);
    char url[64];
    fmt_snprintf(url, sizeof url, "%s://10.0.2.2:%u/payload", scheme, port);
    uint64_t bytes = 0, t0 = clock_monotonic_ns();
    int status = err < 0 ? err
                         : http_client_fetch(c, &(struct http_client_request){.url = url},
                                             count_body, &bytes);
    uint64_t ns = clock_monotonic_ns() - t0;
    if (status < 0 && err == 0) klog_error("bench", "GET %s: %s", url, http_client_error(c));
    http_client_destroy(c);
    if (handle) p->unwrap(p->ctx, handle);
    if (status != 200) return selftest_fail("GET %s: %d", url, status);
    kprintf("[bench] %s_download %llu KiB/s (%llu bytes in %llu ms)\n", name,
            (unsigned long long)kib_per_s(bytes, ns), (unsigned long long)bytes,
            (unsigned long long)(ns / NS_PER_MS));
    return NULL;
}

/* AEAD_BYTES through one record cipher; prints KiB/s. */
static const char *bench_aead(const char *name, enum tls_aead aead)
{
    uint8_t *buf = kzalloc(AEAD_BYTES), key[32] = {1}, nonce[12] = {2}, tag[16];
    if (!buf) return selftest_fail("no memory for %u bytes", AEAD_BYTES);
    uint64_t t0 = clock_monotonic_ns();
    int err = tls_aead_seal(aead, key, nonce, buf, AEAD_BYTES, tag);
    uint64_t ns = clock_monotonic_ns() - t0;
    kfree(buf);
    if (err < 0) return selftest_fail("%s: %s", name, err_str(err));
    kprintf("[bench] aead_%s %llu KiB/s (%u bytes in %llu us)\n", name,
            (unsigned long long)kib_per_s(AEAD_BYTES, ns), AEAD_BYTES,
            (unsigned long long)(ns / 1000));
    return NULL;
}

static const char *bench_tls(void)
{
    unsigned ec = port_opt("https_ec"), rsa = port_opt("https_rsa"), http = port_opt("http");
    if (!ec || !rsa || !http) return "needs https_ec=, https_rsa= and http= ports";
    if (knet_wait_up(clock_monotonic_ns() + 30 * NS_PER_SEC) < 0) return "no address";
    const char *err = bench_handshake("ec", ec);
    if (!err) err = bench_handshake("rsa", rsa);
    if (!err) err = bench_aead("chachapoly", TLS_AEAD_CHACHA20_POLY1305);
    if (!err) err = bench_aead("aesgcm", TLS_AEAD_AES_128_GCM);
    if (!err) err = bench_get("http", "http", http);
    if (!err) err = bench_get("https", "https", ec);
    unsigned nginx_http = port_opt("nginx_http"), nginx_https = port_opt("nginx_https");
    if (!err && nginx_http) err = bench_get("http_nginx", "http", nginx_http);
    if (!err && nginx_https) err = bench_get("https_nginx", "https", nginx_https);
    return err;
}

static const struct selftest_case cases[] = {{"tls", bench_tls}};

const struct selftest_suite selftest_bench_tls = {"bench-tls", cases, 1};
