/*
 * kernel/sched/waitq.h - wait queues: sleep until woken or a deadline.
 *
 * The waiting side checks its condition with interrupts disabled, then
 * calls waitq_sleep (still disabled); a waker (thread or interrupt handler)
 * changes the condition and calls waitq_wake_*. Because both run with
 * interrupts masked on the only CPU, a wake-up cannot be lost between the
 * check and the sleep. WAIT_EVENT wraps the loop.
 */
#ifndef SCHED_WAITQ_H
#define SCHED_WAITQ_H

#include <stdint.h>

#include "kernel/arch/x86_64/cpu.h"
#include "base/list.h"

struct waitq {
    struct list_node waiters;
};

void waitq_init(struct waitq *wq);
/* Interrupts must be disabled. Returns 0 when woken, ERR_TIMEDOUT when the
 * deadline (monotonic ns; 0 = none) passed, ERR_CANCELED if the thread was
 * killed. Interrupts are disabled again on return. */
int waitq_sleep(struct waitq *wq, uint64_t deadline_ns);
/* The same, but a kill does not end the wait (for waits on hardware that
 * owns a buffer); the kill is seen by the next interruptible wait. */
int waitq_sleep_uninterruptible(struct waitq *wq, uint64_t deadline_ns);
void waitq_wake_one(struct waitq *wq);
void waitq_wake_all(struct waitq *wq);

/* Waits until cond is true: 0, or ERR_TIMEDOUT / ERR_CANCELED. */
#define WAIT_EVENT(wq, cond, deadline_ns)                                                          \
    __extension__({                                                                                \
        int wait_r_ = 0;                                                                           \
        uint64_t wait_f_ = irq_save();                                                             \
        while (!(cond)) {                                                                          \
            int wait_e_ = waitq_sleep((wq), (deadline_ns));                                        \
            if (wait_e_ < 0 && !(cond)) {                                                          \
                wait_r_ = wait_e_;                                                                 \
                break;                                                                             \
            }                                                                                      \
        }                                                                                          \
        irq_restore(wait_f_);                                                                      \
        wait_r_;                                                                                   \
    })

/* A sleeping lock for code that may block while holding it. */
struct mutex {
    struct thread *owner;
    struct waitq wq;
};
void mutex_init(struct mutex *m);
void mutex_lock(struct mutex *m);
void mutex_unlock(struct mutex *m);

#endif
