/*
 * kernel/block/bcache.c - a bounded write-back sector cache (see bcache.h).
 *
 * Entries live in a hash table by LBA and on an LRU list; dirty entries are
 * also on a dirty list in the order they became dirty. Write-out sorts the
 * dirty sectors by LBA and merges neighbours into one request each. A cache
 * has one mutex; device I/O happens with it held, which serialises users of
 * one device (lib/fat callers already hold their volume's lock).
 */
#include "block/bcache.h"

#include "base/error.h"
#include "base/list.h"
#include "base/mem.h"
#include "base/util.h"
#include "lib/klog.h"
#include "lib/phases.h"
#include "mm/heap.h"
#include "sched/sched.h"
#include "time/clock.h"

#define HASH_BUCKETS          1024
#define SMALL_IO              8 /* sectors: larger transfers bypass the cache */
#define WRITEBACK_INTERVAL_MS 5000
#define MAX_CACHES            8

struct entry {
    uint64_t lba;
    struct list_node hash_node, lru_node, dirty_node;
    int dirty;
    uint8_t data[];
};

struct bcache {
    struct block_dev *dev;
    struct mutex lock;
    size_t max, count, ndirty;
    uint32_t ss;
    int barrier_pending;
    int unflushed; /* writes reached the device since its last FLUSH */
    struct list_node buckets[HASH_BUCKETS];
    struct list_node lru;   /* most recently used first */
    struct list_node dirty; /* oldest first */
};

static struct bcache *caches[MAX_CACHES];
static struct mutex caches_lock; /* the table, against the writer thread */
static int caches_lock_ready;
static struct thread *writer;

static struct list_node *bucket(struct bcache *c, uint64_t lba)
{
    return &c->buckets[(lba * 0x9E3779B97F4A7C15ull) >> 54 & (HASH_BUCKETS - 1)];
}

static struct entry *lookup(struct bcache *c, uint64_t lba)
{
    struct list_node *b = bucket(c, lba), *it;
    list_for_each(it, b)
    {
        struct entry *e = list_entry(it, struct entry, hash_node);
        if (e->lba == lba) return e;
    }
    return NULL;
}

static void mark_clean(struct bcache *c, struct entry *e)
{
    if (e->dirty) {
        e->dirty = 0;
        list_remove(&e->dirty_node);
        c->ndirty--;
    }
}

static void mark_dirty(struct bcache *c, struct entry *e)
{
    if (!e->dirty) {
        e->dirty = 1;
        list_push_back(&c->dirty, &e->dirty_node);
        c->ndirty++;
    }
}

static int cmp_lba(const void *a, const void *b)
{
    uint64_t x = (*(struct entry *const *)a)->lba, y = (*(struct entry *const *)b)->lba;
    return x < y ? -1 : x > y;
}

/* Sorts n pointers by LBA (insertion sort for small n, else shell sort). */
static void sort_entries(struct entry **v, size_t n)
{
    for (size_t gap = n / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < n; i++)
            for (size_t j = i; j >= gap && cmp_lba(&v[j - gap], &v[j]) > 0; j -= gap) {
                struct entry *t = v[j];
                v[j] = v[j - gap];
                v[j - gap] = t;
            }
}

/* Writes every dirty sector out, merging runs. Caller holds the lock. */
static int write_out(struct bcache *c)
{
    if (c->ndirty == 0) return 0;
    size_t n = c->ndirty;
    struct entry **v = kmalloc(n * sizeof *v);
    uint8_t *run = kmalloc((size_t)SMALL_IO * 64 * c->ss);
    if (!v || !run) {
        kfree(v);
        kfree(run);
        return ERR_NOMEM;
    }
    size_t i = 0;
    struct list_node *it;
    list_for_each(it, &c->dirty) v[i++] = list_entry(it, struct entry, dirty_node);
    sort_entries(v, n);
    int err = 0;
    for (size_t s = 0; s < n && err == 0;) {
        size_t e = s + 1;
        while (e < n && e - s < SMALL_IO * 64 && v[e]->lba == v[e - 1]->lba + 1)
            e++;
        for (size_t k = s; k < e; k++)
            memcpy(run + (k - s) * c->ss, v[k]->data, c->ss);
        phase_copied(COPY_CACHE_RUN, (uint64_t)(e - s) * c->ss);
        err = block_write(c->dev, v[s]->lba, (uint32_t)(e - s), run);
        c->unflushed = 1;
        if (err == 0)
            for (size_t k = s; k < e; k++)
                mark_clean(c, v[k]);
        s = e;
    }
    kfree(v);
    kfree(run);
    if (err < 0) klog_error("bcache", "%s: write-back failed: %s", c->dev->name, err_str(err));
    return err;
}

/* Asks the device to make every completed write durable. */
static int flush_device(struct bcache *c)
{
    int err = block_flush(c->dev);
    if (err == 0) c->unflushed = 0;
    return err;
}

/* Honours a pending barrier before the next write: what was written before
 * it reaches stable storage (written out, then a device FLUSH, so a volatile
 * write cache cannot reorder it after what follows) before anything after
 * it is written. The barrier stays pending until both steps succeeded, so a
 * failed attempt (or a write-out by the writer thread in between, which
 * leaves the device unflushed) is completed by the next write. */
static int before_write(struct bcache *c)
{
    if (!c->barrier_pending) return 0;
    int err = write_out(c);
    if (err == 0 && c->unflushed) err = flush_device(c);
    if (err == 0) c->barrier_pending = 0;
    return err;
}

/* A free entry: a new one while below the limit, else the least recently
 * used clean one (writing dirty ones out first if all are dirty). */
static struct entry *get_entry(struct bcache *c, uint64_t lba)
{
    struct entry *e = NULL;
    if (c->count < c->max) {
        e = kmalloc(sizeof *e + c->ss);
        if (e) c->count++;
    }
    if (!e) {
        if (c->ndirty == c->count && write_out(c) < 0) return NULL;
        struct list_node *it;
        for (it = c->lru.prev; it != &c->lru; it = it->prev) {
            struct entry *x = list_entry(it, struct entry, lru_node);
            if (!x->dirty) {
                e = x;
                break;
            }
        }
        if (!e) return NULL;
        list_remove(&e->hash_node);
        list_remove(&e->lru_node);
    }
    e->lba = lba;
    e->dirty = 0;
    list_push_back(bucket(c, lba), &e->hash_node);
    list_push_front(&c->lru, &e->lru_node);
    return e;
}

static void touch(struct bcache *c, struct entry *e)
{
    list_remove(&e->lru_node);
    list_push_front(&c->lru, &e->lru_node);
}

static int read_small(struct bcache *c, uint64_t lba, uint32_t count, uint8_t *buf)
{
    for (uint32_t i = 0; i < count; i++) {
        struct entry *e = lookup(c, lba + i);
        if (e) {
            touch(c, e);
        } else {
            e = get_entry(c, lba + i);
            if (!e) return ERR_NOMEM;
            int err = block_read(c->dev, lba + i, 1, e->data);
            if (err < 0) {
                list_remove(&e->hash_node);
                list_remove(&e->lru_node);
                kfree(e);
                c->count--;
                return err;
            }
        }
        memcpy(buf + (size_t)i * c->ss, e->data, c->ss);
    }
    return 0;
}

int bcache_read(struct bcache *c, uint64_t lba, uint32_t count, void *buf)
{
    mutex_lock(&c->lock);
    int err;
    if (count <= SMALL_IO) {
        err = read_small(c, lba, count, buf);
    } else {
        err = block_read(c->dev, lba, count, buf);
        /* Sectors written to the cache and not yet to the disk win. */
        for (uint32_t i = 0; err == 0 && c->ndirty && i < count; i++) {
            struct entry *e = lookup(c, lba + i);
            if (e && e->dirty) memcpy((uint8_t *)buf + (size_t)i * c->ss, e->data, c->ss);
        }
    }
    mutex_unlock(&c->lock);
    return err;
}

int bcache_write(struct bcache *c, uint64_t lba, uint32_t count, const void *buf)
{
    mutex_lock(&c->lock);
    int err = before_write(c);
    if (err == 0 && count <= SMALL_IO) {
        for (uint32_t i = 0; i < count && err == 0; i++) {
            struct entry *e = lookup(c, lba + i);
            if (e)
                touch(c, e);
            else if (!(e = get_entry(c, lba + i)))
                err = ERR_NOMEM;
            if (e) {
                memcpy(e->data, (const uint8_t *)buf + (size_t)i * c->ss, c->ss);
                phase_copied(COPY_CACHE_IN, c->ss);
                mark_dirty(c, e);
            }
        }
    } else if (err == 0) {
        err = block_write(c->dev, lba, count, buf);
        c->unflushed = 1;
        /* Keep cached copies in step; they are now on the disk. */
        for (uint32_t i = 0; err == 0 && c->count && i < count; i++) {
            struct entry *e = lookup(c, lba + i);
            if (e) {
                memcpy(e->data, (const uint8_t *)buf + (size_t)i * c->ss, c->ss);
                mark_clean(c, e);
            }
        }
    }
    mutex_unlock(&c->lock);
    return err;
}

int bcache_barrier(struct bcache *c)
{
    mutex_lock(&c->lock);
    if (c->ndirty || c->unflushed) c->barrier_pending = 1;
    mutex_unlock(&c->lock);
    return 0;
}

int bcache_flush(struct bcache *c)
{
    mutex_lock(&c->lock);
    int err = write_out(c);
    if (err == 0) err = flush_device(c);
    if (err == 0) c->barrier_pending = 0; /* everything is durable */
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
            if (!c || !c->ndirty) continue;
            mutex_lock(&c->lock);
            write_out(c);
            mutex_unlock(&c->lock);
        }
        mutex_unlock(&caches_lock);
    }
}

struct bcache *bcache_create(struct block_dev *dev, size_t max_sectors)
{
    if (!caches_lock_ready) {
        mutex_init(&caches_lock);
        caches_lock_ready = 1;
    }
    struct bcache *c = kzalloc(sizeof *c);
    int slot = -1;
    for (int i = 0; i < MAX_CACHES && slot < 0; i++)
        if (!caches[i]) slot = i;
    if (!c || slot < 0) {
        kfree(c);
        return NULL;
    }
    c->dev = dev;
    c->ss = dev->sector_size;
    c->max = MAX(max_sectors, (size_t)SMALL_IO * 4);
    mutex_init(&c->lock);
    for (int i = 0; i < HASH_BUCKETS; i++)
        list_init(&c->buckets[i]);
    list_init(&c->lru);
    list_init(&c->dirty);
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
    struct list_node *it, *tmp;
    list_for_each_safe(it, tmp, &c->lru) kfree(list_entry(it, struct entry, lru_node));
    kfree(c);
    return err;
}
