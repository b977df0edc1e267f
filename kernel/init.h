/*
 * kernel/init.h - bringing up the services after the core (devices,
 * filesystems, network, the shell). Grows as subsystems land.
 */
#ifndef KERNEL_INIT_H
#define KERNEL_INIT_H

_Noreturn void kernel_start_services(void);

#endif
