/*
 * host/kpio-disk/filedev.h - a struct fat_blockdev over an image file for
 * host programs (the kpio-disk tool, lib/fat's tests and benchmark).
 *
 * Writes go to the file with pwrite in the order issued, so the device keeps
 * issue order and needs no barrier. With a write limit it models a power
 * cut: after `limit` sectors have been written every later write fails with
 * ERR_IO and is dropped (a request crossing the limit is written in part, a
 * torn write).
 */
#ifndef KPIO_DISK_FILEDEV_H
#define KPIO_DISK_FILEDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "fat/fat.h"

struct filedev {
    int fd;
    uint32_t sector_size;
    uint64_t sectors;
    int64_t limit;        /* sectors that may still be written; -1: no limit */
    uint64_t written;     /* sectors written */
    uint64_t requests;    /* write requests */
    uint32_t max_request; /* largest write request, in sectors */
    bool fsync_on_flush;  /* fdatasync on flush (off: page cache only) */
};

/* Opens path (read-write unless rdonly). 0 or a negative ERR_*. */
int filedev_open(struct filedev *d, const char *path, uint32_t sector_size, bool rdonly);
void filedev_close(struct filedev *d);
/* The blockdev whose ctx is d. */
struct fat_blockdev filedev_blockdev(struct filedev *d);
/* Seconds since the epoch from the host's clock. */
struct fat_clock filedev_clock(void);

#endif
