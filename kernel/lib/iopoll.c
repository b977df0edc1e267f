/*
 * kernel/lib/iopoll.c - the shared wake-up point (see iopoll.h).
 */
#include "kernel/lib/iopoll.h"

struct waitq iopoll_wq;
volatile uint32_t iopoll_gen;

void iopoll_init(void)
{
    waitq_init(&iopoll_wq);
}

void iopoll_notify(void)
{
    iopoll_gen++;
    if (iopoll_wq.waiters.next) waitq_wake_all(&iopoll_wq);
}
