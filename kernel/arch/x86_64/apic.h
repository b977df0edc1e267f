/*
 * kernel/arch/x86_64/apic.h - the local APIC (timer, EOI), the IOAPIC
 * (routing GSIs to vectors) and the legacy 8259 PIC (remapped and masked).
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch/x86_64/acpi.h"

void pic_disable(void);
void lapic_init(uint64_t phys_base);
uint32_t lapic_id(void);
void lapic_eoi(void);
/* Counts of the LAPIC timer (divide by 16) per tick at hz, measured
 * against the TSC. */
uint32_t lapic_timer_calibrate(uint64_t tsc_hz, unsigned hz);
void lapic_timer_periodic(int vector, uint32_t count);

void ioapic_init(uint64_t phys_base, uint32_t gsi_base);
int ioapic_route(uint32_t gsi, int vector, bool level, bool active_low);

#endif
