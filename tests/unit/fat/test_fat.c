/*
 * tests/unit/fat/test_fat.c - lib/fat unit tests (cmocka, ASan/UBSan) over an
 * in-memory block device holding images made by mkfs.fat at run time.
 *
 * Oracles: mkfs.fat's images; the FAT spec's formulas recomputed here
 * independently (checksums, the type from the cluster count, FAT entries
 * read straight from the image bytes); the device's own log of requests
 * (sizes, order of data/FAT/directory writes). The mtools and fsck.fat
 * cross-checks live in test_fat_images.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/endian.h"
#include "base/error.h"
#include "fat/fat.h"
#include "fat/fat_int.h"

/* ---- in-memory device ------------------------------------------------------------- */

struct wlog {
    uint64_t lba;
    uint32_t count;
};

struct memdev {
    uint8_t *data;
    uint32_t ss;
    uint64_t sectors;
    struct wlog *log;
    size_t nlog, caplog;
    uint32_t max_read, max_write;
    int fail_reads_after; /* -1: never */
};

static int md_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
    struct memdev *d = ctx;
    if (lba + count > d->sectors) return ERR_IO;
    if (d->fail_reads_after == 0) return ERR_IO;
    if (d->fail_reads_after > 0) d->fail_reads_after--;
    memcpy(buf, d->data + lba * d->ss, (size_t)count * d->ss);
    if (count > d->max_read) d->max_read = count;
    return 0;
}

static int md_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
    struct memdev *d = ctx;
    if (lba + count > d->sectors) return ERR_IO;
    memcpy(d->data + lba * d->ss, buf, (size_t)count * d->ss);
    if (d->nlog == d->caplog) {
        d->caplog = d->caplog ? 2 * d->caplog : 256;
        d->log = realloc(d->log, d->caplog * sizeof *d->log);
    }
    d->log[d->nlog++] = (struct wlog){lba, count};
    if (count > d->max_write) d->max_write = count;
    return 0;
}

static int md_flush(void *ctx)
{
    (void)ctx;
    return 0;
}

static int64_t clock_now = 1714979290; /* 2024-05-06 07:08:10 UTC */
static int64_t test_clock(void *ctx)
{
    (void)ctx;
    return clock_now;
}

/* Makes an image with mkfs.fat (options, size in KiB) into memory. Returns
 * false if mkfs.fat is not available. */
static bool md_mkfs(struct memdev *d, const char *opts, unsigned kib, uint32_t dev_ss)
{
    char path[] = "/tmp/kpio-fat-test-XXXXXX", cmd[512];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    snprintf(cmd, sizeof cmd, "mkfs.fat -C %s %s %u >/dev/null 2>&1", opts, path, kib);
    if (system(cmd) != 0) return false;
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    memset(d, 0, sizeof *d);
    d->ss = dev_ss;
    d->sectors = (uint64_t)kib * 1024 / dev_ss;
    d->data = calloc(1, (size_t)kib * 1024);
    assert_int_equal(fread(d->data, 1, (size_t)kib * 1024, f), (size_t)kib * 1024);
    fclose(f);
    unlink(path);
    d->fail_reads_after = -1;
    return true;
}

static void md_free(struct memdev *d)
{
    free(d->data);
    free(d->log);
}

static struct fat_volume *md_mount(struct memdev *d, unsigned flags)
{
    struct fat_blockdev bd = {d, md_read, md_write, md_flush, NULL, d->ss, d->sectors};
    struct fat_clock clk = {NULL, test_clock};
    struct fat_volume *v = NULL;
    assert_int_equal(fat_mount(&bd, &clk, flags, &v), 0);
    return v;
}

static int md_try_mount(struct memdev *d)
{
    struct fat_blockdev bd = {d, md_read, md_write, md_flush, NULL, d->ss, d->sectors};
    struct fat_volume *v = NULL;
    int r = fat_mount(&bd, NULL, FAT_MOUNT_RDONLY, &v);
    if (r == 0) fat_unmount(v);
    return r;
}

#define NEED_MKFS(d, opts, kib, ss)                                                                \
    do {                                                                                           \
        if (!md_mkfs(d, opts, kib, ss)) {                                                          \
            print_message("mkfs.fat not available\n");                                             \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* Geometry recomputed from the BPB here (FAT spec section 3), as an oracle. */
struct geo {
    uint32_t bps, spc, rsvd, nfats, fatsz, root_secs, data_start, clusters, type, root_clus;
};

static struct geo geo_of(const uint8_t *b)
{
    struct geo g;
    g.bps = le16_get(b + 11);
    g.spc = b[13];
    g.rsvd = le16_get(b + 14);
    g.nfats = b[16];
    uint32_t root_ent = le16_get(b + 17),
             tot = le16_get(b + 19) ? le16_get(b + 19) : le32_get(b + 32);
    g.fatsz = le16_get(b + 22) ? le16_get(b + 22) : le32_get(b + 36);
    g.root_secs = (root_ent * 32 + g.bps - 1) / g.bps;
    g.data_start = g.rsvd + g.nfats * g.fatsz + g.root_secs;
    g.clusters = (tot - g.data_start) / g.spc;
    g.type = g.clusters < 4085 ? 12 : g.clusters < 65525 ? 16 : 32;
    g.root_clus = g.type == 32 ? le32_get(b + 44) : 0;
    return g;
}

/* FAT entry of clus in FAT copy `copy`, read from the image bytes. */
static uint32_t fat_entry(const struct memdev *d, uint32_t copy, uint32_t clus)
{
    struct geo g = geo_of(d->data);
    const uint8_t *fat = d->data + (size_t)(g.rsvd + copy * g.fatsz) * g.bps;
    if (g.type == 32) return le32_get(fat + clus * 4) & 0x0FFFFFFF;
    if (g.type == 16) return le16_get(fat + clus * 2);
    uint32_t w = le16_get(fat + clus + clus / 2);
    return (clus & 1) ? w >> 4 : w & 0xFFF;
}

static void put_file(struct fat_volume *v, const char *path, const void *data, size_t len)
{
    struct fat_file *f;
    assert_int_equal(fat_open(v, path, FAT_O_WRITE | FAT_O_CREAT | FAT_O_TRUNC, &f), 0);
    assert_int_equal(fat_write(f, data, len), (long)len);
    assert_int_equal(fat_close(f), 0);
}

static void check_file(struct fat_volume *v, const char *path, const void *data, size_t len)
{
    struct fat_file *f;
    uint8_t *buf = malloc(len + 16);
    assert_int_equal(fat_open(v, path, FAT_O_READ, &f), 0);
    assert_int_equal(fat_read(f, buf, len + 16), (long)len);
    assert_memory_equal(buf, data, len);
    assert_int_equal(fat_read(f, buf, 16), 0);
    fat_close(f);
    free(buf);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((seed * 2654435761u + i * 40503u) >> 13);
}

/* ---- names ------------------------------------------------------------------------ */

static void parse(const char *s, struct fat_name *n)
{
    assert_int_equal(name_parse(s, strlen(s), n), 0);
}

static void test_checksum_and_basis(void **state)
{
    (void)state;
    /* FAT spec 7.2's checksum, values computed by the formula independently */
    assert_int_equal(name_checksum((const uint8_t *)"README  TXT"), 115);
    assert_int_equal(name_checksum((const uint8_t *)"THEQUI~1TXT"), 11);

    struct fat_name n;
    uint8_t sfn[11], tail[11];
    bool lossy, fits;
    parse("The quick brown fox.txt", &n);
    assert_int_equal(name_basis(&n, sfn, &lossy, &fits), 1);
    assert_memory_equal(sfn, "THEQUICKTXT", 11);
    assert_false(fits);
    name_tail(sfn, &n, 1, tail);
    assert_memory_equal(tail, "THEQUI~1TXT", 11);
    name_tail(sfn, &n, 4, tail);
    assert_memory_equal(tail, "THEQUI~4TXT", 11);
    name_tail(sfn, &n, 5, tail); /* hashed: 2 chars, 4 hex digits, ~1 */
    assert_memory_equal(tail, "TH", 2);
    assert_memory_equal(tail + 6, "~1TXT", 5);
    name_tail(sfn, &n, 20, tail);
    assert_memory_equal(tail, "THEQU~20TXT", 11);

    parse("readme.txt", &n);
    assert_int_equal(name_basis(&n, sfn, &lossy, &fits), 1);
    assert_true(fits);
    assert_memory_equal(sfn, "README  TXT", 11);
    parse("A+B.C", &n);
    assert_int_equal(name_basis(&n, sfn, &lossy, &fits), 0);
    assert_true(lossy);
    assert_memory_equal(sfn, "A_B     C  ", 11);
    parse(".bashrc", &n);
    name_basis(&n, sfn, &lossy, &fits);
    assert_memory_equal(sfn, "BASHRC     ", 11);
    assert_false(fits);
    parse("a.b.c.d", &n);
    name_basis(&n, sfn, &lossy, &fits);
    assert_memory_equal(sfn, "ABC     D  ", 11);
}

static void test_name_parse_rules(void **state)
{
    (void)state;
    struct fat_name n;
    char longname[300];
    static const char *bad[] = {"",     ".",      "..", "a*b",      "a:b",      "tab\tname",
                                "dot.", "space ", "q?", "\xff\xfe", "\xc0\xaf", "\xed\xa0\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(name_parse(bad[i], strlen(bad[i]), &n), ERR_INVAL);
    memset(longname, 'x', 255);
    longname[255] = 0;
    assert_int_equal(name_parse(longname, 255, &n), 0);
    longname[255] = 'x';
    longname[256] = 0;
    assert_int_equal(name_parse(longname, 256, &n), ERR_NAMETOOLONG);
    /* a character outside the BMP takes two UTF-16 units and comes back */
    char out[32];
    parse("a\xf0\x9f\x98\x80z", &n);
    assert_int_equal(n.len, 4);
    name_to_utf8(n.u, n.len, out, sizeof out);
    assert_string_equal(out, "a\xf0\x9f\x98\x80z");
    /* case folding beyond ASCII */
    struct fat_name a, b;
    parse("Ärger-éte-ΣΟΦΙΑ-Жук", &a);
    parse("äRGER-ÉTE-σοφια-жУК", &b);
    assert_true(name_equal(a.u, a.len, b.u, b.len));
}

static void test_times(void **state)
{
    (void)state;
    uint16_t date, time;
    uint8_t tenth;
    name_time_to_fat(1714979291, &date, &time, &tenth); /* 2024-05-06 07:08:11 */
    assert_int_equal(date, (2024 - 1980) << 9 | 5 << 5 | 6);
    assert_int_equal(time, 7 << 11 | 8 << 5 | 5);
    assert_int_equal(tenth, 100);
    assert_int_equal(name_fat_to_time(date, time), 1714979290);
    name_time_to_fat(0, &date, &time, NULL); /* clamped to 1980-01-01 */
    assert_int_equal(date, 0 << 9 | 1 << 5 | 1);
    assert_int_equal(name_fat_to_time(0, 0), 0);
}

/* ---- mounting --------------------------------------------------------------------- */

static void test_fat_types(void **state)
{
    (void)state;
    static const struct {
        const char *opts;
        unsigned kib;
        uint32_t ss;
    } cfg[] = {{"-F 12", 1440, 512},
               {"-F 16 -s 1", 24000, 512},
               {"-F 32 -s 1", 40000, 512},
               {"-F 16 -S 4096 -s 1", 64000, 4096},
               {"-F 32 -S 4096 -s 1", 300000, 512}};
    for (size_t i = 0; i < sizeof cfg / sizeof cfg[0]; i++) {
        struct memdev d;
        struct fat_statfs st;
        NEED_MKFS(&d, cfg[i].opts, cfg[i].kib, cfg[i].ss);
        struct geo g = geo_of(d.data);
        struct fat_volume *v = md_mount(&d, FAT_MOUNT_RDONLY);
        assert_int_equal(fat_statfs(v, &st), 0);
        assert_int_equal(st.fat_type, (int)g.type);
        assert_int_equal(st.total_clusters, g.clusters);
        assert_int_equal(st.cluster_size, g.bps * g.spc);
        assert_int_equal(st.free_clusters, g.clusters - (g.type == 32 ? 1 : 0));
        assert_int_equal(fat_unmount(v), 0);
        md_free(&d);
    }
}

static void test_bad_bpb(void **state)
{
    (void)state;
    struct memdev d;
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    uint8_t orig[512];
    memcpy(orig, d.data, 512);
    static const struct {
        unsigned off, width;
        uint32_t val;
        int err;
    } bad[] = {
        {11, 2, 0, ERR_CORRUPT},          {11, 2, 300, ERR_CORRUPT},
        {11, 2, 8192, ERR_CORRUPT},       {13, 1, 3, ERR_CORRUPT},
        {13, 1, 0, ERR_CORRUPT},          {14, 2, 0, ERR_CORRUPT},
        {16, 1, 0, ERR_CORRUPT},          {21, 1, 0x12, ERR_CORRUPT},
        {510, 1, 0, ERR_CORRUPT},         {0, 1, 0, ERR_CORRUPT},
        {32, 4, 0x7FFFFFFF, ERR_CORRUPT},                            /* beyond the device */
        {36, 4, 1, ERR_CORRUPT},                                     /* FAT too small */
        {44, 4, 0, ERR_CORRUPT},                                     /* RootClus */
        {44, 4, 0x0FFFFFF0, ERR_CORRUPT}, {17, 2, 512, ERR_CORRUPT}, /* RootEntCnt on FAT32 */
        {42, 2, 1, ERR_NOTSUP},                                      /* FSVer */
        {14, 2, 0xFFFF, ERR_CORRUPT},                                /* no data region */
    };
    assert_int_equal(md_try_mount(&d), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(d.data, orig, 512);
        if (bad[i].width == 1)
            d.data[bad[i].off] = (uint8_t)bad[i].val;
        else if (bad[i].width == 2)
            le16_put(d.data + bad[i].off, (uint16_t)bad[i].val);
        else
            le32_put(d.data + bad[i].off, bad[i].val);
        if (md_try_mount(&d) != bad[i].err)
            fail_msg("BPB change %zu (offset %u) gave %s", i, bad[i].off,
                     err_name(md_try_mount(&d)));
    }
    /* a device whose sector is larger than the BPB's */
    memcpy(d.data, orig, 512);
    d.ss = 4096;
    d.sectors /= 8;
    assert_int_equal(md_try_mount(&d), ERR_CORRUPT);
    /* a zeroed disk */
    memset(d.data, 0, 4096);
    d.ss = 512;
    assert_int_equal(md_try_mount(&d), ERR_CORRUPT);
    md_free(&d);
}

static void test_label_and_two_volumes(void **state)
{
    (void)state;
    struct memdev a, b;
    char lab[16];
    uint8_t x[3000], y[5000];
    NEED_MKFS(&a, "-F 32 -s 1 -n MYDISK", 40000, 512);
    NEED_MKFS(&b, "-F 16 -s 2", 30000, 512);
    struct fat_volume *va = md_mount(&a, 0), *vb = md_mount(&b, 0);
    assert_int_equal(fat_label(va, lab, sizeof lab), 0);
    assert_string_equal(lab, "MYDISK");
    assert_int_equal(fat_label(vb, lab, sizeof lab), 0);
    assert_string_equal(lab, "");
    fill(x, sizeof x, 1);
    fill(y, sizeof y, 2);
    put_file(va, "same name.bin", x, sizeof x);
    put_file(vb, "same name.bin", y, sizeof y);
    check_file(va, "same name.bin", x, sizeof x);
    check_file(vb, "same name.bin", y, sizeof y);
    assert_int_equal(fat_unmount(va), 0);
    assert_int_equal(fat_unmount(vb), 0);
    md_free(&a);
    md_free(&b);
}

/* ---- files ------------------------------------------------------------------------ */

static void test_open_flags(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_file *f, *g;
    uint8_t buf[64];
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    assert_int_equal(fat_open(v, "nofile", FAT_O_READ, &f), ERR_NOENT);
    assert_int_equal(fat_open(v, "x", 0, &f), ERR_INVAL);
    assert_int_equal(fat_open(v, "", FAT_O_READ, &f), ERR_ISDIR);
    put_file(v, "a.txt", "hello", 5);
    assert_int_equal(fat_open(v, "A.TXT", FAT_O_WRITE | FAT_O_CREAT | FAT_O_EXCL, &f), ERR_EXIST);
    assert_int_equal(fat_open(v, "a.txt/b", FAT_O_READ, &f), ERR_NOTDIR);
    assert_int_equal(fat_open(v, "no/b", FAT_O_READ | FAT_O_CREAT, &f), ERR_NOENT);
    /* read-only handle refuses writes, write-only refuses reads */
    assert_int_equal(fat_open(v, "a.txt", FAT_O_READ, &f), 0);
    assert_int_equal(fat_write(f, "x", 1), ERR_BADF);
    assert_int_equal(fat_truncate(f, 0), ERR_BADF);
    fat_close(f);
    assert_int_equal(fat_open(v, "a.txt", FAT_O_WRITE | FAT_O_APPEND, &f), 0);
    assert_int_equal(fat_read(f, buf, 1), ERR_BADF);
    assert_int_equal(fat_write(f, " world", 6), 6);
    fat_close(f);
    check_file(v, "a.txt", "hello world", 11);
    /* two handles share one size */
    assert_int_equal(fat_open(v, "a.txt", FAT_O_RDWR, &f), 0);
    assert_int_equal(fat_open(v, "a.txt", FAT_O_READ, &g), 0);
    assert_int_equal(fat_seek(f, 0, FAT_SEEK_END, NULL), 0);
    assert_int_equal(fat_write(f, "!!", 2), 2);
    assert_int_equal(fat_read(g, buf, sizeof buf), 13);
    assert_memory_equal(buf, "hello world!!", 13);
    assert_int_equal(fat_unlink(v, "a.txt"), ERR_BUSY);
    fat_close(g);
    fat_close(f);
    assert_int_equal(fat_open(v, "a.txt", FAT_O_WRITE | FAT_O_TRUNC, &f), 0);
    fat_close(f);
    check_file(v, "a.txt", "", 0);
    /* directories */
    assert_int_equal(fat_mkdir(v, "d"), 0);
    assert_int_equal(fat_open(v, "d", FAT_O_READ, &f), ERR_ISDIR);
    assert_int_equal(fat_unmount(v), 0);
    /* read-only mount */
    v = md_mount(&d, FAT_MOUNT_RDONLY);
    assert_int_equal(fat_open(v, "a.txt", FAT_O_WRITE, &f), ERR_ROFS);
    assert_int_equal(fat_mkdir(v, "e"), ERR_ROFS);
    assert_int_equal(fat_unlink(v, "a.txt"), ERR_ROFS);
    assert_int_equal(fat_rename(v, "a.txt", "b.txt"), ERR_ROFS);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

static void test_read_write_seek(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_file *f;
    uint64_t pos;
    static uint8_t data[70000], buf[70000], model[90000];
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    fill(data, sizeof data, 3);
    assert_int_equal(fat_open(v, "f.bin", FAT_O_RDWR | FAT_O_CREAT, &f), 0);
    memset(model, 0, sizeof model);
    /* writes at odd offsets, across sectors and clusters, past EOF */
    static const struct {
        uint32_t off, len;
    } w[] = {{0, 1}, {1, 510}, {511, 2}, {1000, 3000}, {5000, 1}, {20000, 40000}, {3, 64000}};
    size_t size = 0;
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        assert_int_equal(fat_seek(f, w[i].off, FAT_SEEK_SET, &pos), 0);
        assert_int_equal(fat_write(f, data + i, w[i].len), (long)w[i].len);
        memcpy(model + w[i].off, data + i, w[i].len);
        if (w[i].off + w[i].len > size) size = w[i].off + w[i].len;
        assert_int_equal(fat_tell(f), w[i].off + w[i].len);
    }
    assert_int_equal(fat_seek(f, 0, FAT_SEEK_SET, NULL), 0);
    assert_int_equal(fat_read(f, buf, sizeof buf), (long)size);
    assert_memory_equal(buf, model, size);
    /* relative seeks and reads at the end */
    assert_int_equal(fat_seek(f, -100, FAT_SEEK_END, &pos), 0);
    assert_int_equal(pos, size - 100);
    assert_int_equal(fat_seek(f, 50, FAT_SEEK_CUR, &pos), 0);
    assert_int_equal(fat_read(f, buf, 1000), 50);
    assert_memory_equal(buf, model + size - 50, 50);
    assert_int_equal(fat_read(f, buf, 1000), 0);
    assert_int_equal(fat_seek(f, -1, FAT_SEEK_SET, NULL), ERR_INVAL);
    assert_int_equal(fat_seek(f, 0x100000000LL, FAT_SEEK_SET, NULL), ERR_INVAL);
    assert_int_equal(fat_seek(f, 0, 7, NULL), ERR_INVAL);
    struct fat_stat st;
    assert_int_equal(fat_fstat(f, &st), 0);
    assert_int_equal(st.size, size);
    assert_int_equal(fat_close(f), 0);
    assert_int_equal(fat_stat(v, "F.BIN", &st), 0);
    assert_int_equal(st.size, size);
    assert_int_equal(st.mtime, 1714979290);
    assert_int_equal(st.ctime, 1714979290);
    assert_false(st.is_dir);
    assert_int_equal(fat_unmount(v), 0);
    v = md_mount(&d, 0);
    check_file(v, "f.bin", model, size);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

static void test_set_times(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_file *f;
    struct fat_stat st;
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    assert_int_equal(fat_open(v, "t.txt", FAT_O_RDWR | FAT_O_CREAT, &f), 0);
    assert_int_equal(fat_write(f, "x", 1), 1);
    assert_int_equal(fat_close(f), 0);
    /* 2010-01-01 13:07:09 UTC: FAT keeps the write time to 2 s */
    assert_int_equal(fat_set_times(v, "t.txt", 0, 1262351229, FAT_SET_MTIME), 0);
    assert_int_equal(fat_stat(v, "T.TXT", &st), 0);
    assert_int_equal(st.mtime, 1262351228);
    assert_int_equal(st.atime, 1714953600); /* the access date stays the creation day */
    assert_int_equal(fat_set_times(v, "t.txt", 1262351229, 0, FAT_SET_ATIME), 0);
    assert_int_equal(fat_stat(v, "t.txt", &st), 0);
    assert_int_equal(st.atime, 1262304000); /* the day only */
    assert_int_equal(st.mtime, 1262351228);
    /* an open handle's pending entry update goes first, not over the times */
    assert_int_equal(fat_open(v, "t.txt", FAT_O_RDWR, &f), 0);
    assert_int_equal(fat_write(f, "yz", 2), 2);
    assert_int_equal(fat_set_times(v, "t.txt", 0, 1262351229, FAT_SET_MTIME), 0);
    assert_int_equal(fat_stat(v, "t.txt", &st), 0);
    assert_int_equal(st.mtime, 1262351228);
    assert_int_equal(st.size, 2);
    assert_int_equal(fat_close(f), 0);
    assert_int_equal(fat_stat(v, "t.txt", &st), 0);
    assert_int_equal(st.mtime, 1262351228);
    assert_int_equal(fat_set_times(v, "nope", 0, 0, FAT_SET_MTIME), ERR_NOENT);
    assert_int_equal(fat_set_times(v, "", 0, 0, FAT_SET_MTIME), ERR_NOTSUP);
    assert_int_equal(fat_unmount(v), 0);
    v = md_mount(&d, 0); /* it reached the disk */
    assert_int_equal(fat_stat(v, "t.txt", &st), 0);
    assert_int_equal(st.mtime, 1262351228);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

static void test_truncate(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_file *f;
    struct fat_statfs st0, st;
    static uint8_t data[50000], zero[50000];
    NEED_MKFS(&d, "-F 16 -s 4", 30000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    assert_int_equal(fat_statfs(v, &st0), 0);
    fill(data, sizeof data, 4);
    put_file(v, "t", data, 30000);
    assert_int_equal(fat_open(v, "t", FAT_O_RDWR, &f), 0);
    assert_int_equal(fat_truncate(f, 4097), 0); /* keeps 3 clusters of 2 KiB */
    assert_int_equal(fat_statfs(v, &st), 0);
    assert_int_equal(st.free_clusters, st0.free_clusters - 3);
    assert_int_equal(fat_truncate(f, 40000), 0); /* grows with zeros */
    fat_close(f);
    uint8_t *expect = malloc(40000);
    memcpy(expect, data, 4097);
    memset(expect + 4097, 0, 40000 - 4097);
    check_file(v, "t", expect, 40000);
    assert_int_equal(fat_open(v, "t", FAT_O_WRITE, &f), 0);
    assert_int_equal(fat_truncate(f, 0), 0);
    fat_close(f);
    assert_int_equal(fat_statfs(v, &st), 0);
    assert_int_equal(st.free_clusters, st0.free_clusters);
    struct fat_stat s;
    assert_int_equal(fat_stat(v, "t", &s), 0);
    assert_int_equal(s.first_cluster, 0);
    /* seek past the end and write: the gap reads as zeros */
    assert_int_equal(fat_open(v, "t", FAT_O_RDWR, &f), 0);
    assert_int_equal(fat_seek(f, 10000, FAT_SEEK_SET, NULL), 0);
    assert_int_equal(fat_write(f, "end", 3), 3);
    fat_close(f);
    memset(expect, 0, 10000);
    memcpy(expect + 10000, "end", 3);
    check_file(v, "t", expect, 10003);
    (void)zero;
    free(expect);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

/* Whole cluster runs go to the device as one request. */
static void test_large_requests(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_file *f;
    size_t n = 1 << 20;
    uint8_t *data = malloc(n), *buf = malloc(n);
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    fill(data, n, 5);
    put_file(v, "big", data, n);
    assert_int_equal(d.max_write, n / 512);
    d.max_read = 0;
    assert_int_equal(fat_open(v, "big", FAT_O_READ, &f), 0);
    assert_int_equal(fat_read(f, buf, n), (long)n);
    assert_int_equal(d.max_read, n / 512);
    assert_memory_equal(buf, data, n);
    fat_close(f);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
    free(data);
    free(buf);
}

enum { R_DATA, R_FAT, R_DIR, R_OTHER };

static int region(const struct memdev *d, uint64_t lba, const uint8_t *sec, uint32_t root_sec)
{
    struct geo g = geo_of(d->data);
    uint64_t s = lba * d->ss / g.bps;
    (void)sec;
    if (s >= g.rsvd && s < g.rsvd + g.nfats * g.fatsz) return R_FAT;
    if (s == root_sec) return R_DIR;
    if (s >= g.data_start) return R_DATA;
    return R_OTHER;
}

/* The write order of volume.c: data, FAT, entry when creating; entry, FAT
 * when deleting. Checked on the device's request log. */
static void test_write_order(void **state)
{
    (void)state;
    struct memdev d;
    uint8_t data[20000];
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct geo g = geo_of(d.data);
    uint32_t root_sec = g.data_start + (g.root_clus - 2) * g.spc;
    struct fat_volume *v = md_mount(&d, 0);
    fill(data, sizeof data, 6);
    d.nlog = 0;
    put_file(v, "ordered.bin", data, sizeof data);
    int last_data = -1, first_fat = -1, last_fat = -1, first_dir = -1, last_dir = -1;
    for (size_t i = 0; i < d.nlog; i++) {
        int r = region(&d, d.log[i].lba, NULL, root_sec);
        if (r == R_DATA) last_data = (int)i;
        if (r == R_FAT) {
            if (first_fat < 0) first_fat = (int)i;
            last_fat = (int)i;
        }
        if (r == R_DIR) {
            if (first_dir < 0) first_dir = (int)i;
            last_dir = (int)i;
        }
    }
    assert_true(last_data >= 0 && first_fat > last_data);
    assert_true(last_dir > last_fat);
    /* deleting: the entry, then the FAT */
    d.nlog = 0;
    assert_int_equal(fat_unlink(v, "ordered.bin"), 0);
    assert_int_equal(fat_sync(v), 0);
    first_dir = first_fat = -1;
    for (size_t i = 0; i < d.nlog; i++) {
        int r = region(&d, d.log[i].lba, NULL, root_sec);
        if (r == R_DIR && first_dir < 0) first_dir = (int)i;
        if (r == R_FAT && first_fat < 0) first_fat = (int)i;
    }
    assert_true(first_dir >= 0 && first_fat > first_dir);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

/* FSInfo and both FAT copies after work, against the image bytes. */
static void test_fsinfo_and_fat_copies(void **state)
{
    (void)state;
    struct memdev d;
    static uint8_t data[100000];
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    fill(data, sizeof data, 7);
    put_file(v, "one", data, sizeof data);
    put_file(v, "two", data, 3000);
    assert_int_equal(fat_mkdir(v, "dir"), 0);
    put_file(v, "dir/three", data, 700);
    assert_int_equal(fat_unlink(v, "two"), 0);
    assert_int_equal(fat_unmount(v), 0);
    struct geo g = geo_of(d.data);
    uint32_t free_count = 0;
    for (uint32_t c = 2; c < g.clusters + 2; c++) {
        free_count += fat_entry(&d, 0, c) == 0;
        assert_int_equal(fat_entry(&d, 0, c), fat_entry(&d, 1, c));
    }
    const uint8_t *fsi = d.data + le16_get(d.data + 48) * g.bps;
    assert_int_equal(le32_get(fsi), 0x41615252);
    assert_int_equal(le32_get(fsi + 488), free_count);
    uint32_t next = le32_get(fsi + 492);
    assert_true(next >= 2 && next < g.clusters + 2);
    md_free(&d);
}

/* ---- names in directories ----------------------------------------------------------- */

static void test_long_names_and_aliases(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_dir *dir;
    struct fat_dirent e;
    char name[64], shorts[16][13];
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    for (int i = 0; i < 14; i++) {
        snprintf(name, sizeof name, "Long file name %d.text", i);
        put_file(v, name, name, strlen(name));
    }
    put_file(v, "UPPER.TXT", "u", 1);
    put_file(v, "lower.txt", "l", 1);
    assert_int_equal(fat_opendir(v, "", &dir), 0);
    int n = 0, k;
    while (fat_readdir(dir, &e) > 0) {
        n++;
        if (sscanf(e.name, "Long file name %d.text", &k) == 1 && k >= 0 && k < 14)
            snprintf(shorts[k], sizeof shorts[k], "%s", e.short_name);
    }
    fat_closedir(dir);
    assert_int_equal(n, 16);
    for (int i = 0; i < 4; i++) {
        snprintf(name, sizeof name, "LONGFI~%d.TEX", i + 1);
        assert_string_equal(shorts[i], name);
    }
    for (int i = 4; i < 14; i++) { /* hashed: LOxxxx~1, the hash of each long name */
        assert_memory_equal(shorts[i], "LO", 2);
        for (int h = 2; h < 6; h++)
            assert_non_null(strchr("0123456789ABCDEF", shorts[i][h]));
        assert_memory_equal(shorts[i] + 6, "~1.TEX", 7);
    }
    for (int i = 0; i < 14; i++)
        for (int j = 0; j < i; j++)
            assert_string_not_equal(shorts[i], shorts[j]);
    /* case-insensitive lookups by long name and by alias; case preserved */
    struct fat_stat st;
    assert_int_equal(fat_stat(v, "LONG FILE NAME 3.TEXT", &st), 0);
    assert_int_equal(st.size, strlen("Long file name 3.text"));
    assert_int_equal(fat_stat(v, "longfi~2.tex", &st), 0);
    assert_int_equal(st.size, strlen("Long file name 1.text"));
    assert_int_equal(fat_opendir(v, "", &dir), 0);
    while (fat_readdir(dir, &e) > 0)
        if (!strcmp(e.short_name, "LOWER.TXT")) assert_string_equal(e.name, "lower.txt");
    fat_closedir(dir);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

static void test_paths(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_stat st;
    NEED_MKFS(&d, "-F 16 -s 1", 24000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    assert_int_equal(fat_mkdir(v, "a"), 0);
    assert_int_equal(fat_mkdir(v, "/a/b"), 0);
    assert_int_equal(fat_stat(v, "a/b", &st), 0);
    assert_true(st.is_dir);
    assert_int_equal(fat_stat(v, "", &st), 0);
    assert_true(st.is_dir);
    static const char *bad[] = {"a//b", "a/./b", "a/../a", "a/", "a/b/", "x\x01y", "a|b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(fat_stat(v, bad[i], &st), ERR_INVAL);
    assert_int_equal(fat_mkdir(v, "a"), ERR_EXIST);
    assert_int_equal(fat_mkdir(v, ""), ERR_EXIST);
    assert_int_equal(fat_mkdir(v, "nope/x"), ERR_NOENT);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

static void test_unlink_rmdir(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_dir *dir;
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    assert_int_equal(fat_mkdir(v, "d"), 0);
    put_file(v, "d/f", "x", 1);
    assert_int_equal(fat_rmdir(v, "d"), ERR_NOTEMPTY);
    assert_int_equal(fat_rmdir(v, "d/f"), ERR_NOTDIR);
    assert_int_equal(fat_unlink(v, "d"), ERR_ISDIR);
    assert_int_equal(fat_rmdir(v, ""), ERR_BUSY);
    assert_int_equal(fat_unlink(v, "d/missing"), ERR_NOENT);
    assert_int_equal(fat_unlink(v, "d/f"), 0);
    assert_int_equal(fat_opendir(v, "d", &dir), 0);
    assert_int_equal(fat_rmdir(v, "d"), ERR_BUSY);
    assert_int_equal(fat_unmount(v), ERR_BUSY);
    fat_closedir(dir);
    assert_int_equal(fat_rmdir(v, "d"), 0);
    struct fat_stat st;
    assert_int_equal(fat_stat(v, "d", &st), ERR_NOENT);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

static void test_rename_rules(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_file *f;
    struct fat_stat st;
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    put_file(v, "src.txt", "source", 6);
    put_file(v, "dst.txt", "destination", 11);
    assert_int_equal(fat_mkdir(v, "d1"), 0);
    assert_int_equal(fat_mkdir(v, "d1/inner"), 0);
    assert_int_equal(fat_mkdir(v, "d2"), 0);
    assert_int_equal(fat_mkdir(v, "full"), 0);
    put_file(v, "full/x", "x", 1);
    assert_int_equal(fat_rename(v, "missing", "x"), ERR_NOENT);
    assert_int_equal(fat_rename(v, "src.txt", "d1"), ERR_ISDIR);
    assert_int_equal(fat_rename(v, "d1", "dst.txt"), ERR_NOTDIR);
    assert_int_equal(fat_rename(v, "d2", "full"), ERR_NOTEMPTY);
    assert_int_equal(fat_rename(v, "d1", "d1/inner/deeper"), ERR_INVAL);
    assert_int_equal(fat_rename(v, "d1", "d1/x"), ERR_INVAL);
    assert_int_equal(fat_rename(v, "", "x"), ERR_BUSY);
    /* file over file: replaced, its clusters freed */
    assert_int_equal(fat_rename(v, "src.txt", "dst.txt"), 0);
    check_file(v, "dst.txt", "source", 6);
    assert_int_equal(fat_stat(v, "src.txt", &st), ERR_NOENT);
    /* directory over an empty directory, across parents; ".." follows */
    assert_int_equal(fat_rename(v, "d1", "d2"), 0);
    assert_int_equal(fat_stat(v, "d2/inner", &st), 0);
    assert_int_equal(fat_rename(v, "d2/inner", "full/inner moved"), 0);
    put_file(v, "full/inner moved/deep.txt", "deep", 4);
    check_file(v, "full/inner moved/deep.txt", "deep", 4);
    /* case-only rename keeps the entry, changes the spelling */
    assert_int_equal(fat_rename(v, "dst.txt", "DST.TXT"), 0);
    struct fat_dir *dir;
    struct fat_dirent e;
    int found = 0;
    assert_int_equal(fat_opendir(v, "", &dir), 0);
    while (fat_readdir(dir, &e) > 0)
        found += !strcmp(e.name, "DST.TXT");
    fat_closedir(dir);
    assert_int_equal(found, 1);
    assert_int_equal(fat_rename(v, "DST.TXT", "DST.TXT"), 0);
    /* an open file renamed keeps working through its handle */
    assert_int_equal(fat_open(v, "DST.TXT", FAT_O_RDWR | FAT_O_APPEND, &f), 0);
    assert_int_equal(fat_rename(v, "DST.TXT", "d2/moved while open.txt"), 0);
    assert_int_equal(fat_write(f, "+more", 5), 5);
    assert_int_equal(fat_close(f), 0);
    check_file(v, "d2/moved while open.txt", "source+more", 11);
    /* replacing an open file is refused */
    put_file(v, "victim", "v", 1);
    assert_int_equal(fat_open(v, "victim", FAT_O_READ, &f), 0);
    assert_int_equal(fat_rename(v, "d2/moved while open.txt", "victim"), ERR_BUSY);
    fat_close(f);
    /* a directory whose ".." is damaged is not moved (and not lost) */
    assert_int_equal(fat_mkdir(v, "d2/bad dots"), 0);
    assert_int_equal(fat_stat(v, "d2/bad dots", &st), 0);
    assert_int_equal(fat_unmount(v), 0);
    struct geo g = geo_of(d.data);
    d.data[(size_t)(g.data_start + (st.first_cluster - 2) * g.spc) * g.bps + 32 + 1] = 'X';
    v = md_mount(&d, 0);
    assert_int_equal(fat_rename(v, "d2/bad dots", "elsewhere"), ERR_CORRUPT);
    assert_int_equal(fat_stat(v, "d2/bad dots", &st), 0);
    assert_int_equal(fat_rename(v, "d2/bad dots", "d2/renamed in place"), 0);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

/* ---- corrupt images ----------------------------------------------------------------- */

static void set_fat(struct memdev *d, uint32_t clus, uint32_t val)
{
    struct geo g = geo_of(d->data);
    for (uint32_t c = 0; c < g.nfats; c++) {
        uint8_t *fat = d->data + (size_t)(g.rsvd + c * g.fatsz) * g.bps;
        le32_put(fat + clus * 4, val);
    }
}

static void test_corrupt_chains(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_file *f;
    struct fat_stat st;
    static uint8_t data[8192], buf[8192];
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    fill(data, sizeof data, 8);
    put_file(v, "chain", data, sizeof data);
    assert_int_equal(fat_stat(v, "chain", &st), 0);
    assert_int_equal(fat_unmount(v), 0);
    uint32_t c0 = st.first_cluster;
    struct geo g = geo_of(d.data);
    static const uint32_t bad[] = {0 /* free */, 1, 0x0FFFFFF7 /* bad */, 0x0FFFFFF0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0] + 2; i++) {
        uint32_t val = i < 4 ? bad[i] : i == 4 ? g.clusters + 2 : c0; /* range, loop */
        uint32_t keep = fat_entry(&d, 0, c0 + 3);
        set_fat(&d, c0 + 3, val);
        v = md_mount(&d, 0);
        assert_int_equal(fat_open(v, "chain", FAT_O_READ, &f), 0);
        long r = fat_read(f, buf, sizeof buf);
        assert_int_equal(r, ERR_CORRUPT);
        /* writing over or truncating a broken chain fails cleanly too */
        fat_close(f);
        assert_int_equal(fat_open(v, "chain", FAT_O_WRITE, &f), 0);
        fat_seek(f, 0, FAT_SEEK_END, NULL);
        assert_true(fat_write(f, "x", 1) < 0);
        fat_close(f);
        assert_int_equal(fat_unmount(v), 0);
        set_fat(&d, c0 + 3, keep);
    }
    /* a root directory cluster linking to itself, full of entries: bounded */
    v = md_mount(&d, 0);
    assert_int_equal(fat_unmount(v), 0);
    uint8_t *root = d.data + (size_t)(g.data_start + (g.root_clus - 2) * g.spc) * g.bps;
    for (int k = 0; k < 16; k++) {
        memcpy(root + 32 * k, "FILLER  BIN", 11);
        root[32 * k + 11] = 0x20;
        root[32 * k + 7] = (uint8_t)('A' + k);
    }
    set_fat(&d, g.root_clus, g.root_clus);
    v = md_mount(&d, 0);
    struct fat_dir *dir;
    struct fat_dirent e;
    int r, n = 0;
    assert_int_equal(fat_opendir(v, "", &dir), 0);
    while ((r = fat_readdir(dir, &e)) > 0)
        n++;
    assert_int_equal(r, ERR_CORRUPT);
    assert_true(n <= 65536);
    fat_closedir(dir);
    assert_int_equal(fat_stat(v, "nothing", &st), ERR_CORRUPT);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

/* A volume image kept pristine while a test bends one FAT link at a time
 * and checks afterwards that the FAT did not change. */
struct bent_image {
    struct memdev *d;
    struct geo g;
    size_t img, fat_bytes;
    uint8_t *pristine, *saved, *fat0;
};

static void bent_init(struct bent_image *b, struct memdev *d)
{
    b->d = d;
    b->g = geo_of(d->data);
    b->img = (size_t)d->sectors * d->ss;
    b->fat_bytes = (size_t)b->g.fatsz * b->g.bps;
    b->fat0 = d->data + (size_t)b->g.rsvd * b->g.bps;
    b->pristine = malloc(b->img);
    b->saved = malloc(b->fat_bytes);
    assert_non_null(b->pristine);
    assert_non_null(b->saved);
    memcpy(b->pristine, d->data, b->img);
}

/* Restores the pristine image, points clus's link at to, saves the FAT. */
static void bent_link(struct bent_image *b, uint32_t clus, uint32_t to)
{
    memcpy(b->d->data, b->pristine, b->img);
    set_fat(b->d, clus, to);
    memcpy(b->saved, b->fat0, b->fat_bytes);
}

static void bent_assert_fat_unchanged(const struct bent_image *b)
{
    assert_memory_equal(b->fat0, b->saved, b->fat_bytes);
}

static void bent_free(struct bent_image *b)
{
    free(b->saved);
    free(b->pristine);
}

/* Chains that loop back inside the file's size (so that the size alone never
 * stops a walk): read, seek and read, truncate, write and unlink each fail
 * with ERR_CORRUPT, and a failed truncate frees nothing. */
static void test_chain_loops(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_file *f;
    struct fat_stat st;
    static uint8_t data[8192], buf[8192];
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    fill(data, sizeof data, 9);
    put_file(v, "loop", data, sizeof data);
    assert_int_equal(fat_stat(v, "loop", &st), 0);
    assert_int_equal(fat_unmount(v), 0);
    uint32_t c0 = st.first_cluster;
    struct bent_image b;
    bent_init(&b, &d);
    /* {cluster (from the first) whose link is bent, where it now points} */
    static const uint32_t loops[][2] = {{3, 0}, {3, 3}, {0, 0}, {15, 8}};
    for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++) {
        bent_link(&b, c0 + loops[i][0], c0 + loops[i][1]);
        v = md_mount(&d, 0);
        assert_int_equal(fat_open(v, "loop", FAT_O_READ, &f), 0);
        assert_int_equal(fat_read(f, buf, sizeof buf), ERR_CORRUPT);
        assert_int_equal(fat_seek(f, 8000, FAT_SEEK_SET, NULL), 0);
        assert_int_equal(fat_read(f, buf, 100), ERR_CORRUPT);
        fat_close(f);
        assert_int_equal(fat_open(v, "loop", FAT_O_RDWR, &f), 0);
        assert_int_equal(fat_truncate(f, 1000), ERR_CORRUPT);
        assert_true(fat_write(f, "x", 1) < 0);
        fat_close(f);
        assert_int_equal(fat_unmount(v), 0);
        bent_assert_fat_unchanged(&b); /* nothing was freed */
        v = md_mount(&d, 0);
        assert_int_equal(fat_unlink(v, "loop"), ERR_CORRUPT);
        assert_int_equal(fat_unmount(v), 0);
    }
    bent_free(&b);
    md_free(&d);
}

/* Reads directory d to its end: the number of entries, or the error. */
static int count_dir(struct fat_volume *v, const char *path)
{
    struct fat_dir *dir;
    struct fat_dirent e;
    int r = fat_opendir(v, path, &dir), n = 0;
    if (r < 0) return r;
    while ((r = fat_readdir(dir, &e)) == 1)
        n++;
    fat_closedir(dir);
    return r < 0 ? r : n;
}

/* A directory whose cluster chain loops (a crafted or damaged image):
 * listing it, looking names up in it, adding to it and removing it all
 * fail with ERR_CORRUPT at once, and nothing in the FAT changes. */
static void test_dir_chain_loops(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_stat st;
    char name[32];
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    assert_int_equal(fat_mkdir(v, "d"), 0);
    for (int i = 0; i < 40; i++) { /* 16 entries per 512-byte cluster: 3 clusters and more */
        snprintf(name, sizeof name, "d/f%02d", i);
        put_file(v, name, "x", 1);
    }
    assert_int_equal(count_dir(v, "d"), 40);
    assert_int_equal(fat_stat(v, "d", &st), 0);
    assert_int_equal(fat_unmount(v), 0);
    struct bent_image b;
    bent_init(&b, &d);
    uint32_t c0 = st.first_cluster;
    uint32_t c1 = le32_get(b.fat0 + c0 * 4) & 0x0FFFFFFF; /* the directory's second cluster */
    /* {cluster whose link is bent, where it now points} */
    const uint32_t loops[][2] = {{c0, c0}, {c1, c0}, {c1, c1}};
    for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++) {
        bent_link(&b, loops[i][0], loops[i][1]);
        v = md_mount(&d, 0);
        assert_int_equal(count_dir(v, "d"), ERR_CORRUPT);
        assert_int_equal(fat_stat(v, "d/nothing", &st), ERR_CORRUPT);
        struct fat_file *f;
        assert_int_equal(fat_open(v, "d/new", FAT_O_WRITE | FAT_O_CREAT, &f), ERR_CORRUPT);
        assert_int_equal(fat_mkdir(v, "d/sub"), ERR_CORRUPT);
        assert_int_equal(fat_rmdir(v, "d"), ERR_CORRUPT);
        assert_int_equal(count_dir(v, ""), 1); /* the rest of the volume still works */
        assert_int_equal(fat_unmount(v), 0);
        bent_assert_fat_unchanged(&b); /* nothing was freed or added */
    }
    bent_free(&b);
    md_free(&d);
}

static void test_bad_lfn(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_dir *dir;
    struct fat_dirent e;
    struct fat_stat st;
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    put_file(v, "A long name that needs LFN.txt", "data", 4);
    put_file(v, "second long name.txt", "2", 1);
    assert_int_equal(fat_unmount(v), 0);
    struct geo g = geo_of(d.data);
    uint8_t *root = d.data + (size_t)(g.data_start + (g.root_clus - 2) * g.spc) * g.bps;
    assert_int_equal(root[11], 0x0F);
    root[13] ^= 0x55; /* checksum of the first set's first LFN entry */
    int k = 0;
    while (root[32 * k + 11] == 0x0F)
        k++;
    k++; /* the second set: break its ordinal sequence */
    root[32 * (k + 1)] = 0x07;
    v = md_mount(&d, 0);
    assert_int_equal(fat_opendir(v, "", &dir), 0);
    int n = 0;
    while (fat_readdir(dir, &e) > 0) {
        n++;
        assert_null(strchr(e.name, ' ')); /* only the aliases show */
    }
    fat_closedir(dir);
    assert_int_equal(n, 2);
    assert_int_equal(fat_stat(v, "A long name that needs LFN.txt", &st), ERR_NOENT);
    assert_int_equal(fat_stat(v, "ALONGN~1.TXT", &st), 0);
    assert_int_equal(st.size, 4);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

static void test_device_errors(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_file *f;
    static uint8_t data[20000];
    NEED_MKFS(&d, "-F 32 -s 1", 40000, 512);
    struct fat_volume *v = md_mount(&d, 0);
    put_file(v, "f", data, sizeof data);
    assert_int_equal(fat_unmount(v), 0);
    for (int after = 0; after < 12; after++) {
        d.fail_reads_after = after;
        struct fat_blockdev bd = {&d, md_read, md_write, md_flush, NULL, d.ss, d.sectors};
        if (fat_mount(&bd, NULL, FAT_MOUNT_RDONLY, &v) < 0) continue;
        int r = fat_open(v, "f", FAT_O_READ, &f);
        if (r == 0) {
            long n = fat_read(f, data, sizeof data);
            assert_true(n == ERR_IO || n == (long)sizeof data || n > 0);
            fat_close(f);
        } else {
            assert_int_equal(r, ERR_IO);
        }
        fat_unmount(v);
    }
    md_free(&d);
}

static void test_full_disk_and_root(void **state)
{
    (void)state;
    struct memdev d;
    struct fat_file *f;
    struct fat_statfs st;
    char name[32];
    static uint8_t chunk[65536];
    NEED_MKFS(&d, "-F 12 -s 1 -r 32", 1440, 512);
    struct fat_volume *v = md_mount(&d, 0);
    /* the fixed FAT12 root holds 32 entries */
    int made = 0, r = 0;
    for (int i = 0; i < 40 && r == 0; i++) {
        snprintf(name, sizeof name, "F%d", i);
        if ((r = fat_open(v, name, FAT_O_WRITE | FAT_O_CREAT, &f)) == 0) {
            fat_close(f);
            made++;
        }
    }
    assert_int_equal(r, ERR_NOSPC);
    assert_int_equal(made, 32);
    assert_int_equal(fat_unlink(v, "F0"), 0);
    assert_int_equal(fat_mkdir(v, "dir"), ERR_NOSPC); /* needs 2 entries: LFN + short */
    assert_int_equal(fat_mkdir(v, "DIR"), 0);
    /* fill the data area */
    assert_int_equal(fat_open(v, "dir/fill", FAT_O_WRITE | FAT_O_CREAT, &f), 0);
    long w, total = 0;
    while ((w = fat_write(f, chunk, sizeof chunk)) == (long)sizeof chunk)
        total += w;
    assert_true(w >= 0 || w == ERR_NOSPC);
    if (w > 0) total += w;
    assert_int_equal(fat_write(f, chunk, 1), ERR_NOSPC);
    fat_close(f);
    assert_int_equal(fat_statfs(v, &st), 0);
    assert_int_equal(st.free_clusters, 0);
    assert_int_equal(fat_mkdir(v, "another"), ERR_NOSPC);
    assert_int_equal(fat_unlink(v, "dir/fill"), 0);
    assert_int_equal(fat_statfs(v, &st), 0);
    assert_int_equal(st.free_clusters, (uint32_t)(total + 511) / 512);
    assert_int_equal(fat_unmount(v), 0);
    md_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum_and_basis),
        cmocka_unit_test(test_name_parse_rules),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_fat_types),
        cmocka_unit_test(test_bad_bpb),
        cmocka_unit_test(test_label_and_two_volumes),
        cmocka_unit_test(test_open_flags),
        cmocka_unit_test(test_read_write_seek),
        cmocka_unit_test(test_set_times),
        cmocka_unit_test(test_truncate),
        cmocka_unit_test(test_large_requests),
        cmocka_unit_test(test_write_order),
        cmocka_unit_test(test_fsinfo_and_fat_copies),
        cmocka_unit_test(test_long_names_and_aliases),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_unlink_rmdir),
        cmocka_unit_test(test_rename_rules),
        cmocka_unit_test(test_corrupt_chains),
        cmocka_unit_test(test_chain_loops),
        cmocka_unit_test(test_dir_chain_loops),
        cmocka_unit_test(test_bad_lfn),
        cmocka_unit_test(test_device_errors),
        cmocka_unit_test(test_full_disk_and_root),
    };
    return cmocka_run_group_tests_name("lib/fat", tests, NULL, NULL);
}
