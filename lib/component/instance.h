/*
 * lib/component/instance.h - instantiation of a loaded component, first
 * part: the core instances of the root component, in definition order,
 * each embedded core module instantiated by lib/wasm with its imports
 * wired through core instances, aliases and inline exports (Explainer.md
 * "Instance Definitions", "Alias Definitions"). Lowered functions and the
 * resource.drop of imported resources are core functions the embedder
 * supplies; by default they trap when called. The built-ins of the
 * component's own resources work on the instance's handle table
 * (resource.h), destructors included.
 *
 * Instances of nested components are made when first needed: when a
 * function they export is lowered (a call between components, through the
 * canonical ABI's glue the embedder links: comp_instance_set_link) or
 * looked up by comp_instance_find_lift. Not yet: imported components and
 * outer-aliased ones, value imports.
 */
#ifndef COMPONENT_INSTANCE_H
#define COMPONENT_INSTANCE_H

#include "component/component.h"
#include "wasm/wasm.h"

struct comp_instance;

/*
 * Supplies the core function defined by a canon definition (lower or a
 * resource built-in) at core func index `index`: fill *out (a host
 * function whose signature is sig, as wasm_extern_host takes it) and
 * return 0, or a negative ERR_* to fail instantiation (with a message in
 * comp_instance_error(ci)). ci is the instantiation under way: its core
 * items defined so far (the canon options' memory and realloc) can be
 * resolved with comp_instance_core_item.
 */
typedef int (*comp_canon_fn)(void *ctx, struct comp_instance *ci, uint32_t index,
                             const struct comp_canon *canon, const char *sig,
                             struct wasm_extern *out);

/*
 * Instantiates every core instance of c's root component. cfg is passed to
 * lib/wasm for each core instance (NULL: defaults); canon may be NULL (the
 * canon functions then trap "canon ... is not implemented yet").
 *
 * Returns 0 and *out; ERR_NOTSUP (a definition this step does not handle
 * yet), ERR_NOENT/ERR_INVAL/ERR_BADMSG (from lib/wasm: a core module that
 * does not load or whose imports do not match), ERR_NOMEM, or ERR_FAULT (a
 * start function or segment trapped: *trap), with err->msg saying which
 * core instance and why. c must outlive *out.
 */
/* Loads and validates the root's core modules once, for a host that
 * instantiates c many times (a server: an instance per request); later
 * instantiations share them (lib/wasm instantiates a module any number of
 * times, from any thread). 0, or the load error with err->msg. */
int comp_preload_modules(struct comp *c, struct comp_error *err);

int comp_instantiate_core(const struct comp *c, const struct wasm_config *cfg, comp_canon_fn canon,
                          void *canon_ctx, struct comp_instance **out, struct comp_error *err,
                          struct wasm_trap *trap);

void comp_instance_free(struct comp_instance *ci);

/* A core function type (COMP_T_CORE_FUNC) as wasm_extern_host's signature
 * "(params)results", e.g. "(ii)i"; size COMP_SIG_MAX is enough. */
#define COMP_SIG_MAX (2 * COMP_MAX_FLAT + 8)
void comp_core_sig(const struct comp_type *t, char *buf, size_t size);

/* The instance's resource handle table (resource.h). Its own resources'
 * resource.new, resource.rep and resource.drop are bound here, not by the
 * embedder's canon hook. */
struct comp_handles *comp_instance_handles(struct comp_instance *ci);

/* The error message buffer of the instantiation (may be NULL). */
struct comp_error *comp_instance_error(struct comp_instance *ci);

/* The component being instantiated. */
const struct comp *comp_instance_comp(const struct comp_instance *ci);

/* Core instance idx as lib/wasm made it, or NULL (inline exports). */
struct wasm_instance *comp_instance_core(const struct comp_instance *ci, uint32_t idx);

/* Core item idx of a core sort (func, table, memory, global), resolved:
 * 0 and *out, or ERR_NOENT (out of range) / ERR_NOTSUP. */
int comp_instance_core_item(struct comp_instance *ci, enum comp_sort sort, uint32_t idx,
                            struct wasm_extern *out);

/* The component whose index spaces ci's definitions are in (the root, or a
 * nested one). */
const struct comp_component *comp_instance_scope(const struct comp_instance *ci);

/*
 * The resource type rt, as ci's types name it (an imported one too),
 * followed to where it is defined: *impl, the instance of this component
 * that defines it (NULL: a resource of the host, or not followed), and
 * its type id there (*def_rt). Handle tables keep the defining type, so a
 * handle moves between instances that name the resource differently.
 * 0, or an error with comp_instance_error(ci)'s message.
 */
int comp_instance_resource(struct comp_instance *ci, uint32_t rt, struct comp_instance **impl,
                           uint32_t *def_rt);

/*
 * A call of core func `index` of `caller`, a canon lower of the function
 * that `lift` lifts in the instance `callee` (another component instance):
 * the arguments (the caller's flat core values, as the lowered core type
 * has them) lifted through the lower's options, the callee called, its
 * result lowered back (flat into results, or at the pointer the caller
 * passed). 0, or ERR_FAULT with *trap. The canonical ABI supplies one
 * (abi.h: comp_abi_link); without it such calls trap.
 */
typedef int (*comp_link_fn)(struct comp_instance *caller, uint32_t index,
                            struct comp_instance *callee, const struct comp_def *lift,
                            const wasm_value *args, wasm_value *results, struct wasm_trap *trap);
void comp_instance_set_link(struct comp_instance *ci, comp_link_fn link);

/*
 * The lift behind the root's export `export` (func NULL) or the function
 * `func` of its instance export `export`, followed through the instances
 * (nested ones are made if they are not yet): 0 with the instance that
 * lifts it (*owner) and the canon lift (*lift, in *owner's scope);
 * ERR_NOENT (no such export, or not lifted by the component), ERR_NOTSUP,
 * or ERR_FAULT (a nested instance trapped while made: *trap), with
 * comp_instance_error(ci)'s message.
 */
int comp_instance_find_lift(struct comp_instance *ci, const char *export, const char *func,
                            struct comp_instance **owner, const struct comp_def **lift,
                            struct wasm_trap *trap);

#endif
