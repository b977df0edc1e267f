/*
 * lib/block/sector_dev.h - the one seam of lib/block: a device of
 * fixed-size sectors that the caller reaches (a kernel block device, a
 * file, memory in a test).
 */
#ifndef BLOCK_SECTOR_DEV_H
#define BLOCK_SECTOR_DEV_H

#include <stdint.h>

/* Each call returns 0 or a negative ERR_*; name appears in log lines only.
 * write and flush may be NULL where a user only reads (part_scan), flush
 * also where the device has nothing to flush. */
struct sector_dev {
    const char *name;
    uint32_t sector_size;
    uint64_t sector_count;
    int (*read)(void *ctx, uint64_t lba, uint32_t count, void *buf);
    int (*write)(void *ctx, uint64_t lba, uint32_t count, const void *buf);
    int (*flush)(void *ctx);
    void *ctx;
};

#endif
