/*
 * kernel/power/power.h - power-off, reboot and QEMU's test exit.
 */
#ifndef POWER_POWER_H
#define POWER_POWER_H

/* Hooks run before power-off and reboot (the block cache registers its
 * flush here). At most a few; run in registration order. */
void power_register_shutdown_hook(void (*fn)(void));

/* Runs the hooks, then enters ACPI S5. If a status was set with
 * power_set_exit_status and QEMU's isa-debug-exit device is present it is
 * used instead, so the status reaches the host. */
_Noreturn void power_off(void);
_Noreturn void power_reboot(void);

/* Exits QEMU through isa-debug-exit (port 0xf4) with status s: QEMU's exit
 * code becomes 2*s+1, so only 0..127 survive; power_set_exit_status clamps
 * larger statuses (a trapped or killed app, 128+N) to 127. Returns if the
 * device is absent. */
void qemu_debug_exit(unsigned status);
void power_set_exit_status(unsigned status);

/* In test mode a panic exits QEMU with status 3 (exit code 7). */
void power_set_test_mode(int on);
void power_panic_exit(void);

#endif
