/*
 * lib/base/env.h - the few services every library may call, provided by
 * whoever links it: the kernel (heap in kernel/mm/heap.c, log in
 * kernel/lib/klog.c, panic in kernel/lib/panic.c) or a host program
 * (host/port/base_env.c). Nothing else of the outside world is reachable
 * from lib/ except through interfaces passed in by the caller.
 */
#ifndef BASE_ENV_H
#define BASE_ENV_H

#include <stdarg.h>
#include <stddef.h>

/* Heap. mem_alloc returns NULL when memory is exhausted; callers must check. */
void *mem_alloc(size_t size);
void *mem_zalloc(size_t size);
void *mem_realloc(void *p, size_t size);
void mem_free(void *p);

/* Log levels, most severe first. */
enum { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3, LOG_TRACE = 4 };

/* Writes one log line "[time] [tag] message"; the newline is added. */
void log_vwrite(int level, const char *tag, const char *fmt, va_list ap);
void log_write(int level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Stops everything after printing the message: a broken invariant. */
_Noreturn void base_panic(const char *file, int line, const char *msg);

#define BASE_ASSERT(cond)                                                                          \
    ((cond) ? (void)0 : base_panic(__FILE__, __LINE__, "assertion failed: " #cond))

#endif
