/*
 * lib/component/abi_internal.h - what the canonical ABI's files (abi.c,
 * abi_string.c, abi_call.c) share: traps, bounds-checked memory,
 * allocation through realloc, flattening.
 */
#ifndef COMPONENT_ABI_INTERNAL_H
#define COMPONENT_ABI_INTERNAL_H

#include "component/abi.h"

/* Fills cx->trap (WASM_TRAP_HOST, "canonical ABI: " and the message);
 * returns ERR_FAULT. */
int abi_trap(struct comp_cx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* len bytes of memory at ptr, or NULL (no memory, or out of bounds). */
uint8_t *abi_mem_at(struct comp_cx *cx, uint64_t ptr, uint64_t len);

/* 0, or a trap naming `what`: no memory, misaligned, out of bounds. */
int abi_check_range(struct comp_cx *cx, const char *what, uint64_t ptr, uint64_t len,
                    uint32_t align);

uint64_t abi_get_le(const uint8_t *p, unsigned n);
void abi_put_le(uint8_t *p, uint64_t v, unsigned n);

/* realloc(0, 0, align, size) of the instance (or cx's bump pointer). */
int abi_alloc(struct comp_cx *cx, uint32_t align, uint32_t size, uint32_t *ptr);

bool abi_is_scalar(uint64_t c);
uint32_t abi_align_to(uint32_t n, uint32_t a);

/* The flattening of a value type: its count (COMP_FLAT_OVER), types in *f. */
uint8_t abi_flat_of(const struct comp *c, uint32_t vt, const uint8_t **f);

/* A string at ptr of tagged length in cx's encoding, into out (UTF-8). */
int abi_load_string(struct comp_cx *cx, uint32_t ptr, uint32_t tagged, struct comp_val *out);

/* v's string stored in cx's encoding: *ptr and the (tagged) length. */
int abi_store_string(struct comp_cx *cx, const struct comp_val *v, uint32_t *ptr, uint32_t *len);

/* The memory, realloc and string encoding of canon options o, resolved in
 * ci, into cx. */
int abi_options(struct comp_instance *ci, const struct comp_canon *o, struct comp_cx *cx,
                struct comp_error *err);

/* The parameters of function type ft as one tuple in memory (beyond 16 flat
 * values): its size; its alignment in *align and each one's offset in
 * offsets[] (NULL: not wanted). */
uint32_t abi_params_layout(const struct comp *c, const struct comp_type *ft, uint32_t *offsets,
                           uint32_t *align);

#endif
