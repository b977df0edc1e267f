/*
 * kernel/test/bench_compare.c - KPIO's side of the benchmark against a
 * Linux guest (bench/compare/, `test=bench-compare`): the same work as
 * bench/linux-guest/init, announced with the same "BENCHMARK <event>"
 * marker lines that the host timestamps.
 *
 *   lease        the DHCP lease
 *   mount        BENCH.CFG read from the root filesystem (mounted at boot)
 *   dl-null      HTTP GET of the payload by the kernel (lib/http over
 *                kernel sockets), body discarded, like busybox wget to
 *                /dev/null
 *   dl-tls       the same over https from TLS_PORT, through the kernel's
 *                TLS (net/ktls.c), the certificate verified against the
 *                bundle the harness names with cacert= (/CA.PEM)
 *   mem          the same GET while the kernel heap's high-water mark is
 *                tracked: kmem_peak_kb and kmem_delta_kb on mem-end
 *   dl-file      the milestone path: the WASM app /fetch.wasm (-q -H, no
 *                hash, like wget) downloads into /DL.BIN, then sync; its
 *                phase trace (lib/phases.h) follows as a PHASES line
 *   wr           WRITE_MIB MiB of the payload, held in memory, written to
 *                /WR.BIN, then sync
 *   rd           /WR.BIN read back (the cache keeps no file data, so this
 *                comes from the disk)
 *   pipe         the apps /cat.wasm /WR.BIN | /wc.wasm -c, connected by a
 *                kernel pipe as the shell connects them, wc's count
 *                written to /PIPE.TXT and checked (field bytes)
 *   done         then power-off through isa-debug-exit with status 0
 */
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "kernel/fs/vfs.h"
#include "http/client.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/phases.h"
#include "kernel/mm/heap.h"
#include "kernel/net/http_sock.h"
#include "kernel/net/knet.h"
#include "kernel/net/ktls.h"
#include "kernel/sched/sched.h"
#include "kernel/test/selftest.h"
#include "kernel/time/clock.h"
#include "kernel/wasm/app.h"
#include "kernel/wasm/stream.h"

#define CHUNK (1u << 20)

static void mark(const char *event, const char *fields)
{
    uint64_t us = clock_monotonic_ns() / 1000;
    kprintf("BENCHMARK %s up=%llu.%06llu%s%s\n", event, (unsigned long long)(us / 1000000),
            (unsigned long long)(us % 1000000), fields ? " " : "", fields ? fields : "");
}

static uint64_t cfg_value(const char *text, const char *key)
{
    const char *p = text;
    size_t kl = strlen(key);
    while ((p = strstr(p, key)) != NULL) {
        if ((p == text || p[-1] == '\n') && p[kl] == '=') {
            uint64_t v = 0;
            for (p += kl + 1; *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (uint64_t)(*p - '0');
            return v;
        }
        p += kl;
    }
    return 0;
}

static int discard(void *ctx, const uint8_t *data, size_t len)
{
    (void)data;
    *(uint64_t *)ctx += len;
    return 0;
}

/* GET url (http or https) with the kernel's HTTP client; the body is
 * counted, not kept. */
static int get_null(const char *url, uint64_t *bytes)
{
    const struct wasi_tls *p = ktls_provider();
    struct http_sock sock = {&khttp_sock_ops, NULL}, tls;
    void *handle = NULL;
    struct http_client_config cfg;
    http_client_config_default(&cfg);
    cfg.recv_buffer = 64 * 1024;
    struct http_client *c;
    int err = http_client_create(&sock, &cfg, &c);
    if (err < 0) return err;
    if (url[4] == 's' && (err = p->wrap(p->ctx, &sock, &tls, &handle)) == 0)
        http_client_set_tls(c, &tls);
    struct http_client_request req = {0};
    req.url = url;
    *bytes = 0;
    int status = err < 0 ? err : http_client_fetch(c, &req, discard, bytes);
    if (status < 0 && err == 0) klog_error("bench", "GET %s: %s", url, http_client_error(c));
    http_client_destroy(c);
    if (handle) p->unwrap(p->ctx, handle);
    return status < 0 ? status : (status == 200 ? 0 : ERR_PROTO);
}

static const char *fail(const char *step)
{
    mark("fail", step);
    return selftest_fail("step %s failed", step);
}

static int write_file(const char *path, const uint8_t *data, uint64_t len)
{
    struct file *f;
    int err = vfs_open(path, VFS_O_WRITE | VFS_O_CREAT | VFS_O_TRUNC, &f);
    if (err < 0) return err;
    for (uint64_t off = 0; off < len && err >= 0; off += CHUNK) {
        size_t n = len - off < CHUNK ? (size_t)(len - off) : CHUNK;
        long w = vfs_write(f, data + off, n);
        if (w != (long)n) err = w < 0 ? (int)w : ERR_IO;
    }
    if (err >= 0) err = vfs_fsync(f);
    vfs_close(f);
    return err < 0 ? err : vfs_sync_all();
}

static long read_file(const char *path, uint8_t *buf, uint64_t max)
{
    struct file *f;
    int err = vfs_open(path, VFS_O_READ, &f);
    if (err < 0) return err;
    uint64_t total = 0;
    long n = 0;
    while (total < max &&
           (n = vfs_read(f, buf + total, (size_t)(max - total < CHUNK ? max - total : CHUNK))) > 0)
        total += (uint64_t)n;
    vfs_close(f);
    return n < 0 ? n : (long)total;
}

/* cat.wasm path | wc.wasm -c > out: two apps joined by a kernel pipe,
 * started and waited for as the shell does. Returns 0 or an error. */
static int run_pipe(const char *path, const char *out)
{
    struct kstream *r, *w, *o;
    int err = kstream_pipe(&r, &w);
    if (err < 0) return err;
    if ((err = kstream_open(out, VFS_O_WRITE | VFS_O_CREAT | VFS_O_TRUNC, &o)) < 0) {
        kstream_put(r);
        kstream_put(w);
        return err;
    }
    char *cat_argv[] = {"cat", (char *)path, NULL}, *wc_argv[] = {"wc", "-c", NULL};
    struct app_spec cat = {.path = "/cat.wasm",
                           .argc = 2,
                           .argv = cat_argv,
                           .cwd = "/",
                           .owned = true,
                           .stdio = {NULL, w, NULL}};
    struct app_spec wc = {.path = "/wc.wasm",
                          .argc = 2,
                          .argv = wc_argv,
                          .cwd = "/",
                          .owned = true,
                          .stdio = {r, o, NULL}};
    struct app *a = NULL, *b = NULL;
    err = app_spawn(&cat, &a);
    if (err == 0) err = app_spawn(&wc, &b);
    /* the apps hold their own references: the pipe ends when they end */
    kstream_put(r);
    kstream_put(w);
    kstream_put(o);
    int sa = a ? app_wait(a) : 0, sb = b ? app_wait(b) : 0;
    return err < 0 ? err : (sa || sb) ? ERR_IO : 0;
}

static const char *bench_compare(void)
{
    mark("init", NULL);
    if (knet_wait_up(clock_monotonic_ns() + 60 * NS_PER_SEC) < 0) return fail("lease");
    mark("lease", NULL);
    char cfgtext[512];
    long n = read_file("/BENCH.CFG", (uint8_t *)cfgtext, sizeof cfgtext - 1);
    if (n < 0) return fail("mount");
    cfgtext[n] = '\0';
    uint64_t port = cfg_value(cfgtext, "PORT"), bytes = cfg_value(cfgtext, "PAYLOAD_BYTES");
    uint64_t write_mib = cfg_value(cfgtext, "WRITE_MIB");
    uint64_t tls_port = cfg_value(cfgtext, "TLS_PORT");
    char fields[96], url[96], tls_url[96];
    fmt_snprintf(fields, sizeof fields, "port=%llu bytes=%llu write_mib=%llu",
                 (unsigned long long)port, (unsigned long long)bytes,
                 (unsigned long long)write_mib);
    mark("mount", fields);
    fmt_snprintf(url, sizeof url, "http://10.0.2.2:%llu/payload", (unsigned long long)port);
    fmt_snprintf(tls_url, sizeof tls_url, "https://10.0.2.2:%llu/payload",
                 (unsigned long long)tls_port);

    uint64_t got;
    mark("dl-null-start", NULL);
    if (get_null(url, &got) < 0 || got != bytes) return fail("dl-null");
    mark("dl-null-end", NULL);

    mark("dl-tls-start", NULL);
    if (get_null(tls_url, &got) < 0 || got != bytes) return fail("dl-tls");
    mark("dl-tls-end", NULL);

    /* Let the first connection finish closing (its buffers go when it
     * leaves LAST-ACK or enters TIME-WAIT), so that the baseline is the
     * idle kernel's and the delta is what one download costs. */
    thread_sleep_ms(300);
    struct heap_stats hs;
    heap_get_stats(&hs);
    size_t before = hs.in_use;
    heap_reset_peak();
    fmt_snprintf(fields, sizeof fields, "kmem0=%zu", before >> 10);
    mark("mem-start", fields);
    if (get_null(url, &got) < 0 || got != bytes) return fail("mem-download");
    heap_get_stats(&hs);
    fmt_snprintf(fields, sizeof fields, "kmem_peak_kb=%zu kmem_delta_kb=%zu", hs.peak >> 10,
                 (hs.peak - before) >> 10);
    mark("mem-end", fields);

    phases_reset();
    mark("dl-file-start", NULL);
    char *argv[] = {"fetch", "-q", "-H", url, "/DL.BIN", NULL};
    struct app *a;
    if (app_start("/fetch.wasm", 5, argv, "/", false, &a) < 0 || app_wait(a) != 0 ||
        vfs_sync_all() < 0)
        return fail("dl-file");
    mark("dl-file-end", NULL);
    phases_print();

    uint64_t wbytes = write_mib << 20;
    uint8_t *data = kmalloc(wbytes ? wbytes : 1);
    if (!data || read_file("/DL.BIN", data, wbytes) != (long)wbytes) {
        kfree(data);
        return fail("copy");
    }
    mark("wr-start", NULL);
    int err = write_file("/WR.BIN", data, wbytes);
    mark(err < 0 ? "fail" : "wr-end", err < 0 ? "write" : NULL);
    if (err < 0) {
        kfree(data);
        return "write failed";
    }
    mark("rd-start", NULL);
    long r = read_file("/WR.BIN", data, wbytes);
    kfree(data);
    if (r != (long)wbytes) return fail("read");
    mark("rd-end", NULL);

    mark("pipe-start", NULL);
    if (run_pipe("/WR.BIN", "/PIPE.TXT") < 0) return fail("pipe");
    char count[32];
    long c = read_file("/PIPE.TXT", (uint8_t *)count, sizeof count - 1);
    if (c <= 0) return fail("pipe-count");
    count[c] = '\0';
    uint64_t got_bytes = 0;
    for (const char *p = count; *p >= '0' && *p <= '9'; p++)
        got_bytes = got_bytes * 10 + (uint64_t)(*p - '0');
    fmt_snprintf(fields, sizeof fields, "bytes=%llu", (unsigned long long)got_bytes);
    mark(got_bytes == wbytes ? "pipe-end" : "fail", got_bytes == wbytes ? fields : "pipe-bytes");
    if (got_bytes != wbytes) return "pipe count wrong";
    mark("done", NULL);
    return NULL;
}

static const struct selftest_case cases[] = {{"bench-compare", bench_compare}};
const struct selftest_suite selftest_bench_compare = {"bench-compare", cases, 1};
