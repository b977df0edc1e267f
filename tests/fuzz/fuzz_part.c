/*
 * tests/fuzz/fuzz_part.c - libFuzzer target for lib/block/part.c: the
 * input is a disk (its first byte picks the sector size and whether the
 * disk claims more sectors than the input holds, read as zeros).
 *
 * Properties: never crashes, overruns or hangs; every accepted partition
 * lies inside the disk and past sector 0, no two accepted ones share a
 * sector, the result is the number accepted (or an error, with nothing
 * accepted reported after it), and each verdict is one of the three.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "block/part.h"

struct fuzz_disk {
    const uint8_t *data;
    size_t size;
    uint32_t ss;
    uint64_t sectors;
    struct part_info accepted[512];
    int naccepted, reported;
};

static int fd_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
    struct fuzz_disk *d = ctx;
    if (count == 0 || lba >= d->sectors || count > d->sectors - lba) abort();
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *out = (uint8_t *)buf + (size_t)i * d->ss;
        uint64_t off = (lba + i) * d->ss;
        size_t have = off < d->size ? d->size - off : 0;
        if (have > d->ss) have = d->ss;
        if (have) memcpy(out, d->data + off, have);
        memset(out + have, 0, d->ss - have);
    }
    return 0;
}

static int on_part(void *ctx, const struct part_info *p)
{
    struct fuzz_disk *d = ctx;
    d->reported++;
    if (p->verdict != PART_ACCEPTED) {
        if (p->verdict != PART_OUTSIDE && p->verdict != PART_OVERLAPS) abort();
        return 0;
    }
    if (p->count == 0 || p->start == 0 || p->start >= d->sectors ||
        p->count > d->sectors - p->start)
        abort();
    for (int i = 0; i < d->naccepted; i++) {
        const struct part_info *q = &d->accepted[i];
        if (p->start <= q->start + q->count - 1 && q->start <= p->start + p->count - 1) abort();
    }
    if (d->naccepted >= 512) abort();
    d->accepted[d->naccepted++] = *p;
    return 0;
}

/* The parser's warnings about each bad table would drown the fuzzer's
 * output: errors only, unless KPIO_LOG says otherwise. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    setenv("KPIO_LOG", "0", 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_disk d;
    if (size < 1) return 0;
    memset(&d, 0, sizeof d);
    d.ss = data[0] & 1 ? 4096 : 512;
    d.data = data + 1;
    d.size = size - 1;
    d.sectors = (d.size + d.ss - 1) / d.ss;
    if (data[0] & 2) d.sectors = d.sectors * 1000 + 7;
    if (d.sectors == 0) d.sectors = 1;
    struct sector_dev pd = {"fuzz", d.ss, d.sectors, fd_read, NULL, NULL, &d};
    struct part_summary sum;
    memset(&sum, 0, sizeof sum);
    int n = part_scan(&pd, on_part, &d, &sum);
    if (n >= 0 &&
        (n != d.naccepted || sum.accepted != n || sum.accepted + sum.refused != d.reported))
        abort();
    if (n < 0 && n != ERR_CORRUPT && n != ERR_NOMEM) abort();
    return 0;
}
