/*
 * kernel/drivers/drivers.h - driver entry points called at boot.
 */
#ifndef DRIVERS_DRIVERS_H
#define DRIVERS_DRIVERS_H

/* Probe the PCI devices each driver handles; return how many were taken. */
int virtio_blk_init(void);
int virtio_net_init(void);
int virtio_rng_init(void);

#endif
