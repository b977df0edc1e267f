/*
 * kernel/net/ktls.c - the kernel's struct wasi_tls (ktls.h) over lib/tls:
 * tls_env from the kernel's DRBG (random_secure: no strong entropy source
 * means no keys) and the wall clock; the trust store read from the PEM
 * bundle at ktls_cacert_path() on the first https request after boot or
 * after the path changed, shared by every app (a mutex guards it).
 *
 * Each TLS connection may hold at most conn_mem_cap bytes of Mbed TLS heap
 * (KTLS_CONN_MEM_CAP, or tlsmem=KiB on the command line), counted through
 * the running thread's tls_budget slot, so a hostile server cannot make
 * one app's TLS take the kernel heap.
 *
 * tls=insecure on the command line turns certificate checks off for every
 * app (like curl -k; fetch in KPIO has no -k of its own): each connection
 * then prints a warning on the console.
 *
 * Failures an app cannot say itself (no entropy, a missing or empty trust
 * store) are printed on the console naming the cause and the path.
 */
#include "kernel/net/ktls.h"

#include "base/error.h"
#include "base/mem.h"
#include "kernel/boot/cmdline.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/random.h"
#include "kernel/mm/heap.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include "tls/tls.h"

#define MAX_BUNDLE (16u << 20)
/* A TLS 1.3 connection with a P-256 chain of three peaks near 32 KiB (the
 * 16 KiB and 4 KiB record buffers, the parsed chain, keys: tests/qemu's
 * uefi-budget); eight times that leaves room for long real-world chains. */
#define KTLS_CONN_MEM_CAP (256u << 10)

static size_t conn_mem_cap = KTLS_CONN_MEM_CAP;
static bool insecure; /* tls=insecure: no certificate checks */

static struct mutex lock;
static char cacert[VFS_PATH_MAX] = KTLS_DEFAULT_BUNDLE;
static struct tls_trust *trust; /* of loaded_from; NULL: not loaded */
static char loaded_from[VFS_PATH_MAX];

static int k_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    return random_secure(buf, len);
}

static int64_t k_wall_time(void *ctx)
{
    (void)ctx;
    return (int64_t)(clock_realtime_ns() / NS_PER_SEC);
}

static void **k_budget_slot(void *ctx)
{
    (void)ctx;
    return &thread_current()->tls_budget;
}

static const struct tls_env env = {k_entropy, k_wall_time, NULL, k_budget_slot};

/* A decimal from 1 to max, or 0. */
static uint64_t parse_kib(const char *s, uint64_t max)
{
    uint64_t v = 0;
    if (!*s) return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > max) return 0;
    }
    return v;
}

void ktls_init(void)
{
    mutex_init(&lock);
    const char *path = cmdline_get("cacert");
    if (path && ktls_set_cacert_path(path) < 0) klog_warn("tls", "cacert= is too long: ignored");
    const char *mode = cmdline_get("tls");
    insecure = mode && strcmp(mode, "insecure") == 0;
    if (mode && !insecure) klog_warn("tls", "tls=%s is not 'insecure': ignored", mode);
    if (tls_aes_hw())
        klog_info("tls", "AES-GCM on AES-NI and PCLMULQDQ");
    else
        klog_info("tls", "AES-GCM in portable C: the CPU lacks AES-NI or PCLMULQDQ");
    const char *mem = cmdline_get("tlsmem");
    if (mem) {
        uint64_t kib = parse_kib(mem, 64u << 10);
        if (kib)
            conn_mem_cap = (size_t)kib << 10;
        else
            klog_warn("tls", "tlsmem=%s is not a size in KiB from 1 to 65536: ignored", mem);
    }
}

/* Reads the bundle at path into a new store; prints why not. */
static int load_bundle(const char *path, struct tls_trust **out)
{
    struct vfs_stat st;
    int err = vfs_stat(path, &st);
    if (err == 0 && (st.is_dir || st.size > MAX_BUNDLE)) err = st.is_dir ? ERR_ISDIR : ERR_FBIG;
    struct file *f = NULL;
    if (err == 0) err = vfs_open(path, VFS_O_READ, &f);
    if (err < 0) {
        kprintf("tls: trust store %s: %s\n", path, err_str(err));
        return err;
    }
    uint8_t *buf = kmalloc(st.size ? st.size : 1);
    long n = buf ? vfs_read(f, buf, st.size) : ERR_NOMEM;
    vfs_close(f);
    struct tls_trust *t = NULL;
    long added = n < 0 ? n : tls_trust_create(&t);
    if (added == 0) added = tls_trust_add_pem(t, buf, (size_t)n);
    kfree(buf);
    if (added <= 0) {
        kprintf("tls: trust store %s: %s\n", path,
                added == 0 ? "no certificates in it" : err_str((int)added));
        tls_trust_destroy(t);
        return added == 0 ? ERR_NOENT : (int)added;
    }
    klog_info("tls", "trust store %s: %ld certificates", path, added);
    *out = t;
    return 0;
}

/* The store of the current path, loaded if needed. Caller holds lock. */
static int current_trust(struct tls_trust **out)
{
    if (!trust || strcmp(loaded_from, cacert) != 0) {
        struct tls_trust *t = NULL;
        int err = load_bundle(cacert, &t);
        if (err < 0) return err;
        /* The old store may still be in use by an open socket of another
         * app: it is kept (leaked) rather than freed under it. */
        trust = t;
        str_copy(loaded_from, cacert, sizeof loaded_from);
    }
    *out = trust;
    return 0;
}

static int k_wrap(void *ctx, const struct http_sock *tcp, struct http_sock *out, void **handle)
{
    (void)ctx;
    int r = tls_init(&env);
    if (r < 0) {
        kprintf("tls: cannot start: %s\n", err_str(r));
        return r;
    }
    uint8_t probe[1];
    if (random_secure(probe, sizeof probe) < 0) {
        kprintf("tls: no entropy source (no RDSEED/RDRAND, no virtio-rng): no keys are made\n");
        return ERR_NODEV;
    }
    struct tls_trust *t = NULL;
    if (insecure) {
        kprintf("tls: warning: certificates are not checked (tls=insecure)\n");
    } else {
        mutex_lock(&lock);
        r = current_trust(&t);
        mutex_unlock(&lock);
        if (r < 0) return r;
    }
    struct tls_client_config cfg = {
        .env = &env, .trust = t, .insecure = insecure, .conn_mem_cap = conn_mem_cap};
    struct tls_sock *ts;
    r = tls_sock_create(tcp, &cfg, &ts);
    if (r < 0) return r;
    tls_sock_get(ts, out);
    *handle = ts;
    return 0;
}

static int k_alert(void *ctx, void *handle)
{
    (void)ctx;
    return tls_sock_alert(handle);
}

static void k_unwrap(void *ctx, void *handle)
{
    (void)ctx;
    tls_sock_destroy(handle);
}

static const struct wasi_tls provider = {k_wrap, k_alert, k_unwrap, NULL};

const struct wasi_tls *ktls_provider(void)
{
    return &provider;
}

const char *ktls_cacert_path(void)
{
    return cacert;
}

int ktls_set_cacert_path(const char *path)
{
    if (strlen(path) >= sizeof cacert) return ERR_NAMETOOLONG;
    mutex_lock(&lock);
    str_copy(cacert, path, sizeof cacert);
    mutex_unlock(&lock);
    return 0;
}
