/*
 * kernel/drivers/virtio/virtio_net.c - the VirtIO network driver (spec 5.1).
 *
 * Receive queue 0 is kept full of 2 KiB buffers from one DMA pool; a buffer
 * goes back to the device as soon as the net thread has handed its frame to
 * the stack. Transmit queue 1 has a slot per descriptor pair: the header and
 * the copied frame. Completed transmissions are reclaimed in the interrupt
 * handler and before each send. The header is 12 bytes when MRG_RXBUF or
 * VERSION_1 is negotiated, 10 otherwise (spec 5.1.6). All state is per
 * device (struct vnet), so several NICs can be driven at once; a probe that
 * fails before DRIVER_OK resets the device and frees all it took.
 */
#include "kernel/arch/x86_64/cpu.h"
#include "base/endian.h"
#include "base/error.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "base/util.h"
#include "kernel/drivers/virtio/virtio.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/net/netdev.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"

/* Feature bits (VirtIO 1.2 spec 5.1.3). */
#define VIRTIO_NET_F_GUEST_CSUM (1ull << 1)
#define VIRTIO_NET_F_MAC        (1ull << 5)
#define VIRTIO_NET_F_MRG_RXBUF  (1ull << 15)
#define VIRTIO_NET_F_STATUS     (1ull << 16)

/* The queues (spec 5.1.2): receiveq1 and transmitq1. */
#define VIRTIO_NET_RX_QUEUE 0
#define VIRTIO_NET_TX_QUEUE 1

/* Offsets in struct virtio_net_config (spec 5.1.4). */
#define VIRTIO_NET_CFG_MAC    0 /* u8 mac[6], with VIRTIO_NET_F_MAC */
#define VIRTIO_NET_CFG_STATUS 6 /* le16, with VIRTIO_NET_F_STATUS */
#define VIRTIO_NET_S_LINK_UP  1

/* struct virtio_net_hdr (spec 5.1.6): flags at 0, ..., num_buffers at 10,
 * which exists only with MRG_RXBUF or VERSION_1 (12 bytes, else 10). */
#define VIRTIO_NET_HDR_FLAGS        0
#define VIRTIO_NET_HDR_NUM_BUFFERS  10
#define VIRTIO_NET_HDR_LEN_LEGACY   10
#define VIRTIO_NET_HDR_LEN          12
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2

#define BUF_SIZE    2048
#define HDR_MAX     VIRTIO_NET_HDR_LEN
#define QUEUE_MAX   256
#define TX_WAIT_MS  200
#define ETH_HDR_LEN 14

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
    char info[64]; /* "virtio-net modern MSI-X", for ifconfig */
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
    if (!(n->vd.features & VIRTIO_NET_F_STATUS)) return;
    bool up = virtio_cfg_read16(vd, VIRTIO_NET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP;
    if (up != n->nd.link_up) {
        n->nd.link_up = up;
        klog_info("virtio-net", "%s: link %s", n->nd.name, up ? "up" : "down");
    }
}

static int vnet_xmit(struct netdev *nd, const void *frame, size_t len)
{
    struct vnet *n = nd->priv;
    if (len > BUF_SIZE - HDR_MAX || len < ETH_HDR_LEN) {
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
        if (len < n->hdr_len + ETH_HDR_LEN || len > BUF_SIZE) {
            nd->stats.rx_errors++;
        } else if ((n->vd.features & VIRTIO_NET_F_MRG_RXBUF) &&
                   le16_get(buf + VIRTIO_NET_HDR_NUM_BUFFERS) != 1) {
            nd->stats.rx_drops++; /* spread over buffers: cannot happen at 2 KiB */
        } else {
            nd->stats.rx_frames++;
            nd->stats.rx_bytes += len - n->hdr_len;
            /* With GUEST_CSUM the device marks frames whose checksums it
             * checked (DATA_VALID) or that never had one computed because
             * they never left the host (NEEDS_CSUM); spec 5.1.6.4. */
            unsigned valid = VIRTIO_NET_HDR_F_DATA_VALID | VIRTIO_NET_HDR_F_NEEDS_CSUM;
            unsigned fl = (buf[VIRTIO_NET_HDR_FLAGS] & valid) ? NETDEV_RX_CSUM_VALID : 0;
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

/* Frees what a probe that failed before virtio_driver_ok took. */
static void vnet_free(struct vnet *n)
{
    virtio_release(&n->vd);
    if (n->rx_pool) dma_free(n->rx_pool, (size_t)n->rxq.size * BUF_SIZE);
    if (n->tx_pool) dma_free(n->tx_pool, (size_t)n->tx_slots * BUF_SIZE);
    kfree(n->tx_free);
    kfree(n);
}

/* The MAC from the device, else a locally administered one of our own. */
static void vnet_read_mac(struct vnet *n, int index)
{
    if (n->vd.features & VIRTIO_NET_F_MAC) {
        for (unsigned i = 0; i < 6; i++)
            n->nd.mac[i] = virtio_cfg_read8(&n->vd, VIRTIO_NET_CFG_MAC + i);
    } else {
        uint8_t mac[6] = {0x02, 0x4B, 0x50, 0x49, 0x4F, (uint8_t)index};
        memcpy(n->nd.mac, mac, 6);
    }
}

/* Queues, buffer pools and the receive buffers posted. */
static int vnet_setup_queues(struct vnet *n)
{
    int err;
    if ((err = virtio_setup_queue(&n->vd, &n->rxq, VIRTIO_NET_RX_QUEUE, QUEUE_MAX, rx_irq, n)) <
            0 ||
        (err = virtio_setup_queue(&n->vd, &n->txq, VIRTIO_NET_TX_QUEUE, QUEUE_MAX, tx_irq, n)) < 0)
        return err;
    n->rx_pool = dma_alloc((size_t)n->rxq.size * BUF_SIZE, &n->rx_pool_phys);
    n->tx_slots = n->txq.size / 2; /* a slot is two descriptors: header, frame */
    n->tx_pool = dma_alloc((size_t)n->tx_slots * BUF_SIZE, &n->tx_pool_phys);
    n->tx_free = kmalloc(n->tx_slots * sizeof *n->tx_free);
    if (!n->rx_pool || !n->tx_pool || !n->tx_free) return ERR_NOMEM;
    for (uint16_t i = 0; i < n->tx_slots; i++)
        n->tx_free[i] = i;
    n->tx_nfree = n->tx_slots;
    for (uint16_t i = 0; i < n->rxq.size; i++)
        rx_post(n, i);
    return 0;
}

static int vnet_probe(struct pci_dev *pci)
{
    static int count;
    struct vnet *n = kzalloc(sizeof *n);
    if (!n) return ERR_NOMEM;
    fmt_snprintf(n->nd.name, sizeof n->nd.name, "eth%d", count);
    uint64_t want = VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS |
                    VIRTIO_NET_F_MRG_RXBUF | VIRTIO_F_ANY_LAYOUT | VIRTIO_NET_F_GUEST_CSUM;
    int err = virtio_pci_init(&n->vd, pci, n->nd.name);
    if (err < 0) { /* no transport: nothing of the device to undo */
        kfree(n);
        return err;
    }
    if ((err = virtio_set_features(&n->vd, want)) < 0) {
        vnet_free(n);
        return err;
    }
    uint64_t feat = n->vd.features;
    n->hdr_len = (feat & (VIRTIO_NET_F_MRG_RXBUF | VIRTIO_F_VERSION_1)) ? VIRTIO_NET_HDR_LEN
                                                                        : VIRTIO_NET_HDR_LEN_LEGACY;
    vnet_read_mac(n, count);
    n->nd.link_up = !(feat & VIRTIO_NET_F_STATUS) ||
                    (virtio_cfg_read16(&n->vd, VIRTIO_NET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP);
    n->vd.on_config_change = config_changed;
    waitq_init(&n->tx_wq);
    if ((err = vnet_setup_queues(n)) < 0) {
        vnet_free(n);
        return err;
    }
    /* On failure the device is reset, but the interrupt handlers it routed
     * may still refer to n: it is not freed then. */
    if ((err = virtio_driver_ok(&n->vd)) < 0) return err;
    virtq_kick(&n->rxq);
    fmt_snprintf(n->info, sizeof n->info, "virtio-net %s %s", n->vd.modern ? "modern" : "legacy",
                 n->vd.msix ? "MSI-X" : "INTx");
    n->nd.driver_info = n->info;
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
}

static const struct pci_driver vnet_transitional = {"virtio-net", 0x1AF4, 0x1000, 0x1000,
                                                    vnet_probe};
static const struct pci_driver vnet_modern = {"virtio-net", 0x1AF4, 0x1041, 0x1041, vnet_probe};

int virtio_net_init(void)
{
    return pci_register_driver(&vnet_transitional) + pci_register_driver(&vnet_modern);
}
