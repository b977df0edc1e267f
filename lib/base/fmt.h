/*
 * lib/base/fmt.h - printf-style formatting for freestanding code.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, with flags '-', '0', '+', ' ',
 * '#', a width and precision (numbers or '*'), and length modifiers hh h l ll
 * z j t. No floating point: the kernel builds without it. Output goes to a
 * sink callback, so the same code feeds the serial log, buffers and tests.
 */
#ifndef BASE_FMT_H
#define BASE_FMT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*fmt_sink_fn)(void *ctx, const char *s, size_t n);

/* Formats to a sink; returns the number of characters produced. */
size_t fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap);
size_t fmt_format(fmt_sink_fn sink, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like C's snprintf: always NUL-terminates when size > 0 and returns the
 * length the full output would have had. */
size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
