/*
 * lib/base/log.c - the variadic front of the log seam in env.h.
 */
#include "base/env.h"

void log_write(int level, const char *tag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(level, tag, fmt, ap);
    va_end(ap);
}
