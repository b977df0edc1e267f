/*
 * kernel/net/netdev.h - what a network driver offers the network layer.
 *
 * The driver's interrupt handler only calls netdev_rx_ready(); the net thread
 * then pulls received frames with poll_rx, which lends each frame (valid
 * during the callback) and recycles the buffer. Transmission copies the
 * frame into a device buffer and returns; it may sleep briefly when the
 * transmit ring is full.
 */
#ifndef NET_NETDEV_H
#define NET_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETDEV_RX_CSUM_VALID 1u

struct netdev_stats {
    uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
    uint64_t rx_drops, tx_drops, rx_errors, tx_errors;
};

struct netdev {
    char name[8];
    uint8_t mac[6];
    uint16_t mtu;
    volatile bool link_up;
    const char *driver_info; /* "virtio-net modern MSI-X" */
    int (*xmit)(struct netdev *dev, const void *frame, size_t len);
    /* Hands up to budget frames to cb; returns how many. flags has
     * NETDEV_RX_CSUM_VALID when the device vouches for the checksums. */
    int (*poll_rx)(struct netdev *dev,
                   void (*cb)(void *ctx, const void *frame, size_t len, unsigned flags), void *ctx,
                   int budget);
    struct netdev_stats stats;
    void *priv;
};

/* Registers a device and starts the network layer on it (the first one
 * becomes the default interface). */
int netdev_register(struct netdev *dev);
/* From the driver's interrupt handler: frames are waiting. */
void netdev_rx_ready(struct netdev *dev);

#endif
