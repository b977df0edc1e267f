/*
 * lib/component/component.h - the WebAssembly component binary format
 * (component model, layer 1): loader and validator, and the structure it
 * records for the instantiation step.
 *
 *   comp_header(bytes, len)     core module, component, or neither
 *   comp_load(bytes, len)       decode + validate a component
 *   comp_free(c)
 *
 * The specification is the component model's design/mvp/Binary.md (binary
 * format), Explainer.md (index spaces, names, validation) and
 * CanonicalABI.md (canonical definitions). What is and is not validated yet
 * is listed in lib/component/README.md.
 *
 * A loaded component borrows the caller's bytes: names and embedded core
 * modules point into them, so the bytes must outlive the component.
 */
#ifndef COMPONENT_COMPONENT_H
#define COMPONENT_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the first 8 bytes say (Binary.md "Component Definitions"). */
enum comp_header_kind {
    COMP_HEADER_NOT_WASM,  /* no "\0asm" magic */
    COMP_HEADER_MODULE,    /* core module (version 1, layer 0) */
    COMP_HEADER_COMPONENT, /* layer 1 (any component version) */
    COMP_HEADER_UNKNOWN,   /* magic, but neither of the above */
};
enum comp_header_kind comp_header(const uint8_t *bytes, size_t len);

/* The component binary version this loader reads (pre-standard 0x0d). */
#define COMP_VERSION 0x0d

/* Sorts: the kinds of index space (Explainer.md "Index Spaces"). */
enum comp_sort {
    COMP_CORE_FUNC,
    COMP_CORE_TABLE,
    COMP_CORE_MEMORY,
    COMP_CORE_GLOBAL,
    COMP_CORE_TAG,
    COMP_CORE_TYPE,
    COMP_CORE_MODULE,
    COMP_CORE_INSTANCE,
    COMP_FUNC,
    COMP_VALUE,
    COMP_TYPE,
    COMP_COMPONENT,
    COMP_INSTANCE,
    COMP_SORT_COUNT
};
const char *comp_sort_name(enum comp_sort sort);

/* Kinds of type. Types live in one table per loaded component (ids are
 * indices into it), whatever scope defined them. */
enum comp_type_kind {
    COMP_T_PRIM, /* a defvaltype naming a primitive: prim */
    COMP_T_RECORD,
    COMP_T_VARIANT,
    COMP_T_LIST,
    COMP_T_TUPLE,
    COMP_T_FLAGS,
    COMP_T_ENUM,
    COMP_T_OPTION,
    COMP_T_RESULT,
    COMP_T_OWN,
    COMP_T_BORROW,
    COMP_T_FUNC,
    COMP_T_COMPONENT,
    COMP_T_INSTANCE,
    COMP_T_RESOURCE,
    COMP_T_CORE_FUNC,
    COMP_T_CORE_MODULE,
    COMP_T_CORE_INSTANCE,
};
const char *comp_type_kind_name(enum comp_type_kind kind);

/* A value type: a primitive (COMP_PRIM(code), code the primvaltype byte,
 * e.g. 0x73 string) or a type id; COMP_NONE where a type is optional and
 * absent. */
#define COMP_NONE         0xffffffffu
#define COMP_PRIM_FLAG    0x80000000u
#define COMP_PRIM(code)   (COMP_PRIM_FLAG | (uint32_t)(code))
#define COMP_IS_PRIM(t)   ((t) != COMP_NONE && ((t)&COMP_PRIM_FLAG))
#define COMP_PRIM_CODE(t) ((uint8_t)((t)&0xff))
#define COMP_PRIM_BOOL    0x7f
#define COMP_PRIM_STRING  0x73

/* A name inside the loaded bytes (UTF-8, not NUL-terminated). */
struct comp_str {
    const uint8_t *p;
    uint32_t len;
};

/* A record field, variant case, tuple element, flag or enum label, or
 * function parameter; type is COMP_NONE for labels and payload-less cases,
 * name empty for tuple elements. */
struct comp_field {
    struct comp_str name;
    uint32_t type;
};

/* An import or export of a component, instance, core module or core
 * instance type. module is set for core module imports only. type: for func
 * a COMP_T_FUNC id, for type the type's id, for instance/component/core
 * module/core instance their type's id, for core func a COMP_T_CORE_FUNC id
 * or COMP_NONE when not known, for other core sorts COMP_NONE. */
struct comp_extern {
    struct comp_str module, name;
    uint8_t sort;
    uint32_t type;
};

struct comp_component;

#define COMP_MAX_FLAT     16 /* MAX_FLAT_PARAMS */
#define COMP_FLAT_OVER    (COMP_MAX_FLAT + 1)
#define COMP_MAX_FLAT_RES 1 /* MAX_FLAT_RESULTS */

struct comp_type {
    uint8_t kind;     /* enum comp_type_kind */
    uint8_t prim;     /* COMP_T_PRIM: the primvaltype byte */
    bool has_borrow;  /* a borrow handle somewhere inside */
    uint32_t nfields; /* record, variant, tuple, flags, enum; func params */
    struct comp_field *fields;
    uint32_t elem;               /* list, option: element; result: ok; own/borrow: the
                                  * resource's id; func: the result (or COMP_NONE);
                                  * resource: rep (0x7f i32) */
    uint32_t elem2;              /* result: error; resource: destructor core func index
                                  * or COMP_NONE */
    uint32_t nimports, nexports; /* component, core module; instance and core
                                  * instance have exports only */
    struct comp_extern *imports, *exports;
    const uint8_t *core_params, *core_results; /* core func: valtype bytes */
    uint32_t core_nparams, core_nresults;
    const struct comp_component *owner; /* resource: the component that
                                         * defined it; NULL if abstract */
    void *export_index;                 /* loader: exports by name */
    /* Value types: the canonical ABI's flattening (CanonicalABI.md
     * "Flattening"): flat_n core types in flat[] (0x7f i32, 0x7e i64, 0x7d
     * f32, 0x7c f64), COMP_FLAT_OVER when more than COMP_MAX_FLAT; and
     * whether a string or list is inside (options memory and realloc). */
    uint8_t flat_n;
    uint8_t flat[COMP_MAX_FLAT];
    bool has_list;
    /* Value types: elem_size and alignment in linear memory
     * (CanonicalABI.md "Element Size", "Alignment"); [0] for 32-bit
     * pointers (wasm32), [1] for 64-bit ones (the validation bound). */
    uint32_t size[2];
    uint8_t align[2];
};

/* Canonical definitions (Binary.md "Canonical Definitions"). */
enum comp_canon_op {
    COMP_CANON_LIFT = 0x00,
    COMP_CANON_LOWER = 0x01,
    COMP_CANON_RESOURCE_NEW = 0x02,
    COMP_CANON_RESOURCE_DROP = 0x03,
    COMP_CANON_RESOURCE_REP = 0x04,
};
enum comp_string_encoding { COMP_UTF8, COMP_UTF16, COMP_LATIN1_UTF16 };
struct comp_canon {
    uint8_t op;       /* enum comp_canon_op */
    uint8_t encoding; /* enum comp_string_encoding (utf8 by default) */
    uint32_t func;    /* lift: core func index; lower: func index */
    uint32_t type;    /* lift: COMP_T_FUNC id; resource.*: resource id */
    uint32_t memory;  /* core memory index or COMP_NONE */
    uint32_t realloc; /* core func index or COMP_NONE */
    uint32_t post_return;
};

/* An argument of an instantiation: (with name (sort idx)). */
struct comp_arg {
    struct comp_str name;
    uint8_t sort;
    uint32_t index;
};

/* How an index-space entry came to be. */
enum comp_def_how {
    COMP_DEF_IMPORT,            /* name; a: import number */
    COMP_DEF_EXPORT,            /* name; a: the exported index of the same sort */
    COMP_DEF_ALIAS_EXPORT,      /* a: instance index, name */
    COMP_DEF_ALIAS_CORE_EXPORT, /* a: core instance index, name */
    COMP_DEF_ALIAS_OUTER,       /* a: count of scopes out, b: index there */
    COMP_DEF_MODULE,            /* a: embedded core module number */
    COMP_DEF_COMPONENT,         /* a: nested component number */
    COMP_DEF_TYPE,              /* a type definition */
    COMP_DEF_CANON,             /* canon */
    COMP_DEF_INSTANTIATE,       /* a: module/component index, args */
    COMP_DEF_INLINE_EXPORTS,    /* args: the exports */
};

struct comp_def {
    uint8_t how;   /* enum comp_def_how */
    uint32_t type; /* as comp_extern.type */
    uint32_t a, b;
    struct comp_str name;
    const struct comp_canon *canon;
    const struct comp_arg *args;
    uint32_t nargs;
    /* instantiate of a component: the resources its (sub resource) imports
     * stand for, nsubst pairs (import's type id, argument's type id) */
    const uint32_t *subst;
    uint32_t nsubst;
};

/* A byte range of the loaded bytes: an embedded core module (with its own
 * preamble, for wasm_module_load) or a nested component. */
struct comp_range {
    size_t offset, len;
};

/* A component (the loaded one, or one nested in it), or while loading, the
 * scope of a component or instance type declaration. */
struct comp_component {
    const struct comp_component *parent;
    bool is_type; /* a type scope, not a component */
    uint32_t count[COMP_SORT_COUNT];
    struct comp_def *space[COMP_SORT_COUNT];
    uint32_t cap[COMP_SORT_COUNT];
    uint32_t nimports, nexports, cap_imports, cap_exports;
    struct comp_extern *imports, *exports;
    uint32_t nmodules, cap_modules;
    struct comp_range *modules;
    uint32_t ncomponents, cap_components;
    struct comp_component **components;
    struct comp_range *component_ranges;
    void *names[2]; /* import and export name sets, while loading */
};

struct comp {
    const uint8_t *bytes;
    size_t len;
    struct comp_component *root;
    uint32_t ntypes, cap_types;
    struct comp_type *types;
    void *pool; /* every allocation, freed by comp_free */
    /* The root's core modules, loaded once by comp_preload_modules() and
     * shared by every instantiation after it; NULL: each loads its own. */
    struct wasm_module **loaded;
};

/* A human-readable message for load failures. */
struct comp_error {
    char msg[192];
};

/*
 * Decodes and validates a component. Returns 0 and *out, or ERR_BADMSG
 * (malformed), ERR_INVAL (invalid), ERR_NOTSUP (a feature outside WASI 0.2:
 * values, start, async, threads, GC core types) or ERR_NOMEM, with err->msg
 * saying what and where (err may be NULL). bytes must outlive *out.
 */
int comp_load(const uint8_t *bytes, size_t len, struct comp **out, struct comp_error *err);

void comp_free(struct comp *c);

/*
 * The canon lift behind an export of the root component: the function
 * export `export` (func NULL), or the function `func` of the instance
 * export `export` (e.g. "wasi:cli/run@0.2.3", "run"), followed through
 * exports, aliases, inline instances and nested components' instances and
 * imports. Returns 0 with *lift and the component whose index spaces it is
 * in (*scope); ERR_NOENT (no such export, or the function is imported),
 * ERR_NOTSUP (a path not followed yet: imported instances or components),
 * with err->msg.
 */
int comp_find_lift(const struct comp *c, const char *export, const char *func,
                   const struct comp_component **scope, const struct comp_def **lift,
                   struct comp_error *err);

/* The canon lift behind func `func` of the root component (a function
 * that an instance of this component lifts, which a lower of it calls
 * through the canonical ABI): 0 and *lift, or ERR_NOENT (imported) /
 * ERR_NOTSUP with err->msg, as comp_find_lift. */
int comp_func_lift(const struct comp *c, uint32_t func, const struct comp_def **lift,
                   struct comp_error *err);

/* The type with this id (id < c->ntypes). */
static inline const struct comp_type *comp_type_get(const struct comp *c, uint32_t id)
{
    return &c->types[id];
}

#endif
