/*
 * kernel/main.c - the init sequence, and nothing else.
 */
#include "kernel/arch/x86_64/acpi.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/gdt.h"
#include "kernel/arch/x86_64/irq.h"
#include "base/error.h"
#include "base/mem.h"
#include "kernel/boot/cmdline.h"
#include "kernel/boot/multiboot.h"
#include "kernel/boot/pvh.h"
#include "kernel/drivers/fwcfg/fwcfg.h"
#include "kernel/drivers/pci/pci.h"
#include "kernel/drivers/serial/serial.h"
#include "kernel/lib/iopoll.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/phases.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/vmm.h"
#include "kernel/power/power.h"
#include "kernel/sched/sched.h"
#include "kernel/time/clock.h"
#include "kernel/init.h"

#define KPIO_VERSION "0.1"

static struct boot_info boot;

static void read_options(void)
{
    cmdline_parse(boot.cmdline);
    static char extra[1024];
    if (fwcfg_read_file("opt/kpio/cmdline", extra, sizeof extra) >= 0) cmdline_parse(extra);
    const char *lvl = cmdline_get("log");
    if (lvl && klog_parse_level(lvl) >= 0) klog_set_level(klog_parse_level(lvl));
    if (cmdline_get("test")) power_set_test_mode(1);
    const char *trace = cmdline_get("trace");
    if (trace && strcmp(trace, "phases") == 0) phases_set_at_poweroff(true);
}

/* Entered from boot.S. */
// cppcheck-suppress unusedFunction
void kmain(uint32_t magic, uint32_t info_phys)
{
    serial_init();
    gdt_init();
    idt_init();
    int mb = magic == PVH_START_MAGIC ? pvh_parse(info_phys, &boot)
                                      : multiboot_parse(magic, info_phys, &boot);
    read_options();
    kprintf("\nKPIO " KPIO_VERSION " - a small OS for WebAssembly apps\n");
    if (mb < 0)
        panic("not started by a Multiboot2 loader or PVH (magic %#x): %s", magic, err_str(mb));
    klog_info("boot", "loader '%s', command line '%s'", boot.loader, cmdline_raw());

    pmm_init(boot.mem, boot.nmem);
    vmm_init(boot.mem, boot.nmem);
    acpi_init(boot.rsdp_len ? boot.rsdp : NULL, boot.rsdp_len);
    irq_init();
    clock_init();
    sched_init();
    iopoll_init();
    clock_start_tick();
    irq_enable();
    serial_enable_rx_irq();
    pci_init();

    kernel_start_services();
}
