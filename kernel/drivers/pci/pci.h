/*
 * kernel/drivers/pci/pci.h - PCI configuration space, device discovery,
 * BARs, capabilities, MSI-X and legacy INTx routing.
 */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch/x86_64/irq.h"
#include "base/list.h"

#define PCI_CAP_MSI    0x05
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_MSIX   0x11

struct pci_bar {
    uint64_t base, size;
    bool io, is64, prefetch;
};

struct pci_dev {
    uint8_t bus, slot, func;
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if, revision;
    uint16_t subsys_vendor, subsys_id;
    uint8_t header_type, irq_line, irq_pin;
    struct pci_bar bar[6];
    uint8_t msi_cap, msix_cap;
    uint16_t msix_size;
    volatile uint32_t *msix_table;
    const char *driver;
    struct list_node node;
};

struct pci_driver {
    const char *name;
    uint16_t vendor;
    uint16_t device_lo, device_hi; /* inclusive range */
    int (*probe)(struct pci_dev *dev);
};

void pci_init(void);
void pci_print_table(void);
/* Probes every matching device not yet claimed; returns how many. */
int pci_register_driver(const struct pci_driver *drv);

uint8_t pci_read8(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint32_t pci_read32(const struct pci_dev *d, unsigned off);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);

/* Turns on I/O and memory decoding and bus mastering. */
void pci_enable(struct pci_dev *d);
/* Offset of the first capability with this id at or after `after` (0 =
 * from the start), or 0. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after);
/* Maps a memory BAR (uncached) and returns its virtual address. */
volatile void *pci_map_bar(const struct pci_dev *d, int bar);

/* MSI-X: maps the table and enables the function with all vectors masked.
 * Returns the number of table entries or a negative error. */
int pci_msix_enable(struct pci_dev *d);
/* Allocates a CPU vector for table entry `entry`, programs and unmasks it. */
int pci_msix_route(struct pci_dev *d, unsigned entry, irq_handler_fn fn, void *arg,
                   const char *name);
void pci_msix_disable(struct pci_dev *d);
/* Routes the device's INTx pin through the IOAPIC to fn. */
int pci_intx_route(struct pci_dev *d, irq_handler_fn fn, void *arg, const char *name);

/* Iterates over all devices. */
struct pci_dev *pci_next(struct pci_dev *prev);

#endif
