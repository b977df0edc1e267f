/*
 * kernel/drivers/virtio/virtio_net.c - the VirtIO network driver (spec 5.1).
 *
 * Receive queue 0 is kept full of 2 KiB buffers from one DMA pool; a buffer
 * goes back to the device as soon as the net thread has handed its frame to
 * the stack. Transmit queue 1 has a slot per descriptor pair: the header and
 * the copied frame. Completed transmissions are reclaimed in the interrupt
 * handler and before each send. The header is 12 bytes when MRG_RXBUF or
 * VERSION_1 is negotiated, 10 otherwise (spec 5.1.6).
 */
#include "arch/x86_64/cpu.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "base/util.h"
#include "drivers/virtio/virtio.h"
#include "lib/klog.h"
#include "mm/heap.h"
#include "net/netdev.h"
#include "sched/sched.h"
#include "time/clock.h"

#define F_CSUM           (1ull << 0)
#define F_GUEST_CSUM     (1ull << 1)
#define HDR_F_NEEDS_CSUM 1
#define HDR_F_DATA_VALID 2
#define F_MAC            (1ull << 5)
#define F_MRG_RXBUF      (1ull << 15)
#define F_STATUS         (1ull << 16)
#define F_ANY_LAYOUT     (1ull << 27)

#define BUF_SIZE   2048
#define HDR_MAX    12
#define TX_WAIT_MS 200

struct vnet {
    struct virtio_dev vd;
    struct virtq rxq, txq;
    struct netdev nd;
    size_t hdr_len;
    uint8_t *rx_pool, *tx_pool;
    uint64_t rx_pool_phys, tx_pool_phys;
    uint16_t tx_slots;
    uint16_t *tx_free; /* stack of free slot indices */
    uint16_t tx_nfree;
    struct waitq tx_wq;
};

static int rx_post(struct vnet *n, uint16_t slot)
{
    struct virtq_buf b = {n->rx_pool + (size_t)slot * BUF_SIZE, BUF_SIZE, true};
    return virtq_add(&n->rxq, &b, 1, (void *)(uintptr_t)(slot + 1));
}

/* Interrupts stay off while the net thread drains the queue (it turns
 * them back on when the queue is empty), so a burst costs one interrupt. */
static void rx_irq(struct virtq *vq, void *arg)
{
    virtq_disable_irq(vq);
    netdev_rx_ready(&((struct vnet *)arg)->nd);
}

static void tx_reclaim(struct vnet *n)
{
    void *tok;
    while ((tok = virtq_get_used(&n->txq, NULL)) != NULL)
        n->tx_free[n->tx_nfree++] = (uint16_t)((uintptr_t)tok - 1);
}

static void tx_irq(struct virtq *vq, void *arg)
{
    (void)vq;
    struct vnet *n = arg;
    tx_reclaim(n);
    waitq_wake_all(&n->tx_wq);
}

static void config_changed(struct virtio_dev *vd)
{
    struct vnet *n = (struct vnet *)vd; /* vd is the first member */
    if (!(n->vd.features & F_STATUS)) return;
    bool up = virtio_cfg_read16(vd, 6) & 1;
    if (up != n->nd.link_up) {
        n->nd.link_up = up;
        klog_info("virtio-net", "%s: link %s", n->nd.name, up ? "up" : "down");
    }
}

static int vnet_xmit(struct netdev *nd, const void *frame, size_t len)
{
    struct vnet *n = nd->priv;
    if (len > BUF_SIZE - HDR_MAX || len < 14) {
        nd->stats.tx_errors++;
        return ERR_INVAL;
    }
    uint64_t deadline = clock_monotonic_ns() + TX_WAIT_MS * NS_PER_MS;
    uint64_t f = irq_save();
    tx_reclaim(n);
    while (n->tx_nfree == 0) {
        if (waitq_sleep_uninterruptible(&n->tx_wq, deadline) == ERR_TIMEDOUT) {
            irq_restore(f);
            nd->stats.tx_drops++;
            return ERR_NOBUFS;
        }
        tx_reclaim(n);
    }
    uint16_t slot = n->tx_free[--n->tx_nfree];
    irq_restore(f);
    uint8_t *p = n->tx_pool + (size_t)slot * BUF_SIZE;
    memset(p, 0, n->hdr_len); /* no checksum offload, no GSO */
    memcpy(p + HDR_MAX, frame, len);
    struct virtq_buf bufs[2] = {{p, (uint32_t)n->hdr_len, false},
                                {p + HDR_MAX, (uint32_t)len, false}};
    f = irq_save();
    int err = virtq_add(&n->txq, bufs, 2, (void *)(uintptr_t)(slot + 1));
    if (err >= 0)
        virtq_kick(&n->txq);
    else
        n->tx_free[n->tx_nfree++] = slot;
    irq_restore(f);
    if (err < 0) {
        nd->stats.tx_drops++;
        return err;
    }
    nd->stats.tx_frames++;
    nd->stats.tx_bytes += len;
    return 0;
}

static int vnet_poll_rx(struct netdev *nd, void (*cb)(void *, const void *, size_t, unsigned),
                        void *ctx, int budget)
{
    struct vnet *n = nd->priv;
    int done = 0, reposted = 0;
    while (done < budget) {
        uint32_t len;
        uint64_t f = irq_save();
        void *tok = virtq_get_used(&n->rxq, &len);
        irq_restore(f);
        if (!tok) break;
        uint16_t slot = (uint16_t)((uintptr_t)tok - 1);
        uint8_t *buf = n->rx_pool + (size_t)slot * BUF_SIZE;
        if (len < n->hdr_len + 14 || len > BUF_SIZE) {
            nd->stats.rx_errors++;
        } else if ((n->vd.features & F_MRG_RXBUF) && (buf[10] | buf[11] << 8) != 1) {
            nd->stats.rx_drops++; /* spread over buffers: cannot happen at 2 KiB */
        } else {
            nd->stats.rx_frames++;
            nd->stats.rx_bytes += len - n->hdr_len;
            /* With GUEST_CSUM the device marks frames whose checksums it
             * checked (DATA_VALID) or that never had one computed because
             * they never left the host (NEEDS_CSUM); spec 5.1.6.4. */
            unsigned fl =
                (buf[0] & (HDR_F_DATA_VALID | HDR_F_NEEDS_CSUM)) ? NETDEV_RX_CSUM_VALID : 0;
            cb(ctx, buf + n->hdr_len, len - n->hdr_len, fl);
        }
        f = irq_save();
        rx_post(n, slot);
        irq_restore(f);
        reposted++;
        done++;
    }
    uint64_t f = irq_save();
    if (reposted) virtq_kick(&n->rxq);
    if (done < budget && virtq_enable_irq(&n->rxq)) {
        virtq_disable_irq(&n->rxq); /* more came in: poll again */
        netdev_rx_ready(nd);
    }
    irq_restore(f);
    return done;
}

static int vnet_probe(struct pci_dev *pci)
{
    static int count;
    struct vnet *n = kzalloc(sizeof *n);
    if (!n) return ERR_NOMEM;
    fmt_snprintf(n->nd.name, sizeof n->nd.name, "eth%d", count);
    int err = virtio_pci_init(&n->vd, pci, n->nd.name);
    if (err < 0) goto fail;
    uint64_t want =
        VIRTIO_F_VERSION_1 | F_MAC | F_STATUS | F_MRG_RXBUF | F_ANY_LAYOUT | F_GUEST_CSUM;
    if ((err = virtio_set_features(&n->vd, want)) < 0) goto fail;
    uint64_t feat = n->vd.features;
    n->hdr_len = (feat & (F_MRG_RXBUF | VIRTIO_F_VERSION_1)) ? 12 : 10;
    if (feat & F_MAC) {
        for (int i = 0; i < 6; i++)
            n->nd.mac[i] = virtio_cfg_read8(&n->vd, (unsigned)i);
    } else { /* a locally administered address of our own */
        uint8_t mac[6] = {0x02, 0x4B, 0x50, 0x49, 0x4F, (uint8_t)count};
        memcpy(n->nd.mac, mac, 6);
    }
    n->nd.link_up = !(feat & F_STATUS) || (virtio_cfg_read16(&n->vd, 6) & 1);
    n->vd.on_config_change = config_changed;
    waitq_init(&n->tx_wq);
    if ((err = virtio_setup_queue(&n->vd, &n->rxq, 0, 256, rx_irq, n)) < 0 ||
        (err = virtio_setup_queue(&n->vd, &n->txq, 1, 256, tx_irq, n)) < 0)
        goto fail;
    n->rx_pool = dma_alloc((size_t)n->rxq.size * BUF_SIZE, &n->rx_pool_phys);
    n->tx_slots = n->txq.size / 2;
    n->tx_pool = dma_alloc((size_t)n->tx_slots * BUF_SIZE, &n->tx_pool_phys);
    n->tx_free = kmalloc(n->tx_slots * sizeof *n->tx_free);
    if (!n->rx_pool || !n->tx_pool || !n->tx_free) {
        err = ERR_NOMEM;
        goto fail;
    }
    for (uint16_t i = 0; i < n->tx_slots; i++)
        n->tx_free[i] = i;
    n->tx_nfree = n->tx_slots;
    for (uint16_t i = 0; i < n->rxq.size; i++)
        rx_post(n, i);
    if ((err = virtio_driver_ok(&n->vd)) < 0) goto fail;
    virtq_kick(&n->rxq);
    static char info[64];
    fmt_snprintf(info, sizeof info, "virtio-net %s %s", n->vd.modern ? "modern" : "legacy",
                 n->vd.msix ? "MSI-X" : "INTx");
    n->nd.driver_info = info;
    n->nd.mtu = 1500;
    n->nd.xmit = vnet_xmit;
    n->nd.poll_rx = vnet_poll_rx;
    n->nd.priv = n;
    const uint8_t *m = n->nd.mac;
    klog_info("virtio-net",
              "%s: MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s, %s transport, %s, "
              "rx/tx queues %u/%u, %zu-byte header",
              n->nd.name, m[0], m[1], m[2], m[3], m[4], m[5], n->nd.link_up ? "up" : "down",
              n->vd.modern ? "modern" : "legacy", n->vd.msix ? "MSI-X" : "INTx", n->rxq.size,
              n->txq.size, n->hdr_len);
    count++;
    return netdev_register(&n->nd);
fail:
    kfree(n);
    return err;
}

static const struct pci_driver vnet_transitional = {"virtio-net", 0x1AF4, 0x1000, 0x1000,
                                                    vnet_probe};
static const struct pci_driver vnet_modern = {"virtio-net", 0x1AF4, 0x1041, 0x1041, vnet_probe};

int virtio_net_init(void)
{
    return pci_register_driver(&vnet_transitional) + pci_register_driver(&vnet_modern);
}
