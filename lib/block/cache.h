/*
 * lib/block/cache.h - a bounded write-back sector cache over a struct
 * sector_dev: the kernel buffer cache's policy, portable (the kernel's
 * kernel/block/bcache.c adds its lock, registry and writer thread).
 *
 * Small transfers (at most BLOCK_CACHE_SMALL_IO sectors: FAT and directory
 * sectors) are cached per sector with write-back; larger ones (file data)
 * go straight to the device and stay coherent with cached sectors: a large
 * read sees sectors written to the cache and not yet to the device, a
 * large write updates cached copies. At most max_sectors are held; a new
 * sector takes the least recently used clean one, after writing every
 * dirty one out when none is clean.
 *
 * Write ordering: after block_cache_barrier, every write issued before it
 * reaches stable storage (written out, then the device flushed, so that a
 * volatile device cache cannot reorder it) before any write issued after
 * it reaches the device. The barrier stays pending until both steps have
 * succeeded. block_cache_flush writes everything out and flushes.
 *
 * No locking: the caller serialises the calls on one cache.
 */
#ifndef BLOCK_CACHE_H
#define BLOCK_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "block/sector_dev.h"

#define BLOCK_CACHE_SMALL_IO    8 /* sectors: larger transfers bypass the cache */
#define BLOCK_CACHE_RUN_MAX     (BLOCK_CACHE_SMALL_IO * 64) /* sectors per write-out */
#define BLOCK_CACHE_MIN_SECTORS (BLOCK_CACHE_SMALL_IO * 4)

struct block_cache_stats {
    uint64_t hits, misses; /* sectors small reads found, or not, in the cache */
    uint64_t evictions;    /* clean sectors given to other LBAs */
    uint64_t runs;         /* write-out requests: one per run of neighbours */
    uint64_t copied_in;    /* bytes copied into cached sectors by writes */
    uint64_t run_bytes;    /* bytes copied from cached sectors into runs */
};

struct block_cache;

/* A cache over *dev (copied; read, write and flush are all needed) of at
 * most max_sectors sectors (at least BLOCK_CACHE_MIN_SECTORS). NULL when
 * memory is short. */
struct block_cache *block_cache_create(const struct sector_dev *dev, size_t max_sectors);
/* Frees the cache and every sector in it, dirty or not: flush first. */
void block_cache_free(struct block_cache *c);

/* Transfer count sectors at lba; 0 or the device's error (ERR_NOMEM when
 * no sector can be had). */
int block_cache_read(struct block_cache *c, uint64_t lba, uint32_t count, void *buf);
int block_cache_write(struct block_cache *c, uint64_t lba, uint32_t count, const void *buf);
/* Orders writes (see above); costs nothing until the next write. */
void block_cache_barrier(struct block_cache *c);
/* Writes out every dirty sector, then flushes the device (sync, fsync). */
int block_cache_flush(struct block_cache *c);
/* Writes out every dirty sector without flushing (periodic write-back). */
int block_cache_write_out(struct block_cache *c);

size_t block_cache_dirty(const struct block_cache *c);
const struct block_cache_stats *block_cache_stats(const struct block_cache *c);

#endif
