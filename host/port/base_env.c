/*
 * host/port/base_env.c - lib/base's environment seam (env.h) for host
 * programs: the C library's heap, log lines on stderr, abort on panic.
 * The log level comes from KPIO_LOG (0 error .. 4 trace; default 2).
 */
#include "base/env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void *mem_alloc(size_t size)
{
    return malloc(size ? size : 1);
}
void *mem_zalloc(size_t size)
{
    return calloc(1, size ? size : 1);
}
void *mem_realloc(void *p, size_t size)
{
    return realloc(p, size ? size : 1);
}
void mem_free(void *p)
{
    free(p);
}

static int log_level(void)
{
    static int level = -1;
    if (level < 0) {
        const char *s = getenv("KPIO_LOG");
        level = s ? atoi(s) : LOG_INFO;
    }
    return level;
}

void log_vwrite(int level, const char *tag, const char *fmt, va_list ap)
{
    static struct timespec start;
    struct timespec now;
    if (level > log_level()) return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (start.tv_sec == 0 && start.tv_nsec == 0) start = now;
    long long us = (now.tv_sec - start.tv_sec) * 1000000LL + (now.tv_nsec - start.tv_nsec) / 1000;
    fprintf(stderr, "[%4lld.%06lld] [%s] ", us / 1000000, us % 1000000, tag);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

_Noreturn void base_panic(const char *file, int line, const char *msg)
{
    fprintf(stderr, "panic at %s:%d: %s\n", file, line, msg);
    abort();
}
