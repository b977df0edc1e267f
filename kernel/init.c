/*
 * kernel/init.c - starting the services after the core is up.
 */
#include "init.h"

#include "arch/x86_64/cpu.h"
#include "lib/klog.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "sched/sched.h"

_Noreturn void kernel_start_services(void)
{
    struct heap_stats hs;
    heap_get_stats(&hs);
    klog_info("boot", "ready: %zu MiB free, heap %zu KiB in use",
              pmm_free_count() * PAGE_SIZE >> 20, hs.in_use >> 10);
    kprintf("KPIO is idle (no shell yet). Quit QEMU with Ctrl-A X.\n");
    /* The boot thread has nothing left to do: sleep forever. */
    for (;;)
        thread_sleep_ms(1000000);
}
