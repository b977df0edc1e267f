/*
 * host/kpio-wasm/native_stack.h - where the calling thread's native stack
 * ends, for wasm_config.native_stack_floor: the JIT's deepest call must
 * leave room for host functions instead of running into the guard page.
 */
#ifndef HOST_KPIO_WASM_NATIVE_STACK_H
#define HOST_KPIO_WASM_NATIVE_STACK_H

#include <stdint.h>

/* The margin kept for host functions below the last wasm frame (at most
 * half of a smaller stack). */
#define HOST_STACK_MARGIN (256u * 1024)

/*
 * The lowest stack address wasm frames of the calling thread may take: its
 * stack's low end (pthread_getattr_np; for the main thread glibc derives
 * it from RLIMIT_STACK) plus the margin. 0 when it cannot be found.
 */
uintptr_t host_native_stack_floor(void);

#endif
