/*
 * kernel/drivers/virtio/virtio.h - the VirtIO core: PCI transports (legacy
 * and modern), feature negotiation, split virtqueues, interrupts.
 * (VirtIO 1.2 spec sections 2, 4.1; legacy interface section 4.1.4.8.)
 */
#ifndef DRIVERS_VIRTIO_H
#define DRIVERS_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/drivers/pci/pci.h"

#define VIRTIO_F_ANY_LAYOUT    (1ull << 27) /* legacy devices (spec 2.4.4) */
#define VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_EVENT_IDX     (1ull << 29)
#define VIRTIO_F_VERSION_1     (1ull << 32)

#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[];
};

struct virtio_dev;

struct virtq {
    struct virtio_dev *dev;
    uint16_t index, size;
    struct virtq_desc *desc;
    struct virtq_avail *avail;
    struct virtq_used *used;
    void *mem;
    size_t mem_size;
    uint16_t free_head, num_free, last_used;
    void **tokens;                  /* per head descriptor */
    volatile uint16_t *notify_addr; /* modern */
    void (*on_irq)(struct virtq *vq, void *arg);
    void *arg;
};

struct virtio_dev {
    struct pci_dev *pci;
    const char *name;
    bool modern;
    uint16_t iobase;          /* legacy */
    volatile uint8_t *common; /* modern capabilities */
    volatile uint8_t *isr;
    volatile uint8_t *device_cfg;
    volatile uint8_t *notify_base;
    uint32_t notify_mul;
    bool msix;
    uint64_t features;
    struct virtq *queues[8];
    int nqueues;
    void (*on_config_change)(struct virtio_dev *vd);
};

/* One piece of a descriptor chain: kernel virtual memory (any: it is split
 * at physical page boundaries) the device reads (out) or writes (in). */
struct virtq_buf {
    void *addr;
    uint32_t len;
    bool device_writes;
};

/* Resets the device, sets ACKNOWLEDGE and DRIVER; finds the transport. */
int virtio_pci_init(struct virtio_dev *vd, struct pci_dev *pci, const char *name);
uint64_t virtio_device_features(struct virtio_dev *vd);
/* Writes the features the driver accepts (a subset of the device's),
 * sets FEATURES_OK and checks it stuck. On modern devices VERSION_1 is
 * required. */
int virtio_set_features(struct virtio_dev *vd, uint64_t features);
/* Sets up queue `index` with at most max_size entries (0 = device's size);
 * on_irq runs in interrupt context when the device used buffers. */
int virtio_setup_queue(struct virtio_dev *vd, struct virtq *vq, uint16_t index, uint16_t max_size,
                       void (*on_irq)(struct virtq *vq, void *arg), void *arg);
/* Enables interrupts (MSI-X, else INTx) and sets DRIVER_OK. */
int virtio_driver_ok(struct virtio_dev *vd);
/* Reports failure: logs why, sets FAILED and resets the device. */
void virtio_fail(struct virtio_dev *vd, const char *why);
/* Undoes the set-up of a probe that failed before virtio_driver_ok (no
 * interrupt refers to the device yet): resets the device, so that it stops
 * using the queues, and frees every queue's ring and tokens. */
void virtio_release(struct virtio_dev *vd);

uint8_t virtio_cfg_read8(struct virtio_dev *vd, unsigned off);
uint16_t virtio_cfg_read16(struct virtio_dev *vd, unsigned off);
uint32_t virtio_cfg_read32(struct virtio_dev *vd, unsigned off);
uint64_t virtio_cfg_read64(struct virtio_dev *vd, unsigned off);

/* Adds a chain (device-readable parts first, then device-writable) and
 * remembers token. Returns the number of descriptors used, or ERR_NOSPC
 * when the ring has not enough free descriptors (nothing is added then).
 * Does not notify the device. Call with interrupts disabled or from the
 * only thread using the queue. */
int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, int nbufs, void *token);
/* Notifies the device of new buffers unless it asked not to be. */
void virtq_kick(struct virtq *vq);
/* Takes the next used chain: returns its token (and the written length) or
 * NULL when none is pending. Frees the chain's descriptors. */
void *virtq_get_used(struct virtq *vq, uint32_t *len);
/* Asks the device not to interrupt for this queue (a hint, spec 2.7.7),
 * while a driver polls it; enabling again returns true if buffers were
 * used meanwhile, so the caller polls once more instead of waiting. */
void virtq_disable_irq(struct virtq *vq);
bool virtq_enable_irq(struct virtq *vq);
/* Descriptors a chain of these buffers would need. */
int virtq_descs_needed(const struct virtq_buf *bufs, int nbufs);

#endif
