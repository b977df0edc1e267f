/*
 * host/kpio-wasm/jit_mem.c - executable memory for lib/wasm's JIT on Linux:
 * anonymous private mappings, written while read+write and turned
 * read+execute (never both writable and executable) before any code in
 * them runs; and the engine choice of host programs (jit_mem.h).
 */
#include "host/kpio-wasm/jit_mem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/error.h"

static void *code_alloc(void *ctx, size_t size)
{
    (void)ctx;
    /* populated at once: the caller writes every page, and one call is
     * much cheaper than a fault per page */
    void *p =
        mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static int code_seal(void *ctx, void *p, size_t size)
{
    (void)ctx;
    return mprotect(p, size, PROT_READ | PROT_EXEC) ? ERR_PERM : 0;
}

static void code_release(void *ctx, void *p, size_t size)
{
    (void)ctx;
    munmap(p, size);
}

const struct wasm_code_memory host_code_memory = {code_alloc, code_seal, code_release, NULL};

int host_engine_select(const char *name, enum wasm_engine dflt, enum wasm_engine *out)
{
    if (!name) name = getenv("KPIO_WASM_ENGINE");
    enum wasm_engine e = dflt;
    if (name && !strcmp(name, "jit"))
        e = WASM_ENGINE_JIT;
    else if (name && !strcmp(name, "interp"))
        e = WASM_ENGINE_INTERP;
    else if (name && *name)
        return -1;
    wasm_engine_default(e, e == WASM_ENGINE_JIT ? &host_code_memory : NULL);
    if (out) *out = e;
    return 0;
}
