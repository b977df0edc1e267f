/*
 * host/kpio-wasm/native_stack.c - the calling thread's native stack bounds
 * (glibc's pthread_getattr_np) turned into the JIT's stack floor.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "host/kpio-wasm/native_stack.h"

#include <pthread.h>
#include <stddef.h>

uintptr_t host_native_stack_floor(void)
{
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return 0;
    void *lo = NULL;
    size_t size = 0;
    int rc = pthread_attr_getstack(&attr, &lo, &size);
    pthread_attr_destroy(&attr);
    if (rc != 0 || !lo || size == 0) return 0;
    size_t margin = size / 2 < HOST_STACK_MARGIN ? size / 2 : HOST_STACK_MARGIN;
    return (uintptr_t)lo + margin;
}
