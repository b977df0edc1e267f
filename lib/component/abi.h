/*
 * lib/component/abi.h - the general canonical ABI (CanonicalABI.md): host
 * values of every WIT kind (struct comp_val), lowered into flat core values
 * or into a component instance's linear memory, and lifted back, with the
 * checks the specification makes (bounds, alignment, discriminants, chars,
 * string encodings) as traps; and a call of a lifted export from the host:
 *
 *   comp_call_export(ci, lift, args, n, &result, arena, trap, err)
 *
 * lowers the arguments (flat, or through the instance's realloc into
 * memory beyond 16 flat values), calls the core function, lifts the result
 * (flat, or from memory beyond one flat value) and calls post-return.
 * Handles (own, borrow) go through the instance's resource table and the
 * host's (resource.h): a host value of an own or borrow type is an index in
 * the host's table.
 */
#ifndef COMPONENT_ABI_H
#define COMPONENT_ABI_H

#include "component/instance.h"
#include "component/resource.h"

/* A host value of the value type `type` (COMP_PRIM(code) or a type id). */
struct comp_val {
    uint32_t type;
    uint32_t n; /* string: bytes; list, record, tuple: items; variant, enum,
                 * option (0 none, 1 some), result (0 ok, 1 err): the case */
    union {
        uint64_t u; /* bool, unsigned integers, char (scalar value), flags
                     * (bit i: label i), own and borrow (the handle) */
        int64_t s;  /* signed integers */
        float f32;
        double f64;
    } v;
    char *str;              /* string: UTF-8, NUL-terminated */
    struct comp_val *items; /* list, record, tuple: n items; variant, option,
                             * result: items[0], the payload, or NULL */
};

/* Where the values of one call are allocated, all freed at once. */
struct comp_arena {
    void *blocks;
    size_t used, limit; /* bytes; limit 0: COMP_ARENA_LIMIT */
};
#define COMP_ARENA_LIMIT (256u << 20)
void *comp_arena_alloc(struct comp_arena *a, size_t size); /* zeroed; NULL: over limit */
void comp_arena_free(struct comp_arena *a);

/* The options of one lift or lower: the component's types, its memory and
 * realloc (NULL realloc: allocate by bumping `bump`, for tests), the
 * string encoding, where lifted values go, and the trap to fill; the
 * handle tables of the component (callee) and of the host (caller) and the
 * call's borrow scope (callee NULL: handles pass as plain numbers, for
 * tests of layouts). */
struct comp_cx {
    const struct comp *c;
    struct wasm_memory *mem;
    struct wasm_func *realloc;
    uint32_t bump;
    uint8_t encoding; /* enum comp_string_encoding */
    struct comp_arena *arena;
    struct wasm_trap *trap;
    unsigned depth;
    struct comp_handles *callee, *caller;
    struct comp_call_scope *scope;
    struct comp_instance *inst; /* the instance whose table is callee: its
                                 * resource types are followed to where they
                                 * are defined (NULL: the root's own) */
};

/* Whether s[0..len) is well-formed UTF-8 of Unicode scalar values. */
bool comp_utf8_valid(const uint8_t *s, uint32_t len);

/* Size and alignment in (32-bit) linear memory of a value type. */
uint32_t comp_abi_size(const struct comp *c, uint32_t type);
uint32_t comp_abi_align(const struct comp *c, uint32_t type);

/* Lowers v into memory at ptr (CanonicalABI.md store), or into flat
 * values out[*n...] of the type's flattening (lower_flat). 0, or ERR_FAULT
 * with cx->trap filled. */
int comp_abi_store(struct comp_cx *cx, const struct comp_val *v, uint32_t ptr);
int comp_abi_lower_flat(struct comp_cx *cx, const struct comp_val *v, wasm_value *out, uint32_t *n);

/* Lifts a value of `type` from memory at ptr (load) or from the flat
 * values in[*n...] (lift_flat; *n advances by the type's flat length). 0,
 * or ERR_FAULT with cx->trap filled ("canonical ABI: ..."). */
int comp_abi_load(struct comp_cx *cx, uint32_t type, uint32_t ptr, struct comp_val *out);
int comp_abi_lift_flat(struct comp_cx *cx, uint32_t type, const wasm_value *in, uint32_t *n,
                       struct comp_val *out);

/*
 * Calls the lifted function `lift` (from comp_find_lift, in the root
 * component) of the instance ci with nargs host values (of its parameter
 * types, unchecked: the caller builds them by type) and lifts its result
 * into *result (type COMP_NONE when the function has none), allocated in
 * arena. host is the caller's handle table: own and borrow arguments are
 * its indices (an own one leaves it, a borrow is lent for the call), an
 * own result is added to it (NULL: handles pass as plain numbers). The
 * call's borrows end with it: a borrow handle the component still holds
 * traps. 0; ERR_FAULT (a trap of the core code or of the ABI: *trap);
 * ERR_INVAL (argument count) or ERR_NOTSUP with err->msg.
 */
int comp_call_export(struct comp_instance *ci, const struct comp_def *lift,
                     const struct comp_val *args, uint32_t nargs, struct comp_val *result,
                     struct comp_handles *host, struct comp_arena *arena, struct wasm_trap *trap,
                     struct comp_error *err);

/*
 * comp_link_fn (instance.h): a call from one component instance into a
 * function another one lifts. The caller's arguments are lifted through its
 * lower's options (memory, realloc, string encoding: strings and lists are
 * copied out of the caller's memory) into host values, the callee is called
 * as comp_call_export calls it (into its own memory), and the result is
 * lowered back into the caller. Handles pass through a table of the call's
 * own: an own handle moves from one instance's table to the other's, a
 * borrow is lent for the call (the caller's own handle counts the lend
 * until the call returns). Set it with comp_instance_set_link.
 */
int comp_abi_link(struct comp_instance *caller, uint32_t index, struct comp_instance *callee,
                  const struct comp_def *lift, const wasm_value *args, wasm_value *results,
                  struct wasm_trap *trap);

#endif
