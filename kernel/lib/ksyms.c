/*
 * kernel/lib/ksyms.c - lookup in the generated symbol table.
 *
 * The table (section .ksyms) is an array of {address, name offset} sorted
 * by address, then the names. Binary search finds the last symbol at or
 * below the address.
 */
#include "kernel/lib/ksyms.h"

#include <stddef.h>

struct ksym {
    uint64_t addr;
    uint64_t name_off;
};

extern const uint64_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];
extern char __text_start[], __text_end[];

const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
    if (addr < (uint64_t)(uintptr_t)__text_start || addr >= (uint64_t)(uintptr_t)__text_end ||
        ksyms_count == 0)
        return NULL;
    size_t lo = 0, hi = ksyms_count;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (ksyms_table[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (ksyms_table[lo].addr > addr) return NULL;
    if (offset) *offset = addr - ksyms_table[lo].addr;
    return ksyms_names + ksyms_table[lo].name_off;
}
