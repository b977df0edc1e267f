/*
 * kernel/lib/klog.c - kernel log lines, the dmesg ring and console output.
 *
 * Formatting happens into a line buffer on the caller's stack and the line is
 * written out with interrupts masked, so lines from threads and interrupt
 * handlers never interleave.
 */
#include "kernel/lib/klog.h"

#include "kernel/arch/x86_64/cpu.h"
#include "base/fmt.h"
#include "base/mem.h"
#include "kernel/drivers/serial/serial.h"
#include "kernel/time/clock.h"

#define RING_SIZE (64 * 1024)

static int console_level = LOG_INFO;
static char ring[RING_SIZE];
static size_t ring_head; /* total bytes ever written */

void klog_set_level(int level)
{
    console_level = level;
}

int klog_parse_level(const char *s)
{
    static const char *names[] = {"error", "warn", "info", "debug", "trace"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) return i;
    if (s[0] >= '0' && s[0] <= '4' && s[1] == '\0') return s[0] - '0';
    return -1;
}

void console_write(const char *s, size_t n)
{
    serial_write(s, n);
}

static void ring_put(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ring[(ring_head + i) % RING_SIZE] = s[i];
    ring_head += n;
}

struct line {
    char buf[512];
    size_t len;
};

static void line_put(void *ctx, const char *s, size_t n)
{
    struct line *l = ctx;
    size_t room = sizeof l->buf - 1 - l->len;
    if (n > room) n = room;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

void log_vwrite(int level, const char *tag, const char *fmt, va_list ap)
{
    struct line l;
    l.len = 0;
    uint64_t us = clock_monotonic_ns() / 1000;
    fmt_format(line_put, &l, "[%4u.%06u] [%s] ", (unsigned)(us / 1000000), (unsigned)(us % 1000000),
               tag);
    if (level <= LOG_WARN)
        fmt_format(line_put, &l, "%s", level == LOG_ERROR ? "error: " : "warning: ");
    fmt_vformat(line_put, &l, fmt, ap);
    l.buf[l.len++] = '\n';
    uint64_t flags = irq_save();
    ring_put(l.buf, l.len);
    if (level <= console_level) console_write(l.buf, l.len);
    irq_restore(flags);
}

static void console_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    console_write(s, n);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(console_sink, NULL, fmt, ap);
    va_end(ap);
}

void klog_dump(void (*sink)(void *ctx, const char *s, size_t n), void *ctx)
{
    uint64_t flags = irq_save();
    size_t start = ring_head > RING_SIZE ? ring_head - RING_SIZE : 0;
    for (size_t i = start; i < ring_head;) {
        size_t off = i % RING_SIZE;
        size_t n = ring_head - i;
        if (n > RING_SIZE - off) n = RING_SIZE - off;
        sink(ctx, ring + off, n);
        i += n;
    }
    irq_restore(flags);
}
