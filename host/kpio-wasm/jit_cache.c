/*
 * host/kpio-wasm/jit_cache.c - the --jit-cache folder (jit_cache.h): reads
 * a module's file and hands it to wasm_module_jit_load; writes a new one
 * under a temporary name, then renames it into place, so that concurrent
 * runs and crashes leave whole files only.
 */
#include "host/kpio-wasm/jit_cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sha256.h"
#include "component/instance.h"

#define MAX_JIT_FILE (256l << 20)

static void cache_path(const char *dir, const struct wasm_module *mod, const char *suffix,
                       char *out, size_t size)
{
    uint8_t digest[32];
    char hex[65];
    wasm_module_sha256(mod, digest);
    sha256_hex(digest, hex);
    hex[32] = '\0';
    snprintf(out, size, "%s/%s%s", dir, hex, suffix);
}

bool host_jit_cache_load(const char *dir, struct wasm_module *mod)
{
    if (!dir) return false;
    char path[4096];
    cache_path(dir, mod, ".jit", path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    uint8_t *buf = NULL;
    long len = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && len <= MAX_JIT_FILE &&
        fseek(f, 0, SEEK_SET) == 0 && (buf = malloc(len ? (size_t)len : 1)) &&
        fread(buf, 1, (size_t)len, f) != (size_t)len)
        len = -1;
    fclose(f);
    int rc = buf && len >= 0 ? wasm_module_jit_load(mod, buf, (size_t)len) : -1;
    free(buf);
    if (rc) fprintf(stderr, "kpio-wasm: %s: stale or corrupt, ignored\n", path);
    return rc == 0;
}

void host_jit_cache_save(const char *dir, const struct wasm_module *mod)
{
    if (!dir || wasm_module_jit_compiles(mod) == 0) return;
    uint8_t *bytes;
    size_t len;
    if (wasm_module_jit_save(mod, &bytes, &len)) return;
    char path[4096], tmp[4096 + 32];
    cache_path(dir, mod, ".jit", path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    if (mkdir(dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "kpio-wasm: --jit-cache %s: %s\n", dir, strerror(errno));
        free(bytes);
        return;
    }
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(bytes, 1, len, f) == len;
    if (f && fclose(f)) ok = false;
    if (ok && rename(tmp, path)) ok = false;
    if (!ok) {
        fprintf(stderr, "kpio-wasm: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
    }
    free(bytes);
}

void host_jit_cache_load_comp(const char *dir, struct comp *c)
{
    struct comp_error err;
    if (!dir || (!c->loaded && comp_preload_modules(c, &err))) return;
    for (uint32_t i = 0; c->loaded && i < c->root->nmodules; i++)
        host_jit_cache_load(dir, c->loaded[i]);
}

void host_jit_cache_save_comp(const char *dir, const struct comp *c)
{
    for (uint32_t i = 0; dir && c->loaded && i < c->root->nmodules; i++)
        host_jit_cache_save(dir, c->loaded[i]);
}
