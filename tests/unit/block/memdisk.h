/*
 * tests/unit/block/memdisk.h - an in-memory disk for lib/block's host
 * tests: sectors in a buffer, a log of every request in order, and
 * failures injected by LBA or by request kind.
 */
#ifndef TESTS_UNIT_BLOCK_MEMDISK_H
#define TESTS_UNIT_BLOCK_MEMDISK_H

#include <stddef.h>
#include <stdint.h>

enum md_op { MD_READ = 'R', MD_WRITE = 'W', MD_FLUSH = 'F' };

struct md_request {
    enum md_op op;
    uint64_t lba;
    uint32_t count;
};

struct memdisk {
    uint8_t *data;
    uint32_t ss;
    uint64_t sectors;
    struct md_request log[4096];
    size_t nlog;
    int64_t fail_lba; /* a read or write that touches it fails; -1: none */
    int fail_writes;  /* every write fails while set */
    int fail_flushes; /* every flush fails while set */
    uint8_t *durable; /* what survived the last successful flush */
};

void md_init(struct memdisk *d, uint32_t ss, uint64_t sectors);
void md_free(struct memdisk *d);
uint8_t *md_sector(struct memdisk *d, uint64_t lba);
/* The seam lib/block calls (ctx is the struct memdisk). */
int md_read(void *ctx, uint64_t lba, uint32_t count, void *buf);
int md_write(void *ctx, uint64_t lba, uint32_t count, const void *buf);
int md_flush(void *ctx);
/* How many logged requests are of kind op. */
size_t md_count(const struct memdisk *d, enum md_op op);

#endif
