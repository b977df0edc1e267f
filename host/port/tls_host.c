/*
 * host/port/tls_host.c - lib/tls for kpio-wasm (see tls_host.h): the
 * tls_env over Linux, the trust store's loading with errors that name the
 * path, and the wrap/alert/unwrap calls of lib/wasi's struct wasi_tls.
 */
#include "host/port/tls_host.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "base/error.h"
#include "tls/tls.h"

#define DEFAULT_BUNDLE "/etc/ssl/certs/ca-certificates.crt"
#define MAX_BUNDLE     (64u << 20)

struct host_tls {
    struct wasi_tls provider;
    struct tls_env env;
    struct tls_trust *trust;
    const char *cacert;
    bool insecure, loaded, failed;
};

static int linux_entropy(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    while (len) {
        ssize_t n = getrandom(buf, len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return ERR_IO;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int64_t linux_wall_time(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

/* Adds the PEM file at path; returns the count added, or -1 after saying
 * why on stderr (quiet when the file is one of a directory's non-PEM
 * files: then 0). */
static long add_file(struct host_tls *h, const char *path, bool required)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (required) fprintf(stderr, "kpio-wasm: TLS trust store %s: %s\n", path, strerror(errno));
        return required ? -1 : 0;
    }
    char *buf = malloc(MAX_BUNDLE);
    size_t n = buf ? fread(buf, 1, MAX_BUNDLE, f) : 0;
    bool bad = !buf || ferror(f);
    fclose(f);
    long added = bad ? ERR_IO : tls_trust_add_pem(h->trust, buf, n);
    free(buf);
    if (added < 0) {
        fprintf(stderr, "kpio-wasm: TLS trust store %s: cannot read it (%s)\n", path,
                err_str((int)added));
        return -1;
    }
    if (added == 0 && required) {
        fprintf(stderr, "kpio-wasm: TLS trust store %s: no certificates in it\n", path);
        return -1;
    }
    return added;
}

static long add_dir(struct host_tls *h, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "kpio-wasm: TLS trust store %s: %s\n", dir, strerror(errno));
        return -1;
    }
    long total = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < MAX_BUNDLE) {
            long n = add_file(h, path, false);
            if (n > 0) total += n;
        }
    }
    closedir(d);
    if (total == 0) fprintf(stderr, "kpio-wasm: TLS trust store %s: no certificates in it\n", dir);
    return total ? total : -1;
}

/* The trust store of tls_host.h, once. */
static int load_trust(struct host_tls *h)
{
    if (h->loaded) return h->failed ? ERR_NOENT : 0;
    h->loaded = true;
    h->failed = true;
    if (tls_trust_create(&h->trust) != 0) return ERR_NOMEM;
    const char *file = getenv("SSL_CERT_FILE"), *dir = getenv("SSL_CERT_DIR");
    long n;
    if (file && *file)
        n = add_file(h, file, true);
    else if (dir && *dir)
        n = add_dir(h, dir);
    else if (h->cacert)
        n = add_file(h, DEFAULT_BUNDLE, false); /* --cacert alone is enough */
    else
        n = add_file(h, DEFAULT_BUNDLE, true);
    if (n < 0) return ERR_NOENT;
    if (h->cacert && add_file(h, h->cacert, true) < 0) return ERR_NOENT;
    h->failed = false;
    return 0;
}

static int host_wrap(void *ctx, const struct http_sock *tcp, struct http_sock *out, void **handle)
{
    struct host_tls *h = ctx;
    int r = tls_init(&h->env);
    if (r < 0) {
        fprintf(stderr, "kpio-wasm: TLS cannot start: %s\n", err_str(r));
        return r;
    }
    if (h->insecure) {
        fprintf(stderr, "kpio-wasm: warning: --insecure: TLS certificates are not checked\n");
    } else {
        r = load_trust(h);
        if (r < 0) return r;
    }
    struct tls_client_config cfg = {.env = &h->env, .trust = h->trust, .insecure = h->insecure};
    struct tls_sock *ts;
    r = tls_sock_create(tcp, &cfg, &ts);
    if (r < 0) return r;
    tls_sock_get(ts, out);
    *handle = ts;
    return 0;
}

static int host_alert(void *ctx, void *handle)
{
    (void)ctx;
    return tls_sock_alert(handle);
}

static void host_unwrap(void *ctx, void *handle)
{
    (void)ctx;
    tls_sock_destroy(handle);
}

struct host_tls *host_tls_new(const char *cacert, bool insecure)
{
    struct host_tls *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->provider = (struct wasi_tls){host_wrap, host_alert, host_unwrap, h};
    h->env = (struct tls_env){linux_entropy, linux_wall_time, NULL};
    h->cacert = cacert;
    h->insecure = insecure;
    return h;
}

void host_tls_free(struct host_tls *h)
{
    if (!h) return;
    tls_trust_destroy(h->trust);
    free(h);
}

const struct wasi_tls *host_tls_provider(struct host_tls *h)
{
    return &h->provider;
}
