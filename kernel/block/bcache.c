/*
 * kernel/block/bcache.c - the kernel's buffer caches (see bcache.h): each
 * is lib/block/cache.c's policy over a block device, behind a mutex (device
 * I/O happens with it held, which serialises the users of one device;
 * lib/fat callers already hold their volume's lock), in a table that the
 * writer thread walks every WRITEBACK_INTERVAL_MS and power-off syncs.
 */
#include "kernel/block/bcache.h"

#include "base/error.h"
#include "block/cache.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/phases.h"
#include "kernel/mm/heap.h"
#include "kernel/sched/sched.h"

#define WRITEBACK_INTERVAL_MS 5000
#define MAX_CACHES            8

struct bcache {
    struct block_cache *cache;
    struct block_dev *dev;
    struct mutex lock;
    uint64_t copied_in, run_bytes; /* the cache's copy counts already reported */
};

static struct bcache *caches[MAX_CACHES];
static struct mutex caches_lock; /* the table, against the writer thread */
static int caches_lock_ready;
static struct thread *writer;

static int dev_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
    return block_read(ctx, lba, count, buf);
}
static int dev_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
    return block_write(ctx, lba, count, buf);
}
static int dev_flush(void *ctx)
{
    return block_flush(ctx);
}

/* Adds what the cache copied since the last report to the phase counters.
 * Caller holds c->lock. */
static void report_copies(struct bcache *c)
{
    const struct block_cache_stats *st = block_cache_stats(c->cache);
    phase_copied(COPY_CACHE_IN, st->copied_in - c->copied_in);
    phase_copied(COPY_CACHE_RUN, st->run_bytes - c->run_bytes);
    c->copied_in = st->copied_in;
    c->run_bytes = st->run_bytes;
}

int bcache_read(struct bcache *c, uint64_t lba, uint32_t count, void *buf)
{
    mutex_lock(&c->lock);
    int err = block_cache_read(c->cache, lba, count, buf);
    report_copies(c);
    mutex_unlock(&c->lock);
    return err;
}

int bcache_write(struct bcache *c, uint64_t lba, uint32_t count, const void *buf)
{
    mutex_lock(&c->lock);
    int err = block_cache_write(c->cache, lba, count, buf);
    report_copies(c);
    mutex_unlock(&c->lock);
    return err;
}

int bcache_barrier(struct bcache *c)
{
    mutex_lock(&c->lock);
    block_cache_barrier(c->cache);
    mutex_unlock(&c->lock);
    return 0;
}

int bcache_flush(struct bcache *c)
{
    mutex_lock(&c->lock);
    int err = block_cache_flush(c->cache);
    report_copies(c);
    mutex_unlock(&c->lock);
    return err;
}

void bcache_sync_all(void)
{
    for (int i = 0; i < MAX_CACHES; i++)
        if (caches[i]) {
            int err = bcache_flush(caches[i]);
            if (err < 0)
                klog_error("bcache", "%s: sync failed: %s", caches[i]->dev->name, err_str(err));
        }
}

static void writer_thread(void *arg)
{
    (void)arg;
    for (;;) {
        thread_sleep_ms(WRITEBACK_INTERVAL_MS);
        mutex_lock(&caches_lock);
        for (int i = 0; i < MAX_CACHES; i++) {
            struct bcache *c = caches[i];
            if (!c || !block_cache_dirty(c->cache)) continue;
            mutex_lock(&c->lock);
            block_cache_write_out(c->cache);
            report_copies(c);
            mutex_unlock(&c->lock);
        }
        mutex_unlock(&caches_lock);
    }
}

static int free_slot(void)
{
    for (int i = 0; i < MAX_CACHES; i++)
        if (!caches[i]) return i;
    return -1;
}

struct bcache *bcache_create(struct block_dev *dev, size_t max_sectors)
{
    if (!caches_lock_ready) {
        mutex_init(&caches_lock);
        caches_lock_ready = 1;
    }
    struct sector_dev sd = {
        .name = dev->name,
        .sector_size = dev->sector_size,
        .sector_count = dev->sector_count,
        .read = dev_read,
        .write = dev_write,
        .flush = dev_flush,
        .ctx = dev,
    };
    struct bcache *c = kzalloc(sizeof *c);
    int slot = free_slot();
    if (c && slot >= 0) c->cache = block_cache_create(&sd, max_sectors);
    if (!c || !c->cache) {
        kfree(c);
        return NULL;
    }
    c->dev = dev;
    mutex_init(&c->lock);
    caches[slot] = c;
    if (!writer) writer = thread_create("bflush", writer_thread, NULL, 0, 0);
    return c;
}

int bcache_destroy(struct bcache *c)
{
    int err = bcache_flush(c);
    mutex_lock(&caches_lock);
    for (int i = 0; i < MAX_CACHES; i++)
        if (caches[i] == c) caches[i] = NULL;
    mutex_unlock(&caches_lock);
    block_cache_free(c->cache);
    kfree(c);
    return err;
}
