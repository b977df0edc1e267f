/*
 * lib/base/budget.h - a byte budget that several owners charge: what one
 * app makes its host spend. The kernel gives each app one, which both its
 * linear memory (lib/wasm) and its WASI resources (lib/wasi) charge, so
 * the app has one limit for all of it. Not locked: one app's allocations
 * are made by its own thread.
 */
#ifndef BASE_BUDGET_H
#define BASE_BUDGET_H

#include <stddef.h>

#include "base/error.h"

struct mem_budget {
    size_t limit; /* bytes */
    size_t used;
};

/* Changes one owner's charge from old to new bytes: 0, or ERR_NOMEM (and
 * nothing charged) when that would pass the limit. A NULL budget takes
 * everything. */
static inline int budget_move(struct mem_budget *b, size_t old, size_t new_bytes)
{
    if (!b) return 0;
    size_t others = b->used - old;
    if (new_bytes > b->limit || others > b->limit - new_bytes) return ERR_NOMEM;
    b->used = others + new_bytes;
    return 0;
}

#endif
