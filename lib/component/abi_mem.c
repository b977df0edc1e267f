/*
 * lib/component/abi_mem.c - the floor of the canonical ABI's files: the
 * arena lifted values live in, traps with a message, checked access to a
 * component instance's linear memory, little-endian loads and stores,
 * allocation through the instance's realloc, and Unicode scalar values.
 * abi.c and abi_string.c build on it; it calls neither.
 */
#include "component/abi.h"
#include "component/abi_internal.h"
#include "component/internal.h"
#include "component/resource.h"
#include "base/fmt.h"
#include "base/env.h"
#include "base/mem.h"

#include <stdarg.h>

/* ---- the arena ----------------------------------------------------------- */

struct block {
    struct block *next;
    size_t size;
    /* data follows, 16-byte aligned */
};
#define BLOCK_HDR ((sizeof(struct block) + 15) & ~(size_t)15)

void *comp_arena_alloc(struct comp_arena *a, size_t size)
{
    size_t limit = a->limit ? a->limit : COMP_ARENA_LIMIT;
    if (size > limit || a->used > limit - size) return NULL;
    struct block *b = mem_zalloc(BLOCK_HDR + size + 1);
    if (!b) return NULL;
    b->next = a->blocks;
    b->size = size;
    a->blocks = b;
    a->used += size;
    return (uint8_t *)b + BLOCK_HDR;
}

void comp_arena_free(struct comp_arena *a)
{
    for (struct block *b = a->blocks, *next; b; b = next) {
        next = b->next;
        mem_free(b);
    }
    a->blocks = NULL;
    a->used = 0;
}

/* ---- traps and memory ---------------------------------------------------- */

int abi_trap(struct comp_cx *cx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = comp_vtrap(cx->trap, fmt, ap);
    va_end(ap);
    return rc;
}

/* len bytes of memory at ptr, or NULL (no memory, or out of bounds). */
uint8_t *abi_mem_at(struct comp_cx *cx, uint64_t ptr, uint64_t len)
{
    if (!cx->mem) return NULL;
    uint64_t size = wasm_memory_size(cx->mem);
    if (ptr > size || len > size - ptr) return NULL;
    return wasm_memory_data(cx->mem) + ptr;
}

int abi_check_range(struct comp_cx *cx, const char *what, uint64_t ptr, uint64_t len,
                    uint32_t align)
{
    if (!cx->mem) return abi_trap(cx, "%s needs a memory, and the canon options give none", what);
    if (ptr % align)
        return abi_trap(cx, "%s at %llu is not %u-byte aligned", what, (unsigned long long)ptr,
                        align);
    if (!abi_mem_at(cx, ptr, len))
        return abi_trap(cx, "%s at %llu (%llu bytes) is out of bounds of memory (%llu bytes)", what,
                        (unsigned long long)ptr, (unsigned long long)len,
                        (unsigned long long)wasm_memory_size(cx->mem));
    return 0;
}

uint64_t abi_get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void abi_put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* realloc(0, 0, align, size) of the instance (or the bump allocator). */
int abi_alloc(struct comp_cx *cx, uint32_t align, uint32_t size, uint32_t *ptr)
{
    if (!cx->realloc) {
        uint64_t p = ((uint64_t)cx->bump + align - 1) / align * align;
        if (!abi_mem_at(cx, p, size)) return abi_trap(cx, "out of memory for %u bytes", size);
        cx->bump = (uint32_t)(p + size);
        *ptr = (uint32_t)p;
        return 0;
    }
    wasm_value args[4] = {{.u32 = 0}, {.u32 = 0}, {.u32 = align}, {.u32 = size}}, res = {0};
    TRY(wasm_call(cx->realloc, args, 4, &res, 1, cx->trap));
    *ptr = res.u32;
    return abi_check_range(cx, "realloc's result", res.u32, size, align);
}

bool abi_is_scalar(uint64_t c)
{
    return c < 0x110000 && !(c >= 0xd800 && c < 0xe000);
}
