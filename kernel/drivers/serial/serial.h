/*
 * kernel/drivers/serial/serial.h - the COM1 16550 UART: the kernel's console.
 */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stddef.h>
#include <stdint.h>

void serial_init(void);
void serial_write(const char *s, size_t n);
/* Enables the receive interrupt once the IOAPIC is up; input then queues in
 * a ring buffer that serial_read drains. */
void serial_enable_rx_irq(void);
/* Reads up to n bytes; blocks until at least one byte is there or the
 * deadline (monotonic ns, 0 = none) passes. Returns bytes read,
 * ERR_TIMEDOUT, or ERR_CANCELED if the reading thread is killed. */
int serial_read(char *buf, size_t n, uint64_t deadline_ns);
/* While set, Ctrl-C on the console calls fn (from the interrupt handler)
 * instead of being queued: the shell stops its foreground app this way. */
void serial_set_interrupt_handler(void (*fn)(void));
/* Bytes waiting in the receive ring. */
size_t serial_rx_available(void);

#endif
