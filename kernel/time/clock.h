/*
 * kernel/time/clock.h - time since boot and the wall clock.
 *
 * The monotonic clock counts nanoseconds from the TSC, calibrated at boot
 * against the PIT. The periodic tick (TICK_HZ, from the LAPIC timer) drives
 * preemption and sleep deadlines; it is not the clock.
 */
#ifndef TIME_CLOCK_H
#define TIME_CLOCK_H

#include <stdint.h>

#define TICK_HZ    1000
#define NS_PER_SEC 1000000000ull
#define NS_PER_MS  1000000ull

/* Calibrates the TSC and starts the clock. */
void clock_init(void);
/* Calibrates the LAPIC timer against the TSC and starts the periodic tick. */
void clock_start_tick(void);

uint64_t clock_monotonic_ns(void);
static inline uint64_t clock_monotonic_ms(void)
{
    return clock_monotonic_ns() / NS_PER_MS;
}
uint64_t clock_ticks(void);
/* Converts a TSC delta to nanoseconds. */
uint64_t clock_tsc_to_ns(uint64_t tsc_delta);

/* Wall clock: nanoseconds since the Unix epoch (from the CMOS RTC at boot,
 * advanced by the monotonic clock). */
uint64_t clock_realtime_ns(void);

#endif
