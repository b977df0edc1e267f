/*
 * kernel/block/part.c - registers a disk's partitions as block devices of
 * their own (vda1, ...): lib/block/part.c reads the MBR or GPT through
 * block_read and judges every entry; this file names, logs and registers
 * the accepted ones.
 */
#include "kernel/block/block.h"

#include "base/error.h"
#include "base/fmt.h"
#include "block/part.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"

static int read_disk(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
    return block_read(ctx, lba, count, buf);
}

static const char *kind_of(const struct part_info *p)
{
    if (p->scheme == PART_SCHEME_GPT) return "GPT";
    return p->logical ? "logical" : "MBR";
}

static int register_partition(struct block_dev *disk, const struct part_info *part)
{
    struct block_dev *p = kzalloc(sizeof *p);
    if (!p) return ERR_NOMEM;
    fmt_snprintf(p->name, sizeof p->name, "%s%d", disk->name, part->no);
    p->sector_size = disk->sector_size;
    p->sector_count = part->count;
    p->read_only = disk->read_only;
    p->parent = disk;
    p->start_lba = part->start;
    p->partno = part->no;
    int err = block_register(p);
    if (err < 0) {
        kfree(p);
        return err;
    }
    klog_info("block", "%s: %s partition, sectors %llu-%llu (%llu MiB)", p->name, kind_of(part),
              (unsigned long long)part->start, (unsigned long long)(part->start + part->count - 1),
              (unsigned long long)(part->count * disk->sector_size >> 20));
    return 0;
}

static int on_partition(void *ctx, const struct part_info *part)
{
    struct block_dev *disk = ctx;
    if (part->verdict == PART_ACCEPTED) return register_partition(disk, part);
    klog_warn("block", "%s: partition %d (%s) %s; ignored", disk->name, part->no, kind_of(part),
              part->verdict == PART_OUTSIDE ? "lies outside the disk" : "overlaps another");
    return 0;
}

int block_scan_partitions(struct block_dev *disk)
{
    struct sector_dev pd = {
        .name = disk->name,
        .sector_size = disk->sector_size,
        .sector_count = disk->sector_count,
        .read = read_disk,
        .ctx = disk,
    };
    return part_scan(&pd, on_partition, disk, NULL);
}
