/*
 * lib/component/internal.h - the loader's shared state: the bounds-checked
 * byte reader, error reporting, the allocation pool, index spaces and type
 * table helpers, and the entry points of each section decoder.
 */
#ifndef COMPONENT_INTERNAL_H
#define COMPONENT_INTERNAL_H

#include "component/component.h"
#include "base/error.h"

/* Nesting of components and type declarations: each level recurses, with
 * up to about 1 KiB of C stack (gcc -O2 -fstack-usage), so at most 32 KiB
 * here; real components nest a few levels. */
#define COMP_MAX_DEPTH 32

/* The loader: one per comp_load. */
struct ld {
    struct comp *c;
    struct comp_error *err;
    const char *section; /* for messages */
    unsigned depth;
    uint64_t work; /* import checks of instantiations (see check_core_imports) */
};

/* A reader over [p, end); base is the start of the whole component, for
 * offsets in messages. */
struct rd {
    const uint8_t *p, *end;
    struct ld *l;
};

int comp_fail(struct rd *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* After loading: rc with err->msg set from fmt (err may be NULL). */
int comp_errorf(struct comp_error *err, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define MALFORMED(r, ...) comp_fail((r), ERR_BADMSG, __VA_ARGS__)
#define INVALID(r, ...)   comp_fail((r), ERR_INVAL, __VA_ARGS__)
#define NOTSUP(r, ...)    comp_fail((r), ERR_NOTSUP, __VA_ARGS__)

int rd_byte(struct rd *r, uint8_t *out);
int rd_u32(struct rd *r, uint32_t *out);
/* A signed LEB128 of 33 bits (value types, Binary.md "Type Definitions"). */
int rd_s33(struct rd *r, int64_t *out);
/* A vector length, checked against the bytes left (each element takes at
 * least min_size bytes), so that hostile counts cannot make us allocate. */
int rd_count(struct rd *r, size_t min_size, uint32_t *out);
/* A section that is a vector of items (each at least min_size bytes):
 * reads the count, then calls item once per element. */
int rd_section_vec(struct rd *r, struct comp_component *s, size_t min_size,
                   int (*item)(struct rd *, struct comp_component *));
/* A name: u32 length + UTF-8 bytes (validated). */
int rd_name(struct rd *r, struct comp_str *out);

/* Allocation from the component's pool (zeroed; freed by comp_free). */
void *comp_alloc(struct ld *l, size_t size);
/* Grows *arr (n used, *cap capacity, elements of size) to hold one more;
 * the old array stays in the pool. */
void comp_pool_free(void *pool);
int comp_grow(struct rd *r, void **arr, uint32_t n, uint32_t *cap, size_t size);

/* Appends to a scope's index space; returns its new index in *idx if set. */
int comp_space_add(struct rd *r, struct comp_component *s, enum comp_sort sort,
                   const struct comp_def *def);
/* Checks idx < count[sort]; the message names what was being looked up. */
int comp_space_check(struct rd *r, const struct comp_component *s, enum comp_sort sort,
                     uint32_t idx, const char *what);
/* A new type; returns its id in *id. Pointers to types stay valid only until
 * the next comp_type_new. */
int comp_type_new(struct rd *r, const struct comp_type *t, uint32_t *id);

/* Sorts (Binary.md sort / core:sort). */
int comp_read_sort(struct rd *r, enum comp_sort *out);
int comp_read_core_sort(struct rd *r, enum comp_sort *out);

/* Names (names.c). */
bool comp_label_ok(struct comp_str s);
bool comp_externname_ok(struct comp_str s);
/* A set of strongly-unique names (Explainer.md "Name Uniqueness"). */
struct comp_nameset;
/* A set in l's pool (or on the heap if l is NULL); exact: plain string
 * equality instead of strong uniqueness. Each name carries a value. */
struct comp_nameset *comp_nameset_new(struct ld *l, bool exact);
void comp_nameset_free(struct comp_nameset *set);
/* 0 if added, ERR_EXIST if an equal name is there, ERR_NOMEM. */
int comp_nameset_add(struct comp_nameset *set, struct comp_str s, uint32_t val);
bool comp_nameset_find(const struct comp_nameset *set, struct comp_str s, uint32_t *val);
/* The lazily built name index of a type's exports (exact names). */
int comp_export_find(struct rd *r, uint32_t type, struct comp_str name,
                     const struct comp_extern **out);
/* For records, variants, flags, enums and params: labels, unique. */
int comp_check_labels(struct rd *r, const struct comp_field *f, uint32_t n, const char *what);

/* One canon definition, appended to s. */
int comp_canon_def(struct rd *r, struct comp_component *s);
/* One core:type / type definition, appended to s (also used by type
 * declarators). */
int comp_core_type(struct rd *r, struct comp_component *s);
int comp_deftype(struct rd *r, struct comp_component *s);
/* externtype; *sort and *type as comp_extern. */
int comp_externtype(struct rd *r, struct comp_component *s, enum comp_sort *sort, uint32_t *type);
/* nameattributes: the name (attributes are checked and skipped). */
int comp_nameattrs(struct rd *r, struct comp_str *name);
/* Alias (shared by the alias section and type declarators). */
int comp_alias(struct rd *r, struct comp_component *s, bool in_type);
/* Adds an import or export to a scope: name checks, uniqueness, the new
 * index. */
int comp_scope_import(struct rd *r, struct comp_component *s, struct comp_str name,
                      enum comp_sort sort, uint32_t type);
int comp_scope_export(struct rd *r, struct comp_component *s, struct comp_str name,
                      enum comp_sort sort, uint32_t type, uint32_t index, bool add_index);

/* Core modules (core_scan.c): the imports and exports of an embedded
 * module, as a new COMP_T_CORE_MODULE type. */
int comp_core_module_scan(struct rd *r, const uint8_t *p, size_t len, uint32_t *type);

/* Flattening (flatten.c). comp_type_flatten fills a value type's flat[]
 * and has_list from the types it refers to. */
void comp_type_flatten(const struct comp *c, struct comp_type *t);
/* Fills a value type's size[] and align[]; ERR_INVAL when its element
 * size reaches 2^28 bytes. */
int comp_type_layout(struct rd *r, struct comp_type *t);
struct comp_flat_info {
    bool params_have_list, result_has_list; /* strings or lists inside */
    bool params_spill, result_spill;        /* beyond the flat limits */
};
/* flatten_functype(ft, lift ? 'lift' : 'lower') as a new core func type. */
int comp_flatten_functype(struct rd *r, uint32_t ft, bool lift, struct comp_flat_info *info,
                          uint32_t *core_type);
/* A new core func type from strings of core type bytes ("\x7f\x7f"). */
int comp_core_functype(struct rd *r, const char *params, const char *results, uint32_t *id);
bool comp_core_func_equal(const struct comp_type *a, const struct comp_type *b);
/* Core func func of s must have type want, where its type is known. */
int comp_check_core_func(struct rd *r, const struct comp_component *s, uint32_t func, uint32_t want,
                         const char *what);
/* "[i32 i32] -> [i32]" */
const char *comp_core_func_str(const struct comp_type *t, char *buf, size_t size);

/* Instantiation arguments against imports (subtype.c). A substitution
 * maps the resources a component imports to the ones its arguments give. */
struct comp_subst;
struct comp_subst *comp_subst_new(void);
void comp_subst_free(struct comp_subst *m);
/* Adds the pair (from, to): 0 or ERR_NOMEM. */
int comp_subst_add(struct comp_subst *m, uint32_t from, uint32_t to);
/* m's pairs kept in d (subst, nsubst), in the loader's pool. */
int comp_subst_keep(struct rd *r, const struct comp_subst *m, struct comp_def *d);
/* 0 if a value of type `have` fits import im (substituting as it goes),
 * else ERR_INVAL (or ERR_NOTSUP, ERR_NOMEM) with a message that calls im
 * `what` ("component import"). */
int comp_arg_fits(struct rd *r, struct comp_subst *m, const char *what,
                  const struct comp_extern *im, uint32_t have);

/* The index of the entry of `sort` that s's export `name` defines:
 * 0 and *idx, or ERR_NOENT (resolve.c). */
int comp_export_index(const struct comp_component *s, enum comp_sort sort, struct comp_str name,
                      uint32_t *idx);

/* A component section's nested component. */
int comp_component_body(struct ld *l, const uint8_t *p, const uint8_t *end,
                        struct comp_component *s);

#endif
