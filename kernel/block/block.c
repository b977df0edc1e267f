/*
 * kernel/block/block.c - block device registry and checked transfers.
 */
#include "kernel/block/block.h"

#include "kernel/arch/x86_64/cpu.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/phases.h"

static struct list_node devices = LIST_INIT(devices);
static int ndisks;

int block_register(struct block_dev *dev)
{
    if (block_find(dev->name)) return ERR_EXIST;
    uint64_t f = irq_save();
    list_push_back(&devices, &dev->node);
    if (!dev->parent) ndisks++;
    irq_restore(f);
    return 0;
}

void block_next_disk_name(char *name, size_t size)
{
    fmt_snprintf(name, size, "vd%c", 'a' + ndisks % 26);
}

struct block_dev *block_next(struct block_dev *prev)
{
    struct list_node *n = prev ? prev->node.next : devices.next;
    return n == &devices ? NULL : list_entry(n, struct block_dev, node);
}

struct block_dev *block_find(const char *name)
{
    for (struct block_dev *d = block_next(NULL); d; d = block_next(d))
        if (strcmp(d->name, name) == 0) return d;
    return NULL;
}

static int check(struct block_dev *dev, uint64_t lba, uint32_t count)
{
    if (count == 0 || lba >= dev->sector_count || count > dev->sector_count - lba) return ERR_INVAL;
    return 0;
}

/* The whole disk under a partition, and the LBA there. */
static struct block_dev *disk_of(struct block_dev *dev, uint64_t *lba)
{
    while (dev->parent) {
        *lba += dev->start_lba;
        dev = dev->parent;
    }
    return dev;
}

int block_read(struct block_dev *dev, uint64_t lba, uint32_t count, void *buf)
{
    int err = check(dev, lba, count);
    if (err < 0) return err;
    struct block_dev *disk = disk_of(dev, &lba);
    err = disk->ops->read(disk, lba, count, buf);
    dev->stats.reads++;
    dev->stats.read_bytes += (uint64_t)count * dev->sector_size;
    if (err < 0) dev->stats.errors++;
    return err;
}

int block_write(struct block_dev *dev, uint64_t lba, uint32_t count, const void *buf)
{
    int err = check(dev, lba, count);
    if (err < 0) return err;
    if (dev->read_only) return ERR_ROFS;
    struct block_dev *disk = disk_of(dev, &lba);
    if (disk->read_only) return ERR_ROFS;
    err = disk->ops->write(disk, lba, count, buf);
    phase_copied(COPY_BLK_WRITE, (uint64_t)count * dev->sector_size);
    dev->stats.writes++;
    dev->stats.write_bytes += (uint64_t)count * dev->sector_size;
    if (err < 0) dev->stats.errors++;
    return err;
}

int block_flush(struct block_dev *dev)
{
    uint64_t lba = 0;
    struct block_dev *disk = disk_of(dev, &lba);
    dev->stats.flushes++;
    return disk->ops->flush ? disk->ops->flush(disk) : 0;
}
