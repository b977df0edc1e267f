/*
 * kernel/lib/random.h - random bytes for the kernel and for apps, from
 * Mbed TLS's CTR_DRBG seeded by RDSEED/RDRAND and virtio-rng.
 */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <stdbool.h>
#include <stddef.h>

/* Seeds the generator from the entropy sources (after the virtio-rng
 * driver's probe; may sleep). Called once at boot; logs its sources. */
void random_init(void);
/* Random bytes for anything (any context, interrupts may be off). */
void random_bytes(void *buf, size_t len);
/* Random bytes for keys: 0, or ERR_NODEV when the machine has no strong
 * entropy source (the generator was seeded from timer jitter only).
 * Reseeds from the sources first when the last reseed is a minute old.
 * Thread context (may sleep on the device). */
int random_secure(void *buf, size_t len);

#endif
