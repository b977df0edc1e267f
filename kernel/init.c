/*
 * kernel/init.c - starting the services after the core is up: drivers,
 * the root filesystem, then test mode or the shell.
 */
#include "kernel/init.h"

#include "kernel/block/bcache.h"
#include "kernel/boot/cmdline.h"
#include "kernel/drivers/drivers.h"
#include "kernel/fs/vfs.h"
#include "kernel/lib/random.h"
#include "kernel/net/knet.h"
#include "kernel/net/ktls.h"
#include "kernel/lib/klog.h"
#include "kernel/mm/heap.h"
#include "kernel/mm/pmm.h"
#include "kernel/power/power.h"
#include "kernel/sched/sched.h"
#include "kernel/shell/shell.h"
#include "kernel/test/selftest.h"

static void sync_on_shutdown(void)
{
    vfs_sync_all();
    bcache_sync_all();
}

_Noreturn void kernel_start_services(void)
{
    virtio_rng_init();
    random_init();
    virtio_blk_init();
    virtio_net_init();
    vfs_mount_root();
    knet_start();
    ktls_init();
    power_register_shutdown_hook(sync_on_shutdown);

    const char *test = cmdline_get("test");
    if (test) selftest_run(test); /* does not return: exits QEMU with the verdict */

    struct heap_stats hs;
    heap_get_stats(&hs);
    klog_info("boot", "ready: %zu MiB free, heap %zu KiB in use",
              pmm_free_count() * PAGE_SIZE >> 20, hs.in_use >> 10);
    shell_start();
    /* The boot thread's work is done; it stays as an idle sleeper. */
    for (;;)
        thread_sleep_ms(1000000);
}
