/*
 * kernel/lib/phases.c - the milestone path's phase timestamps and copy
 * counters (phases.h). Times are the kernel's monotonic clock in ns; a
 * zero means "not since the last reset" (the clock is far past zero by
 * the time anything here happens).
 */
#include "kernel/lib/phases.h"

#include "base/fmt.h"
#include "kernel/lib/klog.h"
#include "kernel/time/clock.h"

static const char *const phase_names[PHASE_COUNT] = {"lease",       "app_loaded", "app_compiled",
                                                     "tcp_connect", "first_byte", "last_byte",
                                                     "file_closed", "sync_done",  "poweroff"};
static const char *const copy_names[COPY_COUNT] = {"nic_rx",   "sock_rx",   "file_write",
                                                   "cache_in", "cache_run", "blk_write"};

static uint64_t stamps[PHASE_COUNT];
static uint64_t copies[COPY_COUNT];
static bool at_poweroff;

void phase_mark(enum phase p)
{
    unsigned i = (unsigned)p;
    if (i >= PHASE_COUNT) return;
    uint64_t now = clock_monotonic_ns(), zero = 0;
    if (i <= PHASE_FIRST_BYTE)
        __atomic_compare_exchange_n(&stamps[i], &zero, now, false, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED);
    else
        __atomic_store_n(&stamps[i], now, __ATOMIC_RELAXED);
}

void phase_copied(enum phase_copy c, uint64_t n)
{
    if ((unsigned)c < COPY_COUNT) __atomic_fetch_add(&copies[c], n, __ATOMIC_RELAXED);
}

void phases_reset(void)
{
    for (int i = PHASE_LEASE + 1; i < PHASE_COUNT; i++)
        __atomic_store_n(&stamps[i], 0, __ATOMIC_RELAXED);
    for (int i = 0; i < COPY_COUNT; i++)
        __atomic_store_n(&copies[i], 0, __ATOMIC_RELAXED);
}

bool phases_at_poweroff(void)
{
    return at_poweroff;
}

void phases_set_at_poweroff(bool on)
{
    at_poweroff = on;
}

size_t phases_format(char *buf, size_t size)
{
    size_t len = fmt_snprintf(buf, size, "PHASES");
    for (int i = 0; i < PHASE_COUNT; i++) {
        uint64_t us = __atomic_load_n(&stamps[i], __ATOMIC_RELAXED) / 1000;
        len += fmt_snprintf(buf + (len < size ? len : size), len < size ? size - len : 0,
                            " %s=%llu.%06llu", phase_names[i], (unsigned long long)(us / 1000000),
                            (unsigned long long)(us % 1000000));
    }
    for (int i = 0; i < COPY_COUNT; i++)
        len += fmt_snprintf(buf + (len < size ? len : size), len < size ? size - len : 0,
                            " %s=%llu", copy_names[i],
                            (unsigned long long)__atomic_load_n(&copies[i], __ATOMIC_RELAXED));
    return len;
}

void phases_print(void)
{
    char line[512];
    phases_format(line, sizeof line);
    kprintf("%s\n", line);
}
