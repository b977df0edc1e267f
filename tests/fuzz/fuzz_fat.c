/*
 * tests/fuzz/fuzz_fat.c - libFuzzer target for lib/fat: mounts a mutated
 * image, walks every directory, stats and reads every file (at several
 * offsets), then runs a few writes (mkdir, create, write, rename, unlink,
 * truncate, rmdir) over whatever the image holds, and unmounts.
 *
 * The input is the start of a disk image; the device is at least 64 MiB and
 * reads past the input return zeros, so small inputs can hold FAT32 volumes
 * (whose FATs are mostly zeros). Writes land in a copy of the input and are
 * dropped past its end. Seeds: make_fuzz_seeds.py (mkfs.fat + mtools).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fat/fat.h"

struct fzdev {
    uint8_t *data;
    size_t len;
};

static int fz_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
    struct fzdev *d = ctx;
    uint64_t off = lba * 512, n = (uint64_t)count * 512;
    memset(buf, 0, n);
    if (off < d->len) memcpy(buf, d->data + off, (size_t)(n < d->len - off ? n : d->len - off));
    return 0;
}

static int fz_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
    struct fzdev *d = ctx;
    uint64_t off = lba * 512, n = (uint64_t)count * 512;
    if (off < d->len) memcpy(d->data + off, buf, (size_t)(n < d->len - off ? n : d->len - off));
    return 0;
}

static int fz_flush(void *ctx)
{
    (void)ctx;
    return 0;
}

static unsigned budget; /* entries visited, bounded per input */

static void read_file(struct fat_volume *v, const char *path, uint64_t size)
{
    static uint8_t buf[16384];
    struct fat_file *f;
    if (fat_open(v, path, FAT_O_READ, &f) < 0) return;
    long total = 0, n;
    while (total < 65536 && (n = fat_read(f, buf, sizeof buf)) > 0)
        total += n;
    if (size > 3 && fat_seek(f, (int64_t)(size / 3), FAT_SEEK_SET, NULL) == 0)
        fat_read(f, buf, 700);
    if (fat_seek(f, -5, FAT_SEEK_END, NULL) == 0) fat_read(f, buf, 100);
    struct fat_stat st;
    fat_fstat(f, &st);
    fat_close(f);
}

static void walk(struct fat_volume *v, const char *path, int depth)
{
    struct fat_dir *d;
    struct fat_dirent e;
    char sub[1024];
    if (depth > 6 || fat_opendir(v, path, &d) < 0) return;
    while (budget < 400 && fat_readdir(d, &e) > 0) {
        budget++;
        if (snprintf(sub, sizeof sub, "%s/%s", path, e.name) >= (int)sizeof sub) continue;
        struct fat_stat st;
        fat_stat(v, sub, &st);
        if (e.st.is_dir)
            walk(v, sub, depth + 1);
        else
            read_file(v, sub, e.st.size);
    }
    fat_closedir(d);
}

/* The first file and the first directory of the root, if any. */
static void first_entries(struct fat_volume *v, char *file, char *dir, size_t size)
{
    struct fat_dir *d;
    struct fat_dirent e;
    file[0] = dir[0] = 0;
    if (fat_opendir(v, "", &d) < 0) return;
    for (int i = 0; i < 64 && fat_readdir(d, &e) > 0; i++) {
        char *dst = e.st.is_dir ? dir : file;
        if (!dst[0]) snprintf(dst, size, "%s", e.name);
    }
    fat_closedir(d);
}

static void writes(struct fat_volume *v)
{
    static uint8_t data[5000];
    char file[800], dir[800], path[900];
    struct fat_file *f;
    struct fat_statfs sf;
    first_entries(v, file, dir, sizeof file);
    fat_statfs(v, &sf);
    fat_mkdir(v, "fuzz dir");
    if (fat_open(v, "fuzz dir/A long fuzzed name.bin", FAT_O_RDWR | FAT_O_CREAT, &f) == 0) {
        fat_write(f, data, sizeof data);
        fat_seek(f, 100, FAT_SEEK_SET, NULL);
        fat_write(f, data, 10);
        fat_truncate(f, 1000);
        fat_close(f);
    }
    if (file[0]) {
        if (fat_open(v, file, FAT_O_WRITE | FAT_O_APPEND, &f) == 0) {
            fat_write(f, data, 700);
            fat_truncate(f, 3);
            fat_close(f);
        }
        snprintf(path, sizeof path, "fuzz dir/%s", file);
        fat_rename(v, file, path);
        fat_unlink(v, path);
    }
    if (dir[0]) {
        snprintf(path, sizeof path, "%s/moved", dir);
        fat_rename(v, "fuzz dir", path);
        fat_rmdir(v, dir);
    }
    fat_sync(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fzdev dev = {malloc(size ? size : 1), size};
    if (!dev.data) return 0;
    memcpy(dev.data, data, size);
    uint64_t sectors = (size + 511) / 512;
    if (sectors < 131072) sectors = 131072;
    struct fat_blockdev bd = {&dev, fz_read, fz_write, fz_flush, NULL, 512, sectors};
    struct fat_volume *v;
    budget = 0;
    if (fat_mount(&bd, NULL, 0, &v) == 0) {
        char label[16];
        fat_label(v, label, sizeof label);
        walk(v, "", 0);
        writes(v);
        budget = 0;
        walk(v, "", 0);
        if (fat_unmount(v) == ERR_BUSY) abort(); /* every handle was closed: a leak of nodes */
    }
    free(dev.data);
    return 0;
}
