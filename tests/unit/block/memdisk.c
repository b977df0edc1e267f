/*
 * tests/unit/block/memdisk.c - the in-memory disk of memdisk.h.
 */
#include "memdisk.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

void md_init(struct memdisk *d, uint32_t ss, uint64_t sectors)
{
    memset(d, 0, sizeof *d);
    d->ss = ss;
    d->sectors = sectors;
    d->data = calloc(sectors, ss);
    d->durable = calloc(sectors, ss);
    d->fail_lba = -1;
}

void md_free(struct memdisk *d)
{
    free(d->data);
    free(d->durable);
    d->data = d->durable = NULL;
}

uint8_t *md_sector(struct memdisk *d, uint64_t lba)
{
    return d->data + lba * d->ss;
}

static void md_log(struct memdisk *d, enum md_op op, uint64_t lba, uint32_t count)
{
    if (d->nlog < sizeof d->log / sizeof d->log[0])
        d->log[d->nlog++] = (struct md_request){op, lba, count};
}

static int md_check(const struct memdisk *d, uint64_t lba, uint32_t count)
{
    if (count == 0 || lba >= d->sectors || count > d->sectors - lba) return ERR_INVAL;
    if (d->fail_lba >= 0 && (uint64_t)d->fail_lba >= lba && (uint64_t)d->fail_lba < lba + count)
        return ERR_IO;
    return 0;
}

int md_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
    struct memdisk *d = ctx;
    md_log(d, MD_READ, lba, count);
    int err = md_check(d, lba, count);
    if (err == 0) memcpy(buf, d->data + lba * d->ss, (size_t)count * d->ss);
    return err;
}

int md_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
    struct memdisk *d = ctx;
    md_log(d, MD_WRITE, lba, count);
    int err = d->fail_writes ? ERR_IO : md_check(d, lba, count);
    if (err == 0) memcpy(d->data + lba * d->ss, buf, (size_t)count * d->ss);
    return err;
}

int md_flush(void *ctx)
{
    struct memdisk *d = ctx;
    md_log(d, MD_FLUSH, 0, 0);
    if (d->fail_flushes) return ERR_IO;
    memcpy(d->durable, d->data, (size_t)d->sectors * d->ss);
    return 0;
}

size_t md_count(const struct memdisk *d, enum md_op op)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nlog; i++)
        n += d->log[i].op == op;
    return n;
}
