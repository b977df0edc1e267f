/*
 * kernel/test/fail.c - a failing case's message, the floor of kernel/test:
 * every suite's file calls selftest_fail, and none calls up into the
 * runner (selftest.c), which only names the suites' tables.
 */
#include "kernel/test/selftest.h"

#include <stdarg.h>

#include "base/fmt.h"

static char fail_msg[256];

const char *selftest_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(fail_msg, sizeof fail_msg, fmt, ap);
    va_end(ap);
    return fail_msg;
}
