/*
 * kernel/lib/ksyms.h - the kernel's own symbol table, for backtraces.
 * Generated at link time by scripts/gen_ksyms.py (two-pass link).
 */
#ifndef KERNEL_KSYMS_H
#define KERNEL_KSYMS_H

#include <stdint.h>

/* Name of the function containing addr and the offset into it; NULL when
 * the address is not in the kernel's text. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);

#endif
