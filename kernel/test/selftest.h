/*
 * kernel/test/selftest.h - in-kernel tests, run in test mode (test=NAME on
 * the kernel command line). Each case prints "[test] PASS name" or
 * "[test] FAIL name: why"; at the end QEMU exits through isa-debug-exit with
 * status 0 (all passed) or 1.
 */
#ifndef TEST_SELFTEST_H
#define TEST_SELFTEST_H

#include <stdbool.h>

/* A test case returns NULL on success or a message saying what failed. */
typedef const char *(*selftest_fn)(void);

struct selftest_case {
    const char *name;
    selftest_fn fn;
};

struct selftest_suite {
    const char *name;
    const struct selftest_case *cases;
    int ncases;
};

/* Runs the suite called name ("core", or one that subsystems add in
 * selftest.c's table) and exits QEMU. "all" runs every suite. */
_Noreturn void selftest_run(const char *name);

/* For cases: formats a failure message into a static buffer. */
const char *selftest_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

extern const struct selftest_suite selftest_core;
extern const struct selftest_suite selftest_storage;
extern const struct selftest_suite selftest_net;
extern const struct selftest_suite selftest_bench_storage;
extern const struct selftest_suite selftest_bench_net;
extern const struct selftest_suite selftest_bench_compare;
extern const struct selftest_suite selftest_bench_tls;

#endif
