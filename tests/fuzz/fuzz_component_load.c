/*
 * tests/fuzz/fuzz_component_load.c - libFuzzer target: load arbitrary
 * bytes as a WebAssembly component (comp_load). Any input must either load
 * or be rejected with ERR_BADMSG/ERR_INVAL/ERR_NOTSUP/ERR_NOMEM and a
 * message; a loaded component's recorded structure must be consistent:
 * every type id in range, every byte range and name inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/error.h"
#include "component/component.h"

static const uint8_t *lo, *hi;

static void check_str(struct comp_str s)
{
    if (s.len && (s.p < lo || s.p + s.len > hi)) abort();
}

static void check_type_id(const struct comp *c, uint32_t t)
{
    if (t != COMP_NONE && !COMP_IS_PRIM(t) && t >= c->ntypes) abort();
}

static void check_component(const struct comp *c, const struct comp_component *s, int depth)
{
    if (depth > 100) abort();
    for (int sort = 0; sort < COMP_SORT_COUNT; sort++)
        for (uint32_t i = 0; i < s->count[sort]; i++)
            check_type_id(c, s->space[sort][i].type);
    for (uint32_t i = 0; i < s->nimports; i++)
        check_str(s->imports[i].name), check_type_id(c, s->imports[i].type);
    for (uint32_t i = 0; i < s->nexports; i++)
        check_str(s->exports[i].name), check_type_id(c, s->exports[i].type);
    for (uint32_t i = 0; i < s->nmodules; i++)
        if (s->modules[i].offset > c->len || s->modules[i].len > c->len - s->modules[i].offset)
            abort();
    for (uint32_t i = 0; i < s->ncomponents; i++)
        check_component(c, s->components[i], depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct comp *c = NULL;
    struct comp_error err;
    lo = data, hi = data + size;
    int rc = comp_load(data, size, &c, &err);
    if (rc == 0) {
        check_component(c, c->root, 0);
        for (uint32_t i = 0; i < c->ntypes; i++) {
            const struct comp_type *t = comp_type_get(c, i);
            for (uint32_t f = 0; f < t->nfields; f++)
                check_str(t->fields[f].name), check_type_id(c, t->fields[f].type);
        }
        comp_free(c);
    } else if ((rc != ERR_BADMSG && rc != ERR_INVAL && rc != ERR_NOTSUP && rc != ERR_NOMEM) || c ||
               !err.msg[0]) {
        abort();
    }
    return 0;
}
