/*
 * tests/unit/block/test_cache.c - lib/block/cache.c (cmocka, ASan/UBSan)
 * over the in-memory disk of memdisk.c, whose log of requests shows what
 * reached the device and in which order, and whose "durable" copy is what
 * a power cut would leave (updated by FLUSH only).
 *
 * Oracles: the request log; the disk's bytes against a shadow copy that
 * every write updates; and, for a random workload, every read checked
 * against the shadow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "block/cache.h"
#include "memdisk.h"

#define SS      512
#define SECTORS 2048
#define MIN     BLOCK_CACHE_MIN_SECTORS

struct fixture {
    struct memdisk d;
    struct block_cache *c;
};

static struct fixture *setup(size_t max)
{
    struct fixture *f = calloc(1, sizeof *f);
    md_init(&f->d, SS, SECTORS);
    for (size_t i = 0; i < (size_t)SS * SECTORS; i++)
        f->d.data[i] = (uint8_t)(i / SS * 7 + i % 251);
    struct sector_dev dev = {"md", SS, SECTORS, md_read, md_write, md_flush, &f->d};
    f->c = block_cache_create(&dev, max);
    assert_non_null(f->c);
    return f;
}

static void teardown(struct fixture *f)
{
    block_cache_free(f->c);
    md_free(&f->d);
    free(f);
}

static void fill(uint8_t *buf, size_t sectors, uint8_t v)
{
    memset(buf, v, sectors * SS);
}

static void expect_request(const struct memdisk *d, size_t i, enum md_op op, uint64_t lba,
                           uint32_t count)
{
    assert_true(i < d->nlog);
    assert_int_equal(d->log[i].op, op);
    if (op != MD_FLUSH) {
        assert_int_equal(d->log[i].lba, lba);
        assert_int_equal(d->log[i].count, count);
    }
}

/* ---- reads --------------------------------------------------------------------------- */

static void test_hits(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t a[SS * 4], b[SS * 4];
    assert_int_equal(block_cache_read(f->c, 10, 4, a), 0);
    assert_memory_equal(a, md_sector(&f->d, 10), sizeof a);
    assert_int_equal(block_cache_read(f->c, 11, 2, b), 0);
    assert_memory_equal(b, a + SS, 2 * SS);
    assert_int_equal(md_count(&f->d, MD_READ), 4); /* one per missed sector */
    const struct block_cache_stats *st = block_cache_stats(f->c);
    assert_int_equal(st->misses, 4);
    assert_int_equal(st->hits, 2);
    teardown(f);
}

static void test_large_transfers_bypass(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t big[SS * 16], one[SS];
    assert_int_equal(block_cache_read(f->c, 0, 16, big), 0);
    assert_int_equal(md_count(&f->d, MD_READ), 1);
    expect_request(&f->d, 0, MD_READ, 0, 16);
    assert_int_equal(block_cache_read(f->c, 3, 1, one), 0); /* not cached by the big read */
    assert_int_equal(md_count(&f->d, MD_READ), 2);
    /* A large read sees a sector written to the cache and not to the disk. */
    fill(one, 1, 0xAB);
    assert_int_equal(block_cache_write(f->c, 5, 1, one), 0);
    assert_int_equal(block_cache_read(f->c, 0, 16, big), 0);
    assert_memory_equal(big + 5 * SS, one, SS);
    assert_memory_not_equal(md_sector(&f->d, 5), one, SS);
    teardown(f);
}

static void test_large_write_keeps_cache_coherent(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t big[SS * 16], one[SS];
    assert_int_equal(block_cache_read(f->c, 2, 1, one), 0); /* cached clean */
    fill(one, 1, 0x11);
    assert_int_equal(block_cache_write(f->c, 4, 1, one), 0); /* cached dirty */
    fill(big, 16, 0x22);
    assert_int_equal(block_cache_write(f->c, 0, 16, big), 0);
    size_t reads = md_count(&f->d, MD_READ);
    assert_int_equal(block_cache_read(f->c, 2, 1, one), 0);
    assert_memory_equal(one, big, SS);
    assert_int_equal(block_cache_read(f->c, 4, 1, one), 0);
    assert_memory_equal(one, big, SS); /* the large write won over the dirty copy */
    assert_int_equal(md_count(&f->d, MD_READ), reads);
    assert_int_equal(block_cache_dirty(f->c), 0);
    assert_int_equal(block_cache_flush(f->c), 0);
    assert_int_equal(md_count(&f->d, MD_WRITE), 1); /* nothing left to write back */
    teardown(f);
}

/* ---- eviction ------------------------------------------------------------------------ */

static void test_eviction_order(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t one[SS];
    for (uint64_t lba = 0; lba < MIN; lba++)
        assert_int_equal(block_cache_read(f->c, lba, 1, one), 0);
    assert_int_equal(block_cache_read(f->c, 0, 1, one), 0);   /* 0 is now the newest */
    assert_int_equal(block_cache_read(f->c, 100, 1, one), 0); /* evicts 1, the oldest */
    assert_int_equal(block_cache_read(f->c, 101, 1, one), 0); /* evicts 2 */
    assert_int_equal(block_cache_stats(f->c)->evictions, 2);
    size_t reads = md_count(&f->d, MD_READ);
    assert_int_equal(block_cache_read(f->c, 0, 1, one), 0);
    assert_int_equal(block_cache_read(f->c, 3, 1, one), 0);
    assert_int_equal(md_count(&f->d, MD_READ), reads); /* both still cached */
    assert_int_equal(block_cache_read(f->c, 1, 1, one), 0);
    assert_int_equal(md_count(&f->d, MD_READ), reads + 1);
    expect_request(&f->d, f->d.nlog - 1, MD_READ, 1, 1);
    teardown(f);
}

static void test_dirty_sectors_stay_while_clean_ones_go(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t one[SS];
    fill(one, 1, 0x5A);
    assert_int_equal(block_cache_read(f->c, 500, 1, one), 0); /* the oldest, clean */
    for (uint64_t lba = 0; lba < MIN - 1; lba++)
        assert_int_equal(block_cache_write(f->c, lba, 1, one), 0);
    assert_int_equal(block_cache_read(f->c, 600, 1, one), 0);
    assert_int_equal(md_count(&f->d, MD_WRITE), 0); /* the clean one went */
    assert_int_equal(block_cache_dirty(f->c), MIN - 1);
    /* The next new sector takes 600, the only clean one: all are dirty. */
    assert_int_equal(block_cache_write(f->c, MIN - 1, 1, one), 0);
    assert_int_equal(md_count(&f->d, MD_WRITE), 0);
    assert_int_equal(block_cache_dirty(f->c), MIN);
    /* Then a miss writes them all out (one merged run) before taking the
     * oldest. */
    assert_int_equal(block_cache_read(f->c, 700, 1, one), 0);
    assert_int_equal(md_count(&f->d, MD_WRITE), 1);
    assert_int_equal(block_cache_dirty(f->c), 0);
    expect_request(&f->d, f->d.nlog - 2, MD_WRITE, 0, MIN);
    expect_request(&f->d, f->d.nlog - 1, MD_READ, 700, 1);
    teardown(f);
}

static void test_bounded(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t one[SS];
    fill(one, 1, 1);
    for (uint64_t lba = 0; lba < 1000; lba += 2) {
        assert_int_equal(block_cache_write(f->c, lba, 1, one), 0);
        assert_true(block_cache_dirty(f->c) <= MIN);
    }
    assert_true(block_cache_stats(f->c)->evictions >= 500 - MIN);
    assert_int_equal(block_cache_flush(f->c), 0);
    for (uint64_t lba = 0; lba < 1000; lba += 2)
        assert_memory_equal(md_sector(&f->d, lba), one, SS);
    teardown(f);
}

/* ---- write-back, barriers, flush ----------------------------------------------------- */

static void test_write_back_sorted_runs(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t one[SS];
    static const uint64_t order[] = {7, 3, 4, 20, 5};
    for (size_t i = 0; i < 5; i++) {
        fill(one, 1, (uint8_t)(0x40 + order[i]));
        assert_int_equal(block_cache_write(f->c, order[i], 1, one), 0);
    }
    assert_int_equal(f->d.nlog, 0); /* nothing reached the disk yet */
    assert_int_equal(block_cache_flush(f->c), 0);
    assert_int_equal(f->d.nlog, 4);
    expect_request(&f->d, 0, MD_WRITE, 3, 3);
    expect_request(&f->d, 1, MD_WRITE, 7, 1);
    expect_request(&f->d, 2, MD_WRITE, 20, 1);
    expect_request(&f->d, 3, MD_FLUSH, 0, 0);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(f->d.durable[order[i] * SS], 0x40 + order[i]);
    assert_int_equal(block_cache_stats(f->c)->runs, 3);
    teardown(f);
}

static void test_barrier_orders_writes(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t a[SS], b[SS];
    fill(a, 1, 0xA1);
    fill(b, 1, 0xB2);
    block_cache_barrier(f->c); /* nothing written yet: costs nothing */
    assert_int_equal(block_cache_write(f->c, 10, 1, a), 0);
    assert_int_equal(f->d.nlog, 0);
    block_cache_barrier(f->c);
    assert_int_equal(f->d.nlog, 0); /* a barrier alone does no I/O */
    assert_int_equal(block_cache_write(f->c, 11, 1, b), 0);
    /* A is written and flushed before B is even accepted. */
    assert_int_equal(f->d.nlog, 2);
    expect_request(&f->d, 0, MD_WRITE, 10, 1);
    expect_request(&f->d, 1, MD_FLUSH, 0, 0);
    assert_memory_equal(f->d.durable + 10 * SS, a, SS);
    assert_memory_not_equal(f->d.data + 11 * SS, b, SS);
    /* A third write without a barrier does no I/O. */
    assert_int_equal(block_cache_write(f->c, 12, 1, b), 0);
    assert_int_equal(f->d.nlog, 2);
    teardown(f);
}

static void test_barrier_after_periodic_write_out(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t a[SS];
    fill(a, 1, 0xA1);
    assert_int_equal(block_cache_write(f->c, 10, 1, a), 0);
    block_cache_barrier(f->c);
    assert_int_equal(block_cache_write_out(f->c), 0); /* the writer thread: no FLUSH */
    assert_int_equal(md_count(&f->d, MD_FLUSH), 0);
    assert_int_equal(block_cache_write(f->c, 11, 1, a), 0);
    assert_int_equal(md_count(&f->d, MD_FLUSH), 1); /* still owed before the next write */
    expect_request(&f->d, f->d.nlog - 1, MD_FLUSH, 0, 0);
    teardown(f);
}

static void test_barrier_pending_until_both_succeed(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t a[SS], b[SS];
    fill(a, 1, 0xA1);
    fill(b, 1, 0xB2);
    assert_int_equal(block_cache_write(f->c, 10, 1, a), 0);
    block_cache_barrier(f->c);
    /* The write-out fails: B is refused, A stays dirty. */
    f->d.fail_writes = 1;
    assert_int_equal(block_cache_write(f->c, 11, 1, b), ERR_IO);
    assert_int_equal(block_cache_dirty(f->c), 1);
    assert_int_equal(md_count(&f->d, MD_FLUSH), 0);
    /* The write-out works but the FLUSH fails: still refused. */
    f->d.fail_writes = 0;
    f->d.fail_flushes = 1;
    assert_int_equal(block_cache_write(f->c, 11, 1, b), ERR_IO);
    assert_int_equal(block_cache_dirty(f->c), 0);
    assert_memory_not_equal(f->d.durable + 10 * SS, a, SS);
    /* Both work: the FLUSH is done first, then B is accepted. */
    f->d.fail_flushes = 0;
    size_t before = f->d.nlog;
    assert_int_equal(block_cache_write(f->c, 11, 1, b), 0);
    assert_int_equal(f->d.nlog, before + 1);
    expect_request(&f->d, before, MD_FLUSH, 0, 0);
    assert_memory_equal(f->d.durable + 10 * SS, a, SS);
    assert_int_equal(block_cache_dirty(f->c), 1);
    /* The barrier is spent: the next write does no I/O. */
    assert_int_equal(block_cache_write(f->c, 12, 1, b), 0);
    assert_int_equal(f->d.nlog, before + 1);
    teardown(f);
}

static void test_failing_device(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t one[SS], big[SS * 16];
    f->d.fail_lba = 9;
    assert_int_equal(block_cache_read(f->c, 8, 2, one), ERR_IO);
    assert_int_equal(block_cache_read(f->c, 0, 16, big), ERR_IO);
    f->d.fail_lba = -1;
    size_t reads = md_count(&f->d, MD_READ);
    assert_int_equal(block_cache_read(f->c, 9, 1, one), 0); /* the failed read cached nothing */
    assert_int_equal(md_count(&f->d, MD_READ), reads + 1);
    assert_memory_equal(one, md_sector(&f->d, 9), SS);
    /* Write-back fails: the sector stays dirty and is written later. */
    fill(one, 1, 0xC3);
    assert_int_equal(block_cache_write(f->c, 30, 1, one), 0);
    f->d.fail_writes = 1;
    assert_int_equal(block_cache_flush(f->c), ERR_IO);
    assert_int_equal(block_cache_write_out(f->c), ERR_IO);
    assert_int_equal(block_cache_dirty(f->c), 1);
    fill(big, 16, 0xD4);
    assert_int_equal(block_cache_write(f->c, 100, 16, big), ERR_IO);
    f->d.fail_writes = 0;
    assert_int_equal(block_cache_flush(f->c), 0);
    assert_memory_equal(f->d.durable + 30 * SS, one, SS);
    /* A FLUSH that fails is reported and tried again by the next flush. */
    f->d.fail_flushes = 1;
    assert_int_equal(block_cache_flush(f->c), ERR_IO);
    f->d.fail_flushes = 0;
    assert_int_equal(block_cache_flush(f->c), 0);
    teardown(f);
}

/* ---- a random workload against a shadow copy ----------------------------------------- */

static void test_random_workload(void **state)
{
    (void)state;
    struct fixture *f = setup(MIN);
    uint8_t *shadow = malloc((size_t)SS * SECTORS), buf[SS * 24], got[SS * 24];
    memcpy(shadow, f->d.data, (size_t)SS * SECTORS);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int step = 0; step < 20000; step++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint32_t count = 1 + (uint32_t)(x >> 59 & 15) + (x & 1 ? 0 : 8) * (x >> 20 & 1);
        uint64_t lba = (x >> 32) % 200; /* a hot region, so sectors are shared */
        switch (x >> 8 & 7) {
        case 0:
        case 1:
        case 2:
            memset(buf, (int)(x >> 40), (size_t)count * SS);
            buf[0] = (uint8_t)step;
            assert_int_equal(block_cache_write(f->c, lba, count, buf), 0);
            memcpy(shadow + lba * SS, buf, (size_t)count * SS);
            break;
        case 3: block_cache_barrier(f->c); break;
        case 4: assert_int_equal(block_cache_write_out(f->c), 0); break;
        default:
            assert_int_equal(block_cache_read(f->c, lba, count, got), 0);
            assert_memory_equal(got, shadow + lba * SS, (size_t)count * SS);
        }
        assert_true(block_cache_dirty(f->c) <= MIN);
    }
    assert_int_equal(block_cache_flush(f->c), 0);
    assert_memory_equal(f->d.durable, shadow, (size_t)SS * SECTORS);
    free(shadow);
    teardown(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hits),
        cmocka_unit_test(test_large_transfers_bypass),
        cmocka_unit_test(test_large_write_keeps_cache_coherent),
        cmocka_unit_test(test_eviction_order),
        cmocka_unit_test(test_dirty_sectors_stay_while_clean_ones_go),
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_write_back_sorted_runs),
        cmocka_unit_test(test_barrier_orders_writes),
        cmocka_unit_test(test_barrier_after_periodic_write_out),
        cmocka_unit_test(test_barrier_pending_until_both_succeed),
        cmocka_unit_test(test_failing_device),
        cmocka_unit_test(test_random_workload),
    };
    return cmocka_run_group_tests_name("unit/block/cache", tests, NULL, NULL);
}
