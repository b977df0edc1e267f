/*
 * kernel/time/clock.c - TSC calibration, the monotonic clock, the tick.
 *
 * Calibration counts TSC cycles across a 50 ms PIT channel-2 one-shot (the
 * gate/OUT2 bits of port 0x61). ns = cycles * mult >> 32 with
 * mult = 10^9 * 2^32 / tsc_hz, so conversion is one multiply (128-bit
 * product) and no division on the hot path.
 */
#include "kernel/time/clock.h"

#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "kernel/lib/klog.h"
#include "kernel/sched/sched.h"
#include "kernel/time/rtc.h"

#define PIT_HZ       1193182u
#define CALIBRATE_MS 50

static uint64_t tsc_hz, tsc_base, tsc_mult;
static volatile uint64_t ticks;
static uint64_t boot_epoch_ns;

/* Runs PIT channel 2 for ms milliseconds and returns the TSC cycles. */
static uint64_t pit_measure_tsc(unsigned ms)
{
    uint32_t count = PIT_HZ * ms / 1000;
    uint8_t gate = inb(0x61);
    outb(0x61, (gate & ~0x02) | 0x01); /* speaker off, gate on */
    outb(0x43, 0xB0);                  /* channel 2, lobyte/hibyte, mode 0 */
    outb(0x42, (uint8_t)count);
    outb(0x42, (uint8_t)(count >> 8));
    /* Restart the count: drop and raise the gate. */
    gate = inb(0x61);
    outb(0x61, gate & ~0x01);
    outb(0x61, gate | 0x01);
    uint64_t start = rdtsc();
    /* Bounded: if OUT2 never rises (no PIT), stop after ~2^28 polls. */
    for (uint32_t i = 0; i < (1u << 28) && !(inb(0x61) & 0x20); i++)
        ;
    return rdtsc() - start;
}

/* 2020-01-01 00:00 UTC: a wall clock before it was never set. */
#define CLOCK_SET_AFTER 1577836800ull

static void log_wall_clock(uint64_t epoch)
{
    int y;
    unsigned mo, d, s = (unsigned)(epoch % 86400);
    rtc_civil_from_days((int64_t)(epoch / 86400), &y, &mo, &d);
    if (epoch < CLOCK_SET_AFTER)
        klog_warn("clock",
                  "wall clock %04d-%02u-%02u %02u:%02u:%02u UTC from the RTC: not set "
                  "(before 2020); certificate dates cannot be checked",
                  y, mo, d, s / 3600, s / 60 % 60, s % 60);
    else
        klog_info("clock", "wall clock %04d-%02u-%02u %02u:%02u:%02u UTC from the RTC", y, mo, d,
                  s / 3600, s / 60 % 60, s % 60);
}

void clock_init(void)
{
    uint64_t best = ~0ull;
    for (int i = 0; i < 3; i++) { /* the shortest run had the least overhead */
        uint64_t c = pit_measure_tsc(CALIBRATE_MS);
        if (c < best) best = c;
    }
    tsc_hz = best * (1000 / CALIBRATE_MS);
    if (tsc_hz == 0) tsc_hz = 1000000000ull;
    tsc_mult = (NS_PER_SEC << 32) / tsc_hz;
    tsc_base = rdtsc();
    uint64_t epoch = rtc_read_epoch_seconds();
    boot_epoch_ns = epoch * NS_PER_SEC;
    klog_info("clock", "TSC %llu.%03llu MHz (calibrated against the PIT)",
              (unsigned long long)(tsc_hz / 1000000), (unsigned long long)(tsc_hz / 1000 % 1000));
    log_wall_clock(epoch);
}

uint64_t clock_tsc_to_ns(uint64_t delta)
{
    return (uint64_t)(((unsigned __int128)delta * tsc_mult) >> 32);
}

uint64_t clock_monotonic_ns(void)
{
    if (!tsc_mult) return 0;
    return clock_tsc_to_ns(rdtsc() - tsc_base);
}

uint64_t clock_ticks(void)
{
    return ticks;
}
uint64_t clock_realtime_ns(void)
{
    return boot_epoch_ns + clock_monotonic_ns();
}

static void tick_handler(void *arg)
{
    (void)arg;
    ticks++;
    sched_tick();
}

void clock_start_tick(void)
{
    irq_set_vector_handler(VEC_TIMER, tick_handler, NULL, "timer");
    uint32_t per_tick = lapic_timer_calibrate(tsc_hz, TICK_HZ);
    lapic_timer_periodic(VEC_TIMER, per_tick);
    klog_info("clock", "tick %u Hz from the LAPIC timer (%u counts per tick)", TICK_HZ, per_tick);
}
