/*
 * bench/fat/bench_fat.c - sequential write and read throughput of lib/fat
 * (release build) over an image file, for `make bench`.
 *
 *   bench_fat DIR [MiB]
 *
 * For FAT32 with 512-byte and with 4 KiB clusters: mkfs.fat makes an image
 * in DIR, a file of MiB (default 256) is written in 1 MiB calls, closed and
 * synced (the device's flush is fdatasync), the volume is remounted and the
 * file read back in 1 MiB calls and checked. Prints
 *   BENCH fat_host_seq_write_c512 X MiB/s   (and _read_, and _c4k)
 * plus the number of write requests and the largest one (a whole 1 MiB
 * write call reaches the device as one request). Reads come from the
 * host's page cache (the image was just written), so they measure lib/fat's
 * own cost; writes include the final fdatasync.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "fat/fat.h"
#include "host/kpio-disk/filedev.h"

#define CHUNK (1u << 20)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, int err)
{
    fprintf(stderr, "bench_fat: %s: %s\n", what, err_name(err));
    return 1;
}

static int bench(const char *dir, const char *tag, unsigned spc, unsigned mib)
{
    char img[1024], cmd[1200];
    unsigned kib = mib * 1024 + mib * 1024 / 8 + 65536;
    snprintf(img, sizeof img, "%s/bench-fat-%s.img", dir, tag);
    unlink(img);
    snprintf(cmd, sizeof cmd, "mkfs.fat -C -F 32 -s %u '%s' %u >/dev/null", spc, img, kib);
    if (system(cmd) != 0) return die("mkfs.fat", ERR_IO);
    struct filedev dev;
    int r = filedev_open(&dev, img, 512, false);
    if (r < 0) return die("open image", r);
    dev.fsync_on_flush = true;
    struct fat_blockdev bd = filedev_blockdev(&dev);
    struct fat_clock clk = filedev_clock();
    struct fat_volume *v;
    struct fat_file *f;
    uint8_t *buf = malloc(CHUNK);
    for (unsigned i = 0; i < CHUNK; i++)
        buf[i] = (uint8_t)(i * 131 + (i >> 9));
    if ((r = fat_mount(&bd, &clk, 0, &v)) < 0) return die("mount", r);
    double t0 = now();
    if ((r = fat_open(v, "bench.bin", FAT_O_WRITE | FAT_O_CREAT, &f)) < 0) return die("create", r);
    for (unsigned i = 0; i < mib; i++) {
        buf[0] = (uint8_t)i;
        if (fat_write(f, buf, CHUNK) != (long)CHUNK) return die("write", ERR_IO);
    }
    if ((r = fat_close(f)) < 0 || (r = fat_sync(v)) < 0) return die("close/sync", r);
    double t1 = now();
    uint64_t reqs = dev.requests;
    if ((r = fat_unmount(v)) < 0 || (r = fat_mount(&bd, &clk, 0, &v)) < 0) return die("remount", r);
    uint8_t *rbuf = malloc(CHUNK);
    double t2 = now();
    if ((r = fat_open(v, "bench.bin", FAT_O_READ, &f)) < 0) return die("open", r);
    for (unsigned i = 0; i < mib; i++) {
        buf[0] = (uint8_t)i;
        if (fat_read(f, rbuf, CHUNK) != (long)CHUNK || memcmp(rbuf, buf, CHUNK) != 0)
            return die("read back differs", ERR_CORRUPT);
    }
    fat_close(f);
    double t3 = now();
    fat_unmount(v);
    filedev_close(&dev);
    unlink(img);
    printf("BENCH fat_host_seq_write_%s %.1f MiB/s\n", tag, mib / (t1 - t0));
    printf("BENCH fat_host_seq_read_%s %.1f MiB/s\n", tag, mib / (t3 - t2));
    printf("BENCH fat_host_write_requests_%s %llu requests\n", tag, (unsigned long long)reqs);
    printf("BENCH fat_host_largest_write_%s %u KiB\n", tag, dev.max_request / 2);
    free(buf);
    free(rbuf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_fat DIR [MiB]\n");
        return 2;
    }
    unsigned mib = argc > 2 ? (unsigned)atoi(argv[2]) : 256;
    if (bench(argv[1], "c512", 1, mib) || bench(argv[1], "c4k", 8, mib)) return 1;
    return 0;
}
