/*
 * kernel/lib/klog.h - the kernel log and console printing.
 *
 * Every line has the form "[  0.012345] [tag] message": seconds since boot
 * and the subsystem. Lines go to the serial console (if at or above the
 * console level) and always into a ring buffer that `dmesg` prints.
 * log_write()/LOG_* from base/env.h is the same log; klog_* are shorthands.
 */
#ifndef KERNEL_KLOG_H
#define KERNEL_KLOG_H

#include <stddef.h>

#include "base/env.h"

#define klog_error(tag, ...) log_write(LOG_ERROR, tag, __VA_ARGS__)
#define klog_warn(tag, ...)  log_write(LOG_WARN, tag, __VA_ARGS__)
#define klog_info(tag, ...)  log_write(LOG_INFO, tag, __VA_ARGS__)
#define klog_debug(tag, ...) log_write(LOG_DEBUG, tag, __VA_ARGS__)

void klog_set_level(int level);
/* Parses "error", "warn", "info", "debug", "trace" or a digit; -1 if bad. */
int klog_parse_level(const char *s);

/* Console output without a log prefix (the shell, app stdout). */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_write(const char *s, size_t n);

/* Copies the log ring into a sink, oldest first. */
void klog_dump(void (*sink)(void *ctx, const char *s, size_t n), void *ctx);

#endif
