/*
 * kernel/drivers/pci/pci.c - PCI enumeration and device services.
 *
 * Configuration space through the legacy mechanism (ports 0xCF8/0xCFC).
 * Buses are found by walking bridges from bus 0 rather than probing all
 * 256 buses, which costs thousands of port accesses under emulation.
 */
#include "kernel/drivers/pci/pci.h"

#include "kernel/arch/x86_64/apic.h"
#include "kernel/arch/x86_64/cpu.h"
#include "base/error.h"
#include "base/mem.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/vmm.h"

static struct list_node devices = LIST_INIT(devices);
static int ndevices;
enum chipset { CHIPSET_UNKNOWN, CHIPSET_I440FX, CHIPSET_Q35 };
static enum chipset chipset;

static uint32_t cfg_addr(uint8_t bus, uint8_t slot, uint8_t func, unsigned off)
{
    return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)slot << 11 | (uint32_t)func << 8 |
           (off & 0xFC);
}

static uint32_t raw_read32(uint8_t bus, uint8_t slot, uint8_t func, unsigned off)
{
    uint64_t f = irq_save();
    outl(0xCF8, cfg_addr(bus, slot, func, off));
    uint32_t v = inl(0xCFC);
    irq_restore(f);
    return v;
}

uint32_t pci_read32(const struct pci_dev *d, unsigned off)
{
    return raw_read32(d->bus, d->slot, d->func, off);
}
uint16_t pci_read16(const struct pci_dev *d, unsigned off)
{
    return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}
uint8_t pci_read8(const struct pci_dev *d, unsigned off)
{
    return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
    uint64_t f = irq_save();
    outl(0xCF8, cfg_addr(d->bus, d->slot, d->func, off));
    outl(0xCFC, v);
    irq_restore(f);
}
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
    uint64_t f = irq_save();
    outl(0xCF8, cfg_addr(d->bus, d->slot, d->func, off));
    outw((uint16_t)(0xCFC + (off & 2)), v);
    irq_restore(f);
}

/* Sizes BAR i by writing all ones with decoding off; returns the number of
 * BAR registers used (2 for a 64-bit memory BAR). */
static int bar_probe(struct pci_dev *d, int i)
{
    unsigned off = 0x10 + 4 * (unsigned)i;
    uint32_t orig = pci_read32(d, off);
    struct pci_bar *b = &d->bar[i];
    pci_write32(d, off, 0xFFFFFFFF);
    uint32_t mask = pci_read32(d, off);
    pci_write32(d, off, orig);
    if (orig & 1) {
        b->io = true;
        b->base = orig & ~3u;
        mask &= ~3u;
        b->size = mask ? (~mask + 1) & 0xFFFF : 0;
        return 1;
    }
    b->prefetch = orig & 8;
    b->base = orig & ~0xFu;
    uint64_t m = mask & ~0xFu;
    int used = 1;
    if (((orig >> 1) & 3) == 2 && i < 5) {
        b->is64 = true;
        uint32_t hi = pci_read32(d, off + 4);
        pci_write32(d, off + 4, 0xFFFFFFFF);
        uint32_t mhi = pci_read32(d, off + 4);
        pci_write32(d, off + 4, hi);
        b->base |= (uint64_t)hi << 32;
        m |= (uint64_t)mhi << 32;
        used = 2;
    } else if (m) {
        m |= 0xFFFFFFFF00000000ull;
    }
    b->size = m ? ~m + 1 : 0; /* all zero: the BAR is not implemented */
    return used;
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after)
{
    if (!(pci_read16(d, 0x06) & 0x10)) /* status: capability list */
        return 0;
    uint8_t p = after ? pci_read8(d, after + 1) : pci_read8(d, 0x34);
    for (int guard = 0; p >= 0x40 && guard < 48; guard++) {
        p &= 0xFC;
        if (pci_read8(d, p) == id) return p;
        p = pci_read8(d, p + 1);
    }
    return 0;
}

static void scan_bus(uint8_t bus, int depth);

static void add_function(uint8_t bus, uint8_t slot, uint8_t func, int depth)
{
    uint32_t id = raw_read32(bus, slot, func, 0);
    struct pci_dev *d = kzalloc(sizeof *d);
    if (!d) return;
    d->bus = bus;
    d->slot = slot;
    d->func = func;
    d->vendor = (uint16_t)id;
    d->device = (uint16_t)(id >> 16);
    uint32_t cls = pci_read32(d, 0x08);
    d->revision = (uint8_t)cls;
    d->prog_if = (uint8_t)(cls >> 8);
    d->subclass = (uint8_t)(cls >> 16);
    d->class_code = (uint8_t)(cls >> 24);
    d->header_type = pci_read8(d, 0x0E) & 0x7F;
    d->irq_line = pci_read8(d, 0x3C);
    d->irq_pin = pci_read8(d, 0x3D);
    if (d->header_type == 0) {
        uint32_t sub = pci_read32(d, 0x2C);
        d->subsys_vendor = (uint16_t)sub;
        d->subsys_id = (uint16_t)(sub >> 16);
        uint16_t cmd = pci_read16(d, 0x04);
        pci_write16(d, 0x04, cmd & ~3u); /* decoding off while sizing */
        for (int i = 0; i < 6;)
            i += bar_probe(d, i);
        pci_write16(d, 0x04, cmd);
    }
    d->msi_cap = pci_find_cap(d, PCI_CAP_MSI, 0);
    d->msix_cap = pci_find_cap(d, PCI_CAP_MSIX, 0);
    if (d->msix_cap) d->msix_size = (pci_read16(d, d->msix_cap + 2) & 0x7FF) + 1;
    list_push_back(&devices, &d->node);
    ndevices++;
    if (d->vendor == 0x8086 && d->device == 0x29C0)
        chipset = CHIPSET_Q35;
    else if (d->vendor == 0x8086 && d->device == 0x1237)
        chipset = CHIPSET_I440FX;
    if (d->header_type == 1 && depth < 8) { /* PCI-to-PCI bridge */
        uint8_t secondary = pci_read8(d, 0x19);
        if (secondary > bus) scan_bus(secondary, depth + 1);
    }
}

static void scan_bus(uint8_t bus, int depth)
{
    for (uint8_t slot = 0; slot < 32; slot++) {
        uint32_t id = raw_read32(bus, slot, 0, 0);
        if ((id & 0xFFFF) == 0xFFFF) continue;
        int multi = (raw_read32(bus, slot, 0, 0x0C) >> 16) & 0x80;
        for (uint8_t func = 0; func < (multi ? 8 : 1); func++) {
            if (func && (raw_read32(bus, slot, func, 0) & 0xFFFF) == 0xFFFF) continue;
            add_function(bus, slot, func, depth);
        }
    }
}

static const char *class_name(const struct pci_dev *d)
{
    static const struct {
        uint8_t cls, sub;
        const char *name;
    } names[] = {
        {0x01, 0x00, "SCSI storage"},    {0x01, 0x01, "IDE controller"},
        {0x01, 0x06, "SATA controller"}, {0x01, 0x80, "storage"},
        {0x02, 0x00, "Ethernet"},        {0x03, 0x00, "VGA"},
        {0x06, 0x00, "host bridge"},     {0x06, 0x01, "ISA bridge"},
        {0x06, 0x04, "PCI bridge"},      {0x06, 0x80, "bridge"},
        {0x07, 0x80, "communication"},   {0x0C, 0x03, "USB"},
        {0x0C, 0x05, "SMBus"},           {0x00, 0xFF, "device"},
        {0xFF, 0x00, "virtio"},
    };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].cls == d->class_code && names[i].sub == d->subclass) return names[i].name;
    return "other";
}

static const char *device_name(const struct pci_dev *d)
{
    static const struct {
        uint16_t vendor, device;
        const char *name;
    } names[] = {
        {0x8086, 0x29C0, "Intel Q35 DRAM controller"},
        {0x8086, 0x2918, "Intel ICH9 LPC"},
        {0x8086, 0x2922, "Intel ICH9 AHCI"},
        {0x8086, 0x2930, "Intel ICH9 SMBus"},
        {0x8086, 0x1237, "Intel 440FX host bridge"},
        {0x8086, 0x7000, "Intel PIIX3 ISA"},
        {0x8086, 0x7010, "Intel PIIX3 IDE"},
        {0x8086, 0x7113, "Intel PIIX4 ACPI"},
        {0x8086, 0x100E, "Intel 82540EM (e1000)"},
        {0x1234, 0x1111, "QEMU VGA"},
        {0x1AF4, 0x1000, "virtio network (transitional)"},
        {0x1AF4, 0x1001, "virtio block (transitional)"},
        {0x1AF4, 0x1041, "virtio network"},
        {0x1AF4, 0x1042, "virtio block"},
        {0x1AF4, 0x1005, "virtio entropy (transitional)"},
        {0x1B36, 0x000D, "QEMU XHCI"},
    };
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].vendor == d->vendor && names[i].device == d->device) return names[i].name;
    return "";
}

void pci_print_table(void)
{
    struct list_node *it;
    list_for_each(it, &devices)
    {
        struct pci_dev *d = list_entry(it, struct pci_dev, node);
        char irq[24] = "";
        if (d->msix_cap)
            str_copy(irq, "msi-x", sizeof irq);
        else if (d->irq_pin)
            str_copy(irq, "intx", sizeof irq);
        klog_info("pci", "%02x:%02x.%u %04x:%04x %02x%02x %-14s %-5s %s", d->bus, d->slot, d->func,
                  d->vendor, d->device, d->class_code, d->subclass, class_name(d), irq,
                  device_name(d));
        for (int i = 0; i < 6; i++) {
            const struct pci_bar *b = &d->bar[i];
            if (b->size)
                klog_debug("pci", "    BAR%d %s %#llx size %#llx%s", i, b->io ? "io " : "mem",
                           (unsigned long long)b->base, (unsigned long long)b->size,
                           b->is64 ? " 64-bit" : "");
        }
    }
}

void pci_init(void)
{
    scan_bus(0, 0);
    klog_info("pci", "%d functions on %s", ndevices,
              chipset == CHIPSET_Q35      ? "q35"
              : chipset == CHIPSET_I440FX ? "i440fx"
                                          : "unknown chipset");
    pci_print_table();
}

struct pci_dev *pci_next(struct pci_dev *prev)
{
    struct list_node *n = prev ? prev->node.next : devices.next;
    return n == &devices ? NULL : list_entry(n, struct pci_dev, node);
}

int pci_register_driver(const struct pci_driver *drv)
{
    int found = 0;
    for (struct pci_dev *d = pci_next(NULL); d; d = pci_next(d)) {
        if (d->driver || d->vendor != drv->vendor || d->device < drv->device_lo ||
            d->device > drv->device_hi)
            continue;
        d->driver = drv->name;
        int err = drv->probe(d);
        if (err < 0) {
            klog_warn("pci", "%s: %02x:%02x.%u not taken: %s", drv->name, d->bus, d->slot, d->func,
                      err_str(err));
            d->driver = NULL;
        } else {
            found++;
        }
    }
    return found;
}

void pci_enable(struct pci_dev *d)
{
    pci_write16(d, 0x04, (uint16_t)(pci_read16(d, 0x04) | 0x7));
}

volatile void *pci_map_bar(const struct pci_dev *d, int bar)
{
    const struct pci_bar *b = &d->bar[bar];
    if (b->io || !b->size || !b->base) return NULL;
    return vmm_map_phys(b->base, (size_t)b->size, VMM_NOCACHE | VMM_WRITE);
}

int pci_msix_enable(struct pci_dev *d)
{
    if (!d->msix_cap) return ERR_NOTSUP;
    uint32_t table = pci_read32(d, d->msix_cap + 4);
    int bir = table & 7;
    if (bir > 5 || d->bar[bir].io) return ERR_NOTSUP;
    volatile uint8_t *base = pci_map_bar(d, bir);
    if (!base) return ERR_NOMEM;
    d->msix_table = (volatile uint32_t *)(base + (table & ~7u));
    for (unsigned i = 0; i < d->msix_size; i++)
        d->msix_table[i * 4 + 3] = 1; /* masked */
    uint16_t ctl = pci_read16(d, d->msix_cap + 2);
    pci_write16(d, d->msix_cap + 2, (uint16_t)((ctl | 0x8000) & ~0x4000)); /* enable, unmask fn */
    pci_write16(d, 0x04, (uint16_t)(pci_read16(d, 0x04) | 0x400));         /* INTx off */
    return d->msix_size;
}

int pci_msix_route(struct pci_dev *d, unsigned entry, irq_handler_fn fn, void *arg,
                   const char *name)
{
    if (!d->msix_table || entry >= d->msix_size) return ERR_INVAL;
    uint64_t addr;
    uint32_t data;
    int v = irq_alloc_msi(fn, arg, name, &addr, &data);
    if (v < 0) return v;
    volatile uint32_t *e = d->msix_table + entry * 4;
    e[0] = (uint32_t)addr;
    e[1] = (uint32_t)(addr >> 32);
    e[2] = data;
    e[3] = 0; /* unmasked */
    return v;
}

void pci_msix_disable(struct pci_dev *d)
{
    if (!d->msix_cap) return;
    uint16_t ctl = pci_read16(d, d->msix_cap + 2);
    pci_write16(d, d->msix_cap + 2, ctl & ~0x8000u);
    d->msix_table = NULL;
}

/*
 * Legacy INTx. Without an AML interpreter the _PRT cannot be evaluated, so
 * the routing of QEMU's two chipsets is applied directly:
 *  - i440fx: PIIX3 routes PIRQ A-D to ISA IRQs chosen by the firmware, which
 *    writes the IRQ into the Interrupt Line register; with the IOAPIC that
 *    IRQ is the GSI. QEMU's DSDT declares the links level, active high.
 *  - q35: in APIC mode ICH9 wires PIRQ A-H to IOAPIC inputs 16-23; devices
 *    on bus 0 slots 1-24 use PIRQ E-H by (slot + pin) mod 4, as QEMU's DSDT
 *    _PRT states; level, active high.
 */
int pci_intx_route(struct pci_dev *d, irq_handler_fn fn, void *arg, const char *name)
{
    if (!d->irq_pin) return ERR_NOTSUP;
    uint32_t gsi;
    if (chipset == CHIPSET_Q35 && d->bus == 0 && d->slot >= 1 && d->slot <= 24)
        gsi = 16 + 4 + ((d->slot + (d->irq_pin - 1u)) & 3);
    else if (d->irq_line && d->irq_line < 16)
        gsi = d->irq_line;
    else
        return ERR_NOTSUP;
    pci_write16(d, 0x04, pci_read16(d, 0x04) & ~0x400u); /* INTx on */
    int v = irq_register_gsi(gsi, true, false, fn, arg, name);
    return v < 0 ? v : (int)gsi;
}
