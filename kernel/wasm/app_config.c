/*
 * kernel/wasm/app_config.c - what every instance the kernel runs is
 * configured with (app_wasm_config): the memory limit (the shell's
 * `ulimit -v`), the call depth (`ulimit -s`), the interrupt hook, the
 * engine and its code memory, and the native stack floor. app.c (apps)
 * and serve.c (an instance per request) both use it; it calls neither.
 */
#include "kernel/wasm/app.h"

#include "base/util.h"
#include "kernel/mm/pmm.h"
#include "kernel/sched/sched.h"
#include "kernel/wasm/jit_mem.h"
#include "wasm/wasm.h"

/* The JIT's frames stop APP_HOST_MARGIN above the thread's guard page,
 * whatever the depth limit says (wasm_config.native_stack_floor), leaving
 * that much stack to the C frames of host calls. */
#define APP_HOST_MARGIN (256 * 1024)

static int interrupt_hook(void *user, struct wasm_instance *inst)
{
    (void)user, (void)inst;
    return thread_should_stop() ? WASM_STOP : WASM_CONTINUE;
}

static size_t memory_limit; /* 0: the default */

size_t app_memory_limit(void)
{
    if (memory_limit) return memory_limit;
    size_t quarter = pmm_total_count() * PAGE_SIZE / 4;
    return MAX(quarter, (size_t)64 << 20);
}

void app_set_memory_limit(size_t bytes)
{
    memory_limit = bytes;
}

static uint32_t call_depth; /* 0: the default */

uint32_t app_call_depth(void)
{
    return call_depth ? call_depth : APP_DEFAULT_DEPTH;
}

void app_set_call_depth(uint32_t frames)
{
    call_depth = frames;
}

void app_wasm_config(struct wasm_config *wc, struct mem_budget *budget)
{
    wasm_config_default(wc);
    wc->interrupt = interrupt_hook;
    wc->engine = kernel_wasm_engine();
    wc->code_mem = &kernel_code_memory;
    wc->max_memory_pages = (uint32_t)MIN(app_memory_limit() / WASM_PAGE_SIZE, (size_t)65536);
    wc->budget = budget;
    wc->max_call_depth = app_call_depth();
    /* this thread's stack: its guard page, then the margin for host calls */
    wc->native_stack_floor = thread_current()->stack_base + PAGE_SIZE + APP_HOST_MARGIN;
}
