/*
 * kernel/lib/panic.h - stopping the kernel on a broken invariant.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
