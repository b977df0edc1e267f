/*
 * kernel/arch/x86_64/irq.c - the IDT, vector allocation and the dispatcher.
 */
#include "kernel/arch/x86_64/irq.h"

#include "kernel/arch/x86_64/acpi.h"
#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/trap.h"
#include "base/error.h"
#include "kernel/lib/klog.h"
#include "kernel/sched/sched.h"

struct idt_entry {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
extern const uint64_t isr_stub_table[256];

static struct {
    irq_handler_fn fn;
    void *arg;
    const char *name;
} vectors[256];

static int next_vector = VEC_FIRST_DYNAMIC;

/* Level-triggered PCI lines are shared: several devices' handlers may hang
 * off one GSI, all run on each interrupt (each checks its own device). */
#define MAX_SHARED 4
#define MAX_GSI    256
static struct shared_line {
    int vector;
    int n;
    irq_handler_fn fn[MAX_SHARED];
    void *arg[MAX_SHARED];
} lines[MAX_GSI];

static void shared_irq(void *arg)
{
    struct shared_line *l = arg;
    for (int i = 0; i < l->n; i++)
        l->fn[i](l->arg[i]);
}

void exception_handle(struct trap_frame *f); /* trap.c */

static void idt_set(int v, uint64_t handler, int ist)
{
    idt[v].offset_lo = (uint16_t)handler;
    idt[v].selector = GDT_KERNEL_CODE;
    idt[v].ist = (uint8_t)ist;
    idt[v].type_attr = 0x8E; /* present, DPL 0, 64-bit interrupt gate */
    idt[v].offset_mid = (uint16_t)(handler >> 16);
    idt[v].offset_hi = (uint32_t)(handler >> 32);
    idt[v].zero = 0;
}

void idt_init(void)
{
    for (int v = 0; v < 256; v++)
        idt_set(v, isr_stub_table[v], 0);
    idt[2].ist = IST_NMI;
    idt[8].ist = IST_DOUBLE_FAULT;
    idt[18].ist = IST_MACHINE_CHECK;
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) ptr = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
    __asm__ volatile("lidt %0" ::"m"(ptr));
}

void irq_set_vector_handler(int vector, irq_handler_fn fn, void *arg, const char *name)
{
    vectors[vector].fn = fn;
    vectors[vector].arg = arg;
    vectors[vector].name = name;
}

static int alloc_vector(irq_handler_fn fn, void *arg, const char *name)
{
    uint64_t flags = irq_save();
    int v = next_vector <= VEC_LAST_DYNAMIC ? next_vector++ : ERR_NOSPC;
    if (v > 0) irq_set_vector_handler(v, fn, arg, name);
    irq_restore(flags);
    if (v < 0) klog_error("irq", "out of interrupt vectors for %s", name);
    return v;
}

int irq_register_gsi(uint32_t gsi, bool level, bool active_low, irq_handler_fn fn, void *arg,
                     const char *name)
{
    if (level && gsi < MAX_GSI) {
        struct shared_line *l = &lines[gsi];
        uint64_t flags = irq_save();
        if (l->n > 0) { /* the line is routed already: share it */
            int v = l->vector, err = l->n < MAX_SHARED ? 0 : ERR_BUSY;
            if (!err) {
                l->fn[l->n] = fn;
                l->arg[l->n] = arg;
                l->n++;
            }
            irq_restore(flags);
            klog_debug("irq", "gsi %u shared by %s (vector %d)", gsi, name, v);
            return err ? err : v;
        }
        irq_restore(flags);
        int v = alloc_vector(shared_irq, l, name);
        if (v < 0) return v;
        l->vector = v;
        l->fn[0] = fn;
        l->arg[0] = arg;
        l->n = 1;
        int err = ioapic_route(gsi, v, level, active_low);
        return err < 0 ? err : v;
    }
    int v = alloc_vector(fn, arg, name);
    if (v < 0) return v;
    int err = ioapic_route(gsi, v, level, active_low);
    if (err < 0) return err;
    klog_debug("irq", "gsi %u -> vector %d (%s, %s, %s)", gsi, v, name, level ? "level" : "edge",
               active_low ? "active-low" : "active-high");
    return v;
}

int irq_register_isa(int isa_irq, irq_handler_fn fn, void *arg, const char *name)
{
    struct isa_route r = acpi_isa_route(isa_irq);
    return irq_register_gsi(r.gsi, r.level, r.active_low, fn, arg, name);
}

int irq_alloc_msi(irq_handler_fn fn, void *arg, const char *name, uint64_t *msg_addr,
                  uint32_t *msg_data)
{
    int v = alloc_vector(fn, arg, name);
    if (v < 0) return v;
    /* Intel SDM 10.11: fixed delivery, physical destination = this CPU,
     * edge triggered. */
    *msg_addr = 0xFEE00000u | (uint64_t)lapic_id() << 12;
    *msg_data = (uint32_t)v;
    return v;
}

/* Entered from isr.S. */
// cppcheck-suppress unusedFunction
void trap_dispatch(struct trap_frame *f)
{
    int v = (int)f->vector;
    if (v < 32) {
        exception_handle(f);
        return;
    }
    if (v == VEC_SPURIOUS) return; /* no EOI for spurious interrupts (SDM 10.9) */
    if (v >= VEC_PIC_BASE && v < VEC_PIC_BASE + 16) {
        /* A masked PIC can still deliver a spurious IRQ 7/15; ignore it. */
        return;
    }
    if (vectors[v].fn) vectors[v].fn(vectors[v].arg);
    lapic_eoi();
    sched_irq_exit();
}

void irq_init(void)
{
    pic_disable();
    lapic_init(acpi_lapic_base());
    uint64_t base;
    uint32_t gsi_base;
    if (acpi_ioapic(&base, &gsi_base) > 0)
        ioapic_init(base, gsi_base);
    else
        ioapic_init(0xFEC00000, 0); /* the architectural default */
}
