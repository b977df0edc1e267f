/*
 * host/kpio-disk/filedev.c - the image-file block device of filedev.h.
 */
#include "filedev.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"

static int fd_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
    struct filedev *d = ctx;
    if (lba > d->sectors || count > d->sectors - lba) return ERR_IO;
    size_t len = (size_t)count * d->sector_size, done = 0;
    while (done < len) {
        ssize_t n =
            pread(d->fd, (char *)buf + done, len - done, (off_t)(lba * d->sector_size + done));
        if (n <= 0) return ERR_IO;
        done += (size_t)n;
    }
    return 0;
}

static int fd_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
    struct filedev *d = ctx;
    if (lba > d->sectors || count > d->sectors - lba) return ERR_IO;
    uint32_t n_ok = count;
    if (d->limit >= 0 && (int64_t)count > d->limit) n_ok = (uint32_t)d->limit;
    size_t len = (size_t)n_ok * d->sector_size, done = 0;
    while (done < len) {
        ssize_t n = pwrite(d->fd, (const char *)buf + done, len - done,
                           (off_t)(lba * d->sector_size + done));
        if (n <= 0) return ERR_IO;
        done += (size_t)n;
    }
    d->written += n_ok;
    d->requests++;
    if (count > d->max_request) d->max_request = count;
    if (d->limit >= 0) {
        d->limit -= n_ok;
        if (n_ok < count) return ERR_IO;
    }
    return 0;
}

static int fd_flush(void *ctx)
{
    struct filedev *d = ctx;
    if (d->limit == 0) return ERR_IO;
    if (d->fsync_on_flush && fdatasync(d->fd) < 0) return ERR_IO;
    return 0;
}

int filedev_open(struct filedev *d, const char *path, uint32_t sector_size, bool rdonly)
{
    struct stat st;
    if (sector_size < 512 || sector_size > 4096 || (sector_size & (sector_size - 1)))
        return ERR_INVAL;
    d->fd = open(path, rdonly ? O_RDONLY : O_RDWR);
    if (d->fd < 0) return errno == ENOENT ? ERR_NOENT : ERR_IO;
    if (fstat(d->fd, &st) < 0) {
        close(d->fd);
        return ERR_IO;
    }
    d->sector_size = sector_size;
    d->sectors = (uint64_t)st.st_size / sector_size;
    d->limit = -1;
    d->written = d->requests = 0;
    d->max_request = 0;
    d->fsync_on_flush = false;
    return 0;
}

void filedev_close(struct filedev *d)
{
    if (d->fd >= 0) close(d->fd);
    d->fd = -1;
}

struct fat_blockdev filedev_blockdev(struct filedev *d)
{
    struct fat_blockdev b = {
        .ctx = d,
        .read = fd_read,
        .write = fd_write,
        .flush = fd_flush,
        .barrier = NULL,
        .sector_size = d->sector_size,
        .sector_count = d->sectors,
    };
    return b;
}

static int64_t host_now(void *ctx)
{
    (void)ctx;
    return (int64_t)time(NULL);
}

struct fat_clock filedev_clock(void)
{
    struct fat_clock c = {.ctx = NULL, .now = host_now};
    return c;
}
