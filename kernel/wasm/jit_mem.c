/*
 * kernel/wasm/jit_mem.c - executable memory for lib/wasm's JIT: whole
 * pages from the kernel virtual-area allocator (kva.h), mapped writable
 * and no-execute while the code is copied in, then read-only and
 * executable (vmm_protect): a page is never writable and executable at
 * once (W^X). Also the choice of engine for apps (kernel command line
 * option wasm=, boot/cmdline.h).
 */
#include "kernel/wasm/jit_mem.h"

#include "base/mem.h"
#include "base/util.h"
#include "kernel/boot/cmdline.h"
#include "kernel/mm/kva.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmm.h"

static size_t pages_of(size_t size)
{
    return ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
}

/* Fresh frames, mapped writable and no-execute (kva_alloc's mappings). */
static void *code_alloc(void *ctx, size_t size)
{
    (void)ctx;
    if (!size) return NULL;
    return (void *)kva_alloc(pages_of(size), 0, pages_of(size));
}

static int code_seal(void *ctx, void *p, size_t size)
{
    (void)ctx;
    return vmm_protect((uintptr_t)p, pages_of(size) * PAGE_SIZE, VMM_EXEC);
}

static void code_release(void *ctx, void *p, size_t size)
{
    (void)ctx;
    kva_free((uintptr_t)p, pages_of(size));
}

const struct wasm_code_memory kernel_code_memory = {code_alloc, code_seal, code_release, NULL};

enum wasm_engine kernel_wasm_engine(void)
{
    const char *e = cmdline_get("wasm");
    if (e && !strcmp(e, "interp")) return WASM_ENGINE_INTERP;
    if (e && !strcmp(e, "jit")) return WASM_ENGINE_JIT;
    return wasm_jit_supported() ? WASM_ENGINE_JIT : WASM_ENGINE_INTERP;
}
