/*
 * tests/fuzz/fuzz_component_load.c - libFuzzer target: load arbitrary
 * bytes as a WebAssembly component (comp_load). Any input must either load
 * or be rejected with ERR_BADMSG/ERR_INVAL/ERR_NOTSUP/ERR_NOMEM and a
 * message; a loaded component's recorded structure must be consistent:
 * every type id in range, every byte range and name inside the input. A
 * loaded component also goes through comp_command_check (its imports,
 * lowers and resource drops against lib/wasi's table): 0, or an error
 * with a message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "component/command.h"

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

/* comp_find_lift on every function export and on the first function of
 * every instance export: it must end, with a lift or an error. */
static void find_lifts(const struct comp *c)
{
    const struct comp_component *s = c->root;
    for (uint32_t i = 0; i < s->nexports && i < 64; i++) {
        const struct comp_extern *e = &s->exports[i];
        char name[256], field[256] = "";
        if (e->name.len >= sizeof name) continue;
        memcpy(name, e->name.p, e->name.len), name[e->name.len] = 0;
        if (e->sort == COMP_INSTANCE && e->type != COMP_NONE) {
            const struct comp_type *t = comp_type_get(c, e->type);
            for (uint32_t k = 0; k < t->nexports; k++) {
                if (t->exports[k].sort == COMP_FUNC && t->exports[k].name.len < sizeof field) {
                    memcpy(field, t->exports[k].name.p, t->exports[k].name.len);
                    field[t->exports[k].name.len] = 0;
                    break;
                }
            }
        } else if (e->sort != COMP_FUNC) {
            continue;
        }
        const struct comp_component *scope = NULL;
        const struct comp_def *lift = NULL;
        struct comp_error err;
        if (comp_find_lift(c, name, e->sort == COMP_FUNC ? NULL : field, &scope, &lift, &err) ==
                0 &&
            (!scope || !lift || lift->how != COMP_DEF_CANON || lift->canon->op != COMP_CANON_LIFT))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct comp *c = NULL;
    struct comp_error err;
    lo = data, hi = data + size;
    int rc = comp_load(data, size, &c, &err);
    if (rc == 0) {
        check_component(c, c->root, 0);
        find_lifts(c);
        err.msg[0] = 0;
        rc = comp_command_check(c, &err);
        if (rc && ((rc != ERR_NOENT && rc != ERR_NOTSUP && rc != ERR_INVAL) || !err.msg[0]))
            abort();
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
