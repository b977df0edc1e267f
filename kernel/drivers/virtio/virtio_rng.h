/*
 * kernel/drivers/virtio/virtio_rng.h - the VirtIO entropy device, the
 * kernel's source of seed bytes when the CPU has no RDSEED/RDRAND.
 */
#ifndef DRIVERS_VIRTIO_RNG_H
#define DRIVERS_VIRTIO_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Probes the PCI bus; returns how many devices were taken (0 or 1). */
int virtio_rng_init(void);
/* Whether an entropy device is up (and has not failed). */
bool virtio_rng_present(void);
/* Reads up to len random bytes from the device, sleeping until it answers
 * or the deadline passes. Returns the count (may be short: call again),
 * ERR_NODEV without a device, or ERR_TIMEDOUT (the device is then reset
 * and not used again). Thread context only. */
long virtio_rng_read(void *buf, size_t len, uint64_t deadline_ns);

#endif
