/*
 * kernel/lib/iopoll.h - one wake-up point for threads that wait on several
 * event sources at once (WASI poll_oneoff, wasi:io/poll): every source
 * (socket readiness, console input) bumps a generation and wakes the queue;
 * a poller re-checks its objects whenever the generation moved.
 */
#ifndef KERNEL_IOPOLL_H
#define KERNEL_IOPOLL_H

#include <stdint.h>

#include "kernel/sched/waitq.h"

extern struct waitq iopoll_wq;
extern volatile uint32_t iopoll_gen;

/* Called by event sources (may be from an interrupt handler). */
void iopoll_notify(void);
void iopoll_init(void);

#endif
