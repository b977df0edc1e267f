/*
 * kernel/test/selftest.c - the test-mode runner and its table of suites.
 */
#include "kernel/test/selftest.h"

#include <stdbool.h>

#include "base/fmt.h"
#include "base/mem.h"
#include "kernel/lib/klog.h"
#include "kernel/power/power.h"
#include "kernel/time/clock.h"

static const struct selftest_suite *const suites[] = {
    &selftest_core,      &selftest_storage,       &selftest_net,       &selftest_bench_storage,
    &selftest_bench_net, &selftest_bench_compare, &selftest_bench_tls,
};

static void run_suite(const struct selftest_suite *s, int *passed, int *failed)
{
    klog_info("test", "suite %s: %d cases", s->name, s->ncases);
    for (int i = 0; i < s->ncases; i++) {
        uint64_t t0 = clock_monotonic_ns();
        const char *err = s->cases[i].fn();
        uint64_t ms = (clock_monotonic_ns() - t0) / NS_PER_MS;
        if (err) {
            kprintf("[test] FAIL %s/%s: %s\n", s->name, s->cases[i].name, err);
            (*failed)++;
        } else {
            kprintf("[test] PASS %s/%s (%llu ms)\n", s->name, s->cases[i].name,
                    (unsigned long long)ms);
            (*passed)++;
        }
    }
}

_Noreturn void selftest_run(const char *name)
{
    int passed = 0, failed = 0, found = 0;
    if (strcmp(name, "poweroff") == 0) { /* the ACPI path, no status device */
        kprintf("[test] powering off through ACPI\n");
        power_off();
    }
    for (unsigned i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        bool is_bench = strncmp(suites[i]->name, "bench", 5) == 0;
        if ((strcmp(name, "all") == 0 && !is_bench) || strcmp(name, suites[i]->name) == 0) {
            found = 1;
            run_suite(suites[i], &passed, &failed);
        }
    }
    if (!found) {
        kprintf("[test] FAIL no test suite named '%s'\n", name);
        failed = 1;
    }
    kprintf("[test] done: %d passed, %d failed\n", passed, failed);
    power_set_exit_status(failed ? 1 : 0);
    power_off();
}
