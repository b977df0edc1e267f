/*
 * kernel/drivers/virtio/virtio_blk.c - the VirtIO block driver (spec 5.2).
 *
 * A transfer is split into requests of at most seg_max segments and
 * size_max bytes each; as many as the queue holds are in flight at once,
 * more are added as completions free descriptors. The caller sleeps on the
 * disk's wait queue; the interrupt handler collects completions and wakes
 * it. A request the device does not complete within REQUEST_TIMEOUT_S
 * resets the device (it may still own the buffer otherwise).
 */
#include "kernel/arch/x86_64/cpu.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"
#include "kernel/block/block.h"
#include "kernel/drivers/virtio/virtio.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/pmm.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"

#define VIRTIO_BLK_F_SIZE_MAX (1ull << 1)
#define VIRTIO_BLK_F_SEG_MAX  (1ull << 2)
#define VIRTIO_BLK_F_RO       (1ull << 5)
#define VIRTIO_BLK_F_BLK_SIZE (1ull << 6)
#define VIRTIO_BLK_F_FLUSH    (1ull << 9)

#define T_IN     0
#define T_OUT    1
#define T_FLUSH  4
#define S_OK     0
#define S_IOERR  1
#define S_UNSUPP 2

#define REQUEST_TIMEOUT_S 30
#define MAX_REQUEST_BYTES (512u * 1024)

struct blk_req {
    struct {
        uint32_t type, reserved;
        uint64_t sector;
    } hdr;
    uint8_t status;
    volatile bool done;
};

struct vblk {
    struct virtio_dev vd;
    struct virtq vq;
    struct block_dev bdev;
    struct waitq wq;
    uint32_t seg_max, size_max;
    bool has_flush, broken;
    uint64_t inflight_max;
};

static void vblk_irq(struct virtq *vq, void *arg)
{
    struct vblk *b = arg;
    struct blk_req *r;
    int any = 0;
    while ((r = virtq_get_used(vq, NULL)) != NULL) {
        r->done = true;
        any = 1;
    }
    if (any) waitq_wake_all(&b->wq);
}

/* Waits for r to complete; ERR_IO if the device had to be reset. */
static int wait_req(struct vblk *b, struct blk_req *r)
{
    uint64_t deadline = clock_monotonic_ns() + REQUEST_TIMEOUT_S * NS_PER_SEC;
    uint64_t f = irq_save();
    int err = 0;
    while (!r->done && !b->broken) {
        /* Not interruptible by a kill: the device owns the buffer. */
        if (waitq_sleep_uninterruptible(&b->wq, deadline) == ERR_TIMEDOUT && !r->done) {
            err = ERR_TIMEDOUT;
            break;
        }
    }
    irq_restore(f);
    if (err == ERR_TIMEDOUT) {
        b->broken = true;
        virtio_fail(&b->vd, "a request did not complete within 30 s");
    }
    return r->done ? 0 : ERR_IO;
}

static int status_err(const struct blk_req *r)
{
    switch (r->status) {
    case S_OK: return 0;
    case S_UNSUPP: return ERR_NOTSUP;
    default: return ERR_IO;
    }
}

/* Adds one request for [lba, lba + bytes / 512) with data at buf; waits for
 * room in the queue. */
static int submit(struct vblk *b, struct blk_req *r, uint32_t type, uint64_t lba, void *buf,
                  uint32_t bytes)
{
    r->hdr.type = type;
    r->hdr.reserved = 0;
    r->hdr.sector = lba;
    r->status = 0xFF;
    r->done = false;
    struct virtq_buf bufs[3] = {
        {&r->hdr, sizeof r->hdr, false},
        {buf, bytes, type == T_IN},
        {&r->status, 1, true},
    };
    struct virtq_buf flush_bufs[2] = {bufs[0], bufs[2]};
    const struct virtq_buf *v = bytes ? bufs : flush_bufs;
    int n = bytes ? 3 : 2;
    uint64_t deadline = clock_monotonic_ns() + REQUEST_TIMEOUT_S * NS_PER_SEC;
    uint64_t f = irq_save();
    int err;
    while ((err = virtq_add(&b->vq, v, n, r)) == ERR_NOSPC && !b->broken) {
        if (waitq_sleep_uninterruptible(&b->wq, deadline) == ERR_TIMEDOUT) {
            err = ERR_TIMEDOUT;
            break;
        }
    }
    if (err >= 0) virtq_kick(&b->vq);
    irq_restore(f);
    if (b->broken) return ERR_IO;
    return err < 0 ? err : 0;
}

static int vblk_rw(struct vblk *b, uint32_t type, uint64_t lba, uint32_t count, void *buf)
{
    uint32_t ss = 512;
    uint64_t total = (uint64_t)count * b->bdev.sector_size;
    /* Per request: the device's size_max per segment times seg_max
     * segments, assuming every page is its own segment. */
    uint64_t per = MIN((uint64_t)MAX_REQUEST_BYTES, (uint64_t)(b->seg_max - 0) * PAGE_SIZE);
    if (b->size_max) per = MIN(per, (uint64_t)b->size_max * b->seg_max);
    per = MAX(ALIGN_DOWN(per, PAGE_SIZE), (uint64_t)PAGE_SIZE);
    int nreq = (int)((total + per - 1) / per);
    struct blk_req *reqs = kzalloc(sizeof *reqs * (size_t)nreq);
    if (!reqs) return ERR_NOMEM;
    int err = 0, submitted = 0;
    uint64_t off = 0;
    for (int i = 0; i < nreq && err == 0; i++) {
        uint32_t n = (uint32_t)MIN(per, total - off);
        err = submit(b, &reqs[i], type, lba * (b->bdev.sector_size / ss) + off / ss,
                     (char *)buf + off, n);
        if (err == 0) submitted++;
        off += n;
    }
    for (int i = 0; i < submitted; i++) {
        int e = wait_req(b, &reqs[i]);
        if (e == 0) e = status_err(&reqs[i]);
        if (e < 0 && err == 0) err = e;
    }
    kfree(reqs);
    return err;
}

static int vblk_read(struct block_dev *d, uint64_t lba, uint32_t count, void *buf)
{
    return vblk_rw(d->priv, T_IN, lba, count, buf);
}

static int vblk_write(struct block_dev *d, uint64_t lba, uint32_t count, const void *buf)
{
    return vblk_rw(d->priv, T_OUT, lba, count, (void *)buf);
}

static int vblk_flush(struct block_dev *d)
{
    struct vblk *b = d->priv;
    if (!b->has_flush) return 0; /* no volatile write cache: writes are durable on completion */
    struct blk_req *r = kzalloc(sizeof *r);
    if (!r) return ERR_NOMEM;
    int err = submit(b, r, T_FLUSH, 0, NULL, 0);
    if (err == 0) err = wait_req(b, r);
    if (err == 0) err = status_err(r);
    kfree(r);
    return err;
}

static const struct block_ops vblk_ops = {vblk_read, vblk_write, vblk_flush};

static int vblk_probe(struct pci_dev *pci)
{
    struct vblk *b = kzalloc(sizeof *b);
    if (!b) return ERR_NOMEM;
    char name[16];
    block_next_disk_name(name, sizeof name);
    str_copy(b->bdev.name, name, sizeof b->bdev.name);
    int err = virtio_pci_init(&b->vd, pci, b->bdev.name);
    if (err < 0) goto fail;
    uint64_t want = VIRTIO_F_VERSION_1 | VIRTIO_BLK_F_SIZE_MAX | VIRTIO_BLK_F_SEG_MAX |
                    VIRTIO_BLK_F_RO | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH;
    if ((err = virtio_set_features(&b->vd, want)) < 0) goto fail;
    uint64_t feat = b->vd.features;
    uint64_t capacity = virtio_cfg_read64(&b->vd, 0);
    b->size_max = (feat & VIRTIO_BLK_F_SIZE_MAX) ? virtio_cfg_read32(&b->vd, 8) : 0;
    b->seg_max = (feat & VIRTIO_BLK_F_SEG_MAX) ? virtio_cfg_read32(&b->vd, 12) : 1;
    uint32_t blk = (feat & VIRTIO_BLK_F_BLK_SIZE) ? virtio_cfg_read32(&b->vd, 20) : 512;
    if (blk < 512 || blk > 4096 || (blk & (blk - 1))) blk = 512;
    b->has_flush = feat & VIRTIO_BLK_F_FLUSH;
    waitq_init(&b->wq);
    if ((err = virtio_setup_queue(&b->vd, &b->vq, 0, 256, vblk_irq, b)) < 0) goto fail;
    b->seg_max = MAX(1u, MIN(b->seg_max, (uint32_t)b->vq.size - 2));
    if ((err = virtio_driver_ok(&b->vd)) < 0) goto fail;
    b->bdev.sector_size = blk;
    b->bdev.sector_count = capacity * 512 / blk;
    b->bdev.read_only = feat & VIRTIO_BLK_F_RO;
    b->bdev.ops = &vblk_ops;
    b->bdev.priv = b;
    if ((err = block_register(&b->bdev)) < 0) goto fail;
    klog_info("virtio-blk",
              "%s: %llu MiB, %u-byte sectors%s, %s transport, %s, queue %u, seg_max %u%s",
              b->bdev.name, (unsigned long long)(capacity * 512 >> 20), blk,
              b->bdev.read_only ? ", read-only" : "", b->vd.modern ? "modern" : "legacy",
              b->vd.msix ? "MSI-X" : "INTx", b->vq.size, b->seg_max, b->has_flush ? ", flush" : "");
    block_scan_partitions(&b->bdev);
    return 0;
fail:
    kfree(b);
    return err;
}

static const struct pci_driver vblk_transitional = {"virtio-blk", 0x1AF4, 0x1001, 0x1001,
                                                    vblk_probe};
static const struct pci_driver vblk_modern = {"virtio-blk", 0x1AF4, 0x1042, 0x1042, vblk_probe};

int virtio_blk_init(void)
{
    return pci_register_driver(&vblk_transitional) + pci_register_driver(&vblk_modern);
}
