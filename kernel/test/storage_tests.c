/*
 * kernel/test/storage_tests.c - self-tests of the storage stack on a real
 * virtio disk: VFS -> lib/fat -> buffer cache -> virtio-blk.
 *
 * The host harness (tests/qemu/test_storage.py) prepares the image with
 * mkfs.fat and mtools (/input.bin, /todelete.txt, an empty /out) and passes
 * the expected hash of /input.bin as the option expect_input=HEX. After
 * power-off it checks what these tests wrote with mtools and fsck.fat.
 * Large data comes from xorshift64* (seed 42) so the host can regenerate it.
 */
#include "base/error.h"
#include "base/mem.h"
#include "base/sha256.h"
#include "kernel/block/block.h"
#include "kernel/boot/cmdline.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/test/selftest.h"
#include "kernel/time/clock.h"

#define BIG_FILE_MIB 40
#define CHUNK        (1u << 20)

static const char hello[] = "hello from KPIO\n";

static void prng_fill(uint64_t *state, uint8_t *buf, size_t len)
{
    uint64_t x = *state;
    for (size_t i = 0; i < len; i += 8) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        uint64_t v = x * 0x2545F4914F6CDD1Dull;
        for (int k = 0; k < 8 && i + (size_t)k < len; k++)
            buf[i + (size_t)k] = (uint8_t)(v >> (8 * k));
    }
    *state = x;
}

static const char *hash_file(const char *path, char hex[65], uint64_t *bytes)
{
    struct file *f;
    int err = vfs_open(path, VFS_O_READ, &f);
    if (err < 0) return selftest_fail("open %s: %s", path, err_str(err));
    uint8_t *buf = kmalloc(CHUNK);
    struct sha256 s;
    sha256_init(&s);
    long n;
    *bytes = 0;
    while (buf && (n = vfs_read(f, buf, CHUNK)) > 0) {
        sha256_update(&s, buf, (size_t)n);
        *bytes += (uint64_t)n;
    }
    kfree(buf);
    vfs_close(f);
    if (!buf) return "out of memory";
    uint8_t d[32];
    sha256_final(&s, d);
    sha256_hex(d, hex);
    return NULL;
}

static const char *test_read_input(void)
{
    char hex[65];
    uint64_t bytes;
    const char *err = hash_file("/input.bin", hex, &bytes);
    if (err) return err;
    kprintf("[test] sha256 /input.bin %s (%llu bytes)\n", hex, (unsigned long long)bytes);
    const char *want = cmdline_get("expect_input");
    if (!want) return "no expect_input option to compare with";
    if (strcmp(want, hex) != 0) return selftest_fail("hash %s, expected %s", hex, want);
    return NULL;
}

static const char *test_small_file(void)
{
    struct file *f;
    int err = vfs_open("/out/hello.txt", VFS_O_WRITE | VFS_O_CREAT | VFS_O_EXCL, &f);
    if (err < 0) return selftest_fail("create: %s", err_str(err));
    long n = vfs_write(f, hello, sizeof hello - 1);
    vfs_close(f);
    if (n != (long)sizeof hello - 1) return selftest_fail("write returned %ld", n);
    if (vfs_open("/out/hello.txt", VFS_O_WRITE | VFS_O_CREAT | VFS_O_EXCL, &f) != ERR_EXIST)
        return "O_EXCL on an existing file did not fail with ERR_EXIST";
    char buf[64] = {0};
    if ((err = vfs_open("/out/../out//./hello.txt", VFS_O_READ, &f)) < 0)
        return selftest_fail("reopen through .. and //: %s", err_str(err));
    n = vfs_read(f, buf, sizeof buf);
    struct vfs_stat st;
    vfs_fstat(f, &st);
    vfs_close(f);
    if (n != (long)sizeof hello - 1 || memcmp(buf, hello, sizeof hello - 1) != 0 ||
        st.size != sizeof hello - 1)
        return "read back different contents";
    return NULL;
}

static const char *test_seek_append_truncate(void)
{
    struct file *f;
    int err = vfs_open("/out/edit.txt", VFS_O_RDWR | VFS_O_CREAT | VFS_O_TRUNC, &f);
    if (err < 0) return selftest_fail("create: %s", err_str(err));
    vfs_write(f, "0123456789", 10);
    uint64_t pos;
    vfs_seek(f, 2, VFS_SEEK_SET, &pos);
    vfs_write(f, "ab", 2);
    vfs_pwrite(f, "Z", 1, 9);
    char buf[16] = {0};
    vfs_pread(f, buf, 10, 0);
    if (memcmp(buf, "01ab45678Z", 10) != 0) return selftest_fail("after seek+write: '%.10s'", buf);
    vfs_truncate(f, 4);
    vfs_truncate(f, 6); /* grows with zeros */
    memset(buf, 'x', sizeof buf);
    long n = vfs_pread(f, buf, 16, 0);
    vfs_close(f);
    if (n != 6 || memcmp(buf, "01ab\0\0", 6) != 0)
        return selftest_fail("after truncate: %ld bytes", n);
    if ((err = vfs_open("/out/edit.txt", VFS_O_WRITE | VFS_O_APPEND, &f)) < 0)
        return "reopen for append";
    vfs_seek(f, 0, VFS_SEEK_SET, &pos);
    vfs_write(f, "END", 3);
    struct vfs_stat st;
    vfs_fstat(f, &st);
    vfs_close(f);
    if (st.size != 9) return selftest_fail("append: size %llu", (unsigned long long)st.size);
    return NULL;
}

static const char *test_big_file(void)
{
    uint8_t *buf = kmalloc(CHUNK);
    if (!buf) return "out of memory";
    struct file *f;
    int err = vfs_open("/out/big.bin", VFS_O_WRITE | VFS_O_CREAT | VFS_O_TRUNC, &f);
    if (err < 0) {
        kfree(buf);
        return selftest_fail("create: %s", err_str(err));
    }
    uint64_t seed = 42;
    struct sha256 s;
    sha256_init(&s);
    uint64_t t0 = clock_monotonic_ns();
    for (int i = 0; i < BIG_FILE_MIB && err >= 0; i++) {
        prng_fill(&seed, buf, CHUNK);
        sha256_update(&s, buf, CHUNK);
        long n = vfs_write(f, buf, CHUNK);
        if (n != (long)CHUNK) err = n < 0 ? (int)n : ERR_IO;
    }
    if (err >= 0) err = vfs_fsync(f);
    vfs_close(f);
    uint64_t t1 = clock_monotonic_ns();
    kfree(buf);
    if (err < 0) return selftest_fail("writing: %s", err_str(err));
    uint8_t d[32];
    char want[65], got[65];
    sha256_final(&s, d);
    sha256_hex(d, want);
    uint64_t bytes;
    const char *e = hash_file("/out/big.bin", got, &bytes);
    uint64_t t2 = clock_monotonic_ns();
    if (e) return e;
    kprintf("[test] sha256 /out/big.bin %s\n", got);
    klog_info("test", "%d MiB written in %llu ms, read back in %llu ms", BIG_FILE_MIB,
              (unsigned long long)((t1 - t0) / NS_PER_MS),
              (unsigned long long)((t2 - t1) / NS_PER_MS));
    if (bytes != (uint64_t)BIG_FILE_MIB * CHUNK || strcmp(want, got) != 0)
        return selftest_fail("read back %llu bytes with hash %s, wrote %s",
                             (unsigned long long)bytes, got, want);
    return NULL;
}

static const char *test_rename_delete(void)
{
    int err;
    if ((err = vfs_rename("/out/hello.txt", "/out/renamed.txt")) < 0)
        return selftest_fail("rename: %s", err_str(err));
    struct vfs_stat st;
    if (vfs_stat("/out/hello.txt", &st) != ERR_NOENT || vfs_stat("/out/renamed.txt", &st) < 0)
        return "rename did not move the name";
    if ((err = vfs_mkdir("/out/dir")) < 0) return selftest_fail("mkdir: %s", err_str(err));
    struct file *f;
    if (vfs_open("/out/dir/a long file name.txt", VFS_O_WRITE | VFS_O_CREAT, &f) < 0)
        return "create in the new directory";
    vfs_close(f);
    if (vfs_rmdir("/out/dir") != ERR_NOTEMPTY)
        return "rmdir of a non-empty directory was not refused";
    if (vfs_rename("/out/dir/a long file name.txt", "/out/moved.txt") < 0)
        return "rename across directories";
    if ((err = vfs_rmdir("/out/dir")) < 0) return selftest_fail("rmdir: %s", err_str(err));
    if ((err = vfs_unlink("/todelete.txt")) < 0) return selftest_fail("unlink: %s", err_str(err));
    if (vfs_stat("/todelete.txt", &st) != ERR_NOENT) return "unlinked file still there";
    if (vfs_unlink("/nonexistent") != ERR_NOENT)
        return "unlink of a missing file did not give ERR_NOENT";
    if (vfs_open("/out", VFS_O_WRITE, &f) != ERR_ISDIR)
        return "opening a directory for writing did not give ERR_ISDIR";
    return NULL;
}

static const char *test_readdir(void)
{
    struct file *d;
    int err = vfs_open("/", VFS_O_DIRECTORY | VFS_O_READ, &d);
    if (err < 0) return selftest_fail("open /: %s", err_str(err));
    struct vfs_dirent *ent = kmalloc(sizeof *ent);
    int seen_input = 0, seen_out = 0, n = 0;
    while (ent && vfs_readdir(d, ent) == 1) {
        n++;
        if (strcmp(ent->name, "input.bin") == 0 && !ent->st.is_dir) seen_input = 1;
        if (strcmp(ent->name, "out") == 0 && ent->st.is_dir) seen_out = 1;
    }
    kfree(ent);
    vfs_close(d);
    if (!seen_input || !seen_out)
        return selftest_fail("%d entries; input.bin %s, out/ %s", n,
                             seen_input ? "seen" : "missing", seen_out ? "seen" : "missing");
    return NULL;
}

static const char *test_read_only_disk(void)
{
    struct block_dev *ro = block_find("vdb");
    if (!ro) return "no second disk vdb (the harness attaches a read-only one)";
    if (!ro->read_only) return "vdb is not reported read-only";
    static uint8_t sector[4096];
    if (block_read(ro, 0, 1, sector) < 0) return "reading the read-only disk failed";
    if (block_write(ro, 0, 1, sector) != ERR_ROFS)
        return "a write to the read-only disk was not refused";
    return NULL;
}

/* The harness attaches a disk whose every read and write QEMU fails with
 * EIO (blkdebug): the device's IOERR status must reach the caller as
 * ERR_IO, promptly, and nothing may hang. */
static const char *test_device_errors(void)
{
    const char *name = cmdline_get("ioerr_disk");
    if (!name) return "no ioerr_disk= option naming the failing disk";
    struct block_dev *d = block_find(name);
    if (!d) return selftest_fail("no disk %s", name);
    static uint8_t sector[4096];
    int r = block_read(d, 0, 1, sector), w = block_write(d, 8, 1, sector);
    if (r != ERR_IO || w != ERR_IO)
        return selftest_fail("read gave %s, write %s; both should be ERR_IO", err_name(r),
                             err_name(w));
    if (block_read(d, 0, 1, sector) != ERR_IO) return "the disk did not keep reporting errors";
    return NULL;
}

static const char *test_sync(void)
{
    int err = vfs_sync_all();
    return err < 0 ? selftest_fail("sync: %s", err_str(err)) : NULL;
}

static const struct selftest_case cases[] = {
    {"read-input", test_read_input},
    {"small-file", test_small_file},
    {"seek-append-truncate", test_seek_append_truncate},
    {"big-file", test_big_file},
    {"rename-delete", test_rename_delete},
    {"readdir", test_readdir},
    {"read-only-disk", test_read_only_disk},
    {"device-errors", test_device_errors},
    {"sync", test_sync},
};

const struct selftest_suite selftest_storage = {"storage", cases, sizeof cases / sizeof cases[0]};
