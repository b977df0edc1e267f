/*
 * tests/unit/fat/fat_stress.c - randomized workloads over lib/fat on an
 * image file, driven by tests/unit/fat/test_fat_images.py.
 *
 *   fat_stress diff IMAGE SEED NOPS MODELDIR
 *       Applies NOPS random operations (create, write at offsets, append,
 *       truncate, rename, mkdir, rmdir, unlink, remount) to lib/fat and to a
 *       simple in-memory model, comparing every result code and the touched
 *       file's contents at every step and the whole tree every 64 steps and
 *       after each remount. At the end the model's tree is written to
 *       MODELDIR so the harness can compare it with what mtools extracts.
 *   fat_stress crash IMAGE SEED NOPS LIMIT
 *       Runs the same kind of workload (with periodic syncs) on a device that
 *       stops writing after LIMIT sectors (-1: never), stopping at the first
 *       I/O error. Prints "written N" (sectors). The clock is fixed so that a
 *       seed always produces the same write stream.
 *
 * Exit status 0 on success; on a mismatch it prints the seed, the step and
 * what differed, and exits 1.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/error.h"
#include "fat/fat.h"
#include "host/kpio-disk/filedev.h"

#define MAX_NODES 4096
#define MAX_FILE  (300 * 1024)

struct mnode {
    char name[300];
    int parent; /* -1 for the root (index 0) */
    int is_dir, alive;
    unsigned char *data;
    size_t size;
};

static struct mnode nodes[MAX_NODES];
static int nnodes;
static unsigned long long rng_state;
static unsigned long seed_g;
static long step_g;
static const char *mode_g;
static struct filedev dev;
static struct fat_volume *vol;
static unsigned char *rbuf;
static size_t data_budget; /* keep the model's bytes well below the free space */

static unsigned rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(rng_state >> 33);
}
static unsigned rnd_n(unsigned n)
{
    return n ? rnd() % n : 0;
}

static _Noreturn void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fat_stress %s: seed %lu step %ld: ", mode_g, seed_g, step_g);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void path_of(int i, char *out, size_t size)
{
    if (i == 0) {
        snprintf(out, size, "%s", "");
        return;
    }
    char parent[4096];
    path_of(nodes[i].parent, parent, sizeof parent);
    snprintf(out, size, "%s%s%s", parent, parent[0] ? "/" : "", nodes[i].name);
}

static int child(int dir, const char *name)
{
    for (int i = 1; i < nnodes; i++)
        if (nodes[i].alive && nodes[i].parent == dir && !strcasecmp(nodes[i].name, name)) return i;
    return -1;
}

static int has_children(int dir)
{
    for (int i = 1; i < nnodes; i++)
        if (nodes[i].alive && nodes[i].parent == dir) return 1;
    return 0;
}

static int pick(int want_dir) /* -1: either */
{
    int cand[MAX_NODES], n = 0;
    for (int i = 0; i < nnodes; i++)
        if (nodes[i].alive && (want_dir < 0 || nodes[i].is_dir == want_dir)) cand[n++] = i;
    return n ? cand[rnd_n((unsigned)n)] : -1;
}

static int depth(int i)
{
    int d = 0;
    for (; i > 0 && i < MAX_NODES; i = nodes[i].parent)
        d++;
    return d;
}

/* Names: 8.3 upper case, lower case, long, collision-prone long, non-ASCII. */
static void random_name(char *out, size_t size)
{
    static const char *fixed[] = {"README.TXT", "readme.txt", "ReadMe.Txt",  "DATA.BIN",
                                  "a",          "B",          "x.y",         "café.txt",
                                  "ünï cödé",   "日本語.txt", "file.tar.gz", ".hidden",
                                  "with space", "UPPER",      "lower"};
    switch (rnd_n(4)) {
    case 0: snprintf(out, size, "%s", fixed[rnd_n(sizeof fixed / sizeof fixed[0])]); break;
    case 1: snprintf(out, size, "F%u.DAT", rnd_n(40)); break;
    case 2: snprintf(out, size, "Long file name number %u.text", rnd_n(30)); break;
    default: {
        unsigned len = 1 + rnd_n(rnd_n(4) == 0 ? 120 : 20);
        static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_-+,;=[] ";
        for (unsigned k = 0; k < len && k + 1 < size; k++)
            out[k] = chars[rnd_n(sizeof chars - 1)];
        out[len < size ? len : size - 1] = 0;
        size_t n = strlen(out);
        while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '.'))
            out[--n] = 0;
        if (n == 0) snprintf(out, size, "Z");
    }
    }
}

static int trace_g; /* FAT_STRESS_TRACE=1: print every operation */

static void trace(const char *fmt, ...)
{
    va_list ap;
    if (!trace_g) return;
    va_start(ap, fmt);
    fprintf(stderr, "[%ld] ", step_g);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void expect(int got, int want, const char *what, const char *path)
{
    trace("%s %s -> %s", what, path, err_name(got));
    if (got != want) die("%s %s: got %s, model says %s", what, path, err_name(got), err_name(want));
}

static int64_t fixed_now(void *ctx)
{
    (void)ctx;
    return 1700000000;
}

static void do_mount(int limit_mode)
{
    struct fat_blockdev bd = filedev_blockdev(&dev);
    struct fat_clock clk = {NULL, limit_mode ? fixed_now : NULL};
    int r = fat_mount(&bd, &clk, 0, &vol);
    if (r < 0) die("mount: %s", err_name(r));
}

/* Reads the whole file at path and compares it with the model. */
static void check_file(int i)
{
    char path[4096];
    struct fat_file *f;
    path_of(i, path, sizeof path);
    int r = fat_open(vol, path, FAT_O_READ, &f);
    if (r < 0) die("open %s for checking: %s", path, err_name(r));
    long n = fat_read(f, rbuf, MAX_FILE + 1);
    if (n < 0 || (size_t)n != nodes[i].size)
        die("read %s: got %ld bytes, model has %zu", path, n, nodes[i].size);
    if (nodes[i].size && memcmp(rbuf, nodes[i].data, nodes[i].size) != 0)
        die("content of %s differs from the model", path);
    /* a read at a random offset */
    if (nodes[i].size > 0) {
        uint64_t off = rnd_n((unsigned)nodes[i].size), pos;
        fat_seek(f, (int64_t)off, FAT_SEEK_SET, &pos);
        n = fat_read(f, rbuf, 1000);
        size_t want = nodes[i].size - off < 1000 ? nodes[i].size - off : 1000;
        if (n < 0 || (size_t)n != want || memcmp(rbuf, nodes[i].data + off, want))
            die("read %s at %llu differs", path, (unsigned long long)off);
    }
    fat_close(f);
}

/* Compares directory d (and below) of lib/fat with the model. */
static void check_tree(int d)
{
    char path[4096];
    struct fat_dir *dir;
    struct fat_dirent e;
    int seen = 0, r;
    path_of(d, path, sizeof path);
    if ((r = fat_opendir(vol, path, &dir)) < 0) die("opendir %s: %s", path, err_name(r));
    while ((r = fat_readdir(dir, &e)) > 0) {
        int c = child(d, e.name);
        if (c < 0 || strcmp(nodes[c].name, e.name) != 0)
            die("%s: lib/fat lists \"%s\", which the model lacks", path, e.name);
        if (e.st.is_dir != !!nodes[c].is_dir || (!e.st.is_dir && e.st.size != nodes[c].size))
            die("%s/%s: type or size differs", path, e.name);
        seen++;
    }
    fat_closedir(dir);
    if (r < 0) die("readdir %s: %s", path, err_name(r));
    int want = 0;
    for (int i = 1; i < nnodes; i++)
        if (nodes[i].alive && nodes[i].parent == d) want++;
    if (seen != want) die("%s: lib/fat lists %d entries, the model %d", path, seen, want);
    for (int i = 1; i < nnodes; i++) {
        if (!nodes[i].alive || nodes[i].parent != d) continue;
        if (nodes[i].is_dir)
            check_tree(i);
        else
            check_file(i);
    }
}

static int new_node(int parent, const char *name, int is_dir)
{
    if (nnodes >= MAX_NODES) die("model full");
    struct mnode *m = &nodes[nnodes];
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->parent = parent;
    m->is_dir = is_dir;
    m->alive = 1;
    return nnodes++;
}

static size_t total_bytes(void)
{
    size_t t = 0;
    for (int i = 0; i < nnodes; i++)
        if (nodes[i].alive) t += nodes[i].size;
    return t;
}

/* Model write: data at off, zero-filling a gap. */
static void model_write(int i, size_t off, const unsigned char *data, size_t len)
{
    struct mnode *m = &nodes[i];
    size_t end = off + len;
    if (len == 0) return; /* POSIX: writing nothing past EOF leaves the size alone */
    if (end > m->size) {
        m->data = realloc(m->data, end ? end : 1);
        memset(m->data + m->size, 0, end - m->size);
        m->size = end;
    }
    memcpy(m->data + off, data, len);
}

static void model_truncate(int i, size_t size)
{
    struct mnode *m = &nodes[i];
    if (size > m->size) {
        m->data = realloc(m->data, size);
        memset(m->data + m->size, 0, size - m->size);
    }
    m->size = size;
}

/* Returns 0, or the lib/fat error of an operation that failed with ERR_IO
 * (crash mode only). Every other result is compared with the model. */
static int op_create(int crash)
{
    char name[300], path[4096], pp[4096];
    int d = pick(1);
    random_name(name, sizeof name);
    path_of(d, pp, sizeof pp);
    snprintf(path, sizeof path, "%s%s%s", pp, pp[0] ? "/" : "", name);
    struct fat_file *f;
    int want = child(d, name) >= 0 ? ERR_EXIST : 0;
    int r = fat_open(vol, path, FAT_O_WRITE | FAT_O_CREAT | FAT_O_EXCL, &f);
    if (crash && r == ERR_IO) return r;
    expect(r, want, "create", path);
    if (r == 0) {
        int i = new_node(d, name, 0);
        r = fat_close(f);
        if (crash && r == ERR_IO) return r;
        expect(r, 0, "close", path);
        if (!crash) check_file(i);
    }
    return 0;
}

static int op_write(int crash, int append)
{
    char path[4096];
    int i = pick(0);
    if (i < 0) return 0;
    path_of(i, path, sizeof path);
    size_t size = nodes[i].size, off, len;
    unsigned kind = rnd_n(10);
    len = kind < 6 ? rnd_n(3000) : kind < 9 ? rnd_n(20000) : rnd_n(150000);
    off = append ? size : rnd_n((unsigned)size + 5000);
    if (off + len > MAX_FILE || total_bytes() + len + (off > size ? off - size : 0) > data_budget)
        return 0;
    unsigned char *data = malloc(len ? len : 1);
    for (size_t k = 0; k < len; k++)
        data[k] = (unsigned char)rnd();
    struct fat_file *f;
    unsigned flags = FAT_O_WRITE | (append ? FAT_O_APPEND : 0);
    int r = fat_open(vol, path, flags, &f);
    if (crash && r == ERR_IO) return free(data), r;
    expect(r, 0, "open for write", path);
    uint64_t pos;
    if (!append) fat_seek(f, (int64_t)off, FAT_SEEK_SET, &pos);
    long w = fat_write(f, data, len);
    trace("write %s: %zu bytes at %zu (size %zu, append %d) -> %ld", path, len, off, size, append,
          w);
    int c = fat_close(f);
    if (crash && (w == ERR_IO || c == ERR_IO || (w >= 0 && (size_t)w != len)))
        return free(data), ERR_IO;
    if (w < 0 || (size_t)w != len) die("write %s %zu at %zu: returned %ld", path, len, off, w);
    expect(c, 0, "close", path);
    model_write(i, off, data, len);
    free(data);
    if (!crash) check_file(i);
    return 0;
}

static int op_truncate(int crash)
{
    char path[4096];
    int i = pick(0);
    if (i < 0) return 0;
    path_of(i, path, sizeof path);
    size_t size = rnd_n(2) ? rnd_n((unsigned)nodes[i].size + 1) : nodes[i].size + rnd_n(40000);
    if (size > MAX_FILE) return 0;
    struct fat_file *f;
    int r = fat_open(vol, path, FAT_O_WRITE, &f);
    if (crash && r == ERR_IO) return r;
    expect(r, 0, "open for truncate", path);
    r = fat_truncate(f, size);
    trace("truncate %s: %zu -> %zu", path, nodes[i].size, size);
    int c = fat_close(f);
    if (crash && (r == ERR_IO || c == ERR_IO)) return ERR_IO;
    expect(r, 0, "truncate", path);
    expect(c, 0, "close", path);
    model_truncate(i, size);
    if (!crash) check_file(i);
    return 0;
}

static int is_within(int d, int anc)
{
    for (; d >= 0; d = nodes[d].parent)
        if (d == anc) return 1;
    return 0;
}

/* The result POSIX-style rename gives (fat.h's rules). */
static int model_rename_result(int s, int d, const char *name, int *dst)
{
    *dst = child(d, name);
    if (*dst == s && !strcmp(nodes[s].name, name)) return 0;
    if (nodes[s].is_dir && is_within(d, s)) return ERR_INVAL;
    if (*dst >= 0 && *dst != s) {
        if (!nodes[s].is_dir && nodes[*dst].is_dir) return ERR_ISDIR;
        if (nodes[s].is_dir && !nodes[*dst].is_dir) return ERR_NOTDIR;
        if (nodes[*dst].is_dir && has_children(*dst)) return ERR_NOTEMPTY;
    }
    return 0;
}

static int op_rename(int crash)
{
    char name[300], from[4096], to[4096], pp[4096];
    int s = pick(-1), d = pick(1), dst;
    if (s <= 0) return 0;
    if (rnd_n(4) == 0 && nodes[s].parent >= 0) {
        /* onto an existing entry, or the same one in another case */
        int o = pick(-1);
        if (o > 0)
            d = nodes[o].parent, snprintf(name, sizeof name, "%s", nodes[o].name);
        else
            random_name(name, sizeof name);
        if (rnd_n(3) == 0)
            for (char *c = name; *c; c++)
                *c = (char)(rnd_n(2) ? (*c >= 'a' && *c <= 'z' ? *c - 32 : *c)
                                     : (*c >= 'A' && *c <= 'Z' ? *c + 32 : *c));
    } else {
        random_name(name, sizeof name);
    }
    if (depth(d) + 1 > 12) return 0;
    path_of(s, from, sizeof from);
    path_of(d, pp, sizeof pp);
    snprintf(to, sizeof to, "%s%s%s", pp, pp[0] ? "/" : "", name);
    int want = model_rename_result(s, d, name, &dst);
    trace("rename %s -> %s", from, to);
    int r = fat_rename(vol, from, to);
    if (crash && r == ERR_IO) return r;
    expect(r, want, "rename", from);
    if (r == 0 && !(dst == s && !strcmp(nodes[s].name, name))) {
        if (dst >= 0 && dst != s) {
            nodes[dst].alive = 0;
            free(nodes[dst].data);
            nodes[dst].data = NULL;
        }
        nodes[s].parent = d;
        snprintf(nodes[s].name, sizeof nodes[s].name, "%s", name);
    }
    return 0;
}

static int op_mkdir(int crash)
{
    char name[300], path[4096], pp[4096];
    int d = pick(1);
    if (depth(d) >= 8) return 0;
    random_name(name, sizeof name);
    path_of(d, pp, sizeof pp);
    snprintf(path, sizeof path, "%s%s%s", pp, pp[0] ? "/" : "", name);
    int want = child(d, name) >= 0 ? ERR_EXIST : 0;
    int r = fat_mkdir(vol, path);
    if (crash && r == ERR_IO) return r;
    expect(r, want, "mkdir", path);
    if (r == 0) new_node(d, name, 1);
    return 0;
}

static int op_remove(int crash, int dir)
{
    char path[4096];
    int i = pick(-1);
    if (i <= 0) return 0;
    path_of(i, path, sizeof path);
    int want, r;
    if (dir) {
        want = !nodes[i].is_dir ? ERR_NOTDIR : has_children(i) ? ERR_NOTEMPTY : 0;
        r = fat_rmdir(vol, path);
    } else {
        want = nodes[i].is_dir ? ERR_ISDIR : 0;
        r = fat_unlink(vol, path);
    }
    if (crash && r == ERR_IO) return r;
    expect(r, want, dir ? "rmdir" : "unlink", path);
    if (r == 0) {
        nodes[i].alive = 0;
        free(nodes[i].data);
        nodes[i].data = NULL;
    }
    return 0;
}

static int op_random(int crash)
{
    unsigned k = rnd_n(100);
    if (k < 20) return op_create(crash);
    if (k < 45) return op_write(crash, 0);
    if (k < 52) return op_write(crash, 1);
    if (k < 60) return op_truncate(crash);
    if (k < 72) return op_rename(crash);
    if (k < 80) return op_mkdir(crash);
    if (k < 86) return op_remove(crash, 1);
    if (k < 97) return op_remove(crash, 0);
    if (crash) {
        int r = fat_sync(vol);
        return r == ERR_IO ? r : 0;
    }
    int r = fat_unmount(vol);
    expect(r, 0, "unmount", "");
    do_mount(0);
    check_tree(0);
    return 0;
}

/* Writes the model's tree below host directory out. */
static void dump_model(int d, const char *out)
{
    char sub[4096];
    for (int i = 1; i < nnodes; i++) {
        if (!nodes[i].alive || nodes[i].parent != d) continue;
        snprintf(sub, sizeof sub, "%s/%s", out, nodes[i].name);
        if (nodes[i].is_dir) {
            if (mkdir(sub, 0755) < 0 && errno != EEXIST) die("mkdir %s", sub);
            dump_model(i, sub);
        } else {
            FILE *f = fopen(sub, "wb");
            if (!f || fwrite(nodes[i].data, 1, nodes[i].size, f) != nodes[i].size)
                die("write %s", sub);
            fclose(f);
        }
    }
}

/* The image starts empty (made by mkfs.fat). */
static void open_image(const char *image)
{
    unsigned char b[16];
    FILE *f = fopen(image, "rb");
    if (!f || fread(b, 1, sizeof b, f) != sizeof b) die("cannot read %s", image);
    fclose(f);
    uint32_t ss = b[11] | (uint32_t)b[12] << 8;
    if (filedev_open(&dev, image, ss, false) < 0) die("cannot open %s", image);
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: fat_stress diff IMAGE SEED NOPS MODELDIR\n"
                        "       fat_stress crash IMAGE SEED NOPS LIMIT\n");
        return 2;
    }
    mode_g = argv[1];
    seed_g = strtoul(argv[3], NULL, 0);
    rng_state = seed_g * 2654435761ULL + 1;
    long nops = atol(argv[4]);
    int crash = !strcmp(mode_g, "crash");
    trace_g = getenv("FAT_STRESS_TRACE") != NULL;
    rbuf = malloc(MAX_FILE + 2);
    nnodes = 0;
    new_node(-1, "", 1);
    open_image(argv[2]);
    if (crash) dev.limit = atoll(argv[5]);
    do_mount(crash);
    struct fat_statfs sf;
    if (fat_statfs(vol, &sf) < 0) die("statfs");
    data_budget = (size_t)sf.free_clusters * sf.cluster_size / 3;
    for (step_g = 0; step_g < nops; step_g++) {
        if (op_random(crash) < 0) break;
        if (!crash && step_g % 64 == 63) check_tree(0);
    }
    int r = fat_unmount(vol);
    if (crash) {
        printf("written %llu steps %ld\n", (unsigned long long)dev.written, step_g);
        filedev_close(&dev);
        return 0;
    }
    expect(r, 0, "unmount", "");
    do_mount(0);
    check_tree(0);
    expect(fat_unmount(vol), 0, "unmount", "");
    filedev_close(&dev);
    dump_model(0, argv[5]);
    printf("ok: %ld operations, %d entries made\n", nops, nnodes - 1);
    return 0;
}
