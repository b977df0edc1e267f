/*
 * kernel/arch/x86_64/acpi.h - what KPIO reads from the ACPI tables: the
 * interrupt controllers and ISA overrides (MADT), power-off and reset
 * (FADT + the \_S5 object of the DSDT), and PCI ECAM (MCFG).
 */
#ifndef ARCH_ACPI_H
#define ARCH_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct isa_route {
    uint32_t gsi;
    bool level, active_low;
};

/* rsdp: a copy of the RSDP structure (from the Multiboot2 tag) or NULL to
 * search the BIOS area. */
void acpi_init(const void *rsdp, size_t len);
const void *acpi_find_table(const char *sig);

struct isa_route acpi_isa_route(int isa_irq);
uint64_t acpi_lapic_base(void);
/* Number of IOAPICs found; fills the first one's address and GSI base. */
int acpi_ioapic(uint64_t *base, uint32_t *gsi_base);

/* Enters S5 (soft off). Returns only on failure, with an error. */
int acpi_poweroff(void);
/* Resets through the FADT reset register. Returns only on failure. */
int acpi_reset(void);

#endif
