/*
 * kernel/drivers/virtio/virtio.c - VirtIO over PCI, both transports.
 *
 * Legacy devices (QEMU's transitional default, disable-modern=on) are
 * driven through the I/O BAR0 register block; modern devices
 * (disable-legacy=on, or VERSION_1 negotiated) through the vendor-specific
 * PCI capabilities that locate the common, notify, ISR and device
 * configuration structures in memory BARs. A transitional device offering
 * both is driven as modern. Interrupts: MSI-X with one vector for
 * configuration changes and one per queue when the table is big enough,
 * else INTx through the IOAPIC (the handler reads the ISR to acknowledge).
 */
#include "kernel/drivers/virtio/virtio.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/layout.h"
#include "base/error.h"
#include "base/mem.h"
#include "base/util.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmm.h"

/* Device status bits (spec 2.1). */
#define ST_ACKNOWLEDGE 1
#define ST_DRIVER      2
#define ST_DRIVER_OK   4
#define ST_FEATURES_OK 8
#define ST_NEEDS_RESET 64
#define ST_FAILED      128

/* Legacy register block (spec 4.1.4.8). */
#define L_DEVICE_FEATURES 0x00
#define L_DRIVER_FEATURES 0x04
#define L_QUEUE_PFN       0x08
#define L_QUEUE_SIZE      0x0C
#define L_QUEUE_SELECT    0x0E
#define L_QUEUE_NOTIFY    0x10
#define L_STATUS          0x12
#define L_ISR             0x13
#define L_CONFIG_VECTOR   0x14
#define L_QUEUE_VECTOR    0x16

/* Modern common configuration (spec 4.1.4.3). */
#define C_DFSELECT     0x00
#define C_DF           0x04
#define C_GFSELECT     0x08
#define C_GF           0x0C
#define C_MSIX_CONFIG  0x10
#define C_NUM_QUEUES   0x12
#define C_STATUS       0x14
#define C_Q_SELECT     0x16
#define C_Q_SIZE       0x18
#define C_Q_MSIX       0x1A
#define C_Q_ENABLE     0x1C
#define C_Q_NOTIFY_OFF 0x1E
#define C_Q_DESC       0x20
#define C_Q_DRIVER     0x28
#define C_Q_DEVICE     0x30

#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR    3
#define CAP_DEVICE 4

#define NO_VECTOR        0xFFFF
#define USED_F_NO_NOTIFY 1

static inline void w8(volatile uint8_t *b, unsigned off, uint8_t v)
{
    *(volatile uint8_t *)(b + off) = v;
}
static inline void w16(volatile uint8_t *b, unsigned off, uint16_t v)
{
    *(volatile uint16_t *)(void *)(b + off) = v;
}
static inline void w32(volatile uint8_t *b, unsigned off, uint32_t v)
{
    *(volatile uint32_t *)(void *)(b + off) = v;
}
static inline uint8_t r8(volatile uint8_t *b, unsigned off)
{
    return *(volatile uint8_t *)(b + off);
}
static inline uint16_t r16(volatile uint8_t *b, unsigned off)
{
    return *(volatile uint16_t *)(void *)(b + off);
}
static inline uint32_t r32(volatile uint8_t *b, unsigned off)
{
    return *(volatile uint32_t *)(void *)(b + off);
}

static uint8_t status_get(struct virtio_dev *vd)
{
    return vd->modern ? r8(vd->common, C_STATUS) : inb(vd->iobase + L_STATUS);
}

static void status_set(struct virtio_dev *vd, uint8_t s)
{
    if (vd->modern)
        w8(vd->common, C_STATUS, s);
    else
        outb(vd->iobase + L_STATUS, s);
}

static void device_reset(struct virtio_dev *vd)
{
    status_set(vd, 0);
    /* Modern: reset completes when status reads back 0 (spec 4.1.4.3.2). */
    for (int i = 0; vd->modern && i < 100000 && status_get(vd) != 0; i++)
        cpu_relax();
}

void virtio_fail(struct virtio_dev *vd, const char *why)
{
    klog_error("virtio", "%s: %s; resetting the device", vd->name, why);
    status_set(vd, status_get(vd) | ST_FAILED);
    device_reset(vd);
}

void virtio_release(struct virtio_dev *vd)
{
    device_reset(vd);
    for (int i = 0; i < vd->nqueues; i++) {
        struct virtq *vq = vd->queues[i];
        dma_free(vq->mem, vq->mem_size);
        kfree(vq->tokens);
        vq->mem = NULL;
        vq->tokens = NULL;
    }
    vd->nqueues = 0;
}

/* Finds the modern capabilities; returns 0 when all four are present. */
static int find_modern_caps(struct virtio_dev *vd)
{
    struct pci_dev *p = vd->pci;
    for (uint8_t cap = pci_find_cap(p, PCI_CAP_VENDOR, 0); cap;
         cap = pci_find_cap(p, PCI_CAP_VENDOR, cap)) {
        uint8_t type = pci_read8(p, cap + 3), bar = pci_read8(p, cap + 4);
        uint32_t off = pci_read32(p, cap + 8), len = pci_read32(p, cap + 12);
        if (type < CAP_COMMON || type > CAP_DEVICE || bar > 5 || p->bar[bar].io ||
            !p->bar[bar].size || off + (uint64_t)len > p->bar[bar].size)
            continue; /* also skips the PCI configuration access capability */
        volatile uint8_t *base = pci_map_bar(p, bar);
        if (!base) return ERR_NOMEM;
        switch (type) {
        case CAP_COMMON:
            if (!vd->common) vd->common = base + off;
            break;
        case CAP_ISR:
            if (!vd->isr) vd->isr = base + off;
            break;
        case CAP_DEVICE:
            if (!vd->device_cfg) vd->device_cfg = base + off;
            break;
        case CAP_NOTIFY:
            if (!vd->notify_base) {
                vd->notify_base = base + off;
                vd->notify_mul = pci_read32(p, cap + 16);
            }
            break;
        default: break;
        }
    }
    return (vd->common && vd->isr && vd->device_cfg && vd->notify_base) ? 0 : ERR_NOTSUP;
}

int virtio_pci_init(struct virtio_dev *vd, struct pci_dev *pci, const char *name)
{
    memset(vd, 0, sizeof *vd);
    vd->pci = pci;
    vd->name = name;
    pci_enable(pci);
    if (find_modern_caps(vd) == 0) {
        vd->modern = true;
    } else if (pci->bar[0].io && pci->bar[0].size >= 0x14) {
        vd->iobase = (uint16_t)pci->bar[0].base;
    } else {
        klog_error("virtio", "%s: neither a modern nor a legacy interface", name);
        return ERR_NODEV;
    }
    /* MSI-X on first: in the legacy layout it moves the device config. */
    vd->msix = pci_msix_enable(pci) > 0;
    device_reset(vd);
    status_set(vd, ST_ACKNOWLEDGE);
    status_set(vd, ST_ACKNOWLEDGE | ST_DRIVER);
    return 0;
}

uint64_t virtio_device_features(struct virtio_dev *vd)
{
    if (!vd->modern) return inl(vd->iobase + L_DEVICE_FEATURES);
    w32(vd->common, C_DFSELECT, 0);
    uint64_t lo = r32(vd->common, C_DF);
    w32(vd->common, C_DFSELECT, 1);
    uint64_t hi = r32(vd->common, C_DF);
    return hi << 32 | lo;
}

int virtio_set_features(struct virtio_dev *vd, uint64_t features)
{
    features &= virtio_device_features(vd);
    if (!vd->modern) {
        outl(vd->iobase + L_DRIVER_FEATURES, (uint32_t)features);
        vd->features = features & 0xFFFFFFFFull;
        return 0; /* legacy devices have no FEATURES_OK handshake */
    }
    if (!(features & VIRTIO_F_VERSION_1)) {
        virtio_fail(vd, "modern device without VERSION_1");
        return ERR_NOTSUP;
    }
    w32(vd->common, C_GFSELECT, 0);
    w32(vd->common, C_GF, (uint32_t)features);
    w32(vd->common, C_GFSELECT, 1);
    w32(vd->common, C_GF, (uint32_t)(features >> 32));
    status_set(vd, status_get(vd) | ST_FEATURES_OK);
    if (!(status_get(vd) & ST_FEATURES_OK)) {
        virtio_fail(vd, "the device did not accept our features (FEATURES_OK)");
        return ERR_NOTSUP;
    }
    vd->features = features;
    return 0;
}

static uint8_t cfg8(struct virtio_dev *vd, unsigned off)
{
    if (vd->modern) return r8(vd->device_cfg, off);
    return inb((uint16_t)(vd->iobase + (vd->msix ? 0x18 : 0x14) + off));
}

uint8_t virtio_cfg_read8(struct virtio_dev *vd, unsigned off)
{
    return cfg8(vd, off);
}
uint16_t virtio_cfg_read16(struct virtio_dev *vd, unsigned off)
{
    return (uint16_t)(cfg8(vd, off) | cfg8(vd, off + 1) << 8);
}
uint32_t virtio_cfg_read32(struct virtio_dev *vd, unsigned off)
{
    return virtio_cfg_read16(vd, off) | (uint32_t)virtio_cfg_read16(vd, off + 2) << 16;
}
uint64_t virtio_cfg_read64(struct virtio_dev *vd, unsigned off)
{
    /* Read until stable across the generation (modern) or twice (legacy). */
    for (int i = 0; i < 10; i++) {
        uint8_t gen = vd->modern ? r8(vd->common, 0x15) : 0;
        uint64_t v = virtio_cfg_read32(vd, off) | (uint64_t)virtio_cfg_read32(vd, off + 4) << 32;
        if (!vd->modern || r8(vd->common, 0x15) == gen) return v;
    }
    return 0;
}

/* Physical address of a kernel virtual address (direct map, image, KVA). */
static uint64_t phys_of(const void *p)
{
    uintptr_t va = (uintptr_t)p;
    if (va >= KERNEL_VMA) return va - KERNEL_VMA;
    if (va >= DIRECT_MAP_BASE && va < KVA_BASE) return va - DIRECT_MAP_BASE;
    uint64_t pa = 0;
    BASE_ASSERT(vmm_translate(va, &pa, NULL) == 0);
    return pa;
}

/* Bytes from p that are physically contiguous (at most len). */
static uint32_t contiguous_len(const void *p, uint32_t len)
{
    uintptr_t va = (uintptr_t)p;
    if (va >= KERNEL_VMA || (va >= DIRECT_MAP_BASE && va < KVA_BASE)) return len;
    uint32_t n = (uint32_t)MIN((uint64_t)len, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
    while (n < len && phys_of((char *)p + n) == phys_of(p) + n)
        n += (uint32_t)MIN((uint64_t)(len - n), PAGE_SIZE);
    return n;
}

int virtq_descs_needed(const struct virtq_buf *bufs, int nbufs)
{
    int n = 0;
    for (int i = 0; i < nbufs; i++)
        for (uint32_t off = 0; off < bufs[i].len;)
            off += contiguous_len((char *)bufs[i].addr + off, bufs[i].len - off), n++;
    return n;
}

int virtq_add(struct virtq *vq, const struct virtq_buf *bufs, int nbufs, void *token)
{
    int need = virtq_descs_needed(bufs, nbufs);
    if (need == 0 || need > vq->num_free) return ERR_NOSPC;
    uint16_t head = vq->free_head, idx = head, last = head;
    for (int i = 0; i < nbufs; i++) {
        for (uint32_t off = 0; off < bufs[i].len;) {
            char *p = (char *)bufs[i].addr + off;
            uint32_t n = contiguous_len(p, bufs[i].len - off);
            struct virtq_desc *d = &vq->desc[idx];
            d->addr = phys_of(p);
            d->len = n;
            d->flags =
                (uint16_t)(bufs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) | VIRTQ_DESC_F_NEXT;
            last = idx;
            idx = d->next;
            off += n;
        }
    }
    vq->desc[last].flags &= (uint16_t)~VIRTQ_DESC_F_NEXT;
    vq->free_head = idx;
    vq->num_free = (uint16_t)(vq->num_free - need);
    vq->tokens[head] = token;
    vq->avail->ring[vq->avail->idx % vq->size] = head;
    wmb(); /* the ring entry before the index (spec 2.7.13) */
    vq->avail->idx++;
    return need;
}

void virtq_kick(struct virtq *vq)
{
    mb(); /* the index update before reading the device's flags */
    if (vq->used->flags & USED_F_NO_NOTIFY) return;
    if (vq->dev->modern)
        *vq->notify_addr = vq->index;
    else
        outw(vq->dev->iobase + L_QUEUE_NOTIFY, vq->index);
}

#define AVAIL_F_NO_INTERRUPT 1

void virtq_disable_irq(struct virtq *vq)
{
    vq->avail->flags |= AVAIL_F_NO_INTERRUPT;
}

bool virtq_enable_irq(struct virtq *vq)
{
    vq->avail->flags &= (uint16_t)~AVAIL_F_NO_INTERRUPT;
    mb(); /* the flag before looking at the used index */
    return vq->last_used != *(volatile uint16_t *)&vq->used->idx;
}

void *virtq_get_used(struct virtq *vq, uint32_t *len)
{
    if (vq->last_used == *(volatile uint16_t *)&vq->used->idx) return NULL;
    rmb(); /* the index before the entry it covers */
    struct virtq_used_elem *e = &vq->used->ring[vq->last_used % vq->size];
    uint16_t head = (uint16_t)e->id;
    if (len) *len = e->len;
    vq->last_used++;
    if (head >= vq->size) {
        klog_error("virtio", "%s: device returned bad descriptor %u", vq->dev->name, head);
        return NULL;
    }
    void *token = vq->tokens[head];
    vq->tokens[head] = NULL;
    uint16_t i = head, n = 1;
    while ((vq->desc[i].flags & VIRTQ_DESC_F_NEXT) && n < vq->size) {
        i = vq->desc[i].next;
        n++;
    }
    vq->desc[i].next = vq->free_head;
    vq->free_head = head;
    vq->num_free = (uint16_t)(vq->num_free + n);
    return token;
}

int virtio_setup_queue(struct virtio_dev *vd, struct virtq *vq, uint16_t index, uint16_t max_size,
                       void (*on_irq)(struct virtq *vq, void *arg), void *arg)
{
    memset(vq, 0, sizeof *vq);
    uint16_t size;
    if (vd->modern) {
        w16(vd->common, C_Q_SELECT, index);
        size = r16(vd->common, C_Q_SIZE);
    } else {
        outw(vd->iobase + L_QUEUE_SELECT, index);
        size = inw(vd->iobase + L_QUEUE_SIZE);
    }
    if (size == 0 || (size & (size - 1))) return ERR_NODEV;
    if (vd->modern && max_size && size > max_size) { /* legacy sizes are fixed */
        while (size > max_size)
            size /= 2;
        w16(vd->common, C_Q_SIZE, size);
    }
    size_t desc_sz = 16u * size, avail_sz = 6u + 2u * size, used_sz = 6u + 8u * size;
    size_t used_off = ALIGN_UP(desc_sz + avail_sz, PAGE_SIZE);
    vq->mem_size = used_off + ALIGN_UP(used_sz, PAGE_SIZE);
    uint64_t phys;
    vq->mem = dma_alloc(vq->mem_size, &phys);
    vq->tokens = kzalloc(size * sizeof(void *));
    if (!vq->mem || !vq->tokens) {
        if (vq->mem) dma_free(vq->mem, vq->mem_size);
        kfree(vq->tokens);
        return ERR_NOMEM;
    }
    vq->dev = vd;
    vq->index = index;
    vq->size = size;
    vq->desc = vq->mem;
    vq->avail = (struct virtq_avail *)((uint8_t *)vq->mem + desc_sz);
    vq->used = (struct virtq_used *)((uint8_t *)vq->mem + used_off);
    for (uint16_t i = 0; i < size; i++)
        vq->desc[i].next = (uint16_t)((i + 1) % size);
    vq->free_head = 0;
    vq->num_free = size;
    vq->on_irq = on_irq;
    vq->arg = arg;
    if (vd->modern) {
        w32(vd->common, C_Q_DESC, (uint32_t)phys);
        w32(vd->common, C_Q_DESC + 4, (uint32_t)(phys >> 32));
        w32(vd->common, C_Q_DRIVER, (uint32_t)(phys + desc_sz));
        w32(vd->common, C_Q_DRIVER + 4, (uint32_t)((phys + desc_sz) >> 32));
        w32(vd->common, C_Q_DEVICE, (uint32_t)(phys + used_off));
        w32(vd->common, C_Q_DEVICE + 4, (uint32_t)((phys + used_off) >> 32));
        vq->notify_addr =
            (volatile uint16_t *)(void *)(vd->notify_base +
                                          r16(vd->common, C_Q_NOTIFY_OFF) * vd->notify_mul);
    } else {
        outl(vd->iobase + L_QUEUE_PFN, (uint32_t)(phys >> 12));
    }
    if (vd->nqueues < (int)ARRAY_SIZE(vd->queues)) vd->queues[vd->nqueues++] = vq;
    return 0;
}

static void queue_irq(void *arg)
{
    struct virtq *vq = arg;
    if (vq->on_irq) vq->on_irq(vq, vq->arg);
}

static void config_irq(void *arg)
{
    struct virtio_dev *vd = arg;
    if (vd->on_config_change) vd->on_config_change(vd);
}

/* INTx: one line for everything; reading the ISR acknowledges it. */
static void intx_irq(void *arg)
{
    struct virtio_dev *vd = arg;
    uint8_t isr = vd->modern ? r8(vd->isr, 0) : inb(vd->iobase + L_ISR);
    if (isr & 1)
        for (int i = 0; i < vd->nqueues; i++)
            queue_irq(vd->queues[i]);
    if (isr & 2) config_irq(vd);
}

/* Shared MSI-X vector when the table is too small for one per queue. */
static void shared_msix_irq(void *arg)
{
    struct virtio_dev *vd = arg;
    for (int i = 0; i < vd->nqueues; i++)
        queue_irq(vd->queues[i]);
    config_irq(vd);
}

static int set_vector(struct virtio_dev *vd, int queue, uint16_t entry)
{
    uint16_t got;
    if (vd->modern) {
        if (queue < 0) {
            w16(vd->common, C_MSIX_CONFIG, entry);
            got = r16(vd->common, C_MSIX_CONFIG);
        } else {
            w16(vd->common, C_Q_SELECT, (uint16_t)queue);
            w16(vd->common, C_Q_MSIX, entry);
            got = r16(vd->common, C_Q_MSIX);
        }
    } else {
        if (queue < 0) {
            outw(vd->iobase + L_CONFIG_VECTOR, entry);
            got = inw(vd->iobase + L_CONFIG_VECTOR);
        } else {
            outw(vd->iobase + L_QUEUE_SELECT, (uint16_t)queue);
            outw(vd->iobase + L_QUEUE_VECTOR, entry);
            got = inw(vd->iobase + L_QUEUE_VECTOR);
        }
    }
    return got == entry ? 0 : ERR_NOSPC;
}

static int setup_msix(struct virtio_dev *vd)
{
    struct pci_dev *p = vd->pci;
    if (p->msix_size >= vd->nqueues + 1) {
        if (pci_msix_route(p, 0, config_irq, vd, vd->name) < 0 || set_vector(vd, -1, 0) < 0)
            return ERR_NOSPC;
        for (int i = 0; i < vd->nqueues; i++) {
            uint16_t e = (uint16_t)(i + 1);
            if (pci_msix_route(p, e, queue_irq, vd->queues[i], vd->name) < 0 ||
                set_vector(vd, vd->queues[i]->index, e) < 0)
                return ERR_NOSPC;
        }
        return 0;
    }
    if (pci_msix_route(p, 0, shared_msix_irq, vd, vd->name) < 0 || set_vector(vd, -1, 0) < 0)
        return ERR_NOSPC;
    for (int i = 0; i < vd->nqueues; i++)
        if (set_vector(vd, vd->queues[i]->index, 0) < 0) return ERR_NOSPC;
    return 0;
}

int virtio_driver_ok(struct virtio_dev *vd)
{
    int err = vd->msix ? setup_msix(vd) : ERR_NOTSUP;
    if (err < 0) {
        if (vd->msix) {
            klog_warn("virtio", "%s: MSI-X set-up failed, using INTx", vd->name);
            pci_msix_disable(vd->pci);
            vd->msix = false;
        }
        int gsi = pci_intx_route(vd->pci, intx_irq, vd, vd->name);
        if (gsi < 0) {
            virtio_fail(vd, "no usable interrupt");
            return gsi;
        }
        klog_debug("virtio", "%s: INTx on GSI %d", vd->name, gsi);
    }
    if (vd->modern)
        for (int i = 0; i < vd->nqueues; i++) {
            w16(vd->common, C_Q_SELECT, vd->queues[i]->index);
            w16(vd->common, C_Q_ENABLE, 1);
        }
    status_set(vd, status_get(vd) | ST_DRIVER_OK);
    if (status_get(vd) & ST_NEEDS_RESET) {
        virtio_fail(vd, "device needs reset after DRIVER_OK");
        return ERR_IO;
    }
    return 0;
}
