/*
 * kernel/block/block.h - the registry of block devices and the calls every
 * user of one makes (bounds and read-only checks, partition offsets).
 *
 * Drivers register whole disks (vda, vdb, ...); block_scan_partitions adds
 * one device per MBR or GPT partition (vda1, ...). Transfers are synchronous
 * for the caller; a driver may split them into many requests in flight.
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/list.h"

struct block_dev;

struct block_ops {
    int (*read)(struct block_dev *dev, uint64_t lba, uint32_t count, void *buf);
    int (*write)(struct block_dev *dev, uint64_t lba, uint32_t count, const void *buf);
    int (*flush)(struct block_dev *dev); /* NULL: nothing to flush */
};

struct block_stats {
    uint64_t reads, writes, flushes;
    uint64_t read_bytes, write_bytes;
    uint64_t errors;
};

struct block_dev {
    char name[16];
    uint32_t sector_size;
    uint64_t sector_count;
    bool read_only;
    const struct block_ops *ops; /* whole disks */
    void *priv;
    struct block_dev *parent; /* partitions: the disk and the start */
    uint64_t start_lba;
    int partno;
    struct block_stats stats;
    struct list_node node;
};

int block_register(struct block_dev *dev);
/* "vda" for the first disk, then "vdb", ...: the next free disk name. */
void block_next_disk_name(char *name, size_t size);
struct block_dev *block_find(const char *name);
struct block_dev *block_next(struct block_dev *prev);

/* Reads/writes count sectors at lba. ERR_INVAL past the end, ERR_ROFS for a
 * write to a read-only device, ERR_IO for device errors. */
int block_read(struct block_dev *dev, uint64_t lba, uint32_t count, void *buf);
int block_write(struct block_dev *dev, uint64_t lba, uint32_t count, const void *buf);
int block_flush(struct block_dev *dev);

/* Reads the MBR or GPT of a disk and registers its partitions. Returns the
 * number found (0 when the disk is unpartitioned) or a negative error. */
int block_scan_partitions(struct block_dev *disk);

#endif
