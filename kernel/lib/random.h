/*
 * kernel/lib/random.h - random bytes for the kernel and for apps.
 */
#ifndef KERNEL_RANDOM_H
#define KERNEL_RANDOM_H

#include <stdbool.h>
#include <stddef.h>

/* Seeds the generator (RDSEED/RDRAND when the CPU has them, plus TSC
 * timings and the RTC). Called once at boot. */
void random_init(void);
void random_bytes(void *buf, size_t len);

#endif
