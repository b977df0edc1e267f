/*
 * kernel/lib/phases.h - the per-phase trace of the milestone path (DHCP
 * lease, app load and compile, TCP download, file close, sync, power-off)
 * and the bytes each layer copied on the way, printed as one parseable
 * "PHASES" line.
 *
 * Recording is always on and costs a timestamp per event and an addition
 * per copy. The line is printed by phases_print: at power-off when the
 * kernel option trace=phases is given, and by test=bench-compare after
 * its milestone download.
 */
#ifndef LIB_PHASES_H
#define LIB_PHASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* In the order the milestone path passes them. The first five keep their
 * first time after phases_reset; the rest keep their latest. */
enum phase {
    PHASE_LEASE,        /* the DHCP lease (kept across phases_reset) */
    PHASE_APP_LOADED,   /* an app's module read, decoded and validated */
    PHASE_APP_COMPILED, /* its instance made: JIT output and memory ready */
    PHASE_TCP_CONNECT,  /* a TCP connection established */
    PHASE_FIRST_BYTE,   /* the first bytes read from a TCP socket */
    PHASE_LAST_BYTE,    /* the latest bytes read from a TCP socket */
    PHASE_FILE_CLOSED,  /* the latest close of a file opened for writing */
    PHASE_SYNC_DONE,    /* the latest fsync or sync of everything ended */
    PHASE_POWEROFF,     /* power_off was entered */
    PHASE_COUNT
};

/* Bytes copied by each layer between the NIC and the disk. */
enum phase_copy {
    COPY_NIC_RX,     /* frames taken from the NIC's receive buffers into the stack */
    COPY_SOCK_RX,    /* TCP payload copied out of sockets to their readers */
    COPY_FILE_WRITE, /* bytes written to files (the app's memory to the file system) */
    COPY_CACHE_IN,   /* bytes copied into block-cache sectors */
    COPY_CACHE_RUN,  /* cache sectors copied into a write-back run buffer */
    COPY_BLK_WRITE,  /* bytes the block devices were asked to write */
    COPY_COUNT
};

/* Records that p happened now. Callable from any thread (not from IRQs). */
void phase_mark(enum phase p);
/* Adds n bytes to counter c. */
void phase_copied(enum phase_copy c, uint64_t n);
/* Forgets every phase but the lease, and every counter: what follows is
 * measured on its own. */
void phases_reset(void);
/* Whether trace=phases asked for the line at power-off. */
bool phases_at_poweroff(void);
void phases_set_at_poweroff(bool on);

/* Writes "PHASES name=seconds ... copy=bytes ..." (times on the kernel's
 * monotonic clock, 0 for a phase that did not happen since the reset) into
 * buf; returns the length it needed, like snprintf. */
size_t phases_format(char *buf, size_t size);
/* Prints that line on the console. */
void phases_print(void);

#endif
