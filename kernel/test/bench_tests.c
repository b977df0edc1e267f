/*
 * kernel/test/bench_tests.c - measurements for `make bench` (test=bench):
 * sequential write (+fsync) and cold read of a large file through the VFS,
 * and a TCP download into memory. Each prints a "[bench] name value unit"
 * line that bench/kpio/bench_kpio.py turns into BENCH lines. These cases
 * fail only when the work itself fails, never on a figure.
 */
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "kernel/boot/cmdline.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/net/knet.h"
#include "kernel/test/selftest.h"
#include "kernel/time/clock.h"

#define FILE_MIB 64
#define CHUNK    (1u << 20)

static void report(const char *name, uint64_t bytes, uint64_t ns)
{
    uint64_t kib_s = ns ? bytes * (NS_PER_SEC / 1000) / ns * 1000 / 1024 : 0;
    kprintf("[bench] %s %llu KiB/s (%llu bytes in %llu ms)\n", name, (unsigned long long)kib_s,
            (unsigned long long)bytes, (unsigned long long)(ns / NS_PER_MS));
}

static const char *bench_vfs(void)
{
    uint8_t *buf = kmalloc(CHUNK);
    if (!buf) return "out of memory";
    for (size_t i = 0; i < CHUNK; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    struct file *f;
    int err = vfs_open("/bench.bin", VFS_O_WRITE | VFS_O_CREAT | VFS_O_TRUNC, &f);
    if (err < 0) {
        kfree(buf);
        return selftest_fail("create /bench.bin: %s", err_str(err));
    }
    uint64_t t0 = clock_monotonic_ns();
    for (int i = 0; i < FILE_MIB && err >= 0; i++) {
        long n = vfs_write(f, buf, CHUNK);
        if (n != (long)CHUNK) err = n < 0 ? (int)n : ERR_IO;
    }
    if (err >= 0) err = vfs_fsync(f);
    uint64_t t1 = clock_monotonic_ns();
    vfs_close(f);
    if (err < 0) {
        kfree(buf);
        return selftest_fail("write: %s", err_str(err));
    }
    report("vfs_seq_write", (uint64_t)FILE_MIB * CHUNK, t1 - t0);
    /* The buffer cache keeps no file data, so this read comes from the disk. */
    err = vfs_open("/bench.bin", VFS_O_READ, &f);
    uint64_t total = 0;
    long n = 0;
    t0 = clock_monotonic_ns();
    while (err == 0 && (n = vfs_read(f, buf, CHUNK)) > 0)
        total += (uint64_t)n;
    t1 = clock_monotonic_ns();
    if (err == 0) vfs_close(f);
    kfree(buf);
    if (err < 0 || n < 0 || total != (uint64_t)FILE_MIB * CHUNK) return "read back failed";
    report("vfs_seq_read", total, t1 - t0);
    vfs_unlink("/bench.bin");
    vfs_sync_all();
    return NULL;
}

static const char *bench_net(void)
{
    const char *spec = cmdline_get("download");
    if (!spec) return "no download=ADDR:PORT/PATH option";
    if (knet_wait_up(clock_monotonic_ns() + 30 * NS_PER_SEC) < 0) return "no address";
    struct knet_info info;
    knet_info(&info);
    kprintf("[bench] lease_ms %llu ms\n", (unsigned long long)info.lease_at_ms);
    char host[64];
    str_copy(host, spec, sizeof host);
    char *colon = strchr(host, ':'), *slash = colon ? strchr(colon, '/') : NULL;
    if (!colon || !slash) return "bad download= option";
    *colon = '\0';
    unsigned port = 0;
    for (char *p = colon + 1; p < slash; p++)
        port = port * 10 + (unsigned)(*p - '0');
    uint32_t addr;
    if (net_ip_parse(host, &addr) < 0) return "download= needs an address";
    struct ksock *s;
    uint64_t t0 = clock_monotonic_ns();
    int err = ksock_tcp_connect(addr, (uint16_t)port, t0 + 10 * NS_PER_SEC, &s);
    if (err < 0) return selftest_fail("connect: %s", err_str(err));
    char req[160];
    size_t rl = fmt_snprintf(req, sizeof req, "GET %s HTTP/1.0\r\n\r\n", slash);
    ksock_send(s, req, rl, t0 + 10 * NS_PER_SEC);
    uint8_t *buf = kmalloc(256 * 1024);
    uint64_t total = 0;
    long n = ERR_NOMEM;
    while (buf && (n = ksock_recv(s, buf, 256 * 1024, clock_monotonic_ns() + 20 * NS_PER_SEC)) > 0)
        total += (uint64_t)n;
    uint64_t t1 = clock_monotonic_ns();
    ksock_close(s);
    kfree(buf);
    if (n < 0) return selftest_fail("receive: %s", err_str((int)n));
    report("tcp_download", total, t1 - t0);
    return NULL;
}

static const struct selftest_case cases[] = {
    {"vfs", bench_vfs},
    {"tcp-download", bench_net},
};

const struct selftest_suite selftest_bench_storage = {"bench-storage", cases, 1};
const struct selftest_suite selftest_bench_net = {"bench-net", cases + 1, 1};
