/*
 * kernel/lib/panic.c - panic(): print, backtrace, stop.
 *
 * In test mode the machine exits QEMU with a failure status through the
 * isa-debug-exit device so a test fails at once instead of timing out;
 * otherwise the CPU halts with interrupts off and the message stays on the
 * console.
 */
#include "kernel/lib/panic.h"

#include <stdarg.h>

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/trap.h"
#include "base/env.h"
#include "base/fmt.h"
#include "kernel/lib/klog.h"
#include "kernel/power/power.h"

static void console_sink(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    console_write(s, n);
}

_Noreturn void panic(const char *fmt, ...)
{
    irq_disable();
    static int nested;
    if (nested++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        kprintf("\nKERNEL PANIC: ");
        fmt_vformat(console_sink, NULL, fmt, ap);
        kprintf("\n");
        va_end(ap);
        uint64_t rbp;
        __asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
        backtrace_print((uint64_t)(uintptr_t)__builtin_return_address(0), rbp);
    }
    power_panic_exit();
    for (;;)
        hlt();
}

_Noreturn void base_panic(const char *file, int line, const char *msg)
{
    panic("%s:%d: %s", file, line, msg);
}
