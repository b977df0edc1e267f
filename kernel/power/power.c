/*
 * kernel/power/power.c - the ways out: ACPI S5, reset, isa-debug-exit.
 */
#include "kernel/power/power.h"

#include "kernel/arch/x86_64/acpi.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/phases.h"
#include "kernel/time/clock.h"

#define MAX_HOOKS       8
#define DEBUG_EXIT_PORT 0xf4
#define PANIC_STATUS    3

static void (*hooks[MAX_HOOKS])(void);
static int nhooks, test_mode, have_status;
static unsigned exit_status;

void power_register_shutdown_hook(void (*fn)(void))
{
    if (nhooks < MAX_HOOKS) hooks[nhooks++] = fn;
}

static void run_hooks(void)
{
    for (int i = 0; i < nhooks; i++)
        hooks[i]();
}

void qemu_debug_exit(unsigned status)
{
    outl(DEBUG_EXIT_PORT, status);
}

void power_set_exit_status(unsigned status)
{
    exit_status = status > 127 ? 127 : status;
    have_status = 1;
}

void power_set_test_mode(int on)
{
    test_mode = on;
}

void power_panic_exit(void)
{
    if (test_mode) qemu_debug_exit(PANIC_STATUS);
}

_Noreturn void power_off(void)
{
    run_hooks();
    phase_mark(PHASE_POWEROFF);
    if (phases_at_poweroff()) phases_print();
    klog_info("power", "powering off");
    if (have_status) qemu_debug_exit(exit_status);
    irq_disable();
    acpi_poweroff();
    /* The machine acts on the request on its own time (QEMU in its main
     * loop, after this write returns): a second before calling it failed. */
    for (uint64_t end = clock_monotonic_ns() + NS_PER_SEC; clock_monotonic_ns() < end;)
        cpu_relax();
    klog_error("power", "ACPI power-off failed; halting");
    for (;;)
        hlt();
}

_Noreturn void power_reboot(void)
{
    run_hooks();
    klog_info("power", "rebooting");
    irq_disable();
    acpi_reset();
    outb(0xCF9, 0x06); /* PCI reset control: full reset */
    outb(0x64, 0xFE);  /* keyboard controller pulse */
    for (;;)
        hlt();
}
