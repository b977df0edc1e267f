/*
 * kernel/drivers/virtio/virtio_rng.c - the VirtIO entropy device (spec
 * 5.4): one request queue whose device-writable buffers the device fills
 * with random bytes. The first device found is the kernel's entropy
 * device; kernel/lib/random.c seeds its DRBG from it.
 *
 * One request is in flight at a time (a mutex orders the readers); the
 * reader sleeps on a wait queue that the interrupt handler wakes. A
 * request the device does not answer by the caller's deadline leaves the
 * device marked broken and reset (it may still own the buffer otherwise).
 */
#include "kernel/drivers/virtio/virtio_rng.h"

#include "kernel/arch/x86_64/cpu.h"
#include "base/error.h"
#include "base/mem.h"
#include "kernel/drivers/virtio/virtio.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/sched/sched.h"

#define RNG_CHUNK 64

struct vrng {
    struct virtio_dev vd;
    struct virtq vq;
    struct waitq wq;
    struct mutex lock;
    uint8_t buf[RNG_CHUNK];
    volatile bool done;
    volatile uint32_t got;
    bool broken;
};

static struct vrng *the_rng;

static void vrng_irq(struct virtq *vq, void *arg)
{
    struct vrng *r = arg;
    uint32_t len;
    if (virtq_get_used(vq, &len) != NULL) {
        r->got = len;
        r->done = true;
        waitq_wake_all(&r->wq);
    }
}

/* One request of up to RNG_CHUNK bytes into r->buf; the count, or an
 * error. Caller holds r->lock. */
static long vrng_request(struct vrng *r, size_t want, uint64_t deadline_ns)
{
    struct virtq_buf b = {r->buf, (uint32_t)want, true};
    r->done = false;
    r->got = 0;
    uint64_t f = irq_save();
    int err = virtq_add(&r->vq, &b, 1, r);
    if (err >= 0) {
        virtq_kick(&r->vq);
        err = 0;
        while (!r->done && err == 0)
            if (waitq_sleep_uninterruptible(&r->wq, deadline_ns) == ERR_TIMEDOUT && !r->done)
                err = ERR_TIMEDOUT;
    }
    irq_restore(f);
    if (err == ERR_TIMEDOUT) {
        r->broken = true;
        virtio_fail(&r->vd, "an entropy request was not answered in time");
    }
    if (err < 0) return err;
    return r->got < want ? r->got : (long)want;
}

bool virtio_rng_present(void)
{
    return the_rng && !the_rng->broken;
}

long virtio_rng_read(void *buf, size_t len, uint64_t deadline_ns)
{
    struct vrng *r = the_rng;
    if (!r || r->broken) return ERR_NODEV;
    mutex_lock(&r->lock);
    size_t done = 0;
    long err = 0;
    while (done < len && !r->broken) {
        size_t want = len - done < RNG_CHUNK ? len - done : RNG_CHUNK;
        long n = vrng_request(r, want, deadline_ns);
        if (n < 0) {
            err = n;
            break;
        }
        memcpy((uint8_t *)buf + done, r->buf, (size_t)n);
        memset(r->buf, 0, sizeof r->buf);
        done += (size_t)n;
    }
    mutex_unlock(&r->lock);
    return done ? (long)done : (err ? err : ERR_IO);
}

static int vrng_probe(struct pci_dev *pci)
{
    if (the_rng) return ERR_BUSY; /* one entropy device is enough */
    struct vrng *r = kzalloc(sizeof *r);
    if (!r) return ERR_NOMEM;
    int err = virtio_pci_init(&r->vd, pci, "virtio-rng");
    if (err < 0) {
        kfree(r);
        return err;
    }
    waitq_init(&r->wq);
    mutex_init(&r->lock);
    if ((err = virtio_set_features(&r->vd, VIRTIO_F_VERSION_1)) < 0 ||
        (err = virtio_setup_queue(&r->vd, &r->vq, 0, 16, vrng_irq, r)) < 0) {
        virtio_release(&r->vd);
        kfree(r);
        return err;
    }
    /* On failure the device is reset, but its interrupt handler may still
     * refer to r: it is not freed then. */
    if ((err = virtio_driver_ok(&r->vd)) < 0) return err;
    klog_info("virtio-rng", "entropy device, %s transport, %s", r->vd.modern ? "modern" : "legacy",
              r->vd.msix ? "MSI-X" : "INTx");
    the_rng = r;
    return 0;
}

static const struct pci_driver vrng_transitional = {"virtio-rng", 0x1AF4, 0x1005, 0x1005,
                                                    vrng_probe};
static const struct pci_driver vrng_modern = {"virtio-rng", 0x1AF4, 0x1044, 0x1044, vrng_probe};

int virtio_rng_init(void)
{
    return pci_register_driver(&vrng_transitional) + pci_register_driver(&vrng_modern);
}
