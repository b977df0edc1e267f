/*
 * tests/wasi/p2_fs.c - wasi:filesystem through the SDK's direct WASI 0.2
 * imports (apps/include/wasi2/imports.h): every descriptor function and
 * the directory-entry-stream, with their errors, in an empty directory
 * preopened as /data. One deterministic line per check on stdout (no
 * times, inode numbers or hash values, only how they compare), so the
 * same module under kpio-wasm, as a component under `jco run`, and in
 * QEMU on FAT32 can be compared with p2_fs.expected (run_p2_fs.py).
 *
 *   p2_fs         the checks; status 0
 *   p2_fs hostile bad handles, wrong resource types, huge lengths: each
 *                 case in its own run (p2_fs hostile CASE) must trap
 *   p2_fs abs     readlink-at of /data/abs, a link to an absolute path
 *                 that the host made (not-permitted)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasi2/imports.h"

void *cabi_realloc(void *old, uint32_t old_size, uint32_t align, uint32_t new_size);

#define P(x) ((int32_t)(uintptr_t)(x))

/* "p2_fs portable": leaves out the calls that jco's node host
 * (preview2-shim 0.26) cannot take: it throws a JavaScript error, which
 * ends the run, for a write or read the descriptor's flags forbid, and
 * answers unsupported for the mutate-directory flag, has no permission
 * checks, and throws for a path with a NUL (run_p2_fs.py). */
static int portable;

static const char *const errs[] = {WASI_FILESYSTEM_TYPES_ERROR_CODE__NAMES};
static const char *const types[] = {WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE__NAMES};

static const char *err_name(uint8_t e)
{
    return e < WASI_FILESYSTEM_TYPES_ERROR_CODE__COUNT ? errs[e] : "?";
}

static const char *type_name(uint8_t t)
{
    return t < WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE__COUNT ? types[t] : "?";
}

/* result<_, error-code> */
struct res2 {
    uint8_t tag, code;
};

static void unit(const char *what, struct res2 r)
{
    if (r.tag)
        printf("%s: error %s\n", what, err_name(r.code));
    else
        printf("%s: ok\n", what);
}

/* result<own<T>, error-code> */
struct res8 {
    uint8_t tag;
    uint32_t val; /* handle or code */
};

static int32_t handle_or(const char *what, struct res8 r)
{
    if (r.tag) {
        printf("%s: error %s\n", what, err_name((uint8_t)r.val));
        return -1;
    }
    printf("%s: ok\n", what);
    return (int32_t)r.val;
}

/* ---- wrappers over the imports ------------------------------------------------- */

enum { F_READ = 1, F_WRITE = 2, F_MUTATE = 32 };
enum { O_CREATE = 1, O_DIR = 2, O_EXCL = 4, O_TRUNC = 8 };

static int32_t open_at(const char *what, int32_t d, int32_t pf, const char *path, int32_t of,
                       int32_t fl)
{
    struct res8 r;
    wasi_filesystem_types_descriptor_open_at(d, pf, P(path), (int32_t)strlen(path), of, fl, P(&r));
    return handle_or(what, r);
}

/* result<descriptor-stat, error-code>: 104 bytes, align 8 */
struct stat_ret {
    uint8_t tag;
    uint8_t type __attribute__((aligned(8))); /* or the error code */
    uint64_t nlink, size;
    struct {
        uint8_t some;
        uint64_t sec;
        uint32_t ns;
    } t[3];
};

static void show_stat(const char *what, const struct stat_ret *s)
{
    if (s->tag) {
        printf("%s: error %s\n", what, err_name(s->type));
        return;
    }
    if (s->type == WASI_FILESYSTEM_TYPES_DESCRIPTOR_TYPE_DIRECTORY) /* sizes and links vary */
        printf("%s: %s\n", what, type_name(s->type));
    else
        printf("%s: %s size %llu links %llu\n", what, type_name(s->type),
               (unsigned long long)s->size, (unsigned long long)s->nlink);
}

static void stat_fd(const char *what, int32_t fd, struct stat_ret *s)
{
    wasi_filesystem_types_descriptor_stat(fd, P(s));
    show_stat(what, s);
}

static void stat_at(const char *what, int32_t d, int32_t pf, const char *path, struct stat_ret *s)
{
    wasi_filesystem_types_descriptor_stat_at(d, pf, P(path), (int32_t)strlen(path), P(s));
    show_stat(what, s);
}

static void write_at(const char *what, int32_t fd, const char *data, uint64_t off)
{
    struct {
        uint8_t tag;
        uint64_t n; /* or the code in its first byte */
    } r;
    wasi_filesystem_types_descriptor_write(fd, P(data), (int32_t)strlen(data), (int64_t)off, P(&r));
    if (r.tag)
        printf("%s: error %s\n", what, err_name((uint8_t)r.n));
    else
        printf("%s: wrote %llu\n", what, (unsigned long long)r.n);
}

static void read_at(const char *what, int32_t fd, uint64_t len, uint64_t off)
{
    struct {
        uint8_t tag;
        char *ptr; /* or the code in its first byte */
        uint32_t len;
        uint8_t eof;
    } r;
    wasi_filesystem_types_descriptor_read(fd, (int64_t)len, (int64_t)off, P(&r));
    if (r.tag) {
        printf("%s: error %s\n", what, err_name((uint8_t)(uintptr_t)r.ptr));
        return;
    }
    for (uint32_t i = 0; i < r.len; i++) /* zeros as '.' */
        if (!r.ptr[i]) r.ptr[i] = '.';
    printf("%s: \"%.*s\" eof %d\n", what, (int)r.len, r.ptr, r.eof);
    if (r.len) free(r.ptr);
}

static void path_call(const char *what, void (*fn)(int32_t, int32_t, int32_t, int32_t), int32_t d,
                      const char *path)
{
    struct res2 r;
    fn(d, P(path), (int32_t)strlen(path), P(&r));
    unit(what, r);
}

static void mkdir_at(const char *what, int32_t d, const char *path)
{
    path_call(what, wasi_filesystem_types_descriptor_create_directory_at, d, path);
}

static void rmdir_at(const char *what, int32_t d, const char *path)
{
    path_call(what, wasi_filesystem_types_descriptor_remove_directory_at, d, path);
}

static void unlink_at(const char *what, int32_t d, const char *path)
{
    path_call(what, wasi_filesystem_types_descriptor_unlink_file_at, d, path);
}

static void rename_at(const char *what, int32_t d, const char *from, int32_t d2, const char *to)
{
    struct res2 r;
    wasi_filesystem_types_descriptor_rename_at(d, P(from), (int32_t)strlen(from), d2, P(to),
                                               (int32_t)strlen(to), P(&r));
    unit(what, r);
}

static void symlink_at(const char *what, int32_t d, const char *target, const char *path)
{
    struct res2 r;
    wasi_filesystem_types_descriptor_symlink_at(d, P(target), (int32_t)strlen(target), P(path),
                                                (int32_t)strlen(path), P(&r));
    unit(what, r);
}

static void readlink_at(const char *what, int32_t d, const char *path)
{
    struct {
        uint8_t tag;
        char *ptr;
        uint32_t len;
    } r;
    wasi_filesystem_types_descriptor_readlink_at(d, P(path), (int32_t)strlen(path), P(&r));
    if (r.tag)
        printf("%s: error %s\n", what, err_name((uint8_t)(uintptr_t)r.ptr));
    else
        printf("%s: \"%.*s\"\n", what, (int)r.len, r.ptr);
}

struct hash_ret {
    uint8_t tag;
    uint64_t lower, upper;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists d's entries, sorted, as "name(type)". */
static void list_dir(const char *what, int32_t d)
{
    struct res8 r;
    wasi_filesystem_types_descriptor_read_directory(d, P(&r));
    if (r.tag) {
        printf("%s: error %s\n", what, err_name((uint8_t)r.val));
        return;
    }
    char *names[64];
    int n = 0;
    for (;;) {
        struct {
            char *ptr;
            uint32_t len;
        } e;
        uint8_t raw[20] __attribute__((aligned(4)));
        wasi_filesystem_types_directory_entry_stream_read_directory_entry((int32_t)r.val, P(raw));
        if (raw[0]) {
            printf("%s: entry error %s\n", what, err_name(raw[4]));
            break;
        }
        if (!raw[4]) break;
        memcpy(&e.ptr, raw + 12, 4);
        memcpy(&e.len, raw + 16, 4);
        if (n < 64) {
            names[n] = malloc(e.len + 32);
            snprintf(names[n], e.len + 32, "%.*s(%s)", (int)e.len, e.ptr, type_name(raw[8]));
            n++;
        }
        if (e.len) free(e.ptr);
    }
    wasi_filesystem_types_directory_entry_stream_drop((int32_t)r.val);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    printf("%s:", what);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

/* ---- the checks ------------------------------------------------------------------ */

/* The /data directory: the preopen of that name (kpio-wasm --dir,
 * jco's run-preopen.mjs), else "data" beneath a "/" preopen (KPIO's
 * kernel). Drops the other preopens. */
static int32_t preopen(void)
{
    struct {
        struct {
            int32_t fd;
            char *name;
            uint32_t len;
        } * ptr;
        uint32_t len;
    } list;
    wasi_filesystem_preopens_get_directories(P(&list));
    int32_t data = -1, root = -1;
    for (uint32_t i = 0; i < list.len; i++) {
        int32_t fd = list.ptr[i].fd;
        if (list.ptr[i].len == 5 && !memcmp(list.ptr[i].name, "/data", 5))
            data = fd;
        else if (list.ptr[i].len == 1 && list.ptr[i].name[0] == '/')
            root = fd;
        else
            wasi_filesystem_types_descriptor_drop(fd);
    }
    if (data < 0 && root >= 0) {
        struct res8 r;
        wasi_filesystem_types_descriptor_open_at(root, 0, P("data"), 4, O_DIR, F_READ | F_MUTATE,
                                                 P(&r));
        data = r.tag ? -1 : (int32_t)r.val;
    }
    if (root >= 0) wasi_filesystem_types_descriptor_drop(root);
    printf("get-directories: %s\n", data >= 0 ? "found /data" : "no /data");
    return data;
}

static void flags_and_type(const char *what, int32_t fd)
{
    struct res2 t, f;
    wasi_filesystem_types_descriptor_get_type(fd, P(&t));
    wasi_filesystem_types_descriptor_get_flags(fd, P(&f));
    printf("%s: type %s flags %d\n", what, t.tag ? "error" : type_name(t.code),
           f.tag ? -1 : f.code);
}

static void file_data(int32_t d)
{
    int32_t f = open_at("open-at create a.txt", d, 0, "a.txt", O_CREATE, F_READ | F_WRITE);
    flags_and_type("a.txt", f);
    write_at("write", f, "hello world", 0);
    read_at("read 5 at 0", f, 5, 0);
    read_at("read 100 at 6", f, 100, 6);
    read_at("read at the end", f, 10, 11);
    struct stat_ret s;
    stat_fd("stat", f, &s);
    printf("stat has mtime: %d\n", s.t[1].some);
    struct res2 r;
    wasi_filesystem_types_descriptor_set_size(f, 4, P(&r));
    unit("set-size 4", r);
    stat_fd("stat", f, &s);
    wasi_filesystem_types_descriptor_set_size(f, 20, P(&r));
    unit("set-size 20", r);
    stat_fd("stat", f, &s);
    read_at("read the zeros", f, 3, 4);
    wasi_filesystem_types_descriptor_set_size(f, 0, P(&r));
    wasi_filesystem_types_descriptor_sync(f, P(&r));
    unit("sync", r);
    wasi_filesystem_types_descriptor_sync_data(f, P(&r));
    unit("sync-data", r);
    wasi_filesystem_types_descriptor_advise(f, 0, 100, WASI_FILESYSTEM_TYPES_ADVICE_SEQUENTIAL,
                                            P(&r));
    unit("advise", r);
    wasi_filesystem_types_descriptor_drop(f);
    if (portable) return;

    int32_t ro = open_at("open-at a.txt read-only", d, 0, "a.txt", 0, F_READ);
    write_at("write on read-only", ro, "x", 0);
    wasi_filesystem_types_descriptor_set_size(ro, 0, P(&r));
    unit("set-size on read-only", r);
    wasi_filesystem_types_descriptor_drop(ro);
    int32_t wo = open_at("open-at a.txt write-only", d, 0, "a.txt", 0, F_WRITE);
    read_at("read on write-only", wo, 1, 0);
    wasi_filesystem_types_descriptor_drop(wo);
}

static void streams(int32_t d)
{
    int32_t f = open_at("open-at s.txt", d, 0, "s.txt", O_CREATE | O_TRUNC, F_READ | F_WRITE);
    struct res8 r;
    wasi_filesystem_types_descriptor_write_via_stream(f, 2, P(&r));
    int32_t out = handle_or("write-via-stream at 2", r);
    struct {
        uint8_t tag;
        uint64_t n;
    } cw;
    wasi_io_streams_output_stream_check_write(out, P(&cw));
    printf("check-write: %s\n", cw.tag ? "error" : cw.n > 0 ? "some room" : "none");
    uint8_t wr[12] __attribute__((aligned(4)));
    wasi_io_streams_output_stream_write(out, P("stream"), 6, P(wr));
    printf("stream write: %s\n", wr[0] ? "error" : "ok");
    wasi_io_streams_output_stream_blocking_write_and_flush(out, P("ed"), 2, P(wr));
    printf("stream blocking-write-and-flush: %s\n", wr[0] ? "error" : "ok");
    int32_t p = wasi_io_streams_output_stream_subscribe(out);
    printf("output pollable ready: %d\n", wasi_io_poll_pollable_ready(p));
    wasi_io_poll_pollable_drop(p);
    wasi_io_streams_output_stream_drop(out);
    wasi_filesystem_types_descriptor_append_via_stream(f, P(&r));
    out = handle_or("append-via-stream", r);
    wasi_io_streams_output_stream_blocking_write_and_flush(out, P("+tail"), 5, P(wr));
    printf("append: %s\n", wr[0] ? "error" : "ok");
    wasi_io_streams_output_stream_drop(out);
    read_at("file after the streams", f, 100, 0);

    wasi_filesystem_types_descriptor_read_via_stream(f, 2, P(&r));
    int32_t in = handle_or("read-via-stream at 2", r);
    /* the stream outlives its descriptor */
    wasi_filesystem_types_descriptor_drop(f);
    p = wasi_io_streams_input_stream_subscribe(in);
    wasi_io_poll_pollable_block(p);
    printf("input pollable ready: %d\n", wasi_io_poll_pollable_ready(p));
    wasi_io_poll_pollable_drop(p);
    /* Empty reads are not printed: jco sometimes gives one before the end
     * of the stream, kpio-wasm never does, and both are allowed. */
    for (int i = 0, shown = 0; i < 100 && shown < 3; i++) {
        struct {
            uint8_t tag;
            char *ptr;
            uint32_t len;
        } rd;
        wasi_io_streams_input_stream_blocking_read(in, 100, P(&rd));
        if (rd.tag) {
            printf("stream read: %s\n", (uint8_t)(uintptr_t)rd.ptr == 1 ? "closed" : "failed");
            break;
        }
        if (!rd.len) continue;
        printf("stream read: \"%.*s\"\n", (int)rd.len, rd.ptr);
        free(rd.ptr);
        shown++;
    }
    wasi_io_streams_input_stream_drop(in);

    if (portable) {
        unlink_at("unlink-file-at s.txt", d, "s.txt");
        return;
    }
    /* a write the file system refuses: the stream's error and its code */
    f = open_at("open-at s.txt again", d, 0, "s.txt", 0, F_READ | F_WRITE);
    /* (an end past 2^63 - 1: EINVAL on every Linux file system) */
    wasi_filesystem_types_descriptor_write_via_stream(f, INT64_MAX, P(&r));
    out = handle_or("write-via-stream at 2^63 - 1", r);
    wasi_io_streams_output_stream_blocking_write_and_flush(out, P("x"), 1, P(wr));
    uint32_t e;
    memcpy(&e, wr + 8, 4);
    printf("write at 2^63 - 1: %s\n", !wr[0] ? "ok" : wr[4] ? "closed" : "last-operation-failed");
    if (wr[0] && !wr[4]) {
        struct res2 code;
        wasi_filesystem_types_filesystem_error_code((int32_t)e, P(&code));
        printf("filesystem-error-code: %s\n", code.tag ? err_name(code.code) : "none");
        wasi_io_error_error_drop((int32_t)e);
    }
    wasi_io_streams_output_stream_drop(out);
    wasi_filesystem_types_descriptor_drop(f);
    unlink_at("unlink-file-at s.txt", d, "s.txt");
}

/* The descriptor flags as permissions (wasmtime's rules, see lib/wasi/p2_fs.h). */
static void permissions(int32_t d)
{
    int32_t rsub = open_at("open-at sub without mutate", d, 0, "sub", O_DIR, F_READ);
    mkdir_at("create-directory-at without mutate", rsub, "x");
    open_at("open-at create without mutate", rsub, 0, "new", O_CREATE, F_READ);
    open_at("open-at for writing without mutate", rsub, 0, "in.txt", 0, F_WRITE);
    int32_t nsub = open_at("open-at sub without read", d, 0, "sub", O_DIR, F_MUTATE);
    list_dir("read-directory without read", nsub);
    wasi_filesystem_types_descriptor_drop(nsub);
    wasi_filesystem_types_descriptor_drop(rsub);
}

static void directories(int32_t d)
{
    mkdir_at("create-directory-at sub", d, "sub");
    mkdir_at("create-directory-at sub again", d, "sub");
    mkdir_at("create-directory-at .", d, ".");
    struct stat_ret s;
    stat_at("stat-at sub", d, 0, "sub", &s);
    stat_at("stat-at sub/", d, 0, "sub/", &s);
    stat_at("stat-at a.txt/", d, 0, "a.txt/", &s);
    int32_t sub = open_at("open-at sub", d, 0, "sub", O_DIR, F_READ | (portable ? 0 : F_MUTATE));
    flags_and_type("sub", sub);
    int32_t f = open_at("open-at sub/in.txt", portable ? d : sub, 0,
                        portable ? "sub/in.txt" : "in.txt", O_CREATE | O_EXCL, F_WRITE);
    write_at("write sub/in.txt", f, "inside", 0);
    wasi_filesystem_types_descriptor_drop(f);
    open_at("open-at in.txt exclusive again", portable ? d : sub, 0,
            portable ? "sub/in.txt" : "in.txt", O_CREATE | O_EXCL, F_WRITE);
    list_dir("read-directory", d);
    list_dir("read-directory sub", sub);
    rename_at("rename-at a.txt -> sub/b.txt", d, "a.txt", d, "sub/b.txt");
    stat_at("stat-at a.txt", d, 0, "a.txt", &s);
    rename_at("rename-at sub/b.txt -> a.txt across descriptors", portable ? d : sub,
              portable ? "sub/b.txt" : "b.txt", d, "a.txt");
    rename_at("rename-at missing", d, "missing", d, "x");
    rmdir_at("remove-directory-at sub (not empty)", d, "sub");
    unlink_at("unlink-file-at sub", d, "sub");
    rmdir_at("remove-directory-at a.txt", d, "a.txt");
    list_dir("read-directory on a file", f = open_at("open-at a.txt", d, 0, "a.txt", 0, F_READ));
    if (!portable) read_at("read on a directory", sub, 1, 0);
    mkdir_at("create-directory-at in a file", f, "x");
    wasi_filesystem_types_descriptor_drop(f);
    if (!portable) permissions(d);

    int32_t again = open_at("open-at . ", d, 0, ".", O_DIR, F_READ);
    printf("is-same-object preopen and .: %d\n",
           wasi_filesystem_types_descriptor_is_same_object(d, again));
    printf("is-same-object preopen and sub: %d\n",
           wasi_filesystem_types_descriptor_is_same_object(d, sub));
    struct hash_ret h1, h2, h3;
    wasi_filesystem_types_descriptor_metadata_hash(d, P(&h1));
    wasi_filesystem_types_descriptor_metadata_hash(again, P(&h2));
    wasi_filesystem_types_descriptor_metadata_hash_at(d, 0, P("sub"), 3, P(&h3));
    printf("metadata-hash: ok %d, same object same hash %d, other object other hash %d\n",
           !h1.tag && !h2.tag && !h3.tag, h1.lower == h2.lower && h1.upper == h2.upper,
           h1.lower != h3.lower || h1.upper != h3.upper);
    wasi_filesystem_types_descriptor_metadata_hash_at(d, 0, P("nope"), 4, P(&h3));
    printf("metadata-hash-at nope: %s\n", h3.tag ? err_name((uint8_t)h3.lower) : "ok");
    wasi_filesystem_types_descriptor_drop(again);
    unlink_at("unlink-file-at sub/in.txt", portable ? d : sub, portable ? "sub/in.txt" : "in.txt");
    wasi_filesystem_types_descriptor_drop(sub);
}

static void links(int32_t d)
{
    struct res2 r;
    struct stat_ret s;
    wasi_filesystem_types_descriptor_link_at(d, 0, P("a.txt"), 5, d, P("hard.txt"), 8, P(&r));
    unit("link-at a.txt hard.txt", r);
    stat_at("stat-at a.txt", d, 0, "a.txt", &s);
    unlink_at("unlink-file-at hard.txt", d, "hard.txt");
    symlink_at("symlink-at a.txt ln", d, "a.txt", "ln");
    readlink_at("readlink-at ln", d, "ln");
    readlink_at("readlink-at a.txt", d, "a.txt");
    stat_at("stat-at ln", d, 0, "ln", &s);
    stat_at("stat-at ln follow", d, 1, "ln", &s);
    symlink_at("symlink-at /etc/passwd abs", d, "/etc/passwd", "abs");
    symlink_at("symlink-at ../.. up", d, "../..", "up");
    open_at("open-at up/etc follow", d, 1, "up/etc", O_DIR, F_READ);
    stat_at("stat-at up/etc follow", d, 1, "up/etc", &s);
    unlink_at("unlink-file-at ln", d, "ln");
    unlink_at("unlink-file-at up", d, "up");
    unlink_at("unlink-file-at abs", d, "abs");
}

static void times(int32_t d)
{
    struct res2 r;
    struct stat_ret s;
    int32_t f = open_at("open-at a.txt", d, 0, "a.txt", 0, F_READ | F_WRITE);
    /* 2001-09-09T01:46:40Z plus 2 s and a few ns */
    wasi_filesystem_types_descriptor_set_times(f, 2, 1000000002, 5, 2, 1000000002, 500, P(&r));
    unit("set-times", r);
    stat_fd("stat", f, &s);
    printf("mtime: %llu\n", (unsigned long long)s.t[1].sec);
    wasi_filesystem_types_descriptor_set_times(f, 0, 0, 0, 2, 1000000002, 1000000000, P(&r));
    unit("set-times 10^9 ns", r);
    wasi_filesystem_types_descriptor_set_times_at(d, 0, P("a.txt"), 5, 0, 0, 0, 2, 1600000000, 0,
                                                  P(&r));
    unit("set-times-at", r);
    stat_at("stat-at", d, 0, "a.txt", &s);
    printf("mtime: %llu\n", (unsigned long long)s.t[1].sec);
    wasi_filesystem_types_descriptor_drop(f);
}

static void escapes(int32_t d)
{
    char longname[300], longpath[2100];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    for (size_t i = 0; i + 2 < sizeof longpath; i += 2)
        memcpy(longpath + i, "d/", 2);
    longpath[sizeof longpath - 1] = 0;
    struct stat_ret s;
    open_at("open-at missing", d, 0, "missing", 0, F_READ);
    open_at("open-at ../x", d, 0, "../x", 0, F_READ);
    open_at("open-at /etc/passwd", d, 0, "/etc/passwd", 0, F_READ);
    open_at("open-at a/../../x", d, 0, "a/../../x", 0, F_READ);
    open_at("open-at a.txt as a directory", d, 0, "a.txt", O_DIR, F_READ);
    open_at("open-at . for writing", d, 0, ".", 0, F_WRITE);
    open_at("open-at empty path", d, 0, "", 0, F_READ);
    open_at("open-at directory + create", d, 0, "q", O_DIR | O_CREATE, F_READ);
    open_at("open-at a long name", d, 0, longname, O_CREATE, F_READ | F_WRITE);
    open_at("open-at a very long path", d, 0, longpath, 0, F_READ);
    stat_at("stat-at ..", d, 0, "..", &s);
    mkdir_at("create-directory-at ../x", d, "../x");
    rename_at("rename-at a.txt -> ../a.txt", d, "a.txt", d, "../a.txt");
    struct res8 r;
    if (portable) return;
    wasi_filesystem_types_descriptor_open_at(d, 0, P("a\0b"), 3, 0, F_READ, P(&r));
    handle_or("open-at a path with NUL", r);
}

static void cleanup(int32_t d)
{
    unlink_at("unlink-file-at a.txt", d, "a.txt");
    rmdir_at("remove-directory-at sub", d, "sub");
    list_dir("read-directory at the end", d);
}

/* ---- hostile calls: each must trap, never crash ------------------------------- */

static int hostile(const char *c, int32_t d)
{
    struct res8 r;
    printf("before\n");
    fflush(stdout);
    if (!strcmp(c, "bad-handle")) {
        wasi_filesystem_types_descriptor_read_directory(12345, P(&r));
    } else if (!strcmp(c, "wrong-type")) {
        int32_t f = open_at("open-at h.txt", d, 0, "h.txt", O_CREATE, F_READ | F_WRITE);
        wasi_filesystem_types_descriptor_read_via_stream(f, 0, P(&r));
        wasi_filesystem_types_descriptor_sync((int32_t)r.val,
                                              P(&r)); /* an input-stream as a descriptor */
    } else if (!strcmp(c, "dir-stream-as-descriptor")) {
        wasi_filesystem_types_descriptor_read_directory(d, P(&r));
        wasi_filesystem_types_descriptor_stat((int32_t)r.val, P(&r));
    } else if (!strcmp(c, "huge-path")) {
        wasi_filesystem_types_descriptor_open_at(d, 0, 16, 0x7fffffff, 0, F_READ, P(&r));
    } else if (!strcmp(c, "huge-write")) {
        wasi_filesystem_types_descriptor_write(d, 1024, -1, 0, P(&r));
    } else if (!strcmp(c, "bad-return")) {
        wasi_filesystem_types_descriptor_stat(d, -8);
    } else if (!strcmp(c, "misaligned-return")) {
        wasi_filesystem_types_descriptor_stat(d, 1025);
    } else if (!strcmp(c, "not-utf8")) {
        wasi_filesystem_types_descriptor_open_at(d, 0, P("\xff\xfe"), 2, 0, F_READ, P(&r));
    } else if (!strcmp(c, "double-drop")) {
        wasi_filesystem_types_descriptor_drop(d);
        wasi_filesystem_types_descriptor_drop(d);
    } else if (!strcmp(c, "bad-advice")) {
        struct res2 r2;
        wasi_filesystem_types_descriptor_advise(d, 0, 0, 99, P(&r2));
    } else if (!strcmp(c, "bad-timestamp")) {
        struct res2 r2;
        wasi_filesystem_types_descriptor_set_times(d, 7, 0, 0, 0, 0, 0, P(&r2));
    } else if (!strcmp(c, "bad-error")) {
        struct res2 r2;
        wasi_filesystem_types_filesystem_error_code(d, P(&r2));
    } else {
        printf("unknown case %s\n", c);
        return 2;
    }
    printf("after\n");
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int32_t d = preopen();
    if (d < 0) {
        printf("no /data preopen\n");
        return 1;
    }
    if (argc == 3 && !strcmp(argv[1], "hostile")) return hostile(argv[2], d);
    if (argc == 2 && !strcmp(argv[1], "abs")) { /* /data/abs made by the host, absolute */
        readlink_at("readlink-at abs", d, "abs");
        return 0;
    }
    portable = argc == 2 && !strcmp(argv[1], "portable");
    flags_and_type("/data", d);
    file_data(d);
    streams(d);
    directories(d);
    links(d);
    times(d);
    escapes(d);
    cleanup(d);
    wasi_filesystem_types_descriptor_drop(d);
    printf("done\n");
    return 0;
}
