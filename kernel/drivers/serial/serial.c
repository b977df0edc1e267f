/*
 * kernel/drivers/serial/serial.c - 16550 UART on COM1 (0x3F8), 115200 8N1.
 *
 * Output is written directly to the transmit holding register: the console
 * must work from the first instruction to a panic, with interrupts off.
 * Input arrives by interrupt (ISA IRQ 4) into a ring buffer with a wait
 * queue for readers (the shell).
 */
#include "kernel/drivers/serial/serial.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/irq.h"
#include "base/error.h"
#include "kernel/lib/iopoll.h"
#include "kernel/sched/waitq.h"

#define COM1           0x3F8
#define REG_DATA       0
#define REG_IER        1
#define REG_FCR        2
#define REG_LCR        3
#define REG_MCR        4
#define REG_LSR        5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define RX_RING        1024

static struct {
    char ring[RX_RING];
    unsigned head, tail; /* head: next write; tail: next read */
    struct waitq readers;
    int present;
    void (*on_ctrl_c)(void);
} rx;

void serial_set_interrupt_handler(void (*fn)(void))
{
    rx.on_ctrl_c = fn;
}

void serial_init(void)
{
    outb(COM1 + REG_IER, 0x00);
    outb(COM1 + REG_LCR, 0x80); /* DLAB: set the divisor */
    outb(COM1 + 0, 1);          /* 115200 baud */
    outb(COM1 + 1, 0);
    outb(COM1 + REG_LCR, 0x03); /* 8N1 */
    outb(COM1 + REG_FCR, 0xC7); /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + REG_MCR, 0x0B); /* DTR, RTS, OUT2 (routes the IRQ) */
    rx.present = inb(COM1 + REG_LSR) != 0xFF;
    waitq_init(&rx.readers);
}

static void put_byte(char c)
{
    /* The UART drains at line speed; on QEMU the register is always empty.
     * A bounded wait keeps a missing UART from hanging the kernel. */
    for (int i = 0; i < 100000 && !(inb(COM1 + REG_LSR) & LSR_THR_EMPTY); i++)
        cpu_relax();
    outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
    if (!rx.present) return;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') put_byte('\r');
        put_byte(s[i]);
    }
}

static void serial_irq(void *arg)
{
    (void)arg;
    int got = 0;
    while (inb(COM1 + REG_LSR) & LSR_DATA_READY) {
        char c = (char)inb(COM1 + REG_DATA);
        if (c == 3 && rx.on_ctrl_c) {
            rx.on_ctrl_c();
            continue;
        }
        unsigned next = (rx.head + 1) % RX_RING;
        if (next != rx.tail) { /* full: drop the byte */
            rx.ring[rx.head] = c;
            rx.head = next;
        }
        got = 1;
    }
    if (got) {
        waitq_wake_all(&rx.readers);
        iopoll_notify();
    }
}

void serial_enable_rx_irq(void)
{
    if (!rx.present) return;
    irq_register_isa(4, serial_irq, NULL, "serial");
    outb(COM1 + REG_IER, 0x01); /* data-available interrupt */
}

size_t serial_rx_available(void)
{
    return (rx.head + RX_RING - rx.tail) % RX_RING;
}

int serial_read(char *buf, size_t n, uint64_t deadline_ns)
{
    uint64_t flags = irq_save();
    while (rx.head == rx.tail) {
        int err = waitq_sleep(&rx.readers, deadline_ns);
        if (err < 0 && rx.head == rx.tail) {
            irq_restore(flags);
            return err; /* ERR_TIMEDOUT, or ERR_CANCELED when killed */
        }
    }
    size_t got = 0;
    while (got < n && rx.tail != rx.head) {
        buf[got++] = rx.ring[rx.tail];
        rx.tail = (rx.tail + 1) % RX_RING;
    }
    irq_restore(flags);
    return (int)got;
}
