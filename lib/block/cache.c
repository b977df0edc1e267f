/*
 * lib/block/cache.c - the bounded write-back sector cache (see cache.h).
 *
 * Entries live in a hash table by LBA and on an LRU list; dirty entries are
 * also on a dirty list in the order they became dirty. Write-out sorts the
 * dirty sectors by LBA and merges neighbours into one request each (at
 * most BLOCK_CACHE_RUN_MAX sectors). unflushed remembers that writes
 * reached the device since its last FLUSH, so that a barrier whose
 * write-out was done by someone else (the periodic write-back) still
 * flushes before the next write.
 */
#include "block/cache.h"

#include <stdbool.h>

#include "base/env.h"
#include "base/error.h"
#include "base/list.h"
#include "base/mem.h"
#include "base/util.h"

#define TAG          "bcache"
#define HASH_BUCKETS 1024

struct entry {
    uint64_t lba;
    struct list_node hash_node, lru_node, dirty_node;
    bool dirty;
    uint8_t data[];
};

struct block_cache {
    struct sector_dev dev;
    size_t max, count, ndirty;
    uint32_t ss;
    bool barrier_pending;
    bool unflushed; /* writes reached the device since its last FLUSH */
    struct block_cache_stats stats;
    struct list_node buckets[HASH_BUCKETS];
    struct list_node lru;   /* most recently used first */
    struct list_node dirty; /* oldest first */
};

static struct list_node *bucket(struct block_cache *c, uint64_t lba)
{
    return &c->buckets[(lba * 0x9E3779B97F4A7C15ull) >> 54 & (HASH_BUCKETS - 1)];
}

static struct entry *lookup(struct block_cache *c, uint64_t lba)
{
    struct list_node *b = bucket(c, lba), *it;
    list_for_each(it, b)
    {
        struct entry *e = list_entry(it, struct entry, hash_node);
        if (e->lba == lba) return e;
    }
    return NULL;
}

static void mark_clean(struct block_cache *c, struct entry *e)
{
    if (e->dirty) {
        e->dirty = false;
        list_remove(&e->dirty_node);
        c->ndirty--;
    }
}

static void mark_dirty(struct block_cache *c, struct entry *e)
{
    if (!e->dirty) {
        e->dirty = true;
        list_push_back(&c->dirty, &e->dirty_node);
        c->ndirty++;
    }
}

static bool lba_after(const struct entry *a, const struct entry *b)
{
    return a->lba > b->lba;
}

/* Sorts n entries by LBA (shell sort: no recursion, no allocation). */
static void sort_entries(struct entry **v, size_t n)
{
    for (size_t gap = n / 2; gap > 0; gap /= 2)
        for (size_t i = gap; i < n; i++)
            for (size_t j = i; j >= gap && lba_after(v[j - gap], v[j]); j -= gap) {
                struct entry *t = v[j];
                v[j] = v[j - gap];
                v[j - gap] = t;
            }
}

/* Writes v[0..n) (sorted) out in runs of neighbours through run. */
static int write_runs(struct block_cache *c, struct entry **v, size_t n, uint8_t *run)
{
    int err = 0;
    for (size_t s = 0; s < n && err == 0;) {
        size_t e = s + 1;
        while (e < n && e - s < BLOCK_CACHE_RUN_MAX && v[e]->lba == v[e - 1]->lba + 1)
            e++;
        for (size_t k = s; k < e; k++)
            memcpy(run + (k - s) * c->ss, v[k]->data, c->ss);
        c->stats.run_bytes += (uint64_t)(e - s) * c->ss;
        c->stats.runs++;
        err = c->dev.write(c->dev.ctx, v[s]->lba, (uint32_t)(e - s), run);
        c->unflushed = true;
        if (err == 0)
            for (size_t k = s; k < e; k++)
                mark_clean(c, v[k]);
        s = e;
    }
    return err;
}

int block_cache_write_out(struct block_cache *c)
{
    if (c->ndirty == 0) return 0;
    size_t n = c->ndirty, i = 0;
    struct entry **v = mem_alloc(n * sizeof *v);
    uint8_t *run = mem_alloc((size_t)BLOCK_CACHE_RUN_MAX * c->ss);
    int err = ERR_NOMEM;
    if (v && run) {
        struct list_node *it;
        list_for_each(it, &c->dirty) v[i++] = list_entry(it, struct entry, dirty_node);
        sort_entries(v, n);
        err = write_runs(c, v, n, run);
    }
    mem_free(v);
    mem_free(run);
    if (err < 0) log_write(LOG_ERROR, TAG, "%s: write-back failed: %s", c->dev.name, err_str(err));
    return err;
}

/* Asks the device to make every completed write durable. */
static int flush_device(struct block_cache *c)
{
    int err = c->dev.flush(c->dev.ctx);
    if (err == 0) c->unflushed = false;
    return err;
}

/* Honours a pending barrier before the next write (see cache.h): a failed
 * attempt leaves it pending for the next write to complete. */
static int before_write(struct block_cache *c)
{
    if (!c->barrier_pending) return 0;
    int err = block_cache_write_out(c);
    if (err == 0 && c->unflushed) err = flush_device(c);
    if (err == 0) c->barrier_pending = false;
    return err;
}

/* The least recently used clean entry, taken off its lists, or NULL. */
static struct entry *evict(struct block_cache *c)
{
    if (c->ndirty == c->count && block_cache_write_out(c) < 0) return NULL;
    for (struct list_node *it = c->lru.prev; it != &c->lru; it = it->prev) {
        struct entry *x = list_entry(it, struct entry, lru_node);
        if (!x->dirty) {
            list_remove(&x->hash_node);
            list_remove(&x->lru_node);
            c->stats.evictions++;
            return x;
        }
    }
    return NULL;
}

/* An entry for lba, most recently used: a new one while below the limit,
 * else an evicted one. Its data is the caller's to fill. */
static struct entry *get_entry(struct block_cache *c, uint64_t lba)
{
    struct entry *e = NULL;
    if (c->count < c->max) {
        e = mem_alloc(sizeof *e + c->ss);
        if (e) c->count++;
    }
    if (!e) e = evict(c);
    if (!e) return NULL;
    e->lba = lba;
    e->dirty = false;
    list_push_back(bucket(c, lba), &e->hash_node);
    list_push_front(&c->lru, &e->lru_node);
    return e;
}

static void drop_entry(struct block_cache *c, struct entry *e)
{
    list_remove(&e->hash_node);
    list_remove(&e->lru_node);
    mem_free(e);
    c->count--;
}

static void touch(struct block_cache *c, struct entry *e)
{
    list_remove(&e->lru_node);
    list_push_front(&c->lru, &e->lru_node);
}

/* The cached sector lba, read from the device on a miss. */
static int cached_sector(struct block_cache *c, uint64_t lba, struct entry **out)
{
    struct entry *e = lookup(c, lba);
    if (e) {
        c->stats.hits++;
        touch(c, e);
        *out = e;
        return 0;
    }
    c->stats.misses++;
    if (!(e = get_entry(c, lba))) return ERR_NOMEM;
    int err = c->dev.read(c->dev.ctx, lba, 1, e->data);
    if (err < 0) {
        drop_entry(c, e);
        return err;
    }
    *out = e;
    return 0;
}

static int read_small(struct block_cache *c, uint64_t lba, uint32_t count, uint8_t *buf)
{
    for (uint32_t i = 0; i < count; i++) {
        struct entry *e;
        int err = cached_sector(c, lba + i, &e);
        if (err < 0) return err;
        memcpy(buf + (size_t)i * c->ss, e->data, c->ss);
    }
    return 0;
}

/* A large read: the device's sectors, with dirty cached ones over them. */
static int read_through(struct block_cache *c, uint64_t lba, uint32_t count, uint8_t *buf)
{
    int err = c->dev.read(c->dev.ctx, lba, count, buf);
    for (uint32_t i = 0; err == 0 && c->ndirty && i < count; i++) {
        struct entry *e = lookup(c, lba + i);
        if (e && e->dirty) memcpy(buf + (size_t)i * c->ss, e->data, c->ss);
    }
    return err;
}

int block_cache_read(struct block_cache *c, uint64_t lba, uint32_t count, void *buf)
{
    if (count <= BLOCK_CACHE_SMALL_IO) return read_small(c, lba, count, buf);
    return read_through(c, lba, count, buf);
}

static int write_small(struct block_cache *c, uint64_t lba, uint32_t count, const uint8_t *buf)
{
    for (uint32_t i = 0; i < count; i++) {
        struct entry *e = lookup(c, lba + i);
        if (e)
            touch(c, e);
        else if (!(e = get_entry(c, lba + i)))
            return ERR_NOMEM;
        memcpy(e->data, buf + (size_t)i * c->ss, c->ss);
        c->stats.copied_in += c->ss;
        mark_dirty(c, e);
    }
    return 0;
}

/* A large write: straight to the device; cached copies follow, clean. */
static int write_through(struct block_cache *c, uint64_t lba, uint32_t count, const uint8_t *buf)
{
    int err = c->dev.write(c->dev.ctx, lba, count, buf);
    c->unflushed = true;
    for (uint32_t i = 0; err == 0 && c->count && i < count; i++) {
        struct entry *e = lookup(c, lba + i);
        if (e) {
            memcpy(e->data, buf + (size_t)i * c->ss, c->ss);
            mark_clean(c, e);
        }
    }
    return err;
}

int block_cache_write(struct block_cache *c, uint64_t lba, uint32_t count, const void *buf)
{
    int err = before_write(c);
    if (err < 0) return err;
    if (count <= BLOCK_CACHE_SMALL_IO) return write_small(c, lba, count, buf);
    return write_through(c, lba, count, buf);
}

void block_cache_barrier(struct block_cache *c)
{
    if (c->ndirty || c->unflushed) c->barrier_pending = true;
}

int block_cache_flush(struct block_cache *c)
{
    int err = block_cache_write_out(c);
    if (err == 0) err = flush_device(c);
    if (err == 0) c->barrier_pending = false; /* everything is durable */
    return err;
}

size_t block_cache_dirty(const struct block_cache *c)
{
    return c->ndirty;
}

const struct block_cache_stats *block_cache_stats(const struct block_cache *c)
{
    return &c->stats;
}

struct block_cache *block_cache_create(const struct sector_dev *dev, size_t max_sectors)
{
    struct block_cache *c = mem_zalloc(sizeof *c);
    if (!c) return NULL;
    c->dev = *dev;
    c->ss = dev->sector_size;
    c->max = MAX(max_sectors, (size_t)BLOCK_CACHE_MIN_SECTORS);
    for (int i = 0; i < HASH_BUCKETS; i++)
        list_init(&c->buckets[i]);
    list_init(&c->lru);
    list_init(&c->dirty);
    return c;
}

void block_cache_free(struct block_cache *c)
{
    struct list_node *it, *tmp;
    list_for_each_safe(it, tmp, &c->lru) mem_free(list_entry(it, struct entry, lru_node));
    mem_free(c);
}
