/*
 * tests/fuzz/fuzz_wasi_fs.c - libFuzzer target for lib/wasi's
 * wasi:filesystem host functions: each input is a sequence of calls (a
 * function and 16 one-byte parameters scaled to handles, flags, tags,
 * lengths and addresses in and past a linear memory filled from the
 * input) on a context holding a directory and a file descriptor, over a
 * fake port whose every handle is a heap object (so ASan sees a handle
 * closed twice, used after close, or leaked) and whose paths starting
 * with 'e' fail with ENOENT. Functions that return lists (they need the
 * guest's cabi_realloc) are left out.
 * Property: no crash, no sanitizer report; a host function returns 0 or
 * a trap, never anything else.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "tests/fuzz/p2_calls.h"
#include "wasi/p2_fs.h"

static const char *const fns[][2] = {
    {"filesystem/types", "[method]descriptor.open-at"},
    {"filesystem/types", "[method]descriptor.stat"},
    {"filesystem/types", "[method]descriptor.stat-at"},
    {"filesystem/types", "[method]descriptor.get-type"},
    {"filesystem/types", "[method]descriptor.get-flags"},
    {"filesystem/types", "[method]descriptor.set-size"},
    {"filesystem/types", "[method]descriptor.set-times"},
    {"filesystem/types", "[method]descriptor.set-times-at"},
    {"filesystem/types", "[method]descriptor.sync"},
    {"filesystem/types", "[method]descriptor.sync-data"},
    {"filesystem/types", "[method]descriptor.advise"},
    {"filesystem/types", "[method]descriptor.create-directory-at"},
    {"filesystem/types", "[method]descriptor.remove-directory-at"},
    {"filesystem/types", "[method]descriptor.unlink-file-at"},
    {"filesystem/types", "[method]descriptor.rename-at"},
    {"filesystem/types", "[method]descriptor.link-at"},
    {"filesystem/types", "[method]descriptor.symlink-at"},
    {"filesystem/types", "[method]descriptor.write"},
    {"filesystem/types", "[method]descriptor.read-via-stream"},
    {"filesystem/types", "[method]descriptor.write-via-stream"},
    {"filesystem/types", "[method]descriptor.append-via-stream"},
    {"filesystem/types", "[method]descriptor.read-directory"},
    {"filesystem/types", "[method]descriptor.is-same-object"},
    {"filesystem/types", "[method]descriptor.metadata-hash"},
    {"filesystem/types", "[method]descriptor.metadata-hash-at"},
    {"filesystem/types", "[resource-drop]descriptor"},
    {"filesystem/types", "[resource-drop]directory-entry-stream"},
    {"filesystem/types", "filesystem-error-code"},
    {"io/streams", "[method]output-stream.check-write"},
    {"io/streams", "[method]output-stream.write"},
    {"io/streams", "[method]output-stream.subscribe"},
    {"io/streams", "[resource-drop]output-stream"},
    {"io/streams", "[method]input-stream.subscribe"},
    {"io/streams", "[resource-drop]input-stream"},
    {"io/poll", "[method]pollable.ready"},
    {"io/poll", "[resource-drop]pollable"},
};

/* A fake port file: a heap object, freed by close. */
struct wasi_port_file {
    uint8_t type;
    uint64_t size;
};

static struct wasi_port_file *fake_new(uint8_t type)
{
    struct wasi_port_file *f = calloc(1, sizeof *f);
    if (!f) abort();
    f->type = type;
    return f;
}

static int fake_stdio(void *ctx, int fd, struct wasi_port_file **out)
{
    (void)ctx, (void)fd;
    *out = fake_new(WASI_PORT_FT_CHARACTER_DEVICE);
    return 0;
}
static int fake_close(void *ctx, struct wasi_port_file *f)
{
    (void)ctx;
    free(f);
    return 0;
}
static int fake_open_at(void *ctx, struct wasi_port_file *dir, const char *path, unsigned flags,
                        struct wasi_port_file **out)
{
    (void)ctx;
    if (dir->type != WASI_PORT_FT_DIRECTORY) return ERR_NOTDIR;
    if (path[0] == 'e') return ERR_NOENT;
    bool is_dir = (flags & WASI_PORT_O_DIRECTORY) || !strcmp(path, ".");
    if (is_dir && (flags & WASI_PORT_O_WRITE)) return ERR_ISDIR;
    *out = fake_new(is_dir ? WASI_PORT_FT_DIRECTORY : WASI_PORT_FT_REGULAR_FILE);
    return 0;
}
static long fake_pread(void *ctx, struct wasi_port_file *f, void *buf, size_t len, uint64_t off)
{
    (void)ctx;
    if (f->type == WASI_PORT_FT_DIRECTORY) return ERR_ISDIR;
    size_t n = off >= f->size ? 0 : (size_t)MIN((uint64_t)len, f->size - off);
    memset(buf, 'x', n);
    return (long)n;
}
static long fake_pwrite(void *ctx, struct wasi_port_file *f, const void *buf, size_t len,
                        uint64_t off)
{
    (void)ctx, (void)buf;
    if (off > (1ull << 40)) return ERR_FBIG;
    if (off + len > f->size) f->size = off + len;
    return (long)len;
}
static int fake_sync(void *ctx, struct wasi_port_file *f, bool data_only)
{
    (void)ctx, (void)f, (void)data_only;
    return 0;
}
static int fake_fstat(void *ctx, struct wasi_port_file *f, struct wasi_port_stat *st)
{
    (void)ctx;
    memset(st, 0, sizeof *st);
    st->filetype = f->type;
    st->size = f->size;
    st->ino = (uintptr_t)f;
    return 0;
}
static int fake_set_size(void *ctx, struct wasi_port_file *f, uint64_t size)
{
    (void)ctx;
    f->size = size;
    return 0;
}
static int fake_readdir(void *ctx, struct wasi_port_file *d, uint64_t cookie,
                        struct wasi_port_dirent *ent)
{
    (void)ctx, (void)d;
    if (cookie >= 3) return 0;
    memset(ent, 0, sizeof *ent);
    ent->next = cookie + 1;
    ent->filetype = WASI_PORT_FT_REGULAR_FILE;
    ent->name_len = cookie == 0 ? 1 : 4;
    memcpy(ent->name, cookie == 0 ? "." : "file", ent->name_len);
    return 1;
}
static int fake_stat_at(void *ctx, struct wasi_port_file *dir, const char *path, bool follow,
                        struct wasi_port_stat *st)
{
    (void)ctx, (void)dir, (void)follow;
    if (path[0] == 'e') return ERR_NOENT;
    memset(st, 0, sizeof *st);
    st->filetype = path[0] == 'd' ? WASI_PORT_FT_DIRECTORY : WASI_PORT_FT_REGULAR_FILE;
    return 0;
}
static int fake_path(void *ctx, struct wasi_port_file *dir, const char *path)
{
    (void)ctx, (void)dir;
    return path[0] == 'e' ? ERR_NOENT : 0;
}
static int fake_rename_at(void *ctx, struct wasi_port_file *fd, const char *from,
                          struct wasi_port_file *td, const char *to)
{
    (void)ctx, (void)fd, (void)td, (void)to;
    return from[0] == 'e' ? ERR_NOENT : 0;
}
static int clock_fixed(void *ctx, enum wasi_port_clock c, uint64_t *ns)
{
    (void)ctx, (void)c;
    *ns = 1000000000ull;
    return 0;
}
static int fake_wait(void *ctx, struct wasi_port_pollfd *fds, size_t n, uint64_t deadline)
{
    (void)ctx, (void)deadline;
    for (size_t i = 0; i < n; i++)
        fds[i].revents = fds[i].events;
    return (int)n;
}

/* No set_times, readlink, symlink or link: like KPIO's FAT port. */
static const struct wasi_port_ops fake_ops = {
    .stdio = fake_stdio,
    .open_at = fake_open_at,
    .close = fake_close,
    .pread = fake_pread,
    .pwrite = fake_pwrite,
    .sync = fake_sync,
    .fstat = fake_fstat,
    .set_size = fake_set_size,
    .readdir = fake_readdir,
    .stat_at = fake_stat_at,
    .mkdir_at = fake_path,
    .unlink_at = fake_path,
    .rmdir_at = fake_path,
    .rename_at = fake_rename_at,
    .clock_now = clock_fixed,
    .clock_res = clock_fixed,
    .wait = fake_wait,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8) return 0;
    struct wasi_preopen pre = {"/data", fake_new(WASI_PORT_FT_DIRECTORY)};
    struct wasi_config cfg = {.port = {.ops = &fake_ops}, .npreopens = 1, .preopens = &pre};
    struct wasi_ctx *w;
    if (wasi_ctx_new(&cfg, &w)) abort();
    struct wasm_memory *m = wasm_memory_new(1, 1);
    memcpy(wasm_memory_data(m), data, MIN(size, (size_t)WASM_PAGE_SIZE));
    struct wasm_trap trap;
    struct wasm_host_call call = {.memory = m, .user = w, .trap = &trap};
    uint32_t h;
    /* handle 1: a directory with every flag; 2: a file opened read+write */
    if (p2_desc_new(&call, fake_new(WASI_PORT_FT_DIRECTORY), DF_ALL_, &h) || h != 1) abort();
    if (p2_desc_new(&call, fake_new(WASI_PORT_FT_REGULAR_FILE), DF_READ | DF_WRITE, &h) || h != 2)
        abort();
    p2_fuzz_calls(&call, fns, ARRAY_SIZE(fns), data, size);
    wasm_memory_free(m);
    wasi_ctx_free(w);
    return 0;
}
