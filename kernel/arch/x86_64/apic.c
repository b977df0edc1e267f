/*
 * kernel/arch/x86_64/apic.c - LAPIC, IOAPIC and 8259 PIC programming
 * (Intel SDM vol. 3 ch. 10; 82093AA IOAPIC datasheet).
 */
#include "kernel/arch/x86_64/apic.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "base/error.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/vmm.h"

#define LAPIC_ID         0x020
#define LAPIC_EOI        0x0B0
#define LAPIC_SVR        0x0F0
#define LAPIC_LVT_TIMER  0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR  0x390
#define LAPIC_TIMER_DIV  0x3E0
#define LVT_MASKED       (1u << 16)
#define LVT_PERIODIC     (1u << 17)

static volatile uint32_t *lapic;
static volatile uint32_t *ioapic;
static uint32_t ioapic_gsi_base, ioapic_pins;

static inline uint32_t lapic_read(unsigned reg)
{
    return lapic[reg / 4];
}
static inline void lapic_write(unsigned reg, uint32_t v)
{
    lapic[reg / 4] = v;
}

void pic_disable(void)
{
    /* ICW1-4: remap to VEC_PIC_BASE.. so stray IRQs do not look like
     * exceptions, then mask every line. */
    outb(0x20, 0x11);
    outb(0xA0, 0x11);
    outb(0x21, VEC_PIC_BASE);
    outb(0xA1, VEC_PIC_BASE + 8);
    outb(0x21, 0x04);
    outb(0xA1, 0x02);
    outb(0x21, 0x01);
    outb(0xA1, 0x01);
    outb(0x21, 0xFF);
    outb(0xA1, 0xFF);
}

void lapic_init(uint64_t phys_base)
{
    uint64_t msr = rdmsr(0x1B);
    if (!phys_base) phys_base = msr & ~0xFFFull;
    wrmsr(0x1B, msr | (1u << 11)); /* global enable */
    lapic = vmm_map_phys(phys_base, 4096, VMM_NOCACHE | VMM_WRITE);
    BASE_ASSERT(lapic);
    lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS); /* software enable */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    klog_info("apic", "local APIC id %u at %#llx", lapic_id(), (unsigned long long)phys_base);
}

uint32_t lapic_id(void)
{
    return lapic ? lapic_read(LAPIC_ID) >> 24 : 0;
}

void lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_timer_calibrate(uint64_t tsc_hz, unsigned hz)
{
    lapic_write(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
    lapic_write(LAPIC_TIMER_INIT, 0xFFFFFFFF);
    uint64_t start = rdtsc(), span = tsc_hz / 100; /* 10 ms */
    while (rdtsc() - start < span)
        cpu_relax();
    uint32_t elapsed = 0xFFFFFFFF - lapic_read(LAPIC_TIMER_CUR);
    lapic_write(LAPIC_TIMER_INIT, 0);
    uint64_t per_sec = (uint64_t)elapsed * 100;
    uint32_t per_tick = (uint32_t)(per_sec / hz);
    return per_tick ? per_tick : 1;
}

void lapic_timer_periodic(int vector, uint32_t count)
{
    lapic_write(LAPIC_TIMER_DIV, 0x3);
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | (uint32_t)vector);
    lapic_write(LAPIC_TIMER_INIT, count);
}

static uint32_t ioapic_read(uint32_t reg)
{
    ioapic[0] = reg;
    return ioapic[4];
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
    ioapic[0] = reg;
    ioapic[4] = v;
}

void ioapic_init(uint64_t phys_base, uint32_t gsi_base)
{
    ioapic = vmm_map_phys(phys_base, 4096, VMM_NOCACHE | VMM_WRITE);
    BASE_ASSERT(ioapic);
    ioapic_gsi_base = gsi_base;
    ioapic_pins = ((ioapic_read(1) >> 16) & 0xFF) + 1;
    for (uint32_t i = 0; i < ioapic_pins; i++) {
        ioapic_write(0x10 + 2 * i, 1u << 16); /* masked */
        ioapic_write(0x11 + 2 * i, 0);
    }
    klog_info("apic", "IOAPIC at %#llx, GSIs %u-%u", (unsigned long long)phys_base, gsi_base,
              gsi_base + ioapic_pins - 1);
}

int ioapic_route(uint32_t gsi, int vector, bool level, bool active_low)
{
    if (!ioapic || gsi < ioapic_gsi_base || gsi >= ioapic_gsi_base + ioapic_pins) return ERR_NODEV;
    uint32_t pin = gsi - ioapic_gsi_base;
    uint32_t lo = (uint32_t)vector | (active_low ? 1u << 13 : 0) | (level ? 1u << 15 : 0);
    uint64_t flags = irq_save();
    ioapic_write(0x11 + 2 * pin, lapic_id() << 24);
    ioapic_write(0x10 + 2 * pin, lo);
    irq_restore(flags);
    return 0;
}
