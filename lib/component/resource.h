/*
 * lib/component/resource.h - resource handle tables (CanonicalABI.md
 * "Table State", "Handle State", "Handles", "canon resource.new", "canon
 * resource.drop", "canon resource.rep"): one table per component instance
 * (and one per host that calls exports), each slot a handle of a resource
 * type with its representation, own or borrow, how many calls it is lent
 * to, and for a borrow the call it belongs to. Handle indices start at 1;
 * freed slots are reused. Every rule of the specification is a trap
 * (WASM_TRAP_HOST, the reason starting "canonical ABI: "): an index out of
 * range or free, a handle of another resource type, an own handle moved or
 * dropped while lent, a borrow handle moved, a borrow still in the table
 * when its call returns.
 *
 * Freestanding, like the rest of lib/component: the kernel builds it too.
 */
#ifndef COMPONENT_RESOURCE_H
#define COMPONENT_RESOURCE_H

#include "component/component.h"
#include "wasm/wasm.h"

#include <stdarg.h>

#define COMP_MAX_HANDLES (1u << 28) /* MAX_LENGTH of a table */

struct comp_call_scope;

struct comp_handle {
    uint32_t rt;  /* the resource type id; 0 with rep == free-list link: free */
    uint32_t rep; /* the representation (i32), or the next free slot */
    bool used, own;
    uint32_t lends;                /* own: calls it is lent to (borrowed) */
    struct comp_call_scope *scope; /* borrow: the call it belongs to */
};

struct comp_handles {
    struct comp_handle *h; /* h[0] unused */
    uint32_t n, cap;       /* slots in use up to n; capacity */
    uint32_t free;         /* first free slot below n, or 0 */
};

/* One call's borrows: the borrow handles lowered into the callee (which
 * must all be dropped before it returns) and the own handles of the caller
 * lent to it (returned when it ends). */
struct comp_call_scope {
    uint32_t borrows;
    struct comp_handles *borrow_table;
    struct comp_handles *lender_table;
    uint32_t *lenders, nlenders, cap;
};

/* Fills *t (WASM_TRAP_HOST, "canonical ABI: " and the message); returns
 * ERR_FAULT. */
int comp_vtrap(struct wasm_trap *t, const char *fmt, va_list ap);
int comp_trapf(struct wasm_trap *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void comp_handles_free(struct comp_handles *t);

/* A new handle (own, or a borrow in scope) of rep: its index in *idx. */
int comp_handle_add(struct comp_handles *t, uint32_t rt, uint32_t rep, bool own,
                    struct comp_call_scope *scope, uint32_t *idx, struct wasm_trap *trap);

/* Handle idx, which must be in use and of resource type rt; `what` names
 * the operation in the trap. */
int comp_handle_get(struct comp_handles *t, uint32_t rt, uint32_t idx, const char *what,
                    struct comp_handle **out, struct wasm_trap *trap);

/* canon resource.drop of handle idx: removed; an own handle must not be
 * lent, and *dtor_rep then gets its rep and *run_dtor true (the caller
 * runs the destructor); a borrow ends (its scope's count drops). */
int comp_handle_drop(struct comp_handles *t, uint32_t rt, uint32_t idx, bool *run_dtor,
                     uint32_t *dtor_rep, struct wasm_trap *trap);

/* lift_own: own handle idx leaves the table (not lent): its rep. */
int comp_handle_lift_own(struct comp_handles *t, uint32_t rt, uint32_t idx, uint32_t *rep,
                         struct wasm_trap *trap);

/* lift_borrow: handle idx lent to the call of scope (an own one counts a
 * lend until the call ends): its rep. */
int comp_handle_lift_borrow(struct comp_handles *t, uint32_t rt, uint32_t idx,
                            struct comp_call_scope *scope, uint32_t *rep, struct wasm_trap *trap);

/* lower_borrow: a borrow handle in the callee's table for the call of
 * scope, or the rep itself when the callee implements the resource
 * (`implements`). */
int comp_handle_lower_borrow(struct comp_handles *t, uint32_t rt, uint32_t rep, bool implements,
                             struct comp_call_scope *scope, uint32_t *idx, struct wasm_trap *trap);

/* The end of a call: a borrow handle still in the callee's table traps;
 * the lent own handles are returned. The scope is emptied either way. */
int comp_call_scope_end(struct comp_call_scope *scope, struct wasm_trap *trap);

#endif
