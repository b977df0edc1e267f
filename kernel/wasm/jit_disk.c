/*
 * kernel/wasm/jit_disk.c - apps' machine code cached in /.jit (jit_disk.h):
 * finding, checking (wasm_module_jit_load) and writing the files. A file
 * is written under a temporary name and renamed into place, so a crash
 * leaves either no file or a whole one (and a damaged one is refused).
 */
#include "kernel/wasm/jit_disk.h"

#include "base/env.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "base/sha256.h"
#include "kernel/boot/cmdline.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"

#define JIT_DIR      "/.jit"
#define MAX_JIT_FILE (256u << 20)

static bool enabled(void)
{
    const char *v = cmdline_get("jitcache");
    return !v || strcmp(v, "off") != 0;
}

/* The cache file of mod: "/.jit/<32 hex digits>.jit"; tmp: a name of this
 * write's own, "<hex>.<n>.tmp", so that two apps writing at once do not
 * share one. */
static void cache_path(const struct wasm_module *mod, bool tmp, char *out, size_t size)
{
    static uint32_t writes;
    uint8_t digest[32];
    char hex[65];
    wasm_module_sha256(mod, digest);
    sha256_hex(digest, hex);
    hex[32] = '\0';
    if (tmp)
        fmt_snprintf(out, size, JIT_DIR "/%s.%u.tmp", hex,
                     __atomic_add_fetch(&writes, 1, __ATOMIC_RELAXED));
    else
        fmt_snprintf(out, size, JIT_DIR "/%s.jit", hex);
}

bool jit_disk_load(struct wasm_module *mod, const char *app)
{
    if (!enabled()) return false;
    char path[64];
    cache_path(mod, false, path, sizeof path);
    struct vfs_stat st;
    if (vfs_stat(path, &st) < 0 || st.is_dir || st.size > MAX_JIT_FILE) return false;
    struct file *f;
    if (vfs_open(path, VFS_O_READ, &f) < 0) return false;
    uint8_t *buf = kmalloc(st.size ? st.size : 1);
    long n = buf ? vfs_read(f, buf, st.size) : ERR_NOMEM;
    vfs_close(f);
    int rc = n == (long)st.size ? wasm_module_jit_load(mod, buf, st.size) : ERR_IO;
    kfree(buf);
    if (rc == 0)
        klog_debug("jit", "%s: jit cache hit %s", app, path);
    else
        klog_info("jit", "%s: %s stale or corrupt, ignored (%s)", app, path, err_str(rc));
    return rc == 0;
}

static int write_all(const char *path, const uint8_t *p, size_t len)
{
    struct file *f;
    int err = vfs_open(path, VFS_O_WRITE | VFS_O_CREAT | VFS_O_TRUNC, &f);
    if (err < 0) return err;
    long n = vfs_write(f, p, len);
    err = n < 0 ? (int)n : (size_t)n != len ? ERR_NOSPC : 0;
    int cerr = vfs_close(f);
    return err ? err : cerr;
}

void jit_disk_save(const struct wasm_module *mod, const char *app)
{
    if (!enabled() || wasm_module_jit_compiles(mod) == 0) return;
    uint8_t *bytes;
    size_t len;
    if (wasm_module_jit_save(mod, &bytes, &len) < 0) return;
    char tmp[80], path[64];
    cache_path(mod, true, tmp, sizeof tmp);
    cache_path(mod, false, path, sizeof path);
    int err = vfs_mkdir(JIT_DIR);
    if (err == ERR_EXIST) err = 0;
    if (!err) err = write_all(tmp, bytes, len);
    if (!err) err = vfs_rename(tmp, path); /* replaces a stale file */
    mem_free(bytes);
    if (err) {
        vfs_unlink(tmp);
        klog_info("jit", "%s: cannot write %s (%s): the next run compiles again", app, path,
                  err_str(err));
    } else {
        klog_debug("jit", "%s: jit cache written %s (%zu bytes)", app, path, len);
    }
}
