/*
 * kernel/block/bcache.h - the buffer cache between filesystems and a block
 * device: lib/block/cache.h's policy behind a lock, plus a writer thread.
 *
 * Small transfers (metadata: FAT and directory sectors) are cached per
 * sector with write-back; large transfers (file data) go straight to the
 * device while staying coherent with cached sectors. The cache holds at most
 * a fixed number of sectors, whatever the size of the files being written.
 * Write ordering: barrier() makes every write issued before it reach the
 * device before any write issued after it (the cache writes out its dirty
 * sectors before the next write); flush() writes everything out and flushes
 * the device. A writer thread writes dirty sectors out every few seconds.
 */
#ifndef BLOCK_BCACHE_H
#define BLOCK_BCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/block/block.h"

struct bcache;

/* A cache over dev holding at most max_sectors sectors. */
struct bcache *bcache_create(struct block_dev *dev, size_t max_sectors);
/* Writes everything out and frees the cache. */
int bcache_destroy(struct bcache *c);

int bcache_read(struct bcache *c, uint64_t lba, uint32_t count, void *buf);
int bcache_write(struct bcache *c, uint64_t lba, uint32_t count, const void *buf);
/* Orders writes: those before the barrier are on stable storage (written
 * and flushed) before any write after it goes to the device. */
int bcache_barrier(struct bcache *c);
/* Writes out every dirty sector, then flushes the device (sync, fsync). */
int bcache_flush(struct bcache *c);

/* Writes out every cache's dirty sectors and flushes the devices (the
 * power-off hook). */
void bcache_sync_all(void);

#endif
