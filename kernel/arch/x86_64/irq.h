/*
 * kernel/arch/x86_64/irq.h - interrupt vectors and handler registration.
 *
 * Drivers register a handler for an ISA IRQ or a GSI (both routed through the
 * IOAPIC) or allocate a vector for MSI/MSI-X and program the device with the
 * address/data pair returned. Handlers run with interrupts off; they
 * acknowledge their device and wake waiters, nothing more. The LAPIC EOI is
 * sent by the dispatcher.
 */
#ifndef ARCH_IRQ_H
#define ARCH_IRQ_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*irq_handler_fn)(void *arg);

#define VEC_PIC_BASE      32 /* legacy PIC, remapped here and masked */
#define VEC_TIMER         48 /* LAPIC timer */
#define VEC_FIRST_DYNAMIC 64
#define VEC_LAST_DYNAMIC  239
#define VEC_SPURIOUS      255

void idt_init(void);
/* Sets up the LAPIC, IOAPIC and masks the legacy PIC. Needs ACPI's MADT. */
void irq_init(void);

/* Installs a handler on a fixed vector (the timer). */
void irq_set_vector_handler(int vector, irq_handler_fn fn, void *arg, const char *name);
/* Routes an ISA IRQ (0-15; MADT overrides applied) to a new vector. */
int irq_register_isa(int isa_irq, irq_handler_fn fn, void *arg, const char *name);
/* Routes a GSI with the given trigger mode and polarity to a new vector. */
int irq_register_gsi(uint32_t gsi, bool level, bool active_low, irq_handler_fn fn, void *arg,
                     const char *name);
/* Allocates a vector for MSI/MSI-X; fills the message address and data to
 * program into the device. Returns the vector or a negative error. */
int irq_alloc_msi(irq_handler_fn fn, void *arg, const char *name, uint64_t *msg_addr,
                  uint32_t *msg_data);

#endif
